"""How long the worker and the grader have waited for a CPU: the kernel's run-queue delay.

A thread that is ready to run while every CPU is busy waits in a run queue, and Linux adds that wait to the second
field of ``/proc/<pid>/schedstat`` (``CONFIG_SCHED_INFO``), in nanoseconds. It is what machine load adds to a
process's time. The kernel keeps it, so a student's code cannot report it falsely; it can only add to it by
competing with itself (threads of its own, where the sandbox allows them) or by lowering its own priority, which
costs it as much as it gains. The runner gives these waits back to the budget during a stand-in's round trip
(``runner.Sandbox._request``).
"""
import os

#: Bubblewrap starts the worker two processes down; no chain the runner starts is longer than this.
MAX_CHAIN = 8


def worker_pid(pid):
    """The last process of the chain that ``pid`` starts, each the only child of the one before: the worker itself
    when ``pid`` is bubblewrap. Called when the worker has just said it is ready, before any student code has run.
    Where the kernel does not list children, ``pid`` itself (whose waits are then the runner's own child's)."""
    for _ in range(MAX_CHAIN):
        try:
            with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as handle:
                children = handle.read().split()
        except OSError:
            return pid
        if len(children) != 1:
            return pid
        pid = int(children[0])
    return pid


class Waits:
    """What the kernel has counted of process ``pid``'s main thread and of the thread that made this object: ``read``
    returns (seconds the worker has run, seconds the two have waited for a CPU), each in all, or None where the
    kernel does not say (and always with ``pid`` None). A context manager: it holds two open files."""

    def __init__(self, pid):
        self._fds = []
        paths = () if pid is None else (f"/proc/{pid}/schedstat", "/proc/thread-self/schedstat")
        try:
            for path in paths:
                self._fds.append(os.open(path, os.O_RDONLY | os.O_CLOEXEC))
        except OSError:
            self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def read(self):
        if not self._fds:
            return None
        try:  # each file: nanoseconds on a CPU, nanoseconds waiting for one, and how many times it ran
            worker, grader = (os.pread(fd, 128, 0).split() for fd in self._fds)
            return int(worker[0]) / 1e9, (int(worker[1]) + int(grader[1])) / 1e9
        except (OSError, ValueError, IndexError):  # the worker is gone, or the file says something else
            return None

    def close(self):
        for fd in self._fds:
            os.close(fd)
        self._fds = []


def cpu_seconds(pid):
    """The seconds process ``pid``'s main thread has run on a CPU (``/proc/<pid>/schedstat``, the kernel's count),
    or None where the kernel does not say or the process is gone. The worker is single-threaded, so this is all of
    its CPU time."""
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/schedstat", "rb") as handle:
            return int(handle.read(128).split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        return None

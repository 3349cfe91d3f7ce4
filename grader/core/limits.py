"""The grader's own bounds per submission: the time budget, its process's address space, a child's running time.

The student's worker has its own limits (``sandbox/runner.py``). These are for the grader's process itself, where
it runs as a process of its own: ``python -m grader grade`` (what nbgrader's ``GradeWithKit`` and the Gradescope
autograder run), ``python -m grader.adapters.prairielearn grade``, and each ``grade-all`` pool process. Whatever a
submission makes the grader do, that process cannot take more than ``HEADROOM_BYTES`` of address space beyond what
it had when it was capped: past that, an allocation raises ``MemoryError``, which costs that one submission.
"""
import os
import resource
import signal
import sys
import time

#: The time one submission's code may take in all, in seconds (``grade --budget``, ``grade-all --budget``,
#: ``GradeWithKit.budget``): what a slow or stalling submission costs at most. The a3 solution's calls take about
#: 1 s of it; PrairieLearn's own default timeout is 30 s.
BUDGET_SECONDS = 30.0
#: Address space a grading process may add once it is capped. Grading the a3 solution with its plots takes the
#: grader from 148 MB to 243 MB of address space (docs/security.md), so this is ten times what it needs.
HEADROOM_BYTES = 1024 ** 3
_POLL_SECONDS = 0.02


def address_space():
    """This process's address space in bytes (VmSize), or None where /proc does not say."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def cap_address_space(headroom=HEADROOM_BYTES):
    """Cap this process's address space (RLIMIT_AS, the soft limit only) at what it uses now plus ``headroom``;
    return the cap, or None where it cannot be set. The cap is relative because a process's own size depends on
    the machine (OpenBLAS maps a buffer and a stack per core). Only the soft limit is set, so the sandbox's worker,
    which this process starts, can still raise its own to the worker's limit."""
    size = address_space()
    if size is None:
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = size + int(headroom)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    if soft != resource.RLIM_INFINITY and soft <= cap:
        return soft  # already capped lower
    try:
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ValueError, OSError):
        return None
    return cap


def run_within(seconds, work):
    """Run ``work()`` in a forked child process, killed if it is not done after ``seconds``; return True if it
    finished (whatever it did), False if it was killed. The child shares nothing back but the files it writes, and
    cannot take this process down with it. Without ``os.fork``, ``work()`` runs here, unbounded."""
    if not hasattr(os, "fork"):
        work()
        return True
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: end by os._exit only, so nothing of the parent's is cleaned up twice
        code = 1
        try:
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, signal.SIG_DFL)
            signal.alarm(int(seconds) + 2)  # dies by itself even if the parent is gone
            work()
            code = 0
        finally:
            try:
                sys.stderr.flush()
            finally:
                os._exit(code)
    deadline = time.monotonic() + seconds
    while True:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:  # reaped elsewhere
            return True
        if done:
            return True
        if time.monotonic() >= deadline:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)
            return False
        time.sleep(_POLL_SECONDS)

"""The plots of ``grade --plots``, drawn off the critical path: in a process forked ahead, run by run, while grading
goes on.

Drawing is matplotlib's work in the grader's own process: its import, its first figure (fonts, text layout, the
mathtext parser of log-scale tick labels: ``plots.warm``) and then each figure. A ``Plotter`` forks a child before
grading starts, which imports and warms matplotlib while the sandbox's worker starts and the student's code runs.
The engine hands over each training run as soon as it is judged (``engine.grade(on_run=...)``), and the child draws
that run's figures at once, exactly as ``plots.write_run_plots`` draws them from the whole report, into the same
folder under the same names. The grader writes its results first, then ``finish`` waits for the last figures.

Bounds, as for ``plots.write_run_plots_within``: ``finish`` waits at most ``seconds`` (``plots.TIME_LIMIT_SECONDS``)
and then kills the child, whose figures already written stay; the child dies with the grader (``PR_SET_PDEATHSIG``)
and ends itself once told to finish and ``seconds`` more have passed. What the child is sent is the grader's own
data (the report's runs, already decoded and checked), pickled by the grader for its own child: nothing the
student's process sends is ever unpickled. A run that cannot be sent is drawn by ``finish`` in the old way.
"""
import os
import pickle
import queue
import signal
import struct
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

HEADER = struct.Struct("!I")
POLL_SECONDS = 0.01
PR_SET_PDEATHSIG = 1


def _die_with_parent():
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _read_exact(fd, count):
    data = b""
    while len(data) < count:
        chunk = os.read(fd, count - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def _child(fd, folder, lang, seconds):
    """Warm matplotlib, then draw each run received on ``fd`` into ``folder`` until told to finish."""
    code = 1
    try:
        _die_with_parent()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_DFL)
        from . import plots
        plots.warm(lang)
        while True:
            message = pickle.loads(_read_exact(fd, HEADER.unpack(_read_exact(fd, HEADER.size))[0]))
            if message[0] == "finish":
                signal.alarm(int(seconds) + 2)  # ends by itself even if the grader is gone
                code = 0
                return
            _, assignment, run_lang, key, run = message
            report = SimpleNamespace(assignment=assignment, lang=run_lang, runs={key: run})
            plots.write_run_plots(report, folder)  # never raises: a figure it cannot draw is reported and skipped
    except EOFError:  # the grader is gone, or sent nothing more
        code = 0
    finally:
        try:
            sys.stderr.flush()
        finally:
            os._exit(code)


class Plotter:
    """A child process that draws a report's training runs into ``folder`` as they are handed over (``run``).
    Make it before grading starts, while this process has no other thread; ``finish`` once the results are
    written. Without ``os.fork`` it only collects the runs, and ``finish`` draws them in this process."""

    def __init__(self, folder, lang=None, seconds=None):
        from . import plots
        self.folder = Path(folder)
        self.seconds = plots.TIME_LIMIT_SECONDS if seconds is None else seconds
        self.pid, self._fd, self._queue, self._writer = None, None, None, None
        self.unsent = {}  # runs that could not be sent: finish draws them here
        self.assignment = None
        if not hasattr(os, "fork"):
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return  # finish reports the folder through write_run_plots, as the old way does
        read, write = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            os.close(write)
            _child(read, self.folder, lang, self.seconds)
        os.close(read)
        self.pid, self._fd = pid, write
        self._queue = queue.Queue()
        self._writer = threading.Thread(target=self._write, daemon=True)  # a slow child never holds up grading
        self._writer.start()

    def _write(self):
        while True:
            data = self._queue.get()
            if data is None:
                return
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(self._fd, view):]
            except OSError:  # the child is gone: finish finds out
                return

    def _send(self, message):
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        self._queue.put(HEADER.pack(len(data)) + data)

    def run(self, assignment, lang, key, run):
        """Draw run ``key`` (an entry of ``Report.runs``) of ``assignment``'s report in ``lang``. Never raises."""
        self.assignment = assignment
        if self.pid is None:
            self.unsent[key] = run
            return
        try:
            self._send(("run", assignment, lang, key, run))
        except Exception:  # a value pickle cannot take: drawn by finish in the old way
            self.unsent[key] = run

    def finish(self, report):
        """Wait for the child to draw every run handed over (at most ``seconds``, then it is killed), draw any run
        that could not be sent, and return the PNGs in ``folder``. Never raises."""
        from . import plots
        if self.pid is not None:
            deadline = time.monotonic() + self.seconds
            self._send(("finish",))
            self._queue.put(None)
            if not self._wait(deadline):
                print(plots.MESSAGES["plot_timeout"].format(seconds=self.seconds), file=sys.stderr)
            self._writer.join(timeout=1.0)  # it ends once the child is gone: its write fails
            os.close(self._fd)
        if self.unsent:  # runs the child never had: drawn now, bounded the old way (write_run_plots_within)
            left = SimpleNamespace(assignment=report.assignment, lang=getattr(report, "lang", None),
                                   runs=self.unsent)
            plots.write_run_plots_within(left, self.folder, self.seconds)
        return sorted(self.folder.glob("*.png")) if self.folder.is_dir() else []

    def abandon(self):
        """End the child without drawing anything more (grading did not finish). Never raises."""
        if self.pid is None:
            return
        self._queue.put(None)
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(self.pid, 0)
        self._writer.join(timeout=1.0)
        os.close(self._fd)
        self.pid = None

    def _wait(self, deadline):
        while True:
            done, _ = os.waitpid(self.pid, os.WNOHANG)
            if done:
                return True
            if time.monotonic() >= deadline:
                try:
                    os.kill(self.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                os.waitpid(self.pid, 0)
                return False
            time.sleep(POLL_SECONDS)

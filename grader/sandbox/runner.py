"""The grader's side of the sandbox: stage a submission's module files and call into them in a separate process.

Every call has a time limit and the worker has a memory limit. A worker that hangs, crashes, exits or floods is
killed with its whole process group and replaced, so only the call that hit the trouble fails. A module whose
import failed or hung is remembered, and every later call into it fails at once with the same reason.
"""
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from ..evaluation import Outcome
from . import wire

WORKER = Path(__file__).with_name("worker.py")
SITE_DIR = str(Path(np.__file__).resolve().parents[1])
START_TIMEOUT = 20.0


class _WorkerGone(Exception):
    """The worker closed its pipe: it exited, crashed, or was killed."""


class Sandbox:
    """One submission's worker. Use as a context manager; ``files`` maps a file name to the path to copy."""

    def __init__(self, files, *, memory_bytes=2 * 1024 ** 3, budget_seconds=120.0):
        self.memory_bytes = memory_bytes
        self.deadline = time.monotonic() + budget_seconds
        self.workdir = Path(tempfile.mkdtemp(prefix="nnkit-sandbox-")).resolve()
        for name, source in files.items():
            shutil.copyfile(source, self.workdir / name)
        self._proc = None
        self._loaded = []
        self._failed_imports = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- process management -------------------------------------------------------------------------------------
    def _start(self):
        to_worker_r, to_worker_w = os.pipe()
        from_worker_r, from_worker_w = os.pipe()
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.workdir),
               "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
               "NNKIT_MEMORY_BYTES": str(self.memory_bytes), "LC_ALL": "C.UTF-8"}
        cmd = [sys.executable, "-I", "-S", str(WORKER), SITE_DIR, str(self.workdir),
               str(to_worker_r), str(from_worker_w)]
        self._proc = subprocess.Popen(cmd, pass_fds=(to_worker_r, from_worker_w), cwd=self.workdir, env=env,
                                      stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL, start_new_session=True)
        os.close(to_worker_r)
        os.close(from_worker_w)
        self._to_worker, self._from_worker = to_worker_w, from_worker_r
        self._receive(START_TIMEOUT)
        for module in self._loaded:
            answer = self._request({"op": "import", "module": module}, START_TIMEOUT)
            if not answer.get("ok"):
                raise _WorkerGone(f"re-importing {module} failed after a restart")

    def _kill(self):
        if self._proc is None:
            return
        try:
            os.killpg(self._proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self._proc.wait()
        for fd in (self._to_worker, self._from_worker):
            os.close(fd)
        self._proc = None

    def close(self):
        self._kill()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def _exit_description(self):
        code = self._proc.wait(timeout=5) if self._proc else None
        if code is not None and code < 0:
            return f"the process was killed by signal {signal.Signals(-code).name}"
        return f"the process exited with code {code}"

    # -- framing ------------------------------------------------------------------------------------------------
    def _read_exact(self, count, deadline):
        chunks = []
        while count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            ready, _, _ = select.select([self._from_worker], [], [], remaining)
            if not ready:
                raise TimeoutError
            chunk = os.read(self._from_worker, min(count, 1 << 20))
            if not chunk:
                raise _WorkerGone
            chunks.append(chunk)
            count -= len(chunk)
        return b"".join(chunks)

    def _receive(self, timeout):
        deadline = time.monotonic() + timeout
        length = wire.header_length(self._read_exact(wire.HEADER_SIZE, deadline))
        return wire.json.loads(self._read_exact(length, deadline))

    def _request(self, message, timeout):
        def write(data):
            view = memoryview(data)
            while view:
                view = view[os.write(self._to_worker, view):]
        try:
            wire.write_message(write, message)
        except (BrokenPipeError, OSError):
            raise _WorkerGone
        return self._receive(timeout)

    # -- public API ---------------------------------------------------------------------------------------------
    def _exchange(self, message, timeout):
        """Send one request, restarting the worker first if needed. Returns an Outcome, never raises."""
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            return Outcome(False, error="BudgetExceeded")
        try:
            if self._proc is None:
                self._start()
            answer = self._request(message, min(timeout, remaining))
        except TimeoutError:
            self._kill()
            kind = "Timeout" if timeout <= remaining else "BudgetExceeded"
            return Outcome(False, error=kind, detail=f"{timeout:g}")
        except (_WorkerGone, ValueError, wire.json.JSONDecodeError):
            detail = self._exit_description() if self._proc else ""
            self._kill()
            return Outcome(False, error="WorkerDied", detail=detail)
        if not answer.get("ok"):
            return Outcome(False, error=str(answer.get("error", "Error")), detail=str(answer.get("detail", "")),
                           where=[str(line) for line in answer.get("where", [])][:3])
        try:
            value = wire.decode(answer.get("value"))
        except (ValueError, TypeError, KeyError) as exc:
            return Outcome(False, error="BadValue", detail=str(exc))
        return Outcome(True, value=value, warnings=[str(w) for w in answer.get("warnings", [])][:5],
                       seconds=float(answer.get("seconds", 0.0)))

    def load(self, module, timeout=10.0):
        """Import ``module`` from the staged folder. A failure is remembered for every later call."""
        if module in self._failed_imports:
            return self._failed_imports[module]
        if module in self._loaded:
            return Outcome(True)
        if not (self.workdir / f"{module}.py").is_file():
            outcome = Outcome(False, error="MissingFile", detail=f"{module}.py")
        else:
            outcome = self._exchange({"op": "import", "module": module}, timeout)
        if outcome.ok:
            self._loaded.append(module)
        else:
            self._failed_imports[module] = outcome
        return outcome

    def call(self, module, function, args=(), kwargs=None, timeout=5.0):
        """Call ``module.function(*args, **kwargs)`` in the worker and return its decoded Outcome."""
        loaded = self.load(module)
        if not loaded.ok:
            return Outcome(False, error="ImportFailed", detail=f"{loaded.error}: {loaded.detail}".strip(": "),
                           where=loaded.where)
        message = {"op": "call", "module": module, "function": function,
                   "args": wire.encode(tuple(args)), "kwargs": wire.encode(dict(kwargs or {}))}
        return self._exchange(message, timeout)

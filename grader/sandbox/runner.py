"""The grader's side of the sandbox: stage a submission's module files and call into them in a separate process.

Every call has a time limit and the worker has a memory limit. A worker that hangs, crashes, exits, floods or
garbles its channel is killed with its whole process group and replaced, so only the call that hit the trouble
fails. A module whose import failed or hung is remembered, and every later call into it fails at once with the same
reason, and so does any import of it by another module: the worker is told which modules not to import, so the
grader never has to read, let alone parse, a student's source. Nothing the worker sends can raise in the grader: a
malformed answer is one failed call, and every string in an answer is made valid text as it is parsed and cut short
as it is decoded (``wire``).

A stand-in (a reference function computed here, for a callee of the student's function) costs the student only its
share of the round trip: the grader's own time on it, and the time either process waited for a CPU, are given back
to the call and to the budget (``Sandbox._credit``). Its arguments are bounded before they are decoded, and a call
that asks for too many stand-ins, or for too much of the grader's time, ends at once.

The worker runs under bubblewrap's namespaces where it can, and confines itself further (``worker.py`` lists the
layers); ``Sandbox.layers`` says which took hold, and a ``confinement.Policy`` refuses to go on when some property has
no layer (``confinement.py``). On close, any
process that still carries this sandbox's token in its environment is killed as well, which catches descendants
that left the process group where seccomp could not stop them from being made. docs/security.md has the threat
model.
"""
import errno
import os
import secrets
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import warnings
import weakref
from pathlib import Path

import numpy as np

from .. import text
from ..shipped.evaluation import STAND_IN_ERROR, Outcome
from . import accounting, ahead, confinement, uids, waits
from ..shipped import wire

WORKER = Path(__file__).with_name("worker.py")
SITE_DIR = confinement.SITE_DIR
START_TIMEOUT = 30.0
IMPORT_TIMEOUT = 10.0
MEMORY_BYTES = 2 * 1024 ** 3  # the worker's address-space limit, when Sandbox() is not given one
# The confinement layers the worker is asked to apply. The namespaces come from bubblewrap, the rest from the worker
# itself. Tests switch some off to prove the fallbacks.
LAYERS = ("mount-namespace", "pid-namespace", "network-namespace", "uid", "parent-death", "capabilities", "landlock",
          "seccomp")
TOKEN_VARIABLE = "NNKIT_SANDBOX"
STAND_IN_CALLS = 20_000  # stand-in requests one call may make: a training loop's steps, with room to spare
# A submission's stand-ins are given back at most this many times its budget (Sandbox._credit): at load 7 to 11 the
# A1 submission with a wrong mse_gradient went over one budget, nearly all of it time now given back; a hostile
# submission costs three budgets at most.
STAND_IN_CREDIT = 2.0
MAX_CHANGED, MAX_PATH = 5, 80  # what is kept of the worker's list of arguments changed in place
MAX_DETAIL, MAX_LINE, MAX_LINES = 1000, 300, 5  # an exception's text; a traceback line or a warning, and how many
# A module whose import failed in one of these ways is not imported again, even by another module (see load).
NOT_IMPORTED_AGAIN = ("Timeout", "WorkerDied", "TooLarge")
# The host's numerical settings reach the worker, so student and reference run the same kernels: some hosts set
# OPENBLAS_CORETYPE because older OpenBLAS builds compute wrong results on their CPU.
NUMERIC_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "NPY_DISABLE_CPU_FEATURES", "NPY_ENABLE_CPU_FEATURES")
_OPEN = weakref.WeakSet()  # the sandboxes of this process not yet closed, for close_all()

MESSAGES = text.table("runner", {
    "signal": "the process was killed by signal {name}",
    "exit": "the process exited with code {code}",
    "channel_closed": "it closed the grader's channel",
    "garbled": "it wrote something the grader cannot read on the grader's channel",
    "reimport": "importing {module} again after a restart failed",
    "no_start": "the sandbox worker did not start ({detail}); this is a problem with the grader, not the submission",
    "no_stand_in": "there is no stand-in for {name} in this call",
    "stand_in_calls": "more than {limit} calls of the stand-ins in one call",
    "stand_in_failed": "the reference {name} could not take these arguments ({detail})",
    "stand_in_large": "its value holds {size} bytes of arrays, over the {limit}-byte limit of what is sent back",
    "stand_in_arguments": "they take {size} bytes, over the {limit}-byte limit of a stand-in's arguments here",
    "stand_in_time": "the calls of the stand-ins took more than {seconds:g} s in one call",
})


class SandboxError(RuntimeError):
    """The sandbox itself cannot run (as opposed to a submission that misbehaves in it)."""


class _WorkerGone(Exception):
    """The worker closed its pipe: it exited, crashed, or was killed."""


class _Garbled(Exception):
    """The worker sent bytes that are not a well-formed answer."""


class _StandInLimit(Exception):
    """A call asked the grader for more stand-in work than one call may have: the call ends, with this reason."""


class _Trips:
    """The stand-in round trips of one call: how many there were, and what each cost that is not the student's
    (``Sandbox._credit``). ``clock`` is a waits.Waits; past STAND_IN_CALLS requests, or once more than ``limit``
    seconds were given back, the call ends with _StandInLimit."""

    def __init__(self, clock, limit):
        self.clock, self.limit = clock, limit
        self.calls, self.given = 0, 0.0
        self.start()

    def start(self):
        """The grader is about to write to the worker: the time until the next request is the round trip's."""
        self.ready, self.before = time.monotonic(), self.clock.read()

    def arrive(self):
        """A message from the worker has just been read."""
        self.arrived, self.after = time.monotonic(), self.clock.read()

    def count(self):
        """The message was a stand-in request."""
        self.calls += 1
        if self.calls > STAND_IN_CALLS:
            raise _StandInLimit(MESSAGES["stand_in_calls"].format(limit=STAND_IN_CALLS))

    def witnessed(self, seconds):
        """A witness report took the grader ``seconds``: given back like a stand-in's time, under the same limit."""
        self.given += seconds
        if self.given > self.limit:
            raise _StandInLimit(MESSAGES["stand_in_time"].format(seconds=self.limit))

    def served(self):
        """(served, load) of the request whose answer is ready: the grader's time since it was read, and what the
        worker and the grader waited for a CPU since the grader last wrote to the worker, but no more than that
        time less what the worker ran meanwhile (its own work is never given back)."""
        served = time.monotonic() - self.arrived
        load = 0.0
        if self.before is not None and self.after is not None:
            ran, waited = (after - before for before, after in zip(self.before, self.after))
            load = max(0.0, min(self.arrived - self.ready - ran, waited))
        self.given += served + load
        if self.given > self.limit:
            raise _StandInLimit(MESSAGES["stand_in_time"].format(seconds=self.limit))
        return served, load


def _text(value, limit):
    """A string the worker sent, cut to ``limit`` characters (saying so); anything else is not text at all."""
    return wire.cut(value, limit) if type(value) is str else ""


#: The traceback entries a failed call reports: the graded function's own line, and the last three
MAX_FRAMES = 4


def _texts(values, limit, count):
    """The first ``count`` strings of a list the worker sent, each cut to ``limit`` characters."""
    return [wire.cut(value, limit) for value in (values if type(values) is list else [])[:count]
            if type(value) is str]


def _layers(layers):
    """The ready message's report of the confinement layers, {name: 'on ...' or 'off: reason'}, cut short."""
    if type(layers) is not dict:
        return {}
    return {wire.cut(str(key), wire.MAX_NAME_CHARS): _text(value, MAX_LINE)
            for key, value in list(layers.items())[:2 * len(LAYERS) + 8]}


def _array_bytes(value, depth=0):
    """The bytes of the arrays in a value the grader computed (a reference's), through tuples, lists and dicts."""
    if type(value) is np.ndarray:
        return value.nbytes
    if depth < wire.MAX_DEPTH and isinstance(value, (tuple, list)):
        return sum(_array_bytes(item, depth + 1) for item in value)
    if depth < wire.MAX_DEPTH and isinstance(value, dict):
        return sum(_array_bytes(item, depth + 1) for item in value.values())
    return 0


def stand_in_request_bytes(args, kwargs):
    """The bytes of the stand-in request the worker sends for a call with these arguments (a fixed-size id and an
    empty name: what a name adds is small beside the factor the engine applies)."""
    message = {"id": "0" * 16, "stand_in": "", "args": wire.encode(tuple(args)), "kwargs": wire.encode(dict(kwargs))}
    return len(wire.json.dumps(message).encode("utf-8"))


def _sweep(token):
    """SIGKILL every process whose environment carries ``token``; return how many were found."""
    marker = f"{TOKEN_VARIABLE}={token}".encode()
    found = 0
    for _ in range(5):  # a process may fork while the sweep runs
        hits = []
        try:
            entries = os.listdir("/proc")
        except OSError:
            return found
        for entry in entries:
            if not entry.isdigit() or int(entry) == os.getpid():
                continue
            try:
                with open(f"/proc/{entry}/environ", "rb") as handle:
                    environ = handle.read()
            except OSError:
                continue
            if marker in environ.split(b"\0"):
                hits.append(int(entry))
        if not hits:
            return found
        for pid in hits:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        found += len(hits)
        time.sleep(0.01)
    return found


class Sandbox:
    """One submission's worker. Use as a context manager; ``files`` maps a file name to its bytes, or to the path
    of a file to copy."""

    def __init__(self, files, *, memory_bytes=None, budget_seconds=120.0, policy=None, stand_in_bytes=None):
        self.memory_bytes = int(memory_bytes or MEMORY_BYTES)
        self.policy = policy  # a confinement.Policy: each worker start is checked against it
        self.record = None  # what the policy recorded of the last worker's confinement
        self.deadline = time.monotonic() + budget_seconds  # moved later by what stand-ins are given back
        # The most bytes a stand-in request may take (the engine sets it from the catalogue), the seconds of stand-in
        # round trips given back to the budget at most, and the grader's time on them and what was given back so far.
        self.stand_in_bytes = int(stand_in_bytes or wire.MAX_ANSWER_BYTES)
        self.stand_in_credit = STAND_IN_CREDIT * budget_seconds
        self.served = self.credited = 0.0
        self.round_trips = 0
        self.starts = 0  # workers started: the first, and every one started in place of one that was replaced
        self._holds_references = False  # whether the worker has been sent a stand-in's value since it started
        self._retired = False  # whether the last worker was ended for that reason (drop_references)
        self.layers = {}
        self.swept = 0
        # The CPU seconds the workers ran, by the kernel's count (waits.cpu_seconds): booting (importing numpy and
        # confining themselves, before the ready message) and after it (the student's code, the imports of the
        # student's modules and the worker's encoding of what they return).
        self.boot_cpu = self.student_cpu = 0.0
        self._ready_cpu = None
        self._owner = os.getpid()
        self._proc = None
        self._worker_pid = None
        self._under_bwrap = False
        self._to_worker = self._from_worker = None
        self._launched = None  # a worker launched and not yet waited for: (Popen, to_worker, from_worker, errors, plan)
        self._loaded = []
        self._failed_imports = {}
        # {module: graded function names}: a module here that could not be imported is replaced, in the worker, by
        # a placeholder holding these names (worker._placeholder), so that the modules importing it still import
        self.graded_functions = {}
        self._stand_in_raised = ()  # what the reference raised on the last stand-in request, if it raised
        spare = ahead.take(self._settings()) if files else None
        self.ahead = spare is not None  # whether this sandbox's first worker was started ahead (ahead.py)
        if spare is not None:  # its folder is empty, and no code but the kit's has run in its worker
            self.token, self.workdir, self._uid, self._launched = spare.token, spare.workdir, spare._uid, \
                spare._launched
            self.starts = spare.starts
            spare._uid = spare._launched = None
            spare.workdir = None
            _OPEN.discard(spare)
        else:
            self.token = secrets.token_hex(16)
            self._uid = None  # the uids.Lease of the uid every worker of this sandbox drops to, as root
            self.workdir = Path(tempfile.mkdtemp(prefix="nnkit-sandbox-")).resolve()
        _OPEN.add(self)  # at once: a signal that closes every sandbox must find this folder even while it fills
        try:
            for name, source in files.items():
                target = (self.workdir / name).resolve()
                if self.workdir not in target.parents:
                    raise ValueError(f"staged file name {name!r} leaves the sandbox folder")
                target.parent.mkdir(parents=True, exist_ok=True)
                if isinstance(source, bytes):
                    target.write_bytes(source)
                else:
                    shutil.copyfile(source, target)
            if self._launched is not None and self._launched[4]["uid"] is not None:
                self._share(self._launched[4]["uid"][1])  # what _command does for a worker launched now
        except BaseException:
            self.close()
            raise

    def _settings(self):
        """What a worker launched ahead must have been launched with to serve this sandbox (ahead.take)."""
        return (self.memory_bytes, LAYERS, tuple((name, os.environ.get(name)) for name in NUMERIC_VARIABLES))

    def launched_alive(self):
        """Whether this sandbox has a worker launched and not yet waited for, whose process is still running."""
        return self._launched is not None and self._launched[0].poll() is None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- process management -------------------------------------------------------------------------------------
    def _lease_uid(self):
        """The (uid, gid) of this sandbox's workers, leased at the first start and kept until it is closed."""
        if self._uid is None:
            self._uid = uids.lease()
        return self._uid.uid, self._uid.gid

    def _plan(self):
        return confinement.plan(LAYERS, lease=self._lease_uid)

    def _environment(self, plan=None):
        plan = plan or self._plan()
        numeric = {name: os.environ[name] for name in NUMERIC_VARIABLES if name in os.environ}
        env = {**numeric, "PATH": "/usr/bin:/bin", "HOME": str(self.workdir), "TMPDIR": str(self.workdir),
               "LC_ALL": "C.UTF-8", "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1",
               "PYTHONNOUSERSITE": "1", "PYTHONSAFEPATH": "1",
               "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
               "NNKIT_MEMORY_BYTES": str(self.memory_bytes), "NNKIT_LAYERS": ",".join(LAYERS),
               "NNKIT_PARENT": str(os.getpid()), TOKEN_VARIABLE: self.token,
               "NNKIT_HOST_NAMESPACES": ",".join(f"{k}={v}" for k, v in confinement.namespaces().items())}
        if plan["bwrap"] is not None:
            del env["NNKIT_PARENT"]  # in its pid namespace the worker's parent is bubblewrap, which dies with us
        elif plan["namespaces_off"]:
            env["NNKIT_NAMESPACES_OFF"] = plan["namespaces_off"]
        if plan["uid"] is not None:
            env["NNKIT_UID"] = "{}:{}".format(*plan["uid"])
        elif plan["uid_off"]:
            env["NNKIT_UID_OFF"] = plan["uid_off"]
        return env

    def _command(self, plan, to_worker_r, from_worker_w):
        """The worker's command line: under bubblewrap when the plan has it. With a separate uid planned, the staged
        folder becomes readable by that uid's group and no other (it holds only what the student may read, and
        the worker of another sandbox, under another uid and gid, cannot read it)."""
        # No -I or -E: the environment is built from nothing, and PYTHONHASHSEED must reach the worker.
        cmd = [sys.executable, "-S", "-B", str(WORKER), SITE_DIR, str(self.workdir),
               str(to_worker_r), str(from_worker_w)]
        if plan["uid"] is not None:
            self._share(plan["uid"][1])
        if plan["bwrap"] is not None:
            cmd = plan["bwrap"].command(self.workdir, cmd, root=os.geteuid() == 0,
                                        keep_uid_capabilities=plan["uid"] is not None)
        return cmd

    def _share(self, gid):
        """Make the staged folder readable by group ``gid`` (the leased uid's) and no other."""
        for folder, _, names in os.walk(self.workdir):
            os.chown(folder, -1, gid)
            os.chmod(folder, 0o750)
            for name in names:
                os.chown(os.path.join(folder, name), -1, gid, follow_symlinks=False)
                os.chmod(os.path.join(folder, name), 0o640, follow_symlinks=False)

    def start(self):
        """Start the worker now if none is running (grading does, to check its confinement before anything else).
        With ``ahead.keep()``, the next sandbox's worker is then launched, to boot while this one's code runs."""
        if self._proc is None:
            self._start(START_TIMEOUT)
            if ahead.keeping():
                self.launch_ahead(self.memory_bytes)

    @staticmethod
    def launch_ahead(memory_bytes=None):
        """Make a sandbox with an empty folder and launch its worker, for the next Sandbox of this process with
        these settings to take over (ahead.py). Never raises: without a spare, the next sandbox starts its own."""
        try:
            spare = Sandbox({}, memory_bytes=memory_bytes)
        except Exception:
            return
        try:
            spare._launched = spare._launch()
        except Exception:
            spare.close()
            return
        ahead.put(spare._settings(), spare)

    def _start(self, timeout):
        """Start a worker (or take the one launched ahead) and wait for its ready message. Raises SandboxError if
        it does not come: no student code has run in a fresh worker, so that is the grader's problem. Raises
        confinement.Refused when the policy finds a property that no layer holds. A worker launched ahead that
        fails to start is replaced by one started now."""
        launched, self._launched = self._launched, None
        if launched is not None:
            try:
                return self._await(launched, timeout)
            except SandboxError:
                pass
        self._await(self._launch(), timeout)

    def _launch(self):
        """Start a worker process; return what ``_await`` needs to wait for its ready message."""
        plan = self._plan()
        self.starts += 1
        to_worker_r, to_worker_w = os.pipe()
        from_worker_r, from_worker_w = os.pipe()
        errors = tempfile.TemporaryFile() if plan["bwrap"] is not None else None  # bubblewrap's own complaints
        try:
            proc = subprocess.Popen(self._command(plan, to_worker_r, from_worker_w),
                                          pass_fds=(to_worker_r, from_worker_w), cwd=self.workdir,
                                          env=self._environment(plan), stdin=subprocess.DEVNULL,
                                          stdout=subprocess.DEVNULL, stderr=errors or subprocess.DEVNULL,
                                          start_new_session=True)
        except BaseException:
            for fd in (to_worker_w, from_worker_r):
                os.close(fd)
            if errors is not None:
                errors.close()
            raise
        finally:
            os.close(to_worker_r)
            os.close(from_worker_w)
        os.set_blocking(to_worker_w, False)
        return proc, to_worker_w, from_worker_r, errors, plan

    def _await(self, launched, timeout):
        """Wait for a launched worker's ready message and check its confinement (``_start``)."""
        self._proc, self._to_worker, self._from_worker, errors, plan = launched
        self._under_bwrap = plan["bwrap"] is not None
        try:
            ready = self._receive(time.monotonic() + timeout)
        except (TimeoutError, _WorkerGone, _Garbled) as exc:
            detail = type(exc).__name__ if not isinstance(exc, _WorkerGone) else self._exit_description()
            if errors is not None:
                errors.seek(0)
                said = errors.read(2000).decode("utf-8", errors="replace").strip().splitlines()
                detail = f"{detail}; bwrap: {said[-1]}" if said else detail
            self._kill()
            raise SandboxError(MESSAGES["no_start"].format(detail=detail)) from None
        finally:
            if errors is not None:
                errors.close()
        if ready.get("ready") is not True:
            self._kill()
            raise SandboxError(MESSAGES["no_start"].format(detail="no ready message"))
        self.layers = _layers(ready.get("layers"))
        self._worker_pid = waits.worker_pid(self._proc.pid)  # now, while only the kit's code has run in it
        self._ready_cpu = waits.cpu_seconds(self._worker_pid)
        self.boot_cpu += self._ready_cpu or 0.0
        if self.policy is not None:
            try:
                self.record = self.policy.check(self.layers)
            except confinement.Refused:
                self._kill()
                raise

    def _fresh_worker(self, remaining):
        """Start a new worker in place of the one that is gone, and import again every module that loaded before:
        the one place a worker is replaced. A worker retired because it served stand-ins (``drop_references``) is the
        grader's choice, so its replacement's start is given back to the budget; the imports, the student's code,
        are not. Any other replacement (after a crash, a time-out) counts as before."""
        started = time.monotonic()
        self._start(START_TIMEOUT)
        if self._retired:
            self.deadline += time.monotonic() - started
            self._retired = False
        self._reimport(min(IMPORT_TIMEOUT, max(remaining, 0.1)))

    def _reimport(self, timeout):
        """After a restart, import again every module that loaded before. A module that fails now stays failed."""
        pending = list(self._loaded)
        while pending:
            module = pending.pop(0)
            try:
                ok = bool(self._request(self._import_request(module), timeout).get("ok"))
            except (TimeoutError, _WorkerGone, _Garbled):
                ok = False
                self._kill()
            if not ok:
                self._loaded.remove(module)
                self._failed_imports[module] = Outcome(False, error="ImportError",
                                                       detail=MESSAGES["reimport"].format(module=module))
            if self._proc is None:  # the failed import took the worker down: start afresh, import the rest again
                self._start(START_TIMEOUT)
                pending = list(self._loaded)

    def drop_references(self):
        """End the worker if it has been sent a stand-in's value since it started: the next call gets a fresh worker
        (``_fresh_worker``), whose start is given back to the budget. The engine calls this between parts, so that
        nothing a stand-in returned (nor anything the student's code made from it, kept in a module global or any
        other state of the process) reaches a part that was not graded with that stand-in."""
        if self._holds_references:
            self._kill()
            self._retired = True

    def _kill(self):
        if self._proc is None:
            return
        ran = waits.cpu_seconds(self._worker_pid)
        if ran is not None and self._ready_cpu is not None:
            self.student_cpu += max(0.0, ran - self._ready_cpu)
        self._ready_cpu = None
        for kill in (lambda: os.killpg(self._proc.pid, signal.SIGKILL), self._proc.kill):
            try:
                kill()
            except OSError:
                pass
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        for fd in (self._to_worker, self._from_worker):
            try:
                os.close(fd)
            except OSError:
                pass
        self._proc = self._worker_pid = None
        self._to_worker = self._from_worker = None
        self._holds_references = False
        self.swept += _sweep(self.token)

    def close(self):
        _OPEN.discard(self)
        if os.getpid() != self._owner:  # a forked child's copy: the workers and the folder are its parent's
            return
        launched, self._launched = self._launched, None
        if launched is not None:  # a worker launched ahead and never waited for
            self._proc, self._to_worker, self._from_worker = launched[:3]
            if launched[3] is not None:
                launched[3].close()
        self._kill()
        if self._uid is not None:  # its workers are gone: another sandbox may have the uid
            self._uid.release()
            self._uid = None
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            accounting.record(self)

    def _exit_description(self):
        if self._proc is None:
            return ""
        try:
            code = self._proc.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            return MESSAGES["channel_closed"]
        if self._under_bwrap and 128 < code < 128 + 65:  # bubblewrap exits with 128 + the signal that killed it
            code = 128 - code
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = str(-code)
            return MESSAGES["signal"].format(name=name)
        return MESSAGES["exit"].format(code=code)

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

    def _write_all(self, data, deadline):
        """Write without ever blocking past ``deadline``: a worker that stops reading cannot hang the grader."""
        view = memoryview(data)
        while view:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            _, ready, _ = select.select([], [self._to_worker], [], remaining)
            if not ready:
                raise TimeoutError
            try:
                view = view[os.write(self._to_worker, view):]
            except BlockingIOError:
                continue
            except OSError as exc:  # EPIPE: the worker closed its end
                if exc.errno in (errno.EPIPE, errno.EBADF):
                    raise _WorkerGone from None
                raise

    def _receive(self, deadline):
        """One answer as a dict. Anything malformed raises _Garbled; nothing else escapes."""
        return self._parse(self._read_frame(deadline))

    def _read_frame(self, deadline):
        """The bytes of one answer, unparsed. A length over an answer's limit raises _Garbled."""
        try:
            length = wire.header_length(self._read_exact(wire.HEADER_SIZE, deadline), wire.MAX_ANSWER_BYTES)
        except (TimeoutError, _WorkerGone):
            raise
        except Exception:
            raise _Garbled from None
        return self._read_exact(length, deadline)

    @staticmethod
    def _parse(frame):
        try:
            answer = wire.load_answer(frame)
        except Exception:  # too long, too many values, bad UTF-8, bad JSON, JSON nested past the recursion limit
            raise _Garbled from None
        if type(answer) is not dict:
            raise _Garbled
        return answer

    def _send(self, message, deadline, limit=wire.MAX_MESSAGE_BYTES, max_items=None):
        payload = []
        wire.write_message(payload.append, message, limit, max_items)
        self._write_all(payload[0], deadline)

    def _request(self, message, timeout, stand_ins=None, serve_limit=None, witnesses=None):
        """Send ``message`` and return the answer to it. Each request carries a fresh random id that the answer
        must echo, so bytes a student writes to the channel can never be taken for the answer to a later call.

        While the call runs, the worker may ask for a stand-in: a reference function named in ``stand_ins``
        ({'module.function': callable}), computed here, in the grader, on the arguments the student's code passed.
        A request for any other name is refused in the student's process. What a stand-in costs that is not the
        student's is given back to the call and to the budget (``_credit``); a call that makes more than
        STAND_IN_CALLS requests, or is given back more than ``serve_limit`` seconds (default: ``timeout``), ends
        with _StandInLimit. Once a stand-in request has been answered, the worker holds a reference's value
        (``drop_references``).

        The worker may also report what a witnessed function returned (``witnesses``: {'module.function':
        callable}, see Sandbox.call): the callable gets each decoded value here, and nothing goes back. Reports
        count as requests, and the grader's time on them is given back like a stand-in's."""
        deadline = time.monotonic() + timeout
        request_id = secrets.token_hex(8)
        with waits.Waits(self._worker_pid if stand_ins or witnesses else None) as clock:
            trips = _Trips(clock, timeout if serve_limit is None else serve_limit)
            self._send(dict(message, id=request_id), deadline)
            while True:
                frame = self._read_frame(deadline)
                trips.arrive()
                answer = self._parse(frame)
                if answer.get("id") != request_id:
                    raise _Garbled
                if "witness" in answer:  # no reply: the student's code goes on while the grader checks
                    trips.count()
                    began = time.monotonic()
                    self._witnessed(answer, witnesses or {})
                    spent = time.monotonic() - began
                    trips.witnessed(spent)
                    deadline += self._credit(spent, 0.0)
                    continue
                if "stand_in" not in answer:
                    return answer
                trips.count()
                self._holds_references = True
                reply = self._reply(answer, stand_ins or {}, len(frame), request_id)
                deadline += self._credit(*trips.served())
                trips.start()
                self._write_all(reply, deadline)

    def give_back(self, seconds):
        """Move the submission's deadline ``seconds`` later: the grader's own work between calls (reading or
        building the reference cache, its diagnoses, bounded by ``grading.diagnosis.BUDGET_SECONDS``) is not the
        submission's time."""
        self.deadline += max(0.0, float(seconds))

    def _witnessed(self, report, witnesses):
        """Hand each value of one witness report, in order, to the witness named. The report came within an
        answer's limits (bytes and values), so decoding it is bounded; a report for a function not witnessed in
        this call is not decoded."""
        name, values = report.get("witness"), report.get("values")
        if type(name) is str and name in witnesses and type(values) is list:
            for data in values:
                try:
                    value = wire.decode(data)
                except Exception:  # a hand-made report: the witness sees something it cannot take for a value
                    value = wire.Opaque("unreadable")
                witnesses[name](value)

    def _credit(self, served, load):
        """Give back to the budget what one stand-in's round trip cost that is not the student's: ``served``, the
        grader's own time on it, from the moment its request was read to the moment the answer was ready to write;
        and ``load``, the time the worker and the grader waited for a CPU since the grader last wrote to the worker
        (``waits``: the kernel's count, so machine load does not cost the student). The rest of the round trip
        counts as the student's: the worker's encoding of the arguments and decoding of the answer, and the pipe.
        That is time the worker runs, which nothing the grader can trust tells apart from the student's own code
        running in the same process (a time the worker reported could be a lie); it is 0.15 to 0.4 ms a round
        trip, and does not grow with load (docs/security.md). Given back while the submission's allowance
        (``stand_in_credit``) lasts; past it, the round trips count as the student's time again. Returns the seconds given back, by which
        the call's deadline moves as well."""
        given = max(0.0, min(served + load, self.stand_in_credit - self.credited))
        self.served += served
        self.credited += given
        self.round_trips += 1
        self.deadline += given
        return given

    def _reply(self, request, stand_ins, size, request_id):
        """The framed answer to one stand-in request of ``size`` bytes."""
        payload = []
        try:  # the reference's value on the student's arguments travels under an answer's limits
            wire.write_message(payload.append, dict(self._stand_in(request, stand_ins, size), id=request_id),
                               wire.MAX_ANSWER_BYTES, wire.MAX_ANSWER_ITEMS)
        except ValueError as exc:
            wire.write_message(payload.append, {"ok": False, "id": request_id, "detail": MESSAGES[
                "stand_in_failed"].format(name=wire.cut(str(request.get("stand_in")), 80), detail=str(exc))})
        return payload[0]

    def _stand_in(self, request, stand_ins, request_bytes):
        """The grader's answer to one stand-in request of ``request_bytes`` bytes: the reference's value, or why
        there is none. Arguments over ``stand_in_bytes`` are refused before they are decoded, so what the reference
        computes on is never much larger than what the catalogue's own cases pass."""
        self._stand_in_raised = ()
        name = request.get("stand_in")
        if type(name) is not str or name not in stand_ins:
            return {"ok": False, "detail": MESSAGES["no_stand_in"].format(name=str(name)[:80])}
        try:
            if request_bytes > self.stand_in_bytes:
                raise ValueError(MESSAGES["stand_in_arguments"].format(size=request_bytes,
                                                                       limit=self.stand_in_bytes))
            args, kwargs = wire.decode(request.get("args")), wire.decode(request.get("kwargs"))
            if type(args) is not tuple or type(kwargs) is not dict:
                raise TypeError("arguments must be a tuple and a dict")
            try:
                with warnings.catch_warnings(), np.errstate(all="ignore"):
                    warnings.simplefilter("ignore")
                    value = stand_ins[name](*args, **kwargs)
            except Exception as exc:  # the reference raised on the student's arguments: the call may fail of it
                self._stand_in_raised = (type(exc).__name__, wire.cut(str(exc), MAX_DETAIL))
                raise
            size = _array_bytes(value)
            if size > wire.MAX_ANSWER_BYTES:  # refused before it is encoded: the grader's time is bounded too
                raise ValueError(MESSAGES["stand_in_large"].format(size=size, limit=wire.MAX_ANSWER_BYTES))
            return {"ok": True, "value": wire.encode(value)}
        except Exception as exc:  # the student passed the reference something it cannot take
            return {"ok": False, "detail": MESSAGES["stand_in_failed"].format(
                name=name, detail=f"{type(exc).__name__}: {str(exc)[:200]}")}

    # -- public API ---------------------------------------------------------------------------------------------
    def _exchange(self, message, timeout, stand_ins=None, witnesses=None):
        """Send one request, restarting the worker first if needed. Returns an Outcome whatever the student's code
        does; raises SandboxError only when a fresh worker cannot start."""
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            return Outcome(False, error="BudgetExceeded")
        try:
            if self._proc is not None and select.select([self._from_worker], [], [], 0)[0]:
                self._kill()  # it wrote something between calls (or died): start a clean worker for this call
            if self._proc is None:
                self._fresh_worker(remaining)
                if message.get("module") in self._failed_imports:
                    failed = self._failed_imports[message["module"]]
                    return Outcome(False, error="ImportFailed", detail=f"{failed.error}: {failed.detail}")
                remaining = self.deadline - time.monotonic()
                if remaining <= 0:
                    self._kill()
                    return Outcome(False, error="BudgetExceeded")
            self._stand_in_raised = ()
            answer = self._request(message, min(timeout, remaining), stand_ins, serve_limit=timeout,
                                   witnesses=witnesses)
        except _StandInLimit as exc:
            self._kill()  # it waits for an answer that never comes: a fresh worker takes the next call
            return Outcome(False, error=STAND_IN_ERROR, detail=str(exc), by_grader=True)
        except TimeoutError:
            self._kill()
            kind = "Timeout" if timeout <= remaining else "BudgetExceeded"
            return Outcome(False, error=kind, detail=f"{timeout:g}")
        except _WorkerGone:
            detail = self._exit_description()
            self._kill()
            return Outcome(False, error="WorkerDied", detail=detail)
        except _Garbled:
            self._kill()
            return Outcome(False, error="WorkerDied", detail=MESSAGES["garbled"])
        outcome = self._outcome(answer)
        if outcome.error == STAND_IN_ERROR:  # the grader's own record of what a reference raised, never the worker's
            outcome.stand_in_raised = self._stand_in_raised
        return outcome

    @staticmethod
    def _outcome(answer):
        """The Outcome for a well-framed answer, checking the type of every field the worker filled in and cutting
        every string it holds."""
        try:
            if not answer.get("ok"):
                return Outcome(False, error=_text(answer.get("error", "Error"), wire.MAX_NAME_CHARS) or "Error",
                               detail=_text(answer.get("detail", ""), MAX_DETAIL),
                               where=_texts(answer.get("where"), MAX_LINE, MAX_FRAMES))
            value = wire.decode(answer.get("value"))
            seconds = answer.get("seconds", 0.0)
            return Outcome(True, value=value, warnings=_texts(answer.get("warnings"), MAX_LINE, MAX_LINES),
                           seconds=float(seconds) if type(seconds) in (int, float) else 0.0,
                           changed=_texts(answer.get("changed"), MAX_PATH, MAX_CHANGED))
        except Exception as exc:  # a hand-made answer: nested too deep, bad base64, a shape that does not fit
            return Outcome(False, error="BadValue", detail=f"{type(exc).__name__}: {wire.cut(str(exc), 200)}")

    def import_failure(self, module):
        """The failed Outcome of ``module``'s import (``load``), or None when it imported or was never tried."""
        return self._failed_imports.get(module)

    def refuse(self, module, outcome):
        """Never import ``module``: every call into it, and every import of it by another module, fails with
        ``outcome`` (a failed Outcome; its error should be one of NOT_IMPORTED_AGAIN)."""
        self._failed_imports[module] = outcome

    def _import_request(self, module):
        """The request to import ``module``. It names the modules whose import hung, crashed the worker or was
        refused: the worker fails any import of them at once, and says so (``ImportBlocked``); and the graded
        modules that failed otherwise (an error of their own, a missing file), with their graded functions: each is
        a placeholder there, so that ``module`` imports without it."""
        blocked = sorted(name for name, failed in self._failed_imports.items() if failed.error in NOT_IMPORTED_AGAIN)
        absent = {name: sorted(self.graded_functions[name]) for name, failed in self._failed_imports.items()
                  if failed.error not in NOT_IMPORTED_AGAIN and name in self.graded_functions}
        return {"op": "import", "module": module, "blocked": blocked, "absent": absent}

    def load(self, module, timeout=IMPORT_TIMEOUT):
        """Import ``module`` from the staged folder. A failure is remembered for every later call. A module that
        imports one that hung (or crashed the worker, or was refused) fails with that module's failure, at once:
        the worker refuses that import, so the grader never reads the module's source to find out."""
        if module in self._failed_imports:
            return self._failed_imports[module]
        if module in self._loaded:
            return Outcome(True)
        path = self.workdir / f"{module}.py"
        if not path.is_file():
            outcome = Outcome(False, error="MissingFile", detail=f"{module}.py")
        else:
            outcome = self._exchange(self._import_request(module), timeout)
            if outcome.error == "ImportBlocked":
                outcome = self._failed_imports.get(outcome.detail, outcome)
        if outcome.ok:
            self._loaded.append(module)
        else:
            self._failed_imports[module] = outcome
        return outcome

    def call(self, module, function, args=(), kwargs=None, timeout=5.0, stand_ins=None, witnesses=None):
        """Call ``module.function(*args, **kwargs)`` in the worker and return its decoded Outcome.

        ``stand_ins`` ({'module.function': callable}) replace those functions of the student's modules for this call
        only: when the student's code calls one, the callable runs here, in the grader, and its value goes back.
        ``witnesses`` ({'module.function': callable}) watch the student's own functions for this call: each time
        the student's code calls one, it runs as written, and the callable gets here what it returned."""
        loaded = self.load(module)
        if not loaded.ok:
            return Outcome(False, error="ImportFailed", detail=f"{loaded.error}: {loaded.detail}".strip(": "),
                           where=loaded.where)
        message = {"op": "call", "module": module, "function": function, "stand_ins": sorted(stand_ins or {}),
                   "witnesses": sorted(set(witnesses or {}) - set(stand_ins or {})),
                   "args": wire.encode(tuple(args)), "kwargs": wire.encode(dict(kwargs or {}))}
        return self._exchange(message, timeout, stand_ins, witnesses)


def close_all():
    """Close every open sandbox of this process: for a signal handler that is about to end the process."""
    for sandbox in list(_OPEN):
        sandbox.close()


def probe_layers():
    """The confinement a worker gets on this machine, as {layer: 'on ...' or 'off: reason'}. Starts one worker."""
    with Sandbox({}) as sandbox:
        sandbox._start(START_TIMEOUT)
        return dict(sandbox.layers)

"""One grading helper for a whole ``nbgrader autograde`` run, instead of a cold ``python -m grader grade`` per student.

nbgrader calls the kit once per student (``nbgrader.autograde.GradeWithKit``). A cold grading process spends most of
its time before the student's code runs: the interpreter, the kit's imports, the reference solutions and cache, a
sandbox worker's start, and, for the plots, matplotlib's import and its first figure. The helper pays these once:

- ``Helper`` (in nbgrader's process) starts ``python -m grader.adapters.grading_helper`` at the first student and
  sends it one request per student: the ``grade`` command line, the folder to run it in, its log file and its
  timeout. It gets back the command's exit status, or None when the command was killed at its timeout.
- The helper process imports the grader, loads nothing of any student, and warms matplotlib
  (``plots.warm``). For each student it forks a child that runs exactly what ``python -m grader grade`` runs
  (``cli.main``, with the same arguments, its standard error in the log, and its own memory capped as a cold process
  caps it), so the results document and the plots are the ones a cold process writes. The child is forked ahead,
  while the student before is graded, and it launches its sandbox worker at once (``sandbox.ahead``), so the worker
  (namespaces, uid, Landlock, seccomp, numpy imported) is waiting when the student's files arrive.
- Each child grades one student and exits: nothing of one student's grading stays for the next. The child is its own
  session and dies with the helper (``PR_SET_PDEATHSIG``); past its timeout the helper kills its whole process group.

Bounds: a request line is at most ``MAX_REQUEST_BYTES``. The helper exits after ``RESTART_AFTER`` students or when
its own address space grows ``GROWTH_BYTES`` past what it was once warm, and ``Helper`` starts a new one for the next
student; a helper that dies, or does not answer within the timeout and ``ANSWER_MARGIN_SECONDS``, is killed and
replaced, and that one student is graded by a cold process (``autograde.run_grader``) instead. The helper ends with
nbgrader's process: its standard input closes.
"""
import atexit
import json
import os
import select
import signal
import subprocess
import sys
import time

MAX_REQUEST_BYTES = 64 * 1024
RESTART_AFTER = 200  # students per helper process
GROWTH_BYTES = 256 * 1024 ** 2  # of the helper's own address space past its size once warm
ANSWER_MARGIN_SECONDS = 30.0  # past a request's timeout: the helper itself is stuck
POLL_SECONDS = 0.005
PR_SET_PDEATHSIG = 1


# -- the helper process ---------------------------------------------------------------------------------------------
def _die_with_parent():
    """SIGKILL this process when the process that forked it ends (Linux), so no child outlives its helper."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _exit_code(value):
    """What ``raise SystemExit(value)`` makes the interpreter exit with."""
    if value is None:
        return 0
    if isinstance(value, int):
        return value & 0xFF
    print(value, file=sys.stderr)
    return 1


def _child(requests):
    """A forked child: launch a sandbox worker ahead, wait for one request on fd ``requests``, run it, exit."""
    code = 1
    try:
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 0)  # the helper's request and answer pipes are the helper's alone
        os.dup2(null, 1)
        os.setsid()
        _die_with_parent()
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGPIPE):
            signal.signal(signum, signal.SIG_DFL)
        from ..core import limits
        from ..sandbox import ahead, runner
        runner.Sandbox.launch_ahead()  # boots while the student before this one is graded
        data = _read_line(requests)
        if not data:  # the helper is closing: the spare ends with this process
            ahead.discard()
            code = 0
            return
        request = json.loads(data)
        os.chdir(request["cwd"])
        log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
        os.dup2(log, 2)
        limits.cap_address_space()  # as `python -m grader grade` caps its own
        from . import cli
        try:
            code = _exit_code(cli.main([str(arg) for arg in request["argv"]]))
        except SystemExit as exc:  # argparse's errors, as the cold command exits with them
            code = _exit_code(exc.code)
        except BaseException:
            import traceback
            traceback.print_exc()
            code = 1
        finally:
            ahead.discard()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _read_line(fd, limit=MAX_REQUEST_BYTES):
    """Bytes from ``fd`` up to a newline (without it), at most ``limit``; b'' at end of file."""
    data = b""
    while not data.endswith(b"\n"):
        chunk = os.read(fd, 4096)
        if not chunk:
            return b""
        data += chunk
        if len(data) > limit:
            return b""
    return data[:-1]


def _fork_child():
    """Fork a child that waits for its request; return (pid, the write end of its request pipe)."""
    read, write = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        os.close(write)
        _child(read)
    os.close(read)
    return pid, write


def _wait(pid, timeout):
    """The child's exit status, or None after killing its process group at ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() >= deadline:
            for kill in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
                try:
                    kill()
                except OSError:
                    pass
            os.waitpid(pid, 0)
            return None
        time.sleep(POLL_SECONDS)


def _warm_for(argv):
    """Load the reference solutions and the reference cache of the assignment ``argv`` grades (``--assignment``),
    as grade-all's pool processes do (``batch._warm``). Nothing here is a student's."""
    try:
        name = str(argv[list(argv).index("--assignment") + 1])
        from .. import catalogues
        from ..core import references
        from ..grading import reference_cache
        references.modules(catalogues.load(name))
        reference_cache.for_assignment(name).load()
    except Exception:  # an unknown assignment, say: the child reports it as the cold command does
        pass


def serve(requests=0, answers=1, restart_after=RESTART_AFTER):
    """The helper's loop: one request line in, one answer line out, until standard input closes or
    ``restart_after`` students were served."""
    _die_with_parent()
    from ..core import limits
    from ..reports import plots
    from . import cli  # noqa: F401  (imported once here, for every child)
    from ..grading import engine  # noqa: F401
    plots.warm()
    warm_size = limits.address_space() or 0
    pending = _fork_child()
    served = 0
    try:
        while True:
            data = _read_line(requests)
            if not data:
                return 0
            try:
                request = json.loads(data)
                timeout = float(request["timeout"])
                payload = json.dumps({key: request[key] for key in ("argv", "cwd", "log")}).encode() + b"\n"
            except (ValueError, KeyError, TypeError):
                os.write(answers, b'{"error": "bad request"}\n')
                continue
            if not served:  # the reference solutions and cache, loaded here once for every child after this one
                _warm_for(request["argv"])
                warm_size = limits.address_space() or 0
            pid, pipe = pending
            try:
                os.write(pipe, payload)
            except OSError:  # the child died while it waited: it is replaced, and this request goes to a new one
                os.close(pipe)
                os.waitpid(pid, 0)
                pid, pipe = _fork_child()
                os.write(pipe, payload)
            os.close(pipe)
            served += 1
            size = limits.address_space() or 0
            last = served >= restart_after or size > warm_size + GROWTH_BYTES
            pending = None if last else _fork_child()  # its worker boots while this student is graded
            code = _wait(pid, timeout)
            os.write(answers, json.dumps({"code": code, "last": last}).encode() + b"\n")
            if last:
                return 0
    finally:
        if pending is not None:
            os.close(pending[1])  # the waiting child reads the end of its pipe, ends its spare and exits
            os.waitpid(pending[0], 0)


# -- nbgrader's side ------------------------------------------------------------------------------------------------
class HelperGone(Exception):
    """The helper died, garbled its answer or did not answer in time: the student is graded cold instead."""


class Helper:
    """The client of one helper process at a time, started on first use and replaced when it ends."""

    def __init__(self, env, restart_after=RESTART_AFTER):
        self.env, self.restart_after = env, int(restart_after)
        self.proc = None

    def _ensure(self):
        if self.proc is not None and self.proc.poll() is None:
            return
        self.close()
        self.proc = subprocess.Popen([sys.executable, "-m", "grader.adapters.grading_helper",
                                      str(self.restart_after)], env=self.env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     start_new_session=True)

    def run(self, argv, cwd, log, timeout):
        """Run ``python -m grader`` ``argv`` in folder ``cwd``, its standard error to ``log``, killed after
        ``timeout`` seconds; return its exit status, or None when it was killed. Raises HelperGone."""
        self._ensure()
        line = json.dumps({"argv": [str(arg) for arg in argv], "cwd": str(cwd), "log": str(log),
                           "timeout": float(timeout)}).encode() + b"\n"
        if len(line) > MAX_REQUEST_BYTES:
            raise HelperGone("request too long")
        try:
            self.proc.stdin.write(line)
            self.proc.stdin.flush()
            answer = self._answer(timeout + ANSWER_MARGIN_SECONDS)
        except (OSError, ValueError, HelperGone) as exc:
            self.kill()
            raise HelperGone(str(exc)) from None
        if type(answer) is not dict or "code" not in answer or not (answer["code"] is None
                                                                      or type(answer["code"]) is int):
            self.kill()
            raise HelperGone("bad answer")
        if self.proc.poll() is not None or answer.get("last"):
            self.close()
        return answer["code"]

    def _answer(self, timeout):
        out = self.proc.stdout
        ready, _, _ = select.select([out], [], [], timeout)
        if not ready:
            raise HelperGone("no answer in time")
        data = out.readline(MAX_REQUEST_BYTES)
        if not data.endswith(b"\n"):
            raise HelperGone("no answer")
        return json.loads(data)

    def kill(self):
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except OSError:
            pass
        self.proc.wait()
        self._close_pipes()
        self.proc = None

    def _close_pipes(self):
        for pipe in (self.proc.stdin, self.proc.stdout):
            try:
                pipe.close()
            except OSError:
                pass

    def close(self):
        """End the helper: it sees its input close, ends its waiting child (and that child's sandbox worker
        started ahead) and exits; killed if it does not within ANSWER_MARGIN_SECONDS."""
        if self.proc is None:
            return
        self._close_pipes()
        try:
            self.proc.wait(timeout=ANSWER_MARGIN_SECONDS)
        except subprocess.TimeoutExpired:
            self.kill()
        self.proc = None


_HELPERS = {}


def helper(env):
    """This process's helper for subprocess environment ``env``, ended when this process exits."""
    key = json.dumps(sorted(env.items()))
    if key not in _HELPERS:
        if not _HELPERS:
            atexit.register(close_all)
        _HELPERS[key] = Helper(env)
    return _HELPERS[key]


def close_all():
    for each in list(_HELPERS.values()):
        each.close()
    _HELPERS.clear()


if __name__ == "__main__":
    raise SystemExit(serve(restart_after=int(sys.argv[1]) if len(sys.argv) > 1 else RESTART_AFTER))

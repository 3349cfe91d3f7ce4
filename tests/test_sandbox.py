"""The sandbox on its own: the wire codec, the protocol, restarts, limits, and each confinement layer by itself.

Each test stages a tiny module and talks to a real worker. The layer tests switch every other layer off
(``runner.LAYERS``) so that each one is proved by itself, not shadowed by another.
"""
import json
import os
import platform
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from grader.sandbox import runner, syscalls
from grader.shipped import wire
from grader.sandbox.runner import Sandbox, SandboxError

PROBE = '''
import os, random, struct, sys, time
import numpy as np

OUT, IN = int(sys.argv[4]), int(sys.argv[3])


def echo(*args, **kwargs):
    return args, kwargs


def value():
    return np.arange(3.0)


def seeds():
    return [hash("nnkit"), random.random(), float(np.random.rand())]


def frame(text):
    payload = text.encode("latin-1")
    os.write(OUT, struct.pack(">Q", len(payload)) + payload)
    time.sleep(30)


def raw(text):
    os.write(OUT, text.encode("latin-1"))
    time.sleep(30)


def forge_then_return():
    payload = b'{"ok": true, "value": {"__float__": 42.0}, "id": "0"}'
    os.write(OUT, struct.pack(">Q", len(payload)) + payload)
    return 7.0


def stop_reading():
    global KEEP
    KEEP = os.dup(IN)
    os.dup2(os.pipe()[0], IN)
    return 1.0


def close_channel():
    os.close(OUT)
    time.sleep(30)


def crash():
    os._exit(5)


def loop():
    while True:
        pass


def kill_parent():
    os.kill(os.getppid(), 0)
    return "signalled"


def fork():
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    return "forked"


def spawn():
    import subprocess
    return subprocess.run(["true"]).returncode


def connect(port):
    import socket
    with socket.create_connection(("127.0.0.1", port), timeout=2):
        return "connected"


def write(path):
    with open(path, "w") as handle:
        handle.write("x")
    return "written"


def remove(path):
    os.remove(path)
    return "removed"


def read(path):
    with open(path, "rb") as handle:
        return len(handle.read())


def setuid():
    os.setuid(12345)
    return "setuid"


def pids():
    return [os.getpid(), os.getppid()]
'''


@pytest.fixture
def probe(tmp_path):
    path = tmp_path / "probe.py"
    path.write_text(PROBE, encoding="utf-8")
    return {"probe.py": path}


@pytest.fixture(scope="module")
def layers():
    return runner.probe_layers()


def only(monkeypatch, *names):
    monkeypatch.setattr(runner, "LAYERS", names)


def needs(layers, *names):
    off = {name: layers.get(name, "not asked for") for name in names if not layers.get(name, "").startswith("on")}
    if off:
        pytest.skip(f"confinement not available here: {off}")


# -- the codec ------------------------------------------------------------------------------------------------------
def test_the_codec_carries_exact_plain_data():
    generator = np.random.default_rng(7)
    value = (np.arange(6.0).reshape(2, 3), np.arange(4, dtype=np.int8), [1, 2.5, True, None, "s"],
             {"W": np.eye(2, dtype=np.float32)}, np.float64(1.5), generator, 10 ** 30)
    back = wire.decode(json.loads(json.dumps(wire.encode(value))))
    assert type(back) is tuple and type(back[0]) is np.ndarray and back[0].dtype == np.float64
    np.testing.assert_array_equal(back[0], value[0])
    assert back[1].dtype == np.int8 and back[3]["W"].dtype == np.float32
    assert back[2] == [1, 2.5, True, None, "s"] and back[4] == 1.5 and type(back[4]) is np.float64
    assert back[5].random() == np.random.default_rng(7).random() and back[6] == 10 ** 30


def test_the_codec_turns_anything_else_into_an_opaque_marker():
    class Sub(np.ndarray):
        pass

    class Liar:
        def __eq__(self, other):
            return True

    for obj in (np.arange(3.0).view(Sub), Liar(), np.array([1], dtype=object), {1: 2}, {1.5}, np.complex128(1j),
                np.random.Generator(np.random.MT19937(0))):
        back = wire.decode(wire.encode(obj))
        assert isinstance(back, wire.Opaque), obj


def test_the_codec_keeps_every_shape_exact(probe):
    """A 0-d array stays 0-d, both ways and through a real worker; so do empty, transposed and big-endian arrays.
    The control: np.ascontiguousarray, which encode used to call, makes a 0-d array shape (1,)."""
    values = (np.array(2.5), np.array(7, dtype=np.int8), np.array(True), np.zeros((0, 3)), np.ones(1),
              np.arange(6.0).reshape(2, 3).T, np.arange(3.0, dtype=">f8"))
    for value in values:
        back = wire.decode(json.loads(json.dumps(wire.encode(value))))
        assert type(back) is np.ndarray and back.shape == value.shape, value
        assert back.dtype == value.dtype.newbyteorder("=")
        np.testing.assert_array_equal(back, value)
    with Sandbox(probe) as sandbox:
        outcome = sandbox.call("probe", "echo", (np.array(2.5), np.array(1, dtype=np.int8)))
    assert outcome.ok, outcome
    (got, _) = outcome.value
    assert [(a.shape, a.dtype, a[()]) for a in got] == [((), np.float64, 2.5), ((), np.int8, 1)]
    assert np.ascontiguousarray(np.array(2.5)).shape == (1,)


@pytest.mark.parametrize("data", [[1], {"__ndarray__": "AAAA", "dtype": "object", "shape": [1]},
                                  {"__npscalar__": "float64", "value": [1]}, {"__generator__": {"bit_generator": "MT"}},
                                  {"__pickle__": "gASV"}, {"__ndarray__": "!!", "dtype": "float64", "shape": [1]},
                                  {"__ndarray__": "AAAAAAAAAAA=", "dtype": "float64", "shape": [-1]},
                                  {"__ndarray__": "AAAAAAAAAAA=", "dtype": "float64", "shape": "1"},
                                  {"__ndarray__": "AAAAAAAAAAA=", "dtype": "float64", "shape": [2]}])
def test_the_codec_refuses_what_it_did_not_make(data):
    with pytest.raises((ValueError, TypeError, KeyError)):
        wire.decode(data)


# -- calls, restarts and limits -------------------------------------------------------------------------------------
def test_a_call_round_trips_arguments(probe):
    args = (np.arange(6.0).reshape(3, 2), np.random.default_rng(1), "tanh")
    with Sandbox(probe) as sandbox:
        outcome = sandbox.call("probe", "echo", args, {"k": [1, 2]})
    assert outcome.ok, outcome
    (got_args, got_kwargs) = outcome.value
    np.testing.assert_array_equal(got_args[0], args[0])
    assert got_args[1].random() == np.random.default_rng(1).random() and got_kwargs == {"k": [1, 2]}


def test_a_crash_costs_one_call_and_the_module_is_imported_again(probe):
    with Sandbox(probe) as sandbox:
        crashed = sandbox.call("probe", "crash")
        after = sandbox.call("probe", "value")
    assert crashed.error == "WorkerDied" and "exited with code 5" in crashed.detail
    assert after.ok and after.value.tolist() == [0.0, 1.0, 2.0]


def test_a_failed_import_is_remembered(tmp_path, monkeypatch):
    broken = tmp_path / "broken.py"
    broken.write_text("raise ValueError('at import')\n", encoding="utf-8")
    sent = []
    original = Sandbox._exchange
    monkeypatch.setattr(Sandbox, "_exchange", lambda self, m, t: sent.append(m["op"]) or original(self, m, t))
    with Sandbox({"broken.py": broken}) as sandbox:
        outcomes = [sandbox.call("broken", "f") for _ in range(3)]
    assert sent == ["import"]
    assert all(o.error == "ImportFailed" and o.detail == "ValueError: at import" for o in outcomes)


def test_a_module_that_imports_a_hung_module_fails_at_once(tmp_path, monkeypatch):
    """``user`` imports ``hangs``, whose import hung: the worker refuses that import at once, so ``user`` fails with
    the hang's own outcome (its 0.5 s limit, not a wait of its own); ``lazy`` imports it only in a function, which
    then fails at once too, and its other functions work. The grader never reads the sources to find this out."""
    (tmp_path / "hangs.py").write_text("while True:\n    pass\n", encoding="utf-8")
    (tmp_path / "user.py").write_text("from hangs import x\n", encoding="utf-8")
    (tmp_path / "lazy.py").write_text("def f():\n    import hangs\n\ndef g():\n    return 1\n", encoding="utf-8")
    sent = []
    original = Sandbox._exchange
    monkeypatch.setattr(Sandbox, "_exchange",
                        lambda self, m, *rest: sent.append(m["module"]) or original(self, m, *rest))
    with Sandbox({name: tmp_path / name for name in ("hangs.py", "user.py", "lazy.py")}) as sandbox:
        assert sandbox.load("hangs", timeout=0.5).error == "Timeout"
        assert sandbox.call("user", "f").detail == "Timeout: 0.5"
        assert sandbox.call("lazy", "g").value == 1
        lazy = sandbox.call("lazy", "f", timeout=2.0)
    assert lazy.error == "ModuleNotFoundError" and "hangs" in lazy.detail
    assert sent == ["hangs", "user", "lazy", "lazy", "lazy"]


def test_control_without_the_blocked_imports_a_hung_module_hangs_again(tmp_path, monkeypatch):
    """The control: with no module named as blocked, importing ``user`` runs ``hangs`` again, and hangs again."""
    monkeypatch.setattr(runner, "NOT_IMPORTED_AGAIN", ())
    (tmp_path / "hangs.py").write_text("while True:\n    pass\n", encoding="utf-8")
    (tmp_path / "user.py").write_text("from hangs import x\n", encoding="utf-8")
    with Sandbox({name: tmp_path / name for name in ("hangs.py", "user.py")}) as sandbox:
        assert sandbox.load("hangs", timeout=0.5).error == "Timeout"
        again = sandbox.load("user", timeout=0.5)
    assert again.error == "Timeout" and again.detail == "0.5"


def test_a_missing_module_is_reported_without_a_worker(tmp_path):
    with Sandbox({}) as sandbox:
        outcome = sandbox.call("absent", "f")
        assert sandbox._proc is None
    assert outcome.error == "ImportFailed" and outcome.detail == "MissingFile: absent.py"


def test_the_budget_ends_a_submission(probe):
    with Sandbox(probe, budget_seconds=1.0) as sandbox:
        looped = sandbox.call("probe", "loop", timeout=5.0)
        after = sandbox.call("probe", "value")
    assert looped.error == "BudgetExceeded" and after.error == "BudgetExceeded"


def test_a_worker_that_cannot_start_is_a_grader_error(probe, tmp_path, monkeypatch):
    broken = tmp_path / "worker.py"
    broken.write_text("raise SystemExit(1)\n", encoding="utf-8")
    monkeypatch.setattr(runner, "WORKER", broken)
    with Sandbox(probe) as sandbox, pytest.raises(SandboxError, match="not the submission"):
        sandbox.call("probe", "value")


@pytest.mark.parametrize("name", ["../escape.py", "/tmp/absolute.py", "sub/../../escape.py"])
def test_staged_names_stay_in_the_sandbox_folder(probe, name):
    with pytest.raises(ValueError):
        Sandbox({name: probe["probe.py"]})


def test_string_hashing_and_random_state_are_fixed(probe):
    runs = []
    for _ in range(2):
        with Sandbox(probe) as sandbox:
            runs.append([sandbox.call("probe", "seeds").value for _ in range(2)])
    assert runs[0] == runs[1] and runs[0][0] == runs[0][1]


# -- the channel ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("function, args", [
    ("raw", (b"\xff" * 64,)),
    ("raw", (b"\x00\x00\x01\x00\x00\x00\x00\x00",)),  # a length of 1 TiB
    ("frame", (b"[" * 200000 + b"]" * 200000,)),  # JSON nested past the recursion limit
    ("frame", (b"[1, 2, 3]",)),
    ("frame", (b"\xc3\x28",)),
    ("frame", (b'{"ok": true, "value": 1.0, "id": "guessed"}',)),
])
def test_a_garbled_answer_costs_one_call(probe, function, args):
    with Sandbox(probe) as sandbox:
        outcome = sandbox.call("probe", function, tuple(a.decode("latin-1") for a in args))
        after = sandbox.call("probe", "value")
    assert outcome.error == "WorkerDied" and "cannot read" in outcome.detail
    assert after.ok


def test_bytes_written_beside_an_answer_are_never_taken_for_a_later_one(probe):
    with Sandbox(probe) as sandbox:
        forged = sandbox.call("probe", "forge_then_return")
        after = sandbox.call("probe", "echo", (3.0,))
    assert forged.error == "WorkerDied" and "cannot read" in forged.detail
    assert after.ok and after.value == ((3.0,), {})


def test_a_worker_that_stops_reading_cannot_hang_the_grader(probe):
    with Sandbox(probe) as sandbox:
        assert sandbox.call("probe", "stop_reading").ok
        stuck = sandbox.call("probe", "echo", (np.zeros(2 ** 20),), timeout=1.0)  # 8 MB: more than a pipe holds
        after = sandbox.call("probe", "value")
    assert stuck.error == "Timeout" and after.ok


def test_a_closed_channel_costs_one_call(probe):
    with Sandbox(probe) as sandbox:
        closed = sandbox.call("probe", "close_channel")
        after = sandbox.call("probe", "value")
    assert closed.error == "WorkerDied" and after.ok


def test_a_worker_dies_with_its_grader(probe, tmp_path):
    """The grader process is killed mid-run: its worker must not outlive it (PR_SET_PDEATHSIG, and bubblewrap's
    --die-with-parent where it runs in namespaces). The worker is found by its sandbox token, because in a pid
    namespace its own pid is not the host's."""
    if not sys.platform.startswith("linux"):
        pytest.skip("PR_SET_PDEATHSIG is Linux only")
    script = textwrap.dedent(f"""
        import os, sys
        from grader.sandbox.runner import Sandbox
        sandbox = Sandbox({{"probe.py": {str(probe["probe.py"])!r}}})
        sandbox.call("probe", "pids")
        print(sandbox.token, flush=True)
        os._exit(0)
    """)
    private_tmp = tmp_path / "tmp"  # the dead grader cannot remove its sandbox folder: keep it in tmp_path
    private_tmp.mkdir()
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          cwd=runner.Path(runner.__file__).parents[2], env=dict(os.environ, TMPDIR=str(private_tmp)))
    marker = f"{runner.TOKEN_VARIABLE}={done.stdout.strip()}".encode()
    assert len(marker) > 40, done.stderr
    for _ in range(100):
        if not _carrying(marker):
            break
        subprocess.run(["sleep", "0.05"])
    assert _carrying(marker) == []


def _carrying(marker):
    """The live (not zombie) processes whose environment holds ``marker``."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                environ = Path(f"/proc/{entry}/environ").read_bytes()
            except OSError:
                continue
            if marker in environ.split(b"\0") and "Z" not in _state(int(entry)):
                found.append(int(entry))
    return found


def _state(pid):
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"


# -- each confinement layer, by itself ------------------------------------------------------------------------------
def test_every_layer_holds_on_this_machine(layers):
    if not (sys.platform.startswith("linux") and platform.machine() == "x86_64"):
        pytest.skip("seccomp is x86_64 Linux only")
    assert layers["parent-death"] == "on" and layers["seccomp"] == "on"
    assert layers["capabilities"] == "on"
    if layers["landlock"].startswith("off: not available"):
        pytest.skip(f"the kernel has no Landlock: {layers['landlock']}")
    assert layers["landlock"].startswith("on")


@pytest.mark.parametrize("layer", ["seccomp", "landlock"])
def test_no_signal_reaches_another_process(probe, layers, monkeypatch, layer):
    needs(layers, layer)
    if layer == "landlock" and "without signal scoping" in layers["landlock"]:
        pytest.skip("Landlock below ABI 6 does not scope signals")
    only(monkeypatch, layer)
    with Sandbox(probe) as sandbox:
        outcome = sandbox.call("probe", "kill_parent")
    assert outcome.error == "PermissionError"


def test_seccomp_alone_stops_processes_sockets_and_file_changes(probe, layers, monkeypatch, tmp_path):
    needs(layers, "seccomp")
    only(monkeypatch, "seccomp")
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me", encoding="utf-8")
    with Sandbox(probe) as sandbox:
        assert sandbox.call("probe", "fork").error == "PermissionError"
        assert sandbox.call("probe", "spawn").error == "PermissionError"
        assert sandbox.call("probe", "connect", (1,)).error == "PermissionError"  # no socket at all
        assert sandbox.call("probe", "write", (str(outside),)).error == "PermissionError"
        assert sandbox.call("probe", "write", (str(tmp_path / "new.txt"),)).error == "PermissionError"
        assert sandbox.call("probe", "remove", (str(outside),)).error == "PermissionError"
        assert sandbox.call("probe", "read", (str(outside),)).value == 7  # reading is Landlock's to stop
    assert outside.read_text(encoding="utf-8") == "keep me" and not (tmp_path / "new.txt").exists()


SCHEDULE = textwrap.dedent('''
    import ctypes, errno, os, resource, struct

    LIBC = ctypes.CDLL(None, use_errno=True)
    LIBC.syscall.restype = ctypes.c_long
    WHO_PROCESS, WHO_PGRP, WHO_USER = 1, 2, 3  # ioprio_set's first argument
    IDLE, BEST_EFFORT = 3 << 13, (2 << 13) | 4  # I/O priority classes
    SCHED_ATTR = "=IIQiIQQQ"  # struct sched_attr of Linux 3.14 (48 bytes): size, policy, flags, nice, priority, ...


    def _syscall(number, *args):
        if LIBC.syscall(ctypes.c_long(number), *args) != 0:
            code = ctypes.get_errno()
            raise OSError(code, os.strerror(code))


    def _try(call):
        try:
            call()
            return "done"
        except OSError as exc:
            return errno.errorcode.get(exc.errno, str(exc.errno))


    def _setattr(number, pid, policy, nice):
        attr = struct.pack(SCHED_ATTR, 48, policy, 0, nice, 0, 0, 0, 0)
        _syscall(number, ctypes.c_int(pid), ctypes.c_char_p(attr), ctypes.c_uint(0))


    def reschedule(pid, cpus, numbers, nobody):
        """Each way to re-schedule, limit or de-prioritise process ``pid``, its process group, or the processes of
        uid ``nobody`` (a uid no process has): 'done', or the name of the errno it raised."""
        group = os.getpgid(pid)
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        return {
            "setpriority": _try(lambda: os.setpriority(os.PRIO_PROCESS, pid, 19)),
            "setpriority PRIO_PGRP": _try(lambda: os.setpriority(os.PRIO_PGRP, group, 19)),
            "setpriority PRIO_USER": _try(lambda: os.setpriority(os.PRIO_USER, nobody, 19)),
            "sched_setaffinity": _try(lambda: os.sched_setaffinity(pid, cpus)),
            "sched_setscheduler": _try(lambda: os.sched_setscheduler(pid, os.SCHED_IDLE, os.sched_param(0))),
            "sched_setparam": _try(lambda: os.sched_setparam(pid, os.sched_param(0))),
            "sched_setattr": _try(lambda: _setattr(numbers["sched_setattr"], pid, os.SCHED_IDLE, 19)),
            "ioprio_set": _try(lambda: _syscall(numbers["ioprio_set"], WHO_PROCESS, pid, IDLE)),
            "ioprio_set IOPRIO_WHO_PGRP": _try(lambda: _syscall(numbers["ioprio_set"], WHO_PGRP, group, IDLE)),
            "ioprio_set IOPRIO_WHO_USER": _try(lambda: _syscall(numbers["ioprio_set"], WHO_USER, nobody, IDLE)),
            "prlimit64": _try(lambda: resource.prlimit(pid, resource.RLIMIT_NOFILE, (64, hard))),
        }


    def reschedule_itself(numbers):
        """The same calls on itself, named by pid 0 and by its own pid, as numpy or OpenBLAS may make them."""
        found = {}
        cpus = os.sched_getaffinity(0)
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        for nice, name, pid in ((1, "zero", 0), (3, "own", os.getpid())):  # nice only goes up without privileges
            found[name] = {
                "setpriority": _try(lambda: os.setpriority(os.PRIO_PROCESS, pid, nice)),
                "sched_setaffinity": _try(lambda: os.sched_setaffinity(pid, cpus)),
                "sched_setscheduler": _try(lambda: os.sched_setscheduler(pid, os.SCHED_BATCH, os.sched_param(0))),
                "sched_setparam": _try(lambda: os.sched_setparam(pid, os.sched_param(0))),
                "sched_setattr": _try(lambda: _setattr(numbers["sched_setattr"], pid, os.SCHED_OTHER, nice + 1)),
                "ioprio_set": _try(lambda: _syscall(numbers["ioprio_set"], WHO_PROCESS, pid, BEST_EFFORT)),
                "prlimit64": _try(lambda: resource.prlimit(pid, resource.RLIMIT_NOFILE, (soft, hard))),
            }
        found["nice"] = os.getpriority(os.PRIO_PROCESS, 0)
        return found
''')
RESCHEDULING = ("setpriority", "setpriority PRIO_PGRP", "setpriority PRIO_USER", "sched_setaffinity",
                "sched_setscheduler", "sched_setparam", "sched_setattr", "ioprio_set", "ioprio_set IOPRIO_WHO_PGRP",
                "ioprio_set IOPRIO_WHO_USER", "prlimit64")


@pytest.fixture
def scheduling(tmp_path):
    path = tmp_path / "schedule.py"
    path.write_text(SCHEDULE, encoding="utf-8")
    rules = syscalls.Filter()
    try:
        numbers = {name: rules.number(name) for name in ("sched_setattr", "ioprio_get", "ioprio_set")}
    finally:
        rules.release()
    return {"files": {"schedule.py": path}, "numbers": numbers}


def _unused_uid():
    """A uid that no process runs as and that /etc/passwd does not list."""
    import pwd
    used = set()
    for entry in os.listdir("/proc"):
        try:
            used.add(os.stat(f"/proc/{entry}").st_uid)
        except OSError:
            continue
    return next(uid for uid in range(2_000_000_000, 2_000_001_000) if uid not in used and not _listed(pwd, uid))


def _listed(pwd, uid):
    try:
        pwd.getpwuid(uid)
        return True
    except KeyError:
        return False


def _schedule_of(pid, numbers):
    """How ``pid`` is scheduled, limited and placed, as the grader's process sees it."""
    import ctypes
    import resource
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    return {"nice": os.getpriority(os.PRIO_PROCESS, pid), "cpus": os.sched_getaffinity(pid),
            "policy": os.sched_getscheduler(pid), "ioprio": libc.syscall(ctypes.c_long(numbers["ioprio_get"]), 1, pid),
            "nofile": resource.prlimit(pid, resource.RLIMIT_NOFILE)[0]}


def _attack_a_classmate(scheduling, monkeypatch, layers):
    """A worker with ``layers`` tries every re-scheduling call on a classmate's worker of the same uid (no
    namespace, no uid of its own): what each call gave, and the classmate's schedule before and after."""
    numbers = scheduling["numbers"]
    only(monkeypatch, "capabilities")
    with Sandbox(scheduling["files"]) as classmate:
        classmate.start()
        target = classmate._worker_pid
        before = _schedule_of(target, numbers)
        only(monkeypatch, *layers)
        with Sandbox(scheduling["files"]) as attacker:
            cpus = [min(before["cpus"])]
            done = attacker.call("schedule", "reschedule", (target, cpus, numbers, _unused_uid()))
        after = _schedule_of(target, numbers)
    assert done.ok, done
    return done.value, before, after


def test_seccomp_refuses_to_reschedule_another_process_of_the_same_uid(scheduling, layers, monkeypatch):
    """The issue's attack: a worker pins a classmate's worker to one CPU at idle priority. Under seccomp every call
    that names another pid, a process group or a user is refused and the classmate's schedule is as it was."""
    needs(layers, "seccomp", "capabilities")
    refused, before, after = _attack_a_classmate(scheduling, monkeypatch, ("capabilities", "seccomp"))
    assert refused == {name: "EPERM" for name in RESCHEDULING}
    assert after == before


def test_seccomp_lets_a_worker_reschedule_itself(scheduling, layers, monkeypatch):
    """pid 0 and its own pid are still allowed (numpy and OpenBLAS may set their own affinity)."""
    needs(layers, "seccomp")
    only(monkeypatch, "capabilities", "seccomp")
    with Sandbox(scheduling["files"]) as sandbox:
        found = sandbox.call("schedule", "reschedule_itself", (scheduling["numbers"],)).value
    calls = ("setpriority", "sched_setaffinity", "sched_setscheduler", "sched_setparam", "sched_setattr",
             "ioprio_set", "prlimit64")
    assert found["zero"] == found["own"] == {name: "done" for name in calls}, found
    assert found["nice"] == 4  # the last sched_setattr's


def test_control_without_seccomp_a_worker_reschedules_its_classmate(scheduling, layers, monkeypatch):
    needs(layers, "capabilities")
    done, before, after = _attack_a_classmate(scheduling, monkeypatch, ("capabilities",))
    assert "EPERM" not in done.values() and done["setpriority"] == done["sched_setattr"] == "done", done
    assert done["setpriority PRIO_USER"] == done["ioprio_set IOPRIO_WHO_USER"] == "ESRCH"  # nobody to reschedule
    assert after["nice"] == 19 and after["policy"] == os.SCHED_IDLE and after["ioprio"] == 3 << 13
    assert after["cpus"] == {min(before["cpus"])} and after["nofile"] == 64 != before["nofile"]


def test_landlock_alone_stops_exec_files_and_tcp(probe, layers, monkeypatch, tmp_path):
    needs(layers, "landlock")
    only(monkeypatch, "landlock")
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    outside = tmp_path / "outside.txt"
    outside.write_text("secret", encoding="utf-8")
    try:
        with Sandbox(probe) as sandbox:
            assert sandbox.call("probe", "spawn").error == "PermissionError"  # fork works, exec does not
            assert sandbox.call("probe", "read", (str(outside),)).error == "PermissionError"
            assert sandbox.call("probe", "write", (str(tmp_path / "new.txt"),)).error == "PermissionError"
            assert sandbox.call("probe", "write", ("inside.txt",)).error == "PermissionError"
            assert sandbox.call("probe", "read", ("probe.py",)).ok
            if "without TCP rules" not in layers["landlock"]:
                assert sandbox.call("probe", "connect", (server.getsockname()[1],)).error == "PermissionError"
    finally:
        server.close()
    assert not (tmp_path / "new.txt").exists()


def test_capabilities_are_dropped(probe, layers, monkeypatch):
    needs(layers, "capabilities")
    if os.geteuid() != 0:
        pytest.skip("only a grader run as root has capabilities to drop")
    only(monkeypatch, "capabilities")
    with Sandbox(probe) as sandbox:
        assert sandbox.call("probe", "setuid").error == "PermissionError"


def test_without_confinement_the_same_calls_succeed(probe, monkeypatch, tmp_path):
    """The control: with every layer off, the probes above do what they say, so the layers are what stops them."""
    only(monkeypatch)
    outside = tmp_path / "outside.txt"
    outside.write_text("secret", encoding="utf-8")
    with Sandbox(probe) as sandbox:
        assert sandbox.call("probe", "kill_parent").value == "signalled"
        assert sandbox.call("probe", "fork").value == "forked"
        assert sandbox.call("probe", "read", (str(outside),)).value == 6
        written = sandbox.call("probe", "write", (str(tmp_path / "new.txt"),))
        assert written.error == "OSError" and "File too large" in written.detail  # RLIMIT_FSIZE is always on
        assert sandbox.call("probe", "remove", (str(outside),)).value == "removed"

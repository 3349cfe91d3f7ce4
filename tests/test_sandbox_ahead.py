"""Sandbox workers started ahead (grader/sandbox/ahead.py): the next worker boots while a submission's code runs,
serves exactly one sandbox, keeps every confinement layer, and leaves no process, folder or uid behind."""
import json
import os
import subprocess
import sys
import textwrap
import time

import pytest

from conftest import comparable, make_submission
from grader.grading import engine
from grader.reports import results
from grader.sandbox import accounting, ahead, runner
from grader.sandbox.runner import Sandbox

MODULE = {"m.py": b"import os\n\ndef where():\n    return os.getcwd()\n\ndef spin(n):\n    total = 0\n"
                  b"    for i in range(n):\n        total += i\n    return total\n"}


@pytest.fixture(autouse=True)
def no_spare_left():
    yield
    ahead.keep(False)
    ahead.discard()


def holders(token):
    """The pids of the processes whose environment carries this sandbox token."""
    marker = f"{runner.TOKEN_VARIABLE}={token}".encode()
    found = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/environ", "rb") as handle:
                if marker in handle.read().split(b"\0"):
                    found.append(int(entry))
        except (OSError, ValueError):
            continue
    return found


def test_a_sandbox_takes_the_worker_started_ahead_with_the_same_confinement():
    with Sandbox(MODULE) as fresh:
        fresh.start()
        assert not fresh.ahead
        fresh_layers = dict(fresh.layers)
    Sandbox.launch_ahead()
    spare = ahead._state["spare"][2]
    token, folder = spare.token, spare.workdir
    with Sandbox(MODULE) as sandbox:
        assert sandbox.ahead and sandbox.token == token and sandbox.workdir == folder
        assert ahead._state["spare"] is None  # taken: never offered to another sandbox
        sandbox.start()
        uid = sandbox._uid.uid if sandbox._uid is not None else None
        layer_names = {name: value.split(" (")[0] for name, value in sandbox.layers.items()}
        assert layer_names == {name: value.split(" (")[0] for name, value in fresh_layers.items()}
        outcome = sandbox.call("m", "where")  # the file staged after the launch is what the worker imports
        assert outcome.ok and outcome.value == str(folder)
        assert sandbox.call("m", "spin", (10,)).value == 45
    assert not folder.exists() and not holders(token)
    if uid is not None:
        assert _released(uid)


def _released(uid, seconds=30):
    """Whether no process runs as ``uid`` any more, waiting while the killed workers, zombies that still show the
    uid in /proc, are reaped by the host's init."""
    deadline = time.monotonic() + seconds
    while uid in runner.uids.ids_in_use():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_keep_launches_the_next_worker_once_a_worker_is_ready_and_scores_do_not_change(tmp_path):
    folder = make_submission(tmp_path / "bug" / "a2_forward", "a2_forward",
                             {"forward.py": [[" @ np.asarray(W, dtype=np.float64) + np.asarray(b, dtype=np.float64)",
                                                             " @ np.asarray(W, dtype=np.float64)"]]})
    expected = comparable(results.to_results(engine.grade("a2_forward", folder)))
    ahead.keep()
    engine.grade("a2_forward", folder)
    assert ahead._state["spare"] is not None  # launched as soon as that sandbox's worker was ready
    spare = ahead._state["spare"][2]
    taken = comparable(results.to_results(engine.grade("a2_forward", folder)))
    assert spare.workdir is None  # the second grade took it over
    assert taken == expected


def test_a_dead_or_unfitting_spare_is_closed_and_not_used():
    Sandbox.launch_ahead()
    spare = ahead._state["spare"][2]
    token = spare.token
    os.killpg(spare._launched[0].pid, 9)
    spare._launched[0].wait()
    with Sandbox(MODULE) as sandbox:
        assert not sandbox.ahead
        assert sandbox.call("m", "spin", (4,)).value == 6
    assert not holders(token)
    Sandbox.launch_ahead(memory_bytes=runner.MEMORY_BYTES // 2)  # made for another memory limit
    spare = ahead._state["spare"][2]
    with Sandbox(MODULE) as sandbox:
        assert not sandbox.ahead
    assert spare.workdir is not None and not spare.workdir.exists() and not holders(spare.token)


def test_a_forked_child_neither_takes_nor_ends_its_parents_spare():
    Sandbox.launch_ahead()
    spare = ahead._state["spare"][2]
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            with Sandbox(MODULE) as sandbox:
                code = 0 if not sandbox.ahead else 2
        finally:
            os._exit(code)
    assert os.waitpid(pid, 0)[1] == 0
    assert spare.launched_alive()
    with Sandbox(MODULE) as sandbox:
        assert sandbox.ahead


SCRIPT = textwrap.dedent("""
    import json, sys
    from grader.grading import engine
    from grader.sandbox import ahead
    ahead.keep()
    report = engine.grade("a2_forward", sys.argv[1])
    spare = ahead._state["spare"][2]
    uid = spare._uid.uid if spare._uid is not None else None
    print(json.dumps({"token": spare.token, "folder": str(spare.workdir), "uid": uid, "score": report.score}))
    sys.stdout.flush()
    if sys.argv[2] == "signal":
        import os, signal, time
        from grader.sandbox import runner
        signal.signal(signal.SIGTERM, lambda *_: (runner.close_all(), os._exit(3)))
        print("ready", flush=True)
        time.sleep(60)
""")


@pytest.mark.parametrize("ending", ["exit", "signal"])
def test_the_spare_is_torn_down_when_the_grader_ends(tmp_path, ending):
    folder = make_submission(tmp_path / "ok" / "a2_forward", "a2_forward")
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, str(folder), ending], stdout=subprocess.PIPE, text=True,
                            env=dict(os.environ, **{accounting.VARIABLE: str(tmp_path / "cpu.log")}))
    said = json.loads(proc.stdout.readline())
    if ending == "signal":  # the script waits to be ended, so its spare is seen running; on exit it may be gone
        assert holders(said["token"])  # the spare's worker was running
        assert proc.stdout.readline().strip() == "ready"
        proc.terminate()
    proc.communicate(timeout=60)
    assert said["score"] > 0
    assert not holders(said["token"]) and not os.path.exists(said["folder"])
    if said["uid"] is not None:
        assert _released(said["uid"])
        assert not any(os.path.exists(os.path.join(folder, str(said["uid"]))) for folder in runner.uids.LOCKS)
    student, boot, starts = accounting.totals(tmp_path / "cpu.log")
    assert starts >= 1 and student > 0 and boot > 0  # the graded sandbox's worker, by the kernel's count

"""Hostile and broken submissions, graded for real: each costs only the part it hits, and the rest scores in full.

Every attack is a real submission folder made by the ``submission`` fixture: the A1 solution with one function
(``neuron.xor_gate``, whose single case is a quarter of the gates part and which nothing else calls) or one module
made hostile. It is graded with ``engine.grade`` or with ``python -m grader grade`` in a subprocess, and the test
asserts every case's verdict. Where a hang is the attack, the tests lower that one call's time limit so the suite
stays quick.
"""
import json
import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT, cli_env, solution_anchor
from grader.grading import engine
from grader.core import paths
from grader.reports import results
from grader.sandbox import confinement, runner
from grader.sandbox.runner import Sandbox

A1 = "a1_neuron_gd"




XOR_ANCHOR = solution_anchor(A1, "neuron", "xor_gate")
XOR = "neuron.xor_gate"
SHORT = 1.0  # seconds: the time limit of the one call (or import) that hangs


def in_xor_gate(code):
    """Edits that run ``code`` (indented lines) at the start of xor_gate, before its correct body."""
    lines = "".join(f"    {line}\n" for line in code.strip("\n").splitlines())
    return {"neuron.py": [(XOR_ANCHOR, XOR_ANCHOR + lines)]}


def append_to(folder, module, code):
    path = folder / f"{module}.py"
    path.write_text(path.read_text(encoding="utf-8") + "\n" + code.strip("\n") + "\n", encoding="utf-8")
    return folder


def functions_of(report, module):
    return {case.function for part in report.parts for case in part.cases if case.function.startswith(f"{module}.")}


def assert_only_hit(report, functions):
    """Every case of ``functions`` fails, every other case passes, and the score is exactly what that implies."""
    functions = set(functions)
    messages = []
    expected_score = 0.0
    for part in report.parts:
        for case in part.cases:
            if case.function in functions:
                assert not case.passed, f"{case.function} #{case.index} should have failed"
                messages.append(case.message)
            else:
                assert case.passed, f"{part.key}: {case.function} #{case.index} failed: {case.message}"
        assert part.score == engine.part_score(part.points, part.cases)
        expected_score += part.score
    assert messages, f"no case of {sorted(functions)} was graded"
    assert report.score == round(expected_score, 4) < report.max_score
    return messages


@pytest.fixture
def short_limit(monkeypatch):
    """``short_limit(function=..., modules=...)``: that call's (or those imports') time limit becomes SHORT."""
    def apply(function=None, modules=()):
        original_call, original_load = Sandbox.call, Sandbox.load

        def call(self, mod, func, args=(), kwargs=None, timeout=5.0, stand_ins=None, witnesses=None):
            if f"{mod}.{func}" == function:
                timeout = min(timeout, SHORT)
            return original_call(self, mod, func, args, kwargs, timeout, stand_ins, witnesses)

        def load(self, mod, timeout=10.0):
            return original_load(self, mod, min(timeout, SHORT) if mod in modules else timeout)

        monkeypatch.setattr(Sandbox, "call", call)
        monkeypatch.setattr(Sandbox, "load", load)
    return apply


@pytest.fixture(scope="module")
def layers():
    return runner.probe_layers()


def needs(layers, *names):
    off = {name: layers.get(name, "not asked for") for name in names if not layers.get(name, "").startswith("on")}
    if off:
        pytest.skip(f"confinement not available here: {off}")


def grade_cli(folder, out):
    done = subprocess.run([sys.executable, "-m", "grader", "grade", "--assignment", A1, "--out", str(out),
                           str(folder)], cwd=ROOT, env=cli_env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(Path(out).read_text(encoding="utf-8"))


def live_processes_with(marker):
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
            except OSError:
                continue
            if marker.encode() in cmdline:
                found.append(int(entry))
    return found


# -- hangs ----------------------------------------------------------------------------------------------------------
def test_an_endless_loop_costs_only_its_case(submission, short_limit):
    short_limit(function=XOR)
    folder = submission(A1, edits=in_xor_gate("while True:\n    pass"))
    message, *_ = assert_only_hit(engine.grade(A1, folder), {XOR})
    assert "took longer than the 1 s limit" in message


@pytest.mark.parametrize("hung, failed", [("gradient_descent", ("gradient_descent",)),
                                         ("neuron", ("neuron", "gradient_descent"))])
def test_a_hang_at_import_fails_that_module_once(submission, short_limit, monkeypatch, hung, failed):
    """gradient_descent imports neuron, so a hang in neuron fails both modules after one import attempt of neuron:
    gradient_descent's import is refused its `from neuron import ...` at once, in the worker, and fails with
    neuron's own failure; neuron never runs again. The grader reads neither module's source."""
    short_limit(modules=failed)
    imports = []
    original = Sandbox._exchange

    def counting(self, message, timeout, stand_ins=None, witnesses=None):
        if message.get("op") == "import":
            imports.append(message["module"])
        return original(self, message, timeout, stand_ins, witnesses)

    monkeypatch.setattr(Sandbox, "_exchange", counting)
    folder = append_to(submission(A1), hung, "import time\nwhile True:\n    time.sleep(1)")
    report = engine.grade(A1, folder)
    messages = assert_only_hit(report, set().union(*(functions_of(report, module) for module in failed)))
    assert sorted(imports) == sorted(set(imports)), "a module that hung must not be imported again for each call"
    assert imports.count(hung) == 1 and (hung != "neuron" or imports == ["neuron", "gradient_descent"])
    assert all("could not import the module (importing it took too long)" in m for m in messages)


# -- resources ------------------------------------------------------------------------------------------------------
def test_a_memory_bomb_costs_only_its_case(submission, monkeypatch):
    monkeypatch.setattr(runner, "MEMORY_BYTES", 512 * 1024 ** 2)  # the bomb reaches the limit sooner
    folder = submission(A1, edits=in_xor_gate("hoard = []\nwhile True:\n    hoard.append(np.ones(10 ** 7))"))
    message, *_ = assert_only_hit(engine.grade(A1, folder), {XOR})
    assert "raised MemoryError" in message


def test_one_huge_allocation_is_refused_at_once(submission):
    folder = submission(A1, edits=in_xor_gate("np.ones((10 ** 6, 10 ** 6))"))
    message, *_ = assert_only_hit(engine.grade(A1, folder), {XOR})
    assert "raised MemoryError" in message


def test_a_flood_of_output_costs_nothing(submission):
    flood = ("import os, sys\nfor i in range(20000):\n    print('spam' * 50)\n    sys.stderr.write('eggs' * 50)\n"
             "os.write(1, b'x' * 10 ** 6)\nos.write(2, b'y' * 10 ** 6)")
    folder = append_to(submission(A1, edits=in_xor_gate(flood)), "gradient_descent", "print('at import ' * 10 ** 6)")
    report = engine.grade(A1, folder)
    assert report.score == report.max_score


def test_a_flood_on_the_graders_channel_costs_only_its_case(submission):
    code = "import os, sys\nos.write(int(sys.argv[4]), b'{\"ok\": true, \"value\": 1.0}' * 10 ** 5)"
    folder = submission(A1, edits=in_xor_gate(code))
    message, *_ = assert_only_hit(engine.grade(A1, folder), {XOR})
    assert "crashed the process running it" in message and "cannot read" in message


# -- exits and crashes ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("code, expected", [
    ("import sys\nsys.exit(3)", "called sys.exit(3)"),
    ("raise KeyboardInterrupt", "raised KeyboardInterrupt"),
    ("import os\nos._exit(3)", "crashed the process running it (the process exited with code 3)"),
    ("import ctypes\nctypes.string_at(0)", "crashed the process running it (the process was killed by signal SIGSEGV)"),
    ("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)", "killed by signal SIGKILL"),
])
def test_exits_and_crashes_cost_only_their_case(submission, code, expected):
    folder = submission(A1, edits=in_xor_gate(code))
    message, *_ = assert_only_hit(engine.grade(A1, folder), {XOR})
    assert expected in message


@pytest.mark.parametrize("code", ["import sys\nsys.exit(0)", "import os\nos._exit(0)",
                                  "import ctypes\nctypes.string_at(0)"])
def test_an_exit_at_import_fails_only_that_module(submission, code):
    folder = append_to(submission(A1), "gradient_descent", code)
    report = engine.grade(A1, folder)
    messages = assert_only_hit(report, functions_of(report, "gradient_descent"))
    assert all("could not import the module" in m or "crashed the process" in m
               or "gradient_descent.py could not be imported" in m for m in messages)


# -- processes left behind ------------------------------------------------------------------------------------------
LEAVE_CHILDREN = """
import os, subprocess, sys
try:
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)", "{marker}"], start_new_session=True)
except OSError:
    pass
try:
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(300)", "{marker}"])
        os._exit(0)
except OSError:
    pass
"""


def test_child_processes_cannot_be_made(submission, layers):
    needs(layers, "seccomp")
    marker = f"nnkit-child-{uuid.uuid4().hex}"
    folder = submission(A1, edits=in_xor_gate(LEAVE_CHILDREN.format(marker=marker) + "os.fork()"))
    message, *_ = assert_only_hit(engine.grade(A1, folder), {XOR})
    assert "raised PermissionError" in message
    assert live_processes_with(marker) == []


def test_escaped_descendants_are_killed_where_they_could_be_made(submission, monkeypatch):
    """With seccomp and Landlock off, the student can fork, setsid and exec: the token sweep still kills them all."""
    if not sys.platform.startswith("linux"):
        pytest.skip("the sweep reads /proc")
    monkeypatch.setattr(runner, "LAYERS", ("parent-death",))
    marker = f"nnkit-child-{uuid.uuid4().hex}"
    folder = submission(A1, edits=in_xor_gate(LEAVE_CHILDREN.format(marker=marker)))
    seen = []
    original = Sandbox.call

    def call(self, module, function, args=(), kwargs=None, timeout=5.0, stand_ins=None, witnesses=None):
        outcome = original(self, module, function, args, kwargs, timeout, stand_ins, witnesses)
        deadline = time.monotonic() + 10
        while function == "xor_gate" and not seen and time.monotonic() < deadline:
            seen.extend(live_processes_with(marker))  # the children exec asynchronously: give them time under load
            time.sleep(0.05)
        return outcome

    monkeypatch.setattr(Sandbox, "call", call)
    report = engine.grade(A1, folder, policy=confinement.Policy("all"))  # every layer that stops it is off
    assert report.score == report.max_score  # leaving a process behind is not what is graded; it just cannot last
    assert seen, "the attack should have started processes while its sandbox was open"
    assert live_processes_with(marker) == []


# -- fooling the comparison -----------------------------------------------------------------------------------------
def test_monkeypatching_numpy_changes_nothing(submission):
    patch = ("np.allclose = lambda *a, **k: True\nnp.isclose = lambda *a, **k: True\n"
             "np.array_equal = lambda *a, **k: True\nnp.testing.assert_allclose = lambda *a, **k: None\n"
             "np.testing.assert_array_equal = lambda *a, **k: None\n")
    folder = submission(A1, edits=in_xor_gate("return np.zeros(4)"))
    folder = append_to(folder, "neuron", patch)
    message, *_ = assert_only_hit(engine.grade(A1, folder), {XOR})
    assert "values differ" in message
    assert not np.allclose(0.0, 1.0) and not np.isclose(0.0, 1.0)


@pytest.mark.parametrize("code, shown", [
    ("class Liar:\n    def __eq__(self, other):\n        return True\n    __hash__ = None\nreturn Liar()",
     "returned a neuron.xor_gate.<locals>.Liar"),
    ("class Sub(np.ndarray):\n    def __eq__(self, other):\n        return np.ones(self.shape, dtype=bool)\n"
     "return np.array([0.0, 1.0, 1.0, 0.0]).view(Sub)", "returned a neuron.xor_gate.<locals>.Sub"),
    ("class F(float):\n    def __eq__(self, other):\n        return True\nreturn [F(0.0)] * 4", "returned a list"),
    ("return np.array([0, 1, 1, 0], dtype=object)", "numpy.ndarray of dtype object"),
])
def test_objects_that_lie_score_nothing(submission, code, shown):
    folder = submission(A1, edits=in_xor_gate(code))
    message, *_ = assert_only_hit(engine.grade(A1, folder), {XOR})
    assert shown in message


def test_a_0d_array_crosses_the_sandbox_as_itself(submission):
    """mse_loss returns its float as a 0-d array: it is judged as the float it holds, and scores in full (the codec
    used to send it as shape (1,), a type mismatch; the control is test_evaluation's 0-d test)."""
    folder = submission(A1, edits={"gradient_descent.py": [("return float(np.mean(residual ** 2))",
                                                            "return np.asarray(np.mean(residual ** 2))")]})
    report = engine.grade(A1, folder)
    assert report.score == report.max_score, [c.message for p in report.parts for c in p.cases if not c.passed]


# -- what gets staged -----------------------------------------------------------------------------------------------
FORGED = {"score": 1000, "tests": [], "output": "forged"}
EXTRAS = {
    "conftest.py": "import pytest\n\n@pytest.hookimpl(hookwrapper=True)\ndef pytest_runtest_makereport(item, call):\n"
                   "    outcome = yield\n    outcome.get_result().outcome = 'passed'\n",
    "sitecustomize.py": "import numpy\nnumpy.allclose = lambda *a, **k: True\n",
    "usercustomize.py": "raise SystemExit(0)\n",
    "results.json": json.dumps(FORGED),
    "helpers.py": "ANSWER = 42\n",
    "grader/__init__.py": "",
}


def test_only_the_assignment_modules_are_staged(submission, tmp_path):
    listing = "import os\nraise RuntimeError('staged: ' + ','.join(sorted(os.listdir('.'))))"
    folder = submission(A1, edits=in_xor_gate(listing), extra_files=EXTRAS)
    report = engine.grade(A1, folder)
    message, *_ = assert_only_hit(report, {XOR})
    assert "staged: gradient_descent.py,neuron.py" in message
    document = grade_cli(folder, tmp_path / "out" / "results.json")
    assert document["score"] == report.score
    assert (folder / "results.json").read_text(encoding="utf-8") == json.dumps(FORGED)


def test_an_extra_module_cannot_be_imported(submission):
    folder = submission(A1, extra_files={"helpers.py": "ANSWER = 42\n"})
    folder = append_to(folder, "gradient_descent", "import helpers")
    report = engine.grade(A1, folder)
    messages = assert_only_hit(report, functions_of(report, "gradient_descent"))
    assert "No module named 'helpers'" in report.broken["gradient_descent.py"]
    assert all("gradient_descent.py could not be imported" in m for m in messages)


def test_a_linked_submission_folder_is_refused(tmp_path, monkeypatch):
    """``grade`` on a folder that is a symbolic link (here, to the solutions) exits 2 with one line and writes no
    results. The control: with the engine's O_NOFOLLOW patched out, the same path gets full marks."""
    link = tmp_path / "submission"
    link.symlink_to(paths.SOLUTIONS / A1, target_is_directory=True)
    out = tmp_path / "out" / "results.json"
    done = subprocess.run([sys.executable, "-m", "grader", "grade", "--assignment", A1, "--out", str(out), str(link)],
                          cwd=ROOT, env=cli_env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and f"submission folder {link} is a symbolic link" in done.stderr
    assert not out.exists()
    with pytest.raises(engine.SubmissionError, match="is a symbolic link"):
        engine.grade(A1, link)
    monkeypatch.setattr(engine, "FOLDER_FLAGS", os.O_RDONLY | os.O_DIRECTORY)
    report = engine.grade(A1, link)
    assert report.score == report.max_score


def test_the_results_file_cannot_be_forged_at_run_time(submission, tmp_path, layers):
    needs(layers, "landlock")
    out = tmp_path / "out" / "results.json"
    out.parent.mkdir()
    write = (f"import json\nopen({str(out)!r}, 'w').write(json.dumps({FORGED!r}))")
    folder = submission(A1, edits=in_xor_gate(write))
    document = grade_cli(folder, out)
    xor_part = next(test for test in document["tests"] if test["extra_data"]["part"] == "gates")
    assert "raised PermissionError" in xor_part["output"]
    assert document["score"] == engine.grade(A1, folder).score < 1000


# -- reaching the grader or the solutions ---------------------------------------------------------------------------
SNOOP_IMPORTS = """
import importlib, json, os, sys
found = {}
for name in ("grader", "solutions", "grader.core.references", "nbgrader", "matplotlib"):
    try:
        importlib.import_module(name)
        found[name] = "imported"
    except BaseException as exc:
        found[name] = type(exc).__name__
found["path"] = [p for p in sys.path if "site-packages" in p or os.path.exists(os.path.join(p, "grader"))]
found["cwd"] = sorted(os.listdir("."))
raise RuntimeError("snoop " + json.dumps(found))
"""

SNOOP_FILES = """
import importlib, json, os, sys
found = {{}}
for label, path in {targets!r}.items():
    try:
        if os.path.isdir(path):
            found[label] = "listed %d" % len(os.listdir(path))
        else:
            with open(path, "rb") as handle:
                found[label] = "read %d bytes" % len(handle.read())
    except BaseException as exc:
        found[label] = type(exc).__name__
try:
    site = os.path.dirname(os.path.dirname(np.__file__))
    sys.path.append(site)
    for entry in os.listdir(site):
        if entry.startswith("__editable__") and entry.endswith("_finder.py"):
            importlib.import_module(entry[:-3]).install()
    import grader.core.references
    found["finder"] = "imported grader"
except BaseException as exc:
    found["finder"] = type(exc).__name__
raise RuntimeError("snoop " + json.dumps(found))
"""


def snoop(submission, code, policy=None):
    folder = submission(A1, edits=in_xor_gate(code))
    message, *_ = assert_only_hit(engine.grade(A1, folder, policy=policy), {XOR})
    return json.JSONDecoder().raw_decode(message.split("snoop ", 1)[1])[0]


def test_the_grader_and_solutions_cannot_be_imported(submission):
    found = snoop(submission, SNOOP_IMPORTS)
    assert found["grader"] == found["solutions"] == found["grader.core.references"] == "ModuleNotFoundError"
    assert found["nbgrader"] == found["matplotlib"] == "ModuleNotFoundError"  # only the stdlib and numpy
    assert found["path"] == []
    assert found["cwd"] == ["gradient_descent.py", "neuron.py"]


@pytest.mark.parametrize("alone", ["landlock", "mount-namespace", None], ids=["landlock", "mount-namespace", "all"])
def test_files_outside_the_sandbox_cannot_be_read(submission, layers, monkeypatch, alone):
    """Landlock refuses every path outside; in bubblewrap's mount namespace they do not exist (the kit's folder
    holds only the sandbox's own code, numpy's site-packages only numpy); with every layer, either."""
    needs(layers, alone or "landlock")
    if alone:
        monkeypatch.setattr(runner, "LAYERS", (alone,))
    targets = {"solution": paths.SOLUTIONS / A1 / "neuron.py", "solutions": paths.SOLUTIONS, "kit": ROOT,
               "catalogue": paths.ROOT / "grader" / "catalogues" / f"{A1}.py", "tmp": "/tmp",
               "home": Path.home(), "site": Path(np.__file__).parents[1]}
    found = snoop(submission, SNOOP_FILES.format(targets={k: str(v) for k, v in targets.items()}),
                  policy=confinement.Policy("all" if alone else None))
    if alone == "landlock":
        for label in targets:
            assert found[label] == "PermissionError", (label, found[label])
        assert found["finder"] == "PermissionError"
    elif alone == "mount-namespace":
        for label in ("solution", "solutions", "catalogue"):
            assert found[label] == "FileNotFoundError", (label, found[label])
        # grader/ (its sandbox/ only), and the interpreter's venv when it lives in the kit; numpy's two
        in_kit = 1 + (ROOT in Path(sys.executable).parents)
        assert found["kit"] == f"listed {in_kit}" and found["site"] == "listed 2", (found["kit"], found["site"])
        assert found["finder"] == "ModuleNotFoundError"
    else:
        for label in targets:
            assert found[label] in ("PermissionError", "FileNotFoundError"), (label, found[label])
        assert found["finder"] in ("PermissionError", "ModuleNotFoundError")


# -- determinism ----------------------------------------------------------------------------------------------------
def without_timing(document):
    """The document without what differs from run to run by design: its time, and the uid its worker leased."""
    document = json.loads(json.dumps(document))
    document.pop("execution_time")
    layers = document["extra_data"]["sandbox"]["layers"]
    if "uid" in layers:
        layers["uid"] = re.sub(r"\d+", "N", layers["uid"])
    return document


def test_the_same_submission_grades_the_same_twice(submission, tmp_path):
    """Wrong answers that depend on random state and string hashing still come out the same every time."""
    noisy = ("import random\nreturn np.full(4, 0.5 + 1e-3 * random.random() + 1e-4 * (hash('nnkit') % 7)"
             " + 1e-5 * np.random.rand())")
    at_import = "import random\nSHIFT = random.random()\n"
    folder = submission(A1, edits=in_xor_gate(noisy))
    folder = append_to(folder, "gradient_descent", at_import + "_mse = mse_loss\n"
                       "def mse_loss(X, y, theta):\n    return _mse(X, y, theta) + SHIFT")
    first, second = (results.to_results(engine.grade(A1, folder)) for _ in range(2))
    assert without_timing(first) == without_timing(second)
    assert "values differ" in json.dumps(first)
    cli_first = grade_cli(folder, tmp_path / "one.json")
    cli_second = grade_cli(folder, tmp_path / "two.json")
    assert without_timing(cli_first) == without_timing(cli_second) == without_timing(first)

"""grader.adapters.prairielearn: the export, and its entrypoint run as PrairieLearn runs it, in a temporary /grade layout.

The export is built once with the real CLI. Each test lays out a folder as PrairieLearn's grader host does (the kit
copied into serverFilesCourse/ and shared/, the uploads in student/, data/data.json, an empty tests/), runs the
``run`` entrypoint as a subprocess with PL_GRADE_ROOT pointing there, and reads results/results.json.
"""
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import hostile_text
from conftest import ROOT, cli_env, make_submission, solution_anchor
from grader import catalogues
from grader.adapters import cli, prairielearn
from grader.grading import engine
from grader.reports import results
from grader.sandbox import runner

A1 = "a1_neuron_gd"
SPEC = catalogues.load(A1)
KIT = Path("serverFilesCourse") / "nnkit" / A1
QUESTION = Path("questions") / "nnkit" / A1
TOP_KEYS = {"gradable", "score", "message", "output", "tests"}
TEST_KEYS = {"name", "points", "max_points", "message", "output"}
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
XOR_ANCHOR = solution_anchor(A1, "neuron", "xor_gate")
BUG = {"gradient_descent.py": [("return (2.0 / m) * (X.T @ (X @ theta - y))",
                                "return (1.0 / m) * (X.T @ (X @ theta - y))")]}


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    out = tmp_path_factory.mktemp("export") / "course"
    assert cli.main(["prairielearn", "--assignment", A1, "--out", str(out)]) == 0
    return out


def tree(folder):
    """{relative path: (bytes, mode)} of every file under ``folder``."""
    return {path.relative_to(folder).as_posix(): (path.read_bytes(), stat.S_IMODE(path.stat().st_mode))
            for path in sorted(folder.rglob("*")) if path.is_file()}


def lay_out(export, root, files):
    """A /grade folder as PrairieLearn's grader host builds one: the question's serverFilesCourse entries (and their
    deprecated copy in shared/), the uploaded files, the data object, an empty tests/ (the question has none)."""
    info = json.loads((export / QUESTION / "info.json").read_text(encoding="utf-8"))
    for entry in info["externalGradingOptions"]["serverFilesCourse"]:
        shutil.copytree(export / "serverFilesCourse" / entry, root / "serverFilesCourse" / entry)
    shutil.copytree(root / "serverFilesCourse", root / "shared")
    (root / "tests").mkdir()
    (root / "student").mkdir()
    (root / "data").mkdir()
    submitted = []
    for path in sorted(Path(files).iterdir()) if files else []:
        shutil.copyfile(path, root / "student" / path.name)
        submitted.append({"name": path.name, "contents": "..."})
    (root / "data" / "data.json").write_text(json.dumps({"params": {}, "correct_answers": {},
                                                         "submitted_answers": {"_files": submitted}}))
    return root


def entrypoint_of(root, export):
    """The entrypoint info.json names, found under ``root`` in place of /grade."""
    info = json.loads((export / QUESTION / "info.json").read_text(encoding="utf-8"))
    return root / Path(info["externalGradingOptions"]["entrypoint"]).relative_to("/grade")


def run_entrypoint(root, export, **env):
    """Run the entrypoint with this venv's python3 first on PATH; PrairieLearn needs exit code 0 to read results."""
    done = subprocess.run([str(entrypoint_of(root, export))], env=cli_env(PL_GRADE_ROOT=str(root), **env),
                          capture_output=True, text=True, timeout=300, cwd=root)
    assert done.returncode == 0, done.stderr
    text = (root / "results" / "results.json").read_text(encoding="utf-8")
    assert len(text.encode("utf-8")) <= results.LIMIT_BYTES
    return json.loads(text), done


def grade_cli(folder, out):
    done = subprocess.run([sys.executable, "-m", "grader", "grade", "--assignment", A1, "--out", str(out),
                           str(folder)], cwd=ROOT, env=cli_env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(Path(out).read_text(encoding="utf-8"))


def assert_prairielearn_schema(document):
    assert TOP_KEYS <= set(document)
    assert document["gradable"] is True
    assert isinstance(document["score"], float) and 0.0 <= document["score"] <= 1.0
    assert isinstance(document["message"], str) and isinstance(document["output"], str)
    for test in document["tests"]:
        assert TEST_KEYS <= set(test)
        assert isinstance(test["name"], str) and isinstance(test["message"], str)
        assert isinstance(test["output"], str)
        assert 0 <= test["points"] <= test["max_points"]


def same_scores(document, gradescope):
    """The PrairieLearn document scores what `python -m grader grade` scored, part by part and in total."""
    max_score = gradescope["extra_data"]["max_score"]
    assert document["score"] == gradescope["score"] / max_score
    assert [(t["name"], t["points"], t["max_points"]) for t in document["tests"]] == \
        [(t["name"], t["score"], t["max_score"]) for t in gradescope["tests"]]


def needs(*names):
    layers = runner.probe_layers()
    off = {name: layers.get(name, "not asked for") for name in names if not layers.get(name, "").startswith("on")}
    if off:
        pytest.skip(f"confinement not available here: {off}")


# -- the export ----------------------------------------------------------------------------------------------------
def test_the_export_is_a_question_and_its_grader(export, tmp_path):
    info = json.loads((export / QUESTION / "info.json").read_text(encoding="utf-8"))
    assert UUID.match(info["uuid"])
    assert (info["type"], info["gradingMethod"], info["title"]) == ("v3", "External", SPEC.title)
    options = info["externalGradingOptions"]
    assert set(options) == {"enabled", "image", "serverFilesCourse", "entrypoint", "timeout", "enableNetworking"}
    assert options["enabled"] is True and options["enableNetworking"] is False
    assert options["image"] == "prairielearn/grader-python"
    assert options["serverFilesCourse"] == [f"nnkit/{A1}/"]
    assert options["entrypoint"] == f"/grade/serverFilesCourse/nnkit/{A1}/run"
    assert prairielearn.BUDGET_SECONDS < options["timeout"] <= 600

    html = (export / QUESTION / "question.html").read_text(encoding="utf-8")
    assert '<pl-file-upload file-names="neuron.py, gradient_descent.py">' in html
    assert "<pl-external-grader-results>" in html

    files = tree(export / KIT)
    assert files["run"][1] == 0o755 and files["run"][0].startswith(b"#!/usr/bin/env bash\n")
    for name in ("pyproject.toml", "README.md", "grader/grading/engine.py", "grader/adapters/prairielearn.py",
                 "grader/sandbox/worker.py", f"solutions/{A1}/neuron.py", "data/xor.csv"):
        assert name in files and files[name][1] == 0o644
    assert not [n for n in files if "__pycache__" in n or n.endswith(".pyc")]
    assert not [n for n in files if n.startswith("solutions/") and not n.startswith(f"solutions/{A1}/")]
    assert sorted(p.name for p in export.iterdir()) == ["questions", "serverFilesCourse"]

    again = tmp_path / "again"
    prairielearn.build_export(A1, again)
    assert tree(again) == tree(export)  # the same bytes and modes, and the same question UUID
    (again / KIT / "grader" / "stale.py").write_text("")
    prairielearn.build_export(A1, again)
    assert tree(again) == tree(export)  # a rebuild replaces the kit folder whole


def test_a_rebuild_into_a_course_leaves_the_rest_of_the_course_alone(tmp_path):
    course = tmp_path / "course"
    (course / "questions" / "mine").mkdir(parents=True)
    (course / "questions" / "mine" / "info.json").write_text("{}")
    (course / "serverFilesCourse" / "nnkit" / "other").mkdir(parents=True)
    prairielearn.build_export(A1, course)
    assert (course / "questions" / "mine" / "info.json").read_text() == "{}"
    assert (course / "serverFilesCourse" / "nnkit" / "other").is_dir()
    assert not [p for p in course.rglob(".*")]  # no temporary folder is left behind


# -- grading -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["solution", "stubs", "bug"])
def test_the_entrypoint_scores_what_grade_scores(export, tmp_path, kind):
    folder = make_submission(tmp_path / "files", A1, stub=kind == "stubs", edits=BUG if kind == "bug" else None)
    root = lay_out(export, tmp_path / "grade", folder)
    document, done = run_entrypoint(root, export)
    assert_prairielearn_schema(document)
    gradescope = grade_cli(folder, tmp_path / "gradescope.json")
    same_scores(document, gradescope)
    assert document["score"] == {"solution": 1.0, "stubs": 0.0}.get(kind, document["score"])
    assert "graded neuron.py from the top of the submission" in document["output"]
    assert "graded gradient_descent.py from the top of the submission" in done.stdout
    if kind == "bug":
        assert 0.0 < document["score"] < 1.0
        gradient = next(test for test in document["tests"] if test["name"] == "The gradient of the MSE")
        assert gradient["points"] == 0 and "of 5 checks passed" in gradient["message"]
        assert "factor 2" in gradient["output"]
    if kind == "stubs":
        assert all("not implemented yet" in test["output"] for test in document["tests"])


def test_a_surrogate_in_the_students_text_is_graded_and_the_attempt_counts(export, tmp_path):
    """tests/hostile_text.py's submission: gradable, its words shown as U+FFFD, and its score the engine's."""
    folder = hostile_text.build(tmp_path / "files")
    root = lay_out(export, tmp_path / "grade", folder)
    run_entrypoint(root, export)
    document = hostile_text.read_valid(root / "results" / "results.json")
    assert_prairielearn_schema(document)
    assert document["gradable"] is True
    outputs = {part.key: f"{test['message']}\n{test['output']}" for part, test in zip(SPEC.parts, document["tests"])}
    score = round(sum(test["points"] for test in document["tests"]), 4)
    hostile_text.assert_graded(outputs, score, engine.grade(A1, folder).score)
    assert document["score"] == pytest.approx(score / SPEC.max_score)


def test_a_missing_file_costs_only_its_parts(export, tmp_path):
    folder = make_submission(tmp_path / "files", A1)
    (folder / "gradient_descent.py").unlink()
    root = lay_out(export, tmp_path / "grade", folder)
    document, _ = run_entrypoint(root, export)
    assert_prairielearn_schema(document)
    same_scores(document, grade_cli(folder, tmp_path / "gradescope.json"))
    assert "gradient_descent.py was not found in the submission" in document["output"]
    by_part = {part.title: part for part in SPEC.parts}
    for test in document["tests"]:
        modules = {check.module for check in by_part[test["name"]].checks}
        assert test["points"] == (0 if "gradient_descent" in modules else test["max_points"]), test


# -- confinement ---------------------------------------------------------------------------------------------------
FORGED = {"gradable": True, "score": 1.0, "message": "forged", "tests": []}
SNOOP = """
import json, os
found = {{}}
for label, path in {targets!r}.items():
    try:
        with open(path, "rb") as handle:
            found[label] = "read %d bytes" % len(handle.read())
    except BaseException as exc:
        found[label] = type(exc).__name__
for label, path in {writes!r}.items():
    try:
        with open(path, "w") as handle:
            handle.write(json.dumps({forged!r}))
        found[label] = "wrote"
    except BaseException as exc:
        found[label] = type(exc).__name__
found["env"] = sorted(key for key in os.environ if key.startswith(("PL_", "PYTHONPATH")))
raise RuntimeError("snoop " + json.dumps(found))
"""


def test_a_hostile_submission_stays_confined(export, tmp_path):
    """It reads the solutions, the kit and the job's files by absolute path, and writes the results file itself; it
    also uploads extra files PrairieLearn would copy into student/. Every attempt is refused, and only the one case
    it runs in is lost."""
    needs("landlock", "seccomp")
    root = tmp_path / "grade"
    targets = {"solution": root / KIT / "solutions" / A1 / "neuron.py",
               "catalogue": root / KIT / "grader" / "catalogues" / f"{A1}.py",
               "shared": root / "shared" / "nnkit" / A1 / "run", "data": root / "data" / "data.json",
               "repository": ROOT / "solutions" / A1 / "neuron.py"}
    writes = {"results": root / "results" / "results.json", "kit": root / KIT / "grader" / "grading" / "engine.py"}
    code = SNOOP.format(targets={k: str(v) for k, v in targets.items()},
                        writes={k: str(v) for k, v in writes.items()}, forged=FORGED)
    lines = "".join(f"    {line}\n" for line in code.strip("\n").splitlines())
    extras = {"sitecustomize.py": "import numpy\nnumpy.allclose = lambda *a, **k: True\n",
              "results.json": json.dumps(FORGED), "helpers.py": "ANSWER = 42\n"}
    folder = make_submission(tmp_path / "files", A1, edits={"neuron.py": [(XOR_ANCHOR, XOR_ANCHOR + lines)]},
                             extra_files=extras)
    lay_out(export, root, folder)
    engine_before = (root / KIT / "grader" / "grading" / "engine.py").read_bytes()

    document, _ = run_entrypoint(root, export)
    assert_prairielearn_schema(document)
    same_scores(document, grade_cli(folder, tmp_path / "gradescope.json"))
    gates = next(test for test in document["tests"] if test["name"] == "AND, OR, NAND and XOR from neurons")
    found = json.JSONDecoder().raw_decode(gates["output"].split("snoop ", 1)[1])[0]
    for label in targets:  # in bubblewrap's mount namespace the paths do not exist; Landlock refuses them
        assert found[label] in ("PermissionError", "FileNotFoundError"), (label, found[label])
    for label in writes:  # seccomp refuses to open any file for writing, before the path is looked up
        assert found[label] == "PermissionError", (label, found[label])
    assert found["env"] == []
    hidden = [case for _, _, case in catalogues.load(A1).part("gates").cases() if not case.public]
    assert gates["points"] == pytest.approx(gates["max_points"] * (1 - 1 / len(hidden)))  # xor_gate's one case
    assert all(test["points"] == test["max_points"] for test in document["tests"] if test is not gates)
    assert document["message"] != "forged" and document["score"] < 1.0
    assert (root / KIT / "grader" / "grading" / "engine.py").read_bytes() == engine_before
    assert (root / "student" / "results.json").read_text() == json.dumps(FORGED)  # there, but never read


def test_huge_messages_stay_under_the_limit(export, tmp_path):
    """Every function raises an exception with a message of millions of characters. (A source line as long would
    make the module file too large to be graded at all: test_bounded.py.)"""
    bomb = ('\n_HUGE = "x" * 2_000_000\n'
            "def _raise(*args, **kwargs):\n    raise ValueError(_HUGE * 5)\n"
            "for _name in [n for n, f in list(globals().items()) if callable(f) and not n.startswith('_')\n"
            "              and getattr(f, '__module__', None) == __name__]:\n    globals()[_name] = _raise\n")
    folder = make_submission(tmp_path / "files", A1)
    for module in SPEC.modules:
        path = folder / f"{module}.py"
        path.write_text(path.read_text(encoding="utf-8") + bomb, encoding="utf-8")
    root = lay_out(export, tmp_path / "grade", folder)
    document, _ = run_entrypoint(root, export)  # asserts the file is under the limit
    assert_prairielearn_schema(document)
    assert document["score"] == 0.0
    assert all("raised ValueError: xxx" in test["output"] for test in document["tests"])

    small = len(results.json_text(document).encode("utf-8")) // 4
    fitted = results.fit(document, limit=small)
    assert len(results.json_text(fitted).encode("utf-8")) <= small
    assert [(t["name"], t["points"], t["max_points"]) for t in fitted["tests"]] == \
        [(t["name"], t["points"], t["max_points"]) for t in document["tests"]]
    assert fitted["score"] == document["score"]
    assert any("more characters cut: a results file must stay under 1 MB" in test["output"]
               for test in fitted["tests"])
    assert results.fit(document) is document  # already under the limit: untouched


def test_fitting_cuts_every_long_field_and_says_so():
    document = {"gradable": True, "score": 0.5, "message": "m", "output": "é" * 3_000_000,
                "tests": [{"name": f"part {i}", "points": 1, "max_points": 2, "message": "y" * 400_000,
                           "output": "z" * 10} for i in range(5)]}
    fitted = results.fit(document)
    assert len(results.json_text(fitted).encode("utf-8")) <= results.LIMIT_BYTES
    assert "more characters cut" in fitted["output"]
    assert all("more characters cut" in test["message"] and test["output"] == "z" * 10 for test in fitted["tests"])
    assert [test["name"] for test in fitted["tests"]] == [f"part {i}" for i in range(5)]
    assert document["output"] == "é" * 3_000_000  # the original is not changed


# -- when the grader cannot run ------------------------------------------------------------------------------------
def test_a_broken_grader_still_leaves_a_not_gradable_result(export, tmp_path):
    root = lay_out(export, tmp_path / "grade", make_submission(tmp_path / "files", A1))
    document, done = run_entrypoint(root, export, PYTHON="false")
    assert document["gradable"] is False and document["score"] == 0.0 and document["tests"] == []
    assert "autograder itself failed" in document["message"] and document["format_errors"] == [document["message"]]
    assert "writing the fallback results" in done.stderr


def test_the_copied_kit_is_what_grades(export, tmp_path):
    """Without the kit's solutions/, grading fails, even though this repository's kit is importable here."""
    root = lay_out(export, tmp_path / "grade", make_submission(tmp_path / "files", A1))
    shutil.rmtree(root / KIT / "solutions")
    document, done = run_entrypoint(root, export)
    assert document["gradable"] is False and document["tests"] == []
    assert "writing the fallback results" in done.stderr


def test_the_entrypoint_defaults_to_slash_grade(export):
    text = (export / KIT / "run").read_text(encoding="utf-8")
    assert 'ROOT="${PL_GRADE_ROOT:-/grade}"' in text
    assert os.access(export / KIT / "run", os.X_OK)

"""Every assignment, whatever its content: solution full marks, stubs zero, a clean self-check, a notebook that runs.

These run over ``grader.catalogues.names()``, so a new assignment is covered the moment its catalogue exists.
"""
import json
import re
import shutil
import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient

from grader import catalogues
from grader.grading import engine
from grader.core import paths
from conftest import cli_env

NAMES = catalogues.names()


def student_copy(tmp_path, name, with_solution):
    """The assignment folder as a student receives it, optionally with the solution modules dropped in."""
    folder = tmp_path / name
    shutil.copytree(paths.ASSIGNMENTS / name, folder, ignore=shutil.ignore_patterns("__pycache__"))
    if with_solution:
        for module in catalogues.load(name).modules:
            shutil.copyfile(paths.SOLUTIONS / name / f"{module}.py", folder / f"{module}.py")
    return folder


def run_selfcheck(folder):
    return subprocess.run([sys.executable, "-m", "pytest"], cwd=folder, capture_output=True, text=True,
                          env=cli_env(), timeout=300)


@pytest.mark.parametrize("name", NAMES)
def test_solution_gets_full_marks(name):
    report = engine.grade(name, paths.SOLUTIONS / name)
    failures = [f"{c.function}: {c.message}" for part in report.parts for c in part.cases if not c.passed]
    assert failures == []
    assert report.score == report.max_score > 0


@pytest.mark.parametrize("name", NAMES)
def test_untouched_stubs_get_zero_and_say_not_implemented(name):
    report = engine.grade(name, paths.ASSIGNMENTS / name)
    assert report.score == 0
    for part in report.parts:
        for case in part.cases:
            assert "not implemented yet" in case.message, f"{part.key}: {case.message}"


@pytest.mark.parametrize("name", NAMES)
def test_selfcheck_on_stubs_fails_every_case_briefly(tmp_path, name):
    public = json.loads((paths.ASSIGNMENTS / name / "_selfcheck" / "cases.json").read_text())
    result = run_selfcheck(student_copy(tmp_path, name, with_solution=False))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "error" not in result.stdout.splitlines()[-1], "collection errors: " + result.stdout[-2000:]
    assert re.search(rf"\b{len(public)} failed\b", result.stdout), result.stdout[-2000:]
    assert result.stdout.count("not implemented yet") >= len(public)
    assert "Traceback" not in result.stdout


@pytest.mark.parametrize("name", NAMES)
def test_selfcheck_on_solution_passes(tmp_path, name):
    result = run_selfcheck(student_copy(tmp_path, name, with_solution=True))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


@pytest.mark.parametrize("name", NAMES)
def test_public_cases_are_the_catalogues_public_cases(name):
    spec = catalogues.load(name)
    shipped = json.loads((paths.ASSIGNMENTS / name / "_selfcheck" / "cases.json").read_text())
    declared = [(part.key, check.function, index) for part in spec.parts for check in part.checks
                for index, case in enumerate(check.cases) if case.public]
    assert [(c["part"], f"{c['module']}.{c['function']}", int(c["id"].rsplit("-", 1)[1]) - 1)
            for c in shipped] == declared
    assert shipped, f"{name} has no public case"
    for part in spec.parts:
        assert any(c["part"] == part.key for c in shipped), f"part {part.key} has no public case"


@pytest.mark.parametrize("name", NAMES)
def test_student_files_need_only_numpy_matplotlib_pytest(name):
    for path in (paths.ASSIGNMENTS / name).rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from|import)\s+(grader|solutions)\b", text, re.M), path


@pytest.mark.parametrize("name", [n for n in NAMES if (paths.ASSIGNMENTS / n / f"{n}.ipynb").is_file()])
def test_notebook_runs_top_to_bottom_with_the_solution(tmp_path, name):
    folder = student_copy(tmp_path, name, with_solution=True)
    notebook = nbformat.read(folder / f"{name}.ipynb", as_version=4)
    NotebookClient(notebook, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(folder)}}).execute()
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
    images = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs
              if "image/png" in o.get("data", {})]
    assert images, "the notebook should show at least one plot"


def test_every_assignment_has_a_notebook():
    missing = [n for n in NAMES if not (paths.ASSIGNMENTS / n / f"{n}.ipynb").is_file()]
    assert missing == []


def test_cli_and_engine_agree(tmp_path):
    name = NAMES[0]
    out = tmp_path / "results.json"
    subprocess.run([sys.executable, "-m", "grader", "grade", "--assignment", name, "--out", str(out),
                    str(paths.SOLUTIONS / name)], check=True, env=cli_env(), capture_output=True)
    document = json.loads(out.read_text())
    report = engine.grade(name, paths.SOLUTIONS / name)
    assert [t["score"] for t in document["tests"]] == [p.score for p in report.parts]
    assert set(document) >= {"score", "execution_time", "output", "tests"}
    for test in document["tests"]:
        assert set(test) >= {"name", "score", "max_score", "status", "output", "visibility"}


def test_grader_refuses_bad_input_with_one_line(tmp_path):
    for args in (["--assignment", "no_such_assignment", str(tmp_path)],
                 ["--assignment", NAMES[0], str(tmp_path / "missing")]):
        result = subprocess.run([sys.executable, "-m", "grader", "grade", *args], env=cli_env(),
                                capture_output=True, text=True)
        assert result.returncode == 2
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("nnkit: error:")


def test_grade_on_a_folder_one_level_too_high_is_one_line_naming_the_folder_below(tmp_path, submission):
    folder = submission("a1_neuron_gd", name="bob")
    for target, wanted in ((folder.parent, f"they are in {folder}"), (tmp_path / "empty", "grade the folder")):
        target.mkdir(exist_ok=True)
        done = subprocess.run([sys.executable, "-m", "grader", "grade", "--assignment", "a1_neuron_gd", "--out",
                               str(tmp_path / "r.json"), str(target)], env=cli_env(), capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
        assert done.stderr.startswith("nnkit: error:") and wanted in done.stderr and "neuron.py" in done.stderr
        assert not (tmp_path / "r.json").exists()
    done = subprocess.run([sys.executable, "-m", "grader", "grade", "--assignment", "a1_neuron_gd", "--out",
                           str(tmp_path / "r.json"), str(folder)], env=cli_env(), capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0 and json.loads((tmp_path / "r.json").read_text())["score"] > 0

"""nbgrader's autograde is serial; the kit's parallel path (``grade-all --plots`` first, then ``autograde`` reusing
each current result) must give exactly the gradebook, the graded notebooks and the feedback of a serial run.

Two copies of one collected course are graded, one each way, with the real nbgrader CLI. A unit test then shows
that a result is reused only for exactly the bytes it graded, and only with its plots.
"""
import csv
import json
import shutil
import subprocess
import sys

import nbformat
import pytest

from conftest import cli_env, make_submission
from grader import catalogues
from grader.adapters import batch, demo
from grader.adapters.nbgrader.autograde import reusable_results
from grader.adapters.nbgrader.gradebook import gradebook_scores

pytestmark = pytest.mark.xdist_group("nbgrader")

ASSIGNMENT = "a3_backprop"


def _no_endless_loops(recipes):
    """The demo class without its hanging student: its time limits would only slow both runs down."""
    return [recipe for recipe in recipes if not recipe.get("expect", {}).get("timeouts")]


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("parallel")
    recipes = _no_endless_loops(demo.load_class(ASSIGNMENT))
    serial = demo.make_course(root / "serial", ASSIGNMENT)
    run = demo.Runner(serial, echo=False)
    run.nbgrader("generate_assignment", ASSIGNMENT)
    demo.build_download(serial, ASSIGNMENT, recipes)
    run.nbgrader("zip_collect", ASSIGNMENT)
    parallel = root / "parallel"
    shutil.copytree(serial, parallel, symlinks=True)

    run.nbgrader("autograde", ASSIGNMENT)
    fast = demo.Runner(parallel, echo=False)
    fast.grader("grade-all", "--assignment", ASSIGNMENT, "--jobs", "2", "--plots", str(parallel / "submitted"))
    autograde_log = fast.nbgrader("autograde", ASSIGNMENT)
    for runner in (run, fast):
        runner.nbgrader("generate_feedback", ASSIGNMENT)
        runner.nbgrader("export")
    return {"serial": serial, "parallel": parallel, "recipes": recipes,
            "autograde_log": autograde_log.read_text(encoding="utf-8")}


def _grades(course):
    with open(course / "grades.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _grade_cells(path):
    notebook = nbformat.read(path, as_version=4)
    return [(cell.metadata["nbgrader"]["grade_id"], cell.outputs) for cell in notebook.cells
            if cell.cell_type == "code" and cell.get("metadata", {}).get("nbgrader", {}).get("grade")]


def test_the_parallel_path_reused_every_student(two_runs):
    for recipe in two_runs["recipes"]:
        assert f"{recipe['id']}: reusing the results grade-all wrote" in two_runs["autograde_log"], recipe["id"]


def test_gradebook_export_and_per_part_scores_equal_a_serial_run(two_runs):
    assert _grades(two_runs["parallel"]) == _grades(two_runs["serial"])
    serial = gradebook_scores(two_runs["serial"], ASSIGNMENT)
    assert gradebook_scores(two_runs["parallel"], ASSIGNMENT) == serial
    assert len({sum(parts.values()) for parts in serial.values()}) >= 3, "the class should not all score alike"


def test_graded_notebooks_and_feedback_pages_equal_a_serial_run(two_runs):
    for recipe in two_runs["recipes"]:
        relative = f"{recipe['id']}/{ASSIGNMENT}/{ASSIGNMENT}"
        serial = _grade_cells(two_runs["serial"] / "autograded" / f"{relative}.ipynb")
        assert _grade_cells(two_runs["parallel"] / "autograded" / f"{relative}.ipynb") == serial
        assert any(output.get("output_type") == "display_data" for _, outputs in serial for output in outputs) \
            or recipe["base"] == "stub", f"{recipe['id']}: no plot in a run that trained"
        page = (two_runs["parallel"] / "feedback" / f"{relative}.html").read_text(encoding="utf-8")
        assert page == (two_runs["serial"] / "feedback" / f"{relative}.html").read_text(encoding="utf-8")


def test_a_result_is_reused_only_for_the_bytes_it_graded_and_with_its_plots(tmp_path):
    submitted = tmp_path / "submitted"
    folder = make_submission(submitted / "ada" / ASSIGNMENT, ASSIGNMENT)
    results = tmp_path / "graded"

    def grade_all(*extra):
        subprocess.run([sys.executable, "-m", "grader", "grade-all", "--assignment", ASSIGNMENT, "--jobs", "1",
                        "--csv", str(tmp_path / "grades.csv"), "--results-dir", str(results / ASSIGNMENT), *extra,
                        str(submitted)], env=cli_env(), check=True, capture_output=True, timeout=600)

    grade_all()
    assert reusable_results(results, ASSIGNMENT, "ada", folder) is None, "no plots: not reusable"
    grade_all("--plots")
    document, plots = reusable_results(results, ASSIGNMENT, "ada", folder)
    assert document["score"] == catalogues.load(ASSIGNMENT).max_score and sorted(p.name for p in plots.glob("*.png"))
    assert json.loads((results / ASSIGNMENT / "ada.json").read_text())["extra_data"]["plots"] is True
    assert reusable_results(results, ASSIGNMENT, "ada", folder, budget_seconds=30) is not None
    assert reusable_results(results, ASSIGNMENT, "ada", folder, budget_seconds=60) is None, \
        "a result graded under another budget reused"
    for student in ("../ada", "ada/../ada", ""):
        assert reusable_results(results, ASSIGNMENT, student, folder) is None
    assert reusable_results("", ASSIGNMENT, "ada", folder) is None
    module = folder / "backprop.py"
    module.write_text(module.read_text(encoding="utf-8") + "\n# changed after grade-all\n", encoding="utf-8")
    assert reusable_results(results, ASSIGNMENT, "ada", folder) is None, "stale bytes reused"
    assert batch.current(batch.read_results(results / ASSIGNMENT / "ada.json"), "another fingerprint") is False

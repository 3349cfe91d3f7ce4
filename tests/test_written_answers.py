"""Written answers beside the autograded parts: generated from the notebook source, graded by hand in nbgrader.

One course (the ``course`` fixture) runs the real flow on ``a1_neuron_gd`` with three students: ``ada`` (the solution,
both written questions answered), ``ben`` (the stubs, nothing answered) and ``cy`` (the solution, both answered):
generate_assignment, grade-all --plots, autograde (which reuses grade-all's results), export; then manual scores set
through nbgrader's ``Gradebook`` as the formgrader sets them (ada both, cy one of two), export again,
generate_feedback and the kit's class report with ``--gradebook``.
The unit tests after it run no nbgrader command.
"""
import copy
import csv
import html
import json
import re
import shutil

import nbformat
import pytest

from grader import catalogues
from grader.reports import class_report
from grader.adapters import cli, demo
from grader.adapters.nbgrader.autograde import GradeWithKit
from grader.adapters.nbgrader.gradebook import gradebook_grades, gradebook_scores, gradebook_written
from grader.authoring import notebooks, sync, written
from grader.core import paths, spec

pytestmark = pytest.mark.xdist_group("nbgrader")

A1 = "a1_neuron_gd"
ANSWERS = {
    "ada": {"xor_one_neuron": "One neuron draws one straight line, and the XOR points cannot be split by a line. "
                              "The OR and NAND layer moves the points so that a line works.",
            "learning_rate": "Too small is slow; too large makes each step overshoot more, so the loss explodes."},
    "cy": {"xor_one_neuron": "XOR needs two lines.", "learning_rate": "A big rate diverges."},
}
RECIPES = [
    {"id": "ada", "base": "solution", "answers": ANSWERS["ada"]},
    {"id": "ben", "base": "stub"},
    {"id": "cy", "base": "solution", "answers": ANSWERS["cy"]},
]
MANUAL = {("ada", "xor_one_neuron"): 1.5, ("ada", "learning_rate"): 1.0, ("cy", "xor_one_neuron"): 2.0}


def _csv(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle)}


def _set_manual_scores(course, scores):
    """Hand grades, set as the formgrader's GradeHandler sets them: the manual score, then needs_manual_grade off."""
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for (student, key), score in scores.items():
            grade = gradebook.find_grade(key, A1, A1, student)
            grade.manual_score = score
            grade.needs_manual_grade = False
        gradebook.db.commit()


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("written")
    course = demo.make_course(root / "course", A1)
    run = demo.Runner(course, echo=False)
    run.nbgrader("generate_assignment", A1)
    release = course / "release" / A1
    for recipe in RECIPES:
        demo.build_student(recipe, A1, release, course / "submitted" / recipe["id"] / A1)
    run.grader("grade-all", "--assignment", A1, "--jobs", "2", "--plots", "--csv", str(course / "kit_grades.csv"),
               str(course / "submitted"))
    run.nbgrader("autograde", A1)
    after_autograde = gradebook_grades(course, A1)
    run.nbgrader("export")
    shutil.move(course / "grades.csv", course / "grades-autograded.csv")

    _set_manual_scores(course, MANUAL)
    run.nbgrader("export")
    run.nbgrader("generate_feedback", A1)
    run.grader("report", "--assignment", A1, "--out", str(course / "report.html"), "--gradebook",
               str(course / "gradebook.db"), str(course / "graded" / A1))
    return {"course": course, "after_autograde": after_autograde, "spec": catalogues.load(A1),
            "kit": {r["id"]: json.loads((course / "graded" / A1 / f"{r['id']}.json").read_text(encoding="utf-8"))
                    for r in RECIPES}}


# -- the flow ------------------------------------------------------------------------------------------------------
def test_the_release_asks_the_questions_and_holds_no_rubric(course):
    release = course["course"] / "release" / A1
    notebook = nbformat.read(release / f"{A1}.ipynb", as_version=4)
    answers = {c.metadata.nbgrader["grade_id"]: c for c in notebook.cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    assert set(answers) == {q.key for q in course["spec"].written}
    for question in course["spec"].written:
        cell = answers[question.key]
        assert cell.cell_type == "markdown" and cell.source == notebooks.ANSWER_STUB
        assert cell.metadata.nbgrader["grade"] and cell.metadata.nbgrader["points"] == question.points
    assert all(f"written-{q.key}-prompt" in [c.get("id") for c in notebook.cells] for q in course["spec"].written)


def test_no_rubric_reaches_any_file_of_the_course(course):
    """Not the source folder, the release, the submissions, the graded notebooks, the feedback, nor the gradebook."""
    fragments = written.rubric_fragments(course["spec"])
    assert fragments
    files = [p for p in course["course"].rglob("*") if p.is_file()]
    assert any(p.suffix == ".html" for p in files) and any(p.name == "gradebook.db" for p in files)
    for file in files:
        text = file.read_bytes().decode("utf-8", errors="replace")
        leaked = [fragment for fragment in fragments if fragment in text]
        assert not leaked, f"{file} holds rubric text: {leaked[:2]}"


def test_autograde_leaves_the_answers_as_written_and_nbgrader_asks_for_a_hand_grade(course):
    grades = course["after_autograde"]
    for recipe in RECIPES:
        student = recipe["id"]
        notebook = nbformat.read(course["course"] / "autograded" / student / A1 / f"{A1}.ipynb", as_version=4)
        cells = {c.metadata.nbgrader["grade_id"]: c for c in notebook.cells
                 if c.metadata.get("nbgrader", {}).get("solution")}
        for question in course["spec"].written:
            wrote = ANSWERS.get(student, {}).get(question.key)
            assert cells[question.key].source == (wrote or notebooks.ANSWER_STUB), (student, question.key)
            assert "outputs" not in cells[question.key]
            grade = grades[student][question.key]
            assert grade["written"] and grade["manual"] is None
            if wrote:
                assert grade["auto"] is None and grade["needs_manual_grade"], (student, question.key)
            else:  # nbgrader scores an untouched answer cell 0 by itself
                assert grade["auto"] == 0 and not grade["needs_manual_grade"], (student, question.key)
        for part in course["spec"].parts:
            grade = grades[student][part.key]
            assert not grade["written"] and not grade["needs_manual_grade"]
            kit = next(t for t in course["kit"][student]["tests"] if t["extra_data"]["part"] == part.key)
            assert grade["auto"] == pytest.approx(kit["score"])


def test_export_after_autograde_shows_the_auto_points_and_the_written_points_to_grade(course):
    rows = _csv(course["course"] / "grades-autograded.csv")
    spec_ = course["spec"]
    assert set(rows) == {r["id"] for r in RECIPES}
    expected = {"ada": (spec_.max_score, spec_.written_points), "ben": (0.0, 0.0), "cy": (spec_.max_score, 3.0)}
    for student, (auto, waiting) in expected.items():
        row = rows[student]
        assert float(row["max_score"]) == spec_.total_points
        assert float(row["max_auto_score"]) == spec_.max_score
        assert float(row["max_written_score"]) == spec_.written_points
        assert float(row["auto_score"]) == pytest.approx(auto)
        assert float(row["written_score"]) == 0.0
        assert float(row["written_to_grade"]) == pytest.approx(waiting)
        assert float(row["score"]) == pytest.approx(auto)


def test_export_after_hand_grading_adds_the_written_points(course):
    rows = _csv(course["course"] / "grades.csv")
    spec_ = course["spec"]
    given = {"ada": 2.5, "ben": 0.0, "cy": 2.0}
    waiting = {"ada": 0.0, "ben": 0.0, "cy": course["spec"].question("learning_rate").points}
    for student, points in given.items():
        auto = course["kit"][student]["score"]
        row = rows[student]
        assert float(row["written_score"]) == pytest.approx(points)
        assert float(row["written_to_grade"]) == pytest.approx(waiting[student])
        assert float(row["auto_score"]) == pytest.approx(auto)
        assert float(row["score"]) == pytest.approx(auto + points), student
        assert float(row["max_score"]) == spec_.total_points
    assert gradebook_written(course["course"], A1) == {
        "ada": {"xor_one_neuron": 1.5, "learning_rate": 1.0}, "ben": {"xor_one_neuron": 0.0, "learning_rate": 0.0},
        "cy": {"xor_one_neuron": 2.0, "learning_rate": None}}
    assert set(gradebook_scores(course["course"], A1)["ada"]) == {p.key for p in spec_.parts}


def test_feedback_shows_the_written_scores_and_the_whole_total(course):
    for student, points in {"ada": 2.5, "ben": 0.0, "cy": 2.0}.items():
        page = (course["course"] / "feedback" / student / A1 / f"{A1}.html").read_text(encoding="utf-8")
        shown = re.search(r"\(Score: ([0-9.]+) / ([0-9.]+)\)", page)
        assert float(shown[1]) == pytest.approx(course["kit"][student]["score"] + points), student
        assert float(shown[2]) == pytest.approx(course["spec"].total_points)
        for text in ANSWERS.get(student, {}).values():
            assert html.escape(text, quote=False) in page or text in page
    page = (course["course"] / "feedback" / "ada" / A1 / f"{A1}.html").read_text(encoding="utf-8")
    assert re.search(r"Score: 1\.5 / 2", page), "the hand-given score of a question is shown beside it"


def test_the_class_report_adds_written_scores_and_totals_from_the_gradebook(course):
    page = (course["course"] / "report.html").read_text(encoding="utf-8")
    spec_ = course["spec"]
    assert f"out of {spec_.total_points:g} points" in page
    assert "1 written answer still waits for a grader" in page
    row = re.search(r'<tr data-written="learning_rate">.*?</tr>', page).group(0)
    # ada's answer was graded by hand, cy's waits, ben left it blank (autograde's 0, which no one graded)
    assert '<td class="num graded">1</td>' in row and '<td class="num to-grade">1</td>' in row
    assert '<td class="num blank">1</td>' in row
    answers = len(RECIPES) * len(spec_.written)
    waiting = 1
    assert (f"Of {answers} answers: {len(MANUAL)} graded by hand, {waiting} still to grade, "
            f"{answers - len(MANUAL) - waiting} left blank (scored 0 automatically") in page
    summary = class_report.summarise(A1, course["course"] / "graded" / A1,
                                     gradebook_written(course["course"] / "gradebook.db", A1))
    totals = {s.name: s.total for s in summary.students}
    assert totals == pytest.approx({"ada": course["kit"]["ada"]["score"] + 2.5, "ben": course["kit"]["ben"]["score"],
                                    "cy": course["kit"]["cy"]["score"] + 2.0})
    assert {s.name: s.score for s in summary.students} == {s: course["kit"][s]["score"] for s in totals}
    assert "to grade" in re.search(r'<tr><th scope="row">cy</th>.*?</tr>', page).group(0)
    plain = class_report.main(A1, course["course"] / "graded" / A1, course["course"] / "report-auto.html") \
        .read_text(encoding="utf-8")
    assert f"out of {spec_.max_score:g} points" in plain and "--gradebook" in plain
    assert not [fragment for fragment in written.rubric_fragments(spec_) if fragment in page]


# -- units: no nbgrader command -----------------------------------------------------------------------------------
def test_answer_cells_carry_nbgraders_manually_graded_answer_metadata():
    from nbgrader.tests import create_grade_and_solution_cell
    from nbgrader.utils import is_grade, is_locked, is_solution
    for name in catalogues.names():
        assignment = catalogues.load(name)
        notebook = nbformat.reads(notebooks.build(assignment), as_version=4)
        nbformat.validate(notebook)
        for question in assignment.written:
            answer = next(c for c in notebook.cells if c.get("id") == f"written-{question.key}")
            reference = create_grade_and_solution_cell(notebooks.ANSWER_STUB, "markdown", question.key,
                                                       question.points)
            assert answer.metadata == reference.metadata and answer.source == reference.source
            assert is_grade(answer) and is_solution(answer) and not is_locked(answer)
            prompt = next(c for c in notebook.cells if c.get("id") == f"written-{question.key}-prompt")
            assert prompt.cell_type == "markdown" and is_locked(prompt) and not is_grade(prompt)
            assert question.title in prompt.source and notebooks.prompts(assignment)[question.key] in prompt.source


def test_every_assignment_asks_two_or_three_questions_worth_one_or_two_points():
    for name in catalogues.names():
        assignment = catalogues.load(name)
        assert 2 <= len(assignment.written) <= 3, name
        assert all(1 <= question.points <= 2 for question in assignment.written), name
        assert assignment.total_points == assignment.max_score + assignment.written_points


def test_grade_with_kit_leaves_a_written_answer_alone(tmp_path, submission):
    folder = submission(A1)
    answer = nbformat.v4.new_markdown_cell("My own words.")
    answer.metadata["nbgrader"] = {"grade": True, "solution": True, "grade_id": "xor_one_neuron", "points": 2,
                                   "locked": False, "schema_version": 3}
    grade = nbformat.v4.new_code_cell("check_part('sigmoid')")
    grade.metadata["nbgrader"] = {"grade": True, "solution": False, "grade_id": "sigmoid", "points": 2,
                                  "locked": True, "schema_version": 3}
    notebook = nbformat.v4.new_notebook(cells=[answer, grade])
    before = copy.deepcopy(answer)
    resources = {"nbgrader": {"assignment": A1, "student": "s", "notebook": A1}, "metadata": {"path": str(folder)}}
    notebook, _ = GradeWithKit(reuse_results="").preprocess(notebook, resources)
    assert notebook.cells[0] == before
    assert notebook.cells[1].outputs[-1]["data"]["text/plain"] == "2.0"


def test_written_keys_are_checked_against_parts_and_rubrics_add_up():
    part = catalogues.load(A1).parts[0]
    question = spec.Written("why", "Why", 1, rubric=((1, "says why"),))
    with pytest.raises(ValueError, match="must differ from part keys"):
        spec.Assignment("x", "X", (), (part,), written=(spec.Written(part.key, "T", 1, rubric=((1, "c"),)),))
    with pytest.raises(ValueError, match="unique"):
        spec.Assignment("x", "X", (), (), written=(question, question))
    with pytest.raises(ValueError, match="add up to 1.5, not 2"):
        spec.Written("q", "Q", 2, rubric=((1, "a"), (0.5, "b")))
    with pytest.raises(ValueError, match="letters, digits"):
        spec.Written("no spaces", "Q", 1, rubric=((1, "a"),))


@pytest.mark.parametrize("source, problem", [
    ("# %% [written] nowhere\n# Why?\n", "not in the catalogue"),
    ("# %% [written] why\n# Why?\n# %% [written] why\n# Again?\n", "more than one"),
    ("# %% [written] why\n\n", "has no prompt"),
    ("# %% [markdown]\n# Nothing asked.\n", "no '# %% [written]' marker"),
])
def test_a_bad_written_marker_gives_a_one_line_error(tmp_path, monkeypatch, source, problem):
    question = spec.Written("why", "Why", 1, rubric=((1, "says why"),))
    assignment = spec.Assignment("scratch", "Scratch", (), (), written=(question,))
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "scratch.py").write_text(source, encoding="utf-8")
    monkeypatch.setattr(paths, "ROOT", tmp_path)
    with pytest.raises(notebooks.NotebookSourceError, match=re.escape(problem)):
        notebooks.build(assignment)


def test_rubrics_command_prints_each_question_prompt_and_rubric(capsys):
    assert cli.main(["rubrics", "--assignment", "a3_backprop"]) == 0
    out = capsys.readouterr().out
    assignment = catalogues.load("a3_backprop")
    assert out == (paths.ROOT / written.path(assignment)).read_text(encoding="utf-8")
    for question in assignment.written:
        assert f"`{question.key}`" in out and question.title in out
        assert all(text in out for _, text in question.rubric)


def test_report_refuses_a_missing_gradebook_with_one_line(tmp_path, capsys):
    (tmp_path / "graded").mkdir()
    args = ["report", "--assignment", A1, "--out", str(tmp_path / "r.html"), "--gradebook",
            str(tmp_path / "gradebook.db"), str(tmp_path / "graded")]
    assert cli.main(args) == 2
    assert "no nbgrader gradebook at" in capsys.readouterr().err
    assert not (tmp_path / "gradebook.db").exists(), "nbgrader must not be left to create an empty gradebook"


def test_every_written_text_has_a_stable_key():
    assignment = catalogues.load("a2_forward")
    table = written.strings(assignment)
    for question in assignment.written:
        assert table[f"{question.key}.title"] == question.title
        assert table[f"{question.key}.prompt"] == notebooks.prompts(assignment)[question.key]
        assert [table[f"{question.key}.rubric.{n}"] for n in range(1, len(question.rubric) + 1)] == \
            [text for _, text in question.rubric]
    assert sync.instructor_files(assignment) == {"docs/rubrics/a2_forward.md": written.rubric_sheet(assignment)}

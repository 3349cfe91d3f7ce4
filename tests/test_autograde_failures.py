"""A resubmission that autograde cannot process never keeps the earlier grade (grader/adapters/nbgrader/cells.py,
grader/adapters/nbgrader/failures.py), with the real nbgrader CLI.

One course on ``a1_neuron_gd`` (the ``graded`` fixture): three students submit the solution and autograde gives each
full marks. Each then resubmits the stubs in a notebook whose nbgrader metadata nbgrader 0.9.6 cannot process:
- ``nogid``: a copy of a part's grade cell whose metadata has no ``grade_id``;
- ``dup``: a copy of a part's grade cell, ``grade_id`` and all;
- ``solpart``: a part's grade cell marked as a solution.
The course is copied once per configuration, and autograde runs on the resubmissions: with the kit's configuration,
with ``ZeroUntilGraded`` but not ``NormaliseCells``, and with neither (nbgrader's own steps: the control).
"""
import copy
import csv
import json
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import nbformat
import pytest

from grader import catalogues
from grader.adapters import demo
from grader.adapters.nbgrader import cells as nbgrader_cells, failures as autograde_failures
from grader.adapters.nbgrader.gradebook import gradebook_grades
from grader.authoring import notebooks
from grader.core import paths

pytestmark = pytest.mark.xdist_group("nbgrader")

A1 = "a1_neuron_gd"
STUDENTS = ("dup", "nogid", "solpart")
TIMEOUT = 900
STAMP = "%Y-%m-%d %H:%M:%S.%f UTC"
#: What each configuration appends to the course's nbgrader_config.py
WITHOUT_NORMALISER = (
    "\nfrom grader.adapters.nbgrader.failures import ZeroUntilGraded\n"
    "from nbgrader.converters.autograde import Autograde\n"
    "c.Autograde.sanitize_preprocessors = [ZeroUntilGraded] + "
    "list(Autograde.class_traits()['sanitize_preprocessors'].default())\n")
NBGRADER_ONLY = (
    "\nfrom nbgrader.converters.autograde import Autograde\n"
    "c.Autograde.sanitize_preprocessors = list(Autograde.class_traits()['sanitize_preprocessors'].default())\n")


def _nbgrader(course, *args):
    """Run nbgrader in ``course``; (exit status, everything it printed)."""
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=paths.tool_env(),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=TIMEOUT)
    return proc.returncode, proc.stdout + proc.stderr


def _submit(course, student, folder_maker, when):
    """Replace ``student``'s submission with what ``folder_maker(folder)`` writes, submitted at ``when``."""
    folder = course / "submitted" / student / A1
    if folder.exists():
        shutil.rmtree(folder)
    folder_maker(folder)
    (folder / "timestamp.txt").write_text(when.strftime(STAMP), encoding="utf-8")


def _malformed(student, release):
    """The stubs, in a notebook whose nbgrader metadata nbgrader 0.9.6 cannot process (the module's docstring)."""
    def make(folder):
        demo.build_student({"id": student, "base": "stub"}, A1, release, folder)
        path = folder / f"{A1}.ipynb"
        notebook = nbformat.read(path, as_version=4)
        part = _first_part(notebook)
        if student == "solpart":
            part.metadata.nbgrader["solution"] = True
        else:
            meta = copy.deepcopy(part.metadata)
            if student == "nogid":
                del meta.nbgrader["grade_id"]
            notebook.cells.append(nbformat.v4.new_code_cell(part.source, metadata=meta))
        nbformat.write(notebook, path)
    return make


def _parts(course):
    """``{student: {part: (auto score, needs a manual grade)}}`` from the gradebook."""
    grades = gradebook_grades(course, A1)
    return {student: {key: (grade["auto"], grade["needs_manual_grade"]) for key, grade in row.items()
                      if not grade["written"]} for student, row in grades.items()}


def _export(course):
    code, output = _nbgrader(course, "export")
    assert code == 0, output[-3000:]
    with open(course / "grades.csv", newline="", encoding="utf-8") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle)}, output


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The course after the first autograde (every student full marks), and one copy of it per configuration, each
    autograded again on the malformed resubmissions: ``{"full", "kit", "zero_only", "control"}``, each with the
    course folder, the exit status and the output of that autograde, the gradebook's parts and the export."""
    root = tmp_path_factory.mktemp("autograde-failures")
    course = demo.make_course(root / "first", A1)
    code, output = _nbgrader(course, "generate_assignment", A1)
    assert code == 0, output[-3000:]
    release = course / "release" / A1
    first = datetime.now(timezone.utc) - timedelta(hours=2)
    for student in STUDENTS:
        _submit(course, student, lambda folder, s=student: demo.build_student({"id": s, "base": "solution"}, A1,
                                                                              release, folder), first)
    code, output = _nbgrader(course, "autograde", A1)
    assert code == 0, output[-3000:]
    first_part = _first_part(nbformat.read(release / f"{A1}.ipynb", as_version=4)).metadata.nbgrader["grade_id"]
    outcome = {"full": {"course": course, "parts": _parts(course)}, "first_part": first_part}
    for name, extra in (("kit", ""), ("zero_only", WITHOUT_NORMALISER), ("control", NBGRADER_ONLY)):
        copy_ = root / name
        shutil.copytree(course, copy_)
        with open(copy_ / "nbgrader_config.py", "a", encoding="utf-8") as handle:
            handle.write(extra)
        for student in STUDENTS:
            _submit(copy_, student, _malformed(student, release), first + timedelta(hours=1))
        code, output = _nbgrader(copy_, "autograde", A1)
        rows, exported = _export(copy_)
        outcome[name] = {"course": copy_, "code": code, "output": output, "parts": _parts(copy_), "rows": rows,
                         "exported": exported}
    return outcome


def _full():
    """Full marks, part by part."""
    return {part.key: float(part.points) for part in catalogues.load(A1).parts}


def _first_part(notebook):
    """The first grade cell of a part (a code cell) in ``notebook``."""
    return next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code")


def _failure_lines(output, student):
    return [line for line in output.splitlines() if f"{student}: autograde could not finish {A1}/{A1}" in line]


def test_the_first_submissions_have_full_marks(graded):
    full = _full()
    for student in STUDENTS:
        assert {key: auto for key, (auto, _) in graded["full"]["parts"][student].items()} == full


def test_the_control_nbgrader_fails_each_resubmission_and_keeps_the_old_full_marks(graded):
    """The attack, with nbgrader's own steps: autograde fails, and the gradebook still says 20/20."""
    control = graded["control"]
    assert control["code"] != 0
    full = _full()
    for student in STUDENTS:
        assert f"There was an error processing assignment '{A1}' for student '{student}'" in control["output"]
        assert {key: auto for key, (auto, _) in control["parts"][student].items()} == full, student
        assert not (control["course"] / "autograded" / student / A1).exists()
        row = control["rows"][student]
        assert float(row["auto_score"]) == pytest.approx(sum(full.values())) and row["autograde_failed"] == "0"


def test_the_kit_grades_each_resubmission_for_what_it_is(graded):
    """With the normaliser, each resubmission is graded: the stubs score 0 in every part, with no flag."""
    kit = graded["kit"]
    assert kit["code"] == 0, kit["output"][-3000:]
    for student in STUDENTS:
        assert set(kit["parts"][student].values()) == {(0.0, False)}, student
        assert kit["rows"][student]["autograde_failed"] == "0" and float(kit["rows"][student]["auto_score"]) == 0
        assert not _failure_lines(kit["output"], student)
        notebook = nbformat.read(kit["course"] / "autograded" / student / A1 / f"{A1}.ipynb", as_version=4)
        ids = [c.metadata["nbgrader"]["grade_id"] for c in notebook.cells if "nbgrader" in c.metadata]
        assert len(ids) == len(set(ids)) and set(ids) >= {p.key for p in catalogues.load(A1).parts}
    assert "nogid: cell" in kit["output"] and "has no grade_id" in kit["output"]
    part = graded["first_part"]
    assert "dup: cell" in kit["output"] and f"repeats the grade_id '{part}' of a later cell" in kit["output"]
    assert f"solpart: cell '{part}' of {A1} had its nbgrader metadata changed (solution)" in kit["output"]


def test_a_submission_autograde_cannot_finish_scores_zero_and_is_flagged(graded):
    """Without the normaliser autograde still fails, but no one keeps the old grade: every part is 0 and waits for a
    grader, the command ends with one line per student, and the export marks the row."""
    zero = graded["zero_only"]
    assert zero["code"] != 0
    for student in STUDENTS:
        assert set(zero["parts"][student].values()) == {(0.0, True)}, student
        assert len(_failure_lines(zero["output"], student)) == 1, zero["output"][-3000:]
        row = zero["rows"][student]
        assert row["autograde_failed"] == "1" and float(row["auto_score"]) == 0 and float(row["score"]) == 0
        assert f"{student}: autograde could not finish {A1}; its autograded parts score 0" in zero["exported"]


def test_an_autograde_that_finishes_clears_the_flag(graded):
    """The instructor fixes the configuration (here: puts the normaliser back) and runs autograde again."""
    course = graded["zero_only"]["course"]
    config = (course / "nbgrader_config.py").read_text(encoding="utf-8")
    (course / "nbgrader_config.py").write_text(config.replace(WITHOUT_NORMALISER, ""), encoding="utf-8")
    code, output = _nbgrader(course, "autograde", A1, "--force")
    assert code == 0, output[-3000:]
    rows, _ = _export(course)
    for student in STUDENTS:
        assert set(_parts(course)[student].values()) == {(0.0, False)}
        assert rows[student]["autograde_failed"] == "0"


# -- units: no nbgrader command -----------------------------------------------------------------------------------
def _release_and_metadata():
    """The a1 notebook as released (its nbgrader metadata as released_metadata gives it, with the checksums), and
    that ``{grade_id: metadata}``."""
    notebook = nbformat.reads(notebooks.build(catalogues.load(A1)), as_version=4)
    released = {}
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader")
        if meta:
            released[meta["grade_id"]] = {
                "grade": bool(meta.get("grade")), "solution": bool(meta.get("solution")),
                "locked": bool(meta.get("locked")) and not meta.get("solution"), "task": bool(meta.get("task")),
                "grade_id": meta["grade_id"], "schema_version": 3, "cell_type": cell.cell_type,
                **({"points": float(meta["points"])} if meta.get("grade") else {})}
            cell.metadata["nbgrader"] = dict(released[meta["grade_id"]], checksum="0" * 32)
    return notebook, released


@pytest.mark.parametrize("damage, reason", [
    (lambda cells, part: cells.append(nbformat.v4.new_markdown_cell("x", metadata={"nbgrader": ["a"]})),
     "not_a_dict"),
    (lambda cells, part: cells.append(nbformat.v4.new_markdown_cell("x", metadata={"nbgrader": {"grade": True}})),
     "no_grade_id"),
    (lambda cells, part: cells.append(nbformat.v4.new_code_cell("x", metadata={"nbgrader": {
        "grade": True, "grade_id": "bonus", "points": 100, "solution": False, "locked": False}})), "unknown_id"),
    (lambda cells, part: cells.insert(0, copy.deepcopy(part)), "repeated_id"),
])
def test_metadata_nbgrader_cannot_process_is_removed(damage, reason):
    notebook, released = _release_and_metadata()
    part = _first_part(notebook)
    damage(notebook.cells, part)
    dropped, restored = nbgrader_cells.normalise(notebook, released)
    assert [why for _, why, _ in dropped] == [reason] and restored == []
    ids = [c.metadata["nbgrader"]["grade_id"] for c in notebook.cells if "nbgrader" in c.metadata]
    assert sorted(ids) == sorted(released)


def test_changed_metadata_of_a_released_cell_is_set_back():
    notebook, released = _release_and_metadata()
    part = _first_part(notebook)
    answer = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("solution"))
    part.metadata.nbgrader.update(solution=True, points=100, schema_version=4, extra="x")
    answer.metadata.nbgrader.update(grade=False)
    dropped, restored = nbgrader_cells.normalise(notebook, released)
    assert dropped == []
    assert dict(restored) == {part.metadata.nbgrader["grade_id"]: ["extra", "points", "schema_version", "solution"],
                              answer.metadata.nbgrader["grade_id"]: ["grade"]}
    for cell in (part, answer):
        meta = dict(cell.metadata.nbgrader)
        meta.pop("checksum", None)
        assert meta == released[meta["grade_id"]]


def test_a_notebook_as_released_is_left_as_it_is():
    notebook, released = _release_and_metadata()
    before = json.dumps(notebook, sort_keys=True)
    assert nbgrader_cells.normalise(notebook, released) == ([], [])
    assert json.dumps(notebook, sort_keys=True) == before


def test_text_that_is_not_valid_unicode_becomes_writable():
    """A lone surrogate (JSON allows ``"\\ud800"``) in a cell, its metadata or the notebook's metadata would make
    nbgrader fail to write the notebook as UTF-8; each becomes U+FFFD."""
    notebook, _ = _release_and_metadata()
    raw = nbformat.writes(notebook)
    control = nbformat.reads(raw.replace("YOUR ANSWER HERE", "YOUR ANSWER HERE \\ud800", 1), as_version=4)
    with pytest.raises(UnicodeEncodeError):
        nbformat.writes(control).encode("utf-8")
    notebook.cells[-1].source += "\ud800"
    notebook.cells[-1].metadata["note\udfff"] = ["x\ud83d"]
    notebook.metadata["title"] = "\udc00"
    assert nbgrader_cells.valid_text(notebook) == 4
    text = nbformat.writes(notebook)
    text.encode("utf-8")
    assert text.count("\ufffd") == 4 and nbgrader_cells.valid_text(notebook) == 0


def test_only_autograded_parts_count_as_failed():
    class Grade:
        def __init__(self, name, needs, manual):
            self.name, self.needs_manual_grade, self.manual_score = name, needs, manual
    answers = {"xor_one_neuron"}
    assert autograde_failures.failed(Grade("sigmoid", True, None), answers)
    assert not autograde_failures.failed(Grade("sigmoid", True, 1.0), answers)  # graded by hand before: a review
    assert not autograde_failures.failed(Grade("sigmoid", False, None), answers)
    assert not autograde_failures.failed(Grade("xor_one_neuron", True, None), answers)

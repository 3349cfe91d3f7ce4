"""``nnkit lms`` on the real course of the nbgrader round trip (its gradebook made by the real nbgrader CLI, its
graded/ folder by grade-all), against rosters shaped as Canvas and Moodle export them; and the CSV cells that every
CSV the kit writes makes inert."""
import csv
import shutil
import subprocess
import sys

import pytest

from grader import catalogues
from grader.adapters import batch
from grader.adapters.nbgrader.export import GradesCsvExport
from grader.core import paths
from grader.reports import csv_cells
from test_nbgrader_roundtrip import roundtrip  # noqa: F401 (the shared course fixture)

pytestmark = pytest.mark.xdist_group("nbgrader")

FORMULA = "=HYPERLINK(\"http://x\",\"y\")"


def _rows(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def _run(course, *args):
    proc = subprocess.run([sys.executable, "-m", "grader", "lms", *map(str, args)], cwd=course, env=paths.tool_env(),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300)
    return proc.returncode, proc.stdout, proc.stderr


def _canvas_roster(path, students, column, extra_row):
    """A Canvas gradebook export (Grades > Export, with SIS ids): a Manual Posting row and the Points Possible row
    first, another assignment and the read-only totals around the one to fill, the test student last."""
    header = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Notebook 0 (8801)", column,
              "Current Points", "Final Points", "Current Score", "Unposted Current Score", "Final Score",
              "Unposted Final Score"]
    rows = [header, ["", "", "", "", "", "", "Manual Posting", "", "", "", "", "", ""],
            ["    Points Possible", "", "", "", "", "10.00", "25.00"] + ["(read only)"] * 6]
    for number, student in enumerate(students):
        login = f"{student}@uni.example" if number % 2 else student  # an address's part before @, or the login
        rows.append([f"{student.title()}, Stu", str(2000 + number), f"S{number:04d}", login, "Section A", "8.00", "",
                     "8.00", "8.00", "80.00", "80.00", "80.00", "80.00"])
    rows.append(extra_row)
    rows.append(["Student, Test", "9999", "", "", "Section A", "", "", "0.00", "0.00", "", "", "", ""])
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)


def _moodle_roster(path, students, extra_row):
    """Moodle's participants download (Participants > select all > Download table data as CSV), with the identity
    fields email address and ID number, and a byte order mark as Excel-friendly exports start."""
    rows = [["First name", "Last name", "ID number", "Email address"]]
    for number, student in enumerate(students):
        rows.append([student.title(), "Stu", f"{student}" if number % 2 else f"N{number:04d}",
                     f"{student}@uni.example"])
    rows.append(extra_row)
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)


@pytest.fixture(scope="module")
def course(roundtrip, tmp_path_factory):  # noqa: F811
    """A copy of the round trip's course folder (its gradebook is then changed here only), with one student's
    written answers graded by hand through nbgrader's API."""
    from nbgrader.api import Gradebook
    root = tmp_path_factory.mktemp("lms")
    shutil.copyfile(roundtrip.course / "gradebook.db", root / "gradebook.db")
    spec = roundtrip.spec
    answered = next(r["id"] for r in roundtrip.recipes if r.get("answers"))
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as book:
        for question in spec.written:
            grade = book.find_grade(question.key, spec.name, spec.name, answered)
            grade.manual_score, grade.needs_manual_grade = question.points - 0.5, False
        book.db.commit()
        expected = {}
        for submission in book.assignment_submissions(spec.name):
            waiting = any(g.name in {q.key for q in spec.written} and g.manual_score is None and g.auto_score is None
                          for notebook in submission.notebooks for g in notebook.grades)
            expected[submission.student.id] = None if waiting else submission.score
    return {"root": root, "gradebook": root / "gradebook.db", "expected": expected, "answered": answered,
            "graded": roundtrip.course / "graded" / spec.name, "spec": spec, "ids": roundtrip.ids}


def test_canvas_file_from_the_gradebook_fills_only_the_assignment_column(course):
    spec, root = course["spec"], course["root"]
    column = f"{spec.title} (8812)"
    students = sorted(course["ids"])
    left_out = students[-1]
    _canvas_roster(root / "canvas.csv", students[:-1], column,
                   [f"{FORMULA}, Mal", "2999", "S2999", "mal", "Section A", "", "", "", "", "", "", "", ""])
    code, out, err = _run(root, "--format", "canvas", "--assignment", spec.name, "--gradebook", course["gradebook"],
                          "--roster", root / "canvas.csv", "--out", root / "canvas_import.csv")
    assert code == 0, err
    rows = _rows(root / "canvas_import.csv")
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", column]
    assert rows[1][0] == "    Points Possible" and float(rows[1][5]) == pytest.approx(spec.total_points)
    exported = {row[1]: row for row in rows[2:]}
    by_id = {str(2000 + number): student for number, student in enumerate(students[:-1])}
    for canvas_id, row in exported.items():
        expected = course["expected"][by_id[canvas_id]]
        assert expected is not None, f"{by_id[canvas_id]} has written answers to grade, yet was exported"
        assert float(row[5]) == pytest.approx(round(expected, 2))
    ready = {s for s in students[:-1] if course["expected"][s] is not None}
    assert {by_id[i] for i in exported} == ready
    assert course["answered"] in ready, "the student graded by hand is exported with the written points"
    lines = err.splitlines()
    assert f"lms: {left_out}: not in the roster, not exported" in lines
    assert any("no submission" in line and "Mal" in line for line in lines)
    assert any("Student, Test" in line and "no submission" in line for line in lines)
    for student in students[:-1]:
        if course["expected"][student] is None:
            assert any(line.startswith(f"lms: {student}: ") and "still to grade" in line for line in lines)
    assert "wrote" in out


def test_moodle_file_from_grade_all_results(course):
    spec, root = course["spec"], course["root"]
    students = sorted(p.stem for p in course["graded"].glob("*.json"))
    _moodle_roster(root / "moodle.csv", students, ["Nadia", "Nosub", "N9999", "nadia@uni.example"])
    code, out, err = _run(root, "--format", "moodle", "--assignment", spec.name, "--roster", root / "moodle.csv",
                          "--out", root / "moodle_import.csv", course["graded"])
    assert code == 0, err
    rows = _rows(root / "moodle_import.csv")
    title = catalogues.load(spec.name).title
    assert rows[0] == ["First name", "Last name", "ID number", "Email address", title]
    scores = {row[3].split("@")[0]: float(row[4]) for row in rows[1:]}
    assert set(scores) == set(students)
    for student in students:
        document = batch.read_results(course["graded"] / f"{student}.json")
        assert scores[student] == pytest.approx(round(document["score"], 2))
        assert scores[student] <= spec.max_score
    assert "autograded parts only" in err and "roster row" in err and "Nadia" in err


def test_it_refuses_a_roster_that_is_not_the_lms_export(course, tmp_path):
    (tmp_path / "roster.csv").write_text("name,score\nada,1\n", encoding="utf-8")
    code, _, err = _run(tmp_path, "--format", "canvas", "--assignment", course["spec"].name, "--roster",
                        tmp_path / "roster.csv", "--out", tmp_path / "out.csv", course["graded"])
    assert code == 2 and len(err.strip().splitlines()) == 1 and "'Student'" in err
    assert not (tmp_path / "out.csv").exists()


def test_a_canvas_roster_without_the_assignment_column_names_the_ones_it_has(course, tmp_path):
    _canvas_roster(tmp_path / "canvas.csv", ["ada"], "Something else (7)", ["", "", "", "", "", "", "", "", "", "",
                                                                          "", "", ""])
    code, _, err = _run(tmp_path, "--format", "canvas", "--assignment", course["spec"].name, "--roster",
                        tmp_path / "canvas.csv", "--out", tmp_path / "out.csv", course["graded"])
    assert code == 2 and "--column" in err and "Something else (7)" in err


# -- inert cells -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("cell, written", [
    ("=1+1", "'=1+1"), ("+1+1", "'+1+1"), ("-1+1", "'-1+1"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"), ("  =1", "'  =1"), ("-", "'-"), ("-2.5", "-2.5"), ("+3", "+3"), ("1e-3", "1e-3"),
    (-0.5, "-0.5"), (12, "12"), ("ada", "ada"), ("    Points Possible", "    Points Possible"), (None, ""),
])
def test_formula_cells_are_inert_and_numbers_stay_numbers(cell, written):
    assert csv_cells.inert(cell) == written


def test_grade_alls_csv_makes_a_formula_student_inert(tmp_path):
    spec = catalogues.load("a1_neuron_gd")
    batch.write_csv(spec, [FORMULA], tmp_path, {FORMULA: "none"}, tmp_path / "grades.csv")
    assert _rows(tmp_path / "grades.csv")[1][0] == "'" + FORMULA


def test_the_export_plugin_writes_nbgraders_columns_with_inert_names(tmp_path):
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}") as book:
        book.add_assignment("a1")
        book.add_student("mal", first_name=FORMULA, last_name="-1+2, x", email="@mal")
        book.add_student("ada", first_name="Ada", last_name="L")
        plugin = GradesCsvExport(to=str(tmp_path / "grades.csv"))
        plugin.export(book)
    rows = _rows(tmp_path / "grades.csv")
    assert rows[0] == list(GradesCsvExport.KEYS + GradesCsvExport.EXTRA)
    mal = next(row for row in rows if row[3] == "mal")
    assert (mal[4], mal[5], mal[6]) == ("'-1+2, x", "'" + FORMULA, "'@mal")
    assert mal[9] == "0.0" and len(mal) == len(rows[0])

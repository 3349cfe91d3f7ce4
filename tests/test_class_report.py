"""grader.reports.class_report: the instructor's page, from results that engine.grade made on real submissions."""
import base64
import html
import json
import re

import pytest

import mutants
from grader import catalogues
from grader.reports import class_report, results
from grader.adapters import cli
from grader.grading import engine
from grader.shipped import evaluation
from grader.core import paths
from grader.authoring import sync

A1 = "a1_neuron_gd"
SIGN_FLIP = {"neuron.py": [("np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))",
                            "np.where(z >= 0, e / (1.0 + e), 1.0 / (1.0 + e))")]}
HOSTILE = "<b>mallory<b>&<script>alert(1)<script>"  # no slash: it names a file


@pytest.fixture
def graded(submission, tmp_path):
    """A results folder of four students (solution, stubs, sign-flipped sigmoid twice), and their Reports."""
    folders = {
        "ada": submission(A1, name="ada"),
        "bob": submission(A1, stub=True, name="bob"),
        "cy": submission(A1, edits=SIGN_FLIP, name="cy"),
        HOSTILE: submission(A1, edits=SIGN_FLIP, name="mallory"),
    }
    out = tmp_path / "graded"
    reports = {}
    for name, folder in folders.items():
        reports[name] = engine.grade(A1, folder)
        results.write_json_atomic(results.to_results(reports[name]), out / f"{name}.json")
    return out, reports


def test_the_page_counts_parts_scores_and_misconceptions_as_graded(graded, tmp_path):
    folder, reports = graded
    assert reports["cy"].parts[0].misconceptions == ["sigmoid_sign"]  # the bug is really diagnosed

    summary = class_report.summarise(A1, folder)
    assert sorted(s.name for s in summary.students) == sorted(reports)
    assert sorted(s.score for s in summary.students) == sorted(r.score for r in reports.values())
    for key, _title, points, share, mean, known in summary.parts:
        part_scores = [next(p.score for p in r.parts if p.key == key) for r in reports.values()]
        assert known
        assert share == pytest.approx(sum(s >= points for s in part_scores) / len(part_scores))
        assert mean == pytest.approx(sum(part_scores) / len(part_scores))
    rows = {row[0]: row for row in summary.misconceptions}
    assert sorted(rows["sigmoid_sign"][3]) == sorted(["cy", HOSTILE])
    assert rows["bias_missing"][3] == []
    assert summary.misconceptions[0][0] == "sigmoid_sign"

    out = tmp_path / "report" / "class.html"
    assert cli.main(["report", "--assignment", A1, "--out", str(out), str(folder)]) == 0
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    message = catalogues.load(A1).parts[0].checks[0].misconceptions[0].message
    row = re.search(r'<tr data-misconception="sigmoid_sign">.*?</tr>', page).group(0)
    assert html.escape(message) in row and ">2 (50%)<" in row
    sigmoid_row = re.search(r'<tr data-part="sigmoid">.*?</tr>', page).group(0)
    assert "25%" in sigmoid_row  # only the solution has the sigmoid's full marks

    image = re.search(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page).group(1)
    assert base64.b64decode(image)[:8] == b"\x89PNG\r\n\x1a\n"
    assert not re.search(r'(src|href)="(?!data:)', page), "the page must be self-contained"


def test_the_page_escapes_student_text_and_shows_no_hidden_material(graded, tmp_path):
    folder, reports = graded
    crafted = results.to_results(reports["cy"])
    crafted["tests"][0]["extra_data"] = {"part": "<img src=x onerror=alert(2)>",
                                         "misconceptions": ["<svg onload=alert(3)>"]}
    results.write_json_atomic(crafted, folder / "eve.json")
    (folder / "broken.json").write_text("{not json", encoding="utf-8")
    (folder / "other.json").write_text(json.dumps({**crafted, "extra_data": {"assignment": "a9"}}), encoding="utf-8")

    out = tmp_path / "class.html"
    class_report.main(A1, folder, out)
    page = out.read_text(encoding="utf-8")
    for raw in ("<b>mallory", "<script", "<img src=x", "<svg"):
        assert raw not in page
    assert html.escape(HOSTILE) in page
    assert "&lt;svg onload=alert(3)&gt;" in page
    assert "broken.json" in page and "other.json" in page  # listed as not counted, not silently dropped

    # What the tests' output says (which quotes hidden cases' expected values) never reaches the page.
    outputs = [test["output"] for r in reports.values() for test in results.to_results(r)["tests"]]
    hidden_lines = [line for text in outputs for line in text.splitlines() if "(hidden case)" in line]
    assert hidden_lines and not any(line in page or html.escape(line) in page for line in hidden_lines)
    assert "values differ" not in page and "hidden case" not in page
    solution = paths.SOLUTIONS / A1 / "neuron.py"
    secret = sync.solution_lines(solution.read_text(encoding="utf-8"), solution)
    assert secret and not [line for line in secret if line in page or html.escape(line) in page]


def test_an_empty_folder_still_gives_a_page_and_a_missing_one_a_clean_error(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    out = class_report.main(A1, empty, tmp_path / "empty.html")
    assert "No results files were found" in out.read_text(encoding="utf-8")
    assert cli.main(["report", "--assignment", A1, "--out", str(tmp_path / "x.html"), str(tmp_path / "nope")]) == 2
    said = capsys.readouterr().err
    assert said.count("\n") == 1 and said.startswith("nnkit: error:")
    assert f"nnkit grade-all --assignment {A1} --results-dir {tmp_path / 'nope'}" in said
    assert cli.main(["report", "--assignment", "a0_nothing", "--out", str(tmp_path / "x.html"), str(empty)]) == 2
    assert "nnkit: error:" in capsys.readouterr().err


def test_the_graders_own_diagnoses_are_listed_with_their_message(submission, tmp_path):
    """An argument changed in place is named by the grader itself, not by a catalogue: the page still gives its
    message, and does not call it unknown."""
    out = tmp_path / "graded"
    edits = mutants.mutant(A1, "theta0 changed in place").edits
    report = engine.grade(A1, submission(A1, edits=edits, name="ida"))
    assert "in_place" in next(p for p in report.parts if p.key == "batch_gd").misconceptions
    results.write_json_atomic(results.to_results(report), out / "ida.json")
    rows = {row[0]: row for row in class_report.summarise(A1, out).misconceptions}
    key, message, _, students, known = rows["in_place"]
    assert students == ["ida"] and known
    assert message == evaluation.say("in_place")

"""One character cannot stop a class: a lone surrogate (``"\\ud800"``) from a student's process is made valid text
as the grader parses it, every writer writes valid UTF-8 whatever str it is given, and grade-all writes the class's
CSV whatever goes wrong with one student.

The hostile submission is tests/hostile_text.py's; Gradescope's and PrairieLearn's runners are tested with it in
their own files. Each defence has a control that shows the attack with the defence off.
"""
import csv
import dataclasses
import os
import subprocess
import sys

import nbformat
import pytest

import hostile_text
from conftest import ROOT, cli_env, make_submission
from grader import catalogues
from grader.adapters import batch
from grader.adapters.nbgrader.autograde import GradeWithKit
from grader.grading import engine
from grader.reports import class_report, results
from grader.sandbox.runner import Sandbox
from grader.shipped import wire
from hostile_text import A1, REPLACEMENT, SHOWN, assert_graded, read_valid, surrogates

SPEC = catalogues.load(A1)

MODULE = '''
import warnings


def text():
    return "a \\ud800 b"


def keyed():
    return {"\\ud800": "\\udfff", "fine": ["x\\udc00"]}


def raising():
    raise ValueError("bad \\ud800")


def warning():
    warnings.warn("careful \\ud800")
    return 1.0


def framed():
    def named():
        raise ValueError("from a frame")
    named.__code__ = named.__code__.replace(co_name="\\ud800")
    named()
'''
#: Each function of MODULE, and where its surrogate lands in the Outcome, as U+FFFD once decoded.
LANDS = {"text": ("value", "a \ufffd b"), "keyed": ("value", {"\ufffd": "\ufffd", "fine": ["x\ufffd"]}),
         "raising": ("detail", "bad \ufffd"), "warning": ("warnings", ["UserWarning: careful \ufffd"]),
         "framed": ("where", None)}


@pytest.mark.parametrize("raw, parsed", [
    (b'{"a": "\\ud800"}', {"a": REPLACEMENT}),
    (b'{"a": "x \\uDBFF y", "b": ["\\uDc00"]}', {"a": f"x {REPLACEMENT} y", "b": [REPLACEMENT]}),
    (b'{"\\udc00": {"\\ud800\\ud800": "\\ud83d\\ude00"}}', {REPLACEMENT: {REPLACEMENT * 2: "\U0001f600"}}),
    (b'{"a": "\\\\ud800"}', {"a": "\\ud800"}),  # an escaped backslash, then the letters ud800: no surrogate
], ids=["value", "upper-case", "keys-and-a-pair", "escaped-backslash"])
def test_an_answer_is_parsed_into_valid_text(raw, parsed):
    assert wire.load_answer(raw) == parsed


def test_an_answer_that_is_not_utf8_is_refused():
    with pytest.raises(ValueError):
        wire.load_answer('{"a": "\ud800"}'.encode("utf-16"))


def _outcomes():
    with Sandbox({"m.py": MODULE.encode("utf-8")}) as sandbox:
        return {name: sandbox.call("m", name) for name in LANDS}


def test_every_string_from_the_students_process_is_valid_text_once_decoded():
    """A returned string, a dict key and value, an exception's text, a warning and a traceback's function name."""
    for name, outcome in _outcomes().items():
        field, shown = LANDS[name]
        assert not surrogates(dataclasses.asdict(outcome)), name
        if shown is not None:
            assert getattr(outcome, field) == shown, name
        else:
            assert any(f"in {REPLACEMENT}" in line for line in outcome.where), outcome.where


def test_control_without_the_sanitiser_the_surrogates_come_through(monkeypatch):
    monkeypatch.setattr(wire, "valid_texts", lambda data: data)
    for name, outcome in _outcomes().items():
        field, _ = LANDS[name]
        assert surrogates(getattr(outcome, field)), name


# -- the report and its writers, in this process ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """(folder, the engine's Report of it) for the hostile submission."""
    folder = hostile_text.build(tmp_path_factory.mktemp("hostile") / A1)
    return folder, engine.grade(A1, folder)


def _outputs(document):
    return {test["extra_data"]["part"]: test["output"] for test in document["tests"]}


def test_the_report_holds_valid_text_and_only_the_hostile_cases_fail(hostile):
    _, report = hostile
    failed = {case.function for part in report.parts for case in part.cases if not case.passed}
    assert failed == hostile_text.HIT
    document = results.to_results(report)
    assert_graded(_outputs(document), document["score"], report.score)


def _write_everything(report, folder, out):
    """Every writer of a report: results.json, PrairieLearn's, grade-all's CSV, the class report's HTML."""
    document = results.to_results(report)
    fingerprint = batch.graded_fingerprint("kit", report)
    document["extra_data"].update(student="mallory", fingerprint=fingerprint)
    results.write_results(document, out / "graded" / "mallory.json")
    results.write_results(results.to_prairielearn(document), out / "prairielearn.json")
    batch.write_csv(SPEC, ["mallory"], out / "graded", {"mallory": fingerprint}, out / "grades.csv")
    class_report.main(A1, out / "graded", out / "report.html")
    return [out / "graded" / "mallory.json", out / "prairielearn.json", out / "grades.csv", out / "report.html"]


def test_every_writer_writes_valid_text_even_when_the_report_holds_surrogates(hostile, tmp_path, monkeypatch):
    folder, _ = hostile
    monkeypatch.setattr(wire, "valid_texts", lambda data: data)  # the sandbox's line off: the writers' line alone
    report = engine.grade(A1, folder)
    assert surrogates(results.to_results(report)), "the control: without the sandbox's line the report holds them"
    written = {path.name: path.read_bytes().decode("utf-8") for path in _write_everything(report, folder, tmp_path)}
    for name in ("mallory.json", "prairielearn.json"):
        assert "bad \ufffd text" in written[name] and "careful \ufffd" in written[name]
    assert read_valid(tmp_path / "graded" / "mallory.json")["score"] == report.score
    header, row = csv_rows(tmp_path / "grades.csv")
    assert float(dict(zip(header, row))["total"]) == report.score and dict(zip(header, row))["status"] == ""


def csv_rows(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_control_with_both_lines_off_writing_the_results_fails_and_leaves_no_file(hostile, tmp_path, monkeypatch):
    folder, _ = hostile
    monkeypatch.setattr(wire, "valid_texts", lambda data: data)
    monkeypatch.setattr(wire, "valid_text", lambda text: text)
    document = results.to_results(engine.grade(A1, folder))
    with pytest.raises(UnicodeEncodeError):
        results.write_results(document, tmp_path / "results.json")
    assert list(tmp_path.iterdir()) == []


# -- python -m grader grade, in English and in Chinese ---------------------------------------------------------------
def _grade(folder, out, lang, *prefix):
    command = [sys.executable, *prefix, "grade", "--assignment", A1, "--lang", lang, "--out", str(out), str(folder)]
    return subprocess.run(command, cwd=ROOT, env=cli_env(), capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_grade_writes_the_results_in_each_language(hostile, tmp_path, lang):
    folder, report = hostile
    done = _grade(folder, tmp_path / "results.json", lang, "-m", "grader")
    assert done.returncode == 0, done.stderr
    document = read_valid(tmp_path / "results.json")
    assert_graded(_outputs(document), document["score"], report.score)


UNDEFENDED = ("-c", "import sys; from grader.shipped import wire; wire.valid_texts = lambda d: d; "
                    "wire.valid_text = lambda t: t; from grader.adapters import cli; sys.exit(cli.main(sys.argv[1:]))")


def test_control_grade_without_the_defences_exits_with_no_results(hostile, tmp_path):
    folder, _ = hostile
    done = _grade(folder, tmp_path / "results.json", "zh", *UNDEFENDED)
    assert done.returncode == 1 and "UnicodeEncodeError" in done.stderr
    assert not (tmp_path / "results.json").exists()


# -- grade-all ---------------------------------------------------------------------------------------------------
NOT_UTF8 = os.fsdecode(b"caf\xe9")  # a folder name that is not UTF-8: Python holds it with a surrogate


def _grade_all(submitted, out):
    command = [sys.executable, "-m", "grader", "grade-all", "--assignment", A1, "--jobs", "2", "--csv",
               str(out / "grades.csv"), "--results-dir", str(out / "results"), str(submitted)]
    return subprocess.run(command, cwd=ROOT, env=cli_env(), capture_output=True, text=True, timeout=600)


def test_grade_all_writes_the_class_csv_whatever_one_student_does(hostile, tmp_path):
    folder, report = hostile
    submitted, out = tmp_path / "submitted", tmp_path / "out"
    make_submission(submitted / "alice" / A1, A1)
    make_submission(submitted / NOT_UTF8 / A1, A1)
    make_submission(submitted / "dora" / A1, A1)
    hostile_text.build(submitted / "mallory" / A1)
    (out / "results" / "dora.json").mkdir(parents=True)  # dora's results cannot be written: her grading raises
    for run in range(2):  # the rerun grades dora again, reuses the rest, and writes the CSV again
        done = _grade_all(submitted, out)
        assert done.returncode == 1, done.stderr
        rows = {row[0]: row for row in csv_rows(out / "grades.csv")[1:]}
        header = csv_rows(out / "grades.csv")[0]
        total, status = header.index("total"), header.index("status")
        assert sorted(rows) == sorted(["alice", "caf\ufffd", "dora", "mallory"])
        assert float(rows["alice"][total]) == float(rows["caf\ufffd"][total]) == SPEC.max_score
        assert float(rows["mallory"][total]) == report.score
        assert [rows[name][status] for name in ("alice", "caf\ufffd", "mallory")] == ["", "", ""]
        assert rows["dora"][1:status] == [""] * (status - 1)
        assert rows["dora"][status].startswith("not graded: IsADirectoryError")
        failed = [line for line in done.stderr.splitlines() if "dora" in line]
        assert len(failed) == 1 and failed[0].startswith("grader: could not grade dora: IsADirectoryError")
        if run:
            assert "0 graded, 3 unchanged" in done.stderr
    document = read_valid(out / "results" / "mallory.json")
    assert_graded(_outputs(document), document["score"], report.score)


def test_control_without_the_catch_one_students_failure_escapes(tmp_path):
    folder = make_submission(tmp_path / "dora" / A1, A1)
    path = tmp_path / "results" / "dora.json"
    path.mkdir(parents=True)
    with pytest.raises(IsADirectoryError):
        batch._grade_one(A1, "dora", str(folder), "kit", path, False, 60.0, None)
    student, error = batch.grade_one(A1, "dora", str(folder), "kit", path, budget_seconds=60.0)
    assert student == "dora" and error.startswith("IsADirectoryError")


# -- nbgrader autograde ------------------------------------------------------------------------------------------
def _grade_cells():
    cells = []
    for part in SPEC.parts:
        cell = nbformat.v4.new_code_cell(f"check_part({part.key!r})")
        cell.metadata["nbgrader"] = {"grade": True, "grade_id": part.key, "points": part.points, "solution": False,
                                     "locked": True, "schema_version": 3}
        cells.append(cell)
    return nbformat.v4.new_notebook(cells=cells)


def test_autograde_fills_the_grade_cells_and_the_notebook_is_saved(hostile, tmp_path):
    folder, report = hostile
    resources = {"nbgrader": {"assignment": A1, "student": "mallory", "notebook": A1},
                 "metadata": {"path": str(folder)}}
    notebook, _ = GradeWithKit(reuse_results="").preprocess(_grade_cells(), resources)
    nbformat.write(notebook, tmp_path / "autograded.ipynb")  # what nbgrader does next, as UTF-8
    saved = nbformat.read(tmp_path / "autograded.ipynb", 4)
    outputs = {cell.metadata["nbgrader"]["grade_id"]: cell.outputs[0].text for cell in saved.cells}
    from nbgrader.utils import determine_grade
    score = round(sum(determine_grade(cell)[0] for cell in saved.cells), 4)
    assert not any("could not run" in text for text in outputs.values())
    assert_graded(outputs, score, report.score)

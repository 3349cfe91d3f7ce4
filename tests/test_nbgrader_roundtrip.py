"""The instructor's round trip through nbgrader 0.9.6, end to end, in a temporary course folder.

One session-wide course (the ``roundtrip`` fixture, shared by every xdist worker through a lock) runs:
1. ``python -m grader demo``: generate_assignment, an LMS download of the example class, zip_collect, autograde,
   generate_feedback, export, grade-all and the class report;
2. the exchange route for more students: release_assignment, one real ``nbgrader submit``, one submission placed
   in the inbound folder by hand, collect, autograde;
3. zip_collect --force again, with archives whose entries point outside their folder;
4. a resubmission of the hanging student, and autograde --force for that student;
5. generate_feedback --force and export, then ``python -m grader grade`` on every final submission.
The tests only read what it recorded. The unit tests at the end run no nbgrader command.
"""
import csv
import fcntl
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import nbformat
import numpy as np
import pytest

from grader import catalogues
from grader.adapters import demo
from grader.adapters.nbgrader.autograde import GradeWithKit, autograde_preprocessors, sanitize_preprocessors, score_text
from grader.adapters.nbgrader.collect import NAMED_REGEXP, SafeExtractor
from grader.adapters.nbgrader.files import expected_files
from grader.adapters.nbgrader.gradebook import gradebook_scores, gradebook_written
from grader.core import paths
from grader.authoring import sync, written
from grader.adapters.nbgrader.export import GradesCsvExport
from feedback_pages import link_targets, read_summary

pytestmark = pytest.mark.xdist_group("nbgrader")

TIMEOUT = 900


def _tamper_recipe():
    return {
        "id": "tamper", "about": "the stubs, plus notebook cells that patch the checks and kill the kernel",
        "base": "stub",
        "notebook_cells": [
            "import _selfcheck.local as local\nlocal.check_part = lambda part: print('all checks passed')\n"
            "RESULT = 1e9",
            "import numpy as np\nnp.allclose = lambda *args, **kwargs: True\nnp.isclose = np.allclose",
            "import os\nos._exit(0)",
        ],
        "expect": {"all": "zero"},
    }


def _crash_recipe(assignment):
    """The solution, except that the last part's last checked function kills its process, and the first part's
    grade cell is deleted from the notebook."""
    spec = catalogues.load(assignment)
    first, last = spec.parts[0], spec.parts[-1]
    return {"id": "crash", "about": "os._exit in a function, a grade cell deleted", "base": "solution",
            "prepend": {last.checks[-1].function: ["import os", "os._exit(3)"]},
            "drop_grade_cells": [first.key],
            "expect": {"below_full": [last.key], "full": [first.key]}}


def _hanging(recipes):
    return next(r for r in recipes if r.get("expect", {}).get("timeouts"))


def _secrets(assignment):
    """The solution lines of every module in solutions/<assignment>/."""
    lines = set()
    for module in sorted((paths.SOLUTIONS / assignment).glob("*.py")):
        lines.update(sync.solution_lines(module.read_text(encoding="utf-8"), module))
    return lines


# -- the shared course ----------------------------------------------------------------------------------------------
@contextmanager
def _locked(path):
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


STEP_SECONDS = {}


def _run(command, cwd, env, label):
    started = time.monotonic()
    proc = subprocess.run(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=TIMEOUT)
    STEP_SECONDS[label] = round(time.monotonic() - started, 1)
    if proc.returncode != 0:
        tail = (proc.stdout + proc.stderr)[-3000:]
        raise RuntimeError(f"{label} failed with exit status {proc.returncode}:\n{tail}")
    return proc


def _files(root, skip=()):
    """Every file and link under root, as relative paths, leaving out the folders in ``skip``."""
    found = set()
    for dirpath, dirnames, filenames in os.walk(root):
        rel = Path(dirpath).relative_to(root)
        dirnames[:] = [d for d in dirnames if str(rel / d) not in skip]
        found.update(str(rel / name) for name in filenames + [d for d in dirnames if Path(dirpath, d).is_symlink()])
    return found


def _evil_archives(archive, root):
    """Archives that try to write outside their folder. Returns the paths they aim at."""
    extracted = archive.parent / "extracted"
    targets = [root / "abs-escape.py", extracted / "escaped.py", extracted.parent / "escaped2.py",
               extracted / "mallory" / "escaped.py", root.parent / "escaped3.py"]
    with zipfile.ZipFile(archive / "mallory.zip", "w") as handle:
        handle.writestr("a/neuron.py", "print('hello')\n")
        handle.writestr("../escaped.py", "x = 1\n")
        handle.writestr("../../escaped2.py", "x = 1\n")
        handle.writestr("../" * 12 + str(root.parent / "escaped3.py").lstrip("/"), "x = 1\n")
        handle.writestr(str(root / "abs-escape.py"), "x = 1\n")
    with zipfile.ZipFile(archive / "zoe.zip", "w") as handle:
        link = zipfile.ZipInfo("a/neuron.py")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        handle.writestr(link, str(root / "abs-escape.py"))
    with zipfile.ZipFile(archive / "wendy.zip", "w") as handle:
        handle.writestr("..\\..\\escaped.py", "x = 1\n")
        handle.writestr("C:/escaped.py", "x = 1\n")
    (archive / "loose_neuron.py").write_text("x = 1\n", encoding="utf-8")
    return targets


def _build(root):
    assignment = demo.choose_assignment()
    recipes = demo.load_class(assignment)
    course, exchange, students = root / "course", root / "exchange", root / "students"
    env = paths.tool_env(NNKIT_EXCHANGE=str(exchange))
    env.pop("NNKIT_COURSE_ID", None)
    nbgrader = [sys.executable, "-m", "nbgrader"]
    outcome = {"assignment": assignment, "recipes": recipes, "routes": {r["id"]: "zip_collect" for r in recipes}}

    # 1. the demo, exactly as the README runs it
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "grader", "demo", "--course-dir", str(course)], cwd=root, env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=TIMEOUT)
    STEP_SECONDS["demo"] = round(time.monotonic() - started, 1)
    outcome["demo"] = {"code": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr}
    if not (course / "gradebook.db").is_file() or not (course / "autograded").is_dir():
        raise RuntimeError(f"the demo did not get as far as autograde:\n{(proc.stdout + proc.stderr)[-3000:]}")
    outcome["demo_gradebook"] = gradebook_scores(course, assignment)

    # 2. the exchange: one real `nbgrader submit`, one submission placed in the inbound folder by hand
    _run(nbgrader + ["release_assignment", assignment], course, env, "release_assignment")
    extra = [_tamper_recipe(), _crash_recipe(assignment)]
    release = course / "release" / assignment
    tamper = demo.build_student(extra[0], assignment, release, students / "tamper" / assignment)
    _run(nbgrader + ["submit", assignment, "--student", "tamper", "--course", "nnkit",
                     f"--Exchange.root={exchange}", f"--Exchange.cache={root / 'cache'}"],
         tamper.parent, env, "nbgrader submit")
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    inbound = exchange / "nnkit" / "inbound" / f"crash+{assignment}+{stamp}"
    demo.build_student(extra[1], assignment, release, inbound)
    (inbound / "timestamp.txt").write_text(stamp, encoding="utf-8")
    _run(nbgrader + ["collect", assignment], course, env, "collect")
    _run(nbgrader + ["autograde", assignment], course, env, "autograde (exchange students)")
    outcome["recipes"] += extra
    outcome["routes"].update({"tamper": "collect", "crash": "collect"})
    outcome["first_gradebook"] = gradebook_scores(course, assignment)
    hanging = _hanging(recipes)
    notebook = nbformat.read(course / "autograded" / hanging["id"] / assignment / f"{assignment}.ipynb", 4)
    outcome["hung_cells"] = {c.metadata.nbgrader["grade_id"]: "".join(o.get("text", "") for o in c.outputs)
                             for c in notebook.cells
                             if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")}

    # 3. zip_collect again, now with archives that point outside their folder
    archive = course / "downloaded" / assignment / "archive"
    targets = _evil_archives(archive, root)
    skip = {f"course/downloaded/{assignment}/extracted", "course/submitted"}
    before = _files(root, skip)
    proc = _run(nbgrader + ["zip_collect", "--force", assignment], course, env, "zip_collect with unsafe archives")
    outcome["unsafe"] = {"targets": [str(t) for t in targets], "created": sorted(_files(root, skip) - before),
                         "log": proc.stdout + proc.stderr,
                         "submitted": sorted(p.name for p in (course / "submitted").iterdir())}

    # 4. the hanging student resubmits working code; autograde must replace the old grade
    fixed = dict(hanging, prepend={})
    fixed_folder = demo.build_student(fixed, assignment, release, students / "fixed" / assignment)
    for module in catalogues.load(assignment).modules:
        shutil.copyfile(fixed_folder / f"{module}.py", course / "submitted" / hanging["id"] / assignment /
                        f"{module}.py")
    _run(nbgrader + ["autograde", assignment, "--student", hanging["id"], "--force"], course, env,
         "autograde --force")
    outcome["final_gradebook"] = gradebook_scores(course, assignment)
    outcome["final_written"] = gradebook_written(course, assignment)

    # 5. feedback for everyone, the CSV, and the kit's own grader on the same files, two students at a time
    _run(nbgrader + ["generate_feedback", assignment, "--force"], course, env, "generate_feedback")
    _run(nbgrader + ["export"], course, env, "export")
    started = time.monotonic()
    kit = root / "kit"
    commands = {r["id"]: [sys.executable, "-m", "grader", "grade", "--assignment", assignment, "--out",
                          str(kit / f"{r['id']}.json"), str(course / "submitted" / r["id"] / assignment)]
                for r in outcome["recipes"]}
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda item: _run(item[1], root, env, f"grader grade {item[0]}"), commands.items()))
    outcome["kit"] = {student: demo.results_by_part(json.loads((kit / f"{student}.json").read_text(
        encoding="utf-8"))) for student in commands}
    STEP_SECONDS["grader grade, every student"] = round(time.monotonic() - started, 1)
    outcome["seconds"] = dict(STEP_SECONDS)
    return outcome


class RoundTrip:
    def __init__(self, root, outcome):
        self.root = Path(root)
        self.course = self.root / "course"
        self.__dict__.update(outcome)
        self.spec = catalogues.load(self.assignment)
        self.ids = [r["id"] for r in self.recipes]

    def recipe(self, student):
        return next(r for r in self.recipes if r["id"] == student)

    def feedback_page(self, student):
        return self.course / "feedback" / student / self.assignment / f"{self.assignment}.html"


@pytest.fixture(scope="session")
def roundtrip(tmp_path_factory):
    """The course after the whole round trip. Built once per test run, whatever the number of xdist workers."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # shared by the workers of this run
    root, record = base / "nbgrader-roundtrip", base / "nbgrader-roundtrip.json"
    with _locked(base / "nbgrader-roundtrip.lock"):
        if not record.is_file():
            if root.exists():
                shutil.rmtree(root)
            root.mkdir()
            try:
                outcome = _build(root)
            except Exception as exc:  # recorded, so that other workers fail fast instead of rebuilding
                outcome = {"error": f"{type(exc).__name__}: {exc}"}
            record.write_text(json.dumps(outcome), encoding="utf-8")
    outcome = json.loads(record.read_text(encoding="utf-8"))
    if "error" in outcome:
        pytest.fail(f"the nbgrader round trip failed: {outcome['error']}", pytrace=False)
    return RoundTrip(root, outcome)


# -- the demo ------------------------------------------------------------------------------------------------------
def test_demo_runs_every_step_and_prints_the_table(roundtrip):
    out = roundtrip.demo["stdout"]
    assert roundtrip.demo["code"] == 0, roundtrip.demo["stderr"][-2000:]
    for step in ("generate_assignment", "zip_collect", "autograde", "generate_feedback", "export",
                 "grade-all", "report"):
        assert f"[ok] nbgrader {step}" in out or f"[ok] grader {step}" in out, step
    for recipe in demo.load_class(roundtrip.assignment):
        assert re.search(rf"^  {recipe['id']} ", out, re.M), f"{recipe['id']} missing from the grade table"
    assert "Feedback pages:" in out and "Class report:" in out
    assert (roundtrip.course / "class_report.html").is_file()
    assert (roundtrip.course / "kit_grades.csv").is_file()
    for log in sorted((roundtrip.course / "logs").glob("nbgrader_*.log")):
        assert "not recognized by" not in log.read_text(encoding="utf-8"), f"{log.name} warns about a config option"


def test_demo_refuses_a_folder_it_did_not_make(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    assert demo.main(tmp_path) == 1
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


# -- release -------------------------------------------------------------------------------------------------------
def test_release_holds_the_generated_files_and_no_solution_line(roundtrip):
    release = roundtrip.course / "release" / roundtrip.assignment
    present = {str(p.relative_to(release)) for p in release.rglob("*") if p.is_file()}
    assert present == set(sync.build(roundtrip.spec)), "release/ must hold exactly the generated student files"
    assert {"test_selfcheck.py", "pytest.ini", "_selfcheck/cases.json", f"{roundtrip.assignment}.ipynb"} <= present
    secret = _secrets(roundtrip.assignment)
    assert secret
    for file in release.rglob("*"):
        if file.is_file():
            text = file.read_bytes().decode("utf-8", errors="replace")
            leaked = [line for line in secret if line in text]
            assert not leaked, f"{file} holds solution lines: {leaked[:3]}"
            assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
            assert not [piece for piece in written.rubric_fragments(roundtrip.spec) if piece in text], file


def test_release_stubs_equal_the_kit_stubs(roundtrip):
    release = roundtrip.course / "release" / roundtrip.assignment
    for module in roundtrip.spec.modules:
        assert (release / f"{module}.py").read_bytes() == (paths.ASSIGNMENTS / roundtrip.assignment /
                                                           f"{module}.py").read_bytes()


# -- collection ----------------------------------------------------------------------------------------------------
def test_both_routes_deliver_each_submission(roundtrip):
    assert set(roundtrip.routes.values()) == {"zip_collect", "collect"}
    expected = set(expected_files(roundtrip.assignment))
    for student, route in roundtrip.routes.items():
        folder = roundtrip.course / "submitted" / student / roundtrip.assignment
        present = {p.name for p in folder.iterdir() if p.is_file()}
        if route == "zip_collect":
            assert present == expected, student  # only the notebook and the graded modules, from a whole folder
        else:
            assert expected | {"timestamp.txt"} <= present, student


def test_unsafe_archives_write_nothing_outside(roundtrip):
    unsafe = roundtrip.unsafe
    for target in unsafe["targets"]:
        assert not Path(target).exists(), f"an archive entry escaped to {target}"
    assert unsafe["created"] == [], f"files appeared outside extracted/ and submitted/: {unsafe['created']}"
    extracted = roundtrip.course / "downloaded" / roundtrip.assignment / "extracted"
    assert all(entry.is_dir() and not entry.is_symlink() for entry in extracted.iterdir())
    assert {p.name for p in extracted.iterdir()} == set(roundtrip.routes) - {"tamper", "crash"}
    for student in ("mallory", "zoe", "wendy"):
        assert student not in unsafe["submitted"]
    assert "mallory.zip: unsafe entry" in unsafe["log"] and "zoe.zip: entry" in unsafe["log"]
    assert set(roundtrip.routes) <= set(unsafe["submitted"])


# -- grades --------------------------------------------------------------------------------------------------------
def test_every_student_gets_a_grade_for_every_part(roundtrip):
    for snapshot in (roundtrip.first_gradebook, roundtrip.final_gradebook):
        assert set(snapshot) == set(roundtrip.ids)
        for student, scores in snapshot.items():
            assert set(scores) == {part.key for part in roundtrip.spec.parts}, student
            assert all(score is not None for score in scores.values()), (student, scores)


def test_grades_follow_each_recipe(roundtrip):
    hanging = _hanging(roundtrip.recipes)["id"]
    for recipe in roundtrip.recipes:
        # the hanging student's first grades; everyone else's are the same in both snapshots
        problems = demo.check_expectations(recipe, roundtrip.assignment, roundtrip.first_gradebook[recipe["id"]],
                                           None if recipe["id"] == hanging else roundtrip.kit[recipe["id"]])
        assert problems == []


def test_gradebook_equals_the_kits_grader_per_part(roundtrip):
    for student in roundtrip.ids:
        for part in roundtrip.spec.parts:
            assert roundtrip.final_gradebook[student][part.key] == pytest.approx(
                roundtrip.kit[student][part.key]["score"], abs=1e-9), (student, part.key)


def test_demo_grades_equal_the_batch_grader(roundtrip):
    graded = roundtrip.course / "graded" / roundtrip.assignment
    for recipe in demo.load_class(roundtrip.assignment):
        document = json.loads((graded / f"{recipe['id']}.json").read_text(encoding="utf-8"))
        for part, result in demo.results_by_part(document).items():
            assert roundtrip.demo_gradebook[recipe["id"]][part] == pytest.approx(result["score"], abs=1e-9)


def test_notebook_code_added_by_a_student_changes_nothing(roundtrip):
    scores = roundtrip.final_gradebook["tamper"]
    assert all(score == 0 for score in scores.values()), scores
    notebook = nbformat.read(roundtrip.course / "autograded" / "tamper" / roundtrip.assignment /
                             f"{roundtrip.assignment}.ipynb", 4)
    added = [cell for cell in notebook.cells if cell.source in _tamper_recipe()["notebook_cells"]]
    assert len(added) == 3, "the added cells reached autograde"
    assert all(cell.outputs == [] for cell in added), "notebook cells are never executed"


def test_a_crashing_function_or_a_deleted_grade_cell_costs_nothing_else(roundtrip):
    scores = roundtrip.final_gradebook["crash"]
    first, last = roundtrip.spec.parts[0], roundtrip.spec.parts[-1]
    assert scores[last.key] < last.points
    assert "crashed the process" in roundtrip.kit["crash"][last.key]["output"]
    assert scores[first.key] == pytest.approx(first.points), "the deleted grade cell was put back and graded"
    submitted = nbformat.read(roundtrip.course / "submitted" / "crash" / roundtrip.assignment /
                              f"{roundtrip.assignment}.ipynb", 4)
    assert first.key not in [c.metadata.get("nbgrader", {}).get("grade_id") for c in submitted.cells]
    assert (roundtrip.course / "autograded" / "crash" / roundtrip.assignment).is_dir()


def test_hanging_code_scores_zero_on_hung_parts_and_a_resubmission_replaces_it(roundtrip):
    hanging = _hanging(roundtrip.recipes)
    first, final = roundtrip.first_gradebook[hanging["id"]], roundtrip.final_gradebook[hanging["id"]]
    for part in hanging["expect"]["timeouts"]:
        assert first[part] == 0
        assert "longer than" in roundtrip.hung_cells[part], "the grade cell says why"
    for part in roundtrip.spec.parts:
        assert final[part.key] == pytest.approx(part.points), "autograde --force replaced the old grade"
    for student in roundtrip.ids:
        if student != hanging["id"]:
            assert roundtrip.final_gradebook[student] == roundtrip.first_gradebook[student]


def test_export_csv_matches_the_gradebook(roundtrip):
    with open(roundtrip.course / "grades.csv", newline="", encoding="utf-8") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert set(rows) == set(roundtrip.ids)
    for student, scores in roundtrip.final_gradebook.items():
        written = roundtrip.final_written[student]
        given = sum(value for value in written.values() if value is not None)
        waiting = sum(roundtrip.spec.question(key).points for key, value in written.items() if value is None)
        row = {key: float(value) for key, value in rows[student].items() if key in GradesCsvExport.EXTRA
               or key in ("score", "max_score")}
        assert row["score"] == pytest.approx(sum(scores.values()) + given, abs=1e-6)
        assert row["auto_score"] == pytest.approx(sum(scores.values()), abs=1e-6)
        assert (row["written_score"], row["written_to_grade"]) == pytest.approx((given, waiting))
        assert row["max_score"] == pytest.approx(roundtrip.spec.total_points)
        assert row["max_auto_score"] == pytest.approx(roundtrip.spec.max_score)
        assert row["max_written_score"] == pytest.approx(roundtrip.spec.written_points)
    answered = [r["id"] for r in roundtrip.recipes if r.get("answers")]
    assert answered, "the demo class should answer its written questions"
    for student in answered:
        assert all(roundtrip.final_written[student][key] is None for key in roundtrip.recipe(student)["answers"])


# -- feedback ------------------------------------------------------------------------------------------------------
FORBIDDEN = ("Traceback (most recent call last)", "site-packages", "grader/grading/engine.py", "grader/sandbox",
             "grader.catalogues", "BEGIN HIDDEN TESTS", "BEGIN SOLUTION", "Misconception(", "Case((",
             "CellTimeoutError")


def test_feedback_pages_show_scores_and_messages_and_nothing_hidden(roundtrip):
    secret = _secrets(roundtrip.assignment)
    for student in roundtrip.ids:
        page = roundtrip.feedback_page(student).read_text(encoding="utf-8")
        total = sum(roundtrip.final_gradebook[student].values())  # nobody's written answers are graded yet
        shown = re.search(r"\(Score: ([0-9.]+) / ([0-9.]+)\)", page)
        assert shown and float(shown[1]) == pytest.approx(total, abs=0.01), student
        assert float(shown[2]) == pytest.approx(roundtrip.spec.total_points), student
        for part in roundtrip.spec.parts:
            first_line = roundtrip.kit[student][part.key]["output"].splitlines()[0]
            assert first_line in page, (student, part.key)
        leaked = [line for line in secret if line in page]
        assert not leaked, f"{student}'s feedback shows solution lines: {leaked[:3]}"
        for text in FORBIDDEN:
            assert text not in page, (student, text)
        assert "cdnjs" not in page and "<script src=" not in page, "the page must open offline"


def _classic_bug(roundtrip):
    """(student, part) of the demo class's student whose one classic bug the grader diagnoses."""
    recipe = next(r for r in roundtrip.recipes if r.get("expect", {}).get("misconceptions"))
    return recipe["id"], next(iter(recipe["expect"]["misconceptions"]))


def _fix_first(output):
    """The functions a part's messages say to fix first."""
    found = re.search(r"^Fix (.+?) first", output, re.M)
    return found[1].split(", ") if found else []


def test_feedback_starts_with_the_first_failure_and_its_likely_cause(roundtrip):
    student, key = _classic_bug(roundtrip)
    page = roundtrip.feedback_page(student).read_text(encoding="utf-8")
    summary = read_summary(page)
    assert summary["start"] < page.index('class="cell '), "the summary comes before the notebook's first cell"
    assert page.index("<details><summary>", page.index('<div id="toc">')) < page.index("<ol>", page.index(
        '<div id="toc">')), "nbgrader's list of every cell's score is folded away under the summary"
    lost = {row["title"]: row for row in summary["rows"] if row["status"] == "nnkit-lost"}
    assert summary["verdict"].startswith(f"{len(lost)} of {len(roundtrip.spec.parts)} parts lost points")
    row = lost[roundtrip.spec.part(key).title]
    first = roundtrip.kit[student][key]["output"].splitlines()[1]  # the grade cell's first failed case
    assert row["cause"].startswith("Likely cause: ")
    assert first == f"{row['failure']}. {row['cause']}", "the failure, then its cause on a line of its own"
    upstream = [row for row in lost.values() if row["upstream"]]
    assert upstream, "an integrated part names the function to fix first"
    for row in upstream:
        part = next(part for part in roundtrip.spec.parts if part.title == row["title"])
        assert part.integrated and _fix_first(row["upstream"]) == _fix_first(roundtrip.kit[student][part.key]["output"])
        assert row["links"] == [lost[roundtrip.spec.part(key).title]["href"]], "it leads to that function's part"


def test_feedback_of_full_marks_says_every_part_passed(roundtrip):
    complete = [r["id"] for r in roundtrip.recipes if r.get("expect", {}).get("all") == "full"]
    assert complete
    for student in complete:
        summary = read_summary(roundtrip.feedback_page(student).read_text(encoding="utf-8"))
        assert summary["verdict"] == "Every part passed."
        parts = [row for row in summary["rows"] if row["status"] != "nnkit-written"]
        assert [row["title"] for row in parts] == [part.title for part in roundtrip.spec.parts]
        assert all(row["status"] == "nnkit-passed" and row["score"] == row["points"] for row in parts), student


def test_feedback_summary_scores_are_the_gradebooks_and_its_links_lead_to_the_cells(roundtrip):
    keys = {part.title: part.key for part in roundtrip.spec.parts}
    for student in roundtrip.ids:
        page = roundtrip.feedback_page(student).read_text(encoding="utf-8")
        summary, targets = read_summary(page), link_targets(page)
        scores = roundtrip.final_gradebook[student]
        given = sum(value for value in roundtrip.final_written[student].values() if value is not None)
        assert summary["total"] == pytest.approx((sum(scores.values()) + given, roundtrip.spec.total_points),
                                                 abs=0.01), student
        shown = re.search(r"\(Score: ([0-9.]+) / ([0-9.]+)\)", page)
        assert summary["total"] == pytest.approx((float(shown[1]), float(shown[2])), abs=0.01), student
        parts = [row for row in summary["rows"] if row["status"] != "nnkit-written"]
        assert [keys[row["title"]] for row in parts] == [part.key for part in roundtrip.spec.parts], student
        for row in summary["rows"]:
            assert row["href"][1:] in targets and all(link[1:] in targets for link in row["links"]), (student, row)
        for row in parts:
            key = keys[row["title"]]
            assert row["score"] == pytest.approx(scores[key], abs=0.01), (student, key)
            output = roundtrip.kit[student][key]["output"]
            # no more than the grade cell shows: a hidden case's summary line is the cell's own words
            assert row["failure"] in output and row["cause"].removeprefix("Likely cause: ") in output, (student, key)
            assert (row["status"] == "nnkit-lost") == (row["score"] < row["points"]), (student, key)


def test_feedback_folder_adds_no_file_beyond_the_students_own_and_the_release(roundtrip):
    release = roundtrip.course / "release" / roundtrip.assignment
    for student in roundtrip.ids:
        submitted = roundtrip.course / "submitted" / student / roundtrip.assignment
        feedback = roundtrip.course / "feedback" / student / roundtrip.assignment
        for file in feedback.rglob("*"):
            if not file.is_file() or file.suffix == ".html":
                continue
            rel = file.relative_to(feedback)
            same = [p for p in (submitted / rel, release / rel) if p.is_file() and p.read_bytes() == file.read_bytes()]
            assert same, f"{file} is neither the student's nor a released file"


def test_feedback_embeds_the_training_plots_of_converge_parts(roundtrip):
    converge = [part.key for part in roundtrip.spec.parts if any(c.kind == "converge" for c in part.checks)]
    if not converge:
        pytest.skip(f"{roundtrip.assignment} has no training runs")
    complete = next(r["id"] for r in roundtrip.recipes if r.get("expect", {}).get("all") == "full")
    notebook = nbformat.read(roundtrip.course / "autograded" / complete / roundtrip.assignment /
                             f"{roundtrip.assignment}.ipynb", 4)
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade_id") in converge:
            images = [o for o in cell.outputs if "image/png" in o.get("data", {})]
            assert images, f"no plot in the grade cell of {meta['grade_id']}"
            assert all(o.metadata["image/png"]["alt"] for o in images)
    page = roundtrip.feedback_page(complete).read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") >= len(converge)


def test_grade_cells_hold_a_plain_float_and_no_error(roundtrip):
    for student in roundtrip.ids:
        notebook = nbformat.read(roundtrip.course / "autograded" / student / roundtrip.assignment /
                                 f"{roundtrip.assignment}.ipynb", 4)
        for cell in notebook.cells:
            if cell.cell_type != "code" or not cell.metadata.get("nbgrader", {}).get("grade"):
                continue
            kinds = [o.output_type for o in cell.outputs]
            assert "error" not in kinds and kinds[-1] == "execute_result", (student, kinds)
            assert all(o.get("name") != "stderr" for o in cell.outputs)
            text = cell.outputs[-1]["data"]["text/plain"]
            assert re.fullmatch(r"\d+\.\d+(e-?\d+)?", text), text
            assert float(text) == pytest.approx(roundtrip.final_gradebook[student][cell.metadata.nbgrader.grade_id])


# -- units: no nbgrader command ------------------------------------------------------------------------------------
def _load_config(folder, **env):
    from traitlets.config.loader import PyFileConfigLoader
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        return PyFileConfigLoader("nbgrader_config.py", path=str(folder)).load_config()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def test_config_copied_elsewhere_takes_its_own_folder(tmp_path):
    shutil.copyfile(paths.ROOT / "nbgrader_config.py", tmp_path / "nbgrader_config.py")
    config = _load_config(tmp_path, NNKIT_EXCHANGE="")
    assert config.CourseDirectory.root == str(tmp_path.resolve())
    assert config.CourseDirectory.source_directory == "assignments"
    assert config.Exchange.root == str(tmp_path.resolve() / "exchange")
    assert _load_config(tmp_path, NNKIT_EXCHANGE="/srv/x").Exchange.root == "/srv/x"
    excluded = config.Autograde.exclude_overwriting
    assert set(excluded) == set(catalogues.names())
    for name in catalogues.names():
        assert excluded[name] == [f"{module}.py" for module in catalogues.load(name).modules]
    assert config.FileNameCollectorPlugin.valid_ext == [".ipynb", ".py"]
    assert config.ZipCollectApp.extractor_plugin is SafeExtractor


def test_autograde_runs_the_kit_instead_of_a_kernel():
    from nbgrader.converters.autograde import Autograde
    from grader.adapters.nbgrader.failures import ZeroUntilGraded
    from grader.adapters.nbgrader.cells import NormaliseCells
    from grader.adapters.nbgrader.safe_markdown import SanitiseMarkdown
    from nbgrader.preprocessors import Execute
    defaults = list(Autograde.class_traits()["autograde_preprocessors"].default())
    ours = autograde_preprocessors()
    assert Execute not in ours and ours[0] is GradeWithKit and ours[1] is SanitiseMarkdown
    assert ours[2:] == defaults[1:]
    sanitize = list(Autograde.class_traits()["sanitize_preprocessors"].default())
    assert sanitize_preprocessors() == [ZeroUntilGraded, NormaliseCells] + sanitize


@pytest.mark.parametrize("path, match", [
    ("/c/downloaded/a1/extracted/ada/neuron.py", ("ada", "neuron.py")),
    ("/c/downloaded/a1/extracted/b.o-b_2/a1_neuron_gd.ipynb", ("b.o-b_2", "a1_neuron_gd.ipynb")),
    ("/c/downloaded/a1/extracted/ada/sub/neuron.py", None),
    ("/c/downloaded/a1/extracted/../neuron.py", None),
    ("/c/downloaded/a1/extracted/ada/notes.txt", None),
])
def test_named_regexp_takes_the_student_and_file_from_the_absolute_path(path, match):
    found = re.match(NAMED_REGEXP, path)
    assert (found and (found["student_id"], found["file_id"])) == (match or None)


def _extractor(tmp_path, assignment="a1_neuron_gd"):
    from traitlets.config import Config
    extractor = SafeExtractor(config=Config())
    extractor._release = lambda: None
    extractor._wanted = lambda: set(expected_files(assignment))
    return extractor


def test_extractor_supplies_the_released_notebook_when_one_is_missing_or_broken(tmp_path):
    archive, out, release = tmp_path / "archive", tmp_path / "extracted", tmp_path / "release"
    for folder in (archive, out, release):
        folder.mkdir()
    released = nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]))
    (release / "a1_neuron_gd.ipynb").write_text(released, encoding="utf-8")
    with zipfile.ZipFile(archive / "ada.zip", "w") as handle:
        handle.writestr("neuron.py", "mine\n")
        handle.writestr("a1_neuron_gd-Copy1.ipynb", "renamed\n")
    with zipfile.ZipFile(archive / "ben.zip", "w") as handle:
        handle.writestr("notes.txt", "nothing to grade\n")
    with zipfile.ZipFile(archive / "cleo.zip", "w") as handle:
        handle.writestr("neuron.py", "cleo\n")
        handle.writestr("a1_neuron_gd.ipynb", '{"cells": [')
    with zipfile.ZipFile(archive / "dev.zip", "w") as handle:
        handle.writestr("a1_neuron_gd.ipynb", released.replace("x = 1", "x = 2"))
    extractor = _extractor(tmp_path)
    extractor._release = lambda: release
    extractor.extract(str(archive), str(out))
    assert (out / "ada" / "a1_neuron_gd.ipynb").read_text() == released
    assert (out / "ada" / "neuron.py").read_text() == "mine\n"
    assert not (out / "ben").exists(), "a submission with nothing to grade stays out"
    assert (out / "cleo" / "a1_neuron_gd.ipynb").read_text() == released, "a broken notebook is replaced"
    assert "x = 2" in (out / "dev" / "a1_neuron_gd.ipynb").read_text(), "a readable notebook is kept"


def test_extractor_takes_the_shallowest_expected_files_only(tmp_path):
    archive, out = tmp_path / "archive", tmp_path / "extracted"
    archive.mkdir()
    out.mkdir()
    with zipfile.ZipFile(archive / "ada.zip", "w") as handle:
        handle.writestr("a1_neuron_gd/neuron.py", "top\n")
        handle.writestr("a1_neuron_gd/old/neuron.py", "deeper\n")
        handle.writestr("a1_neuron_gd/_selfcheck/local.py", "not wanted\n")
        handle.writestr("__MACOSX/a1_neuron_gd/neuron.py", "junk\n")
        handle.writestr("a1_neuron_gd/a1_neuron_gd.ipynb", "{}\n")
    (archive / "ben").mkdir()
    (archive / "ben" / "gradient_descent.py").write_text("ben\n", encoding="utf-8")
    (archive / "ben" / "evil.py").symlink_to("/etc/passwd")
    (archive / "ben" / "neuron.py").symlink_to("/etc/passwd")
    (archive / "Bad Name.zip").write_bytes((archive / "ada.zip").read_bytes())
    (archive / "notes.py").write_text("loose\n", encoding="utf-8")
    _extractor(tmp_path).extract(str(archive), str(out))
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()) == [
        "ada/a1_neuron_gd.ipynb", "ada/neuron.py", "ben/gradient_descent.py"]
    assert (out / "ada" / "neuron.py").read_text() == "top\n"


@pytest.mark.parametrize("entry", ["../x.py", "a/../../x.py", "/abs/x.py", "..\\x.py", "C:\\x.py", "C:/x.py",
                                   "\\\\server\\share\\x.py"])
def test_extractor_skips_a_whole_archive_with_an_unsafe_entry(tmp_path, entry):
    archive, out = tmp_path / "archive", tmp_path / "work" / "extracted"
    archive.mkdir()
    out.mkdir(parents=True)
    with zipfile.ZipFile(archive / "eve.zip", "w") as handle:
        handle.writestr("neuron.py", "fine\n")
        handle.writestr(entry, "bad\n")
    _extractor(tmp_path).extract(str(archive), str(out))
    assert not any(out.rglob("*"))
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()) == ["archive/eve.zip"]


def test_extractor_skips_links_and_bombs(tmp_path):
    archive, out = tmp_path / "archive", tmp_path / "extracted"
    archive.mkdir()
    out.mkdir()
    with zipfile.ZipFile(archive / "lin.zip", "w") as handle:
        info = zipfile.ZipInfo("neuron.py")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        handle.writestr(info, "/etc/passwd")
    with zipfile.ZipFile(archive / "bomb.zip", "w", zipfile.ZIP_DEFLATED) as handle:
        handle.writestr("neuron.py", "0" * (2 * 1024 ** 2))
    (archive / "junk.zip").write_bytes(b"not a zip")
    extractor = _extractor(tmp_path)
    extractor.max_bytes = 1024 ** 2
    extractor.extract(str(archive), str(out))
    assert not any(out.rglob("*"))


def _grade_cells(points):
    cells = [nbformat.v4.new_code_cell("print('student code')")]
    for key, value in points.items():
        cell = nbformat.v4.new_code_cell(f"check_part({key!r})")
        cell.metadata["nbgrader"] = {"grade": True, "grade_id": key, "points": value, "solution": False,
                                     "locked": True, "schema_version": 3}
        cells.append(cell)
    return nbformat.v4.new_notebook(cells=cells)


def test_a_grader_that_cannot_run_gives_zero_and_one_line_everywhere(tmp_path):
    notebook = _grade_cells({"sigmoid": 2, "neuron": 1})
    resources = {"nbgrader": {"assignment": "no_such_assignment", "student": "s", "notebook": "n"},
                 "metadata": {"path": str(tmp_path)}}
    notebook, _ = GradeWithKit().preprocess(notebook, resources)
    from nbgrader.utils import determine_grade
    for cell in notebook.cells[1:]:
        assert [o.output_type for o in cell.outputs] == ["stream", "execute_result"]
        assert cell.outputs[0].name == "stdout" and cell.outputs[0].text.count("\n") == 1
        assert "could not run" in cell.outputs[0].text and "Traceback" not in cell.outputs[0].text
        assert determine_grade(cell)[0] == 0.0
    assert notebook.cells[0].outputs == []


def test_grade_cells_get_the_graders_scores_on_a_submission(tmp_path, submission):
    folder = submission("a1_neuron_gd", stub=True)
    points = {part.key: part.points for part in catalogues.load("a1_neuron_gd").parts}
    notebook = _grade_cells(dict(points, not_a_part=1))
    resources = {"nbgrader": {"assignment": "a1_neuron_gd", "student": "s", "notebook": "n"},
                 "metadata": {"path": str(folder)}}
    notebook, _ = GradeWithKit().preprocess(notebook, resources)
    from nbgrader.utils import determine_grade
    for cell in notebook.cells[1:]:
        assert determine_grade(cell)[0] == 0.0
    assert "not a part of a1_neuron_gd" in notebook.cells[-1].outputs[0].text


def test_score_text_is_a_plain_float():
    assert score_text(np.float64(1.25)) == "1.25"
    assert score_text(np.float32(0.0)) == "0.0"
    assert score_text(2) == "2.0"


def test_recipes_build_from_the_kit_not_from_copies():
    for path in sorted(demo.EXAMPLES.glob("*.json")):
        assignment = path.stem
        assert assignment in catalogues.names(), path
        secret = _secrets(assignment)
        text = path.read_text(encoding="utf-8")
        assert not [line for line in secret if line in text], f"{path} copies solution lines"
        recipes = demo.load_class(assignment)
        about = [r.get("expect", {}) for r in recipes]
        assert {"all": "full"} in about and {"all": "zero"} in about
        assert any("timeouts" in e for e in about) and any("misconceptions" in e for e in about)


@pytest.mark.parametrize("assignment", sorted(
    p.stem for p in demo.EXAMPLES.glob("*.json") if (paths.ASSIGNMENTS / p.stem / f"{p.stem}.ipynb").is_file()))
def test_every_recipe_still_applies_to_the_kit(tmp_path, assignment):
    spec = catalogues.load(assignment)
    for recipe in demo.load_class(assignment) + [_tamper_recipe(), _crash_recipe(assignment)]:
        folder = demo.build_student(recipe, assignment, paths.ASSIGNMENTS / assignment,
                                    tmp_path / recipe["id"] / assignment)
        for module in spec.modules:
            text = (folder / f"{module}.py").read_text(encoding="utf-8")
            compile(text, f"{recipe['id']}/{module}.py", "exec")
            assert "### BEGIN SOLUTION" not in text
        nbformat.validate(nbformat.read(folder / f"{assignment}.ipynb", 4))
        keys = {part.key for part in spec.parts}
        expect = recipe.get("expect", {})
        named = set(expect.get("full", [])) | set(expect.get("zero", [])) | set(expect.get("below_full", [])) \
            | set(expect.get("timeouts", [])) | set(expect.get("misconceptions", {}))
        assert named <= keys, f"{assignment}/{recipe['id']} names unknown parts: {named - keys}"

"""``python -m grader grade-all``: a class graded in parallel, resumable, and in agreement with ``grade``."""
import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import ROOT, cli_env, comparable, make_submission, solution_anchor
from grader.adapters import batch
from grader import catalogues
from grader.grading import engine
from grader.core import paths

A1 = "a1_neuron_gd"




XOR_ANCHOR = solution_anchor(A1, "neuron", "xor_gate")


def build_class(submitted, students):
    """``students`` maps a name to make_submission keywords, or to None for a student with no A1 folder."""
    for name, spec in students.items():
        if spec is None:
            (submitted / name / "other_assignment").mkdir(parents=True)
        else:
            make_submission(submitted / name / A1, A1, **spec)
    return submitted


def grade_all(submitted, out, *extra, env=None, **popen):
    command = [sys.executable, "-m", "grader", "grade-all", "--assignment", A1, "--jobs", "2",
               "--csv", str(out / "grades.csv"), "--results-dir", str(out / "results"), *extra, str(submitted)]
    return subprocess.run(command, cwd=ROOT, env=env or cli_env(), capture_output=True, text=True, timeout=300,
                          **popen)


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def total(row):
    """A CSV row's total: the column before the status."""
    return float(row[-2])


@pytest.fixture(scope="module")
def small_class(tmp_path_factory):
    """Five students, graded once by grade-all for the tests below to inspect."""
    root = tmp_path_factory.mktemp("class")
    submitted = build_class(root / "submitted", {
        "alice": {},
        "bob": {"stub": True},
        "carol": {"edits": {"neuron.py": [(XOR_ANCHOR, XOR_ANCHOR + "    return np.zeros(4)\n")]}},
        "dave": None,
        "erin": {"edits": {"gradient_descent.py": "raise SystemExit('unfinished')\n"}},
    })
    (submitted / "erin" / A1 / "gradient_descent.py").unlink()
    (submitted / ".DS_Store").write_text("", encoding="utf-8")
    done = grade_all(submitted, root / "out")
    return root, submitted, done


def test_every_student_gets_a_row_and_a_results_file(small_class):
    root, submitted, done = small_class
    assert done.returncode == 0, done.stderr
    rows = read_csv(root / "out" / "grades.csv")
    keys = [part.key for part in catalogues.load(A1).parts]
    assert rows[0] == ["student"] + keys + ["total", "status"]
    by_student = {row[0]: row for row in rows[1:]}
    assert sorted(by_student) == ["alice", "bob", "carol", "dave", "erin"]
    maximum = catalogues.load(A1).max_score
    assert total(by_student["alice"]) == maximum
    assert total(by_student["bob"]) == 0.0
    assert 0 < total(by_student["carol"]) < maximum and 0 < total(by_student["erin"]) < maximum
    assert by_student["dave"][1:] == ["0"] * (len(keys) + 1) + [""]
    assert {row[-1] for row in rows[1:]} == {""}, "every student was graded: no status to flag"
    dave = json.loads((root / "out" / "results" / "dave.json").read_text(encoding="utf-8"))
    assert dave["score"] == 0 and "no a1_neuron_gd/ folder was submitted" in dave["tests"][0]["output"]
    erin = json.loads((root / "out" / "results" / "erin.json").read_text(encoding="utf-8"))
    assert "gradient_descent.py is missing from the submission" in json.dumps(erin)
    assert "graded" in done.stderr and "%" in done.stderr  # the summary and the progress bar, on stderr
    assert done.stdout == ""


def test_the_csv_agrees_with_grade_for_each_student(small_class, tmp_path):
    root, submitted, _ = small_class
    rows = {row[0]: row for row in read_csv(root / "out" / "grades.csv")[1:]}
    keys = [part.key for part in catalogues.load(A1).parts]
    for student in ("alice", "bob", "carol", "erin"):
        out = tmp_path / f"{student}.json"
        single = subprocess.run([sys.executable, "-m", "grader", "grade", "--assignment", A1, "--out", str(out),
                                 str(submitted / student / A1)], cwd=ROOT, env=cli_env(), capture_output=True,
                                text=True, timeout=120)
        assert single.returncode == 0, single.stderr
        document = json.loads(out.read_text(encoding="utf-8"))
        batch_document = json.loads((root / "out" / "results" / f"{student}.json").read_text(encoding="utf-8"))
        assert comparable(document) == comparable(batch_document)
        scores = {test["extra_data"]["part"]: test["score"] for test in document["tests"]}
        assert [float(cell) for cell in rows[student][1:-1]] == [scores[key] for key in keys] + [document["score"]]


def test_a_second_run_grades_only_what_changed(small_class, tmp_path):
    root, submitted, _ = small_class
    out = tmp_path / "out"
    (out / "results").mkdir(parents=True)
    for path in (root / "out" / "results").glob("*.json"):  # a copy of the finished run's results
        (out / "results" / path.name).write_bytes(path.read_bytes())
    (out / "results" / "bob.json").unlink()  # as if the run had stopped before bob
    (out / "results" / ".carol.json.abc123").write_text('{"half": ', encoding="utf-8")  # a killed write
    before = {path.name: path.stat().st_mtime_ns for path in (out / "results").glob("*.json")}
    done = grade_all(submitted, out)
    assert done.returncode == 0, done.stderr
    assert "1 graded, 4 unchanged" in done.stderr
    after = {path.name: path.stat().st_mtime_ns for path in (out / "results").glob("*.json")}
    assert {name: after[name] for name in before} == before
    assert read_csv(out / "grades.csv") == read_csv(root / "out" / "grades.csv")
    assert not list((out / "results").glob(".*"))

    fixed = submitted / "carol" / A1 / "neuron.py"
    original = fixed.read_text(encoding="utf-8")
    try:
        fixed.write_text(original.replace("    return np.zeros(4)\n", ""), encoding="utf-8")
        again = grade_all(submitted, out)
    finally:
        fixed.write_text(original, encoding="utf-8")
    assert again.returncode == 0 and "1 graded, 4 unchanged" in again.stderr
    carol = next(row for row in read_csv(out / "grades.csv") if row[0] == "carol")
    assert total(carol) == catalogues.load(A1).max_score


def test_a_result_graded_under_another_budget_is_graded_again(tmp_path):
    """The budget decides which calls run, so a results file is current only under the budget that graded it:
    ``--budget 30`` is the default's setting and reuses it, ``--budget 25`` grades again, and then reuses its own.
    (Before the budget was in the fingerprint, the third run said "0 graded, 1 unchanged".)"""
    submitted = build_class(tmp_path / "submitted", {"alice": {}})
    out = tmp_path / "out"
    runs = [grade_all(submitted, out, *extra) for extra in ((), ("--budget", "30"), ("--budget", "25"),
                                                            ("--budget", "25"))]
    assert all(run.returncode == 0 for run in runs), [run.stderr for run in runs]
    said = [run.stderr.splitlines()[-1] for run in runs]
    assert [line.split(";")[0] for line in said] == [
        "1 graded, 0 unchanged since the last run, 0 refused, 0 could not be graded",
        "0 graded, 1 unchanged since the last run, 0 refused, 0 could not be graded",
        "1 graded, 0 unchanged since the last run, 0 refused, 0 could not be graded",
        "0 graded, 1 unchanged since the last run, 0 refused, 0 could not be graded"], said
    assignment = catalogues.load(A1)
    assert batch.kit_fingerprint(assignment) == batch.kit_fingerprint(assignment, budget_seconds=30) != \
        batch.kit_fingerprint(assignment, budget_seconds=25)


def short_tmp(tmp_path):
    """A private TMPDIR with a short path: multiprocessing's forkserver puts its socket there, and an AF_UNIX path
    may not pass 107 bytes (a pytest-xdist tmp_path nearly does by itself)."""
    folder = Path(tempfile.mkdtemp(prefix="nk-", dir="/tmp"))
    (tmp_path / "tmp-link").symlink_to(folder)  # where to look for it after a failure
    return folder


def test_an_interrupted_run_finishes_on_the_next_one(tmp_path):
    """Ctrl-C midway: the graded students keep their results, the sandboxes are gone, and the next run grades only
    the rest and gives the same CSV as a run that was never interrupted."""
    slow = {"neuron.py": [(XOR_ANCHOR, XOR_ANCHOR + "    import time\n    time.sleep(3)\n")]}
    students = {"a_slow": {"edits": slow}, **{f"s{i:02d}": {"stub": i % 3 == 0} for i in range(8)}}
    submitted = build_class(tmp_path / "submitted", students)
    private_tmp = short_tmp(tmp_path)
    env = cli_env(TMPDIR=str(private_tmp))
    out = tmp_path / "out"
    command = [sys.executable, "-m", "grader", "grade-all", "--assignment", A1, "--jobs", "2", "--csv",
               str(out / "grades.csv"), "--results-dir", str(out / "results"), str(submitted)]
    run = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           start_new_session=True)
    try:
        for _ in range(1200):
            if list((out / "results").glob("s*.json")) or run.poll() is not None:
                break
            time.sleep(0.05)
        os.killpg(run.pid, signal.SIGINT)  # what a terminal does on Ctrl-C
        _, stderr = run.communicate(timeout=60)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    assert run.returncode == 130, stderr
    assert "interrupted" in stderr and "Run the same command again" in stderr
    kept = sorted(path.name for path in (out / "results").glob("*.json"))
    assert kept and "a_slow.json" not in kept and len(kept) < len(students)
    assert list(private_tmp.iterdir()) == [], "an interrupted run must not leave sandbox folders behind"
    assert not [pid for pid in os.listdir("/proc") if pid.isdigit() and _cmdline_mentions(pid, private_tmp)]

    resumed = grade_all(submitted, out, env=env)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{len(students) - len(kept)} graded, {len(kept)} unchanged" in resumed.stderr
    clean = grade_all(submitted, tmp_path / "clean", env=env)
    assert read_csv(out / "grades.csv") == read_csv(tmp_path / "clean" / "grades.csv")
    slow_row = next(row for row in read_csv(out / "grades.csv") if row[0] == "a_slow")
    assert total(slow_row) == catalogues.load(A1).max_score
    assert clean.returncode == 0


def _cmdline_mentions(pid, text):
    try:
        return str(text).encode() in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


@pytest.mark.parametrize("arguments, reason", [
    (["--assignment", "no_such_assignment", "{submitted}"], "unknown assignment 'no_such_assignment'"),
    (["--assignment", A1, "{missing}"], "does not exist"),
    (["--assignment", A1, "--jobs", "0", "{submitted}"], "--jobs must be at least 1"),
])
def test_it_refuses_to_run_with_a_one_line_reason(tmp_path, arguments, reason):
    (tmp_path / "submitted").mkdir()
    arguments = [a.format(submitted=tmp_path / "submitted", missing=tmp_path / "missing") for a in arguments]
    done = subprocess.run([sys.executable, "-m", "grader", "grade-all", "--csv", str(tmp_path / "g.csv"), *arguments],
                          cwd=ROOT, env=cli_env(), capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and reason in done.stderr
    assert not (tmp_path / "g.csv").exists()


def test_an_empty_class_gives_a_header_only_csv(tmp_path, capsys):
    (tmp_path / "submitted").mkdir()
    code = batch.main(A1, tmp_path / "submitted", jobs=2, csv_path=tmp_path / "g.csv", results_dir=None)
    assert code == 0
    assert read_csv(tmp_path / "g.csv") == [["student"] + [p.key for p in catalogues.load(A1).parts]
                                            + ["total", "status"]]
    assert (tmp_path / "graded" / A1).is_dir()


def test_fingerprints_follow_the_staged_files_only(tmp_path):
    assignment = catalogues.load(A1)
    folder = make_submission(tmp_path / "s" / A1, A1)
    kit = batch.kit_fingerprint(assignment)
    first = batch.submission_fingerprint(assignment, folder, kit)
    (folder / "notes.txt").write_text("not graded", encoding="utf-8")
    (folder / "conftest.py").write_text("import os\n", encoding="utf-8")
    assert batch.submission_fingerprint(assignment, folder, kit) == first
    with open(folder / "neuron.py", "a", encoding="utf-8") as handle:
        handle.write("\n# changed\n")
    assert batch.submission_fingerprint(assignment, folder, kit) != first
    assert batch.submission_fingerprint(assignment, folder, "another kit") != \
        batch.submission_fingerprint(assignment, folder, kit)
    assert batch.submission_fingerprint(assignment, None, kit) != first


def test_a_fingerprint_is_the_same_whether_taken_from_the_folder_or_from_what_was_graded(tmp_path):
    assignment = catalogues.load(A1)
    kit = batch.kit_fingerprint(assignment)
    folder = make_submission(tmp_path / "s" / A1, A1)
    assert batch.graded_fingerprint(kit, engine.grade(A1, folder)) == batch.submission_fingerprint(
        assignment, folder, kit)
    without = make_submission(tmp_path / "t" / A1, A1)
    (without / "neuron.py").unlink()
    (folder / "neuron.py").unlink()
    (folder / "neuron.py").symlink_to(paths.SOLUTIONS / A1 / "neuron.py")  # a link is staged as missing
    assert batch.submission_fingerprint(assignment, folder, kit) == batch.submission_fingerprint(
        assignment, without, kit) == batch.graded_fingerprint(kit, engine.grade(A1, folder))


# -- links: no student grades another's work, or the solutions ---------------------------------------------------------
def symlink_farm(submitted):
    """alice and bob; eve, a link to alice; ghost, a link to nothing; sneaky, whose A1 folder is a link to the
    solutions; mod, whose gradient_descent.py is a link to the solution's."""
    build_class(submitted, {"alice": {}, "bob": {"stub": True}, "mod": {}})
    (submitted / "eve").symlink_to("alice", target_is_directory=True)
    (submitted / "ghost").symlink_to("nowhere", target_is_directory=True)
    (submitted / "sneaky").mkdir()
    (submitted / "sneaky" / A1).symlink_to(paths.SOLUTIONS / A1, target_is_directory=True)
    (submitted / "mod" / A1 / "gradient_descent.py").unlink()
    (submitted / "mod" / A1 / "gradient_descent.py").symlink_to(paths.SOLUTIONS / A1 / "gradient_descent.py")
    return submitted


def totals(csv_path):
    return {row[0]: total(row) for row in read_csv(csv_path)[1:]}


def test_linked_student_and_assignment_folders_are_refused_and_the_rest_is_graded(tmp_path):
    submitted = symlink_farm(tmp_path / "submitted")
    out = tmp_path / "out"
    done = grade_all(submitted, out)
    assert done.returncode == 0, done.stderr
    refusals = [line for line in done.stderr.splitlines() if line.startswith("grader: refused")]
    assert refusals == [
        f"grader: refused eve: {submitted / 'eve'} is a symbolic link, so nothing was graded from it",
        f"grader: refused ghost: {submitted / 'ghost'} is a symbolic link, so nothing was graded from it",
        f"grader: refused sneaky: {submitted / 'sneaky' / A1} is a symbolic link, so nothing was graded from it"]
    assert "3 graded, 0 unchanged since the last run, 3 refused, 0 could not be graded" in done.stderr
    maximum = catalogues.load(A1).max_score
    scores = totals(out / "grades.csv")
    assert scores == {"alice": maximum, "bob": 0.0, "eve": 0.0, "ghost": 0.0, "mod": scores["mod"], "sneaky": 0.0}
    for student, rel in (("eve", "eve/"), ("ghost", "ghost/"), ("sneaky", f"sneaky/{A1}/")):
        document = json.loads((out / "results" / f"{student}.json").read_text(encoding="utf-8"))
        assert document["score"] == 0 and document["extra_data"]["student"] == student
        assert {test["output"] for test in document["tests"]} == {
            f"{rel} was a symbolic link, so nothing was graded from it"}
    mod = json.loads((out / "results" / "mod.json").read_text(encoding="utf-8"))
    assert "gradient_descent.py is missing from the submission" in json.dumps(mod) and 0 < scores["mod"] < maximum

    before = {path.name: path.stat().st_mtime_ns for path in (out / "results").glob("*.json")}
    again = grade_all(submitted, out)
    assert again.returncode == 0, again.stderr
    assert "0 graded, 3 unchanged since the last run, 3 refused" in again.stderr
    assert [line for line in again.stderr.splitlines() if line.startswith("grader: refused")] == refusals
    assert {path.name: path.stat().st_mtime_ns for path in (out / "results").glob("*.json")} == before


def test_control_without_the_refusals_a_link_takes_another_students_grade_or_the_solutions(tmp_path, monkeypatch):
    """The same farm, graded in this process with both refusals patched out (grade-all's check of the folders, and
    the engine's O_NOFOLLOW), in a thread pool so that the patches hold: eve gets alice's grade, sneaky full marks."""
    submitted = symlink_farm(tmp_path / "submitted")
    monkeypatch.setattr(batch, "linked_folder", lambda *args: "")
    monkeypatch.setattr(engine, "FOLDER_FLAGS", os.O_RDONLY | os.O_DIRECTORY)
    monkeypatch.setattr(batch, "_pool", lambda jobs, name: ThreadPoolExecutor(max_workers=jobs))
    assert batch.main(A1, submitted, jobs=2, csv_path=tmp_path / "g.csv", results_dir=tmp_path / "results") == 0
    scores = totals(tmp_path / "g.csv")
    maximum = catalogues.load(A1).max_score
    assert scores["eve"] == scores["alice"] == maximum and scores["sneaky"] == maximum


# -- a submission that changes while it is graded ------------------------------------------------------------------
def test_a_file_changed_while_it_was_graded_is_graded_again_on_the_next_run(tmp_path):
    """Student s's neuron.py is away while s is graded (as while a re-collect rewrites it) and back afterwards.
    The results file carries the fingerprint of what was graded, so the next run sees the change and grades s
    again. The control: with the fingerprint taken before staging, as grade-all used to store it, the next run
    keeps the grade of the missing file, "unchanged"."""
    assignment = catalogues.load(A1)
    slow = {"neuron.py": [(XOR_ANCHOR, XOR_ANCHOR + "    import time\n    time.sleep(3)\n")]}
    submitted = build_class(tmp_path / "submitted", {"a_slow": {"edits": slow}, "s": {}})
    neuron = submitted / "s" / A1 / "neuron.py"
    kit = batch.kit_fingerprint(assignment)
    before = batch.submission_fingerprint(assignment, neuron.parent, kit)
    private_tmp = short_tmp(tmp_path)
    env = cli_env(TMPDIR=str(private_tmp))
    out = tmp_path / "out"
    command = [sys.executable, "-m", "grader", "grade-all", "--assignment", A1, "--jobs", "1", "--csv",
               str(out / "grades.csv"), "--results-dir", str(out / "results"), str(submitted)]
    run = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    text = neuron.read_bytes()
    try:
        # a_slow's sandbox exists, so every fingerprint has been taken; s is graded after a_slow's 3 s sleep
        while not list(private_tmp.glob("nnkit-sandbox-*")) and run.poll() is None:
            time.sleep(0.02)
        neuron.unlink()
        while not (out / "results" / "s.json").exists() and run.poll() is None:
            time.sleep(0.02)
    finally:
        neuron.write_bytes(text)
        _, stderr = run.communicate(timeout=300)
    assert run.returncode == 0, stderr
    assert "grader: s's files changed while they were being graded" in stderr
    maximum = catalogues.load(A1).max_score
    stale = json.loads((out / "results" / "s.json").read_text(encoding="utf-8"))
    assert "neuron.py is missing from the submission" in json.dumps(stale) and stale["score"] < maximum
    assert totals(out / "grades.csv")["s"] == stale["score"], "this run's CSV shows what this run graded"
    away = make_submission(tmp_path / "away" / A1, A1)
    (away / "neuron.py").unlink()
    assert stale["extra_data"]["fingerprint"] == batch.submission_fingerprint(assignment, away, kit)
    assert batch.submission_fingerprint(assignment, neuron.parent, kit) == before != stale["extra_data"]["fingerprint"]

    old = tmp_path / "old"  # the control: the same results, fingerprinted before staging
    shutil.copytree(out, old)
    stale["extra_data"]["fingerprint"] = before
    (old / "results" / "s.json").write_text(json.dumps(stale), encoding="utf-8")
    kept = grade_all(submitted, old)
    assert kept.returncode == 0 and "0 graded, 2 unchanged" in kept.stderr, kept.stderr
    assert totals(old / "grades.csv")["s"] == stale["score"] < maximum

    fixed = grade_all(submitted, out)
    assert fixed.returncode == 0 and "1 graded, 1 unchanged" in fixed.stderr, fixed.stderr
    assert totals(out / "grades.csv") == {"a_slow": maximum, "s": maximum}


def test_csv_cells_that_a_spreadsheet_would_run_are_written_as_text(tmp_path, monkeypatch):
    """Student folder names are the class's text: one that starts like a formula is quoted in the CSV, and a status
    says why a student has no scores."""
    assignment = catalogues.load(A1)
    results_dir = tmp_path / "results"
    students = {"=2+3": "fp-a", "@sum": "fp-b", "-x": "fp-c"}
    for student, fingerprint in list(students.items())[:2]:
        batch.results.write_results(batch._missing_document(assignment, student, fingerprint),
                                    results_dir / f"{student}.json")

    def rows():
        batch.write_csv(assignment, list(students), results_dir, students, tmp_path / "g.csv", {"-x": "=1+1"})
        return {row[0]: row for row in read_csv(tmp_path / "g.csv")[1:]}

    written = rows()
    assert sorted(written) == ["'-x", "'=2+3", "'@sum"]
    assert written["'-x"][-1] == "not graded: =1+1" and total(written["'=2+3"]) == 0.0
    monkeypatch.setattr(batch, "_cell", lambda value: value)  # the control: the names as they are
    assert sorted(rows()) == ["-x", "=2+3", "@sum"]


def test_grade_all_never_writes_the_file_nbgrader_export_writes(tmp_path):
    """The README's week runs grade-all and then `nbgrader export` in one course folder: grade-all's per-part table
    is kit_grades.csv by default, and nbgrader export's is grades.csv, so neither overwrites the other."""
    from grader.adapters.nbgrader.export import GradesCsvExport
    submitted = build_class(tmp_path / "submitted", {"ada": {}})
    done = subprocess.run([sys.executable, "-m", "grader", "grade-all", "--assignment", A1, "--jobs", "1",
                           "--results-dir", str(tmp_path / "graded"), str(submitted)], cwd=tmp_path, env=cli_env(),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert [row[0] for row in read_csv(tmp_path / "kit_grades.csv")][1:] == ["ada"]
    assert not (tmp_path / "grades.csv").exists()
    assert GradesCsvExport().to in ("", "grades.csv")

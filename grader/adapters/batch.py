"""``python -m grader grade-all``: grade every SUBMITTED/<student>/<assignment>/ folder of a class, in parallel.

Each student's Gradescope results JSON is written atomically by the process that graded it, with a fingerprint in
``extra_data``: a digest of the module bytes it actually graded (read once, staged, and hashed) and of the kit
and the time budget that graded them. A student whose results file carries the current fingerprint is not graded
again, so an interrupted run (Ctrl-C, a crash, a reboot) is finished by running the same command again, and nobody is lost or
counted twice; a file that changed while it was being graded is graded again on the next run. The CSV is built at
the end from the results files alone, and is always written: anything that goes wrong while one student is graded
(the grader raising on their submission included) is that student's failure, one line on standard error and a row
whose ``status`` says why, and every other student is graded and counted.

A student folder or an assignment folder that is a symbolic link (``eve -> alice``, ``eve/a1 -> solutions/a1``) is
refused: one line on standard error, a results file at 0 that says why, and nothing graded from it.

Each student costs at most the time budget (``--budget``), and the plots' own time limit; each pool process caps its
own address space once it is warm (``limits.cap_address_space``), so one submission cannot take the host's memory.
"""
import csv
import io
import json
import multiprocessing
import os
import shutil
import signal
import sys
import threading
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from .. import catalogues, text
from ..core import fingerprint, limits
from ..reports import csv_cells, results
from ..shipped import wire

MESSAGES = text.table("batch", {
    "error": "nnkit: error: {detail}",
    "no_folder": "the submitted folder {path} does not exist",
    "bad_jobs": "--jobs must be at least 1, not {jobs}",
    "missing_folder": "no {assignment}/ folder was submitted, so nothing could be graded",
    "missing_summary": "{assignment}: nothing submitted",
    "progress": "grading {assignment}",
    "summary": "{graded} graded, {reused} unchanged since the last run, {refused} refused, {failed} could not be "
               "graded; {csv} and {results}",
    "failed": "grader: could not grade {student}: {detail}",
    "interrupted": "grader: interrupted; {done} of {total} students have results. Run the same command again to "
                   "grade the other {left}.",
    "no_students": "grader: {path} holds no student folders",
    "no_results": "no results file",
    "pool_died": "the grading process died ({detail})",
    "refused": "grader: refused {student}: {path} is a symbolic link, so nothing was graded from it",
    "linked_folder": "{path} was a symbolic link, so nothing was graded from it",
    "linked_summary": "{assignment}: not graded",
    "changed": "grader: {student}'s files changed while they were being graded; these grades are for the files "
               "as they were read, and the next run grades them again",
    "status_failed": "not graded: {detail}",
    "status_pending": "not graded yet: run the same command again",
})
MAX_STATUS_CHARS = 300


# -- fingerprints ---------------------------------------------------------------------------------------------------
def kit_fingerprint(assignment, budget_seconds=None):
    """A digest of everything that decides a grade besides the submission: the grader, its catalogue, the solutions,
    the provided modules and data, the language the results speak (the current one) and the time budget
    (default: limits.BUDGET_SECONDS), which decides which calls run at all. When any of these changes, every student
    is graded again. The worker's memory limit is no setting of grade-all or autograde: it is the grader's own
    ``runner.MEMORY_BYTES``, whose source is in the digest."""
    items = fingerprint.file_items(fingerprint.kit_sources(assignment))
    lang = text.current()
    if lang != text.ENGLISH:  # English results keep the fingerprint they always had
        items.append(("lang", lang.encode("ascii")))
    items.append(("budget", repr(float(budget_seconds or limits.BUDGET_SECONDS)).encode("ascii")))
    return fingerprint.digest(items)


def submission_fingerprint(assignment, folder, kit):
    """A digest of the kit and of exactly the bytes the grader stages from ``folder`` (None: no folder).

    It equals graded_fingerprint(kit, report) for a grading of the same bytes, so a results file is current exactly
    when the folder still holds what was graded. Raises engine.SubmissionError if ``folder`` is a symbolic link.
    """
    from ..grading import engine
    if folder is None:
        return fingerprint.digest([("kit", kit.encode("ascii")), ("folder", b"<missing>")])
    return _staged_fingerprint(kit, engine.modules_digest(engine.read_modules(assignment, Path(folder))))


def graded_fingerprint(kit, report):
    """The fingerprint of the module bytes ``report`` (an engine.Report) graded: what grade-all stores."""
    return _staged_fingerprint(kit, report.staged_digest)


def _staged_fingerprint(kit, staged_digest):
    return fingerprint.digest([("kit", kit.encode("ascii")), ("staged", staged_digest.encode("ascii"))])


def linked_folder(submitted, student, assignment_name):
    """``student/`` or ``student/<assignment>/`` if that folder under ``submitted`` is a symbolic link, else ''."""
    for rel in (f"{student}/", f"{student}/{assignment_name}/"):
        if (submitted / rel).is_symlink():
            return rel
    return ""


# -- one student ----------------------------------------------------------------------------------------------------
def _results_path(results_dir, student):
    return results_dir / f"{student}.json"


def read_results(path):
    """The results document at ``path``, every string in it valid text, or None if it is not one."""
    try:
        document = wire.valid_texts(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None
    return document if type(document) is dict and type(document.get("extra_data")) is dict else None


def _zero_document(assignment, student, fingerprint, message, summary):
    """A results document with 0 for every part, each saying ``message``: nothing of the student's was graded."""
    tests = [results.test_entry(part.key, text.catalogue(assignment.name, f"part:{part.key}", part.title), 0.0,
                                part.points, message) for part in assignment.parts]
    return results.document(assignment.name, assignment.max_score, tests, summary, student=student,
                            fingerprint=fingerprint)


def _missing_document(assignment, student, fingerprint):
    return _zero_document(assignment, student, fingerprint,
                          MESSAGES["missing_folder"].format(assignment=assignment.name),
                          MESSAGES["missing_summary"].format(assignment=_title(assignment)))


def _linked_document(assignment, student, fingerprint, rel):
    return _zero_document(assignment, student, fingerprint, MESSAGES["linked_folder"].format(path=rel),
                          MESSAGES["linked_summary"].format(assignment=_title(assignment)))


def _title(assignment):
    return text.catalogue(assignment.name, "title", assignment.title)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _stop(signum, frame):
    """Ctrl-C or SIGTERM in a pool worker: kill the sandbox under way, remove its folder, and end at once. The
    student it was grading has no results file yet, so the next run grades them."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    from ..sandbox import runner
    runner.close_all()
    os._exit(1)


def _warm(assignment_name, lang):
    """Pool initializer: load the catalogue, the reference solutions and the reference cache (which the parent
    built) once per worker process, start each sandbox worker ahead (``sandbox.ahead``), and speak ``lang``, the
    parent's language (a worker process is an entry point: it sets the language once, as the command line does).
    Ctrl-C (which the terminal sends to every process of the run) or the parent's SIGTERM ends a worker at once."""
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    text.use(lang)
    from ..grading import reference_cache
    from ..core import references
    from ..sandbox import ahead
    ahead.keep()  # each submission's worker boots while the one before runs
    assignment = catalogues.load(assignment_name)
    references.modules(assignment)
    reference_cache.for_assignment(assignment_name).load()
    limits.cap_address_space()


def plots_folder(results_dir, student):
    """Where ``grade-all --plots`` puts a student's plots: ``<results_dir>/plots/<student>/``."""
    return Path(results_dir) / "plots" / student


def _draw_plots(report, folder):
    """Draw the report's plots into a fresh folder and move it into place whole, so that a results file that says
    it has plots never points at half of them."""
    from ..reports import plots
    scratch = folder.parent / f".{folder.name}.drawing"
    shutil.rmtree(scratch, ignore_errors=True)
    plots.write_run_plots_within(report, scratch)
    shutil.rmtree(folder, ignore_errors=True)
    scratch.mkdir(parents=True, exist_ok=True)
    os.replace(scratch, folder)


def grade_one(assignment_name, student, folder, kit, results_path, draw_plots=False,
              budget_seconds=limits.BUDGET_SECONDS, waive=None):
    """Grade one student and write their results file, fingerprinted with the bytes graded (after their plots,
    with ``draw_plots``). ``waive`` lists the sandbox properties waived. Returns (student, error or ''): anything
    raised on the way (a grader problem, MemoryError past the cap included) is this student's error, their results
    file is left as it was, and the next run grades them again."""
    try:
        return _grade_one(assignment_name, student, folder, kit, results_path, draw_plots, budget_seconds, waive)
    except Exception as exc:
        return student, _error(exc)


def _error(exc):
    return f"{type(exc).__name__}: {str(exc)[:MAX_STATUS_CHARS]}"


def _grade_one(assignment_name, student, folder, kit, results_path, draw_plots, budget_seconds, waive):
    from ..grading import engine
    from ..sandbox import confinement
    report = engine.grade(assignment_name, folder, budget_seconds=budget_seconds,
                          policy=confinement.Policy(waive or ()))
    document = results.to_results(report)
    document["extra_data"].update(student=student, fingerprint=graded_fingerprint(kit, report))
    if draw_plots:
        _draw_plots(report, plots_folder(Path(results_path).parent, student))
        document["extra_data"]["plots"] = True
    results.write_results(document, results_path)
    return student, ""


def current(document, fingerprint, need_plots=False):
    """Whether a results document is a current grade of the submission with this fingerprint (and has its plots
    when they are needed)."""
    return document is not None and fingerprint is not None \
        and document["extra_data"].get("fingerprint") == fingerprint \
        and (not need_plots or document["extra_data"].get("plots") is True)


# -- the class ------------------------------------------------------------------------------------------------------
def _students(submitted):
    """The student folders, and any link in their place (which is refused, not skipped in silence)."""
    return sorted(entry.name for entry in submitted.iterdir()
                  if (entry.is_dir() or entry.is_symlink()) and not entry.name.startswith("."))


def _pool(jobs, assignment_name):
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    return ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_warm,
                               initargs=(assignment_name, text.current()))


def _cell(value):
    """A CSV cell of text that a spreadsheet shows as text, never runs as a formula (``csv_cells.inert``, which
    every CSV the kit writes uses)."""
    return csv_cells.inert(value)


def write_csv(assignment, students, results_dir, fingerprints, csv_path, failures=None):
    """The class CSV from the results files: one row per student, a column per part, the total, and a status. A
    student without a current results file gets empty cells, and a status that says why: their error in
    ``failures`` ({student: error}), else that they are not graded yet. Returns the students left empty."""
    keys = [part.key for part in assignment.parts]
    failures = failures or {}
    empty = []
    rows = []
    for student in students:
        document = read_results(_results_path(results_dir, student))
        if not current(document, fingerprints[student]):
            empty.append(student)
            status = (MESSAGES["status_failed"].format(detail=wire.cut(failures[student], MAX_STATUS_CHARS))
                      if student in failures else MESSAGES["status_pending"])
            rows.append([_cell(student)] + [""] * (len(keys) + 1) + [_cell(status.replace("\n", " "))])
            continue
        scores = {test.get("extra_data", {}).get("part"): test.get("score", 0.0) for test in document["tests"]}
        rows.append([_cell(student)] + [f"{float(scores.get(key, 0.0)):g}" for key in keys]
                    + [f"{float(document['score']):g}", ""])
    table = io.StringIO()
    writer = csv.writer(table)
    writer.writerow(["student"] + keys + ["total", "status"])
    writer.writerows(rows)
    results.write_text_atomic(table.getvalue(), csv_path)
    return empty


def main(assignment_name, submitted_path, *, jobs=2, csv_path="kit_grades.csv", results_dir=None, draw_plots=False,
         budget_seconds=None, waive=None):
    """Grade the class; return the exit code: 0 done, 1 some students could not be graded, 2 cannot run (the
    sandbox refused among them), 130 interrupted. ``waive``: the sandbox properties waived (a comma-separated
    string; None: $NNKIT_SANDBOX_WAIVE)."""
    from ..sandbox import confinement
    def fail(key, **fields):
        print(MESSAGES["error"].format(detail=MESSAGES[key].format(**fields) if key in MESSAGES else key),
              file=sys.stderr)
        return 2

    try:
        assignment = catalogues.load(assignment_name)
    except catalogues.UnknownAssignment as exc:
        return fail(str(exc))
    submitted = Path(submitted_path)
    if not submitted.is_dir():
        return fail("no_folder", path=submitted)
    if jobs is None or jobs < 1:
        return fail("bad_jobs", jobs=jobs)
    try:
        policy = confinement.Policy(waive)
    except confinement.BadWaiver as exc:
        return fail(str(exc))
    csv_path = Path(csv_path or "kit_grades.csv")
    results_dir = Path(results_dir) if results_dir else csv_path.parent / "graded" / assignment.name
    results_dir.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(results_dir)

    students = _students(submitted)
    if not students:
        print(MESSAGES["no_students"].format(path=submitted), file=sys.stderr)
    budget_seconds = budget_seconds or limits.BUDGET_SECONDS
    kit = kit_fingerprint(assignment, budget_seconds=budget_seconds)
    fingerprints, todo, reused, refused, unread = {}, [], 0, 0, {}
    for student in students:
        try:
            linked = linked_folder(submitted, student, assignment.name)
            if linked:
                refused += 1
                fingerprints[student] = _refuse(assignment, student, linked, submitted, kit, results_dir)
                continue
            folder = submitted / student / assignment.name
            folder = folder if folder.is_dir() else None
            fingerprint = submission_fingerprint(assignment, folder, kit)
            fingerprints[student] = fingerprint
            existing = read_results(_results_path(results_dir, student))
            if current(existing, fingerprint, need_plots=draw_plots and folder is not None):
                reused += 1
            elif folder is None:
                results.write_results(_missing_document(assignment, student, fingerprint),
                                      _results_path(results_dir, student))
            else:
                todo.append((student, folder, kit))
        except Exception as exc:  # a folder that cannot be read, say: this student's failure, and the rest go on
            fingerprints[student] = None
            unread[student] = _error(exc)

    if todo:  # before any student code runs: one line, and nobody is graded
        try:
            _check_confinement(policy)
        except confinement.Refused as exc:
            print(exc, file=sys.stderr)
            return 2
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        failures = _grade_all(assignment, todo, jobs, results_dir, draw_plots, budget_seconds, sorted(policy.waived))
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    if failures is None:
        done = len(students) - len(write_csv(assignment, students, results_dir, fingerprints, csv_path, unread))
        print(MESSAGES["interrupted"].format(done=done, total=len(students), left=len(students) - done),
              file=sys.stderr)
        return 130
    failures.update(unread)
    _take_graded_fingerprints(todo, failures, results_dir, fingerprints)
    empty = write_csv(assignment, students, results_dir, fingerprints, csv_path, failures)
    for student in empty:
        print(MESSAGES["failed"].format(student=student, detail=failures.get(student, MESSAGES["no_results"])),
              file=sys.stderr)
    print(MESSAGES["summary"].format(graded=len(students) - reused - refused - len(empty), reused=reused,
                                     refused=refused, failed=len(empty), csv=csv_path, results=results_dir),
          file=sys.stderr)
    return 1 if empty else 0


def _refuse(assignment, student, linked, submitted, kit, results_dir):
    """Refuse a student whose folder ``linked`` is a symbolic link: say so, and give them a results file at 0 that
    says why (unless a current one is there). Returns its fingerprint. Nothing under the link is read."""
    print(MESSAGES["refused"].format(student=student, path=submitted / linked), file=sys.stderr)
    digest = fingerprint.digest([("kit", kit.encode("ascii")), ("linked", os.fsencode(linked))])
    path = _results_path(results_dir, student)
    if not current(read_results(path), digest):
        results.write_results(_linked_document(assignment, student, digest, linked), path)
    return digest


def _take_graded_fingerprints(todo, failures, results_dir, fingerprints):
    """The results of this run are current for its CSV: each graded student's fingerprint becomes the one of the
    bytes graded. Where that differs from the one taken before grading, the files changed meanwhile: say so."""
    for student, _, _ in todo:
        document = None if student in failures else read_results(_results_path(results_dir, student))
        if document is None:
            continue
        graded = document["extra_data"].get("fingerprint")
        if graded != fingerprints[student]:
            print(MESSAGES["changed"].format(student=student), file=sys.stderr)
            fingerprints[student] = graded


def _check_confinement(policy):
    """Start one empty sandbox under ``policy``: raises confinement.Refused before anyone is graded."""
    from ..sandbox.runner import Sandbox
    with Sandbox({}, policy=policy) as sandbox:
        sandbox.start()


def _grade_all(assignment, todo, jobs, results_dir, draw_plots=False, budget_seconds=limits.BUDGET_SECONDS,
               waive=()):
    """Grade ``todo`` in a pool. Returns {student: error} for those that failed, or None when interrupted."""
    from tqdm import tqdm
    failures = {}
    if not todo:
        return failures
    from ..grading import reference_cache
    reference_cache.load_or_build(assignment)  # once, here, rather than in every pool process at once
    pool = _pool(min(jobs, len(todo)), assignment.name)
    futures = {}
    try:
        for student, folder, kit in todo:
            future = pool.submit(grade_one, assignment.name, student, str(folder), kit,
                                 _results_path(results_dir, student), draw_plots, budget_seconds, list(waive))
            futures[future] = student
        with tqdm(total=len(todo), desc=MESSAGES["progress"].format(assignment=assignment.name), unit="student",
                  file=sys.stderr, mininterval=0.5, smoothing=0.1) as bar:
            for future in as_completed(futures):
                try:
                    student, error = future.result()
                except BrokenProcessPool as exc:  # a pool process died (the OOM killer, say): the rest is retried
                    student, error = futures[future], MESSAGES["pool_died"].format(detail=exc)
                except Exception as exc:  # whatever else went wrong with this student is theirs alone
                    student, error = futures[future], _error(exc)
                if error:
                    failures[student] = error
                bar.update(1)
    except KeyboardInterrupt:
        for future in futures:
            future.cancel()
        for process in list(getattr(pool, "_processes", {}).values()):
            if process.is_alive():
                process.terminate()
        pool.shutdown(wait=True, cancel_futures=True)
        return None
    pool.shutdown(wait=True)
    return failures


def _remove_stale_temporaries(results_dir):
    """Half-written results files of a run that was killed: write_json_atomic names them .<name>.json.<random>."""
    for path in results_dir.glob(".*.json.*"):
        try:
            path.unlink()
        except OSError:
            pass

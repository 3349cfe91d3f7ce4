"""``python -m grader``: grade one submission, grade a class, generate student files or a course, export, run the demo.

Every command takes ``--lang`` (``en`` or ``zh``): the language of everything it writes and says. Without it,
``$NNKIT_LANG`` decides, else the course the command works in (the ``LANG`` of the nearest ``nbgrader_config.py``
at or above its folder arguments, then the current folder), else English. Scores never depend on it.
"""
import argparse
import sys
from pathlib import Path

from .. import text

MESSAGES = text.table("cli", {
    "error": "nnkit: error: {detail}",
    "sync_clean": "assignments/ and docs/rubrics/ are up to date with solutions/, notebooks/ and the catalogues",
    "sync_drift": "generated files are out of date; run `python -m grader sync`. Differing files:",
    "sync_wrote": "wrote {path}",
    "part_row": "  {title} {score:>6g} / {points:<4g}",
    "total_row": "  {title} {score:>6g} / {points:<4g}",
    "total": "Total",
    "lang_help": "the language of everything this command writes and says: {known} (default: $NNKIT_LANG, else the "
                 "LANG of the course's nbgrader_config.py, else en)",
    "course_help": "write a complete course folder (nbgrader_config.py and assignments/) in one language",
    "course_dir_help": "the folder to write: a new or empty one, or a course folder this command made before",
    "course_names_help": "assignments to include (default: all)",
    "bad_seconds": "must be a positive number of seconds, not {value!r}",
    "budget_help": "seconds the submission's code may take in all (default: {default:g}); calls past it are not run",
    "no_written": "{assignment} has no written questions",
    "no_modules": "{folder} holds none of {assignment}'s graded files ({files}); grade the folder that holds them",
    "no_modules_below": "{folder} holds none of {assignment}'s graded files ({files}); they are in {below}: grade "
                        "that folder",
})
#: the narrowest the part titles' column of grade's table is, in terminal columns (text.width)
TITLE_COLUMNS = 44


def _grade(args):
    from ..sandbox import ahead, runner
    if args.own_process:  # the worker boots while the grader imports and reads the references
        runner.Sandbox.launch_ahead()
    try:
        return _grade_now(args)
    finally:
        ahead.discard()  # not taken: the submission was refused before it was staged


def _grade_now(args):
    from ..grading import engine
    from ..core import limits
    from ..reports import results
    if args.own_process:  # the grader's own memory is bounded too, where this process grades and nothing else
        limits.cap_address_space()
    _holds_modules(args.assignment, Path(args.submission))
    plotter = None
    if args.plots:  # a process forked now warms matplotlib, then draws each training run while grading goes on
        from ..reports.plotter import Plotter
        plotter = Plotter(args.plots, text.current())
    try:
        report = engine.grade(args.assignment, args.submission, budget_seconds=args.budget or limits.BUDGET_SECONDS,
                              policy=_policy(args), on_run=plotter.run if plotter else None)
    except BaseException:
        if plotter is not None:
            plotter.abandon()
        raise
    document = results.to_results(report)
    if args.out:  # the results are written before the plots are waited for, and nothing after this can undo them
        results.write_results(document, args.out)
    else:
        sys.stdout.write(results.json_text(results.fit(document)))
        sys.stdout.flush()
    for sentence in report.broken.values():  # a module that could not be imported: said once, before the table
        print(sentence, file=sys.stderr)
    column = max([text.width(part.title) for part in report.parts] + [text.width(MESSAGES["total"]), TITLE_COLUMNS])
    for part in report.parts:
        print(MESSAGES["part_row"].format(title=text.ljust(part.title, column), score=part.score, points=part.points),
              file=sys.stderr)
    print(MESSAGES["total_row"].format(title=text.ljust(MESSAGES["total"], column), score=report.score,
                                       points=report.max_score), file=sys.stderr)
    if plotter is not None:
        plotter.finish(report)
    return 0


def _holds_modules(name, folder):
    """Refuse a submission folder that holds none of the assignment's graded files, the usual slip of a folder one
    level too high (``submitted/bob`` for ``submitted/bob/a3_backprop``): it would grade as a silent 0. A folder
    that holds some of them is graded, and the missing ones cost their parts."""
    from .. import catalogues
    from ..grading.engine import SubmissionError
    assignment = catalogues.load(name)
    files = [f"{module}.py" for module in assignment.modules]
    if not folder.is_dir() or any((folder / file).is_file() for file in files):
        return
    below = sorted({path.parent for file in files for path in folder.glob(f"*/{file}") if not path.is_symlink()})
    key = "no_modules_below" if below else "no_modules"
    raise SubmissionError(MESSAGES[key].format(folder=folder, assignment=name, files=", ".join(files),
                                               below=below[0] if below else ""))


def _seconds(text):
    """An argparse type: a positive number of seconds."""
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(MESSAGES["bad_seconds"].format(value=text))
    return value


def _policy(args):
    """The sandbox policy of --allow-weak-sandbox (or, without it, $NNKIT_SANDBOX_WAIVE)."""
    from ..sandbox import confinement
    return confinement.Policy(args.allow_weak_sandbox)


def _grade_all(args):
    from . import batch
    return batch.main(args.assignment, Path(args.submitted), jobs=args.jobs, csv_path=args.csv,
                      results_dir=args.results_dir, draw_plots=args.plots, budget_seconds=args.budget,
                      waive=args.allow_weak_sandbox)


def _add_waiver(command):
    from ..sandbox import confinement
    command.add_argument(confinement.OPTION, metavar="PROPERTY[,PROPERTY]", dest="allow_weak_sandbox", default=None,
                         help="grade even though no confinement layer holds these properties on this machine: "
                              f"{', '.join(confinement.PROPERTIES)}, or 'all' (default: ${confinement.VARIABLE}; "
                              "see docs/security.md)")


def _authoring(handler):
    """``handler`` as a command whose contributor mistakes (a catalogue rule, a solution marker, a notebook marker)
    are one line and exit 2, not a traceback."""
    def run(args):
        from ..authoring.notebooks import NotebookSourceError
        from ..authoring.sync import MarkerError
        from ..core.spec import CatalogueError
        try:
            return handler(args)
        except (CatalogueError, MarkerError, NotebookSourceError) as exc:
            print(MESSAGES["error"].format(detail=exc), file=sys.stderr)
            return 2
    return run


@_authoring
def _sync(args):
    from ..authoring import sync
    names = args.names or None
    if args.check:
        drift = sync.differences(names)
        if drift:
            print(MESSAGES["sync_drift"])
            print("\n".join(f"  {path}" for path in drift))
            return 1
        print(MESSAGES["sync_clean"])
        return 0
    for path in sync.write(names):
        print(MESSAGES["sync_wrote"].format(path=path))
    return 0


@_authoring
def _references(args):
    from ..grading import reference_cache
    return reference_cache.main(args.names)


def _gradescope(args):
    from . import gradescope
    gradescope.build_autograder(args.assignment, Path(args.out))
    return 0


def _prairielearn(args):
    from . import prairielearn
    prairielearn.build_export(args.assignment, Path(args.out))
    return 0


def _report(args):
    from ..reports import class_report
    written = states = None
    if args.gradebook:
        from .nbgrader.gradebook import gradebook_written, gradebook_written_states  # nbgrader is needed only here
        written = gradebook_written(Path(args.gradebook), args.assignment)
        states = gradebook_written_states(Path(args.gradebook), args.assignment)
    class_report.main(args.assignment, Path(args.results_dir), Path(args.out), written=written,
                      similarity=Path(args.similarity) if args.similarity else None, states=states)
    return 0


def _lms(args):
    from . import lms
    try:
        return lms.main(args.format, args.assignment, Path(args.roster), Path(args.out), gradebook=args.gradebook,
                        results_dir=args.results_dir, column=args.column)
    except lms.LmsError as exc:
        print(MESSAGES["error"].format(detail=exc), file=sys.stderr)
        return 2


def _similarity(args):
    from ..reports import similarity
    return similarity.main(args.assignment, Path(args.submitted), Path(args.out))


def _rubrics(args):
    from .. import catalogues
    from ..authoring import written
    sheet = written.rubric_sheet(catalogues.load(args.assignment))
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(sheet, encoding="utf-8")
        print(MESSAGES["sync_wrote"].format(path=args.out))
    else:
        sys.stdout.write(sheet or MESSAGES["no_written"].format(assignment=args.assignment) + "\n")
    return 0


def _demo(args):
    from . import demo
    return demo.main(Path(args.course_dir))


@_authoring
def _course(args):
    from ..authoring import course
    return course.main(Path(args.course_dir), args.names or None)


def _budget_help():
    from ..core.limits import BUDGET_SECONDS
    return MESSAGES["budget_help"].format(default=BUDGET_SECONDS)


def parser():
    from .. import text
    top = argparse.ArgumentParser(prog="nnkit", description=__doc__,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    language = argparse.ArgumentParser(add_help=False)
    language.add_argument("--lang", choices=text.LANGUAGES, default=None,
                          help=MESSAGES["lang_help"].format(known=", ".join(text.LANGUAGES)))
    subparsers = top.add_subparsers(dest="command", required=True)

    class Commands:
        """add_parser with --lang on every command."""
        @staticmethod
        def add_parser(name, **kwargs):
            return subparsers.add_parser(name, parents=[language], **kwargs)

    commands = Commands()

    grade = commands.add_parser("grade", help="grade one submission folder, writing Gradescope results.json")
    grade.add_argument("--assignment", required=True)
    grade.add_argument("--out", help="where to write results.json (default: standard output)")
    grade.add_argument("--plots", help="folder for PNG plots of the training runs (student against reference)")
    grade.add_argument("--budget", type=_seconds, default=None, metavar="SECONDS", help=_budget_help())
    grade.add_argument("submission", help="the folder holding the student's module files")
    _add_waiver(grade)
    grade.set_defaults(handler=_grade)

    grade_all = commands.add_parser("grade-all", help="grade SUBMITTED/<student>/<assignment>/ for every student")
    grade_all.add_argument("--assignment", required=True)
    grade_all.add_argument("--jobs", type=int, default=2)
    grade_all.add_argument("--csv", default="kit_grades.csv",
                           help="per-part scores, one row per student (nbgrader export writes grades.csv)")
    grade_all.add_argument("--results-dir", default=None,
                           help="one results JSON per student (default: graded/<assignment>/ beside the CSV)")
    grade_all.add_argument("--plots", action="store_true",
                           help="also draw each student's training plots (into RESULTS_DIR/plots/<student>/), so "
                                "that `nbgrader autograde` reuses these results instead of grading again")
    grade_all.add_argument("--budget", type=_seconds, default=None, metavar="SECONDS",
                           help=_budget_help() + ", per student")
    grade_all.add_argument("submitted", help="nbgrader's submitted/ folder")
    _add_waiver(grade_all)
    grade_all.set_defaults(handler=_grade_all)

    sync = commands.add_parser("sync", help="generate assignments/ (and docs/rubrics/) from solutions/, notebooks/ "
                                            "and the catalogues")
    sync.add_argument("--check", action="store_true", help="only list what is out of date; exit 1 if anything is")
    sync.add_argument("names", nargs="*", help="assignments to generate (default: all)")
    sync.set_defaults(handler=_sync)

    refs = commands.add_parser("references", help="compute the reference outputs once and cache them "
                                                  "(grading does this by itself when the cache is missing)")
    refs.add_argument("names", nargs="*", help="assignments (default: all)")
    refs.set_defaults(handler=_references)

    gradescope = commands.add_parser("gradescope", help="build a Gradescope autograder zip")
    gradescope.add_argument("--assignment", required=True)
    gradescope.add_argument("--out", default="autograder.zip")
    gradescope.set_defaults(handler=_gradescope)

    prairielearn = commands.add_parser("prairielearn", help="write a PrairieLearn question and its external grader")
    prairielearn.add_argument("--assignment", required=True)
    prairielearn.add_argument("--out", default="pl-export",
                              help="a folder laid out like a course: questions/ and serverFilesCourse/")
    prairielearn.set_defaults(handler=_prairielearn)

    report = commands.add_parser("report", help="write the class report HTML from a folder of results JSON")
    report.add_argument("--assignment", required=True)
    report.add_argument("--out", default="class_report.html")
    report.add_argument("--gradebook", help="nbgrader's gradebook.db: add the hand-graded written answers and "
                                            "each student's total")
    report.add_argument("--similarity", help="the summary `nnkit similarity` wrote (similarity.json): add a "
                                             "section that lists the pairs to review and links to its page")
    report.add_argument("results_dir")
    report.set_defaults(handler=_report)

    lms = commands.add_parser("lms", help="write one assignment's grades as the LMS's gradebook import file")
    lms.add_argument("--format", required=True, choices=("canvas", "moodle"))
    lms.add_argument("--assignment", required=True)
    lms.add_argument("--roster", required=True, help="the LMS's own export: Canvas's gradebook CSV (Grades > "
                                                     "Export), Moodle's participants CSV (Participants > Download)")
    lms.add_argument("--out", required=True, help="the CSV file to write")
    lms.add_argument("--gradebook", help="nbgrader's gradebook.db: autograded plus written points, as `nbgrader "
                                         "export` counts them (default: the kit's results, autograded points only)")
    lms.add_argument("--column", help="the LMS's column for the assignment (Canvas: 'Title (id)' as the roster "
                                      "names it; default: the one whose title is the assignment's)")
    lms.add_argument("results_dir", nargs="?", help="the kit's results, as grade-all writes them "
                                                    "(default: graded/<assignment>/)")
    lms.set_defaults(handler=_lms)

    similarity = commands.add_parser("similarity", help="find pairs and groups of students whose code is unusually "
                                                        "close, for a person to review")
    similarity.add_argument("--assignment", required=True)
    similarity.add_argument("--out", default="similarity.html",
                            help="the HTML report to write, for instructors only (its summary for `report "
                                 "--similarity` goes beside it, as .json)")
    similarity.add_argument("submitted", help="nbgrader's submitted/ folder")
    similarity.set_defaults(handler=_similarity)

    rubrics = commands.add_parser("rubrics", help="print the written questions and their rubrics (for graders)")
    rubrics.add_argument("--assignment", required=True)
    rubrics.add_argument("--out", help="write the markdown to this file instead of standard output")
    rubrics.set_defaults(handler=_rubrics)

    demo = commands.add_parser("demo", help="run the instructor's round trip on the embedded example class")
    demo.add_argument("--course-dir", default="demo-course", help="where to build the demo course folder")
    demo.set_defaults(handler=_demo)

    course = commands.add_parser("course", help=MESSAGES["course_help"])
    course.add_argument("course_dir", help=MESSAGES["course_dir_help"])
    course.add_argument("--assignment", dest="names", action="append", help=MESSAGES["course_names_help"])
    course.set_defaults(handler=_course)
    return top


#: The arguments that name a folder or file of a course: the course they lie in decides the language without --lang.
PLACES = ("submission", "submitted", "results_dir", "gradebook", "course_dir")


def _course_language(args):
    """The language of the nbgrader course the command works in: that of the first of its folder arguments, then of
    the current folder, whose nearest ``nbgrader_config.py`` sets ``LANG``; None when none does."""
    from ..core import course_config
    places = [getattr(args, name, None) for name in PLACES]
    return course_config.language_of(*filter(None, places), Path.cwd())


def main(argv=None):
    """The command line. Run as a program (``argv`` None: ``python -m grader``, ``nnkit``), ``grade`` also caps
    its own process's memory (``limits.cap_address_space``); called with ``argv`` from Python, it does not."""
    from .. import text
    args = parser().parse_args(argv)
    args.own_process = argv is None
    from ..catalogues import UnknownAssignment
    from ..grading.engine import SubmissionError
    from ..sandbox.confinement import BadWaiver, Refused
    from ..sandbox.runner import SandboxError
    try:
        text.settle(args.lang, lambda: _course_language(args))  # paths.tool_env passes it on to subprocesses
        return args.handler(args)
    except Refused as exc:  # one line, naming the property and the option that waives it
        print(exc, file=sys.stderr)
        return 2
    except (SubmissionError, UnknownAssignment, SandboxError, FileNotFoundError, NotADirectoryError,
            BadWaiver, text.UnknownLanguage) as exc:
        print(MESSAGES["error"].format(detail=exc), file=sys.stderr)
        return 2

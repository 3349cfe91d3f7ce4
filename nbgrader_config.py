"""nbgrader 0.9.6 configuration: the folder holding this file is the course folder.

The repository itself is a course: ``assignments/`` is nbgrader's source folder, and nbgrader writes
``release/``, ``submitted/``, ``autograded/``, ``feedback/``, ``downloaded/``, ``gradebook.db`` and the
default ``exchange/`` beside this file (all git-ignored). Copied into another folder (as ``python -m grader
demo`` does), it makes that folder a course the same way, with paths taken relative to the copy. It needs the kit
importable: run the kit's environment's nbgrader (``.venv/bin/nbgrader``, activated or not), or set ``NNKIT_ROOT``
to the kit's checkout.

Settings, and why:
- The notebook is never executed. ``Execute`` is replaced by ``grader.adapters.nbgrader.autograde.GradeWithKit``,
  which grades the submission's module files with ``python -m grader grade`` in a sandboxed subprocess and writes each part's
  messages, plots and score into its grade cell. Code a student adds to the notebook cannot change a score, and a
  hanging or crashing submission still gets a grade for every part. Where this machine cannot confine the student's
  code (docs/security.md: no layer holds one of its five properties), it refuses, and nbgrader fails the
  submission; ``c.GradeWithKit.waive = ["read-the-kit"]`` (or ``"all"``) grades anyway, and the results record it.
- Before nbgrader reads a submitted notebook, its nbgrader metadata is made the release's
  (``grader.adapters.nbgrader.cells``): a copied or edited cell cannot stop autograde. A submission autograde
  cannot finish anyway scores 0 in every autograded part and waits for a grader, never its earlier grade; the
  command ends with one line for it, and ``nbgrader export`` marks it (``grader.adapters.nbgrader.failures``).
- Every markdown cell a student wrote is cleaned by nh3 before the autograded notebook is saved
  (``grader.adapters.nbgrader.safe_markdown``): the formgrader and the feedback pages show no script from a student.
- ``Autograde.exclude_overwriting`` keeps each student's graded modules: without it autograde copies the source's
  stubs over them.
- Exchange (``nbgrader release_assignment`` / ``submit`` / ``collect``): ``$NNKIT_EXCHANGE``, default ``exchange/``
  in this folder. The course id is ``$NNKIT_COURSE_ID``, default ``nnkit``.
- LMS download (``nbgrader zip_collect NAME``): put ``<student_id>.zip`` files, or ``<student_id>/`` folders, in
  ``downloaded/NAME/archive/``. Each holds the notebook and the graded modules; see grader/adapters/nbgrader/collect.py.
  ``SafeExtractor`` reads them without writing outside ``downloaded/NAME/extracted/``.
- ``generate_feedback`` pages are self-contained HTML (no CDN scripts), and start with a summary: each part's score
  and, for each part that lost points, its first failure, its likely cause and a link to its grade cell.
- ``generate_assignment`` of an assignment that ships another's finished modules (a3 ships a2's) says in one line
  which assignment's answers the release reveals, unless that assignment's due date in the gradebook has passed.
- ``nbgrader export`` writes nbgrader's grades.csv columns, then the autograded and the hand-graded written points
  apart, and the written points still to grade (``GradesCsvExport``).
- Written answers are graded by hand in the formgrader (``jupyter lab`` in this folder, then Nbgrader >
  Formgrader > Manual Grading). Their rubrics are in ``docs/rubrics/``, which nbgrader never releases.
- ``LANG``: the language of the grade cells' messages, the plots and the feedback pages' own words. ``""`` follows
  ``$NNKIT_LANG`` (else English); ``python -m grader course --lang zh DIR`` writes this file with ``LANG = 'zh'``.
  Scores never depend on it.
"""
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

# nbgrader runs `alembic` by name when it opens the gradebook: the bin/ of the environment nbgrader runs in leads
# PATH, so that `.venv/bin/nbgrader` works without activating the environment
BIN = Path(sys.executable).parent
if (BIN / "alembic").is_file() and os.environ.get("PATH", "").split(os.pathsep)[0] != str(BIN):
    os.environ["PATH"] = os.pathsep.join(filter(None, [str(BIN), os.environ.get("PATH", "")]))

try:
    import grader.adapters.nbgrader  # noqa: F401 (only whether the kit is importable)
except ImportError:
    for candidate in (os.environ.get("NNKIT_ROOT"), str(HERE)):
        if candidate and (Path(candidate) / "grader" / "adapters" / "nbgrader" / "__init__.py").is_file():
            sys.path.insert(0, candidate)
            break
from grader.adapters.nbgrader import autograde, collect, export, feedback, files, release  # noqa: E402
from grader import text  # noqa: E402

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

# The language students read ("en", "zh"); "" follows $NNKIT_LANG, else English
LANG = ""

# The course folder
c.CourseDirectory.root = str(HERE)
c.CourseDirectory.course_id = os.environ.get("NNKIT_COURSE_ID", "nnkit")
c.CourseDirectory.source_directory = "assignments"
c.Exchange.root = os.environ.get("NNKIT_EXCHANGE") or str(HERE / "exchange")

# generate_assignment: one line when a release ships an assignment's answers before that assignment is due
c.GenerateAssignment.preprocessors = release.generate_preprocessors()
c.WarnRevealedAnswers.lang = LANG
with text.language(LANG or None):  # a written answer's stub, in the course's language
    c.ClearSolutions.text_stub = release.answer_stub()

# Autograde: keep the students' modules, grade them with the kit instead of running the notebook
c.Autograde.exclude_overwriting = files.graded_files()
c.Autograde.sanitize_preprocessors = autograde.sanitize_preprocessors()
c.Autograde.autograde_preprocessors = autograde.autograde_preprocessors()
c.GradeWithKit.budget = 30  # seconds of the submission's code in all; the subprocess gets this plus 90 s
c.GradeWithKit.waive = []  # sandbox properties to grade without where no layer holds them; [] = $NNKIT_SANDBOX_WAIVE
c.GradeWithKit.lang = LANG
c.OverwriteCells.add_missing_cells = True
c.ExecutePreprocessor.timeout = 120  # only for notebooks that nbgrader itself executes (e.g. validate)

# zip_collect from an LMS download
c.ZipCollectApp.extractor_plugin = collect.SafeExtractor
c.FileNameCollectorPlugin.valid_ext = [".ipynb", ".py"]
c.FileNameCollectorPlugin.named_regexp = collect.NAMED_REGEXP

# Feedback pages that open offline
c.GenerateFeedback.exporter_class = feedback.FeedbackExporter
c.FeedbackExporter.lang = LANG

# grades.csv with the autograded and the hand-graded points apart
c.ExportApp.plugin_class = export.GradesCsvExport

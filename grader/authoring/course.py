"""``python -m grader course --lang LANG DIR``: a complete nbgrader course folder, in one language.

DIR gets
- ``nbgrader_config.py``: the kit's own configuration (the repository's ``nbgrader_config.py``), with its ``LANG``
  line set to the course's language, so that autograde's grade cells, the plots and the feedback pages speak it;
- ``assignments/<name>/`` for every assignment (or those named): the files ``python -m grader sync`` makes, built in
  that language from the same sources (``sync.build``), the students' ``README.md`` included, which nbgrader releases
  with the rest;
- ``rubrics/<name>.md`` for an assignment with written questions: their rubrics, for the graders, in that language,
  outside ``assignments/`` so that nbgrader never releases them (the config says so);
- ``.gitignore``: what nbgrader and the kit write there (students' work, grades, ``kit_grades.csv``), for a course
  kept in git.

``nbgrader generate_assignment``, ``zip_collect``, ``autograde``, ``generate_feedback`` and ``export`` then work in
DIR as they do in the repository. DIR must be new, empty, or a course folder this command made before; in the
last case only ``nbgrader_config.py``, ``.gitignore``, ``assignments/`` and ``rubrics/`` are written again, and everything nbgrader made there
(release/, submitted/, the gradebook) stays.
"""
import shutil
import sys
from pathlib import Path

from .. import catalogues, text
from ..core import paths
from . import sync, written

MARKER = ".nnkit-course"
CONFIG = paths.ROOT / "nbgrader_config.py"
LANG_LINE = 'LANG = ""'
#: where the config says the rubrics are: ``docs/rubrics/`` in the repository, ``rubrics/`` in a course folder
RUBRICS_PLACE = "``docs/rubrics/``"
#: what a course folder's .gitignore leaves out: what nbgrader and the kit write there, students' work included
GITIGNORE = """# what nbgrader writes: students' work and grades
release/
submitted/
autograded/
feedback/
downloaded/
exchange/
gradebook.db
grades.csv
# what the kit writes
graded/
kit_grades.csv
class_report.html
similarity.html
similarity.json
__pycache__/
"""

MESSAGES = text.table("course", {
    "refuse": "course: {course} is not empty and is not a course folder; choose a new or empty folder",
    "no_lang_line": "course: {path} has no line {line!r} to set the course's language in",
    "no_rubrics_place": "course: {path} must name {place} exactly once, as where the rubrics are",
    "wrote": "wrote the course {course} ({lang}): nbgrader_config.py and assignments/ ({names})",
    "marker": "made by `python -m grader course`; nbgrader_config.py and assignments/ are written again each time\n",
})


def config_text():
    """The kit's nbgrader_config.py with the course's language (the current one) set."""
    lang = text.current()
    source = CONFIG.read_text(encoding="utf-8")
    if source.count(f"\n{LANG_LINE}\n") != 1:
        raise ValueError(MESSAGES["no_lang_line"].format(path=CONFIG, line=LANG_LINE))
    if source.count(RUBRICS_PLACE) != 1:
        raise ValueError(MESSAGES["no_rubrics_place"].format(path=CONFIG, place=RUBRICS_PLACE))
    return source.replace(f"\n{LANG_LINE}\n", f"\nLANG = {lang!r}\n", 1).replace(RUBRICS_PLACE, "``rubrics/``")


def build(names=None):
    """Every file of the course folder, in the current language, as {relative path: text}."""
    files = {"nbgrader_config.py": config_text(), ".gitignore": GITIGNORE}
    for name in names or catalogues.names():
        assignment = catalogues.load(name)
        for relative, content in sync.build(assignment).items():
            files[f"assignments/{name}/{relative}"] = content
        sheet = written.rubric_sheet(assignment)
        if sheet:
            files[f"rubrics/{name}.md"] = sheet
    return files


def write(course, names=None):
    """Write the course folder in the current language; returns its resolved path. Raises ValueError for a folder it must not touch."""
    course = Path(course).resolve()
    if course.exists() and not (course / MARKER).is_file() and any(course.iterdir()):
        raise ValueError(MESSAGES["refuse"].format(course=course))
    files = build(names)
    course.mkdir(parents=True, exist_ok=True)
    (course / MARKER).write_text(MESSAGES["marker"], encoding="utf-8")
    for folder in {Path(relative).parts[1] for relative in files if relative.startswith("assignments/")}:
        shutil.rmtree(course / "assignments" / folder, ignore_errors=True)
        (course / "rubrics" / f"{folder}.md").unlink(missing_ok=True)
    for relative, content in sorted(files.items()):
        target = course / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    return course


def main(course_dir, names=None):
    """``python -m grader course``: write the course in the current language; returns the exit status."""
    lang = text.current()
    for name in names or []:
        catalogues.load(name)  # an unknown name is reported by the CLI
    try:
        course = write(course_dir, names)
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print(MESSAGES["wrote"].format(course=course, lang=lang, names=", ".join(names or catalogues.names())))
    return 0

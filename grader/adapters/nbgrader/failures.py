"""A submission that ``nbgrader autograde`` cannot finish scores 0, flagged, never its earlier grade.

When nbgrader fails on a submission, it deletes what it wrote in ``autograded/`` and writes nothing to the
gradebook, so a student who had 20/20 keeps 20/20 for a resubmission nobody graded. ``ZeroUntilGraded`` runs first
of all of autograde's steps (first in ``Autograde.sanitize_preprocessors``). Before anything else reads the notebook,
it sets every autograded part of that submission to 0 and marks it as needing a manual grade. A run that finishes
replaces both, as nbgrader's ``SaveAutoGrades`` always does: each part gets its score and, unless someone graded it
by hand before, no longer waits for a grader. A run that fails leaves them, so:

- the gradebook holds 0 for each part, and nbgrader's formgrader lists the submission as waiting for a manual grade;
- the autograde command ends with one line per such submission (``report``);
- ``nbgrader export`` marks the row (``GradesCsvExport``'s ``autograde_failed`` column, from ``failed``) and logs
  the same line.

Hand-given points of written answers stay as they are, as nbgrader keeps them for any resubmission. An instructor
who grades the parts by hand in the formgrader clears the mark; so does an autograde run that finishes.
"""
import atexit
import logging

from nbgrader.api import Gradebook, MissingEntry

from ... import text
from .preprocessor import KitPreprocessor

MESSAGES = text.table("autograde_failures", {
    "failed": "{student}: autograde could not finish {assignment}/{notebook}, so its autograded parts now score 0 "
              "and wait for a grader (its earlier grade is gone; the error is above). Fix the submission and run "
              "autograde again, or grade the parts by hand in the formgrader",
    "export": "{student}: autograde could not finish {assignment}; its autograded parts score 0 and wait for a "
              "grader (grades.csv: autograde_failed = 1)",
})

#: ``(db_url, assignment, notebook, student)`` of each submission this process has set to 0 before grading it
_STARTED = []
_REPORTER = []


def failed(grade, answers):
    """Whether a gradebook ``Grade`` is an autograded part (its name is not in ``answers``, the written answers) that
    ZeroUntilGraded set and no finished run replaced: it waits for a manual grade, and no one has given one.
    nbgrader's ``SaveAutoGrades`` never leaves a part so: a part always has an auto score, and waits for a grader
    only when someone gave it a manual score before."""
    return grade.name not in answers and grade.needs_manual_grade and grade.manual_score is None


def zero_parts(db_url, assignment, notebook, student):
    """Set every autograded part of one submitted notebook to 0, waiting for a grader; returns how many."""
    with Gradebook(db_url) as gradebook:
        try:
            submitted = gradebook.find_submission_notebook(notebook, assignment, student)
        except MissingEntry:
            return 0
        answers = {cell.name for cell in submitted.notebook.solution_cells}
        parts = [grade for grade in submitted.grades if grade.name not in answers]
        for grade in parts:
            grade.auto_score = 0.0
            grade.needs_manual_grade = True
        gradebook.db.commit()
        return len(parts)


def still_failed(db_url, assignment, notebook, student):
    """Whether the submission's parts are still as ZeroUntilGraded left them (``failed``)."""
    with Gradebook(db_url) as gradebook:
        try:
            submitted = gradebook.find_submission_notebook(notebook, assignment, student)
        except MissingEntry:
            return False
        answers = {cell.name for cell in submitted.notebook.solution_cells}
        return any(failed(grade, answers) for grade in submitted.grades)


def report(log=None):
    """Log one line for each submission this process set to 0 that no finished run has graded since; returns the
    lines. Runs when the autograde command ends."""
    log = log or logging.getLogger("nnkit")
    lines = []
    for db_url, assignment, notebook, student in _STARTED:
        if still_failed(db_url, assignment, notebook, student):
            lines.append(MESSAGES["failed"].format(student=student, assignment=assignment, notebook=notebook))
            log.error(lines[-1])
    _STARTED.clear()
    return lines


class ZeroUntilGraded(KitPreprocessor):
    """``autograde``, first of all its steps: the submission's autograded parts set to 0 and waiting for a grader
    until this run replaces them (``zero_parts``); at the end of the command, one line for each that it did not."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        key = (info["db_url"], info["assignment"], info["notebook"], info["student"])
        zero_parts(*key)
        if key not in _STARTED:
            _STARTED.append(key)
        if not _REPORTER:  # nbgrader gives a preprocessor no call after a submission fails: report at exit
            _REPORTER.append(atexit.register(report, self.log))
        return nb, resources

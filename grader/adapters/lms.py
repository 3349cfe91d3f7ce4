"""``nnkit lms``: one assignment's grades as a file that the LMS's own gradebook import takes as it is.

The roster is the LMS's own export, and the kit's student ids are matched to its rows:

- **Canvas** (Grades > Export): its gradebook CSV. The header is ``Student, ID, SIS User ID, SIS Login ID,
  Section`` (``SIS User ID`` only when the course exports SIS ids), any custom columns, one column per assignment
  named ``Title (id)``, then read-only totals; the second row (after an optional ``Manual Posting`` row) starts
  with ``    Points Possible``. A student id matches a row's ``ID``, ``SIS User ID``, ``SIS Login ID``, or the
  login's part before ``@``. The file written is Canvas's import CSV: those five columns, then the assignment's
  column only (so an upload changes no other column), the ``Points Possible`` row, and one row per graded student,
  scores with at most two decimals as Canvas exports them. Canvas leaves a student the file does not list as it is.
- **Moodle** (Participants > select all > Download table data as CSV): ``First name, Last name`` and the site's
  identity fields (``Email address``, ``ID number``, ...). A student id matches a row's email address, the
  address's part before ``@``, ``ID number`` or ``Username``. The file written is Moodle's grade import CSV
  (Grades > Import > CSV file): ``First name, Last name, ID number, Email address`` and the grade column; in the
  import dialog, map ``Email address`` (or ``ID number``) to the user, and the grade column to the grade item.

A student the roster does not have (or has twice), a roster row with no submission, and a student whose written
answers still wait for a grader get one line each on standard error and no row in the file: nothing is guessed,
and nobody is exported as 0 for an answer no one has graded yet.

Scores come from nbgrader's gradebook when one is given: autograded plus hand-graded points, after any late
penalty, out of the assignment's maximum, as ``nbgrader export`` counts them. Without one, from the kit's results
(``graded/NAME/*.json`` as ``grade-all`` writes them): the autograded parts only, out of the catalogue's maximum,
which this command says in one line when the assignment also has written questions.
"""
import csv
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .. import catalogues, text
from ..reports import csv_cells, results

FORMATS = ("canvas", "moodle")
CANVAS_IDENTITY = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
CANVAS_POINTS = "    Points Possible"
MOODLE_IDENTITY = ("First name", "Last name", "ID number", "Email address")
ASSIGNMENT_COLUMN = re.compile(r"^(?P<title>.*) \((?P<id>\d+)\)$")

MESSAGES = text.table("lms", {
    "unknown_format": "unknown LMS format {format!r}; use one of {known}",
    "no_roster": "the roster {path} does not exist",
    "bad_roster": "{path} is not a {lms} roster: {detail}",
    "missing_columns": "it has no {columns} column",
    "no_rows": "it lists no student",
    "no_column": "the roster has no column for {assignment}; name it with --column (its assignment columns: "
                 "{columns})",
    "many_columns": "the roster has {count} columns that could be {assignment} ({columns}); name one with --column",
    "column_missing": "the roster has no column {column!r} (its assignment columns: {columns})",
    "no_results": "no results of {assignment} in {folder}",
    "unmatched": "{student}: not in the roster, not exported",
    "ambiguous": "{student}: matches {count} roster rows ({rows}), not exported",
    "shared_row": "{student}: shares the roster row {row} with {others}, not exported",
    "no_submission": "roster row {row}: no submission, not exported",
    "pending": "{student}: {points:g} points of written answers still to grade, not exported",
    "pending_one": "{student}: 1 point of written answers still to grade, not exported",
    "auto_only": "the kit's results hold the autograded parts only ({auto:g} points); the {written:g} points of "
                 "written answers are not in this file: add --gradebook gradebook.db to include them",
    "wrote": "wrote {count} grades of {assignment} out of {max_score:g} to {path} ({lms}: {column})",
})


class LmsError(ValueError):
    """A one-line reason this command cannot write the file."""


@dataclass
class Grades:
    """Each student's score (None while written answers wait for a grader) and the maximum it is out of."""
    max_score: float
    scores: dict                                # student id -> score, or None
    pending: dict = field(default_factory=dict)  # student id -> points still to grade
    notes: list = field(default_factory=list)    # lines to say before the per-student ones


@dataclass
class RosterRow:
    number: int                                 # the row's line in the file, for the messages
    cells: dict                                 # column -> text, as the LMS wrote it
    keys: set                                   # lower-cased identifiers a student id may match

    def label(self, lms):
        if lms == "canvas":
            name = self.cells.get("Student", "")
        else:
            name = " ".join(filter(None, (self.cells.get("First name", ""), self.cells.get("Last name", ""))))
        return f"{self.number} ({name})" if name else str(self.number)


# -- scores ----------------------------------------------------------------------------------------------------------
def gradebook_grades(assignment_name, gradebook):
    """The students with a submission in nbgrader's gradebook, scored as ``nbgrader export`` scores them."""
    from nbgrader.api import Gradebook, MissingEntry
    from .nbgrader.gradebook import gradebook_path
    path = gradebook_path(gradebook)
    with Gradebook(f"sqlite:///{path}") as book:
        try:
            assignment = book.find_assignment(assignment_name)
        except MissingEntry:
            raise LmsError(MESSAGES["no_results"].format(assignment=assignment_name, folder=path)) from None
        answers = {cell.name for notebook in assignment.notebooks for cell in notebook.solution_cells}
        grades = Grades(max_score=float(assignment.max_score), scores={})
        for submission in assignment.submissions:
            waiting = sum(grade.max_score for notebook in submission.notebooks for grade in notebook.grades
                          if grade.name in answers and grade.manual_score is None and grade.auto_score is None)
            student = submission.student.id
            if waiting:
                grades.scores[student], grades.pending[student] = None, float(waiting)
            else:
                grades.scores[student] = max(0.0, float(submission.score) - float(submission.late_submission_penalty))
    return grades


def kit_grades(assignment_name, folder):
    """The students of a ``grade-all`` results folder (``<student>.json``), with their autograded scores."""
    from . import batch
    spec = catalogues.load(assignment_name)
    folder = Path(folder)
    if not folder.is_dir():
        raise NotADirectoryError(MESSAGES["no_results"].format(assignment=assignment_name, folder=folder))
    grades = Grades(max_score=float(spec.max_score), scores={})
    for path in sorted(folder.glob("*.json")):
        document = batch.read_results(path)
        if document is None or document["extra_data"].get("assignment", assignment_name) != assignment_name:
            continue
        score = document.get("score")
        if isinstance(score, (int, float)) and not isinstance(score, bool):
            grades.scores[document["extra_data"].get("student") or path.stem] = float(score)
    if not grades.scores:
        raise LmsError(MESSAGES["no_results"].format(assignment=assignment_name, folder=folder))
    if spec.written:
        grades.notes.append(MESSAGES["auto_only"].format(auto=spec.max_score, written=spec.written_points))
    return grades


# -- the roster --------------------------------------------------------------------------------------------------------
def _read_csv(path, lms):
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(MESSAGES["no_roster"].format(path=path))
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:  # Excel and Moodle may start it with a BOM
            rows = list(csv.reader(handle))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise LmsError(MESSAGES["bad_roster"].format(path=path, lms=lms, detail=str(exc)[:120])) from None
    if not rows:
        raise LmsError(MESSAGES["bad_roster"].format(path=path, lms=lms, detail=MESSAGES["no_rows"]))
    return [cell.strip() for cell in rows[0]], rows[1:]


def _require(header, columns, path, lms):
    missing = [column for column in columns if column not in header]
    if missing:
        detail = MESSAGES["missing_columns"].format(columns=" / ".join(repr(column) for column in missing))
        raise LmsError(MESSAGES["bad_roster"].format(path=path, lms=lms, detail=detail))


def _local(address):
    return address.split("@", 1)[0] if "@" in address else ""


def read_roster(path, lms):
    """(header, [RosterRow]) of an LMS's own export: a Canvas gradebook CSV or a Moodle participants CSV."""
    header, raw = _read_csv(path, lms)
    rows = []
    if lms == "canvas":
        _require(header, ("Student", "ID", "SIS Login ID", "Section"), path, lms)
    else:
        _require(header, ("First name", "Last name"), path, lms)
        if not {"Email address", "ID number", "Username"} & set(header):
            detail = MESSAGES["missing_columns"].format(columns="'Email address' / 'ID number'")
            raise LmsError(MESSAGES["bad_roster"].format(path=path, lms=lms, detail=detail))
    for number, values in enumerate(raw, start=2):
        cells = dict(zip(header, (value.strip() for value in values)))
        if not any(cells.values()):
            continue
        if lms == "canvas":
            if cells.get("Student") == CANVAS_POINTS.strip() or (not cells.get("Student") and not cells.get("ID")):
                continue  # the Points Possible row, and the Manual Posting row before it
            ids = [cells.get("ID", ""), cells.get("SIS User ID", ""), cells.get("SIS Login ID", ""),
                   _local(cells.get("SIS Login ID", ""))]
        else:
            email = cells.get("Email address", "")
            ids = [email, _local(email), cells.get("ID number", ""), cells.get("Username", "")]
        rows.append(RosterRow(number, cells, {value.lower() for value in ids if value}))
    if not rows:
        raise LmsError(MESSAGES["bad_roster"].format(path=path, lms=lms, detail=MESSAGES["no_rows"]))
    return header, rows


def canvas_column(header, assignment_name, column=None):
    """The roster's column for the assignment, ``Title (id)`` as Canvas names it: ``column`` when given, else the
    one assignment column whose title is the assignment's name or title (case, spaces and ``_`` aside)."""
    candidates = [name for name in header if ASSIGNMENT_COLUMN.match(name)]
    listed = ", ".join(candidates) or "-"
    if column:
        if column not in header:
            raise LmsError(MESSAGES["column_missing"].format(column=column, columns=listed))
        return column
    spec = catalogues.load(assignment_name)
    wanted = {_plain(spec.name), _plain(spec.title), _plain(text.catalogue(spec.name, "title", spec.title))}
    found = [name for name in candidates if _plain(ASSIGNMENT_COLUMN.match(name)["title"]) in wanted]
    if not found:
        raise LmsError(MESSAGES["no_column"].format(assignment=assignment_name, columns=listed))
    if len(found) > 1:
        raise LmsError(MESSAGES["many_columns"].format(count=len(found), assignment=assignment_name,
                                                      columns=", ".join(found)))
    return found[0]


def _plain(name):
    return re.sub(r"[\s_]+", " ", name).strip().lower()


# -- matching and writing ----------------------------------------------------------------------------------------------
def match(students, rows, lms):
    """({student: RosterRow} of the students matched to exactly one row that no other student matched, [lines])."""
    lines, found = [], {}
    for student in sorted(students):
        hits = [row for row in rows if student.lower() in row.keys]
        if not hits:
            lines.append(MESSAGES["unmatched"].format(student=student))
        elif len(hits) > 1:
            lines.append(MESSAGES["ambiguous"].format(student=student, count=len(hits),
                                                      rows=", ".join(row.label(lms) for row in hits)))
        else:
            found[student] = hits[0]
    by_row = {}
    for student, row in found.items():
        by_row.setdefault(row.number, []).append(student)
    for number, sharing in by_row.items():
        if len(sharing) > 1:
            for student in sharing:
                lines.append(MESSAGES["shared_row"].format(student=student, row=found[student].label(lms),
                                                           others=", ".join(s for s in sharing if s != student)))
                del found[student]
    matched = {row.number for row in found.values()} | {n for n, sharing in by_row.items() if len(sharing) > 1}
    lines += [MESSAGES["no_submission"].format(row=row.label(lms)) for row in rows if row.number not in matched]
    return found, lines


def points(value):
    """A score as Canvas exports one: at most two decimals, no trailing zeros."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def export_rows(lms, grades, matched, column):
    """The rows of the import file (header first)."""
    ready = sorted((student, row) for student, row in matched.items() if grades.scores.get(student) is not None)
    if lms == "canvas":
        rows = [list(CANVAS_IDENTITY) + [column], [CANVAS_POINTS, "", "", "", "", points(grades.max_score)]]
        rows += [[row.cells.get(name, "") for name in CANVAS_IDENTITY] + [points(grades.scores[student])]
                 for student, row in ready]
    else:
        rows = [list(MOODLE_IDENTITY) + [column]]
        rows += [[row.cells.get(name, "") for name in MOODLE_IDENTITY] + [points(grades.scores[student])]
                 for student, row in ready]
    return rows


def main(lms, assignment_name, roster, out, gradebook=None, results_dir=None, column=None):
    """Write the import file; return the exit code (0 written, 2 cannot run)."""
    if lms not in FORMATS:
        raise LmsError(MESSAGES["unknown_format"].format(format=lms, known=", ".join(FORMATS)))
    spec = catalogues.load(assignment_name)
    header, rows = read_roster(roster, lms)
    if lms == "canvas":
        column = canvas_column(header, spec.name, column)
    else:
        column = column or text.catalogue(spec.name, "title", spec.title)
    if gradebook:
        grades = gradebook_grades(spec.name, gradebook)
    else:
        grades = kit_grades(spec.name, results_dir or Path("graded") / spec.name)
    matched, lines = match(grades.scores, rows, lms)
    lines += [MESSAGES["pending_one" if grades.pending[student] == 1 else "pending"].format(
        student=student, points=grades.pending[student])
              for student in sorted(matched) if grades.scores[student] is None]
    for line in grades.notes + lines:
        print(f"lms: {line}", file=sys.stderr)
    table = export_rows(lms, grades, matched, column)
    results.write_text_atomic(csv_cells.write_rows(table), out)
    print(MESSAGES["wrote"].format(count=len(table) - (2 if lms == "canvas" else 1), assignment=spec.name,
                                   max_score=grades.max_score, path=out, lms=lms, column=column))
    return 0

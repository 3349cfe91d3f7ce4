"""Scores from nbgrader's gradebook: the autograded parts and the hand-graded written answers, per student."""
from pathlib import Path

from ... import text

MESSAGES = text.table("nbgrader_gradebook", {
    "no_gradebook": "no nbgrader gradebook at {path}",
})


def gradebook_path(course, db_name="gradebook.db"):
    """The gradebook file: ``course`` itself when it is a file, else ``course/db_name``. It must exist, because
    nbgrader's ``Gradebook`` would quietly create an empty one."""
    path = Path(course)
    path = path if path.is_file() else path / db_name
    if not path.is_file():
        raise FileNotFoundError(MESSAGES["no_gradebook"].format(path=path))
    return path


def gradebook_grades(course, assignment, db_name="gradebook.db"):
    """``{student: {grade_id: {...}}}`` from nbgrader's gradebook, one entry per grade cell of each submission:
    ``auto``, ``manual``, ``extra_credit``, ``score`` (nbgrader's: the manual score when there is one, else the
    auto score, plus extra credit), ``max``, ``needs_manual_grade``, and ``written``: True for a manually graded
    answer (a grade cell that is also a solution cell), False for an autograded part. An assignment the gradebook
    does not know has no submissions."""
    from nbgrader.api import Gradebook, MissingEntry
    grades = {}
    with Gradebook(f"sqlite:///{gradebook_path(course, db_name)}") as gradebook:
        try:
            submissions = gradebook.assignment_submissions(assignment)
        except MissingEntry:
            return {}
        for submission in submissions:
            row = grades.setdefault(submission.student.id, {})
            for notebook in submission.notebooks:
                answers = {cell.name for cell in notebook.notebook.solution_cells}
                for grade in notebook.grades:
                    row[grade.name] = {"auto": grade.auto_score, "manual": grade.manual_score,
                                       "extra_credit": grade.extra_credit, "score": grade.score,
                                       "max": grade.max_score, "needs_manual_grade": grade.needs_manual_grade,
                                       "written": grade.name in answers}
    return grades


def gradebook_scores(course, assignment, db_name="gradebook.db"):
    """``{student: {part: auto score or None}}`` of the autograded parts, from the course's gradebook."""
    return {student: {key: grade["auto"] for key, grade in row.items() if not grade["written"]}
            for student, row in gradebook_grades(course, assignment, db_name).items()}


def written_score(grade):
    """A written answer's score as nbgrader counts it, or None while no one has graded it. An answer the student
    left as it was released is scored 0 by autograde itself."""
    return None if grade["manual"] is None and grade["auto"] is None else float(grade["score"])


def gradebook_written(course, assignment, db_name="gradebook.db"):
    """``{student: {question: score, or None while it waits for a grader}}`` of the written answers."""
    return {student: {key: written_score(grade) for key, grade in row.items() if grade["written"]}
            for student, row in gradebook_grades(course, assignment, db_name).items()}


def written_state(grade):
    """Where a written answer stands, from its ``gradebook_grades`` entry: "by_hand" (a grader scored it), "waiting"
    (it waits for a grader) or "unanswered" (left as released: autograde scored it 0 by itself, and no grader did)."""
    if grade["manual"] is not None:
        return "by_hand"
    return "waiting" if grade["needs_manual_grade"] or grade["auto"] is None else "unanswered"


def gradebook_written_states(course, assignment, db_name="gradebook.db"):
    """``{student: {question: written_state}}`` of the written answers."""
    return {student: {key: written_state(grade) for key, grade in row.items() if grade["written"]}
            for student, row in gradebook_grades(course, assignment, db_name).items()}

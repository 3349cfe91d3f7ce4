"""``nbgrader export``'s plugin: grades.csv with the autograded and the hand-graded points apart."""
from nbgrader.plugins import CsvExportPlugin

from ...reports import csv_cells
from . import failures


class GradesCsvExport(CsvExportPlugin):
    """``nbgrader export``'s grades.csv, with nbgrader's columns and values, and after them the two kinds of points
    apart: ``auto_score`` / ``max_auto_score`` (the autograded parts), ``written_score`` / ``max_written_score``
    (the hand-graded written answers) and ``written_to_grade``, the points of written answers no one has graded
    yet; then ``autograde_failed``: 1 where autograde could not finish the submission, whose parts then score 0 and
    wait for a grader (``grader.adapters.nbgrader.failures``), else 0, each such row also logged in one line.
    nbgrader's ``score`` and ``max_score`` are the sum of both kinds. Unlike nbgrader's own plugin, it writes
    with the csv module (a name with a comma stays one cell) and makes every cell inert (``grader.csv_cells``): a
    student's name is theirs to choose."""

    KEYS = ("assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email", "raw_score",
            "late_submission_penalty", "score", "max_score")
    EXTRA = ("auto_score", "max_auto_score", "written_score", "max_written_score", "written_to_grade",
             "autograde_failed")

    def export(self, gradebook):
        from nbgrader.api import MissingEntry
        dest = self.to or "grades.csv"
        students = {str(item) for item in self.student}
        names = {str(item) for item in self.assignment}
        self.log.info("Exporting grades to %s", dest)
        rows = [list(self.KEYS + self.EXTRA)]
        for assignment in gradebook.assignments:
            if names and assignment.name not in names:
                continue
            columns = self._columns(gradebook, assignment.name)
            for student in gradebook.students:
                if students and student.id not in students:
                    continue
                try:
                    submission = gradebook.find_submission(assignment.name, student.id)
                except MissingEntry:  # nothing submitted: 0, as nbgrader's own export says
                    timestamp, raw, penalty, score = "", 0.0, 0.0, 0.0
                else:
                    penalty = submission.late_submission_penalty
                    timestamp, raw, score = submission.timestamp, submission.score, max(0.0, submission.score - penalty)
                values = (assignment.name, assignment.duedate, timestamp, student.id, student.last_name,
                          student.first_name, student.email, raw, penalty, score, assignment.max_score)
                rows.append(["" if value is None else str(value) for value in values]
                            + columns.get(student.id, columns[None]))
        with open(dest, "w", encoding="utf-8", newline="") as handle:
            csv_cells.write_rows(rows, handle)

    def _columns(self, gradebook, name):
        """{student id: extra column texts} for assignment ``name``; the None key holds a missing submission's."""
        assignment = gradebook.find_assignment(name)
        answers = {cell.name for notebook in assignment.notebooks for cell in notebook.solution_cells}
        cells = [cell for notebook in assignment.notebooks for cell in notebook.grade_cells]
        max_auto = sum(cell.max_score for cell in cells if cell.name not in answers)
        max_written = sum(cell.max_score for cell in cells if cell.name in answers)
        rows = {None: [str(0.0), str(max_auto), str(0.0), str(max_written), str(0.0), "0"]}
        for submission in assignment.submissions:
            auto = written = waiting = 0.0
            broken = False
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    broken = broken or failures.failed(grade, answers)
                    if grade.name not in answers:
                        auto += grade.score
                    elif grade.manual_score is None and grade.auto_score is None:
                        waiting += grade.max_score
                    else:
                        written += grade.score
            rows[submission.student.id] = [str(auto), str(max_auto), str(written), str(max_written), str(waiting),
                                           str(int(broken))]
            if broken:
                self.log.warning(failures.MESSAGES["export"].format(student=submission.student.id,
                                                                              assignment=name))
        return rows

"""Which files make a submission of an assignment, the student and file ids that collection accepts, and a plain
folder copy for the demo and the tests."""
import re
import shutil

from ... import catalogues

STUDENT_ID = r"[A-Za-z0-9][A-Za-z0-9._-]*"
FILE_ID = r"[A-Za-z0-9_][A-Za-z0-9_.-]*\.(?:ipynb|py)"
STUDENT_ID_FULL = re.compile(rf"^{STUDENT_ID}$")


def graded_files(names=None):
    """``{assignment: [graded module file, ...]}``: the files autograde must take from the student, not the source."""
    return {name: [f"{module}.py" for module in catalogues.load(name).modules]
            for name in (names or catalogues.names())}


def expected_files(assignment):
    """The file names a submission of ``assignment`` consists of: its notebook and its graded modules."""
    return [f"{assignment}.ipynb"] + graded_files([assignment])[assignment]


def copy_folder(source, target):
    """Copy a folder's files (the content of any link, never the link), leaving out caches."""
    shutil.copytree(source, target, symlinks=False,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints"))

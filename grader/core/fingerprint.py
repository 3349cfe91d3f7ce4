"""Content digests of the kit's own files: one framing for every fingerprint the kit keeps.

Two fingerprints are built from it. ``reference_sources`` lists what decides an assignment's reference values (the
reference cache's key); ``kit_sources`` lists what decides a grade besides the submission (grade-all's and
autograde's reuse of results). Both lists are derived from the folders, so a module added to a layer is counted
without anyone listing it.
"""
import hashlib
from pathlib import Path

from . import paths

#: The layers whose code decides reference values: the shipped judging code and codec, the core vocabulary, inputs
#: and references, and the catalogues. Other assignments' catalogue modules are left out.
REFERENCE_LAYERS = ("shipped", "core", "catalogues")


def digest(items):
    """sha256 hex digest over ``items``, a list of (label str, data bytes) pairs, unambiguous about where one item
    ends: each label and each data is preceded by its length."""
    sha = hashlib.sha256()
    for label, data in items:
        for part in (label.encode("utf-8"), data):
            sha.update(len(part).to_bytes(8, "big"))
            sha.update(part)
    return sha.hexdigest()


def file_items(files):
    """[(path relative to the checkout, bytes)] of ``files``; a missing file reads as ``b"<missing>"``."""
    items = []
    for path in files:
        path = Path(path)
        label = str(path.relative_to(paths.ROOT)) if paths.ROOT in path.parents else path.name
        items.append((label, path.read_bytes() if path.is_file() else b"<missing>"))
    return items


def _python_files(folder):
    return sorted(path for path in Path(folder).rglob("*.py") if "__pycache__" not in path.parts)


def assignment_files(assignment):
    """The solutions of ``assignment``, the finished modules it ships and its data files."""
    files = _python_files(paths.SOLUTIONS / assignment.name)
    files += [paths.SOLUTIONS / origin / f"{module}.py" for module, origin in sorted(assignment.provided.items())]
    files += [paths.DATA / name for name in assignment.data]
    return files


def reference_sources(assignment, others=()):
    """The files whose content decides ``assignment``'s reference values: every module of ``REFERENCE_LAYERS``
    except the catalogues of the assignments named in ``others``, the reference cache's own code, and
    assignment_files. Provided modules' whole solution folders count, as their helpers may be imported."""
    grader = paths.ROOT / "grader"
    skipped = {grader / "catalogues" / f"{name}.py" for name in others if name != assignment.name}
    files = [path for layer in REFERENCE_LAYERS for path in _python_files(grader / layer) if path not in skipped]
    files.append(grader / "grading" / "reference_cache.py")
    for origin in sorted({assignment.name, *assignment.provided.values()}):
        files += _python_files(paths.SOLUTIONS / origin)
    files += [paths.DATA / name for name in assignment.data]
    return files


def kit_sources(assignment):
    """The files whose content decides a grade besides the submission: all of grader/ and assignment_files."""
    return _python_files(paths.ROOT / "grader") + assignment_files(assignment)

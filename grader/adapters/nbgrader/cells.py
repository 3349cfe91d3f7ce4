"""A submitted notebook's nbgrader metadata, made what the release says before nbgrader reads it.

nbgrader 0.9.6's autograde trusts the metadata of the submitted notebook. A cell that carries nbgrader metadata
with no ``grade_id`` (a copied cell whose metadata an editor cut), two cells with one ``grade_id`` (a copied grade
cell), or a part's grade cell marked as a solution makes its ``DeduplicateIds`` or ``OverwriteCells`` raise
(``add_missing_task_cells`` indexes ``grade_id`` on every cell with metadata; a solution cell cannot be locked, so
its checksum never matches), and a ``schema_version`` other than 3 stops autograde for the whole class. The
submission is then not graded at all.

``NormaliseCells`` runs before any of nbgrader's own steps (first in ``Autograde.sanitize_preprocessors``, after
``ZeroUntilGraded``). Every lone surrogate in the notebook's text becomes U+FFFD first, so that nbgrader can write
it as UTF-8. The gradebook's record of the released notebook is the truth: each cell whose ``grade_id`` names
a cell of the release gets that cell's metadata exactly (grade, solution, task, locked, points, schema version), and
the nbgrader metadata of every other cell is removed, so nbgrader treats it as an ordinary cell. Where two cells
name the same cell, the last keeps the name, as nbgrader's ``DeduplicateIds`` decides. nbgrader's own steps then
restore what they restore (a locked cell's source, a cell type, a missing grade cell), and nothing a student can
write in the metadata can stop the submission from being graded or change what a cell is worth.
"""
import re

from nbgrader.api import Gradebook, MissingEntry

from ... import text
from .preprocessor import KitPreprocessor

MESSAGES = text.table("nbgrader_cells", {
    "dropped": "{student}: cell {cell} of {notebook} carries nbgrader metadata that {reason}; it is graded as an "
               "ordinary cell",
    "not_a_dict": "is not a mapping",
    "no_grade_id": "has no grade_id",
    "unknown_id": "names no cell of the release ({grade_id!r})",
    "repeated_id": "repeats the grade_id {grade_id!r} of a later cell",
    "restored": "{student}: cell {grade_id!r} of {notebook} had its nbgrader metadata changed ({keys}); the "
                "release's is restored",
    "surrogates": "{student}: {notebook} holds text that is not valid Unicode (lone surrogates); each such "
                  "character is replaced by U+FFFD",
})

SCHEMA_VERSION = 3


def released_metadata(notebook):
    """``{grade_id: nbgrader metadata}`` of every nbgrader cell of a gradebook ``Notebook`` (the release), as
    generate_assignment wrote it, without the checksum (nbgrader's OverwriteCells sets that)."""
    grades = {cell.name: cell.max_score for cell in notebook.grade_cells}
    tasks = {cell.name: cell.max_score for cell in notebook.task_cells}
    solutions = {cell.name for cell in notebook.solution_cells}
    cells = {}
    for source in notebook.source_cells:
        meta = {"grade": source.name in grades, "solution": source.name in solutions, "locked": bool(source.locked),
                "task": source.name in tasks, "grade_id": source.name, "schema_version": SCHEMA_VERSION,
                "cell_type": source.cell_type}
        if source.name in grades:
            meta["points"] = float(grades[source.name])
        if source.name in tasks:
            meta["points"] = float(tasks[source.name])
        cells[source.name] = meta
    return cells


SURROGATE = re.compile("[\ud800-\udfff]")


def valid_text(node):
    """``node`` (a notebook, or any part of one) with every lone surrogate in its strings, keys included, replaced by
    U+FFFD, in place; returns how many strings changed. nbgrader writes notebooks as UTF-8, which has no lone
    surrogate: a notebook holding one (JSON allows ``"\\ud800"``) would fail autograde when it is written."""
    changed = 0
    if isinstance(node, dict):
        for key in list(node):
            value = node[key]
            if isinstance(value, str) and SURROGATE.search(value):
                node[key], changed = SURROGATE.sub("\ufffd", value), changed + 1
            else:
                changed += valid_text(value)
            if isinstance(key, str) and SURROGATE.search(key):
                node[SURROGATE.sub("\ufffd", key)] = node.pop(key)
                changed += 1
    elif isinstance(node, list):
        for index, value in enumerate(node):
            if isinstance(value, str) and SURROGATE.search(value):
                node[index], changed = SURROGATE.sub("\ufffd", value), changed + 1
            else:
                changed += valid_text(value)
    return changed


def normalise(nb, released):
    """Make ``nb``'s nbgrader metadata the release's (``released``, from ``released_metadata``), in place.

    Returns ``(dropped, restored)``: ``[(cell label, reason key, grade_id)]`` of the cells whose nbgrader metadata
    was removed, and ``[(grade_id, changed keys)]`` of those whose metadata was set back to the release's."""
    last = {}
    for index, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader")
        if isinstance(meta, dict) and isinstance(meta.get("grade_id"), str) and meta["grade_id"] in released:
            last[meta["grade_id"]] = index
    dropped, restored = [], []
    for index, cell in enumerate(nb.cells):
        if "nbgrader" not in cell.metadata:
            continue
        meta = cell.metadata["nbgrader"]
        grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
        if not isinstance(meta, dict):
            reason = "not_a_dict"
        elif not isinstance(grade_id, str) or not grade_id:
            reason = "no_grade_id"
        elif grade_id not in released:
            reason = "unknown_id"
        elif last[grade_id] != index:
            reason = "repeated_id"
        else:
            want = released[grade_id]
            changed = sorted(key for key in set(want) | set(meta) - {"checksum"} if meta.get(key) != want.get(key))
            if changed:
                restored.append((grade_id, changed))
            checksum = meta.get("checksum")
            cell.metadata["nbgrader"] = dict(want, **({"checksum": checksum} if isinstance(checksum, str) else {}))
            continue
        del cell.metadata["nbgrader"]
        dropped.append((cell.get("id") or f"#{index + 1}", reason, grade_id))
    return dropped, restored


class NormaliseCells(KitPreprocessor):
    """``autograde``, before nbgrader's own steps: the submitted notebook's nbgrader metadata made the release's
    (``normalise``), with one log line for each cell it changed."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gradebook:
            try:
                notebook = gradebook.find_notebook(info["notebook"], info["assignment"])
            except MissingEntry:  # nbgrader skips a notebook it does not know before this runs
                return nb, resources
            released = released_metadata(notebook)
        if valid_text(nb):
            self.log.warning(MESSAGES["surrogates"].format(student=info["student"], notebook=info["notebook"]))
        dropped, restored = normalise(nb, released)
        for cell, reason, grade_id in dropped:
            self.log.warning(MESSAGES["dropped"].format(
                student=info["student"], cell=cell, notebook=info["notebook"],
                reason=MESSAGES[reason].format(grade_id=str(grade_id)[:80])))
        for grade_id, keys in restored:
            self.log.warning(MESSAGES["restored"].format(student=info["student"], grade_id=grade_id,
                                                         notebook=info["notebook"], keys=", ".join(keys)))
        return nb, resources

"""Building an assignment's notebook from its percent-format source in ``notebooks/<assignment>.py``.

The source is plain Python with cell markers:
- ``# %% [markdown] <key>`` starts a markdown cell; its lines drop their leading ``# ``. The key names the cell for
  its translations (``("notebook:<assignment>", "<key>")`` in ``grader/text/<lang>/``): a short, unique word that
  says what the cell is about, never its position, so that inserting a cell changes no other cell's key;
- ``# %%`` starts a code cell;
- ``# %% [grade] <part>`` is replaced by the nbgrader grade cell of that catalogue part, with its points.

Every part of the catalogue must have exactly one grade cell. The output is deterministic, so ``sync --check``
can compare it byte for byte. In another language, each markdown cell is that language's text of its key, the grade
cells' comments are translated, and the code cells are the same.
"""
import json
import re

from . import paths, text

MARKER = re.compile(r"^# %%(?: \[(?P<kind>markdown|grade)\])?(?: (?P<part>\S+))?\s*$")
GRADE_SOURCE = (
    "# Graded part: {title} ({points:g} points).\n"
    "# Running this cell shows the part's public checks; the grader also runs hidden ones.\n"
    "from _selfcheck.local import check_part\n"
    "check_part({key!r})"
)
MESSAGES = {
    "unknown_part": "{path}: grade cell for unknown part {part!r}",
    "missing_parts": "{path}: no grade cell for part(s) {parts}",
    "duplicate_part": "{path}: more than one grade cell for part {part!r}",
    "before_marker": "{path}: text before the first '# %%' marker",
    "duplicate_key": "{path}: more than one markdown cell with the key {key!r}",
}
TEXT = text.table("notebooks", {
    "grade_source": GRADE_SOURCE,
})


class NotebookSourceError(ValueError):
    pass


def _cells(text, path):
    kind, part, lines, cells = None, None, [], []
    for line in text.splitlines():
        match = MARKER.match(line)
        if match:
            if kind is not None:
                cells.append((kind, part, lines))
            kind, part, lines = match["kind"] or "code", match["part"], []
        elif kind is None:
            if line.strip():
                raise NotebookSourceError(MESSAGES["before_marker"].format(path=path))
        else:
            lines.append(line)
    if kind is not None:
        cells.append((kind, part, lines))
    return cells


def _strip_blank_edges(lines):
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


def source_path(assignment):
    return paths.ROOT / "notebooks" / f"{assignment.name}.py"


def markdown_cells(assignment):
    """[(key or None, English markdown)] of the notebook source, in order."""
    path = source_path(assignment)
    return [(key, _markdown(lines)) for kind, key, lines in _cells(path.read_text(encoding="utf-8"), path)
            if kind == "markdown"]


def _markdown(lines):
    return "\n".join(line[2:] if line.startswith("# ") else line.lstrip("#") for line in _strip_blank_edges(lines))


def build(assignment, lang=text.ENGLISH):
    """The notebook JSON text for ``assignment``, from ``notebooks/<name>.py``, in ``lang``."""
    path = source_path(assignment)
    cells, seen, keys = [], set(), set()
    grade_source = text.lookup("notebooks", "grade_source", GRADE_SOURCE, lang)
    for index, (kind, part_key, lines) in enumerate(_cells(path.read_text(encoding="utf-8"), path)):
        cell_id = f"{assignment.name}-{index:03d}"
        if kind == "markdown":
            if part_key is not None and part_key in keys:
                raise NotebookSourceError(MESSAGES["duplicate_key"].format(path=path, key=part_key))
            keys.add(part_key)
            body = _markdown(lines)
            if part_key:
                body = text.lookup(f"notebook:{assignment.name}", part_key, body, lang)
            cells.append({"cell_type": "markdown", "id": cell_id, "metadata": {}, "source": body})
            continue
        if kind == "grade":
            try:
                part = assignment.part(part_key)
            except KeyError:
                raise NotebookSourceError(MESSAGES["unknown_part"].format(path=path, part=part_key)) from None
            if part_key in seen:
                raise NotebookSourceError(MESSAGES["duplicate_part"].format(path=path, part=part_key))
            seen.add(part_key)
            title = text.catalogue(assignment.name, f"part:{part.key}", part.title, lang)
            source = grade_source.format(title=title, points=part.points, key=part.key)
            metadata = {"nbgrader": {"grade": True, "grade_id": part.key, "locked": True, "points": part.points,
                                     "schema_version": 3, "solution": False, "task": False}}
            cell_id = f"grade-{part.key}"
        else:
            source, metadata = "\n".join(_strip_blank_edges(lines)), {}
        cells.append({"cell_type": "code", "execution_count": None, "id": cell_id, "metadata": metadata,
                      "outputs": [], "source": source})
    missing = [part.key for part in assignment.parts if part.key not in seen]
    if missing:
        raise NotebookSourceError(MESSAGES["missing_parts"].format(path=path, parts=", ".join(missing)))
    notebook = {"cells": cells, "metadata": {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"}}, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"

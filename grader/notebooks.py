"""Building an assignment's notebook from its percent-format source in ``notebooks/<assignment>.py``.

The source is plain Python with cell markers:
- ``# %% [markdown]`` starts a markdown cell; its lines drop their leading ``# ``;
- ``# %%`` starts a code cell;
- ``# %% [grade] <part>`` is replaced by the nbgrader grade cell of that catalogue part, with its points.

Every part of the catalogue must have exactly one grade cell. The output is deterministic, so ``sync --check``
can compare it byte for byte.
"""
import json
import re

from . import paths

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
}


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


def build(assignment):
    """The notebook JSON text for ``assignment``, from ``notebooks/<name>.py``."""
    path = paths.ROOT / "notebooks" / f"{assignment.name}.py"
    cells, seen = [], set()
    for index, (kind, part_key, lines) in enumerate(_cells(path.read_text(encoding="utf-8"), path)):
        cell_id = f"{assignment.name}-{index:03d}"
        if kind == "markdown":
            body = [line[2:] if line.startswith("# ") else line.lstrip("#") for line in _strip_blank_edges(lines)]
            cells.append({"cell_type": "markdown", "id": cell_id, "metadata": {}, "source": "\n".join(body)})
            continue
        if kind == "grade":
            try:
                part = assignment.part(part_key)
            except KeyError:
                raise NotebookSourceError(MESSAGES["unknown_part"].format(path=path, part=part_key)) from None
            if part_key in seen:
                raise NotebookSourceError(MESSAGES["duplicate_part"].format(path=path, part=part_key))
            seen.add(part_key)
            source = GRADE_SOURCE.format(title=part.title, points=part.points, key=part.key)
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

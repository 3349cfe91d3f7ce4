"""Building an assignment's notebook from its percent-format source in ``notebooks/<assignment>.py``.

The source is plain Python with cell markers:
- ``# %% [markdown] <key>`` starts a markdown cell; its lines drop their leading ``# ``. The key names the cell for
  its translations (``notebook:<assignment>::<key>`` in ``grader/text/locale/<lang>/``): a short, unique word that
  says what the cell is about, never its position, so that inserting a cell changes no other cell's key;
- ``# %%`` starts a code cell;
- ``# %% [grade] <part>`` is replaced by the nbgrader grade cell of that catalogue part, with its points;
- ``# %% [written] <key>`` starts a written question of the catalogue (``Assignment.written``): its lines, in
  markdown like a markdown cell's, are the prompt. It becomes two cells: the prompt, locked, headed by the
  question's title and points, and an nbgrader "manually graded answer" cell (markdown, ``solution`` and ``grade``
  set, the question's points) that holds ``YOUR ANSWER HERE`` until the student writes there. The rubric stays in
  the catalogue: it is never written into the notebook.

Every part of the catalogue must have exactly one grade cell, and every written question exactly one marker. The
output is deterministic, so ``sync --check`` can compare it byte for byte. In another language, each markdown cell
is that language's text of its key, a written question's title and prompt are translated (``<key>.title`` and
``<key>.prompt`` in ``("written:<assignment>", ...)``), so are the grade cells' comments, and the code cells are the
same.
"""
import json
import re

from ..core import paths
from .. import text

MARKER = re.compile(r"^# %%(?: \[(?P<kind>markdown|grade|written)\])?(?: (?P<part>\S+))?\s*$")
GRADE_SOURCE = (
    "# Graded part: {title} ({points:g} {unit}).\n"
    "# Running this cell shows the part's public checks; the grader also runs hidden ones.\n"
    "from _selfcheck.local import check_part\n"
    "check_part({key!r})"
)
#: nbgrader's ``ClearSolutions.text_stub``: the released answer cell holds exactly what the source holds
ANSWER_STUB = "YOUR ANSWER HERE"
WRITTEN_HEADER = "**Written question: {title}** ({points:g} {unit}, graded by hand)"
WRITTEN_FOOTER = "Write your answer in the next cell, in place of `{stub}`. A few sentences are enough."
#: What students read around the cells, in every language
TEXT = text.table("notebooks", {
    "grade_source": GRADE_SOURCE,
    "written_header": WRITTEN_HEADER,
    "written_footer": WRITTEN_FOOTER,
    "answer_stub": ANSWER_STUB,
    "point": "point",
    "points": "points",
})
MESSAGES = {
    "unknown_part": "{path}: grade cell for unknown part {part!r}",
    "unknown_question": "{path}: written question {key!r} is not in the catalogue's written=",
    "missing_questions": "{path}: no '# %% [written]' marker for question(s) {keys}: add '# %% [written] <key>' "
                         "followed by the question's prompt for each",
    "duplicate_question": "{path}: more than one '# %% [written]' marker for question {key!r}",
    "empty_prompt": "{path}: written question {key!r} has no prompt",
    "duplicate_id": "{path}: grade_id {key!r} is used twice",
    "missing_parts": "{path}: no grade cell for part(s) {parts}: add a line '# %% [grade] <part>' for each, where "
                     "its grade cell goes (after the cell that explains the function)",
    "duplicate_part": "{path}: more than one grade cell for part {part!r}",
    "before_marker": "{path}: text before the first '# %%' marker",
    "duplicate_key": "{path}: more than one markdown cell with the key {key!r}",
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


def _markdown(lines):
    return "\n".join(line[2:] if line.startswith("# ") else line.lstrip("#") for line in _strip_blank_edges(lines))


def source_path(assignment):
    return paths.ROOT / "notebooks" / f"{assignment.name}.py"


def markdown_cells(assignment):
    """[(key or None, English markdown)] of the notebook source's markdown cells, in order."""
    path = source_path(assignment)
    return [(key, _markdown(lines)) for kind, key, lines in _cells(path.read_text(encoding="utf-8"), path)
            if kind == "markdown"]


def prompts(assignment):
    """``{question key: prompt markdown}`` of the written questions in ``notebooks/<name>.py``, in notebook order."""
    path = source_path(assignment)
    return {key: _markdown(lines) for kind, key, lines in _cells(path.read_text(encoding="utf-8"), path)
            if kind == "written"}


def _nbgrader(grade_id, **flags):
    meta = {"grade": False, "grade_id": grade_id, "locked": False, "schema_version": 3, "solution": False,
            "task": False}
    meta.update(flags)
    return {"nbgrader": dict(sorted(meta.items()))}


def written_cells(question, prompt, title=None):
    """The two cells of a written question: its prompt (locked markdown) and its manually graded answer cell."""
    def say(key):
        return text.lookup("notebooks", key, TEXT.english()[key])
    unit = say("point") if question.points == 1 else say("points")
    stub = say("answer_stub")
    body = "\n\n".join([say("written_header").format(title=title or question.title, points=question.points,
                                                      unit=unit),
                         prompt, say("written_footer").format(stub=stub)])
    return [
        {"cell_type": "markdown", "id": f"written-{question.key}-prompt",
         "metadata": _nbgrader(f"{question.key}-prompt", locked=True), "source": body},
        {"cell_type": "markdown", "id": f"written-{question.key}",
         "metadata": _nbgrader(question.key, grade=True, solution=True, points=question.points),
         "source": stub},
    ]


def build(assignment):
    """The notebook JSON text for ``assignment``, from ``notebooks/<name>.py``, in the current language."""
    path = source_path(assignment)
    cells, seen, asked, keys = [], set(), set(), set()
    grade_source = text.lookup("notebooks", "grade_source", GRADE_SOURCE)
    written = f"written:{assignment.name}"
    index = -1  # written questions take no number, so adding one renames no other cell
    for kind, part_key, lines in _cells(path.read_text(encoding="utf-8"), path):
        index += kind != "written"
        cell_id = f"{assignment.name}-{index:03d}"
        if kind == "markdown":
            if part_key is not None and part_key in keys:
                raise NotebookSourceError(MESSAGES["duplicate_key"].format(path=path, key=part_key))
            keys.add(part_key)
            body = _markdown(lines)
            if part_key:
                body = text.lookup(f"notebook:{assignment.name}", part_key, body)
            cells.append({"cell_type": "markdown", "id": cell_id, "metadata": {}, "source": body})
            continue
        if kind == "written":
            try:
                question = assignment.question(part_key)
            except KeyError:
                raise NotebookSourceError(MESSAGES["unknown_question"].format(path=path, key=part_key)) from None
            if part_key in asked:
                raise NotebookSourceError(MESSAGES["duplicate_question"].format(path=path, key=part_key))
            if not _markdown(lines).strip():
                raise NotebookSourceError(MESSAGES["empty_prompt"].format(path=path, key=part_key))
            asked.add(part_key)
            prompt = text.lookup(written, f"{part_key}.prompt", _markdown(lines))
            title = text.lookup(written, f"{part_key}.title", question.title)
            cells.extend(written_cells(question, prompt, title))
            continue
        if kind == "grade":
            try:
                part = assignment.part(part_key)
            except KeyError:
                raise NotebookSourceError(MESSAGES["unknown_part"].format(path=path, part=part_key)) from None
            if part_key in seen:
                raise NotebookSourceError(MESSAGES["duplicate_part"].format(path=path, part=part_key))
            seen.add(part_key)
            title = text.catalogue(assignment.name, f"part:{part.key}", part.title)
            unit_key = "point" if part.points == 1 else "points"
            unit = text.lookup("notebooks", unit_key, TEXT.english()[unit_key])
            source = grade_source.format(title=title, points=part.points, key=part.key, unit=unit)
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
    unasked = [question.key for question in assignment.written if question.key not in asked]
    if unasked:
        raise NotebookSourceError(MESSAGES["missing_questions"].format(path=path, keys=", ".join(unasked)))
    ids = [cell["metadata"]["nbgrader"]["grade_id"] for cell in cells if "nbgrader" in cell["metadata"]]
    for grade_id in ids:
        if ids.count(grade_id) > 1:
            raise NotebookSourceError(MESSAGES["duplicate_id"].format(path=path, key=grade_id))
    notebook = {"cells": cells, "metadata": {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"}}, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"

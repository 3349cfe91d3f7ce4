"""The kit in Chinese (简体中文): every table of grader/text, keyed as ``grader/text/__init__.py`` says.

- ``messages.py``: each module's ``MESSAGES`` (and the self-check's);
- ``catalogues.py``: each catalogue's titles, labels and misconception messages;
- ``code.py``: the docstrings, TODO hints and messages of the students' files;
- ``written.py``: the written questions' titles, prompts and rubrics;
- ``notebooks/<assignment>.md``: each notebook's markdown cells, under ``<!-- cell: <key> -->`` lines.
"""
import re
from pathlib import Path

from .. import join_wide_lines
from . import catalogues, code, messages, written

CELL = re.compile(r"^<!-- cell: (?P<key>\S+) -->$", re.M)


def notebook_cells(path):
    """{cell key: markdown} of one notebook file."""
    content = Path(path).read_text(encoding="utf-8")
    marks = list(CELL.finditer(content))
    cells = {}
    for mark, after in zip(marks, marks[1:] + [None]):
        body = content[mark.end():after.start() if after else len(content)]
        cells[mark["key"]] = join_wide_lines(body.strip("\n"))
    return cells


TABLES = {**messages.TABLES, **catalogues.TABLES, **code.TABLES}
TABLES.update({name: {key: join_wide_lines(value) if key.endswith(".prompt") else value
                      for key, value in table.items()} for name, table in written.TABLES.items()})
TABLES["student_readme"] = dict(TABLES["student_readme"], readme=join_wide_lines(TABLES["student_readme"]["readme"]))
for _path in sorted((Path(__file__).parent / "notebooks").glob("*.md")):
    TABLES[f"notebook:{_path.stem}"] = notebook_cells(_path)

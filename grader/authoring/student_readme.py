"""The ``README.md`` of every released assignment folder, in the course's language: what the folder is, what to
install (Python, numpy, matplotlib, pytest and Jupyter, in one pip line), how to work (the notebook, then ``pytest``)
and the parts' points. ``sync.build`` writes it into ``assignments/<name>/`` (English) and a course's folders (any
language), and nbgrader releases it with the rest."""
from .. import text

#: the one line that installs everything a student's folder needs: the self-check's and the notebook's
INSTALL = "python -m pip install numpy matplotlib pytest jupyterlab"

MESSAGES = text.table("student_readme", {
    "readme": """# {title}

This folder is your assignment. You write your answers in {modules}: each `# TODO` marks a place to fill in, and the
docstring above it gives every argument's shape.

## What you need

Python 3.10 or newer, with numpy, matplotlib, pytest and Jupyter. Install them once, in a terminal:

```bash
{install}
```

`pytest` runs without Jupyter; the notebook needs it.

## How to work

1. Open the notebook: run `jupyter lab {notebook}` in this folder. It explains each idea, runs your code and draws
   it. Its **graded part** cells run the public checks of each part.
2. Run `pytest` in this folder whenever you like. It runs every public check in a few seconds and says what is
   wrong: the expected value against yours, or the wrong shape, dtype or type. When a mistake matches a classic bug,
   it names the bug. With untouched files, every check says "not implemented yet". A file that cannot be imported
   (a syntax error, say) fails once, with its line: fix that first.
3. Hand in the whole folder. The grader runs the public checks and hidden ones (other inputs, gradient checks and
   training runs), so passing `pytest` is necessary, not sufficient.

Leave `_selfcheck/`, `test_selfcheck.py` and `pytest.ini` as they are.

| part | points |
|---|---|
{parts}
""",
    "readme_module": "`{module}.py`",
    "readme_join": ", ",
    "readme_part": "| {title} | {points:g} |",
})


def readme(assignment):
    """The students' README.md of ``assignment`` in the current language."""
    def say(key):
        return text.lookup("student_readme", key, MESSAGES.english()[key])
    name = assignment.name
    modules = say("readme_join").join(say("readme_module").format(module=module) for module in assignment.modules)
    parts = "\n".join(say("readme_part").format(title=text.catalogue(name, f"part:{part.key}", part.title),
                                               points=part.points) for part in assignment.parts)
    return say("readme").format(title=text.catalogue(name, "title", assignment.title), modules=modules,
                                notebook=f"{name}.ipynb", parts=parts, install=INSTALL)

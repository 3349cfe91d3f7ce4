"""Where the kit's folders are, and the environment its own subprocesses run in. The kit runs from its checkout."""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
ASSIGNMENTS = ROOT / "assignments"
DATA = ROOT / "data"


def tool_env(**extra):
    """Environment for the kit's subprocesses (the grader, nbgrader, pytest): this interpreter's bin/ first on PATH,
    because nbgrader runs `alembic` by name; the kit importable; matplotlib headless; the language ``--lang`` chose.
    ``extra`` overrides."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    env["MPLBACKEND"] = "Agg"
    from . import text
    if text.chosen():  # the language --lang chose, for the grader, nbgrader and pytest this process starts
        env[text.VARIABLE] = text.chosen()
    env.update(extra)
    return env

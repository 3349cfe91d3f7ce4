"""Where the kit's folders are, and the environment its own subprocesses run in. The kit runs from its checkout."""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"
ASSIGNMENTS = ROOT / "assignments"
DATA = ROOT / "data"
#: the files copied into every student's folder, which the sandbox's worker imports too
SHIPPED = ROOT / "grader" / "shipped"
#: where the reference outputs are cached (grader.grading.reference_cache)
REFERENCE_CACHE_VARIABLE = "NNKIT_REFERENCE_CACHE"


def reference_cache_folder():
    """The reference cache's folder: $NNKIT_REFERENCE_CACHE, else the user's cache directory."""
    if os.environ.get(REFERENCE_CACHE_VARIABLE):
        return Path(os.environ[REFERENCE_CACHE_VARIABLE])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "nnkit" / "references"


def tool_env(**extra):
    """Environment for the kit's subprocesses (the grader, nbgrader, pytest): this interpreter's bin/ first on PATH,
    because nbgrader runs `alembic` by name; the kit importable; matplotlib headless; the language ``--lang`` chose.
    ``extra`` overrides."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    env["MPLBACKEND"] = "Agg"
    from .. import text
    if text.chosen():  # the language --lang chose, for the grader, nbgrader and pytest this process starts
        env[text.VARIABLE] = text.chosen()
    env.update(extra)
    return env


def plot_alt(png):
    """Where grader.plots writes a plot's text alternative, beside it: ``<name>.alt.txt``. It says what the plot
    shows (each run's final loss and accuracy; each network's accuracy and the boundary), for the page's ``alt``."""
    return Path(png).with_name(Path(png).stem + ".alt.txt")


def read_plot_alt(png, limit=2000):
    """The text alternative written beside a plot, or '' when there is none."""
    try:
        with open(plot_alt(png), encoding="utf-8", errors="replace") as handle:
            return handle.read(limit).strip()
    except OSError:
        return ""

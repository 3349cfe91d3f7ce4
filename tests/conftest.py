"""Shared fixtures: real submissions built from the solutions, and an environment for the real CLIs."""
import os
import shutil
from pathlib import Path

import pytest

from grader import catalogues, paths, reference_cache

ROOT = paths.ROOT


cli_env = paths.tool_env


def solution_anchor(assignment, module, function):
    """The ``### BEGIN SOLUTION`` line of ``function`` in a solution module: code inserted after it runs first."""
    lines = (paths.SOLUTIONS / assignment / f"{module}.py").read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith(f"def {function}("))
    return next(line for line in lines[start:] if "### BEGIN SOLUTION" in line)


def part_of(report, key):
    """The PartResult with this key."""
    return next(part for part in report.parts if part.key == key)


def make_submission(folder, assignment, edits=None, stub=False, extra_files=None):
    """Build a submission folder of ``assignment`` in ``folder`` and return it.

    It holds the solution modules (or the untouched stubs with ``stub=True``), then ``edits`` are applied:
    {"module.py": [(old, new), ...]} replaces text, each ``old`` must occur exactly once; {"module.py": "source"}
    replaces the whole file. ``extra_files`` {"name": "text"} adds files a student might add.
    """
    spec = catalogues.load(assignment)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    source = (paths.ASSIGNMENTS if stub else paths.SOLUTIONS) / assignment
    for module in spec.modules:
        shutil.copyfile(source / f"{module}.py", folder / f"{module}.py")
    for name, change in (edits or {}).items():
        target = folder / name
        if isinstance(change, str):
            target.write_text(change, encoding="utf-8")
            continue
        text = target.read_text(encoding="utf-8")
        for old, new in change:
            assert text.count(old) == 1, f"edit target occurs {text.count(old)} times in {name}: {old!r}"
            text = text.replace(old, new)
        target.write_text(text, encoding="utf-8")
    for name, text in (extra_files or {}).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def submission(tmp_path):
    """``submission(assignment, edits=None, stub=False, extra_files=None, name='student')`` -> folder."""
    def build(assignment, edits=None, stub=False, extra_files=None, name="student"):
        return make_submission(tmp_path / name / assignment, assignment, edits, stub, extra_files)
    return build


@pytest.fixture(scope="session", autouse=True)
def private_reference_cache(tmp_path_factory):
    """Every test session (each xdist worker) and the CLIs it starts use a reference cache of their own, never the
    user's: the suite always builds its references from scratch once."""
    os.environ[reference_cache.VARIABLE] = str(tmp_path_factory.mktemp("reference-cache"))

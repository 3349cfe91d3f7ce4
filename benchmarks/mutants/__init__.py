"""Classic student bugs and correct alternatives, as real edits of the solutions: the kit's own measure of itself.

Each assignment's module here lists ``MUTANTS``, each one bug a teacher sees again and again, and ``ALTERNATIVES``,
correct code written another way. ``benchmarks/accuracy.py`` grades every one as a real submission and prints what
the grader catches and names; ``tests/test_accuracy.py`` holds the kit to it. Edits are applied to the solution
modules: {"module.py": [(old, new), ...]}, each ``old`` occurring exactly once, found as written or as the same
code tokens, so that reformatting a solution breaks no mutant (``edits.py``); or {"module.py": "whole source"}.
"""
import importlib
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .edits import apply_edit

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENTS = ("a1_neuron_gd", "a2_forward", "a3_backprop")


@dataclass(frozen=True)
class Mutant:
    """One classic bug. ``part`` is the catalogue part of the function that holds it; ``cause`` the misconception
    key the grader must name there ("" where a clear message without one is all it can say); ``note`` says what
    the student did."""
    name: str
    part: str
    edits: dict
    cause: str
    note: str = ""


@dataclass(frozen=True)
class Alternative:
    """Correct code written differently: it must keep full marks."""
    name: str
    edits: dict
    note: str = ""


@dataclass(frozen=True)
class Registry:
    mutants: tuple
    alternatives: tuple = field(default=())


def registry(assignment):
    """The Registry of one assignment: its module's MUTANTS and ALTERNATIVES."""
    module = importlib.import_module(f"{__name__}.{assignment}")
    names = [mutant.name for mutant in module.MUTANTS]
    if len(names) != len(set(names)):
        raise ValueError(f"{assignment}: mutant names must be unique")
    return Registry(tuple(module.MUTANTS), tuple(module.ALTERNATIVES))


def mutant(assignment, name):
    return next(m for m in registry(assignment).mutants if m.name == name)


def make_submission(folder, assignment, edits=None, stub=False, extra_files=None):
    """Build a submission folder of ``assignment`` in ``folder`` and return it.

    It holds the solution modules (or the untouched stubs with ``stub=True``), then ``edits`` are applied:
    {"module.py": [(old, new), ...]} replaces code, each ``old`` occurring exactly once (as written, or as the same
    code tokens: see edits.apply_edit, so a reformatted solution keeps its mutants); {"module.py": "source"}
    replaces the whole file. ``extra_files`` {"name": "text"} adds files a student might add.
    """
    from grader import catalogues
    from grader.core import paths
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
            try:
                text = apply_edit(text, old, new)
            except ValueError as exc:
                raise ValueError(f"{name}: {exc}") from None
        target.write_text(text, encoding="utf-8")
    for name, text in (extra_files or {}).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder

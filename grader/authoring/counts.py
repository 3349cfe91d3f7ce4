"""The counts the documentation quotes (graded parts, points, cases, classic bugs), computed from the catalogues and
the registry of classic bugs (``benchmarks/mutants/``), never typed by hand.

``python -m grader sync`` writes them into ``docs/accuracy.md`` between the lines ``BEGIN`` and ``END``; ``sync
--check`` (and ``tests/test_sync.py``) fails while they differ, so a new part, case or mutant moves them with it.
"""
import importlib.util
import sys

from .. import catalogues
from ..core import paths

DOC = paths.ROOT / "docs" / "accuracy.md"
BEGIN = "<!-- counts: written by `python -m grader sync` from the catalogues and benchmarks/mutants/ -->"
END = "<!-- end of counts -->"
HEADER = ("| assignment | graded parts | points | checks | public cases | hidden cases | misconceptions | classic bugs "
          "| correct alternatives |\n|---|---|---|---|---|---|---|---|---|")


def registry():
    """The ``mutants`` package of ``benchmarks/`` (its ``registry(assignment)``), imported from the kit's checkout."""
    if "mutants" in sys.modules:
        return sys.modules["mutants"]
    folder = paths.ROOT / "benchmarks" / "mutants"
    spec = importlib.util.spec_from_file_location("mutants", folder / "__init__.py",
                                                  submodule_search_locations=[str(folder)])
    module = importlib.util.module_from_spec(spec)
    sys.modules["mutants"] = module
    spec.loader.exec_module(module)
    return module


def row(name):
    """(name, parts, points, checks, public, hidden, misconceptions, bugs, alternatives) of one assignment."""
    spec = catalogues.load(name)
    checks = [check for part in spec.parts for check in part.checks]
    cases = [case for check in checks for case in check.cases]
    kinds = {item.key for check in checks for item in check.misconceptions}
    found = registry().registry(name) if name in registry().ASSIGNMENTS else None
    return (name, len(spec.parts), spec.max_score, len(checks), sum(case.public for case in cases),
            sum(not case.public for case in cases), len(kinds), len(found.mutants) if found else 0,
            len(found.alternatives) if found else 0)


def table():
    """The counts as a markdown table, one row per assignment and a row of totals."""
    rows = [row(name) for name in catalogues.names()]
    totals = ("all", *(sum(values) for values in list(zip(*rows))[1:]))
    lines = [HEADER] + [f"| `{r[0]}` | " + " | ".join(f"{v:g}" for v in r[1:]) + " |" for r in rows]
    lines.append("| all | " + " | ".join(f"{v:g}" for v in totals[1:]) + " |")
    return "\n".join(lines)


def document():
    """docs/accuracy.md with its counts block as the catalogues and the registry say now."""
    content = DOC.read_text(encoding="utf-8")
    start, end = content.index(BEGIN) + len(BEGIN), content.index(END)
    return content[:start] + "\n" + table() + "\n" + content[end:]

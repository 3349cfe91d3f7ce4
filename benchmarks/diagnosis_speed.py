"""How long the grader spends on diagnoses, against the whole grading of a submission; and two slips named.

Every hand-written mutant of ``benchmarks/mutants/`` (the submissions with something to diagnose) is graded by the
kit's engine, and the grader's own time on diagnoses (``Report.diagnosis_seconds``, the ``grader.diagnosis``
deadline's count) is set against the grading time. The budget, ``diagnosis.BUDGET_SECONDS`` per submission, is
enforced in code: past it, nothing more is searched.

    .venv/bin/python benchmarks/diagnosis_speed.py [--only a3_backprop] [--limit 20]
    .venv/bin/python benchmarks/diagnosis_speed.py --two-slips

With ``--two-slips``, it grades the two-slip cases of ``benchmarks/mutants/two_slips.py`` instead and prints, for
each, whether the messages of its part's failing cases name each slip. Prints tables; asserts nothing.
"""
import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import mutants  # noqa: E402
from mutants import two_slips  # noqa: E402
from grader.grading import diagnosis, engine  # noqa: E402


def grade(assignment, edits):
    with tempfile.TemporaryDirectory(prefix="nnkit-diagnosis-") as work:
        folder = mutants.make_submission(Path(work) / assignment, assignment, edits)
        started = time.perf_counter()
        report = engine.grade(assignment, folder)
        return report, time.perf_counter() - started


def speed(assignments, limit):
    lines = ["| assignment | submissions | grading, median / max s | diagnosis, median / max s | "
             "diagnosis share of grading, max |", "|---|---|---|---|---|"]
    for assignment in assignments:
        graded, diagnosed, shares = [], [], []
        for mutant in mutants.registry(assignment).mutants[:limit]:
            report, seconds = grade(assignment, mutant.edits)
            graded.append(seconds)
            diagnosed.append(report.diagnosis_seconds)
            shares.append(report.diagnosis_seconds / seconds)
        lines.append(f"| `{assignment}` | {len(graded)} | {statistics.median(graded):.2f} / {max(graded):.2f} | "
                     f"{statistics.median(diagnosed):.3f} / {max(diagnosed):.3f} | {max(shares):.0%} |")
    return "\n".join(lines) + f"\n\nBudget: {diagnosis.BUDGET_SECONDS:g} s of diagnosis per submission."


def named_slips(case):
    """[bool per slip]: whether the failing cases of the case's part say it (a phrase, or a misconception key)."""
    report, _ = grade(case.assignment, case.edits)
    failing = [c for part in report.parts if part.key == case.part for c in part.cases if not c.passed]
    said = " ".join(c.message for c in failing)
    keys = {c.misconception for c in failing}
    return [any(phrase in said or phrase in keys for phrase in phrases) for phrases in case.says], failing


def two_slip_table(details=False):
    lines, both = [], 0
    for case in two_slips.CASES:
        named, failing = named_slips(case)
        both += all(named)
        lines.append(f"- {case.assignment} / {case.name}: {sum(named)} of {len(named)} slips named")
        if details and not all(named) and failing:
            lines.append(f"    {failing[0].message[-300:]}")
    lines.append(f"\nBoth slips named: {both} of {len(two_slips.CASES)} ({both / len(two_slips.CASES):.0%})")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", choices=mutants.ASSIGNMENTS)
    parser.add_argument("--limit", type=int, default=None, help="the first N mutants of each assignment")
    parser.add_argument("--two-slips", action="store_true", help="the two-slip cases, named or not")
    parser.add_argument("--details", action="store_true")
    args = parser.parse_args(argv)
    if args.two_slips:
        print(two_slip_table(args.details))
    else:
        print(speed(args.only or list(mutants.ASSIGNMENTS), args.limit))
    return 0


if __name__ == "__main__":
    sys.exit(main())

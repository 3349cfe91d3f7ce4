"""How well the grader reads a submission: classic bugs caught and named, correct alternatives kept, collateral.

Every mutant of ``benchmarks/mutants/`` (one classic bug, as a real edit of the solutions) is graded as a real
submission by the kit's engine, and its public self-check is run as a student runs it. Every correct alternative
is graded too. Per assignment, the table gives:

- caught: the mutant scores below full marks;
- named: its own part's failures carry a "Likely cause" line (and, in brackets, the cause the registry expects);
- self-check blind spots: the self-check passes every public case, yet the grader takes points;
- collateral: points lost outside the bugged part, in unit parts (a bug should cost its own part only) and,
  separately, in the integrated tasks (XOR, the diamond), which run the student's whole network;
- kept: alternatives with full marks.

    .venv/bin/python benchmarks/accuracy.py [--only a2_forward] [--jobs 2] [--details]

The table is recorded, with this command, in docs/accuracy.md.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import mutants  # noqa: E402
from grader import catalogues
from grader.grading import engine
from grader.core import paths  # noqa: E402

# The self-check as a student runs it, but printing one line of JSON: [[case id, passed, message], ...].
SELF_CHECK = ("import json; from _selfcheck import local; "
              "print(json.dumps([[c['id'], v.passed, v.message] for c in local.load_cases() "
              "for v in [local.judge_case(c)]]))")


@dataclass
class Measured:
    """What the grader and the self-check made of one submission."""
    name: str
    part: str
    cause: str
    score: float
    max_score: float
    own_failures: list = field(default_factory=list)  # (message, misconception) of the bugged part's failed cases
    collateral: dict = field(default_factory=dict)  # {part key: points lost} outside the bugged part, unit parts
    tasks_lost: dict = field(default_factory=dict)  # {part key: points lost} in integrated parts
    self_check_failures: int = 0
    self_check_total: int = 0

    @property
    def caught(self):
        return self.score < self.max_score

    @property
    def named(self):
        return any(key for _, key in self.own_failures)

    @property
    def named_as_expected(self):
        return bool(self.cause) and any(key == self.cause for _, key in self.own_failures)

    @property
    def blind_spot(self):
        return self.caught and self.self_check_failures == 0


def self_check(assignment, folder):
    """[(case id, passed, message)] of the public self-check on the module files in ``folder``."""
    with tempfile.TemporaryDirectory(prefix="nnkit-selfcheck-") as work:
        copy = Path(work) / assignment
        shutil.copytree(paths.ASSIGNMENTS / assignment, copy)
        for module in catalogues.load(assignment).modules:
            shutil.copyfile(Path(folder) / f"{module}.py", copy / f"{module}.py")
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", MPLBACKEND="Agg")
        done = subprocess.run([sys.executable, "-c", SELF_CHECK], cwd=copy, env=env, capture_output=True,
                              text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"the self-check did not run: {done.stderr.strip().splitlines()[-1:]}")
    return [tuple(row) for row in json.loads(done.stdout.strip().splitlines()[-1])]


def grade_and_self_check(assignment, folder):
    """(the engine's Report, the self-check's [(case id, passed, message)]) of the submission ``folder``."""
    return engine.grade(assignment, folder), self_check(assignment, folder)


def measure(assignment, name, folder, part="", cause=""):
    """Grade the submission ``folder`` and run its self-check; ``part`` is the bugged part ("" for an
    alternative)."""
    spec = catalogues.load(assignment)
    report, checks = grade_and_self_check(assignment, folder)
    result = Measured(name, part, cause, report.score, report.max_score)
    for graded, declared in zip(report.parts, spec.parts):
        lost = round(graded.points - graded.score, 4)
        if graded.key == part:
            result.own_failures = [(case.message, case.misconception) for case in graded.cases if not case.passed]
        elif lost and declared.integrated:
            result.tasks_lost[graded.key] = lost
        elif lost:
            result.collateral[graded.key] = lost
    result.self_check_total = len(checks)
    result.self_check_failures = sum(not passed for _, passed, _ in checks)
    return result


def _measure_one(job):
    assignment, kind, index = job
    entries = mutants.registry(assignment)
    entry = (entries.mutants if kind == "mutant" else entries.alternatives)[index]
    with tempfile.TemporaryDirectory(prefix="nnkit-accuracy-", dir="/tmp") as work:
        folder = mutants.make_submission(Path(work) / assignment, assignment, entry.edits)
        if kind == "mutant":
            return assignment, kind, measure(assignment, entry.name, folder, entry.part, entry.cause)
        return assignment, kind, measure(assignment, entry.name, folder)


def run(assignments, jobs):
    """{assignment: {"mutant": [Measured], "alternative": [Measured]}}, in registry order."""
    work = [(a, kind, i) for a in assignments
            for kind, entries in (("mutant", mutants.registry(a).mutants),
                                  ("alternative", mutants.registry(a).alternatives))
            for i in range(len(entries))]
    results = {a: {"mutant": [], "alternative": []} for a in assignments}
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for assignment, kind, measured in pool.map(_measure_one, work):
            results[assignment][kind].append(measured)
    return results


def _row(label, bugs, alternatives):
    caught = [m for m in bugs if m.caught]
    named = [m for m in caught if m.named]
    expected = [m for m in named if m.named_as_expected]
    collateral = [sum(m.collateral.values()) for m in bugs]
    tasks = [sum(m.tasks_lost.values()) for m in bugs]
    kept = [a for a in alternatives if not a.caught and a.self_check_failures == 0]
    mean = sum(collateral) / len(collateral) if collateral else 0.0
    return (f"| {label} | {len(bugs)} | {len(caught)} | {len(named)} ({len(expected)}) | "
            f"{sum(m.blind_spot for m in bugs)} | {mean:.2f} / {max(collateral, default=0):g} | "
            f"{sum(t > 0 for t in tasks)} | {len(kept)} of {len(alternatives)} |")


def table(results):
    lines = ["| assignment | bugs | caught | named (as expected) | self-check blind spots | "
             "collateral points, mean / worst | bugs that cost a task | alternatives kept |",
             "|---|---|---|---|---|---|---|---|"]
    every_bug, every_alternative = [], []
    for assignment, found in results.items():
        lines.append(_row(f"`{assignment}`", found["mutant"], found["alternative"]))
        every_bug += found["mutant"]
        every_alternative += found["alternative"]
    if len(results) > 1:
        lines.append(_row("all", every_bug, every_alternative))
    return "\n".join(lines)


def misses(results):
    """One line per mutant or alternative that falls short, saying how."""
    lines = []
    for assignment, found in results.items():
        for m in found["mutant"]:
            problems = []
            if not m.caught:
                problems.append("not caught")
            elif not m.named:
                problems.append("not named: " + (m.own_failures[0][0] if m.own_failures else "its part passed"))
            elif m.cause and not m.named_as_expected:
                problems.append(f"named {sorted({k for _, k in m.own_failures if k})}, expected {m.cause}")
            if m.blind_spot:
                problems.append("self-check blind spot")
            if m.collateral:
                problems.append(f"collateral {m.collateral}")
            if problems:
                lines.append(f"- {assignment} / {m.name}: " + "; ".join(problems))
        for a in found["alternative"]:
            if a.caught or a.self_check_failures:
                lines.append(f"- {assignment} / alternative {a.name}: {a.score:g} of {a.max_score:g}, "
                             f"{a.self_check_failures} self-check failures")
    return "\n".join(lines) or "(none)"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", choices=mutants.ASSIGNMENTS, help="one assignment (repeatable)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--details", action="store_true", help="list every mutant or alternative that falls short")
    args = parser.parse_args(argv)
    results = run(args.only or list(mutants.ASSIGNMENTS), args.jobs)
    print(table(results))
    if args.details:
        print()
        print(misses(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())

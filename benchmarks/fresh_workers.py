"""What a submission's grading pays for the defences of issue 18: a fresh worker for each part after one whose
calls were served stand-ins, and the tasks' runs checked step by step.

For each submission (the a3 solution, and the a3 solution with a wrong layer_gradients, whose callers are graded
with the reference standing in), it grades the same folder in turns with each defence on and off, and prints the
median seconds of each, how many workers each grading started, and how many seconds the chain checks took in the
grader. Run from the repository root:

    .venv/bin/python benchmarks/fresh_workers.py [--rounds N]
"""
import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from grader.grading import engine, steps  # noqa: E402
from grader.sandbox import runner  # noqa: E402
import mutants  # noqa: E402

A3 = "a3_backprop"
SUBMISSIONS = {"a3 solution": None, "a3, layer_gradients summed, not averaged": "gradients summed"}


def _measure(folder, fresh, chain):
    """(seconds, workers started, seconds in Chain.see) of one grading of ``folder``."""
    starts, seen = [], [0.0]
    close, retire, make, see = runner.Sandbox.close, runner.Sandbox.drop_references, engine._chain, steps.Chain.see

    def closing(self):
        starts.append(self.starts)
        close(self)

    def timed_see(self, value):
        began = time.perf_counter()
        see(self, value)
        seen[0] += time.perf_counter() - began

    runner.Sandbox.close = closing
    steps.Chain.see = timed_see
    if not fresh:
        runner.Sandbox.drop_references = lambda self: None  # the worker that served stand-ins serves every part
    if not chain:
        engine._chain = lambda *args: None
    try:
        began = time.monotonic()
        engine.grade(A3, folder)
        return time.monotonic() - began, starts[-1], seen[0]
    finally:
        runner.Sandbox.close, runner.Sandbox.drop_references, engine._chain, steps.Chain.see = close, retire, make, see


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args(argv)
    print(f"load average {os.getloadavg()[0]:.1f} at the start; median of {options.rounds} rounds")
    print("| submission | defences | seconds | workers started | chain checks (s) |")
    print("| --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as scratch:
        for label, mutant in SUBMISSIONS.items():
            edits = mutants.mutant(A3, mutant).edits if mutant else None
            folder = mutants.make_submission(Path(scratch) / label.replace(" ", "_"), A3, edits)
            engine.grade(A3, folder)  # the reference cache and the imports, once
            configs = {"both": (True, True), "no fresh workers": (False, True), "no step checks": (True, False),
                       "neither": (False, False)}
            rows = {name: [] for name in configs}
            for _ in range(options.rounds):
                for name, (fresh, chain) in configs.items():
                    rows[name].append(_measure(folder, fresh, chain))
            for name, measured in rows.items():
                seconds, started, checked = (statistics.median(values) for values in zip(*measured))
                print(f"| {label} | {name} | {seconds:.2f} | {started:g} | {checked:.2f} |")
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()

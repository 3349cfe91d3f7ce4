"""What each confinement layer costs when a worker starts, and what bubblewrap adds to grading a submission.

    .venv/bin/python benchmarks/sandbox_startup.py [--repeat 20]

Prints tables; asserts nothing. "start" is the time from starting a worker to its ready message (the interpreter,
numpy, and every layer asked for), the median of --repeat starts, taken in turns so that a busy machine weighs on
each row alike. "grade" is engine.grade of the A1 solution, which starts one worker (more when a call kills it).
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.grading import engine
from grader.core import paths  # noqa: E402
from grader.sandbox import confinement, runner  # noqa: E402

FULL = runner.LAYERS
ROWS = {
    "every layer": FULL,
    "no bubblewrap": tuple(layer for layer in FULL if layer not in confinement.NAMESPACE_LAYERS),
    "bubblewrap only": confinement.NAMESPACE_LAYERS,
    "no layer": (),
}


def start_once(layers):
    runner.LAYERS = layers
    with runner.Sandbox({}) as sandbox:
        started = time.perf_counter()
        sandbox.start()
        return time.perf_counter() - started


def grade_once(layers):
    runner.LAYERS = layers
    started = time.perf_counter()
    engine.grade("a1_neuron_gd", paths.SOLUTIONS / "a1_neuron_gd", policy=confinement.Policy("all"))
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    print("layers here:", runner.probe_layers())
    started = time.perf_counter()
    confinement._bwrap_probe.cache_clear()
    _, why = confinement._bwrap_probe(runner.os.geteuid() == 0)
    print(f"bubblewrap probe and bind list, once per grader process: {1000 * (time.perf_counter() - started):.1f} ms"
          + (f" ({why})" if why else ""))
    for label, layers in ROWS.items():  # warm the page cache
        start_once(layers)
    starts = {label: [] for label in ROWS}
    for _ in range(args.repeat):
        for label, layers in ROWS.items():
            starts[label].append(start_once(layers))
    grades = {label: [] for label in ("every layer", "no bubblewrap")}
    for _ in range(max(3, args.repeat // 5)):
        for label in grades:
            grades[label].append(grade_once(ROWS[label]))
    base = statistics.median(starts["no layer"])
    print(f"\n{'layers':<18} {'start (ms)':>11} {'vs no layer':>12}")
    for label, times in starts.items():
        median = statistics.median(times)
        print(f"{label:<18} {1000 * median:>11.1f} {1000 * (median - base):>+12.1f}")
    print(f"\n{'A1 solution':<18} {'grade (s)':>11}")
    for label, times in grades.items():
        print(f"{label:<18} {statistics.median(times):>11.3f}")
    runner.LAYERS = FULL


if __name__ == "__main__":
    main()

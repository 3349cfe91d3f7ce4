"""What checking that a call leaves its arguments unchanged costs: ``mutation.watch`` before, ``.changed()`` after.

    .venv/bin/python benchmarks/argument_watch.py [--repeat 100]

For every case of every catalogue, with the arguments as the worker decodes them, it times the snapshot and the
comparison around the reference function, and the reference call itself, and prints a table per assignment.
Prints; asserts nothing.
"""
import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader import catalogues
from grader.core import references  # noqa: E402
from grader.shipped import mutation, wire  # noqa: E402


def _seconds(action, repeat):
    started = time.perf_counter()
    for _ in range(repeat):
        action()
    return (time.perf_counter() - started) / repeat


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=100)
    args = parser.parse_args(argv)
    print(f"python {sys.version.split()[0]}, command: python benchmarks/argument_watch.py --repeat {args.repeat}")
    print(f"{'assignment':<14} {'cases':>5} {'watch mean':>11} {'watch max':>10} {'call mean':>10}  slowest watch")
    for name in catalogues.names():
        spec = catalogues.load(name)
        ref = references.modules(spec)
        watch_times, call_times = [], []
        for part in spec.parts:
            for check in part.checks:
                module, function = check.function.split(".", 1)
                func = getattr(getattr(ref, module), function)
                for case in check.cases:
                    call_args = wire.decode(wire.encode(tuple(case.args)))
                    call_kwargs = wire.decode(wire.encode(dict(case.kwargs)))
                    watch_times.append((_seconds(lambda: mutation.watch(func, call_args, call_kwargs).changed(),
                                                 args.repeat), check.function))
                    repeat = 1 if check.kind == "converge" else args.repeat
                    call_times.append(_seconds(lambda: func(*wire.decode(wire.encode(tuple(case.args))),
                                                            **wire.decode(wire.encode(dict(case.kwargs)))), repeat))
        mean = sum(t for t, _ in watch_times) / len(watch_times)
        slowest = max(watch_times)
        print(f"{name:<14} {len(watch_times):>5} {mean * 1e6:>9.0f} us {slowest[0] * 1e6:>7.0f} us "
              f"{sum(call_times) / len(call_times) * 1e3:>7.2f} ms  {slowest[1]}")


if __name__ == "__main__":
    main()

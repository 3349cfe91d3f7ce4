"""Measure Assignment 3's training checks: the solution against each classic bug, over many initialisations.

    .venv/bin/python benchmarks/convergence.py [--seeds N] [--only XOR|diamond]
        [--xor-lr LR] [--xor-epochs E] [--diamond-lr LR] [--diamond-epochs E] [--diamond-batch B]

The options override the catalogue's settings, to explore; without them it measures what the grader runs.

Every bug is a textual edit of the solution modules (from benchmarks/mutants/, which tests/test_accuracy.py
grades), loaded in this process beside the finished Assignment 2 modules. For the XOR and diamond tasks it prints,
per bug, how many runs clear the catalogue's threshold, and the metric's min / median / max, over the catalogue's
graded initialisations and over those plus the seeds 100 .. 100 + N - 1. It also prints the one-step difference a premature
update makes, the gradient-check errors, how much a 1e-12 nudge of the initial weights moves the graded runs, and
how long the graded runs and a whole grade take. Record the output in docs/thresholds.md.
"""
import argparse
import importlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]
import mutants  # noqa: E402
from grader.shipped import evaluation
from grader.core import paths  # noqa: E402
from grader.catalogues import a3_backprop as catalogue  # noqa: E402

MODULES = {"activations": "a2_forward", "losses": "a2_forward", "forward": "a2_forward",
           "datasets": "a3_backprop", "backprop": "a3_backprop", "training": "a3_backprop"}

# The bugs that training can expose, by the key the tables print, from the registry of classic bugs
# (benchmarks/mutants/a3_backprop.py), which tests/test_accuracy.py grades.
BUG_NAMES = {
    "no_derivative": "hidden delta without f'(Z)",
    "derivative_of_a": "hidden delta with f'(A)",
    "sigmoid_twice": "hidden delta through a second sigmoid (seed 004)",
    "no_average": "gradients summed",
    "transpose": "dW transposed",
    "early_update": "update before the layer below's delta",
    "update_sign": "update uphill",
}
# {bug key: {module file: [(old, new), ...]}}: each old text occurs exactly once in the solution module.
BUGS = {key: mutants.mutant("a3_backprop", name).edits for key, name in BUG_NAMES.items()}


def edited_sources(edits=None):
    """{module file: source} of the solution modules with ``edits`` applied."""
    sources = {f"{name}.py": (paths.SOLUTIONS / origin / f"{name}.py").read_text(encoding="utf-8")
               for name, origin in MODULES.items()}
    for file, changes in (edits or {}).items():
        for old, new in changes:
            if sources[file].count(old) != 1:
                raise ValueError(f"bug edit target occurs {sources[file].count(old)} times in {file}: {old!r}")
            sources[file] = sources[file].replace(old, new)
    return sources


def load(edits=None):
    """A namespace of the six modules, with ``edits`` applied, imported from a temporary folder."""
    folder = Path(tempfile.mkdtemp(prefix="nnkit-bench-"))
    try:
        for file, text in edited_sources(edits).items():
            (folder / file).write_text(text, encoding="utf-8")
        saved = {name: sys.modules.pop(name) for name in MODULES if name in sys.modules}
        sys.path.insert(0, str(folder))
        try:
            return SimpleNamespace(**{name: importlib.import_module(name) for name in MODULES})
        finally:
            sys.path.remove(str(folder))
            for name in MODULES:
                sys.modules.pop(name, None)
            sys.modules.update(saved)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _metric(task, A_out, y):
    if not np.all(np.isfinite(A_out)):
        return float("nan")
    if task["metric"] == "max_error":
        return float(np.max(np.abs(A_out - y)))
    return float(np.mean((A_out >= 0.5) == (y >= 0.5)))


def _passes(task, value):
    if not np.isfinite(value):
        return False
    return value < task["threshold"] if task["metric"] == "max_error" else value >= task["threshold"]


def run_task(modules, task, X, Y, X_eval, y_eval, seed, batch_rng_seed=None):
    """The metric of one training run, or nan when the run raises or diverges."""
    params = modules.datasets.init_params(task["layers"], np.random.default_rng(seed))
    kwargs = {}
    if task.get("batch_size"):
        kwargs = {"batch_size": task["batch_size"], "rng": np.random.default_rng(batch_rng_seed or seed)}
    try:
        with np.errstate(all="ignore"):
            trained, _ = modules.training.train(X, Y, params, list(task["activations"]), task["learning_rate"],
                                                task["epochs"], **kwargs)
            A_out = modules.forward.predict(X_eval, trained, list(task["activations"]))
    except Exception:  # a bug that breaks the shapes fails the run
        return float("nan")
    return _metric(task, A_out.reshape(y_eval.shape), y_eval)


def task_table(name, task, data, variants, extra_seeds):
    X, Y, X_eval, y_eval = data
    graded = list(task["seeds"])
    seeds = graded + [100 + i for i in range(extra_seeds)]
    relation = "<" if task["metric"] == "max_error" else ">="
    print(f"\n## {name}: {task['metric'].replace('_', ' ')} {relation} {task['threshold']}, "
          f"learning rate {task['learning_rate']}, {task['epochs']} epochs"
          + (f", mini-batches of {task['batch_size']}" if task.get("batch_size") else ", full batch"))
    print(f"graded initialisations: {', '.join(map(str, graded))}; extra seeds: 100 .. {100 + extra_seeds - 1}\n")
    print("| code | graded runs passing | graded values | all runs passing | min | median | max |")
    print("|---|---|---|---|---|---|---|")
    for label, modules in variants.items():
        values = np.array([run_task(modules, task, X, Y, X_eval, y_eval, seed) for seed in seeds])
        ok = np.array([_passes(task, v) for v in values])
        finite = values[np.isfinite(values)]
        stats = (f"{finite.min():.4f} | {np.median(finite):.4f} | {finite.max():.4f}" if finite.size
                 else "n/a | n/a | n/a")
        graded_values = ", ".join("fails" if not np.isfinite(v) else f"{v:.4f}" for v in values[:len(graded)])
        print(f"| {label} | {ok[:len(graded)].sum()}/{len(graded)} | {graded_values} | {ok.sum()}/{len(seeds)} "
              f"| {stats} |", flush=True)


def hidden_tasks(xor, diamond):
    """The graded hidden runs: the XOR runs on relabelled tables, and the diamond drawn afresh with its labels
    swapped, each from its hidden initialisation (the extra seeds then start the same data elsewhere)."""
    rules = ("xnor", "a_xor_c")
    for index, (seed, rule) in enumerate(zip(xor["seeds"][1:], rules), start=1):
        X, Y = catalogue.relabelled_xor(seed, rule)
        yield f"XOR hidden run {index} ({rule} labels)", dict(xor, seeds=(seed,)), (X, Y, X, Y)
    hidden = catalogue.HIDDEN_DIAMOND
    yield ("diamond hidden run (fresh points, labels swapped)", dict(diamond, seeds=(hidden["seed"],)),
           (*catalogue.relabelled_diamond(*hidden["train"]), *catalogue.relabelled_diamond(*hidden["test"])))


def one_step_table(solution, early):
    print("\n## A premature update, one train_step: largest relative difference from the solution's parameters\n")
    print("| learning rate | XOR table, 3-4-1 | 4-6-5-3, tanh, leaky ReLU, softmax |")
    print("|---|---|---|")
    for lr in (0.01, 0.1, 0.5, 1.0):
        cells = []
        for case in catalogue.STEP_CASES:
            X, Y, params, activations, _ = case.args
            good, _ = solution.training.train_step(X, Y, params, activations, lr)
            bad, _ = early.training.train_step(X, Y, params, activations, lr)
            cells.append(max(float(np.max(np.abs(g - b) / np.maximum(np.abs(g), 1e-12)))
                             for pair_g, pair_b in zip(good, bad) for g, b in zip(pair_g, pair_b)))
        print(f"| {lr:g} | " + " | ".join(f"{c:.2g}" for c in cells) + " |")


def gradient_table(solution, variants):
    print("\n## Gradient checks of backward: largest relative error against centred differences (h = 1e-5)\n")
    print("| code | " + " | ".join(case.label for case in catalogue.BACKWARD_CASES) + " |")
    print("|---|" + "---|" * len(catalogue.BACKWARD_CASES))
    numerical = [catalogue._backward_numerical(solution, case) for case in catalogue.BACKWARD_CASES]
    for label, modules in variants.items():
        cells = []
        for case, expected in zip(catalogue.BACKWARD_CASES, numerical):
            try:
                got = modules.backprop.backward(*case.args)
            except Exception as exc:
                cells.append(f"raises {type(exc).__name__}")
                continue
            problem = evaluation.mismatch(got, expected, rtol=np.inf, atol=np.inf)
            if problem:
                cells.append(problem.split(";")[0])
                continue
            error = max(evaluation.rel_error(g, e) for pair_g, pair_e in zip(got, expected)
                        for g, e in zip(pair_g, pair_e))
            cells.append(f"{error:.2g}")
        print(f"| {label} | " + " | ".join(cells) + " |")


def gradient_checks_table():
    """Every gradient check of the catalogue: the solution's error, and the closest classic bug's."""
    from grader.core import references
    spec = catalogue.ASSIGNMENT
    ref = references.modules(spec)
    print("\n## Every gradient check of the catalogue: relative error (must be < 1e-6)\n")
    print("| part | case | solution | closest classic bug |")
    print("|---|---|---|---|")
    for part in spec.parts:
        for check in part.checks:
            if check.kind != "gradient":
                continue
            for index, case in enumerate(check.cases):
                expected = references.expected(spec, check, case)
                errors = {"solution": _error(references.call(ref, check.function, case), expected)}
                for key, _, output in references.variant_outputs(spec, check, case):
                    if output is not None and evaluation.mismatch(output, expected, np.inf, np.inf) is None:
                        errors[key] = _error(output, expected)
                bugs = {key: value for key, value in errors.items() if key != "solution"}
                closest = min(bugs, key=bugs.get) if bugs else ""
                print(f"| {part.key} | {case.label or index + 1} | {errors['solution']:.1e} | "
                      + (f"{closest}: {bugs[closest]:.2g}" if closest else "(the bugs change the shape)") + " |")


def _error(got, expected):
    if isinstance(expected, (tuple, list)):
        return max(_error(g, e) for g, e in zip(got, expected))
    return evaluation.rel_error(got, expected)


def sensitivity_table(solution, tasks, data):
    print("\n## Sensitivity of the graded runs: every initial weight scaled by (1 + 1e-12 * noise)\n")
    print("| task | initialisation | metric | metric after the nudge |")
    print("|---|---|---|---|")
    for name, task in tasks.items():
        X, Y, X_eval, y_eval = data[name]
        for seed in task["seeds"]:
            params = solution.datasets.init_params(task["layers"], np.random.default_rng(seed))
            noise = np.random.default_rng(seed + 1000)
            nudged = [(W * (1 + 1e-12 * noise.standard_normal(W.shape)), b) for W, b in params]
            values = []
            for start in (params, nudged):
                trained, _ = solution.training.train(X, Y, start, list(task["activations"]), task["learning_rate"],
                                                     task["epochs"])
                A_out = solution.forward.predict(X_eval, trained, list(task["activations"]))
                values.append(_metric(task, A_out, y_eval))
            print(f"| {name} | {seed} | {values[0]:.6f} | {values[1]:.6f} |")


def timing_table(solution, data, tasks):
    print("\n## Time (solution, this machine, best of 3)\n")
    print("| what | seconds |")
    print("|---|---|")
    for name, task in tasks.items():
        X, Y = data[name][:2]
        params = solution.datasets.init_params(task["layers"], np.random.default_rng(task["seeds"][0]))
        best = np.inf
        for _ in range(3):
            started = time.perf_counter()
            solution.training.train(X, Y, params, list(task["activations"]), task["learning_rate"], task["epochs"])
            best = min(best, time.perf_counter() - started)
        print(f"| one graded {name} run, in this process | {best:.3f} |")
    from grader.grading import engine
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        report = engine.grade(catalogue.NAME, paths.SOLUTIONS / catalogue.NAME)
        runs.append(time.perf_counter() - started)
        if report.score != report.max_score:
            lost = [f"{part.key}: {case.message}" for part in report.parts for case in part.cases if not case.passed]
            raise SystemExit("the solution lost points:\n" + "\n".join(lost))
    print(f"| whole grade of the solution, first in a process (reference runs included) | {runs[0]:.3f} |")
    print(f"| whole grade of the solution, reference values cached | {min(runs[1:]):.3f} |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20, help="extra seeds per task (default 20)")
    parser.add_argument("--xor-lr", type=float)
    parser.add_argument("--xor-epochs", type=int)
    parser.add_argument("--diamond-lr", type=float)
    parser.add_argument("--diamond-epochs", type=int)
    parser.add_argument("--diamond-batch", type=int)
    parser.add_argument("--only", choices=("XOR", "diamond", "hidden", "timing"),
                        help="measure one task, the hidden runs, or only the times")
    args = parser.parse_args(argv)

    xor = dict(catalogue.XOR)
    diamond = dict(catalogue.DIAMOND)
    for task, key, value in ((xor, "learning_rate", args.xor_lr), (xor, "epochs", args.xor_epochs),
                             (diamond, "learning_rate", args.diamond_lr), (diamond, "epochs", args.diamond_epochs),
                             (diamond, "batch_size", args.diamond_batch)):
        if value is not None:
            task[key] = value

    solution = load()
    variants = {"solution": solution, **{key: load(edits) for key, edits in BUGS.items()}}
    tasks = {"XOR": xor, "diamond": diamond}
    X, Y = catalogue.xor_data()
    data = {"XOR": (X, Y, X, Y), "diamond": (*catalogue.diamond_data("train"), *catalogue.diamond_data("test"))}
    print(f"numpy {np.__version__}, python {sys.version.split()[0]}, command: python benchmarks/convergence.py "
          + " ".join(sys.argv[1:] if argv is None else argv))
    if args.only in (None, "XOR"):
        task_table("XOR", xor, data["XOR"], variants, args.seeds)
    if args.only in (None, "diamond"):
        task_table("diamond", diamond, data["diamond"], variants, args.seeds)
    if args.only in (None, "hidden"):
        for name, task, task_data in hidden_tasks(xor, diamond):
            task_table(name, task, task_data, variants, args.seeds)
    if args.only is None:
        one_step_table(solution, variants["early_update"])
        gradient_table(solution, variants)
        gradient_checks_table()
        sensitivity_table(solution, tasks, data)
    if args.only in (None, "timing"):
        load_1, load_5, _ = os.getloadavg()
        print(f"\nload average when the timing started: {load_1:.2f} (1 min), {load_5:.2f} (5 min), "
              f"on {os.cpu_count()} cores")
        timing_table(solution, data, tasks)


if __name__ == "__main__":
    main()

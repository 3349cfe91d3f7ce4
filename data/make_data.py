"""Make the generated datasets of data/ from fixed seeds: ``python data/make_data.py`` (add ``--check`` to compare).

- diamond_train.csv, diamond_test.csv: ``datasets.make_diamond`` (Assignment 3), 1000 and 5000 points;
- beans.csv: ``datasets.make_beans`` (Assignment 3), 100 beans, after the course notes' bean-toxicity curve.

xor.csv is not generated: it is the course's 8-row table, D = A xor B over the inputs A, B, C.

Numbers are written with 17 significant digits, so loading a file gives back exactly the generated float64 values.
"""
import importlib.util
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DATASETS = HERE.parent / "solutions" / "a3_backprop" / "datasets.py"


def _datasets():
    """Assignment 3's datasets.py, loaded from its file under a private name (it needs only numpy)."""
    spec = importlib.util.spec_from_file_location("nnkit_a3_datasets", DATASETS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

SEEDS = {"diamond_train": 2024, "diamond_test": 2025, "beans": 3}
SIZES = {"diamond_train": 1000, "diamond_test": 5000, "beans": 100}


def _csv(header, X, y):
    lines = [header]
    for row, label in zip(X, y[:, 0]):
        lines.append(",".join(f"{value:.17g}" for value in row) + f",{int(label)}")
    return "\n".join(lines) + "\n"


def build():
    """Every generated file as {file name: text}."""
    datasets = _datasets()
    files = {}
    for name in ("diamond_train", "diamond_test"):
        X, y = datasets.make_diamond(SIZES[name], np.random.default_rng(SEEDS[name]))
        files[f"{name}.csv"] = _csv("x1,x2,inside", X, y)
    x, y = datasets.make_beans(SIZES["beans"], np.random.default_rng(SEEDS["beans"]))
    files["beans.csv"] = _csv("size,toxic", x, y)
    return files


def main(argv):
    files = build()
    if "--check" in argv:
        stale = [name for name, text in files.items()
                 if not (HERE / name).is_file() or (HERE / name).read_text(encoding="utf-8") != text]
        print("stale: " + ", ".join(stale) if stale else "all generated files are up to date")
        return 1 if stale else 0
    for name, text in files.items():
        (HERE / name).write_text(text, encoding="utf-8")
        print(f"wrote data/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

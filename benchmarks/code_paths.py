"""How far the reference values move between CPU code paths, by how they were computed.

    .venv/bin/python benchmarks/code_paths.py

Every reference value of every case (public and hidden: expected values, misconception outputs, and the case
inputs themselves) is computed in a fresh process under the machine's default code path and under each forced one
(OpenBLAS core types, numpy's baseline SIMD loops). The table gives the largest drift from the default, measured
against the largest magnitude of each array, for each tolerance class of ``grader.core.stored_tolerance``, and the
class's tolerance. docs/reproducibility.md quotes it.
"""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from grader.core import stored_tolerance  # noqa: E402
from grader.shipped import wire  # noqa: E402

DUMP = r"""
import json, sys
from grader import catalogues; from grader.core import references, stored_tolerance
from grader.shipped import wire
out = []
for name in catalogues.names():
    spec = catalogues.load(name)
    for part in spec.parts:
        for check in part.checks:
            for index, case in enumerate(check.cases):
                key = f"{name}/{part.key}/{check.function}/{check.kind}/{index}"
                fd = stored_tolerance.for_expected(check) == stored_tolerance.FINITE_DIFFERENCE
                out.append([key, "finite difference" if fd else "direct",
                            wire.encode(references.expected(spec, check, case))])
                out.append([key, "direct", wire.encode([o for _, _, o in references.variant_outputs(spec, check, case)])])
                out.append([key, "direct", wire.encode([case.args, case.kwargs])])
json.dump(out, sys.stdout)
"""


def dump(overrides):
    from conftest import cli_env
    result = subprocess.run([sys.executable, "-c", DUMP], env=cli_env(**overrides), capture_output=True, text=True,
                            check=True, cwd=ROOT)
    return json.loads(result.stdout)


def drifts(old, new):
    """The largest max|new - old| / max|old| over the arrays and floats of two decoded values."""
    if isinstance(old, np.ndarray) and old.dtype.kind == "f" and old.size and np.isfinite(old).all():
        scale = np.max(np.abs(old))
        return float(np.max(np.abs(new - old)) / scale) if scale else 0.0
    if isinstance(old, (float, np.floating)) and np.isfinite(old) and old:
        return abs(float(new) - float(old)) / abs(float(old))
    if isinstance(old, (tuple, list)):
        return max([drifts(o, n) for o, n in zip(old, new)], default=0.0)
    if isinstance(old, dict):
        return max([drifts(old[k], new[k]) for k in old], default=0.0)
    return 0.0


def main():
    from test_reproducibility import FORCED
    base = dump({})
    tolerance = {"direct": stored_tolerance.DIRECT, "finite difference": stored_tolerance.FINITE_DIFFERENCE}
    print("| code path | direct values: largest drift | finite differences: largest drift |")
    print("| --- | --- | --- |")
    worst = {"direct": 0.0, "finite difference": 0.0}
    for label, overrides in FORCED.items():
        row = {"direct": 0.0, "finite difference": 0.0}
        for (key, kind, old), (_, _, new) in zip(base, dump(overrides)):
            row[kind] = max(row[kind], drifts(wire.decode(old), wire.decode(new)))
        worst = {kind: max(worst[kind], row[kind]) for kind in worst}
        print(f"| {label} | {row['direct']:.1e} | {row['finite difference']:.1e} |")
    print(f"| **tolerance** (grader.core.stored_tolerance) | {tolerance['direct']:.0e} | "
          f"{tolerance['finite difference']:.0e} |")
    print(f"\nmargins: direct {tolerance['direct'] / max(worst['direct'], 1e-300):.0f}x, "
          f"finite differences {tolerance['finite difference'] / max(worst['finite difference'], 1e-300):.0f}x")


if __name__ == "__main__":
    main()

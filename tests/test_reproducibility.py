"""The same grade on every machine: scores and stored values do not depend on which CPU kernels numpy picks.

numpy and OpenBLAS choose their kernels by CPU. Two settings force other code paths on this machine, so these tests
see what another CPU would compute without owning one: ``OPENBLAS_CORETYPE`` (an older core's BLAS kernels) and
``NPY_DISABLE_CPU_FEATURES`` (numpy's baseline loops instead of its AVX2/AVX-512 ones). Each forced path runs only
in a subprocess of its own test; the suite itself runs on the machine's defaults.

Under each path, a class of real submissions (the solution, the stubs and a classic bug of every part, from
benchmarks/mutants/) is graded by the real ``grade-all`` CLI, and every part's score must equal the default path's, and
``python -m grader sync --check`` must pass.
"""
import json
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import mutants
from conftest import cli_env, make_submission
from grader import catalogues
from grader.core import paths

# OpenBLAS core types by the CPU flag each needs (/proc/cpuinfo); a type the CPU cannot run would crash.
X86_CORETYPES = {"Prescott": "pni", "Nehalem": "sse4_2", "Sandybridge": "avx", "Haswell": "avx2"}
ARM_CORETYPES = {"ARMV8": "", "NEOVERSEN1": "asimd"}

def _first_bug_of_each_part(assignment):
    """{name: edits} of the first classic bug of each part, from the registry benchmarks/accuracy.py measures."""
    chosen, parts = {}, set()
    for mutant in mutants.registry(assignment).mutants:
        if mutant.part not in parts:
            parts.add(mutant.part)
            chosen[mutant.name] = mutant.edits
    return chosen


BUG_EDITS = {assignment: _first_bug_of_each_part(assignment) for assignment in mutants.ASSIGNMENTS}


def _cpu_flags():
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    return {flag for line in text.splitlines() if line.lower().startswith(("flags", "features"))
            for flag in line.split(":", 1)[1].split()}


def _numpy_dispatched_features():
    """numpy's dispatched SIMD targets (X86_V3, AVX512_ICL... in numpy 2.4; AVX2, AVX512F... in older ones)."""
    try:
        from numpy._core._multiarray_umath import __cpu_dispatch__
    except ImportError:  # numpy 1.x
        from numpy.core._multiarray_umath import __cpu_dispatch__
    return list(__cpu_dispatch__)


def forced_code_paths():
    """{label: environment overrides}, for the code paths this machine can run."""
    flags = _cpu_flags()
    coretypes = X86_CORETYPES if platform.machine() in ("x86_64", "AMD64") else ARM_CORETYPES
    forced = {f"OPENBLAS_CORETYPE={name}": {"OPENBLAS_CORETYPE": name}
              for name, flag in coretypes.items() if not flag or flag in flags}
    features = _numpy_dispatched_features()
    if features:
        forced["numpy baseline SIMD"] = {"NPY_DISABLE_CPU_FEATURES": " ".join(features)}
    return forced


FORCED = forced_code_paths()


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    """submitted/<student>/<assignment>/ for every assignment: the solution, the stubs and each known bug."""
    root = tmp_path_factory.mktemp("reproducibility") / "submitted"
    for assignment in catalogues.names():
        make_submission(root / "solution" / assignment, assignment)
        make_submission(root / "stubs" / assignment, assignment, stub=True)
        for index, edits in enumerate(BUG_EDITS[assignment].values()):
            make_submission(root / f"bug{index:02d}" / assignment, assignment, edits)
    return root


def grade_class(submitted, out, overrides):
    """Grade every assignment of the class with ``grade-all`` under ``overrides``: {assignment: {student: {part:
    score}}}."""
    scores = {}
    env = cli_env(**overrides)
    for assignment in catalogues.names():
        results = out / assignment
        result = subprocess.run([sys.executable, "-m", "grader", "grade-all", "--assignment", assignment, "--jobs",
                                 "1", "--csv", str(out / f"{assignment}.csv"), "--results-dir", str(results),
                                 str(submitted)], env=env, capture_output=True, text=True, timeout=900)
        assert result.returncode == 0, result.stderr[-2000:]
        scores[assignment] = {
            path.stem: {test["name"]: test["score"] for test in json.loads(path.read_text())["tests"]}
            for path in sorted(results.glob("*.json"))}
    return scores


@pytest.fixture(scope="module")
def default_scores(classroom, tmp_path_factory):
    return grade_class(classroom, tmp_path_factory.mktemp("default"), {})


def test_the_class_covers_every_assignment_and_varied_scores(default_scores):
    for assignment, students in default_scores.items():
        totals = {student: sum(parts.values()) for student, parts in students.items()}
        spec = catalogues.load(assignment)
        assert totals["solution"] == spec.max_score and totals["stubs"] == 0
        assert len(set(totals.values())) >= 4, f"{assignment}: the class should not all score alike"


@pytest.mark.parametrize("label", list(FORCED))
def test_scores_are_identical_under_a_forced_code_path(label, classroom, default_scores, tmp_path):
    assert grade_class(classroom, tmp_path, FORCED[label]) == default_scores


@pytest.mark.parametrize("label", list(FORCED))
def test_sync_check_passes_under_a_forced_code_path(label):
    result = subprocess.run([sys.executable, "-m", "grader", "sync", "--check"], env=cli_env(**FORCED[label]),
                            capture_output=True, text=True, timeout=300, cwd=paths.ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_forced_code_path_really_changes_the_numbers():
    """The control: without it, the tests above could pass because the settings did nothing."""
    code = ("import numpy as np, sys; x = np.random.default_rng(0).normal(size=(300, 300)); "
            "sys.stdout.write(((x @ x) @ x).tobytes().hex()[:4000] + np.tanh(x).tobytes().hex()[:4000])")
    outputs = {label: subprocess.run([sys.executable, "-c", code], env=cli_env(**overrides), capture_output=True,
                                     text=True, timeout=120, check=True).stdout
               for label, overrides in {"default": {}, **FORCED}.items()}
    assert len(set(outputs.values())) >= 2, "no forced code path changed a single bit"


def test_every_gradient_check_has_margin_for_rounding():
    """The solution's analytic gradients meet every numerical gradient 100 times inside the check's limit, so a
    numerical gradient that moves with the CPU's rounding can never fail a correct submission."""
    from grader.shipped import evaluation
    from grader.core import references
    for name in catalogues.names():
        spec = catalogues.load(name)
        ref = references.modules(spec)
        for part in spec.parts:
            for check in part.checks:
                if check.kind != "gradient":
                    continue
                limit = check.options.get("limit", evaluation.GRADIENT_RTOL)
                for index, case in enumerate(check.cases):
                    analytic = references.call(ref, check.function, case)
                    numerical = references.expected(spec, check, case)
                    worst = max(evaluation.rel_error(a, n) for a, n in zip(_leaves(analytic), _leaves(numerical)))
                    assert worst < limit / 100, f"{name}/{part.key} case {index}: {worst:.2g}"


def _leaves(value):
    if isinstance(value, (tuple, list)):
        return [leaf for item in value for leaf in _leaves(item)]
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _leaves(item)]
    return [np.asarray(value, dtype=np.float64)]

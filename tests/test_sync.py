"""assignments/ is exactly what the generator makes from solutions/, and holds no solution line and no rubric."""
import json
import re

import numpy as np
import pytest

from grader import catalogues
from grader.core import paths
from grader.authoring import sync, written
from grader.shipped import wire


def test_assignments_folder_matches_the_generator():
    assert sync.differences() == [], "run `python -m grader sync` and commit the result"


def test_generated_folders_hold_nothing_else():
    for name in catalogues.names():
        expected = set(sync.build(catalogues.load(name)))
        folder = paths.ASSIGNMENTS / name
        present = {str(p.relative_to(folder)) for p in folder.rglob("*")
                   if p.is_file() and "__pycache__" not in p.parts}
        assert present == expected, f"stray or missing files in assignments/{name}"
    sheets = {relative for name in catalogues.names() for relative in sync.instructor_files(catalogues.load(name))}
    folder = paths.ROOT / written.FOLDER
    assert {f"{written.FOLDER}/{p.name}" for p in folder.iterdir()} == sheets, f"stray or missing files in {folder}"


@pytest.mark.parametrize("name", catalogues.names())
def test_no_solution_line_reaches_the_assignment_folder(name):
    spec = catalogues.load(name)
    secret = set()
    for module in spec.modules:
        path = paths.SOLUTIONS / name / f"{module}.py"
        secret.update(sync.solution_lines(path.read_text(encoding="utf-8"), path))
    assert secret, f"{name} has no solution lines at all"
    for file in (paths.ASSIGNMENTS / name).rglob("*"):
        if file.is_file() and "__pycache__" not in file.parts:
            text = file.read_text(encoding="utf-8")
            leaked = [line for line in secret if line in text]
            assert not leaked, f"{file} holds solution lines: {leaked[:3]}"


@pytest.mark.parametrize("name", catalogues.names())
def test_no_rubric_reaches_the_assignment_folder(name):
    """The rubrics live in the catalogue and docs/rubrics/; nbgrader releases assignments/, so none may be there."""
    spec = catalogues.load(name)
    rubrics = written.rubric_texts(spec)
    assert rubrics, f"{name} has no written question with a rubric"
    fragments = written.rubric_fragments(spec)
    for file in (paths.ASSIGNMENTS / name).rglob("*"):
        if file.is_file() and "__pycache__" not in file.parts:
            text = file.read_text(encoding="utf-8")
            leaked = [fragment for fragment in fragments if fragment in text]
            assert not leaked, f"{file} holds rubric text: {leaked[:2]}"
    assert all(text in (paths.ROOT / written.path(spec)).read_text(encoding="utf-8") for text in rubrics)


def test_stub_generator_replaces_each_region_and_keeps_the_rest():
    source = (
        "def f(x):\n"
        '    """Doc."""\n'
        "    ### BEGIN SOLUTION: square it\n"
        "    return x * x\n"
        "    ### END SOLUTION\n"
        "\n"
        "def g():\n"
        "    return 1\n"
    )
    stub = sync.stub_source(source)
    assert stub == (
        "def f(x):\n"
        '    """Doc."""\n'
        "    # TODO: square it\n"
        "    raise NotImplementedError\n"
        "\n"
        "def g():\n"
        "    return 1\n"
    )
    assert sync.finished_source(source) == "def f(x):\n    \"\"\"Doc.\"\"\"\n    return x * x\n\ndef g():\n    return 1\n"


@pytest.mark.parametrize("source, problem", [
    ("def f():\n    ### BEGIN SOLUTION\n    return 1\n", "without a matching END"),
    ("def f():\n    return 1\n    ### END SOLUTION\n", "without a BEGIN"),
    ("### BEGIN SOLUTION\nX = 1\n### END SOLUTION\n", "inside a function body"),
    ("def f():\n    return 1\n", "at least one solution region"),
])
def test_bad_markers_give_a_one_line_error(source, problem):
    with pytest.raises(sync.MarkerError, match=re.escape(problem)):
        sync.stub_source(source, "m.py")


def test_cases_json_drift_tolerates_last_bit_rounding_only():
    name = catalogues.names()[0]
    target = paths.ASSIGNMENTS / name / "_selfcheck" / "cases.json"
    text = target.read_text(encoding="utf-8")
    cases = json.loads(text)
    first = cases[0]

    def with_expected(value):
        changed = json.loads(text)
        changed[0]["expected"] = wire.encode(value)
        return json.dumps(changed, indent=1) + "\n"

    expected = wire.decode(first["expected"])
    nudged = jitter(expected, 1 + 1e-13)
    moved = jitter(expected, 1 + 1e-6)
    assert sync._same_cases(text, with_expected(nudged))
    assert not sync._same_cases(text, with_expected(moved))


def jitter(value, factor):
    if isinstance(value, np.ndarray):
        return value * factor
    if isinstance(value, (tuple, list)):
        return type(value)(jitter(v, factor) for v in value)
    if isinstance(value, dict):
        return {k: jitter(v, factor) for k, v in value.items()}
    if isinstance(value, float):
        return value * factor
    return value


def test_a_stored_numerical_gradient_may_move_more_than_a_direct_value():
    """Each stored value carries the tolerance of how it was computed: a finite difference divides rounding by h."""
    name = "a3_backprop"
    text = (paths.ASSIGNMENTS / name / "_selfcheck" / "cases.json").read_text(encoding="utf-8")
    cases = json.loads(text)
    index = next(i for i, case in enumerate(cases) if case["kind"] == "gradient")
    direct = next(i for i, case in enumerate(cases) if case["kind"] == "match")
    assert cases[index]["stored_rtol"]["expected"] > cases[direct]["stored_rtol"]["expected"]

    def nudged(position, factor):
        changed = json.loads(text)
        changed[position]["expected"] = wire.encode(jitter(wire.decode(changed[position]["expected"]), factor))
        return json.dumps(changed, indent=1) + "\n"

    assert sync._same_cases(text, nudged(index, 1 + 1e-9))
    assert not sync._same_cases(text, nudged(index, 1 + 1e-6))
    assert not sync._same_cases(text, nudged(direct, 1 + 1e-9))


def test_a_notebook_without_a_parts_grade_cell_is_one_line_that_says_what_to_add(tmp_path):
    from scratch_kit import copy_kit, run_kit
    kit = copy_kit(tmp_path / "kit")
    notebook = kit / "notebooks" / "a1_neuron_gd.py"
    source = notebook.read_text(encoding="utf-8")
    part = re.search(r"^# %% \[grade\] (\S+)$", source, re.M).group(1)
    notebook.write_text(source.replace(f"# %% [grade] {part}\n", ""), encoding="utf-8")
    done = run_kit(kit, "sync", "a1_neuron_gd")
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("nnkit: error:")
    assert f"no grade cell for part(s) {part}" in done.stderr and f"# %% [grade] <part>" in done.stderr

"""Shared fixtures: real submissions built from the solutions, and an environment for the real CLIs."""
import json
import os
import re
import sys
from pathlib import Path

import pytest

from grader.core import paths
from grader.grading import reference_cache

ROOT = paths.ROOT
# The classic bugs and correct alternatives that benchmarks/accuracy.py measures, shared with the tests.
sys.path.insert(0, str(ROOT / "benchmarks"))
from mutants import make_submission  # noqa: E402


cli_env = paths.tool_env

#: Each test file's layer, a marker to select with ``-m``: ``unit`` runs in this process and in seconds
#: (``make test-fast``); ``sandbox`` grades real submissions in the sandbox; ``nbgrader`` drives the real nbgrader
#: CLI; ``browser`` opens pages in Chromium. tests/test_layers.py fails, in one line, for a file that is not here.
LAYERS = {
    "unit": ("test_evaluation.py", "test_layers.py", "test_mutant_edits.py", "test_sync.py", "test_text.py",
             "test_similarity.py", "test_promises.py"),
    "sandbox": ("test_a1_neuron_gd.py", "test_a2_forward.py", "test_a3_backprop.py", "test_accuracy.py",
                "test_reference_cache.py", "test_benchmarks.py", "test_assignments.py", "test_attacks.py",
                "test_batch.py", "test_bounded.py", "test_class_report.py", "test_confinement.py",
                "test_hidden_twins.py", "test_inputs_unchanged.py", "test_plots.py", "test_prairielearn.py",
                "test_gradescope.py", "test_reproducibility.py", "test_sandbox.py", "test_stand_ins.py",
                "test_surrogates.py", "test_mechanical_corpus.py", "test_diagnosis.py", "test_course_language.py",
                "test_contributor_walkthrough.py", "test_broken_module.py", "test_wording.py", "test_sandbox_ahead.py",
                "test_grading_helper.py"),
    "nbgrader": ("test_nbgrader_roundtrip.py", "test_nbgrader_zh.py", "test_parallel_autograde.py",
                 "test_written_answers.py", "test_zip_collect.py", "test_course.py", "test_feedback_summary.py",
                 "test_release_order.py", "test_autograde_failures.py", "test_lms.py",
                 "test_instructor_week.py"),
    "browser": ("test_feedback_browser.py", "test_markdown_safety.py", "test_accessibility.py",
                "test_class_report_browser.py"),
}
LAYER_OF = {name: layer for layer, names in LAYERS.items() for name in names}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.name in LAYER_OF:
            item.add_marker(getattr(pytest.mark, LAYER_OF[item.path.name]))
# nbgrader runs `alembic` by name, even when the suite calls it in process: the venv's bin/ leads PATH, as in make.
os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])


def solution_anchor(assignment, module, function):
    """The ``### BEGIN SOLUTION`` line of ``function`` in a solution module: code inserted after it runs first."""
    lines = (paths.SOLUTIONS / assignment / f"{module}.py").read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith(f"def {function}("))
    return next(line for line in lines[start:] if "### BEGIN SOLUTION" in line)


def comparable(document):
    """A results document without what differs run to run: the time, the student, the fingerprint, and the uid the
    worker leased."""
    document = json.loads(json.dumps(document))
    document.pop("execution_time")
    for key in ("student", "fingerprint"):
        document["extra_data"].pop(key, None)
    layers = document["extra_data"].get("sandbox", {}).get("layers", {})
    if "uid" in layers:
        layers["uid"] = re.sub(r"\d+", "N", layers["uid"])
    return document


def part_of(report, key):
    """The PartResult with this key."""
    return next(part for part in report.parts if part.key == key)


@pytest.fixture
def submission(tmp_path):
    """``submission(assignment, edits=None, stub=False, extra_files=None, name='student')`` -> folder."""
    def build(assignment, edits=None, stub=False, extra_files=None, name="student"):
        return make_submission(tmp_path / name / assignment, assignment, edits, stub, extra_files)
    return build


@pytest.fixture(autouse=True)
def no_language_chosen():
    """Each test starts as a fresh process does, with no language chosen: an in-process ``cli.main`` settles one
    (``text.settle``) for the rest of its process, which would otherwise reach the tests after it."""
    from grader import text
    text.use(None)
    yield
    text.use(None)


@pytest.fixture(scope="session", autouse=True)
def private_reference_cache(tmp_path_factory):
    """Every test session (each xdist worker) and the CLIs it starts use a reference cache of their own, never the
    user's: the suite always builds its references from scratch once."""
    os.environ[reference_cache.VARIABLE] = str(tmp_path_factory.mktemp("reference-cache"))

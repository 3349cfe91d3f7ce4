"""Public self-check for this assignment. Run `pytest` in this folder.

These are the public cases of the grader's checks, with the same inputs, tolerances and messages. They carry no
points: each has a hidden twin, the same check on fresh inputs (and, for training, hidden initial parameters and
data), and the grade comes from the twins.
"""
import pytest

from _selfcheck import local

CASES = local.load_cases()
MODULES = list(local.graded_functions())


@pytest.mark.parametrize("module", MODULES)
def test_module_imports(module):
    problem = local.broken(module)
    if problem:
        pytest.fail(problem, pytrace=False)


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_public_case(case):
    verdict = local.judge_case(case)
    if verdict.not_run:  # said once, by test_module_imports
        pytest.skip(verdict.message)
    if not verdict.passed:
        pytest.fail(f"{case['module']}.{case['function']}() [{case['check']}]: {verdict.message}", pytrace=False)

"""Public self-check for this assignment. Run `pytest` in this folder.

These are the public cases of the grader's checks, with the same inputs, tolerances and messages. The grader runs
them too, along with hidden cases, gradient checks and training runs on other seeds.
"""
import pytest

from _selfcheck import local

CASES = local.load_cases()


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_public_case(case):
    verdict = local.judge_case(case)
    if not verdict.passed:
        pytest.fail(f"{case['module']}.{case['function']}() [{case['check']}]: {verdict.message}", pytrace=False)

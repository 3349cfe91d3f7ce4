"""What students read, as the real grader says it: no hint that does not hold (a plain 1 / (1 + np.exp(-z)) is not
told about np.where), "1 point" and not "1 points" in the released notebook, and plot titles that say which run
they show."""
import json

import pytest

import mutants
from conftest import part_of
from grader import catalogues, text
from grader.authoring import notebooks, sync
from grader.grading import engine

A1, A3 = "a1_neuron_gd", "a3_backprop"


@pytest.mark.parametrize("bug", ["naive sigmoid", "sigmoid as exp(z) / (1 + exp(z))",
                                 "sigmoid where both branches overflow"])
def test_the_overflow_hint_names_no_function_the_code_may_not_use(submission, bug):
    mutant = mutants.mutant(A1, bug)
    report = engine.grade(A1, submission(A1, edits=mutant.edits))
    failed = [case for case in part_of(report, "sigmoid").cases if not case.passed]
    assert failed and any(case.misconception == "sigmoid_overflow" for case in failed)
    for case in failed:
        assert "np.where" not in case.message, case.message
    assert any("np.exp overflows" in case.message and "exp(-|z|)" in case.message for case in failed)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_one_point_part_says_one_point(lang):
    for name in catalogues.names():
        assignment = catalogues.load(name)
        with text.language(lang):
            notebook = json.loads(sync.build(assignment)[f"{name}.ipynb"])
        sources = {cell["metadata"]["nbgrader"]["grade_id"]: "".join(cell["source"]) for cell in notebook["cells"]
                   if cell["metadata"].get("nbgrader", {}).get("grade") and cell["cell_type"] == "code"}
        for part in assignment.parts:
            key = "point" if part.points == 1 else "points"
            with text.language(lang):
                unit = text.lookup("notebooks", key, notebooks.TEXT.english()[key])
            assert f"{part.points:g} {unit})" in sources[part.key] or f"{part.points:g} {unit}）" in sources[part.key]
            assert "(1 points)" not in sources[part.key]


def test_plot_titles_say_which_run_they_show(submission):
    report = engine.grade(A3, submission(A3))
    captions = [run["caption"] for run in report.runs.values()]
    assert captions and all("/" not in caption for caption in captions), captions
    assert any("from random initial weights (seed" in caption for caption in captions), captions

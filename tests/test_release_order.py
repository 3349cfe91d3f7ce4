"""Releasing an assignment that ships another's finished modules tells the instructor, in one line, whose answers
it reveals, unless that assignment is already past its due date."""
from datetime import datetime, timedelta

import pytest
from nbgrader.api import Gradebook

from grader.adapters import demo
from grader.adapters.nbgrader.release import revealed_answers

pytestmark = pytest.mark.xdist_group("nbgrader")


def _release(course, assignment):
    return demo.Runner(course, echo=False).nbgrader("generate_assignment", assignment, "--force") \
        .read_text(encoding="utf-8")


def test_releasing_a3_names_a2_until_a2_is_due(tmp_path):
    course = demo.make_course(tmp_path / "course", "a3_backprop")
    log = _release(course, "a3_backprop")
    warnings = [line for line in log.splitlines() if "reveals a2_forward's answers" in line]
    assert len(warnings) == 1, log[-2000:]
    assert "activations.py, forward.py, losses.py" in warnings[0] and "no due date" in warnings[0]
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        gradebook.update_or_create_assignment("a2_forward", duedate=datetime.utcnow() + timedelta(days=3))
    assert "it is due only on" in _release(course, "a3_backprop")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        gradebook.update_or_create_assignment("a2_forward", duedate=datetime.utcnow() - timedelta(hours=1))
    assert "reveals" not in _release(course, "a3_backprop")


def test_an_assignment_that_ships_nothing_of_another_reveals_nothing(tmp_path):
    db = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with Gradebook(db):
        pass
    assert revealed_answers("a1_neuron_gd", db) == []
    assert revealed_answers("a2_forward", db) == []
    assert revealed_answers("no_such_assignment", db) == []
    assert len(revealed_answers("a3_backprop", db)) == 1

"""Whether a training run's result is the student's own gradient descent (a check's ``spec.Steps``).

An integrated task (XOR, the diamond) promises that the student's code trained the network. Its score alone cannot
tell: weights can be built from the labels without any training (one detector unit per row of the smaller class,
then OR or NOR, fits any 8-row table). So while the task's run goes on, the worker reports each value the student's
own step function returns (``Sandbox.call``'s witnesses), and a Chain here checks, one step at a time, that each is
one step of gradient descent from the one before, computed by the reference in this process on the task's own data,
and that the run returns the last of them.

The reports come from the student's process, so they are never believed: each is checked against the reference's
step from the previous reported parameters. Only a step that equals a real gradient-descent step passes, so
reports made up by other means are caught, and so are weights from anywhere but such steps. Each step is compared
from the same start as the reference's, so a long run does not amplify rounding differences.
"""
import numpy as np

from .. import text
from ..shipped import evaluation
from ..core.spec import structure

MESSAGES = text.table("steps", {
    "no_steps": "{label}: the trained parameters come from no call of {function}: the task is earned by training, "
                "one {function} per epoch from the initial parameters it was given",
    "too_few": "{label}: {function} was called fewer times than the run has epochs: a full-batch run takes one "
               "step per epoch",
    "too_many": "{label}: {function} was called more times than the run has epochs: a full-batch run takes one "
                "step per epoch",
    "not_a_step": "{label}: what {function} returned at step {step} is not one gradient-descent step, on the whole "
                  "training set at the given learning rate, from {previous}",
    "the_start": "the initial parameters the run was given",
    "the_step_before": "the parameters of the step before",
    "not_the_last": "{label}: the parameters the run returned are not those its last {function} gave",
})


class Chain:
    """Checks the values one run's step function returns against ``steps`` (a spec.Steps), as they arrive.

    ``see(value)`` takes each value; ``problem(params)`` says, once the run has returned ``params``, what is wrong
    with it ('' when nothing is). The grader computes at most ``steps.count`` reference steps, whatever the student's
    process reports, and none after the first failure. ``label`` names the run in the messages."""

    def __init__(self, steps, label=""):
        self.steps, self.label = steps, label
        self.function = f"{steps.function.rsplit('.', 1)[-1]}()"
        self.count = 0
        self.previous = steps.start
        self.shape = structure(steps.start)
        self.failure = ""

    def _say(self, key, **fields):
        return MESSAGES[key].format(label=self.label or evaluation.say("training"), function=self.function, **fields)

    def see(self, value):
        """One value the student's step function returned."""
        self.count += 1
        if self.failure:
            return
        if self.count > self.steps.count:
            self.failure = self._say("too_many")
            return
        try:
            params = evaluation.dig(value, self.steps.params_at)
            # parameters of the start's structure, so the reference's step on them is bounded work
            wrong = structure(params) != self.shape or not _close(params, self.steps.step(self.previous),
                                                                   self.steps.rtol, self.steps.atol)
        except Exception:  # values no comparison foresaw: no step of gradient descent
            wrong = True
        if wrong:
            previous = MESSAGES["the_start"] if self.count == 1 else MESSAGES["the_step_before"]
            self.failure = self._say("not_a_step", step=self.count, previous=previous)
            return
        self.previous = params

    def problem(self, params):
        """'' when the run returned ``params`` after exactly ``steps.count`` steps that each passed, and returned the
        last step's parameters exactly; otherwise the sentence that says what is wrong."""
        if self.failure:
            return self.failure
        if self.count == 0:
            return self._say("no_steps")
        if self.count < self.steps.count:
            return self._say("too_few")
        try:
            same = structure(params) == self.shape and _close(params, self.previous, 0.0, 0.0)
        except Exception:
            same = False
        return "" if same else self._say("not_the_last")


def _arrays(value):
    """The arrays of parameters (a list of tuples of arrays), in order."""
    if isinstance(value, (tuple, list)):
        return [array for item in value for array in _arrays(item)]
    return [value]


def _close(got, expected, rtol, atol):
    """Whether two values of the same structure (spec.structure) hold the same numbers, element by element within
    ``atol + rtol * |expected|``; a nan or inf where the expected number is finite is never close. One numpy
    expression per array: a run checks thousands of steps."""
    with np.errstate(invalid="ignore", over="ignore"):
        return all(bool(np.all(np.abs(g - e) <= atol + rtol * np.abs(e))) for g, e in zip(_arrays(got),
                                                                                         _arrays(expected)))

"""Assignment 1: one neuron, logic gates, and gradient descent for linear and logistic regression."""
import numpy as np

from ..inputs import normal, uniform
from ..spec import Assignment, Case, Check, Misconception, Part

TRUTH_TABLE = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
GATE_TRUTH = {"and": np.array([0.0, 0.0, 0.0, 1.0]), "or": np.array([0.0, 1.0, 1.0, 1.0]),
              "nand": np.array([1.0, 1.0, 1.0, 0.0]), "xor": np.array([0.0, 1.0, 1.0, 0.0])}
EXTREMES = np.array([-1000.0, -40.0, -1.0, 0.0, 1.0, 40.0, 1000.0])


def _truth(ref, case):
    name = case.args[0] if len(case.args) == 2 else "xor"
    return GATE_TRUTH[name]


SIGMOID = Part("sigmoid", "A stable sigmoid", 2, (
    Check("match", "neuron.sigmoid", title="values", cases=(
        Case((normal(1, 4, 3),), public=True),
        Case((normal(2, 7, scale=5.0),)),
        Case((normal(3, 2, 3, 5, scale=3.0),)),
    ), misconceptions=(
        Misconception("sigmoid_sign", "the sign of z is flipped: sigmoid(z) = 1 / (1 + exp(-z))",
                      lambda ref, z: ref.neuron.sigmoid(-z)),
    )),
    Check("robust", "neuron.sigmoid", title="large inputs", cases=(
        Case((EXTREMES,), public=True),
        Case((EXTREMES.reshape(7, 1) * np.ones((1, 3)),)),
    )),
))

NEURON = Part("neuron", "One neuron on a batch", 1, (
    Check("match", "neuron.neuron", title="values", cases=(
        Case((normal(4, 5, 3), normal(5, 3), 0.3), public=True),
        Case((normal(6, 8, 2), normal(7, 2), -1.2)),
    ), misconceptions=(
        Misconception("bias_missing", "the bias b is not added to x @ w",
                      lambda ref, x, w, b: ref.neuron.sigmoid(x @ w)),
    )),
))

GATES = Part("gates", "AND, OR, NAND and XOR from neurons", 3, (
    Check("match", "neuron.logic_gate", title="truth table", expected=_truth, options={"atol": 0.01, "rtol": 0.0},
          cases=tuple(Case((name, TRUTH_TABLE), public=name == "and") for name in ("and", "or", "nand"))),
    Check("match", "neuron.xor_gate", title="truth table", expected=_truth, options={"atol": 0.01, "rtol": 0.0},
          cases=(Case((TRUTH_TABLE,), public=True),)),
))

ASSIGNMENT = Assignment(
    name="a1_neuron_gd",
    title="Assignment 1: one neuron and gradient descent",
    modules=("neuron",),
    parts=(SIGMOID, NEURON, GATES),
)

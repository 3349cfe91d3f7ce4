"""One artificial neuron, and the logic gates it can and cannot compute.

A neuron computes z = x @ w + b and squashes it with the sigmoid. With large weights the sigmoid is almost a step,
so one neuron can act as an AND, OR or NAND gate. XOR is not linearly separable, so it takes a small network of
gates: XOR(a, b) = AND(OR(a, b), NAND(a, b)).
"""
import numpy as np


def sigmoid(z):
    """Numerically stable logistic function, 1 / (1 + exp(-z)), element by element.

    Inputs:
    - z: numpy array of any shape (D1, ..., Dk), or a float.

    Returns:
    - out: numpy float64 array of the same shape as z, with values in [0, 1]. It must not overflow or warn, even
      for z = +-1000.
    """
    # TODO: avoid np.exp of a large positive number; exp(-|z|) never overflows
    raise NotImplementedError


def neuron(x, w, b):
    """The output of one sigmoid neuron for a batch of inputs.

    Inputs:
    - x: numpy array of shape (N, D), one sample per row.
    - w: numpy array of shape (D,), the weights.
    - b: float, the bias.

    Returns:
    - a: numpy float64 array of shape (N,), sigmoid(x @ w + b).
    """
    # TODO: one matrix-vector product, then the sigmoid
    raise NotImplementedError


def gate_weights(name):
    """Weights that make one neuron compute a logic gate on inputs in {0, 1}.

    Inputs:
    - name: one of "and", "or", "nand".

    Returns:
    - (w, b): w is a numpy float64 array of shape (2,) and b a float, chosen so that neuron(x, w, b) is within 0.01
      of the gate's truth value for each of the four rows x in {0, 1}^2.
    """
    # TODO: pick weights large enough that the sigmoid saturates on every row of the truth table
    raise NotImplementedError


def gate_output(x, weights, activations=None):
    """What a gate's weights compute on a batch of input pairs. Provided: the grader measures gate_weights with it.

    Inputs:
    - x: numpy array of shape (N, 2) with entries in {0, 1}.
    - weights: the tuple (w, b) that gate_weights returns.
    - activations: ignored; the grader passes it to every prediction function.

    Returns:
    - a: numpy float64 array of shape (N,), sigmoid(x @ w + b), computed here (not with your neuron) so that
      only the weights are judged.
    """
    w, b = weights
    z = np.asarray(x, dtype=np.float64) @ np.asarray(w, dtype=np.float64) + float(b)
    return np.exp(-np.logaddexp(0.0, -z))  # sigmoid(z) = 1 / (1 + exp(-z)), without overflow


def logic_gate(name, x):
    """Apply the gate ``name`` to a batch of input pairs with one neuron.

    Inputs:
    - name: one of "and", "or", "nand".
    - x: numpy array of shape (N, 2) with entries in {0, 1}.

    Returns:
    - a: numpy float64 array of shape (N,), the neuron's outputs, each close to 0 or 1.
    """
    w, b = gate_weights(name)
    return neuron(x, w, b)


def xor_gate(x):
    """XOR of each input pair, built from the one-neuron gates: AND(OR(a, b), NAND(a, b)).

    Inputs:
    - x: numpy array of shape (N, 2) with entries in {0, 1}.

    Returns:
    - a: numpy float64 array of shape (N,), close to 1 where exactly one input is 1 and close to 0 elsewhere.
    """
    # TODO: feed the outputs of OR and NAND, side by side, into AND
    raise NotImplementedError

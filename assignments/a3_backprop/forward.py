"""The forward pass of a fully connected network.

Layer l computes Z_l = A_(l-1) @ W_l + b_l and then A_l = f_l(Z_l), with A_0 = X. Rows are samples throughout:
W_l has shape (D_(l-1), D_l) and b_l has shape (D_l,). The pass keeps every Z_l and A_l in a cache, because
backpropagation needs them all.
"""
import numpy as np

from activations import get as get_activation
from losses import softmax

MESSAGES = {
    "lengths": "params has {layers} layers but activations names {names}; give one activation per layer",
    "softmax_hidden": "softmax is only allowed on the last layer, not on layer {layer} of {layers}",
}


def layer_functions(params, activations):
    """The activation function of each layer, looked up by name.

    Inputs:
    - params: list of L tuples (W_l, b_l).
    - activations: list of L names, each a key of activations.ACTIVATIONS, or "softmax" for the last layer.

    Returns:
    - functions: list of L functions, each mapping Z_l to A_l.

    Raises ValueError if the lists differ in length, a name is unknown, or softmax is not on the last layer.
    """
    if len(params) != len(activations):
        raise ValueError(MESSAGES["lengths"].format(layers=len(params), names=len(activations)))
    functions = []
    for layer, name in enumerate(activations, start=1):
        if name == "softmax":
            if layer != len(activations):
                raise ValueError(MESSAGES["softmax_hidden"].format(layer=layer, layers=len(activations)))
            functions.append(softmax)
        else:
            functions.append(get_activation(name)[0])
    return functions


def dense(A_prev, W, b):
    """The pre-activation of one fully connected layer for a batch.

    Inputs:
    - A_prev: numpy array of shape (N, D_in), the previous layer's activations, one sample per row.
    - W: numpy array of shape (D_in, D_out), the weights.
    - b: numpy array of shape (D_out,), the biases.

    Returns:
    - Z: numpy float64 array of shape (N, D_out), A_prev @ W + b.
    """
    return np.asarray(A_prev, dtype=np.float64) @ np.asarray(W, dtype=np.float64) + np.asarray(b, dtype=np.float64)


def forward_pass(X, params, activations):
    """Run a batch through every layer and keep what backpropagation needs.

    Inputs:
    - X: numpy array of shape (N, D_0), one sample per row.
    - params: list of L tuples (W_l, b_l), W_l of shape (D_(l-1), D_l) and b_l of shape (D_l,).
    - activations: list of L names, each a key of activations.ACTIVATIONS ("sigmoid", "tanh", "relu",
      "leaky_relu"), or "softmax" on the last layer only.

    Returns a tuple of:
    - A_out: numpy float64 array of shape (N, D_L), the last layer's activations.
    - cache: dict with two lists of float64 arrays:
      - "A": [X, A_1, ..., A_L], L + 1 arrays, A_l of shape (N, D_l) (A_L is A_out);
      - "Z": [Z_1, ..., Z_L], L arrays, Z_l of shape (N, D_l).
    """
    functions = layer_functions(params, activations)
    A = np.asarray(X, dtype=np.float64)
    cache = {"A": [A], "Z": []}
    for (W, b), f in zip(params, functions):
        Z = dense(A, W, b)
        A = f(Z)
        cache["Z"].append(Z)
        cache["A"].append(A)
    return A, cache


def predict(X, params, activations):
    """The network's output for a batch, without the cache.

    Inputs: as for forward_pass.

    Returns:
    - A_out: numpy float64 array of shape (N, D_L).
    """
    return forward_pass(X, params, activations)[0]

"""Backpropagation: the gradient of a network's mean loss with respect to every weight and bias.

Notation, for a network of L layers on a batch of N samples (one sample per row):
    Z_l = A_{l-1} @ W_l + b_l,    A_l = f_l(Z_l),    A_0 = X,
where W_l has shape (D_{l-1}, D_l) and b_l shape (D_l,). The loss J is the MEAN over the batch of the per-sample
losses (binary cross-entropy after a sigmoid output, cross-entropy after a softmax output).

Backpropagation works with the layer deltas, one row per sample:
    delta_l = dJ_sum / dZ_l,   where J_sum = N * J is the SUMMED loss,
and uses three facts, each one function below:
    delta_L = A_L - Y                                    (output_delta: sigmoid + BCE, or softmax + CE)
    delta_l = (delta_{l+1} @ W_{l+1}.T) * f_l'(Z_l)      (hidden_delta)
    dJ/dW_l = A_{l-1}.T @ delta_l / N,   dJ/db_l = mean of delta_l over the rows   (layer_gradients)
The deltas are per-sample quantities and are NOT averaged; the one division by N happens in layer_gradients.
"""
import numpy as np

from activations import get

MESSAGES = {
    "shapes": "A_out has shape {a} but Y has shape {y}: they must be equal",
    "output": "backward needs a 'sigmoid' or 'softmax' output layer (A_out - Y is their delta); got {name!r}",
    "lengths": "params has {params} layers but activations names {activations}",
}


def output_delta(A_out, Y):
    """The delta of the output layer, dJ_sum/dZ_L, for a sigmoid output with binary cross-entropy, or a softmax
    output with cross-entropy. For both pairs the derivative of the loss and of the activation cancel to A_out - Y.

    It is NOT averaged over the batch: row n is the gradient of sample n's own loss. The division by N happens once,
    in layer_gradients.

    Inputs:
    - A_out: numpy array of shape (N, D_L), the network's output A_L (sigmoid outputs, or softmax rows).
    - Y: numpy array of shape (N, D_L), the targets (0/1 labels, or one-hot rows).

    Returns:
    - delta: numpy float64 array of shape (N, D_L).
    """
    A_out = np.asarray(A_out, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    if A_out.shape != Y.shape:
        raise ValueError(MESSAGES["shapes"].format(a=A_out.shape, y=Y.shape))
    # TODO: one subtraction, no division by N
    raise NotImplementedError


def hidden_delta(delta_next, W_next, Z, activation):
    """The delta of a hidden layer l from the delta of the layer after it.

    Each unit j of layer l feeds every unit k of layer l + 1 through the weight W_next[j, k], so its share of the
    error is the sum over k of delta_next[:, k] * W_next[j, k]; the chain rule through a = f(z) then multiplies by
    the slope f'(z) of layer l's own activation, taken at its pre-activation Z.

    Inputs:
    - delta_next: numpy array of shape (N, D_next), the delta of layer l + 1.
    - W_next: numpy array of shape (D, D_next), the weights of layer l + 1.
    - Z: numpy array of shape (N, D), layer l's pre-activation (NOT its activation A = f(Z)).
    - activation: str, the name of layer l's activation ("sigmoid", "tanh", "relu" or "leaky_relu").

    Returns:
    - delta: numpy float64 array of shape (N, D).
    """
    # TODO: get(activation) gives (f, f_prime); send delta_next back through W_next.T, times f'(Z)
    raise NotImplementedError


def layer_gradients(A_prev, delta):
    """The gradients of the mean loss J with respect to one layer's weights and bias.

    Since Z = A_prev @ W + b, sample n contributes A_prev[n, i] * delta[n, j] to dJ_sum/dW[i, j] and delta[n, j] to
    dJ_sum/db[j]. J is the mean, so both sums over the samples are divided by N.

    Inputs:
    - A_prev: numpy array of shape (N, D_in), the layer's input (X for the first layer).
    - delta: numpy array of shape (N, D_out), the layer's delta.

    Returns a tuple of:
    - dW: numpy float64 array of shape (D_in, D_out), the same shape as W.
    - db: numpy float64 array of shape (D_out,), the same shape as b.
    """
    # TODO: one matrix product for dW, a column mean for db; divide by N = the number of rows
    raise NotImplementedError


def backward(Y, params, cache, activations):
    """Backpropagation through a whole network, after forward.forward_pass.

    Start from the output delta, and walk the layers from last to first: take each layer's gradients, then pass the
    delta back to the layer before it with that layer's (unchanged) weights.

    Inputs:
    - Y: numpy array of shape (N, D_L), the targets.
    - params: list of L tuples (W, b), W of shape (D_{l-1}, D_l) and b of shape (D_l,).
    - cache: dict from forward.forward_pass: cache["A"] = [X, A_1, ..., A_L] (L + 1 arrays, A_l of shape (N, D_l))
      and cache["Z"] = [Z_1, ..., Z_L] (L arrays).
    - activations: list of L activation names; the last must be "sigmoid" or "softmax".

    Returns:
    - grads: list of L tuples (dW, db), in the order of params, each the same shapes as (W, b): the gradient of the
      MEAN loss over the batch.
    """
    if len(params) != len(activations):
        raise ValueError(MESSAGES["lengths"].format(params=len(params), activations=len(activations)))
    if activations[-1] not in ("sigmoid", "softmax"):
        raise ValueError(MESSAGES["output"].format(name=activations[-1]))
    # TODO: output_delta first; then, last layer to first: layer_gradients, then hidden_delta
    raise NotImplementedError

"""Training a network by gradient descent: one update, one step of forward + backward + update, and whole runs.

A run lasts a number of epochs. In each epoch the network sees every training sample once: all at once
(full-batch gradient descent), or in mini-batches of a fixed size, in a new random order each epoch. After each
epoch, ``train`` records the loss and the accuracy on the whole training set, which ``plot_loss_accuracy`` in the
notebook draws as learning curves.

Parameters are a list of (W, b) tuples, as in forward.py. None of these functions changes the arrays it is given:
each returns new ones, so a caller can train twice from the same starting point.
"""
import numpy as np

from backprop import backward
from forward import forward_pass, predict
from losses import binary_cross_entropy, cross_entropy

MESSAGES = {
    "output": "the last activation must be 'sigmoid' or 'softmax' to pick a loss; got {name!r}",
    "rng": "mini-batches need a numpy.random.Generator: pass rng=np.random.default_rng(seed)",
    "batch_size": "batch_size must be a positive int or None; got {value!r}",
}


def mean_loss(A_out, Y, output_activation):
    """The mean loss that goes with the output layer: binary cross-entropy after a sigmoid, cross-entropy after a
    softmax. (This helper is finished.)

    Inputs:
    - A_out: numpy array of shape (N, D_L), the network's output.
    - Y: numpy array of shape (N, D_L), the targets.
    - output_activation: str, "sigmoid" or "softmax".

    Returns:
    - loss: float.
    """
    if output_activation == "sigmoid":
        return binary_cross_entropy(A_out, Y)
    if output_activation == "softmax":
        return cross_entropy(A_out, Y)
    raise ValueError(MESSAGES["output"].format(name=output_activation))


def accuracy(A_out, Y):
    """The fraction of samples classified correctly. (This helper is finished.)

    With one output column, a sample counts as class 1 when its output is >= 0.5. With several columns, the
    predicted class is the column of the largest output, and the true class the column of the largest target.

    Inputs:
    - A_out: numpy array of shape (N, D_L), the network's output.
    - Y: numpy array of shape (N, D_L), the targets (0/1 labels, or one-hot rows).

    Returns:
    - accuracy: float in [0, 1].
    """
    A_out = np.asarray(A_out)
    Y = np.asarray(Y)
    if A_out.shape[1] == 1:
        return float(np.mean((A_out >= 0.5) == (Y >= 0.5)))
    return float(np.mean(A_out.argmax(axis=1) == Y.argmax(axis=1)))


def gd_step(params, grads, learning_rate):
    """One step of gradient descent on every layer: W <- W - learning_rate * dW, b <- b - learning_rate * db.

    It must not change the arrays in ``params``: build new ones.

    Inputs:
    - params: list of L tuples (W, b), W of shape (D_{l-1}, D_l) and b of shape (D_l,).
    - grads: list of L tuples (dW, db) of the same shapes, from backprop.backward.
    - learning_rate: float, the step size.

    Returns:
    - new_params: list of L tuples (W, b), new float64 arrays of the same shapes as params.
    """
    ### BEGIN SOLUTION: step AGAINST the gradient, layer by layer, into new arrays (never change W in place)
    return [(W - learning_rate * dW, b - learning_rate * db) for (W, b), (dW, db) in zip(params, grads)]
    ### END SOLUTION


def train_step(X, Y, params, activations, learning_rate):
    """One step of training on one batch: a forward pass, backpropagation, then one gradient-descent update.

    Every gradient is computed from the same, old parameters; only then are they all updated.

    Inputs:
    - X: numpy array of shape (N, D_0), the batch.
    - Y: numpy array of shape (N, D_L), its targets.
    - params: list of L tuples (W, b). They must not be changed.
    - activations: list of L activation names; the last is "sigmoid" or "softmax".
    - learning_rate: float.

    Returns a tuple of:
    - new_params: list of L tuples (W, b), the parameters after the update.
    - loss: float, the mean loss on this batch BEFORE the update (from the same forward pass), see mean_loss.
    """
    ### BEGIN SOLUTION: forward.forward_pass, mean_loss, backprop.backward, then gd_step
    A_out, cache = forward_pass(X, params, activations)
    loss = mean_loss(A_out, Y, activations[-1])
    grads = backward(Y, params, cache, activations)
    return gd_step(params, grads, learning_rate), loss
    ### END SOLUTION


def train(X, Y, params, activations, learning_rate, epochs, batch_size=None, rng=None):
    """Train a network for a number of epochs, and record its learning curves.

    Each epoch:
    - with batch_size=None, takes one train_step on the whole set (full-batch gradient descent);
    - otherwise, draws a new order of the samples with order = rng.permutation(N) and takes one train_step on each
      mini-batch X[order[k : k + batch_size]] for k = 0, batch_size, 2 * batch_size, ... (the last one may be
      smaller);
    - then measures the loss (mean_loss) and the accuracy (accuracy) of the updated network on the WHOLE training
      set, with forward.predict.

    Inputs:
    - X: numpy array of shape (N, D_0), the training set.
    - Y: numpy array of shape (N, D_L), its targets.
    - params: list of L tuples (W, b), the starting parameters. They must not be changed.
    - activations: list of L activation names; the last is "sigmoid" or "softmax".
    - learning_rate: float.
    - epochs: int, the number of passes over the training set.
    - batch_size: int or None.
    - rng: numpy.random.Generator, needed when batch_size is given; its only use is one rng.permutation(N) per epoch.

    Returns a tuple of:
    - params: list of L tuples (W, b), the trained parameters.
    - history: dict with "loss" and "accuracy", numpy float64 arrays of shape (epochs,): entry e is measured after
      epoch e.
    """
    if batch_size is not None and (not isinstance(batch_size, (int, np.integer)) or batch_size < 1):
        raise ValueError(MESSAGES["batch_size"].format(value=batch_size))
    if batch_size is not None and rng is None:
        raise ValueError(MESSAGES["rng"])
    ### BEGIN SOLUTION: loop over epochs; inside, loop over the mini-batches; then record the loss and accuracy
    n = X.shape[0]
    history = {"loss": np.zeros(epochs), "accuracy": np.zeros(epochs)}
    for epoch in range(epochs):
        if batch_size is None:
            params, _ = train_step(X, Y, params, activations, learning_rate)
        else:
            order = rng.permutation(n)
            for start in range(0, n, batch_size):
                batch = order[start:start + batch_size]
                params, _ = train_step(X[batch], Y[batch], params, activations, learning_rate)
        A_out = predict(X, params, activations)
        history["loss"][epoch] = mean_loss(A_out, Y, activations[-1])
        history["accuracy"][epoch] = accuracy(A_out, Y)
    return list(params), history
    ### END SOLUTION

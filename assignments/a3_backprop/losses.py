"""Softmax, one-hot labels, and the two classification losses.

Softmax turns each row of scores (logits) into a probability distribution over C classes. Cross-entropy measures
how much probability a network gives the true class; binary cross-entropy is the two-class case with one output.
Both losses are means over the batch, so their size does not depend on how many samples a batch holds.
"""
import numpy as np

# Probabilities are clipped to [EPS, 1 - EPS] before a logarithm, so log(0) never happens.
EPS = np.finfo(np.float64).eps

MESSAGES = {
    "label_range": "labels must lie in 0 .. {last} for {classes} classes; got {bad}",
}


def softmax(z):
    """Softmax over the last axis: each row of scores becomes a probability distribution.

    Inputs:
    - z: numpy array of shape (C,) for one sample, or (N, C) for a batch, one sample per row.

    Returns:
    - probs: numpy float64 array of the same shape as z. Each row is positive and sums to 1. No overflow, nan or
      warning, even for logits of 1000.
    """
    z = np.asarray(z, dtype=np.float64)
    shifted = np.exp(z - z.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def one_hot(labels, num_classes):
    """One row per label, with a 1.0 in the label's column and 0.0 elsewhere.

    Inputs:
    - labels: numpy int array of shape (N,), each in 0 .. num_classes - 1.
    - num_classes: int, C.

    Returns:
    - Y: numpy float64 array of shape (N, C).

    Raises ValueError if a label lies outside 0 .. C - 1.
    """
    labels = np.asarray(labels)
    outside = (labels < 0) | (labels >= num_classes)
    if outside.any():
        raise ValueError(MESSAGES["label_range"].format(last=num_classes - 1, classes=num_classes,
                                                        bad=labels[outside][0]))
    Y = np.zeros((labels.shape[0], num_classes), dtype=np.float64)
    Y[np.arange(labels.shape[0]), labels] = 1.0
    return Y


def cross_entropy(probs, Y):
    """Mean cross-entropy of predicted distributions against one-hot targets.

    Inputs:
    - probs: numpy array of shape (N, C), each row a probability distribution (a softmax output).
    - Y: numpy array of shape (N, C), one-hot targets.

    Returns:
    - loss: float, (1 / N) * sum over samples n and classes c of -Y[n, c] * log(probs[n, c]). It must be finite,
      with no warning, when some probabilities are exactly 0 or 1: clip probabilities to [EPS, 1] first.
    """
    probs = np.clip(np.asarray(probs, dtype=np.float64), EPS, 1.0)
    Y = np.asarray(Y, dtype=np.float64)
    return float(-np.sum(Y * np.log(probs)) / probs.shape[0])


def binary_cross_entropy(a, y):
    """Mean binary cross-entropy of predicted probabilities against 0/1 labels.

    Inputs:
    - a: numpy array of shape (N,) or (N, 1), the predicted probabilities that each label is 1.
    - y: numpy array of the same shape as a, the labels, each 0.0 or 1.0.

    Returns:
    - loss: float, the mean over the N samples of -(y * log(a) + (1 - y) * log(1 - a)). It must be finite, with
      no warning, when a holds exact 0s or 1s: clip a to [EPS, 1 - EPS] first.
    """
    a = np.clip(np.asarray(a, dtype=np.float64), EPS, 1.0 - EPS)
    y = np.asarray(y, dtype=np.float64)
    return float(-np.mean(y * np.log(a) + (1.0 - y) * np.log(1.0 - a)))

"""Activation functions and their derivatives.

A layer computes its pre-activation z = a_prev @ W + b, then its activation a = f(z). Backpropagation needs the
slope f'(z) at the same z, so every derivative here takes z, the pre-activation, and never a. Each function works
element by element on an array of any shape and returns a float64 array of that shape.
"""
import numpy as np

MESSAGES = {
    "unknown": "unknown activation {name!r}; use one of {known}",
}


def sigmoid(z):
    """The logistic function 1 / (1 + exp(-z)), element by element, without overflow.

    Inputs:
    - z: numpy array of any shape (D1, ..., Dk), the pre-activation.

    Returns:
    - a: numpy float64 array of the same shape as z, with values in [0, 1]. No warning, even for z = +-1000.
    """
    # TODO: exp(-|z|) never overflows; use it for both signs of z
    raise NotImplementedError


def sigmoid_prime(z):
    """The derivative of the sigmoid, taken at the pre-activation z.

    Inputs:
    - z: numpy array of any shape, the pre-activation z (NOT the activation a = sigmoid(z)).

    Returns:
    - da_dz: numpy float64 array of the same shape as z, sigmoid(z) * (1 - sigmoid(z)). No warning for z = +-1000.
    """
    # TODO: evaluate the sigmoid at z first, then use sigmoid'(z) = sigmoid(z) (1 - sigmoid(z))
    raise NotImplementedError


def tanh(z):
    """The hyperbolic tangent (e^z - e^-z) / (e^z + e^-z), element by element.

    Inputs:
    - z: numpy array of any shape, the pre-activation.

    Returns:
    - a: numpy float64 array of the same shape as z, with values in [-1, 1]. No warning, even for z = +-1000.
    """
    # TODO: numpy has a stable tanh
    raise NotImplementedError


def tanh_prime(z):
    """The derivative of tanh, taken at the pre-activation z.

    Inputs:
    - z: numpy array of any shape, the pre-activation z (NOT the activation a = tanh(z)).

    Returns:
    - da_dz: numpy float64 array of the same shape as z, 1 - tanh(z)**2. No warning for z = +-1000.
    """
    # TODO: tanh'(z) = 1 - tanh(z)^2, with tanh evaluated at z
    raise NotImplementedError


def relu(z):
    """The rectified linear unit max(0, z), element by element.

    Inputs:
    - z: numpy array of any shape, the pre-activation.

    Returns:
    - a: numpy float64 array of the same shape as z.
    """
    # TODO: keep the positive part
    raise NotImplementedError


def relu_prime(z):
    """The derivative of ReLU, taken at the pre-activation z.

    Inputs:
    - z: numpy array of any shape, the pre-activation z (NOT the activation a = relu(z)).

    Returns:
    - da_dz: numpy float64 array of the same shape as z: 1.0 where z > 0 and 0.0 where z <= 0. ReLU has no slope
      at z = 0; this kit uses 0 there.
    """
    # TODO: 1 where z is strictly positive, 0 elsewhere, as floats
    raise NotImplementedError


def leaky_relu(z, alpha=0.01):
    """Leaky ReLU: z where z > 0, and alpha * z elsewhere.

    Inputs:
    - z: numpy array of any shape, the pre-activation.
    - alpha: float, the slope for negative z, with 0 <= alpha <= 1 (a leak no steeper than the slope 1 of
      positive z; the checks use only such values).

    Returns:
    - a: numpy float64 array of the same shape as z.
    """
    # TODO: positive z passes through unchanged; the rest is scaled by alpha
    raise NotImplementedError


def leaky_relu_prime(z, alpha=0.01):
    """The derivative of leaky ReLU, taken at the pre-activation z.

    Inputs:
    - z: numpy array of any shape, the pre-activation z (NOT the activation a = leaky_relu(z)).
    - alpha: float, the slope for negative z, with 0 <= alpha <= 1 (a leak no steeper than the slope 1 of
      positive z; the checks use only such values).

    Returns:
    - da_dz: numpy float64 array of the same shape as z: 1.0 where z > 0 and alpha where z <= 0 (this kit uses
      alpha at z = 0).
    """
    # TODO: slope 1 for positive z, alpha elsewhere
    raise NotImplementedError


ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_prime),
    "tanh": (tanh, tanh_prime),
    "relu": (relu, relu_prime),
    "leaky_relu": (leaky_relu, leaky_relu_prime),
}


def get(name):
    """The activation called ``name`` and its derivative.

    Inputs:
    - name: str, a key of ACTIVATIONS: "sigmoid", "tanh", "relu" or "leaky_relu".

    Returns:
    - (f, f_prime): the activation function and its derivative; both take z.

    Raises ValueError for an unknown name.
    """
    if name not in ACTIVATIONS:
        raise ValueError(MESSAGES["unknown"].format(name=name, known=", ".join(ACTIVATIONS)))
    return ACTIVATIONS[name]

"""Gradient descent for linear regression (batch and stochastic), and for logistic regression.

Linear regression predicts y from the rows of a design matrix X with X @ theta. Its first column is all ones, so
theta[0] plays the part of the bias. The loss is the mean squared error, and gradient descent walks theta against
its gradient: theta <- theta - learning_rate * gradient.

Logistic regression predicts the probability sigmoid(X @ k) that a sample belongs to class 1, and is trained the same
way on the binary cross-entropy (the log loss).

Every function here takes its starting parameters (and, for SGD, the order of the samples) as arguments and draws
no random numbers of its own.
"""
import numpy as np

from neuron import sigmoid


# -- linear regression ----------------------------------------------------------------------------------------------
def mse_loss(X, y, theta):
    """The mean squared error of the linear model X @ theta.

    Inputs:
    - X: numpy array of shape (m, D), one sample per row (the first column is usually all ones).
    - y: numpy array of shape (m,), the targets.
    - theta: numpy array of shape (D,), the parameters.

    Returns:
    - loss: float, the mean over the m samples of (x_i . theta - y_i) ** 2.
    """
    # TODO: the residuals X @ theta - y, squared, then averaged over the samples
    raise NotImplementedError


def mse_gradient(X, y, theta):
    """The gradient of mse_loss with respect to theta.

    Inputs:
    - X: numpy array of shape (m, D).
    - y: numpy array of shape (m,).
    - theta: numpy array of shape (D,).

    Returns:
    - grad: numpy float64 array of shape (D,), equal to (2 / m) * X^T (X theta - y).
    """
    # TODO: one matrix-vector product for the residuals, one for X^T; do not forget the 2 and the 1/m
    raise NotImplementedError


def batch_gradient_descent(X, y, theta0, learning_rate, num_iter):
    """Full-batch gradient descent on the mean squared error.

    Step i computes the loss and the gradient at theta_path[i], then moves against the gradient: the next row of
    the path is theta_path[i] - learning_rate * mse_gradient(X, y, theta_path[i]).

    Inputs:
    - X: numpy array of shape (m, D).
    - y: numpy array of shape (m,).
    - theta0: numpy array of shape (D,), the starting parameters. It must not be modified.
    - learning_rate: float, the step size.
    - num_iter: int, the number of steps.

    Returns a tuple of:
    - theta_path: numpy float64 array of shape (num_iter + 1, D). Row 0 is theta0, row i + 1 the parameters after
      step i.
    - loss_history: numpy float64 array of shape (num_iter,). loss_history[i] is mse_loss at theta_path[i], that is
      the loss *before* step i.
    """
    # TODO: record theta and its loss, then step against the gradient, num_iter times
    raise NotImplementedError


def sgd(X, y, theta0, learning_rate, order):
    """Stochastic gradient descent: one step per sample, visiting the samples in the given order.

    Step t uses the single sample j = order[t] and the gradient of its own squared error,
    2 * (x_j . theta - y_j) * x_j, so theta <- theta - learning_rate * 2 * (x_j . theta - y_j) * x_j.

    Inputs:
    - X: numpy array of shape (m, D).
    - y: numpy array of shape (m,).
    - theta0: numpy array of shape (D,), the starting parameters. It must not be modified.
    - learning_rate: float, the step size.
    - order: numpy int array of shape (T,), the index of the sample each step uses. Samples may repeat (several
      epochs), and the caller makes the shuffle, for example with rng.permutation(m).

    Returns:
    - theta_path: numpy float64 array of shape (T + 1, D). Row 0 is theta0, row t + 1 the parameters after step t.
    """
    # TODO: a loop over the steps (each step needs the theta of the one before); row j = order[t]
    raise NotImplementedError


def predict(X, theta, activations=None):
    """Linear predictions X @ theta. Provided: the grader measures your training runs with it.

    Inputs:
    - X: numpy array of shape (m, D).
    - theta: numpy array of shape (D,), or a whole path of shape (T, D), in which case its last row is used.
    - activations: ignored; the grader passes it to every prediction function.

    Returns:
    - y_hat: numpy float64 array of shape (m,).
    """
    theta = np.asarray(theta, dtype=np.float64)
    if theta.ndim == 2:
        theta = theta[-1]
    return np.asarray(X, dtype=np.float64) @ theta


# -- logistic regression --------------------------------------------------------------------------------------------
def log_loss(X, y, k):
    """The mean binary cross-entropy of the logistic model sigmoid(X @ k) against labels y.

    For one sample with logit z = x . k and probability p = sigmoid(z), the loss is -y log p - (1 - y) log(1 - p).
    Compute it from z, not from p: sigmoid(40.0) is exactly 1.0 in float64, and log(1 - 1.0) is -inf.

    Inputs:
    - X: numpy array of shape (m, D).
    - y: numpy array of shape (m,), labels in {0, 1}.
    - k: numpy array of shape (D,), the parameters.

    Returns:
    - loss: float, the mean over the m samples. It must stay finite, with no warning, for logits as large as
      +-1000.
    """
    # TODO: -log(sigmoid(z)) = log(1 + exp(-z)) and -log(1 - sigmoid(z)) = log(1 + exp(z)); np.logaddexp
    raise NotImplementedError


def logistic_gradient(X, y, k):
    """The gradient of the SUMMED log loss with respect to k, as derived in the lecture.

    The lecture's cost C(k) adds the cross-entropy of every sample (it does not average), and its derivative is
    sum_i (sigmoid(x_i . k) - y_i) x_i. So this is m times the gradient of log_loss, which averages.

    Inputs:
    - X: numpy array of shape (m, D).
    - y: numpy array of shape (m,), labels in {0, 1}.
    - k: numpy array of shape (D,).

    Returns:
    - grad: numpy float64 array of shape (D,), equal to X^T (sigmoid(X k) - y).
    """
    # TODO: the prediction errors sigmoid(X k) - y, weighted by the inputs and summed over samples
    raise NotImplementedError


def logistic_regression(X, y, k0, learning_rate, num_iter):
    """Train logistic regression by gradient descent: k <- k - learning_rate * logistic_gradient(X, y, k).

    Inputs:
    - X: numpy array of shape (m, D), with a column of ones if the model needs a bias.
    - y: numpy array of shape (m,), labels in {0, 1}.
    - k0: numpy array of shape (D,), the starting parameters. It must not be modified.
    - learning_rate: float, the step size.
    - num_iter: int, the number of steps.

    Returns a tuple of:
    - k: numpy float64 array of shape (D,), the parameters after num_iter steps.
    - loss_history: numpy float64 array of shape (num_iter,). loss_history[i] is log_loss at the parameters
      *before* step i, as in batch_gradient_descent.
    """
    # TODO: the same loop as batch gradient descent, with the log loss and the logistic gradient
    raise NotImplementedError


def classify(X, k, activations=None):
    """Class predictions of logistic regression: 1.0 where sigmoid(X @ k) >= 0.5, that is where X @ k >= 0.

    Provided: the grader measures your training runs with it.

    Inputs:
    - X: numpy array of shape (m, D).
    - k: numpy array of shape (D,).
    - activations: ignored; the grader passes it to every prediction function.

    Returns:
    - labels: numpy float64 array of shape (m,) of 0.0 and 1.0.
    """
    return (np.asarray(X, dtype=np.float64) @ np.asarray(k, dtype=np.float64) >= 0).astype(np.float64)

# %% [markdown] intro
# # Assignment 1: one neuron and gradient descent
#
# This assignment builds the smallest possible neural network, a single neuron, and the method that trains every
# network in this course: gradient descent.
#
# - `neuron.py`: the sigmoid, one neuron, and logic gates made from neurons.
# - `gradient_descent.py`: the mean squared error and its gradient, batch and stochastic gradient descent for linear
#   regression, and logistic regression.
#
# You write your answers in those two files, where each `TODO` is. This notebook imports them and runs them. After
# you change a file, restart the kernel (or run the next cell again) so the notebook sees your new code.
#
# Each **Graded part** cell runs the public checks of one part. The grader runs the same checks and some hidden
# ones. You can also run all the public checks at once with `pytest` in this folder.

# %%
%matplotlib inline
import importlib

import matplotlib.pyplot as plt
import numpy as np

import gradient_descent
import neuron

importlib.reload(neuron)
importlib.reload(gradient_descent)
np.set_printoptions(precision=4, suppress=True)

# %% [markdown] one_neuron
# ## 1. One neuron
#
# A neuron takes an input vector $x$, forms the weighted sum $z = x \cdot w + b$, and passes it through an
# activation function. Here the activation is the sigmoid,
#
# $$\sigma(z) = \frac{1}{1 + e^{-z}},$$
#
# which squashes any real number into $(0, 1)$. For a whole batch at once, put one sample per row of a matrix `x`
# of shape `(N, D)`: then `x @ w + b` has shape `(N,)`, one $z$ per sample.
#
# Written literally, `1 / (1 + np.exp(-z))` is correct in value but not in behaviour: for $z = -1000$, `np.exp(1000)`
# overflows and numpy prints a warning. Your `sigmoid` must stay silent for every finite input. The trick is to
# call `np.exp` only on numbers that are never positive.

# %%
z = np.linspace(-8, 8, 161)
fig, ax = plt.subplots(figsize=(5, 3))
ax.plot(z, neuron.sigmoid(z))
ax.axhline(0.5, color="grey", lw=0.5)
ax.axvline(0.0, color="grey", lw=0.5)
ax.set_xlabel("z")
ax.set_ylabel("sigmoid(z)")
ax.set_title("The sigmoid: 0.5 at z = 0, nearly a step for large |z|")
plt.show()
print("sigmoid at -1000, 0, 1000:", neuron.sigmoid(np.array([-1000.0, 0.0, 1000.0])))

# %% [grade] sigmoid

# %%
x_batch = np.array([[0.5, 0.8, 0.2], [0.1, 0.9, 0.6], [0.2, 0.2, 0.3]])
w_example = np.array([2.0, -1.0, 1.0])
print("outputs of one neuron for three samples:", neuron.neuron(x_batch, w_example, 0.5))

# %% [grade] neuron

# %% [markdown] logic_gates
# ## 2. Logic gates from one neuron
#
# Feed a neuron the four input pairs $(x_1, x_2) \in \{0, 1\}^2$. If its weights are large, $z$ is far from 0 on
# every row, so the sigmoid gives almost exactly 0 or 1: the neuron behaves like a logic gate. For AND, both
# inputs together must push $z$ above 0 while one alone must not: $w = (20, 20)$ and $b = -30$ give $z = -30,
# -10, -10, 10$ on the four rows.
#
# `gate_weights` returns your weights for `"and"`, `"or"` and `"nand"`. The checks want every output within 0.01 of
# the truth value. Rounding would hide a neuron that outputs 0.98; the checks do not round.

# %%
def show_truth_table(name, outputs):
    print(f"{name:>4}:  x1 x2 -> output")
    for (x1, x2), out in zip(inputs, outputs):
        print(f"       {x1:.0f}  {x2:.0f} -> {out:.4f}")


inputs = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
for name in ("and", "or", "nand"):
    weights, bias = neuron.gate_weights(name)
    print(f"weights {weights}, bias {bias}")
    show_truth_table(name, neuron.logic_gate(name, inputs))

# %% [markdown] xor_impossible
# ## 3. Why one neuron cannot compute XOR
#
# XOR is 1 when exactly one input is 1. Plot the four points: the two 1s sit on one diagonal of the square and the
# two 0s on the other. A single neuron outputs more than 0.5 exactly where $w_1 x_1 + w_2 x_2 + b > 0$, which is one
# side of a straight line. No straight line puts both diagonals on different sides.
#
# The algebra says the same. We would need $b < 0$ for $(0, 0)$ and $w_1 + w_2 + b < 0$ for $(1, 1)$, but
# $w_2 + b > 0$ and $w_1 + b > 0$ for the other two rows. Adding the last two gives $w_1 + w_2 + 2b > 0$, so
# $w_1 + w_2 + b > -b > 0$: a contradiction.

# %%
xor_truth = np.array([0.0, 1.0, 1.0, 0.0])
fig, ax = plt.subplots(figsize=(3.5, 3.5))
for label, marker in ((0.0, "o"), (1.0, "s")):
    rows = xor_truth == label
    ax.scatter(inputs[rows, 0], inputs[rows, 1], s=120, marker=marker, label=f"XOR = {label:.0f}")
ax.set_xlim(-0.5, 1.5)
ax.set_ylim(-0.5, 1.5)
ax.set_xlabel("x1")
ax.set_ylabel("x2")
ax.legend(loc="center")
ax.set_title("XOR: no line separates the two classes")
plt.show()

# %% [markdown] xor_grid_search
# Now try every single neuron on a grid: 41 values from -10 to 10 for each of $w_1$, $w_2$ and $b$, which is
# 68 921 neurons. For each one, count on how many of the four rows its output lands on the right side of 0.5. The
# same search finds a perfect neuron for AND, but none for XOR.

# %%
grid = np.linspace(-10.0, 10.0, 41)
w1_grid, w2_grid, b_grid = np.meshgrid(grid, grid, grid, indexing="ij")
# logits of every grid neuron on every row: shape (41, 41, 41, 4)
logits = w1_grid[..., None] * inputs[:, 0] + w2_grid[..., None] * inputs[:, 1] + b_grid[..., None]
predicted = (logits > 0).astype(float)
for name, truth in (("AND", np.array([0.0, 0.0, 0.0, 1.0])), ("XOR", xor_truth)):
    correct = (predicted == truth).sum(axis=-1)
    best = np.unravel_index(np.argmax(correct), correct.shape)
    print(f"{name}: the best single neuron gets {correct.max()} of 4 rows right, "
          f"for example w1={grid[best[0]]:g}, w2={grid[best[1]]:g}, b={grid[best[2]]:g}; "
          f"{(correct == correct.max()).sum()} grid neurons tie")

# %% [markdown] xor_network
# ## 4. XOR as a network of gates
#
# Two layers do what one neuron cannot. The first layer computes OR and NAND side by side; the second feeds them
# into AND. XOR is 1 exactly when at least one input is 1 (OR) and not both are (NAND):
#
# $$\mathrm{XOR}(x_1, x_2) = \mathrm{AND}(\mathrm{OR}(x_1, x_2), \mathrm{NAND}(x_1, x_2)).$$
#
# The first layer maps the four corners to new points, and in that new plane a line does separate them.

# %%
hidden = np.column_stack([neuron.logic_gate("or", inputs), neuron.logic_gate("nand", inputs)])
print("x1 x2 |   OR  NAND | XOR")
for (x1, x2), (h1, h2), out in zip(inputs, hidden, neuron.xor_gate(inputs)):
    print(f" {x1:.0f}  {x2:.0f} | {h1:.2f}  {h2:.2f} | {out:.4f}")

# %% [grade] gates


# %% [written] xor_one_neuron
# Section 3 showed that no single neuron computes XOR, and Section 4 built XOR out of three neurons. In two to four
# sentences, explain **why** one neuron cannot do it, using the shape of its decision boundary, and **what** the first
# layer (OR and NAND) does that makes the last neuron's job possible.

# %% [markdown] linear_regression
# ## 5. Linear regression and the mean squared error
#
# The lecture's data: 100 samples of $y = 1.5 + 2 x_1 + 5 x_2 + \varepsilon$, with $x_1, x_2$ uniform on
# $[0, 10]$ and Gaussian noise $\varepsilon$ of standard deviation 0.5. A column of ones in the design matrix turns
# the intercept into an ordinary parameter, so the model is `X @ theta` with `X` of shape `(m, 3)`.
#
# The numbers come from an explicit `numpy.random.Generator` with a fixed seed, so every run of this notebook sees
# the same data. The functions you write never draw random numbers themselves.

# %%
rng = np.random.default_rng(2024)
num_obs = 100
features = rng.uniform(0.0, 10.0, size=(num_obs, 2))
noise = rng.normal(0.0, 0.5, size=num_obs)
X_lin = np.column_stack([np.ones(num_obs), features])
y_lin = 1.5 + 2.0 * features[:, 0] + 5.0 * features[:, 1] + noise
theta_best = np.linalg.lstsq(X_lin, y_lin, rcond=None)[0]
print("X has shape", X_lin.shape, "and y has shape", y_lin.shape)
print("least-squares theta:", theta_best, "(the true one is [1.5, 2, 5])")

# %% [markdown] mse_gradient
# The loss is the mean squared error over the $m$ samples, and its gradient follows from the chain rule:
#
# $$\mathrm{MSE}(\theta) = \frac{1}{m} \sum_{i=1}^m (x_i \cdot \theta - y_i)^2, \qquad
# \nabla_\theta \mathrm{MSE} = \frac{2}{m} X^\top (X\theta - y).$$
#
# Both the 2 and the $1/m$ matter. The checks compare your gradient with a numerical one: nudge each parameter by
# $\pm h$ and take the slope of the loss.

# %%
theta_start = np.array([3.0, 3.0, 3.0])
print("MSE at the start:", gradient_descent.mse_loss(X_lin, y_lin, theta_start))
print("MSE at least squares:", gradient_descent.mse_loss(X_lin, y_lin, theta_best))
print("gradient at the start:", gradient_descent.mse_gradient(X_lin, y_lin, theta_start))

step = 1e-5
numeric = np.array([(gradient_descent.mse_loss(X_lin, y_lin, theta_start + step * e)
                     - gradient_descent.mse_loss(X_lin, y_lin, theta_start - step * e)) / (2 * step)
                    for e in np.eye(3)])
print("numerical gradient:   ", numeric)

# %% [grade] mse_loss

# %% [grade] mse_gradient

# %% [markdown] batch_gd
# ## 6. Batch gradient descent
#
# Each step uses all $m$ samples: $\theta \leftarrow \theta - \eta \, \nabla_\theta \mathrm{MSE}(\theta)$.
# `batch_gradient_descent` returns the whole path of parameters, starting with `theta0`, and the loss *before* each
# step.
#
# The lecture runs 2000 steps with learning rate $\eta = 10^{-3}$ from $\theta = (3, 3, 3)$. That reaches a low
# loss, but the intercept is still far from its least-squares value: the loss barely changes along that direction,
# so the gradient there is small. A larger $\eta$ moves faster, up to a limit. Above $2 / \lambda_{max}$, where
# $\lambda_{max}$ is the largest eigenvalue of $\frac{2}{m} X^\top X$, every step overshoots by more than the last
# and the loss blows up.

# %%
curvatures = np.linalg.eigvalsh(2.0 / num_obs * X_lin.T @ X_lin)
print("eigenvalues of (2/m) X^T X:", curvatures)
print(f"largest stable learning rate: 2 / {curvatures[-1]:.1f} = {2 / curvatures[-1]:.4f}")

runs = {}
for rate, steps in ((1e-3, 2000), (1e-2, 4000)):
    runs[rate] = gradient_descent.batch_gradient_descent(X_lin, y_lin, theta_start, rate, steps)
    final = runs[rate][0][-1]
    print(f"learning rate {rate:g}, {steps} steps: theta = {final}, "
          f"largest gap to least squares = {np.abs(final - theta_best).max():.2g}")

_, too_fast = gradient_descent.batch_gradient_descent(X_lin, y_lin, theta_start, 0.025, 31)
print("learning rate 0.025, just above the limit, losses every 10 steps:", too_fast[::10])

# %%
fig, (ax_loss, ax_path) = plt.subplots(1, 2, figsize=(11, 4))
for rate, (path, losses) in runs.items():
    ax_loss.semilogy(losses, label=f"learning rate {rate:g}")
ax_loss.axhline(gradient_descent.mse_loss(X_lin, y_lin, theta_best), color="grey", ls="--", label="least squares")
ax_loss.set_xlabel("step")
ax_loss.set_ylabel("MSE before the step")
ax_loss.set_title("Loss curve")
ax_loss.legend()

path = runs[1e-2][0]
for j, name in enumerate(("theta0 (intercept)", "theta1", "theta2")):
    line, = ax_path.plot(path[:, j], label=name)
    ax_path.axhline(theta_best[j], color=line.get_color(), ls="--", lw=0.8)
ax_path.set_xscale("symlog", linthresh=10)
ax_path.set_xlim(0, len(path))
ax_path.set_xlabel("step")
ax_path.set_ylabel("parameter value")
ax_path.set_title("Parameter path at learning rate 0.01 (dashed: least squares)")
ax_path.legend()
plt.show()

# %% [grade] batch_gd


# %% [written] learning_rate
# Look at the runs above, at learning rates 0.001, 0.01 and 0.025. Explain what goes wrong when the learning rate is
# too small and when it is too large, and why the loss blows up at 0.025 but not at 0.01 on this data.

# %% [markdown] sgd
# ## 7. Stochastic gradient descent
#
# SGD takes one sample per step and follows the gradient of that sample's squared error alone,
# $2 (x_j \cdot \theta - y_j) x_j$. Each step is cheap and noisy. Visiting the samples in a fresh random order
# every epoch keeps the noise from repeating the same pattern.
#
# Your `sgd` does not shuffle: it visits the samples in the order it is given. The shuffle is made here, by a
# `numpy.random.Generator`, so a run can be repeated exactly.
#
# One sample's squared error curves more steeply than the average: its curvature along $x_j$ is $2\|x_j\|^2$, up
# to about 400 for this data. The same rule as before, $\eta < 2 / 400$, asks SGD for a smaller learning rate than
# batch descent needs.

# %%
shuffler = np.random.default_rng(7)
epochs = 20
visit = np.concatenate([shuffler.permutation(num_obs) for _ in range(epochs)])
print("first ten samples visited:", visit[:10])
sgd_path = gradient_descent.sgd(X_lin, y_lin, theta_start, 2e-3, visit)
print("theta after", epochs, "epochs of SGD:", sgd_path[-1])
print("least squares:                 ", theta_best)

sgd_losses = [gradient_descent.mse_loss(X_lin, y_lin, theta) for theta in sgd_path[::num_obs]]
fig, (ax_loss, ax_path) = plt.subplots(1, 2, figsize=(11, 4))
ax_loss.semilogy(np.arange(len(sgd_losses)), sgd_losses, "o-", label="SGD, after each epoch")
ax_loss.set_xlabel("epoch")
ax_loss.set_ylabel("MSE on all samples")
ax_loss.legend()
ax_loss.set_title("SGD: loss after each pass over the data")
for j, name in enumerate(("theta0", "theta1", "theta2")):
    line, = ax_path.plot(sgd_path[:, j], lw=0.6, label=name)
    ax_path.axhline(theta_best[j], color=line.get_color(), ls="--", lw=0.8)
ax_path.set_xlabel("step (one sample each)")
ax_path.set_title("SGD parameter path: noisy, but heading for least squares")
ax_path.legend()
plt.show()

# %% [grade] sgd

# %% [markdown] logistic_regression
# ## 8. Logistic regression
#
# For two classes, labelled $y \in \{0, 1\}$, logistic regression models the probability of class 1 as
# $p = \sigma(x \cdot k)$: one neuron again. Maximising the likelihood of the labels is the same as minimising the
# binary cross-entropy, or log loss,
#
# $$C(k) = \sum_{i=1}^m -y_i \log p_i - (1 - y_i) \log(1 - p_i), \qquad
# \nabla_k C = \sum_{i=1}^m (p_i - y_i)\, x_i = X^\top (\sigma(Xk) - y).$$
#
# `log_loss` reports the *mean* of these terms; `logistic_gradient` returns the gradient of the *sum*, as the
# lecture derives it. Training steps against it: $k \leftarrow k - \eta \, X^\top(\sigma(Xk) - y)$.
#
# Compute the loss from the logits $z = x \cdot k$, not from $p$. In float64, `sigmoid(40.0)` is exactly 1.0, and
# `np.log(1 - 1.0)` is `-inf`. The two terms can be rewritten as $\log(1 + e^{-z})$ and $\log(1 + e^{z})$, which
# `np.logaddexp` computes without overflow.

# %%
data_rng = np.random.default_rng(11)
num_points = 60
y_cls = data_rng.permutation(np.arange(num_points) % 2).astype(float)
points = (2.0 * y_cls[:, None] - 1.0) + data_rng.normal(size=(num_points, 2))
X_cls = np.column_stack([np.ones(num_points), points])

k_start = np.zeros(3)
print("log loss at k = 0:", gradient_descent.log_loss(X_cls, y_cls, k_start), "(log 2 = 0.6931)")
print("gradient at k = 0:", gradient_descent.logistic_gradient(X_cls, y_cls, k_start))
extreme_X = np.array([[1000.0], [-1000.0]])
print("log loss with logits of +-1000, both labels 1:",
      gradient_descent.log_loss(extreme_X, np.array([1.0, 1.0]), np.array([1.0])))

# %% [grade] log_loss

# %% [grade] logistic_gradient

# %%
k_trained, cls_losses = gradient_descent.logistic_regression(X_cls, y_cls, k_start, 0.05, 300)
accuracy = np.mean(gradient_descent.classify(X_cls, k_trained) == y_cls)
print("trained k:", k_trained, f"- training accuracy {accuracy:.1%}")

fig, (ax_loss, ax_data) = plt.subplots(1, 2, figsize=(11, 4))
ax_loss.plot(cls_losses)
ax_loss.set_xlabel("step")
ax_loss.set_ylabel("mean log loss before the step")
ax_loss.set_title("Logistic regression: loss curve")

for label, marker in ((0.0, "o"), (1.0, "s")):
    rows = y_cls == label
    ax_data.scatter(points[rows, 0], points[rows, 1], marker=marker, label=f"class {label:.0f}")
# the decision line is where k0 + k1 x1 + k2 x2 = 0, that is where the predicted probability is 0.5
x1_line = np.linspace(points[:, 0].min(), points[:, 0].max(), 2)
ax_data.plot(x1_line, -(k_trained[0] + k_trained[1] * x1_line) / k_trained[2], "k-", label="p = 0.5")
ax_data.set_xlabel("x1")
ax_data.set_ylabel("x2")
ax_data.set_title("Two classes and the learned decision line")
ax_data.legend()
plt.show()

# %% [grade] logistic_regression

# %% [markdown] before_submit
# ## Before you submit
#
# - Run `pytest` in this folder: every public check should pass.
# - Restart the kernel and run this notebook from top to bottom.
# - The grader runs your two `.py` files on hidden cases as well, so test them beyond the examples here.

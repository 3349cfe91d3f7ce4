# %% [markdown] intro
# # Assignment 3: backpropagation and training
# Assignment 2 ran a batch *forward* through a network. This assignment runs the error *backward*, to find how the
# loss changes with every weight, and then uses those gradients to train networks on three tasks:
#
# 1. `backprop.py`: the output layer's delta, a hidden layer's delta, one layer's gradients, then the whole
#    backward pass;
# 2. `training.py`: one gradient-descent update, one training step, and the training loop with its learning curves.
#
# Fill in each `TODO` in those two files, then run this notebook from top to bottom. The other modules are finished
# and given to you: `activations.py`, `losses.py` and `forward.py` (Assignment 2's answers), and `datasets.py`,
# which loads and makes the data. Every **graded part** has a cell that runs the part's public checks. The grader
# also runs hidden cases, so passing the public ones is necessary but not sufficient. You can also run `pytest` in
# this folder.
#
# As before, every array is float64 and **rows are samples**: a layer computes `Z = A_prev @ W + b`, with `W` of
# shape (D_in, D_out) and `b` of shape (D_out,).

# %%
%matplotlib inline
import importlib

import matplotlib.pyplot as plt
import numpy as np

import activations
import backprop
import datasets
import forward
import losses
import training

# Run this cell again after you edit a module, so the notebook sees your new code (training last: it uses the rest).
for module in (activations, losses, forward, datasets, backprop, training):
    importlib.reload(module)
np.set_printoptions(precision=6, suppress=True)

# %% [markdown] gradients
# ## 1. Where the gradients come from
# Take a network of L layers and a batch of N samples. Layer l computes
#
# - `Z_l = A_{l-1} @ W_l + b_l`, its pre-activation, of shape (N, D_l), with `A_0 = X`;
# - `A_l = f_l(Z_l)`, its activation, entry by entry.
#
# The loss `J` is the **mean** over the batch of one loss per sample: binary cross-entropy when the output layer is a
# sigmoid, cross-entropy when it is a softmax. Gradient descent needs `dJ/dW_l` and `dJ/db_l` for every layer.
#
# The chain rule gets them all from one array per layer, its **delta**: the gradient of the *summed* loss
# `N J = sum_n loss_n` with respect to that layer's pre-activation,
#
# `delta_l = d(N J) / dZ_l`, an (N, D_l) array.
#
# Row n of `delta_l` is how sample n's own loss moves with its own pre-activation: samples do not mix. That is why
# the delta is defined on the summed loss; the single division by N comes at the very end.
#
# **The output layer.** For one sample with a sigmoid output `a = sigmoid(z)` and label `y`, the loss is
# `-(y log a + (1 - y) log(1 - a))`. Its slope in `a` is `(a - y) / (a (1 - a))`, and the sigmoid's slope in `z` is
# `a (1 - a)`. Their product, the chain rule, cancels to
#
# `delta_L = A_L - Y`.
#
# A softmax output with cross-entropy gives exactly the same expression, row by row. This is why these two outputs
# go with these two losses. (With the squared error instead, the factor `a (1 - a)` stays, and learning stalls
# wherever the sigmoid saturates.)
#
# **A hidden layer.** `Z_{l+1} = A_l @ W_{l+1} + b_{l+1}`, so unit j of layer l reaches every unit k of layer l + 1
# through the weight `W_{l+1}[j, k]`, and its share of the error is `sum_k delta_{l+1}[:, k] W_{l+1}[j, k]`: for the
# whole layer at once, `delta_{l+1} @ W_{l+1}.T`. Then `A_l = f_l(Z_l)` entry by entry, which multiplies by the slope:
#
# `delta_l = (delta_{l+1} @ W_{l+1}.T) * f_l'(Z_l)`.
#
# The course notes write the same rule one unit at a time, `delta_j = (sum_k delta_k w_kj) f'(z_j)`, with the
# weights indexed (to, from); here W is (from, to), hence the transpose.
#
# **The parameters.** Sample n adds `A_{l-1}[n, i] * delta_l[n, j]` to the slope of the summed loss in `W_l[i, j]`,
# and `delta_l[n, j]` to the slope in `b_l[j]`. Summing over the samples and dividing by N for the mean:
#
# `dJ/dW_l = A_{l-1}.T @ delta_l / N` (shape (D_{l-1}, D_l), like W) and `dJ/db_l = mean of delta_l over the rows`.
#
# A quick way to catch a slip is to check shapes: each gradient has the shape of its parameter, and each delta the
# shape of its Z. The grader's cases use sizes that are all different, so a wrong transpose cannot hide.

# %%
Z_out = np.array([[2.0], [-1.0], [0.5]])
A_out = activations.sigmoid(Z_out)
Y = np.array([[1.0], [0.0], [0.0]])
print("A_out - Y:\n", backprop.output_delta(A_out, Y))

# %% [grade] output_delta


# %% [written] cross_entropy_delta
# With a sigmoid output and binary cross-entropy, the output layer's delta is simply `A - Y`: no derivative of the
# activation appears in it. Use the chain rule on one sample to show where the sigmoid's derivative went. Then
# explain why this pairing learns better than a sigmoid output trained with the squared error.

# %% [markdown] hidden_delta_hint
# Your `hidden_delta` takes the **name** of the layer's activation, and `activations.get(name)` gives you the pair
# (function, derivative). Take the derivative at `Z`, the pre-activation, never at `A = f(Z)` (see Assignment 2).

# %%
delta_next = np.array([[0.5], [-0.2]])       # (N, D_next) = (2, 1)
W_next = np.array([[1.0], [-2.0], [0.5]])    # (D, D_next) = (3, 1)
Z_hidden = np.array([[0.0, 1.0, -1.0], [2.0, 0.0, 0.5]])
print("hidden delta, shape (2, 3):\n", backprop.hidden_delta(delta_next, W_next, Z_hidden, "sigmoid"))

# %% [grade] hidden_delta

# %%
A_prev = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])   # (N, D_in) = (3, 2)
delta = np.array([[0.3, -0.1, 0.2], [0.0, 0.4, -0.2], [0.6, 0.0, 0.3]])  # (N, D_out) = (3, 3)
dW, db = backprop.layer_gradients(A_prev, delta)
print("dW, shape (2, 3):\n", dW)
print("db, shape (3,):", db)

# %% [grade] layer_gradients

# %% [markdown] backward_gradient_check
# ## 2. The backward pass, and a gradient check
# `backward` chains the three pieces: the output delta first, then, from the last layer to the first, the layer's
# gradients followed by the delta of the layer before it. It reads every `A_l` and `Z_l` from the cache the forward
# pass returns.
#
# How do you know your gradients are right? Compare them with **numerical** ones. Nudge one weight by a small `h` up
# and down, and measure the loss both times:
#
# `dJ/dw ~ (J(w + h) - J(w - h)) / 2h`.
#
# This centred difference is accurate to about `h^2`. With `h = 1e-5` in float64, correct code agrees with it to a
# **relative error** `|a - n| / (|a| + |n|)` far below `1e-6`; the classic bugs give errors of 0.1 and more. The
# grader runs this check on every function you write in `backprop.py`.

# %%
def numerical_gradient(f, x, h=1e-5):
    """Centred differences of the scalar function f at the array x (x is left unchanged)."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + h
        plus = f(x)
        x[index] = saved - h
        minus = f(x)
        x[index] = saved
        grad[index] = (plus - minus) / (2 * h)
    return grad


def relative_error(a, n):
    return float(np.max(np.abs(a - n) / np.maximum(1e-8, np.abs(a) + np.abs(n))))


rng = np.random.default_rng(0)
X_check = rng.normal(size=(6, 3))
Y_check = rng.integers(0, 2, size=(6, 1)).astype(np.float64)
acts_check = ["tanh", "sigmoid"]
params_check = datasets.init_params([3, 4, 1], rng)

_, cache = forward.forward_pass(X_check, params_check, acts_check)
grads = backprop.backward(Y_check, params_check, cache, acts_check)


def loss_with(layer, slot, value):
    """The mean loss when parameter `slot` (0 for W, 1 for b) of `layer` is replaced by `value`."""
    changed = [list(pair) for pair in params_check]
    changed[layer][slot] = value
    A = forward.predict(X_check, changed, acts_check)
    return training.mean_loss(A, Y_check, acts_check[-1])


for layer, (dW, db) in enumerate(grads):
    for slot, (name, analytic) in enumerate((("W", dW), ("b", db))):
        numeric = numerical_gradient(lambda v: loss_with(layer, slot, v), params_check[layer][slot])
        print(f"layer {layer + 1} d{name}: relative error {relative_error(analytic, numeric):.1e}")

# %% [markdown] bug_example
# To see what a bug looks like, here is the first layer's weight gradient with the tanh derivative left out, a
# common slip. The last layer's gradient would still be right, which is why a check must cover every layer.

# %%
A, Z = cache["A"], cache["Z"]
delta_out = A[-1] - Y_check
no_slope = (delta_out @ params_check[1][0].T)          # the factor f'(Z_1) is missing
dW1_bug = A[0].T @ no_slope / X_check.shape[0]
dW1_numeric = numerical_gradient(lambda v: loss_with(0, 0, v), params_check[0][0])
print(f"layer 1 dW without f'(Z): relative error {relative_error(dW1_bug, dW1_numeric):.2f}")

# %% [grade] backward

# %% [markdown] gradient_descent
# ## 3. Gradient descent
# One update moves every parameter a small step **against** its gradient:
#
# `W <- W - learning_rate * dW`, `b <- b - learning_rate * db`.
#
# `gd_step` returns new arrays and leaves the old ones alone, so you can start two runs from the same parameters.
#
# `train_step` is one whole step on a batch: forward pass, loss, backward pass, update. Compute **every** gradient
# from the same, old parameters before you change any of them. Updating a layer as soon as its gradient is known
# feeds the new weights into the delta of the layer below: at a small learning rate the damage is tiny, which is
# exactly why it slips through loose tests. The grader checks one step at a learning rate of 0.5 and more, with a
# tight tolerance.

# %% [grade] gd_step

# %% [grade] train_step

# %% [markdown] training_loop
# ## 4. The training loop
# An **epoch** shows the network every training sample once. `train` either takes one step on the whole set per
# epoch (full-batch gradient descent, `batch_size=None`), or shuffles the samples with `rng.permutation(N)` and takes
# one step per mini-batch. After each epoch it measures the loss and the accuracy of the updated network on the
# whole training set: these are the learning curves.
#
# `plot_loss_accuracy` draws them.

# %%
def plot_loss_accuracy(history, title=""):
    """Loss and accuracy per epoch, side by side, from the history dict that training.train returns."""
    epochs = np.arange(1, len(history["loss"]) + 1)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 3.2))
    ax_loss.plot(epochs, history["loss"])
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("mean loss")
    ax_loss.set_yscale("log")
    ax_acc.plot(epochs, history["accuracy"], color="tab:green")
    ax_acc.set_xlabel("epoch")
    ax_acc.set_ylabel("accuracy")
    ax_acc.set_ylim(-0.02, 1.02)
    fig.suptitle(title)
    plt.tight_layout()
    plt.show()

# %% [grade] train

# %% [markdown] xor
# ## 5. XOR: who comes to the film?
# Three friends A, B and C may come to the cinema; D comes exactly when one of A and B comes, and C makes no
# difference: `D = A xor B`. No single neuron can learn this (Assignment 1). A hidden layer of four sigmoid units can.
#
# The table has all 8 rows. The graded run trains a 3-4-1 sigmoid network, full batch, at learning rate 5 for 300
# epochs, from fixed initial parameters, and then every row's output must be within 0.1 of its target.

# %%
X_xor, y_xor = datasets.load_xor("data/xor.csv")
print(" A  B  C | D")
for row, target in zip(X_xor, y_xor):
    print(" " + "  ".join(str(int(v)) for v in row) + f" | {int(target[0])}")

acts_xor = ["sigmoid", "sigmoid"]
params_xor = datasets.init_params([3, 4, 1], np.random.default_rng(1))
trained_xor, history_xor = training.train(X_xor, y_xor, params_xor, acts_xor, learning_rate=5.0, epochs=300)
plot_loss_accuracy(history_xor, "XOR, 3-4-1 sigmoid network")

outputs = forward.predict(X_xor, trained_xor, acts_xor)
print("outputs:", outputs.ravel().round(3))
print(f"largest error: {np.max(np.abs(outputs - y_xor)):.4f}")

# %% [grade] xor


# %% [written] random_init
# `datasets.init_params` draws the initial weights at random. Suppose instead that every weight of the XOR network,
# in both layers, started at the same value, say 0.5, with zero biases. What would the four hidden units compute, what
# gradients would they receive, and what would that mean for the trained network?

# %% [markdown] diamond
# ## 6. The diamond
# Points lie uniformly in the square [-1, 1]^2; a point is class 1 inside the diamond `|x1| + |x2| < 1`. The class
# boundary has four edges, so logistic regression (one straight line) gets about half the points right. A hidden
# layer of 8 tanh units can draw all four edges.
#
# The network trains on 1000 points and is judged on 5000 points it never saw. The graded run: full batch, learning
# rate 1, 1000 epochs, and at least 95% of the held-out points right.

# %%
X_train, y_train = datasets.load_csv("data/diamond_train.csv")
X_test, y_test = datasets.load_csv("data/diamond_test.csv")
acts_diamond = ["tanh", "sigmoid"]
params_diamond = datasets.init_params([2, 8, 1], np.random.default_rng(4))
trained_diamond, history_diamond = training.train(X_train, y_train, params_diamond, acts_diamond,
                                                  learning_rate=1.0, epochs=1000)
plot_loss_accuracy(history_diamond, "diamond, 2-8-1 tanh network (training set)")
test_accuracy = training.accuracy(forward.predict(X_test, trained_diamond, acts_diamond), y_test)
print(f"held-out accuracy: {test_accuracy:.4f}")

# %%
grid = np.linspace(-1.1, 1.1, 221)
g1, g2 = np.meshgrid(grid, grid)
scores = forward.predict(np.column_stack([g1.ravel(), g2.ravel()]), trained_diamond, acts_diamond).reshape(g1.shape)

fig, ax = plt.subplots(figsize=(5.5, 5.5))
ax.contourf(g1, g2, scores >= 0.5, levels=[-0.5, 0.5, 1.5], colors=["#f6dcc4", "#c9c6ec"])
shown = slice(0, 600)
inside = y_test[shown, 0] == 1
ax.plot(X_test[shown][inside, 0], X_test[shown][inside, 1], "o", markersize=3, color="darkslateblue",
        label="class 1 (inside)")
ax.plot(X_test[shown][~inside, 0], X_test[shown][~inside, 1], "x", markersize=3, color="chocolate",
        label="class 0 (outside)")
ax.plot([1, 0, -1, 0, 1], [0, 1, 0, -1, 0], "k--", linewidth=1, label="|x1| + |x2| = 1")
ax.set_xlabel("x1")
ax.set_ylabel("x2")
ax.set_aspect("equal")
ax.set_title("decision regions of the trained network")
ax.legend(loc="lower left", fontsize=7)
plt.show()

# %% [grade] diamond


# %% [written] diamond_hidden_units
# Look at the decision regions of your trained 2-8-1 network above. Describe the shape of the boundary, and explain
# what each of the 8 hidden tanh units contributes to it. Why can a network without a hidden layer (logistic
# regression) not draw this boundary?

# %% [markdown] beans
# ## 7. Toxic beans
# The course notes' bean-toxicity data: a bean's size against whether it is toxic. Small beans are harmless, and so
# are large ones; only middle-sized beans are toxic. One sigmoid neuron draws a single step up (or down), so it can
# never fit a bump. Two hidden sigmoids can: each draws one step, placed at one edge of the toxic band, and the
# output neuron weighs the two steps against each other so that only the sizes between them come out toxic.
#
# This part is not graded: it trains a 1-2-1 sigmoid network with your `train()`, then draws the fitted curve over
# the data and the two hidden units' steps underneath.

# %%
x_beans, y_beans = datasets.load_csv("data/beans.csv")
acts_beans = ["sigmoid", "sigmoid"]
params_beans = datasets.init_params([1, 2, 1], np.random.default_rng(0))
trained_beans, history_beans = training.train(x_beans, y_beans, params_beans, acts_beans,
                                              learning_rate=5.0, epochs=2000)
print(f"final training accuracy: {history_beans['accuracy'][-1]:.2f}")

sizes = np.linspace(0.0, 2.0, 401).reshape(-1, 1)
curve, beans_cache = forward.forward_pass(sizes, trained_beans, acts_beans)
fig, (ax_fit, ax_hidden) = plt.subplots(1, 2, figsize=(11, 3.5))
ax_fit.scatter(x_beans[:, 0], y_beans[:, 0], s=12, label="beans")
ax_fit.plot(sizes[:, 0], curve[:, 0], color="tab:red", label="network output")
ax_fit.set_xlabel("bean size")
ax_fit.set_ylabel("toxicity")
ax_fit.legend(loc="upper right")
for unit in range(2):
    ax_hidden.plot(sizes[:, 0], beans_cache["A"][1][:, unit], label=f"hidden unit {unit + 1}")
ax_hidden.set_xlabel("bean size")
ax_hidden.set_ylabel("hidden activation")
ax_hidden.legend(loc="center right")
plt.tight_layout()
plt.show()

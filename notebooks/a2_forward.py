# %% [markdown] intro
# # Assignment 2: activations, softmax, losses and the forward pass
# In Assignment 1 a single neuron computed `sigmoid(x @ w + b)`. A network stacks many of them in layers, and
# this assignment builds everything one pass through such a network needs:
#
# 1. `activations.py`: four activation functions and their derivatives;
# 2. `losses.py`: softmax, one-hot labels, cross-entropy and binary cross-entropy;
# 3. `forward.py`: one dense layer, then the whole forward pass.
#
# Fill in each `TODO` in those files, then run this notebook from top to bottom. Every **graded part** has a cell
# that runs the part's public checks and prints what passed. The grader runs hidden cases as well, so passing the
# public ones is necessary but not sufficient. You can also run `pytest` in this folder.
#
# Conventions used throughout the kit: every array is float64, and **rows are samples**. A batch of N inputs with
# D features is an (N, D) array.

# %%
%matplotlib inline
import importlib

import matplotlib.pyplot as plt
import numpy as np

import activations
import forward
import losses

# Run this cell again after you edit a module, so the notebook sees your new code (forward last: it uses the others).
for module in (activations, losses, forward):
    importlib.reload(module)
np.set_printoptions(precision=8, suppress=True)

# %% [markdown] activations
# ## 1. Activation functions
# A layer first computes a weighted sum, its **pre-activation** `z = a_prev @ W + b`, and then passes each entry
# through a non-linear function `a = f(z)`, its **activation**. Without the non-linearity, two layers would
# collapse into one: `(x @ W1) @ W2` is just `x @ (W1 @ W2)`, a single linear map.
#
# | name | f(z) | range | notes |
# |---|---|---|---|
# | sigmoid | 1 / (1 + e^(-z)) | (0, 1) | reads as a probability; flat (saturated) for large \|z\| |
# | tanh | (e^z - e^(-z)) / (e^z + e^(-z)) | (-1, 1) | centred on 0; equal to 2 sigmoid(2z) - 1 |
# | ReLU | max(0, z) | [0, inf) | cheap, does not saturate for z > 0 |
# | leaky ReLU | z if z > 0, else alpha z | all reals | keeps a small slope alpha for z < 0 |
#
# Two things to watch:
# - **Overflow.** `np.exp(-z)` at z = -1000 is `exp(1000)`, which is inf in float64, and numpy warns. The
#   answer 0 is still representable: rewrite the formula so that `exp` only ever sees a number <= 0. Your sigmoid
#   and tanh must stay silent at z = +-1000.
# - **A bug in circulating notes.** Some course notes show a leaky ReLU written as `np.where(z > 0, 1, alpha * z)`.
#   That `1` is the *slope* for positive z; the *value* there is z itself. The grader recognises this one.

# %%
z = np.linspace(-4.0, 4.0, 401)
fig, axes = plt.subplots(1, 4, figsize=(14, 3), sharex=True)
curves = [("sigmoid", activations.sigmoid(z)), ("tanh", activations.tanh(z)), ("ReLU", activations.relu(z)),
          ("leaky ReLU, alpha = 0.1", activations.leaky_relu(z, alpha=0.1))]
for ax, (title, values) in zip(axes, curves):
    ax.plot(z, values)
    ax.axhline(0.0, color="grey", linewidth=0.5)
    ax.axvline(0.0, color="grey", linewidth=0.5)
    ax.set_title(title)
    ax.set_xlabel("z")
plt.tight_layout()
plt.show()

print("sigmoid at -1000, 0, 1000:", activations.sigmoid(np.array([-1000.0, 0.0, 1000.0])))
print("tanh at -1000, 0, 1000:   ", activations.tanh(np.array([-1000.0, 0.0, 1000.0])))

# %% [grade] activations

# %% [markdown] derivatives
# ## 2. Derivatives, and why they take z
# Backpropagation (Assignment 3) multiplies the gradient arriving at a layer's output by the slope of its
# activation, `f'(z)`, at that layer's own pre-activation. The slopes are:
#
# | name | f'(z) |
# |---|---|
# | sigmoid | sigmoid(z) (1 - sigmoid(z)) |
# | tanh | 1 - tanh(z)^2 |
# | ReLU | 1 if z > 0, else 0 (the kink at 0 has no slope; this kit uses 0 there) |
# | leaky ReLU | 1 if z > 0, else alpha (this kit uses alpha at 0) |
#
# The sigmoid and tanh formulas are written in terms of the *output* `a = f(z)`: the sigmoid's slope is `a (1 - a)`.
# That invites a classic mistake: passing `a` where `z` belongs, or computing `z * (1 - z)` inside the function.
# In this kit **every derivative function takes z**, the same value the forward pass stores as `Z` in its cache.
#
# The cell below compares three candidate slopes of the sigmoid at z = 2 with a numerical slope, the centred
# difference `(f(z + h) - f(z - h)) / 2h`.

# %%
z0, h = 2.0, 1e-5
a0 = activations.sigmoid(z0)
numerical = (activations.sigmoid(z0 + h) - activations.sigmoid(z0 - h)) / (2 * h)
print(f"numerical slope at z = 2:          {numerical:.8f}")
print(f"sigmoid_prime(z):                  {activations.sigmoid_prime(z0):.8f}   <- the right call")
print(f"sigmoid_prime(a), a = sigmoid(z):  {activations.sigmoid_prime(a0):.8f}   <- the slope at the wrong point")
print(f"z * (1 - z):                       {z0 * (1 - z0):.8f}   <- the formula fed with z as if it were a")

# %% [markdown] relu_hides_the_mistake
# With ReLU the mistake hides: `relu(z) > 0` exactly when `z > 0`, so `relu_prime(relu(z))` equals `relu_prime(z)`.
# Swap ReLU for tanh and the same network silently learns wrong. Passing z always is the only habit that is safe for
# every activation.
#
# The plots show each derivative as a line, and numerical slopes of the activation as dots. Where they agree, your
# derivative is right.

# %%
z = np.linspace(-4.0, 4.0, 401)
dots = np.linspace(-3.75, 3.75, 16)  # never exactly 0, where ReLU has no slope
fig, axes = plt.subplots(1, 4, figsize=(14, 3), sharex=True)
pairs = [("sigmoid'", activations.sigmoid, activations.sigmoid_prime),
         ("tanh'", activations.tanh, activations.tanh_prime),
         ("ReLU'", activations.relu, activations.relu_prime),
         ("leaky ReLU', alpha = 0.1", lambda v: activations.leaky_relu(v, alpha=0.1),
          lambda v: activations.leaky_relu_prime(v, alpha=0.1))]
for ax, (title, f, f_prime) in zip(axes, pairs):
    ax.plot(z, f_prime(z), label="derivative")
    ax.plot(dots, (f(dots + h) - f(dots - h)) / (2 * h), "o", markersize=4, label="numerical")
    ax.set_title(title)
    ax.set_xlabel("z")
axes[0].legend(loc="upper left", fontsize=8)
plt.tight_layout()
plt.show()

print("relu_prime at -1, 0, 1:      ", activations.relu_prime(np.array([-1.0, 0.0, 1.0])))
print("leaky_relu_prime at -1, 0, 1:", activations.leaky_relu_prime(np.array([-1.0, 0.0, 1.0])))

# %% [markdown] activation_lookup
# `activations.py` also gives you `ACTIVATIONS`, a dictionary from a name to the pair (function, derivative), and
# `get(name)`, which looks a name up and rejects unknown ones. The forward pass uses it to turn the names of the
# layers' activations into functions.

# %%
f, f_prime = activations.get("tanh")
print(sorted(activations.ACTIVATIONS), "->", f.__name__, f_prime.__name__)

# %% [grade] derivatives


# %% [written] derivative_at_z
# The sigmoid's slope is often written as `a (1 - a)`, with `a = sigmoid(z)`, yet every derivative function in this kit
# takes z. Explain why backpropagation needs the slope at z, what goes wrong when a is passed instead (the cell in
# Section 2 shows the numbers at z = 2), and why the same mistake goes unnoticed with ReLU.

# %% [markdown] softmax
# ## 3. Softmax
# For C classes, the last layer produces C scores per sample, the **logits** `o`. Softmax turns them into a
# probability distribution:
#
# softmax(o)_j = exp(o_j) / sum_k exp(o_k)
#
# Every output lies in (0, 1), each row sums to 1, and the largest logit gets the largest probability, so the
# predicted class is the same whether you take the argmax of the logits or of the probabilities.
#
# For a batch, the logits form an (N, C) array and softmax works **row by row**: one distribution per sample.
# Normalising over the columns or over the whole array still gives numbers between 0 and 1, but not N
# distributions.
#
# **Stability.** Adding the same constant to every logit of a row multiplies each `exp` by the same factor, which
# cancels in the division. So subtracting the row's maximum changes nothing mathematically, and afterwards the
# largest value `exp` sees is `exp(0) = 1`. Without it, logits of 1000 overflow:

# %%
logits = np.array([1000.0, 1001.0, 999.0])
with np.errstate(over="ignore", invalid="ignore"):  # numpy would otherwise print the overflow warnings
    naive = np.exp(logits) / np.exp(logits).sum()
print("naive formula:", naive)
print("your softmax: ", losses.softmax(logits))
print("same logits shifted by -1000:", losses.softmax(logits - 1000.0))

# %%
batch = np.array([[2.0, 1.0, 0.1], [0.0, 0.0, 0.0], [-1.0, 3.0, 0.5], [1000.0, 998.0, 999.0]])  # N = 4, C = 3
probs = losses.softmax(batch)
print(probs)
print("row sums:", probs.sum(axis=1))

# %% [grade] softmax


# %% [written] softmax_shift
# Your softmax subtracts each row's largest logit before it calls `np.exp`. Explain why this leaves the probabilities
# unchanged, what it prevents, and why the maximum is taken row by row rather than over the whole batch.

# %% [markdown] one_hot_losses
# ## 4. One-hot labels and the losses
# Class labels are integers 0 .. C - 1. To compare them with a softmax output, write each label as a **one-hot**
# row: a 1 in the label's column and 0 elsewhere. The batch's labels become an (N, C) array `Y`.
#
# **Cross-entropy.** The cross-entropy of a target distribution P and a prediction Q is H(P, Q) = -sum_j P(j) log
# Q(j). With a one-hot target only the true class survives, so a sample's loss is -log(probability given to the
# true class): 0 when that probability is 1, log C for a uniform guess, and without bound as it approaches 0. The
# loss of a batch is the **mean** over its N samples, so that its size (and the gradient's, and a good learning
# rate) does not depend on the batch size.
#
# **Binary cross-entropy.** With two classes one sigmoid output `a` is enough: it is the probability of class 1.
# A sample's loss is -(y log a + (1 - y) log(1 - a)), the negative log-likelihood from logistic regression in
# Assignment 1, averaged over the batch.
#
# **Stability.** A saturated sigmoid returns exactly 1.0 (already at z = 37), and a softmax can return exactly 0.0,
# and log(0) is -inf. Even `0 * log(0)` is nan, not 0. Clip the probabilities away from 0 and 1 before taking logs.

# %%
labels = np.array([0, 2, 1, 2])
Y = losses.one_hot(labels, 3)
print(Y)

confident = np.array([[0.98, 0.01, 0.01], [0.01, 0.01, 0.98], [0.01, 0.98, 0.01], [0.01, 0.01, 0.98]])
uniform = np.full((4, 3), 1.0 / 3.0)
print(f"confident and right: {losses.cross_entropy(confident, Y):.4f}")
print(f"uniform guess:       {losses.cross_entropy(uniform, Y):.4f}   (log 3 = {np.log(3):.4f})")
print(f"confident and wrong: {losses.cross_entropy(confident[::-1], Y):.4f}")
with_zeros = np.array([[1.0, 0.0, 0.0], [0.0, 0.5, 0.5], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
print(f"exact 0s and 1s:     {losses.cross_entropy(with_zeros, Y):.4f}   (log 2 / 4 = {np.log(2) / 4:.4f})")

a = np.array([0.0, 1.0, 0.8, 0.3])
y = np.array([0.0, 1.0, 1.0, 0.0])
print(f"binary cross-entropy: {losses.binary_cross_entropy(a, y):.4f}")

# %% [grade] losses

# %% [markdown] forward_pass
# ## 5. The forward pass
# Layer l takes the previous activations A_(l-1), of shape (N, D_(l-1)), and computes
#
# Z_l = A_(l-1) @ W_l + b_l,   A_l = f_l(Z_l)
#
# where W_l has shape (D_(l-1), D_l) and b_l has shape (D_l,); numpy adds b_l to every row. The input is A_0 = X.
# Because rows are samples, a batch goes through in one matrix product per layer, with no loop over samples.
#
# `forward_pass(X, params, activations)` takes `params` as a list of (W_l, b_l) and `activations` as a list of
# names, one per layer. Softmax is allowed only on the last layer. Besides the output it returns a **cache**:
# `{"A": [X, A_1, ..., A_L], "Z": [Z_1, ..., Z_L]}`. Backpropagation will need every one of these arrays.
#
# The lecture's worked example is a 3-4-4-3 network: sigmoid on both hidden layers, softmax on the output, and zero
# biases. Its weights are below. For the input [0.5, 0.8, 0.2] it printed the distribution
# [0.72780576, 0.26927918, 0.00291506].

# %%
W_1 = np.array([[2, -1, 1, 4], [-1, 2, -3, 1], [3, -2, -1, 5]], dtype=np.float64)  # 3 x 4
W_2 = np.array([[3, 1, -2, 1], [-2, 4, 1, -4], [-1, -3, 2, -5], [3, 1, 1, 1]], dtype=np.float64)  # 4 x 4
W_3 = np.array([[-1, 3, -2], [1, -1, -3], [3, -2, 2], [1, 2, 1]], dtype=np.float64)  # 4 x 3
params = [(W_1, np.zeros(4)), (W_2, np.zeros(4)), (W_3, np.zeros(3))]
names = ["sigmoid", "sigmoid", "softmax"]

x_in = np.array([[0.5, 0.8, 0.2]])  # one sample is a batch of one: shape (1, 3)
y_out, cache = forward.forward_pass(x_in, params, names)
print("y_out:", y_out)
print("Z_1:  ", cache["Z"][0], "  (lecture: 0.8, 0.7, -2.1, 3.8)")
print("A_1:  ", cache["A"][1])

# %% [markdown] lecture_batch
# The same weights on a batch of 7 samples give one distribution per row. The lecture printed these rows:

# %%
x_mat_in = np.array([[0.5, 0.8, 0.2], [0.1, 0.9, 0.6], [0.2, 0.2, 0.3], [0.6, 0.1, 0.9], [0.5, 0.5, 0.4],
                     [0.9, 0.1, 0.9], [0.1, 0.8, 0.7]])  # 7 x 3
lecture_y_out = np.array([[0.72780576, 0.26927918, 0.00291506], [0.62054212, 0.37682531, 0.00263257],
                          [0.69267581, 0.30361576, 0.00370844], [0.36618794, 0.63016955, 0.00364252],
                          [0.57199769, 0.42519820, 0.00280411], [0.38373781, 0.61163804, 0.00462415],
                          [0.52510443, 0.47250110, 0.00239447]])
y_batch, cache = forward.forward_pass(x_mat_in, params, names)
print(y_batch)
print("largest difference from the lecture:", np.abs(y_batch - lecture_y_out).max())
print("cache shapes: A", [A.shape for A in cache["A"]], " Z", [Z.shape for Z in cache["Z"]])
print("predicted classes:", forward.predict(x_mat_in, params, names).argmax(axis=1))

# %% [markdown] lecture_biases
# The lecture's biases are zero, so a forgotten bias would go unnoticed in this example. The grader's hidden cases
# use non-zero biases, and layers of different sizes, where a transposed weight matrix cannot go unnoticed either.

# %% [grade] forward

"""Assignment 3's classic bugs: the deltas, the gradients, backpropagation, the updates and the training loop."""
from . import Alternative, Mutant

BACKPROP, TRAINING = "backprop.py", "training.py"
OUTPUT = "    return A_out - Y\n"
HIDDEN = ("    return (np.asarray(delta_next, dtype=np.float64) @ np.asarray(W_next, dtype=np.float64).T)"
          " * f_prime(Z)\n")
GRADS = "    return A_prev.T @ delta / A_prev.shape[0], delta.mean(axis=0)\n"
WALK = ("    for layer in range(len(params) - 1, -1, -1):\n"
        "        grads[layer] = layer_gradients(A[layer], delta)\n"
        "        if layer > 0:\n"
        "            delta = hidden_delta(delta, params[layer][0], Z[layer - 1], activations[layer - 1])\n"
        "    return grads\n")
UPDATE = "    return [(W - learning_rate * dW, b - learning_rate * db) for (W, b), (dW, db) in zip(params, grads)]\n"
STEP = ("    A_out, cache = forward_pass(X, params, activations)\n"
        "    loss = mean_loss(A_out, Y, activations[-1])\n"
        "    grads = backward(Y, params, cache, activations)\n"
        "    return gd_step(params, grads, learning_rate), loss\n")
STEP_EARLY = ("    A_out, cache = forward_pass(X, params, activations)\n"
              "    loss = mean_loss(A_out, Y, activations[-1])\n"
              "    params = list(params)\n"
              "    delta = output_delta(A_out, Y)\n"
              "    for layer in range(len(params) - 1, -1, -1):\n"
              "        dW, db = layer_gradients(cache[\"A\"][layer], delta)\n"
              "        W, b = params[layer]\n"
              "        params[layer] = (W - learning_rate * dW, b - learning_rate * db)\n"
              "        if layer > 0:\n"
              "            delta = hidden_delta(delta, params[layer][0], cache[\"Z\"][layer - 1], activations[layer - 1])\n"
              "    return params, loss\n")
LOOP = ("    for epoch in range(epochs):\n"
        "        if batch_size is None:\n"
        "            params, _ = train_step(X, Y, params, activations, learning_rate)\n"
        "        else:\n"
        "            order = rng.permutation(n)\n"
        "            for start in range(0, n, batch_size):\n"
        "                batch = order[start:start + batch_size]\n"
        "                params, _ = train_step(X[batch], Y[batch], params, activations, learning_rate)\n")
MEASURE = ("        A_out = predict(X, params, activations)\n"
           "        history[\"loss\"][epoch] = mean_loss(A_out, Y, activations[-1])\n"
           "        history[\"accuracy\"][epoch] = accuracy(A_out, Y)\n")


def _loop(old, new):
    return {TRAINING: [(LOOP, LOOP.replace(old, new))]}


MUTANTS = (
    # -- the output delta
    Mutant("output delta averaged", "output_delta", {BACKPROP: [(OUTPUT, "    return (A_out - Y) / A_out.shape[0]\n")]},
           "delta_averaged"),
    Mutant("output delta sign", "output_delta", {BACKPROP: [(OUTPUT, "    return Y - A_out\n")]}, "delta_sign"),
    Mutant("output delta with the sigmoid's slope", "output_delta", {BACKPROP: [(OUTPUT, (
        "    return (A_out - Y) * A_out * (1 - A_out)\n"))]}, "delta_extra_slope"),
    Mutant("output delta as dL/dA", "output_delta", {BACKPROP: [(OUTPUT, (
        "    return -(Y / A_out - (1 - Y) / (1 - A_out))\n"))]}, "delta_of_a"),
    # -- a hidden delta
    Mutant("hidden delta without f'(Z)", "hidden_delta", {BACKPROP: [(HIDDEN, HIDDEN.replace(" * f_prime(Z)", ""))]},
           "no_derivative"),
    Mutant("hidden delta with f'(A)", "hidden_delta", {BACKPROP: [
        ("    _, f_prime = get(activation)", "    f, f_prime = get(activation)"),
        (HIDDEN, HIDDEN.replace("f_prime(Z)", "f_prime(f(Z))"))]}, "derivative_of_a"),
    Mutant("hidden delta through a second sigmoid (seed 004)", "hidden_delta", {BACKPROP: [
        ("from activations import get\n", "from activations import get, sigmoid_prime\n"),
        ("    _, f_prime = get(activation)", "    f, f_prime = get(activation)"),
        (HIDDEN, "    return delta_next * sigmoid_prime(f(Z)) * f_prime(Z)\n")]}, "sigmoid_twice"),
    Mutant("hidden delta with Z * (1 - Z)", "hidden_delta", {BACKPROP: [(HIDDEN, HIDDEN.replace(
        " * f_prime(Z)", " * Z * (1 - Z)"))]}, "slope_formula_on_z"),
    Mutant("hidden delta with W not transposed", "hidden_delta", {BACKPROP: [(HIDDEN, HIDDEN.replace(
        "dtype=np.float64).T)", "dtype=np.float64))"))]}, "w_not_transposed"),
    Mutant("hidden delta with * for @", "hidden_delta", {BACKPROP: [(HIDDEN, HIDDEN.replace(
        "dtype=np.float64) @ np.asarray(W_next", "dtype=np.float64) * np.asarray(W_next"))]},
        "elementwise_not_matmul"),
    Mutant("hidden delta with the sigmoid's slope always", "hidden_delta", {BACKPROP: [
        ("from activations import get\n", "from activations import get, sigmoid_prime\n"),
        (HIDDEN, HIDDEN.replace("f_prime(Z)", "sigmoid_prime(Z)"))]}, "sigmoid_slope_always"),
    Mutant("hidden delta with f(Z) for f'(Z)", "hidden_delta", {BACKPROP: [
        ("    _, f_prime = get(activation)", "    f_prime, _ = get(activation)")]}, "activation_for_slope"),
    Mutant("hidden delta calling get's pair", "hidden_delta", {BACKPROP: [
        ("    _, f_prime = get(activation)", "    f_prime = get(activation)")]}, "get_not_unpacked"),
    # -- a layer's gradients
    Mutant("gradients summed", "layer_gradients", {BACKPROP: [(GRADS, "    return A_prev.T @ delta, delta.sum(axis=0)\n")]},
           "no_average"),
    Mutant("dW transposed", "layer_gradients", {BACKPROP: [(GRADS, GRADS.replace("A_prev.T @ delta", "delta.T @ A_prev"))]},
           "transpose"),
    Mutant("db over the wrong axis", "layer_gradients", {BACKPROP: [(GRADS, GRADS.replace("axis=0", "axis=1"))]},
           "bias_axis"),
    Mutant("db averaged twice", "layer_gradients", {BACKPROP: [(GRADS, GRADS.replace(
        "delta.mean(axis=0)", "delta.mean(axis=0) / A_prev.shape[0]"))]}, "bias_averaged_twice"),
    Mutant("db summed", "layer_gradients", {BACKPROP: [(GRADS, GRADS.replace("delta.mean(axis=0)", "delta.sum(axis=0)"))]},
           "bias_not_averaged"),
    Mutant("dW without A_prev.T", "layer_gradients", {BACKPROP: [(GRADS, GRADS.replace("A_prev.T @", "A_prev @"))]},
           "weights_no_transpose"),
    Mutant("dW summed, db averaged", "layer_gradients", {BACKPROP: [(GRADS, GRADS.replace(
        "A_prev.T @ delta / A_prev.shape[0]", "A_prev.T @ delta"))]}, "weights_not_averaged"),
    Mutant("db with keepdims", "layer_gradients", {BACKPROP: [(GRADS, GRADS.replace(
        "delta.mean(axis=0)", "delta.mean(axis=0, keepdims=True)"))]}, "bias_keepdims"),
    # -- the whole backward pass
    Mutant("backward with the layer below's W", "backward", {BACKPROP: [(WALK, WALK.replace(
        "params[layer][0]", "params[layer - 1][0]"))]}, "wrong_layer_weights"),
    Mutant("backward with the layer's own output as input", "backward", {BACKPROP: [(WALK, WALK.replace(
        "layer_gradients(A[layer], delta)", "layer_gradients(A[layer + 1], delta)"))]}, "wrong_layer_inputs"),
    Mutant("backward gradients in reverse order", "backward", {BACKPROP: [(WALK, (
        "    grads = []\n"
        "    for layer in range(len(params) - 1, -1, -1):\n"
        "        grads.append(layer_gradients(A[layer], delta))\n"
        "        if layer > 0:\n"
        "            delta = hidden_delta(delta, params[layer][0], Z[layer - 1], activations[layer - 1])\n"
        "    return grads\n"))]}, "gradients_reversed"),
    Mutant("backward skips the first layer", "backward", {BACKPROP: [(WALK, WALK.replace(
        "range(len(params) - 1, -1, -1)", "range(len(params) - 1, 0, -1)"))]}, "first_layer_skipped"),
    Mutant("backward with the layer above's Z", "backward", {BACKPROP: [(WALK, WALK.replace(
        "Z[layer - 1], activations[layer - 1]", "Z[layer], activations[layer]"))]}, "wrong_layer_slope"),
    Mutant("backward with the layer's own activation", "backward", {BACKPROP: [(WALK, WALK.replace(
        "Z[layer - 1], activations[layer - 1]", "Z[layer - 1], activations[layer]"))]}, "wrong_layer_activation"),
    Mutant("backward with A[layer - 1] as input", "backward", {BACKPROP: [(WALK, WALK.replace(
        "layer_gradients(A[layer], delta)", "layer_gradients(A[layer - 1], delta)"))]}, "wrong_layer_inputs"),
    # -- the update
    Mutant("update uphill", "gd_step", {TRAINING: [(UPDATE, UPDATE.replace("W - learning_rate * dW, b - learning_rate",
                                                                        "W + learning_rate * dW, b + learning_rate"))]},
           "update_sign"),
    Mutant("bias not updated", "gd_step", {TRAINING: [(UPDATE, UPDATE.replace("b - learning_rate * db", "b"))]},
           "bias_not_updated"),
    Mutant("bias step without the learning rate", "gd_step", {TRAINING: [(UPDATE, UPDATE.replace(
        "b - learning_rate * db", "b - db"))]}, "bias_no_learning_rate"),
    Mutant("bias step with dW", "gd_step", {TRAINING: [(UPDATE, UPDATE.replace("b - learning_rate * db",
                                                                                "b - learning_rate * dW"))]},
           "bias_with_dw"),
    Mutant("update in place", "gd_step", {TRAINING: [(UPDATE, (
        "    for (W, b), (dW, db) in zip(params, grads):\n"
        "        W -= learning_rate * dW\n"
        "        b -= learning_rate * db\n"
        "    return params\n"))]}, "in_place"),
    # -- one training step
    Mutant("update before the layer below's delta", "train_step", {TRAINING: [
        ("from backprop import backward\n", "from backprop import hidden_delta, layer_gradients, output_delta\n"),
        (STEP, STEP_EARLY)]}, "early_update"),
    Mutant("loss after the update", "train_step", {TRAINING: [(STEP, STEP.replace(
        "    return gd_step(params, grads, learning_rate), loss\n",
        "    new_params = gd_step(params, grads, learning_rate)\n"
        "    return new_params, mean_loss(predict(X, new_params, activations), Y, activations[-1])\n"))]},
        "loss_after"),
    Mutant("update thrown away", "train_step", {TRAINING: [(STEP, STEP.replace(
        "    return gd_step(params, grads, learning_rate), loss\n",
        "    gd_step(params, grads, learning_rate)\n    return params, loss\n"))]}, "update_discarded"),
    Mutant("loss with its arguments swapped", "train_step", {TRAINING: [(STEP, STEP.replace(
        "mean_loss(A_out, Y, activations[-1])", "mean_loss(Y, A_out, activations[-1])"))]}, "loss_arguments_swapped"),
    # -- the training loop
    Mutant("history before the epoch", "train", {TRAINING: [(MEASURE, ""), (LOOP, LOOP.replace(
        "        if batch_size is None:\n", MEASURE + "        if batch_size is None:\n", 1))]}, "history_before"),
    Mutant("never shuffled", "train", _loop("order = rng.permutation(n)", "order = np.arange(n)"), "no_shuffle"),
    Mutant("shuffled once", "train", {TRAINING: [(LOOP, LOOP.replace("            order = rng.permutation(n)\n", "")
                                                  .replace("    for epoch in range(epochs):\n",
                                                           "    order = rng.permutation(n) if batch_size else None\n"
                                                           "    for epoch in range(epochs):\n"))]}, "shuffle_once"),
    Mutant("shuffled with np.random", "train", _loop("order = rng.permutation(n)", "order = np.random.permutation(n)"),
           "global_random"),
    Mutant("X and Y shuffled apart", "train", {TRAINING: [(LOOP, LOOP.replace(
        "            order = rng.permutation(n)\n",
        "            order = rng.permutation(n)\n            other = rng.permutation(n)\n").replace(
        "train_step(X[batch], Y[batch]", "train_step(X[batch], Y[other[start:start + batch_size]]"))]},
        "separate_permutations"),
    Mutant("last partial batch dropped", "train", _loop("range(0, n, batch_size)", "range(0, n - batch_size + 1, batch_size)"),
           "last_batch_dropped"),
    Mutant("mini-batches from np.array_split", "train", _loop(
        "            for start in range(0, n, batch_size):\n                batch = order[start:start + batch_size]\n",
        "            for batch in np.array_split(order, n // batch_size):\n"), "array_split"),
    Mutant("X and Y shuffled in place", "train", _loop(
        "            order = rng.permutation(n)\n",
        "            order = rng.permutation(n)\n            X[:] = X[order]\n            Y[:] = Y[order]\n"
        "            order = np.arange(n)\n"), "in_place", "each epoch reorders the caller's arrays"),
    Mutant("backward with the layer below's input, but A[0] first", "backward", {BACKPROP: [(WALK, WALK.replace(
        "layer_gradients(A[layer], delta)", "layer_gradients(A[max(layer - 1, 0)], delta)"))]}, "wrong_layer_inputs"),
    Mutant("history of lists", "train", {TRAINING: [
        ('    history = {"loss": np.zeros(epochs), "accuracy": np.zeros(epochs)}\n',
         '    history = {"loss": [], "accuracy": []}\n'),
        (MEASURE, MEASURE.replace('history["loss"][epoch] = ', 'history["loss"].append(').replace(
            'activations[-1])\n', 'activations[-1]))\n').replace('history["accuracy"][epoch] = accuracy(A_out, Y)',
                                                                  'history["accuracy"].append(accuracy(A_out, Y))'))]},
        "history_lists"),
    Mutant("full batch shuffled too", "train", {TRAINING: [(LOOP, (
        "    size = n if batch_size is None else batch_size\n"
        "    for epoch in range(epochs):\n"
        "        order = rng.permutation(n)\n"
        "        for start in range(0, n, size):\n"
        "            batch = order[start:start + size]\n"
        "            params, _ = train_step(X[batch], Y[batch], params, activations, learning_rate)\n"))]},
        "shuffled_full_batch"),
    Mutant("batch_size ignored", "train", {TRAINING: [(LOOP, (
        "    for epoch in range(epochs):\n"
        "        params, _ = train_step(X, Y, params, activations, learning_rate)\n"))]}, "batch_size_ignored"),
    Mutant("parameters never rebound", "train", _loop("params, _ = train_step", "new_params, _ = train_step"),
           "params_not_rebound"),
    Mutant("history of the last batch's loss", "train", {TRAINING: [
        (LOOP, LOOP.replace("params, _ = train_step", "params, loss = train_step")),
        (MEASURE, MEASURE.replace('history["loss"][epoch] = mean_loss(A_out, Y, activations[-1])',
                                  'history["loss"][epoch] = loss'))]}, "history_last_batch"),
)

ALTERNATIVES = (
    Alternative("shuffle with rng.shuffle on an index", _loop("order = rng.permutation(n)",
                                                             "order = np.arange(n)\n            rng.shuffle(order)")),
    Alternative("shuffle the rows with one rng.permutation", _loop(
        "            order = rng.permutation(n)\n", "            order = rng.permutation(np.arange(n))\n")),
    Alternative("hidden delta with einsum", {BACKPROP: [(HIDDEN, (
        '    back = np.einsum("nk,dk->nd", delta_next, W_next)\n    return back * f_prime(Z)\n'))]}),
    Alternative("gradients with einsum and a sum", {BACKPROP: [(GRADS, (
        '    n = len(A_prev)\n    return np.einsum("ni,nj->ij", A_prev, delta) / n, delta.sum(axis=0) / n\n'))]}),
    Alternative("backward collecting the deltas first", {BACKPROP: [(
        "    delta = output_delta(A[-1], Y)\n    grads = [None] * len(params)\n" + WALK, (
            "    deltas = [output_delta(A[-1], Y)]\n"
            "    for layer in range(len(params) - 1, 0, -1):\n"
            "        deltas.insert(0, hidden_delta(deltas[0], params[layer][0], Z[layer - 1], activations[layer - 1]))\n"
            "    return [layer_gradients(a, d) for a, d in zip(A[:-1], deltas)]\n"))]}),
    Alternative("update on copies", {TRAINING: [(UPDATE, (
        "    new = []\n"
        "    for (W, b), (dW, db) in zip(params, grads):\n"
        "        W, b = W.copy(), b.copy()\n"
        "        W -= learning_rate * dW\n"
        "        b -= learning_rate * db\n"
        "        new.append((W, b))\n"
        "    return new\n"))]}),
    Alternative("training loop over an index order", {TRAINING: [(LOOP + MEASURE, (
        "    size = n if batch_size is None else batch_size\n"
        "    for epoch in range(epochs):\n"
        "        order = np.arange(n) if batch_size is None else rng.permutation(n)\n"
        "        X_order, Y_order = X[order], Y[order]\n"
        "        for start in range(0, n, size):\n"
        "            params, _ = train_step(X_order[start:start + size], Y_order[start:start + size], params,\n"
        "                                   activations, learning_rate)\n"
        "        out = predict(X, params, activations)\n"
        "        history[\"loss\"][epoch] = mean_loss(out, Y, activations[-1])\n"
        "        history[\"accuracy\"][epoch] = accuracy(out, Y)\n"))]}),
)

"""Assignment 3: every classic bug is diagnosed or caught, correct rewrites keep full marks, the data is reproducible.

The training bugs are the ones benchmarks/convergence.py measures (its ``BUGS``), so the table in docs/thresholds.md
and these tests speak about the same code.
"""
import importlib.util

import numpy as np
import pytest

from conftest import part_of
from grader import catalogues, engine, paths, references
from grader.catalogues import a3_backprop as catalogue

NAME = "a3_backprop"
SPEC = catalogues.load(NAME)


def _load_file(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BENCHMARK = _load_file("a3_convergence_benchmark", paths.ROOT / "benchmarks" / "convergence.py")

OUTPUT_RETURN = "    return A_out - Y\n"
STEP_LOSS = "    loss = mean_loss(A_out, Y, activations[-1])\n    grads = backward(Y, params, cache, activations)\n"
EPOCH_LOOP = "    for epoch in range(epochs):\n        if batch_size is None:\n"
MEASURE = ("        A_out = predict(X, params, activations)\n"
           "        history[\"loss\"][epoch] = mean_loss(A_out, Y, activations[-1])\n"
           "        history[\"accuracy\"][epoch] = accuracy(A_out, Y)\n")

# bug key -> (edits, parts where the key must be diagnosed, parts whose training runs must all fail)
BUGS = {
    "delta_averaged": ({"backprop.py": [(OUTPUT_RETURN, "    return (A_out - Y) / A_out.shape[0]\n")]},
                       ("output_delta",), ()),
    "delta_sign": ({"backprop.py": [(OUTPUT_RETURN, "    return Y - A_out\n")]}, ("output_delta",), ()),
    "delta_extra_slope": ({"backprop.py": [(OUTPUT_RETURN, "    return (A_out - Y) * A_out * (1 - A_out)\n")]},
                          ("output_delta",), ()),
    "no_derivative": (BENCHMARK.BUGS["no_derivative"], ("hidden_delta",), ("xor", "diamond")),
    "derivative_of_a": (BENCHMARK.BUGS["derivative_of_a"], ("hidden_delta",), ("xor", "diamond")),
    "sigmoid_twice": (BENCHMARK.BUGS["sigmoid_twice"], ("hidden_delta",), ("xor",)),
    "no_average": (BENCHMARK.BUGS["no_average"], ("layer_gradients",), ("xor", "diamond")),
    "transpose": (BENCHMARK.BUGS["transpose"], ("layer_gradients",), ("xor", "diamond")),
    "bias_axis": ({"backprop.py": [("delta.mean(axis=0)\n", "delta.mean(axis=1)\n")]}, ("layer_gradients",), ()),
    "update_sign": (BENCHMARK.BUGS["update_sign"], ("gd_step",), ("xor", "diamond")),
    "bias_not_updated": ({"training.py": [("(W - learning_rate * dW, b - learning_rate * db)",
                                           "(W - learning_rate * dW, b)")]}, ("gd_step",), ()),
    "early_update": (BENCHMARK.BUGS["early_update"], ("train_step",), ("xor",)),
    "loss_after": ({"training.py": [(
        "    return gd_step(params, grads, learning_rate), loss\n",
        "    new_params = gd_step(params, grads, learning_rate)\n"
        "    return new_params, mean_loss(predict(X, new_params, activations), Y, activations[-1])\n")]},
        ("train_step",), ()),
    "history_before": ({"training.py": [(MEASURE, ""), (EPOCH_LOOP, "    for epoch in range(epochs):\n" + MEASURE
                                                         + "        if batch_size is None:\n")]}, ("train",), ()),
    "no_shuffle": ({"training.py": [("order = rng.permutation(n)", "order = np.arange(n)")]}, ("train",), ()),
    "shuffle_once": ({"training.py": [("            order = rng.permutation(n)\n", ""),
                                      ("    for epoch in range(epochs):\n",
                                       "    order = rng.permutation(n) if batch_size is not None else None\n"
                                       "    for epoch in range(epochs):\n")]}, ("train",), ()),
}


def _grade(submission, edits, name):
    return engine.grade(NAME, submission(NAME, edits, name=name))




def test_every_misconception_has_a_bug_here():
    keys = {m.key for part in SPEC.parts for check in part.checks for m in check.misconceptions}
    assert keys == set(BUGS)


@pytest.mark.parametrize("bug", sorted(BUGS))
def test_misconception_is_diagnosed_or_caught(submission, bug):
    edits, diagnosed, failing_runs = BUGS[bug]
    report = _grade(submission, edits, bug)
    for key in diagnosed:
        part = part_of(report, key)
        assert bug in part.misconceptions, [c.message for c in part.cases if not c.passed]
        message = catalogue.MESSAGES[bug]
        assert all(f"Likely cause: {message}" in c.message for c in part.cases if c.misconception == bug)
        assert part.score < part.points
    for key in failing_runs:
        part = part_of(report, key)
        assert part.score == 0, [c.message for c in part.cases]
        if bug in ("update_sign", "no_derivative"):  # the runs finish, and are measured below the threshold
            assert all("needs" in c.message or "training diverged" in c.message for c in part.cases), \
                [c.message for c in part.cases]
    # every other unit part is untouched: its callers are graded with the reference standing in for the bug
    for part in report.parts:
        if part.key not in diagnosed and not SPEC.part(part.key).integrated:
            assert part.score == part.points, (part.key, [c.message for c in part.cases if not c.passed])


def test_a_premature_update_is_judged_by_one_large_step_with_a_tight_tolerance():
    check = SPEC.part("train_step").checks[0]
    assert check.options["rtol"] <= 1e-7
    assert all(case.args[4] >= 0.5 for case in check.cases)
    early = dict((key, output) for key, _, output in references.variant_outputs(SPEC, check, check.cases[0]))
    expected = references.expected(SPEC, check, check.cases[0])
    first_layer = np.abs(early["early_update"][0][0][0] - expected[0][0][0]) / np.abs(expected[0][0][0])
    assert first_layer.max() > 1e-3  # four orders of magnitude above the tolerance


BACKPROP_REWRITE = {"backprop.py": [
    ("    return (np.asarray(delta_next, dtype=np.float64) @ np.asarray(W_next, dtype=np.float64).T) * f_prime(Z)\n",
     "    back = np.einsum(\"nk,dk->nd\", delta_next, W_next)\n    return back * f_prime(Z)\n"),
    ("    return A_prev.T @ delta / A_prev.shape[0], delta.mean(axis=0)\n",
     "    n = len(A_prev)\n    return np.einsum(\"ni,nj->ij\", A_prev, delta) / n, delta.sum(axis=0) / n\n"),
    ("    delta = output_delta(A[-1], Y)\n"
     "    grads = [None] * len(params)\n"
     "    for layer in range(len(params) - 1, -1, -1):\n"
     "        grads[layer] = layer_gradients(A[layer], delta)\n"
     "        if layer > 0:\n"
     "            delta = hidden_delta(delta, params[layer][0], Z[layer - 1], activations[layer - 1])\n"
     "    return grads\n",
     "    deltas = [output_delta(A[-1], Y)]\n"
     "    for layer in range(len(params) - 1, 0, -1):\n"
     "        deltas.insert(0, hidden_delta(deltas[0], params[layer][0], Z[layer - 1], activations[layer - 1]))\n"
     "    return [layer_gradients(a, d) for a, d in zip(A[:-1], deltas)]\n"),
]}
TRAINING_REWRITE = {"training.py": [
    ("    return [(W - learning_rate * dW, b - learning_rate * db) for (W, b), (dW, db) in zip(params, grads)]\n",
     "    new = []\n"
     "    for (W, b), (dW, db) in zip(params, grads):\n"
     "        W, b = W.copy(), b.copy()\n"
     "        W -= learning_rate * dW\n"
     "        b -= learning_rate * db\n"
     "        new.append((W, b))\n"
     "    return new\n"),
    ("    loss = mean_loss(A_out, Y, activations[-1])\n    grads",
     "    if activations[-1] == \"sigmoid\":\n"
     "        loss = binary_cross_entropy(A_out, Y)\n"
     "    else:\n"
     "        loss = cross_entropy(A_out, Y)\n"
     "    grads"),
    ("    n = X.shape[0]\n"
     "    history = {\"loss\": np.zeros(epochs), \"accuracy\": np.zeros(epochs)}\n"
     "    for epoch in range(epochs):\n"
     "        if batch_size is None:\n"
     "            params, _ = train_step(X, Y, params, activations, learning_rate)\n"
     "        else:\n"
     "            order = rng.permutation(n)\n"
     "            for start in range(0, n, batch_size):\n"
     "                batch = order[start:start + batch_size]\n"
     "                params, _ = train_step(X[batch], Y[batch], params, activations, learning_rate)\n",
     "    n = len(X)\n"
     "    size = n if batch_size is None else batch_size\n"
     "    losses, accuracies = [], []\n"
     "    for epoch in range(epochs):\n"
     "        order = np.arange(n) if batch_size is None else rng.permutation(n)\n"
     "        X_order, Y_order = X[order], Y[order]\n"
     "        for start in range(0, n, size):\n"
     "            params, _ = train_step(X_order[start:start + size], Y_order[start:start + size], params,\n"
     "                                   activations, learning_rate)\n"),
    (MEASURE, "        out = predict(X, params, activations)\n"
              "        losses.append(mean_loss(out, Y, activations[-1]))\n"
              "        accuracies.append(accuracy(out, Y))\n"),
    ("    return list(params), history\n",
     "    return [tuple(pair) for pair in params], {\"loss\": np.array(losses), \"accuracy\": np.array(accuracies)}\n"),
]}


def test_correct_rewrites_keep_full_marks(submission):
    report = _grade(submission, {**BACKPROP_REWRITE, **TRAINING_REWRITE}, "rewritten")
    assert [c.message for p in report.parts for c in p.cases if not c.passed] == []
    assert report.score == report.max_score


# -- the reference itself -------------------------------------------------------------------------------------------
def test_training_functions_leave_their_inputs_unchanged():
    ref = references.modules(SPEC)
    X, Y = catalogue.xor_data()
    params = catalogue.initial_params((3, 4, 1), 7)
    saved = [(W.copy(), b.copy()) for W, b in params]
    grads = [(np.ones_like(W), np.ones_like(b)) for W, b in params]
    ref.training.gd_step(params, grads, 0.5)
    ref.training.train_step(X, Y, params, ["sigmoid", "sigmoid"], 0.5)
    ref.training.train(X, Y, params, ["sigmoid", "sigmoid"], 0.5, 3, batch_size=3, rng=np.random.default_rng(0))
    for (W, b), (W0, b0) in zip(params, saved):
        assert np.array_equal(W, W0) and np.array_equal(b, b0)


def test_mini_batches_need_a_generator():
    ref = references.modules(SPEC)
    X, Y = catalogue.xor_data()
    with pytest.raises(ValueError, match="rng"):
        ref.training.train(X, Y, catalogue.initial_params((3, 4, 1), 7), ["sigmoid", "sigmoid"], 0.5, 1,
                           batch_size=4)


def test_converge_expectations_hold_what_the_plots_need():
    for key, task in (("xor", catalogue.XOR), ("diamond", catalogue.DIAMOND)):
        check = SPEC.part(key).checks[0]
        expected = references.expected(SPEC, check, check.cases[0])
        assert set(expected) == {"X", "y", "params_like", "history", "params"}
        assert expected["history"]["loss"].shape == expected["history"]["accuracy"].shape == (task["epochs"],)
        assert [W.shape for W, _ in expected["params"]] == [W.shape for W, _ in expected["params_like"]]
        assert expected["X"].shape[0] == expected["y"].shape[0]
        assert check.options["params_at"] == (0,) and check.options["history_at"] == (1,)
    assert len(catalogue.XOR["seeds"]) >= 3


def test_gradient_check_inputs_stay_off_the_relu_kink():
    for case in catalogue.BACKWARD_CASES:
        _, _, cache, activations = case.args
        for name, Z in zip(activations, cache["Z"]):
            if "relu" in name:
                assert np.abs(Z).min() > 0.05
    for case in catalogue.HIDDEN_CASES:
        if "relu" in case.args[3]:
            assert np.abs(case.args[2]).min() >= 0.1


# -- data -----------------------------------------------------------------------------------------------------------
def test_generated_data_matches_its_script():
    maker = _load_file("a3_make_data", paths.DATA / "make_data.py")
    for name, text in maker.build().items():
        assert (paths.DATA / name).read_text(encoding="utf-8") == text, f"data/{name} is stale"
    assert set(catalogue.DATA) == set(maker.build()) | {"xor.csv"}


def test_xor_table_is_seed_000s_eight_rows():
    X, y = catalogue.xor_data()
    assert X.shape == (8, 3) and y.shape == (8, 1)
    assert len({tuple(row) for row in X}) == 8
    assert np.array_equal(y[:, 0], np.logical_xor(X[:, 0], X[:, 1]).astype(float))


def test_datasets_follow_their_definitions():
    data = references.modules(SPEC).datasets
    X, y = data.make_diamond(500, np.random.default_rng(1))
    assert np.array_equal(y[:, 0], (np.abs(X[:, 0]) + np.abs(X[:, 1]) < 1).astype(float))
    assert X.min() >= -1 and X.max() <= 1
    x, t = data.make_beans(300, np.random.default_rng(2))
    assert np.all(np.diff(x[:, 0]) >= 0) and x.min() >= 0 and x.max() < 2
    assert np.all(t[(x[:, 0] > 0.45) & (x[:, 0] < 1.27)] == 1) and np.all(t[(x[:, 0] < 0.41) | (x[:, 0] > 1.30)] == 0)
    params = data.init_params([3, 5, 2], np.random.default_rng(3))
    assert [(W.shape, b.shape) for W, b in params] == [((3, 5), (5,)), ((5, 2), (2,))]
    assert all(not b.any() for _, b in params) and len(np.unique(params[0][0])) == 15
    again = data.init_params([3, 5, 2], np.random.default_rng(3))
    assert all(np.array_equal(W, W2) for (W, _), (W2, _) in zip(params, again))


def test_notebook_trains_with_the_graded_settings():
    source = (paths.ROOT / "notebooks" / f"{NAME}.py").read_text(encoding="utf-8")
    for task in (catalogue.XOR, catalogue.DIAMOND):
        layers = list(task["layers"])
        assert f"learning_rate={task['learning_rate']}, epochs={task['epochs']}" in source
        assert f"init_params({layers}, np.random.default_rng({task['seeds'][0]}))" in source

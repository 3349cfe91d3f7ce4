"""Assignment 3 specifics: training bugs fail the tasks, the reference and the data. Every classic bug and correct
rewrite of the registry (benchmarks/mutants/) is graded in test_accuracy.py.

The training bugs are the ones benchmarks/convergence.py measures (its ``BUGS``), so the table in docs/thresholds.md
and these tests speak about the same code.
"""
import importlib.util

import numpy as np
import pytest

import mutants
from conftest import part_of
from grader import catalogues
from grader.grading import engine
from grader.core import paths, references
from grader.catalogues import a3_backprop as catalogue

NAME = "a3_backprop"
SPEC = catalogues.load(NAME)


def _load_file(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BENCHMARK = _load_file("a3_convergence_benchmark", paths.ROOT / "benchmarks" / "convergence.py")

# The classic bugs that training exposes: their XOR and diamond runs must all fail (benchmarks/convergence.py
# measures the same ones). Every classic bug of the registry is graded in test_accuracy.py.
FAILING_RUNS = {key: (mutants.mutant(NAME, name), ("xor",) if key in ("sigmoid_twice", "early_update")
                      else ("xor", "diamond")) for key, name in BENCHMARK.BUG_NAMES.items()}


def _grade(submission, edits, name):
    return engine.grade(NAME, submission(NAME, edits, name=name))


@pytest.mark.parametrize("bug", sorted(FAILING_RUNS))
def test_a_training_bug_fails_every_run_of_its_tasks(submission, bug):
    mutant, failing_runs = FAILING_RUNS[bug]
    report = _grade(submission, mutant.edits, bug)
    for key in failing_runs:
        part = part_of(report, key)
        assert part.score == 0, [c.message for c in part.cases]
        if bug in ("update_sign", "no_derivative"):  # the runs finish, and are measured below the threshold
            assert all("needs" in c.message or "training diverged" in c.message for c in part.cases), \
                [c.message for c in part.cases]


def test_a_premature_update_is_judged_by_one_large_step_with_a_tight_tolerance():
    check = SPEC.part("train_step").checks[0]
    assert check.options["rtol"] <= 1e-7
    assert all(case.args[4] >= 0.5 for case in check.cases)
    early = dict((key, output) for key, _, output in references.variant_outputs(SPEC, check, check.cases[0]))
    expected = references.expected(SPEC, check, check.cases[0])
    first_layer = np.abs(early["early_update"][0][0][0] - expected[0][0][0]) / np.abs(expected[0][0][0])
    assert first_layer.max() > 1e-3  # four orders of magnitude above the tolerance


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


# -- the tasks are earned by the student's own gradient descent ------------------------------------------------------
MEMORISER = '''


def train(X, Y, params, activations, learning_rate, epochs, batch_size=None, rng=None):
    """No training at all: weights built from the labels. On a table of 0/1 rows, one detector unit per row of the
    smaller class, then OR (the smaller class is labelled 1) or NOR (it is labelled 0); on points in the plane, the
    diamond's four edges, then AND or NAND, whichever way round the labels say."""
    k = 20.0
    y = Y[:, 0] >= 0.5
    (W1, b1), (W2, b2) = params
    W1, b1, W2, b2 = np.zeros_like(W1), np.zeros_like(b1), np.zeros_like(W2), np.zeros_like(b2)
    if X.shape[1] == 3:  # rows of 0s and 1s
        ones = y.sum() <= (~y).sum()
        rows = X[y] if ones else X[~y]
        for unit, row in enumerate(rows):
            W1[:, unit] = k * (2 * row - 1)
            b1[unit] = -k * (row.sum() - 0.5)
        W2[:len(rows), 0] = k if ones else -k
        b2[0] = -0.5 * k if ones else 0.5 * k
    else:  # the plane: the four edges of |x1| + |x2| < 1
        for unit, signs in enumerate(((1, 1), (1, -1), (-1, 1), (-1, -1))):
            W1[:, unit] = -k * np.array(signs, dtype=float)
            b1[unit] = k
        inside = Y[np.abs(X).sum(axis=1) < 0.5, 0].mean() >= 0.5
        W2[:4, 0] = k if inside else -k
        b2[0] = -3.0 * k if inside else 3.0 * k
    trained = [(W1, b1), (W2, b2)]
    A_out = predict(X, trained, activations)
    history = {"loss": np.full(epochs, mean_loss(A_out, Y, activations[-1])),
               "accuracy": np.full(epochs, accuracy(A_out, Y))}
    return trained, history
'''
TASKS = ("xor", "diamond")


def _memoriser(submission, name, base=None, stub=True):
    """A submission whose train() builds its weights from the labels (MEMORISER, then ``base`` appended), with the
    stubs (or, with ``stub=False``, the solution) everywhere else."""
    source = (paths.ASSIGNMENTS if stub else paths.SOLUTIONS) / NAME / "training.py"
    return submission(NAME, {"training.py": source.read_text(encoding="utf-8") + MEMORISER + (base or "")},
                      stub=stub, name=name)


def test_a_train_that_builds_its_weights_from_the_labels_earns_no_task(submission):
    report = engine.grade(NAME, _memoriser(submission, "memoriser"))
    for key in TASKS:
        part = part_of(report, key)
        assert part.score == 0, [c.message for c in part.cases]
        assert all("come from no call of train_step()" in c.message for c in part.cases), \
            [c.message for c in part.cases]


def test_control_without_the_steps_the_memoriser_earns_both_tasks(submission, monkeypatch):
    """The same memoriser, with the tasks' runs no longer watched step by step, scores 3/3 on XOR and on the diamond,
    hidden relabelled runs included: the relabelling alone defeats constant weights only."""
    monkeypatch.setattr(engine, "_chain", lambda *args: None)
    report = engine.grade(NAME, _memoriser(submission, "memoriser"))
    for key in TASKS:
        part = part_of(report, key)
        assert part.score == part.points, [c.message for c in part.cases]


# With the solution's train_step, backward and gd_step, train() still does not train: it takes its steps from the
# weights it built (so the first is not a step from the initial parameters), or it trains and then returns the
# weights it built, or it reports steps of its own making through the watched function.
NOT_TRAINING = {
    "steps from built weights": ('''

_built = train


def train(X, Y, params, activations, learning_rate, epochs, batch_size=None, rng=None):
    params, _ = _built(X, Y, params, activations, learning_rate, epochs)
    return _trained(X, Y, params, activations, learning_rate, epochs)
''', "at step 1 is not one gradient-descent step"),
    "trains, then returns built weights": ('''

_built = train


def train(X, Y, params, activations, learning_rate, epochs, batch_size=None, rng=None):
    _trained(X, Y, params, activations, learning_rate, epochs)
    return _built(X, Y, params, activations, learning_rate, epochs)
''', "are not those its last train_step() gave"),
    "forged reports": ('''

_built = train


def train(X, Y, params, activations, learning_rate, epochs, batch_size=None, rng=None):
    import training
    built = _built(X, Y, params, activations, learning_rate, epochs)
    watched = training.train_step
    for cell in watched.__closure__ or ():
        if callable(cell.cell_contents) and cell.cell_contents is not watched:
            cell.cell_contents = lambda *args, **kwargs: (built[0], 0.0)  # what the watcher reports as the step
    for _ in range(epochs):
        watched(X, Y, params, activations, learning_rate)
    return built
''', "at step 1 is not one gradient-descent step"),
}
TRAINED = '''

def _trained(X, Y, params, activations, learning_rate, epochs):
    history = {"loss": np.zeros(epochs), "accuracy": np.zeros(epochs)}
    for epoch in range(epochs):
        params, _ = train_step(X, Y, params, activations, learning_rate)
    return list(params), history
'''


@pytest.mark.parametrize("name", sorted(NOT_TRAINING))
def test_a_train_that_does_not_train_earns_no_task_even_beside_a_correct_train_step(submission, name):
    body, said = NOT_TRAINING[name]
    report = engine.grade(NAME, _memoriser(submission, name.replace(" ", "-"), TRAINED + body, stub=False))
    assert part_of(report, "train_step").score == 2 and part_of(report, "backward").score == 3
    for key in TASKS:
        part = part_of(report, key)
        assert part.score == 0, [c.message for c in part.cases]
        assert all(said in c.message for c in part.cases), [c.message for c in part.cases]


def test_a_train_whose_only_slip_is_its_history_keeps_the_tasks(submission):
    report = _grade(submission, mutants.mutant(NAME, "history before the epoch").edits, "history")
    assert part_of(report, "train").score < part_of(report, "train").points
    for key in TASKS:
        part = part_of(report, key)
        assert part.score == part.points, [c.message for c in part.cases]

"""A diagnosis says what the student's code computes only where it holds on every failing case of the check.

Each relation family is checked on the reference's real outputs for the catalogue's own cases (grader.relations,
grader.diagnosis), and so is the rule that makes a diagnosis never wrong: a relation or a misconception that holds
on one failing case but not on another is not shown."""
import numpy as np
import pytest

from grader import catalogues
from grader.core import generated, paths, references
from grader.grading import diagnosis, reference_cache, relations
from grader.shipped import evaluation
from grader.core.spec import Case


def _check(assignment, function, title="values"):
    spec = catalogues.load(assignment)
    return next(check for part in spec.parts for check in part.checks
                if check.function == function and check.title == title)


def _reference(assignment, function):
    module, name = function.split(".")
    return getattr(getattr(references.modules(catalogues.load(assignment)), module), name)


def _records(assignment, check, student, cases=None, variants=None):
    """Records of the check's cases as the engine makes them, with ``student(expected, case)`` the value the
    student's call gave (or an Outcome)."""
    spec = catalogues.load(assignment)
    records = []
    for case in cases or check.cases:
        expected = references.expected(spec, check, case)
        got = student(expected, case)
        outcome = got if isinstance(got, evaluation.Outcome) else evaluation.Outcome(True, value=got)
        verdict = evaluation.judge(check.kind, outcome, expected, (), check.options)
        records.append(diagnosis.Record(case, outcome, expected, variants(case) if variants else [], verdict))
    return records


def _messages(explained):
    return [found.message for found in explained.values()]


LAYER_GRADIENTS = ("a3_backprop", "backprop.layer_gradients")


def test_a_dw_scaled_by_the_batch_size_is_named_with_n():
    check = _check(*LAYER_GRADIENTS)
    records = _records("a3_backprop", check, lambda e, case: (e[0] * case.args[0].shape[0], e[1]))
    explained = diagnosis.explain(check, records, _reference(*LAYER_GRADIENTS))
    assert sorted(explained) == [0, 1, 2]
    for record, message in zip(records, _messages(explained)):
        n = record.case.args[0].shape[0]
        assert f"What your code computes: your `dW` is the expected value times {n} (the number of rows of " \
               f"`A_prev` or the number of rows of `delta`)" in message
        assert "db" not in message.split("What your code computes")[1]


def test_a_transposed_dw_is_named_as_transposed():
    check = _check(*LAYER_GRADIENTS)
    records = _records("a3_backprop", check, lambda e, case: (e[0].T.copy(), e[1]))
    explained = diagnosis.explain(check, records, _reference(*LAYER_GRADIENTS))
    assert len(explained) == 3
    assert all("your `dW` is the expected value, transposed" in message for message in _messages(explained))


def test_two_relations_at_once_are_named_together():
    check = _check(*LAYER_GRADIENTS)
    records = _records("a3_backprop", check, lambda e, case: (-e[0].T, e[1]))
    messages = _messages(diagnosis.explain(check, records, _reference(*LAYER_GRADIENTS)))
    assert len(messages) == 3 and all("the expected value, transposed times -1" in m for m in messages)


def test_an_argument_in_place_of_another_is_named():
    check = _check(*LAYER_GRADIENTS)
    reference = _reference(*LAYER_GRADIENTS)
    square = (Case((np.random.default_rng(1).normal(size=(6, 3)), np.random.default_rng(2).normal(size=(6, 3)))),
              Case((np.random.default_rng(3).normal(size=(5, 4)), np.random.default_rng(4).normal(size=(5, 4)))))
    records = _records("a3_backprop", check, lambda e, case: reference(case.args[1], case.args[1]), cases=square)
    messages = _messages(diagnosis.explain(check, records, reference))
    assert len(messages) == 2
    assert all("what the expected computation gives with `delta` in place of `A_prev`" in m for m in messages)


def test_a_sequence_shifted_by_one_is_named():
    check = _check("a1_neuron_gd", "gradient_descent.sgd", "path")
    records = _records("a1_neuron_gd", check, lambda e, case: np.concatenate([e[1:], e[-1:]]))
    messages = _messages(diagnosis.explain(check, records, _reference("a1_neuron_gd", "gradient_descent.sgd")))
    assert messages and all("shifted by one (entry i holds entry i + 1)" in m for m in messages)


def test_the_first_wrong_step_of_a_path_is_measured():
    check = _check("a1_neuron_gd", "gradient_descent.sgd", "path")
    sgd = _reference("a1_neuron_gd", "gradient_descent.sgd")
    records = _records("a1_neuron_gd", check, lambda e, case: sgd(*case.args[:3], -case.args[3], case.args[4]))
    messages = _messages(diagnosis.explain(check, records, sgd))
    assert messages and all("then a step into row 1 of -1 times the expected step" in m for m in messages)


def test_a_relation_that_holds_on_one_failing_case_but_not_another_is_not_shown():
    check = _check(*LAYER_GRADIENTS)
    factors = iter([2.0, 3.0, 2.0])
    records = _records("a3_backprop", check, lambda e, case: (e[0] * next(factors), e[1]))
    assert diagnosis.explain(check, records, _reference(*LAYER_GRADIENTS)) == {}


def test_a_misconception_that_holds_on_one_failing_case_but_not_another_is_not_named():
    check = _check(*LAYER_GRADIENTS)
    doubled = {id(case): i == 0 for i, case in enumerate(check.cases)}
    spec = catalogues.load("a3_backprop")

    def variants(case):
        expected = references.expected(spec, check, case)
        return [("dw_doubled", "dW is doubled", (2 * expected[0], expected[1]))]

    def student(e, case):
        return (2 * e[0], e[1]) if doubled[id(case)] else (5 * e[0], e[1])
    records = _records("a3_backprop", check, student, variants=variants)
    explained = diagnosis.explain(check, records, None)
    assert all("Likely cause" not in m for m in _messages(explained))
    # on every failing case, it is named
    records = _records("a3_backprop", check, lambda e, case: (2 * e[0], e[1]), variants=variants)
    messages = _messages(diagnosis.explain(check, records, None))
    assert len(messages) == 3 and all(m.endswith("Likely cause: dW is doubled") for m in messages)


def test_a_single_case_of_a_small_discrete_table_names_nothing():
    check = _check("a1_neuron_gd", "neuron.xor_gate", "truth table")
    case = check.cases[0]
    inverted = lambda e, case: 1.0 - e  # noqa: E731
    variants = lambda case: [("inverted", "inverted", 1.0 - references.expected(  # noqa: E731
        catalogues.load("a1_neuron_gd"), check, case))]
    one = _records("a1_neuron_gd", check, inverted, cases=[case], variants=variants)
    assert diagnosis.explain(check, one, None) == {}
    two = _records("a1_neuron_gd", check, inverted, variants=variants)
    assert all("Likely cause: inverted" in m for m in _messages(diagnosis.explain(check, two, None)))


def test_an_exception_alone_names_no_misconception():
    check = _check(*LAYER_GRADIENTS)
    raised = evaluation.Outcome(False, error="ValueError", detail="matmul: mismatch")
    variants = lambda case: [("exact", "exact", evaluation.Raised("ValueError", detail="matmul: mismatch"))]  # noqa
    records = _records("a3_backprop", check, lambda e, case: raised, variants=variants)
    assert diagnosis.explain(check, records, None) == {}


def test_a_spent_deadline_shows_no_relation():
    check = _check(*LAYER_GRADIENTS)
    records = _records("a3_backprop", check, lambda e, case: (e[0] * case.args[0].shape[0], e[1]))
    assert diagnosis.explain(check, records, _reference(*LAYER_GRADIENTS), diagnosis.Deadline(0.0)) == {}


def test_the_fact_is_said_in_chinese_too():
    from grader import text
    check = _check(*LAYER_GRADIENTS)
    records = _records("a3_backprop", check, lambda e, case: (e[0].T.copy(), e[1]))
    with text.language("zh"):
        messages = _messages(diagnosis.explain(check, records, _reference(*LAYER_GRADIENTS)))
    assert messages and all("你的代码算出的是：你的 `dW` 是期望的值的转置" in m for m in messages)


def test_generated_variants_are_edits_of_the_solution_that_change_its_values():
    spec = catalogues.load("a2_forward")
    ref = references.modules(spec)
    made = generated.variants(ref.losses, "softmax", "losses", paths.SOLUTIONS / "a2_forward")
    z = np.random.default_rng(0).normal(size=(4, 3))
    edits = {(v.old, v.new): generated.run(v, (z,), {}) for v in made}
    over_columns = [out for (old, new), out in edits.items() if "axis=0" in new and out is not None]
    assert over_columns and any(np.allclose(out.sum(axis=0), 1.0) for out in over_columns)
    assert all("axis" not in old or old != new for old, new in edits)


def test_scales_are_identified_with_the_quantities_of_the_case():
    table = relations.factors(relations.quantities(["X", "y", "lr"], (np.zeros((8, 3)), np.zeros(8), 0.5)))
    assert {"q:rows0:X", "q:rows0:y"} <= relations.identify(8.0, table)
    assert "inv:rows0:X" in relations.identify(1 / 8, table)
    assert "number:1/2" in relations.identify(0.5, table) and "q:argument:lr" in relations.identify(0.5, table)
    assert relations.identify(7.3, table) == set()


@pytest.mark.parametrize("got, key", [
    (lambda e: e.T, "transposed"), (lambda e: e.reshape(-1), "flattened"), (lambda e: e[-1], "last_row"),
    (lambda e: e[::-1], "reversed")])
def test_layouts_include_each_family(got, key):
    e = np.arange(12.0).reshape(4, 3)
    assert key in dict(relations.layouts(e, got(e)))


def test_integer_values_are_named_as_the_expected_ones_cut_to_integers():
    check = _check(*LAYER_GRADIENTS)
    records = _records("a3_backprop", check, lambda e, case: (np.trunc(e[0] * 10).astype(np.int64), e[1]))
    assert diagnosis.explain(check, records, _reference(*LAYER_GRADIENTS)) == {}  # times 10, then cut: not named
    records = _records("a3_backprop", check, lambda e, case: (e[0], np.round(e[1]).astype(np.int64)))
    messages = _messages(diagnosis.explain(check, records, _reference(*LAYER_GRADIENTS)))
    assert len(messages) == 3 and all("your `db` is the expected value, rounded to integers" in m for m in messages)


def test_two_slips_in_one_function_are_both_named_in_most_cases():
    """Graded as real submissions: each two-slip case of benchmarks/mutants/two_slips.py; at least 80 % of them
    have both slips named."""
    import diagnosis_speed
    from mutants import two_slips
    named = [all(diagnosis_speed.named_slips(case)[0]) for case in two_slips.CASES]
    assert sum(named) >= 0.8 * len(named), [case.name for case, ok in zip(two_slips.CASES, named) if not ok]


def test_returned_values_in_another_order_are_named():
    check = _check(*LAYER_GRADIENTS)
    records = _records("a3_backprop", check, lambda e, case: (e[1], e[0]))
    messages = _messages(diagnosis.explain(check, records, _reference(*LAYER_GRADIENTS)))
    assert len(messages) == 3 and all("your values come back in another order: (db, dW) where (dW, db) belong" in m
                                      for m in messages)


def test_a_raise_is_named_by_the_generated_edit_that_raises_the_same_message():
    check = _check("a1_neuron_gd", "gradient_descent.mse_loss")
    spec = catalogues.load("a1_neuron_gd")
    edits = [(key, pairs) for key, pairs, _ in reference_cache.for_assignment("a1_neuron_gd").generated(
        "mse_loss", 0, 0)]
    key, pairs = next((k, p) for k, p in edits if p == [("np.mean(residual ** 2)", "residual ** 2")])
    raised = evaluation.Outcome(False, error="TypeError",
                                detail="only 0-dimensional arrays can be converted to Python scalars")
    records = _records("a1_neuron_gd", check, lambda e, case: raised)
    for index, record in enumerate(records):
        record.generated_source = reference_cache.for_assignment("a1_neuron_gd").generated("mse_loss", 0, index)
    messages = _messages(diagnosis.explain(check, records, _reference("a1_neuron_gd", "gradient_descent.mse_loss")))
    assert len(messages) == len(spec.part("mse_loss").checks[0].cases)
    assert all("it raises what the expected computation raises with `residual ** 2` where `np.mean(residual ** 2)` "
               "belongs, with the same message" in m for m in messages)


def test_edits_that_raise_alike_are_told_apart_by_the_student_s_own_line():
    """Three argument swaps in xor_gate raise the same TypeError; the line the student's traceback reports names the
    one they made, and without it, or with a line that holds none of them, none is said (the exception is shown)."""
    check = _check("a1_neuron_gd", "neuron.xor_gate", "truth table")
    stored = reference_cache.for_assignment("a1_neuron_gd")
    line = "neuron.py:103 in xor_gate: hidden = np.column_stack([logic_gate('or', x), logic_gate(x, 'nand')])"

    def records(where):
        raised = evaluation.Outcome(False, error="TypeError", detail="unhashable type: 'numpy.ndarray'", where=where)
        found = _records("a1_neuron_gd", check, lambda e, case: raised)
        for index, record in enumerate(found):
            record.generated_source = stored.generated("gates", 2, index)
        return found
    reference = _reference("a1_neuron_gd", "neuron.xor_gate")
    messages = _messages(diagnosis.explain(check, records([line]), reference))
    assert len(messages) == 2 and all(
        "it raises what the expected computation raises with `logic_gate(x, 'nand')` where `logic_gate('nand', x)` "
        "belongs, with the same message" in m for m in messages)
    assert all("'or'" not in m.split("What your code computes")[1] for m in messages)
    # without the line, or on a line that holds none of the three, none is said: none is picked silently
    other = "neuron.py:104 in xor_gate: return logic_gate('and', hidden)"
    for where in ([], [other]):
        assert _messages(diagnosis.explain(check, records(where), reference)) == []


def test_edits_that_raise_alike_and_rewrite_the_same_code_name_it_off_the_student_s_line():
    """`X.shape[:-1]` and `X.shape[1:]` for `X.shape[0]` both make `2.0 / m` raise, on a later line than theirs:
    they rewrite the same code, which is named; a bare name or number would not be."""
    check = _check("a1_neuron_gd", "gradient_descent.mse_gradient")
    stored = reference_cache.for_assignment("a1_neuron_gd")
    group = next(pairs for _, pairs, _ in stored.generated("mse_gradient", 0, 0)
                 if ("X.shape[0]", "X.shape[1:]") in map(tuple, pairs))
    assert len(group) > 1 and len({old for old, _ in group}) == 1
    line = "gradient_descent.py:49 in mse_gradient: return 2.0 / m * (X.T @ (X @ theta - y))"
    raised = evaluation.Outcome(False, error="TypeError", detail="unsupported operand type(s) for /: 'float' and "
                                "'tuple'", where=[line])
    records = _records("a1_neuron_gd", check, lambda e, case: raised)
    for index, record in enumerate(records):
        record.generated_source = stored.generated("mse_gradient", 0, index)
    messages = _messages(diagnosis.explain(check, records, _reference("a1_neuron_gd", "gradient_descent.mse_gradient")))
    assert len(messages) == len(check.cases) and all(
        "`X.shape[1:]` where `X.shape[0]` belongs" in m for m in messages)


def test_a_declared_exception_names_its_misconception_only_with_the_variant_s_own_message():
    """dense_order declares a ValueError: a student's ValueError with another message (a broadcast, here) is not
    it; the same sizes meeting in a product, in np.dot's words or @'s, are."""
    check = _check("a2_forward", "forward.dense")
    spec = catalogues.load("a2_forward")

    def variants(case):
        return [(key, message, output) for key, message, output in references.variant_outputs(spec, check, case)
                if key == "dense_order"]

    def student(raising):
        def call(expected, case):
            A, W, b = case.args
            try:
                raising(A, W, b)
            except ValueError as exc:
                return evaluation.Outcome(False, error="ValueError", detail=str(exc))
            return expected
        return call
    square = [case for case in check.cases if case.args[1].shape[0] != case.args[1].shape[1]]
    broadcast = _records("a2_forward", check, student(lambda A, W, b: A @ W + np.ones((7, 7))), cases=square,
                         variants=variants)
    assert all("Likely cause" not in m for m in _messages(diagnosis.explain(check, broadcast, None)))
    dot = _records("a2_forward", check, student(lambda A, W, b: np.dot(W, A) + b), cases=square, variants=variants)
    messages = _messages(diagnosis.explain(check, dot, None))
    assert messages and all("Likely cause: the matrix product does not line up" in m for m in messages)


def test_the_self_check_says_a_cause_only_where_it_holds_on_every_failing_public_case(monkeypatch):
    """The self-check (grader/shipped/local.py) judges each public case; a classic bug's cause that names one
    failing case of a check but not another is left out of both, as the grader leaves it out."""
    from grader.shipped import local, wire
    doubled = [("doubled", "the value is doubled", wire.encode(np.array([2.0, 4.0])))]
    cases = [{"id": f"p-f-match-{i}", "part": "p", "module": "m", "function": "f", "check": "values",
              "kind": "match", "args": wire.encode((np.array([1.0, 2.0]),)), "kwargs": wire.encode({}),
              "expected": wire.encode(np.array([1.0, 2.0])), "variants": doubled, "options": wire.encode({}),
              "predict": "", "calls": []} for i in (1, 2)]
    values = {}
    monkeypatch.setattr(local, "load_cases", lambda: cases)
    monkeypatch.setattr(local, "run", lambda module, function, args, kwargs: evaluation.Outcome(
        True, value=values[len(local._JUDGED)]))
    for first, second, named in (([2.0, 4.0], [2.0, 4.0], True), ([2.0, 4.0], [3.0, 6.0], False),
                                 ([2.0, 4.0], [1.0, 2.0], True)):
        local._JUDGED.clear()
        values.update({0: np.array(first), 1: np.array(second)})
        verdict = local.judge_case(cases[0])
        assert not verdict.passed and ("Likely cause: the value is doubled" in verdict.message) is named

"""Public cases are a preview, never the points: each has a hidden twin of the same shape and kind with fresh inputs,
the twins carry the points, and a hidden case's message leaks nothing about its expected value."""
import json
import re
import subprocess
import sys

import numpy as np
import pytest

from conftest import make_submission, part_of
from grader import catalogues
from grader.grading import engine
from grader.shipped import evaluation
from grader.core import paths, references
from grader.core.spec import Assignment, Case, Check, Part, twins

NAMES = catalogues.names()


def _twins_of(part, check, case):
    return [(other_check, other) for other_check, _, other in part.cases()
            if not other.public and twins(check, case, other_check, other)]


def test_a_catalogue_with_a_public_case_and_no_twin_is_refused():
    lonely = Part("p", "P", 1, (Check("match", "m.f", cases=(Case((np.zeros(3),), public=True),
                                                            Case((np.zeros((2, 2)),)))),))
    with pytest.raises(ValueError, match="no hidden twin"):
        Assignment("x", "X", modules=("m",), parts=(lonely,)).check_cases()
    twinned = Part("p", "P", 1, (Check("match", "m.f", cases=(Case((np.zeros(3),), public=True),
                                                             Case(lambda: (np.ones(3),)))),))
    Assignment("x", "X", modules=("m",), parts=(twinned,)).check_cases()


def test_importing_a_catalogue_computes_no_case():
    """A catalogue module's import runs no reference code: the cases that need it are made when first read."""
    code = ("import importlib, sys\n"
            "from grader.core import references\n"
            "def refused(*args, **kwargs):\n"
            "    raise AssertionError('reference code ran while a catalogue was imported')\n"
            "references.modules = refused\n"
            "from grader import catalogues\n"
            "for name in catalogues.names():\n"
            "    importlib.import_module('grader.catalogues.' + name)\n"
            "print('imported', len(catalogues.names()))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("imported")


@pytest.mark.parametrize("name", NAMES)
def test_every_twin_exposes_what_its_public_case_exposes(name):
    """A classic bug the public case catches is caught by a twin as well, so the self-check predicts the grade."""
    spec = catalogues.load(name)
    ref = references.modules(spec)
    for part in spec.parts:
        for check, index, case in part.cases():
            if not case.public or not check.misconceptions:
                continue
            expected = references.expected(spec, check, case)
            for key, _, output in references.variant_outputs(spec, check, case):
                if output is None or evaluation.mismatch(output, expected) is None:
                    continue
                caught = []
                for twin_check, twin in _twins_of(part, check, case):
                    twin_expected = references.expected(spec, twin_check, twin)
                    twin_outputs = {k: o for k, _, o in references.variant_outputs(spec, twin_check, twin)}
                    caught.append(twin_outputs.get(key) is None
                                  or evaluation.mismatch(twin_outputs[key], twin_expected) is not None)
                assert any(caught), f"{name}/{part.key}: {key} is caught on public case {index + 1} but no twin"
    assert ref is not None


def _lookup_module(spec, module):
    """A module that answers every public case from the self-check's own file and returns zeros otherwise: a student
    who copied the public answers into their code."""
    cases = json.loads((paths.ASSIGNMENTS / spec.name / "_selfcheck" / "cases.json").read_text(encoding="utf-8"))
    table = {}
    for case in cases:
        if case["module"] == module:
            table.setdefault(case["function"], []).append([case["args"], case["expected"], case["kind"]])
    lines = ["import base64, json", "import numpy as np", f"TABLE = json.loads({json.dumps(json.dumps(table))})", """

def _decode(d):
    if isinstance(d, dict):
        if "__ndarray__" in d:
            raw = base64.b64decode(d["__ndarray__"])
            return np.frombuffer(raw, dtype=d["dtype"]).reshape(d["shape"]).copy()
        if "__float__" in d:
            return float(d["__float__"])
        if "__int__" in d:
            return int(d["__int__"])
        if "__npscalar__" in d:
            return float(d["value"])
        if "__seq__" in d:
            items = [_decode(i) for i in d["items"]]
            return tuple(items) if d["__seq__"] == "tuple" else items
        if "__dict__" in d:
            return {k: _decode(v) for k, v in d["__dict__"].items()}
        return None
    return d


def _same(a, b):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape and np.array_equal(a, b)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b


def _zeros_like(v):
    if isinstance(v, np.ndarray):
        return np.zeros_like(v)
    if isinstance(v, (list, tuple)):
        return type(v)(_zeros_like(x) for x in v)
    if isinstance(v, dict):
        return {k: _zeros_like(x) for k, x in v.items()}
    return 0.0 if isinstance(v, float) else v


def _answer(name, args):
    rows = TABLE[name]
    for stored_args, expected, kind in rows:
        if _same(_decode(stored_args), tuple(args)):
            return _copied(_decode(expected), kind)
    return _zeros_like(_copied(_decode(rows[0][1]), rows[0][2]))


def _copied(expected, kind):
    # a converge case stores the reference run: hand back its trained parameters and history
    return (expected["params"], expected["history"]) if kind == "converge" and "params" in expected else expected
"""]
    for function in sorted(table):
        lines.append(f"\n\ndef {function}(*args, **kwargs):\n    return _answer({function!r}, args)\n")
    return "\n".join(lines)


@pytest.mark.parametrize("name", NAMES)
def test_copying_the_public_answers_earns_nothing(name, tmp_path):
    spec = catalogues.load(name)
    edits = {f"{module}.py": _lookup_module(spec, module) for module in spec.modules}
    report = engine.grade(name, make_submission(tmp_path / name, name, edits))
    public = [case for part in report.parts for case in part.cases if case.public]
    # the control: the copied answers do pass the public cases they copied (a converge check may be judged on more
    # than the copy, so the count allows a few)
    assert sum(case.passed for case in public) >= 0.8 * len(public), [c.message for c in public if not c.passed]
    assert report.score == 0, {part.key: part.score for part in report.parts if part.score}


def test_a_train_that_returns_the_public_runs_weights_scores_nothing_on_the_tasks(tmp_path):
    """The public XOR and diamond runs' trained weights, returned without any training, fail every hidden run."""
    name = "a3_backprop"
    spec = catalogues.load(name)
    stored = {}
    for part_key in ("xor", "diamond"):
        check = spec.part(part_key).checks[0]
        expected = references.expected(spec, check, check.cases[0])
        stored[check.cases[0].args[0].shape[1]] = [[W.tolist(), b.tolist()] for W, b in expected["params"]]
    code = (f"    weights = {stored!r}[X.shape[1]]\n"
            "    return [(np.array(W), np.array(b)) for W, b in weights], "
            "{'loss': np.zeros(epochs), 'accuracy': np.zeros(epochs)}\n")
    edits = {"training.py": [("def train(", "def _unused_train(")]}
    folder = make_submission(tmp_path / "handmade", name, edits)
    with open(folder / "training.py", "a", encoding="utf-8") as handle:
        handle.write("\n\ndef train(X, Y, params, activations, learning_rate, epochs, batch_size=None, rng=None):\n"
                     + code)
    report = engine.grade(name, folder)
    for key in ("xor", "diamond"):
        part = part_of(report, key)
        assert part.score == 0, [c.message for c in part.cases]
        assert not any(c.passed for c in part.cases), "no run, public or hidden, is made of train_step's steps"
    # the relabelled hidden runs alone, with the runs not watched step by step: the copied weights pass the public
    # run only
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine, "_chain", lambda *args: None)
        report = engine.grade(name, folder)
    for key in ("xor", "diamond"):
        part = part_of(report, key)
        assert part.score == 0, [c.message for c in part.cases]
        assert all(c.passed for c in part.cases if c.public), "the control: the copied weights pass the public run"


def test_a_hidden_case_message_quotes_nothing_derived_from_the_expected_value(tmp_path):
    """A near miss on every case: the public messages say by how much, the hidden ones only what was returned."""
    name = "a1_neuron_gd"
    edits = {"gradient_descent.py": [("    return float(np.mean(residual ** 2))",
                                      "    return float(np.mean(residual ** 2)) + 0.001")]}
    report = engine.grade(name, make_submission(tmp_path / "near", name, edits))
    cases = [c for c in part_of(report, "mse_loss").cases if not c.passed]
    public = [c.message for c in cases if c.public]
    hidden = [c.message for c in cases if not c.public]
    assert public and hidden
    assert all("the value differs: expected" in message for message in public), public
    assert not any("largest difference" in message or "expected" in message for message in hidden), hidden
    assert all("the value differs" in message for message in hidden), hidden


def test_a_hidden_gradient_check_does_not_quote_its_relative_error():
    got, numerical = np.array([1.0, 2.0]), np.array([1.0, 2.5])
    shown = evaluation.judge("gradient", evaluation.Outcome(True, value=got), numerical, public=True).message
    hidden = evaluation.judge("gradient", evaluation.Outcome(True, value=got), numerical, public=False).message
    assert "relative error 0.11" in shown
    assert "0.11" not in hidden and "not below" in hidden


# -- a hidden case's feedback carries none of its inputs -------------------------------------------------------------
LEAKS = {
    "backprop.py": '''

def output_delta(A_out, Y):
    raise ValueError("LEAK" + repr(A_out))


def hidden_delta(delta_next, W_next, Z, activation):
    raise type("LEAK" + "_".join(f"{v:.6f}" for v in Z.ravel()[:4]), (Exception,), {})()


def layer_gradients(A_prev, delta):
    import linecache, sys
    name = sys._getframe().f_code.co_filename
    linecache.cache[name] = (1, None, ["LEAK" + repr(A_prev.ravel()[:4].tolist()) + "\\n"] * 10000, name)
    raise ValueError("x")


def backward(Y, params, cache, activations):
    return np.zeros((0, int(abs(Y[0, 0] * 7 + cache["A"][0][0, 0] * 1e6)) % 10 ** 6 + 1))
''',
    "training.py": '''

def gd_step(params, grads, learning_rate):
    return params


def train_step(X, Y, params, activations, learning_rate):
    import sys
    sys.exit("LEAK" + repr(X[0].tolist()))
'''}


#: the marker followed by what the code put after it (the code's own line has a quote there)
LEAKED = re.compile(r'LEAK[^"]')


def _leaking(tmp_path):
    """The stubs, with each function below written to send its inputs back through the feedback: in an exception's
    message, a class's name, a forged traceback line, the shape of what it returns, the values it returns, and the
    argument of sys.exit."""
    folder = make_submission(tmp_path / "leaking", "a3_backprop", stub=True)
    for name, code in LEAKS.items():
        with open(folder / name, "a", encoding="utf-8") as handle:
            handle.write(code)
    return folder


def _numbers(value):
    """How the numbers of a case's arguments would read in a message: six digits after the point, repr, the
    grader's own format, and the size the leaking backward above makes."""
    arrays = [value] if isinstance(value, np.ndarray) else []
    if isinstance(value, (tuple, list)):
        arrays = [a for item in value for a in _flat(item)]
    if isinstance(value, dict):
        arrays = [a for item in value.values() for a in _flat(item)]
    found = set()
    for array in arrays:
        for number in np.asarray(array, dtype=np.float64).ravel()[:4]:
            found |= {f"{number:.6f}", repr(float(number)), evaluation._fmt(number)}
    return {text for text in found if len(text.strip("-0.")) >= 3}


def _flat(value):
    if isinstance(value, np.ndarray):
        return [value]
    if isinstance(value, (tuple, list)):
        return [a for item in value for a in _flat(item)]
    if isinstance(value, dict):
        return [a for item in value.values() for a in _flat(item)]
    return []


def test_a_hidden_cases_feedback_carries_none_of_its_inputs(tmp_path):
    """Each channel shows the public cases' inputs (the control) and none of the hidden cases' numbers."""
    spec = catalogues.load("a3_backprop")
    report = engine.grade("a3_backprop", _leaking(tmp_path))
    keys = ("output_delta", "hidden_delta", "layer_gradients", "backward", "gd_step", "train_step")
    for key in keys:
        for result, (check, _, case) in zip(part_of(report, key).cases, spec.part(key).cases()):
            assert not result.passed
            if result.public:
                continue
            assert not LEAKED.search(result.message), result.message
            secrets = _numbers(case.args)
            if key == "backward":
                Y, _, cache, _ = case.args
                secrets.add(str(int(abs(Y[0, 0] * 7 + cache["A"][0][0, 0] * 1e6)) % 10 ** 6 + 1))
            assert not [s for s in secrets if s in result.message], (result.message, secrets)
    shown = {key: [c.message for c in part_of(report, key).cases if not c.public] for key in keys}
    assert all("raised ValueError at backprop.py:" in m for m in shown["output_delta"]), shown["output_delta"]
    assert all("an exception of a class of its own" in m for m in shown["hidden_delta"]), shown["hidden_delta"]
    assert all('raise ValueError("x")' in m for m in shown["layer_gradients"]), shown["layer_gradients"]
    assert all("called sys.exit;" in m for m in shown["train_step"]), shown["train_step"]
    public = [c.message for key in ("output_delta", "hidden_delta", "layer_gradients", "train_step")
              for c in part_of(report, key).cases if c.public]
    assert public and all(LEAKED.search(message) for message in public), public


def test_control_with_hidden_failures_said_as_public_ones_the_inputs_leak(tmp_path, monkeypatch):
    """The same submission, with a hidden case's failure said as a public one's and its places as the worker
    reported them: the hidden inputs are in the feedback."""
    said = evaluation.failure_message
    monkeypatch.setattr(evaluation, "failure_message", lambda outcome, function, reveal=True: said(outcome, function))
    monkeypatch.setattr(engine.redaction, "hidden", lambda outcome, *args: outcome)
    spec = catalogues.load("a3_backprop")
    report = engine.grade("a3_backprop", _leaking(tmp_path))
    for key in ("output_delta", "hidden_delta", "layer_gradients", "train_step"):
        hidden = [(result.message, case) for result, (_, _, case) in zip(part_of(report, key).cases,
                                                                          spec.part(key).cases()) if not result.public]
        assert hidden and all(LEAKED.search(message) for message, _ in hidden), hidden
    output_delta = [(r.message, case) for r, (_, _, case) in zip(part_of(report, "output_delta").cases,
                                                                 spec.part("output_delta").cases()) if not r.public]
    assert any(any(s in message for s in _numbers(case.args)) for message, case in output_delta), output_delta

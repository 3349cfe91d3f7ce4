"""A real A1 submission whose code puts a lone surrogate (``"\\ud800"``) in what its process sends the grader, and
what every grading path must make of it, for the tests of each path (tests/test_surrogates.py, test_gradescope.py,
test_prairielearn.py).

JSON spells a lone surrogate ``"\\ud800"``; Python's parser turns that into a str which no UTF-8 writer can write.
The submission puts one in three places that reach a results file:

- ``neuron.xor_gate`` raises ``ValueError("bad \\ud800 text")``: an exception's text;
- ``neuron.sigmoid`` warns ``"careful \\ud800"`` and returns the right values: a warning, which its robust check
  quotes;
- ``neuron.neuron`` raises from a function whose code object is named ``"\\ud800"``: a traceback's frame.

Every other function is the solution's, so every other case passes.
"""
import json
import re

from conftest import make_submission, solution_anchor

A1 = "a1_neuron_gd"
SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"
HIT = {"neuron.xor_gate", "neuron.sigmoid", "neuron.neuron"}
#: What each hit part's output holds, the surrogate made U+FFFD: the student's own words, in any language.
SHOWN = {"gates": ("bad \ufffd text",), "sigmoid": ("careful \ufffd",), "neuron": ("\ufffd",)}


def _at_start(function, code):
    """An edit that runs ``code`` first in ``function``, from its solution block's first line."""
    anchor = solution_anchor(A1, "neuron", function)
    return anchor, anchor + "".join(f"    {line}\n" for line in code.strip("\n").splitlines())


EDITS = {"neuron.py": [
    _at_start("xor_gate", 'raise ValueError("bad \\ud800 text")'),
    _at_start("sigmoid", 'import warnings\nwarnings.warn("careful \\ud800")'),
    _at_start("neuron", 'def named():\n    raise ValueError("from a frame")\n'
                            'named.__code__ = named.__code__.replace(co_name="\\ud800")\nnamed()'),
]}


def build(folder):
    """The hostile submission, in ``folder``."""
    return make_submission(folder, A1, EDITS)


def strings(value):
    """Every str in a JSON-like value, dict keys included."""
    pending, found = [value], []
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            found.extend(key for key in item if isinstance(key, str))
            pending.extend(item.values())
        elif isinstance(item, (list, tuple)):
            pending.extend(item)
    return found


def surrogates(value):
    """The strs in ``value`` that hold a surrogate."""
    return [text for text in strings(value) if SURROGATE.search(text)]


def read_valid(path):
    """A results file, read as strict UTF-8 (a surrogate written with 'surrogatepass' would fail here)."""
    return json.loads(path.read_bytes().decode("utf-8"))


def assert_graded(outputs, score, expected_score):
    """``outputs`` ({part key: output}) show the student's words with U+FFFD, nothing holds a surrogate, and the
    score is the one the engine gives in this process (``expected_score``): the hostile cases fail, nothing else."""
    assert not surrogates(outputs)
    for key, words in SHOWN.items():
        for word in words:
            assert word in outputs[key], (key, outputs[key])
    assert score == expected_score

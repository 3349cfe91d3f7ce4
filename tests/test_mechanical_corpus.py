"""The mechanical mutants (benchmarks/mechanical/) are a fixed corpus of real bugs: the generator is deterministic and
survives a reformatting of the solutions, enough mutants remain once the equivalent ones are left out, the two
halves share no edit, and a mutant the probe keeps really computes something else than the solution."""
import ast
import hashlib
import json
import subprocess
import sys

import pytest

import mechanical
import mechanical_accuracy
from grader.core import paths
from mechanical import edits as edit_ops
from mechanical import inputs, replay


@pytest.fixture(scope="module")
def built():
    return mechanical.build(jobs=2)


def test_the_generator_is_deterministic():
    for assignment in mechanical.ASSIGNMENTS:
        first = [m.key for m in mechanical.generate(assignment)]
        assert first == [m.key for m in mechanical.generate(assignment)]
        assert len(first) == len(set(first)), "two edits share a key"


def test_an_edit_survives_a_reformatting_of_the_solution():
    source = mechanical.module_source("a2_forward", "losses")
    # the same code laid out otherwise: comments and blank lines added, a statement split over two lines
    reformatted = ("# a comment the generator must not care about\n\n\n" + source.replace(
        "    return shifted / shifted.sum(axis=-1, keepdims=True)\n",
        "    return (shifted\n            / shifted.sum(axis=-1,\n                          keepdims=True))\n"))
    assert reformatted != source
    found = edit_ops.edits_of("losses", source, "softmax", mechanical.siblings("a2_forward", "losses"))
    again = edit_ops.edits_of("losses", reformatted, "softmax", mechanical.siblings("a2_forward", "losses"))
    assert [e.key for e in found] == [e.key for e in again]
    for edit in found:
        one = edit_ops.functions(edit_ops.apply(source, [edit]))["softmax"]
        other = edit_ops.functions(edit_ops.apply(reformatted, [edit]))["softmax"]
        assert ast.dump(one) == ast.dump(other), edit.key
        assert ast.dump(one) != ast.dump(edit_ops.functions(source)["softmax"]), edit.key


def test_edits_stay_inside_the_solution_regions():
    for assignment in mechanical.ASSIGNMENTS:
        for mutant in mechanical.generate(assignment):
            edit = mutant.edits[0]
            source = mechanical.module_source(assignment, edit.module)
            first, last = edit_ops.region_of(source, edit.function)
            assert first < edit.line < last, edit.label
            assert edit.qualname in mechanical.graded_functions(assignment)
            assert f"in {edit.qualname}, line {edit.line}" in edit.label and " → " in edit.label


def test_enough_mutants_remain_in_two_halves_that_share_no_edit(built):
    kept = [entry for entry in built if entry.kept]
    assert len(kept) >= 300
    halves = {half: [e for e in kept if e.mutant.half == half] for half in ("dev", "val")}
    assert all(len(found) >= len(kept) // 3 for found in halves.values()), {h: len(f) for h, f in halves.items()}
    for entry in built:
        mutant = entry.mutant
        assert {edit.half() for edit in mutant.edits} == {mutant.half}, mutant.key
        digest = hashlib.sha256(mutant.edits[0].key.encode("utf-8")).digest()[0]
        assert mutant.half == ("dev" if digest % 2 == 0 else "val")
    shapes = {e.mutant.shape for e in kept}
    assert shapes == {"one edit", "two edits in one function", "two edits in two functions"}
    assert any(e.status == mechanical.EQUIVALENT for e in built), "the probe left nothing out"
    assert not any(e.kept for e in built if e.status == mechanical.EQUIVALENT)


# Run in a child: the mutated functions' outputs on their random draws, pickled, hex on stdout.
CALL = """
import pickle, sys
sys.path[:0] = [sys.argv[1], sys.argv[2]]
from mechanical import inputs
module, name = sys.argv[3].split(".", 1)
function = getattr(__import__(module), name)
out = []
for args, kwargs in inputs.draws(sys.argv[3], int(sys.argv[4])):
    try:
        out.append(("value", function(*args, **kwargs)))
    except Exception as exc:
        out.append(("raised", type(exc).__name__))
sys.stdout.write(pickle.dumps(out).hex())
"""


def _outputs(folder, qualname, count):
    import pickle
    done = subprocess.run([sys.executable, "-c", CALL, str(folder), str(paths.ROOT / "benchmarks"), qualname,
                           str(count)], capture_output=True, text=True, timeout=120, check=True)
    return pickle.loads(bytes.fromhex(done.stdout))


def _same(first, second):
    import numpy as np
    if first[0] != second[0]:
        return False
    if first[0] == "raised":
        return first[1] == second[1]
    try:
        return json.dumps(first[1], default=repr) == json.dumps(second[1], default=repr) or bool(
            np.allclose(np.asarray(first[1], dtype=float), np.asarray(second[1], dtype=float), rtol=1e-9,
                        atol=1e-12, equal_nan=True))
    except (TypeError, ValueError):
        return False


def test_a_sample_of_kept_mutants_changes_what_a_graded_function_returns(built, tmp_path):
    kept = sorted((e for e in built if e.status == mechanical.DIFFERS and e.mutant.shape == "one edit"
                   and ("returns another value" in e.detail or "raises" in e.detail)),
                  key=lambda e: hashlib.sha256(e.mutant.key.encode("utf-8")).digest())
    sample = [next(e for e in kept if e.mutant.assignment == a) for a in mechanical.ASSIGNMENTS] + kept[:5]
    for index, entry in enumerate(sample):
        mutant = entry.mutant
        qualname = mutant.functions[0]
        folder = mechanical.make_submission(tmp_path / f"m{index}", mutant)
        solution = mechanical.make_submission(tmp_path / f"s{index}", mechanical.Mutant(mutant.assignment, ()))
        for module, owner in mechanical._spec(mutant.assignment).provided.items():
            for target in (folder, solution):
                (target / f"{module}.py").write_text(mechanical.module_source(mutant.assignment, module))
        count = 12
        got, expected = _outputs(folder, qualname, count), _outputs(solution, qualname, count)
        assert not all(_same(g, e) for g, e in zip(got, expected)), mutant.label


def test_every_graded_function_has_random_inputs():
    for assignment in mechanical.ASSIGNMENTS:
        for qualname in mechanical.graded_functions(assignment):
            assert len(inputs.draws(qualname, 3)) == 3


def _mutant(assignment, label_part):
    return next(m for m in mechanical.generate(assignment) if label_part in m.label)


def test_the_replay_tells_a_hint_that_holds_from_one_that_does_not():
    mutant = _mutant("a2_forward", "shifted.sum(axis=-1, keepdims=True) → shifted.sum(axis=-1) in losses.softmax")
    # the softmax part's first check ("batch"), its public case: (5, 3) / (5,) does not broadcast
    assert replay.replay(mutant, [("softmax", 0, 0, "softmax_keepdims"), ("softmax", 0, 0, "softmax_axis"),
                                  ("softmax", 0, 0, "a relation the catalogue does not know")]) == [
        replay.HOLDS, replay.FAILS, replay.UNCHECKED]


def test_a_mechanical_mutant_is_graded_by_the_engine_and_its_hint_checked():
    mutant = _mutant("a2_forward", "shifted.sum(axis=-1, keepdims=True) → shifted.sum(axis=-1) in losses.softmax")
    graded = mechanical_accuracy.grade_one(mechanical.Entry(mutant, mechanical.DIFFERS))
    assert graded.caught and graded.named and not graded.wrong and not graded.blind_spot
    assert any(function == "losses.softmax" and "keepdims" in text and verdict == replay.HOLDS
               for function, text, verdict in graded.hints)


def test_the_same_exception_alone_does_not_make_a_hint_hold():
    # A * W fails to broadcast, as A @ W + b[:, None] does, but with other shapes in its message
    mutant = _mutant("a2_forward", "np.asarray(A_prev, dtype=np.float64) @ np.asarray(W, dtype=np.float64) → "
                                   "np.asarray(A_prev, dtype=np.float64) * np.asarray(W, dtype=np.float64)")
    assert replay.replay(mutant, [("forward", 0, 0, "bias_column")]) == [replay.FAILS]

"""Reference outputs are computed once into a private cache, rebuilt when anything that decides them changes, and
never computed for a case whose student call failed."""
import json
import os
import shutil
import stat
import subprocess
import sys

import numpy as np
import pytest

from conftest import cli_env, make_submission
from grader import catalogues
from grader.core import paths, references
from grader.grading import engine, reference_cache
from grader.shipped import wire

NAME = "a3_backprop"


@pytest.fixture
def empty_cache(tmp_path, monkeypatch):
    """A fresh cache folder, and no in-process memory of an earlier one."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(reference_cache.VARIABLE, str(folder))
    reference_cache.for_assignment.cache_clear()
    yield folder
    reference_cache.for_assignment.cache_clear()


def _forbid_reference_work(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("reference work was done")
    monkeypatch.setattr(references, "expected", refuse)
    monkeypatch.setattr(references, "variant_outputs", refuse)


def test_the_cache_is_built_once_and_then_grading_does_no_reference_work(empty_cache, monkeypatch):
    first = engine.grade(NAME, paths.SOLUTIONS / NAME)
    files = list(empty_cache.glob(f"{NAME}-*.json"))
    assert len(files) == 1 and first.score == first.max_score
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600 and stat.S_IMODE(empty_cache.stat().st_mode) == 0o700
    reference_cache.for_assignment.cache_clear()  # as a new process would start
    _forbid_reference_work(monkeypatch)
    again = engine.grade(NAME, paths.SOLUTIONS / NAME)
    assert [(p.key, p.score) for p in again.parts] == [(p.key, p.score) for p in first.parts]
    assert [c.message for p in again.parts for c in p.cases] == [c.message for p in first.parts for c in p.cases]


def test_a_failed_call_needs_no_reference_work(empty_cache, monkeypatch):
    _forbid_reference_work(monkeypatch)
    report = engine.grade(NAME, paths.ASSIGNMENTS / NAME)
    assert report.score == 0 and all("not implemented yet" in c.message for p in report.parts for c in p.cases)
    assert not list(empty_cache.glob("*.json")), "the stubs made the grader build references"
    assert report.runs == {}, "a failed training call has no run to plot"


def test_cached_values_equal_fresh_ones(empty_cache):
    spec = catalogues.load(NAME)
    stored = reference_cache.for_assignment(NAME)
    for part in spec.parts:
        for check_index, check in enumerate(part.checks):
            for case_index, case in enumerate(check.cases):
                expected, variants = stored.outputs(part.key, check_index, case_index)
                fresh = references.expected(spec, check, case)
                assert _equal(expected, fresh), f"{part.key}/{check_index}/{case_index}"
                assert [key for key, _, _ in variants] == [m.key for m in check.misconceptions]


def test_the_key_follows_the_solutions_the_data_and_numpy(tmp_path, monkeypatch):
    spec = catalogues.load(NAME)
    before = reference_cache.key(spec)
    assert reference_cache.key(spec) == before
    monkeypatch.setattr(np, "__version__", "0.0.0")
    assert reference_cache.key(spec) != before
    monkeypatch.undo()
    copy = tmp_path / "kit"
    for folder in ("solutions", "data"):
        shutil.copytree(paths.ROOT / folder, copy / folder)
    monkeypatch.setattr(paths, "SOLUTIONS", copy / "solutions")
    monkeypatch.setattr(paths, "DATA", copy / "data")
    monkeypatch.setattr(paths, "ROOT", copy)
    same = reference_cache.key(spec)
    module = copy / "solutions" / NAME / "training.py"
    module.write_text(module.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert reference_cache.key(spec) != same
    module = copy / "solutions" / "a2_forward" / "forward.py"  # a provided module's origin counts too
    changed = reference_cache.key(spec)
    module.write_text(module.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert reference_cache.key(spec) != changed
    data = copy / "data" / "xor.csv"
    changed = reference_cache.key(spec)
    data.write_text(data.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert reference_cache.key(spec) != changed


def test_a_stale_or_broken_file_is_rebuilt_and_the_stale_one_removed(empty_cache):
    spec = catalogues.load("a1_neuron_gd")
    empty_cache.mkdir(mode=0o700)
    stale = empty_cache / "a1_neuron_gd-0123456789abcdef0123456789abcdef.json"
    stale.write_text("{}")
    current = empty_cache / f"a1_neuron_gd-{reference_cache.key(spec)}.json"
    current.write_text('{"key": "truncated')
    report = engine.grade("a1_neuron_gd", paths.SOLUTIONS / "a1_neuron_gd")
    assert report.score == report.max_score
    assert not stale.exists() and json.loads(current.read_text())["key"] == reference_cache.key(spec)


def test_the_cli_builds_the_cache_where_it_is_told_and_nowhere_in_the_kit(tmp_path):
    before = sorted(str(p) for p in paths.ROOT.rglob("*.json") if ".git" not in p.parts)
    folder = tmp_path / "elsewhere"
    done = subprocess.run([sys.executable, "-m", "grader", "references", "a1_neuron_gd"], capture_output=True,
                          text=True, env=cli_env(**{reference_cache.VARIABLE: str(folder)}), timeout=300)
    assert done.returncode == 0, done.stderr
    assert len(list(folder.glob("a1_neuron_gd-*.json"))) == 1 and str(folder) in done.stderr
    assert sorted(str(p) for p in paths.ROOT.rglob("*.json") if ".git" not in p.parts) == before


def test_the_default_folder_is_the_users_cache(monkeypatch, tmp_path):
    monkeypatch.delenv(reference_cache.VARIABLE, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert reference_cache.folder() == tmp_path / "nnkit" / "references"


def test_the_student_process_cannot_read_the_cache(tmp_path, empty_cache):
    engine.grade("a1_neuron_gd", paths.SOLUTIONS / "a1_neuron_gd")
    cache_file = next(empty_cache.glob("a1_neuron_gd-*.json"))
    assert cache_file.read_text()[:1] == "{", "the control: this user can read it"
    probe = (f"    try:\n        open({str(cache_file)!r}).read(10)\n        return 'read'\n"
             f"    except OSError:\n        return 'refused'\n")
    folder = make_submission(tmp_path / "probe", "a1_neuron_gd",
                             edits={"neuron.py": [("def xor_gate(", f"def peek():\n{probe}\n\ndef xor_gate(")]})
    from grader.sandbox.runner import Sandbox
    spec = catalogues.load("a1_neuron_gd")
    with Sandbox(engine.staged_files(spec, engine.read_modules(spec, folder))) as sandbox:
        outcome = sandbox.call("neuron", "peek")
    assert outcome.ok and outcome.value == "refused"


def _equal(a, b):
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b,
                                                                                                        equal_nan=True)
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    return a == b or (a != a and b != b)


def test_an_unwritable_cache_costs_speed_never_a_grade(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv(reference_cache.VARIABLE, str(blocker / "cache"))
    reference_cache.for_assignment.cache_clear()
    try:
        report = engine.grade("a1_neuron_gd", paths.SOLUTIONS / "a1_neuron_gd")
    finally:
        reference_cache.for_assignment.cache_clear()
    assert report.score == report.max_score
    assert "cannot be written" in capsys.readouterr().err


# -- the cache's integrity -----------------------------------------------------------------------------------------
A1 = "a1_neuron_gd"


def _built(empty_cache):
    """The path and document of A1's cache file, built by grading the solution (which scores full marks)."""
    report = engine.grade(A1, paths.SOLUTIONS / A1)
    assert report.score == report.max_score
    path = next(empty_cache.glob(f"{A1}-*.json"))
    return path, json.loads(path.read_text(encoding="utf-8"))


def _first_array_case(document):
    """The id of the first hidden case (one that carries points) whose expected value is an array."""
    hidden = {f"{part.key}/{check_index}/{case_index}" for part in catalogues.load(A1).parts
              for check_index, check in enumerate(part.checks) for case_index, case in enumerate(check.cases)
              if not case.public}
    return next(case_id for case_id, case in document["cases"].items()
                if case_id in hidden and "__ndarray__" in case["expected"])


def _zeroed(document):
    """``document`` with one expected array made zeros: a value the solution no longer matches."""
    case_id = _first_array_case(document)
    expected = wire.decode(document["cases"][case_id]["expected"])
    document["cases"][case_id]["expected"] = wire.encode(np.zeros_like(expected) + 7.0)
    return document


def _missing(document):
    del document["cases"][_first_array_case(document)]
    return document


def _undecodable(document):
    document["cases"][_first_array_case(document)]["expected"] = {"__ndarray__": "not base64!", "dtype": "float64",
                                                                  "shape": [2]}
    return document


def _regrade(path, document, capsys, digest=False):
    """Write ``document`` over the cache file (with a digest of its cases if ``digest``), then grade the solution
    as a new process would; return (report, what it said on standard error)."""
    if digest:
        document["digest"] = reference_cache.content_digest(document["cases"])
    path.write_text(json.dumps(document), encoding="utf-8")
    reference_cache.for_assignment.cache_clear()
    capsys.readouterr()
    report = engine.grade(A1, paths.SOLUTIONS / A1)
    return report, capsys.readouterr().err


@pytest.mark.parametrize("damage, digest, said", [
    (_zeroed, False, "its cases do not match its digest"),  # a value edited by hand
    (_missing, True, "1 missing, 0 unknown, 0 malformed"),  # a case missing, the digest made to fit
    (lambda document: "{" + json.dumps(document)[:5000], None, "cannot be read as JSON"),  # a file cut short
], ids=["edited", "missing", "cut"])
def test_a_damaged_cache_is_computed_again_and_the_grade_stays(empty_cache, capsys, damage, digest, said):
    path, document = _built(empty_cache)
    if digest is None:
        path.write_text(damage(document), encoding="utf-8")
        reference_cache.for_assignment.cache_clear()
        capsys.readouterr()
        report, err = engine.grade(A1, paths.SOLUTIONS / A1), capsys.readouterr().err
    else:
        report, err = _regrade(path, damage(document), capsys, digest)
    assert report.score == report.max_score
    lines = [line for line in err.splitlines() if "reference cache" in line]
    assert len(lines) == 1 and "failed its check" in lines[0] and said in lines[0], err
    rebuilt = json.loads(path.read_text(encoding="utf-8"))
    assert rebuilt["digest"] == reference_cache.content_digest(rebuilt["cases"])
    assert reference_cache.check_cases(catalogues.load(A1), rebuilt["cases"]) == ""


def test_a_value_that_cannot_be_decoded_is_computed_again_for_its_case(empty_cache, capsys):
    path, document = _built(empty_cache)
    report, _ = _regrade(path, _undecodable(document), capsys, digest=True)
    assert report.score == report.max_score


def test_control_an_edited_value_with_a_digest_to_fit_changes_the_grade(empty_cache, capsys):
    """What the digest stops: without it (or with one recomputed to fit, which needs write access to the grader's
    own cache) an edited value changes the grade, silently."""
    path, document = _built(empty_cache)
    report, err = _regrade(path, _zeroed(document), capsys, digest=True)
    assert report.score < report.max_score and "reference cache" not in err


def test_control_without_the_case_check_a_missing_case_crashes_grading(empty_cache, capsys, monkeypatch):
    path, document = _built(empty_cache)
    monkeypatch.setattr(reference_cache, "check_cases", lambda assignment, cases: "")
    with pytest.raises(KeyError):
        _regrade(path, _missing(document), capsys, digest=True)

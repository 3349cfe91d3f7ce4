"""One error that stops a student module from importing (a syntax error, a bad import) is said once: one sentence
naming the file, the line and the error, at the top of what the student reads (``nnkit grade``'s table, the
results.json Gradescope and PrairieLearn show) and as the self-check's single failure. The parts of that module say
in one line that their checks did not run; the tasks blame no function; and the student's other modules are graded
as far as they can be (a placeholder of the broken module lets them import)."""
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader import catalogues
from grader.core import paths
from grader.reports import results

A3 = "a3_backprop"
ROOT = Path(__file__).resolve().parents[1]
SIGNATURE = "def layer_gradients(A_prev, delta):"


def submission_with(folder, broken_source):
    """The released a3 folder (self-check included) holding the solutions, with backprop.py as ``broken_source``
    makes it from the solution's source."""
    shutil.copytree(paths.ASSIGNMENTS / A3, folder)
    for module in ("backprop", "training"):
        shutil.copyfile(paths.SOLUTIONS / A3 / f"{module}.py", folder / f"{module}.py")
    source = (folder / "backprop.py").read_text(encoding="utf-8")
    (folder / "backprop.py").write_text(broken_source(source), encoding="utf-8")
    return folder


def syntax_error(source):
    assert source.count(SIGNATURE) == 1
    return source.replace(SIGNATURE, SIGNATURE.replace("):", ":"))


def bad_import(source):
    return source.replace("import numpy as np\n", "import numpy as np\nfrom numpy import no_such_name\n", 1)


def line_of(folder, text):
    lines = (folder / "backprop.py").read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


def grade(folder, tmp_path, *extra):
    out = tmp_path / "results.json"
    done = subprocess.run([sys.executable, "-m", "grader", "grade", "--assignment", A3, "--out", str(out), *extra,
                           str(folder)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stderr, json.loads(out.read_text(encoding="utf-8"))


@pytest.mark.parametrize("broken, error, marker", [
    (syntax_error, "SyntaxError", "def layer_gradients(A_prev, delta:"),
    (bad_import, "ImportError", "from numpy import no_such_name"),
])
def test_one_banner_names_the_file_the_line_and_the_error(tmp_path, broken, error, marker):
    folder = submission_with(tmp_path / "student", broken)
    line = line_of(folder, marker)
    table, document = grade(folder, tmp_path)
    banner = list(document["extra_data"]["broken"].values())
    assert list(document["extra_data"]["broken"]) == ["backprop.py"]
    assert len(banner) == 1 and banner[0].startswith("backprop.py could not be imported: " + error)
    assert re.search(rf"\b(line {line}|backprop\.py:{line})\b", banner[0]), banner[0]
    # said once, first: in the CLI's table and in results.json's output (Gradescope's and PrairieLearn's message)
    assert table.splitlines()[0] == banner[0] and table.count(error) == 1
    assert document["output"].splitlines()[0] == banner[0]
    assert results.to_prairielearn(document)["message"].splitlines()[0] == banner[0]
    tests = {test["extra_data"]["part"]: test for test in document["tests"]}
    for key in ("output_delta", "hidden_delta", "layer_gradients", "backward", "xor", "diamond"):
        output = tests[key]["output"]
        assert tests[key]["score"] == 0 and error not in output, output
        assert [line for line in output.splitlines() if line.startswith("✗")] == [
            re.search(r"✗ \d+ checks did not run: backprop\.py could not be imported \(the error is at the top\)\.",
                      output)[0]], output
        assert "Fix " not in output and "would break" not in output and not re.search(r"backprop\.\w+\(", output)
    # training.py imports backprop; its parts are graded with the reference standing in for backward
    for key in ("gd_step", "train_step", "train"):
        assert tests[key]["score"] == tests[key]["max_score"], tests[key]["output"]


def test_the_chinese_table_says_it_in_chinese_and_lines_up(tmp_path):
    folder = submission_with(tmp_path / "student", syntax_error)
    table, _ = grade(folder, tmp_path, "--lang", "zh")
    first, *rows = table.splitlines()
    assert first.startswith("无法导入 backprop.py：SyntaxError")
    from grader.text import width
    # every row's " / " sits in the same terminal column, Chinese characters being two columns wide
    starts = {width(row[:row.index(" / ")]) for row in rows}
    assert len(rows) == len(catalogues.load(A3).parts) + 1 and len(starts) == 1, rows


def test_the_self_check_fails_once_for_the_module(tmp_path):
    folder = submission_with(tmp_path / "student", syntax_error)
    line = line_of(folder, "def layer_gradients(A_prev, delta:")
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rfs", "-p", "no:cacheprovider"], cwd=folder,
                          capture_output=True, text=True, timeout=300)
    output = done.stdout
    assert done.returncode == 1, output
    failed = re.findall(r"^FAILED (\S+)", output, re.MULTILINE)
    assert failed == ["test_selfcheck.py::test_module_imports[backprop]"], output
    assert f"backprop.py could not be imported: SyntaxError: '(' was never closed (backprop.py, line {line})" in output
    assert "fails its own public checks" not in output
    assert "SKIPPED" in output and "backprop.py could not be imported, so this check did not run" in output
    # training.py imports backprop, and its own gd_step still runs: its public cases pass
    cases = json.loads((folder / "_selfcheck" / "cases.json").read_text(encoding="utf-8"))
    own = [f"test_selfcheck.py::test_public_case[{case['id']}]" for case in cases if case["function"] == "gd_step"]
    passed = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *own], cwd=folder,
                            capture_output=True, text=True, timeout=300)
    assert own and passed.returncode == 0 and "failed" not in passed.stdout, passed.stdout

"""The classic bugs of benchmarks/mutants/ are edits that survive reformatting: applied to the solutions as ruff
formats them (narrower lines, so statements wrap), every edit lands and gives the same program as on the solutions
as written."""
import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import mutants
from grader.core import paths
from mutants.edits import apply_edit


def edited(source, change):
    for old, new in change:
        source = apply_edit(source, old, new)
    return source


@pytest.fixture(scope="module")
def reformatted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reformatted")
    shutil.copytree(paths.SOLUTIONS, folder, dirs_exist_ok=True)
    ruff = Path(sys.executable).with_name("ruff")
    subprocess.run([str(ruff), "format", "--quiet", "--line-length", "72", str(folder)], check=True, timeout=120)
    return folder


def test_every_edit_survives_a_reformatted_solution(reformatted):
    checked, broken = 0, []
    for assignment in mutants.ASSIGNMENTS:
        registry = mutants.registry(assignment)
        for entry in registry.mutants + registry.alternatives:
            for module, change in entry.edits.items():
                if isinstance(change, str):
                    continue
                original = (paths.SOLUTIONS / assignment / module).read_text(encoding="utf-8")
                layout = (reformatted / assignment / module).read_text(encoding="utf-8")
                assert layout != original or "\n" not in original
                try:
                    want = ast.dump(ast.parse(edited(original, change)))
                except SyntaxError:
                    continue  # a bug that does not parse: the same text on both sides
                try:
                    same = ast.dump(ast.parse(edited(layout, change))) == want
                except (ValueError, SyntaxError):
                    same = False
                checked += 1
                if not same:
                    broken.append(f"{assignment}: {entry.name} ({module})")
    assert checked and not broken, f"edits that a reformatting breaks: {broken[:5]}"


def test_an_edit_finds_its_target_across_layout_quotes_and_wrapping():
    source = "def f(x):\n    y = (\n        x * 2.0  # twice\n    )\n    return {'a': y,}\n"
    assert apply_edit(source, '    y = x * 2.\n', '    y = x * 3.0\n') == \
        "def f(x):\n    y = x * 3.0\n    return {'a': y,}\n"
    assert apply_edit(source, 'return {"a": y}', 'return {"b": y}') == \
        "def f(x):\n    y = (\n        x * 2.0  # twice\n    )\n    return {\"b\": y}\n"


def test_an_edit_whose_target_is_missing_or_repeated_is_refused():
    with pytest.raises(ValueError, match="0 times"):
        apply_edit("x = 1\n", "y = 2\n", "y = 3\n")
    with pytest.raises(ValueError, match="2 times"):
        apply_edit("a = x + 1\nb = (x +\n     1)\n", "x + 1", "x - 1")

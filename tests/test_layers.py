"""The layers of grader/ hold: the import contract in pyproject.toml passes, no module takes part in an import
circle, and what is shipped to students imports only the standard library and numpy."""
import ast
import subprocess
import sys
from pathlib import Path

import grimp

from grader.core import paths

SHIPPED_MAY_IMPORT = {"numpy", "pytest"}  # pytest: test_selfcheck.py is run by the student's pytest


def test_the_layers_contract_is_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--no-cache"], cwd=paths.ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "1 kept, 0 broken" in done.stdout or " 0 broken" in done.stdout


def test_no_module_of_grader_imports_itself_through_a_circle():
    graph = grimp.build_graph("grader")
    circles = sorted((importer, imported) for importer in graph.modules
                     for imported in graph.find_modules_directly_imported_by(importer)
                     if graph.chain_exists(importer=imported, imported=importer))
    assert circles == [], f"modules in an import circle: {circles[:5]}"


def test_a_circle_is_found_when_there_is_one(tmp_path):
    (tmp_path / "ring").mkdir()
    (tmp_path / "ring" / "__init__.py").write_text("")
    (tmp_path / "ring" / "a.py").write_text("from . import b\n")
    (tmp_path / "ring" / "b.py").write_text("from . import a\n")
    sys.path.insert(0, str(tmp_path))
    try:
        graph = grimp.build_graph("ring", cache_dir=None)
    finally:
        sys.path.remove(str(tmp_path))
    assert graph.chain_exists(importer="ring.a", imported="ring.b") and graph.chain_exists(importer="ring.b",
                                                                                            imported="ring.a")


def imported_roots(path):
    """The top-level names a file imports, relative imports left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_what_students_receive_imports_only_the_standard_library_and_numpy():
    allowed = set(sys.stdlib_module_names) | SHIPPED_MAY_IMPORT | {"_selfcheck"}
    for path in sorted(paths.SHIPPED.glob("*.py")):
        assert imported_roots(path) <= allowed, f"{path.name} imports {sorted(imported_roots(path) - allowed)}"


def test_the_shipped_rule_sees_a_kit_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from grader.core import paths\nimport numpy\n")
    assert imported_roots(bad) - set(sys.stdlib_module_names) - SHIPPED_MAY_IMPORT == {"grader"}


def test_every_test_file_names_its_layer():
    from conftest import LAYER_OF
    missing = sorted(path.name for path in Path(__file__).parent.glob("test_*.py") if path.name not in LAYER_OF)
    assert not missing, f"add {missing[0]} to LAYERS in tests/conftest.py (unit, sandbox, nbgrader or browser)"

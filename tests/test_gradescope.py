"""grader.adapters.gradescope: the autograder zip, run as Gradescope would run it, in a temporary /autograder layout."""
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

import hostile_text
from conftest import cli_env, make_submission
from grader.adapters import bundle, cli, gradescope
from grader import catalogues
from grader.grading import engine
from grader.core import paths, spec
from grader.reports import results

A1 = "a1_neuron_gd"
TOP_KEYS = {"score", "execution_time", "output", "tests"}
TEST_KEYS = {"name", "score", "max_score", "status", "output", "visibility"}


@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory):
    out = tmp_path_factory.mktemp("zip") / "autograder.zip"
    assert cli.main(["gradescope", "--assignment", A1, "--out", str(out)]) == 0
    return out


def unpack(zip_path, root):
    """Lay ``root`` out as Gradescope does: the zip in source/, run_autograder copied to the top, modes kept."""
    source = root / "source"
    with zipfile.ZipFile(zip_path) as zf:
        for info in zf.infolist():
            target = source / info.filename
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(zf.read(info))
            target.chmod((info.external_attr >> 16) & 0o777)
    shutil.copy2(source / "run_autograder", root / "run_autograder")
    (root / "submission").mkdir()
    return root


def run_autograder(root, **env):
    """Run run_autograder with this venv's python3 first on PATH (setup.sh's install is skipped)."""
    done = subprocess.run([str(root / "run_autograder")], env=cli_env(AUTOGRADER_ROOT=str(root), **env),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads((root / "results" / "results.json").read_text(encoding="utf-8")), done


def assert_gradescope_schema(document):
    assert TOP_KEYS <= set(document)
    assert isinstance(document["score"], (int, float)) and isinstance(document["output"], str)
    for test in document["tests"]:
        assert TEST_KEYS <= set(test)
        assert test["status"] in ("passed", "failed")
        assert test["visibility"] in ("visible", "hidden", "after_due_date", "after_published")


def scores(document):
    return document["score"], [(test["name"], test["score"], test["max_score"]) for test in document["tests"]]


def test_the_zip_holds_the_scripts_and_the_kit_and_is_reproducible(autograder_zip, tmp_path):
    with zipfile.ZipFile(autograder_zip) as zf:
        infos = {info.filename: info for info in zf.infolist()}
        names = set(infos)
        requirements = zf.read("requirements.txt").decode()
    for name in ("setup.sh", "run_autograder"):
        assert infos[name].external_attr >> 16 == 0o100755
    for name in ("pyproject.toml", "README.md", "grader/grading/engine.py", "grader/sandbox/worker.py",
                 "solutions/a1_neuron_gd/neuron.py", "solutions/a1_neuron_gd/gradient_descent.py", "data/xor.csv"):
        assert name in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert not [n for n in names if n.startswith("solutions/") and not n.startswith(f"solutions/{A1}/")]
    assert not [n for n in names if n.split("/")[0] in ("submission", "results", "assignments", "tests")]
    assert requirements.startswith("numpy")

    again = gradescope.build_autograder(A1, tmp_path / "again.zip")
    assert again.read_bytes() == autograder_zip.read_bytes()


def test_provided_modules_and_their_solutions_are_shipped():
    fake = spec.Assignment(name=A1, title="t", modules=("neuron",), parts=(),
                           provided={"gradient_descent": A1})
    files = bundle.kit_files(fake)
    assert files[f"assignments/{A1}/gradient_descent.py"] == paths.ASSIGNMENTS / A1 / "gradient_descent.py"
    assert f"solutions/{A1}/neuron.py" in files
    missing = spec.Assignment(name=A1, title="t", modules=("neuron",), parts=(), provided={"nosuch": A1})
    with pytest.raises(FileNotFoundError, match="grader sync"):
        bundle.kit_files(missing)


def test_setup_installs_requirements_only_never_the_kit(autograder_zip, tmp_path):
    """A fake python3 records what setup.sh asks pip for: the kit must stay out of site-packages."""
    root = unpack(autograder_zip, tmp_path / "autograder")
    log = tmp_path / "pip.log"
    fake = tmp_path / "bin" / "python3"
    fake.parent.mkdir()
    fake.write_text(f'#!/bin/sh\necho "$@" >> "{log}"\n')
    fake.chmod(0o755)
    done = subprocess.run(["bash", str(root / "source" / "setup.sh")], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PATH": f"{fake.parent}{os.pathsep}{os.environ['PATH']}"})
    assert done.returncode == 0, done.stderr
    installs = [line.split() for line in log.read_text().splitlines() if " install " in f" {line} "]
    assert installs == [["-m", "pip", "install", "--no-cache-dir", "-r", "requirements.txt"]]


@pytest.mark.parametrize("stub", [False, True], ids=["solution", "stubs"])
def test_run_autograder_gives_engine_grade_scores(autograder_zip, tmp_path, stub):
    root = unpack(autograder_zip, tmp_path / "autograder")
    folder = make_submission(tmp_path / "files", A1, stub=stub)
    for path in folder.iterdir():
        shutil.copyfile(path, root / "submission" / path.name)

    document, done = run_autograder(root)
    assert_gradescope_schema(document)
    expected = results.to_results(engine.grade(A1, folder))
    assert scores(document) == scores(expected)
    assert document["score"] == (0 if stub else catalogues.load(A1).max_score)
    assert "graded neuron.py from the top of the submission" in done.stdout


def test_a_surrogate_in_the_students_text_is_graded_not_the_placeholder(autograder_zip, tmp_path):
    """tests/hostile_text.py's submission: its words reach the results as U+FFFD, and its score is the engine's."""
    root = unpack(autograder_zip, tmp_path / "autograder")
    folder = hostile_text.build(tmp_path / "files")
    for path in folder.iterdir():
        shutil.copyfile(path, root / "submission" / path.name)
    run_autograder(root)
    document = hostile_text.read_valid(root / "results" / "results.json")
    assert_gradescope_schema(document)
    assert not document["extra_data"].get("failed")
    outputs = {test["extra_data"]["part"]: test["output"] for test in document["tests"]}
    hostile_text.assert_graded(outputs, document["score"], engine.grade(A1, folder).score)


def test_nested_files_are_found_and_extra_folders_ignored(autograder_zip, tmp_path):
    root = unpack(autograder_zip, tmp_path / "autograder")
    good = make_submission(tmp_path / "good", A1)
    stub = make_submission(tmp_path / "stub", A1, stub=True)
    nested = root / "submission" / "my_hw1"
    shutil.copytree(good, nested)
    shutil.copytree(stub, root / "submission" / "__MACOSX" / "my_hw1")   # junk that a Mac zip adds
    shutil.copytree(stub, root / "submission" / "my_hw1" / "old" / "deeper")  # an old copy, deeper
    (root / "submission" / "notes.txt").write_text("see my_hw1/")

    document, done = run_autograder(root)
    assert document["score"] == catalogues.load(A1).max_score
    assert "graded neuron.py from my_hw1" in done.stdout
    assert "also found my_hw1/old/deeper/neuron.py" in done.stdout


def test_locate_prefers_the_folder_holding_most_modules():
    class Fake:
        modules = ("neuron", "gradient_descent")

    def layout(tmp, files):
        for name in files:
            (tmp / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp / name).write_text("")
        return tmp

    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        root = layout(Path(tmp), ["neuron.py", "b/neuron.py", "b/gradient_descent.py", "a/x/gradient_descent.py"])
        chosen, _ = bundle.locate(Fake, root)
        assert chosen == {"neuron": root / "b" / "neuron.py", "gradient_descent": root / "b" / "gradient_descent.py"}
    with tempfile.TemporaryDirectory() as tmp:
        root = layout(Path(tmp), ["z/neuron.py", "a/deep/gradient_descent.py", ".hidden/neuron.py"])
        chosen, notes = bundle.locate(Fake, root)
        assert chosen == {"neuron": root / "z" / "neuron.py", "gradient_descent": root / "a/deep/gradient_descent.py"}
        assert not any(".hidden" in note for note in notes)
    with tempfile.TemporaryDirectory() as tmp:
        chosen, notes = bundle.locate(Fake, Path(tmp) / "absent")
        assert chosen == {} and notes == ["neuron.py was not found in the submission",
                                          "gradient_descent.py was not found in the submission"]


def test_a_broken_grader_still_leaves_a_results_file(autograder_zip, tmp_path):
    root = unpack(autograder_zip, tmp_path / "autograder")
    document, done = run_autograder(root, PYTHON="false")
    assert_gradescope_schema(document)
    assert document["score"] == 0 and document["tests"] == [] and "placeholder" in document["output"]
    assert "writing the fallback results" in done.stderr


def test_the_unpacked_kit_is_what_grades(autograder_zip, tmp_path):
    """Without the zip's solutions/, grading fails, even though this repository's kit is installed in the venv."""
    root = unpack(autograder_zip, tmp_path / "autograder")
    for path in make_submission(tmp_path / "files", A1).iterdir():
        shutil.copyfile(path, root / "submission" / path.name)
    shutil.rmtree(root / "source" / "solutions")
    document, done = run_autograder(root)
    assert document["score"] == 0 and document["tests"] == []
    assert "writing the fallback results" in done.stderr

"""CONTRIBUTING.md's walkthrough, performed: on a scratch copy of the kit, the blocks the guide shows are applied to
the files it names, by its steps, then its commands run. The new part grades the solution in full and names the new
classic bug; the stubs, cases, notebook, translations and counts followed; the suite passes there; and a step left
out is told in one line."""
import json
import re
import subprocess
import sys

import pytest

from grader.authoring import counts
from grader.core import paths
from scratch_kit import copy_kit, run_kit

GUIDE = paths.ROOT / "CONTRIBUTING.md"
STEP = re.compile(r'<!-- step: (?P<path>\S+) (?P<action>append|before|after|replace|po)(?: "(?P<anchor>[^"]*)")? -->'
                  r'\n```\w*\n(?P<block>.*?)```', re.S)
ASSIGNMENT = "a2_forward"
PART = "softplus"


def steps():
    """The guide's steps, in order: {path, action, anchor, block}."""
    found = [match.groupdict() for match in STEP.finditer(GUIDE.read_text(encoding="utf-8"))]
    assert found, f"{GUIDE.name} has no '<!-- step: ... -->' blocks"
    return found


def run_python(kit, code, *args):
    """A Python snippet run in the scratch kit, importing its grader/ and benchmarks/."""
    env = paths.tool_env(PYTHONPATH=f"{kit}:{kit / 'benchmarks'}")
    return subprocess.run([sys.executable, "-c", code, *args], cwd=kit, env=env, capture_output=True, text=True,
                          timeout=600)


FILL_PO = """
import sys
from io import BytesIO
from babel.messages import pofile
from grader.authoring import inventory
from grader.text import po
entries = po.read("zh")
for message in pofile.read_po(BytesIO(sys.argv[1].encode("utf-8"))):
    if message.id and message.context:
        entries[po.split(message.context)] = po.Entry(message.id, message.string)
po.write("zh", po.merged("zh", inventory.english(), entries))
"""


def apply(kit, step):
    """Do one step of the guide by hand, as the contributor does."""
    target = kit / step["path"]
    if step["action"] == "po":
        done = run_python(kit, FILL_PO, step["block"])
        assert done.returncode == 0, done.stderr
        return
    content, block, anchor = target.read_text(encoding="utf-8"), step["block"], step["anchor"]
    if step["action"] == "append":
        content += block
    else:
        assert content.count(anchor) == 1, f"{step['path']}: the guide's anchor {anchor!r} is not there exactly once"
        at = content.index(anchor)
        if step["action"] == "before":
            start = content.rindex("\n", 0, at) + 1
            content = content[:start] + block + content[start:]
        elif step["action"] == "after":
            end = content.index("\n", at) + 1
            content = content[:end] + block + content[end:]
        else:
            content = content.replace(anchor, block.rstrip("\n"), 1)
    target.write_text(content, encoding="utf-8")


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    """The scratch kit after the guide's steps 1 to 6."""
    kit = copy_kit(tmp_path_factory.mktemp("walkthrough") / "kit")
    for step in steps():
        if step["action"] == "po":  # step 5: the inventory adds the new English, then the contributor translates
            updated = run_python(
                kit, "from grader.authoring import inventory; import sys; sys.exit(inventory.main(['zh', '--update']))")
            assert updated.returncode == 0, updated.stderr
        apply(kit, step)
    synced = run_kit(kit, "sync")
    assert synced.returncode == 0, synced.stderr
    return kit


def test_the_guide_edits_at_most_five_files_and_says_how_many():
    files = {step["path"] for step in steps()}
    said = re.search(r"You edit \*\*(\d+) files by hand\*\* \((\d+) without a\s+translation\)",
                     GUIDE.read_text(encoding="utf-8"))
    assert said, "CONTRIBUTING.md must say how many files a contributor edits by hand"
    translations = {path for path in files if path.endswith(".po")}
    assert (int(said[1]), int(said[2])) == (len(files), len(files - translations)) and len(files) <= 5, files


def test_everything_generated_followed(kit, tmp_path):
    assert run_kit(kit, "sync", "--check").returncode == 0
    missing = run_python(kit, "from grader.authoring import inventory; import sys; sys.exit(inventory.main(['zh']))")
    assert missing.returncode == 0, missing.stdout + missing.stderr
    facts = json.loads(run_python(kit, f"""
import json
from grader import catalogues
from grader.authoring import counts
spec = catalogues.load({ASSIGNMENT!r})
part = spec.part({PART!r})
print(json.dumps({{"points": part.points, "public": sum(case.public for _, _, case in part.cases()),
                  "row": counts.row({ASSIGNMENT!r})}}))
""").stdout)
    folder = kit / "assignments" / ASSIGNMENT
    stub = (folder / "activations.py").read_text(encoding="utf-8")
    solution = (kit / "solutions" / ASSIGNMENT / "activations.py").read_text(encoding="utf-8")
    assert "def softplus(z):" in stub and "exp(-|z|) never overflows" in stub
    assert "np.log1p(np.exp(-np.abs(z)))" in solution and "np.log1p(np.exp(-np.abs(z)))" not in stub
    cases = json.loads((folder / "_selfcheck" / "cases.json").read_text(encoding="utf-8"))
    assert sum(case["function"] == "softplus" for case in cases) == facts["public"] > 0
    notebook = json.loads((folder / f"{ASSIGNMENT}.ipynb").read_text(encoding="utf-8"))
    grade = [cell["metadata"]["nbgrader"] for cell in notebook["cells"]
             if cell["metadata"].get("nbgrader", {}).get("grade_id") == PART]
    assert grade and grade[0]["points"] == facts["points"]
    before = counts.row(ASSIGNMENT)
    assert facts["row"][1] == before[1] + 1 and facts["row"][7] == before[7] + 1, (before, facts["row"])
    quoted = "| `a2_forward` | " + " | ".join(f"{value:g}" for value in facts["row"][1:]) + " |"
    assert quoted in (kit / "docs" / "accuracy.md").read_text(encoding="utf-8")
    made = run_kit(kit, "course", "--lang", "zh", str(tmp_path / "zh"), "--assignment", ASSIGNMENT)
    assert made.returncode == 0, made.stderr
    chinese = tmp_path / "zh" / "assignments" / ASSIGNMENT
    assert "softplus 函数 log(1 + exp(z))" in (chinese / "activations.py").read_text(encoding="utf-8")
    assert "是平滑的 ReLU" in (chinese / f"{ASSIGNMENT}.ipynb").read_text(encoding="utf-8")


def _grade(kit, folder, out):
    done = run_kit(kit, "grade", "--assignment", ASSIGNMENT, "--out", str(out), str(folder))
    assert done.returncode == 0, done.stderr
    document = json.loads(out.read_text(encoding="utf-8"))
    return document, {test["extra_data"]["part"]: test for test in document["tests"]}


def test_the_solution_keeps_full_marks_and_the_classic_bug_is_caught_and_named(kit, tmp_path):
    document, parts = _grade(kit, kit / "solutions" / ASSIGNMENT, tmp_path / "solution.json")
    assert document["score"] == document["extra_data"]["max_score"] and PART in parts
    made = run_python(kit, f"""
import sys
import mutants
bug = mutants.mutant({ASSIGNMENT!r}, "naive softplus")
mutants.make_submission(sys.argv[1], {ASSIGNMENT!r}, bug.edits)
""", str(tmp_path / "bug"))
    assert made.returncode == 0, made.stderr
    document, parts = _grade(kit, tmp_path / "bug", tmp_path / "bug.json")
    caught = parts[PART]
    assert caught["score"] < caught["max_score"]
    assert "Likely cause: np.log(1 + np.exp(z)) overflows for large z" in caught["output"], caught["output"]
    assert all(test["score"] == test["max_score"] for key, test in parts.items() if key != PART)


def test_the_suite_passes_in_the_scratch_kit(kit):
    env = paths.tool_env(PYTHONPATH=str(kit))
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "tests/test_text.py",
                           "tests/test_sync.py", "tests/test_promises.py", "tests/test_layers.py",
                           "tests/test_accuracy.py", "tests/test_hidden_twins.py", "-k",
                           # (not the tests that copy the kit with git: the scratch copy is no repository)
                           "(not test_accuracy or softplus or every_misconception) and not without_a_parts_grade_cell"],
                          cwd=kit, env=env, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stdout[-3000:]


def _without(kit, relative, old, new=""):
    """Undo one piece of one step; returns a function that puts it back."""
    target = kit / relative
    content = target.read_text(encoding="utf-8")
    assert content.count(old) == 1, (relative, old)
    target.write_text(content.replace(old, new), encoding="utf-8")
    return lambda: target.write_text(content, encoding="utf-8")


def _lines(text):
    return [line for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("forgotten, relative, old, command, says", [
    ("the grade cell", "notebooks/a2_forward.py", "# %% [grade] softplus\n", ["sync"], "# %% [grade] <part>"),
    ("a hidden twin", "grader/catalogues/a2_forward.py", "        Case((extremes(10091),)),\n", ["sync"],
     "no hidden twin: add a hidden Case"),
])
def test_a_forgotten_step_is_one_line_from_sync(kit, forgotten, relative, old, command, says):
    put_back = _without(kit, relative, old)
    try:
        done = run_kit(kit, *command)
    finally:
        put_back()
    lines = _lines(done.stderr)
    assert done.returncode == 2 and len(lines) == 1 and says in lines[0] and PART in lines[0], (forgotten, done.stderr)


def _pytest_line(kit, test, says):
    env = paths.tool_env(PYTHONPATH=str(kit))
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", test], cwd=kit, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 1
    told = [line for line in done.stdout.splitlines() if line.startswith("E ") and says in line]
    return told


def test_a_forgotten_mutant_is_one_line(kit):
    put_back = _without(kit, "benchmarks/mutants/a2_forward.py", next(
        step["block"] for step in steps() if step["path"] == "benchmarks/mutants/a2_forward.py"))
    try:
        told = _pytest_line(kit, "tests/test_accuracy.py::"
                                 "test_every_misconception_of_the_catalogues_has_a_classic_bug_in_the_registry",
                            "add a Mutant")
    finally:
        put_back()
    assert told and "softplus_overflow" in told[0], told


def test_a_forgotten_translation_is_one_line(kit):
    po_file = "grader/text/locale/zh/LC_MESSAGES/nnkit.po"
    put_back = _without(kit, po_file, 'msgstr "不会溢出的 softplus"', 'msgstr ""')
    try:
        told = _pytest_line(kit, "tests/test_text.py::test_every_english_entry_has_a_translation",
                            "python -m grader.authoring.inventory zh --update")
    finally:
        put_back()
    assert told and "part:softplus" in told[0], told

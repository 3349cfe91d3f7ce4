"""The kit in Chinese: ``python -m grader course --lang zh DIR`` writes a whole course from the English sources, its
release speaks Chinese (self-check, stubs, notebook, README), and grading in Chinese gives the English scores."""
import ast
import json
import re
import shutil
import subprocess
import sys

import nbformat
import pytest

from grader.adapters import batch
from grader.adapters.nbgrader.feedback import FEEDBACK_FRAGMENTS, FEEDBACK_TEMPLATE, feedback_template
from grader.adapters.nbgrader.release import answer_stub
from grader import catalogues, text
from grader.reports import class_report, results
from grader.authoring import course, inventory, student_readme, sync
from grader.grading import engine
from grader.core import paths
from conftest import comparable, cli_env
from test_text import english_words

NAMES = catalogues.names()
ZH = "zh"
HIDDEN_DELTA_BUG = {"backprop.py": [(".T) * f_prime(Z)", ".T)")]}


def write_folder(files, folder):
    for relative, content in files.items():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def zh_files():
    """{assignment: {relative path: text}} of the Chinese course."""
    with text.language(ZH):
        return {name: sync.build(catalogues.load(name)) for name in NAMES}


# -- the course folder -------------------------------------------------------------------------------------------
def test_the_english_course_is_the_repository_with_a_readme_and_its_language_set():
    with text.language("en"):
        files = course.build()
    config = (paths.ROOT / "nbgrader_config.py").read_text(encoding="utf-8")
    assert files["nbgrader_config.py"] == config.replace('\nLANG = ""\n', "\nLANG = 'en'\n").replace(
        "``docs/rubrics/``", "``rubrics/``")
    for name in NAMES:
        generated = sync.build(catalogues.load(name))
        ours = {rel.split("/", 2)[2]: content for rel, content in files.items()
                if rel.startswith(f"assignments/{name}/")}
        assert set(ours) == set(generated) and "README.md" in ours
        for relative in generated:
            assert sync._up_to_date(paths.ASSIGNMENTS / name / relative, relative, ours[relative]), relative
        assert "pytest" in ours["README.md"] and catalogues.load(name).title in ours["README.md"]
        # the repository's own assignments/ (what `nbgrader generate_assignment` releases) has the same README
        assert (paths.ASSIGNMENTS / name / "README.md").read_text(encoding="utf-8") == ours["README.md"]
        assert f"```bash\n{student_readme.INSTALL}\n```" in ours["README.md"] and "jupyter lab" in ours["README.md"]


def test_course_command_writes_a_chinese_course_and_refuses_a_foreign_folder(tmp_path):
    target = tmp_path / "course"
    result = subprocess.run([sys.executable, "-m", "grader", "course", "--lang", "zh", str(target)],
                            env=cli_env(), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "已写出课程" in result.stdout
    config = (target / "nbgrader_config.py").read_text(encoding="utf-8")
    assert "\nLANG = 'zh'\n" in config
    # the rubrics are where the config says they are, and git leaves out what nbgrader and the kit write
    assert "``rubrics/``" in config and "docs/rubrics" not in config and (target / "rubrics" / "a3_backprop.md").is_file()
    ignored = (target / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert {"kit_grades.csv", "grades.csv", "submitted/", "gradebook.db", "graded/"} <= set(ignored)
    assert "kit_grades.csv" in (paths.ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    for name in NAMES:
        folder = target / "assignments" / name
        assert (folder / f"{name}.ipynb").is_file() and (folder / "_selfcheck" / "messages.json").is_file()
        readme = (folder / "README.md").read_text(encoding="utf-8")
        assert text.has_cjk(readme) and english_words(readme) == []

    (target / "gradebook.db").write_text("kept", encoding="utf-8")
    (target / "assignments" / NAMES[0] / "stray.py").write_text("x = 1\n", encoding="utf-8")
    again = subprocess.run([sys.executable, "-m", "grader", "course", "--lang", "zh", "--assignment", NAMES[0],
                            str(target)], env=cli_env(), capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert (target / "gradebook.db").read_text(encoding="utf-8") == "kept"
    assert not (target / "assignments" / NAMES[0] / "stray.py").exists()

    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine", encoding="utf-8")
    refused = subprocess.run([sys.executable, "-m", "grader", "course", "--lang", "zh", str(foreign)],
                             env=cli_env(), capture_output=True, text=True, timeout=300)
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1
    assert sorted(p.name for p in foreign.iterdir()) == ["notes.txt"]


def test_the_config_line_that_sets_the_language_is_there_once():
    source = course.CONFIG.read_text(encoding="utf-8")
    assert source.count(f"\n{course.LANG_LINE}\n") == 1
    for setting in ("GradeWithKit", "FeedbackExporter", "WarnRevealedAnswers"):
        assert f"c.{setting}.lang = LANG" in source, setting
    with text.language("en"):
        assert answer_stub() == "YOUR ANSWER HERE"
    with text.language(ZH):
        assert answer_stub() == "在这里写下你的回答"


# -- the Chinese release -----------------------------------------------------------------------------------------
def _code_only(source):
    """The AST of a module with its docstrings and its MESSAGES strings blanked: what must not change."""
    tree = ast.parse(source)
    for node in [tree, *ast.walk(tree)]:
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(getattr(body[0], "value", None), ast.Constant) and isinstance(body[0].value.value, str):
            body[0].value.value = ""
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "MESSAGES":
            for value in node.value.values:
                value.value = ""
    return ast.dump(tree)


@pytest.mark.parametrize("name", NAMES)
def test_chinese_student_files_hold_the_english_code(name, zh_files):
    english = sync.build(catalogues.load(name))
    assert set(zh_files[name]) == set(english) | {"_selfcheck/messages.json"}
    for relative, content in english.items():
        if relative.endswith(".py"):
            assert _code_only(zh_files[name][relative]) == _code_only(content), relative
            assert zh_files[name][relative].count("# TODO: ") == content.count("# TODO: ")
        elif relative.startswith("data/") or relative == "pytest.ini":
            assert zh_files[name][relative] == content
    zh_nb, en_nb = (json.loads(files[f"{name}.ipynb"]) for files in (zh_files[name], english))
    assert [c["cell_type"] for c in zh_nb["cells"]] == [c["cell_type"] for c in en_nb["cells"]]
    for zh_cell, en_cell in zip(zh_nb["cells"], en_nb["cells"]):
        if zh_cell["cell_type"] == "code":
            strip = lambda source: [line for line in source.splitlines() if not line.startswith("#")]  # noqa: E731
            assert strip(zh_cell["source"]) == strip(en_cell["source"])
            assert zh_cell["metadata"] == en_cell["metadata"]


def _prose(files):
    """(file, text) of every piece of prose a student reads in a release."""
    found = []
    for relative, content in files.items():
        if relative.endswith(".ipynb"):
            for cell in json.loads(content)["cells"]:
                if cell["cell_type"] == "markdown":
                    found.append((relative, cell["source"]))
                else:
                    found += [(relative, line) for line in cell["source"].splitlines() if line.startswith("# ")
                              and "grade" in json.dumps(cell["metadata"])]
        elif relative.endswith(".py") and not relative.startswith("_selfcheck/") or relative == "_selfcheck/__init__.py":
            tree = ast.parse(content)
            for node in [tree, *tree.body]:
                if isinstance(node, (ast.Module, ast.FunctionDef)) and ast.get_docstring(node) is not None:
                    found.append((relative, ast.get_docstring(node)))
                if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "MESSAGES":
                    found += [(relative, value.value) for value in node.value.values]
            found += [(relative, line) for line in content.splitlines() if line.strip().startswith("# TODO:")]
        elif relative == "_selfcheck/cases.json":
            for case in json.loads(content):
                found.append((relative, case["check"]))
                found += [(relative, message) for _, message, _ in case["variants"]]
        elif relative == "_selfcheck/messages.json":
            found += [(relative, value) for table in json.loads(content).values() for value in table.values()]
        elif relative.endswith(".md"):
            found.append((relative, content))
    return found


@pytest.mark.parametrize("name", NAMES)
def test_a_chinese_release_carries_no_english_prose_outside_code(name, zh_files):
    files = zh_files[name]
    assert "README.md" in files and student_readme.INSTALL in files["README.md"]
    prose = _prose(files)
    assert len(prose) > 20
    english = [(relative, run) for relative, piece in prose for run in english_words(piece)]
    assert english == []
    words = [(relative, piece) for relative, piece in prose
             if re.search(r"[A-Za-z]{3}", re.sub(r"`[^`]*`|\{[^}]*\}|\$[^$]*\$", "", piece)) and not text.has_cjk(piece)]
    assert words == [], "prose with no Chinese in it"


def run_selfcheck(folder):
    return subprocess.run([sys.executable, "-m", "pytest"], cwd=folder, capture_output=True, text=True,
                          env=cli_env(), timeout=300)


@pytest.mark.parametrize("name", NAMES)
def test_chinese_selfcheck_says_not_implemented_in_chinese_and_passes_the_solution(tmp_path, name, zh_files):
    folder = write_folder(zh_files[name], tmp_path / name)
    public = json.loads(zh_files[name]["_selfcheck/cases.json"])
    result = run_selfcheck(folder)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.count("尚未实现") >= len(public), result.stdout[-2000:]
    assert "not implemented" not in result.stdout and "Traceback" not in result.stdout
    assert re.search(rf"\b{len(public)} failed\b", result.stdout)
    for module in catalogues.load(name).modules:
        shutil.copyfile(paths.SOLUTIONS / name / f"{module}.py", folder / f"{module}.py")
    passed = run_selfcheck(folder)
    assert passed.returncode == 0, passed.stdout[-3000:]


def test_chinese_selfcheck_names_the_classic_bug_in_chinese(tmp_path, zh_files):
    folder = write_folder(zh_files["a3_backprop"], tmp_path / "a3_backprop")
    for module in ("backprop", "training"):
        shutil.copyfile(paths.SOLUTIONS / "a3_backprop" / f"{module}.py", folder / f"{module}.py")
    source = (folder / "backprop.py").read_text(encoding="utf-8")
    (folder / "backprop.py").write_text(source.replace(".T) * f_prime(Z)", ".T)"), encoding="utf-8")
    result = run_selfcheck(folder)
    assert result.returncode == 1
    assert "可能的原因：漏掉了激活函数的导数" in result.stdout, result.stdout[-2000:]


# -- grading in Chinese ------------------------------------------------------------------------------------------
def test_grading_in_chinese_gives_the_english_scores_with_chinese_messages(submission):
    folder = submission("a3_backprop", edits=HIDDEN_DELTA_BUG)
    with text.language("en"):
        en = engine.grade("a3_backprop", folder)
    with text.language(ZH):
        zh = engine.grade("a3_backprop", folder)
    assert [(p.key, p.score, p.misconceptions) for p in zh.parts] == [(p.key, p.score, p.misconceptions)
                                                                       for p in en.parts]
    assert 0 < zh.score < zh.max_score
    hidden = next(part for part in zh.parts if part.key == "hidden_delta")
    assert hidden.title == "隐藏层的 delta"
    assert all("可能的原因：漏掉了激活函数的导数" in case.message for case in hidden.cases)
    english_hidden = next(part for part in en.parts if part.key == "hidden_delta")
    assert all("Likely cause: the activation's derivative is left out" in case.message
               for case in english_hidden.cases)
    document = results.to_results(zh)
    assert document["output"].startswith("作业 3：反向传播与训练")
    assert all(text.has_cjk(test["name"]) and text.has_cjk(test["output"]) for test in document["tests"])
    assert [t["score"] for t in document["tests"]] == [t["score"] for t in results.to_results(en)["tests"]]


def test_untouched_stubs_say_not_implemented_in_chinese():
    with text.language(ZH):
        report = engine.grade("a1_neuron_gd", paths.ASSIGNMENTS / "a1_neuron_gd")
    assert report.score == 0
    assert all(case.message.startswith("尚未实现") for part in report.parts for case in part.cases)


def _grade_cli(folder, tmp_path, *args, **env):
    out = tmp_path / "results.json"
    result = subprocess.run([sys.executable, "-m", "grader", "grade", *args, "--assignment", "a1_neuron_gd", "--out",
                             str(out), str(folder)], env=cli_env(**env), capture_output=True, text=True, timeout=300)
    return result, (json.loads(out.read_text(encoding="utf-8")) if out.is_file() else None)


def test_the_cli_speaks_the_language_of_lang_then_of_the_environment(tmp_path):
    stubs = paths.ASSIGNMENTS / "a1_neuron_gd"
    _, by_flag = _grade_cli(stubs, tmp_path, "--lang", "zh", NNKIT_LANG="")
    assert by_flag["tests"][0]["name"] == "数值稳定的 sigmoid" and "尚未实现" in by_flag["tests"][0]["output"]
    _, by_env = _grade_cli(stubs, tmp_path, NNKIT_LANG="zh")
    assert comparable(by_env) == comparable(by_flag)
    _, english = _grade_cli(stubs, tmp_path, "--lang", "en", NNKIT_LANG="zh")
    assert english["tests"][0]["name"] == "A stable sigmoid"
    bad, _ = _grade_cli(stubs, tmp_path, NNKIT_LANG="klingon")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "klingon" in bad.stderr


def test_results_of_another_language_are_graded_again():
    spec = catalogues.load("a1_neuron_gd")
    with text.language(ZH):
        chinese = batch.kit_fingerprint(spec)
    with text.language("en"):
        assert batch.kit_fingerprint(spec) != chinese


def test_the_class_report_in_chinese(tmp_path, submission):
    folder = submission("a3_backprop", edits=HIDDEN_DELTA_BUG)
    graded = tmp_path / "graded"
    with text.language(ZH):
        results.write_json_atomic(results.to_results(engine.grade("a3_backprop", folder)), graded / "dev.json")
        page = class_report.render(class_report.summarise("a3_backprop", graded))
    assert '<html lang="zh-CN">' in page and "班级报告：作业 3：反向传播与训练" in page
    assert "漏掉了激活函数的导数" in page and "隐藏层的 delta" in page
    visible = re.sub(r"<code>.*?</code>|<th[^>]*>[a-z0-9_]+</th>|<[^>]+>|data:image/png;base64,\S+", " ", page)
    assert english_words(visible) == []


def test_the_feedback_template_in_chinese():
    english = FEEDBACK_TEMPLATE.read_text(encoding="utf-8")
    for fragment, _ in FEEDBACK_FRAGMENTS:
        assert fragment in english, f"nbgrader's feedback template no longer says {fragment!r}"
    with text.language("en"):
        assert feedback_template() is None
    with text.language(ZH):
        chinese = feedback_template()
    assert "（得分：" in chinese and '<html lang="zh-CN">' in chinese
    for fragment, _ in FEEDBACK_FRAGMENTS:
        assert fragment not in chinese, fragment


def test_a_chinese_notebook_is_a_valid_notebook(zh_files):
    for name in NAMES:
        notebook = nbformat.reads(zh_files[name][f"{name}.ipynb"], as_version=4)
        nbformat.validate(notebook)
        grade_cells = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade")
                       and not c.metadata["nbgrader"].get("solution")]
        assert len(grade_cells) == len(catalogues.load(name).parts)
        assert all(c.source.startswith("# 评分部分：") for c in grade_cells)


def test_every_command_takes_lang():
    from grader.adapters import cli
    top = cli.parser()
    commands = next(action for action in top._actions if action.dest == "command").choices
    assert {"grade", "grade-all", "sync", "report", "demo", "course", "gradescope", "prairielearn"} <= set(commands)
    for name, command in commands.items():
        assert "--lang" in command._option_string_actions, name


def test_exports_built_in_chinese_grade_in_chinese(tmp_path):
    from grader.adapters import gradescope, prairielearn
    spec = catalogues.load("a1_neuron_gd")
    with text.language(ZH):
        runner = gradescope.run_autograder(spec)
        question = prairielearn.question_html(spec)
    assert "export NNKIT_LANG=zh" in runner and "自动评分程序本身" in runner
    assert "export NNKIT_LANG" not in gradescope.run_autograder(spec)
    assert "作业 1：单个神经元与梯度下降" in question and "数值稳定的 sigmoid" in question


def test_a_chosen_language_reaches_the_kits_subprocesses(monkeypatch):
    from grader.core import paths as kit_paths
    monkeypatch.delenv(text.VARIABLE, raising=False)
    assert text.VARIABLE not in kit_paths.tool_env()
    with text.language(ZH):
        assert kit_paths.tool_env()[text.VARIABLE] == ZH


@pytest.mark.parametrize("name", [name for name in NAMES if catalogues.load(name).written])
def test_a_chinese_release_holds_no_rubric_and_the_course_keeps_them_apart(name, zh_files):
    rubrics = [value for key, value in inventory.translated(ZH)[f"written:{name}"].items() if ".rubric." in key]
    assert rubrics
    released = "\n".join(zh_files[name].values())
    leaked = [piece for rubric in rubrics for piece in re.split(r"[。：；]", rubric)
              if len(piece) >= 15 and (piece in released or json.dumps(piece)[1:-1] in released)]
    assert leaked == []
    with text.language(ZH):
        sheet = course.build([name])[f"rubrics/{name}.md"]
    assert sheet.startswith("# 评分细则：") and all(rubric in sheet for rubric in rubrics)

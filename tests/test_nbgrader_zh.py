"""A Chinese course through nbgrader 0.9.6, end to end: ``python -m grader course --lang zh``, then
generate_assignment, an LMS download of two students (one with a classic bug, one with the untouched stubs),
zip_collect, ``grade-all --lang zh --plots``, autograde, generate_feedback and export, all from the course's own
nbgrader_config.py, with no NNKIT_LANG in the environment. The feedback pages are Chinese, and the grades are the
English grader's."""
import json
import shutil
import subprocess
import sys

import pytest

from grader import catalogues, text
from grader.adapters import demo
from grader.adapters.nbgrader.gradebook import gradebook_scores
from grader.grading import engine
from conftest import cli_env
from feedback_pages import read_summary
from test_text import english_words

pytestmark = pytest.mark.xdist_group("nbgrader")

ASSIGNMENT = "a3_backprop"
STUDENTS = [
    {"id": "dev", "base": "solution", "edits": {"backprop.py": [[".T) * f_prime(Z)", ".T)"]]}},
    {"id": "ben", "base": "stub"},
]
TIMEOUT = 900


def _run(command, cwd, env):
    proc = subprocess.run(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=TIMEOUT)
    assert proc.returncode == 0, f"{command[2:4]} failed:\n{(proc.stdout + proc.stderr)[-3000:]}"
    return proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("zh-roundtrip")
    folder = root / "course"
    env = cli_env(NNKIT_EXCHANGE=str(root / "exchange"))
    env.pop("NNKIT_LANG", None)
    grader, nbgrader = [sys.executable, "-m", "grader"], [sys.executable, "-m", "nbgrader"]
    logs = {"course": _run(grader + ["course", "--lang", "zh", "--assignment", ASSIGNMENT, str(folder)], root, env)}
    logs["generate_assignment"] = _run(nbgrader + ["generate_assignment", ASSIGNMENT], folder, env)
    release = folder / "release" / ASSIGNMENT
    archive = folder / "downloaded" / ASSIGNMENT / "archive"
    for recipe in STUDENTS:
        built = demo.build_student(recipe, ASSIGNMENT, release, root / "students" / recipe["id"] / ASSIGNMENT)
        demo.zip_folder(built, archive / f"{recipe['id']}.zip", ASSIGNMENT)
    logs["zip_collect"] = _run(nbgrader + ["zip_collect", ASSIGNMENT], folder, env)
    logs["grade-all"] = _run(grader + ["grade-all", "--lang", "zh", "--assignment", ASSIGNMENT, "--plots",
                                       "--csv", str(folder / "kit_grades.csv"), "--results-dir",
                                       str(folder / "graded" / ASSIGNMENT), str(folder / "submitted")], folder, env)
    logs["autograde"] = _run(nbgrader + ["autograde", ASSIGNMENT], folder, env)
    logs["generate_feedback"] = _run(nbgrader + ["generate_feedback", ASSIGNMENT], folder, env)
    logs["export"] = _run(nbgrader + ["export"], folder, env)
    return {"folder": folder, "logs": logs, "gradebook": gradebook_scores(folder, ASSIGNMENT)}


def _page(course, student):
    return (course["folder"] / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text(encoding="utf-8")


def test_the_release_is_chinese(course):
    release = course["folder"] / "release" / ASSIGNMENT
    notebook = json.loads((release / f"{ASSIGNMENT}.ipynb").read_text(encoding="utf-8"))
    assert "".join(notebook["cells"][0]["source"]).startswith("# 作业 3：反向传播与训练")
    assert "TODO: 一次减法，不要除以 N" in (release / "backprop.py").read_text(encoding="utf-8")
    assert (release / "README.md").is_file() and (release / "_selfcheck" / "messages.json").is_file()
    answers = [cell for cell in notebook["cells"] if cell["metadata"].get("nbgrader", {}).get("solution")]
    assert answers and all("".join(cell["source"]) == "在这里写下你的回答" for cell in answers)


def test_autograde_reused_the_chinese_results_of_grade_all(course):
    assert course["logs"]["autograde"].count("沿用 grade-all") == len(STUDENTS), course["logs"]["autograde"][-3000:]


def test_the_gradebook_holds_the_english_graders_scores(course):
    spec = catalogues.load(ASSIGNMENT)
    for recipe in STUDENTS:
        submitted = course["folder"] / "submitted" / recipe["id"] / ASSIGNMENT
        with text.language("en"):
            english = {part.key: part.score for part in engine.grade(ASSIGNMENT, submitted).parts}
        assert course["gradebook"][recipe["id"]] == pytest.approx(english, abs=1e-9)
    assert course["gradebook"]["dev"]["hidden_delta"] == 0 and course["gradebook"]["dev"]["output_delta"] == 2
    assert sum(course["gradebook"]["ben"].values()) == 0
    assert set(course["gradebook"]["dev"]) == {part.key for part in spec.parts}


def test_feedback_pages_are_chinese(course):
    dev, ben = _page(course, "dev"), _page(course, "ben")
    for page in (dev, ben):
        assert '<html lang="zh-CN">' in page and "（得分：" in page and "评分单元格" in page
        assert "隐藏层的 delta" in page and "# 评分部分：" in page
        for english in ("(Score: ", "Test cell", "Likely cause", "not implemented yet", "checks passed"):
            assert english not in page, english
    assert "可能的原因：漏掉了激活函数的导数：要乘以该隐藏层的 f&#39;(Z)" in dev or \
        "可能的原因：漏掉了激活函数的导数：要乘以该隐藏层的 f'(Z)" in dev
    assert dev.count("data:image/png;base64,") >= 2, "the training plots are embedded"
    assert "尚未实现" in ben


def test_feedback_summaries_are_chinese_and_hold_the_gradebooks_scores(course):
    spec = catalogues.load(ASSIGNMENT)
    for student, scores in course["gradebook"].items():
        summary = read_summary(_page(course, student))
        assert summary["total"] == pytest.approx((sum(scores.values()), spec.total_points)), student
        assert summary["verdict"].startswith(f"{len(spec.parts)} 个部分中有 "), summary["verdict"]
        for row in summary["rows"]:
            visible = " ".join([row["title"], row["note"]])
            assert text.has_cjk(visible) and english_words(visible) == [], (student, row)
    rows = {row["href"]: row for row in read_summary(_page(course, "dev"))["rows"]}
    hidden = rows["#cell-id=grade-hidden_delta"]
    assert hidden["status"] == "nnkit-lost" and "隐藏层的 delta" in hidden["title"]
    assert hidden["failure"].startswith("✗ backprop.hidden_delta") and "（公开预览）" in hidden["failure"]
    assert hidden["cause"].startswith("可能的原因：漏掉了激活函数的导数")
    assert rows["#cell-id=grade-xor"]["upstream"].startswith("请先修好 backprop.hidden_delta()")
    assert rows["#cell-id=grade-output_delta"]["note"] == "通过"


def test_export_and_the_kits_csv_agree(course):
    import csv
    with open(course["folder"] / "grades.csv", newline="", encoding="utf-8") as handle:
        rows = {row["student_id"]: float(row["score"]) for row in csv.DictReader(handle)}
    assert rows == pytest.approx({student: sum(scores.values()) for student, scores in course["gradebook"].items()})

"""Inside a course folder, the kit's own commands speak the course's language without --lang: the ``LANG`` that
``python -m grader course --lang LANG DIR`` writes into DIR's nbgrader_config.py. ``--lang`` still decides over it,
and a folder argument inside a course decides when the command runs elsewhere."""
import shutil
import subprocess
import sys

import pytest

from grader import text
from grader.core import course_config, paths

ASSIGNMENT = "a1_neuron_gd"


def nnkit(course, *argv, cwd=None):
    """The real command line, with no NNKIT_LANG in the environment, run in ``cwd`` (default: the course)."""
    env = paths.tool_env()
    env.pop(text.VARIABLE, None)
    return subprocess.run([sys.executable, "-m", "grader", *argv], cwd=cwd or course, env=env, capture_output=True,
                          text=True, timeout=600)


@pytest.fixture(scope="module", params=["zh", "en"])
def course(request, tmp_path_factory):
    """A course folder written by the real `course` command in one language, with one student's untouched stubs
    submitted."""
    folder = tmp_path_factory.mktemp(f"course-{request.param}") / "course"
    made = nnkit(paths.ROOT, "course", "--lang", request.param, str(folder), "--assignment", ASSIGNMENT)
    assert made.returncode == 0, made.stderr
    shutil.copytree(folder / "assignments" / ASSIGNMENT, folder / "submitted" / "ada" / ASSIGNMENT)
    return request.param, folder


#: a word of each command's own output, in each language
SAYS = {
    "grade": {"zh": "总分", "en": "Total"},
    "grade-all": {"zh": "已评阅 1 名", "en": "1 graded"},
    "report": {"zh": "班级报告：作业 1", "en": "Class report: Assignment 1"},
}


def test_the_kits_commands_speak_the_courses_language_without_a_flag(course):
    lang, folder = course
    graded = nnkit(folder, "grade", "--assignment", ASSIGNMENT, "--out", "ada.json", f"submitted/ada/{ASSIGNMENT}")
    assert graded.returncode == 0, graded.stderr
    assert SAYS["grade"][lang] in graded.stderr, graded.stderr
    everyone = nnkit(folder, "grade-all", "--assignment", ASSIGNMENT, "--results-dir", "graded", "submitted")
    assert everyone.returncode == 0, everyone.stderr
    assert SAYS["grade-all"][lang] in everyone.stdout + everyone.stderr, everyone.stdout + everyone.stderr
    report = nnkit(folder, "report", "--assignment", ASSIGNMENT, "graded")
    assert report.returncode == 0, report.stderr
    page = (folder / "class_report.html").read_text(encoding="utf-8")
    assert SAYS["report"][lang] in page
    assert ('<html lang="zh-CN">' in page) == (lang == "zh")


def test_lang_still_decides_inside_a_course(course):
    lang, folder = course
    other = "en" if lang == "zh" else "zh"
    graded = nnkit(folder, "grade", "--lang", other, "--assignment", ASSIGNMENT, "--out", "ada.json",
                   f"submitted/ada/{ASSIGNMENT}")
    assert graded.returncode == 0, graded.stderr
    assert SAYS["grade"][other] in graded.stderr and SAYS["grade"][lang] not in graded.stderr


def test_a_folder_inside_the_course_decides_from_elsewhere(course, tmp_path):
    lang, folder = course
    graded = nnkit(folder, "grade", "--assignment", ASSIGNMENT, "--out", str(tmp_path / "ada.json"),
                   str(folder / "submitted" / "ada" / ASSIGNMENT), cwd=tmp_path)
    assert graded.returncode == 0, graded.stderr
    assert SAYS["grade"][lang] in graded.stderr, graded.stderr


def test_a_course_that_declares_an_unknown_language_is_one_line(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\nLANG = 'klingon'\n", encoding="utf-8")
    shutil.copytree(paths.ASSIGNMENTS / ASSIGNMENT, tmp_path / ASSIGNMENT)
    done = nnkit(tmp_path, "grade", "--assignment", ASSIGNMENT, ASSIGNMENT)
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert "klingon" in done.stderr and "nbgrader_config.py" in done.stderr


def test_the_course_language_is_read_not_run(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text("import os\nos.system('exit 1')\nLANG = 'zh'\n", encoding="utf-8")
    inner = tmp_path / "submitted" / "ada"
    inner.mkdir(parents=True)
    assert course_config.language_of(inner) == "zh"
    (tmp_path / "nbgrader_config.py").write_text('LANG = ""\n', encoding="utf-8")
    assert course_config.language_of(inner) is None

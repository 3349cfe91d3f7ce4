"""An instructor's week in a Chinese course folder, with nbgrader's real commands run as ``.venv/bin/nbgrader``
from a shell whose PATH lacks the environment's bin/ (not activated): release, an LMS download collected, late
submissions collected again, autograde and feedback. What the instructor and the students see along the way:
- nbgrader starts without the alembic traceback (the course's config puts its environment's bin/ on PATH);
- ``zip_collect`` run again without ``--force`` ends in one line that names the command to run;
- a student whose backprop.py has a syntax error gets one sentence at the top of the feedback page, naming the
  file, the line and the error, while training.py's parts keep their points;
- an unanswered written question reads "未作答。", never nbgrader's English "No response."."""
import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from feedback_pages import read_summary
from grader import catalogues, text
from grader.core import paths

pytestmark = pytest.mark.xdist_group("nbgrader")

A3 = "a3_backprop"
BIN = Path(sys.executable).parent
SIGNATURE = "def layer_gradients(A_prev, delta):"


def unactivated_env():
    """The environment of a shell where the kit's venv is not activated: its bin/ is not on PATH."""
    env = paths.tool_env()
    env["PATH"] = os.pathsep.join(part for part in env["PATH"].split(os.pathsep)
                                  if part and Path(part).resolve() != BIN.resolve()) or "/usr/bin:/bin"
    env.pop("VIRTUAL_ENV", None)
    return env


def nbgrader(course, *argv):
    return subprocess.run([str(BIN / "nbgrader"), *argv], cwd=course, env=unactivated_env(), capture_output=True,
                          text=True, timeout=600)


def ok(done):
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert "Traceback" not in done.stderr and "alembic" not in done.stderr, done.stderr[-3000:]
    return done


def hand_in(course, student, broken):
    """An LMS download folder for ``student``: the released notebook, and the solutions (backprop.py with a syntax
    error when ``broken``), or the released stubs."""
    folder = course / "downloaded" / A3 / "archive" / student
    folder.mkdir(parents=True)
    release = course / "release" / A3
    shutil.copyfile(release / f"{A3}.ipynb", folder / f"{A3}.ipynb")
    for module in ("backprop", "training"):
        source = paths.SOLUTIONS / A3 if broken else release
        shutil.copyfile(source / f"{module}.py", folder / f"{module}.py")
    if broken:
        source = (folder / "backprop.py").read_text(encoding="utf-8")
        (folder / "backprop.py").write_text(source.replace(SIGNATURE, SIGNATURE.replace("):", ":")), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def week(tmp_path_factory):
    course = tmp_path_factory.mktemp("week") / "course"
    made = subprocess.run([sys.executable, "-m", "grader", "course", "--lang", "zh", "--assignment", A3, str(course)],
                          env=paths.tool_env(), capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stderr
    steps = {"generate": ok(nbgrader(course, "generate_assignment", A3))}
    hand_in(course, "amy", broken=True)
    steps["collect"] = ok(nbgrader(course, "zip_collect", A3))
    hand_in(course, "bo", broken=False)  # a late submission
    steps["collect_again"] = nbgrader(course, "zip_collect", A3)
    steps["collect_force"] = ok(nbgrader(course, "zip_collect", "--force", A3))
    steps["autograde"] = ok(nbgrader(course, "autograde", A3))
    steps["feedback"] = ok(nbgrader(course, "generate_feedback", A3))
    return course, steps


def test_nbgrader_runs_without_the_environment_activated(week):
    course, _ = week
    assert (course / "release" / A3 / f"{A3}.ipynb").is_file() and (course / "release" / A3 / "README.md").is_file()
    assert (course / "gradebook.db").is_file()


def test_collecting_again_says_in_one_line_to_add_force(week):
    course, steps = week
    again = steps["collect_again"]
    assert again.returncode == 1
    errors = [line for line in again.stderr.splitlines() if "ERROR" in line]
    assert len(errors) == 1 and f"nbgrader zip_collect --force {A3}" in errors[0], again.stderr
    assert "Directory not empty" not in again.stderr
    for student in ("amy", "bo"):  # --force then collected the late submission beside the earlier one
        assert (course / "submitted" / student / A3 / "backprop.py").is_file()


def page_text(course, student):
    page = (course / "feedback" / student / A3 / f"{A3}.html").read_text(encoding="utf-8")
    return page, html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_the_feedback_page_names_the_broken_file_once_at_the_top(week):
    course, _ = week
    page, shown = page_text(course, "amy")
    banners = re.findall(r'<div class="nnkit-broken"><strong>(.*?)</strong></div>', page)
    assert len(banners) == 1, banners
    banner = html.unescape(banners[0])
    line = next(number for number, text in enumerate(
        (course / "submitted" / "amy" / A3 / "backprop.py").read_text(encoding="utf-8").splitlines(), 1)
        if "def layer_gradients(A_prev, delta:" in text)
    assert banner.startswith("无法导入 backprop.py：SyntaxError") and f"line {line}" in banner, banner
    assert page.index("nnkit-broken") < page.index("nnkit-table")  # above the summary's table
    assert shown.count("SyntaxError") == 2, "the summary's sentence, and the first grade cell's"
    summary = read_summary(page)
    assert not any(row["upstream"] for row in summary["rows"]), "no function is blamed for the broken file"
    scores = {row["title"]: (row["score"], row["points"]) for row in summary["rows"]}
    spec = catalogues.load(A3)
    with text.language("zh"):
        for key in ("gd_step", "train_step", "train"):  # training.py's parts, graded with backprop.py broken
            part = spec.part(key)
            assert scores[text.catalogue(A3, f"part:{key}", part.title)] == (part.points, part.points)
        assert scores[text.catalogue(A3, "part:output_delta", spec.part("output_delta").title)][0] == 0


def test_an_unanswered_written_question_says_so_in_chinese(week):
    course, _ = week
    page, shown = page_text(course, "bo")
    assert "No response." not in shown and "未作答。" in shown

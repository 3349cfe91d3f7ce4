"""The pages the kit writes pass axe-core (npm, installed into node_modules/ by `make browser`) in the chromium the
browser test uses, with no serious or critical violation: the feedback pages of the round trip (English, and the
same course's pages generated in Chinese), its class report, and a similarity report with passages to show."""
import json
import shutil
import subprocess
import sys

import pytest

from grader.core import paths
from grader.reports import similarity
from test_feedback_browser import browser  # noqa: F401 (the chromium fixture)
from test_nbgrader_roundtrip import roundtrip  # noqa: F401 (the shared course fixture)

pytestmark = pytest.mark.xdist_group("nbgrader")

AXE = paths.ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")


def axe(browser, page_path):  # noqa: F811
    """axe-core's violations on the page at ``page_path``: [(rule, impact, count, first targets)]. The page's own
    Content-Security-Policy is bypassed only to inject axe."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `make browser` (it installs axe-core from npm)", pytrace=False)
    page = browser.new_page(bypass_csp=True, viewport={"width": 1200, "height": 1000})
    try:
        page.goto(page_path.resolve().as_uri(), wait_until="load")
        page.add_script_tag(path=str(AXE))
        found = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                              ".map(v => [v.id, v.impact, v.nodes.length, v.nodes.slice(0, 3).map(n => n.target)])")
        images = page.evaluate("Array.from(document.images).map(i => i.alt)")
    finally:
        page.close()
    return found, images


def _blocking(found):
    return [violation for violation in found if violation[1] in BLOCKING]


def test_english_feedback_pages_pass_axe_and_every_plot_says_what_it_shows(roundtrip, browser):  # noqa: F811
    plots = 0
    for student in roundtrip.ids:
        found, images = axe(browser, roundtrip.feedback_page(student))
        assert _blocking(found) == [], f"{student}: {_blocking(found)}"
        for alt in images:  # each run's final loss and accuracy, or each network's accuracy on the points
            assert "final loss" in alt or "right on" in alt, f"{student}: {alt!r}"
        plots += len(images)
    assert plots, "no page of the class shows a plot"


def test_chinese_feedback_pages_pass_axe(roundtrip, browser, tmp_path):  # noqa: F811
    course = tmp_path / "course"
    shutil.copytree(roundtrip.course, course, symlinks=True, ignore=shutil.ignore_patterns("feedback"))
    proc = subprocess.run([sys.executable, "-m", "nbgrader", "generate_feedback", roundtrip.assignment, "--force"],
                          cwd=course, env=paths.tool_env(NNKIT_LANG="zh"), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    for student in roundtrip.ids[:3]:
        page = course / "feedback" / student / roundtrip.assignment / f"{roundtrip.assignment}.html"
        assert '<html lang="zh-CN">' in page.read_text(encoding="utf-8")
        found, _ = axe(browser, page)
        assert _blocking(found) == [], f"{student}: {_blocking(found)}"


def test_the_class_report_passes_axe(roundtrip, browser):  # noqa: F811
    found, images = axe(browser, roundtrip.course / "class_report.html")
    assert _blocking(found) == []
    assert images and all("mean" in alt and "median" in alt for alt in images), images


def test_the_similarity_report_passes_axe(browser, tmp_path):  # noqa: F811
    from test_similarity import A1, _class
    _class(tmp_path / "submitted")  # two honest students and a copy under a hostile name
    out = tmp_path / "similarity.html"
    assert similarity.main(A1, tmp_path / "submitted", out) == 0
    pairs = json.loads(similarity.summary_path(out).read_text(encoding="utf-8"))["pairs"]
    assert pairs, "the page should show a pair's passages"
    found, _ = axe(browser, out)
    assert _blocking(found) == [], found

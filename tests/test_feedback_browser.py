"""The feedback pages of the round trip, opened in a real browser (Debian's chromium, driven by playwright).

Every page must render with every image loaded and no console error, offline. The screenshots are written next to
the shared course (``<basetemp>/nbgrader-roundtrip/screens/``) for a person to look at.
"""
from pathlib import Path
from urllib.parse import unquote

import pytest

from test_nbgrader_roundtrip import roundtrip  # noqa: F401 (the shared course fixture)

pytestmark = pytest.mark.xdist_group("nbgrader")

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (it installs Debian's chromium)", pytrace=False)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield launched
        finally:
            launched.close()


def _open(browser, path, screenshot, full_page=False):
    """Load ``path``; return (problems seen by the browser, images as [complete, naturalWidth, alt], body text)."""
    page = browser.new_page(viewport={"width": 1200, "height": 1000})
    problems = []
    page.on("console", lambda message: problems.append(f"console {message.type}: {message.text}")
            if message.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("requestfailed", lambda request: problems.append(f"request failed: {request.url[:120]}"))
    page.goto(path.resolve().as_uri(), wait_until="load")
    page.wait_for_load_state("networkidle")
    images = page.evaluate("Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.alt])")
    text = page.inner_text("body")
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(screenshot), full_page=full_page)
    if images:
        page.locator("img").first.scroll_into_view_if_needed()
        page.screenshot(path=str(screenshot.with_name(screenshot.stem + "-plot.png")))
    page.close()
    return problems, images, text


def test_feedback_pages_render_offline_with_every_image(roundtrip, browser):  # noqa: F811
    converge = [p.key for p in roundtrip.spec.parts if any(c.kind == "converge" for c in p.checks)]
    for student in roundtrip.ids:
        page = roundtrip.feedback_page(student)
        problems, images, text = _open(browser, page, roundtrip.root / "screens" / f"{student}.png",
                                       full_page=student == roundtrip.ids[0])
        assert problems == [], f"{student}: {problems[:5]}"
        assert all(complete and width > 0 for complete, width, _ in images), f"{student}: {images}"
        assert all(alt for _, _, alt in images), f"{student}: an image has no alt text"
        if any(_trained(roundtrip.kit[student][key]) for key in converge):
            assert images, f"{student}: no training plot on the page"
        else:  # no training call ran to the end: there is nothing to plot, and no empty plot is drawn
            assert images == [], f"{student}: a plot of a run that never happened"
        assert "Score:" in text
        for part in roundtrip.spec.parts:
            assert roundtrip.kit[student][part.key]["output"].splitlines()[0] in text, (student, part.key)


def _trained(part):
    """Whether a converge part's training call returned at least once: it scored, or was judged on its result."""
    return part["score"] > 0 or "; needs " in part["output"] or "diverged" in part["output"]


def test_the_summary_is_in_view_first_and_its_links_lead_to_the_cells(roundtrip, browser):  # noqa: F811
    student = next(r["id"] for r in roundtrip.recipes if r.get("expect", {}).get("misconceptions"))
    page = browser.new_page(viewport={"width": 1200, "height": 1000})
    page.goto(roundtrip.feedback_page(student).resolve().as_uri(), wait_until="load")
    box = page.locator("#nnkit-summary").bounding_box()
    assert box and box["y"] < 200, f"the summary starts {box} down the page"
    fragments = page.evaluate("Array.from(document.querySelectorAll('#nnkit-summary a'))"
                              ".map(a => decodeURIComponent(a.getAttribute('href').slice(1)))")
    lost = page.evaluate("document.querySelectorAll('#nnkit-summary .nnkit-lost').length")
    assert lost and len(fragments) >= len(roundtrip.spec.parts)
    missing = page.evaluate("ids => ids.filter(id => !document.getElementById(id) && "
                            "!document.getElementsByName(id).length)", fragments)
    assert missing == [], missing
    link = page.locator("#nnkit-summary .nnkit-lost a").first
    target = unquote(link.get_attribute("href")[1:])  # a part's grade cell: nbconvert gives it an id
    link.click()
    page.wait_for_function("id => Math.abs(document.getElementById(id).getBoundingClientRect().top) < 2", arg=target)
    page.close()

"""The class report, opened in a real browser (Debian's chromium, driven by playwright), in English and Chinese:
the students x parts grid comes first and open, coloured by points with a legend whose swatches are the cells'
colours; the misconceptions students hit are ranked by how many, and those nobody hit are folded into one closed
list after the grid; the "who" column is wide enough to read a name; the histogram's legend covers no bar.
Screenshots are written next to the results for a person to look at."""
import pytest

from grader import catalogues, text
from grader.grading import engine
from grader.reports import class_report, results
from test_class_report import A1, SIGN_FLIP
from test_feedback_browser import browser  # noqa: F401 (the chromium fixture)

STUDENTS = {"ada": {}, "bob": {"stub": True}, "cy": {"edits": SIGN_FLIP}, "dee": {"edits": SIGN_FLIP}}


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """The class report of four real A1 submissions, in English and in Chinese: {lang: (page path, Summary)}."""
    from mutants import make_submission
    root = tmp_path_factory.mktemp("class_report")
    made = {}
    for lang in ("en", "zh"):
        graded = root / lang / "graded"
        with text.language(lang):
            for name, spec in STUDENTS.items():
                report = engine.grade(A1, make_submission(root / lang / "submitted" / name, A1, **spec))
                results.write_json_atomic(results.to_results(report), graded / f"{name}.json")
            page = class_report.main(A1, graded, root / lang / "class_report.html")
            made[lang] = (page, class_report.summarise(A1, graded))
    return made


GEOMETRY = """() => {
  const box = e => { const r = e.getBoundingClientRect(); return [r.top, r.left, r.width, r.height]; };
  const grid = document.querySelector('table.grid');
  const first = document.querySelector('table');
  const hit = Array.from(document.querySelectorAll('table.misconceptions tr[data-misconception]'));
  const unhit = document.querySelector('details.unhit');
  const color = e => getComputedStyle(e).backgroundColor;
  const swatch = k => document.querySelector('p.legend span.' + k);
  const cell = k => document.querySelector('table.grid td.' + k);
  const who = Array.from(document.querySelectorAll('table.misconceptions td.who'));
  return {
    gridIsFirst: first === grid, grid: box(grid), histogram: box(document.querySelector('img')),
    misconceptions: box(document.querySelector('table.misconceptions')),
    counts: hit.map(r => parseInt(r.querySelector('td.count').textContent)),
    hitVisible: hit.every(r => r.checkVisibility() && r.getBoundingClientRect().height > 0),
    unhitOpen: unhit ? unhit.open : null, unhitTop: unhit ? box(unhit)[0] : null,
    unhitItemsShown: unhit ? Array.from(unhit.querySelectorAll('li')).filter(li => li.checkVisibility()).length : null,
    colours: ['heat-full', 'heat-some', 'heat-none'].map(k => [k, swatch(k) && color(swatch(k)),
                                                              cell(k) && color(cell(k))]),
    who: who.map(td => [td.getBoundingClientRect().width, td.textContent,
                        parseFloat(getComputedStyle(td).fontSize)]),
    whoLines: who.map(td => { const r = document.createRange(); r.selectNodeContents(td);
                              return new Set(Array.from(r.getClientRects()).map(b => Math.round(b.top))).size; }),
  };
}"""


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_grid_comes_first_and_the_misconceptions_are_ranked(reports, browser, lang):  # noqa: F811
    path, summary = reports[lang]
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.goto(path.resolve().as_uri(), wait_until="load")
    found = page.evaluate(GEOMETRY)
    page.screenshot(path=str(path.with_suffix(".png")), full_page=True)
    page.close()
    assert problems == []
    # the students' grid: the first table, open, above everything else
    assert found["gridIsFirst"] and found["grid"][3] > 0
    assert found["grid"][0] < found["misconceptions"][0] < found["histogram"][0]
    # one row per hit misconception, most students first; those nobody hit are folded away, after the grid
    hit = [row for row in summary.misconceptions if row[3]]
    unhit = [row for row in summary.misconceptions if not row[3]]
    assert hit and unhit
    assert found["counts"] == sorted(found["counts"], reverse=True) == [len(row[3]) for row in hit]
    assert found["hitVisible"] and found["unhitOpen"] is False and found["unhitItemsShown"] == 0
    assert found["unhitTop"] > found["grid"][0]
    # every colour of the grid has a legend swatch of the same colour, and the three differ
    colours = {kind: (swatch, cell) for kind, swatch, cell in found["colours"]}
    assert all(swatch and swatch == cell for swatch, cell in colours.values() if cell), colours
    assert len({swatch for swatch, _ in colours.values()}) == 3
    assert sum(1 for _, cell in colours.values() if cell) >= 2, colours
    # the "who" column holds each name on one line, wider than a few characters
    for width, names, size in found["who"]:
        assert width >= 6 * size, (width, names)
    assert all(lines == 1 for lines in found["whoLines"]), found["whoLines"]


def test_the_histogram_legend_covers_no_bar():
    scores = [0.0, 0.0, 1.0, 12.5, 20.0, 20.0]
    figure = class_report.histogram_figure(scores, catalogues.load(A1).max_score)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    ax = figure.axes[0]
    legend = ax.get_legend().get_window_extent(renderer)
    bars = [patch.get_window_extent(renderer) for patch in ax.patches if patch.get_height() > 0]
    assert bars and not [bar for bar in bars if bar.overlaps(legend)]
    assert legend.y0 >= ax.get_window_extent(renderer).y1 - 1  # above the axes


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_report_passes_axe(reports, browser, lang):  # noqa: F811
    from test_accessibility import _blocking, axe
    found, images = axe(browser, reports[lang][0])
    assert _blocking(found) == [], _blocking(found)
    assert images and all(alt for alt in images)

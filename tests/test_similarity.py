"""``nnkit similarity``: honest students who write short functions alike raise no pair, copied pairs are found,
and the report is an instructor's page that runs nothing and says "review"."""
import json
import re

import pytest

import similarity as bench  # benchmarks/similarity.py: the honest class and the copies it measures
from grader import catalogues, text
from grader.adapters import cli
from grader.reports import class_report, similarity
from mutants import make_submission

A1 = "a1_neuron_gd"
HOSTILE = "<img src=x onerror=alert(1)>mal"
SIGMOID = ("    e = np.exp(-np.abs(z))\n    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))\n",
           "    return 1.0 / (1.0 + np.exp(-z))\n")


def test_honest_pairs_are_rarely_flagged_and_copies_are_found():
    figures = bench.measure(A1, students=14, copies=4, seed=3)
    flagged, honest, found, copies = figures[(similarity.MIN_SHARED, similarity.MIN_SHARE)]
    print(f"honest pairs flagged: {flagged} of {honest}; copied pairs found: {found} of {copies}")
    assert found >= 1
    assert flagged / honest < found / copies


def test_a_short_function_everyone_writes_alike_raises_no_pair(tmp_path):
    spec = catalogues.load(A1)
    code = {}
    for number in range(6):  # the solution, with the one-line sigmoid most students write, each renamed
        folder = make_submission(tmp_path / f"s{number}", A1, edits={f"{spec.modules[0]}.py": [SIGMOID]})
        code[f"s{number}"] = similarity._joined({m: (folder / f"{m}.py").read_text(encoding="utf-8")
                                                 for m in spec.modules})
    assert similarity.compare(similarity.fingerprints(code, similarity.boilerplate(A1))) == []


def _class(submitted):
    """Three students: two honest ones, and a copy of the first (renamed, reordered, commented) under a hostile
    name."""
    import random
    rng = random.Random(7)
    spec = catalogues.load(A1)
    honest = bench.honest_class(A1, 2, rng)
    names = {"honest00": "ada", "honest01": "bo"}
    for key, files in honest.items():
        folder = submitted / names[key] / A1
        folder.mkdir(parents=True)
        for name, source in files.items():
            (folder / name).write_text(source, encoding="utf-8")
    copy = submitted / HOSTILE / A1
    copy.mkdir(parents=True)
    for module in spec.modules:
        (copy / f"{module}.py").write_text(bench.copy_of(honest["honest00"][f"{module}.py"], rng) +
                                           "\n# </pre><script>alert(2)</script>\n", encoding="utf-8")


@pytest.mark.parametrize("lang, review, never", [("en", "review", "cheat"), ("zh", "复核", "作弊")])
def test_the_report_lists_the_copy_for_review_escaped_and_scriptless(tmp_path, lang, review, never):
    _class(tmp_path / "submitted")
    out = tmp_path / "report" / "similarity.html"
    try:  # the command itself, in this process
        assert cli.main(["similarity", "--lang", lang, "--assignment", A1, "--out", str(out),
                         str(tmp_path / "submitted")]) == 0
    finally:
        text.use(None)
    page = out.read_text(encoding="utf-8")
    summary = json.loads(similarity.summary_path(out).read_text(encoding="utf-8"))
    assert [(pair["a"], pair["b"]) for pair in summary["pairs"]] == [(HOSTILE, "ada")]
    assert "bo" not in {name for pair in summary["pairs"] for name in (pair["a"], pair["b"])}
    assert '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'' in page
    assert "<script" not in page.lower() and "<img" not in page.lower() and "&lt;img src=x" in page
    assert review in page and never not in page.lower()
    assert 'id="pair-1"' in page and page.count("<pre>") >= 2  # the shared passages, side by side
    assert "def " in page  # the code itself is shown to the instructor

    report = tmp_path / "report" / "class_report.html"
    graded = tmp_path / "graded"
    graded.mkdir()
    class_report.main(A1, graded, report, similarity=similarity.summary_path(out))
    shown = report.read_text(encoding="utf-8")
    assert 'href="similarity.html"' in shown and "&lt;img src=x" in shown and "<img src=x" not in shown
    assert not re.search(r"def \w+\(", shown), "the class report shows no code"

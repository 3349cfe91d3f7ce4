"""grader.reports.plots: the training-run PNGs, drawn from hand-built Reports (no assignment with training runs exists yet)."""
import warnings

import numpy as np

from grader.adapters import cli
from grader.grading import engine
from grader.reports import plots
from grader import text
from grader.core import paths
from grader.grading.engine import Report
from grader.shipped import wire

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def tiny_predict(X, params, activations):
    """A 2-H-1 net: ``activations`` names the hidden one ('tanh' or 'sigmoid'); params is a dict of four arrays."""
    hidden = {"tanh": np.tanh, "sigmoid": _sigmoid}[activations]
    return _sigmoid(hidden(X @ params["W1"] + params["b1"]) @ params["W2"] + params["b2"]).reshape(-1)


def diamond_params(sharpness=8.0):
    """Hand-set weights whose output is >= 0.5 exactly inside |x1| + |x2| < 1: four half-planes, ANDed."""
    signs = np.array([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]])
    return {"W1": -sharpness * signs.T, "b1": np.full(4, sharpness), "W2": np.full((4, 1), 10.0),
            "b2": np.array([-35.0])}


def diamond_set(n=300, seed=0):
    X = np.random.default_rng(seed).uniform(-1.0, 1.0, size=(n, 2))
    return X, ((np.abs(X[:, 0]) + np.abs(X[:, 1])) < 1.0).astype(np.float64).reshape(-1, 1)


def history(epochs, start=0.7, rate=0.01, accuracy_end=0.98):
    t = np.arange(epochs, dtype=np.float64)
    return {"loss": start * np.exp(-rate * t) + 0.02, "accuracy": 0.5 + (accuracy_end - 0.5) * (1 - np.exp(-rate * t))}


def run(student, X, y, predict=tiny_predict, **extra):
    params = diamond_params()
    options = {"params_at": (0,), "history_at": (1,), "predict": predict, "activations": "sigmoid",
               "metric": "accuracy", "threshold": 0.9, **extra}
    reference = {"X": X, "y": y, "params_like": {k: np.zeros_like(v) for k, v in params.items()},
                 "params": params, "history": history(300)}
    return {"student": student, "reference": reference, "options": options, "function": "train.train"}


def report(runs):
    return Report("a1_neuron_gd", "synthetic", [], 0.0, runs)


def good_student():
    params = diamond_params(sharpness=3.0)
    params["b1"] = params["b1"] + 0.4
    return (params, history(300, rate=0.006, accuracy_end=0.9))


def test_a_good_run_writes_curves_and_boundary_named_by_part_and_label(tmp_path):
    X, y = diamond_set()
    written = plots.write_run_plots(report({"diamond/seed 7": run(good_student(), X, y)}), tmp_path / "plots")
    names = sorted(path.name for path in written)
    assert names == ["diamond-seed_7-boundary.png", "diamond-seed_7-curves.png"]
    for path in written:
        assert path.read_bytes()[:8] == PNG_MAGIC
    alts = [paths.plot_alt(path).name for path in written]
    assert sorted(p.name for p in (tmp_path / "plots").iterdir()) == sorted(names + alts)
    curves, boundary = (paths.read_plot_alt(tmp_path / "plots" / name) for name in
                        ("diamond-seed_7-curves.png", "diamond-seed_7-boundary.png"))
    final = good_student()[1]
    assert f"your run: final loss {final['loss'][-1]:.4g}" in curves
    assert f"your run: final accuracy {final['accuracy'][-1]:.1%}" in curves
    assert "your parameters: " in boundary and "% right on " in boundary and "true boundary" in boundary


def test_plots_are_deterministic(tmp_path):
    X, y = diamond_set()
    runs = {"diamond/0": run(good_student(), X, y)}
    first = plots.write_run_plots(report(runs), tmp_path / "a")
    second = plots.write_run_plots(report(runs), tmp_path / "b")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def test_broken_returns_still_give_labelled_plots_and_never_raise(tmp_path, capsys):
    X, y = diamond_set(n=60)
    nan_params, nan_history = good_student()
    nan_params = {**nan_params, "W2": np.full((4, 1), np.nan)}
    nan_history = {"loss": np.concatenate([np.linspace(0.7, 0.4, 50), np.full(250, np.nan)]),
                   "accuracy": np.linspace(0.5, 0.7, 300)}
    runs = {
        "xor/failed": run(None, X, y),                                   # the call raised: student is None
        "xor/opaque": run(wire.Opaque("torch.Tensor"), X, y),            # something the wire refused to carry
        "xor/short": run((diamond_params(),), X, y),                     # no history item at all
        "xor/shapes": run(({"W1": np.zeros((3, 3))}, {"loss": "low"}), X, y),  # wrong structure everywhere
        "xor/nan": run((nan_params, nan_history), X, y),                 # nan weights and a loss that blows up
        "xor/list": run([good_student()[0], {k: list(v) for k, v in good_student()[1].items()}], X, y),
    }
    written = plots.write_run_plots(report(runs), tmp_path)
    assert len(written) == 2 * len(runs)
    assert all(path.read_bytes()[:8] == PNG_MAGIC for path in written)
    assert capsys.readouterr().err == ""


def test_the_notes_name_what_is_missing(monkeypatch, tmp_path):
    texts = []
    original = plots._footnotes

    def spy(fig, notes, **kwargs):
        texts.extend(notes)
        return original(fig, notes, **kwargs)

    monkeypatch.setattr(plots, "_footnotes", spy)
    X, y = diamond_set(n=60)
    nan_history = {"loss": np.concatenate([np.linspace(0.7, 0.4, 50), np.full(250, np.nan)]),
                   "accuracy": np.linspace(0.5, 0.7, 300)}
    plots.write_run_plots(report({"p/nan": run((diamond_params(), nan_history), X, y),
                                  "p/none": run(None, X, y)}), tmp_path)
    assert "your run: loss becomes nan or inf at epoch 51" in texts
    assert any(text.startswith("your run: no loss curve (the training call failed") for text in texts)


def test_boundary_only_for_two_features_and_diamond_only_when_labels_follow_it(tmp_path):
    X3 = np.random.default_rng(1).normal(size=(20, 3))
    only_curves = plots.write_run_plots(report({"p/3d": run(good_student(), X3, np.zeros((20, 1)))}), tmp_path)
    assert [path.name for path in only_curves] == ["p-3d-curves.png"]

    xor_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    xor_y = np.array([[0.0], [1.0], [1.0], [0.0]])
    X, y = diamond_set()
    assert plots._follows_diamond(X, y.ravel() == 1.0, {})
    assert not plots._follows_diamond(xor_X, xor_y.ravel() == 1.0, {})
    assert plots._follows_diamond(xor_X, xor_y.ravel() == 1.0, {"truth": "diamond"})
    xor_run = run(good_student(), xor_X, xor_y)
    assert [path.name for path in plots.write_run_plots(report({"xor/0": xor_run}), tmp_path / "xor")] == \
        ["xor-0-curves.png", "xor-0-boundary.png"]
    regression = run(good_student(), X, y, metric="max_error")
    assert [path.name for path in plots.write_run_plots(report({"fit/0": regression}), tmp_path / "fit")] == \
        ["fit-0-curves.png"]


def test_a_missing_predict_or_a_crashing_one_is_labelled_not_raised(tmp_path, capsys):
    X, y = diamond_set(n=40)

    def crashing(X, params, activations):
        raise FloatingPointError("boom")

    written = plots.write_run_plots(report({"p/none": run(good_student(), X, y, predict=None),
                                            "p/unknown": run(good_student(), X, y, predict="nosuch.predict"),
                                            "p/crash": run(good_student(), X, y, predict=crashing)}), tmp_path)
    assert len(written) == 6
    assert capsys.readouterr().err == ""


def test_a_dotted_predict_is_resolved_from_the_reference_solutions(tmp_path):
    """'neuron.neuron' of a1 has the predict signature (X, w, b): a one-neuron net whose 'activations' is b."""
    X, y = diamond_set(n=50)
    w = np.array([1.0, -2.0])
    entry = run((w, history(20)), X, y, predict="neuron.neuron", activations=0.25)
    entry["reference"].update(params=w, params_like=np.zeros(2))
    predict, reason = plots._predict_for(report({}), "neuron.neuron")
    assert reason == ""
    np.testing.assert_allclose(predict(X, w, 0.25), _sigmoid(X @ w + 0.25))
    assert len(plots.write_run_plots(report({"p/neuron": entry}), tmp_path)) == 2


def test_an_unwritable_folder_is_reported_not_raised(tmp_path, capsys):
    blocker = tmp_path / "taken"
    blocker.write_text("not a folder")
    X, y = diamond_set(n=20)
    assert plots.write_run_plots(report({"p/0": run(None, X, y)}), blocker) == []
    assert "plots: could not draw" in capsys.readouterr().err


def test_a_real_report_gets_a_boundary_for_each_two_feature_classification_run(submission, tmp_path, capsys):
    """a1's logistic-regression runs evaluate on (1, x1, x2): the column of ones is held, the plane is drawn."""
    report_ = engine.grade("a1_neuron_gd", submission("a1_neuron_gd"))
    planar = [key for key, run in report_.runs.items() if run["options"].get("metric") == "accuracy"
              and run["reference"]["X"].shape[1] - len(plots._features(run["reference"]["X"])[1]) == 2]
    assert planar, "a1 has no two-feature classification run any more: pick another real report"
    written = {path.name for path in plots.write_run_plots(report_, tmp_path / "direct")}
    assert {f"{plots._stem(key)}-boundary.png" for key in planar} <= written
    assert "plots:" not in capsys.readouterr().err

    folder = submission("a1_neuron_gd", name="via-cli")
    assert cli.main(["grade", "--assignment", "a1_neuron_gd", "--out", str(tmp_path / "results.json"),
                     "--plots", str(tmp_path / "cli"), str(folder)]) == 0
    assert {path.name for path in (tmp_path / "cli").glob("*.png")} == written
    assert all(paths.read_plot_alt(path) for path in (tmp_path / "cli").glob("*.png")), "a plot without its text"
    assert "plots:" not in capsys.readouterr().err


def test_chinese_plots_draw_every_glyph(tmp_path, submission):
    """In Chinese, titles, axis labels, legends and notes are drawn with a CJK font: saving every figure of a real
    report and of broken runs warns of no glyph "missing from font"."""
    from grader.reports import class_report
    with text.language("en"):
        assert plots.font_settings() == {}
    with text.language("zh"):
        families = plots.font_settings()["font.sans-serif"]
        graded = engine.grade("a1_neuron_gd", submission("a1_neuron_gd"))
    assert families[0] in plots.CJK_FONTS and families[-1] == plots.LATIN_FONT, families
    X, y = diamond_set(n=60)
    broken = Report("a1_neuron_gd", "合成", [], 0.0, {"xor/none": run(None, X, y), "xor/nan": run(
        ({**good_student()[0], "W2": np.full((4, 1), np.nan)}, history(300)), X, y)}, lang="zh")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        written = plots.write_run_plots(graded, tmp_path / "real") + plots.write_run_plots(broken, tmp_path / "broken")
        with text.language("zh"):
            class_report._histogram([3.0, 10.5, 17.0], 20.0)
    assert len(written) >= 6
    assert [str(w.message) for w in caught if "missing from font" in str(w.message)] == []


def test_the_plotter_draws_each_run_while_grading_the_same_pngs_byte_for_byte(submission, tmp_path, monkeypatch):
    """reports.plotter: a child forked before grading draws each run as the engine hands it over; its PNGs and
    texts are those write_run_plots draws from the finished report. Grading that stops abandons the child."""
    from grader.reports.plotter import Plotter
    folder = submission("a1_neuron_gd")
    plotter = Plotter(tmp_path / "during")
    handed = []
    report_ = engine.grade("a1_neuron_gd", folder,
                           on_run=lambda *args: (handed.append(args[2]), plotter.run(*args)))
    assert handed == list(report_.runs)  # each run as soon as it was judged, in grading order
    during = plotter.finish(report_)
    after = plots.write_run_plots(report_, tmp_path / "after")
    assert [path.name for path in during] == sorted(path.name for path in after) and during
    for path in during:
        assert path.read_bytes() == (tmp_path / "after" / path.name).read_bytes()
        assert paths.read_plot_alt(path) == paths.read_plot_alt(tmp_path / "after" / path.name)

    stopped = Plotter(tmp_path / "stopped")
    stopped.abandon()
    assert stopped.pid is None and not list((tmp_path / "stopped").glob("*.png"))
    monkeypatch.setattr(plots, "curves_figure", lambda key, run: __import__("time").sleep(60))
    slow = Plotter(tmp_path / "slow", seconds=1.0)
    for key, run in report_.runs.items():
        slow.run(report_.assignment, report_.lang, key, run)
    slow.finish(report_)  # killed after its second: what it drew stays, the rest is not drawn
    assert not list((tmp_path / "slow").glob("*-curves.png"))

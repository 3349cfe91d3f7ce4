"""PNG plots of a report's training runs: the student's run drawn against the reference run.

For each entry of ``Report.runs`` (key ``"<part-key>/<label>"``) this writes
- ``<part-key>-<label>-curves.png``: loss and accuracy per epoch, the student's history (``options['history_at']``
  in the return value) against the reference's (``expected['history']``), one panel per metric either side has;
- ``<part-key>-<label>-boundary.png``, for classification runs (metric 'accuracy') whose evaluation set has two
  varying features (constant columns, such as a column of ones for the bias, are held at their value): the decision
  regions of the student's trained parameters next to the reference's (``expected['params']``), over the data's
  bounding box, with the evaluation points, and the true diamond |x1| + |x2| = 1 outlined when the labels follow it
  (or ``options['truth'] == 'diamond'``).

The nbgrader bridge embeds each PNG in the feedback of the part whose key starts its file name. A student's return
value may be anything (None, the wrong structure, nan): whatever is valid is drawn, what is missing is labelled, and
no plotting problem ever fails a grade. Figures are built without pyplot, so no global backend state is touched.

In Chinese (or any language whose text DejaVu Sans lacks), figures are drawn with ``font_settings``: a fallback list of
CJK fonts, the first of which the machine has is used, with DejaVu Sans last for whatever the CJK font lacks. The
kit's setup installs Debian's Noto Sans CJK (``make install``); Windows and macOS have Microsoft YaHei or PingFang SC.

Plotting is bounded: every text drawn is cut to ``MAX_TEXT_CHARS`` (titles and notes quote catalogue strings and
what the student returned), each PNG is written whole or not at all, and ``write_run_plots_within`` draws in a
child process that is killed after ``TIME_LIMIT_SECONDS``. The grader writes its results before it draws, so a
plot that fails or runs out of time costs only that plot.
"""
import os
import re
import sys
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .. import catalogues, text
from ..shipped import evaluation
from ..core import limits, paths, references
from ..shipped import wire

DPI = 80
GRID_STEPS = 160
MAX_POINTS = 400
DIAMOND_AGREEMENT = 0.98
MAX_TEXT_CHARS = 240  # of any one title or note, before it is wrapped (at most 4 lines of it are drawn)
#: The a3 solution's five plots take 2.0 s to draw, and matplotlib 0.8 s to import (docs/security.md).
TIME_LIMIT_SECONDS = 20.0
METRICS = ("loss", "accuracy")

#: The CJK fonts to draw Chinese with, best first: Noto Sans CJK (Debian's fonts-noto-cjk), WenQuanYi Micro Hei
#: (fonts-wqy-microhei), Microsoft YaHei (Windows), PingFang SC and Heiti SC (macOS), SimHei (older Windows).
CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC",
             "Heiti SC", "SimHei", "Noto Sans CJK JP")
#: Where those fonts live when matplotlib's font cache was built before they were installed.
CJK_FONT_FILES = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                  "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "/System/Library/Fonts/PingFang.ttc",
                  "C:/Windows/Fonts/msyh.ttc")
LATIN_FONT = "DejaVu Sans"

COLORS = {"student": "tab:blue", "reference": "0.35", "class1": "darkslateblue", "class0": "chocolate",
          "region1": "#c9c6ec", "region0": "#f6dcc4", "note": "firebrick"}

MESSAGES = text.table("plots", {
    "curves_title": "{key}: your training run against the reference run",
    "boundary_title": "{key}: decision regions (output >= 0.5 is class 1)",
    "loss": "loss",
    "accuracy": "accuracy",
    "epoch": "epoch",
    "student": "your run",
    "reference": "reference run",
    "student_net": "your parameters",
    "reference_net": "reference parameters",
    "net_accuracy": "{who}: {accuracy:.1%} right on {count} points",
    "net_missing": "{who}: not drawn",
    "call_failed": "the training call failed, so there is nothing to plot",
    "no_history_at": "this check does not record a history",
    "no_reference_history": "the reference history is not recorded for this check",
    "not_history": "the history is a {got}, not a dict or a list of numbers",
    "no_series": "the history has no {name!r} entry",
    "bad_series": "history[{name!r}] is not a list of numbers ({got})",
    "empty_series": "history[{name!r}] is empty",
    "non_finite": "{who}: {name} becomes nan or inf at epoch {epoch}",
    "missing_curve": "{who}: no {name} curve ({reason})",
    "bad_path": "the return value has no item {path} (it is a {got})",
    "no_params": "no trained parameters to draw: {reason}",
    "no_reference_params": "the reference run's parameters are not recorded for this check",
    "no_predict": "no predict function to draw the regions with ({reason})",
    "no_predict_named": "the check names no predict function",
    "predict_failed": "predict failed on these parameters: {detail}",
    "predict_shape": "predict returned {got} values for {expected} points",
    "predict_non_finite": "outputs nan or inf on part of the plane (blank there)",
    "predict_all_non_finite": "the outputs are nan or inf everywhere: do the parameters hold nan or inf?",
    "held": "constant inputs held at {values}",
    "class0": "class 0",
    "class1": "class 1",
    "region": "{name} region",
    "diamond": "true boundary |x1| + |x2| = 1",
    "subsampled": "{shown} of {total} evaluation points shown",
    "alt_curves": "{title}. {details}",
    "alt_final": "{who}: final {name} {value}",
    "alt_none": "no curve was drawn",
    "alt_boundary": "{title}. {details}.{diamond}",
    "alt_diamond": " A dashed line marks the true boundary, |x1| + |x2| = 1.",
    "plot_failed": "plots: could not draw {name}: {detail}",
    "plot_timeout": "plots: stopped after {seconds:g} s; the plots drawn by then are kept, the results are complete",
})


# -- fonts ---------------------------------------------------------------------------------------------------------
@lru_cache(maxsize=None)
def cjk_fonts():
    """The families of CJK_FONTS this machine has, in that order. When matplotlib knows none of them (its font
    cache predates the install), the known font files are added to it first."""
    def known():
        names = {entry.name for entry in font_manager.fontManager.ttflist}
        return [name for name in CJK_FONTS if name in names]
    if not known():
        for path in CJK_FONT_FILES:
            if Path(path).is_file():
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
    return tuple(known())


def font_settings():
    """matplotlib rc settings that draw the current language's text: {} for English; for Chinese, the CJK fonts the
    machine has, then DejaVu Sans."""
    if text.current() == text.ENGLISH:
        return {}
    return {"font.family": "sans-serif", "font.sans-serif": [*cjk_fonts(), LATIN_FONT]}


@contextmanager
def fonts():
    """Build and save figures inside this block to draw the current language's text."""
    settings = font_settings()
    if not settings:
        yield
        return
    with matplotlib.rc_context(settings):
        yield


# -- reading a student's return value --------------------------------------------------------------------------------
def _at(value, path):
    """(item, '') at the index path ``path`` inside ``value``, as the judge follows it, or (None, reason)."""
    item = evaluation.dig(value, tuple(path or ()))
    if item is None:
        return None, MESSAGES["bad_path"].format(path=list(path or ()), got=evaluation.describe(value))
    return item, ""


def _numbers(raw, name):
    """(float64 1-D array, '') of a list of numbers, or (None, reason). Non-finite values are kept."""
    if isinstance(raw, wire.Opaque):
        return None, MESSAGES["bad_series"].format(name=name, got=raw.type_name)
    try:
        values = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError, OverflowError) as exc:
        return None, MESSAGES["bad_series"].format(name=name, got=str(exc)[:60])
    if values.ndim != 1 and values.size and values.size == max(values.shape):
        values = values.reshape(-1)
    if values.ndim != 1:
        return None, MESSAGES["bad_series"].format(name=name, got=f"shape {values.shape}")
    if values.size == 0:
        return None, MESSAGES["empty_series"].format(name=name)
    return values, ""


def _history(history):
    """({metric: (values or None, reason)}, '') from a history dict or a bare loss list, or ({}, reason)."""
    if isinstance(history, dict):
        found = {}
        for name in METRICS:
            if name in history:
                found[name] = _numbers(history[name], name)
        return found, ""
    if isinstance(history, (np.ndarray, list, tuple)) and not isinstance(history, wire.Opaque):
        values, reason = _numbers(history, METRICS[0])
        return ({METRICS[0]: (values, reason)}, "") if values is not None else ({}, reason)
    return {}, MESSAGES["not_history"].format(got=evaluation.describe(history))


def _finite(value):
    """A copy of ``value`` with nan and inf replaced, so a structure check does not stop at them: parameters that
    hold nan are still drawn (as blank regions) and labelled for what they are."""
    if type(value) is np.ndarray and value.dtype.kind == "f":
        return np.nan_to_num(value)
    if isinstance(value, (tuple, list)):
        return type(value)(_finite(item) for item in value)
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    return value


def _params(student, options, like):
    """(params, '') of the student's trained parameters with the structure of ``like``, or (None, reason)."""
    if student is None:
        return None, MESSAGES["call_failed"]
    value, reason = _at(student, options.get("params_at", ()))
    if reason:
        return None, reason
    problem = None if like is None else evaluation.mismatch(_finite(value), like, rtol=np.inf, atol=np.inf)
    return (None, problem) if problem else (value, "")


def _outputs(predict, X, params, activations):
    """(float64 1-D outputs, '') of ``predict`` on each row of X, or (None, reason)."""
    try:
        with np.errstate(all="ignore"):
            out = np.asarray(predict(X, params, activations), dtype=np.float64).reshape(-1)
    except Exception as exc:  # a student's parameters can break the reference forward pass in any way
        return None, MESSAGES["predict_failed"].format(detail=f"{type(exc).__name__}: {str(exc)[:80]}")
    if out.size != X.shape[0]:
        return None, MESSAGES["predict_shape"].format(got=out.size, expected=X.shape[0])
    if not np.isfinite(out).any():
        return None, MESSAGES["predict_all_non_finite"]
    return out, ""


def _predict_for(report, dotted):
    """(callable, '') for ``options['predict']``: a callable as is, or 'module.function' of the reference."""
    if callable(dotted):
        return dotted, ""
    if not dotted:
        return None, MESSAGES["no_predict_named"]
    try:
        ref = references.modules(catalogues.load(report.assignment))
        module, name = str(dotted).split(".", 1)
        return getattr(getattr(ref, module), name), ""
    except Exception as exc:
        return None, f"{dotted}: {type(exc).__name__}: {exc}"


# -- the curves ------------------------------------------------------------------------------------------------------
def curves_figure(key, run):
    """The loss/accuracy figure of one run, or None when neither side recorded a history."""
    options, reference, student = run.get("options") or {}, run.get("reference") or {}, run.get("student")
    if student is None:
        student_series, student_reason = {}, MESSAGES["call_failed"]
    elif "history_at" not in options:
        student_series, student_reason = {}, MESSAGES["no_history_at"]
    else:
        history, student_reason = _at(student, options["history_at"])
        student_series, student_reason = ({}, student_reason) if student_reason else _history(history)
    if "history" in reference:
        reference_series, reference_reason = _history(reference["history"])
    else:
        reference_series, reference_reason = {}, MESSAGES["no_reference_history"]
    names = [name for name in METRICS if name in student_series or name in reference_series]
    if not names:
        if "history_at" not in options and "history" not in reference:
            return None
        names = [METRICS[0]]

    fig = Figure(figsize=(max(6.4, 4.6 * len(names) + 0.6), 3.6), dpi=DPI)
    axes = np.atleast_1d(fig.subplots(1, len(names)))
    notes, finals = [], []
    for ax, name in zip(axes, names):
        finite_values = []
        for who, series, side_reason, color, width in (
                ("reference", reference_series, reference_reason, COLORS["reference"], 2.2),
                ("student", student_series, student_reason, COLORS["student"], 1.4)):
            values, reason = series.get(name, (None, side_reason or MESSAGES["no_series"].format(name=name)))
            if values is None:
                notes.append(MESSAGES["missing_curve"].format(who=MESSAGES[who], name=MESSAGES[name], reason=reason))
                continue
            finite = np.isfinite(values)
            if not finite.all():
                notes.append(MESSAGES["non_finite"].format(who=MESSAGES[who], name=MESSAGES[name],
                                                           epoch=int(np.argmin(finite)) + 1))
            shown = np.where(finite, values, np.nan)
            finite_values.append(values[finite])
            last = f"{values[-1]:.1%}" if name == "accuracy" else f"{values[-1]:.4g}"
            finals.append(MESSAGES["alt_final"].format(who=MESSAGES[who], name=MESSAGES[name], value=last))
            ax.plot(np.arange(1, values.size + 1), shown, color=color, linewidth=width, label=MESSAGES[who])
        ax.set_title(MESSAGES[name], y=1.0)
        ax.set_xlabel(MESSAGES["epoch"])
        ax.grid(True, alpha=0.3)
        if name == "loss" and _spans_decades(np.concatenate(finite_values) if finite_values else np.empty(0)):
            ax.set_yscale("log")
        if name == "accuracy":
            ax.set_ylim(-0.03, 1.03)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="best", fontsize=8)
    title = MESSAGES["curves_title"].format(key=run.get("caption") or key)
    drop = _title(fig, title)
    _footnotes(fig, notes, top=0.86 - drop)
    fig.nnkit_alt = MESSAGES["alt_curves"].format(title=title, details="; ".join(finals + notes)
                                                  or MESSAGES["alt_none"])
    return fig


def _spans_decades(values):
    """Whether a loss curve reads better on a log scale: all positive, and over more than a factor of 20."""
    return values.size > 0 and bool(np.all(values > 0)) and float(values.max() / values.min()) > 20.0


# -- the decision regions --------------------------------------------------------------------------------------------
def _features(X):
    """The indices of X's varying columns and the values of its constant ones, as (varying, {column: value})."""
    finite = np.where(np.isfinite(X), X, 0.0)
    constant = np.all(finite == finite[:1], axis=0)
    return np.flatnonzero(~constant), {int(c): float(finite[0, c]) for c in np.flatnonzero(constant)}


def _box(points):
    """The bounding box of two columns with a margin, as ((xmin, xmax), (ymin, ymax)); never of zero width."""
    limits = []
    for column in (points[:, 0], points[:, 1]):
        finite = column[np.isfinite(column)]
        low, high = (float(finite.min()), float(finite.max())) if finite.size else (-1.0, 1.0)
        margin = max(0.08 * (high - low), 0.1)
        limits.append((low - margin, high + margin))
    return limits


def _subsample(count):
    """Indices of at most MAX_POINTS evaluation points, evenly spread and always the same."""
    if count <= MAX_POINTS:
        return np.arange(count)
    return np.unique(np.linspace(0, count - 1, MAX_POINTS).round().astype(int))


def _follows_diamond(points, labels, options):
    truth = options.get("truth")
    if truth is not None:
        return truth == "diamond"
    inside = (np.abs(points[:, 0]) + np.abs(points[:, 1])) < 1.0
    return labels.size == inside.size and float(np.mean(inside == labels)) >= DIAMOND_AGREEMENT


def boundary_figure(report, key, run):
    """The decision-regions figure of one classification run, or None when there is no plane to draw."""
    options, reference, student = run.get("options") or {}, run.get("reference") or {}, run.get("student")
    X, y = reference.get("X"), reference.get("y")
    if options.get("metric", "accuracy") != "accuracy" or type(X) is not np.ndarray or X.ndim != 2 \
            or X.shape[0] == 0 or X.dtype.kind not in "fiu" or y is None:
        return None
    X = X.astype(np.float64)
    labels = np.asarray(y, dtype=np.float64).reshape(-1) >= 0.5
    varying, held = _features(X)
    if varying.size != 2 or labels.size != X.shape[0]:
        return None
    points = X[:, varying]
    (x0, x1), (y0, y1) = _box(points)
    gx, gy = np.meshgrid(np.linspace(x0, x1, GRID_STEPS), np.linspace(y0, y1, GRID_STEPS))
    grid = np.empty((gx.size, X.shape[1]))
    grid[:, varying[0]], grid[:, varying[1]] = gx.ravel(), gy.ravel()
    for column, value in held.items():
        grid[:, column] = value

    predict, predict_reason = _predict_for(report, options.get("predict"))
    activations = options.get("activations")
    student_params, student_reason = _params(student, options, reference.get("params_like"))
    sides = [("student", student_params,
              MESSAGES["no_params"].format(reason=student_reason) if student_reason else "")]
    notes = []
    if reference.get("params") is not None:
        sides.append(("reference", reference["params"], ""))
    else:
        notes.append(MESSAGES["no_reference_params"])
    panels = []
    for who, params, reason in sides:
        if not reason and predict is None:
            reason = MESSAGES["no_predict"].format(reason=predict_reason)
        on_X = on_grid = None
        if not reason:
            on_X, reason = _outputs(predict, X, params, activations)
        if not reason:
            on_grid, reason = _outputs(predict, grid, params, activations)
            if reason:
                on_X = None
        panels.append((who, on_X, None if on_grid is None else on_grid.reshape(gx.shape), reason))
    if held:
        notes.append(MESSAGES["held"].format(values=", ".join(f"x{c} = {v:g}" for c, v in sorted(held.items()))))

    diamond = _follows_diamond(points, labels, options)
    fig = Figure(figsize=(max(6.4, 4.5 * len(panels) + 0.5), 4.6), dpi=DPI)
    axes = np.atleast_1d(fig.subplots(1, len(panels), sharex=True, sharey=True))
    shown = _subsample(X.shape[0])
    size = 12 if shown.size > 50 else 60
    described = []
    for ax, (who, on_X, on_grid, reason) in zip(axes, panels):
        name = MESSAGES[f"{who}_net"]
        if on_grid is not None:
            finite = np.isfinite(on_grid)
            regions = np.where(finite, (on_grid >= 0.5).astype(np.float64), np.nan)
            ax.contourf(gx, gy, regions, levels=[-0.5, 0.5, 1.5], colors=[COLORS["region0"], COLORS["region1"]])
            if np.nanmin(regions) < np.nanmax(regions):
                ax.contour(gx, gy, regions, levels=[0.5], colors="0.25", linewidths=1.0)
            if not finite.all():
                notes.append(f"{name}: {MESSAGES['predict_non_finite']}")
            right = (on_X >= 0.5) == labels
            described.append(MESSAGES["net_accuracy"].format(who=name, accuracy=float(right.mean()), count=right.size))
            ax.set_title(described[-1], fontsize=10, y=1.0)
        else:
            described.append(f'{MESSAGES["net_missing"].format(who=name)} ({reason})')
            ax.set_title(MESSAGES["net_missing"].format(who=name), fontsize=10, y=1.0)
            ax.text(0.5, 0.5, _wrap(reason, 44), transform=ax.transAxes, ha="center", va="center", fontsize=9,
                    color=COLORS["note"], bbox={"facecolor": "white", "edgecolor": COLORS["note"], "alpha": 0.9})
        on = labels[shown]
        ax.scatter(points[shown][on, 0], points[shown][on, 1], s=size, marker="o", color=COLORS["class1"],
                   linewidths=0)
        ax.scatter(points[shown][~on, 0], points[shown][~on, 1], s=size * 1.2, marker="x", color=COLORS["class0"],
                   linewidths=1.0 if size < 60 else 2.0)
        if diamond:
            ax.plot([1, 0, -1, 0, 1], [0, 1, 0, -1, 0], linestyle="--", color="black", linewidth=1.2)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect("equal", adjustable="box")
        ax.set_xlabel(f"x{varying[0]}" if held else "x1")
    axes[0].set_ylabel(f"x{varying[1]}" if held else "x2")
    handles = [Line2D([], [], marker="o", linestyle="", color=COLORS["class1"], label=MESSAGES["class1"]),
               Line2D([], [], marker="x", linestyle="", color=COLORS["class0"], label=MESSAGES["class0"]),
               Patch(facecolor=COLORS["region1"], edgecolor="0.6",
                     label=MESSAGES["region"].format(name=MESSAGES["class1"])),
               Patch(facecolor=COLORS["region0"], edgecolor="0.6",
                     label=MESSAGES["region"].format(name=MESSAGES["class0"]))]
    if diamond:
        handles.append(Line2D([], [], linestyle="--", color="black", label=MESSAGES["diamond"]))
    fig.legend(handles=handles, loc="lower center", ncol=len(handles) if len(panels) > 1 else 3, fontsize=8,
               frameon=False, bbox_to_anchor=(0.5, 0.0))
    if shown.size < X.shape[0]:
        notes.append(MESSAGES["subsampled"].format(shown=shown.size, total=X.shape[0]))
    title = MESSAGES["boundary_title"].format(key=run.get("caption") or key)
    drop = _title(fig, title)
    _footnotes(fig, notes, top=0.88 - drop, legend_rows=1 if len(panels) > 1 else 2)
    fig.nnkit_alt = MESSAGES["alt_boundary"].format(title=title, details="; ".join(described + notes),
                                                    diamond=MESSAGES["alt_diamond"] if diamond else "")
    return fig


# -- layout ----------------------------------------------------------------------------------------------------------
def _title(fig, text):
    """Set the figure's title, wrapped to its width; return how far below the top the axes must start."""
    wrapped = _wrap(text, int(fig.get_figwidth() * 12))
    fig.suptitle(wrapped, fontsize=11)
    return 0.065 * wrapped.count("\n")


def _footnotes(fig, notes, top, legend_rows=0):
    width = int(fig.get_figwidth() * 12)
    lines = [_wrap(note, width) for note in notes]
    height = sum(line.count("\n") + 1 for line in lines)
    legend = 0.05 * legend_rows
    fig.subplots_adjust(left=0.1, right=0.97, top=top, bottom=0.14 + legend + 0.045 * height, wspace=0.25)
    if lines:
        fig.text(0.01, 0.01 + legend, "\n".join(lines), fontsize=8, color=COLORS["note"], va="bottom")


def _wrap(text, width):
    """``text``, cut to MAX_TEXT_CHARS, in at most 4 lines of about ``width`` characters (a longer word is split)."""
    text = wire.cut(str(text), MAX_TEXT_CHARS)
    if _CJK.search(text):
        return _wrap_cjk(text, width)
    words = [word[i:i + width] for word in text.split() for i in range(0, len(word), max(width, 1))]
    lines, line = [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return "\n".join(lines[:4])


_CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


def _wrap_cjk(value, width):
    """_wrap for text with CJK characters: a line may break after any of them, or at a space; each counts as two
    columns, as it is drawn about twice as wide as a Latin letter."""
    pieces = re.findall(r"[\u3000-\u9fff\uff00-\uffef]|\S+?(?=[\u3000-\u9fff\uff00-\uffef]|\s|$)|\s+", value)
    lines, line, used = [], "", 0
    for piece in pieces:
        size = 2 if _CJK.fullmatch(piece) else len(piece)
        if piece.isspace():
            if line:
                line, used = line + " ", used + 1
            continue
        if line and used + size > width:
            lines.append(line.rstrip())
            line, used = "", 0
        line, used = line + piece, used + size
    lines.append(line.rstrip())
    return "\n".join(lines[:4])


def _file_part(text):
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", str(text)).strip("._") or "run"


def _stem(key):
    part, _, label = str(key).partition("/")
    return f"{_file_part(part)}-{_file_part(label or 'run')}"


# -- the entry point ---------------------------------------------------------------------------------------------
def write_run_plots(report, folder):
    """Write the PNGs of every training run in ``report.runs`` into ``folder``; return the paths written.

    Never raises: a figure that cannot be drawn is reported on standard error and skipped.
    """
    folder = Path(folder)
    written = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(MESSAGES["plot_failed"].format(name=folder, detail=exc), file=sys.stderr)
        return written
    for key, run in sorted((getattr(report, "runs", None) or {}).items(), key=lambda item: str(item[0])):
        run = run if isinstance(run, dict) else {}
        for kind, draw in (("curves", lambda: curves_figure(key, run)),
                           ("boundary", lambda: boundary_figure(report, key, run))):
            path = folder / f"{_stem(key)}-{kind}.png"
            try:
                with text.language(getattr(report, "lang", None) or text.current()), fonts():
                    fig = draw()
                    if fig is not None:
                        partial = path.with_name(f".{path.name}.part")
                        fig.savefig(partial, dpi=DPI, format="png")
                        paths.plot_alt(path).write_text(getattr(fig, "nnkit_alt", ""), encoding="utf-8")
                        os.replace(partial, path)  # a plot stopped midway leaves no half PNG behind
                        written.append(path)
            except Exception as exc:  # plots are a courtesy: they must never cost a student their grade
                print(MESSAGES["plot_failed"].format(name=path.name, detail=f"{type(exc).__name__}: {exc}"[:300]),
                      file=sys.stderr)
    return written


_WARMED = set()  # the languages warm() has drawn in, in this process or the one it was forked from


def warm(lang=None):
    """Do once, ahead of any report, what drawing a first figure costs: load the fonts of ``lang`` (default: the
    current language), and build matplotlib's text layout and the mathtext parser of log-scale tick labels, which
    matplotlib caches per process. A process that draws later (a child forked from this one included) then spends
    only the drawing itself. Draws into memory, writes nothing, never raises."""
    import io
    lang = lang or text.current()
    if lang in _WARMED:  # this process, or the one it was forked from, has drawn in this language already
        return
    _WARMED.add(lang)
    try:
        with text.language(lang), fonts():
            fig = Figure(figsize=(2, 2), dpi=DPI)
            ax = fig.subplots()
            ax.plot([1, 2, 3], [10.0, 1.0, 0.01], label=MESSAGES["student"])
            ax.set_yscale("log")
            ax.set_title(MESSAGES["loss"])
            ax.legend(fontsize=8)
            fig.savefig(io.BytesIO(), dpi=DPI, format="png")
    except Exception:  # a warm-up only: the real figure reports its own trouble
        pass


def write_run_plots_within(report, folder, seconds=None):
    """``write_run_plots`` in a child process, killed after ``seconds`` (default TIME_LIMIT_SECONDS): return the
    PNGs in ``folder`` afterwards.

    Never raises, and never takes longer than ``seconds`` (and a little): a plot still being drawn then is not
    written, and the ones already written stay."""
    folder = Path(folder)
    seconds = TIME_LIMIT_SECONDS if seconds is None else seconds
    if not limits.run_within(seconds, lambda: write_run_plots(report, folder)):
        print(MESSAGES["plot_timeout"].format(seconds=seconds), file=sys.stderr)
    return sorted(folder.glob("*.png")) if folder.is_dir() else []

"""The language of the course a folder belongs to: the ``LANG`` its ``nbgrader_config.py`` sets.

``python -m grader course --lang zh DIR`` writes ``DIR/nbgrader_config.py`` with ``LANG = 'zh'``; nbgrader's grade
cells, plots and feedback pages read it from there. The kit's own commands (``grade``, ``grade-all``, ``report``,
...) read it here, so that inside a Chinese course they speak Chinese without ``--lang``. The file is read, never
run: its ``LANG`` must be a plain string at the top level.
"""
import ast
from pathlib import Path

from .. import text

CONFIG = "nbgrader_config.py"
VARIABLE = "LANG"

MESSAGES = text.table("course_config", {
    "unknown": "{path} sets a language the kit does not speak: {detail}",
})


def config_of(place):
    """The ``nbgrader_config.py`` of the nearest folder at or above ``place`` that has one, or None."""
    try:
        place = Path(place).resolve()
    except (OSError, RuntimeError):
        return None
    for folder in ([place] if place.is_dir() else []) + list(place.parents):
        candidate = folder / CONFIG
        if candidate.is_file():
            return candidate
    return None


def declared(config):
    """The string ``LANG`` is set to at the top level of ``config`` (a path), or '' when it sets none."""
    try:
        tree = ast.parse(Path(config).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
        return ""
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                and node.targets[0].id == VARIABLE and isinstance(node.value, ast.Constant) \
                and isinstance(node.value.value, str):
            return node.value.value.strip()
    return ""


def language_of(*places):
    """The language of the first course among ``places`` (folders or files, nearest ``nbgrader_config.py`` at or
    above each) that declares one, or None. A course that declares a language the kit does not speak raises
    text.UnknownLanguage, naming its config."""
    seen = set()
    for place in places:
        config = config_of(place) if place else None
        if config is None or config in seen:
            continue
        seen.add(config)
        lang = declared(config)
        if lang:
            try:
                return text.check(lang)
            except text.UnknownLanguage as exc:
                raise text.UnknownLanguage(MESSAGES["unknown"].format(path=config, detail=exc)) from None
    return None

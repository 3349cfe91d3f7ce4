"""Every language but English is complete: each English key has its text, with the same placeholders, in the words
of that language, and no translation is left over from a key that is gone. Run after adding any English text;
``python -m grader.authoring.inventory zh`` lists what is missing."""
import ast
import re
import sys

import pytest

from grader import catalogues, text
from grader.authoring import notebooks
from grader.core import paths
from grader.authoring import inventory

OTHER = [lang for lang in text.LANGUAGES if lang != text.ENGLISH]

#: Entries whose translation may hold no CJK character: formats of numbers, markup and names only.
NO_WORDS = {
    ("cli", "part_row"), ("cli", "total_row"), ("student_readme", "readme_module"), ("student_readme", "readme_part"),
    ("local", "line"), ("results", "case_line"), ("evaluation", "frame"),
    ("evaluation", "sequence"), ("evaluation", "join"), ("feedback", "html"), ("feedback", "close_heading"),
    ("feedback", "close_item"), ("prairielearn", "part"), ("class_report", "written_number"),
}
#: Tables whose entries are never str.format templates (prose, formulas with braces)
NOT_TEMPLATES = ("doc:", "hint:", "notebook:", "catalogue:")
#: An argument or return value at the start of a docstring's list line: "- X:", "- (w, b):", '- "A":'
ARGUMENT = r"^\s*- (\([\w, ]+\)|\"?\w+\"?):"
#: A shape in a docstring: (N, D), (D,), (num_iter + 1, D), (D1, ..., Dk)
_DIM = r"(?:[A-Za-z_]\w*(?:\{[^{}]*\}|\([^()]*\))?(?: [+-] \d+)?|\d+|\.\.\.)"
SHAPE = rf"\({_DIM}(?:, {_DIM})*,(?: {_DIM})?\)|\({_DIM}(?:, {_DIM})+\)"


def english_words(value):
    """Runs of four or more English words in ``value``, after taking out what is code, not prose: placeholders,
    `code`, $formulas$, <tags>, identifiers (snake_case, dotted, called), file names and numbers."""
    value = re.sub(r"```.*?```", " ", value, flags=re.S)
    value = re.sub(r"\$\$.*?\$\$|\$[^$]*\$", " ", value, flags=re.S)
    value = re.sub(r"`[^`]*`|<[^>]*>|\{[^{}]*\}", " ", value)
    value = re.sub(r"\b\w+(?:[._]\w+)+\b(?:\([^()]*\))?|\b\w+\([^()]*\)", " ", value)
    return re.findall(r"\b[A-Za-z]{2,}(?:[ \t]+[A-Za-z]{2,}){3,}\b", value)


def test_english_prose_detector():
    assert english_words("the loss is summed over the batch") == ["the loss is summed over the batch"]
    assert english_words("损失函数（loss function）的梯度，`np.exp(-z)` 与 sigmoid_prime(z)") == []


CATALOGUES = "grader/text/locale/{lang}/LC_MESSAGES/nnkit.po"


@pytest.mark.parametrize("lang", OTHER)
def test_every_english_entry_has_a_translation(lang):
    missing = inventory.missing(lang)
    assert missing == [], f"add the {lang} of these {len(missing)} entries: run `python -m grader.authoring.inventory " \
                          f"{lang} --update`, translate them in {CATALOGUES.format(lang=lang)}, run `python -m grader " \
                          f"sync`: {missing[:5]}"


@pytest.mark.parametrize("lang", OTHER)
def test_no_english_changed_since_it_was_translated(lang):
    changed = inventory.stale(lang)
    assert changed == [], f"{len(changed)} English entries changed since their {lang} text was written: run " \
                          f"`python -m grader.authoring.inventory {lang} --update`, update the fuzzy entries in " \
                          f"{CATALOGUES.format(lang=lang)} and drop their fuzzy flag, run `python -m grader sync`: " \
                          f"{changed[:3]}"


@pytest.mark.parametrize("lang", OTHER)
def test_no_translation_outlives_its_english_key(lang):
    gone = inventory.orphans(lang)
    assert gone == [], f"run `python -m grader.authoring.inventory {lang} --update` to drop the entries whose English " \
                       f"is gone: {gone[:5]}"


def test_a_changed_english_message_is_flagged_fuzzy_and_said_in_english_until_translated_again(tmp_path,
                                                                                                 monkeypatch):
    """The gettext workflow on a scratch catalogue: --update's merge keeps an old translation as fuzzy, with the
    English it was made from; the compiled catalogue leaves it out, so the kit says the new English."""
    import gettext
    from grader.text import po
    monkeypatch.setattr(po, "LOCALE", tmp_path)
    old = {("results", "kept"): po.Entry("same", "相同"), ("results", "changed"): po.Entry("old words", "旧的话"),
           ("results", "gone"): po.Entry("gone", "没了")}
    catalogs = po.merged("zh", {"results": {"kept": "same", "changed": "new words", "added": "added"}}, old)
    po.write("zh", catalogs)
    entries = po.read("zh")
    assert entries[("results", "kept")] == po.Entry("same", "相同")
    assert entries[("results", "changed")] == po.Entry("new words", "旧的话", fuzzy=True, previous=("old words",))
    assert entries[("results", "added")] == po.Entry("added", "")
    assert ("results", "gone") not in entries
    assert "#, fuzzy" in po.path("zh", "nnkit").read_text(encoding="utf-8")
    compiled = po.compiled("zh")[po.mo_path("zh", "nnkit")]
    (tmp_path / "messages.mo").write_bytes(compiled)
    with open(tmp_path / "messages.mo", "rb") as handle:
        said = gettext.GNUTranslations(handle)
    assert said.pgettext(po.context("results", "kept"), "same") == "相同"
    assert said.pgettext(po.context("results", "changed"), "new words") == "new words"
    assert po.same_translations(compiled, compiled)
    catalogs["nnkit"].get("same", context=po.context("results", "kept")).string = "一样"
    po.write("zh", catalogs)
    assert not po.same_translations(compiled, po.compiled("zh")[po.mo_path("zh", "nnkit")])


@pytest.mark.parametrize("lang", OTHER)
def test_no_translation_holds_a_solution_line(lang):
    """What students receive in another language is built from its translations: none may add a line that only the
    solutions' answer regions have (tests/test_sync.py checks the English release, and so what the English says)."""
    from grader.authoring import sync
    secret = set()
    for name in catalogues.names():
        for module in catalogues.load(name).modules:
            path = paths.SOLUTIONS / name / f"{module}.py"
            secret.update(sync.solution_lines(path.read_text(encoding="utf-8"), path))
    assert secret
    english = inventory.english()
    leaked = [(table, key, line) for table, entries in inventory.translated(lang).items()
              for key, translated in entries.items() for line in secret
              if line in translated and line not in english[table][key]]
    assert leaked == [], f"these {lang} translations give an answer away; reword them: {leaked[:3]}"


def test_a_translation_is_said_only_for_the_english_it_was_made_from():
    from grader.reports import results
    english = results.MESSAGES.english()["hidden"]
    with text.language("zh"):
        assert text.lookup("results", "hidden", english) == results.MESSAGES["hidden"] != english
        assert text.lookup("results", "hidden", english + " (reworded)") == english + " (reworded)"


@pytest.mark.parametrize("lang", OTHER)
def test_placeholders_match(lang):
    english = inventory.english()
    wrong = []
    for table, entries in inventory.translated(lang).items():
        if table.startswith(NOT_TEMPLATES):
            continue
        for key, translated in entries.items():
            if text.placeholders(translated) != text.placeholders(english[table][key]):
                wrong.append((table, key, text.placeholders(english[table][key]), text.placeholders(translated)))
    assert wrong == []


@pytest.mark.parametrize("lang", OTHER)
def test_translations_are_in_the_language_and_hold_no_english_prose(lang):
    english = inventory.english()
    untranslated, prose = [], []
    for table, entries in inventory.translated(lang).items():
        for key, translated in entries.items():
            if (table, key) in NO_WORDS:
                continue
            if re.search(r"[A-Za-z]", re.sub(r"\{[^{}]*\}", "", english[table][key])) and not text.has_cjk(translated):
                untranslated.append((table, key, translated))
            prose += [(table, key, run) for run in english_words(translated)]
    assert untranslated == []
    assert prose == []


def test_every_messages_table_is_translatable_or_says_why_not():
    plain = inventory.plain_tables()
    known = set(inventory.UNTRANSLATED) | set(inventory.OWN_TRANSLATION)
    assert set(plain) <= known, \
        f"wrap these in text.table(...) or list them in inventory.UNTRANSLATED: {sorted(set(plain) - known)}"
    worker = ast.parse((paths.ROOT / "grader" / "sandbox" / "worker.py").read_text(encoding="utf-8"))
    assert any(isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "MESSAGES" for node in worker.body)


@pytest.mark.parametrize("lang", OTHER)
def test_docstrings_keep_every_argument_name_and_shape(lang):
    english = inventory.english()
    problems = []
    for table, entries in inventory.translated(lang).items():
        if not table.startswith("doc:"):
            continue
        for key, translated in entries.items():
            source = english[table][key]
            names = set(re.findall(ARGUMENT, source, re.M)) if key != "module" else set()
            lost = names - set(re.findall(ARGUMENT, translated, re.M))
            shapes = set(re.findall(SHAPE, source))
            dropped = {shape for shape in shapes if shape not in translated}
            if lost or dropped:
                problems.append((table, key, sorted(lost), sorted(dropped)))
    assert problems == []


@pytest.mark.parametrize("lang", OTHER)
def test_notebook_translations_keep_every_formula(lang):
    english = inventory.english()
    problems = []
    for table, entries in inventory.translated(lang).items():
        if not table.startswith("notebook:"):
            continue
        for key, translated in entries.items():
            formulas = set(re.findall(r"\$\$.*?\$\$|\$[^$\n]+\$", english[table][key], re.S))
            dropped = [formula for formula in formulas if formula not in translated]
            if dropped:
                problems.append((table, key, dropped))
    assert problems == []


@pytest.mark.parametrize("name", catalogues.names())
def test_every_markdown_cell_has_its_own_key(name):
    cells = notebooks.markdown_cells(catalogues.load(name))
    keys = [key for key, _ in cells]
    assert None not in keys, f"notebooks/{name}.py: give each `# %% [markdown]` a key, e.g. `# %% [markdown] intro`"
    assert len(keys) == len(set(keys))
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", key) for key in keys)


def test_a_misconception_key_with_several_messages_is_translated_per_part():
    spec = catalogues.load("a1_neuron_gd")
    keys = inventory.misconception_keys(spec)
    assert "misconception:update_sign@logistic_regression" in keys and "misconception:update_sign" not in keys
    assert "misconception:sigmoid_sign" in keys
    said = {part: message for part, key, message in inventory.misconceptions(spec) if key == "update_sign"}
    with text.language("zh"):
        batch = text.misconception("a1_neuron_gd", "batch_gd", "update_sign", said["batch_gd"])
        logistic = text.misconception("a1_neuron_gd", "logistic_regression", "update_sign",
                                      said["logistic_regression"])
    assert "theta" in batch and "k - learning_rate" in logistic


def test_the_language_comes_from_use_then_the_environment_then_english(monkeypatch):
    from grader.reports import results  # noqa: F401  (its MESSAGES table registers itself on import)
    monkeypatch.delenv(text.VARIABLE, raising=False)
    assert text.current() == "en"
    monkeypatch.setenv(text.VARIABLE, "zh")
    assert text.current() == "zh"
    with text.language("en"):
        assert text.current() == "en"
        assert text.TABLES["results"]["hidden"] == " (hidden case)"
    assert text.TABLES["results"]["hidden"] == "（隐藏用例）"
    monkeypatch.setenv(text.VARIABLE, "fr")
    with pytest.raises(text.UnknownLanguage):
        text.current()


def test_english_is_what_it_was_without_a_language(monkeypatch):
    monkeypatch.delenv(text.VARIABLE, raising=False)
    from grader.shipped import evaluation
    assert evaluation.say("not_implemented", function="f()") == "not implemented yet: fill in the TODO in f()"
    assert evaluation.changed_message(["params[0][0]", "grads"]) == (
        "changed its arguments `params` and `grads` in place (at params[0][0]): " +
        evaluation.MESSAGES["changed_input"].split(": ", 1)[1] + ". Likely cause: " + evaluation.MESSAGES["in_place"])
    assert evaluation.describe(__import__("numpy").zeros((2, 3))) == "numpy.ndarray of shape (2, 3)"


def test_join_wide_lines_removes_breaks_inside_chinese_only():
    source = "# 标题\n第一行\n第二行\nsigmoid\n函数\n- 列表\n  续行\n| 表 |\n| 格 |"
    assert text.join_wide_lines(source) == "# 标题\n第一行第二行\nsigmoid\n函数\n- 列表续行\n| 表 |\n| 格 |"


if __name__ == "__main__":
    sys.exit(pytest.main([__file__]))

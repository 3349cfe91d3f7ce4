"""A student's Python file in another language: the same code, with its docstrings, TODO hints and messages
replaced by that language's text from its catalogues (``grader/text/locale/<lang>/``, read through ``grader.text``).

The source of every student file is English: a solution module (``solutions/<assignment>/<module>.py``) or a file
of the self-check (``grader/shipped/test_selfcheck.py``). ``translate_source`` rewrites, for the file at ``rel``
(its path from the kit's root):

- the module docstring and each top-level function's docstring: ``("doc:<rel>", "module" or "<function>")``;
- each ``### BEGIN SOLUTION: <hint>`` hint: ``("hint:<rel>", "<function>")`` (``<function>#2`` for the function's
  second region, and so on);
- each value of the module's ``MESSAGES`` dict (the errors the finished code raises): ``("code:<rel>", "<key>")``.

Nothing else changes: the code, the argument names and the shapes are the English file's. A missing translation
keeps the English text; ``tests/test_text.py`` makes sure none is missing.
"""
import ast
import json
import re

from .. import text

BEGIN = re.compile(r"^(?P<head>[ \t]*### BEGIN SOLUTION:\s*)(?P<hint>.*)$")


def _functions(tree):
    return [node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]


def _docstring_node(node):
    body = getattr(node, "body", [])
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        return body[0].value
    return None


def docstrings(source):
    """{"module" or function name: docstring} of a Python source, as ``ast.get_docstring`` cleans them."""
    tree = ast.parse(source)
    found = {}
    if _docstring_node(tree) is not None:
        found["module"] = ast.get_docstring(tree)
    for node in _functions(tree):
        if _docstring_node(node) is not None:
            found[node.name] = ast.get_docstring(node)
    return found


def hints(source):
    """{hint key: hint} of the solution regions of a source, keyed as ``translate_source`` keys them."""
    tree = ast.parse(source)
    spans = [(node.lineno, node.end_lineno, node.name) for node in _functions(tree)]
    found, seen = {}, {}
    for number, line in enumerate(source.splitlines(), 1):
        match = BEGIN.match(line)
        if not match:
            continue
        name = next((name for start, end, name in spans if start <= number <= end), "module")
        seen[name] = seen.get(name, 0) + 1
        found[name if seen[name] == 1 else f"{name}#{seen[name]}"] = match["hint"].strip()
    return found


def code_messages(source):
    """{key: English text} of a source's module-level ``MESSAGES`` dict, or {}."""
    node = _messages_node(ast.parse(source))
    if node is None:
        return {}
    return {key.value: value.value for key, value in zip(node.keys, node.values)
            if isinstance(key, ast.Constant) and isinstance(value, ast.Constant) and isinstance(value.value, str)}


def _messages_node(tree):
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                and node.targets[0].id == "MESSAGES" and isinstance(node.value, ast.Dict):
            return node.value
    return None


def _docstring_literal(doc, indent):
    """A triple-quoted literal of ``doc`` for a docstring at column ``indent``, in the kit's docstring style."""
    doc = doc.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    lines = doc.split("\n")
    if len(lines) == 1:
        return f'"""{lines[0]}"""'
    pad = " " * indent
    rest = [f"{pad}{line}" if line.strip() else "" for line in lines[1:]]
    return '"""' + "\n".join([lines[0], *rest]) + f'\n{pad}"""'


def _string_literal(value):
    """A double-quoted literal of ``value``, whole on one line (a cut could split a placeholder in two)."""
    return json.dumps(value, ensure_ascii=False)


def _offset(lines, lineno, col):
    """The character offset of (1-based line, UTF-8 byte column) in the text whose lines are ``lines``."""
    line = lines[lineno - 1]
    return sum(len(earlier) for earlier in lines[:lineno - 1]) + len(line.encode("utf-8")[:col].decode("utf-8"))


def translate_source(source, rel):
    """``source`` (the English file at ``rel``) with its docstrings, hints and messages in the current language."""
    if text.current() == text.ENGLISH:
        return source
    found_hints = hints(source)
    keys = iter(found_hints)
    lines = []
    for line in source.splitlines(keepends=True):
        match = BEGIN.match(line.rstrip("\n"))
        if match:
            key = next(keys)
            hint = text.lookup(f"hint:{rel}", key, found_hints[key])
            line = match["head"] + hint + ("\n" if line.endswith("\n") else "")
        lines.append(line)
    source = "".join(lines)

    tree = ast.parse(source)
    edits = []  # (start, end, replacement) as character offsets
    lines = source.splitlines(keepends=True)

    def replace(node, replacement):
        edits.append((_offset(lines, node.lineno, node.col_offset),
                      _offset(lines, node.end_lineno, node.end_col_offset), replacement))

    for name, node in [("module", tree)] + [(function.name, function) for function in _functions(tree)]:
        doc = _docstring_node(node)
        if doc is None:
            continue
        english = ast.get_docstring(node)
        translated = text.lookup(f"doc:{rel}", name, english)
        if translated != english:
            replace(doc, _docstring_literal(translated, doc.col_offset))
    messages = _messages_node(tree)
    if messages is not None:
        for key, value in zip(messages.keys, messages.values):
            if isinstance(key, ast.Constant) and isinstance(value, ast.Constant) and isinstance(value.value, str):
                translated = text.lookup(f"code:{rel}", key.value, value.value)
                if translated != value.value:
                    replace(value, _string_literal(translated))
    for start, end, replacement in sorted(edits, reverse=True):
        source = source[:start] + replacement + source[end:]
    return source

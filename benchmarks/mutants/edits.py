"""Edits of a solution that survive its reformatting: an edit's target is found as written, else as code tokens."""
import ast
import io
import tokenize

# Tokens that carry no code: where a reformatting moves them, an edit still finds its place.
LAYOUT = {tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.COMMENT, tokenize.ENDMARKER}


def _code_tokens(text):
    """([(comparable value, start offset, end offset)] of the code tokens of ``text``, which may be a fragment;
    [(start, end)] of the formatter's parentheses left out).

    What formatters change is left out: layout and comments, a trailing comma before a closing bracket, and the
    parentheses a formatter wraps around a whole right-hand side (``x = (`` ... ``)`` at the end of the statement).
    Strings and numbers compare by value, so quotes and spellings of a number do not matter."""
    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    raw = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            raw.append(token)
    except (tokenize.TokenError, IndentationError):
        pass  # a fragment that ends inside brackets: the tokens read so far are all there is
    def offset(position):
        return starts[position[0] - 1] + position[1]

    dropped, wrapped = set(), []
    for i, token in enumerate(raw):
        if token.string == "(" and i and raw[i - 1].type == tokenize.OP and raw[i - 1].string.endswith("=") \
                and raw[i - 1].string not in ("==", "<=", ">=", "!="):
            depth, j = 0, i
            while j < len(raw):
                depth += raw[j].string in "([{" and raw[j].type == tokenize.OP
                depth -= raw[j].string in ")]}" and raw[j].type == tokenize.OP
                if depth == 0:
                    break
                j += 1
            if j + 1 < len(raw) and raw[j + 1].type in (tokenize.NEWLINE, tokenize.ENDMARKER, tokenize.COMMENT):
                dropped |= {i, j}
                wrapped.append((offset(raw[i].start), offset(raw[j].end)))
    found = []
    for i, token in enumerate(raw):
        if token.type in LAYOUT or i in dropped:
            continue
        value = token.string
        if token.type in (tokenize.STRING, tokenize.NUMBER):
            try:
                value = repr(ast.literal_eval(token.string))
            except (ValueError, SyntaxError):
                pass
        if value in (")", "]", "}") and found and found[-1][0] == ",":
            found.pop()  # a trailing comma, which formatters add or drop
        (row, col), (end_row, end_col) = token.start, token.end
        found.append((value, starts[row - 1] + col, starts[end_row - 1] + end_col))
    return found, wrapped


def _reindent(new, indent):
    """``new`` without its first line's indentation, its other lines shifted by the same amount towards
    ``indent``, and without its final line break."""
    lines = new.rstrip("\n").split("\n")
    own = len(lines[0]) - len(lines[0].lstrip())
    shift = len(indent) - own
    out = [lines[0].lstrip()]
    for line in lines[1:]:
        out.append(" " * shift + line if shift >= 0 else line[min(-shift, len(line) - len(line.lstrip())):])
    return "\n".join(out)


def apply_edit(text, old, new):
    """``text`` with the one occurrence of ``old`` replaced by ``new``. ``old`` is looked for as a sequence of code
    tokens, so that an edit still applies to a solution whose layout, comments, quotes or number spelling changed,
    and replaced as written where it is written so. Raises ValueError unless it occurs exactly once."""
    wanted = [value for value, _, _ in _code_tokens(old)[0]]
    have, wrapped = _code_tokens(text)
    hits = [i for i in range(len(have) - len(wanted) + 1)
            if wanted and [value for value, _, _ in have[i:i + len(wanted)]] == wanted]
    if text.count(old) == 1 and len(hits) <= 1:
        return text.replace(old, new)  # as written (or inside a string or a token, where tokens cannot see it)
    if len(hits) != 1:
        raise ValueError(f"edit target occurs {len(hits)} times: {old!r}")
    start, end = have[hits[0]][1], have[hits[0] + len(wanted) - 1][2]
    end = max([end] + [close for open_, close in wrapped if start <= open_ < end])  # a formatter's ( ... ) whole
    line_start = text.rfind("\n", 0, start) + 1
    indent = text[line_start:start]
    return text[:start] + _reindent(new, indent if not indent.strip() else "") + text[end:]

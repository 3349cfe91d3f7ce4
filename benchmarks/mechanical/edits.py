"""The mechanical edits of a solution function: every small, local change an AST pass can make to it.

An ``Edit`` names a node of one function's AST by what it is (``before``, the node as ``ast.unparse`` writes it, and
``occurrence``, its rank among the function's nodes that unparse alike, in ``ast.walk`` order) and says what it
becomes (``after``, source text). Both survive a reformatting of the solution, which changes neither the AST nor
``ast.unparse``. Only nodes on the lines of the function's ``### BEGIN SOLUTION`` / ``### END SOLUTION`` region are
edited.

The operators, each a ``kind`` of edit:

- operator: ``+`` <-> ``-``, ``*`` <-> ``/``, ``@`` -> ``*``, ``**`` -> ``*``;
- comparison: ``>`` <-> ``>=``, ``<`` <-> ``<=``, ``>`` <-> ``<``, ``==`` <-> ``!=``;
- constant: 0 -> 1, 1 -> 0 and 2, 2 -> 1, 0.5 -> 1, any other number c -> -c;
- sign: a unary minus dropped;
- axis: axis=0 <-> 1, axis=-1 -> 0, the axis argument dropped; keepdims dropped;
- transpose: ``.T`` removed, or added to an operand of ``@``;
- index: an index replaced by ``-1`` (or ``0`` for ``-1``), by ``:-1`` or by ``1:``; a slice's start or stop
  dropped (a constant index also meets the constant operator: ``shape[0]`` -> ``shape[1]``);
- argument order: two neighbouring positional arguments of a call, the indices of a tuple index, or the items of a
  returned pair, swapped;
- assignment: ``x += y`` -> ``x = y``, and ``x = x + y`` -> ``x += y`` (in place);
- term removed: one operand of ``+``, ``-``, ``*`` or ``/`` left out;
- call swapped: numpy's mean <-> sum, exp <-> log, maximum <-> minimum, max <-> min, zeros <-> ones, log1p -> log
  (as functions or methods), or a sibling function of the solution's modules with a compatible signature;
- call left out: ``f(x)`` -> ``x``;
- statement removed: one statement of a body that holds more: not a return, and not the first binding of a name
  (whose removal is only a NameError).
"""
import ast
import copy
import hashlib
from dataclasses import dataclass

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"

NUMPY_SWAPS = {"mean": ("sum",), "sum": ("mean",), "exp": ("log",), "log": ("exp",), "maximum": ("minimum",),
               "minimum": ("maximum",), "max": ("min",), "min": ("max",), "zeros": ("ones",), "ones": ("zeros",),
               "log1p": ("log",), "zeros_like": ("ones_like",), "ones_like": ("zeros_like",)}
BINARY_SWAPS = {ast.Add: (ast.Sub,), ast.Sub: (ast.Add,), ast.Mult: (ast.Div,), ast.Div: (ast.Mult,),
                ast.MatMult: (ast.Mult,), ast.Pow: (ast.Mult,)}
COMPARE_SWAPS = {ast.Gt: (ast.GtE, ast.Lt), ast.GtE: (ast.Gt,), ast.Lt: (ast.LtE, ast.Gt), ast.LtE: (ast.Lt,),
                 ast.Eq: (ast.NotEq,), ast.NotEq: (ast.Eq,)}
AXIS_SWAPS = {0: (1,), 1: (0,), -1: (0,)}


@dataclass(frozen=True)
class Edit:
    """One edit of one function. ``line`` is where the node starts in the solution file, for people to read; it
    takes no part in finding the node or in the edit's identity (``key``)."""
    module: str
    function: str
    kind: str
    before: str
    after: str
    occurrence: int
    line: int

    @property
    def qualname(self):
        return f"{self.module}.{self.function}"

    @property
    def key(self):
        """The edit's identity: what it changes, where, and which occurrence; no line numbers."""
        suffix = f" #{self.occurrence + 1}" if self.occurrence else ""
        return f"{self.qualname}: {self.before} → {self.after}{suffix}"

    @property
    def label(self):
        """For people: ``axis=-1 → axis=0 in losses.softmax, line 30 (axis)``, the edited node before and after."""
        return f"{self.before} → {self.after} in {self.qualname}, line {self.line} ({self.kind})"

    def half(self):
        """'dev' or 'val', fixed by the sha256 of ``key``."""
        return "dev" if hashlib.sha256(self.key.encode("utf-8")).digest()[0] % 2 == 0 else "val"

    def to_json(self):
        return {"module": self.module, "function": self.function, "kind": self.kind, "before": self.before,
                "after": self.after, "occurrence": self.occurrence, "line": self.line}

    @classmethod
    def from_json(cls, data):
        return cls(**data)


# -- the solution's regions and functions ---------------------------------------------------------------------------
def solution_regions(source):
    """[(first line, last line)] of the ``### BEGIN SOLUTION`` / ``### END SOLUTION`` regions, 1-based."""
    regions, start = [], None
    for number, line in enumerate(source.splitlines(), start=1):
        if line.strip().startswith(BEGIN):
            start = number
        elif line.strip().startswith(END) and start is not None:
            regions.append((start, number))
            start = None
    return regions


def functions(source):
    """{name: ast.FunctionDef} of the module's top-level functions."""
    return {node.name: node for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)}


def region_of(source, name):
    """The (first, last) lines of the solution region inside function ``name``, or None."""
    node = functions(source)[name]
    for first, last in solution_regions(source):
        if node.lineno <= first <= node.end_lineno:
            return first, last
    return None


def signature(node):
    """(required positional parameters, all positional parameters) of a FunctionDef."""
    count = len(node.args.posonlyargs) + len(node.args.args)
    return count - len(node.args.defaults), count


def _in_region(node, region):
    return hasattr(node, "lineno") and region[0] <= node.lineno and node.end_lineno <= region[1]


# -- the operators --------------------------------------------------------------------------------------------------
def _is_number(node):
    """Whether ``node`` is a literal int or float (not a bool)."""
    return isinstance(node, ast.Constant) and type(node.value) in (int, float)


def _constant_changes(value):
    if value == 0:
        targets = (1,)
    elif value == 1:
        targets = (0, 2)
    elif value == 2:
        targets = (1,)
    elif value == 0.5:
        targets = (1,)
    else:
        targets = (-value,)
    return [type(value)(target) for target in targets]


def _call_name(node):
    """('np', 'mean') for np.mean(...), ('', 'f') for f(...), ('.', 'max') for x.max(...), or None."""
    func = node.func
    if isinstance(func, ast.Name):
        return "", func.id
    if isinstance(func, ast.Attribute):
        if isinstance(func.value, ast.Name) and func.value.id == "np":
            return "np", func.attr
        return ".", func.attr
    return None


def _rename(call, name):
    new = copy.deepcopy(call)
    if isinstance(new.func, ast.Name):
        new.func.id = name
    else:
        new.func.attr = name
    return new


def _expression_edits(node, siblings, own_name):
    """[(kind, new node)] for one expression node."""
    out = []
    if isinstance(node, ast.BinOp):
        for op in BINARY_SWAPS.get(type(node.op), ()):
            out.append(("operator", ast.BinOp(copy.deepcopy(node.left), op(), copy.deepcopy(node.right))))
        if isinstance(node.op, (ast.Add, ast.Mult)):
            out += [("term removed", copy.deepcopy(node.left)), ("term removed", copy.deepcopy(node.right))]
        elif isinstance(node.op, ast.Sub):
            out += [("term removed", copy.deepcopy(node.left)),
                    ("term removed", ast.UnaryOp(ast.USub(), copy.deepcopy(node.right)))]
        elif isinstance(node.op, ast.Div):
            out.append(("term removed", copy.deepcopy(node.left)))
        if isinstance(node.op, ast.MatMult):
            for side in ("left", "right"):
                operand = getattr(node, side)
                if not (isinstance(operand, ast.Attribute) and operand.attr == "T"):
                    new = copy.deepcopy(node)
                    setattr(new, side, ast.Attribute(copy.deepcopy(operand), "T", ast.Load()))
                    out.append(("transpose", new))
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        out.append(("sign", copy.deepcopy(node.operand)))
    elif isinstance(node, ast.Compare) and len(node.ops) == 1:
        for op in COMPARE_SWAPS.get(type(node.ops[0]), ()):
            out.append(("comparison", ast.Compare(copy.deepcopy(node.left), [op()], copy.deepcopy(node.comparators))))
    elif _is_number(node):
        for value in _constant_changes(node.value):
            out.append(("constant", ast.Constant(value)))
    elif isinstance(node, ast.Attribute) and node.attr == "T":
        out.append(("transpose", copy.deepcopy(node.value)))
    elif isinstance(node, ast.Subscript):
        out += _subscript_edits(node)
    elif isinstance(node, ast.Call):
        out += _call_edits(node, siblings, own_name)
    return out


def _subscript_edits(node):
    out = []
    index = node.slice
    if isinstance(index, ast.Slice):
        for part in ("lower", "upper"):
            if getattr(index, part) is not None:
                new = copy.deepcopy(node)
                setattr(new.slice, part, None)
                out.append(("index", new))
        return out
    if isinstance(index, ast.Tuple):
        if len(index.elts) == 2:
            new = copy.deepcopy(node)
            new.slice.elts.reverse()
            out.append(("argument order", new))
        return out
    if isinstance(index, ast.Constant) and type(index.value) is str:
        return out
    last = isinstance(index, ast.UnaryOp) and isinstance(index.op, ast.USub) and _is_number(index.operand) and (
        index.operand.value == 1)
    # the last item (the first, for the last), everything but the last, everything but the first
    minus_one = ast.UnaryOp(ast.USub(), ast.Constant(1))
    for replacement in (ast.Constant(0) if last else minus_one, ast.Slice(None, copy.deepcopy(minus_one), None),
                        ast.Slice(ast.Constant(1), None, None)):
        new = copy.deepcopy(node)
        new.slice = replacement
        out.append(("index", new))
    return out


def _call_edits(node, siblings, own_name):
    out = []
    name = _call_name(node)
    keywords = {keyword.arg: keyword for keyword in node.keywords}
    # the axis of a reduction, and keepdims
    if "axis" in keywords:
        try:
            axis = ast.literal_eval(keywords["axis"].value)
        except ValueError:  # an axis held in a variable
            axis = None
        if type(axis) is int:
            for other in AXIS_SWAPS.get(axis, ()):
                new = copy.deepcopy(node)
                next(k for k in new.keywords if k.arg == "axis").value = ast.Constant(other)
                out.append(("axis", new))
            new = copy.deepcopy(node)
            new.keywords = [k for k in new.keywords if k.arg != "axis"]
            out.append(("axis", new))
    if "keepdims" in keywords:
        new = copy.deepcopy(node)
        new.keywords = [k for k in new.keywords if k.arg != "keepdims"]
        out.append(("axis", new))
    # neighbouring positional arguments swapped
    for i in range(len(node.args) - 1):
        first, second = node.args[i], node.args[i + 1]
        if ast.unparse(first) != ast.unparse(second) and not any(isinstance(a, ast.Starred) for a in (first, second)):
            new = copy.deepcopy(node)
            new.args[i], new.args[i + 1] = new.args[i + 1], new.args[i]
            out.append(("argument order", new))
    if name:
        scope, called = name
        if scope in ("np", ".") and called in NUMPY_SWAPS:
            for other in NUMPY_SWAPS[called]:
                out.append(("call swapped", _rename(node, other)))
        elif scope == "" and called in siblings:
            positional = len(node.args)
            for other, (required, total) in siblings.items():
                if other not in (called, own_name) and required <= positional <= total and not node.keywords:
                    out.append(("call swapped", _rename(node, other)))
    # the call left out: f(x) -> x
    if len(node.args) == 1 and not isinstance(node.args[0], ast.Starred) and all(
            k.arg == "dtype" for k in node.keywords) and not (name and name[0] == "."):
        out.append(("call left out", copy.deepcopy(node.args[0])))
    return out


def _statement_edits(statement, body, bound):
    """[(kind, [new statements])] for one statement of ``body``; ``bound`` holds the names bound before it."""
    out = []
    if isinstance(statement, ast.AugAssign):
        out.append(("assignment", [ast.Assign([copy.deepcopy(statement.target)], copy.deepcopy(statement.value))]))
    elif (isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(statement.value, ast.BinOp)
          and ast.unparse(statement.targets[0]) == ast.unparse(statement.value.left)
          and isinstance(statement.targets[0], (ast.Name, ast.Subscript))):
        out.append(("assignment", [ast.AugAssign(copy.deepcopy(statement.targets[0]), type(statement.value.op)(),
                                                 copy.deepcopy(statement.value.right))]))
    if isinstance(statement, ast.Return) and isinstance(statement.value, ast.Tuple) and len(statement.value.elts) == 2:
        new = copy.deepcopy(statement)
        new.value.elts.reverse()
        out.append(("argument order", [new]))
    if (len(body) > 1 and isinstance(statement, (ast.Assign, ast.AugAssign, ast.Expr))
            and not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant))
            and _names_bound(statement) <= bound):
        out.append(("statement removed", [ast.Pass()]))
    return out


def _names_bound(statement):
    """The plain names an assignment binds; removing it leaves them unbound unless they were bound before."""
    if not isinstance(statement, ast.Assign):
        return set()
    return {node.id for target in statement.targets for node in ast.walk(target)
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}


def _bound_before(function, statement):
    """The parameters of ``function`` and the names its statements before ``statement`` bind."""
    names = {arg.arg for arg in function.args.posonlyargs + function.args.args + function.args.kwonlyargs}
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.lineno < statement.lineno:
            names.add(node.id)
    return names


# -- finding and applying -------------------------------------------------------------------------------------------
def _text(node):
    if isinstance(node, list):
        return "; ".join(ast.unparse(item) for item in node)
    return ast.unparse(node)


def _nodes(function):
    """The function's nodes in ``ast.walk`` order, without its docstring."""
    body = function.body
    skip = body[0] if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) else None
    for node in ast.walk(function):
        if node is not function and node is not skip:
            yield node


def _bodies(function):
    """(statement, the body list holding it) for every statement inside ``function``."""
    for node in ast.walk(function):
        for field in ("body", "orelse"):
            body = getattr(node, field, None)
            if isinstance(body, list):
                for statement in body:
                    if isinstance(statement, ast.stmt):
                        yield statement, body


def edits_of(module, source, name, siblings):
    """Every Edit of the function ``name`` of ``module`` (its source ``source``), in a fixed order."""
    region = region_of(source, name)
    if region is None:
        return []
    function = functions(source)[name]
    seen, counts, found = set(), {}, []
    parents = {id(s): body for s, body in _bodies(function)}
    for node in _nodes(function):
        text = ast.unparse(node) if isinstance(node, (ast.expr, ast.stmt)) else None
        if text is None:
            continue
        category = isinstance(node, ast.stmt)
        occurrence = counts.get((category, text), 0)
        counts[(category, text)] = occurrence + 1
        if not _in_region(node, region):
            continue
        if isinstance(node, ast.expr):
            if isinstance(getattr(node, "ctx", None), (ast.Store, ast.Del)):
                continue
            changes = [(kind, ast.unparse(ast.fix_missing_locations(new)))
                       for kind, new in _expression_edits(node, siblings, name)]
        else:
            changes = [(kind, _text(new)) for kind, new in _statement_edits(node, parents.get(id(node), []),
                                                                            _bound_before(function, node))]
        for kind, after in changes:
            if after == text or (text, after, occurrence) in seen:
                continue
            seen.add((text, after, occurrence))
            found.append(Edit(module, name, kind, text, after, occurrence, node.lineno))
    return found


def _is_statement(edit):
    return edit.kind in ("assignment", "statement removed") or (
        edit.kind == "argument order" and edit.before.startswith("return "))


def _locate(function, edit):
    """The node of ``function`` that ``edit`` changes."""
    statement = _is_statement(edit)
    count = 0
    for node in _nodes(function):
        if isinstance(node, ast.stmt if statement else ast.expr) and ast.unparse(node) == edit.before:
            if count == edit.occurrence:
                return node
            count += 1
    raise LookupError(f"{edit.key}: the node is not in the function any more")


class _Replace(ast.NodeTransformer):
    def __init__(self, replacements):
        self.replacements = replacements  # {id(old node): new node or [new statements]}

    def visit(self, node):
        if id(node) in self.replacements:
            return self.replacements[id(node)]
        return self.generic_visit(node)


def _parsed(edit):
    if _is_statement(edit):
        return ast.parse(edit.after).body
    return ast.parse(edit.after, mode="eval").body


def apply(source, edits):
    """``source`` with every edit (all of one module) applied: each edited function is rewritten with
    ``ast.unparse`` in place of its lines; the rest of the file is left as it is. The edited nodes must not
    contain one another."""
    tree = ast.parse(source)
    defs = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    targets = {}
    for edit in edits:
        node = _locate(defs[edit.function], edit)
        targets.setdefault(edit.function, []).append((node, _parsed(edit)))
    lines = source.splitlines(keepends=True)
    for name in sorted(targets, key=lambda n: defs[n].lineno, reverse=True):
        function = defs[name]
        nodes = [node for node, _ in targets[name]]
        for node in nodes:
            for other in nodes:
                if other is not node and any(inner is other for inner in ast.walk(node)):
                    raise ValueError(f"{name}: two edits of the same node")
        new = _Replace({id(node): replacement for node, replacement in targets[name]}).visit(function)
        text = ast.unparse(ast.fix_missing_locations(new)) + "\n"
        lines[function.lineno - 1:function.end_lineno] = [text]
    return "".join(lines)

"""Plain-data codec for values that cross between the grader and a student's process.

Only JSON and raw array bytes cross; nothing is ever unpickled. Arrays are rebuilt on the receiving side as exact
``np.ndarray`` objects of a whitelisted dtype. A ``numpy.random.Generator`` crosses as its PCG64
state, so a function that takes one gets an identical copy. Anything else a student returns is encoded as an opaque marker that
names its type, so the grader can say what came back without touching the object itself.

What a student's process sends is bounded before the grader builds anything from it: an answer is at most
``MAX_ANSWER_BYTES`` of JSON holding at most ``MAX_ANSWER_ITEMS`` values (``load_answer``), nested at most
``MAX_DEPTH`` deep (``decode``), and every string is cut as it is decoded (``MAX_NAME_CHARS`` for names: dict keys
and type names; ``MAX_TEXT_CHARS`` for string values), the cut text saying so (``cut``).

Every string in an answer is valid text once it is parsed (``load_answer``): JSON may spell a lone UTF-16
surrogate (``"\\ud800"``), which Python keeps in a str that no UTF-8 writer can write, so each one becomes U+FFFD
(``valid_text``), in keys and values alike, whatever the answer holds: an exception's text, a traceback, a warning,
a returned string or a dict key.

This file is copied verbatim into each assignment's ``_selfcheck/`` folder; it must import only numpy and the stdlib.
"""
import base64
import json
import re
import struct

import numpy as np

ALLOWED_DTYPES = ("float64", "float32", "float16", "int64", "int32", "int16", "int8",
                  "uint64", "uint32", "uint16", "uint8", "bool")
MAX_MESSAGE_BYTES = 64 * 1024 * 1024  # a request: the grader's own arguments (the largest is about 33 KB)
# An answer from the student's process. The largest a solution sends is 171 KB (A1's batch gradient descent path);
# a trained network with a 1000-epoch history of Python floats is about 70 KB and 4,000 values.
MAX_ANSWER_BYTES = 4 * 1024 * 1024
MAX_ANSWER_ITEMS = 100_000  # values in an answer, counted as its commas, brackets and braces (solutions: <= 70)
MAX_DEPTH = 32  # containers inside containers (solutions: 4)
MAX_NAME_CHARS = 200  # a dict key, a type name, an exception's name
MAX_TEXT_CHARS = 4000  # a string value
CUT = "… [{count} more characters cut]"
_HEADER = struct.Struct(">Q")
_SURROGATE = re.compile("[\ud800-\udfff]")
# How JSON spells a surrogate: an answer without this holds none once parsed, as it is strict UTF-8 otherwise.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
REPLACEMENT = "\ufffd"


def valid_text(text):
    """``text`` with every surrogate code point replaced by U+FFFD: a str that any UTF-8 writer can write."""
    return _SURROGATE.sub(REPLACEMENT, text)


def valid_texts(data):
    """Parsed JSON ``data`` with every string in it, dict keys included, made valid text (``valid_text``). Lists and
    dicts are changed in place; it walks without recursion, so any depth the parser took is fine."""
    if type(data) is str:
        return valid_text(data)
    pending = [data]
    while pending:
        node = pending.pop()
        if type(node) is list:
            for index, item in enumerate(node):
                if type(item) is str:
                    node[index] = valid_text(item)
                elif type(item) in (list, dict):
                    pending.append(item)
        elif type(node) is dict:
            if any(type(key) is str and _SURROGATE.search(key) for key in node):
                items = list(node.items())
                node.clear()
                node.update((valid_text(key) if type(key) is str else key, value) for key, value in items)
            for key, value in node.items():
                if type(value) is str:
                    node[key] = valid_text(value)
                elif type(value) in (list, dict):
                    pending.append(value)
    return data


def cut(text, limit):
    """``text`` if it has at most ``limit`` characters, else its first ``limit`` and a note of how much was cut."""
    if len(text) <= limit:
        return text
    return text[:limit] + CUT.format(count=len(text) - limit)


class Opaque:
    """Stands for a returned object the codec refuses to carry, for example an ndarray subclass."""

    def __init__(self, type_name):
        self.type_name = cut(str(type_name), MAX_NAME_CHARS)

    def __repr__(self):
        return f"<{self.type_name}>"

    def __eq__(self, other):
        return isinstance(other, Opaque) and other.type_name == self.type_name


def _type_name(obj):
    cls = type(obj)
    module = cls.__module__
    return cls.__qualname__ if module == "builtins" else f"{module}.{cls.__qualname__}"


def encode(obj):
    """Turn ``obj`` into JSON-ready data. Exact types only: subclasses become ``Opaque`` markers."""
    cls = type(obj)
    if cls is np.ndarray:
        if obj.dtype.name not in ALLOWED_DTYPES:
            return {"__opaque__": f"numpy.ndarray of dtype {obj.dtype}"}
        # Not np.ascontiguousarray: it turns a 0-d array into shape (1,). Bytes go in native order, C layout.
        data = obj.astype(obj.dtype.newbyteorder("="), order="C", copy=False)
        return {"__ndarray__": base64.b64encode(data.tobytes(order="C")).decode("ascii"),
                "dtype": data.dtype.name, "shape": list(data.shape)}
    if cls is bool or obj is None or cls is str:
        return obj
    if cls is int:
        return {"__int__": str(obj)}
    if cls is float:
        return {"__float__": obj}
    if isinstance(obj, np.generic) and cls.__module__ == "numpy" and np.dtype(cls).name in ALLOWED_DTYPES:
        return {"__npscalar__": np.dtype(cls).name, "value": obj.item()}
    if cls is np.random.Generator and type(obj.bit_generator) is np.random.PCG64:
        return {"__generator__": obj.bit_generator.state}
    if cls is list or cls is tuple:
        return {"__seq__": cls.__name__, "items": [encode(item) for item in obj]}
    if cls is dict and all(type(key) is str for key in obj):
        return {"__dict__": {key: encode(value) for key, value in obj.items()}}
    return {"__opaque__": _type_name(obj)}


def decode(data, *, whole=False):
    """Rebuild a value made by ``encode``, type-checking every piece, cutting every string (``MAX_TEXT_CHARS``, and
    ``MAX_NAME_CHARS`` for dict keys and type names) and refusing nesting past ``MAX_DEPTH``. ``whole=True`` keeps
    strings whole: for the grader's own requests, which the worker decodes."""
    return _decode(data, 0, None if whole else MAX_TEXT_CHARS, None if whole else MAX_NAME_CHARS)


def _decode(data, depth, text_chars, name_chars):
    if type(data) is str:
        return data if text_chars is None else cut(data, text_chars)
    if data is None or type(data) is bool:
        return data
    if type(data) is not dict:
        raise ValueError(f"unexpected wire value of type {type(data).__name__}")
    if depth > MAX_DEPTH:
        raise ValueError(f"the value is nested more than {MAX_DEPTH} deep")
    if "__ndarray__" in data:
        dtype = data["dtype"]
        if type(dtype) is not str or dtype not in ALLOWED_DTYPES:
            raise ValueError(f"dtype {_quoted(dtype)} is not allowed on the wire")
        if type(data["shape"]) is not list or any(type(n) is not int or n < 0 for n in data["shape"]):
            raise ValueError("an array's shape must be a list of non-negative ints")
        shape = tuple(data["shape"])
        raw = base64.b64decode(data["__ndarray__"], validate=True)
        return np.frombuffer(raw, dtype=np.dtype(dtype)).reshape(shape).copy()
    if "__int__" in data:
        return int(data["__int__"])
    if "__float__" in data:
        return float(data["__float__"])
    if "__npscalar__" in data:
        dtype = data["__npscalar__"]
        if type(dtype) is not str or dtype not in ALLOWED_DTYPES or type(data["value"]) not in (bool, int, float):
            raise ValueError(f"bad numpy scalar on the wire: {_quoted(dtype)}")
        return np.dtype(dtype).type(data["value"])
    if "__seq__" in data:
        items = [_decode(item, depth + 1, text_chars, name_chars) for item in data["items"]]
        return tuple(items) if data["__seq__"] == "tuple" else items
    if "__dict__" in data:
        return {str(key) if name_chars is None else cut(str(key), name_chars):
                _decode(value, depth + 1, text_chars, name_chars) for key, value in data["__dict__"].items()}
    if "__generator__" in data:
        state = data["__generator__"]
        if type(state) is not dict or state.get("bit_generator") != "PCG64":
            raise ValueError("only PCG64 generators cross the wire")
        bit_generator = np.random.PCG64()
        bit_generator.state = state
        return np.random.Generator(bit_generator)
    if "__opaque__" in data:
        return Opaque(data["__opaque__"] if type(data["__opaque__"]) is str else "object")
    raise ValueError("unknown wire value")


def _quoted(value):
    return cut(repr(value), MAX_NAME_CHARS)


def write_message(fd_write, message, limit=MAX_MESSAGE_BYTES, max_items=None):
    """Write one length-prefixed JSON message (a dict of already-encoded data) to a binary writer. A message over
    ``limit`` bytes, or over ``max_items`` values, raises ValueError and nothing is written."""
    payload = json.dumps(message).encode("utf-8")
    check_size(payload, limit, max_items)
    fd_write(_HEADER.pack(len(payload)) + payload)


def check_size(payload, limit, max_items=None):
    """Raise ValueError if the JSON ``payload`` is over ``limit`` bytes or (counted as its commas, brackets and
    braces, which bounds the values it holds) over ``max_items`` values."""
    if len(payload) > limit:
        raise ValueError(f"the returned value takes {len(payload)} bytes, over the {limit}-byte limit")
    if max_items is not None:
        items = payload.count(b",") + payload.count(b"[") + payload.count(b"{")
        if items > max_items:
            raise ValueError(f"the returned value holds about {items} values, over the limit of {max_items}")


def load_answer(payload):
    """The JSON of an answer from the student's process, refused (ValueError) before it is parsed if it is over
    ``MAX_ANSWER_BYTES`` or ``MAX_ANSWER_ITEMS``, or is not UTF-8: what the grader builds from it stays small. Every
    string in it is valid text (``valid_texts``)."""
    check_size(payload, MAX_ANSWER_BYTES, MAX_ANSWER_ITEMS)
    text = payload.decode("utf-8")
    data = json.loads(text)
    return valid_texts(data) if "\\u" in text and _SURROGATE_ESCAPE.search(text) else data


def header_length(header_bytes, limit=MAX_MESSAGE_BYTES):
    (length,) = _HEADER.unpack(header_bytes)
    if length > limit:
        raise ValueError(f"message of {length} bytes is over the {limit}-byte limit")
    return length


HEADER_SIZE = _HEADER.size

"""Plain-data codec for values that cross between the grader and a student's process.

Only JSON and raw array bytes cross; nothing is ever unpickled. Arrays are rebuilt on the receiving side as exact
``np.ndarray`` objects of a whitelisted dtype. A ``numpy.random.Generator`` crosses as its PCG64
state, so a function that takes one gets an identical copy. Anything else a student returns is encoded as an opaque marker that
names its type, so the grader can say what came back without touching the object itself.

This file is copied verbatim into each assignment's ``_selfcheck/`` folder; it must import only numpy and the stdlib.
"""
import base64
import json
import struct

import numpy as np

ALLOWED_DTYPES = ("float64", "float32", "float16", "int64", "int32", "int16", "int8",
                  "uint64", "uint32", "uint16", "uint8", "bool")
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
_HEADER = struct.Struct(">Q")


class Opaque:
    """Stands for a returned object the codec refuses to carry, for example an ndarray subclass."""

    def __init__(self, type_name):
        self.type_name = type_name

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


def decode(data):
    """Rebuild a value made by ``encode``, type-checking every piece."""
    if data is None or type(data) in (bool, str):
        return data
    if type(data) is not dict:
        raise ValueError(f"unexpected wire value of type {type(data).__name__}")
    if "__ndarray__" in data:
        dtype = data["dtype"]
        if dtype not in ALLOWED_DTYPES:
            raise ValueError(f"dtype {dtype!r} is not allowed on the wire")
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
        if dtype not in ALLOWED_DTYPES or type(data["value"]) not in (bool, int, float):
            raise ValueError(f"bad numpy scalar on the wire: {dtype!r}")
        return np.dtype(dtype).type(data["value"])
    if "__seq__" in data:
        items = [decode(item) for item in data["items"]]
        return tuple(items) if data["__seq__"] == "tuple" else items
    if "__dict__" in data:
        return {str(key): decode(value) for key, value in data["__dict__"].items()}
    if "__generator__" in data:
        state = data["__generator__"]
        if type(state) is not dict or state.get("bit_generator") != "PCG64":
            raise ValueError("only PCG64 generators cross the wire")
        bit_generator = np.random.PCG64()
        bit_generator.state = state
        return np.random.Generator(bit_generator)
    if "__opaque__" in data:
        return Opaque(str(data["__opaque__"]))
    raise ValueError("unknown wire value")


def write_message(fd_write, message):
    """Write one length-prefixed JSON message (a dict of already-encoded data) to a binary writer."""
    payload = json.dumps(message).encode("utf-8")
    if len(payload) > MAX_MESSAGE_BYTES:
        raise ValueError(f"the returned value takes {len(payload)} bytes, over the {MAX_MESSAGE_BYTES}-byte limit")
    fd_write(_HEADER.pack(len(payload)) + payload)


def header_length(header_bytes):
    (length,) = _HEADER.unpack(header_bytes)
    if length > MAX_MESSAGE_BYTES:
        raise ValueError(f"message of {length} bytes is over the {MAX_MESSAGE_BYTES}-byte limit")
    return length


HEADER_SIZE = _HEADER.size

"""The student's side of the sandbox. Started by ``runner.py`` as ``python -I -S worker.py SITE_DIR WORK_DIR IN OUT``.

It runs with no ``site`` processing and a ``sys.path`` of the stdlib, the one folder that holds numpy, and the staged
submission folder, so neither the grader nor the solutions can be imported. Requests arrive as length-prefixed JSON on
file descriptor IN; answers leave on OUT. Student output goes to /dev/null. Everything a student returns is encoded
with ``wire.encode``, which carries exact arrays and plain data only.
"""
import importlib
import os
import resource
import signal
import sys
import time
import traceback
import warnings

_HERE = os.path.dirname(os.path.abspath(__file__))
SITE_DIR, WORK_DIR, FD_IN, FD_OUT = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
MEMORY_BYTES = int(os.environ.get("NNKIT_MEMORY_BYTES", str(2 * 1024 ** 3)))

sys.path.append(SITE_DIR)
sys.path.insert(0, _HERE)
import numpy as np  # noqa: E402
import wire  # noqa: E402

sys.path.remove(_HERE)

sys.path.insert(0, WORK_DIR)
os.chdir(WORK_DIR)


def _limit_resources():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (16 * 1024 ** 2, 16 * 1024 ** 2))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def _silence_output():
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)


def _read_exact(count):
    chunks = []
    while count:
        chunk = os.read(FD_IN, count)
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        count -= len(chunk)
    return b"".join(chunks)


def _write_all(data):
    view = memoryview(data)
    while view:
        written = os.write(FD_OUT, view)
        view = view[written:]


def _send(message):
    wire.write_message(_write_all, message)


def _student_frames(tb):
    """The traceback entries that lie in the submission folder, so a student sees their own lines only."""
    frames = [frame for frame in traceback.extract_tb(tb) if frame.filename.startswith(WORK_DIR)]
    return [f"{os.path.basename(f.filename)}:{f.lineno} in {f.name}: {f.line or ''}".strip() for f in frames[-3:]]


def _failure(exc):
    return {"ok": False, "error": type(exc).__name__, "detail": str(exc)[:500],
            "where": _student_frames(exc.__traceback__)}


def _import(module_name):
    try:
        importlib.import_module(module_name)
    except BaseException as exc:  # SystemExit and KeyboardInterrupt from student code included
        return _failure(exc)
    return {"ok": True}


def _call(request):
    module = sys.modules.get(request["module"])
    if module is None:
        return {"ok": False, "error": "ImportError", "detail": f"module {request['module']} is not loaded",
                "where": []}
    func = getattr(module, request["function"], None)
    if not callable(func):
        return {"ok": False, "error": "AttributeError",
                "detail": f"{request['module']}.py has no function {request['function']}", "where": []}
    args = wire.decode(request["args"])
    kwargs = wire.decode(request["kwargs"])
    np.random.seed(0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        started = time.perf_counter()
        try:
            value = func(*args, **kwargs)
        except BaseException as exc:
            return _failure(exc)
        elapsed = time.perf_counter() - started
    messages = sorted({f"{w.category.__name__}: {w.message}" for w in caught})
    try:
        encoded = wire.encode(value)
    except BaseException as exc:  # a hostile __len__ or __iter__ during encoding
        return _failure(exc)
    return {"ok": True, "value": encoded, "warnings": messages[:5], "seconds": elapsed}


def main():
    _limit_resources()
    _silence_output()
    os.set_inheritable(FD_IN, False)
    os.set_inheritable(FD_OUT, False)
    _send({"ok": True, "ready": True})
    while True:
        try:
            length = wire.header_length(_read_exact(wire.HEADER_SIZE))
            request = wire.json.loads(_read_exact(length))
        except EOFError:
            return
        if request["op"] == "import":
            answer = _import(request["module"])
        else:
            answer = _call(request)
        try:
            _send(answer)
        except ValueError as exc:
            _send({"ok": False, "error": "OutputTooLarge", "detail": str(exc), "where": []})


main()

"""The student's side of the sandbox. Started by ``runner.py`` as ``python -S -B worker.py SITE_DIR WORK_DIR IN OUT``.

The runner gives it a clean environment (``PYTHONHASHSEED=0``, no ``PYTHONPATH``) and no ``site`` processing. The
worker imports numpy from SITE_DIR, then takes SITE_DIR off ``sys.path``: the student sees the stdlib, numpy and the
staged submission folder, and neither the grader, the solutions nor any other installed package.

Before any student code runs it confines itself, as far as the platform allows (see docs/security.md):
- resource limits: address space, no core dumps, no bytes written to any file;
- namespaces: when the runner started it under bubblewrap, it checks that its mount, pid and network namespaces are
  not the grader's, and that numpy's site-packages shows it numpy alone;
- a separate uid: when the grader runs as root, it drops to an unprivileged uid and gid (``NNKIT_UID``, the
  sandbox's own: ``uids.py``) with no supplementary groups, and may then start no process at all
  (``RLIMIT_NPROC`` 0);
- ``PR_SET_PDEATHSIG``: it dies with the grader;
- ``no_new_privs`` and an empty capability set, so a grader run as root does not hand root to the student;
- Landlock: it may only read the stdlib, numpy and the submission folder, and write nowhere; it may not execute a
  file, connect or bind TCP, or signal any process outside itself;
- seccomp, built by libseccomp for this architecture (``syscalls.py``): no new processes, no exec, no ptrace or
  cross-process memory access, no signals to other processes, no sockets, no file opened for writing and no change
  to the file tree, and none of the administrative system calls.
It reports which of these took hold in its first message.

Requests arrive as length-prefixed JSON on file descriptor IN; answers leave on OUT. Student output goes to
/dev/null. Everything a student returns is encoded with ``wire.encode``, which carries exact arrays and plain data
only. Each answer also lists the arguments the call changed in place (``mutation.py``), which the grader counts as a
failed case.
"""
import importlib
import os
import resource
import signal
import struct
import sys
import time
import traceback
import types
import warnings

_HERE = os.path.dirname(os.path.abspath(__file__))
_SHIPPED = os.path.join(os.path.dirname(_HERE), "shipped")  # wire.py and mutation.py
SITE_DIR, WORK_DIR, FD_IN, FD_OUT = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
MEMORY_BYTES = int(os.environ.get("NNKIT_MEMORY_BYTES", str(2 * 1024 ** 3)))
LAYERS = set(filter(None, os.environ.get("NNKIT_LAYERS", "").split(",")))
PARENT = int(os.environ.get("NNKIT_PARENT", "0"))
SEPARATE_UID = os.environ.get("NNKIT_UID", "")  # "uid:gid", set by a runner that runs as root
UID_OFF = os.environ.get("NNKIT_UID_OFF", "")  # why a runner that runs as root has no uid for this worker
HOST_NAMESPACES = dict(item.split("=", 1) for item in os.environ.get("NNKIT_HOST_NAMESPACES", "").split(",")
                       if "=" in item)  # {"mnt": "mnt:[...]", ...}: the grader's own namespaces
NAMESPACES_OFF = os.environ.get("NNKIT_NAMESPACES_OFF", "")  # why the runner could not use bubblewrap

# The stdlib as this interpreter found it: what the student may import besides numpy.
STDLIB_PATHS = [path for path in sys.path if path and path not in (_HERE, _SHIPPED) and os.path.exists(path)]

sys.path.append(SITE_DIR)
sys.path[:0] = [_HERE, _SHIPPED]
import numpy as np  # noqa: E402
import numpy.linalg  # noqa: E402,F401
import numpy.random  # noqa: E402,F401
import random  # noqa: E402  (loaded now so that it is seeded before every import and call)
import access  # noqa: E402
import mutation  # noqa: E402
import syscalls  # noqa: E402
import wire  # noqa: E402

try:
    import ctypes
except ImportError:  # an interpreter built without ctypes: the Linux layers are skipped
    ctypes = None
try:  # loaded now, while every file is still visible and readable
    syscalls.library()
    SECCOMP_MISSING = ""
except (OSError, AttributeError) as _exc:
    SECCOMP_MISSING = f"off: libseccomp is missing ({_exc})"

sys.path[:] = [path for path in sys.path if path not in (_HERE, _SHIPPED, SITE_DIR)]
for _cached in [key for key in sys.path_importer_cache if key in (_HERE, _SHIPPED, SITE_DIR)]:
    del sys.path_importer_cache[_cached]
NUMPY_PATHS = [os.path.dirname(os.path.abspath(np.__file__))]
if os.path.isdir(NUMPY_PATHS[0] + ".libs"):  # the manylinux wheel's bundled OpenBLAS
    NUMPY_PATHS.append(NUMPY_PATHS[0] + ".libs")

sys.path.insert(0, WORK_DIR)
os.chdir(WORK_DIR)


MESSAGES = {
    "not_loaded": "module {module} is not loaded",
    "no_function": "{module}.py has no function {function}",
    "denied": "{detail} (the grader runs your code with no new processes, no network, no signals to other processes,"
              " and no files but your own, read-only)",
}


# -- confinement ----------------------------------------------------------------------------------------------------
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_SECUREBITS, PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT = 1, 24, 28, 38, 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
SECUREBITS_LOCKED_NOROOT = 0x2F  # NOROOT, NO_SETUID_FIXUP and KEEP_CAPS, each locked

# Landlock came in Linux 5.13, after the tables were unified: these numbers hold on every architecture but alpha, mips.
SYS_LANDLOCK_CREATE_RULESET, SYS_LANDLOCK_ADD_RULE, SYS_LANDLOCK_RESTRICT_SELF = 444, 445, 446
LANDLOCK_CREATE_RULESET_VERSION = 1
LANDLOCK_RULE_PATH_BENEATH = 1
FS_EXECUTE, FS_WRITE_FILE, FS_READ_FILE, FS_READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
FS_RIGHTS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 4: (1 << 15) - 1, 5: (1 << 16) - 1}
FILE_RIGHTS = FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | (1 << 14) | (1 << 15)  # TRUNCATE, IOCTL_DEV
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1
NOT_READABLE_IN_STDLIB = ("site-packages", "dist-packages")

EPERM = 1
NAMESPACES = {"mount-namespace": "mnt", "pid-namespace": "pid", "network-namespace": "net"}


def _libc():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    libc.prctl.restype = ctypes.c_int
    return libc


def _prctl(libc, option, arg2=0):
    if libc.prctl(ctypes.c_int(option), ctypes.c_ulong(arg2), ctypes.c_ulong(0), ctypes.c_ulong(0),
                  ctypes.c_ulong(0)) != 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))


def _die_with_parent(libc):
    _prctl(libc, PR_SET_PDEATHSIG, signal.SIGKILL)
    if PARENT and os.getppid() != PARENT:  # the grader died before the line above
        os._exit(1)
    return "on"


def _drop_bounding_set(libc):
    for cap in range(64):
        try:
            _prctl(libc, PR_CAPBSET_DROP, cap)
        except OSError as exc:
            if exc.errno != EPERM:  # EINVAL: past the last capability
                break


def _drop_capabilities(libc):
    _prctl(libc, PR_SET_NO_NEW_PRIVS, 1)
    try:
        _prctl(libc, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)
    except OSError:
        pass
    _drop_bounding_set(libc)
    try:
        _prctl(libc, PR_SET_SECUREBITS, SECUREBITS_LOCKED_NOROOT)
    except OSError:
        pass
    header = struct.pack("=Ii", 0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    data = ctypes.create_string_buffer(24)  # two empty {effective, permitted, inheritable} sets
    if libc.capset(ctypes.c_char_p(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capset failed")
    with open("/proc/self/status", encoding="ascii") as handle:
        status = dict(line.split(":", 1) for line in handle if ":" in line)
    if int(status["CapEff"], 16) or int(status["CapPrm"], 16):
        return "off: capabilities remain"
    return "on"


def _namespace(layer):
    """Whether bubblewrap put the worker in a namespace of its own for ``layer``."""
    if NAMESPACES_OFF:
        return f"off: {NAMESPACES_OFF}"
    kind = NAMESPACES[layer]
    if not HOST_NAMESPACES.get(kind):
        return "off: the grader did not say which namespaces it is in"
    if os.readlink(f"/proc/self/ns/{kind}") == HOST_NAMESPACES[kind]:
        return f"off: the worker shares the grader's {kind} namespace"
    if kind == "mnt":
        shown = set(os.listdir(SITE_DIR)) - {os.path.basename(path) for path in NUMPY_PATHS}
        if shown:
            return f"off: numpy's site-packages shows {len(shown)} other entries"
    return "on"


def _drop_uid(libc):
    """Become the unprivileged uid and gid in NNKIT_UID, with no other groups and no way to start a process."""
    if UID_OFF:
        return f"off: {UID_OFF}"
    if not SEPARATE_UID:
        return "off: the grader does not run as root, so there is no other uid to drop to"
    uid, gid = (int(part) for part in SEPARATE_UID.split(":"))
    if uid == 0 or gid == 0:
        return "off: uid and gid 0 are not a separate user"
    if os.geteuid() != 0:
        return "off: the worker is not root, so it cannot change its uid"
    needed = [WORK_DIR] + [os.path.join(WORK_DIR, name) for name in os.listdir(WORK_DIR)] + STDLIB_PATHS + NUMPY_PATHS
    for path in needed:
        if not access.can_read(path, uid, gid):
            return f"off: uid {uid} could not read {path}"
    _drop_bounding_set(libc)  # while CAP_SETPCAP is still there
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)  # all three non-zero: the kernel clears every capability
    if os.getresuid() != (uid, uid, uid) or os.getresgid() != (gid, gid, gid) or os.getgroups():
        os._exit(1)
    try:
        os.setuid(0)
    except PermissionError:
        pass
    else:
        os._exit(1)
    resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))  # this uid may run no more processes or threads than it has
    return f"on (uid {uid}, gid {gid}, no processes)"


def _single_threaded():
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return True


def _landlock_rules():
    """(path, rights) pairs: the stdlib (not its site-packages), numpy and the submission folder, read-only."""
    read = FS_READ_FILE | FS_READ_DIR
    rules = [(path, read) for path in NUMPY_PATHS] + [(WORK_DIR, read)]
    for root in STDLIB_PATHS:
        if not os.path.isdir(root):
            rules.append((root, FS_READ_FILE))
            continue
        rules.append((root, FS_READ_DIR))
        for entry in os.scandir(root):
            if entry.name not in NOT_READABLE_IN_STDLIB:
                rules.append((entry.path, read if entry.is_dir() else FS_READ_FILE))
    return rules


def _landlock(libc):
    abi = libc.syscall(ctypes.c_long(SYS_LANDLOCK_CREATE_RULESET), None, ctypes.c_size_t(0),
                       ctypes.c_uint32(LANDLOCK_CREATE_RULESET_VERSION))
    if abi < 1:
        return f"off: not available ({os.strerror(ctypes.get_errno())})"
    if not _single_threaded():
        return "off: the worker has more than one thread"
    handled_fs = FS_RIGHTS_BY_ABI.get(abi, FS_RIGHTS_BY_ABI[5])
    attr = struct.pack("=QQQ", handled_fs, NET_BIND_TCP | NET_CONNECT_TCP,
                       SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL)
    size = 8 if abi < 4 else 16 if abi < 6 else 24
    ruleset = libc.syscall(ctypes.c_long(SYS_LANDLOCK_CREATE_RULESET), ctypes.c_char_p(attr[:size]),
                           ctypes.c_size_t(size), ctypes.c_uint32(0))
    if ruleset < 0:
        return f"off: create_ruleset failed ({os.strerror(ctypes.get_errno())})"
    try:
        for path, rights in _landlock_rules():
            try:
                parent = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue
            try:
                if not os.path.isdir(path):
                    rights &= FILE_RIGHTS
                rule = struct.pack("=Qi", rights & handled_fs, parent)
                if libc.syscall(ctypes.c_long(SYS_LANDLOCK_ADD_RULE), ctypes.c_int(ruleset),
                                ctypes.c_int(LANDLOCK_RULE_PATH_BENEATH), ctypes.c_char_p(rule),
                                ctypes.c_uint32(0)) != 0:
                    return f"off: add_rule failed for {path} ({os.strerror(ctypes.get_errno())})"
            finally:
                os.close(parent)
        _prctl(libc, PR_SET_NO_NEW_PRIVS, 1)
        if libc.syscall(ctypes.c_long(SYS_LANDLOCK_RESTRICT_SELF), ctypes.c_int(ruleset), ctypes.c_uint32(0)) != 0:
            return f"off: restrict_self failed ({os.strerror(ctypes.get_errno())})"
    finally:
        os.close(ruleset)
    return f"on (ABI {abi})" + ("" if abi >= 6 else ", without signal scoping") + ("" if abi >= 4 else
                                                                                     ", without TCP rules")


def _seccomp(libc):
    if SECCOMP_MISSING:
        return SECCOMP_MISSING
    rules = syscalls.worker_filter(os.getpid())
    try:
        rules.load()
    finally:
        rules.release()
    return "on"


def _confine():
    """Apply each confinement layer the runner asked for; return {layer: 'on...' or 'off: reason'}."""
    report = {}
    if ctypes is None or not sys.platform.startswith("linux"):
        return {layer: "off: needs Linux and ctypes" for layer in sorted(LAYERS)}
    try:
        libc = _libc()
    except OSError as exc:
        return {layer: f"off: no libc ({exc})" for layer in sorted(LAYERS)}
    # The uid comes before parent-death, because a change of uid clears PR_SET_PDEATHSIG, and before the
    # capabilities, because changing it needs CAP_SETUID.
    steps = [(name, lambda libc, name=name: _namespace(name)) for name in NAMESPACES]
    steps += [("uid", _drop_uid), ("parent-death", _die_with_parent), ("capabilities", _drop_capabilities),
              ("landlock", _landlock), ("seccomp", _seccomp)]
    for name, step in steps:
        if name not in LAYERS:
            continue
        try:
            report[name] = step(libc)
        except Exception as exc:  # a layer that cannot be applied is reported, never fatal
            report[name] = f"off: {type(exc).__name__}: {exc}"
    return report


def _limit_resources():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def _silence_output():
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)


# -- protocol -------------------------------------------------------------------------------------------------------
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
    wire.write_message(_write_all, message, wire.MAX_ANSWER_BYTES, wire.MAX_ANSWER_ITEMS)


def _student_frames(tb):
    """The traceback entries that lie in the submission folder, so a student sees their own lines only."""
    frames = [frame for frame in traceback.extract_tb(tb) if frame.filename.startswith(WORK_DIR)]
    kept = frames if len(frames) <= 4 else frames[:1] + frames[-3:]  # the graded function's own line, and the last
    return [f"{os.path.basename(f.filename)}:{f.lineno} in {f.name}: {f.line or ''}".strip() for f in kept]


def _failure(exc):
    try:
        detail = str(exc)[:500]
    except BaseException:  # an exception whose __str__ raises
        detail = ""
    if type(exc) is PermissionError:
        detail = MESSAGES["denied"].format(detail=detail)
    return {"ok": False, "error": type(exc).__name__, "detail": detail, "where": _student_frames(exc.__traceback__)}


def _reset_random_state():
    np.random.seed(0)
    random.seed(0)


class ModuleNotImported(ImportError):
    """Raised by a function of a placeholder module (``_placeholder``): its module could not be imported. Its
    message is the module's file name."""


def _placeholder(module_name, functions):
    """A module that stands where a graded module could not be imported, so that the student's other modules still
    import: it holds only ``functions``, each of which raises ModuleNotImported. A call graded with stand-ins gets
    the reference in their place (``_install`` finds them as it finds the student's own functions)."""
    module = types.ModuleType(module_name)

    def make(name):
        def absent(*args, **kwargs):
            raise ModuleNotImported(f"{module_name}.py")
        absent.__name__ = absent.__qualname__ = name
        return absent

    for name in functions:
        if type(name) is str and name.isidentifier():
            setattr(module, name, make(name))
    return module


def _import(module_name, blocked=(), absent=None):
    """Import a staged module. Any import of a module in ``blocked`` (one whose import hung, crashed the worker or
    was refused) fails at once, and an import that fails that way says which (``ImportBlocked``). ``absent`` maps
    a graded module that could not be imported to its graded functions' names: a placeholder module
    (``_placeholder``) stands in its place."""
    blocked = [name for name in blocked if type(name) is str and name != module_name]
    sys.path_importer_cache.pop(WORK_DIR, None)  # the folder is listed afresh: a worker started ahead saw it empty
    for name in blocked:
        sys.modules.setdefault(name, None)  # `import name` now raises ModuleNotFoundError at once
    for name, functions in (absent if type(absent) is dict else {}).items():
        if type(name) is str and name != module_name and name not in blocked and type(functions) is list:
            sys.modules.setdefault(name, _placeholder(name, functions))
    _reset_random_state()
    try:
        importlib.import_module(module_name)
    except BaseException as exc:  # SystemExit and KeyboardInterrupt from student code included
        if isinstance(exc, ImportError) and exc.name in blocked:
            return {"ok": False, "error": "ImportBlocked", "detail": exc.name, "where": []}
        return _failure(exc)
    return {"ok": True}


class StandInError(RuntimeError):
    """A stand-in the grader would not or could not compute."""


def _receive():
    length = wire.header_length(_read_exact(wire.HEADER_SIZE))
    return wire.json.loads(_read_exact(length))


def _stand_in(name, request_id):
    """A function that asks the grader for the reference ``name`` ('module.function') on these arguments. The
    reference itself never comes into this process: only the arguments go out, and only its value comes back."""
    def stand_in(*args, **kwargs):
        _send({"id": request_id, "stand_in": name, "args": wire.encode(args), "kwargs": wire.encode(kwargs)})
        reply = _receive()
        if reply.get("id") != request_id or not reply.get("ok"):
            raise StandInError(str(reply.get("detail", ""))[:300])
        return wire.decode(reply["value"], whole=True)  # the grader's value, exactly as sent
    stand_in.__name__ = name.rsplit(".", 1)[-1]
    return stand_in


#: the values a witnessed function returned that the grader has not been sent yet, by function name
_REPORTS = {}
#: how many such values travel in one message (about 47 KB for the diamond's steps: under a pipe's 64 KB, so the
#: write does not wait while the grader checks the batch before)
REPORT_BATCH = 64


def _witness(name, original, request_id):
    """``original``, the student's own function, reporting to the grader each value it returns: the value goes out
    as it is at the return (encoded at once), a batch at a time (``_report``). Nothing comes back: the grader checks
    the values while the student's code goes on."""
    def witnessed(*args, **kwargs):
        value = original(*args, **kwargs)
        _REPORTS.setdefault(name, []).append(wire.encode(value))
        if len(_REPORTS[name]) >= REPORT_BATCH:
            _report(request_id)
        return value
    witnessed.__name__ = getattr(original, "__name__", name.rsplit(".", 1)[-1])
    witnessed.__wrapped__ = original
    return witnessed


def _report(request_id):
    """Send the grader the values witnessed and not yet sent."""
    for name in sorted(_REPORTS):
        _send({"id": request_id, "witness": name, "values": _REPORTS.pop(name)})


def _student_modules():
    return [module for module in list(sys.modules.values())
            if os.path.dirname(os.path.abspath(getattr(module, "__file__", None) or "/")) == WORK_DIR]


def _install(replacements):
    """Put a replacement in place of each named function, wherever the student's modules hold it: as a module
    global (``from backprop import backward`` included), or inside a module-level dict, list or tuple (a table of
    activations). ``replacements`` maps 'module.function' to a maker of the replacement from the original. Returns
    the undo list of (container, key, original)."""
    originals = {}
    for name, make in replacements.items():
        module_name, _, function = name.rpartition(".")
        original = getattr(sys.modules.get(module_name), function, None)
        if callable(original) and id(original) not in originals:
            originals[id(original)] = (original, make(name, original))
    undo = []

    def swap(container, key, value):
        found = originals.get(id(value))
        if found is not None and found[0] is value:
            undo.append((container, key, value))
            container[key] = found[1]
            return True
        if isinstance(value, tuple) and any(id(item) in originals for item in value):
            undo.append((container, key, value))
            container[key] = tuple(originals[id(item)][1] if id(item) in originals and originals[id(item)][0] is item
                                   else item for item in value)
            return True
        return False

    for module in _student_modules():
        namespace = vars(module)
        for key, value in list(namespace.items()):
            if swap(namespace, key, value):
                continue
            if type(value) is dict:
                for inner_key, inner in list(value.items()):
                    swap(value, inner_key, inner)
            elif type(value) is list:
                for index, inner in enumerate(list(value)):
                    swap(value, index, inner)
    return undo


def _uninstall(undo):
    for container, key, original in reversed(undo):
        container[key] = original


def _call(request):
    module = sys.modules.get(request["module"])
    if module is None:
        return {"ok": False, "error": "ImportError", "detail": MESSAGES["not_loaded"].format(module=request["module"]),
                "where": []}
    func = getattr(module, request["function"], None)
    if not callable(func):
        return {"ok": False, "error": "AttributeError", "where": [],
                "detail": MESSAGES["no_function"].format(module=request["module"], function=request["function"])}
    args = wire.decode(request["args"], whole=True)  # the grader's own inputs, exactly as sent
    kwargs = wire.decode(request["kwargs"], whole=True)
    try:
        watched = mutation.watch(func, args, kwargs)  # the arguments as they are before the call
    except BaseException as exc:  # a hostile __signature__
        return _failure(exc)
    replacements = {name: lambda name, original: _stand_in(name, request["id"])
                    for name in request.get("stand_ins") or [] if type(name) is str}
    for name in request.get("witnesses") or []:
        if type(name) is str:
            replacements.setdefault(name, lambda name, original: _witness(name, original, request["id"]))
    undo = _install(replacements) if replacements else []
    _reset_random_state()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        started = time.perf_counter()
        try:
            value = func(*args, **kwargs)
            _report(request["id"])  # the last values witnessed reach the grader before the answer
        except BaseException as exc:
            return _failure(exc)
        finally:
            _uninstall(undo)
            _REPORTS.clear()
        elapsed = time.perf_counter() - started
    try:
        messages = sorted({f"{w.category.__name__}: {w.message}" for w in caught})
        changed = watched.changed()
        encoded = wire.encode(value)
    except BaseException as exc:  # a hostile __len__, __iter__ or __str__ while encoding
        return _failure(exc)
    return {"ok": True, "value": encoded, "warnings": messages[:5], "seconds": elapsed, "changed": changed}


def main():
    _limit_resources()
    _silence_output()
    os.set_inheritable(FD_IN, False)
    os.set_inheritable(FD_OUT, False)
    layers = _confine()
    _send({"ok": True, "ready": True, "layers": layers})
    while True:
        try:
            request = _receive()
        except EOFError:
            return
        if request["op"] == "import":
            answer = _import(request["module"], request.get("blocked", ()), request.get("absent"))
        else:
            answer = _call(request)
        answer["id"] = request["id"]
        try:
            _send(answer)
        except (ValueError, RecursionError) as exc:  # over the size limit, or nested too deep for json
            _send({"ok": False, "error": type(exc).__name__ if isinstance(exc, RecursionError) else "OutputTooLarge",
                   "detail": str(exc), "where": [], "id": request["id"]})


main()

"""The student's side of the sandbox. Started by ``runner.py`` as ``python -S -B worker.py SITE_DIR WORK_DIR IN OUT``.

The runner gives it a clean environment (``PYTHONHASHSEED=0``, no ``PYTHONPATH``) and no ``site`` processing. The
worker imports numpy from SITE_DIR, then takes SITE_DIR off ``sys.path``: the student sees the stdlib, numpy and the
staged submission folder, and neither the grader, the solutions nor any other installed package.

Before any student code runs it confines itself, as far as the platform allows (see docs/security.md):
- resource limits: address space, no core dumps, no bytes written to any file;
- ``PR_SET_PDEATHSIG``: it dies with the grader;
- ``no_new_privs`` and an empty capability set, so a grader run as root does not hand root to the student;
- Landlock: it may only read the stdlib, numpy and the submission folder, and write nowhere; it may not execute a
  file, connect or bind TCP, or signal any process outside itself;
- seccomp: no new processes, no exec, no ptrace or cross-process memory access, no signals to other processes, no
  sockets, no file opened for writing and no change to the file tree, and none of the administrative system calls.
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
import warnings

_HERE = os.path.dirname(os.path.abspath(__file__))
SITE_DIR, WORK_DIR, FD_IN, FD_OUT = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
MEMORY_BYTES = int(os.environ.get("NNKIT_MEMORY_BYTES", str(2 * 1024 ** 3)))
LAYERS = set(filter(None, os.environ.get("NNKIT_LAYERS", "").split(",")))
PARENT = int(os.environ.get("NNKIT_PARENT", "0"))

# The stdlib as this interpreter found it: what the student may import besides numpy.
STDLIB_PATHS = [path for path in sys.path if path and path != _HERE and os.path.exists(path)]

sys.path.append(SITE_DIR)
sys.path.insert(0, _HERE)
import numpy as np  # noqa: E402
import numpy.linalg  # noqa: E402,F401
import numpy.random  # noqa: E402,F401
import random  # noqa: E402  (loaded now so that it is seeded before every import and call)
import mutation  # noqa: E402
import wire  # noqa: E402

try:
    import ctypes
except ImportError:  # an interpreter built without ctypes: the Linux layers are skipped
    ctypes = None

sys.path[:] = [path for path in sys.path if path not in (_HERE, SITE_DIR)]
for _cached in [key for key in sys.path_importer_cache if key in (_HERE, SITE_DIR)]:
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

SYS_LANDLOCK_CREATE_RULESET, SYS_LANDLOCK_ADD_RULE, SYS_LANDLOCK_RESTRICT_SELF = 444, 445, 446
LANDLOCK_CREATE_RULESET_VERSION = 1
LANDLOCK_RULE_PATH_BENEATH = 1
FS_EXECUTE, FS_WRITE_FILE, FS_READ_FILE, FS_READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
FS_RIGHTS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 4: (1 << 15) - 1, 5: (1 << 16) - 1}
FILE_RIGHTS = FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | (1 << 14) | (1 << 15)  # TRUNCATE, IOCTL_DEV
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1
NOT_READABLE_IN_STDLIB = ("site-packages", "dist-packages")

# seccomp, x86_64 only: the system call numbers are architecture-specific.
AUDIT_ARCH_X86_64 = 0xC000003E
SYS_SECCOMP, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC = 317, 1, 1
SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_ERRNO, SECCOMP_RET_ALLOW = 0x80000000, 0x00050000, 0x7FFF0000
EPERM, ENOSYS = 1, 38
X32_SYSCALL_BIT = 0x40000000
CLONE_THREAD = 0x00010000
SYS_CLONE, SYS_CLONE3 = 56, 435
SYS_TO_SELF_ONLY = (62, 234, 129, 297)  # kill, tgkill, rt_sigqueueinfo, rt_tgsigqueueinfo: own pid only
SYS_DENIED = (
    41, 53,  # socket, socketpair
    57, 58, 59, 322,  # fork, vfork, execve, execveat
    101, 310, 311, 312, 440, 448,  # ptrace, process_vm_readv/writev, kcmp, process_madvise, process_mrelease
    200, 424, 434, 438,  # tkill, pidfd_send_signal, pidfd_open, pidfd_getfd
    109, 112,  # setpgid, setsid: stay in the process group the runner kills
    272, 308, 155, 161, 165, 166, 428, 429, 430, 431, 432, 433, 442,  # namespaces, chroot and mounts
    169, 175, 176, 313, 246, 320, 321, 298, 323, 425, 426, 427,  # reboot, modules, kexec, bpf, perf, uffd, io_uring
    248, 249, 250, 163, 167, 168, 164, 227, 159, 305, 170, 171, 172, 173, 179, 212, 303, 304, 135,
)
# Read-only files, even where Landlock is missing: no opening for writing, and nothing that changes the file tree.
SYS_OPEN, SYS_OPENAT, SYS_OPENAT2 = 2, 257, 437  # open's flags are argument 1, openat's argument 2
OPEN_FOR_WRITING = 0o1 | 0o2 | 0o100 | 0o1000 | 0o2000 | 0o20000000  # WRONLY RDWR CREAT TRUNC APPEND TMPFILE
EACCES = 13
SYS_FILE_CHANGES = (
    85, 87, 263, 84, 82, 264, 316, 86, 265, 88, 266, 83, 258, 133, 259,  # creat, unlink, rmdir, rename, link, mkdir..
    90, 91, 268, 452, 92, 93, 94, 260, 76, 77, 132, 235, 280, 261, 285,  # chmod, chown, truncate, utime, fallocate
    188, 189, 190, 197, 198, 199,  # extended attributes
)


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


def _drop_capabilities(libc):
    _prctl(libc, PR_SET_NO_NEW_PRIVS, 1)
    try:
        _prctl(libc, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)
    except OSError:
        pass
    for cap in range(64):
        try:
            _prctl(libc, PR_CAPBSET_DROP, cap)
        except OSError as exc:
            if exc.errno != EPERM:  # EINVAL: past the last capability
                break
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


def _seccomp_program():
    """A classic BPF filter, as (code, jt, jf, k) tuples, from a small assembly with named jump targets."""
    ld, jeq, jge, jset, ret = 0x20, 0x15, 0x35, 0x45, 0x06
    pid = os.getpid()
    program = [(ld, None, None, 4), (jeq, None, "kill", AUDIT_ARCH_X86_64), (ld, None, None, 0),
               (jge, "eperm", None, X32_SYSCALL_BIT)]
    program += [(jeq, "eperm", None, number) for number in SYS_DENIED]
    program += [(jeq, "eacces", None, number) for number in SYS_FILE_CHANGES]
    program += [(jeq, "enosys", None, SYS_CLONE3), (jeq, "enosys", None, SYS_OPENAT2),
                (jeq, "clone", None, SYS_CLONE), (jeq, "open", None, SYS_OPEN), (jeq, "openat", None, SYS_OPENAT)]
    program += [(jeq, "self", None, number) for number in SYS_TO_SELF_ONLY]
    program += [(ret, None, None, SECCOMP_RET_ALLOW)]
    labels = {}
    for label, body in (("clone", [(ld, None, None, 16), (jset, "allow", "eperm", CLONE_THREAD)]),
                        ("self", [(ld, None, None, 16), (jeq, "allow", "eperm", pid)]),
                        ("open", [(ld, None, None, 24), (jset, "eacces", "allow", OPEN_FOR_WRITING)]),
                        ("openat", [(ld, None, None, 32), (jset, "eacces", "allow", OPEN_FOR_WRITING)]),
                        ("allow", [(ret, None, None, SECCOMP_RET_ALLOW)]),
                        ("eperm", [(ret, None, None, SECCOMP_RET_ERRNO | EPERM)]),
                        ("enosys", [(ret, None, None, SECCOMP_RET_ERRNO | ENOSYS)]),
                        ("eacces", [(ret, None, None, SECCOMP_RET_ERRNO | EACCES)]),
                        ("kill", [(ret, None, None, SECCOMP_RET_KILL_PROCESS)])):
        labels[label] = len(program)
        program += body

    def offset(index, target):
        return 0 if target is None else labels[target] - index - 1

    return [(code, offset(i, jt), offset(i, jf), k) for i, (code, jt, jf, k) in enumerate(program)]


def _seccomp(libc):
    machine = os.uname().machine
    if machine != "x86_64":
        return f"off: no system call table for {machine}"
    program = _seccomp_program()
    if any(not 0 <= jt < 256 or not 0 <= jf < 256 for _, jt, jf, _ in program):
        return "off: the filter is too long"
    filters = (ctypes.c_ubyte * (8 * len(program)))()
    ctypes.memmove(filters, b"".join(struct.pack("=HBBI", *insn) for insn in program), 8 * len(program))

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = SockFprog(len(program), ctypes.cast(filters, ctypes.c_void_p))
    _prctl(libc, PR_SET_NO_NEW_PRIVS, 1)
    if libc.syscall(ctypes.c_long(SYS_SECCOMP), ctypes.c_uint(SECCOMP_SET_MODE_FILTER),
                    ctypes.c_uint(SECCOMP_FILTER_FLAG_TSYNC), ctypes.byref(fprog)) != 0:
        return f"off: seccomp failed ({os.strerror(ctypes.get_errno())})"
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
    steps = (("parent-death", _die_with_parent), ("capabilities", _drop_capabilities), ("landlock", _landlock),
             ("seccomp", _seccomp))
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
    return [f"{os.path.basename(f.filename)}:{f.lineno} in {f.name}: {f.line or ''}".strip() for f in frames[-3:]]


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


def _import(module_name, blocked=()):
    """Import a staged module. Any import of a module in ``blocked`` (one whose import hung, crashed the worker or
    was refused) fails at once, and an import that fails that way says which (``ImportBlocked``)."""
    blocked = [name for name in blocked if type(name) is str and name != module_name]
    for name in blocked:
        sys.modules.setdefault(name, None)  # `import name` now raises ModuleNotFoundError at once
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


def _student_modules():
    return [module for module in list(sys.modules.values())
            if os.path.dirname(os.path.abspath(getattr(module, "__file__", None) or "/")) == WORK_DIR]


def _install(names, request_id):
    """Put a stand-in in place of each named function, wherever the student's modules hold it: as a module global
    (``from backprop import backward`` included), or inside a module-level dict, list or tuple (a table of
    activations). Returns the undo list of (container, key, original)."""
    originals = {}
    for name in names:
        module_name, _, function = name.rpartition(".")
        original = getattr(sys.modules.get(module_name), function, None)
        if callable(original):
            originals[id(original)] = (original, _stand_in(name, request_id))
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
    names = request.get("stand_ins") or []
    undo = _install([name for name in names if type(name) is str], request["id"]) if names else []
    _reset_random_state()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        started = time.perf_counter()
        try:
            value = func(*args, **kwargs)
        except BaseException as exc:
            return _failure(exc)
        finally:
            _uninstall(undo)
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
            answer = _import(request["module"], request.get("blocked", ()))
        else:
            answer = _call(request)
        answer["id"] = request["id"]
        try:
            _send(answer)
        except (ValueError, RecursionError) as exc:  # over the size limit, or nested too deep for json
            _send({"ok": False, "error": type(exc).__name__ if isinstance(exc, RecursionError) else "OutputTooLarge",
                   "detail": str(exc), "where": [], "id": request["id"]})


main()

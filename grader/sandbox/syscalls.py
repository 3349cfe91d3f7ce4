"""The worker's system-call filter, built by libseccomp for the architecture it runs on.

libseccomp (Debian's ``libseccomp2``, which apt itself depends on) holds every architecture's system-call table and
writes the BPF program, so this module names system calls and never numbers them: the same filter is built on
x86_64, aarch64 and every other architecture libseccomp supports, and a call that does not exist on one (``open``,
``fork`` and ``rename`` are missing on aarch64) is simply not there to refuse. libseccomp's own Python binding
(Debian's ``python3-seccomp``) is compiled for Debian's ``/usr/bin/python3`` only, while the worker runs whatever
interpreter the grader runs, so the C library is called through ctypes; its API has been stable since 2.x.

The filter allows by default (CPython and numpy make too many calls to list them all) and refuses:

- ``network``: ``socket`` and ``socketpair``;
- ``processes``: ``fork``, ``vfork``, ``execve``, ``execveat``, a ``clone`` without ``CLONE_THREAD`` (threads stay
  possible), and ``clone3`` with ENOSYS (its flags sit in memory a filter cannot read, and libc then falls back to
  ``clone``); ``setsid`` and ``setpgid``, so the worker stays in the process group the grader kills;
- ``other processes``: ``ptrace``, cross-process memory, ``kcmp``, pidfds, ``tkill``; ``kill``, ``tgkill`` and the
  ``sigqueue`` calls to any pid but the worker's own; and every call that changes how another process is scheduled
  or limited (``setpriority``, ``sched_setaffinity``, ``sched_setscheduler``, ``sched_setparam``, ``sched_setattr``,
  ``ioprio_set``, ``prlimit64``, ``migrate_pages``, ``move_pages``) unless the pid it names is 0 or the worker's own,
  and ``setpriority`` and ``ioprio_set`` for a process group or a user (``PRIO_PGRP``, ``PRIO_USER``) at all;
- ``file changes``: opening a file for writing (``open``/``openat`` with any write flag, ``openat2`` with ENOSYS),
  and every call that creates, removes, renames, links, truncates or changes the mode, owner, times or extended
  attributes of a file;
- namespaces, mounts, ``chroot``, modules, ``kexec``, ``bpf``, ``perf_event_open``, ``userfaultfd``, ``io_uring``,
  keyrings, clocks, host names, swap, quotas and ``open_by_handle_at``.

A system call of another ABI (32-bit calls from a 64-bit worker, x32 on x86_64) kills the process.

A libseccomp release knows the system calls of the kernels before it. The few calls newer than that which change a
file are refused by the number they have on every architecture with the common table (all those in ``UNIFIED``):
since Linux 5.1, a new system call gets one number there.
"""
import ctypes
import os
import tempfile

LIBRARY = "libseccomp.so.2"

ALLOW = 0x7FFF0000
KILL_PROCESS = 0x80000000
EPERM, EACCES, ENOSYS = 1, 13, 38
ATTR_ACT_BADARCH, ATTR_CTL_NNP, ATTR_CTL_TSYNC = 2, 3, 4
CMP_NE, CMP_EQ, CMP_GT, CMP_MASKED_EQ = 1, 4, 6, 7
WORD = (1 << 64) - 1  # libseccomp compares the 64 bits of an argument
CLONE_THREAD = 0x00010000


def errno_action(code):
    return 0x00050000 | (code & 0xFFFF)


NETWORK = ("socket", "socketpair")
PROCESSES = ("fork", "vfork", "execve", "execveat", "setsid", "setpgid")
OTHER_PROCESSES = ("ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "process_madvise", "process_mrelease",
                   "pidfd_open", "pidfd_getfd", "pidfd_send_signal", "tkill")
SIGNALS_TO_SELF_ONLY = ("kill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo")  # argument 0 is the target pid
ADMINISTRATION = (
    "unshare", "setns", "chroot", "pivot_root", "mount", "umount", "umount2", "fsopen", "fsconfig", "fsmount",
    "fspick", "move_mount", "open_tree", "open_tree_attr", "mount_setattr",
    "reboot", "init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load", "bpf",
    "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register",
    "add_key", "request_key", "keyctl", "acct", "swapon", "swapoff", "settimeofday", "clock_settime", "adjtimex",
    "clock_adjtime", "sethostname", "setdomainname", "iopl", "ioperm", "quotactl", "quotactl_fd", "lookup_dcookie",
    "name_to_handle_at", "open_by_handle_at", "personality", "uselib", "vhangup", "syslog",
)
FILE_CHANGES = (
    "creat", "unlink", "unlinkat", "rmdir", "rename", "renameat", "renameat2", "link", "linkat", "symlink",
    "symlinkat", "mkdir", "mkdirat", "mknod", "mknodat", "chmod", "fchmod", "fchmodat", "fchmodat2", "chown", "fchown",
    "lchown", "fchownat", "truncate", "ftruncate", "utime", "utimes", "utimensat", "futimesat", "fallocate",
    "setxattr", "lsetxattr", "fsetxattr", "removexattr", "lremovexattr", "fremovexattr", "setxattrat",
    "removexattrat", "file_setattr",
)
# Calls that change how a process is scheduled or limited, and which argument names the process (0: the caller).
SCHEDULING_SELF_ONLY = {"sched_setaffinity": 0, "sched_setscheduler": 0, "sched_setparam": 0, "sched_setattr": 0,
                        "prlimit64": 0, "migrate_pages": 0, "move_pages": 0, "setpriority": 1, "ioprio_set": 1}
# For those whose pid comes second, what the first argument must be: PRIO_PROCESS, IOPRIO_WHO_PROCESS.
SCHEDULING_TARGET_KIND = {"setpriority": 0, "ioprio_set": 1}
OPEN_FLAGS_ARGUMENT = {"open": 1, "openat": 2}  # which argument holds the flags
ENOSYS_CALLS = ("clone3", "openat2")

# Calls newer than some libseccomp releases (2.5.4 knows none of these), by their number on every architecture
# with the common table for calls added since Linux 5.1. Used only when libseccomp does not know the name.
NEWER = {"open_tree_attr": 467, "setxattrat": 463, "removexattrat": 466, "file_setattr": 469, "fchmodat2": 452,
         "quotactl_fd": 443, "process_mrelease": 448, "mount_setattr": 442}
UNIFIED = ("x86_64", "aarch64", "arm", "x86", "riscv64", "ppc64", "ppc64le", "ppc", "s390x", "s390",
           "loongarch64")


class _Comparison(ctypes.Structure):
    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int), ("datum_a", ctypes.c_uint64),
                ("datum_b", ctypes.c_uint64)]


class _Version(ctypes.Structure):
    _fields_ = [("major", ctypes.c_uint), ("minor", ctypes.c_uint), ("micro", ctypes.c_uint)]


_LIB = None


def library():
    """libseccomp, loaded once (the worker loads it before it confines itself). Raises OSError if it is missing."""
    global _LIB
    if _LIB is None:
        lib = ctypes.CDLL(LIBRARY, use_errno=True)
        lib.seccomp_init.restype = ctypes.c_void_p
        lib.seccomp_init.argtypes = [ctypes.c_uint32]
        lib.seccomp_release.argtypes = [ctypes.c_void_p]
        lib.seccomp_attr_set.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_uint32]
        lib.seccomp_arch_native.restype = ctypes.c_uint32
        lib.seccomp_arch_resolve_name.restype = ctypes.c_uint32
        lib.seccomp_arch_resolve_name.argtypes = [ctypes.c_char_p]
        lib.seccomp_arch_add.argtypes = [ctypes.c_void_p, ctypes.c_uint32]
        lib.seccomp_arch_remove.argtypes = [ctypes.c_void_p, ctypes.c_uint32]
        lib.seccomp_syscall_resolve_name_arch.argtypes = [ctypes.c_uint32, ctypes.c_char_p]
        lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
        lib.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint,
                                               ctypes.POINTER(_Comparison)]
        lib.seccomp_load.argtypes = [ctypes.c_void_p]
        lib.seccomp_export_pfc.argtypes = [ctypes.c_void_p, ctypes.c_int]
        lib.seccomp_version.restype = ctypes.POINTER(_Version)
        _LIB = lib
    return _LIB


def version():
    v = library().seccomp_version().contents
    return f"{v.major}.{v.minor}.{v.micro}"


def native_arch():
    """The libseccomp name of this machine's architecture, among those of UNIFIED, else its token in hex."""
    lib = library()
    native = lib.seccomp_arch_native()
    for name in UNIFIED:
        if lib.seccomp_arch_resolve_name(name.encode()) == native:
            return name
    return hex(native)


class Filter:
    """A libseccomp filter context. ``arch`` (a libseccomp name such as "aarch64") builds the filter for another
    architecture, to export it as text (``pfc``); only a native filter can be loaded."""

    def __init__(self, default=ALLOW, arch=None):
        self.lib = library()
        self.ctx = self.lib.seccomp_init(default)
        if not self.ctx:
            raise OSError("seccomp_init failed")
        native = self.lib.seccomp_arch_native()
        self.arch_name = arch or native_arch()
        self.arch = native
        if arch is not None:
            token = self.lib.seccomp_arch_resolve_name(arch.encode())
            if not token:
                raise ValueError(f"libseccomp does not know the architecture {arch}")
            if token != native:
                self._check(self.lib.seccomp_arch_add(self.ctx, token), "arch_add")
                self._check(self.lib.seccomp_arch_remove(self.ctx, native), "arch_remove")
            self.arch = token
        self.skipped = []  # the names that do not exist on this architecture

    @staticmethod
    def _check(result, what):
        if result < 0:
            raise OSError(-result, f"seccomp_{what} failed: {os.strerror(-result)}")

    def number(self, name):
        """The number to give libseccomp for ``name``: the native one (libseccomp translates it, by name, for the
        filter's architecture, and leaves out a call that architecture lacks), or None if libseccomp does not know
        the name and NEWER has no number for it."""
        number = self.lib.seccomp_syscall_resolve_name(name.encode())
        if number == -1:  # unknown to this libseccomp: a call newer than it, or no system call at all
            native = self.arch == self.lib.seccomp_arch_native()  # libseccomp cannot translate a number it lacks
            return NEWER[name] if native and self.arch_name in UNIFIED and name in NEWER else None
        return number

    def exists(self, name):
        """Whether ``name`` is a system call of this filter's architecture."""
        return self.lib.seccomp_syscall_resolve_name_arch(self.arch, name.encode()) >= 0 or (
            self.number(name) in NEWER.values())

    def add(self, action, name, *comparisons):
        """Add a rule: ``action`` for ``name`` when every (arg, op, datum_a[, datum_b]) comparison holds."""
        number = self.number(name)
        if number is None or not self.exists(name):
            self.skipped.append(name)
            return False
        array = (_Comparison * max(len(comparisons), 1))()
        for i, comparison in enumerate(comparisons):
            arg, op, datum_a, *rest = comparison
            array[i] = _Comparison(arg, op, datum_a, rest[0] if rest else 0)
        self._check(self.lib.seccomp_rule_add_array(self.ctx, action, number, len(comparisons), array), "rule_add")
        return True

    def set(self, attribute, value):
        return self.lib.seccomp_attr_set(self.ctx, attribute, value) == 0

    def load(self):
        self._check(self.lib.seccomp_load(self.ctx), "load")

    def pfc(self):
        """The filter as libseccomp's pseudo filter code: readable text naming each rule's number."""
        with tempfile.TemporaryFile() as handle:
            self._check(self.lib.seccomp_export_pfc(self.ctx, handle.fileno()), "export_pfc")
            handle.seek(0)
            return handle.read().decode("ascii", errors="replace")

    def release(self):
        if self.ctx:
            self.lib.seccomp_release(self.ctx)
            self.ctx = None


def open_write_flags():
    """The open(2) flags that open a file for writing, as this platform numbers them."""
    tmpfile = getattr(os, "O_TMPFILE", 0) & ~getattr(os, "O_DIRECTORY", 0)
    return [flag for flag in (os.O_WRONLY, os.O_RDWR, os.O_CREAT, os.O_TRUNC, os.O_APPEND, tmpfile) if flag]


def other_than(pid):
    """Comparisons (op, datum_a[, datum_b]) of one argument, any of which holds exactly when the argument is neither
    0 nor ``pid``: it is above ``pid``, or in one of the aligned blocks that tile 1 to ``pid`` - 1, each matched by
    its fixed high bits. (A libseccomp rule compares each argument once, so "not 0 and not pid" is a union of rules.)
    At most twice the bits of ``pid`` blocks: 44 for a pid under Linux's largest pid_max, 2**22."""
    found = [(CMP_GT, pid)]
    low = 1
    while low < pid:
        size = low & -low  # the largest block aligned at low ...
        while low + size > pid:  # ... that ends before pid
            size //= 2
        found.append((CMP_MASKED_EQ, WORD & ~(size - 1), low))
        low += size
    return found


def worker_filter(pid, arch=None):
    """The worker's filter (see the module's docstring); ``pid`` is the one process it may signal: itself."""
    rules = Filter(ALLOW, arch)
    rules.set(ATTR_ACT_BADARCH, KILL_PROCESS)
    rules.set(ATTR_CTL_TSYNC, 1)
    eperm, eacces, enosys = errno_action(EPERM), errno_action(EACCES), errno_action(ENOSYS)
    for name in NETWORK + PROCESSES + OTHER_PROCESSES + ADMINISTRATION:
        rules.add(eperm, name)
    rules.add(eperm, "clone", (0, CMP_MASKED_EQ, CLONE_THREAD, 0))  # a clone that is not a thread
    for name in SIGNALS_TO_SELF_ONLY:
        rules.add(eperm, name, (0, CMP_NE, pid))
    for name, argument in SCHEDULING_SELF_ONLY.items():
        for comparison in other_than(pid):
            rules.add(eperm, name, (argument, *comparison))
    for name, kind in SCHEDULING_TARGET_KIND.items():
        rules.add(eperm, name, (0, CMP_NE, kind))
    for name in FILE_CHANGES:
        rules.add(eacces, name)
    for name, argument in OPEN_FLAGS_ARGUMENT.items():
        for flag in open_write_flags():  # libseccomp ORs the rules of one call: any write flag refuses it
            rules.add(eacces, name, (argument, CMP_MASKED_EQ, flag, flag))
    for name in ENOSYS_CALLS:
        rules.add(enosys, name)
    return rules

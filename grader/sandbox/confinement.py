"""Which confinement the student's process gets, what each layer holds, and whether that is enough to grade.

Grading fails closed on *properties*, not on layers. The student's process must be unable to

- ``read-the-kit``: open, list or even ``stat`` the solutions, the catalogues and the reference cache (learn that
  they exist, their sizes or their modification times);
- ``write``: create, change, rename or remove any file, or change its mode, owner, times or attributes;
- ``processes``: start a process;
- ``signals``: signal a process other than itself;
- ``network``: reach the network.

Each property must be held by at least one layer that took hold in the worker (``HOLDERS``):

==================  ===========================================================================================
read-the-kit        mount-namespace | uid (only if that uid cannot even stat the kit: ``kit_exposure``)
write               mount-namespace (read-only binds) | seccomp
processes           seccomp | uid (RLIMIT_NPROC 0)
signals             seccomp | landlock (ABI >= 6) | pid-namespace
network             seccomp | network-namespace
==================  ===========================================================================================

Landlock does not hold ``read-the-kit`` (it refuses to open or list a file, but not to ``stat`` it: the existence,
size and modification time of every file of the kit show through it), ``write`` (it leaves chmod, chown, utime and
extended attributes alone), ``processes`` (it refuses exec, not fork) or ``network`` (its rules cover TCP only). A
separate uid does not hold ``write`` (``/tmp`` is writable by everyone), ``signals`` (``$NNKIT_SANDBOX_UID`` may
give every worker the same uid) or ``network``.

When a property has no layer and the instructor has not waived it (``--allow-weak-sandbox PROPERTY``,
``$NNKIT_SANDBOX_WAIVE``, ``c.GradeWithKit.waive``), ``Policy.check`` raises ``Refused`` with one line that names
the property and the option. Each result records the layers, which layer holds which property, and the waiver.

The mount, pid and network namespaces come from bubblewrap (``bwrap``): ``Bwrap`` builds its command line, which
shows the worker the interpreter, the system's shared libraries, the standard library without its site-packages,
numpy, the sandbox's own code and the staged folder, all read-only, and nothing else. The separate uid, used when
the grader runs as root, is one that each sandbox leases for itself (``uids.py``), or ``$NNKIT_SANDBOX_UID``
(``uid[:gid]``) for every worker.
"""
import ast
import os
import re
import shutil
import struct
import subprocess
import sys
import sysconfig
import threading
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np

PROPERTIES = ("read-the-kit", "write", "processes", "signals", "network")
ALL = "all"
OPTION = "--allow-weak-sandbox"
VARIABLE = "NNKIT_SANDBOX_WAIVE"
UID_VARIABLE = "NNKIT_SANDBOX_UID"
NAMESPACE_LAYERS = ("mount-namespace", "pid-namespace", "network-namespace")
HOLDERS = {
    "read-the-kit": ("mount-namespace", "uid"),
    "write": ("mount-namespace", "seccomp"),
    "processes": ("seccomp", "uid"),
    "signals": ("seccomp", "landlock", "pid-namespace"),
    "network": ("seccomp", "network-namespace"),
}
# Layers that stop part of what a property covers, named in a refusal with what they stop, and what is still open
# where they are on.
PARTLY = {"read-the-kit": {"landlock": "it refuses to open or list the kit's files, not to stat them"}}
STILL_OPEN = {"read-the-kit": "learning that the kit's files exist, their sizes and their modification times"}
SANDBOX_CODE = Path(__file__).resolve().parent  # worker.py and the modules it imports: bound into the namespace
SHIPPED_CODE = SANDBOX_CODE.parent / "shipped"  # the wire format and mutation checks the worker imports: bound too
#: the site-packages folder numpy was imported from: the worker imports numpy from there, then forgets it
SITE_DIR = str(Path(np.__file__).resolve().parents[1])
PACKAGE_DIRS = ("site-packages", "dist-packages")

MESSAGES = {
    "refused": "nnkit sandbox: refusing to grade: no confinement layer holds {properties} on this machine, so "
               "nothing stops the student's code from {what} ({layers}); to grade anyway, waive it with {option}",
    "weak": "nnkit sandbox: grading with {properties} waived: nothing stops the student's code from {what} "
            "({layers}); see docs/security.md",
    "unknown": "unknown sandbox property {name!r} to waive; the properties are {names}, or 'all'",
    "kit_exposed": "uid {uid} can reach {path}, so it can stat it",
    "no_bwrap": "bubblewrap (bwrap) is not installed",
    "bad_uid": "${variable} is not uid[:gid] (two numbers above 0): {value!r}",
    "no_lease": "no uid was leased for this worker",
    "bwrap_failed": "bwrap cannot make namespaces here ({detail})",
}
WHAT = {"read-the-kit": "reading the kit", "write": "writing files", "processes": "starting processes",
        "signals": "signalling other processes", "network": "reaching the network"}
_WARNED = set()
_LOCK = threading.Lock()


class Refused(Exception):
    """Some property has no layer on this machine, and it was not waived: nothing is graded."""


class BadWaiver(ValueError):
    """A waiver names something that is not a property."""


# -- waivers and the policy -----------------------------------------------------------------------------------------
def waivers(value=None):
    """The properties waived, as a frozenset: ``value`` (a comma-separated string, or a list of names; 'all'), or,
    when it is None, ``$NNKIT_SANDBOX_WAIVE``. Raises ValueError for a name that is not a property."""
    if value is None:
        value = os.environ.get(VARIABLE, "")
    names = value.split(",") if isinstance(value, str) else [part for item in value for part in str(item).split(",")]
    names = {name.strip() for name in names if name.strip()}
    if ALL in names:
        return frozenset(PROPERTIES)
    unknown = sorted(names - set(PROPERTIES))
    if unknown:
        raise BadWaiver(MESSAGES["unknown"].format(name=unknown[0], names=", ".join(PROPERTIES)))
    return frozenset(names)


def _on(layers, name):
    return str(layers.get(name, "")).startswith("on")


def holders(layers, kit_exposed=None):
    """{property: [layers that hold it]} for a worker's ``layers`` report ({layer: 'on ...' / 'off: ...'}).

    ``kit_exposed`` is what ``kit_exposure`` says for the worker's uid ('' if it cannot reach the kit); the uid
    layer holds read-the-kit only when it is ''. None means: find out now."""
    held = {}
    for prop in PROPERTIES:
        names = []
        for layer in HOLDERS[prop]:
            if not _on(layers, layer):
                continue
            status = str(layers[layer])
            if layer == "landlock" and prop == "signals" and "without signal scoping" in status:
                continue
            if layer == "uid" and prop == "read-the-kit":
                exposed = kit_exposure(*_uid_of(status)) if kit_exposed is None else kit_exposed
                if exposed:
                    continue
            if layer == "uid" and prop == "processes" and "no processes" not in status:
                continue
            names.append(layer)
        held[prop] = names
    return held


def _uid_of(status):
    found = re.search(r"uid (\d+), gid (\d+)", status)
    return (int(found.group(1)), int(found.group(2))) if found else (0, 0)  # unknown: root, which reaches all


def _what(layers, prop):
    """What nothing stops the student's code from doing, for a property no layer holds."""
    return STILL_OPEN[prop] if any(_on(layers, layer) for layer in PARTLY.get(prop, ())) else WHAT[prop]


def _explain(layers, prop, kit_exposed):
    parts = []
    for layer in HOLDERS[prop] + tuple(PARTLY.get(prop, ())):
        status = str(layers.get(layer, "off: not asked for"))
        if layer == "uid" and prop == "read-the-kit" and status.startswith("on") and kit_exposed:
            status = f"on, but {kit_exposed}"
        elif layer in PARTLY.get(prop, ()) and status.startswith("on"):
            status = f"on, but {PARTLY[prop][layer]}"
        parts.append(f"{layer} {status}")
    return ", ".join(parts)


class Policy:
    """What a grading requires of its sandbox: every property held, except those ``waived`` (see ``waivers``).
    ``option`` is how the caller's user waives a property, for the refusal's one line."""

    def __init__(self, waived=None, option=None):
        self.waived = waivers(waived) if not isinstance(waived, frozenset) else waived
        self.option = option or f"{OPTION} {{properties}} (or {VARIABLE}={{properties}})"

    def check(self, layers):
        """The record of this confinement for results.json; raises Refused if an unwaived property has no layer."""
        exposed = ""
        if _on(layers, "uid"):
            exposed = kit_exposure(*_uid_of(str(layers["uid"])))
        held = holders(layers, exposed)
        weak = [prop for prop in PROPERTIES if not held[prop]]
        refused = [prop for prop in weak if prop not in self.waived]
        if refused:
            names = ",".join(refused)
            raise Refused(MESSAGES["refused"].format(
                properties=", ".join(refused), what=", ".join(_what(layers, prop) for prop in refused),
                layers="; ".join(f"{prop}: {_explain(layers, prop, exposed)}" for prop in refused),
                option=self.option.format(properties=names, listed=repr(refused))))
        if weak:
            key = (tuple(weak), tuple(sorted(layers.items())))
            with _LOCK:
                fresh = key not in _WARNED
                _WARNED.add(key)
            if fresh:
                warnings.warn(MESSAGES["weak"].format(
                    properties=",".join(weak), what=", ".join(_what(layers, prop) for prop in weak),
                    layers="; ".join(f"{prop}: {_explain(layers, prop, exposed)}" for prop in weak)),
                    RuntimeWarning, stacklevel=3)
        return {"layers": dict(sorted(layers.items())), "properties": held, "waived": sorted(self.waived),
                "weak": weak}


# -- the kit, as another uid sees it --------------------------------------------------------------------------------
def _editable_roots(site_dir):
    """Folders that an editable install in ``site_dir`` makes importable (a finder's MAPPING, a .pth path line):
    each may be a checkout of the kit, and the student's process can see site_dir when no namespace hides it."""
    roots = set()
    try:
        entries = sorted(os.listdir(site_dir))
    except OSError:
        return roots
    for name in entries:
        path = os.path.join(site_dir, name)
        try:
            if name.startswith("__editable__") and name.endswith("_finder.py"):
                text = Path(path).read_text(encoding="utf-8", errors="replace")
                found = re.search(r"^MAPPING\s*(?::[^=]*)?=\s*(\{.*?\})\s*$", text, re.M)
                mapping = ast.literal_eval(found.group(1)) if found else {}
                roots.update(os.path.dirname(str(target)) for target in mapping.values())
            elif name.endswith(".pth"):
                for line in Path(path).read_text(encoding="utf-8", errors="replace").splitlines():
                    line = line.strip()
                    if line and not line.startswith(("#", "import ")) and os.path.isdir(line):
                        roots.add(line)
        except (OSError, ValueError, SyntaxError):
            continue
    return roots


def secret_paths(site_dir=None):
    """The paths whose contents a student must never learn: each kit checkout's ``solutions/`` and
    ``grader/catalogues/`` (this one, and any an editable install in numpy's site-packages points to), and the
    reference cache."""
    from ..core import paths
    roots = {str(paths.ROOT)} | _editable_roots(site_dir or SITE_DIR)
    found = []
    for root in sorted(roots):
        found += [Path(root) / "solutions", Path(root) / "grader" / "catalogues"]
    found.append(paths.reference_cache_folder())
    return found


def kit_exposure(uid, gid):
    """'' if ``uid``/``gid`` can reach none of the secret paths; else which one it can reach."""
    from . import access
    for path in secret_paths():
        try:
            if access.exposed(path, uid, gid):
                return MESSAGES["kit_exposed"].format(uid=uid, path=path)
        except OSError:
            continue
    return ""


def separate_uid():
    """(uid, gid) from ``$NNKIT_SANDBOX_UID`` (``uid[:gid]``), the one uid every worker then drops to, or None when it
    is not set. Raises uids.Unavailable, saying why, when it is not two numbers above 0."""
    from . import uids
    value = os.environ.get(UID_VARIABLE, "").strip()
    if not value:
        return None
    uid, _, gid = value.partition(":")
    gid = gid or uid
    if not (uid.isdigit() and gid.isdigit() and 0 < int(uid) < 2 ** 32 - 1 and 0 < int(gid) < 2 ** 32 - 1):
        raise uids.Unavailable(MESSAGES["bad_uid"].format(variable=UID_VARIABLE, value=value))
    return int(uid), int(gid)


# -- bubblewrap -----------------------------------------------------------------------------------------------------
def _elf_interpreter(path):
    """The program interpreter (the dynamic loader) an ELF executable names, or None."""
    try:
        with open(path, "rb") as handle:
            header = handle.read(64)
            if header[:4] != b"\x7fELF":
                return None
            wide, order = header[4] == 2, "<" if header[5] == 1 else ">"
            if wide:
                phoff, = struct.unpack_from(order + "Q", header, 32)
                phentsize, phnum = struct.unpack_from(order + "HH", header, 54)
            else:
                phoff, = struct.unpack_from(order + "I", header, 28)
                phentsize, phnum = struct.unpack_from(order + "HH", header, 42)
            for index in range(phnum):
                handle.seek(phoff + index * phentsize)
                entry = handle.read(phentsize)
                if struct.unpack_from(order + "I", entry, 0)[0] != 3:  # PT_INTERP
                    continue
                if wide:
                    offset, = struct.unpack_from(order + "Q", entry, 8)
                    size, = struct.unpack_from(order + "Q", entry, 32)
                else:
                    offset, = struct.unpack_from(order + "I", entry, 4)
                    size, = struct.unpack_from(order + "I", entry, 16)
                handle.seek(offset)
                return handle.read(size).rstrip(b"\0").decode()
    except (OSError, struct.error, UnicodeDecodeError):
        return None
    return None


def _under(path, folder):
    path, folder = str(path), str(folder)
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _mapped_libraries():
    """The shared objects this process has mapped (with ctypes and libseccomp loaded, as the worker has them)."""
    try:
        import ctypes  # noqa: F401
        from . import syscalls
        syscalls.library()
    except (ImportError, OSError):
        pass
    found = set()
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as handle:
            for line in handle:
                parts = line.rstrip("\n").split(None, 5)
                if len(parts) == 6 and parts[5].startswith("/") and ".so" in os.path.basename(parts[5]):
                    if os.path.isfile(parts[5]):
                        found.add(os.path.realpath(parts[5]))
    except OSError:
        pass
    return found


def _hidden_folders():
    """Folders a student must not see even where a bound folder holds them: every site-packages of this
    interpreter, the kit's checkout, and the reference cache."""
    import site
    from ..core import paths
    hidden = {SITE_DIR, str(paths.ROOT), str(paths.reference_cache_folder())}
    try:
        hidden.update(site.getsitepackages())
    except AttributeError:
        pass
    hidden.add(site.getusersitepackages())
    hidden.update(p for p in sys.path if p and any(part in PACKAGE_DIRS for part in Path(p).parts))
    return {os.path.realpath(path) for path in hidden if path}


def _ancestors(folder):
    """``/a``, ``/a/b``, ``/a/b/c`` for ``/a/b/c``."""
    parts = [part for part in folder.split(os.sep) if part]
    return ["/" + "/".join(parts[:end]) for end in range(1, len(parts) + 1)]


def _children(folder, depth):
    """The folders at most ``depth`` levels below ``folder``, never through a link."""
    found, frontier = [], [folder]
    for _ in range(depth):
        below = []
        for parent in frontier:
            try:
                below += [entry.path for entry in os.scandir(parent) if entry.is_dir(follow_symlinks=False)]
            except OSError:
                continue
        found += below
        frontier = below
    return found


class Bwrap:
    """The bubblewrap command line the worker runs under, computed once per grader process."""

    def __init__(self, executable):
        self.executable = executable
        self.python = os.path.realpath(sys.executable)
        numpy_dir = os.path.realpath(os.path.join(SITE_DIR, "numpy"))
        self.numpy = [path for path in (numpy_dir, numpy_dir + ".libs") if os.path.isdir(path)]
        hidden = _hidden_folders()
        folders = set()
        for library in _mapped_libraries():
            if any(_under(library, path) for path in self.numpy):
                continue
            if not any(_under(library, path) for path in hidden):
                folders.add(os.path.dirname(library))
        base = {"base": sys.base_prefix, "platbase": sys.base_exec_prefix, "installed_base": sys.base_prefix,
                "installed_platbase": sys.base_exec_prefix}  # a venv's own lib/ holds nothing but site-packages
        stdlib = {os.path.realpath(sysconfig.get_path(name, vars=base)) for name in ("stdlib", "platstdlib")}
        folders |= {path for path in stdlib if os.path.isdir(path)}
        for zipped in {os.path.join(os.path.dirname(path), f"python{sys.version_info[0]}{sys.version_info[1]}.zip")
                       for path in stdlib}:
            if os.path.isfile(zipped):
                folders.add(zipped)
        for extra in ("/etc/ld.so.cache", "/etc/alternatives", "/usr/lib/locale/C.utf8", "/usr/lib/locale/C.UTF-8"):
            if os.path.exists(extra):
                folders.add(os.path.realpath(extra))
        folders = sorted(folders, key=lambda path: (path.count(os.sep), path))
        self.system = []
        for path in folders:  # the outermost first, and never one inside another twice
            if not any(_under(path, bound) for bound in self.system):
                self.system.append(path)
        self.masks = {path for path in hidden for bound in self.system if _under(path, bound) and os.path.isdir(path)}
        for folder in self.system:  # a site-packages inside a bound folder (a stdlib's, another interpreter's)
            for child in _children(folder, depth=2):
                if os.path.basename(child) in PACKAGE_DIRS:
                    self.masks.add(child)
        self.masks = sorted(self.masks)
        self.files = [self.python]
        self.links = []
        for path in [self.python, _elf_interpreter(self.python) or ""] + [f"/{name}" for name in
                                                                          ("lib", "lib32", "lib64", "libx32", "bin")]:
            if path:
                self._chain(path)

    def _covered(self, path):
        return any(_under(path, bound) for bound in self.system)

    def _chain(self, path):
        """Make ``path`` resolve inside the namespace as it does here: each symbolic link on the way becomes the
        same link, and the file it ends at is bound (unless a bound folder holds it)."""
        current, parts, hops = "", [part for part in path.split(os.sep) if part], 0
        while parts and hops < 40:
            part = parts.pop(0)
            if part in (".", ".."):
                current = os.path.dirname(current) if part == ".." else current
                continue
            candidate = f"{current}/{part}"
            if os.path.islink(candidate):
                hops += 1
                target = os.readlink(candidate)
                if not self._covered(candidate) and (target, candidate) not in self.links:
                    self.links.append((target, candidate))
                base = "" if target.startswith("/") else current
                parts = [p for p in f"{base}/{target}".split(os.sep) if p] + parts
                current = ""
                continue
            current = candidate
        if current and os.path.isfile(current) and not self._covered(current) and current not in self.files:
            self.files.append(current)

    def command(self, workdir, argv, *, root, keep_uid_capabilities):
        """``bwrap ... -- argv`` for a worker whose staged folder is ``workdir``; ``argv`` starts with the
        interpreter, which is replaced by its real path."""
        cmd = [self.executable, "--die-with-parent", "--new-session"]
        if root:  # root makes namespaces without a user namespace, so that the worker can still drop to its uid
            cmd += ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
                    "--cap-drop", "ALL"]
            if keep_uid_capabilities:
                cmd += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_SETPCAP"]
        else:
            cmd += ["--unshare-all"]
        # The folders on the way to each bound path: made searchable by anyone, because bubblewrap would copy the
        # host's modes (/root is 0700), and the worker's own uid must reach the standard library.
        code = [str(SANDBOX_CODE), str(SHIPPED_CODE), str(workdir)]
        targets = self.system + self.files + [link for _, link in self.links] + self.numpy + code
        for folder in sorted({os.path.dirname(path) for path in targets} - {"/"}, key=lambda p: (p.count(os.sep), p)):
            for ancestor in _ancestors(folder):
                if not self._covered(ancestor) and ancestor not in cmd:
                    cmd += ["--perms", "0755", "--dir", ancestor]
        for path in self.system:
            cmd += ["--ro-bind", path, path]
        for path in self.files:
            if not self._covered(path):
                cmd += ["--ro-bind", path, path]
        for target, link in self.links:
            cmd += ["--symlink", target, link]
        for path in self.masks:  # an empty folder over each site-packages, the kit and the cache that are in view
            cmd += ["--tmpfs", path]
        for path in self.numpy + code:
            cmd += ["--ro-bind", path, path]
        for path in self.masks:
            cmd += ["--remount-ro", path]
        # /proc read-only too: a worker still uid 0 (as root, where the uid layer did not take hold) could otherwise
        # write sysctls and /proc/sysrq-trigger, which check the uid, not capabilities.
        cmd += ["--proc", "/proc", "--remount-ro", "/proc", "--dev", "/dev", "--remount-ro", "/",
                "--chdir", str(workdir), "--"]
        return cmd + [self.python] + list(argv[1:])


@lru_cache(maxsize=None)
def _bwrap_probe(root):
    """(Bwrap, '') when bubblewrap can make namespaces here, else (None, why not). Run once per grader process."""
    executable = shutil.which("bwrap", path=os.environ.get("PATH", "") + os.pathsep + "/usr/bin:/bin")
    if not executable:
        return None, MESSAGES["no_bwrap"]
    flags = ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts"] if root else ["--unshare-all"]
    true = shutil.which("true", path="/usr/bin:/bin") or "/bin/true"
    try:
        done = subprocess.run([executable, *flags, "--die-with-parent", "--ro-bind", "/", "/", "--proc", "/proc",
                               "--dev", "/dev", true], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, timeout=30, env={"PATH": "/usr/bin:/bin"})
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, MESSAGES["bwrap_failed"].format(detail=f"{type(exc).__name__}: {exc}")
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", errors="replace").strip().splitlines()
        return None, MESSAGES["bwrap_failed"].format(detail=(detail[-1] if detail else f"exit {done.returncode}"))
    return Bwrap(executable), ""


def namespaces():
    """{'mnt': 'mnt:[...]', 'pid': ..., 'net': ...}: this process's namespaces, for the worker to compare."""
    found = {}
    for kind in ("mnt", "pid", "net"):
        try:
            found[kind] = os.readlink(f"/proc/self/ns/{kind}")
        except OSError:
            pass
    return found


def plan(layers, lease=None):
    """How to start a worker asked for ``layers``: {'bwrap': Bwrap or None, 'namespaces_off': why not,
    'uid': (uid, gid) or None, 'uid_off': why not}. ``lease`` is called for the worker's own (uid, gid) when the
    grader runs as root and ``$NNKIT_SANDBOX_UID`` does not set one; it raises uids.Unavailable if there is none."""
    from . import uids
    root = hasattr(os, "geteuid") and os.geteuid() == 0
    result = {"bwrap": None, "namespaces_off": "", "uid": None, "uid_off": ""}
    if "uid" in layers and root:
        try:
            result["uid"] = separate_uid() or (lease() if lease is not None else None)
        except uids.Unavailable as exc:
            result["uid_off"] = str(exc)
        if result["uid"] is None and not result["uid_off"]:
            result["uid_off"] = MESSAGES["no_lease"]
    if "mount-namespace" in layers:
        if not sys.platform.startswith("linux"):
            result["namespaces_off"] = "namespaces need Linux"
        else:
            result["bwrap"], result["namespaces_off"] = _bwrap_probe(root)
    return result

"""The uid and gid a worker drops to when the grader runs as root: one that nothing else on the host uses.

A shared uid is a shared identity: every process of it may signal, re-schedule and read ``/proc`` of every other.
So each sandbox leases a uid of its own (gid the same number), for all of its workers, until it is closed; two
workers of one ``grade-all`` run, and two grading runs on one host, never share one. A uid is leased only if

- it is in ``RANGE``, a block that systemd's table of uid ranges leaves unused (above the container ranges, below
  2**31; https://systemd.io/UIDS-GIDS/), and no range of ``/etc/subuid`` or ``/etc/subgid`` (where rootless
  containers take their uids) holds it;
- the user and group databases (``/etc/passwd``, ``/etc/group`` and any other NSS source) have no entry with it;
- no process runs with it as any of its uids or gids (``/proc/*/status``);
- this process holds the lock on it: an exclusive ``flock`` on ``LOCKS/<uid>``, in a folder of root's alone, taken
  without waiting and held until the lease ends. The kernel drops a lock when its process dies, so a grader that
  crashed leaves no uid taken.

The search starts at a random place in the range, so concurrent graders rarely try the same uids first.
``$NNKIT_SANDBOX_UID`` (``uid[:gid]``) overrides all this with one uid for every worker (``confinement.py``).
"""
import fcntl
import grp
import os
import pwd
import secrets
import stat

RANGE = range(0x70000000, 0x71000000)  # 1879048192 to 1895825407
LOCKS = ("/run/nnkit-sandbox-uids", "/tmp/nnkit-sandbox-uids-0")  # the first that is root's alone, or can be made
TRIES = 256

MESSAGES = {
    "no_locks": "no folder of root's alone for the uid locks ({detail})",
    "no_lock": "cannot open the uid lock {path} ({detail})",
    "none_free": "no free uid among {tries} tried in {first}-{last}",
}


class Unavailable(Exception):
    """No uid could be leased: the worker keeps its own (the uid layer is off, and says why)."""


class Lease:
    """A uid and gid held by this process until ``release``: its lock file is open and locked."""

    def __init__(self, uid, fd, path):
        self.uid = self.gid = uid
        self._fd, self._path, self._owner = fd, path, os.getpid()

    def release(self):
        """End the lease. In a child forked while it was held, only close the child's copy: the lock belongs to
        the process that took it, and stays until that process releases it too."""
        if self._fd is None:
            return
        if os.getpid() == self._owner:
            try:
                os.unlink(self._path)  # while still locked: whoever opens the name next makes a new file
            except OSError:
                pass
        os.close(self._fd)
        self._fd = None


def _subordinate_ranges():
    """[(first, count)] of every range /etc/subuid and /etc/subgid give out."""
    found = []
    for name in ("/etc/subuid", "/etc/subgid"):
        try:
            with open(name, encoding="utf-8", errors="replace") as handle:
                for line in handle:
                    parts = line.strip().split(":")
                    if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
                        found.append((int(parts[1]), int(parts[2])))
        except OSError:
            continue
    return found


def ids_in_use():
    """Every uid and gid a process runs with now, as far as this process can see (its pid namespace)."""
    used = set()
    try:
        entries = os.listdir("/proc")
    except OSError:
        return used
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status", encoding="ascii", errors="replace") as handle:
                for line in handle:
                    if line.startswith(("Uid:", "Gid:")):
                        used.update(int(value) for value in line.split()[1:])
        except (OSError, ValueError):
            continue
    return used


def listed(uid):
    """Whether the user or group database has an entry with this number."""
    for lookup in (pwd.getpwuid, grp.getgrgid):
        try:
            lookup(uid)
            return True
        except KeyError:
            continue
        except OverflowError:
            return True
    return False


def _lock_folder():
    """The first folder of LOCKS that is a real folder owned by root and writable by root alone, made if missing."""
    problems = []
    for folder in LOCKS:
        try:
            os.mkdir(folder, 0o700)
        except FileExistsError:
            pass
        except OSError as exc:
            problems.append(f"{folder}: {exc.strerror}")
            continue
        try:
            info = os.lstat(folder)
        except OSError as exc:
            problems.append(f"{folder}: {exc.strerror}")
            continue
        if stat.S_ISDIR(info.st_mode) and info.st_uid == 0 and not info.st_mode & 0o022:
            return folder
        problems.append(f"{folder} is not root's alone")
    raise Unavailable(MESSAGES["no_locks"].format(detail="; ".join(problems)))


def _lock(folder, uid):
    """The lock file of ``uid``, open and locked, or None if another process holds it."""
    path = os.path.join(folder, str(uid))
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        raise Unavailable(MESSAGES["no_lock"].format(path=path, detail=exc.strerror)) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        if os.fstat(fd).st_ino != os.stat(path, follow_symlinks=False).st_ino:
            raise BlockingIOError  # its holder released it and removed the name between our open and our lock
    except OSError:
        os.close(fd)
        return None
    return Lease(uid, fd, path)


def lease():
    """A Lease on a uid nothing else uses (the module's docstring). Raises Unavailable if there is none.

    The running processes are read once, after the first lock is taken: a worker of another grader that started
    before that lock was taken is seen, and one that starts after it holds a lock on its own uid."""
    folder = _lock_folder()
    subordinate = _subordinate_ranges()
    used = None
    start = secrets.randbelow(len(RANGE))
    for step in range(TRIES):
        uid = RANGE[(start + step) % len(RANGE)]
        if (used is not None and uid in used) or listed(uid) or any(
                first <= uid < first + count for first, count in subordinate):
            continue
        held = _lock(folder, uid)
        if held is None:
            continue
        if used is None:
            used = ids_in_use()
        if uid in used:  # a process runs as it: a worker of a grader that has just died, or other software
            held.release()
            continue
        return held
    raise Unavailable(MESSAGES["none_free"].format(tries=TRIES, first=RANGE[0], last=RANGE[-1]))

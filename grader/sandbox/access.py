"""What another, unprivileged user could read: the permission bits along a path, as the kernel checks them.

The grader uses it to decide whether the separate uid the worker drops to can read the kit (then that layer does not
hold the read-the-kit property), and the worker uses it, before it drops, to check that the uid can still read what
it must: the standard library, numpy and the staged folder. POSIX ACLs are not evaluated: a path that has one is
taken to be readable, the side that never overstates the confinement.
"""
import os

ACL_ATTRIBUTE = "system.posix_acl_access"
READ, WRITE, SEARCH = 4, 2, 1


def _has_acl(path):
    try:
        return ACL_ATTRIBUTE in os.listxattr(path, follow_symlinks=False)
    except (OSError, AttributeError):  # no extended attributes here, or no os.listxattr (not Linux)
        return False


def permits(path, uid, gid, want):
    """Whether ``uid``/``gid`` (with no other groups and no capabilities) has the ``want`` bits on ``path``."""
    st = os.stat(path)
    if _has_acl(path):
        return True
    if st.st_uid == uid:
        bits = st.st_mode >> 6
    elif st.st_gid == gid:
        bits = st.st_mode >> 3
    else:
        bits = st.st_mode
    return bits & want == want


def blocker(path, uid, gid):
    """The first folder on the way to ``path`` that ``uid`` cannot search, or '' if it can reach ``path``."""
    real = os.path.realpath(path)
    parts = real.split(os.sep)
    for end in range(1, len(parts)):
        folder = os.sep.join(parts[:end]) or os.sep
        if not permits(folder, uid, gid, SEARCH):
            return folder
    return ""


def can_read(path, uid, gid):
    """Whether ``uid`` can read the file ``path``, or list and enter the folder ``path``."""
    if blocker(path, uid, gid):
        return False
    want = READ | SEARCH if os.path.isdir(path) else READ
    return permits(path, uid, gid, want)


def exposed(path, uid, gid):
    """Whether ``uid`` can learn anything of ``path``: whether it exists, its size and its times (``stat``), or more.

    Reaching a path is enough to ``stat`` it, whatever its own mode: a 0700 folder in a folder the uid can search
    still shows its existence, size and modification time. So ``path`` is exposed when every folder on the way to
    it can be searched. A path that does not exist yet is exposed when its nearest existing folder can be searched,
    so that whatever is made there later (a reference cache made while grading, say) could be ``stat``'ed."""
    path = os.path.abspath(path)
    while not os.path.lexists(path):
        parent = os.path.dirname(path)
        if parent == path:
            return False
        path = parent
        if os.path.lexists(path):
            return not blocker(path, uid, gid) and permits(path, uid, gid, SEARCH)
    return not blocker(path, uid, gid)

"""Run a command, or the grader, on a host that refuses what a kernel or container can refuse the sandbox.

    python tests/hostile_host.py [--no-landlock] [--no-namespaces] [--layers L1,L2] -- COMMAND [ARG...]
    python tests/hostile_host.py [...] --grader -- GRADER-ARGS...   (``python -m grader GRADER-ARGS``, in this process)

It installs a seccomp filter (with libseccomp, like the worker's) that every process it starts inherits:

- ``--no-landlock``: ``landlock_*`` fail with ENOSYS, as on a kernel without Landlock or in a container whose profile
  does not know the calls;
- ``--no-namespaces``: ``unshare``, ``setns``, ``mount``, ``pivot_root`` and a ``clone`` with any ``CLONE_NEW*``
  flag fail with EPERM and ``clone3`` with ENOSYS, as Docker's default profile makes them for a process without
  CAP_SYS_ADMIN (Gradescope's grader runs as root in such a container): bubblewrap cannot start there.

``--layers`` (with ``--grader``) sets ``runner.LAYERS``, the layers the worker is asked for, as tests do in-process.
"""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.append(ROOT)  # after PYTHONPATH: a test may run another copy of the kit

from grader.sandbox import syscalls  # noqa: E402

CLONE_NEW = (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000, 0x00000080)


def refuse(no_landlock, no_namespaces):
    rules = syscalls.Filter(syscalls.ALLOW)
    enosys, eperm = syscalls.errno_action(syscalls.ENOSYS), syscalls.errno_action(syscalls.EPERM)
    if no_landlock:
        for name in ("landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self"):
            rules.add(enosys, name)
    if no_namespaces:
        for name in ("unshare", "setns", "mount", "umount2", "pivot_root", "fsopen", "fsmount", "open_tree",
                     "move_mount"):
            rules.add(eperm, name)
        for flag in CLONE_NEW:
            rules.add(eperm, "clone", (0, syscalls.CMP_MASKED_EQ, flag, flag))
        rules.add(enosys, "clone3")
    rules.load()


def main(argv):
    no_landlock = "--no-landlock" in argv[:argv.index("--")]
    no_namespaces = "--no-namespaces" in argv[:argv.index("--")]
    grader = "--grader" in argv[:argv.index("--")]
    layers = None
    head = argv[:argv.index("--")]
    if "--layers" in head:
        layers = tuple(filter(None, head[head.index("--layers") + 1].split(",")))
    command = argv[argv.index("--") + 1:]
    refuse(no_landlock, no_namespaces)
    if not grader:
        os.execvp(command[0], command)
    from grader.adapters import cli
    from grader.sandbox import runner
    if layers is not None:
        runner.LAYERS = layers
    return cli.main(command)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Sandbox workers started ahead: the next submission's worker boots while this one's code runs.

A worker's start (a Python process that imports numpy and confines itself: namespaces, its own uid, Landlock,
seccomp) takes 0.1 s on a quiet machine and several times that under load. A process that grades one submission
after another (a ``grade-all`` pool process, the autograde helper) calls ``keep()``: each time a sandbox's first
worker is ready, one more sandbox is made ahead, with an empty folder, a uid leased for it, and its worker launched
but not yet waited for. The next ``runner.Sandbox`` of the same process and settings takes that sandbox over whole
(folder, uid lease, token and worker), stages the submission's files into its folder, and only then waits for the
worker's ready message and checks its confinement, exactly as for a worker started there and then.

A spare is never shared: it serves the one sandbox that takes it, and no code of any student has run in it before.
The staged folder is bound into the worker's namespace (not copied), and Landlock's rule covers what is written
beneath it later, so the files staged after the launch are what the worker sees. A spare whose process is gone,
or that was made for other settings (memory limit, layers, numerical variables) or by another process (a fork), is
closed and not used. ``discard`` ends the spare (its worker killed, its uid released, its folder removed); it runs
when the process exits normally, and ``runner.close_all`` (what the signal handlers call) closes it too.
"""
import atexit
import os

_state = {"keep": False, "spare": None}  # spare: (key, pid that made it, the runner.Sandbox)


def keep(on=True):
    """Start each next sandbox's worker ahead from now on (``on``), or stop and end the spare."""
    _state["keep"] = bool(on)
    if not on:
        discard()


def keeping():
    return _state["keep"]


def put(key, sandbox):
    """Hold ``sandbox`` (made with settings ``key``, its worker launched) for the next sandbox with that key."""
    discard()
    _state["spare"] = (key, os.getpid(), sandbox)


def take(key):
    """The spare made by this process for settings ``key`` whose worker is still running, or None. A spare that
    does not fit is ended."""
    spare, _state["spare"] = _state["spare"], None
    if spare is None:
        return None
    made_for, pid, sandbox = spare
    if pid != os.getpid():  # a forked child: the spare is its parent's, which still holds it
        return None
    if made_for != key or not sandbox.launched_alive():
        sandbox.close()
        return None
    return sandbox


def discard():
    """End the spare, if this process made one."""
    spare, _state["spare"] = _state["spare"], None
    if spare is not None and spare[1] == os.getpid():
        spare[2].close()


atexit.register(discard)

"""Confinement that fails closed, on properties: each defence against the real hostile input, with its control.

The hostile input of the issue is a class of untouched stubs whose modules, when imported, follow ``np.__file__`` to
site-packages, install the editable-install finder they find there, import the kit's ``grader`` package and run the
reference solutions in place of their own (``STEAL``; it also tries the kit's folder by absolute path, which a
student knows on Gradescope). Where the kit is readable that is 20/20. ``tests/hostile_host.py`` makes this machine
as hostile as it can: a seccomp filter that refuses Landlock (ENOSYS), and one that refuses namespaces as Docker's
default profile does, so that bubblewrap cannot start.
"""
import json
import os
import pwd
import re
import secrets
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import textwrap
import zipfile
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT, cli_env, make_submission
from grader import catalogues
from grader.adapters import cli
from grader.adapters.nbgrader.autograde import GradeWithKit, WAIVE_OPTION
from grader.core import paths
from grader.sandbox import access, confinement, runner, syscalls, uids
from grader.sandbox.runner import Sandbox

A1 = "a1_neuron_gd"
MAX = catalogues.load(A1).max_score
HOSTILE = Path(__file__).with_name("hostile_host.py")
DOCKER = ("--no-landlock", "--no-namespaces")  # what a Docker container without CAP_SYS_ADMIN may refuse
NOT_ROOT = "parent-death,capabilities,landlock,seccomp"  # the layers a grader that is not root asks for, without bwrap
ROOT_WITHOUT_UID = "mount-namespace,pid-namespace,network-namespace,parent-death,capabilities,landlock,seccomp"
NOT_ROOT_WITH_BWRAP = ROOT_WITHOUT_UID  # a grader that is not root asks for the same layers

STEAL = '''

def _steal(known={known!r}):
    """np.__file__ -> site-packages -> the editable finder -> the kit -> the reference solution, run as our own."""
    import importlib, os, sys
    roots = []
    try:
        site = os.path.dirname(os.path.dirname(np.__file__))
        sys.path.append(site)
        for entry in os.listdir(site):
            if entry.startswith("__editable__") and entry.endswith("_finder.py"):
                importlib.import_module(entry[:-3]).install()
        import grader.core.paths
        roots.append(str(grader.core.paths.ROOT))
    except BaseException:
        pass
    for root in roots + list(known):
        path = os.path.join(root, "solutions", "a1_neuron_gd", os.path.basename(__file__))
        try:
            with open(path) as handle:
                source = handle.read()
        except BaseException:
            continue
        exec(compile(source, path, "exec"), globals())
        return


_steal()
'''


STAT = '''

def _stat(path):
    import os
    try:
        info = os.stat(path)
        return f"{{info.st_size}}:{{info.st_mtime_ns}}"
    except OSError as exc:
        return type(exc).__name__


raise RuntimeError("stat " + " ".join(_stat(path) for path in {targets!r}) + " end")
'''


def stat_probe(folder, targets):
    """The A1 solution whose neuron.py, when imported, stats each of ``targets`` and raises what it learnt, so that
    the feedback of every part that imports it carries it."""
    folder = make_submission(folder, A1)
    path = folder / "neuron.py"
    path.write_text(path.read_text(encoding="utf-8") + STAT.format(targets=[str(t) for t in targets]),
                    encoding="utf-8")
    return folder


def learnt(document):
    """What the stat probe raised: for each target, 'size:modification time', or the name of the error."""
    found = re.search(r"stat (.*?) end", json.dumps(document))
    assert found, document
    return found.group(1).split()


def truth(path):
    info = os.stat(path)
    return f"{info.st_size}:{info.st_mtime_ns}"


def stealing_stubs(folder, known=()):
    """The untouched stubs of A1, each module ending with STEAL."""
    folder = make_submission(folder, A1, stub=True)
    for module in catalogues.load(A1).modules:
        path = folder / f"{module}.py"
        path.write_text(path.read_text(encoding="utf-8") + STEAL.format(known=[str(k) for k in known]),
                        encoding="utf-8")
    return folder


def hostile(*flags, command, layers=None, python=sys.executable, env=None, grader=True, timeout=300):
    """Run ``command`` (grader arguments, or a program with grader=False) under hostile_host.py."""
    argv = [python, str(HOSTILE), *flags]
    if layers is not None:
        argv += ["--layers", layers]
    argv += (["--grader"] if grader else []) + ["--", *command]
    return subprocess.run(argv, cwd=ROOT, env=env or cli_env(), capture_output=True, text=True, timeout=timeout)


def grade_command(folder, out, *extra):
    return ["grade", "--assignment", A1, "--out", str(out), *extra, str(folder)]


def read(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def layers():
    return runner.probe_layers()


def needs(layers, *names):
    off = {name: layers.get(name, "not asked for") for name in names if not layers.get(name, "").startswith("on")}
    if off:
        pytest.skip(f"confinement not available here: {off}")


def only(monkeypatch, *names):
    monkeypatch.setattr(runner, "LAYERS", names)


def own_uid(status):
    """The uid a worker's 'uid' layer reports (checked to be its gid too)."""
    found = re.fullmatch(r"on \(uid (\d+), gid (\d+), no processes\)", status)
    assert found and found.group(1) == found.group(2), status
    return int(found.group(1))


def one_line(text):
    lines = [line for line in text.strip().splitlines() if line.strip()]
    assert len(lines) == 1, text
    return lines[0]


# -- the properties and the policy ----------------------------------------------------------------------------------
ALL_ON = {"mount-namespace": "on", "pid-namespace": "on", "network-namespace": "on",
          "uid": "on (uid 1879048200, gid 1879048200, no processes)", "parent-death": "on", "capabilities": "on",
          "landlock": "on (ABI 7)", "seccomp": "on"}
OFF = "off: not available (Function not implemented)"


def test_each_property_is_held_only_by_layers_that_hold_it():
    assert confinement.holders(ALL_ON, kit_exposed="") == {
        "read-the-kit": ["mount-namespace", "uid"], "write": ["mount-namespace", "seccomp"],
        "processes": ["seccomp", "uid"], "signals": ["seccomp", "landlock", "pid-namespace"],
        "network": ["seccomp", "network-namespace"]}
    gradescope = dict(ALL_ON, landlock=OFF, **{name: "off: bwrap cannot make namespaces here"
                                               for name in confinement.NAMESPACE_LAYERS})
    assert confinement.holders(gradescope, kit_exposed="") == {
        "read-the-kit": ["uid"], "write": ["seccomp"], "processes": ["seccomp", "uid"], "signals": ["seccomp"],
        "network": ["seccomp"]}
    assert confinement.holders(gradescope, kit_exposed="uid 1879048200 can reach /kit/solutions")["read-the-kit"] == []
    landlock_only = {"landlock": "on (ABI 5), without signal scoping", "seccomp": "off: libseccomp is missing"}
    assert confinement.holders(landlock_only, kit_exposed="") == {  # Landlock does not stop stat
        "read-the-kit": [], "write": [], "processes": [], "signals": [], "network": []}
    assert confinement.holders({"uid": "on (uid 5, gid 5)"}, kit_exposed="")["processes"] == []


def test_a_refusal_is_one_line_that_names_the_property_and_the_option(recwarn):
    layers = dict(ALL_ON, landlock=OFF, uid="off: the grader does not run as root",
                  **{name: "off: bubblewrap (bwrap) is not installed" for name in confinement.NAMESPACE_LAYERS})
    with pytest.raises(confinement.Refused) as refused:
        confinement.Policy(()).check(layers)
    line = one_line(str(refused.value))
    assert "no confinement layer holds read-the-kit" in line and "write" not in line.split("(")[0]
    assert "--allow-weak-sandbox read-the-kit (or NNKIT_SANDBOX_WAIVE=read-the-kit)" in line
    assert "landlock off: not available" in line and "bwrap) is not installed" in line
    bridge = confinement.Policy((), option=WAIVE_OPTION)
    with pytest.raises(confinement.Refused, match=r"c\.GradeWithKit\.waive = \['read-the-kit'\]"):
        bridge.check(layers)
    record = confinement.Policy("read-the-kit").check(layers)
    assert record["waived"] == ["read-the-kit"] and record["weak"] == ["read-the-kit"]
    assert record["properties"]["read-the-kit"] == [] and record["layers"] == dict(sorted(layers.items()))
    assert [str(w.message) for w in recwarn if w.category is RuntimeWarning and "waived" in str(w.message)]


def test_waivers_are_properties_or_all(monkeypatch, capsys):
    assert confinement.waivers("read-the-kit, network") == {"read-the-kit", "network"}
    assert confinement.waivers(["all"]) == set(confinement.PROPERTIES)
    monkeypatch.setenv(confinement.VARIABLE, "signals")
    assert confinement.waivers() == {"signals"} and confinement.waivers("") == set()
    with pytest.raises(confinement.BadWaiver, match="unknown sandbox property 'landlock'"):
        confinement.waivers("landlock")
    assert cli.main(["grade", "--assignment", A1, "--allow-weak-sandbox", "landlock", str(paths.SOLUTIONS / A1)]) == 2
    assert "unknown sandbox property 'landlock'" in one_line(capsys.readouterr().err)


# -- the kit, as the separate uid sees it ---------------------------------------------------------------------------
def test_the_uid_layer_holds_read_the_kit_only_where_that_uid_cannot_even_stat_the_kit(tmp_path):
    """A path is exposed to a uid that can search every folder on the way to it: it can stat it, whatever the
    path's own mode. Only a folder on the way that the uid cannot search hides it."""
    nobody = (2_000_000_000, 2_000_000_000)  # no file here belongs to it, nor to its group
    public = Path(tempfile.mkdtemp(prefix="nnkit-public-", dir="/tmp"))
    try:
        public.chmod(0o755)
        (public / "solutions").mkdir()
        (public / "solutions" / "neuron.py").write_text("secret")
        assert access.exposed(public / "solutions", *nobody)  # the control: a world-readable checkout
        (public / "solutions").chmod(0o711)
        assert access.exposed(public / "solutions", *nobody)  # searchable: known names can be opened and stat'ed
        (public / "solutions").chmod(0o700)
        assert access.exposed(public / "solutions", *nobody)  # its existence, size and times still show
        assert not access.exposed(public / "solutions" / "neuron.py", *nobody)
        assert access.exposed(public / "cache" / "references", *nobody)  # made later, in a searchable folder
        public.chmod(0o700)
        assert not access.exposed(public / "solutions", *nobody) and access.exposed(public, *nobody)
        assert not access.exposed(public / "cache" / "references", *nobody)
    finally:
        shutil.rmtree(public)
    private = tmp_path / "kit" / "solutions"
    private.mkdir(parents=True)
    (private / "neuron.py").write_text("secret")
    private.chmod(0o755)
    wall = access.blocker(private, *nobody)  # pytest's own folder is 0700: nothing under it is reachable
    assert wall and stat.S_IMODE(os.stat(wall).st_mode) & 0o001 == 0
    assert not access.exposed(private, *nobody) and not access.can_read(private / "neuron.py", *nobody)


def test_a_kit_an_editable_install_points_to_is_part_of_the_kit(tmp_path):
    """The finder in numpy's site-packages names a checkout (here /work/main, while the worktree grades): its
    solutions are as secret as this kit's."""
    site = tmp_path / "site-packages"
    site.mkdir()
    other = tmp_path / "other-checkout"
    (site / "__editable___nnkit_0_1_0_finder.py").write_text(
        f"MAPPING: dict[str, str] = {{'grader': '{other / 'grader'}'}}\n")
    (site / "plain.pth").write_text(f"import os\n{tmp_path}\n")
    secrets = confinement.secret_paths(str(site))
    assert other / "solutions" in secrets and other / "grader" / "catalogues" in secrets
    assert paths.SOLUTIONS in secrets and tmp_path / "solutions" in secrets
    from grader.grading import reference_cache
    assert reference_cache.folder() in secrets


# -- seccomp, from libseccomp, for each architecture ----------------------------------------------------------------
@pytest.mark.parametrize("arch, numbers", [
    ("x86_64", {"socket": 41, "execve": 59, "clone": 56, "openat": 257, "kill": 62, "fork": 57}),
    ("aarch64", {"socket": 198, "execve": 221, "clone": 220, "openat": 56, "kill": 129}),
])
def test_the_system_call_filter_is_built_for_each_architecture(arch, numbers):
    """libseccomp knows each table: the same rules come out with each architecture's numbers, and calls that
    architecture lacks (fork, open, rename on aarch64) are left out rather than misnumbered."""
    rules = syscalls.worker_filter(4242, arch)
    try:
        text = rules.pfc()
    finally:
        rules.release()
    assert f"# filter for arch {arch} " in text and "action KILL_PROCESS;" in text
    for name, number in numbers.items():
        assert f'# filter for syscall "{name}" ({number})' in text, name
    clone = text.split('"clone"', 1)[1].split("# filter for", 1)[0]
    assert "& 0x00010000 == 0" in clone  # refused unless CLONE_THREAD: threads stay possible
    kill = text.split('"kill"', 1)[1].split("# filter for", 1)[0]
    assert "== 4242" in kill  # only to itself
    openat = text.split('"openat"', 1)[1].split("# filter for", 1)[0]
    assert openat.count("action ERRNO(13);") == len(syscalls.open_write_flags())
    if arch == "aarch64":
        assert set(rules.skipped) >= {"fork", "vfork", "open", "rename", "unlink", "mkdir"}
        assert '"fork"' not in text


def test_a_call_of_another_abi_kills_the_worker(tmp_path, layers, monkeypatch):
    """An x32 system call (number | 0x40000000) from the x86_64 worker: the filter's bad-architecture action kills
    the process. The control: without seccomp the same call just returns."""
    needs(layers, "seccomp")
    if os.uname().machine != "x86_64":
        pytest.skip("x32 is an x86_64 ABI")
    (tmp_path / "abi.py").write_text(textwrap.dedent("""
        import ctypes
        def x32_getpid():
            libc = ctypes.CDLL(None, use_errno=True)
            libc.syscall.restype = ctypes.c_long
            return int(libc.syscall(ctypes.c_long(0x40000000 | 39)))
    """))
    only(monkeypatch, "seccomp")
    with Sandbox({"abi.py": tmp_path / "abi.py"}) as sandbox:
        killed = sandbox.call("abi", "x32_getpid")
    assert killed.error == "WorkerDied" and "SIGSYS" in killed.detail
    only(monkeypatch)
    with Sandbox({"abi.py": tmp_path / "abi.py"}) as sandbox:
        assert sandbox.call("abi", "x32_getpid").ok


# -- bubblewrap's namespaces, each by itself ------------------------------------------------------------------------
PROBE = textwrap.dedent('''
    import os, socket

    def stat(path):
        info = os.stat(path)
        return [info.st_size, info.st_mtime_ns]

    def write(path):
        with open(path, "w") as handle:
            handle.write("x")
        return "written"

    def signal(pid):
        os.kill(pid, 0)
        return "signalled"

    def connect(port):
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return "connected"

    def fork():
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)
        return "forked"
''')


@pytest.fixture
def probe(tmp_path):
    path = tmp_path / "probe.py"
    path.write_text(PROBE, encoding="utf-8")
    return {"probe.py": path}


def test_stat_outside_the_sandbox_leaks_unless_a_mount_namespace_hides_it(probe, layers, monkeypatch):
    """Landlock does not restrict stat: the size and modification time of a solution file leak through it (and with
    no layer at all). In bubblewrap's mount namespace the file does not exist."""
    needs(layers, "mount-namespace", "landlock")
    solution = paths.SOLUTIONS / A1 / "neuron.py"
    truth = [solution.stat().st_size, solution.stat().st_mtime_ns]
    for leaky in (("landlock",), ()):
        only(monkeypatch, *leaky)
        with Sandbox(probe) as sandbox:
            assert sandbox.call("probe", "stat", (str(solution),)).value == truth, leaky
    only(monkeypatch, "mount-namespace")
    with Sandbox(probe) as sandbox:
        hidden = sandbox.call("probe", "stat", (str(solution),))
        assert sandbox.call("probe", "stat", ("probe.py",)).ok  # its own folder is there
    assert hidden.error == "FileNotFoundError"


def test_the_mount_namespace_alone_lets_nothing_be_written(probe, layers, monkeypatch, tmp_path):
    """Every path the worker sees is a read-only bind or bubblewrap's own read-only root, and /proc is read-only
    (the worker is still uid 0 here, and sysctls check the uid, not capabilities). The control: with no layer, the
    file is created on the host (RLIMIT_FSIZE stops only its bytes)."""
    needs(layers, "mount-namespace")
    outside = Path(tempfile.mkdtemp(prefix="nnkit-writable-", dir="/tmp"))
    try:
        outside.chmod(0o777)
        only(monkeypatch, "mount-namespace")
        with Sandbox(probe) as sandbox:
            outcomes = [sandbox.call("probe", "write", (path,)) for path in
                        (str(outside / "new.txt"), "inside.txt", "/new.txt",
                         str(sandbox.workdir.parent / "new.txt"),  # /tmp, or $TMPDIR: made on the way to it
                         "/proc/sys/vm/swappiness")]
            staged = sandbox.workdir
        assert [o.error for o in outcomes] == ["FileNotFoundError"] + ["OSError"] * 4, outcomes
        assert all("Read-only file system" in o.detail for o in outcomes[1:])
        assert not (outside / "new.txt").exists() and not (staged / "inside.txt").exists()
        only(monkeypatch)
        with Sandbox(probe) as sandbox:
            sandbox.call("probe", "write", (str(outside / "new.txt"),))
        assert (outside / "new.txt").exists()
    finally:
        shutil.rmtree(outside)


def test_the_pid_namespace_alone_keeps_signals_in(probe, layers, monkeypatch):
    needs(layers, "pid-namespace")
    only(monkeypatch, "mount-namespace", "pid-namespace")
    with Sandbox(probe) as sandbox:
        assert sandbox.call("probe", "signal", (os.getpid(),)).error == "ProcessLookupError"
    only(monkeypatch)  # the control
    with Sandbox(probe) as sandbox:
        assert sandbox.call("probe", "signal", (os.getpid(),)).value == "signalled"


def test_the_network_namespace_alone_keeps_the_network_out(probe, layers, monkeypatch):
    needs(layers, "network-namespace")
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    port = server.getsockname()[1]
    try:
        only(monkeypatch, "mount-namespace", "network-namespace")
        with Sandbox(probe) as sandbox:
            refused = sandbox.call("probe", "connect", (port,))
        only(monkeypatch)  # the control
        with Sandbox(probe) as sandbox:
            assert sandbox.call("probe", "connect", (port,)).value == "connected"
    finally:
        server.close()
    assert not refused.ok and refused.error in ("OSError", "ConnectionRefusedError", "TimeoutError"), refused


def test_the_separate_uid_alone_starts_no_process(probe, layers, monkeypatch):
    """RLIMIT_NPROC 0 for a uid of its own. (Under bubblewrap here, because this interpreter lives in /root, which
    the uid cannot reach otherwise.) The control: in the same namespace without the uid, fork works."""
    needs(layers, "mount-namespace", "uid")
    only(monkeypatch, "mount-namespace", "uid")
    with Sandbox(probe) as sandbox:
        outcome = sandbox.call("probe", "fork")
        assert sandbox.layers["uid"].startswith("on")
    assert outcome.error == "BlockingIOError"
    only(monkeypatch, "mount-namespace")
    with Sandbox(probe) as sandbox:
        assert sandbox.call("probe", "fork").value == "forked"


def test_every_layer_holds_on_this_machine(layers):
    """As root with bubblewrap installed, all eight layers take hold (Landlock where the kernel has it)."""
    if shutil.which("bwrap") is None or os.geteuid() != 0:
        pytest.skip("needs bubblewrap and root")
    for name in ("mount-namespace", "pid-namespace", "network-namespace", "parent-death", "capabilities", "seccomp"):
        assert layers[name] == "on", (name, layers[name])
    assert own_uid(layers["uid"]) in uids.RANGE


# -- a uid of each sandbox's own --------------------------------------------------------------------------------------
NARROWED = textwrap.dedent("""
    import os, sys
    from grader.sandbox import runner, uids
    first, count, mode = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    uids.RANGE = range(first, first + count)
    if mode == "unchecked":  # the control: no lock, no look at the running processes
        uids._lock = lambda folder, uid: uids.Lease(uid, os.open(os.devnull, os.O_RDONLY), "")
        uids.ids_in_use = set
    if sys.argv[4] == "hold":  # a grading process whose worker runs until a line comes on stdin
        with runner.Sandbox({}) as sandbox:
            sandbox.start()
            print(sandbox.layers["uid"], flush=True)
            sys.stdin.readline()
    else:
        from grader.adapters import cli
        sys.exit(cli.main(sys.argv[4:]))
""")


def free_block(count):
    """The first uid of ``count`` in uids.RANGE that no process uses, no database lists and no lock holds."""
    used = uids.ids_in_use()
    for first in range(uids.RANGE[0] + secrets.randbelow(1 << 20), uids.RANGE[-1], count):
        block = range(first, first + count)
        if not any(uid in used or uids.listed(uid) or os.path.exists(f"{uids.LOCKS[0]}/{uid}") for uid in block):
            return first
    pytest.fail("no free block of uids")


def _concurrent_uids(tmp_path, first, count, mode):
    """The uid of a worker that a grading process holds, and that of the worker of a real `grade` of the A1
    solution run meanwhile, both leasing from ``count`` uids at ``first``."""
    base = [sys.executable, "-c", NARROWED, str(first), str(count), mode]
    holder = subprocess.Popen(base + ["hold"], cwd=ROOT, env=cli_env(), stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        held = own_uid(holder.stdout.readline().strip())
        out = tmp_path / f"{mode}.json"
        done = subprocess.run(base + grade_command(paths.SOLUTIONS / A1, out), cwd=ROOT, env=cli_env(),
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        graded = read(out)
    finally:
        holder.communicate("\n", timeout=60)
    assert graded["score"] == MAX
    return held, graded["extra_data"]["sandbox"]["layers"]["uid"]


def test_two_grading_runs_never_share_a_worker_uid(tmp_path, layers):
    """One grading process holds a running worker while another grades with the real CLI; both lease from a range
    of two uids. They get one each, and neither is 65534 or a user of /etc/passwd. From a range of one, the second
    finds none free and says so (its other layers still hold every property here). The control: without the lock
    and the look at running processes, the two workers share the one uid."""
    needs(layers, "uid")
    first = free_block(2)
    held, graded = _concurrent_uids(tmp_path, first, 2, "checked")
    assert {held, own_uid(graded)} == {first, first + 1}
    for uid in (held, own_uid(graded), own_uid(layers["uid"])):
        assert uid != 65534 and not uids.listed(uid)
        with pytest.raises(KeyError):
            pwd.getpwuid(uid)

    held, graded = _concurrent_uids(tmp_path, first, 1, "checked")
    assert held == first and graded == f"off: no free uid among {uids.TRIES} tried in {first}-{first}"

    held, graded = _concurrent_uids(tmp_path, first, 1, "unchecked")
    assert held == own_uid(graded) == first


def test_a_lease_skips_uids_in_use_listed_or_locked(monkeypatch):
    """Each check by itself, on a range of two uids: a uid that /etc/passwd lists, one a process runs as, one
    another lease holds. A released uid can be leased again, and its lock file is gone."""
    first = free_block(2)
    monkeypatch.setattr(uids, "RANGE", range(65534, 65536))  # 65534 is nobody in /etc/passwd
    assert uids.listed(65534) and not uids.listed(65535)
    lease = uids.lease()
    try:
        assert (lease.uid, lease.gid) == (65535, 65535)
        with pytest.raises(uids.Unavailable, match="no free uid among"):
            uids.lease()  # 65535 is locked, 65534 listed
    finally:
        lease.release()
    assert not os.path.exists(f"{uids.LOCKS[0]}/65535")

    monkeypatch.setattr(uids, "RANGE", range(first, first + 2))
    sleeper = subprocess.Popen(["sleep", "60"], user=first, group=first)
    try:
        for _ in range(3):
            lease = uids.lease()
            assert lease.uid == first + 1, "a uid that a process runs as was leased"
            lease.release()
    finally:
        sleeper.kill()
        sleeper.wait()


# -- the attack of the issue, on a host without Landlock ------------------------------------------------------------
def test_without_landlock_the_mount_namespace_keeps_untouched_stubs_at_zero(tmp_path, layers):
    needs(layers, "mount-namespace")
    folder = stealing_stubs(tmp_path / "stubs", known=[ROOT])
    done = hostile("--no-landlock", command=grade_command(folder, tmp_path / "out.json"))
    assert done.returncode == 0, done.stderr
    document = read(tmp_path / "out.json")
    assert document["score"] == 0
    sandbox = document["extra_data"]["sandbox"]
    assert sandbox["layers"]["landlock"] == OFF and sandbox["layers"]["mount-namespace"] == "on"
    assert "mount-namespace" in sandbox["properties"]["read-the-kit"] and sandbox["waived"] == []


def test_without_landlock_or_namespaces_grading_refuses_and_a_waiver_lets_the_attack_through(tmp_path):
    """A grader that is not root, on a host that refuses Landlock and namespaces: nothing holds read-the-kit, so
    `grade` refuses in one line and writes nothing. The control: waived, the untouched stubs score 20/20."""
    folder = stealing_stubs(tmp_path / "stubs", known=[ROOT])
    out = tmp_path / "out.json"
    refused = hostile(*DOCKER, layers=NOT_ROOT, command=grade_command(folder, out))
    assert refused.returncode == 2
    line = one_line(refused.stderr)
    assert line.startswith("nnkit sandbox: refusing to grade: no confinement layer holds read-the-kit ")
    assert "--allow-weak-sandbox read-the-kit" in line and not out.exists()

    waived = hostile(*DOCKER, layers=NOT_ROOT, command=grade_command(folder, out, "--allow-weak-sandbox",
                                                                     "read-the-kit"))
    assert waived.returncode == 0, waived.stderr
    document = read(out)
    assert document["score"] == MAX  # the attack works when nothing stops it
    assert document["extra_data"]["sandbox"]["waived"] == ["read-the-kit"]
    assert document["extra_data"]["sandbox"]["weak"] == ["read-the-kit"]
    assert "RuntimeWarning: nnkit sandbox: grading with read-the-kit waived" in waived.stderr


def test_without_namespaces_landlock_alone_does_not_hold_read_the_kit(tmp_path, layers):
    """A grader that is not root, on a host that refuses namespaces but has Landlock: Landlock refuses to open the
    kit's files, not to stat them, so nothing holds read-the-kit and grading refuses, in one line that says what
    Landlock leaves open. The control: waived, a submission learns the real size and modification time of a
    solution file, of the solutions folder and of the catalogue, and reads none of them."""
    needs(layers, "landlock")
    catalogue = paths.ROOT / "grader" / "catalogues" / f"{A1}.py"
    targets = [paths.SOLUTIONS / A1 / "neuron.py", paths.SOLUTIONS, catalogue]
    folder = stat_probe(tmp_path / "probe", targets)
    out = tmp_path / "out.json"
    refused = hostile("--no-namespaces", layers=NOT_ROOT_WITH_BWRAP, command=grade_command(folder, out))
    assert refused.returncode == 2 and not out.exists()
    line = one_line(refused.stderr)
    assert line.startswith("nnkit sandbox: refusing to grade: no confinement layer holds read-the-kit ")
    assert "mount-namespace off: bwrap cannot make namespaces here" in line
    assert "nothing stops the student's code from learning that the kit's files exist, their sizes and their " \
           "modification times (" in line
    assert "landlock on, but it refuses to open or list the kit's files, not to stat them" in line

    waived = hostile("--no-namespaces", layers=NOT_ROOT_WITH_BWRAP,
                     command=grade_command(folder, out, "--allow-weak-sandbox", "read-the-kit"))
    assert waived.returncode == 0, waived.stderr
    document = read(out)
    assert learnt(document) == [truth(target) for target in targets]
    assert document["extra_data"]["sandbox"]["layers"]["landlock"].startswith("on")
    assert document["extra_data"]["sandbox"]["weak"] == ["read-the-kit"]
    only_open = stealing_stubs(tmp_path / "stubs", known=[ROOT])  # Landlock still refuses to open them
    hostile("--no-namespaces", layers=NOT_ROOT_WITH_BWRAP,
            command=grade_command(only_open, out, "--allow-weak-sandbox", "read-the-kit"))
    assert read(out)["score"] == 0


def test_grade_all_refuses_before_anyone_is_graded(tmp_path):
    submitted = tmp_path / "submitted"
    for student in ("alice", "bob"):
        stealing_stubs(submitted / student / A1, known=[ROOT])
    csv, results_dir = tmp_path / "grades.csv", tmp_path / "graded"
    command = ["grade-all", "--assignment", A1, "--jobs", "1", "--csv", str(csv), "--results-dir", str(results_dir),
               str(submitted)]
    refused = hostile(*DOCKER, layers=NOT_ROOT, command=command)
    assert refused.returncode == 2
    assert "no confinement layer holds read-the-kit" in one_line(refused.stderr)
    assert not csv.exists() and not list(results_dir.glob("*.json"))
    waived = hostile(*DOCKER, layers=NOT_ROOT, command=command + ["--allow-weak-sandbox", "read-the-kit"])
    assert waived.returncode == 0, waived.stderr
    for student in ("alice", "bob"):
        document = read(results_dir / f"{student}.json")
        assert document["score"] == MAX and document["extra_data"]["sandbox"]["waived"] == ["read-the-kit"]


def test_the_nbgrader_autograde_refuses_naming_its_own_option(monkeypatch):
    from grader.adapters.nbgrader import autograde
    monkeypatch.setattr(autograde, "_CONFINEMENT_CHECKED", set())
    only(monkeypatch, "parent-death", "capabilities", "seccomp")  # no layer that holds read-the-kit
    monkeypatch.delenv(confinement.VARIABLE, raising=False)
    with pytest.raises(confinement.Refused) as refused:
        GradeWithKit()._policy()
    line = one_line(str(refused.value))
    assert "c.GradeWithKit.waive = ['read-the-kit'] in nbgrader_config.py" in line
    assert GradeWithKit(waive=["read-the-kit"])._policy().waived == {"read-the-kit"}
    monkeypatch.setenv(confinement.VARIABLE, "read-the-kit")
    assert GradeWithKit()._policy().waived == {"read-the-kit"}


# -- Gradescope: root in Docker, no Landlock, no namespaces: a separate uid and seccomp -----------------------------
@pytest.fixture(scope="module")
def docker_like(tmp_path_factory):
    """A layout as in Gradescope's image, in a folder every uid can reach: Debian's python3 with numpy in a venv of
    its own (no editable finder beside it), and the autograder zip unpacked in autograder/source."""
    if os.geteuid() != 0:
        pytest.skip("Gradescope's grader runs as root")
    python = shutil.which("python3", path="/usr/bin")
    if python is None:
        pytest.skip("needs Debian's /usr/bin/python3")
    version = subprocess.run([python, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True,
                             text=True).stdout.strip()
    if version != str(sys.version_info[:2]):
        pytest.skip(f"/usr/bin/python3 is {version}: this numpy is built for {sys.version_info[:2]}")
    top = Path(tempfile.mkdtemp(prefix="nnkit-docker-", dir="/tmp"))
    try:
        top.chmod(0o755)
        subprocess.run([python, "-m", "venv", "--without-pip", str(top / "venv")], check=True)
        site = next((top / "venv" / "lib").glob("python3*/site-packages"))
        numpy_dir = Path(np.__file__).resolve().parent
        for folder in (numpy_dir, numpy_dir.with_name("numpy.libs")):
            if folder.is_dir():
                if subprocess.run(["cp", "-al", str(folder), str(site)]).returncode != 0:
                    shutil.copytree(folder, site / folder.name)
        zip_path = tmp_path_factory.mktemp("zip") / "autograder.zip"
        assert cli.main(["gradescope", "--assignment", A1, "--out", str(zip_path)]) == 0
        yield {"top": top, "python": top / "venv" / "bin" / "python3", "zip": zip_path}
    finally:
        shutil.rmtree(top, ignore_errors=True)


def autograder(docker_like, name, files):
    root = docker_like["top"] / name
    source = root / "source"
    with zipfile.ZipFile(docker_like["zip"]) as zf:
        for info in zf.infolist():
            target = source / info.filename
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(zf.read(info))
            target.chmod((info.external_attr >> 16) & 0o777)
    shutil.copy2(source / "run_autograder", root / "run_autograder")
    shutil.copytree(files, root / "submission")
    return root


def run_autograder(root, python, **env):
    done = hostile(*DOCKER, grader=False, command=[str(root / "run_autograder")],
                   env=cli_env(AUTOGRADER_ROOT=str(root), PYTHON=str(python), **env))
    assert done.returncode == 0, done.stderr
    return read(root / "results" / "results.json"), done


def test_on_gradescope_a_separate_uid_and_seccomp_are_enough(docker_like, tmp_path):
    """Landlock and bubblewrap refused, as in Gradescope's container: run_autograder (which makes the kit readable
    by root only) still grades, the solution at 20/20 and the stealing stubs at 0, with read-the-kit held by the uid.
    The control: the same stubs, the same host, the uid layer off and read-the-kit waived: 20/20."""
    stubs_root = autograder(docker_like, "stubs", stealing_stubs(tmp_path / "stubs",
                                                                   known=[docker_like["top"] / "stubs" / "source"]))
    document, _ = run_autograder(stubs_root, docker_like["python"])
    sandbox = document["extra_data"]["sandbox"]
    assert document["score"] == 0, document["output"]
    assert sandbox["properties"]["read-the-kit"] == ["uid"] and sandbox["layers"]["landlock"] == OFF
    assert sandbox["layers"]["mount-namespace"].startswith("off: bwrap cannot make namespaces here")
    assert own_uid(sandbox["layers"]["uid"]) in uids.RANGE and sandbox["weak"] == []
    assert stat.S_IMODE((stubs_root / "source" / "solutions").stat().st_mode) == 0o700

    solution_root = autograder(docker_like, "solution", make_submission(tmp_path / "solution", A1))
    assert run_autograder(solution_root, docker_like["python"])[0]["score"] == MAX

    out = tmp_path / "control.json"
    control = hostile(*DOCKER, layers="parent-death,capabilities,seccomp", python=docker_like["python"],
                      command=grade_command(stubs_root / "submission", out, "--allow-weak-sandbox", "read-the-kit"),
                      env=cli_env(PYTHONPATH=str(stubs_root / "source")))
    assert control.returncode == 0, control.stderr
    assert read(out)["score"] == MAX


def test_as_root_without_namespaces_the_uid_holds_read_the_kit_only_if_it_cannot_stat_the_kit(docker_like, tmp_path):
    """Root in Docker, no Landlock, no namespaces: the worker's own uid is all that hides the kit. With the kit's
    folder open to every uid and only solutions/ and the catalogues root's alone (0700), the uid can open none of
    their files but can stat both folders: grading refuses, naming the first. The control: waived, the submission
    learns both folders' sizes and modification times. With the kit root's alone, as the runners make it, it learns
    nothing and grading goes on with no waiver."""
    source = docker_like["top"] / "statted" / "source"
    secret = [source / "solutions", source / "grader" / "catalogues"]
    targets = [source / "solutions" / A1 / "neuron.py"] + secret
    root = autograder(docker_like, "statted", stat_probe(tmp_path / "probe", targets))
    for folder in [source, source / "grader"]:
        folder.chmod(0o755)
    for folder in secret:
        folder.chmod(0o700)
    out = tmp_path / "out.json"

    def grade(*extra):
        return hostile(*DOCKER, python=docker_like["python"], command=grade_command(root / "submission", out, *extra),
                       env=cli_env(PYTHONPATH=str(source)))

    refused = grade()
    assert refused.returncode == 2 and not out.exists(), refused.stderr
    line = one_line(refused.stderr)
    assert "no confinement layer holds read-the-kit" in line
    assert re.search(rf"uid on, but uid \d+ can reach {re.escape(str(secret[0]))}, so it can stat it", line), line
    waived = grade("--allow-weak-sandbox", "read-the-kit")
    assert waived.returncode == 0, waived.stderr
    assert learnt(read(out)) == ["PermissionError"] + [truth(folder) for folder in secret]

    subprocess.run(["chmod", "-R", "go-rwx", str(source)], check=True)  # what run_autograder does as root
    held = grade()
    assert held.returncode == 0, held.stderr
    document = read(out)
    assert learnt(document) == ["PermissionError"] * 3
    assert document["extra_data"]["sandbox"]["properties"]["read-the-kit"] == ["uid"]
    assert document["extra_data"]["sandbox"]["waived"] == []


def test_the_gradescope_runner_refuses_in_one_line_and_records_a_waiver(docker_like, tmp_path):
    """With this kit's interpreter (under /root, 0700), the uid cannot read the standard library, so the uid layer
    stays off and nothing holds read-the-kit: run_autograder leaves the placeholder results and one line saying
    why. With NNKIT_SANDBOX_WAIVE=read-the-kit it grades, the results record the waiver, and the attack works."""
    if access.can_read(os.path.dirname(os.__file__), uids.RANGE[0], uids.RANGE[0]):
        pytest.skip("here the separate uid can read this interpreter's standard library")
    root = autograder(docker_like, "refused", stealing_stubs(tmp_path / "stubs",
                                                              known=[docker_like["top"] / "refused" / "source"]))
    document, done = run_autograder(root, sys.executable)
    assert document["score"] == 0 and "placeholder" in document["output"]
    refusal = [line for line in done.stderr.splitlines() if line.startswith("nnkit sandbox:")]
    assert len(refusal) == 1 and "NNKIT_SANDBOX_WAIVE=read-the-kit" in refusal[0]
    assert re.search(r"uid \d+ could not read", refusal[0])
    document, _ = run_autograder(root, sys.executable, NNKIT_SANDBOX_WAIVE="read-the-kit")
    assert document["score"] == MAX and document["extra_data"]["sandbox"]["waived"] == ["read-the-kit"]

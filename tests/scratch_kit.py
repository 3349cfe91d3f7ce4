"""A scratch copy of the kit's repository, to run its own commands on changed sources without touching the real one."""
import shutil
import subprocess
import sys
from pathlib import Path

from grader.core import paths


def copy_kit(target):
    """Copy every file git tracks (and the working tree's changes to them) into ``target``; return it."""
    target = Path(target)
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=paths.ROOT,
                            capture_output=True, check=True, timeout=60).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = paths.ROOT / name
        if source.is_file() and not source.is_symlink():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def run_kit(kit, *argv, timeout=600):
    """``python -m grader ARGV`` in the scratch copy ``kit``, importing its grader/ rather than the real one."""
    env = paths.tool_env(PYTHONPATH=str(kit))
    return subprocess.run([sys.executable, "-m", "grader", *argv], cwd=kit, env=env, capture_output=True, text=True,
                          timeout=timeout)


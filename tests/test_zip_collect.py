"""``nbgrader zip_collect`` on an LMS download with damaged archives, through the real CLI in a course folder.

Each damaged archive is a real zip, made with ``zipfile`` and then edited byte by byte: a stored entry with one byte
of its data flipped (its CRC no longer fits), an entry with the encryption flag set, an entry with a compression
method no zip reader knows, and a deflated entry whose compressed stream is garbage. The extractor reads every
entry to its end before it takes anything, so such an archive is skipped whole, with a warning that names it, and
everyone else is collected. The controls show that plain ``zipfile`` fails on each archive, and that the same
``zip_collect`` with the defence patched out collects nobody.
"""
import struct
import subprocess
import sys
import zipfile
import zlib

import pytest

from conftest import cli_env
from grader.adapters import demo

pytestmark = pytest.mark.xdist_group("nbgrader")

A1 = "a1_neuron_gd"
NEURON = f"{A1}/neuron.py"
MODULES = {NEURON: "def neuron():\n    return 1\n" * 20, f"{A1}/gradient_descent.py": "def gd():\n    return 2\n"}


def _headers(data):
    """(local header offset, central directory header offset) of each entry of the zip held in ``data``."""
    end = data.rindex(b"PK\x05\x06")
    (count,) = struct.unpack_from("<H", data, end + 10)
    (offset,) = struct.unpack_from("<I", data, end + 16)
    for _ in range(count):
        assert data[offset:offset + 4] == b"PK\x01\x02"
        name, extra, comment = struct.unpack_from("<HHH", data, offset + 28)
        (local,) = struct.unpack_from("<I", data, offset + 42)
        yield data[offset + 46:offset + 46 + name].decode(), local, offset
        offset += 46 + name + extra + comment


def _edit(path, entry, edit):
    """Apply ``edit(data, local, central)`` to the headers of ``entry`` in the zip at ``path``."""
    data = bytearray(path.read_bytes())
    for name, local, central in list(_headers(data)):
        if name == entry:
            edit(data, local, central)
    path.write_bytes(bytes(data))


def _bad_crc(data, local, central):
    name, extra = struct.unpack_from("<HH", data, local + 26)
    data[local + 30 + name + extra] ^= 0x01  # the first byte of the stored data


def _encrypted(data, local, central):
    for field in (local + 6, central + 8):  # the general purpose flags; bit 0: encrypted
        struct.pack_into("<H", data, field, struct.unpack_from("<H", data, field)[0] | 0x1)


def _unknown_method(data, local, central):
    for field in (local + 8, central + 10):
        struct.pack_into("<H", data, field, 77)  # no such compression method


def _garbled_stream(data, local, central):
    name, extra = struct.unpack_from("<HH", data, local + 26)
    (size,) = struct.unpack_from("<I", data, local + 18)
    start = local + 30 + name + extra
    data[start:start + size] = b"\xff" * size


DAMAGE = {  # student id: (how the archive is compressed, the edit, what plain zipfile raises)
    "mal_crc": (zipfile.ZIP_STORED, _bad_crc, zipfile.BadZipFile),
    "mal_encrypted": (zipfile.ZIP_STORED, _encrypted, RuntimeError),
    "mal_method": (zipfile.ZIP_STORED, _unknown_method, NotImplementedError),
    "mal_stream": (zipfile.ZIP_DEFLATED, _garbled_stream, zlib.error),
}
GOOD = ("ada", "bea", "cleo")


def _download(tmp_path):
    """A course folder whose LMS download holds good zips, a good folder and one damaged zip of each kind."""
    course = demo.make_course(tmp_path / "course", A1)
    archive = course / "downloaded" / A1 / "archive"
    archive.mkdir(parents=True)
    for student in ("ada", "bea", *DAMAGE):
        compression = DAMAGE[student][0] if student in DAMAGE else zipfile.ZIP_DEFLATED
        with zipfile.ZipFile(archive / f"{student}.zip", "w", compression) as handle:
            for name, text in MODULES.items():
                handle.writestr(name, text)
        if student in DAMAGE:
            _edit(archive / f"{student}.zip", NEURON, DAMAGE[student][1])
    for name, text in MODULES.items():
        (archive / "cleo" / name).parent.mkdir(parents=True, exist_ok=True)
        (archive / "cleo" / name).write_text(text, encoding="utf-8")
    return course, archive


def _zip_collect(course, *python):
    command = [sys.executable, *(python or ["-m", "nbgrader"]), "zip_collect", A1]
    return subprocess.run(command, cwd=course, env=cli_env(), stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=300)


def _collected(course):
    submitted = course / "submitted"
    return sorted(p.name for p in submitted.iterdir()) if submitted.is_dir() else []


def test_a_damaged_archive_is_skipped_by_name_and_everyone_else_is_collected(tmp_path):
    course, archive = _download(tmp_path)
    done = _zip_collect(course)
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-3000:]
    assert _collected(course) == sorted(GOOD)
    for student in GOOD:
        for name, text in MODULES.items():
            path = course / "submitted" / student / A1 / name.split("/")[-1]
            assert path.read_text(encoding="utf-8") == text, path
    warnings = [line for line in log.splitlines() if "| WARNING]" in line and "Skipped" in line]
    for student in DAMAGE:
        (line,) = [line for line in warnings if f"{archive / student}.zip:" in line]
        assert f"entry {NEURON!r} cannot be read" in line and "Nothing was extracted from it" in line, line
    extracted = course / "downloaded" / A1 / "extracted"
    assert sorted(p.name for p in extracted.iterdir()) == sorted(GOOD), "nothing is written for a skipped archive"
    assert "Traceback" not in log


@pytest.mark.parametrize("student", sorted(DAMAGE))
def test_control_plain_zipfile_fails_on_each_damaged_archive(tmp_path, student):
    _, archive = _download(tmp_path)
    with zipfile.ZipFile(archive / f"{student}.zip") as handle:
        assert handle.read(f"{A1}/gradient_descent.py") == MODULES[f"{A1}/gradient_descent.py"].encode()
        with pytest.raises(DAMAGE[student][2]):
            handle.read(NEURON)


def test_control_without_the_defence_one_damaged_archive_stops_the_whole_collection(tmp_path):
    """The same zip_collect, with the extractor's list of read errors emptied: it fails, and nobody is collected."""
    course, _ = _download(tmp_path)
    off = ("import sys; from grader.adapters.nbgrader import collect; collect.UNREADABLE = (); "
           f"sys.argv = ['nbgrader', 'zip_collect', {A1!r}]; from nbgrader.apps.nbgraderapp import main; main()")
    done = _zip_collect(course, "-c", off)
    assert done.returncode != 0
    assert _collected(course) == []
    assert any(name in done.stderr for name in ("BadZipFile", "RuntimeError", "NotImplementedError", "zlib.error"))

"""``nbgrader zip_collect``: ``SafeExtractor`` replaces nbgrader's archive extractor. It never calls
``ZipFile.extract``: it reads the few files a submission needs and writes them under names it chooses.

The LMS layout that ``zip_collect`` expects, in ``downloaded/<assignment>/archive/``:

- ``<student_id>.zip``, one archive per student, holding the notebook and the graded module files, at its top or
  in sub-folders; or
- ``<student_id>/``, one folder per student, holding the same files.

A student id is letters, digits, ``.``, ``_`` and ``-``, starting with a letter or digit. For each expected file
name (the assignment's notebooks and graded modules) the shallowest copy in the archive wins. ``SafeExtractor``
writes it to ``extracted/<student_id>/<file>``, and ``NAMED_REGEXP`` turns that path into the student id and
the file id. Loose files at the top of ``archive/`` and archives with unsafe entries (absolute paths, ``..``,
links, or too large) are skipped with a warning, and nothing is written for them. So is an archive with an entry
that cannot be read to its end (a bad CRC, an encrypted entry, an unknown compression method, a damaged stream):
every file entry is read before anything is written, and every other student is still collected.
"""
import lzma
import os
import re
import stat
import struct
import zipfile
import zlib
from pathlib import Path, PurePosixPath, PureWindowsPath

import nbformat
from nbgrader.plugins import ExtractorPlugin
from traitlets import Integer

from ... import catalogues, text
from .files import FILE_ID, STUDENT_ID, STUDENT_ID_FULL, expected_files

MESSAGES = text.table("nbgrader_collect", {
    "archive_skipped": "Skipped {path}: {reason}. Nothing was extracted from it.",
    "loose_file": "Skipped {path}: put each student's files in <student_id>.zip or a <student_id>/ folder",
    "bad_student_id": "Skipped {path}: {name!r} is not a valid student id (letters, digits, '.', '_', '-')",
    "unsafe_entry": "unsafe entry {entry!r}",
    "link_entry": "entry {entry!r} is a link",
    "too_large": "it would unpack to more than {limit} bytes",
    "too_many": "it holds more than {limit} entries",
    "not_zip": "it is not a readable zip archive",
    "unreadable": "entry {entry!r} cannot be read ({error})",
    "nothing_found": "{path}: none of the expected files ({files}) found",
    "notebook_broken": "{path}: its {name} cannot be read as a notebook; the released notebook stands in for it",
    "extracted": "Extracted {files} for student {student}",
    "collected_before": "zip_collect ran before: {path} holds that collection. Run `nbgrader zip_collect --force "
                        "{assignment}` to collect every archive again (late ones included); it replaces each "
                        "collected student's submitted/ folder, and `nbgrader autograde {assignment}` then grades "
                        "the new students (with --force, everyone again).",
    "notebook_supplied": "{path} holds no {name}: the released notebook stands in for it (autograde needs a "
                         "notebook; the grades come from the modules)",
})

#: matched with ``re.match`` against the absolute path of each file in ``extracted/``
NAMED_REGEXP = rf".*/extracted/(?P<student_id>{STUDENT_ID})/(?P<file_id>{FILE_ID})$"


#: What reading a student's archive or folder can raise, besides the extractor's own refusals: a bad CRC or a cut
#: file (BadZipFile, EOFError), an encrypted entry (RuntimeError), an unknown compression method
#: (NotImplementedError), a damaged deflate, bzip2 or lzma stream (zlib.error, OSError, LZMAError), a malformed
#: header (ValueError, struct.error), an unreadable file (OSError). Any of them skips that student's archive whole.
UNREADABLE = (zipfile.BadZipFile, zipfile.LargeZipFile, RuntimeError, NotImplementedError, zlib.error,
              lzma.LZMAError, EOFError, OSError, ValueError, struct.error)


class _Skip(Exception):
    """Why a student's archive or folder is skipped whole; nothing is written for it."""


def _unreadable(entry, exc):
    return _Skip(MESSAGES["unreadable"].format(entry=entry, error=f"{type(exc).__name__}: {exc}"))


def _unsafe(name):
    """Why an archive entry name is unsafe, or ''."""
    if "\x00" in name or PurePosixPath(name).is_absolute() or PureWindowsPath(name).is_absolute() \
            or PureWindowsPath(name).drive or name.startswith(("/", "\\")):
        return MESSAGES["unsafe_entry"].format(entry=name)
    if ".." in re.split(r"[/\\]", name):
        return MESSAGES["unsafe_entry"].format(entry=name)
    return ""


def _readable_notebook(data):
    """Whether nbgrader can read ``data`` as a notebook (a broken one would fail autograde and keep old grades)."""
    try:
        nbformat.validate(nbformat.reads(data.decode("utf-8"), as_version=4))
    except Exception:  # any reason at all: JSON, encoding, schema
        return False
    return True


class SafeExtractor(ExtractorPlugin):
    """``zip_collect``'s extractor: per-student zips or folders in, ``extracted/<student>/<file>`` out.

    Only the expected files (the assignment's notebooks and graded modules) are taken, each under its own base
    name, from the shallowest place it occurs. An archive with any unsafe or unreadable entry is skipped whole.
    """

    max_bytes = Integer(50 * 1024 ** 2, help="Largest total unpacked size of one student's archive.").tag(config=True)
    max_entries = Integer(2000, help="Most entries in one student's archive.").tag(config=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._refuse_an_earlier_collection()

    def _refuse_an_earlier_collection(self):
        """``zip_collect`` run again (late submissions) without ``--force``: end it in one line that says what to
        run, before nbgrader's own refusal ("Directory not empty"), whose hint is on a second line. ``zip_collect``
        makes this extractor just before it would refuse, and only there; elsewhere (a test) this does nothing."""
        app = self.parent
        coursedir = getattr(app, "coursedir", None)
        if coursedir is None or self.force or getattr(app, "force", False) \
                or not hasattr(app, "extracted_directory") or not hasattr(app, "_format_collect_path"):
            return
        extracted = Path(app._format_collect_path(app.extracted_directory))
        if extracted.is_dir() and any(extracted.iterdir()):
            app.fail(MESSAGES["collected_before"].format(path=extracted, assignment=coursedir.assignment_id))

    def _release(self):
        """The released assignment folder, or None outside ``nbgrader zip_collect``."""
        coursedir = getattr(self.parent, "coursedir", None)
        if coursedir is None:
            return None
        return Path(coursedir.format_path(coursedir.release_directory, ".", coursedir.assignment_id))

    def _wanted(self):
        coursedir = getattr(self.parent, "coursedir", None)
        assignment = coursedir.assignment_id if coursedir else ""
        names = set(expected_files(assignment)) if assignment in catalogues.names() else set()
        release = self._release()
        if release is not None:
            names.update(p.name for p in release.glob("*.ipynb"))
        return names

    @staticmethod
    def _pick(candidates, wanted):
        """{file name: source} choosing, per wanted name, the shallowest candidate path (then the first by name)."""
        chosen = {}
        for rel in sorted(candidates, key=lambda r: (len(PurePosixPath(r).parts), r)):
            parts = PurePosixPath(rel).parts
            name = parts[-1]
            if name in wanted and name not in chosen and "__MACOSX" not in parts:
                chosen[name] = candidates[rel]
        return chosen

    def _zip_members(self, infos):
        """{relative name: ZipInfo} of a zip's files, or raise _Skip with the reason it is unsafe."""
        if len(infos) > self.max_entries:
            raise _Skip(MESSAGES["too_many"].format(limit=self.max_entries))
        if sum(info.file_size for info in infos) > self.max_bytes:
            raise _Skip(MESSAGES["too_large"].format(limit=self.max_bytes))
        members = {}
        for info in infos:
            reason = _unsafe(info.filename)
            if reason:
                raise _Skip(reason)
            if stat.S_ISLNK(info.external_attr >> 16):
                raise _Skip(MESSAGES["link_entry"].format(entry=info.filename))
            if not info.is_dir():
                members[info.filename.replace("\\", "/")] = info
        return members

    def _zip_files(self, archive, wanted):
        """{file name: bytes} of the wanted files of a zip, or raise _Skip with the reason it is skipped whole.

        Every file entry is read to its end, which checks its CRC, before any is taken, and no more than
        ``max_bytes`` are read in all: an archive is collected whole or not at all.
        """
        try:
            handle = zipfile.ZipFile(archive)
        except UNREADABLE:
            raise _Skip(MESSAGES["not_zip"]) from None
        with handle:
            members = self._zip_members(handle.infolist())
            taken = {rel: name for name, rel in self._pick({rel: rel for rel in members}, wanted).items()}
            files, left = {}, self.max_bytes
            for rel, info in members.items():
                try:
                    with handle.open(info) as stream:
                        data = stream.read(left + 1)
                except UNREADABLE as exc:
                    raise _unreadable(info.filename, exc) from None
                if len(data) > left:
                    raise _Skip(MESSAGES["too_large"].format(limit=self.max_bytes))
                left -= len(data)
                if rel in taken:
                    files[taken[rel]] = data
        return files

    def _read_files(self, entry, wanted):
        """{file name: bytes} of the wanted files of a student's zip or folder, or raise _Skip."""
        if not entry.is_dir():
            return self._zip_files(entry, wanted)
        files = {}
        for name, source in self._pick(self._folder_files(entry), wanted).items():
            try:
                files[name] = source.read_bytes()
            except OSError as exc:
                raise _unreadable(source.relative_to(entry).as_posix(), exc) from None
        return files

    def _write(self, student_dir, name, data):
        student_dir.mkdir(parents=True, exist_ok=True)
        target = student_dir / name
        if target.is_symlink() or target.exists():
            target.unlink()
        with open(target, "xb") as handle:
            handle.write(data)

    def extract(self, archive_path, extracted_path):
        archive_path, extracted_path = Path(archive_path), Path(extracted_path)
        wanted = self._wanted()
        release = self._release()
        for entry in sorted(archive_path.iterdir()):
            stem = entry.name[:-len(".zip")] if entry.name.lower().endswith(".zip") else entry.name
            if entry.is_symlink() or not (entry.is_dir() or entry.name.lower().endswith(".zip")):
                self.log.warning(MESSAGES["loose_file"].format(path=entry))
                continue
            if not STUDENT_ID_FULL.match(stem):
                self.log.warning(MESSAGES["bad_student_id"].format(path=entry, name=stem))
                continue
            try:
                files = self._read_files(entry, wanted)
            except _Skip as exc:
                self.log.warning(MESSAGES["archive_skipped"].format(path=entry, reason=exc))
                continue
            if not files:
                self.log.warning(MESSAGES["nothing_found"].format(path=entry, files=", ".join(sorted(wanted))))
                continue
            for notebook in sorted(release.glob("*.ipynb")) if release is not None else []:
                if notebook.name not in files:
                    self.log.warning(MESSAGES["notebook_supplied"].format(path=entry, name=notebook.name))
                    files[notebook.name] = notebook.read_bytes()
                elif not _readable_notebook(files[notebook.name]):
                    self.log.warning(MESSAGES["notebook_broken"].format(path=entry, name=notebook.name))
                    files[notebook.name] = notebook.read_bytes()
            for name, data in files.items():
                self._write(extracted_path / stem, name, data)
            self.log.info(MESSAGES["extracted"].format(files=", ".join(sorted(files)), student=stem))

    @staticmethod
    def _folder_files(folder):
        """{relative path: path} of the regular files under ``folder``, never following a link."""
        found = {}
        for root, dirs, files in os.walk(folder):
            dirs[:] = [d for d in dirs if not Path(root, d).is_symlink()]
            for file in files:
                full = Path(root, file)
                if not full.is_symlink() and full.is_file():
                    found[full.relative_to(folder).as_posix()] = full
        return found

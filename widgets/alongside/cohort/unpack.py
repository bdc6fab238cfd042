"""The files in a zip, and in the archives inside it, read within limits and never written out.

:func:`alongside.cohort.moodle.collect` walks a learning platform's download with these: a zip
member or an archive's file is a :class:`Member` (its name, declared size, time, and a way to read
it), an archive is opened in memory only, and a :class:`Budget` caps what one download may make us
read, so a small zip that unpacks to gigabytes, or to a million files, stops with one line. Every
archive or file that cannot be read is a :class:`CannotOpen` with the reason in a few words.
"""

from __future__ import annotations

import datetime
import gzip
import io
import tarfile
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Callable

ARCHIVES = (".zip", ".tar", ".tgz", ".gz")  # opened; any other file is taken as it is
MAX_TOTAL_BYTES = 512 * 2**20  # read from one download in all: its notebooks, its archives and what they unpack to
MAX_FILES = 20_000  # files in one download, those inside its archives included
MAX_DEPTH = 3  # levels: a file in the download (1), in an archive there (2), in an archive inside that (3)

TOO_BIG = "not read: the download is over its size limit"
TOO_MANY = "archive not unpacked: the download is over its file-count limit"
TOO_DEEP = "archive not unpacked: nested too deep"


class CannotOpen(Exception):
    """An archive or a file in one that cannot be read; the message is the reason in a few words."""


class OverLimit(Exception):
    """Reading on would pass a limit of the :class:`Budget`: ``outcome`` and ``note`` say which."""

    def __init__(self, outcome: str, note: str):
        super().__init__(note)
        self.outcome, self.note = outcome, note


@dataclass(frozen=True)
class Member:
    """One file of an archive: a ``label`` unique in it, its ``name``, declared ``size``, ``when`` and ``read``.

    ``read`` gives the bytes (CannotOpen when it cannot); it is None for a link or a special file.
    """

    label: str
    name: str
    size: int
    when: datetime.datetime | None
    read: Callable[[], bytes] | None

    @property
    def base(self) -> str:
        """The file's own name, without the folders it is in."""
        return PurePosixPath(self.name.replace("\\", "/")).name


class Budget:
    """What one download may still make us read: bytes and files, taken as we go, given back on a rollback."""

    def __init__(self) -> None:
        self.bytes_left, self.files_left = MAX_TOTAL_BYTES, MAX_FILES

    def take(self, nbytes: int = 0, nfiles: int = 0) -> None:
        """Count bytes and files read; OverLimit (nothing taken) when they do not fit."""
        if nbytes > self.bytes_left:
            raise OverLimit(TOO_BIG, f"the limit is {MAX_TOTAL_BYTES // 2**20} MB of notebooks and archives "
                                     "(MAX_TOTAL_BYTES); collect fewer submissions at a time")
        if nfiles > self.files_left:
            raise OverLimit(TOO_MANY, f"the limit is {MAX_FILES} files (MAX_FILES), archives' files included")
        self.bytes_left -= nbytes
        self.files_left -= nfiles

    def checkpoint(self) -> tuple[int, int]:
        """What is left now, to :meth:`restore` if what follows is given up."""
        return self.bytes_left, self.files_left

    def restore(self, checkpoint: tuple[int, int]) -> None:
        """Give back everything taken since the checkpoint."""
        self.bytes_left, self.files_left = checkpoint


def is_archive(name: str) -> bool:
    """Whether a file name is one of the ARCHIVES this module opens."""
    return name.lower().endswith(ARCHIVES)


def _labels(names: list[str]) -> list[str]:
    """Each name, with "(copy k of n)" after a name the archive holds more than once."""
    total, seen, labels = Counter(names), Counter(), []
    for name in names:
        seen[name] += 1
        labels.append(name if total[name] == 1 else f"{name} (copy {seen[name]} of {total[name]})")
    return labels


def _zip_time(info: zipfile.ZipInfo) -> datetime.datetime | None:
    try:
        return datetime.datetime(*info.date_time)
    except (TypeError, ValueError):  # a zip can say month 0
        return None


def _reader(read: Callable[[], bytes]) -> Callable[[], bytes]:
    def guarded() -> bytes:
        try:
            return read()
        except Exception as err:  # zipfile, tarfile, gzip and zlib raise many kinds for a damaged file
            raise CannotOpen(_reason(err)) from None
    return guarded


def _reason(err: Exception) -> str:
    return (str(err) or type(err).__name__).splitlines()[0][:200]


def zip_members(archive: zipfile.ZipFile) -> list[Member]:
    """The files (not folders) of an open zip, in its order."""
    infos = [info for info in archive.infolist() if not info.is_dir()]

    def read(info: zipfile.ZipInfo) -> bytes:
        with archive.open(info) as handle:
            data = handle.read(info.file_size + 1)
        if len(data) != info.file_size:
            raise CannotOpen("its size is not the one the zip gives")
        return data

    return [Member(label, info.filename, info.file_size, _zip_time(info), _reader(lambda i=info: read(i)))
            for label, info in zip(_labels([i.filename for i in infos]), infos)]


def _tar_members(raw: bytes) -> list[Member]:
    archive = tarfile.open(fileobj=io.BytesIO(raw), mode="r:")
    entries = [entry for entry in archive.getmembers() if not entry.isdir()]

    def when(entry: tarfile.TarInfo) -> datetime.datetime | None:
        try:
            return datetime.datetime.fromtimestamp(entry.mtime)
        except (OverflowError, OSError, ValueError):
            return None

    def read(entry: tarfile.TarInfo) -> bytes:
        return archive.extractfile(entry).read(entry.size)

    return [Member(label, entry.name, entry.size if entry.isfile() else 0, when(entry),
                   _reader(lambda e=entry: read(e)) if entry.isfile() else None)
            for label, entry in zip(_labels([e.name for e in entries]), entries)]


def open_archive(name: str, data: bytes, budget: Budget) -> list[Member]:
    """The files of an archive held in memory; what it unpacks to is taken from the budget first."""
    try:
        if name.lower().endswith(".zip"):
            members = zip_members(zipfile.ZipFile(io.BytesIO(data)))
        else:
            raw = data
            if not name.lower().endswith(".tar"):
                with gzip.GzipFile(fileobj=io.BytesIO(data)) as unzipped:
                    raw = unzipped.read(budget.bytes_left + 1)
                budget.take(len(raw))
            try:
                members = _tar_members(raw)
            except tarfile.ReadError:
                raise CannotOpen("not a tar archive (a .gz is opened only when it holds a .tar)") from None
    except (CannotOpen, OverLimit):
        raise
    except Exception as err:  # zipfile, tarfile, gzip and zlib raise many kinds for a damaged archive
        raise CannotOpen(_reason(err)) from None
    budget.take(nfiles=len(members))
    return members

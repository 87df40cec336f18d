"""Private files: the data directory kept to its owner, and secrets written so that no one else can read or plant them.

``write_private`` writes a new file under a random name (``mkstemp``: created exclusively, mode 0600, so a symlink
planted under a predictable name cannot redirect it), syncs it and renames it into place, so readers see the old file
or the new one, never a half-written one. ``secure_data_dir`` makes the directory 0700 and every file in it readable
and writable by its owner only, whatever modes they had before, and creates the files it is told about as 0600
before anything else does (SQLite gives a database's ``-wal`` and ``-shm`` files the mode of the database file).
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


class UnsafeDataDir(ValueError):
    """The data directory, or a file in it, cannot be made private; the message says which, and why."""


def write_private(path: Path, text: str) -> None:
    """Create or replace ``path`` with ``text``, readable by its owner only from the first byte."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, PRIVATE_FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _sync_directory(path.parent)


def secure_data_dir(data_dir: Path, create: Iterable[str] = ()) -> None:
    """Make ``data_dir`` (created if missing) mode 0700 and each regular file in it at most 0600 (0700 when its
    owner may execute it), and create each file named in ``create`` that does not exist yet, empty and 0600.

    Raise ``UnsafeDataDir`` when a mode cannot be changed (another user owns the file), when ``data_dir`` is not a
    directory, or when a file to create is a symbolic link (planted to redirect it)."""
    try:
        data_dir.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
        info = data_dir.stat()
    except (FileExistsError, NotADirectoryError):
        raise UnsafeDataDir(f"data directory {data_dir} is not a directory") from None
    if not stat.S_ISDIR(info.st_mode):
        raise UnsafeDataDir(f"data directory {data_dir} is not a directory")
    _tighten(data_dir, info, PRIVATE_DIR_MODE)
    with os.scandir(data_dir) as entries:
        for entry in entries:
            entry_info = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(entry_info.st_mode):
                _tighten(Path(entry.path), entry_info, PRIVATE_FILE_MODE | (entry_info.st_mode & stat.S_IXUSR))
    for name in create:
        path = data_dir / name
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, PRIVATE_FILE_MODE)
        except FileExistsError:
            if stat.S_ISLNK(path.lstat().st_mode):
                raise UnsafeDataDir(f"{path} is a symbolic link; lsnotify writes its own files in place") from None
            continue
        os.close(fd)


def _tighten(path: Path, info: os.stat_result, mode: int) -> None:
    if stat.S_IMODE(info.st_mode) == mode:
        return
    try:
        os.chmod(path, mode)
    except OSError as exc:
        raise UnsafeDataDir(
            f"{path} is mode {stat.S_IMODE(info.st_mode):o} and owned by uid {info.st_uid}; lsnotify (uid "
            f"{os.geteuid()}) cannot make it {mode:o}: {exc.strerror}. Give it to the user lsnotify runs as, or "
            "remove group and other access yourself."
        ) from None


def _sync_directory(directory: Path) -> None:
    """Make a rename in ``directory`` durable."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

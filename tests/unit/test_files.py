"""Private files: written through a random name, and a data directory made private whatever it was."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from lsnotify.files import UnsafeDataDir, secure_data_dir, write_private


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def test_write_private_replaces_a_file_and_never_follows_a_planted_name(tmp_path: Path) -> None:
    target = tmp_path / "credentials"
    elsewhere = tmp_path / "elsewhere"
    (tmp_path / "credentials.tmp").symlink_to(elsewhere)  # the name the old code wrote through
    target.write_text("old")
    os.chmod(target, 0o644)
    write_private(target, "new secret\n")
    assert target.read_text() == "new secret\n" and mode(target) == 0o600
    assert not elsewhere.exists()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["credentials", "credentials.tmp"]


def test_write_private_leaves_no_temporary_file_when_it_fails(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()  # a directory cannot be replaced by a file
    with pytest.raises(IsADirectoryError):
        write_private(tmp_path / "sub", "x")
    assert [path.name for path in tmp_path.iterdir()] == ["sub"]


def test_secure_data_dir_tightens_what_was_there_and_creates_what_is_asked(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)
    for name, file_mode in (("lsnotify.db", 0o644), ("lsnotify.db-wal", 0o666), ("run.sh", 0o755), ("ok", 0o600)):
        (data / name).write_text("")
        os.chmod(data / name, file_mode)
    (data / "link").symlink_to(tmp_path / "outside")
    (tmp_path / "outside").write_text("")
    os.chmod(tmp_path / "outside", 0o644)
    secure_data_dir(data, create=("lsnotify.db", "secret.new"))
    assert mode(data) == 0o700
    found = {path.name: mode(path) for path in data.iterdir() if not path.is_symlink()}
    assert found == {"lsnotify.db": 0o600, "lsnotify.db-wal": 0o600, "run.sh": 0o700, "ok": 0o600, "secret.new": 0o600}
    assert mode(tmp_path / "outside") == 0o644  # a symlink's target is not the data directory's


def test_secure_data_dir_creates_a_missing_directory_private(tmp_path: Path) -> None:
    secure_data_dir(tmp_path / "a" / "b", create=("lsnotify.db",))
    assert mode(tmp_path / "a" / "b") == 0o700 and mode(tmp_path / "a" / "b" / "lsnotify.db") == 0o600


def test_secure_data_dir_refuses_a_planted_symlink_and_a_file_for_a_directory(tmp_path: Path) -> None:
    (tmp_path / "lsnotify.db").symlink_to(tmp_path / "elsewhere.db")
    with pytest.raises(UnsafeDataDir, match=r"lsnotify\.db is a symbolic link"):
        secure_data_dir(tmp_path, create=("lsnotify.db",))
    assert not (tmp_path / "elsewhere.db").exists()
    (tmp_path / "plain").write_text("")
    with pytest.raises(UnsafeDataDir, match="is not a directory"):
        secure_data_dir(tmp_path / "plain")


def test_secure_data_dir_says_why_when_it_cannot_change_a_mode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "lsnotify.db").write_text("")
    os.chmod(tmp_path / "lsnotify.db", 0o644)

    def refuse(path: object, mode: int) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "chmod", refuse)  # as for a file another user owns (this may run as root)
    with pytest.raises(UnsafeDataDir) as raised:
        secure_data_dir(tmp_path)
    message = str(raised.value)
    assert "is mode 755" in message or "is mode 644" in message
    assert "Operation not permitted" in message and "owned by uid" in message

"""Atomic writes: all or nothing, with the mode open() would give."""

import os

import pytest

from sk_softmax._files import atomic_path


def test_the_file_appears_only_when_complete(tmp_path):
    path = tmp_path / "out.bin"
    with atomic_path(path) as tmp:
        tmp.write_bytes(b"abc")
        assert not path.exists() and tmp.parent == tmp_path
    assert path.read_bytes() == b"abc" and os.listdir(tmp_path) == ["out.bin"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary_one(tmp_path):
    path = tmp_path / "out.bin"
    path.write_bytes(b"old")
    with pytest.raises(KeyboardInterrupt), atomic_path(path) as tmp:
        tmp.write_bytes(b"half")
        raise KeyboardInterrupt
    assert path.read_bytes() == b"old" and os.listdir(tmp_path) == ["out.bin"]


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_a_new_file_gets_the_mode_open_gives(tmp_path, umask):
    old = os.umask(umask)
    try:
        with atomic_path(tmp_path / "new") as tmp:
            tmp.write_bytes(b"x")
        open(tmp_path / "plain", "w").close()
    finally:
        os.umask(old)
    assert (tmp_path / "new").stat().st_mode & 0o777 == 0o666 & ~umask
    assert (tmp_path / "plain").stat().st_mode & 0o777 == 0o666 & ~umask


def test_a_replaced_file_keeps_its_mode(tmp_path):
    path = tmp_path / "kept"
    path.write_bytes(b"old")
    path.chmod(0o640)
    with atomic_path(path) as tmp:
        tmp.write_bytes(b"new")
    assert path.stat().st_mode & 0o777 == 0o640 and path.read_bytes() == b"new"


def test_a_symbolic_link_is_written_through(tmp_path):
    target = tmp_path / "target"
    target.write_bytes(b"old")
    (tmp_path / "link").symlink_to(target)
    with atomic_path(tmp_path / "link") as tmp:
        tmp.write_bytes(b"new")
    assert (tmp_path / "link").is_symlink() and target.read_bytes() == b"new"

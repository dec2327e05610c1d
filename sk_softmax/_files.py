"""Writing a file atomically: under a temporary name beside it, renamed into place once complete."""

import os
import secrets
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(path):
    """Yield a temporary path beside ``path``; when the block succeeds it replaces ``path``.

    The file gets the mode ``open(path, "w")`` would give it: that of the file
    it replaces, else 0o666 less the umask (the kernel applies it on creation).
    Its data reaches the disk before the rename, and a symbolic link at
    ``path`` is followed, as ``open()`` follows it. If the block raises, the
    temporary file is removed and ``path`` is left as it was, so ``path`` never
    holds a partly written file.
    """
    path = Path(os.path.realpath(path))
    while True:
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            break
        except FileExistsError:
            continue
    try:
        yield tmp
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        with open(tmp, "rb+") as file:
            os.fsync(file.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)

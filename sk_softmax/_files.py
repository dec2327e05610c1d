"""Writing a file atomically: under a temporary name beside it, renamed into place once complete."""

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(path):
    """Yield a temporary path beside ``path``; when the block succeeds it replaces ``path``.

    The file gets the mode ``open(path, "w")`` would give it: that of the file
    it replaces, else 0o666 less the umask (not ``mkstemp``'s private 0o600).
    If the block raises, the temporary file is removed and ``path`` is left as
    it was, so ``path`` never holds a partly written file.
    """
    path = Path(path)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(handle)
    tmp = Path(tmp)
    try:
        yield tmp
        try:
            mode = path.stat().st_mode & 0o7777
        except FileNotFoundError:
            umask = os.umask(0o022)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)

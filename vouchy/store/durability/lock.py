"""One writer per data directory: an exclusive ``flock`` on ``<data>/vouchy.lock``.

The group-commit writer caches account rows because it is their only writer; a second
process writing the same database (a CLI ``repair`` while the bot runs, a ``restore``) would
make that cache wrong, so it is refused with a clear message instead.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from vouchy.core.errors import VouchyError


class DataDirectoryBusy(VouchyError):
    code = "data_directory_busy"


class DataLock:
    def __init__(self, data_dir: Path | str) -> None:
        self.path = Path(data_dir) / "vouchy.lock"
        self._fd: int | None = None

    def acquire(self) -> DataLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 64).decode(errors="replace").strip() or "another process"
            os.close(fd)
            raise DataDirectoryBusy(
                f"{self.path.parent} is in use by {holder} (is the bot running?); "
                "stop it first, or use the bot's admin commands"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()}".encode())
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    @staticmethod
    def is_locked(data_dir: Path | str) -> bool:
        """True while some process holds the lock (for restore and health checks)."""
        path = Path(data_dir) / "vouchy.lock"
        if not path.exists():
            return False
        fd = os.open(path, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)
        return False

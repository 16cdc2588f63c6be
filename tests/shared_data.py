"""Where the real elections and pools live: the shared data folder, or the project's copy of it.

A clone of pbapp has no `../shared`, so CI and contributors would silently skip the tests on real
data. `tests/fixtures/shared-data.tar.xz` carries the Pabulib files and sortition pools; it is
unpacked once into `tests/.shared-data` when the shared folder is absent. Rebuild the archive after
the shared data changes with

    tar cf - -C ../shared/data pabulib sortition | xz -9 > tests/fixtures/shared-data.tar.xz
"""

from __future__ import annotations

import fcntl
import hashlib
import tarfile
from pathlib import Path

TESTS = Path(__file__).resolve().parent
ARCHIVE = TESTS / "fixtures" / "shared-data.tar.xz"
UNPACKED = TESTS / ".shared-data"
BESIDE = TESTS.parent.parent / "shared" / "data"


def _unpack() -> Path:
    """Unpack the archive unless this very archive was unpacked before (a stamp holds its hash).

    pytest-xdist workers import this at the same moment: a lock file lets one unpack while the
    others wait, so none reads a half-written file.
    """
    digest = hashlib.sha256(ARCHIVE.read_bytes()).hexdigest()
    stamp = UNPACKED / ".sha256"
    UNPACKED.mkdir(exist_ok=True)
    with open(TESTS / ".shared-data.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (stamp.is_file() and stamp.read_text() == digest):
            with tarfile.open(ARCHIVE) as archive:
                archive.extractall(UNPACKED, filter="data")
            stamp.write_text(digest)
    return UNPACKED


def shared_data_root() -> Path:
    """Return the folder holding pabulib/ and sortition/."""
    if BESIDE.is_dir():
        return BESIDE
    return _unpack() if ARCHIVE.is_file() else BESIDE


SHARED_DATA = shared_data_root()

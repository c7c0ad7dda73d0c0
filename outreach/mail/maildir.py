"""Maildir folders as the local backend uses them, tolerant of whatever else is in them.

A Maildir (``cur/``, ``new/``, ``tmp/``) may hold things that are not messages: a folder, a
FIFO or socket, a dangling link, a file this user cannot read, a huge file. Listing skips each
of those with a warning (on the ``outreach`` logger, shown once per command) and never opens
anything that could block: files are opened non-blocking and checked to be regular files.
Names starting with a dot are hidden by Maildir convention and skipped silently.

Writing follows the Maildir rule: write into ``tmp/`` under a unique name, then rename into
place, so a reader never sees half a message. A temporary file left by a killed run is removed
the next time the folder is opened: ours when the process that wrote it is gone, anyone's after
36 hours (the Maildir convention).
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("outreach.maildir")

OUR_PREFIX = "outreach-"
STALE_TMP_SECONDS = 36 * 3600
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
)


@dataclass(frozen=True)
class Entry:
    """One message file: where, and what its size and mtime were when listed.

    Kept as folder and name (a Path per file is most of the cost of listing 4,000 files)."""

    folder: Path
    name: str
    size: int
    mtime_ns: int

    @property
    def path(self) -> Path:
        return self.folder / self.name


def ensure_maildir(root: Path) -> None:
    """Create a Maildir's cur/new/tmp folders (private to the user)."""
    for sub in ("cur", "new", "tmp"):
        (root / sub).mkdir(parents=True, exist_ok=True, mode=0o700)


def _what(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def skip(path: Path, why: str) -> None:
    log.warning("skipped %s: %s; move it out of the Maildir to silence this", path, why)


def entries(folder: Path) -> Iterator[Entry]:
    """The message files in one Maildir sub-folder (e.g. ``inbox/new``), in no set order."""
    try:
        scan = list(os.scandir(folder))
    except FileNotFoundError:
        return
    except OSError as exc:
        skip(folder, f"cannot list it ({exc.strerror or exc})")
        return
    for item in scan:
        if item.name.startswith("."):
            continue
        try:
            info = item.stat()  # follows a link: what matters is what it points at
        except FileNotFoundError:
            if item.is_symlink():
                skip(folder / item.name, "a link to nothing")
            continue  # moved away while we looked (a mail client): the next listing has it
        except OSError as exc:
            skip(folder / item.name, f"cannot read it ({exc.strerror or exc})")
            continue
        if not stat.S_ISREG(info.st_mode):
            skip(folder / item.name, f"{_what(info.st_mode)}, not a message")
            continue
        if info.st_size > MAX_MESSAGE_BYTES:
            skip(folder / item.name, f"{info.st_size // (1024 * 1024)} MB, too large to be mail")
            continue
        yield Entry(folder, item.name, info.st_size, info.st_mtime_ns)


def message_entries(root: Path, subs: Iterable[str] = ("new", "cur")) -> list[Entry]:
    """The message files of a Maildir, oldest first (then by name)."""
    found = [entry for sub in subs for entry in entries(root / sub)]
    return sorted(found, key=lambda e: (e.mtime_ns, e.name))


# A folder's mtime changes whenever a file is added, removed or renamed in it, so an unchanged
# mtime means an unchanged listing: `watch` need not stat every file each second. Only a
# listing made at least this long after the folder last changed is reused, so a file added
# within the file system's timestamp granularity of a listing is never missed.
SETTLED_SECONDS = 2.0


@dataclass
class _Listing:
    folder_mtime_ns: int
    listed_at: float
    entries: list[Entry]


class ListingCache:
    """Listings of Maildir folders, reused while a folder is unchanged (for one process)."""

    def __init__(self) -> None:
        self._listings: dict[Path, _Listing] = {}

    def entries(self, folder: Path) -> list[Entry]:
        try:
            changed = os.stat(folder).st_mtime_ns
        except OSError:
            self._listings.pop(folder, None)
            return list(entries(folder))
        known = self._listings.get(folder)
        if (
            known is not None
            and known.folder_mtime_ns == changed
            and known.listed_at - changed / 1e9 >= SETTLED_SECONDS
        ):
            return known.entries
        listed_at = time.time()  # compared with file times, not a business "now"
        found = list(entries(folder))
        self._listings[folder] = _Listing(changed, listed_at, found)
        return found

    def message_entries(self, root: Path, subs: Iterable[str] = ("new", "cur")) -> list[Entry]:
        found = [entry for sub in subs for entry in self.entries(root / sub)]
        return sorted(found, key=lambda e: (e.mtime_ns, e.name))

    def settled(self, roots: Iterable[Path], subs: Iterable[str] = ("new", "cur")) -> tuple[
        int, ...
    ] | None:
        """The folders' modification times when every folder's listing is held, settled and
        unchanged (so listing again would find exactly the same files), else None. Costs one
        ``stat`` per folder."""
        stamp: list[int] = []
        for root in roots:
            for sub in subs:
                folder = root / sub
                known = self._listings.get(folder)
                try:
                    changed = os.stat(folder).st_mtime_ns
                except OSError:
                    return None
                if (
                    known is None
                    or known.folder_mtime_ns != changed
                    or known.listed_at - changed / 1e9 < SETTLED_SECONDS
                ):
                    return None
                stamp.append(changed)
        return tuple(stamp)


def read_bytes(path: Path) -> bytes | None:
    """A message file's bytes, or None (with a warning) when it is not a readable file.

    Opened non-blocking, so a FIFO swapped in after listing cannot hang the run.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        return None  # moved away by a mail client: not an error
    except OSError as exc:
        skip(path, f"cannot read it ({exc.strerror or exc})")
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            skip(path, f"{_what(info.st_mode)}, not a message")
            return None
        chunks: list[bytes] = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
            if sum(len(c) for c in chunks) > MAX_MESSAGE_BYTES:
                skip(path, "too large to be mail")
                return None
        return b"".join(chunks)
    except OSError as exc:
        skip(path, f"cannot read it ({exc.strerror or exc})")
        return None
    finally:
        os.close(fd)


def read_head(path: Path, limit: int = 64 * 1024) -> bytes | None:
    """A message file's header block (up to the first blank line, at most ``limit`` bytes),
    or None when it is not a readable regular file; the body is never read."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        data = os.read(fd, limit)
    except OSError:
        return None
    finally:
        os.close(fd)
    for blank in (b"\r\n\r\n", b"\n\n"):
        end = data.find(blank)
        if end >= 0:
            return data[: end + len(blank)]
    return data


def write_atomically(root: Path, name: str, data: bytes) -> Path:
    """Write ``data`` as ``root/cur/name``: into tmp/ first, then renamed into place.

    The temporary file is removed if anything (an error, Ctrl-C) stops the write.
    """
    tmp = root / "tmp" / f"{name}.{os.getpid()}.{secrets.token_hex(4)}"
    try:
        with open(tmp, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        target = root / "cur" / name
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def link_new(source: Path, root: Path, name: str) -> Path:
    """Give ``source`` a new name in ``root/cur`` that no file has yet, then drop ``source``.

    A link, unlike a rename, never replaces a file already there: a second message under the
    same name (a database rolled back, a draft sent twice) gets ``name`` with ``.2``, ``.3``
    ... before its flags, and the first one stays as it was.
    """
    stem, sep, flags = name.partition(":")
    for attempt in range(1, 1000):
        candidate = name if attempt == 1 else f"{stem}.{attempt}{sep}{flags}"
        target = root / "cur" / candidate
        try:
            os.link(source, target)
        except FileExistsError:
            continue
        source.unlink()
        return target
    raise FileExistsError(f"no free name for {name} in {root / 'cur'}")


def write_new(root: Path, name: str, data: bytes) -> Path:
    """Write ``data`` into ``root/cur`` as :func:`write_atomically` does, but never over a
    file already there (see :func:`link_new`)."""
    tmp = root / "tmp" / f"{name}.{os.getpid()}.{secrets.token_hex(4)}"
    try:
        with open(tmp, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        return link_new(tmp, root, name)
    finally:
        tmp.unlink(missing_ok=True)


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def _writer_pid(name: str) -> int | None:
    """The pid in one of our temporary names (``outreach-...:2,D.<pid>.<token>``)."""
    if not name.startswith(OUR_PREFIX):
        return None
    parts = name.rsplit(".", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    return int(parts[1])


def clean_tmp(root: Path, now: float | None = None) -> int:
    """Remove stale temporary files from ``root/tmp``; returns how many were removed."""
    moment = time.time() if now is None else now  # file ages compare with file times
    removed = 0
    for entry in entries(root / "tmp"):
        pid = _writer_pid(entry.name)
        stale = (pid is not None and pid != os.getpid() and not _pid_alive(pid)) or (
            moment - entry.mtime_ns / 1e9 > STALE_TMP_SECONDS
        )
        if stale:
            try:
                entry.path.unlink()
            except OSError:
                continue
            removed += 1
    if removed:
        log.info("removed %d stale temporary file(s) from %s", removed, root / "tmp")
    return removed

"""The Markdown files of one database's briefs: written after the commit, atomically, and
kept in step with the database.

Why each rule:
- **The database is the truth; files are copies.** A brief is committed first (with its turn),
  its file written after. A kill in between leaves a brief without a file: `sync()` at the
  next start rewrites every missing or short file from the database.
- **Atomic files.** Each file is written to a temporary name in the same folder, flushed to
  disk and renamed over the real name, so `brief-3.md` is either the old text or the new
  one, never half of it. Leftover temporary files are removed by `sync()`.
- **One database per folder.** The folder holds a marker file naming the database's random
  id (`Store.identity()`); a folder marked by another database is refused, and `prune()`
  (after `forget`) only deletes files in a folder marked with its own database's id. The
  default folder is derived from the database file (`planfirst.sqlite3` ->
  `planfirst.sqlite3-briefs/`), so two databases never share one by default.

Names: `brief-<id>.md` is the latest version. Once a brief has been corrected (latest version
2 or more), every kept version also has its own file, `brief-<id>.v<version>.md`, so a link
to a version stays valid after later corrections.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Protocol

from .records import BriefInfo, BriefRecord

MARKER = ".plan-first-db"
NAME = re.compile(r"^brief-(\d+)(?:\.v(\d+))?\.md$")
TEMP = re.compile(r"^\.brief-.*\.tmp$|^\.plan-first-db\..*\.tmp$")


class BriefSource(Protocol):
    path: str

    def identity(self) -> str: ...
    def get_brief(self, brief_id: int, version: int | None = None) -> BriefRecord | None: ...
    def brief_versions(self, brief_id: int) -> list[BriefRecord]: ...
    def brief_index(self) -> list[BriefInfo]: ...


class BriefFolderError(Exception):
    """The folder cannot hold this database's briefs; `kind` is a catalogue key."""

    def __init__(self, kind: str, path: Path, **values: object) -> None:
        self.kind, self.path = kind, path
        self.values = {"path": str(path), **values}
        super().__init__(f"{kind}: {path} {values}")


class BriefFileError(Exception):
    """One file could not be written (the brief itself is safe in the database)."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path, self.reason = path, reason
        super().__init__(f"{path}: {reason}")


def default_folder(db_path: str) -> Path:
    """`<database file>-briefs`, next to the database (SQLite's own `-wal` naming)."""
    return Path(f"{db_path}-briefs")


def write_atomic(path: Path, data: bytes) -> None:
    """`data` at `path`, all or nothing: temporary file, fsync, rename."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, path)
    except BaseException:
        try:
            temp.unlink(missing_ok=True)
        except OSError:
            pass
        raise


class BriefFiles:
    """The folder of one database's brief files."""

    def __init__(self, folder: Path, store: BriefSource) -> None:
        self.folder = folder
        self.store = store

    def path(self, brief_id: int, version: int | None = None) -> Path:
        return self.folder / (f"brief-{brief_id}.md" if version is None else f"brief-{brief_id}.v{version}.md")

    # --- ownership ------------------------------------------------------------------------

    def owner(self) -> str | None:
        """The database id the folder's marker names (None: no marker, or unreadable)."""
        try:
            text = (self.folder / MARKER).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
        for line in text.splitlines():
            if line.startswith("store: "):
                return line.removeprefix("store: ").strip()
        return None

    def claim(self) -> None:
        """Make sure the folder exists, is writable and belongs to this database; mark it.

        An unmarked folder is adopted only if every brief file in it is this database's own
        (byte for byte): a folder of files from another database, or from before folders were
        marked, is refused rather than overwritten. Raises BriefFolderError.
        """
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            if not self.folder.is_dir():
                raise BriefFolderError("briefs_folder_unusable", self.folder, reason="not a folder")
        except OSError as exc:
            raise BriefFolderError("briefs_folder_unusable", self.folder, reason=_reason(exc)) from exc
        mine = self.store.identity()
        owner = self.owner()
        if owner is not None and owner != mine:
            raise BriefFolderError("briefs_folder_taken", self.folder, other=self._owner_path() or owner)
        if owner is None:
            stranger = self._foreign_file()
            if stranger is not None:
                raise BriefFolderError("briefs_folder_foreign", self.folder, file=stranger)
        marker = f"plan-first brief folder\nstore: {mine}\ndatabase: {os.path.abspath(self.store.path)}\n"
        try:
            write_atomic(self.folder / MARKER, marker.encode("utf-8", "surrogateescape"))
        except OSError as exc:
            raise BriefFolderError("briefs_folder_unusable", self.folder, reason=_reason(exc)) from exc

    def _owner_path(self) -> str | None:
        try:
            text = (self.folder / MARKER).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
        return next((line.removeprefix("database: ") for line in text.splitlines()
                     if line.startswith("database: ")), None)

    def _foreign_file(self) -> str | None:
        """The first brief file in the folder that this database would not have written."""
        for name in sorted(os.listdir(self.folder)):
            match = NAME.match(name)
            if not match:
                continue
            version = int(match.group(2)) if match.group(2) else None
            record = self.store.get_brief(int(match.group(1)), version)
            try:
                same = record is not None and (self.folder / name).read_bytes() == _bytes(record)
            except OSError:
                same = False
            if not same:
                return name
        return None

    # --- writing --------------------------------------------------------------------------

    def write(self, brief_id: int) -> Path:
        """The files of brief `brief_id` (just committed): its latest version, and each
        version's own file once it has several. Returns the latest's path; BriefFileError."""
        latest = self.store.get_brief(brief_id)
        if latest is None:
            raise BriefFileError(self.path(brief_id), "not in the database")
        files = [(self.path(brief_id), latest)]
        if latest.versions > 1:
            files += [(self.path(brief_id, r.version), r) for r in self.store.brief_versions(brief_id)
                      if r.version == latest.version or not _complete(self.path(brief_id, r.version), r)]
        for path, record in files:
            try:
                write_atomic(path, _bytes(record))
            except OSError as exc:
                raise BriefFileError(path, _reason(exc)) from exc
        return self.path(brief_id)

    def sync(self) -> int:
        """Rewrite every missing or short file from the database, remove what it no longer
        holds and leftover temporary files. Returns the files rewritten; BriefFileError."""
        wanted = self._wanted()
        rewritten = 0
        for name, (info, version) in sorted(wanted.items()):
            path = self.folder / name
            try:
                if path.stat().st_size == info.size:
                    continue
            except OSError:
                pass
            record = self.store.get_brief(info.id, version)
            if record is None:
                continue
            try:
                write_atomic(path, _bytes(record))
            except OSError as exc:
                raise BriefFileError(path, _reason(exc)) from exc
            rewritten += 1
        self._remove(set(wanted))
        return rewritten

    def prune(self) -> int:
        """After `forget`: delete the files of briefs (and versions) no longer in the database,
        only if the folder is this database's. Returns the files deleted."""
        if not self.folder.is_dir() or self.owner() != self.store.identity():
            return 0
        return self._remove(set(self._wanted()))

    def _wanted(self) -> dict[str, tuple[BriefInfo, int | None]]:
        wanted: dict[str, tuple[BriefInfo, int | None]] = {}
        for info in self.store.brief_index():
            if info.version == info.latest:
                wanted[self.path(info.id).name] = (info, None)
            if info.latest > 1:
                wanted[self.path(info.id, info.version).name] = (info, info.version)
        return wanted

    def _remove(self, keep: set[str]) -> int:
        removed = 0
        for name in os.listdir(self.folder):
            if (NAME.match(name) and name not in keep) or TEMP.match(name):
                try:
                    (self.folder / name).unlink()
                except FileNotFoundError:
                    continue
                removed += 1 if NAME.match(name) else 0
        return removed


def _bytes(record: BriefRecord) -> bytes:
    return record.markdown.encode("utf-8", "surrogateescape")


def _complete(path: Path, record: BriefRecord) -> bool:
    try:
        return path.stat().st_size == len(_bytes(record))
    except OSError:
        return False


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__

"""The output folder of a build: checked before any work, locked while a build writes it.

Two builds writing one folder at once would each keep only their own articles in the
manifest and the corpus-wide files, so a build holds an exclusive lock on
``<outdir>/.lock`` (``flock``; released by the OS when the process dies, so a killed
run leaves no stale lock). A second build waits for it, saying which process holds it.
The workbench takes the same lock for each write (never for its lifetime) and refuses
the write while a build holds it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from corpus.errors import BusyError, ConfigError

log = logging.getLogger(__name__)

LOCK_NAME = ".lock"
#: Names in the output folder that belong to the toolkit (besides <corpus_name>.*).
RESERVED_STEMS = frozenset({"manifest", "report", "beads", "corrections", LOCK_NAME})


def check_folder(path: str | os.PathLike[str], what: str) -> Path:
    """Create ``path`` if need be and make sure files can be written there.

    Raises ConfigError naming ``what`` (e.g. "the output folder (-o)") when it is a file,
    cannot be created, or is not writable: checked up front, not once per article.
    """
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"{what} {folder} is a file, not a folder; give a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as err:
        raise ConfigError(f"{what} {folder} is not usable: {err.strerror or err}; "
                          "give a folder you can write to") from err
    return folder


def reserved_reason(article_id: str, corpus_name: str) -> str | None:
    """Why ``article_id`` cannot name files in the output folder, or None when it can."""
    stem = article_id.casefold()
    if stem == corpus_name.casefold():
        return (f"the article id {article_id!r} is the name of the corpus-wide files; "
                "set export.corpus_name in the build config to another name")
    if stem in RESERVED_STEMS or stem.startswith("."):
        return f"the article id {article_id!r} is a name the toolkit keeps for its own files"
    return None


def _holder(fd: int) -> str:
    with contextlib.suppress(OSError, UnicodeDecodeError):
        text = os.pread(fd, 200, 0).decode("utf-8").strip()
        if text:
            return text
    return "another process"


@contextlib.contextmanager
def locked(outdir: Path, *, wait: bool = True, purpose: str = "corpus build") -> Iterator[None]:
    """Hold the exclusive lock on ``outdir`` for the block; ``purpose`` is recorded in the
    lock file, for others to read.

    When another process holds it, wait for it (logging which process that is), or with
    ``wait=False`` raise BusyError naming it.
    """
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock, as before
        log.debug("no file locks on this platform; %s is not locked", outdir)
        yield
        return
    path = outdir / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as err:
        raise ConfigError(f"cannot create the lock file {path}: {err.strerror or err}") from err
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            if not wait:
                raise BusyError(f"{outdir} is being written by {holder}; try again when it "
                                "has finished") from None
            log.warning("%s is being written by %s; waiting for it to finish", outdir, holder)
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        started = datetime.now(UTC).isoformat(timespec="seconds")
        os.pwrite(fd, f"process {os.getpid()} ({purpose}, started {started})\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock

"""Reading files we did not write: one bounded read for every reader of a user's file.

The cap counts the bytes actually read, not the size a file reports: devices, FIFOs and
``/proc`` files report 0 (``/dev/zero`` never ends), so a ``stat`` check alone lets them
through. Bytes are counted as they are read, so a reader that parses as it reads (a TMX,
standard input spooled to a file) stops at the cap without ever holding the file whole.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO, cast

from corpus.errors import CorpusError

STDIO = "-"  # a file name that stands for standard input or output

MiB = 2**20
# One document's files (sentences, beads, corrections, a text to align): a long book is a
# few MiB, and the aligner refuses far less (max_chars), so more is the wrong file.
MAX_DOCUMENT_BYTES = 64 * MiB


def is_stdio(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is ``-``, standard input or output."""
    return os.fspath(path) == STDIO


def _name(path: str | os.PathLike[str]) -> str:
    return "standard input" if is_stdio(path) else os.fspath(path)


def _not_utf8(path: str | os.PathLike[str], detail: str) -> str:
    return f"{_name(path)} is not UTF-8 text ({detail}); save it as UTF-8"


def _size(n: int) -> str:
    return f"{n / MiB:g} MiB" if n >= MiB else f"{n} bytes"


_Raw = io.RawIOBase | io.BufferedReader


class _Capped(io.RawIOBase):
    """A binary stream over ``raw`` that raises ``over()`` once more than ``limit`` bytes
    have come from it, and turns read errors into ``failed(err)``."""

    def __init__(self, raw: _Raw, limit: int, over: Callable[[], CorpusError],
                 failed: Callable[[OSError], CorpusError]) -> None:
        super().__init__()
        self._raw, self._left, self._over, self._failed = raw, limit, over, failed

    def readable(self) -> bool:
        return True

    def readinto(self, buf: Any) -> int:
        try:
            n = self._raw.readinto(buf) or 0
        except OSError as err:
            raise self._failed(err) from err
        self._left -= n
        if self._left < 0:
            raise self._over()
        return n

    def readall(self) -> bytes:
        # in large blocks: RawIOBase's own readall asks for 8 KiB at a time
        chunks = []
        while chunk := self.read(_BLOCK):
            chunks.append(chunk)
        return b"".join(chunks)


_BLOCK = MiB


@contextlib.contextmanager
def open_capped(path: str | os.PathLike[str], limit: int, what: str, *,
                error: Callable[[str], CorpusError]) -> Iterator[BinaryIO]:
    """``path`` (``-``: standard input) open for reading in binary, as a stream that raises
    ``error(message)`` once more than ``limit`` bytes have been read from it, or when it
    cannot be read; the message names the file and what to do. For readers that parse as
    they read (a TMX), so that a large file is never held whole in memory.

    ``what`` names the kind of file ("a seed document").
    """
    name = _name(path)

    def over() -> CorpusError:
        return error(f"{name} is too large for {what} (over {_size(limit)}, counted as read); "
                     "is it the right file?")

    def failed(err: OSError) -> CorpusError:
        return error(f"cannot read {name}: {err.strerror or err}")

    if is_stdio(path):
        raw: _Raw = cast(io.BufferedReader, sys.stdin.buffer)
    else:
        try:
            raw = open(path, "rb", buffering=0)  # noqa: PTH123, SIM115 - closed below
        except OSError as err:
            raise failed(err) from err
    try:
        yield io.BufferedReader(_Capped(raw, limit, over, failed), buffer_size=_BLOCK)
    finally:
        if not is_stdio(path):
            raw.close()


def read_capped(path: str | os.PathLike[str], limit: int, what: str, *,
                error: Callable[[str], CorpusError]) -> bytes:
    """The bytes of ``path`` (``-``: standard input), at most ``limit`` of them.

    ``what`` names the kind of file ("a seed document"). A file that cannot be read or
    holds more raises ``error(message)``; the message names the file and what to do.
    """
    with open_capped(path, limit, what, error=error) as fh:
        return fh.read()


def decode_text(data: bytes, path: str | os.PathLike[str], *,
                error: Callable[[str], CorpusError], encoding: str = "utf-8") -> str:
    """``data``, read from ``path``, decoded: bytes that are not UTF-8 raise ``error``
    naming the file."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as err:
        raise error(_not_utf8(path, f"{err.reason} at byte {err.start}")) from err


def iter_lines(path: str | os.PathLike[str], limit: int, what: str, *,
               error: Callable[[str], CorpusError], encoding: str = "utf-8") -> Iterator[str]:
    """The lines of ``path`` as it is read (never held whole), split on ``\\n`` only (U+2028
    and friends are text) and without their ``\\n`` or ``\\r\\n``; ``error`` naming the
    file when it is unreadable, passes ``limit`` or is not ``encoding`` (UTF-8)."""
    with open_capped(path, limit, what, error=error) as fh:
        text = io.TextIOWrapper(fh, encoding=encoding, newline="\n")
        try:
            for line in text:
                yield line.removesuffix("\n").removesuffix("\r")
        except UnicodeDecodeError as err:  # its offset counts from the block, not the file
            raise error(_not_utf8(path, err.reason)) from err


def read_text(path: str | os.PathLike[str], limit: int, what: str, *,
              error: Callable[[str], CorpusError], encoding: str = "utf-8") -> str:
    """:func:`read_capped`, decoded: a file that is not UTF-8 raises ``error`` too."""
    return decode_text(read_capped(path, limit, what, error=error), path, error=error,
                       encoding=encoding)

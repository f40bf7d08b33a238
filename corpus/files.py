"""Reading files we did not write: one bounded read for every reader of a user's file.

The cap counts the bytes actually read, not the size a file reports: devices, FIFOs and
``/proc`` files report 0 (``/dev/zero`` never ends), so a ``stat`` check alone lets them
through. One byte over the cap is read to tell "too large" from "just fits".
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

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


def _size(n: int) -> str:
    return f"{n / MiB:g} MiB" if n >= MiB else f"{n} bytes"


def read_capped(path: str | os.PathLike[str], limit: int, what: str, *,
                error: Callable[[str], CorpusError]) -> bytes:
    """The bytes of ``path`` (``-``: standard input), at most ``limit`` of them.

    ``what`` names the kind of file ("a seed document"). A file that cannot be read or
    holds more raises ``error(message)``; the message names the file and what to do.
    """
    name = _name(path)
    try:
        if is_stdio(path):
            data = sys.stdin.buffer.read(limit + 1)
        else:
            with open(path, "rb") as fh:  # noqa: PTH123 - str or PathLike alike
                data = fh.read(limit + 1)
    except OSError as err:
        raise error(f"cannot read {name}: {err.strerror or err}") from err
    if len(data) > limit:
        raise error(f"{name} is too large for {what} (over {_size(limit)}, counted as read); "
                    "is it the right file?")
    return data


def decode_text(data: bytes, path: str | os.PathLike[str], *,
                error: Callable[[str], CorpusError], encoding: str = "utf-8") -> str:
    """``data``, read from ``path``, decoded: bytes that are not UTF-8 raise ``error``
    naming the file."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as err:
        raise error(f"{_name(path)} is not UTF-8 text ({err.reason} at byte {err.start}); "
                    "save it as UTF-8") from err


def read_text(path: str | os.PathLike[str], limit: int, what: str, *,
              error: Callable[[str], CorpusError], encoding: str = "utf-8") -> str:
    """:func:`read_capped`, decoded: a file that is not UTF-8 raises ``error`` too."""
    return decode_text(read_capped(path, limit, what, error=error), path, error=error,
                       encoding=encoding)

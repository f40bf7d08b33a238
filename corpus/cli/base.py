"""What every subcommand module shares: exit codes, the logger, logging set-up, JSON output."""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from typing import IO, Any

from corpus.terminal import CONTROLS

log = logging.getLogger("corpus")

EXIT_OK = 0
EXIT_FAILED_ITEMS = 1  # the command ran, but some articles/items failed
EXIT_ERROR = 2  # the command could not run (bad input, bad config)
EXIT_INTERRUPTED = 130  # stopped by Ctrl-C (128 + SIGINT, as shells report it)


# One field of a line also escapes what would break the line (see corpus.terminal)
_FIELD_CONTROLS = re.compile(CONTROLS.pattern[:-1] + "\t\n\u2028\u2029]")


def _escape(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe(text: object) -> str:
    """One field of a line printed for people: controls, tabs and newlines escaped."""
    return _FIELD_CONTROLS.sub(_escape, str(text))


def safe_lines(text: str) -> str:
    """Text printed for people: controls escaped, tabs and newlines kept."""
    return CONTROLS.sub(_escape, text)


class _SafeFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return safe_lines(super().format(record))


class SafeStream:
    """A text stream that escapes control characters: standard output on a terminal
    (written to a file or a pipe, output stays byte for byte)."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(safe_lines(text))
        return len(text)

    @property
    def unwrapped(self) -> IO[str]:
        """The stream itself, for output already made safe that carries escape sequences of
        its own (search's KWIC lines mark the match in bold)."""
        return self._stream

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def setup_logging(verbose: int, quiet: int) -> None:
    """Configure the root of our loggers; the only place logging is configured."""
    level = logging.WARNING - 10 * verbose + 10 * quiet
    level = max(logging.DEBUG, min(logging.CRITICAL, level))
    handler = logging.StreamHandler(sys.stderr)
    fmt = "%(levelname)s %(name)s: %(message)s" if verbose >= 2 else "%(levelname)s: %(message)s"
    handler.setFormatter(_SafeFormatter(fmt))
    root = logging.getLogger("corpus")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


def common_options(suppress: bool) -> argparse.ArgumentParser:
    """Options accepted both before and after the subcommand name."""
    p = argparse.ArgumentParser(add_help=False)
    default = argparse.SUPPRESS if suppress else 0
    g = p.add_argument_group("output verbosity")
    g.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=default,
        help="more log output (-vv: debug, with tracebacks)",
    )
    g.add_argument(
        "-q", "--quiet", action="count", default=default, help="less log output, no progress bars"
    )
    return p


def given_settings(args: argparse.Namespace, names: dict[str, str]) -> dict[str, Any]:
    """The settings whose flags the user gave, as {setting: value} for ``names`` ({argparse
    dest: setting}). Options default to None ("not given"), so a flag wins over a config
    file even where it repeats the default. Each option's parser already gives the setting's
    type (``--original`` collects a dict), so values pass through unchanged."""
    out: dict[str, Any] = {}
    for dest, key in names.items():
        value = getattr(args, dest, None)
        if value is not None:
            out[key] = value
    return out


def print_json(obj: object) -> None:
    # json escapes C0 controls itself; C1, DEL and bidi overrides get \\u escapes too
    text = json.dumps(obj, ensure_ascii=False, indent=2)
    sys.stdout.write(CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n")

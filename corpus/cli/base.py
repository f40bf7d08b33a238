"""What every subcommand module shares: exit codes, the logger, logging set-up, JSON output."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Any

log = logging.getLogger("corpus")

EXIT_OK = 0
EXIT_FAILED_ITEMS = 1  # the command ran, but some articles/items failed
EXIT_ERROR = 2  # the command could not run (bad input, bad config)
EXIT_INTERRUPTED = 130  # stopped by Ctrl-C (128 + SIGINT, as shells report it)


def setup_logging(verbose: int, quiet: int) -> None:
    """Configure the root of our loggers; the only place logging is configured."""
    level = logging.WARNING - 10 * verbose + 10 * quiet
    level = max(logging.DEBUG, min(logging.CRITICAL, level))
    handler = logging.StreamHandler(sys.stderr)
    fmt = "%(levelname)s %(name)s: %(message)s" if verbose >= 2 else "%(levelname)s: %(message)s"
    handler.setFormatter(logging.Formatter(fmt))
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
    file even where it repeats the default."""
    out: dict[str, Any] = {}
    for dest, key in names.items():
        value = getattr(args, dest, None)
        if value is not None:
            out[key] = dict(value) if isinstance(value, list) and key == "originals" else value
    return out


def print_json(obj: object) -> None:
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")

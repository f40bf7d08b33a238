"""Shared pytest fixtures."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

import pytest
from hypothesis import settings

from tests.httpserver import HTTPTestServer, serve

# CI runs the property tests derandomized, so a submission's result does not depend on the
# draw; locally they explore fresh examples each run (and keep failures in .hypothesis/).
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def http_server() -> Iterator[HTTPTestServer]:
    """A scriptable HTTP server on 127.0.0.1 (see tests/httpserver.py), one per test."""
    yield from serve()


@pytest.fixture(autouse=True)
def _restore_corpus_logger() -> Iterator[None]:
    """Undo what a CLI test's main() does to the 'corpus' logger (its own handler, level and
    propagate=False), so caplog sees log lines whatever tests ran before in this process."""
    log = logging.getLogger("corpus")
    handlers, level, propagate = log.handlers[:], log.level, log.propagate
    yield
    log.handlers[:] = handlers
    log.setLevel(level)
    log.propagate = propagate

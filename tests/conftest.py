"""Shared pytest fixtures."""

from __future__ import annotations

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

"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.httpserver import HTTPTestServer, serve


@pytest.fixture
def http_server() -> Iterator[HTTPTestServer]:
    """A scriptable HTTP server on 127.0.0.1 (see tests/httpserver.py), one per test."""
    yield from serve()

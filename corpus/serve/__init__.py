"""`corpus serve`: the study workbench, a local web application over a built corpus.

``articles`` (no web framework) loads articles and their corrections and applies edits;
``app`` is the Starlette application, imported only when serving (the 'serve' extra).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def run(outdir: str | Path, *, host: str = "127.0.0.1", port: int = 8765) -> None:
    """Serve the workbench over ``outdir`` until interrupted."""
    from corpus.serve.app import serve

    serve(Path(outdir), host=host, port=port)


def create_app(outdir: str | Path, **kw: Any) -> Any:
    """The Starlette application over ``outdir`` (for tests and other ASGI servers)."""
    from corpus.serve.app import create_app as make

    return make(Path(outdir), **kw)

"""The page shell every report file shares: head, inline CSS/JS, CSP, file names.

CSS and JS are inlined so each file opens from disk on its own (no server, no CDN).
A Content-Security-Policy allows only our own script, by hash: article text is escaped,
and even if some text slipped through unescaped, a ``<script>`` in it could not run.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import cache
from html import escape
from importlib import resources


@cache
def _static(name: str) -> str:
    return resources.files("corpus.report").joinpath("static", name).read_text("utf-8")


def page(title: str, body: str, *, lang: str = "en", kind: str) -> str:
    """Wrap ``body`` (already escaped HTML) in a complete, self-contained document."""
    css, js = _static("report.css"), _static("report.js")
    digest = base64.b64encode(hashlib.sha256(js.encode("utf-8")).digest()).decode("ascii")
    csp = (f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{digest}'; "
           "img-src data:; base-uri 'none'; form-action 'none'")
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="corpus report">\n'
        f"<title>{escape(title)}</title>\n<style>{css}</style>\n</head>\n"
        f'<body class="{kind}">\n{body}\n<script>{js}</script>\n</body>\n</html>\n'
    )


def link(url: object, text: str | None = None) -> str:
    """An ``<a>`` for http(s) URLs only; anything else is shown as plain text."""
    s = str(url)
    label = escape(text if text is not None else s)
    if re.match(r"https?://", s, re.IGNORECASE):
        return f'<a href="{escape(s)}" rel="noopener noreferrer">{label}</a>'
    return label


def safe_name(article_id: str, taken: set[str]) -> str:
    """A file name stem for an article: ASCII letters, digits, ``._-``; unique within ``taken``."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", article_id).strip("._") or "article"
    stem = stem[:120]
    name, n = stem, 1
    while name.lower() in taken:
        n += 1
        name = f"{stem}-{n}"
    taken.add(name.lower())
    return name

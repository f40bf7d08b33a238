"""Static HTML report: every article side by side, and an index with corpus statistics.

One file per article under ``articles/`` plus ``index.html``; no server, no CDN: each file
opens from disk on its own. All article text is HTML-escaped (it comes from the web).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from corpus.errors import ExportError
from corpus.export.common import atomic_write
from corpus.model import AlignedDocument
from corpus.provenance import Provenance
from corpus.report.article import render_article
from corpus.report.index import render_index
from corpus.report.load import documents_from_records
from corpus.report.page import safe_name
from corpus.stats import DEFAULT_LOW_SCORE, corpus_stats

log = logging.getLogger(__name__)

__all__ = ["DEFAULT_LOW_SCORE", "documents_from_records", "write_report"]

ARTICLES_DIR = "articles"


def write_report(
    docs: Sequence[AlignedDocument], outdir: Path, *, low_score: float = DEFAULT_LOW_SCORE,
    title: str = "Aligned articles", provenance: Provenance | None = None,
) -> Path:
    """Write ``index.html`` and one page per article under ``outdir``; return the index path.

    Each file is written atomically. ``low_score`` is the score below which a paired bead
    is flagged. ``provenance`` (what produced the beads) is shown on the index.
    """
    outdir = Path(outdir)
    if outdir.exists() and not outdir.is_dir():
        raise ExportError(f"report folder {outdir} exists and is not a folder; pick another -o")
    cstats = corpus_stats(docs, low_score=low_score)
    taken: set[str] = {"index"}
    names = [safe_name(d.article_id, taken) + ".html" for d in docs]
    for k, (doc, stats, name) in enumerate(zip(docs, cstats.docs, names, strict=True)):
        html = render_article(
            doc, stats, low_score=low_score,
            prev_href=names[k - 1] if k > 0 else None,
            next_href=names[k + 1] if k + 1 < len(names) else None,
        )
        with atomic_write(outdir / ARTICLES_DIR / name) as f:
            f.write(html)
    index = outdir / "index.html"
    with atomic_write(index) as f:
        f.write(render_index(docs, cstats, [f"{ARTICLES_DIR}/{n}" for n in names], title=title,
                             provenance=provenance))
    log.info("wrote a report of %d articles to %s", len(docs), index)
    return index

"""Seeds from addresses: fetch cn.nytimes.com article pages and write seed documents.

    with Fetcher(config) as fetcher:
        outcomes = add_seeds(["https://cn.nytimes.com/china/20240621/slug/"], "seeds",
                             fetcher)

Every address ends with an :class:`AddOutcome`: written, already there (nothing is
fetched for it), or failed with a reason (not a cn.nytimes.com address, not an article,
HTTP 404, no English original …). A failure never stops the rest. Pages come through
the fetcher's client and cache, so a rerun asks no server again.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus.cnsite import canonical_article_url, list_links, parse_article_page, site_url
from corpus.errors import CorpusError, HTTPStatusError, SeedError
from corpus.fetch import Fetcher
from corpus.files import MiB, read_capped
from corpus.http import HTML_TYPES, Page, decode
from corpus.seeds import SeedFailure, article_id_from_url, parse_seed, read_seeds
from corpus.seedwriter import render_seed, save_seed, seed_file_name

log = logging.getLogger(__name__)

#: Content types a section page or a feed comes as.
LIST_TYPES = (*HTML_TYPES, "application/rss+xml", "application/atom+xml", "application/xml",
              "text/xml")
#: Answers that say the page is not there; remembered in the cache like a page.
GONE_STATUSES = frozenset({404, 410})
#: An address list is a few thousand lines; a file far larger is not one.
MAX_LIST_BYTES = 16 * MiB


class AddStatus(enum.StrEnum):
    WRITTEN = "written"
    REPLACED = "replaced"  # an existing seed of the article, rewritten (--force)
    EXISTS = "exists"  # a seed of the article is already there; nothing fetched
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class AddOutcome:
    """What became of one address."""

    address: str  # as given
    status: AddStatus
    article_id: str | None = None
    path: str | None = None  # the seed file written or found
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not AddStatus.FAILED

    def to_dict(self) -> dict[str, Any]:
        return {"address": self.address, "status": self.status.value,
                "article_id": self.article_id, "path": self.path, "reason": self.reason}

    def as_failure(self) -> SeedFailure:
        return SeedFailure(path=self.address, reason=self.reason)


def read_address_list(path: str | Path) -> list[str]:
    """Addresses from a text file: one per line; blank lines and ``#`` comments skipped."""
    data = read_capped(path, MAX_LIST_BYTES, "a list of addresses", error=SeedError)
    text = data.decode("utf-8-sig", errors="replace")
    return [ln.strip() for ln in text.splitlines()
            if ln.strip() and not ln.lstrip().startswith("#")]


def _why(err: CorpusError) -> str:
    if isinstance(err, HTTPStatusError) and err.status in GONE_STATUSES:
        return f"{err.message}: no such article on the site (a typo, or removed)"
    return err.message


def _existing(folder: Path) -> dict[str, str]:
    """Article id -> seed file, for the seeds already in ``folder``."""
    if not folder.is_dir():
        return {}
    return {a.id: a.seed_path or "" for a in read_seeds([folder]).articles}


def add_seeds(addresses: Iterable[str], folder: str | Path, fetcher: Fetcher, *,
              force: bool = False) -> list[AddOutcome]:
    """Write a seed into ``folder`` for each address; one outcome per address, in order.

    An article that already has a seed in ``folder`` (under any file name) is left alone
    and not fetched, unless ``force``: then its seed is rewritten in place.
    """
    out_dir = Path(folder)
    if out_dir.exists() and not out_dir.is_dir():
        raise SeedError(f"{out_dir} is a file; seeds are written into a folder",
                        path=str(out_dir))
    existing = _existing(out_dir)
    site = fetcher.config.dual_base
    outcomes: list[AddOutcome] = []
    done: set[str] = set()
    for address in addresses:
        try:
            cn_url = canonical_article_url(address, site)
            art_id = article_id_from_url(cn_url)
        except SeedError as err:
            outcomes.append(AddOutcome(address, AddStatus.FAILED, reason=err.message))
            continue
        if art_id in done:
            outcomes.append(AddOutcome(address, AddStatus.EXISTS, art_id, existing.get(art_id),
                                       "listed more than once"))
            continue
        done.add(art_id)
        old = existing.get(art_id)
        if old and not force:
            outcomes.append(AddOutcome(address, AddStatus.EXISTS, art_id, old,
                                       "a seed of this article is already there "
                                       "(--force rewrites it)"))
            continue
        try:
            path = _write_one(cn_url, art_id, out_dir, old, fetcher, force=force)
        except CorpusError as err:
            log.info("%s: %s", address, err)
            outcomes.append(AddOutcome(address, AddStatus.FAILED, art_id, reason=_why(err)))
            continue
        except Exception as err:  # a bug on one page must not stop a list of thousands
            log.exception("%s: unexpected error", address)
            outcomes.append(AddOutcome(address, AddStatus.FAILED, art_id,
                                       reason=f"unexpected error (a bug; please report it): "
                                       f"{err!r}"))
            continue
        status = AddStatus.REPLACED if old else AddStatus.WRITTEN
        outcomes.append(AddOutcome(address, status, art_id, str(path)))
        existing[art_id] = str(path)
    return outcomes


def _get_article_page(cn_url: str, fetcher: Fetcher) -> Page:
    """The article page, through the cache; a "no such page" answer is cached too, so a
    rerun does not ask again for an address that is gone (``--refresh`` asks again)."""
    url = site_url(cn_url, fetcher.config.dual_base)
    try:
        page = fetcher.get_page(url)
    except HTTPStatusError as err:
        if err.status in GONE_STATUSES:
            fetcher.remember_status(url, err.status)
        raise
    if page.status in GONE_STATUSES:
        raise HTTPStatusError(f"HTTP {page.status} when asked on {page.fetched_at:%Y-%m-%d} "
                              "(remembered; --refresh asks again)", status=page.status, url=url)
    return page


def _write_one(cn_url: str, art_id: str, out_dir: Path, old: str | None, fetcher: Fetcher,
               *, force: bool) -> Path:
    page = _get_article_page(cn_url, fetcher)
    doc = parse_article_page(page.text(), cn_url, crawled=page.fetched_at)
    text = render_seed(doc)
    target = Path(old) if old else out_dir / seed_file_name(art_id)
    parse_seed(text, str(target))  # what we write must read back as a seed
    save_seed(text, target, force=force)
    log.info("%s: seed written to %s", art_id, target)
    return target


def links_on_page(page: str, fetcher: Fetcher) -> list[str]:
    """The article addresses on a section page or feed: ``page`` is an address (fetched
    through the client and cache) or a local file."""
    site = fetcher.config.dual_base
    if "://" in page:
        got = fetcher.get_page(site_url(page, site), accept=LIST_TYPES)
        return list_links(got.text(), page, site)
    data = read_capped(page, fetcher.config.max_bytes, "a page (max_bytes)", error=SeedError)
    return list_links(decode(data), site_base=site)  # a saved page may declare GBK

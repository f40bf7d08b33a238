"""An on-disk cache of fetched pages, keyed by URL, so a rerun asks no server twice.

Layout: ``<dir>/<2 hex>/<sha256 of URL>.json`` (URL, final URL, status, headers, fetch
time) beside ``.body`` (the bytes as received). Both are written to a temporary file
and renamed into place, body first: an entry exists once its ``.json`` does, so a crash
mid-write leaves no half entry behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
from datetime import datetime
from pathlib import Path

from corpus.config import FetchConfig
from corpus.errors import FetchError
from corpus.files import read_capped
from corpus.http import Page

log = logging.getLogger(__name__)

ENV_VAR = "CORPUS_CACHE_DIR"


def default_cache_dir() -> Path:
    """``$CORPUS_CACHE_DIR``, else the user's cache folder (XDG on Linux) + ``corpus/http``."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    if os.name == "nt":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif os.uname().sysname == "Darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "corpus" / "http"


# an entry's metadata is a few headers: anything larger was not written by put()
_MAX_META_BYTES = 1024 * 1024


class PageCache:
    """Pages on disk, keyed by the URL asked for; safe to share between threads.

    A cache may come from another machine (``corpus fetch`` where the sites are reachable),
    so its files are read as input we did not write: a body over ``max_bytes`` (the
    response cap it was fetched under) or a metadata file over 1 MiB is a broken entry.
    """

    def __init__(self, directory: str | Path | None = None, *,
                 max_bytes: int = FetchConfig.max_bytes) -> None:
        self.dir = Path(directory).expanduser() if directory else default_cache_dir()
        self.max_bytes = max_bytes

    def _paths(self, url: str) -> tuple[Path, Path]:
        key = hashlib.sha256(url.encode("utf-8")).hexdigest()
        sub = self.dir / key[:2]
        return sub / f"{key}.json", sub / f"{key}.body"

    def get(self, url: str, *, allow_private: bool = False) -> Page | None:
        """The cached page for ``url``, or None (an unreadable entry counts as missing).

        A page fetched from a loopback/private address (under ``allow_private``) is served
        only when ``allow_private`` is given again: the cache must not become a way around
        the address guard. Entries that do not record how they were allowed count as private.
        """
        meta_path, body_path = self._paths(url)
        if not meta_path.exists():
            return None
        try:
            meta = json.loads(read_capped(meta_path, _MAX_META_BYTES, "a cache entry",
                                          error=FetchError))
            body = read_capped(body_path, self.max_bytes, "a cached page (max_bytes)",
                               error=FetchError)
        except (FetchError, ValueError, RecursionError) as err:
            log.warning("ignoring a broken cache entry for %s: %s", url, err)
            return None
        if meta.get("url") != url or meta.get("size") != len(body):
            log.warning("ignoring a mismatched cache entry for %s", url)
            return None
        private = meta.get("private") is not False
        if private and not allow_private:
            log.info("not serving %s from the cache: it was fetched from a private address "
                     "under --allow-private", url)
            return None
        try:
            return Page(url=url, final_url=meta["final_url"], status=meta["status"],
                        headers=meta["headers"], body=body,
                        fetched_at=datetime.fromisoformat(meta["fetched_at"]), from_cache=True,
                        redirects=tuple(meta.get("redirects", ())), private=private)
        except (KeyError, TypeError, ValueError) as err:
            log.warning("ignoring a broken cache entry for %s: %r", url, err)
            return None

    def put(self, page: Page) -> None:
        """Store ``page`` under the URL it was asked for, atomically."""
        meta_path, body_path = self._paths(page.url)
        meta = {"url": page.url, "final_url": page.final_url, "status": page.status,
                "headers": page.headers, "fetched_at": page.fetched_at.isoformat(),
                "redirects": list(page.redirects), "size": len(page.body),
                "private": page.private}
        try:
            meta_path.parent.mkdir(parents=True, exist_ok=True)
            _write_atomic(body_path, page.body)
            _write_atomic(meta_path, json.dumps(meta, ensure_ascii=False, indent=1).encode())
        except OSError as err:
            raise FetchError(f"cannot write the cache in {self.dir}: {err}; "
                             "choose another folder with --cache-dir", url=page.url) from err

    def delete(self, url: str) -> None:
        """Forget ``url`` (a page that turned out to be a paywall is asked again next time)."""
        for path in self._paths(url):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        Path(tmp).replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(tmp).unlink()
        raise

"""robots.txt: ask each host what it allows before fetching from it.

The rules of a host are read once per run (kept in memory) and their file is kept in the
page cache like any page, so a rerun asks no host for it again. Answers follow RFC 9309:
a robots.txt that is missing (any 4xx) allows everything; one that cannot be had (5xx,
no connection) allows nothing until it can be read. Rules are matched for the product
token ``corpus`` (the first word of our User-Agent that robots.txt files can name).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

from corpus.errors import FetchError, HTTPStatusError, RobotsError
from corpus.http import Page

log = logging.getLogger(__name__)

#: The name robots.txt rules address us by.
ROBOTS_AGENT = "corpus"


def robots_url(url: str) -> str:
    """``scheme://host[:port]/robots.txt`` of the host that serves ``url``."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))


class RobotsRules:
    """Per-host robots.txt rules; ``check(url)`` raises RobotsError for a disallowed URL.

    ``fetch(robots_url)`` returns the robots.txt page (from the cache or the server) and
    raises HTTPStatusError or FetchError as :meth:`corpus.http.HttpClient.get` does.
    Safe to share between worker threads.
    """

    def __init__(self, fetch: Callable[[str], Page], agent: str = ROBOTS_AGENT) -> None:
        self._fetch = fetch
        self.agent = agent
        # robots URL -> rules, or the error that kept us from reading them
        self._rules: dict[str, RobotFileParser | FetchError] = {}
        self._lock = threading.Lock()
        self._host_locks: dict[str, threading.Lock] = {}

    def check(self, url: str) -> None:
        where = robots_url(url)
        rules = self._rules_for(where)
        if isinstance(rules, FetchError):  # chained, so a caller sees a network failure
            raise RobotsError(f"{where} could not be read ({rules.message}), and RFC 9309 says "
                              "to assume then that nothing may be fetched; try again later, or "
                              "pass --ignore-robots if you have the site's permission",
                              url=url) from rules
        if not rules.can_fetch(self.agent, url):
            raise RobotsError(f"{where} disallows this URL for robots; pass --ignore-robots "
                              "only if you have the site's permission", url=url)

    def _rules_for(self, where: str) -> RobotFileParser | FetchError:
        with self._lock:
            if where in self._rules:
                return self._rules[where]
            host_lock = self._host_locks.setdefault(where, threading.Lock())
        with host_lock:  # one worker reads a host's file; the others wait for its rules
            with self._lock:
                if where in self._rules:
                    return self._rules[where]
            rules = self._read(where)
            with self._lock:
                self._rules[where] = rules
            return rules

    def _read(self, where: str) -> RobotFileParser | FetchError:
        parser = RobotFileParser(where)
        try:
            page = self._fetch(where)
        except HTTPStatusError as err:
            if 400 <= err.status < 500:
                parser.allow_all = True  # type: ignore[attr-defined]  # no robots.txt: all allowed
                return parser
            return err
        except FetchError as err:
            return err
        if 400 <= page.status < 500:  # a kept "no robots.txt" answer
            parser.allow_all = True  # type: ignore[attr-defined]  # read by can_fetch()
            return parser
        parser.parse(page.text().splitlines())
        log.debug("read %s", where)
        return parser

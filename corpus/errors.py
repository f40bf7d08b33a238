"""One exception hierarchy for the whole toolkit.

Every error carries the article id and URL when they are known, so a message can
say what failed, for which article, and what to do next. Input errors also
subclass ``ValueError`` (as requests does) so generic handlers still work.
"""

from __future__ import annotations

from corpus._version import DISTRIBUTION


class CorpusError(Exception):
    """Root of every error the toolkit raises on purpose."""

    def __init__(
        self, message: str, *, article_id: str | None = None, url: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.article_id = article_id
        self.url = url

    def __str__(self) -> str:
        where = []
        if self.article_id:
            where.append(f"article {self.article_id}")
        if self.url:
            where.append(self.url)
        prefix = f"{', '.join(where)}: " if where else ""
        return f"{prefix}{self.message}"


class ConfigError(CorpusError, ValueError):
    """A setting, flag or config file is wrong."""


class BusyError(ConfigError):
    """The output folder is locked by another process (a build, or a workbench edit)."""


class SeedError(CorpusError, ValueError):
    """A seed document cannot be read or parsed."""

    def __init__(self, message: str, *, path: str | None = None, **kw: str | None) -> None:
        super().__init__(message, **kw)
        self.path = path

    def __str__(self) -> str:
        base = super().__str__()
        return f"{self.path}: {base}" if self.path else base


class FetchError(CorpusError):
    """Getting a page over HTTP (or from the cache) failed."""


class HTTPStatusError(FetchError):
    """The server answered with an error status."""

    def __init__(self, message: str, *, status: int, **kw: str | None) -> None:
        super().__init__(message, **kw)
        self.status = status


class TooLargeError(FetchError):
    """The response body is larger than the configured cap."""


class PaywallError(FetchError):
    """The page is a paywall, consent or access-check page, not the article."""


class BlockedURLError(FetchError, ValueError):
    """The URL is not allowed (scheme, private or loopback address)."""


class DeadlineError(FetchError):
    """A request took longer than its whole-request deadline (a server sending too slowly)."""


class RobotsError(FetchError):
    """The host's robots.txt does not allow us to fetch the URL."""


class OfflineMissError(FetchError):
    """Offline mode asked for a page that is not in the cache."""


class SourcesExhaustedError(FetchError):
    """Every source of an article's English text failed; ``attempts`` says how each did."""

    def __init__(self, message: str, *, attempts: tuple = (), **kw: str | None) -> None:
        super().__init__(message, **kw)
        self.attempts = attempts  # tuple[model.SourceAttempt, ...]


class ExtractError(CorpusError):
    """Turning a page into paragraphs failed."""


class EmptyPageError(ExtractError):
    """The page yields too little text to be the article."""


class TruncatedPageError(EmptyPageError):
    """The page serves only the start of the article (it says so, or it is far too short)."""


class NotAnArticleError(ExtractError):
    """The page is not an article page (a section front, a home page, a teaser list)."""


class SegmentError(CorpusError):
    """Splitting text into sentences failed."""


class AlignError(CorpusError):
    """Aligning two documents failed."""


class EmbedError(CorpusError):
    """An encoder could not be loaded or failed to encode."""


class ExportError(CorpusError):
    """Writing or reading an output file failed."""


class CorrectionsError(CorpusError, ValueError):
    """A corrections file (``corrections/<id>.align``) is malformed or does not fit."""


class SearchError(CorpusError):
    """The search index cannot be built or read, or a query is malformed."""


class EvaluateError(CorpusError, ValueError):
    """Scoring inputs do not fit together (line counts, formats)."""


class MissingDependencyError(CorpusError, ImportError):
    """An optional package is needed; the message names the extra to install."""

    def __init__(self, package: str, extra: str, purpose: str) -> None:
        super().__init__(
            f"{purpose} needs the package {package!r}, which is not installed; "
            f"install it with: pip install '{DISTRIBUTION}[{extra}]'"
        )
        self.package = package
        self.extra = extra

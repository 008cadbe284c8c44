"""SMS segment counting on known cases."""

from __future__ import annotations

from flows.gsm7 import budget, strip_pictographs, to_gsm7


def test_pure_gsm7_counts_one_septet_per_character() -> None:
    result = budget("Bonjour ! Etes-vous d'accord ? 1 - Oui")
    assert (result.encoding, result.units, result.segments) == ("GSM-7", 38, 1)


def test_one_typographic_apostrophe_forces_ucs2() -> None:
    result = budget("C’est " + "a" * 70)
    assert result.encoding == "UCS-2"
    assert result.offending == ("’",)
    assert (result.units, result.segments) == (76, 2)


def test_one_emoji_takes_two_ucs2_units() -> None:
    result = budget("Oui 👍")
    assert (result.encoding, result.units, result.segments) == ("UCS-2", 6, 1)
    assert budget("a" * 68 + "👍").segments == 1
    assert budget("a" * 69 + "👍").segments == 2


def test_160_characters_fit_one_segment_161_need_two() -> None:
    assert budget("a" * 160).segments == 1
    assert budget("a" * 161).segments == 2
    assert budget("a" * 306).segments == 2
    assert budget("a" * 307).segments == 3


def test_extension_characters_count_double_and_never_straddle_segments() -> None:
    assert budget("€" * 80).units == 160
    assert budget("€" * 80).segments == 1
    # 152 septets, then a 2-septet euro sign that cannot be split: it opens segment two.
    assert budget("a" * 152 + "€" + "a" * 152).segments == 3


def test_emoji_never_straddles_ucs2_segments() -> None:
    assert budget("ê" * 66 + "👍" + "ê" * 66).segments == 3


def test_typographic_rewrite_makes_text_gsm7() -> None:
    text = to_gsm7("C’est « oui » – d’accord…", typographic_only=True)
    assert text == "C'est \" oui \" - d'accord..."
    assert budget(text).encoding == "GSM-7"


def test_pictographs_are_stripped_with_their_joiners() -> None:
    assert strip_pictographs("Oui ✅\nNon ❌ 👩🏽‍💻 fin") == "Oui\nNon fin"

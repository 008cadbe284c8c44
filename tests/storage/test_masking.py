"""Phone numbers and e-mail addresses are masked in any written form; short numbers are kept."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storage.masking import EMAIL_MASK, PHONE_MASK, mask

SEPARATORS = st.sampled_from([" ", ".", "-", "/", "  ", " - ", " / ", ". ", ""])
WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéèàç ", max_size=30)


@st.composite
def french_numbers(draw: st.DrawFn) -> str:
    """A French number as people write it: groups of any size, any separators, any prefix."""
    digits = "0" + draw(st.sampled_from("1234567")) + draw(st.text("0123456789", min_size=8, max_size=8))
    prefix = draw(st.sampled_from(["", "+33 ", "+33 (0)", "0033 ", "+33(0) ", "(+33) "]))
    body = digits[1:] if prefix else digits
    sep = draw(SEPARATORS)
    groups, rest = [], body
    while rest:
        size = draw(st.integers(1, 4))
        groups.append(rest[:size])
        rest = rest[size:]
    return prefix + sep.join(groups)


@given(before=WORDS, number=french_numbers(), after=WORDS)
def test_a_phone_number_in_any_form_leaves_no_digit(before: str, number: str, after: str) -> None:
    masked = mask(f"{before} {number} {after}")
    assert PHONE_MASK in masked
    assert not any(c.isdigit() for c in masked), masked


@given(
    local=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789._+-", min_size=1, max_size=20),
    domain=st.sampled_from(["localhost", "gmail.com", "mairie-creteil.fr", "x.y.z.org", "intranet"]),
    before=WORDS,
    after=WORDS,
)
def test_an_email_address_is_masked_even_a_local_one(local: str, domain: str, before: str,
                                                      after: str) -> None:  # fmt: skip
    masked = mask(f"{before} {local}@{domain} {after}")
    assert EMAIL_MASK in masked
    assert "@" not in masked and domain not in masked.replace(EMAIL_MASK, "")


@given(number=st.integers(0, 99_999_999))
def test_short_numbers_are_kept(number: int) -> None:
    text = f"j'ai {number} ans et j'habite au 12 rue de la Paix, le 12/03/2024"
    assert mask(text) == text


@pytest.mark.parametrize("typed", [
    "06/12/34/56/78", "+33 (0)6 12 34 56 78", "06.12.34.56.78", "0612345678", "06 12 34 56 78",
    "+44 20 7946 0958", "+1 (415) 555-0100", "06-12-34-56-78",
])  # fmt: skip
def test_the_forms_seen_in_exports_are_masked(typed: str) -> None:
    assert mask(f"appelez-moi au {typed} merci") == f"appelez-moi au {PHONE_MASK} merci"


def test_the_helpline_and_postcode_stay() -> None:
    assert mask("J'ai appelé le 3919 depuis 94000 Créteil.") == "J'ai appelé le 3919 depuis 94000 Créteil."

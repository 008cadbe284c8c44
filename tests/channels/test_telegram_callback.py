"""Inline button data: fits Telegram's 64 bytes, round-trips, refuses forgeries."""

from __future__ import annotations

import pytest

from bot.channels.telegram.callback import (
    MAX_BYTES,
    ButtonData,
    CallbackCodec,
    CallbackTooLong,
)
from bot.replies import COMMAND_PREFIX

codec = CallbackCodec("secret-" + "x" * 40)


@pytest.mark.parametrize(
    "data",
    [
        ButtonData("facile", "lecture", 1),
        ButtonData("60+", "age", 2_147_483_647),
        ButtonData("cmd:passer", "age", 12),
        ButtonData("oui", None, None),
        ButtonData("_valider", "sujets", 0),
        ButtonData("é_clé", "étape_accentuée", 5),
    ],
)
def test_button_data_round_trips(data: ButtonData) -> None:
    encoded = codec.encode(data)
    assert len(encoded.encode("utf-8")) <= MAX_BYTES
    assert codec.decode(encoded) == data


def test_realistic_longest_ids_fit_in_64_bytes() -> None:
    step, key = "s" * 24, "k" * 20  # the longest ids the flow linter should allow
    encoded = codec.encode(ButtonData(key, step, 10**9))
    assert len(encoded.encode("utf-8")) <= MAX_BYTES


def test_commands_are_stored_compactly_and_flagged() -> None:
    encoded = codec.encode(ButtonData("cmd:aide", "accord", 3))
    assert "cmd:" not in encoded
    decoded = codec.decode(encoded)
    assert decoded is not None and decoded.is_command and decoded.value == "cmd:aide"
    assert COMMAND_PREFIX == "cmd:"  # the service's prefix


def test_data_that_cannot_fit_is_refused() -> None:
    with pytest.raises(CallbackTooLong):
        codec.encode(ButtonData("k" * 30, "s" * 30, 1))
    with pytest.raises(CallbackTooLong):
        codec.encode(ButtonData("a|b", "step", 1))


def test_forged_altered_or_foreign_data_is_refused() -> None:
    encoded = codec.encode(ButtonData("oui", "accord", 7))
    body, _, tag = encoded.rpartition("|")
    assert codec.decode(body.replace("oui", "non") + "|" + tag) is None
    assert codec.decode(encoded.replace("c7|", "c8|")) is None
    assert CallbackCodec("another-secret").decode(encoded) is None
    for garbage in ("", "x", "|||", "c|a|b|", "z7|accord|oui|" + tag, "é" * 40):
        assert codec.decode(garbage) is None

"""The reaction: one statement after another, each answered agree, disagree or pass.

The engine stays pure: the service deals the statements (a deck, in both registers) into the
run's values when the run starts (`deck_values`). The step shows the deck's cards one by one;
each vote is saved at once as a result named `<result>.<statement id>`, so a person who stops
keeps the votes they gave. `retour` goes back one card; with no card left to show, the step
says so and offers to go on.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from flows.events import ChoiceView, Input, ResultSaved
from flows.kinds.base import Kind, Run, View, choice_views

if TYPE_CHECKING:
    from flows.model import Step

DECK = "_deck"  # the run value that holds the cards and how far the person has gone
VOTES = ("agree", "disagree", "pass")
GO_ON = "_suite"  # the one button of a step with no card to show


@dataclass(frozen=True)
class Card:
    """One statement of the deck, in both registers."""

    id: int
    text: str
    easy: str


def deck_values(cards: Sequence[Card]) -> dict[str, str]:
    """Return the run values that deal these cards to a run's reaction step."""
    return {DECK: json.dumps({"cards": [[c.id, c.text, c.easy] for c in cards], "at": 0})}


def statement_of(name: str, result: str) -> int | None:
    """Return the statement id of a vote's result name, or None if it is not a vote of `result`."""
    head, _, tail = name.rpartition(".")
    return int(tail) if head == result and tail.isdigit() else None


def _deck(run: Run) -> tuple[list[Card], int]:
    """Return the run's cards and the index of the card being shown."""
    raw: dict[str, Any] = json.loads(run.state.results.get(DECK) or '{"cards": [], "at": 0}')
    return [Card(int(i), str(t), str(e)) for i, t, e in raw["cards"]], int(raw["at"])


def _move(run: Run, cards: list[Card], at: int) -> None:
    """Store how far the person has gone in the deck."""
    run.state.results[DECK] = json.dumps({"cards": [[c.id, c.text, c.easy] for c in cards], "at": at})


def _card(run: Run) -> tuple[Card, int, int] | None:
    """Return the card being shown, its number and the deck's size (None when none is left)."""
    cards, at = _deck(run)
    return (cards[at], at + 1, len(cards)) if at < len(cards) else None


class Reaction(Kind):
    """A statement answered with 👍 d'accord, 👎 pas d'accord or 🤷 je passe."""

    name = "reaction"
    takes_choices = True
    feeling = True  # three pictures, no more
    floip_type = "select_one"
    default_choices = (
        {"key": "agree", "label": "D'accord", "icon": "👍"},
        {"key": "disagree", "label": "Pas d'accord", "icon": "👎"},
        {"key": "pass", "label": "Je passe", "icon": "🤷"},
    )

    def check(self, step: Step) -> list[str]:
        """Keep the three vote keys, so every vote reads the same."""
        if tuple(c.key for c in step.choices) != VOTES:
            return [f"a reaction has the keys {', '.join(VOTES)}"]
        return []

    def say(self, run: Run, step: Step) -> tuple[str, str] | None:
        """Show the statement with its number, then the step's question; or say none is left."""
        shown = _card(run)
        if shown is None:
            return run.system("reaction_none")
        card, number, total = shown
        easy = run.state.prefs.easy
        statement = card.easy if easy else card.text
        head = run.system("reaction_card", number=str(number), total=str(total), statement=statement)
        question = step.say.get(run.state.prefs.lang)
        return f"{head[0]}\n\n{question.pick(easy)}", f"{head[1]} {question.spoken(easy)}"

    def view(self, run: Run, step: Step) -> View:
        """Offer the three votes on this card (`agree:12`), or one button to go on when none is left.

        The card's id in each key makes a button of an earlier card stale, not a vote on this one.
        """
        shown = _card(run)
        if shown is None:
            return View("choice", (ChoiceView(GO_ON, run.label("label_go_on"), "➡️"),))
        card = shown[0].id
        return View("choice", tuple(replace(c, key=f"{c.key}:{card}") for c in choice_views(run, step)))

    def choose(self, run: Run, step: Step, inp: Input) -> None:
        """Save the vote on the card shown, then show the next card or leave the step."""
        shown = _card(run)
        if shown is None:
            if inp.value == GO_ON:
                run.advance(step)
            else:
                run.retry(step)
            return
        card, number, total = shown
        vote, _, on = inp.value.partition(":")
        if on and on != str(card.id):
            run.retry(step, "stale_button")
            return
        if vote not in VOTES:
            run.retry(step)
            return
        assert step.result is not None
        run.events.append(ResultSaved(name=f"{step.result}.{card.id}", value=vote, step=step.id))
        cards, _ = _deck(run)
        _move(run, cards, number)
        if number < total:
            run.state.history.append(step.id)  # `retour` comes back to this card
            run.prompt(step)
        else:
            run.advance(step)

    def restore(self, run: Run, step: Step, saved: str | None) -> None:
        """Go back one card (its vote may be given again: the new one replaces it)."""
        cards, at = _deck(run)
        _move(run, cards, max(0, min(at, len(cards)) - 1))


KIND = Reaction()

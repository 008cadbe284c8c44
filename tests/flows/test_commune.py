"""The commune step: names matched to the territory's official communes, confirmed, never themed."""

from __future__ import annotations

import pytest

from flows.engine import expectation, resume, start
from flows.events import Input, MessageCreated, Prefs, ResultSaved, RunState
from flows.kinds.commune import OTHER, Commune, match, place, territory
from flows.loader import load_text
from flows.model import Flow
from flows.validate import FlowError

COMMUNES = territory("94")
FLOW = """
spec_version: 2
id: habitat
version: 1
steps:
  - id: commune
    kind: commune
    result: commune
    departement: "{departement}"
    say: {{text: "Dans quelle commune habitez-vous ?", easy: "Dans quelle ville habitez-vous ?"}}
  - id: fin
    kind: end
    say: {{text: Merci., easy: Merci.}}
"""


def named(text: str, refused: tuple[str, ...] = ()) -> str | None:
    """Return the official name a typed text is matched to (None: no commune)."""
    found = match(text, COMMUNES, refused)
    return found.commune.name if found.commune else None


@pytest.fixture
def flow() -> Flow:
    return load_text(FLOW.format(departement="94"), "habitat.yml")


def saved(events: tuple[object, ...]) -> ResultSaved:
    """Return the one answer saved among events."""
    (result,) = [e for e in events if isinstance(e, ResultSaved)]
    return result


def last_text(events: tuple[object, ...]) -> str:
    """Return the text of the last message among events."""
    return [e.text for e in events if isinstance(e, MessageCreated)][-1]


def test_the_territory_is_the_official_list_of_the_val_de_marne() -> None:
    assert len(COMMUNES) == 47
    assert all(c.code.startswith("94") for c in COMMUNES)
    assert Commune("94028", "Créteil") in COMMUNES
    assert Commune("94038", "L'Haÿ-les-Roses") in COMMUNES


@pytest.mark.parametrize("typed", ["Créteil", "creteil", "CRETEIL", "  Creteil ", "créteil 94000",
                                   "J'habite à Créteil", "Créteuil", "kreteil"])  # fmt: skip
def test_case_accents_extra_words_and_typos_give_one_commune(typed: str) -> None:
    assert named(typed) == "Créteil"


@pytest.mark.parametrize(
    ("typed", "official"),
    [
        ("St-Maur", "Saint-Maur-des-Fossés"),
        ("st maur des fosses", "Saint-Maur-des-Fossés"),
        ("St Maurice", "Saint-Maurice"),
        ("Vitry", "Vitry-sur-Seine"),
        ("vitri sur seine", "Vitry-sur-Seine"),
        ("Ivry", "Ivry-sur-Seine"),
        ("lhay les roses", "L'Haÿ-les-Roses"),
        ("le kremlin bicetre", "Le Kremlin-Bicêtre"),
        ("Perreux", "Le Perreux-sur-Marne"),
        ("Champigny", "Champigny-sur-Marne"),
        ("Orli", "Orly"),
        ("Villeneuve St Georges", "Villeneuve-Saint-Georges"),
    ],
)
def test_short_names_abbreviations_and_typos(typed: str, official: str) -> None:
    assert named(typed) == official


@pytest.mark.parametrize("typed", ["Paris", "Tours", "Marseille", "Saint", "le", "!!"])
def test_a_name_outside_the_territory_is_no_commune(typed: str) -> None:
    assert match(typed, COMMUNES).commune is None and not match(typed, COMMUNES).ambiguous


def test_a_name_two_communes_share_is_ambiguous() -> None:
    found = match("Villeneuve", COMMUNES)
    assert found.commune is None
    assert [c.name for c in found.ambiguous] == ["Villeneuve-le-Roi", "Villeneuve-Saint-Georges"]


def test_a_refused_commune_is_not_proposed_again() -> None:
    assert named("Rennes") == "Fresnes"
    assert named("Rennes", refused=("94034",)) is None


def test_where_one_lives_in_french() -> None:
    assert place("Créteil") == "à Créteil"
    assert place("Le Perreux-sur-Marne") == "au Perreux-sur-Marne"
    assert place("L'Haÿ-les-Roses") == "à L'Haÿ-les-Roses"


def test_a_typed_commune_is_confirmed_then_saved_under_its_official_name(flow: Flow) -> None:
    asked = resume(flow, start(flow, Prefs()).state, Input.say("creteil", theme="travail"))
    assert last_text(asked.events) == "Vous habitez à Créteil ?"
    assert expectation(flow, asked.state) == ("confirm", (("oui", "oui"), ("non", "non")))
    done = resume(flow, asked.state, Input.choose("oui", step="commune"))
    answer = saved(done.events)
    assert (answer.value, answer.category, answer.raw_text) == ("Créteil", "94028", None)
    assert answer.theme is None  # a commune is never a theme, whatever the classifier said
    assert done.state.status == "completed"


def test_no_asks_again_and_an_unknown_name_is_kept_as_autre_commune(flow: Flow) -> None:
    state = resume(flow, start(flow, Prefs(easy=True)).state, Input.say("Vitry")).state
    again = resume(flow, state, Input.choose("non"))
    assert [e.text for e in again.events if isinstance(e, MessageCreated)] == [
        "D'accord.\nQuel est le nom de votre ville ?", "Dans quelle ville habitez-vous ?"]  # fmt: skip
    other = resume(flow, again.state, Input.say("Gotham City"))
    assert last_text(other.events) == '"Gotham City" est hors de notre liste.\nVous habitez à Gotham City ?'
    answer = saved(resume(flow, other.state, Input.choose("oui")).events)
    assert (answer.value, answer.raw_text, answer.theme) == (OTHER, "Gotham City", None)


def test_a_recording_is_kept_and_counted_as_autre_commune(flow: Flow) -> None:
    done = resume(flow, start(flow, Prefs()).state, Input.say("", None, "rec/1.ogg"))
    answer = saved(done.events)
    assert (answer.value, answer.audio_ref) == (OTHER, "rec/1.ogg")


def test_another_name_while_confirming_is_matched_afresh(flow: Flow) -> None:
    state = resume(flow, start(flow, Prefs()).state, Input.say("Ivry")).state
    asked = resume(flow, state, Input.say("non, Vitry"))
    assert last_text(asked.events) == "Vous habitez à Vitry-sur-Seine ?"
    stored = RunState.from_dict(asked.state.to_dict())
    assert saved(resume(flow, stored, Input.choose("oui")).events).value == "Vitry-sur-Seine"


@pytest.mark.parametrize("departement", ["99", ""])
def test_a_territory_without_a_shipped_list_is_refused(departement: str) -> None:
    with pytest.raises(FlowError, match="names a département with a list in flows/data"):
        load_text(FLOW.format(departement=departement), "habitat.yml")

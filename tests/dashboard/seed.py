"""A small campaign flow and helpers that write participants, runs and answers directly."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta

from storage.db import Database
from storage.models import Answer, Participant, Run, SafetyFlag
from storage.privacy import Crypto

FLOW_YAML = """
spec_version: 2
id: egalite
version: 1
title: Égalité femmes-hommes
languages: [fr]
steps:
  - id: q_age
    kind: choice
    result: age
    say: {text: "Quel âge avez-vous ?", easy: "Quel âge avez-vous ?"}
    choices:
      - {key: "15-29", label: "15 à 29 ans", icon: "🧒"}
      - {key: "30-44", label: "30 à 44 ans", icon: "🧑"}
      - {key: "45-59", label: "45 à 59 ans", icon: "🧔"}
      - {key: "60-74", label: "60 à 74 ans", icon: "🧓"}
      - {key: "75+", label: "75 ans et plus", icon: "👵"}
  - id: q_commune
    kind: choice
    result: commune
    say: {text: "Où habitez-vous ?", easy: "Où habitez-vous ?"}
    choices:
      - {key: creteil, label: "Créteil", icon: "🏙"}
      - {key: vitry, label: "Vitry-sur-Seine", icon: "🏘"}
      - {key: ivry, label: "Ivry-sur-Seine", icon: "🏢"}
      - {key: autre, label: "Une autre commune", icon: "📍"}
  - id: q_genre
    kind: choice
    result: genre
    say: {text: "Vous êtes :", easy: "Vous êtes :"}
    choices:
      - {key: femme, label: "Une femme", icon: "👩"}
      - {key: homme, label: "Un homme", icon: "👨"}
      - {key: autre, label: "Autre", icon: "🧑"}
  - id: q_egalite
    kind: scale
    result: egalite_travail
    say: {text: "Au travail, les femmes et les hommes sont-ils traités de la même façon ?",
          easy: "Au travail, femmes et hommes sont-ils traités pareil ?"}
    choices:
      - {key: oui, label: "Oui", icon: "😀"}
      - {key: un_peu, label: "Un peu", icon: "😐"}
      - {key: non, label: "Non", icon: "🙁"}
      - {key: nsp, label: "Je ne sais pas", icon: "🤷"}
  - id: q_lieux
    kind: multi
    result: lieux
    say: {text: "Où avez-vous vu des inégalités ?", easy: "Où avez-vous vu des inégalités ?"}
    choices:
      - {key: travail, label: "Au travail", icon: "💼"}
      - {key: maison, label: "À la maison", icon: "🏠"}
      - {key: rue, label: "Dans la rue", icon: "🚶"}
  - id: q_priorite
    kind: text
    result: priorite
    say: {text: "Quelle est votre priorité ?", easy: "Qu'est-ce qui compte le plus pour vous ?"}
  - id: q_volontaire
    kind: yesno
    result: volontaire
    say: {text: "Voulez-vous participer à l'atelier ?", easy: "Voulez-vous venir à l'atelier ?"}
  - id: q_suivi
    kind: yesno
    result: suivi
    say: {text: "Voulez-vous recevoir des nouvelles ?", easy: "Voulez-vous des nouvelles ?"}
  - id: fin
    kind: end
    say: {text: "Merci !", easy: "Merci !"}
"""

STEPS = {
    "age": "q_age", "commune": "q_commune", "genre": "q_genre", "egalite_travail": "q_egalite",
    "lieux": "q_lieux", "priorite": "q_priorite", "volontaire": "q_volontaire", "suivi": "q_suivi",
}  # fmt: skip
THEMES = {"priorite": "priorite_theme"}


def add_people(
    db: Database,
    crypto: Crypto,
    people: Iterable[Mapping[str, str]],
    channel: str = "telegram",
    start: datetime | None = None,
    easy: bool = False,
) -> list[int]:
    """Write one completed run per person, with the given answers; return participant ids."""
    start = start or datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    ids: list[int] = []
    with db.transaction() as session:
        batch = secrets.token_hex(4)
        for index, answers in enumerate(people):
            when = start + timedelta(minutes=index)
            address = f"{channel}-{batch}-{index}"
            participant = Participant(
                key=crypto.participant_key(channel, address), channel=channel,
                address_enc=crypto.encrypt(address), easy=easy, created_at=when,
                consent_at=when,
            )  # fmt: skip
            session.add(participant)
            session.flush()
            run = Run(
                participant_id=participant.id, flow_id="egalite", flow_version=1, channel=channel,
                state={}, status="completed", started_at=when, ended_at=when + timedelta(minutes=5),
            )  # fmt: skip
            session.add(run)
            session.flush()
            for result, value in answers.items():
                if result.endswith("_theme"):
                    continue
                session.add(Answer(
                    run_id=run.id, participant_id=participant.id, flow_id="egalite",
                    flow_version=1, channel=channel, step=STEPS.get(result, result),
                    result=result, value=value, easy=easy, created_at=when,
                    raw_text=value if result == "priorite" else None,
                    theme=answers.get(f"{result}_theme"),
                ))  # fmt: skip
            ids.append(participant.id)
    return ids


def add_flag(db: Database, participant_id: int, excerpt: str) -> int:
    """Write a safety flag for a participant."""
    with db.transaction() as session:
        flag = SafetyFlag(participant_id=participant_id, channel="sms", step="q_priorite",
                          excerpt=excerpt)  # fmt: skip
        session.add(flag)
        session.flush()
        return flag.id


def add_run(db: Database, participant_id: int, status: str, answers: Mapping[str, str],
            channel: str = "telegram") -> int:  # fmt: skip
    """Write one more run of a participant (status and answers as given); return its id."""
    when = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)
    with db.transaction() as session:
        run = Run(participant_id=participant_id, flow_id="egalite", flow_version=1, channel=channel,
                  state={}, status=status, started_at=when,
                  ended_at=when if status in ("completed", "stopped") else None)  # fmt: skip
        session.add(run)
        session.flush()
        for result, value in answers.items():
            session.add(Answer(run_id=run.id, participant_id=participant_id, flow_id="egalite",
                               flow_version=1, channel=channel, step=STEPS.get(result, result),
                               result=result, value=value, created_at=when))  # fmt: skip
        return run.id


def add_newcomer(db: Database, crypto: Crypto, channel: str = "telegram") -> int:
    """Write a participant who wrote once and has no run (no answer, or answers erased)."""
    address = f"{channel}-{secrets.token_hex(4)}"
    with db.transaction() as session:
        person = Participant(key=crypto.participant_key(channel, address), channel=channel,
                             address_enc=crypto.encrypt(address))  # fmt: skip
        session.add(person)
        session.flush()
        return person.id

"""Round two and the report back, walked after round one as a facilitator and participants do.

Sixty people answer round one on every channel (tests/walk/walked.py); then a facilitator
writes statements and invites, people react on SMS, Telegram and kiosks, one proposes an idea
that is moderated; then recommendations get statuses, the report back is previewed and sent
(twice, by a double click), and the news is read on the public page, heard on a call and
found on a kiosk. What is asserted is what a facilitator or a participant would notice.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.walk.after import (
    IDEAS,
    Reacted,
    outbox_of,
    participant_id,
    post,
    react_at_kiosk,
    react_by_sms,
    react_on_telegram,
)
from tests.walk.people import Kiosk, Seen, SmsDriver, VoiceDriver, visible
from tests.walk.walked import Walked, enrolled_kiosk, login, walk
from tests.walk.world import FACILITATOR, running

STATEMENTS = [
    ("Ouvrir des crèches le soir et le samedi.", "Des crèches ouvertes le soir."),
    ("Verser le même salaire aux femmes et aux hommes pour le même travail.", "Le même salaire pour tous."),
    ("Éclairer les rues et les arrêts de bus la nuit.", "Plus de lumière la nuit."),
    ("Créer des créneaux de sport réservés aux filles.", "Du sport pour les filles."),
]


@dataclass
class After:
    walked: Walked
    facilitator: httpx.Client
    reacted: list[Reacted] = field(default_factory=list)
    phones: dict[str, str] = field(default_factory=dict)  # person -> address (SMS people)


def phone_of(n: int) -> str:
    return f"+3361{n:03d}00{n % 97:02d}"  # as tests/walk/walked.py numbers them


@pytest.fixture(scope="module")
def after(tmp_path_factory: pytest.TempPathFactory, walk_audio: Path) -> Iterator[After]:
    with (
        pytest.MonkeyPatch.context() as monkeypatch,
        running(tmp_path_factory.mktemp("after"), monkeypatch, walk_audio) as world,
    ):
        walked = walk(world, 60)
        with httpx.Client(base_url=world.url, follow_redirects=True, timeout=60) as http:
            login(http, FACILITATOR)
            found = After(walked, http)
            found.phones = {p.plan.name: phone_of(n) for n, p in enumerate(walked.people)}
            yield found


def followers(walked: Walked) -> list[Seen]:
    """The people round one leaves asking for news (finished, said yes, not erased)."""
    return [p for p in walked.people if not p.erased and p.finished.get("egalite", {}).get("suivi") == "oui"]


# Round two ---------------------------------------------------------------------------------


def test_round_two_from_statements_to_opinion_groups(after: After) -> None:
    http, walked = after.facilitator, after.walked
    for n, (text, easy) in enumerate(STATEMENTS, 1):
        done = post(http, "/facilitator/round-two/statements", "/facilitator/round-two", text=text, easy=easy)
        assert done.status_code == 200
        assert f"Idées montrées aux participants ({n})" in visible(done.text)
    invited = post(http, "/facilitator/round-two/invite", "/facilitator/round-two",
                   text="Bonjour ! Le deuxième tour commence. Envoyez DELIBERATION pour commencer.",
                   easy="Bonjour !\nVoici le deuxième tour.\nEnvoyez DELIBERATION.")  # fmt: skip
    assert invited.status_code == 200
    rows = outbox_of(walked, "round_two_invitation")
    # Everyone who asked for news and can be reached later gets one invitation, in their register.
    reachable = [p for p in followers(walked) if p.plan.channel in ("sms", "gateway", "telegram", "voice")]
    assert len(rows) == len({r[0] for r in rows})
    invited_ids = {r[0] for r in rows}
    for person in reachable:
        channel = {"gateway": "sms-gateway"}.get(person.plan.channel, person.plan.channel)
        address = (
            after.phones[person.plan.name]
            if channel != "telegram"
            else str(880_000 + int(person.plan.name[1:]))
        )
        pid = participant_id(walked, channel, address)
        assert pid in invited_ids, (person.plan.name, channel, "not invited")
    for _pid, channel, _status, payload in rows:
        text = str(payload["text"]).lower()
        if channel in ("sms", "sms-gateway"):
            assert "cliquez" not in text and "appuyez" not in text

    rng = random.Random(7)
    http_plain = httpx.Client(timeout=30)
    sms_all = [p for p in followers(walked) if p.plan.channel == "sms"]
    sms_people = sms_all[:-1][:5]
    for n, person in enumerate(sms_people):
        propose = IDEAS[0] if n == 0 else ""
        after.reacted.append(
            react_by_sms(walked, person, rng, http_plain, after.phones[person.plan.name], propose)
        )
    for person in [p for p in followers(walked) if p.plan.channel == "telegram"][:3]:
        after.reacted.append(
            react_on_telegram(walked, person, rng, http_plain, 880_000 + int(person.plan.name[1:]))
        )
    kiosk = Kiosk(walked.world, enrolled_kiosk(walked.world))
    for n, mode in enumerate(["facile", "standard", "audio", "facile"]):
        after.reacted.append(react_at_kiosk(kiosk, rng, f"k{n}", mode))
        kiosk.next_person()
    refused = react_at_kiosk(kiosk, rng, "k-refus", "standard", consent=False)
    kiosk.next_person()
    assert not refused.votes and "Idée 1" not in " ".join(refused.texts)

    voted = [r for r in after.reacted if r.votes]
    assert len(voted) == len(after.reacted), [
        (r.name, r.channel, r.texts[:2]) for r in after.reacted if not r.votes
    ]
    for person in after.reacted:
        assert len(person.votes) == len(STATEMENTS), (person.name, person.channel, person.texts[-2:])
        if person.channel == "kiosk":
            assert "avis" in person.texts[0]  # a newcomer is asked for consent first
        else:
            assert "Acceptez-vous" not in person.texts[0] and "Vous acceptez" not in person.texts[0]
    # The proposal waits for moderation; the facilitator rewrites it in both registers.
    page = http.get("/facilitator/round-two").text
    found = re.search(r'round-two/statements/(\d+)"', page)
    assert found and IDEAS[0] in visible(page)
    approved = post(http, f"/facilitator/round-two/statements/{found.group(1)}", "/facilitator/round-two",
                    action="approve", text=IDEAS[0] + ".", easy="Des cours pour se défendre.")  # fmt: skip
    assert approved.status_code == 200
    shown = visible(approved.text)
    assert f"Idées montrées aux participants ({len(STATEMENTS) + 1})" in shown

    # Counts: each statement's votes on the page are the votes given, or hidden under k.
    given = len(voted)
    k = 5
    for text, _easy in STATEMENTS:
        row = re.search(re.escape(text) + r".*?<td>([^<]*)</td></tr>", approved.text, re.S)
        assert row, text
        cell = row.group(1).strip()
        assert cell == (str(given) if given >= k else f"moins de {k}") or cell.startswith("moins"), (
            text,
            cell,
        )
    analysis = http.get("/facilitator/round-two/analysis")
    assert analysis.status_code == 200
    groups = visible(analysis.text)
    voters = re.search(r"(\d+) personnes ont voté", groups)
    assert voters and int(voters.group(1)) == given
    for size in re.findall(r"\((\d+) personnes?\)", groups):
        assert int(size) >= k

    words = {"sms": ["cliquez", "appuyez", "bouton"], "telegram": ["tapez", "envoyez 1"],
             "kiosk": ["envoyez", "tapez", "écrivez effacer"]}  # fmt: skip
    wrong = [(r.channel, w, t[:200]) for r in after.reacted for t in r.texts for w in words[r.channel]
             if w in t.lower().replace("envoyez un sms", "")]  # fmt: skip
    assert not wrong
    kiosk_cards = [t for r in after.reacted if r.channel == "kiosk" for t in r.texts if "Idée" in t]
    assert kiosk_cards and all("aide urgente" in t.lower() for t in kiosk_cards)
    # By SMS, SOS at a card brings the helplines at once, and the same card is asked again.
    late = sms_all[-1]
    driver = SmsDriver(walked.world, late, rng, http_plain, after.phones[late.plan.name])
    assert "Idée 1 sur" in driver.send_text("DELIBERATION")
    helped = driver.send_text("SOS")
    assert "3919" in helped and "114" in helped and "Idée 1 sur" in helped, helped


def test_a_caller_can_reach_round_two(after: After) -> None:
    walked = after.walked
    caller = next(p for p in followers(walked) if p.plan.channel == "voice")
    driver = VoiceDriver(walked.world, caller, random.Random(3), httpx.Client(timeout=30),
                         after.phones[caller.plan.name])  # fmt: skip
    heard = driver.send_text("")
    assert "tapez" in heard
    menu = heard.lower()
    assert "idée" in menu or "avis" in menu, heard[:400]


# The report back ---------------------------------------------------------------------------

RECOMMENDATIONS = [
    ("Ouvrir trois crèches le soir", "Des crèches le soir", "adopted", "", "famille"),
    (
        "Éclairer les arrêts de bus",
        "Plus de lumière aux arrêts",
        "partly",
        "Les arrêts près des écoles d'abord.\nLes autres en 2028.",
        "transport",
    ),
    (
        "Un bus de nuit tous les jours",
        "Un bus la nuit",
        "not_adopted",
        "Le budget ne suffit pas.",
        "transport",
    ),
]


def hidden_fields(page: str) -> dict[str, str]:
    import html as html_lib

    return {m.group(1): html_lib.unescape(m.group(2))
            for m in re.finditer(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', page)}  # fmt: skip


def test_the_report_back_reaches_who_asked_once_in_their_register(after: After) -> None:
    http, walked = after.facilitator, after.walked
    page = "/facilitator/recommendations"
    for title, easy, status, reason, picto in RECOMMENDATIONS:
        if reason:  # a status that needs a reason, without one: refused, nothing added
            refused = post(http, page + "/add", page, title=title, easy_title=easy, status=status, reason="",
                           pictogram=picto)  # fmt: skip
            assert refused.status_code == 400 and "écrivez pourquoi" in visible(refused.text)
        added = post(http, page + "/add", page, title=title, easy_title=easy, status=status, reason=reason,
                     pictogram=picto)  # fmt: skip
        assert added.status_code == 200
    shown = visible(http.get(page).text)
    assert f"Recommandations ({len(RECOMMENDATIONS)})" in shown

    form = http.get("/facilitator/report-back").text
    fields = {
        name: re.search(rf'name="{name}"[^>]*>([^<]*)</textarea>', form)
        for name in ("intro_text", "intro_easy", "sms")
    }
    import html as html_lib

    texts = {k: html_lib.unescape(v.group(1)) for k, v in fields.items() if v}
    assert set(texts) == {"intro_text", "intro_easy", "sms"}
    assert "/retours" in texts["sms"]
    preview = post(http, "/facilitator/report-back/preview", "/facilitator/report-back", **texts)
    assert preview.status_code == 200, preview.text[:300]
    seen = visible(preview.text)
    assert "Plus de lumière aux arrêts" in seen and "🌓" in preview.text
    send = hidden_fields(preview.text)
    first = http.post("/facilitator/report-back/send", data=send)
    assert first.status_code == 200
    again = http.post("/facilitator/report-back/send", data=send)  # a double click
    assert again.status_code == 409, again.status_code
    assert "déjà" in visible(again.text)

    rows = outbox_of(walked, "report_back")
    people = [r[0] for r in rows]
    assert len(people) == len(set(people)), "someone got the report back twice"
    wanted = [p for p in followers(walked) if p.plan.channel != "kiosk"]
    assert len(rows) >= len(wanted)
    for _pid, channel, status, payload in rows:
        text = str(payload["text"])
        if channel in ("sms", "sms-gateway"):
            assert text == texts["sms"] and "/retours" in text and len(text) <= 306
        elif channel == "telegram":
            assert payload["audio"] is True
            body = (
                "Voici ce que sont devenues vos idées" if payload["easy"] else "recommandations de l'atelier"
            )
            assert body in text, text[:200]
        assert status in ("sent", "delivered", "unreachable", "pending"), status
    history = visible(http.get("/facilitator/report-back").text)
    assert "SMS" in history and "Telegram" in history

    for version, words in (("facile", "Une partie est adoptée."), ("standard", "En partie")):
        public = httpx.get(walked.world.url + f"/retours?version={version}")
        assert public.status_code == 200 and words in visible(public.text), version
    assert "2028" in visible(httpx.get(walked.world.url + "/retours").text)

    caller = next(p for p in followers(walked) if p.plan.channel == "voice")
    call = VoiceDriver(walked.world, caller, random.Random(4), httpx.Client(timeout=30),
                       after.phones[caller.plan.name])  # fmt: skip
    offer = call.send_text("")
    assert "tapez 5" in offer, offer
    news = call.press("5")
    assert "Une partie est adoptée" in news and "🌓" not in news, news[:400]

    kiosk = enrolled_kiosk(walked.world)
    start = kiosk.get("/kiosk").text
    assert "Les nouvelles" in start and "/retours?depuis=borne" in start


# The workshop pack, and bad input ----------------------------------------------------------


def test_the_workshop_pack_follows_the_ranked_proposals(after: After) -> None:
    http = after.facilitator
    page = "/facilitator/proposals"
    assert post(http, page + "/group", page).status_code == 200
    ids = [int(i) for i in dict.fromkeys(re.findall(r"/proposals/(\d+)/rename", http.get(page).text))]
    assert len(ids) >= 3
    named = ["Des crèches le soir", "Le même salaire", "La lumière la nuit"]
    for position, (pid, name) in enumerate(zip(reversed(ids[:3]), named, strict=True), 1):
        assert post(http, f"{page}/{pid}/rename", page, value=name).status_code == 200
        assert post(http, f"{page}/{pid}/rank", page, value=str(position)).status_code == 200
    shown = visible(http.get(page).text)
    order = [shown.index(f"{n}. {name}") for n, name in enumerate(named, 1)]
    assert order == sorted(order)
    pack = visible(http.get("/facilitator/atelier").text)
    assert [pack.index(name) for name in named] == sorted(pack.index(name) for name in named)
    pdf = http.get("/facilitator/atelier.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_bad_forms_get_a_clear_4xx_and_lose_nothing(after: After) -> None:
    http = after.facilitator
    r2 = "/facilitator/round-two"
    before = visible(http.get(r2).text)
    assert (
        http.post(r2 + "/statements", data={"text": "Sans jeton.", "easy": "Sans jeton."}).status_code == 403
    )
    assert post(http, r2 + "/statements", r2, text="", easy="").status_code == 400
    assert post(http, r2 + "/statements", r2, text="x" * 5000, easy="x").status_code == 400
    assert post(http, r2 + "/statements/99999", r2, action="refuse").status_code == 404
    assert post(http, r2 + "/invite", r2, text="", easy="").status_code == 400
    assert visible(http.get(r2).text) == before
    rec = "/facilitator/recommendations"
    assert post(http, rec + "/99999", rec, title="A", easy_title="A", status="adopted").status_code == 404
    assert post(http, rec + "/add", rec, title="A", easy_title="A", status="inconnu").status_code == 400
    assert post(http, rec + "/add", rec, title="A" * 400, easy_title="A", status="adopted").status_code == 400
    assert post(http, "/facilitator/report-back/send", "/facilitator/report-back",
                intro_text="", intro_easy="", sms="").status_code == 400  # fmt: skip
    prop = "/facilitator/proposals"
    assert post(http, prop + "/99999/rename", prop, value="X").status_code == 404
    assert post(http, prop + "/99999/merge", prop, value="1").status_code == 404

"""A hundred participants, each driven on their own channel, and the ledger of what they did.

Each person has a plan drawn from a seeded random generator: their channel, their reading mode,
whether they stop, come back, erase, feel in danger, skip or answer "Je ne sais pas". The
drivers read which question a person is on and answer it the way that channel allows
(a number by SMS, a key on the phone, a button on Telegram and at the kiosk).
"""

from __future__ import annotations

import itertools
import random
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html import unescape
from typing import Any

import httpx
from sqlalchemy import select

from flows.model import Flow, Step
from storage.models import Participant, Run
from tests.walk.world import FROM, SID, World, gateway_post, twilio_post

PHRASES = ["Des crèches ouvertes le soir", "le meme salaire pour le meme travail",
           "Plus de lumiere dans les rues la nuit", "des toilettes propres au parc",
           "que les hommes fassent aussi le menage", "Des bus plus souvent le soir !!",
           "une aide pour les femmes seules avec enfants", "du sport pour les filles au club"]  # fmt: skip
COMMUNES = ["creteil", "Vitry-sur-Seine", "ivry sur seine", "Champigny", "maisons alfort",
            "Saint Maur", "villejuif"]  # fmt: skip
DANGER = "J'ai peur de rentrer, mon mari me frappe"
ids = itertools.count(1)


@dataclass
class Plan:
    """What one person will do."""

    name: str
    channel: str  # sms, gateway, voice, telegram, kiosk
    easy: bool = False
    audio: bool = False
    refuse: bool = False  # says no at consent
    stop_at: int | None = None  # leaves after this many questions
    again: bool = False  # finishes, then starts again and answers again
    again_stops: bool = False  # ... and leaves the second run halfway
    erase: bool = False  # says EFFACER at the end, and confirms
    danger: bool = False  # answers "J'ai peur" in the evening question
    danger_text: bool = False  # writes a danger disclosure as their idea
    unsure: bool = False  # "Je ne sais pas" and Passer wherever they can
    typos: bool = False  # answers in their own words where a channel allows it
    evaluation: bool = False  # also answers the evaluation questionnaire afterwards
    then_calls: bool = False  # starts by SMS, stops, then finishes by phone
    news: bool = False  # wants to hear back


@dataclass
class Seen:
    """What one person did and saw, for the assertions."""

    plan: Plan
    finished: dict[str, dict[str, str]] = field(default_factory=dict)  # flow -> result -> value
    started: set[str] = field(default_factory=set)
    consented: set[str] = field(default_factory=set)
    erased: bool = False
    texts: list[tuple[str, str]] = field(default_factory=list)  # (channel, what they read/heard)
    helplines: list[str] = field(default_factory=list)  # the reply right after danger

    def read(self, channel: str, text: str) -> None:
        self.texts.append((channel, text))


def plans(rng: random.Random, count: int = 100) -> list[Plan]:
    """Draw a varied population."""
    channels = ["sms"] * 30 + ["gateway"] * 15 + ["voice"] * 15 + ["telegram"] * 10 + ["kiosk"] * 30
    rng.shuffle(channels)
    people = []
    for n, channel in enumerate(channels[:count]):
        roll = rng.random
        plan = Plan(name=f"p{n:03d}", channel=channel, easy=roll() < 0.35,
                    audio=channel in ("kiosk", "telegram") and roll() < 0.25)  # fmt: skip
        plan.refuse = roll() < 0.05
        plan.stop_at = rng.randint(2, 12) if roll() < 0.15 else None
        plan.again = plan.stop_at is None and channel != "voice" and roll() < 0.12
        plan.again_stops = plan.again and roll() < 0.5
        plan.erase = roll() < 0.06
        plan.danger = roll() < 0.08
        plan.danger_text = channel != "voice" and roll() < 0.05
        plan.unsure = roll() < 0.2
        plan.typos = channel in ("sms", "gateway") and roll() < 0.4
        plan.evaluation = channel in ("sms", "gateway", "telegram") and roll() < 0.15
        plan.then_calls = channel == "sms" and roll() < 0.1
        plan.news = roll() < 0.4
        people.append(plan)
    return people


class Answerer:
    """Decide an answer for a step, from the person's plan (channel-agnostic)."""

    def __init__(self, plan: Plan, rng: random.Random) -> None:
        self.plan, self.rng = plan, rng
        self.disclosed = False

    def decide(self, step: Step) -> tuple[str, Any]:
        """Return ("choice", key), ("multi", [keys]), ("text", str), ("skip", None)."""
        plan, rng = self.plan, self.rng
        keys = [c.key for c in step.choices]
        if step.sets == "reading":
            return "choice", "facile" if plan.easy else "standard"
        if step.sets == "audio":
            return "choice", "oui" if plan.audio else "non"
        if step.kind == "consent":
            return "choice", "non" if plan.refuse else "oui"
        if step.id == "securite_soir" and plan.danger:
            return "choice", "peur"
        if step.id in ("priorite", "proposition") and plan.danger_text and not self.disclosed:
            self.disclosed = True  # the question comes back after the helplines: answered then
            return "text", DANGER
        if step.id == "suivi":
            return "choice", "oui" if plan.news else "non"
        if step.optional and plan.unsure and rng.random() < 0.5:
            return ("choice", "nsp") if "nsp" in keys else ("skip", None)
        if step.kind == "multi":
            options = [k for k in keys if k != "nulle_part"]
            if rng.random() < 0.15:
                return "multi", ["nulle_part"]
            return "multi", sorted(rng.sample(options, rng.randint(1, 2)), key=keys.index)
        if step.kind == "commune":
            return "text", rng.choice(COMMUNES)
        if step.kind == "text":
            return "text", rng.choice(PHRASES)
        options = [k for k in keys if k != "nsp"] or keys
        return "choice", rng.choice(options)


def flow_of(world: World, flow_id: str) -> Flow:
    return world.services.flows.current(flow_id)


def run_of(world: World, channel: str, address: str) -> Run | None:
    """Return the person's latest run (for the driver to know the question, not for the checks)."""
    key = world.services.participant_key(channel, address)
    with world.services.db.sessions() as session:
        person = session.scalars(select(Participant).where(Participant.key == key)).first()
        if person is None:
            return None
        return session.scalars(select(Run).where(Run.participant_id == person.id)
                               .order_by(Run.id.desc())).first()  # fmt: skip


class Driver:
    """Common loop: ask where the person is, answer, until the end or the plan says stop."""

    channel = ""

    def __init__(self, world: World, seen: Seen, rng: random.Random) -> None:
        self.world, self.seen, self.rng = world, seen, rng
        self.plan = seen.plan
        self.answerer = Answerer(self.plan, rng)

    # channel-specific ------------------------------------------------------
    def send_text(self, text: str) -> str:
        raise NotImplementedError

    def answer(self, step: Step, what: str, value: Any, easy: bool) -> str:
        raise NotImplementedError

    def where(self) -> tuple[str, str, str] | None:
        """Return (flow, step, status) of the latest run."""
        run = run_of(self.world, self.identity_channel, self.address)
        return None if run is None else (run.flow_id, str(run.state.get("step")), run.status)

    identity_channel = ""
    address = ""

    # the loop --------------------------------------------------------------
    def play(self, flow_id: str, opening: str, limit: int | None = None, record: bool = True) -> bool:
        """Start or continue a flow; answer until it ends (True) or the limit is reached."""
        if opening:
            self.seen.read(self.channel, self.send_text(opening))
        self.seen.started.add(flow_id)
        flow = flow_of(self.world, flow_id)
        answers: dict[str, str] = {}
        for asked in range(60):  # one answer a turn
            here = self.where()
            assert here is not None, (self.plan, "no run")
            if here[2] != "active":
                break
            if limit is not None and asked >= limit:
                return False
            step = flow.step(here[1])
            what, value = self.answerer.decide(step)
            if step.kind == "consent" and value == "oui":
                self.seen.consented.add(flow_id)
            reply = self.answer(step, what, value, self.plan.easy)
            self.seen.read(self.channel, reply)
            if what == "text" and value != DANGER and self.asks_to_confirm(reply):
                reply = self.confirm()  # "Vous avez dit ... C'est juste ?" (or the commune)
                self.seen.read(self.channel, reply)
            if (what, value) == ("choice", "peur") or value == DANGER:
                self.seen.helplines.append(reply)
            if step.result and what != "skip" and step.kind != "consent" and value != DANGER:
                answers[step.result] = value if isinstance(value, str) else ",".join(value)
        else:
            raise AssertionError(f"{self.plan.name} never reached the end of {flow_id}: {self.where()} "
                                 f"{self.seen.texts[-3:]}")
        here = self.where()
        done = here is not None and here[2] == "completed" and flow_id in self.seen.consented
        if done and record:
            self.seen.finished[flow_id] = answers
        return done

    def erase(self) -> None:
        """Say EFFACER and confirm."""
        self.seen.read(self.channel, self.send_text("EFFACER"))
        self.seen.read(self.channel, self.confirm_erase())
        self.seen.erased = True
        self.seen.finished.clear()
        self.seen.consented.clear()
        self.seen.started.clear()

    def confirm_erase(self) -> str:
        return self.send_text("oui")

    def asks_to_confirm(self, reply: str) -> bool:
        return "1 - Oui" in reply

    def confirm(self) -> str:
        return self.send_text("1")

    def live(self) -> None:
        """Play the person's whole plan."""
        plan = self.plan
        finished = self.play("egalite", self.opening("egalite"), plan.stop_at)
        if finished and plan.again:
            self.play("egalite", self.restart_word(), plan.stop_at or (5 if plan.again_stops else None))
        if finished and plan.evaluation:
            self.play("evaluation", "EVALUATION")
        if plan.erase:
            self.erase()

    def opening(self, flow_id: str) -> str:
        return flow_id.upper()

    def restart_word(self) -> str:
        return "recommencer"


# SMS by Twilio and by the Android gateway ----------------------------------------------------

def numbered(step: Step, value: str) -> str:
    return str([c.key for c in step.choices].index(value) + 1)


class SmsDriver(Driver):
    channel = identity_channel = "sms"

    def __init__(self, world: World, seen: Seen, rng: random.Random, http: httpx.Client, phone: str) -> None:
        super().__init__(world, seen, rng)
        self.http, self.address = http, phone
        self.sent = 0

    def send_text(self, text: str) -> str:
        sid = f"SM{next(ids):032d}"
        params = {"MessageSid": sid, "SmsSid": sid, "AccountSid": SID, "From": self.address,
                  "To": FROM, "Body": text, "NumMedia": "0", "NumSegments": "1"}  # fmt: skip
        response = twilio_post(self.http, self.world.url + "/webhooks/twilio/sms", params)
        assert response.status_code == 200, response.text
        return "\n\n".join(m.text or "" for m in ET.fromstring(response.text).iter("Message"))

    def answer(self, step: Step, what: str, value: Any, easy: bool) -> str:
        if what == "skip":
            return self.send_text(self.rng.choice(["passer", "Passer", "PASSER", "je ne sais pas"])
                                  if self.plan.typos else "passer")  # fmt: skip
        if what == "multi":
            numbers = [numbered(step, v) for v in value]
            joiner = self.rng.choice([" ", ",", ", ", " et "]) if self.plan.typos else " "
            return self.send_text(joiner.join(numbers))
        if what == "text":
            return self.send_text(value)
        number = numbered(step, value)
        if self.plan.typos and self.rng.random() < 0.3:
            number = self.rng.choice([f" {number} ", f"{number}.", f"{number} merci"])
        return self.send_text(number)

    def confirm_erase(self) -> str:
        return self.send_text("1")

    def restart_word(self) -> str:
        return "1"

    def live(self) -> None:
        if self.plan.then_calls:
            self.play("egalite", "EGALITE", 4)
            call = VoiceDriver(self.world, self.seen, self.rng, self.http, self.address)
            call.play("egalite", "", None)
            return
        super().live()


class GatewayDriver(SmsDriver):
    channel = "sms-gateway"
    identity_channel = "sms-gateway"

    def send_text(self, text: str) -> str:
        before = len(self.world.gateway.sent)
        event = {"deviceId": "walk-device", "event": "sms:received", "id": f"ev{next(ids)}",
                 "webhookId": "wh1",
                 "payload": {"messageId": f"m{next(ids)}", "message": text, "phoneNumber": self.address,
                             "simNumber": 1, "receivedAt": "2026-11-25T15:46:11.000+01:00"}}  # fmt: skip
        response = gateway_post(self.http, self.world.url, event)
        assert response.status_code == 200, response.text
        self.world.settle("sms-gateway")
        return "\n\n".join(m["textMessage"]["text"] for m in self.world.gateway.sent[before:])

    def live(self) -> None:
        Driver.live(self)


# Phone calls --------------------------------------------------------------------------------

class VoiceDriver(Driver):
    channel = identity_channel = "voice"

    def __init__(self, world: World, seen: Seen, rng: random.Random, http: httpx.Client, phone: str) -> None:
        super().__init__(world, seen, rng)
        self.http, self.address = http, phone
        self.sid = f"CA{next(ids):032d}"
        self.doc: ET.Element | None = None

    def call(self, url: str, **extra: str) -> str:
        params = {"CallSid": self.sid, "AccountSid": SID, "From": self.address, "To": FROM,
                  "CallStatus": "in-progress", "Direction": "inbound", **extra}  # fmt: skip
        response = twilio_post(self.http, url, params)
        assert response.status_code == 200, response.text
        self.doc = ET.fromstring(response.text)
        return " ".join("".join(e.itertext()).strip() for e in self.doc.iter() if e.tag == "Say")

    def action(self, verb: str) -> str | None:
        assert self.doc is not None
        element = next(self.doc.iter(verb), None)
        if element is None:
            return None
        return element.attrib.get("action") if verb != "Redirect" else element.text

    def press(self, digits: str) -> str:
        url = self.action("Gather")
        assert url, (self.plan.name, "no Gather", ET.tostring(self.doc or ET.Element("x")))
        return self.call(url, Digits=digits)

    def send_text(self, text: str) -> str:
        return self.call(self.world.url + "/webhooks/twilio/voice")

    def answer(self, step: Step, what: str, value: Any, easy: bool) -> str:
        if self.doc is None:
            self.seen.read(self.channel, self.send_text(""))
        if what == "skip" and step.kind in ("text", "commune"):
            what = "text"  # a caller cannot skip an open question (see the walk's report)
        if what == "skip":
            return self.press("#")
        if what == "multi":
            heard = ""
            for v in value:
                heard = self.press(numbered(step, v))
            return heard + " " + self.press("#")
        if what == "text":
            url = self.action("Record")
            if url is None:  # any key starts the recording
                self.press("1")
                url = self.action("Record")
            assert url, self.doc
            recording = f"https://api.twilio.com/2010-04-01/Accounts/{SID}/Recordings/RE{next(ids):032d}"
            return self.call(url, RecordingUrl=recording,
                             RecordingSid=f"RE{next(ids):032d}", RecordingDuration="9")  # fmt: skip
        return self.press(numbered(step, value))

    def opening(self, flow_id: str) -> str:
        return "call"

    def asks_to_confirm(self, reply: str) -> bool:
        return "tapez 1" in reply and "Oui" in reply and self.action("Record") is None

    def confirm(self) -> str:
        return self.press("1")

    def erase(self) -> None:
        self.sid = f"CA{next(ids):032d}"  # calling back is a new call
        self.seen.read(self.channel, self.call(self.world.url + "/webhooks/twilio/voice"))
        if self.action("Gather") is None:
            return  # a finished caller hears goodbye: EFFACER is for SMS, skip in this walk
        self.seen.read(self.channel, self.press("8"))
        self.seen.read(self.channel, self.press("1"))
        self.seen.erased = True
        self.seen.finished.clear()
        self.seen.consented.clear()
        self.seen.started.clear()

    def play(self, flow_id: str, opening: str, limit: int | None = None, record: bool = True) -> bool:
        if opening or self.doc is None:
            self.seen.read(self.channel, self.send_text(""))
        return super().play(flow_id, "", limit, record)

    def where(self) -> tuple[str, str, str] | None:
        return super().where()


# Telegram -------------------------------------------------------------------------------------

class TelegramDriver(Driver):
    channel = identity_channel = "telegram"

    def __init__(self, world: World, seen: Seen, rng: random.Random, http: httpx.Client, chat: int) -> None:
        super().__init__(world, seen, rng)
        from tests.fakes.telegram_users import Users

        self.http, self.chat = http, chat
        self.address = str(chat)
        self.users = Users(world.telegram)

    def deliver(self, update: dict[str, Any]) -> str:
        before = len(self.world.telegram.chat(self.chat))
        response = self.http.post(self.world.url + "/webhooks/telegram", json=update,
                                  headers={"X-Telegram-Bot-Api-Secret-Token": self.world.webhook_secret})
        assert response.status_code == 200, response.text
        self.world.settle("telegram")
        shown = self.world.telegram.chat(self.chat)[before:]
        return "\n\n".join(m.get("text", "") or m.get("caption", "") for m in shown)

    def send_text(self, text: str) -> str:
        return self.deliver(self.users.text(self.chat, text))

    def label(self, step: Step, key: str, easy: bool) -> str:
        choice = next(c for c in step.choices if c.key == key)
        return choice.label.get("fr").pick(easy)

    def press(self, label: str) -> str:
        return self.deliver(self.users.press(self.chat, label))

    def answer(self, step: Step, what: str, value: Any, easy: bool) -> str:
        if what == "skip":
            return self.press("Passer")
        if what == "multi":
            for v in value:
                self.press(self.label(step, v, easy))
            return self.press("J'ai fini" if easy else "Valider")
        if what == "text":
            return self.send_text(value)
        return self.press(self.label(step, value, easy))

    def asks_to_confirm(self, reply: str) -> bool:
        last = self.users.last_with_buttons(self.chat)["message_id"]
        return any(b["text"].endswith("Oui") for b in self.users.buttons(self.chat, last))

    def confirm(self) -> str:
        return self.press("Oui")

    def opening(self, flow_id: str) -> str:
        return f"/start {flow_id}"

    def restart_word(self) -> str:
        return "/start egalite"

    def confirm_erase(self) -> str:
        return self.press("Oui")


# The kiosk -----------------------------------------------------------------------------------

class Kiosk:
    """One kiosk in a day centre: a browser keeping its cookies, used by one person after another."""

    def __init__(self, world: World, http: httpx.Client) -> None:
        self.world, self.http = world, http
        self.page = self.http.get("/kiosk").text

    def field(self, name: str) -> str:
        found = re.search(rf'name="{name}" value="([^"]*)"', self.page)
        assert found, f"no field {name} in page"
        return unescape(found.group(1))

    def post(self, path: str, **data: Any) -> str:
        form = {"csrf": self.field("csrf"), "nonce": self.field("nonce"), **data}
        if "step" not in data and 'name="step"' in self.page:
            form["step"] = self.field("step")
        response = self.http.post(path, data=form)
        assert response.status_code == 200, (path, response.status_code, response.text[:500])
        self.page = response.text
        return self.page

    def next_person(self) -> None:
        confirm = self.http.get("/kiosk/nouvelle").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', confirm)
        assert csrf, confirm[:500]
        self.page = self.http.post("/kiosk/nouvelle", data={"csrf": csrf.group(1)}).text

    def left_idle(self) -> None:
        """The idle timer's own form sends the kiosk back to the welcome."""
        idle = re.search(r'<form method="post" action="/kiosk/nouvelle" id="idle" hidden>\s*'
                         r'<input type="hidden" name="csrf" value="([^"]+)">', self.page)  # fmt: skip
        assert idle, "a question screen has an idle timer"
        self.page = self.http.post("/kiosk/nouvelle", data={"csrf": idle.group(1)}).text


def visible(page: str) -> str:
    """Return the words of a page a person reads (no tags, no scripts)."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


class KioskDriver(Driver):
    channel = identity_channel = "kiosk"

    def __init__(self, world: World, seen: Seen, rng: random.Random, kiosk: Kiosk) -> None:
        super().__init__(world, seen, rng)
        self.kiosk = kiosk

    def where(self) -> tuple[str, str, str] | None:
        page = self.kiosk.page
        if 'name="step"' in page:
            step = self.kiosk.field("step")
            flow = self.current_flow
            return flow, step, "active"
        return self.current_flow, "", "completed" if "Nouvelle personne" in page else "other"

    current_flow = "egalite"

    def send_text(self, text: str) -> str:
        mode = "audio" if self.plan.audio else "facile" if self.plan.easy else "standard"
        return visible(self.kiosk.post("/kiosk/start", flow="egalite", mode=mode))

    def answer(self, step: Step, what: str, value: Any, easy: bool) -> str:
        post = self.kiosk.post
        if what == "skip":
            return visible(post("/kiosk/answer", choice="cmd:passer"))
        if what == "multi":
            return visible(post("/kiosk/answer", keys=value, multi="1"))
        if what == "text":
            return visible(post("/kiosk/answer", text=value))
        return visible(post("/kiosk/answer", choice=value))

    def asks_to_confirm(self, reply: str) -> bool:
        return 'name="choice" value="oui"' in self.kiosk.page

    def confirm(self) -> str:
        return visible(self.kiosk.post("/kiosk/answer", choice="oui"))

    def play(self, flow_id: str, opening: str, limit: int | None = None, record: bool = True) -> bool:
        done = super().play(flow_id, opening, limit, record)
        if not done:
            return False
        # The kiosk shows the end; "completed" was read from the page: check the run really ended.
        return flow_id in self.seen.finished

    def live(self) -> None:
        plan = self.plan
        done = self.play("egalite", "start", plan.stop_at)
        if not done and plan.stop_at is not None:
            self.kiosk.left_idle()  # walked away: the kiosk goes back to the welcome by itself
            return
        if plan.erase and done:
            self.seen.read(self.channel, visible(self.kiosk.post("/kiosk/answer", choice="cmd:effacer")))
            self.seen.read(self.channel, visible(self.kiosk.post("/kiosk/answer", choice="oui")))
            self.seen.erased = True
            self.seen.finished.clear()
            self.seen.consented.clear()
            self.seen.started.clear()
            return  # the kiosk is back at its welcome
        self.kiosk.next_person()

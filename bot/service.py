"""The conversation service: the one orchestrator between channels, engine and storage."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError, OperationalError

from bot.channels.base import Capabilities, InboundMessage, OutboundMessage, unregistered
from bot.channels.phone import forget_numbers
from bot.flowstore import FlowStore
from bot.replies import COMMAND_PREFIX, outbound
from bot.round_two import Deliberation
from flows import engine
from flows.events import (
    CONSENT_GIVEN,
    YES,
    ConsentChanged,
    Input,
    MessageCreated,
    PrefChanged,
    Prefs,
    ResultSaved,
    RunEnded,
    RunState,
    Sprint,
)
from flows.model import Flow
from nlu.commands import normalise
from nlu.interpretation import Expectation, Interpretation, Interpreter
from storage import counted, invitations, repo
from storage.db import Database
from storage.forget import ERASED, forget_if_settled, sweep_erased
from storage.masking import mask
from storage.models import SafetyFlag, utcnow
from storage.privacy import Crypto
from storage.retention import RECORDING_DELETION, message_texts
from storage.turns import ParticipantRow, RunRow, TurnStore, turn

log = logging.getLogger(__name__)

# Navigation buttons that move the run: pressed on an old question, they would move the wrong one.
MOVES = frozenset({"retour", "passer"})
STALE = "\x00stale"  # a step id no flow has: the engine answers "this button is old"
# An erased participant's row outlives their confirmation this long (the kiosk shows it after
# a redirect), then the next sweep forgets them; a sweep runs at most once a period.
ERASED_GRACE = timedelta(minutes=1)
SWEEP_PERIOD_SECONDS = 60.0
START_WORDS = frozenset({"bonjour", "salut", "start", "/start", "commencer", "hello", "coucou"})
# After a finished questionnaire, only these start it again (1: the after_end message's number).
RESTART_WORDS = START_WORDS | {"recommencer", "1"}
YES_NO = (("oui", invitations.YES), ("non", invitations.NO))

# Re-read a raw inbound once its participant is locked, given (lazily) the last question sent.
Reader = Callable[[InboundMessage, Callable[[], dict[str, Any] | None]], InboundMessage]
# A webhook that answers in its own response: each reply's cost (SMS segments, or None).
InlineReply = Callable[[list[OutboundMessage]], Sequence[int | None]]


@dataclass
class HandleResult:
    """What handling one inbound message produced."""

    replies: list[OutboundMessage] = field(default_factory=list)
    outbox_ids: list[int] = field(default_factory=list)
    duplicate: bool = False
    participant_id: int | None = None


@dataclass
class _Turn:
    """The working state of one inbound message inside its transaction."""

    store: TurnStore
    inbound: InboundMessage
    participant: ParticipantRow
    inbound_id: int
    run: RunRow | None  # the open run when the message came in
    messages: list[tuple[Flow, MessageCreated, Prefs, int | None]] = field(default_factory=list)
    erased: bool = False  # the participant erased their data in this turn


class ConversationService:
    """Handle inbound messages: dedupe, lock, interpret, run the engine, commit, reply."""

    def __init__(
        self,
        db: Database,
        flows: FlowStore,
        interpreter: Interpreter,
        crypto: Crypto,
        default_flow: str = "egalite",
        clock: Callable[[], datetime] = utcnow,
        capabilities: Callable[[str], Capabilities] = unregistered,
        recordings: Path | None = None,
        region: str = "FR",
        forget_clips: Callable[[set[str]], object] = lambda texts: 0,
        deliberation: Deliberation | None = None,
    ) -> None:
        self.db = db
        self.flows = flows
        self.interpreter = interpreter
        self.crypto = crypto
        self.default_flow = default_flow
        self.clock = clock
        self.capabilities = capabilities
        self.recordings = recordings
        self.region = region  # phone numbers typed in free text are masked as read here
        self.forget_clips = forget_clips  # deletes the audio read-backs of these texts
        self._next_sweep = 0.0
        self.deliberation = deliberation  # round two: deals statements, saves votes

    def participant_key(self, channel: str, address: str) -> str:
        """Return the pseudonymous key of an address on a channel."""
        return self.crypto.participant_key(self.capabilities(channel).identity, address)

    def handle(
        self, inbound: InboundMessage, read: Reader | None = None, reply_inline: InlineReply | None = None
    ) -> HandleResult:
        """Handle one inbound message; safe to call again with the same external id.

        `read` re-reads the message against the last question, inside the transaction.
        `reply_inline` says the caller answers in its own response: the replies are stored as
        already sent, with the cost it returns, in the same transaction (nothing left to claim).
        """
        self._sweep_now_and_then()
        for attempt in range(5):
            try:
                return self._handle_once(inbound, read, reply_inline)
            except (IntegrityError, OperationalError) as exc:
                # A concurrent duplicate or a serialisation conflict: the retry sees its result.
                log.info("retrying inbound on %s after %s", inbound.channel, type(exc).__name__)
                time.sleep(0.01 * (attempt + 1))
        return self._handle_once(inbound, read, reply_inline)

    def _handle_once(
        self, inbound: InboundMessage, read: Reader | None, reply_inline: InlineReply | None
    ) -> HandleResult:
        key = self.participant_key(inbound.channel, inbound.address)
        with turn(self.db) as store:
            participant = store.lock_participant(
                key, inbound.channel, lambda: self.crypto.encrypt(inbound.address)
            )
            if read is not None:  # before this turn writes: the question the message answers
                run, prompt = store.open_run_and_prompt(participant.id)
                inbound = read(inbound, lambda: prompt)
            else:
                run = store.open_run(participant.id)
            kind = "start" if inbound.start_flow else "choice" if inbound.choice else "text"
            event_id = store.record_inbound(inbound.channel, inbound.external_id, participant.id, kind)
            if event_id is None:  # already received: answer with what was stored then
                store.save_participant(participant)
                seen = repo.find_inbound(store.session, inbound.channel, inbound.external_id)
                rows = repo.replies_of(store.session, seen.id) if seen is not None else []
                return HandleResult(
                    replies=[OutboundMessage.from_payload(r.payload) for r in rows],
                    outbox_ids=[r.id for r in rows],
                    duplicate=True,
                    participant_id=participant.id,
                )
            current = _Turn(store, inbound, participant, event_id, run)
            read_back = self._read_back(current)
            self._converse(current)
            self.forget_clips(read_back)  # answered: their audio is needed no more
            replies = [outbound(*message) for message in current.messages]
            costs = reply_inline(replies) if reply_inline is not None else None
            ids = store.add_outbox_rows(participant.id, inbound.channel,
                                        [out.to_payload() for out in replies], event_id,
                                        sent_at=self.clock() if costs is not None else None,
                                        segments=costs)  # fmt: skip
            inline_erasure = current.erased and costs is not None
            if not (inline_erasure and forget_if_settled(store.session, participant.id)):
                store.save_participant(participant)  # else answered inline: nothing left of them
            return HandleResult(replies=replies, outbox_ids=ids, participant_id=participant.id)

    def sweep_erased(self) -> int:
        """Forget the people who erased their data, once their last message is out and shown."""
        with self.db.transaction() as session:
            return sweep_erased(session, self.clock() - ERASED_GRACE)

    def _sweep_now_and_then(self) -> None:
        """Sweep erased participants at most once a period; a failure waits for the next one."""
        now = time.monotonic()
        if now < self._next_sweep:
            return
        self._next_sweep = now + SWEEP_PERIOD_SECONDS
        try:
            self.sweep_erased()
        except (IntegrityError, OperationalError) as exc:
            log.info("erased participants not swept this time: %s", type(exc).__name__)

    def _read_back(self, turn: _Turn) -> set[str]:
        """Return the texts of a read-back this message answers ("Vous avez dit : ...")."""
        if turn.run is None or (turn.run.state.get("pending") or {}).get("kind") != "readback":
            return set()
        prompt = turn.store.last_prompt(turn.participant.id) or {}
        return {str(prompt.get(k) or "") for k in ("text", "spoken")} - {""}

    # the conversation ------------------------------------------------------
    def _converse(self, turn: _Turn) -> None:
        """Decide what the inbound means for this participant and apply it."""
        inbound, participant, run = turn.inbound, turn.participant, turn.run
        if participant.pending_action == ERASED:  # back before the sweep: a new start
            participant.pending_action = None
        if participant.opted_out_at is not None:
            final = self.capabilities(inbound.channel).stop_is_final
            if final or not self._wants_start(inbound):
                if not final:
                    self._system(turn, "opted_out")
                return
            participant.opted_out_at = None
        if inbound.start_flow:
            self._start(turn, run, inbound.start_flow)
            return
        if participant.pending_action == "erase":
            self._confirm_erase(turn, run)
            return
        if run is not None and self._stale(inbound, run):
            flow, state = self._load(turn, run)
            self._resume(turn, run, flow, state, Input.choose("", step=STALE))
            return
        if inbound.choice and inbound.choice.startswith(COMMAND_PREFIX):
            self._command(turn, run, inbound.choice.removeprefix(COMMAND_PREFIX))
            return
        if run is None and not inbound.choice:
            meaning = self._interpret(turn, None)
            if meaning.command in ("stop", "effacer", "aide", "sos"):
                self._command(turn, None, meaning.command)
                return
            if not self._answer_invitation(turn):
                self._come_back(turn)
            return
        if run is None:
            self._system(turn, "run_over")
            return
        flow, state = self._load(turn, run)
        if inbound.choice or inbound.keys:
            inp = Input(kind="choice", value=inbound.choice or "", step=inbound.step,
                        keys=inbound.keys)  # fmt: skip
            self._resume(turn, run, flow, state, inp)
            return
        if inbound.audio_ref:
            transcript = mask(inbound.text or "", self.region)
            self._resume(turn, run, flow, state, Input.say(transcript, None, inbound.audio_ref))
            return
        meaning = self._interpret(turn, (flow, state))
        if meaning.command:
            self._command(turn, run, meaning.command)
        elif meaning.choice:
            self._resume(turn, run, flow, state, Input.choose(meaning.choice))
        else:
            text = mask(inbound.text or "", self.region)
            self._resume(turn, run, flow, state, Input.say(text, meaning.theme))

    def _answer_invitation(self, turn: _Turn) -> bool:
        """Record a yes or a no to the invitation the person last received; say whether it was one."""
        if turn.participant.created:  # a newcomer was invited to nothing
            return False
        invitation = invitations.open_invitation(turn.store.session, turn.participant.id)
        if invitation is None:
            return False
        meaning = self.interpreter.interpret(turn.inbound.text or "", Expectation("confirm", YES_NO))
        if meaning.choice not in (invitations.YES, invitations.NO):
            return False
        invitation.reply = meaning.choice
        self._system(turn, f"invitation_{meaning.choice}")
        return True

    def _come_back(self, turn: _Turn) -> None:
        """Start the flow asked for; after a finished one, start again only when asked to."""
        wanted = normalise(turn.inbound.text or "")
        finished = not turn.participant.created and counted.has_finished(turn.store.session,
                                                                         turn.participant.id)
        if self.flows.has(wanted):
            self._start(turn, None, wanted)
        elif wanted not in RESTART_WORDS and finished:
            self._system(turn, "after_end")  # the finished answers stay as they are
        else:
            self._start(turn, None, self.default_flow)

    def _stale(self, inbound: InboundMessage, run: RunRow) -> bool:
        """Say whether a button belongs to another run, or moves from an old question."""
        if inbound.run_id is not None and inbound.run_id != run.id:
            return True
        command = (inbound.choice or "").removeprefix(COMMAND_PREFIX)
        moves = inbound.choice is not None and inbound.choice != command and command in MOVES
        return moves and inbound.step is not None and inbound.step != run.state.get("step")

    def _wants_start(self, inbound: InboundMessage) -> bool:
        """Say whether an opted-out participant asks to take part again."""
        return bool(inbound.start_flow) or normalise(inbound.text or "") in START_WORDS

    def _interpret(self, turn: _Turn, current: tuple[Flow, RunState] | None) -> Interpretation:
        """Interpret free text; a danger disclosure answers with helplines and flags it."""
        text = turn.inbound.text or ""
        expects = Expectation()
        if current is not None:
            expects = expectation(*current)
        meaning = self.interpreter.interpret(text, expects)
        if meaning.danger:
            self._flag_danger(turn, current, text)
            return Interpretation(command="repeter", source=meaning.source, danger=True)
        return meaning

    def _flag_danger(self, turn: _Turn, current: tuple[Flow, RunState] | None, text: str) -> None:
        """Send the helplines at once and queue the message for a facilitator."""
        run = turn.store.open_run(turn.participant.id)
        turn.store.session.add(
            SafetyFlag(
                participant_id=turn.participant.id,
                run_id=run.id if run else None,
                channel=turn.inbound.channel,
                step=current[1].step if current else None,
                excerpt=mask(text, self.region)[:1000],
            )
        )
        log.warning("safety flag raised on channel %s", turn.inbound.channel)
        self._system(turn, "danger")

    def _command(self, turn: _Turn, run: RunRow | None, name: str) -> None:
        """Apply a global command; stop and erase work with or without a run."""
        participant = turn.participant
        if name == "stop":
            participant.opted_out_at = self.clock()
            if run is not None:
                turn.store.end_run(run, "stopped", self.clock())
            self._system(turn, "stop_done")
            return
        if name == "sos":  # the helplines, asking nothing and leaving the run where it is
            self._system(turn, "helplines")
            if run is not None:
                flow, state = self._load(turn, run)
                self._apply(turn, run, flow, engine.repeat(flow, state))
            return
        if name == "effacer":
            participant.pending_action = "erase"
            self._system(turn, "erase_confirm", confirm=True)
            return
        if run is None:
            self._system(turn, "help" if name == "aide" else "run_over")
            return
        flow, state = self._load(turn, run)
        self._resume(turn, run, flow, state, Input.command(name))

    def _confirm_erase(self, turn: _Turn, run: RunRow | None) -> None:
        """Erase on yes, keep everything on anything else."""
        inbound, participant = turn.inbound, turn.participant
        answer = inbound.choice
        if answer is None and inbound.text:
            meaning = self.interpreter.interpret(
                inbound.text, Expectation("confirm", YES_NO)
            )
            answer = "oui" if meaning.command == "effacer" else meaning.choice
        participant.pending_action = None
        if answer == "oui":
            session = turn.store.session
            self.forget_clips(message_texts(session, participant.id))
            remote = repo.erase_participant_data(session, participant, self.recordings)
            # Recordings kept at Twilio go through the outbox: retried until Twilio deletes them.
            turn.store.add_outbox_rows(participant.id, RECORDING_DELETION,
                                       [{"text": ref, "role": "system"} for ref in remote])  # fmt: skip
            # The row stays until the confirmation is out (storage/forget.py).
            participant.pending_action, participant.last_seen_at = ERASED, self.clock()
            forget_numbers()  # the number must not stay in this process's parsing cache either
            turn.erased = True
            self._system(turn, "erase_done")
            return
        self._system(turn, "erase_cancelled")
        if run is not None:
            flow, state = self._load(turn, run)
            self._apply(turn, run, flow, engine.repeat(flow, state))

    # engine and storage ------------------------------------------------------
    def _prefs(self, turn: _Turn) -> Prefs:
        """Return the participant's preferences, and whether this channel offers audio."""
        participant, can = turn.participant, self.capabilities(turn.inbound.channel)
        return Prefs(lang=participant.language, easy=participant.easy, audio=participant.audio,
                     audio_choice=can.offers_audio_choice, answers_by=can.answers_by)  # fmt: skip

    def _load(self, turn: _Turn, run: RunRow) -> tuple[Flow, RunState]:
        """Return a run's flow version and state with the participant's current prefs."""
        flow = self.flows.version(run.flow_id, run.flow_version,
                                  lambda f, v: repo.flow_source(turn.store.session, f, v))  # fmt: skip
        state = engine.with_prefs(RunState.from_dict(run.state), self._prefs(turn))
        return flow, state

    def _start(self, turn: _Turn, run: RunRow | None, flow_id: str) -> None:
        """Start a flow, or repeat the current question when it is already running."""
        if not self.flows.has(flow_id):
            flow_id = self.default_flow
        if run is not None and run.flow_id == flow_id:
            flow, state = self._load(turn, run)
            self._apply(turn, run, flow, engine.repeat(flow, state))
            return
        if run is not None:
            turn.store.end_run(run, "stopped", self.clock())
        flow = self.flows.start_version(turn.store.remember_flow, flow_id)
        values = {CONSENT_GIVEN: YES} if turn.participant.consent_at is not None else {}
        if self.deliberation is not None and self.deliberation.concerns(flow):
            values.update(self.deliberation.values(turn.store.session, turn.participant.id, flow) or {})
        sprint = engine.start(flow, self._prefs(turn), values)
        new_run = turn.store.new_run(turn.participant.id, flow.id, flow.version, turn.inbound.channel,
                                     sprint.state.to_dict(), sprint.state.status, self.clock())  # fmt: skip
        self._apply(turn, new_run, flow, sprint)

    def _resume(self, turn: _Turn, run: RunRow, flow: Flow, state: RunState, inp: Input) -> None:
        """Apply an input through the engine."""
        self._apply(turn, run, flow, engine.resume(flow, state, inp))

    def _apply(self, turn: _Turn, run: RunRow, flow: Flow, sprint: Sprint) -> None:
        """Write a sprint's events: answers, preferences, consent, run state, messages."""
        participant, now = turn.participant, self.clock()
        refused = False
        # Round two's hook reads and writes through the ORM session: opened only for its flows.
        deliberation = self.deliberation if self.deliberation and self.deliberation.concerns(flow) else None
        for event in sprint.events:
            if isinstance(event, ResultSaved):
                if deliberation is not None and deliberation.consume(
                    turn.store.session, participant.id, flow, event
                ):
                    continue  # a vote of round two: saved in its own table
                turn.store.save_answer(run, {
                    "step": event.step, "result": event.name, "value": event.value,
                    "category": event.category, "raw_text": event.raw_text,
                    "theme": event.theme, "audio_ref": event.audio_ref,
                    "assisted": turn.inbound.assisted or event.assisted,
                    "easy": sprint.state.prefs.easy, "created_at": now,
                })  # fmt: skip
            elif isinstance(event, PrefChanged):
                if event.name == "reading":
                    participant.easy = event.value
                else:
                    participant.audio = event.value
            elif isinstance(event, ConsentChanged):
                participant.consent_at = now if event.given else None
                refused = not event.given
            elif isinstance(event, RunEnded):
                run.ended_at = now  # save_run below writes it with the sprint's status
                if event.status == "failed":
                    log.error("run %s failed: %s", run.id, event.reason)
            elif isinstance(event, MessageCreated):
                turn.messages.append((flow, event, sprint.state.prefs, run.id))
        if refused:  # no consent: nothing is kept from this run
            repo.delete_run_answers(turn.store.session, run.id)
            sprint.state.results.clear()
        turn.store.save_run(run, sprint.state.to_dict(), sprint.state.status, now)

    def _system(self, turn: _Turn, key: str, confirm: bool = False) -> None:
        """Queue a system message in the participant's register, outside any run."""
        flow = self.flows.current(self.default_flow)
        prefs = self._prefs(turn)
        text = flow.system_message(key, prefs.answers_by).get(prefs.lang)
        message = MessageCreated(text=text.pick(prefs.easy), spoken=text.spoken(prefs.easy),
                                 role="system")  # fmt: skip
        if confirm:
            sprint = engine.confirmation(flow, prefs, key)
            message = sprint.messages()[0]
        turn.messages.append((flow, message, prefs, None))


def expectation(flow: Flow, state: RunState) -> Expectation:
    """Return what the run waits for, so typed text can be mapped onto the choices."""
    return Expectation(*engine.expectation(flow, state))

"""The rasa backend without Rasa: closed ports, slow and broken servers, the circuit breaker."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from nlu.embedded import EmbeddedClassifier
from nlu.rasa_client import (
    CircuitBreaker,
    FallbackClassifier,
    RasaClassifier,
    RasaUnavailable,
    parse_response,
)
from tests.live import free_port, live_server

SECRET_TEXT = "mon voisin fait trop de bruit"


def misbehaving_rasa(mode: str, calls: list[str]) -> Starlette:
    """Return a server on Rasa's route that is slow, failing or answering nonsense."""

    async def parse(request: Request) -> Response:
        calls.append((await request.json())["text"])
        if mode == "slow":
            await asyncio.sleep(2)
            return JSONResponse({"intent": {"name": "autre", "confidence": 1.0}})
        if mode == "error":
            return PlainTextResponse("model not loaded", status_code=500)
        return JSONResponse({"status": "ok"})

    return Starlette(routes=[Route("/model/parse", parse, methods=["POST"])])


def test_parse_response_reads_rasa_intent_ranking() -> None:
    body = {"text": "coucou", "intent": {"name": "salutation", "confidence": 0.91},
            "entities": [], "intent_ranking": [{"name": "salutation", "confidence": 0.91},
                                               {"name": "merci", "confidence": 0.05}]}  # fmt: skip
    prediction = parse_response(body)
    assert (prediction.label, prediction.confidence, prediction.source) == ("salutation", 0.91,
                                                                              "rasa")  # fmt: skip
    assert prediction.score("merci") == 0.05


@pytest.mark.parametrize("body", [{}, {"intent": None}, {"intent": {"name": None}}, []])
def test_parse_response_refuses_answers_without_an_intent(body: object) -> None:
    with pytest.raises(ValueError):
        parse_response(body)


def test_closed_port_falls_back_to_embedded_and_warns(
    embedded: EmbeddedClassifier, caplog: pytest.LogCaptureFixture
) -> None:
    backend = FallbackClassifier(RasaClassifier(f"http://127.0.0.1:{free_port()}", 1.0), embedded)
    with caplog.at_level(logging.INFO):
        prediction = backend.classify("merci beaucoup")
    assert prediction.label == "merci" and prediction.source == "embedded-fallback"
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings and "falling back to embedded" in warnings[0].getMessage()
    assert all("merci" not in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("mode", ["slow", "error", "nonsense"])
def test_slow_failing_or_nonsense_rasa_falls_back(
    embedded: EmbeddedClassifier, caplog: pytest.LogCaptureFixture, mode: str
) -> None:
    calls: list[str] = []
    with live_server(misbehaving_rasa(mode, calls)) as url:
        backend = FallbackClassifier(RasaClassifier(url, 0.3), embedded)
        started = time.perf_counter()
        prediction = backend.classify(SECRET_TEXT)
        elapsed = time.perf_counter() - started
    assert calls == [SECRET_TEXT]
    assert prediction.source == "embedded-fallback" and prediction.label == "autre"
    assert elapsed < 1.5, "the timeout must cut a slow Rasa short"
    assert all(SECRET_TEXT not in r.getMessage() for r in caplog.records)


def test_breaker_stops_calling_a_dead_rasa_then_probes_it_again(
    embedded: EmbeddedClassifier,
) -> None:
    calls: list[str] = []
    now = [0.0]
    breaker = CircuitBreaker(failures=2, cooldown=30, clock=lambda: now[0])
    with live_server(misbehaving_rasa("slow", calls)) as url:
        backend = FallbackClassifier(RasaClassifier(url, 0.2), embedded, breaker)
        for _ in range(5):
            assert backend.classify("bonjour").source == "embedded-fallback"
        assert len(calls) == 2 and breaker.open
        started = time.perf_counter()
        backend.classify("bonjour")
        assert time.perf_counter() - started < 0.2, "an open circuit costs no timeout"
        now[0] = 31.0
        backend.classify("bonjour")
        assert len(calls) == 3, "after the cool-down one probe goes through"
        backend.classify("bonjour")
        assert len(calls) == 3, "a failed probe re-opens the circuit"


def test_breaker_closes_after_a_good_probe() -> None:
    now = [0.0]
    breaker = CircuitBreaker(failures=1, cooldown=10, clock=lambda: now[0])
    breaker.failed()
    assert breaker.open and not breaker.allow()
    now[0] = 10.5
    assert breaker.allow() and not breaker.allow(), "only one probe at a time"
    breaker.succeeded()
    assert not breaker.open and breaker.allow()


def test_rasa_classifier_raises_on_a_closed_port() -> None:
    with pytest.raises(RasaUnavailable):
        RasaClassifier(f"http://127.0.0.1:{free_port()}", 0.5).classify("bonjour")

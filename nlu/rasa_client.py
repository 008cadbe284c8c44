"""The `rasa` backend: Rasa's HTTP API, with a circuit breaker and the embedded fallback."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from nlu.prediction import Classifier, Prediction

log = logging.getLogger(__name__)


class RasaUnavailable(RuntimeError):
    """Rasa did not answer usefully: down, too slow, an HTTP error or a malformed answer."""


class RasaClassifier:
    """POST texts to `{url}/model/parse` and read Rasa's intent ranking."""

    name = "rasa"

    def __init__(self, url: str, timeout: float, client: httpx.Client | None = None) -> None:
        self.url = url.rstrip("/") + "/model/parse"
        self.client = client or httpx.Client(timeout=httpx.Timeout(timeout))

    def classify(self, text: str) -> Prediction:
        """Parse one text with Rasa, or raise RasaUnavailable."""
        try:
            response = self.client.post(self.url, json={"text": text})
            response.raise_for_status()
            return parse_response(response.json())
        except httpx.TimeoutException as exc:
            raise RasaUnavailable(f"timeout ({type(exc).__name__})") from exc
        except httpx.HTTPStatusError as exc:
            raise RasaUnavailable(f"HTTP {exc.response.status_code}") from exc
        except (httpx.HTTPError, ValueError) as exc:
            raise RasaUnavailable(type(exc).__name__) from exc

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self.client.close()


def parse_response(body: Any) -> Prediction:
    """Turn Rasa's /model/parse JSON into a Prediction, refusing malformed answers."""
    if not isinstance(body, dict) or not isinstance(body.get("intent"), dict):
        raise ValueError("no intent in Rasa's answer")
    name = body["intent"].get("name")
    if not isinstance(name, str) or not name:
        raise ValueError("Rasa returned no intent name")
    confidence = float(body["intent"].get("confidence") or 0.0)
    ranking = tuple(
        (str(item["name"]), round(float(item.get("confidence") or 0.0), 4))
        for item in body.get("intent_ranking") or ()
        if isinstance(item, dict) and item.get("name")
    )
    return Prediction(name, round(confidence, 4), ranking or ((name, confidence),), "rasa")


class CircuitBreaker:
    """Open after consecutive failures; let one probe through after a cool-down."""

    def __init__(self, failures: int = 3, cooldown: float = 30.0,
                 clock: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        self.threshold = failures
        self.cooldown = cooldown
        self.clock = clock
        self.failures = 0
        self.opened_at: float | None = None
        self._probing = False
        self._lock = threading.Lock()

    @property
    def open(self) -> bool:
        """Say whether calls are currently short-circuited."""
        return self.opened_at is not None

    def allow(self) -> bool:
        """Say whether a call may go through now (closed, or the one half-open probe)."""
        with self._lock:
            if self.opened_at is None:
                return True
            if self._probing or self.clock() - self.opened_at < self.cooldown:
                return False
            self._probing = True
            return True

    def succeeded(self) -> None:
        """Close the circuit after a good answer."""
        with self._lock:
            if self.opened_at is not None:
                log.info("Rasa NLU answers again; circuit closed")
            self.failures, self.opened_at, self._probing = 0, None, False

    def failed(self) -> None:
        """Count a failure; open (or re-open) the circuit past the threshold."""
        with self._lock:
            self.failures += 1
            if self._probing or self.failures >= self.threshold:
                if self.opened_at is None:
                    log.warning("Rasa NLU failed %d times in a row; using the embedded model "
                                "for %.0fs", self.failures, self.cooldown)  # fmt: skip
                self.opened_at, self._probing = self.clock(), False


class FallbackClassifier:
    """Ask the primary backend; on failure or an open circuit, answer with the fallback."""

    def __init__(self, primary: Classifier, fallback: Classifier,
                 breaker: CircuitBreaker | None = None) -> None:  # fmt: skip
        self.primary = primary
        self.fallback = fallback
        self.breaker = breaker or CircuitBreaker()
        self.name = primary.name

    def classify(self, text: str) -> Prediction:
        """Classify with the primary backend, or the fallback when it is unavailable."""
        if self.breaker.allow():
            try:
                prediction = self.primary.classify(text)
            except RasaUnavailable as exc:
                log.warning("%s NLU unavailable (%s); falling back to %s",
                            self.primary.name, exc, self.fallback.name)  # fmt: skip
                self.breaker.failed()
            else:
                self.breaker.succeeded()
                return prediction
        answer = self.fallback.classify(text)
        return Prediction(answer.label, answer.confidence, answer.ranking,
                          f"{answer.source}-fallback")  # fmt: skip

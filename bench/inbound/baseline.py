"""The baseline: a minimal ASGI app that parses the same form and inserts one row."""

from __future__ import annotations

import os
import threading
from contextlib import nullcontext

from sqlalchemy import Column, Integer, MetaData, String, Table, Text, create_engine, event, insert
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

metadata = MetaData()
rows = Table(
    "bench_baseline", metadata,
    Column("id", Integer, primary_key=True),
    Column("sid", String(64)), Column("sender", String(32)), Column("body", Text),
)  # fmt: skip


def create_app() -> Starlette:
    """Build the baseline app on BENCH_DATABASE_URL."""
    url = os.environ["BENCH_DATABASE_URL"]
    args = {"connect_args": {"check_same_thread": False}} if url.startswith("sqlite") else {}
    engine = create_engine(url, **args)
    if url.startswith("sqlite"):  # the durability Porte-voix has (storage/db.py)
        event.listen(engine, "connect", lambda conn, _: conn.execute("PRAGMA synchronous=NORMAL"))
        with engine.begin() as conn:
            conn.exec_driver_sql("PRAGMA journal_mode=WAL")
    metadata.create_all(engine)
    # SQLite takes one writer at a time: threads queue on a lock rather than on the file's
    # busy handler, which sleeps between tries (as storage/db.py does for Porte-voix).
    writer = threading.Lock() if url.startswith("sqlite") else nullcontext()

    def store(sid: str, sender: str, body: str) -> None:
        with writer, engine.begin() as conn:
            conn.execute(insert(rows).values(sid=sid, sender=sender, body=body))

    async def sms(request: Request) -> Response:
        form = await request.form()
        await run_in_threadpool(store, str(form["MessageSid"]), str(form["From"]), str(form["Body"]))
        return Response('<?xml version="1.0" encoding="UTF-8"?><Response/>',
                        media_type="application/xml")  # fmt: skip

    async def healthz(request: Request) -> Response:
        return Response("ok")

    return Starlette(routes=[Route("/webhooks/twilio/sms", sms, methods=["POST"]),
                             Route("/healthz", healthz)])  # fmt: skip

"""One export, as the dashboard and the CLI run it: audit first, then a byte stream."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from dashboard import exporters
from flows import kinds
from flows.model import Flow
from storage import audit
from storage.db import Database
from storage.exports import Layout, Pseudonyms, answer_rows, extra_results, respondent_rows
from storage.reading import read_session

FORMATS = ("csv", "xlsx", "json", "floip")
SINGLE_FLOW = ("csv", "floip")


class ExportError(ValueError):
    """The export cannot be made as asked."""


def layout_of(flow: Flow, extra: Sequence[str] = ()) -> Layout:
    """Derive a flow's export columns from its results (plus results of older versions)."""
    results = [s.result for s in flow.results() if s.result]
    return Layout(
        flow_id=flow.id,
        results=results + [r for r in extra if r not in results],
        text_results=frozenset(
            s.result for s in flow.results() if kinds.get(s.kind).free_text and s.result
        ),
        labels={s.result: s.say.get("fr").text for s in flow.results() if s.result},
    )


def filename(fmt: str, flow_ids: Sequence[str]) -> str:
    """Return the download name of an export."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    return f"porte-voix-{'-'.join(flow_ids)}-{stamp}.{exporters.EXTENSION[fmt]}"


def start_export(
    db: Database, flows: dict[str, Flow], fmt: str, flow_ids: Sequence[str], actor: str
) -> Iterator[bytes]:
    """Check the request, write the audit entry, and return the export's byte stream."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format '{fmt}' (expected one of {', '.join(FORMATS)})")
    if not flow_ids:
        raise ExportError("no flow to export")
    unknown = [f for f in flow_ids if f not in flows]
    if unknown:
        raise ExportError(f"unknown flow: {', '.join(unknown)}")
    if fmt in SINGLE_FLOW and len(flow_ids) != 1:
        raise ExportError(f"a {fmt} export holds exactly one flow")
    with db.transaction() as session:
        audit.record(session, actor, "export", format=fmt, flows=list(flow_ids))
    return _stream(db, [flows[f] for f in flow_ids], fmt)


def _stream(db: Database, chosen: list[Flow], fmt: str) -> Iterator[bytes]:
    """Read and write the export inside one reading session."""
    pseudonyms = Pseudonyms()
    with read_session(db) as session:
        layouts = []
        for flow in chosen:
            base = layout_of(flow)
            layouts.append(layout_of(flow, extra_results(session, flow.id, base.results)))

        def sheets() -> Iterator[tuple[Layout, Iterator[dict[str, Any]]]]:
            for layout in layouts:
                yield layout, respondent_rows(session, layout, pseudonyms)

        if fmt == "csv":
            yield from exporters.csv_stream(layouts[0], respondent_rows(session, layouts[0], pseudonyms))
        elif fmt == "json":
            yield from exporters.json_stream(sheets())
        elif fmt == "xlsx":
            yield from exporters.xlsx_stream(sheets())
        else:
            descriptor = exporters.floip_descriptor(chosen[0], layouts[0], chosen[0].title)
            rows = answer_rows(session, chosen[0].id, pseudonyms, layouts[0].text_results)
            yield from exporters.floip_stream(descriptor, rows)

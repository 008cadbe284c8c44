"""Export writers: CSV, XLSX, JSON and the Flow Results Package, each as a byte stream."""

from __future__ import annotations

import csv
import io
import json
import tempfile
import uuid
import zipfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from flows import kinds
from flows.model import Flow
from storage.exports import AnswerRow, Layout, Pseudonyms

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 64 * 1024
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "floip": "application/zip",
}
EXTENSION = {"csv": "csv", "xlsx": "xlsx", "json": "json", "floip": "zip"}


def _safe(value: Any) -> Any:
    """Defuse a text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class _Buffer(io.RawIOBase):
    """A write-only byte sink that a generator drains (zipfile writes into it)."""

    def __init__(self) -> None:
        super().__init__()
        self._chunks: list[bytes] = []
        self._size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._chunks.append(chunk)
        self._size += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self._size

    def drain(self) -> bytes:
        """Return and forget what was written so far."""
        out = b"".join(self._chunks)
        self._chunks.clear()
        return out


def csv_stream(layout: Layout, rows: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    """Write rows as UTF-8 CSV (with a BOM, so spreadsheets read the accents)."""
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=layout.columns, lineterminator="\r\n")
    writer.writeheader()
    yield ("\ufeff" + text.getvalue()).encode("utf-8")
    text.seek(0)
    text.truncate()
    for row in rows:
        writer.writerow({k: _safe(v) for k, v in row.items()})
        if text.tell() >= CHUNK:
            yield text.getvalue().encode("utf-8")
            text.seek(0)
            text.truncate()
    yield text.getvalue().encode("utf-8") if text.tell() else b""


def json_stream(sheets: Iterable[tuple[Layout, Iterable[dict[str, Any]]]]) -> Iterator[bytes]:
    """Write {"flows": [{"id", "columns", "respondents": [...]}]} without holding it whole."""
    yield b'{"exported_at": ' + json.dumps(datetime.now(UTC).isoformat()).encode() + b', "flows": ['
    for index, (layout, rows) in enumerate(sheets):
        head = {"id": layout.flow_id, "columns": layout.columns}
        yield (b", " if index else b"") + json.dumps(head, ensure_ascii=False)[:-1].encode()
        yield b', "respondents": ['
        buffer: list[str] = []
        for count, row in enumerate(rows):
            buffer.append(("," if count else "") + json.dumps(row, ensure_ascii=False))
            if len(buffer) >= 500:
                yield "".join(buffer).encode("utf-8")
                buffer.clear()
        yield "".join(buffer).encode("utf-8") + b"]}"
    yield b"]}\n"


def xlsx_stream(sheets: Iterable[tuple[Layout, Iterable[dict[str, Any]]]]) -> Iterator[bytes]:
    """Write one sheet per flow with openpyxl's write-only mode, then stream the file."""
    from openpyxl import Workbook  # only when someone exports a spreadsheet
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    for layout, rows in sheets:
        sheet = book.create_sheet(title=layout.flow_id[:31])
        sheet.append(layout.columns)
        columns = layout.columns
        for row in rows:
            values: list[Any] = [row.get(column, "") for column in columns]
            for index, value in enumerate(values):
                if isinstance(value, str) and value.startswith("="):
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.data_type = "s"  # text, never a formula
                    values[index] = cell
            sheet.append(values)
    with tempfile.TemporaryFile() as handle:
        book.save(handle)  # type: ignore[arg-type]
        handle.seek(0)
        while chunk := handle.read(CHUNK):
            yield chunk


def floip_descriptor(flow: Flow, layout: Layout, title: str) -> dict[str, Any]:
    """Describe a flow's results as a Flow Results Package (spec 1.0.0-rc1)."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    questions: dict[str, Any] = {}
    steps = {s.result: s for s in flow.results()}
    for result in layout.results:
        step = steps.get(result)
        floip_type = kinds.get(step.kind).floip_type if step else "text"
        options: dict[str, Any] = {}
        if floip_type.startswith("select"):
            assert step is not None
            options["choices"] = [c.key for c in step.choices]
        label = step.say.get("fr").text if step else result
        questions[result] = {"type": floip_type, "label": label, "type_options": options}
    return {
        "profile": "flow-results-package",
        "flow_results_specification_version": "1.0.0-rc1",
        "created": now,
        "modified": now,
        "id": str(uuid.uuid4()),
        "name": f"porte-voix-{flow.id}".lower().replace("_", "-"),
        "title": title,
        "resources": [{
            "name": f"{flow.id}-responses".lower().replace("_", "-"),
            "path": "responses.json",
            "mediatype": "application/json",
            "encoding": "utf-8",
            "schema": {
                "language": "fra",
                "fields": [
                    {"name": "timestamp", "title": "Timestamp", "type": "datetime"},
                    {"name": "row_id", "title": "Row ID", "type": "string"},
                    {"name": "contact_id", "title": "Contact ID", "type": "string"},
                    {"name": "question_id", "title": "Question ID", "type": "string"},
                    {"name": "response", "title": "Response", "type": "any"},
                    {"name": "response_metadata", "title": "Response Metadata", "type": "object"},
                ],
                "questions": questions,
            },
        }],
    }  # fmt: skip


def floip_stream(descriptor: dict[str, Any], rows: Iterable[AnswerRow]) -> Iterator[bytes]:
    """Zip datapackage.json and responses.json (row arrays), streaming the zip as it grows.

    Row ids are keyed per export (as respondents are): never the database's answer ids.
    """
    row_ids = Pseudonyms(prefix="A")
    questions = descriptor["resources"][0]["schema"]["questions"]
    many = {q for q, meta in questions.items() if meta["type"] == "select_many"}
    sink = _Buffer()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("datapackage.json", json.dumps(descriptor, ensure_ascii=False, indent=2))
        yield sink.drain()
        with archive.open("responses.json", "w") as out:
            out.write(b"[")
            count = 0
            for row in rows:
                if row.result not in questions:
                    continue
                response: Any = row.value.split(",") if row.result in many else row.value
                at = row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC)
                item = [at.isoformat(), row_ids(row.answer_id), row.respondent, row.result, response, {}]
                out.write((b"," if count else b"") + json.dumps(item, ensure_ascii=False).encode())
                count += 1
                if count % 500 == 0:
                    yield sink.drain()
            out.write(b"]")
        yield sink.drain()
    yield sink.drain()

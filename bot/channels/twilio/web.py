"""What every Twilio webhook shares: a bounded body, a checked signature, a TwiML answer."""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl

from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from bot.channels.twilio.signatures import TWILIO_HEADER, check_twilio, public_url
from bot.channels.webhook import SignatureError, read_body

log = logging.getLogger(__name__)
FORM_TYPE = "application/x-www-form-urlencoded"


async def signed_form(request: Request, token: str, base_url: str, limit: int) -> FormData:
    """Return the form Twilio posted, after checking its size and X-Twilio-Signature."""
    body = await read_body(request, limit)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != FORM_TYPE:
        raise HTTPException(415, f"expected {FORM_TYPE}")
    try:
        pairs: list[tuple[str, str | UploadFile]] = list(
            parse_qsl(body.decode("utf-8"), keep_blank_values=True)
        )
    except UnicodeDecodeError as exc:
        raise HTTPException(400, "body is not UTF-8") from exc
    form = FormData(pairs)
    url = public_url(base_url, request.url.path, request.url.query)
    try:
        check_twilio(token, url, form, request.headers.get(TWILIO_HEADER))
    except SignatureError as exc:
        log.warning("twilio webhook %s refused: %s signature", request.url.path, exc.reason)
        raise HTTPException(403, f"{exc.reason} signature") from exc
    return form


def require(form: FormData, *names: str) -> list[str]:
    """Return the named fields, or refuse the request (400) naming those missing."""
    missing = [name for name in names if not str(form.get(name) or "").strip()]
    if missing:
        raise HTTPException(400, "missing " + ", ".join(missing))
    return [str(form[name]).strip() for name in names]


XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>'
_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ATTRIBUTE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
                            "\n": "&#10;", "\r": "&#13;", "\t": "&#09;"})  # fmt: skip


def messages_twiml(messages: list[tuple[str, str]]) -> str:
    """Return a TwiML <Response> with one <Message> per (text, status callback URL).

    Written directly rather than through twilio's MessagingResponse, which builds an
    ElementTree for each answer; the escaping is ElementTree's, so the document is the same.
    """
    if not messages:
        return XML_HEAD + "<Response />"
    return XML_HEAD + "<Response>" + "".join(
        f'<Message action="{action.translate(_ATTRIBUTE)}" method="POST"'
        + (f">{text.translate(_TEXT)}</Message>" if text else " />")
        for text, action in messages
    ) + "</Response>"  # fmt: skip


def twiml(document: object) -> Response:
    """Answer with a TwiML document."""
    return Response(str(document), media_type="application/xml")

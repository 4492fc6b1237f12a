"""Reader for e-mail messages (.eml): subject, sender, recipients, date, the names of the
attachments (never their contents), then the body, as one page.

The body is the plain-text part when there is one, else the HTML part rendered to its visible
text. Parsed with the standard library's `email` package, which is lenient by design: a message
cut short keeps the text before the cut.
"""

from __future__ import annotations

import email
import email.policy
from email.header import decode_header, make_header
from email.message import EmailMessage, Message

from desktop_search.core.errors import ExtractionError
from desktop_search.core.extract.text_pages import build_document, page_of, read_bytes, tidy
from desktop_search.core.models import ExtractedDocument

_SHOWN_HEADERS = ("Subject", "From", "To", "Cc", "Date")
# A file with none of these is not a message, whatever its name says.
_MAIL_HEADERS = frozenset(
    {"from", "to", "subject", "date", "message-id", "received", "sender", "return-path"}
)


def read(path: str, digest: str) -> ExtractedDocument:
    subject, text = _read(path)
    return build_document(path, digest, [text], subject)


def page_text(path: str, page: int) -> str:
    return page_of(path, [_read(path)[1]], page)


def _read(path: str) -> tuple[str, str]:
    """(subject, the page text)."""
    raw = read_bytes(path)
    message = email.message_from_bytes(raw, _class=EmailMessage, policy=email.policy.default)
    if not _MAIL_HEADERS & {name.lower() for name in message}:
        raise ExtractionError(path, "it is not an e-mail message (it has no mail headers)")
    lines = []
    for name in _SHOWN_HEADERS:
        value = _header(message, name)
        if value:
            lines.append(f"{name}: {value}")
    attachments = _attachment_names(message)
    if attachments:
        lines.append("Attachments: " + ", ".join(attachments))
    text = "\n".join(lines) + "\n\n" + _body(message)
    return _header(message, "Subject"), tidy(text)


def _header(message: EmailMessage, name: str) -> str:
    """A header's decoded value ('' when absent), on one line."""
    try:
        value = str(message.get(name) or "")
    except Exception:  # noqa: BLE001 - the parser trips on some malformed headers
        # Fall back to decoding the raw value the older, forgiving way.
        raw = next((v for k, v in message.raw_items() if k.lower() == name.lower()), "")
        try:
            value = str(make_header(decode_header(str(raw))))
        except Exception:  # noqa: BLE001 - undecodable: show it as it stands
            value = str(raw)
    return " ".join(value.split())


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = _content(part)
    if part.get_content_subtype() == "html":
        from desktop_search.core.extract.html_reader import html_to_text

        return html_to_text(content)[1]
    return content


def _content(part: Message) -> str:
    try:
        return str(part.get_content())  # type: ignore[attr-defined]
    except (LookupError, ValueError, AssertionError):
        # An unknown charset or a broken transfer encoding: the bytes, best effort.
        payload = part.get_payload(decode=True)
        return payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""


def _attachment_names(message: EmailMessage) -> list[str]:
    names = []
    for part in message.walk():
        if part.get_content_type() == "message/rfc822":
            inner = part.get_payload(0) if part.is_multipart() else None
            subject = _header(inner, "Subject") if isinstance(inner, EmailMessage) else ""
            names.append(part.get_filename() or f"forwarded message: {subject or '(no subject)'}")
            continue
        if part.is_multipart():
            continue
        disposition = part.get_content_disposition()
        name = part.get_filename()
        # Pictures shown inside an HTML body are not attachments a person sent.
        if disposition == "inline" and part.get_content_maintype() == "image":
            continue
        if name:
            names.append(" ".join(name.split()))
        elif disposition == "attachment":
            names.append(f"(unnamed {part.get_content_type()})")
    return names

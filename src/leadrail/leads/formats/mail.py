"""What the e-mail formats share: safe headers, a deterministic multipart boundary, 7bit bodies.

Address headers refuse CR, LF and NUL (ValueError): a header value can never start a new
header. The subject is text a visitor may have written (an offer, a category): it is made one
line (`clean.one_line`) rather than refused, so a lead stored before the web edge refused line
breaks is still delivered. Non-ASCII header text (a visitor's name in a subject) is written
as RFC 2047 encoded words, so the message stays ASCII on the wire. No Date header is set:
the sending adapter adds it (this package has no clock). A multipart boundary is derived
from the Message-ID and the parts' text (no randomness), and checked not to occur in any
part. `seven_bit_body` makes an XML document (ADF) fit a 7bit body without touching its text.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from email import policy
from email.message import EmailMessage

from leadrail.leads.formats.clean import one_line

MAX_LINE = 998  # RFC 5322: at most 998 octets a line, CR LF excluded

_REFUSED = ("\r", "\n", "\x00")


def check_header(name: str, value: str) -> str:
    """`value`, unless it could break out of its header (ValueError)."""
    if any(ch in value for ch in _REFUSED):
        raise ValueError(f"{name} header may not contain CR, LF or NUL: {value!r}")
    return value


def new_message(
    *,
    sender: str,
    to: Sequence[str],
    subject: str,
    message_id: str,
    reply_to: str | None = None,
) -> EmailMessage:
    """An empty message with From, To, Message-ID (and Reply-To) checked, the Subject made
    one line, and set."""
    recipients = [to] if isinstance(to, str) else list(to)
    if not recipients:
        raise ValueError("at least one recipient is needed")
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = check_header("From", sender)
    msg["To"] = ", ".join(check_header("To", r) for r in recipients)
    msg["Subject"] = one_line(subject)
    msg["Message-ID"] = check_header("Message-ID", message_id)
    if reply_to:
        msg["Reply-To"] = check_header("Reply-To", reply_to)
    return msg


def boundary_for(message_id: str, texts: Iterable[str]) -> str:
    """A multipart boundary that depends only on the message and occurs in none of `texts`."""
    bodies = list(texts)
    seed = hashlib.sha256(message_id.encode("utf-8", "surrogatepass"))
    for body in bodies:
        seed.update(body.encode("utf-8", "surrogatepass"))
    n = 0
    while True:
        digest = hashlib.sha256(seed.digest() + str(n).encode()).hexdigest()[:32]
        candidate = f"=_leadrail_{digest}"
        if not any(candidate in body for body in bodies):
            return candidate
        n += 1


def finish_multipart(msg: EmailMessage, message_id: str, texts: Iterable[str]) -> EmailMessage:
    """Give a multipart `msg` its deterministic boundary; drop the parts' MIME-Version."""
    msg.set_boundary(boundary_for(message_id, texts))
    for part in msg.iter_parts():
        del part["MIME-Version"]
    return msg


_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def _wrap_between_elements(line: str) -> str:
    """`line` broken after every `>` that a `<` follows, where whitespace is insignificant:
    not between an element's start tag and its end tag (`<year></year>`)."""
    if "<![CDATA[" in line:
        return line
    pieces, start = [], 0
    for match in re.finditer("><", line):
        gt = match.start()
        tag = line[line.rfind("<", 0, gt) : gt + 1]
        is_start_tag = not (tag.startswith(("</", "<?", "<!")) or tag.endswith("/>"))
        if is_start_tag and line.startswith("</", gt + 1):
            continue
        pieces.append(line[start : gt + 1])
        start = gt + 1
    return "\n".join([*pieces, line[start:]])


def seven_bit_body(document: str) -> str:
    """The XML `document` as a 7bit body: ASCII, no control character but TAB and LF, no line
    of 998 octets or more (a longer line is wrapped between elements, where whitespace means
    nothing). ValueError if that cannot be: the caller sends nothing rather than a broken
    body (render_adf's documents always fit)."""
    text = document.replace("\r\n", "\n")
    if not text.isascii() or _CONTROLS.search(text):
        raise ValueError("a 7bit e-mail body must be ASCII without control characters")
    lines = [
        wrapped
        for line in text.split("\n")
        for wrapped in (_wrap_between_elements(line) if len(line) >= MAX_LINE else line).split("\n")
    ]
    if any(len(line) >= MAX_LINE for line in lines):
        raise ValueError(f"a 7bit e-mail body line has {MAX_LINE} octets or more")
    return "\n".join(lines)

"""Cleaning untrusted text before any format writes it.

Every lead field came from a website visitor. Three levels, each built on the one before:

* `clean_text`: removes what XML 1.0 cannot carry at all (U+0000-U+0008, U+000B, U+000C,
  U+000E-U+001F, U+FFFE, U+FFFF and lone surrogates, which UTF-8 cannot encode either) and
  turns every CR LF or lone CR into LF. Used by every format.
* `plain_text`: also removes the other control characters (DEL, U+0080-U+009F) that a
  person's mail reader has no use for (terminal escapes). Keeps LF and TAB.
* `one_line`: a single-line value (a name, an offer, a URL): `plain_text` with every line
  break or tab turned into a space and the ends stripped, so no value can forge the next
  "Label: value" line of a text body.
"""

from __future__ import annotations

import re

_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_OTHER_CONTROLS = re.compile("[\x7f-\x9f]")
_BREAKS = re.compile("[\n\t\x85\u2028\u2029]")


def clean_text(text: str) -> str:
    """`text` without the characters XML 1.0 forbids, line breaks as LF."""
    return _XML_FORBIDDEN.sub("", text).replace("\r\n", "\n").replace("\r", "\n")


def plain_text(text: str) -> str:
    """`clean_text` without any other control character but LF and TAB."""
    return _OTHER_CONTROLS.sub("", clean_text(text))


def one_line(text: str) -> str:
    """`plain_text` on one line: line breaks and tabs become spaces; ends stripped."""
    return _BREAKS.sub(" ", plain_text(text)).strip()


def utm_text(utm: tuple[tuple[str, str], ...]) -> str:
    """The UTM parameters as one readable line: `utm_source=google, utm_medium=cpc`."""
    pairs = ((one_line(k), one_line(v)) for k, v in utm)
    return ", ".join(f"{k}={v}" for k, v in pairs if k or v)

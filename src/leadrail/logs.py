"""Logging setup. ``LEADRAIL_LOG_FORMAT=json``: one JSON object per line (time, level,
logger, message, request_id when inside a request, exc_info when any), for log shippers.
``text`` (the default) keeps uvicorn's console format.

The request id is the one the web layer's ``OpsMiddleware`` gives each request (the
client's ``X-Request-ID`` when it is short and plain, else a new one); it is echoed in the
response's ``X-Request-ID`` header."""

from __future__ import annotations

import contextvars
import json
import logging
import logging.config
from datetime import UTC, datetime
from typing import Any

REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "leadrail_request_id", default=None
)
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
    "color_message",  # uvicorn's coloured copy of the message
}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = REQUEST_ID.get()
        if request_id:
            entry["request_id"] = request_id
        for key, value in record.__dict__.items():  # extra=... fields
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, str | int | float | bool) else str(value)
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def log_config(log_format: str, level: str = "info") -> dict[str, Any] | None:
    """uvicorn's ``log_config`` for ``log_format`` (None: uvicorn's default text)."""
    if log_format != "json":
        return None
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    lvl = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "leadrail.logs.JsonFormatter"}},
        "handlers": {"default": handler},
        "root": {"handlers": ["default"], "level": lvl},
        "loggers": {
            name: {"handlers": [], "level": lvl, "propagate": True}
            for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "leadrail")
        },
    }


def configure(log_format: str, level: str = "info") -> None:
    """The same setup for processes that are not uvicorn's (``leadrail worker``)."""
    config = log_config(log_format, level)
    if config is not None:
        logging.config.dictConfig(config)
    else:
        logging.basicConfig(level=level.upper(), format="%(levelname)s %(name)s: %(message)s")

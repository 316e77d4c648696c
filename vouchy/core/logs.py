"""structlog set-up: one JSON object per line, stable snake_case event names, secrets redacted.

Events are names an operator can grep and alert on (``writer_batch_failed``,
``snapshot_verified``); values go in fields. Any field whose name looks like a secret, and any
Discord bot token appearing in a value, is replaced by ``[redacted]`` before rendering.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

_SECRET_KEYS = re.compile(r"token|secret|password|authorization|api_key", re.IGNORECASE)
# A Discord bot token: base64 id, timestamp and HMAC separated by dots.
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{17,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{20,}")
REDACTED = "[redacted]"


def redact_secrets(_logger: Any, _method: str, event: dict[str, Any]) -> dict[str, Any]:
    for key, value in list(event.items()):
        if _SECRET_KEYS.search(key) and value not in (None, ""):
            event[key] = REDACTED
        elif isinstance(value, str) and _TOKEN_SHAPE.search(value):
            event[key] = _TOKEN_SHAPE.sub(REDACTED, value)
    return event


LIBRARY_EVENT = "library_log"


def name_library_lines(
    _logger: Any, _method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """A line of hikari, lightbulb or APScheduler gets one stable event name; their text
    (which changes between versions) goes in ``message``, their logger in ``logger``."""
    record = event.get("_record")
    if record is not None and not event.get("_from_structlog", False):
        event["message"] = event.pop("event", "")
        event["event"] = LIBRARY_EVENT
        event["logger"] = record.name
    return event


class _Stderr:
    """Whatever ``sys.stderr`` is when a line is written, not when logging was configured."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def configure_logging(level: str = "INFO", fmt: str = "json", stream: Any = None) -> None:
    """Route structlog and the stdlib loggers (hikari, lightbulb, apscheduler) to one stream."""
    stream = stream or _Stderr()
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        redact_secrets,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(stream),
        cache_logger_on_first_use=False,
    )
    # Third-party stdlib logging goes through the same processors and renderer.
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[*shared, structlog.stdlib.ExtraAdder(), name_library_lines],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # At DEBUG, aiosqlite logs every call with its arguments (a bulk import: every balance).
    logging.getLogger("aiosqlite").setLevel(max(logging.getLevelName(level), logging.INFO))


def get_logger(name: str = "vouchy") -> Any:
    return structlog.get_logger(name)

"""Offline fake Discord (REST + gateway) for running the real hikari bot in tests: public API.
Spec: Discord's OpenAPI description (MIT, see LICENSE-discord-openapi)."""

from . import models, payloads
from .gateway import GatewaySession, Undelivered
from .models import (
    Channel,
    Guild,
    Member,
    Role,
    User,
    default_guild,
    next_snowflake,
    snowflake_at,
)
from .openapi import OpenAPIValidator
from .server import FakeDiscord, InteractionRecord, RecordedRequest, Reply, error

__all__ = [
    "Channel",
    "FakeDiscord",
    "GatewaySession",
    "Guild",
    "InteractionRecord",
    "Member",
    "OpenAPIValidator",
    "RecordedRequest",
    "Reply",
    "Role",
    "Undelivered",
    "User",
    "default_guild",
    "error",
    "models",
    "next_snowflake",
    "payloads",
    "snowflake_at",
]

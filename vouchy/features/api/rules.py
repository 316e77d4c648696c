"""The web feature's rules, pure: its settings, the ``api_keys`` table, and the operations that
issue and revoke a key (rows written through the one write path, journaled like any other).

- A key row holds the key's hash, never the key (``keys.issue`` makes both; only the hash
  reaches an operation).
- A key is revoked once: the revocation is a compare-and-set on ``revoked_at IS NULL``, so
  two revocations at once leave the first time, and the second is refused by name.
- A key belongs to the guild that issued it: revoking it from another guild is refused as
  an unknown key (its existence is not told).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Protocol

import msgspec
from msgspec import Meta

from vouchy.core.errors import InvalidInput
from vouchy.features.api import texts as _texts  # noqa: F401  (the refusals' texts)
from vouchy.features.api.keys import ID_BYTES, ApiKey, IssuedKey, Scope, parse_scopes
from vouchy.store.operations import SYSTEM_USER, Expect, Insert, Op, Patch
from vouchy.store.schema import Migration

TABLE = "api_keys"


class WebSettings(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """``[web]`` in config.toml. ``leaderboard`` is per guild (``/config web``); the others
    are this Vouchy's server and apply to every guild."""

    enabled: bool = False  # serve the API and the page from the bot's process
    host: str = "127.0.0.1"
    port: Annotated[int, Meta(ge=1, le=65_535)] = 8080
    public_url: str = ""  # the address people reach (https://...), for the replies that link it
    rate_per_second: Annotated[int, Meta(ge=1, le=1_000_000)] = 20
    burst: Annotated[int, Meta(ge=1, le=1_000_000)] = 40
    leaderboard: bool = False  # the public page /g/<guild id>: each guild opts in


MIGRATIONS = (
    Migration(
        "web.0001",
        f"""
CREATE TABLE {TABLE} (
    id         TEXT PRIMARY KEY CHECK (length(id) = {ID_BYTES * 2}),
    guild_id   INTEGER NOT NULL CHECK (guild_id > 0),
    name       TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
    scopes     TEXT NOT NULL CHECK (length(scopes) BETWEEN 1 AND 40),
    key_hash   TEXT NOT NULL CHECK (key_hash LIKE 'sha256:%' AND length(key_hash) = 71),
    created_at INTEGER NOT NULL,
    created_by INTEGER NOT NULL CHECK (created_by >= 0),
    revoked_at INTEGER,
    revoked_by INTEGER
) WITHOUT ROWID;
CREATE INDEX api_keys_by_guild ON {TABLE} (guild_id, created_at);
""",
    ),
)

_KEY_ID = re.compile(rf"(?:vk_)?([0-9a-f]{{{ID_BYTES * 2}}})(?:_\S*)?")


def key_id_of(text: str) -> str:
    """The id of a key as an admin types it: the id itself, ``vk_<id>_…`` from the list, or
    the whole key (only its id is kept)."""
    found = _KEY_ID.fullmatch(text.strip().lower())
    if found is None:
        raise InvalidInput("web.key_id_invalid")
    return found.group(1)


def create(issued: IssuedKey, reference: str) -> Op:
    """Store a new key's record (its hash); refused if the id is taken."""
    # Invariant: no operation built here carries the key itself, only its hash.
    r = issued.record
    return Op(
        guild_id=r.guild_id,
        user_id=r.created_by or SYSTEM_USER,
        reference=reference,
        name="web.key_create",
        changes=(
            Insert(
                table=TABLE,
                key=(r.id,),
                values={
                    "guild_id": r.guild_id,
                    "name": r.name,
                    "scopes": " ".join(r.scopes),
                    "key_hash": r.key_hash,
                    "created_at": r.created_at,
                    "created_by": r.created_by,
                    "revoked_at": None,
                    "revoked_by": None,
                },
                refuse="web.key_exists",
            ),
        ),
        acting_user_id=r.created_by or None,
    )


def revoke(guild_id: int, key_id: str, reference: str, *, revoked_by: int, now_ms: int) -> Op:
    """Revoke a key of ``guild_id``: refused when it is unknown there, or already revoked."""
    key = (key_id,)
    params = {"key_id": key_id}
    return Op(
        guild_id=guild_id,
        user_id=revoked_by or SYSTEM_USER,
        reference=reference,
        name="web.key_revoke",
        changes=(
            Expect(
                table=TABLE,
                key=key,
                column="guild_id",
                value=guild_id,
                refuse="web.key_unknown",
                params=params,
            ),
            Expect(
                table=TABLE,
                key=key,
                column="revoked_at",
                value=None,
                refuse="web.key_already_revoked",
                params=params,
            ),
            Patch(table=TABLE, key=key, values={"revoked_at": now_ms, "revoked_by": revoked_by}),
        ),
        acting_user_id=revoked_by or None,
    )


class Row(Protocol):
    """A row read by column name: a dict, or a ``sqlite3.Row``."""

    def __getitem__(self, column: str, /) -> Any: ...


def record(row: Row) -> ApiKey:
    """A stored row of ``api_keys`` as an ``ApiKey``."""
    scopes: tuple[Scope, ...] = parse_scopes(str(row["scopes"]))
    revoked = row["revoked_at"]
    return ApiKey(
        id=str(row["id"]),
        guild_id=int(row["guild_id"]),
        name=str(row["name"]),
        scopes=scopes,
        key_hash=str(row["key_hash"]),
        created_at=int(row["created_at"]),
        created_by=int(row["created_by"]),
        revoked_at=None if revoked is None else int(revoked),
    )

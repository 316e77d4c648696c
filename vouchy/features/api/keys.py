"""API keys: issued once, stored as a hash, checked in constant time, scoped to one guild.

A key reads ``vk_<id>_<secret>``: ``id`` (12 hex digits, 48 random bits) is public and names
the stored record; ``secret`` (48 base-32 letters, 240 random bits) is shown once, when the key
is issued, and never stored, logged or printed: ``Secret`` hides it from ``repr``/``str`` and
cannot be encoded by msgspec.

Storage form: ``sha256:<hex>`` of the whole key. No slow KDF (bcrypt, scrypt, argon2) is needed:
those exist to make guessing a *low-entropy* password expensive. A Vouchy key carries 240 bits
chosen by ``secrets``: finding a key from its hash means searching 2**240 values, beyond any
attacker however fast the hash, so stretching adds no protection, while it would cost every
API request tens of milliseconds of CPU (the API's target is 2,000 requests/s). The hash still
matters: a leaked database or snapshot does not hand out working keys.

Checking order (``check_presented`` then ``authorize``): a missing or malformed header, an
unknown id and a wrong secret all answer the same ``Unauthenticated`` (no oracle on ids); a
revoked key answers ``KeyRevoked`` only to someone who holds its secret; then the guild, then
the scope (``PermissionDenied`` subclasses). Scopes are independent: ``admin`` does not imply
``read``, ``earn`` or ``spend``; each operation names the one scope it needs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Iterable
from typing import Literal

import msgspec

from vouchy.core.errors import InvalidInput, PermissionDenied, VouchyError
from vouchy.features.api import texts as _texts  # noqa: F401  (registers the key texts)

Scope = Literal["read", "earn", "spend", "admin"]
SCOPES: tuple[Scope, ...] = ("read", "earn", "spend", "admin")

PREFIX = "vk_"
ID_BYTES = 6  # 12 hex digits
SECRET_BYTES = 30  # 240 bits, 48 base-32 letters
NAME_MAX = 64
HASH_ALGORITHM = "sha256"

_KEY_SHAPE = re.compile(r"vk_([0-9a-f]{12})_([a-z2-7]{48})")
_BEARER = re.compile(r"[Bb][Ee][Aa][Rr][Ee][Rr] +(\S+) *")

TokenBytes = Callable[[int], bytes]


class Unauthenticated(VouchyError):
    """No key, a malformed key, an unknown id or a wrong secret (HTTP 401)."""

    code = "unauthenticated"

    def __init__(self, key: str = "web.key_invalid", /, **params: object) -> None:
        super().__init__(key, **params)


class KeyRevoked(Unauthenticated):
    """The right secret of a key that was revoked (HTTP 401)."""

    code = "key_revoked"

    def __init__(self) -> None:
        super().__init__("web.key_revoked")


class MissingScope(PermissionDenied):
    code = "missing_scope"

    def __init__(self, scope: str) -> None:
        super().__init__("web.missing_scope", scope=scope)
        self.scope = scope


class WrongGuild(PermissionDenied):
    code = "wrong_guild"

    def __init__(self) -> None:
        super().__init__("web.wrong_guild")


class Secret:
    """A whole API key, shown once. ``repr``/``str`` show only the public id; ``reveal()``
    returns the key itself, for the one reply that shows it to the admin."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret({hint(self._value)!r})"

    __str__ = __repr__


class ApiKey(msgspec.Struct, frozen=True, kw_only=True):
    """A stored key: everything but the secret. Times are unix milliseconds."""

    id: str
    guild_id: int
    name: str
    scopes: tuple[Scope, ...]
    key_hash: str  # "sha256:<hex>" of the whole key
    created_at: int
    created_by: int  # the Discord user (or 0 for the command line) who issued it
    revoked_at: int | None = None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    def __repr__(self) -> str:
        return (
            f"ApiKey(id={self.id!r}, guild_id={self.guild_id}, name={self.name!r}, "
            f"scopes={self.scopes!r}, revoked_at={self.revoked_at})"
        )


class IssuedKey(msgspec.Struct, frozen=True):
    """What ``issue`` answers: the record to store and the key to show once."""

    record: ApiKey
    key: Secret


class PresentedKey(msgspec.Struct, frozen=True):
    """A key as a client sent it, split into the id to look up and the whole key to check."""

    key_id: str
    key: Secret


def hint(key: str) -> str:
    """``vk_0123456789ab_…``: enough to recognise a key in a list, nothing to use it."""
    match = _KEY_SHAPE.fullmatch(key)
    return f"{PREFIX}{match.group(1)}_…" if match else f"{PREFIX}…"


def hash_key(key: str) -> str:
    """The storage form of a whole key: ``sha256:<64 hex digits>``."""
    return f"{HASH_ALGORITHM}:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def parse_scopes(value: str | Iterable[str]) -> tuple[Scope, ...]:
    """``"read, earn"``, ``"read earn"`` or ``["read", "earn"]`` -> ``("read", "earn")``."""
    # Invariant: the answer holds known scopes only, at least one, each once, in SCOPES order.
    words = re.split(r"[\s,]+", value) if isinstance(value, str) else list(value)
    chosen = {w.strip().lower() for w in words if w.strip()}
    known = ", ".join(SCOPES)
    for word in sorted(chosen):
        if word not in SCOPES:
            raise InvalidInput("web.scope_unknown", scope=word, known=known)
    if not chosen:
        raise InvalidInput("web.scopes_empty", known=known)
    return tuple(scope for scope in SCOPES if scope in chosen)


def check_name(name: str) -> str:
    """A key's name, as the admin reads it in ``/admin api-key list``."""
    cleaned = name.strip()
    if not 1 <= len(cleaned) <= NAME_MAX or any(not c.isprintable() for c in cleaned):
        raise InvalidInput("web.key_name", maximum=NAME_MAX)
    return cleaned


def issue(
    *,
    guild_id: int,
    name: str,
    scopes: str | Iterable[str],
    created_by: int,
    now_ms: int,
    token_bytes: TokenBytes = secrets.token_bytes,
) -> IssuedKey:
    """A new key for ``guild_id``. ``token_bytes`` must be a CSPRNG outside tests."""
    # Invariant: the stored record holds the key's hash, never the key.
    key_id = token_bytes(ID_BYTES).hex()
    secret = base64.b32encode(token_bytes(SECRET_BYTES)).decode("ascii").lower()
    key = f"{PREFIX}{key_id}_{secret}"
    record = ApiKey(
        id=key_id,
        guild_id=guild_id,
        name=check_name(name),
        scopes=parse_scopes(scopes),
        key_hash=hash_key(key),
        created_at=now_ms,
        created_by=created_by,
    )
    return IssuedKey(record=record, key=Secret(key))


def revoke(record: ApiKey, now_ms: int) -> ApiKey:
    """The record, revoked; revoking twice keeps the first time."""
    if record.revoked_at is not None:
        return record
    return msgspec.structs.replace(record, revoked_at=now_ms)


def parse_bearer(authorization: str | None) -> PresentedKey:
    """The key in an ``Authorization: Bearer vk_...`` header, or ``Unauthenticated``."""
    if not authorization:
        raise Unauthenticated("web.key_missing")
    bearer = _BEARER.fullmatch(authorization.strip())
    if bearer is None:
        raise Unauthenticated("web.key_missing")
    token = bearer.group(1)
    shape = _KEY_SHAPE.fullmatch(token)
    if shape is None:
        raise Unauthenticated()
    return PresentedKey(key_id=shape.group(1), key=Secret(token))


# Compared against when the id is unknown, so that case costs the same hash and comparison.
_NO_SUCH_KEY = hash_key(PREFIX + "0" * 12 + "_" + "a" * 48)


def check_presented(presented: PresentedKey, record: ApiKey | None) -> ApiKey:
    """The stored record of a presented key (``record`` is what the store found for its id),
    or ``Unauthenticated``/``KeyRevoked``."""
    # Invariant: a key is accepted only if its hash equals the stored one (constant time).
    stored = record.key_hash if record is not None else _NO_SUCH_KEY
    matches = hmac.compare_digest(stored, hash_key(presented.key.reveal()))
    if record is None or not matches or record.id != presented.key_id:
        raise Unauthenticated()
    if record.revoked_at is not None:
        raise KeyRevoked()
    return record


def authorize(record: ApiKey, guild_id: int, scope: Scope) -> None:
    """Refuse a key used on another guild, or without the operation's scope."""
    if record.guild_id != guild_id:
        raise WrongGuild()
    if scope not in record.scopes:
        raise MissingScope(scope)

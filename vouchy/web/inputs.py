"""Everything the API reads from a request, turned into typed values or a refusal that names
the field at fault: JSON bodies, query and path parameters, the Idempotency-Key header,
history cursors and the client's language.

Every function here is pure and raises ``problems.InvalidField`` (HTTP 400, with ``errors``
pointing at the body field, parameter or header), ``UnsupportedMediaType`` (415) or
``BodyTooLarge`` (413); nothing is applied before these checks pass.

Idempotency: the header's value becomes the operation's reference, ``api:<key id>:<value>``,
so two integrations of one guild that both number their orders from 1 never collide (a key
rotated in the middle of a retry starts a new reference: finish retries before revoking).
``fingerprint`` names what was asked (method, path and the decoded body, so ``{"points": 5}``
and ``{"points": 5, "reason": ""}`` are the same request); the same reference with another
fingerprint is a 409.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Mapping
from typing import TypeVar

import msgspec

from vouchy.core import i18n
from vouchy.web import texts as _texts  # noqa: F401  (registers the web.* texts)
from vouchy.web.problems import (
    BodyTooLarge,
    InvalidField,
    UnsupportedMediaType,
    body,
    header,
    parameter,
)
from vouchy.web.schemas import BOARDS, ORDER_ID_MAX, REASON_MAX, Board, MoveRequest

T = TypeVar("T", bound=msgspec.Struct)

MAX_BODY_BYTES = 16 * 1024
IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY_MAX = 255
LIMIT_DEFAULT = 25
LIMIT_MAX = 100
PAGE_MAX = 1_000_000

_PATH_STEP = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")
_AT = re.compile(r" - at `\$([^`]*)`$")
_NAMED = re.compile(r"Object (missing required|contains unknown) field `([^`]+)`")
_DIGITS = re.compile(r"[0-9]{1,9}")
_SNOWFLAKE = re.compile(r"[1-9][0-9]{0,19}")
_REWARD_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_VISIBLE_ASCII = re.compile(r"[\x21-\x7e]+")

# A body field's own message, with its bound: the detail a client reads for that field.
_FIELD_TEXTS: dict[str, tuple[str, dict[str, object]]] = {
    "reason": ("web.field.reason", {"maximum": REASON_MAX}),
    "order_id": ("web.field.order_id", {"maximum": ORDER_ID_MAX}),
    "amount": ("web.field.amount", {}),
}


def is_json(content_type: str | None) -> bool:
    """``application/json`` or ``application/<anything>+json``, parameters ignored."""
    media = (content_type or "").split(";")[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def _path(text: str) -> list[str | int]:
    return [name if name else int(index) for name, index in _PATH_STEP.findall(text)]


def _refusal(error: msgspec.ValidationError, *, max_points: int) -> InvalidField:
    """msgspec's ``Expected `int` >= 1 - at `$.points``` as a refusal naming ``#/points``."""
    message = str(error)
    at = _AT.search(message)
    path = _path(at.group(1)) if at else []
    named = _NAMED.match(message)
    if named:
        field = named.group(2)
        key = "web.field_missing" if named.group(1) == "missing required" else "web.field_unknown"
        return InvalidField(body(*path, field), key, field=field)
    if not path:
        return InvalidField(body(), "web.body_not_json")
    field = str(path[-1]) if len(path) == 1 else ".".join(str(p) for p in path)
    if path == ["points"]:
        return InvalidField(body("points"), "web.field.points", maximum=max_points)
    text, params = _FIELD_TEXTS.get(field, ("web.field_invalid", {"field": field}))
    return InvalidField(body(*path), text, **params)


def decode_body(
    raw: bytes,
    type_: type[T],
    *,
    content_type: str | None,
    max_bytes: int = MAX_BODY_BYTES,
    max_points: int = 0,
) -> T:
    """A JSON body as ``type_``, or a refusal naming the field at fault."""
    # Invariant: a value is returned only if it passed every constraint of ``type_``.
    if len(raw) > max_bytes:
        raise BodyTooLarge(max_bytes)
    if not is_json(content_type):
        raise UnsupportedMediaType()
    try:
        return msgspec.json.decode(raw, type=type_)
    except msgspec.ValidationError as error:
        raise _refusal(error, max_points=max_points) from None
    except msgspec.DecodeError:
        raise InvalidField(body(), "web.body_not_json") from None


def decode_move(raw: bytes, *, content_type: str | None, max_points: int) -> MoveRequest:
    """The body of an earn or a spend; ``points`` within 1..``max_points`` (the config's
    ``limits.max_amount``)."""
    request = decode_body(raw, MoveRequest, content_type=content_type, max_points=max_points)
    if request.points > max_points:
        raise InvalidField(body("points"), "web.field.points", maximum=max_points)
    return request


def idempotency_key(value: str | None) -> str:
    """The ``Idempotency-Key`` header's value, required on every POST. The IETF draft sends it
    as a quoted string (``"8e03978e..."``); a bare token is accepted too, and both name the
    same key."""
    where = header(IDEMPOTENCY_KEY_HEADER)
    if value is None or not value.strip():
        raise InvalidField(where, "web.idempotency_key_missing")
    token = value.strip()
    if len(token) >= 2 and token[0] == token[-1] == '"':
        token = token[1:-1]
    if not 1 <= len(token) <= IDEMPOTENCY_KEY_MAX or not _VISIBLE_ASCII.fullmatch(token):
        raise InvalidField(where, "web.idempotency_key_invalid", maximum=IDEMPOTENCY_KEY_MAX)
    return token


REFERENCE_MAX = 200  # the store's bound on a reference (``operations.MAX_REFERENCE``)


def reference(key_id: str, idempotency_key: str) -> str:
    """The operation's reference (unique per guild in the store): ``api:<key id>:<value>``,
    or ``api:<key id>:sha256:<digest of the value>`` when that would not fit the store's
    200 characters (a key of up to 255 is accepted)."""
    # Invariant: the same (key id, value) always gives the same reference, and two different
    # values never share one.
    plain = f"api:{key_id}:{idempotency_key}"
    if len(plain) <= REFERENCE_MAX and not idempotency_key.startswith("sha256:"):
        return plain
    return f"api:{key_id}:sha256:" + hashlib.sha256(idempotency_key.encode()).hexdigest()


_canonical = msgspec.json.Encoder(order="deterministic")


def fingerprint(method: str, path: str, request: msgspec.Struct | None = None) -> str:
    """What a request asks, as 64 hex digits: equal for a retry, different for another
    member, amount, reason, order or endpoint."""
    payload = _canonical.encode(request) if request is not None else b""
    digest = hashlib.sha256(f"{method.upper()} {path}\n".encode())
    digest.update(payload)
    return digest.hexdigest()


def discord_id(value: str, name: str) -> int:
    """A path parameter holding a Discord id (``guild_id``, ``user_id``)."""
    if not _SNOWFLAKE.fullmatch(value) or int(value) >= 2**63:
        raise InvalidField(parameter(name), "web.parameter.id", name=name)
    return int(value)


def reward_id(value: str) -> str:
    if not _REWARD_ID.fullmatch(value):
        raise InvalidField(parameter("reward_id"), "web.parameter.reward_id")
    return value


def _whole(query: Mapping[str, str], name: str, default: int, maximum: int) -> int:
    raw = query.get(name)
    if raw is None:
        return default
    if not _DIGITS.fullmatch(raw) or not 1 <= int(raw) <= maximum:
        raise InvalidField(parameter(name), f"web.parameter.{name}", maximum=maximum)
    return int(raw)


def _only(query: Mapping[str, str], allowed: tuple[str, ...]) -> None:
    for name in query:
        if name not in allowed:
            raise InvalidField(parameter(name), "web.parameter_unknown", name=name)


_CURSOR_PREFIX = b"h1:"


def encode_cursor(before_id: int) -> str:
    """The cursor of the page after the one ending at transaction ``before_id``."""
    raw = _CURSOR_PREFIX + str(before_id).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> int:
    where = parameter("cursor")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (binascii.Error, ValueError):
        raise InvalidField(where, "web.parameter.cursor") from None
    digits = raw[len(_CURSOR_PREFIX) :]
    if not raw.startswith(_CURSOR_PREFIX) or not digits.isdigit() or len(digits) > 19:
        raise InvalidField(where, "web.parameter.cursor")
    return int(digits)


class HistoryQuery(msgspec.Struct, frozen=True, kw_only=True):
    before_id: int | None  # transactions older than this id; None for the newest
    limit: int


def history_query(query: Mapping[str, str], *, max_limit: int = LIMIT_MAX) -> HistoryQuery:
    """``?cursor=&limit=`` of a member's history (newest first)."""
    _only(query, ("cursor", "limit"))
    cursor = query.get("cursor")
    return HistoryQuery(
        before_id=decode_cursor(cursor) if cursor else None,
        limit=_whole(query, "limit", min(LIMIT_DEFAULT, max_limit), max_limit),
    )


class LeaderboardQuery(msgspec.Struct, frozen=True, kw_only=True):
    board: Board
    page: int
    limit: int


def board(value: str | None) -> Board:
    """``points`` (the default), ``levels`` or ``vouches``."""
    if value is None:
        return "points"
    for known in BOARDS:
        if value == known:
            return known
    raise InvalidField(parameter("board"), "web.parameter.board", known=", ".join(BOARDS))


def leaderboard_query(query: Mapping[str, str], *, max_limit: int = LIMIT_MAX) -> LeaderboardQuery:
    """``?board=&page=&limit=`` of a guild's leaderboard (the API and the public page)."""
    _only(query, ("board", "page", "limit"))
    return LeaderboardQuery(
        board=board(query.get("board")),
        page=_whole(query, "page", 1, PAGE_MAX),
        limit=_whole(query, "limit", min(LIMIT_DEFAULT, max_limit), max_limit),
    )


def pick_locale(accept_language: str | None, *fallbacks: str | None) -> str:
    """The language to answer in: the client's most preferred one Vouchy speaks
    (``Accept-Language``, q-values honoured), else the first of ``fallbacks`` (the guild's
    locale), else English."""
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate((accept_language or "").split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and tag != "*" and quality > 0:
            ranked.append((-quality, position, tag))
    for _, _, tag in sorted(ranked):
        if i18n.pick(tag) == tag.split("-")[0].split("_")[0].lower():
            return i18n.pick(tag)
    return i18n.pick(*fallbacks)

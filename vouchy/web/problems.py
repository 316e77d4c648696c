"""RFC 9457 problem documents: every refusal of the HTTP API, as ``application/problem+json``.

A problem's ``type`` is an absolute URI, ``https://vouchy.dev/problems/<slug>``, the same on
every Vouchy deployment. RFC 9457 (section 3.1.1) lets ``type`` be relative, but a relative
reference resolves against each server's address, so one problem would carry a different
identifier on every deployment; absolute URIs are what the RFC recommends. Clients compare
``type`` as a string and should not fetch it; ``docs/api.md`` documents each slug.

The slug is the error's stable ``code`` (``vouchy.core.errors``) with ``_`` as ``-``, so a
feature's own refusal (say ``vouch_cooldown``) gets its own type with nothing to register here;
its status and title come from the nearest class with an entry in ``STATUSES``. ``title`` is
fixed per type (localised), ``detail`` is the error's own text in the client's language,
``code`` repeats the code for clients that switch on it, and ``errors`` lists the fields at
fault as ``{"detail", "pointer": "#/points"}`` (a JSON pointer into the body, the RFC's own
example), ``{"detail", "parameter": "limit"}`` (query or path) or ``{"detail", "header"}``.

Statuses, and why:

- 400 ``invalid-input`` (and ``invalid-amount``, ``self-transfer``, ``bot-account``): the
  request is malformed or out of bounds; sending it again unchanged cannot succeed.
- 401 ``unauthenticated``, ``key-revoked``: no usable key. The answer carries
  ``WWW-Authenticate: Bearer`` (RFC 9110 requires it on a 401).
- 403 ``missing-scope``, ``wrong-guild``, ``permission-denied``: the key is genuine but may
  not do this; 403 rather than 404 for another guild because the key's holder already knows
  the guild exists (the id is in the URL they built) and the answer says which rule refused.
- 404 ``not-found``: no such route, reward or public page.
- 409 ``reference-taken`` ("Idempotency key reused"): the ``Idempotency-Key`` was already used
  with a different body (the issue asks for 409; the IETF Idempotency-Key draft suggests 422
  there, but Vouchy keeps 422 for "a rule refused", so a client can tell "fix your key" from
  "the member cannot afford it" by status alone).
- 413 ``body-too-large``, 415 ``unsupported-media-type``: the body was not read.
- 422 ``insufficient-funds``, ``cooldown``, ``refused`` and every other ``Refused``: the request
  was well formed and understood, and a rule about the account's current state said no. Not
  402 (reserved by HTTP), not 409 (kept for idempotency conflicts); nothing changed and the same
  request may pass later. ``insufficient-funds`` adds ``balance`` and ``needed``.
- 429 ``rate-limited``: with ``Retry-After`` and ``X-RateLimit-*``.
- 500 ``internal`` (with a ``reference`` to find the log line) and ``config``.
- 501 ``not-implemented``: the route exists but what it needs is not installed on this
  Vouchy (redeeming a reward before the rewards feature exists).
- 503 ``busy`` (restarting, queue full) and ``storage-unavailable`` (disk full, I/O error),
  with ``Retry-After``: a retry with the same ``Idempotency-Key`` is safe, and applies the
  operation once even when the first attempt's outcome was uncertain.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from http import HTTPStatus

import msgspec
from aiohttp import web

from vouchy.core import i18n
from vouchy.core.errors import InsufficientFunds, InvalidInput, VouchyError
from vouchy.features.api.keys import Unauthenticated
from vouchy.web import texts as _texts  # noqa: F401  (registers the web.* texts)
from vouchy.web.ratelimit import RateLimited

TYPE_BASE = "https://vouchy.dev/problems/"
MEDIA_TYPE = "application/problem+json"

# code -> HTTP status. A code missing here takes the status of its nearest ancestor's code.
STATUSES: dict[str, int] = {
    "error": 422,
    "invalid_input": 400,
    "invalid_amount": 400,
    "self_transfer": 400,
    "bot_account": 400,
    "unauthenticated": 401,
    "key_revoked": 401,
    "permission_denied": 403,
    "missing_scope": 403,
    "wrong_guild": 403,
    "not_found": 404,
    "reference_taken": 409,
    "body_too_large": 413,
    "unsupported_media_type": 415,
    "refused": 422,
    "insufficient_funds": 422,
    "cooldown": 422,
    "rate_limited": 429,
    "config": 500,
    "internal": 500,
    "not_implemented": 501,
    "busy": 503,
    "storage_unavailable": 503,
}

# Seconds a client is asked to wait on a 503 before retrying.
RETRY_AFTER_S = {"busy": 1, "storage_unavailable": 5}


class FieldError(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One field at fault: exactly one of ``pointer``, ``parameter``, ``header``."""

    detail: str
    pointer: str | None = None  # JSON pointer into the body, as a URI fragment: "#/points"
    parameter: str | None = None  # a query or path parameter: "limit", "user_id"
    header: str | None = None  # a request header: "Idempotency-Key"


class Problem(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """An RFC 9457 problem document, with Vouchy's extension members."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    instance: str | None = None
    errors: list[FieldError] = []
    balance: int | None = None  # insufficient-funds: the member's balance
    needed: int | None = None  # insufficient-funds: what the operation needed
    reference: str | None = None  # internal: the reference in the server's log


class Where(msgspec.Struct, frozen=True):
    """Where a field lives: ``body("points")``, ``parameter("limit")``, ``header(...)``."""

    kind: str  # "pointer" | "parameter" | "header"
    name: str

    def error(self, detail: str) -> FieldError:
        if self.kind == "pointer":
            return FieldError(detail=detail, pointer=self.name)
        if self.kind == "parameter":
            return FieldError(detail=detail, parameter=self.name)
        return FieldError(detail=detail, header=self.name)


def pointer(*path: str | int) -> str:
    """``pointer("items", 0, "name")`` -> ``"#/items/0/name"`` (RFC 6901 escaping)."""
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in path]
    return "#" + "".join("/" + p for p in parts)


def body(*path: str | int) -> Where:
    return Where("pointer", pointer(*path))


def parameter(name: str) -> Where:
    return Where("parameter", name)


def header(name: str) -> Where:
    return Where("header", name)


class InvalidField(InvalidInput):
    """Malformed input at a known place (a body field, a parameter, a header)."""

    def __init__(self, where: Where, key: str, /, **params: object) -> None:
        super().__init__(key, **params)
        self.where = where


class NotFound(VouchyError):
    code = "not_found"

    def __init__(self, key: str = "web.not_found", /, **params: object) -> None:
        super().__init__(key, **params)


class BodyTooLarge(VouchyError):
    code = "body_too_large"

    def __init__(self, maximum: int) -> None:
        super().__init__("web.body_too_large", maximum=maximum)


class UnsupportedMediaType(VouchyError):
    code = "unsupported_media_type"

    def __init__(self) -> None:
        super().__init__("web.body_media_type")


class IdempotencyKeyReused(VouchyError):
    """The API's wording of the store's ``ReferenceTaken`` (same code, same type)."""

    code = "reference_taken"

    def __init__(self) -> None:
        super().__init__("web.idempotency_key_reused")


class NotImplementedHere(VouchyError):
    """A route whose feature is not installed on this Vouchy (HTTP 501)."""

    code = "not_implemented"

    def __init__(self, key: str = "web.not_implemented", /, **params: object) -> None:
        super().__init__(key, **params)


class InternalError(VouchyError):
    """An unexpected exception, answered with a reference the operator finds in the log."""

    code = "internal"

    def __init__(self, reference: str | None = None) -> None:
        self.reference = reference or secrets.token_hex(4)
        super().__init__("web.internal", reference=self.reference)


def _classified(error: VouchyError) -> str:
    """The code of the nearest class (the error's own first) that has a status."""
    for cls in type(error).__mro__:
        code = getattr(cls, "code", None)
        if isinstance(code, str) and code in STATUSES:
            return code
    return "error"


def type_uri(code: str) -> str:
    return TYPE_BASE + code.replace("_", "-")


def status_of(error: VouchyError) -> int:
    return STATUSES[_classified(error)]


def title_of(error: VouchyError, locale: str = i18n.DEFAULT) -> str:
    own = f"web.title.{error.code}"
    key = own if i18n.has(own) else f"web.title.{_classified(error)}"
    return i18n.text(key, locale)


def from_error(
    error: VouchyError,
    locale: str = i18n.DEFAULT,
    *,
    instance: str | None = None,
    where: Where | None = None,
) -> Problem:
    """The problem document for ``error``. ``where`` names the field at fault when the error
    does not carry it (a core ``InvalidAmount`` raised for the body's ``points``)."""
    # Invariant: the same error code always gives the same type, status and title.
    at = where or getattr(error, "where", None)
    detail = error.text(locale)
    errors = [at.error(detail)] if isinstance(at, Where) else []
    funds = error if isinstance(error, InsufficientFunds) else None
    return Problem(
        type=type_uri(error.code),
        title=title_of(error, locale),
        status=status_of(error),
        detail=detail,
        code=error.code,
        instance=instance,
        errors=errors,
        balance=funds.balance if funds else None,
        needed=funds.needed if funds else None,
        reference=error.reference if isinstance(error, InternalError) else None,
    )


def headers_of(error: VouchyError) -> dict[str, str]:
    """Headers a problem needs besides its body: the challenge, the waits."""
    out = {"Content-Type": MEDIA_TYPE}
    if isinstance(error, Unauthenticated):
        out["WWW-Authenticate"] = 'Bearer realm="vouchy"'
    if isinstance(error, RateLimited):
        out.update(error.decision.headers())
    wait = RETRY_AFTER_S.get(_classified(error))
    if wait is not None:
        out["Retry-After"] = str(wait)
    return out


_encoder = msgspec.json.Encoder()


def encode(problem: Problem) -> bytes:
    return _encoder.encode(problem)


def response(
    error: VouchyError,
    locale: str = i18n.DEFAULT,
    *,
    instance: str | None = None,
    where: Where | None = None,
    headers: Mapping[str, str] | None = None,
) -> web.Response:
    """The aiohttp answer for ``error``: status, problem body, and its headers (plus
    ``headers``, such as the rate-limit headers of the request that failed)."""
    problem = from_error(error, locale, instance=instance, where=where)
    merged = {**(headers or {}), **headers_of(error)}
    return web.Response(status=problem.status, body=encode(problem), headers=merged)


def for_status(status: int, locale: str = i18n.DEFAULT, *, instance: str | None = None) -> Problem:
    """A problem for an HTTP error raised by aiohttp itself (no route: 404, wrong method: 405):
    ``type`` is ``about:blank`` as RFC 9457 section 4.2.1 prescribes when the status says
    everything, except 404, which shares the ``not-found`` type."""
    if status == 404:
        return from_error(NotFound(), locale, instance=instance)
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    return Problem(
        type="about:blank",
        title=phrase,
        status=status,
        detail=phrase,
        code=f"http_{status}",
        instance=instance,
    )

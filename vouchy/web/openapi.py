"""The OpenAPI 3.1 document of the /v1 API, built as plain Python data (served as
``/v1/openapi.json``), and ``OPERATIONS``: the one table of routes, methods and scopes that
the document and the router share.

Bodies' schemas come from the msgspec Structs that encode them (``vouchy.web.schemas``,
``vouchy.web.problems``), so the document cannot drift from what the server sends. Every
error answer is ``application/problem+json`` with the ``Problem`` schema; every answer to a
key carries the ``X-RateLimit-*`` headers; every POST requires ``Idempotency-Key`` and echoes
it, with ``Idempotent-Replayed: true`` on an answer replayed for a retry.
"""

from __future__ import annotations

import copy
import inspect
from typing import Any

import msgspec

from vouchy.features.api.keys import Scope
from vouchy.web.inputs import IDEMPOTENCY_KEY_MAX, LIMIT_DEFAULT, LIMIT_MAX, PAGE_MAX
from vouchy.web.problems import MEDIA_TYPE, TYPE_BASE, FieldError, Problem
from vouchy.web.schemas import ANSWERS, BOARDS, MoveRequest

VERSION = "1.0.0"
JSON = "application/json"
Document = dict[str, Any]


class Operation(msgspec.Struct, frozen=True, kw_only=True):
    """One route of the API: what the router registers and the document describes."""

    operation_id: str
    method: str  # "get" | "post"
    path: str  # an OpenAPI path template: "/v1/guilds/{guild_id}/leaderboard"
    scope: Scope | None  # None: no key needed
    summary: str
    answer: str  # the success body's schema name
    parameters: tuple[str, ...] = ()  # components/parameters names, path ones first
    errors: tuple[int, ...] = ()  # statuses besides those every keyed operation has
    body: str | None = None  # the request body's schema name
    tag: str = "accounts"


_MEMBER = "/v1/guilds/{guild_id}/members/{user_id}"
# Every operation that takes a key can answer these.
_KEYED_ERRORS = (400, 401, 403, 429, 500, 503)
_WRITE_ERRORS = (409, 413, 415, 422)

OPERATIONS: tuple[Operation, ...] = (
    Operation(
        operation_id="getAccount",
        method="get",
        path=_MEMBER,
        scope="read",
        summary="A member's account: balance, lifetime earned and spent, XP, level, vouches.",
        answer="Account",
        parameters=("GuildId", "UserId"),
    ),
    Operation(
        operation_id="earnPoints",
        method="post",
        path=_MEMBER + "/earn",
        scope="earn",
        summary="Credit points to a member, once per Idempotency-Key.",
        answer="Move",
        parameters=("GuildId", "UserId", "IdempotencyKey"),
        errors=_WRITE_ERRORS,
        body="MoveRequest",
        tag="points",
    ),
    Operation(
        operation_id="spendPoints",
        method="post",
        path=_MEMBER + "/spend",
        scope="spend",
        summary="Debit points from a member, once per Idempotency-Key; never below zero.",
        answer="Move",
        parameters=("GuildId", "UserId", "IdempotencyKey"),
        errors=_WRITE_ERRORS,
        body="MoveRequest",
        tag="points",
    ),
    Operation(
        operation_id="getHistory",
        method="get",
        path=_MEMBER + "/history",
        scope="read",
        summary="A member's transactions, newest first, a page at a time.",
        answer="History",
        parameters=("GuildId", "UserId", "Cursor", "Limit"),
    ),
    Operation(
        operation_id="getLeaderboard",
        method="get",
        path="/v1/guilds/{guild_id}/leaderboard",
        scope="read",
        summary="The guild's leaderboard by points, levels or vouches.",
        answer="Leaderboard",
        parameters=("GuildId", "Board", "Page", "Limit"),
        tag="leaderboard",
    ),
    Operation(
        operation_id="auditGuild",
        method="get",
        path="/v1/guilds/{guild_id}/audit",
        scope="admin",
        summary="Check every stored value of the guild against its source rows.",
        answer="Audit",
        parameters=("GuildId",),
        tag="audit",
    ),
    Operation(
        operation_id="auditMember",
        method="get",
        path=_MEMBER + "/audit",
        scope="admin",
        summary="Check one member's stored values against their source rows.",
        answer="Audit",
        parameters=("GuildId", "UserId"),
        tag="audit",
    ),
    Operation(
        operation_id="redeemReward",
        method="post",
        path=_MEMBER + "/rewards/{reward_id}/redeem",
        scope="spend",
        summary="Spend a member's points on a reward; answers its code and expiry.",
        answer="Redemption",
        parameters=("GuildId", "UserId", "RewardId", "IdempotencyKey"),
        errors=(404, 409, 422, 501),
        tag="rewards",
    ),
)

OPENAPI_PATH = "/v1/openapi.json"


def operation(method: str, path: str) -> Operation:
    """The operation at ``method`` ``path`` (a template); KeyError when there is none."""
    for op in OPERATIONS:
        if op.method == method.lower() and op.path == path:
            return op
    raise KeyError(f"{method.upper()} {path}")


def _header(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "required": True, "schema": schema}


_HEADERS: Document = {
    "X-RateLimit-Limit": _header(
        "Requests this key may send at once (the size of its bucket).",
        {"type": "integer", "minimum": 1},
    ),
    "X-RateLimit-Remaining": _header(
        "Requests this key may send right now.", {"type": "integer", "minimum": 0}
    ),
    "X-RateLimit-Reset": _header(
        "Whole seconds until the bucket is full again.", {"type": "integer", "minimum": 0}
    ),
    "Retry-After": _header(
        "Whole seconds to wait before sending the request again.",
        {"type": "integer", "minimum": 1},
    ),
    "Idempotency-Key": _header(
        "The request's Idempotency-Key, echoed as it was sent.",
        {"type": "string", "minLength": 1, "maxLength": IDEMPOTENCY_KEY_MAX + 2},
    ),
    "Idempotent-Replayed": _header(
        "`true` when this is the first answer to this Idempotency-Key, replayed: the "
        "operation was applied once, by the first request.",
        {"type": "string", "enum": ["true", "false"]},
    ),
    "WWW-Authenticate": _header("The authentication scheme to use: `Bearer`.", {"type": "string"}),
}

_RATE = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")

_PARAMETERS: Document = {
    "GuildId": {
        "name": "guild_id",
        "in": "path",
        "required": True,
        "description": "The Discord server's id; the key must belong to it.",
        "schema": {"$ref": "#/components/schemas/Snowflake"},
    },
    "UserId": {
        "name": "user_id",
        "in": "path",
        "required": True,
        "description": "The member's Discord id.",
        "schema": {"$ref": "#/components/schemas/Snowflake"},
    },
    "RewardId": {
        "name": "reward_id",
        "in": "path",
        "required": True,
        "description": "The reward's id, as the shop lists it.",
        "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"},
    },
    "IdempotencyKey": {
        "name": "Idempotency-Key",
        "in": "header",
        "required": True,
        "description": "A value unique to this operation (an order number, a UUID), quoted "
        "or not. A retry with the same key and body answers the first result without "
        "applying anything again; the same key with another body is refused (409).",
        "schema": {
            "type": "string",
            "minLength": 1,
            "maxLength": IDEMPOTENCY_KEY_MAX + 2,
            "examples": ['"order-1042"'],
        },
    },
    "Cursor": {
        "name": "cursor",
        "in": "query",
        "required": False,
        "description": "The `next_cursor` of the previous page; absent for the newest page.",
        "schema": {"type": "string", "maxLength": 64},
    },
    "Limit": {
        "name": "limit",
        "in": "query",
        "required": False,
        "description": "Entries per page.",
        "schema": {
            "type": "integer",
            "minimum": 1,
            "maximum": LIMIT_MAX,
            "default": LIMIT_DEFAULT,
        },
    },
    "Board": {
        "name": "board",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "enum": list(BOARDS), "default": "points"},
    },
    "Page": {
        "name": "page",
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "minimum": 1, "maximum": PAGE_MAX, "default": 1},
    },
}

# status -> (components/responses name, description, extra headers)
_PROBLEMS: dict[int, tuple[str, str, tuple[str, ...]]] = {
    400: ("BadRequest", "Malformed input; `errors` names each field at fault.", ()),
    401: ("Unauthorized", "No key, a key that is not valid, or a revoked key.",
          ("WWW-Authenticate",)),
    403: ("Forbidden", "The key belongs to another guild or lacks the operation's scope.", ()),
    404: ("NotFound", "No such reward (or route).", ()),
    409: ("Conflict", "The Idempotency-Key was already used with another body.", ()),
    413: ("PayloadTooLarge", "The body is larger than 16 KiB.", ()),
    415: ("UnsupportedMediaType", "The body is not `application/json`.", ()),
    422: ("UnprocessableContent",
          "A rule refused: insufficient funds (with `balance` and `needed`), a reward out "
          "of stock, ... Nothing changed.", ()),
    429: ("TooManyRequests", "The key sent too many requests.", ("Retry-After", *_RATE)),
    500: ("InternalError", "Unexpected; `reference` names the server's log line. Retrying "
          "with the same Idempotency-Key is safe.", ()),
    501: ("NotImplemented", "This Vouchy does not have the feature the operation needs "
          "(the rewards), yet.", ()),
    503: ("ServiceUnavailable", "Vouchy is restarting or cannot write right now; nothing "
          "was applied for certain. Retry with the same Idempotency-Key.", ("Retry-After",)),
}  # fmt: skip

_EXAMPLES: dict[int, dict[str, Any]] = {
    400: {
        "type": TYPE_BASE + "invalid-input",
        "title": "Invalid input",
        "status": 400,
        "detail": "`points` must be a whole number from 1 to 10,000.",
        "code": "invalid_input",
        "errors": [
            {"detail": "`points` must be a whole number from 1 to 10,000.", "pointer": "#/points"}
        ],
    },
    422: {
        "type": TYPE_BASE + "insufficient-funds",
        "title": "Insufficient funds",
        "status": 422,
        "detail": "You need 500 points but have 120.",
        "code": "insufficient_funds",
        "balance": 120,
        "needed": 500,
    },
}


def _headers(*names: str) -> dict[str, Any]:
    return {name: {"$ref": f"#/components/headers/{name}"} for name in names}


def _problem_response(status: int) -> dict[str, Any]:
    _, description, headers = _PROBLEMS[status]
    media: dict[str, Any] = {"schema": {"$ref": "#/components/schemas/Problem"}}
    if status in _EXAMPLES:
        media["example"] = _EXAMPLES[status]
    response: dict[str, Any] = {"description": description, "content": {MEDIA_TYPE: media}}
    if headers:
        response["headers"] = _headers(*headers)
    return response


def _schemas(max_points: int) -> dict[str, Any]:
    _, components = msgspec.json.schema_components(
        (*ANSWERS, MoveRequest, Problem, FieldError),
        ref_template="#/components/schemas/{name}",
    )
    components = copy.deepcopy(components)
    for schema in components.values():
        # A Struct's docstring, indentation and line breaks folded.
        if "description" in schema:
            schema["description"] = " ".join(inspect.cleandoc(schema["description"]).split())
    components["MoveRequest"]["properties"]["points"]["maximum"] = max_points
    components["Problem"]["properties"]["type"]["format"] = "uri"
    components["Snowflake"] = {
        "type": "string",
        "pattern": "^[1-9][0-9]{0,19}$",
        "description": "A Discord id, as a string of digits.",
    }
    return dict(components)


def _operation(op: Operation) -> dict[str, Any]:
    success_headers = list(_RATE) if op.scope is not None else []
    if op.method == "post":
        success_headers += ["Idempotency-Key", "Idempotent-Replayed"]
    responses: dict[str, Any] = {
        "200": {
            "description": op.summary,
            "content": {JSON: {"schema": {"$ref": f"#/components/schemas/{op.answer}"}}},
            "headers": _headers(*success_headers),
        }
    }
    statuses = sorted({*(_KEYED_ERRORS if op.scope else ()), *op.errors})
    for status in statuses:
        responses[str(status)] = {"$ref": f"#/components/responses/{_PROBLEMS[status][0]}"}
    out: dict[str, Any] = {
        "operationId": op.operation_id,
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": [{"$ref": f"#/components/parameters/{p}"} for p in op.parameters],
        "responses": responses,
    }
    if op.scope is not None:
        out["description"] = f"Needs a key with the `{op.scope}` scope."
        out["x-vouchy-scope"] = op.scope
    if op.body is not None:
        out["requestBody"] = {
            "required": True,
            "content": {JSON: {"schema": {"$ref": f"#/components/schemas/{op.body}"}}},
        }
    return out


def document(*, max_points: int = 10_000) -> Document:
    """The OpenAPI 3.1 document. ``max_points`` is the config's ``limits.max_amount``."""
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method] = _operation(op)
    paths[OPENAPI_PATH] = {
        "get": {
            "operationId": "getOpenApi",
            "summary": "This document.",
            "tags": ["meta"],
            "security": [],
            "responses": {
                "200": {
                    "description": "The OpenAPI 3.1 document of /v1.",
                    "content": {JSON: {"schema": {"type": "object"}}},
                }
            },
        }
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Vouchy API",
            "version": VERSION,
            "summary": "Points, levels and vouches of a Discord server, for its websites.",
            "description": (
                "Every earn or spend acknowledged with a 200 is durable and applied once: "
                "send the same `Idempotency-Key` again and the first answer comes back. "
                "Errors are RFC 9457 problem documents (`application/problem+json`)."
            ),
        },
        "servers": [{"url": "/"}],
        "security": [{"apiKey": []}],
        "tags": [
            {"name": "accounts"},
            {"name": "points"},
            {"name": "leaderboard"},
            {"name": "audit"},
            {"name": "rewards"},
            {"name": "meta"},
        ],
        "paths": paths,
        "components": {
            "schemas": _schemas(max_points),
            "securitySchemes": {
                "apiKey": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "vk_<id>_<secret>",
                    "description": "A key created with `/admin api-key create`; it belongs "
                    "to one guild and has scopes (read, earn, spend, admin).",
                }
            },
            "parameters": copy.deepcopy(_PARAMETERS),
            "headers": copy.deepcopy(_HEADERS),
            "responses": {name: _problem_response(s) for s, (name, _, _) in _PROBLEMS.items()},
        },
    }

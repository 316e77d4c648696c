"""The bodies of the /v1 API, as msgspec Structs: one definition decodes requests, encodes
answers and generates the schemas of the OpenAPI document (``vouchy.web.openapi``).

Discord ids travel as strings of digits, as in Discord's own API: they exceed the integers a
JavaScript client holds exactly (2**53). Times are RFC 3339 strings in UTC. Answer Structs have
no defaults, so every field is present in every answer (``null`` where it does not apply).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

POINTS_CEILING = 1_000_000_000  # the largest ``limits.max_amount`` config.toml accepts
REASON_MAX = 200
ORDER_ID_MAX = 100
AMOUNT_CEILING = 1e12

Board = Literal["points", "levels", "vouches"]
BOARDS: tuple[Board, ...] = ("points", "levels", "vouches")

Snowflake = Annotated[
    str,
    Meta(
        pattern=r"^[1-9][0-9]{0,19}$",
        description="A Discord id, as a string of digits.",
        examples=["310475023846981632"],
    ),
]
Timestamp = Annotated[dt.datetime, Meta(extra_json_schema={"format": "date-time"})]
Points = Annotated[
    int,
    Meta(ge=1, le=POINTS_CEILING, description="Whole points, at least 1.", examples=[100]),
]


def snowflake(discord_id: int) -> str:
    return str(discord_id)


def timestamp(unix_ms: int) -> dt.datetime:
    """Vouchy's unix milliseconds as the aware UTC datetime an answer carries."""
    return dt.datetime.fromtimestamp(unix_ms / 1000, tz=dt.UTC)


class MoveRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The body of an earn or a spend. Unknown fields are refused, so a misspelt one
    (``orderId``) is reported instead of silently dropped."""

    points: Points
    reason: Annotated[
        str, Meta(max_length=REASON_MAX, description="Shown in the member's history.")
    ] = ""
    order_id: (
        Annotated[
            str,
            Meta(
                min_length=1,
                max_length=ORDER_ID_MAX,
                description="The shop's order, kept with the transaction.",
            ),
        ]
        | None
    ) = None
    amount: (
        Annotated[
            float,
            Meta(
                ge=0,
                le=AMOUNT_CEILING,
                description="The order's amount, for the record; it does not change points.",
            ),
        ]
        | None
    ) = None


class Account(msgspec.Struct, frozen=True, kw_only=True):
    """A member's account in one guild (the starting balance and zeros for a member Vouchy
    has not seen yet). ``xp``, ``level`` and ``vouches`` are 0 where this Vouchy does not keep
    levels or vouches."""

    guild_id: Snowflake
    user_id: Snowflake
    balance: int
    lifetime_earned: int
    lifetime_spent: int
    xp: int
    level: int
    vouches: int


class Move(msgspec.Struct, frozen=True, kw_only=True):
    """The answer to an earn or a spend; a retry with the same Idempotency-Key answers the
    same body again."""

    transaction_id: int
    guild_id: Snowflake
    user_id: Snowflake
    kind: Literal["earn", "spend"]
    points: int
    balance: int  # the member's balance right after this transaction
    reason: str
    order_id: str | None
    amount: float | None
    created_at: Timestamp


class HistoryEntry(msgspec.Struct, frozen=True, kw_only=True):
    transaction_id: int
    kind: str  # earn, spend, daily, transfer_in, transfer_out, admin, ...
    delta: int  # signed change to the balance
    balance_after: int
    reason: str
    created_at: Timestamp


class History(msgspec.Struct, frozen=True, kw_only=True):
    """One page of a member's transactions, newest first; ``next_cursor`` is null on the
    last page."""

    guild_id: Snowflake
    user_id: Snowflake
    entries: list[HistoryEntry]
    next_cursor: str | None


class LeaderboardRow(msgspec.Struct, frozen=True, kw_only=True):
    rank: int
    user_id: Snowflake
    value: int  # points, XP or vouches, by board
    level: int | None  # the levels board only


class Leaderboard(msgspec.Struct, frozen=True, kw_only=True):
    guild_id: Snowflake
    board: Board
    page: int
    pages: int
    per_page: int
    total: int  # members on the board
    rows: list[LeaderboardRow]


class Discrepancy(msgspec.Struct, frozen=True, kw_only=True):
    check: str  # which audit found it: ledger, vouches, levels, ...
    user_id: Snowflake | None
    problem: str  # balance_mismatch, negative_balance, ...
    stored: int | None
    expected: int | None


class Audit(msgspec.Struct, frozen=True, kw_only=True):
    """Vouchy's checks of a guild or one member: every stored value against its source rows."""

    guild_id: Snowflake
    user_id: Snowflake | None  # null for the whole guild
    clean: bool
    accounts: int
    ledger_rows: int
    total_points: int
    discrepancies: list[Discrepancy]
    checked_at: Timestamp


class Redemption(msgspec.Struct, frozen=True, kw_only=True):
    """A reward redeemed: the code to hand to the member, valid until ``expires_at``; a retry
    with the same Idempotency-Key answers the same code again."""

    guild_id: Snowflake
    user_id: Snowflake
    reward_id: str
    name: str  # the reward's name when it was redeemed
    code: str
    points_spent: int
    balance: int  # the member's balance right after
    transaction_id: int | None  # the ledger row of the points spent; null for a free reward
    expires_at: Timestamp
    created_at: Timestamp


ANSWERS: tuple[type[msgspec.Struct], ...] = (
    Account,
    Move,
    History,
    Leaderboard,
    Audit,
    Redemption,
)

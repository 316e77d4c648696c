"""What the writer takes and what it answers: operations and receipts (msgspec Structs).

An ``Op`` names its cause in ``reference`` (unique per guild): sending the same reference
again changes nothing and answers the first ``Receipt`` with ``duplicate=True``.
"""

from __future__ import annotations

import msgspec


class Op(msgspec.Struct, frozen=True, kw_only=True):
    guild_id: int
    user_id: int
    reference: str
    kind: str  # ledger kind of the user's row: earn, spend, transfer_out, daily, ...
    delta: int = 0  # signed change to the user's balance
    set_to: int | None = None  # admin set: the balance to reach (delta is derived)
    to_user_id: int | None = None  # transfer: the member credited with -delta
    cooldown_s: float = 0.0  # daily: refused while the last claim is younger than this
    reason: str = ""
    acting_user_id: int | None = None


class Receipt(msgspec.Struct, frozen=True, kw_only=True):
    reference: str
    guild_id: int
    user_id: int
    ledger_id: int
    kind: str
    delta: int
    balance: int  # the user's balance right after this operation
    created_at: int  # unix milliseconds
    to_user_id: int | None = None
    to_balance: int | None = None
    duplicate: bool = False


def counterpart_reference(reference: str) -> str:
    """The reference of a transfer's credit row: the debit row carries the operation's own."""
    return reference + ":in"


def start_reference(user_id: int) -> str:
    """The reference of an account's opening row (its starting balance)."""
    return f"start:{user_id}"


# Rows whose time becomes the account's ``last_daily_at`` (the cooldown's starting point).
CLAIM_KINDS = frozenset({"daily"})


def lifetime_after(kind: str, delta: int, earned: int, spent: int) -> tuple[int, int]:
    """An account's lifetime earned and spent after one ledger row: a credit counts as earned,
    a debit as spent; a repair row corrects the balance and moves neither. The writer and the
    journal's replay both keep accounts with this."""
    if kind == "repair":
        return earned, spent
    return (earned + delta, spent) if delta > 0 else (earned, spent - delta)

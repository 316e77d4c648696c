"""The points rules, pure: each request becomes one operation for the writer (moves of the
ledger, a cooldown row), or a refusal before anything is sent. No I/O here.

- An amount one command moves is from 1 to ``max_amount``; a balance set by an admin may be
  anything from 0 (a balance has no cap but the schema's).
- A member cannot give to themself or to a bot.
- The daily reward is claimed at most once per cooldown: the claim and its cooldown row are
  one operation, and the writer checks the cooldown against the committed row (so two
  claims at once cannot both pass).
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from vouchy.core.errors import CooldownActive, InvalidInput, Refused
from vouchy.core.validation import (
    check_amount,
    check_balance_target,
    check_member,
    check_reason,
    check_transfer,
)
from vouchy.features.points import texts as _texts  # noqa: F401
from vouchy.store.operations import Expect, Move, Op, Put

DAILY = "points.daily"  # the cooldowns row of the daily reward

AdjustMode = Literal["add", "remove", "set"]


class PointsSettings(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A guild's points settings (defaults from config.toml's [points])."""

    starting_balance: Annotated[int, msgspec.Meta(ge=0, le=1_000_000_000)] = 25  # every guild
    daily_amount: Annotated[int, msgspec.Meta(ge=1, le=1_000_000_000)] = 100
    daily_cooldown_hours: Annotated[float, msgspec.Meta(ge=0, le=24 * 365)] = 24.0


def earn(
    guild_id: int,
    user_id: int,
    amount: int,
    reference: str,
    *,
    max_amount: int,
    reason: str = "",
    acting_user_id: int | None = None,
) -> Op:
    amount = check_amount(amount, max_amount)
    return Op(
        guild_id=guild_id,
        user_id=check_member(user_id),
        reference=reference,
        name="points.earn",
        moves=(Move(user_id=user_id, kind="earn", delta=amount),),
        reason=check_reason(reason),
        acting_user_id=acting_user_id,
    )


def spend(
    guild_id: int,
    user_id: int,
    amount: int,
    reference: str,
    *,
    max_amount: int,
    reason: str = "",
    acting_user_id: int | None = None,
) -> Op:
    amount = check_amount(amount, max_amount)
    return Op(
        guild_id=guild_id,
        user_id=check_member(user_id),
        reference=reference,
        name="points.spend",
        moves=(Move(user_id=user_id, kind="spend", delta=-amount),),
        reason=check_reason(reason),
        acting_user_id=acting_user_id,
    )


def transfer(
    guild_id: int,
    user_id: int,
    to_user_id: int,
    amount: int,
    reference: str,
    *,
    max_amount: int,
    receiver_is_bot: bool = False,
    reason: str = "",
) -> Op:
    check_member(user_id)
    check_transfer(user_id, to_user_id, receiver_is_bot=receiver_is_bot)
    amount = check_amount(amount, max_amount)
    return Op(
        guild_id=guild_id,
        user_id=user_id,
        reference=reference,
        name="points.transfer",
        moves=(Move(user_id=user_id, kind="transfer_out", delta=-amount, to_user_id=to_user_id),),
        reason=check_reason(reason),
        acting_user_id=user_id,
    )


def adjust(
    guild_id: int,
    user_id: int,
    mode: AdjustMode,
    amount: int,
    reference: str,
    *,
    max_amount: int,
    acting_user_id: int,
    reason: str = "",
) -> Op:
    """An admin's add, remove or set; the admin is recorded as the acting user."""
    check_member(user_id)
    if mode == "set":
        move = Move(user_id=user_id, kind="admin_adjust", set_to=check_balance_target(amount))
    elif mode in ("add", "remove"):
        amount = check_amount(amount, max_amount)
        move = Move(
            user_id=user_id, kind="admin_adjust", delta=amount if mode == "add" else -amount
        )
    else:
        raise InvalidInput("store.bad_name", what="mode", value=str(mode))
    return Op(
        guild_id=guild_id,
        user_id=user_id,
        reference=reference,
        name=f"points.adjust.{mode}",
        moves=(move,),
        reason=check_reason(reason),
        acting_user_id=acting_user_id,
    )


def daily(
    guild_id: int, user_id: int, reference: str, *, settings: PointsSettings, now_ms: int
) -> Op:
    """The reward and its cooldown row together: refused (``points.daily_cooldown``) while
    the last claim is younger than the cooldown."""
    cooldown_ms = int(settings.daily_cooldown_hours * 3_600_000)
    key = (guild_id, check_member(user_id), DAILY)
    return Op(
        guild_id=guild_id,
        user_id=user_id,
        reference=reference,
        name="points.daily",
        moves=(Move(user_id=user_id, kind="daily", delta=settings.daily_amount),),
        changes=(
            Expect(
                table="cooldowns",
                key=key,
                op="le",
                column="at",
                value=now_ms - cooldown_ms,
                missing_ok=True,
                refuse="points.daily_cooldown",
                params={"cooldown_ms": cooldown_ms},
            ),
            Put(table="cooldowns", key=key, values={"at": now_ms}),
        ),
        reason="daily reward",
    )


def daily_refusal(error: Refused, now_ms: int) -> CooldownActive:
    """The writer's cooldown refusal (the last claim's time) as the wait left, in words."""
    last = _whole(error.params.get("current"), now_ms)
    cooldown_ms = _whole(error.params.get("cooldown_ms"), 0)
    return CooldownActive("points.daily_reward", max(0.0, (last + cooldown_ms - now_ms) / 1000))


def _whole(value: object, default: int) -> int:
    return int(value) if isinstance(value, int | float) else default


def repair(guild_id: int, user_id: int, reference: str, acting_user_id: int | None = None) -> Op:
    """Set the stored balance to its ledger sum, recorded as a ``repair`` row."""
    return Op(
        guild_id=guild_id,
        user_id=user_id,
        reference=reference,
        name="points.repair",
        moves=(Move(user_id=user_id, kind="repair", repair=True),),
        acting_user_id=acting_user_id,
    )

"""Rewards and redemptions, pure: the catalogue admins keep, a member redeeming a reward for
points (a ``redeem`` ledger row and a redemption with a unique, unguessable code and an
expiry), an admin marking a code used, and the refund of an expired, unused redemption.

- A code is 12 characters of Crockford's base 32 (60 bits from ``secrets``), shown as
  ``XXXX-XXXX-XXXX``; typed back, case, dashes, spaces and the look-alikes O/I/L are forgiven.
- A redemption moves ``issued`` -> ``used`` or ``issued`` -> ``refunded``, each by a
  compare-and-set on its status, so it is used once and refunded at most once; an issued
  code past its expiry reads as ``expired`` and cannot be used.
- A redemption is refunded only if the guild refunded expired codes when it was issued (the
  terms the member redeemed under travel with the code).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

import msgspec

from vouchy.core.errors import InvalidInput, Refused
from vouchy.core.validation import check_member
from vouchy.features.shop.rules import (
    DAY_MS,
    MAX_DAYS,
    check_description,
    check_name,
    check_price,
    check_whole,
)
from vouchy.store.operations import Change, Delete, Expect, Insert, Move, Op, Patch

REWARDS = "shop_rewards"
REDEMPTIONS = "shop_redemptions"
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32
CODE_LENGTH = 12
STATUSES = ("issued", "used", "expired", "refunded")


class Reward(msgspec.Struct, frozen=True, kw_only=True):
    reward: str
    name: str
    description: str
    cost: int
    valid_days: int | None
    revision: int


class Redemption(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    user_id: int
    reward: str
    name: str
    cost: int
    status: str  # as stored: issued, used or refunded
    refundable: bool
    created_at: int
    expires_at: int
    used_at: int | None = None
    used_by: int | None = None
    refunded_at: int | None = None

    def state(self, now_ms: int) -> str:
        """What a person reads: ``expired`` for an issued code past its expiry."""
        if self.status == "issued" and now_ms >= self.expires_at:
            return "expired"
        return self.status


def new_code(choice: Callable[[str], str] = secrets.choice) -> str:
    """A fresh code: 60 random bits, ``XXXX-XXXX-XXXX``."""
    raw = "".join(choice(ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


def normalize_code(text: object) -> str:
    """A code as typed (any case, with or without dashes or spaces) in its stored form."""
    if not isinstance(text, str):
        raise InvalidInput("shop.bad_code")
    raw = "".join(c for c in text.upper() if c.isalnum()).translate(_LOOKALIKES)
    if len(raw) != CODE_LENGTH or any(c not in ALPHABET for c in raw):
        raise InvalidInput("shop.bad_code")
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _days(days: int | None) -> int | None:
    return None if days is None else check_whole(days, 1, MAX_DAYS, "shop.bad_days")


def add_reward(
    guild_id: int,
    admin_id: int,
    reward: str,
    *,
    name: str,
    description: str | None,
    cost: int,
    valid_days: int | None,
    reference: str,
    now_ms: int,
) -> Op:
    return Op(
        guild_id=guild_id,
        user_id=admin_id,
        reference=reference,
        name="shop.reward.add",
        changes=(
            Insert(
                table=REWARDS,
                key=(guild_id, reward),
                values={
                    "name": check_name(name, "reward"),
                    "description": check_description(description),
                    "cost": check_price(cost),
                    "valid_days": _days(valid_days),
                    "revision": 1,
                    "created_at": now_ms,
                    "updated_at": now_ms,
                },
                refuse="shop.reward_exists",
                params={"reward": reward},
            ),
        ),
        acting_user_id=admin_id,
        data={"reward": reward},
    )


def _unchanged(guild_id: int, current: Reward) -> Expect:
    return Expect(
        table=REWARDS,
        key=(guild_id, current.reward),
        column="revision",
        value=current.revision,
        refuse="shop.reward_changed",
    )


def edit_reward(
    guild_id: int,
    admin_id: int,
    current: Reward,
    *,
    name: str | None,
    description: str | None,
    cost: int | None,
    valid_days: int | None,
    reference: str,
    now_ms: int,
) -> Op:
    """Change what the admin named. Codes issued already keep the name, cost and expiry they
    were issued with."""
    values: dict[str, object] = {}
    if name is not None:
        values["name"] = check_name(name, "reward")
    if description is not None:
        values["description"] = check_description(description)
    if cost is not None:
        values["cost"] = check_price(cost)
    if valid_days is not None:
        values["valid_days"] = _days(valid_days)
    if not values:
        raise Refused("shop.nothing_to_change")
    return Op(
        guild_id=guild_id,
        user_id=admin_id,
        reference=reference,
        name="shop.reward.edit",
        changes=(
            _unchanged(guild_id, current),
            Patch(
                table=REWARDS,
                key=(guild_id, current.reward),
                values={**values, "revision": current.revision + 1, "updated_at": now_ms},
                refuse="shop.reward_changed",
            ),
        ),
        acting_user_id=admin_id,
        data={"reward": current.reward},
    )


def remove_reward(guild_id: int, admin_id: int, current: Reward, *, reference: str) -> Op:
    """Take a reward out of the catalogue; codes issued for it stay valid."""
    return Op(
        guild_id=guild_id,
        user_id=admin_id,
        reference=reference,
        name="shop.reward.remove",
        changes=(
            _unchanged(guild_id, current),
            Delete(
                table=REWARDS,
                key=(guild_id, current.reward),
                must_exist=True,
                refuse="shop.reward_changed",
            ),
        ),
        acting_user_id=admin_id,
        data={"reward": current.reward},
    )


def redeem(
    guild_id: int,
    user_id: int,
    reward: Reward,
    *,
    code: str,
    default_days: int,
    refundable: bool,
    reference: str,
    now_ms: int,
    fingerprint: str = "",
) -> Op:
    """Spend the reward's cost (a ``redeem`` ledger row) and issue its code, valid for the
    reward's days (else the guild's default). Too few points: ``InsufficientFunds`` from the
    writer; a reward changed since it was read: ``shop.reward_changed``."""
    # Invariant: the points and the redemption are written together, once per reference.
    check_member(user_id)
    days = reward.valid_days or default_days
    expires_at = now_ms + days * DAY_MS
    changes: tuple[Change, ...] = (
        _unchanged(guild_id, reward),
        Insert(
            table=REDEMPTIONS,
            key=(guild_id, code),
            values={
                "user_id": user_id,
                "reward": reward.reward,
                "name": reward.name,
                "cost": reward.cost,
                "status": "issued",
                "refundable": int(refundable),
                "reference": reference,
                "created_at": now_ms,
                "expires_at": expires_at,
            },
            refuse="shop.try_again",
        ),
    )
    return Op(
        guild_id=guild_id,
        user_id=user_id,
        reference=reference,
        name="shop.redeem",
        moves=(Move(user_id=user_id, kind="redeem", delta=-reward.cost),) if reward.cost else (),
        changes=changes,
        reason=f"redeemed {reward.name}"[:200],
        fingerprint=fingerprint,
        data={
            "code": code,
            "reward": reward.reward,
            "name": reward.name,
            "cost": reward.cost,
            "created_at": now_ms,
            "expires_at": expires_at,
        },
    )


def _issued(guild_id: int, red: Redemption) -> Expect:
    return Expect(
        table=REDEMPTIONS,
        key=(guild_id, red.code),
        column="status",
        value="issued",
        refuse="shop.redemption_moved_on",
        params={"code": red.code},
    )


def refusal(red: Redemption, now_ms: int) -> Refused | None:
    """Why ``red`` cannot be used now (used, refunded, expired), or None."""
    state = red.state(now_ms)
    if state == "used":
        return Refused(
            "shop.redemption_used",
            code=red.code,
            used_at=str((red.used_at or 0) // 1000),
            used_by_id=red.used_by or 0,
        )
    if state == "refunded":
        return Refused("shop.redemption_refunded", code=red.code)
    if state == "expired":
        return Refused(
            "shop.redemption_expired", code=red.code, expired_at=str(red.expires_at // 1000)
        )
    return None


def use(guild_id: int, admin_id: int, red: Redemption, *, reference: str, now_ms: int) -> Op:
    """Mark an issued, unexpired code used (by ``admin_id``), or say why not."""
    # Invariant: a code is used at most once (compare-and-set on its status).
    refused = refusal(red, now_ms)
    if refused is not None:
        raise refused
    return Op(
        guild_id=guild_id,
        user_id=red.user_id,
        reference=reference,
        name="shop.redemption.use",
        changes=(
            _issued(guild_id, red),
            Expect(
                table=REDEMPTIONS,
                key=(guild_id, red.code),
                op="gt",
                column="expires_at",
                value=now_ms,
                refuse="shop.redemption_expired",
                params={"code": red.code, "expired_at": str(red.expires_at // 1000)},
            ),
            Patch(
                table=REDEMPTIONS,
                key=(guild_id, red.code),
                values={"status": "used", "used_at": now_ms, "used_by": admin_id},
            ),
        ),
        acting_user_id=admin_id,
        data={"code": red.code},
    )


def refund_reference(code: str) -> str:
    return f"shop.refund:{code}"


def refund(guild_id: int, red: Redemption, *, now_ms: int) -> Op:
    """Give an expired, unused, refundable redemption's points back (a ``refund`` ledger
    row), once: its reference is the code's, and its status moves by compare-and-set."""
    if not red.refundable or red.state(now_ms) != "expired":
        raise ValueError(f"redemption {red.code} is not due a refund")
    return Op(
        guild_id=guild_id,
        user_id=red.user_id,
        reference=refund_reference(red.code),
        name="shop.redemption.refund",
        moves=(Move(user_id=red.user_id, kind="refund", delta=red.cost),) if red.cost else (),
        changes=(
            _issued(guild_id, red),
            Patch(
                table=REDEMPTIONS,
                key=(guild_id, red.code),
                values={"status": "refunded", "refunded_at": now_ms},
            ),
        ),
        reason=f"expired unused: {red.name}"[:200],
        data={"code": red.code, "cost": red.cost},
    )

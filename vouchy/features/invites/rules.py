"""Invite attribution's operations, pure: a recorded join, a leave, a bonus, a staff mapping
or the permission flag becomes one ``Op`` for the writer; rows read back become the records
the other modules use. No I/O here.

Every event of a guild's counts (a join, a leave, a bonus) carries ``event_no``, the next
number of the guild's ``invite_guilds.events``, in the same operation that moves that counter:
the guild's owner is the only writer of these rows, so the numbers follow the order in which
the events were recorded, and the counts are the fold of the events in that order
(``counts.replay``, what the audit recomputes).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

import msgspec

from vouchy.core.errors import InvalidInput
from vouchy.features.invites import texts  # noqa: F401  (registers the texts)
from vouchy.features.invites.counts import (
    DAY_MS,
    BonusRecord,
    CountRules,
    CountsDelta,
    InviterCounts,
    LeaveRecord,
    Standing,
    check_bonus,
)
from vouchy.features.invites.records import CAUSES, JoinRecord
from vouchy.features.invites.staff import StaffLink
from vouchy.store.operations import Add, Change, Delete, Effect, Insert, Op, Patch, Put

GUILDS = "invite_guilds"
JOINS = "invite_joins"
LEAVES = "invite_leaves"
BONUSES = "invite_bonuses"
COUNTS = "invite_counts"
MEMBERS = "invite_members"
STAFF = "invite_staff"
CODES = "invite_codes"

Source = Literal["live", "log", "seed"]
# A row as the reader returns it (read by name), or a plain mapping.
RowLike = Mapping[str, Any] | sqlite3.Row
MAX_REASON = 200


class InvitesSettings(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A guild's invite settings (defaults from config.toml's [invites])."""

    # A member whose account was younger than this at their first join counts as fake.
    fake_account_days: Annotated[int, msgspec.Meta(ge=0, le=3650)] = 7
    # A leave counts against the inviter when the member stayed at most this long; 0: always.
    leave_window_days: Annotated[int, msgspec.Meta(ge=0, le=3650)] = 0


def count_rules(settings: InvitesSettings) -> CountRules:
    window = settings.leave_window_days
    return CountRules(
        fake_account_days=settings.fake_account_days,
        leave_window_ms=window * DAY_MS if window else None,
    )


# -- rows and records ---------------------------------------------------------------------------


def join_values(
    record: JoinRecord, *, event_no: int, fake_days: int, source: Source, recorded_at: int
) -> dict[str, Any]:
    """The columns of ``invite_joins`` (its key aside) for ``record``."""
    return {
        "event_no": event_no,
        "member_id": record.member_id,
        "member_name": record.member_name,
        "display_name": record.display_name,
        "joined_at": record.joined_at_ms,
        "account_created": record.account_created_ms,
        "cause": record.cause,
        "code": record.code,
        "inviter_id": record.inviter_id,
        "inviter_name": record.inviter_name,
        "staff_id": record.staff_id,
        "staff_name": record.staff_name,
        "uses_before": record.uses_before,
        "uses_after": record.uses_after,
        "how": record.how,
        "how_params": msgspec.json.encode(record.how_params).decode(),
        "candidates": msgspec.json.encode(record.candidates).decode(),
        "fake_days": fake_days,
        "source": source,
        "recorded_at": recorded_at,
    }


def record_of(row: RowLike) -> JoinRecord:
    """A row of ``invite_joins`` as the record the logs and renderers read."""
    return JoinRecord(
        join_id=row["join_id"],
        guild_id=row["guild_id"],
        member_id=row["member_id"],
        member_name=row["member_name"],
        display_name=row["display_name"],
        joined_at_ms=row["joined_at"],
        account_created_ms=row["account_created"],
        cause=row["cause"],
        code=row["code"],
        inviter_id=row["inviter_id"],
        inviter_name=row["inviter_name"],
        staff_id=row["staff_id"],
        staff_name=row["staff_name"],
        uses_before=row["uses_before"],
        uses_after=row["uses_after"],
        how=row["how"],
        how_params=msgspec.json.decode(row["how_params"], type=dict[str, str | int]),
        candidates=msgspec.json.decode(row["candidates"], type=tuple[str, ...]),
    )


def standing_of(row: RowLike | None) -> Standing | None:
    if row is None:
        return None
    return Standing(
        member_id=row["member_id"],
        credited_inviter=row["credited_inviter"],
        credited_join_id=row["credited_join_id"],
        fake=bool(row["fake"]),
        present=bool(row["present"]),
        left_counted=bool(row["left_counted"]),
        last_join_at_ms=row["last_join_at"],
    )


def standing_values(standing: Standing) -> dict[str, Any]:
    return {
        "credited_inviter": standing.credited_inviter,
        "credited_join_id": standing.credited_join_id,
        "fake": int(standing.fake),
        "present": int(standing.present),
        "left_counted": int(standing.left_counted),
        "last_join_at": standing.last_join_at_ms,
    }


def counts_of_row(row: RowLike) -> InviterCounts:
    return InviterCounts(
        inviter_id=row["inviter_id"],
        regular=row["regular"],
        left=row["left_count"],
        fake=row["fake"],
        bonus=row["bonus"],
    )


def counts_values(counts: InviterCounts) -> dict[str, int]:
    return {
        "regular": counts.regular,
        "left_count": counts.left,
        "fake": counts.fake,
        "bonus": counts.bonus,
    }


def staff_link_of(row: RowLike) -> StaffLink:
    return StaffLink(
        code=row["code"],
        inviter_id=row["inviter_id"],
        staff_id=row["staff_id"],
        staff_name=row["staff_name"],
        referral_link=row["referral_link"],
        referral_code=row["referral_code"],
        set_by=row["set_by"],
        set_at_ms=row["set_at"],
    )


# -- operations ---------------------------------------------------------------------------------


def _count_changes(guild_id: int, delta: CountsDelta | None) -> tuple[Change, ...]:
    """What one event adds to one inviter's counts. No lower bound here: the counts are
    derived, and a join or leave (a fact) must never be refused because a counter was
    damaged; the audit finds and repairs a counter that strays from its source rows."""
    if delta is None:
        return ()
    key = (guild_id, delta.inviter_id)
    moves = (
        ("regular", delta.regular),
        ("left_count", delta.left),
        ("fake", delta.fake),
        ("bonus", delta.bonus),
    )
    return tuple(
        Add(table=COUNTS, key=key, column=column, delta=n, low=None) for column, n in moves if n
    )


def _next_event(guild_id: int, event_no: int, extra: Mapping[str, Any] | None = None) -> Patch:
    return Patch(
        table=GUILDS,
        key=(guild_id,),
        values={"events": event_no, **(extra or {})},
        create=True,
    )


def join_op(
    record: JoinRecord,
    *,
    event_no: int,
    standing: Standing,
    delta: CountsDelta | None,
    fake_days: int,
    source: Source,
    now_ms: int,
    permission_told: bool | None = None,
    effects: Sequence[Effect] = (),
) -> Op:
    """Record ``record`` (a new join) with what it changes: the member's standing, the credited
    inviter's counts, the guild's event number, and (``permission_told``) the flag saying
    whether the admins were told that Vouchy cannot list invites."""
    if record.cause not in CAUSES:
        raise InvalidInput("invites.bad_cause", cause=str(record.cause)[:40])
    g = record.guild_id
    extra = {} if permission_told is None else {"permission_told": int(permission_told)}
    values = join_values(
        record, event_no=event_no, fake_days=fake_days, source=source, recorded_at=now_ms
    )
    return Op(
        guild_id=g,
        user_id=record.member_id,
        reference=record.join_id,
        name="invites.join",
        changes=(
            Insert(table=JOINS, key=(g, record.join_id), values=values),
            Put(table=MEMBERS, key=(g, record.member_id), values=standing_values(standing)),
            *_count_changes(g, delta),
            _next_event(g, event_no, extra),
        ),
        effects=tuple(effects),
        reason=f"join {record.cause}",
    )


def leave_op(
    leave: LeaveRecord,
    *,
    event_no: int,
    standing: Standing,
    delta: CountsDelta | None,
    window_ms: int | None,
) -> Op:
    """Record a leave (and whether it counts against the credited inviter)."""
    g = leave.guild_id
    return Op(
        guild_id=g,
        user_id=leave.member_id,
        reference=leave.leave_id,
        name="invites.leave",
        changes=(
            Insert(
                table=LEAVES,
                key=(g, leave.leave_id),
                values={
                    "event_no": event_no,
                    "member_id": leave.member_id,
                    "left_at": leave.left_at_ms,
                    "window_ms": window_ms,
                },
            ),
            Put(table=MEMBERS, key=(g, leave.member_id), values=standing_values(standing)),
            *_count_changes(g, delta),
            _next_event(g, event_no),
        ),
        reason="leave",
    )


def bonus_op(bonus: BonusRecord, *, event_no: int) -> Op:
    """An admin's adjustment of an inviter's bonus (``/admin invites bonus``)."""
    amount = check_bonus(bonus.amount)
    reason = bonus.reason.strip()
    if len(reason) > MAX_REASON:
        raise InvalidInput("invites.bad_reason", maximum=MAX_REASON)
    g = bonus.guild_id
    by = bonus.by_id or bonus.inviter_id
    return Op(
        guild_id=g,
        user_id=by,
        reference=bonus.bonus_id,
        name="invites.bonus",
        changes=(
            Insert(
                table=BONUSES,
                key=(g, bonus.bonus_id),
                values={
                    "event_no": event_no,
                    "inviter_id": bonus.inviter_id,
                    "amount": amount,
                    "reason": reason,
                    "by_id": bonus.by_id,
                    "at": bonus.at_ms,
                },
            ),
            *_count_changes(g, CountsDelta(inviter_id=bonus.inviter_id, bonus=amount)),
            _next_event(g, event_no),
        ),
        reason=reason or "invite bonus",
        acting_user_id=bonus.by_id,
    )


def staff_set_op(guild_id: int, link: StaffLink, reference: str, acting_user_id: int) -> Op:
    """Map a code or an inviter to a staff member (replacing its mapping, if any)."""
    return Op(
        guild_id=guild_id,
        user_id=acting_user_id,
        reference=reference,
        name="invites.staff_set",
        changes=(
            Put(
                table=STAFF,
                key=(guild_id, link.row_key),
                values={
                    "code": link.code,
                    "inviter_id": link.inviter_id,
                    "staff_id": link.staff_id,
                    "staff_name": link.staff_name,
                    "referral_link": link.referral_link,
                    "referral_code": link.referral_code,
                    "set_by": link.set_by,
                    "set_at": link.set_at_ms,
                },
            ),
        ),
        acting_user_id=acting_user_id,
    )


def staff_remove_op(
    guild_id: int, row_key: str, shown: str, reference: str, acting_user_id: int
) -> Op:
    """Remove a mapping; refused (``invites.staff_not_mapped``) when there is none."""
    return Op(
        guild_id=guild_id,
        user_id=acting_user_id,
        reference=reference,
        name="invites.staff_remove",
        changes=(
            Delete(
                table=STAFF,
                key=(guild_id, row_key),
                must_exist=True,
                refuse="invites.staff_not_mapped",
                params={"key": shown},
            ),
        ),
        acting_user_id=acting_user_id,
    )


def codes_seen_op(guild_id: int, first_uses: Mapping[str, int], now_ms: int) -> Op:
    """Invite codes seen for the first time and their uses then (the baseline ``/invites
    sync`` compares against). Written only for codes the guild's owner has not recorded; the
    rows themselves are the idempotency (no operations record)."""
    return Op(
        guild_id=guild_id,
        user_id=guild_id,
        reference=f"invites:codes:{guild_id}:{now_ms}",
        name="invites.codes_seen",
        changes=tuple(
            Put(
                table=CODES,
                key=(guild_id, code),
                values={"first_uses": max(0, uses), "first_seen": now_ms},
            )
            for code, uses in sorted(first_uses.items())
        ),
        remember=False,
    )


def permission_back_op(guild_id: int, reference: str) -> Op:
    """The invite list could be fetched again: a later loss is told again. The row's value is
    what makes this idempotent (no operations record)."""
    return Op(
        guild_id=guild_id,
        user_id=guild_id,
        reference=reference,
        name="invites.permission_back",
        changes=(_told(guild_id, False),),
        remember=False,
    )


def _told(guild_id: int, told: bool) -> Patch:
    return Patch(table=GUILDS, key=(guild_id,), values={"permission_told": int(told)}, create=True)


def permission_notice_effect(
    text: str, *, log_channel: int | None, owner_id: int | None
) -> tuple[Effect, ...]:
    """The notice that Vouchy cannot list invites: in the log channel when the guild has one,
    else a direct message to the guild's owner (else nowhere: the join still says it)."""
    if log_channel is not None:
        return (Effect(kind="discord.post", payload={"channel_id": log_channel, "content": text}),)
    if owner_id is not None:
        return (Effect(kind="discord.dm", payload={"user_id": owner_id, "content": text}),)
    return ()


def fix_changes(
    guild_id: int, table: str, key_id: int, expected: dict[str, Any] | None
) -> list[Change]:
    """What restores one derived row (counts or a standing) to its recomputed value."""
    if table not in (COUNTS, MEMBERS):
        return []
    if expected is None:
        return [Delete(table=table, key=(guild_id, key_id))]
    return [Put(table=table, key=(guild_id, key_id), values=expected)]

"""Invite counts per inviter (regular, left, fake, bonus) and the rules that decide them.

``total = regular - left - fake + bonus``, as the popular trackers define it. The counts are a
projection of a guild's join, leave and bonus records: ``recompute`` folds them from scratch
(what the audit compares stored counts against) and ``join_effect`` / ``leave_effect`` /
``bonus_effect`` give the same result one event at a time (what the writer applies). No
roles or rewards are derived from counts here: Discord's policy forbids rewarding invites.

The rules, exactly:

- A member counts for at most one inviter, once: the inviter of the member's FIRST join that
  Vouchy recorded in the guild (the credited join). That join adds 1 to ``regular``.
- If that first join has no inviter (ambiguous, unknown, vanity, no permission), nobody is
  ever credited for the member: a later join is a rejoin, never a first. A member Vouchy first
  sees leaving (they joined before Vouchy arrived) is likewise never credited.
- A rejoin (any later join of the same member id, through any invite) adds nothing. It brings
  the member back: a leave that counted against the credited inviter stops counting.
- The credited join is ``fake`` (adds 1 to ``fake``) when the account was younger than
  ``fake_account_days`` at that join, or when the member joined through their own invite.
  A fake member's leave is not also counted as ``left``: each member moves a total by 1 or 0.
- A leave adds 1 to ``left`` of the credited inviter when the member stayed at most
  ``leave_window_ms`` since their latest join; ``None`` (the default) counts every leave, as
  most trackers do. A leave of a member not present (a duplicate event) changes nothing.
- A bonus (an admin's adjustment, positive or negative) adds its amount to ``bonus``.
- Events with a reference already seen change nothing (the same join delivered twice).
"""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

from vouchy.core.errors import InvalidInput
from vouchy.features.invites import texts  # noqa: F401  (registers the texts)
from vouchy.features.invites.records import JoinRecord

DAY_MS = 86_400_000
MAX_BONUS = 100_000


class CountRules(msgspec.Struct, frozen=True, kw_only=True):
    fake_account_days: int = 7
    leave_window_ms: int | None = None  # None: every leave counts


class LeaveRecord(msgspec.Struct, frozen=True, kw_only=True):
    leave_id: str
    guild_id: int
    member_id: int
    left_at_ms: int


class BonusRecord(msgspec.Struct, frozen=True, kw_only=True):
    bonus_id: str
    guild_id: int
    inviter_id: int
    amount: int
    reason: str = ""
    by_id: int | None = None
    at_ms: int


Event = JoinRecord | LeaveRecord | BonusRecord


class InviterCounts(msgspec.Struct, frozen=True, kw_only=True):
    inviter_id: int
    regular: int = 0
    left: int = 0
    fake: int = 0
    bonus: int = 0

    @property
    def total(self) -> int:
        return self.regular - self.left - self.fake + self.bonus


class CountsDelta(msgspec.Struct, frozen=True, kw_only=True):
    """What one event changes in one inviter's counts."""

    inviter_id: int
    regular: int = 0
    left: int = 0
    fake: int = 0
    bonus: int = 0


class Standing(msgspec.Struct, frozen=True, kw_only=True):
    """One member's place in a guild's counts (a row the writer keeps beside the counts)."""

    member_id: int
    credited_inviter: int | None = None
    credited_join_id: str | None = None
    fake: bool = False
    present: bool = False
    left_counted: bool = False  # the latest leave counts against the credited inviter
    last_join_at_ms: int | None = None


class RankedInviter(msgspec.Struct, frozen=True, kw_only=True):
    rank: int
    counts: InviterCounts


def is_fake(join: JoinRecord, rules: CountRules) -> bool:
    """An account younger than the configured days at the join, or a self-invite."""
    if join.inviter_id is not None and join.inviter_id == join.member_id:
        return True
    if join.account_created_ms is None:
        return False
    return join.joined_at_ms - join.account_created_ms < rules.fake_account_days * DAY_MS


def join_effect(
    standing: Standing | None, join: JoinRecord, rules: CountRules
) -> tuple[Standing, CountsDelta | None]:
    """A join: the member's new standing and what it changes, for whom."""
    # Invariant: only a member's first recorded join credits anyone; a rejoin only undoes
    # the leave that counted.
    if standing is None:
        if join.inviter_id is None:
            return Standing(
                member_id=join.member_id, present=True, last_join_at_ms=join.joined_at_ms
            ), None
        fake = is_fake(join, rules)
        credited = Standing(
            member_id=join.member_id,
            credited_inviter=join.inviter_id,
            credited_join_id=join.join_id,
            fake=fake,
            present=True,
            last_join_at_ms=join.joined_at_ms,
        )
        return credited, CountsDelta(inviter_id=join.inviter_id, regular=1, fake=int(fake))
    back = msgspec.structs.replace(
        standing, present=True, left_counted=False, last_join_at_ms=join.joined_at_ms
    )
    if standing.left_counted and standing.credited_inviter is not None:
        return back, CountsDelta(inviter_id=standing.credited_inviter, left=-1)
    return back, None


def leave_effect(
    standing: Standing | None, leave: LeaveRecord, rules: CountRules
) -> tuple[Standing, CountsDelta | None]:
    """A leave: counted against the credited inviter within the window, never for a fake."""
    if standing is None:
        return Standing(member_id=leave.member_id), None  # joined before Vouchy: seen now
    if not standing.present:
        return standing, None
    gone = msgspec.structs.replace(standing, present=False, left_counted=False)
    if standing.credited_inviter is None or standing.fake:
        return gone, None
    stayed = leave.left_at_ms - (standing.last_join_at_ms or leave.left_at_ms)
    if rules.leave_window_ms is not None and stayed > rules.leave_window_ms:
        return gone, None
    counted = msgspec.structs.replace(gone, left_counted=True)
    return counted, CountsDelta(inviter_id=standing.credited_inviter, left=1)


def bonus_effect(bonus: BonusRecord) -> CountsDelta:
    return CountsDelta(inviter_id=bonus.inviter_id, bonus=bonus.amount)


def apply_delta(counts: InviterCounts | None, delta: CountsDelta) -> InviterCounts:
    base = counts or InviterCounts(inviter_id=delta.inviter_id)
    return InviterCounts(
        inviter_id=delta.inviter_id,
        regular=base.regular + delta.regular,
        left=base.left + delta.left,
        fake=base.fake + delta.fake,
        bonus=base.bonus + delta.bonus,
    )


def recompute(events: Iterable[Event], rules: CountRules) -> dict[int, InviterCounts]:
    """Every inviter's counts from one guild's records, in the order they were recorded."""
    return replay((event, rules) for event in events)[1]


def replay(
    events: Iterable[tuple[Event, CountRules]],
) -> tuple[dict[int, Standing], dict[int, InviterCounts]]:
    """Every member's standing and every inviter's counts from one guild's records, in the
    order they were recorded, each with the rules that were in force when it was (a
    setting changed later does not rewrite what was counted before)."""
    # Invariant: the result equals the incremental effects applied in the same order.
    standings: dict[int, Standing] = {}
    counts: dict[int, InviterCounts] = {}
    seen: set[str] = set()
    guild: int | None = None
    for event, rules in events:
        if guild is None:
            guild = event.guild_id
        elif event.guild_id != guild:
            raise ValueError(f"records of guilds {guild} and {event.guild_id} mixed")
        reference = _reference(event)
        if reference in seen:
            continue
        seen.add(reference)
        delta: CountsDelta | None
        if isinstance(event, BonusRecord):
            delta = bonus_effect(event)
        elif isinstance(event, JoinRecord):
            standings[event.member_id], delta = join_effect(
                standings.get(event.member_id), event, rules
            )
        else:
            standings[event.member_id], delta = leave_effect(
                standings.get(event.member_id), event, rules
            )
        if delta is not None:
            counts[delta.inviter_id] = apply_delta(counts.get(delta.inviter_id), delta)
    return standings, counts


def counts_of(inviter_id: int, events: Iterable[Event], rules: CountRules) -> InviterCounts:
    """One inviter's counts from the source rows (for the audit of a stored row)."""
    return recompute(events, rules).get(inviter_id, InviterCounts(inviter_id=inviter_id))


def rank(counts: Iterable[InviterCounts]) -> list[RankedInviter]:
    """Best first: total, then regular, then the lower id; equal totals share a rank
    (1, 2, 2, 4)."""
    ordered = sorted(counts, key=lambda c: (-c.total, -c.regular, c.inviter_id))
    ranked: list[RankedInviter] = []
    for position, entry in enumerate(ordered, start=1):
        same = ranked and ranked[-1].counts.total == entry.total
        ranked.append(RankedInviter(rank=ranked[-1].rank if same else position, counts=entry))
    return ranked


def rank_of(ranked: Iterable[RankedInviter], member_id: int) -> RankedInviter | None:
    return next((r for r in ranked if r.counts.inviter_id == member_id), None)


def check_bonus(amount: object) -> int:
    """An admin's adjustment: a whole number, not zero, within ±MAX_BONUS."""
    if (
        isinstance(amount, bool)
        or not isinstance(amount, int)
        or amount == 0
        or abs(amount) > MAX_BONUS
    ):
        raise InvalidInput("invites.bad_bonus", maximum=MAX_BONUS)
    return amount


def _reference(event: Event) -> str:
    if isinstance(event, JoinRecord):
        return "join:" + event.join_id
    if isinstance(event, LeaveRecord):
        return "leave:" + event.leave_id
    return "bonus:" + event.bonus_id

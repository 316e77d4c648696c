"""Invite counts: regular, left, fake, bonus; rejoins never counted twice."""

from __future__ import annotations

import random

import pytest

from vouchy.core.errors import InvalidInput
from vouchy.features.invites.counts import (
    DAY_MS,
    BonusRecord,
    CountRules,
    CountsDelta,
    Event,
    InviterCounts,
    LeaveRecord,
    Standing,
    apply_delta,
    bonus_effect,
    check_bonus,
    counts_of,
    join_effect,
    leave_effect,
    rank,
    rank_of,
    recompute,
)
from vouchy.features.invites.records import JoinRecord, join_reference, leave_reference

GUILD = 111
ALICE, BOB = 1001, 1002
T0 = 1_761_921_045_000
OLD_ACCOUNT = T0 - 400 * DAY_MS
RULES = CountRules()


def joined(
    member: int, inviter: int | None, at: int, created: int | None = OLD_ACCOUNT
) -> JoinRecord:
    return JoinRecord(
        join_id=join_reference(GUILD, member, at),
        guild_id=GUILD,
        member_id=member,
        member_name=f"m{member}",
        joined_at_ms=at,
        account_created_ms=created,
        cause="code" if inviter else "unknown",
        code="abc" if inviter else None,
        inviter_id=inviter,
        how="invites.how.code" if inviter else "invites.how.nothing_moved",
    )


def left(member: int, at: int) -> LeaveRecord:
    return LeaveRecord(
        leave_id=leave_reference(GUILD, member, at), guild_id=GUILD, member_id=member, left_at_ms=at
    )


def bonus(inviter: int, amount: int, n: int = 1) -> BonusRecord:
    return BonusRecord(
        bonus_id=f"b{n}", guild_id=GUILD, inviter_id=inviter, amount=amount, at_ms=T0
    )


def test_a_join_through_an_inviter_counts_one_regular() -> None:
    c = counts_of(ALICE, [joined(1, ALICE, T0)], RULES)
    assert (c.regular, c.left, c.fake, c.bonus, c.total) == (1, 0, 0, 0, 1)


def test_a_leave_counts_against_the_inviter() -> None:
    c = counts_of(ALICE, [joined(1, ALICE, T0), left(1, T0 + DAY_MS)], RULES)
    assert (c.regular, c.left, c.total) == (1, 1, 0)


def test_a_leave_after_the_window_does_not_count() -> None:
    rules = CountRules(leave_window_ms=7 * DAY_MS)
    early = counts_of(ALICE, [joined(1, ALICE, T0), left(1, T0 + DAY_MS)], rules)
    late = counts_of(ALICE, [joined(2, ALICE, T0), left(2, T0 + 8 * DAY_MS)], rules)
    assert (early.left, late.left, late.total) == (1, 0, 1)


def test_a_rejoin_through_another_invite_is_not_counted_twice_and_undoes_the_leave() -> None:
    events: list[Event] = [
        joined(1, ALICE, T0),
        left(1, T0 + 10),
        joined(1, BOB, T0 + 20),
    ]
    counts = recompute(events, RULES)
    assert counts[ALICE] == InviterCounts(inviter_id=ALICE, regular=1, left=0)
    assert BOB not in counts


def test_joining_and_leaving_again_and_again_moves_the_total_by_one_at_most() -> None:
    events: list[Event] = []
    for n in range(5):
        events += [joined(1, ALICE, T0 + 100 * n), left(1, T0 + 100 * n + 50)]
    assert counts_of(ALICE, events, RULES).total == 0
    assert counts_of(ALICE, events[:-1], RULES).total == 1


def test_a_member_first_seen_without_an_inviter_is_never_credited_on_a_rejoin() -> None:
    counts = recompute([joined(1, None, T0), left(1, T0 + 1), joined(1, BOB, T0 + 2)], RULES)
    assert counts == {}


def test_a_member_who_joined_before_vouchy_and_rejoins_is_not_credited() -> None:
    assert recompute([left(1, T0), joined(1, BOB, T0 + 1)], RULES) == {}


def test_a_young_account_is_fake_and_its_leave_is_not_subtracted_twice() -> None:
    young = joined(1, ALICE, T0, created=T0 - 2 * DAY_MS)
    c = counts_of(ALICE, [young], RULES)
    assert (c.regular, c.fake, c.total) == (1, 1, 0)
    c = counts_of(ALICE, [young, left(1, T0 + 5)], RULES)
    assert (c.regular, c.left, c.fake, c.total) == (1, 0, 1, 0)


def test_the_fake_age_is_configurable() -> None:
    three_days = joined(1, ALICE, T0, created=T0 - 3 * DAY_MS)
    assert counts_of(ALICE, [three_days], CountRules(fake_account_days=7)).fake == 1
    assert counts_of(ALICE, [three_days], CountRules(fake_account_days=2)).fake == 0


def test_joining_through_ones_own_invite_is_fake() -> None:
    c = counts_of(ALICE, [joined(ALICE, ALICE, T0)], RULES)
    assert (c.fake, c.total) == (1, 0)


def test_a_bonus_adds_to_the_total_and_can_be_negative() -> None:
    events: list[Event] = [joined(1, ALICE, T0), bonus(ALICE, 5, 1), bonus(ALICE, -2, 2)]
    c = counts_of(ALICE, events, RULES)
    assert (c.bonus, c.total) == (3, 4)


def test_the_same_event_twice_changes_nothing_the_second_time() -> None:
    j, lv, b = joined(1, ALICE, T0), left(1, T0 + 1), bonus(ALICE, 5)
    assert recompute([j, j, lv, lv, b, b], RULES) == recompute([j, lv, b], RULES)


def test_a_second_leave_of_a_member_already_gone_changes_nothing() -> None:
    standing, _ = leave_effect(
        Standing(member_id=1, credited_inviter=ALICE, present=True, last_join_at_ms=T0),
        left(1, T0 + 1),
        RULES,
    )
    again, delta = leave_effect(standing, left(1, T0 + 2), RULES)
    assert delta is None and again == standing


def test_records_of_two_guilds_are_refused() -> None:
    other = LeaveRecord(leave_id="x", guild_id=222, member_id=1, left_at_ms=T0)
    with pytest.raises(ValueError):
        recompute([joined(1, ALICE, T0), other], RULES)


def test_incremental_updates_match_a_recomputation_from_the_records() -> None:
    rng = random.Random(16)
    rules = CountRules(fake_account_days=7, leave_window_ms=3_000)
    events: list[Event] = []
    present: set[int] = set()
    clock = T0
    for _ in range(400):
        clock += rng.randint(1, 2_000)
        member = rng.randint(1, 25)
        kind = rng.random()
        if kind < 0.1:
            events.append(bonus(rng.choice([ALICE, BOB, 7]), rng.choice([-3, 1, 4]), len(events)))
        elif member in present and kind < 0.6:
            events.append(left(member, clock))
            present.discard(member)
        else:
            inviter = rng.choice([ALICE, BOB, None, member])
            created = clock - rng.randint(0, 20) * DAY_MS
            events.append(joined(member, inviter, clock, created))
            present.add(member)
    standings: dict[int, Standing] = {}
    stored: dict[int, InviterCounts] = {}
    for event in events:
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
            stored[delta.inviter_id] = apply_delta(stored.get(delta.inviter_id), delta)
    assert stored == recompute(events, rules)
    # Each member moves exactly one inviter's total by 0 or 1.
    totals_without_bonus = sum(c.total - c.bonus for c in stored.values())
    assert 0 <= totals_without_bonus <= 25


def test_the_ranking_puts_the_best_total_first_and_shares_ties() -> None:
    counts = [
        InviterCounts(inviter_id=3, regular=5),
        InviterCounts(inviter_id=1, regular=9, left=4),
        InviterCounts(inviter_id=2, regular=8),
        InviterCounts(inviter_id=4, regular=1),
    ]
    ranked = rank(counts)
    assert [(r.rank, r.counts.inviter_id) for r in ranked] == [(1, 2), (2, 1), (2, 3), (4, 4)]
    found = rank_of(ranked, 3)
    assert found is not None and found.rank == 2
    assert rank_of(ranked, 99) is None


@pytest.mark.parametrize("amount", [0, 100_001, -100_001, True, 1.5, "3"])
def test_a_bonus_out_of_bounds_is_refused(amount: object) -> None:
    with pytest.raises(InvalidInput) as e:
        check_bonus(amount)
    assert e.value.key == "invites.bad_bonus"


def test_a_replay_counts_each_event_under_the_rules_it_was_recorded_with() -> None:
    from vouchy.features.invites.counts import replay

    young = T0 - 3 * DAY_MS
    strict, lenient = CountRules(fake_account_days=7), CountRules(fake_account_days=0)
    events = [
        (joined(50, ALICE, T0, young), strict),  # fake when it was recorded
        (joined(51, ALICE, T0 + 1, young), lenient),  # the setting changed: not fake
        (left(51, T0 + 2), CountRules(leave_window_ms=1)),  # stayed 1 ms: counts
    ]
    standings, counts = replay(events)
    assert counts[ALICE] == InviterCounts(inviter_id=ALICE, regular=2, left=1, fake=1)
    assert standings[50].fake and not standings[51].fake and not standings[51].present

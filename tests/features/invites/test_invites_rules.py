"""The operations invite attribution hands to the writer, pure: what one join, leave, bonus,
staff mapping or notice changes, and how a row read back becomes a record again."""

from __future__ import annotations

import pytest

from vouchy.core.errors import InvalidInput
from vouchy.features.invites import rules
from vouchy.features.invites.counts import (
    DAY_MS,
    BonusRecord,
    CountRules,
    CountsDelta,
    LeaveRecord,
    Standing,
)
from vouchy.features.invites.records import JoinRecord, join_reference, leave_reference
from vouchy.features.invites.staff import new_link
from vouchy.store.operations import Add, Delete, Insert, Patch, Put

GUILD, MEMBER, INVITER = 111, 5001, 7001
T0 = 1_761_921_045_000


def record(**changes: object) -> JoinRecord:
    values: dict[str, object] = {
        "join_id": join_reference(GUILD, MEMBER, T0),
        "guild_id": GUILD,
        "member_id": MEMBER,
        "member_name": "ann",
        "joined_at_ms": T0,
        "account_created_ms": T0 - 400 * DAY_MS,
        "cause": "ambiguous",
        "candidates": ("a", "b"),
        "how": "invites.how.ambiguous",
        "how_params": {"count": 2, "codes": "a, b"},
    }
    values.update(changes)
    return JoinRecord(**values)  # type: ignore[arg-type]


def test_a_join_is_one_operation_under_its_join_id_with_its_standing_counts_and_event() -> None:
    join = record(
        cause="code", code="abc", inviter_id=INVITER, candidates=(), how="invites.how.code"
    )
    standing = Standing(member_id=MEMBER, credited_inviter=INVITER, present=True)
    op = rules.join_op(
        join,
        event_no=4,
        standing=standing,
        delta=CountsDelta(inviter_id=INVITER, regular=1),
        fake_days=7,
        source="live",
        now_ms=T0 + 5,
        permission_told=False,
    )
    assert (op.reference, op.name, op.user_id) == (join.join_id, "invites.join", MEMBER)
    kinds = [(type(c), c.table) for c in op.changes]
    assert kinds == [
        (Insert, "invite_joins"),
        (Put, "invite_members"),
        (Add, "invite_counts"),
        (Patch, "invite_guilds"),
    ]
    add = op.changes[2]
    assert isinstance(add, Add) and (add.column, add.delta, add.low) == ("regular", 1, None)
    guild = op.changes[3]
    assert isinstance(guild, Patch) and guild.values == {"events": 4, "permission_told": 0}
    assert guild.create


def test_a_join_row_read_back_is_the_same_record() -> None:
    join = record()
    values = rules.join_values(join, event_no=1, fake_days=7, source="log", recorded_at=T0)
    row = {"guild_id": GUILD, "join_id": join.join_id, **values}
    assert rules.record_of(row) == join


def test_a_leave_names_the_join_it_ends_so_a_repeated_event_is_the_same_leave() -> None:
    assert leave_reference(GUILD, MEMBER, T0) == leave_reference(GUILD, MEMBER, T0)
    assert leave_reference(GUILD, MEMBER, T0) != leave_reference(GUILD, MEMBER, T0 + 1)
    assert leave_reference(GUILD, MEMBER, None).endswith(":0")
    leave = LeaveRecord(
        leave_id=leave_reference(GUILD, MEMBER, T0), guild_id=GUILD, member_id=MEMBER, left_at_ms=T0
    )
    op = rules.leave_op(
        leave,
        event_no=9,
        standing=Standing(member_id=MEMBER),
        delta=CountsDelta(inviter_id=INVITER, left=1),
        window_ms=None,
    )
    assert op.reference == leave.leave_id
    inserted = op.changes[0]
    assert isinstance(inserted, Insert) and inserted.values["window_ms"] is None


@pytest.mark.parametrize(
    ("amount", "reason"), [(0, ""), (100_001, ""), (-100_001, ""), (True, ""), (3, "x" * 201)]
)
def test_a_bonus_out_of_bounds_or_with_a_long_reason_is_refused(
    amount: object, reason: str
) -> None:
    bonus = BonusRecord(
        bonus_id="ix:1",
        guild_id=GUILD,
        inviter_id=INVITER,
        amount=amount,
        reason=reason,
        at_ms=T0,  # type: ignore[arg-type]
    )
    with pytest.raises(InvalidInput):
        rules.bonus_op(bonus, event_no=1)


def test_removing_a_mapping_that_is_not_there_is_refused_by_the_writer_with_its_key() -> None:
    op = rules.staff_remove_op(GUILD, "code:abc", "abc", "ix:2", INVITER)
    [delete] = op.changes
    assert isinstance(delete, Delete) and delete.must_exist
    assert (delete.refuse, delete.params) == ("invites.staff_not_mapped", {"key": "abc"})


def test_a_staff_mapping_keeps_its_referral_details() -> None:
    link = new_link(
        staff_id=9,
        code="discord.gg/abc",
        referral_link="https://r.example/x",
        referral_code="X1",
        staff_name="Travis",
    )
    [put] = rules.staff_set_op(GUILD, link, "ix:3", INVITER).changes
    assert isinstance(put, Put) and put.key == (GUILD, "code:abc")
    row = {**put.values, "guild_id": GUILD, "key": "code:abc"}
    assert rules.staff_link_of(row) == link


def test_the_missing_permission_is_told_in_the_log_channel_else_to_the_owner_else_nowhere() -> None:
    [post] = rules.permission_notice_effect("n", log_channel=5, owner_id=6)
    assert (post.kind, post.payload) == ("discord.post", {"channel_id": 5, "content": "n"})
    [dm] = rules.permission_notice_effect("n", log_channel=None, owner_id=6)
    assert (dm.kind, dm.payload) == ("discord.dm", {"user_id": 6, "content": "n"})
    assert rules.permission_notice_effect("n", log_channel=None, owner_id=None) == ()


def test_the_settings_become_count_rules_with_zero_days_meaning_every_leave_counts() -> None:
    assert rules.count_rules(rules.InvitesSettings()) == CountRules(
        fake_account_days=7, leave_window_ms=None
    )
    assert rules.count_rules(
        rules.InvitesSettings(fake_account_days=3, leave_window_days=2)
    ) == CountRules(fake_account_days=3, leave_window_ms=2 * DAY_MS)


def test_a_fix_rewrites_a_derived_row_or_removes_it_and_touches_nothing_else() -> None:
    [put] = rules.fix_changes(GUILD, rules.COUNTS, INVITER, {"regular": 1})
    assert isinstance(put, Put) and put.values == {"regular": 1}
    [delete] = rules.fix_changes(GUILD, rules.MEMBERS, MEMBER, None)
    assert isinstance(delete, Delete) and delete.key == (GUILD, MEMBER)
    assert rules.fix_changes(GUILD, rules.JOINS, MEMBER, {}) == []

"""From an XP change to the rows and side effects one operation holds, without a gateway."""

from __future__ import annotations

from typing import Any

from vouchy.features.levels.changes import (
    MISSING_MANAGE_ROLES,
    ROLE_ABOVE_BOT,
    game_changes,
    plan_credit,
    settle_changes,
    voice_log_changes,
)
from vouchy.features.levels.curve import MAX_XP
from vouchy.features.levels.rules import ONE_MESSAGE
from vouchy.features.levels.settings import ItemReward, LevelSettings, PointReward, RoleReward
from vouchy.features.levels.state import MemberXp
from vouchy.store.operations import Add, Expect, Insert, Move, Patch

G, U, CHANNEL = 10, 20, 30
R1, R2, R5 = 101, 102, 105
REWARDS = LevelSettings(
    role_rewards=[RoleReward(level=1, role_id=R1), RoleReward(level=2, role_id=R2)],
    rewards=[PointReward(level=2, points=500), ItemReward(level=2, item="crown")],
)


def state(xp: int = 0, level: int = 0, paid: set[str] | None = None) -> MemberXp:
    s = MemberXp()
    s.exists, s.xp, s.level, s.paid = xp > 0, xp, level, paid or set()
    return s


def plan(s: MemberXp, xp: int, settings: LevelSettings = REWARDS, **kw: Any) -> Any:
    defaults: dict[str, Any] = {
        "guild_id": G,
        "user_id": U,
        "reference": "levels:message:10:1",
        "source": "message",
        "now_ms": 1_000,
        "counters": ONE_MESSAGE,
        "member_role_ids": frozenset(),
        "spoke_in_channel_id": CHANNEL,
    }
    return plan_credit(state=s, xp=xp, settings=settings, **{**defaults, **kw})


def test_a_credit_is_a_compare_and_set_on_the_xp_the_row_its_counters_and_its_log_row() -> None:
    p = plan(state(40, 0), 20, row_values={"last_message_at": 5})
    expect, patch, messages, logged = p.changes
    assert isinstance(expect, Expect) and (expect.column, expect.value) == ("xp", 40)
    assert expect.refuse == "levels.stale" and not expect.missing_ok
    assert isinstance(patch, Patch) and patch.values == {"xp": 60, "level": 0, "last_message_at": 5}
    assert isinstance(messages, Add) and (messages.column, messages.delta) == ("messages", 1)
    assert isinstance(logged, Insert) and logged.key == (G, "levels:message:10:1")
    assert (logged.values["xp"], logged.values["messages"], logged.refuse) == (
        20,
        1,
        "levels.already_credited",
    )
    assert p.effects == () and p.moves == () and p.crossed == ()


def test_a_first_credit_may_find_no_row_and_xp_never_passes_its_bound() -> None:
    first = plan(state(), 15)
    assert first.changes[0].missing_ok  # type: ignore[union-attr]
    top = plan(state(MAX_XP - 5, 0), 20)
    assert top.xp_after == MAX_XP and top.changes[3].values["xp"] == 5  # type: ignore[union-attr]


def test_a_level_up_announces_gives_the_roles_and_the_rewards_in_the_same_operation() -> None:
    p = plan(state(250, 1), 30, member_role_ids=frozenset({R1}))
    assert (p.level_before, p.level_after, p.crossed) == (1, 2, (2,))
    kinds = [(e.kind, e.payload.get("role_id")) for e in p.effects]
    assert kinds == [("discord.post", None), ("discord.add_role", R2)]
    assert p.effects[0].payload == {
        "channel_id": CHANNEL,
        "content": f"GG <@{U}>, you reached level 2!",
        "user_mentions": [U],
    }
    assert p.moves == (Move(user_id=U, kind="level_reward", delta=500, reason="level 2 reward"),)
    rewards = {c.key[2]: c.values for c in p.changes if isinstance(c, Insert) and len(c.key) == 3}
    assert rewards["2:points"]["status"] == "paid" and rewards["2:item:crown"]["status"] == "due"


def test_a_reward_given_before_is_not_given_again() -> None:
    p = plan(state(250, 1, paid={"2:points", "2:item:crown"}), 30)
    assert p.crossed == (2,) and p.moves == () and p.rewards == ()


def test_roles_the_bot_cannot_manage_are_not_attempted_but_listed_once() -> None:
    def problem(role: int) -> str | None:
        return ROLE_ABOVE_BOT if role == R2 else MISSING_MANAGE_ROLES

    p = plan(state(0, 0), 300, role_problem=problem)
    assert [e.kind for e in p.effects] == ["discord.post"]
    assert p.blocked == ((MISSING_MANAGE_ROLES, 0), (ROLE_ABOVE_BOT, R2))


def test_without_the_members_roles_only_what_the_level_moved_is_changed() -> None:
    replacing = LevelSettings(
        role_rewards=[RoleReward(level=1, role_id=R1), RoleReward(level=5, role_id=R5)],
        stack_roles=False,
    )
    p = plan(state(1_100, 4), 100, replacing, member_role_ids=None)
    changes = sorted((e.kind, e.payload["role_id"]) for e in p.effects if "role_id" in e.payload)
    assert changes == [("discord.add_role", R5), ("discord.remove_role", R1)]


def test_an_admin_change_re_evaluates_roles_even_when_the_level_stays() -> None:
    p = plan(
        state(150, 1),
        10,
        member_role_ids=frozenset(),
        source="admin",
        announce=False,
        always_roles=True,
    )
    assert [(e.kind, e.payload["role_id"]) for e in p.effects] == [("discord.add_role", R1)]


def test_a_games_xp_waits_as_pending_with_its_log_row_and_is_folded_in_by_the_owner() -> None:
    changes = game_changes(
        guild_id=G, user_id=U, reference="levels:game:10:7:20", xp=15, now_ms=1, channel_id=CHANNEL
    )
    pending, logged, where = changes
    assert isinstance(pending, Add) and (pending.column, pending.delta) == ("pending_xp", 15)
    assert isinstance(logged, Insert) and logged.values["source"] == "game"
    assert isinstance(where, Patch) and where.values == {"pending_channel_id": CHANNEL}
    assert game_changes(guild_id=G, user_id=U, reference="r", xp=0, now_ms=1) == ()
    take, clear = settle_changes(G, U, 15)
    assert isinstance(take, Add) and (take.delta, take.low) == (-15, 0)


def test_a_voice_sessions_credits_add_up_in_one_log_row() -> None:
    first, xp, seconds = voice_log_changes(
        guild_id=G, user_id=U, session_at=123, xp=30, seconds=180, now_ms=9
    )
    assert isinstance(first, Patch) and first.create and first.key == (G, "levels:voice:10:20:123")
    assert isinstance(xp, Add) and isinstance(seconds, Add) and seconds.delta == 180
    assert voice_log_changes(guild_id=G, user_id=U, session_at=1, xp=0, seconds=0, now_ms=9) == ()

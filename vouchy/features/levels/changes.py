"""From a change of a member's XP to the rows and side effects that record it: pure.

``plan_credit`` takes the member's committed row (``MemberXp``), the XP to add (negative for
an admin's removal) and what caused it, and returns everything one operation must hold,
applied together or not at all: the member's row (the new XP, the level it reaches, the
counters), the log row that names the cause (refused when the cause was credited before), the
rewards newly due (a ``level_reward`` ledger move for points, a ``due`` row for an item), and
the side effects for the outbox (the announcement, the level roles to add and remove). Roles
the bot cannot manage are not attempted: they are returned as ``blocked``, for the caller to
report to the guild's admins once.

The row is written with a compare-and-set on the XP the plan started from, so a plan made
from a value another owner changed meanwhile is refused (``levels.stale``) instead of
applied; counters move by bounded ``Add`` so that they never lose a concurrent repair.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

import msgspec

from vouchy.features.levels.curve import MAX_XP, level_for_xp
from vouchy.features.levels.levelups import (
    LevelUp,
    RoleChanges,
    after_xp_change,
    level_roles,
    role_changes,
)
from vouchy.features.levels.rules import Counters
from vouchy.features.levels.settings import LevelSettings, PointReward, Reward
from vouchy.features.levels.state import MemberXp
from vouchy.features.levels.tables import LOG, MEMBERS, REWARDS
from vouchy.store.operations import Add, Change, Effect, Expect, Insert, Move, Patch

NO_COUNTERS = Counters()

# Why a role cannot be given or taken (reported to the guild's admins once).
MISSING_MANAGE_ROLES = "missing_manage_roles"
ROLE_ABOVE_BOT = "role_above_bot"

RoleProblem = Callable[[int], "str | None"]


def _no_problem(_role_id: int) -> str | None:
    return None


class CreditPlan(msgspec.Struct, frozen=True, kw_only=True):
    """What one XP change writes and sets off."""

    xp_before: int
    xp_after: int
    level_before: int
    level_after: int
    crossed: tuple[int, ...]
    changes: tuple[Change, ...]
    moves: tuple[Move, ...] = ()
    effects: tuple[Effect, ...] = ()
    rewards: tuple[Reward, ...] = ()
    roles: RoleChanges = RoleChanges()
    blocked: tuple[tuple[str, int], ...] = ()  # (problem, role id) not attempted

    @property
    def delta(self) -> int:
        return self.xp_after - self.xp_before


def member_key(guild_id: int, user_id: int) -> tuple[int, int]:
    return (guild_id, user_id)


def log_values(
    *,
    user_id: int,
    source: str,
    xp: int,
    counters: Counters,
    now_ms: int,
    acting_user_id: int | None = None,
    reason: str = "",
) -> dict[str, Any]:
    return {
        "user_id": user_id,
        "source": source,
        "xp": xp,
        "messages": counters.messages,
        "voice_seconds": counters.voice_seconds,
        "reactions": counters.reactions_received,
        "acting_user_id": acting_user_id,
        "reason": reason,
        "created_at": now_ms,
    }


def counter_changes(guild_id: int, user_id: int, counters: Counters) -> list[Change]:
    key = member_key(guild_id, user_id)
    found: list[Change] = []
    for column, delta in (
        ("messages", counters.messages),
        ("voice_seconds", counters.voice_seconds),
        ("reactions_received", counters.reactions_received),
    ):
        if delta:
            found.append(Add(table=MEMBERS, key=key, column=column, delta=delta))
    return found


def role_effects(
    guild_id: int,
    user_id: int,
    roles: RoleChanges,
    level: int,
    role_problem: RoleProblem = _no_problem,
) -> tuple[list[Effect], list[tuple[str, int]]]:
    """The outbox effects that bring a member's level roles in line, and the roles the bot
    cannot manage (not attempted). Sorted, so the same change always reads the same."""
    effects: list[Effect] = []
    blocked: list[tuple[str, int]] = []
    for kind, role_ids in (("discord.add_role", roles.add), ("discord.remove_role", roles.remove)):
        for role_id in sorted(role_ids):
            problem = role_problem(role_id)
            if problem is not None:
                blocked.append((problem, 0 if problem == MISSING_MANAGE_ROLES else role_id))
                continue
            payload = {
                "guild_id": guild_id,
                "user_id": user_id,
                "role_id": role_id,
                "reason": f"level {level}",
            }
            effects.append(Effect(kind=kind, payload=payload))
    return effects, sorted(set(blocked))


def held_roles(
    member_role_ids: Collection[int] | None, level_before: int, settings: LevelSettings
) -> Collection[int]:
    """The member's roles; when Discord did not say, the level roles of their old level
    (what Vouchy gave them), so a change adds and removes only what the level moved."""
    if member_role_ids is not None:
        return member_role_ids
    return level_roles(level_before, settings.role_rewards, settings.stack_roles)


# (item, quantity, reward key) -> the changes that put the item in the member's inventory.
GrantItem = Callable[[str, int, str], Sequence[Change]]


def reward_changes(
    guild_id: int,
    user_id: int,
    rewards: Sequence[Reward],
    now_ms: int,
    grant_item: GrantItem | None = None,
) -> tuple[list[Change], list[Move]]:
    """A row per reward (refused if it was ever given: once per member, ever), a
    ``level_reward`` ledger move per point reward, and an item reward's item in the
    inventory with ``grant_item`` (its row then says ``delivered``; without, ``due``)."""
    changes: list[Change] = []
    moves: list[Move] = []
    for reward in rewards:
        values: dict[str, Any] = {
            "level": reward.level,
            "created_at": now_ms,
            "updated_at": now_ms,
        }
        if isinstance(reward, PointReward):
            values.update(kind="points", points=reward.points, status="paid")
            moves.append(
                Move(
                    user_id=user_id,
                    kind="level_reward",
                    delta=reward.points,
                    reason=f"level {reward.level} reward",
                )
            )
        else:
            status = "due" if grant_item is None else "delivered"
            values.update(kind="item", item=reward.item, quantity=reward.quantity, status=status)
        changes.append(
            Insert(
                table=REWARDS,
                key=(guild_id, user_id, reward.key),
                values=values,
                refuse="levels.reward_given",
            )
        )
        if grant_item is not None and not isinstance(reward, PointReward):
            changes.extend(grant_item(reward.item, reward.quantity, reward.key))
    return changes, moves


def plan_credit(
    *,
    guild_id: int,
    user_id: int,
    state: MemberXp,
    xp: int,
    settings: LevelSettings,
    reference: str,
    source: str,
    now_ms: int,
    counters: Counters = NO_COUNTERS,
    row_values: Mapping[str, Any] | None = None,
    log: bool = True,
    guards: Sequence[Change] = (),
    extra: Sequence[Change] = (),
    member_role_ids: Collection[int] | None = None,
    spoke_in_channel_id: int | None = None,
    locale: str = "en",
    announce: bool = True,
    rewards: bool = True,
    always_roles: bool = False,
    role_problem: RoleProblem = _no_problem,
    grant_item: GrantItem | None = None,
    acting_user_id: int | None = None,
    reason: str = "",
) -> CreditPlan:
    """Everything one change of ``xp`` (and ``counters``) to a member writes and sets off.

    ``row_values``: other columns of the member's row to set with it (the cooldown, the voice
    session). ``log``: write the log row named ``reference`` (refused, and so the whole
    change, when that cause was credited before); False when the caller logs it its own way.
    ``guards``: preconditions checked before anything is written (a voice step's segment);
    ``extra``: more changes for the same operation. ``always_roles``: re-evaluate the level
    roles even when the level did not move (an admin's change). ``announce``, ``rewards``:
    False when the change is no level-up of the member's doing (an admin's, a new curve)."""
    # Invariant: 0 <= XP <= MAX_XP, the stored level is the curve's level of the stored XP,
    # and the log row records exactly the change applied (so XP == the sum of the log).
    curve = settings.curve
    xp_after = min(MAX_XP, max(0, state.xp + xp))
    applied = xp_after - state.xp
    level_after = level_for_xp(xp_after, curve)
    key = member_key(guild_id, user_id)
    held = held_roles(member_role_ids, state.level, settings)
    up: LevelUp = after_xp_change(
        member_id=user_id,
        xp_before=state.xp,
        xp_after=xp_after,
        member_role_ids=held,
        paid=state.paid,
        settings=settings,
        spoke_in_channel_id=spoke_in_channel_id,
        locale=locale,
    )
    # The level the row says, not the curve's level of its XP: a level stored wrong (the
    # curve changed, a repair pending) is put right by the next change.
    crossed = tuple(level for level in up.crossed if level > state.level)
    if always_roles or level_after != state.level:
        roles = role_changes(level_after, held, settings)
    else:
        roles = RoleChanges()
    changes: list[Change] = [
        *guards,
        Expect(
            table=MEMBERS,
            key=key,
            column="xp",
            value=state.xp,
            missing_ok=not state.exists,
            refuse="levels.stale",
        ),
        Patch(
            table=MEMBERS,
            key=key,
            values={"xp": xp_after, "level": level_after, **(row_values or {})},
            create=True,
        ),
        *counter_changes(guild_id, user_id, counters),
    ]
    if log:
        changes.append(
            Insert(
                table=LOG,
                key=(guild_id, reference),
                values=log_values(
                    user_id=user_id,
                    source=source,
                    xp=applied,
                    counters=counters,
                    now_ms=now_ms,
                    acting_user_id=acting_user_id,
                    reason=reason,
                ),
                refuse="levels.already_credited",
            )
        )
    given = tuple(r for r in up.rewards if r.level in crossed) if rewards else ()
    reward_rows, moves = reward_changes(guild_id, user_id, given, now_ms, grant_item)
    changes += reward_rows
    changes += extra
    effects: list[Effect] = []
    if announce and crossed and up.announcement is not None:
        a = up.announcement
        effects.append(
            Effect(
                kind="discord.post",
                payload={
                    "channel_id": a.channel_id,
                    "content": a.content,
                    "user_mentions": list(a.mention_user_ids),
                },
            )
        )
    role_posts, blocked = role_effects(guild_id, user_id, roles, level_after, role_problem)
    effects += role_posts
    return CreditPlan(
        xp_before=state.xp,
        xp_after=xp_after,
        level_before=state.level,
        level_after=level_after,
        crossed=crossed,
        changes=tuple(changes),
        moves=tuple(moves),
        effects=tuple(effects),
        rewards=given,
        roles=roles,
        blocked=tuple(blocked),
    )


def game_changes(
    *,
    guild_id: int,
    user_id: int,
    reference: str,
    xp: int,
    now_ms: int,
    channel_id: int | None = None,
) -> tuple[Change, ...]:
    """A game's XP as changes for the game's own operation: the XP waits in the member's
    ``pending_xp`` (added, never set, so it commutes with anything else the member does)
    and its log row names the game. The member's owner folds it into their XP right after
    the commit (``plan_credit`` with ``settle_changes``), with the level-up that follows."""
    # Invariant: the log row and the pending XP are written together, so XP + pending XP
    # always equals the sum of the member's log.
    if xp <= 0:
        return ()
    key = member_key(guild_id, user_id)
    found: list[Change] = [
        Add(table=MEMBERS, key=key, column="pending_xp", delta=xp, low=0, high=MAX_XP),
        Insert(
            table=LOG,
            key=(guild_id, reference),
            values=log_values(
                user_id=user_id, source="game", xp=xp, counters=NO_COUNTERS, now_ms=now_ms
            ),
            refuse="levels.already_credited",
        ),
    ]
    if channel_id is not None:
        found.append(Patch(table=MEMBERS, key=key, values={"pending_channel_id": channel_id}))
    return tuple(found)


def settle_changes(guild_id: int, user_id: int, pending: int) -> tuple[Change, ...]:
    """Take ``pending`` XP out of the member's pending XP (refused if it is not there)."""
    key = member_key(guild_id, user_id)
    return (
        Add(
            table=MEMBERS,
            key=key,
            column="pending_xp",
            delta=-pending,
            low=0,
            refuse="levels.stale",
        ),
        Patch(table=MEMBERS, key=key, values={"pending_channel_id": None}),
    )


def voice_log_changes(
    *, guild_id: int, user_id: int, session_at: int, xp: int, seconds: int, now_ms: int
) -> tuple[Change, ...]:
    """One log row per voice session, added to at each credit (its reference names the
    session by when it opened)."""
    if xp == 0 and seconds == 0:
        return ()
    key = (guild_id, reference_voice_session(guild_id, user_id, session_at))
    found: list[Change] = [
        Patch(
            table=LOG,
            key=key,
            values={"user_id": user_id, "source": "voice", "created_at": now_ms},
            create=True,
        )
    ]
    if xp:
        found.append(Add(table=LOG, key=key, column="xp", delta=xp))
    if seconds:
        found.append(Add(table=LOG, key=key, column="voice_seconds", delta=seconds))
    return tuple(found)


def reference_voice_session(guild_id: int, user_id: int, session_at: int) -> str:
    return f"levels:voice:{guild_id}:{user_id}:{session_at}"

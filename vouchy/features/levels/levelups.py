"""What a change of XP means for a member: levels crossed, the announcement, the level roles
to add and remove, and the item and point rewards now due.

All pure: the caller writes the XP change, the rewards paid and the outbox rows (announcement,
role changes) in one transaction, so each side effect happens once, after the commit. Level
roles are a function of the level alone (``level_roles``), which is what makes
``/admin levels sync-roles``, admin XP changes and a rejoin give the same answer as a level-up.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

import msgspec

from vouchy.core import i18n
from vouchy.features.levels.curve import MEE6, Curve, level_for_xp
from vouchy.features.levels.settings import LevelSettings, Reward, RoleReward


def levels_crossed(xp_before: int, xp_after: int, curve: Curve = MEE6) -> list[int]:
    """The levels newly reached going from ``xp_before`` to ``xp_after``, lowest first; empty
    when the level did not rise (XP removed, or still inside the same level)."""
    before, after = level_for_xp(xp_before, curve), level_for_xp(xp_after, curve)
    return list(range(before + 1, after + 1))


# @everyone, @here and role mentions ping many people: an admin-written template must not.
_MASS_MENTION = re.compile(r"@(everyone|here)", re.IGNORECASE)
_ROLE_MENTION = re.compile(r"<@&(\d*)>")
_ZWSP = "\u200b"


def neutralise_mentions(content: str) -> str:
    """``@everyone``, ``@here`` and ``<@&role>`` made inert (a zero-width space after ``@``),
    so they read the same but ping nobody. Member mentions ``<@id>`` are left as they are."""
    content = _MASS_MENTION.sub(lambda m: "@" + _ZWSP + m.group(1), content)
    return _ROLE_MENTION.sub(lambda m: "<@" + _ZWSP + "&" + m.group(1) + ">", content)


def announcement_text(template: str, member_id: int, level: int, locale: str = "en") -> str:
    """The level-up message: ``{member}`` becomes the member's mention, ``{level}`` the level
    (grouped for the locale); an empty template is Vouchy's own text in ``locale``. Only those
    two placeholders are filled; any other brace is shown as written. Mass and role mentions
    are neutralised whoever wrote them."""
    # Invariant: the result never pings @everyone, @here or a role.
    if not template.strip():
        template = i18n.text("levels.levelup.default", locale)
    text = template.replace("{member}", f"<@{member_id}>").replace(
        "{level}", i18n.number(level, locale)
    )
    return neutralise_mentions(text)


class Announcement(msgspec.Struct, frozen=True, kw_only=True):
    """A level-up message to post (through the outbox)."""

    channel_id: int
    content: str
    mention_user_ids: tuple[int, ...]  # the only mentions allowed to ping


def announcement(
    settings: LevelSettings,
    member_id: int,
    level: int,
    spoke_in_channel_id: int | None,
    locale: str = "en",
) -> Announcement | None:
    """The announcement for reaching ``level``, or None when announcements are off or there is
    nowhere to post (no channel set and the XP did not come from a channel: voice, an admin)."""
    if not settings.announce:
        return None
    channel = settings.announce_channel_id or spoke_in_channel_id
    if channel is None:
        return None
    return Announcement(
        channel_id=channel,
        content=announcement_text(settings.announce_template, member_id, level, locale),
        mention_user_ids=(member_id,),
    )


class RoleChanges(msgspec.Struct, frozen=True, kw_only=True):
    """Reward roles to add to and remove from a member."""

    add: frozenset[int] = frozenset()
    remove: frozenset[int] = frozenset()

    @property
    def empty(self) -> bool:
        return not self.add and not self.remove


def level_roles(level: int, rewards: Iterable[RoleReward], stack: bool) -> frozenset[int]:
    """The reward roles a member at ``level`` should hold: stacked, every reward role up to
    the level; replacing, only the roles of the highest reward level reached."""
    reached = [r for r in rewards if r.level <= level]
    if not stack and reached:
        top = max(r.level for r in reached)
        reached = [r for r in reached if r.level == top]
    return frozenset(r.role_id for r in reached)


def role_changes(
    level: int, member_role_ids: Collection[int], settings: LevelSettings
) -> RoleChanges:
    """What brings a member's reward roles in line with their level: the missing ones to add,
    and the reward roles they hold but should not (above their level, or replaced) to remove.
    Roles that are not rewards are never touched."""
    # Invariant: after applying the changes, member roles ∩ reward roles == level_roles(level).
    target = level_roles(level, settings.role_rewards, settings.stack_roles)
    reward_roles = {r.role_id for r in settings.role_rewards}
    held = set(member_role_ids)
    return RoleChanges(
        add=frozenset(target - held),
        remove=frozenset((held & reward_roles) - target),
    )


def rejoin_roles(level: int, settings: LevelSettings) -> RoleChanges:
    """The level roles to give back to a member who rejoins (nothing if the guild said no)."""
    if not settings.restore_roles_on_rejoin:
        return RoleChanges()
    return RoleChanges(add=level_roles(level, settings.role_rewards, settings.stack_roles))


def rewards_due(
    levels: Iterable[int], rewards: Iterable[Reward], paid: Collection[str]
) -> list[Reward]:
    """The item and point rewards of the levels just crossed that this member was never paid
    (``paid``: the keys of the rewards paid to them, ever). A level lost and reached again
    pays nothing the second time. Rewards of levels not crossed now (a reward added for a
    level the member passed long ago) are not paid here."""
    # Invariant: a reward key is paid at most once per member.
    crossed = set(levels)
    due: list[Reward] = []
    keys = set(paid)
    for reward in rewards:
        if reward.level in crossed and reward.key not in keys:
            due.append(reward)
            keys.add(reward.key)
    return sorted(due, key=lambda r: (r.level, r.key))


class LevelUp(msgspec.Struct, frozen=True, kw_only=True):
    """Everything an XP change sets off, worked out in one place."""

    level_before: int
    level_after: int
    crossed: tuple[int, ...]
    announcement: Announcement | None
    roles: RoleChanges
    rewards: tuple[Reward, ...]


def after_xp_change(
    *,
    member_id: int,
    xp_before: int,
    xp_after: int,
    member_role_ids: Collection[int],
    paid: Collection[str],
    settings: LevelSettings,
    spoke_in_channel_id: int | None = None,
    locale: str = "en",
) -> LevelUp:
    """The consequences of one XP change (earned, or an admin's add, remove, set or reset):
    one announcement for the highest level reached (several levels crossed at once make one
    message), the level roles re-evaluated whenever the level moved either way, and the
    rewards due for the levels crossed."""
    before = level_for_xp(xp_before, settings.curve)
    after = level_for_xp(xp_after, settings.curve)
    crossed = tuple(range(before + 1, after + 1))
    return LevelUp(
        level_before=before,
        level_after=after,
        crossed=crossed,
        announcement=(
            announcement(settings, member_id, after, spoke_in_channel_id, locale)
            if crossed
            else None
        ),
        roles=(
            role_changes(after, member_role_ids, settings) if after != before else RoleChanges()
        ),
        rewards=tuple(rewards_due(crossed, settings.rewards, paid)),
    )

"""Level-ups: levels crossed, the announcement, level roles stacked or replaced, and rewards
paid once per member, ever."""

from vouchy.features.levels.curve import xp_for_level
from vouchy.features.levels.levelups import (
    after_xp_change,
    announcement,
    announcement_text,
    level_roles,
    levels_crossed,
    neutralise_mentions,
    rejoin_roles,
    rewards_due,
    role_changes,
)
from vouchy.features.levels.settings import (
    ItemReward,
    LevelSettings,
    PointReward,
    RoleReward,
)

MEMBER = 424242424242424242
ROLES = (
    RoleReward(level=5, role_id=105),
    RoleReward(level=10, role_id=110),
    RoleReward(level=10, role_id=1102),
    RoleReward(level=20, role_id=120),
)
STACKED = LevelSettings(role_rewards=ROLES, stack_roles=True)
REPLACING = LevelSettings(role_rewards=ROLES, stack_roles=False)
REWARDS = (
    PointReward(level=2, points=100),
    ItemReward(level=3, item="jackpot", quantity=1),
    PointReward(level=3, points=250),
)


def test_crossing_several_levels_at_once_lists_each_of_them():
    assert levels_crossed(0, xp_for_level(4)) == [1, 2, 3, 4]
    assert levels_crossed(xp_for_level(2), xp_for_level(3) - 1) == []
    assert levels_crossed(xp_for_level(5), 0) == []


def test_one_announcement_names_the_highest_level_reached():
    up = after_xp_change(
        member_id=MEMBER,
        xp_before=0,
        xp_after=xp_for_level(4) + 3,
        member_role_ids=(),
        paid=(),
        settings=LevelSettings(),
        spoke_in_channel_id=77,
    )
    assert up.crossed == (1, 2, 3, 4) and up.level_after == 4
    assert up.announcement is not None
    assert up.announcement.channel_id == 77
    assert up.announcement.content == f"GG <@{MEMBER}>, you reached level 4!"
    assert up.announcement.mention_user_ids == (MEMBER,)


def test_the_announcement_goes_to_the_configured_channel_or_nowhere_when_off():
    settings = LevelSettings(announce_channel_id=88)
    assert announcement(settings, MEMBER, 3, 77).channel_id == 88
    assert announcement(LevelSettings(announce=False), MEMBER, 3, 77) is None
    assert announcement(LevelSettings(), MEMBER, 3, None) is None  # voice, no channel set


def test_the_default_message_is_in_the_guilds_language():
    assert announcement_text("", MEMBER, 1200, "fr") == (
        f"GG <@{MEMBER}>, tu passes au niveau 1\u202f200 !"
    )


def test_an_admin_template_fills_member_and_level_and_nothing_else():
    text = announcement_text("{member} is now {level}! {user.__class__} {0}", MEMBER, 7)
    assert text == f"<@{MEMBER}> is now 7! {{user.__class__}} {{0}}"


def test_an_admin_template_never_pings_everyone_here_or_a_role():
    text = announcement_text("@everyone @HERE <@&123> {member} hit {level}", MEMBER, 3)
    assert "@everyone" not in text and "@HERE" not in text and "<@&123>" not in text
    assert f"<@{MEMBER}>" in text and "\u200b" in text
    assert announcement_text("<@&{level}>", MEMBER, 5) == "<@\u200b&5>"
    assert neutralise_mentions(neutralise_mentions("@here")) == neutralise_mentions("@here")


def test_stacked_roles_keep_every_reward_up_to_the_level():
    assert level_roles(4, ROLES, stack=True) == frozenset()
    assert level_roles(12, ROLES, stack=True) == {105, 110, 1102}
    assert level_roles(25, ROLES, stack=True) == {105, 110, 1102, 120}


def test_replacing_roles_keep_only_the_highest_reward_reached():
    assert level_roles(12, ROLES, stack=False) == {110, 1102}
    assert level_roles(25, ROLES, stack=False) == {120}


def test_role_changes_bring_reward_roles_in_line_and_leave_other_roles_alone():
    changes = role_changes(12, {105, 999}, REPLACING)
    assert changes.add == {110, 1102} and changes.remove == {105}
    assert role_changes(12, {105, 110, 1102, 999}, STACKED).empty


def test_losing_levels_takes_back_the_roles_above_the_new_level():
    changes = role_changes(6, {105, 110, 1102, 120}, STACKED)
    assert changes.add == frozenset() and changes.remove == {110, 1102, 120}


def test_an_admin_change_that_lowers_the_level_re_evaluates_roles_without_announcing():
    down = after_xp_change(
        member_id=MEMBER,
        xp_before=xp_for_level(12),
        xp_after=xp_for_level(7),
        member_role_ids={105, 110, 1102},
        paid=(),
        settings=STACKED,
    )
    assert down.announcement is None and down.crossed == ()
    assert down.roles.remove == {110, 1102} and down.rewards == ()


def test_a_rejoining_member_gets_their_level_roles_back_unless_the_guild_said_no():
    assert rejoin_roles(12, STACKED).add == {105, 110, 1102}
    off = LevelSettings(role_rewards=ROLES, restore_roles_on_rejoin=False)
    assert rejoin_roles(12, off).empty


def test_rewards_of_the_levels_crossed_are_due():
    due = rewards_due([1, 2, 3], REWARDS, paid=())
    assert [r.key for r in due] == ["2:points", "3:item:jackpot", "3:points"]


def test_a_reward_is_paid_once_even_when_xp_is_removed_and_earned_again():
    settings = LevelSettings(rewards=REWARDS)
    first = after_xp_change(
        member_id=MEMBER,
        xp_before=0,
        xp_after=xp_for_level(3),
        member_role_ids=(),
        paid=(),
        settings=settings,
    )
    paid = {r.key for r in first.rewards}
    assert paid == {"2:points", "3:item:jackpot", "3:points"}
    # An admin resets the member; they earn their way back to level 3.
    again = after_xp_change(
        member_id=MEMBER,
        xp_before=0,
        xp_after=xp_for_level(3),
        member_role_ids=(),
        paid=paid,
        settings=settings,
    )
    assert again.crossed == (1, 2, 3) and again.rewards == ()


def test_a_reward_added_later_for_a_level_already_passed_is_not_paid_retroactively():
    assert rewards_due([6], REWARDS, paid=()) == []

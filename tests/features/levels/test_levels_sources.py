"""Who earns XP from messages, reactions and games, and how much."""

import random

import pytest

from vouchy.core.errors import InvalidInput
from vouchy.features.levels.curve import MAX_XP
from vouchy.features.levels.rules import (
    Counters,
    MessageFacts,
    admin_change,
    apply_multiplier,
    game_decision,
    in_cooldown,
    message_decision,
    multiplier_percent,
    reaction_decision,
    reaction_removed,
    reference_message,
    reference_reaction,
)
from vouchy.features.levels.settings import LevelSettings, Multiplier


def mult(percents: dict[int, int]) -> list[Multiplier]:
    return [Multiplier(id=k, percent=v) for k, v in percents.items()]


GUILD, CHANNEL, AUTHOR = 1000, 2000, 3000
S = LevelSettings()


def message(**changes):
    facts = dict(guild_id=GUILD, channel_id=CHANNEL, author_id=AUTHOR, created_at_ms=1_000_000)
    facts.update(changes)
    return MessageFacts(**facts)


def rng(seed=7):
    return random.Random(seed)


# ---- messages ----


def test_a_first_message_earns_an_amount_in_the_guilds_range():
    amounts = {message_decision(message(), None, S, rng(seed)).xp for seed in range(300)}
    assert amounts <= set(range(15, 26))
    assert min(amounts) == 15 and max(amounts) == 25


def test_the_amount_is_reproducible_from_the_random_source():
    first = message_decision(message(), None, S, rng(42))
    again = message_decision(message(), None, S, rng(42))
    assert first == again and first.earned


def test_a_message_inside_the_cooldown_earns_nothing():
    last = 1_000_000
    decision = message_decision(message(created_at_ms=last + 59_999), last, S, rng())
    assert decision.xp == 0 and decision.skip == "cooldown"


def test_a_message_exactly_one_cooldown_later_earns_again():
    last = 1_000_000
    assert message_decision(message(created_at_ms=last + 60_000), last, S, rng()).earned
    assert not in_cooldown(last, last + 60_000, S)
    assert in_cooldown(last, last + 59_999, S)


def test_the_cooldown_follows_the_guilds_setting():
    slow = LevelSettings(message_cooldown_s=300)
    assert in_cooldown(0, 299_999, slow) and not in_cooldown(0, 300_000, slow)
    assert not in_cooldown(0, 0, LevelSettings(message_cooldown_s=0))


def test_a_clock_that_went_back_keeps_the_member_in_cooldown():
    assert in_cooldown(1_000_000, 900_000, S)


def test_a_skipped_message_does_not_consume_the_random_source():
    source = rng(1)
    state = source.getstate()
    message_decision(message(created_at_ms=10), 0, S, source)  # in cooldown
    message_decision(message(author_is_bot=True), None, S, source)
    assert source.getstate() == state


@pytest.mark.parametrize(
    ("facts", "skip"),
    [
        (dict(guild_id=None), "dm"),
        (dict(author_is_bot=True), "bot"),
        (dict(webhook_id=99, author_is_bot=True), "webhook"),
        (dict(webhook_id=99), "webhook"),
    ],
)
def test_bots_webhooks_and_direct_messages_earn_nothing(facts, skip):
    decision = message_decision(message(**facts), None, S, rng())
    assert decision.xp == 0 and decision.skip == skip


def test_a_no_xp_channel_earns_nothing_nor_do_its_threads_or_its_category():
    settings = LevelSettings(no_xp_channels=[CHANNEL, 555])
    assert message_decision(message(), None, settings, rng()).skip == "no_xp_channel"
    thread = message(channel_id=777, parent_ids=(CHANNEL,))
    assert message_decision(thread, None, settings, rng()).skip == "no_xp_channel"
    in_category = message(channel_id=778, parent_ids=(555,))
    assert message_decision(in_category, None, settings, rng()).skip == "no_xp_channel"
    assert message_decision(message(channel_id=779), None, settings, rng()).earned


def test_a_member_with_a_no_xp_role_earns_nothing():
    settings = LevelSettings(no_xp_roles=[66])
    muted = message(role_ids=frozenset({5, 66}))
    assert message_decision(muted, None, settings, rng()).skip == "no_xp_role"
    assert message_decision(message(role_ids=frozenset({5})), None, settings, rng()).earned


# ---- multipliers ----


def test_the_highest_multiplier_applies_and_they_never_stack():
    settings = LevelSettings(
        role_multipliers=mult({10: 150, 11: 200}), channel_multipliers=mult({CHANNEL: 300, 12: 50})
    )
    assert multiplier_percent(settings, {10, 11}, ()) == 200
    assert multiplier_percent(settings, {10, 11}, (CHANNEL,)) == 300
    assert multiplier_percent(settings, {10}, (12,)) == 150
    assert multiplier_percent(settings, (), (12,)) == 50
    assert multiplier_percent(settings, {99}, (98,)) == 100


def test_a_multiplied_amount_is_rounded_half_up():
    assert apply_multiplier(15, 150) == 23  # 22.5
    assert apply_multiplier(25, 150) == 38  # 37.5
    assert apply_multiplier(21, 133) == 28  # 27.93
    assert apply_multiplier(20, 100) == 20
    assert apply_multiplier(20, 0) == 0


def test_a_message_earns_its_amount_times_the_highest_multiplier():
    settings = LevelSettings(
        message_xp_min=20, message_xp_max=20, role_multipliers=mult({10: 150, 11: 300})
    )
    facts = message(role_ids=frozenset({10, 11}))
    assert message_decision(facts, None, settings, rng()).xp == 60


def test_a_zero_multiplier_earns_nothing_and_says_so():
    settings = LevelSettings(channel_multipliers=mult({CHANNEL: 0}))
    decision = message_decision(message(), None, settings, rng())
    assert decision.xp == 0 and decision.skip == "zero"


# ---- reactions ----


def react(**changes):
    facts = dict(
        guild_id=GUILD,
        channel_id=CHANNEL,
        reactor_id=4000,
        reactor_is_bot=False,
        author_id=AUTHOR,
        author_is_bot=False,
        already_credited=False,
        settings=S,
    )
    facts.update(changes)
    return reaction_decision(**facts)


def test_a_reaction_gives_the_author_the_guilds_amount():
    assert react().xp == 2
    assert react(settings=LevelSettings(reaction_xp=5)).xp == 5


def test_a_reaction_pair_already_credited_earns_nothing_again():
    assert react(already_credited=True).skip == "already_credited"


def test_removing_a_reaction_and_adding_it_again_mints_nothing():
    first = react()
    removed = reaction_removed()
    again = react(already_credited=True)  # the pair stays credited after the removal
    assert first.xp == 2 and removed.xp == 0 and again.xp == 0


def test_the_reaction_reference_is_one_per_member_and_message_whatever_the_emoji():
    assert reference_reaction(GUILD, 55, 4000) == reference_reaction(GUILD, 55, 4000)
    assert reference_reaction(GUILD, 55, 4000) != reference_reaction(GUILD, 55, 4001)
    assert reference_reaction(GUILD, 55, 4000) != reference_reaction(GUILD, 56, 4000)
    assert reference_message(GUILD, 55) != reference_message(GUILD, 56)


def test_reacting_to_ones_own_message_earns_nothing():
    assert react(reactor_id=AUTHOR).skip == "own_message"


def test_bots_neither_give_nor_receive_reaction_xp():
    assert react(reactor_is_bot=True).skip == "bot"
    assert react(author_is_bot=True).skip == "bot"
    assert react(webhook_id=9, author_is_bot=True).skip == "webhook"


def test_reactions_follow_no_xp_channels_and_roles_and_multipliers():
    assert react(settings=LevelSettings(no_xp_channels=[CHANNEL])).xp == 0
    no_xp_role = LevelSettings(no_xp_roles=[66])
    assert react(settings=no_xp_role, author_role_ids=frozenset({66})).skip == "no_xp_role"
    doubled = LevelSettings(role_multipliers=mult({10: 200}))
    assert react(settings=doubled, author_role_ids=frozenset({10})).xp == 4
    assert react(guild_id=None).skip == "dm"


# ---- games ----


def test_games_give_win_and_lose_xp_through_the_same_multipliers():
    assert game_decision(won=True, settings=S).xp == 15
    assert game_decision(won=False, settings=S).xp == 5
    boosted = LevelSettings(role_multipliers=mult({10: 200}))
    assert game_decision(won=True, role_ids=frozenset({10}), settings=boosted).xp == 30
    assert game_decision(won=True, member_is_bot=True, settings=S).skip == "bot"
    no_xp = LevelSettings(no_xp_channels=[CHANNEL])
    assert game_decision(won=True, channel_id=CHANNEL, settings=no_xp).xp == 0


# ---- counters and admin changes ----


def test_counters_add_up_field_by_field():
    total = Counters(messages=1) + Counters(voice_seconds=60) + Counters(reactions_received=2)
    assert total == Counters(messages=1, voice_seconds=60, reactions_received=2)


def test_admin_remove_never_takes_xp_below_zero():
    change = admin_change("remove", 100, 250)
    assert (change.before, change.after, change.delta) == (100, 0, -100)


def test_admin_add_set_and_reset():
    assert admin_change("add", 100, 50).after == 150
    assert admin_change("set", 100, 7).delta == -93
    assert admin_change("reset", 100).after == 0


@pytest.mark.parametrize(
    ("action", "current", "amount"),
    [("add", 0, 0), ("remove", 10, -5), ("set", 0, -1), ("add", MAX_XP, 1), ("add", 0, True)],
)
def test_admin_amounts_out_of_bounds_are_refused(action, current, amount):
    with pytest.raises(InvalidInput):
        admin_change(action, current, amount)

"""The cooldown cache drops messages inside a known cooldown and never blocks one that may
earn."""

import random
import time

from vouchy.features.levels.cooldowns import Cooldowns
from vouchy.features.levels.rules import MessageFacts, message_decision
from vouchy.features.levels.settings import LevelSettings

S = LevelSettings()
G, M = 1, 2


def test_a_member_inside_the_cooldown_is_blocked_until_it_ends():
    cache = Cooldowns()
    cache.earned(G, M, 1_000_000, S)
    assert cache.blocks(G, M, 1_059_999, S)
    assert not cache.blocks(G, M, 1_060_000, S)
    assert not cache.blocks(G, 3, 1_000_001, S)  # unknown: the actor decides


def test_the_cache_agrees_with_the_rule_it_stands_in_front_of():
    cache = Cooldowns()
    last = None
    rng = random.Random(3)
    for t in range(0, 600_000, 7_000):
        facts = MessageFacts(guild_id=G, channel_id=5, author_id=M, created_at_ms=t)
        decision = message_decision(facts, last, S, rng)
        assert cache.blocks(G, M, t, S) == (decision.skip == "cooldown")
        if decision.earned:
            last = t
            cache.earned(G, M, t, S)


def test_a_later_setting_is_read_at_each_check():
    cache = Cooldowns()
    cache.earned(G, M, 0, S)
    assert cache.blocks(G, M, 90_000, LevelSettings(message_cooldown_s=120))
    assert not cache.blocks(G, M, 90_000, S)


def test_an_older_time_never_replaces_a_newer_one_and_forget_lets_the_member_through():
    cache = Cooldowns()
    cache.earned(G, M, 100_000, S)
    cache.earned(G, M, 50_000, S)  # a late, redelivered event
    assert cache.blocks(G, M, 150_000, S)
    cache.forget(G, M)
    assert not cache.blocks(G, M, 150_000, S)


def test_entries_whose_cooldown_is_over_are_pruned():
    cache = Cooldowns()
    cache.earned(G, 1, 0, S)
    cache.earned(G, 2, 30_000, S)
    cache.earned(7, 3, 0, LevelSettings(message_cooldown_s=600))
    assert cache.prune(60_000) == 1
    assert not cache.blocks(G, 1, 60_000, S) and cache.blocks(G, 2, 60_000, S)
    assert cache.blocks(7, 3, 60_000, LevelSettings(message_cooldown_s=600))


def test_a_full_cache_forgets_the_least_recently_earned_first():
    cache = Cooldowns(max_entries=100)
    for member in range(300):
        cache.earned(G, member, 1_000 + member, S)
    cache.earned(G, 200, 5_000, S)  # earned again: now the most recent
    cache.earned(G, 999, 5_001, S)
    assert len(cache) == 100
    assert cache.blocks(G, 200, 5_002, S) and cache.blocks(G, 999, 5_002, S)
    assert not cache.blocks(G, 201, 5_002, S)  # forgotten: the actor decides
    assert cache.blocks(G, 299, 5_002, S)


def test_a_blocked_message_costs_microseconds():
    cache = Cooldowns()
    for member in range(5_000):
        cache.earned(G, member, 1_000_000, S)
    start = time.perf_counter()
    blocked = sum(cache.blocks(G, m % 5_000, 1_000_500, S) for m in range(50_000))
    per_check_us = (time.perf_counter() - start) / 50_000 * 1e6
    assert blocked == 50_000
    assert per_check_us < 50  # typically about 0.5 µs; a loose bound for a shared machine

"""A guild's XP settings: Vouchy's defaults, bounds refused by name, stored as JSON."""

import msgspec
import pytest

from vouchy.core.errors import InvalidInput
from vouchy.features.levels.curve import Curve
from vouchy.features.levels.settings import (
    ItemReward,
    LevelSettings,
    Multiplier,
    PointReward,
    RoleReward,
    check_settings,
    decode,
    encode,
)


def mult(percents: dict[int, int]) -> list[Multiplier]:
    return [Multiplier(id=k, percent=v) for k, v in percents.items()]


def test_the_defaults_are_those_the_community_knew():
    s = LevelSettings()
    assert (s.message_xp_min, s.message_xp_max, s.message_cooldown_s) == (15, 25, 60)
    assert (s.voice_xp_per_minute, s.reaction_xp, s.game_win_xp, s.game_lose_xp) == (
        10,
        2,
        15,
        5,
    )
    assert s.curve == Curve(quadratic=5, linear=50, constant=100)
    assert s.message_cooldown_ms == 60_000
    assert s.announce and s.stack_roles and s.restore_roles_on_rejoin
    assert check_settings(s) is s


def test_settings_survive_a_json_round_trip_with_every_kind_of_reward():
    s = LevelSettings(
        no_xp_channels=[11, 12],
        role_multipliers=mult({21: 150}),
        channel_multipliers=mult({31: 200}),
        announce_channel_id=41,
        announce_template="GG {member} ({level})",
        role_rewards=[RoleReward(level=5, role_id=51)],
        stack_roles=False,
        rewards=[PointReward(level=2, points=100), ItemReward(level=3, item="x2", quantity=2)],
        curve_quadratic=3,
        curve_linear=40,
        curve_constant=90,
    )
    assert decode(encode(s)) == s


def test_a_stored_row_missing_newer_fields_takes_the_defaults():
    assert decode(b'{"message_xp_min": 5}') == LevelSettings(message_xp_min=5)


def test_an_unreadable_row_is_refused_by_name():
    with pytest.raises(InvalidInput) as e:
        decode(b'{"message_xp_min": "five"}')
    assert e.value.key == "levels.config.unreadable"


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        (dict(message_xp_min=30, message_xp_max=20), "levels.config.range_reversed"),
        (dict(message_xp_max=5_000), "levels.config.out_of_range"),
        (dict(message_cooldown_s=-1), "levels.config.out_of_range"),
        (dict(voice_xp_per_minute=True), "levels.config.out_of_range"),
        (dict(role_multipliers=mult({5: 5_000})), "levels.config.out_of_range"),
        (dict(no_xp_channels=[0]), "levels.config.not_an_id"),
        (
            dict(role_multipliers=mult({5: 100, 6: 50}) + mult({5: 200})),
            "levels.config.multiplier_twice",
        ),
        (dict(announce_template="x" * 501), "levels.config.template_too_long"),
        (
            dict(role_rewards=[RoleReward(level=5, role_id=9), RoleReward(level=9, role_id=9)]),
            "levels.config.role_twice",
        ),
        (dict(role_rewards=[RoleReward(level=0, role_id=9)]), "levels.config.out_of_range"),
        (
            dict(rewards=[PointReward(level=2, points=5), PointReward(level=2, points=9)]),
            "levels.config.reward_twice",
        ),
        (dict(rewards=[ItemReward(level=2, item="")]), "levels.config.item_name"),
        (dict(curve_constant=0), "levels.config.curve_constant"),
    ],
)
def test_a_value_out_of_bounds_is_refused_naming_it(changes, key):
    with pytest.raises(InvalidInput) as e:
        check_settings(msgspec.structs.replace(LevelSettings(), **changes))
    assert e.value.key == key
    assert e.value.text("fr") != e.value.text("en")  # both languages are there


def test_the_store_refuses_a_value_out_of_bounds_before_it_is_saved():
    """The same bounds hold on the store's path (``msgspec.convert`` with ``Annotated``)."""
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({"message_xp_max": 5_000}, LevelSettings)
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({"role_multipliers": [{"id": 5, "percent": 5_000}]}, LevelSettings)
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({"curve_constant": 0}, LevelSettings)
    converted = msgspec.convert(
        {"rewards": [{"type": "points", "level": 3, "points": 50}]}, LevelSettings
    )
    assert converted.rewards == [PointReward(level=3, points=50)]

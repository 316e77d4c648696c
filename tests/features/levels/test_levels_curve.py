"""The level curve: MEE6's published table, and level_for_xp as the exact inverse."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vouchy.core.errors import InvalidInput
from vouchy.features.levels.curve import (
    MAX_XP,
    MEE6,
    Curve,
    check_curve,
    level_for_xp,
    progress,
    xp_for_level,
    xp_to_next,
)

# MEE6's own table of "Total XP required" per level, from its documentation:
# https://github.com/Mee6/Mee6-documentation/blob/master/docs/levels_xp.md
# (level: total XP at which the level begins). Note level 5 is 1,150 there.
MEE6_TOTAL_XP = {
    0: 0,
    1: 100,
    2: 255,
    3: 475,
    4: 770,
    5: 1_150,
    10: 4_675,
    15: 11_825,
    20: 23_850,
    25: 42_000,
    30: 67_525,
    42: 166_355,
    50: 268_375,
    64: 533_920,
    75: 835_375,
    80: 1_003_400,
    99: 1_845_195,
    100: 1_899_250,
}
# The same page's "XP needed to level up" column.
MEE6_XP_TO_LEVEL_UP = {0: 100, 1: 155, 5: 475, 10: 1_100, 37: 8_795, 100: 55_100}


@pytest.mark.parametrize(("level", "total"), sorted(MEE6_TOTAL_XP.items()))
def test_total_xp_per_level_matches_mee6s_published_table(level, total):
    assert xp_for_level(level) == total
    assert level_for_xp(total) == level


@pytest.mark.parametrize(("level", "cost"), sorted(MEE6_XP_TO_LEVEL_UP.items()))
def test_xp_to_level_up_matches_mee6s_published_table(level, cost):
    assert xp_to_next(level) == cost


def test_the_closed_form_equals_the_sum_of_every_level_below():
    total = 0
    for level in range(0, 500):
        assert xp_for_level(level) == total
        total += xp_to_next(level)


def test_level_for_xp_is_the_inverse_on_both_sides_of_every_boundary():
    for level in range(1, 1_000):
        start = xp_for_level(level)
        assert level_for_xp(start - 1) == level - 1
        assert level_for_xp(start) == level
        assert level_for_xp(start + 1) == level


@given(st.integers(min_value=0, max_value=MAX_XP))
def test_every_xp_total_sits_between_its_level_and_the_next(xp):
    level = level_for_xp(xp)
    assert xp_for_level(level) <= xp < xp_for_level(level + 1)


@given(
    st.integers(min_value=0, max_value=100),
    st.integers(min_value=0, max_value=1_000),
    st.integers(min_value=1, max_value=1_000),
    st.integers(min_value=0, max_value=10**9),
)
def test_a_configured_curve_keeps_the_inverse_exact(a, b, c, xp):
    curve = Curve(quadratic=a, linear=b, constant=c)
    level = level_for_xp(xp, curve)
    assert xp_for_level(level, curve) <= xp < xp_for_level(level + 1, curve)


def test_a_flat_curve_costs_the_same_for_every_level():
    flat = Curve(quadratic=0, linear=0, constant=1_000)
    assert [xp_for_level(n, flat) for n in range(4)] == [0, 1_000, 2_000, 3_000]
    assert level_for_xp(2_999, flat) == 2


def test_progress_says_xp_into_the_level_and_what_the_level_costs():
    p = progress(300)  # level 2 begins at 255 and costs 220
    assert (p.level, p.level_start, p.into, p.needed, p.to_next) == (2, 255, 45, 220, 175)
    assert p.fraction == pytest.approx(45 / 220)
    assert progress(0).level == 0 and progress(0).into == 0 and progress(0).needed == 100


def test_negative_xp_or_level_is_a_bug_not_a_level():
    with pytest.raises(ValueError):
        level_for_xp(-1)
    with pytest.raises(ValueError):
        xp_for_level(-1)


def test_a_curve_whose_levels_cost_nothing_is_refused():
    with pytest.raises(InvalidInput) as e:
        check_curve(Curve(quadratic=0, linear=0, constant=0))
    assert e.value.key == "levels.config.curve_constant"
    with pytest.raises(InvalidInput):
        check_curve(Curve(quadratic=-1))
    assert check_curve(MEE6) is MEE6

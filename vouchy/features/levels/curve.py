"""The level curve: how much XP each level costs, and which level a total of XP reaches.

MEE6's curve by default (going from level L to L + 1 costs ``5 L² + 50 L + 100`` XP), with its
three coefficients configurable per guild. Every function is exact integer arithmetic, so a
member's level is the same on every machine and in every audit, and ``level_for_xp`` is the
inverse of ``xp_for_level`` at every boundary.
"""

from __future__ import annotations

import msgspec

from vouchy.core.errors import InvalidInput

# The most XP a member may hold (the same bound as one ledger movement in the store's schema).
MAX_XP = 10**12
# The largest coefficient an admin may set: keeps every total far below MAX_XP's level range.
MAX_COEFFICIENT = 1_000_000


class Curve(msgspec.Struct, frozen=True, kw_only=True):
    """XP to go from level L to L + 1: ``quadratic * L² + linear * L + constant``."""

    quadratic: int = 5
    linear: int = 50
    constant: int = 100


MEE6 = Curve()


class Progress(msgspec.Struct, frozen=True, kw_only=True):
    """Where a total of XP stands on the curve."""

    xp: int  # the member's total XP
    level: int
    level_start: int  # total XP at which ``level`` began
    into: int  # XP earned inside the level: xp - level_start
    needed: int  # XP the whole level costs (level_start + needed = the next level's start)

    @property
    def to_next(self) -> int:
        """XP still missing to reach the next level."""
        return self.needed - self.into

    @property
    def fraction(self) -> float:
        """0.0 at the start of the level, approaching 1.0 just before the next."""
        return self.into / self.needed


def check_curve(curve: Curve) -> Curve:
    """A curve an admin may set: whole coefficients from 0, every level costing at least 1 XP
    (so the levels never stop) and growing, never shrinking, with the level."""
    for name in ("quadratic", "linear", "constant"):
        value = getattr(curve, name)
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidInput("levels.config.curve_whole", name=name)
        if not 0 <= value <= MAX_COEFFICIENT:
            raise InvalidInput(
                "levels.config.curve_range", name=name, maximum=MAX_COEFFICIENT, value=value
            )
    if curve.constant < 1:
        raise InvalidInput("levels.config.curve_constant")
    return curve


def xp_to_next(level: int, curve: Curve = MEE6) -> int:
    """XP it costs to go from ``level`` to ``level + 1``."""
    if level < 0:
        raise ValueError(f"a level is never negative: {level}")
    return curve.quadratic * level * level + curve.linear * level + curve.constant


def xp_for_level(level: int, curve: Curve = MEE6) -> int:
    """Total XP at which ``level`` begins (level 0 begins at 0 XP).

    The sum of ``xp_to_next`` for every level below, in closed form: sum L² over 0..n-1 is
    (n-1) n (2n-1) / 6 and sum L is n (n-1) / 2, both whole for every n.
    """
    if level < 0:
        raise ValueError(f"a level is never negative: {level}")
    n = level
    squares = (n - 1) * n * (2 * n - 1) // 6
    linear = n * (n - 1) // 2
    return curve.quadratic * squares + curve.linear * linear + curve.constant * n


def level_for_xp(xp: int, curve: Curve = MEE6) -> int:
    """The level a total of ``xp`` reaches: the largest L with ``xp_for_level(L) <= xp``."""
    # Invariant: xp_for_level(result) <= xp < xp_for_level(result + 1).
    if xp < 0:
        raise ValueError(f"XP is never negative: {xp}")
    if curve.constant < 1:
        raise ValueError("a curve whose levels cost nothing has no level for an XP total")
    low, high = 0, 1
    while xp_for_level(high, curve) <= xp:  # xp_for_level(low) <= xp always holds
        low, high = high, high * 2
    while high - low > 1:  # xp_for_level(low) <= xp < xp_for_level(high)
        middle = (low + high) // 2
        if xp_for_level(middle, curve) <= xp:
            low = middle
        else:
            high = middle
    return low


def progress(xp: int, curve: Curve = MEE6) -> Progress:
    """The level of ``xp``, the XP earned inside it and what the whole level costs."""
    level = level_for_xp(xp, curve)
    start = xp_for_level(level, curve)
    return Progress(
        xp=xp, level=level, level_start=start, into=xp - start, needed=xp_to_next(level, curve)
    )

"""Money rules of every game: bet bounds, cooldown, daily loss limit, multipliers and XP.

Pure checks on the current values (the caller reads them from the store), each raising a named
refusal with its text, and ``settle``, which turns a game's result into what is written: the
payout after an active multiplier, and the XP earned.

A multiplier (x2, x3 from the inventory) multiplies the WINNINGS, never the stake: with profit =
payout - bet, a win pays ``bet + profit * multiplier``; a push pays the stake back and a loss
stays a loss. A multiplier active when a game settles is spent by that game (one of its games),
whatever the outcome, as the seed bot counted ``games_remaining``. A challenge between two
members is not boosted: its winnings are the other member's stake, not the house's.

XP for playing is the levels feature's (``game_win_xp``, ``game_lose_xp``: 15 and 5 by default,
as the seed bot gave); a settlement only carries the amount it was given.
"""

from __future__ import annotations

from typing import Annotated, Final

import msgspec

from vouchy.core import i18n
from vouchy.core.errors import InsufficientFunds, InvalidInput, Refused
from vouchy.features.games.results import GameResult

DAY_MS: Final = 86_400_000
MAX_BET: Final = 1_000_000
MAX_COOLDOWN_S: Final = 86_400
MAX_LOSS_LIMIT: Final = 1_000_000_000

Bet = Annotated[int, msgspec.Meta(ge=1, le=MAX_BET)]


class GameLimits(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A game's bounds in a guild, for each member. ``daily_loss_limit`` 0 means no limit."""

    min_bet: Bet = 10
    max_bet: Bet = 5_000
    cooldown_s: Annotated[int, msgspec.Meta(ge=0, le=MAX_COOLDOWN_S)] = 3
    daily_loss_limit: Annotated[int, msgspec.Meta(ge=0, le=MAX_LOSS_LIMIT)] = 0

    def __str__(self) -> str:
        """``min_bet 10 · max_bet 5000 · ...`` (what ``/config show`` lists; the reels and
        paytable of slots, which only ``config.toml`` sets, by their size)."""
        parts = []
        for name in self.__struct_fields__:
            value = getattr(self, name)
            parts.append(f"{name} {len(value) if isinstance(value, tuple) else value}")
        return " · ".join(parts)


class GameCooldown(Refused):
    """Too soon after the member's last game of this kind."""

    code = "games_cooldown"

    def __init__(self, game: str, retry_after_s: float) -> None:
        super().__init__("games.cooldown", game=game, wait=i18n.duration(retry_after_s))
        self.game = game
        self.retry_after_s = retry_after_s

    def text(self, locale: str) -> str:
        return i18n.text(
            self.key,
            locale,
            game=i18n.text(f"games.name.{self.game}", locale),
            wait=_seconds(self.retry_after_s, locale),
        )

    @property
    def message(self) -> str:
        return self.text("en")


class DailyLossLimit(Refused):
    """This stake could take the member's losses today past the limit."""

    code = "games_daily_loss_limit"

    def __init__(self, limit: int, left: int) -> None:
        super().__init__("games.daily_loss_limit", limit=limit, left=left)


def _seconds(seconds: float, locale: str) -> str:
    """A short wait in whole seconds (a game cooldown is seconds, not minutes)."""
    whole = max(1, int(-(-seconds // 1)))
    if whole >= 60:
        return i18n.duration(whole, locale)
    return i18n.text("games.seconds", locale, n=whole)


def check_bet(bet: object, limits: GameLimits) -> int:
    """A whole number of points from ``min_bet`` to ``max_bet``."""
    if isinstance(bet, bool) or not isinstance(bet, int):
        raise InvalidInput("games.bet_not_whole", minimum=limits.min_bet, maximum=limits.max_bet)
    if bet < limits.min_bet:
        raise InvalidInput("games.bet_too_small", minimum=limits.min_bet, bet=bet)
    if bet > limits.max_bet:
        raise InvalidInput("games.bet_too_large", maximum=limits.max_bet, bet=bet)
    return bet


def check_funds(balance: int, stake: int) -> None:
    """The stake must be on the account (the store checks again when it takes it)."""
    if balance < stake:
        raise InsufficientFunds(balance=balance, needed=stake)


def check_cooldown(game: str, last_played_ms: int | None, now_ms: int, limits: GameLimits) -> None:
    """At most one game of a kind every ``cooldown_s`` seconds per member."""
    if last_played_ms is None or limits.cooldown_s <= 0:
        return
    ready_at = last_played_ms + limits.cooldown_s * 1000
    if now_ms < ready_at:
        raise GameCooldown(game, (ready_at - now_ms) / 1000)


def day_start_ms(now_ms: int) -> int:
    """Midnight UTC of ``now_ms``'s day: the daily loss limit counts from there."""
    return now_ms - now_ms % DAY_MS


def check_daily_loss(lost_today: int, stake: int, limits: GameLimits) -> None:
    """``lost_today`` = stakes taken today minus payouts made today (an open game's stake
    counts as lost until it settles). Refused when losing this stake too would pass the limit."""
    if limits.daily_loss_limit <= 0:
        return
    if lost_today + stake > limits.daily_loss_limit:
        left = max(0, limits.daily_loss_limit - lost_today)
        raise DailyLossLimit(limit=limits.daily_loss_limit, left=left)


def check_play(
    game: str,
    bet: object,
    limits: GameLimits,
    *,
    balance: int,
    now_ms: int,
    last_played_ms: int | None = None,
    lost_today: int = 0,
) -> int:
    """Every check before a stake is taken, in the order a member should hear them."""
    stake = check_bet(bet, limits)
    check_cooldown(game, last_played_ms, now_ms, limits)
    check_daily_loss(lost_today, stake, limits)
    check_funds(balance, stake)
    return stake


def check_extra_stake(stake: int, limits: GameLimits, *, balance: int, lost_today: int) -> None:
    """A second stake inside a game (doubling a blackjack hand): funds and the loss limit."""
    check_daily_loss(lost_today, stake, limits)
    check_funds(balance, stake)


class Settlement(msgspec.Struct, frozen=True, kw_only=True):
    """What a settled game writes: ``payout`` as ``game_win`` (nothing when 0) and ``xp``."""

    game: str
    bet: int
    base_payout: int  # what the game paid before any multiplier
    multiplier: int  # 1 when none was active
    payout: int
    profit: int  # payout - bet: negative when lost
    outcome: str
    xp: int  # what the levels feature credits for this game (0 when it credits nothing)
    multiplier_spent: bool


def boost(bet: int, payout: int, multiplier: int) -> int:
    """The payout with the winnings multiplied: ``bet + (payout - bet) * multiplier`` on a win;
    a push or a loss is unchanged."""
    # Invariant: a multiplier never turns a loss or a push into anything else.
    if multiplier < 1:
        raise ValueError(f"a multiplier is at least 1, not {multiplier}")
    if payout <= bet:
        return payout
    return bet + (payout - bet) * multiplier


def settle(result: GameResult, multiplier: int = 1, xp: int = 0) -> Settlement:
    """The money of a settled game, with the member's active multiplier (1 if none), and the
    XP it earned."""
    payout = boost(result.bet, result.payout, multiplier)
    return Settlement(
        game=result.game,
        bet=result.bet,
        base_payout=result.payout,
        multiplier=multiplier,
        payout=payout,
        profit=payout - result.bet,
        outcome=result.outcome,
        xp=xp,
        multiplier_spent=multiplier > 1,
    )

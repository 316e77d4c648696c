"""Rock-paper-scissors: against the bot, or a challenge between two members.

Against the bot: the bot's choice is one draw in [0, 3) (0 rock, 1 paper, 2 scissors), made
from the fair stream whatever the member chose. A win pays twice the bet back, a draw refunds
the bet, a loss pays nothing: a return to player of exactly 100%.

A challenge: the challenger names a member, a stake and their choice, and their stake is taken.
The member answers with their choice (their equal stake is taken then) and the challenge is
settled at once: the winner gets both stakes back, a draw refunds both. A challenge that is
declined, withdrawn by its challenger or left unanswered until it expires refunds the
challenger. No randomness is involved.
"""

from __future__ import annotations

from typing import Annotated, Final

import msgspec

from vouchy.core.errors import InvalidInput, Refused
from vouchy.features.games.fair import Draws
from vouchy.features.games.results import GameResult, RpsSeen, result
from vouchy.features.games.rules import GameLimits

CHOICES: Final = ("rock", "paper", "scissors")
BEATS: Final = {"rock": "scissors", "paper": "rock", "scissors": "paper"}

OPEN: Final = "open"
SETTLED: Final = "settled"
DECLINED: Final = "declined"
WITHDRAWN: Final = "withdrawn"
EXPIRED: Final = "expired"


class RpsConfig(GameLimits, frozen=True, kw_only=True, forbid_unknown_fields=True):
    # A challenge nobody answers this long is refunded.
    challenge_timeout_s: Annotated[int, msgspec.Meta(ge=10, le=7 * 86_400)] = 300


def check_choice(choice: object) -> str:
    if choice not in CHOICES:
        raise InvalidInput("games.rps.bad_choice")
    return str(choice)


def duel(mine: str, theirs: str) -> int:
    """1 if ``mine`` beats ``theirs``, -1 if it loses to it, 0 for a draw."""
    if mine == theirs:
        return 0
    return 1 if BEATS[mine] == theirs else -1


def _payout(bet: int, mine: str, theirs: str) -> int:
    return (0, bet, 2 * bet)[duel(mine, theirs) + 1]


def bot_choice(draws: Draws) -> str:
    return CHOICES[draws.below(3)]


def settle_vs_bot(bet: int, choice: str, bot: str) -> GameResult:
    seen = RpsSeen(choice=choice, opponent_choice=bot)
    return result("rps", bet, _payout(bet, choice, bot), seen)


def play(draws: Draws, bet: int, choice: str) -> GameResult:
    return settle_vs_bot(bet, check_choice(choice), bot_choice(draws))


class RpsChallenge(msgspec.Struct, frozen=True, kw_only=True):
    """A challenge between two members; the challenger's choice stays hidden until settled."""

    challenger_id: int
    opponent_id: int
    bet: int
    challenger_choice: str
    opponent_choice: str = ""
    status: str = OPEN
    created_at_ms: int
    expires_at_ms: int


def challenge(
    challenger_id: int,
    opponent_id: int,
    bet: int,
    choice: str,
    *,
    now_ms: int,
    config: RpsConfig | None = None,
    opponent_is_bot: bool = False,
) -> RpsChallenge:
    """Open a challenge (the caller takes the challenger's stake with it)."""
    if opponent_id == challenger_id:
        raise InvalidInput("games.rps.self_challenge")
    if opponent_is_bot:
        raise InvalidInput("games.rps.challenge_bot")
    config = config or RpsConfig()
    return RpsChallenge(
        challenger_id=challenger_id,
        opponent_id=opponent_id,
        bet=bet,
        challenger_choice=check_choice(choice),
        created_at_ms=now_ms,
        expires_at_ms=now_ms + config.challenge_timeout_s * 1000,
    )


def _check_open(ch: RpsChallenge, now_ms: int) -> None:
    if ch.status != OPEN:
        raise Refused(f"games.rps.challenge_{ch.status}")
    if now_ms >= ch.expires_at_ms:
        raise Refused("games.rps.challenge_expired")


def answer(
    ch: RpsChallenge, by_user_id: int, choice: str, *, now_ms: int
) -> tuple[RpsChallenge, GameResult, GameResult]:
    """The opponent's answer settles the challenge: the challenge, then the challenger's
    result, then the opponent's (the caller takes the opponent's stake in the same write)."""
    # Invariant: only the named opponent answers, once, before the challenge expires.
    if by_user_id != ch.opponent_id:
        raise Refused("games.rps.not_your_challenge")
    _check_open(ch, now_ms)
    theirs = check_choice(choice)
    mine = ch.challenger_choice
    settled = msgspec.structs.replace(ch, opponent_choice=theirs, status=SETTLED)
    challenger = result(
        "rps",
        ch.bet,
        _payout(ch.bet, mine, theirs),
        RpsSeen(choice=mine, opponent_choice=theirs, opponent_id=ch.opponent_id),
    )
    opponent = result(
        "rps",
        ch.bet,
        _payout(ch.bet, theirs, mine),
        RpsSeen(choice=theirs, opponent_choice=mine, opponent_id=ch.challenger_id),
    )
    return settled, challenger, opponent


def decline(ch: RpsChallenge, by_user_id: int, *, now_ms: int) -> RpsChallenge:
    """The opponent declines, or the challenger withdraws: the challenger's stake is refunded."""
    if by_user_id == ch.opponent_id:
        status = DECLINED
    elif by_user_id == ch.challenger_id:
        status = WITHDRAWN
    else:
        raise Refused("games.rps.not_your_challenge")
    _check_open(ch, now_ms)
    return msgspec.structs.replace(ch, status=status)


def expire(ch: RpsChallenge, *, now_ms: int) -> RpsChallenge:
    """A challenge nobody answered in time: the challenger's stake is refunded."""
    if ch.status != OPEN:
        raise Refused(f"games.rps.challenge_{ch.status}")
    if now_ms < ch.expires_at_ms:
        raise Refused("games.rps.challenge_still_open")
    return msgspec.structs.replace(ch, status=EXPIRED)


def refund(ch: RpsChallenge) -> int:
    """What goes back to the challenger when the challenge ends unplayed (0 once settled)."""
    return ch.bet if ch.status in (DECLINED, WITHDRAWN, EXPIRED) else 0

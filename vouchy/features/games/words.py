"""The games in words: the lines a member reads about a result, a hand, a challenge, their
seeds and the odds, in their language. Plain strings only (no hikari): ``render.py`` lays them
out on Discord, and the service posts some of them itself (a hand that timed out)."""

from __future__ import annotations

from vouchy.core import i18n
from vouchy.features.games import blackjack
from vouchy.features.games.fair import FairSeeds, GameSeed, RevealedSeed
from vouchy.features.games.odds import ExactReturn, SimulatedReturn
from vouchy.features.games.results import (
    BlackjackSeen,
    CoinflipSeen,
    DiceSeen,
    GameResult,
    RouletteSeen,
    RpsSeen,
    SlotsSeen,
)
from vouchy.features.games.roulette import RouletteBet
from vouchy.features.games.rps import RpsChallenge, duel
from vouchy.features.games.rules import Settlement
from vouchy.features.games.slots import EMOJI


def decimal(text: str, locale: str) -> str:
    """``"1.98"`` as the language writes it (``1,98`` in French)."""
    return text.replace(".", ",") if i18n.pick(locale) == "fr" else text


def times(basis_points: int, locale: str) -> str:
    """A multiplier in basis points: ``19800`` -> ``1.98``, ``141428`` -> ``14.1428``."""
    whole, part = divmod(basis_points, 10_000)
    text = f"{whole}.{part:04d}".rstrip("0").rstrip(".")
    return decimal(text, locale)


def roll(value: int, locale: str) -> str:
    """A dice roll 0..9999 as shown: ``38.62``."""
    return decimal(f"{value // 100:02d}.{value % 100:02d}", locale)


def bet_on(bet: RouletteBet | RouletteSeen, locale: str) -> str:
    """``Red``, ``Dozen 2 (13-24)``, ``Number 17``..."""
    if bet.kind in ("colour", "parity", "half"):
        return i18n.text(f"games.roulette.choice.{bet.choice}", locale)
    n = int(bet.choice)
    if bet.kind == "dozen":
        first = 12 * (n - 1) + 1
        return i18n.text("games.roulette.choice.dozen", locale, n=n, first=first, last=first + 11)
    return i18n.text(f"games.roulette.choice.{bet.kind}", locale, n=n)


def cards(ids: tuple[int, ...]) -> str:
    return " ".join(blackjack.card_label(c) for c in ids)


def hand_total(ids: tuple[int, ...], locale: str) -> str:
    value, soft = blackjack.total(ids)
    if soft and value < 21:
        return i18n.text("games.blackjack.soft_total", locale, total=value)
    return str(value)


def seen_lines(result: GameResult, locale: str) -> list[str]:
    """What the player saw, game by game."""
    seen = result.seen
    if isinstance(seen, CoinflipSeen):
        call = i18n.text(f"games.coinflip.{seen.call}", locale)
        side = i18n.text(f"games.coinflip.{seen.side}", locale)
        return [i18n.text("games.coinflip.landed", locale, call=call, side=side)]
    if isinstance(seen, RouletteSeen):
        colour = i18n.text(f"games.roulette.colour.{seen.colour}", locale)
        return [
            i18n.text(
                "games.roulette.landed",
                locale,
                pocket=seen.pocket,
                colour=colour,
                bet_on=bet_on(seen, locale),
            )
        ]
    if isinstance(seen, DiceSeen):
        return [
            i18n.text(
                "games.dice.rolled",
                locale,
                roll=roll(seen.roll, locale),
                target=seen.target,
                multiplier=times(seen.multiplier_bp, locale),
            )
        ]
    if isinstance(seen, SlotsSeen):
        reels = " ".join(EMOJI.get(symbol, symbol) for symbol in seen.symbols)
        if seen.line < 0:
            return [reels, i18n.text("games.slots.no_line", locale)]
        return [reels, i18n.text("games.slots.line", locale, pays=seen.pays)]
    if isinstance(seen, RpsSeen):
        choice = i18n.text(f"games.rps.{seen.choice}", locale)
        other = i18n.text(f"games.rps.{seen.opponent_choice}", locale)
        return [i18n.text("games.rps.bot_played", locale, choice=choice, bot=other)]
    return _blackjack_lines(seen, result.bet, locale)


def _blackjack_lines(seen: BlackjackSeen, bet: int, locale: str) -> list[str]:
    lines = [
        i18n.text(
            "games.blackjack.your_hand",
            locale,
            cards=cards(seen.player),
            total=hand_total(seen.player, locale),
        ),
        i18n.text(
            "games.blackjack.dealer_hand",
            locale,
            cards=cards(seen.dealer),
            total=hand_total(seen.dealer, locale),
        ),
    ]
    if seen.timed_out:
        lines.append(i18n.text("games.blackjack.timed_out", locale))
    if seen.doubled:
        lines.append(i18n.text("games.blackjack.doubled", locale, stake=bet))
    if seen.natural:
        lines.append(i18n.text("games.blackjack.natural", locale))
    if seen.dealer_natural:
        lines.append(i18n.text("games.blackjack.dealer_natural", locale))
    if seen.player_total > 21:
        lines.append(i18n.text("games.blackjack.bust", locale))
    elif seen.dealer_total > 21:
        lines.append(i18n.text("games.blackjack.dealer_bust", locale))
    return lines


def settlement_lines(settled: Settlement, locale: str) -> list[str]:
    """The money and the XP: won, lost or pushed, the multiplier if one applied, the XP if
    any was earned."""
    key = f"games.outcome.{settled.outcome}_text"
    lines = [i18n.text(key, locale, payout=settled.payout, profit=settled.profit, bet=settled.bet)]
    if settled.multiplier > 1 and settled.payout > settled.bet:
        lines.append(
            i18n.text(
                "games.multiplier", locale, multiplier=settled.multiplier, profit=settled.profit
            )
        )
    if settled.xp > 0:
        lines.append(i18n.text("games.xp", locale, xp=settled.xp))
    return lines


def describe(result: GameResult, settled: Settlement, locale: str) -> list[str]:
    return [*seen_lines(result, locale), *settlement_lines(settled, locale)]


def hand_lines(hand: blackjack.BlackjackHand, wait_s: float, locale: str) -> list[str]:
    """A hand being played: the player's cards, the dealer's up card, what to do."""
    showing = blackjack.dealer_showing(hand)
    return [
        i18n.text(
            "games.blackjack.your_hand",
            locale,
            cards=cards(hand.player),
            total=hand_total(hand.player, locale),
        ),
        i18n.text(
            "games.blackjack.dealer_hand",
            locale,
            cards=cards(showing) + " \N{BLACK LARGE SQUARE}",
            total=hand_total(showing, locale),
        ),
        i18n.text("games.blackjack.turn", locale, wait=i18n.duration(wait_s, locale)),
    ]


def challenge_text(ch: RpsChallenge, wait_s: float, locale: str) -> str:
    """The challenge as posted, or how it ended (members shown as mentions)."""
    challenger, opponent = f"<@{ch.challenger_id}>", f"<@{ch.opponent_id}>"
    if ch.status == "open":
        return i18n.text(
            "games.rps.challenge_text",
            locale,
            challenger=challenger,
            opponent=opponent,
            bet=ch.bet,
            wait=i18n.duration(wait_s, locale),
        )
    if ch.status == "settled":
        mine = i18n.text(f"games.rps.{ch.challenger_choice}", locale)
        theirs = i18n.text(f"games.rps.{ch.opponent_choice}", locale)
        if ch.challenger_choice == ch.opponent_choice:
            return i18n.text(
                "games.rps.challenge_draw_text",
                locale,
                challenger=challenger,
                opponent=opponent,
                choice=mine,
                bet=ch.bet,
            )
        winner = challenger if duel(ch.challenger_choice, ch.opponent_choice) > 0 else opponent
        return i18n.text(
            "games.rps.challenge_won_text",
            locale,
            challenger=challenger,
            opponent=opponent,
            challenger_choice=mine,
            opponent_choice=theirs,
            winner=winner,
            pot=2 * ch.bet,
        )
    return i18n.text(
        f"games.rps.challenge_{ch.status}_text",
        locale,
        challenger=challenger,
        opponent=opponent,
        bet=ch.bet,
    )


def seeds_text(seeds: FairSeeds, locale: str) -> str:
    """``/fair``: the hash of the secret seed, the client seed, the next nonce."""
    return i18n.text(
        "games.fair.current",
        locale,
        server_seed_hash=seeds.server_seed_hash,
        client_seed=seeds.client_seed,
        nonce=seeds.nonce,
    )


def client_seed_text(seeds: FairSeeds, locale: str) -> str:
    return i18n.text("games.fair.client_seed_set", locale, client_seed=seeds.client_seed)


def rotated_text(revealed: RevealedSeed, fresh: FairSeeds, locale: str) -> str:
    return i18n.text(
        "games.fair.rotated",
        locale,
        server_seed=revealed.server_seed,
        server_seed_hash=revealed.server_seed_hash,
        games=revealed.games,
        new_hash=fresh.server_seed_hash,
    )


def game_seed_text(ticket: GameSeed, locale: str) -> str:
    return i18n.text(
        "games.fair.game_seed",
        locale,
        server_seed_hash=ticket.server_seed_hash,
        client_seed=ticket.client_seed,
        nonce=ticket.nonce,
    )


def odds_line(row: ExactReturn | SimulatedReturn, locale: str) -> str:
    """``Roulette: 97.30% returned to players (exact)``."""
    game = i18n.text(f"games.name.{row.game}", locale)
    variant = ""
    if row.game == "roulette" and row.variant:
        variant = f" ({i18n.text(f'games.roulette.kind.{row.variant}', locale)})"
    elif row.game == "dice" and row.variant:
        variant = f" ({row.variant})"
    rtp = decimal(f"{row.rtp * 100:.2f}", locale)
    if isinstance(row, ExactReturn):
        return i18n.text("games.odds.exact", locale, game=game, variant=variant, rtp=rtp)
    se = decimal(f"{row.se * 100:.2f}", locale)
    return i18n.text(
        "games.odds.simulated",
        locale,
        game=game,
        variant=variant,
        rtp=rtp,
        se=se,
        rounds=row.rounds,
    )


def timed_out_text(user_id: int, lines: list[str], locale: str) -> str:
    """What a hand that stood by itself posts in its channel, mentioning its player."""
    return "\n".join([i18n.text("games.timed_out_post", locale, user_id=user_id), *lines])


def outcome_label(outcome: str, locale: str) -> str:
    """``Win``, ``Loss``, ``Push``, ``declined``... (``in play`` for no outcome yet)."""
    if not outcome:
        return i18n.text("games.status.open", locale)
    return i18n.text(f"games.outcome.{outcome}", locale)

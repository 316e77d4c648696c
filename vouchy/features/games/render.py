"""The games on Discord: embeds and buttons from the service's plain values, in the reader's
language (the sentences are ``words.py``'s). The buttons' custom ids come from the feature's
one ``Codec``: ``games:<hit|stand|double>:<game>.<version>`` on a hand (the version it was
shown at, so a stale click is known), ``games:move:<game>.<rock|paper|scissors>``,
``games:decline:<game>`` and ``games:withdraw:<game>`` on a challenge."""

from __future__ import annotations

from typing import Final

import hikari
import msgspec

from vouchy.bot.components import Codec
from vouchy.bot.embeds import INFO, POINTS, SUCCESS, embed, pts, t
from vouchy.features.games import blackjack, rps, words
from vouchy.features.games.changes import Game
from vouchy.features.games.config import GameSettings
from vouchy.features.games.fair import FairSeeds, RevealedSeed
from vouchy.features.games.odds import ExactReturn, SimulatedReturn
from vouchy.features.games.results import LOSE, PUSH, WIN
from vouchy.features.games.rules import settle
from vouchy.features.games.service import HistoryPage, Outcome, PlayerStats
from vouchy.features.games.tables import OPEN

CODEC: Final = Codec("games")
MOVE: Final = "move"
DECLINE: Final = "decline"
WITHDRAW: Final = "withdraw"
LOST: Final = hikari.Color(0x95A5A6)  # a loss is no error: grey

COLOURS: Final = {WIN: SUCCESS, PUSH: INFO, LOSE: LOST}

Components = list[hikari.api.MessageActionRowBuilder]


def hand_row(game_id: int, version: int) -> str:
    return f"{game_id}.{version}"


def parse_pair(row: str) -> tuple[int, str] | None:
    """``<game>.<rest>`` of a custom id's row."""
    game, _, rest = row.partition(".")
    if not game.isdigit() or not rest:
        return None
    return int(game), rest


def _name(game: str, locale: str) -> str:
    return t(f"games.name.{game}", locale)


def _footer(row: Game, locale: str) -> str:
    if row.nonce is None:
        return t("games.footer.challenge", locale, game_id=str(row.game_id))
    return t(
        "games.footer",
        locale,
        game_id=str(row.game_id),
        hash=row.server_seed_hash,
        client_seed=row.client_seed,
        nonce=row.nonce,
    )


def result(outcome: Outcome, locale: str, *, note: str = "") -> hikari.Embed:
    """A house game that ended: what was seen, what it paid, the balance after."""
    row = outcome.game
    found = row.game_result()
    lines = [note, ""] if note else []
    if found is not None:
        settled = settle(found, row.multiplier, row.xp)
        lines += words.seen_lines(found, locale)
        if row.status == "settled":
            lines += words.settlement_lines(settled, locale)
        else:
            lines.append(t("games.not_settled_yet", locale))
    if outcome.balance is not None:
        lines.append(t("games.balance", locale, balance=pts(outcome.balance, locale)))
    title = t(
        "games.result.title",
        locale,
        game=_name(row.game, locale),
        outcome=words.outcome_label(row.outcome, locale),
    )
    return embed(
        title, "\n".join(lines), COLOURS.get(row.outcome, INFO), locale, _footer(row, locale)
    )


def hand(outcome: Outcome, locale: str, now_ms: int, *, note: str = "") -> hikari.Embed:
    """A blackjack hand being played."""
    row = outcome.game
    wait_s = max(1, ((row.expires_at or now_ms) - now_ms) / 1000)
    lines = [note, ""] if note else []
    lines += words.hand_lines(row.hand(), wait_s, locale)
    title = t("games.blackjack.title", locale, bet=row.bet)
    return embed(title, "\n".join(lines), POINTS, locale, _footer(row, locale))


def hand_buttons(row: Game, locale: str) -> Components:
    """Hit, stand, and double on the first two cards."""
    styles: dict[str, hikari.InteractiveButtonTypesT] = {
        "hit": hikari.ButtonStyle.PRIMARY,
        "stand": hikari.ButtonStyle.SECONDARY,
        "double": hikari.ButtonStyle.SUCCESS,
    }
    buttons = hikari.impl.MessageActionRowBuilder()
    for action in blackjack.allowed(row.hand()):
        buttons.add_interactive_button(
            styles[action],
            CODEC.encode(action, hand_row(row.game_id, row.version)),
            label=t(f"games.blackjack.{action}", locale),
        )
    return [buttons]


def challenge(row: Game, locale: str, now_ms: int, *, note: str = "") -> hikari.Embed:
    """A challenge between two members: open, or how it ended."""
    ch = row.challenge()
    wait_s = max(1, ((row.expires_at or now_ms) - now_ms) / 1000)
    lines = [note, ""] if note else []
    lines.append(words.challenge_text(ch, wait_s, locale))
    if row.status == OPEN:
        lines += [
            "",
            t(
                "games.rps.challenge.buttons",
                locale,
                opponent=f"<@{ch.opponent_id}>",
                challenger=f"<@{ch.challenger_id}>",
            ),
        ]
    colour = POINTS if row.status == OPEN else INFO
    return embed(
        t("games.rps.challenge.title", locale),
        "\n".join(lines),
        colour,
        locale,
        _footer(row, locale),
    )


def challenge_buttons(row: Game, locale: str) -> Components:
    moves = hikari.impl.MessageActionRowBuilder()
    for move in rps.CHOICES:
        moves.add_interactive_button(
            hikari.ButtonStyle.PRIMARY,
            CODEC.encode(MOVE, f"{row.game_id}.{move}"),
            label=t(f"games.rps.{move}", locale),
        )
    moves.add_interactive_button(
        hikari.ButtonStyle.DANGER,
        CODEC.encode(DECLINE, row.game_id),
        label=t("games.rps.decline", locale),
    )
    moves.add_interactive_button(
        hikari.ButtonStyle.SECONDARY,
        CODEC.encode(WITHDRAW, row.game_id),
        label=t("games.rps.withdraw", locale),
    )
    return [moves]


def message(
    outcome: Outcome, locale: str, now_ms: int, *, note: str = ""
) -> tuple[hikari.Embed, Components]:
    """Any game as its message shows it now, with the buttons it still has."""
    row = outcome.game
    if row.is_challenge:
        buttons = challenge_buttons(row, locale) if row.status == OPEN else []
        return challenge(row, locale, now_ms, note=note), buttons
    if row.status == OPEN:
        return hand(outcome, locale, now_ms, note=note), hand_buttons(row, locale)
    return result(outcome, locale, note=note), []


def history(page: HistoryPage, stats: list[PlayerStats], locale: str) -> hikari.Embed:
    if page.page > page.pages:
        text = t("games.history.no_such_page", locale, page=page.page, pages=page.pages)
        return embed(t("games.history.title", locale), text, INFO, locale)
    lines = [t("games.history.of", locale, user_id=page.user_id), ""]
    for s in stats:
        lines.append(
            t(
                "games.history.stats",
                locale,
                game=_name(s.game, locale),
                played=s.played,
                won=s.won,
                staked=s.staked,
                paid=s.paid,
            )
        )
    if stats:
        lines.append("")
    if not page.games:
        lines.append(t("games.history.empty", locale))
    for row in page.games:
        mine = row.user_id == page.user_id
        bet = row.bet if mine else row.opponent_bet
        paid = row.payout if mine else row.opponent_payout
        if row.status != "settled":
            paid = 0
        outcome = row.outcome_for(page.user_id) if row.status != OPEN else ""
        label = words.outcome_label(outcome, locale)
        if row.status == "ended":
            label = t("games.status.ended", locale)
        line = t(
            "games.history.line",
            locale,
            game_id=str(row.game_id),
            game=_name(row.game, locale),
            bet=bet,
            paid=paid,
            outcome=label,
            at=str(row.created_at // 1000),
        )
        if row.opponent_id is not None:
            other = row.opponent_id if mine else row.user_id
            line += " · " + t("games.history.versus", locale, other_id=other)
        if row.nonce is not None:
            line += " · " + t("games.history.nonce", locale, nonce=row.nonce)
        lines.append(line)
    footer = t("games.history.page", locale, page=page.page, pages=page.pages)
    return embed(t("games.history.title", locale), "\n".join(lines)[:4000], INFO, locale, footer)


def odds(lines: list[ExactReturn | SimulatedReturn], locale: str) -> hikari.Embed:
    text = [words.odds_line(row, locale) for row in lines]
    text += ["", t("games.odds.hint", locale)]
    return embed(t("games.odds.title", locale), "\n".join(text), INFO, locale)


def seeds(current: FairSeeds, revealed: list[RevealedSeed], locale: str) -> hikari.Embed:
    lines = [words.seeds_text(current, locale)]
    if revealed:
        lines += ["", f"**{t('games.fair.revealed_title', locale)}**"]
        lines += [
            t(
                "games.fair.revealed_line",
                locale,
                server_seed=r.server_seed,
                games=r.games,
            )
            for r in revealed
        ]
    lines += ["", t("games.fair.howto", locale)]
    return embed(t("games.fair.title", locale), "\n".join(lines), INFO, locale)


def client_seed(current: FairSeeds, locale: str) -> hikari.Embed:
    text = words.client_seed_text(current, locale) + "\n\n" + words.seeds_text(current, locale)
    return embed(t("games.fair.title", locale), text, SUCCESS, locale)


def rotated(revealed: RevealedSeed, fresh: FairSeeds, locale: str) -> hikari.Embed:
    text = words.rotated_text(revealed, fresh, locale) + "\n\n" + t("games.fair.howto", locale)
    return embed(t("games.fair.title", locale), text, SUCCESS, locale)


def game_settings(game: str, values: GameSettings, default: bool, locale: str) -> hikari.Embed:
    """One game's row of settings, as ``/config games set`` left it."""
    card = embed(
        t("games.config.title", locale, game=_name(game, locale)),
        t("games.config.hint", locale),
        INFO,
        locale,
    )
    for name, value in msgspec.structs.asdict(values).items():
        if isinstance(value, tuple):
            continue  # the reels and the paytable are config.toml's
        shown = str(value)
        if default:
            shown += " " + t("config.default", locale)
        card.add_field(t(f"games.setting.{name}", locale), shown, inline=True)
    return card

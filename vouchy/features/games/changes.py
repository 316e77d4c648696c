"""The operations of the games, pure: a game's row as values (``Game``), and each step of a
game as one ``Op`` for the writer, with the checks the writer makes for it.

Every step is a compare-and-set on the game's row, so a step can happen once whatever the
clicks, redeliveries or restarts around it:

- ``start``: the stake (a ``game_bet`` ledger row under the caller's reference), the member's
  nonce used (``nonce == n`` -> ``n + 1``), the cooldown (the member's last game of this kind
  at least ``cooldown_s`` ago) and the daily loss limit (this day's stakes minus payouts, with
  this stake, within the limit) checked by the writer's plan, and the game's row inserted:
  ``ended`` with its result when one draw decides it, ``open`` for a hand or a challenge.
- ``blackjack_move``: a hit, stand, double or timeout on the hand at version ``v`` (a double
  takes the second stake); the hand's end makes the row ``ended``.
- ``answer`` / ``close``: a challenge accepted (the opponent's stake taken, the outcome
  decided) or declined, withdrawn, expired (the challenger's stake to be refunded).
- ``settle``: ``ended`` -> ``settled``, once: the payout (``game_win``; a refund
  ``game_refund``), the player's counters, the day's net, a multiplier's game used and the XP.

A start is idempotent by its reference (the command's interaction). The steps after it are
idempotent by the compare-and-set on the row's status and version, not by their reference
(``remember=False``): a step refused for want of points (a double, a challenge's answer) is
not remembered as refused, so it can be taken once the member has them, and a step repeated
finds the row moved on and changes nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any, Final

import msgspec

from vouchy.features.games import blackjack, rps
from vouchy.features.games.fair import FairSeeds, RevealedSeed
from vouchy.features.games.results import WIN, GameResult, outcome_of
from vouchy.features.games.rules import GameLimits, boost, day_start_ms
from vouchy.features.games.tables import (
    DAILY,
    ENDED,
    GAMES_TABLE,
    OPEN,
    PLAYERS,
    REVEALED,
    SEEDS,
    SETTLED,
    UNPLAYED,
)
from vouchy.store.operations import Add, Change, Effect, Expect, Insert, Move, Op, Patch, Put

COOLDOWN_REFUSAL: Final = "games.too_soon"
LOSS_REFUSAL: Final = "games.loss_limit_reached"
SEEDS_MOVED: Final = "games.seeds_moved"


class Game(msgspec.Struct, kw_only=True, frozen=True):
    """A row of ``games`` (see ``tables.py``)."""

    guild_id: int
    game_id: int
    user_id: int
    opponent_id: int | None = None
    game: str
    status: str
    outcome: str = ""
    bet: int
    base_payout: int = 0
    payout: int = 0
    opponent_bet: int = 0
    opponent_payout: int = 0
    multiplier: int = 1
    xp: int = 0
    opponent_xp: int = 0
    choice: str = ""
    state: str = ""
    result: str = ""
    server_seed_hash: str = ""
    client_seed: str = ""
    nonce: int | None = None
    version: int = 0
    day: int
    channel_id: int | None = None
    locale: str = "en"
    bet_ref: str
    settle_ref: str = ""
    created_at: int
    updated_at: int
    expires_at: int | None = None

    @property
    def key(self) -> tuple[int, int]:
        return (self.guild_id, self.game_id)

    @property
    def is_challenge(self) -> bool:
        return self.opponent_id is not None

    @property
    def played(self) -> bool:
        """Whether the game was played (not a challenge that ended unanswered)."""
        return self.outcome not in UNPLAYED

    def hand(self) -> blackjack.BlackjackHand:
        return msgspec.json.decode(self.state, type=blackjack.BlackjackHand)

    def challenge(self) -> rps.RpsChallenge:
        return msgspec.json.decode(self.state, type=rps.RpsChallenge)

    def game_result(self) -> GameResult | None:
        """The result as the player saw it (None while open, or for an unplayed challenge)."""
        if not self.result:
            return None
        return msgspec.json.decode(self.result, type=GameResult)

    def outcome_for(self, user_id: int) -> str:
        """The outcome as ``user_id`` lived it (a challenge's opponent saw the other side)."""
        if user_id == self.opponent_id and self.played and self.outcome:
            return outcome_of(self.opponent_bet, self.opponent_payout)
        return self.outcome


def game_of(row: Mapping[str, Any] | sqlite3.Row) -> Game:
    """A database row (or a receipt's row) as a ``Game``."""
    return msgspec.convert({k: row[k] for k in row.keys()}, Game)


def _json(value: msgspec.Struct) -> str:
    return msgspec.json.encode(value).decode()


def reference(game_id: int, step: str) -> str:
    """The reference of a step a game takes by itself (``games:<id>:<step>``)."""
    return f"games:{game_id}:{step}"


def _stake_changes(
    guild_id: int,
    user_id: int,
    game: str,
    bet: int,
    limits: GameLimits,
    *,
    now_ms: int,
    day: int,
    cooldown: bool = True,
) -> list[Change]:
    """A stake's checks, for the writer's plan: the cooldown and the daily loss limit."""
    # Invariant: a member starts at most one game of a kind per cooldown, and their stakes
    # minus payouts of a day never pass the limit, however many owners submit at once.
    changes: list[Change] = []
    if cooldown:
        key = (guild_id, user_id, game)
        if limits.cooldown_s > 0:
            changes.append(
                Expect(
                    table=PLAYERS,
                    key=key,
                    column="last_played_at",
                    op="le",
                    value=now_ms - limits.cooldown_s * 1000,
                    missing_ok=True,
                    refuse=COOLDOWN_REFUSAL,
                    params={"game": game, "cooldown_s": limits.cooldown_s},
                )
            )
        changes.append(
            Patch(table=PLAYERS, key=key, values={"last_played_at": now_ms}, create=True)
        )
    limit = limits.daily_loss_limit
    changes.append(
        Add(
            table=DAILY,
            key=(guild_id, user_id, game, day),
            column="net",
            delta=bet,
            low=None,
            high=limit if limit > 0 else None,
            refuse=LOSS_REFUSAL,
            params={"limit": limit},
        )
    )
    return changes


def seed_changes(
    guild_id: int, user_id: int, seeds: FairSeeds, *, stored: bool, now_ms: int
) -> list[Change]:
    """Use the member's nonce ``seeds.nonce`` (their first seeds are stored with it)."""
    # Invariant: a (server seed, client seed, nonce) decides one game only.
    key = (guild_id, user_id)
    if not stored:
        return [
            Insert(
                table=SEEDS,
                key=key,
                values={
                    "server_seed": seeds.server_seed,
                    "server_seed_hash": seeds.server_seed_hash,
                    "client_seed": seeds.client_seed,
                    "nonce": seeds.nonce + 1,
                    "created_at": now_ms,
                    "updated_at": now_ms,
                },
                refuse=SEEDS_MOVED,
            )
        ]
    return [
        *_seeds_unchanged(guild_id, user_id, seeds),
        Patch(table=SEEDS, key=key, values={"nonce": seeds.nonce + 1, "updated_at": now_ms}),
    ]


def _seeds_unchanged(guild_id: int, user_id: int, seeds: FairSeeds) -> list[Change]:
    key = (guild_id, user_id)
    return [
        Expect(
            table=SEEDS,
            key=key,
            column="server_seed_hash",
            value=seeds.server_seed_hash,
            refuse=SEEDS_MOVED,
        ),
        Expect(table=SEEDS, key=key, column="nonce", value=seeds.nonce, refuse=SEEDS_MOVED),
    ]


def start(
    *,
    guild_id: int,
    user_id: int,
    game_id: int,
    game: str,
    bet: int,
    choice: str,
    reference: str,
    limits: GameLimits,
    now_ms: int,
    seeds: FairSeeds | None = None,
    seeds_stored: bool = True,
    opponent_id: int | None = None,
    result: GameResult | None = None,
    state: msgspec.Struct | None = None,
    expires_at: int | None = None,
    channel_id: int | None = None,
    locale: str = "en",
) -> Op:
    """A game begins: its stake taken and its row written, ``ended`` with ``result`` when the
    draw decided it already, else ``open`` with ``state`` (a hand, a challenge)."""
    day = day_start_ms(now_ms)
    values: dict[str, Any] = {
        "user_id": user_id,
        "opponent_id": opponent_id,
        "game": game,
        "status": ENDED if result is not None else OPEN,
        "bet": bet,
        "choice": choice,
        "state": _json(state) if state is not None else "",
        "day": day,
        "channel_id": channel_id,
        "locale": locale,
        "bet_ref": reference,
        "created_at": now_ms,
        "updated_at": now_ms,
        "expires_at": expires_at,
    }
    if result is not None:
        values.update(
            outcome=result.outcome, base_payout=result.payout, bet=result.bet, result=_json(result)
        )
    changes: list[Change] = []
    if seeds is not None:
        values.update(
            server_seed_hash=seeds.server_seed_hash,
            client_seed=seeds.client_seed,
            nonce=seeds.nonce,
        )
        changes += seed_changes(guild_id, user_id, seeds, stored=seeds_stored, now_ms=now_ms)
    changes += _stake_changes(guild_id, user_id, game, bet, limits, now_ms=now_ms, day=day)
    changes.append(
        Insert(table=GAMES_TABLE, key=(guild_id, game_id), values=values, refuse="games.exists")
    )
    return Op(
        guild_id=guild_id,
        user_id=user_id,
        reference=reference,
        name=f"games.{game}.start",
        moves=(Move(user_id=user_id, kind="game_bet", delta=-bet),),
        changes=tuple(changes),
        data={"game_id": game_id},
    )


def _open_at(row: Game) -> list[Change]:
    """The row is still open, at the version the caller read."""
    # Invariant: each version of a game takes one step: a second click, a timeout racing a
    # click, a redelivered answer all find the version moved on and change nothing.
    return [
        Expect(
            table=GAMES_TABLE,
            key=row.key,
            column="status",
            value=OPEN,
            refuse=f"games.{row.game}.over",
        ),
        Expect(
            table=GAMES_TABLE,
            key=row.key,
            column="version",
            value=row.version,
            refuse="games.moved_on",
        ),
    ]


def blackjack_move(
    row: Game,
    after: blackjack.BlackjackHand,
    action: str,
    *,
    limits: GameLimits,
    timeout_s: int,
    now_ms: int,
) -> Op:
    """One move on the hand the row holds at its version (``timeout`` included). A double
    takes the second stake (checked against the daily loss limit again)."""
    values: dict[str, Any] = {
        "state": _json(after),
        "version": row.version + 1,
        "updated_at": now_ms,
        "bet": blackjack.stake(after),
        "expires_at": now_ms + timeout_s * 1000,
    }
    if after.status == blackjack.SETTLED:
        result = blackjack.result_of(after)
        values.update(
            status=ENDED,
            outcome=result.outcome,
            base_payout=result.payout,
            result=_json(result),
            expires_at=None,
        )
    changes: list[Change] = [*_open_at(row), Patch(table=GAMES_TABLE, key=row.key, values=values)]
    moves: tuple[Move, ...] = ()
    extra = blackjack.stake(after) - row.bet
    if extra > 0:
        moves = (Move(user_id=row.user_id, kind="game_bet", delta=-extra),)
        changes += _stake_changes(
            row.guild_id,
            row.user_id,
            row.game,
            extra,
            limits,
            now_ms=now_ms,
            day=row.day,
            cooldown=False,
        )
    return Op(
        guild_id=row.guild_id,
        user_id=row.user_id,
        reference=reference(row.game_id, f"move{row.version}"),
        name=f"games.blackjack.{action}",
        moves=moves,
        changes=tuple(changes),
        data={"game_id": row.game_id},
        remember=False,  # once by the version's compare-and-set (see the module's docstring)
    )


def answer(
    row: Game,
    settled: rps.RpsChallenge,
    challenger: GameResult,
    opponent: GameResult,
    *,
    limits: GameLimits,
    now_ms: int,
) -> Op:
    """The opponent's move: their stake taken, the outcome decided."""
    if row.opponent_id is None:
        raise ValueError("not a challenge")
    changes: list[Change] = [
        *_open_at(row),
        Expect(
            table=GAMES_TABLE,
            key=row.key,
            column="expires_at",
            op="gt",
            value=now_ms,
            refuse="games.rps.challenge_expired",
        ),
        *_stake_changes(
            row.guild_id,
            row.opponent_id,
            row.game,
            row.bet,
            limits,
            now_ms=now_ms,
            day=row.day,
        ),
        Patch(
            table=GAMES_TABLE,
            key=row.key,
            values={
                "status": ENDED,
                "outcome": challenger.outcome,
                "base_payout": challenger.payout,
                "opponent_bet": opponent.bet,
                "opponent_payout": opponent.payout,
                "state": _json(settled),
                "result": _json(challenger),
                "version": row.version + 1,
                "updated_at": now_ms,
                "expires_at": None,
            },
        ),
    ]
    return Op(
        guild_id=row.guild_id,
        user_id=row.opponent_id,
        reference=reference(row.game_id, "answer"),
        name="games.rps.answer",
        moves=(Move(user_id=row.opponent_id, kind="game_bet", delta=-row.bet),),
        changes=tuple(changes),
        data={"game_id": row.game_id},
        remember=False,
    )


def close(row: Game, closed: rps.RpsChallenge, *, by_user_id: int, now_ms: int) -> Op:
    """A challenge declined, withdrawn or expired: its stake goes back at settlement."""
    if closed.status not in UNPLAYED:
        raise ValueError(f"a challenge is not closed as {closed.status}")
    changes: list[Change] = [*_open_at(row)]
    if closed.status == rps.EXPIRED:
        changes.append(
            Expect(
                table=GAMES_TABLE,
                key=row.key,
                column="expires_at",
                op="le",
                value=now_ms,
                refuse="games.rps.challenge_still_open",
            )
        )
    changes.append(
        Patch(
            table=GAMES_TABLE,
            key=row.key,
            values={
                "status": ENDED,
                "outcome": closed.status,
                "base_payout": row.bet,
                "state": _json(closed),
                "version": row.version + 1,
                "updated_at": now_ms,
                "expires_at": None,
            },
        )
    )
    return Op(
        guild_id=row.guild_id,
        user_id=by_user_id,
        reference=reference(row.game_id, "close"),
        name=f"games.rps.{closed.status}",
        changes=tuple(changes),
        data={"game_id": row.game_id},
        remember=False,
    )


def _counters(row: Game, user_id: int, bet: int, payout: int) -> list[Change]:
    key = (row.guild_id, user_id, row.game)
    won = 1 if outcome_of(bet, payout) == WIN else 0
    return [
        Add(table=PLAYERS, key=key, column="played", delta=1),
        Add(table=PLAYERS, key=key, column="won", delta=won),
        Add(table=PLAYERS, key=key, column="staked", delta=bet),
        Add(table=PLAYERS, key=key, column="paid", delta=payout),
    ]


def _paid_back(row: Game, user_id: int, payout: int) -> Add:
    return Add(
        table=DAILY,
        key=(row.guild_id, user_id, row.game, row.day),
        column="net",
        delta=-payout,
        low=None,
    )


def settle(
    row: Game,
    *,
    reference: str,
    now_ms: int,
    multiplier: int = 1,
    multiplier_changes: Sequence[Change] = (),
    xp: int = 0,
    xp_changes: Sequence[Change] = (),
    opponent_xp: int = 0,
    opponent_xp_changes: Sequence[Change] = (),
    effects: Sequence[Effect] = (),
) -> Op:
    """Pay an ended game, once: the player's payout with the multiplier on its winnings (a
    house game), a challenge's payouts to both members or the refund of an unplayed one."""
    # Invariant: ``ended`` -> ``settled`` once (the Expect), so a game pays at most once; and
    # it pays exactly what its row says (the audit compares the ledger with it).
    payout = (
        boost(row.bet, row.base_payout, multiplier) if not row.is_challenge else row.base_payout
    )
    moves: list[Move] = []
    changes: list[Change] = [
        Expect(
            table=GAMES_TABLE,
            key=row.key,
            column="status",
            value=ENDED,
            refuse="games.already_settled",
        ),
        Patch(
            table=GAMES_TABLE,
            key=row.key,
            values={
                "status": SETTLED,
                "payout": payout,
                "multiplier": multiplier,
                "xp": xp,
                "opponent_xp": opponent_xp,
                "settle_ref": reference,
                "updated_at": now_ms,
                "expires_at": None,
            },
        ),
    ]
    kind = "game_win" if row.played else "game_refund"
    if payout > 0:
        moves.append(Move(user_id=row.user_id, kind=kind, delta=payout))
    changes.append(_paid_back(row, row.user_id, payout))
    if row.played:
        changes += _counters(row, row.user_id, row.bet, payout)
    if row.opponent_id is not None and row.played:
        if row.opponent_payout > 0:
            moves.append(Move(user_id=row.opponent_id, kind=kind, delta=row.opponent_payout))
        changes.append(_paid_back(row, row.opponent_id, row.opponent_payout))
        changes += _counters(row, row.opponent_id, row.opponent_bet, row.opponent_payout)
    changes += [*multiplier_changes, *xp_changes, *opponent_xp_changes]
    return Op(
        guild_id=row.guild_id,
        user_id=row.user_id,
        reference=reference,
        name=f"games.{row.game}.settle",
        moves=tuple(moves),
        changes=tuple(changes),
        effects=tuple(effects),
        data={"game_id": row.game_id, "payout": payout},
    )


# -- A member's seeds ------------------------------------------------------------------------


def store_seeds(
    guild_id: int, user_id: int, seeds: FairSeeds, *, reference: str, now_ms: int
) -> Op:
    """A member's first seeds (shown by ``/fair`` before any game)."""
    return Op(
        guild_id=guild_id,
        user_id=user_id,
        reference=reference,
        name="games.fair.seeds",
        changes=(
            Insert(
                table=SEEDS,
                key=(guild_id, user_id),
                values={
                    "server_seed": seeds.server_seed,
                    "server_seed_hash": seeds.server_seed_hash,
                    "client_seed": seeds.client_seed,
                    "nonce": seeds.nonce,
                    "created_at": now_ms,
                    "updated_at": now_ms,
                },
                refuse=SEEDS_MOVED,
            ),
        ),
    )


def set_client_seed(
    guild_id: int,
    user_id: int,
    seeds: FairSeeds,
    client_seed: str,
    *,
    stored: bool,
    reference: str,
    now_ms: int,
) -> Op:
    """The member's own client seed from their next game on."""
    if not stored:
        op = store_seeds(
            guild_id,
            user_id,
            msgspec.structs.replace(seeds, client_seed=client_seed),
            reference=reference,
            now_ms=now_ms,
        )
        return msgspec.structs.replace(op, name="games.fair.client_seed")
    return Op(
        guild_id=guild_id,
        user_id=user_id,
        reference=reference,
        name="games.fair.client_seed",
        changes=(
            *_seeds_unchanged(guild_id, user_id, seeds),
            Patch(
                table=SEEDS,
                key=(guild_id, user_id),
                values={"client_seed": client_seed, "updated_at": now_ms},
            ),
        ),
    )


def rotate(
    guild_id: int,
    user_id: int,
    old: FairSeeds,
    fresh: FairSeeds,
    revealed: RevealedSeed,
    *,
    stored: bool,
    created_at: int,
    reference: str,
    now_ms: int,
) -> Op:
    """A new server seed, and the old one kept as revealed."""
    key = (guild_id, user_id)
    changes: list[Change] = [*_seeds_unchanged(guild_id, user_id, old)] if stored else []
    changes += [
        Put(
            table=SEEDS,
            key=key,
            values={
                "server_seed": fresh.server_seed,
                "server_seed_hash": fresh.server_seed_hash,
                "client_seed": fresh.client_seed,
                "nonce": fresh.nonce,
                "created_at": now_ms,
                "updated_at": now_ms,
            },
        ),
        Insert(
            table=REVEALED,
            key=(guild_id, user_id, revealed.server_seed_hash),
            values={
                "server_seed": revealed.server_seed,
                "games": revealed.games,
                "created_at": created_at,
                "revealed_at": now_ms,
            },
            refuse=SEEDS_MOVED,
        ),
    ]
    return Op(
        guild_id=guild_id,
        user_id=user_id,
        reference=reference,
        name="games.fair.rotate",
        changes=tuple(changes),
        data={"revealed": revealed.server_seed_hash},
    )

"""The games service: what the Discord commands, the benchmark and the tests call. It draws
each outcome from the member's provably fair seeds, builds every step of a game with the pure
operations of ``changes.py`` and commits it through the owner of the game's rows; reads go to
the read side.

Who owns what (invariant 5):
- a member's own games (every house game, blackjack hands included), their seeds and nonce:
  the member's owner (``actors.member``), which runs each game's steps in its turn, so the
  nonce read from its cache is the one the writer expects, and a click and a timeout on the
  same hand never race;
- a challenge between two members: the game's owner (``actors.games``, by guild and game);
  what it changes of the members' rows (their stakes, cooldowns and daily counters) is checked
  in the writer's plan, never read then written.

A bet is never lost and never paid twice: the stake and the game's row are one operation, the
payout and ``ended -> settled`` another (a compare-and-set), and the background sweep settles
what a stop left ``ended``, stands hands left alone, and refunds challenges nobody answered, at
every start and every few seconds after.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any, Final, Protocol, TypeVar

import msgspec

from vouchy.actors.owners import Actors, Owner
from vouchy.core.errors import (
    ConfigError,
    InvalidInput,
    ReferenceTaken,
    Refused,
    VouchyError,
)
from vouchy.core.logs import get_logger
from vouchy.core.validation import check_page
from vouchy.features.base import Context
from vouchy.features.games import (
    blackjack,
    changes,
    coinflip,
    dice,
    odds,
    roulette,
    rps,
    slots,
    words,
)
from vouchy.features.games.changes import Game, game_of
from vouchy.features.games.config import (
    GamesSettings,
    check_settings,
    game_settings,
)
from vouchy.features.games.fair import (
    Entropy,
    FairSeeds,
    FairStream,
    RevealedSeed,
    check_client_seed,
    new_seeds,
    rotate,
    shuffled_deck,
)
from vouchy.features.games.results import WIN, GameResult
from vouchy.features.games.rules import (
    DailyLossLimit,
    GameCooldown,
    GameLimits,
    check_bet,
    settle,
)
from vouchy.features.games.tables import ENDED, GAMES_TABLE, OPEN, SEEDS, SETTLED
from vouchy.store.operations import Add, Change, Effect, Op, Receipt
from vouchy.store.reader import Reader
from vouchy.store.settings import SettingsStore

log = get_logger("vouchy.games")

T = TypeVar("T")

HOUSE_GAMES: Final = ("coinflip", "roulette", "slots", "dice", "rps", "blackjack")
SEEDS_STATE: Final = "games.seeds"  # the member's seeds, in their owner's state
SETTLE_TRIES: Final = 20
SWEEP_BATCH: Final = 500


class GameXp(Protocol):
    """What the levels feature offers a game (``LevelsService``): the XP of one result, as
    changes for the game's own settlement."""

    async def game_xp_changes(
        self, guild_id: int, user_id: int, *, won: bool, game_id: int | str, channel_id: int | None
    ) -> tuple[Change, ...]: ...


class Multipliers(Protocol):
    """What the shop offers a game (``ShopService``): the member's active multiplier and the
    changes that use one of its games."""

    async def multiplier_for_game(
        self, guild_id: int, user_id: int
    ) -> tuple[int, tuple[Change, ...]]: ...


class Outcome(msgspec.Struct, frozen=True, kw_only=True):
    """A game as it stands after a step: its row, and the member's balance after it."""

    game: Game
    balance: int | None = None
    moved_on: bool = False  # the step was not taken: the game had moved on (shown as it is)
    duplicate: bool = False  # the same start again (a redelivery): answered as it stands


class HistoryPage(msgspec.Struct, frozen=True, kw_only=True):
    user_id: int
    games: list[Game]
    page: int
    pages: int
    total: int


class PlayerStats(msgspec.Struct, frozen=True, kw_only=True):
    game: str
    played: int
    won: int
    staked: int
    paid: int


class SweepReport(msgspec.Struct, kw_only=True):
    timed_out: int = 0
    expired: int = 0
    settled: int = 0
    failed: int = 0

    @property
    def anything(self) -> bool:
        return bool(self.timed_out or self.expired or self.settled or self.failed)


def check_channel(settings: GamesSettings, channel_id: int | None) -> None:
    """Games are played in the guild's game channels, when it names some."""
    if settings.channels and channel_id is not None and channel_id not in settings.channels:
        channels = ", ".join(f"<#{c}>" for c in settings.channels[:10])
        raise InvalidInput("games.wrong_channel", channels=channels)


def parse_choice(game: str, choice: str, settings: GamesSettings) -> str:
    """The player's choice as it is recorded (and replayed by ``fair verify``)."""
    if game == "coinflip":
        return coinflip.check_call(choice)
    if game == "roulette":
        kind, _, pick = choice.partition(":")
        on = roulette.check_bet_on(kind, pick)
        return f"{on.kind}:{on.choice}"
    if game == "dice":
        target = int(choice) if choice.isdigit() else -1
        return str(dice.check_target(target, settings.dice))
    if game == "rps":
        return rps.check_choice(choice)
    return ""


def draw(
    game: str,
    stream: FairStream,
    bet: int,
    choice: str,
    settings: GamesSettings,
    user_id: int,
    now_ms: int,
) -> GameResult | blackjack.BlackjackHand:
    """What the seeds decide for one game: a result, or a blackjack hand as dealt."""
    if game == "coinflip":
        return coinflip.play(stream, bet, choice, settings.coinflip)
    if game == "roulette":
        kind, _, pick = choice.partition(":")
        return roulette.play(stream, bet, roulette.check_bet_on(kind, pick))
    if game == "dice":
        return dice.play(stream, bet, int(choice), settings.dice)
    if game == "slots":
        return slots.play(stream, bet, settings.slots)
    if game == "rps":
        return rps.play(stream, bet, choice)
    deck = shuffled_deck(stream, settings.blackjack.decks)
    return blackjack.deal(user_id, bet, deck, now_ms=now_ms)


def converted(error: Refused, game: str, now_ms: int) -> VouchyError:
    """A refusal of the writer's plan as the member reads it (how long to wait, what is left)."""
    params: dict[str, Any] = error.params
    if error.key == changes.COOLDOWN_REFUSAL:
        last = int(params.get("current") or 0)
        ready = last + int(params.get("cooldown_s") or 0) * 1000
        return GameCooldown(str(params.get("game") or game), max(1, ready - now_ms) / 1000)
    if error.key == changes.LOSS_REFUSAL:
        limit = int(params.get("limit") or 0)
        current = int(params.get("current") or 0)
        return DailyLossLimit(limit=limit, left=max(0, limit - current))
    return error


class GamesService:
    """Every game of every guild."""

    def __init__(
        self,
        actors: Actors,
        reader: Reader,
        settings: SettingsStore,
        *,
        levels: GameXp | None = None,
        shop: Multipliers | None = None,
        starting_balance: int = 0,
        max_amount: int = 1_000_000_000,
        page_size: int = 10,
        clock: Callable[[], int] | None = None,
        entropy: Entropy = secrets.token_bytes,
        sweep_every_s: float = 5.0,
        odds_rounds: int = 100_000,
    ) -> None:
        self.actors = actors
        self.reader = reader
        self.settings = settings
        self.levels = levels  # LevelsService: the XP of a game, when the feature is there
        self.shop = shop  # ShopService: an active multiplier, when the feature is there
        self.starting_balance = starting_balance
        self.max_amount = max_amount  # the most one command moves (limits.max_amount)
        self.page_size = page_size
        self.clock = clock or (lambda: int(time.time() * 1000))
        self.entropy = entropy
        self.sweep_every_s = sweep_every_s
        self.odds_rounds = odds_rounds
        self._blackjack_odds: dict[int, odds.SimulatedReturn] = {}
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.settled = 0  # games this process settled (the benchmark reads it)

    @classmethod
    def create(cls, ctx: Context) -> GamesService:
        defaults = ctx.settings.default("games")
        assert isinstance(defaults, GamesSettings)
        try:
            check_settings(defaults)
        except InvalidInput as e:
            raise ConfigError(f"bad setting in [games]: {e.message}") from None
        points = ctx.services.get("points")
        return cls(
            ctx.actors,
            ctx.reader,
            ctx.settings,
            levels=ctx.services.get("levels"),
            shop=ctx.services.get("shop"),
            starting_balance=getattr(points, "starting_balance", 0),
            max_amount=ctx.config.limits.max_amount,
            page_size=ctx.config.limits.page_size,
        )

    async def settings_for(self, guild_id: int) -> GamesSettings:
        return await self.settings.get(guild_id, "games", GamesSettings)

    # -- reads --------------------------------------------------------------------------------

    async def game(self, guild_id: int, game_id: int) -> Game | None:
        row = await self.reader.row(
            "SELECT * FROM games WHERE guild_id = ? AND game_id = ?", (guild_id, game_id)
        )
        return None if row is None else game_of(row)

    async def balance(self, guild_id: int, user_id: int) -> int:
        found = await self.reader.scalar(
            "SELECT balance FROM accounts WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        )
        return self.starting_balance if found is None else int(found)

    async def history(self, guild_id: int, user_id: int, page: int = 1) -> HistoryPage:
        """The member's games (their own and the challenges they answered), newest first."""
        page = check_page(page)
        size = self.page_size
        total = await self.reader.scalar(
            "SELECT (SELECT COUNT(*) FROM games WHERE guild_id = ? AND user_id = ?)"
            " + (SELECT COUNT(*) FROM games WHERE guild_id = ? AND opponent_id = ?)",
            (guild_id, user_id, guild_id, user_id),
        )
        rows = await self.reader.rows(
            "SELECT * FROM (SELECT * FROM games WHERE guild_id = ? AND user_id = ?"
            " UNION ALL SELECT * FROM games WHERE guild_id = ? AND opponent_id = ?)"
            " ORDER BY created_at DESC, game_id DESC LIMIT ? OFFSET ?",
            (guild_id, user_id, guild_id, user_id, size, (page - 1) * size),
        )
        return HistoryPage(
            user_id=user_id,
            games=[game_of(r) for r in rows],
            page=page,
            pages=max(1, -(-int(total) // size)),
            total=int(total),
        )

    async def stats(self, guild_id: int, user_id: int) -> list[PlayerStats]:
        rows = await self.reader.rows(
            "SELECT game, played, won, staked, paid FROM games_players"
            " WHERE guild_id = ? AND user_id = ? AND played > 0 ORDER BY game",
            (guild_id, user_id),
        )
        return [
            PlayerStats(
                game=r["game"], played=r["played"], won=r["won"], staked=r["staked"], paid=r["paid"]
            )
            for r in rows
        ]

    async def odds(self, guild_id: int) -> list[odds.ExactReturn | odds.SimulatedReturn]:
        """Each game's return to player with the guild's settings (blackjack simulated once
        per number of decks, in a worker thread, then kept)."""
        settings = await self.settings_for(guild_id)
        decks = settings.blackjack.decks
        simulated = self._blackjack_odds.get(decks)
        if simulated is None:
            simulated = await asyncio.to_thread(
                odds.blackjack_simulation, self.odds_rounds, config=settings.blackjack
            )
            self._blackjack_odds[decks] = simulated
        return await asyncio.to_thread(odds.overview, settings, blackjack_odds=simulated)

    # -- a member's seeds ----------------------------------------------------------------------

    async def _stored_seeds(self, owner: Owner, guild_id: int, user_id: int) -> FairSeeds | None:
        """The member's seeds (cached in their owner: it is their only writer)."""
        cached = owner.state.get(SEEDS_STATE)
        if isinstance(cached, FairSeeds):
            return cached
        row = await self.reader.row(
            f"SELECT server_seed, server_seed_hash, client_seed, nonce FROM {SEEDS}"
            " WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        if row is None:
            return None
        seeds = FairSeeds(
            server_seed=row["server_seed"],
            server_seed_hash=row["server_seed_hash"],
            client_seed=row["client_seed"],
            nonce=row["nonce"],
        )
        owner.state[SEEDS_STATE] = seeds
        return seeds

    async def _commit(self, owner: Owner, op: Op) -> Receipt:
        """Submit from inside the owner's turn (its own mailbox would wait on this job). A
        failure that may have changed the member's seeds makes the owner read them again."""
        try:
            return await owner.writer.submit(op)
        except Refused as e:
            if e.key == changes.SEEDS_MOVED:
                owner.state.pop(SEEDS_STATE, None)
            raise
        except BaseException:
            owner.state.pop(SEEDS_STATE, None)
            raise

    def _turn(
        self, guild_id: int, user_id: int, job: Callable[[Owner], Awaitable[T]]
    ) -> asyncio.Future[T]:
        return self.actors.member(guild_id, user_id).run(job)

    async def seeds(self, guild_id: int, user_id: int, reference: str) -> FairSeeds:
        """The member's current seeds; their first ones are made and stored now, so the hash
        is shown before any game."""

        async def job(owner: Owner) -> FairSeeds:
            found = await self._stored_seeds(owner, guild_id, user_id)
            if found is not None:
                return found
            fresh = new_seeds(self.entropy)
            op = changes.store_seeds(
                guild_id, user_id, fresh, reference=reference, now_ms=self.clock()
            )
            await self._commit(owner, op)
            owner.state[SEEDS_STATE] = fresh
            return fresh

        return await self._turn(guild_id, user_id, job)

    async def set_client_seed(
        self, guild_id: int, user_id: int, client_seed: str, reference: str
    ) -> FairSeeds:
        client_seed = check_client_seed(client_seed)

        async def job(owner: Owner) -> FairSeeds:
            found = await self._stored_seeds(owner, guild_id, user_id)
            seeds = found or new_seeds(self.entropy)
            op = changes.set_client_seed(
                guild_id,
                user_id,
                seeds,
                client_seed,
                stored=found is not None,
                reference=reference,
                now_ms=self.clock(),
            )
            await self._commit(owner, op)
            after = msgspec.structs.replace(seeds, client_seed=client_seed)
            owner.state[SEEDS_STATE] = after
            return after

        return await self._turn(guild_id, user_id, job)

    async def rotate(
        self, guild_id: int, user_id: int, reference: str
    ) -> tuple[RevealedSeed, FairSeeds]:
        """Reveal the member's server seed and start a new one; refused while a hand dealt
        from it is open (the seed would show the rest of the deck)."""

        async def job(owner: Owner) -> tuple[RevealedSeed, FairSeeds]:
            found = await self._stored_seeds(owner, guild_id, user_id)
            seeds = found or new_seeds(self.entropy)
            open_games = await self.reader.scalar(
                "SELECT COUNT(*) FROM games WHERE guild_id = ? AND user_id = ?"
                " AND status = 'open' AND server_seed_hash = ?",
                (guild_id, user_id, seeds.server_seed_hash),
            )
            fresh, revealed = rotate(seeds, open_games=int(open_games), entropy=self.entropy)
            created = await self.reader.scalar(
                f"SELECT created_at FROM {SEEDS} WHERE guild_id = ? AND user_id = ?",
                (guild_id, user_id),
            )
            now = self.clock()
            op = changes.rotate(
                guild_id,
                user_id,
                seeds,
                fresh,
                revealed,
                stored=found is not None,
                created_at=int(created or now),
                reference=reference,
                now_ms=now,
            )
            await self._commit(owner, op)
            owner.state[SEEDS_STATE] = fresh
            return revealed, fresh

        return await self._turn(guild_id, user_id, job)

    async def revealed(self, guild_id: int, user_id: int, limit: int = 3) -> list[RevealedSeed]:
        """The member's revealed server seeds, the newest first."""
        rows = await self.reader.rows(
            "SELECT server_seed, server_seed_hash, games FROM games_revealed"
            " WHERE guild_id = ? AND user_id = ? ORDER BY revealed_at DESC LIMIT ?",
            (guild_id, user_id, limit),
        )
        return [
            RevealedSeed(
                server_seed=r["server_seed"],
                server_seed_hash=r["server_seed_hash"],
                games=r["games"],
            )
            for r in rows
        ]

    # -- house games ----------------------------------------------------------------------------

    def _stake(self, bet: object, limits: GameLimits) -> int:
        """A bet within the game's bounds and what one command may move."""
        stake = check_bet(bet, limits)
        if stake > self.max_amount:
            raise InvalidInput("games.bet_too_large", maximum=self.max_amount, bet=stake)
        return stake

    async def play(
        self,
        guild_id: int,
        user_id: int,
        game: str,
        bet: object,
        choice: str = "",
        *,
        game_id: int,
        reference: str,
        channel_id: int | None = None,
        locale: str = "en",
    ) -> Outcome:
        """Play a house game: the stake taken, the outcome drawn from the member's seeds and
        paid (a blackjack hand is dealt and waits for its moves). The same ``game_id`` and
        ``reference`` again (a redelivery) answer the game as it stands."""
        if game not in HOUSE_GAMES:
            raise InvalidInput("games.unknown_game", game=str(game)[:20])
        settings = await self.settings_for(guild_id)
        check_channel(settings, channel_id)
        stake = self._stake(bet, game_settings(settings, game))
        picked = parse_choice(game, choice, settings)

        async def job(owner: Owner) -> Outcome:
            # A repeat of the start (its reference known) is answered by the writer with the
            # first receipt, whatever the seeds or the balance say now: no read needed first.
            row, started = await self._start(
                owner, guild_id, user_id, game, stake, picked, settings,
                game_id=game_id, reference=reference, channel_id=channel_id, locale=locale,
            )  # fmt: skip
            balance = started.balance_of(user_id)
            if started.duplicate:  # the game may have moved on since: as it stands now
                row = await self.game(guild_id, game_id) or row
                balance = None
            if row.status == ENDED:
                row, paid = await self._settle_paid(owner, row)
                if paid is not None and paid.balance_of(user_id) is not None:
                    balance = paid.balance_of(user_id)
            if balance is None:
                balance = await self.balance(guild_id, user_id)
            return Outcome(game=row, balance=balance, duplicate=started.duplicate)

        return await self._turn(guild_id, user_id, job)

    async def _start(
        self,
        owner: Owner,
        guild_id: int,
        user_id: int,
        game: str,
        stake: int,
        choice: str,
        settings: GamesSettings,
        *,
        game_id: int,
        reference: str,
        channel_id: int | None,
        locale: str,
    ) -> tuple[Game, Receipt]:
        """In the member's turn: draw from their next nonce and commit the start. Seeds
        changed under the owner's cache (a repair) refuse it with ``games.seeds_moved``: the
        cache is dropped, and the member's next command reads them again."""
        stored = await self._stored_seeds(owner, guild_id, user_id)
        seeds = stored or new_seeds(self.entropy)
        now = self.clock()
        stream = FairStream(seeds.server_seed, seeds.client_seed, seeds.nonce)
        drawn = draw(game, stream, stake, choice, settings, user_id, now)
        result: GameResult | None = None
        state: msgspec.Struct | None = None
        expires_at = None
        if isinstance(drawn, blackjack.BlackjackHand):
            state = drawn
            if drawn.status == blackjack.SETTLED:
                result = blackjack.result_of(drawn)
            else:
                expires_at = blackjack.expires_at_ms(drawn, settings.blackjack)
        else:
            result = drawn
        op = changes.start(
            guild_id=guild_id,
            user_id=user_id,
            game_id=game_id,
            game=game,
            bet=stake,
            choice=choice,
            reference=reference,
            limits=game_settings(settings, game),
            now_ms=now,
            seeds=seeds,
            seeds_stored=stored is not None,
            result=result,
            state=state,
            expires_at=expires_at,
            channel_id=channel_id,
            locale=locale,
        )
        try:
            receipt = await self._commit(owner, op)
        except Refused as e:
            raise converted(e, game, now) from None
        if not receipt.duplicate:
            owner.state[SEEDS_STATE] = msgspec.structs.replace(seeds, nonce=seeds.nonce + 1)
        found = receipt.row(GAMES_TABLE)
        if found is None or found["user_id"] != user_id or found["game_id"] != game_id:
            raise ReferenceTaken()  # the reference started another game
        return game_of(found), receipt

    async def act(
        self, guild_id: int, user_id: int, game_id: int, action: str, version: int
    ) -> Outcome:
        """A blackjack button (``hit``, ``stand``, ``double``) on the hand as it was shown
        (``version``). Another member's click is refused; a click on a hand that has moved on
        changes nothing and answers the hand as it stands."""
        if action not in blackjack.ACTIONS:
            raise InvalidInput("games.blackjack.bad_action")
        shown = await self.game(guild_id, game_id)
        if shown is None or shown.game != "blackjack":
            raise InvalidInput("component.unknown")
        if shown.user_id != user_id:
            raise Refused("games.blackjack.not_your_hand")

        async def job(owner: Owner) -> Outcome:
            row = await self.game(guild_id, game_id)
            assert row is not None
            now = self.clock()
            if row.status == OPEN and row.expires_at is not None and now >= row.expires_at:
                # Too late: the hand stood when its time ran out, whether or not the sweep
                # has come by yet.
                timed_out = blackjack.timeout(row.hand(), now_ms=now)
                row = await self._move(owner, row, timed_out, "timeout", now)
            if row.status != OPEN or row.version != version:
                if row.status == ENDED:
                    row = await self._settle(owner, row)
                return Outcome(
                    game=row, balance=await self.balance(guild_id, user_id), moved_on=True
                )
            after = blackjack.act(row.hand(), action, user_id, now_ms=now)
            row = await self._move(owner, row, after, action, now)
            if row.status == ENDED:
                row = await self._settle(owner, row)
            return Outcome(game=row, balance=await self.balance(guild_id, user_id))

        return await self._turn(guild_id, user_id, job)

    async def _move(
        self, owner: Owner, row: Game, after: blackjack.BlackjackHand, action: str, now: int
    ) -> Game:
        settings = await self.settings_for(row.guild_id)
        op = changes.blackjack_move(
            row,
            after,
            action,
            limits=settings.blackjack,
            timeout_s=settings.blackjack.timeout_s,
            now_ms=now,
        )
        try:
            receipt = await self._commit(owner, op)
        except Refused as e:
            raise converted(e, row.game, now) from None
        found = receipt.row(GAMES_TABLE, row.key)
        return game_of(found) if found is not None else row

    # -- challenges -----------------------------------------------------------------------------

    def _game_owner(self, guild_id: int, game_id: int) -> Owner:
        return self.actors.games.get((int(guild_id), int(game_id)))

    async def challenge(
        self,
        guild_id: int,
        user_id: int,
        opponent_id: int,
        bet: object,
        choice: str,
        *,
        game_id: int,
        reference: str,
        opponent_is_bot: bool = False,
        channel_id: int | None = None,
        locale: str = "en",
    ) -> Outcome:
        """Challenge a member to rock paper scissors: the challenger's stake is taken now and
        held until the challenge ends (refunded if it is declined, withdrawn or ignored)."""
        settings = await self.settings_for(guild_id)
        check_channel(settings, channel_id)
        config = settings.rps
        stake = self._stake(bet, config)
        now = self.clock()
        opened = rps.challenge(
            user_id,
            opponent_id,
            stake,
            choice,
            now_ms=now,
            config=config,
            opponent_is_bot=opponent_is_bot,
        )

        async def job(owner: Owner) -> Outcome:
            existing = await self.game(guild_id, game_id)
            if existing is not None:
                if existing.user_id != user_id or existing.bet_ref != reference:
                    raise ReferenceTaken()
                return Outcome(
                    game=existing, balance=await self.balance(guild_id, user_id), duplicate=True
                )
            op = changes.start(
                guild_id=guild_id,
                user_id=user_id,
                game_id=game_id,
                game="rps",
                bet=stake,
                choice=opened.challenger_choice,
                reference=reference,
                limits=config,
                now_ms=now,
                opponent_id=opponent_id,
                state=opened,
                expires_at=opened.expires_at_ms,
                channel_id=channel_id,
                locale=locale,
            )
            try:
                receipt = await self._commit(owner, op)
            except Refused as e:
                raise converted(e, "rps", now) from None
            found = receipt.row(GAMES_TABLE)
            if found is None:
                raise ReferenceTaken()
            return Outcome(
                game=game_of(found),
                balance=receipt.balance_of(user_id),
                duplicate=receipt.duplicate,
            )

        return await self._game_owner(guild_id, game_id).run(job)

    async def _challenge_row(self, guild_id: int, game_id: int) -> Game:
        row = await self.game(guild_id, game_id)
        if row is None or not row.is_challenge:
            raise InvalidInput("component.unknown")
        return row

    async def answer(self, guild_id: int, user_id: int, game_id: int, choice: str) -> Outcome:
        """The challenged member's move: their stake is taken and the challenge is settled at
        once. Anyone else's click is refused; a challenge that ended answers as it ended (one
        whose time ran out is refunded now)."""
        shown = await self._challenge_row(guild_id, game_id)
        if shown.opponent_id != user_id:
            raise Refused("games.rps.not_your_challenge")
        picked = rps.check_choice(choice)

        async def job(owner: Owner) -> Outcome:
            row = await self._challenge_row(guild_id, game_id)
            now = self.clock()
            if row.status == OPEN and row.expires_at is not None and now >= row.expires_at:
                row = await self._close(owner, row, rps.expire(row.challenge(), now_ms=now), now)
            if row.status != OPEN:
                if row.status == ENDED:
                    row = await self._settle(owner, row)
                return Outcome(
                    game=row, balance=await self.balance(guild_id, user_id), moved_on=True
                )
            settled, mine, theirs = rps.answer(row.challenge(), user_id, picked, now_ms=now)
            settings = await self.settings_for(guild_id)
            op = changes.answer(row, settled, mine, theirs, limits=settings.rps, now_ms=now)
            try:
                receipt = await self._commit(owner, op)
            except Refused as e:
                raise converted(e, "rps", now) from None
            found = receipt.row(GAMES_TABLE, row.key)
            row = await self._settle(owner, game_of(found) if found is not None else row)
            return Outcome(game=row, balance=await self.balance(guild_id, user_id))

        return await self._game_owner(guild_id, game_id).run(job)

    async def close_challenge(self, guild_id: int, user_id: int, game_id: int) -> Outcome:
        """The challenged member declines, or the challenger withdraws: the stake goes back."""
        shown = await self._challenge_row(guild_id, game_id)
        if user_id not in (shown.user_id, shown.opponent_id):
            raise Refused("games.rps.not_your_challenge")

        async def job(owner: Owner) -> Outcome:
            row = await self._challenge_row(guild_id, game_id)
            now = self.clock()
            if row.status == OPEN:
                ch = row.challenge()
                closed = (
                    rps.expire(ch, now_ms=now)
                    if row.expires_at is not None and now >= row.expires_at
                    else rps.decline(ch, user_id, now_ms=now)
                )
                row = await self._close(owner, row, closed, now, by_user_id=user_id)
                moved_on = closed.status == rps.EXPIRED
            else:
                moved_on = True
            if row.status == ENDED:
                row = await self._settle(owner, row)
            balance = await self.balance(guild_id, row.user_id)
            return Outcome(game=row, balance=balance, moved_on=moved_on)

        return await self._game_owner(guild_id, game_id).run(job)

    async def _close(
        self,
        owner: Owner,
        row: Game,
        closed: rps.RpsChallenge,
        now: int,
        *,
        by_user_id: int | None = None,
    ) -> Game:
        op = changes.close(row, closed, by_user_id=by_user_id or row.user_id, now_ms=now)
        receipt = await self._commit(owner, op)
        found = receipt.row(GAMES_TABLE, row.key)
        return game_of(found) if found is not None else row

    # -- settlement -----------------------------------------------------------------------------

    async def _xp(self, row: Game, user_id: int, won: bool) -> tuple[int, tuple[Change, ...]]:
        """The XP the levels feature gives for this game (none without it)."""
        if self.levels is None:
            return 0, ()
        found = await self.levels.game_xp_changes(
            row.guild_id, user_id, won=won, game_id=row.game_id, channel_id=row.channel_id
        )
        xp = sum(c.delta for c in found if isinstance(c, Add) and c.column == "pending_xp")
        return xp, found

    async def _multiplier(self, row: Game) -> tuple[int, tuple[Change, ...]]:
        """The member's active multiplier (a house game's winnings only)."""
        if self.shop is None or row.is_challenge:
            return 1, ()
        return await self.shop.multiplier_for_game(row.guild_id, row.user_id)

    async def _settle(self, owner: Owner, row: Game, *, announce: bool = False) -> Game:
        return (await self._settle_paid(owner, row, announce=announce))[0]

    async def _settle_paid(
        self, owner: Owner, row: Game, *, announce: bool = False
    ) -> tuple[Game, Receipt | None]:
        """Pay an ended game, in its owner's turn: the multiplier and XP read now, then one
        compare-and-set ``ended -> settled``. A multiplier used up by something else meanwhile
        refuses the operation: read again, and settle under the next reference."""
        spent: Refused | None = None
        for attempt in range(SETTLE_TRIES):
            if attempt:
                again = await self.game(row.guild_id, row.game_id)
                assert again is not None
                row = again
            if row.status != ENDED:
                return row, None
            factor, spend = await self._multiplier(row)
            won = row.outcome == WIN
            xp, xp_changes = (0, ()) if not row.played else await self._xp(row, row.user_id, won)
            their_xp, their_changes = 0, tuple[Change, ...]()
            if row.opponent_id is not None and row.played:
                their_won = row.outcome_for(row.opponent_id) == WIN
                their_xp, their_changes = await self._xp(row, row.opponent_id, their_won)
            step = "settle" if attempt == 0 else f"settle{attempt}"
            effects = self._announcement(row, factor, xp) if announce else ()
            op = changes.settle(
                row,
                reference=changes.reference(row.game_id, step),
                now_ms=self.clock(),
                multiplier=factor,
                multiplier_changes=spend,
                xp=xp,
                xp_changes=xp_changes,
                opponent_xp=their_xp,
                opponent_xp_changes=their_changes,
                effects=effects,
            )
            try:
                receipt = await self._commit(owner, op)
            except Refused as e:
                if e.key == "shop.multiplier_spent":
                    log.info("games_settle_retried", game_id=row.game_id, attempt=attempt + 1)
                    spent = e
                    continue
                if e.key == "games.already_settled":
                    continue  # read again: it is settled
                raise
            found = receipt.row(GAMES_TABLE, row.key)
            if not receipt.duplicate:
                self.settled += 1
            return (game_of(found) if found is not None else row), receipt
        # Still ended: the sweep pays it later; the member hears why not now.
        raise spent or Refused("shop.multiplier_spent")

    def _announcement(self, row: Game, factor: int, xp: int) -> Sequence[Effect]:
        """What a game that ended by itself (a hand left alone, a challenge nobody answered)
        posts in its channel, since no click is there to show it."""
        if row.channel_id is None:
            return ()
        locale = row.locale
        mentions = [row.user_id]
        result = row.game_result()
        if row.game == "blackjack" and result is not None:
            lines = words.describe(result, settle(result, factor, xp), locale)
            text = words.timed_out_text(row.user_id, lines, locale)
        elif row.is_challenge:
            text = words.challenge_text(row.challenge(), 0, locale)
        else:
            return ()
        payload = {"channel_id": row.channel_id, "content": text, "user_mentions": mentions}
        return (Effect(kind="discord.post", payload=payload),)

    # -- the sweep: hands left alone, challenges unanswered, games a stop left unpaid ----------

    async def sweep(self, limit: int = SWEEP_BATCH) -> SweepReport:
        """Resolve every game that is due now (each in its owner's turn, each step a
        compare-and-set, so a click meanwhile wins or loses cleanly)."""
        now = self.clock()
        rows = await self.reader.rows(
            "SELECT guild_id, game_id, user_id, opponent_id FROM games"
            " WHERE status != 'settled' AND (status = 'ended' OR expires_at <= ?)"
            " ORDER BY expires_at LIMIT ?",
            (now, limit),
        )
        report = SweepReport()
        jobs = []
        for r in rows:
            guild_id, game_id = int(r["guild_id"]), int(r["game_id"])
            if r["opponent_id"] is not None:
                owner = self._game_owner(guild_id, game_id)
            else:
                owner = self.actors.member(guild_id, int(r["user_id"]))
            jobs.append(
                owner.run(partial(self._resolve, guild_id=guild_id, game_id=game_id, report=report))
            )
        for outcome in await asyncio.gather(*jobs, return_exceptions=True):
            if isinstance(outcome, BaseException):
                report.failed += 1
                if not isinstance(outcome, VouchyError):
                    log.error("games_sweep_failed", error=repr(outcome), exc_info=outcome)
        if report.anything:
            log.info(
                "games_swept",
                timed_out=report.timed_out,
                expired=report.expired,
                settled=report.settled,
                failed=report.failed,
            )
        return report

    async def _resolve(
        self, owner: Owner, guild_id: int, game_id: int, report: SweepReport
    ) -> None:
        row = await self.game(guild_id, game_id)
        if row is None or row.status == SETTLED:
            return
        now = self.clock()
        announce = False
        if row.status == OPEN:
            if row.expires_at is None or now < row.expires_at:
                return  # a click moved it on meanwhile
            if row.is_challenge:
                row = await self._close(owner, row, rps.expire(row.challenge(), now_ms=now), now)
                report.expired += 1
            else:
                row = await self._move(
                    owner, row, blackjack.timeout(row.hand(), now_ms=now), "timeout", now
                )
                report.timed_out += 1
            announce = True
        if row.status == ENDED:
            await self._settle(owner, row, announce=announce)
            report.settled += 1

    async def start_background(self) -> None:
        """Sweep now (what a stop left behind), then every ``sweep_every_s``."""
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(self._sweep_forever(), name="vouchy-games-sweep")

    async def _sweep_forever(self) -> None:
        """The first sweep runs even when a stop comes at once: it is what a restart owes."""
        while True:
            try:
                await self.sweep()
            except VouchyError as e:  # stopping, storage: the next sweep tries again
                log.info("games_sweep_deferred", code=e.code)
            except Exception as e:
                log.error("games_sweep_failed", error=repr(e), exc_info=e)
            if self._stop.is_set():
                return
            try:
                await asyncio.wait_for(self._stop.wait(), self.sweep_every_s)
            except TimeoutError:
                pass

    async def stop_background(self) -> None:
        """Let a sweep in progress finish (its steps reach the writer), then stop."""
        self._stop.set()
        task, self._task = self._task, None
        if task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(task), 10.0)
        except TimeoutError:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

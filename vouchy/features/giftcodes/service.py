"""The gift-code service: the gift-code actor's state and turns, the redemption loop and the list
poller (background work started with the bot), and what the commands call.

Every row of the gift-code tables belongs to one owner, ``app.actors.giftcodes`` (key
``OWNER``): the redemption loop and every command change them only in that owner's turns, each
change stored through the writer (journaled, then committed) before the state in memory moves
and before any request it decided leaves. Reads for commands go to the read side.

Promises kept here, on top of the state machine's (``rules``): a code the list shows is stored,
queued for the players of every server with auto-redeem on, and announced once in each server's
channel (``giftcode_posts`` holds each announcement, and a code owes its announcements until all
are made, so a restart finishes them); on the first read of the list its codes are only marked
known; a signing error's alert goes to each server's admins with the step that stopped the loop.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import random
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Final, TypeVar

import msgspec

from vouchy.actors.owners import Owner
from vouchy.core.errors import InvalidInput, Refused, VouchyError
from vouchy.core.logs import get_logger
from vouchy.core.server_settings import CoreSettings
from vouchy.features.base import Context
from vouchy.features.giftcodes import render, rules, sources, tables
from vouchy.features.giftcodes.rules import (
    CodeState,
    CodeSummary,
    Player,
    PlayerInfo,
    Policy,
    RedemptionState,
    RunnerState,
    Step,
)
from vouchy.features.giftcodes.runner import Publisher, Redeemer, health
from vouchy.features.giftcodes.settings import GiftcodesSettings, policy_of
from vouchy.features.giftcodes.tables import (
    ATTEMPTS,
    CODES,
    GLOBAL_GUILD,
    GUILD_PLAYERS,
    PLAYERS,
    POSTS,
    RUNNER,
    RUNNER_KEY,
)
from vouchy.store.operations import (
    SYSTEM_USER,
    Add,
    Change,
    Delete,
    Effect,
    Insert,
    Op,
    Patch,
    Receipt,
)

log = get_logger("vouchy.giftcodes")

T = TypeVar("T")
FetchList = Callable[[str, float], Awaitable[bytes]]

OWNER: Final = "giftcodes"
FEATURE: Final = "giftcodes"
MAX_PLAYERS_PER_GUILD: Final = 2_000
MAX_CODES_SHOWN: Final = 25
STOP_GRACE_S: Final = 5.0


class AddedCode(msgspec.Struct, frozen=True, kw_only=True):
    """What ``/giftcode add`` did: the code, where it was posted, how many it is queued for."""

    code: str
    channel_id: int | None
    queued: int


class Queued(msgspec.Struct, frozen=True, kw_only=True):
    """What ``/giftcode redeem`` did for this server's players."""

    code: str
    players: int  # this server's players
    queued: int  # attempts created or tried again now
    done: int  # players who already have it
    busy: int  # attempts already waiting or in flight


class CodeView(msgspec.Struct, frozen=True, kw_only=True):
    """One code as ``/giftcode codes`` shows it."""

    state: CodeState
    listed_date: str | None


class Status(msgspec.Struct, frozen=True, kw_only=True):
    """``/giftcode status``: the loop, and per code this server's players' outcomes."""

    configured: bool
    runner: RunnerState
    codes: list[CodeSummary]


class GuildTarget(msgspec.Struct, frozen=True, kw_only=True):
    """A server with gift-code settings or players, as the announcements and alerts need it."""

    guild_id: int
    channel_id: int | None
    admin_channel_id: int | None  # the log channel, else the gift-code channel
    locale: str
    auto_redeem: bool
    players: tuple[int, ...]


class GiftCodeService:
    def __init__(
        self,
        ctx: Context,
        settings: GiftcodesSettings,
        *,
        publisher: Publisher | None,
        fetch_list: FetchList | None = None,
        env: Mapping[str, str] | None = None,
        rng: random.Random | None = None,
        now_ms: Callable[[], int] | None = None,
        close_publisher: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.ctx = ctx
        self.reader = ctx.reader
        self.actors = ctx.actors
        self.settings_store = ctx.settings
        self.config = settings
        self.policy: Policy = policy_of(settings)
        self.publisher = publisher
        self.fetch_list = fetch_list
        self.env = os.environ if env is None else env
        # Checked now: a bad GIFTCODE_CHECK_INTERVAL stops the start with its name and value.
        self.interval_s = sources.check_interval_s(settings.check_interval_s, self.env)
        self.rng = rng or random.Random()
        self.now_ms = now_ms or (lambda: int(time.time() * 1000))
        self._close_publisher = close_publisher
        self._redeemer: Redeemer | None = None
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._refs = itertools.count(1)
        self.checks = 0
        self.list_failures = 0

    @property
    def configured(self) -> bool:
        """Whether Vouchy can talk to the publisher (the game's secret is set)."""
        return self.publisher is not None

    # -- the owner and its turns -----------------------------------------------------------

    def _owner(self) -> Owner:
        return self.actors.giftcodes.get(OWNER)

    async def _turn(self, job: Callable[[], Awaitable[T]]) -> T:
        async def run(_owner: Owner) -> T:
            return await job()

        result: T = await self._owner().run(run)
        return result

    async def _submit(self, op: Op) -> Receipt:
        """Inside a turn: hand ``op`` to the writer, answered after its COMMIT."""
        return await self._owner().writer.submit(op)

    def _reference(self, what: str) -> str:
        return f"giftcode:{what}:{self.now_ms()}:{next(self._refs)}"

    def _global_op(
        self, name: str, changes: Sequence[Change], effects: Sequence[Effect] = ()
    ) -> Op:
        """A change to the gift codes' own rows: no member's, no server's; its rows are the
        proof it happened, so no operations record."""
        return Op(
            guild_id=GLOBAL_GUILD,
            user_id=SYSTEM_USER,
            reference=self._reference(name.rpartition(".")[2]),
            name=name,
            changes=tuple(changes),
            effects=tuple(effects),
            remember=False,
        )

    async def redeemer(self) -> Redeemer:
        """The actor's state, loaded from its rows on first use (in a turn)."""
        if self._redeemer is None:
            await self._turn(self._load)
        assert self._redeemer is not None
        return self._redeemer

    async def _load(self) -> None:
        if self._redeemer is not None:
            return
        state = tables.state_of(
            await self.reader.rows(f"SELECT * FROM {CODES}"),
            await self.reader.rows(f"SELECT * FROM {ATTEMPTS}"),
            await self.reader.rows(f"SELECT * FROM {PLAYERS}"),
            await self.reader.row(f"SELECT * FROM {RUNNER} WHERE id = 1"),
        )
        self._redeemer = Redeemer(
            state,
            self.publisher or _Unconfigured(),
            commit=self._commit_steps,
            policy=self.policy,
            rng=self.rng,
            now_ms=self.now_ms,
            turn=self._turn,
        )

    def _state(self) -> RedemptionState:
        assert self._redeemer is not None, "inside a turn, after redeemer()"
        return self._redeemer.state

    def _moved(self, state: RedemptionState) -> None:
        assert self._redeemer is not None
        self._redeemer.state = state
        self._redeemer.wake()

    async def _commit_steps(self, steps: Sequence[Step], after: RedemptionState) -> None:
        """Store the loop's steps as one operation, with the admins' alerts they decided."""
        alerts = [e for step in steps for e in step.events if e.alert]
        effects: list[Effect] = []
        if alerts:
            effects = await self._alert_effects(alerts)
        await self._submit(
            self._global_op("giftcodes.step", tables.changes_of(steps, after), effects)
        )

    async def _alert_effects(self, alerts: Sequence[rules.Event]) -> list[Effect]:
        effects = []
        for target in await self.guild_targets():
            if target.admin_channel_id is None:
                continue
            for event in alerts:
                if event.kind == "runner_stopped":
                    text = render.sign_error_alert(target.locale)
                else:
                    text = render.code_stopped_alert(event.code, event.reason, target.locale)
                payload = {"channel_id": target.admin_channel_id, "content": text}
                effects.append(Effect(kind="discord.post", payload=payload))
        return effects

    # -- background work -------------------------------------------------------------------

    async def start_background(self) -> None:
        """Start the background work and return at once (the bot's start is not held up):
        load the state, resume a run a crash cut short, finish owed announcements, then run
        the redemption loop (when the game's secret is set) and the list poller."""
        self._stop = asyncio.Event()
        self._tasks.append(asyncio.create_task(self._background(), name="giftcodes"))

    async def _background(self) -> None:
        while True:  # done even when a stop comes at once: it is what a restart owes
            try:
                await self.redeemer()
                await self._turn(self._resume)
                await self._turn(self._announce_owed)
                break
            except VouchyError as e:  # storage refused: nothing was stored; try again
                log.error("giftcode_start_failed", code=e.code, reason=e.message)
                if self._stop.is_set():
                    return
                await _sleep(5.0, self._stop)
        work = [asyncio.create_task(self._poll_forever(), name="giftcodes-poll")]
        if self.publisher is not None:
            work.append(asyncio.create_task(self._redeem_forever(), name="giftcodes-run"))
        else:
            log.info("giftcode_redemption_off", reason="no secret", env_var=self.config.secret_env)
        try:
            await asyncio.gather(*work)
        finally:
            for task in work:
                task.cancel()
            await asyncio.gather(*work, return_exceptions=True)

    async def stop_background(self) -> None:
        """Start nothing more; let the requests in flight answer and their steps be stored
        (within the client's timeout), stop polling, close the publisher's connections."""
        self._stop.set()
        if self._redeemer is not None:
            self._redeemer.wake()
        grace = self.config.timeout_s + STOP_GRACE_S
        for task in self._tasks:
            try:
                await asyncio.wait_for(asyncio.shield(task), grace)
            except TimeoutError:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
                log.warning("giftcode_stop_timeout", task=task.get_name())
            except Exception as e:
                log.error("giftcode_task_failed", task=task.get_name(), error=repr(e))
        self._tasks.clear()
        if self._close_publisher is not None:
            await self._close_publisher()

    async def _resume(self) -> None:
        """After a start: a request that was in flight may or may not have reached the
        publisher; its attempt is tried again (a redemption that went through answers RECEIVED,
        a success)."""
        state = self._state()
        step = rules.resume(state, self.now_ms())
        if step.attempts or step.runner:
            await self._submit(
                self._global_op("giftcodes.resume", tables.changes_of([step], step.state))
            )
            log.info(
                "giftcode_resumed",
                in_flight=len(step.attempts),
                runner_was=state.runner.status,
            )
        self._moved(step.state)

    async def _redeem_forever(self) -> None:
        redeemer = await self.redeemer()
        while not self._stop.is_set():
            try:
                await redeemer.run(stop=self._stop, forever=True)
            except Exception as e:  # a bug: log it, requeue what was in flight, go on
                log.error("giftcode_loop_crashed", error=repr(e), exc_info=e)
                try:
                    await self._turn(self._resume)
                except VouchyError as again:
                    log.error("giftcode_resume_failed", error=again.message)
                await _sleep(5.0, self._stop)

    async def _poll_forever(self) -> None:
        interval = self.interval_s
        log.info(
            "giftcode_poller_started",
            interval_s=interval,
            list_url=bool(self.config.list_url),
            redemption=self.configured,
        )
        while not self._stop.is_set():
            await self.check()
            await _sleep(interval, self._stop)

    async def check(self) -> list[str]:
        """One check: read the list (when there is one); every ``health_every_checks`` checks,
        the ``giftcode_health`` line. Never raises for the list's failures."""
        self.checks += 1
        new: list[str] = []
        if self.config.list_url and self.fetch_list is not None:
            try:
                body = await self.fetch_list(self.config.list_url, self.config.list_timeout_s)
                new = await self.take_list(sources.parse_code_list(body))
                self.list_failures = 0
            except InvalidInput as e:  # unreachable or unreadable: the next check tries again
                self.list_failures += 1
                log.warning(
                    "giftcode_list_failed", reason=e.message, consecutive=self.list_failures
                )
            except VouchyError as e:  # storage refused or restarting: nothing was stored
                log.error("giftcode_check_failed", code=e.code, reason=e.message)
            except Exception as e:  # a bug: the poller goes on
                log.error("giftcode_check_crashed", error=repr(e), exc_info=e)
        if self.checks % self.config.health_every_checks == 0:
            state = (await self.redeemer()).state
            health(
                state,
                checks=self.checks,
                list_failures=self.list_failures,
                redemption=self.configured,
            )
        return new

    # -- sources ---------------------------------------------------------------------------

    async def take_list(self, listed: sources.CodeList) -> list[str]:
        """The codes of a list read: new ones stored, queued and announced (on the very first
        read, only marked known). Returns the codes that were new."""
        if listed.rejected:
            log.info(
                "giftcode_list_rejected", count=len(listed.rejected), sample=listed.rejected[:3]
            )
        await self.redeemer()
        return await self._turn(lambda: self._take_list(listed))

    async def _take_list(self, listed: sources.CodeList) -> list[str]:
        # Invariant: a listed code is new once (``listed`` is set in the step that stores it),
        # so it is queued and announced at most once.
        row = await self.reader.row(f"SELECT list_read FROM {RUNNER} WHERE id = 1")
        first = row is None or not row["list_read"]
        known = {
            r["code"] for r in await self.reader.rows(f"SELECT code FROM {CODES} WHERE listed = 1")
        }
        new = sources.new_codes(known, listed.codes, first_start=first)
        if not new and not first:
            return []
        now = self.now_ms()
        state = self._state()
        fids = () if first else rules.auto_redeem_fids(await self._guild_settings())
        steps: list[Step] = []
        extra: list[Change] = []
        for item in new:
            source: rules.CodeSource = "first_start" if first else "list"
            step = rules.enqueue(state, item.code, fids, now, source=source, policy=self.policy)
            steps.append(step)
            state = step.state
            owed = item.announce and state.codes[item.code].status != "stopped"
            extra.append(
                Patch(
                    table=CODES,
                    key=(item.code,),
                    values={"listed": 1, "listed_date": item.date, "announce_pending": int(owed)},
                )
            )
        if first:
            extra.append(Patch(table=RUNNER, key=RUNNER_KEY, values={"list_read": 1}, create=True))
        await self._submit(
            self._global_op("giftcodes.listed", [*tables.changes_of(steps, state), *extra])
        )
        self._moved(state)
        log.info(
            "giftcode_list_new_codes",
            codes=[c.code for c in new],
            first_start=first,
            queued=sum(len(s.attempts) for s in steps),
        )
        if not first:
            await self._announce_owed()
        return [c.code for c in new]

    async def _announce_owed(self) -> None:
        """Inside a turn: post every owed announcement in each server with a channel, once per
        (server, code), then mark the code's announcements made."""
        owed = await self.reader.rows(
            f"SELECT code, listed_date FROM {CODES} WHERE announce_pending = 1 ORDER BY first_seen_ms"
        )
        if not owed:
            return
        targets = [t for t in await self.guild_targets() if t.channel_id is not None]
        for row in owed:
            code = str(row["code"])
            for target in targets:
                await self._post(target, code, row["listed_date"])
            await self._submit(
                self._global_op(
                    "giftcodes.announced",
                    [Patch(table=CODES, key=(code,), values={"announce_pending": 0})],
                )
            )

    async def _post(self, target: GuildTarget, code: str, date: str | None) -> None:
        """One announcement, at most once per (server, code): the row and its post together."""
        assert target.channel_id is not None
        players = len(target.players) if target.auto_redeem and self.configured else 0
        text = render.announcement(code, date, players, target.locale)
        op = Op(
            guild_id=target.guild_id,
            user_id=SYSTEM_USER,
            reference=f"giftcode:post:{code}",
            name="giftcodes.post",
            changes=(
                Insert(
                    table=POSTS,
                    key=(target.guild_id, code),
                    values={"channel_id": target.channel_id, "posted_ms": self.now_ms()},
                    refuse="giftcodes.posted_before",
                    params={"code": code},
                ),
            ),
            effects=(
                Effect(
                    kind="discord.post",
                    payload={"channel_id": target.channel_id, "content": text},
                ),
            ),
        )
        try:
            await self._submit(op)
        except Refused as e:
            if e.key != "giftcodes.posted_before":
                raise

    # -- servers ---------------------------------------------------------------------------

    async def _guild_ids(self) -> list[int]:
        rows = await self.reader.rows(
            "SELECT guild_id FROM settings WHERE feature = ?"
            f" UNION SELECT guild_id FROM {GUILD_PLAYERS} ORDER BY 1",
            (FEATURE,),
        )
        return [int(r[0]) for r in rows]

    async def guild_players(self, guild_id: int) -> tuple[int, ...]:
        rows = await self.reader.rows(
            f"SELECT fid FROM {GUILD_PLAYERS} WHERE guild_id = ? ORDER BY fid", (guild_id,)
        )
        return tuple(int(r[0]) for r in rows)

    async def _guild_settings(self) -> list[rules.GuildSettings]:
        out = []
        for guild_id in await self._guild_ids():
            mine = await self.settings_store.get(guild_id, FEATURE, GiftcodesSettings)
            out.append(
                rules.GuildSettings(
                    guild_id=guild_id,
                    channel_id=mine.channel,
                    auto_redeem=mine.auto_redeem,
                    players=await self.guild_players(guild_id),
                )
            )
        return out

    async def guild_targets(self) -> list[GuildTarget]:
        """Every server with gift-code settings or players: its channels, language, players."""
        out = []
        for guild in await self._guild_settings():
            core = await self.settings_store.get(guild.guild_id, "core", CoreSettings)
            out.append(
                GuildTarget(
                    guild_id=guild.guild_id,
                    channel_id=guild.channel_id,
                    admin_channel_id=core.log_channel or guild.channel_id,
                    locale=core.locale,
                    auto_redeem=guild.auto_redeem,
                    players=guild.players,
                )
            )
        return out

    # -- commands: players -----------------------------------------------------------------

    async def _registered(self, guild_id: int, fid: int) -> bool:
        row = await self.reader.row(
            f"SELECT 1 FROM {GUILD_PLAYERS} WHERE guild_id = ? AND fid = ?", (guild_id, fid)
        )
        return row is not None

    async def add_player(
        self, guild_id: int, raw_fid: object, *, by: int, reference: str
    ) -> Player:
        """Check a player id through the publisher's lookup, then register it for this server
        with its name, state and furnace level."""
        fid = sources.check_player_id(raw_fid)
        if self.publisher is None:
            raise Refused("giftcodes.not_configured", secret_env=self.config.secret_env)
        if await self._registered(guild_id, fid):
            raise Refused("giftcodes.player_known", fid=str(fid))
        count = await self.reader.scalar(
            f"SELECT COUNT(*) FROM {GUILD_PLAYERS} WHERE guild_id = ?", (guild_id,)
        )
        if count >= MAX_PLAYERS_PER_GUILD:
            raise Refused("giftcodes.too_many_players", max=MAX_PLAYERS_PER_GUILD)
        info = _looked_up(fid, await self.publisher.lookup(fid))
        return await self.register(guild_id, info, by=by, reference=reference)

    async def register(self, guild_id: int, info: PlayerInfo, *, by: int, reference: str) -> Player:
        """Register a player the publisher's lookup described (``add_player`` looks it up;
        a tool that has the answer already, the benchmark, calls this)."""
        await self.redeemer()
        return await self._turn(lambda: self._add_player(guild_id, info, by, reference))

    async def _add_player(self, guild_id: int, info: PlayerInfo, by: int, reference: str) -> Player:
        if await self._registered(guild_id, info.fid):  # registered while we looked it up
            raise Refused("giftcodes.player_known", fid=str(info.fid))
        now = self.now_ms()
        step = rules.save_player(self._state(), info, now)
        changes = [
            *tables.changes_of([step], step.state),
            Insert(
                table=GUILD_PLAYERS,
                key=(guild_id, info.fid),
                values={"added_by": by, "added_ms": now},
                refuse="giftcodes.player_known",
                params={"fid": str(info.fid)},
            ),
            Add(table=PLAYERS, key=(info.fid,), column="guilds", delta=1),
        ]
        op = Op(
            guild_id=guild_id,
            user_id=by,
            reference=reference,
            name="giftcodes.players_add",
            changes=tuple(changes),
            acting_user_id=by,
        )
        receipt = await self._submit(op)
        if not receipt.duplicate:
            self._moved(step.state)
        return step.state.players[info.fid]

    async def remove_player(
        self, guild_id: int, raw_fid: object, *, by: int, reference: str
    ) -> Player | None:
        """Unregister a player from this server; when no server has it any more, its attempts
        not yet tried go too (results stay)."""
        fid = sources.check_player_id(raw_fid)
        await self.redeemer()
        return await self._turn(lambda: self._remove_player(guild_id, fid, by, reference))

    async def _remove_player(
        self, guild_id: int, fid: int, by: int, reference: str
    ) -> Player | None:
        if not await self._registered(guild_id, fid):
            raise Refused("giftcodes.player_unknown", fid=str(fid))
        state = self._state()
        before = state.players.get(fid)
        guilds = await self.reader.scalar(f"SELECT guilds FROM {PLAYERS} WHERE fid = ?", (fid,))
        changes: list[Change] = [
            Delete(
                table=GUILD_PLAYERS,
                key=(guild_id, fid),
                must_exist=True,
                refuse="giftcodes.player_unknown",
                params={"fid": str(fid)},
            )
        ]
        after = state
        if guilds is not None and guilds > 1:
            changes.append(Add(table=PLAYERS, key=(fid,), column="guilds", delta=-1))
        else:
            step = rules.remove_player(state, fid, self.now_ms())
            changes += tables.changes_of([step], step.state)
            after = step.state
        op = Op(
            guild_id=guild_id,
            user_id=by,
            reference=reference,
            name="giftcodes.players_remove",
            changes=tuple(changes),
            acting_user_id=by,
        )
        receipt = await self._submit(op)
        if not receipt.duplicate:
            self._moved(after)
        return before

    async def players(self, guild_id: int) -> list[Player]:
        rows = await self.reader.rows(
            f"SELECT p.* FROM {GUILD_PLAYERS} g JOIN {PLAYERS} p ON p.fid = g.fid"
            " WHERE g.guild_id = ? ORDER BY p.nickname COLLATE NOCASE, p.fid",
            (guild_id,),
        )
        return [tables.player_of(r) for r in rows]

    # -- commands: codes -------------------------------------------------------------------

    async def add_code(self, guild_id: int, raw: str, *, by: int, reference: str) -> AddedCode:
        """An admin's code: stored, posted in this server's channel, queued for this server's
        players when its auto-redeem is on."""
        code = sources.normalize_code(raw)
        await self.redeemer()
        return await self._turn(lambda: self._add_code(guild_id, code, by, reference))

    async def _add_code(self, guild_id: int, code: str, by: int, reference: str) -> AddedCode:
        state = self._state()
        if code in state.codes:
            raise Refused("giftcodes.code_known", code=code)
        mine = await self.settings_store.get(guild_id, FEATURE, GiftcodesSettings)
        fids = await self.guild_players(guild_id) if mine.auto_redeem else ()
        now = self.now_ms()
        step = rules.enqueue(state, code, fids, now, source="admin", policy=self.policy)
        changes: list[Change] = [
            *tables.changes_of([step], step.state),
            Patch(table=CODES, key=(code,), values={"added_guild": guild_id, "added_by": by}),
        ]
        effects: list[Effect] = []
        if mine.channel is not None:
            core = await self.settings_store.get(guild_id, "core", CoreSettings)
            players = len(fids) if self.configured else 0
            changes.append(
                Insert(
                    table=POSTS,
                    key=(guild_id, code),
                    values={"channel_id": mine.channel, "posted_ms": now},
                    refuse="giftcodes.posted_before",
                    params={"code": code},
                )
            )
            text = render.announcement(code, None, players, core.locale)
            effects.append(
                Effect(kind="discord.post", payload={"channel_id": mine.channel, "content": text})
            )
        op = Op(
            guild_id=guild_id,
            user_id=by,
            reference=reference,
            name="giftcodes.add",
            changes=tuple(changes),
            effects=tuple(effects),
            acting_user_id=by,
        )
        receipt = await self._submit(op)
        if not receipt.duplicate:
            self._moved(step.state)
        return AddedCode(code=code, channel_id=mine.channel, queued=len(step.attempts))

    async def redeem(self, guild_id: int, raw: str, *, by: int, reference: str) -> Queued:
        """Redeem ``raw`` now for every player of this server (those who failed for a reason
        that can change are tried again; those who have it are not)."""
        code = sources.normalize_code(raw)
        if self.publisher is None:
            raise Refused("giftcodes.not_configured", secret_env=self.config.secret_env)
        await self.redeemer()
        return await self._turn(lambda: self._redeem(guild_id, code, by, reference))

    async def _redeem(self, guild_id: int, code: str, by: int, reference: str) -> Queued:
        state = self._state()
        fids = await self.guild_players(guild_id)
        if not fids:
            raise Refused("giftcodes.no_players")
        known = state.codes.get(code)
        if known is not None and known.status == "stopped":
            raise Refused(f"giftcodes.refuse_stopped.{known.stop_reason}", code=code)
        step = rules.enqueue(
            state, code, fids, self.now_ms(), source="admin", policy=self.policy, retry_failed=True
        )
        changes = tables.changes_of([step], step.state)
        if known is None:
            changes.append(
                Patch(table=CODES, key=(code,), values={"added_guild": guild_id, "added_by": by})
            )
        done = busy = 0
        for fid in fids:
            attempt = step.state.attempts.get(rules.attempt_key(code, fid))
            if attempt is None or rules.attempt_key(code, fid) in step.attempts:
                continue
            if attempt.status == "done":
                done += 1
            elif attempt.status != "failed":
                busy += 1
        if changes:
            op = Op(
                guild_id=guild_id,
                user_id=by,
                reference=reference,
                name="giftcodes.redeem",
                changes=tuple(changes),
                acting_user_id=by,
            )
            receipt = await self._submit(op)
            if not receipt.duplicate:
                self._moved(step.state)
        return Queued(code=code, players=len(fids), queued=len(step.attempts), done=done, busy=busy)

    # -- reads -----------------------------------------------------------------------------

    async def runner_state(self) -> RunnerState:
        return tables.runner_of(await self.reader.row(f"SELECT * FROM {RUNNER} WHERE id = 1"))

    async def _visible_codes(self, guild_id: int, code: str | None = None) -> list[Any]:
        """The codes a server may see: listed ones, its admins' own, and those its players
        were queued for (another server's admin-typed codes stay that server's)."""
        only = " AND c.code = ?" if code is not None else ""
        params: tuple[Any, ...] = (guild_id, guild_id) + ((code,) if code is not None else ())
        return await self.reader.rows(
            f"""SELECT c.* FROM {CODES} c
                WHERE (c.listed = 1 OR c.added_guild = ? OR EXISTS (
                    SELECT 1 FROM {ATTEMPTS} a JOIN {GUILD_PLAYERS} g
                        ON g.fid = a.fid AND g.guild_id = ?
                    WHERE a.code = c.code)){only}
                ORDER BY c.first_seen_ms DESC, c.code LIMIT {MAX_CODES_SHOWN}""",
            params,
        )

    async def codes(self, guild_id: int) -> list[CodeView]:
        rows = await self._visible_codes(guild_id)
        return [CodeView(state=tables.code_of(r), listed_date=r["listed_date"]) for r in rows]

    async def status(self, guild_id: int, raw: str | None = None) -> Status:
        """Per code (or ``raw`` alone), this server's players: redeemed, already had it, failed
        by reason, waiting."""
        code = sources.normalize_code(raw) if raw is not None else None
        rows = await self._visible_codes(guild_id, code)
        if code is not None and not rows:
            raise Refused("giftcodes.status.unknown_code", code=code)
        names = [str(r["code"]) for r in rows]
        counted: dict[str, dict[str, Any]] = {name: {"failed": {}} for name in names}
        if names:
            marks = ", ".join("?" for _ in names)
            for row in await self.reader.rows(
                f"""SELECT a.code, a.status, a.reason, COUNT(*) AS n FROM {ATTEMPTS} a
                    JOIN {GUILD_PLAYERS} g ON g.fid = a.fid AND g.guild_id = ?
                    WHERE a.code IN ({marks}) GROUP BY a.code, a.status, a.reason""",
                (guild_id, *names),
            ):
                c = counted[str(row["code"])]
                status, reason, n = str(row["status"]), str(row["reason"]), int(row["n"])
                if status == "done":
                    slot = "redeemed" if reason == "success" else "already"
                    c[slot] = c.get(slot, 0) + n
                elif status == "failed":
                    c["failed"][reason] = c["failed"].get(reason, 0) + n
                else:
                    c[status] = c.get(status, 0) + n
        summaries = []
        for row in rows:
            state = tables.code_of(row)
            c = counted[state.code]
            summaries.append(
                CodeSummary(
                    code=state.code,
                    status=state.status,
                    stop_reason=state.stop_reason,
                    first_seen_ms=state.first_seen_ms,
                    claim_limit_hits=c["failed"].get("claim_limit", 0),
                    **c,
                )
            )
        return Status(configured=self.configured, runner=await self.runner_state(), codes=summaries)


def _looked_up(fid: int, answer: rules.Answer) -> PlayerInfo:
    """A lookup's answer as the player it names, or the refusal a person can act on."""
    if answer.kind == "success" and answer.player is not None:
        return answer.player
    if answer.kind == "player_permanent":
        raise Refused("giftcodes.no_such_player", fid=str(fid))
    if answer.kind == "config_error":
        log.error("giftcode_lookup_refused", reason=answer.reason)
        raise Refused("giftcodes.lookup_config")
    log.warning("giftcode_lookup_failed", fid=fid, reason=answer.reason)
    raise Refused("giftcodes.lookup_unavailable")


class _Unconfigured:
    """The publisher when no secret is set: the loop never runs, so it is never asked."""

    async def lookup(self, fid: int) -> rules.Answer:
        return rules.Answer(kind="config_error", reason="sign_error")

    async def redeem(self, fid: int, code: str, *, kid: int | None = None) -> rules.Answer:
        return rules.Answer(kind="config_error", reason="sign_error")


async def _sleep(seconds: float, stop: asyncio.Event) -> None:
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        pass

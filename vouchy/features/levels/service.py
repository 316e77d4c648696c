"""XP and levels as a service: every credit goes through the member's owner, every read
through the reader. It takes plain ids and values (never hikari objects); what it needs to
know of Discord (a member's roles, whether the bot may manage a role, the guild's owner)
comes through a ``DiscordView`` the Discord layer installs.

Each member's owner keeps their committed row in its ``state`` (``MemberXp``), exact: it is
read once, then set from every committed row that changes it (``_on_commit``, a writer
listener, hears the owner's own operations and those of other owners: a game's pending XP, an
audit repair). So a message inside the cooldown is dropped here by a dictionary lookup,
without a job, a read or a write; the owner checks again in its turn, against the row.

Sources and how each is credited once:
- a message: its log row is named by the message (``levels:message:<guild>:<id>``);
- a reaction: by the message and the reacting member, so removing and adding it again, or
  another emoji, earns nothing more;
- voice: the member's session is a few columns of their row; each step (a voice-state change,
  the periodic tick) is a compare-and-set on the segment it closes, crediting whole minutes;
  a session the previous run left open is closed at its last stored step (no minute after
  the last moment that run recorded is ever credited);
- a game: ``game_xp_changes`` gives the changes for the game's own operation (the XP waits in
  ``pending_xp``, logged with the game); the member's owner folds it in right after the
  commit, with the level-up it sets off;
- an admin: the interaction names the change, recorded with who and why.
"""

from __future__ import annotations

import asyncio
import collections
import json
import random
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol

import msgspec

from vouchy.actors.owners import Actors, Owner
from vouchy.core.errors import Busy, Refused
from vouchy.core.i18n import text
from vouchy.core.logs import get_logger
from vouchy.features.base import Context
from vouchy.features.levels import audit as levels_audit
from vouchy.features.levels.board import (
    TOP_PAGE_SIZE,
    TopEntry,
    admin_reply,
    check_top_page,
    rank_of,
)
from vouchy.features.levels.changes import (
    CreditPlan,
    GrantItem,
    game_changes,
    log_values,
    plan_credit,
    role_effects,
    settle_changes,
    voice_log_changes,
)
from vouchy.features.levels.curve import level_for_xp, progress
from vouchy.features.levels.levelups import rejoin_roles, role_changes
from vouchy.features.levels.rules import (
    ONE_MESSAGE,
    ONE_REACTION,
    AdminAction,
    AdminChange,
    Counters,
    Decision,
    MessageFacts,
    admin_change,
    game_decision,
    in_cooldown,
    message_decision,
    message_skip,
    reaction_decision,
    reference_game,
    reference_message,
    reference_reaction,
    reference_voice,
)
from vouchy.features.levels.settings import LevelSettings
from vouchy.features.levels.state import STALE, STATE, MemberXp, voice_values
from vouchy.features.levels.tables import LOG, MEMBERS, NOTICES, REWARDS
from vouchy.features.levels.voice import (
    VoiceCredit,
    VoiceFacts,
    close_after_restart,
    voice_step,
    voice_tick,
)
from vouchy.store.operations import (
    SYSTEM_USER,
    Change,
    Delete,
    Effect,
    Expect,
    Insert,
    Op,
    Patch,
    Receipt,
)
from vouchy.store.reader import Reader
from vouchy.store.settings import SettingsStore

log = get_logger("vouchy.levels")

NOT_IN_VOICE = VoiceFacts()
VOICE_TICK_S = 60.0  # how often open voice sessions are credited (and so what a crash loses)
RETRIES = 3  # plans made from a row another owner changed meanwhile are made again

# Many members' rows in one query: (guild, user) pairs as a JSON array.
_LOAD = f"""
SELECT m.*, (SELECT group_concat(r.reward_key, char(31)) FROM {REWARDS} r
             WHERE r.guild_id = m.guild_id AND r.user_id = m.user_id) AS paid
FROM json_each(?) AS k CROSS JOIN {MEMBERS} AS m
    ON m.guild_id = k.value ->> 0 AND m.user_id = k.value ->> 1
"""
PENDING = "levels:pending"  # messages waiting for their author's owner to decide them


class Waiting:
    """Messages of one member waiting for the job that will decide them all."""

    __slots__ = ("facts", "future")

    def __init__(self, facts: list[MessageFacts]) -> None:
        self.facts = facts
        self.future: asyncio.Future[Receipt | None] | None = None


class RowLoader:
    """Reads members' rows in batches: every row asked for in one turn of the event loop is
    read by one query (a flood of new members costs a few reads, not one each)."""

    def __init__(self, reader: Reader, most: int = 500) -> None:
        self.reader = reader
        self.most = most
        self._wanted: dict[tuple[int, int], asyncio.Future[dict[str, Any] | None]] = {}
        self._scheduled = False
        self._tasks: set[asyncio.Task[None]] = set()

    def load(self, guild_id: int, user_id: int) -> asyncio.Future[dict[str, Any] | None]:
        key = (guild_id, user_id)
        found = self._wanted.get(key)
        if found is None:
            found = self._wanted[key] = asyncio.get_running_loop().create_future()
            if not self._scheduled:
                self._scheduled = True
                asyncio.get_running_loop().call_soon(self._flush)
        return found

    def _flush(self) -> None:
        self._scheduled = False
        wanted, self._wanted = self._wanted, {}
        items = list(wanted.items())
        for start in range(0, len(items), self.most):
            task = asyncio.ensure_future(self._read(items[start : start + self.most]))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _read(
        self, items: list[tuple[tuple[int, int], asyncio.Future[dict[str, Any] | None]]]
    ) -> None:
        try:
            rows = await self.reader.rows(_LOAD, (json.dumps([list(k) for k, _ in items]),))
        except BaseException as e:
            for _, future in items:
                if not future.done():
                    future.set_exception(e)
            if isinstance(e, asyncio.CancelledError):
                raise
            return
        found = {(int(r["guild_id"]), int(r["user_id"])): dict(r) for r in rows}
        for key, future in items:
            if not future.done():
                future.set_result(found.get(key))


def now_ms() -> int:
    """The time voice is accounted at (a module function: tests run the clock themselves)."""
    return int(time.time() * 1000)


class DiscordView(Protocol):
    """What the service may ask of Discord (the gateway's cache); None: not known."""

    def member_roles(self, guild_id: int, user_id: int) -> frozenset[int] | None: ...

    def role_problem(self, guild_id: int, role_id: int) -> str | None: ...

    def guild_owner(self, guild_id: int) -> int | None: ...


class NoDiscord:
    """Without a gateway (tools, tests of the service): nothing is known."""

    def member_roles(self, guild_id: int, user_id: int) -> frozenset[int] | None:
        return None

    def role_problem(self, guild_id: int, role_id: int) -> str | None:
        return None

    def guild_owner(self, guild_id: int) -> int | None:
        return None


class Profile(msgspec.Struct, frozen=True, kw_only=True):
    """What ``/level`` shows."""

    user_id: int
    xp: int
    level: int
    into: int
    needed: int
    rank: int | None
    counters: Counters
    ranked: int  # members with XP in the guild


class TopPage(msgspec.Struct, frozen=True, kw_only=True):
    entries: list[TopEntry]
    page: int
    members: int
    asker_rank: int | None
    asker_xp: int


class AdminResult(msgspec.Struct, frozen=True, kw_only=True):
    change: AdminChange
    receipt: Receipt
    level_before: int
    level_after: int


class SyncResult(msgspec.Struct, frozen=True, kw_only=True):
    members: int
    added: int
    removed: int
    blocked: int


class ItemRewardRow(msgspec.Struct, frozen=True, kw_only=True):
    guild_id: int
    user_id: int
    reward_key: str
    level: int
    item: str
    quantity: int
    status: str
    created_at: int


PlanMaker = Callable[[MemberXp, LevelSettings, str], "CreditPlan | None"]


class LevelsService:
    def __init__(
        self,
        actors: Actors,
        reader: Reader,
        settings: SettingsStore,
        *,
        commit_listeners: list[Callable[[list[Receipt]], None]] | None = None,
        services: Mapping[str, Any] | None = None,
        clock: Callable[[], int] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.actors = actors
        self.reader = reader
        self.loader = RowLoader(reader)
        self.settings = settings
        self.discord: DiscordView = NoDiscord()
        # The features' services (the shop, listed after this one, is found there at use).
        self.services: Mapping[str, Any] = services if services is not None else {}
        self.clock: Callable[[], int] = clock or (lambda: now_ms())
        self.rng = rng or random.Random()
        # Names this process's voice sessions: one left open by an earlier run is closed.
        self.run_id = f"{int(time.time() * 1000):x}.{random.getrandbits(32):08x}"
        self._settling: set[tuple[int, int]] = set()
        self._releveling: set[int] = set()
        self._background: set[asyncio.Future[Any]] = set()
        # Figures for the benchmark and metrics.
        self.commit_ms: collections.deque[float] = collections.deque(maxlen=100_000)
        self.messages_seen = 0
        self.messages_dropped = 0  # inside a known cooldown: no job, no read, no write
        self.credits = 0  # XP changes committed (one may hold several messages' XP)
        self.messages_earned = 0  # messages that earned XP
        self.events: collections.Counter[str] = collections.Counter()  # handled, by kind
        if commit_listeners is not None:
            commit_listeners.append(self._on_commit)

    @classmethod
    def create(cls, ctx: Context) -> LevelsService:
        defaults = ctx.settings.default("levels")
        assert isinstance(defaults, LevelSettings)
        levels_audit.configure(defaults)
        return cls(
            ctx.actors,
            ctx.reader,
            ctx.settings,
            commit_listeners=ctx.commit_listeners,
            services=ctx.services,
        )

    # -- settings ------------------------------------------------------------------------------

    async def settings_for(self, guild_id: int) -> LevelSettings:
        return await self.settings.get(guild_id, "levels", LevelSettings)

    async def locale_for(self, guild_id: int) -> str:
        """The guild's language for what everyone reads (announcements, notices)."""
        core: msgspec.Struct = await self.settings.get(guild_id, "core")
        return str(getattr(core, "locale", "en"))

    # -- the member's cached row ---------------------------------------------------------------

    async def _state(self, owner: Owner, guild_id: int, user_id: int) -> MemberXp:
        """The member's committed row, read once per owner (again if a commit changed it
        while it was being read)."""
        found = owner.state.get(STATE)
        if isinstance(found, MemberXp):
            return found
        while True:
            owner.state[STALE] = False
            row = await self.loader.load(guild_id, user_id)
            if not owner.state.get(STALE):
                break
        paid = str(row["paid"]).split("\x1f") if row is not None and row["paid"] else []
        state = MemberXp.from_row(row, paid)
        owner.state[STATE] = state
        return state

    def _on_commit(self, receipts: list[Receipt]) -> None:
        """A batch committed: every cached member row it changed takes its committed values;
        XP a game left pending is folded in by the member's owner. (A repeated reference's
        receipt says what its first commit wrote, long ago: it changes no cache.)"""
        for receipt in receipts:
            if receipt.duplicate:
                continue
            for row in receipt.rows:
                if row.table == MEMBERS:
                    self._heard(int(row.key[0]), int(row.key[1]), row.values)
                elif (
                    row.table == "settings"
                    and row.key[1] == "levels"
                    and str(row.key[2]).startswith("curve_")
                ):
                    self._schedule_relevel(int(row.key[0]))
                elif row.table == REWARDS and row.values is not None:
                    owner = self.actors.members.peek((int(row.key[0]), int(row.key[1])))
                    state = owner.state.get(STATE) if owner is not None else None
                    if isinstance(state, MemberXp):
                        state.paid.add(str(row.key[2]))

    def _heard(self, guild_id: int, user_id: int, values: dict[str, Any] | None) -> None:
        owner = self.actors.members.peek((guild_id, user_id))
        if owner is not None:
            state = owner.state.get(STATE)
            if isinstance(state, MemberXp):
                if values is None:
                    state.forget()
                else:
                    state.apply(values)
            else:
                owner.state[STALE] = True
        if values is not None and values["pending_xp"] > 0:
            self._schedule_settle(guild_id, user_id)

    def _forget_state(self, owner: Owner) -> None:
        owner.state.pop(STATE, None)

    def keep(self, future: asyncio.Future[Any], what: str) -> None:
        """Run in the background; a failure is logged, never lost."""
        if future in self._background:
            return  # kept already (messages that wait for one job share its future)
        self._background.add(future)

        def done(f: asyncio.Future[Any]) -> None:
            self._background.discard(f)
            if f.cancelled():
                return
            error = f.exception()
            if isinstance(error, Busy):
                return  # stopping: the row stays as it is and is seen again at start
            if error is not None:
                log.error("levels_job_failed", job=what, error=repr(error), exc_info=error)

        future.add_done_callback(done)

    async def idle(self) -> None:
        """Wait until every background job started so far is done (tests, benchmarks)."""
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)

    # -- one credit in the member's turn -------------------------------------------------------

    async def _commit(self, owner: Owner, op: Op) -> Receipt:
        """Submit from inside the owner's turn (its own mailbox would wait on this job)."""
        started = time.perf_counter()
        receipt = await owner.writer.submit(op)
        self.commit_ms.append((time.perf_counter() - started) * 1000)
        return receipt

    async def _credit(
        self,
        owner: Owner,
        guild_id: int,
        user_id: int,
        make: PlanMaker,
        *,
        name: str,
        reference: str | Callable[[], str],
        remember: bool = False,
        acting_user_id: int | None = None,
        reason: str = "",
        effects: Sequence[Effect] = (),
        duplicates: bool = False,
    ) -> tuple[Receipt, CreditPlan] | None:
        """Plan with the member's row and commit; None when the plan says nothing to do or
        the cause was credited before (``duplicates``: raise that refusal instead). In the
        owner's turn."""
        for attempt in range(RETRIES):
            state = await self._state(owner, guild_id, user_id)
            settings = await self.settings_for(guild_id)
            locale = await self.locale_for(guild_id)
            plan = make(state, settings, locale)
            if plan is None:
                return None
            op = Op(
                guild_id=guild_id,
                user_id=user_id,
                reference=reference if isinstance(reference, str) else reference(),
                name=name,
                moves=plan.moves,
                changes=plan.changes,
                effects=(*plan.effects, *effects),
                reason=reason,
                acting_user_id=acting_user_id,
                remember=remember,
            )
            try:
                receipt = await self._commit(owner, op)
            except Refused as e:
                if e.key == "levels.already_credited" and not duplicates:
                    return None
                if e.key in ("levels.stale", "levels.reward_given") and attempt + 1 < RETRIES:
                    log.info("levels_state_reloaded", guild_id=guild_id, user_id=user_id)
                    self._forget_state(owner)
                    continue
                raise
            self.credits += 1
            if plan.blocked:
                self.keep(asyncio.ensure_future(self.report(guild_id, plan.blocked)), "report")
            return receipt, plan
        raise AssertionError("unreachable: the last attempt returns or raises")

    # -- messages ------------------------------------------------------------------------------

    def message(
        self, facts: MessageFacts, settings: LevelSettings
    ) -> asyncio.Future[Receipt | None] | None:
        """A message was posted. Dropped at once (None) when it can earn nothing or its
        author is known to be inside the cooldown; else the author's owner decides, in turn,
        against the stored last message time, and the future says what was credited."""
        # Invariant: dropped here only when the owner's committed row says the cooldown holds.
        self.messages_seen += 1
        if facts.guild_id is None or message_skip(facts, settings):
            return None
        guild_id, user_id = facts.guild_id, facts.author_id
        owner = self.actors.member(guild_id, user_id)
        state = owner.state.get(STATE)
        if isinstance(state, MemberXp) and in_cooldown(
            state.last_message_at, facts.created_at_ms, settings
        ):
            self.messages_dropped += 1
            return None
        waiting = owner.state.get(PENDING)
        if isinstance(waiting, Waiting) and waiting.future and not waiting.future.done():
            waiting.facts.append(facts)  # a job is queued: it decides this one too
            return waiting.future
        waiting = Waiting([facts])
        try:
            future = owner.run(lambda o: self._messages(o, guild_id, user_id))
        except Busy:
            return None  # stopping: the message earns nothing (nothing was acknowledged)
        owner.state[PENDING] = waiting
        waiting.future = future
        return future

    async def on_message(self, facts: MessageFacts) -> Receipt | None:
        """``message`` with the guild's settings, waiting for the credit (if any)."""
        if facts.guild_id is None:
            return None
        settings = await self.settings_for(facts.guild_id)
        queued = self.message(facts, settings)
        return None if queued is None else await queued

    async def _messages(self, owner: Owner, guild_id: int, user_id: int) -> Receipt | None:
        """Decide the messages that waited for this turn, in order, against the member's
        row: those outside the cooldown earn, and are written as one change (a log row each).
        """
        waiting = owner.state.pop(PENDING)
        assert isinstance(waiting, Waiting)
        if len(waiting.facts) == 1:
            return await self._message(owner, waiting.facts[0])
        earned: list[tuple[MessageFacts, int]] = []

        def make(state: MemberXp, settings: LevelSettings, locale: str) -> CreditPlan | None:
            last = state.last_message_at
            earned.clear()
            for facts in waiting.facts:
                decision = message_decision(facts, last, settings, self.rng)
                if decision.earned:
                    earned.append((facts, decision.xp))
                    last = facts.created_at_ms
            if not earned:
                return None
            now = self.clock()
            logs = [
                Insert(
                    table=LOG,
                    key=(guild_id, reference_message(guild_id, facts.message_id)),
                    values=log_values(
                        user_id=user_id, source="message", xp=xp, counters=ONE_MESSAGE, now_ms=now
                    ),
                    refuse="levels.already_credited",
                )
                for facts, xp in earned
            ]
            latest = earned[-1][0]
            return self._plan(
                guild_id=guild_id,
                user_id=user_id,
                state=state,
                xp=sum(xp for _, xp in earned),
                settings=settings,
                reference="",
                source="message",
                now_ms=now,
                counters=Counters(messages=len(earned)),
                row_values={"last_message_at": latest.created_at_ms},
                log=False,
                extra=logs,
                member_role_ids=latest.role_ids,
                spoke_in_channel_id=latest.channel_id,
                locale=locale,
            )

        try:
            done = await self._credit(
                owner,
                guild_id,
                user_id,
                make,
                name="levels.message",
                reference=lambda: reference_message(guild_id, earned[0][0].message_id),
                duplicates=True,
            )
        except Refused as e:
            if e.key != "levels.already_credited":
                raise
            # One of them was credited before (a redelivery): each alone, then.
            receipt = None
            for facts in waiting.facts:
                receipt = await self._message(owner, facts) or receipt
            return receipt
        if done is None:
            return None
        self.messages_earned += len(earned)
        return done[0]

    async def _message(self, owner: Owner, facts: MessageFacts) -> Receipt | None:
        guild_id, user_id = facts.guild_id, facts.author_id
        assert guild_id is not None

        def make(state: MemberXp, settings: LevelSettings, locale: str) -> CreditPlan | None:
            decision = message_decision(facts, state.last_message_at, settings, self.rng)
            if not decision.earned:
                return None
            return self._plan(
                guild_id=guild_id,
                user_id=user_id,
                state=state,
                xp=decision.xp,
                settings=settings,
                reference=reference_message(guild_id, facts.message_id),
                source="message",
                now_ms=self.clock(),
                counters=ONE_MESSAGE,
                row_values={"last_message_at": facts.created_at_ms},
                member_role_ids=facts.role_ids,
                spoke_in_channel_id=facts.channel_id,
                locale=locale,
            )

        done = await self._credit(
            owner,
            guild_id,
            user_id,
            make,
            name="levels.message",
            reference=reference_message(guild_id, facts.message_id),
        )
        if done is None:
            return None
        self.messages_earned += 1
        return done[0]

    # -- reactions -----------------------------------------------------------------------------

    async def reaction(
        self,
        *,
        guild_id: int,
        channel_id: int,
        message_id: int,
        reactor_id: int,
        reactor_is_bot: bool,
        author_id: int,
        author_is_bot: bool,
        author_role_ids: frozenset[int] | None = None,
        webhook_id: int | None = None,
        parent_ids: tuple[int, ...] = (),
    ) -> Receipt | None:
        """A member reacted to a message: its author earns the reaction XP, once per reacting
        member and message, ever (the log row the reference names stays when the reaction is
        removed, so adding it again earns nothing)."""
        settings = await self.settings_for(guild_id)
        roles = author_role_ids
        if roles is None:
            roles = self.discord.member_roles(guild_id, author_id)

        def decide(settings: LevelSettings) -> Decision:
            return reaction_decision(
                guild_id=guild_id,
                channel_id=channel_id,
                reactor_id=reactor_id,
                reactor_is_bot=reactor_is_bot,
                author_id=author_id,
                author_is_bot=author_is_bot,
                author_role_ids=roles or frozenset(),
                webhook_id=webhook_id,
                parent_ids=parent_ids,
                already_credited=False,  # the log row decides, in the writer
                settings=settings,
            )

        decision = decide(settings)
        if not decision.earned:
            return None
        reference = reference_reaction(guild_id, message_id, reactor_id)

        def make(state: MemberXp, settings: LevelSettings, locale: str) -> CreditPlan | None:
            again = decide(settings)  # the settings of the owner's turn
            if not again.earned:
                return None
            return self._plan(
                guild_id=guild_id,
                user_id=author_id,
                state=state,
                xp=again.xp,
                settings=settings,
                reference=reference,
                source="reaction",
                now_ms=self.clock(),
                counters=ONE_REACTION,
                member_role_ids=roles,
                spoke_in_channel_id=channel_id,
                locale=locale,
            )

        owner = self.actors.member(guild_id, author_id)
        done = await owner.run(
            lambda o: self._credit(
                o, guild_id, author_id, make, name="levels.reaction", reference=reference
            )
        )
        return None if done is None else done[0]

    # -- voice ---------------------------------------------------------------------------------

    async def voice_update(
        self, guild_id: int, facts: Mapping[int, VoiceFacts], now_ms: int | None = None
    ) -> list[Receipt | None]:
        """Members' voice states as the gateway now describes them (the member who moved and
        everyone in the channels they left and joined): each session steps to its new state,
        crediting the whole eligible minutes of the segment that ends now."""
        now = self.clock() if now_ms is None else now_ms
        jobs = [self._voice_job(guild_id, u, f, now) for u, f in facts.items()]
        return list(await asyncio.gather(*jobs))

    def _voice_job(
        self, guild_id: int, user_id: int, facts: VoiceFacts | None, now: int
    ) -> asyncio.Future[Receipt | None]:
        def job(owner: Owner) -> Awaitable[Receipt | None]:
            return self._voice(owner, guild_id, user_id, facts, now)

        return self.actors.member(guild_id, user_id).run(job)

    async def voice_resume(
        self, guild_id: int, facts: Mapping[int, VoiceFacts]
    ) -> list[Receipt | None]:
        """The gateway (re)connected and says who is in voice now: sessions left open by an
        earlier run are closed at their last stored step, and the current ones open now."""
        rows = await self.reader.rows(
            f"SELECT user_id FROM {MEMBERS} WHERE guild_id = ? AND voice_channel_id IS NOT NULL",
            (guild_id,),
        )
        everyone = {int(r["user_id"]): NOT_IN_VOICE for r in rows}
        everyone.update(facts)
        return await self.voice_update(guild_id, everyone)

    async def voice_tick(self, now_ms: int | None = None) -> int:
        """Credit the whole minutes of every open, eligible session of this run so far (a
        crash then loses at most the time since the last tick). Returns how many credited."""
        now = self.clock() if now_ms is None else now_ms
        rows = await self.reader.rows(
            f"SELECT guild_id, user_id FROM {MEMBERS} WHERE voice_channel_id IS NOT NULL"
            " AND voice_eligible = 1 AND voice_run = ?",
            (self.run_id,),
        )
        jobs = [self._voice_job(int(r["guild_id"]), int(r["user_id"]), None, now) for r in rows]
        done = await asyncio.gather(*jobs)
        return sum(1 for d in done if d is not None)

    async def _voice(
        self, owner: Owner, guild_id: int, user_id: int, facts: VoiceFacts | None, now: int
    ) -> Receipt | None:
        """One step of a member's session (``facts`` None: a tick, the state unchanged)."""

        def make(state: MemberXp, settings: LevelSettings, locale: str) -> CreditPlan | None:
            session, session_at = state.voice, state.voice_session_at
            leftover = session.open and state.voice_run != self.run_id
            steps: list[VoiceCredit] = []
            if leftover:
                closed = close_after_restart(session, None, now, settings)
                steps.append(closed)
                session = closed.state
            if facts is None:
                if not session.open or not session.eligible:
                    if not leftover:
                        return None
                    step = close_after_restart(session, None, now, settings)
                else:
                    step = voice_tick(session, now, settings)
                    if step.minutes == 0 and not leftover:
                        return None
            else:
                step = voice_step(session, facts, now, settings)
                new = step.state
                same = (session.channel_id, session.eligible, session.percent) == (
                    new.channel_id,
                    new.eligible,
                    new.percent,
                )
                if same and step.minutes == 0 and not leftover:
                    return None
            steps.append(step)
            new_session = step.state
            minutes = sum(s.minutes for s in steps)
            xp = sum(s.xp for s in steps)
            values: dict[str, Any] = voice_values(new_session)
            opened = new_session.open and not session.open
            if opened:
                values["voice_session_at"] = now
                values["voice_run"] = self.run_id
            logged = voice_log_changes(
                guild_id=guild_id,
                user_id=user_id,
                session_at=session_at,
                xp=xp,
                seconds=minutes * 60,
                now_ms=now,
            )
            guard = Expect(
                table=MEMBERS,
                key=(guild_id, user_id),
                column="voice_since",
                value=state.voice.since_ms,
                missing_ok=not state.exists,
                refuse="levels.stale",
            )
            return self._plan(
                guild_id=guild_id,
                user_id=user_id,
                state=state,
                xp=xp,
                settings=settings,
                reference="",
                source="voice",
                now_ms=now,
                counters=Counters(voice_seconds=minutes * 60),
                row_values=values,
                log=False,
                guards=(guard,),
                extra=logged,
                member_role_ids=(
                    facts.role_ids if facts is not None and facts.channel_id else None
                ),
                locale=locale,
            )

        def reference() -> str:
            state = owner.state.get(STATE)
            since = state.voice.since_ms if isinstance(state, MemberXp) else 0
            return reference_voice(guild_id, user_id, since, now)

        done = await self._credit(
            owner, guild_id, user_id, make, name="levels.voice", reference=reference
        )
        return None if done is None else done[0]

    # -- games ---------------------------------------------------------------------------------

    async def game_xp_changes(
        self,
        guild_id: int,
        user_id: int,
        *,
        won: bool,
        game_id: int | str,
        member_is_bot: bool = False,
        role_ids: frozenset[int] | None = None,
        channel_id: int | None = None,
        parent_ids: tuple[int, ...] = (),
    ) -> tuple[Change, ...]:
        """The XP of one member's game result, as changes for the game's own operation (its
        settlement and this XP commit together, or neither). Empty when the member earns
        nothing (a bot, a no-XP role or channel, a source set to 0). The member's owner folds
        the XP in right after the commit, with the announcement, roles and rewards it sets
        off. A game id credits each member once (its log row)."""
        settings = await self.settings_for(guild_id)
        roles = role_ids if role_ids is not None else self.discord.member_roles(guild_id, user_id)
        decision = game_decision(
            won=won,
            member_is_bot=member_is_bot,
            role_ids=roles or frozenset(),
            channel_id=channel_id,
            parent_ids=parent_ids,
            settings=settings,
        )
        if not decision.earned:
            return ()
        return game_changes(
            guild_id=guild_id,
            user_id=user_id,
            reference=reference_game(guild_id, game_id, user_id),
            xp=decision.xp,
            now_ms=self.clock(),
            channel_id=channel_id,
        )

    def _schedule_settle(self, guild_id: int, user_id: int) -> None:
        key = (guild_id, user_id)
        if key in self._settling or self.actors.members.closing:
            return
        self._settling.add(key)
        owner = self.actors.member(guild_id, user_id)
        self.keep(owner.run(lambda o: self._settle(o, guild_id, user_id)), "settle")

    async def _settle(self, owner: Owner, guild_id: int, user_id: int) -> Receipt | None:
        """Fold the XP a game left pending into the member's XP (in the member's turn)."""
        self._settling.discard((guild_id, user_id))
        now = self.clock()

        def make(state: MemberXp, settings: LevelSettings, locale: str) -> CreditPlan | None:
            if state.pending_xp <= 0:
                return None
            return self._plan(
                guild_id=guild_id,
                user_id=user_id,
                state=state,
                xp=state.pending_xp,
                settings=settings,
                reference="",
                source="game",
                now_ms=now,
                log=False,
                extra=settle_changes(guild_id, user_id, state.pending_xp),
                member_role_ids=self.discord.member_roles(guild_id, user_id),
                spoke_in_channel_id=state.pending_channel_id,
                locale=locale,
            )

        done = await self._credit(
            owner,
            guild_id,
            user_id,
            make,
            name="levels.game",
            reference=f"levels:settle:{guild_id}:{user_id}:{now}",
        )
        return None if done is None else done[0]

    async def settle_pending(self) -> int:
        """Fold in every game XP still pending (at start: a crash came before the owner's
        turn). Returns how many members had some."""
        rows = await self.reader.rows(
            f"SELECT guild_id, user_id FROM {MEMBERS} WHERE pending_xp > 0"
        )
        for r in rows:
            self._schedule_settle(int(r["guild_id"]), int(r["user_id"]))
        return len(rows)

    # -- a new curve -------------------------------------------------------------------------

    def _schedule_relevel(self, guild_id: int) -> None:
        if guild_id in self._releveling or self.actors.members.closing:
            return
        self._releveling.add(guild_id)
        self.keep(asyncio.ensure_future(self.relevel(guild_id)), "relevel")

    async def relevel(self, guild_id: int) -> int:
        """The guild's curve changed: each member's stored level becomes their XP's level
        under it (their level roles follow when Discord says what roles they hold; nothing
        is announced and no reward given). Returns how many levels moved."""
        self._releveling.discard(guild_id)
        settings = await self.settings_for(guild_id)
        rows = await self.reader.rows(
            f"SELECT user_id, xp, level FROM {MEMBERS} WHERE guild_id = ?", (guild_id,)
        )
        moved = [
            int(r["user_id"])
            for r in rows
            if level_for_xp(int(r["xp"]), settings.curve) != int(r["level"])
        ]
        jobs = [self._relevel_job(guild_id, user_id) for user_id in moved]
        done = await asyncio.gather(*jobs)
        return sum(1 for d in done if d is not None)

    def _relevel_job(self, guild_id: int, user_id: int) -> asyncio.Future[Receipt | None]:
        async def job(owner: Owner) -> Receipt | None:
            def make(state: MemberXp, settings: LevelSettings, locale: str) -> CreditPlan | None:
                if level_for_xp(state.xp, settings.curve) == state.level:
                    return None
                roles = self.discord.member_roles(guild_id, user_id)
                return self._plan(
                    guild_id=guild_id,
                    user_id=user_id,
                    state=state,
                    xp=0,
                    settings=settings,
                    reference="",
                    source="admin",
                    now_ms=self.clock(),
                    log=False,
                    member_role_ids=roles,
                    locale=locale,
                    announce=False,
                    rewards=False,
                )

            done = await self._credit(
                owner,
                guild_id,
                user_id,
                make,
                name="levels.relevel",
                reference=f"levels:relevel:{guild_id}:{user_id}:{self.clock()}",
            )
            return None if done is None else done[0]

        return self.actors.member(guild_id, user_id).run(job)

    # -- admin ---------------------------------------------------------------------------------

    async def admin_change(
        self,
        guild_id: int,
        user_id: int,
        action: AdminAction,
        amount: int,
        reference: str,
        *,
        acting_user_id: int,
        reason: str = "",
        member_role_ids: frozenset[int] | None = None,
        log_channel_id: int | None = None,
    ) -> AdminResult:
        """An admin's ``add``, ``remove``, ``set`` or ``reset``: one operation through the
        member's owner, recorded with who and why (and copied to ``log_channel_id``, in the
        same operation); the level roles are re-evaluated, rewards of the levels it crosses
        are given (once ever); nothing is announced."""
        worked: list[AdminChange] = []

        def make(state: MemberXp, settings: LevelSettings, locale: str) -> CreditPlan:
            change = admin_change(action, state.xp, amount)
            worked[:] = [change]
            plan = self._plan(
                guild_id=guild_id,
                user_id=user_id,
                state=state,
                xp=change.delta,
                settings=settings,
                reference=reference,
                source="admin",
                now_ms=self.clock(),
                member_role_ids=(
                    member_role_ids
                    if member_role_ids is not None
                    else self.discord.member_roles(guild_id, user_id)
                ),
                locale=locale,
                announce=False,
                always_roles=True,
                acting_user_id=acting_user_id,
                reason=reason,
            )
            if log_channel_id is None:
                return plan
            copy = admin_reply(change, user_id, reason=reason, curve=settings.curve, locale=locale)
            copy += "\n" + text("levels.admin.by", locale, user=str(acting_user_id))
            post = Effect(
                kind="discord.post", payload={"channel_id": log_channel_id, "content": copy}
            )
            return msgspec.structs.replace(plan, effects=(*plan.effects, post))

        owner = self.actors.member(guild_id, user_id)
        done = await owner.run(
            lambda o: self._credit(
                o,
                guild_id,
                user_id,
                make,
                name=f"levels.admin.{action}",
                reference=reference,
                remember=True,
                acting_user_id=acting_user_id,
                reason=reason,
            )
        )
        if done is None:
            raise Refused("levels.already_credited")
        receipt, plan = done
        return AdminResult(
            change=worked[0],
            receipt=receipt,
            level_before=plan.level_before,
            level_after=plan.level_after,
        )

    async def sync_roles(
        self,
        guild_id: int,
        members: Iterable[tuple[int, frozenset[int], bool]],
        reference: str,
        *,
        acting_user_id: int,
    ) -> SyncResult:
        """Bring every member's level roles in line with their level (``members``: each
        member's id, roles and whether it is a bot). Problems reported before are forgotten
        first, so what still fails is reported again, once."""
        settings = await self.settings_for(guild_id)
        await self._clear_notices(guild_id, acting_user_id)
        levels = {
            int(r["user_id"]): int(r["level"])
            for r in await self.reader.rows(
                f"SELECT user_id, level FROM {MEMBERS} WHERE guild_id = ?", (guild_id,)
            )
        }
        added = removed = count = 0
        blocked: set[tuple[str, int]] = set()
        futures: list[asyncio.Future[Receipt]] = []
        for user_id, role_ids, is_bot in members:
            if is_bot:
                continue
            count += 1
            level = levels.get(user_id, 0)
            changes = role_changes(level, role_ids, settings)
            if changes.empty:
                continue
            effects, stuck = role_effects(
                guild_id,
                user_id,
                changes,
                level,
                lambda role: self.discord.role_problem(guild_id, role),
            )
            blocked.update(stuck)
            if not effects:
                continue
            added += sum(1 for e in effects if e.kind == "discord.add_role")
            removed += sum(1 for e in effects if e.kind == "discord.remove_role")
            op = Op(
                guild_id=guild_id,
                user_id=user_id,
                reference=f"{reference}:{user_id}"[:200],
                name="levels.sync_roles",
                effects=tuple(effects),
                acting_user_id=acting_user_id,
            )
            futures.append(self.actors.member(guild_id, user_id).submit(op))
        await asyncio.gather(*futures)
        if blocked:
            await self.report(guild_id, sorted(blocked))
        return SyncResult(members=count, added=added, removed=removed, blocked=len(blocked))

    async def rejoin(self, guild_id: int, user_id: int, joined_at_ms: int) -> Receipt | None:
        """A member came back: their level roles again (unless the guild said no)."""
        settings = await self.settings_for(guild_id)
        if not settings.restore_roles_on_rejoin or not settings.role_rewards:
            return None

        async def job(owner: Owner) -> Receipt | None:
            state = await self._state(owner, guild_id, user_id)
            changes = rejoin_roles(state.level, settings)
            if changes.empty:
                return None
            effects, blocked = role_effects(
                guild_id,
                user_id,
                changes,
                state.level,
                lambda role: self.discord.role_problem(guild_id, role),
            )
            if blocked:
                self.keep(asyncio.ensure_future(self.report(guild_id, blocked)), "report")
            if not effects:
                return None
            op = Op(
                guild_id=guild_id,
                user_id=user_id,
                reference=f"levels:rejoin:{guild_id}:{user_id}:{joined_at_ms}",
                name="levels.rejoin",
                effects=tuple(effects),
            )
            return await self._commit(owner, op)

        return await self.actors.member(guild_id, user_id).run(job)

    # -- telling admins, once ------------------------------------------------------------------

    async def report(self, guild_id: int, problems: Iterable[tuple[str, int]]) -> int:
        """Tell the guild's admins each problem once (in the log channel, else a DM to the
        owner): a row per problem says it was told. Returns how many were told now."""
        core: msgspec.Struct = await self.settings.get(guild_id, "core")
        locale = str(getattr(core, "locale", "en"))
        channel = getattr(core, "log_channel", None)
        told = 0
        for problem, role_id in problems:
            content = text(f"levels.admin.{problem}", locale, role=str(role_id))
            if channel is not None:
                effect = Effect(
                    kind="discord.post", payload={"channel_id": channel, "content": content}
                )
            elif (owner_id := self.discord.guild_owner(guild_id)) is not None:
                effect = Effect(
                    kind="discord.dm", payload={"user_id": owner_id, "content": content}
                )
            else:
                effect = None
            log.warning("levels_roles_blocked", guild_id=guild_id, problem=problem, role_id=role_id)
            op = Op(
                guild_id=guild_id,
                user_id=SYSTEM_USER,
                reference=f"levels:notice:{problem}:{role_id}",
                name="levels.notice",
                changes=(
                    Insert(
                        table=NOTICES,
                        key=(guild_id, problem, role_id),
                        values={"at": self.clock()},
                        refuse="levels.told_before",
                    ),
                ),
                effects=(effect,) if effect is not None else (),
                remember=False,  # the notice row is what makes it once
            )
            try:
                await self.actors.guild(guild_id).submit(op)
            except Refused:
                continue  # told before
            told += 1
        return told

    async def _clear_notices(self, guild_id: int, acting_user_id: int) -> None:
        rows = await self.reader.rows(
            f"SELECT problem, role_id FROM {NOTICES} WHERE guild_id = ?", (guild_id,)
        )
        if not rows:
            return
        op = Op(
            guild_id=guild_id,
            user_id=acting_user_id,
            reference=f"levels:notices-cleared:{guild_id}:{self.clock()}",
            name="levels.notices_cleared",
            changes=tuple(
                Delete(table=NOTICES, key=(guild_id, r["problem"], r["role_id"])) for r in rows
            ),
            remember=False,
        )
        await self.actors.guild(guild_id).submit(op)

    def _plan(self, guild_id: int, user_id: int, **decided: Any) -> CreditPlan:
        """``plan_credit`` for a member of this guild, with what Discord and the shop say."""
        return plan_credit(
            guild_id=guild_id,
            user_id=user_id,
            role_problem=lambda role: self.discord.role_problem(guild_id, role),
            grant_item=self.grant_item(guild_id, user_id),
            **decided,
        )

    # -- rewards the shop hands over -----------------------------------------------------------

    def grant_item(self, guild_id: int, user_id: int) -> GrantItem | None:
        """How a level's item reward reaches the member's inventory in the same operation as
        the level-up, when the shop feature runs; without it the reward stays ``due``."""
        shop = self.services.get("shop")
        if shop is None:
            return None

        def grant(item: str, quantity: int, reward_key: str) -> Sequence[Change]:
            changes: Sequence[Change] = shop.grant_changes(
                guild_id,
                user_id,
                item,
                quantity,
                reference=f"levels.reward:{reward_key}",
                reason=f"level reward {reward_key}",
            )
            return changes

        return grant

    async def item_rewards(
        self, guild_id: int, user_id: int | None = None, status: str = "due"
    ) -> list[ItemRewardRow]:
        """Item rewards members reached (``due``: not handed over yet), oldest first."""
        where, params = "guild_id = ? AND kind = 'item' AND status = ?", [guild_id, status]
        if user_id is not None:
            where += " AND user_id = ?"
            params.append(user_id)
        rows = await self.reader.rows(
            f"SELECT guild_id, user_id, reward_key, level, item, quantity, status, created_at"
            f" FROM {REWARDS} WHERE {where} ORDER BY created_at, user_id",
            params,
        )
        return [ItemRewardRow(**dict(r)) for r in rows]

    def deliver_item_changes(
        self, guild_id: int, user_id: int, reward_key: str
    ) -> tuple[Change, ...]:
        """Changes for the shop's own operation that hands an item reward over (refused with
        ``levels.reward_not_due`` when it was handed over already)."""
        key = (guild_id, user_id, reward_key)
        return (
            Expect(
                table=REWARDS, key=key, column="status", value="due", refuse="levels.reward_not_due"
            ),
            Patch(
                table=REWARDS, key=key, values={"status": "delivered", "updated_at": self.clock()}
            ),
        )

    # -- reads ---------------------------------------------------------------------------------

    async def profile(self, guild_id: int, user_id: int) -> Profile:
        """A member's XP, level, progress, rank and counters, as committed."""
        settings = await self.settings_for(guild_id)
        row = await self.reader.row(
            f"SELECT xp, pending_xp, messages, voice_seconds, reactions_received FROM {MEMBERS}"
            " WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        xp = 0 if row is None else int(row["xp"])
        more = await self.reader.scalar(
            f"SELECT COUNT(*) FROM {MEMBERS} WHERE guild_id = ? AND xp > ?", (guild_id, xp)
        )
        ranked = await self.reader.scalar(
            f"SELECT COUNT(*) FROM {MEMBERS} WHERE guild_id = ? AND xp > 0", (guild_id,)
        )
        p = progress(xp, settings.curve)
        counters = (
            Counters()
            if row is None
            else Counters(
                messages=row["messages"],
                voice_seconds=row["voice_seconds"],
                reactions_received=row["reactions_received"],
            )
        )
        return Profile(
            user_id=user_id,
            xp=xp,
            level=p.level,
            into=p.into,
            needed=p.needed,
            rank=rank_of(xp, int(more)),
            counters=counters,
            ranked=int(ranked),
        )

    async def top(self, guild_id: int, asker_id: int, page: int = 1) -> TopPage:
        """One page of the members with the most XP (equal XP, equal rank), and the asker's
        rank. A page past the end is refused, saying how many there are."""
        members = int(
            await self.reader.scalar(
                f"SELECT COUNT(*) FROM {MEMBERS} WHERE guild_id = ? AND xp > 0", (guild_id,)
            )
        )
        page = check_top_page(page, members)
        rows = await self.reader.rows(
            f"SELECT user_id, xp FROM {MEMBERS} WHERE guild_id = ? AND xp > 0"
            " ORDER BY xp DESC, user_id LIMIT ? OFFSET ?",
            (guild_id, TOP_PAGE_SIZE, (page - 1) * TOP_PAGE_SIZE),
        )
        entries: list[TopEntry] = []
        for i, r in enumerate(rows):
            xp = int(r["xp"])
            if entries and entries[-1].xp == xp:
                rank = entries[-1].rank
            elif i == 0:
                more = await self.reader.scalar(
                    f"SELECT COUNT(*) FROM {MEMBERS} WHERE guild_id = ? AND xp > ?",
                    (guild_id, xp),
                )
                rank = int(more) + 1
            else:
                rank = (page - 1) * TOP_PAGE_SIZE + i + 1
            entries.append(TopEntry(rank=rank, user_id=int(r["user_id"]), xp=xp))
        mine = await self.profile(guild_id, asker_id)
        return TopPage(
            entries=entries, page=page, members=members, asker_rank=mine.rank, asker_xp=mine.xp
        )

    async def xp_of(self, guild_id: int, user_id: int) -> int:
        value = await self.reader.scalar(
            f"SELECT xp FROM {MEMBERS} WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        )
        return 0 if value is None else int(value)

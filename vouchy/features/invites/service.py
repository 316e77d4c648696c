"""The invites service: what the gateway listeners, the commands and the command line call.

A guild's invite cache lives in its owner's ``state`` (``app.actors.guild(guild)``), which is
also the only writer of the guild's invite rows: the cache is filled when the guild becomes
available, kept by INVITE_CREATE and INVITE_DELETE, and each join is attributed in the owner's
turn, one at a time, in the order the events arrived (fetch the invites, compare, record).
Every change is an operation through the writer (journaled, idempotent by its reference); the
readable logs are appended after the join is committed and caught up at start.

Nothing here knows hikari: Discord is reached through an ``InviteSource`` the Discord layer
passes in (the invite list and the vanity URL, as plain values).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

import msgspec

from vouchy.actors.owners import Actors, Owner
from vouchy.core import i18n
from vouchy.core.errors import InvalidInput, Refused, VouchyError
from vouchy.core.logs import get_logger
from vouchy.core.server_settings import CoreSettings
from vouchy.core.validation import check_page
from vouchy.features.base import Context
from vouchy.features.invites import logs, rules
from vouchy.features.invites.attribution import (
    Attribution,
    CachedInvite,
    InviteCache,
    NoPermission,
    Vanity,
    attribute,
    cache_from_listing,
    empty_cache,
    join_record,
    note_invite_deleted,
    permission_notice,
    with_invite_created,
)
from vouchy.features.invites.counts import (
    BonusRecord,
    InviterCounts,
    LeaveRecord,
    RankedInviter,
    Standing,
    check_bonus,
    join_effect,
    leave_effect,
    rank,
    rank_of,
)
from vouchy.features.invites.records import JoinRecord, join_reference, leave_reference
from vouchy.features.invites.rules import InvitesSettings, Source
from vouchy.features.invites.staff import StaffLink, StaffMap, new_link, parse_invite_code
from vouchy.features.invites.staff import staff_for as staff_of
from vouchy.features.invites.staff import staff_map as make_staff_map
from vouchy.features.invites.sync import SyncReport, compare_uses
from vouchy.store.operations import Receipt
from vouchy.store.reader import Reader
from vouchy.store.settings import SettingsStore

log = get_logger("vouchy.invites")

T = TypeVar("T")
STATE = "invites"  # the key of a guild owner's state
RECENT_MS = 3_600_000


class SourceUnavailable(Exception):
    """Discord did not answer a request for the invites (a server error, a timeout)."""


class InviteSource(Protocol):
    """The guild's invites as Discord lists them (what the Discord layer provides)."""

    async def invites(self, guild_id: int) -> Sequence[CachedInvite] | NoPermission: ...

    async def vanity(self, guild_id: int) -> Vanity | NoPermission | None: ...


class MemberJoin(msgspec.Struct, frozen=True, kw_only=True):
    """A GUILD_MEMBER_ADD as plain values."""

    guild_id: int
    member_id: int
    name: str
    display_name: str | None = None
    joined_at_ms: int
    # The guild has a vanity URL (its uses are then fetched too), and its owner (told in a
    # direct message that Vouchy cannot list invites, when the guild has no log channel).
    has_vanity: bool = False
    owner_id: int | None = None


@dataclass
class GuildInvites:
    """What a guild's owner keeps between events (``owner.state["invites"]``)."""

    cache: InviteCache
    deleted: dict[str, int] = field(default_factory=dict)  # INVITE_DELETE since the last join
    has_vanity: bool = False
    known_codes: set[str] | None = None  # codes in invite_codes (read once, then kept)


class GuildRow(msgspec.Struct, frozen=True):
    events: int = 0
    permission_told: bool = False


class LogsPage(msgspec.Struct, frozen=True, kw_only=True):
    records: list[JoinRecord]
    page: int
    pages: int
    total: int


class TopPage(msgspec.Struct, frozen=True, kw_only=True):
    ranked: list[RankedInviter]
    page: int
    pages: int
    count: int
    asker: RankedInviter | None


class RebuildReport(msgspec.Struct, frozen=True, kw_only=True):
    read: int
    added: int
    already_recorded: int
    logs: logs.CatchUpReport | None = None


def now_ms() -> int:
    return int(time.time() * 1000)


def _pages(total: int, size: int) -> int:
    return max(1, -(-total // size))


def _page_of(page: int, total: int, size: int) -> int:
    """The number of pages, after checking that ``page`` is one of them."""
    page = check_page(page)
    pages = _pages(total, size)
    if page > pages:
        raise InvalidInput("invites.page_past_end", page=page, pages=pages)
    return pages


class InvitesReads:
    """The read side (the command line uses it without a writer)."""

    def __init__(self, reader: Reader, *, page_size: int = 10) -> None:
        self.reader = reader
        self.page_size = page_size

    async def joins(self, guild_id: int | None = None) -> list[JoinRecord]:
        """Every recorded join (of one guild), in the order recorded."""
        if guild_id is None:
            rows = await self.reader.rows(
                "SELECT * FROM invite_joins ORDER BY recorded_at, guild_id, event_no"
            )
        else:
            rows = await self.reader.rows(
                "SELECT * FROM invite_joins WHERE guild_id = ? ORDER BY event_no", (guild_id,)
            )
        return [rules.record_of(r) for r in rows]

    async def is_recorded(self, guild_id: int, join_id: str) -> bool:
        found = await self.reader.scalar(
            "SELECT 1 FROM invite_joins WHERE guild_id = ? AND join_id = ?", (guild_id, join_id)
        )
        return found is not None

    async def latest_join(self, guild_id: int, member_id: int) -> JoinRecord | None:
        row = await self.reader.row(
            "SELECT * FROM invite_joins WHERE guild_id = ? AND member_id = ?"
            " ORDER BY event_no DESC LIMIT 1",
            (guild_id, member_id),
        )
        return None if row is None else rules.record_of(row)

    async def standing(self, guild_id: int, member_id: int) -> Standing | None:
        row = await self.reader.row(
            "SELECT * FROM invite_members WHERE guild_id = ? AND member_id = ?",
            (guild_id, member_id),
        )
        return rules.standing_of(row)

    async def guild_row(self, guild_id: int) -> GuildRow:
        row = await self.reader.row(
            "SELECT events, permission_told FROM invite_guilds WHERE guild_id = ?", (guild_id,)
        )
        return GuildRow() if row is None else GuildRow(row[0], bool(row[1]))

    async def counts(self, guild_id: int, inviter_id: int) -> InviterCounts:
        row = await self.reader.row(
            "SELECT * FROM invite_counts WHERE guild_id = ? AND inviter_id = ?",
            (guild_id, inviter_id),
        )
        return InviterCounts(inviter_id=inviter_id) if row is None else rules.counts_of_row(row)

    async def staff_map(self, guild_id: int) -> StaffMap:
        rows = await self.reader.rows("SELECT * FROM invite_staff WHERE guild_id = ?", (guild_id,))
        return make_staff_map([rules.staff_link_of(r) for r in rows])

    async def lookup(
        self, guild_id: int, member_id: int
    ) -> tuple[JoinRecord | None, StaffLink | None]:
        """The member's latest recorded join and the staff member it maps to today."""
        record = await self.latest_join(guild_id, member_id)
        if record is None:
            return None, None
        mapping = await self.staff_map(guild_id)
        return record, staff_of(mapping, record.code, record.inviter_id)

    async def logs(
        self,
        guild_id: int,
        *,
        member_id: int | None = None,
        code: str | None = None,
        page: int = 1,
        size: int | None = None,
    ) -> LogsPage:
        """Recorded joins, newest first, of one member and/or through one code (an ambiguous
        join naming the code among its candidates included)."""
        size = size or self.page_size
        where = "guild_id = ?"
        params: list[object] = [guild_id]
        if member_id is not None:
            where += " AND member_id = ?"
            params.append(member_id)
        if code is not None:
            code = parse_invite_code(code)
            where += (
                " AND (code = ? OR EXISTS (SELECT 1 FROM json_each(candidates)"
                " WHERE json_each.value = ?))"
            )
            params += [code, code]
        total = await self.reader.scalar(f"SELECT COUNT(*) FROM invite_joins WHERE {where}", params)
        pages = _page_of(page, total, size)
        rows = await self.reader.rows(
            f"SELECT * FROM invite_joins WHERE {where}"
            " ORDER BY joined_at DESC, join_id LIMIT ? OFFSET ?",
            (*params, size, (page - 1) * size),
        )
        return LogsPage(
            records=[rules.record_of(r) for r in rows], page=page, pages=pages, total=total
        )

    async def top(
        self, guild_id: int, asker_id: int, page: int = 1, size: int | None = None
    ) -> TopPage:
        """Inviters ranked by total (regular - left - fake + bonus), and the asker's place."""
        size = size or self.page_size
        rows = await self.reader.rows(
            "SELECT * FROM invite_counts WHERE guild_id = ? AND"
            " (regular != 0 OR left_count != 0 OR fake != 0 OR bonus != 0)",
            (guild_id,),
        )
        ranked = rank(rules.counts_of_row(r) for r in rows)
        pages = _page_of(page, len(ranked), size)
        return TopPage(
            ranked=ranked[(page - 1) * size : page * size],
            page=page,
            pages=pages,
            count=len(ranked),
            asker=rank_of(ranked, asker_id),
        )

    async def export_csv(self, guild_id: int) -> tuple[bytes, int]:
        """The guild's joins as the CSV log writes them (header, formula cells neutralised),
        and how many there are."""
        records = await self.joins(guild_id)
        return logs.csv_bytes(records, header=True), len(records)

    async def compare(self, guild_id: int, discord_uses: dict[str, int]) -> SyncReport:
        """Discord's use counts against each code's uses when first seen plus the joins
        recorded through it."""
        listed = msgspec.json.encode(list(discord_uses)).decode()
        rows = await self.reader.rows(
            "SELECT * FROM invite_joins WHERE guild_id = ? AND"
            " (cause = 'ambiguous' OR code IN (SELECT value FROM json_each(?)))",
            (guild_id, listed),
        )
        first = await self.reader.rows(
            "SELECT code, first_uses FROM invite_codes WHERE guild_id = ?"
            " AND code IN (SELECT value FROM json_each(?))",
            (guild_id, listed),
        )
        baseline = {r["code"]: r["first_uses"] for r in first}
        return compare_uses(discord_uses, [rules.record_of(r) for r in rows], baseline)


class InvitesService(InvitesReads):
    def __init__(
        self,
        actors: Actors,
        reader: Reader,
        settings: SettingsStore,
        data_dir: Path,
        *,
        page_size: int = 10,
    ) -> None:
        super().__init__(reader, page_size=page_size)
        self.actors = actors
        self.settings = settings
        self.data_dir = Path(data_dir)
        self._log_lock = asyncio.Lock()
        self._logs_ready = False
        # Join ids a catch-up appended whose own append may still be waiting (recent joins).
        self._caught_up: set[str] = set()

    @classmethod
    def create(cls, ctx: Context) -> InvitesService:
        return cls(
            ctx.actors,
            ctx.reader,
            ctx.settings,
            ctx.config.data_dir,
            page_size=ctx.config.limits.page_size,
        )

    # -- the guild's owner and its cache ------------------------------------------------------

    def _owner(self, guild_id: int) -> Owner:
        return self.actors.guild(guild_id)

    def _in_turn(
        self, guild_id: int, job: Callable[[Owner, GuildInvites], Awaitable[T]]
    ) -> asyncio.Future[T]:
        """Run ``job`` in the guild's owner's turn, with the guild's invite state."""

        async def run(owner: Owner) -> T:
            owner.keep = True  # the cache cannot be read back from the database
            state = owner.state.get(STATE)
            if state is None:
                state = owner.state[STATE] = GuildInvites(cache=empty_cache(guild_id))
            return await job(owner, state)

        return self._owner(guild_id).run(run)

    def cache_of(self, guild_id: int) -> InviteCache | None:
        """The guild's invite cache as its owner holds it (None: no owner in memory)."""
        owner = self.actors.guilds.peek(int(guild_id))
        state = None if owner is None else owner.state.get(STATE)
        return None if state is None else state.cache

    async def guild_available(
        self, guild_id: int, source: InviteSource, *, has_vanity: bool = False
    ) -> InviteCache:
        """GUILD_CREATE (a new session, or the bot added to a guild): fill the cache from a
        full listing. Anything known before is dropped: uses that rose while Vouchy was away
        belong to no join it will see."""

        async def fill(owner: Owner, state: GuildInvites) -> InviteCache:
            state.has_vanity = has_vanity
            state.deleted = {}
            try:
                listing = await source.invites(guild_id)
                vanity = await self._vanity(source, guild_id, has_vanity, listing)
            except SourceUnavailable as e:
                log.warning("invite_list_unavailable", guild_id=guild_id, error=str(e))
                state.cache = empty_cache(guild_id)
                return state.cache
            if isinstance(listing, NoPermission):
                log.warning("invite_list_forbidden", guild_id=guild_id)
                state.cache = empty_cache(guild_id)
                return state.cache
            # When the answer came: a member who joined before may be in it already (the
            # request was in flight), so such a join is not compared against it.
            listed = now_ms()
            state.cache = cache_from_listing(guild_id, listing, vanity, listed_at_ms=listed)
            await self._note_codes(owner, state, {i.code: i.uses for i in listing})
            if (await self.guild_row(guild_id)).permission_told:
                reference = f"invites:permission_back:{guild_id}:{listed}"
                await owner.writer.submit(rules.permission_back_op(guild_id, reference))
            log.info("invite_cache_filled", guild_id=guild_id, invites=len(listing))
            return state.cache

        return await self._in_turn(guild_id, fill)

    async def invite_created(self, guild_id: int, invite: CachedInvite) -> None:
        async def created(owner: Owner, state: GuildInvites) -> None:
            state.cache = with_invite_created(state.cache, invite)
            await self._note_codes(owner, state, {invite.code: invite.uses})

        await self._in_turn(guild_id, created)

    async def invite_deleted(self, guild_id: int, code: str, at_ms: int | None = None) -> None:
        async def deleted(_owner: Owner, state: GuildInvites) -> None:
            state.deleted = note_invite_deleted(state.deleted, code, at_ms or now_ms())

        await self._in_turn(guild_id, deleted)

    async def _note_codes(self, owner: Owner, state: GuildInvites, uses: dict[str, int]) -> None:
        """Record the codes seen for the first time with their uses then (in the owner's
        turn: it is the only writer of ``invite_codes``, so its set of known codes is exact)."""
        guild_id = state.cache.guild_id
        if state.known_codes is None:
            rows = await self.reader.rows(
                "SELECT code FROM invite_codes WHERE guild_id = ?", (guild_id,)
            )
            state.known_codes = {r[0] for r in rows}
        fresh = {code: n for code, n in uses.items() if code not in state.known_codes}
        if not fresh:
            return
        try:
            await owner.writer.submit(rules.codes_seen_op(guild_id, fresh, now_ms()))
        except VouchyError as e:  # a baseline for /invites sync: never worth failing a join
            log.warning("invite_codes_not_noted", guild_id=guild_id, error=e.message)
            return
        state.known_codes |= set(fresh)

    @staticmethod
    async def _vanity(
        source: InviteSource,
        guild_id: int,
        has_vanity: bool,
        listing: Sequence[CachedInvite] | NoPermission,
    ) -> Vanity | None:
        if not has_vanity or isinstance(listing, NoPermission):
            return None
        found = await source.vanity(guild_id)
        return found if isinstance(found, Vanity) else None

    # -- joins and leaves ---------------------------------------------------------------------

    async def member_joined(self, join: MemberJoin, source: InviteSource) -> JoinRecord | None:
        """GUILD_MEMBER_ADD: attribute the join and record it; None when it was recorded
        already (Discord delivered the event again)."""

        async def attribute_join(owner: Owner, state: GuildInvites) -> JoinRecord | None:
            return await self._join(owner, state, join, source)

        return await self._in_turn(join.guild_id, attribute_join)

    async def _join(
        self, owner: Owner, state: GuildInvites, join: MemberJoin, source: InviteSource
    ) -> JoinRecord | None:
        # Invariant: a join's cause names one invite only when the lists prove it
        # (attribution.attribute); the cache moves on even when the record cannot be saved.
        g = join.guild_id
        join_id = join_reference(g, join.member_id, join.joined_at_ms)
        if await self.is_recorded(g, join_id):
            log.info("invite_join_repeated", guild_id=g, member_id=join.member_id)
            return None
        state.has_vanity = join.has_vanity
        before = state.cache
        listing: Sequence[CachedInvite] | NoPermission | None
        try:
            listing = await source.invites(g)
            vanity = await self._vanity(source, g, join.has_vanity, listing)
        except SourceUnavailable as e:
            log.warning("invite_list_unavailable", guild_id=g, error=str(e))
            listing, vanity = None, None
        if listing is None:
            attribution = Attribution(cause="unknown", how="invites.how.fetch_failed")
        else:
            result = attribute(
                before,
                listing,
                before.vanity,
                vanity,
                now_ms(),
                state.deleted,
                joined_at_ms=join.joined_at_ms,
            )
            state.cache, state.deleted = result.cache, {}
            attribution = result.attribution
            if not isinstance(listing, NoPermission):
                # A code missing from a complete cache was made since: it started at 0.
                await self._note_codes(owner, state, _first_uses(before, listing))
        link = staff_of(await self.staff_map(g), attribution.code, attribution.inviter_id)
        record = join_record(
            guild_id=g,
            member_id=join.member_id,
            member_name=join.name,
            display_name=join.display_name,
            joined_at_ms=join.joined_at_ms,
            attribution=attribution,
            inviter_name=_inviter_name(attribution.code, listing, before),
            staff_id=None if link is None else link.staff_id,
            staff_name=None if link is None else link.staff_name,
        )
        can_list = None if listing is None else not isinstance(listing, NoPermission)
        receipt = await self._record_join(
            owner, record, source="live", can_list=can_list, owner_id=join.owner_id
        )
        log.info(
            "invite_join_recorded",
            guild_id=g,
            member_id=join.member_id,
            cause=record.cause,
            code=record.code,
            inviter_id=record.inviter_id,
            candidates=list(record.candidates),
            duplicate=receipt.duplicate,
        )
        if receipt.duplicate:
            return None
        await self._append_log(record)
        return record

    async def _record_join(
        self,
        owner: Owner,
        record: JoinRecord,
        *,
        source: Source,
        can_list: bool | None = None,
        owner_id: int | None = None,
    ) -> Receipt:
        """Record one join with what it changes (in the guild owner's turn). ``can_list``:
        whether the invites could be listed for it (None: not asked, e.g. a rebuild)."""
        g = record.guild_id
        settings = await self.settings.get(g, "invites", InvitesSettings)
        standing = await self.standing(g, record.member_id)
        guild = await self.guild_row(g)
        new_standing, delta = join_effect(standing, record, rules.count_rules(settings))
        told: bool | None = None
        effects: tuple[Any, ...] = ()
        if can_list is not None:
            notice = permission_notice(guild.permission_told, can_list)
            if notice.told != guild.permission_told:
                told = notice.told
            if notice.tell_admins:
                core = await self.settings.get(g, "core", CoreSettings)
                effects = rules.permission_notice_effect(
                    notice_text(core.locale),
                    log_channel=core.log_channel,
                    owner_id=owner_id,
                )
        op = rules.join_op(
            record,
            event_no=guild.events + 1,
            standing=new_standing,
            delta=delta,
            fake_days=settings.fake_account_days,
            source=source,
            now_ms=now_ms(),
            permission_told=told,
            effects=effects,
        )
        return await owner.writer.submit(op)

    async def member_left(
        self, guild_id: int, member_id: int, left_at_ms: int | None = None
    ) -> LeaveRecord | None:
        """GUILD_MEMBER_REMOVE: record the leave (None: the member was already gone)."""

        async def leave(owner: Owner, _state: GuildInvites) -> LeaveRecord | None:
            standing = await self.standing(guild_id, member_id)
            if standing is not None and not standing.present:
                return None  # a repeated event: the leave of this join is recorded
            last = None if standing is None else standing.last_join_at_ms
            record = LeaveRecord(
                leave_id=leave_reference(guild_id, member_id, last),
                guild_id=guild_id,
                member_id=member_id,
                left_at_ms=left_at_ms or now_ms(),
            )
            settings = await self.settings.get(guild_id, "invites", InvitesSettings)
            count_rules = rules.count_rules(settings)
            after, delta = leave_effect(standing, record, count_rules)
            guild = await self.guild_row(guild_id)
            op = rules.leave_op(
                record,
                event_no=guild.events + 1,
                standing=after,
                delta=delta,
                window_ms=count_rules.leave_window_ms,
            )
            receipt = await owner.writer.submit(op)
            log.info(
                "invite_leave_recorded",
                guild_id=guild_id,
                member_id=member_id,
                counted_against=None if delta is None else delta.inviter_id,
                duplicate=receipt.duplicate,
            )
            return record

        return await self._in_turn(guild_id, leave)

    # -- admin changes ------------------------------------------------------------------------

    async def bonus(
        self,
        guild_id: int,
        inviter_id: int,
        amount: int,
        *,
        reason: str,
        by_id: int,
        reference: str,
    ) -> InviterCounts:
        """An admin's adjustment of an inviter's bonus; the inviter's counts after it."""
        check_bonus(amount)

        async def give(owner: Owner, _state: GuildInvites) -> InviterCounts:
            guild = await self.guild_row(guild_id)
            record = BonusRecord(
                bonus_id=reference,
                guild_id=guild_id,
                inviter_id=inviter_id,
                amount=amount,
                reason=reason,
                by_id=by_id,
                at_ms=now_ms(),
            )
            await owner.writer.submit(rules.bonus_op(record, event_no=guild.events + 1))
            return await self.counts(guild_id, inviter_id)

        return await self._in_turn(guild_id, give)

    async def staff_set(
        self,
        guild_id: int,
        *,
        staff_id: int,
        by_id: int,
        reference: str,
        code: str | None = None,
        inviter_id: int | None = None,
        staff_name: str | None = None,
        referral_link: str | None = None,
        referral_code: str | None = None,
    ) -> StaffLink:
        link = new_link(
            staff_id=staff_id,
            code=code,
            inviter_id=inviter_id,
            referral_link=referral_link,
            referral_code=referral_code,
            set_by=by_id,
            set_at_ms=now_ms(),
            staff_name=staff_name,
        )
        await self._owner(guild_id).submit(rules.staff_set_op(guild_id, link, reference, by_id))
        return link

    async def staff_remove(
        self,
        guild_id: int,
        *,
        by_id: int,
        reference: str,
        code: str | None = None,
        inviter_id: int | None = None,
    ) -> str:
        """Remove one mapping; returns the key as shown (a code or a mention)."""
        if (code is None) == (inviter_id is None):
            raise InvalidInput("invites.staff_one_key")
        if code is not None:
            code = parse_invite_code(code)
            row_key, shown = f"code:{code}", code
        else:
            row_key, shown = f"inviter:{inviter_id}", f"<@{inviter_id}>"
        op = rules.staff_remove_op(guild_id, row_key, shown, reference, by_id)
        await self._owner(guild_id).submit(op)
        return shown

    async def sync(self, guild_id: int, source: InviteSource) -> SyncReport:
        """``/invites sync``: Discord's use counts against the recorded joins."""
        try:
            listing = await source.invites(guild_id)
        except SourceUnavailable:
            raise Refused("invites.discord_unavailable") from None
        if isinstance(listing, NoPermission):
            raise Refused("invites.sync_no_permission")
        return await self.compare(guild_id, {i.code: i.uses for i in listing})

    # -- the readable logs --------------------------------------------------------------------

    async def catch_up_logs(self) -> logs.CatchUpReport:
        """Append to the logs every committed join they lack (at start, and after a failed
        append). Idempotent."""
        async with self._log_lock:
            return await self._catch_up()

    async def _catch_up(self) -> logs.CatchUpReport:
        records = await self.joins()
        report = await asyncio.to_thread(logs.catch_up, self.data_dir, records)
        # A join committed while this ran may be waiting to append itself: remember what
        # this run wrote for such recent joins, so that it is not written twice.
        recent = now_ms() - RECENT_MS
        joined = {r.join_id: r.joined_at_ms for r in records}
        appended = set(report.jsonl.appended_ids) | set(report.csv.appended_ids)
        if len(self._caught_up) > 10_000:
            self._caught_up.clear()
        self._caught_up |= {i for i in appended if joined.get(i, 0) >= recent}
        self._logs_ready = True
        for part in (report.jsonl, report.csv):
            if part.appended or part.torn_tail_repaired or part.extra_ids or part.unreadable_lines:
                log.warning(
                    "invite_log_caught_up",
                    path=part.path,
                    appended=part.appended,
                    torn_tail_repaired=part.torn_tail_repaired,
                    not_in_database=list(part.extra_ids[:20]),
                    unreadable_lines=part.unreadable_lines,
                )
        return report

    async def _append_log(self, record: JoinRecord) -> None:
        """After the join's COMMIT: one line in each log (the database stays the record)."""
        async with self._log_lock:
            try:
                if not self._logs_ready:
                    await self._catch_up()  # holds this join too: it is committed
                    return
                if record.join_id in self._caught_up:
                    self._caught_up.discard(record.join_id)
                    return
                await asyncio.to_thread(logs.append_join, self.data_dir, record)
            except OSError as e:
                self._logs_ready = False  # caught up before the next append
                log.error("invite_log_append_failed", join_id=record.join_id, error=str(e))

    # -- rebuilding from a log ----------------------------------------------------------------

    async def rebuild(self, joins: Sequence[JoinRecord], *, source: Source) -> RebuildReport:
        """Record each join the database lacks, in file order, through each guild's owner
        like a live join (its reference is its join id: a second run adds nothing)."""
        added = already = 0
        for record in joins:

            async def one(owner: Owner, _state: GuildInvites, record: JoinRecord = record) -> bool:
                if await self.is_recorded(record.guild_id, record.join_id):
                    return False
                receipt = await self._record_join(owner, record, source=source)
                return not receipt.duplicate

            if await self._in_turn(record.guild_id, one):
                added += 1
            else:
                already += 1
        report = await self.catch_up_logs()
        log.info("invite_rebuild_done", read=len(joins), added=added, already=already)
        return RebuildReport(read=len(joins), added=added, already_recorded=already, logs=report)


def _first_uses(before: InviteCache, listing: Sequence[CachedInvite]) -> dict[str, int]:
    first = {}
    for invite in listing:
        known = before.invites.get(invite.code)
        if known is not None:
            first[invite.code] = known.uses
        else:
            first[invite.code] = 0 if before.complete else invite.uses
    return first


def _inviter_name(
    code: str | None,
    listing: Sequence[CachedInvite] | NoPermission | None,
    before: InviteCache,
) -> str | None:
    if code is None:
        return None
    if listing is not None and not isinstance(listing, NoPermission):
        for invite in listing:
            if invite.code == code and invite.inviter_name:
                return invite.inviter_name
    known = before.invites.get(code)
    return None if known is None else known.inviter_name


def notice_text(locale: str) -> str:
    """What the admins are told once when Vouchy cannot list the guild's invites."""
    return i18n.text("invites.permission_notice", locale)

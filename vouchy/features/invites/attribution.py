"""Which invite a member joined through, inferred from two lists of invites, never guessed.

Discord does not say which invite a member used. ``attribute`` compares the guild's invite
cache from before a join with the list fetched after it and names the cause, with how it was
found: one code whose uses rose (``code``), a limited invite gone at its last use
(``vanished``), the vanity URL (``vanity``), several candidates (``ambiguous``: all listed,
none picked), no permission to list invites (``no_permission``), or ``unknown``. It returns the
cache to keep for the next join. Pure: no I/O, no clock; the caller passes ``now_ms``.

How the caller keeps the cache (one owner per guild, joins attributed one at a time, in order):

- a new gateway session (start, restart, invalid session): ``cache_from_listing`` on
  GUILD_CREATE with the fetched list (and when it arrived), or ``empty_cache`` when it
  could not be fetched. Never compare across a gap: uses that rose while Vouchy was away
  belong to no join it will see, and a member who joined before that list arrived may be
  counted in it already (``attribute`` says so, given ``joined_at_ms``).
- INVITE_CREATE: ``with_invite_created``.
- INVITE_DELETE: ``note_invite_deleted`` into ``deleted_codes_seen`` and leave the cache as it
  is (the invite's last known uses are what tell a use from a deletion).
- each join: fetch the invites (and the vanity URL), call ``attribute``, keep ``result.cache``
  and clear ``deleted_codes_seen`` (every code in it was used or dropped from the new cache).
- optionally a periodic refresh between joins: ``observe``; uses it sees wait, for a short
  while, for the join they belong to.

Several uses seen at once (two members joining together) stay in the cache as ``pending``:
the next joins take them, each told ``ambiguous`` with the same candidates, unless every
pending use is of one code, which is then certain for each of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import msgspec

from vouchy.features.invites import texts  # noqa: F401  (registers the texts)
from vouchy.features.invites.records import (
    Cause,
    HowParams,
    JoinRecord,
    join_reference,
    snowflake_time_ms,
)

UseKind = Literal["code", "vanished", "vanity"]

# A delete event counts as "around the join" when it arrived at most this long before it.
DELETE_WINDOW_MS = 15_000
# Uses seen but not yet claimed by a join are forgotten this long after the newest of them.
PENDING_WINDOW_MS = 30_000
# More uses than this between two lists: the cache was stale (a gap), not one join's trace.
STALE_USES = 25


class CachedInvite(msgspec.Struct, frozen=True, kw_only=True):
    """An invite as Discord listed it (or as INVITE_CREATE announced it)."""

    code: str
    uses: int = 0
    max_uses: int = 0  # 0: unlimited
    inviter_id: int | None = None
    channel_id: int | None = None
    expires_at_ms: int | None = None  # None: never expires
    temporary: bool = False
    inviter_name: str | None = None

    @property
    def limited(self) -> bool:
        return self.max_uses > 0

    def expired(self, now_ms: int) -> bool:
        return self.expires_at_ms is not None and self.expires_at_ms <= now_ms


class Vanity(msgspec.Struct, frozen=True, kw_only=True):
    """The guild's vanity URL and its use count (GET /guilds/{id}/vanity-url)."""

    code: str
    uses: int


class ObservedUse(msgspec.Struct, frozen=True, kw_only=True):
    """One use of an invite, seen in the difference between two lists."""

    kind: UseKind
    code: str
    inviter_id: int | None = None
    uses_before: int
    uses_after: int
    max_uses: int = 0
    seen_at_ms: int
    # A vanished invite that Discord reported deleted (INVITE_DELETE) rather than one that
    # was only missing from the list.
    reported_deleted: bool = False


class InviteCache(msgspec.Struct, frozen=True, kw_only=True):
    """What Vouchy knows of one guild's invites between two joins."""

    guild_id: int
    invites: dict[str, CachedInvite] = msgspec.field(default_factory=dict)
    vanity: Vanity | None = None
    # True once filled from a full listing: a code absent from it was created afterwards,
    # so its uses all count. False after a restart or a lost permission.
    complete: bool = False
    # Uses seen but not yet claimed by a join, oldest first, and how many joins already
    # took one of them (which one is not known unless they are all of one code).
    pending: tuple[ObservedUse, ...] = ()
    pending_claimed: int = 0
    # When the full listing this cache was filled from arrived (unix ms); None once a join
    # was compared against it. A member who joined before may already be in its counts.
    listed_at_ms: int | None = None


class NoPermission(msgspec.Struct, frozen=True):
    """The invite list could not be fetched: Vouchy lacks Manage Server."""


NO_PERMISSION = NoPermission()


class Attribution(msgspec.Struct, frozen=True, kw_only=True):
    """The cause of one join, and how it was found (a text key and its values)."""

    cause: Cause
    code: str | None = None
    inviter_id: int | None = None
    uses_before: int | None = None
    uses_after: int | None = None
    # Every invite the join may have come through (ambiguous only), one entry per code.
    candidates: tuple[ObservedUse, ...] = ()
    how: str
    how_params: HowParams = msgspec.field(default_factory=dict)


class AttributionResult(msgspec.Struct, frozen=True, kw_only=True):
    attribution: Attribution
    cache: InviteCache


class PermissionNotice(msgspec.Struct, frozen=True, kw_only=True):
    tell_admins: bool  # send the notice now
    told: bool  # the flag to keep for next time


def empty_cache(guild_id: int) -> InviteCache:
    """Nothing known (a restart before the list could be fetched): no join is compared."""
    return InviteCache(guild_id=guild_id)


def cache_from_listing(
    guild_id: int,
    invites: Sequence[CachedInvite],
    vanity: Vanity | None,
    listed_at_ms: int | None = None,
) -> InviteCache:
    """A fresh, complete cache from a full listing (a new session, GUILD_CREATE) that arrived
    at ``listed_at_ms``."""
    return InviteCache(
        guild_id=guild_id,
        invites={invite.code: invite for invite in invites},
        vanity=vanity,
        complete=True,
        listed_at_ms=listed_at_ms,
    )


def with_invite_created(cache: InviteCache, invite: CachedInvite) -> InviteCache:
    """INVITE_CREATE: remember the new invite; an entry already listed is kept."""
    if invite.code in cache.invites:
        return cache
    return msgspec.structs.replace(cache, invites={**cache.invites, invite.code: invite})


def note_invite_deleted(seen: Mapping[str, int], code: str, at_ms: int) -> dict[str, int]:
    """INVITE_DELETE: remember when; the first report of a code is the one kept."""
    return {**seen, code: seen.get(code, at_ms)}


def permission_notice(told_before: bool, can_list: bool) -> PermissionNotice:
    """Admins are told once per loss of the permission, told again only after it came back
    and was lost again."""
    if can_list:
        return PermissionNotice(tell_admins=False, told=False)
    return PermissionNotice(tell_admins=not told_before, told=True)


def observe(
    before: InviteCache,
    after: Sequence[CachedInvite] | NoPermission,
    vanity_before: Vanity | None,
    vanity_after: Vanity | None,
    now_ms: int,
    deleted_codes_seen: Mapping[str, int],
    *,
    delete_window_ms: int = DELETE_WINDOW_MS,
    pending_window_ms: int = PENDING_WINDOW_MS,
) -> InviteCache:
    """A refresh between joins: the new cache, with any use it sees left pending for the join
    that caused it (its GUILD_MEMBER_ADD may still be on its way)."""
    if isinstance(after, NoPermission):
        return empty_cache(before.guild_id)
    uses = _uses_between(
        before, after, vanity_before, vanity_after, now_ms, deleted_codes_seen, delete_window_ms
    )
    pool, claimed = _pool(before, uses, now_ms, pending_window_ms)
    if pool is None:
        pool, claimed = (), 0
    return _next_cache(before, after, vanity_after, deleted_codes_seen, pool, claimed)


def attribute(
    before: InviteCache,
    after_or_no_permission: Sequence[CachedInvite] | NoPermission,
    vanity_before: Vanity | None,
    vanity_after: Vanity | None,
    now_ms: int,
    deleted_codes_seen: Mapping[str, int],
    *,
    delete_window_ms: int = DELETE_WINDOW_MS,
    pending_window_ms: int = PENDING_WINDOW_MS,
    joined_at_ms: int | None = None,
) -> AttributionResult:
    """The cause of one join and the cache for the next one.

    ``before`` is the cache kept since the previous join; ``after_or_no_permission`` the
    invites fetched after this join (or ``NO_PERMISSION``); ``vanity_before`` is normally
    ``before.vanity`` and ``vanity_after`` the vanity URL fetched with the list (None: the
    guild has none, or it could not be read); ``deleted_codes_seen`` maps each code reported
    by INVITE_DELETE since the previous join to when the event arrived; ``joined_at_ms`` is
    when Discord says the member joined (a join from before the cache's full listing arrived
    may be in it already: unknown, and the uses seen wait for their own joins).
    """
    # Invariant: a cause other than ambiguous names one invite only when every use seen
    # since the last list belongs to that one invite; otherwise nothing is picked.
    guild_id = before.guild_id
    if isinstance(after_or_no_permission, NoPermission):
        return AttributionResult(
            attribution=Attribution(cause="no_permission", how="invites.how.no_permission"),
            cache=empty_cache(guild_id),
        )
    after = after_or_no_permission
    if (
        before.listed_at_ms is not None
        and joined_at_ms is not None
        and joined_at_ms < before.listed_at_ms
    ):
        cache = observe(
            before,
            after,
            vanity_before,
            vanity_after,
            now_ms,
            deleted_codes_seen,
            delete_window_ms=delete_window_ms,
            pending_window_ms=pending_window_ms,
        )
        # Later members who also joined before that listing are just as unknowable.
        cache = msgspec.structs.replace(cache, listed_at_ms=before.listed_at_ms)
        late = Attribution(cause="unknown", how="invites.how.listed_after_join")
        return AttributionResult(attribution=late, cache=cache)
    uses = _uses_between(
        before, after, vanity_before, vanity_after, now_ms, deleted_codes_seen, delete_window_ms
    )
    pool, claimed = _pool(before, uses, now_ms, pending_window_ms)
    if pool is None:
        cache = _next_cache(before, after, vanity_after, deleted_codes_seen, (), 0)
        stale = Attribution(
            cause="unknown", how="invites.how.stale", how_params={"limit": STALE_USES}
        )
        return AttributionResult(attribution=stale, cache=cache)
    if claimed >= len(pool):
        cache = _next_cache(before, after, vanity_after, deleted_codes_seen, (), 0)
        how = "invites.how.nothing_moved" if before.complete else "invites.how.cold_cache"
        return AttributionResult(attribution=Attribution(cause="unknown", how=how), cache=cache)
    distinct = _distinct(pool)
    if len(distinct) == 1:
        attribution = _certain(pool[claimed], len(pool))
    else:
        attribution = Attribution(
            cause="ambiguous",
            candidates=distinct,
            how="invites.how.ambiguous",
            how_params={"count": len(distinct), "codes": ", ".join(u.code for u in distinct)},
        )
    claimed += 1
    if claimed >= len(pool):
        pool, claimed = (), 0
    cache = _next_cache(before, after, vanity_after, deleted_codes_seen, pool, claimed)
    return AttributionResult(attribution=attribution, cache=cache)


def join_record(
    *,
    guild_id: int,
    member_id: int,
    member_name: str,
    joined_at_ms: int,
    attribution: Attribution,
    display_name: str | None = None,
    inviter_name: str | None = None,
    staff_id: int | None = None,
    staff_name: str | None = None,
) -> JoinRecord:
    """The row to record for a join (its reference: ``join_reference``). The account's age
    comes from the member id; the staff member is the caller's ``staff.staff_for``."""
    return JoinRecord(
        join_id=join_reference(guild_id, member_id, joined_at_ms),
        guild_id=guild_id,
        member_id=member_id,
        member_name=member_name,
        display_name=display_name,
        joined_at_ms=joined_at_ms,
        account_created_ms=snowflake_time_ms(member_id),
        cause=attribution.cause,
        code=attribution.code,
        inviter_id=attribution.inviter_id,
        inviter_name=inviter_name,
        staff_id=staff_id,
        staff_name=staff_name,
        uses_before=attribution.uses_before,
        uses_after=attribution.uses_after,
        how=attribution.how,
        how_params=attribution.how_params,
        candidates=tuple(c.code for c in attribution.candidates),
    )


def _certain(use: ObservedUse, uses_seen: int) -> Attribution:
    params: HowParams = {"code": use.code, "before": use.uses_before, "after": use.uses_after}
    if use.kind == "vanity":
        how = "invites.how.vanity"
    elif use.kind == "vanished":
        how = "invites.how.vanished_reported" if use.reported_deleted else "invites.how.vanished"
        params["max_uses"] = use.max_uses
    elif uses_seen > 1:
        how = "invites.how.code_shared"
        params["count"] = uses_seen
    else:
        how = "invites.how.code"
    return Attribution(
        cause=use.kind,
        code=use.code,
        inviter_id=use.inviter_id,
        uses_before=use.uses_before,
        uses_after=use.uses_after,
        how=how,
        how_params=params,
    )


def _distinct(pool: Sequence[ObservedUse]) -> tuple[ObservedUse, ...]:
    """The first use of each (kind, code), in the order seen."""
    seen: dict[tuple[str, str], ObservedUse] = {}
    for use in pool:
        seen.setdefault((use.kind, use.code), use)
    return tuple(seen.values())


def _pool(
    before: InviteCache, uses: list[ObservedUse], now_ms: int, window_ms: int
) -> tuple[tuple[ObservedUse, ...] | None, int]:
    """The uses waiting for a join (pending ones first) and how many are claimed; None when
    more than STALE_USES wait unclaimed: the lists were too far apart to tell anything."""
    pending, claimed = _live_pending(before, now_ms, window_ms)
    pool = (*pending, *uses)
    if len(pool) - claimed > STALE_USES:
        return None, 0
    return pool, claimed


def _live_pending(
    before: InviteCache, now_ms: int, window_ms: int
) -> tuple[tuple[ObservedUse, ...], int]:
    """Pending uses, forgotten together once the newest is older than the window (their
    join never came: a member who left at once, a deletion taken for a use)."""
    if not before.pending:
        return (), 0
    newest = max(use.seen_at_ms for use in before.pending)
    if now_ms - newest > window_ms:
        return (), 0
    return before.pending, before.pending_claimed


def _uses_between(
    before: InviteCache,
    after: Sequence[CachedInvite],
    vanity_before: Vanity | None,
    vanity_after: Vanity | None,
    now_ms: int,
    deleted_codes_seen: Mapping[str, int],
    delete_window_ms: int,
) -> list[ObservedUse]:
    """Every use the two lists prove, one entry per use, codes first, in listing order."""
    # An incomplete cache (a restart, a lost permission) proves nothing: the invites it
    # lacks may have moved unseen, so even a use it does see may belong to another join.
    if not before.complete:
        return []
    uses: list[ObservedUse] = []
    listed = {invite.code: invite for invite in after}
    for code, now in listed.items():
        old = before.invites.get(code)
        prior = 0 if old is None else old.uses  # absent from a complete list: created since
        inviter = now.inviter_id
        if inviter is None and old is not None:
            inviter = old.inviter_id
        for n in range(prior, min(now.uses, prior + STALE_USES + 1)):
            uses.append(
                ObservedUse(
                    kind="code",
                    code=code,
                    inviter_id=inviter,
                    uses_before=n,
                    uses_after=n + 1,
                    max_uses=now.max_uses,
                    seen_at_ms=now_ms,
                )
            )
    for code, old in before.invites.items():
        deleted_at = deleted_codes_seen.get(code)
        still = listed.get(code)
        if still is not None and (deleted_at is None or still.uses != old.uses):
            continue  # still listed (or its rise was counted above)
        if deleted_at is not None and deleted_at < now_ms - delete_window_ms:
            continue  # deleted long before this join, by someone
        # A vanished invite is a use only when it was limited, one use from its end and
        # not expired: an unlimited or expired invite that disappears was not a join.
        if not old.limited or old.uses != old.max_uses - 1 or old.expired(now_ms):
            continue
        uses.append(
            ObservedUse(
                kind="vanished",
                code=code,
                inviter_id=old.inviter_id,
                uses_before=old.uses,
                uses_after=old.max_uses,
                max_uses=old.max_uses,
                seen_at_ms=now_ms,
                reported_deleted=deleted_at is not None,
            )
        )
    if (
        vanity_before is not None
        and vanity_after is not None
        and vanity_before.code == vanity_after.code
    ):
        for n in range(
            vanity_before.uses, min(vanity_after.uses, vanity_before.uses + STALE_USES + 1)
        ):
            uses.append(
                ObservedUse(
                    kind="vanity",
                    code=vanity_after.code,
                    uses_before=n,
                    uses_after=n + 1,
                    seen_at_ms=now_ms,
                )
            )
    return uses


def _next_cache(
    before: InviteCache,
    after: Sequence[CachedInvite],
    vanity_after: Vanity | None,
    deleted_codes_seen: Mapping[str, int],
    pending: tuple[ObservedUse, ...],
    claimed: int,
) -> InviteCache:
    """The list just fetched, less every code Discord reported deleted (a listing may lag)."""
    return InviteCache(
        guild_id=before.guild_id,
        invites={i.code: i for i in after if i.code not in deleted_codes_seen},
        vanity=vanity_after,
        complete=True,
        pending=pending,
        pending_claimed=claimed,
    )

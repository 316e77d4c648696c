"""The vouch service: what the Discord layer and the command line call. It decides with the
pure rules, writes through the owners (``changes`` builds each operation) and reads with the
Reader; it never touches hikari or aiohttp (a proof's hash comes from the ``read_proof`` the
caller gives: the Discord layer fetches the screenshot once and hashes it off the event loop).

Who owns what:
- a vouch's row is its voucher's: every decision about it (new, approved, denied, reversed,
  removed) runs in the voucher's owner, which reads the facts the rules need (the voucher's
  last vouch for the provider, their vouches of the last 24 hours) and submits in the same turn,
  so no two decisions about one voucher's vouches race;
- the provider's count is shared: it moves by ``Add`` in the writer's plan;
- a guild's live proofs are the service's ``ProofIndex`` for that guild, loaded once from the
  rows and then kept by this service, the only code that writes a proof: a new proof is matched
  and filed in one step on the event loop, so two copies of one screenshot posted at the same
  moment by two members cannot both pass.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Literal

import msgspec

from vouchy.actors.owners import Actors, Owner
from vouchy.core.errors import InsufficientFunds, InvalidInput, ReferenceTaken, Refused
from vouchy.core.logs import get_logger
from vouchy.core.validation import check_page
from vouchy.features.base import Context
from vouchy.features.vouches import changes, reversal, review
from vouchy.features.vouches import rules as vouch_rules
from vouchy.features.vouches.detect import Candidate, Ignored, ProofImage, detect
from vouchy.features.vouches.importing import VouchImport
from vouchy.features.vouches.model import (
    DAY_MS,
    Vouch,
    VouchMessage,
    VouchSettings,
    message_link,
    vouch_reference,
)
from vouchy.features.vouches.proof import ProofIndex, ProofUnreadable, from_signed
from vouchy.features.vouches.render import (
    LATEST,
    TOP_PAGE_SIZE,
    TOP_VOUCHERS,
    ProviderSummary,
    RecentVouch,
    TopEntry,
    TopPage,
    month_start_ms,
    refusal_reply,
    review_buttons,
    review_request,
)
from vouchy.features.vouches.settings import VouchesSettings, reaction_emoji
from vouchy.store.operations import Effect, Receipt
from vouchy.store.reader import Reader
from vouchy.store.settings import SettingsStore

log = get_logger("vouchy.vouches")

# The perceptual hash (``proof.proof_hash``) of a detected vouch's screenshot, read once by the
# Discord layer; ProofUnreadable when it cannot be had or read.
ReadProof = Callable[[ProofImage], Awaitable[int]]
Result = Literal[
    "ignored",
    "duplicate",
    "accepted",
    "pending",
    "refused",
    "reversed",
    "withdrawn",
    "kept",
    "unchanged",
]
LIVE = "('pending', 'accepted')"
_REVERSAL_ATTEMPTS = 3

# One read for the rules: is the message known already, the voucher's live vouches since a
# day before it, and their newest live vouch for this provider.
_FACTS = f"""
SELECT 'known', 0 FROM operations WHERE guild_id = ? AND reference = ?
UNION ALL
SELECT 'given', created_at FROM vouches
    WHERE guild_id = ? AND voucher_id = ? AND created_at > ? AND state IN {LIVE}
UNION ALL
SELECT 'last', MAX(created_at) FROM vouches
    WHERE guild_id = ? AND voucher_id = ? AND provider_id = ? AND state IN {LIVE}
"""
_PROOFS = f"""
SELECT reference, channel_id, message_id, proof_hash FROM vouches
WHERE guild_id = ? AND proof_hash IS NOT NULL AND state IN {LIVE} ORDER BY created_at
"""
_VOUCH = "SELECT * FROM vouches WHERE guild_id = ? AND reference = ?"
_VOUCHES = """
SELECT v.* FROM json_each(?) AS k CROSS JOIN vouches AS v
    ON v.guild_id = ? AND v.reference = k.value
"""
_BALANCES = """
SELECT user_id, balance FROM accounts WHERE guild_id = ? AND user_id IN (?, ?)
"""
_LINK = re.compile(r"(?:https?://(?:\w+\.)?discord(?:app)?\.com/channels/[0-9]+/[0-9]+/)?([0-9]+)")


class Outcome(msgspec.Struct, frozen=True, kw_only=True):
    """What became of one message or deletion (for the log and the tests)."""

    reference: str
    result: Result
    code: str = ""  # why it was ignored or refused


class Removal(msgspec.Struct, frozen=True, kw_only=True):
    """An admin's removal: the vouch as it was, and what was taken back or could not be."""

    vouch: Vouch
    new_state: str
    voucher_taken: int = 0
    provider_taken: int = 0
    voucher_short: int = 0
    provider_short: int = 0


class ImportResult(msgspec.Struct, kw_only=True):
    guild_id: int
    file: str
    sha256: str
    rows: int
    imported: int = 0  # new vouches
    already: int = 0  # imported before, or the same message's vouch already known
    seconds: float = 0.0


def vouch_of(row: sqlite3.Row | dict[str, Any]) -> Vouch:
    """A ``vouches`` row as the rules' ``Vouch``."""
    stored = row["proof_hash"]
    return Vouch(
        reference=row["reference"],
        guild_id=row["guild_id"],
        voucher_id=row["voucher_id"],
        provider_id=row["provider_id"],
        created_at_ms=row["created_at"],
        state=row["state"],
        source=row["source"],
        channel_id=row["channel_id"],
        message_id=row["message_id"],
        voucher_points=row["voucher_points"],
        provider_points=row["provider_points"],
        proof_hash=None if stored is None else from_signed(stored),
        decided_by=row["decided_by"],
        decided_at_ms=row["decided_at"],
        reason=row["reason"],
    )


def parse_vouch_id(text: str) -> int:
    """The message id in what an admin typed: an id, or a message link."""
    found = _LINK.fullmatch(text.strip())
    if found is None or not 0 < int(found.group(1)) < 2**63:
        raise InvalidInput("vouches.remove_bad_id", value=text[:100])
    return int(found.group(1))


def now_ms() -> int:
    return int(time.time() * 1000)


class VouchesService:
    def __init__(self, actors: Actors, reader: Reader, settings: SettingsStore) -> None:
        self.actors = actors
        self.reader = reader
        self.settings = settings
        self._views: dict[int, tuple[VouchesSettings, VouchSettings]] = {}
        self._inflight: dict[tuple[int, int], asyncio.Future[Outcome]] = {}
        self._indexes: dict[int, ProofIndex] = {}
        self._loading: dict[int, asyncio.Future[ProofIndex]] = {}
        self._dropped: dict[int, set[str]] = {}

    @classmethod
    def create(cls, ctx: Context) -> VouchesService:
        return cls(ctx.actors, ctx.reader, ctx.settings)

    # -- settings ---------------------------------------------------------------------------

    async def guild_settings(self, guild_id: int) -> VouchesSettings:
        return await self.settings.get(guild_id, "vouches", VouchesSettings)

    async def rules_of(self, guild_id: int) -> VouchSettings:
        """The rules' view of the guild's settings (made again only when they change)."""
        current = await self.guild_settings(guild_id)
        cached = self._views.get(guild_id)
        if cached is not None and cached[0] is current:
            return cached[1]
        view = current.rules()
        self._views[guild_id] = (current, view)
        return view

    async def locale(self, guild_id: int) -> str:
        """The guild's language, for what Vouchy posts in its channels."""
        core: msgspec.Struct = await self.settings.get(guild_id, "core")
        return str(getattr(core, "locale", "en"))

    async def is_vouch_channel(self, guild_id: int, channel_id: int, parent_id: int | None) -> bool:
        """Whether a message there may be a vouch (cheap: the settings are cached)."""
        channels = (await self.rules_of(guild_id)).channel_ids
        return channel_id in channels or (parent_id is not None and parent_id in channels)

    # -- a message in a vouch channel -------------------------------------------------------

    async def on_message(self, message: VouchMessage, read_proof: ReadProof) -> Outcome:
        """Detect, judge and record a vouch (its reference is the message's id: a message
        seen twice is judged once)."""
        if message.guild_id is None:
            return Outcome(reference=vouch_reference(message.message_id), result="ignored")
        found = detect(message, await self.rules_of(message.guild_id))
        if isinstance(found, Ignored):
            return Outcome(
                reference=vouch_reference(message.message_id), result="ignored", code=found.reason
            )
        key = (found.guild_id, found.message_id)
        owner = self.actors.member(found.guild_id, found.voucher_id)
        job = owner.run(lambda o: self._judge(o, found, read_proof))
        self._inflight[key] = job
        try:
            # A cancelled listener (shutdown) leaves the owner's job to finish its write.
            return await asyncio.shield(job)
        finally:
            if self._inflight.get(key) is job:
                del self._inflight[key]

    async def _facts(self, c: Candidate) -> vouch_rules.VouchFacts | None:
        """The facts the rules need, or None when the message was judged before."""
        g, v = c.guild_id, c.voucher_id
        rows = await self.reader.rows(
            _FACTS,
            (g, c.reference, g, v, c.created_at_ms - DAY_MS, g, v, c.provider.user_id),
        )
        given: list[int] = []
        last: int | None = None
        for kind, value in rows:
            if kind == "known":
                return None
            if kind == "given":
                given.append(value)
            elif kind == "last":
                last = value
        return vouch_rules.VouchFacts(last_for_provider_ms=last, given_ms=tuple(given))

    async def _judge(self, owner: Owner, c: Candidate, read_proof: ReadProof) -> Outcome:
        """In the voucher's owner: the rules, then the proof (fetched and hashed only when
        every other rule passed), then one operation."""
        # Invariant: one operation per message reference, accepted, pending or refused.
        rules = await self.rules_of(c.guild_id)
        facts = await self._facts(c)
        if facts is None:
            log.info("vouch_duplicate", guild_id=c.guild_id, message_id=c.message_id)
            return Outcome(reference=c.reference, result="duplicate")
        try:
            vouch_rules.check_vouch(c, rules, facts)
        except vouch_rules.VouchRefused as refusal:
            return await self._refuse(owner, c, refusal)
        try:
            hashed = await read_proof(c.proof)
        except ProofUnreadable as e:
            log.info(
                "vouch_proof_unreadable",
                guild_id=c.guild_id,
                message_id=c.message_id,
                url=c.proof.url,
                why=e.key,
                detail=str(e.params.get("detail", "")),
            )
            return await self._refuse(owner, c, vouch_rules.ProofNotRead())
        index = await self._proofs(c.guild_id)
        match = index.match(hashed)
        if match is not None:
            return await self._refuse(owner, c, vouch_rules.ProofReused(match.reference))
        # Filed in the same step as the match: a copy judged next sees this one.
        index.add(c.reference, hashed, message_link(c.guild_id, c.channel_id, c.message_id))
        award = vouch_rules.award(c, rules)
        vouch = changes.candidate_vouch(c, award, hashed)
        post = None
        if vouch.state == "pending" and rules.review_channel_id is not None:
            post = review_post(vouch, rules.review_channel_id, await self.locale(c.guild_id))
        op = changes.new_vouch(vouch, emoji=reaction_emoji(rules.emoji), review=post)
        try:
            receipt = await owner.writer.submit(op)
        except BaseException:
            index.discard(c.reference)
            raise
        said = {
            "guild_id": c.guild_id,
            "message_id": c.message_id,
            "voucher_id": c.voucher_id,
            "provider_id": vouch.provider_id,
            "points": vouch.voucher_points,
            "seq": receipt.seq,
        }
        if vouch.state == "pending":
            log.info("vouch_pending", **said)
        else:
            log.info("vouch_accepted", **said)
        return Outcome(reference=c.reference, result=vouch.state)  # type: ignore[arg-type]

    async def _refuse(
        self, owner: Owner, c: Candidate, refusal: vouch_rules.VouchRefused
    ) -> Outcome:
        reply = refusal_reply(c.voucher_id, refusal, await self.locale(c.guild_id))
        receipt = await owner.writer.submit(changes.refused(c, refusal.code, reply))
        log.info(
            "vouch_refused",
            guild_id=c.guild_id,
            message_id=c.message_id,
            voucher_id=c.voucher_id,
            provider_id=c.provider.user_id,
            code=refusal.code,
            reason=refusal.message,
            seq=receipt.seq,
        )
        return Outcome(reference=c.reference, result="refused", code=refusal.code)

    # -- the guild's proofs -----------------------------------------------------------------

    async def _proofs(self, guild_id: int) -> ProofIndex:
        index = self._indexes.get(guild_id)
        if index is not None:
            return index
        loading = self._loading.get(guild_id)
        if loading is None:
            loading = asyncio.ensure_future(self._load_proofs(guild_id))
            self._loading[guild_id] = loading
        return await asyncio.shield(loading)

    async def _load_proofs(self, guild_id: int) -> ProofIndex:
        try:
            index = ProofIndex()
            for row in await self.reader.rows(_PROOFS, (guild_id,)):
                label = vouch_rules.proof_label(
                    guild_id, row["channel_id"], row["message_id"], row["reference"]
                )
                index.add(row["reference"], from_signed(row["proof_hash"]), label)
            for reference in self._dropped.pop(guild_id, set()):
                index.discard(reference)
            self._indexes[guild_id] = index
            log.info("vouch_proofs_loaded", guild_id=guild_id, proofs=len(index))
            return index
        finally:
            self._loading.pop(guild_id, None)

    def _forget_proof(self, guild_id: int, reference: str) -> None:
        """A vouch no longer live: its proof may be used again."""
        index = self._indexes.get(guild_id)
        if index is not None:
            index.discard(reference)
        elif guild_id in self._loading:
            self._dropped.setdefault(guild_id, set()).add(reference)

    # -- deleted messages -------------------------------------------------------------------

    async def on_deleted(
        self, guild_id: int, message_ids: Sequence[int], at_ms: int | None = None
    ) -> list[Outcome]:
        """Messages deleted (one, or a bulk delete): each vouch among them is reversed when
        within the window, withdrawn when it waited for review, else kept."""
        at = now_ms() if at_ms is None else at_ms
        waiting = [
            self._inflight[(guild_id, m)] for m in message_ids if (guild_id, m) in self._inflight
        ]
        if waiting:  # judged first, then deleted: the deletion sees the vouch
            await asyncio.gather(*(asyncio.shield(w) for w in waiting), return_exceptions=True)
        references = json.dumps([vouch_reference(m) for m in message_ids])
        rows = await self.reader.rows(_VOUCHES, (references, guild_id))
        if not rows:
            return []
        window = (await self.rules_of(guild_id)).reversal_window_days
        return list(
            await asyncio.gather(*(self._deleted(vouch_of(row), at, window) for row in rows))
        )

    async def _deleted(self, found: Vouch, at_ms: int, window_days: int) -> Outcome:
        async def job(owner: Owner) -> Outcome:
            vouch = await self.vouch(found.guild_id, found.reference)
            if vouch is None:
                return Outcome(reference=found.reference, result="unchanged")
            decision = reversal.on_message_deleted(vouch, at_ms, window_days)
            if decision.action == "keep":
                log.info("vouch_kept", guild_id=vouch.guild_id, reference=vouch.reference)
                return Outcome(reference=vouch.reference, result="kept")
            if decision.action == "nothing":
                return Outcome(reference=vouch.reference, result="unchanged")
            await self._take_back(owner, vouch, decision, at_ms, reason="message deleted")
            result: Result = "reversed" if decision.action == "reverse" else "withdrawn"
            return Outcome(reference=vouch.reference, result=result)

        return await self.actors.member(found.guild_id, found.voucher_id).run(job)

    async def _take_back(
        self,
        owner: Owner,
        vouch: Vouch,
        decision: reversal.Reversal,
        at_ms: int,
        *,
        acting_user_id: int | None = None,
        reason: str = "",
    ) -> Removal:
        """In the voucher's owner: the reversal's operation, taking back what the balances
        allow (a provider who spent meanwhile: read again and retry)."""
        # Invariant: no balance below zero; what could not be taken is logged, never forced.
        for attempt in range(1, _REVERSAL_ATTEMPTS + 1):
            voucher = provider = reversal.TakeBack(taken=0, short=0)
            if decision.action == "reverse":
                balances = await self._balances(vouch)
                voucher = reversal.take_back(
                    decision.voucher_points, balances.get(vouch.voucher_id, 0)
                )
                provider = reversal.take_back(
                    decision.provider_points, balances.get(vouch.provider_id, 0)
                )
            op = changes.reversed_(
                vouch,
                decision,
                voucher_taken=voucher.taken,
                provider_taken=provider.taken,
                at_ms=at_ms,
                acting_user_id=acting_user_id,
                reason=reason,
            )
            try:
                await owner.writer.submit(op)
            except InsufficientFunds:
                if attempt == _REVERSAL_ATTEMPTS:
                    raise
                continue
            self._forget_proof(vouch.guild_id, vouch.reference)
            assert decision.new_state is not None
            log.info(
                "vouch_taken_back",
                state=decision.new_state,
                guild_id=vouch.guild_id,
                reference=vouch.reference,
                voucher_id=vouch.voucher_id,
                provider_id=vouch.provider_id,
                voucher_taken=voucher.taken,
                provider_taken=provider.taken,
                short=voucher.short + provider.short,
                acting_user_id=acting_user_id,
            )
            return Removal(
                vouch=vouch,
                new_state=decision.new_state,
                voucher_taken=voucher.taken,
                provider_taken=provider.taken,
                voucher_short=voucher.short,
                provider_short=provider.short,
            )
        raise AssertionError("unreachable")  # pragma: no cover

    async def _balances(self, vouch: Vouch) -> dict[int, int]:
        rows = await self.reader.rows(
            _BALANCES, (vouch.guild_id, vouch.voucher_id, vouch.provider_id)
        )
        return {row["user_id"]: row["balance"] for row in rows}

    # -- the review queue -------------------------------------------------------------------

    async def decide(
        self,
        guild_id: int,
        message_id: int,
        action: review.ReviewAction,
        *,
        moderator_id: int,
        is_moderator: bool,
        at_ms: int | None = None,
    ) -> tuple[Vouch, review.Decision]:
        """A moderator's Approve or Deny, read and written in the voucher's owner."""
        reference = vouch_reference(message_id)
        found = await self.vouch(guild_id, reference)
        if found is None:
            raise InvalidInput("vouches.review_gone")
        at = now_ms() if at_ms is None else at_ms

        async def job(owner: Owner) -> tuple[Vouch, review.Decision]:
            vouch = await self.vouch(guild_id, reference)
            assert vouch is not None  # rows of vouches are never deleted
            decision = review.decide(
                vouch, action, moderator_id=moderator_id, is_moderator=is_moderator, at_ms=at
            )
            rules = await self.rules_of(guild_id)
            await owner.writer.submit(
                changes.decided(vouch, decision, emoji=reaction_emoji(rules.emoji))
            )
            if not decision.give:
                self._forget_proof(guild_id, reference)
            log.info(
                "vouch_reviewed",
                state=decision.new_state,
                guild_id=guild_id,
                reference=reference,
                moderator_id=moderator_id,
            )
            return vouch, decision

        return await self.actors.member(guild_id, found.voucher_id).run(job)

    # -- admins -----------------------------------------------------------------------------

    async def add(
        self,
        guild_id: int,
        *,
        provider_id: int,
        provider_is_bot: bool,
        voucher_id: int,
        interaction_id: int,
        admin_id: int,
        reason: str = "",
        at_ms: int | None = None,
    ) -> tuple[Vouch, Receipt]:
        """``/admin vouch add``: accepted at once with the guild's points, once per
        interaction."""
        at = now_ms() if at_ms is None else at_ms
        vouch = vouch_rules.admin_add(
            guild_id=guild_id,
            provider_id=provider_id,
            provider_is_bot=provider_is_bot,
            voucher_id=voucher_id,
            interaction_id=interaction_id,
            at_ms=at,
            settings=await self.rules_of(guild_id),
            is_admin=True,
            reason=reason,
        )
        vouch = msgspec.structs.replace(vouch, decided_by=admin_id)
        op = changes.added_by_admin(vouch, admin_id=admin_id)
        receipt = await self.actors.member(guild_id, voucher_id).submit(op)
        log.info(
            "vouch_added",
            guild_id=guild_id,
            reference=vouch.reference,
            voucher_id=voucher_id,
            provider_id=provider_id,
            admin_id=admin_id,
        )
        return vouch, receipt

    async def find(self, guild_id: int, vouch_id: int) -> Vouch | None:
        """A vouch by its message id (or, for one an admin added, the id its reply named)."""
        for reference in (vouch_reference(vouch_id), f"vouch:admin:{vouch_id}"):
            found = await self.vouch(guild_id, reference)
            if found is not None:
                return found
        return None

    async def remove(
        self,
        guild_id: int,
        vouch_id: int,
        *,
        admin_id: int,
        reason: str = "",
        at_ms: int | None = None,
    ) -> Removal:
        """``/admin vouch remove``: a live vouch taken back at any age."""
        found = await self.find(guild_id, vouch_id)
        if found is None:
            raise Refused("vouches.remove_unknown", id=str(vouch_id))
        at = now_ms() if at_ms is None else at_ms

        async def job(owner: Owner) -> Removal:
            vouch = await self.vouch(guild_id, found.reference)
            assert vouch is not None
            decision = reversal.admin_remove(vouch, is_admin=True)
            return await self._take_back(
                owner,
                vouch,
                decision,
                at,
                acting_user_id=admin_id,
                reason=reason or "removed by an admin",
            )

        return await self.actors.member(guild_id, found.voucher_id).run(job)

    # -- moving in --------------------------------------------------------------------------

    async def import_vouches(self, parsed: VouchImport, chunk: int = 2000) -> ImportResult:
        """Every row of a validated file, each an operation under its own reference (the same
        file again imports nothing twice; a row whose message Vouchy judged already is left)."""
        started = time.perf_counter()
        result = ImportResult(
            guild_id=parsed.guild_id, file=parsed.name, sha256=parsed.digest, rows=len(parsed.rows)
        )
        for start in range(0, len(parsed.rows), chunk):
            rows = parsed.rows[start : start + chunk]
            answers = await asyncio.gather(
                *(
                    self.actors.member(parsed.guild_id, row.voucher_id).submit(
                        changes.imported(parsed.guild_id, row)
                    )
                    for row in rows
                ),
                return_exceptions=True,
            )
            for answer in answers:
                if isinstance(answer, Receipt):
                    if answer.duplicate:
                        result.already += 1
                    else:
                        result.imported += 1
                elif isinstance(answer, ReferenceTaken) or (
                    isinstance(answer, Refused) and answer.key == "vouches.import_known"
                ):
                    result.already += 1
                else:
                    raise answer
        result.seconds = round(time.perf_counter() - started, 3)
        log.info(
            "vouches_imported",
            guild_id=parsed.guild_id,
            file=parsed.name,
            sha256=parsed.digest,
            rows=result.rows,
            imported=result.imported,
            already=result.already,
            seconds=result.seconds,
        )
        return result

    # -- reads ------------------------------------------------------------------------------

    async def vouch(self, guild_id: int, reference: str) -> Vouch | None:
        row = await self.reader.row(_VOUCH, (guild_id, reference))
        return None if row is None else vouch_of(row)

    async def count(self, guild_id: int, provider_id: int) -> int:
        found = await self.reader.scalar(
            "SELECT count FROM vouch_counts WHERE guild_id = ? AND provider_id = ?",
            (guild_id, provider_id),
        )
        return int(found or 0)

    async def summary(
        self, guild_id: int, provider_id: int, at_ms: int | None = None
    ) -> ProviderSummary:
        """``/vouches show``: the count, this month's, the top vouchers, the latest."""
        month = month_start_ms(now_ms() if at_ms is None else at_ms)
        g, p = guild_id, provider_id
        month_count = await self.reader.scalar(
            "SELECT COUNT(*) FROM vouches WHERE guild_id = ? AND provider_id = ?"
            " AND state = 'accepted' AND created_at >= ?",
            (g, p, month),
        )
        top = await self.reader.rows(
            "SELECT voucher_id, COUNT(*) AS n FROM vouches WHERE guild_id = ? AND provider_id = ?"
            " AND state = 'accepted' GROUP BY voucher_id ORDER BY n DESC, voucher_id LIMIT ?",
            (g, p, TOP_VOUCHERS),
        )
        latest = await self.reader.rows(
            "SELECT voucher_id, created_at, source, channel_id, message_id FROM vouches"
            " WHERE guild_id = ? AND provider_id = ? AND state = 'accepted'"
            " ORDER BY created_at DESC LIMIT ?",
            (g, p, LATEST),
        )
        return ProviderSummary(
            guild_id=g,
            provider_id=p,
            count=await self.count(g, p),
            month_count=int(month_count or 0),
            top_vouchers=tuple((r["voucher_id"], r["n"]) for r in top),
            latest=tuple(
                RecentVouch(
                    voucher_id=r["voucher_id"],
                    created_at_ms=r["created_at"],
                    source=r["source"],
                    channel_id=r["channel_id"],
                    message_id=r["message_id"],
                )
                for r in latest
            ),
        )

    async def top(self, guild_id: int, asker_id: int, page: int = 1) -> TopPage:
        """``/vouches top``: providers by count (ties share a rank), and the asker's place."""
        page = check_page(page)
        size = TOP_PAGE_SIZE
        total = await self.reader.scalar(
            "SELECT COUNT(*) FROM vouch_counts WHERE guild_id = ? AND count > 0", (guild_id,)
        )
        rows = await self.reader.rows(
            "SELECT provider_id, count FROM vouch_counts WHERE guild_id = ? AND count > 0"
            " ORDER BY count DESC, provider_id LIMIT ? OFFSET ?",
            (guild_id, size, (page - 1) * size),
        )
        entries: list[TopEntry] = []
        for i, row in enumerate(rows):
            if entries and entries[-1].count == row["count"]:
                rank = entries[-1].rank
            elif not entries:
                rank = await self._rank(guild_id, row["count"])
            else:
                rank = (page - 1) * size + i + 1
            entries.append(TopEntry(rank=rank, provider_id=row["provider_id"], count=row["count"]))
        mine = await self.count(guild_id, asker_id)
        asker = None
        if mine > 0:
            asker = TopEntry(
                rank=await self._rank(guild_id, mine), provider_id=asker_id, count=mine
            )
        return TopPage(
            page=page, total_providers=int(total or 0), entries=tuple(entries), asker=asker
        )

    async def _rank(self, guild_id: int, count: int) -> int:
        more = await self.reader.scalar(
            "SELECT COUNT(*) FROM vouch_counts WHERE guild_id = ? AND count > ?",
            (guild_id, count),
        )
        return 1 + int(more or 0)


def review_post(vouch: Vouch, channel_id: int, locale: str) -> Effect:
    """The moderators' message with Approve and Deny (posted through the outbox)."""
    assert vouch.message_id is not None
    (_, approve), (_, deny) = review_buttons(locale)
    buttons = [
        {
            "custom_id": review.encode("approve", vouch.message_id),
            "label": approve,
            "style": "success",
        },
        {"custom_id": review.encode("deny", vouch.message_id), "label": deny, "style": "danger"},
    ]
    payload = {
        "channel_id": channel_id,
        "content": review_request(vouch, locale),
        "components": [buttons],
    }
    return Effect(kind="discord.post", payload=payload)

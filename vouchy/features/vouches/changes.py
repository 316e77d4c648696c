"""What each vouch decision writes, as one ``Op`` for the writer: pure (plain values in, an
operation out), so every write of the feature can be read in one place.

Every operation of a vouch is its voucher's (``user_id``): it goes through the voucher's owner,
which owns the vouch's row. The provider's count is shared between vouchers, so it moves by
``Add`` in the writer's plan, in the same operation as the row and the ledger rows.

- A new vouch (accepted, waiting for review, or refused) is remembered under the message's
  reference (``vouch:<message id>``): Discord redelivering the message changes nothing and
  posts nothing twice.
- A vouch's later moves (approved, denied, reversed, removed) are compare-and-sets on its
  state, not remembered by reference: the state moving on is what makes each happen once. Their
  ledger rows name the vouch (``vouch:<id>`` for the points an approval gives,
  ``vouch_reversal:vouch:<id>`` for what a reversal takes back).
"""

from __future__ import annotations

from typing import Any

from vouchy.features.vouches.detect import Candidate
from vouchy.features.vouches.importing import ImportedVouch
from vouchy.features.vouches.model import Vouch, reversal_reference
from vouchy.features.vouches.proof import to_signed
from vouchy.features.vouches.reversal import Reversal
from vouchy.features.vouches.review import Decision
from vouchy.features.vouches.rules import Award
from vouchy.store.operations import Add, Change, Effect, Expect, Insert, Move, Op, Patch

NEW = "vouches.vouch"  # the operation of a message's vouch, whatever its outcome
REFUSAL_REPLY_SECONDS = 60


def _row(vouch: Vouch) -> dict[str, Any]:
    return {
        "message_id": vouch.message_id,
        "channel_id": vouch.channel_id,
        "voucher_id": vouch.voucher_id,
        "provider_id": vouch.provider_id,
        "created_at": vouch.created_at_ms,
        "state": vouch.state,
        "source": vouch.source,
        "voucher_points": vouch.voucher_points,
        "provider_points": vouch.provider_points,
        "proof_hash": None if vouch.proof_hash is None else to_signed(vouch.proof_hash),
        "decided_by": vouch.decided_by,
        "decided_at": vouch.decided_at_ms,
        "reason": vouch.reason,
    }


def _key(vouch: Vouch) -> tuple[int, str]:
    return (vouch.guild_id, vouch.reference)


def _give(vouch: Vouch) -> tuple[tuple[Move, ...], tuple[Change, ...]]:
    """What counting a vouch gives: its points (``vouch`` ledger rows, with its reason when an
    admin gave one) and the count + 1."""
    moves = []
    if vouch.voucher_points:
        moves.append(
            Move(
                user_id=vouch.voucher_id,
                kind="vouch",
                delta=vouch.voucher_points,
                reason=vouch.reason or f"vouch for {vouch.provider_id}",
            )
        )
    if vouch.provider_points:
        moves.append(
            Move(
                user_id=vouch.provider_id,
                kind="vouch",
                delta=vouch.provider_points,
                reason=vouch.reason or f"vouch from {vouch.voucher_id}",
            )
        )
    count = Add(
        table="vouch_counts", key=(vouch.guild_id, vouch.provider_id), column="count", delta=1
    )
    return tuple(moves), (count,)


def react(vouch: Vouch, emoji: str) -> Effect | None:
    """The reaction that tells the voucher their vouch counted."""
    if vouch.channel_id is None or vouch.message_id is None:
        return None
    payload = {"channel_id": vouch.channel_id, "message_id": vouch.message_id, "emoji": emoji}
    return Effect(kind="discord.react", payload=payload)


def candidate_vouch(candidate: Candidate, award: Award, proof_hash: int | None) -> Vouch:
    """The row an accepted (or pending) candidate becomes."""
    return Vouch(
        reference=candidate.reference,
        guild_id=candidate.guild_id,
        voucher_id=candidate.voucher_id,
        provider_id=candidate.provider.user_id,
        created_at_ms=candidate.created_at_ms,
        state=award.state,
        source="message",
        channel_id=candidate.channel_id,
        message_id=candidate.message_id,
        voucher_points=award.voucher_points,
        provider_points=award.provider_points,
        proof_hash=proof_hash,
    )


def new_vouch(vouch: Vouch, *, emoji: str, review: Effect | None = None) -> Op:
    """A message's vouch, accepted (points, count and the reaction now) or waiting for review
    (its row and the moderators' message; nothing given yet)."""
    # Invariant: the row, the ledger rows, the count and the reaction are one operation.
    changes: tuple[Change, ...] = (Insert(table="vouches", key=_key(vouch), values=_row(vouch)),)
    moves: tuple[Move, ...] = ()
    effects: list[Effect] = []
    if vouch.state == "accepted":
        moves, counted = _give(vouch)
        changes += counted
        reaction = react(vouch, emoji)
        if reaction is not None:
            effects.append(reaction)
    elif review is not None:
        effects.append(review)
    return Op(
        guild_id=vouch.guild_id,
        user_id=vouch.voucher_id,
        reference=vouch.reference,
        name=NEW,
        moves=moves,
        changes=changes,
        effects=tuple(effects),
        reason=f"vouch {vouch.reference}",
        data={"state": vouch.state},
    )


def refused(candidate: Candidate, code: str, reply: str) -> Op:
    """A refused vouch: nothing but the short reply that says why and removes itself after a
    minute; remembered under the message's reference so the reply is posted once."""
    payload = {
        "channel_id": candidate.channel_id,
        "content": reply,
        "reply_to": candidate.message_id,
        "user_mentions": [candidate.voucher_id],
        "delete_after_s": REFUSAL_REPLY_SECONDS,
    }
    return Op(
        guild_id=candidate.guild_id,
        user_id=candidate.voucher_id,
        reference=candidate.reference,
        name=NEW,
        effects=(Effect(kind="discord.post", payload=payload),),
        data={"state": "refused", "code": code},
    )


def _expect(vouch: Vouch, refuse: str) -> Expect:
    return Expect(
        table="vouches",
        key=_key(vouch),
        column="state",
        value=vouch.state,
        refuse=refuse,
        params={"state": vouch.state},
    )


def decided(vouch: Vouch, decision: Decision, *, emoji: str) -> Op:
    """A moderator's decision on a pending vouch: approved gives what it recorded (points,
    count, reaction) under the vouch's reference; denied gives nothing."""
    # Invariant: only a vouch still pending moves (compare-and-set on its state).
    moved = {
        "state": decision.new_state,
        "decided_by": decision.moderator_id,
        "decided_at": decision.decided_at_ms,
    }
    changes: tuple[Change, ...] = (
        _expect(vouch, "vouches.review_moved_on"),
        Patch(table="vouches", key=_key(vouch), values=moved),
    )
    moves: tuple[Move, ...] = ()
    effects: tuple[Effect, ...] = ()
    if decision.give:
        moves, counted = _give(vouch)
        changes += counted
        reaction = react(vouch, emoji)
        effects = () if reaction is None else (reaction,)
    return Op(
        guild_id=vouch.guild_id,
        user_id=vouch.voucher_id,
        reference=vouch.reference if decision.give else f"{vouch.reference}:denied",
        name="vouches.approve" if decision.give else "vouches.deny",
        moves=moves,
        changes=changes,
        effects=effects,
        reason=f"vouch {vouch.reference} approved by {decision.moderator_id}",
        acting_user_id=decision.moderator_id,
        remember=False,
    )


def reversed_(
    vouch: Vouch,
    decision: Reversal,
    *,
    voucher_taken: int,
    provider_taken: int,
    at_ms: int,
    acting_user_id: int | None = None,
    reason: str = "",
) -> Op:
    """A vouch taken back: its state, what could be taken of its points (``vouch_reversal``
    rows under a reference naming it) and the count - 1; a pending one is only withdrawn."""
    # Invariant: a vouch is taken back once (compare-and-set on its state).
    assert decision.new_state is not None
    moved: dict[str, Any] = {"state": decision.new_state, "decided_at": at_ms, "reason": reason}
    if acting_user_id is not None:
        moved["decided_by"] = acting_user_id
    changes: tuple[Change, ...] = (
        _expect(vouch, "vouches.remove_moved_on"),
        Patch(table="vouches", key=_key(vouch), values=moved),
    )
    moves: list[Move] = []
    if decision.action == "reverse":
        if voucher_taken:
            moves.append(
                Move(user_id=vouch.voucher_id, kind="vouch_reversal", delta=-voucher_taken)
            )
        if provider_taken:
            moves.append(
                Move(user_id=vouch.provider_id, kind="vouch_reversal", delta=-provider_taken)
            )
        changes += (
            Add(
                table="vouch_counts",
                key=(vouch.guild_id, vouch.provider_id),
                column="count",
                delta=-1,
                refuse="vouches.count_broken",
            ),
        )
    return Op(
        guild_id=vouch.guild_id,
        user_id=vouch.voucher_id,
        reference=reversal_reference(vouch.reference),
        name=f"vouches.{decision.new_state}",
        moves=tuple(moves),
        changes=changes,
        reason=(reason or f"vouch {vouch.reference} {decision.new_state}")[:500],
        acting_user_id=acting_user_id,
        remember=False,
    )


def added_by_admin(vouch: Vouch, *, admin_id: int) -> Op:
    """``/admin vouch add``: an accepted vouch whose proof was given elsewhere, once per
    interaction (its reference)."""
    moves, counted = _give(vouch)
    return Op(
        guild_id=vouch.guild_id,
        user_id=vouch.voucher_id,
        reference=vouch.reference,
        name="vouches.admin_add",
        moves=moves,
        changes=(Insert(table="vouches", key=_key(vouch), values=_row(vouch)), *counted),
        reason=(vouch.reason or f"vouch {vouch.reference} added by an admin")[:500],
        acting_user_id=admin_id,
    )


def imported(guild_id: int, row: ImportedVouch) -> Op:
    """One row of a ``vouches-csv`` file: an accepted vouch that counts for its provider and
    pays nothing (the older bot paid its points, which come over with its balances)."""
    vouch = Vouch(
        reference=row.reference,
        guild_id=guild_id,
        voucher_id=row.voucher_id,
        provider_id=row.provider_id,
        created_at_ms=row.created_at_ms,
        state="accepted",
        source="import",
        message_id=row.message_id,
    )
    _, counted = _give(vouch)
    return Op(
        guild_id=guild_id,
        user_id=row.voucher_id,
        reference=row.reference,
        name="vouches.import",
        changes=(
            Insert(
                table="vouches", key=_key(vouch), values=_row(vouch), refuse="vouches.import_known"
            ),
            *counted,
        ),
        reason=f"imported vouch (line {row.line})",
    )

"""What each vouch decision writes, without a store: the row, the ledger moves, the count and
the side effects of one operation; later moves are compare-and-sets on the vouch's state."""

from __future__ import annotations

import msgspec
from features.vouches.vouches_factories import PROVIDER, SETTINGS, VOUCHER, message, vouch

from vouchy.features.vouches import changes, reversal, review, rules
from vouchy.features.vouches.detect import Candidate, detect
from vouchy.features.vouches.importing import ImportedVouch
from vouchy.features.vouches.proof import from_signed
from vouchy.store.operations import Add, Effect, Expect, Insert, Patch


def candidate() -> Candidate:
    found = detect(message(), SETTINGS)
    assert isinstance(found, Candidate)
    return found


def test_an_accepted_vouch_is_its_row_its_points_its_count_and_its_reaction_at_once() -> None:
    c = candidate()
    settings = msgspec.structs.replace(SETTINGS, provider_points=3)
    row = changes.candidate_vouch(c, rules.award(c, settings), 2**64 - 5)
    op = changes.new_vouch(row, emoji="✅")
    assert (op.reference, op.user_id, op.name, op.remember) == (
        c.reference,
        VOUCHER,
        "vouches.vouch",
        True,
    )
    [insert, count] = op.changes
    assert isinstance(insert, Insert) and insert.values["state"] == "accepted"
    assert from_signed(insert.values["proof_hash"]) == 2**64 - 5
    assert isinstance(count, Add) and (count.key, count.delta) == ((c.guild_id, PROVIDER), 1)
    assert [(m.user_id, m.delta, m.kind) for m in op.moves] == [
        (VOUCHER, 10, "vouch"),
        (PROVIDER, 3, "vouch"),
    ]
    [react] = op.effects
    assert react.kind == "discord.react" and react.payload["message_id"] == c.message_id


def test_a_vouch_waiting_for_review_gives_nothing_and_posts_the_moderators_message() -> None:
    c = candidate()
    settings = msgspec.structs.replace(SETTINGS, review_queue=True, review_channel_id=8)
    row = changes.candidate_vouch(c, rules.award(c, settings), 1)
    post = Effect(kind="discord.post", payload={"channel_id": 8, "content": "review"})
    op = changes.new_vouch(row, emoji="✅", review=post)
    assert op.moves == () and [type(ch) for ch in op.changes] == [Insert]
    assert op.effects == (post,) and op.data == {"state": "pending"}


def test_a_refused_vouch_writes_only_its_reply_which_removes_itself_after_a_minute() -> None:
    c = candidate()
    op = changes.refused(c, "vouch_self", "not counted")
    assert (op.moves, op.changes, op.reference, op.remember) == ((), (), c.reference, True)
    [post] = op.effects
    assert post.payload["reply_to"] == c.message_id and post.payload["delete_after_s"] == 60
    assert post.payload["user_mentions"] == [VOUCHER]


def test_an_approval_gives_under_the_vouchs_reference_only_while_it_is_pending() -> None:
    pending = vouch("pending")
    decision = review.decide(pending, "approve", moderator_id=5, is_moderator=True, at_ms=9)
    op = changes.decided(pending, decision, emoji="✅")
    expect, patch, count = op.changes
    assert isinstance(expect, Expect) and (expect.column, expect.value) == ("state", "pending")
    assert isinstance(patch, Patch) and patch.values["state"] == "accepted"
    assert isinstance(count, Add) and count.delta == 1
    assert (op.reference, op.remember, op.acting_user_id) == (pending.reference, False, 5)
    denied = review.decide(pending, "deny", moderator_id=5, is_moderator=True, at_ms=9)
    op = changes.decided(pending, denied, emoji="✅")
    assert op.moves == () and op.effects == () and len(op.changes) == 2


def test_a_reversal_takes_back_what_the_balances_allow_and_the_count_once() -> None:
    accepted = vouch("accepted", provider_points=4)
    decision = reversal.on_message_deleted(accepted, accepted.created_at_ms + 1, 7)
    op = changes.reversed_(accepted, decision, voucher_taken=6, provider_taken=0, at_ms=5)
    assert op.reference == f"vouch_reversal:{accepted.reference}" and not op.remember
    assert [(m.user_id, m.delta, m.kind) for m in op.moves] == [(VOUCHER, -6, "vouch_reversal")]
    expect, patch, count = op.changes
    assert isinstance(expect, Expect) and expect.value == "accepted"
    assert isinstance(patch, Patch) and patch.values["state"] == "reversed"
    assert isinstance(count, Add) and count.delta == -1 and count.low == 0
    withdrawn = reversal.on_message_deleted(vouch("pending"), 0, 7)
    op = changes.reversed_(vouch("pending"), withdrawn, voucher_taken=0, provider_taken=0, at_ms=5)
    assert op.moves == () and len(op.changes) == 2


def test_an_imported_vouch_counts_and_pays_nothing() -> None:
    row = ImportedVouch(
        provider_id=PROVIDER,
        voucher_id=VOUCHER,
        created_at_ms=1,
        message_id=None,
        reference="vouch:import:ab",
        line=2,
    )
    op = changes.imported(77, row)
    assert op.moves == () and op.reference == "vouch:import:ab"
    insert, count = op.changes
    assert isinstance(insert, Insert) and insert.values["source"] == "import"
    assert isinstance(count, Add) and count.key == (77, PROVIDER)

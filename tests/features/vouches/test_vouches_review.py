"""The review queue: pending vouches are approved or denied once, by a moderator; the buttons'
custom ids survive a restart."""

from __future__ import annotations

import msgspec
import pytest
from features.vouches.vouches_factories import T0, vouch

from vouchy.core.errors import InvalidInput, PermissionDenied
from vouchy.features.vouches.model import VouchState
from vouchy.features.vouches.render import review_buttons, review_outcome, review_request
from vouchy.features.vouches.review import AlreadyDecided, decide, decode, encode, owns

MOD = 600_000_000_000_000_001


def test_a_moderator_approving_a_pending_vouch_accepts_it_and_gives_the_points() -> None:
    decision = decide(vouch("pending"), "approve", moderator_id=MOD, is_moderator=True, at_ms=T0)
    assert (decision.new_state, decision.give) == ("accepted", True)
    assert decision.vouch_reference == vouch("pending").reference
    assert (decision.moderator_id, decision.decided_at_ms) == (MOD, T0)


def test_a_moderator_denying_a_pending_vouch_gives_nothing() -> None:
    decision = decide(vouch("pending"), "deny", moderator_id=MOD, is_moderator=True, at_ms=T0)
    assert (decision.new_state, decision.give) == ("denied", False)


@pytest.mark.parametrize(
    ("state", "english", "french"),
    [
        ("accepted", "already accepted", "déjà accepté"),
        ("denied", "already denied", "déjà refusé"),
        ("reversed", "already reversed (its message was deleted)", "déjà annulé"),
        ("removed", "already removed by an admin", "déjà retiré par un admin"),
    ],
)
def test_a_second_click_on_a_decided_vouch_is_refused_naming_its_state(
    state: VouchState, english: str, french: str
) -> None:
    with pytest.raises(AlreadyDecided) as caught:
        decide(vouch(state), "approve", moderator_id=MOD, is_moderator=True, at_ms=T0)
    assert english in caught.value.message
    assert french in caught.value.text("fr")


def test_two_moderators_clicking_at_once_decide_once() -> None:
    pending = vouch("pending")
    first = decide(pending, "approve", moderator_id=MOD, is_moderator=True, at_ms=T0)
    # The second click is judged against the row the first one wrote.
    after = msgspec.structs.replace(pending, state=first.new_state)
    with pytest.raises(AlreadyDecided):
        decide(after, "deny", moderator_id=MOD + 1, is_moderator=True, at_ms=T0 + 1)


def test_only_moderators_decide() -> None:
    with pytest.raises(PermissionDenied) as caught:
        decide(vouch("pending"), "approve", moderator_id=MOD, is_moderator=False, at_ms=T0)
    assert caught.value.key == "vouches.review_not_moderator"


def test_a_button_custom_id_round_trips() -> None:
    custom_id = encode("approve", 1234567890123456789)
    assert custom_id == "vouches:approve:1234567890123456789"
    assert len(custom_id) <= 100
    assert decode(custom_id) == ("approve", 1234567890123456789)
    assert decode(encode("deny", 5)) == ("deny", 5)
    assert owns(custom_id)
    assert not owns("games:accept:5")


@pytest.mark.parametrize(
    "custom_id",
    [
        "vouches:delete:5",
        "vouches:approve:",
        "vouches:approve:x",
        "shop:approve:5",
        "vouches:approve:5:6",
        "vouches:approve:0",
    ],
)
def test_a_foreign_or_forged_custom_id_is_refused(custom_id: str) -> None:
    with pytest.raises(InvalidInput):
        decode(custom_id)


def test_the_review_message_names_both_members_and_links_the_vouch() -> None:
    pending = vouch("pending")
    text = review_request(pending, "en")
    assert f"<@{pending.voucher_id}>" in text and f"<@{pending.provider_id}>" in text
    assert (
        f"https://discord.com/channels/{pending.guild_id}/{pending.channel_id}/{pending.message_id}"
        in text
    )
    assert "Nouveau vouch" in review_request(pending, "fr")
    assert review_buttons("fr") == (("approve", "Valider"), ("deny", "Refuser"))


def test_the_outcome_line_names_the_moderator() -> None:
    decision = decide(vouch("pending"), "deny", moderator_id=MOD, is_moderator=True, at_ms=T0)
    assert review_outcome(decision, "en") == f"Denied by <@{MOD}>."
    assert review_outcome(decision, "fr") == f"Refusé par <@{MOD}>."

"""Reversal: a vouch deleted within the window gives its points and count back; after the
window it stays; an admin can remove one at any time; nothing is taken twice."""

from __future__ import annotations

import pytest
from features.vouches.vouches_factories import T0, vouch

from vouchy.core.errors import PermissionDenied
from vouchy.features.vouches.model import DAY_MS, VouchState
from vouchy.features.vouches.reversal import (
    AlreadyGone,
    Reversal,
    admin_remove,
    on_bulk_delete,
    on_message_deleted,
    take_back,
)

WINDOW = 7


def test_a_vouch_deleted_within_the_window_is_reversed_with_its_recorded_points() -> None:
    v = vouch(voucher_points=15, provider_points=2)
    decision = on_message_deleted(v, T0 + 3 * DAY_MS, WINDOW)
    assert decision == Reversal(
        vouch_reference=v.reference,
        action="reverse",
        new_state="reversed",
        reference=f"vouch_reversal:{v.reference}",
        voucher_points=15,
        provider_points=2,
        count_delta=-1,
    )


def test_a_vouch_deleted_a_millisecond_before_the_window_ends_is_reversed() -> None:
    decision = on_message_deleted(vouch(), T0 + WINDOW * DAY_MS - 1, WINDOW)
    assert decision.action == "reverse"


def test_a_vouch_deleted_exactly_at_the_end_of_the_window_is_kept() -> None:
    decision = on_message_deleted(vouch(), T0 + WINDOW * DAY_MS, WINDOW)
    assert decision.action == "keep"
    assert decision.voucher_points == decision.count_delta == 0


def test_a_window_of_zero_keeps_every_vouch() -> None:
    assert on_message_deleted(vouch(), T0, 0).action == "keep"


def test_a_pending_vouch_deleted_at_any_age_is_withdrawn_without_taking_anything() -> None:
    decision = on_message_deleted(vouch("pending"), T0 + 300 * DAY_MS, WINDOW)
    assert (decision.action, decision.new_state) == ("withdraw", "reversed")
    assert decision.voucher_points == decision.provider_points == decision.count_delta == 0


@pytest.mark.parametrize("state", ["reversed", "removed", "denied"])
def test_deleting_a_vouch_that_no_longer_counts_changes_nothing(state: VouchState) -> None:
    decision = on_message_deleted(vouch(state), T0 + DAY_MS, WINDOW)
    assert decision.action == "nothing"
    assert decision.reference is None


def test_a_redelivered_delete_after_the_reversal_changes_nothing() -> None:
    first = on_message_deleted(vouch(), T0 + DAY_MS, WINDOW)
    assert first.new_state == "reversed"
    again = on_message_deleted(vouch("reversed"), T0 + DAY_MS, WINDOW)
    assert again.action == "nothing"


def test_a_bulk_delete_judges_each_vouch_alone() -> None:
    fresh = vouch(at_ms=T0, n=1)
    old = vouch(at_ms=T0 - 30 * DAY_MS, n=2)
    pending = vouch("pending", at_ms=T0 - 60 * DAY_MS, n=3)
    gone = vouch("removed", at_ms=T0, n=4)
    decisions = on_bulk_delete([fresh, old, pending, gone], T0 + DAY_MS, WINDOW)
    assert [d.action for d in decisions] == ["reverse", "keep", "withdraw", "nothing"]
    assert [d.vouch_reference for d in decisions] == [
        v.reference for v in (fresh, old, pending, gone)
    ]


def test_an_admin_removes_an_accepted_vouch_at_any_age() -> None:
    decision = admin_remove(vouch(at_ms=T0 - 400 * DAY_MS), is_admin=True)
    assert (decision.action, decision.new_state, decision.count_delta) == ("reverse", "removed", -1)
    assert decision.voucher_points == 10


def test_an_admin_removing_a_pending_vouch_withdraws_it() -> None:
    decision = admin_remove(vouch("pending"), is_admin=True)
    assert (decision.action, decision.new_state) == ("withdraw", "removed")


def test_removing_a_vouch_twice_is_refused_naming_its_state() -> None:
    with pytest.raises(AlreadyGone) as caught:
        admin_remove(vouch("removed"), is_admin=True)
    assert caught.value.message == "This vouch is already removed by an admin; nothing was changed."
    assert (
        caught.value.text("fr") == "Ce vouch est déjà retiré par un admin ; rien n'a été modifié."
    )


def test_removing_a_reversed_vouch_is_refused() -> None:
    with pytest.raises(AlreadyGone) as caught:
        admin_remove(vouch("reversed"), is_admin=True)
    assert "reversed (its message was deleted)" in caught.value.message


def test_only_admins_remove_vouches() -> None:
    with pytest.raises(PermissionDenied):
        admin_remove(vouch(), is_admin=False)


def test_taking_points_back_never_leaves_a_negative_balance() -> None:
    assert take_back(10, 25).taken == 10
    spent = take_back(10, 4)
    assert (spent.taken, spent.short) == (4, 6)
    assert take_back(10, 0).taken == 0

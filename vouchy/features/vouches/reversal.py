"""Reversal: what happens to a vouch when its message is deleted, alone or in a bulk delete,
or when an admin removes it. Pure decisions; the integrator writes them.

- A deleted message whose vouch was accepted less than ``reversal_window_days`` before the
  deletion is reversed: its points come back out (``vouch_reversal`` ledger rows under
  ``reversal_reference``) and the provider's count goes down by one. Deleted at or after the
  window, the vouch is kept: an old reputation does not vanish because a channel was tidied.
- A deleted message whose vouch waits for review is withdrawn from the queue at any age
  (nothing was given, there is nothing to take back).
- Denied, reversed and removed vouches are left as they are: a redelivered delete event, or a
  bulk delete that lists an already reversed message, changes nothing.
- An admin may remove a live (accepted or pending) vouch at any age; removing one that is not
  live is refused, naming its state.

Taking points back never drives a balance below zero: ``take_back`` caps what is taken at the
balance and says how much could not be (the voucher spent them); the integrator reads the
balance in the member's actor, which owns it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import msgspec

from vouchy.core import i18n
from vouchy.core.errors import PermissionDenied, Refused
from vouchy.features.vouches import texts as _texts  # noqa: F401  (registers the keys)
from vouchy.features.vouches.model import DAY_MS, Vouch, VouchState, reversal_reference

Action = Literal["reverse", "withdraw", "keep", "nothing"]


class Reversal(msgspec.Struct, frozen=True, kw_only=True):
    """What to do with one vouch. ``action``:

    - ``reverse``: set ``new_state``; write ledger rows ``-voucher_points`` (voucher) and
      ``-provider_points`` (provider) of kind ``vouch_reversal`` under ``reference``; provider's
      count - 1.
    - ``withdraw``: set ``new_state`` (a pending vouch); nothing to take back.
    - ``keep``: the message was deleted after the window; the vouch stays as it is.
    - ``nothing``: the vouch no longer counts already; no change.
    """

    vouch_reference: str
    action: Action
    new_state: VouchState | None = None
    reference: str | None = None  # of the reversal's ledger rows
    voucher_points: int = 0  # to take back from the voucher
    provider_points: int = 0  # to take back from the provider
    count_delta: int = 0  # on the provider's vouch count


class AlreadyGone(Refused):
    """An admin tried to remove a vouch that no longer counts."""

    code = "vouch_already_gone"

    def __init__(self, state: VouchState) -> None:
        super().__init__("vouches.remove_already", state=state)
        self.state = state

    def text(self, locale: str) -> str:
        return i18n.text(self.key, locale, state=i18n.text(f"vouches.state_{self.state}", locale))

    @property
    def message(self) -> str:
        return self.text("en")


def _take_all(vouch: Vouch, new_state: VouchState) -> Reversal:
    return Reversal(
        vouch_reference=vouch.reference,
        action="reverse",
        new_state=new_state,
        reference=reversal_reference(vouch.reference),
        voucher_points=vouch.voucher_points,
        provider_points=vouch.provider_points,
        count_delta=-1,
    )


def on_message_deleted(vouch: Vouch, deleted_at_ms: int, reversal_window_days: int) -> Reversal:
    """The decision for ``vouch`` when its message is deleted at ``deleted_at_ms``."""
    # Invariant: only an accepted vouch deleted within the window loses its points and count,
    # and the same deletion decided twice gives the same answer.
    if vouch.state == "pending":
        return Reversal(vouch_reference=vouch.reference, action="withdraw", new_state="reversed")
    if vouch.state != "accepted":
        return Reversal(vouch_reference=vouch.reference, action="nothing")
    if deleted_at_ms - vouch.created_at_ms < reversal_window_days * DAY_MS:
        return _take_all(vouch, "reversed")
    return Reversal(vouch_reference=vouch.reference, action="keep")


def on_bulk_delete(
    vouches: Iterable[Vouch], deleted_at_ms: int, reversal_window_days: int
) -> list[Reversal]:
    """One decision per known vouch among the deleted messages (MESSAGE_DELETE_BULK): each
    judged alone, as if its message had been deleted by itself."""
    return [on_message_deleted(v, deleted_at_ms, reversal_window_days) for v in vouches]


def admin_remove(vouch: Vouch, *, is_admin: bool) -> Reversal:
    """An admin's ``/admin vouch remove``: reverses a live vouch at any age."""
    if not is_admin:
        raise PermissionDenied("vouches.remove_not_admin")
    if vouch.state == "pending":
        return Reversal(vouch_reference=vouch.reference, action="withdraw", new_state="removed")
    if vouch.state != "accepted":
        raise AlreadyGone(vouch.state)
    return _take_all(vouch, "removed")


class TakeBack(msgspec.Struct, frozen=True, kw_only=True):
    taken: int  # the ledger row's amount (taken from the balance, >= 0)
    short: int  # what could not be taken because the balance was lower


def take_back(points: int, balance: int) -> TakeBack:
    """How much of ``points`` to take from a balance of ``balance`` without going below zero."""
    # Invariant: taken + short == points and balance - taken >= 0.
    taken = max(0, min(points, balance))
    return TakeBack(taken=taken, short=points - taken)

"""The review queue: a vouch waits in the moderators' channel with Approve and Deny buttons
before anything is given. States and who may move them, and the buttons' ``custom_id`` codec.

    pending --approve--> accepted   (points and count given then, under the vouch's reference)
    pending --deny-----> denied     (nothing given)

Only a pending vouch can be decided; a second click (a moderator double-clicking, two
moderators at once, a click after the message was deleted) is refused with a text naming the
state the vouch is in, and changes nothing. Only moderators decide; the Discord layer says who
is one (the ``is_moderator`` flag). The state lives in the vouch's row, so a button still works
after a restart: the ``custom_id`` carries only the action and the vouch's message id.
"""

from __future__ import annotations

from typing import Literal

import msgspec

from vouchy.core import i18n
from vouchy.core.errors import InvalidInput, PermissionDenied, Refused
from vouchy.features.vouches import texts as _texts  # noqa: F401  (registers the keys)
from vouchy.features.vouches.model import Vouch, VouchState, is_snowflake

ReviewAction = Literal["approve", "deny"]
_PREFIX = "vouches"
_ACTIONS: dict[str, ReviewAction] = {"approve": "approve", "deny": "deny"}


class AlreadyDecided(Refused):
    code = "vouch_already_decided"

    def __init__(self, state: VouchState) -> None:
        super().__init__("vouches.review_already_decided", state=state)
        self.state = state

    def text(self, locale: str) -> str:
        state = i18n.text(f"vouches.state_{self.state}", locale)
        return i18n.text(self.key, locale, state=state)

    @property
    def message(self) -> str:
        return self.text("en")


class Decision(msgspec.Struct, frozen=True, kw_only=True):
    """A moderator's decision. When ``give`` is true the integrator writes what ``rules.award``
    would for an accepted vouch: the vouch's recorded points as ``vouch`` ledger rows under
    its reference, the provider's count + 1, the reaction through the outbox."""

    vouch_reference: str
    new_state: VouchState
    give: bool
    moderator_id: int
    decided_at_ms: int


def decide(
    vouch: Vouch, action: ReviewAction, *, moderator_id: int, is_moderator: bool, at_ms: int
) -> Decision:
    """Approve or deny a pending vouch."""
    # Invariant: a vouch leaves "pending" once, by a moderator's decision; any other state
    # is final for the review queue.
    if not is_moderator:
        raise PermissionDenied("vouches.review_not_moderator")
    if vouch.state != "pending":
        raise AlreadyDecided(vouch.state)
    approved = action == "approve"
    return Decision(
        vouch_reference=vouch.reference,
        new_state="accepted" if approved else "denied",
        give=approved,
        moderator_id=moderator_id,
        decided_at_ms=at_ms,
    )


def encode(action: ReviewAction, message_id: int) -> str:
    """The button's ``custom_id``: ``vouches:<action>:<message id>`` (under Discord's 100)."""
    return f"{_PREFIX}:{action}:{message_id}"


def decode(custom_id: str) -> tuple[ReviewAction, int]:
    """``(action, message id)`` from a ``custom_id`` made by ``encode``; ``InvalidInput`` for
    anything else (an old or forged button)."""
    parts = custom_id.split(":")
    if len(parts) == 3 and parts[0] == _PREFIX and parts[1] in _ACTIONS and parts[2].isdigit():
        message_id = int(parts[2])
        if is_snowflake(message_id):
            return _ACTIONS[parts[1]], message_id
    raise InvalidInput("vouches.review_bad_button")


def owns(custom_id: str) -> bool:
    """Whether the component router should hand this ``custom_id`` to the vouch feature."""
    return custom_id.startswith(_PREFIX + ":")

"""Acceptance rules: may this candidate vouch count? Each rule is a named refusal with its
reason, judged at the message's own time so a redelivered event or a replay decides the same.

The facts a rule needs that live in the database (the voucher's previous vouches, a matching
earlier proof) come in as plain values in ``VouchFacts``; the integrator reads them in the
voucher's actor, the owner of the voucher's vouch rows, and passes them here. Nothing here
reads or writes anything.

Windows and boundaries (all measured at the message's time ``t``):

- cooldown: refused while ``t - last < cooldown_hours``; at exactly ``cooldown_hours`` it counts.
- account age: refused while ``t - account created < min_account_age_days``; exactly that age is
  old enough. Member age likewise with ``min_member_age_hours``.
- daily limit: a *rolling* 24 hours, not a calendar day: refused when the voucher already has
  ``max_per_day`` live vouches made in ``(t - 24h, t]``. A vouch made exactly 24 h before ``t``
  no longer counts. Rolling, because a calendar day lets 2 x max_per_day through around midnight
  and has no timezone everybody in a guild shares.
- "live" vouches count toward the cooldown and the limit: accepted ones and ones waiting for
  review (else the review queue could be flooded); reversed, removed and denied ones do not.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import msgspec

from vouchy.core import i18n
from vouchy.core.errors import PermissionDenied, Refused
from vouchy.features.vouches.detect import Candidate
from vouchy.features.vouches.model import (
    DAY_MS,
    HOUR_MS,
    Vouch,
    VouchSettings,
    VouchState,
    message_link,
)
from vouchy.features.vouches.proof import ProofMatch
from vouchy.features.vouches.texts import wait_text

DAILY_WINDOW_MS = DAY_MS


class VouchRefused(Refused):
    """A rule said no: the vouch is not counted, the reply says why. ``code`` names the rule
    (for logs and metrics); durations in the text are localised when rendered. Ids in
    ``params`` are strings (see ``texts``)."""

    code: ClassVar[str] = "vouch_refused"

    def __init__(self, key: str, /, *, wait_ms: int | None = None, **params: object) -> None:
        super().__init__(key, **params)
        self.wait_ms = wait_ms

    def text(self, locale: str) -> str:
        params = dict(self.params)
        if self.wait_ms is not None:
            params["wait"] = wait_text(self.wait_ms / 1000, locale)
        return i18n.text(self.key, locale, **params)

    @property
    def message(self) -> str:
        return self.text("en")


class SelfVouch(VouchRefused):
    code = "vouch_self"

    def __init__(self) -> None:
        super().__init__("vouches.refused_self")


class BotProvider(VouchRefused):
    code = "vouch_bot_provider"

    def __init__(self, provider_id: int) -> None:
        super().__init__("vouches.refused_bot", provider_id=str(provider_id))


class ProviderWithoutRole(VouchRefused):
    code = "vouch_provider_without_role"

    def __init__(self, provider_id: int, role_id: int) -> None:
        super().__init__(
            "vouches.refused_provider_role", provider_id=str(provider_id), role_id=str(role_id)
        )


class AccountTooNew(VouchRefused):
    code = "vouch_account_too_new"

    def __init__(self, days: int, wait_ms: int) -> None:
        super().__init__("vouches.refused_account_age", days=days, wait_ms=wait_ms)


class MemberTooNew(VouchRefused):
    code = "vouch_member_too_new"

    def __init__(self, hours: int, wait_ms: int) -> None:
        super().__init__("vouches.refused_member_age", hours=hours, wait_ms=wait_ms)


class VouchCooldown(VouchRefused):
    code = "vouch_cooldown"

    def __init__(self, provider_id: int, hours: int, wait_ms: int) -> None:
        super().__init__(
            "vouches.refused_cooldown", provider_id=str(provider_id), hours=hours, wait_ms=wait_ms
        )


class DailyLimit(VouchRefused):
    code = "vouch_daily_limit"

    def __init__(self, limit: int, wait_ms: int) -> None:
        super().__init__("vouches.refused_daily_limit", limit=limit, wait_ms=wait_ms)


class ProofReused(VouchRefused):
    code = "vouch_proof_reused"

    def __init__(self, earlier: str) -> None:
        super().__init__("vouches.refused_proof_reused", earlier=earlier)


class ProofNotRead(VouchRefused):
    """The screenshot could not be fetched or read (not an image, too large, the CDN failed):
    the member can post it again."""

    code = "vouch_proof_unreadable"

    def __init__(self) -> None:
        super().__init__("vouches.refused_proof_unreadable")


class VouchFacts(msgspec.Struct, frozen=True, kw_only=True):
    """What the rules need from the database, read by the integrator.

    ``last_for_provider_ms``: when the voucher's newest live vouch for this provider was made.
    ``given_ms``: when the voucher's live vouches (for anyone) were made; any order, older ones
    are ignored, so "the last 24 hours and a bit" is enough.
    ``proof_match``: an earlier vouch in the guild whose proof matches this one's, with a link
    or reference to show (``proof.find_match``); None when none does or the image was unread.
    """

    last_for_provider_ms: int | None = None
    given_ms: tuple[int, ...] = ()
    proof_match: ProofMatch | None = None


def refuse_self_vouch(voucher_id: int, provider_id: int) -> None:
    if voucher_id == provider_id:
        raise SelfVouch()


def refuse_bot_provider(provider_id: int, provider_is_bot: bool) -> None:
    if provider_is_bot:
        raise BotProvider(provider_id)


def refuse_provider_without_role(
    provider_id: int, provider_role_ids: Sequence[int], role_id: int | None
) -> None:
    if role_id is not None and role_id not in provider_role_ids:
        raise ProviderWithoutRole(provider_id, role_id)


def refuse_young_account(account_created_ms: int, at_ms: int, min_days: int) -> None:
    """Refused while the account is younger than ``min_days`` days at ``at_ms``."""
    old_enough_at = account_created_ms + min_days * DAY_MS
    if at_ms < old_enough_at:
        raise AccountTooNew(min_days, old_enough_at - at_ms)


def refuse_new_member(joined_ms: int | None, at_ms: int, min_hours: int) -> None:
    """Refused while the member joined less than ``min_hours`` hours before ``at_ms``. Not
    checked when the join time is unknown (Discord sends it with every guild message; the
    integrator should fetch the member if it is missing)."""
    if joined_ms is None or min_hours <= 0:
        return
    old_enough_at = joined_ms + min_hours * HOUR_MS
    if at_ms < old_enough_at:
        raise MemberTooNew(min_hours, old_enough_at - at_ms)


def refuse_cooldown(
    provider_id: int, last_for_provider_ms: int | None, at_ms: int, cooldown_hours: int
) -> None:
    """Refused while the voucher's last live vouch for this provider is younger than the
    cooldown."""
    if last_for_provider_ms is None or cooldown_hours <= 0:
        return
    free_at = last_for_provider_ms + cooldown_hours * HOUR_MS
    if at_ms < free_at:
        raise VouchCooldown(provider_id, cooldown_hours, free_at - at_ms)


def given_in_window(given_ms: Sequence[int], at_ms: int) -> list[int]:
    """The times in the rolling 24 hours that end at ``at_ms``: ``(at - 24h, at]``, sorted."""
    return sorted(t for t in given_ms if at_ms - DAILY_WINDOW_MS < t <= at_ms)


def refuse_daily_limit(given_ms: Sequence[int], at_ms: int, max_per_day: int) -> None:
    """Refused when ``max_per_day`` live vouches already fall in the rolling 24 hours; the
    wait is until enough of them leave the window for one more."""
    recent = given_in_window(given_ms, at_ms)
    if len(recent) >= max_per_day:
        # The window frees a place when the vouch that is max_per_day-th from the newest
        # leaves it (24 h after it was made).
        leaving = recent[len(recent) - max_per_day]
        raise DailyLimit(max_per_day, leaving + DAILY_WINDOW_MS - at_ms)


def refuse_reused_proof(match: ProofMatch | None) -> None:
    if match is not None:
        raise ProofReused(match.reference)


def check_vouch(candidate: Candidate, settings: VouchSettings, facts: VouchFacts) -> None:
    """Raise the first refusal that applies, in this order: self-vouch, bot provider,
    provider role, account age, member age, cooldown, daily limit, reused proof. Return when
    the vouch may count.

    The proof comes last because it is the one rule that needs the image fetched: call this
    with ``facts.proof_match=None`` first, then fetch and hash only if it passes, then call
    ``refuse_reused_proof`` (or this again with the match).
    """
    provider = candidate.provider
    at = candidate.created_at_ms
    refuse_self_vouch(candidate.voucher_id, provider.user_id)
    refuse_bot_provider(provider.user_id, provider.is_bot)
    refuse_provider_without_role(provider.user_id, provider.role_ids, settings.provider_role_id)
    refuse_young_account(candidate.voucher_created_at_ms, at, settings.min_account_age_days)
    refuse_new_member(candidate.voucher_joined_at_ms, at, settings.min_member_age_hours)
    refuse_cooldown(provider.user_id, facts.last_for_provider_ms, at, settings.cooldown_hours)
    refuse_daily_limit(facts.given_ms, at, settings.max_per_day)
    refuse_reused_proof(facts.proof_match)


def proof_label(guild_id: int, channel_id: int | None, message_id: int | None, ref: str) -> str:
    """How a refusal names the earlier vouch: its message link, else its reference."""
    if channel_id is not None and message_id is not None:
        return message_link(guild_id, channel_id, message_id)
    return ref


# --- what an accepted vouch gives ----------------------------------------------------------


class Award(msgspec.Struct, frozen=True, kw_only=True):
    """What accepting a vouch writes: its state, and (unless it waits for review) two
    ``vouch`` ledger rows and the provider's count + 1, all under ``reference``."""

    reference: str
    state: VouchState  # "accepted", or "pending" when the guild reviews vouches
    voucher_id: int
    provider_id: int
    voucher_points: int  # recorded on the vouch; given now only when state is "accepted"
    provider_points: int
    react_with: str | None  # the emoji to add to the message (through the outbox)


def award(candidate: Candidate, settings: VouchSettings) -> Award:
    """The effects of accepting ``candidate`` under ``settings``."""
    review = settings.review_queue
    return Award(
        reference=candidate.reference,
        state="pending" if review else "accepted",
        voucher_id=candidate.voucher_id,
        provider_id=candidate.provider.user_id,
        voucher_points=settings.voucher_points,
        provider_points=settings.provider_points,
        react_with=None if review else settings.emoji,
    )


def admin_add(
    *,
    guild_id: int,
    provider_id: int,
    provider_is_bot: bool,
    voucher_id: int,
    interaction_id: int,
    at_ms: int,
    settings: VouchSettings,
    is_admin: bool,
    reason: str = "",
) -> Vouch:
    """``/admin vouch add provider voucher [reason]``: a vouch whose proof was given elsewhere.

    Accepted at once (an admin is the review), with the guild's points, under the reference
    ``vouch:admin:<interaction id>`` (a retried interaction adds it once). The cooldown, the
    daily limit and the account ages are the admin's call; a self-vouch and a bot provider are
    refused even so, as they could never be a vouch.
    """
    if not is_admin:
        raise PermissionDenied("vouches.add_not_admin")
    refuse_self_vouch(voucher_id, provider_id)
    refuse_bot_provider(provider_id, provider_is_bot)
    return Vouch(
        reference=f"vouch:admin:{interaction_id}",
        guild_id=guild_id,
        voucher_id=voucher_id,
        provider_id=provider_id,
        created_at_ms=at_ms,
        state="accepted",
        source="admin",
        voucher_points=settings.voucher_points,
        provider_points=settings.provider_points,
        decided_by=None,
        decided_at_ms=at_ms,
        reason=reason,
    )

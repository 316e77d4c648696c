"""Acceptance rules: each refusal, its reason text, and the boundaries of every window."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from features.vouches.vouches_factories import (
    BOT,
    PROVIDER,
    PROVIDER_ROLE,
    SETTINGS,
    T0,
    VOUCHER,
    message,
)

from vouchy.core.errors import PermissionDenied, Refused
from vouchy.features.vouches.detect import Candidate, detect
from vouchy.features.vouches.model import (
    DAY_MS,
    HOUR_MS,
    Mention,
    Vouch,
    VouchSettings,
    snowflake_at,
)
from vouchy.features.vouches.proof import ProofMatch
from vouchy.features.vouches.render import refusal_reply
from vouchy.features.vouches.rules import (
    AccountTooNew,
    BotProvider,
    DailyLimit,
    MemberTooNew,
    ProofReused,
    ProviderWithoutRole,
    SelfVouch,
    VouchCooldown,
    VouchFacts,
    VouchRefused,
    admin_add,
    award,
    check_vouch,
    given_in_window,
)

NO_FACTS = VouchFacts()


def candidate(settings: VouchSettings = SETTINGS, **kwargs: Any) -> Candidate:
    found = detect(message(**kwargs), settings)
    assert isinstance(found, Candidate), found
    return found


def refusal(
    cand: Candidate, settings: VouchSettings = SETTINGS, facts: VouchFacts = NO_FACTS
) -> VouchRefused:
    with pytest.raises(VouchRefused) as caught:
        check_vouch(cand, settings, facts)
    return caught.value


def test_an_ordinary_vouch_is_accepted() -> None:
    check_vouch(candidate(), SETTINGS, NO_FACTS)


def test_every_refusal_is_a_refused_error_with_a_stable_code() -> None:
    err = refusal(candidate(mentions=(Mention(user_id=VOUCHER),)))
    assert isinstance(err, Refused)
    assert err.code == "vouch_self"


def test_a_self_vouch_is_refused() -> None:
    err = refusal(candidate(mentions=(Mention(user_id=VOUCHER),)))
    assert isinstance(err, SelfVouch)
    assert err.message == "you can't vouch for yourself."
    assert err.text("fr") == "tu ne peux pas laisser un vouch pour toi-même."


def test_a_bot_as_provider_is_refused_and_named() -> None:
    err = refusal(candidate(mentions=(Mention(user_id=BOT, is_bot=True),)))
    assert isinstance(err, BotProvider)
    assert f"<@{BOT}>" in err.message
    assert f"<@{BOT}>" in err.text("fr")


def test_a_provider_without_the_provider_role_is_refused_when_one_is_configured() -> None:
    settings = msgspec.structs.replace(SETTINGS, provider_role_id=PROVIDER_ROLE)
    err = refusal(
        candidate(settings, mentions=(Mention(user_id=PROVIDER, role_ids=(5,)),)), settings
    )
    assert isinstance(err, ProviderWithoutRole)
    assert f"<@&{PROVIDER_ROLE}>" in err.message
    assert f"<@{PROVIDER}>" in err.text("fr")


def test_a_provider_with_the_role_is_accepted() -> None:
    settings = msgspec.structs.replace(SETTINGS, provider_role_id=PROVIDER_ROLE)
    with_role = (Mention(user_id=PROVIDER, role_ids=(PROVIDER_ROLE,)),)
    check_vouch(candidate(settings, mentions=with_role), settings, NO_FACTS)


def account_made_at(time_ms: int) -> int:
    return snowflake_at(time_ms) + 1


def test_an_account_younger_than_the_minimum_is_refused_with_the_wait() -> None:
    young = candidate(author=account_made_at(T0 - 7 * DAY_MS + 1))
    err = refusal(young)
    assert isinstance(err, AccountTooNew)
    assert err.wait_ms == 1
    assert "7 days" in err.message
    assert "Try again in 1m." in err.message
    assert "Réessaie dans 1 min." in err.text("fr")


def test_an_account_exactly_the_minimum_age_is_old_enough() -> None:
    check_vouch(candidate(author=account_made_at(T0 - 7 * DAY_MS)), SETTINGS, NO_FACTS)


def test_a_day_old_account_waits_six_days() -> None:
    err = refusal(candidate(author=account_made_at(T0 - DAY_MS)))
    assert "Try again in 6 days." in err.message
    assert "Réessaie dans 6 jours." in err.text("fr")


def test_a_member_who_joined_too_recently_is_refused() -> None:
    settings = msgspec.structs.replace(SETTINGS, min_member_age_hours=48)
    err = refusal(candidate(settings, joined_at_ms=T0 - 48 * HOUR_MS + 60_000), settings)
    assert isinstance(err, MemberTooNew)
    assert err.wait_ms == 60_000
    assert "48 hours" in err.message


def test_a_member_who_joined_exactly_the_minimum_ago_may_vouch() -> None:
    settings = msgspec.structs.replace(SETTINGS, min_member_age_hours=48)
    check_vouch(candidate(settings, joined_at_ms=T0 - 48 * HOUR_MS), settings, NO_FACTS)


def test_member_age_is_not_checked_by_default_even_for_a_member_who_just_joined() -> None:
    check_vouch(candidate(joined_at_ms=T0), SETTINGS, NO_FACTS)


def test_a_second_vouch_for_the_same_provider_within_the_cooldown_is_refused() -> None:
    facts = VouchFacts(last_for_provider_ms=T0 - 24 * HOUR_MS + 1)
    err = refusal(candidate(), facts=facts)
    assert isinstance(err, VouchCooldown)
    assert err.wait_ms == 1
    assert f"<@{PROVIDER}>" in err.message
    assert "in the last 24 hours" in err.message


def test_a_vouch_exactly_a_cooldown_after_the_last_is_accepted() -> None:
    check_vouch(candidate(), SETTINGS, VouchFacts(last_for_provider_ms=T0 - 24 * HOUR_MS))


def test_the_cooldown_wait_is_said_in_hours_and_minutes() -> None:
    err = refusal(candidate(), facts=VouchFacts(last_for_provider_ms=T0 - 90 * 60_000))
    assert "again in 22h 30m." in err.message
    assert "recommencer dans 22 h 30 min." in err.text("fr")


def test_a_cooldown_of_zero_allows_back_to_back_vouches() -> None:
    settings = msgspec.structs.replace(SETTINGS, cooldown_hours=0)
    check_vouch(candidate(settings), settings, VouchFacts(last_for_provider_ms=T0))


def test_the_daily_limit_refuses_one_more_than_max_per_day_in_a_rolling_24_hours() -> None:
    given = tuple(T0 - i * HOUR_MS for i in range(1, 11))  # 10 in the last 10 hours
    err = refusal(candidate(), facts=VouchFacts(given_ms=given))
    assert isinstance(err, DailyLimit)
    # The oldest of the ten (10 h ago) leaves the window in 14 h.
    assert err.wait_ms == 14 * HOUR_MS
    assert "given 10 vouches in the last 24 hours" in err.message
    assert "10 vouchs ces dernières 24 heures" in err.text("fr")


def test_the_daily_limit_allows_the_max_per_day_th_vouch() -> None:
    given = tuple(T0 - i * HOUR_MS for i in range(1, 10))  # 9
    check_vouch(candidate(), SETTINGS, VouchFacts(given_ms=given))


def test_a_vouch_exactly_24_hours_old_no_longer_counts_toward_the_limit() -> None:
    given = (T0 - 24 * HOUR_MS,) + tuple(T0 - i * HOUR_MS for i in range(1, 10))
    assert len(given_in_window(given, T0)) == 9
    check_vouch(candidate(), SETTINGS, VouchFacts(given_ms=given))


def test_a_vouch_a_millisecond_under_24_hours_old_still_counts() -> None:
    given = (T0 - 24 * HOUR_MS + 1,) + tuple(T0 - i * HOUR_MS for i in range(1, 10))
    err = refusal(candidate(), facts=VouchFacts(given_ms=given))
    assert isinstance(err, DailyLimit)
    assert err.wait_ms == 1


def test_the_limit_window_is_rolling_not_a_calendar_day() -> None:
    # Ten vouches at 23:00 the day before: a calendar day would allow more at 00:30.
    at = T0 + 30 * 60_000
    given = tuple(T0 - HOUR_MS + i for i in range(10))
    found = candidate(at_ms=at)
    with pytest.raises(DailyLimit):
        check_vouch(found, SETTINGS, VouchFacts(given_ms=given))


def test_a_lower_max_per_day_waits_for_the_right_vouch_to_leave() -> None:
    settings = msgspec.structs.replace(SETTINGS, max_per_day=2)
    given = (T0 - 20 * HOUR_MS, T0 - 5 * HOUR_MS, T0 - 1 * HOUR_MS)
    err = refusal(candidate(settings), settings, VouchFacts(given_ms=given))
    # Two must leave room for one: the one 5 h old leaves in 19 h.
    assert err.wait_ms == 19 * HOUR_MS


def test_a_reused_proof_is_refused_with_the_earlier_vouch() -> None:
    link = "https://discord.com/channels/1/2/3"
    err = refusal(candidate(), facts=VouchFacts(proof_match=ProofMatch(reference=link, distance=3)))
    assert isinstance(err, ProofReused)
    assert err.message.endswith(link)
    assert "déjà servi de preuve" in err.text("fr")


def test_refusals_come_in_a_fixed_order_self_vouch_first() -> None:
    everything_wrong = candidate(
        author=account_made_at(T0 - 1000), mentions=(Mention(user_id=account_made_at(T0 - 1000)),)
    )
    facts = VouchFacts(
        last_for_provider_ms=T0 - 1,
        given_ms=(T0 - 1,) * 20,
        proof_match=ProofMatch(reference="x", distance=0),
    )
    assert isinstance(refusal(everything_wrong, facts=facts), SelfVouch)


def test_the_rules_judge_at_the_message_time_not_the_clock() -> None:
    # The same candidate, judged twice (a redelivery, a replay), gets the same answer.
    young = candidate(author=account_made_at(T0 - DAY_MS))
    assert refusal(young).wait_ms == refusal(young).wait_ms == 6 * DAY_MS


def test_the_refusal_reply_names_the_voucher_and_the_reason() -> None:
    err = refusal(candidate(mentions=(Mention(user_id=VOUCHER),)))
    assert refusal_reply(VOUCHER, err, "en") == (
        f"<@{VOUCHER}>, your vouch was not counted: you can't vouch for yourself."
    )
    assert refusal_reply(VOUCHER, err, "fr") == (
        f"<@{VOUCHER}>, ton vouch n'a pas été compté : tu ne peux pas laisser un vouch pour toi-même."
    )


def test_an_accepted_vouch_gives_the_configured_points_and_a_reaction() -> None:
    settings = msgspec.structs.replace(SETTINGS, voucher_points=15, provider_points=3, emoji="🔥")
    found = candidate(settings)
    effects = award(found, settings)
    assert effects.state == "accepted"
    assert (effects.voucher_points, effects.provider_points) == (15, 3)
    assert effects.react_with == "🔥"
    assert effects.reference == found.reference


def test_with_a_review_queue_an_accepted_vouch_waits_and_gets_no_reaction_yet() -> None:
    settings = msgspec.structs.replace(SETTINGS, review_queue=True, review_channel_id=42)
    effects = award(candidate(settings), settings)
    assert effects.state == "pending"
    assert effects.react_with is None


def admin_added(**changes: Any) -> Vouch:
    args: dict[str, Any] = {
        "guild_id": 1,
        "provider_id": PROVIDER,
        "provider_is_bot": False,
        "voucher_id": VOUCHER,
        "interaction_id": 77,
        "at_ms": T0,
        "settings": SETTINGS,
        "is_admin": True,
        "reason": "paid by bank transfer",
    }
    return admin_add(**(args | changes))


def test_an_admin_adds_an_accepted_vouch_with_the_guilds_points() -> None:
    added = admin_added()
    assert (added.state, added.source, added.reference) == ("accepted", "admin", "vouch:admin:77")
    assert (added.voucher_points, added.provider_points) == (10, 0)
    assert added.reason == "paid by bank transfer"


def test_an_admin_cannot_add_a_self_vouch_or_a_vouch_for_a_bot() -> None:
    with pytest.raises(SelfVouch):
        admin_added(provider_id=VOUCHER)
    with pytest.raises(BotProvider):
        admin_added(provider_id=BOT, provider_is_bot=True)


def test_only_admins_add_vouches() -> None:
    with pytest.raises(PermissionDenied):
        admin_added(is_admin=False)

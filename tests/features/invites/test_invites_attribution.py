"""Attribution of a join to an invite: each case a tracker gets wrong, answered honestly."""

from __future__ import annotations

import msgspec
import pytest

from vouchy.core import i18n
from vouchy.features.invites.attribution import (
    DELETE_WINDOW_MS,
    NO_PERMISSION,
    PENDING_WINDOW_MS,
    STALE_USES,
    AttributionResult,
    CachedInvite,
    InviteCache,
    Vanity,
    attribute,
    cache_from_listing,
    empty_cache,
    join_record,
    note_invite_deleted,
    observe,
    permission_notice,
    with_invite_created,
)

GUILD = 111
ALICE, BOB, CARA = 1001, 1002, 1003
NOW = 1_761_921_045_000


def inv(
    code: str,
    uses: int,
    max_uses: int = 0,
    inviter: int = ALICE,
    expires_at_ms: int | None = None,
) -> CachedInvite:
    return CachedInvite(
        code=code, uses=uses, max_uses=max_uses, inviter_id=inviter, expires_at_ms=expires_at_ms
    )


def cache(*invites: CachedInvite, vanity: Vanity | None = None) -> InviteCache:
    return cache_from_listing(GUILD, list(invites), vanity)


def join(
    before: InviteCache,
    after: list[CachedInvite],
    *,
    now: int = NOW,
    deleted: dict[str, int] | None = None,
    vanity_after: Vanity | None = None,
) -> AttributionResult:
    """A join attributed the way the guild's owner does it: vanity_before from the cache."""
    return attribute(before, after, before.vanity, vanity_after, now, deleted or {})


def test_one_code_whose_uses_rose_names_that_code_and_its_inviter() -> None:
    before = cache(inv("abc", 5, inviter=ALICE), inv("xyz", 2, inviter=BOB))
    result = join(before, [inv("abc", 6, inviter=ALICE), inv("xyz", 2, inviter=BOB)])
    a = result.attribution
    assert (a.cause, a.code, a.inviter_id, a.uses_before, a.uses_after) == (
        "code",
        "abc",
        ALICE,
        5,
        6,
    )
    assert a.how == "invites.how.code"
    assert "5" in i18n.text(a.how, "en", **a.how_params) and "abc" in i18n.text(
        a.how, "fr", **a.how_params
    )
    assert result.cache.invites["abc"].uses == 6


def test_a_code_created_after_the_list_and_used_at_once_is_found() -> None:
    before = cache(inv("abc", 5))
    a = join(before, [inv("abc", 5), inv("new1", 1, inviter=BOB)]).attribution
    assert (a.cause, a.code, a.inviter_id, a.uses_before, a.uses_after) == (
        "code",
        "new1",
        BOB,
        0,
        1,
    )


def test_an_invite_created_by_event_and_then_used_is_found() -> None:
    before = with_invite_created(cache(inv("abc", 5)), inv("ev1", 0, max_uses=10, inviter=CARA))
    a = join(before, [inv("abc", 5), inv("ev1", 1, max_uses=10, inviter=CARA)]).attribution
    assert (a.cause, a.code, a.inviter_id) == ("code", "ev1", CARA)


def test_a_single_use_invite_that_vanished_at_its_last_use_is_found_with_the_delete_event_after_the_join() -> (
    None
):
    before = cache(inv("once", 0, max_uses=1, inviter=BOB), inv("abc", 5))
    result = join(before, [inv("abc", 5)])
    a = result.attribution
    assert (a.cause, a.code, a.inviter_id, a.uses_before, a.uses_after) == (
        "vanished",
        "once",
        BOB,
        0,
        1,
    )
    assert a.how == "invites.how.vanished"
    assert "once" not in result.cache.invites
    # The delete event arriving afterwards changes nothing for the next join.
    seen = note_invite_deleted({}, "once", NOW + 200)
    nxt = attribute(result.cache, [inv("abc", 6)], None, None, NOW + 5_000, seen).attribution
    assert (nxt.cause, nxt.code) == ("code", "abc")


def test_a_single_use_invite_reported_deleted_before_the_join_is_still_found() -> None:
    before = cache(inv("once", 0, max_uses=1, inviter=BOB), inv("abc", 5))
    seen = note_invite_deleted({}, "once", NOW - 300)  # INVITE_DELETE came first
    a = join(before, [inv("abc", 5)], deleted=seen).attribution
    assert (a.cause, a.code, a.inviter_id) == ("vanished", "once", BOB)
    assert a.how == "invites.how.vanished_reported"


def test_a_reported_deletion_is_found_even_when_the_list_still_shows_the_invite() -> None:
    before = cache(inv("once", 2, max_uses=3, inviter=BOB))
    seen = note_invite_deleted({}, "once", NOW - 100)
    result = join(before, [inv("once", 2, max_uses=3, inviter=BOB)], deleted=seen)
    assert (result.attribution.cause, result.attribution.uses_after) == ("vanished", 3)
    assert "once" not in result.cache.invites


def test_an_invite_deleted_long_before_the_join_is_not_taken_for_it() -> None:
    before = cache(inv("once", 0, max_uses=1))
    seen = note_invite_deleted({}, "once", NOW - DELETE_WINDOW_MS - 1)
    a = join(before, [], deleted=seen).attribution
    assert a.cause == "unknown"


def test_an_expired_invite_removed_from_the_list_is_not_a_join() -> None:
    before = cache(inv("old", 0, max_uses=1, expires_at_ms=NOW - 1), inv("abc", 5))
    result = join(before, [inv("abc", 5)])
    assert result.attribution.cause == "unknown"
    assert result.attribution.how == "invites.how.nothing_moved"
    assert "old" not in result.cache.invites


def test_an_unlimited_or_unused_up_invite_deleted_by_a_moderator_is_not_a_join() -> None:
    before = cache(inv("open", 40), inv("five", 2, max_uses=5))
    assert join(before, []).attribution.cause == "unknown"


def test_the_vanity_url_whose_uses_rose_is_found() -> None:
    before = cache(inv("abc", 5), vanity=Vanity(code="pipvault", uses=30))
    result = join(before, [inv("abc", 5)], vanity_after=Vanity(code="pipvault", uses=31))
    a = result.attribution
    assert (a.cause, a.code, a.inviter_id, a.uses_before, a.uses_after) == (
        "vanity",
        "pipvault",
        None,
        30,
        31,
    )
    assert result.cache.vanity == Vanity(code="pipvault", uses=31)


def test_two_members_joining_at_once_with_two_codes_up_are_both_ambiguous_with_both_candidates() -> (
    None
):
    before = cache(inv("abc", 5, inviter=ALICE), inv("xyz", 2, inviter=BOB))
    first = join(before, [inv("abc", 6, inviter=ALICE), inv("xyz", 3, inviter=BOB)])
    a = first.attribution
    assert a.cause == "ambiguous" and a.code is None and a.inviter_id is None
    assert [(c.code, c.inviter_id) for c in a.candidates] == [("abc", ALICE), ("xyz", BOB)]
    assert "abc, xyz" in i18n.text(a.how, "en", **a.how_params)
    # The second member's own list shows nothing new: still one of the same two, not a guess.
    second = join(
        first.cache, [inv("abc", 6, inviter=ALICE), inv("xyz", 3, inviter=BOB)], now=NOW + 300
    )
    b = second.attribution
    assert b.cause == "ambiguous"
    assert [c.code for c in b.candidates] == ["abc", "xyz"]
    # Both uses are now claimed: a third join with nothing moving is unknown.
    third = join(
        second.cache, [inv("abc", 6, inviter=ALICE), inv("xyz", 3, inviter=BOB)], now=NOW + 600
    )
    assert third.attribution.cause == "unknown"


def test_a_code_and_the_vanity_moving_together_is_ambiguous_not_the_code() -> None:
    before = cache(inv("abc", 5), vanity=Vanity(code="pv", uses=1))
    a = join(before, [inv("abc", 6)], vanity_after=Vanity(code="pv", uses=2)).attribution
    assert a.cause == "ambiguous"
    assert {(c.kind, c.code) for c in a.candidates} == {("code", "abc"), ("vanity", "pv")}


def test_one_code_rising_by_two_is_certain_for_both_joins() -> None:
    before = cache(inv("abc", 5), inv("xyz", 2))
    first = join(before, [inv("abc", 7), inv("xyz", 2)])
    assert (first.attribution.cause, first.attribution.code) == ("code", "abc")
    assert (first.attribution.uses_before, first.attribution.uses_after) == (5, 6)
    assert first.attribution.how == "invites.how.code_shared"
    second = join(first.cache, [inv("abc", 7), inv("xyz", 2)], now=NOW + 100).attribution
    assert (second.cause, second.code, second.uses_before, second.uses_after) == (
        "code",
        "abc",
        6,
        7,
    )


def test_a_use_seen_by_a_refresh_before_the_join_arrived_is_kept_for_that_join() -> None:
    before = cache(inv("abc", 5))
    refreshed = observe(before, [inv("abc", 6)], None, None, NOW, {})
    a = join(refreshed, [inv("abc", 6)], now=NOW + 1_000).attribution
    assert (a.cause, a.code) == ("code", "abc")


def test_a_use_nobody_claimed_is_forgotten_after_the_window() -> None:
    before = cache(inv("abc", 5))
    refreshed = observe(before, [inv("abc", 6)], None, None, NOW, {})
    late = join(refreshed, [inv("abc", 6)], now=NOW + PENDING_WINDOW_MS + 1).attribution
    assert late.cause == "unknown"


def test_a_restart_with_an_empty_cache_gives_unknown_never_a_guess() -> None:
    result = attribute(
        empty_cache(GUILD), [inv("abc", 9), inv("xyz", 1)], None, Vanity(code="pv", uses=3), NOW, {}
    )
    assert result.attribution.cause == "unknown"
    assert result.attribution.how == "invites.how.cold_cache"
    assert result.attribution.code is None
    # The join fills the cache: the next one is compared.
    nxt = attribute(
        result.cache,
        [inv("abc", 10), inv("xyz", 1)],
        result.cache.vanity,
        Vanity(code="pv", uses=3),
        NOW + 1,
        {},
    )
    assert (nxt.attribution.cause, nxt.attribution.code) == ("code", "abc")


def test_an_invite_announced_after_a_restart_does_not_make_the_empty_cache_certain() -> None:
    cold = with_invite_created(empty_cache(GUILD), inv("ev1", 0))
    a = attribute(cold, [inv("ev1", 1), inv("other", 4)], None, None, NOW, {}).attribution
    assert a.cause == "unknown"  # "other" may have moved unseen


def test_missing_permission_is_recorded_as_such_and_forgets_the_cache() -> None:
    before = cache(inv("abc", 5))
    result = attribute(before, NO_PERMISSION, before.vanity, None, NOW, {})
    assert result.attribution.cause == "no_permission"
    assert result.attribution.how == "invites.how.no_permission"
    assert not result.cache.complete and not result.cache.invites
    # When the permission comes back, the first join is unknown, not a diff against old uses.
    back = attribute(result.cache, [inv("abc", 50)], None, None, NOW + 1, {})
    assert back.attribution.cause == "unknown"


def test_the_admins_are_told_once_per_loss_of_the_permission() -> None:
    first = permission_notice(False, can_list=False)
    again = permission_notice(first.told, can_list=False)
    restored = permission_notice(again.told, can_list=True)
    lost_again = permission_notice(restored.told, can_list=False)
    assert [first.tell_admins, again.tell_admins, restored.tell_admins, lost_again.tell_admins] == [
        True,
        False,
        False,
        True,
    ]


def test_a_cache_out_of_date_by_many_uses_gives_unknown() -> None:
    before = cache(inv("abc", 5))
    a = join(before, [inv("abc", 5 + STALE_USES + 10)]).attribution
    assert a.cause == "unknown" and a.how == "invites.how.stale"


def test_the_cache_and_attribution_survive_a_round_trip_through_json() -> None:
    before = cache(inv("abc", 5), inv("xyz", 2))
    result = join(before, [inv("abc", 6), inv("xyz", 3)])
    encoded = msgspec.json.encode(result)
    assert msgspec.json.decode(encoded, type=type(result)) == result


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_every_how_key_reads_in_both_languages(locale: str) -> None:
    before = cache(inv("abc", 5), inv("once", 0, max_uses=1), vanity=Vanity(code="pv", uses=1))
    results = [
        join(before, [inv("abc", 6), inv("once", 0, max_uses=1)]),
        join(before, [inv("abc", 5)]),
        join(
            before,
            [inv("abc", 5), inv("once", 0, max_uses=1)],
            vanity_after=Vanity(code="pv", uses=2),
        ),
        join(before, [inv("abc", 7), inv("once", 0, max_uses=1)]),
    ]
    for r in results:
        text = i18n.text(r.attribution.how, locale, **r.attribution.how_params)
        assert "{" not in text and text != r.attribution.how


def test_the_recorded_join_carries_the_attribution_and_the_accounts_age() -> None:
    before = cache(inv("abc", 5), inv("xyz", 2))
    ambiguous = join(before, [inv("abc", 6), inv("xyz", 3)]).attribution
    member = 123456789012345678
    row = join_record(
        guild_id=GUILD,
        member_id=member,
        member_name="john_doe",
        joined_at_ms=NOW,
        attribution=ambiguous,
    )
    assert row.join_id == f"invites:join:{GUILD}:{member}:{NOW}"
    assert (row.cause, row.code, row.inviter_id, row.candidates) == (
        "ambiguous",
        None,
        None,
        ("abc", "xyz"),
    )
    assert row.account_created_ms == 1_449_504_792_216  # from the id: December 2015


def test_uses_piling_up_unclaimed_across_refreshes_are_dropped_as_stale() -> None:
    state = cache(inv("abc", 0))
    for n in range(1, 4):  # three refreshes, ten new uses each, no join in between
        state = observe(state, [inv("abc", 10 * n)], None, None, NOW + n, {})
    assert state.pending == ()
    assert join(state, [inv("abc", 30)], now=NOW + 10).attribution.cause == "unknown"


def test_members_who_joined_before_the_first_list_arrived_are_unknowable_the_rest_attributed() -> (
    None
):
    filled = cache_from_listing(GUILD, [inv("abc", 7)], None, listed_at_ms=NOW)
    # Two members joined just before the list came back: their uses are in it already.
    early = attribute(filled, [inv("abc", 7)], None, None, NOW + 5, {}, joined_at_ms=NOW - 20)
    assert (early.attribution.cause, early.attribution.how) == (
        "unknown",
        "invites.how.listed_after_join",
    )
    # Meanwhile a third joined through abc: that use waits for its own join.
    second = attribute(early.cache, [inv("abc", 8)], None, None, NOW + 9, {}, joined_at_ms=NOW - 10)
    assert second.attribution.cause == "unknown"
    third = attribute(second.cache, [inv("abc", 8)], None, None, NOW + 12, {}, joined_at_ms=NOW + 3)
    a = third.attribution
    assert (a.cause, a.code, a.uses_before, a.uses_after) == ("code", "abc", 7, 8)
    assert third.cache.listed_at_ms is None


def test_a_join_after_the_first_list_arrived_is_compared_against_it() -> None:
    filled = cache_from_listing(GUILD, [inv("abc", 7)], None, listed_at_ms=NOW)
    result = attribute(filled, [inv("abc", 8)], None, None, NOW + 50, {}, joined_at_ms=NOW + 1)
    assert (result.attribution.cause, result.attribution.code) == ("code", "abc")

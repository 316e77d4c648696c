"""Staff mapping: a code or an inviter mapped to the staff member credited with a referral."""

from __future__ import annotations

import pytest

from vouchy.core.errors import InvalidInput, Refused
from vouchy.features.invites.staff import (
    StaffMap,
    new_link,
    parse_invite_code,
    remove_link,
    set_link,
    staff_for,
    staff_map,
)

TRAVIS, ANNA, INVITER = 9001, 9002, 7001


def test_a_join_is_credited_to_the_staff_member_of_its_code_before_its_inviter() -> None:
    by_code = new_link(
        staff_id=TRAVIS,
        code="https://discord.gg/abc123XYZ",
        referral_link="https://vantage.com/ref/travis",
        referral_code="TRAVIS123",
    )
    by_inviter = new_link(staff_id=ANNA, inviter_id=INVITER)
    mapping = staff_map([by_code, by_inviter])
    found = staff_for(mapping, "abc123XYZ", INVITER)
    assert found is not None and found.staff_id == TRAVIS
    assert (found.referral_link, found.referral_code) == (
        "https://vantage.com/ref/travis",
        "TRAVIS123",
    )
    other = staff_for(mapping, "zzz", INVITER)
    assert other is not None and other.staff_id == ANNA
    assert staff_for(mapping, "zzz", 1) is None
    assert staff_for(mapping, None, None) is None


def test_setting_a_key_again_replaces_its_mapping() -> None:
    mapping = set_link(StaffMap(), new_link(staff_id=TRAVIS, code="abc"))
    mapping = set_link(mapping, new_link(staff_id=ANNA, code="abc"))
    found = staff_for(mapping, "abc", None)
    assert found is not None and found.staff_id == ANNA and len(mapping.by_code) == 1


def test_removing_a_mapping_that_does_not_exist_is_refused() -> None:
    mapping = staff_map([new_link(staff_id=TRAVIS, code="abc")])
    assert remove_link(mapping, code="discord.gg/abc").by_code == {}
    with pytest.raises(Refused) as e:
        remove_link(mapping, inviter_id=INVITER)
    assert e.value.key == "invites.staff_not_mapped"


@pytest.mark.parametrize(
    "text",
    [
        "abc",
        "discord.gg/abc",
        "https://discord.com/invite/abc",
        "http://discordapp.com/invite/abc/",
    ],
)
def test_an_invite_code_may_be_typed_as_a_link(text: str) -> None:
    assert parse_invite_code(text) == "abc"


@pytest.mark.parametrize(
    "text", ["", "a", "has space", "=cmd", "https://evil.example/abc", "x" * 40]
)
def test_a_bad_invite_code_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput) as e:
        parse_invite_code(text)
    assert e.value.key == "invites.bad_code"


@pytest.mark.parametrize(
    ("field", "value", "key"),
    [
        ("referral_link", "javascript:alert(1)", "invites.bad_referral_link"),
        ("referral_link", "https://x.example/" + "a" * 600, "invites.bad_referral_link"),
        ("referral_code", "two words", "invites.bad_referral_code"),
        ("referral_code", "", "invites.bad_referral_code"),
    ],
)
def test_bad_referral_details_are_refused(field: str, value: str, key: str) -> None:
    with pytest.raises(InvalidInput) as e:
        if field == "referral_link":
            new_link(staff_id=TRAVIS, code="abc", referral_link=value)
        else:
            new_link(staff_id=TRAVIS, code="abc", referral_code=value)
    assert e.value.key == key


def test_a_mapping_needs_exactly_one_of_code_and_inviter() -> None:
    with pytest.raises(InvalidInput) as neither:
        new_link(staff_id=TRAVIS)
    with pytest.raises(InvalidInput) as both:
        new_link(staff_id=TRAVIS, code="abc", inviter_id=INVITER)
    assert neither.value.key == both.value.key == "invites.staff_one_key"


def test_each_mapping_has_one_row_key() -> None:
    assert new_link(staff_id=TRAVIS, code="abc").row_key == "code:abc"
    assert new_link(staff_id=TRAVIS, inviter_id=INVITER).row_key == f"inviter:{INVITER}"

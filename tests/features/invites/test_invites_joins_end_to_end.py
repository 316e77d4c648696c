"""Attribution end to end: the real bot, the fake Discord's GUILD_MEMBER_ADD and REMOVE,
INVITE_CREATE and DELETE, and its invite list and vanity URL, for each case a tracker gets
wrong; then what the joins count for their inviters (leaves, rejoins, fakes)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio
from features.invites.invites_support import joins_of, leaves_of, new_user, old_user, settled
from support.bot import Harness, started_bot

from vouchy.core import i18n
from vouchy.features.invites.service import InvitesService
from vouchy.testing.fake_discord import FakeDiscord, Member, User, next_snowflake, payloads

pytestmark = pytest.mark.asyncio(loop_scope="module")

VANITY = "vouchy-club"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def h(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    fake = FakeDiscord()
    fake.guild.vanity_url_code = VANITY
    fake.guild.vanity_uses = 12
    fake.guild.members.append(Member(User(next_snowflake(), "friend")))
    await fake.start()
    try:
        async with started_bot(tmp_path_factory.mktemp("invites-joins"), fake=fake) as harness:
            yield harness
    finally:
        await fake.close()


@pytest.fixture(autouse=True)
def no_api_violations(h: Harness) -> Iterator[None]:
    yield
    found, h.fake.violations[:] = list(h.fake.violations), []
    assert found == [], "Discord API violations:\n" + "\n".join(found)


def service(h: Harness) -> InvitesService:
    return h.app.service(InvitesService)


async def test_a_join_through_one_code_names_the_code_its_inviter_and_how_it_was_found(
    h: Harness,
) -> None:
    await h.fake.create_invite("one-code", inviter=h.admin.user, uses=3)
    await h.fake.create_invite("other-code", inviter=h.owner.user, uses=9)
    before = await service(h).counts(h.guild_id, h.admin.id)
    ann = old_user("ann")
    await h.fake.add_member(ann, via_invite="one-code")
    [join] = await joins_of(service(h), h.guild_id, ann.id)
    assert (join.cause, join.code, join.inviter_id, join.inviter_name) == (
        "code",
        "one-code",
        h.admin.id,
        "admin",
    )
    assert (join.uses_before, join.uses_after, join.member_name) == (3, 4, "ann")
    assert i18n.text(join.how, "en", **join.how_params) == (
        "The uses of one-code went from 3 to 4, and no other invite moved."
    )
    after = await service(h).counts(h.guild_id, h.admin.id)
    assert (after.regular - before.regular, after.total - before.total) == (1, 1)


async def test_a_single_use_invite_deleted_before_the_join_event_is_that_join(
    h: Harness,
) -> None:
    await h.fake.create_invite("solo-before", inviter=h.owner.user, max_uses=1)
    bea = old_user("bea")
    await h.fake.add_member(bea, via_invite="solo-before", used_up_delete="before")
    [join] = await joins_of(service(h), h.guild_id, bea.id)
    assert (join.cause, join.code, join.inviter_id) == ("vanished", "solo-before", h.owner.id)
    assert join.how == "invites.how.vanished_reported"
    assert (join.uses_before, join.uses_after) == (0, 1)


async def test_a_single_use_invite_deleted_after_the_join_event_is_that_join_and_no_other(
    h: Harness,
) -> None:
    await h.fake.create_invite("solo-after", inviter=h.owner.user, max_uses=1)
    await h.fake.create_invite("plain-after", inviter=h.admin.user)
    cid, dan = old_user("cid"), old_user("dan")
    await h.fake.add_member(cid, via_invite="solo-after", used_up_delete="after")
    [join] = await joins_of(service(h), h.guild_id, cid.id)
    assert (join.cause, join.code, join.how) == ("vanished", "solo-after", "invites.how.vanished")
    # The late delete event must not make the next join look like a second use of it.
    await h.fake.add_member(dan, via_invite="plain-after")
    [next_join] = await joins_of(service(h), h.guild_id, dan.id)
    assert (next_join.cause, next_join.code) == ("code", "plain-after")


async def test_a_join_through_the_vanity_url_is_attributed_to_it_without_an_inviter(
    h: Harness,
) -> None:
    eve = old_user("eve")
    await h.fake.add_member(eve, via_invite=VANITY)
    [join] = await joins_of(service(h), h.guild_id, eve.id)
    assert (join.cause, join.code, join.inviter_id) == ("vanity", VANITY, None)
    assert (join.uses_before, join.uses_after) == (12, 13)
    assert join.how == "invites.how.vanity"


async def test_two_members_joining_at_once_are_recorded_ambiguous_with_both_candidates(
    h: Harness,
) -> None:
    await h.fake.create_invite("twin-a", inviter=h.admin.user)
    await h.fake.create_invite("twin-b", inviter=h.owner.user)
    await settled(service(h), h.guild_id)
    fay, gus = old_user("fay"), old_user("gus")
    # Both join before the bot hears of either: its first list already shows both uses.
    fay_member = await h.fake.add_member(fay, via_invite="twin-a", dispatch=False)
    gus_member = await h.fake.add_member(gus, via_invite="twin-b", dispatch=False)
    admin_before = await service(h).counts(h.guild_id, h.admin.id)
    await h.fake.member_add_event(fay_member)
    await h.fake.member_add_event(gus_member)
    [first] = await joins_of(service(h), h.guild_id, fay.id)
    [second] = await joins_of(service(h), h.guild_id, gus.id)
    for join in (first, second):
        assert (join.cause, join.code, join.inviter_id) == ("ambiguous", None, None)
        assert sorted(join.candidates) == ["twin-a", "twin-b"]
        assert "twin-a" in i18n.text(join.how, "fr", **join.how_params)
    # Nobody is credited for a guess.
    assert await service(h).counts(h.guild_id, h.admin.id) == admin_before


async def test_a_join_event_delivered_twice_is_recorded_once(h: Harness) -> None:
    await h.fake.create_invite("twice", inviter=h.admin.user)
    hal = old_user("hal")
    member = await h.fake.add_member(hal, via_invite="twice")
    await joins_of(service(h), h.guild_id, hal.id)
    before = await service(h).counts(h.guild_id, h.admin.id)
    await h.fake.member_add_event(member)  # a resumed session replays the event
    await settled(service(h), h.guild_id)
    assert len(await joins_of(service(h), h.guild_id, hal.id)) == 1
    assert await service(h).counts(h.guild_id, h.admin.id) == before


async def test_a_leave_counts_against_the_inviter_and_a_rejoin_is_not_counted_twice(
    h: Harness,
) -> None:
    await h.fake.create_invite("stay", inviter=h.admin.user)
    await h.fake.create_invite("back", inviter=h.owner.user)
    ivy = old_user("ivy")
    start = await service(h).counts(h.guild_id, h.admin.id)
    owner_start = await service(h).counts(h.guild_id, h.owner.id)
    await h.fake.add_member(ivy, via_invite="stay")
    await joins_of(service(h), h.guild_id, ivy.id)

    await h.fake.remove_member(ivy.id)
    await leaves_of(service(h), h.guild_id, ivy.id)
    gone = await service(h).counts(h.guild_id, h.admin.id)
    assert (gone.regular - start.regular, gone.left - start.left) == (1, 1)
    assert gone.total == start.total

    # Back through someone else's invite: the first inviter keeps the member, nobody gains.
    await h.fake.add_member(ivy, via_invite="back")
    rejoin = (await joins_of(service(h), h.guild_id, ivy.id, count=2))[1]
    assert (rejoin.cause, rejoin.code, rejoin.inviter_id) == ("code", "back", h.owner.id)
    back = await service(h).counts(h.guild_id, h.admin.id)
    assert (back.regular - start.regular, back.left - start.left) == (1, 0)
    assert await service(h).counts(h.guild_id, h.owner.id) == owner_start

    # The same leave event twice counts once.
    await h.fake.remove_member(ivy.id)
    await leaves_of(service(h), h.guild_id, ivy.id, count=2)
    await h.fake.dispatch("GUILD_MEMBER_REMOVE", payloads.guild_member_remove(h.guild, ivy))
    await settled(service(h), h.guild_id)
    assert await leaves_of(service(h), h.guild_id, ivy.id) == 2
    final = await service(h).counts(h.guild_id, h.admin.id)
    assert final.left - start.left == 1


async def test_a_new_account_is_a_fake_for_its_inviter_and_so_is_joining_through_ones_own_invite(
    h: Harness,
) -> None:
    await h.fake.create_invite("fresh", inviter=h.owner.user)
    owner_before = await service(h).counts(h.guild_id, h.owner.id)
    jon = new_user("jon")  # an account made today: younger than 7 days
    await h.fake.add_member(jon, via_invite="fresh")
    [join] = await joins_of(service(h), h.guild_id, jon.id)
    assert (join.cause, join.inviter_id) == ("code", h.owner.id)
    owner_after = await service(h).counts(h.guild_id, h.owner.id)
    assert (owner_after.regular - owner_before.regular, owner_after.fake - owner_before.fake) == (
        1,
        1,
    )
    assert owner_after.total == owner_before.total
    # A fake's leave is not counted again as a leave.
    await h.fake.remove_member(jon.id)
    await leaves_of(service(h), h.guild_id, jon.id)
    assert await service(h).counts(h.guild_id, h.owner.id) == owner_after

    # An old account that joins through an invite it made itself.
    kim = old_user("kim")
    await h.fake.create_invite("mine", inviter=kim)
    await h.fake.add_member(kim, via_invite="mine")
    [own] = await joins_of(service(h), h.guild_id, kim.id)
    assert own.inviter_id == kim.id
    counts = await service(h).counts(h.guild_id, kim.id)
    assert (counts.regular, counts.fake, counts.total) == (1, 1, 0)


async def test_the_fake_account_setting_is_per_server_and_applies_to_later_joins(
    h: Harness,
) -> None:
    reply = await h.run("config invites set", h.admin, fake_account_days=0)
    assert reply["ephemeral"]
    await h.fake.create_invite("zero-days", inviter=h.admin.user)
    before = await service(h).counts(h.guild_id, h.admin.id)
    lou = new_user("lou")
    await h.fake.add_member(lou, via_invite="zero-days")
    await joins_of(service(h), h.guild_id, lou.id)
    after = await service(h).counts(h.guild_id, h.admin.id)
    assert (after.regular - before.regular, after.fake - before.fake) == (1, 0)
    await h.run("config invites reset", h.admin, setting="fake_account_days")
    # What was counted under the old setting stays counted: the audit agrees.
    assert (await h.app.audit(h.guild_id)).clean


async def test_every_count_equals_its_recompute_after_all_of_this(h: Harness) -> None:
    await settled(service(h), h.guild_id)
    report = await h.app.audit(h.guild_id)
    assert report.clean, report.discrepancies

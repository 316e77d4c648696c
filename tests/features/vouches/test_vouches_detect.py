"""Detection: which messages are candidate vouches, and which are ignored without a word."""

from __future__ import annotations

import msgspec
from features.vouches.vouches_factories import (
    BOT,
    GUILD,
    OTHER_CHANNEL,
    OTHER_PROVIDER,
    PROVIDER,
    PROVIDER_ROLE,
    SETTINGS,
    T0,
    VOUCH_CHANNEL,
    VOUCHER,
    message,
    png_attachment,
)

from vouchy.features.vouches.detect import (
    Candidate,
    Ignored,
    detect,
    order_mentions,
)
from vouchy.features.vouches.model import (
    DISCORD_EPOCH_MS,
    Attachment,
    Embed,
    Mention,
    VouchSettings,
    snowflake_at,
    snowflake_time_ms,
)

WITH_ROLE = VouchSettings(channel_ids=(VOUCH_CHANNEL,), provider_role_id=PROVIDER_ROLE)


def candidate(result: Ignored | Candidate) -> Candidate:
    assert isinstance(result, Candidate), result
    return result


def test_a_snowflake_tells_when_it_was_made() -> None:
    # Discord's documented example: 175928847299117063 was made 2016-04-30T11:18:25.796Z.
    assert snowflake_time_ms(175928847299117063) == 1462015105796
    assert snowflake_time_ms(snowflake_at(T0)) == T0
    assert snowflake_time_ms(0) == DISCORD_EPOCH_MS


def test_an_image_that_mentions_a_member_in_a_vouch_channel_is_a_candidate() -> None:
    msg = message()
    found = candidate(detect(msg, SETTINGS))
    assert found.voucher_id == VOUCHER
    assert found.provider.user_id == PROVIDER
    assert found.reference == f"vouch:{msg.message_id}"
    assert found.created_at_ms == T0
    assert found.proof.url == png_attachment().url
    assert found.proof.source == "attachment"
    assert found.guild_id == GUILD


def test_the_voucher_account_age_comes_from_their_id() -> None:
    found = candidate(detect(message(), SETTINGS))
    assert found.voucher_created_at_ms == snowflake_time_ms(VOUCHER)


def test_messages_in_other_channels_are_ignored() -> None:
    assert detect(message(channel=OTHER_CHANNEL), SETTINGS) == Ignored("not_a_vouch_channel")


def test_no_vouch_channel_configured_means_nothing_is_a_vouch() -> None:
    assert detect(message(), VouchSettings()) == Ignored("not_a_vouch_channel")


def test_a_post_in_a_thread_of_a_vouch_channel_counts() -> None:
    msg = message(channel=OTHER_CHANNEL, parent_channel_id=VOUCH_CHANNEL)
    assert isinstance(detect(msg, SETTINGS), Candidate)


def test_bots_and_webhooks_are_ignored() -> None:
    assert detect(message(author_is_bot=True), SETTINGS) == Ignored("bot_author")
    assert detect(message(is_webhook=True, author_is_bot=True), SETTINGS) == Ignored("webhook")


def test_direct_messages_are_ignored() -> None:
    msg = msgspec.structs.replace(message(), guild_id=None)
    assert detect(msg, SETTINGS) == Ignored("not_in_guild")


def test_a_message_without_an_image_is_ignored() -> None:
    assert detect(message(attachments=()), SETTINGS) == Ignored("no_image")


def test_a_non_image_attachment_is_not_proof() -> None:
    pdf = Attachment(
        id=5, filename="receipt.pdf", url="https://x/r.pdf", content_type="application/pdf"
    )
    video = Attachment(id=6, filename="clip.mp4", url="https://x/c.mp4", content_type="video/mp4")
    svg = Attachment(id=7, filename="logo.svg", url="https://x/l.svg", content_type="image/svg+xml")
    assert detect(message(attachments=(pdf, video, svg)), SETTINGS) == Ignored("no_image")


def test_an_image_is_recognised_by_its_content_type_not_its_name() -> None:
    named_wrong = Attachment(
        id=5, filename="proof.dat", url="https://x/p", content_type="image/jpeg"
    )
    named_png_but_text = Attachment(
        id=6, filename="proof.png", url="https://x/q", content_type="text/plain"
    )
    assert candidate(detect(message(attachments=(named_wrong,)), SETTINGS)).proof.attachment_id == 5
    assert detect(message(attachments=(named_png_but_text,)), SETTINGS) == Ignored("no_image")


def test_an_attachment_without_a_content_type_is_judged_by_its_name() -> None:
    old = Attachment(id=5, filename="Proof.JPG", url="https://x/p")
    assert candidate(detect(message(attachments=(old,)), SETTINGS)).proof.attachment_id == 5


def test_the_first_image_attachment_is_the_proof() -> None:
    pdf = Attachment(id=5, filename="r.pdf", url="https://x/r.pdf", content_type="application/pdf")
    found = candidate(
        detect(message(attachments=(pdf, png_attachment(2), png_attachment(3))), SETTINGS)
    )
    assert found.proof.attachment_id == png_attachment(2).id


def test_an_image_embed_is_proof() -> None:
    embed = Embed(type="image", image_url="https://i.imgur.com/proof.png")
    found = candidate(detect(message(attachments=(), embeds=(embed,)), SETTINGS))
    assert found.proof.source == "embed"
    assert found.proof.url == "https://i.imgur.com/proof.png"


def test_a_video_or_link_preview_embed_is_not_proof() -> None:
    embeds = (
        Embed(type="video", image_url="https://i.ytimg.com/vi/x/hq.jpg"),
        Embed(type="article", image_url="https://example.com/og.png"),
        Embed(type="image", image_url=None),
    )
    assert detect(message(attachments=(), embeds=embeds), SETTINGS) == Ignored("no_image")


def test_an_attachment_is_preferred_to_an_embed() -> None:
    embed = Embed(type="image", image_url="https://i.imgur.com/proof.png")
    found = candidate(detect(message(embeds=(embed,)), SETTINGS))
    assert found.proof.source == "attachment"


def test_a_message_that_mentions_nobody_is_ignored() -> None:
    assert detect(message(mentions=()), SETTINGS) == Ignored("no_provider")


def test_without_a_provider_role_the_first_mentioned_member_is_the_provider() -> None:
    mentions = (Mention(user_id=OTHER_PROVIDER), Mention(user_id=PROVIDER))
    assert (
        candidate(detect(message(mentions=mentions), SETTINGS)).provider.user_id == OTHER_PROVIDER
    )


def test_the_provider_role_chooses_among_several_mentions() -> None:
    mentions = (
        Mention(user_id=OTHER_PROVIDER, role_ids=(1, 2)),
        Mention(user_id=PROVIDER, role_ids=(3, PROVIDER_ROLE)),
    )
    found = candidate(detect(message(mentions=mentions), WITH_ROLE))
    assert found.provider.user_id == PROVIDER


def test_with_nobody_holding_the_role_the_first_mention_is_kept_for_the_rules_to_refuse() -> None:
    mentions = (Mention(user_id=OTHER_PROVIDER), Mention(user_id=PROVIDER))
    found = candidate(detect(message(mentions=mentions), WITH_ROLE))
    assert found.provider.user_id == OTHER_PROVIDER


def test_the_author_and_bots_are_passed_over_when_someone_else_is_mentioned() -> None:
    mentions = (
        Mention(user_id=BOT, is_bot=True),
        Mention(user_id=VOUCHER),
        Mention(user_id=PROVIDER),
    )
    assert candidate(detect(message(mentions=mentions), SETTINGS)).provider.user_id == PROVIDER


def test_a_message_mentioning_only_its_author_is_a_candidate_for_the_self_vouch_refusal() -> None:
    found = candidate(detect(message(mentions=(Mention(user_id=VOUCHER),)), SETTINGS))
    assert found.provider.user_id == VOUCHER


def test_a_message_mentioning_only_a_bot_is_a_candidate_for_the_bot_refusal() -> None:
    found = candidate(detect(message(mentions=(Mention(user_id=BOT, is_bot=True),)), SETTINGS))
    assert found.provider.is_bot


def test_mentions_are_put_in_the_order_of_the_text() -> None:
    a, b, c = Mention(user_id=111), Mention(user_id=222), Mention(user_id=333)
    ordered = order_mentions("thanks <@!222> and <@111>, great service", (a, b, c))
    assert [m.user_id for m in ordered] == [222, 111, 333]


def test_a_redelivered_message_gives_the_same_candidate() -> None:
    assert detect(message(), SETTINGS) == detect(message(), SETTINGS)

"""Detection: is this message a vouch? A pure function of the message and the guild's settings.

``detect`` answers either ``Ignored(reason)`` (the message is not a vouch and gets no reply:
another channel, a bot or webhook, no image, nobody mentioned) or a ``Candidate``: who vouches,
for whom, with which image as proof. A candidate is not yet accepted: ``rules.check_vouch``
decides that, and may refuse it with a reply (a self-vouch, a bot or a member without the
provider role as provider, ...).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

import msgspec

from vouchy.features.vouches.model import (
    Attachment,
    Embed,
    Mention,
    VouchMessage,
    VouchSettings,
    vouch_reference,
)

IgnoreReason = Literal[
    "not_in_guild",
    "not_a_vouch_channel",
    "bot_author",
    "webhook",
    "no_image",
    "no_provider",
]

# Media types Discord shows inline and Pillow reads; SVG is an image type but not a picture
# of anything Vouchy can compare.
_IMAGE_TYPES = re.compile(r"image/(png|jpe?g|gif|webp|bmp|avif|heic|heif)\b", re.IGNORECASE)
# Used only when an attachment has no content type (uploads from before Discord sent one).
_IMAGE_NAMES = re.compile(r"\.(png|jpe?g|gif|webp|bmp)$", re.IGNORECASE)
_MENTION = re.compile(r"<@!?([0-9]{1,20})>")


class Ignored(msgspec.Struct, frozen=True):
    """Not a vouch; no reply. ``reason`` is for the log line."""

    reason: IgnoreReason


class ProofImage(msgspec.Struct, frozen=True, kw_only=True):
    """The image to fetch once and hash."""

    url: str
    source: Literal["attachment", "embed"]
    attachment_id: int | None = None
    filename: str | None = None
    content_type: str | None = None
    size: int = 0


class Candidate(msgspec.Struct, frozen=True, kw_only=True):
    reference: str  # vouch:<message id>
    guild_id: int
    channel_id: int
    message_id: int
    created_at_ms: int  # the message's time: every rule is judged at this instant
    voucher_id: int
    voucher_created_at_ms: int  # the voucher's account
    voucher_joined_at_ms: int | None
    provider: Mention
    proof: ProofImage


def is_image_attachment(attachment: Attachment) -> bool:
    """An image by its content type; by its file name only when Discord gave no type."""
    if attachment.content_type:
        return _IMAGE_TYPES.match(attachment.content_type) is not None
    return _IMAGE_NAMES.search(attachment.filename) is not None


def is_image_embed(embed: Embed) -> bool:
    """A posted image link (Discord makes it an embed of type "image")."""
    return embed.type == "image" and bool(embed.image_url)


def find_proof(message: VouchMessage) -> ProofImage | None:
    """The first image attachment, else the first image embed, else None."""
    for attachment in message.attachments:
        if is_image_attachment(attachment):
            return ProofImage(
                url=attachment.url,
                source="attachment",
                attachment_id=attachment.id,
                filename=attachment.filename,
                content_type=attachment.content_type,
                size=attachment.size,
            )
    for embed in message.embeds:
        if is_image_embed(embed):
            assert embed.image_url is not None
            return ProofImage(url=embed.image_url, source="embed")
    return None


def choose_provider(
    mentions: Iterable[Mention], author_id: int, provider_role_id: int | None
) -> Mention | None:
    """Who the vouch is for, among the mentions in text order.

    With a provider role: the first mentioned member who holds it. Without one: the first
    mentioned member. In both, the author and bots are passed over while someone else
    qualifies ("@Vouchy thanks @seller" is a vouch for the seller); when nobody else does,
    the first mention is returned anyway, so that the rules refuse it with a reason (a
    self-vouch, a bot, a member without the provider role) instead of silence.
    """
    unique: list[Mention] = []
    for mention in mentions:
        if all(m.user_id != mention.user_id for m in unique):
            unique.append(mention)
    if not unique:
        return None

    def eligible(m: Mention) -> bool:
        return m.user_id != author_id and not m.is_bot

    if provider_role_id is not None:
        holders = [m for m in unique if provider_role_id in m.role_ids]
        for m in holders:
            if eligible(m):
                return m
        if holders:
            return holders[0]
    for m in unique:
        if eligible(m):
            return m
    return unique[0]


def order_mentions(content: str, mentions: Iterable[Mention]) -> tuple[Mention, ...]:
    """Discord's ``mentions`` array in the order the ``<@id>`` tokens appear in the text
    (Discord does not promise an order); mentions not found in the text (a reply's author)
    come last, in their original order."""
    position: dict[int, int] = {}
    for i, match in enumerate(_MENTION.finditer(content)):
        position.setdefault(int(match.group(1)), i)
    listed = list(mentions)
    return tuple(
        sorted(listed, key=lambda m: (position.get(m.user_id, len(position)), listed.index(m)))
    )


def in_vouch_channel(message: VouchMessage, settings: VouchSettings) -> bool:
    """In one of the vouch channels, or in a thread (or forum post) of one."""
    channels = settings.channel_ids
    return message.channel_id in channels or (
        message.parent_channel_id is not None and message.parent_channel_id in channels
    )


def detect(message: VouchMessage, settings: VouchSettings) -> Ignored | Candidate:
    """A candidate vouch, or why the message is ignored without a reply."""
    # Invariant: a message outside the vouch channels, from a bot or a webhook, without an
    # image or without a mention is never a candidate.
    if message.guild_id is None:
        return Ignored("not_in_guild")
    if not in_vouch_channel(message, settings):
        return Ignored("not_a_vouch_channel")
    if message.is_webhook:
        return Ignored("webhook")
    if message.author_is_bot:
        return Ignored("bot_author")
    proof = find_proof(message)
    if proof is None:
        return Ignored("no_image")
    provider = choose_provider(message.mentions, message.author_id, settings.provider_role_id)
    if provider is None:
        return Ignored("no_provider")
    return Candidate(
        reference=vouch_reference(message.message_id),
        guild_id=message.guild_id,
        channel_id=message.channel_id,
        message_id=message.message_id,
        created_at_ms=message.created_at_ms,
        voucher_id=message.author_id,
        voucher_created_at_ms=message.author_created_at_ms,
        voucher_joined_at_ms=message.member_joined_at_ms,
        provider=provider,
        proof=proof,
    )

"""Plain values for the vouch tests: messages, mentions, settings and recorded vouches at
chosen times (ids are snowflakes made at those times)."""

from __future__ import annotations

from vouchy.features.vouches.model import (
    DAY_MS,
    Attachment,
    Embed,
    Mention,
    Vouch,
    VouchMessage,
    VouchSettings,
    VouchState,
    snowflake_at,
)

GUILD = 700_000_000_000_000_001
VOUCH_CHANNEL = 700_000_000_000_000_002
OTHER_CHANNEL = 700_000_000_000_000_003
PROVIDER_ROLE = 700_000_000_000_000_004
# 2024-06-01T00:00:00Z: the instant most tests vouch at.
T0 = 1_717_200_000_000
VOUCHER = snowflake_at(T0 - 400 * DAY_MS) + 11  # an account made 400 days before T0
PROVIDER = snowflake_at(T0 - 900 * DAY_MS) + 22
OTHER_PROVIDER = snowflake_at(T0 - 800 * DAY_MS) + 33
BOT = snowflake_at(T0 - 1000 * DAY_MS) + 44

SETTINGS = VouchSettings(channel_ids=(VOUCH_CHANNEL,))


def message_id_at(time_ms: int, n: int = 1) -> int:
    return snowflake_at(time_ms) + n


def png_attachment(n: int = 1) -> Attachment:
    return Attachment(
        id=900 + n,
        filename=f"proof{n}.png",
        url=f"https://cdn.discordapp.com/attachments/1/{900 + n}/proof{n}.png",
        content_type="image/png",
        size=120_000,
        width=720,
        height=1280,
    )


def provider(user_id: int = PROVIDER, roles: tuple[int, ...] = ()) -> Mention:
    return Mention(user_id=user_id, role_ids=roles)


def message(
    *,
    at_ms: int = T0,
    author: int = VOUCHER,
    channel: int = VOUCH_CHANNEL,
    mentions: tuple[Mention, ...] = (Mention(user_id=PROVIDER),),
    attachments: tuple[Attachment, ...] = (png_attachment(),),
    embeds: tuple[Embed, ...] = (),
    joined_at_ms: int | None = None,
    **extra: object,
) -> VouchMessage:
    return VouchMessage(
        message_id=message_id_at(at_ms),
        guild_id=GUILD,
        channel_id=channel,
        author_id=author,
        member_joined_at_ms=T0 - 30 * DAY_MS if joined_at_ms is None else joined_at_ms,
        attachments=attachments,
        embeds=embeds,
        mentions=mentions,
        **extra,  # type: ignore[arg-type]  # tests pass VouchMessage's own optional fields
    )


def vouch(
    state: VouchState = "accepted",
    *,
    at_ms: int = T0,
    voucher_points: int = 10,
    provider_points: int = 0,
    n: int = 1,
) -> Vouch:
    message_id = message_id_at(at_ms, n)
    return Vouch(
        reference=f"vouch:{message_id}",
        guild_id=GUILD,
        voucher_id=VOUCHER,
        provider_id=PROVIDER,
        created_at_ms=at_ms,
        state=state,
        channel_id=VOUCH_CHANNEL,
        message_id=message_id,
        voucher_points=voucher_points,
        provider_points=provider_points,
    )

"""The web feature's embeds, in the reader's language: a key created (its secret, once), the
list of a guild's keys (never a secret), a key revoked, and the public page's state."""

from __future__ import annotations

import hikari

from vouchy.bot.embeds import INFO, SUCCESS, embed, t
from vouchy.features.api.keys import ApiKey
from vouchy.features.api.service import Created


def _scopes(record: ApiKey) -> str:
    return ", ".join(f"`{s}`" for s in record.scopes)


def created(result: Created, *, locale: str) -> hikari.Embed:
    """The one message that shows a key's secret (ephemeral)."""
    r = result.record
    if result.key is None:
        text = t("web.created_before", locale, name=r.name, key_id=r.id)
    else:
        text = t(
            "web.created",
            locale,
            key=result.key.reveal(),
            name=r.name,
            scopes=_scopes(r),
            key_id=r.id,
        )
    return embed(t("web.created.title", locale), text, SUCCESS, locale)


def listed(records: list[ApiKey], *, locale: str) -> hikari.Embed:
    lines = []
    for r in records:
        if r.revoked_at is None:
            lines.append(
                t(
                    "web.keys.line",
                    locale,
                    key_id=r.id,
                    name=r.name,
                    scopes=_scopes(r),
                    created=str(r.created_at // 1000),
                )
            )
        else:
            lines.append(
                t(
                    "web.keys.revoked",
                    locale,
                    key_id=r.id,
                    name=r.name,
                    scopes=_scopes(r),
                    revoked=str(r.revoked_at // 1000),
                )
            )
    text = "\n".join(lines)[:4000] if lines else t("web.keys.none", locale)
    return embed(t("web.keys.title", locale), text, INFO, locale)


def revoked(record: ApiKey, *, locale: str) -> hikari.Embed:
    text = t("web.revoked", locale, name=record.name, key_id=record.id)
    return embed(t("web.revoked.title", locale), text, SUCCESS, locale)


def public_page(
    guild_id: int, *, on: bool, public_url: str, server_on: bool, locale: str
) -> hikari.Embed:
    """Whether /g/<guild id> shows this guild's leaderboard, with its address."""
    path = f"/g/{guild_id}"
    if on:
        url = public_url.rstrip("/") + path if public_url else f"`{path}`"
        text = t("web.public.on", locale, url=url)
        title = t("web.public.on.title", locale)
    else:
        text = t("web.public.off", locale, path=path)
        title = t("web.public.off.title", locale)
    if on and not server_on:
        text += "\n" + t("web.public.server_off", locale)
    return embed(title, text, INFO, locale)

"""Gift codes: new codes from community lists or admins, redeemed for every registered player
of a mobile game through the publisher's API, each (code, player) at most once."""

from __future__ import annotations

import os

from vouchy.features.base import Context, Feature
from vouchy.features.giftcodes import texts as texts  # registers the keys every module raises
from vouchy.features.giftcodes.service import GiftCodeService
from vouchy.features.giftcodes.settings import GiftcodesSettings
from vouchy.features.giftcodes.tables import CHECKS, MIGRATIONS


def make_service(ctx: Context) -> GiftCodeService:
    """The service the configuration describes: a publisher client when the game's secret is
    in the environment (``secret_env``), none otherwise (codes are still listed and posted)."""
    from vouchy.features.giftcodes import provider  # the aiohttp side, only here

    settings = ctx.settings.default("giftcodes")
    assert isinstance(settings, GiftcodesSettings)
    secret = os.environ.get(settings.secret_env, "").strip()
    client = provider.client_from(settings, secret) if secret else None
    return GiftCodeService(
        ctx,
        settings,
        publisher=client,
        fetch_list=provider.fetch_list,
        close_publisher=client.close if client is not None else None,
    )


FEATURE = Feature(
    name="giftcodes",
    summary="/giftcode: code lists, players, auto-redemption through the publisher's API",
    migrations=MIGRATIONS,
    checks=CHECKS,
    settings=GiftcodesSettings,
    service=make_service,
    discord="vouchy.features.giftcodes.discord",
)

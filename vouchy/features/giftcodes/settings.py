"""The ``[giftcodes]`` section of ``config.toml``: a server's own two settings (where new codes
are posted, whether they are redeemed by themselves), then the process-wide ones (the code list,
the publisher's API, pacing and retries).

A server changes only ``channel`` and ``auto_redeem`` (``/giftcode channel set``,
``/giftcode autoredeem``, ``/config giftcodes``); the other keys come from the file or from
``VOUCHY_GIFTCODES_<KEY>``. The game's secret is never a setting: ``secret_env`` names the
environment variable that holds it, and it is read from there alone.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from vouchy.features.giftcodes.rules import Policy

DEFAULT_BASE_URL = "https://wos-giftcode-api.centurygame.com/api"
DEFAULT_SECRET_ENV = "GIFTCODE_SECRET"

Seconds = Annotated[float, msgspec.Meta(ge=0.0, le=86_400.0)]
Positive = Annotated[float, msgspec.Meta(gt=0.0, le=86_400.0)]


class GiftcodesSettings(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    # A server's own values (each server overrides these for itself).
    channel: Annotated[int, msgspec.Meta(ge=1)] | None = None
    auto_redeem: bool = False
    # Where new codes come from.
    list_url: Annotated[str, msgspec.Meta(max_length=500)] = ""
    check_interval_s: Annotated[float, msgspec.Meta(ge=1.0, le=86_400.0)] = 10.0
    health_every_checks: Annotated[int, msgspec.Meta(ge=1, le=1_000_000)] = 30
    list_timeout_s: Positive = 10.0
    # The publisher's API.
    base_url: Annotated[str, msgspec.Meta(min_length=8, max_length=500)] = DEFAULT_BASE_URL
    secret_env: Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")] = (
        DEFAULT_SECRET_ENV
    )
    request_shape: Literal["plain", "captcha"] = "plain"
    timeout_s: Annotated[float, msgspec.Meta(gt=0.0, le=120.0)] = 10.0
    captcha_min_confidence: Annotated[float, msgspec.Meta(ge=0.0, le=1.0)] = 0.6
    captcha_max_fetches: Annotated[int, msgspec.Meta(ge=1, le=20)] = 4
    # Pacing, retries and back-off.
    max_concurrency: Annotated[int, msgspec.Meta(ge=1, le=16)] = 2
    requests_per_second: Annotated[float, msgspec.Meta(gt=0.0, le=1_000.0)] = 1.0
    player_gap_s: Seconds = 3.0
    temporary_max_tries: Annotated[int, msgspec.Meta(ge=1, le=1_000)] = 10
    unknown_max_tries: Annotated[int, msgspec.Meta(ge=1, le=1_000)] = 3
    retry_base_s: Annotated[float, msgspec.Meta(ge=0.001, le=86_400.0)] = 5.0
    retry_max_s: Positive = 1_800.0
    consecutive_error_limit: Annotated[int, msgspec.Meta(ge=1, le=1_000)] = 5
    backoff_s: Annotated[float, msgspec.Meta(ge=0.001, le=86_400.0)] = 60.0
    backoff_max_s: Positive = 900.0
    canary: bool = True


def policy_of(settings: GiftcodesSettings) -> Policy:
    """The state machine's policy from the configuration (refused whole if inconsistent)."""
    return Policy(
        max_concurrency=settings.max_concurrency,
        requests_per_second=settings.requests_per_second,
        player_gap_ms=round(settings.player_gap_s * 1000),
        temporary_max_tries=settings.temporary_max_tries,
        unknown_max_tries=settings.unknown_max_tries,
        retry_base_ms=max(1, round(settings.retry_base_s * 1000)),
        retry_max_ms=max(1, round(settings.retry_max_s * 1000)),
        consecutive_error_limit=settings.consecutive_error_limit,
        runner_backoff_ms=max(1, round(settings.backoff_s * 1000)),
        runner_backoff_max_ms=max(1, round(settings.backoff_max_s * 1000)),
        canary=settings.canary,
    ).check()

"""The provider adapter against the fake publisher: every class of answer comes back classified,
nothing raises, the captcha step never sends an unsure answer, and the secret never shows."""

from __future__ import annotations

import hashlib
import socket
import time
from collections.abc import AsyncIterator

import pytest
import structlog

from vouchy.features.giftcodes import provider
from vouchy.features.giftcodes.fake_provider import (
    FakeCaptchaSolver,
    FakeCode,
    FakePlayer,
    FakeProvider,
    captcha_png,
)
from vouchy.features.giftcodes.pacing import Pacer
from vouchy.features.giftcodes.provider import GiftCodeClient

SECRET = "not-the-real-secret-42"


def players() -> list[FakePlayer]:
    return [
        FakePlayer(fid=1, nickname="Ana", kid=245, furnace_level=30),
        FakePlayer(fid=2, nickname="Ben", kid=245, furnace_level=8),
        FakePlayer(fid=3, nickname="Cy", kid=245, furnace_level=30, vip=5, spent=100),
        FakePlayer(fid=4, nickname="Di", kid=245, furnace_level=30),
    ]


def codes() -> list[FakeCode]:
    return [
        FakeCode(code="GOOD"),
        FakeCode(code="OLD", state="expired"),
        FakeCode(code="FEW", claim_limit=1),
        FakeCode(code="BIG", min_level=20),
        FakeCode(code="VIPONLY", min_vip=3),
        FakeCode(code="PAYERS", min_spent=1),
        FakeCode(code="SPRING1", group="spring"),
        FakeCode(code="SPRING2", group="spring"),
    ]


@pytest.fixture
async def fake() -> AsyncIterator[FakeProvider]:
    async with FakeProvider(secret=SECRET, players=players(), codes=codes(), slow_s=1.0) as f:
        yield f


def client_for(fake: FakeProvider, **kw: object) -> GiftCodeClient:
    options: dict[str, object] = {
        "solver": FakeCaptchaSolver(fake),
        "timeout_s": 0.3,
        "solve_in_thread": False,
    }
    options.update(kw)
    return GiftCodeClient(fake.base_url, options.pop("secret", SECRET), **options)  # type: ignore[arg-type]  # test options


async def redeem(fake: FakeProvider, fid: int, code: str, **kw: object) -> tuple[str, str]:
    async with client_for(fake, **kw) as client:
        answer = await client.redeem(fid, code)
    return answer.kind, answer.reason


# --- the publisher's answers ------------------------------------------------------------------


async def test_a_redemption_succeeds_once_then_says_already_received(fake: FakeProvider) -> None:
    async with client_for(fake) as client:
        first = await client.redeem(1, "GOOD")
        second = await client.redeem(1, "GOOD")
    assert (first.kind, first.reason, first.err_code) == ("success", "success", 20000)
    assert (second.kind, second.reason, second.msg) == ("already", "received", "RECEIVED.")
    assert fake.counters.successes[("GOOD", 1)] == 1


async def test_a_gift_of_the_same_kind_counts_as_already_had(fake: FakeProvider) -> None:
    assert await redeem(fake, 1, "SPRING1") == ("success", "success")
    assert await redeem(fake, 1, "SPRING2") == ("already", "same_type")


@pytest.mark.parametrize(
    ("fid", "code", "expected"),
    [
        (1, "OLD", ("code_permanent", "expired")),
        (1, "NOPE", ("code_permanent", "invalid_code")),
        (2, "BIG", ("player_permanent", "level_too_low")),
        (1, "VIPONLY", ("player_permanent", "vip_required")),
        (1, "PAYERS", ("player_permanent", "spending_required")),
        (3, "VIPONLY", ("success", "success")),
        (99, "GOOD", ("player_permanent", "no_such_player")),
    ],
)
async def test_each_refusal_is_classified(
    fake: FakeProvider, fid: int, code: str, expected: tuple[str, str]
) -> None:
    assert await redeem(fake, fid, code) == expected


async def test_a_claim_limit_answers_used_to_the_next_players(fake: FakeProvider) -> None:
    assert await redeem(fake, 1, "FEW") == ("success", "success")
    assert await redeem(fake, 3, "FEW") == ("claim_limit", "claim_limit")


async def test_a_lookup_gives_name_state_and_furnace_level(fake: FakeProvider) -> None:
    async with client_for(fake) as client:
        found = await client.lookup(1)
        missing = await client.lookup(12345)
    assert found.kind == "success" and found.player is not None
    assert (found.player.nickname, found.player.kid, found.player.furnace_level) == ("Ana", 245, 30)
    assert (missing.kind, missing.reason) == ("player_permanent", "no_such_player")


async def test_a_player_who_moved_state_asks_for_a_refresh(fake: FakeProvider) -> None:
    fake.captcha = False
    fake.players[1].kid = 300  # moved since we looked it up
    async with client_for(fake, shape="plain") as client:
        stale = await client.redeem(1, "GOOD", kid=245)
        fresh = await client.lookup(1)
        assert fresh.player is not None
        again = await client.redeem(1, "GOOD", kid=fresh.player.kid)
    assert (stale.kind, stale.reason) == ("refresh_player", "player_moved")
    assert again.kind == "success"


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ("timeout_retry", ("temporary", "timeout_retry")),
        ("not_login", ("temporary", "not_login")),
        ("too_frequent", ("temporary", "too_frequent")),
        ("captcha_error", ("temporary", "captcha")),
        ("unknown_msg", ("unknown", "unknown")),
        ("html", ("temporary", "html_page")),
        ("html_502", ("temporary", "server_error")),
        ("http_500", ("temporary", "server_error")),
        ("garbage", ("unknown", "garbage")),
        ("http_404", ("unknown", "http_status")),
    ],
)
async def test_injected_faults_are_classified_and_never_raise(
    fake: FakeProvider, fault: str, expected: tuple[str, str]
) -> None:
    fake.inject(fault)  # type: ignore[arg-type]  # parametrized Literal
    assert await redeem(fake, 1, "GOOD") == expected
    assert await redeem(fake, 1, "GOOD") == ("success", "success")  # one time only


async def test_too_frequent_comes_from_the_per_player_limit(fake: FakeProvider) -> None:
    fake.player_min_gap_s = 60
    assert await redeem(fake, 1, "GOOD") == ("success", "success")
    assert await redeem(fake, 1, "BIG") == ("temporary", "too_frequent")


async def test_not_login_comes_when_the_player_was_not_looked_up(fake: FakeProvider) -> None:
    fake.login_ttl_s = 60
    assert await redeem(fake, 1, "GOOD") == ("temporary", "not_login")
    async with client_for(fake) as client:
        await client.lookup(1)
        assert (await client.redeem(1, "GOOD")).kind == "success"


async def test_a_503_with_retry_after_keeps_the_wait(fake: FakeProvider) -> None:
    fake.inject("http_503", retry_after_s=9)
    async with client_for(fake) as client:
        answer = await client.redeem(1, "GOOD")
    assert (answer.kind, answer.reason, answer.retry_after_ms) == (
        "temporary",
        "server_error",
        9000,
    )


async def test_the_rate_limit_answers_429_with_retry_after(fake: FakeProvider) -> None:
    fake.rate_limit, fake.retry_after_s = 1, 4
    fake.captcha = False
    async with client_for(fake, shape="plain") as client:
        first = await client.redeem(1, "GOOD")
        second = await client.redeem(3, "GOOD")
    assert first.kind == "success"
    assert (second.kind, second.reason, second.http_status, second.retry_after_ms) == (
        "temporary",
        "rate_limited",
        429,
        4000,
    )
    assert fake.counters.rate_limited == 1


async def test_a_429_holds_the_pacer_for_its_retry_after(fake: FakeProvider) -> None:
    fake.rate_limit, fake.retry_after_s = 1, 30
    fake.captcha = False
    pacer = Pacer(100)
    async with client_for(fake, shape="plain", pacer=pacer) as client:
        await client.redeem(1, "GOOD")
        before = time.monotonic()
        await client.redeem(3, "GOOD")
    assert pacer.ready_at() >= before + 29


async def test_paced_requests_never_exceed_the_providers_rate(fake: FakeProvider) -> None:
    fake.rate_limit = 20
    fake.captcha = False
    for fid in range(100, 130):
        fake.add_player(FakePlayer(fid=fid))
    # Paced a little under the publisher's limit: arrivals wobble by a few milliseconds.
    async with client_for(fake, shape="plain", pacer=Pacer(19, max_concurrency=2)) as client:
        for fid in range(100, 130):
            assert (await client.redeem(fid, "GOOD")).kind == "success"
    assert fake.counters.rate_limited == 0
    assert fake.counters.max_in_window(1.0) <= 19


# --- transport ------------------------------------------------------------------------------


async def test_a_timeout_is_temporary_and_the_retry_sees_it_went_through(
    fake: FakeProvider,
) -> None:
    fake.inject("timeout")  # the redemption takes effect, the answer comes too late
    started = time.monotonic()
    assert await redeem(fake, 1, "GOOD") == ("temporary", "timeout")
    assert time.monotonic() - started < 0.9  # the client's timeout, not the fake's delay
    assert await redeem(fake, 1, "GOOD") == ("already", "received")
    assert fake.counters.successes[("GOOD", 1)] == 1


async def test_a_timeout_before_anything_happened_is_temporary_too(fake: FakeProvider) -> None:
    fake.inject("timeout_before")
    assert await redeem(fake, 1, "GOOD") == ("temporary", "timeout")
    assert await redeem(fake, 1, "GOOD") == ("success", "success")


async def test_an_answer_that_arrives_in_pieces_is_read_whole(fake: FakeProvider) -> None:
    fake.inject("chunked")
    assert await redeem(fake, 1, "GOOD") == ("success", "success")


async def test_a_refused_connection_is_a_temporary_network_answer() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = GiftCodeClient(f"http://127.0.0.1:{port}/api", SECRET, shape="plain", timeout_s=0.5)
    async with client:
        answer = await client.redeem(1, "GOOD")
    assert (answer.kind, answer.reason) == ("temporary", "network")


# --- signing --------------------------------------------------------------------------------


def test_the_signature_follows_the_publishers_recipe() -> None:
    fields = {"time": "1700000000000", "fid": "42", "cdk": "GOOD", "sign": "ignored"}
    expected = hashlib.md5(b"cdk=GOOD&fid=42&time=1700000000000" + b"abc").hexdigest()
    assert provider.sign(fields, "abc") == expected


async def test_a_wrong_secret_is_a_configuration_error(fake: FakeProvider) -> None:
    assert await redeem(fake, 1, "GOOD", secret="wrong") == ("config_error", "sign_error")
    async with client_for(fake, secret="wrong") as client:
        assert (await client.lookup(1)).kind == "config_error"
    assert fake.counters.successes[("GOOD", 1)] == 0


def test_the_request_shapes_live_in_one_function() -> None:
    assert provider.build_request("player", fid=1, now_ms=5) == (
        "/player",
        {"fid": "1", "time": "5"},
    )
    assert provider.build_request("captcha", fid=1, now_ms=5)[1]["init"] == "0"
    path, fields = provider.build_request("redeem", fid=1, now_ms=5, code="C", captcha_code="AB12")
    assert (path, fields) == (
        "/gift_code",
        {"fid": "1", "time": "5", "cdk": "C", "captcha_code": "AB12"},
    )
    _, plain = provider.build_request("redeem", fid=1, now_ms=5, shape="plain", code="C", kid=9)
    assert plain == {"fid": "1", "time": "5", "cdk": "C", "kid": "9"}


async def test_the_secret_never_reaches_the_logs_or_the_repr(fake: FakeProvider) -> None:
    fake.inject("garbage")
    with structlog.testing.capture_logs() as logs:
        async with client_for(fake, solver=FakeCaptchaSolver(fake, [0.1])) as client:
            await client.redeem(1, "GOOD")
            await client.redeem(1, "GOOD")
            await client.lookup(1)
            text = repr(client)
    assert logs, "the client logs its requests"
    assert SECRET not in text and SECRET not in repr(logs)


# --- captcha --------------------------------------------------------------------------------


async def test_an_unsure_captcha_is_never_sent_a_new_one_is_fetched(fake: FakeProvider) -> None:
    solver = FakeCaptchaSolver(fake, confidences=[0.2, 0.5])
    async with client_for(fake, solver=solver, captcha_min_confidence=0.6) as client:
        answer = await client.redeem(1, "GOOD")
    assert answer.kind == "success"
    assert fake.counters.by_path["captcha"] == 3
    assert fake.counters.by_path["gift_code"] == 1


async def test_a_captcha_never_read_with_confidence_sends_nothing(fake: FakeProvider) -> None:
    solver = FakeCaptchaSolver(fake, confidences=[0.1] * 10)
    async with client_for(fake, solver=solver, captcha_max_fetches=4) as client:
        answer = await client.redeem(1, "GOOD")
    assert (answer.kind, answer.reason) == ("temporary", "captcha_unsure")
    assert fake.counters.by_path["captcha"] == 4
    assert fake.counters.by_path["gift_code"] == 0


async def test_a_wrong_captcha_answer_is_a_temporary_captcha_error(fake: FakeProvider) -> None:
    async with client_for(fake, solver=FakeCaptchaSolver(fake, wrong=1)) as client:
        wrong = await client.redeem(1, "GOOD")
        right = await client.redeem(1, "GOOD")
    assert (wrong.kind, wrong.reason) == ("temporary", "captcha")
    assert right.kind == "success"


async def test_a_solver_that_crashes_counts_as_unsure(fake: FakeProvider) -> None:
    class Broken:
        def solve(self, image: bytes) -> tuple[str, float]:
            raise RuntimeError("model failed")

    async with client_for(fake, solver=Broken(), captcha_max_fetches=2) as client:
        answer = await client.redeem(1, "GOOD")
    assert answer.reason == "captcha_unsure"


async def test_a_captcha_fetch_that_is_refused_is_returned_as_is(fake: FakeProvider) -> None:
    fake.captcha_min_gap_s = 60
    async with client_for(fake, solver=FakeCaptchaSolver(fake, [0.1, 0.1])) as client:
        answer = await client.redeem(1, "GOOD")
    assert (answer.kind, answer.reason) == ("temporary", "captcha")


def test_the_fake_captcha_is_a_real_png() -> None:
    image = captcha_png("AB3K")
    assert image.startswith(b"\x89PNG\r\n\x1a\n") and b"IHDR" in image and b"IEND" in image


def test_a_client_refuses_a_missing_secret_or_url() -> None:
    from vouchy.core.errors import ConfigError

    with pytest.raises(ConfigError):
        GiftCodeClient("http://127.0.0.1:1/api", "", shape="plain")
    with pytest.raises(ConfigError):
        GiftCodeClient("ftp://x", SECRET, shape="plain")

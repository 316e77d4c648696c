"""The /v1 API end to end: a started Vouchy, the aiohttp server on 127.0.0.1, real HTTP. Every
answer is checked against the OpenAPI document before the test reads it; every refusal is a
problem document and changes nothing."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import msgspec
import pytest
import pytest_asyncio
from features.api.api_harness import DOC, GUILD, OTHER_GUILD, ApiHarness, started_api

from vouchy.core import errors
from vouchy.features.api.service import RewardRedeemer
from vouchy.web import inputs, openapi
from vouchy.web.contract import ContractError, validate_response
from vouchy.web.ratelimit import RateLimiter
from vouchy.web.server import WebServer

pytestmark = pytest.mark.asyncio(loop_scope="module")

TYPE = "https://vouchy.dev/problems/"
MEMBER = 510_000_000_000_000_001
RICH = 510_000_000_000_000_002


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def h(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ApiHarness]:
    data_dir: Path = tmp_path_factory.mktemp("api")
    async with started_api(data_dir) as harness:
        harness.keys["all"] = await harness.new_key("read earn spend admin", name="shop")
        harness.keys["read"] = await harness.new_key("read", name="site")
        harness.keys["earn"] = await harness.new_key("earn", name="orders")
        harness.keys["other"] = await harness.new_key(
            "read earn spend admin", guild_id=OTHER_GUILD, name="elsewhere"
        )
        revoked = await harness.new_key("read earn", name="old")
        await harness.api.revoke_key(
            GUILD, revoked.split("_")[1], revoked_by=42, reference="test:revoke"
        )
        harness.keys["revoked"] = revoked
        await harness.earn(RICH, 5_000, "seed-rich", key=harness.keys["all"])
        yield harness


def member_path(user_id: int = MEMBER, tail: str = "") -> str:
    return f"/v1/guilds/{GUILD}/members/{user_id}{tail}"


async def test_the_openapi_document_is_served_as_built(h: ApiHarness) -> None:
    answer = await h.call("GET", openapi.OPENAPI_PATH)
    assert answer.status == 200
    assert answer.body == openapi.document(max_points=h.app.config.limits.max_amount)


async def test_every_operation_of_the_document_answers_as_the_document_says(
    h: ApiHarness,
) -> None:
    key = h.keys["all"]
    requests = {
        "getAccount": ("GET", member_path(RICH), None),
        "earnPoints": ("POST", member_path(RICH, "/earn"), {"points": 3}),
        "spendPoints": ("POST", member_path(RICH, "/spend"), {"points": 2}),
        "getHistory": ("GET", member_path(RICH, "/history?limit=2"), None),
        "getLeaderboard": ("GET", f"/v1/guilds/{GUILD}/leaderboard?board=points", None),
        "auditGuild": ("GET", f"/v1/guilds/{GUILD}/audit", None),
        "auditMember": ("GET", member_path(RICH, "/audit"), None),
        "redeemReward": ("POST", member_path(RICH, "/rewards/gift-card/redeem"), None),
    }
    assert set(requests) == {op.operation_id for op in openapi.OPERATIONS}
    installed, h.api.rewards = h.api.rewards, Rewards()  # rewards as the shop would answer
    try:
        for operation_id, (method, path, body) in requests.items():
            headers = {"Idempotency-Key": f"every-{operation_id}"} if method == "POST" else {}
            answer = await h.call(method, path, key=key, json_body=body, headers=headers)
            assert answer.status == 200, (operation_id, answer.body)
    finally:
        h.api.rewards = installed


async def test_an_account_shows_balance_lifetime_and_zero_xp_level_vouches_without_those_features(
    h: ApiHarness,
) -> None:
    answer = await h.call("GET", member_path(RICH), key=h.keys["read"])
    body = answer.body
    assert body["guild_id"] == str(GUILD) and body["user_id"] == str(RICH)
    account = await h.app.points.account(GUILD, RICH)
    assert body["balance"] == account.balance
    assert body["lifetime_earned"] == account.lifetime_earned
    assert (body["xp"], body["level"], body["vouches"]) == (0, 0, 0)
    assert answer.headers["Cache-Control"] == "no-store"


async def test_a_member_vouchy_has_not_seen_has_the_starting_balance_and_no_row(
    h: ApiHarness,
) -> None:
    before = h.state()
    answer = await h.call("GET", member_path(999_999_999_999), key=h.keys["read"])
    assert answer.body["balance"] == 25 and answer.body["lifetime_earned"] == 0
    assert h.state() == before


async def test_an_earn_is_applied_and_answered_with_the_new_balance(h: ApiHarness) -> None:
    user = 510_000_000_000_000_010
    answer = await h.earn(
        user, 100, "order-1042", key=h.keys["all"], reason="Order 1042", order_id="1042",
        amount=25.99,
    )  # fmt: skip
    body = answer.body
    assert answer.status == 200
    assert body["kind"] == "earn" and body["points"] == 100 and body["balance"] == 125
    assert (body["reason"], body["order_id"], body["amount"]) == ("Order 1042", "1042", 25.99)
    assert answer.headers["Idempotency-Key"] == "order-1042"
    assert answer.headers["Idempotent-Replayed"] == "false"
    [row] = [e for e in (await h.app.points.history(GUILD, user)).entries if e.kind == "earn"]
    assert (row.id, row.delta, row.reference) == (
        body["transaction_id"],
        100,
        f"api:{h.keys['all'].split('_')[1]}:order-1042",
    )


async def test_an_earn_retried_with_the_same_key_is_applied_once_and_answered_the_same(
    h: ApiHarness,
) -> None:
    user = 510_000_000_000_000_011
    first = await h.earn(user, 40, '"retry-1"', key=h.keys["earn"], reason="x")
    state = h.state()
    again = await h.earn(user, 40, '"retry-1"', key=h.keys["earn"], reason="x")
    bare = await h.earn(user, 40, "retry-1", key=h.keys["earn"], reason="x")  # the same key
    assert first.status == again.status == bare.status == 200
    assert again.raw == first.raw == bare.raw
    assert first.headers["Idempotent-Replayed"] == "false"
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Idempotency-Key"] == '"retry-1"'
    assert h.state() == state  # nothing more was written
    assert (await h.app.points.account(GUILD, user)).balance == 65


async def test_the_same_key_with_another_body_or_member_is_a_409_and_changes_nothing(
    h: ApiHarness,
) -> None:
    user = 510_000_000_000_000_012
    await h.earn(user, 10, "order-7", key=h.keys["all"])
    state = h.state()
    for answer in (
        await h.earn(user, 11, "order-7", key=h.keys["all"]),
        await h.earn(user, 10, "order-7", key=h.keys["all"], reason="other"),
        await h.earn(user + 1, 10, "order-7", key=h.keys["all"]),
        await h.spend(user, 10, "order-7", key=h.keys["all"]),
    ):
        assert answer.status == 409
        assert answer.problem["type"] == TYPE + "reference-taken"
        assert "Idempotency-Key" in answer.problem["detail"]
    assert h.state() == state


async def test_idempotency_keys_belong_to_their_api_key(h: ApiHarness) -> None:
    user = 510_000_000_000_000_013
    first = await h.earn(user, 5, "shared-1", key=h.keys["all"])
    second = await h.earn(user, 5, "shared-1", key=h.keys["earn"])
    assert first.status == second.status == 200
    assert second.body["transaction_id"] != first.body["transaction_id"]


async def test_a_long_idempotency_key_is_kept_by_its_digest(h: ApiHarness) -> None:
    user = 510_000_000_000_000_014
    token = "k" * inputs.IDEMPOTENCY_KEY_MAX
    first = await h.earn(user, 5, token, key=h.keys["all"])
    again = await h.earn(user, 5, token, key=h.keys["all"])
    other = await h.earn(user, 5, token[:-1] + "j", key=h.keys["all"])
    assert first.status == again.status == other.status == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert other.body["transaction_id"] != first.body["transaction_id"]


async def test_a_spend_beyond_the_balance_is_a_422_naming_balance_and_need(h: ApiHarness) -> None:
    user = 510_000_000_000_000_015
    await h.earn(user, 75, "fund-15", key=h.keys["all"])
    state = h.state()
    answer = await h.spend(user, 500, "spend-15", key=h.keys["all"])
    assert answer.status == 422
    problem = answer.problem
    assert problem["type"] == TYPE + "insufficient-funds"
    assert (problem["balance"], problem["needed"]) == (100, 500)
    assert "X-RateLimit-Remaining" in answer.headers
    assert h.state()[:2] == state[:2]  # balances and ledger as they were
    spent = await h.spend(user, 100, "spend-15b", key=h.keys["all"])
    assert spent.status == 200 and spent.body["balance"] == 0


async def test_history_pages_with_a_cursor_never_repeat_or_skip(h: ApiHarness) -> None:
    user = 510_000_000_000_000_016
    for n in range(7):
        await h.earn(user, n + 1, f"hist-{n}", key=h.keys["all"])
    seen: list[int] = []
    path = member_path(user, "/history?limit=3")
    pages = 0
    while True:
        answer = await h.call("GET", path, key=h.keys["read"])
        pages += 1
        entries = answer.body["entries"]
        seen += [e["transaction_id"] for e in entries]
        if pages == 1:  # a row added meanwhile does not shift the next pages
            await h.earn(user, 50, "hist-late", key=h.keys["all"])
        cursor = answer.body["next_cursor"]
        if cursor is None:
            break
        path = member_path(user, f"/history?limit=3&cursor={cursor}")
    assert pages == 3
    assert seen == sorted(seen, reverse=True) and len(seen) == len(set(seen)) == 8  # + start
    entries = (await h.app.points.history(GUILD, user, 1, 25)).entries
    assert seen == [e.id for e in entries if e.delta != 50]  # every row but the late one


async def test_a_cursor_not_given_by_the_api_is_refused_naming_it(h: ApiHarness) -> None:
    answer = await h.call("GET", member_path(RICH, "/history?cursor=bm9wZQ"), key=h.keys["read"])
    assert answer.status == 400
    assert answer.problem["errors"] == [{"detail": answer.problem["detail"], "parameter": "cursor"}]


async def test_the_leaderboard_ranks_by_points_and_other_boards_are_empty_without_features(
    h: ApiHarness,
) -> None:
    answer = await h.call("GET", f"/v1/guilds/{GUILD}/leaderboard?limit=2", key=h.keys["read"])
    body = answer.body
    assert body["board"] == "points" and body["per_page"] == 2 and body["page"] == 1
    assert body["rows"][0] == {"rank": 1, "user_id": str(RICH), "value": body["rows"][0]["value"],
                               "level": None}  # fmt: skip
    values = [r["value"] for r in body["rows"]]
    assert values == sorted(values, reverse=True)
    assert body["total"] == await h.app.reader.scalar(
        "SELECT COUNT(*) FROM accounts WHERE guild_id = ?", (GUILD,)
    )
    for board in ("levels", "vouches"):
        empty = await h.call(
            "GET", f"/v1/guilds/{GUILD}/leaderboard?board={board}", key=h.keys["read"]
        )
        assert (empty.body["total"], empty.body["rows"], empty.body["pages"]) == (0, [], 1)


async def test_the_audit_needs_the_admin_scope_and_finds_a_corrupted_balance(
    h: ApiHarness,
) -> None:
    denied = await h.call("GET", f"/v1/guilds/{GUILD}/audit", key=h.keys["read"])
    assert denied.status == 403 and denied.problem["type"] == TYPE + "missing-scope"
    clean = await h.call("GET", f"/v1/guilds/{GUILD}/audit", key=h.keys["all"])
    assert clean.body["clean"] is True and clean.body["discrepancies"] == []
    user = 510_000_000_000_000_017
    await h.earn(user, 10, "audit-17", key=h.keys["all"])
    conn = sqlite3.connect(h.app.config.db_path)  # damage made outside Vouchy
    conn.execute(
        "UPDATE accounts SET balance = balance + 7 WHERE guild_id = ? AND user_id = ?",
        (GUILD, user),
    )
    conn.commit()
    conn.close()
    try:
        found = await h.call("GET", member_path(user, "/audit"), key=h.keys["all"])
        assert found.body["clean"] is False and found.body["user_id"] == str(user)
        assert found.body["discrepancies"] == [
            {"check": "ledger", "user_id": str(user), "problem": "balance_mismatch",
             "stored": 42, "expected": 35}
        ]  # fmt: skip
    finally:
        await h.app.repair(GUILD, user)
    again = await h.call("GET", member_path(user, "/audit"), key=h.keys["all"])
    assert again.body["clean"] is True


async def test_no_key_is_a_401_with_the_bearer_challenge_and_changes_nothing(
    h: ApiHarness,
) -> None:
    state = h.state()
    for key in (None, "vk_nope", h.keys["all"][:-1] + "a"):
        answer = await h.earn(MEMBER, 5, "no-key", key=key)  # type: ignore[arg-type]
        assert answer.status == 401
        assert answer.problem["type"] == TYPE + "unauthenticated"
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")
        assert "X-RateLimit-Limit" not in answer.headers
    assert h.state() == state


async def test_a_revoked_key_is_a_401_saying_so(h: ApiHarness) -> None:
    state = h.state()
    answer = await h.earn(MEMBER, 5, "revoked-1", key=h.keys["revoked"])
    assert answer.status == 401 and answer.problem["type"] == TYPE + "key-revoked"
    assert h.state() == state


async def test_another_guilds_key_is_a_403(h: ApiHarness) -> None:
    state = h.state()
    for answer in (
        await h.earn(MEMBER, 5, "other-1", key=h.keys["other"]),
        await h.call("GET", member_path(RICH), key=h.keys["other"]),
    ):
        assert answer.status == 403 and answer.problem["type"] == TYPE + "wrong-guild"
    assert h.state() == state


async def test_a_key_without_the_scope_is_a_403_naming_it(h: ApiHarness) -> None:
    state = h.state()
    answer = await h.spend(RICH, 5, "scope-1", key=h.keys["earn"])
    assert answer.status == 403 and answer.problem["type"] == TYPE + "missing-scope"
    assert "`spend`" in answer.problem["detail"]
    assert h.state() == state


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"points": 0}, "#/points"),
        ({"points": 10_001}, "#/points"),
        ({"points": "5"}, "#/points"),
        ({"points": 5, "orderId": "1"}, "#/orderId"),
        ({"reason": "x"}, "#/points"),
        ({"points": 5, "reason": "r" * 201}, "#/reason"),
        ({"points": 5, "amount": -1}, "#/amount"),
        ([5], "#"),
    ],
)
async def test_a_bad_body_is_a_400_pointing_at_the_field_and_changes_nothing(
    h: ApiHarness, body: object, pointer: str
) -> None:
    state = h.state()
    answer = await h.call(
        "POST", member_path(MEMBER, "/earn"), key=h.keys["all"], json_body=body,
        headers={"Idempotency-Key": f"bad-{pointer}"},
    )  # fmt: skip
    assert answer.status == 400, answer.body
    [error] = answer.problem["errors"]
    assert error["pointer"] == pointer
    assert h.state() == state


async def test_bodies_that_are_not_json_too_large_or_without_idempotency_key_are_refused(
    h: ApiHarness,
) -> None:
    state = h.state()
    path = member_path(MEMBER, "/earn")
    key = h.keys["all"]
    cases = [
        ({"Idempotency-Key": "k1", "Content-Type": "application/json"}, b"{not json", 400),
        ({"Idempotency-Key": "k2", "Content-Type": "text/plain"}, b'{"points": 1}', 415),
        ({"Idempotency-Key": "k3", "Content-Type": "application/json"}, b" " * 20_000, 413),
        ({"Content-Type": "application/json"}, b'{"points": 1}', 400),
        ({"Idempotency-Key": "é", "Content-Type": "application/json"}, b'{"points": 1}', 400),
    ]
    for headers, data, status in cases:
        answer = await h.call("POST", path, key=key, data=data, headers=headers)
        assert answer.status == status, (headers, answer.body)
    missing = await h.call("POST", path, key=key, data=b'{"points": 1}',
                           headers={"Content-Type": "application/json"})  # fmt: skip
    assert missing.problem["errors"][0]["header"] == "Idempotency-Key"
    assert h.state() == state


async def test_bad_path_and_query_parameters_are_400s_naming_them(h: ApiHarness) -> None:
    key = h.keys["all"]
    for path, name in (
        (f"/v1/guilds/{GUILD}/members/abc", "user_id"),
        (f"/v1/guilds/{GUILD}/leaderboard?board=xp", "board"),
        (f"/v1/guilds/{GUILD}/leaderboard?limit=0", "limit"),
        (f"/v1/guilds/{GUILD}/leaderboard?sort=asc", "sort"),
    ):
        answer = await h.call("GET", path, key=key)
        assert answer.status == 400, path
        assert answer.problem["errors"][0]["parameter"] == name


async def test_too_many_requests_is_a_429_with_retry_after_and_the_rate_headers(
    h: ApiHarness,
) -> None:
    now = [1_000.0]
    limiter = RateLimiter(1, 1.0, burst=2, clock=lambda: now[0])
    async with WebServer(h.app, host="127.0.0.1", port=0, limiter=limiter) as server:
        key = h.keys["all"]
        first = await h.call("GET", member_path(RICH), key=key, server=server)
        assert first.status == 200
        assert (first.headers["X-RateLimit-Limit"], first.headers["X-RateLimit-Remaining"]) == (
            "2",
            "1",
        )
        await h.call("GET", member_path(RICH), key=key, server=server)
        state = h.state()
        refused = await h.earn_on(server, RICH, 5, "limited-1", key=key)
        assert refused.status == 429
        assert refused.problem["type"] == TYPE + "rate-limited"
        assert refused.headers["Retry-After"] == "1"
        assert refused.headers["X-RateLimit-Remaining"] == "0"
        assert h.state() == state
        other = await h.call("GET", member_path(RICH), key=h.keys["read"], server=server)
        assert other.status == 200  # a limit per key
        now[0] += 1.0  # waiting what Retry-After said is enough
        again = await h.earn_on(server, RICH, 5, "limited-1", key=key)
        assert again.status == 200 and again.headers["Idempotent-Replayed"] == "false"


async def test_redeeming_a_reward_without_the_rewards_feature_is_a_501_after_every_check(
    h: ApiHarness,
) -> None:
    path = member_path(RICH, "/rewards/gift-card/redeem")
    installed, h.api.rewards = h.api.rewards, None  # a Vouchy without the shop feature
    try:
        await redeem_without_rewards(h, path)
    finally:
        h.api.rewards = installed


async def redeem_without_rewards(h: ApiHarness, path: str) -> None:
    state = h.state()
    no_key = await h.call("POST", path, key=h.keys["read"], headers={"Idempotency-Key": "r"})
    assert no_key.status == 403  # spend scope first
    missing = await h.call("POST", path, key=h.keys["all"])
    assert missing.status == 400  # then the Idempotency-Key
    answer = await h.call("POST", path, key=h.keys["all"], headers={"Idempotency-Key": "r"})
    assert answer.status == 501 and answer.problem["type"] == TYPE + "not-implemented"
    assert "rewards" in answer.problem["detail"]
    assert h.state() == state


async def test_unknown_routes_and_methods_are_problem_documents(h: ApiHarness) -> None:
    async with h.session.get(h.server.url + "/v1/nothing") as response:
        assert response.status == 404
        assert response.headers["Content-Type"] == "application/problem+json"
        assert (await response.json(content_type=None))["type"] == TYPE + "not-found"
    async with h.session.delete(h.server.url + member_path(RICH)) as response:
        assert response.status == 405
        assert (await response.json(content_type=None))["type"] == "about:blank"
        assert "GET" in response.headers["Allow"]


async def test_problems_speak_the_clients_language(h: ApiHarness) -> None:
    answer = await h.call(
        "GET", f"/v1/guilds/{GUILD}/audit", key=h.keys["read"], headers={"Accept-Language": "fr"}
    )
    assert answer.problem["title"] == "Permission manquante"
    assert "n'a pas la permission" in answer.problem["detail"]


async def test_concurrent_earns_and_spends_on_one_member_never_go_below_zero(
    h: ApiHarness,
) -> None:
    user = 510_000_000_000_000_099
    await h.earn(user, 75, "conc-seed", key=h.keys["all"])  # 100 with the starting balance

    async def one(n: int) -> tuple[str, int, int]:
        if n % 2:
            answer = await h.spend(user, 7, f"conc-{n}", key=h.keys["all"])
            return "spend", answer.status, 7
        answer = await h.earn(user, 5, f"conc-{n}", key=h.keys["all"])
        return "earn", answer.status, 5

    results = await asyncio.gather(*(one(n) for n in range(120)))
    # 60 earns of 5 and 60 spends of 7 from 100: some spends must be refused.
    assert {status for _, status, _ in results} == {200, 422}
    expected = 100 + sum(
        (p if kind == "earn" else -p) for kind, status, p in results if status == 200
    )
    account = await h.app.points.account(GUILD, user)
    assert account.balance == expected >= 0
    rows = await h.app.reader.rows(
        "SELECT balance_after FROM ledger WHERE guild_id = ? AND user_id = ?", (GUILD, user)
    )
    assert min(r[0] for r in rows) >= 0
    assert len(rows) == 2 + sum(1 for _, status, _ in results if status == 200)  # start, seed
    assert (await h.app.audit(GUILD)).clean
    # Every 200 was one ledger row: replaying all of them changes nothing.
    state = h.state()
    again = await asyncio.gather(*(one(n) for n in range(120)))
    assert [s for _, s, _ in again] == [s for _, s, _ in results]
    assert h.state() == state


async def test_the_contract_check_refuses_an_answer_the_document_does_not_describe() -> None:
    # ``call`` validates each answer with it; it must be able to say no.
    with pytest.raises(ContractError):
        validate_response(DOC, "get", openapi.OPENAPI_PATH, 418, b"{}")


class Redeemed(msgspec.Struct, frozen=True, kw_only=True):
    """What the shop's service answers a redemption with (its fields the API reads)."""

    code: str
    reward: str
    name: str
    cost: int
    created_at: int
    expires_at: int
    balance: int | None
    ledger_id: int
    duplicate: bool = False


class Rewards:
    """A stand-in for the shop's rewards, through the interface the API redeems with."""

    def __init__(self) -> None:
        self.seen: dict[str, tuple[str, Redeemed]] = {}

    async def redeem(
        self, guild_id: int, user_id: int, reward_id: str, reference: str, fingerprint: str = ""
    ) -> Redeemed:
        if reward_id == "gone":
            raise errors.InvalidInput("shop.unknown_reward", reward=reward_id)
        if reference in self.seen:
            first_fingerprint, first = self.seen[reference]
            if first_fingerprint != fingerprint:
                raise errors.ReferenceTaken()
            return msgspec.structs.replace(first, duplicate=True)
        free = reward_id == "sticker"
        done = Redeemed(
            code="GIFT-1234", reward=reward_id, name=reward_id.title(), cost=0 if free else 500,
            created_at=1_800_000_000_000, expires_at=1_900_000_000_000,
            balance=None if free else 4_500, ledger_id=0 if free else 99,
        )  # fmt: skip
        self.seen[reference] = (fingerprint, done)
        return done


async def test_redeeming_answers_the_rewards_redemption_once_per_idempotency_key(
    h: ApiHarness,
) -> None:
    assert isinstance(Rewards(), RewardRedeemer)
    installed, h.api.rewards = h.api.rewards, Rewards()
    try:
        path = member_path(RICH, "/rewards/gift-card/redeem")
        key = h.keys["all"]
        first = await h.call("POST", path, key=key, headers={"Idempotency-Key": "gift-1"})
        assert first.status == 200
        assert (first.body["code"], first.body["points_spent"], first.body["balance"]) == (
            "GIFT-1234",
            500,
            4_500,
        )
        assert first.body["expires_at"] == "2030-03-17T17:46:40Z"
        again = await h.call("POST", path, key=key, headers={"Idempotency-Key": "gift-1"})
        assert again.raw == first.raw and again.headers["Idempotent-Replayed"] == "true"
        other = member_path(RICH, "/rewards/mug/redeem")
        taken = await h.call("POST", other, key=key, headers={"Idempotency-Key": "gift-1"})
        assert taken.status == 409
        gone = member_path(RICH, "/rewards/gone/redeem")
        missing = await h.call("POST", gone, key=key, headers={"Idempotency-Key": "gift-2"})
        assert missing.status == 404 and "`gone`" in missing.problem["detail"]
        free = member_path(RICH, "/rewards/sticker/redeem")
        sticker = await h.call("POST", free, key=key, headers={"Idempotency-Key": "gift-3"})
        balance = (await h.app.points.account(GUILD, RICH)).balance
        assert (sticker.body["transaction_id"], sticker.body["balance"]) == (None, balance)
    finally:
        h.api.rewards = installed

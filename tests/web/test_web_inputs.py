"""Request inputs: bodies, parameters and headers become typed values, or a refusal that
names the field at fault."""

from __future__ import annotations

import pytest

from vouchy.web import inputs, problems
from vouchy.web.problems import BodyTooLarge, InvalidField, UnsupportedMediaType
from vouchy.web.schemas import MoveRequest

JSON = "application/json"


def move(raw: bytes, content_type: str | None = JSON, max_points: int = 10_000) -> MoveRequest:
    return inputs.decode_move(raw, content_type=content_type, max_points=max_points)


def refusal(raw: bytes, **kw: object) -> tuple[str | None, str]:
    with pytest.raises(InvalidField) as refused:
        move(raw, **kw)  # type: ignore[arg-type]
    problem = problems.from_error(refused.value)
    assert problem.status == 400
    (error,) = problem.errors
    return error.pointer, error.detail


def test_a_full_body_decodes() -> None:
    request = move(b'{"points": 100, "reason": "Order 1042", "order_id": "1042", "amount": 25.99}')
    assert request == MoveRequest(points=100, reason="Order 1042", order_id="1042", amount=25.99)


def test_only_points_is_required() -> None:
    assert move(b'{"points": 1}') == MoveRequest(points=1)


def test_missing_points_names_the_field() -> None:
    assert refusal(b'{"reason": "x"}') == ("#/points", "`points` is required.")


@pytest.mark.parametrize("points", [b"0", b"-5", b"1.5", b'"100"', b"true", b"null"])
def test_points_that_are_not_a_whole_number_from_1_are_refused_at_points(points: bytes) -> None:
    assert refusal(b'{"points": ' + points + b"}") == (
        "#/points",
        "`points` must be a whole number from 1 to 10,000.",
    )


def test_points_above_the_configured_maximum_are_refused() -> None:
    assert move(b'{"points": 500}', max_points=500).points == 500
    assert refusal(b'{"points": 501}', max_points=500) == (
        "#/points",
        "`points` must be a whole number from 1 to 500.",
    )


def test_a_misspelt_field_is_refused_instead_of_dropped() -> None:
    assert refusal(b'{"points": 5, "orderId": 7}') == (
        "#/orderId",
        "`orderId` is not a field of this request.",
    )


def test_a_long_reason_is_refused_at_reason() -> None:
    body = b'{"points": 5, "reason": "' + b"x" * 201 + b'"}'
    assert refusal(body) == ("#/reason", "`reason` must be text of at most 200 characters.")


@pytest.mark.parametrize("order_id", [b'""', b"1042", b'"' + b"9" * 101 + b'"'])
def test_an_order_id_must_be_text_of_1_to_100_characters(order_id: bytes) -> None:
    pointer, _ = refusal(b'{"points": 5, "order_id": ' + order_id + b"}")
    assert pointer == "#/order_id"


def test_a_negative_amount_is_refused_at_amount() -> None:
    assert refusal(b'{"points": 5, "amount": -1}')[0] == "#/amount"


@pytest.mark.parametrize("raw", [b"", b"{", b"[1]", b'"points"', b"\xff\xfe"])
def test_a_body_that_is_not_a_json_object_is_refused_as_a_whole(raw: bytes) -> None:
    assert refusal(raw) == ("#", "The body must be a JSON object.")


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_a_body_sent_as_something_else_than_json_is_415(content_type: str | None) -> None:
    with pytest.raises(UnsupportedMediaType) as refused:
        move(b'{"points": 5}', content_type=content_type)
    assert problems.from_error(refused.value).status == 415


@pytest.mark.parametrize(
    "content_type", ["application/json; charset=utf-8", "APPLICATION/JSON", "application/x+json"]
)
def test_json_media_types_are_accepted(content_type: str) -> None:
    assert move(b'{"points": 5}', content_type=content_type).points == 5


def test_a_body_over_16_kib_is_413() -> None:
    with pytest.raises(BodyTooLarge):
        move(b'{"points": 5, "reason": "' + b" " * 17_000 + b'"}')


def test_the_idempotency_key_is_required_and_named_as_a_header() -> None:
    for value in (None, "", "   "):
        with pytest.raises(InvalidField) as refused:
            inputs.idempotency_key(value)
        assert refused.value.where == problems.header("Idempotency-Key")
        assert refused.value.key == "web.idempotency_key_missing"


def test_a_quoted_and_a_bare_idempotency_key_are_the_same_key() -> None:
    assert inputs.idempotency_key('"order-1042"') == inputs.idempotency_key("order-1042")


@pytest.mark.parametrize("value", ['""', "with space", "caf\u00e9", "x" * 256])
def test_an_idempotency_key_must_be_1_to_255_visible_ascii_characters(value: str) -> None:
    with pytest.raises(InvalidField) as refused:
        inputs.idempotency_key(value)
    assert refused.value.key == "web.idempotency_key_invalid"


def test_the_reference_is_scoped_to_the_api_key() -> None:
    assert inputs.reference("0123456789ab", "order-1") == "api:0123456789ab:order-1"
    assert inputs.reference("0123456789ab", "order-1") != inputs.reference(
        "ba9876543210", "order-1"
    )


def test_a_retry_has_the_same_fingerprint_and_any_other_request_another() -> None:
    path = "/v1/guilds/1/members/2/earn"
    first = inputs.fingerprint("POST", path, move(b'{"points": 5}'))
    assert first == inputs.fingerprint("post", path, move(b'{"reason": "", "points": 5}'))
    others = {
        inputs.fingerprint("POST", path, move(b'{"points": 6}')),
        inputs.fingerprint("POST", path, move(b'{"points": 5, "reason": "gift"}')),
        inputs.fingerprint("POST", "/v1/guilds/1/members/3/earn", move(b'{"points": 5}')),
        inputs.fingerprint("POST", path.replace("earn", "spend"), move(b'{"points": 5}')),
        inputs.fingerprint("POST", path),
    }
    assert first not in others and len(others) == 5


def test_a_discord_id_in_the_path_is_digits_without_a_leading_zero() -> None:
    assert inputs.discord_id("310475023846981632", "user_id") == 310475023846981632
    for bad in ("0", "012", "abc", "-1", "1e5", str(2**63), ""):
        with pytest.raises(InvalidField) as refused:
            inputs.discord_id(bad, "user_id")
        assert refused.value.where == problems.parameter("user_id")


def test_reward_ids_are_short_slugs() -> None:
    assert inputs.reward_id("free-delivery_2") == "free-delivery_2"
    with pytest.raises(InvalidField):
        inputs.reward_id("../etc")


def test_history_defaults_to_the_newest_25() -> None:
    assert inputs.history_query({}) == inputs.HistoryQuery(before_id=None, limit=25)


def test_a_history_cursor_round_trips_and_a_forged_one_is_refused() -> None:
    cursor = inputs.encode_cursor(98765)
    assert inputs.history_query({"cursor": cursor, "limit": "10"}).before_id == 98765
    for forged in ("nope", "aDE6eHl6", "%%%", inputs.encode_cursor(1) + "A"):
        with pytest.raises(InvalidField) as refused:
            inputs.history_query({"cursor": forged})
        assert refused.value.where == problems.parameter("cursor")


@pytest.mark.parametrize("limit", ["0", "101", "-1", "ten", "1.5", " 5", ""])
def test_a_limit_outside_1_to_100_is_refused(limit: str) -> None:
    with pytest.raises(InvalidField) as refused:
        inputs.history_query({"limit": limit})
    assert refused.value.message == "`limit` must be a whole number from 1 to 100."


def test_an_unknown_query_parameter_is_refused_rather_than_ignored() -> None:
    with pytest.raises(InvalidField) as refused:
        inputs.leaderboard_query({"bord": "levels"})
    assert refused.value.where == problems.parameter("bord")


def test_the_leaderboard_defaults_to_points_page_one() -> None:
    assert inputs.leaderboard_query({}) == inputs.LeaderboardQuery(board="points", page=1, limit=25)
    assert inputs.leaderboard_query({"board": "vouches", "page": "3"}).board == "vouches"


def test_an_unknown_board_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(InvalidField) as refused:
        inputs.leaderboard_query({"board": "coins"})
    assert refused.value.message == "`board` must be one of points, levels, vouches."


@pytest.mark.parametrize(
    ("header", "fallback", "expected"),
    [
        ("fr-CH, fr;q=0.9, en;q=0.8, *;q=0.5", None, "fr"),
        ("de-DE, en;q=0.5, fr;q=0.7", None, "fr"),
        ("en;q=0, fr", None, "fr"),
        ("de", "fr", "fr"),
        ("de", None, "en"),
        (None, "fr-FR", "fr"),
        ("en-US,en;q=0.9", "fr", "en"),
        ("fr;q=bad, en", None, "en"),
    ],
)
def test_the_language_is_the_clients_first_one_vouchy_speaks(
    header: str | None, fallback: str | None, expected: str
) -> None:
    assert inputs.pick_locale(header, fallback) == expected

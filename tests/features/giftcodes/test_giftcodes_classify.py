"""Every answer of the publisher's table, and every transport failure, gets its class."""

from __future__ import annotations

import email.utils

import msgspec
import pytest

from vouchy.features.giftcodes import rules

NOW = 1_750_000_000_000

# The notes' table, written out again here so that a change to rules.TABLE is caught.
NOTES_TABLE = [
    ("SUCCESS", 20000, "success", "success"),
    ("RECEIVED", 40008, "already", "received"),
    ("SAME TYPE EXCHANGE", 40011, "already", "same_type"),
    ("TIME ERROR", 40007, "code_permanent", "expired"),
    ("CDK NOT FOUND", 40014, "code_permanent", "invalid_code"),
    ("USED", 40005, "claim_limit", "claim_limit"),
    ("STOVE_LV ERROR", 40006, "player_permanent", "level_too_low"),
    ("RECHARGE_MONEY ERROR", 40017, "player_permanent", "spending_required"),
    ("RECHARGE_MONEY_VIP ERROR", 40018, "player_permanent", "vip_required"),
    ("role not exist", 40001, "player_permanent", "no_such_player"),
    ("USER INFO ERROR", 40020, "refresh_player", "player_moved"),
    ("TIMEOUT RETRY", 40004, "temporary", "timeout_retry"),
    ("TOO FREQUENT", 40019, "temporary", "too_frequent"),
    ("NOT LOGIN", 40002, "temporary", "not_login"),
    ("sign error", 40000, "config_error", "sign_error"),
]


@pytest.mark.parametrize(("msg", "err_code", "kind", "reason"), NOTES_TABLE)
def test_every_row_of_the_notes_is_classified_by_its_code_and_by_its_words(
    msg: str, err_code: int, kind: str, reason: str
) -> None:
    assert rules.classify(msg, err_code) == (kind, reason)
    assert rules.classify(msg + ".", None) == (kind, reason)  # the API often ends with a dot
    assert rules.classify("", str(err_code)) == (kind, reason)  # err_code as a string


@pytest.mark.parametrize("err_code", [40100, 40101, 40102, 40103])
def test_captcha_answers_are_temporary(err_code: int) -> None:
    assert rules.classify("CAPTCHA CHECK ERROR.", err_code) == ("temporary", "captcha")
    assert rules.classify("", err_code) == ("temporary", "captcha")
    assert rules.classify("CAPTCHA GET TOO FREQUENT.", None) == ("temporary", "captcha")


def test_vip_and_level_errors_are_never_unknown() -> None:
    # The seed's bot retried RECHARGE_MONEY_VIP forever because it did not know it.
    assert rules.classify("RECHARGE_MONEY_VIP", None) == ("player_permanent", "vip_required")
    assert rules.classify("RECHARGE_MONEY_VIP ERROR.", "")[0] == "player_permanent"
    assert rules.classify("STOVE_LV ERROR.", "")[0] == "player_permanent"


def test_an_answer_nobody_catalogued_is_unknown() -> None:
    assert rules.classify("SOMETHING NEW.", 49999) == ("unknown", "unknown")
    assert rules.classify("", None) == ("unknown", "unknown")


def test_the_error_code_wins_over_the_words() -> None:
    assert rules.classify("SUCCESS", 40008) == ("already", "received")


def http(
    status: int = 200,
    body: bytes = b"",
    *,
    ctype: str = "application/json",
    retry_after: str | None = None,
    player_fid: int | None = None,
) -> rules.Answer:
    return rules.classify_http(status, ctype, body, retry_after, NOW, player_fid=player_fid)[0]


def reply(msg: str, err_code: object, code: int = 1, data: object = None) -> bytes:
    return msgspec.json.encode({"code": code, "msg": msg, "err_code": err_code, "data": data})


def test_a_publisher_answer_over_http_is_classified_by_the_table() -> None:
    answer = http(body=reply("RECEIVED.", 40008))
    assert (answer.kind, answer.reason, answer.err_code, answer.msg) == (
        "already",
        "received",
        40008,
        "RECEIVED.",
    )
    assert answer.http_status == 200


def test_http_429_is_temporary_and_keeps_its_retry_after_in_seconds() -> None:
    answer = http(429, b"slow down", ctype="text/plain", retry_after="7")
    assert (answer.kind, answer.reason, answer.retry_after_ms) == (
        "temporary",
        "rate_limited",
        7000,
    )


def test_retry_after_as_an_http_date_is_read_relative_to_now() -> None:
    when = email.utils.formatdate((NOW + 30_000) / 1000, usegmt=True)
    assert http(503, b"", retry_after=when).retry_after_ms == 30_000


def test_a_retry_after_that_cannot_be_read_is_ignored() -> None:
    assert http(429, b"", retry_after="soon").retry_after_ms is None
    assert http(429, b"", retry_after="").retry_after_ms is None


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_temporary(status: int) -> None:
    answer = http(status, b"oops", ctype="text/plain")
    assert (answer.kind, answer.reason, answer.http_status) == ("temporary", "server_error", status)


def test_an_html_page_is_temporary_even_with_status_200() -> None:
    page = b"<!DOCTYPE html><html><body>Maintenance</body></html>"
    assert http(200, page, ctype="text/html").reason == "html_page"
    assert http(200, page, ctype="application/json").reason == "html_page"
    assert http(200, page).kind == "temporary"


def test_garbage_and_odd_statuses_are_unknown() -> None:
    assert (http(200, b"\x00\x9f{not json").kind, http(200, b"\x00").reason) == (
        "unknown",
        "garbage",
    )
    assert http(200, b"[1, 2, 3]").reason == "garbage"
    assert http(200, b'{"unrelated": true}').reason == "garbage"
    assert (http(404, b"nope", ctype="text/plain").kind, http(404, b"x").reason) == (
        "unknown",
        "http_status",
    )


def test_a_player_lookup_gives_the_players_name_state_and_level() -> None:
    data = {"fid": 123, "nickname": "Ana", "kid": 245, "stove_lv": 27, "avatar_image": "x"}
    answer = http(body=reply("success", "", code=0, data=data), player_fid=123)
    assert answer.kind == "success"
    assert answer.player == rules.PlayerInfo(fid=123, nickname="Ana", kid=245, furnace_level=27)


def test_a_lookup_success_without_player_data_is_garbage() -> None:
    answer = http(body=reply("success", "", code=0, data=[]), player_fid=123)
    assert (answer.kind, answer.reason) == ("unknown", "garbage")


def test_an_unknown_player_is_permanent_for_that_player() -> None:
    answer = http(body=reply("role not exist.", 40001), player_fid=5)
    assert (answer.kind, answer.reason) == ("player_permanent", "no_such_player")


def test_every_reason_has_a_known_class() -> None:
    for row in rules.TABLE:
        assert row.reason in rules.REASONS
    for reason, kind in rules.TRANSPORT_REASONS.items():
        assert rules.transport_answer(reason).kind == kind

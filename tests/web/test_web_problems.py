"""RFC 9457 problem documents: a stable type and status per error code, the field at fault,
localised details, and the headers each refusal needs."""

from __future__ import annotations

import json

import pytest

from vouchy.core import errors, i18n
from vouchy.features.api.keys import KeyRevoked, MissingScope, Unauthenticated, WrongGuild
from vouchy.web import problems
from vouchy.web.ratelimit import Decision, RateLimited

TYPE = "https://vouchy.dev/problems/"


class VouchCooldown(errors.Refused):
    """A feature's own refusal, unknown to the web layer."""

    code = "vouch_cooldown"


@pytest.mark.parametrize(
    ("error", "status", "slug"),
    [
        (errors.InvalidInput("bad"), 400, "invalid-input"),
        (errors.InvalidAmount("bad"), 400, "invalid-amount"),
        (problems.InvalidField(problems.body("points"), "web.field.points", maximum=5), 400,
         "invalid-input"),
        (Unauthenticated(), 401, "unauthenticated"),
        (KeyRevoked(), 401, "key-revoked"),
        (MissingScope("spend"), 403, "missing-scope"),
        (WrongGuild(), 403, "wrong-guild"),
        (problems.NotFound(), 404, "not-found"),
        (errors.ReferenceTaken(), 409, "reference-taken"),
        (problems.IdempotencyKeyReused(), 409, "reference-taken"),
        (problems.BodyTooLarge(16384), 413, "body-too-large"),
        (problems.UnsupportedMediaType(), 415, "unsupported-media-type"),
        (errors.InsufficientFunds(balance=3, needed=5), 422, "insufficient-funds"),
        (errors.CooldownActive("daily", 60), 422, "cooldown"),
        (errors.Refused("no"), 422, "refused"),
        (RateLimited(Decision(allowed=False, limit=1, remaining=0, reset_s=1, retry_after_s=1)),
         429, "rate-limited"),
        (problems.InternalError("abcd1234"), 500, "internal"),
        (errors.Busy(), 503, "busy"),
        (errors.StorageUnavailable(), 503, "storage-unavailable"),
        (errors.StorageUnavailable("error.storage_uncertain"), 503, "storage-unavailable"),
    ],
)  # fmt: skip
def test_each_error_gets_its_status_and_a_stable_absolute_type(
    error: errors.VouchyError, status: int, slug: str
) -> None:
    problem = problems.from_error(error)
    assert (problem.status, problem.type) == (status, TYPE + slug)
    assert problem.code == error.code
    assert problem.detail == error.message


def test_a_features_own_refusal_gets_its_own_type_with_the_status_of_refused() -> None:
    problem = problems.from_error(VouchCooldown("vouch.cooldown"))
    assert problem.type == TYPE + "vouch-cooldown"
    assert problem.status == 422
    assert problem.title == "Refused"


def test_the_title_is_fixed_per_type_and_the_detail_is_the_occurrences_own() -> None:
    small = problems.from_error(errors.InsufficientFunds(balance=1, needed=5))
    large = problems.from_error(errors.InsufficientFunds(balance=100, needed=5000))
    assert small.title == large.title == "Insufficient funds"
    assert small.detail != large.detail
    assert (large.balance, large.needed) == (100, 5000)
    assert large.detail == "You need 5,000 points but have 100."


def test_title_and_detail_speak_french_when_asked() -> None:
    problem = problems.from_error(errors.InsufficientFunds(balance=100, needed=5000), "fr")
    assert problem.title == "Solde insuffisant"
    assert problem.detail == "Il te faut 5\u202f000 points, tu n'en as que 100."


def test_every_status_code_has_a_title_in_both_languages() -> None:
    for code in problems.STATUSES:
        for locale in i18n.LOCALES:
            assert i18n.has(f"web.title.{code}"), code
            assert i18n.text(f"web.title.{code}", locale)


def test_the_field_at_fault_is_a_json_pointer_into_the_body() -> None:
    error = problems.InvalidField(problems.body("points"), "web.field.points", maximum=10_000)
    problem = problems.from_error(error)
    assert [(e.pointer, e.detail) for e in problem.errors] == [
        ("#/points", "`points` must be a whole number from 1 to 10,000.")
    ]


def test_a_core_error_can_be_placed_on_the_field_it_was_raised_for() -> None:
    error = errors.InvalidAmount("The amount must be at least 1 (you gave 0).")
    problem = problems.from_error(error, where=problems.body("points"))
    assert problem.errors[0].pointer == "#/points"


def test_parameters_and_headers_are_named_as_such() -> None:
    by_parameter = problems.from_error(
        problems.InvalidField(problems.parameter("limit"), "web.parameter.limit", maximum=100)
    )
    by_header = problems.from_error(
        problems.InvalidField(problems.header("Idempotency-Key"), "web.idempotency_key_missing")
    )
    encoded = [json.loads(problems.encode(p)) for p in (by_parameter, by_header)]
    assert encoded[0]["errors"][0].keys() == {"detail", "parameter"}
    assert encoded[1]["errors"][0] == {
        "detail": by_header.detail,
        "header": "Idempotency-Key",
    }


def test_pointers_escape_slashes_and_tildes() -> None:
    assert problems.pointer("a/b", "c~d", 0) == "#/a~1b/c~0d/0"


def test_an_unauthenticated_answer_carries_the_bearer_challenge() -> None:
    for error in (Unauthenticated("web.key_missing"), KeyRevoked()):
        assert problems.headers_of(error)["WWW-Authenticate"].startswith("Bearer")
    assert "WWW-Authenticate" not in problems.headers_of(MissingScope("read"))


def test_a_rate_limited_answer_carries_retry_after_and_the_limit_headers() -> None:
    decision = Decision(allowed=False, limit=60, remaining=0, reset_s=30.2, retry_after_s=0.4)
    headers = problems.headers_of(RateLimited(decision))
    assert headers["Retry-After"] == "1"
    assert headers["X-RateLimit-Limit"] == "60"
    assert headers["X-RateLimit-Remaining"] == "0"
    assert headers["X-RateLimit-Reset"] == "31"


def test_storage_trouble_asks_to_retry_later() -> None:
    assert problems.headers_of(errors.Busy())["Retry-After"] == "1"
    assert problems.headers_of(errors.StorageUnavailable())["Retry-After"] == "5"
    assert "Retry-After" not in problems.headers_of(errors.InsufficientFunds(1, 2))


def test_an_internal_error_names_a_reference_for_the_log() -> None:
    error = problems.InternalError()
    problem = problems.from_error(error)
    assert problem.reference == error.reference and len(error.reference) == 8
    assert error.reference in problem.detail


def test_the_aiohttp_answer_is_problem_json_with_the_status_and_extra_headers() -> None:
    response = problems.response(
        errors.InsufficientFunds(balance=1, needed=2),
        "en",
        instance="/v1/guilds/1/members/2/spend",
        headers={"X-RateLimit-Limit": "60"},
    )
    assert response.status == 422
    assert response.content_type == "application/problem+json"
    assert response.headers["X-RateLimit-Limit"] == "60"
    assert isinstance(response.body, bytes)
    body = json.loads(response.body)
    assert body["instance"] == "/v1/guilds/1/members/2/spend"
    assert "errors" not in body  # empty lists and nulls are left out


def test_a_bare_http_error_uses_about_blank_except_not_found() -> None:
    assert problems.for_status(405).type == "about:blank"
    assert problems.for_status(405).title == "Method Not Allowed"
    assert problems.for_status(404).type == TYPE + "not-found"

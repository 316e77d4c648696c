"""The /v1 OpenAPI document: valid OpenAPI 3.1, complete (every route, scope, header and
error), and ``validate_response`` accepts exactly the answers it describes."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import msgspec
import pytest
from openapi_spec_validator import validate as validate_spec

from vouchy.core import errors
from vouchy.features.api.keys import SCOPES, Unauthenticated
from vouchy.web import contract, openapi, problems, schemas
from vouchy.web.contract import ContractError, validate_response
from vouchy.web.ratelimit import Decision, RateLimited

DOC = openapi.document()
MEMBER = "/v1/guilds/{guild_id}/members/{user_id}"
NOW = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)
RATE = {"X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "59", "X-RateLimit-Reset": "1"}
POSTED = {**RATE, "Idempotency-Key": '"order-1042"', "Idempotent-Replayed": "false"}

ANSWERS: dict[str, msgspec.Struct] = {
    "getAccount": schemas.Account(
        guild_id="1", user_id="2", balance=150, lifetime_earned=200, lifetime_spent=50,
        xp=1200, level=4, vouches=3,
    ),
    "earnPoints": schemas.Move(
        transaction_id=456, guild_id="1", user_id="2", kind="earn", points=100, balance=150,
        reason="Order 1042", order_id="1042", amount=25.99, created_at=NOW,
    ),
    "spendPoints": schemas.Move(
        transaction_id=457, guild_id="1", user_id="2", kind="spend", points=50, balance=100,
        reason="", order_id=None, amount=None, created_at=NOW,
    ),
    "getHistory": schemas.History(
        guild_id="1", user_id="2", next_cursor="aDE6NDU2",
        entries=[schemas.HistoryEntry(
            transaction_id=456, kind="earn", delta=100, balance_after=150, reason="",
            created_at=NOW,
        )],
    ),
    "getLeaderboard": schemas.Leaderboard(
        guild_id="1", board="levels", page=1, pages=1, per_page=25, total=1,
        rows=[schemas.LeaderboardRow(rank=1, user_id="2", value=1200, level=4)],
    ),
    "auditGuild": schemas.Audit(
        guild_id="1", user_id=None, clean=False, accounts=2, ledger_rows=9, total_points=300,
        checked_at=NOW,
        discrepancies=[schemas.Discrepancy(
            check="ledger", user_id="2", problem="balance_mismatch", stored=150, expected=140,
        )],
    ),
    "auditMember": schemas.Audit(
        guild_id="1", user_id="2", clean=True, accounts=1, ledger_rows=4, total_points=150,
        discrepancies=[], checked_at=NOW,
    ),
    "redeemReward": schemas.Redemption(
        guild_id="1", user_id="2", reward_id="free-delivery", name="Free delivery",
        code="7K2M-Q9XA-PT3D", points_spent=50, balance=100, transaction_id=458,
        expires_at=schemas.timestamp(1_790_000_000_000), created_at=NOW,
    ),
}  # fmt: skip


def body_of(struct: msgspec.Struct) -> bytes:
    return msgspec.json.encode(struct)


def test_the_document_is_valid_openapi_3_1() -> None:
    assert DOC["openapi"] == "3.1.0"
    validate_spec(DOC)


def test_the_document_is_served_as_json_as_built() -> None:
    assert msgspec.json.decode(msgspec.json.encode(DOC)) == DOC


def test_every_operation_is_documented_with_its_scope() -> None:
    for op in openapi.OPERATIONS:
        described = DOC["paths"][op.path][op.method]
        assert described["operationId"] == op.operation_id
        assert described["x-vouchy-scope"] == op.scope
        assert op.scope in SCOPES
    assert {op.operation_id for op in openapi.OPERATIONS} == set(ANSWERS)


def test_reads_need_read_writes_need_their_scope_and_audits_need_admin() -> None:
    scopes = {op.operation_id: op.scope for op in openapi.OPERATIONS}
    assert scopes == {
        "getAccount": "read",
        "earnPoints": "earn",
        "spendPoints": "spend",
        "getHistory": "read",
        "getLeaderboard": "read",
        "auditGuild": "admin",
        "auditMember": "admin",
        "redeemReward": "spend",
    }


def test_the_document_needs_no_key_and_everything_else_a_bearer_key() -> None:
    assert DOC["security"] == [{"apiKey": []}]
    assert DOC["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    assert DOC["paths"]["/v1/openapi.json"]["get"]["security"] == []


def test_every_path_parameter_is_declared_and_every_declared_one_is_in_the_path() -> None:
    for path, item in DOC["paths"].items():
        in_template = set(re.findall(r"{(\w+)}", path))
        for method, operation in item.items():
            declared = {
                DOC["components"]["parameters"][p["$ref"].rsplit("/", 1)[1]]["name"]
                for p in operation.get("parameters", [])
            }
            path_params = {
                DOC["components"]["parameters"][p["$ref"].rsplit("/", 1)[1]]["name"]
                for p in operation.get("parameters", [])
                if DOC["components"]["parameters"][p["$ref"].rsplit("/", 1)[1]]["in"] == "path"
            }
            assert path_params == in_template, (method, path, declared)


def test_every_post_requires_an_idempotency_key_and_echoes_it() -> None:
    for op in openapi.OPERATIONS:
        described = DOC["paths"][op.path][op.method]
        refs = [p["$ref"] for p in described["parameters"]]
        has_key = "#/components/parameters/IdempotencyKey" in refs
        assert has_key == (op.method == "post"), op.operation_id
        echoed = described["responses"]["200"]["headers"]
        assert ("Idempotency-Key" in echoed) == (op.method == "post")
    assert DOC["components"]["parameters"]["IdempotencyKey"]["required"] is True


def test_every_error_answer_is_a_problem_document() -> None:
    for op in openapi.OPERATIONS:
        responses = DOC["paths"][op.path][op.method]["responses"]
        for status, response in responses.items():
            if status == "200":
                continue
            resolved = DOC["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
            assert list(resolved["content"]) == ["application/problem+json"]
            media = resolved["content"]["application/problem+json"]
            assert media["schema"] == {"$ref": "#/components/schemas/Problem"}
        assert {"400", "401", "403", "429", "500", "503"} <= set(responses)


def test_every_keyed_answer_documents_the_rate_limit_headers() -> None:
    for op in openapi.OPERATIONS:
        headers = DOC["paths"][op.path][op.method]["responses"]["200"]["headers"]
        assert set(RATE) <= set(headers)
    too_many = DOC["components"]["responses"]["TooManyRequests"]["headers"]
    assert {"Retry-After", *RATE} <= set(too_many)
    assert "WWW-Authenticate" in DOC["components"]["responses"]["Unauthorized"]["headers"]


def test_the_points_maximum_follows_the_config() -> None:
    schema = openapi.document(max_points=500)["components"]["schemas"]["MoveRequest"]
    assert schema["properties"]["points"]["maximum"] == 500
    assert schema["properties"]["points"]["minimum"] == 1
    assert schema["properties"]["reason"]["maxLength"] == 200
    assert schema["required"] == ["points"]
    assert schema["additionalProperties"] is False


def test_the_examples_are_valid_problems() -> None:
    for name in ("BadRequest", "UnprocessableContent"):
        example = DOC["components"]["responses"][name]["content"]["application/problem+json"]
        msgspec.convert(example["example"], problems.Problem)


@pytest.mark.parametrize("op", openapi.OPERATIONS, ids=lambda op: op.operation_id)
def test_each_operations_answer_as_encoded_passes_the_contract(op: openapi.Operation) -> None:
    headers = POSTED if op.method == "post" else RATE
    validate_response(
        DOC, op.method, op.path, 200, body_of(ANSWERS[op.operation_id]),
        content_type="application/json; charset=utf-8", headers=headers,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (problems.InvalidField(problems.body("points"), "web.field.points", maximum=9), 400),
        (Unauthenticated("web.key_missing"), 401),
        (errors.InsufficientFunds(balance=1, needed=2), 422),
        (errors.ReferenceTaken(), 409),
        (RateLimited(Decision(allowed=False, limit=5, remaining=0, reset_s=3, retry_after_s=1)),
         429),
        (problems.InternalError(), 500),
        (errors.StorageUnavailable(), 503),
    ],
)  # fmt: skip
def test_problem_documents_as_encoded_pass_the_contract(
    error: errors.VouchyError, status: int
) -> None:
    response = problems.response(error, "fr", instance="/v1/guilds/1/members/2/spend")
    assert response.status == status
    assert isinstance(response.body, bytes)
    validate_response(
        DOC, "post", MEMBER + "/spend", status, response.body,
        content_type=response.headers["Content-Type"], headers=dict(response.headers),
    )  # fmt: skip


def test_the_contract_refuses_a_missing_field() -> None:
    answer = msgspec.to_builtins(ANSWERS["getAccount"])
    del answer["balance"]
    with pytest.raises(ContractError, match="'balance' is a required property"):
        validate_response(DOC, "GET", MEMBER, 200, answer)


def test_the_contract_refuses_a_wrong_type_and_a_bad_id() -> None:
    answer = msgspec.to_builtins(ANSWERS["getAccount"])
    with pytest.raises(ContractError, match="body at balance"):
        validate_response(DOC, "GET", MEMBER, 200, {**answer, "balance": "150"})
    with pytest.raises(ContractError, match="body at user_id"):
        validate_response(DOC, "GET", MEMBER, 200, {**answer, "user_id": 2})
    move = msgspec.to_builtins(ANSWERS["earnPoints"])
    with pytest.raises(ContractError, match="body at created_at"):
        validate_response(DOC, "POST", MEMBER + "/earn", 200, {**move, "created_at": "today"})


def test_the_contract_refuses_an_undocumented_status_route_or_media_type() -> None:
    body = body_of(ANSWERS["getAccount"])
    with pytest.raises(ContractError, match="status 422 is not documented"):
        validate_response(DOC, "GET", MEMBER, 422, body)
    with pytest.raises(ContractError, match="not in the document"):
        validate_response(DOC, "DELETE", MEMBER, 200, body)
    with pytest.raises(ContractError, match="media type"):
        validate_response(DOC, "GET", MEMBER, 200, body, content_type="text/html")
    with pytest.raises(ContractError, match="not JSON"):
        validate_response(DOC, "GET", MEMBER, 200, b"<html>")


def test_the_contract_refuses_a_success_sent_as_a_problem_and_vice_versa() -> None:
    problem = problems.encode(problems.from_error(errors.InsufficientFunds(1, 2)))
    with pytest.raises(ContractError):
        validate_response(DOC, "POST", MEMBER + "/spend", 200, problem)
    with pytest.raises(ContractError):
        validate_response(DOC, "POST", MEMBER + "/spend", 422, body_of(ANSWERS["spendPoints"]))


def test_the_contract_refuses_a_missing_or_malformed_header() -> None:
    body = body_of(ANSWERS["earnPoints"])
    path = MEMBER + "/earn"
    without_echo = {k: v for k, v in POSTED.items() if k != "Idempotency-Key"}
    with pytest.raises(ContractError, match="header Idempotency-Key is missing"):
        validate_response(DOC, "POST", path, 200, body, headers=without_echo)
    with pytest.raises(ContractError, match="header X-RateLimit-Remaining"):
        validate_response(
            DOC, "POST", path, 200, body, headers={**POSTED, "X-RateLimit-Remaining": "-1"}
        )
    lower = {k.lower(): v for k, v in POSTED.items()}
    validate_response(DOC, "POST", path, 200, body, headers=lower)


def test_the_contract_module_does_not_load_jsonschema_until_called() -> None:
    source = open(contract.__file__, encoding="utf-8").read()
    top = source.split("def validate_response")[0]
    assert "import jsonschema" not in top


def _walk(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "$ref"] + [
            r for v in node.values() for r in _walk(v)
        ]
    if isinstance(node, list):
        return [r for v in node for r in _walk(v)]
    return []


def test_every_reference_in_the_document_resolves() -> None:
    for ref in _walk(DOC):
        target: Any = DOC
        for part in ref[2:].split("/"):
            target = target[part]
        assert isinstance(target, dict), ref

"""The /v1 routes: each operation of ``openapi.OPERATIONS`` as an aiohttp handler.

Every keyed request goes through the same steps, in this order, and the first that refuses
answers an RFC 9457 problem (``vouchy.web.problems``) having changed nothing:

1. the key: ``Authorization: Bearer vk_...``, its hash compared in constant time (401);
2. the key's rate limit (429; every answer to a key carries ``X-RateLimit-*``);
3. the guild in the path must be the key's (403), and the key must have the operation's
   scope (403);
4. the path, query, ``Idempotency-Key`` header and body (400, 413, 415);
5. the operation itself, through the write path for a POST (409 for an Idempotency-Key
   reused with another request, 422 for a rule such as insufficient funds, 503 when the
   store cannot write).

A POST's ``Idempotency-Key`` becomes the operation's reference and a digest of the request its
fingerprint: the store answers a retry with the first receipt, which is answered with the same
body and ``Idempotent-Replayed: true``. A 200 is sent only after the COMMIT that holds it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Literal

import msgspec
from aiohttp import web

from vouchy.core.errors import ReferenceTaken, VouchyError
from vouchy.features.api import keys
from vouchy.features.api.keys import ApiKey
from vouchy.features.api.service import UNKNOWN_REWARD, ApiService
from vouchy.store.audit import AuditReport
from vouchy.web import inputs, openapi, problems, schemas
from vouchy.web.openapi import Operation
from vouchy.web.problems import IdempotencyKeyReused, NotImplementedHere
from vouchy.web.ratelimit import RateLimited, RateLimiter

Answer = tuple[msgspec.Struct, dict[str, str]]
Handler = Callable[[web.Request, ApiKey, int], Awaitable[Answer]]

JSON = "application/json"
# Sent with every answer to a key: nothing here may be cached or sniffed as another type.
_PRIVATE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def _ts(unix_ms: int) -> dt.datetime:
    return schemas.timestamp(unix_ms)


class Api:
    """The handlers of /v1, bound to the web feature's service and one rate limiter."""

    def __init__(self, service: ApiService, limiter: RateLimiter, *, max_points: int) -> None:
        self.service = service
        self.limiter = limiter
        self.max_points = max_points
        self._encoder = msgspec.json.Encoder()
        self._document = msgspec.json.encode(openapi.document(max_points=max_points))
        handlers: dict[str, Handler] = {
            "getAccount": self.account,
            "earnPoints": self.earn,
            "spendPoints": self.spend,
            "getHistory": self.history,
            "getLeaderboard": self.leaderboard,
            "auditGuild": self.audit,
            "auditMember": self.audit,
            "redeemReward": self.redeem,
        }
        self.handlers = handlers

    def routes(self) -> list[web.RouteDef]:
        """Every operation of the document, and the document itself."""
        out = [web.get(openapi.OPENAPI_PATH, self.document)]
        for op in openapi.OPERATIONS:
            out.append(
                web.route(
                    op.method.upper(), op.path, self._keyed(op, self.handlers[op.operation_id])
                )
            )
        return out

    async def document(self, _request: web.Request) -> web.Response:
        return web.Response(body=self._document, content_type=JSON)

    # -- the steps every keyed request takes ----------------------------------------------------

    def _keyed(
        self, op: Operation, handler: Handler
    ) -> Callable[[web.Request], Awaitable[web.Response]]:
        scope = op.scope
        assert scope is not None

        async def handle(request: web.Request) -> web.Response:
            # Invariant: the operation runs only after every check passed; any refusal is a
            # problem document and nothing was applied.
            rate: dict[str, str] = {}
            try:
                key = await self.authenticate(request)
                decision = self.limiter.check(key.id)
                rate = decision.headers()
                if not decision.allowed:
                    raise RateLimited(decision)
                guild_id = inputs.discord_id(request.match_info["guild_id"], "guild_id")
                keys.authorize(key, guild_id, scope)
                answer, headers = await handler(request, key, guild_id)
            except VouchyError as error:
                locale = inputs.pick_locale(request.headers.get("Accept-Language"))
                return problems.response(
                    error, locale, instance=request.path, headers={**_PRIVATE, **rate}
                )
            return web.Response(
                body=self._encoder.encode(answer),
                content_type=JSON,
                headers={**_PRIVATE, **rate, **headers},
            )

        return handle

    async def authenticate(self, request: web.Request) -> ApiKey:
        """The key the request carries, if it is a live key (401 otherwise)."""
        # Invariant: the key itself is never stored, logged or put in an answer.
        presented = keys.parse_bearer(request.headers.get("Authorization"))
        return keys.check_presented(presented, await self.service.key(presented.key_id))

    @staticmethod
    def _user(request: web.Request) -> int:
        return inputs.discord_id(request.match_info["user_id"], "user_id")

    @staticmethod
    async def _body(request: web.Request) -> bytes:
        if (request.content_length or 0) > inputs.MAX_BODY_BYTES:
            raise problems.BodyTooLarge(inputs.MAX_BODY_BYTES)
        try:
            return await request.read()
        except web.HTTPRequestEntityTooLarge:
            raise problems.BodyTooLarge(inputs.MAX_BODY_BYTES) from None

    # -- operations -----------------------------------------------------------------------------

    async def account(self, request: web.Request, _key: ApiKey, guild_id: int) -> Answer:
        user_id = self._user(request)
        facts = await self.service.account(guild_id, user_id)
        return (
            schemas.Account(
                guild_id=str(guild_id),
                user_id=str(user_id),
                balance=facts.balance,
                lifetime_earned=facts.lifetime_earned,
                lifetime_spent=facts.lifetime_spent,
                xp=facts.xp,
                level=facts.level,
                vouches=facts.vouches,
            ),
            {},
        )

    async def earn(self, request: web.Request, key: ApiKey, guild_id: int) -> Answer:
        return await self._move("earn", request, key, guild_id)

    async def spend(self, request: web.Request, key: ApiKey, guild_id: int) -> Answer:
        return await self._move("spend", request, key, guild_id)

    async def _move(
        self, kind: Literal["earn", "spend"], request: web.Request, key: ApiKey, guild_id: int
    ) -> Answer:
        user_id = self._user(request)
        sent = request.headers.get(inputs.IDEMPOTENCY_KEY_HEADER)
        token = inputs.idempotency_key(sent)
        body = inputs.decode_move(
            await self._body(request),
            content_type=request.headers.get("Content-Type"),
            max_points=self.max_points,
        )
        try:
            receipt = await self.service.move(
                kind,
                guild_id,
                user_id,
                body.points,
                reason=body.reason,
                order_id=body.order_id,
                amount=body.amount,
                reference=inputs.reference(key.id, token),
                fingerprint=inputs.fingerprint("POST", request.path, body),
            )
        except ReferenceTaken:
            raise IdempotencyKeyReused() from None
        facts = receipt.data
        amount = facts.get("amount")
        answer = schemas.Move(
            transaction_id=receipt.ledger_id,
            guild_id=str(guild_id),
            user_id=str(user_id),
            kind=kind,
            points=abs(receipt.delta),
            balance=receipt.balance,
            reason=str(facts.get("reason") or ""),
            order_id=facts.get("order_id"),
            amount=None if amount is None else float(amount),
            created_at=_ts(receipt.created_at),
        )
        return answer, self._idempotent(sent, receipt.duplicate)

    @staticmethod
    def _idempotent(sent: str | None, replayed: bool) -> dict[str, str]:
        return {
            inputs.IDEMPOTENCY_KEY_HEADER: (sent or "").strip(),
            "Idempotent-Replayed": "true" if replayed else "false",
        }

    async def history(self, request: web.Request, _key: ApiKey, guild_id: int) -> Answer:
        user_id = self._user(request)
        query = inputs.history_query(request.query)
        page = await self.service.history(
            guild_id, user_id, before_id=query.before_id, limit=query.limit
        )
        entries = [
            schemas.HistoryEntry(
                transaction_id=e.id,
                kind=e.kind,
                delta=e.delta,
                balance_after=e.balance_after,
                reason=e.reason,
                created_at=_ts(e.created_at),
            )
            for e in page.entries
        ]
        cursor = None if page.next_before is None else inputs.encode_cursor(page.next_before)
        answer = schemas.History(
            guild_id=str(guild_id), user_id=str(user_id), entries=entries, next_cursor=cursor
        )
        return answer, {}

    async def leaderboard(self, request: web.Request, _key: ApiKey, guild_id: int) -> Answer:
        query = inputs.leaderboard_query(request.query)
        board = await self.service.leaderboard(guild_id, query.board, query.page, query.limit)
        rows = [
            schemas.LeaderboardRow(
                rank=r.rank, user_id=str(r.user_id), value=r.value, level=r.level
            )
            for r in board.rows
        ]
        answer = schemas.Leaderboard(
            guild_id=str(guild_id),
            board=board.board,
            page=board.page,
            pages=board.pages,
            per_page=board.per_page,
            total=board.total,
            rows=rows,
        )
        return answer, {}

    async def audit(self, request: web.Request, _key: ApiKey, guild_id: int) -> Answer:
        user_id = self._user(request) if "user_id" in request.match_info else None
        report = await self.service.audit(guild_id, user_id)
        return audit_answer(guild_id, user_id, report), {}

    async def redeem(self, request: web.Request, key: ApiKey, guild_id: int) -> Answer:
        user_id = self._user(request)
        reward_id = inputs.reward_id(request.match_info["reward_id"])
        sent = request.headers.get(inputs.IDEMPOTENCY_KEY_HEADER)
        token = inputs.idempotency_key(sent)
        rewards = self.service.rewards
        if rewards is None:
            raise NotImplementedHere("web.rewards_missing")
        try:
            done = await rewards.redeem(
                guild_id,
                user_id,
                reward_id,
                inputs.reference(key.id, token),
                inputs.fingerprint("POST", request.path),
            )
        except ReferenceTaken:
            raise IdempotencyKeyReused() from None
        except VouchyError as refused:
            if refused.key == UNKNOWN_REWARD:
                raise problems.NotFound("web.reward_unknown", reward=reward_id) from None
            raise
        balance = done.balance
        if balance is None:  # a free reward moved no points: the balance as it stands
            balance = (await self.service.account(guild_id, user_id)).balance
        answer = schemas.Redemption(
            guild_id=str(guild_id),
            user_id=str(user_id),
            reward_id=done.reward,
            name=done.name,
            code=done.code,
            points_spent=done.cost,
            balance=balance,
            transaction_id=done.ledger_id or None,
            expires_at=_ts(done.expires_at),
            created_at=_ts(done.created_at),
        )
        return answer, self._idempotent(sent, done.duplicate)


def audit_answer(guild_id: int, user_id: int | None, report: AuditReport) -> schemas.Audit:
    found = [
        schemas.Discrepancy(
            check=d.check,
            user_id=None if d.user_id is None else str(d.user_id),
            problem=d.problem,
            stored=d.balance,
            expected=d.ledger_sum,
        )
        for d in report.discrepancies
    ]
    return schemas.Audit(
        guild_id=str(guild_id),
        user_id=None if user_id is None else str(user_id),
        clean=report.clean,
        accounts=report.accounts,
        ledger_rows=report.ledger_rows,
        total_points=report.total_points,
        discrepancies=found,
        checked_at=dt.datetime.now(dt.UTC),
    )

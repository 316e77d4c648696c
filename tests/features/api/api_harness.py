"""What the API tests share: a started Vouchy with the web server on 127.0.0.1, keys of every
kind, and ``call``, which sends a request and checks the answer against the OpenAPI document
(``contract.validate_response``) before the test looks at it."""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from vouchy.app import Vouchy, load_config
from vouchy.core.config import Config
from vouchy.features.api.service import ApiService
from vouchy.web import contract, openapi
from vouchy.web.ratelimit import RateLimiter
from vouchy.web.server import WebServer

GUILD = 310_000_000_000_000_001
OTHER_GUILD = 310_000_000_000_000_002
DOC = openapi.document()


def template_of(method: str, path: str) -> str:
    """The document's path template that ``path`` matches (``/v1/guilds/{guild_id}/...``)."""
    path = path.split("?")[0]
    templates = [op.path for op in openapi.OPERATIONS if op.method == method.lower()]
    templates += [openapi.OPENAPI_PATH] if method.lower() == "get" else []
    for template in templates:
        pattern = re.sub(r"\\\{[a-z_]+\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, path):
            return template
    raise AssertionError(f"{method} {path} is not an operation of the document")


@dataclass
class Answer:
    status: int
    body: Any
    headers: Mapping[str, str]
    raw: bytes = b""

    @property
    def problem(self) -> dict[str, Any]:
        assert self.headers["Content-Type"] == "application/problem+json", self.headers
        assert isinstance(self.body, dict)
        return self.body


def config_for(data_dir: Path, **settings: str) -> Config:
    env = {
        "VOUCHY_DATA_DIR": str(data_dir),
        "VOUCHY_SNAPSHOTS_DIR": str(data_dir / "snapshots"),
        "VOUCHY_WEB_RATE_PER_SECOND": "100000",
        "VOUCHY_WEB_BURST": "100000",
    }
    env.update({f"VOUCHY_{k.upper()}": str(v) for k, v in settings.items()})
    return load_config(env=env)


@dataclass
class ApiHarness:
    app: Vouchy
    server: WebServer
    session: aiohttp.ClientSession
    keys: dict[str, str] = field(default_factory=dict)  # what the key is -> the key

    @property
    def api(self) -> ApiService:
        return self.app.service(ApiService)

    async def new_key(self, scopes: str, guild_id: int = GUILD, name: str = "test") -> str:
        created = await self.api.create_key(
            guild_id, name, scopes, created_by=42, reference=f"test:{len(self.keys)}:{scopes}"
        )
        assert created.key is not None
        return created.key.reveal()

    async def call(
        self,
        method: str,
        path: str,
        *,
        key: str | None = None,
        json_body: Any = None,
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        server: WebServer | None = None,
        validate: bool = True,
    ) -> Answer:
        sent = dict(headers or {})
        if key is not None:
            sent["Authorization"] = f"Bearer {key}"
        if json_body is not None:
            data = json.dumps(json_body).encode()
            sent.setdefault("Content-Type", "application/json")
        url = (server or self.server).url + path
        async with self.session.request(method, url, data=data, headers=sent) as response:
            raw = await response.read()
            answer = Answer(response.status, None, dict(response.headers), raw)
        if raw and answer.headers.get("Content-Type", "").split(";")[0].endswith("json"):
            answer.body = json.loads(raw)
        if validate:
            contract.validate_response(
                DOC,
                method,
                template_of(method, path),
                answer.status,
                raw,
                content_type=answer.headers.get("Content-Type"),
                headers=answer.headers,
            )
        return answer

    def earn(
        self, user_id: int, points: int, idempotency_key: str, *, key: str, **body: Any
    ) -> Any:
        return self.call(
            "POST",
            f"/v1/guilds/{GUILD}/members/{user_id}/earn",
            key=key,
            json_body={"points": points, **body},
            headers={"Idempotency-Key": idempotency_key},
        )

    def earn_on(
        self, server: WebServer, user_id: int, points: int, idempotency_key: str, *, key: str
    ) -> Any:
        return self.call(
            "POST",
            f"/v1/guilds/{GUILD}/members/{user_id}/earn",
            key=key,
            json_body={"points": points},
            headers={"Idempotency-Key": idempotency_key},
            server=server,
        )

    def spend(
        self, user_id: int, points: int, idempotency_key: str, *, key: str, **body: Any
    ) -> Any:
        return self.call(
            "POST",
            f"/v1/guilds/{GUILD}/members/{user_id}/spend",
            key=key,
            json_body={"points": points, **body},
            headers={"Idempotency-Key": idempotency_key},
        )

    def state(self) -> tuple[Any, ...]:
        """Every row a refused request must leave as it was: balances, the ledger, the
        operations record, keys and settings."""
        conn = sqlite3.connect(self.app.config.db_path)
        try:
            return tuple(
                conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
                for table in ("accounts", "ledger", "operations", "api_keys", "settings")
            )
        finally:
            conn.close()


@contextlib.asynccontextmanager
async def started_api(
    data_dir: Path, *, limiter: RateLimiter | None = None, **settings: str
) -> AsyncIterator[ApiHarness]:
    app = await Vouchy(config_for(data_dir, **settings)).start()
    try:
        async with (
            WebServer(app, host="127.0.0.1", port=0, limiter=limiter) as server,
            aiohttp.ClientSession() as session,
        ):
            yield ApiHarness(app, server, session)
    finally:
        await app.close()

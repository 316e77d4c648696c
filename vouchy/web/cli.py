"""The web feature's subcommands: ``serve`` (the HTTP API and the public page alone, without
the bot) and ``api-key create|list|revoke`` (the same keys as ``/admin api-key``).

``serve`` and the commands that change keys take the data directory's lock like any writer:
while the bot runs, use ``/admin api-key`` (or turn on ``[web] enabled`` instead of
``serve``). A key is printed once, by ``create``, on stdout, and logged nowhere.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import time
import uuid
from typing import Any

import msgspec

from vouchy.cli.common import open_reader, open_vouchy, print_json, snowflake
from vouchy.core.config import Config
from vouchy.core.logs import get_logger
from vouchy.features.api import rules
from vouchy.features.api.keys import ApiKey
from vouchy.features.api.service import ApiService

log = get_logger("vouchy.cli")


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], _imports: Any = None
) -> None:
    p = sub.add_parser(
        "serve",
        help="serve the HTTP API and the public leaderboard page without the bot",
        description=(
            "Serve the /v1 API and the public leaderboard page on the data directory, when no "
            "bot runs (with the bot, set [web] enabled instead). Plain HTTP on [web] host and "
            "port unless given here; SIGTERM or SIGINT stops it cleanly."
        ),
    )
    p.add_argument("--host", help="address to listen on (default: [web] host, 127.0.0.1)")
    p.add_argument("--port", type=int, help="port to listen on (default: [web] port, 8080)")
    p.set_defaults(func=serve)

    p = sub.add_parser(
        "api-key",
        help="create, list or revoke a guild's API keys",
        description="API keys for the HTTP API, as /admin api-key does them.",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    create = actions.add_parser("create", help="issue a key (printed once)")
    create.add_argument("--guild", type=snowflake, required=True)
    create.add_argument("--name", required=True, help="what the key is for, e.g. shop")
    create.add_argument(
        "--scopes", required=True, help='among read, earn, spend, admin, e.g. "read earn"'
    )
    create.add_argument("--json", action="store_true")
    create.set_defaults(func=create_key)
    listing = actions.add_parser("list", help="the guild's keys (never a secret)")
    listing.add_argument("--guild", type=snowflake, required=True)
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=list_keys)
    revoke = actions.add_parser("revoke", help="revoke a key: refused from now on")
    revoke.add_argument("--guild", type=snowflake, required=True)
    revoke.add_argument("key", help="the key's id (from list), or the key itself")
    revoke.add_argument("--json", action="store_true")
    revoke.set_defaults(func=revoke_key)


def _reference(action: str) -> str:
    return f"cli:api-key:{action}:{uuid.uuid4().hex}"


def _shown(record: ApiKey) -> dict[str, Any]:
    """A key's record as the command line shows it: everything but the hash."""
    out = msgspec.to_builtins(record)
    out.pop("key_hash", None)
    out["guild_id"] = str(record.guild_id)
    return dict(out)


def _line(record: ApiKey) -> str:
    when = time.strftime("%Y-%m-%d", time.gmtime(record.created_at / 1000))
    state = (
        "revoked " + time.strftime("%Y-%m-%d", time.gmtime(record.revoked_at / 1000))
        if record.revoked_at is not None
        else "active"
    )
    return f"{record.id}  {record.name}  [{' '.join(record.scopes)}]  created {when}  {state}"


async def create_key(args: argparse.Namespace, config: Config) -> int:
    app = await open_vouchy(config, create=True)  # set-up before the first run
    try:
        service = app.service(ApiService)
        created = await service.create_key(
            args.guild, args.name, args.scopes, created_by=0, reference=_reference("create")
        )
    finally:
        await app.close()
    assert created.key is not None  # a new reference always issues a new key
    if args.json:
        print_json({**_shown(created.record), "key": created.key.reveal()})
    else:
        print(created.key.reveal())
        print(f"# {_line(created.record)}")
        print("# shown once: Vouchy keeps only its hash. Send it as: Authorization: Bearer <key>")
    log.info("api_key_created", guild_id=args.guild, key_id=created.record.id)
    return 0


async def list_keys(args: argparse.Namespace, config: Config) -> int:
    reader = await open_reader(config)
    try:
        rows = await reader.rows(
            f"SELECT * FROM {rules.TABLE} WHERE guild_id = ? ORDER BY created_at, id",
            (args.guild,),
        )
    finally:
        await reader.close()
    records = [rules.record(r) for r in rows]
    if args.json:
        print_json([_shown(r) for r in records])
    else:
        for record in records:
            print(_line(record))
        if not records:
            print(f"no API key in guild {args.guild}")
    return 0


async def revoke_key(args: argparse.Namespace, config: Config) -> int:
    app = await open_vouchy(config)
    try:
        record = await app.service(ApiService).revoke_key(
            args.guild, args.key, revoked_by=0, reference=_reference("revoke")
        )
    finally:
        await app.close()
    if args.json:
        print_json(_shown(record))
    else:
        print(f"revoked: {_line(record)}")
    log.info("api_key_revoked", guild_id=args.guild, key_id=record.id)
    return 0


async def serve(args: argparse.Namespace, config: Config) -> int:
    """Until SIGTERM or SIGINT; then stop taking requests, answer those in flight, close the
    store and take the final snapshot (as the bot does)."""
    from vouchy.web.server import WebServer

    app = await open_vouchy(config, create=True)  # like run: it serves
    try:
        server = await WebServer(app, host=args.host, port=args.port).start()
    except BaseException:
        await app.close()
        raise
    app.start_snapshots()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    received: list[str] = []

    def on_signal(name: str) -> None:
        received.append(name)
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, on_signal, sig.name)
    print(f"serving on {server.url} (Ctrl-C to stop)", flush=True)
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        try:
            await server.stop()
        finally:
            await app.close()
            await app.final_snapshot()
    log.info("serve_stopped", reason=received[0] if received else "cancelled")
    return 0

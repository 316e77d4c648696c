"""The bot as its own process (``python -m vouchy run``) against a fake Discord the test runs:
commands, SIGTERM, exit 0, start again, every balance as it was."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import aiohttp
from support.bot import REPO, description

from vouchy.app import Vouchy
from vouchy.ops.heartbeat import read_heartbeat
from vouchy.testing.fake_discord import FakeDiscord, Member, User, next_snowflake

GLOBAL_COMMANDS = "/applications/{application_id}/commands"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bot_env(fake: FakeDiscord, data_dir: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOUCHY_")}
    env.update(
        PYTHONPATH=str(REPO),
        VOUCHY_DISCORD_TOKEN=fake.token,
        VOUCHY_DISCORD_REST_URL=fake.rest_url,  # no guild ids: commands are global
        VOUCHY_DATA_DIR=str(data_dir),
        VOUCHY_SNAPSHOTS_DIR=str(data_dir / "snapshots"),
        VOUCHY_HEALTH_HEARTBEAT_SECONDS="1",
        VOUCHY_LOGGING_FORMAT="json",
    )
    env.update({f"VOUCHY_{k.upper()}": v for k, v in settings.items()})
    return env


async def start_bot(
    fake: FakeDiscord, data_dir: Path, log: Path, **settings: str
) -> asyncio.subprocess.Process:
    since = len(fake.requests)
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "vouchy",
        "run",
        cwd=data_dir.parent,
        env=bot_env(fake, data_dir, **settings),
        stdout=subprocess.DEVNULL,
        stderr=log.open("ab"),
    )
    await fake.wait_for_request("GET", "/gateway/bot", timeout=20, since=since)
    await fake.wait_for_ready(timeout=20)
    await fake.wait_for_request("GET", GLOBAL_COMMANDS, timeout=10, since=since)
    return proc


def events(log: Path) -> list[dict[str, Any]]:
    out = []
    for line in log.read_text().splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out


async def stop(proc: asyncio.subprocess.Process, sig: signal.Signals) -> int:
    proc.send_signal(sig)
    return await asyncio.wait_for(proc.wait(), 30)


async def balances(fake: FakeDiscord, *names: str) -> dict[str, str]:
    out = {}
    for name in names:
        interaction_id = await fake.slash("points", user=fake.guild.member(name))
        out[name] = description(await fake.interaction_reply(interaction_id, timeout=10))
    return out


async def test_sigterm_stops_the_bot_cleanly_and_a_restart_keeps_every_balance(
    tmp_path: Path,
) -> None:
    fake = FakeDiscord()
    fake.guild.members.append(Member(User(next_snowflake(), "friend")))
    await fake.start()
    data_dir, log = tmp_path / "data", tmp_path / "bot.log"
    try:
        port = free_port()
        proc = await start_bot(fake, data_dir, log, metrics_enabled="true", metrics_port=str(port))
        try:
            member, friend, admin = (fake.guild.member(n) for n in ("member", "friend", "admin"))
            for command, user, options in [
                ("give", member, {"member": friend, "amount": 7}),
                ("daily", friend, {}),
                ("admin points add", admin, {"member": member, "amount": 1500}),
            ]:
                interaction_id = await fake.slash(command, user=user, **options)
                reply = await fake.interaction_reply(interaction_id, timeout=10)
                assert not reply["ephemeral"], description(reply)
            before = await balances(fake, "member", "friend")
            assert "You have **1,518** points." in before["member"]
            assert "You have **132** points." in before["friend"]
            beat = read_heartbeat(data_dir)
            assert beat is not None and beat.pid == proc.pid and beat.writer_alive
            async with aiohttp.ClientSession() as http:
                async with http.get(f"http://127.0.0.1:{port}/metrics") as response:
                    scraped = await response.text()
            assert "vouchy_last_ledger_id 6.0" in scraped
        finally:
            if proc.returncode is None:
                assert await stop(proc, signal.SIGTERM) == 0, log.read_text()[-3000:]

        seen = events(log)
        names = [e["event"] for e in seen]
        assert names.index("bot_started") < names.index("bot_stopping") < names.index("bot_stopped")
        stopped = next(e for e in seen if e["event"] == "bot_stopped")
        assert stopped["reason"] == "SIGTERM" and stopped["drained"] is True
        assert stopped["last_ledger_id"] == 6
        if hasattr(Vouchy, "final_snapshot"):
            assert stopped["final_snapshot"], "the durability side offers a final snapshot"
        else:
            assert stopped["final_snapshot"] is None  # not landed yet: a clean stop only
        assert not [e for e in seen if e.get("level") in ("error", "critical")]

        proc = await start_bot(fake, data_dir, log)
        try:
            assert await balances(fake, "member", "friend") == before
        finally:
            if proc.returncode is None:
                assert await stop(proc, signal.SIGINT) == 0
    finally:
        await fake.close()
    assert fake.violations == []

    cli = await asyncio.create_subprocess_exec(
        *[sys.executable, "-m", "vouchy", "--data", str(data_dir), "balance", "--json"],
        *[str(fake.guild.id), str(fake.guild.member("member").id)],
        cwd=tmp_path,
        env=bot_env(fake, data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(cli.communicate(), 60)
    assert cli.returncode == 0, err.decode()
    assert json.loads(out)["balance"] == 1518

"""Where the web server runs: with the bot (``python -m vouchy run`` and ``[web] enabled``,
stopped before the bot), alone (``python -m vouchy serve``), and the key commands of the
command line."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import aiohttp
import pytest
from support.bot import make_config
from support.durability import logs_to_memory  # noqa: F401  (autouse: logs to memory)

from vouchy.cli import main
from vouchy.cli.running import run
from vouchy.testing.fake_discord import FakeDiscord

GUILD = 320_000_000_000_000_001
REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli(capsys: pytest.CaptureFixture[str], data: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--data", str(data), *args])
    out, err = capsys.readouterr()
    return code, out, err


async def wait_for(url: str, timeout: float = 15.0) -> int:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while True:
            try:
                async with session.get(url) as response:
                    return response.status
            except aiohttp.ClientConnectionError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.05)


async def test_run_serves_the_api_beside_the_bot_and_stops_it_on_sigterm(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        port = free_port()
        config = make_config(
            tmp_path / "data",
            discord_token=fake.token,
            discord_rest_url=fake.rest_url,
            discord_guild_ids=str(fake.guild.id),
            web_enabled="true",
            web_port=str(port),
        )
        running = asyncio.create_task(run(config))
        base = f"http://127.0.0.1:{port}"
        assert await wait_for(base + "/v1/openapi.json") == 200
        assert await wait_for(f"{base}/g/{fake.guild.id}") == 404  # not opted in
        deadline = time.monotonic() + 10
        while signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:  # run() is listening
            assert time.monotonic() < deadline
            await asyncio.sleep(0.05)
        os.kill(os.getpid(), signal.SIGTERM)
        assert await asyncio.wait_for(running, 30) == 0
        with pytest.raises(aiohttp.ClientConnectionError):
            await wait_for(base + "/v1/openapi.json", timeout=0)


def test_run_without_web_enabled_serves_nothing(tmp_path: Path) -> None:
    from vouchy.features.api.rules import WebSettings

    assert make_config(tmp_path).feature("web") == WebSettings()
    assert WebSettings().enabled is False and WebSettings().host == "127.0.0.1"


def test_api_key_create_prints_the_key_once_and_list_and_revoke_never_show_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    code, out, _ = cli(
        capsys, data, "api-key", "create", "--guild", str(GUILD), "--name", "shop",
        "--scopes", "read earn",
    )  # fmt: skip
    assert code == 0
    key = out.splitlines()[0]
    assert key.startswith("vk_") and len(key) == 3 + 12 + 1 + 48
    key_id = key[3:15]
    code, out, _ = cli(capsys, data, "api-key", "list", "--guild", str(GUILD), "--json")
    assert code == 0
    [listed] = json.loads(out)
    assert listed["id"] == key_id and listed["scopes"] == ["read", "earn"]
    assert "key_hash" not in listed and key.split("_")[2] not in out
    code, out, _ = cli(capsys, data, "api-key", "revoke", "--guild", str(GUILD), key_id)
    assert code == 0 and out.startswith("revoked: " + key_id)
    code, out, _ = cli(capsys, data, "api-key", "list", "--guild", str(GUILD))
    assert "revoked" in out and key.split("_")[2] not in out
    code, _, err = cli(capsys, data, "api-key", "revoke", "--guild", str(GUILD), key_id)
    assert code == 2 and "already revoked" in err


def test_api_key_create_refuses_bad_scopes_naming_the_known_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(
        capsys, tmp_path / "data", "api-key", "create", "--guild", str(GUILD), "--name", "x",
        "--scopes", "read write",
    )  # fmt: skip
    assert code == 2 and out == ""
    assert "Unknown scope `write`: choose among read, earn, spend, admin" in err


def test_serve_answers_the_api_alone_and_stops_cleanly_on_sigterm(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    code, out, _ = cli(
        capsys, data, "api-key", "create", "--guild", str(GUILD), "--name", "shop",
        "--scopes", "read earn",
    )  # fmt: skip
    key = out.splitlines()[0]
    port = free_port()
    env = {**os.environ, "VOUCHY_LOGGING_LEVEL": "WARNING"}
    server = subprocess.Popen(
        [sys.executable, "-m", "vouchy", "--data", str(data), "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        assert server.stdout.readline().startswith(f"serving on http://127.0.0.1:{port}")
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/v1/guilds/{GUILD}/members/77/earn",
            data=b'{"points": 12}',
            headers={
                "Authorization": f"Bearer {key}",
                "Idempotency-Key": "order-1",
                "Content-Type": "application/json",
            },
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert json.loads(answer.read())["balance"] == 37
        # While it serves, the data directory is its own: the command line says so.
        code, _, err = cli(capsys, data, "api-key", "revoke", "--guild", str(GUILD), key[3:15])
        assert code == 2 and "in use" in err
    finally:
        server.send_signal(signal.SIGTERM)
        _, stderr = server.communicate(timeout=30)
    assert server.returncode == 0, stderr
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/openapi.json", timeout=2)
    code, out, _ = cli(capsys, data, "balance", str(GUILD), "77", "--json")
    assert code == 0 and json.loads(out)["balance"] == 37

"""Settings load with clear errors; logs are JSON lines with secrets redacted."""

from __future__ import annotations

import io
import json

import pytest

from vouchy.app import load_config
from vouchy.core.config import Config
from vouchy.core.errors import ConfigError
from vouchy.core.logs import configure_logging, get_logger


def test_config_toml_in_the_repository_holds_exactly_the_defaults():
    import msgspec

    from vouchy import features

    from_file = msgspec.to_builtins(load_config("config.toml", env={}))
    expected = msgspec.to_builtins(Config(features=features.defaults({})))
    assert from_file == expected
    # Every feature with settings has its section in the file, so an operator sees them all.
    text = open("config.toml").read()
    for name in features.sections():
        assert f"[{name}]" in text, name


def test_environment_overrides_the_file(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[limits]\nmax_amount = 50\n[discord]\nguild_ids = [1]\n")
    config = load_config(
        path, env={"VOUCHY_LIMITS_MAX_AMOUNT": "70", "VOUCHY_DISCORD_GUILD_IDS": "5, 6"}
    )
    assert config.limits.max_amount == 70 and config.discord.guild_ids == [5, 6]


@pytest.mark.parametrize(
    "text,env,needle",
    [
        ("[limits]\nmax_amont = 5\n", {}, "max_amont"),
        ("[limits]\nmax_amount = 'many'\n", {}, "limits.max_amount = 'many'"),
        ("", {"VOUCHY_DATA_SYNCHRONOUS": "OFF"}, "data.synchronous = 'OFF'"),
        ("", {"VOUCHY_POINTS_STARTING_BALANCE": "-3"}, "points.starting_balance = '-3'"),
        ("[limits\n", {}, "not valid TOML"),
        ("", {"VOUCHY_POINTS_STARTING_BALANCE": "-3"}, "must be a whole number >= 0"),
        ("[limits]\nmax_amount = 'many'\n", {}, "must be a whole number"),
        ("", {"VOUCHY_DATA_SYNCHRONOUS": "fast"}, "must be one of 'FULL', 'EXTRA', 'NORMAL'"),
        ("", {"VOUCHY_LIMITS_MAXAMOUNT": "5"}, "did you mean VOUCHY_LIMITS_MAX_AMOUNT"),
        ("[limits]\nmax_amont = 5\n", {}, "did you mean max_amount"),
        ("[limit]\nmax_amount = 5\n", {}, "did you mean limits"),
    ],
)
def test_a_bad_setting_is_refused_naming_the_key_and_the_value(tmp_path, text, env, needle):
    path = tmp_path / "c.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config(path, env=env)
    assert needle in caught.value.message


def test_logs_are_json_lines_with_stable_events_and_no_token():
    stream = io.StringIO()
    configure_logging("INFO", "json", stream)
    token = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB"
    get_logger("t").info("bot_started", token=token, detail=f"connecting with {token}", guilds=2)
    line = json.loads(stream.getvalue().strip())
    assert line["event"] == "bot_started" and line["guilds"] == 2 and line["level"] == "info"
    assert token not in stream.getvalue()
    assert line["token"] == "[redacted]" and "[redacted]" in line["detail"]


def test_library_lines_have_one_stable_event_and_keep_their_text_and_logger():
    import logging

    stream = io.StringIO()
    configure_logging("INFO", "json", stream)
    token = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB"
    logging.getLogger("hikari.gateway.0").info("shard is ready: %s guilds, token %s", 3, token)
    get_logger("t").info("snapshot_verified", accounts=2)
    library, ours = (json.loads(line) for line in stream.getvalue().splitlines())
    assert library["event"] == "library_log" and library["logger"] == "hikari.gateway.0"
    assert (
        library["message"].startswith("shard is ready: 3 guilds") and token not in stream.getvalue()
    )
    assert ours["event"] == "snapshot_verified" and "message" not in ours

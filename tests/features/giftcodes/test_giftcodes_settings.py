"""The ``[giftcodes]`` section: bounds refused at start with the key named, the captcha shape
needing its extra, and the command texts within Discord's limits in both languages."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from vouchy.app import Vouchy, load_config
from vouchy.core.errors import ConfigError
from vouchy.features.giftcodes import texts


@pytest.mark.parametrize(
    ("key", "value", "says"),
    [
        ("requests_per_second", "0", "giftcodes.requests_per_second"),
        ("check_interval_s", "0.5", "giftcodes.check_interval_s"),
        ("max_concurrency", "0", "giftcodes.max_concurrency"),
        ("request_shape", "soap", "giftcodes.request_shape"),
        ("secret_env", "not a name", "giftcodes.secret_env"),
        ("channel", "0", "giftcodes.channel"),
    ],
)
def test_a_setting_out_of_bounds_is_refused_at_start_naming_it(
    key: str, value: str, says: str
) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(env={f"VOUCHY_GIFTCODES_{key.upper()}": value})
    assert says in err.value.message


def test_a_backoff_shorter_than_its_start_is_refused_when_the_service_is_made(
    tmp_path: Path,
) -> None:
    config = load_config(
        env={
            "VOUCHY_DATA_DIR": str(tmp_path),
            "VOUCHY_GIFTCODES_BACKOFF_S": "100",
            "VOUCHY_GIFTCODES_BACKOFF_MAX_S": "10",
        }
    )
    with pytest.raises(ConfigError) as err:
        Vouchy(config)
    assert "runner_backoff_max_ms" in err.value.message


def test_the_captcha_shape_without_its_extra_is_refused_naming_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "ddddocr", None)  # absent, whatever this machine has
    monkeypatch.setenv("GIFTCODE_SECRET", "s")
    config = load_config(
        env={"VOUCHY_DATA_DIR": str(tmp_path), "VOUCHY_GIFTCODES_REQUEST_SHAPE": "captcha"}
    )
    with pytest.raises(ConfigError) as err:
        Vouchy(config)
    assert "pip install 'vouchy[captcha]'" in err.value.message


NAME = re.compile(r"^[-_\w]{1,32}$")


def test_every_command_and_option_text_fits_discord_in_both_languages() -> None:
    for key, languages in texts.TEXTS.items():
        named = key.startswith(("giftcodes.cmd.", "giftcodes.opt.", "giftcodes.setting."))
        if not (named or key.startswith("config.giftcodes")):
            continue
        for language, text in languages.items():
            if key.endswith(".desc"):
                assert 1 <= len(text) <= 100, (key, language)
            else:
                assert NAME.match(text) and text == text.lower(), (key, language, text)


def test_a_bad_check_interval_in_the_environment_stops_the_start_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIFTCODE_CHECK_INTERVAL", "soon")
    with pytest.raises(ConfigError) as err:
        Vouchy(load_config(env={"VOUCHY_DATA_DIR": str(tmp_path)}))
    assert "GIFTCODE_CHECK_INTERVAL" in err.value.message and "'soon'" in err.value.message

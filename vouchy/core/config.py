"""Settings: msgspec Structs for ``config.toml`` plus ``VOUCHY_<SECTION>_<KEY>`` overrides.

Every setting has a default, so a missing file or section is fine. The core sections are
declared here; each feature declares its own section (its guilds' default settings) and the
composition root passes them to ``load_config``. An unknown key, in the file or in a
``VOUCHY_`` environment variable, or a bad value is a ``ConfigError`` that names the key, the
value and what would be valid (the nearest key for a typo), never a traceback.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import msgspec

from vouchy.core.errors import ConfigError

ENV_PREFIX = "VOUCHY_"
# Environment variables with the prefix that are not settings.
ENV_NOT_SETTINGS = frozenset({"VOUCHY_CONFIG"})


class Base(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    pass


class DataConfig(Base):
    dir: str = "./data"
    synchronous: Literal["FULL", "EXTRA", "NORMAL"] = "FULL"


class LimitsConfig(Base):
    max_amount: int = 10_000
    page_size: int = 10
    writer_queue_size: int = 20_000
    writer_max_batch: int = 2_000


class ActorsConfig(Base):
    idle_seconds: float = 300.0


class SnapshotsConfig(Base):
    dir: str = ""  # empty: <data dir>/snapshots
    interval_minutes: float = 5.0
    first_after_seconds: float = 5.0
    keep_last: int = 12
    keep_daily_days: int = 14


class DiscordConfig(Base):
    token: str = ""
    guild_ids: list[int] = []
    rest_url: str = ""


class MetricsConfig(Base):
    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = 9464


class HealthConfig(Base):
    heartbeat_seconds: float = 15.0
    stale_after_seconds: float = 60.0


class LoggingConfig(Base):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["json", "console"] = "json"
    file: str = ""  # empty: stderr (the bot); command-line tools log here only when set


class Config(Base):
    data: DataConfig = msgspec.field(default_factory=DataConfig)
    limits: LimitsConfig = msgspec.field(default_factory=LimitsConfig)
    actors: ActorsConfig = msgspec.field(default_factory=ActorsConfig)
    snapshots: SnapshotsConfig = msgspec.field(default_factory=SnapshotsConfig)
    discord: DiscordConfig = msgspec.field(default_factory=DiscordConfig)
    metrics: MetricsConfig = msgspec.field(default_factory=MetricsConfig)
    health: HealthConfig = msgspec.field(default_factory=HealthConfig)
    logging: LoggingConfig = msgspec.field(default_factory=LoggingConfig)
    # Each feature's section (its guilds' default settings), by feature name.
    features: dict[str, Any] = {}

    @property
    def data_dir(self) -> Path:
        return Path(self.data.dir)

    @property
    def db_path(self) -> Path:
        return self.data_dir / "vouchy.db"

    @property
    def journal_dir(self) -> Path:
        return self.data_dir / "journal"

    @property
    def snapshot_dir(self) -> Path:
        """Snapshots belong with their data directory unless configured elsewhere."""
        return Path(self.snapshots.dir) if self.snapshots.dir else self.data_dir / "snapshots"

    def feature(self, name: str) -> Any:
        return self.features.get(name)


CORE_SECTIONS: dict[str, type[msgspec.Struct]] = {
    f.name: f.type for f in msgspec.structs.fields(Config) if f.name != "features"
}

# Bounds a setting must respect: (section, key) -> (lowest, highest).
_BOUNDS: dict[tuple[str, str], tuple[float, float]] = {
    ("limits", "max_amount"): (1, 1_000_000_000),
    ("limits", "page_size"): (1, 25),
    ("limits", "writer_queue_size"): (1, 10_000_000),
    ("limits", "writer_max_batch"): (1, 100_000),
    ("actors", "idle_seconds"): (1, 86_400 * 7),
    ("snapshots", "interval_minutes"): (0.05, 24 * 60 * 7),
    ("snapshots", "first_after_seconds"): (0, 3_600),
    ("snapshots", "keep_last"): (1, 10_000),
    ("snapshots", "keep_daily_days"): (0, 10_000),
    ("metrics", "port"): (1, 65_535),
    ("health", "heartbeat_seconds"): (1, 3_600),
    ("health", "stale_after_seconds"): (2, 86_400),
}


def load_config(
    path: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    sections: Mapping[str, type[msgspec.Struct]] | None = None,
) -> Config:
    """Read ``path`` (if given and present), apply environment overrides, check bounds.
    ``sections``: the features' own sections, by name."""
    env = dict(os.environ if env is None else env)
    features = dict(sections or {})
    raw: dict[str, Any] = {}
    if path is not None:
        p = Path(path)
        if not p.exists():
            raise ConfigError(f"config file {p} does not exist")
        try:
            raw = tomllib.loads(p.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise ConfigError(f"config file {p} is not valid TOML: {e}") from None
    everything = {**CORE_SECTIONS, **features}
    _check_names(raw, everything, "config file")
    _apply_env(raw, env, everything)
    feature_raw = {name: raw.pop(name) for name in list(raw) if name in features}
    try:
        config = msgspec.convert(raw, Config, strict=False)
    except msgspec.ValidationError as e:
        raise ConfigError(f"bad setting: {_describe(e, raw)}") from None
    converted: dict[str, Any] = {}
    for name, kind in features.items():
        section = feature_raw.get(name, {})
        try:
            converted[name] = msgspec.convert(section, kind, strict=False)
        except msgspec.ValidationError as e:
            raise ConfigError(f"bad setting: {_describe(e, {name: section}, name)}") from None
    config.features = converted
    _check_bounds(config)
    return config


def _fields(kind: type[msgspec.Struct]) -> dict[str, Any]:
    return {f.name: f.type for f in msgspec.structs.fields(kind)}


def _nearest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def _check_names(
    raw: dict[str, Any], sections: Mapping[str, type[msgspec.Struct]], where: str
) -> None:
    """Unknown sections and keys are refused, naming the nearest valid one."""
    for section, values in raw.items():
        if section not in sections:
            raise ConfigError(
                f"{where}: there is no section [{section}]{_nearest(section, list(sections))}"
            )
        if not isinstance(values, dict):
            raise ConfigError(f"{where}: [{section}] must be a table of settings")
        known = _fields(sections[section])
        for key in values:
            if key not in known:
                raise ConfigError(
                    f"{where}: there is no setting {section}.{key}{_nearest(key, list(known))}"
                )


def _apply_env(
    raw: dict[str, Any], env: Mapping[str, str], sections: Mapping[str, type[msgspec.Struct]]
) -> None:
    """``VOUCHY_<SECTION>_<KEY>`` overrides the file; an unknown one is refused (a typo
    would otherwise be ignored without a word)."""
    names = [f"{ENV_PREFIX}{s}_{k}".upper() for s, t in sections.items() for k in _fields(t)]
    for name, value in env.items():
        if not name.startswith(ENV_PREFIX) or name in ENV_NOT_SETTINGS:
            continue
        rest = name[len(ENV_PREFIX) :].lower()
        for section in sorted(sections, key=len, reverse=True):
            if not rest.startswith(section + "_"):
                continue
            key = rest[len(section) + 1 :]
            fields = _fields(sections[section])
            if key not in fields:
                continue
            if get_origin(fields[key]) is list:
                parts = [v.strip() for v in value.split(",") if v.strip()]
                raw.setdefault(section, {})[key] = parts
            else:
                raw.setdefault(section, {})[key] = value
            break
        else:
            raise ConfigError(
                f"environment variable {name} is not a setting{_nearest(name, names)}; "
                f"settings are {ENV_PREFIX}<SECTION>_<KEY>, e.g. VOUCHY_LIMITS_MAX_AMOUNT"
            )


_EXPECTED = re.compile(r"Expected `([^`]+)`(?:, got `[^`]+`| (.+))?$")


def _reason(reason: str, kind: Any) -> str:
    """msgspec's words in a person's: what a valid value looks like."""
    if reason.startswith("Invalid enum value") and get_origin(kind) is Literal:
        return "must be one of " + ", ".join(repr(v) for v in get_args(kind))
    match = _EXPECTED.match(reason)
    if match:
        want = match.group(1)
        words = {
            "int": "a whole number",
            "float": "a number",
            "bool": "true or false",
            "str": "text",
            "array": "a list",
            "object": "a table",
        }
        wanted = " or ".join(words.get(w.strip(), w.strip()) for w in want.split("|"))
        bound = f" {match.group(2)}" if match.group(2) else ""
        return f"must be {wanted}{bound}"
    return reason


def _describe(error: msgspec.ValidationError, raw: dict[str, Any], prefix: str = "") -> str:
    """``... - at `$.limits.max_amount``` as ``limits.max_amount = 'x': must be ...``."""
    text = str(error)
    reason, _, where = text.partition(" - at `")
    where = where.rstrip("`").removeprefix("$.").removeprefix("$")
    if prefix:
        where = f"{prefix}.{where}" if where else prefix
    value: Any = raw
    kind: Any = None
    for i, part in enumerate(where.replace("[", ".").replace("]", "").split(".")):
        if i == 0 and part in CORE_SECTIONS:
            kind = CORE_SECTIONS[part]
        elif i == 1 and kind is not None and part in _fields(kind):
            kind = _fields(kind)[part]
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            value = None
            break
    reason = _reason(reason, kind)
    if where and value is not None and not isinstance(value, dict):
        return f"{where} = {value!r}: {reason}"
    return f"{where or 'config'}: {reason}"


def _check_bounds(config: Config) -> None:
    for (section, key), (low, high) in _BOUNDS.items():
        value = getattr(getattr(config, section), key)
        if not low <= value <= high:
            raise ConfigError(
                f"bad setting: {section}.{key} = {value!r}: must be from {low:g} to {high:g}"
            )

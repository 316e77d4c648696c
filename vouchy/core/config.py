"""Settings: msgspec Structs for ``config.toml`` plus ``VOUCHY_<SECTION>_<KEY>`` overrides.

Every setting has a default, so a missing file or section is fine; an unknown key or a bad
value is a ``ConfigError`` that names the key and the value, never a traceback.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

import msgspec

from vouchy.core.errors import ConfigError

ENV_PREFIX = "VOUCHY_"


class Base(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    pass


class DataConfig(Base):
    dir: str = "./data"
    synchronous: Literal["FULL", "EXTRA", "NORMAL"] = "FULL"


class LimitsConfig(Base):
    max_amount: int = 10_000
    max_page_size: int = 25
    writer_queue_size: int = 20_000
    writer_max_batch: int = 2_000


class PointsConfig(Base):
    starting_balance: int = 25
    daily_amount: int = 100
    daily_cooldown_hours: float = 24.0


class ActorsConfig(Base):
    idle_seconds: float = 300.0


class SnapshotsConfig(Base):
    dir: str = "snapshots"
    interval_minutes: float = 5.0
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


class Config(Base):
    data: DataConfig = msgspec.field(default_factory=DataConfig)
    limits: LimitsConfig = msgspec.field(default_factory=LimitsConfig)
    points: PointsConfig = msgspec.field(default_factory=PointsConfig)
    actors: ActorsConfig = msgspec.field(default_factory=ActorsConfig)
    snapshots: SnapshotsConfig = msgspec.field(default_factory=SnapshotsConfig)
    discord: DiscordConfig = msgspec.field(default_factory=DiscordConfig)
    metrics: MetricsConfig = msgspec.field(default_factory=MetricsConfig)
    health: HealthConfig = msgspec.field(default_factory=HealthConfig)
    logging: LoggingConfig = msgspec.field(default_factory=LoggingConfig)

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
        return Path(self.snapshots.dir)


# Bounds a setting must respect: (section, key) -> (lowest, highest).
_BOUNDS: dict[tuple[str, str], tuple[float, float]] = {
    ("limits", "max_amount"): (1, 1_000_000_000),
    ("limits", "max_page_size"): (1, 100),
    ("limits", "writer_queue_size"): (1, 10_000_000),
    ("limits", "writer_max_batch"): (1, 100_000),
    ("points", "starting_balance"): (0, 1_000_000_000),
    ("points", "daily_amount"): (1, 1_000_000_000),
    ("points", "daily_cooldown_hours"): (0, 24 * 365),
    ("actors", "idle_seconds"): (1, 86_400 * 7),
    ("snapshots", "interval_minutes"): (0.05, 24 * 60 * 7),
    ("snapshots", "keep_last"): (1, 10_000),
    ("snapshots", "keep_daily_days"): (0, 10_000),
    ("metrics", "port"): (1, 65_535),
    ("health", "heartbeat_seconds"): (1, 3_600),
    ("health", "stale_after_seconds"): (2, 86_400),
}


def load_config(path: str | Path | None = None, env: dict[str, str] | None = None) -> Config:
    """Read ``path`` (if given and present), apply environment overrides, check bounds."""
    env = dict(os.environ if env is None else env)
    raw: dict[str, Any] = {}
    if path is not None:
        p = Path(path)
        if not p.exists():
            raise ConfigError(f"config file {p} does not exist")
        try:
            raw = tomllib.loads(p.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise ConfigError(f"config file {p} is not valid TOML: {e}") from None
    _apply_env(raw, env)
    try:
        config = msgspec.convert(raw, Config, strict=False)
    except msgspec.ValidationError as e:
        raise ConfigError(f"bad setting: {_describe(e, raw)}") from None
    _check_bounds(config)
    return config


def _apply_env(raw: dict[str, Any], env: dict[str, str]) -> None:
    sections = {f.name: f.type for f in msgspec.structs.fields(Config)}
    for name, value in env.items():
        if not name.startswith(ENV_PREFIX):
            continue
        rest = name[len(ENV_PREFIX) :].lower()
        for section, section_type in sections.items():
            if not rest.startswith(section + "_"):
                continue
            key = rest[len(section) + 1 :]
            fields = {f.name: f.type for f in msgspec.structs.fields(section_type)}
            if key not in fields:
                continue
            if fields[key] == list[int]:
                parts = [v.strip() for v in value.split(",") if v.strip()]
                raw.setdefault(section, {})[key] = parts
            else:
                raw.setdefault(section, {})[key] = value
            break


def _describe(error: msgspec.ValidationError, raw: dict[str, Any]) -> str:
    """Turn msgspec's ``... - at `$.limits.max_amount``` into ``limits.max_amount = 'x': ...``."""
    text = str(error)
    reason, _, where = text.partition(" - at `")
    where = where.rstrip("`").removeprefix("$.").removeprefix("$")
    value: Any = raw
    for part in where.replace("[", ".").replace("]", "").split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            value = None
            break
    if where and value is not None and not isinstance(value, dict):
        return f"{where} = {value!r}: {reason}"
    return f"{where or 'config'}: {reason}"


def _check_bounds(config: Config) -> None:
    for (section, key), (low, high) in _BOUNDS.items():
        value = getattr(getattr(config, section), key)
        if not low <= value <= high:
            raise ConfigError(
                f"bad setting: {section}.{key} = {value!r}: must be from {low} to {high}"
            )

"""The shape the code keeps (``shared/DESIGN.md``'s table of who may import whom), and the
texts every person reads existing in English and French."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from vouchy.core import i18n

ROOT = Path(__file__).resolve().parents[1] / "vouchy"
DISCORD = ("hikari", "lightbulb")
HTTP = ("aiohttp",)
# A feature's modules that face Discord, HTTP or the command line (``cli.py``: its own
# subcommands and import formats, which open the store through ``vouchy.app``); every other
# module of a feature is pure.
FACING = {
    "discord.py",
    "render.py",
    "http.py",
    "provider.py",
    "fake_provider.py",
    "components.py",
    "cli.py",
}


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def modules(under: str) -> list[Path]:
    return sorted((ROOT / under).rglob("*.py"))


def offenders(paths: list[Path], forbidden: tuple[str, ...]) -> list[str]:
    bad = []
    for path in paths:
        for name in imports(path):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                bad.append(f"{path.relative_to(ROOT.parent)} imports {name}")
    return bad


def test_the_core_imports_nothing_of_vouchy_but_itself() -> None:
    others = tuple(
        f"vouchy.{p.name}"
        for p in ROOT.iterdir()
        if p.is_dir() and p.name not in ("core", "__pycache__")
    )
    assert offenders(modules("core"), (*others, "vouchy.app", *DISCORD, *HTTP)) == []


def test_the_store_knows_no_feature_no_actor_and_nothing_of_discord_or_http() -> None:
    forbidden = (
        "vouchy.features",
        "vouchy.actors",
        "vouchy.bot",
        "vouchy.web",
        "vouchy.app",
        "vouchy.cli",
        "vouchy.ops",
    )
    assert offenders(modules("store"), (*forbidden, *DISCORD, *HTTP)) == []


def test_actors_know_only_the_store_and_the_core() -> None:
    forbidden = ("vouchy.features", "vouchy.bot", "vouchy.web", "vouchy.app", "vouchy.cli")
    assert offenders(modules("actors"), (*forbidden, *DISCORD, *HTTP)) == []


def test_a_features_rules_and_service_never_import_hikari_or_aiohttp() -> None:
    pure = [p for p in modules("features") if p.name not in FACING]
    assert pure, "no feature modules found"
    assert (
        offenders(pure, (*DISCORD, *HTTP, "vouchy.bot", "vouchy.web", "vouchy.cli", "vouchy.app"))
        == []
    )


def test_nothing_below_the_discord_and_web_layers_imports_them() -> None:
    below = [*modules("core"), *modules("store"), *modules("actors"), *modules("ops")]
    below += [p for p in modules("features") if p.name not in FACING]
    assert offenders(below, ("vouchy.bot", "vouchy.web")) == []


def test_a_text_without_both_languages_is_refused() -> None:
    with pytest.raises(i18n.MissingTranslation, match="lacks fr"):
        i18n.register({"test.only_english": {"en": "Hello"}})
    with pytest.raises(i18n.MissingTranslation):
        i18n.register({"test.empty_french": {"en": "Hello", "fr": ""}})


ERRORS = {
    "VouchyError",
    "InvalidInput",
    "InvalidAmount",
    "Refused",
    "PermissionDenied",
    "Busy",
    "StorageUnavailable",
    "SelfTransfer",
    "BotAccount",
}
# Operator-facing modules: the command line and durability speak to whoever runs Vouchy.
OPERATOR = ("cli", "store/durability", "ops", "bench", "testing")


def test_every_refusal_a_member_can_see_names_a_text_in_both_languages() -> None:
    import vouchy.bot.bot  # noqa: F401  (loads every text the bot registers)
    import vouchy.features  # noqa: F401
    from vouchy.bot.bot import VouchyBot  # noqa: F401

    for module in __import__("vouchy.features", fromlist=["extension_modules"]).extension_modules():
        __import__(module)
    missing = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith(OPERATOR):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            if node.func.id not in ERRORS or not node.args:
                continue
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                if not i18n.has(first.value):
                    missing.append(f"{relative}:{node.lineno} {node.func.id}({first.value!r})")
    assert missing == []

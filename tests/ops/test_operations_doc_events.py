"""docs/operations.md lists every log event the code emits, and only those, each with the level
and the fields the code gives it: an operator grepping for an event finds it documented."""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LEVELS = {"debug", "info", "warning", "error", "exception", "critical"}
ALWAYS = {"event", "level", "timestamp"}


@dataclass
class Logged:
    levels: set[str] = field(default_factory=set)
    field_sets: list[set[str]] = field(default_factory=list)
    spreads: bool = False  # some call passes **fields: extra fields are allowed


def log_level(node: ast.AST) -> str | None:
    """``log.warning(...)`` -> "warning"; None for any other call."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
        return None
    if node.func.attr not in LEVELS or "log" not in ast.unparse(node.func.value).lower():
        return None
    return node.func.attr


def wrappers(tree: ast.Module) -> dict[str, set[str]]:
    """Module functions whose first parameter ``event`` is what they log: name -> levels."""
    found: dict[str, set[str]] = {}
    for fn in tree.body:
        if not isinstance(fn, ast.FunctionDef) or not fn.args.args:
            continue
        if fn.args.args[0].arg != "event":
            continue
        for node in ast.walk(fn):
            level = log_level(node)
            if level and isinstance(node, ast.Call) and ast.unparse(node.args[0]) == "event":
                found.setdefault(fn.name, set()).add(level)
    return found


# Log calls whose event is not a written-out name (a wrapper's ``event`` parameter aside).
dynamic: list[str] = []


def logged_events() -> dict[str, Logged]:
    found: dict[str, Logged] = {}
    dynamic.clear()
    for path in (ROOT / "vouchy").rglob("*.py"):
        if {"testing", "bench"} & set(path.relative_to(ROOT).parts):
            continue
        tree = ast.parse(path.read_text())
        through = wrappers(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            constant = isinstance(node.args[0], ast.Constant) and isinstance(
                node.args[0].value, str
            )
            if constant and isinstance(node.func, ast.Name) and node.func.id in through:
                entry = found.setdefault(node.args[0].value, Logged())
                entry.levels |= through[node.func.id]
                entry.field_sets.append({k.arg for k in node.keywords if k.arg is not None})
                entry.spreads = True  # the wrapper adds fields of its own
                continue
            if log_level(node) is None:
                continue
            if not (isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                if not (through and ast.unparse(node.args[0]) == "event"):  # a wrapper's own
                    dynamic.append(f"{path.relative_to(ROOT)}:{node.lineno}")
                continue
            assert isinstance(node.func, ast.Attribute)
            name = node.args[0].value
            entry = found.setdefault(name, Logged())
            entry.levels.add("error" if node.func.attr == "exception" else node.func.attr)
            names = {k.arg for k in node.keywords if k.arg is not None}
            if "exc_info" in names or node.func.attr == "exception":
                names = (names - {"exc_info"}) | {"exception"}
            entry.field_sets.append(names)
            entry.spreads |= any(k.arg is None for k in node.keywords)
    return found


def documented_rows() -> list[tuple[list[str], str, dict[str, object]]]:
    """(event names, level, example) of each row of the events tables."""
    rows = []
    for line in (ROOT / "docs" / "operations.md").read_text().splitlines():
        cells = [c.strip() for c in line.split("|")[1:-1]]
        if len(cells) != 4 or not cells[0].startswith("`") or not cells[2].startswith("`{"):
            continue
        names = re.findall(r"`([a-z0-9_]+)`", cells[0])
        rows.append((names, cells[1], json.loads(cells[2].strip("`"))))
    return rows


def test_every_logged_event_is_documented_and_every_documented_event_is_logged():
    logged = logged_events()
    assert dynamic == [], "an event name must be written out, so that it can be found"
    documented = {name for names, _, _ in documented_rows() for name in names}
    documented.discard("library_log")  # named by vouchy.core.logs for the libraries' lines
    assert len(logged) > 40
    assert sorted(set(logged) - documented) == [], "logged but not in docs/operations.md"
    assert sorted(documented - set(logged)) == [], "in docs/operations.md but never logged"


def test_each_example_has_the_level_and_fields_the_code_logs():
    logged = logged_events()
    for names, level, example in documented_rows():
        assert example["event"] in names, f"the example of {names} is of {example['event']}"
        assert example["level"] == level, f"{names}: the level column and the example differ"
        entry = logged.get(str(example["event"]))
        if entry is None:
            continue  # library_log
        assert level in entry.levels, f"{example['event']} is logged at {entry.levels}"
        fields = set(example) - ALWAYS
        if entry.spreads:
            assert fields >= set.intersection(*entry.field_sets), example["event"]
        else:
            assert fields in entry.field_sets, (
                f"{example['event']}: the example has {sorted(fields)}, "
                f"the code logs {[sorted(f) for f in entry.field_sets]}"
            )

"""Validates REST requests (method, path, query, JSON body) against Discord's OpenAPI 3.1
description, with validators cached per operation and a few documented RELAXATIONS."""

from __future__ import annotations

import dataclasses
import functools
import json
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from importlib import resources
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match
from referencing import Registry
from referencing.jsonschema import DRAFT202012

SPEC_URI = "urn:discord:openapi"
_UNSET = object()
_SCALAR_KEYWORDS = {"type", "pattern", "format", "minLength", "maxLength", "minimum", "maximum"}
_SCALAR_TYPES: dict[str, type | tuple[type, ...]] = {
    "string": str,
    "boolean": bool,
    "integer": int,
    "number": (int, float),
}
_METHODS = ("get", "put", "post", "patch", "delete", "head", "options")


@dataclasses.dataclass(frozen=True, slots=True)
class Match:
    """A concrete path resolved to one of the spec's path templates."""

    template: str
    params: dict[str, str]


class _Node:
    __slots__ = ("literals", "params", "template")

    def __init__(self) -> None:
        self.literals: dict[str, _Node] = {}
        self.params: list[tuple[str, _Node]] = []
        self.template: str | None = None


class PathTemplates:
    """Matches paths against `/a/{b}/c` style templates; a literal segment beats a parameter."""

    def __init__(self, templates: Iterable[str] = ()) -> None:
        self._root = _Node()
        for template in templates:
            self.add(template)

    def add(self, template: str) -> None:
        node = self._root
        for segment in _segments(template):
            if segment.startswith("{") and segment.endswith("}"):
                name = segment[1:-1]
                for existing_name, child in node.params:
                    if existing_name == name:
                        node = child
                        break
                else:
                    child = _Node()
                    node.params.append((name, child))
                    node = child
            else:
                node = node.literals.setdefault(segment, _Node())
        node.template = template

    def match(self, path: str) -> Match | None:
        segments = _segments(path)
        params: dict[str, str] = {}

        def walk(node: _Node, index: int) -> str | None:
            if index == len(segments):
                return node.template
            segment = segments[index]
            child = node.literals.get(segment)
            if child is not None and (found := walk(child, index + 1)) is not None:
                return found
            if not segment:
                return None
            for name, child in node.params:
                params[name] = segment
                if (found := walk(child, index + 1)) is not None:
                    return found
                del params[name]
            return None

        template = walk(self._root, 0)
        return None if template is None else Match(template, dict(params))


def _segments(path: str) -> list[str]:
    path = path.split("?", 1)[0]
    return path.strip("/").split("/") if path.strip("/") else []


def _rewrite_refs(node: Any) -> Any:
    """Point local `#/...` refs of a schema cut out of the spec at the registered spec resource."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#"):
                out[key] = SPEC_URI + value
            else:
                out[key] = _rewrite_refs(value)
        return out
    if isinstance(node, list):
        return [_rewrite_refs(item) for item in node]
    return node


def _coerce_query_value(raw: str, schema: Mapping[str, Any]) -> Any:
    types = schema.get("type")
    types = [types] if isinstance(types, str) else list(types or [])
    if "boolean" in types:
        if raw in ("true", "True"):
            return True
        if raw in ("false", "False"):
            return False
    if "integer" in types:
        try:
            return int(raw)
        except ValueError:
            pass
    if "number" in types:
        try:
            return float(raw)
        except ValueError:
            pass
    return raw


def _describe(error: jsonschema.ValidationError) -> str:
    where = "".join(f"[{p!r}]" for p in error.absolute_path) or " (root)"
    message = error.message
    shown = repr(error.instance)
    if len(shown) > 80 and message.startswith(shown):  # "<huge value> is too long"
        message = f"{shown[:60]}...{shown[-12:]}{message[len(shown) :]}"
    if len(message) > 400:
        message = message[:400] + "..."
    return f"body{where}: {message}"


def _closest_branch_error(error: jsonschema.ValidationError) -> jsonschema.ValidationError | None:
    """For an anyOf/oneOf failure, the error of the branch the value most likely meant.

    Branches rejected on a discriminator (`type` not in an enum/const) are unlikely; among the
    rest the one with the fewest errors wins. Nested unions are followed down.
    """
    if not error.context:
        return None
    by_branch: dict[Any, list[jsonschema.ValidationError]] = {}
    for sub in error.context:
        by_branch.setdefault(sub.relative_schema_path[0], []).append(sub)

    def score(errs: list[jsonschema.ValidationError]) -> tuple[bool, int]:
        discriminator_miss = any(
            list(e.relative_path) == ["type"] and e.validator in ("enum", "const") for e in errs
        )
        return discriminator_miss, len(errs)

    chosen = best_match(min(by_branch.values(), key=score))
    return _closest_branch_error(chosen) or chosen


class OpenAPIValidator:
    """Validates requests against the spec; build with `OpenAPIValidator.default()` to share one."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.spec = spec
        self.paths: Mapping[str, Any] = spec["paths"]
        self.templates = PathTemplates(self.paths)
        self._registry = Registry().with_resource(SPEC_URI, DRAFT202012.create_resource(dict(spec)))
        self._validators: dict[tuple[str, ...], jsonschema.Draft202012Validator] = {}
        self._unions: dict[tuple[str, ...], dict[Any, Mapping[str, Any]]] = {}
        self._scalars: dict[tuple[str, ...], Any] = {}
        self._body_memo: dict[tuple[tuple[str, ...], str], list[str]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def default() -> OpenAPIValidator:
        """The validator for the spec shipped with this package (loaded once per process)."""
        return _default_validator()

    def operation(self, method: str, template: str) -> Mapping[str, Any] | None:
        item = self.paths.get(template)
        if item is None:
            return None
        found: Mapping[str, Any] | None = item.get(method.lower())
        return found

    def methods(self, template: str) -> list[str]:
        return [m.upper() for m in self.paths.get(template, {}) if m in _METHODS]

    def _validator(self, key: tuple[str, ...], schema: Mapping[str, Any]) -> jsonschema.Validator:
        validator = self._validators.get(key)
        if validator is None:
            with self._lock:
                validator = self._validators.get(key)
                if validator is None:
                    validator = jsonschema.Draft202012Validator(
                        _rewrite_refs(schema), registry=self._registry
                    )
                    self._validators[key] = validator
        return validator

    def _resolve(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        while isinstance(schema, Mapping) and isinstance(schema.get("$ref"), str):
            ref = schema["$ref"]
            if not ref.startswith("#/"):
                break
            schema = functools.reduce(lambda node, k: node[k], ref[2:].split("/"), self.spec)
        return schema

    def _discriminated(self, schema: Mapping[str, Any]) -> dict[Any, Mapping[str, Any]] | None:
        """For a union of objects told apart by their `type` (enum/const), branch by value."""
        branches = schema.get("anyOf") or schema.get("oneOf")
        if not branches or len(schema) > 3:
            return None
        by_value: dict[Any, list[Mapping[str, Any]]] = {}
        for branch in branches:
            prop = self._resolve(self._resolve(branch).get("properties", {}).get("type", {}))
            values = prop.get("enum") or ([prop["const"]] if "const" in prop else None)
            if not values:
                return None
            for value in values:
                by_value.setdefault(value, []).append(branch)
        return {value: found[0] for value, found in by_value.items() if len(found) == 1}

    def _scalar_check(self, schema: Mapping[str, Any]) -> Callable[[Any], bool] | None:
        """A plain-Python test for simple scalar schemas (path and query parameters)."""
        schema = self._resolve(schema)
        if not set(schema) <= _SCALAR_KEYWORDS or not isinstance(schema.get("type"), str):
            return None
        kind = _SCALAR_TYPES.get(schema["type"])
        if kind is None:
            return None
        pattern = re.compile(schema["pattern"]) if "pattern" in schema else None
        low, high = schema.get("minimum"), schema.get("maximum")
        min_len, max_len = schema.get("minLength"), schema.get("maxLength")

        def check(value: Any) -> bool:
            if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
                return False
            if isinstance(value, str):
                if pattern is not None and pattern.search(value) is None:
                    return False
                if (min_len is not None and len(value) < min_len) or (
                    max_len is not None and len(value) > max_len
                ):
                    return False
            elif kind is not bool:
                if (low is not None and value < low) or (high is not None and value > high):
                    return False
            return True

        return check

    def _schema_errors(
        self, key: tuple[str, ...], schema: Mapping[str, Any], value: Any
    ) -> list[str]:
        scalar = self._scalars.get(key, _UNSET)
        if scalar is _UNSET:
            scalar = self._scalars[key] = self._scalar_check(schema)
        if scalar is not None and scalar(value):
            return []
        union = self._unions.get(key)
        if union is None:
            union = self._unions[key] = self._discriminated(schema) or {}
        branch = union.get(value.get("type")) if union and isinstance(value, dict) else None
        if branch is not None:
            # Fast path, and a precise message: only the branch this `type` selects.
            validator = self._validator((*key, "type", repr(value.get("type"))), branch)
        else:
            validator = self._validator(key, schema)
        errors = list(validator.iter_errors(value))
        if not errors:
            return []
        best = best_match(errors)
        described = [_describe(best)]
        closest = _closest_branch_error(best)
        if closest is not None:
            described.append(f"closest alternative: {_describe(closest)}")
        return ["; ".join(described)]

    def match(self, method: str, path: str) -> Match | None:
        return self.templates.match(path)

    def validate_request(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, list[str]] | None = None,
        body: Any = None,
        has_body: bool = False,
        content_type: str = "application/json",
    ) -> tuple[Match | None, list[str]]:
        """Return the matched template and a list of problems (empty when the request is valid)."""
        method = method.upper()
        found = self.templates.match(path)
        if found is None:
            return None, [f"{method} {path}: no path in Discord's OpenAPI description matches"]
        operation = self.operation(method, found.template)
        if operation is None:
            allowed = ", ".join(self.methods(found.template))
            return found, [
                f"{method} {path}: {found.template} has no {method} operation (allowed: {allowed})"
            ]
        problems: list[str] = []
        prefix = f"{method} {path} [{found.template}]"
        parameters = [
            *self.paths[found.template].get("parameters", ()),
            *operation.get("parameters", ()),
        ]
        query = query or {}
        known_query: set[str] = set()
        for parameter in parameters:
            name, where = parameter["name"], parameter.get("in")
            schema = parameter.get("schema", {})
            key = (method, found.template, where or "", name)
            if where == "path":
                value = found.params.get(name)
                if value is None:
                    continue
                for error in self._schema_errors(key, schema, value):
                    problems.append(
                        f"{prefix}: path parameter {name}={value!r}: {error.split(': ', 1)[-1]}"
                    )
            elif where == "query":
                known_query.add(name)
                values = query.get(name)
                if not values:
                    if parameter.get("required"):
                        problems.append(f"{prefix}: missing required query parameter {name!r}")
                    continue
                for raw in values:
                    value = _coerce_query_value(raw, schema)
                    for error in self._schema_errors(key, schema, value):
                        problems.append(
                            f"{prefix}: query parameter {name}={raw!r}: {error.split(': ', 1)[-1]}"
                        )
        for name in query:
            if name not in known_query:
                problems.append(f"{prefix}: unknown query parameter {name!r}")

        request_body = operation.get("requestBody")
        if request_body is None:
            if has_body and body not in (None, {}, b"", ""):
                problems.append(f"{prefix}: operation takes no request body but one was sent")
            return found, problems
        if not has_body:
            if request_body.get("required"):
                problems.append(f"{prefix}: request body is required but none was sent")
            return found, problems
        content = request_body.get("content", {})
        media = "application/json"
        if media not in content:
            media = content_type if content_type in content else next(iter(content), media)
        schema = content.get(media, {}).get("schema")
        if schema is not None:
            for error in self._body_errors((method, found.template, "body", media), schema, body):
                problems.append(f"{prefix}: {error}")
        return found, problems

    def _body_errors(self, key: tuple[str, ...], schema: Mapping[str, Any], body: Any) -> list[str]:
        """Body validation, memoised on the serialised body (floods repeat the same bodies)."""
        try:
            memo_key = (key, json.dumps(body, sort_keys=True))
        except (TypeError, ValueError):
            return self._schema_errors(key, schema, body)
        errors = self._body_memo.get(memo_key)
        if errors is None:
            errors = self._schema_errors(key, schema, body)
            if len(self._body_memo) >= 4096:
                self._body_memo.clear()
            self._body_memo[memo_key] = errors
        return list(errors)

    def validate_schema(self, name: str, value: Any) -> list[str]:
        """Check a value against `#/components/schemas/<name>` (e.g. "MessageResponse")."""
        if name not in self.spec["components"]["schemas"]:
            raise KeyError(f"no schema {name!r} in the OpenAPI description")
        schema = {"$ref": f"#/components/schemas/{name}"}
        return self._schema_errors(("schema", name), schema, value)

    def validate_response(self, method: str, template: str, status: int, body: Any) -> list[str]:
        """Check a response the fake produced against the documented response schema."""
        operation = self.operation(method, template)
        if operation is None:
            return [f"{method} {template}: unknown operation"]
        responses = operation.get("responses", {})
        response = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX")
        if response is None:
            return [f"{method} {template}: status {status} is not documented"]
        if "$ref" in response:
            pointer = response["$ref"].lstrip("#/").split("/")
            response = functools.reduce(lambda node, key: node[key], pointer, self.spec)
        schema = response.get("content", {}).get("application/json", {}).get("schema")
        if schema is None:
            return [] if body is None else [f"{method} {template}: {status} has no body"]
        key = (method.upper(), template, "response", str(status))
        return [
            f"response to {method} {template} ({status}): {error}"
            for error in self._schema_errors(key, schema, body)
        ]


# Where the published description is stricter than Discord itself, each with the evidence.
RELAXATIONS = (
    (
        "MessageAttachmentRequest.id may be an integer index: Discord's file-upload docs send "
        '`"attachments": [{"id": 0, ...}]` and hikari does the same',
        ("components", "schemas", "MessageAttachmentRequest", "properties", "id"),
        {
            "anyOf": [
                {"$ref": "#/components/schemas/SnowflakeType"},
                {"type": "integer", "minimum": 0},
            ]
        },
    ),
)


def relax(spec: dict[str, Any]) -> dict[str, Any]:
    """Apply RELAXATIONS to a loaded spec (in place) and return it."""
    for _why, where, schema in RELAXATIONS:
        node = functools.reduce(lambda n, k: n[k], where[:-1], spec)
        node[where[-1]] = schema
    return spec


@functools.cache
def _default_validator() -> OpenAPIValidator:
    text = resources.files(__package__).joinpath("discord-openapi.json").read_text("utf-8")
    return OpenAPIValidator(relax(json.loads(text)))

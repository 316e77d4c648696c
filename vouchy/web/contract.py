"""For tests: check one HTTP answer against the OpenAPI document (status documented, media
type listed, body valid against its schema, required headers present and well formed).

Uses ``jsonschema`` (the ``test`` extra), imported when called, so the server never needs it.
Every endpoint test should pass each answer through ``validate_response``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

# The document's base URI in the schema registry: its "#/..." $refs resolve against it.
_BASE = "urn:vouchy:openapi"


class ContractError(AssertionError):
    """An answer that the OpenAPI document does not allow."""


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _resolve(
    document: Mapping[str, Any], node: Mapping[str, Any], at: str
) -> tuple[Mapping[str, Any], str]:
    """Follow ``$ref``s from ``node`` (found at JSON pointer ``at``): the target and its
    pointer."""
    while "$ref" in node:
        ref = str(node["$ref"])
        if not ref.startswith("#/"):
            raise ContractError(f"cannot follow {ref!r}")
        target: Any = document
        for part in ref[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node, at = target, ref[1:]
    return node, at


def _media(content_type: str) -> str:
    return content_type.split(";")[0].strip().lower()


def _header_value(value: str, schema: Mapping[str, Any]) -> object:
    if schema.get("type") == "integer" and value.strip().lstrip("-").isdigit():
        return int(value)
    return value


def validate_response(
    document: Mapping[str, Any],
    method: str,
    path_template: str,
    status: int,
    body: bytes | str | object,
    *,
    content_type: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> None:
    """Raise ``ContractError`` (an AssertionError) unless the answer of ``method``
    ``path_template`` (``"/v1/guilds/{guild_id}/leaderboard"``) with ``status`` and ``body``
    (bytes or text of JSON, or the decoded value) is one the document allows. Given
    ``content_type`` and ``headers`` (any case), those are checked too."""
    import jsonschema
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    where = f"{method.upper()} {path_template} -> {status}"
    path_item = document.get("paths", {}).get(path_template)
    if path_item is None or method.lower() not in path_item:
        raise ContractError(f"{method.upper()} {path_template} is not in the document")
    responses = path_item[method.lower()]["responses"]
    code = next((c for c in (str(status), f"{status // 100}XX", "default") if c in responses), None)
    if code is None:
        raise ContractError(f"{where}: status {status} is not documented ({sorted(responses)})")
    at = f"/paths/{_escape(path_template)}/{method.lower()}/responses/{code}"
    response, at = _resolve(document, responses[code], at)
    content: Mapping[str, Any] = response.get("content", {})

    if content_type is not None and content and _media(content_type) not in content:
        raise ContractError(f"{where}: media type {content_type!r} is not one of {list(content)}")
    media = _media(content_type) if content_type is not None else next(iter(content), None)
    if media is not None and media in content:
        if isinstance(body, bytes | bytearray | str):
            try:
                value = json.loads(body)
            except ValueError as error:
                raise ContractError(f"{where}: the body is not JSON: {error}") from None
        else:
            value = body
        registry: Registry[Any] = Registry().with_resource(
            _BASE, Resource.from_contents(dict(document), default_specification=DRAFT202012)
        )
        validator = jsonschema.Draft202012Validator(
            {"$ref": f"{_BASE}#{at}/content/{_escape(media)}/schema"},
            registry=registry,
            format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
        )
        errors = sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
        if errors:
            first = errors[0]
            at = "/".join(str(p) for p in first.absolute_path) or "(root)"
            raise ContractError(f"{where}: body at {at}: {first.message}")

    if headers is not None:
        present = {name.lower(): value for name, value in headers.items()}
        for name, declared_header in response.get("headers", {}).items():
            spec, _ = _resolve(document, declared_header, "")
            value = present.get(name.lower())
            if value is None:
                if spec.get("required"):
                    raise ContractError(f"{where}: header {name} is missing")
                continue
            schema = spec.get("schema", {})
            try:
                jsonschema.validate(_header_value(value, schema), schema)
            except jsonschema.ValidationError as error:
                raise ContractError(f"{where}: header {name}: {error.message}") from None

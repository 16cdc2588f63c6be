"""The OpenAPI 3.1 document, built from the routes under /api/v1 and the pydantic schemas that serialise them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import Flask
from pydantic.json_schema import models_json_schema

from pbapp import __version__
from pbapp.api import schemas as s
from pbapp.api.problems import PREFIX

REF = "#/components/schemas/{model}"


@dataclass(frozen=True)
class Endpoint:
    """What the document says about one route: its response schema, summary and whether it pages."""

    name: str
    schema: type[s.Schema] | None
    summary: str
    description: str
    tag: str
    paginated: bool = False
    media_type: str = "application/json"

    def content(self) -> dict:
        if self.schema is not None:
            return {self.media_type: {"schema": {"$ref": REF.format(model=self.schema.__name__)}}}
        return {self.media_type: {"schema": {"type": "object" if self.media_type.endswith("json") else "string"}}}


ENDPOINTS: dict[str, Endpoint] = {}

_ARGUMENT = re.compile(r"<(?:(\w+):)?(\w+)>")
_DESCRIPTIONS = {
    "council": "The council's slug, e.g. blackburn-with-darwen.",
}


def openapi_path(rule: str) -> str:
    """The path of a Flask rule as OpenAPI writes it, relative to the server (which ends in /api/v1)."""
    return _ARGUMENT.sub(lambda m: "{" + m.group(2) + "}", rule.removeprefix(PREFIX)) or "/"


def _parameters(rule, endpoint: Endpoint) -> list[dict]:
    found = []
    for converter, name in _ARGUMENT.findall(rule.rule):
        schema = {"type": "integer", "minimum": 1} if converter == "int" else {"type": "string"}
        found.append(
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": schema,
                "description": _DESCRIPTIONS.get(name, f"The {name.replace('_id', '').replace('_', ' ')}'s id."),
            }
        )
    if endpoint.paginated:
        found.append(
            {
                "name": "page",
                "in": "query",
                "required": False,
                "schema": {"type": "integer", "minimum": 1, "default": 1},
                "description": "The page, from 1.",
            }
        )
        found.append(
            {
                "name": "per_page",
                "in": "query",
                "required": False,
                "schema": {"type": "integer", "minimum": 1, "maximum": s.MAX_PER_PAGE, "default": s.DEFAULT_PER_PAGE},
                "description": f"Items per page, at most {s.MAX_PER_PAGE}.",
            }
        )
    return found


def _problem(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}},
    }


def document(app: Flask, base_url: str) -> dict:
    """Every JSON route of the API under /api/v1, with the schemas of its responses."""
    paths: dict[str, dict] = {}
    models: dict[str, type[s.Schema]] = {"Problem": s.Problem}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        endpoint = ENDPOINTS.get(rule.endpoint)
        if endpoint is None:
            continue
        if endpoint.schema is not None:
            models[endpoint.schema.__name__] = endpoint.schema
        responses = {
            "200": {
                "description": "OK",
                "headers": {
                    "ETag": {"schema": {"type": "string"}, "description": "Send it back in If-None-Match."},
                    "Link": {
                        "schema": {"type": "string"},
                        "description": "The licence (rel=license) and, for pages, the other pages.",
                    },
                },
                "content": endpoint.content(),
            },
            "304": {"description": "Not modified: the ETag sent in If-None-Match still matches."},
            "404": _problem("There is no such resource, or it is not published."),
        }
        if endpoint.paginated:
            responses["400"] = _problem("A query parameter is not usable (page or per_page out of range).")
        paths[openapi_path(rule.rule)] = {
            "get": {
                "operationId": endpoint.name,
                "summary": endpoint.summary,
                "description": endpoint.description,
                "tags": [endpoint.tag],
                "parameters": _parameters(rule, endpoint),
                "responses": responses,
            }
        }
    _, top = models_json_schema([(model, "serialization") for model in models.values()], ref_template=REF)
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {
            "title": "pbapp public data API",
            "version": f"1 ({__version__})",
            "summary": "Read-only, public record of councils' juries, participatory budgeting and budget-setting.",
            "description": "Everything a council publishes in pbapp, as JSON: councils and areas, participatory "
            "budgeting processes, proposals, ballots with their published results and logs, "
            "citizens' juries and their decided recommendations with the council's responses, "
            "budget books and lines, and the register of responses and delivery. Amounts are "
            "whole pence. No personal data is served.",
            "license": {"name": s.LICENCE_NAME, "url": s.LICENCE_URL},
        },
        "servers": [{"url": base_url.rstrip("/")}],
        "paths": paths,
        "components": {"schemas": top.get("$defs", {})},
    }


def docs_view(spec: dict) -> dict:
    """The document laid out for the HTML page: operations with parameters, and schema property tables."""
    operations = []
    for path, item in spec["paths"].items():
        op = item["get"]
        media_type, body = next(iter(op["responses"]["200"]["content"].items()))
        returns = body["schema"]["$ref"].rsplit("/", 1)[1] if "$ref" in body["schema"] else media_type
        operations.append(
            {
                "path": path,
                "id": op["operationId"],
                "summary": op["summary"],
                "description": op["description"],
                "tag": op["tags"][0],
                "parameters": [
                    {
                        "name": p["name"],
                        "in": p["in"],
                        "type": type_label(p["schema"]),
                        "description": p.get("description", ""),
                    }
                    for p in op["parameters"]
                ],
                "returns": returns,
                "returns_schema": "$ref" in body["schema"],
            }
        )
    schemas = []
    for name, schema in sorted(spec["components"]["schemas"].items()):
        required = set(schema.get("required", []))
        schemas.append(
            {
                "name": name,
                "description": schema.get("description", ""),
                "properties": [
                    {
                        "name": prop,
                        "type": type_parts(body),
                        "required": prop in required,
                        "description": body.get("description", ""),
                    }
                    for prop, body in schema.get("properties", {}).items()
                ],
            }
        )
    return {"info": spec["info"], "servers": spec["servers"], "operations": operations, "schemas": schemas}


def type_label(schema: dict) -> str:
    """A short reading of a JSON Schema type: 'integer', 'array of Ballot', 'string (date-time) or null'."""
    return "".join(text for text, _ref in type_parts(schema))


def type_parts(schema: dict) -> list[tuple[str, str | None]]:
    """The reading of a type in pieces, each with the name of the schema it refers to (to link) or None."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return [(name, name)]
    if "anyOf" in schema:
        parts: list[tuple[str, str | None]] = []
        for n, part in enumerate(schema["anyOf"]):
            parts += ([(" or ", None)] if n else []) + type_parts(part)
        return parts
    kind = schema.get("type")
    if kind == "array":
        return [("array of ", None), *type_parts(schema.get("items", {}))]
    if kind == "object" and "additionalProperties" in schema:
        return [("object of ", None), *type_parts(schema["additionalProperties"])]
    if kind is None:
        return [("any", None)]
    return [(f"{kind} ({schema['format']})" if "format" in schema else kind, None)]

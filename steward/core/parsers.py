"""JSON with bounded nesting (PLT-11): a body nested thousands deep is a 400, never a crash.

Python's json module recurses once per level and raises RecursionError near 1,000; whatever
parsed must also survive the code that walks it afterwards (validation, saving, rendering). Every
JSON the application reads from a request goes through ``loads`` — the API's default parser, the
serializers' JSON fields and the pages that take a JSON text (the segment builder, rule tags).
"""

from __future__ import annotations

import json
import re

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_JSON_DEPTH = 64
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")


class JSONTooDeep(ValueError):
    """The text nests objects and arrays deeper than the bound."""

    def __init__(self, limit: int):
        super().__init__(
            _("The JSON is nested too deeply: at most %(limit)d levels of objects and arrays.") % {"limit": limit}
        )
        self.limit = limit


def max_depth() -> int:
    return getattr(settings, "STEWARD_MAX_JSON_DEPTH", MAX_JSON_DEPTH)


def check_text_depth(text: str, limit: int | None = None) -> None:
    """Raises JSONTooDeep when `text` opens more than `limit` objects/arrays at once (strings skipped)."""
    limit = max_depth() if limit is None else limit
    if text.count("[") + text.count("{") <= limit:
        return
    depth = 0
    for match in _BRACKETS.finditer(_STRINGS.sub("", text)):
        if match.group() in "[{":
            depth += 1
            if depth > limit:
                raise JSONTooDeep(limit)
        else:
            depth -= 1


def check_depth(value, limit: int | None = None) -> None:
    """The same bound on an already parsed value (iterative: no recursion on hostile input)."""
    limit = max_depth() if limit is None else limit
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list | tuple):
            children = node
        else:
            continue
        if depth > limit:
            raise JSONTooDeep(limit)
        stack.extend((child, depth + 1) for child in children)


def loads(text, limit: int | None = None):
    """json.loads that refuses deep nesting with JSONTooDeep (a ValueError, like a syntax error)."""
    if isinstance(text, bytes | bytearray):
        text = text.decode("utf-8")
    check_text_depth(text, limit)
    try:
        return json.loads(text)
    except RecursionError as error:  # pragma: no cover — the text check comes first
        raise JSONTooDeep(max_depth() if limit is None else limit) from error


class BoundedJSONParser(JSONParser):
    """The API's JSON parser (REST_FRAMEWORK DEFAULT_PARSER_CLASSES): 400 for too deep a body."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding)
        except UnicodeDecodeError as error:
            raise ParseError(_("The body is not valid %(encoding)s text.") % {"encoding": encoding}) from error
        try:
            return loads(text)
        except JSONTooDeep as error:
            raise ParseError(str(error)) from error
        except ValueError as error:
            raise ParseError(_("JSON parse error - %(error)s") % {"error": error}) from error


class BoundedJSONField(serializers.JSONField):
    """A serializer JSON field whose value (from a JSON body or a form's text) is bounded in depth."""

    def to_internal_value(self, data):
        if self.binary or getattr(data, "is_json_string", False):
            if isinstance(data, bytes):
                data = data.decode()
            try:
                return loads(data)
            except JSONTooDeep as error:
                raise serializers.ValidationError(str(error)) from error
            except ValueError:
                self.fail("invalid")
        try:
            check_depth(data)
        except JSONTooDeep as error:
            raise serializers.ValidationError(str(error)) from error
        return super().to_internal_value(data)

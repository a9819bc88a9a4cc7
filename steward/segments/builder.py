"""The filter builder's form state: a definition edited row by row (server-rendered, htmx)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from steward.core import parsers
from steward.core.errors import DomainError
from steward.segments.definition import FIELDS, OPERATOR_LABELS, check_shape

LIST_OPERATORS = ("between", "in", "holds", "not_holds", "has", "not_has")
EMPTY = {"op": "and", "rules": []}


def new_rule():
    return {"field": "age", "operator": "between", "value": ["", ""]}


def empty() -> dict:
    return {"op": "and", "rules": []}


def parse(text) -> tuple[dict, str | None]:
    """The definition a request carries as JSON text, and what is wrong with it (or None).

    Anything but a well-formed definition (bad JSON, too deep, a rule that is not an object)
    gives the empty definition and a message naming the fault — never an exception (PLT-11)."""
    if not text:
        return empty(), None
    try:
        definition = parsers.loads(text)
    except parsers.JSONTooDeep as error:
        return empty(), str(error)
    except ValueError:
        return empty(), _("The filter definition is not valid JSON.")
    try:
        check_shape(definition)
    except DomainError as error:
        return empty(), str(error.message)
    return definition, None


def load(text) -> dict:
    """The definition `text` carries, or the empty one when it is not a well-formed definition."""
    return parse(text)[0]


def _node(definition, path):
    node = definition
    for part in path:
        node = node["rules"][part]
    return node


def _parse_path(text) -> list[int]:
    return [int(p) for p in text.split(".") if p != ""] if text else []


def _value(operator, text):
    if operator == "never":
        return None
    if operator in LIST_OPERATORS:
        return [part.strip() for part in text.split(",")]
    return text.strip()


def apply_form(data) -> dict:
    """The definition the builder form describes, after its action (add / remove) is applied."""
    definition = load(data.get("definition"))

    def overlay(group, prefix):
        key = ".".join(map(str, prefix))
        if f"op:{key}" in data:
            group["op"] = data.get(f"op:{key}")
        for position, rule in enumerate(group.get("rules", [])):
            path = [*prefix, position]
            if "rules" in rule:
                overlay(rule, path)
                continue
            name = ".".join(map(str, path))
            if f"field:{name}" in data:
                field = data.get(f"field:{name}")
                operator = data.get(f"operator:{name}", "")
                if field != rule.get("field") and field in FIELDS:
                    operator = FIELDS[field].operators[0]  # a new field starts with its first operator
                rule.update(field=field, operator=operator, value=_value(operator, data.get(f"value:{name}", "")))

    overlay(definition, [])
    action, _sep, target = (data.get("action") or "").partition(":")
    try:
        path = _parse_path(target)
        if action == "add_rule":
            _node(definition, path)["rules"].append(new_rule())
        elif action == "add_group":
            _node(definition, path)["rules"].append({"op": "and", "rules": [new_rule()]})
        elif action == "remove" and path:
            del _node(definition, path[:-1])["rules"][path[-1]]
    except (IndexError, KeyError, TypeError, ValueError):
        pass  # a stale or forged path from the browser: keep the definition as it was
    return definition


def rows(definition) -> list[dict]:
    """A flat list of rows (group headers and rules, with depth) for the template."""
    result = []

    def walk(group, prefix, depth):
        key = ".".join(map(str, prefix))
        result.append({"kind": "group", "path": key, "op": group.get("op", "and"), "depth": depth})
        for position, rule in enumerate(group.get("rules", [])):
            path = [*prefix, position]
            if isinstance(rule, dict) and "rules" in rule:
                walk(rule, path, depth + 1)
                continue
            field = FIELDS.get(rule.get("field")) if isinstance(rule, dict) else None
            value = rule.get("value") if isinstance(rule, dict) else ""
            result.append(
                {
                    "kind": "rule",
                    "path": ".".join(map(str, path)),
                    "depth": depth + 1,
                    "field": rule.get("field") if isinstance(rule, dict) else "",
                    "operator": rule.get("operator") if isinstance(rule, dict) else "",
                    "value": ", ".join(map(str, value))
                    if isinstance(value, list)
                    else ("" if value is None else value),
                    "operators": [(op, OPERATOR_LABELS[op]) for op in (field.operators if field else ())],
                    "hints": value_hints(rule.get("field") if isinstance(rule, dict) else ""),
                }
            )
        result.append({"kind": "end", "path": key, "depth": depth})

    walk(definition, [], 0)
    return result


def value_hints(field) -> list[tuple[str, str]]:
    """Suggested values of a field, offered as a datalist under its value box: the active tags' codes."""
    if field != "tag":
        return []
    from steward.tags.models import Tag

    return list(Tag.objects.filter(is_active=True).values_list("code", "name"))


def field_choices():
    return [(key, spec.label) for key, spec in FIELDS.items()]


def complete(definition) -> dict:
    """The definition without the rules still waiting for a value (new rows do not break the count)."""

    def filled(rule):
        if not isinstance(rule, dict) or "rules" in rule or rule.get("operator") == "never":
            return True
        value = rule.get("value")
        values = value if isinstance(value, list) else [value]
        return any(v not in (None, "") for v in values)

    def prune(group):
        rules = []
        for rule in group.get("rules", []):
            if isinstance(rule, dict) and "rules" in rule:
                rule = prune(rule)
                if rule["rules"]:
                    rules.append(rule)
            elif filled(rule):
                rules.append(rule)
        return {**group, "rules": rules}

    return prune(definition)

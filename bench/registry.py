"""The scenario registry. A scenario is a function decorated with ``@scenario``.

    from bench.registry import scenario

    @scenario("customers", "Customer list and 360° view with 50,000 customers")
    def customers(ctx):
        client = ctx.client("rm")
        ctx.measure("customer list · rm", lambda _: client.get("/customers/"))

Every module in ``bench/scenarios/`` is imported by ``load_scenarios()``, so a new module is
all a later issue needs to add.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    func: Callable  # (ScenarioContext) -> None
    module: str


SCENARIOS: dict[str, Scenario] = {}


def scenario(name: str, description: str = ""):
    """Register the decorated function as the scenario `name` (a file-name-safe slug)."""
    if not name.replace("-", "").replace("_", "").isalnum():
        raise ValueError(f"Scenario names are slugs (letters, digits, - and _), not {name!r}")

    def register(func: Callable) -> Callable:
        if name in SCENARIOS and SCENARIOS[name].func is not func:
            raise ValueError(f"Scenario {name!r} is registered twice ({SCENARIOS[name].module}, {func.__module__})")
        doc = (func.__doc__ or "").strip().splitlines()
        SCENARIOS[name] = Scenario(name, description or (doc[0] if doc else ""), func, func.__module__)
        return func

    return register


def load_scenarios() -> dict[str, Scenario]:
    """Import every module of bench.scenarios (each registers its scenarios) and return the registry."""
    from bench import scenarios

    for module in pkgutil.iter_modules(scenarios.__path__):
        if not module.name.startswith("_"):
            importlib.import_module(f"{scenarios.__name__}.{module.name}")
    return dict(sorted(SCENARIOS.items()))

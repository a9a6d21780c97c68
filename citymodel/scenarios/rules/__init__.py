"""The checks of a scenario, one module per rule (see ``citymodel.scenarios.findings.RULES``).

Each takes a :class:`~citymodel.scenarios.context.Context` and returns findings;
:func:`check` runs them all in the report's order.
"""

from __future__ import annotations

from collections.abc import Callable

from citymodel.scenarios.context import Context
from citymodel.scenarios.findings import Finding
from citymodel.scenarios.rules import (
    coverage,
    demolitions,
    height,
    insolation,
    legal,
    parcel_fit,
    permitted_use,
    setbacks,
    social,
    zones,
)

CHECKS: tuple[Callable[[Context], list[Finding]], ...] = (
    parcel_fit.check, setbacks.check, height.check, coverage.check_coverage,
    coverage.check_density, permitted_use.check, zones.check, insolation.check, social.check,
    legal.check,
    demolitions.check,
)


def check(ctx: Context) -> list[Finding]:
    """Every rule's findings, in the report's order."""
    return [finding for rule in CHECKS for finding in rule(ctx)]

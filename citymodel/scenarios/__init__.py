"""Development scenarios: proposed buildings and demolitions, checked against the city's rules.

A scenario's checks run on a :class:`~citymodel.scenarios.context.Context` — the
proposals, the parcels they stand on, the zones, the buildings around them, the rights
and lots on those parcels — in a local metric CRS centred on the proposals, so every
rule is plain geometry on plain data, testable on a case drawn by hand. Each rule lives
in its own module of :mod:`citymodel.scenarios.rules` and returns
:class:`~citymodel.scenarios.findings.Finding` s; :func:`~citymodel.scenarios.rules.check`
runs them all. :mod:`citymodel.scenarios.load` gathers a context from PostGIS.
"""

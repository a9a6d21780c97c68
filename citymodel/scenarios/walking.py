"""Walking distances along the street network (networkx), where streets are imported.

Vertices of the walkable ways that coincide (to 0.1 m) are one node: OpenStreetMap ways
meet at shared nodes. A walk starts at the node nearest the proposals (plus the straight
step to it) and ends at the node nearest the service (likewise). Where no street runs
within ``SNAP_M``, or no path joins the two, the straight line × ``WALK_DETOUR`` stands in.
"""

from __future__ import annotations

import numpy as np
import shapely

from citymodel.planning import WALK_DETOUR

SNAP_M = 250.0


class Network:
    def __init__(self, streets: list[shapely.Geometry]):
        import networkx as nx

        self.graph = nx.Graph()
        for line in streets:
            for part in shapely.get_parts(line):
                coords = np.round(np.asarray(part.coords)[:, :2], 1)
                for a, b in zip(map(tuple, coords[:-1]), map(tuple, coords[1:]), strict=True):
                    if a != b:
                        self.graph.add_edge(a, b, weight=float(np.hypot(b[0] - a[0], b[1] - a[1])))
        self.nodes = list(self.graph.nodes)
        self.points = shapely.points(np.array(self.nodes, dtype=float).reshape(-1, 2))
        self._from: dict = {}

    def __bool__(self) -> bool:
        return len(self.nodes) > 1

    def _snap(self, geometry: shapely.Geometry) -> tuple[tuple, float]:
        """The node nearest a geometry, and the distance to it."""
        distances = shapely.distance(geometry, self.points)
        k = int(np.argmin(distances))
        return self.nodes[k], float(distances[k])

    def distance(self, site: shapely.Geometry, target: shapely.Geometry) -> tuple[float, str]:
        """The walk from site to target, m, and how it was measured: "network" or "detour"."""
        import networkx as nx

        straight = site.distance(target) * WALK_DETOUR
        if not self:
            return straight, "detour"
        start, to_start = self._snap(site)
        end, to_end = self._snap(target)
        if to_start > SNAP_M or to_end > SNAP_M:
            return straight, "detour"
        if start not in self._from:
            self._from[start] = nx.single_source_dijkstra_path_length(self.graph, start, weight="weight")
        along = self._from[start].get(end)
        if along is None:
            return straight, "detour"
        return to_start + along + to_end, "network"

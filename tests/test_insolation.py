"""Sunlight on façades against cases computed by hand: a point and one wall, and a tower
south or north of a residential slab at Moscow's latitude on the norm's date."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
import shapely

from citymodel.planning import insolation_norm
from citymodel.scenarios import insolation
from citymodel.scenarios.context import Building, Context, LocalFrame, Proposal
from citymodel.scenarios.rules import insolation as rule

MOSCOW = LocalFrame(37.6173, 55.7558)


def azimuths(sun: insolation.Sun) -> np.ndarray:
    return np.degrees(np.arctan2(sun.vectors[:, 0], sun.vectors[:, 1])) % 360


def test_a_point_and_one_wall_shade_the_interval_the_geometry_gives():
    sun = insolation.sun_positions(MOSCOW.lon, MOSCOW.lat, date(2026, 4, 22), "Europe/Moscow", 1)
    point = np.array([[0.0, 0.0, 2.0]])
    south = np.array([[0.0, -1.0, 0.0]])
    # a wall 5 m south of the point from x = 0 to x = 10 (and very tall): it hides the sun
    # exactly when the sun's azimuth is between 180° − atan(10 / 5) and 180°
    wall = insolation.scene([(shapely.box(0, -5.2, 10, -5.0), 0.0, 2000.0)])
    lit = insolation.sunlit(point, south, sun, wall)[0]
    az = azimuths(sun)
    facing = np.abs(az - 180) < insolation.LIGHT_ANGLE_DEG
    hidden = (az >= 180 - np.degrees(np.arctan(10 / 5))) & (az <= 180)
    expected = facing & ~hidden
    assert np.count_nonzero(lit != expected) <= 2  # at most the minute at each edge
    assert expected.sum() > 200 and hidden[facing].sum() > 100
    # nothing in the way: lit whenever the sun is in front of the façade
    assert (insolation.sunlit(point, south, sun, None)[0] == facing).all()


def test_periods_and_the_norm():
    lit = np.array([[True] * 60 + [False] * 10 + [True] * 30,  # 2 h continuous, 3 h in all
                    [True] * 35 + [False] * 10 + [True] * 45 + [False] * 10,  # 1.5 h, 2.67 h
                    [True] * 30 + [False] * 10 + [True] * 20 + [False] * 40])  # 1 h, 1.67 h
    longest, total = insolation.periods(lit, 2)
    assert longest == pytest.approx([2.0, 1.5, 1.0]) and total == pytest.approx([3.0, 160 / 60, 100 / 60])
    norm = insolation_norm(55.75)
    assert (norm.continuous_h, norm.interrupted_h, norm.month, norm.day) == (2.0, 2.5, 4, 22)
    assert insolation.meets(norm, longest, total).tolist() == [True, True, False]


def slab_and_tower(tower_y: float) -> Context:
    """A 5-storey residential slab (60 × 12 m) and a 25-storey tower block 100 m wide, 15 m
    of open ground away: from the middle of the slab's south façade the tower hides the
    sun whenever its azimuth is within atan(50 / 15) = 73° of south, leaving under half an
    hour at each end of the façade's day — below the norm's 2 h (or 2.5 h interrupted)."""
    slab = Building(1, shapely.box(-30, -6, 30, 6), height=15, floors=5, use="residential")
    tower = Proposal(1, shapely.box(-50, tower_y - 10, 50, tower_y + 10), height=75, floors=25,
                     use="residential")
    return Context(proposals=[tower], buildings=[slab], frame=MOSCOW)


def test_a_tower_south_of_a_slab_takes_its_south_facade_below_the_norm():
    findings = rule.check(slab_and_tower(-31.0))
    lost = [f for f in findings if f.subject == "existing building 1"]
    assert len(lost) == 1 and lost[0].status == "violation"
    points = np.array(lost[0].details["lost_points"])
    assert (points[:, 1] < -6).all(), "only points of the south façade lose the norm"
    assert len(points) >= 3
    summary = findings[-1]
    assert summary.status == "violation" and summary.details["lose_norm"] == len(points)


def test_the_same_tower_north_of_the_slab_takes_none():
    findings = rule.check(slab_and_tower(31.0))
    assert [f.status for f in findings] == ["ok"]
    assert findings[0].details["lose_norm"] == 0
    assert findings[0].details["points"] > 20


def test_demolishing_the_tower_in_the_way_gives_the_sun_back():
    slab = Building(1, shapely.box(-30, -6, 30, 6), height=15, floors=5, use="residential")
    old_tower = Building(2, shapely.box(-10, -46, 10, -26), height=75, floors=25, use="office")
    low = Proposal(1, shapely.box(100, 100, 110, 110), height=6, use="retail")
    context = Context(proposals=[low], buildings=[slab, old_tower], frame=MOSCOW, demolished={2})
    summary = rule.check(context)[-1]
    assert summary.status == "ok" and summary.details["failed_before"] > 0

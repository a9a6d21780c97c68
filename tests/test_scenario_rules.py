"""Each scenario rule against a case whose answer is known by hand (local metres)."""

from __future__ import annotations

import pytest
import shapely

from citymodel.scenarios.context import (
    Building,
    Construction,
    Context,
    Encumbrance,
    Lot,
    Parcel,
    Proposal,
    Zone,
)
from citymodel.scenarios.findings import RULES, STATUSES, Finding, worst
from citymodel.scenarios.rules import (
    check,
    coverage,
    demolitions,
    height,
    legal,
    parcel_fit,
    permitted_use,
    setbacks,
    zones,
)

PARCEL = Parcel(1, "77:01:0001001:1", shapely.box(0, 0, 30, 40), permitted_use="2.6",
                owner_kinds=("public",), state="01")
ZONE = Zone(10, "territorial", shapely.box(-100, -100, 100, 100), zone_code="Ж-1", max_height_m=15,
            max_floors=4, max_coverage_pct=40, max_density=10, min_setback_m=3,
            permitted_uses=["2.1", "2.6", "3.5.1"])


def ctx(*proposals: Proposal, **kwargs) -> Context:
    return Context(proposals=list(proposals), parcels=kwargs.pop("parcels", [PARCEL]),
                   zones=kwargs.pop("zones", [ZONE]), **kwargs)


def one(findings: list[Finding], rule: str) -> Finding:
    found = [f for f in findings if f.rule == rule]
    assert len(found) == 1, found
    return found[0]


def test_a_footprint_2_m_over_the_boundary_has_2_times_its_depth_outside():
    depth = 12.0
    over = Proposal(1, shapely.box(18, 10, 32, 10 + depth), height=12, use="residential")  # x to 32: 2 m over
    finding = one(parcel_fit.check(ctx(over)), "parcel_fit")
    assert finding.status == "violation"
    assert finding.value == pytest.approx(2 * depth)
    assert finding.geometry.area == pytest.approx(2 * depth)
    assert finding.geometry.bounds == pytest.approx((30, 10, 32, 10 + depth))
    inside = Proposal(2, shapely.box(5, 5, 25, 35), height=12, use="residential")
    assert one(parcel_fit.check(ctx(inside)), "parcel_fit").status == "ok"
    nowhere = Proposal(3, shapely.box(500, 500, 510, 510), height=12, use="residential")
    assert one(parcel_fit.check(ctx(nowhere)), "parcel_fit").status == "violation"


def test_setbacks_measure_the_least_distance_to_the_boundary():
    near = Proposal(1, shapely.box(2, 5, 20, 30), height=12, use="residential")  # 2 m from x = 0
    finding = one(setbacks.check(ctx(near)), "setbacks")
    assert (finding.status, finding.value, finding.limit) == ("violation", pytest.approx(2.0), 3)
    assert finding.geometry.bounds[0] == pytest.approx(2) and finding.geometry.bounds[2] == pytest.approx(3)
    far = Proposal(2, shapely.box(5, 5, 25, 35), height=12, use="residential")
    assert one(setbacks.check(ctx(far)), "setbacks").value == pytest.approx(5.0)
    assert one(setbacks.check(ctx(far)), "setbacks").status == "ok"


def test_height_and_floors_against_the_zone():
    tall = Proposal(1, shapely.box(5, 5, 25, 35), height=21, floors=7, use="residential")
    findings = height.check(ctx(tall))
    assert one(findings, "height").status == "violation" and one(findings, "height").limit == 15
    assert one(findings, "floors").status == "violation" and one(findings, "floors").value == 7
    low = Proposal(2, shapely.box(5, 5, 25, 35), height=12, use="residential")  # 4 floors of 3 m
    assert {f.status for f in height.check(ctx(low))} == {"ok"}
    unlimited = Zone(11, "territorial", ZONE.geometry, zone_code="ОД-1",
                     limits_text={"max_height_m": "unlimited", "max_floors": "not_set"})
    findings = height.check(ctx(tall, zones=[unlimited]))
    assert {f.status for f in findings} == {"not_applicable"}
    assert one(height.check(ctx(tall, zones=[])), "height").status == "no_data"


def test_coverage_and_density_with_one_existing_building():
    existing = Building(7, shapely.box(2, 2, 12, 12), height=9, floors=3, parcel_id=1)  # 100 m², 300 m²
    proposal = Proposal(1, shapely.box(15, 15, 25, 35), height=15, floors=5, use="residential")  # 200 m², 1000 m²
    context = ctx(proposal, buildings=[existing])
    cover = one(coverage.check_coverage(context), "coverage")
    assert cover.value == pytest.approx(100 * 300 / 1200) and cover.status == "ok"
    density = one(coverage.check_density(context), "density")
    assert density.value == pytest.approx(1300 / 1200 * 10) and density.status == "violation"
    assert density.limit == 10 and density.source == "zone Ж-1"
    context.demolished = {7}  # without the old building: 1000 m² on 1200 m²
    assert one(coverage.check_density(context), "density").value == pytest.approx(1000 / 1200 * 10)
    assert one(coverage.check_density(context), "density").status == "ok"
    assert one(coverage.check_coverage(context), "coverage").value == pytest.approx(100 * 200 / 1200)


def test_permitted_use_against_the_zone_and_the_parcel():
    office = Proposal(1, shapely.box(5, 5, 25, 35), height=12, use="office")
    finding = one(permitted_use.check(ctx(office)), "permitted_use")
    assert finding.status == "violation" and "4.1" in finding.message
    home = Proposal(2, shapely.box(5, 5, 25, 35), height=12, use="residential")
    assert one(permitted_use.check(ctx(home)), "permitted_use").status == "ok"
    park = Parcel(1, PARCEL.cadastral_number, PARCEL.geometry, permitted_use="12.0.2",
                  permitted_use_text="общее пользование")
    finding = one(permitted_use.check(ctx(home, parcels=[park])), "permitted_use")
    assert finding.status == "warning" and "12.0.2" in finding.message
    general = Zone(12, "territorial", ZONE.geometry, zone_code="Ж-9", permitted_uses=["2.0"])
    assert one(permitted_use.check(ctx(home, zones=[general])), "permitted_use").status == "ok"


def test_a_footprint_crossing_a_cable_protection_zone():
    strip = Zone(20, "restriction", shapely.box(-50, 18, 80, 22), registry_number="77:01-6.501",
                 restrictions="Запрещается размещать здания")
    proposal = Proposal(1, shapely.box(5, 10, 25, 30), height=12, use="residential")
    finding = one(zones.check(ctx(proposal, zones=[ZONE, strip])), "zones")
    assert finding.status == "violation" and finding.source == "77:01-6.501"
    assert finding.value == pytest.approx(20 * 4) and "Запрещается размещать здания" in finding.message
    clear = Proposal(2, shapely.box(5, 25, 25, 35), height=12, use="residential")
    assert one(zones.check(ctx(clear, zones=[ZONE, strip])), "zones").status == "ok"


def test_legal_risks_of_the_parcel():
    proposal = Proposal(1, shapely.box(5, 5, 25, 35), height=12, use="residential")
    assert one(legal.check(ctx(proposal)), "legal").status == "ok"
    private = Parcel(1, PARCEL.cadastral_number, PARCEL.geometry, owner_kinds=("individual",))
    pipe = Construction(50, "77:01:0001001:5001", "Тепловая сеть", shapely.LineString([(15, -5), (15, 45)]))
    context = ctx(proposal, parcels=[private], constructions=[pipe],
                  encumbrances=[Encumbrance(1, "022006000000", "Аренда", "77-77/001/2020-1", "legal_entity")],
                  lots=[Lot(1, "21000012340000000001", 1, "PUBLISHED"), Lot(1, "2100", 2, "CANCELED")])
    findings = legal.check(context)
    assert [f.status for f in findings] == ["warning"] * 4
    messages = " ".join(f.message for f in findings)
    assert "Аренда" in messages and "individual" in messages and "PUBLISHED" in messages
    crossing = next(f for f in findings if f.geometry is not None)
    assert crossing.value == pytest.approx(40.0)  # the parcel is 40 m deep


def test_demolitions_count_floor_area_and_rights():
    old = Building(7, shapely.box(2, 2, 12, 12), height=9, floors=3, parcel_id=1, rights=2)
    plain = Building(8, shapely.box(14, 2, 24, 12), height=6, parcel_id=1)  # 2 floors of 3 m
    proposal = Proposal(1, shapely.box(5, 15, 25, 35), height=12, use="residential")
    assert one(demolitions.check(ctx(proposal)), "demolitions").status == "not_applicable"
    findings = demolitions.check(ctx(proposal, buildings=[old, plain], demolished={7, 8}))
    assert [f.status for f in findings] == ["warning", "ok", "warning"]
    assert findings[-1].value == pytest.approx(300 + 200)


def test_every_rule_runs_and_speaks_the_report_vocabulary():
    proposal = Proposal(1, shapely.box(18, 10, 32, 22), height=21, floors=7, use="office")
    findings = check(ctx(proposal))
    assert {f.rule for f in findings} <= set(RULES) and all(f.status in STATUSES for f in findings)
    assert worst(findings) == "violation"
    assert {"parcel_fit", "height", "floors", "permitted_use"} <= {f.rule for f in findings
                                                                 if f.status == "violation"}
    with pytest.raises(ValueError):
        Finding("sunshine", "ok", "no such rule")


def test_reaching_into_the_neighbours_parcel_is_outside():
    neighbour = Parcel(2, "77:01:0001001:2", shapely.box(30, 0, 60, 40))
    over = Proposal(1, shapely.box(18, 10, 34, 20), height=12, use="residential")  # 4 m into it
    finding = one(parcel_fit.check(ctx(over, parcels=[PARCEL, neighbour])), "parcel_fit")
    assert finding.status == "violation" and finding.value == pytest.approx(4 * 10)
    assert finding.details["parcels"] == [PARCEL.cadastral_number]


def test_social_infrastructure_within_walking_distance():
    from citymodel.scenarios.context import Service
    from citymodel.scenarios.rules import social

    home = Proposal(1, shapely.box(5, 5, 25, 35), height=30, floors=10, use="residential")  # 6,000 m²
    assert home.residential_area == pytest.approx(6000)
    services = [Service(1, "education", "kindergarten", "Садик", shapely.Point(25 + 200, 20), capacity=50),
                Service(2, "education", "school", "Школа", shapely.Point(25 + 450, 20), capacity=900),
                Service(3, "health", "clinic", "Поликлиника", shapely.Point(25 + 300, 20))]
    context = ctx(home, services=services)
    assert context.residents == 200  # 6,000 m² / 30 m² a resident
    found = {f.subject: f for f in social.check(context)}
    # kindergarten: 200 × 1.3 = 260 m walk ≤ 300 m, but 50 places for 200 × 54 / 1000 = 10.8: ok
    assert found["kindergarten"].status == "ok" and found["kindergarten"].value == pytest.approx(260)
    # school: 450 × 1.3 = 585 m > 500 m
    assert found["school"].status == "violation" and found["school"].value == pytest.approx(585)
    assert found["clinic"].status == "ok"
    crowded = ctx(home, services=[Service(1, "education", "kindergarten", "Садик", shapely.Point(100, 20),
                                          capacity=5)])
    assert {f.subject: f.status for f in social.check(crowded)}["kindergarten"] == "warning"
    office = Proposal(2, shapely.box(5, 5, 25, 35), height=30, use="office")
    assert [f.status for f in social.check(ctx(office))] == ["not_applicable"]


def test_the_envelope_of_a_rectangular_parcel_with_a_setback():
    from citymodel.scenarios.envelope import envelope

    # 30 × 40 m, setback 3 m: 24 × 34 = 816 m² of land may be built on; coverage 40 % caps it
    # at 480 m²; 15 m → 5 floors but the zone allows 4: 1,920 m²; density 10 → 1,200 m² binds
    found = envelope(PARCEL, ZONE, [])
    assert found.footprint.area == pytest.approx(24 * 34)
    assert found.footprint.bounds == pytest.approx((3, 3, 27, 37))
    assert found.footprint_m2 == pytest.approx(480) and (found.floors, found.floors_by) == (4, "floors")
    assert found.floor_area_m2 == pytest.approx(1200) and found.binding == "density"
    loose = Zone(13, "territorial", ZONE.geometry, zone_code="Ж-2", max_height_m=75, min_setback_m=3)
    found = envelope(PARCEL, loose, [])
    assert (found.floors, found.floors_by, found.binding) == (25, "height", "setback")
    assert found.floor_area_m2 == pytest.approx(816 * 25) and found.height_m == 75
    strip = Zone(20, "restriction", shapely.box(-50, 30, 80, 50), registry_number="77:01-6.501")
    found = envelope(PARCEL, loose, [strip], existing_floor_area=1000)
    assert found.footprint.area == pytest.approx(24 * 27) and found.binding == "restrictions"
    assert found.left_m2 == pytest.approx(24 * 27 * 25 - 1000)
    assert envelope(PARCEL, None, []).binding == "no_zone"


def test_walking_follows_the_streets_when_there_are_some():
    from citymodel.scenarios.context import Service
    from citymodel.scenarios.rules import social

    # a school 400 m east across a river; the only bridge is 500 m north: a walk of ~1.4 km
    home = Proposal(1, shapely.box(5, 5, 25, 35), height=30, floors=10, use="residential")
    school = Service(2, "education", "school", "Школа", shapely.Point(425, 20), capacity=900)
    streets = [shapely.LineString([(25, 20), (100, 20), (100, 520), (300, 520), (300, 20), (425, 20)])]
    straight = {f.subject: f for f in social.check(ctx(home, services=[school]))}["school"]
    assert straight.value == pytest.approx(400 * 1.3) and straight.details["measured"] == "detour"
    along = {f.subject: f for f in social.check(ctx(home, services=[school], streets=streets))}["school"]
    assert along.details["measured"] == "network" and along.status == "violation"
    assert along.value == pytest.approx(75 + 500 + 200 + 500 + 125)
    assert "along the streets" in along.source

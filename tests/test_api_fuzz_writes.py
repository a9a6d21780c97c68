"""Generated hostile bodies and paths for every write operation, as an official and as a
planner, on a server of the module's own: never a 5xx.

Bodies are the operation's own fields given values from what breaks validators and
databases (wrong types, huge and non-finite numbers, NUL and lone surrogates, nested
structures, far-away coordinates), plus fields that do not exist. Any answer is fine but
a server error; after the writes, the scenario still exports.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from conftest import query
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.filterwarnings("ignore")
FUZZ = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=30),
    st.sampled_from(["", " ", "\x00", "\ud800", "NaN", "Infinity", "-1e309", "1e309", "2024-13-45",
                     "2024-02-30T25:61:00", "0001-01-01T00:00:00", "9999-12-31T23:59:59+14:00",
                     "77:01:0001001:1", "77:01", "7701234567", "022006000000", "1/2", "3/2", "0/0",
                     "PUBLISHED", "sold", "lease", "residential", "http://x", "javascript:alert(1)",
                     "' OR 1=1 --", "x" * 3000]),
)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                      max_leaves=12)
POINT = st.tuples(st.floats(-200, 200), st.floats(-100, 100)).map(list)
GEOMETRY = st.one_of(
    VALUES,
    st.builds(lambda ring: {"type": "Polygon", "coordinates": [ring + ring[:1]]}, st.lists(POINT, min_size=0, max_size=6)),
    st.builds(lambda ring: {"type": "MultiPolygon", "coordinates": [[ring]]}, st.lists(POINT, max_size=5)),
    st.sampled_from([{"type": "Polygon", "coordinates": [[[37.6, 55.7], [37.6001, 55.7], [37.6001, 55.7001],
                                                          [37.6, 55.7001], [37.6, 55.7]]]},
                     {"type": "GeometryCollection", "geometries": []}, {"type": "Point", "coordinates": [1]}]),
)


def body(fields: tuple[str, ...]):
    """A JSON object with some of these fields (hostile values) and maybe an unknown one."""
    return st.fixed_dictionaries({}, optional={**{f: VALUES for f in fields}, "unknown_field": VALUES})


RIGHT = body(("registration_number", "type_code", "holder_kind", "kind", "type_name", "holder_name",
              "holder_inn", "share", "registered_on", "starts_on", "ends_on"))
LOT = body(("status", "deal_type", "name", "description", "address", "category", "start_price", "price_step",
            "deposit", "final_price", "currency", "result_on", "source_url", "parcels", "notice"))
RESULT = body(("status", "final_price", "result_on"))
SCENARIO = body(("name", "description", "published"))
PROPOSAL = st.fixed_dictionaries({"type": st.sampled_from(["Feature", "FeatureCollection", "x"]),
                                  "geometry": GEOMETRY},
                                 optional={"properties": body(("height", "use", "floors", "min_height",
                                                               "residential_share", "floor_area", "name")),
                                           "features": st.lists(VALUES, max_size=3)})
# path segments, percent-encoded as a client sends them
IDS = st.one_of(st.integers(min_value=-5, max_value=2**64), st.text(max_size=12)).map(
    lambda v: quote(str(v), safe=""))
NOTICES = st.one_of(st.sampled_from(["FUZZ-1", "FUZZ-2", "ЛОТ", "../x", "a" * 120, "%00"]),
                    st.text(max_size=10)).map(lambda v: quote(v, safe=""))


@pytest.fixture(scope="module")
def official(own_api):
    with own_api.client("official") as client:
        yield client


@pytest.fixture(scope="module")
def planner(own_api):
    with own_api.client("planner") as client:
        yield client


@pytest.fixture(scope="module")
def number(own_api):
    return query(own_api.db, "SELECT cadastral_number FROM parcels ORDER BY id LIMIT 1")[0][0]


def sent(client, method: str, path: str, payload) -> int:
    response = client.request(method, path, content=json.dumps(payload).encode(),
                              headers={"Content-Type": "application/json"})
    assert response.status_code < 500, (method, path, payload, response.status_code, response.text[:300])
    return response.status_code


@FUZZ
@given(payload=RIGHT, right_id=IDS)
def test_rights_writes_never_answer_5xx(official, number, payload, right_id):
    sent(official, "POST", f"/parcels/{number}/rights", payload)
    sent(official, "PUT", f"/rights/{right_id}", payload)
    sent(official, "DELETE", f"/rights/{right_id}", None)


@FUZZ
@given(payload=LOT, result=RESULT, notice=NOTICES, lot=IDS)
def test_auction_writes_never_answer_5xx(official, payload, result, notice, lot):
    sent(official, "PUT", f"/auctions/{notice}/{lot}", payload)
    sent(official, "PATCH", f"/auctions/{notice}/{lot}/result", result)


@FUZZ
@given(scenario=SCENARIO, proposal=PROPOSAL, item=IDS)
def test_scenario_writes_never_answer_5xx(planner, scenario, proposal, item):
    status = sent(planner, "POST", "/scenarios", scenario)
    sid = planner.get("/scenarios", params={"mine": "true"}).json()["scenarios"][0]["id"] if status == 201 else 1
    sent(planner, "PATCH", f"/scenarios/{sid}", scenario)
    sent(planner, "POST", f"/scenarios/{sid}/buildings", proposal)
    sent(planner, "PUT", f"/scenarios/{sid}/buildings/{item}", proposal)
    sent(planner, "PUT", f"/scenarios/{sid}/demolitions/{item}", None)
    sent(planner, "DELETE", f"/scenarios/{sid}/buildings/{item}", None)
    sent(planner, "POST", f"/scenarios/{sid}/check", None)
    assert planner.get(f"/scenarios/{sid}.geojson").status_code < 500

"""Generated hostile values for every query parameter of the read endpoints: never a 5xx.

Hypothesis composes values from what breaks parsers and databases — CQL2 fragments
thrown together, huge and non-finite numbers, empty and control characters, NUL,
far-away coordinates — and sends them anonymously to the real server. Any answer is
fine but a server error.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.routes.features import ITEMS_PARAMETERS

COLLECTIONS = ("parcels", "buildings", "lots", "zones", "services", "linear_objects", "point_objects")
FRAGMENTS = st.sampled_from([
    "height", "cadastral_number", "registered_on", "published_at", "max_height_m", "capacity",
    "has_footprint", "permitted_uses", "id", "geometry", "'x'", "'%'", "''", "5", "-0", "1e308",
    "-1e308", "99999999999999999999999", "true", "false", "NULL", "(", ")", "=", "<>", "<", ">=",
    "LIKE", "IN", "BETWEEN", "AND", "OR", "NOT", "IS", "+", "*", "/", ",",
    "S_INTERSECTS(geometry, POINT(1 2))", "S_WITHIN(geometry, POLYGON((0 0, 1 0, 1 1)))",
    "BBOX(1,2,3,4)", "BBOX(1e30,1,2,3)", "DATE('2020-01-01')", "DATE('0001-01-01')",
    "TIMESTAMP('9999-12-31T23:59:59Z')", "CASEI(address)", "CASEI(5)", "POINT(1e30 1e30)",
])
CQL = st.lists(FRAGMENTS, min_size=1, max_size=8).map(" ".join)
NUMBERS = st.one_of(st.integers(), st.floats(allow_nan=True, allow_infinity=True)).map(str)
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
BOX = st.lists(NUMBERS, min_size=0, max_size=7).map(",".join)
CRS = st.sampled_from(["http://www.opengis.net/def/crs/EPSG/0/32637", "http://www.opengis.net/def/crs/EPSG/0/3857",
                       "http://www.opengis.net/def/crs/EPSG/0/4326", "[EPSG:4326]", "EPSG:4326", "x"])
VALUE = st.one_of(TEXT, NUMBERS, CQL, BOX, CRS)
ITEM_PARAMS = st.fixed_dictionaries({}, optional={name: VALUE for name in sorted(ITEMS_PARAMETERS)})
OTHER = [
    ("/services", ("near", "radius", "category", "kind", "q", "limit")),
    ("/search", ("q", "limit", "offset")),
    ("/parcels", ("buildable", "bbox", "limit")),
    ("/scenarios/compare", ("ids",)),
    ("/auctions", ("status", "bidding_type", "deal_type", "published_from", "published_to",
                   "price_min", "price_max", "bbox", "f")),
]

pytestmark = pytest.mark.filterwarnings("ignore")
FUZZ = settings(max_examples=120, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture(scope="module")
def client(api):
    with api.client() as c:
        yield c


@FUZZ
@given(collection=st.sampled_from(COLLECTIONS), params=ITEM_PARAMS)
def test_items_never_answer_5xx(client, collection, params):
    response = client.get(f"/collections/{collection}/items", params=params)
    assert response.status_code < 500, (collection, params, response.text)


@FUZZ
@given(endpoint=st.sampled_from(OTHER), data=st.data())
def test_other_read_endpoints_never_answer_5xx(client, endpoint, data):
    path, names = endpoint
    params = data.draw(st.fixed_dictionaries({}, optional={n: VALUE for n in names}))
    response = client.get(path, params=params)
    assert response.status_code < 500, (path, params, response.text)


@FUZZ
@given(layer=st.sampled_from(COLLECTIONS + ("rights", "x")), z=st.integers(-5, 40),
       x=st.integers(-10, 2**40), y=st.integers(-10, 2**40), number=TEXT)
def test_tiles_and_cards_never_answer_5xx(client, layer, z, x, y, number):
    assert client.get(f"/tiles/{layer}/{z}/{x}/{y}.mvt").status_code < 500
    for path in (f"/parcels/{quote(number, safe='')}", f"/parcels/{quote(number, safe='')}/envelope",
                 f"/services/{quote(number, safe='')}", f"/scenarios/{quote(number, safe='')}/report"):
        response = client.get(path)
        assert response.status_code < 500, (path, response.text)

"""Access control: each role against each endpoint; personal data only for officials;
changes by officials validated, one transaction each, and written to the audit log."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import httpx
import jwt
import mapbox_vector_tile
import pytest
from conftest import query
from helpers import execute, tile_of

ROLES = (None, "viewer", "planner", "official", "admin")


def db(api, sql: str, **params):
    return query(api.db, sql, **params)


@pytest.fixture(scope="module")
def individuals(api):
    """Parcels with rights of individuals, and those individuals' names and INNs."""
    rows = db(api, "SELECT p.cadastral_number, r.holder_name, r.holder_inn FROM rights r "
                   "JOIN parcels p ON p.id = r.parcel_id WHERE r.holder_kind = 'individual' "
                   "AND r.holder_name IS NOT NULL ORDER BY r.id")
    assert len(rows) >= 5
    return rows


def test_anonymous_and_viewers_never_see_individuals_names(api, individuals):
    number, name, inn = individuals[0]
    for role in (None, "viewer", "planner"):
        with api.client(role) as client:
            card = client.get(f"/parcels/{number}").json()
            hidden = [r for r in card["rights"] if r["holder_kind"] == "individual"]
            assert hidden and all(r["holder_name"] is None and r["holder_inn"] is None for r in hidden)
            assert card["personal_data_shown"] is False
            assert name not in json.dumps(card, ensure_ascii=False)
    for role in ("official", "admin"):
        with api.client(role) as client:
            card = client.get(f"/parcels/{number}").json()
            assert name in {r["holder_name"] for r in card["rights"]}
            assert card["personal_data_shown"] is True


def test_legal_entities_stay_public(api):
    number, name = db(api, "SELECT p.cadastral_number, r.holder_name FROM rights r JOIN parcels p "
                           "ON p.id = r.parcel_id WHERE r.holder_kind = 'legal_entity' LIMIT 1")[0]
    with api.client() as client:
        assert name in {r["holder_name"] for r in client.get(f"/parcels/{number}").json()["rights"]}


def test_no_holder_name_in_any_anonymous_response(api, individuals):
    """Every public endpoint, on the parcels of individuals and in bulk."""
    names = {name for _, name, _ in individuals} | {inn for _, _, inn in individuals if inn}
    with api.client() as client:
        bodies = []
        for number, _, _ in individuals:
            bodies.append(client.get(f"/parcels/{number}").text)
            bodies.append(client.get("/search", params={"q": number}).text)
            pid = db(api, "SELECT id FROM parcels WHERE cadastral_number = :n", n=number)[0][0]
            bodies.append(client.get(f"/collections/parcels/items/{pid}").text)
        for path in ("/collections/parcels/items?limit=10000", "/collections/buildings/items?limit=10000",
                     "/collections/lots/items?limit=10000", "/auctions?limit=10000",
                     "/auctions?f=csv&limit=10000", "/collections/parcels/queryables", "/api"):
            bodies.append(client.get(path).text)
        lon, lat = db(api, "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_Centroid(ST_Extent(geom)) c FROM parcels) t")[0]
        x, y = tile_of(lon, lat, 14)
        for layer in ("parcels", "buildings"):
            for dx in (-1, 0, 1):
                tile = client.get(f"/tiles/{layer}/14/{x + dx}/{y}.mvt").content
                bodies.append(json.dumps(mapbox_vector_tile.decode(tile), ensure_ascii=False))
    leaked = [n for n in names if any(n in body for body in bodies)]
    assert not leaked, f"{len(leaked)} names or INNs in anonymous responses"


def test_wrong_credentials_are_401_never_500(api):
    assert httpx.post(api.url + "/auth/token", data={"client_secret": api.keys["viewer"]}).status_code == 200
    expired = jwt.encode({"sub": "test-official", "role": "official", "exp": int(time.time()) - 10},
                         (api.state / "jwt.key").read_text(), algorithm="HS256")
    forged = jwt.encode({"sub": "test-admin", "role": "admin", "exp": int(time.time()) + 600},
                        "a different key of thirty-two bytes or more", algorithm="HS256")
    # signed with the server's own key, but naming no user a database can hold
    strange = [jwt.encode({"sub": sub, "role": "admin", "exp": int(time.time()) + 600},
                          (api.state / "jwt.key").read_text(), algorithm="HS256")
               for sub in ("\ud800", "a\x00b", 5)]
    for header in ("Bearer cm_not-a-key", "Bearer not.a.jwt", f"Bearer {expired}", f"Bearer {forged}",
                   "Basic dXNlcjpwYXNz", "Bearer", "Token abc", *(f"Bearer {t}" for t in strange)):
        for path in ("/parcels/at?lon=37.5&lat=55.7", "/auth/me", "/collections"):
            response = httpx.get(api.url + path, headers={"Authorization": header})
            assert response.status_code == 401, (header, path, response.text)
            assert response.headers["www-authenticate"].startswith("Bearer")


def test_each_role_against_each_protected_endpoint(api):
    number = db(api, "SELECT cadastral_number FROM parcels ORDER BY id LIMIT 1")[0][0]
    notice, lot = "22000123450000000098", 1  # a lot of its own, not one other tests read
    with api.client("official") as official:
        assert official.put(f"/auctions/{notice}/{lot}", json={"status": "PUBLISHED"}).status_code == 201
    result = {"status": "CANCELED"}
    right = {"registration_number": "77:01:0001001:1-77/011/2026-901", "type_code": "022006000000",
             "holder_kind": "legal_entity", "holder_name": "ООО «Ромашка»", "holder_inn": "7701234567"}
    calls = [
        ("PATCH", f"/auctions/{notice}/{lot}/result", result, "official"),
        ("POST", f"/parcels/{number}/rights", right, "official"),
        ("GET", "/users", None, "admin"),
        ("POST", "/users", {"name": "someone", "role": "viewer"}, "admin"),
    ]
    for method, path, body, needed in calls:
        for role in ROLES:
            with api.client(role) as client:
                response = client.request(method, path, json=body)
            allowed = role is not None and ROLES.index(role) >= ROLES.index(needed)
            expected = {None: 401}.get(role, 403) if not allowed else None
            if expected:
                assert response.status_code == expected, (method, path, role, response.text)
            else:
                assert response.status_code in (200, 201), (method, path, role, response.text)
                if method == "POST" and path.endswith("/rights"):  # let the next role add it again
                    db_id = response.json()["id"]
                    with api.client("admin") as admin:
                        assert admin.delete(f"/rights/{db_id}").status_code == 204
                if path == "/users" and method == "POST":
                    execute(api, "DELETE FROM users WHERE name = 'someone'")


def test_token_exchange_and_use(api):
    with httpx.Client(base_url=api.url) as client:
        token = client.post("/auth/token", data={"grant_type": "client_credentials",
                                                 "client_secret": api.keys["official"]})
        assert token.status_code == 200 and token.json()["role"] == "official"
        bearer = {"Authorization": f"Bearer {token.json()['access_token']}"}
        assert client.get("/auth/me", headers=bearer).json()["sees_personal_data"] is True
        assert client.post("/auth/token", data={"client_secret": "cm_wrong"}).status_code == 401


def test_an_official_keeps_a_lot_and_every_change_is_audited(api):
    number = db(api, "SELECT cadastral_number FROM parcels ORDER BY id LIMIT 1")[0][0]
    lot = {"status": "PUBLISHED", "deal_type": "lease", "name": "Аренда участка",
           "start_price": 1_250_000, "parcels": [number],
           "notice": {"bidding_type_name": "Аукцион на право аренды",
                      "published_at": "2026-11-20T09:00:00+03:00"}}
    with api.client("official") as client:
        created = client.put("/auctions/22000123450000000099/1", json=lot)
        assert created.status_code == 201, created.text
        assert created.json()["properties"]["parcels"] == [number]
        card = client.get(f"/parcels/{number}").json()
        assert "22000123450000000099" in {a["notice_number"] for a in card["auctions"]}
        updated = client.patch("/auctions/22000123450000000099/1/result",
                               json={"status": "COMPLETED", "final_price": 1_500_000,
                                     "result_on": "2026-11-23"})
        assert updated.json()["properties"]["final_price"] == 1_500_000
    entries = db(api, "SELECT actor, action, entity, changes FROM audit_log WHERE entity IN "
                      "('lots', 'auction_notices') ORDER BY id DESC LIMIT 3")
    assert [(e[0], e[1], e[2]) for e in entries] == [
        ("test-official", "update", "lots"), ("test-official", "create", "lots"),
        ("test-official", "create", "auction_notices")]
    assert entries[0][3]["status"] == ["PUBLISHED", "COMPLETED"]
    assert entries[0][3]["final_price"] == [None, 1500000.0]


def test_invalid_records_are_refused_naming_the_field_and_change_nothing(api):
    number = db(api, "SELECT cadastral_number FROM parcels ORDER BY id LIMIT 1")[0][0]
    before = db(api, "SELECT (SELECT count(*) FROM rights), (SELECT count(*) FROM lots), "
                     "(SELECT count(*) FROM audit_log)")
    bad_rights = [
        ({"type_code": "123"}, "type_code"),
        ({"holder_inn": "12345"}, "holder_inn"),
        ({"share": "3/2"}, "share"),
        ({"holder_kind": "alien"}, "holder_kind"),
        ({"starts_on": "2026-01-02", "ends_on": "2025-01-01"}, "ends_on"),
    ]
    base = {"registration_number": "77-77/999/2026-1", "type_code": "001001000000",
            "holder_kind": "individual", "holder_name": "Иванов Иван Иванович"}
    with api.client("official") as client:
        for change, field in bad_rights:
            response = client.post(f"/parcels/{number}/rights", json=base | change)
            assert response.status_code == 422, response.text
            assert field in response.json()["description"]
            assert "Иванов" not in response.text
        response = client.put("/auctions/N-1/1", json={"parcels": ["77:01:bad"]})
        assert response.status_code == 422 and "parcels" in response.json()["description"]
        response = client.put("/auctions/N-1/1", json={"status": "SOLD"})
        assert response.status_code == 422 and "status" in response.json()["description"]
    assert db(api, "SELECT (SELECT count(*) FROM rights), (SELECT count(*) FROM lots), "
                   "(SELECT count(*) FROM audit_log)") == before


def test_personal_data_is_not_copied_into_the_audit_log(api):
    number = db(api, "SELECT cadastral_number FROM parcels ORDER BY id LIMIT 1")[0][0]
    right = {"registration_number": "77-77/999/2026-77", "type_code": "001001000000",
             "holder_kind": "individual", "holder_name": "Петрова Анна Сергеевна",
             "holder_inn": "770112345678", "share": "1/2"}
    with api.client("official") as client:
        created = client.post(f"/parcels/{number}/rights", json=right)
        assert created.status_code == 201 and created.json()["holder_name"] == right["holder_name"]
        right_id = created.json()["id"]
        assert client.put(f"/rights/{right_id}", json=right | {"share": "1/3"}).status_code == 200
        assert client.delete(f"/rights/{right_id}").status_code == 204
    log = db(api, "SELECT action, changes::text FROM audit_log WHERE entity = 'rights' "
                  "AND entity_id = :i ORDER BY id", i=right_id)
    assert [a for a, _ in log] == ["create", "update", "delete"]
    assert not any("Петрова" in c or "770112345678" in c for _, c in log)
    assert "(personal data)" in log[0][1] and "share_denominator" in log[1][1]
    assert "Петрова" not in api.log.read_text()


def test_a_registration_number_or_user_name_taken_is_a_409(api):
    number = db(api, "SELECT cadastral_number FROM parcels ORDER BY id LIMIT 1")[0][0]
    right = {"registration_number": "77-77/999/2026-409", "type_code": "001001000000",
             "holder_kind": "legal_entity", "holder_name": "ООО «Вектор»"}
    with api.client("official") as client:
        first = client.post(f"/parcels/{number}/rights", json=right)
        assert first.status_code == 201
        again = client.post(f"/parcels/{number}/rights", json=right)
        assert again.status_code == 409 and "77-77/999/2026-409" in again.json()["description"]
        assert client.delete(f"/rights/{first.json()['id']}").status_code == 204
    with api.client("admin") as admin:
        taken = admin.post("/users", json={"name": "test-viewer", "role": "viewer"})
        assert taken.status_code == 409 and "test-viewer" in taken.json()["description"]


def test_the_command_line_and_the_api_take_the_same_user_names(api):
    """One rule for user names (citymodel.credentials), whoever adds the user."""
    before = db(api, "SELECT count(*) FROM users")[0][0]
    with api.client("admin") as admin:
        refused = admin.post("/users", json={"name": "a b", "role": "viewer"})
        assert refused.status_code == 422 and "name" in json.dumps(refused.json())
    cli = subprocess.run([sys.executable, "-m", "citymodel", "users", "add", "a b", "--role", "viewer"],
                         env=api.env, capture_output=True, text=True)
    assert cli.returncode == 1 and "user name" in cli.stderr and "'a b'" in cli.stderr
    assert db(api, "SELECT count(*) FROM users")[0][0] == before


def test_responses_with_personal_data_are_private_and_not_stored(api, individuals):
    number = individuals[0][0]
    with api.client("official") as official:
        card = official.get(f"/parcels/{number}")
        assert card.json()["personal_data_shown"] is True
        assert card.headers["cache-control"] == "private, no-store"
        right = {"registration_number": f"{number}-77/011/2026-777", "type_code": "022006000000",
                 "holder_kind": "individual", "holder_name": "Частное Лицо", "holder_inn": "771234567899"}
        added = official.post(f"/parcels/{number}/rights", json=right)
        assert added.status_code == 201 and added.headers["cache-control"] == "private, no-store"
        assert added.json()["holder_name"] == "Частное Лицо"
        replaced = official.put(f"/rights/{added.json()['id']}", json=right)
        assert replaced.status_code == 200 and replaced.headers["cache-control"] == "private, no-store"
        assert official.delete(f"/rights/{added.json()['id']}").status_code == 204
    with api.client() as anonymous:  # nothing personal in it: caches may keep it
        assert "no-store" not in anonymous.get(f"/parcels/{number}").headers.get("cache-control", "")

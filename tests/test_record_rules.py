"""One owner per rule: the same records through the importers and through the API get
the same verdicts (accepted, or refused naming the same field), and what the database
keeps satisfies its CHECKs — the rules of ``citymodel.records``."""

from __future__ import annotations

import csv

import pytest
from conftest import query, settings_for
from fastapi.testclient import TestClient

from api.app import create_app
from importers.auctions import import_auctions
from importers.rights import import_rights

# (field, value, accepted?)
RIGHT_CASES = [
    ("holder_inn", "7701234567", True), ("holder_inn", "770123456789", True),
    ("holder_inn", "77012345", False), ("holder_inn", "77O1234567", False),
    ("share", "1/2", True), ("share", "1", True), ("share", " 2 / 3 ", True), ("share", "3/2", False),
    ("share", "0/5", False), ("share", "half", False),
    ("type_code", "022006000000", True), ("type_code", "02200600000", False), ("type_code", "x22006000000", False),
    ("holder_kind", "public", True), ("holder_kind", "person", False),
]
LOT_CASES = [
    ("status", "PUBLISHED", True), ("status", "completed", True), ("status", " Canceled ", True),
    ("status", "SOLD", False), ("status", "ОПУБЛИКОВАН", False),
    ("deal_type", "lease", True), ("deal_type", "Sale", True), ("deal_type", "rent", False),
    ("organizer_inn", "7701234567", True), ("organizer_inn", "123", False),
]


@pytest.fixture(scope="module")
def city(own_api):
    number = query(own_api.db, "SELECT cadastral_number FROM parcels ORDER BY id LIMIT 1")[0][0]
    return own_api.db, own_api.keys["official"], number


def importer_verdicts(url, summary, count: int) -> list[str | None]:
    """Per row: None when accepted, else the field the reject names (kept with the run)."""
    verdicts: list[str | None] = [None] * count
    for locator, field in query(url, "SELECT locator, field FROM import_rejects WHERE run_id = :r",
                                r=summary.run_id):
        verdicts[int(locator.split()[-1]) - 2] = field  # "row N": row 1 is the header
    return verdicts


def test_rights_get_the_same_verdicts_from_the_importer_and_the_api(city, tmp_path):
    url, key, number = city
    path = tmp_path / "rights.csv"
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["cadastral_number", "registration_number", "type_code", "holder_kind", "holder_inn", "share"])
        for i, (field, value, _) in enumerate(RIGHT_CASES):
            row = {"type_code": "001001000000", "holder_kind": "legal_entity", "holder_inn": "", "share": "",
                   field: value}
            writer.writerow([number, f"rule-{i}", row["type_code"], row["holder_kind"], row["holder_inn"], row["share"]])
    summary = import_rights(url, settings_for(url), path, max_rejects=100, dry_run=True)
    imported = importer_verdicts(url, summary, len(RIGHT_CASES))

    app = create_app(settings_for(url))
    through_api = []
    with TestClient(app, headers={"Authorization": f"Bearer {key}"}) as client:
        for i, (field, value, _) in enumerate(RIGHT_CASES):
            body = {"registration_number": f"api-rule-{i}", "type_code": "001001000000",
                    "holder_kind": "legal_entity", field: value}
            response = client.post(f"/parcels/{number}/rights", json=body)
            assert response.status_code in (201, 422), response.text
            through_api.append(None if response.status_code == 201 else
                               next(f for f in ("holder_inn", "share", "type_code", "holder_kind")
                                    if f in response.json()["description"]))
    expected = [None if ok else field for field, _, ok in RIGHT_CASES]
    assert imported == expected
    assert through_api == expected
    # what the API stored is what the importer would have: shares as fractions, no whole
    stored = dict(query(url, "SELECT registration_number, share_numerator::text || '/' || share_denominator::text "
                             "FROM rights WHERE registration_number LIKE 'api-rule-%'"))
    assert stored["api-rule-4"] == "1/2" and stored["api-rule-5"] is None and stored["api-rule-6"] == "2/3"


def test_lots_get_the_same_verdicts_from_the_importer_and_the_api(city, tmp_path):
    url, key, number = city
    path = tmp_path / "lots.csv"
    columns = ["notice_number", "lot_number", "status", "deal_type", "organizer_inn", "cadastral_numbers"]
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        for i, (field, value, _) in enumerate(LOT_CASES):
            row = {"status": "PUBLISHED", "deal_type": "sale", "organizer_inn": "", field: value}
            writer.writerow([f"R-{i}", 1, row["status"], row["deal_type"], row["organizer_inn"], number])
    summary = import_auctions(url, settings_for(url), path, max_rejects=100)
    imported = importer_verdicts(url, summary, len(LOT_CASES))

    app = create_app(settings_for(url))
    through_api = []
    with TestClient(app, headers={"Authorization": f"Bearer {key}"}) as client:
        for i, (field, value, _) in enumerate(LOT_CASES):
            lot = {"status": "PUBLISHED", "deal_type": "sale", "parcels": [number], "notice": {}}
            if field == "organizer_inn":
                lot["notice"]["organizer_inn"] = value
            else:
                lot[field] = value
            response = client.put(f"/auctions/A-{i}/1", json=lot)
            assert response.status_code in (200, 201, 422), response.text
            through_api.append(None if response.status_code < 300 else
                               next(f for f in ("status", "deal_type", "organizer_inn")
                                    if f in response.json()["description"]))
    expected = [None if ok else field for field, _, ok in LOT_CASES]
    assert imported == expected
    assert through_api == expected
    # both spell what they kept the register's way; the two paths stored the same
    by_importer = query(url, "SELECT l.status, l.deal_type FROM lots l JOIN auction_notices n ON n.id = l.notice_id "
                             "WHERE n.notice_number LIKE 'R-%' ORDER BY n.notice_number")
    by_api = query(url, "SELECT l.status, l.deal_type FROM lots l JOIN auction_notices n ON n.id = l.notice_id "
                        "WHERE n.notice_number LIKE 'A-%' ORDER BY n.notice_number")
    assert by_importer == by_api and {s for s, _ in by_api} <= {"PUBLISHED", "COMPLETED", "CANCELED"}


def test_the_database_refuses_what_the_rules_refuse(city):
    """The CHECKs of migration 0009: a writer that skips the rules (plain SQL) is stopped too."""
    url, _, _ = city
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    from citymodel import database
    engine = database.create_engine(url)
    for sql in ("UPDATE lots SET status = 'SOLD'", "UPDATE rights SET holder_inn = '123'",
                "UPDATE auction_notices SET organizer_inn = 'abc'", "UPDATE rights SET type_code = '1'"):
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(text(sql))
    engine.dispose()
    newest = query(url, "SELECT count(*) FROM parcel_latest_lots")[0][0]
    assert newest == query(url, "SELECT count(DISTINCT parcel_id) FROM lot_objects WHERE parcel_id IS NOT NULL")[0][0]


@pytest.fixture(scope="module")
def served(own_api, city):
    url, key, number = city
    return own_api.url, key, number, url


def test_two_officials_creating_the_same_notice_at_once_both_succeed(served):
    """No 409 from a race: the notice is created once, each lot once, whoever comes first."""
    import threading

    import httpx
    base, key, number, url = served
    failures = []

    def put(notice: str, lot: int, barrier: threading.Barrier) -> None:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=30) as client:
            barrier.wait()
            response = client.put(f"/auctions/{notice}/{lot}", json={
                "status": "PUBLISHED", "deal_type": "sale", "parcels": [number],
                "notice": {"organizer_inn": "7701234567"}})
            if response.status_code not in (200, 201):
                failures.append((notice, lot, response.status_code, response.text))

    for k in range(12):
        barrier = threading.Barrier(2)
        same_lot = k % 2 == 0  # the same lot of a new notice, or two lots of it
        threads = [threading.Thread(target=put, args=(f"RACE-{k}", 1 if same_lot else i + 1, barrier))
                   for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert failures == []
    counts = query(url, "SELECT n.notice_number, count(l.id) FROM auction_notices n JOIN lots l ON l.notice_id = n.id "
                        "WHERE n.notice_number LIKE 'RACE-%' GROUP BY n.notice_number")
    assert sorted(c for _, c in counts) == [1] * 6 + [2] * 6


def test_a_parcel_named_in_two_spellings_is_one_object_of_the_lot(served):
    import httpx
    base, key, number, url = served
    other = ":".join(str(int(part)) for part in number.split(":"))  # without the leading zeros
    assert other != number
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=30) as client:
        response = client.put("/auctions/TWO-SPELLINGS/1", json={"status": "PUBLISHED", "parcels": [number, other]})
        assert response.status_code == 201, response.text
    objects = query(url, "SELECT o.cadastral_number FROM lot_objects o JOIN lots l ON l.id = o.lot_id "
                         "JOIN auction_notices n ON n.id = l.notice_id WHERE n.notice_number = 'TWO-SPELLINGS'")
    assert [r[0] for r in objects] == [number]

"""Rights and auctions: attached to their objects; unknown objects reported; status shown."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import DATA, query, run_cli, settings_for
from helpers import BUILDINGS, MAPPING

from importers.auctions import import_auctions
from importers.buildings import import_buildings
from importers.core import ImportFailed
from importers.parcels import import_parcels
from importers.rights import import_rights

HOLDERS = ("Петрова Анна Сергеевна", "Петров Иван Ильич")  # personal data in rights.csv


@pytest.fixture
def district(db):
    """The sample parcels and buildings."""
    import_parcels(db, settings_for(db), DATA / "parcels" / "parcels.geojson")
    import_buildings(db, settings_for(db), BUILDINGS, mapping=MAPPING)
    return db


def test_rights_from_csv_and_json(district):
    csv = import_rights(district, settings_for(district), DATA / "rights" / "rights.csv")
    json = import_rights(district, settings_for(district), DATA / "rights" / "rights.json")
    assert (csv.counts.loaded, json.counts.loaded, csv.rejected + json.rejected) == (4, 2, 0)
    rows = query(district, """
        SELECT coalesce(p.cadastral_number, b.cadastral_number), r.kind, r.type_code, r.holder_kind,
               r.share_numerator, r.share_denominator, r.ends_on
        FROM rights r LEFT JOIN parcels p ON p.id = r.parcel_id LEFT JOIN buildings b ON b.id = r.building_id
        ORDER BY r.registration_number""")
    assert sorted(r[:6] for r in rows) == sorted([
        ("77:01:0004010:101", "right", "001001000000", "public", None, None),
        ("77:01:0004010:102", "right", "001002000000", "individual", 1, 2),
        ("77:01:0004010:102", "right", "001002000000", "individual", 1, 2),
        ("77:01:0004010:102", "encumbrance", "022006000000", "legal_entity", None, None),  # a lease
        ("77:01:0004010:2001", "right", "001001000000", "legal_entity", None, None),  # a building's
        ("77:01:0004010:103", "right", "001001000000", "public", None, None),  # zero-stripped number
    ])
    assert [str(r[6]) for r in rows if r[1] == "encumbrance"] == ["2065-01-09"]
    again = import_rights(district, settings_for(district), DATA / "rights" / "rights.csv")
    assert again.counts.unchanged == 4


def test_a_right_on_an_unknown_object_is_rejected_without_personal_data(district, tmp_path):
    path = tmp_path / "rights.csv"
    path.write_text(
        (DATA / "rights" / "rights.csv").read_text(encoding="utf-8")
        + "77:01:0004010:999,77:01:0004010:999-77/011/2020-1,,001001000000,,individual,"
          "Сидорова Мария Петровна,771234567899,,2020-01-01,,\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportFailed) as caught:
        import_rights(district, settings_for(district), path)
    assert "line 6, field cadastral_number: no parcel or building 77:1:4010:999" in str(caught.value)
    assert query(district, "SELECT count(*) FROM rights") == [(0,)]

    env = {"DATABASE_URL": district.render_as_string(hide_password=False)}
    result = run_cli("import", "rights", str(path), "--max-rejects", "1", env=env)
    assert result.returncode == 0, result.stderr
    assert "4 loaded" in result.stdout and "1 rejected" in result.stdout
    status = run_cli("import", "status", env=env)
    shown = result.stdout + result.stderr + str(caught.value) + status.stdout
    for name in (*HOLDERS, "Сидорова Мария Петровна"):
        assert name not in shown


def test_torgi_notice_and_results(district):
    summary = import_auctions(district, settings_for(district), DATA / "auctions" / "torgi-notice.json")
    assert (summary.counts.loaded, summary.rejected) == (2, 0)
    assert summary.counts.extra["lots_with_unknown_parcels"] == 1
    lots = query(district, """
        SELECT n.notice_number, l.lot_number, l.status, l.deal_type, l.start_price, o.cadastral_number,
               p.cadastral_number, n.organizer_inn, n.bidding_ends_at
        FROM lots l JOIN auction_notices n ON n.id = l.notice_id
        LEFT JOIN lot_objects o ON o.lot_id = l.id LEFT JOIN parcels p ON p.id = o.parcel_id
        ORDER BY l.lot_number""")
    # Lot 1: the number is in its characteristics; linked to the parcel.
    assert lots[0][:7] == ("21000012340000000077", 1, "APPLICATIONS_SUBMISSION", "lease",
                           Decimal("60000.00"), "77:01:0004010:103", "77:01:0004010:103")
    # Lot 2: the number is only in its description, and no such parcel is known: kept, unlinked.
    assert lots[1][:7] == ("21000012340000000077", 2, "PUBLISHED", "sale", Decimal("1200000.00"),
                           "77:01:0004010:999", None)
    assert lots[0][7] == "7705031674" and lots[0][8].isoformat() == "2025-03-05T15:00:00+00:00"

    results = import_auctions(district, settings_for(district), DATA / "auctions" / "results.csv")
    assert results.counts.loaded == 1
    assert query(district, "SELECT l.status, l.final_price, l.result_on::text, p.cadastral_number FROM lots l "
                           "JOIN lot_objects o ON o.lot_id = l.id JOIN parcels p ON p.id = o.parcel_id "
                           "WHERE l.final_price IS NOT NULL") == [
        ("COMPLETED", Decimal("112500000.50"), "2025-04-18", "77:01:0004010:101")]


def test_a_lot_links_when_its_parcel_arrives_later(db):
    import_auctions(db, settings_for(db), DATA / "auctions" / "torgi-notice.json")
    assert query(db, "SELECT count(parcel_id) FROM lot_objects") == [(0,)]
    import_parcels(db, settings_for(db), DATA / "parcels" / "parcels.geojson")
    assert query(db, "SELECT o.cadastral_number FROM lot_objects o WHERE o.parcel_id IS NOT NULL") == [
        ("77:01:0004010:103",)]


def test_import_status_lists_runs_with_counts_and_rejects(district, tmp_path):
    env = {"DATABASE_URL": district.render_as_string(hide_password=False)}
    bad = tmp_path / "bad.csv"
    bad.write_text("cadastral_number,registration_number,type_code,holder_kind\n"
                   "77:01:0004010:101,R-1,1234,public\n", encoding="utf-8")
    failed = run_cli("import", "rights", str(bad), env=env)
    assert failed.returncode == 1
    assert "line 2, field type_code: '1234' is not a 12-digit" in failed.stderr
    assert "Traceback" not in failed.stderr

    status = run_cli("import", "status", env=env)
    assert status.returncode == 0, status.stderr
    lines = status.stdout.splitlines()
    assert "rights" in lines[0] and "failed" in lines[0] and "bad.csv" in lines[0] and "1 rejected" in lines[0]
    assert any("buildings" in line and "succeeded" in line and "3 loaded" in line for line in lines)
    assert any("parcels" in line and "parcels.geojson: 3 loaded" in line for line in lines)

    run = lines[0].split()[1]
    rejects = run_cli("import", "status", "--rejects", run, env=env)
    assert rejects.stdout.strip() == "line 2, field type_code: '1234' is not a 12-digit right or encumbrance type code"

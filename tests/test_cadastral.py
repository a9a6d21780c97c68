"""Cadastral numbers: the real forms parse, the rest are refused with a reason."""

from __future__ import annotations

import re

import pytest
from conftest import KPT_SAMPLE
from hypothesis import given
from hypothesis import strategies as st

from citymodel.cadastral import CadastralNumber, lookup_key
from citymodel.errors import InvalidCadastralNumber

STRICT = re.compile(r"\d{2}:\d{2}:\d{6,7}:\d{1,10}(\(\d+\))?", re.ASCII)


@pytest.mark.parametrize(
    ("text", "quarter_number", "number", "contour", "key"),
    [
        ("26:05:060402:1", "26:05:060402", "1", None, "26:5:60402:1"),  # 6-digit quarter
        ("66:41:0302032:12", "66:41:0302032", "12", None, "66:41:302032:12"),  # 7-digit
        ("77:01:0001013:4915", "77:01:0001013", "4915", None, "77:1:1013:4915"),  # Moscow
        ("68:29:0101048:186", "68:29:0101048", "186", None, "68:29:101048:186"),
        ("66:41:0302032:12(1)", "66:41:0302032", "12", "1", "66:41:302032:12(1)"),  # МКУ
        ("50:20:0000000:308", "50:20:0000000", "308", None, "50:20:0:308"),  # ЕЗП quarter
        (" 77:01:0001013:4915\u00a0", "77:01:0001013", "4915", None, "77:1:1013:4915"),
    ],
)
def test_real_forms_parse(text, quarter_number, number, contour, key):
    parsed = CadastralNumber.parse(text)
    assert parsed.quarter_number == quarter_number
    assert parsed.number == number
    assert parsed.contour == contour
    assert parsed.key == key
    assert str(parsed) == text.strip()


def test_every_number_in_the_real_kpt_file_parses():
    numbers = re.findall(r'CadastralNumber="([^"]+)"', KPT_SAMPLE.read_text(encoding="utf-8"))
    objects = [n for n in numbers if n.count(":") == 3]
    assert len(objects) == 112 + 23  # parcels and buildings of the extract
    parsed = [CadastralNumber.parse(n) for n in objects]
    # The extract's own quarter, and single-use plots (ЕЗП) spanning quarters.
    assert {p.quarter_number for p in parsed} == {"26:05:060402", "26:05:000000"}
    assert len({p.key for p in parsed}) == len(objects)


def test_contour_belongs_to_its_parcel():
    contour = CadastralNumber.parse("66:41:0302032:12(1)")
    assert str(contour.whole) == "66:41:0302032:12"
    assert contour.whole.key == "66:41:302032:12"


def test_zero_stripped_forms_find_the_same_object():
    canonical = CadastralNumber.parse("77:01:0001001:1234")
    assert lookup_key("77:1:1001:1234") == canonical.key
    assert lookup_key("77:01:0001001:1234") == canonical.key
    assert lookup_key(" 77:01:001001:1234 ") == canonical.key
    assert lookup_key("66:41:302032:12(1)") == "66:41:302032:12(1)"
    # Matching ignores padding, never digits: another number is another object.
    assert lookup_key("77:1:1001:1235") != canonical.key


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("26:05:060402", "cadastral quarter (block) number"),
        ("77-01-0001013-4915", "expected 4 parts"),
        ("77:01:0001013:4915:7", "expected 4 parts"),
        ("7:01:0001013:4915", "the okrug '7' has 1 digits; expected 2 digits"),
        ("77:1:0001013:4915", "the district '1' has 1 digits; expected 2 digits"),
        ("77:01:00013:4915", "the quarter '00013' has 5 digits; expected 6 or 7 digits"),
        ("77:01:00000013:4915", "expected 6 or 7 digits"),
        ("77:01:0001013:", "the object number is missing"),
        ("77:01:0001013:0", "must not be zero"),
        ("77:01:0001013:12a", "the object number '12a' must contain digits only"),
        ("77:O1:0001013:12", "the district 'O1' must contain digits only"),
        ("７７:01:0001013:12", "digits only"),  # full-width digits
        ("77:01:0001013:12(0)", "contour number '0' must be a positive whole number"),
        ("77:01:0001013:12(1", "contour suffix must come last"),
        ("77:01:0001013:12(1)x", "contour suffix must come last"),
        ("77:01:0001013:12345678901", "expected 1 to 10 digits"),
    ],
)
def test_malformed_numbers_are_refused_with_the_reason(text, message):
    with pytest.raises(InvalidCadastralNumber) as caught:
        CadastralNumber.parse(text)
    assert message in str(caught.value)
    assert repr(text) in str(caught.value)


def test_lookup_refuses_what_is_no_number():
    with pytest.raises(InvalidCadastralNumber, match="expected 4 parts"):
        lookup_key("Москва, ул. Тверская, 1")
    with pytest.raises(InvalidCadastralNumber, match="must not be zero"):
        lookup_key("77:1:1001:0")


digits = st.text(alphabet="0123456789", min_size=1)
valid = st.tuples(
    digits.filter(lambda s: len(s) == 2),
    st.text(alphabet="0123456789", min_size=2, max_size=2),
    st.text(alphabet="0123456789", min_size=6, max_size=7),
    st.integers(min_value=1, max_value=9_999_999_999).map(str),
    st.one_of(st.none(), st.integers(min_value=1, max_value=999).map(str)),
)


@given(valid)
def test_valid_numbers_round_trip(parts):
    okrug, district, quarter, number, contour = parts
    text = f"{okrug}:{district}:{quarter}:{number}" + (f"({contour})" if contour else "")
    parsed = CadastralNumber.parse(text)
    assert str(parsed) == text
    assert CadastralNumber.parse(str(parsed)) == parsed
    stripped = f"{int(okrug)}:{int(district)}:{int(quarter)}:{int(number)}"
    assert parsed.key == stripped + (f"({int(contour)})" if contour else "")
    assert lookup_key(parsed.key) == parsed.key


@given(st.text(max_size=40))
def test_anything_else_is_refused_with_a_message(text):
    try:
        parsed = CadastralNumber.parse(text)
    except InvalidCadastralNumber as error:
        assert error.reason
        assert repr(text) in str(error)
    else:
        assert STRICT.fullmatch(str(parsed))
        assert int(parsed.number) > 0

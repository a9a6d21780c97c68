"""Planning data: the kinds of zones, their parameters, and the categories of city services.

One owner for these rules: the importers validate against them, the database checks
the same lists (migration 0006 writes them into CHECK constraints), the API and the
viewer read them from here (``/viewer/config.json`` hands the viewer the categories).

Zones (``zones`` table):

- ``territorial`` — a zone of the land-use and development rules (ПЗЗ) with its
  parameters: maximum height (m), floors, built-up percentage, density (floor area,
  thousand m² per hectare, as Moscow's rules give it), minimum setback (m) and the
  permitted uses (classifier codes such as ``2.6``);
- ``restriction`` — a zone with special conditions of use (ЗОУИТ), e.g. the protection
  strip of a cable; Rosreestr's KPT ``Zones/Zone`` elements land here;
- ``heritage`` — a protection zone of a cultural heritage site;
- ``other``.

A parameter is a number, or one of the phrases planning documents use instead of one
("без ограничений", "не установлен", …): such a value is stored as NULL with the phrase
kept beside it (``limits_text``), so "no limit" is told apart from "no data".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ZONE_KINDS = ("territorial", "restriction", "heritage", "other")
ZONE_LIMITS = ("max_height_m", "max_floors", "max_coverage_pct", "max_density", "min_setback_m")
# Phrases of ГПЗУ and ПЗЗ texts that stand for a parameter without a number.
LIMIT_PHRASES = {
    "без ограничений": "unlimited",
    "не установлен": "not_set",
    "не установлено": "not_set",
    "не устанавливается": "not_set",
    "по существующему положению": "existing",
    "действие градостроительного регламента не распространяется": "not_applicable",
}
LIMIT_RANGES = {  # plausible values: anything outside is a typo or another unit
    "max_height_m": (0, 1000), "max_floors": (0, 200), "max_coverage_pct": (0, 100),
    "max_density": (0, 1000), "min_setback_m": (0, 1000),
}


# Rosreestr's zone type classifier (dZone): 218010… territorial zones, 218020… zones with
# special conditions of use, among them 218020020002 the protection zones of cultural
# heritage sites. A KPT v10 zone has no type code: its kind is in its description.
HERITAGE_ZONE_CODE = "218020020002"
_HERITAGE_WORDS = re.compile(r"культурного наследия|охраны объект\w* культур|ОКН\b", re.IGNORECASE)


def register_zone_kind(type_code: str | None, description: str | None,
                       territorial: bool = False) -> str:
    """The kind of a zone of a Rosreestr file, from its type code or its description."""
    code = (type_code or "").strip()
    if territorial or code.startswith("218010"):
        return "territorial"
    if code == HERITAGE_ZONE_CODE or _HERITAGE_WORDS.search(description or ""):
        return "heritage"
    if code.startswith("218020") or not code:
        return "restriction"
    return "other"


class InvalidPlanningValue(ValueError):
    """A zone parameter that is neither a number nor a known phrase."""


@dataclass(frozen=True)
class Limit:
    value: float | None  # None: no number (see phrase)
    phrase: str | None = None  # unlimited | not_set | existing | not_applicable


def parse_limit(name: str, raw) -> Limit:
    """A zone parameter from a file: a number (decimal comma allowed) or a known phrase."""
    if raw is None:
        return Limit(None)
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        value = float(raw)
        if value != value:  # NaN: an empty cell
            return Limit(None)
    else:
        text = " ".join(str(raw).split()).strip().lower().rstrip(".")
        if not text:
            return Limit(None)
        if text in LIMIT_PHRASES:
            return Limit(None, LIMIT_PHRASES[text])
        try:
            value = float(text.replace(",", "."))
        except ValueError:
            raise InvalidPlanningValue(
                f"{raw!r} is not a number nor one of: {', '.join(sorted(LIMIT_PHRASES))}"
            ) from None
    low, high = LIMIT_RANGES[name]
    if not (low <= value <= high):
        raise InvalidPlanningValue(f"{value:g} is outside {low}…{high}")
    return Limit(value)


_USE_CODE = re.compile(r"^(\d{1,2}(\.\d{1,2}){0,3}|\d{12})$")  # 2.6, or a register's 12 digits


def parse_permitted_uses(raw) -> list[str] | None:
    """Permitted-use codes (``2.6; 3.4, 4.1`` or a list) → ``["2.6", "3.4", "4.1"]``."""
    if raw is None:
        return None
    items = raw if isinstance(raw, (list, tuple)) else re.split(r"[;,\s]+", str(raw).strip())
    codes = [str(item).strip() for item in items if str(item).strip()]
    bad = [c for c in codes if not _USE_CODE.match(c)]
    if bad:
        raise InvalidPlanningValue(f"{bad[0]!r} is not a permitted-use code (such as 2.6 or 4.1)")
    return codes or None


# -- proposals -------------------------------------------------------------------------


@dataclass(frozen=True)
class ProposalUse:
    """A use a planner may give a proposed building, and the permitted-use codes
    (classifier of permitted uses of land, Приказ Росреестра П/0412) it needs one of."""

    use: str
    codes: tuple[str, ...]
    residential: bool = False


PROPOSAL_USES = {u.use: u for u in (
    ProposalUse("residential", ("2.1", "2.1.1", "2.5", "2.6"), residential=True),
    ProposalUse("office", ("4.1",)),
    ProposalUse("retail", ("4.4", "4.2")),
    ProposalUse("hotel", ("4.7",)),
    ProposalUse("school", ("3.5.1",)),
    ProposalUse("kindergarten", ("3.5.1",)),
    ProposalUse("clinic", ("3.4.1",)),
    ProposalUse("hospital", ("3.4.2",)),
    ProposalUse("culture", ("3.6", "3.6.1")),
    ProposalUse("sport", ("5.1", "5.1.1", "5.1.2")),
    ProposalUse("industrial", ("6.0", "6.6", "6.9")),
    ProposalUse("garage", ("2.7.1", "4.9")),
)}
STOREY_M = 3.0  # floors of a proposal given only by its height: one a STOREY_M
# Residents of a residential proposal: its residential floor area over this many m² a
# person (a Moscow planning project: 38,964 m² of flats for 1,300 people ≈ 30 m²/person;
# reference planning.md §2). A setting: `CITYMODEL_FLOOR_AREA_PER_RESIDENT_M2`.
FLOOR_AREA_PER_RESIDENT_M2 = 30.0
MAX_PROPOSAL_HEIGHT_M = 1000.0


def code_covers(general: str, code: str) -> bool:
    """Whether the permitted use ``general`` (``2.0``, ``3.5``, ``2.6``) includes ``code``."""
    general, code = general.strip(), code.strip()
    if general == code or code.startswith(general + "."):
        return True
    return general.endswith(".0") and code.startswith(general[:-2] + ".")


def use_permitted(codes: tuple[str, ...], permitted: list[str] | tuple[str, ...]) -> bool:
    """Whether any of a use's codes is among (or under) the permitted ones."""
    return any(code_covers(p, c) for p in permitted for c in codes)


# -- sunlight (insolation) ----------------------------------------------------------


@dataclass(frozen=True)
class InsolationNorm:
    """СанПиН 1.2.3685-21 for living rooms, by latitude (reference planning.md §1; the
    interrupted rule — one period of at least an hour, the total half an hour longer than
    the continuous norm — as public implementations code it, unverified in the primary text).
    The calculation day is the first day of the normative period, as sun rulers are made."""

    zone: str
    min_lat: float  # from this latitude (inclusive) …
    max_lat: float  # … up to this one (exclusive)
    month: int
    day: int
    continuous_h: float
    interrupted_h: float
    longest_period_h: float = 1.0


INSOLATION_NORMS = (
    InsolationNorm("northern", 58.0, 90.0, 4, 22, 2.5, 3.0),
    InsolationNorm("central", 48.0, 58.0, 4, 22, 2.0, 2.5),
    InsolationNorm("southern", -90.0, 48.0, 2, 22, 1.5, 2.0),
)
RESIDENTIAL_USES = ("residential", "apartments")  # existing buildings whose windows are checked


def insolation_norm(lat: float) -> InsolationNorm:
    return next(n for n in INSOLATION_NORMS if n.min_lat <= lat < n.max_lat)


# -- social infrastructure for residents ---------------------------------------------


@dataclass(frozen=True)
class ServiceNorm:
    """How far residents may walk to a kind of service, and the places a thousand of them
    need. Distances: СП 42.13330.2016 (reproduced in planning.md §2; its table number
    unverified). Places per 1,000 residents: Moscow's МГСН 1.01-99 values as commonly
    quoted — kindergartens 54, schools 124, clinics 17.75 visits a shift — unverified in the
    primary text. Walking distance is the straight line × WALK_DETOUR."""

    kind: str
    label: str
    walk_m: float
    per_thousand: float
    unit: str


SERVICE_NORMS = (
    ServiceNorm("kindergarten", "kindergarten", 300, 54, "places"),
    ServiceNorm("school", "school", 500, 124, "places"),
    ServiceNorm("clinic", "clinic", 1000, 17.75, "visits"),
)
WALK_DETOUR = 1.3  # a walk along streets is about this much longer than the straight line
# OpenStreetMap ways people walk along (motorways and their links are not among them).
WALKABLE = ("primary", "primary_link", "secondary", "secondary_link", "tertiary", "tertiary_link",
            "unclassified", "residential", "living_street", "service", "pedestrian", "footway",
            "path", "steps", "cycleway", "track", "road", "trunk", "trunk_link", "corridor")


# -- city services -------------------------------------------------------------------

SERVICE_CATEGORIES = ("education", "health", "culture", "sport", "tourism", "social")
CAPACITY_UNITS = ("places", "visits")


@dataclass(frozen=True)
class ServiceKind:
    kind: str  # school, kindergarten, clinic …
    category: str  # one of SERVICE_CATEGORIES
    capacity_unit: str | None = None  # what a capacity counts


# OpenStreetMap tags → kinds, the first that matches wins (reference: planning.md §4).
OSM_TAGS: tuple[tuple[str, str, ServiceKind], ...] = (
    ("amenity", "kindergarten", ServiceKind("kindergarten", "education", "places")),
    ("amenity", "school", ServiceKind("school", "education", "places")),
    ("amenity", "college", ServiceKind("college", "education", "places")),
    ("amenity", "university", ServiceKind("university", "education", "places")),
    ("amenity", "clinic", ServiceKind("clinic", "health", "visits")),
    ("amenity", "doctors", ServiceKind("clinic", "health", "visits")),
    ("amenity", "hospital", ServiceKind("hospital", "health", "places")),
    ("amenity", "pharmacy", ServiceKind("pharmacy", "health")),
    ("tourism", "museum", ServiceKind("museum", "culture", "visits")),
    ("amenity", "theatre", ServiceKind("theatre", "culture", "places")),
    ("amenity", "library", ServiceKind("library", "culture", "places")),
    ("amenity", "cinema", ServiceKind("cinema", "culture", "places")),
    ("amenity", "arts_centre", ServiceKind("house_of_culture", "culture", "places")),
    ("amenity", "community_centre", ServiceKind("house_of_culture", "culture", "places")),
    ("leisure", "sports_centre", ServiceKind("sports_centre", "sport", "places")),
    ("leisure", "stadium", ServiceKind("stadium", "sport", "places")),
    ("leisure", "swimming_pool", ServiceKind("pool", "sport", "places")),
    ("leisure", "pitch", ServiceKind("sports_ground", "sport")),
    ("tourism", "attraction", ServiceKind("attraction", "tourism")),
    ("tourism", "viewpoint", ServiceKind("viewpoint", "tourism")),
    ("amenity", "social_facility", ServiceKind("social_facility", "social", "places")),
)
OSM_KEYS = tuple(sorted({key for key, _, _ in OSM_TAGS}))

# The kinds the city's open-data files name (data.mos.ru dataset categories), by word.
KINDS = {k.kind: k for _, _, k in OSM_TAGS}


def service_kind_of_tags(tags) -> ServiceKind | None:
    """The service an OSM object's tags describe (``tags.get`` is all that is used)."""
    for key, value, kind in OSM_TAGS:
        if tags.get(key) == value:
            return kind
    return None


def service_kind(name: str) -> ServiceKind:
    """A kind named in a file (``school``); unknown kinds are refused by the importer."""
    try:
        return KINDS[name.strip().lower()]
    except KeyError:
        raise InvalidPlanningValue(f"{name!r} is not a service kind; kinds are: "
                           f"{', '.join(sorted(KINDS))}") from None

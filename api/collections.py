"""The feature collections the API publishes, as SQL over the citymodel schema.

A collection is a FROM clause, an id, a geometry and named properties, each a trusted
SQL expression written here. Requests pick among these names; values from requests
only ever travel as query parameters. No collection exposes personal data: holder
names and INNs live in ``rights``, which only parcel cards show, and only to officials;
suppliers who are persons are not named in ``procurements``.
"""

from __future__ import annotations

from dataclasses import dataclass

from citymodel.models import BUILDING_KINDS, HEIGHT_SOURCES
from citymodel.records import LOT_STATUSES
from citymodel.planning import CAPACITY_UNITS, SERVICE_CATEGORIES, ZONE_KINDS
from citymodel.procurement import KINDS as PROCUREMENT_KINDS
from citymodel.procurement import LAWS as PROCUREMENT_LAWS
from citymodel.procurement import STATUSES as PROCUREMENT_STATUSES

# The newest lot on a parcel (the function of migration 0009, inlined by the planner):
# its status is the parcel's auction status.
LATEST_LOT = "LEFT JOIN LATERAL parcel_latest_lot({parcel_id}) latest ON true"


@dataclass(frozen=True)
class Property:
    name: str
    sql: str  # a trusted expression over the collection's FROM clause
    type: str  # JSON Schema type: string, integer, number, boolean, array
    title: str
    format: str | None = None  # date, date-time
    description: str | None = None
    enum: tuple[str, ...] | None = None

    def schema(self) -> dict:
        schema: dict = {"title": self.title, "type": self.type}
        if self.format:
            schema["format"] = self.format
        if self.description:
            schema["description"] = self.description
        if self.enum:
            schema["enum"] = list(self.enum)
        if self.type == "array":
            schema["items"] = {"type": "string"}
        return schema


@dataclass(frozen=True)
class Collection:
    id: str
    title: str
    description: str
    from_sql: str
    id_sql: str  # an integer, unique, indexed: keyset paging orders by it
    geometry_sql: str  # in the storage CRS; may be NULL
    geometry_type: str
    properties: tuple[Property, ...]
    spatial_sql: str  # a condition on the storage-CRS envelope {env} that can use an index
    temporal: str | None = None  # the property `datetime` filters on
    tile_properties: tuple[str, ...] = ()  # the attributes of its vector tiles
    tile_where: str = "true"
    base_from_sql: str = ""  # from_sql without the joins that only add properties
    joined: tuple[str, ...] = ()  # aliases of those joins: conditions on them need from_sql
    # the data versions (``data_versions``, bumped in any writer's transaction) of every table
    # its features are made from: when set, features and vector tiles made once are kept until
    # one of them changes (api.feature_cache, api.routes.vector_tiles); when empty, never kept
    versions: tuple[str, ...] = ()

    def touches_joins(self, sql: str) -> bool:
        return any(f"{alias}." in sql for alias in self.joined)

    @property
    def single_base(self) -> bool:
        """Whether the base is one table, so that a page can be cut from it first."""
        return bool(self.base_from_sql) and " JOIN " not in self.base_from_sql.upper()

    def page_from(self, inner: str, joins: bool = True) -> str | None:
        """from_sql with its base table replaced by ``inner`` (a subquery selecting one page
        of that table), so the joined properties are computed for that page only (without
        ``joins``, none are); None when the base is not a single table."""
        if not self.single_base:
            return None
        alias = self.base_from_sql.split()[-1]
        return f"({inner}) {alias}" + (self.from_sql[len(self.base_from_sql):] if joins else "")

    def counting_from(self, where: str) -> str:
        """The FROM clause to count matches of ``where`` with: the base table when the
        conditions do not touch the joined properties (counts stay cheap)."""
        if self.base_from_sql and not any(f"{alias}." in where for alias in self.joined):
            return self.base_from_sql
        return self.from_sql

    def property(self, name: str) -> Property | None:
        return next((p for p in self.properties if p.name == name), None)


AUCTION_STATUSES = LOT_STATUSES

PARCELS = Collection(
    id="parcels",
    title="Land parcels",
    description="Cadastral land parcels (земельные участки) with their permitted use and the "
                "status of their newest auction lot.",
    from_sql="parcels p " + LATEST_LOT.format(parcel_id="p.id"),
    id_sql="p.id",
    geometry_sql="p.geom",
    geometry_type="MultiPolygon",
    spatial_sql="p.geom && {env} AND ST_Intersects(p.geom, {env})",
    temporal="registered_on",
    properties=(
        Property("cadastral_number", "p.cadastral_number", "string", "Cadastral number"),
        Property("address", "p.address", "string", "Address"),
        Property("declared_area_m2", "p.declared_area_m2::float8", "number",
                 "Declared area, m²", description="As registered in the cadastre"),
        Property("computed_area_m2", "round(p.computed_area_m2 * 100) / 100", "number",
                 "Computed area, m²", description="Of the boundary, on the WGS 84 spheroid"),
        Property("land_category", "p.land_category", "string", "Land category code"),
        Property("permitted_use", "p.permitted_use", "string", "Permitted use code"),
        Property("permitted_use_text", "p.permitted_use_text", "string", "Permitted use"),
        Property("cadastral_value", "p.cadastral_value::float8", "number", "Cadastral value, RUB"),
        Property("state", "p.state", "string", "Register state code"),
        Property("parcel_type", "p.parcel_type", "string", "Parcel type code"),
        Property("registered_on", "p.registered_on", "string", "Registered on", format="date"),
        Property("auction_status", "latest.status", "string", "Auction status",
                 description="Status of the newest auction lot on the parcel",
                 enum=AUCTION_STATUSES),
    ),
    tile_properties=("cadastral_number", "permitted_use", "permitted_use_text", "auction_status",
                     "computed_area_m2"),
    base_from_sql="parcels p",
    joined=("latest",),
    versions=("parcels", "auctions"),
)

BUILDINGS = Collection(
    id="buildings",
    title="Buildings",
    description="Building footprints with heights, use and the parcel they stand on.",
    from_sql="buildings b LEFT JOIN parcels bp ON bp.id = b.parcel_id "
             + LATEST_LOT.format(parcel_id="b.parcel_id"),
    id_sql="b.id",
    geometry_sql="b.footprint",
    geometry_type="MultiPolygon",
    spatial_sql="b.footprint && {env} AND ST_Intersects(b.footprint, {env})",
    properties=(
        Property("kind", "b.kind", "string", "Kind", enum=BUILDING_KINDS),
        Property("height", "b.height", "number", "Height, m"),
        Property("height_source", "b.height_source", "string", "Height source",
                 enum=HEIGHT_SOURCES),
        Property("floors", "b.floors", "integer", "Floors"),
        Property("min_height", "b.min_height", "number", "Height of the lowest part, m"),
        Property("ground_elevation", "b.ground_elevation", "number", "Ground elevation, m"),
        Property("use", "b.use", "string", "Use"),
        Property("year_built", "b.year_built", "integer", "Year built"),
        Property("address", "b.address", "string", "Address"),
        Property("cadastral_number", "b.cadastral_number", "string", "Cadastral number"),
        Property("parcel", "bp.cadastral_number", "string", "Parcel",
                 description="Cadastral number of the parcel it stands on"),
        Property("auction_status", "latest.status", "string", "Auction status of its parcel",
                 enum=AUCTION_STATUSES),
    ),
    tile_properties=("height", "floors", "use", "year_built", "parcel", "auction_status"),
    tile_where="b.kind <> 'part'",
    base_from_sql="buildings b",
    joined=("bp", "latest"),
    versions=("buildings", "parcels", "auctions"),
)

LOT_GEOMETRY = """LEFT JOIN LATERAL (
    SELECT ST_Multi(ST_Union(lp.geom)) AS geom, array_agg(DISTINCT lp.cadastral_number) AS parcels
    FROM lot_objects lo JOIN parcels lp ON lp.id = lo.parcel_id WHERE lo.lot_id = l.id) lg ON true"""

LOTS = Collection(
    id="lots",
    title="Auction lots",
    description="Lots of land and property auctions (torgi.gov.ru notices), drawn by the "
                "parcels they sell or lease.",
    from_sql="lots l JOIN auction_notices n ON n.id = l.notice_id " + LOT_GEOMETRY,
    id_sql="l.id",
    geometry_sql="lg.geom",
    geometry_type="MultiPolygon",
    spatial_sql="EXISTS (SELECT 1 FROM lot_objects so JOIN parcels sp ON sp.id = so.parcel_id "
                "WHERE so.lot_id = l.id AND sp.geom && {env} AND ST_Intersects(sp.geom, {env}))",
    temporal="published_at",
    properties=(
        Property("notice_number", "n.notice_number", "string", "Notice number"),
        Property("lot_number", "l.lot_number", "integer", "Lot number"),
        Property("status", "l.status", "string", "Status", enum=AUCTION_STATUSES),
        Property("deal_type", "l.deal_type", "string", "Deal", enum=("sale", "lease")),
        Property("bidding_type", "n.bidding_type_name", "string", "Bidding type"),
        Property("bidding_type_code", "n.bidding_type_code", "string", "Bidding type code"),
        Property("bidding_form", "n.bidding_form", "string", "Bidding form"),
        Property("name", "l.name", "string", "Name"),
        Property("address", "l.address", "string", "Address"),
        Property("category", "l.category", "string", "Category"),
        Property("start_price", "l.start_price::float8", "number", "Start price"),
        Property("price_step", "l.price_step::float8", "number", "Price step"),
        Property("deposit", "l.deposit::float8", "number", "Deposit"),
        Property("final_price", "l.final_price::float8", "number", "Final price"),
        Property("currency", "l.currency", "string", "Currency"),
        Property("organizer", "n.organizer_name", "string", "Organizer"),
        Property("published_at", "n.published_at", "string", "Published", format="date-time"),
        Property("bidding_starts_at", "n.bidding_starts_at", "string", "Bidding starts",
                 format="date-time"),
        Property("bidding_ends_at", "n.bidding_ends_at", "string", "Bidding ends",
                 format="date-time"),
        Property("result_on", "l.result_on", "string", "Result determined on", format="date"),
        Property("source_url", "coalesce(l.source_url, n.source_url)", "string", "Source notice"),
        Property("parcels", "lg.parcels", "array", "Parcels",
                 description="Cadastral numbers of the lot's parcels"),
    ),
    base_from_sql="lots l JOIN auction_notices n ON n.id = l.notice_id",
    joined=("lg",),
)

ZONES = Collection(
    id="zones",
    title="Planning zones",
    description="Territorial zones of the land-use and development rules with their parameters, "
                "zones with special conditions of use (ЗОУИТ) and heritage protection zones.",
    from_sql="zones z",
    id_sql="z.id",
    geometry_sql="z.geom",
    geometry_type="MultiPolygon",
    spatial_sql="z.geom && {env} AND ST_Intersects(z.geom, {env})",
    properties=(
        Property("kind", "z.kind", "string", "Kind", enum=ZONE_KINDS,
                 description="territorial: a zone of the rules with its parameters; restriction: "
                             "a zone with special conditions of use; heritage: a protection zone "
                             "of a cultural heritage site"),
        Property("zone_code", "z.zone_code", "string", "Zone code"),
        Property("name", "z.name", "string", "Name"),
        Property("registry_number", "z.registry_number", "string", "Registry number"),
        Property("description", "z.description", "string", "Description"),
        Property("restrictions", "z.restrictions", "string", "Restrictions"),
        Property("max_height_m", "z.max_height_m", "number", "Maximum height, m"),
        Property("max_floors", "z.max_floors", "integer", "Maximum floors"),
        Property("max_coverage_pct", "z.max_coverage_pct", "number", "Maximum built-up share, %"),
        Property("max_density", "z.max_density", "number", "Maximum density, thousand m²/ha",
                 description="Floor area per hectare of the parcel, as Moscow's rules give it"),
        Property("min_setback_m", "z.min_setback_m", "number", "Minimum setback, m"),
        Property("permitted_uses", "z.permitted_uses", "array", "Permitted uses",
                 description="Codes of the permitted-use classifier"),
        Property("source", "z.source", "string", "Source"),
    ),
    tile_properties=("kind", "zone_code", "name", "registry_number", "max_height_m",
                     "max_floors"),
    base_from_sql="zones z",
    versions=("zones",),
)

SERVICES = Collection(
    id="services",
    title="City services",
    description="Schools, kindergartens, clinics, museums, theatres, libraries, sports "
                "grounds and other places the city offers, as points.",
    from_sql="services s",
    id_sql="s.id",
    geometry_sql="s.geom",
    geometry_type="Point",
    spatial_sql="s.geom && {env} AND ST_Intersects(s.geom, {env})",
    properties=(
        Property("category", "s.category", "string", "Category", enum=SERVICE_CATEGORIES),
        Property("kind", "s.kind", "string", "Kind"),
        Property("name", "s.name", "string", "Name"),
        Property("address", "s.address", "string", "Address"),
        Property("capacity", "s.capacity", "integer", "Capacity"),
        Property("capacity_unit", "s.capacity_unit", "string", "Capacity counts",
                 enum=CAPACITY_UNITS),
        Property("opening_hours", "s.opening_hours", "string", "Opening hours"),
        Property("external_id", "s.external_id", "string", "Id in the source"),
        Property("source", "s.source", "string", "Source"),
    ),
    tile_properties=("category", "kind", "name", "capacity"),
    base_from_sql="services s",
    versions=("services",),
)


# What a procurement concerns, drawn: its parcels and the footprints of its buildings; the
# ways it was linked; its suppliers' names where they are companies (a person's name never:
# it is personal data, shown on the procurement's own page to officials only)
PROCUREMENT_OBJECTS = """LEFT JOIN LATERAL (
    SELECT ST_Multi(ST_Union(coalesce(op.geom, ob.footprint))) AS geom,
           string_agg(DISTINCT po.method, ', ') AS methods,
           array_remove(array_agg(DISTINCT coalesce(op.cadastral_number, ob.cadastral_number)), NULL) AS objects
    FROM procurement_objects po LEFT JOIN parcels op ON op.id = po.parcel_id
    LEFT JOIN buildings ob ON ob.id = po.building_id WHERE po.procurement_id = pr.id) pg ON true"""
PROCUREMENT_SUPPLIERS = """LEFT JOIN LATERAL (
    SELECT string_agg(CASE WHEN ps.kind IN ('legal_entity', 'foreign_legal_entity') THEN ps.name
                           ELSE NULL END, '; ' ORDER BY ps.position) AS names
    FROM procurement_suppliers ps WHERE ps.procurement_id = pr.id) pn ON true"""

PROCUREMENTS = Collection(
    id="procurements",
    title="Public procurement",
    description="Notices and contracts of public procurement (44-ФЗ, 223-ФЗ), drawn by the "
                "parcels and buildings they concern.",
    from_sql="procurements pr " + PROCUREMENT_OBJECTS + " " + PROCUREMENT_SUPPLIERS,
    id_sql="pr.id",
    geometry_sql="pg.geom",
    geometry_type="MultiPolygon",
    spatial_sql="EXISTS (SELECT 1 FROM procurement_objects so LEFT JOIN parcels sp ON sp.id = so.parcel_id "
                "LEFT JOIN buildings sb ON sb.id = so.building_id WHERE so.procurement_id = pr.id "
                "AND coalesce(sp.geom, sb.footprint) && {env} "
                "AND ST_Intersects(coalesce(sp.geom, sb.footprint), {env}))",
    temporal="signed_on",
    properties=(
        Property("kind", "pr.kind", "string", "Kind", enum=PROCUREMENT_KINDS),
        Property("law", "pr.law", "string", "Law", enum=PROCUREMENT_LAWS,
                 description="44: 44-ФЗ; 223: 223-ФЗ"),
        Property("purchase_number", "pr.purchase_number", "string", "Purchase number",
                 description="The notice's number (a contract's: its notice's)"),
        Property("registry_number", "pr.registry_number", "string", "Contract registry number"),
        Property("subject", "pr.subject", "string", "Subject"),
        Property("price", "pr.price::float8", "number", "Price",
                 description="A contract's price; a notice's maximum price"),
        Property("currency", "pr.currency", "string", "Currency"),
        Property("published_on", "pr.published_on", "string", "Published", format="date"),
        Property("signed_on", "pr.signed_on", "string", "Signed", format="date"),
        Property("starts_on", "pr.starts_on", "string", "Execution starts", format="date"),
        Property("ends_on", "pr.ends_on", "string", "Execution ends", format="date"),
        Property("status", "pr.status", "string", "Status", enum=PROCUREMENT_STATUSES),
        Property("construction_works", "pr.construction_works", "boolean", "Construction works"),
        Property("customer", "pr.customer_name", "string", "Customer"),
        Property("customer_inn", "pr.customer_inn", "string", "Customer's INN"),
        Property("okpd2", "' ' || array_to_string(pr.okpd2, ' ') || ' '", "string", "ОКПД2 codes",
                 description="Space-separated, with a space before the first: filter a prefix with "
                             "LIKE '% 41%'"),
        Property("suppliers", "pn.names", "string", "Suppliers",
                 description="Companies; suppliers who are persons are not named here"),
        Property("link_methods", "pg.methods", "string", "Linked by",
                 description="How it was linked to its parcels and buildings: cadastral_number, "
                             "address, register_id, manual"),
        Property("objects", "pg.objects", "array", "Objects",
                 description="Cadastral numbers of the parcels and buildings it concerns"),
    ),
    base_from_sql="procurements pr",
    joined=("pg", "pn"),
)


def _register_parts(id_: str, title: str, description: str, column: str, geometry_type: str):
    """The lines or points of register objects (buildings.lines / buildings.points)."""
    base = f"(SELECT * FROM buildings WHERE {column} IS NOT NULL) o"
    return Collection(
        id=id_, title=title, description=description, from_sql=base, id_sql="o.id",
        geometry_sql=f"o.{column}", geometry_type=geometry_type,
        spatial_sql=f"o.{column} && {{env}} AND ST_Intersects(o.{column}, {{env}})",
        properties=(
            Property("cadastral_number", "o.cadastral_number", "string", "Cadastral number"),
            Property("kind", "o.kind", "string", "Kind", enum=BUILDING_KINDS),
            Property("use", "o.use", "string", "Use or assignment"),
            Property("address", "o.address", "string", "Address"),
            Property("has_footprint", "(o.footprint IS NOT NULL)", "boolean", "Has a footprint",
                     description="Whether the object also has closed rings (in buildings)"),
            Property("source", "o.source", "string", "Source"),
        ),
        tile_properties=("cadastral_number", "use"),
        base_from_sql=base,
        versions=("buildings",),
    )


LINEAR_OBJECTS = _register_parts(
    "linear_objects", "Linear objects",
    "The open lines of register constructions — pipes, cables, roads — as Rosreestr gives them.",
    "lines", "MultiLineString")
POINT_OBJECTS = _register_parts(
    "point_objects", "Point objects",
    "Register constructions given as single points — masts, posts, wells.",
    "points", "MultiPoint")

COLLECTIONS = {c.id: c for c in (PARCELS, BUILDINGS, LOTS, ZONES, SERVICES, LINEAR_OBJECTS,
                                 POINT_OBJECTS, PROCUREMENTS)}

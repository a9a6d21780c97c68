"""Settings, read from the environment over an optional TOML config file.

Precedence, highest first: environment variables (``CITYMODEL_*``, and the
conventional ``DATABASE_URL``), then the config file, then the defaults below.
The config file is ``$CITYMODEL_CONFIG`` if set (it must then exist), else
``./citymodel.toml`` when present. Its keys are the field names below::

    database_url = "postgresql://user:secret@db.example:5432/city"
    state_dir = "/var/lib/citymodel"
    storage_crs = "EPSG:4326"

    [crs_overrides]
    "МСК-77" = "+proj=tmerc ... +towgs84=..."

Relative paths are taken relative to the current directory.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from citymodel.errors import ConfigurationError
from citymodel.heights import HEIGHT_DATUMS
from citymodel.planning import FLOOR_AREA_PER_RESIDENT_M2

CONFIG_ENV = "CITYMODEL_CONFIG"
DEFAULT_CONFIG_FILE = Path("citymodel.toml")


def config_file() -> Path | None:
    """The config file in force, or None; a named file that is missing is an error."""
    named = os.environ.get(CONFIG_ENV)
    if named:
        path = Path(named)
        if not path.is_file():
            raise ConfigurationError(f"{CONFIG_ENV} names {path}, which is not a file")
        return path
    return DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.is_file() else None


class Settings(BaseSettings):
    """Everything that can be configured; see the module docstring for the sources."""

    model_config = SettingsConfigDict(env_prefix="CITYMODEL_", extra="forbid")

    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("DATABASE_URL", "CITYMODEL_DATABASE_URL", "database_url"),
        description="An external PostGIS to use; when unset, the project runs its own cluster.",
    )
    state_dir: Path = Field(
        default=Path(".citymodel"),
        description="Where the local cluster, built tiles and other state live.",
    )
    storage_crs: str = Field(
        default="EPSG:4326",
        description="The one CRS every geometry is stored in; fixed when the schema is created.",
    )
    tiles_dir: Path | None = Field(
        default=None, description="Where built 3D Tiles go; default <state_dir>/tiles."
    )
    host: str = Field(default="127.0.0.1", description="Address the API server binds to.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port of the API server.")
    api_default_limit: int = Field(default=100, ge=1, description="Features per page by default.")
    api_max_limit: int = Field(default=10_000, ge=1,
                               description="The most features a page holds; larger limits are clamped.")
    jwt_secret: str | None = Field(
        default=None, min_length=32,
        description="Key that signs and checks the API's JWT bearer tokens (HS256); when unset, "
                    "a random key is kept in <state_dir>/jwt.key.",
    )
    token_minutes: int = Field(default=60, ge=1, description="Lifetime of issued tokens.")
    cors_origins: list[str] = Field(default_factory=lambda: ["*"],
                                    description="Origins browsers may call the API from.")
    viewer_dir: Path | None = Field(
        default=None, description="The built web viewer the API serves at /; default viewer/dist."
    )
    viewer_imagery_url: str | None = Field(
        default=None,
        description="Base imagery of the web viewer: an XYZ URL template such as "
                    "https://tile.openstreetmap.org/{z}/{x}/{y}.png; default: the Natural Earth II "
                    "imagery bundled with CesiumJS (works offline).",
    )
    viewer_imagery_credit: str | None = Field(
        default=None, description="Attribution shown for the configured imagery.")
    viewer_imagery_max_zoom: int = Field(default=19, ge=0, le=24,
                                         description="The imagery server's deepest zoom level.")
    viewer_terrain_url: str | None = Field(
        default=None,
        description="A quantized-mesh terrain server (CesiumJS's CesiumTerrainProvider) for the "
                    "web viewer; default: the imported terrain (/terrain/), else the plain WGS 84 "
                    "ellipsoid.",
    )
    viewer_timezone: str = Field(
        default="Europe/Moscow",
        description="The city's time zone (IANA name): the viewer's shadow times are wall-clock "
                    "times there.",
    )
    public_statement_timeout_ms: int = Field(
        default=5_000, ge=1, le=600_000,
        description="The longest a database statement may run for an anonymous request: past it "
                    "the request is answered 503 saying so. Anonymous requests also have their "
                    "own connections, so they never take those of signed-in users.",
    )
    feature_cache_mib: int = Field(
        default=64, ge=0, le=1 << 20,
        description="Memory each server process may keep features' GeoJSON in, MiB (written by "
                    "PostgreSQL once per data version, never served after a change; 0: none kept).",
    )
    public_requests_per_client: int = Field(
        default=32, ge=1, le=10_000,
        description="How many searches, feature pages and lists one anonymous client (an IP "
                    "address) may have in progress at once in each server process; more are "
                    "answered 429 with Retry-After.",
    )
    viewer_refresh_seconds: float = Field(
        default=30, ge=1, le=3600,
        description="How often an open viewer asks whether parcels, auctions or the tileset "
                    "changed, and redraws what did.",
    )
    height_datum: Literal[HEIGHT_DATUMS] = Field(
        default="orthometric",
        description="What buildings' ground elevations and imported terrain heights are: above "
                    "sea level (the geoid offset is added for 3D Tiles and terrain tiles) or above "
                    "the WGS 84 ellipsoid.",
    )
    geoid_grid: Path = Field(
        default=Path("/usr/share/proj/egm96_15.gtx"),
        description="Geoid grid for orthometric heights (EGM96, from Debian's proj-data).",
    )
    floor_area_per_resident_m2: float = Field(
        default=FLOOR_AREA_PER_RESIDENT_M2, gt=0, le=500,
        description="Residential floor area a resident of a proposed building takes, m² "
                    "(residents = residential floor area / this).",
    )
    crs_overrides: dict[str, str] = Field(
        default_factory=dict,
        description="Replacement PROJ definitions for catalogue CRSs, by name (e.g. TOWGS84).",
    )

    @field_validator("viewer_timezone")
    @classmethod
    def _known_time_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (an IANA name such as Europe/Moscow)") from None
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        path = config_file()
        if path is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)

    @property
    def resolved_state_dir(self) -> Path:
        return self.state_dir.expanduser().resolve()

    @property
    def resolved_tiles_dir(self) -> Path:
        if self.tiles_dir is not None:  # a link to the current build: not resolved through
            return Path(os.path.abspath(self.tiles_dir.expanduser()))
        return self.resolved_state_dir / "tiles"


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning validation problems into a readable error."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg']}"
            for err in exc.errors()
        )
        where = config_file()
        source = f" (config file {where})" if where else ""
        raise ConfigurationError(f"invalid settings{source}: {problems}") from None
    except (OSError, ValueError) as exc:  # unreadable or malformed TOML
        raise ConfigurationError(f"cannot read settings from {config_file()}: {exc}") from None

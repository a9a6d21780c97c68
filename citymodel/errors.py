"""Domain exceptions.

Each is raised where the problem is found, with a message written for the person
running the command; the CLI (and later the API) turns them into output in one place.
"""


class CitymodelError(Exception):
    """An error whose message is complete for the user: shown without a traceback."""


class ConfigurationError(CitymodelError):
    """Settings, a config file or an environment variable are wrong."""


class DatabaseUnavailable(CitymodelError):
    """The database cannot be reached, or is not a usable PostGIS."""


class ClusterError(CitymodelError):
    """The project's own PostgreSQL cluster cannot be created, started or stopped."""


class InvalidCadastralNumber(CitymodelError, ValueError):
    """A string is not a well-formed cadastral number."""

    def __init__(self, value: str, reason: str) -> None:
        self.value = value
        self.reason = reason
        super().__init__(f"invalid cadastral number {value!r}: {reason}")


class UnknownCrs(CitymodelError, ValueError):
    """A coordinate reference system name or code cannot be resolved."""

"""citymodel core: settings, database, domain types and the command line.

Everything the importers, the tiles builder and the API share lives here; those
packages depend on this one and not on each other.
"""

__version__ = "0.1.0"

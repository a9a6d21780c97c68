"""citymodel core: settings, database, domain types and the command line.

Everything the importers, the tiles builder and the API share lives here — and each
domain rule once (``records``, ``planning``, ``cadastral``, ``regions``, ``credentials``).
The core imports none of ``importers``, ``tiles`` or ``api`` (``tests/test_layout.py``):
its command line (``citymodel.cli``) has the core's commands, and those packages plug in
theirs (`import`, `tiles`, `serve`) through entry points.
"""

__version__ = "0.1.0"

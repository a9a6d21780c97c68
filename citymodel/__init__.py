"""citymodel core: settings, database, domain types and the command line.

Everything the importers, the tiles builder and the API share lives here — and each
domain rule once (``records``, ``planning``, ``cadastral``, ``regions``). The command line
(``citymodel.cli``) sits above all of them and dispatches to each; the rest of the core
imports none of ``importers``, ``tiles`` or ``api`` (``tests/test_layout.py``).
"""

__version__ = "0.1.0"

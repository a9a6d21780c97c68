"""What every import shares: provenance, one transaction, rejects, progress, summary.

An import runs on two connections. The *provenance* connection autocommits the
``import_runs`` row at once, updates its progress as batches go by, and records
the outcome and the rejects at the end — failed runs too. The *data* connection
does all the loading in one transaction, which commits only when the run succeeds
with no more rejects than allowed: a failed, refused or interrupted import
(Ctrl-C, kill, the database gone) leaves the data exactly as it was.

While the data transaction is open it holds an advisory lock keyed by the run;
``import status`` uses it to tell a run in progress from one that was killed. Each batch
read is also announced on the PostgreSQL channel ``citymodel_imports`` (LISTEN to follow
an import without polling; the payload is ``{"run": id, "read": n}``).
"""

from __future__ import annotations

import hashlib
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg.types.json import Jsonb
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.engine import URL

from citymodel.database import describe, raw_connect
from citymodel.errors import CitymodelError, DatabaseUnavailable

ADVISORY_CLASS = 7_700_077  # first key of the advisory lock held by a running import
PROGRESS_CHANNEL = "citymodel_imports"  # NOTIFY '{"run": id, "read": n}' after each batch
MAX_STORED_REJECTS = 10_000  # rejects kept in detail; the count is always exact
SHOWN_REJECTS = 20  # rejects printed in a failure message


class ImportFailed(CitymodelError):
    """The import was refused or failed; nothing was written."""


class FileRejected(ImportFailed):
    """The file as a whole cannot be imported: unreadable, wrong columns, no CRS…"""


@dataclass(frozen=True)
class Reject:
    """One feature or row refused, with where it is and why."""

    locator: str  # "feature 12", "row 7", "parcel 26:05:060402:9"
    field: str | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.locator}, field {self.field}" if self.field else self.locator
        return f"{where}: {self.reason}"


@dataclass
class RejectLog:
    """The rejects of a run: all counted, the first MAX_STORED_REJECTS kept."""

    source: str
    count: int = 0  # rejected rows or features
    kept: list[Reject] = field(default_factory=list)  # their reasons

    def add(self, locator: str, field_name: str | None, reason: str) -> None:
        """One rejected row or feature, for one reason."""
        self.add_row(locator, [(field_name, reason)])

    def add_row(self, locator: str, problems: list[tuple[str | None, str]]) -> None:
        """One rejected row or feature, with every reason found."""
        self.count += 1
        for field_name, reason in problems:
            if len(self.kept) < MAX_STORED_REJECTS:
                self.kept.append(Reject(locator, field_name, reason))

    def describe(self, limit: int = SHOWN_REJECTS) -> str:
        lines = [f"  {self.source}: {r}" for r in self.kept[:limit]]
        if self.count > limit:
            lines.append(f"  … and {self.count - limit} more (`citymodel import status --rejects`)")
        return "\n".join(lines)


@dataclass
class Counts:
    """What a run did to the data: filled in by the importer."""

    loaded: int = 0
    updated: int = 0
    unchanged: int = 0
    extra: dict[str, int] = field(default_factory=dict)  # e.g. without_geometry, buildings

    def add(self, other: Counts, prefix: str = "") -> None:
        """Fold another table's counts into ``extra`` (``buildings_loaded`` …)."""
        for name in ("loaded", "updated", "unchanged"):
            self.extra[f"{prefix}{name}"] = self.extra.get(f"{prefix}{name}", 0) + getattr(other, name)
        for name, value in other.extra.items():
            self.extra[f"{prefix}{name}"] = self.extra.get(f"{prefix}{name}", 0) + value


@dataclass
class Summary:
    kind: str
    source: Path
    run_id: int
    counts: Counts
    rejected: int
    seconds: float
    dry_run: bool

    def __str__(self) -> str:
        c = self.counts
        verb = "checked (dry run, nothing written)" if self.dry_run else "imported"
        extras = "".join(f", {v} {k.replace('_', ' ')}" for k, v in c.extra.items() if v)
        text = (
            f"{verb} {self.kind} from {self.source.name}: {c.loaded} loaded, {c.updated} updated, "
            f"{c.unchanged} unchanged, {self.rejected} rejected{extras} in {self.seconds:.1f} s "
            f"(run {self.run_id})"
        )
        if not self.dry_run and c.loaded == 0 and c.updated == 0 and c.unchanged > 0:
            text += "\nnothing changed: the database already held this file's data"
        return text


class Context:
    """Handed to an importer's work function: the data connection and the run's state.

    The work function opens the source itself — so that a file refused as a whole
    is a recorded, failed run too — and says what it found with :meth:`describe`.
    """

    def __init__(self, conn: psycopg.Connection, run_id: int, rejects: RejectLog,
                 progress: _Progress) -> None:
        self.conn = conn
        self.run_id = run_id
        self.rejects = rejects
        self.progress = progress

    def describe(self, source_format: str, source_crs: str | None = None,
                 total: int | None = None) -> None:
        """Record the source's format and CRS on the run; ``total`` sizes the progress bar."""
        self.progress.provenance.execute(
            "UPDATE import_runs SET source_format = %s, source_crs = %s WHERE id = %s",
            (source_format, source_crs, self.run_id),
        )
        if total is not None:
            self.progress.bar.update(self.progress.task, total=total)


Work = Callable[[Context], Counts]


def run_import(
    url: URL,
    *,
    kind: str,
    source: Path,
    options: dict,
    work: Work,
    max_rejects: int = 0,
    dry_run: bool = False,
) -> Summary:
    """Run ``work`` in one transaction and record the run; raise ImportFailed on failure."""
    started = time.monotonic()
    rejects = RejectLog(source=str(source))
    with _connect(url, autocommit=True) as provenance:
        try:
            run_id = provenance.execute(
                "INSERT INTO import_runs (kind, source_path, options) VALUES (%s, %s, %s) "
                "RETURNING id",
                (kind, str(source.resolve()), Jsonb(options)),
            ).fetchone()[0]
        except psycopg.Error as exc:
            raise DatabaseUnavailable(
                f"cannot record the import in {describe(url)}: {_one_line(exc)} "
                "(is the schema migrated? `citymodel db migrate`)"
            ) from None
        status, message, counts = "failed", None, Counts()
        committed = False
        try:
            sha256, size = _fingerprint(source)
            provenance.execute(
                "UPDATE import_runs SET source_sha256 = %s, source_bytes = %s WHERE id = %s",
                (sha256, size, run_id),
            )
            with _terminate_as_interrupt(), _Progress(provenance, run_id) as progress:
                with _connect(url, autocommit=False) as conn:
                    conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (ADVISORY_CLASS, run_id))
                    result = work(Context(conn, run_id, rejects, progress))
                    if rejects.count > max_rejects:
                        conn.rollback()
                        raise ImportFailed(
                            f"{source}: {rejects.count} rejected "
                            f"(at most {max_rejects} allowed by --max-rejects); nothing was "
                            f"imported:\n{rejects.describe()}"
                        )
                    if dry_run:
                        conn.rollback()
                    else:
                        with _signals_deferred():  # a commit is not left in doubt
                            conn.commit()
                            committed = True
            status, counts = ("dry_run" if dry_run else "succeeded"), result
        except KeyboardInterrupt:
            if committed:  # the signal came during the commit: the import is complete
                status, counts = "succeeded", result
                message = "interrupted after the import was committed"
            else:
                message = "interrupted; nothing was imported"
            raise
        except CitymodelError as exc:
            message = str(exc)
            raise
        except psycopg.OperationalError as exc:
            message = f"the database connection failed during the import: {_one_line(exc)}"
            raise ImportFailed(f"{source}: {message}; nothing was imported") from None
        except psycopg.Error as exc:
            message = f"the database refused the data: {_one_line(exc)}"
            raise ImportFailed(f"{source}: {message}; nothing was imported") from None
        finally:
            seconds = time.monotonic() - started
            _record_outcome(provenance, run_id, status, message, counts, rejects, seconds)
    return Summary(kind, source, run_id, counts, rejects.count, seconds, dry_run)


def _record_outcome(provenance, run_id, status, message, counts, rejects, seconds) -> None:
    try:
        with provenance.transaction():
            provenance.execute(
                "UPDATE import_runs SET status = %s, message = %s, loaded = %s, updated = %s, "
                "unchanged = %s, rejected = %s, counts = %s, "
                "timings = timings || jsonb_build_object('total_s', %s::float8), "
                "finished_at = now() WHERE id = %s",
                (status, message, counts.loaded, counts.updated, counts.unchanged,
                 rejects.count, Jsonb(counts.extra), round(seconds, 3), run_id),
            )
            with provenance.cursor() as cur, cur.copy(
                "COPY import_rejects (run_id, locator, field, reason) FROM STDIN"
            ) as copy:
                for r in rejects.kept:
                    copy.write_row((run_id, r.locator, r.field, r.reason))
    except psycopg.Error:
        pass  # the database is gone: the run stays "running" and status reports it killed


class _Progress:
    """A progress bar on a terminal (quiet otherwise), and progress kept on the run."""

    def __init__(self, provenance: psycopg.Connection, run_id: int) -> None:
        self.provenance = provenance
        self.run_id = run_id
        self.done = 0
        self.bar = Progress(
            TextColumn("[progress.description]{task.description}"), BarColumn(),
            MofNCompleteColumn(), TimeElapsedColumn(), transient=True,
            disable=not sys.stderr.isatty(), console=None,
        )
        self.task = self.bar.add_task("reading", total=None)

    def __enter__(self) -> _Progress:
        self.bar.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.bar.__exit__(*exc)

    def advance(self, n: int, phase: str = "reading") -> None:
        """Count ``n`` more features or rows read."""
        self.done += n
        self.bar.update(self.task, advance=n, description=phase)
        self.provenance.execute(
            "UPDATE import_runs SET counts = counts || jsonb_build_object('read', %s::int) "
            "WHERE id = %s RETURNING pg_notify(%s, json_build_object('run', id, 'read', %s)::text)",
            (self.done, self.run_id, PROGRESS_CHANNEL, self.done),
        )

    def phase(self, name: str) -> None:
        self.bar.update(self.task, description=name)


def _connect(url: URL, *, autocommit: bool):
    return raw_connect(url, autocommit=autocommit, application_name="citymodel import")


@contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM until the block is over (then they act as usual)."""
    signals = {signal.SIGINT, signal.SIGTERM}
    try:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    except (ValueError, OSError):
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM ends an import like Ctrl-C does: rolled back and recorded."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _fingerprint(path: Path) -> tuple[str, int]:
    """SHA-256 and size of a file; of a directory, over its files' names and bytes in order."""
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    digest = hashlib.sha256()
    size = 0
    try:
        for file in files:
            if path.is_dir():
                digest.update(str(file.relative_to(path)).encode() + b"\0")
            with file.open("rb") as f:
                while chunk := f.read(1 << 20):
                    digest.update(chunk)
                    size += len(chunk)
    except OSError as exc:
        raise FileRejected(f"{path}: cannot read the file: {exc.strerror}") from None
    if size == 0:
        raise FileRejected(f"{path}: the file is empty" if not path.is_dir() else f"{path}: holds no data")
    return digest.hexdigest(), size


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())

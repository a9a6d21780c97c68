"""The record of import runs: what `citymodel import status` shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, text

from citymodel.database import connect
from importers.core import ADVISORY_CLASS


@dataclass(frozen=True)
class RunRecord:
    id: int
    kind: str
    source_path: str
    status: str  # running | succeeded | failed | dry_run | killed
    started_at: datetime
    seconds: float | None
    loaded: int
    updated: int
    unchanged: int
    rejected: int
    counts: dict
    message: str | None


def recent_runs(engine: Engine, limit: int = 20) -> list[RunRecord]:
    """The newest runs first. A run left "running" whose transaction is gone was killed."""
    with connect(engine) as conn:
        result = conn.execute(
            text(
                "SELECT id, kind, source_path, status, started_at, "
                "EXTRACT(EPOCH FROM finished_at - started_at) AS seconds, loaded, updated, "
                "unchanged, rejected, counts, message, "
                "status = 'running' AND NOT EXISTS (SELECT 1 FROM pg_locks WHERE "
                "  locktype = 'advisory' AND classid = :cls AND objid = import_runs.id::oid "
                "  AND granted) AS killed "
                "FROM import_runs ORDER BY id DESC LIMIT :limit"
            ),
            {"cls": ADVISORY_CLASS, "limit": limit},
        )
        records = []
        for row in result.mappings():
            values = dict(row)
            if values.pop("killed"):
                values["status"] = "killed"
            records.append(RunRecord(**values))
        return records


def rejects_of(engine: Engine, run_id: int, limit: int = 1000) -> list[tuple[str, str | None, str]]:
    with connect(engine) as conn:
        return [tuple(r) for r in conn.execute(
            text("SELECT locator, field, reason FROM import_rejects WHERE run_id = :run "
                 "ORDER BY id LIMIT :limit"),
            {"run": run_id, "limit": limit},
        )]

"""CHECK constraints added to tables that already hold data: rows that break a rule stop
the migration with a message saying which table, column and how many — nothing is changed
or guessed."""

from __future__ import annotations

from alembic import op
from sqlalchemy import text

Check = tuple[str, str, str, str]  # table, constraint, condition, what a value must be


def create(checks: tuple[Check, ...]) -> None:
    bind = op.get_bind()
    for table, name, condition, rule in checks:
        broken = bind.execute(text(f"SELECT count(*) FROM {table} WHERE NOT ({condition})")).scalar()
        if broken:
            column = name.removeprefix(f"{table}_")
            raise RuntimeError(
                f"{broken} row(s) of {table} have a {column} that is not {rule}; correct or clear "
                f"them (UPDATE {table} SET {column} = … WHERE NOT ({condition})) and migrate again")
        op.create_check_constraint(name, table, condition)


def drop(checks: tuple[Check, ...]) -> None:
    for table, name, _, _ in reversed(checks):
        op.drop_constraint(name, table, type_="check")

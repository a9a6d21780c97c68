"""Alembic environment: runs on the connection ``citymodel.database`` hands over.

Migrations run inside that connection's transaction, so an upgrade or downgrade
either completes or changes nothing.
"""

from alembic import context

from citymodel.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `citymodel db migrate`, not the alembic command")


def include_object(obj, name, type_, reflected, compare_to):
    """Compare only what the models describe: not PostGIS's own tables."""
    return not (type_ == "table" and reflected and compare_to is None)


context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    transactional_ddl=True,
    include_object=include_object,
)
with context.begin_transaction():
    context.run_migrations()

"""Alembic environment: run on the connection sijie hands over (see api.db.migrate)."""

from __future__ import annotations

from alembic import context
from geoalchemy2 import alembic_helpers

from api.db.migrate import compare_type, include_object
from api.db.models import Base

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name in ("sqlite", "geopackage"),
    include_object=include_object,
    compare_type=compare_type,
    process_revision_directives=alembic_helpers.writer,
    render_item=alembic_helpers.render_item,
)
with context.begin_transaction():
    context.run_migrations()

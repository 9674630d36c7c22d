from alembic import context
from sqlmodel import SQLModel

from portal.store import models, records  # noqa: F401  (registers the tables on SQLModel.metadata)

config = context.config
engine = config.attributes.get("engine")
if engine is None:  # `alembic` run by hand: fall back to the portal's settings
    from portal.settings import Settings
    from portal.store.db import make_engine

    engine = make_engine(Settings().database_url)

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()

"""The database layer, one module per concern; import each name from the module that owns it.

- `database`: the Database (engine, sessions, one transaction per session, the SQLite write slot, the hot
  paths' read connections) and `insert_for`, the dialect's INSERT.
- `base`: the declarative Base with its naming convention, the column mixins every domain's models share
  (IdMixin, TenantMixin, TimestampMixin), and helpers on mapped classes (table_of, transient).
- `types`: column types that behave alike on both databases (UTCDateTime, JSONDocument).
- `retries`: which database errors a transaction may be run again after, and `retrying`, which does it.
- `sqlite`: how Perks opens SQLite (the inline driver, pragmas, BEGIN IMMEDIATE for writers, query-only
  readers, the database file's mode).
- `migrate`: the Alembic runner (`migrate`, `alembic_config`).
"""

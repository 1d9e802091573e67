"""Imports every domain's models so that Base.metadata knows all tables (Alembic, tests)."""

from perks.db import Base
from perks.idempotency import models as idempotency_models
from perks.outbox import models as outbox_models
from perks.tenancy import models as tenancy_models

__all__ = ["Base", "idempotency_models", "outbox_models", "tenancy_models"]
from perks.ledger import models as ledger_models  # noqa: F401
from perks.loyalty.customers import models as customer_models  # noqa: F401

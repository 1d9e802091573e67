"""Imports every domain's models so that Base.metadata knows all tables (Alembic, tests)."""

from perks.db import Base
from perks.idempotency import models as idempotency_models
from perks.outbox import models as outbox_models
from perks.tenancy import models as tenancy_models

__all__ = ["Base", "idempotency_models", "outbox_models", "tenancy_models"]
from perks.loyalty.brands import models as loyalty_brand_models  # noqa: F401
from perks.loyalty.campaigns import models as loyalty_campaign_models  # noqa: F401
from perks.loyalty.coupons import models as loyalty_coupon_models  # noqa: F401
from perks.loyalty.rewards import models as loyalty_reward_models  # noqa: F401
from perks.loyalty.tiers import models as loyalty_tier_models  # noqa: F401

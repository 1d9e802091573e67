"""Imports every domain's models so that Base.metadata knows all tables (Alembic, tests)."""

from perks.affiliate.affiliates import models as affiliate_models
from perks.affiliate.campaigns import models as affiliate_campaign_models
from perks.affiliate.commissions import models as commission_models
from perks.affiliate.links import models as affiliate_link_models
from perks.affiliate.payouts import models as payout_models
from perks.affiliate.portal_links import models as portal_link_models
from perks.affiliate.referred_users import models as referred_user_models
from perks.affiliate.sales import models as sale_models
from perks.affiliate.tracking import models as click_models
from perks.audit import models as audit_models
from perks.console.users import models as console_user_models
from perks.db.base import Base
from perks.idempotency import models as idempotency_models
from perks.imports import models as import_models
from perks.jobs import models as job_models
from perks.ledger import models as ledger_models
from perks.loyalty.brands import models as loyalty_brand_models
from perks.loyalty.campaigns import models as loyalty_campaign_models
from perks.loyalty.coupons import models as loyalty_coupon_models
from perks.loyalty.coupons.redemptions import models as coupon_redemption_models
from perks.loyalty.customers import models as customer_models
from perks.loyalty.engine import models as loyalty_engine_models
from perks.loyalty.events import models as loyalty_event_models
from perks.loyalty.one_time_codes import models as one_time_code_models
from perks.loyalty.overview import models as overview_models
from perks.loyalty.punch_cards import models as punch_card_models
from perks.loyalty.referrals import models as referral_models
from perks.loyalty.rewards import models as loyalty_reward_models
from perks.loyalty.tiers import models as loyalty_tier_models
from perks.outbox import models as outbox_models
from perks.tenancy import models as tenancy_models
from perks.ui.sessions import models as web_session_models

__all__ = [
    "Base",
    "affiliate_campaign_models",
    "affiliate_link_models",
    "affiliate_models",
    "audit_models",
    "click_models",
    "commission_models",
    "console_user_models",
    "coupon_redemption_models",
    "customer_models",
    "idempotency_models",
    "import_models",
    "job_models",
    "ledger_models",
    "loyalty_brand_models",
    "loyalty_campaign_models",
    "loyalty_coupon_models",
    "loyalty_engine_models",
    "loyalty_event_models",
    "loyalty_reward_models",
    "loyalty_tier_models",
    "one_time_code_models",
    "outbox_models",
    "overview_models",
    "payout_models",
    "portal_link_models",
    "punch_card_models",
    "referral_models",
    "referred_user_models",
    "sale_models",
    "tenancy_models",
    "web_session_models",
]

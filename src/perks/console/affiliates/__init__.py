"""The console's affiliate pages, per workspace: campaigns, partners (with those waiting for approval),
a partner's page, the workspace's portal settings; commissions to review and payouts are sections of
their own (console/commissions.py, console/payouts.py)."""

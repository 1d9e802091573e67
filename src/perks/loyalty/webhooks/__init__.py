"""Webhook endpoints and deliveries on the loyalty face (the outbox does the work)."""

"""Webhook endpoints and deliveries on the affiliate face (the outbox does the work)."""

"""Idempotency-Key handling for POST requests on both faces."""

"""The importers' job handlers, registered when a job runner starts (perks.jobs.runner.HANDLER_MODULES)."""

from perks.imports import balances, customers, events, migration

__all__ = ["balances", "customers", "events", "migration"]

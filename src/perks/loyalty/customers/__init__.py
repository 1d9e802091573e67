"""Customers of the loyalty face: registration, profile, anonymous identification, tags, consent."""

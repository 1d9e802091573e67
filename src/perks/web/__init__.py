"""HTTP plumbing shared by both faces: unit of work, auth pipeline, errors, observability."""

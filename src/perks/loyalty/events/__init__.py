"""Behavior events: POST /behavior/events runs the matching BEHAVIOR campaigns and the event programs."""

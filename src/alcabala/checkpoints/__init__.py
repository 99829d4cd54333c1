"""Checkpoint sites: where stops happen."""

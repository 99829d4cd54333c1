"""Agencies, users, roles and API tokens."""

"""Bulk import and export of registries as CSV or JSONL, all-or-nothing by default."""

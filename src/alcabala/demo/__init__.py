"""Synthetic, deterministic demo registries for alcabala.

``alcabala.demo.generator.generate`` builds rows of every record kind (agencies, persons,
checkpoints, vehicles, stolen reports, retirements, warrants, premises, brands, permits and
livestock thefts) in the bulk-import format, as plain ``dict[str, str]`` rows. It is pure:
no database, no files, no clock; the same arguments always give the same rows.
"""

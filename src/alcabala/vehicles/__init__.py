"""Vehicles, stolen-vehicle reports and retirements (scrapped, dismantled, exported)."""

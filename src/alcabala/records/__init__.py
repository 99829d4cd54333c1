"""Re-validation of long-lived records: stale reports and warrants surface instead of lingering."""

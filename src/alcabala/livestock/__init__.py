"""Premises, brands, livestock transit permits (guías) and livestock theft reports."""

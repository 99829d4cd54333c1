"""People (by national ID) and the warrants issued for them."""

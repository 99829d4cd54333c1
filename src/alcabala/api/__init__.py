"""HTTP interface: the FastAPI app factory; each domain contributes its own router."""

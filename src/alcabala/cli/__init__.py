"""Command line interface: a Typer app, one module per command group."""

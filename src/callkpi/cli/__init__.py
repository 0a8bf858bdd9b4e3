"""The command-line face (Typer + Rich): thin, it calls Workspace and renders KpiResult."""

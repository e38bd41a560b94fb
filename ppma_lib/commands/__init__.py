"""Small CLI commands that belong to no single component."""

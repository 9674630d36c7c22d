"""Persistence: SQLModel tables and the queries over them. Nothing else touches SQL."""

"""Translators from shop platform payloads to the portal's order shapes (see portal/ingest.py)."""

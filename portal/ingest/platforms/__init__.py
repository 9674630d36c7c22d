"""Translators from shop platform payloads to the portal's order shapes; `payloads` holds the field helpers they share and `portal.ingest.platform_orders` applies the result."""

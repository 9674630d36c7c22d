"""The order service: creating and updating orders (`upsert`), their shipments and tracking events
(`shipments`), what every change does (`changes`), custom statuses, guest lookup, and the order as
the shopper's page (`order_view`) and the API's JSON (`as_json`) read it."""

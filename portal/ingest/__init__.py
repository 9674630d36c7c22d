"""Orders and tracking from outside: shop platform webhooks (`platforms/`, `platform_orders`,
`deliveries`, `write_groups`), CSV files (`csv_import`, `csv_columns`), carrier and aggregator
tracking feeds (`tracking`), and the count of webhook deliveries refused unverified."""

"""Console analytics: counting tracking page use, the usage, carrier and delay reports, their charts and CSVs."""

"""`python -m portal.cli`, as the benchmarks start it."""

from portal.cli import main

main()

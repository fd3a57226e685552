"""Prometheus metrics: this replica's own counters (`replica.py`) and the team's totals read from
the shared database at scrape time (`shared.py`), served at `/metrics` by `web/metrics.py`."""

"""What an operator watches: Prometheus metrics (the team's totals read from the database at each
scrape, each replica's own counters labelled by replica)."""

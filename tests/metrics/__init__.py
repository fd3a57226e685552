"""The tests of the metrics area: app/metrics/ and what it merges."""

"""The HTTP surface: pages and htmx fragments (`pages`), the JSON API (`api`)."""

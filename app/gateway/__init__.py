"""The Runway-compatible gateway: the console answers the Runway API at its own root."""

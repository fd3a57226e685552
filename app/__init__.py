"""Runway Console: a self-hosted console for the Runway image-to-video API."""

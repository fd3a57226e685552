"""A Runway-compatible upstream that runs anywhere: in process, mounted, or standalone."""

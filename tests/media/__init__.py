"""The tests of the media area: app/media/ and what it merges."""

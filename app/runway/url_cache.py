"""Upstream URLs as httpx parsed them, kept: the same few URLs (an endpoint, a task being
polled) are asked for again and again, and httpx's parse was ~4 % of a create's CPU, twice over
with the guard's pinning. httpx.URL is immutable (`copy_with` makes another), so sharing one is
safe; both caches are bounded."""

import functools

import httpx


@functools.lru_cache(maxsize=1024)
def parsed_url(url: str) -> httpx.URL:
    return httpx.URL(url)


@functools.lru_cache(maxsize=1024)
def pinned_url(url: httpx.URL, ip: str) -> httpx.URL:
    """`url` with its host replaced by the address the SSRF guard checked for it."""
    return url.copy_with(host=ip)

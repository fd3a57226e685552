"""This replica's own counters: what it asked upstream, and how long that took.

They live in this process and start from 0 when it starts, so every series carries a `replica`
label (host:pid); the team's figure is a sum over replicas (`sum without (replica, instance)`).
Counting is an increment under a lock in memory: a create pays no database query for it.
"""

import os
import socket

from prometheus_client import Counter, Histogram
from prometheus_client.registry import Collector

# Upstream answers take from milliseconds (the simulator) to the read timeout (30 s by default).
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


def replica_name() -> str:
    """This process among the replicas: its host (a container's id) and its pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


def status_class(status: int | None) -> str:
    """`2xx` … `5xx` for an answer; `error` when none came (timeout, dropped, refused)."""
    if status is None or not 100 <= status < 600:
        return "error"
    return f"{status // 100}xx"


class ReplicaMetrics:
    """The in-process counters, created unregistered: each scrape collects them afresh."""

    def __init__(self, replica: str | None = None) -> None:
        self.replica = replica or replica_name()
        self._requests = Counter(
            "runway_console_upstream_requests",
            "Requests this replica sent upstream, by kind of call, upstream and status class.",
            ["replica", "kind", "upstream", "status_class"],
            registry=None,
        )
        self._seconds = Histogram(
            "runway_console_upstream_request_seconds",
            "How long this replica waited for upstream answers, by kind of call and upstream.",
            ["replica", "kind", "upstream"],
            buckets=LATENCY_BUCKETS,
            registry=None,
        )

    def upstream_request(
        self, kind: str, upstream: str, status: int | None, seconds: float
    ) -> None:
        """One upstream call ended (answered, or not): counted and timed."""
        self._requests.labels(self.replica, kind, upstream, status_class(status)).inc()
        self._seconds.labels(self.replica, kind, upstream).observe(seconds)

    def collectors(self) -> list[Collector]:
        return [self._requests, self._seconds]

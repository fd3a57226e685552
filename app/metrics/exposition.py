"""One scrape: this replica's counters and the team's totals, in Prometheus' text format.

`prometheus_client` writes the exposition format (escaping, `_total`, histogram buckets) rather
than our own code. Its collectors are synchronous, so the database totals are read first, with
the async storage, and handed to a collector made for this scrape alone.
"""

from prometheus_client import CollectorRegistry, ProcessCollector, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from app.metrics.replica import ReplicaMetrics
from app.metrics.shared import SharedCollector, read_totals
from app.storage.database import Database

CONTENT_TYPE = CONTENT_TYPE_LATEST


class Metrics:
    """What `/metrics` answers: built in `create_app`, one per process."""

    def __init__(self, storage: Database, replica: ReplicaMetrics) -> None:
        self.storage = storage
        self.replica = replica
        self._process = ProcessCollector(registry=None)  # CPU, memory, open files of this one

    async def exposition(self) -> bytes:
        registry = CollectorRegistry(auto_describe=True)
        for collector in (*self.replica.collectors(), self._process):
            registry.register(collector)
        registry.register(SharedCollector(await read_totals(self.storage)))
        return generate_latest(registry)

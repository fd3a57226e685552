"""The absolute output URLs the gateway answers with."""

from starlette.requests import Request

from app.storage.task_record import TaskRecord
from app.web.deps import public_base, services
from app.web.public_url import absolute_url


def output_urls(request: Request, record: TaskRecord) -> list[str]:
    """Absolute, fetchable outputs: the console's saved copy once it has one, else upstream's."""
    base = public_base(request)
    if record.video_saved:
        return [f"{base}/v1{services(request).running.tasks.video_url(record)}"]
    return [absolute_url(base, url) for url in record.output]

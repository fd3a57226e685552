"""Where apps reach this console, and the absolute output URLs the gateway answers with."""

from starlette.requests import Request

from app.runway.endpoints import SIMULATOR_ORIGIN
from app.storage import TaskRecord
from app.web.public_url import public_base


def output_urls(request: Request, record: TaskRecord) -> list[str]:
    """Absolute, fetchable outputs: the console's saved copy once it has one, else upstream's."""
    base = public_base(request)
    if record.video_saved:
        return [f"{base}/v1{request.app.state.tasks.video_url(record)}"]
    urls = []
    for url in record.output:
        if url.startswith(SIMULATOR_ORIGIN):
            url = "/simulator" + url[len(SIMULATOR_ORIGIN) :]
        urls.append(base + url if url.startswith("/") else url)
    return urls

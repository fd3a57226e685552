# Runway Console: one process, data in a volume, or one of several replicas on PostgreSQL and
# S3-compatible storage (the `team` extra; docs/deploy.md). PyAV and Pillow wheels bring their
# own FFmpeg and image libraries, so the slim image needs no system packages.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    CONSOLE_DATA_DIR=/data

WORKDIR /src
COPY pyproject.toml README.md ./
COPY app ./app
COPY templates ./templates
COPY static ./static
RUN pip install '.[team]' && rm -rf /src

RUN useradd --create-home --uid 10001 console && mkdir -p /data && chown console /data
USER console
WORKDIR /home/console
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["runway-console", "--host", "0.0.0.0", "--port", "8000"]

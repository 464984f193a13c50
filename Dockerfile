# framewatch in a container: the whole everyday tool (run, schedule, serve) plus PostgreSQL
# support. `docker compose up` (compose.yaml) runs it with PostgreSQL: one `schedule` service
# and one `serve` service sharing the database.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 FRAMEWATCH_CONFIG=/etc/framewatch/sources.toml

WORKDIR /src
COPY pyproject.toml README.md sources.toml ./
COPY crawler crawler
COPY storage storage
COPY differ differ
COPY notifier notifier
COPY web web
RUN pip install '.[postgres]' \
    && useradd --system --create-home --home-dir /var/lib/framewatch framewatch \
    && install -d -o framewatch /etc/framewatch \
    && install -o framewatch -m 0644 sources.toml /etc/framewatch/sources.toml

USER framewatch
WORKDIR /var/lib/framewatch
EXPOSE 8000
# The web UI binds 0.0.0.0 inside the container, so it needs FRAMEWATCH_WEB_TOKEN (refused
# without one); compose.yaml publishes it on the host's 127.0.0.1 only.
CMD ["framewatch", "schedule", "--run-now"]

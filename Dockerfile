# digest-bot: slim Python, non-root, data dir as a volume, `digest-bot run` as the entry point.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DIGEST_BOT_DATA_DIR=/data

RUN useradd --create-home --uid 10001 digest && mkdir /data && chown digest /data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
COPY config ./config
RUN pip install --no-cache-dir '.[all]'

USER digest
VOLUME ["/data"]
EXPOSE 8080
ENTRYPOINT ["digest-bot"]
CMD ["run"]

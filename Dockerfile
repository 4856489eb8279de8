# digest-bot: slim Python, non-root, data dir as a volume, `digest-bot run` as the entry point.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DIGEST_BOT_DATA_DIR=/data \
    # /healthz for the HEALTHCHECK below; inside the container only, unless a port is published.
    DIGEST_BOT_HTTP__ENABLED=true \
    DIGEST_BOT_HTTP__HOST=0.0.0.0 \
    DIGEST_BOT_HTTP__PORT=8080

RUN useradd --create-home --uid 10001 digest && mkdir /data && chown digest /data

WORKDIR /app
# Dependencies first, pinned by constraints.txt: a change to the code reuses this layer.
COPY pyproject.toml README.md constraints.txt ./
RUN python -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; \
extras = p['optional-dependencies']; \
print('\n'.join(p['dependencies'] + extras['slack'] + extras['discord'] + extras['postgres']))" \
        > /tmp/requirements.txt \
    && pip install --no-cache-dir -c constraints.txt -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt
COPY bot ./bot
COPY adapters ./adapters
COPY config ./config
RUN pip install --no-cache-dir --no-deps .

USER digest
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; u.build_opener(u.ProxyHandler({})).open('http://127.0.0.1:%s/healthz' % os.environ.get('DIGEST_BOT_HTTP__PORT', '8080'), timeout=4)"]
ENTRYPOINT ["digest-bot"]
CMD ["run"]

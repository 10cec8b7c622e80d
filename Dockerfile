# leadrail: one image for the server (`leadrail serve`) and the worker (`leadrail worker`).
# Build: docker build -t leadrail .   Run everything: docker compose up (compose.yaml)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install . && useradd --system --home /app leadrail
USER leadrail

ENV LEADRAIL_HOST=0.0.0.0 LEADRAIL_PORT=8000
EXPOSE 8000
# /healthz: the process is alive; /readyz: database, migrations and Redis ready
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s \
  CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=2)" || exit 1
STOPSIGNAL SIGTERM
CMD ["leadrail", "serve"]

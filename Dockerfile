# tracemask serve: the masking service (Langfuse ingestion-masking callback, OTLP gateway,
# POST /v1/mask). Build from the repository root:
#   docker build -t tracemask .
#   docker run --rm -p 4318:4318 tracemask
#   docker run --rm -p 4318:4318 -v $PWD/tracemask.yaml:/etc/tracemask/tracemask.yaml:ro \
#     -e TRACEMASK_CONFIG=/etc/tracemask/tracemask.yaml tracemask
# See docs/server.md.

FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip wheel --no-cache-dir --wheel-dir /wheels '.[server]'

FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    TRACEMASK_HOST=0.0.0.0 \
    TRACEMASK_PORT=4318 \
    TRACEMASK_SINK_DIR=/data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links /wheels 'tracemask[server]' \
    && rm -rf /wheels \
    && useradd --system --uid 10001 --home-dir /data --create-home tracemask
USER 10001
WORKDIR /data
EXPOSE 4318
HEALTHCHECK --interval=10s --timeout=2s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request as u; u.urlopen('http://127.0.0.1:' + os.environ.get('TRACEMASK_PORT', '4318') + '/healthz', timeout=1)"]
ENTRYPOINT ["tracemask"]
CMD ["serve"]

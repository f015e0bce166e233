# The web and worker image for docker-compose.yml (needs a registry for the base image).
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 VAR_DIR=/var/lib/annotation
WORKDIR /app
COPY pyproject.toml ./
COPY annotation annotation
COPY tasks tasks
COPY sandbox sandbox
COPY exporters exporters
COPY templates templates
COPY manage.py ./
RUN pip install --no-cache-dir . \
    && useradd --system --uid 10001 --home-dir /app app \
    && mkdir -p /var/lib/annotation && chown app /var/lib/annotation \
    && DEBUG=0 SECRET_KEY=collectstatic-only-not-a-real-secret-key-0000 PSEUDONYM_KEY=collectstatic-only-not-a-real-pseudonym-key \
       python manage.py collectstatic --no-input -v0
USER app
EXPOSE 8000
CMD ["gunicorn", "annotation.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]

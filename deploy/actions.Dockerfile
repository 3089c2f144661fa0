# The action server from the official rasa-sdk image; the actions only call the API.
FROM rasa/rasa-sdk:3.6.2
USER root
RUN pip install --no-cache-dir aiohttp
COPY actions /app/actions
USER 1001
CMD ["start", "--actions", "actions"]

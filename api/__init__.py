"""Bibliotekshjälpen API: conversations, channels, FAQ content and retrieval."""

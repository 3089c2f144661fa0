"""Insights: daily counts without personal data, answer feedback, and the figures behind the charts."""

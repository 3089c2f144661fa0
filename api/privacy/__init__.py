"""Privacy plumbing shared by every channel and writer: redaction of personal data (decision 0009)."""

"""The SMS channel: residents ask by text message (docs/decisions/0006-sms.md)."""

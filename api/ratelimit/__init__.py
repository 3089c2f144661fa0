"""Rate limits (docs/decisions/0012-rate-limits.md): one mechanism for residents' limits, the staff
login throttle and the SMS per-number limit; Redis when REDIS_URL is set, in process otherwise."""

from api.ratelimit.client import client_address
from api.ratelimit.limiter import Limit, RateLimited, backend, forget_process_state, hashed, hit, in_words

__all__ = ["Limit", "RateLimited", "backend", "client_address", "forget_process_state", "hashed", "hit", "in_words"]

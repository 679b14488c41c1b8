"""A per-user token bucket: a few quick actions are fine, a flood is slowed down.

The clock is injected so tests move time instead of sleeping.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class _Bucket:
    tokens: float
    updated: float
    warned: bool = False


@dataclass
class Cooldown:
    """`capacity` actions at once, then one more every `1 / rate` seconds, per user."""

    capacity: float = 5.0
    rate: float = 0.5
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[int, _Bucket] = field(default_factory=dict)

    def hit(self, user_id: int) -> float:
        """Take one token for `user_id`: 0.0 when allowed, else the seconds to wait."""
        now = self.clock()
        bucket = self._buckets.get(user_id)
        if bucket is None:
            bucket = self._buckets[user_id] = _Bucket(self.capacity, now)
        bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            bucket.warned = False
            return 0.0
        return (1.0 - bucket.tokens) / self.rate

    def should_warn(self, user_id: int) -> bool:
        """True once per throttled stretch, so the warning itself cannot become a flood."""
        bucket = self._buckets.get(user_id)
        if bucket is None or bucket.warned:
            return False
        bucket.warned = True
        return True

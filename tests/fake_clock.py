"""A fake monotonic clock for the HTTP layer's tests: time moves only when someone sleeps,
so retries, back-off and pacing run at once and every sleep is recorded."""

from __future__ import annotations


class FakeClock:
    """Monotonic time that only moves when someone sleeps; records every sleep."""

    def __init__(self, start: float = 0.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

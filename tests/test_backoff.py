"""The one retry rhythm: short first, doubling to a ceiling, short again after success."""

from __future__ import annotations

import pytest

from assistant.backoff import Backoff

pytestmark = pytest.mark.pure


def test_delays_double_up_to_the_ceiling():
    backoff = Backoff(first=0.5, most=3.0)
    assert [backoff.delay() for _ in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_success_starts_again_from_the_short_wait():
    backoff = Backoff(first=0.25, most=10.0)
    backoff.delay(), backoff.delay(), backoff.delay()
    backoff.reset()
    assert backoff.delay() == 0.25

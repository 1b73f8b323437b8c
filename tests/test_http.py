"""The HTTP layer under faults, with ``httpx.MockTransport`` and a fake clock (no network, no real sleeping)."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import httpx
import orjson
import pytest

from fake_clock import FakeClock
from fn17.config import get_settings
from fn17.errors import OfflineError, SourceError
from fn17.sources.http import (
    HostPacer,
    HttpSource,
    ResponseCache,
    RetryPolicy,
    TokenBucket,
    make_client,
    retry_after_seconds,
)

URL = "https://data.ssb.no/api/pxwebapi/v2/tables/07459/data"
PAYLOAD = {"version": "2.0", "class": "dataset", "value": [1, 2, 3]}


class Server:
    """A scripted server: each request takes the next response (the last one repeats)."""

    def __init__(self, *responses: httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]) -> None:
        self.responses = list(responses)
        self.requests: list[httpx.Request] = []
        self.times: list[float] = []
        self.clock: FakeClock | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.clock is not None:
            self.times.append(self.clock.now)
        item = self.responses[min(len(self.requests) - 1, len(self.responses) - 1)]
        if isinstance(item, Exception):
            raise item
        if callable(item) and not isinstance(item, httpx.Response):
            return item(request)
        return item


def ok(payload: object = PAYLOAD, **headers: str) -> httpx.Response:
    return httpx.Response(200, content=orjson.dumps(payload), headers={"Content-Type": "application/json", **headers})


def source(
    server: Server,
    tmp_path: Path | None = None,
    *,
    attempts: int = 4,
    offline: bool = False,
    clock: FakeClock | None = None,
) -> tuple[HttpSource, FakeClock]:
    clock = clock or FakeClock()
    server.clock = clock
    http = HttpSource(
        make_client(transport=httpx.MockTransport(server)),
        cache=ResponseCache(tmp_path / "cache") if tmp_path is not None else None,
        offline=offline,
        clock=clock,
        retry=RetryPolicy(attempts=attempts, base_delay=1.0, max_delay=30.0, max_retry_after=120.0),
        rng=random.Random(7),
    )
    return http, clock


# --- retries ------------------------------------------------------------------------------------


def test_429_twice_then_success_backs_off_exponentially() -> None:
    server = Server(httpx.Response(429), httpx.Response(429), ok())
    http, clock = source(server)
    response = http.get(URL, params={"lang": "no"})
    assert response.json() == PAYLOAD
    assert len(server.requests) == 3
    backoffs = [s for s in clock.sleeps if s >= 0.5]  # pacing sleeps are none: the bucket starts full
    assert len(backoffs) == 2
    assert 0.5 <= backoffs[0] <= 1.0  # attempt 1: between half and all of 1 s
    assert 1.0 <= backoffs[1] <= 2.0  # attempt 2: between half and all of 2 s


def test_retry_after_seconds_is_honoured_exactly() -> None:
    server = Server(httpx.Response(429, headers={"Retry-After": "7"}), ok())
    http, clock = source(server)
    http.get(URL)
    assert clock.sleeps == [7.0]
    assert len(server.requests) == 2


def test_retry_after_as_http_date() -> None:
    when = datetime.now(UTC) + timedelta(seconds=30)
    assert 28 <= (retry_after_seconds(format_datetime(when, usegmt=True)) or 0) <= 30
    assert retry_after_seconds("garbage") is None
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("-5") == 0.0


def test_retry_after_longer_than_we_wait_fails_at_once() -> None:
    server = Server(httpx.Response(503, headers={"Retry-After": "3600"}), ok())
    http, clock = source(server)
    with pytest.raises(SourceError) as info:
        http.get(URL)
    assert "3600 sekunder" in info.value.message and "3600 seconds" in info.value.message_en
    assert len(server.requests) == 1 and clock.sleeps == []


def test_5xx_storm_gives_up_after_n_attempts() -> None:
    server = Server(httpx.Response(503, text="Service Unavailable"))
    http, clock = source(server, attempts=4)
    with pytest.raises(SourceError) as info:
        http.get(URL)
    err = info.value
    assert len(server.requests) == 4
    assert "HTTP 503" in err.message and "Ga opp etter 4 forsøk" in err.message
    assert "Gave up after 4 attempts" in err.message_en
    assert err.details["attempts"] == 4 and err.details["status"] == 503
    assert len(clock.sleeps) == 3  # no sleep after the last attempt
    assert err.exit_code == 6


def test_429_storm_message_says_too_many_requests() -> None:
    server = Server(httpx.Response(429))
    http, _ = source(server, attempts=3)
    with pytest.raises(SourceError) as info:
        http.get(URL)
    assert "For mange forespørsler til data.ssb.no" in info.value.message
    assert len(server.requests) == 3


def test_timeouts_are_retried_then_reported() -> None:
    server = Server(httpx.ReadTimeout("slow"))
    http, _ = source(server, attempts=3)
    with pytest.raises(SourceError) as info:
        http.get(URL)
    assert info.value.message.startswith("Tidsavbrudd")
    assert "ReadTimeout" in info.value.message_en
    assert len(server.requests) == 3


def test_timeout_then_success() -> None:
    server = Server(httpx.ConnectTimeout("slow"), httpx.ConnectError("refused"), ok())
    http, _ = source(server)
    assert http.get(URL).json() == PAYLOAD
    assert len(server.requests) == 3


def test_404_is_not_retried() -> None:
    server = Server(httpx.Response(404, json={"title": "Not found", "detail": "table 99999"}))
    http, _ = source(server)
    with pytest.raises(SourceError) as info:
        http.get(URL)
    assert len(server.requests) == 1
    assert "Fant ikke" in info.value.message and info.value.details["status"] == 404


def test_400_names_the_servers_complaint() -> None:
    server = Server(httpx.Response(400, json={"title": "Bad request", "detail": "Illegal selection expression"}))
    http, _ = source(server)
    with pytest.raises(SourceError) as info:
        http.get(URL)
    assert "Illegal selection expression" in info.value.message
    assert len(server.requests) == 1


# --- payload checks ------------------------------------------------------------------------------


def test_html_error_page_where_json_was_expected() -> None:
    page = b"<!DOCTYPE html><html><head><title>Statistikkbanken er stengt for vedlikehold</title></head><body>...</body></html>"
    server = Server(httpx.Response(200, content=page, headers={"Content-Type": "text/html; charset=utf-8"}))
    http, _ = source(server)
    with pytest.raises(SourceError) as info:
        http.get(URL)
    assert "HTML-side" in info.value.message
    assert "Statistikkbanken er stengt for vedlikehold" in info.value.message
    assert "HTML page" in info.value.message_en
    assert len(server.requests) == 1  # a 200 HTML page is not retried


def test_html_502_page_is_retried_as_a_server_error() -> None:
    page = httpx.Response(
        502, content=b"<html><title>Bad Gateway</title></html>", headers={"Content-Type": "text/html"}
    )
    server = Server(page, ok())
    http, _ = source(server)
    assert http.get(URL).json() == PAYLOAD
    assert len(server.requests) == 2


def test_html_without_content_type_is_still_caught() -> None:
    server = Server(httpx.Response(200, content=b"\n  <html><body>Maintenance</body></html>"))
    http, _ = source(server)
    with pytest.raises(SourceError, match="HTML"):
        http.get(URL)


def test_truncated_body_by_content_length_is_retried_then_reported() -> None:
    body = orjson.dumps(PAYLOAD)
    truncated = httpx.Response(200, content=body[:20], headers={"Content-Length": str(len(body))})
    server = Server(truncated)
    http, _ = source(server, attempts=2)
    with pytest.raises(SourceError) as info:
        http.get(URL)
    assert "ble avbrutt" in info.value.message and f"fikk 20 av {len(body)} byte" in info.value.message
    assert len(server.requests) == 2


def test_truncated_json_without_length_is_retried_and_recovers() -> None:
    body = orjson.dumps({"value": list(range(100))})
    server = Server(httpx.Response(200, content=body[:57]), ok())
    http, _ = source(server)
    assert http.get(URL).json() == PAYLOAD
    assert len(server.requests) == 2


def test_invalid_json_is_reported_with_its_position() -> None:
    server = Server(httpx.Response(200, content=b'{"value": [1, 2, oops, 4]}'))
    http, _ = source(server)
    with pytest.raises(SourceError) as info:
        http.get(URL)
    assert "ikke gyldig JSON" in info.value.message and "not valid JSON" in info.value.message_en
    assert info.value.details["position"] == 17
    assert len(server.requests) == 1


def test_bytes_expectation_skips_json_checks() -> None:
    server = Server(httpx.Response(200, content=b"region;value\n0301;1\n"))
    http, _ = source(server)
    assert http.get(URL, expect="bytes").content == b"region;value\n0301;1\n"


# --- cache and offline ---------------------------------------------------------------------------


def test_repeated_fetch_costs_no_request(tmp_path: Path) -> None:
    server = Server(ok())
    http, _ = source(server, tmp_path)
    first = http.get(URL, params=[("lang", "no"), ("valueCodes[Tid]", "2023")])
    second = http.get(URL, params=[("lang", "no"), ("valueCodes[Tid]", "2023")])
    assert len(server.requests) == 1
    assert not first.from_cache and second.from_cache
    assert second.content == first.content and second.sha256 == hashlib.sha256(first.content).hexdigest()
    assert second.url == first.url and second.retrieved_at == first.retrieved_at
    http.get(URL, params=[("lang", "no"), ("valueCodes[Tid]", "2024")])  # another query: another request
    assert len(server.requests) == 2
    http.get(URL, params=[("lang", "no"), ("valueCodes[Tid]", "2023")], refresh=True)
    assert len(server.requests) == 3


def test_cache_key_includes_the_post_body(tmp_path: Path) -> None:
    server = Server(ok())
    http, _ = source(server, tmp_path)
    http.post(URL, json_body={"selection": [{"variableCode": "Tid", "valueCodes": ["2023"]}]})
    http.post(URL, json_body={"selection": [{"valueCodes": ["2023"], "variableCode": "Tid"}]})  # same, keys reordered
    assert len(server.requests) == 1
    http.post(URL, json_body={"selection": [{"variableCode": "Tid", "valueCodes": ["2024"]}]})
    assert len(server.requests) == 2
    assert server.requests[0].headers["content-type"] == "application/json"


def test_failed_responses_are_not_cached(tmp_path: Path) -> None:
    server = Server(httpx.Response(200, content=b"<html>down</html>"), ok())
    http, _ = source(server, tmp_path)
    with pytest.raises(SourceError):
        http.get(URL)
    assert http.get(URL).json() == PAYLOAD
    assert len(server.requests) == 2


def test_corrupt_cache_entry_is_ignored(tmp_path: Path) -> None:
    server = Server(ok())
    http, _ = source(server, tmp_path)
    http.get(URL)
    bodies = list((tmp_path / "cache").rglob("*.body"))
    assert len(bodies) == 1
    bodies[0].write_bytes(b'{"tampered": true}')
    assert http.get(URL).json() == PAYLOAD
    assert len(server.requests) == 2


def test_offline_serves_the_cache_and_names_what_is_missing(tmp_path: Path) -> None:
    online, _ = source(Server(ok()), tmp_path)
    online.get(URL, params=[("valueCodes[Tid]", "2023")])

    server = Server(AssertionError("offline mode must not send anything"))
    offline, _ = source(server, tmp_path, offline=True)
    assert offline.get(URL, params=[("valueCodes[Tid]", "2023")]).from_cache
    with pytest.raises(OfflineError) as info:
        offline.get(URL, params=[("valueCodes[Tid]", "2024")])
    err = info.value
    missing = f"{URL}?valueCodes%5BTid%5D=2024"
    assert err.message.startswith(f"Frakoblet modus: GET {missing} finnes ikke i hurtigbufferen")
    assert err.message_en.startswith(f"Offline mode: GET {missing} is not in the cache")
    assert err.details["url"] == missing and str(tmp_path / "cache") in err.message
    assert "fn17 fetch" in (err.hint or "") and "fn17 load" in (err.hint or "")
    assert err.http_status == 503
    with pytest.raises(OfflineError) as info_post:
        offline.post(URL, json_body={"selection": []}, params=[("lang", "no")])
    assert (
        'POST https://data.ssb.no/api/pxwebapi/v2/tables/07459/data?lang=no med innhold {"selection":[]}'
        in info_post.value.message
    )
    assert server.requests == []
    assert offline.get(URL, params=[("valueCodes[Tid]", "2023")], refresh=True).from_cache  # offline wins over refresh


def test_from_settings_uses_cache_dir_and_offline_flag(tmp_path: Path) -> None:
    settings = get_settings(cache_dir=tmp_path / "c", offline=True)
    http = HttpSource.from_settings(settings, transport=httpx.MockTransport(Server(ok())))
    assert http.offline is True
    assert http.cache is not None and http.cache.root == tmp_path / "c" / "http"
    with pytest.raises(OfflineError):
        http.get(URL)
    http.close()


# --- pacing --------------------------------------------------------------------------------------


def test_token_bucket_refills_at_its_rate() -> None:
    clock = FakeClock()
    bucket = TokenBucket(capacity=2, rate=0.5, clock=clock)
    assert bucket.acquire() == 0 and bucket.acquire() == 0
    assert bucket.acquire() == pytest.approx(2.0)  # one token takes 2 s at 0.5/s
    clock.now += 10  # idle: refills to capacity, never above
    assert bucket.acquire() == 0 and bucket.acquire() == 0
    assert bucket.acquire() == pytest.approx(2.0)
    with pytest.raises(ValueError):
        TokenBucket(capacity=0, rate=1, clock=clock)


def test_never_more_than_30_requests_in_any_minute_per_host() -> None:
    server = Server(ok())
    clock = FakeClock()
    http, _ = source(server, clock=clock)
    http.pacer = HostPacer(clock, limit=30, window=60.0, burst=5)
    for i in range(100):
        http.get(URL, params={"i": str(i)})
    times = server.times
    assert len(times) == 100
    worst = max(sum(1 for t in times if start <= t < start + 60.0) for start in times)
    assert worst <= 30
    assert worst >= 29  # and it does not waste the allowance
    assert times[-1] - times[0] >= (100 - 30) * 60 / 30 * 0.9


def test_pacing_is_per_host() -> None:
    server = Server(ok())
    clock = FakeClock()
    http, _ = source(server, clock=clock)
    http.pacer = HostPacer(clock, limit=3, window=60.0, burst=1)
    http.get("https://data.ssb.no/api/klass/v1/a")
    http.get("https://example.org/b")  # another host: its own bucket, no wait
    assert clock.sleeps == []
    http.get("https://data.ssb.no/api/klass/v1/c")
    assert clock.sleeps and clock.sleeps[0] == pytest.approx(30.0)

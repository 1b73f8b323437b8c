"""All of FN17's network traffic: one injected ``httpx.Client``, paced, retried, cached.

:func:`make_client` is the one factory for ``httpx.Client`` (timeouts, user agent,
an optional transport so tests plug in ``httpx.MockTransport``). :class:`HttpSource`
wraps a client with what every remote source needs:

* **Pacing.** At most ``limit`` requests per ``window`` seconds per host, with a
  :class:`TokenBucket` per host. SSB allows 30 queries a minute per address; a
  bucket of capacity *b* refilled at (30 − *b*)/60 tokens a second never sends
  more than 30 in any 60-second window, so FN17 stays inside the limit by
  construction rather than by luck.
* **Retries** with exponential back-off and jitter on 429, 5xx, timeouts,
  dropped connections and truncated bodies; ``Retry-After`` is honoured.
* **A disk cache** keyed by method + URL + body (sha256) under
  ``settings.cache_dir / "http"``: a repeated fetch costs no request.
* **Offline mode**: only the cache is used, and a miss raises
  :class:`~fn17.errors.OfflineError` naming the exact request that is missing.
* **Payload checks**: an HTML page where JSON was expected, a truncated body, or
  invalid JSON raise :class:`~fn17.errors.SourceError` with a message in bokmål
  and English.

The clock (``monotonic`` + ``sleep``) and the random source are injectable, so
tests run back-off and pacing without real sleeping.
"""

from __future__ import annotations

import hashlib
import logging
import os
import random
import re
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Literal, Protocol

import httpx
import orjson

from fn17 import __version__
from fn17.config import Settings, get_settings
from fn17.errors import OfflineError, SourceError

logger = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_TIMEOUT",
    "Clock",
    "HostPacer",
    "HttpSource",
    "ResponseCache",
    "RetryPolicy",
    "SourceResponse",
    "SystemClock",
    "TokenBucket",
    "atomic_write",
    "make_client",
]

DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
USER_AGENT = f"fn17/{__version__} (SDG indicators for Norwegian municipalities)"
Expect = Literal["json", "bytes"]
Params = Mapping[str, str] | Sequence[tuple[str, str]]

_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


# --------------------------------------------------------------------------- #
# clock, pacing, retry policy                                                  #
# --------------------------------------------------------------------------- #
class Clock(Protocol):
    """Time as the HTTP layer sees it; tests inject a fake that records sleeps."""

    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


class TokenBucket:
    """A token bucket: ``capacity`` tokens, refilled at ``rate`` tokens a second.

    ``acquire`` takes one token, sleeping on the clock until one is there, and
    returns the seconds it waited. In any window of *w* seconds at most
    ``capacity + rate * w`` tokens are handed out.
    """

    def __init__(self, capacity: float, rate: float, clock: Clock) -> None:
        if capacity < 1 or rate <= 0:
            raise ValueError("a token bucket needs capacity >= 1 and rate > 0")
        self.capacity = float(capacity)
        self.rate = float(rate)
        self.clock = clock
        self.tokens = float(capacity)
        self.updated = clock.monotonic()

    def _refill(self) -> None:
        now = self.clock.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def acquire(self) -> float:
        self._refill()
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        wait = (1.0 - self.tokens) / self.rate
        self.clock.sleep(wait)
        # After the wait exactly one token has accrued, and this call takes it. Setting the state
        # directly (rather than refilling again) keeps float rounding from looping forever.
        self.tokens = 0.0
        self.updated = max(self.updated + wait, self.clock.monotonic())
        return wait


class HostPacer:
    """One :class:`TokenBucket` per host: never more than ``limit`` requests in any ``window`` seconds."""

    def __init__(self, clock: Clock, *, limit: int = 30, window: float = 60.0, burst: int = 5) -> None:
        if not 1 <= burst < limit:
            raise ValueError("burst must be at least 1 and below limit")
        self.clock = clock
        self.limit, self.window, self.burst = limit, window, burst
        self._buckets: dict[str, TokenBucket] = {}

    def wait(self, host: str) -> float:
        bucket = self._buckets.get(host)
        if bucket is None:
            bucket = TokenBucket(self.burst, (self.limit - self.burst) / self.window, self.clock)
            self._buckets[host] = bucket
        waited = bucket.acquire()
        if waited > 0:
            logger.debug("paced %s: waited %.2f s", host, waited)
        return waited


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential back-off with jitter: attempt *n* waits between half and all of
    ``min(max_delay, base_delay * 2**(n-1))``; ``Retry-After`` wins when the server sends it."""

    attempts: int = 5
    base_delay: float = 1.0
    max_delay: float = 60.0
    max_retry_after: float = 300.0

    def backoff(self, attempt: int, rng: random.Random) -> float:
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return float(ceiling / 2 + rng.uniform(0, ceiling / 2))


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: either a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


# --------------------------------------------------------------------------- #
# responses and the cache                                                      #
# --------------------------------------------------------------------------- #
@dataclass
class SourceResponse:
    """One validated response: its bytes, where it came from, when, and whether from the cache."""

    method: str
    url: str
    body: bytes | None
    content: bytes
    content_type: str
    status: int
    retrieved_at: datetime
    from_cache: bool
    _parsed: Any = field(default=None, repr=False, compare=False)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def query_text(self) -> str:
        """The request as the store records it: the URL of a GET, ``POST url body`` otherwise."""
        return self.url if self.method == "GET" else f"{self.method} {self.url} {(self.body or b'').decode()}"

    def json(self) -> Any:
        """The parsed JSON (parsed once; the HTTP layer already checked it is valid)."""
        if self._parsed is None:
            self._parsed = _parse_json(self.content, self.url, len(self.content))
        return self._parsed


def cache_key(method: str, url: str, body: bytes | None) -> str:
    digest = hashlib.sha256(f"{method.upper()}\n{url}\n".encode())
    if body:
        digest.update(body)
    return digest.hexdigest()


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class ResponseCache:
    """Validated responses on disk: ``<root>/<k[:2]>/<k>.body`` plus ``<k>.json`` (written last).

    An entry whose body no longer matches its recorded sha256 is ignored (and logged).
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @classmethod
    def for_settings(cls, settings: Settings) -> ResponseCache:
        return cls(settings.cache_dir / "http")

    def _paths(self, key: str) -> tuple[Path, Path]:
        folder = self.root / key[:2]
        return folder / f"{key}.body", folder / f"{key}.json"

    def get(self, key: str) -> SourceResponse | None:
        body_path, meta_path = self._paths(key)
        try:
            meta = orjson.loads(meta_path.read_bytes())
            content = body_path.read_bytes()
        except FileNotFoundError:
            return None
        except (OSError, orjson.JSONDecodeError) as exc:
            logger.warning("ignoring unreadable cache entry %s: %s", meta_path, exc)
            return None
        if hashlib.sha256(content).hexdigest() != meta.get("sha256"):
            logger.warning("ignoring corrupt cache entry %s (sha256 mismatch)", body_path)
            return None
        body = meta.get("body")
        return SourceResponse(
            method=meta["method"],
            url=meta["url"],
            body=body.encode() if isinstance(body, str) else None,
            content=content,
            content_type=meta.get("content_type", ""),
            status=int(meta.get("status", 200)),
            retrieved_at=datetime.fromisoformat(meta["retrieved_at"]),
            from_cache=True,
        )

    def put(self, key: str, response: SourceResponse) -> None:
        body_path, meta_path = self._paths(key)
        atomic_write(body_path, response.content)
        meta = {
            "method": response.method,
            "url": response.url,
            "body": response.body.decode() if response.body else None,
            "content_type": response.content_type,
            "status": response.status,
            "retrieved_at": response.retrieved_at.isoformat(),
            "sha256": response.sha256,
        }
        atomic_write(meta_path, orjson.dumps(meta, option=orjson.OPT_INDENT_2))

    def __contains__(self, key: str) -> bool:
        return self._paths(key)[1].exists()


# --------------------------------------------------------------------------- #
# payload checks                                                               #
# --------------------------------------------------------------------------- #
#: Messages of the HTTP layer: key → (bokmål, English, hint, English hint); ``{fields}`` from the details.
_MESSAGES: Mapping[str, tuple[str, str, str, str]] = {
    "timeout": ("Tidsavbrudd: {url} svarte ikke i tide ({error}).", "Timeout: {url} did not answer in time ({error}).",
                "Kilden er treg eller nede; prøv igjen senere.", "The source is slow or down; try again later."),
    "unreachable": ("Fikk ikke kontakt med {url}: {reason}.", "Could not reach {url}: {reason}.",
                    "Sjekk nettforbindelsen, eller bruk frakoblet modus (FN17_OFFLINE=1) med et øyeblikksbilde.",
                    "Check the network connection, or use offline mode (FN17_OFFLINE=1) with a snapshot."),
    "wait_too_long": ("{url} ber oss vente {retry_after:.0f} sekunder (HTTP {status}); FN17 venter ikke så lenge.",
                      "{url} asks us to wait {retry_after:.0f} seconds (HTTP {status}); FN17 will not wait that long.",
                      "Prøv igjen senere.", "Try again later."),
    "too_many": ("For mange forespørsler til {host} (HTTP 429).", "Too many requests to {host} (HTTP 429).",
                 "FN17 holder seg under 30 spørringer i minuttet; vent et minutt og prøv igjen.",
                 "FN17 keeps under 30 queries a minute; wait a minute and try again."),
    "server": ("Kilden svarte med serverfeil HTTP {status} for {url}: {text}",
               "The source answered with server error HTTP {status} for {url}: {text}",
               "Kilden har problemer; prøv igjen senere.", "The source is having trouble; try again later."),
    "offline": ("Frakoblet modus: {method} {url}{body_nb} finnes ikke i hurtigbufferen {cache}.",
                "Offline mode: {method} {url}{body_en} is not in the cache {cache}.",
                "Hent dataene med nett (FN17_OFFLINE=0 fn17 fetch), eller last et øyeblikksbilde med fn17 load MAPPE.",
                "Fetch the data online (FN17_OFFLINE=0 fn17 fetch), or load a snapshot with fn17 load FOLDER."),
}  # fmt: skip


def _error(key: str, cls: type[SourceError] = SourceError, **fields: Any) -> SourceError:
    nb, en, hint, hint_en = _MESSAGES[key]
    details = {k: v for k, v in fields.items() if not k.endswith(("_nb", "_en"))}
    return cls(nb.format(**fields), message_en=en.format(**fields), hint=hint, hint_en=hint_en, details=details)


class _Retryable(Exception):
    """A failure worth another attempt; carries the error to raise when attempts run out."""

    def __init__(self, error: SourceError, wait: float | None = None) -> None:
        super().__init__(error.message)
        self.error = error
        self.wait = wait


def _snippet(content: bytes, limit: int = 200) -> str:
    text = content[:2000].decode("utf-8", errors="replace")
    text = re.sub(r"<[^>]+>", " ", text)
    text = " ".join(text.split())
    return text[:limit] + ("…" if len(text) > limit else "")


def _looks_like_html(content: bytes, content_type: str) -> bool:
    if "html" in content_type.lower():
        return True
    head = content[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype", b"<html", b"<head", b"<body", b"<?xml", b"<"))


def _html_error(content: bytes, url: str, status: int, content_type: str = "") -> SourceError:
    head = content[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    is_xml = (head.startswith(b"<?xml") and b"<html" not in content[:2000].lower()) or "xml" in content_type.lower()
    kind_nb, kind_en = ("et XML-dokument", "an XML document") if is_xml else ("en HTML-side", "an HTML page")
    match = _TITLE.search(content[:20000])
    title = " ".join(match.group(1).decode("utf-8", errors="replace").split()) if match else _snippet(content, 120)
    return SourceError(
        f"Fikk {kind_nb} («{title}») der JSON var ventet fra {url} (HTTP {status}).",
        message_en=f"Got {kind_en} ('{title}') where JSON was expected from {url} (HTTP {status}).",
        hint="Kilden er trolig nede for vedlikehold eller adressen er feil; prøv igjen senere eller sjekk adressen.",
        hint_en="The source is probably down for maintenance or the address is wrong; try again later or check it.",
        details={"url": url, "status": status, "title": title},
    )


def _truncated_error(url: str, got: int, expected: int | None) -> SourceError:
    of = f" av {expected}" if expected is not None else ""
    of_en = f" of {expected}" if expected is not None else ""
    return SourceError(
        f"Svaret fra {url} ble avbrutt: fikk {got}{of} byte, og JSON-teksten slutter midt i.",
        message_en=f"The response from {url} was cut short: got {got}{of_en} bytes, and the JSON ends mid-way.",
        hint="Nettforbindelsen brøt trolig; prøv igjen.",
        hint_en="The connection probably dropped; try again.",
        details={"url": url, "bytes": got, "expected_bytes": expected},
    )


def _parse_json(content: bytes, url: str, expected: int | None) -> Any:
    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError as exc:
        stripped = len(content.rstrip())
        if stripped == 0 or exc.pos >= stripped - 1:
            raise _truncated_error(url, len(content), expected) from exc
        raise SourceError(
            f"Svaret fra {url} er ikke gyldig JSON ({exc.msg}, tegn {exc.pos}).",
            message_en=f"The response from {url} is not valid JSON ({exc.msg}, character {exc.pos}).",
            hint="Kilden sendte noe annet enn ventet; prøv igjen senere, og meld fra hvis det gjentar seg.",
            hint_en="The source sent something unexpected; try again later and report it if it persists.",
            details={"url": url, "position": exc.pos},
        ) from exc


# --------------------------------------------------------------------------- #
# the client                                                                   #
# --------------------------------------------------------------------------- #
def make_client(
    *, transport: httpx.BaseTransport | None = None, timeout: httpx.Timeout = DEFAULT_TIMEOUT
) -> httpx.Client:
    """The one factory for FN17's ``httpx.Client``: timeouts, user agent, redirects followed."""
    return httpx.Client(
        transport=transport,
        timeout=timeout,
        headers={"User-Agent": USER_AGENT},
        follow_redirects=True,
    )


class HttpSource:
    """The paced, retried, cached and checked way FN17 asks a remote source for something."""

    def __init__(
        self,
        client: httpx.Client,
        *,
        cache: ResponseCache | None = None,
        offline: bool = False,
        clock: Clock | None = None,
        pacer: HostPacer | None = None,
        retry: RetryPolicy | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.client = client
        self.cache = cache
        self.offline = offline
        self.clock: Clock = clock or SystemClock()
        self.pacer = pacer or HostPacer(self.clock)
        self.retry = retry or RetryPolicy()
        self.rng = rng or random.Random()
        self.requests_sent = 0

    @classmethod
    def from_settings(
        cls,
        settings: Settings | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        **kwargs: Any,
    ) -> HttpSource:
        """A source with the cache under ``settings.cache_dir`` and offline mode from ``FN17_OFFLINE``."""
        settings = settings or get_settings()
        kwargs.setdefault("offline", settings.offline)
        return cls(make_client(transport=transport), cache=ResponseCache.for_settings(settings), **kwargs)

    def __enter__(self) -> HttpSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.client.close()

    # -- public -------------------------------------------------------------------------------
    def build_url(self, url: str, params: Params | None = None) -> str:
        return str(httpx.URL(url, params=list(params.items()) if isinstance(params, Mapping) else params))

    def is_cached(self, method: str, url: str, *, params: Params | None = None, json_body: Any = None) -> bool:
        if self.cache is None:
            return False
        full = self.build_url(url, params)
        return cache_key(method, full, _encode_body(json_body)) in self.cache

    def get(self, url: str, **kwargs: Any) -> SourceResponse:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> SourceResponse:
        return self.request("POST", url, **kwargs)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Params | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
        expect: Expect = "json",
        refresh: bool = False,
    ) -> SourceResponse:
        """Send (or serve from the cache) one request; raise SourceError/OfflineError on failure."""
        method = method.upper()
        full = self.build_url(url, params)
        body = _encode_body(json_body)
        key = cache_key(method, full, body)
        if self.cache is not None and (self.offline or not refresh):
            hit = self.cache.get(key)
            if hit is not None:
                logger.debug("cache hit: %s %s", method, full)
                return hit
        if self.offline:
            text = body.decode(errors="replace") if body else None
            raise _error(
                "offline", OfflineError, method=method, url=full, body=text, body_nb=f" med innhold {text}" if text else "",
                body_en=f" with body {text}" if text else "", cache=str(self.cache.root) if self.cache else "(ingen)",
            )  # fmt: skip
        response = self._send_with_retries(method, full, body, headers or {}, expect)
        if self.cache is not None:
            self.cache.put(key, response)
        return response

    # -- internals ----------------------------------------------------------------------------
    def _send_with_retries(
        self, method: str, url: str, body: bytes | None, headers: Mapping[str, str], expect: Expect
    ) -> SourceResponse:
        host = httpx.URL(url).host
        last: SourceError | None = None
        for attempt in range(1, self.retry.attempts + 1):
            self.pacer.wait(host)
            try:
                return self._send_once(method, url, body, headers, expect)
            except _Retryable as failure:
                last = failure.error
                if attempt == self.retry.attempts:
                    break
                wait = failure.wait if failure.wait is not None else self.retry.backoff(attempt, self.rng)
                logger.warning("%s %s failed (%s); attempt %d of %d, retrying in %.1f s",
                               method, url, failure.error.message_en, attempt, self.retry.attempts, wait)  # fmt: skip
                self.clock.sleep(wait)
        assert last is not None
        raise SourceError(
            f"{last.message} Ga opp etter {self.retry.attempts} forsøk.",
            message_en=f"{last.message_en} Gave up after {self.retry.attempts} attempts.",
            hint=last.hint,
            hint_en=last.hint_en,
            details={**last.details, "attempts": self.retry.attempts},
        )

    def _send_once(
        self, method: str, url: str, body: bytes | None, headers: Mapping[str, str], expect: Expect
    ) -> SourceResponse:
        send_headers = dict(headers)
        if body is not None:
            send_headers.setdefault("Content-Type", "application/json")
        if expect == "json":
            send_headers.setdefault("Accept", "application/json")
        self.requests_sent += 1
        try:
            resp = self.client.request(method, url, content=body, headers=send_headers)
        except httpx.TimeoutException as exc:
            raise _Retryable(_error("timeout", url=url, error=type(exc).__name__)) from exc
        except httpx.TransportError as exc:
            raise _Retryable(_error("unreachable", url=url, reason=str(exc) or type(exc).__name__)) from exc
        return self._check(method, url, body, resp, expect)

    def _check(self, method: str, url: str, body: bytes | None, resp: httpx.Response, expect: Expect) -> SourceResponse:
        content = resp.content
        content_type = resp.headers.get("content-type", "")
        status = resp.status_code
        if status in _RETRY_STATUSES:
            wait = retry_after_seconds(resp.headers.get("retry-after"))
            if wait is not None and wait > self.retry.max_retry_after:
                raise _error("wait_too_long", url=url, status=status, retry_after=wait)
            if status == 429:
                error = _error("too_many", url=url, status=status, host=httpx.URL(url).host)
            else:
                error = _error("server", url=url, status=status, text=_snippet(content))
            raise _Retryable(error, wait)
        if status >= 400:
            raise _client_error(url, status, content, content_type)
        expected = _expected_length(resp)
        if expected is not None and expected != len(content):
            raise _Retryable(_truncated_error(url, len(content), expected))
        parsed: Any = None
        if expect == "json":
            if _looks_like_html(content, content_type):
                raise _html_error(content, url, status, content_type)
            try:
                parsed = _parse_json(content, url, expected)
            except SourceError as exc:
                if exc.details.get("bytes") is not None:  # truncated: worth another try
                    raise _Retryable(exc) from exc
                raise
        return SourceResponse(method, url, body, content, content_type, status, datetime.now(UTC), False, parsed)


def _encode_body(json_body: Any) -> bytes | None:
    if json_body is None:
        return None
    return orjson.dumps(json_body, option=orjson.OPT_SORT_KEYS)


def _expected_length(resp: httpx.Response) -> int | None:
    if resp.headers.get("content-encoding"):
        return None  # the header counts encoded bytes; httpx already decoded them
    raw = resp.headers.get("content-length")
    if raw is None or not raw.strip().isdigit():
        return None
    return int(raw)


def _client_error(url: str, status: int, content: bytes, content_type: str) -> SourceError:
    detail = ""
    if "json" in content_type.lower():
        try:
            payload = orjson.loads(content)
        except orjson.JSONDecodeError:
            payload = None
        if isinstance(payload, dict):
            parts = [str(payload[k]) for k in ("title", "detail", "message", "error") if payload.get(k)]
            detail = "; ".join(parts)
    detail = detail or _snippet(content)
    if status == 404:
        nb, en = f"Fant ikke {url} (HTTP 404).", f"Not found: {url} (HTTP 404)."
        hint = "Sjekk tabellnummeret eller adressen; tabellen kan være avsluttet og erstattet."
        hint_en = "Check the table number or address; the table may have been discontinued and replaced."
    elif status == 403:
        nb = f"Kilden nektet spørringen {url} (HTTP 403): {detail}"
        en = f"The source refused the query {url} (HTTP 403): {detail}"
        hint = "Hos SSB betyr 403 som regel over 800 000 celler; del opp spørringen."
        hint_en = "At SSB a 403 usually means more than 800,000 cells; split the query."
    else:
        nb = f"Kilden avviste forespørselen {url} (HTTP {status}): {detail}"
        en = f"The source rejected the request {url} (HTTP {status}): {detail}"
        hint = "Sjekk spørringen (dimensjoner og verdikoder) mot tabellens metadata."
        hint_en = "Check the query (dimensions and value codes) against the table's metadata."
    return SourceError(nb, message_en=en, hint=hint, hint_en=hint_en, details={"url": url, "status": status})

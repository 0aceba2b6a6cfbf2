"""Sign-in throttling: growing waits after failed sign-ins, per account and per client.

An argon2id hash makes each guess cost the server about a second of one core, but nothing stopped
a script from trying passwords as fast as the server answered. Now every sign-in attempt counts
against the account named and the client's address. The first :data:`FREE_PER_ACCOUNT` failures
of an account (:data:`FREE_PER_CLIENT` from one address, since colleagues may share a machine)
cost nothing; after that each further attempt must wait :data:`FIRST_WAIT` seconds after the last
failure was answered, doubling with every failure up to :data:`LONGEST_WAIT`. An attempt made too early is refused
without checking the password (``429`` with ``Retry-After``), so waiting out the delay is the only
way to guess on. A successful sign-in clears the account's failures and takes back its own count
from the client's; counts are forgotten after :data:`FORGET_AFTER` seconds without failures.

An attempt is counted *before* its password is checked, so a burst of simultaneous requests is
throttled like a sequence. The counts live in the server's memory (a restart clears them) and are
bounded (:data:`MAX_ENTRIES`), so made-up account names cannot exhaust memory. Behind a reverse
proxy every client has the proxy's address: the per-client count then covers everyone, and the
per-account one still protects each account (uvicorn takes a client's address from
``X-Forwarded-For`` only when the proxy is on this machine).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "FIRST_WAIT",
    "FORGET_AFTER",
    "FREE_PER_ACCOUNT",
    "FREE_PER_CLIENT",
    "LONGEST_WAIT",
    "MAX_ENTRIES",
    "SignInThrottle",
]

FREE_PER_ACCOUNT = 3
FREE_PER_CLIENT = 10
FIRST_WAIT = 1.0
LONGEST_WAIT = 15 * 60.0
FORGET_AFTER = 24 * 3600.0
MAX_ENTRIES = 10_000


def _account_key(name: str) -> str:
    """One key for every spelling that signs in to the same account (case, spacing)."""
    return " ".join(name.split()).casefold()


@dataclass
class _Count:
    failures: int
    last: float


class SignInThrottle:
    """Counts failed sign-ins per account and per client and says how long to wait.

    The defaults are the module's constants; a server that wants stricter (or, in a test, longer
    and so less timing-sensitive) waits passes its own.
    """

    def __init__(
        self,
        *,
        free_per_account: int = FREE_PER_ACCOUNT,
        free_per_client: int = FREE_PER_CLIENT,
        first_wait: float = FIRST_WAIT,
        longest_wait: float = LONGEST_WAIT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free_per_account, self.free_per_client = free_per_account, free_per_client
        self.first_wait, self.longest_wait = first_wait, longest_wait
        self._clock = clock
        self._lock = threading.Lock()
        self._counts: OrderedDict[tuple[str, str], _Count] = OrderedDict()

    def _free(self, key: tuple[str, str]) -> int:
        return self.free_per_account if key[0] == "account" else self.free_per_client

    def _wait(self, key: tuple[str, str], now: float) -> float:
        count = self._counts.get(key)
        if count is None or now - count.last > FORGET_AFTER:
            self._counts.pop(key, None)
            return 0.0
        over = count.failures - self._free(key)
        if over < 0:
            return 0.0
        return max(0.0, count.last + min(self.longest_wait, self.first_wait * 2**over) - now)

    def attempt(self, account: str, client: str) -> float:
        """Register an attempt; returns 0 when it may go ahead, else the seconds still to wait.

        An attempt that goes ahead counts as a failure until :meth:`succeeded` says otherwise; one
        that must wait counts nothing.
        """
        keys = [("account", _account_key(account)), ("client", client)]
        with self._lock:
            now = self._clock()
            wait = max(self._wait(key, now) for key in keys)
            if wait > 0:
                return wait
            for key in keys:
                count = self._counts.pop(key, None) or _Count(0, now)
                count.failures += 1
                count.last = now
                self._counts[key] = count  # most recent last
            while len(self._counts) > MAX_ENTRIES:
                self._counts.popitem(last=False)
            return 0.0

    def failed(self, account: str, client: str) -> None:
        """The attempt was wrong: the wait before the next one starts now, not when it was made."""
        with self._lock:
            now = self._clock()
            for key in (("account", _account_key(account)), ("client", client)):
                count = self._counts.get(key)
                if count is not None:
                    count.last = max(count.last, now)

    def succeeded(self, account: str, client: str) -> None:
        """The attempt was right: clear the account, and take its count back from the client."""
        with self._lock:
            self._counts.pop(("account", _account_key(account)), None)
            count = self._counts.get(("client", client))
            if count is not None:
                count.failures = max(0, count.failures - 1)

"""Django's Redis cache backend, keeping one Redis client per connection pool.

Django's backend makes a new `redis.Redis` client for every cache call, and redis-py builds the table of
its response callbacks (about 200 entries) for every new client: some 0.2 ms of CPU per call, several
calls per request. A client is thread-safe (it takes a connection from its pool for each command), so
one per pool is enough.
"""

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient


# INCR, and on the first count the expiry: one atomic step, so a counter never outlives its window
# (with SET NX EX then INCR, a key expiring in between would come back without an expiry).
_COUNT = "local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end return n"


def counters_add(cache, counters: dict[str, int]) -> list[int]:
    """Count one more on each counter ({key: seconds it lives from its first count}); the new counts, in
    order. On Redis one round trip for all of them; on other caches Django's add and incr."""
    if isinstance(cache, RedisCache):
        pipe = cache._cache.get_client(write=True).pipeline(transaction=False)
        for key, seconds in counters.items():  # EVAL, not EVALSHA: no SCRIPT EXISTS round trip first
            pipe.eval(_COUNT, 1, cache.make_and_validate_key(key), seconds)
        return pipe.execute()
    counts = []
    for key, seconds in counters.items():
        if cache.add(key, 1, seconds):
            counts.append(1)
            continue
        try:
            counts.append(cache.incr(key))
        except ValueError:  # expired between add and incr
            cache.add(key, 1, seconds)
            counts.append(1)
    return counts

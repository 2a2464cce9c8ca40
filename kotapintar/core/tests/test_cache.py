"""The Redis cache backend of production (REDIS_URL): Django's, with one client per connection pool."""

from kotapintar.core.cache import RedisCache
from kotapintar.testservices import require_service


def test_the_redis_cache_works_and_reuses_its_client():
    require_service("redis")
    cache = RedisCache("redis://127.0.0.1:6379/14", {"KEY_PREFIX": "kp-test"})
    cache.clear()
    assert cache.add("n", 1, 60) and not cache.add("n", 5, 60)
    assert cache.incr("n") == 2 and cache.get("n") == 2
    cache.set("city", {"slug": "bandung", "days": [1, 2]}, 60)
    assert cache.get("city") == {"slug": "bandung", "days": [1, 2]}
    cache.delete_many(["n", "city"])
    assert cache.get("n") is None and cache.get("city", "gone") == "gone"
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client(write=True) is client and cache._cache.get_client() is client  # one server


def test_counters_count_in_one_round_trip_and_expire():
    import time

    from django.core.cache.backends.locmem import LocMemCache

    from kotapintar.core.cache import counters_add

    require_service("redis")
    redis_cache = RedisCache("redis://127.0.0.1:6379/14", {"KEY_PREFIX": "kp-test"})
    redis_cache.clear()
    for cache in (redis_cache, LocMemCache("counters", {})):
        assert counters_add(cache, {"a": 60, "b": 1}) == [1, 1]
        assert counters_add(cache, {"a": 60, "b": 1}) == [2, 2]
        assert cache.get("a") == 2  # an ordinary cache value too
        time.sleep(1.1)
        assert counters_add(cache, {"a": 60, "b": 1}) == [3, 1]  # b lived one second from its first count
    client = redis_cache._cache.get_client(write=True)
    assert 0 < client.ttl(redis_cache.make_and_validate_key("a")) <= 60  # every counter expires
    calls = []
    original = client.pipeline
    client.pipeline = lambda **kw: calls.append(kw) or original(**kw)
    counters_add(redis_cache, {"x": 60, "y": 60, "z": 60})
    assert len(calls) == 1

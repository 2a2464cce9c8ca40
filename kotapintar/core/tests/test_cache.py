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

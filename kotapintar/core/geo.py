"""Where things are in a city: distances, point-in-boundary, and a map point resolved to its kecamatan
and kelurahan.

Boundaries are GeoJSON geometries (Polygon or MultiPolygon, coordinates as [lng, lat]). A city without
a loaded boundary stands in a circle of `radius_km` around its centre; a point is given to the
kecamatan whose boundary holds it, else to the kecamatan (and kelurahan) with the nearest centroid.
Centroids for the demo cities ship in `data/geo/` (see its README for sources and licences).
"""

import csv
import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.core.cache import cache as shared_cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kotapintar.core.models import City, District, Village

DATA = Path(__file__).parent / "data" / "geo"
EARTH_RADIUS_M = 6_371_008.8
INDONESIA = {"lat": (-11.5, 6.5), "lng": (94.5, 141.5)}


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def bounding_box(lat: float, lng: float, metres: float) -> tuple[float, float, float, float]:
    """(lat_min, lat_max, lng_min, lng_max) of a square that holds the circle of `metres` around a point."""
    dlat = math.degrees(metres / EARTH_RADIUS_M)
    dlng = dlat / max(math.cos(math.radians(lat)), 0.01)
    return lat - dlat, lat + dlat, lng - dlng, lng + dlng


def _in_ring(lat: float, lng: float, ring) -> bool:
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > lat) != (yj > lat) and lng < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def geometry_contains(geometry: dict, lat: float, lng: float) -> bool:
    """Whether a GeoJSON Polygon or MultiPolygon holds the point (holes respected)."""
    kind = geometry.get("type")
    polygons = [geometry["coordinates"]] if kind == "Polygon" else geometry.get("coordinates", [])
    if kind not in ("Polygon", "MultiPolygon"):
        return False
    for rings in polygons:
        if rings and _in_ring(lat, lng, rings[0]) and not any(_in_ring(lat, lng, hole) for hole in rings[1:]):
            return True
    return False


def geometry_validate(geometry) -> dict:
    """Accept a GeoJSON Polygon/MultiPolygon (or a Feature or FeatureCollection of one) and return it."""
    if isinstance(geometry, dict) and geometry.get("type") == "FeatureCollection":
        features = geometry.get("features") or []
        if len(features) != 1:
            raise ValidationError(_("The boundary file must hold exactly one area."))
        geometry = features[0]
    if isinstance(geometry, dict) and geometry.get("type") == "Feature":
        geometry = geometry.get("geometry")
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        raise ValidationError(_("The boundary must be a GeoJSON Polygon or MultiPolygon."))
    polygons = [geometry.get("coordinates")] if geometry["type"] == "Polygon" else geometry.get("coordinates")
    try:
        for rings in polygons:
            for ring in rings:
                if len(ring) < 4:
                    raise ValidationError(_("Every boundary ring needs at least four points."))
                for lng, lat, *_rest in ring:
                    if not (INDONESIA["lat"][0] <= lat <= INDONESIA["lat"][1]
                            and INDONESIA["lng"][0] <= lng <= INDONESIA["lng"][1]):
                        raise ValidationError(_("The boundary has points outside Indonesia (is it [lng, lat]?)."))
    except (TypeError, ValueError):
        raise ValidationError(_("The boundary coordinates are not a list of [longitude, latitude] points.")) from None
    return geometry


def point_parse(lat, lng) -> tuple[float, float]:
    """Parse a latitude and longitude given by a person or a client; ValidationError if not a point
    in Indonesia."""
    try:
        lat, lng = float(lat), float(lng)
    except (TypeError, ValueError):
        raise ValidationError(_("The location must be a latitude and a longitude in degrees.")) from None
    if not (math.isfinite(lat) and math.isfinite(lng)):
        raise ValidationError(_("The location must be a latitude and a longitude in degrees."))
    if not (INDONESIA["lat"][0] <= lat <= INDONESIA["lat"][1] and INDONESIA["lng"][0] <= lng <= INDONESIA["lng"][1]):
        raise ValidationError(_("The location is outside Indonesia."))
    return round(lat, 6), round(lng, 6)


def distance_to_geometry_m(geometry: dict, lat: float, lng: float) -> float:
    """Shortest distance in metres from the point to the geometry's edges (flat-earth approximation,
    good to a few metres at city scale)."""
    scale = math.cos(math.radians(lat))
    metres_per_degree = EARTH_RADIUS_M * math.pi / 180
    polygons = [geometry["coordinates"]] if geometry.get("type") == "Polygon" else geometry.get("coordinates", [])
    best = math.inf
    for rings in polygons:
        for ring in rings:
            for (x1, y1, *_a), (x2, y2, *_b) in zip(ring, ring[1:], strict=False):
                ax, ay = (x1 - lng) * scale, y1 - lat
                bx, by = (x2 - lng) * scale, y2 - lat
                dx, dy = bx - ax, by - ay
                t = 0.0 if dx == dy == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / (dx * dx + dy * dy)))
                best = min(best, math.hypot(ax + t * dx, ay + t * dy))
    return best * metres_per_degree


BOUNDARY_TOLERANCE_M = 300  # GPS error and simplified outlines: a pin just over the line still counts


def city_contains(city: City, lat: float, lng: float) -> bool:
    """Whether the point is in the city: inside its boundary (or within 300 m of it) if loaded, else
    within its radius. A city that knows neither accepts every point in Indonesia."""
    if city.boundary:
        return (geometry_contains(city.boundary, lat, lng)
                or distance_to_geometry_m(city.boundary, lat, lng) <= BOUNDARY_TOLERANCE_M)
    if city.lat is None or city.lng is None:
        return True
    return distance_m(city.lat, city.lng, lat, lng) <= city.radius_km * 1000


@dataclass(frozen=True)
class Place:
    district: District | None
    village: Village | None


GEO_CACHE_SECONDS = 60


def _city_places(city: City) -> tuple[list[tuple], bool]:
    """The city's kecamatan that have a centroid, as (id, name, code, lat, lng, boundary), and whether any
    kelurahan has one. Read for every report filed and changed only by an administrator: cached like
    cities (cleared by `city_geo_cache_clear`)."""
    key = f"kp:geo:{city.pk}"
    found = shared_cache.get(key)
    if found is None:
        districts = list(District.objects.filter(city=city).exclude(lat=None)
                         .values_list("id", "name", "code", "lat", "lng", "boundary"))
        found = (districts, Village.objects.filter(city=city).exclude(lat=None).exists())
        shared_cache.set(key, found, GEO_CACHE_SECONDS)
    return found


def city_geo_cache_clear(city: City) -> None:
    from django.db import transaction

    shared_cache.delete(f"kp:geo:{city.pk}")
    transaction.on_commit(lambda: shared_cache.delete(f"kp:geo:{city.pk}"))


def locate(city: City, lat: float, lng: float) -> Place:
    """The kecamatan and kelurahan of a point in the city (either may be None when unknown)."""
    rows, villages_known = _city_places(city)
    row = next((r for r in rows if r[5] and geometry_contains(r[5], lat, lng)), None)
    if row is None and rows:
        row = min(rows, key=lambda r: distance_m(lat, lng, r[3], r[4]))
    district = None
    if row is not None:
        pk, name, code, d_lat, d_lng, boundary = row
        district = District(id=pk, city_id=city.pk, name=name, code=code, lat=d_lat, lng=d_lng, boundary=boundary)
    village = None
    if district is not None and villages_known:
        villages = Village.objects.filter(city=city, district_id=district.pk).exclude(lat=None).only(
            "id", "name", "lat", "lng", "district_id")
        village = min(villages, key=lambda v: distance_m(lat, lng, v.lat, v.lng), default=None)
    return Place(district, village)


def address_locate(city: City, address: str) -> Place:
    """Resolve a written address to a kelurahan and kecamatan by the names it mentions (the longest
    kelurahan name found wins; a kecamatan name alone gives just the kecamatan)."""
    text = f" {' '.join(address.lower().replace(',', ' ').replace('.', ' ').split())} "
    villages = [v for v in Village.objects.filter(city=city).select_related("district")
                if f" {v.name.lower()} " in text]
    if villages:
        village = max(villages, key=lambda v: len(v.name))
        return Place(village.district, village)
    districts = [d for d in District.objects.filter(city=city) if f" {d.name.lower()} " in text]
    return Place(max(districts, key=lambda d: len(d.name)) if districts else None, None)


# -- shipped centroids ------------------------------------------------------------------------------
def _rows(name: str):
    path = DATA / name
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@cache
def shipped_centroids() -> dict[str, tuple[float, float]]:
    """Known centroids by Kemendagri code (kecamatan and kelurahan)."""
    rows = _rows("district_centroids.csv") + _rows("village_centroids.csv")
    return {r["code"]: (float(r["lat"]), float(r["lng"])) for r in rows}


@cache
def shipped_cities() -> dict[str, dict]:
    return {r["region_code"]: {"lat": float(r["lat"]), "lng": float(r["lng"]), "radius_km": float(r["radius_km"])}
            for r in _rows("cities.csv")}


def city_geo_load(city: City) -> None:
    """Give a city, its kecamatan and kelurahan the shipped coordinates, where the package has them."""
    centre = dict(shipped_cities().get(city.region_code) or {})
    boundary_file = DATA / "boundaries" / f"{city.region_code}.geojson"
    if boundary_file.exists() and not city.boundary:
        centre["boundary"] = geometry_validate(json.loads(boundary_file.read_text(encoding="utf-8")))
    if centre and city.lat is None:
        City.objects.filter(pk=city.pk).update(**centre)
        for key, value in centre.items():
            setattr(city, key, value)
    known = shipped_centroids()
    for model in (District, Village):
        rows = [r for r in model.objects.filter(city=city, lat=None) if r.code in known]
        for row in rows:
            row.lat, row.lng = known[row.code]
        model.objects.bulk_update(rows, ["lat", "lng"], batch_size=500)
    city_geo_cache_clear(city)


def _centre(geometry: dict) -> tuple[float, float]:
    """Mean of the outer ring's vertices: good enough to find the nearest kecamatan."""
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    ring = max((rings[0] for rings in polygons), key=len)
    points = ring[:-1] if ring[0] == ring[-1] else ring
    return round(sum(p[1] for p in points) / len(points), 6), round(sum(p[0] for p in points) / len(points), 6)


def city_geography_load(*, city: City, actor, boundary: dict | None = None,
                        districts: dict | None = None) -> dict:
    """Load an official city boundary and/or kecamatan boundaries (a GeoJSON FeatureCollection whose
    features name the kecamatan by `code` (Kemendagri, e.g. 32.73.01) or `name`). Returns counts;
    ValidationError names what did not match, and then nothing is saved."""
    from django.db import transaction

    from kotapintar.core.selectors import city_cache_clear
    from kotapintar.core.services.audit import audit_record

    city_geometry = geometry_validate(boundary) if boundary is not None else None
    updates = []
    if districts is not None:
        features = districts.get("features") if isinstance(districts, dict) else None
        if not isinstance(features, list) or not features:
            raise ValidationError(_("The kecamatan file must be a GeoJSON FeatureCollection."))
        by_code = {d.code: d for d in District.objects.filter(city=city)}
        by_name = {d.name.lower().replace(" ", ""): d for d in by_code.values()}
        unknown = []
        for feature in features:
            props = feature.get("properties") or {}
            district = by_code.get(str(props.get("code", ""))) or by_name.get(
                str(props.get("name", "")).lower().replace(" ", ""))
            if district is None:
                unknown.append(str(props.get("code") or props.get("name") or "?"))
                continue
            district.boundary = geometry_validate(feature.get("geometry"))
            district.lat, district.lng = _centre(district.boundary)
            updates.append(district)
        if unknown:
            raise ValidationError(_("These areas are not kecamatan of %(city)s: %(names)s")
                                  % {"city": city.name, "names": ", ".join(unknown[:10])})
    with transaction.atomic():
        if city_geometry is not None:
            city.boundary = city_geometry
            city.lat, city.lng = _centre(city_geometry)
            city.save(update_fields=["boundary", "lat", "lng"])
            city_cache_clear(city)
        District.objects.bulk_update(updates, ["boundary", "lat", "lng"])
        city_geo_cache_clear(city)
        audit_record(city=city, actor=actor, action="city.geography_load", target=city,
                     data={"boundary": city_geometry is not None, "districts": len(updates)})
    return {"boundary": city_geometry is not None, "districts": len(updates)}

"""Kemendagri region data shipped with the package (ODbL, see data/wilayah/README.md)."""

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data" / "wilayah"


@dataclass(frozen=True)
class Regency:
    code: str
    name: str
    province_code: str
    province_name: str

    @property
    def is_city(self) -> bool:
        """Regency numbers 71-99 are kota; 01-69 are kabupaten."""
        return int(self.code.split(".")[1]) >= 71


def _rows(name: str):
    with open(DATA / f"{name}.csv", newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


@cache
def provinces() -> dict[str, str]:
    return {row["code"]: row["name"] for row in _rows("provinces")}


@cache
def regencies() -> dict[str, Regency]:
    names = provinces()
    return {
        row["code"]: Regency(row["code"], row["name"], row["province_code"], names[row["province_code"]])
        for row in _rows("regencies")
    }


@cache
def district_codes() -> frozenset[str]:
    """Six-digit district codes without dots (the first six digits of a NIK)."""
    return frozenset(row["code"].replace(".", "") for row in _rows("districts"))


def regency(code: str) -> Regency | None:
    return regencies().get(code)


def districts_of(regency_code: str) -> list[tuple[str, str]]:
    return [(r["code"], r["name"]) for r in _rows("districts") if r["regency_code"] == regency_code]


@cache
def _villages_by_regency() -> dict[str, list[tuple[str, str, str]]]:
    index: dict[str, list[tuple[str, str, str]]] = {}
    for r in _rows("villages"):
        index.setdefault(r["code"][:5], []).append((r["code"], r["district_code"], r["name"]))
    return index


def villages_of(regency_code: str) -> list[tuple[str, str, str]]:
    """(code, district_code, name) of every village in the regency."""
    return _villages_by_regency().get(regency_code, [])

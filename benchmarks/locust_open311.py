"""Locust load for bench_complaints_open311_post.py: Open311 clients filing reports (POST requests.json).

Each simulated client posts, one after the other without pause, a valid report to
/<city>/open311/v2/requests.json with the city's api_key: a random category (with answers to its required
questions), a place inside the city, and a new e-mail address and device_id each time (so the per-person
flood limit of five reports in ten minutes is never what answers). Every answer must be a 200 with a
token (and a service_request_id when the report was filed at once rather than queued); anything else
counts as a failure.

The benchmark passes, in the environment:
  KP_OPEN311_PLAN  path of a JSON file {"<city slug>": {"key": "...", "points": [[lat, lng], ...]}, ...}

    locust -f benchmarks/locust_open311.py --headless -u 16 -r 16 -t 30s --host http://127.0.0.1:PORT
"""

import itertools
import json
import os
import random
import uuid

from locust import FastHttpUser, task

with open(os.environ["KP_OPEN311_PLAN"], encoding="utf-8") as handle:
    PLAN = json.load(handle)
CITIES = sorted(PLAN)
# The demo categories (kotapintar/complaints/demo.py) and answers to their required questions.
SERVICES = [
    ("jalan-rusak", "Lubang di tengah jalan, motor sering terperosok saat hujan.",
     {"attribute[ukuran]": "sedang", "attribute[membahayakan]": "ya"}),
    ("banjir", "Genangan setinggi lutut setiap hujan deras karena saluran tersumbat.",
     {"attribute[kedalaman_cm]": "40"}),
    ("sampah", "Sampah di TPS tidak diangkut sejak seminggu, bau menyengat.", {}),
    ("lampu-jalan", "Lampu jalan mati, jalan gelap di malam hari.", {"attribute[nomor_tiang]": "PJU-1207"}),
    ("pkl", "Trotoar dipenuhi lapak PKL sehingga pejalan kaki turun ke jalan.", {}),
    ("pohon", "Pohon besar miring ke arah jalan setelah angin kencang.", {}),
    ("pelayanan", "Diminta biaya tambahan tanpa kuitansi saat mengurus surat.",
     {"attribute[unit]": "Kantor kelurahan"}),
]
_serial = itertools.count()
_run = uuid.uuid4().hex[:8]


class Open311Client(FastHttpUser):
    """A partner app filing its users' reports as fast as the server answers."""

    @task
    def file_report(self):
        city = random.choice(CITIES)
        plan = PLAN[city]
        lat, lng = random.choice(plan["points"])
        code, description, answers = random.choice(SERVICES)
        n = next(_serial)
        data = {
            "api_key": plan["key"], "service_code": code, "lat": f"{lat:.6f}", "long": f"{lng:.6f}",
            "description": description, "email": f"warga-{_run}-{n}@example.id", "device_id": f"hp-{_run}-{n}",
            "first_name": "Warga", "last_name": str(n), **answers,
        }
        with self.client.post(f"/{city}/open311/v2/requests.json", data=data,
                              name="POST /<city>/open311/v2/requests.json", catch_response=True) as response:
            try:
                answer = response.json()
                # Filed at once (service_request_id and token) or queued for a worker (the token only).
                ok = response.status_code == 200 and bool(answer[0]["token"])
            except Exception:  # noqa: BLE001 (any unreadable answer is a failure)
                ok = False
            if ok:
                response.success()
            else:
                response.failure(f"{response.status_code}: {(response.text or '')[:200]}")

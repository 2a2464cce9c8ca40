"""Demo data: every city gets the standard complaint categories and service standards; Bandung also
gets its complaint officials and reports in every state."""

from kotapintar.complaints.models import Complaint, ComplaintCategory
from kotapintar.complaints.services.categories import category_save
from kotapintar.complaints.services.standards import service_standard_save
from kotapintar.core.models import Department

YES_NO = [{"key": "ya", "name": "Ya"}, {"key": "tidak", "name": "Tidak"}]
CATEGORIES = [
    # code, name, group, department, description, questions
    ("jalan-rusak", "Jalan rusak atau berlubang", "Infrastruktur", "PUPR", "Lubang, retak, aspal mengelupas", [
        {"code": "ukuran", "label": "Perkiraan ukuran kerusakan", "type": "singlevaluelist", "required": True,
         "values": [{"key": "kecil", "name": "Kecil (< 50 cm)"}, {"key": "sedang", "name": "Sedang (50 cm–2 m)"},
                    {"key": "besar", "name": "Besar (> 2 m)"}]},
        {"code": "membahayakan", "label": "Membahayakan pengendara?", "type": "singlevaluelist", "values": YES_NO},
    ]),
    ("banjir", "Banjir atau genangan", "Bencana dan lingkungan", "BPBD", "Air menggenang di jalan atau permukiman", [
        {"code": "kedalaman_cm", "label": "Perkiraan kedalaman air (cm)", "type": "number", "required": True},
    ]),
    ("sampah", "Sampah menumpuk", "Bencana dan lingkungan", "DLH", "Sampah tidak diangkut, TPS liar", []),
    ("lampu-jalan", "Lampu penerangan jalan mati", "Infrastruktur", "DISHUB", "PJU mati atau berkedip", [
        {"code": "nomor_tiang", "label": "Nomor tiang (jika terlihat)", "type": "string"},
    ]),
    ("pkl", "Pedagang kaki lima di trotoar", "Ketertiban", "SATPOLPP", "PKL yang menutup trotoar atau jalan", []),
    ("pohon", "Pohon tumbang atau rawan tumbang", "Bencana dan lingkungan", "DLH", "", []),
    ("pelayanan", "Perilaku petugas pelayanan publik", "Pelayanan publik", "SETDA",
     "Pungutan liar, pelayanan lambat atau tidak ramah", [
         {"code": "unit", "label": "Unit atau kantor pelayanan", "type": "string", "required": True},
     ]),
]
STANDARDS = [
    ("angkut-sampah", "Pengangkutan sampah permukiman", "DLH",
     "Surat permohonan dari RT/RW\nLokasi TPS", "Ajukan permohonan\nSurvei lokasi\nPenjadwalan pengangkutan",
     "5 hari kerja", "Sesuai Perda retribusi persampahan", "Jadwal pengangkutan sampah"),
    ("uji-kir", "Pengujian berkala kendaraan bermotor (KIR)", "DISHUB",
     "STNK asli\nBuku uji lama\nKTP pemilik", "Daftar di loket\nPengujian kendaraan\nPenerbitan kartu uji",
     "1 hari kerja", "Sesuai Perda retribusi pengujian kendaraan", "Kartu uji dan tanda uji"),
    ("rekomendasi-damkar", "Rekomendasi proteksi kebakaran bangunan", "DAMKAR",
     "Gambar instalasi proteksi kebakaran\nKTP pemohon",
     "Ajukan permohonan\nPemeriksaan lapangan\nPenerbitan rekomendasi",
     "7 hari kerja", "Gratis", "Surat rekomendasi"),
]
# Bandung demo reports: (category, description, offset north m, offset east m, steps)
REPORTS = [
    ("jalan-rusak", "Lubang besar di tengah jalan, motor sering terperosok saat hujan.", 300, -200, []),
    ("sampah", "Sampah di TPS tidak diangkut sejak seminggu, bau menyengat.", -800, 600, ["verify"]),
    ("lampu-jalan", "Tiga lampu jalan mati berturut-turut, jalan gelap di malam hari.", 1200, 900,
     ["verify", "start"]),
    ("banjir", "Genangan setinggi lutut setiap hujan deras karena saluran tersumbat.", -1500, -1100,
     ["verify", "start", "resolve"]),
    ("pkl", "Trotoar dipenuhi lapak PKL sehingga pejalan kaki turun ke jalan.", 500, 1500,
     ["verify", "resolve:pkl", "close"]),
    ("pohon", "Pohon besar miring ke arah jalan setelah angin kencang.", -300, 2200, ["reject"]),
    ("pelayanan", "Diminta biaya tambahan tanpa kuitansi saat mengurus surat keterangan.", 2000, -700,
     ["forward"]),
]
COMMENTS = {"resolve": "Saluran sudah dibersihkan oleh petugas pada hari ini.",
            "resolve:pkl": "Satpol PP telah menertibkan lapak dan memindahkan PKL ke lokasi binaan.",
            "reject": "Lokasi berada di lahan pribadi; silakan hubungi pemilik lahan.",
            "forward": "Diteruskan ke Ombudsman RI Perwakilan Jawa Barat sesuai kewenangan.",
            "close": "", "verify": "", "start": "Petugas dijadwalkan ke lokasi minggu ini."}


def load_demo(city, accounts) -> None:
    from kotapintar.core.demo import account

    departments = {d.code: d for d in Department.objects.filter(city=city)}
    if not departments:
        return
    if not ComplaintCategory.objects.filter(city=city).exists():
        for code, name, group, dept, description, questions in CATEGORIES:
            category_save(city=city, actor=None, code=code, name=name, group=group, department=departments[dept],
                          description=description, questions=questions)
        for code, name, dept, req, proc, time, cost, product in STANDARDS:
            service_standard_save(city=city, actor=None, code=code, department=departments[dept], name=name,
                                  requirements=req, procedure=proc, service_time=time, cost=cost, product=product,
                                  complaint_channel=f"Menu Pengaduan di situs {city.name}, atau {city.contact_phone}"
                                  if city.contact_phone else f"Menu Pengaduan di situs {city.name}")
    if city.slug == "bandung":
        _bandung(city, accounts, departments, account)


def _bandung(city, accounts, departments, account) -> None:
    from kotapintar.core.services.users import membership_create

    people = {}
    for username, role, dept, name, label in [
        ("verifikator.lapor.bandung", "complaint_verifier", "DISKOMINFO", "Rina Marlina", "complaint verifier"),
        ("supervisor.lapor.bandung", "complaint_supervisor", "DISKOMINFO", "Hendra Gunawan", "complaint supervisor"),
        ("petugas.pupr.bandung", "complaint_officer", "PUPR", "Asep Saepudin", "complaint officer, Dinas PUPR"),
        ("petugas.dlh.bandung", "complaint_officer", "DLH", "Nining Suryani", "complaint officer, DLH"),
    ]:
        people[username] = account(username, full_name=name, email=f"{username}@bandung.example.id")
        membership_create(user=people[username], city=city, role=role, department=departments[dept], actor=None)
        accounts.append((username, "kotapintar-demo", f"{label}, Kota Bandung"))
    if Complaint.objects.filter(city=city).exists():
        return
    _bandung_reports(city, people, account)


def _bandung_reports(city, people, account) -> None:
    from kotapintar.complaints.services.reports import complaint_act, complaint_create, complaint_rate
    from kotapintar.core import geo

    warga = account("warga", full_name="Siti Rahmawati", email="warga@example.id")
    verifier, supervisor = people["verifikator.lapor.bandung"], people["supervisor.lapor.bandung"]
    lat0, lng0 = (city.lat, city.lng) if city.lat is not None else (-6.9175, 107.6191)
    categories = {c.code: c for c in ComplaintCategory.objects.filter(city=city)}
    answers = {"jalan-rusak": {"ukuran": "besar", "membahayakan": "ya"}, "banjir": {"kedalaman_cm": "45"},
               "pelayanan": {"unit": "Kantor kelurahan"}}
    for code, text, north, east, steps in REPORTS:
        lat_min, lat_max, lng_min, lng_max = geo.bounding_box(lat0, lng0, 1)  # degrees per metre, roughly
        lat = lat0 + north * (lat_max - lat0)
        lng = lng0 + east * (lng_max - lng0)
        complaint = complaint_create(city=city, category=categories[code], description=text, lat=lat, lng=lng,
                                     reporter=warga, attributes=answers.get(code, {}),
                                     visibility="anonymous" if code == "pelayanan" else "public",
                                     check_limits=False)
        for step in steps:
            action = step.split(":")[0]
            actors = {"close": warga, "verify": verifier, "reject": verifier, "forward": verifier}
            actor = actors.get(action, supervisor)
            complaint = complaint_act(complaint=complaint, action=action, actor=actor, comment=COMMENTS[step])
        if complaint.state == "closed":
            complaint_rate(complaint=complaint, actor=warga, rating=5, comment="Cepat ditangani, terima kasih.")

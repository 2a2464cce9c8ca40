"""Loaded by pytest (`-p kotapintar.testenv`) before Django settings: tests get their own data dir."""

import os
import tempfile

os.environ.setdefault("KOTAPINTAR_DATA_DIR", tempfile.mkdtemp(prefix="kotapintar-test-"))
# Maps in tests draw no tiles from the Internet (the default is OpenStreetMap's tile server).
os.environ.setdefault("KOTAPINTAR_MAP_TILES", "")

"""Loaded by pytest (`-p kotapintar.testenv`) before Django settings: tests get their own data dir."""

import os
import tempfile

os.environ.setdefault("KOTAPINTAR_DATA_DIR", tempfile.mkdtemp(prefix="kotapintar-test-"))

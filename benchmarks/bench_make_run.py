"""From a fresh clone to a working platform: seconds until `make run` serves /healthz.

Clones this repository (`git clone . <temp dir>`: the committed HEAD), runs `make run` there on a
free PORT, and measures the seconds until http://127.0.0.1:<port>/healthz answers 200. That covers
creating the virtual environment, installing the platform and its dependencies with pip (with
whatever pip cache the machine has), migrating a new SQLite database and loading the demo data of
the nine cities. Target: under 3 minutes. Then stops the server and removes the clone.

    python3 benchmarks/bench_make_run.py [--timeout 900]
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO_DIR, figure, free_port, print_machine, wait_for_200  # noqa: E402

TARGET_SECONDS = 180


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=900, help="give up after this many seconds")
    args = parser.parse_args()

    print_machine("bench_make_run: fresh clone -> `make run` -> /healthz 200")
    clone = Path(tempfile.mkdtemp(prefix="kotapintar-bench-make-run-"))
    server = None
    log_path = clone.parent / f"{clone.name}.log"
    try:
        subprocess.run(["git", "clone", "--quiet", str(REPO_DIR), str(clone)], check=True)
        head = subprocess.run(["git", "-C", str(clone), "log", "-1", "--format=%h %s"], check=True,
                              capture_output=True, text=True).stdout.strip()
        print(f"clone of {head} in {clone}")
        port = free_port()
        env = {key: value for key, value in os.environ.items()
               if key not in {"VIRTUAL_ENV", "KOTAPINTAR_DATA_DIR", "DATABASE_URL", "MAKEFLAGS", "MAKELEVEL",
                              "MFLAGS"}}
        env["PORT"] = str(port)
        # Outside any virtual environment, as a person who just cloned the repository would be.
        env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                      if not (Path(p) / "activate").exists())
        with open(log_path, "w") as log:
            started = time.monotonic()
            # Own process group, so that stopping it stops make and the server it started.
            server = subprocess.Popen(["make", "run"], cwd=clone, env=env, stdout=log, stderr=subprocess.STDOUT,
                                      start_new_session=True)
        seconds = wait_for_200(f"http://127.0.0.1:{port}/healthz", timeout=args.timeout, process=server)
        waited = time.monotonic() - started
        print(f"`make run` on port {port}: /healthz answered 200 after {waited:.1f} s")
        figure("fresh clone `make run` until /healthz 200", f"{seconds:.1f} s", f"< {TARGET_SECONDS} s",
               seconds < TARGET_SECONDS)
    except (RuntimeError, TimeoutError, subprocess.CalledProcessError) as exc:
        print(f"FAILED: {exc}")
        if log_path.exists():
            print(log_path.read_text()[-4000:])
        return 1
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        shutil.rmtree(clone, ignore_errors=True)
        log_path.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

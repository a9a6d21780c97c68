"""`pip install .` — a wheel, not the checkout — gives a `citymodel` whose `serve` serves the
web viewer, and whose migrations and plugged-in commands are all there.

The wheel is built from this checkout (pip, with build isolation) and installed without its
dependencies into a fresh venv, which borrows them from the test venv: its site-packages
is appended as a plain path, so the checkout's editable install (a .pth hook there) stays
unread and every one of our modules comes from the wheel. Run outside the checkout.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import httpx
from api_server import launch

ROOT = Path(__file__).parent.parent


def run(*args, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=900,
                            **kwargs)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_the_installed_wheel_serves_the_viewer(db, tmp_path):
    wheels = tmp_path / "wheels"
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--disable-pip-version-check",
        "-w", wheels, ROOT)
    (wheel,) = wheels.glob("citymodel-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert {"api/viewer/index.html", "api/viewer/app.js", "api/viewer/cesium/Cesium.js",
            "api/templates/page.html", "citymodel/migrations/script.py.mako"} <= names
    migrations = sorted(p.name for p in (ROOT / "citymodel/migrations/versions").glob("0*.py"))
    assert {f"citymodel/migrations/versions/{m}" for m in migrations} <= names

    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv)
    python = venv / "bin" / "python"
    site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
                .stdout.strip())
    (site / "zz-borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run(python, "-m", "pip", "install", "--no-deps", "--quiet", "--disable-pip-version-check", wheel)

    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("CITYMODEL_") and k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env |= {"DATABASE_URL": db.render_as_string(hide_password=False),
            "CITYMODEL_STATE_DIR": str(tmp_path / "state")}
    where = run(python, "-c", "import api, citymodel, importers, tiles; print(api.__file__, "
                "citymodel.__file__, importers.__file__, tiles.__file__)", cwd=work, env=env)
    assert all(path.startswith(str(site)) for path in where.stdout.split()), where.stdout
    citymodel = venv / "bin" / "citymodel"
    commands = run(citymodel, "--help", cwd=work, env=env).stdout
    assert all(name in commands for name in ("db", "import", "tiles", "serve", "users", "scenarios"))
    run(citymodel, "db", "migrate", cwd=work, env=env)

    url, process = launch(env, tmp_path / "server.log", command=(str(citymodel),), cwd=work)
    try:
        page = httpx.get(url + "/", headers={"Accept": "text/html"})
        assert page.status_code == 200 and "<title>citymodel</title>" in page.text
        assert httpx.get(url + "/viewer/cesium/Cesium.js").status_code == 200
        assert httpx.get(url + "/viewer/config.json").json()["lot_statuses"]
        assert httpx.get(url + "/collections").status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=30)

"""Build hook: a wheel carries the built web viewer, so `pip install .` gives a
`citymodel serve` that serves it. Everything else is declared in pyproject.toml.

The viewer (our sources and CesiumJS's static build, from npm) is built into viewer/dist
by scripts/build_viewer — run here when node_modules is present (a no-op when it is up to
date) — and copied into the wheel as ``api/viewer``. An editable install serves
viewer/dist from the checkout instead.
"""

import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildWithViewer(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        dist = ROOT / "viewer" / "dist"
        if (ROOT / "node_modules" / "cesium").is_dir():
            subprocess.run([str(ROOT / "scripts" / "build_viewer")], check=True)
        if not (dist / "index.html").is_file():
            raise SystemExit("citymodel: the web viewer is not built; run scripts/setup "
                             "(npm install and scripts/build_viewer) before building a wheel")
        target = Path(self.build_lib) / "api" / "viewer"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(dist, target)


setup(cmdclass={"build_py": BuildWithViewer})

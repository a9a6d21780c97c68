"""The real Chromium the browser tests drive (Debian's, software WebGL), and what they share:
a page of the viewer once it is ready, waiting for it to settle, screenshots."""

from __future__ import annotations

import shutil
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from PIL import Image

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent.parent / "test-artifacts" / "viewer"
FLAGS = ["--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--no-sandbox",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", "--ignore-gpu-blocklist"]


@contextmanager
def viewer_page(browser, url: str, viewport=None, locale: str = "en-US", **options):
    """The viewer at url in a new browser context, once it is ready. page.problems collects
    console errors, page errors and failed requests; page.page_errors the page errors alone."""
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 800}, locale=locale,
                                  **options)
    page = context.new_page()
    page.problems, page.page_errors = [], []
    page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: (page.problems.append(str(e)), page.page_errors.append(str(e))))
    page.on("response", lambda r: page.problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    try:
        page.goto(url, wait_until="load")
        page.wait_for_function("window.citymodel && window.citymodel.ready", timeout=180_000)
        yield page
    finally:
        context.close()


def settle(page, timeout: int = 90_000) -> None:
    """Wait until the camera has landed and the buildings, the ground imagery and the
    outlines of the view are drawn, in a frame drawn since."""
    page.wait_for_function("!window.citymodel.flying", timeout=timeout)
    page.evaluate("window.citymodel.nextFrame()")
    page.wait_for_function("window.citymodel.settled()", timeout=timeout)
    page.evaluate("window.citymodel.nextFrame().then(() => window.citymodel.nextFrame())")


def shot(page, name: str) -> np.ndarray:
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return np.asarray(Image.open(path).convert("RGB"), dtype=float)


# Buildings with a parcel on screen (not under the card), found by Cesium's own picking:
# where a test clicks like a person
BUILDINGS_ON_SCREEN = """() => {
    const { viewer } = window.citymodel;
    const canvas = viewer.scene.canvas;
    const found = [];
    for (let y = canvas.clientHeight * 0.25; y < canvas.clientHeight * 0.85; y += 25) {
      for (let x = canvas.clientWidth * 0.2; x < canvas.clientWidth * 0.65; x += 25) {  // not under the card
        const picked = viewer.scene.pick(new Cesium.Cartesian2(x, y));
        if (picked instanceof Cesium.Cesium3DTileFeature && picked.getProperty("parcel")) {
          found.push({ x, y, parcel: picked.getProperty("parcel"), id: picked.getProperty("building_id") });
        }
      }
    }
    return found;
}"""

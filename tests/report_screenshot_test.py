#!/usr/bin/python3
"""Renders a report's index.html in headless Chromium and checks the screenshot is not blank.

Usage: report_screenshot_test.py REPORT_DIR   (exit 77, ctest's skip, when chromium is absent)
Invariant: the page must show content with its figures loaded: enough non-white pixels and
enough distinct colors that a blank or unstyled error page fails.
"""
import os
import shutil
import subprocess
import sys
import tempfile

import matplotlib.image

SKIP = 77


def main(report_dir):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        print("chromium not installed (apt-get install chromium): skipped")
        return SKIP
    page = os.path.join(os.path.abspath(report_dir), "index.html")
    assert os.path.exists(page), f"{page} missing: run the report test first"
    with tempfile.TemporaryDirectory() as tmp:
        shot = os.path.join(tmp, "shot.png")
        cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={os.path.join(tmp, 'profile')}", f"--screenshot={shot}",
               "--window-size=1200,900", "file://" + page]
        subprocess.run(cmd, capture_output=True, timeout=120)
        assert os.path.exists(shot), f"no screenshot from: {' '.join(cmd)}"
        pixels = matplotlib.image.imread(shot)[:, :, :3]
        shutil.copy(shot, os.path.join(report_dir, "screenshot.png"))
    height, width, _ = pixels.shape
    ink = (pixels.min(axis=2) < 0.9).mean()
    colors = len({tuple(p) for p in (pixels[::4, ::4].reshape(-1, 3) * 255).astype(int).tolist()})
    print(f"screenshot {width}x{height}: {100 * ink:.1f}% non-white, {colors} colors")
    assert (width, height) == (1200, 900), (width, height)
    assert ink > 0.02, "screenshot is blank"
    assert colors > 50, "screenshot has too few colors: figures did not load"
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

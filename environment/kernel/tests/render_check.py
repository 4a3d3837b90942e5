"""Checks that every Plotly chart in an HTML page (e.g. an executed notebook exported by run-notebook.sh) renders offline.

usage: /usr/bin/python3 render_check.py PAGE.html [--screenshot OUT.png]
Loads the page in headless Chromium with networking disabled, lets scripts run, and compares the number of chart
containers Plotly.NET emitted with the number of plots plotly.js drew (each draws an <svg class="main-svg">).
Exits 0 when every chart was drawn.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--virtual-time-budget=20000"]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("page")
    parser.add_argument("--screenshot")
    args = parser.parse_args()
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        sys.exit("render check needs headless Chromium: apt-get install -y chromium")
    url = "file://" + os.path.abspath(args.page)
    source = open(args.page, encoding="utf-8").read()
    expected = len(re.findall(r"<!-- Plotly chart will be drawn inside this DIV -->", source))
    dom = subprocess.run([browser, *FLAGS, "--dump-dom", url], capture_output=True, text=True, timeout=180).stdout
    drawn = len(re.findall(r'<div class="plot-container plotly">', dom))
    if args.screenshot:
        subprocess.run([browser, *FLAGS, "--window-size=1100,4200", f"--screenshot={os.path.abspath(args.screenshot)}", url],
                       capture_output=True, timeout=180, check=True)
    print(f"{args.page}: {expected} Plotly charts in the page, {drawn} drawn by plotly.js offline")
    if drawn != expected:
        print("FAIL: not every chart rendered (plotly.js missing or failing offline)")
        return 1
    print("PASS render")
    return 0


if __name__ == "__main__":
    sys.exit(main())

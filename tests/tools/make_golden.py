#!/usr/bin/env python3
"""Development aid: regenerate tests/calendar/golden/ with the ics-oracle.

Usage: /tmp/ics-oracle-venv/bin/python tests/tools/make_golden.py
For every fixture containing BEGIN:VEVENT, picks a window from Jan 1 of the
earliest DTSTART year to Jan 1 of (latest DTSTART year + 2), at most 6 years,
runs expand.py with --tz Europe/Berlin and writes tests/calendar/golden/<dir>__<file>.json
plus tests/calendar/golden/manifest.json (file, from, to, tz, status).
"""
import json, os, re, subprocess, sys
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "tests", "fixtures")
GOLD = os.path.join(ROOT, "tests", "golden")
ORACLE = os.environ.get("ICS_ORACLE", "/work/shared/tools/ics-oracle/expand.py")
TZ = "Europe/Berlin"
# Fixtures whose interesting part is not near their earliest DTSTART.
WINDOWS = {"roomcal/recurrence.ics": ("2024-01-01", "2025-06-01")}


def drop_events_without_dtstart(data: bytes) -> bytes:
    lines = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
    out, block, depth = [], None, 0
    for line in lines:
        upper = line.strip().upper()
        if block is None and upper == b"BEGIN:VEVENT":
            block, depth = [line], 0
            continue
        if block is not None:
            block.append(line)
            if upper.startswith(b"BEGIN:"):
                depth += 1
            elif upper == b"END:VEVENT" and depth == 0:
                if any(l.upper().startswith(b"DTSTART") for l in block):
                    out.extend(block)
                block = None
            elif upper.startswith(b"END:"):
                depth -= 1
            continue
        out.append(line)
    return b"\r\n".join(out)


manifest = []
for d in sorted(os.listdir(FIX)):
    p = os.path.join(FIX, d)
    if not os.path.isdir(p):
        continue
    for f in sorted(os.listdir(p)):
        if not f.endswith(".ics"):
            continue
        data = open(os.path.join(p, f), "rb").read()
        if b"BEGIN:VEVENT" not in data.upper():
            continue
        # Years of VEVENT DTSTARTs only (VTIMEZONE observances start in 1601 / 1970).
        events = b"".join(re.findall(rb"BEGIN:VEVENT(.*?)END:VEVENT", data, re.S | re.I))
        years = [int(y) for y in re.findall(rb"DTSTART[^\r\n]*:(\d{4})\d{4}", events)]
        years = [y for y in years if 1900 < y < 2100] or [2024]
        lo, hi = min(years), max(years) + 2
        hi = min(hi, lo + 6)
        start, end = f"{lo}-01-01", f"{hi}-01-01"
        start, end = WINDOWS.get(f"{d}/{f}", (start, end))
        rel = f"{d}/{f}"
        out = subprocess.run([sys.executable, ORACLE, os.path.join(p, f), start, end, "--tz", TZ],
                             capture_output=True)
        entry = {"file": rel, "from": start, "to": end, "tz": TZ}
        if out.returncode != 0 and b"KeyError: 'DTSTART'" in out.stderr:
            # The oracle crashes on a VEVENT without DTSTART; the engine skips
            # such events, so compare on the file without them.
            tmp = "/tmp/golden_sanitized.ics"
            open(tmp, "wb").write(drop_events_without_dtstart(data))
            out = subprocess.run([sys.executable, ORACLE, tmp, start, end, "--tz", TZ], capture_output=True)
            entry["sanitized"] = "VEVENTs without DTSTART removed before running the oracle"
        if out.returncode != 0:
            entry["oracle_error"] = out.stderr.decode(errors="replace").strip()[:300]
        else:
            name = f"{d}__{f[:-4]}.json"
            entry["golden"] = name
            open(os.path.join(GOLD, name), "wb").write(out.stdout)
        manifest.append(entry)
json.dump(manifest, open(os.path.join(GOLD, "manifest.json"), "w"), indent=1)
print(len(manifest), "fixtures;", sum("golden" in m for m in manifest), "golden files")

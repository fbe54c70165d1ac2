#!/usr/bin/env python3
"""Development aid: regenerate tests/calendar/golden/ with the ics-oracle.

Usage (from anywhere): /tmp/ics-oracle-venv/bin/python tests/tools/make_golden.py
(the venv as in /work/shared/tools/ics-oracle/README.md; ICS_ORACLE overrides the oracle's path).

For every fixture under tests/calendar/fixtures/*/ containing BEGIN:VEVENT, picks a window from
Jan 1 of the earliest DTSTART year to Jan 1 of (latest DTSTART year + 2), at most 6 years (or the
one in WINDOWS), runs expand.py with --tz Europe/Berlin and writes
tests/calendar/golden/<dir>__<file>.json plus tests/calendar/golden/manifest.json
(file, from, to, tz, and golden / expected_empty / wrapped / sanitized / oracle_error).

An empty oracle output is an error unless the fixture is explained: `expected_empty` (no VEVENT
has a readable DTSTART, so no window can hold an occurrence; tests/calendar/golden.rs checks that
of the engine's parse) or a deliberate difference listed in golden.rs. The script exits non-zero
and writes nothing when an empty output is unexplained, so a window that misses every occurrence
is noticed here and not hidden in a test that compares nothing.
"""
import json, os, re, subprocess, sys
# tests/tools/make_golden.py -> the repository root.
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIX = os.path.join(ROOT, "tests", "calendar", "fixtures")
GOLD = os.path.join(ROOT, "tests", "calendar", "golden")
GOLDEN_RS = os.path.join(ROOT, "tests", "calendar", "golden.rs")
ORACLE = os.environ.get("ICS_ORACLE", "/work/shared/tools/ics-oracle/expand.py")
TZ = "Europe/Berlin"
# Fixtures whose interesting part is not near their earliest DTSTART.
WINDOWS = {"roomcal/recurrence.ics": ("2024-01-01", "2025-06-01")}
# Fixtures with a DTSTART line that no reader can use (the automatic reason covers those
# without any DTSTART).
EXPECTED_EMPTY = {
    "python-icalendar/calendars__broken_dtstart.ics": "DTSTART:INVALID-DATE is not a date",
    "python-icalendar/calendars__issue_1081_invalid_start_and_end.ics":
        "DTSTART:INVALID-DATE is not a date",
    "python-icalendar/calendars__issue_1081_invalid_start_valid_end.ics":
        "DTSTART:INVALID-DATE is not a date (a valid DTEND alone makes no occurrence)",
}
NO_DTSTART = "no VEVENT has a DTSTART, so no window holds an occurrence"
WRAPPED = ("a VEVENT fragment without VCALENDAR (a library's test snippet): wrapped in one "
           "before the oracle and the engine read it, as the engine refuses a body that is not "
           "a calendar")


def deliberate_differences() -> set:
    """File names listed in golden.rs's DELIBERATE_DIFFERENCES (the oracle drops what the
    engine keeps, so an empty oracle output is expected there)."""
    text = open(GOLDEN_RS, encoding="utf-8").read()
    block = text.split("DELIBERATE_DIFFERENCES", 1)[1].split("];", 1)[0]
    return set(re.findall(r'\(\s*"([^"]+\.ics)"', block))


def wrap_fragment(data: bytes) -> bytes:
    """Same wrapping as golden.rs's `wrap_fragment`."""
    return (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//roomcal//golden//EN\r\n"
            + data.rstrip(b"\r\n") + b"\r\nEND:VCALENDAR\r\n")


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


def run_oracle(data: bytes, start: str, end: str):
    tmp = "/tmp/golden_input.ics"
    open(tmp, "wb").write(data)
    return subprocess.run([sys.executable, ORACLE, tmp, start, end, "--tz", TZ],
                          capture_output=True)


def main() -> int:
    deliberate = deliberate_differences()
    manifest, outputs, unexplained = [], {}, []
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
            rel = f"{d}/{f}"
            # Years of VEVENT DTSTARTs only (VTIMEZONE observances start in 1601 / 1970).
            events = b"".join(re.findall(rb"BEGIN:VEVENT(.*?)END:VEVENT", data, re.S | re.I))
            years = [int(y) for y in re.findall(rb"DTSTART[^\r\n]*:(\d{4})\d{4}", events, re.I)]
            years = [y for y in years if 1900 < y < 2100] or [2024]
            lo, hi = min(years), max(years) + 2
            hi = min(hi, lo + 6)
            start, end = WINDOWS.get(rel, (f"{lo}-01-01", f"{hi}-01-01"))
            entry = {"file": rel, "from": start, "to": end, "tz": TZ}
            if b"BEGIN:VCALENDAR" not in data.upper():
                data = wrap_fragment(data)
                entry["wrapped"] = WRAPPED
            out = run_oracle(data, start, end)
            if out.returncode != 0 and b"KeyError: 'DTSTART'" in out.stderr:
                # The oracle crashes on a VEVENT without DTSTART; the engine skips
                # such events, so compare on the file without them.
                out = run_oracle(drop_events_without_dtstart(data), start, end)
                entry["sanitized"] = "VEVENTs without DTSTART removed before running the oracle"
            if out.returncode != 0:
                entry["oracle_error"] = out.stderr.decode(errors="replace").strip()[:300]
                manifest.append(entry)
                continue
            name = f"{d}__{f[:-4]}.json"
            entry["golden"] = name
            outputs[name] = out.stdout
            if not json.loads(out.stdout):
                if not re.search(rb"^DTSTART", events, re.M | re.I):
                    entry["expected_empty"] = NO_DTSTART
                elif rel in EXPECTED_EMPTY:
                    entry["expected_empty"] = EXPECTED_EMPTY[rel]
                elif rel not in deliberate:
                    unexplained.append(f"{rel} ({start} .. {end})")
            elif rel in EXPECTED_EMPTY:
                unexplained.append(f"{rel}: listed as expected-empty but has occurrences")
            manifest.append(entry)
    if unexplained:
        print("empty oracle output without a reason (move the window in WINDOWS, or explain):",
              *unexplained, sep="\n  ", file=sys.stderr)
        return 1
    for old in os.listdir(GOLD):
        if old.endswith(".json"):
            os.remove(os.path.join(GOLD, old))
    for name, body in outputs.items():
        open(os.path.join(GOLD, name), "wb").write(body)
    with open(os.path.join(GOLD, "manifest.json"), "w") as out:
        json.dump(manifest, out, indent=1)
    print(len(manifest), "fixtures;", len(outputs), "golden files;",
          sum("expected_empty" in m for m in manifest), "expected empty;",
          sum("oracle_error" in m for m in manifest), "oracle errors")
    return 0


if __name__ == "__main__":
    sys.exit(main())

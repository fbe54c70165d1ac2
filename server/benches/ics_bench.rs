//! Benchmark for the calendar engine (not a test).
//!
//! `ics_bench generate FILE` writes a Google-like feed of ~30 MB: 40,000
//! events of which 2,000 are weekly series started years ago, with overrides,
//! EXDATEs, attendees and long folded descriptions.
//! `ics_bench run FILE` parses it, expands it over a 25-hour window, matches
//! the occurrences against a room, and prints wall time per phase and the
//! peak RSS (VmHWM from /proc/self/status).
//!
//! Run with `cargo bench -p server --bench ics_bench -- generate FILE` (or `run FILE`).

use std::fmt::Write as _;
use std::time::Instant;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use roomcal::calendar::{parse_feed, RoomMatcher};

/// Deterministic xorshift generator so every run produces the same feed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// The fixed "now" of the benchmark (the engine never reads the clock).
fn now() -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(2026, 11, 24)
        .and_then(|d| d.and_hms_opt(6, 0, 0))
        .map(|t| t.and_utc())
        .unwrap_or_default()
}

/// Folds a content line at 75 octets (on character boundaries).
fn fold(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 74 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

fn local(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%S").to_string()
}

fn generate() -> String {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut out = String::with_capacity(32 << 20);
    out.push_str("BEGIN:VCALENDAR\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\nVERSION:2.0\r\nCALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\nX-WR-CALNAME:Rooms\r\nX-WR-TIMEZONE:Europe/Berlin\r\n");
    let base = now();
    let rooms = ["standup", "max", "boardroom", "lab"];
    for i in 0..36_000u64 {
        let series = i < 2_000;
        let start = if series {
            // Weekly series started between 2 and 8 years ago.
            base - Duration::weeks(104 + rng.below(312) as i64)
                - Duration::days(rng.below(7) as i64)
                + Duration::minutes(30 * rng.below(20) as i64)
        } else {
            base + Duration::minutes(30 * (rng.below(24 * 2 * 400) as i64 - 24 * 2 * 200))
        };
        let end = start + Duration::minutes(30 * (1 + rng.below(4) as i64));
        let uid = format!("{i:08x}{:016x}@google.com", rng.next());
        let room = rooms
            .get(rng.below(rooms.len() as u64) as usize)
            .unwrap_or(&"standup");
        let mut ev = String::with_capacity(1024);
        ev.push_str("BEGIN:VEVENT\r\n");
        let _ = write!(
            ev,
            "DTSTART;TZID=Europe/Berlin:{}\r\nDTEND;TZID=Europe/Berlin:{}\r\n",
            local(start),
            local(end)
        );
        if series {
            ev.push_str("RRULE:FREQ=WEEKLY;BYDAY=");
            let days = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
            let day = days.get(start.weekday().num_days_from_monday() as usize);
            ev.push_str(day.unwrap_or(&"MO"));
            ev.push_str("\r\n");
            for k in 0..3 {
                let ex = start + Duration::weeks(10 + 20 * k + rng.below(10) as i64);
                let _ = write!(ev, "EXDATE;TZID=Europe/Berlin:{}\r\n", local(ex));
            }
        }
        let _ = write!(ev, "DTSTAMP:{}\r\nUID:{uid}\r\n", stamp(base));
        fold(
            &mut ev,
            &format!(
                "DESCRIPTION:Agenda {i}\\n1. Status\\, blockers\\n2. Next steps\\nJoin: https://meet.google.com/abc-defg-{i:04}\\nRoom: https://rooms.example.com/room/{room}"
            ),
        );
        let _ = write!(
            ev,
            "LAST-MODIFIED:{}\r\nLOCATION:https://rooms.example.com/room/{room}\r\nSEQUENCE:0\r\nSTATUS:CONFIRMED\r\n",
            stamp(base)
        );
        fold(
            &mut ev,
            &format!("SUMMARY:Meeting {i} about topic {}", rng.below(1000)),
        );
        let _ = write!(
            ev,
            "ORGANIZER;CN=Organizer {i}:mailto:organizer{i}@example.com\r\n"
        );
        for a in 0..(2 + rng.below(3)) {
            fold(
                &mut ev,
                &format!(
                    "ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN=Person {a}:mailto:p{a}.{i}@example.com"
                ),
            );
        }
        ev.push_str("TRANSP:OPAQUE\r\n");
        if series {
            ev.push_str("BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT10M\r\nDESCRIPTION:Reminder\r\nEND:VALARM\r\n");
        }
        ev.push_str("END:VEVENT\r\n");
        out.push_str(&ev);
        if series {
            // Two overrides per series: one near "now", one moved.
            for k in 0..2i64 {
                let weeks = (base - start).num_weeks() - k * 3;
                let rid = start + Duration::weeks(weeks);
                let moved = rid + Duration::hours(1 + k);
                // Google writes overrides without RRULE / EXDATE.
                let mut ov: String = ev
                    .split_inclusive("\r\n")
                    .filter(|l| !l.starts_with("RRULE:") && !l.starts_with("EXDATE"))
                    .collect();
                ov = ov.replacen(
                    &format!("DTSTART;TZID=Europe/Berlin:{}\r\nDTEND;TZID=Europe/Berlin:{}", local(start), local(end)),
                    &format!(
                        "RECURRENCE-ID;TZID=Europe/Berlin:{}\r\nDTSTART;TZID=Europe/Berlin:{}\r\nDTEND;TZID=Europe/Berlin:{}",
                        local(rid),
                        local(moved),
                        local(moved + (end - start))
                    ),
                    1,
                );
                out.push_str(&ov.replace("SEQUENCE:0", "SEQUENCE:1"));
            }
        }
    }
    out.push_str("END:VCALENDAR\r\n");
    out
}

fn peak_rss_kib() -> u64 {
    status_kib("VmHWM:")
}

fn status_kib(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    // `cargo bench` adds `--bench`; the rest are ours.
    let args: Vec<String> = std::env::args().filter(|a| a != "--bench").collect();
    let (Some(mode), Some(path)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: ics_bench generate|run FILE");
        std::process::exit(2);
    };
    if mode == "generate" {
        let text = generate();
        if let Err(e) = std::fs::write(path, &text) {
            eprintln!("cannot write {path}: {e}");
            std::process::exit(1);
        }
        let events = text.matches("BEGIN:VEVENT").count();
        println!("wrote {path}: {} bytes, {events} VEVENTs", text.len());
        return;
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            std::process::exit(1);
        }
    };
    let total = Instant::now();
    let t = Instant::now();
    let feed = match parse_feed(&bytes, None) {
        Ok(feed) => feed,
        Err(e) => {
            eprintln!("parse error: {e}");
            std::process::exit(1);
        }
    };
    let parse = t.elapsed();
    let rss_after_parse = status_kib("VmRSS:");
    let t = Instant::now();
    let from = now();
    let occurrences = feed.expand(from, from + Duration::hours(25), chrono_tz::Europe::Berlin);
    let expand = t.elapsed();
    let t = Instant::now();
    let matcher = RoomMatcher::new(&["https://rooms.example.com".to_owned()], "standup");
    let matched = occurrences.iter().filter(|o| matcher.matches(o)).count();
    let matching = t.elapsed();
    let total = total.elapsed();
    println!(
        "input {:.1} MB, {} events, {} warnings",
        bytes.len() as f64 / 1e6,
        feed.events.len(),
        feed.warnings.len()
    );
    println!("parse   {:>8.1} ms", parse.as_secs_f64() * 1e3);
    println!(
        "expand  {:>8.1} ms  ({} occurrences in 25 h)",
        expand.as_secs_f64() * 1e3,
        occurrences.len()
    );
    println!(
        "match   {:>8.1} ms  ({matched} in room standup)",
        matching.as_secs_f64() * 1e3
    );
    println!("total   {:>8.1} ms", total.as_secs_f64() * 1e3);
    println!(
        "RSS after parse {:.1} MB; peak RSS {:.1} MB (VmHWM); event record {} bytes",
        rss_after_parse as f64 / 1024.0,
        peak_rss_kib() as f64 / 1024.0,
        std::mem::size_of::<roomcal::calendar::EventComponent>()
    );
}

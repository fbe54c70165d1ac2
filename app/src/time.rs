//! Instants shown to people: in the viewer's own time zone once the page runs in their
//! browser, in UTC (labelled) in the server-rendered HTML, which also carries the instant
//! itself in `<time datetime>`. The calendar arithmetic is pure, so both sides render the
//! same way and it is tested here.

use leptos::prelude::*;

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A wall-clock reading of an instant in some zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Civil {
    /// Calendar year.
    pub year: i64,
    /// 1–12.
    pub month: u32,
    /// 1–31.
    pub day: u32,
    /// 0 = Monday … 6 = Sunday.
    pub weekday: u32,
    /// 0–23.
    pub hour: u32,
    /// 0–59.
    pub minute: u32,
}

impl Civil {
    /// The reading of `epoch_ms` at `offset_minutes` east of UTC.
    pub fn of(epoch_ms: i64, offset_minutes: i64) -> Self {
        let minutes = epoch_ms.div_euclid(60_000) + offset_minutes;
        let days = minutes.div_euclid(1440);
        let in_day = minutes.rem_euclid(1440);
        // Howard Hinnant's days-to-civil.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i64::from(month <= 2);
        Civil {
            year,
            month,
            day,
            // 1970-01-01 was a Thursday.
            weekday: (days + 3).rem_euclid(7) as u32,
            hour: (in_day / 60) as u32,
            minute: (in_day % 60) as u32,
        }
    }

    /// `10:05`.
    pub fn hm(&self) -> String {
        format!("{:02}:{:02}", self.hour, self.minute)
    }

    /// `Tue 1 Dec`.
    pub fn date(&self) -> String {
        format!(
            "{} {} {}",
            WEEKDAYS[self.weekday as usize],
            self.day,
            MONTHS[(self.month - 1) as usize]
        )
    }

    fn same_day(&self, other: &Civil) -> bool {
        (self.year, self.month, self.day) == (other.year, other.month, other.day)
    }
}

/// Where times are read: UTC (the server's HTML and the first render in the browser, so
/// hydration matches) or the browser's own zone (from then on).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    /// UTC, labelled as such.
    Utc,
    /// The browser's zone (offsets from the JavaScript `Date`, so DST is right).
    Local,
}

impl Zone {
    /// Minutes east of UTC at `epoch_ms`.
    pub fn offset_minutes(self, epoch_ms: i64) -> i64 {
        match self {
            Zone::Utc => 0,
            Zone::Local => local_offset_minutes(epoch_ms),
        }
    }

    fn suffix(self) -> &'static str {
        match self {
            Zone::Utc => " UTC",
            Zone::Local => "",
        }
    }
}

#[cfg(feature = "hydrate")]
fn local_offset_minutes(epoch_ms: i64) -> i64 {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(epoch_ms as f64));
    -(date.get_timezone_offset() as i64)
}

#[cfg(not(feature = "hydrate"))]
fn local_offset_minutes(_epoch_ms: i64) -> i64 {
    0
}

/// `10:00–10:30` (with the date in front when it is not `now`'s day): the span of a
/// meeting as its reader's clock shows it.
pub fn span(start_ms: i64, end_ms: i64, now_ms: i64, zone: Zone) -> String {
    let start = Civil::of(start_ms, zone.offset_minutes(start_ms));
    let end = Civil::of(end_ms, zone.offset_minutes(end_ms));
    let today = Civil::of(now_ms, zone.offset_minutes(now_ms));
    let date = if start.same_day(&today) {
        String::new()
    } else {
        format!("{} ", start.date())
    };
    let end_date = if end.same_day(&start) {
        String::new()
    } else {
        format!("{} ", end.date())
    };
    format!(
        "{date}{}–{end_date}{}{}",
        start.hm(),
        end.hm(),
        zone.suffix()
    )
}

/// The calendar day of `at_ms` in `zone`, as days since 1970-01-01 there.
pub fn day_number(at_ms: i64, zone: Zone) -> i64 {
    (at_ms.div_euclid(60_000) + zone.offset_minutes(at_ms)).div_euclid(1440)
}

/// Whether `a_ms` and `b_ms` fall on the same calendar day in `zone`.
pub fn same_day(a_ms: i64, b_ms: i64, zone: Zone) -> bool {
    Civil::of(a_ms, zone.offset_minutes(a_ms)).same_day(&Civil::of(b_ms, zone.offset_minutes(b_ms)))
}

/// `10:05` (or `Tue 1 Dec 10:05` on another day) in `zone`.
pub fn instant(at_ms: i64, now_ms: i64, zone: Zone) -> String {
    let at = Civil::of(at_ms, zone.offset_minutes(at_ms));
    let today = Civil::of(now_ms, zone.offset_minutes(now_ms));
    if at.same_day(&today) {
        format!("{}{}", at.hm(), zone.suffix())
    } else {
        format!("{} {}{}", at.date(), at.hm(), zone.suffix())
    }
}

/// `4:32`, `1:02:03`: a countdown to the second.
pub fn countdown(ms: i64) -> String {
    // Rounded up: "0:01" until the very start, never "0:00" a second early.
    let secs = (ms.max(0) + 999).div_euclid(1000);
    let (h, m, s) = (secs / 3600, (secs / 60) % 60, secs % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// `12 min`, `1 h 5 min`, `less than a minute`.
pub fn duration_words(ms: i64) -> String {
    let minutes = ms.max(0) / 60_000;
    match (minutes / 60, minutes % 60) {
        (0, 0) => "less than a minute".into(),
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// `in 4 min`, `3 min ago`: a relative reading for sync times.
pub fn relative(at_ms: i64, now_ms: i64) -> String {
    let diff = at_ms - now_ms;
    if diff.abs() < 60_000 {
        return if diff >= 0 {
            "in under a minute".into()
        } else {
            "just now".into()
        };
    }
    if diff > 0 {
        format!("in {}", duration_words(diff))
    } else {
        format!("{} ago", duration_words(-diff))
    }
}

/// Milliseconds since 1970 of an RFC 3339 instant (the DTOs' format); `None` when it is not
/// one.
pub fn parse_ms(rfc3339: &str) -> Option<i64> {
    let b = rfc3339.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> { rfc3339.get(r)?.parse().ok() };
    if b.len() < 20 || b.get(4) != Some(&b'-') || b.get(10) != Some(&b'T') {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut rest = &rfc3339[19..];
    let mut ms = 0;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits: String = frac.chars().take_while(char::is_ascii_digit).collect();
        ms = format!("{:0<3}", &digits[..digits.len().min(3)])
            .parse()
            .ok()?;
        rest = &frac[digits.len()..];
    }
    let offset_min = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.get(..1)? {
                "+" => 1,
                "-" => -1,
                _ => return None,
            };
            sign * (rest.get(1..3)?.parse::<i64>().ok()? * 60
                + rest.get(4..6)?.parse::<i64>().ok()?)
        }
    };
    // Days from civil (Hinnant).
    let y2 = if mo <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = if mo > 2 { mo - 3 } else { mo + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(((days * 24 + h) * 60 + mi - offset_min) * 60_000 + s * 1000 + ms)
}

/// The clock of a live page: `now` in milliseconds, ticking every second in the browser
/// (and fixed at the server's `now` while rendering there), and the zone to show times in.
#[derive(Debug, Clone, Copy)]
pub struct PageClock {
    /// Milliseconds since 1970, corrected by the server's clock where known.
    pub now_ms: RwSignal<i64>,
    /// UTC until the page has hydrated, then the browser's zone.
    pub zone: RwSignal<Zone>,
    /// Server clock minus browser clock, learnt from answers that carry `server_now`.
    pub skew_ms: RwSignal<i64>,
}

impl PageClock {
    /// A clock reading `server_now_ms` until the browser takes over.
    pub fn new(server_now_ms: i64) -> Self {
        let clock = PageClock {
            now_ms: RwSignal::new(server_now_ms),
            zone: RwSignal::new(Zone::Utc),
            skew_ms: RwSignal::new(0),
        };
        // Effects run in the browser only, after hydration: from then on the page shows
        // the reader's own zone and a clock that ticks.
        Effect::new(move |_| {
            #[cfg(feature = "hydrate")]
            {
                clock.zone.set(Zone::Local);
                let tick = move || {
                    let browser = js_sys::Date::now() as i64;
                    clock.now_ms.set(browser + clock.skew_ms.get_untracked());
                };
                tick();
                if let Ok(handle) =
                    set_interval_with_handle(tick, std::time::Duration::from_millis(500))
                {
                    on_cleanup(move || handle.clear());
                }
            }
        });
        clock
    }

    /// Learns the server's clock from an answer's `server_now` (RFC 3339), so countdowns
    /// are right even when the browser's clock is minutes off.
    pub fn sync_with_server(&self, server_now: &str) {
        #[cfg(feature = "hydrate")]
        if let Some(server) = parse_ms(server_now) {
            let browser = js_sys::Date::now() as i64;
            self.skew_ms.set(server - browser);
            self.now_ms.set(server);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = server_now;
    }
}

/// An RFC 3339 instant as HTML's `datetime` accepts it: at most 3 fractional digits.
pub fn html_instant(rfc3339: &str) -> String {
    match rfc3339.find('.') {
        Some(dot) => {
            let digits = rfc3339[dot + 1..]
                .chars()
                .take_while(char::is_ascii_digit)
                .count();
            let keep = digits.min(3);
            format!(
                "{}{}",
                &rfc3339[..dot + 1 + keep],
                &rfc3339[dot + 1 + digits..]
            )
        }
        None => rfc3339.to_string(),
    }
}

/// An instant as `<time datetime="…">text</time>`: machines read the instant, people the
/// text in their own zone.
#[component]
pub fn When(
    /// RFC 3339.
    at: String,
    /// What a person reads.
    #[prop(into)]
    text: Signal<String>,
) -> impl IntoView {
    view! { <time datetime=html_instant(&at)>{text}</time> }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(text: &str) -> i64 {
        parse_ms(text).expect(text)
    }

    #[test]
    fn instants_read_back_as_the_same_wall_clock_in_utc() {
        let at = ms("2026-12-01T10:05:00+00:00");
        assert_eq!(
            Civil::of(at, 0),
            Civil {
                year: 2026,
                month: 12,
                day: 1,
                weekday: 1,
                hour: 10,
                minute: 5
            }
        );
        assert_eq!(ms("2026-12-01T11:05:00.250+01:00"), at + 250);
        assert_eq!(
            ms("2024-02-29T23:59:59Z") + 1000,
            ms("2024-03-01T00:00:00Z")
        );
        assert_eq!(parse_ms("yesterday"), None);
        assert_eq!(
            html_instant("2026-12-01T10:05:00.123456789+00:00"),
            "2026-12-01T10:05:00.123+00:00"
        );
        assert_eq!(html_instant("2026-12-01T10:05:00Z"), "2026-12-01T10:05:00Z");
    }

    #[test]
    fn a_span_shows_the_date_only_when_it_is_not_today() {
        let now = ms("2026-12-01T08:00:00Z");
        let (start, end) = (ms("2026-12-01T10:00:00Z"), ms("2026-12-01T10:30:00Z"));
        assert_eq!(span(start, end, now, Zone::Utc), "10:00–10:30 UTC");
        let tomorrow = ms("2026-12-02T10:00:00Z");
        assert_eq!(
            span(tomorrow, tomorrow + 1_800_000, now, Zone::Utc),
            "Wed 2 Dec 10:00–10:30 UTC"
        );
        assert_eq!(instant(tomorrow, now, Zone::Utc), "Wed 2 Dec 10:00 UTC");
        assert!(same_day(start, now, Zone::Utc));
        assert_eq!(day_number(start, Zone::Utc), day_number(now, Zone::Utc));
        assert_eq!(
            day_number(tomorrow, Zone::Utc),
            day_number(now, Zone::Utc) + 1
        );
        assert!(!same_day(tomorrow, now, Zone::Utc));
    }

    #[test]
    fn an_offset_moves_the_wall_clock_and_can_move_the_day() {
        let at = ms("2026-12-01T22:30:00Z");
        let kolkata = Civil::of(at, 330);
        assert_eq!((kolkata.day, kolkata.hour, kolkata.minute), (2, 4, 0));
        let new_york = Civil::of(at, -300);
        assert_eq!((new_york.day, new_york.hour, new_york.minute), (1, 17, 30));
    }

    #[test]
    fn countdowns_and_durations_read_like_a_person_would_say_them() {
        assert_eq!(countdown(272_000), "4:32");
        assert_eq!(countdown(400), "0:01");
        assert_eq!(countdown(0), "0:00");
        assert_eq!(countdown(3_723_000), "1:02:03");
        assert_eq!(countdown(-5_000), "0:00");
        assert_eq!(duration_words(12 * 60_000 + 59_000), "12 min");
        assert_eq!(duration_words(65 * 60_000), "1 h 5 min");
        assert_eq!(duration_words(30_000), "less than a minute");
        assert_eq!(relative(0, 180_000), "3 min ago");
        assert_eq!(relative(300_000, 0), "in 5 min");
    }
}

//! Durations as people write them on the command line (`90s`, `15m`, `8h`, `1d`), both
//! ways: parsed from flags, and written for the defaults `--help` shows.

/// Parses durations written like `90s`, `15m`, `8h`, `1d`.
pub fn parse_duration(text: &str) -> Result<chrono::Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: i64 = number
        .parse()
        .map_err(|_| format!("\"{text}\" is not a duration; write e.g. 90s, 15m or 8h"))?;
    match unit {
        "s" => Ok(chrono::Duration::seconds(value)),
        "m" => Ok(chrono::Duration::minutes(value)),
        "h" => Ok(chrono::Duration::hours(value)),
        "d" => Ok(chrono::Duration::days(value)),
        _ => Err(format!(
            "\"{text}\" has no known unit; write e.g. 90s, 15m or 8h"
        )),
    }
}

/// A retention of at least a day: a meeting closed moments ago still answers "ended".
pub fn parse_retention(text: &str) -> Result<chrono::Duration, String> {
    let retention = parse_duration(text)?;
    if retention < chrono::Duration::days(1) {
        return Err(format!(
            "\"{text}\" is shorter than a day; keep closed meetings at least 1d"
        ));
    }
    Ok(retention)
}

/// A lifecycle tick: 1 s to 10 s. Meetings are created a minute before they start and
/// closed on the minute, so a slower tick would open and close them late.
pub fn parse_lifecycle_tick(text: &str) -> Result<chrono::Duration, String> {
    let tick = parse_duration(text)?;
    if tick < chrono::Duration::seconds(1) || tick > chrono::Duration::seconds(10) {
        return Err(format!(
            "\"{text}\" is outside 1s to 10s; meetings open and close on time only if the \
             lifecycle runs at least every 10 seconds"
        ));
    }
    Ok(tick)
}

/// Writes `duration` as [`parse_duration`] reads it, in the largest unit that writes it
/// whole: `90s`, `15m`, `8h`; days from two on (`90d`), so a day reads `24h`. Whole seconds
/// only: that is all a flag can say.
pub fn human_duration(duration: chrono::Duration) -> String {
    const MINUTE: i64 = 60;
    const HOUR: i64 = 60 * MINUTE;
    const DAY: i64 = 24 * HOUR;
    let seconds = duration.num_seconds();
    let whole = |unit: i64| seconds != 0 && seconds % unit == 0;
    if whole(DAY) && seconds / DAY > 1 {
        format!("{}d", seconds / DAY)
    } else if whole(HOUR) {
        format!("{}h", seconds / HOUR)
    } else if whole(MINUTE) {
        format!("{}m", seconds / MINUTE)
    } else {
        format!("{seconds}s")
    }
}

/// [`human_duration`] of a `std` duration (timeouts and waits).
pub fn human_std_duration(duration: std::time::Duration) -> String {
    chrono::Duration::from_std(duration)
        .map_or_else(|_| format!("{}s", duration.as_secs()), human_duration)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_written_with_a_unit() {
        assert_eq!(parse_duration("90s"), Ok(chrono::Duration::seconds(90)));
        assert_eq!(parse_duration("15m"), Ok(chrono::Duration::minutes(15)));
        assert_eq!(parse_duration("8h"), Ok(chrono::Duration::hours(8)));
        assert!(parse_duration("8").is_err());
        assert!(parse_duration("h").is_err());
        assert!(parse_duration("5w").is_err());
    }

    #[test]
    fn a_duration_is_written_in_the_largest_whole_unit() {
        assert_eq!(human_duration(chrono::Duration::seconds(45)), "45s");
        assert_eq!(human_duration(chrono::Duration::seconds(90)), "90s");
        assert_eq!(human_duration(chrono::Duration::minutes(15)), "15m");
        assert_eq!(human_duration(chrono::Duration::hours(8)), "8h");
        assert_eq!(human_duration(chrono::Duration::hours(24)), "24h");
        assert_eq!(human_duration(chrono::Duration::days(90)), "90d");
        assert_eq!(human_duration(chrono::Duration::zero()), "0s");
        assert_eq!(
            human_std_duration(std::time::Duration::from_secs(30)),
            "30s"
        );
    }

    #[test]
    fn every_core_default_a_flag_shows_reads_back_as_itself() {
        use roomcal::lifecycle as l;
        let defaults = [
            l::DEFAULT_PRECREATE_LEAD,
            l::DEFAULT_UPCOMING_WINDOW,
            l::DEFAULT_GRACE_PERIOD,
            l::DEFAULT_CALENDAR_OVERRUN,
            l::DEFAULT_UNSCHEDULED_LIFETIME,
            l::DEFAULT_PRESENCE_TIMEOUT,
            roomcal::services::privacy::DEFAULT_GUEST_HORIZON,
            roomcal::services::DEFAULT_RETENTION,
            roomcal::sync::DEFAULT_WINDOW_BEFORE,
            roomcal::sync::DEFAULT_WINDOW_AFTER,
            roomcal::sync::DEFAULT_LEASE,
            roomcal::services::limits::LimitSettings::default().login_window,
        ];
        for default in defaults {
            assert_eq!(parse_duration(&human_duration(default)), Ok(default));
        }
        for default in [
            roomcal::sync::DEFAULT_TEST_SLOT_WAIT,
            roomcal::sync::fetch::DEFAULT_TOTAL_TIMEOUT,
        ] {
            let read = parse_duration(&human_std_duration(default)).map(|d| d.to_std().ok());
            assert_eq!(read, Ok(Some(default)));
        }
    }
}

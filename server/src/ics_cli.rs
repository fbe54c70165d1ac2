//! `roomcal ics expand`: the calendar engine on one file, for people debugging a feed and
//! for outside checks against the reference oracle.

use crate::config::ExpandArgs;
use roomcal::calendar::{occurrences_to_oracle_json, parse_feed, parse_instant, RoomMatcher};
use std::io::{Read, Write};

/// Runs the command; `Err` is the one-line message for stderr.
pub fn expand(args: &ExpandArgs) -> Result<(), String> {
    let bytes = if args.file == "-" {
        let mut buffer = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buffer)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        buffer
    } else {
        std::fs::read(&args.file).map_err(|e| format!("cannot read {}: {e}", args.file))?
    };
    let from = parse_instant(&args.from, args.tz).map_err(|e| format!("--from: {e}"))?;
    let to = parse_instant(&args.to, args.tz).map_err(|e| format!("--to: {e}"))?;
    if to < from {
        return Err("--to is before --from".into());
    }
    let matcher = match &args.room_url {
        Some(url) => Some(RoomMatcher::from_room_url(url).ok_or_else(|| {
            format!("--room-url {url} is not a room address like https://host/room/<name>")
        })?),
        None => None,
    };
    let feed = parse_feed(&bytes, None).map_err(|e| e.to_string())?;
    let mut stderr = std::io::stderr();
    for warning in &feed.warnings {
        let _ = writeln!(stderr, "warning: line {}: {}", warning.line, warning.reason);
    }
    let mut occurrences = feed.expand(from, to, args.tz);
    if let Some(matcher) = &matcher {
        occurrences.retain(|o| matcher.matches(o));
    }
    let json = occurrences_to_oracle_json(&occurrences);
    let text = serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?;
    let mut stdout = std::io::stdout();
    writeln!(stdout, "{text}").map_err(|e| format!("cannot write the output: {e}"))
}

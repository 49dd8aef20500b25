//! The time values `--since` and `--until` take, read as the Docker CLI reads them
//! (`timetypes.GetTimestamp`): a Go duration back from now (`10m`, `1h30m`), an RFC 3339
//! date or time (`2026-03-01`, `2026-03-01T12:00`, `2026-03-01T12:00:00.5Z`), or Unix
//! seconds (`1772366400`, `1772366400.25`). Times without a zone are UTC, the lab's zone.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta, Utc};

/// The instant `value` names, or the CLI's complaint about it.
pub fn timestamp_flag(value: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    if value != "0"
        && let Some(d) = go_duration(value)
    {
        // The CLI sends whole seconds for a duration.
        let at = now - d;
        return Ok(DateTime::from_timestamp(at.timestamp(), 0).unwrap_or(at));
    }
    let invalid = || format!("failed to parse value as time or duration: \"{value}\"");
    if value.contains('-') {
        return rfc3339_like(value).ok_or_else(invalid);
    }
    let (secs, nanos) = value.split_once('.').unwrap_or((value, ""));
    let secs: i64 = secs.parse().map_err(|_| invalid())?;
    let nanos: u32 = if nanos.is_empty() {
        0
    } else if nanos.len() <= 9 && nanos.bytes().all(|b| b.is_ascii_digit()) {
        format!("{nanos:0<9}").parse().map_err(|_| invalid())?
    } else {
        return Err(invalid());
    };
    DateTime::from_timestamp(secs, nanos).ok_or_else(invalid)
}

/// A date, a date and time, with or without a zone.
fn rfc3339_like(value: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(value) {
        return Some(t.with_timezone(&Utc));
    }
    // chrono wants minutes: `2026-03-01T12` is read as `2026-03-01T12:00`.
    let with_minutes = format!("{value}:00");
    let candidates = [
        (value, "%Y-%m-%dT%H:%M:%S%.f"),
        (value, "%Y-%m-%dT%H:%M"),
        (with_minutes.as_str(), "%Y-%m-%dT%H:%M"),
    ];
    for (text, format) in candidates {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            return Some(t.and_utc());
        }
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

/// Go's `time.ParseDuration`, as the Dockerfile parser reads it (a negative duration,
/// a time in the future, counts as zero).
fn go_duration(value: &str) -> Option<TimeDelta> {
    crate::engine::dockerfile::parse_go_duration(value)
        .ok()
        .and_then(|d| TimeDelta::from_std(d).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn at(value: &str) -> String {
        timestamp_flag(value, now()).unwrap().to_rfc3339()
    }

    #[test]
    fn durations_count_back_from_now() {
        assert_eq!(at("10m"), "2026-03-01T11:50:00+00:00");
        assert_eq!(at("1h30m"), "2026-03-01T10:30:00+00:00");
        assert_eq!(at("1.5h"), "2026-03-01T10:30:00+00:00");
    }

    #[test]
    fn dates_times_and_unix_seconds() {
        assert_eq!(at("2026-02-28"), "2026-02-28T00:00:00+00:00");
        assert_eq!(at("2026-02-28T10"), "2026-02-28T10:00:00+00:00");
        assert_eq!(at("2026-02-28T10:30"), "2026-02-28T10:30:00+00:00");
        assert_eq!(at("2026-02-28T10:30:00+01:00"), "2026-02-28T09:30:00+00:00");
        assert_eq!(at("1772366400"), "2026-03-01T12:00:00+00:00");
        assert_eq!(at("0"), "1970-01-01T00:00:00+00:00");
    }

    #[test]
    fn anything_else_is_refused_in_the_clis_words() {
        assert_eq!(
            timestamp_flag("bogus", now()).unwrap_err(),
            "failed to parse value as time or duration: \"bogus\""
        );
        assert!(timestamp_flag("10x", now()).is_err());
        assert!(timestamp_flag("2026-13-01", now()).is_err());
    }
}

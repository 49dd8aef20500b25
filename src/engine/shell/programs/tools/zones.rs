//! The rules of the time zones lessons name, for `zdump`: the image's zoneinfo files
//! are stand-ins, so a zone's offsets and daylight-saving rules are written out here
//! (as tzdata has them for 2007 onwards).

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Utc, Weekday};

/// When a zone keeps daylight-saving time.
#[derive(Clone, Copy)]
enum Rule {
    None,
    /// EU: last Sunday of March 01:00 UTC to last Sunday of October 01:00 UTC.
    Eu,
    /// US and Canada: second Sunday of March 02:00 local to first Sunday of November.
    Us,
    /// South-east Australia: first Sunday of October to first Sunday of April.
    Au,
    /// New Zealand: last Sunday of September to first Sunday of April.
    Nz,
}

pub struct Zone {
    /// Standard time's offset from UTC, in seconds.
    offset: i64,
    std: &'static str,
    dst: &'static str,
    rule: Rule,
}

const ZONES: &[(&str, i64, &str, &str, Rule)] = &[
    ("UTC", 0, "UTC", "", Rule::None),
    ("Etc/UTC", 0, "UTC", "", Rule::None),
    ("Etc/Universal", 0, "UTC", "", Rule::None),
    ("Universal", 0, "UTC", "", Rule::None),
    ("Zulu", 0, "UTC", "", Rule::None),
    ("GMT", 0, "GMT", "", Rule::None),
    ("Etc/GMT", 0, "GMT", "", Rule::None),
    ("Europe/London", 0, "GMT", "BST", Rule::Eu),
    ("Europe/Dublin", 0, "GMT", "IST", Rule::Eu),
    ("Europe/Lisbon", 0, "WET", "WEST", Rule::Eu),
    ("Europe/Paris", 3600, "CET", "CEST", Rule::Eu),
    ("Europe/Berlin", 3600, "CET", "CEST", Rule::Eu),
    ("Europe/Madrid", 3600, "CET", "CEST", Rule::Eu),
    ("Europe/Rome", 3600, "CET", "CEST", Rule::Eu),
    ("Europe/Amsterdam", 3600, "CET", "CEST", Rule::Eu),
    ("Europe/Brussels", 3600, "CET", "CEST", Rule::Eu),
    ("Europe/Vienna", 3600, "CET", "CEST", Rule::Eu),
    ("Europe/Zurich", 3600, "CET", "CEST", Rule::Eu),
    ("Europe/Stockholm", 3600, "CET", "CEST", Rule::Eu),
    ("Europe/Oslo", 3600, "CET", "CEST", Rule::Eu),
    ("Europe/Copenhagen", 3600, "CET", "CEST", Rule::Eu),
    ("Europe/Warsaw", 3600, "CET", "CEST", Rule::Eu),
    ("Europe/Prague", 3600, "CET", "CEST", Rule::Eu),
    ("Europe/Budapest", 3600, "CET", "CEST", Rule::Eu),
    ("Europe/Athens", 7200, "EET", "EEST", Rule::Eu),
    ("Europe/Helsinki", 7200, "EET", "EEST", Rule::Eu),
    ("Europe/Kyiv", 7200, "EET", "EEST", Rule::Eu),
    ("Europe/Kiev", 7200, "EET", "EEST", Rule::Eu),
    ("Europe/Bucharest", 7200, "EET", "EEST", Rule::Eu),
    ("Europe/Sofia", 7200, "EET", "EEST", Rule::Eu),
    ("Europe/Moscow", 10800, "MSK", "", Rule::None),
    ("Europe/Istanbul", 10800, "+03", "", Rule::None),
    ("America/New_York", -18000, "EST", "EDT", Rule::Us),
    ("America/Toronto", -18000, "EST", "EDT", Rule::Us),
    ("America/Detroit", -18000, "EST", "EDT", Rule::Us),
    ("America/Chicago", -21600, "CST", "CDT", Rule::Us),
    ("America/Denver", -25200, "MST", "MDT", Rule::Us),
    ("America/Phoenix", -25200, "MST", "", Rule::None),
    ("America/Los_Angeles", -28800, "PST", "PDT", Rule::Us),
    ("America/Vancouver", -28800, "PST", "PDT", Rule::Us),
    ("America/Anchorage", -32400, "AKST", "AKDT", Rule::Us),
    ("America/Mexico_City", -21600, "CST", "", Rule::None),
    ("America/Sao_Paulo", -10800, "-03", "", Rule::None),
    (
        "America/Argentina/Buenos_Aires",
        -10800,
        "-03",
        "",
        Rule::None,
    ),
    ("Asia/Tokyo", 32400, "JST", "", Rule::None),
    ("Asia/Seoul", 32400, "KST", "", Rule::None),
    ("Asia/Shanghai", 28800, "CST", "", Rule::None),
    ("Asia/Hong_Kong", 28800, "HKT", "", Rule::None),
    ("Asia/Singapore", 28800, "+08", "", Rule::None),
    ("Asia/Kolkata", 19800, "IST", "", Rule::None),
    ("Asia/Dubai", 14400, "+04", "", Rule::None),
    ("Asia/Bangkok", 25200, "+07", "", Rule::None),
    ("Asia/Jakarta", 25200, "WIB", "", Rule::None),
    ("Australia/Sydney", 36000, "AEST", "AEDT", Rule::Au),
    ("Australia/Melbourne", 36000, "AEST", "AEDT", Rule::Au),
    ("Australia/Brisbane", 36000, "AEST", "", Rule::None),
    ("Australia/Perth", 28800, "AWST", "", Rule::None),
    ("Pacific/Auckland", 43200, "NZST", "NZDT", Rule::Nz),
    ("Africa/Johannesburg", 7200, "SAST", "", Rule::None),
    ("Africa/Lagos", 3600, "WAT", "", Rule::None),
    ("Africa/Nairobi", 10800, "EAT", "", Rule::None),
];

/// The zone named `name` (`Europe/Paris`), if the lab knows its rules.
pub fn find(name: &str) -> Option<Zone> {
    let name = name.trim_start_matches("/usr/share/zoneinfo/");
    ZONES
        .iter()
        .find(|(n, ..)| *n == name)
        .map(|&(_, offset, std, dst, rule)| Zone {
            offset,
            std,
            dst,
            rule,
        })
}

/// The `n`th (1-based) `weekday` of a month, or the last one for `n == 0`.
fn nth_weekday(year: i32, month: u32, weekday: Weekday, n: u32) -> NaiveDate {
    let first = NaiveDate::from_ymd_opt(year, month, 1).unwrap_or_default();
    if n == 0 {
        let next = if month == 12 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(year, month + 1, 1)
        }
        .unwrap_or_default();
        let mut d = next - Duration::days(1);
        while d.weekday() != weekday {
            d -= Duration::days(1);
        }
        return d;
    }
    let mut d = first;
    while d.weekday() != weekday {
        d += Duration::days(1);
    }
    d + Duration::weeks(i64::from(n - 1))
}

/// A date's time of day as an instant, given the local offset then in effect.
fn at(date: NaiveDate, hour: u32, offset: i64) -> i64 {
    date.and_hms_opt(hour, 0, 0)
        .unwrap_or_default()
        .and_utc()
        .timestamp()
        - offset
}

impl Zone {
    fn in_dst(&self, t: i64, year: i32) -> bool {
        let o = self.offset;
        match self.rule {
            Rule::None => false,
            Rule::Eu => {
                let start = at(nth_weekday(year, 3, Weekday::Sun, 0), 1, 0);
                let end = at(nth_weekday(year, 10, Weekday::Sun, 0), 1, 0);
                (start..end).contains(&t)
            }
            Rule::Us => {
                let start = at(nth_weekday(year, 3, Weekday::Sun, 2), 2, o);
                let end = at(nth_weekday(year, 11, Weekday::Sun, 1), 2, o + 3600);
                (start..end).contains(&t)
            }
            Rule::Au => {
                let end = at(nth_weekday(year, 4, Weekday::Sun, 1), 3, o + 3600);
                let start = at(nth_weekday(year, 10, Weekday::Sun, 1), 2, o);
                t < end || t >= start
            }
            Rule::Nz => {
                let end = at(nth_weekday(year, 4, Weekday::Sun, 1), 3, o + 3600);
                let start = at(nth_weekday(year, 9, Weekday::Sun, 0), 2, o);
                t < end || t >= start
            }
        }
    }

    /// The local time at `now` and the abbreviation in effect.
    pub fn local(&self, now: DateTime<Utc>) -> (NaiveDateTime, String) {
        let t = now.timestamp();
        let dst = self.in_dst(t, now.year());
        let offset = self.offset + if dst { 3600 } else { 0 };
        let local = now.naive_utc() + Duration::seconds(offset);
        (local, if dst { self.dst } else { self.std }.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(zone: &str, when: &str) -> String {
        let now: DateTime<Utc> = DateTime::parse_from_rfc3339(when).unwrap().into();
        let (t, abbr) = find(zone).unwrap().local(now);
        format!("{} {abbr}", t.format("%Y-%m-%d %H:%M"))
    }

    #[test]
    fn offsets_follow_daylight_saving_rules() {
        assert_eq!(
            local("Europe/Paris", "2026-12-04T18:40:00Z"),
            "2026-12-04 19:40 CET"
        );
        assert_eq!(
            local("Europe/Paris", "2026-07-01T12:00:00Z"),
            "2026-07-01 14:00 CEST"
        );
        // 2026: EU summer time from 29 March 01:00 UTC to 25 October 01:00 UTC.
        assert_eq!(
            local("Europe/Paris", "2026-03-29T00:59:00Z"),
            "2026-03-29 01:59 CET"
        );
        assert_eq!(
            local("Europe/Paris", "2026-03-29T01:00:00Z"),
            "2026-03-29 03:00 CEST"
        );
        assert_eq!(
            local("Europe/London", "2026-10-25T00:59:00Z"),
            "2026-10-25 01:59 BST"
        );
        // 2026: US daylight time from 8 March to 1 November.
        assert_eq!(
            local("America/New_York", "2026-03-08T06:59:00Z"),
            "2026-03-08 01:59 EST"
        );
        assert_eq!(
            local("America/New_York", "2026-03-08T07:00:00Z"),
            "2026-03-08 03:00 EDT"
        );
        assert_eq!(
            local("America/New_York", "2026-11-01T05:59:00Z"),
            "2026-11-01 01:59 EDT"
        );
        assert_eq!(
            local("America/New_York", "2026-11-01T06:00:00Z"),
            "2026-11-01 01:00 EST"
        );
        assert_eq!(
            local("Australia/Sydney", "2026-01-15T00:00:00Z"),
            "2026-01-15 11:00 AEDT"
        );
        assert_eq!(
            local("Asia/Kolkata", "2026-01-15T00:00:00Z"),
            "2026-01-15 05:30 IST"
        );
        assert!(find("Mars/Olympus").is_none());
    }
}

//! Docker's numbers and strings for humans: go-units `HumanSizeWithPrecision(size, 3)`,
//! `BytesSize`, `HumanDuration`, the CLI's `CreatedSince`, `stringid.TruncateID`,
//! `formatter.Ellipsis`, Go's `strconv.Quote`, and the daemon's `Command` column text.

use chrono::{DateTime, TimeDelta, Utc};

const DECIMAL_UNITS: [&str; 9] = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
const BINARY_UNITS: [&str; 9] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"];

fn size_and_unit(mut size: f64, base: f64, units: &[&'static str]) -> (f64, &'static str) {
    let mut i = 0;
    while size >= base && i < units.len() - 1 {
        size /= base;
        i += 1;
    }
    (size, units[i])
}

/// Go's `fmt.Sprintf("%.*g", precision, x)` for finite `x`: `precision` significant
/// digits, trailing zeros dropped, exponent form (`1e+03`) when the exponent is < -4 or
/// >= precision. Rounds half to even on the exact binary value, as Go does.
pub(crate) fn go_g(x: f64, precision: usize) -> String {
    if !x.is_finite() {
        return if x.is_nan() {
            "NaN".into()
        } else if x > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    let p = precision.max(1);
    let e_form = format!("{:.*e}", p - 1, x);
    let (mantissa, exp) = e_form.split_once('e').expect("exponent");
    let exp: i32 = exp.parse().expect("exponent digits");
    if exp < -4 || exp >= p as i32 {
        let m = strip_zeros(mantissa);
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{m}e{sign}{:02}", exp.abs())
    } else {
        let decimals = (p as i32 - 1 - exp).max(0) as usize;
        strip_zeros(&format!("{x:.decimals$}")).to_string()
    }
}

fn strip_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// Sizes as `docker images`, `history`, `ps -s` and `cp` print them: base 1000, three
/// significant digits (`0B`, `2.05kB`, `5.57MB`, `7.8MB`, and `1e+03kB` for 999,500 bytes).
pub fn human_size(size: i64) -> String {
    let (s, unit) = size_and_unit(size as f64, 1000.0, &DECIMAL_UNITS);
    format!("{}{unit}", go_g(s, 3))
}

/// go-units `HumanSizeWithPrecision` with another precision (the build context line
/// uses 4: `2.048kB`).
pub fn human_size_precision(size: f64, precision: usize) -> String {
    let (s, unit) = size_and_unit(size, 1000.0, &DECIMAL_UNITS);
    format!("{}{unit}", go_g(s, precision))
}

/// go-units `BytesSize`: base 1024, four significant digits (`1KiB`, `1.5MiB`).
pub fn bytes_size(size: i64) -> String {
    let (s, unit) = size_and_unit(size as f64, 1024.0, &BINARY_UNITS);
    format!("{}{unit}", go_g(s, 4))
}

/// go-units `HumanDuration`: `Less than a second`, `1 second`, `N seconds`,
/// `About a minute`, `N minutes`, `About an hour`, `N hours` (< 48 h, rounded),
/// `N days` (< 2 weeks), `N weeks` (< 2 months), `N months` (< 2 years), `N years`.
pub fn human_duration(d: TimeDelta) -> String {
    // One implementation serves the daemon's status text and the CLI's columns.
    let seconds = d
        .num_nanoseconds()
        .map_or(d.num_seconds() as f64, |n| n as f64 / 1e9);
    crate::engine::units::human_duration(seconds)
}

/// The CREATED column: `human_duration(now - created) + " ago"`, or `N/A` for a created
/// time at or before 2000-01-01 (images with a zeroed or epoch creation date).
pub fn time_ago(created: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let y2k = DateTime::from_timestamp(946_684_800, 0).expect("2000-01-01");
    if created <= y2k {
        return "N/A".into();
    }
    format!("{} ago", human_duration(now - created))
}

/// `stringid.TruncateID`: drops an `algorithm:` prefix and keeps 12 characters.
pub fn truncate_id(id: &str) -> &str {
    let id = id.find(':').map_or(id, |i| &id[i + 1..]);
    match id.char_indices().nth(12) {
        Some((i, _)) => &id[..i],
        None => id,
    }
}

fn char_width(c: char) -> usize {
    // East Asian Wide and Fullwidth ranges (golang.org/x/text/width), condensed.
    let wide = matches!(c as u32,
        0x1100..=0x115F | 0x231A..=0x231B | 0x2329..=0x232A | 0x23E9..=0x23EC | 0x23F0
        | 0x23F3 | 0x25FD..=0x25FE | 0x2614..=0x2615 | 0x2648..=0x2653 | 0x267F | 0x2693
        | 0x26A1 | 0x26AA..=0x26AB | 0x26BD..=0x26BE | 0x26C4..=0x26C5 | 0x26CE | 0x26D4
        | 0x26EA | 0x26F2..=0x26F3 | 0x26F5 | 0x26FA | 0x26FD | 0x2705 | 0x270A..=0x270B
        | 0x2728 | 0x274C | 0x274E | 0x2753..=0x2755 | 0x2757 | 0x2795..=0x2797 | 0x27B0
        | 0x27BF | 0x2B1B..=0x2B1C | 0x2B50 | 0x2B55 | 0x2E80..=0x303E | 0x3041..=0x33FF
        | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xA000..=0xA4CF | 0xA960..=0xA97F
        | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE10..=0xFE19 | 0xFE30..=0xFE6F
        | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x16FE0..=0x16FE4 | 0x17000..=0x18CFF
        | 0x1B000..=0x1B2FF | 0x1F004 | 0x1F0CF | 0x1F18E | 0x1F191..=0x1F19A
        | 0x1F200..=0x1F251 | 0x1F300..=0x1F64F | 0x1F680..=0x1F6FF | 0x1F7E0..=0x1F7EB
        | 0x1F90C..=0x1F9FF | 0x1FA70..=0x1FAFF | 0x20000..=0x3FFFD);
    if wide { 2 } else { 1 }
}

/// Docker's `formatter.Ellipsis`: cuts `s` to `max_width` display columns (East Asian
/// wide characters count 2), the last one being `…`.
pub fn ellipsis(s: &str, max_width: usize) -> String {
    if max_width == 0 {
        return String::new();
    }
    let chars: Vec<char> = s.chars().collect();
    if max_width == 1 {
        return chars.first().map(|c| c.to_string()).unwrap_or_default();
    }
    if s.is_ascii() {
        if s.len() <= max_width {
            return s.to_string();
        }
        return format!("{}…", &s[..max_width - 1]);
    }
    let mut acc = Vec::with_capacity(chars.len());
    let mut total = 0;
    for c in &chars {
        total += char_width(*c);
        acc.push(total);
    }
    if total <= max_width {
        return s.to_string();
    }
    for i in 0..acc.len() - 1 {
        if acc[i] < max_width && acc[i + 1] > max_width - 1 {
            return format!("{}…", chars[..=i].iter().collect::<String>());
        }
    }
    s.to_string()
}

pub use crate::engine::units::go_quote;

/// The daemon's `Command` of a container summary: path, then the args, each arg that
/// contains a space wrapped in single quotes (`/bin/sh -c 'echo hello world'`).
pub fn quote_command<S: AsRef<str>>(path: &str, args: &[S]) -> String {
    let mut out = path.to_string();
    for a in args {
        let a = a.as_ref();
        out.push(' ');
        if a.contains(' ') {
            out.push('\'');
            out.push_str(a);
            out.push('\'');
        } else {
            out.push_str(a);
        }
    }
    out
}

/// The COMMAND column of `docker ps`: cut to 20 columns unless `no_trunc`, then
/// Go-quoted (`"/bin/sh -c 'echo he…"`).
pub fn command_column(command: &str, no_trunc: bool) -> String {
    if no_trunc {
        go_quote(command)
    } else {
        go_quote(&ellipsis(command, 20))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_size_matches_go_units() {
        // go-units size_test.go (HumanSize is precision 4; docker uses 3) and docker's own
        // CLI tests (cli/command/formatter, image formatter tests).
        for (n, want) in [
            (0, "0B"),
            (1, "1B"),
            (999, "999B"),
            (1000, "1kB"),
            (1024, "1.02kB"),
            (2048, "2.05kB"),
            (13_300, "13.3kB"),
            (5_570_000, "5.57MB"),
            (5_567_893, "5.57MB"),
            (7_800_000, "7.8MB"),
            (7_799_999, "7.8MB"),
            (1_000_000, "1MB"),
            (1_048_576, "1.05MB"),
            (999_499, "999kB"),
            (999_500, "1e+03kB"),
            (999_999, "1e+03kB"),
            (1125, "1.12kB"),
            (1135, "1.14kB"),
            (72_700_000, "72.7MB"),
            (1_000_000_000, "1GB"),
            (3_000_000_000_000, "3TB"),
            (i64::MAX, "9.22EB"),
        ] {
            assert_eq!(human_size(n), want, "{n}");
        }
    }

    #[test]
    fn go_g_edges() {
        assert_eq!(go_g(0.0, 3), "0");
        assert_eq!(go_g(0.0001234, 3), "0.000123");
        assert_eq!(go_g(0.00001234, 3), "1.23e-05");
        assert_eq!(go_g(123.0, 3), "123");
        assert_eq!(go_g(1234.0, 3), "1.23e+03");
        assert_eq!(go_g(2.5, 1), "2");
        assert_eq!(go_g(3.5, 1), "4");
    }

    #[test]
    fn bytes_size_matches_go_units() {
        for (n, want) in [
            (1024, "1KiB"),
            (1024 * 1024, "1MiB"),
            (1_048_576 + 512 * 1024, "1.5MiB"),
            (1024 * 1024 * 1024, "1GiB"),
            (3 * 1024 * 1024 * 1024 * 1024, "3TiB"),
            (0, "0B"),
        ] {
            assert_eq!(bytes_size(n), want, "{n}");
        }
    }

    #[test]
    fn human_duration_matches_go_units() {
        let s = TimeDelta::seconds;
        let m = TimeDelta::minutes;
        let h = TimeDelta::hours;
        let day = |n: i64| TimeDelta::hours(24 * n);
        for (d, want) in [
            (s(0), "Less than a second"),
            (TimeDelta::milliseconds(999), "Less than a second"),
            (s(1), "1 second"),
            (s(2), "2 seconds"),
            (s(59), "59 seconds"),
            (s(60), "About a minute"),
            (s(119), "About a minute"),
            (m(2), "2 minutes"),
            (m(59), "59 minutes"),
            (m(60), "About an hour"),
            (m(89), "About an hour"),
            (m(90), "2 hours"),
            (h(47), "47 hours"),
            (h(48), "2 days"),
            (h(48) + m(30), "2 days"),
            (day(7), "7 days"),
            (day(13), "13 days"),
            (day(14), "2 weeks"),
            (day(59), "8 weeks"),
            (day(60), "2 months"),
            (day(364), "12 months"),
            (day(365 * 2 - 1), "24 months"),
            (day(365 * 2), "2 years"),
            (day(365 * 3), "3 years"),
            (day(365 * 10), "10 years"),
        ] {
            assert_eq!(human_duration(d), want, "{d:?}");
        }
    }

    #[test]
    fn time_ago_and_na() {
        let now = DateTime::parse_from_rfc3339("2026-11-05T12:00:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(time_ago(now - TimeDelta::minutes(3), now), "3 minutes ago");
        assert_eq!(time_ago(now, now), "Less than a second ago");
        let epoch = DateTime::from_timestamp(0, 0).unwrap();
        assert_eq!(time_ago(epoch, now), "N/A");
        let y2k = DateTime::from_timestamp(946_684_800, 0).unwrap();
        assert_eq!(time_ago(y2k, now), "N/A");
        assert_eq!(time_ago(y2k + TimeDelta::seconds(1), now), "26 years ago");
    }

    #[test]
    fn ids_and_ellipsis() {
        let id = "sha256:90db8ee5e7f4fb1d9d8ac1ab9a29a1e47e8b8b1f6a1ad0dca9e1a1b8b5f6c7d8";
        assert_eq!(truncate_id(id), "90db8ee5e7f4");
        assert_eq!(truncate_id("abc"), "abc");
        // Behaviour of docker/cli's formatter.Ellipsis (displayutils.go).
        assert_eq!(ellipsis("t🐳ststring", 0), "");
        assert_eq!(ellipsis("t🐳ststring", 1), "t");
        assert_eq!(ellipsis("t🐳ststring", 2), "t…");
        assert_eq!(ellipsis("t🐳ststring", 6), "t🐳st…");
        assert_eq!(ellipsis("t🐳ststring", 20), "t🐳ststring");
        assert_eq!(ellipsis("你好", 1), "你");
        // No cut point fits: Docker returns the string whole.
        assert_eq!(ellipsis("你好", 2), "你好");
        assert_eq!(ellipsis("你好", 3), "你…");
        assert_eq!(ellipsis("你好", 4), "你好");
        assert_eq!(ellipsis("teststring", 5), "test…");
        assert_eq!(ellipsis("teststring", 10), "teststring");
        assert_eq!(ellipsis("", 1), "");
    }

    #[test]
    fn ps_command_column() {
        let c = quote_command("/bin/sh", &["-c", "echo hello world"]);
        assert_eq!(c, "/bin/sh -c 'echo hello world'");
        assert_eq!(command_column(&c, false), "\"/bin/sh -c 'echo he…\"");
        assert_eq!(
            command_column(&c, true),
            "\"/bin/sh -c 'echo hello world'\""
        );
        assert_eq!(
            command_column("nginx -g 'daemon off;'", false),
            "\"nginx -g 'daemon of…\""
        );
        assert_eq!(command_column("/hello", false), "\"/hello\"");
        assert_eq!(go_quote("a\"b\\c\n\t\u{1}é"), "\"a\\\"b\\\\c\\n\\t\\x01é\"");
        assert_eq!(
            quote_command::<&str>("/docker-entrypoint.sh", &[]),
            "/docker-entrypoint.sh"
        );
    }
}

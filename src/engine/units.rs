//! go-units' `HumanDuration`, which the daemon uses in container status text
//! ("Up 3 minutes", "Exited (0) 2 seconds ago") and the CLI in CREATED columns.

/// `units.HumanDuration`: "Less than a second", "About a minute", "3 hours", "2 weeks"...
pub fn human_duration(seconds: f64) -> String {
    let secs_f = seconds;
    let seconds = secs_f as i64;
    if seconds < 1 {
        return "Less than a second".into();
    }
    if seconds == 1 {
        return "1 second".into();
    }
    if seconds < 60 {
        return format!("{seconds} seconds");
    }
    let minutes = (secs_f / 60.0) as i64;
    if minutes == 1 {
        return "About a minute".into();
    }
    if minutes < 60 {
        return format!("{minutes} minutes");
    }
    // Go rounds hours to the nearest here, and truncates everywhere else.
    let hours = (secs_f / 3600.0 + 0.5) as i64;
    if hours == 1 {
        "About an hour".into()
    } else if hours < 48 {
        format!("{hours} hours")
    } else if hours < 24 * 7 * 2 {
        format!("{} days", hours / 24)
    } else if hours < 24 * 30 * 2 {
        format!("{} weeks", hours / 24 / 7)
    } else if hours < 24 * 365 * 2 {
        format!("{} months", hours / 24 / 30)
    } else {
        format!("{} years", (secs_f / 3600.0) as i64 / 24 / 365)
    }
}

/// Go's `strconv.Quote`: double quotes, `\"`, `\\`, `\n`-style escapes, `\x`/`\u`/`\U`
/// for non-printable characters.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x0b' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if c.is_control() || matches!(c as u32, 0x80..=0x9f | 0xad | 0xfeff) => {
                if (c as u32) < 0x10000 {
                    out.push_str(&format!("\\u{:04x}", c as u32))
                } else {
                    out.push_str(&format!("\\U{:08x}", c as u32))
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::human_duration;

    #[test]
    fn matches_go_units_thresholds() {
        let cases = [
            (0, "Less than a second"),
            (1, "1 second"),
            (59, "59 seconds"),
            (60, "About a minute"),
            (119, "About a minute"),
            (120, "2 minutes"),
            (3599, "59 minutes"),
            (3600, "About an hour"),
            (5399, "About an hour"),
            (5400, "2 hours"),
            (47 * 3600, "47 hours"),
            (48 * 3600, "2 days"),
            (14 * 24 * 3600, "2 weeks"),
            (60 * 24 * 3600, "2 months"),
            (730 * 24 * 3600, "2 years"),
        ];
        for (secs, want) in cases {
            assert_eq!(human_duration(secs as f64), want, "{secs}s");
        }
    }
}

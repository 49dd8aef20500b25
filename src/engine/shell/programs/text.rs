//! Text utilities: echo, printf, grep, sed, sort, head, tail, wc, tr, cut, ... and test.

use std::io::Write;
use std::time::Duration;

use super::{Ctx, Streams, for_each_input, parse_flags};
use crate::engine::shell::write_err;

pub fn echo(_ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let mut newline = true;
    let mut escapes = false;
    let mut i = 1;
    while i < argv.len() {
        let a = &argv[i];
        if a.len() > 1 && a.starts_with('-') && a[1..].chars().all(|c| matches!(c, 'n' | 'e' | 'E'))
        {
            for c in a[1..].chars() {
                match c {
                    'n' => newline = false,
                    'e' => escapes = true,
                    _ => escapes = false,
                }
            }
            i += 1;
        } else {
            break;
        }
    }
    let mut out = argv[i..].join(" ");
    if escapes {
        let (s, stop) = unescape(&out, true);
        out = s;
        if stop {
            newline = false;
        }
    }
    let _ = io.stdout.write_all(out.as_bytes());
    if newline {
        let _ = io.stdout.write_all(b"\n");
    }
    0
}

/// Backslash escapes of `echo -e` / `printf %b`; the bool is true at `\c` (stop output).
fn unescape(s: &str, echo_octal: bool) -> (String, bool) {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('a') => out.push('\x07'),
            Some('b') => out.push('\x08'),
            Some('f') => out.push('\x0c'),
            Some('v') => out.push('\x0b'),
            Some('e') => out.push('\x1b'),
            Some('\\') => out.push('\\'),
            Some('c') => return (out, true),
            Some(d @ '0'..='7') => {
                let mut v = if echo_octal && d == '0' {
                    0
                } else {
                    d.to_digit(8).unwrap_or(0)
                };
                for _ in 0..(if echo_octal && d == '0' { 3 } else { 2 }) {
                    match chars.peek().and_then(|c| c.to_digit(8)) {
                        Some(n) => {
                            v = v * 8 + n;
                            chars.next();
                        }
                        None => break,
                    }
                }
                out.push(char::from_u32(v & 0xff).unwrap_or('?'));
            }
            Some(o) => {
                out.push('\\');
                out.push(o);
            }
            None => out.push('\\'),
        }
    }
    (out, false)
}

fn parse_int(s: &str) -> Option<i64> {
    let t = s.trim();
    if let Some(c) = t.strip_prefix('\'').or_else(|| t.strip_prefix('"')) {
        return Some(c.chars().next().map(|c| c as i64).unwrap_or(0));
    }
    if let Some(h) = t.strip_prefix("0x") {
        return i64::from_str_radix(h, 16).ok();
    }
    t.parse().ok()
}

pub fn printf(_ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let Some(format) = argv.get(1) else {
        write_err(
            io.stderr,
            format_args!("BusyBox v1.36.1 multi-call binary.\n\nUsage: printf FORMAT [ARG]..."),
        );
        return 1;
    };
    let args = &argv[2..];
    let mut ai = 0;
    let mut status = 0;
    let mut out = String::new();
    let fmt: Vec<char> = format.chars().collect();
    loop {
        let mut i = 0;
        while i < fmt.len() {
            let c = fmt[i];
            if c == '\\' {
                let mut j = i + 1;
                while j < fmt.len() && j < i + 4 && (j == i + 1 || fmt[j].is_digit(8)) {
                    if j > i + 1 && !fmt[j].is_digit(8) {
                        break;
                    }
                    j += 1;
                    if !fmt[i + 1].is_digit(8) {
                        break;
                    }
                }
                let piece: String = fmt[i..j.max(i + 2).min(fmt.len())].iter().collect();
                let (s, stop) = unescape(&piece, false);
                out.push_str(&s);
                if stop {
                    let _ = io.stdout.write_all(out.as_bytes());
                    return status;
                }
                i = j.max(i + 2);
                continue;
            }
            if c != '%' {
                out.push(c);
                i += 1;
                continue;
            }
            let start = i;
            i += 1;
            while i < fmt.len() && matches!(fmt[i], '-' | '+' | ' ' | '#' | '0'..='9' | '.') {
                i += 1;
            }
            let Some(&conv) = fmt.get(i) else {
                out.push_str(&fmt[start..].iter().collect::<String>());
                break;
            };
            i += 1;
            let spec: String = fmt[start + 1..i - 1].iter().collect();
            if conv == '%' {
                out.push('%');
                continue;
            }
            let arg = args.get(ai).cloned().unwrap_or_default();
            ai += 1;
            let (left, zero) = (spec.contains('-'), spec.starts_with('0'));
            let (width, prec) = match spec
                .trim_start_matches(['-', '+', ' ', '#', '0'])
                .split_once('.')
            {
                Some((w, p)) => (
                    w.parse::<usize>().unwrap_or(0),
                    Some(p.parse::<usize>().unwrap_or(0)),
                ),
                None => (
                    spec.trim_start_matches(['-', '+', ' ', '#', '0'])
                        .parse()
                        .unwrap_or(0),
                    None,
                ),
            };
            let body = match conv {
                's' => match prec {
                    Some(p) => arg.chars().take(p).collect(),
                    None => arg,
                },
                'b' => unescape(&arg, true).0,
                'c' => arg.chars().next().map(String::from).unwrap_or_default(),
                'd' | 'i' | 'u' | 'x' | 'X' | 'o' => {
                    let n = if arg.is_empty() {
                        0
                    } else {
                        match parse_int(&arg) {
                            Some(n) => n,
                            None => {
                                write_err(
                                    io.stderr,
                                    format_args!("printf: invalid number '{arg}'"),
                                );
                                status = 1;
                                0
                            }
                        }
                    };
                    match conv {
                        'x' => format!("{n:x}"),
                        'X' => format!("{n:X}"),
                        'o' => format!("{n:o}"),
                        _ => {
                            if spec.contains('+') && n >= 0 {
                                format!("+{n}")
                            } else {
                                n.to_string()
                            }
                        }
                    }
                }
                'f' | 'e' | 'g' => {
                    let v: f64 = arg.trim().parse().unwrap_or(0.0);
                    format!("{:.*}", prec.unwrap_or(6), v)
                }
                other => format!("%{spec}{other}"),
            };
            let len = body.chars().count();
            if len >= width {
                out.push_str(&body);
            } else if left {
                out.push_str(&body);
                out.push_str(&" ".repeat(width - len));
            } else if zero && conv != 's' {
                let (sign, digits) = match body.strip_prefix('-') {
                    Some(d) => ("-", d.to_string()),
                    None => ("", body.clone()),
                };
                out.push_str(sign);
                out.push_str(&"0".repeat(width - len));
                out.push_str(&digits);
            } else {
                out.push_str(&" ".repeat(width - len));
                out.push_str(&body);
            }
        }
        // The format is reused while arguments remain.
        if ai == 0 || ai >= args.len() {
            break;
        }
    }
    let _ = io.stdout.write_all(out.as_bytes());
    status
}

pub fn basename(_ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let Some(p) = argv.get(1) else {
        write_err(
            io.stderr,
            format_args!("BusyBox v1.36.1 multi-call binary.\n\nUsage: basename FILE [SUFFIX]"),
        );
        return 1;
    };
    let mut b = crate::engine::shell::vfs::file_name(p).to_string();
    if let Some(suffix) = argv.get(2)
        && b.len() > suffix.len()
        && b.ends_with(suffix.as_str())
    {
        b.truncate(b.len() - suffix.len());
    }
    let _ = writeln!(io.stdout, "{b}");
    0
}

pub fn dirname(_ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let Some(p) = argv.get(1) else {
        write_err(
            io.stderr,
            format_args!("BusyBox v1.36.1 multi-call binary.\n\nUsage: dirname FILENAME"),
        );
        return 1;
    };
    let t = p.trim_end_matches('/');
    let d = match t.rfind('/') {
        None if p.starts_with('/') => "/".to_string(),
        None => ".".to_string(),
        Some(i) => {
            let d = t[..i].trim_end_matches('/');
            if d.is_empty() {
                "/".to_string()
            } else {
                d.to_string()
            }
        }
    };
    let _ = writeln!(io.stdout, "{d}");
    0
}

pub fn env(ctx: &mut Ctx<'_>, argv: &[String], mut io: Streams<'_>) -> i32 {
    let mut vars = ctx.env.clone();
    let mut i = 1;
    while i < argv.len() {
        if argv[i] == "-i" {
            vars.clear();
        } else if let Some((k, v)) = argv[i].split_once('=') {
            vars.retain(|(n, _)| n != k);
            vars.push((k.to_string(), v.to_string()));
        } else {
            break;
        }
        i += 1;
    }
    if i < argv.len() {
        let saved = std::mem::replace(&mut ctx.env, vars);
        let rest = &argv[i..];
        let path = ctx.var("PATH").unwrap_or("").to_string();
        let status = match ctx.resolver.resolve(&rest[0], &*ctx.fs, &path) {
            Some(super::Resolved::Program(p)) => p(ctx, rest, io.reborrow()),
            _ => {
                let env = ctx.env.clone();
                let cwd = ctx.cwd.clone();
                match ctx.host.run_external(rest, &env, &cwd, io.reborrow()) {
                    Some(s) => s,
                    None => {
                        write_err(
                            io.stderr,
                            format_args!(
                                "env: can't execute '{}': No such file or directory",
                                rest[0]
                            ),
                        );
                        127
                    }
                }
            }
        };
        ctx.env = saved;
        return status;
    }
    for (k, v) in vars {
        let _ = writeln!(io.stdout, "{k}={v}");
    }
    0
}

pub fn printenv(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    if argv.len() == 1 {
        for (k, v) in &ctx.env {
            let _ = writeln!(io.stdout, "{k}={v}");
        }
        return 0;
    }
    let mut status = 0;
    for n in &argv[1..] {
        match ctx.var(n) {
            Some(v) => {
                let _ = writeln!(io.stdout, "{v}");
            }
            None => status = 1,
        }
    }
    status
}

pub fn date(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let now = ctx.host.now();
    let utc = argv.iter().any(|a| a == "-u");
    let _ = utc;
    let fmt = argv
        .iter()
        .skip(1)
        .find_map(|a| a.strip_prefix('+'))
        .unwrap_or("%a %b %e %H:%M:%S UTC %Y");
    let _ = writeln!(io.stdout, "{}", now.format(fmt));
    0
}

pub fn sleep(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let Some(a) = argv.get(1) else {
        write_err(
            io.stderr,
            format_args!("BusyBox v1.36.1 multi-call binary.\n\nUsage: sleep [N]..."),
        );
        return 1;
    };
    let (num, mult) = match a.chars().last() {
        Some('s') => (&a[..a.len() - 1], 1.0),
        Some('m') => (&a[..a.len() - 1], 60.0),
        Some('h') => (&a[..a.len() - 1], 3600.0),
        _ => (a.as_str(), 1.0),
    };
    match num.parse::<f64>() {
        Ok(v) if v >= 0.0 && v.is_finite() => {
            ctx.host.sleep(Duration::from_secs_f64((v * mult).min(1e9)));
            0
        }
        _ => {
            write_err(io.stderr, format_args!("sleep: invalid number '{a}'"));
            1
        }
    }
}

pub fn seq(_ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let nums: Vec<Option<i64>> = argv[1..].iter().map(|a| a.parse().ok()).collect();
    let (first, step, last) = match nums.as_slice() {
        [Some(l)] => (1, 1, *l),
        [Some(f), Some(l)] => (*f, 1, *l),
        [Some(f), Some(s), Some(l)] => (*f, *s, *l),
        _ => {
            match argv[1..].iter().find(|a| a.parse::<i64>().is_err()) {
                Some(bad) => write_err(io.stderr, format_args!("seq: invalid number '{bad}'")),
                None => write_err(
                    io.stderr,
                    format_args!(
                        "BusyBox v1.36.1 multi-call binary.\n\nUsage: seq [-w] [-s SEP] [FIRST [INC]] LAST"
                    ),
                ),
            }
            return 1;
        }
    };
    if step == 0 {
        return 1;
    }
    let mut n = first;
    let mut out = String::new();
    while (step > 0 && n <= last) || (step < 0 && n >= last) {
        out.push_str(&n.to_string());
        out.push('\n');
        n += step;
        if out.len() > 64 << 20 {
            break;
        }
    }
    let _ = io.stdout.write_all(out.as_bytes());
    0
}

fn count_arg(a: &str) -> Option<(bool, usize)> {
    let from_start = a.starts_with('+');
    a.trim_start_matches(['+', '-'])
        .parse()
        .ok()
        .map(|n| (from_start, n))
}

/// Parses `-n N`, `-N`, `-c N` for head and tail: (bytes?, from_start?, count, files).
fn head_tail_args(
    name: &str,
    args: &[String],
    err: &mut dyn Write,
) -> Option<(bool, bool, usize, Vec<String>)> {
    let mut bytes = false;
    let mut from_start = false;
    let mut count = 10;
    let mut files = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if a == "-n" || a == "-c" {
            bytes = a == "-c";
            let Some((s, n)) = args.get(i + 1).and_then(|v| count_arg(v)) else {
                write_err(
                    err,
                    format_args!(
                        "{name}: invalid number '{}'",
                        args.get(i + 1).map(String::as_str).unwrap_or("")
                    ),
                );
                return None;
            };
            from_start = s;
            count = n;
            i += 2;
            continue;
        }
        if let Some(rest) = a
            .strip_prefix("-n")
            .or_else(|| a.strip_prefix("-c"))
            .filter(|r| !r.is_empty())
        {
            bytes = a.starts_with("-c");
            let (s, n) = count_arg(rest)?;
            from_start = s;
            count = n;
        } else if a.len() > 1 && a.starts_with('-') && a[1..].chars().all(|c| c.is_ascii_digit()) {
            count = a[1..].parse().unwrap_or(10);
        } else {
            files.push(a.clone());
        }
        i += 1;
    }
    Some((bytes, from_start, count, files))
}

/// How much of a regular file on stdin `head` leaves consumed: busybox's head
/// gives back what it read beyond its last line, so a loop can read on from there.
pub(crate) fn head_consumed(argv: &[String], input: &[u8]) -> usize {
    let Some((bytes, _, count, _)) = head_tail_args("head", &argv[1..], &mut std::io::sink())
    else {
        return 0;
    };
    if bytes {
        return count.min(input.len());
    }
    let mut used = 0;
    for line in input.split_inclusive(|&b| b == b'\n').take(count) {
        used += line.len();
    }
    used
}

pub fn head(ctx: &mut Ctx<'_>, argv: &[String], mut io: Streams<'_>) -> i32 {
    let Some((bytes, _, count, files)) = head_tail_args("head", &argv[1..], io.stderr) else {
        return 1;
    };
    let many = files.len() > 1;
    let mut first = true;
    for_each_input(ctx, "head", &files, &mut io, |name, data, io| {
        if many {
            let _ = writeln!(io.stdout, "{}==> {name} <==", if first { "" } else { "\n" });
            first = false;
        }
        let part: &[u8] = if bytes {
            &data[..count.min(data.len())]
        } else {
            let mut end = 0;
            for (i, line) in data.split_inclusive(|&b| b == b'\n').enumerate() {
                if i == count {
                    break;
                }
                end += line.len();
            }
            &data[..end]
        };
        let _ = io.stdout.write_all(part);
    })
}

pub fn tail(ctx: &mut Ctx<'_>, argv: &[String], mut io: Streams<'_>) -> i32 {
    let Some((bytes, from_start, count, files)) = head_tail_args("tail", &argv[1..], io.stderr)
    else {
        return 1;
    };
    let many = files.len() > 1;
    let mut first = true;
    for_each_input(ctx, "tail", &files, &mut io, |name, data, io| {
        if many {
            let _ = writeln!(io.stdout, "{}==> {name} <==", if first { "" } else { "\n" });
            first = false;
        }
        let part: &[u8] = if bytes {
            if from_start {
                &data[count.saturating_sub(1).min(data.len())..]
            } else {
                &data[data.len().saturating_sub(count)..]
            }
        } else {
            let lines: Vec<&[u8]> = data.split_inclusive(|&b| b == b'\n').collect();
            let skip = if from_start {
                count.saturating_sub(1)
            } else {
                lines.len().saturating_sub(count)
            };
            let start: usize = lines.iter().take(skip).map(|l| l.len()).sum();
            &data[start.min(data.len())..]
        };
        let _ = io.stdout.write_all(part);
    })
}

pub fn wc(ctx: &mut Ctx<'_>, argv: &[String], mut io: Streams<'_>) -> i32 {
    let Some((flags, files)) = parse_flags("wc", &argv[1..], "lwcmL", io.stderr) else {
        return 1;
    };
    let all = flags.is_empty();
    let show = |c: char| all || flags.contains(&c);
    let mut totals = [0usize; 3];
    let mut rows = Vec::new();
    let status = for_each_input(ctx, "wc", &files, &mut io, |name, data, _| {
        let text = String::from_utf8_lossy(data);
        let counts = [
            data.iter().filter(|&&b| b == b'\n').count(),
            text.split_whitespace().count(),
            data.len(),
        ];
        for i in 0..3 {
            totals[i] += counts[i];
        }
        rows.push((counts, name.to_string()));
    });
    if files.len() > 1 {
        rows.push((totals, "total".to_string()));
    }
    let single = [show('l'), show('w'), show('c') || show('m')]
        .iter()
        .filter(|b| **b)
        .count()
        == 1;
    for (counts, name) in rows {
        let mut parts = Vec::new();
        for (i, c) in ['l', 'w', 'c'].iter().enumerate() {
            if show(*c) || (*c == 'c' && show('m')) {
                parts.push(if single && files.is_empty() {
                    counts[i].to_string()
                } else {
                    format!("{:>7}", counts[i])
                });
            }
        }
        let mut line = parts.join(" ");
        if single && !files.is_empty() {
            line = line.trim_start().to_string();
        }
        if name != "-" || !files.is_empty() {
            line.push(' ');
            line.push_str(&name);
        }
        let _ = writeln!(io.stdout, "{line}");
    }
    status
}

/// Translates a POSIX basic regular expression into Rust regex syntax.
pub(crate) fn bre_to_regex(bre: &str, extended: bool) -> String {
    let mut out = String::new();
    let chars: Vec<char> = bre.chars().collect();
    let mut i = 0;
    let mut in_bracket = false;
    while i < chars.len() {
        let c = chars[i];
        if in_bracket {
            if c == ']' {
                in_bracket = false;
            } else if c == '\\' || (c == '[' && chars.get(i + 1) != Some(&':')) {
                out.push('\\');
            }
            out.push(c);
            i += 1;
            continue;
        }
        match c {
            '[' => {
                in_bracket = true;
                out.push('[');
                if chars.get(i + 1) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                if chars.get(i + 1) == Some(&']') {
                    out.push_str("\\]");
                    i += 1;
                }
            }
            '\\' if !extended => {
                i += 1;
                match chars.get(i) {
                    Some(n @ ('(' | ')' | '{' | '}' | '|' | '+' | '?')) => out.push(*n),
                    Some(n @ '1'..='9') => {
                        out.push('\\');
                        out.push(*n);
                    }
                    Some('<') | Some('>') => out.push_str("\\b"),
                    Some(n) => {
                        if n.is_alphanumeric() {
                            out.push('\\');
                            out.push(*n);
                        } else {
                            out.push_str(&regex::escape(&n.to_string()));
                        }
                    }
                    None => out.push_str("\\\\"),
                }
            }
            '(' | ')' | '{' | '}' | '|' | '+' | '?' if !extended => {
                out.push('\\');
                out.push(c);
            }
            '*' if !extended && (out.is_empty() || out.ends_with('^')) => out.push_str("\\*"),
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

pub fn grep(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let mut flags = Vec::new();
    let mut patterns = Vec::new();
    let mut files = Vec::new();
    let mut i = 1;
    while i < argv.len() {
        let a = &argv[i];
        if a == "-e" {
            if let Some(p) = argv.get(i + 1) {
                patterns.push(p.clone());
            }
            i += 2;
            continue;
        }
        if a.starts_with('-') && a.len() > 1 {
            for c in a[1..].chars() {
                if !"ivnclqrREFwsHho".contains(c) {
                    write_err(io.stderr, format_args!("grep: unrecognized option: {c}"));
                    return 2;
                }
                flags.push(c);
            }
        } else if patterns.is_empty() && !argv[1..i].iter().any(|x| x == "-e") {
            patterns.push(a.clone());
        } else {
            files.push(a.clone());
        }
        i += 1;
    }
    if patterns.is_empty() {
        write_err(
            io.stderr,
            format_args!(
                "BusyBox v1.36.1 multi-call binary.\n\nUsage: grep [-HhnlLoqvsrRiwFE] [-m N] [-A|B|C N] {{ PATTERN | -e PATTERN... | -f FILE... }} [FILE]..."
            ),
        );
        return 2;
    }
    let f = |c: char| flags.contains(&c);
    let extended = f('E');
    let joined: Vec<String> = patterns
        .iter()
        .map(|p| {
            if f('F') {
                regex::escape(p)
            } else {
                bre_to_regex(p, extended)
            }
        })
        .map(|p| if f('w') { format!("\\b(?:{p})\\b") } else { p })
        .collect();
    let re = match regex::RegexBuilder::new(&joined.join("|"))
        .case_insensitive(f('i'))
        .build()
    {
        Ok(r) => r,
        Err(_) => {
            write_err(io.stderr, format_args!("grep: bad regex '{}'", patterns[0]));
            return 2;
        }
    };
    let recursive = f('r') || f('R');
    let mut inputs: Vec<String> = Vec::new();
    for file in &files {
        let abs = ctx.abs(file);
        if recursive && ctx.fs.metadata(&abs).is_ok_and(|m| m.is_dir()) {
            let mut stack = vec![(file.trim_end_matches('/').to_string(), abs)];
            while let Some((label, path)) = stack.pop() {
                for e in ctx.fs.read_dir(&path).unwrap_or_default().into_iter().rev() {
                    let sub = format!("{label}/{}", e.name);
                    let full = crate::engine::shell::vfs::normalize(&path, &e.name);
                    if ctx.fs.metadata(&full).is_ok_and(|m| m.is_dir()) {
                        stack.push((sub, full));
                    } else {
                        inputs.push(sub);
                    }
                }
            }
        } else {
            inputs.push(file.clone());
        }
    }
    if recursive && files.is_empty() {
        inputs.push(".".into());
    }
    let show_names = (inputs.len() > 1 || recursive || f('H')) && !f('h');
    let mut any = false;
    let mut io = io;
    let quiet = f('q');
    let status = for_each_input(ctx, "grep", &inputs, &mut io, |name, data, io| {
        let name = if name == "-" {
            "(standard input)"
        } else {
            name
        };
        let text = String::from_utf8_lossy(data);
        let mut count = 0;
        for (n, line) in text.lines().enumerate() {
            if re.is_match(line) == f('v') {
                continue;
            }
            count += 1;
            any = true;
            if quiet || f('l') || f('c') {
                continue;
            }
            let mut prefix = String::new();
            if show_names {
                prefix.push_str(&format!("{name}:"));
            }
            if f('n') {
                prefix.push_str(&format!("{}:", n + 1));
            }
            if f('o') && !f('v') {
                for m in re.find_iter(line) {
                    let _ = writeln!(io.stdout, "{prefix}{}", m.as_str());
                }
            } else {
                let _ = writeln!(io.stdout, "{prefix}{line}");
            }
        }
        if quiet {
            return;
        }
        if f('c') {
            if show_names {
                let _ = writeln!(io.stdout, "{name}:{count}");
            } else {
                let _ = writeln!(io.stdout, "{count}");
            }
        } else if f('l') && count > 0 {
            let _ = writeln!(io.stdout, "{name}");
        }
    });
    if status != 0 && !(quiet && any) {
        if f('s') {
            return 2;
        }
        return 2;
    }
    if any { 0 } else { 1 }
}

fn expand_set(s: &str) -> Vec<char> {
    let (unesc, _) = unescape(s, false);
    let chars: Vec<char> = unesc.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '[' && chars.get(i + 1) == Some(&':') {
            let rest: String = chars[i + 2..].iter().collect();
            if let Some(end) = rest.find(":]") {
                let class = &rest[..end];
                let range: Vec<char> = match class {
                    "lower" => ('a'..='z').collect(),
                    "upper" => ('A'..='Z').collect(),
                    "digit" => ('0'..='9').collect(),
                    "alpha" => ('A'..='Z').chain('a'..='z').collect(),
                    "alnum" => ('0'..='9').chain('A'..='Z').chain('a'..='z').collect(),
                    "space" => vec![' ', '\t', '\n', '\r', '\x0b', '\x0c'],
                    _ => Vec::new(),
                };
                out.extend(range);
                i += end + 4;
                continue;
            }
        }
        if chars.get(i + 1) == Some(&'-') && i + 2 < chars.len() {
            let (lo, hi) = (chars[i], chars[i + 2]);
            if lo <= hi {
                out.extend(lo..=hi);
            }
            i += 3;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

pub fn tr(_ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let Some((flags, sets)) = parse_flags("tr", &argv[1..], "dsc", io.stderr) else {
        return 1;
    };
    let Some(set1) = sets.first().map(|s| expand_set(s)) else {
        write_err(
            io.stderr,
            format_args!(
                "BusyBox v1.36.1 multi-call binary.\n\nUsage: tr [-cds] STRING1 [STRING2]"
            ),
        );
        return 1;
    };
    let set2 = sets.get(1).map(|s| expand_set(s)).unwrap_or_default();
    let delete = flags.contains(&'d');
    let squeeze = flags.contains(&'s');
    let text = String::from_utf8_lossy(io.stdin);
    let mut out = String::new();
    let mut last: Option<char> = None;
    for c in text.chars() {
        let in1 = set1.contains(&c);
        if delete && in1 {
            continue;
        }
        let mapped = if !delete && in1 && !set2.is_empty() {
            let idx = set1.iter().position(|&x| x == c).unwrap_or(0);
            *set2.get(idx).unwrap_or(set2.last().unwrap_or(&c))
        } else {
            c
        };
        let squeeze_set = if delete || set2.is_empty() {
            &set1
        } else {
            &set2
        };
        if squeeze && last == Some(mapped) && squeeze_set.contains(&mapped) {
            continue;
        }
        out.push(mapped);
        last = Some(mapped);
    }
    let _ = io.stdout.write_all(out.as_bytes());
    0
}

/// Parses a list like `1,3-5,7-` into ranges (1-based, inclusive).
fn parse_list(s: &str) -> Option<Vec<(usize, usize)>> {
    s.split(',')
        .map(|part| match part.split_once('-') {
            Some((a, b)) => Some((
                if a.is_empty() { 1 } else { a.parse().ok()? },
                if b.is_empty() {
                    usize::MAX
                } else {
                    b.parse().ok()?
                },
            )),
            None => part.parse().ok().map(|n| (n, n)),
        })
        .collect()
}

pub fn cut(ctx: &mut Ctx<'_>, argv: &[String], mut io: Streams<'_>) -> i32 {
    let mut delim = '\t';
    let mut fields = None;
    let mut chars = None;
    let mut files = Vec::new();
    let mut i = 1;
    while i < argv.len() {
        let a = &argv[i];
        let mut take = |flag: &str| -> Option<String> {
            if a == flag {
                i += 1;
                argv.get(i).cloned()
            } else {
                a.strip_prefix(flag).map(str::to_string)
            }
        };
        if let Some(v) = take("-d") {
            delim = v.chars().next().unwrap_or('\t');
        } else if let Some(v) = take("-f") {
            fields = parse_list(&v);
        } else if let Some(v) = take("-c").or_else(|| take("-b")) {
            chars = parse_list(&v);
        } else {
            files.push(a.clone());
        }
        i += 1;
    }
    if fields.is_none() && chars.is_none() {
        write_err(
            io.stderr,
            format_args!("cut: expected a list of bytes, characters, or fields"),
        );
        return 1;
    }
    let pick = |ranges: &[(usize, usize)], n: usize| ranges.iter().any(|&(a, b)| n >= a && n <= b);
    for_each_input(ctx, "cut", &files, &mut io, |_, data, io| {
        for line in String::from_utf8_lossy(data).lines() {
            let out = if let Some(r) = &chars {
                line.chars()
                    .enumerate()
                    .filter(|(i, _)| pick(r, i + 1))
                    .map(|(_, c)| c)
                    .collect::<String>()
            } else if let Some(r) = &fields {
                if !line.contains(delim) {
                    line.to_string()
                } else {
                    line.split(delim)
                        .enumerate()
                        .filter(|(i, _)| pick(r, i + 1))
                        .map(|(_, f)| f)
                        .collect::<Vec<_>>()
                        .join(&delim.to_string())
                }
            } else {
                String::new()
            };
            let _ = writeln!(io.stdout, "{out}");
        }
    })
}

pub fn sort(ctx: &mut Ctx<'_>, argv: &[String], mut io: Streams<'_>) -> i32 {
    let mut flags = Vec::new();
    let mut key: Option<usize> = None;
    let mut sep: Option<char> = None;
    let mut files = Vec::new();
    let mut i = 1;
    while i < argv.len() {
        let a = &argv[i];
        if a == "-k" || a == "-t" {
            let v = argv.get(i + 1).cloned().unwrap_or_default();
            if a == "-k" {
                key = v
                    .split([',', '.'])
                    .next()
                    .and_then(|k| k.trim_end_matches(|c: char| c.is_alphabetic()).parse().ok());
                if v.contains('n') {
                    flags.push('n');
                }
            } else {
                sep = v.chars().next();
            }
            i += 2;
            continue;
        }
        if a.starts_with('-') && a.len() > 1 {
            flags.extend(a[1..].chars());
        } else {
            files.push(a.clone());
        }
        i += 1;
    }
    let mut lines: Vec<String> = Vec::new();
    let status = for_each_input(ctx, "sort", &files, &mut io, |_, data, _| {
        lines.extend(String::from_utf8_lossy(data).lines().map(str::to_string));
    });
    let f = |c: char| flags.contains(&c);
    let key_of = |l: &str| -> String {
        match key {
            None => l.to_string(),
            Some(k) => {
                let parts: Vec<&str> = match sep {
                    Some(s) => l.split(s).collect(),
                    None => l.split_whitespace().collect(),
                };
                parts
                    .get(k.saturating_sub(1)..)
                    .map(|p| p.join(" "))
                    .unwrap_or_default()
            }
        }
    };
    let num = |s: &str| -> f64 {
        let t = s.trim_start();
        let end = t
            .char_indices()
            .find(|(i, c)| !(c.is_ascii_digit() || *c == '.' || (*i == 0 && *c == '-')))
            .map(|(i, _)| i)
            .unwrap_or(t.len());
        t[..end].parse().unwrap_or(0.0)
    };
    lines.sort_by(|a, b| {
        let (ka, kb) = (key_of(a), key_of(b));
        let ord = if f('n') {
            num(&ka)
                .partial_cmp(&num(&kb))
                .unwrap_or(std::cmp::Ordering::Equal)
        } else if f('f') {
            ka.to_lowercase().cmp(&kb.to_lowercase())
        } else {
            ka.cmp(&kb)
        };
        ord.then_with(|| {
            if key.is_some() {
                std::cmp::Ordering::Equal
            } else {
                a.cmp(b)
            }
        })
    });
    if f('r') {
        lines.reverse();
    }
    if f('u') {
        lines.dedup_by(|a, b| key_of(a) == key_of(b));
    }
    for l in lines {
        let _ = writeln!(io.stdout, "{l}");
    }
    status
}

pub fn uniq(ctx: &mut Ctx<'_>, argv: &[String], mut io: Streams<'_>) -> i32 {
    let Some((flags, files)) = parse_flags("uniq", &argv[1..], "cdu", io.stderr) else {
        return 1;
    };
    let mut groups: Vec<(usize, String)> = Vec::new();
    let status = for_each_input(
        ctx,
        "uniq",
        &files[..files.len().min(1)],
        &mut io,
        |_, data, _| {
            for line in String::from_utf8_lossy(data).lines() {
                match groups.last_mut() {
                    Some((n, l)) if l == line => *n += 1,
                    _ => groups.push((1, line.to_string())),
                }
            }
        },
    );
    for (n, l) in groups {
        if (flags.contains(&'d') && n < 2) || (flags.contains(&'u') && n > 1) {
            continue;
        }
        if flags.contains(&'c') {
            let _ = writeln!(io.stdout, "{n:>7} {l}");
        } else {
            let _ = writeln!(io.stdout, "{l}");
        }
    }
    status
}

pub fn xargs(ctx: &mut Ctx<'_>, argv: &[String], mut io: Streams<'_>) -> i32 {
    let mut i = 1;
    let mut per_call = usize::MAX;
    let mut replace: Option<String> = None;
    while i < argv.len() && argv[i].starts_with('-') {
        match argv[i].as_str() {
            "-n" => {
                per_call = argv
                    .get(i + 1)
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(1)
                    .max(1);
                i += 1;
            }
            "-I" => {
                replace = argv.get(i + 1).cloned();
                i += 1;
            }
            _ => {}
        }
        i += 1;
    }
    let cmd: Vec<String> = if i < argv.len() {
        argv[i..].to_vec()
    } else {
        vec!["echo".into()]
    };
    let input = String::from_utf8_lossy(io.stdin).into_owned();
    let items: Vec<String> = if replace.is_some() {
        input.lines().map(str::to_string).collect()
    } else {
        input.split_whitespace().map(str::to_string).collect()
    };
    let calls: Vec<Vec<String>> = match &replace {
        Some(r) => items
            .iter()
            .map(|it| cmd.iter().map(|c| c.replace(r.as_str(), it)).collect())
            .collect(),
        None if items.is_empty() => vec![cmd.clone()],
        None => items
            .chunks(per_call.min(items.len()).max(1))
            .map(|chunk| cmd.iter().cloned().chain(chunk.iter().cloned()).collect())
            .collect(),
    };
    let mut status = 0;
    for call in calls {
        let path = ctx.var("PATH").unwrap_or("").to_string();
        let s = match ctx.resolver.resolve(&call[0], &*ctx.fs, &path) {
            Some(super::Resolved::Program(p)) => p(
                ctx,
                &call,
                Streams::new(b"", &mut *io.stdout, &mut *io.stderr),
            ),
            _ => {
                let env = ctx.env.clone();
                let cwd = ctx.cwd.clone();
                match ctx.host.run_external(&call, &env, &cwd, io.reborrow()) {
                    Some(s) => s,
                    None => {
                        write_err(
                            io.stderr,
                            format_args!("xargs: {}: No such file or directory", call[0]),
                        );
                        return 127;
                    }
                }
            }
        };
        if s != 0 {
            status = 123;
        }
    }
    status
}

pub fn sed(ctx: &mut Ctx<'_>, argv: &[String], mut io: Streams<'_>) -> i32 {
    super::sed::run(ctx, argv, &mut io)
}

pub fn test(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let mut args: Vec<&str> = argv[1..].iter().map(String::as_str).collect();
    if argv[0] == "[" {
        if args.last() != Some(&"]") {
            write_err(io.stderr, format_args!("[: missing ]"));
            return 2;
        }
        args.pop();
    }
    let mut t = TestEval {
        ctx,
        args: &args,
        pos: 0,
    };
    if args.is_empty() {
        return 1;
    }
    match t.or() {
        Ok(v) if t.pos == args.len() => i32::from(!v),
        Ok(_) => {
            write_err(
                io.stderr,
                format_args!("{}: {}: unknown operand", argv[0], args[t.pos]),
            );
            2
        }
        Err(msg) => {
            write_err(io.stderr, format_args!("{}: {msg}", argv[0]));
            2
        }
    }
}

struct TestEval<'c, 'a, 'x> {
    ctx: &'c Ctx<'x>,
    args: &'a [&'a str],
    pos: usize,
}

impl TestEval<'_, '_, '_> {
    fn or(&mut self) -> Result<bool, String> {
        let mut v = self.and()?;
        while self.args.get(self.pos) == Some(&"-o") {
            self.pos += 1;
            v |= self.and()?;
        }
        Ok(v)
    }
    fn and(&mut self) -> Result<bool, String> {
        let mut v = self.not()?;
        while self.args.get(self.pos) == Some(&"-a") {
            self.pos += 1;
            v &= self.not()?;
        }
        Ok(v)
    }
    fn not(&mut self) -> Result<bool, String> {
        if self.args.get(self.pos) == Some(&"!") && self.pos + 1 < self.args.len() {
            self.pos += 1;
            return Ok(!self.not()?);
        }
        self.primary()
    }
    fn int(s: &str) -> Result<i64, String> {
        s.trim().parse().map_err(|_| format!("{s}: bad number"))
    }
    fn primary(&mut self) -> Result<bool, String> {
        let a = self.args;
        let p = self.pos;
        let Some(&first) = a.get(p) else {
            return Err("argument expected".into());
        };
        if first == "(" {
            self.pos += 1;
            let v = self.or()?;
            if a.get(self.pos) != Some(&")") {
                return Err("')' expected".into());
            }
            self.pos += 1;
            return Ok(v);
        }
        if let (Some(&op), Some(&rhs)) = (a.get(p + 1), a.get(p + 2)) {
            let r = match op {
                "=" | "==" => Some(first == rhs),
                "!=" => Some(first != rhs),
                "<" => Some(first < rhs),
                ">" => Some(first > rhs),
                "-eq" | "-ne" | "-lt" | "-le" | "-gt" | "-ge" => {
                    let (x, y) = (Self::int(first)?, Self::int(rhs)?);
                    Some(match op {
                        "-eq" => x == y,
                        "-ne" => x != y,
                        "-lt" => x < y,
                        "-le" => x <= y,
                        "-gt" => x > y,
                        _ => x >= y,
                    })
                }
                "-nt" | "-ot" | "-ef" => {
                    let m1 = self.ctx.fs.metadata(&self.ctx.abs(first)).ok();
                    let m2 = self.ctx.fs.metadata(&self.ctx.abs(rhs)).ok();
                    Some(match (op, m1, m2) {
                        ("-nt", Some(x), Some(y)) => x.mtime > y.mtime,
                        ("-ot", Some(x), Some(y)) => x.mtime < y.mtime,
                        ("-ef", Some(_), Some(_)) => self.ctx.abs(first) == self.ctx.abs(rhs),
                        _ => false,
                    })
                }
                _ => None,
            };
            if let Some(r) = r {
                self.pos += 3;
                return Ok(r);
            }
        }
        if first.len() == 2 && first.starts_with('-') && a.get(p + 1).is_some() {
            let arg = a[p + 1];
            let fs = &*self.ctx.fs;
            let path = self.ctx.abs(arg);
            let r = match first {
                "-n" => Some(!arg.is_empty()),
                "-z" => Some(arg.is_empty()),
                "-e" | "-a" => Some(fs.metadata(&path).is_ok()),
                "-f" => Some(fs.metadata(&path).is_ok_and(|m| m.is_file())),
                "-d" => Some(fs.metadata(&path).is_ok_and(|m| m.is_dir())),
                "-L" | "-h" => Some(fs.symlink_metadata(&path).is_ok_and(|m| m.is_symlink())),
                "-s" => Some(fs.metadata(&path).is_ok_and(|m| m.len > 0)),
                "-r" => Some(fs.metadata(&path).is_ok_and(|m| m.mode & 0o444 != 0)),
                "-w" => Some(fs.metadata(&path).is_ok_and(|m| m.mode & 0o222 != 0)),
                "-x" => Some(fs.metadata(&path).is_ok_and(|m| m.mode & 0o111 != 0)),
                "-b" | "-c" | "-p" | "-S" | "-g" | "-u" | "-k" | "-t" => Some(false),
                _ => None,
            };
            if let Some(r) = r {
                self.pos += 2;
                return Ok(r);
            }
        }
        self.pos += 1;
        Ok(!first.is_empty())
    }
}

/// busybox `id`: `uid=405(guest) gid=100(users) groups=100(users)`, names from the
/// container's passwd and group files, each left out where there is none.
pub fn id(ctx: &mut Ctx<'_>, _argv: &[String], io: Streams<'_>) -> i32 {
    use crate::engine::shell::users;
    let (uid, gid) = ctx.fs.owner();
    let named = |id: u32, name: Option<String>| match name {
        Some(n) => format!("{id}({n})"),
        None => id.to_string(),
    };
    let groups = users::groups_of(&*ctx.fs, uid, gid);
    let primary = groups[0].1.clone();
    let all: Vec<String> = groups.into_iter().map(|(id, n)| named(id, n)).collect();
    let _ = writeln!(
        io.stdout,
        "uid={} gid={} groups={}",
        named(uid, users::user_name(&*ctx.fs, uid)),
        named(gid, primary),
        all.join(",")
    );
    0
}

/// busybox `whoami`: the user's name, or `whoami: unknown uid 1234`.
pub fn whoami(ctx: &mut Ctx<'_>, _argv: &[String], io: Streams<'_>) -> i32 {
    let (uid, _) = ctx.fs.owner();
    match crate::engine::shell::users::user_name(&*ctx.fs, uid) {
        Some(name) => {
            let _ = writeln!(io.stdout, "{name}");
            0
        }
        None => {
            let _ = writeln!(io.stderr, "whoami: unknown uid {uid}");
            1
        }
    }
}

/// `hostname`: the container's, which the runtime also puts in `$HOSTNAME`.
pub fn hostname(ctx: &mut Ctx<'_>, _argv: &[String], io: Streams<'_>) -> i32 {
    let name = ctx.var("HOSTNAME").unwrap_or("localhost").to_string();
    let _ = writeln!(io.stdout, "{name}");
    0
}

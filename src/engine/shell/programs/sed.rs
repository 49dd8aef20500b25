//! `sed`: s, d, p, q with line, `$`, /regex/ and range addresses; -n, -e, -i.

use regex::Regex;

use super::text::bre_to_regex;
use super::{Ctx, Streams};
use crate::engine::shell::exec::io_message;
use crate::engine::shell::write_err;

#[derive(Clone)]
enum Addr {
    Line(usize),
    Last,
    Re(Regex),
}

enum Cmd {
    Subst {
        re: Regex,
        rep: String,
        global: bool,
        nth: usize,
        print: bool,
    },
    Delete,
    Print,
    Quit,
}

struct Rule {
    start: Option<Addr>,
    end: Option<Addr>,
    negate: bool,
    cmd: Cmd,
    in_range: bool,
}

fn read_delimited(chars: &[char], i: &mut usize, delim: char) -> Option<String> {
    let mut s = String::new();
    while *i < chars.len() {
        let c = chars[*i];
        *i += 1;
        if c == '\\' && *i < chars.len() {
            if chars[*i] == delim {
                s.push(delim);
            } else {
                s.push('\\');
                s.push(chars[*i]);
            }
            *i += 1;
        } else if c == delim {
            return Some(s);
        } else {
            s.push(c);
        }
    }
    None
}

fn parse_addr(chars: &[char], i: &mut usize) -> Result<Option<Addr>, String> {
    match chars.get(*i) {
        Some('$') => {
            *i += 1;
            Ok(Some(Addr::Last))
        }
        Some(c) if c.is_ascii_digit() => {
            let mut n = 0;
            while let Some(d) = chars.get(*i).and_then(|c| c.to_digit(10)) {
                n = n * 10 + d as usize;
                *i += 1;
            }
            Ok(Some(Addr::Line(n)))
        }
        Some('/') => {
            *i += 1;
            let re = read_delimited(chars, i, '/').ok_or("unterminated address regex")?;
            Regex::new(&bre_to_regex(&re, false))
                .map(|r| Some(Addr::Re(r)))
                .map_err(|_| format!("bad regex '{re}'"))
        }
        _ => Ok(None),
    }
}

fn parse_script(script: &str, extended: bool) -> Result<Vec<Rule>, String> {
    let chars: Vec<char> = script.chars().collect();
    let mut i = 0;
    let mut rules = Vec::new();
    loop {
        while chars.get(i).is_some_and(|c| c.is_whitespace() || *c == ';') {
            i += 1;
        }
        if i >= chars.len() {
            break;
        }
        let start = parse_addr(&chars, &mut i)?;
        let mut end = None;
        if chars.get(i) == Some(&',') {
            i += 1;
            end = parse_addr(&chars, &mut i)?;
        }
        while chars.get(i) == Some(&' ') {
            i += 1;
        }
        let mut negate = false;
        if chars.get(i) == Some(&'!') {
            negate = true;
            i += 1;
        }
        let Some(&c) = chars.get(i) else {
            return Err("missing command".into());
        };
        i += 1;
        let cmd = match c {
            'd' => Cmd::Delete,
            'p' => Cmd::Print,
            'q' => Cmd::Quit,
            's' => {
                let delim = *chars.get(i).ok_or("unterminated `s' command")?;
                i += 1;
                let pat =
                    read_delimited(&chars, &mut i, delim).ok_or("unterminated `s' command")?;
                let rep =
                    read_delimited(&chars, &mut i, delim).ok_or("unterminated `s' command")?;
                let (mut global, mut nth, mut print, mut icase) = (false, 1, false, false);
                while let Some(&f) = chars.get(i) {
                    match f {
                        'g' => global = true,
                        'p' => print = true,
                        'I' | 'i' => icase = true,
                        d if d.is_ascii_digit() => nth = d.to_digit(10).unwrap_or(1) as usize,
                        _ => break,
                    }
                    i += 1;
                }
                let re = regex::RegexBuilder::new(&bre_to_regex(&pat, extended))
                    .case_insensitive(icase)
                    .build()
                    .map_err(|_| format!("bad regex '{pat}'"))?;
                Cmd::Subst {
                    re,
                    rep,
                    global,
                    nth,
                    print,
                }
            }
            other => return Err(format!("unsupported command {other}")),
        };
        rules.push(Rule {
            start,
            end,
            negate,
            cmd,
            in_range: false,
        });
    }
    Ok(rules)
}

/// Converts sed's `&` and `\1` into the regex crate's `${0}` and `${1}`.
fn replacement(rep: &str) -> String {
    let mut out = String::new();
    let mut chars = rep.chars();
    while let Some(c) = chars.next() {
        match c {
            '&' => out.push_str("${0}"),
            '$' => out.push_str("$$"),
            '\\' => match chars.next() {
                Some(d) if d.is_ascii_digit() => out.push_str(&format!("${{{d}}}")),
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(o) => out.push(o),
                None => {}
            },
            o => out.push(o),
        }
    }
    out
}

fn matches(addr: &Addr, n: usize, last: bool, line: &str) -> bool {
    match addr {
        Addr::Line(l) => *l == n,
        Addr::Last => last,
        Addr::Re(r) => r.is_match(line),
    }
}

fn apply(rules: &mut [Rule], input: &str, quiet: bool) -> String {
    let mut out = String::new();
    let lines: Vec<&str> = input.lines().collect();
    'lines: for (idx, &orig) in lines.iter().enumerate() {
        let n = idx + 1;
        let last = n == lines.len();
        let mut line = orig.to_string();
        for rule in rules.iter_mut() {
            let selected = match (&rule.start, &rule.end) {
                (None, _) => true,
                (Some(s), None) => matches(s, n, last, &line),
                (Some(s), Some(e)) => {
                    if rule.in_range {
                        let ends = match e {
                            Addr::Line(l) => n >= *l,
                            _ => matches(e, n, last, &line),
                        };
                        if ends {
                            rule.in_range = false;
                        }
                        true
                    } else if matches(s, n, last, &line) {
                        rule.in_range = !matches!(e, Addr::Line(l) if *l <= n);
                        true
                    } else {
                        false
                    }
                }
            };
            if selected == rule.negate {
                continue;
            }
            match &rule.cmd {
                Cmd::Delete => continue 'lines,
                Cmd::Print => {
                    out.push_str(&line);
                    out.push('\n');
                }
                Cmd::Quit => {
                    if !quiet {
                        out.push_str(&line);
                        out.push('\n');
                    }
                    return out;
                }
                Cmd::Subst {
                    re,
                    rep,
                    global,
                    nth,
                    print,
                } => {
                    let rep = replacement(rep);
                    let mut count = 0;
                    let mut changed = false;
                    let new = re.replace_all(&line, |caps: &regex::Captures<'_>| {
                        count += 1;
                        let mut s = String::new();
                        if *global && count >= *nth || count == *nth {
                            changed = true;
                            caps.expand(&rep, &mut s);
                        } else {
                            s.push_str(&caps[0]);
                        }
                        s
                    });
                    line = new.into_owned();
                    if changed && *print {
                        out.push_str(&line);
                        out.push('\n');
                    }
                }
            }
        }
        if !quiet {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

pub fn run(ctx: &mut Ctx<'_>, argv: &[String], io: &mut Streams<'_>) -> i32 {
    let mut quiet = false;
    let mut in_place = false;
    let mut extended = false;
    let mut scripts = Vec::new();
    let mut files = Vec::new();
    let mut i = 1;
    while i < argv.len() {
        let a = &argv[i];
        match a.as_str() {
            "-e" => {
                i += 1;
                if let Some(s) = argv.get(i) {
                    scripts.push(s.clone());
                }
            }
            s if s.starts_with('-') && s.len() > 1 => {
                for c in s[1..].chars() {
                    match c {
                        'n' => quiet = true,
                        'i' => in_place = true,
                        'E' | 'r' => extended = true,
                        _ => {
                            write_err(io.stderr, format_args!("sed: unrecognized option: {c}"));
                            return 1;
                        }
                    }
                }
            }
            _ => {
                if scripts.is_empty() && !argv[1..i].iter().any(|x| x == "-e") {
                    scripts.push(a.clone());
                } else {
                    files.push(a.clone());
                }
            }
        }
        i += 1;
    }
    let mut rules = match parse_script(&scripts.join("\n"), extended) {
        Ok(r) => r,
        Err(msg) => {
            write_err(io.stderr, format_args!("sed: {msg}"));
            return 1;
        }
    };
    if files.is_empty() {
        let text = String::from_utf8_lossy(io.stdin).into_owned();
        let _ = io
            .stdout
            .write_all(apply(&mut rules, &text, quiet).as_bytes());
        return 0;
    }
    let mut status = 0;
    for f in &files {
        let path = ctx.abs(f);
        match ctx.fs.read(&path) {
            Ok(data) => {
                let out = apply(&mut rules, &String::from_utf8_lossy(&data), quiet);
                if in_place {
                    if let Err(e) = ctx.fs.write(&path, out.as_bytes(), false) {
                        write_err(io.stderr, format_args!("sed: {f}: {}", io_message(&e)));
                        status = 4;
                    }
                } else {
                    let _ = io.stdout.write_all(out.as_bytes());
                }
            }
            Err(e) => {
                write_err(io.stderr, format_args!("sed: {f}: {}", io_message(&e)));
                status = 2;
            }
        }
    }
    status
}

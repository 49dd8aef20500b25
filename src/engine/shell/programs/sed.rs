//! `sed`: s, d, p, q, a, i, c, y, =, n, N, h, H, g, G, x and `{}` blocks with line,
//! `$`, /regex/ and range addresses and `!`; -n, -e, -E/-r, -i.

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
    /// `a`, `i`, `c` and their text.
    Append(String),
    Insert(String),
    Change(String),
    /// `y/abc/xyz/`.
    Translit(Vec<(char, char)>),
    LineNumber,
    /// `n` and `N`.
    Next,
    NextAppend,
    /// `h`, `H`, `g`, `G`, `x`.
    Hold,
    HoldAppend,
    Get,
    GetAppend,
    Exchange,
    /// `{`: the index of its matching `}`.
    Block(usize),
    BlockEnd,
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
            } else if chars[*i] == 'n' && delim != 'n' {
                s.push('\n');
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

fn parse_addr(chars: &[char], i: &mut usize, extended: bool) -> Result<Option<Addr>, String> {
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
        Some(&c) if c == '/' || c == '\\' => {
            *i += 1;
            let delim = if c == '\\' {
                let d = *chars.get(*i).ok_or("unterminated address regex")?;
                *i += 1;
                d
            } else {
                '/'
            };
            let re = read_delimited(chars, i, delim).ok_or("unterminated address regex")?;
            Regex::new(&bre_to_regex(&re, extended))
                .map(|r| Some(Addr::Re(r)))
                .map_err(|_| format!("bad regex '{re}'"))
        }
        _ => Ok(None),
    }
}

/// The text of `a`, `i` and `c`: `a text` (leading blanks dropped), `a\text`, or
/// `a\` then lines joined by trailing backslashes. Runs to the end of the line.
fn read_text(chars: &[char], i: &mut usize) -> String {
    while chars.get(*i).is_some_and(|c| *c == ' ' || *c == '\t') {
        *i += 1;
    }
    if chars.get(*i) == Some(&'\\') {
        *i += 1;
        if chars.get(*i) == Some(&'\n') {
            *i += 1;
        }
    }
    let mut text = String::new();
    while let Some(&c) = chars.get(*i) {
        *i += 1;
        match c {
            '\n' => break,
            '\\' => {
                if let Some(&n) = chars.get(*i) {
                    text.push(n);
                    *i += 1;
                }
            }
            c => text.push(c),
        }
    }
    text
}

fn parse_script(script: &str, extended: bool) -> Result<Vec<Rule>, String> {
    let chars: Vec<char> = script.chars().collect();
    let mut i = 0;
    let mut rules = Vec::new();
    let mut open_blocks = Vec::new();
    loop {
        while chars.get(i).is_some_and(|c| c.is_whitespace() || *c == ';') {
            i += 1;
        }
        if i >= chars.len() {
            break;
        }
        let start = parse_addr(&chars, &mut i, extended)?;
        let mut end = None;
        if start.is_some() && chars.get(i) == Some(&',') {
            i += 1;
            end = parse_addr(&chars, &mut i, extended)?;
            if end.is_none() {
                return Err("no address after comma".into());
            }
        }
        while chars.get(i).is_some_and(|c| *c == ' ' || *c == '\t') {
            i += 1;
        }
        let mut negate = false;
        while chars.get(i) == Some(&'!') {
            negate = true;
            i += 1;
        }
        while chars.get(i).is_some_and(|c| *c == ' ' || *c == '\t') {
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
            '=' => Cmd::LineNumber,
            'n' => Cmd::Next,
            'N' => Cmd::NextAppend,
            'h' => Cmd::Hold,
            'H' => Cmd::HoldAppend,
            'g' => Cmd::Get,
            'G' => Cmd::GetAppend,
            'x' => Cmd::Exchange,
            'a' => Cmd::Append(read_text(&chars, &mut i)),
            'i' => Cmd::Insert(read_text(&chars, &mut i)),
            'c' => Cmd::Change(read_text(&chars, &mut i)),
            '{' => {
                open_blocks.push(rules.len());
                Cmd::Block(0)
            }
            '}' => {
                // busybox ignores a stray '}'.
                let here = rules.len();
                if let Some(Rule {
                    cmd: Cmd::Block(end),
                    ..
                }) = open_blocks.pop().and_then(|open| rules.get_mut(open))
                {
                    *end = here;
                }
                Cmd::BlockEnd
            }
            'y' => {
                let delim = *chars.get(i).ok_or("unterminated `y' command")?;
                i += 1;
                let from =
                    read_delimited(&chars, &mut i, delim).ok_or("unterminated `y' command")?;
                let to = read_delimited(&chars, &mut i, delim).ok_or("unterminated `y' command")?;
                let unescape = |s: &str| s.replace("\\\\", "\\").chars().collect::<Vec<char>>();
                let (from, to) = (unescape(&from), unescape(&to));
                if from.len() != to.len() {
                    return Err("strings for `y' command are different lengths".into());
                }
                Cmd::Translit(from.into_iter().zip(to).collect())
            }
            's' => {
                let delim = *chars.get(i).ok_or("unterminated `s' command")?;
                i += 1;
                let pat =
                    read_delimited(&chars, &mut i, delim).ok_or("unterminated `s' command")?;
                let rep =
                    read_delimited(&chars, &mut i, delim).ok_or("unterminated `s' command")?;
                let (mut global, mut nth, mut print, mut icase) = (false, 0, false, false);
                while let Some(&f) = chars.get(i) {
                    match f {
                        'g' => global = true,
                        'p' => print = true,
                        'I' | 'i' => icase = true,
                        d if d.is_ascii_digit() => nth = nth * 10 + d.to_digit(10).unwrap_or(0),
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
                    nth: (nth as usize).max(1),
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
    // An unclosed block runs to the end of the script, as busybox lets it.
    let len = rules.len();
    for open in open_blocks {
        if let Some(Rule {
            cmd: Cmd::Block(end),
            ..
        }) = rules.get_mut(open)
        {
            *end = len;
        }
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

/// Whether `rule` applies to line `n`; moves a range's state along.
fn selects(rule: &mut Rule, n: usize, last: bool, line: &str) -> bool {
    let selected = match (&rule.start, &rule.end) {
        (None, _) => true,
        (Some(s), None) => matches(s, n, last, line),
        (Some(s), Some(e)) => {
            if rule.in_range {
                let ends = match e {
                    Addr::Line(l) => n >= *l,
                    _ => matches(e, n, last, line),
                };
                if ends {
                    rule.in_range = false;
                }
                true
            } else if matches(s, n, last, line) {
                rule.in_range = match e {
                    Addr::Line(l) => *l > n,
                    Addr::Last => !last,
                    Addr::Re(_) => true,
                };
                true
            } else {
                false
            }
        }
    };
    selected != rule.negate
}

/// Runs the script over `input` as one stream of lines (all files in turn, as sed
/// reads them), keeping a missing final newline missing.
fn apply(rules: &mut [Rule], input: &str, quiet: bool) -> String {
    let mut out = String::new();
    let lines: Vec<&str> = input.lines().collect();
    let mut hold = String::new();
    let mut pos = 0;
    while pos < lines.len() {
        let mut space = lines[pos].to_string();
        pos += 1;
        let mut appended: Vec<String> = Vec::new();
        let mut deleted = false;
        let mut quit = false;
        let mut pc = 0;
        while pc < rules.len() {
            let last = pos == lines.len();
            let rule = &mut rules[pc];
            if !selects(rule, pos, last, &space) {
                pc = match rule.cmd {
                    Cmd::Block(end) => end + 1,
                    _ => pc + 1,
                };
                continue;
            }
            pc += 1;
            match &rule.cmd {
                Cmd::Block(_) | Cmd::BlockEnd => {}
                Cmd::Delete => {
                    deleted = true;
                    break;
                }
                Cmd::Print => {
                    out.push_str(&space);
                    out.push('\n');
                }
                Cmd::Quit => {
                    quit = true;
                    break;
                }
                Cmd::Append(t) => appended.push(t.clone()),
                Cmd::Insert(t) => {
                    out.push_str(t);
                    out.push('\n');
                }
                Cmd::Change(t) => {
                    // A range is replaced as a whole: the text comes at its end.
                    if rule.end.is_none() || !rule.in_range || rule.negate {
                        out.push_str(t);
                        out.push('\n');
                    }
                    deleted = true;
                    break;
                }
                Cmd::Translit(map) => {
                    space = space
                        .chars()
                        .map(|c| map.iter().find(|(f, _)| *f == c).map_or(c, |(_, t)| *t))
                        .collect();
                }
                Cmd::LineNumber => out.push_str(&format!("{pos}\n")),
                Cmd::Next | Cmd::NextAppend if pos >= lines.len() => {
                    // No next line: sed ends here, printing the pattern space.
                    quit = true;
                    break;
                }
                Cmd::Next => {
                    if !quiet {
                        out.push_str(&space);
                        out.push('\n');
                    }
                    space = lines[pos].to_string();
                    pos += 1;
                }
                Cmd::NextAppend => {
                    space.push('\n');
                    space.push_str(lines[pos]);
                    pos += 1;
                }
                Cmd::Hold => hold = space.clone(),
                Cmd::HoldAppend => {
                    hold.push('\n');
                    hold.push_str(&space);
                }
                Cmd::Get => space = hold.clone(),
                Cmd::GetAppend => {
                    space.push('\n');
                    space.push_str(&hold);
                }
                Cmd::Exchange => std::mem::swap(&mut space, &mut hold),
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
                    let new = re.replace_all(&space, |caps: &regex::Captures<'_>| {
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
                    space = new.into_owned();
                    if changed && *print {
                        out.push_str(&space);
                        out.push('\n');
                    }
                }
            }
        }
        if !deleted && !quiet {
            out.push_str(&space);
            out.push('\n');
        }
        for t in appended {
            out.push_str(&t);
            out.push('\n');
        }
        if quit {
            break;
        }
    }
    if pos == lines.len() && !input.is_empty() && !input.ends_with('\n') && out.ends_with('\n') {
        out.pop();
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
    let mut stream = String::new();
    for f in &files {
        let path = ctx.abs(f);
        match ctx.fs.read(&path) {
            Ok(data) => {
                let text = String::from_utf8_lossy(&data);
                if in_place {
                    let out = apply(&mut rules, &text, quiet);
                    for r in rules.iter_mut() {
                        r.in_range = false;
                    }
                    if let Err(e) = ctx.fs.write(&path, out.as_bytes(), false) {
                        write_err(io.stderr, format_args!("sed: {f}: {}", io_message(&e)));
                        status = 4;
                    }
                } else {
                    // Files are read as one stream: line numbers and `$` run across them.
                    if !stream.is_empty() && !stream.ends_with('\n') {
                        stream.push('\n');
                    }
                    stream.push_str(&text);
                }
            }
            Err(e) => {
                write_err(io.stderr, format_args!("sed: {f}: {}", io_message(&e)));
                status = 2;
            }
        }
    }
    if !in_place {
        let _ = io
            .stdout
            .write_all(apply(&mut rules, &stream, quiet).as_bytes());
    }
    status
}

#[cfg(test)]
mod tests {
    use crate::engine::shell::testutil::sh;

    fn sed(script: &str) -> String {
        let (out, err, status) = sh(&format!("seq 1 5 > n5; {script}"));
        assert_eq!((err.as_str(), status), ("", 0), "{script}");
        out.replace('\n', " ")
    }

    #[test]
    fn text_commands_as_busybox() {
        assert_eq!(sed("sed '2a hello' n5"), "1 2 hello 3 4 5 ");
        assert_eq!(sed("sed '2i\\\n  ins' n5"), "1   ins 2 3 4 5 ");
        assert_eq!(sed("sed '1a\\  foo' n5 | head -2"), "1   foo ");
        assert_eq!(sed("sed '2,3c changed' n5"), "1 changed 4 5 ");
        assert_eq!(sed("sed 'a\\\none\\\ntwo' n5 | head -3"), "1 one two ");
        assert_eq!(sed("sed '2q;a x' n5"), "1 x 2 ");
        assert_eq!(sed("sed '1d;a X' n5 n5 | head -4"), "2 X 3 X ");
    }

    #[test]
    fn other_commands_and_addresses() {
        assert_eq!(sed("sed '$!d' n5"), "5 ");
        assert_eq!(sed("sed -n '$=' n5 n5"), "10 ");
        assert_eq!(sed("sed = n5 | head -4"), "1 1 2 2 ");
        assert_eq!(sed("sed 'y/123/abc/' n5"), "a b c 4 5 ");
        assert_eq!(sed("sed 'n;d' n5"), "1 3 5 ");
        assert_eq!(sed("sed 'N;s/\\n/-/' n5"), "1-2 3-4 5 ");
        assert_eq!(sed("sed '/2/,/4/d' n5"), "1 5 ");
        assert_eq!(sed("sed '1,3d' n5"), "4 5 ");
        assert_eq!(sed("sed '2!d' n5"), "2 ");
        assert_eq!(sed("sed -n '2,4!p' n5"), "1 5 ");
        assert_eq!(sed("sed -E 's/(1|3)/x\\1/' n5"), "x1 2 x3 4 5 ");
        assert_eq!(sed("sed -r -n '/^(2|4)$/p' n5"), "2 4 ");
        assert_eq!(sed("sed '2{p;p}' n5"), "1 2 2 2 3 4 5 ");
        assert_eq!(sed("sed -n 'h;n;G;p' n5"), "2 1 4 3 ");
        assert_eq!(sed("printf a | sed p"), "a a");
    }

    #[test]
    fn unknown_command() {
        let (_, err, status) = sh("echo | sed k");
        assert_eq!((err.as_str(), status), ("sed: unsupported command k\n", 1));
        let (_, err, status) = sh("echo | sed 1,d");
        assert_eq!((err.as_str(), status), ("sed: no address after comma\n", 1));
    }
}

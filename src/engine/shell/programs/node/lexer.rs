//! JavaScript source to tokens, each with its byte offset and whether a line break came
//! before it (what automatic semicolon insertion needs).

use super::errors::SyntaxError;

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Num(f64),
    Str(String),
    /// A template literal: its text pieces (cooked) and the source of each `${}` with
    /// the offset where that source starts.
    Template(Vec<String>, Vec<(String, usize)>),
    Ident(String),
    Punct(&'static str),
    Eof,
}

#[derive(Debug, Clone)]
pub struct Token {
    pub tok: Tok,
    pub start: usize,
    pub end: usize,
    pub newline_before: bool,
}

const PUNCTS: &[&str] = &[
    ">>>=", "...", "===", "!==", "**=", "<<=", ">>=", ">>>", "&&=", "||=", "??=", "=>", "==", "!=",
    "<=", ">=", "&&", "||", "??", "?.", "++", "--", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=",
    "**", "<<", ">>", "{", "}", "(", ")", "[", "]", ";", ",", "<", ">", "+", "-", "*", "/", "%",
    "&", "|", "^", "!", "~", "?", ":", "=", ".", "@", "#",
];

fn is_id_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || c == '$'
}

fn is_id_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

/// Whether a `/` at this point starts a regular expression rather than dividing.
fn regex_allowed(prev: Option<&Tok>) -> bool {
    match prev {
        None => true,
        Some(Tok::Num(_) | Tok::Str(_) | Tok::Template(..)) => false,
        Some(Tok::Ident(w)) => matches!(
            w.as_str(),
            "return"
                | "typeof"
                | "case"
                | "do"
                | "else"
                | "in"
                | "of"
                | "new"
                | "delete"
                | "void"
                | "throw"
        ),
        Some(Tok::Punct(p)) => !matches!(*p, ")" | "]" | "}"),
        Some(Tok::Eof) => false,
    }
}

pub fn tokenize(src: &str, base: usize) -> Result<Vec<Token>, SyntaxError> {
    let bytes = src.as_bytes();
    let mut out: Vec<Token> = Vec::new();
    let mut i = 0;
    let mut newline = false;
    // A `#!` line at the very start is a comment to node.
    if base == 0 && src.starts_with("#!") {
        i = src.find('\n').unwrap_or(src.len());
    }
    while i < bytes.len() {
        let c = src[i..].chars().next().unwrap_or(' ');
        if c == '\n' || c == '\u{2028}' || c == '\u{2029}' {
            newline = true;
            i += c.len_utf8();
            continue;
        }
        if c.is_whitespace() || c == '\u{feff}' {
            i += c.len_utf8();
            continue;
        }
        if src[i..].starts_with("//") {
            i = src[i..].find('\n').map_or(src.len(), |n| i + n);
            continue;
        }
        if src[i..].starts_with("/*") {
            match src[i + 2..].find("*/") {
                Some(n) => {
                    if src[i..i + 2 + n].contains('\n') {
                        newline = true;
                    }
                    i += n + 4;
                }
                None => return Err(SyntaxError::new("Invalid or unexpected token", base + i, 2)),
            }
            continue;
        }
        let start = i;
        let tok = if c.is_ascii_digit()
            || (c == '.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit))
        {
            let (n, len) = number(&src[i..])
                .ok_or_else(|| SyntaxError::new("Invalid or unexpected token", base + i, 1))?;
            i += len;
            Tok::Num(n)
        } else if is_id_start(c) || c == '\\' {
            let mut j = i;
            for ch in src[i..].chars() {
                if is_id_char(ch) {
                    j += ch.len_utf8();
                } else {
                    break;
                }
            }
            if j == i {
                return Err(SyntaxError::new("Invalid or unexpected token", base + i, 1));
            }
            let word = src[i..j].to_string();
            i = j;
            Tok::Ident(word)
        } else if c == '"' || c == '\'' {
            let (s, len) = string(&src[i..], c).ok_or_else(|| {
                let line_end = src[i..].find('\n').map_or(src.len() - i, |n| n);
                SyntaxError::new("Invalid or unexpected token", base + i, line_end.max(1))
            })?;
            i += len;
            Tok::Str(s)
        } else if c == '`' {
            let (quasis, exprs, len) = template(&src[i..], base + i)?;
            i += len;
            Tok::Template(quasis, exprs)
        } else if c == '/' && regex_allowed(out.last().map(|t| &t.tok)) {
            return Err(SyntaxError::unsupported(
                "regular expression literals",
                base + i,
            ));
        } else {
            match PUNCTS.iter().find(|p| src[i..].starts_with(**p)) {
                Some(p) => {
                    // `?.5` is a conditional followed by a number, not optional chaining.
                    if *p == "?." && bytes.get(i + 2).is_some_and(u8::is_ascii_digit) {
                        i += 1;
                        Tok::Punct("?")
                    } else {
                        i += p.len();
                        Tok::Punct(p)
                    }
                }
                None => {
                    return Err(SyntaxError::new(
                        "Invalid or unexpected token",
                        base + i,
                        c.len_utf8(),
                    ));
                }
            }
        };
        out.push(Token {
            tok,
            start: base + start,
            end: base + i,
            newline_before: newline,
        });
        newline = false;
    }
    out.push(Token {
        tok: Tok::Eof,
        start: base + src.len(),
        end: base + src.len(),
        newline_before: true,
    });
    Ok(out)
}

fn number(s: &str) -> Option<(f64, usize)> {
    let b = s.as_bytes();
    if b.len() > 1 && b[0] == b'0' && matches!(b[1], b'x' | b'X' | b'o' | b'O' | b'b' | b'B') {
        let radix = match b[1] {
            b'x' | b'X' => 16,
            b'o' | b'O' => 8,
            _ => 2,
        };
        let digits: String = s[2..]
            .chars()
            .take_while(|c| c.is_digit(radix) || *c == '_')
            .collect();
        let clean = digits.replace('_', "");
        let v = u64::from_str_radix(&clean, radix).ok()? as f64;
        return Some((v, 2 + digits.len()));
    }
    let mut j = 0;
    while j < b.len() && (b[j].is_ascii_digit() || b[j] == b'_') {
        j += 1;
    }
    if j < b.len() && b[j] == b'.' {
        j += 1;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
    }
    if j < b.len() && (b[j] == b'e' || b[j] == b'E') {
        let mut k = j + 1;
        if k < b.len() && (b[k] == b'+' || b[k] == b'-') {
            k += 1;
        }
        if k < b.len() && b[k].is_ascii_digit() {
            while k < b.len() && b[k].is_ascii_digit() {
                k += 1;
            }
            j = k;
        }
    }
    if j < b.len() && b[j] == b'n' {
        return None;
    }
    if j < b.len() && is_id_start(b[j] as char) {
        return None;
    }
    let text = s[..j].replace('_', "");
    Some((text.parse().ok()?, j))
}

/// Reads one escape after a backslash; returns what it stands for and its length.
fn escape(s: &str) -> Option<(Option<char>, usize)> {
    let c = s.chars().next()?;
    Some(match c {
        'n' => (Some('\n'), 1),
        't' => (Some('\t'), 1),
        'r' => (Some('\r'), 1),
        'b' => (Some('\u{8}'), 1),
        'f' => (Some('\u{c}'), 1),
        'v' => (Some('\u{b}'), 1),
        '0' if !s[1..].starts_with(|c: char| c.is_ascii_digit()) => (Some('\0'), 1),
        'x' => {
            let h = s.get(1..3)?;
            (Some(char::from_u32(u32::from_str_radix(h, 16).ok()?)?), 3)
        }
        'u' => {
            if s[1..].starts_with('{') {
                let end = s.find('}')?;
                let v = u32::from_str_radix(&s[2..end], 16).ok()?;
                (Some(char::from_u32(v)?), end + 1)
            } else {
                let h = s.get(1..5)?;
                let v = u32::from_str_radix(h, 16).ok()?;
                (Some(char::from_u32(v).unwrap_or('\u{fffd}')), 5)
            }
        }
        '\r' if s[1..].starts_with('\n') => (None, 2),
        '\n' => (None, 1),
        other => (Some(other), other.len_utf8()),
    })
}

fn string(s: &str, quote: char) -> Option<(String, usize)> {
    let mut out = String::new();
    let mut i = 1;
    while i < s.len() {
        let c = s[i..].chars().next()?;
        if c == quote {
            return Some((out, i + 1));
        }
        if c == '\n' {
            return None;
        }
        if c == '\\' {
            let (ch, len) = escape(&s[i + 1..])?;
            out.extend(ch);
            i += 1 + len;
            continue;
        }
        out.push(c);
        i += c.len_utf8();
    }
    None
}

type TemplateParts = (Vec<String>, Vec<(String, usize)>, usize);

fn template(s: &str, base: usize) -> Result<TemplateParts, SyntaxError> {
    let unterminated = || SyntaxError::new("Unterminated template literal", base, s.len().min(1));
    let mut quasis = Vec::new();
    let mut exprs = Vec::new();
    let mut cur = String::new();
    let mut i = 1;
    while i < s.len() {
        let c = s[i..].chars().next().ok_or_else(unterminated)?;
        match c {
            '`' => {
                quasis.push(cur);
                return Ok((quasis, exprs, i + 1));
            }
            '\\' => {
                let (ch, len) = escape(&s[i + 1..]).ok_or_else(unterminated)?;
                cur.extend(ch);
                i += 1 + len;
            }
            '$' if s[i + 1..].starts_with('{') => {
                quasis.push(std::mem::take(&mut cur));
                let start = i + 2;
                let end = start + matching_brace(&s[start..]).ok_or_else(unterminated)?;
                exprs.push((s[start..end].to_string(), base + start));
                i = end + 1;
            }
            _ => {
                cur.push(c);
                i += c.len_utf8();
            }
        }
    }
    Err(unterminated())
}

/// The offset of the `}` that closes a `${` whose contents start `s`.
fn matching_brace(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return Some(i),
            '}' => depth -= 1,
            '\'' | '"' => {
                while let Some((_, d)) = chars.next() {
                    if d == '\\' {
                        chars.next();
                    } else if d == c {
                        break;
                    }
                }
            }
            '`' => {
                let rest = &s[i..];
                let (_, _, len) = template(rest, 0).ok()?;
                for _ in 0..rest[..len].chars().count() - 1 {
                    chars.next();
                }
            }
            _ => {}
        }
    }
    None
}

//! Python source text to tokens: indentation as INDENT/DEDENT, implicit line joining
//! inside brackets, string prefixes (r, b, f), and the syntax errors CPython reports
//! while tokenizing (unterminated strings, unmatched and unclosed brackets).

use super::ast::SyntaxErr;

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Name(String),
    Int(i64),
    Float(f64),
    /// A string literal's value; `bytes` for b'...'.
    Str {
        value: String,
        bytes: bool,
    },
    /// An f-string's raw inner text (escapes not yet processed) and whether it is raw.
    FStr {
        raw: String,
        is_raw: bool,
    },
    Op(&'static str),
    Newline,
    Indent,
    Dedent,
    Eof,
}

#[derive(Debug, Clone)]
pub struct Token {
    pub tok: Tok,
    pub line: usize,
    /// Character column where the token starts and ends (0-based).
    pub col: usize,
    pub end_line: usize,
    pub end_col: usize,
}

const OPS: &[&str] = &[
    "**=", "//=", ">>=", "<<=", "...", "->", ":=", "**", "//", "<<", ">>", "<=", ">=", "==", "!=",
    "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@=", "+", "-", "*", "/", "%", "@", "&", "|",
    "^", "~", "<", ">", "(", ")", "[", "]", "{", "}", ",", ":", ".", ";", "=",
];

pub fn tokenize(src: &str) -> Result<Vec<Token>, SyntaxErr> {
    let lines: Vec<Vec<char>> = src.lines().map(|l| l.chars().collect()).collect();
    let mut toks: Vec<Token> = Vec::new();
    let mut indents: Vec<usize> = vec![0];
    let mut brackets: Vec<(char, usize, usize)> = Vec::new();
    let mut li = 0;
    // Set when a line ended with a backslash: the next line continues it.
    let mut continued = false;
    // Where to go on within a line that a multi-line string literal ended on.
    let mut resume: Option<usize> = None;
    'lines: while li < lines.len() {
        let line = &lines[li];
        let lineno = li + 1;
        let mut i = 0;
        if let Some(col) = resume.take() {
            i = col;
        } else if brackets.is_empty() && !continued {
            // Measure indentation; skip blank and comment-only lines.
            let mut width = 0;
            while i < line.len() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\x0c') {
                width = if line[i] == '\t' {
                    (width / 8 + 1) * 8
                } else {
                    width + 1
                };
                i += 1;
            }
            if i >= line.len() || line[i] == '#' {
                li += 1;
                continue;
            }
            let current = *indents.last().unwrap_or(&0);
            if width > current {
                indents.push(width);
                toks.push(Token {
                    tok: Tok::Indent,
                    line: lineno,
                    col: 0,
                    end_line: lineno,
                    end_col: i,
                });
            } else if width < current {
                while width < *indents.last().unwrap_or(&0) {
                    indents.pop();
                    toks.push(Token {
                        tok: Tok::Dedent,
                        line: lineno,
                        col: i,
                        end_line: lineno,
                        end_col: i,
                    });
                }
                if width != *indents.last().unwrap_or(&0) {
                    return Err(SyntaxErr {
                        kind: "IndentationError",
                        msg: "unindent does not match any outer indentation level".into(),
                        line: lineno,
                        col: i,
                        end_col: i + 1,
                    });
                }
            }
        }
        continued = false;
        while i < line.len() {
            let c = line[i];
            if c == ' ' || c == '\t' || c == '\x0c' {
                i += 1;
                continue;
            }
            if c == '#' {
                break;
            }
            if c == '\\' && i + 1 == line.len() {
                continued = true;
                break;
            }
            let start = i;
            if c.is_alphabetic() || c == '_' {
                while i < line.len() && (line[i].is_alphanumeric() || line[i] == '_') {
                    i += 1;
                }
                let word: String = line[start..i].iter().collect();
                let lower = word.to_ascii_lowercase();
                if i < line.len()
                    && (line[i] == '\'' || line[i] == '"')
                    && matches!(
                        lower.as_str(),
                        "r" | "b" | "f" | "rb" | "br" | "fr" | "rf" | "u"
                    )
                {
                    let (tok, nl, nc) = string(&lines, li, i, &lower, start)?;
                    toks.push(Token {
                        tok,
                        line: lineno,
                        col: start,
                        end_line: nl + 1,
                        end_col: nc,
                    });
                    if nl != li {
                        li = nl;
                        resume = Some(nc);
                        continue 'lines;
                    }
                    i = nc;
                    continue;
                }
                toks.push(Token {
                    tok: Tok::Name(word),
                    line: lineno,
                    col: start,
                    end_line: lineno,
                    end_col: i,
                });
                continue;
            }
            if c.is_ascii_digit()
                || (c == '.' && i + 1 < line.len() && line[i + 1].is_ascii_digit())
            {
                let tok = number(line, &mut i, lineno)?;
                toks.push(Token {
                    tok,
                    line: lineno,
                    col: start,
                    end_line: lineno,
                    end_col: i,
                });
                continue;
            }
            if c == '\'' || c == '"' {
                let (tok, nl, nc) = string(&lines, li, i, "", start)?;
                toks.push(Token {
                    tok,
                    line: lineno,
                    col: start,
                    end_line: nl + 1,
                    end_col: nc,
                });
                if nl != li {
                    li = nl;
                    resume = Some(nc);
                    continue 'lines;
                }
                i = nc;
                continue;
            }
            let rest: String = line[i..line.len().min(i + 3)].iter().collect();
            let Some(op) = OPS.iter().find(|o| rest.starts_with(**o)) else {
                let msg = if c == '$' || c == '?' || c == '`' || c == '!' {
                    "invalid syntax".to_string()
                } else {
                    format!("invalid character '{c}' (U+{:04X})", c as u32)
                };
                return Err(SyntaxErr::at(lineno, i, &msg));
            };
            i += op.chars().count();
            match *op {
                "(" | "[" | "{" => brackets.push((c, lineno, start)),
                ")" | "]" | "}" => {
                    let want = match c {
                        ')' => '(',
                        ']' => '[',
                        _ => '{',
                    };
                    match brackets.pop() {
                        None => {
                            return Err(SyntaxErr::tok(lineno, start, &format!("unmatched '{c}'")));
                        }
                        Some((open, oline, _)) if open != want => {
                            let msg = if oline == lineno {
                                format!(
                                    "closing parenthesis '{c}' does not match opening parenthesis '{open}'"
                                )
                            } else {
                                format!(
                                    "closing parenthesis '{c}' does not match opening parenthesis '{open}' on line {oline}"
                                )
                            };
                            return Err(SyntaxErr::tok(lineno, start, &msg));
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
            toks.push(Token {
                tok: Tok::Op(op),
                line: lineno,
                col: start,
                end_line: lineno,
                end_col: i,
            });
        }
        if brackets.is_empty()
            && !continued
            && toks
                .last()
                .is_some_and(|t| !matches!(t.tok, Tok::Newline | Tok::Indent | Tok::Dedent))
        {
            {
                toks.push(Token {
                    tok: Tok::Newline,
                    line: lineno,
                    col: line.len(),
                    end_line: lineno,
                    end_col: line.len() + 1,
                });
            }
        }
        li += 1;
    }
    if let Some((open, line, col)) = brackets.first() {
        return Err(SyntaxErr::tok(
            *line,
            *col,
            &format!("'{open}' was never closed"),
        ));
    }
    let last = lines.len().max(1);
    if toks
        .last()
        .is_some_and(|t| !matches!(t.tok, Tok::Newline | Tok::Dedent))
    {
        toks.push(Token {
            tok: Tok::Newline,
            line: last,
            col: 0,
            end_line: last,
            end_col: 0,
        });
    }
    while indents.len() > 1 {
        indents.pop();
        toks.push(Token {
            tok: Tok::Dedent,
            line: last + 1,
            col: 0,
            end_line: last + 1,
            end_col: 0,
        });
    }
    toks.push(Token {
        tok: Tok::Eof,
        line: last + 1,
        col: 0,
        end_line: last + 1,
        end_col: 0,
    });
    Ok(toks)
}

fn number(line: &[char], i: &mut usize, lineno: usize) -> Result<Tok, SyntaxErr> {
    let start = *i;
    if line[*i] == '0'
        && *i + 1 < line.len()
        && matches!(line[*i + 1], 'x' | 'X' | 'o' | 'O' | 'b' | 'B')
    {
        let radix = match line[*i + 1] {
            'x' | 'X' => 16,
            'o' | 'O' => 8,
            _ => 2,
        };
        *i += 2;
        let s = *i;
        while *i < line.len() && (line[*i].is_ascii_alphanumeric() || line[*i] == '_') {
            *i += 1;
        }
        let digits: String = line[s..*i].iter().filter(|c| **c != '_').collect();
        return i64::from_str_radix(&digits, radix)
            .map(Tok::Int)
            .map_err(|_| SyntaxErr::at(lineno, start, "invalid syntax"));
    }
    let mut is_float = false;
    while *i < line.len() && (line[*i].is_ascii_digit() || line[*i] == '_') {
        *i += 1;
    }
    if *i < line.len() && line[*i] == '.' {
        is_float = true;
        *i += 1;
        while *i < line.len() && (line[*i].is_ascii_digit() || line[*i] == '_') {
            *i += 1;
        }
    }
    if *i < line.len() && (line[*i] == 'e' || line[*i] == 'E') {
        let save = *i;
        *i += 1;
        if *i < line.len() && (line[*i] == '+' || line[*i] == '-') {
            *i += 1;
        }
        if *i < line.len() && line[*i].is_ascii_digit() {
            is_float = true;
            while *i < line.len() && line[*i].is_ascii_digit() {
                *i += 1;
            }
        } else {
            *i = save;
        }
    }
    if *i < line.len() && (line[*i] == 'j' || line[*i] == 'J') {
        return Err(SyntaxErr::limit("complex numbers", lineno));
    }
    if *i < line.len() && (line[*i].is_alphabetic() || line[*i] == '_') {
        return Err(SyntaxErr::at(lineno, start, "invalid decimal literal"));
    }
    let text: String = line[start..*i].iter().filter(|c| **c != '_').collect();
    if is_float {
        text.parse::<f64>()
            .map(Tok::Float)
            .map_err(|_| SyntaxErr::at(lineno, start, "invalid syntax"))
    } else {
        text.parse::<i64>()
            .map(Tok::Int)
            .map_err(|_| SyntaxErr::limit("integers beyond 64 bits", lineno))
    }
}

/// Reads a string literal whose quote starts at `lines[li][q]`; returns the token and
/// where it ends (line index, column after the closing quote).
fn string(
    lines: &[Vec<char>],
    li: usize,
    q: usize,
    prefix: &str,
    start: usize,
) -> Result<(Tok, usize, usize), SyntaxErr> {
    let line = &lines[li];
    let quote = line[q];
    let triple = q + 2 < line.len() && line[q + 1] == quote && line[q + 2] == quote;
    let raw = prefix.contains('r');
    let fmt = prefix.contains('f');
    let bytes = prefix.contains('b');
    let mut body = String::new();
    let (mut l, mut i) = (li, q + if triple { 3 } else { 1 });
    loop {
        let cur = &lines[l];
        if i >= cur.len() {
            if triple {
                if l + 1 >= lines.len() {
                    return Err(SyntaxErr::at(
                        li + 1,
                        start,
                        &format!(
                            "unterminated triple-quoted string literal (detected at line {})",
                            lines.len()
                        ),
                    ));
                }
                body.push('\n');
                l += 1;
                i = 0;
                continue;
            }
            if cur.last() == Some(&'\\') && !cur.is_empty() && l + 1 < lines.len() {
                // A backslash-newline continues the literal.
                body.pop();
                l += 1;
                i = 0;
                continue;
            }
            return Err(SyntaxErr::at(
                li + 1,
                start,
                &format!("unterminated string literal (detected at line {})", l + 1),
            ));
        }
        let c = cur[i];
        if c == '\\' && i + 1 < cur.len() {
            body.push(c);
            body.push(cur[i + 1]);
            i += 2;
            continue;
        }
        if c == quote {
            if !triple {
                i += 1;
                break;
            }
            if i + 2 < cur.len() && cur[i + 1] == quote && cur[i + 2] == quote {
                i += 3;
                break;
            }
        }
        body.push(c);
        i += 1;
    }
    if fmt {
        return Ok((
            Tok::FStr {
                raw: body,
                is_raw: raw,
            },
            l,
            i,
        ));
    }
    let value = if raw { body } else { unescape(&body) };
    Ok((Tok::Str { value, bytes }, l, i))
}

/// Processes backslash escapes as a non-raw literal does.
pub fn unescape(s: &str) -> String {
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
            Some('0') => out.push('\0'),
            Some('a') => out.push('\x07'),
            Some('b') => out.push('\x08'),
            Some('f') => out.push('\x0c'),
            Some('v') => out.push('\x0b'),
            Some('\\') => out.push('\\'),
            Some('\'') => out.push('\''),
            Some('"') => out.push('"'),
            Some('\n') => {}
            Some('x') => {
                let h: String = chars.by_ref().take(2).collect();
                if let Some(ch) = u32::from_str_radix(&h, 16).ok().and_then(char::from_u32) {
                    out.push(ch);
                }
            }
            Some('u') => {
                let h: String = chars.by_ref().take(4).collect();
                if let Some(ch) = u32::from_str_radix(&h, 16).ok().and_then(char::from_u32) {
                    out.push(ch);
                }
            }
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

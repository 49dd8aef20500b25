//! Go's tokens, with the automatic semicolons the Go spec inserts at line ends, and the
//! position (line, column in bytes, 1-based) every error message carries.

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Ident(String),
    Keyword(&'static str),
    Int(String),
    Float(String),
    /// A string literal's value, and whether it was raw (backquoted).
    Str(String),
    Char(u32),
    Op(&'static str),
    /// `;`, written (false) or inserted at a newline (true).
    Semi(bool),
    Eof,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, PartialOrd, Ord)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

#[derive(Debug, Clone)]
pub struct Token {
    pub tok: Tok,
    pub pos: Pos,
}

/// A lexical or syntax error at a position, in the compiler's words.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    pub pos: Pos,
    pub msg: String,
}

const KEYWORDS: &[&str] = &[
    "break",
    "case",
    "chan",
    "const",
    "continue",
    "default",
    "defer",
    "else",
    "fallthrough",
    "for",
    "func",
    "go",
    "goto",
    "if",
    "import",
    "interface",
    "map",
    "package",
    "range",
    "return",
    "select",
    "struct",
    "switch",
    "type",
    "var",
];

/// Longest first, so `<<=` wins over `<<` and `<`.
const OPS: &[&str] = &[
    "<<=", ">>=", "&^=", "...", "&&", "||", "<-", "++", "--", "==", "!=", "<=", ">=", ":=", "+=",
    "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<", ">>", "&^", "+", "-", "*", "/", "%", "&", "|",
    "^", "<", ">", "=", "!", "(", ")", "[", "]", "{", "}", ",", ";", ".", ":", "~",
];

impl Tok {
    /// How the compiler names a token in "unexpected X".
    pub fn describe(&self) -> String {
        match self {
            Tok::Ident(n) => format!("name {n}"),
            Tok::Keyword(k) => format!("keyword {k}"),
            Tok::Int(s) | Tok::Float(s) => format!("literal {s}"),
            Tok::Str(s) => format!("literal {}", super::stdlib::quote(s)),
            Tok::Char(c) => format!(
                "literal {}",
                super::stdlib::quote_rune(char::from_u32(*c).unwrap_or('\u{fffd}'))
            ),
            Tok::Op(o) => o.to_string(),
            Tok::Semi(true) => "newline".into(),
            Tok::Semi(false) => "semicolon".into(),
            Tok::Eof => "EOF".into(),
        }
    }
}

pub fn lex(src: &str) -> Result<Vec<Token>, SyntaxError> {
    let bytes = src.as_bytes();
    let mut out: Vec<Token> = Vec::new();
    let mut i = 0;
    let mut line = 1u32;
    let mut line_start = 0usize;
    let needs_semi = |out: &Vec<Token>| match out.last().map(|t| &t.tok) {
        Some(Tok::Ident(_) | Tok::Int(_) | Tok::Float(_) | Tok::Str(_) | Tok::Char(_)) => true,
        Some(Tok::Keyword(k)) => matches!(*k, "break" | "continue" | "fallthrough" | "return"),
        Some(Tok::Op(o)) => matches!(*o, "++" | "--" | ")" | "]" | "}"),
        _ => false,
    };
    while i < bytes.len() {
        let c = bytes[i];
        let pos = Pos {
            line,
            col: (i - line_start + 1) as u32,
        };
        if c == b'\n' {
            if needs_semi(&out) {
                out.push(Token {
                    tok: Tok::Semi(true),
                    pos,
                });
            }
            i += 1;
            line += 1;
            line_start = i;
            continue;
        }
        if c == b' ' || c == b'\t' || c == b'\r' {
            i += 1;
            continue;
        }
        if bytes[i..].starts_with(b"//") {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if bytes[i..].starts_with(b"/*") {
            let Some(end) = src[i + 2..].find("*/") else {
                return Err(SyntaxError {
                    pos,
                    msg: "comment not terminated".into(),
                });
            };
            let body = &src[i..i + 2 + end + 2];
            let newlines = body.matches('\n').count();
            if newlines > 0 {
                if needs_semi(&out) {
                    out.push(Token {
                        tok: Tok::Semi(true),
                        pos,
                    });
                }
                line += newlines as u32;
                line_start = i + body.rfind('\n').unwrap_or(0) + 1;
            }
            i += body.len();
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 {
            let start = i;
            while i < bytes.len()
                && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] >= 0x80)
            {
                i += 1;
            }
            let word = &src[start..i];
            let tok = match KEYWORDS.iter().find(|k| **k == word) {
                Some(k) => Tok::Keyword(k),
                None => Tok::Ident(word.to_string()),
            };
            out.push(Token { tok, pos });
            continue;
        }
        if c.is_ascii_digit() || (c == b'.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            let start = i;
            let mut float = false;
            if bytes[i..].starts_with(b"0x") || bytes[i..].starts_with(b"0X") {
                i += 2;
                while i < bytes.len() && (bytes[i].is_ascii_hexdigit() || bytes[i] == b'_') {
                    i += 1;
                }
            } else {
                while i < bytes.len() {
                    let b = bytes[i];
                    if b.is_ascii_digit() || b == b'_' {
                        i += 1;
                    } else if b == b'.' && !float {
                        float = true;
                        i += 1;
                    } else if (b == b'e' || b == b'E')
                        && bytes
                            .get(i + 1)
                            .is_some_and(|n| n.is_ascii_digit() || *n == b'-' || *n == b'+')
                    {
                        float = true;
                        i += 2;
                    } else {
                        break;
                    }
                }
            }
            let text = src[start..i].to_string();
            out.push(Token {
                tok: if float {
                    Tok::Float(text)
                } else {
                    Tok::Int(text)
                },
                pos,
            });
            continue;
        }
        if c == b'`' {
            let Some(end) = src[i + 1..].find('`') else {
                return Err(SyntaxError {
                    pos,
                    msg: "raw string literal not terminated".into(),
                });
            };
            let body = &src[i + 1..i + 1 + end];
            let newlines = body.matches('\n').count();
            if newlines > 0 {
                line += newlines as u32;
                line_start = i + 1 + body.rfind('\n').unwrap_or(0) + 1;
            }
            out.push(Token {
                tok: Tok::Str(body.replace('\r', "")),
                pos,
            });
            i += end + 2;
            continue;
        }
        if c == b'"' || c == b'\'' {
            let quote = c as char;
            let mut j = i + 1;
            let mut value = String::new();
            loop {
                let Some(ch) = src[j..].chars().next() else {
                    return Err(SyntaxError {
                        pos,
                        msg: if quote == '"' {
                            "string literal not terminated".into()
                        } else {
                            "rune literal not terminated".into()
                        },
                    });
                };
                if ch == '\n' {
                    return Err(SyntaxError {
                        pos,
                        msg: if quote == '"' {
                            "newline in string".into()
                        } else {
                            "newline in rune literal".into()
                        },
                    });
                }
                if ch == quote {
                    j += 1;
                    break;
                }
                if ch == '\\' {
                    let esc_pos = Pos {
                        line,
                        col: (j - line_start + 1) as u32,
                    };
                    let next = src[j + 1..].chars().next().unwrap_or(' ');
                    j += 1 + next.len_utf8();
                    let simple = match next {
                        'n' => Some('\n'),
                        't' => Some('\t'),
                        'r' => Some('\r'),
                        '\\' => Some('\\'),
                        '\'' if quote == '\'' => Some('\''),
                        '"' if quote == '"' => Some('"'),
                        'a' => Some('\x07'),
                        'b' => Some('\x08'),
                        'f' => Some('\x0c'),
                        'v' => Some('\x0b'),
                        '0'..='7' => {
                            let digits = &src[j - 1..(j + 2).min(src.len())];
                            j += 2;
                            u32::from_str_radix(digits, 8).ok().and_then(char::from_u32)
                        }
                        'x' | 'u' | 'U' => {
                            let n = match next {
                                'x' => 2,
                                'u' => 4,
                                _ => 8,
                            };
                            let digits = src.get(j..j + n).unwrap_or("");
                            j += n;
                            u32::from_str_radix(digits, 16)
                                .ok()
                                .and_then(char::from_u32)
                        }
                        _ => {
                            return Err(SyntaxError {
                                pos: esc_pos,
                                msg: "unknown escape sequence".into(),
                            });
                        }
                    };
                    value.push(simple.unwrap_or('\u{fffd}'));
                    continue;
                }
                value.push(ch);
                j += ch.len_utf8();
            }
            if quote == '"' {
                out.push(Token {
                    tok: Tok::Str(value),
                    pos,
                });
            } else {
                let mut chars = value.chars();
                let (Some(ch), None) = (chars.next(), chars.next()) else {
                    return Err(SyntaxError {
                        pos,
                        msg: if value.is_empty() {
                            "empty rune literal or unescaped ' in rune literal".into()
                        } else {
                            "more than one character in rune literal".into()
                        },
                    });
                };
                out.push(Token {
                    tok: Tok::Char(ch as u32),
                    pos,
                });
            }
            i = j;
            continue;
        }
        let Some(op) = OPS.iter().find(|o| bytes[i..].starts_with(o.as_bytes())) else {
            let ch = src[i..].chars().next().unwrap_or('?');
            return Err(SyntaxError {
                pos,
                msg: format!("invalid character U+{:04X} '{ch}'", ch as u32),
            });
        };
        i += op.len();
        out.push(Token {
            tok: if *op == ";" {
                Tok::Semi(false)
            } else {
                Tok::Op(op)
            },
            pos,
        });
    }
    let pos = Pos {
        line,
        col: (i - line_start + 1) as u32,
    };
    if needs_semi(&out) {
        out.push(Token {
            tok: Tok::Semi(true),
            pos,
        });
    }
    out.push(Token { tok: Tok::Eof, pos });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semicolons_are_inserted_after_a_line_that_can_end_a_statement() {
        let toks: Vec<Tok> = lex("x := 1\nf(\n)\n")
            .unwrap()
            .into_iter()
            .map(|t| t.tok)
            .collect();
        assert_eq!(
            toks,
            vec![
                Tok::Ident("x".into()),
                Tok::Op(":="),
                Tok::Int("1".into()),
                Tok::Semi(true),
                Tok::Ident("f".into()),
                Tok::Op("("),
                Tok::Op(")"),
                Tok::Semi(true),
                Tok::Eof
            ]
        );
    }

    #[test]
    fn strings_escapes_and_positions() {
        let toks = lex("\ts := \"a\\tb\\n\" + `r\\n`").unwrap();
        assert_eq!(toks[0].pos, Pos { line: 1, col: 2 });
        assert_eq!(toks[2].tok, Tok::Str("a\tb\n".into()));
        assert_eq!(toks[4].tok, Tok::Str("r\\n".into()));
        assert_eq!(
            lex("\"abc").unwrap_err().msg,
            "string literal not terminated"
        );
    }
}

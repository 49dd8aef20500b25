//! Word processing as the Dockerfile frontend's shell lexer does it: quotes, the escape
//! character and `$VAR` / `${VAR...}` substitution. RUN/CMD shell text is never passed
//! through here; the builder only expands the instructions listed in
//! [`super::InstructionKind::expands`].

use std::fmt;

/// A failed substitution, rendered as Docker prints it:
/// `failed to process "${x": missing ':' in substitution`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpandError {
    pub word: String,
    pub reason: String,
}

impl fmt::Display for ExpandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "failed to process {}: {}",
            go_quote(&self.word),
            self.reason
        )
    }
}

impl std::error::Error for ExpandError {}

pub(crate) use crate::engine::units::go_quote;

/// Options of one lexer run.
#[derive(Clone, Copy)]
pub(crate) struct LexOptions {
    pub escape: char,
    /// Keep quote characters in the result (heredoc detection).
    pub raw_quotes: bool,
    /// Keep escape characters in the result (heredoc detection).
    pub raw_escapes: bool,
    /// Leave unset variables as written instead of expanding them to "".
    pub skip_unset: bool,
}

impl LexOptions {
    pub fn new(escape: char) -> Self {
        LexOptions {
            escape,
            raw_quotes: false,
            raw_escapes: false,
            skip_unset: false,
        }
    }
}

/// Expands one word with the default escape character (`\`).
pub fn expand(word: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<String, ExpandError> {
    expand_with_escape(word, '\\', env)
}

/// Expands one word: quotes removed, escapes applied, variables substituted; spaces
/// between words are kept (Docker's `ProcessWord`).
pub fn expand_with_escape(
    word: &str,
    escape: char,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<String, ExpandError> {
    process(word, LexOptions::new(escape), env).map(|(w, _)| w)
}

/// Like [`expand_with_escape`], then split into words (Docker's `ProcessWords`).
pub fn expand_words(
    word: &str,
    escape: char,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<String>, ExpandError> {
    process(word, LexOptions::new(escape), env).map(|(_, ws)| ws)
}

pub(crate) fn process(
    word: &str,
    opts: LexOptions,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(String, Vec<String>), ExpandError> {
    let mut lx = Lexer {
        chars: word.chars().collect(),
        pos: 0,
        opts,
        env,
    };
    lx.stop_on(None).map_err(|reason| ExpandError {
        word: word.to_string(),
        reason,
    })
}

struct Lexer<'a> {
    chars: Vec<char>,
    pos: usize,
    opts: LexOptions,
    env: &'a dyn Fn(&str) -> Option<String>,
}

#[derive(Default)]
struct Words {
    word: String,
    words: Vec<String>,
    in_word: bool,
}

impl Words {
    fn add_char(&mut self, c: char) {
        if c.is_whitespace() {
            if self.in_word && !self.word.is_empty() {
                self.words.push(std::mem::take(&mut self.word));
                self.in_word = false;
            }
        } else {
            self.add_raw_char(c);
        }
    }
    fn add_raw_char(&mut self, c: char) {
        self.word.push(c);
        self.in_word = true;
    }
    fn add_string(&mut self, s: &str) {
        for c in s.chars() {
            self.add_char(c);
        }
    }
    fn add_raw_string(&mut self, s: &str) {
        self.word.push_str(s);
        self.in_word = true;
    }
    fn finish(mut self) -> Vec<String> {
        if !self.word.is_empty() {
            self.words.push(self.word);
        }
        self.words
    }
}

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }
    fn next(&mut self) -> Option<char> {
        let c = self.peek();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    fn stop_on(&mut self, stop: Option<char>) -> Result<(String, Vec<String>), String> {
        let mut result = String::new();
        let mut words = Words::default();
        while let Some(c) = self.peek() {
            if Some(c) == stop {
                self.next();
                return Ok((result, words.finish()));
            }
            match c {
                '\'' | '"' | '$' => {
                    let tmp = match c {
                        '\'' => self.single_quote()?,
                        '"' => self.double_quote()?,
                        _ => self.dollar()?,
                    };
                    result.push_str(&tmp);
                    if c == '$' {
                        words.add_string(&tmp);
                    } else {
                        words.add_raw_string(&tmp);
                    }
                }
                _ => {
                    self.next();
                    if c == self.opts.escape {
                        if self.opts.raw_escapes {
                            words.add_raw_char(c);
                            result.push(c);
                        }
                        let Some(n) = self.next() else { break };
                        words.add_raw_char(n);
                        result.push(n);
                    } else {
                        words.add_char(c);
                        result.push(c);
                    }
                }
            }
        }
        if let Some(s) = stop {
            return Err(format!(
                "unexpected end of statement while looking for matching {s}"
            ));
        }
        Ok((result, words.finish()))
    }

    fn single_quote(&mut self) -> Result<String, String> {
        let mut out = String::new();
        self.next();
        if self.opts.raw_quotes {
            out.push('\'');
        }
        loop {
            match self.next() {
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching single-quote"
                            .into(),
                    );
                }
                Some('\'') => {
                    if self.opts.raw_quotes {
                        out.push('\'');
                    }
                    return Ok(out);
                }
                Some(c) => out.push(c),
            }
        }
    }

    fn double_quote(&mut self) -> Result<String, String> {
        let mut out = String::new();
        self.next();
        if self.opts.raw_quotes {
            out.push('"');
        }
        loop {
            match self.peek() {
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching double-quote"
                            .into(),
                    );
                }
                Some('"') => {
                    self.next();
                    if self.opts.raw_quotes {
                        out.push('"');
                    }
                    return Ok(out);
                }
                Some('$') => {
                    let v = self.dollar()?;
                    out.push_str(&v);
                }
                Some(c) => {
                    self.next();
                    if c == self.opts.escape {
                        match self.peek() {
                            None => continue,
                            Some(n) if n == '"' || n == '$' || n == self.opts.escape => {
                                if self.opts.raw_escapes {
                                    out.push(c);
                                }
                                self.next();
                                out.push(n);
                                continue;
                            }
                            _ => {}
                        }
                    }
                    out.push(c);
                }
            }
        }
    }

    fn get_env(&self, name: &str) -> Option<String> {
        (self.env)(name)
    }

    fn dollar(&mut self) -> Result<String, String> {
        self.next();
        if self.peek() != Some('{') {
            let name = self.name();
            if name.is_empty() {
                return Ok("$".into());
            }
            return Ok(match self.get_env(&name) {
                Some(v) => v,
                None if self.opts.skip_unset => format!("${name}"),
                None => String::new(),
            });
        }
        self.next();
        match self.peek() {
            None => return Err("syntax error: missing '}'".into()),
            Some('{' | '}' | ':') => return Err("syntax error: bad substitution".into()),
            _ => {}
        }
        let name = self.name();
        let ch = self.next();
        let mut modifier = String::new();
        let mut null_is_unset = false;
        let op = match ch {
            Some('}') => {
                return Ok(match self.get_env(&name) {
                    Some(v) => v,
                    None if self.opts.skip_unset => format!("${{{name}}}"),
                    None => String::new(),
                });
            }
            Some(':') => {
                null_is_unset = true;
                modifier.push(':');
                let m = self.next();
                if let Some(m) = m {
                    modifier.push(m);
                }
                m
            }
            Some(c @ ('+' | '-' | '?')) => {
                modifier.push(c);
                Some(c)
            }
            _ => return Err("missing ':' in substitution".into()),
        };
        if !matches!(op, Some('+' | '-' | '?')) {
            return Err(format!("unsupported modifier ({modifier}) in substitution"));
        }
        let word = match self.stop_on(Some('}')) {
            Ok((w, _)) => w,
            Err(e) => {
                if self.peek().is_none() {
                    return Err("syntax error: missing '}'".into());
                }
                return Err(e);
            }
        };
        let value = self.get_env(&name);
        if value.is_none() && self.opts.skip_unset {
            return Ok(format!("${{{name}{modifier}{word}}}"));
        }
        let unset = match &value {
            None => true,
            Some(v) => null_is_unset && v.is_empty(),
        };
        match op {
            Some('-') => Ok(if unset {
                word
            } else {
                value.unwrap_or_default()
            }),
            Some('+') => Ok(if unset { String::new() } else { word }),
            _ => {
                if value.is_none() {
                    let msg = if word.is_empty() {
                        "is not allowed to be unset".to_string()
                    } else {
                        word
                    };
                    return Err(format!("{name}: {msg}"));
                }
                if unset {
                    let msg = if word.is_empty() {
                        "is not allowed to be empty".to_string()
                    } else {
                        word
                    };
                    return Err(format!("{name}: {msg}"));
                }
                Ok(value.unwrap_or_default())
            }
        }
    }

    fn name(&mut self) -> String {
        let mut name = String::new();
        while let Some(c) = self.peek() {
            if name.is_empty() && c.is_ascii_digit() {
                while let Some(d) = self.peek().filter(|d| d.is_ascii_digit()) {
                    name.push(d);
                    self.next();
                }
                return name;
            }
            if name.is_empty() && matches!(c, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0') {
                self.next();
                return c.to_string();
            }
            if !c.is_alphanumeric() && c != '_' {
                break;
            }
            name.push(c);
            self.next();
        }
        name
    }
}

//! Stage one: Dockerfile text to nodes with line spans, as the frontend's parser does it
//! (directives, comments, continuations, heredocs, JSON or shell form, leading flags).

use super::error::ParseError;
use super::lex::{LexOptions, process};

/// One heredoc body attached to a RUN, COPY or ADD line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    /// The delimiter word with its quotes removed (`EOF`).
    pub name: String,
    /// The body, every line with its newline, leading tabs not yet removed.
    pub content: String,
    /// `<<-`: leading tabs are removed from the body and the terminator.
    pub chomp: bool,
    /// False when the delimiter was quoted: the body is taken literally.
    pub expand: bool,
    /// `3<<EOF` names a file descriptor; 0 when none was written.
    pub fd: u32,
}

/// The arguments of a node, shaped by the instruction's line parser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// The instruction word as written (`from`, `FROM`, `Frum`).
    pub value: String,
    /// Leading `--flag[=value]` words, quotes removed.
    pub flags: Vec<String>,
    pub args: Vec<String>,
    /// The arguments were a JSON array of strings.
    pub json: bool,
    /// ONBUILD's trigger.
    pub sub: Option<Box<Node>>,
    pub heredocs: Vec<Heredoc>,
    /// The logical line: continuations joined, comments dropped, untrimmed.
    pub original: String,
    pub start_line: usize,
    pub end_line: usize,
}

/// The parsed text: nodes, parser directives and the escape character.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ast {
    pub nodes: Vec<Node>,
    pub escape: char,
    /// Parser directives in order of appearance: (lower-case key, value).
    pub directives: Vec<(String, String)>,
    /// Docker's warnings (empty continuation lines); the classic builder prints them.
    pub warnings: Vec<String>,
}

struct Directives {
    escape: char,
    done: bool,
    seen: Vec<(String, String)>,
}

impl Directives {
    /// Parser directives are `# key=value` lines before anything else; a line that is
    /// not one ends them.
    fn possible(&mut self, line: &str) -> Result<(), String> {
        if self.done {
            return Ok(());
        }
        let Some((key, value)) = match_directive(line) else {
            self.done = true;
            return Ok(());
        };
        let key = key.to_ascii_lowercase();
        if key != "escape" && key != "syntax" && key != "check" {
            self.done = true;
            return Ok(());
        }
        if self.seen.iter().any(|(k, _)| *k == key) {
            return Err(format!("only one {key} parser directive can be used"));
        }
        if key == "escape" {
            if value != "`" && value != "\\" {
                return Err(format!(
                    "invalid escape token '{value}' does not match ` or \\"
                ));
            }
            self.escape = value.chars().next().unwrap_or('\\');
        }
        self.seen.push((key, value.to_string()));
        Ok(())
    }
}

/// `^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`
fn match_directive(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix('#')?.trim_start();
    let first = rest.chars().next()?;
    if !first.is_ascii_alphabetic() {
        return None;
    }
    let end = rest
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(rest.len());
    let key = &rest[..end];
    let value = rest[end..].trim_start().strip_prefix('=')?.trim();
    if value.is_empty() {
        return None;
    }
    Some((key, value))
}

fn is_go_space(c: char) -> bool {
    c.is_whitespace()
}

fn trim_newline(s: &str) -> &str {
    s.trim_end_matches(['\r', '\n'])
}

fn is_comment(line: &str) -> bool {
    trim_newline(line)
        .trim_start_matches(is_go_space)
        .starts_with('#')
}

/// Removes the continuation escape (`\` or `` ` `` plus trailing blanks) unless it is
/// itself escaped. Returns the line and whether the instruction ends here.
fn trim_continuation(line: &str, escape: char) -> (String, bool) {
    let trimmed = line.trim_end_matches([' ', '\t']);
    if let Some(before) = trimmed.strip_suffix(escape)
        && (before.is_empty() || !before.ends_with(escape))
    {
        return (before.to_string(), false);
    }
    (line.to_string(), true)
}

/// `[\t\v\f\r ]+`
fn is_ws(c: char) -> bool {
    matches!(c, '\t' | '\x0b' | '\x0c' | '\r' | ' ')
}

fn split_ws(s: &str) -> Vec<String> {
    // Go's regexp Split keeps empty leading/trailing fields; callers pass trimmed text.
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_ws = false;
    for c in s.chars() {
        if is_ws(c) {
            if !in_ws {
                out.push(std::mem::take(&mut cur));
            }
            in_ws = true;
        } else {
            in_ws = false;
            cur.push(c);
        }
    }
    out.push(cur);
    out
}

fn split_ws2(s: &str) -> (String, Option<String>) {
    match s.find(is_ws) {
        None => (s.to_string(), None),
        Some(i) => {
            let rest = s[i..].trim_start_matches(is_ws);
            (s[..i].to_string(), Some(rest.to_string()))
        }
    }
}

/// Splits leading `--flags` off the arguments, with quote and `\` handling.
fn extract_flags(line: &str) -> (String, Vec<String>) {
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let mut words = Vec::new();
    let mut word = String::new();
    #[derive(PartialEq)]
    enum P {
        Spaces,
        Word,
        Quote,
    }
    let mut phase = P::Spaces;
    let mut quote = '\0';
    let mut blank_ok = false;
    let mut i = 0;
    let n = chars.len();
    while i <= n {
        let ch = if i < n { chars[i].1 } else { '\0' };
        if phase == P::Spaces {
            if i == n {
                break;
            }
            if is_go_space(ch) {
                i += 1;
                continue;
            }
            if ch != '-' || i + 1 == n || chars[i + 1].1 != '-' {
                return (line[chars[i].0..].to_string(), words);
            }
            phase = P::Word;
        }
        if i == n {
            if word != "--" && (blank_ok || !word.is_empty()) {
                words.push(word);
            }
            break;
        }
        if phase == P::Word {
            if is_go_space(ch) {
                phase = P::Spaces;
                if word == "--" {
                    return (line[chars[i].0..].to_string(), words);
                }
                if blank_ok || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                word.clear();
                blank_ok = false;
                i += 1;
                continue;
            }
            if ch == '\'' || ch == '"' {
                quote = ch;
                blank_ok = true;
                phase = P::Quote;
                i += 1;
                continue;
            }
            let mut c = ch;
            if ch == '\\' {
                if i + 1 == n {
                    i += 1;
                    continue;
                }
                i += 1;
                c = chars[i].1;
            }
            word.push(c);
            i += 1;
            continue;
        }
        // in quote
        if ch == quote {
            phase = P::Word;
            i += 1;
            continue;
        }
        let mut c = ch;
        if ch == '\\' {
            if i + 1 == n {
                phase = P::Word;
                i += 1;
                continue;
            }
            i += 1;
            c = chars[i].1;
        }
        word.push(c);
        i += 1;
    }
    (String::new(), words)
}

/// Words of ENV/LABEL/ARG: split on blanks outside quotes; quotes and escapes kept.
fn parse_words(rest: &str, escape: char) -> Vec<String> {
    let chars: Vec<char> = rest.chars().collect();
    let n = chars.len();
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_quote: Option<char> = None;
    let mut started = false;
    let mut blank_ok = false;
    let mut i = 0;
    while i < n {
        let ch = chars[i];
        if !started {
            if ch.is_whitespace() {
                i += 1;
                continue;
            }
            started = true;
        }
        match in_quote {
            None => {
                if ch.is_whitespace() {
                    if blank_ok || !word.is_empty() {
                        words.push(std::mem::take(&mut word));
                    }
                    started = false;
                    blank_ok = false;
                    i += 1;
                    continue;
                }
                if ch == '\'' || ch == '"' {
                    in_quote = Some(ch);
                    blank_ok = true;
                }
                if ch == escape {
                    if i + 1 == n {
                        i += 1;
                        continue;
                    }
                    word.push(ch);
                    i += 1;
                    word.push(chars[i]);
                    i += 1;
                    continue;
                }
                word.push(ch);
            }
            Some(q) => {
                if ch == q {
                    in_quote = None;
                }
                if ch == escape && q != '\'' {
                    if i + 1 == n {
                        in_quote = None;
                        i += 1;
                        continue;
                    }
                    word.push(ch);
                    i += 1;
                    word.push(chars[i]);
                    i += 1;
                    continue;
                }
                word.push(ch);
            }
        }
        i += 1;
    }
    if started && (blank_ok || !word.is_empty()) {
        words.push(word);
    }
    words
}

const NOT_STRINGS: &str = "when using JSON array syntax, arrays must be comprised of strings only";

/// `Ok(Some(..))` for a JSON array of strings, `Ok(None)` for anything else (shell
/// form), `Err` for a JSON array holding something other than strings. Only the first
/// JSON value counts: Docker's decoder ignores what follows it.
fn parse_json(rest: &str) -> Result<Option<Vec<String>>, String> {
    let rest = rest.trim_start();
    if !rest.starts_with('[') {
        return Ok(None);
    }
    let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<serde_json::Value>();
    match stream.next() {
        Some(Ok(serde_json::Value::Array(items))) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    serde_json::Value::String(s) => out.push(s),
                    _ => return Err(NOT_STRINGS.into()),
                }
            }
            Ok(Some(out))
        }
        _ => Ok(None),
    }
}

fn maybe_json(rest: &str, node: &mut Node) -> Result<(), String> {
    if rest.is_empty() {
        return Ok(());
    }
    match parse_json(rest)? {
        Some(v) => {
            node.args = v;
            node.json = true;
        }
        None => node.args = vec![rest.to_string()],
    }
    Ok(())
}

fn maybe_json_list(rest: &str, node: &mut Node) -> Result<(), String> {
    match parse_json(rest)? {
        Some(v) => {
            node.args = v;
            node.json = true;
        }
        None if rest.is_empty() => {}
        None => node.args = split_ws(rest),
    }
    Ok(())
}

fn name_val(rest: &str, key: &str, escape: char, node: &mut Node) -> Result<(), String> {
    let words = parse_words(rest, escape);
    if words.is_empty() {
        return Ok(());
    }
    if !words[0].contains('=') {
        let (k, v) = split_ws2(rest);
        let Some(v) = v else {
            return Err(format!("{key} must have two arguments"));
        };
        node.args = vec![k, v];
        return Ok(());
    }
    for w in words {
        let Some((k, v)) = w.split_once('=') else {
            return Err(format!(
                "Syntax error - can't find = in {}. Must be of the form: name=value",
                super::lex::go_quote(&w)
            ));
        };
        node.args.push(k.to_string());
        node.args.push(v.to_string());
    }
    Ok(())
}

pub(crate) fn node_from_line(line: &str, escape: char) -> Result<Node, String> {
    let trimmed = line.trim_matches(is_go_space);
    let (cmd, rest) = split_ws2(trimmed);
    let (args, flags) = match rest {
        Some(r) => {
            let (a, f) = extract_flags(&r);
            (a.trim_matches(is_go_space).to_string(), f)
        }
        None => (String::new(), Vec::new()),
    };
    let mut node = Node {
        value: cmd.clone(),
        flags,
        args: Vec::new(),
        json: false,
        sub: None,
        heredocs: Vec::new(),
        original: line.to_string(),
        start_line: 0,
        end_line: 0,
    };
    let rest = args.as_str();
    match cmd.to_ascii_lowercase().as_str() {
        "add" | "copy" | "volume" => maybe_json_list(rest, &mut node)?,
        "run" | "cmd" | "entrypoint" | "shell" => maybe_json(rest, &mut node)?,
        "arg" => node.args = parse_words(rest, escape),
        "env" => name_val(rest, "ENV", escape, &mut node)?,
        "label" => name_val(rest, "LABEL", escape, &mut node)?,
        "expose" | "from" if !rest.is_empty() => node.args = split_ws(rest),
        "maintainer" | "stopsignal" | "user" | "workdir" if !rest.is_empty() => {
            node.args = vec![rest.to_string()];
        }
        "healthcheck" => {
            let end = rest.find(is_go_space).unwrap_or(rest.len());
            if end > 0 {
                let typ = rest[..end].to_string();
                let after = rest[end..].trim_start_matches(is_go_space);
                maybe_json(after, &mut node)?;
                node.args.insert(0, typ);
            }
        }
        "onbuild" if !rest.is_empty() => {
            let sub = node_from_line(rest, escape)?;
            node.args = vec![sub.value.clone()];
            node.args.extend(sub.args.iter().cloned());
            node.sub = Some(Box::new(sub));
        }
        _ => {}
    }
    Ok(node)
}

fn can_contain_heredoc(node: &Node) -> bool {
    let target = match &node.sub {
        Some(sub) if node.value.eq_ignore_ascii_case("onbuild") => sub,
        _ => node,
    };
    matches!(
        target.value.to_ascii_lowercase().as_str(),
        "run" | "copy" | "add"
    ) && !target.json
}

/// `^(\d*)<<(-?)([^<]*)$` on one raw word, then the delimiter's own lexing.
pub(crate) fn parse_heredoc(word: &str) -> Result<Option<Heredoc>, String> {
    let digits = word.chars().take_while(|c| c.is_ascii_digit()).count();
    let Some(after) = word[digits..].strip_prefix("<<") else {
        return Ok(None);
    };
    let (chomp, rest) = match after.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, after),
    };
    if rest.is_empty() || rest.contains('<') {
        return Ok(None);
    }
    let fd = word[..digits].parse::<u32>().unwrap_or(0);
    let none = |_: &str| None;
    let mut opts = LexOptions::new('\\');
    opts.skip_unset = true;
    let words = process(rest, opts, &none).map_err(|e| e.to_string())?.1;
    if words.len() != 1 {
        return Ok(None);
    }
    opts.raw_quotes = true;
    let raw = process(rest, opts, &none).map_err(|e| e.to_string())?.1;
    if raw.len() != words.len() {
        return Err(format!(
            "internal lexing of heredoc produced inconsistent results: {rest}"
        ));
    }
    let count = |s: &str| s.matches(['\'', '"']).count();
    Ok(Some(Heredoc {
        name: words[0].clone(),
        content: String::new(),
        chomp,
        expand: count(&words[0]) == count(&raw[0]),
        fd,
    }))
}

fn heredocs_from_line(line: &str) -> Result<Vec<Heredoc>, String> {
    let mut opts = LexOptions::new('\\');
    opts.raw_quotes = true;
    opts.raw_escapes = true;
    opts.skip_unset = true;
    let none = |_: &str| None;
    let words = process(line, opts, &none).map(|r| r.1).unwrap_or_default();
    let mut out = Vec::new();
    for w in words {
        if let Some(h) = parse_heredoc(&w)? {
            out.push(h);
        }
    }
    Ok(out)
}

/// Splits like Go's scanner with line endings kept.
fn lines_with_endings(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

pub fn parse_ast(text: &str) -> Result<Ast, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines = lines_with_endings(text);
    let mut d = Directives {
        escape: '\\',
        done: false,
        seen: Vec::new(),
    };
    let mut nodes = Vec::new();
    let mut warnings = Vec::new();
    let mut current = 0usize;
    let mut idx = 0usize;
    while idx < lines.len() {
        let raw = lines[idx];
        idx += 1;
        let token = trim_newline(raw).trim_start_matches(is_go_space);
        d.possible(token)
            .map_err(|m| ParseError::syntax(m, current.max(1)))?;
        let processed = if token.starts_with('#') { "" } else { token };
        current += 1;
        let start = current;
        let (mut line, mut eol) = trim_continuation(processed, d.escape);
        if eol && line.is_empty() {
            continue;
        }
        let mut empty_cont = false;
        while !eol && idx < lines.len() {
            let raw = lines[idx];
            idx += 1;
            let token = trim_newline(raw);
            d.possible(token)
                .map_err(|m| ParseError::syntax(m, current))?;
            current += 1;
            if is_comment(raw) {
                continue;
            }
            let processed = if token.starts_with('#') { "" } else { token };
            if processed.trim_start_matches(is_go_space).is_empty() {
                empty_cont = true;
                continue;
            }
            let (cl, e) = trim_continuation(processed, d.escape);
            eol = e;
            line.push_str(&cl);
        }
        if empty_cont {
            warnings.push(format!(
                "[WARNING]: Empty continuation line found in:\n    {line}"
            ));
        }
        let mut node = node_from_line(&line, d.escape)
            .map_err(|m| ParseError::syntax(m, start).with_end(current))?;
        if can_contain_heredoc(&node) {
            let docs = heredocs_from_line(&line)
                .map_err(|m| ParseError::syntax(m, start).with_end(current))?;
            for mut doc in docs {
                let mut terminated = false;
                while idx < lines.len() {
                    let raw = lines[idx];
                    idx += 1;
                    current += 1;
                    let mut t = trim_newline(raw);
                    if doc.chomp {
                        t = t.trim_start_matches('\t');
                    }
                    if t == doc.name {
                        terminated = true;
                        break;
                    }
                    doc.content.push_str(raw);
                }
                if !terminated {
                    return Err(
                        ParseError::syntax("unterminated heredoc".into(), start).with_end(current)
                    );
                }
                node.heredocs.push(doc);
            }
        }
        node.start_line = start;
        node.end_line = current;
        if let Some(sub) = node.sub.as_mut() {
            sub.start_line = start;
            sub.end_line = current;
            sub.heredocs = node.heredocs.clone();
        }
        nodes.push(node);
    }
    if !warnings.is_empty() {
        warnings.push(
            "[WARNING]: Empty continuation lines will become errors in a future release.".into(),
        );
    }
    if nodes.is_empty() {
        return Err(ParseError::syntax(
            "file with no instructions".into(),
            current,
        ));
    }
    Ok(Ast {
        nodes,
        escape: d.escape,
        directives: d.seen,
        warnings,
    })
}

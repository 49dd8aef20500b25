//! The subset of Go's `text/template` that `--format` uses, with the functions the docker
//! CLI registers (`json split join title lower upper pad truncate`) and Go's builtins
//! `print println len index eq ne not and or`; `{{if}}`, `{{range}}`, `{{with}}`,
//! `{{else}}`, `{{end}}`, pipelines, parentheses, `{{- -}}` trimming and comments.
//! Errors read as Go's (`template: :1:2: executing "" at <.Foo>: can't evaluate field Foo
//! in type *formatter.ContainerContext`); callers add Docker's prefix
//! (`failed to execute template: `, `template parsing error: `).
//!
//! [`render`] is the docker CLI's `formatter.Context`: `table` prefix, header row, `\t`
//! and `\n` escapes, one line per row, tabwriter alignment.

use super::tabwriter::tabwrite;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// What a template's `.` is: one row of a listing.
pub trait TemplateContext {
    /// Go type name for error messages, e.g. `*formatter.ContainerContext`.
    fn type_name(&self) -> String;
    /// `.Name`; `None` when the context has no such field (an execution error).
    fn field(&self, name: &str) -> Option<Value>;
    /// `{{json .}}`: the whole row.
    fn to_json(&self) -> Value;
}

/// A row given as a JSON object, with the Go type name to report in errors.
#[derive(Clone, Copy, Debug)]
pub struct MapContext<'a> {
    pub type_name: &'a str,
    pub fields: &'a Map<String, Value>,
}

impl TemplateContext for MapContext<'_> {
    fn type_name(&self) -> String {
        self.type_name.to_string()
    }
    fn field(&self, name: &str) -> Option<Value> {
        self.fields.get(name).cloned()
    }
    fn to_json(&self) -> Value {
        sorted_object(self.fields)
    }
}

/// A formatter context is a Go map, and `encoding/json` writes map keys sorted.
pub fn sorted_object(fields: &Map<String, Value>) -> Value {
    let mut keys: Vec<&String> = fields.keys().collect();
    keys.sort();
    Value::Object(
        keys.into_iter()
            .map(|k| (k.clone(), fields[k].clone()))
            .collect(),
    )
}

/// A template error; `Display` is Go's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// `template: NAME:LINE: MSG`
    #[error("template: {name}:{line}: {msg}")]
    Parse {
        name: String,
        line: usize,
        msg: String,
    },
    /// `template: NAME:LINE:COL: executing "NAME" at <NODE>: MSG`
    #[error("template: {name}:{line}:{col}: executing \"{name}\" at <{node}>: {msg}")]
    Exec {
        name: String,
        line: usize,
        col: usize,
        node: String,
        msg: String,
    },
}

// ---------------------------------------------------------------- syntax

#[derive(Clone, Debug)]
enum Arg {
    Dot,
    Field {
        names: Vec<String>,
        pos: usize,
        text: String,
    },
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Nil,
    Func {
        name: String,
        pos: usize,
    },
    Sub(Pipe),
}

#[derive(Clone, Debug)]
struct Cmd {
    args: Vec<Arg>,
}

#[derive(Clone, Debug)]
struct Pipe {
    cmds: Vec<Cmd>,
    pos: usize,
}

#[derive(Clone, Debug)]
enum Node {
    Text(String),
    Action(Pipe),
    If(Pipe, Vec<Node>, Vec<Node>),
    Range(Pipe, Vec<Node>, Vec<Node>),
    With(Pipe, Vec<Node>, Vec<Node>),
}

/// A parsed template.
#[derive(Clone, Debug)]
pub struct Template {
    name: String,
    source: String,
    nodes: Vec<Node>,
}

const FUNCS: &[&str] = &[
    "json", "split", "join", "title", "lower", "upper", "pad", "truncate", "print", "println",
    "len", "index", "eq", "ne", "not", "and", "or",
];

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Dot,
    Field(String),
    /// A field directly after a field or `)`: `.B` in `.A.B`.
    Chain(String),
    Ident(String),
    Str(String),
    Num(String),
    LParen,
    RParen,
    Pipe,
}

struct Parser<'a> {
    name: &'a str,
    src: &'a str,
}

enum Stop {
    End,
    Else,
    ElseChain(String, Pipe),
    Eof,
}

impl<'a> Parser<'a> {
    fn err(&self, pos: usize, msg: impl Into<String>) -> TemplateError {
        TemplateError::Parse {
            name: self.name.to_string(),
            line: 1 + self.src[..pos.min(self.src.len())].matches('\n').count(),
            msg: msg.into(),
        }
    }

    /// Nodes up to the next `{{end}}`, `{{else}}` or the end of the text.
    fn parse_list(
        &self,
        i: &mut usize,
        trim_next: &mut bool,
    ) -> Result<(Vec<Node>, Stop), TemplateError> {
        let mut nodes = Vec::new();
        loop {
            let rest = &self.src[*i..];
            let open = rest.find("{{");
            let mut text = &rest[..open.unwrap_or(rest.len())];
            if *trim_next {
                text = text.trim_start_matches([' ', '\t', '\r', '\n']);
                *trim_next = false;
            }
            let Some(open) = open else {
                if !text.is_empty() {
                    nodes.push(Node::Text(text.to_string()));
                }
                *i = self.src.len();
                return Ok((nodes, Stop::Eof));
            };
            let action_start = *i + open;
            let mut body_start = action_start + 2;
            let after = &self.src[body_start..];
            if after.starts_with("- ") || after.starts_with("-\t") || after.starts_with("-\n") {
                text = text.trim_end_matches([' ', '\t', '\r', '\n']);
                body_start += 1;
            }
            if !text.is_empty() {
                nodes.push(Node::Text(text.to_string()));
            }
            let Some(close_rel) = self.src[body_start..].find("}}") else {
                return Err(self.err(action_start, "unclosed action"));
            };
            let mut body_end = body_start + close_rel;
            *i = body_end + 2;
            if body_end > body_start && self.src[..body_end].ends_with(" -") {
                body_end -= 1;
                *trim_next = true;
            }
            let body = &self.src[body_start..body_end];
            let trimmed = body.trim();
            if trimmed.starts_with("/*") {
                if !trimmed.ends_with("*/") {
                    return Err(self.err(action_start, "unclosed comment"));
                }
                continue;
            }
            let toks = self.lex(body, body_start)?;
            match toks.first() {
                Some((Tok::Ident(k), p)) if k == "end" => {
                    if toks.len() > 1 {
                        return Err(self.err(*p, "unexpected tokens in end"));
                    }
                    return Ok((nodes, Stop::End));
                }
                Some((Tok::Ident(k), p)) if k == "else" => {
                    return match toks.get(1) {
                        None => Ok((nodes, Stop::Else)),
                        Some((Tok::Ident(k2), _)) if k2 == "if" || k2 == "with" => {
                            let pipe = self.pipe(&toks[2..], *p)?;
                            Ok((nodes, Stop::ElseChain(k2.clone(), pipe)))
                        }
                        Some((_, p2)) => Err(self.err(*p2, "unexpected tokens in else")),
                    };
                }
                Some((Tok::Ident(k), p)) if k == "if" || k == "range" || k == "with" => {
                    let pipe = self.pipe(&toks[1..], *p)?;
                    if pipe.cmds.is_empty() {
                        return Err(self.err(*p, format!("missing value for {k}")));
                    }
                    let (then, els) = self.block(i, trim_next)?;
                    nodes.push(make_block(k, pipe, then, els));
                }
                _ => {
                    let pipe = self.pipe(&toks, action_start)?;
                    if pipe.cmds.is_empty() {
                        return Err(self.err(action_start, "missing value for command"));
                    }
                    nodes.push(Node::Action(pipe));
                }
            }
        }
    }

    /// The rest of an if/range/with: its body and its else part, through `{{end}}`.
    fn block(
        &self,
        i: &mut usize,
        trim_next: &mut bool,
    ) -> Result<(Vec<Node>, Vec<Node>), TemplateError> {
        let start = *i;
        let (then, stop) = self.parse_list(i, trim_next)?;
        match stop {
            Stop::End => Ok((then, Vec::new())),
            Stop::Else => {
                let (els, stop) = self.parse_list(i, trim_next)?;
                match stop {
                    Stop::End => Ok((then, els)),
                    Stop::Eof => Err(self.err(start, "unexpected EOF")),
                    _ => Err(self.err(start, "expected end; found {{else}}")),
                }
            }
            Stop::ElseChain(kind, pipe) => {
                let (t2, e2) = self.block(i, trim_next)?;
                Ok((then, vec![make_block(&kind, pipe, t2, e2)]))
            }
            Stop::Eof => Err(self.err(start, "unexpected EOF")),
        }
    }

    fn lex(&self, body: &str, base: usize) -> Result<Vec<(Tok, usize)>, TemplateError> {
        let b = body.as_bytes();
        let mut out = Vec::new();
        let mut k = 0;
        let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
        while k < b.len() {
            let c = b[k];
            let pos = base + k;
            match c {
                b' ' | b'\t' | b'\r' | b'\n' => k += 1,
                b'(' => {
                    out.push((Tok::LParen, pos));
                    k += 1
                }
                b')' => {
                    out.push((Tok::RParen, pos));
                    k += 1
                }
                b'|' => {
                    out.push((Tok::Pipe, pos));
                    k += 1
                }
                b'.' => {
                    let s = k + 1;
                    let mut e = s;
                    while e < b.len() && (word(b[e]) || b[e] >= 0x80) {
                        e += 1;
                    }
                    let chained = k > 0
                        && !b[k - 1].is_ascii_whitespace()
                        && matches!(
                            out.last(),
                            Some((Tok::Field(_) | Tok::Chain(_) | Tok::RParen, _))
                        );
                    if e == s {
                        if e < b.len() && b[e].is_ascii_digit() {
                            return Err(self.err(pos, "bad number syntax"));
                        }
                        out.push((Tok::Dot, pos));
                    } else if chained {
                        out.push((Tok::Chain(body[s..e].to_string()), pos));
                    } else {
                        out.push((Tok::Field(body[s..e].to_string()), pos));
                    }
                    k = e;
                }
                b'"' => {
                    let mut s = String::new();
                    let mut e = k + 1;
                    let mut chars = body[e..].char_indices();
                    loop {
                        let Some((off, ch)) = chars.next() else {
                            return Err(self.err(pos, "unterminated quoted string"));
                        };
                        match ch {
                            '"' => {
                                e += off + 1;
                                break;
                            }
                            '\\' => match chars.next() {
                                Some((_, 'n')) => s.push('\n'),
                                Some((_, 't')) => s.push('\t'),
                                Some((_, 'r')) => s.push('\r'),
                                Some((_, '\\')) => s.push('\\'),
                                Some((_, '"')) => s.push('"'),
                                Some((_, '\'')) => s.push('\''),
                                _ => return Err(self.err(pos, "invalid syntax")),
                            },
                            '\n' => return Err(self.err(pos, "unterminated quoted string")),
                            c => s.push(c),
                        }
                    }
                    out.push((Tok::Str(s), pos));
                    k = e;
                }
                b'`' => {
                    let Some(end) = body[k + 1..].find('`') else {
                        return Err(self.err(pos, "unterminated raw quoted string"));
                    };
                    out.push((Tok::Str(body[k + 1..k + 1 + end].to_string()), pos));
                    k += end + 2;
                }
                c if c.is_ascii_digit() || c == b'-' || c == b'+' => {
                    let mut e = k + 1;
                    while e < b.len()
                        && (b[e].is_ascii_alphanumeric() || b[e] == b'.' || b[e] == b'_')
                    {
                        e += 1;
                    }
                    out.push((Tok::Num(body[k..e].to_string()), pos));
                    k = e;
                }
                c if word(c) => {
                    let mut e = k;
                    while e < b.len() && word(b[e]) {
                        e += 1;
                    }
                    out.push((Tok::Ident(body[k..e].to_string()), pos));
                    k = e;
                }
                b'$' => return Err(self.err(pos, "variables are not supported")),
                _ => {
                    let ch = body[k..].chars().next().unwrap_or('?');
                    return Err(self.err(pos, format!("unexpected {ch:?} in command")));
                }
            }
        }
        Ok(out)
    }

    fn pipe(&self, toks: &[(Tok, usize)], pos: usize) -> Result<Pipe, TemplateError> {
        let mut k = 0;
        let p = self.pipe_at(toks, &mut k, pos)?;
        if k < toks.len() {
            return Err(self.err(toks[k].1, "unexpected right paren"));
        }
        Ok(p)
    }

    fn pipe_at(
        &self,
        toks: &[(Tok, usize)],
        k: &mut usize,
        pos: usize,
    ) -> Result<Pipe, TemplateError> {
        let mut cmds = Vec::new();
        let mut args = Vec::new();
        while *k < toks.len() {
            let (tok, p) = &toks[*k];
            match tok {
                Tok::RParen => break,
                Tok::Pipe => {
                    if args.is_empty() {
                        return Err(self.err(*p, "missing command"));
                    }
                    cmds.push(Cmd {
                        args: std::mem::take(&mut args),
                    });
                    *k += 1;
                    continue;
                }
                _ => {}
            }
            args.push(self.operand(toks, k)?);
        }
        if !args.is_empty() {
            cmds.push(Cmd { args });
        } else if !cmds.is_empty() {
            return Err(self.err(pos, "missing command"));
        }
        Ok(Pipe { cmds, pos })
    }

    fn operand(&self, toks: &[(Tok, usize)], k: &mut usize) -> Result<Arg, TemplateError> {
        let (tok, p) = toks[*k].clone();
        *k += 1;
        let mut arg = match tok {
            Tok::Dot => Arg::Dot,
            Tok::Field(n) => Arg::Field {
                names: vec![n.clone()],
                pos: p,
                text: format!(".{n}"),
            },
            Tok::Str(s) => Arg::Str(s),
            Tok::Num(n) => {
                if let Ok(i) = n.parse::<i64>() {
                    Arg::Int(i)
                } else if let Ok(f) = n.parse::<f64>() {
                    Arg::Float(f)
                } else {
                    return Err(self.err(p, format!("bad number syntax: {n:?}")));
                }
            }
            Tok::Ident(n) => match n.as_str() {
                "true" => Arg::Bool(true),
                "false" => Arg::Bool(false),
                "nil" => Arg::Nil,
                name if FUNCS.contains(&name) => Arg::Func { name: n, pos: p },
                "if" | "range" | "with" | "else" | "end" | "define" | "template" | "block" => {
                    return Err(self.err(p, format!("unexpected <{n}> in command")));
                }
                _ => return Err(self.err(p, format!("function {n:?} not defined"))),
            },
            Tok::LParen => {
                let inner = self.pipe_at(toks, k, p)?;
                match toks.get(*k) {
                    Some((Tok::RParen, _)) => *k += 1,
                    _ => return Err(self.err(p, "unclosed left paren")),
                }
                Arg::Sub(inner)
            }
            Tok::RParen => return Err(self.err(p, "unexpected right paren")),
            Tok::Pipe => return Err(self.err(p, "missing command")),
            Tok::Chain(n) => return Err(self.err(p, format!("unexpected .{n} in operand"))),
        };
        // A field chain: `.A.B` (position of the second field, as Go reports it).
        while let Some((Tok::Chain(n), fp)) = toks.get(*k) {
            let fp = *fp;
            arg = match arg {
                Arg::Field {
                    mut names,
                    pos,
                    mut text,
                } => {
                    names.push(n.clone());
                    text.push('.');
                    text.push_str(n);
                    Arg::Field {
                        names,
                        pos: if names_len_is_two(&text) { fp } else { pos },
                        text,
                    }
                }
                _ => return Err(self.err(fp, "field chains on non-fields are not supported")),
            };
            *k += 1;
        }
        Ok(arg)
    }
}

fn make_block(kind: &str, pipe: Pipe, then: Vec<Node>, els: Vec<Node>) -> Node {
    match kind {
        "if" => Node::If(pipe, then, els),
        "range" => Node::Range(pipe, then, els),
        _ => Node::With(pipe, then, els),
    }
}

fn names_len_is_two(text: &str) -> bool {
    text.matches('.').count() == 2
}

impl Template {
    /// Parses `source` as the template named `name` (`""` for the formatter's).
    pub fn parse(name: &str, source: &str) -> Result<Template, TemplateError> {
        let p = Parser { name, src: source };
        let mut i = 0;
        let mut trim = false;
        let (nodes, stop) = p.parse_list(&mut i, &mut trim)?;
        match stop {
            Stop::Eof => Ok(Template {
                name: name.to_string(),
                source: source.to_string(),
                nodes,
            }),
            Stop::End => Err(p.err(i.saturating_sub(1), "unexpected {{end}}")),
            Stop::Else | Stop::ElseChain(..) => {
                Err(p.err(i.saturating_sub(1), "unexpected {{else}}"))
            }
        }
    }

    /// Executes against one row.
    pub fn execute(&self, ctx: &dyn TemplateContext) -> Result<String, TemplateError> {
        self.execute_with(ctx, false)
    }

    /// Executes as `docker inspect` does: a field path that goes on from a key the
    /// object lacks fails as Go's `missingkey=error` reports it (the CLI's fallback
    /// over the raw JSON), where a plain table would say "nil pointer".
    pub fn execute_strict(&self, ctx: &dyn TemplateContext) -> Result<String, TemplateError> {
        self.execute_with(ctx, true)
    }

    fn execute_with(
        &self,
        ctx: &dyn TemplateContext,
        strict: bool,
    ) -> Result<String, TemplateError> {
        let mut out = String::new();
        let ex = Exec {
            t: self,
            header: false,
            strict,
        };
        ex.nodes(&self.nodes, &Dot::Ctx(ctx), &mut out)?;
        Ok(out)
    }

    /// Executes as the docker CLI renders a table header: `.Field` looks up `headers`
    /// (`<no value>` when absent) and the string functions return their argument as is.
    pub fn execute_header(
        &self,
        headers: &BTreeMap<String, String>,
    ) -> Result<String, TemplateError> {
        let map: Map<String, Value> = headers
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        let mut out = String::new();
        let ex = Exec {
            t: self,
            header: true,
            strict: false,
        };
        ex.nodes(&self.nodes, &Dot::Val(Val::J(Value::Object(map))), &mut out)?;
        Ok(out)
    }
}

// ---------------------------------------------------------------- execution

#[derive(Clone, Debug)]
enum Val {
    J(Value),
    Missing,
}

enum Dot<'c> {
    Ctx(&'c dyn TemplateContext),
    Val(Val),
}

struct Exec<'t> {
    t: &'t Template,
    header: bool,
    /// `missingkey=error`.
    strict: bool,
}

/// Go's `missingkey=error` message.
fn no_entry(key: &str) -> String {
    format!("map has no entry for key \"{key}\"")
}

fn go_type(v: &Val) -> &'static str {
    match v {
        Val::Missing => "interface {}",
        Val::J(Value::String(_)) => "string",
        Val::J(Value::Bool(_)) => "bool",
        Val::J(Value::Number(n)) if n.is_f64() => "float64",
        Val::J(Value::Number(_)) => "int",
        Val::J(Value::Array(_)) => "[]interface {}",
        Val::J(Value::Object(_)) => "map[string]interface {}",
        Val::J(Value::Null) => "<nil>",
    }
}

fn truthy(v: &Val) -> bool {
    match v {
        Val::Missing | Val::J(Value::Null) => false,
        Val::J(Value::Bool(b)) => *b,
        Val::J(Value::String(s)) => !s.is_empty(),
        Val::J(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        Val::J(Value::Array(a)) => !a.is_empty(),
        Val::J(Value::Object(o)) => !o.is_empty(),
    }
}

/// Go's `fmt.Sprint` of one value.
fn show(v: &Val) -> String {
    match v {
        Val::Missing => "<no value>".into(),
        Val::J(j) => show_json(j),
    }
}

fn show_json(j: &Value) -> String {
    match j {
        Value::Null => "<nil>".into(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(show_json).collect::<Vec<_>>().join(" ")
        ),
        Value::Object(o) => format!(
            "map[{}]",
            o.iter()
                .map(|(k, v)| format!("{k}:{}", show_json(v)))
                .collect::<Vec<_>>()
                .join(" ")
        ),
    }
}

impl Exec<'_> {
    fn err(&self, pos: usize, node: &str, msg: impl Into<String>) -> TemplateError {
        let src = &self.t.source;
        let pos = pos.min(src.len());
        let before = &src[..pos];
        let col = match before.rfind('\n') {
            Some(nl) => pos - nl - 1,
            None => pos,
        };
        TemplateError::Exec {
            name: self.t.name.clone(),
            line: 1 + before.matches('\n').count(),
            col,
            node: node.to_string(),
            msg: msg.into(),
        }
    }

    fn nodes(&self, nodes: &[Node], dot: &Dot<'_>, out: &mut String) -> Result<(), TemplateError> {
        for n in nodes {
            match n {
                Node::Text(t) => out.push_str(t),
                Node::Action(p) => {
                    let v = self.pipe(p, dot)?;
                    out.push_str(&show(&v));
                }
                Node::If(p, then, els) => {
                    let v = self.pipe(p, dot)?;
                    self.nodes(if truthy(&v) { then } else { els }, dot, out)?;
                }
                Node::With(p, then, els) => {
                    let v = self.pipe(p, dot)?;
                    if truthy(&v) {
                        self.nodes(then, &Dot::Val(v), out)?;
                    } else {
                        self.nodes(els, dot, out)?;
                    }
                }
                Node::Range(p, body, els) => {
                    let v = self.pipe(p, dot)?;
                    let items: Vec<Value> = match &v {
                        Val::J(Value::Array(a)) => a.clone(),
                        Val::J(Value::Object(o)) => o.values().cloned().collect(),
                        Val::J(Value::Null) | Val::Missing => Vec::new(),
                        Val::J(Value::Number(n)) if n.as_i64().is_some() => {
                            (0..n.as_i64().unwrap_or(0)).map(Value::from).collect()
                        }
                        other => {
                            let (pos, node) = pipe_node(p);
                            return Err(self.err(
                                pos,
                                &node,
                                format!("range can't iterate over {}", show(other)),
                            ));
                        }
                    };
                    if items.is_empty() {
                        self.nodes(els, dot, out)?;
                    }
                    for it in items {
                        self.nodes(body, &Dot::Val(Val::J(it)), out)?;
                    }
                }
            }
        }
        Ok(())
    }

    fn pipe(&self, p: &Pipe, dot: &Dot<'_>) -> Result<Val, TemplateError> {
        let mut last: Option<Val> = None;
        for c in &p.cmds {
            last = Some(self.cmd(c, dot, last)?);
        }
        Ok(last.unwrap_or(Val::Missing))
    }

    fn cmd(&self, c: &Cmd, dot: &Dot<'_>, piped: Option<Val>) -> Result<Val, TemplateError> {
        match &c.args[0] {
            Arg::Func { name, pos } => {
                let mut args = Vec::new();
                for a in &c.args[1..] {
                    args.push(self.arg(a, dot)?);
                }
                if let Some(v) = piped {
                    args.push(v);
                }
                self.call(name, *pos, args, dot)
            }
            first => {
                if c.args.len() > 1 || piped.is_some() {
                    let (pos, node) = arg_node(first);
                    return Err(self.err(
                        pos,
                        &node,
                        format!("can't give argument to non-function {node}"),
                    ));
                }
                self.arg(first, dot)
            }
        }
    }

    fn arg(&self, a: &Arg, dot: &Dot<'_>) -> Result<Val, TemplateError> {
        Ok(match a {
            Arg::Dot => match dot {
                Dot::Ctx(c) => Val::J(c.to_json()),
                Dot::Val(v) => v.clone(),
            },
            Arg::Str(s) => Val::J(Value::String(s.clone())),
            Arg::Int(i) => Val::J(Value::from(*i)),
            Arg::Float(f) => Val::J(Value::from(*f)),
            Arg::Bool(b) => Val::J(Value::Bool(*b)),
            Arg::Nil => Val::J(Value::Null),
            Arg::Sub(p) => self.pipe(p, dot)?,
            Arg::Func { name, pos } => self.call(name, *pos, Vec::new(), dot)?,
            Arg::Field { names, pos, text } => {
                let mut cur = match dot {
                    Dot::Ctx(c) => match c.field(&names[0]) {
                        Some(v) => Val::J(v),
                        None if self.strict => {
                            return Err(self.err(*pos, text, no_entry(&names[0])));
                        }
                        None => {
                            return Err(self.err(
                                *pos,
                                text,
                                format!(
                                    "can't evaluate field {} in type {}",
                                    names[0],
                                    c.type_name()
                                ),
                            ));
                        }
                    },
                    Dot::Val(v) => self.step(v.clone(), &names[0], *pos, text)?,
                };
                for (i, n) in names.iter().enumerate().skip(1) {
                    // Going on from a key the object lacks: the typed struct's nil
                    // pointer, which the CLI's raw fallback reports as the missing key.
                    // A missing last key stays `<no value>`: the daemon's struct has
                    // fields this JSON leaves out.
                    if self.strict && matches!(cur, Val::Missing) {
                        return Err(self.err(*pos, text, no_entry(&names[i - 1])));
                    }
                    cur = self.step(cur, n, *pos, text)?;
                }
                cur
            }
        })
    }

    fn step(&self, v: Val, name: &str, pos: usize, text: &str) -> Result<Val, TemplateError> {
        match v {
            Val::J(Value::Object(mut o)) => Ok(o.remove(name).map_or(Val::Missing, Val::J)),
            Val::Missing | Val::J(Value::Null) => Err(self.err(
                pos,
                text,
                format!("nil pointer evaluating interface {{}}.{name}"),
            )),
            other => Err(self.err(
                pos,
                text,
                format!("can't evaluate field {name} in type {}", go_type(&other)),
            )),
        }
    }

    fn call(
        &self,
        name: &str,
        pos: usize,
        args: Vec<Val>,
        _dot: &Dot<'_>,
    ) -> Result<Val, TemplateError> {
        let want = match name {
            "json" | "title" | "lower" | "upper" | "len" | "not" => Some(1),
            "split" | "join" | "truncate" | "eq" | "ne" => Some(2),
            "pad" => Some(3),
            _ => None,
        };
        if let Some(w) = want
            && args.len() != w
        {
            return Err(self.err(
                pos,
                name,
                format!(
                    "wrong number of args for {name}: want {w} got {}",
                    args.len()
                ),
            ));
        }
        let string = |v: &Val| -> Result<String, TemplateError> {
            match v {
                Val::J(Value::String(s)) => Ok(s.clone()),
                other => Err(self.err(
                    pos,
                    name,
                    format!(
                        "wrong type for value; expected string; got {}",
                        go_type(other)
                    ),
                )),
            }
        };
        let int = |v: &Val| -> Result<i64, TemplateError> {
            match v {
                Val::J(Value::Number(n)) if n.as_i64().is_some() => Ok(n.as_i64().unwrap_or(0)),
                other => Err(self.err(
                    pos,
                    name,
                    format!("wrong type for value; expected int; got {}", go_type(other)),
                )),
            }
        };
        let s = |x: String| Ok(Val::J(Value::String(x)));
        if self.header
            && matches!(
                name,
                "json" | "split" | "join" | "title" | "lower" | "upper" | "truncate"
            )
        {
            return s(show(&args[0]));
        }
        match name {
            "json" => s(match &args[0] {
                Val::J(j) => serde_json::to_string(j).unwrap_or_default(),
                Val::Missing => "null".into(),
            }),
            "split" => {
                let (a, sep) = (string(&args[0])?, string(&args[1])?);
                let parts: Vec<Value> = if sep.is_empty() {
                    a.chars().map(|c| Value::String(c.to_string())).collect()
                } else {
                    a.split(sep.as_str())
                        .map(|p| Value::String(p.to_string()))
                        .collect()
                };
                Ok(Val::J(Value::Array(parts)))
            }
            "join" => {
                let sep = string(&args[1])?;
                match &args[0] {
                    Val::J(Value::Array(a)) => {
                        let mut parts = Vec::new();
                        for x in a {
                            parts.push(string(&Val::J(x.clone()))?);
                        }
                        s(parts.join(&sep))
                    }
                    other => Err(self.err(
                        pos,
                        name,
                        format!(
                            "wrong type for value; expected []string; got {}",
                            go_type(other)
                        ),
                    )),
                }
            }
            "title" => s(go_title(&string(&args[0])?)),
            "lower" => s(string(&args[0])?.to_lowercase()),
            "upper" => s(string(&args[0])?.to_uppercase()),
            "pad" => {
                let src = string(&args[0])?;
                let (pre, suf) = (int(&args[1])?, int(&args[2])?);
                if src.is_empty() {
                    return s(src);
                }
                s(format!(
                    "{}{src}{}",
                    " ".repeat(pre.max(0) as usize),
                    " ".repeat(suf.max(0) as usize)
                ))
            }
            "truncate" => {
                let src = string(&args[0])?;
                let n = int(&args[1])?;
                if n < 0 || (src.len() as i64) < n {
                    return s(src);
                }
                let mut end = n as usize;
                while !src.is_char_boundary(end) {
                    end -= 1;
                }
                s(src[..end].to_string())
            }
            "print" | "println" => {
                let mut o = String::new();
                for (i, a) in args.iter().enumerate() {
                    let is_str = |v: &Val| matches!(v, Val::J(Value::String(_)));
                    if i > 0 && (name == "println" || (!is_str(a) && !is_str(&args[i - 1]))) {
                        o.push(' ');
                    }
                    let _ = write!(o, "{}", show(a));
                }
                if name == "println" {
                    o.push('\n');
                }
                s(o)
            }
            "len" => match &args[0] {
                Val::J(Value::String(x)) => Ok(Val::J(Value::from(x.len()))),
                Val::J(Value::Array(a)) => Ok(Val::J(Value::from(a.len()))),
                Val::J(Value::Object(o)) => Ok(Val::J(Value::from(o.len()))),
                other => Err(self.err(
                    pos,
                    name,
                    format!("error calling len: len of type {}", go_type(other)),
                )),
            },
            "index" => {
                let mut cur = args.first().cloned().unwrap_or(Val::Missing);
                for k in args.iter().skip(1) {
                    cur = match (&cur, k) {
                        (Val::J(Value::Array(a)), Val::J(Value::Number(n))) => {
                            match n.as_u64().and_then(|i| a.get(i as usize)) {
                                Some(v) => Val::J(v.clone()),
                                None => {
                                    return Err(self.err(
                                        pos,
                                        name,
                                        format!("error calling index: index out of range: {n}"),
                                    ));
                                }
                            }
                        }
                        (Val::J(Value::Object(o)), Val::J(Value::String(key))) => {
                            o.get(key).cloned().map_or(Val::Missing, Val::J)
                        }
                        _ => {
                            return Err(self.err(
                                pos,
                                name,
                                format!(
                                    "error calling index: can't index item of type {}",
                                    go_type(&cur)
                                ),
                            ));
                        }
                    };
                }
                Ok(cur)
            }
            "eq" | "ne" => {
                let same = match (&args[0], &args[1]) {
                    (Val::J(a), Val::J(b)) => a == b,
                    _ => false,
                };
                Ok(Val::J(Value::Bool(same == (name == "eq"))))
            }
            "not" => Ok(Val::J(Value::Bool(!truthy(&args[0])))),
            "and" | "or" => {
                if args.is_empty() {
                    return Err(self.err(
                        pos,
                        name,
                        format!("wrong number of args for {name}: want at least 1 got 0"),
                    ));
                }
                for a in &args {
                    if truthy(a) != (name == "and") {
                        return Ok(a.clone());
                    }
                }
                Ok(args.last().cloned().unwrap_or(Val::Missing))
            }
            _ => Err(self.err(pos, name, format!("function {name:?} not defined"))),
        }
    }
}

fn arg_node(a: &Arg) -> (usize, String) {
    match a {
        Arg::Field { pos, text, .. } => (*pos, text.clone()),
        Arg::Func { pos, name } => (*pos, name.clone()),
        Arg::Dot => (0, ".".into()),
        _ => (0, String::new()),
    }
}

fn pipe_node(p: &Pipe) -> (usize, String) {
    match p.cmds.last().and_then(|c| c.args.first()) {
        Some(a) => arg_node(a),
        None => (p.pos, String::new()),
    }
}

/// Go's `strings.Title`: upper-cases the first letter of each word.
fn go_title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev_sep = true;
    for c in s.chars() {
        if prev_sep {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        prev_sep = if c.is_ascii() {
            !(c.is_ascii_alphanumeric() || c == '_')
        } else {
            c.is_whitespace()
        };
    }
    out
}

// ---------------------------------------------------------------- the formatter

/// How `--format` was given, after Docker's keyword handling.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Format {
    /// `table ...`: header row plus aligned rows (the text after `table`).
    Table(String),
    /// Anything else: one template execution per row, each followed by a newline.
    Raw(String),
}

impl Format {
    /// Reads a `--format` value: `json` is `{{json .}}`; a `table` prefix makes a table;
    /// `table` alone is the command's default table (`default_table`). Then, as the CLI's
    /// `preFormat`, spaces are trimmed and the two-character sequences `\t` and `\n`
    /// become a tab and a newline.
    pub fn parse(format: &str, default_table: &str) -> Format {
        let unescape = |s: &str| {
            s.trim_matches(' ')
                .replace("\\t", "\t")
                .replace("\\n", "\n")
        };
        if format == "json" {
            return Format::Raw("{{json .}}".into());
        }
        if format.is_empty() || format == "table" {
            if default_table.is_empty() || default_table == "table" {
                return Format::Table(String::new());
            }
            return Format::parse(default_table, "");
        }
        match format.strip_prefix("table") {
            Some(rest) => Format::Table(unescape(rest)),
            None => Format::Raw(unescape(format)),
        }
    }
}

/// Renders rows as `docker COMMAND --format FORMAT` does: see [`Format::parse`];
/// `headers` maps field names to column titles (`ID` → `CONTAINER ID` for containers,
/// `IMAGE ID` for images). Template errors are Go's text, without Docker's prefix.
pub fn render(
    format: &str,
    default_table: &str,
    headers: &BTreeMap<String, String>,
    rows: &[&dyn TemplateContext],
) -> Result<String, TemplateError> {
    render_with(&Format::parse(format, default_table), headers, rows)
}

/// [`render`] with an already-read [`Format`].
pub fn render_with(
    format: &Format,
    headers: &BTreeMap<String, String>,
    rows: &[&dyn TemplateContext],
) -> Result<String, TemplateError> {
    let (src, table) = match format {
        Format::Table(s) => (s, true),
        Format::Raw(s) => (s, false),
    };
    let t = Template::parse("", src)?;
    let mut body = String::new();
    for r in rows {
        body.push_str(&t.execute(*r)?);
        body.push('\n');
    }
    if !table {
        return Ok(body);
    }
    let mut text = t.execute_header(headers)?;
    text.push('\n');
    text.push_str(&body);
    Ok(tabwrite(&text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const CONTAINER: &str = "*formatter.ContainerContext";

    fn row(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => unreachable!(),
        }
    }

    fn exec(src: &str, fields: &Map<String, Value>) -> Result<String, String> {
        let t = Template::parse("", src).map_err(|e| e.to_string())?;
        t.execute(&MapContext {
            type_name: CONTAINER,
            fields,
        })
        .map_err(|e| e.to_string())
    }

    fn ps_headers() -> BTreeMap<String, String> {
        [
            ("ID", "CONTAINER ID"),
            ("Image", "IMAGE"),
            ("Command", "COMMAND"),
            ("RunningFor", "CREATED"),
            ("Status", "STATUS"),
            ("Ports", "PORTS"),
            ("Names", "NAMES"),
            ("Size", "SIZE"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    const PS_DEFAULT: &str = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";

    #[test]
    fn fields_functions_and_literals() {
        let r = row(
            json!({"ID": "0123456789ab", "Names": "focused_turing", "Image": "alpine:3.19",
            "Labels": "a=1,b=2", "Mounts": ["x", "y"], "Size": 12}),
        );
        assert_eq!(exec("{{.ID}}", &r).unwrap(), "0123456789ab");
        assert_eq!(
            exec("{{.Image}}:{{.Names}}", &r).unwrap(),
            "alpine:3.19:focused_turing"
        );
        assert_eq!(exec("{{upper .Names}}", &r).unwrap(), "FOCUSED_TURING");
        assert_eq!(exec("{{.Names | upper}}", &r).unwrap(), "FOCUSED_TURING");
        assert_eq!(
            exec("{{lower \"ABC\"}} {{title \"hello world\"}}", &r).unwrap(),
            "abc Hello World"
        );
        assert_eq!(exec("{{truncate .ID 4}}", &r).unwrap(), "0123");
        assert_eq!(exec("{{truncate .ID 40}}", &r).unwrap(), "0123456789ab");
        assert_eq!(
            exec("{{pad .Names 1 2}}|", &r).unwrap(),
            " focused_turing  |"
        );
        assert_eq!(exec("{{json .Names}}", &r).unwrap(), "\"focused_turing\"");
        assert_eq!(exec("{{json .Mounts}}", &r).unwrap(), "[\"x\",\"y\"]");
        assert_eq!(exec("{{split .Labels \",\"}}", &r).unwrap(), "[a=1 b=2]");
        assert_eq!(
            exec("{{join (split .Labels \",\") \";\"}}", &r).unwrap(),
            "a=1;b=2"
        );
        assert_eq!(
            exec("{{range .Mounts}}[{{.}}]{{end}}", &r).unwrap(),
            "[x][y]"
        );
        assert_eq!(
            exec("{{if .Names}}yes{{else}}no{{end}}", &r).unwrap(),
            "yes"
        );
        assert_eq!(
            exec("{{if .Nope2}}{{end}}", &r).unwrap_err(),
            "template: :1:5: executing \"\" at <.Nope2>: can't evaluate field Nope2 in type *formatter.ContainerContext"
        );
        assert_eq!(
            exec(
                "{{if eq .Size 3}}a{{else if eq .Size 12}}b{{else}}c{{end}}",
                &r
            )
            .unwrap(),
            "b"
        );
        assert_eq!(exec("{{println .ID}}|", &r).unwrap(), "0123456789ab\n|");
        assert_eq!(exec("{{.Size}} {{len .Mounts}}", &r).unwrap(), "12 2");
        assert_eq!(exec("a\tb {{- \"  x\" -}} c", &r).unwrap(), "a\tb  xc");
        assert_eq!(exec("{{/* note */}}ok", &r).unwrap(), "ok");
        assert_eq!(exec("{{json .}}", &r).unwrap().chars().next(), Some('{'));
    }

    #[test]
    fn inspect_reports_a_path_through_a_missing_key_as_the_cli_does() {
        // Captured from `docker inspect -f` (docker 28.2.2) on a container without a
        // health check, minus the "template parsing error: " prefix.
        let fields = row(json!({"State": {"Status": "running"}}));
        let strict = |src: &str| {
            Template::parse("", src)
                .unwrap()
                .execute_strict(&MapContext {
                    type_name: "map[string]interface {}",
                    fields: &fields,
                })
                .map_err(|e| e.to_string())
        };
        assert_eq!(
            strict("{{.State.Health.Status}}").unwrap_err(),
            "template: :1:8: executing \"\" at <.State.Health.Status>: map has no entry for key \"Health\""
        );
        assert_eq!(
            strict("{{.Foo}}").unwrap_err(),
            "template: :1:2: executing \"\" at <.Foo>: map has no entry for key \"Foo\""
        );
        assert_eq!(
            strict("{{.State.Status}} {{json .State.Health}}").unwrap(),
            "running null"
        );
        assert_eq!(strict("{{.State.Pid}}").unwrap(), "<no value>");
    }

    #[test]
    fn errors_read_like_docker() {
        // Captured from `docker ps --format ...` (docker 28.2.2), minus its
        // "failed to execute template: " / "failed to parse template: " prefix.
        let r = row(json!({"ID": "", "Names": "", "Labels": ""}));
        assert_eq!(
            exec("{{.Foo}}", &r).unwrap_err(),
            "template: :1:2: executing \"\" at <.Foo>: can't evaluate field Foo in type *formatter.ContainerContext"
        );
        assert_eq!(
            exec("table {{.Foo}}", &r).unwrap_err(),
            "template: :1:8: executing \"\" at <.Foo>: can't evaluate field Foo in type *formatter.ContainerContext"
        );
        assert_eq!(
            exec("{{.ID}} {{.Foo.Bar}}", &r).unwrap_err(),
            "template: :1:14: executing \"\" at <.Foo.Bar>: can't evaluate field Foo in type *formatter.ContainerContext"
        );
        assert_eq!(
            exec("{{range .Names}}{{end}}", &r).unwrap_err(),
            "template: :1:8: executing \"\" at <.Names>: range can't iterate over "
        );
        assert_eq!(
            exec("{{.Labels.foo}}", &r).unwrap_err(),
            "template: :1:9: executing \"\" at <.Labels.foo>: can't evaluate field foo in type string"
        );
        assert_eq!(
            exec("{{truncate .ID}}", &r).unwrap_err(),
            "template: :1:2: executing \"\" at <truncate>: wrong number of args for truncate: want 2 got 1"
        );
        assert_eq!(
            exec("{{json}}", &r).unwrap_err(),
            "template: :1:2: executing \"\" at <json>: wrong number of args for json: want 1 got 0"
        );
        assert_eq!(
            exec("{{.ID", &r).unwrap_err(),
            "template: :1: unclosed action"
        );
        assert_eq!(
            exec("{{foo .ID}}", &r).unwrap_err(),
            "template: :1: function \"foo\" not defined"
        );
        assert_eq!(
            exec("table {{.ID}} {{end}}", &r).unwrap_err(),
            "template: :1: unexpected {{end}}"
        );
        assert_eq!(
            exec("{{if .ID}}x", &r).unwrap_err(),
            "template: :1: unexpected EOF"
        );
    }

    #[test]
    fn tables_like_docker() {
        let h = ps_headers();
        // `docker ps -a` on an empty daemon.
        assert_eq!(
            render("", PS_DEFAULT, &h, &[]).unwrap(),
            "CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n"
        );
        assert_eq!(
            render("table", PS_DEFAULT, &h, &[]).unwrap(),
            "CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n"
        );
        assert_eq!(
            render("table {{.ID}}\\t{{.Names}}", PS_DEFAULT, &h, &[]).unwrap(),
            "CONTAINER ID   NAMES\n"
        );
        // Header functions return their argument; pad is not overridden.
        assert_eq!(
            render(
                "table {{upper .Names}}\\t{{json .ID}}\\t{{truncate .Image 3}}\\t{{.Size}}|",
                PS_DEFAULT,
                &h,
                &[]
            )
            .unwrap(),
            "NAMES     CONTAINER ID   IMAGE     SIZE|\n"
        );
        // An unknown field in a header is "<no value>" (docker images --format 'table {{.Foo}}\t{{.ID}}').
        let mut ih = h.clone();
        ih.insert("ID".into(), "IMAGE ID".into());
        assert_eq!(
            render("table {{.Foo}}\\t{{.ID}}", "", &ih, &[]).unwrap(),
            "<no value>   IMAGE ID\n"
        );
        let a = row(
            json!({"ID": "0123456789ab", "Image": "alpine", "Command": "\"sh\"",
            "RunningFor": "2 minutes ago", "Status": "Up 2 minutes", "Ports": "", "Names": "zen_tu"}),
        );
        let b = row(
            json!({"ID": "ba9876543210", "Image": "localhost:5000/mynmap:1.0", "Command": "\"nmap localhost\"",
            "RunningFor": "3 hours ago", "Status": "Exited (0) 3 hours ago", "Ports": "0.0.0.0:5000->5000/tcp", "Names": "x"}),
        );
        let ca = MapContext {
            type_name: CONTAINER,
            fields: &a,
        };
        let cb = MapContext {
            type_name: CONTAINER,
            fields: &b,
        };
        assert_eq!(
            render("", PS_DEFAULT, &h, &[&ca, &cb]).unwrap(),
            "CONTAINER ID   IMAGE                       COMMAND            CREATED         STATUS                   PORTS                    NAMES\n\
             0123456789ab   alpine                      \"sh\"               2 minutes ago   Up 2 minutes                                      zen_tu\n\
             ba9876543210   localhost:5000/mynmap:1.0   \"nmap localhost\"   3 hours ago     Exited (0) 3 hours ago   0.0.0.0:5000->5000/tcp   x\n"
        );
        assert_eq!(
            render("{{.Names}}", PS_DEFAULT, &h, &[&ca, &cb]).unwrap(),
            "zen_tu\nx\n"
        );
        assert_eq!(
            render("  {{.Names}}\\n  ", PS_DEFAULT, &h, &[&ca]).unwrap(),
            "zen_tu\n\n"
        );
        assert!(
            render("json", PS_DEFAULT, &h, &[&ca])
                .unwrap()
                .starts_with("{\"Command\":")
        );
        assert_eq!(render("{{.Names}}", PS_DEFAULT, &h, &[]).unwrap(), "");
    }
}

//! `awk`: the language as images' scripts and one-liners use it — BEGIN/END, patterns,
//! fields, variables and arrays, `print`/`printf`, `if`/`while`/`for`/`for-in`, regular
//! expressions with `~`, and the common built-ins (`length`, `substr`, `index`, `split`,
//! `sub`, `gsub`, `tolower`, `toupper`, `sprintf`), over files or stdin.

use super::{Ctx, Streams, write_err};
use std::collections::HashMap;

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(f64),
    Str(String),
    Regex(String),
    Ident(String),
    Func(String),
    Op(&'static str),
    Newline,
    Eof,
}

const OPS: &[&str] = &[
    "+=", "-=", "*=", "/=", "%=", "==", "!=", "<=", ">=", "&&", "||", "++", "--", "!~", "{", "}",
    "(", ")", "[", "]", ";", ",", "+", "-", "*", "/", "%", "=", "<", ">", "!", "~", "?", ":", "$",
];

const KEYWORDS: &[&str] = &[
    "BEGIN", "END", "print", "printf", "if", "else", "while", "for", "in", "next", "exit",
    "delete", "getline", "do", "break", "continue", "return",
];

const BUILTINS: &[&str] = &[
    "length", "substr", "index", "split", "sub", "gsub", "tolower", "toupper", "sprintf", "int",
    "match",
];

fn lex(src: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = src.chars().collect();
    let mut out: Vec<Tok> = Vec::new();
    let mut i = 0;
    // A `/` starts a regex where an operand is expected.
    let operand_expected = |out: &Vec<Tok>| match out.last() {
        None => true,
        Some(Tok::Num(_) | Tok::Str(_) | Tok::Regex(_) | Tok::Ident(_)) => false,
        Some(Tok::Op(op)) => !matches!(*op, ")" | "]" | "++" | "--" | "$"),
        _ => true,
    };
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' && chars.get(i + 1) == Some(&'\n') {
            i += 2;
        } else if c == ' ' || c == '\t' || c == '\r' {
            i += 1;
        } else if c == '\n' {
            out.push(Tok::Newline);
            i += 1;
        } else if c == '#' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '"' {
            let mut s = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err("runaway string constant".into()),
                    Some('"') => break,
                    Some('\\') => {
                        i += 1;
                        match chars.get(i) {
                            Some('n') => s.push('\n'),
                            Some('t') => s.push('\t'),
                            Some('\\') => s.push('\\'),
                            Some('"') => s.push('"'),
                            Some('/') => s.push('/'),
                            Some(other) => {
                                s.push('\\');
                                s.push(*other);
                            }
                            None => return Err("runaway string constant".into()),
                        }
                    }
                    Some(other) => s.push(*other),
                }
                i += 1;
            }
            i += 1;
            out.push(Tok::Str(s));
        } else if c == '/' && operand_expected(&out) {
            let mut s = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None | Some('\n') => return Err("runaway regular expression".into()),
                    Some('/') => break,
                    Some('\\') if chars.get(i + 1) == Some(&'/') => {
                        s.push('/');
                        i += 1;
                    }
                    Some(other) => s.push(*other),
                }
                i += 1;
            }
            i += 1;
            out.push(Tok::Regex(s));
        } else if c.is_ascii_digit()
            || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '.') {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            out.push(Tok::Num(
                text.parse().map_err(|_| format!("bad number {text}"))?,
            ));
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            if BUILTINS.contains(&word.as_str()) {
                out.push(Tok::Func(word));
            } else {
                out.push(Tok::Ident(word));
            }
        } else {
            let rest: String = chars[i..chars.len().min(i + 2)].iter().collect();
            let Some(op) = OPS.iter().find(|op| rest.starts_with(**op)) else {
                return Err(format!(
                    "syntax error at source line 1: unexpected character '{c}'"
                ));
            };
            i += op.len();
            out.push(Tok::Op(op));
        }
    }
    out.push(Tok::Eof);
    Ok(out)
}

#[derive(Clone, Debug)]
enum Expr {
    Num(f64),
    Str(String),
    Regex(String),
    Var(String),
    Field(Box<Expr>),
    Index(String, Box<Expr>),
    In(Box<Expr>, String),
    Assign(Box<Expr>, Option<&'static str>, Box<Expr>),
    Incr(Box<Expr>, f64, bool),
    Unary(&'static str, Box<Expr>),
    Binary(&'static str, Box<Expr>, Box<Expr>),
    Concat(Box<Expr>, Box<Expr>),
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    Call(String, Vec<Expr>),
    Group(Box<Expr>),
}

#[derive(Clone, Debug)]
enum Stmt {
    Print(Vec<Expr>),
    Printf(Vec<Expr>),
    Expr(Expr),
    If(Expr, Box<Stmt>, Option<Box<Stmt>>),
    While(Expr, Box<Stmt>),
    For(Option<Expr>, Option<Expr>, Option<Expr>, Box<Stmt>),
    ForIn(String, String, Box<Stmt>),
    Block(Vec<Stmt>),
    Delete(String, Option<Expr>),
    Next,
    Exit(Option<Expr>),
    Break,
    Continue,
}

enum Pattern {
    Begin,
    End,
    All,
    Expr(Expr),
}

/// A program's items: patterns and their actions.
type Program = Vec<(Pattern, Option<Vec<Stmt>>)>;

fn parse(source: &str) -> PResult<Program> {
    Parser {
        toks: lex(source)?,
        pos: 0,
        depth: 0,
    }
    .program()
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
    /// Nesting of expressions and statements, bounded so no program overflows the stack.
    depth: usize,
}

const MAX_DEPTH: usize = 200;
/// The most fields a record may be given, and the widest a `printf` field may be.
const MAX_FIELDS: usize = 100_000;

type PResult<T> = Result<T, String>;

impl Parser {
    fn peek(&self) -> &Tok {
        &self.toks[self.pos]
    }
    fn next(&mut self) -> Tok {
        let t = self.toks[self.pos].clone();
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
        t
    }
    fn is_op(&self, op: &str) -> bool {
        matches!(self.peek(), Tok::Op(o) if *o == op)
    }
    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Tok::Ident(x) if x == w)
    }
    fn expect(&mut self, op: &str) -> PResult<()> {
        if self.is_op(op) {
            self.next();
            Ok(())
        } else {
            Err(self.error())
        }
    }
    fn error(&self) -> String {
        let near = match self.peek() {
            Tok::Num(n) => n.to_string(),
            Tok::Str(s) | Tok::Regex(s) | Tok::Ident(s) | Tok::Func(s) => s.clone(),
            Tok::Op(o) => o.to_string(),
            Tok::Newline => "newline".into(),
            Tok::Eof => "end of file".into(),
        };
        format!("syntax error at source line 1 near {near}")
    }
    fn newlines(&mut self) {
        while matches!(self.peek(), Tok::Newline) || self.is_op(";") {
            self.next();
        }
    }

    fn program(&mut self) -> PResult<Program> {
        let mut items = Vec::new();
        self.newlines();
        while *self.peek() != Tok::Eof {
            let pattern = if self.is_word("BEGIN") {
                self.next();
                Pattern::Begin
            } else if self.is_word("END") {
                self.next();
                Pattern::End
            } else if self.is_op("{") {
                Pattern::All
            } else {
                Pattern::Expr(self.expr()?)
            };
            let action = if self.is_op("{") {
                Some(self.block()?)
            } else {
                None
            };
            items.push((pattern, action));
            self.newlines();
        }
        Ok(items)
    }

    fn block(&mut self) -> PResult<Vec<Stmt>> {
        self.expect("{")?;
        let mut stmts = Vec::new();
        self.newlines();
        while !self.is_op("}") {
            if *self.peek() == Tok::Eof {
                return Err(self.error());
            }
            stmts.push(self.stmt()?);
            self.newlines();
        }
        self.next();
        Ok(stmts)
    }

    fn simple_end(&mut self) -> PResult<()> {
        match self.peek() {
            Tok::Newline | Tok::Eof => Ok(()),
            Tok::Op(";") => {
                self.next();
                Ok(())
            }
            Tok::Op("}") => Ok(()),
            _ => Err(self.error()),
        }
    }

    fn body(&mut self) -> PResult<Box<Stmt>> {
        while matches!(self.peek(), Tok::Newline) {
            self.next();
        }
        Ok(Box::new(self.stmt()?))
    }

    fn stmt(&mut self) -> PResult<Stmt> {
        self.nested(Self::stmt_inner)
    }

    fn stmt_inner(&mut self) -> PResult<Stmt> {
        if self.is_op("{") {
            return Ok(Stmt::Block(self.block()?));
        }
        let word = match self.peek() {
            Tok::Ident(w) if KEYWORDS.contains(&w.as_str()) => w.clone(),
            _ => {
                let e = self.expr()?;
                self.simple_end()?;
                return Ok(Stmt::Expr(e));
            }
        };
        self.next();
        let stmt = match word.as_str() {
            "print" | "printf" => {
                let mut args = Vec::new();
                let parens = self.is_op("(");
                if !matches!(self.peek(), Tok::Newline | Tok::Eof | Tok::Op(";" | "}")) {
                    args.push(self.expr_no_gt()?);
                    while self.is_op(",") {
                        self.next();
                        args.push(self.expr_no_gt()?);
                    }
                }
                // `print (a, b)`: the grouping parses as one argument list.
                if parens
                    && args.len() == 1
                    && let Expr::Call(name, inner) = &args[0]
                    && name == "("
                {
                    args = inner.clone();
                }
                if self.is_op(">") {
                    return Err("output redirection is not available here".into());
                }
                self.simple_end()?;
                if word == "print" {
                    Stmt::Print(args)
                } else {
                    Stmt::Printf(args)
                }
            }
            "if" => {
                self.expect("(")?;
                let c = self.expr()?;
                self.expect(")")?;
                let then = self.body()?;
                let save = self.pos;
                self.newlines();
                if self.is_word("else") {
                    self.next();
                    Stmt::If(c, then, Some(self.body()?))
                } else {
                    self.pos = save;
                    Stmt::If(c, then, None)
                }
            }
            "while" => {
                self.expect("(")?;
                let c = self.expr()?;
                self.expect(")")?;
                Stmt::While(c, self.body()?)
            }
            "for" => {
                self.expect("(")?;
                let at = |i: usize| self.toks.get(self.pos + i).cloned().unwrap_or(Tok::Eof);
                if let (Tok::Ident(k), Tok::Ident(kw), Tok::Ident(arr), Tok::Op(")")) =
                    (at(0), at(1), at(2), at(3))
                    && kw == "in"
                {
                    self.pos += 4;
                    return Ok(Stmt::ForIn(k, arr, self.body()?));
                }
                let init = if self.is_op(";") {
                    None
                } else {
                    Some(self.expr()?)
                };
                self.expect(";")?;
                let cond = if self.is_op(";") {
                    None
                } else {
                    Some(self.expr()?)
                };
                self.expect(";")?;
                let step = if self.is_op(")") {
                    None
                } else {
                    Some(self.expr()?)
                };
                self.expect(")")?;
                Stmt::For(init, cond, step, self.body()?)
            }
            "delete" => {
                let Tok::Ident(name) = self.next() else {
                    return Err(self.error());
                };
                let key = if self.is_op("[") {
                    self.next();
                    let k = self.expr()?;
                    self.expect("]")?;
                    Some(k)
                } else {
                    None
                };
                self.simple_end()?;
                Stmt::Delete(name, key)
            }
            "next" => {
                self.simple_end()?;
                Stmt::Next
            }
            "break" => {
                self.simple_end()?;
                Stmt::Break
            }
            "continue" => {
                self.simple_end()?;
                Stmt::Continue
            }
            "exit" => {
                let code = if matches!(self.peek(), Tok::Newline | Tok::Eof | Tok::Op(";" | "}")) {
                    None
                } else {
                    Some(self.expr()?)
                };
                self.simple_end()?;
                Stmt::Exit(code)
            }
            _ => return Err(format!("{word} is not available here")),
        };
        Ok(stmt)
    }

    fn expr(&mut self) -> PResult<Expr> {
        self.nested(|p| p.ternary(true))
    }

    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> PResult<T>) -> PResult<T> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err("program nests too deeply".into());
        }
        let r = f(self);
        self.depth -= 1;
        r
    }
    /// In `print` arguments a bare `>` is redirection, not comparison.
    fn expr_no_gt(&mut self) -> PResult<Expr> {
        self.ternary(false)
    }

    fn ternary(&mut self, gt: bool) -> PResult<Expr> {
        let c = self.or(gt)?;
        if self.is_op("?") {
            self.next();
            let a = self.ternary(gt)?;
            self.expect(":")?;
            let b = self.ternary(gt)?;
            return Ok(Expr::Cond(Box::new(c), Box::new(a), Box::new(b)));
        }
        if let Some(op) = ["=", "+=", "-=", "*=", "/=", "%="]
            .into_iter()
            .find(|op| self.is_op(op))
            && matches!(c, Expr::Var(_) | Expr::Field(_) | Expr::Index(..))
        {
            self.next();
            let rhs = self.ternary(gt)?;
            let op = (op != "=").then(|| &op[..1]);
            let op = op.map(|o| *OPS.iter().find(|x| **x == o).expect("known op"));
            return Ok(Expr::Assign(Box::new(c), op, Box::new(rhs)));
        }
        Ok(c)
    }

    fn or(&mut self, gt: bool) -> PResult<Expr> {
        let mut l = self.and(gt)?;
        while self.is_op("||") {
            self.next();
            self.newlines_only();
            l = Expr::Binary("||", Box::new(l), Box::new(self.and(gt)?));
        }
        Ok(l)
    }
    fn newlines_only(&mut self) {
        while matches!(self.peek(), Tok::Newline) {
            self.next();
        }
    }
    fn and(&mut self, gt: bool) -> PResult<Expr> {
        let mut l = self.in_expr(gt)?;
        while self.is_op("&&") {
            self.next();
            self.newlines_only();
            l = Expr::Binary("&&", Box::new(l), Box::new(self.in_expr(gt)?));
        }
        Ok(l)
    }
    fn in_expr(&mut self, gt: bool) -> PResult<Expr> {
        let mut l = self.matching(gt)?;
        while self.is_word("in") {
            self.next();
            let Tok::Ident(arr) = self.next() else {
                return Err(self.error());
            };
            l = Expr::In(Box::new(l), arr);
        }
        Ok(l)
    }
    fn matching(&mut self, gt: bool) -> PResult<Expr> {
        let mut l = self.comparison(gt)?;
        while self.is_op("~") || self.is_op("!~") {
            let Tok::Op(op) = self.next() else {
                unreachable!()
            };
            l = Expr::Binary(op, Box::new(l), Box::new(self.comparison(gt)?));
        }
        Ok(l)
    }
    fn comparison(&mut self, gt: bool) -> PResult<Expr> {
        let l = self.concat()?;
        for op in ["==", "!=", "<=", ">=", "<", ">"] {
            if self.is_op(op) && (gt || op != ">") {
                self.next();
                let r = self.concat()?;
                let op = *OPS.iter().find(|x| **x == op).expect("known op");
                return Ok(Expr::Binary(op, Box::new(l), Box::new(r)));
            }
        }
        Ok(l)
    }
    fn starts_operand(&self) -> bool {
        match self.peek() {
            Tok::Num(_) | Tok::Str(_) | Tok::Regex(_) | Tok::Func(_) => true,
            Tok::Ident(w) => !KEYWORDS.contains(&w.as_str()),
            Tok::Op(op) => matches!(*op, "$" | "(" | "!" | "-" | "+" | "++" | "--"),
            _ => false,
        }
    }
    fn concat(&mut self) -> PResult<Expr> {
        let mut l = self.additive()?;
        while self.starts_operand() && !self.is_op("-") && !self.is_op("+") {
            let r = self.additive()?;
            l = Expr::Concat(Box::new(l), Box::new(r));
        }
        Ok(l)
    }
    fn additive(&mut self) -> PResult<Expr> {
        let mut l = self.multiplicative()?;
        while self.is_op("+") || self.is_op("-") {
            let Tok::Op(op) = self.next() else {
                unreachable!()
            };
            l = Expr::Binary(op, Box::new(l), Box::new(self.multiplicative()?));
        }
        Ok(l)
    }
    fn multiplicative(&mut self) -> PResult<Expr> {
        let mut l = self.unary()?;
        while self.is_op("*") || self.is_op("/") || self.is_op("%") {
            let Tok::Op(op) = self.next() else {
                unreachable!()
            };
            l = Expr::Binary(op, Box::new(l), Box::new(self.unary()?));
        }
        Ok(l)
    }
    fn unary(&mut self) -> PResult<Expr> {
        self.nested(Self::unary_inner)
    }

    fn unary_inner(&mut self) -> PResult<Expr> {
        if self.is_op("!") || self.is_op("-") || self.is_op("+") {
            let Tok::Op(op) = self.next() else {
                unreachable!()
            };
            return Ok(Expr::Unary(op, Box::new(self.unary()?)));
        }
        if self.is_op("++") || self.is_op("--") {
            let delta = if self.is_op("++") { 1.0 } else { -1.0 };
            self.next();
            let target = self.postfix()?;
            return Ok(Expr::Incr(Box::new(target), delta, true));
        }
        self.postfix()
    }
    fn postfix(&mut self) -> PResult<Expr> {
        let e = self.primary()?;
        if matches!(e, Expr::Var(_) | Expr::Field(_) | Expr::Index(..))
            && (self.is_op("++") || self.is_op("--"))
        {
            let delta = if self.is_op("++") { 1.0 } else { -1.0 };
            self.next();
            return Ok(Expr::Incr(Box::new(e), delta, false));
        }
        Ok(e)
    }
    fn primary(&mut self) -> PResult<Expr> {
        match self.next() {
            Tok::Num(n) => Ok(Expr::Num(n)),
            Tok::Str(s) => Ok(Expr::Str(s)),
            Tok::Regex(r) => Ok(Expr::Regex(r)),
            Tok::Op("$") => Ok(Expr::Field(Box::new(self.primary_incr()?))),
            Tok::Op("(") => {
                let e = self.expr()?;
                if self.is_op(",") {
                    // `(a, b) in arr` or `print (a, b)`.
                    let mut list = vec![e];
                    while self.is_op(",") {
                        self.next();
                        list.push(self.expr()?);
                    }
                    self.expect(")")?;
                    return Ok(Expr::Call("(".into(), list));
                }
                self.expect(")")?;
                Ok(Expr::Group(Box::new(e)))
            }
            Tok::Func(name) => {
                let mut args = Vec::new();
                if self.is_op("(") {
                    self.next();
                    if !self.is_op(")") {
                        args.push(self.expr()?);
                        while self.is_op(",") {
                            self.next();
                            args.push(self.expr()?);
                        }
                    }
                    self.expect(")")?;
                }
                Ok(Expr::Call(name, args))
            }
            Tok::Ident(name) if !KEYWORDS.contains(&name.as_str()) => {
                if self.is_op("[") {
                    self.next();
                    let mut key = self.expr()?;
                    while self.is_op(",") {
                        self.next();
                        key = Expr::Concat(
                            Box::new(Expr::Concat(
                                Box::new(key),
                                Box::new(Expr::Str("\x1c".into())),
                            )),
                            Box::new(self.expr()?),
                        );
                    }
                    self.expect("]")?;
                    return Ok(Expr::Index(name, Box::new(key)));
                }
                Ok(Expr::Var(name))
            }
            _ => {
                self.pos = self.pos.saturating_sub(1);
                Err(self.error())
            }
        }
    }
    /// `$NF`, `$i++` binds as `($i)++`, `$(i+1)`.
    fn primary_incr(&mut self) -> PResult<Expr> {
        if self.is_op("-") {
            self.next();
            return Ok(Expr::Unary("-", Box::new(self.primary()?)));
        }
        self.primary()
    }
}

/// An awk value: a string, a number, or a string that looks like a number (input).
#[derive(Clone, Debug)]
enum Val {
    Num(f64),
    Str(String),
    StrNum(String),
}

fn looks_numeric(s: &str) -> Option<f64> {
    let t = s.trim();
    if t.is_empty() {
        return None;
    }
    t.parse::<f64>().ok().filter(|n| n.is_finite())
}

fn leading_number(s: &str) -> f64 {
    let t = s.trim_start();
    let mut end = 0;
    let bytes = t.as_bytes();
    let mut seen_dot = false;
    let mut seen_digit = false;
    if end < bytes.len() && (bytes[end] == b'-' || bytes[end] == b'+') {
        end += 1;
    }
    while end < bytes.len() {
        match bytes[end] {
            b'0'..=b'9' => seen_digit = true,
            b'.' if !seen_dot => seen_dot = true,
            _ => break,
        }
        end += 1;
    }
    if !seen_digit {
        return 0.0;
    }
    t[..end].parse().unwrap_or(0.0)
}

fn fmt_num(n: f64) -> String {
    if n == n.trunc() && n.abs() < 1e16 {
        format!("{}", n as i64)
    } else {
        let s = format!("{n:.6e}");
        // %.6g: shortest of fixed and exponent forms with 6 significant digits.
        let exp: i32 = s
            .split('e')
            .nth(1)
            .and_then(|e| e.parse().ok())
            .unwrap_or(0);
        if (-4..6).contains(&exp) {
            let decimals = (5 - exp).max(0) as usize;
            let f = format!("{n:.decimals$}");
            f.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
            let m = m.trim_end_matches('0').trim_end_matches('.');
            let e: i32 = e.parse().unwrap_or(0);
            format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs())
        }
    }
}

impl Val {
    fn num(&self) -> f64 {
        match self {
            Val::Num(n) => *n,
            Val::Str(s) | Val::StrNum(s) => leading_number(s),
        }
    }
    fn str(&self) -> String {
        match self {
            Val::Num(n) => fmt_num(*n),
            Val::Str(s) | Val::StrNum(s) => s.clone(),
        }
    }
    fn truthy(&self) -> bool {
        match self {
            Val::Num(n) => *n != 0.0,
            Val::Str(s) => !s.is_empty(),
            Val::StrNum(s) => looks_numeric(s).map_or(!s.is_empty(), |n| n != 0.0),
        }
    }
    fn numeric(&self) -> bool {
        match self {
            Val::Num(_) => true,
            Val::Str(_) => false,
            Val::StrNum(s) => looks_numeric(s).is_some(),
        }
    }
}

enum Flow {
    Normal,
    Next,
    Exit,
    Break,
    Continue,
}

struct Interp<'a> {
    vars: HashMap<String, Val>,
    arrays: HashMap<String, HashMap<String, Val>>,
    fields: Vec<String>,
    record: String,
    out: &'a mut dyn std::io::Write,
    exit_code: i32,
    regexes: HashMap<String, regex::Regex>,
}

impl<'a> Interp<'a> {
    fn new(out: &'a mut dyn std::io::Write, fs: &str) -> Interp<'a> {
        let mut interp = Interp {
            vars: HashMap::new(),
            arrays: HashMap::new(),
            fields: Vec::new(),
            record: String::new(),
            out,
            exit_code: 0,
            regexes: HashMap::new(),
        };
        for (k, v) in [("FS", fs), ("OFS", " "), ("ORS", "\n"), ("SUBSEP", "\x1c")] {
            interp.vars.insert(k.into(), Val::Str(v.into()));
        }
        interp.vars.insert("NR".into(), Val::Num(0.0));
        interp
    }

    fn var(&self, name: &str) -> Val {
        self.vars
            .get(name)
            .cloned()
            .unwrap_or(Val::StrNum(String::new()))
    }
    fn sval(&self, name: &str) -> String {
        self.var(name).str()
    }

    fn regex(&mut self, pattern: &str) -> Result<regex::Regex, String> {
        if let Some(r) = self.regexes.get(pattern) {
            return Ok(r.clone());
        }
        let r = regex::Regex::new(pattern)
            .map_err(|_| format!("regular expression compile failed ({pattern})"))?;
        self.regexes.insert(pattern.to_string(), r.clone());
        Ok(r)
    }

    fn set_record(&mut self, record: &str) {
        self.record = record.to_string();
        self.split_fields();
    }

    fn split_fields(&mut self) {
        let fs = self.sval("FS");
        self.fields = split_with(&self.record, &fs, &mut self.regexes);
        self.vars
            .insert("NF".into(), Val::Num(self.fields.len() as f64));
    }

    fn rebuild_record(&mut self) {
        let ofs = self.sval("OFS");
        self.record = self.fields.join(&ofs);
    }

    fn field(&self, i: usize) -> Val {
        if i == 0 {
            return Val::StrNum(self.record.clone());
        }
        Val::StrNum(self.fields.get(i - 1).cloned().unwrap_or_default())
    }

    fn set_field(&mut self, i: usize, v: String) -> Result<(), String> {
        if i > MAX_FIELDS {
            return Err(format!("trying to access out of range field {i}"));
        }
        if i == 0 {
            self.set_record(&v);
            return Ok(());
        }
        if self.fields.len() < i {
            self.fields.resize(i, String::new());
        }
        self.fields[i - 1] = v;
        self.vars
            .insert("NF".into(), Val::Num(self.fields.len() as f64));
        self.rebuild_record();
        Ok(())
    }

    fn assign(&mut self, target: &Expr, v: Val) -> Result<(), String> {
        match target {
            Expr::Var(name) => {
                self.vars.insert(name.clone(), v);
                if name == "NF" {
                    let n = self.var("NF").num().max(0.0) as usize;
                    if n > MAX_FIELDS {
                        return Err(format!("trying to access out of range field {n}"));
                    }
                    self.fields.resize(n, String::new());
                    self.rebuild_record();
                }
            }
            Expr::Field(i) => {
                let i = self.eval(i)?.num().max(0.0) as usize;
                self.set_field(i, v.str())?;
            }
            Expr::Index(name, key) => {
                let key = self.eval(key)?.str();
                self.arrays.entry(name.clone()).or_default().insert(key, v);
            }
            _ => return Err("assignment to a non-variable".into()),
        }
        Ok(())
    }

    fn matches(&mut self, value: &str, pattern: &Expr) -> Result<bool, String> {
        let source = match pattern {
            Expr::Regex(r) => r.clone(),
            other => self.eval(other)?.str(),
        };
        Ok(self.regex(&source)?.is_match(value))
    }

    fn eval(&mut self, e: &Expr) -> Result<Val, String> {
        Ok(match e {
            Expr::Num(n) => Val::Num(*n),
            Expr::Str(s) => Val::Str(s.clone()),
            Expr::Regex(r) => {
                let record = self.record.clone();
                Val::Num(f64::from(u8::from(self.regex(r)?.is_match(&record))))
            }
            Expr::Var(name) => self.var(name),
            Expr::Group(inner) => self.eval(inner)?,
            Expr::Field(i) => {
                let i = self.eval(i)?.num();
                if i < 0.0 {
                    return Err(format!("trying to access out of range field {i}"));
                }
                self.field(i as usize)
            }
            Expr::Index(name, key) => {
                let key = self.eval(key)?.str();
                self.arrays
                    .entry(name.clone())
                    .or_default()
                    .entry(key)
                    .or_insert(Val::StrNum(String::new()))
                    .clone()
            }
            Expr::In(key, name) => {
                let key = match &**key {
                    Expr::Call(paren, list) if paren == "(" => {
                        let mut parts = Vec::new();
                        for k in list {
                            parts.push(self.eval(k)?.str());
                        }
                        parts.join("\x1c")
                    }
                    k => self.eval(k)?.str(),
                };
                let has = self.arrays.get(name).is_some_and(|a| a.contains_key(&key));
                Val::Num(f64::from(u8::from(has)))
            }
            Expr::Assign(target, op, rhs) => {
                let r = self.eval(rhs)?;
                let v = match op {
                    None => r,
                    Some(op) => {
                        let l = self.eval(target)?.num();
                        Val::Num(arith(op, l, r.num())?)
                    }
                };
                self.assign(target, v.clone())?;
                v
            }
            Expr::Incr(target, delta, prefix) => {
                let old = self.eval(target)?.num();
                self.assign(target, Val::Num(old + delta))?;
                Val::Num(if *prefix { old + delta } else { old })
            }
            Expr::Unary(op, inner) => {
                let v = self.eval(inner)?;
                match *op {
                    "!" => Val::Num(f64::from(u8::from(!v.truthy()))),
                    "-" => Val::Num(-v.num()),
                    _ => Val::Num(v.num()),
                }
            }
            Expr::Binary(op, l, r) => match *op {
                "&&" => Val::Num(f64::from(u8::from(
                    self.eval(l)?.truthy() && self.eval(r)?.truthy(),
                ))),
                "||" => Val::Num(f64::from(u8::from(
                    self.eval(l)?.truthy() || self.eval(r)?.truthy(),
                ))),
                "~" | "!~" => {
                    let value = self.eval(l)?.str();
                    let m = self.matches(&value, r)?;
                    Val::Num(f64::from(u8::from(m == (*op == "~"))))
                }
                "==" | "!=" | "<" | "<=" | ">" | ">=" => {
                    let (a, b) = (self.eval(l)?, self.eval(r)?);
                    let ord = if a.numeric() && b.numeric() {
                        a.num()
                            .partial_cmp(&b.num())
                            .unwrap_or(std::cmp::Ordering::Equal)
                    } else {
                        a.str().cmp(&b.str())
                    };
                    use std::cmp::Ordering::*;
                    let t = match *op {
                        "==" => ord == Equal,
                        "!=" => ord != Equal,
                        "<" => ord == Less,
                        "<=" => ord != Greater,
                        ">" => ord == Greater,
                        _ => ord != Less,
                    };
                    Val::Num(f64::from(u8::from(t)))
                }
                op => {
                    let (a, b) = (self.eval(l)?.num(), self.eval(r)?.num());
                    Val::Num(arith(op, a, b)?)
                }
            },
            Expr::Concat(l, r) => {
                let mut s = self.eval(l)?.str();
                s.push_str(&self.eval(r)?.str());
                Val::Str(s)
            }
            Expr::Cond(c, a, b) => {
                if self.eval(c)?.truthy() {
                    self.eval(a)?
                } else {
                    self.eval(b)?
                }
            }
            Expr::Call(name, args) => self.call(name, args)?,
        })
    }

    fn call(&mut self, name: &str, args: &[Expr]) -> Result<Val, String> {
        let arg = |me: &mut Self, i: usize| -> Result<Val, String> {
            match args.get(i) {
                Some(e) => me.eval(e),
                None => Ok(Val::Str(String::new())),
            }
        };
        Ok(match name {
            "(" => {
                // A parenthesised list outside `print`/`in`: its values concatenated.
                let mut s = String::new();
                for i in 0..args.len() {
                    s.push_str(&arg(self, i)?.str());
                }
                Val::Str(s)
            }
            "length" => {
                let s = if args.is_empty() {
                    self.record.clone()
                } else if let Some(Expr::Var(a)) = args.first()
                    && let Some(arr) = self.arrays.get(a)
                {
                    return Ok(Val::Num(arr.len() as f64));
                } else {
                    arg(self, 0)?.str()
                };
                Val::Num(s.chars().count() as f64)
            }
            "substr" => {
                let s: Vec<char> = arg(self, 0)?.str().chars().collect();
                let start = arg(self, 1)?.num().round();
                let len = if args.len() > 2 {
                    arg(self, 2)?.num().round()
                } else {
                    f64::INFINITY
                };
                let from = start.max(1.0);
                let to = (start + len).min(s.len() as f64 + 1.0);
                if to <= from {
                    Val::Str(String::new())
                } else {
                    Val::Str(s[(from as usize - 1)..(to as usize - 1)].iter().collect())
                }
            }
            "index" => {
                let (s, t) = (arg(self, 0)?.str(), arg(self, 1)?.str());
                Val::Num(s.find(&t).map_or(0, |i| s[..i].chars().count() + 1) as f64)
            }
            "int" => Val::Num(arg(self, 0)?.num().trunc()),
            "tolower" => Val::Str(arg(self, 0)?.str().to_lowercase()),
            "toupper" => Val::Str(arg(self, 0)?.str().to_uppercase()),
            "sprintf" => {
                let mut vals = Vec::new();
                for i in 0..args.len() {
                    vals.push(arg(self, i)?);
                }
                Val::Str(format_printf(&vals))
            }
            "split" => {
                let s = arg(self, 0)?.str();
                let Some(Expr::Var(arr)) = args.get(1) else {
                    return Err("split: second argument must be an array".into());
                };
                let sep = match args.get(2) {
                    Some(Expr::Regex(r)) => r.clone(),
                    Some(e) => self.eval(e)?.str(),
                    None => self.sval("FS"),
                };
                let parts = split_with(&s, &sep, &mut self.regexes);
                let map = self.arrays.entry(arr.clone()).or_default();
                map.clear();
                for (i, p) in parts.iter().enumerate() {
                    map.insert((i + 1).to_string(), Val::StrNum(p.clone()));
                }
                Val::Num(parts.len() as f64)
            }
            "sub" | "gsub" => {
                let pattern = match args.first() {
                    Some(Expr::Regex(r)) => r.clone(),
                    Some(e) => self.eval(e)?.str(),
                    None => return Err(format!("{name}: missing arguments")),
                };
                let repl = arg(self, 1)?.str();
                let target = args
                    .get(2)
                    .cloned()
                    .unwrap_or(Expr::Field(Box::new(Expr::Num(0.0))));
                let text = self.eval(&target)?.str();
                let re = self.regex(&pattern)?;
                let mut count = 0;
                let mut out = String::new();
                let mut last = 0;
                for m in re.find_iter(&text) {
                    if name == "sub" && count == 1 {
                        break;
                    }
                    out.push_str(&text[last..m.start()]);
                    let mut chars = repl.chars().peekable();
                    while let Some(c) = chars.next() {
                        match c {
                            '\\' if chars.peek() == Some(&'&') => {
                                out.push('&');
                                chars.next();
                            }
                            '&' => out.push_str(m.as_str()),
                            c => out.push(c),
                        }
                    }
                    last = m.end();
                    count += 1;
                }
                out.push_str(&text[last..]);
                if count > 0 {
                    self.assign(&target, Val::Str(out))?;
                }
                Val::Num(count as f64)
            }
            "match" => {
                let s = arg(self, 0)?.str();
                let pattern = match args.get(1) {
                    Some(Expr::Regex(r)) => r.clone(),
                    Some(e) => self.eval(e)?.str(),
                    None => String::new(),
                };
                let (start, len) = match self.regex(&pattern)?.find(&s) {
                    Some(m) => (
                        s[..m.start()].chars().count() as f64 + 1.0,
                        m.as_str().chars().count() as f64,
                    ),
                    None => (0.0, -1.0),
                };
                self.vars.insert("RSTART".into(), Val::Num(start));
                self.vars.insert("RLENGTH".into(), Val::Num(len));
                Val::Num(start)
            }
            other => return Err(format!("calling undefined function {other}")),
        })
    }

    fn exec(&mut self, stmts: &[Stmt]) -> Result<Flow, String> {
        for s in stmts {
            match self.exec_one(s)? {
                Flow::Normal => {}
                other => return Ok(other),
            }
        }
        Ok(Flow::Normal)
    }

    /// One pass of a loop's body: `Some(Normal)` ends the loop (`break`), `Some(other)`
    /// leaves it with that flow, `None` goes on.
    fn pass(&mut self, body: &Stmt, guard: &mut u64) -> Result<Option<Flow>, String> {
        *guard += 1;
        if *guard > 10_000_000 {
            return Err("loop ran too long".into());
        }
        Ok(match self.exec_one(body)? {
            Flow::Break => Some(Flow::Normal),
            Flow::Next => Some(Flow::Next),
            Flow::Exit => Some(Flow::Exit),
            Flow::Normal | Flow::Continue => None,
        })
    }

    fn exec_one(&mut self, s: &Stmt) -> Result<Flow, String> {
        match s {
            Stmt::Print(args) => {
                let line = if args.is_empty() {
                    self.record.clone()
                } else {
                    let mut parts = Vec::new();
                    for a in args {
                        parts.push(self.eval(a)?.str());
                    }
                    parts.join(&self.sval("OFS"))
                };
                let ors = self.sval("ORS");
                let _ = write!(self.out, "{line}{ors}");
            }
            Stmt::Printf(args) => {
                let mut vals = Vec::new();
                for a in args {
                    vals.push(self.eval(a)?);
                }
                let _ = write!(self.out, "{}", format_printf(&vals));
            }
            Stmt::Expr(e) => {
                self.eval(e)?;
            }
            Stmt::If(c, a, b) => {
                if self.eval(c)?.truthy() {
                    return self.exec_one(a);
                } else if let Some(b) = b {
                    return self.exec_one(b);
                }
            }
            Stmt::While(c, body) => {
                let mut guard = 0u64;
                while self.eval(c)?.truthy() {
                    match self.pass(body, &mut guard)? {
                        Some(Flow::Normal) => break,
                        Some(flow) => return Ok(flow),
                        None => {}
                    }
                }
            }
            Stmt::For(init, cond, step, body) => {
                if let Some(i) = init {
                    self.eval(i)?;
                }
                let mut guard = 0u64;
                while match cond {
                    Some(c) => self.eval(c)?.truthy(),
                    None => true,
                } {
                    match self.pass(body, &mut guard)? {
                        Some(Flow::Normal) => break,
                        Some(flow) => return Ok(flow),
                        None => {}
                    }
                    if let Some(s) = step {
                        self.eval(s)?;
                    }
                }
            }
            Stmt::ForIn(k, arr, body) => {
                let mut guard = 0u64;
                let mut keys: Vec<String> = self
                    .arrays
                    .get(arr)
                    .map(|a| a.keys().cloned().collect())
                    .unwrap_or_default();
                keys.sort();
                for key in keys {
                    self.vars.insert(k.clone(), Val::StrNum(key));
                    match self.pass(body, &mut guard)? {
                        Some(Flow::Normal) => break,
                        Some(flow) => return Ok(flow),
                        None => {}
                    }
                }
            }
            Stmt::Block(b) => return self.exec(b),
            Stmt::Delete(name, key) => match key {
                Some(k) => {
                    let k = self.eval(k)?.str();
                    if let Some(a) = self.arrays.get_mut(name) {
                        a.remove(&k);
                    }
                }
                None => {
                    self.arrays.remove(name);
                }
            },
            Stmt::Next => return Ok(Flow::Next),
            Stmt::Break => return Ok(Flow::Break),
            Stmt::Continue => return Ok(Flow::Continue),
            Stmt::Exit(code) => {
                if let Some(c) = code {
                    self.exit_code = self.eval(c)?.num() as i32;
                }
                return Ok(Flow::Exit);
            }
        }
        Ok(Flow::Normal)
    }
}

fn arith(op: &str, a: f64, b: f64) -> Result<f64, String> {
    Ok(match op {
        "+" => a + b,
        "-" => a - b,
        "*" => a * b,
        "/" if b == 0.0 => return Err("division by zero".into()),
        "/" => a / b,
        "%" if b == 0.0 => return Err("division by zero in %".into()),
        _ => a % b,
    })
}

/// Fields of `text` by awk's rules: a single space splits on runs of blanks, one other
/// character splits on itself, anything longer is a regular expression.
fn split_with(text: &str, fs: &str, cache: &mut HashMap<String, regex::Regex>) -> Vec<String> {
    if fs == " " {
        return text.split_whitespace().map(str::to_string).collect();
    }
    if text.is_empty() {
        return Vec::new();
    }
    if fs.chars().count() == 1 && fs != "\\" {
        return text.split(fs).map(str::to_string).collect();
    }
    let re = match cache.get(fs) {
        Some(r) => r.clone(),
        None => match regex::Regex::new(fs) {
            Ok(r) => {
                cache.insert(fs.to_string(), r.clone());
                r
            }
            Err(_) => return vec![text.to_string()],
        },
    };
    re.split(text).map(str::to_string).collect()
}

/// `printf`'s format: %d %i %s %c %f %e %g %x %o %u %%, with flags, width, precision.
fn format_printf(vals: &[Val]) -> String {
    let Some(fmt) = vals.first().map(Val::str) else {
        return String::new();
    };
    let mut out = String::new();
    let mut next = 1;
    let chars: Vec<char> = fmt.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '%' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        while i < chars.len() && "-+ #0".contains(chars[i]) {
            i += 1;
        }
        while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
            i += 1;
        }
        let Some(&conv) = chars.get(i) else {
            out.extend(&chars[start..]);
            break;
        };
        i += 1;
        let spec: String = chars[start + 1..i - 1].iter().collect();
        let left = spec.contains('-');
        let zero =
            spec.starts_with('0') || spec.contains(['-', '+', ' ', '#']) && spec.contains("0");
        let (width, precision) = {
            let digits = spec.trim_start_matches(['-', '+', ' ', '#', '0']);
            let (w, p) = digits
                .split_once('.')
                .map_or((digits, None), |(w, p)| (w, Some(p)));
            (
                w.parse::<usize>().unwrap_or(0),
                p.map(|p| p.parse::<usize>().unwrap_or(0)),
            )
        };
        let arg = || vals.get(next).cloned().unwrap_or(Val::Str(String::new()));
        let body = match conv {
            '%' => {
                out.push('%');
                continue;
            }
            'd' | 'i' | 'u' => {
                let v = arg();
                next += 1;
                format!("{}", v.num().trunc() as i64)
            }
            'x' | 'X' | 'o' => {
                let n = arg().num().trunc() as i64;
                next += 1;
                match conv {
                    'x' => format!("{n:x}"),
                    'X' => format!("{n:X}"),
                    _ => format!("{n:o}"),
                }
            }
            'c' => {
                let v = arg();
                next += 1;
                match v {
                    Val::Num(n) => char::from_u32(n as u32)
                        .map(String::from)
                        .unwrap_or_default(),
                    other => other
                        .str()
                        .chars()
                        .next()
                        .map(String::from)
                        .unwrap_or_default(),
                }
            }
            'f' | 'F' => {
                let n = arg().num();
                next += 1;
                format!("{n:.*}", precision.unwrap_or(6))
            }
            'e' | 'E' | 'g' | 'G' => {
                let n = arg().num();
                next += 1;
                if conv == 'e' || conv == 'E' {
                    format!("{n:.*e}", precision.unwrap_or(6))
                } else {
                    fmt_num(n)
                }
            }
            's' => {
                let mut s = arg().str();
                next += 1;
                if let Some(p) = precision {
                    s = s.chars().take(p).collect();
                }
                s
            }
            other => format!("%{spec}{other}"),
        };
        let pad = width.saturating_sub(body.chars().count());
        if left {
            out.push_str(&body);
            out.push_str(&" ".repeat(pad));
        } else if zero && conv != 's' {
            let (sign, digits) = body
                .strip_prefix('-')
                .map_or(("", body.as_str()), |d| ("-", d));
            out.push_str(sign);
            out.push_str(&"0".repeat(pad));
            out.push_str(digits);
        } else {
            out.push_str(&" ".repeat(pad));
            out.push_str(&body);
        }
    }
    out
}

pub fn awk(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let name = super::super::vfs::file_name(&argv[0]).to_string();
    let mut fs = " ".to_string();
    let mut assigns: Vec<(String, String)> = Vec::new();
    let mut program: Option<String> = None;
    let mut files = Vec::new();
    let mut i = 1;
    while i < argv.len() {
        let a = &argv[i];
        if program.is_none() && a == "-F" {
            i += 1;
            fs = argv.get(i).cloned().unwrap_or_default();
        } else if program.is_none() && a.starts_with("-F") {
            fs = a[2..].to_string();
        } else if program.is_none() && a == "-v" {
            i += 1;
            if let Some((k, v)) = argv.get(i).and_then(|s| s.split_once('=')) {
                assigns.push((k.to_string(), v.to_string()));
            }
        } else if program.is_none() && a == "-f" {
            i += 1;
            let path = ctx.abs(argv.get(i).map(String::as_str).unwrap_or(""));
            match ctx.fs.read(&path) {
                Ok(b) => program = Some(String::from_utf8_lossy(&b).into_owned()),
                Err(_) => {
                    write_err(
                        io.stderr,
                        format_args!("{name}: can't open file {}", argv[i]),
                    );
                    return 2;
                }
            }
        } else if program.is_none() && a == "--" {
        } else if program.is_none() {
            program = Some(a.clone());
        } else {
            files.push(a.clone());
        }
        i += 1;
    }
    let Some(source) = program else {
        write_err(
            io.stderr,
            format_args!("usage: {name} [-F value] [-v var=value] [--] 'program text' [file ...]"),
        );
        return 2;
    };
    if fs == "t" {
        fs = "\t".into();
    }
    let items = match parse(&source) {
        Ok(items) => items,
        Err(e) => {
            write_err(io.stderr, format_args!("{name}: {e}"));
            return 2;
        }
    };
    let mut interp = Interp::new(io.stdout, &fs);
    let env: HashMap<String, Val> = ctx
        .env
        .iter()
        .map(|(k, v)| (k.clone(), Val::StrNum(v.clone())))
        .collect();
    interp.arrays.insert("ENVIRON".into(), env);
    for (k, v) in assigns {
        interp.vars.insert(k, Val::StrNum(v));
    }
    let stderr = io.stderr;
    let fail = |e: String, stderr: &mut dyn std::io::Write| {
        write_err(stderr, format_args!("{name}: {e}"));
        2
    };
    for (pattern, action) in &items {
        if matches!(pattern, Pattern::Begin) {
            match interp.exec(action.as_deref().unwrap_or_default()) {
                Ok(Flow::Exit) => return interp.exit_code,
                Ok(_) => {}
                Err(e) => return fail(e, stderr),
            }
        }
    }
    let needs_input = items.iter().any(|(p, _)| !matches!(p, Pattern::Begin));
    if needs_input {
        let inputs: Vec<Result<Vec<u8>, String>> = if files.is_empty() {
            vec![Ok(io.stdin.to_vec())]
        } else {
            files
                .iter()
                .map(|f| {
                    if f == "-" {
                        Ok(io.stdin.to_vec())
                    } else {
                        ctx.fs
                            .read(&ctx.abs(f))
                            .map_err(|_| format!("can't open file {f}"))
                    }
                })
                .collect()
        };
        let mut nr = 0.0;
        'input: for input in inputs {
            let bytes = match input {
                Ok(b) => b,
                Err(e) => {
                    interp.exit_code = 2;
                    write_err(stderr, format_args!("{name}: {e}"));
                    continue;
                }
            };
            let text = String::from_utf8_lossy(&bytes).into_owned();
            for line in text.lines() {
                nr += 1.0;
                interp.vars.insert("NR".into(), Val::Num(nr));
                interp.set_record(line);
                for (pattern, action) in &items {
                    let selected = match pattern {
                        Pattern::Begin | Pattern::End => continue,
                        Pattern::All => true,
                        Pattern::Expr(e) => match interp.eval(e) {
                            Ok(v) => v.truthy(),
                            Err(e) => return fail(e, stderr),
                        },
                    };
                    if !selected {
                        continue;
                    }
                    let flow = match action {
                        Some(stmts) => interp.exec(stmts),
                        None => interp.exec(&[Stmt::Print(Vec::new())]),
                    };
                    match flow {
                        Ok(Flow::Next) => break,
                        Ok(Flow::Exit) => break 'input,
                        Ok(_) => {}
                        Err(e) => return fail(e, stderr),
                    }
                }
            }
        }
    }
    for (pattern, action) in &items {
        if matches!(pattern, Pattern::End) {
            match interp.exec(action.as_deref().unwrap_or_default()) {
                Ok(Flow::Exit) => break,
                Ok(_) => {}
                Err(e) => return fail(e, stderr),
            }
        }
    }
    interp.exit_code
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(program: &str, input: &str) -> String {
        let items = parse(program).unwrap();
        let mut out = Vec::new();
        let mut interp = Interp::new(&mut out, " ");
        interp.arrays.insert(
            "ENVIRON".into(),
            HashMap::from([
                ("NGINX_PORT".to_string(), Val::StrNum("80".into())),
                ("HOME".to_string(), Val::StrNum("/root".into())),
            ]),
        );
        for (p, a) in &items {
            if matches!(p, Pattern::Begin) {
                interp.exec(a.as_deref().unwrap()).unwrap();
            }
        }
        let mut nr = 0.0;
        for line in input.lines() {
            nr += 1.0;
            interp.vars.insert("NR".into(), Val::Num(nr));
            interp.set_record(line);
            for (p, a) in &items {
                let sel = match p {
                    Pattern::Begin | Pattern::End => continue,
                    Pattern::All => true,
                    Pattern::Expr(e) => interp.eval(e).unwrap().truthy(),
                };
                if sel {
                    match a {
                        Some(s) => {
                            if let Flow::Next = interp.exec(s).unwrap() {
                                break;
                            }
                        }
                        None => {
                            interp.exec(&[Stmt::Print(Vec::new())]).unwrap();
                        }
                    }
                }
            }
        }
        for (p, a) in &items {
            if matches!(p, Pattern::End) {
                interp.exec(a.as_deref().unwrap()).unwrap();
            }
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn fields_patterns_and_end() {
        assert_eq!(run("{print $2}", "a b c\nd e f\n"), "b\ne\n");
        assert_eq!(
            run("$1==\"nameserver\" {print $2}", "nameserver 1.1.1.1\nx y\n"),
            "1.1.1.1\n"
        );
        assert_eq!(
            run(
                "BEGIN{ORS=\" \"} $1==\"nameserver\" {print $2}",
                "nameserver a\nnameserver b\n"
            ),
            "a b "
        );
        assert_eq!(run("{ s += $1 } END { print s, NR }", "1\n2\n3\n"), "6 3\n");
        assert_eq!(run("/b/", "abc\nxyz\n"), "abc\n");
        assert_eq!(run("{ print NF, $NF }", "a b c\n"), "3 c\n");
        assert_eq!(run("{ $2 = \"X\"; print }", "a b c\n"), "a X c\n");
    }

    #[test]
    fn the_nginx_entrypoint_line_lists_matching_environment_names() {
        let program = "END { for (name in ENVIRON) { print ( name ~ /^NGINX_/ ) ? name : \"\" } }";
        assert_eq!(run(program, ""), "\nNGINX_PORT\n");
    }

    #[test]
    fn builtins_and_printf() {
        assert_eq!(
            run(
                "{ n = split($0, a, \",\"); print n, a[2], length(a[3]), toupper(substr(a[1], 2)) }",
                "xyz,b,cc\n"
            ),
            "3 b 2 YZ\n"
        );
        assert_eq!(run("{ gsub(/o/, \"0\"); print }", "foo boo\n"), "f00 b00\n");
        assert_eq!(
            run(
                "{ printf \"%-4s|%3d|%.2f\\n\", $1, $2, $3 }",
                "ab 7 3.14159\n"
            ),
            "ab  |  7|3.14\n"
        );
        assert_eq!(
            run(
                "BEGIN { x = 1; if (x > 0) print \"pos\"; else print \"neg\" }",
                ""
            ),
            "pos\n"
        );
        assert_eq!(
            run("BEGIN { for (i = 1; i <= 3; i++) s = s i; print s }", ""),
            "123\n"
        );
        assert_eq!(run("BEGIN { print 1/3, 10/2 }", ""), "0.333333 5\n");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let program = format!(
            "BEGIN {{ print {}1{} }}",
            "(".repeat(5000),
            ")".repeat(5000)
        );
        let parsed = parse(&program);
        assert!(parsed.is_err());
    }

    proptest::proptest! {
        #[test]
        fn no_program_text_panics(program in "[ -~\n]{0,60}", input in "[ -~\n]{0,40}") {
            if let Ok(items) = parse(&program) {
                let mut out = Vec::new();
                let mut interp = Interp::new(&mut out, " ");
                for line in input.lines() {
                    interp.set_record(line);
                    for (p, a) in &items {
                        if let Pattern::Expr(e) = p {
                            let _ = interp.eval(e);
                        }
                        if let Some(a) = a {
                            let _ = interp.exec(a);
                        }
                    }
                }
            }
        }
    }
}

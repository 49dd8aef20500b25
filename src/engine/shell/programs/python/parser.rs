//! Tokens to a syntax tree, by recursive descent over Python's grammar, with CPython
//! 3.12's words for the syntax errors students meet most ("expected ':'", "invalid
//! syntax", "expected an indented block after 'if' statement on line 1"). Constructs
//! outside the subset (async, yield, match, walrus) are refused by name.

use super::ast::*;
use super::lexer::{Tok, Token, tokenize, unescape};
use std::rc::Rc;

pub fn parse(src: &str) -> Result<Vec<Stmt>, SyntaxErr> {
    let toks = tokenize(src)?;
    let mut p = Parser { toks, pos: 0 };
    let mut body = Vec::new();
    while !p.at_eof() {
        if matches!(p.peek(), Tok::Newline) {
            p.pos += 1;
            continue;
        }
        if matches!(p.peek(), Tok::Indent) {
            let t = p.cur().clone();
            return Err(SyntaxErr {
                kind: "IndentationError",
                msg: "unexpected indent".into(),
                line: t.line,
                col: t.end_col,
                end_col: t.end_col + 1,
            });
        }
        body.extend(p.statement()?);
    }
    Ok(body)
}

/// Parses one expression (an f-string's replacement field, `eval`'s argument).
pub fn parse_expr(src: &str, line: usize) -> Result<Expr, SyntaxErr> {
    let mut toks = tokenize(src.trim())?;
    for t in &mut toks {
        t.line = line;
        t.end_line = line;
    }
    let mut p = Parser { toks, pos: 0 };
    let e = p.testlist()?;
    while matches!(p.peek(), Tok::Newline) {
        p.pos += 1;
    }
    if !p.at_eof() {
        return Err(p.invalid());
    }
    Ok(e)
}

struct Parser {
    toks: Vec<Token>,
    pos: usize,
}

fn span_of(a: &Token, b: &Token) -> Span {
    Span {
        line: a.line,
        col: a.col,
        end_line: b.end_line,
        end_col: b.end_col,
    }
}

fn join(a: Span, b: Span) -> Span {
    Span {
        line: a.line,
        col: a.col,
        end_line: b.end_line,
        end_col: b.end_col,
    }
}

impl Parser {
    fn cur(&self) -> &Token {
        &self.toks[self.pos.min(self.toks.len() - 1)]
    }
    fn peek(&self) -> &Tok {
        &self.cur().tok
    }
    fn peek_at(&self, n: usize) -> &Tok {
        &self.toks[(self.pos + n).min(self.toks.len() - 1)].tok
    }
    fn prev(&self) -> &Token {
        &self.toks[self.pos.saturating_sub(1)]
    }
    fn at_eof(&self) -> bool {
        matches!(self.peek(), Tok::Eof)
    }
    fn is_op(&self, op: &str) -> bool {
        matches!(self.peek(), Tok::Op(o) if *o == op)
    }
    fn is_kw(&self, kw: &str) -> bool {
        matches!(self.peek(), Tok::Name(n) if n == kw)
    }
    fn eat_op(&mut self, op: &str) -> bool {
        if self.is_op(op) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    fn eat_kw(&mut self, kw: &str) -> bool {
        if self.is_kw(kw) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    fn invalid(&self) -> SyntaxErr {
        let t = self.cur();
        if matches!(t.tok, Tok::Indent) {
            return SyntaxErr {
                kind: "IndentationError",
                msg: "unexpected indent".into(),
                line: t.line,
                col: t.end_col,
                end_col: t.end_col + 1,
            };
        }
        let (col, end) = match t.tok {
            Tok::Newline | Tok::Eof | Tok::Dedent => (t.col, t.col + 1),
            _ => (
                t.col,
                if t.end_line == t.line {
                    t.end_col
                } else {
                    t.col + 1
                },
            ),
        };
        SyntaxErr {
            kind: "SyntaxError",
            msg: "invalid syntax".into(),
            line: t.line,
            col,
            end_col: end.max(col + 1),
        }
    }
    fn expect_op(&mut self, op: &str) -> Result<(), SyntaxErr> {
        if self.eat_op(op) {
            return Ok(());
        }
        if op == ":" {
            let t = self.cur();
            return Err(SyntaxErr {
                kind: "SyntaxError",
                msg: "expected ':'".into(),
                line: t.line,
                col: t.col,
                end_col: t.col + 1,
            });
        }
        Err(self.invalid())
    }
    fn name(&mut self) -> Result<String, SyntaxErr> {
        match self.peek().clone() {
            Tok::Name(n) if !is_keyword(&n) => {
                self.pos += 1;
                Ok(n)
            }
            _ => Err(self.invalid()),
        }
    }
    fn limit(&self, what: &str) -> SyntaxErr {
        SyntaxErr::limit(what, self.cur().line)
    }

    // ---- statements ----

    fn statement(&mut self) -> Result<Vec<Stmt>, SyntaxErr> {
        let start = self.cur().clone();
        if let Tok::Name(kw) = self.peek().clone() {
            match kw.as_str() {
                "if" => return Ok(vec![self.if_stmt()?]),
                "while" => {
                    self.pos += 1;
                    let cond = self.named_test()?;
                    self.expect_op(":")?;
                    let body = self.block("'while' statement", start.line)?;
                    let orelse = self.else_block()?;
                    return Ok(vec![Stmt {
                        kind: StmtKind::While(cond, body, orelse),
                        span: span_of(&start, self.prev()),
                    }]);
                }
                "for" => {
                    self.pos += 1;
                    let target = self.target_list()?;
                    if !self.eat_kw("in") {
                        return Err(self.invalid());
                    }
                    let iter = self.testlist()?;
                    self.expect_op(":")?;
                    let body = self.block("'for' statement", start.line)?;
                    let orelse = self.else_block()?;
                    return Ok(vec![Stmt {
                        kind: StmtKind::For(target, iter, body, orelse),
                        span: span_of(&start, &start),
                    }]);
                }
                "def" => return Ok(vec![self.def(Vec::new())?]),
                "class" => return Ok(vec![self.class(Vec::new())?]),
                "try" => return Ok(vec![self.try_stmt()?]),
                "with" => return Ok(vec![self.with_stmt()?]),
                "async" => return Err(self.limit("'async def' and 'async' statements")),
                "match" if !matches!(self.peek_at(1), Tok::Op(_) | Tok::Newline) => {
                    return Err(self.limit("the 'match' statement"));
                }
                _ => {}
            }
        }
        if self.is_op("@") {
            let mut decorators = Vec::new();
            while self.eat_op("@") {
                decorators.push(self.test()?);
                if !matches!(self.peek(), Tok::Newline) {
                    return Err(self.invalid());
                }
                self.pos += 1;
            }
            if self.is_kw("def") {
                return Ok(vec![self.def(decorators)?]);
            }
            if self.is_kw("class") {
                return Ok(vec![self.class(decorators)?]);
            }
            return Err(self.invalid());
        }
        let mut out = vec![self.simple()?];
        while self.eat_op(";") {
            if matches!(self.peek(), Tok::Newline) {
                break;
            }
            out.push(self.simple()?);
        }
        if !matches!(self.peek(), Tok::Newline | Tok::Eof) {
            return Err(self.invalid());
        }
        if matches!(self.peek(), Tok::Newline) {
            self.pos += 1;
        }
        Ok(out)
    }

    fn else_block(&mut self) -> Result<Vec<Stmt>, SyntaxErr> {
        if self.is_kw("else") {
            let line = self.cur().line;
            self.pos += 1;
            self.expect_op(":")?;
            return self.block("'else' statement", line);
        }
        Ok(Vec::new())
    }

    fn block(&mut self, what: &str, line: usize) -> Result<Vec<Stmt>, SyntaxErr> {
        if !matches!(self.peek(), Tok::Newline) {
            // Simple statements on the same line.
            let mut out = vec![self.simple()?];
            while self.eat_op(";") {
                if matches!(self.peek(), Tok::Newline) {
                    break;
                }
                out.push(self.simple()?);
            }
            if !matches!(self.peek(), Tok::Newline | Tok::Eof) {
                return Err(self.invalid());
            }
            if matches!(self.peek(), Tok::Newline) {
                self.pos += 1;
            }
            return Ok(out);
        }
        self.pos += 1;
        if !matches!(self.peek(), Tok::Indent) {
            let t = self.cur();
            let (l, c) = if matches!(t.tok, Tok::Eof | Tok::Dedent) && t.col == 0 {
                (t.line, 0)
            } else {
                (t.line, t.col)
            };
            return Err(SyntaxErr {
                kind: "IndentationError",
                msg: format!("expected an indented block after {what} on line {line}"),
                line: l,
                col: c,
                end_col: c + 1,
            });
        }
        self.pos += 1;
        let mut body = Vec::new();
        while !matches!(self.peek(), Tok::Dedent | Tok::Eof) {
            if matches!(self.peek(), Tok::Newline) {
                self.pos += 1;
                continue;
            }
            if matches!(self.peek(), Tok::Indent) {
                return Err(self.invalid());
            }
            body.extend(self.statement()?);
        }
        if matches!(self.peek(), Tok::Dedent) {
            self.pos += 1;
        }
        Ok(body)
    }

    fn if_stmt(&mut self) -> Result<Stmt, SyntaxErr> {
        let start = self.cur().clone();
        self.pos += 1;
        let mut arms = Vec::new();
        let cond = self.named_test()?;
        self.expect_op(":")?;
        arms.push((cond, self.block("'if' statement", start.line)?));
        let mut orelse = Vec::new();
        loop {
            if self.is_kw("elif") {
                let line = self.cur().line;
                self.pos += 1;
                let cond = self.named_test()?;
                self.expect_op(":")?;
                arms.push((cond, self.block("'elif' statement", line)?));
            } else if self.is_kw("else") {
                let line = self.cur().line;
                self.pos += 1;
                self.expect_op(":")?;
                orelse = self.block("'else' statement", line)?;
                break;
            } else {
                break;
            }
        }
        Ok(Stmt {
            kind: StmtKind::If(arms, orelse),
            span: span_of(&start, &start),
        })
    }

    fn params(&mut self, close: &str) -> Result<Params, SyntaxErr> {
        let mut params = Params::default();
        let mut seen_star = false;
        while !self.is_op(close) {
            if self.eat_op("**") {
                params.starstar = Some(self.name()?);
            } else if self.eat_op("*") {
                seen_star = true;
                if !self.is_op(",") {
                    params.star = Some(self.name()?);
                }
            } else if self.eat_op("/") {
            } else {
                let name = self.name()?;
                if close == ")" && self.eat_op(":") {
                    self.test()?;
                }
                let default = if self.eat_op("=") {
                    Some(self.test()?)
                } else {
                    None
                };
                if seen_star {
                    params.kwonly.push((name, default));
                } else {
                    if default.is_none() && params.pos.iter().any(|(_, d)| d.is_some()) {
                        let t = self.prev();
                        return Err(SyntaxErr::at(
                            t.line,
                            t.col,
                            "non-default argument follows default argument",
                        ));
                    }
                    params.pos.push((name, default));
                }
            }
            if !self.eat_op(",") {
                break;
            }
        }
        Ok(params)
    }

    fn def(&mut self, decorators: Vec<Expr>) -> Result<Stmt, SyntaxErr> {
        let start = self.cur().clone();
        self.pos += 1;
        let name = self.name()?;
        self.expect_op("(")?;
        let params = self.params(")")?;
        self.expect_op(")")?;
        if self.eat_op("->") {
            self.test()?;
        }
        self.expect_op(":")?;
        let body = self.block("function definition", start.line)?;
        let mut locals = Vec::new();
        let mut globals = Vec::new();
        for (p, _) in params.pos.iter().chain(params.kwonly.iter()) {
            locals.push(p.clone());
        }
        locals.extend(params.star.iter().cloned());
        locals.extend(params.starstar.iter().cloned());
        collect_locals(&body, &mut locals, &mut globals);
        locals.retain(|l| !globals.contains(l));
        locals.sort();
        locals.dedup();
        Ok(Stmt {
            kind: StmtKind::Def(Rc::new(FuncDef {
                name,
                params: Rc::new(params),
                body: Rc::new(body),
                decorators,
                locals: Rc::new(locals),
            })),
            span: span_of(&start, &start),
        })
    }

    fn class(&mut self, decorators: Vec<Expr>) -> Result<Stmt, SyntaxErr> {
        let start = self.cur().clone();
        self.pos += 1;
        let name = self.name()?;
        let mut bases = Vec::new();
        if self.eat_op("(") {
            while !self.is_op(")") {
                if let Tok::Name(_) = self.peek()
                    && matches!(self.peek_at(1), Tok::Op("="))
                {
                    return Err(self.limit("class keyword arguments (metaclass=...)"));
                }
                bases.push(self.test()?);
                if !self.eat_op(",") {
                    break;
                }
            }
            self.expect_op(")")?;
        }
        self.expect_op(":")?;
        let body = self.block("class definition", start.line)?;
        Ok(Stmt {
            kind: StmtKind::Class {
                name,
                bases,
                body,
                decorators,
            },
            span: span_of(&start, &start),
        })
    }

    fn try_stmt(&mut self) -> Result<Stmt, SyntaxErr> {
        let start = self.cur().clone();
        self.pos += 1;
        self.expect_op(":")?;
        let body = self.block("'try' statement", start.line)?;
        let mut handlers = Vec::new();
        while self.is_kw("except") {
            let t = self.cur().clone();
            self.pos += 1;
            if self.is_op("*") {
                return Err(self.limit("'except*'"));
            }
            let (types, name) = if self.is_op(":") {
                (None, None)
            } else {
                let ty = self.test()?;
                let ty = if self.is_op(",") {
                    let mut items = vec![ty];
                    while self.eat_op(",") {
                        if self.is_op(":") || self.is_kw("as") {
                            break;
                        }
                        items.push(self.test()?);
                    }
                    let span = join(items[0].span, items[items.len() - 1].span);
                    Expr {
                        kind: ExprKind::Tuple(items),
                        span,
                    }
                } else {
                    ty
                };
                let name = if self.eat_kw("as") {
                    Some(self.name()?)
                } else {
                    None
                };
                (Some(ty), name)
            };
            self.expect_op(":")?;
            let hbody = self.block("'except' statement", t.line)?;
            handlers.push(Handler {
                types,
                name,
                body: hbody,
            });
        }
        let orelse = if !handlers.is_empty() {
            self.else_block()?
        } else {
            Vec::new()
        };
        let finally = if self.is_kw("finally") {
            let line = self.cur().line;
            self.pos += 1;
            self.expect_op(":")?;
            self.block("'finally' statement", line)?
        } else {
            Vec::new()
        };
        if handlers.is_empty() && finally.is_empty() {
            let t = self.cur();
            return Err(SyntaxErr::at(
                t.line,
                t.col,
                "expected 'except' or 'finally' block",
            ));
        }
        Ok(Stmt {
            kind: StmtKind::Try {
                body,
                handlers,
                orelse,
                finally,
            },
            span: span_of(&start, &start),
        })
    }

    fn with_stmt(&mut self) -> Result<Stmt, SyntaxErr> {
        let start = self.cur().clone();
        self.pos += 1;
        let mut items = Vec::new();
        let paren = self.is_op("(") && {
            // `with (a as b, c):` — only when a parenthesised group holds `as`.
            let mut depth = 0;
            let mut has_as = false;
            for t in &self.toks[self.pos..] {
                match &t.tok {
                    Tok::Op("(") => depth += 1,
                    Tok::Op(")") => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    Tok::Name(n) if n == "as" && depth == 1 => has_as = true,
                    _ => {}
                }
            }
            has_as
        };
        if paren {
            self.pos += 1;
        }
        loop {
            let ctx = self.test()?;
            let var = if self.eat_kw("as") {
                Some(self.target()?)
            } else {
                None
            };
            items.push((ctx, var));
            if !self.eat_op(",") {
                break;
            }
            if paren && self.is_op(")") {
                break;
            }
        }
        if paren {
            self.expect_op(")")?;
        }
        self.expect_op(":")?;
        let body = self.block("'with' statement", start.line)?;
        Ok(Stmt {
            kind: StmtKind::With(items, body),
            span: span_of(&start, &start),
        })
    }

    fn dotted(&mut self) -> Result<String, SyntaxErr> {
        let mut name = self.name()?;
        while self.eat_op(".") {
            name.push('.');
            name.push_str(&self.name()?);
        }
        Ok(name)
    }

    fn simple(&mut self) -> Result<Stmt, SyntaxErr> {
        let start = self.cur().clone();
        let kind = match self.peek().clone() {
            Tok::Name(kw) => match kw.as_str() {
                "pass" => {
                    self.pos += 1;
                    StmtKind::Pass
                }
                "break" => {
                    self.pos += 1;
                    StmtKind::Break
                }
                "continue" => {
                    self.pos += 1;
                    StmtKind::Continue
                }
                "return" => {
                    self.pos += 1;
                    if matches!(self.peek(), Tok::Newline | Tok::Eof) || self.is_op(";") {
                        StmtKind::Return(None)
                    } else {
                        StmtKind::Return(Some(self.testlist()?))
                    }
                }
                "raise" => {
                    self.pos += 1;
                    if matches!(self.peek(), Tok::Newline | Tok::Eof) || self.is_op(";") {
                        StmtKind::Raise(None, None)
                    } else {
                        let e = self.test()?;
                        let cause = if self.eat_kw("from") {
                            Some(self.test()?)
                        } else {
                            None
                        };
                        StmtKind::Raise(Some(e), cause)
                    }
                }
                "global" | "nonlocal" => {
                    self.pos += 1;
                    let mut names = vec![self.name()?];
                    while self.eat_op(",") {
                        names.push(self.name()?);
                    }
                    if kw == "global" {
                        StmtKind::Global(names)
                    } else {
                        StmtKind::Nonlocal(names)
                    }
                }
                "del" => {
                    self.pos += 1;
                    let mut targets = vec![self.target()?];
                    while self.eat_op(",") {
                        if matches!(self.peek(), Tok::Newline) {
                            break;
                        }
                        targets.push(self.target()?);
                    }
                    StmtKind::Del(targets)
                }
                "assert" => {
                    self.pos += 1;
                    let cond = self.test()?;
                    let msg = if self.eat_op(",") {
                        Some(self.test()?)
                    } else {
                        None
                    };
                    StmtKind::Assert(cond, msg)
                }
                "import" => {
                    self.pos += 1;
                    let mut names = Vec::new();
                    loop {
                        let n = self.dotted()?;
                        let alias = if self.eat_kw("as") {
                            Some(self.name()?)
                        } else {
                            None
                        };
                        names.push((n, alias));
                        if !self.eat_op(",") {
                            break;
                        }
                    }
                    StmtKind::Import(names)
                }
                "from" => {
                    self.pos += 1;
                    let mut level = 0;
                    loop {
                        if self.eat_op(".") {
                            level += 1;
                        } else if self.eat_op("...") {
                            level += 3;
                        } else {
                            break;
                        }
                    }
                    let module = if self.is_kw("import") {
                        String::new()
                    } else {
                        self.dotted()?
                    };
                    if !self.eat_kw("import") {
                        return Err(self.invalid());
                    }
                    let mut names = Vec::new();
                    if self.eat_op("*") {
                        names.push(("*".to_string(), None));
                    } else {
                        let paren = self.eat_op("(");
                        loop {
                            if paren && self.is_op(")") {
                                break;
                            }
                            let n = self.name()?;
                            let alias = if self.eat_kw("as") {
                                Some(self.name()?)
                            } else {
                                None
                            };
                            names.push((n, alias));
                            if !self.eat_op(",") {
                                break;
                            }
                        }
                        if paren {
                            self.expect_op(")")?;
                        }
                    }
                    StmtKind::ImportFrom(module, names, level)
                }
                "print"
                    if matches!(
                        self.peek_at(1),
                        Tok::Str { .. } | Tok::Int(_) | Tok::Float(_) | Tok::FStr { .. }
                    ) || matches!(self.peek_at(1), Tok::Name(n) if !is_keyword(n)) =>
                {
                    let mut end = self.pos;
                    while !matches!(self.toks[end + 1].tok, Tok::Newline | Tok::Eof) {
                        end += 1;
                    }
                    let last = &self.toks[end];
                    return Err(SyntaxErr {
                        kind: "SyntaxError",
                        msg: "Missing parentheses in call to 'print'. Did you mean print(...)?"
                            .into(),
                        line: start.line,
                        col: start.col,
                        end_col: last.end_col,
                    });
                }
                "yield" => return Err(self.limit("'yield' (generators)")),
                "await" => return Err(self.limit("'await'")),
                _ => self.expr_stmt()?,
            },
            _ => self.expr_stmt()?,
        };
        Ok(Stmt {
            kind,
            span: span_of(&start, self.prev()),
        })
    }

    fn expr_stmt(&mut self) -> Result<StmtKind, SyntaxErr> {
        let first = self.testlist_star()?;
        if self.is_op("=") {
            let mut targets = vec![first];
            let mut value;
            loop {
                let eq = self.cur().clone();
                self.pos += 1;
                if self.is_kw("yield") {
                    return Err(self.limit("'yield' (generators)"));
                }
                value = self.testlist_star()?;
                if !self.is_op("=") {
                    break;
                }
                let _ = eq;
                targets.push(value);
            }
            for t in &targets {
                check_target(t)?;
            }
            return Ok(StmtKind::Assign(targets, value));
        }
        if let Tok::Op(op) = self.peek().clone()
            && let Some(bin) = aug_op(op)
        {
            check_aug_target(&first)?;
            self.pos += 1;
            let value = self.testlist()?;
            return Ok(StmtKind::AugAssign(first, bin, value));
        }
        if self.is_op(":") {
            self.pos += 1;
            self.test()?;
            let value = if self.eat_op("=") {
                Some(self.testlist()?)
            } else {
                None
            };
            check_target(&first)?;
            return Ok(StmtKind::AnnAssign(first, value));
        }
        if self.is_op(":=") {
            return Err(self.limit("the ':=' operator"));
        }
        Ok(StmtKind::Expr(first))
    }

    // ---- expressions ----

    fn target(&mut self) -> Result<Expr, SyntaxErr> {
        let e = self.or_expr()?;
        check_target(&e)?;
        Ok(e)
    }

    /// `for` targets: `a`, `a, b`, `(a, b)`.
    fn target_list(&mut self) -> Result<Expr, SyntaxErr> {
        let first = if self.eat_op("*") {
            let s = self.prev().clone();
            let inner = self.or_expr()?;
            let span = join(span_of(&s, &s), inner.span);
            Expr {
                kind: ExprKind::Starred(Box::new(inner)),
                span,
            }
        } else {
            self.or_expr()?
        };
        if !self.is_op(",") {
            check_target(&first)?;
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat_op(",") {
            if self.is_kw("in") {
                break;
            }
            items.push(self.or_expr()?);
        }
        let span = join(items[0].span, items[items.len() - 1].span);
        let e = Expr {
            kind: ExprKind::Tuple(items),
            span,
        };
        check_target(&e)?;
        Ok(e)
    }

    fn testlist(&mut self) -> Result<Expr, SyntaxErr> {
        self.testlist_star()
    }

    /// Comma-separated expressions (a tuple when there is a comma), stars allowed.
    fn testlist_star(&mut self) -> Result<Expr, SyntaxErr> {
        let first = self.star_or_test()?;
        if !self.is_op(",") {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat_op(",") {
            if self.ends_list() {
                break;
            }
            items.push(self.star_or_test()?);
        }
        let span = join(items[0].span, items[items.len() - 1].span);
        Ok(Expr {
            kind: ExprKind::Tuple(items),
            span,
        })
    }

    fn ends_list(&self) -> bool {
        matches!(self.peek(), Tok::Newline | Tok::Eof)
            || ["=", ")", "]", "}", ":", ";"].iter().any(|o| self.is_op(o))
            || matches!(self.peek(), Tok::Op(o) if aug_op(o).is_some())
    }

    fn star_or_test(&mut self) -> Result<Expr, SyntaxErr> {
        if self.is_op("*") {
            let s = self.cur().clone();
            self.pos += 1;
            let inner = self.or_expr()?;
            let span = join(span_of(&s, &s), inner.span);
            return Ok(Expr {
                kind: ExprKind::Starred(Box::new(inner)),
                span,
            });
        }
        self.test()
    }

    fn named_test(&mut self) -> Result<Expr, SyntaxErr> {
        let e = self.test()?;
        if self.is_op(":=") {
            return Err(self.limit("the ':=' operator"));
        }
        Ok(e)
    }

    fn test(&mut self) -> Result<Expr, SyntaxErr> {
        if self.is_kw("lambda") {
            let start = self.cur().clone();
            self.pos += 1;
            let params = self.params(":")?;
            self.expect_op(":")?;
            let body = self.test()?;
            let span = join(span_of(&start, &start), body.span);
            return Ok(Expr {
                kind: ExprKind::Lambda(Rc::new(params), Rc::new(body)),
                span,
            });
        }
        if self.is_kw("yield") {
            return Err(self.limit("'yield' (generators)"));
        }
        let e = self.or_test()?;
        if self.is_kw("if") {
            // A conditional expression, unless this `if` belongs to a comprehension.
            self.pos += 1;
            let cond = self.or_test()?;
            if !self.eat_kw("else") {
                let t = self.cur();
                return Err(SyntaxErr::at(
                    t.line,
                    t.col,
                    "expected 'else' after 'if' expression",
                ));
            }
            let other = self.test()?;
            let span = join(e.span, other.span);
            return Ok(Expr {
                kind: ExprKind::IfExp(Box::new(cond), Box::new(e), Box::new(other)),
                span,
            });
        }
        Ok(e)
    }

    /// An expression in a comprehension's `for ... in X if Y`: no conditional expression.
    fn or_test(&mut self) -> Result<Expr, SyntaxErr> {
        let mut e = self.and_test()?;
        while self.eat_kw("or") {
            let r = self.and_test()?;
            let span = join(e.span, r.span);
            e = Expr {
                kind: ExprKind::Or(Box::new(e), Box::new(r)),
                span,
            };
        }
        Ok(e)
    }

    fn and_test(&mut self) -> Result<Expr, SyntaxErr> {
        let mut e = self.not_test()?;
        while self.eat_kw("and") {
            let r = self.not_test()?;
            let span = join(e.span, r.span);
            e = Expr {
                kind: ExprKind::And(Box::new(e), Box::new(r)),
                span,
            };
        }
        Ok(e)
    }

    fn not_test(&mut self) -> Result<Expr, SyntaxErr> {
        if self.is_kw("not") {
            let s = self.cur().clone();
            self.pos += 1;
            let e = self.not_test()?;
            let span = join(span_of(&s, &s), e.span);
            return Ok(Expr {
                kind: ExprKind::Unary(UnOp::Not, Box::new(e)),
                span,
            });
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, SyntaxErr> {
        let e = self.or_expr()?;
        let mut ops = Vec::new();
        loop {
            let op = match self.peek() {
                Tok::Op("==") => CmpOp::Eq,
                Tok::Op("!=") => CmpOp::Ne,
                Tok::Op("<") => CmpOp::Lt,
                Tok::Op("<=") => CmpOp::Le,
                Tok::Op(">") => CmpOp::Gt,
                Tok::Op(">=") => CmpOp::Ge,
                Tok::Name(n) if n == "in" => CmpOp::In,
                Tok::Name(n) if n == "is" => {
                    if matches!(self.peek_at(1), Tok::Name(m) if m == "not") {
                        self.pos += 1;
                        CmpOp::IsNot
                    } else {
                        CmpOp::Is
                    }
                }
                Tok::Name(n)
                    if n == "not" && matches!(self.peek_at(1), Tok::Name(m) if m == "in") =>
                {
                    self.pos += 1;
                    CmpOp::NotIn
                }
                _ => break,
            };
            self.pos += 1;
            ops.push((op, self.or_expr()?));
        }
        if ops.is_empty() {
            return Ok(e);
        }
        let span = join(e.span, ops[ops.len() - 1].1.span);
        Ok(Expr {
            kind: ExprKind::Compare(Box::new(e), ops),
            span,
        })
    }

    fn binary(&mut self, level: usize) -> Result<Expr, SyntaxErr> {
        const LEVELS: &[&[(&str, BinOp)]] = &[
            &[("|", BinOp::BitOr)],
            &[("^", BinOp::BitXor)],
            &[("&", BinOp::BitAnd)],
            &[("<<", BinOp::LShift), (">>", BinOp::RShift)],
            &[("+", BinOp::Add), ("-", BinOp::Sub)],
            &[
                ("*", BinOp::Mul),
                ("/", BinOp::Div),
                ("//", BinOp::FloorDiv),
                ("%", BinOp::Mod),
                ("@", BinOp::MatMul),
            ],
        ];
        if level >= LEVELS.len() {
            return self.unary();
        }
        let mut e = self.binary(level + 1)?;
        while let Some(op) = LEVELS[level]
            .iter()
            .find(|(s, _)| self.is_op(s))
            .map(|(_, o)| *o)
        {
            self.pos += 1;
            let r = self.binary(level + 1)?;
            let span = join(e.span, r.span);
            e = Expr {
                kind: ExprKind::Bin(Box::new(e), op, Box::new(r)),
                span,
            };
        }
        Ok(e)
    }

    fn or_expr(&mut self) -> Result<Expr, SyntaxErr> {
        self.binary(0)
    }

    fn unary(&mut self) -> Result<Expr, SyntaxErr> {
        let op = match self.peek() {
            Tok::Op("-") => Some(UnOp::Neg),
            Tok::Op("+") => Some(UnOp::Pos),
            Tok::Op("~") => Some(UnOp::Invert),
            _ => None,
        };
        if let Some(op) = op {
            let s = self.cur().clone();
            self.pos += 1;
            let e = self.unary()?;
            let span = join(span_of(&s, &s), e.span);
            return Ok(Expr {
                kind: ExprKind::Unary(op, Box::new(e)),
                span,
            });
        }
        self.power()
    }

    fn power(&mut self) -> Result<Expr, SyntaxErr> {
        if self.is_kw("await") {
            return Err(self.limit("'await'"));
        }
        let e = self.primary()?;
        if self.eat_op("**") {
            let r = self.unary()?;
            let span = join(e.span, r.span);
            return Ok(Expr {
                kind: ExprKind::Bin(Box::new(e), BinOp::Pow, Box::new(r)),
                span,
            });
        }
        Ok(e)
    }

    fn primary(&mut self) -> Result<Expr, SyntaxErr> {
        let mut e = self.atom()?;
        loop {
            if self.eat_op("(") {
                let args = self.call_args()?;
                self.expect_op(")")?;
                let span = join(e.span, span_of(self.prev(), self.prev()));
                e = Expr {
                    kind: ExprKind::Call(Box::new(e), args),
                    span,
                };
            } else if self.eat_op("[") {
                let idx = self.subscript()?;
                self.expect_op("]")?;
                let span = join(e.span, span_of(self.prev(), self.prev()));
                e = Expr {
                    kind: ExprKind::Index(Box::new(e), Box::new(idx)),
                    span,
                };
            } else if self.eat_op(".") {
                let name = self.name()?;
                let span = join(e.span, span_of(self.prev(), self.prev()));
                e = Expr {
                    kind: ExprKind::Attr(Box::new(e), name),
                    span,
                };
            } else {
                break;
            }
        }
        Ok(e)
    }

    fn subscript(&mut self) -> Result<Expr, SyntaxErr> {
        let one = |p: &mut Parser| -> Result<Expr, SyntaxErr> {
            let s = p.cur().clone();
            let lower = if p.is_op(":") { None } else { Some(p.test()?) };
            if !p.is_op(":") {
                return lower.ok_or_else(|| p.invalid());
            }
            p.pos += 1;
            let upper = if p.is_op(":") || p.is_op("]") || p.is_op(",") {
                None
            } else {
                Some(Box::new(p.test()?))
            };
            let step = if p.eat_op(":") {
                if p.is_op("]") || p.is_op(",") {
                    None
                } else {
                    Some(Box::new(p.test()?))
                }
            } else {
                None
            };
            Ok(Expr {
                kind: ExprKind::Slice(lower.map(Box::new), upper, step),
                span: span_of(&s, p.prev()),
            })
        };
        let first = one(self)?;
        if !self.is_op(",") {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat_op(",") {
            if self.is_op("]") {
                break;
            }
            items.push(one(self)?);
        }
        let span = join(items[0].span, items[items.len() - 1].span);
        Ok(Expr {
            kind: ExprKind::Tuple(items),
            span,
        })
    }

    fn call_args(&mut self) -> Result<Vec<Arg>, SyntaxErr> {
        let mut args = Vec::new();
        while !self.is_op(")") {
            if self.eat_op("**") {
                args.push(Arg::StarStar(self.test()?));
            } else if self.eat_op("*") {
                args.push(Arg::Star(self.test()?));
            } else if let Tok::Name(n) = self.peek().clone()
                && matches!(self.peek_at(1), Tok::Op("="))
                && !is_keyword(&n)
            {
                self.pos += 2;
                args.push(Arg::Kw(n, self.test()?));
            } else {
                let e = self.test()?;
                if self.is_kw("for") {
                    let comps = self.comp_for()?;
                    let span = e.span;
                    args.push(Arg::Pos(Expr {
                        kind: ExprKind::GenExp(Box::new(e), comps),
                        span,
                    }));
                } else {
                    if self.is_op("=") {
                        let t = self.cur();
                        return Err(SyntaxErr::at(
                            t.line,
                            e.span.col,
                            "expression cannot contain assignment, perhaps you meant \"==\"?",
                        ));
                    }
                    if matches!(args.last(), Some(Arg::Kw(..))) {
                        return Err(SyntaxErr::at(
                            e.span.line,
                            e.span.col,
                            "positional argument follows keyword argument",
                        ));
                    }
                    args.push(Arg::Pos(e));
                }
            }
            if !self.eat_op(",") {
                break;
            }
        }
        Ok(args)
    }

    fn comp_for(&mut self) -> Result<Vec<Comp>, SyntaxErr> {
        let mut comps = Vec::new();
        while self.eat_kw("for") {
            let target = self.target_list()?;
            if !self.eat_kw("in") {
                return Err(self.invalid());
            }
            let iter = self.or_test()?;
            let mut conds = Vec::new();
            while self.eat_kw("if") {
                conds.push(self.or_test()?);
            }
            comps.push(Comp {
                target,
                iter,
                conds,
            });
        }
        Ok(comps)
    }

    fn atom(&mut self) -> Result<Expr, SyntaxErr> {
        let t = self.cur().clone();
        let simple = |kind| Expr {
            kind,
            span: span_of(&t, &t),
        };
        match t.tok.clone() {
            Tok::Int(i) => {
                self.pos += 1;
                Ok(simple(ExprKind::Int(i)))
            }
            Tok::Float(f) => {
                self.pos += 1;
                Ok(simple(ExprKind::Float(f)))
            }
            Tok::Str { .. } | Tok::FStr { .. } => {
                // Adjacent literals concatenate.
                let mut parts: Vec<FPart> = Vec::new();
                let mut any_f = false;
                let mut bytes: Option<Vec<u8>> = None;
                let mut last = t.clone();
                loop {
                    match self.peek().clone() {
                        Tok::Str { value, bytes: b } => {
                            if b {
                                bytes
                                    .get_or_insert_with(Vec::new)
                                    .extend(value.chars().map(|c| c as u32 as u8));
                            } else {
                                parts.push(FPart::Lit(value));
                            }
                        }
                        Tok::FStr { raw, is_raw } => {
                            any_f = true;
                            parts.extend(self.fstring(&raw, is_raw, self.cur().line)?);
                        }
                        _ => break,
                    }
                    last = self.cur().clone();
                    self.pos += 1;
                }
                let span = span_of(&t, &last);
                if let Some(b) = bytes {
                    return Ok(Expr {
                        kind: ExprKind::Bytes(b),
                        span,
                    });
                }
                if !any_f {
                    let s: String = parts
                        .into_iter()
                        .map(|p| match p {
                            FPart::Lit(s) => s,
                            _ => String::new(),
                        })
                        .collect();
                    return Ok(Expr {
                        kind: ExprKind::Str(s),
                        span,
                    });
                }
                Ok(Expr {
                    kind: ExprKind::FStr(parts),
                    span,
                })
            }
            Tok::Name(n) => match n.as_str() {
                "None" => {
                    self.pos += 1;
                    Ok(simple(ExprKind::None))
                }
                "True" => {
                    self.pos += 1;
                    Ok(simple(ExprKind::Bool(true)))
                }
                "False" => {
                    self.pos += 1;
                    Ok(simple(ExprKind::Bool(false)))
                }
                "await" => Err(self.limit("'await'")),
                "yield" => Err(self.limit("'yield' (generators)")),
                _ if is_keyword(&n) => Err(self.invalid()),
                _ => {
                    self.pos += 1;
                    Ok(simple(ExprKind::Name(n)))
                }
            },
            Tok::Op("...") => {
                self.pos += 1;
                Ok(simple(ExprKind::Ellipsis))
            }
            Tok::Op("(") => {
                self.pos += 1;
                if self.eat_op(")") {
                    return Ok(Expr {
                        kind: ExprKind::Tuple(Vec::new()),
                        span: span_of(&t, self.prev()),
                    });
                }
                if self.is_kw("yield") {
                    return Err(self.limit("'yield' (generators)"));
                }
                let first = self.star_or_test()?;
                if self.is_op(":=") {
                    return Err(self.limit("the ':=' operator"));
                }
                if self.is_kw("for") {
                    let comps = self.comp_for()?;
                    self.expect_op(")")?;
                    return Ok(Expr {
                        kind: ExprKind::GenExp(Box::new(first), comps),
                        span: span_of(&t, self.prev()),
                    });
                }
                if self.eat_op(")") {
                    let mut e = first;
                    if !matches!(e.kind, ExprKind::Starred(_)) {
                        e.span = span_of(&t, self.prev());
                        // Keep the inner node's own position for tracebacks of names.
                    }
                    return Ok(e);
                }
                let mut items = vec![first];
                while self.eat_op(",") {
                    if self.is_op(")") {
                        break;
                    }
                    items.push(self.star_or_test()?);
                }
                self.expect_op(")")?;
                Ok(Expr {
                    kind: ExprKind::Tuple(items),
                    span: span_of(&t, self.prev()),
                })
            }
            Tok::Op("[") => {
                self.pos += 1;
                if self.eat_op("]") {
                    return Ok(Expr {
                        kind: ExprKind::List(Vec::new()),
                        span: span_of(&t, self.prev()),
                    });
                }
                let first = self.star_or_test()?;
                if self.is_kw("for") {
                    let comps = self.comp_for()?;
                    self.expect_op("]")?;
                    return Ok(Expr {
                        kind: ExprKind::ListComp(Box::new(first), comps),
                        span: span_of(&t, self.prev()),
                    });
                }
                let mut items = vec![first];
                while self.eat_op(",") {
                    if self.is_op("]") {
                        break;
                    }
                    items.push(self.star_or_test()?);
                }
                self.expect_op("]")?;
                Ok(Expr {
                    kind: ExprKind::List(items),
                    span: span_of(&t, self.prev()),
                })
            }
            Tok::Op("{") => {
                self.pos += 1;
                if self.eat_op("}") {
                    return Ok(Expr {
                        kind: ExprKind::Dict(Vec::new()),
                        span: span_of(&t, self.prev()),
                    });
                }
                if self.eat_op("**") {
                    let v = self.or_expr()?;
                    let mut items = vec![(None, v)];
                    self.dict_rest(&mut items)?;
                    return Ok(Expr {
                        kind: ExprKind::Dict(items),
                        span: span_of(&t, self.prev()),
                    });
                }
                let first = self.star_or_test()?;
                if self.eat_op(":") {
                    let v = self.test()?;
                    if self.is_kw("for") {
                        let comps = self.comp_for()?;
                        self.expect_op("}")?;
                        return Ok(Expr {
                            kind: ExprKind::DictComp(Box::new(first), Box::new(v), comps),
                            span: span_of(&t, self.prev()),
                        });
                    }
                    let mut items = vec![(Some(first), v)];
                    self.dict_rest(&mut items)?;
                    return Ok(Expr {
                        kind: ExprKind::Dict(items),
                        span: span_of(&t, self.prev()),
                    });
                }
                if self.is_kw("for") {
                    let comps = self.comp_for()?;
                    self.expect_op("}")?;
                    return Ok(Expr {
                        kind: ExprKind::SetComp(Box::new(first), comps),
                        span: span_of(&t, self.prev()),
                    });
                }
                let mut items = vec![first];
                while self.eat_op(",") {
                    if self.is_op("}") {
                        break;
                    }
                    items.push(self.star_or_test()?);
                }
                self.expect_op("}")?;
                Ok(Expr {
                    kind: ExprKind::Set(items),
                    span: span_of(&t, self.prev()),
                })
            }
            _ => Err(self.invalid()),
        }
    }

    fn dict_rest(&mut self, items: &mut Vec<(Option<Expr>, Expr)>) -> Result<(), SyntaxErr> {
        while self.eat_op(",") {
            if self.is_op("}") {
                break;
            }
            if self.eat_op("**") {
                items.push((None, self.or_expr()?));
                continue;
            }
            let k = self.test()?;
            if !self.is_op(":") {
                let t = self.cur();
                return Err(SyntaxErr::at(
                    t.line,
                    k.span.col,
                    "':' expected after dictionary key",
                ));
            }
            self.pos += 1;
            items.push((Some(k), self.test()?));
        }
        self.expect_op("}")
    }

    fn fstring(&self, raw: &str, is_raw: bool, line: usize) -> Result<Vec<FPart>, SyntaxErr> {
        fstring_parts(raw, is_raw, line)
    }
}

/// Splits an f-string's body into literal text and replacement fields.
fn fstring_parts(raw: &str, is_raw: bool, line: usize) -> Result<Vec<FPart>, SyntaxErr> {
    let chars: Vec<char> = raw.chars().collect();
    let mut parts = Vec::new();
    let mut lit = String::new();
    let mut i = 0;
    let flush = |lit: &mut String, parts: &mut Vec<FPart>| {
        if !lit.is_empty() {
            let s = if is_raw { lit.clone() } else { unescape(lit) };
            parts.push(FPart::Lit(s));
            lit.clear();
        }
    };
    while i < chars.len() {
        let c = chars[i];
        if c == '{' && chars.get(i + 1) == Some(&'{') {
            lit.push('{');
            i += 2;
            continue;
        }
        if c == '}' && chars.get(i + 1) == Some(&'}') {
            lit.push('}');
            i += 2;
            continue;
        }
        if c == '}' {
            return Err(SyntaxErr::at(
                line,
                0,
                "f-string: single '}' is not allowed",
            ));
        }
        if c != '{' {
            lit.push(c);
            i += 1;
            continue;
        }
        flush(&mut lit, &mut parts);
        i += 1;
        // The expression runs to a top-level '!', ':', '=' (debug) or '}'.
        let start = i;
        let mut depth = 0;
        let mut quote: Option<char> = None;
        while i < chars.len() {
            let ch = chars[i];
            if let Some(q) = quote {
                if ch == q {
                    quote = None;
                }
            } else if ch == '\'' || ch == '"' {
                quote = Some(ch);
            } else if "([{".contains(ch) {
                depth += 1;
            } else if ")]}".contains(ch) {
                if depth == 0 {
                    break;
                }
                depth -= 1;
            } else if depth == 0
                && (ch == ':'
                    || (ch == '!' && chars.get(i + 1) != Some(&'='))
                    || (ch == '='
                        && chars.get(i + 1) != Some(&'=')
                        && !matches!(chars.get(i.wrapping_sub(1)), Some('=' | '!' | '<' | '>'))))
            {
                break;
            }
            i += 1;
        }
        let text: String = chars[start..i.min(chars.len())].iter().collect();
        if text.trim().is_empty() {
            return Err(SyntaxErr::at(
                line,
                0,
                "f-string: valid expression required before '}'",
            ));
        }
        let expr = parse_expr(&text, line)?;
        let mut debug = None;
        if chars.get(i) == Some(&'=') {
            debug = Some(format!("{text}="));
            i += 1;
        }
        let mut conv = None;
        if chars.get(i) == Some(&'!') {
            conv = chars.get(i + 1).copied();
            i += 2;
        }
        let mut spec = Vec::new();
        if chars.get(i) == Some(&':') {
            i += 1;
            let s = i;
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '{' {
                    depth += 1;
                } else if chars[i] == '}' {
                    if depth == 0 {
                        break;
                    }
                    depth -= 1;
                }
                i += 1;
            }
            let spec_text: String = chars[s..i.min(chars.len())].iter().collect();
            spec = fstring_parts(&spec_text, true, line)?;
        }
        if chars.get(i) != Some(&'}') {
            return Err(SyntaxErr::at(line, 0, "f-string: expecting '}'"));
        }
        i += 1;
        if debug.is_some() && conv.is_none() && spec.is_empty() {
            conv = Some('r');
        }
        parts.push(FPart::Expr {
            expr: Box::new(expr),
            conv,
            spec,
            debug,
        });
    }
    flush(&mut lit, &mut parts);
    Ok(parts)
}

fn aug_op(op: &str) -> Option<BinOp> {
    Some(match op {
        "+=" => BinOp::Add,
        "-=" => BinOp::Sub,
        "*=" => BinOp::Mul,
        "/=" => BinOp::Div,
        "//=" => BinOp::FloorDiv,
        "%=" => BinOp::Mod,
        "**=" => BinOp::Pow,
        "&=" => BinOp::BitAnd,
        "|=" => BinOp::BitOr,
        "^=" => BinOp::BitXor,
        "<<=" => BinOp::LShift,
        ">>=" => BinOp::RShift,
        "@=" => BinOp::MatMul,
        _ => return None,
    })
}

pub fn is_keyword(n: &str) -> bool {
    matches!(
        n,
        "False"
            | "None"
            | "True"
            | "and"
            | "as"
            | "assert"
            | "async"
            | "await"
            | "break"
            | "class"
            | "continue"
            | "def"
            | "del"
            | "elif"
            | "else"
            | "except"
            | "finally"
            | "for"
            | "from"
            | "global"
            | "if"
            | "import"
            | "in"
            | "is"
            | "lambda"
            | "nonlocal"
            | "not"
            | "or"
            | "pass"
            | "raise"
            | "return"
            | "try"
            | "while"
            | "with"
            | "yield"
    )
}

fn describe(e: &Expr) -> &'static str {
    match &e.kind {
        ExprKind::Call(..) => "function call",
        ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Str(_) | ExprKind::Bytes(_) => "literal",
        ExprKind::None => "None",
        ExprKind::Bool(true) => "True",
        ExprKind::Bool(false) => "False",
        ExprKind::FStr(_) => "f-string expression",
        ExprKind::Bin(..) | ExprKind::Unary(..) => "expression",
        ExprKind::Compare(..) => "comparison",
        ExprKind::Lambda(..) => "lambda",
        ExprKind::Dict(_) => "dict literal",
        ExprKind::Set(_) => "set display",
        ExprKind::ListComp(..) => "list comprehension",
        ExprKind::DictComp(..) => "dict comprehension",
        ExprKind::GenExp(..) => "generator expression",
        ExprKind::IfExp(..) => "conditional expression",
        ExprKind::And(..) | ExprKind::Or(..) => "expression",
        _ => "expression",
    }
}

fn check_target(e: &Expr) -> Result<(), SyntaxErr> {
    match &e.kind {
        ExprKind::Name(_) | ExprKind::Attr(..) | ExprKind::Index(..) => Ok(()),
        ExprKind::Tuple(items) | ExprKind::List(items) => items.iter().try_for_each(check_target),
        ExprKind::Starred(inner) => check_target(inner),
        _ => {
            let what = describe(e);
            let msg = if matches!(
                e.kind,
                ExprKind::Call(..)
                    | ExprKind::Bin(..)
                    | ExprKind::Compare(..)
                    | ExprKind::Int(_)
                    | ExprKind::Str(_)
                    | ExprKind::Float(_)
            ) {
                format!("cannot assign to {what} here. Maybe you meant '==' instead of '='?")
            } else {
                format!("cannot assign to {what}")
            };
            Err(SyntaxErr {
                kind: "SyntaxError",
                msg,
                line: e.span.line,
                col: e.span.col,
                end_col: if e.span.end_line == e.span.line {
                    e.span.end_col
                } else {
                    e.span.col + 1
                },
            })
        }
    }
}

fn check_aug_target(e: &Expr) -> Result<(), SyntaxErr> {
    match &e.kind {
        ExprKind::Name(_) | ExprKind::Attr(..) | ExprKind::Index(..) => Ok(()),
        _ => Err(SyntaxErr {
            kind: "SyntaxError",
            msg: format!(
                "'{}' is an illegal expression for augmented assignment",
                describe(e)
            ),
            line: e.span.line,
            col: e.span.col,
            end_col: e.span.end_col.max(e.span.col + 1),
        }),
    }
}

fn target_names(e: &Expr, out: &mut Vec<String>) {
    match &e.kind {
        ExprKind::Name(n) => out.push(n.clone()),
        ExprKind::Tuple(items) | ExprKind::List(items) => {
            items.iter().for_each(|i| target_names(i, out))
        }
        ExprKind::Starred(inner) => target_names(inner, out),
        _ => {}
    }
}

/// The names a function body binds, and those it declares global or nonlocal.
fn collect_locals(body: &[Stmt], locals: &mut Vec<String>, globals: &mut Vec<String>) {
    for s in body {
        match &s.kind {
            StmtKind::Assign(targets, _) => targets.iter().for_each(|t| target_names(t, locals)),
            StmtKind::AugAssign(t, _, _) | StmtKind::AnnAssign(t, Some(_)) => {
                target_names(t, locals)
            }
            StmtKind::For(t, _, b, o) => {
                target_names(t, locals);
                collect_locals(b, locals, globals);
                collect_locals(o, locals, globals);
            }
            StmtKind::While(_, b, o) => {
                collect_locals(b, locals, globals);
                collect_locals(o, locals, globals);
            }
            StmtKind::If(arms, o) => {
                for (_, b) in arms {
                    collect_locals(b, locals, globals);
                }
                collect_locals(o, locals, globals);
            }
            StmtKind::Def(f) => locals.push(f.name.clone()),
            StmtKind::Class { name, .. } => locals.push(name.clone()),
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finally,
            } => {
                collect_locals(body, locals, globals);
                for h in handlers {
                    locals.extend(h.name.iter().cloned());
                    collect_locals(&h.body, locals, globals);
                }
                collect_locals(orelse, locals, globals);
                collect_locals(finally, locals, globals);
            }
            StmtKind::With(items, b) => {
                for (_, v) in items {
                    if let Some(v) = v {
                        target_names(v, locals);
                    }
                }
                collect_locals(b, locals, globals);
            }
            StmtKind::Import(names) => {
                for (n, a) in names {
                    locals.push(
                        a.clone()
                            .unwrap_or_else(|| n.split('.').next().unwrap_or(n).to_string()),
                    );
                }
            }
            StmtKind::ImportFrom(_, names, _) => {
                for (n, a) in names {
                    locals.push(a.clone().unwrap_or_else(|| n.clone()));
                }
            }
            StmtKind::Global(n) | StmtKind::Nonlocal(n) => globals.extend(n.iter().cloned()),
            StmtKind::Del(targets) => targets.iter().for_each(|t| target_names(t, locals)),
            _ => {}
        }
    }
}

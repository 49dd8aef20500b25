//! Go source to syntax tree, for the subset the lab runs, with the `gc` compiler's
//! wording for syntax errors ("syntax error: unexpected newline in argument list;
//! possibly missing comma or )"). The first syntax error in a file stops its parse, as
//! the errors after it are mostly echoes.

use super::ast::*;
use super::lexer::{Pos, SyntaxError, Tok, Token, lex};
use std::rc::Rc;

/// A type written in Go syntax (the standard library's signatures are kept this way).
pub fn parse_type(src: &str) -> Result<TypeExpr, SyntaxError> {
    let toks = lex(src)?;
    let mut p = Parser {
        toks,
        at: 0,
        no_lit: 0,
        depth: 0,
        last_rbrace: Pos::default(),
    };
    p.type_expr()
}

pub fn parse_file(name: &str, src: &str) -> Result<File, SyntaxError> {
    let toks = lex(src)?;
    let mut p = Parser {
        toks,
        at: 0,
        no_lit: 0,
        depth: 0,
        last_rbrace: Pos::default(),
    };
    p.file(name)
}

struct Parser {
    toks: Vec<Token>,
    at: usize,
    /// Above zero in an `if`/`for`/`switch` header, where `T{` opens the block.
    no_lit: u32,
    depth: u32,
    /// The closing brace of the block parsed last.
    last_rbrace: Pos,
}

type R<T> = Result<T, SyntaxError>;

/// A parameter as read: a name, a type, or both (`a, b int` names `a` without one).
type ParamEntry = (Option<(String, Pos)>, Option<TypeExpr>);

/// Deeper nesting than this is refused rather than overflowing the stack.
const MAX_DEPTH: u32 = 200;

impl Parser {
    fn tok(&self) -> &Tok {
        &self.toks[self.at].tok
    }
    fn pos(&self) -> Pos {
        self.toks[self.at].pos
    }
    fn peek(&self, n: usize) -> &Tok {
        &self.toks[(self.at + n).min(self.toks.len() - 1)].tok
    }
    fn bump(&mut self) -> Token {
        let t = self.toks[self.at].clone();
        if self.at + 1 < self.toks.len() {
            self.at += 1;
        }
        t
    }
    fn is_op(&self, op: &str) -> bool {
        matches!(self.tok(), Tok::Op(o) if *o == op)
    }
    fn is_kw(&self, kw: &str) -> bool {
        matches!(self.tok(), Tok::Keyword(k) if *k == kw)
    }
    fn is_semi(&self) -> bool {
        matches!(self.tok(), Tok::Semi(_))
    }
    fn eat_op(&mut self, op: &str) -> bool {
        if self.is_op(op) {
            self.bump();
            true
        } else {
            false
        }
    }

    /// "syntax error: unexpected TOKEN" plus a context the way `gc` joins them.
    fn unexpected(&self, msg: &str) -> SyntaxError {
        let tok = self.tok().describe();
        let msg = if msg.is_empty() {
            String::new()
        } else if msg.starts_with("in ") || msg.starts_with("at ") || msg.starts_with("after ") {
            format!(" {msg}")
        } else if msg.starts_with("expected ") {
            format!(", {msg}")
        } else {
            return self.plain(msg);
        };
        SyntaxError {
            pos: self.pos(),
            msg: format!("syntax error: unexpected {tok}{msg}"),
        }
    }
    fn plain(&self, msg: &str) -> SyntaxError {
        SyntaxError {
            pos: self.pos(),
            msg: format!("syntax error: {msg}"),
        }
    }

    fn want_op(&mut self, op: &str) -> R<Pos> {
        if self.is_op(op) {
            Ok(self.bump().pos)
        } else {
            Err(self.unexpected(&format!("expected {op}")))
        }
    }

    fn ident(&mut self) -> R<(String, Pos)> {
        match self.tok().clone() {
            Tok::Ident(n) => {
                let pos = self.bump().pos;
                Ok((n, pos))
            }
            _ => Err(self.unexpected("expected name")),
        }
    }

    fn skip_semis(&mut self) {
        while self.is_semi() {
            self.bump();
        }
    }

    fn enter(&mut self) -> R<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.plain("nesting too deep"));
        }
        Ok(())
    }

    fn file(&mut self, name: &str) -> R<File> {
        self.skip_semis();
        if !self.is_kw("package") {
            return Err(self.plain("package statement must be first"));
        }
        self.bump();
        let (package, _) = self.ident()?;
        self.end_decl("after package clause")?;
        let mut imports = Vec::new();
        while self.is_kw("import") {
            self.bump();
            if self.eat_op("(") {
                loop {
                    self.skip_semis();
                    if self.eat_op(")") {
                        break;
                    }
                    imports.push(self.import_spec()?);
                    if !self.is_op(")") {
                        self.end_decl("in import declaration")?;
                    }
                }
            } else {
                imports.push(self.import_spec()?);
            }
            self.end_decl("after top level declaration")?;
        }
        let mut decls = Vec::new();
        loop {
            self.skip_semis();
            match self.tok().clone() {
                Tok::Eof => break,
                Tok::Keyword("func") => decls.push(self.func_decl()?),
                Tok::Keyword("var") => {
                    self.bump();
                    decls.push(Decl::Var(self.var_specs(false)?));
                }
                Tok::Keyword("const") => {
                    self.bump();
                    decls.push(Decl::Const(self.var_specs(true)?));
                }
                Tok::Keyword("type") => {
                    self.bump();
                    for spec in self.type_specs()? {
                        decls.push(Decl::Type(spec));
                    }
                }
                Tok::Keyword("import") => {
                    return Err(self.plain("imports must appear before other declarations"));
                }
                _ => return Err(self.plain("non-declaration statement outside function body")),
            }
            if !matches!(self.tok(), Tok::Eof) {
                self.end_decl("after top level declaration")?;
            }
        }
        Ok(File {
            name: name.to_string(),
            package,
            imports,
            decls,
        })
    }

    fn end_decl(&mut self, context: &str) -> R<()> {
        if self.is_semi() {
            self.bump();
            Ok(())
        } else if matches!(self.tok(), Tok::Eof) || self.is_op(")") {
            Ok(())
        } else {
            Err(self.unexpected(context))
        }
    }

    fn import_spec(&mut self) -> R<Import> {
        let alias = match self.tok().clone() {
            Tok::Ident(n) => {
                self.bump();
                Some(n)
            }
            Tok::Op(".") => {
                self.bump();
                Some(".".to_string())
            }
            _ => None,
        };
        let pos = self.pos();
        match self.tok().clone() {
            Tok::Str(path) => {
                self.bump();
                Ok(Import { path, alias, pos })
            }
            _ => Err(self.plain("missing import path; require quoted string")),
        }
    }

    fn func_decl(&mut self) -> R<Decl> {
        self.bump();
        let recv = if self.is_op("(") {
            let (params, _) = self.params()?;
            params.into_iter().next()
        } else {
            None
        };
        let (name, pos) = self.ident()?;
        let sig = self.signature()?;
        if self.is_semi() {
            if matches!(self.peek(1), Tok::Op("{")) {
                return Err(self.plain("unexpected semicolon or newline before {"));
            }
            return Err(self.plain("missing function body"));
        }
        let body = self.block()?;
        Ok(Decl::Func(Rc::new(FuncDecl {
            name,
            pos,
            recv,
            sig,
            body,
            end: self.last_rbrace,
        })))
    }

    fn signature(&mut self) -> R<Signature> {
        let (params, variadic) = self.params()?;
        let results = if self.is_op("(") {
            self.params()?.0
        } else if self.starts_type() {
            vec![Param {
                name: None,
                ty: self.type_expr()?,
            }]
        } else {
            Vec::new()
        };
        Ok(Signature {
            params,
            results,
            variadic,
        })
    }

    fn starts_type(&self) -> bool {
        matches!(
            self.tok(),
            Tok::Ident(_)
                | Tok::Op("[" | "*" | "(")
                | Tok::Keyword("map" | "struct" | "func" | "interface" | "chan")
        )
    }

    /// A parameter list: `(a, b int, c string)` or `(int, string)`.
    fn params(&mut self) -> R<(Vec<Param>, bool)> {
        self.want_op("(")?;
        // Entries: an optional name and an optional type, resolved once the list is read.
        let mut entries: Vec<ParamEntry> = Vec::new();
        let mut variadic = false;
        while !self.is_op(")") {
            if self.eat_op("...") {
                variadic = true;
                entries.push((None, Some(TypeExpr::Slice(Box::new(self.type_expr()?)))));
            } else if let Tok::Ident(n) = self.tok().clone() {
                let pos = self.pos();
                let next = self.peek(1).clone();
                if matches!(next, Tok::Op("," | ")")) {
                    self.bump();
                    entries.push((Some((n, pos)), None));
                } else if matches!(next, Tok::Op(".")) {
                    entries.push((None, Some(self.type_expr()?)));
                } else {
                    self.bump();
                    if self.eat_op("...") {
                        variadic = true;
                        let t = self.type_expr()?;
                        entries.push((Some((n, pos)), Some(TypeExpr::Slice(Box::new(t)))));
                    } else {
                        entries.push((Some((n, pos)), Some(self.type_expr()?)));
                    }
                }
            } else {
                entries.push((None, Some(self.type_expr()?)));
            }
            if !self.eat_op(",") {
                if self.is_op(")") {
                    break;
                }
                return Err(self.unexpected("in parameter list; possibly missing comma or )"));
            }
            self.skip_semis_in_list();
        }
        self.want_op(")")?;
        let named = entries.iter().any(|(n, t)| n.is_some() && t.is_some());
        let mut out = Vec::new();
        if named {
            // `a, b int`: names without a type take the next type given.
            let mut pending: Vec<(String, Pos)> = Vec::new();
            for (name, ty) in entries {
                match (name, ty) {
                    (Some(n), None) => pending.push(n),
                    (Some(n), Some(t)) => {
                        for p in pending.drain(..) {
                            out.push(Param {
                                name: Some(p),
                                ty: t.clone(),
                            });
                        }
                        out.push(Param {
                            name: Some(n),
                            ty: t,
                        });
                    }
                    (None, Some(_)) => {
                        return Err(self.plain("mixed named and unnamed parameters"));
                    }
                    (None, None) => {}
                }
            }
            if !pending.is_empty() {
                return Err(self.plain("mixed named and unnamed parameters"));
            }
        } else {
            for (name, ty) in entries {
                let ty = match (name, ty) {
                    (Some((n, p)), None) => TypeExpr::Name(n, p),
                    (_, Some(t)) => t,
                    (None, None) => continue,
                };
                out.push(Param { name: None, ty });
            }
        }
        Ok((out, variadic))
    }

    fn skip_semis_in_list(&mut self) {
        // A newline after a comma inserts no semicolon; nothing to skip, kept for clarity.
    }

    fn type_expr(&mut self) -> R<TypeExpr> {
        self.enter()?;
        let t = self.type_inner();
        self.depth -= 1;
        t
    }

    fn type_inner(&mut self) -> R<TypeExpr> {
        match self.tok().clone() {
            Tok::Ident(n) => {
                let pos = self.bump().pos;
                if self.is_op(".") {
                    self.bump();
                    let (sel, _) = self.ident()?;
                    return Ok(TypeExpr::Qualified(n, sel, pos));
                }
                Ok(TypeExpr::Name(n, pos))
            }
            Tok::Op("*") => {
                self.bump();
                Ok(TypeExpr::Pointer(Box::new(self.type_expr()?)))
            }
            Tok::Op("(") => {
                self.bump();
                let t = self.type_expr()?;
                self.want_op(")")?;
                Ok(t)
            }
            Tok::Op("[") => {
                self.bump();
                if self.eat_op("]") {
                    return Ok(TypeExpr::Slice(Box::new(self.type_expr()?)));
                }
                let len = if self.eat_op("...") {
                    None
                } else {
                    Some(Box::new(self.expr()?))
                };
                self.want_op("]")?;
                Ok(TypeExpr::Array(len, Box::new(self.type_expr()?)))
            }
            Tok::Keyword("map") => {
                self.bump();
                self.want_op("[")?;
                let k = self.type_expr()?;
                self.want_op("]")?;
                Ok(TypeExpr::Map(Box::new(k), Box::new(self.type_expr()?)))
            }
            Tok::Keyword("chan") => {
                let pos = self.bump().pos;
                self.type_expr()?;
                Ok(TypeExpr::Chan(pos))
            }
            Tok::Keyword("func") => {
                self.bump();
                Ok(TypeExpr::Func(Box::new(self.signature()?)))
            }
            Tok::Keyword("interface") => {
                self.bump();
                self.want_op("{")?;
                let mut methods = Vec::new();
                loop {
                    self.skip_semis();
                    if self.eat_op("}") {
                        break;
                    }
                    let (name, _) = self.ident()?;
                    if self.is_op("(") {
                        self.signature()?;
                    }
                    methods.push(name);
                    if !self.is_op("}") && !self.is_semi() {
                        return Err(self.unexpected(
                            "in interface type; possibly missing semicolon or newline or }",
                        ));
                    }
                }
                let _ = methods;
                Ok(TypeExpr::Interface)
            }
            Tok::Keyword("struct") => {
                self.bump();
                self.want_op("{")?;
                let mut fields = Vec::new();
                loop {
                    self.skip_semis();
                    if self.eat_op("}") {
                        break;
                    }
                    let (first, pos) = self.ident()?;
                    if self.is_semi() || self.is_op("}") || matches!(self.tok(), Tok::Str(_)) {
                        let tag = self.tag();
                        fields.push(Field {
                            name: first.clone(),
                            ty: TypeExpr::Name(first, pos),
                            tag,
                        });
                        continue;
                    }
                    let mut names = vec![(first, pos)];
                    while self.eat_op(",") {
                        names.push(self.ident()?);
                    }
                    let ty = self.type_expr()?;
                    let tag = self.tag();
                    for (name, _) in names {
                        fields.push(Field {
                            name,
                            ty: ty.clone(),
                            tag: tag.clone(),
                        });
                    }
                    if !self.is_op("}") && !self.is_semi() {
                        return Err(self.unexpected(
                            "in struct type; possibly missing semicolon or newline or }",
                        ));
                    }
                }
                Ok(TypeExpr::Struct(fields))
            }
            _ => Err(self.unexpected("expected type")),
        }
    }

    fn tag(&mut self) -> Option<String> {
        if let Tok::Str(s) = self.tok().clone() {
            self.bump();
            Some(s)
        } else {
            None
        }
    }

    fn var_specs(&mut self, constant: bool) -> R<Vec<VarSpec>> {
        let mut specs = Vec::new();
        if self.eat_op("(") {
            let mut iota = 0;
            let mut last: Option<(Option<TypeExpr>, Vec<Expr>)> = None;
            loop {
                self.skip_semis();
                if self.eat_op(")") {
                    break;
                }
                let mut spec = self.var_spec(constant, iota)?;
                if constant {
                    if spec.values.is_empty() {
                        if let Some((ty, values)) = &last {
                            spec.ty = ty.clone();
                            spec.values = values.clone();
                        }
                    } else {
                        last = Some((spec.ty.clone(), spec.values.clone()));
                    }
                }
                specs.push(spec);
                iota += 1;
                if !self.is_op(")") {
                    if !self.is_semi() {
                        return Err(self.unexpected("after top level declaration"));
                    }
                    self.bump();
                }
            }
        } else {
            specs.push(self.var_spec(constant, 0)?);
        }
        Ok(specs)
    }

    fn var_spec(&mut self, constant: bool, iota: i64) -> R<VarSpec> {
        let mut names = vec![self.ident()?];
        while self.eat_op(",") {
            names.push(self.ident()?);
        }
        let ty = if !self.is_op("=") && !self.is_semi() && !self.is_op(")") {
            Some(self.type_expr()?)
        } else {
            None
        };
        let values = if self.eat_op("=") {
            self.expr_list()?
        } else {
            if constant && iota == 0 {
                return Err(self.plain("missing init expr for const declaration"));
            }
            Vec::new()
        };
        Ok(VarSpec {
            names,
            ty,
            values,
            iota,
        })
    }

    fn type_specs(&mut self) -> R<Vec<TypeSpec>> {
        let mut out = Vec::new();
        let grouped = self.eat_op("(");
        loop {
            if grouped {
                self.skip_semis();
                if self.eat_op(")") {
                    break;
                }
            }
            let (name, pos) = self.ident()?;
            self.eat_op("=");
            let ty = self.type_expr()?;
            out.push(TypeSpec { name, pos, ty });
            if !grouped {
                break;
            }
        }
        Ok(out)
    }

    fn block(&mut self) -> R<Block> {
        if !self.is_op("{") {
            return Err(self.unexpected("expected {"));
        }
        self.bump();
        self.enter()?;
        let stmts = self.stmt_list()?;
        self.depth -= 1;
        if !self.is_op("}") {
            return Err(self.unexpected("at end of statement"));
        }
        self.last_rbrace = self.bump().pos;
        Ok(stmts)
    }

    fn stmt_list(&mut self) -> R<Vec<Stmt>> {
        let mut stmts = Vec::new();
        loop {
            self.skip_semis();
            if self.is_op("}") || matches!(self.tok(), Tok::Eof) {
                break;
            }
            if self.is_kw("case") || self.is_kw("default") {
                break;
            }
            stmts.push(self.stmt()?);
            if self.is_op("}") || self.is_kw("case") || self.is_kw("default") {
                continue;
            }
            if !self.is_semi() {
                if matches!(self.tok(), Tok::Eof) {
                    break;
                }
                return Err(self.unexpected("at end of statement"));
            }
        }
        Ok(stmts)
    }

    fn stmt(&mut self) -> R<Stmt> {
        let pos = self.pos();
        match self.tok().clone() {
            Tok::Keyword("var") => {
                self.bump();
                Ok(Stmt::Var(self.var_specs(false)?, pos))
            }
            Tok::Keyword("const") => {
                self.bump();
                Ok(Stmt::Const(self.var_specs(true)?))
            }
            Tok::Keyword("type") => {
                self.bump();
                let mut specs = self.type_specs()?;
                Ok(specs
                    .pop()
                    .map(Stmt::Type)
                    .unwrap_or(Stmt::Block(Vec::new())))
            }
            Tok::Keyword("return") => {
                self.bump();
                let values = if self.is_semi() || self.is_op("}") {
                    Vec::new()
                } else {
                    self.expr_list()?
                };
                Ok(Stmt::Return(values, pos))
            }
            Tok::Keyword("break") | Tok::Keyword("continue") => {
                let brk = self.is_kw("break");
                self.bump();
                let label = if let Tok::Ident(n) = self.tok().clone() {
                    self.bump();
                    Some(n)
                } else {
                    None
                };
                Ok(if brk {
                    Stmt::Break(label)
                } else {
                    Stmt::Continue(label)
                })
            }
            Tok::Keyword("fallthrough") => {
                self.bump();
                Ok(Stmt::Fallthrough)
            }
            Tok::Keyword("if") => self.if_stmt(),
            Tok::Keyword("for") => self.for_stmt(None),
            Tok::Keyword("switch") => self.switch_stmt(None),
            Tok::Keyword("defer") => {
                self.bump();
                let e = self.expr()?;
                if !matches!(e, Expr::Call { .. }) {
                    return Err(SyntaxError {
                        pos: e.pos(),
                        msg: "expression in defer must be function call".into(),
                    });
                }
                Ok(Stmt::Defer(e, pos))
            }
            Tok::Keyword("go") => {
                self.bump();
                let e = self.expr()?;
                Ok(Stmt::Unsupported(
                    "go statements (goroutines)".into(),
                    pos,
                    Some(e),
                ))
            }
            Tok::Keyword("select") => Err(self.unsupported_block("select statements", pos)),
            Tok::Keyword("goto") => {
                self.bump();
                self.ident()?;
                Ok(Stmt::Unsupported("goto".into(), pos, None))
            }
            Tok::Op("{") => Ok(Stmt::Block(self.block()?)),
            Tok::Ident(label) if matches!(self.peek(1), Tok::Op(":")) => {
                self.bump();
                self.bump();
                self.skip_semis();
                match self.tok() {
                    Tok::Keyword("for") => self.for_stmt(Some(label)),
                    Tok::Keyword("switch") => self.switch_stmt(Some(label)),
                    _ => self.stmt(),
                }
            }
            _ => self.simple_stmt(),
        }
    }

    fn unsupported_block(&mut self, what: &str, pos: Pos) -> SyntaxError {
        SyntaxError {
            pos,
            msg: format!("docklab: this lab's go does not support {what}"),
        }
    }

    fn simple_stmt(&mut self) -> R<Stmt> {
        let pos = self.pos();
        let lhs = self.expr_list()?;
        let op_pos = self.pos();
        match self.tok().clone() {
            Tok::Op(":=") => {
                self.bump();
                if self.is_kw("range") {
                    return Err(self.plain("unexpected range"));
                }
                let mut names = Vec::new();
                for e in &lhs {
                    match e {
                        Expr::Ident(n, p) => names.push((n.clone(), *p)),
                        other => {
                            return Err(SyntaxError {
                                pos: other.pos(),
                                msg: format!(
                                    "non-name {} on left side of :=",
                                    super::typecheck::expr_string(other)
                                ),
                            });
                        }
                    }
                }
                let rhs = self.expr_list()?;
                Ok(Stmt::Define(names, rhs, op_pos))
            }
            Tok::Op(
                op @ ("=" | "+=" | "-=" | "*=" | "/=" | "%=" | "&=" | "|=" | "^=" | "<<=" | ">>="
                | "&^="),
            ) => {
                self.bump();
                let rhs = self.expr_list()?;
                Ok(Stmt::Assign(lhs, op, rhs, op_pos))
            }
            Tok::Op(op @ ("++" | "--")) => {
                self.bump();
                let target = lhs.into_iter().next().expect("one expression at least");
                Ok(Stmt::IncDec(target, op == "++", pos))
            }
            Tok::Op("<-") => Ok(Stmt::Unsupported("channels".into(), pos, None)),
            _ => {
                if lhs.len() > 1 {
                    return Err(self.unexpected("expected := or = or comma"));
                }
                let e = lhs.into_iter().next().expect("one expression at least");
                Ok(Stmt::Expr(e))
            }
        }
    }

    /// The header of an `if`/`for`/`switch`: `init; cond` or `cond`.
    fn header_stmt(&mut self) -> R<Option<Stmt>> {
        if self.is_op("{") || self.is_semi() {
            return Ok(None);
        }
        self.no_lit += 1;
        let s = self.simple_stmt();
        self.no_lit -= 1;
        s.map(Some)
    }

    fn if_stmt(&mut self) -> R<Stmt> {
        let pos = self.bump().pos;
        if self.is_op("{") {
            return Err(self.plain("missing condition in if statement"));
        }
        let mut init = self.header_stmt()?;
        let cond = if self.is_semi() && !matches!(self.tok(), Tok::Semi(true)) {
            self.bump();
            self.no_lit += 1;
            let c = self.expr();
            self.no_lit -= 1;
            c?
        } else {
            match init.take() {
                Some(Stmt::Expr(e)) => e,
                Some(_) => {
                    return Err(SyntaxError {
                        pos,
                        msg: "syntax error: cannot use assignment as value".into(),
                    });
                }
                None => return Err(self.plain("missing condition in if statement")),
            }
        };
        if !self.is_op("{") {
            return Err(self.unexpected("expected { after if clause"));
        }
        let then = self.block()?;
        let els = if self.is_kw("else") {
            self.bump();
            if self.is_kw("if") {
                Some(Box::new(self.if_stmt()?))
            } else if self.is_op("{") {
                Some(Box::new(Stmt::Block(self.block()?)))
            } else {
                return Err(self.plain("else must be followed by if or statement block"));
            }
        } else {
            None
        };
        Ok(Stmt::If {
            init: init.map(Box::new),
            cond,
            then,
            els,
            pos,
        })
    }

    fn for_stmt(&mut self, label: Option<String>) -> R<Stmt> {
        let pos = self.bump().pos;
        if self.is_op("{") {
            let body = self.block()?;
            return Ok(Stmt::For {
                init: None,
                cond: None,
                post: None,
                body,
                label,
                pos,
            });
        }
        // `for range x`, `for k, v := range x`, `for k = range x`.
        if self.is_kw("range") {
            self.bump();
            self.no_lit += 1;
            let expr = self.expr();
            self.no_lit -= 1;
            let body = self.block()?;
            return Ok(Stmt::Range {
                key: None,
                value: None,
                define: false,
                expr: expr?,
                body,
                label,
                pos,
            });
        }
        let mut init = None;
        if !self.is_semi() {
            self.no_lit += 1;
            let lhs = self.expr_list();
            self.no_lit -= 1;
            let lhs = lhs?;
            if (self.is_op(":=") || self.is_op("="))
                && matches!(self.peek(1), Tok::Keyword("range"))
            {
                let define = self.is_op(":=");
                self.bump();
                self.bump();
                self.no_lit += 1;
                let expr = self.expr();
                self.no_lit -= 1;
                let expr = expr?;
                let mut it = lhs.into_iter();
                let key = it.next();
                let value = it.next();
                let body = self.block()?;
                return Ok(Stmt::Range {
                    key,
                    value,
                    define,
                    expr,
                    body,
                    label,
                    pos,
                });
            }
            // Put the expressions back: re-parse them as a simple statement.
            self.at = self.rewind_to(pos);
            init = self.header_stmt()?;
        }
        if self.is_op("{") {
            let cond = match init {
                Some(Stmt::Expr(e)) => Some(e),
                None => None,
                Some(_) => return Err(self.plain("expected for loop condition")),
            };
            let body = self.block()?;
            return Ok(Stmt::For {
                init: None,
                cond,
                post: None,
                body,
                label,
                pos,
            });
        }
        if !self.is_semi() {
            return Err(self.unexpected("expected for loop condition"));
        }
        self.bump();
        let cond = if self.is_semi() {
            None
        } else {
            self.no_lit += 1;
            let c = self.expr();
            self.no_lit -= 1;
            Some(c?)
        };
        if !self.is_semi() {
            return Err(self.unexpected("expected for loop condition"));
        }
        self.bump();
        let post = if self.is_op("{") {
            None
        } else {
            self.header_stmt()?
        };
        if let Some(Stmt::Define(_, _, p)) = &post {
            return Err(SyntaxError {
                pos: *p,
                msg: "syntax error: cannot declare in post statement of for loop".into(),
            });
        }
        let body = self.block()?;
        Ok(Stmt::For {
            init: init.map(Box::new),
            cond,
            post: post.map(Box::new),
            body,
            label,
            pos,
        })
    }

    /// The index of the token after the `for` keyword at `for_pos`.
    fn rewind_to(&self, for_pos: Pos) -> usize {
        let mut i = self.at;
        while i > 0 && self.toks[i].pos != for_pos {
            i -= 1;
        }
        i + 1
    }

    fn switch_stmt(&mut self, label: Option<String>) -> R<Stmt> {
        let pos = self.bump().pos;
        let mut init = self.header_stmt()?;
        let tag = if self.is_semi() {
            self.bump();
            let t = self.header_stmt()?;
            match t {
                Some(Stmt::Expr(e)) => Some(e),
                None => None,
                Some(_) => return Err(self.plain("switch expression must be an expression")),
            }
        } else {
            match init.take() {
                Some(Stmt::Expr(e)) => Some(e),
                None => None,
                Some(s) => {
                    init = Some(s);
                    None
                }
            }
        };
        if let Some(Expr::TypeAssert(_, None, p)) = &tag {
            return Err(SyntaxError {
                pos: *p,
                msg: "docklab: this lab's go does not support type switches".into(),
            });
        }
        if !self.is_op("{") {
            return Err(self.unexpected("expected { after switch clause"));
        }
        self.bump();
        let mut cases = Vec::new();
        loop {
            self.skip_semis();
            if self.eat_op("}") {
                break;
            }
            let exprs = if self.is_kw("case") {
                self.bump();
                Some(self.expr_list()?)
            } else if self.is_kw("default") {
                self.bump();
                None
            } else {
                return Err(self.unexpected("expected case or default or }"));
            };
            self.want_op(":")?;
            let body = self.stmt_list()?;
            cases.push(Case { exprs, body });
        }
        Ok(Stmt::Switch {
            init: init.map(Box::new),
            tag,
            cases,
            label,
            pos,
        })
    }

    fn expr_list(&mut self) -> R<Vec<Expr>> {
        let mut out = vec![self.expr()?];
        while self.eat_op(",") {
            out.push(self.expr()?);
        }
        Ok(out)
    }

    fn expr(&mut self) -> R<Expr> {
        self.enter()?;
        let e = self.binary(1);
        self.depth -= 1;
        e
    }

    fn binary(&mut self, min: u8) -> R<Expr> {
        let mut lhs = self.unary()?;
        while let Tok::Op(op) = self.tok().clone() {
            let prec = match op {
                "||" => 1,
                "&&" => 2,
                "==" | "!=" | "<" | "<=" | ">" | ">=" => 3,
                "+" | "-" | "|" | "^" => 4,
                "*" | "/" | "%" | "<<" | ">>" | "&" | "&^" => 5,
                _ => break,
            };
            if prec < min {
                break;
            }
            self.bump();
            let rhs = self.binary(prec + 1)?;
            lhs = Expr::Binary(op, Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> R<Expr> {
        let pos = self.pos();
        match self.tok().clone() {
            Tok::Op(op @ ("-" | "+" | "!" | "^" | "&")) => {
                self.bump();
                self.enter()?;
                let e = self.unary();
                self.depth -= 1;
                Ok(Expr::Unary(op, Box::new(e?), pos))
            }
            Tok::Op("*") => {
                self.bump();
                self.enter()?;
                let e = self.unary();
                self.depth -= 1;
                Ok(Expr::Unary("*", Box::new(e?), pos))
            }
            Tok::Op("<-") => Err(SyntaxError {
                pos,
                msg: "docklab: this lab's go does not support channels".into(),
            }),
            _ => self.primary(),
        }
    }

    fn operand(&mut self) -> R<Expr> {
        let pos = self.pos();
        match self.tok().clone() {
            Tok::Int(text) => {
                self.bump();
                let clean = text.replace('_', "");
                let value = if let Some(hex) = clean.strip_prefix("0x").or(clean.strip_prefix("0X"))
                {
                    i64::from_str_radix(hex, 16)
                } else if let Some(bin) = clean.strip_prefix("0b").or(clean.strip_prefix("0B")) {
                    i64::from_str_radix(bin, 2)
                } else if let Some(oct) = clean.strip_prefix("0o").or(clean.strip_prefix("0O")) {
                    i64::from_str_radix(oct, 8)
                } else if clean.len() > 1 && clean.starts_with('0') {
                    i64::from_str_radix(&clean[1..], 8)
                } else {
                    clean.parse()
                };
                match value {
                    Ok(v) => Ok(Expr::Int(v, pos)),
                    Err(_) => Err(SyntaxError {
                        pos,
                        msg: format!(
                            "cannot use {text} (untyped int constant) as int value in expression (overflows)"
                        ),
                    }),
                }
            }
            Tok::Float(text) => {
                self.bump();
                Ok(Expr::Float(
                    text.replace('_', "").parse().unwrap_or(0.0),
                    pos,
                ))
            }
            Tok::Str(s) => {
                self.bump();
                Ok(Expr::Str(s, pos))
            }
            Tok::Char(c) => {
                self.bump();
                Ok(Expr::Char(c, pos))
            }
            Tok::Ident(n) => {
                self.bump();
                Ok(Expr::Ident(n, pos))
            }
            Tok::Op("(") => {
                self.bump();
                let saved = self.no_lit;
                self.no_lit = 0;
                let e = self.expr();
                self.no_lit = saved;
                let e = e?;
                if !self.is_op(")") {
                    return Err(self.unexpected("expected )"));
                }
                self.bump();
                Ok(Expr::Paren(Box::new(e), pos))
            }
            Tok::Keyword("func") => {
                self.bump();
                let sig = self.signature()?;
                if !self.is_op("{") {
                    return Ok(Expr::Type(TypeExpr::Func(Box::new(sig)), pos));
                }
                let saved = self.no_lit;
                self.no_lit = 0;
                let body = self.block();
                self.no_lit = saved;
                Ok(Expr::FuncLit(Rc::new(FuncDecl {
                    name: String::new(),
                    pos,
                    recv: None,
                    sig,
                    body: body?,
                    end: self.last_rbrace,
                })))
            }
            Tok::Op("[") | Tok::Keyword("map" | "struct" | "interface" | "chan") => {
                let t = self.type_expr()?;
                Ok(Expr::Type(t, pos))
            }
            _ => Err(self.unexpected("expected expression")),
        }
    }

    fn primary(&mut self) -> R<Expr> {
        let mut e = self.operand()?;
        loop {
            let pos = self.pos();
            match self.tok().clone() {
                Tok::Op(".") => {
                    self.bump();
                    if self.eat_op("(") {
                        let ty = if self.is_kw("type") {
                            self.bump();
                            None
                        } else {
                            Some(self.type_expr()?)
                        };
                        self.want_op(")")?;
                        e = Expr::TypeAssert(Box::new(e), ty, pos);
                        continue;
                    }
                    let (name, npos) = match self.tok().clone() {
                        Tok::Ident(n) => (n, self.bump().pos),
                        _ => return Err(self.unexpected("expected name or (")),
                    };
                    e = Expr::Selector(Box::new(e), name, npos);
                }
                Tok::Op("(") => {
                    self.bump();
                    let saved = self.no_lit;
                    self.no_lit = 0;
                    let mut args = Vec::new();
                    let mut ellipsis = false;
                    while !self.is_op(")") {
                        args.push(self.expr()?);
                        if self.eat_op("...") {
                            ellipsis = true;
                        }
                        if !self.eat_op(",") {
                            if self.is_op(")") {
                                break;
                            }
                            self.no_lit = saved;
                            return Err(
                                self.unexpected("in argument list; possibly missing comma or )")
                            );
                        }
                    }
                    self.no_lit = saved;
                    let rparen = self.bump().pos;
                    e = Expr::Call {
                        func: Box::new(e),
                        args,
                        ellipsis,
                        pos,
                        rparen,
                    };
                }
                Tok::Op("[") => {
                    self.bump();
                    let saved = self.no_lit;
                    self.no_lit = 0;
                    let lo = if self.is_op(":") {
                        None
                    } else {
                        Some(Box::new(self.expr()?))
                    };
                    if self.eat_op(":") {
                        let hi = if self.is_op("]") {
                            None
                        } else {
                            Some(Box::new(self.expr()?))
                        };
                        self.no_lit = saved;
                        self.want_op("]")?;
                        e = Expr::Sliced(Box::new(e), lo, hi, pos);
                    } else {
                        self.no_lit = saved;
                        self.want_op("]")?;
                        let Some(lo) = lo else {
                            return Err(self.unexpected("expected operand"));
                        };
                        e = Expr::Index(Box::new(e), lo, pos);
                    }
                }
                Tok::Op("{") if self.literal_type(&e) => {
                    let ty = match e {
                        Expr::Type(t, _) => t,
                        Expr::Ident(n, p) => TypeExpr::Name(n, p),
                        Expr::Selector(x, sel, _) => match *x {
                            Expr::Ident(pkg, p) => TypeExpr::Qualified(pkg, sel, p),
                            _ => unreachable!("literal_type checked the shape"),
                        },
                        _ => unreachable!("literal_type checked the shape"),
                    };
                    let lpos = ty_pos(&ty).unwrap_or(pos);
                    let elems = self.composite_body()?;
                    e = Expr::Composite(Some(ty), elems, lpos);
                }
                _ => break,
            }
        }
        Ok(e)
    }

    fn literal_type(&self, e: &Expr) -> bool {
        match e {
            Expr::Type(TypeExpr::Func(_), _) => false,
            Expr::Type(..) => true,
            Expr::Ident(..) => self.no_lit == 0,
            Expr::Selector(x, _, _) => matches!(**x, Expr::Ident(..)) && self.no_lit == 0,
            _ => false,
        }
    }

    fn composite_body(&mut self) -> R<Vec<(Option<Expr>, Expr)>> {
        self.want_op("{")?;
        let saved = self.no_lit;
        self.no_lit = 0;
        let mut elems = Vec::new();
        loop {
            if self.is_op("}") {
                break;
            }
            let first = self.element()?;
            if self.eat_op(":") {
                let value = self.element()?;
                elems.push((Some(first), value));
            } else {
                elems.push((None, first));
            }
            if !self.eat_op(",") {
                if self.is_op("}") {
                    break;
                }
                self.no_lit = saved;
                return Err(self.unexpected("in composite literal; possibly missing comma or }"));
            }
        }
        self.no_lit = saved;
        self.bump();
        Ok(elems)
    }

    /// An element of a composite literal: an expression, or `{...}` with its type elided.
    fn element(&mut self) -> R<Expr> {
        if self.is_op("{") {
            let pos = self.pos();
            let elems = self.composite_body()?;
            return Ok(Expr::Composite(None, elems, pos));
        }
        self.expr()
    }
}

fn ty_pos(t: &TypeExpr) -> Option<Pos> {
    match t {
        TypeExpr::Name(_, p) | TypeExpr::Qualified(_, _, p) => Some(*p),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(src: &str) -> String {
        let e = parse_file("main.go", src).unwrap_err();
        format!("{}:{}: {}", e.pos.line, e.pos.col, e.msg)
    }

    #[test]
    fn parses_a_small_program() {
        let f = parse_file(
            "main.go",
            "package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n)\n\nfunc main() {\n\tfor i := 0; i < 3; i++ {\n\t\tfmt.Println(i, os.Args)\n\t}\n\tfor k, v := range map[string]int{\"a\": 1} {\n\t\t_ = k\n\t\t_ = v\n\t}\n}\n",
        )
        .unwrap();
        assert_eq!(f.imports.len(), 2);
        assert_eq!(f.imports[1].pos, Pos { line: 5, col: 2 });
        assert_eq!(f.decls.len(), 1);
    }

    #[test]
    fn syntax_errors_read_as_gc_writes_them() {
        assert_eq!(
            err("package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(\"hi\"\n}\n"),
            "6:18: syntax error: unexpected newline in argument list; possibly missing comma or )"
        );
        assert_eq!(
            err("package main\nfunc main()\n{\n}\n"),
            "2:12: syntax error: unexpected semicolon or newline before {"
        );
        assert_eq!(
            err("package main\nx := 1\n"),
            "2:1: syntax error: non-declaration statement outside function body"
        );
        assert_eq!(
            err("package main\nfunc main() {\n\tif x {\n\t} else return\n}\n"),
            "4:9: syntax error: else must be followed by if or statement block"
        );
    }
}

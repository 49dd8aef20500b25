//! Tokens to the syntax tree: a recursive-descent parser for statements and a
//! precedence-climbing one for expressions, with V8's messages for what it rejects and
//! an honest "not supported" for valid JavaScript outside the lab's subset.

use super::ast::*;
use super::errors::SyntaxError;
use super::lexer::{Tok, Token, tokenize};
use std::rc::Rc;

type R<T> = Result<T, SyntaxError>;

pub struct Parser {
    toks: Vec<Token>,
    i: usize,
    /// Set by `async` before an arrow function, taken by its body.
    async_arrow: bool,
}

/// Parses a whole module (or `-e` code).
pub fn parse_program(src: &str) -> R<Vec<Stmt>> {
    let mut p = Parser {
        toks: tokenize(src, 0)?,
        i: 0,
        async_arrow: false,
    };
    let mut out = Vec::new();
    while !p.at_eof() {
        out.push(p.statement()?);
    }
    Ok(out)
}

/// Parses the source of a template literal's `${}` (which starts at `base`).
fn parse_embedded(src: &str, base: usize) -> R<Expr> {
    let mut p = Parser {
        toks: tokenize(src, base)?,
        i: 0,
        async_arrow: false,
    };
    let e = p.expression()?;
    if !p.at_eof() {
        return Err(p.unexpected());
    }
    Ok(e)
}

const RESERVED: &[&str] = &[
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "debugger",
    "default",
    "delete",
    "do",
    "else",
    "export",
    "extends",
    "finally",
    "for",
    "function",
    "if",
    "import",
    "in",
    "instanceof",
    "new",
    "return",
    "super",
    "switch",
    "this",
    "throw",
    "try",
    "typeof",
    "var",
    "void",
    "while",
    "with",
    "null",
    "true",
    "false",
];

fn binary_prec(op: &str) -> Option<u8> {
    Some(match op {
        "??" => 1,
        "||" => 2,
        "&&" => 3,
        "|" => 4,
        "^" => 5,
        "&" => 6,
        "==" | "!=" | "===" | "!==" => 7,
        "<" | ">" | "<=" | ">=" | "instanceof" | "in" => 8,
        "<<" | ">>" | ">>>" => 9,
        "+" | "-" => 10,
        "*" | "/" | "%" => 11,
        "**" => 12,
        _ => return None,
    })
}

const ASSIGN_OPS: &[&str] = &[
    "=", "+=", "-=", "*=", "/=", "%=", "**=", "<<=", ">>=", ">>>=", "&=", "|=", "^=", "&&=", "||=",
    "??=",
];

fn op_str(op: &str) -> &'static str {
    const OPS: &[&str] = &[
        "??",
        "||",
        "&&",
        "|",
        "^",
        "&",
        "==",
        "!=",
        "===",
        "!==",
        "<",
        ">",
        "<=",
        ">=",
        "instanceof",
        "in",
        "<<",
        ">>",
        ">>>",
        "+",
        "-",
        "*",
        "/",
        "%",
        "**",
    ];
    OPS.iter().find(|o| **o == op).copied().unwrap_or("+")
}

impl Parser {
    fn peek(&self) -> &Tok {
        &self.toks[self.i].tok
    }
    fn peek_at(&self, n: usize) -> &Tok {
        &self.toks[(self.i + n).min(self.toks.len() - 1)].tok
    }
    fn tok(&self) -> &Token {
        &self.toks[self.i]
    }
    fn pos(&self) -> usize {
        self.toks[self.i].start
    }
    fn at_eof(&self) -> bool {
        matches!(self.peek(), Tok::Eof)
    }
    fn bump(&mut self) -> Token {
        let t = self.toks[self.i].clone();
        if self.i < self.toks.len() - 1 {
            self.i += 1;
        }
        t
    }
    fn is(&self, p: &str) -> bool {
        matches!(self.peek(), Tok::Punct(q) if *q == p)
    }
    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Tok::Ident(q) if q == w)
    }
    fn eat(&mut self, p: &str) -> bool {
        if self.is(p) {
            self.bump();
            true
        } else {
            false
        }
    }
    fn eat_word(&mut self, w: &str) -> bool {
        if self.is_word(w) {
            self.bump();
            true
        } else {
            false
        }
    }

    /// V8's complaint about the token at hand.
    fn unexpected(&self) -> SyntaxError {
        let t = self.tok();
        let len = t.end - t.start;
        let msg = match &t.tok {
            Tok::Eof => "Unexpected end of input".to_string(),
            Tok::Num(_) => "Unexpected number".to_string(),
            Tok::Str(_) => "Unexpected string".to_string(),
            Tok::Template(..) => "Unexpected template string".to_string(),
            Tok::Ident(w) if w == "true" || w == "false" || w == "null" => {
                format!("Unexpected token '{w}'")
            }
            Tok::Ident(w) if RESERVED.contains(&w.as_str()) => format!("Unexpected token '{w}'"),
            Tok::Ident(w) => format!("Unexpected identifier '{w}'"),
            Tok::Punct(p) => format!("Unexpected token '{p}'"),
        };
        let (start, len) = if matches!(t.tok, Tok::Eof) {
            // V8 points at the end of the last line.
            let prev = &self.toks[self.i.saturating_sub(1)];
            (prev.end, 1)
        } else {
            (t.start, len)
        };
        SyntaxError::new(&msg, start, len)
    }

    fn expect(&mut self, p: &str) -> R<()> {
        if self.eat(p) {
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    fn ident_name(&mut self) -> R<Rc<str>> {
        match self.peek().clone() {
            Tok::Ident(w) => {
                self.bump();
                Ok(w.into())
            }
            _ => Err(self.unexpected()),
        }
    }

    fn binding_ident(&mut self) -> R<Rc<str>> {
        match self.peek().clone() {
            Tok::Ident(w) if !RESERVED.contains(&w.as_str()) => {
                self.check_unsupported_word()?;
                self.bump();
                Ok(w.into())
            }
            _ => Err(self.unexpected()),
        }
    }

    /// Ends a statement: `;`, or a line break, `}` or the end (automatic semicolons).
    fn semicolon(&mut self) -> R<()> {
        if self.eat(";") || self.is("}") || self.at_eof() || self.tok().newline_before {
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    fn check_unsupported_word(&self) -> R<()> {
        if let Tok::Ident(w) = self.peek() {
            let next = self.peek_at(1);
            let what = match w.as_str() {
                "yield" => "'yield'",
                "import" if !matches!(next, Tok::Punct("(")) => "ES module 'import' statements",
                "import" => "dynamic 'import()'",
                "export" => "ES module 'export' statements",
                _ => return Ok(()),
            };
            return Err(SyntaxError::unsupported(what, self.pos()));
        }
        Ok(())
    }

    // ----- statements -----

    pub fn statement(&mut self) -> R<Stmt> {
        self.check_unsupported_word()?;
        let start = self.pos();
        match self.peek().clone() {
            Tok::Punct("{") => {
                self.bump();
                Ok(Stmt::Block(self.block_rest()?))
            }
            Tok::Punct(";") => {
                self.bump();
                Ok(Stmt::Empty)
            }
            Tok::Ident(w) => match w.as_str() {
                "var" | "const" => {
                    self.bump();
                    let kind = if w == "var" {
                        DeclKind::Var
                    } else {
                        DeclKind::Const
                    };
                    let decls = self.declarations(kind, true)?;
                    self.semicolon()?;
                    Ok(Stmt::Decl(kind, decls))
                }
                "let"
                    if matches!(
                        self.peek_at(1),
                        Tok::Ident(_) | Tok::Punct("[") | Tok::Punct("{")
                    ) =>
                {
                    self.bump();
                    let decls = self.declarations(DeclKind::Let, true)?;
                    self.semicolon()?;
                    Ok(Stmt::Decl(DeclKind::Let, decls))
                }
                "function" => {
                    self.bump();
                    if self.is("*") {
                        return Err(SyntaxError::unsupported("generator functions", start));
                    }
                    let name = self.binding_ident()?;
                    let f = self.function_rest(Some(name), start)?;
                    Ok(Stmt::Func(f))
                }
                "async"
                    if matches!(self.peek_at(1), Tok::Ident(n) if n == "function")
                        && !self.toks[self.i + 1].newline_before =>
                {
                    self.bump();
                    self.bump();
                    if self.is("*") {
                        return Err(SyntaxError::unsupported("async generator functions", start));
                    }
                    let name = self.binding_ident()?;
                    let f = self.function_rest_async(Some(name), start, true)?;
                    Ok(Stmt::Func(f))
                }
                "class" => {
                    self.bump();
                    let name = self.binding_ident()?;
                    Ok(Stmt::Class(self.class_rest(Some(name), start)?))
                }
                "if" => {
                    self.bump();
                    self.expect("(")?;
                    let test = self.expression()?;
                    self.expect(")")?;
                    let then = self.statement()?;
                    let other = if self.eat_word("else") {
                        Some(Box::new(self.statement()?))
                    } else {
                        None
                    };
                    Ok(Stmt::If(test, Box::new(then), other))
                }
                "for" => self.for_statement(),
                "while" => {
                    self.bump();
                    self.expect("(")?;
                    let test = self.expression()?;
                    self.expect(")")?;
                    Ok(Stmt::While(test, Box::new(self.statement()?)))
                }
                "do" => {
                    self.bump();
                    let body = self.statement()?;
                    if !self.eat_word("while") {
                        return Err(self.unexpected());
                    }
                    self.expect("(")?;
                    let test = self.expression()?;
                    self.expect(")")?;
                    self.eat(";");
                    Ok(Stmt::DoWhile(Box::new(body), test))
                }
                "return" => {
                    self.bump();
                    let value = if self.is(";")
                        || self.is("}")
                        || self.at_eof()
                        || self.tok().newline_before
                    {
                        None
                    } else {
                        Some(self.expression()?)
                    };
                    self.semicolon()?;
                    Ok(Stmt::Return(value))
                }
                "break" | "continue" => {
                    self.bump();
                    let label = match self.peek().clone() {
                        Tok::Ident(l)
                            if !self.tok().newline_before && !RESERVED.contains(&l.as_str()) =>
                        {
                            self.bump();
                            Some(Rc::from(l.as_str()))
                        }
                        _ => None,
                    };
                    self.semicolon()?;
                    Ok(if w == "break" {
                        Stmt::Break(label)
                    } else {
                        Stmt::Continue(label)
                    })
                }
                "throw" => {
                    self.bump();
                    if self.tok().newline_before {
                        return Err(SyntaxError::new("Illegal newline after throw", start, 5));
                    }
                    let e = self.expression()?;
                    self.semicolon()?;
                    Ok(Stmt::Throw(e, start))
                }
                "try" => self.try_statement(),
                "switch" => self.switch_statement(),
                _ if matches!(self.peek_at(1), Tok::Punct(":"))
                    && !RESERVED.contains(&w.as_str()) =>
                {
                    self.bump();
                    self.bump();
                    Ok(Stmt::Labeled(w.into(), Box::new(self.statement()?)))
                }
                _ => self.expression_statement(),
            },
            _ => self.expression_statement(),
        }
    }

    fn expression_statement(&mut self) -> R<Stmt> {
        let e = self.expression()?;
        self.semicolon()?;
        Ok(Stmt::Expr(e))
    }

    fn block_rest(&mut self) -> R<Vec<Stmt>> {
        let mut out = Vec::new();
        while !self.is("}") {
            if self.at_eof() {
                return Err(self.unexpected());
            }
            out.push(self.statement()?);
        }
        self.bump();
        Ok(out)
    }

    fn block(&mut self) -> R<Vec<Stmt>> {
        self.expect("{")?;
        self.block_rest()
    }

    fn declarations(&mut self, kind: DeclKind, need_init: bool) -> R<Vec<(Pattern, Option<Expr>)>> {
        let mut out = Vec::new();
        loop {
            let pat = self.binding_pattern()?;
            let init = if self.eat("=") {
                Some(self.assignment()?)
            } else {
                if need_init && kind == DeclKind::Const {
                    let t = &self.toks[self.i - 1];
                    return Err(SyntaxError::new(
                        "Missing initializer in const declaration",
                        t.start,
                        t.end - t.start,
                    ));
                }
                if need_init && !matches!(pat, Pattern::Ident(..)) {
                    return Err(SyntaxError::new(
                        "Missing initializer in destructuring declaration",
                        self.pos(),
                        1,
                    ));
                }
                None
            };
            out.push((pat, init));
            if !self.eat(",") {
                return Ok(out);
            }
        }
    }

    fn for_statement(&mut self) -> R<Stmt> {
        let start = self.pos();
        self.bump();
        if self.is_word("await") {
            return Err(SyntaxError::unsupported("'for await'", start));
        }
        self.expect("(")?;
        let mut init = None;
        if !self.is(";") {
            let kind = match self.peek() {
                Tok::Ident(w) if w == "var" => Some(DeclKind::Var),
                Tok::Ident(w) if w == "let" => Some(DeclKind::Let),
                Tok::Ident(w) if w == "const" => Some(DeclKind::Const),
                _ => None,
            };
            if let Some(kind) = kind {
                self.bump();
                let pat = self.binding_pattern()?;
                if self.is_word("of") || self.is_word("in") {
                    let of = self.is_word("of");
                    self.bump();
                    let iter = if of {
                        self.assignment()?
                    } else {
                        self.expression()?
                    };
                    self.expect(")")?;
                    let body = self.statement()?;
                    return Ok(Stmt::ForOf {
                        decl: Some(kind),
                        pattern: pat,
                        iter,
                        body: Box::new(body),
                        of,
                        pos: start,
                    });
                }
                let mut decls = Vec::new();
                let first = if self.eat("=") {
                    Some(self.assignment_no_in()?)
                } else {
                    None
                };
                decls.push((pat, first));
                while self.eat(",") {
                    let pat = self.binding_pattern()?;
                    let e = if self.eat("=") {
                        Some(self.assignment_no_in()?)
                    } else {
                        None
                    };
                    decls.push((pat, e));
                }
                init = Some(ForInit::Decl(kind, decls));
            } else {
                let save = self.i;
                if let Tok::Ident(name) = self.peek().clone() {
                    if matches!(self.peek_at(1), Tok::Ident(w) if w == "of" || w == "in") {
                        let pos = self.pos();
                        self.bump();
                        let of = self.is_word("of");
                        self.bump();
                        let iter = self.expression()?;
                        self.expect(")")?;
                        let body = self.statement()?;
                        return Ok(Stmt::ForOf {
                            decl: None,
                            pattern: Pattern::Ident(name.into(), pos),
                            iter,
                            body: Box::new(body),
                            of,
                            pos: start,
                        });
                    }
                }
                self.i = save;
                init = Some(ForInit::Expr(self.expression_no_in()?));
            }
        }
        self.expect(";")?;
        let test = if self.is(";") {
            None
        } else {
            Some(self.expression()?)
        };
        self.expect(";")?;
        let update = if self.is(")") {
            None
        } else {
            Some(self.expression()?)
        };
        self.expect(")")?;
        let body = self.statement()?;
        Ok(Stmt::For {
            init,
            test,
            update,
            body: Box::new(body),
        })
    }

    fn try_statement(&mut self) -> R<Stmt> {
        self.bump();
        let block = self.block()?;
        let mut param = None;
        let mut handler = None;
        let mut finalizer = None;
        if self.eat_word("catch") {
            if self.eat("(") {
                param = Some(self.binding_pattern()?);
                self.expect(")")?;
            }
            handler = Some(self.block()?);
        }
        if self.eat_word("finally") {
            finalizer = Some(self.block()?);
        }
        if handler.is_none() && finalizer.is_none() {
            return Err(SyntaxError::new(
                "Missing catch or finally after try",
                self.pos(),
                (self.tok().end - self.tok().start).max(1),
            ));
        }
        Ok(Stmt::Try {
            block,
            param,
            handler,
            finalizer,
        })
    }

    fn switch_statement(&mut self) -> R<Stmt> {
        self.bump();
        self.expect("(")?;
        let disc = self.expression()?;
        self.expect(")")?;
        self.expect("{")?;
        let mut cases = Vec::new();
        while !self.eat("}") {
            let test = if self.eat_word("case") {
                Some(self.expression()?)
            } else if self.eat_word("default") {
                None
            } else {
                return Err(self.unexpected());
            };
            self.expect(":")?;
            let mut body = Vec::new();
            while !self.is("}") && !self.is_word("case") && !self.is_word("default") {
                if self.at_eof() {
                    return Err(self.unexpected());
                }
                body.push(self.statement()?);
            }
            cases.push((test, body));
        }
        Ok(Stmt::Switch(disc, cases))
    }

    // ----- functions and classes -----

    fn params(&mut self) -> R<Vec<Param>> {
        self.expect("(")?;
        let mut out = Vec::new();
        while !self.eat(")") {
            let rest = self.eat("...");
            let pattern = self.binding_pattern()?;
            let default = if self.eat("=") {
                Some(self.assignment()?)
            } else {
                None
            };
            out.push(Param {
                pattern,
                default,
                rest,
            });
            if !self.is(")") {
                self.expect(",")?;
            }
        }
        Ok(out)
    }

    fn function_rest(&mut self, name: Option<Rc<str>>, pos: usize) -> R<Rc<FuncDef>> {
        self.function_rest_async(name, pos, false)
    }

    fn function_rest_async(
        &mut self,
        name: Option<Rc<str>>,
        pos: usize,
        is_async: bool,
    ) -> R<Rc<FuncDef>> {
        let params = self.params()?;
        let body = self.block()?;
        Ok(Rc::new(FuncDef {
            name,
            params,
            body: Body::Block(body),
            arrow: false,
            is_async,
            pos,
        }))
    }

    fn class_rest(&mut self, name: Option<Rc<str>>, pos: usize) -> R<Rc<ClassDef>> {
        let parent = if self.eat_word("extends") {
            Some(self.unary()?)
        } else {
            None
        };
        self.expect("{")?;
        let mut constructor = None;
        let mut members = Vec::new();
        while !self.eat("}") {
            if self.eat(";") {
                continue;
            }
            if self.is("#") {
                return Err(SyntaxError::unsupported(
                    "private class members ('#name')",
                    self.pos(),
                ));
            }
            let mut is_static = false;
            if self.is_word("static")
                && !matches!(self.peek_at(1), Tok::Punct("(") | Tok::Punct("="))
            {
                self.bump();
                is_static = true;
            }
            let mut method_async = false;
            if self.is_word("async")
                && !matches!(self.peek_at(1), Tok::Punct("(") | Tok::Punct("="))
            {
                self.bump();
                method_async = true;
            }
            if self.is("*") {
                return Err(SyntaxError::unsupported("generator methods", self.pos()));
            }
            let mut accessor = None;
            if (self.is_word("get") || self.is_word("set"))
                && !matches!(
                    self.peek_at(1),
                    Tok::Punct("(") | Tok::Punct("=") | Tok::Punct(";") | Tok::Punct("}")
                )
            {
                accessor = Some(self.is_word("get"));
                self.bump();
            }
            let mpos = self.pos();
            let key = self.prop_key()?;
            if self.is("(") {
                let fname = match &key {
                    PropKey::Name(n) => Some(n.clone()),
                    _ => None,
                };
                let f = self.function_rest_async(fname.clone(), mpos, method_async)?;
                if !is_static && accessor.is_none() && fname.as_deref() == Some("constructor") {
                    constructor = Some(f);
                    continue;
                }
                let kind = match accessor {
                    Some(true) => MemberKind::Getter(f),
                    Some(false) => MemberKind::Setter(f),
                    None => MemberKind::Method(f),
                };
                members.push(ClassMember {
                    key,
                    is_static,
                    kind,
                });
            } else {
                let value = if self.eat("=") {
                    Some(self.assignment()?)
                } else {
                    None
                };
                self.semicolon()?;
                members.push(ClassMember {
                    key,
                    is_static,
                    kind: MemberKind::Field(value),
                });
            }
        }
        Ok(Rc::new(ClassDef {
            name,
            parent,
            constructor,
            members,
            pos,
        }))
    }

    fn prop_key(&mut self) -> R<PropKey> {
        match self.peek().clone() {
            Tok::Ident(w) => {
                self.bump();
                Ok(PropKey::Name(w.into()))
            }
            Tok::Str(s) => {
                self.bump();
                Ok(PropKey::Name(s.into()))
            }
            Tok::Num(n) => {
                self.bump();
                Ok(PropKey::Name(super::value::number_to_string(n).into()))
            }
            Tok::Punct("[") => {
                self.bump();
                let e = self.assignment()?;
                self.expect("]")?;
                Ok(PropKey::Computed(e))
            }
            _ => Err(self.unexpected()),
        }
    }

    // ----- patterns -----

    fn binding_pattern(&mut self) -> R<Pattern> {
        if self.eat("{") {
            let mut props = Vec::new();
            let mut rest = None;
            while !self.eat("}") {
                if self.eat("...") {
                    let pos = self.pos();
                    rest = Some(Box::new(Pattern::Ident(self.binding_ident()?, pos)));
                    self.eat(",");
                    continue;
                }
                let pos = self.pos();
                let key = self.prop_key()?;
                let target = if self.eat(":") {
                    self.binding_pattern()?
                } else {
                    match &key {
                        PropKey::Name(n) => Pattern::Ident(n.clone(), pos),
                        PropKey::Computed(_) => return Err(self.unexpected()),
                    }
                };
                let default = if self.eat("=") {
                    Some(self.assignment()?)
                } else {
                    None
                };
                props.push((key, target, default));
                if !self.is("}") {
                    self.expect(",")?;
                }
            }
            Ok(Pattern::Object(props, rest))
        } else if self.eat("[") {
            let mut items = Vec::new();
            let mut rest = None;
            while !self.eat("]") {
                if self.eat(",") {
                    items.push(None);
                    continue;
                }
                if self.eat("...") {
                    rest = Some(Box::new(self.binding_pattern()?));
                    continue;
                }
                let p = self.binding_pattern()?;
                let d = if self.eat("=") {
                    Some(self.assignment()?)
                } else {
                    None
                };
                items.push(Some((p, d)));
                if !self.is("]") {
                    self.expect(",")?;
                }
            }
            Ok(Pattern::Array(items, rest))
        } else {
            let pos = self.pos();
            Ok(Pattern::Ident(self.binding_ident()?, pos))
        }
    }

    /// An object or array literal on the left of `=`, read again as a pattern.
    fn to_pattern(&self, e: Expr, pos: usize) -> R<Pattern> {
        let invalid = || SyntaxError::new("Invalid destructuring assignment target", pos, 1);
        Ok(match e {
            Expr::Ident(n, p) => Pattern::Ident(n, p),
            e @ (Expr::Member { .. } | Expr::Index { .. }) => Pattern::Expr(Box::new(e)),
            Expr::Array(items) => {
                let mut out = Vec::new();
                let mut rest = None;
                for item in items {
                    match item {
                        Elem::Hole => out.push(None),
                        Elem::Spread(e) => rest = Some(Box::new(self.to_pattern(e, pos)?)),
                        Elem::Item(Expr::Assign("=", t, d, _)) => {
                            let p = match *t {
                                Target::Pattern(p) => p,
                                Target::Expr(e) => self.to_pattern(e, pos)?,
                            };
                            out.push(Some((p, Some(*d))));
                        }
                        Elem::Item(e) => out.push(Some((self.to_pattern(e, pos)?, None))),
                    }
                }
                Pattern::Array(out, rest)
            }
            Expr::Object(props) => {
                let mut out = Vec::new();
                let mut rest = None;
                for prop in props {
                    match prop {
                        Prop::Spread(e) => rest = Some(Box::new(self.to_pattern(e, pos)?)),
                        Prop::Value(k, Expr::Assign("=", t, d, _)) => {
                            let p = match *t {
                                Target::Pattern(p) => p,
                                Target::Expr(e) => self.to_pattern(e, pos)?,
                            };
                            out.push((k, p, Some(*d)));
                        }
                        Prop::Value(k, v) => out.push((k, self.to_pattern(v, pos)?, None)),
                        _ => return Err(invalid()),
                    }
                }
                Pattern::Object(out, rest)
            }
            _ => return Err(invalid()),
        })
    }

    // ----- expressions -----

    pub fn expression(&mut self) -> R<Expr> {
        let first = self.assignment()?;
        if self.is(",") {
            let mut all = vec![first];
            while self.eat(",") {
                all.push(self.assignment()?);
            }
            return Ok(Expr::Seq(all));
        }
        Ok(first)
    }

    fn expression_no_in(&mut self) -> R<Expr> {
        self.expression()
    }

    fn assignment_no_in(&mut self) -> R<Expr> {
        self.assignment()
    }

    fn assignment(&mut self) -> R<Expr> {
        self.check_unsupported_word()?;
        if let Some(arrow) = self.try_arrow()? {
            return Ok(arrow);
        }
        let start = self.pos();
        let lhs = self.conditional()?;
        if let Tok::Punct(op) = self.peek().clone() {
            if ASSIGN_OPS.contains(&op) {
                let op_tok = self.bump();
                let target = match lhs {
                    Expr::Ident(..) | Expr::Member { .. } | Expr::Index { .. } => Target::Expr(lhs),
                    Expr::Array(_) | Expr::Object(_) if op == "=" => {
                        Target::Pattern(self.to_pattern(lhs, start)?)
                    }
                    _ => {
                        return Err(SyntaxError::new(
                            "Invalid left-hand side in assignment",
                            start,
                            op_tok.start.saturating_sub(start).max(1),
                        ));
                    }
                };
                let value = self.assignment()?;
                return Ok(Expr::Assign(op, Box::new(target), Box::new(value), start));
            }
        }
        Ok(lhs)
    }

    /// An arrow function starting here, if one does.
    fn try_arrow(&mut self) -> R<Option<Expr>> {
        if self.is_word("async") && !self.toks[(self.i + 1).min(self.toks.len() - 1)].newline_before
        {
            let save = self.i;
            self.bump();
            if matches!(self.peek(), Tok::Ident(_) | Tok::Punct("(")) {
                if let Some(a) = self.try_arrow_plain(true)? {
                    return Ok(Some(a));
                }
            }
            self.i = save;
        }
        self.try_arrow_plain(false)
    }

    fn try_arrow_plain(&mut self, is_async: bool) -> R<Option<Expr>> {
        let start = self.pos();
        match self.peek().clone() {
            Tok::Ident(name)
                if matches!(self.peek_at(1), Tok::Punct("=>"))
                    && !RESERVED.contains(&name.as_str()) =>
            {
                let pos = self.pos();
                self.bump();
                self.bump();
                let params = vec![Param {
                    pattern: Pattern::Ident(name.into(), pos),
                    default: None,
                    rest: false,
                }];
                self.async_arrow = is_async;
                Ok(Some(self.arrow_body(params, start)?))
            }
            Tok::Punct("(") => {
                // Find the matching `)` and see whether `=>` follows it.
                let mut depth = 0usize;
                let mut j = self.i;
                while j < self.toks.len() {
                    match self.toks[j].tok {
                        Tok::Punct("(" | "[" | "{") => depth += 1,
                        Tok::Punct(")" | "]" | "}") => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        Tok::Eof => return Ok(None),
                        _ => {}
                    }
                    j += 1;
                }
                if !matches!(self.toks.get(j + 1).map(|t| &t.tok), Some(Tok::Punct("=>"))) {
                    return Ok(None);
                }
                let params = self.params()?;
                self.expect("=>")?;
                self.async_arrow = is_async;
                Ok(Some(self.arrow_body(params, start)?))
            }
            _ => Ok(None),
        }
    }

    fn arrow_body(&mut self, params: Vec<Param>, pos: usize) -> R<Expr> {
        let is_async = std::mem::take(&mut self.async_arrow);
        let body = if self.is("{") {
            self.bump();
            Body::Block(self.block_rest()?)
        } else {
            Body::Expr(self.assignment()?)
        };
        Ok(Expr::Func(Rc::new(FuncDef {
            name: None,
            params,
            body,
            arrow: true,
            is_async,
            pos,
        })))
    }

    fn conditional(&mut self) -> R<Expr> {
        let test = self.binary(1)?;
        if self.eat("?") {
            let a = self.assignment()?;
            self.expect(":")?;
            let b = self.assignment()?;
            return Ok(Expr::Cond(Box::new(test), Box::new(a), Box::new(b)));
        }
        Ok(test)
    }

    fn binary(&mut self, min: u8) -> R<Expr> {
        let mut lhs = self.unary()?;
        loop {
            let op = match self.peek() {
                Tok::Punct(p) => *p,
                Tok::Ident(w) if w == "instanceof" => "instanceof",
                Tok::Ident(w) if w == "in" => "in",
                _ => break,
            };
            let Some(prec) = binary_prec(op) else { break };
            if prec < min {
                break;
            }
            let pos = self.pos();
            self.bump();
            let rhs = if op == "**" {
                self.binary(prec)?
            } else {
                self.binary(prec + 1)?
            };
            let op = op_str(op);
            lhs = if matches!(op, "&&" | "||" | "??") {
                Expr::Logical(op, Box::new(lhs), Box::new(rhs))
            } else {
                Expr::Binary(op, Box::new(lhs), Box::new(rhs), pos)
            };
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> R<Expr> {
        self.check_unsupported_word()?;
        let pos = self.pos();
        match self.peek().clone() {
            Tok::Punct(op @ ("!" | "-" | "+" | "~")) => {
                self.bump();
                let e = self.unary()?;
                Ok(Expr::Unary(op, Box::new(e), pos))
            }
            Tok::Punct(op @ ("++" | "--")) => {
                self.bump();
                let e = self.unary()?;
                if !matches!(
                    e,
                    Expr::Ident(..) | Expr::Member { .. } | Expr::Index { .. }
                ) {
                    return Err(SyntaxError::new(
                        "Invalid left-hand side expression in prefix operation",
                        pos,
                        2,
                    ));
                }
                Ok(Expr::Update {
                    op,
                    prefix: true,
                    target: Box::new(e),
                    pos,
                })
            }
            Tok::Ident(w)
                if w == "await"
                    && !matches!(self.peek_at(1), Tok::Punct(")" | ";" | "," | "=")) =>
            {
                self.bump();
                let e = self.unary()?;
                Ok(Expr::Await(Box::new(e), pos))
            }
            Tok::Ident(w) if w == "typeof" || w == "void" || w == "delete" => {
                self.bump();
                let e = self.unary()?;
                let op = match w.as_str() {
                    "typeof" => "typeof",
                    "void" => "void",
                    _ => "delete",
                };
                Ok(Expr::Unary(op, Box::new(e), pos))
            }
            _ => {
                let e = self.postfix()?;
                if self.is("**") {
                    // `-x ** 2` is a SyntaxError in JavaScript; handled by binary().
                }
                Ok(e)
            }
        }
    }

    fn postfix(&mut self) -> R<Expr> {
        let pos = self.pos();
        let e = self.call_member(true)?;
        if (self.is("++") || self.is("--")) && !self.tok().newline_before {
            let op = if self.is("++") { "++" } else { "--" };
            if !matches!(
                e,
                Expr::Ident(..) | Expr::Member { .. } | Expr::Index { .. }
            ) {
                return Err(SyntaxError::new(
                    "Invalid left-hand side expression in postfix operation",
                    pos,
                    self.pos() - pos,
                ));
            }
            self.bump();
            return Ok(Expr::Update {
                op,
                prefix: false,
                target: Box::new(e),
                pos,
            });
        }
        Ok(e)
    }

    fn arguments(&mut self) -> R<Vec<Elem>> {
        // The opening `(` was consumed by the caller.
        let mut out = Vec::new();
        loop {
            if self.eat(")") {
                return Ok(out);
            }
            if self.eat("...") {
                out.push(Elem::Spread(self.assignment()?));
            } else {
                out.push(Elem::Item(self.assignment()?));
            }
            if self.eat(")") {
                return Ok(out);
            }
            if !self.eat(",") {
                // V8 points at the last argument.
                let prev = &self.toks[self.i - 1];
                let (start, len) = if matches!(self.peek(), Tok::Eof | Tok::Punct(";" | "}" | "]"))
                    || self.tok().newline_before
                {
                    (prev.start, prev.end - prev.start)
                } else {
                    (self.tok().start, self.tok().end - self.tok().start)
                };
                return Err(SyntaxError::new(
                    "missing ) after argument list",
                    start,
                    len,
                ));
            }
        }
    }

    fn call_member(&mut self, allow_call: bool) -> R<Expr> {
        let mut e = if self.is_word("new") {
            let pos = self.pos();
            self.bump();
            if self.eat(".") {
                return Err(SyntaxError::unsupported("'new.target'", pos));
            }
            let callee = self.call_member(false)?;
            let args = if self.eat("(") {
                self.arguments()?
            } else {
                Vec::new()
            };
            Expr::New {
                callee: Box::new(callee),
                args,
                pos,
            }
        } else {
            self.primary()?
        };
        loop {
            let pos = self.pos();
            if self.eat(".") {
                let name = match self.peek().clone() {
                    Tok::Ident(w) => {
                        self.bump();
                        w
                    }
                    Tok::Punct("#") => {
                        return Err(SyntaxError::unsupported(
                            "private class members ('#name')",
                            pos,
                        ));
                    }
                    _ => return Err(self.unexpected()),
                };
                e = Expr::Member {
                    obj: Box::new(e),
                    prop: name.into(),
                    pos: pos + 1,
                    optional: false,
                };
            } else if self.is("?.") {
                self.bump();
                if self.eat("(") {
                    let args = self.arguments()?;
                    e = Expr::Call {
                        callee: Box::new(e),
                        args,
                        pos,
                        optional: true,
                    };
                } else if self.eat("[") {
                    let index = self.expression()?;
                    self.expect("]")?;
                    e = Expr::Index {
                        obj: Box::new(e),
                        index: Box::new(index),
                        pos,
                        optional: true,
                    };
                } else {
                    let name = self.ident_name()?;
                    e = Expr::Member {
                        obj: Box::new(e),
                        prop: name,
                        pos: pos + 2,
                        optional: true,
                    };
                }
            } else if self.is("[") {
                self.bump();
                let index = self.expression()?;
                self.expect("]")?;
                e = Expr::Index {
                    obj: Box::new(e),
                    index: Box::new(index),
                    pos,
                    optional: false,
                };
            } else if allow_call && self.is("(") {
                self.bump();
                let args = self.arguments()?;
                e = Expr::Call {
                    callee: Box::new(e),
                    args,
                    pos,
                    optional: false,
                };
            } else if let Tok::Template(..) = self.peek() {
                return Err(SyntaxError::unsupported("tagged templates", pos));
            } else {
                return Ok(e);
            }
        }
    }

    fn primary(&mut self) -> R<Expr> {
        self.check_unsupported_word()?;
        let pos = self.pos();
        let t = self.peek().clone();
        match t {
            Tok::Num(n) => {
                self.bump();
                Ok(Expr::Num(n))
            }
            Tok::Str(s) => {
                self.bump();
                Ok(Expr::Str(s.into()))
            }
            Tok::Template(quasis, exprs) => {
                self.bump();
                let mut parsed = Vec::new();
                for (src, base) in exprs {
                    parsed.push(parse_embedded(&src, base)?);
                }
                Ok(Expr::Template(
                    quasis.into_iter().map(Rc::from).collect(),
                    parsed,
                ))
            }
            Tok::Punct("(") => {
                self.bump();
                let e = self.expression()?;
                self.expect(")")?;
                Ok(e)
            }
            Tok::Punct("[") => {
                self.bump();
                let mut items = Vec::new();
                while !self.eat("]") {
                    if self.eat(",") {
                        items.push(Elem::Hole);
                        continue;
                    }
                    if self.eat("...") {
                        items.push(Elem::Spread(self.assignment()?));
                    } else {
                        items.push(Elem::Item(self.assignment()?));
                    }
                    if !self.is("]") {
                        self.expect(",")?;
                    }
                }
                Ok(Expr::Array(items))
            }
            Tok::Punct("{") => {
                self.bump();
                self.object_literal()
            }
            Tok::Ident(w) => match w.as_str() {
                "async"
                    if matches!(self.peek_at(1), Tok::Ident(n) if n == "function")
                        && !self.toks[self.i + 1].newline_before =>
                {
                    self.bump();
                    self.bump();
                    let name = if let Tok::Ident(_) = self.peek() {
                        Some(self.binding_ident()?)
                    } else {
                        None
                    };
                    Ok(Expr::Func(self.function_rest_async(name, pos, true)?))
                }
                "function" => {
                    self.bump();
                    if self.is("*") {
                        return Err(SyntaxError::unsupported("generator functions", pos));
                    }
                    let name = if let Tok::Ident(_) = self.peek() {
                        Some(self.binding_ident()?)
                    } else {
                        None
                    };
                    Ok(Expr::Func(self.function_rest(name, pos)?))
                }
                "class" => {
                    self.bump();
                    let name = if matches!(self.peek(), Tok::Ident(n) if n != "extends") {
                        Some(self.binding_ident()?)
                    } else {
                        None
                    };
                    Ok(Expr::Class(self.class_rest(name, pos)?))
                }
                "this" => {
                    self.bump();
                    Ok(Expr::This)
                }
                "true" | "false" => {
                    self.bump();
                    Ok(Expr::Bool(w == "true"))
                }
                "null" => {
                    self.bump();
                    Ok(Expr::Null)
                }
                "super" => {
                    self.bump();
                    if self.eat("(") {
                        let args = self.arguments()?;
                        Ok(Expr::SuperCall(args, pos))
                    } else if self.eat(".") {
                        let name = self.ident_name()?;
                        Ok(Expr::SuperMember(name, pos))
                    } else {
                        Err(SyntaxError::new("'super' keyword unexpected here", pos, 5))
                    }
                }
                _ if RESERVED.contains(&w.as_str()) => Err(self.unexpected()),
                _ => {
                    self.bump();
                    Ok(Expr::Ident(w.into(), pos))
                }
            },
            _ => Err(self.unexpected()),
        }
    }

    fn object_literal(&mut self) -> R<Expr> {
        let mut props = Vec::new();
        while !self.eat("}") {
            if self.eat("...") {
                props.push(Prop::Spread(self.assignment()?));
            } else {
                let mut method_async = false;
                if self.is_word("async")
                    && !matches!(self.peek_at(1), Tok::Punct(":" | "(" | "," | "}"))
                {
                    self.bump();
                    method_async = true;
                }
                if self.is("*") {
                    return Err(SyntaxError::unsupported("generator methods", self.pos()));
                }
                let mut accessor = None;
                if (self.is_word("get") || self.is_word("set"))
                    && !matches!(self.peek_at(1), Tok::Punct(":" | "(" | "," | "}"))
                {
                    accessor = Some(self.is_word("get"));
                    self.bump();
                }
                let pos = self.pos();
                let is_ident = matches!(self.peek(), Tok::Ident(_));
                let key = self.prop_key()?;
                if self.is("(") {
                    let name = match &key {
                        PropKey::Name(n) => Some(n.clone()),
                        _ => None,
                    };
                    let f = self.function_rest_async(name, pos, method_async)?;
                    props.push(match accessor {
                        Some(true) => Prop::Getter(key, f),
                        Some(false) => Prop::Setter(key, f),
                        None => Prop::Value(key, Expr::Func(f)),
                    });
                } else if self.eat(":") {
                    props.push(Prop::Value(key, self.assignment()?));
                } else if is_ident && (self.is(",") || self.is("}") || self.is("=")) {
                    let PropKey::Name(n) = &key else {
                        return Err(self.unexpected());
                    };
                    let value = Expr::Ident(n.clone(), pos);
                    if self.is("=") {
                        // Only valid as a destructuring target: `({ a = 1 } = obj)`.
                        let eq = self.pos();
                        self.bump();
                        let d = self.assignment()?;
                        props.push(Prop::Value(
                            key,
                            Expr::Assign("=", Box::new(Target::Expr(value)), Box::new(d), eq),
                        ));
                    } else {
                        props.push(Prop::Value(key, value));
                    }
                } else {
                    return Err(self.unexpected());
                }
            }
            if !self.is("}") {
                self.expect(",")?;
            }
        }
        Ok(Expr::Object(props))
    }
}

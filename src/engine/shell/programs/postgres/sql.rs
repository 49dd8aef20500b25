//! A small SQL engine with PostgreSQL's wording: enough of SELECT, CREATE TABLE,
//! INSERT, UPDATE, DELETE and DROP TABLE for lessons, over tables kept as values.
//! Errors carry the character position psql points its caret at.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Value {
    Null,
    Int(i64),
    /// A numeric literal with a fraction, kept as written.
    Num(String),
    Text(String),
    Bool(bool),
}

impl Value {
    /// The text psql shows for the value.
    pub fn show(&self) -> String {
        match self {
            Value::Null => String::new(),
            Value::Int(n) => n.to_string(),
            Value::Num(s) | Value::Text(s) => s.clone(),
            Value::Bool(b) => if *b { "t" } else { "f" }.into(),
        }
    }

    /// How psql writes the value inside "Failing row contains (...)".
    fn detail(&self) -> String {
        match self {
            Value::Null => "null".into(),
            v => v.show(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Type {
    Int,
    Serial,
    Text,
    Varchar(Option<u32>),
    Bool,
    Timestamp,
    Numeric,
}

impl Type {
    pub fn right_aligned(self) -> bool {
        matches!(self, Type::Int | Type::Serial | Type::Numeric)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    pub ty: Type,
    pub not_null: bool,
    pub unique: bool,
    pub primary: bool,
    /// The default, as SQL text.
    pub default: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Table {
    pub name: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Value>>,
    /// The next value of each serial column's sequence, by column index.
    pub sequences: Vec<(usize, i64)>,
}

/// What a statement answers: rows (with each column's alignment) or a command tag.
#[derive(Debug, PartialEq)]
pub enum Outcome {
    Rows {
        names: Vec<String>,
        right: Vec<bool>,
        rows: Vec<Vec<Value>>,
        /// The tag after the rows when the statement was not a SELECT (RETURNING).
        tag: Option<String>,
    },
    Tag(String),
}

#[derive(Debug, PartialEq, Clone)]
pub struct SqlError {
    pub message: String,
    /// Character offset in the statement (0-based) psql points at.
    pub position: Option<usize>,
    pub detail: Option<String>,
    pub hint: Option<String>,
}

impl SqlError {
    fn at(message: impl Into<String>, position: usize) -> SqlError {
        SqlError {
            message: message.into(),
            position: Some(position),
            detail: None,
            hint: None,
        }
    }
    fn plain(message: impl Into<String>) -> SqlError {
        SqlError {
            message: message.into(),
            position: None,
            detail: None,
            hint: None,
        }
    }
}

type R<T> = Result<T, SqlError>;

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Word(String),
    Quoted(String),
    Num(String),
    Str(String),
    Op(String),
    End,
}

#[derive(Clone, Debug)]
struct Token {
    tok: Tok,
    pos: usize,
}

fn lex(sql: &str) -> R<Vec<Token>> {
    let c: Vec<char> = sql.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    while i < c.len() {
        let ch = c[i];
        let start = i;
        if ch.is_whitespace() {
            i += 1;
        } else if ch == '-' && c.get(i + 1) == Some(&'-') {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if ch.is_alphabetic() || ch == '_' {
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_' || c[i] == '$') {
                i += 1;
            }
            let w: String = c[start..i].iter().collect();
            out.push(Token {
                tok: Tok::Word(w.to_lowercase()),
                pos: start,
            });
        } else if ch.is_ascii_digit()
            || (ch == '.' && c.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            while i < c.len() && (c[i].is_ascii_digit() || c[i] == '.') {
                i += 1;
            }
            out.push(Token {
                tok: Tok::Num(c[start..i].iter().collect()),
                pos: start,
            });
        } else if ch == '\'' || ch == '"' {
            let mut s = String::new();
            i += 1;
            loop {
                match c.get(i) {
                    None => {
                        let what = if ch == '\'' {
                            "unterminated quoted string"
                        } else {
                            "unterminated quoted identifier"
                        };
                        return Err(SqlError::at(
                            format!(
                                "{what} at or near \"{}\"",
                                c[start..].iter().collect::<String>()
                            ),
                            start,
                        ));
                    }
                    Some(&q) if q == ch => {
                        if c.get(i + 1) == Some(&ch) {
                            s.push(ch);
                            i += 2;
                        } else {
                            i += 1;
                            break;
                        }
                    }
                    Some(&x) => {
                        s.push(x);
                        i += 1;
                    }
                }
            }
            out.push(Token {
                tok: if ch == '\'' {
                    Tok::Str(s)
                } else {
                    Tok::Quoted(s)
                },
                pos: start,
            });
        } else {
            let two: String = c[i..(i + 2).min(c.len())].iter().collect();
            let op = if ["<=", ">=", "<>", "!=", "||", "::"].contains(&two.as_str()) {
                i += 2;
                two
            } else {
                i += 1;
                ch.to_string()
            };
            out.push(Token {
                tok: Tok::Op(op),
                pos: start,
            });
        }
    }
    out.push(Token {
        tok: Tok::End,
        pos: c.len(),
    });
    Ok(out)
}

#[derive(Clone, Debug)]
enum Expr {
    Lit(Value),
    Col(String, usize),
    Star(usize),
    Unary(String, Box<Expr>),
    Bin(String, Box<Expr>, Box<Expr>, usize),
    IsNull(Box<Expr>, bool),
    Call(String, Vec<Expr>, usize),
    Cast(Box<Expr>, Type, usize),
}

impl Expr {
    /// The column name psql shows for an unnamed expression.
    fn name(&self) -> String {
        match self {
            Expr::Col(n, _) => n.clone(),
            Expr::Call(f, _, _) => f.clone(),
            Expr::Cast(e, ty, _) => match **e {
                Expr::Col(..) | Expr::Call(..) => e.name(),
                _ => type_name(*ty)
                    .split(' ')
                    .next()
                    .unwrap_or("?column?")
                    .to_string(),
            },
            _ => "?column?".into(),
        }
    }

    fn is_aggregate(&self) -> bool {
        matches!(self, Expr::Call(f, _, _) if matches!(f.as_str(), "count" | "sum" | "min" | "max"))
    }
}

fn type_name(t: Type) -> &'static str {
    match t {
        Type::Int | Type::Serial => "int4",
        Type::Text => "text",
        Type::Varchar(_) => "varchar",
        Type::Bool => "bool",
        Type::Timestamp => "timestamp",
        Type::Numeric => "numeric",
    }
}

#[derive(Debug)]
enum Stmt {
    Select {
        items: Vec<(Expr, Option<String>)>,
        from: Option<(String, usize)>,
        filter: Option<Expr>,
        order: Vec<(Expr, bool)>,
        limit: Option<usize>,
        offset: usize,
    },
    Create {
        name: String,
        if_not_exists: bool,
        columns: Vec<Column>,
    },
    Insert {
        table: (String, usize),
        columns: Option<Vec<(String, usize)>>,
        rows: Vec<Vec<(Expr, usize)>>,
        returning: Vec<(Expr, Option<String>)>,
    },
    Update {
        table: (String, usize),
        sets: Vec<(String, usize, Expr)>,
        filter: Option<Expr>,
        returning: Vec<(Expr, Option<String>)>,
    },
    Delete {
        table: (String, usize),
        filter: Option<Expr>,
        returning: Vec<(Expr, Option<String>)>,
    },
    Drop {
        name: (String, usize),
        if_exists: bool,
    },
    CreateDatabase(String),
    Empty,
}

struct Parser {
    toks: Vec<Token>,
    i: usize,
}

const RESERVED: &[&str] = &[
    "from",
    "where",
    "order",
    "limit",
    "offset",
    "as",
    "and",
    "or",
    "not",
    "values",
    "returning",
    "set",
    "by",
    "asc",
    "desc",
    "is",
    "null",
    "select",
    "table",
    "into",
];

impl Parser {
    fn peek(&self) -> &Tok {
        &self.toks[self.i].tok
    }
    fn pos(&self) -> usize {
        self.toks[self.i].pos
    }
    fn next(&mut self) -> Token {
        let t = self.toks[self.i].clone();
        if self.i + 1 < self.toks.len() {
            self.i += 1;
        }
        t
    }
    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Tok::Word(x) if x == w)
    }
    fn is_op(&self, o: &str) -> bool {
        matches!(self.peek(), Tok::Op(x) if x == o)
    }
    fn eat_word(&mut self, w: &str) -> bool {
        if self.is_word(w) {
            self.next();
            true
        } else {
            false
        }
    }
    fn eat_op(&mut self, o: &str) -> bool {
        if self.is_op(o) {
            self.next();
            true
        } else {
            false
        }
    }
    fn syntax(&self) -> SqlError {
        let t = &self.toks[self.i];
        match &t.tok {
            Tok::End => SqlError::at("syntax error at end of input", t.pos),
            Tok::Word(w) | Tok::Num(w) | Tok::Op(w) => {
                SqlError::at(format!("syntax error at or near \"{w}\""), t.pos)
            }
            Tok::Str(s) => SqlError::at(format!("syntax error at or near \"'{s}'\""), t.pos),
            Tok::Quoted(s) => SqlError::at(format!("syntax error at or near \"\"{s}\"\""), t.pos),
        }
    }
    fn expect_word(&mut self, w: &str) -> R<()> {
        if self.eat_word(w) {
            Ok(())
        } else {
            Err(self.syntax())
        }
    }
    fn expect_op(&mut self, o: &str) -> R<()> {
        if self.eat_op(o) {
            Ok(())
        } else {
            Err(self.syntax())
        }
    }
    fn ident(&mut self) -> R<(String, usize)> {
        let pos = self.pos();
        match self.peek().clone() {
            Tok::Word(w) if !RESERVED.contains(&w.as_str()) => {
                self.next();
                Ok((w, pos))
            }
            Tok::Quoted(q) => {
                self.next();
                Ok((q, pos))
            }
            _ => Err(self.syntax()),
        }
    }

    fn statement(&mut self) -> R<Stmt> {
        let stmt = match self.peek().clone() {
            Tok::End => return Ok(Stmt::Empty),
            Tok::Op(o) if o == ";" => return Ok(Stmt::Empty),
            Tok::Word(w) => match w.as_str() {
                "select" => self.select()?,
                "create" => self.create()?,
                "insert" => self.insert()?,
                "update" => self.update()?,
                "delete" => self.delete()?,
                "drop" => self.drop()?,
                _ => return Err(self.syntax()),
            },
            _ => return Err(self.syntax()),
        };
        self.eat_op(";");
        if !matches!(self.peek(), Tok::End) {
            return Err(self.syntax());
        }
        Ok(stmt)
    }

    fn items(&mut self) -> R<Vec<(Expr, Option<String>)>> {
        let mut items = Vec::new();
        loop {
            let e = if self.is_op("*") {
                let p = self.pos();
                self.next();
                Expr::Star(p)
            } else {
                self.expr()?
            };
            let alias = if self.eat_word("as") {
                Some(self.ident()?.0)
            } else if let Tok::Word(w) = self.peek().clone()
                && !RESERVED.contains(&w.as_str())
            {
                self.next();
                Some(w)
            } else {
                None
            };
            items.push((e, alias));
            if !self.eat_op(",") {
                return Ok(items);
            }
        }
    }

    fn select(&mut self) -> R<Stmt> {
        self.expect_word("select")?;
        let items = self.items()?;
        let from = if self.eat_word("from") {
            Some(self.ident()?)
        } else {
            None
        };
        let filter = if self.eat_word("where") {
            Some(self.expr()?)
        } else {
            None
        };
        let mut order = Vec::new();
        if self.eat_word("order") {
            self.expect_word("by")?;
            loop {
                let e = self.expr()?;
                let desc = if self.eat_word("desc") {
                    true
                } else {
                    self.eat_word("asc");
                    false
                };
                order.push((e, desc));
                if !self.eat_op(",") {
                    break;
                }
            }
        }
        let mut limit = None;
        let mut offset = 0;
        loop {
            if self.eat_word("limit") {
                limit = Some(self.count()?);
            } else if self.eat_word("offset") {
                offset = self.count()?;
            } else {
                break;
            }
        }
        Ok(Stmt::Select {
            items,
            from,
            filter,
            order,
            limit,
            offset,
        })
    }

    fn count(&mut self) -> R<usize> {
        match self.peek().clone() {
            Tok::Num(n) => {
                self.next();
                n.parse().map_err(|_| self.syntax())
            }
            Tok::Word(w) if w == "all" => {
                self.next();
                Ok(usize::MAX)
            }
            _ => Err(self.syntax()),
        }
    }

    fn type_name(&mut self) -> R<Type> {
        let (w, _) = match self.peek().clone() {
            Tok::Word(w) => {
                let p = self.pos();
                self.next();
                (w, p)
            }
            _ => return Err(self.syntax()),
        };
        let ty = match w.as_str() {
            "int" | "integer" | "int4" | "bigint" | "int8" | "smallint" | "int2" => Type::Int,
            "serial" | "bigserial" | "smallserial" | "serial4" | "serial8" => Type::Serial,
            "text" => Type::Text,
            "varchar" | "character" | "char" => {
                if w == "character" {
                    self.eat_word("varying");
                }
                let mut n = None;
                if self.eat_op("(") {
                    if let Tok::Num(x) = self.next().tok {
                        n = x.parse().ok();
                    }
                    self.expect_op(")")?;
                }
                Type::Varchar(n)
            }
            "boolean" | "bool" => Type::Bool,
            "timestamp" | "timestamptz" | "date" => {
                if self.eat_word("with") || self.eat_word("without") {
                    self.expect_word("time")?;
                    self.expect_word("zone")?;
                }
                Type::Timestamp
            }
            "numeric" | "decimal" | "real" | "float" | "double" => {
                self.eat_word("precision");
                if self.eat_op("(") {
                    while !self.eat_op(")") {
                        if matches!(self.next().tok, Tok::End) {
                            return Err(self.syntax());
                        }
                    }
                }
                Type::Numeric
            }
            other => {
                self.i -= 1;
                return Err(SqlError::at(
                    format!("type \"{other}\" does not exist"),
                    self.pos(),
                ));
            }
        };
        Ok(ty)
    }

    fn create(&mut self) -> R<Stmt> {
        self.expect_word("create")?;
        if self.eat_word("database") {
            let (name, _) = self.ident()?;
            return Ok(Stmt::CreateDatabase(name));
        }
        self.expect_word("table")?;
        let mut if_not_exists = false;
        if self.eat_word("if") {
            self.expect_word("not")?;
            self.expect_word("exists")?;
            if_not_exists = true;
        }
        let (name, _) = self.ident()?;
        self.expect_op("(")?;
        let mut columns: Vec<Column> = Vec::new();
        loop {
            if self.is_word("primary") || self.is_word("unique") || self.is_word("constraint") {
                // A table constraint: PRIMARY KEY (a) / UNIQUE (a).
                self.eat_word("constraint").then(|| self.ident());
                let primary = self.eat_word("primary");
                if primary {
                    self.expect_word("key")?;
                } else {
                    self.expect_word("unique")?;
                }
                self.expect_op("(")?;
                loop {
                    let (c, p) = self.ident()?;
                    let Some(col) = columns.iter_mut().find(|x| x.name == c) else {
                        return Err(SqlError::at(
                            format!("column \"{c}\" named in key does not exist"),
                            p,
                        ));
                    };
                    col.unique = true;
                    col.primary |= primary;
                    col.not_null |= primary;
                    if !self.eat_op(",") {
                        break;
                    }
                }
                self.expect_op(")")?;
            } else {
                let (cname, _) = self.ident()?;
                let ty = self.type_name()?;
                let mut col = Column {
                    name: cname,
                    ty,
                    not_null: ty == Type::Serial,
                    unique: false,
                    primary: false,
                    default: None,
                };
                loop {
                    if self.eat_word("primary") {
                        self.expect_word("key")?;
                        col.primary = true;
                        col.unique = true;
                        col.not_null = true;
                    } else if self.eat_word("not") {
                        self.expect_word("null")?;
                        col.not_null = true;
                    } else if self.eat_word("null") {
                    } else if self.eat_word("unique") {
                        col.unique = true;
                    } else if self.eat_word("default") {
                        let start = self.pos();
                        self.primary()?;
                        let end = self.pos();
                        col.default = Some(self.text(start, end));
                    } else {
                        break;
                    }
                }
                columns.push(col);
            }
            if !self.eat_op(",") {
                break;
            }
        }
        self.expect_op(")")?;
        Ok(Stmt::Create {
            name,
            if_not_exists,
            columns,
        })
    }

    /// The source text between two token positions, rebuilt from the tokens.
    fn text(&self, start: usize, end: usize) -> String {
        self.toks
            .iter()
            .filter(|t| t.pos >= start && t.pos < end)
            .map(|t| match &t.tok {
                Tok::Str(s) => format!("'{}'", s.replace('\'', "''")),
                Tok::Quoted(s) => format!("\"{s}\""),
                Tok::Word(s) | Tok::Num(s) | Tok::Op(s) => s.clone(),
                Tok::End => String::new(),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn returning(&mut self) -> R<Vec<(Expr, Option<String>)>> {
        if self.eat_word("returning") {
            self.items()
        } else {
            Ok(Vec::new())
        }
    }

    fn insert(&mut self) -> R<Stmt> {
        self.expect_word("insert")?;
        self.expect_word("into")?;
        let table = self.ident()?;
        let columns = if self.eat_op("(") {
            let mut cols = Vec::new();
            loop {
                cols.push(self.ident()?);
                if !self.eat_op(",") {
                    break;
                }
            }
            self.expect_op(")")?;
            Some(cols)
        } else {
            None
        };
        self.expect_word("values")?;
        let mut rows = Vec::new();
        loop {
            self.expect_op("(")?;
            let mut row = Vec::new();
            loop {
                let p = self.pos();
                row.push((self.expr()?, p));
                if !self.eat_op(",") {
                    break;
                }
            }
            self.expect_op(")")?;
            rows.push(row);
            if !self.eat_op(",") {
                break;
            }
        }
        let returning = self.returning()?;
        Ok(Stmt::Insert {
            table,
            columns,
            rows,
            returning,
        })
    }

    fn update(&mut self) -> R<Stmt> {
        self.expect_word("update")?;
        let table = self.ident()?;
        self.expect_word("set")?;
        let mut sets = Vec::new();
        loop {
            let (c, p) = self.ident()?;
            self.expect_op("=")?;
            sets.push((c, p, self.expr()?));
            if !self.eat_op(",") {
                break;
            }
        }
        let filter = if self.eat_word("where") {
            Some(self.expr()?)
        } else {
            None
        };
        let returning = self.returning()?;
        Ok(Stmt::Update {
            table,
            sets,
            filter,
            returning,
        })
    }

    fn delete(&mut self) -> R<Stmt> {
        self.expect_word("delete")?;
        self.expect_word("from")?;
        let table = self.ident()?;
        let filter = if self.eat_word("where") {
            Some(self.expr()?)
        } else {
            None
        };
        let returning = self.returning()?;
        Ok(Stmt::Delete {
            table,
            filter,
            returning,
        })
    }

    fn drop(&mut self) -> R<Stmt> {
        self.expect_word("drop")?;
        self.expect_word("table")?;
        let mut if_exists = false;
        if self.eat_word("if") {
            self.expect_word("exists")?;
            if_exists = true;
        }
        let name = self.ident()?;
        Ok(Stmt::Drop { name, if_exists })
    }

    fn expr(&mut self) -> R<Expr> {
        self.binary(0)
    }

    fn binary(&mut self, min: u8) -> R<Expr> {
        let mut left = if self.is_word("not") {
            self.next();
            Expr::Unary("not".into(), Box::new(self.binary(3)?))
        } else {
            self.unary()?
        };
        loop {
            let pos = self.pos();
            let (op, prec) = match self.peek() {
                Tok::Word(w) if w == "or" => ("or".to_string(), 1),
                Tok::Word(w) if w == "and" => ("and".to_string(), 2),
                Tok::Word(w) if w == "is" => ("is".to_string(), 4),
                Tok::Word(w) if w == "like" => ("like".to_string(), 5),
                Tok::Op(o) => match o.as_str() {
                    "=" | "<>" | "!=" | "<" | ">" | "<=" | ">=" => (o.clone(), 5),
                    "||" => (o.clone(), 6),
                    "+" | "-" => (o.clone(), 7),
                    "*" | "/" | "%" => (o.clone(), 8),
                    _ => break,
                },
                _ => break,
            };
            if prec < min {
                break;
            }
            self.next();
            if op == "is" {
                let not = self.eat_word("not");
                self.expect_word("null")?;
                left = Expr::IsNull(Box::new(left), not);
                continue;
            }
            let right = self.binary(prec + 1)?;
            left = Expr::Bin(op, Box::new(left), Box::new(right), pos);
        }
        Ok(left)
    }

    fn unary(&mut self) -> R<Expr> {
        if self.is_op("-") {
            self.next();
            let e = self.unary()?;
            return Ok(match e {
                Expr::Lit(Value::Int(n)) => Expr::Lit(Value::Int(-n)),
                Expr::Lit(Value::Num(s)) => Expr::Lit(Value::Num(format!("-{s}"))),
                e => Expr::Unary("-".into(), Box::new(e)),
            });
        }
        let mut e = self.primary()?;
        while self.is_op("::") {
            let pos = self.pos();
            self.next();
            let ty = self.type_name()?;
            e = Expr::Cast(Box::new(e), ty, pos);
        }
        Ok(e)
    }

    fn primary(&mut self) -> R<Expr> {
        let pos = self.pos();
        match self.peek().clone() {
            Tok::Num(n) => {
                self.next();
                Ok(Expr::Lit(match n.parse::<i64>() {
                    Ok(v) => Value::Int(v),
                    Err(_) if n.contains('.') => Value::Num(n),
                    Err(_) => Value::Num(n),
                }))
            }
            Tok::Str(s) => {
                self.next();
                Ok(Expr::Lit(Value::Text(s)))
            }
            Tok::Op(o) if o == "(" => {
                self.next();
                let e = self.expr()?;
                self.expect_op(")")?;
                Ok(e)
            }
            Tok::Quoted(q) => {
                self.next();
                Ok(Expr::Col(q, pos))
            }
            Tok::Word(w) => match w.as_str() {
                "true" | "false" => {
                    self.next();
                    Ok(Expr::Lit(Value::Bool(w == "true")))
                }
                "null" => {
                    self.next();
                    Ok(Expr::Lit(Value::Null))
                }
                "current_user" | "current_timestamp" | "session_user" | "user" => {
                    self.next();
                    Ok(Expr::Call(w, Vec::new(), pos))
                }
                w if RESERVED.contains(&w) => Err(self.syntax()),
                _ => {
                    self.next();
                    if self.eat_op("(") {
                        let mut args = Vec::new();
                        if self.is_op("*") {
                            self.next();
                            args.push(Expr::Star(pos));
                        } else if !self.is_op(")") {
                            loop {
                                args.push(self.expr()?);
                                if !self.eat_op(",") {
                                    break;
                                }
                            }
                        }
                        self.expect_op(")")?;
                        Ok(Expr::Call(w, args, pos))
                    } else if self.eat_op(".") {
                        let (c, p) = self.ident()?;
                        Ok(Expr::Col(c, p))
                    } else {
                        Ok(Expr::Col(w, pos))
                    }
                }
            },
            _ => Err(self.syntax()),
        }
    }
}

/// What expressions see of the session.
pub struct Session<'a> {
    pub user: &'a str,
    pub database: &'a str,
    /// `now()`, as PostgreSQL prints a timestamptz.
    pub now: String,
    pub version: &'a str,
}

/// The tables of one database, and the names of all databases (for pg_database).
pub struct Catalog<'a> {
    pub tables: &'a mut Vec<Table>,
    pub databases: &'a mut Vec<String>,
}

struct Row<'a> {
    columns: &'a [Column],
    values: &'a [Value],
    table: &'a str,
}

fn truthy(v: &Value) -> bool {
    matches!(v, Value::Bool(true))
}

fn compare(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Value::Null, _) | (_, Value::Null) => None,
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (x, y) => {
            let (fx, fy) = (x.show().parse::<f64>(), y.show().parse::<f64>());
            match (fx, fy) {
                (Ok(p), Ok(q)) if !matches!(x, Value::Text(_)) || !matches!(y, Value::Text(_)) => {
                    p.partial_cmp(&q)
                }
                _ => Some(x.show().cmp(&y.show())),
            }
        }
    }
}

fn like(p: &[char], s: &[char]) -> bool {
    match p.first() {
        None => s.is_empty(),
        Some('%') => (0..=s.len()).any(|i| like(&p[1..], &s[i..])),
        Some('_') => !s.is_empty() && like(&p[1..], &s[1..]),
        Some(c) => s.first() == Some(c) && like(&p[1..], &s[1..]),
    }
}

fn type_err(op: &str, a: &Value, b: &Value, pos: usize) -> SqlError {
    let t = |v: &Value| match v {
        Value::Int(_) => "integer",
        Value::Num(_) => "numeric",
        Value::Bool(_) => "boolean",
        _ => "text",
    };
    let mut e = SqlError::at(
        format!("operator does not exist: {} {op} {}", t(a), t(b)),
        pos,
    );
    e.hint = Some(
        "No operator matches the given name and argument types. You might need to add explicit type casts."
            .into(),
    );
    e
}

fn eval(e: &Expr, row: Option<&Row<'_>>, s: &Session<'_>) -> R<Value> {
    Ok(match e {
        Expr::Lit(v) => v.clone(),
        Expr::Star(p) => return Err(SqlError::at("syntax error at or near \"*\"", *p)),
        Expr::Col(name, pos) => {
            let Some(r) = row else {
                return Err(SqlError::at(
                    format!("column \"{name}\" does not exist"),
                    *pos,
                ));
            };
            match r.columns.iter().position(|c| c.name == *name) {
                Some(i) => r.values[i].clone(),
                None => {
                    let mut err = SqlError::at(format!("column \"{name}\" does not exist"), *pos);
                    if let Some(c) = r.columns.iter().find(|c| {
                        c.name.starts_with(name.get(..1).unwrap_or("")) || name.starts_with(&c.name)
                    }) {
                        err.hint = Some(format!(
                            "Perhaps you meant to reference the column \"{}.{}\".",
                            r.table, c.name
                        ));
                    }
                    return Err(err);
                }
            }
        }
        Expr::Unary(op, x) => {
            let v = eval(x, row, s)?;
            match (op.as_str(), v) {
                (_, Value::Null) => Value::Null,
                ("not", Value::Bool(b)) => Value::Bool(!b),
                ("-", Value::Int(n)) => Value::Int(-n),
                ("-", Value::Num(n)) => Value::Num(format!("-{n}")),
                (_, v) => {
                    return Err(SqlError::plain(format!(
                        "operator does not exist: {op} {}",
                        v.show()
                    )));
                }
            }
        }
        Expr::IsNull(x, not) => Value::Bool((eval(x, row, s)? == Value::Null) != *not),
        Expr::Bin(op, a, b, pos) => {
            let x = eval(a, row, s)?;
            if op == "and" && x == Value::Bool(false) {
                return Ok(Value::Bool(false));
            }
            if op == "or" && x == Value::Bool(true) {
                return Ok(Value::Bool(true));
            }
            let y = eval(b, row, s)?;
            match op.as_str() {
                "and" | "or" => match (&x, &y) {
                    (Value::Bool(p), Value::Bool(q)) => {
                        Value::Bool(if op == "and" { *p && *q } else { *p || *q })
                    }
                    (Value::Null, _) | (_, Value::Null) => Value::Null,
                    _ => {
                        return Err(SqlError::at(
                            format!("argument of {} must be type boolean", op.to_uppercase()),
                            *pos,
                        ));
                    }
                },
                "||" => {
                    if x == Value::Null || y == Value::Null {
                        Value::Null
                    } else {
                        Value::Text(format!("{}{}", x.show(), y.show()))
                    }
                }
                "like" => match (&x, &y) {
                    (Value::Null, _) | (_, Value::Null) => Value::Null,
                    _ => {
                        let p: Vec<char> = y.show().chars().collect();
                        let t: Vec<char> = x.show().chars().collect();
                        Value::Bool(like(&p, &t))
                    }
                },
                "=" | "<>" | "!=" | "<" | ">" | "<=" | ">=" => {
                    if let (Value::Int(_), Value::Text(t)) | (Value::Text(t), Value::Int(_)) =
                        (&x, &y)
                        && t.trim().parse::<i64>().is_err()
                    {
                        return Err(SqlError::at(
                            format!("invalid input syntax for type integer: \"{t}\""),
                            *pos,
                        ));
                    }
                    match compare(&x, &y) {
                        None => Value::Null,
                        Some(o) => Value::Bool(match op.as_str() {
                            "=" => o.is_eq(),
                            "<>" | "!=" => o.is_ne(),
                            "<" => o.is_lt(),
                            ">" => o.is_gt(),
                            "<=" => o.is_le(),
                            _ => o.is_ge(),
                        }),
                    }
                }
                _ => match (&x, &y) {
                    (Value::Null, _) | (_, Value::Null) => Value::Null,
                    (Value::Int(p), Value::Int(q)) => {
                        let r = match op.as_str() {
                            "+" => p.checked_add(*q),
                            "-" => p.checked_sub(*q),
                            "*" => p.checked_mul(*q),
                            _ if *q == 0 => return Err(SqlError::plain("division by zero")),
                            "/" => p.checked_div(*q),
                            _ => p.checked_rem(*q),
                        };
                        match r {
                            Some(v) => Value::Int(v),
                            None => return Err(SqlError::plain("integer out of range")),
                        }
                    }
                    (Value::Int(_) | Value::Num(_), Value::Int(_) | Value::Num(_)) => {
                        let p: f64 = x.show().parse().unwrap_or(0.0);
                        let q: f64 = y.show().parse().unwrap_or(0.0);
                        if q == 0.0 && matches!(op.as_str(), "/" | "%") {
                            return Err(SqlError::plain("division by zero"));
                        }
                        let r = match op.as_str() {
                            "+" => p + q,
                            "-" => p - q,
                            "*" => p * q,
                            "/" => p / q,
                            _ => p % q,
                        };
                        Value::Num(format_num(r))
                    }
                    _ => return Err(type_err(op, &x, &y, *pos)),
                },
            }
        }
        Expr::Call(f, args, pos) => {
            let arg = |i: usize| -> R<Value> {
                match args.get(i) {
                    Some(a) => eval(a, row, s),
                    None => Err(SqlError::at(format!("function {f}() does not exist"), *pos)),
                }
            };
            match f.as_str() {
                "now" | "current_timestamp" => Value::Text(s.now.clone()),
                "version" => Value::Text(s.version.to_string()),
                "current_user" | "session_user" | "user" => Value::Text(s.user.to_string()),
                "current_database" => Value::Text(s.database.to_string()),
                "upper" => match arg(0)? {
                    Value::Null => Value::Null,
                    v => Value::Text(v.show().to_uppercase()),
                },
                "lower" => match arg(0)? {
                    Value::Null => Value::Null,
                    v => Value::Text(v.show().to_lowercase()),
                },
                "length" => match arg(0)? {
                    Value::Null => Value::Null,
                    v => Value::Int(v.show().chars().count() as i64),
                },
                "abs" => match arg(0)? {
                    Value::Int(n) => Value::Int(n.abs()),
                    v => v,
                },
                "coalesce" => {
                    for i in 0..args.len() {
                        let v = arg(i)?;
                        if v != Value::Null {
                            return Ok(v);
                        }
                    }
                    Value::Null
                }
                "count" | "sum" | "min" | "max" => {
                    return Err(SqlError::at(
                        "aggregate functions are not allowed in WHERE",
                        *pos,
                    ));
                }
                _ => {
                    let mut e = SqlError::at(
                        format!("function {f}({}) does not exist", arg_types(args, row, s)),
                        *pos,
                    );
                    e.hint = Some("No function matches the given name and argument types. You might need to add explicit type casts.".into());
                    return Err(e);
                }
            }
        }
        Expr::Cast(x, ty, pos) => {
            let v = eval(x, row, s)?;
            coerce(v, *ty, *pos)?
        }
    })
}

fn arg_types(args: &[Expr], row: Option<&Row<'_>>, s: &Session<'_>) -> String {
    args.iter()
        .map(|a| match eval(a, row, s) {
            Ok(Value::Int(_)) => "integer",
            Ok(Value::Num(_)) => "numeric",
            Ok(Value::Bool(_)) => "boolean",
            Ok(Value::Null) => "unknown",
            _ => "unknown",
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn format_num(r: f64) -> String {
    if r.fract() == 0.0 && r.abs() < 1e15 {
        format!("{r:.1}")
    } else {
        let s = format!("{r:.15}");
        s.trim_end_matches('0').to_string()
    }
}

/// A value stored into a column of type `ty`, as PostgreSQL converts it.
fn coerce(v: Value, ty: Type, pos: usize) -> R<Value> {
    Ok(match (ty, v) {
        (_, Value::Null) => Value::Null,
        (Type::Int | Type::Serial, Value::Int(n)) => Value::Int(n),
        (Type::Int | Type::Serial, Value::Num(n)) => {
            Value::Int(n.parse::<f64>().unwrap_or(0.0).round() as i64)
        }
        (Type::Int | Type::Serial, Value::Text(t)) => match t.trim().parse::<i64>() {
            Ok(n) => Value::Int(n),
            Err(_) => {
                return Err(SqlError::at(
                    format!("invalid input syntax for type integer: \"{t}\""),
                    pos,
                ));
            }
        },
        (Type::Int | Type::Serial, Value::Bool(_)) => {
            return Err(SqlError::at(
                "column is of type integer but expression is of type boolean",
                pos,
            ));
        }
        (Type::Bool, Value::Bool(b)) => Value::Bool(b),
        (Type::Bool, Value::Text(t)) => match t.trim().to_lowercase().as_str() {
            "t" | "true" | "yes" | "y" | "on" | "1" => Value::Bool(true),
            "f" | "false" | "no" | "n" | "off" | "0" => Value::Bool(false),
            _ => {
                return Err(SqlError::at(
                    format!("invalid input syntax for type boolean: \"{t}\""),
                    pos,
                ));
            }
        },
        (Type::Bool, Value::Int(_) | Value::Num(_)) => {
            return Err(SqlError::at(
                "column is of type boolean but expression is of type integer",
                pos,
            ));
        }
        (Type::Varchar(Some(n)), v) => {
            let t = v.show();
            if t.chars().count() > n as usize {
                return Err(SqlError::plain(format!(
                    "value too long for type character varying({n})"
                )));
            }
            Value::Text(t)
        }
        (Type::Numeric, Value::Int(n)) => Value::Num(n.to_string()),
        (Type::Numeric, v @ Value::Num(_)) => v,
        (Type::Numeric, Value::Text(t)) => match t.trim().parse::<f64>() {
            Ok(_) => Value::Num(t.trim().to_string()),
            Err(_) => {
                return Err(SqlError::at(
                    format!("invalid input syntax for type numeric: \"{t}\""),
                    pos,
                ));
            }
        },
        (Type::Timestamp, Value::Text(t)) => {
            let t = t.trim();
            let ok = chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S").is_ok()
                || chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S%.f").is_ok()
                || chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").is_ok()
                || t.ends_with("+00");
            if !ok {
                return Err(SqlError::at(
                    format!("invalid input syntax for type timestamp: \"{t}\""),
                    pos,
                ));
            }
            let t = t.strip_suffix("+00").unwrap_or(t);
            if t.len() == 10 {
                Value::Text(format!("{t} 00:00:00"))
            } else {
                Value::Text(t.to_string())
            }
        }
        (Type::Timestamp, v) => {
            return Err(SqlError::at(
                format!(
                    "column is of type timestamp without time zone but expression is of type {}",
                    match v {
                        Value::Bool(_) => "boolean",
                        _ => "integer",
                    }
                ),
                pos,
            ));
        }
        (_, v) => Value::Text(v.show()),
    })
}

fn missing_relation(name: &str, pos: usize) -> SqlError {
    SqlError::at(format!("relation \"{name}\" does not exist"), pos)
}

/// Parses and runs one statement.
pub fn run(sql: &str, cat: &mut Catalog<'_>, s: &Session<'_>) -> R<Outcome> {
    let toks = lex(sql)?;
    let mut p = Parser { toks, i: 0 };
    let stmt = p.statement()?;
    execute(stmt, cat, s)
}

/// Whether `sql` is a statement with nothing in it (only blanks and comments).
pub fn is_empty(sql: &str) -> bool {
    lex(sql).is_ok_and(|t| t.len() == 1)
}

fn pg_database(cat: &Catalog<'_>) -> Table {
    let col = |name: &str, ty| Column {
        name: name.into(),
        ty,
        not_null: true,
        unique: false,
        primary: false,
        default: None,
    };
    let mut names = cat.databases.clone();
    names.sort();
    Table {
        name: "pg_database".into(),
        columns: vec![col("oid", Type::Int), col("datname", Type::Text)],
        rows: names
            .iter()
            .enumerate()
            .map(|(i, n)| vec![Value::Int(16384 + i as i64), Value::Text(n.clone())])
            .collect(),
        sequences: Vec::new(),
    }
}

/// Column names, which of them align right, and the rows.
type Projected = (Vec<String>, Vec<bool>, Vec<Vec<Value>>);

fn project(
    items: &[(Expr, Option<String>)],
    table: Option<&Table>,
    rows: &[Vec<Value>],
    s: &Session<'_>,
) -> R<Projected> {
    let mut names = Vec::new();
    let mut right = Vec::new();
    let mut exprs: Vec<Expr> = Vec::new();
    for (e, alias) in items {
        if let Expr::Star(p) = e {
            let Some(t) = table else {
                return Err(SqlError::at(
                    "SELECT * with no tables specified is not valid",
                    *p,
                ));
            };
            for c in &t.columns {
                names.push(c.name.clone());
                right.push(c.ty.right_aligned());
                exprs.push(Expr::Col(c.name.clone(), *p));
            }
        } else {
            names.push(alias.clone().unwrap_or_else(|| e.name()));
            exprs.push(e.clone());
            right.push(false);
        }
    }
    let empty: Vec<Column> = Vec::new();
    let columns = table.map_or(&empty[..], |t| &t.columns[..]);
    let tname = table.map_or("", |t| t.name.as_str());
    let mut out = Vec::new();
    let source: Vec<Option<&Vec<Value>>> = if table.is_some() {
        rows.iter().map(Some).collect()
    } else {
        vec![None]
    };
    for r in source {
        let row = r.map(|values| Row {
            columns,
            values,
            table: tname,
        });
        let mut vals = Vec::new();
        for e in &exprs {
            vals.push(eval(e, row.as_ref(), s)?);
        }
        out.push(vals);
    }
    // Numbers align right, as psql aligns numeric columns.
    for (i, e) in exprs.iter().enumerate() {
        if let Expr::Col(n, _) = e
            && let Some(c) = columns.iter().find(|c| c.name == *n)
        {
            right[i] = c.ty.right_aligned();
        } else {
            right[i] = out
                .iter()
                .find(|r| r[i] != Value::Null)
                .is_some_and(|r| matches!(r[i], Value::Int(_) | Value::Num(_)));
        }
    }
    Ok((names, right, out))
}

fn filter_rows(t: &Table, filter: &Option<Expr>, s: &Session<'_>) -> R<Vec<usize>> {
    let mut keep = Vec::new();
    for (i, values) in t.rows.iter().enumerate() {
        let ok = match filter {
            None => true,
            Some(f) => {
                let row = Row {
                    columns: &t.columns,
                    values,
                    table: &t.name,
                };
                match eval(f, Some(&row), s)? {
                    Value::Bool(b) => b,
                    Value::Null => false,
                    _ => {
                        return Err(SqlError::plain("argument of WHERE must be type boolean"));
                    }
                }
            }
        };
        if ok {
            keep.push(i);
        }
    }
    Ok(keep)
}

fn find<'t>(tables: &'t mut [Table], name: &str, pos: usize) -> R<&'t mut Table> {
    tables
        .iter_mut()
        .find(|t| t.name == name)
        .ok_or_else(|| missing_relation(name, pos))
}

fn check_constraints(t: &Table, row: &[Value], skip: Option<usize>) -> R<()> {
    for (i, c) in t.columns.iter().enumerate() {
        if c.not_null && row[i] == Value::Null {
            let mut e = SqlError::plain(format!(
                "null value in column \"{}\" of relation \"{}\" violates not-null constraint",
                c.name, t.name
            ));
            e.detail = Some(format!(
                "Failing row contains ({}).",
                row.iter().map(Value::detail).collect::<Vec<_>>().join(", ")
            ));
            return Err(e);
        }
        if c.unique
            && row[i] != Value::Null
            && t.rows
                .iter()
                .enumerate()
                .any(|(j, r)| Some(j) != skip && r[i] == row[i])
        {
            let constraint = if c.primary {
                format!("{}_pkey", t.name)
            } else {
                format!("{}_{}_key", t.name, c.name)
            };
            let mut e = SqlError::plain(format!(
                "duplicate key value violates unique constraint \"{constraint}\""
            ));
            e.detail = Some(format!(
                "Key ({})=({}) already exists.",
                c.name,
                row[i].show()
            ));
            return Err(e);
        }
    }
    Ok(())
}

fn returning_rows(
    items: &[(Expr, Option<String>)],
    t: &Table,
    rows: Vec<Vec<Value>>,
    tag: String,
    s: &Session<'_>,
) -> R<Outcome> {
    if items.is_empty() {
        return Ok(Outcome::Tag(tag));
    }
    let (names, right, rows) = project(items, Some(t), &rows, s)?;
    Ok(Outcome::Rows {
        names,
        right,
        rows,
        tag: Some(tag),
    })
}

fn execute(stmt: Stmt, cat: &mut Catalog<'_>, s: &Session<'_>) -> R<Outcome> {
    match stmt {
        Stmt::Empty => Ok(Outcome::Tag(String::new())),
        Stmt::CreateDatabase(name) => {
            if cat.databases.contains(&name) {
                return Err(SqlError::plain(format!(
                    "database \"{name}\" already exists"
                )));
            }
            cat.databases.push(name);
            Ok(Outcome::Tag("CREATE DATABASE".into()))
        }
        Stmt::Select {
            items,
            from,
            filter,
            order,
            limit,
            offset,
        } => {
            let catalog_table;
            let table: Option<&Table> = match &from {
                None => None,
                Some((name, _)) if name == "pg_database" => {
                    catalog_table = pg_database(cat);
                    Some(&catalog_table)
                }
                Some((name, pos)) => Some(
                    cat.tables
                        .iter()
                        .find(|t| t.name == *name)
                        .ok_or_else(|| missing_relation(name, *pos))?,
                ),
            };
            let mut rows: Vec<Vec<Value>> = match table {
                Some(t) => {
                    if filter.is_some() {
                        filter_rows(t, &filter, s)?
                            .into_iter()
                            .map(|i| t.rows[i].clone())
                            .collect()
                    } else {
                        t.rows.clone()
                    }
                }
                None => {
                    if let Some(f) = &filter
                        && !truthy(&eval(f, None, s)?)
                    {
                        return project_empty(&items, s);
                    }
                    Vec::new()
                }
            };
            if items.iter().any(|(e, _)| e.is_aggregate()) {
                return aggregate(&items, table, &rows, s);
            }
            if let Some(t) = table {
                let mut err = None;
                let cols = &t.columns;
                let key = |r: &Vec<Value>, e: &Expr| -> R<Value> {
                    if let Expr::Lit(Value::Int(n)) = e
                        && *n >= 1
                        && (*n as usize) <= r.len()
                    {
                        return Ok(r[*n as usize - 1].clone());
                    }
                    eval(
                        e,
                        Some(&Row {
                            columns: cols,
                            values: r,
                            table: &t.name,
                        }),
                        s,
                    )
                };
                rows.sort_by(|a, b| {
                    for (e, desc) in &order {
                        let (x, y) = match (key(a, e), key(b, e)) {
                            (Ok(x), Ok(y)) => (x, y),
                            (Err(e), _) | (_, Err(e)) => {
                                err.get_or_insert(e);
                                return std::cmp::Ordering::Equal;
                            }
                        };
                        // NULLs sort last ascending, first descending.
                        let o = match (&x, &y) {
                            (Value::Null, Value::Null) => std::cmp::Ordering::Equal,
                            (Value::Null, _) => std::cmp::Ordering::Greater,
                            (_, Value::Null) => std::cmp::Ordering::Less,
                            _ => compare(&x, &y).unwrap_or(std::cmp::Ordering::Equal),
                        };
                        let o = if *desc { o.reverse() } else { o };
                        if o != std::cmp::Ordering::Equal {
                            return o;
                        }
                    }
                    std::cmp::Ordering::Equal
                });
                if let Some(e) = err {
                    return Err(e);
                }
            }
            let rows: Vec<Vec<Value>> = if table.is_some() {
                rows.into_iter()
                    .skip(offset)
                    .take(limit.unwrap_or(usize::MAX))
                    .collect()
            } else {
                rows
            };
            let (names, right, mut out) = project(&items, table, &rows, s)?;
            if table.is_none() {
                out = out
                    .into_iter()
                    .skip(offset)
                    .take(limit.unwrap_or(usize::MAX))
                    .collect();
            }
            Ok(Outcome::Rows {
                names,
                right,
                rows: out,
                tag: None,
            })
        }
        Stmt::Create {
            name,
            if_not_exists,
            columns,
        } => {
            if cat.tables.iter().any(|t| t.name == name) {
                if if_not_exists {
                    return Ok(Outcome::Tag("CREATE TABLE".into()));
                }
                return Err(SqlError::plain(format!(
                    "relation \"{name}\" already exists"
                )));
            }
            let sequences = columns
                .iter()
                .enumerate()
                .filter(|(_, c)| c.ty == Type::Serial)
                .map(|(i, _)| (i, 1))
                .collect();
            cat.tables.push(Table {
                name,
                columns,
                rows: Vec::new(),
                sequences,
            });
            Ok(Outcome::Tag("CREATE TABLE".into()))
        }
        Stmt::Drop { name, if_exists } => {
            match cat.tables.iter().position(|t| t.name == name.0) {
                Some(i) => {
                    cat.tables.remove(i);
                }
                None if if_exists => {}
                None => {
                    return Err(SqlError::plain(format!(
                        "table \"{}\" does not exist",
                        name.0
                    )));
                }
            }
            Ok(Outcome::Tag("DROP TABLE".into()))
        }
        Stmt::Insert {
            table,
            columns,
            rows,
            returning,
        } => {
            let t = find(cat.tables, &table.0, table.1)?;
            let targets: Vec<usize> = match &columns {
                None => (0..t.columns.len()).collect(),
                Some(cols) => {
                    let mut v = Vec::new();
                    for (c, p) in cols {
                        match t.columns.iter().position(|x| x.name == *c) {
                            Some(i) => v.push(i),
                            None => {
                                return Err(SqlError::at(
                                    format!(
                                        "column \"{c}\" of relation \"{}\" does not exist",
                                        t.name
                                    ),
                                    *p,
                                ));
                            }
                        }
                    }
                    v
                }
            };
            let mut added = Vec::new();
            for exprs in &rows {
                if exprs.len() > targets.len() {
                    return Err(SqlError::plain(
                        "INSERT has more expressions than target columns",
                    ));
                }
                let mut row = vec![Value::Null; t.columns.len()];
                let mut given = vec![false; t.columns.len()];
                for (k, (e, pos)) in exprs.iter().enumerate() {
                    let i = targets[k];
                    let pos = *pos;
                    row[i] = coerce(eval(e, None, s)?, t.columns[i].ty, pos)?;
                    given[i] = true;
                }
                for i in 0..t.columns.len() {
                    if given[i] {
                        continue;
                    }
                    if let Some(seq) = t.sequences.iter_mut().find(|(c, _)| *c == i) {
                        row[i] = Value::Int(seq.1);
                        seq.1 += 1;
                    } else if let Some(d) = t.columns[i].default.clone() {
                        let toks = lex(&d)?;
                        let mut p = Parser { toks, i: 0 };
                        let e = p.expr()?;
                        row[i] = coerce(eval(&e, None, s)?, t.columns[i].ty, 0)?;
                    }
                }
                check_constraints(t, &row, None)?;
                t.rows.push(row.clone());
                added.push(row);
            }
            let tag = format!("INSERT 0 {}", added.len());
            let t = &*t;
            returning_rows(&returning, t, added, tag, s)
        }
        Stmt::Update {
            table,
            sets,
            filter,
            returning,
        } => {
            let t = find(cat.tables, &table.0, table.1)?;
            let mut targets = Vec::new();
            for (c, p, e) in &sets {
                match t.columns.iter().position(|x| x.name == *c) {
                    Some(i) => targets.push((i, e)),
                    None => {
                        return Err(SqlError::at(
                            format!("column \"{c}\" of relation \"{}\" does not exist", t.name),
                            *p,
                        ));
                    }
                }
            }
            let hits = filter_rows(t, &filter, s)?;
            let mut changed = Vec::new();
            for &r in &hits {
                let mut row = t.rows[r].clone();
                for (i, e) in &targets {
                    let v = {
                        let view = Row {
                            columns: &t.columns,
                            values: &t.rows[r],
                            table: &t.name,
                        };
                        eval(e, Some(&view), s)?
                    };
                    row[*i] = coerce(v, t.columns[*i].ty, expr_pos(e))?;
                }
                check_constraints(t, &row, Some(r))?;
                t.rows[r] = row.clone();
                changed.push(row);
            }
            let tag = format!("UPDATE {}", hits.len());
            let t = &*t;
            returning_rows(&returning, t, changed, tag, s)
        }
        Stmt::Delete {
            table,
            filter,
            returning,
        } => {
            let t = find(cat.tables, &table.0, table.1)?;
            let hits = filter_rows(t, &filter, s)?;
            let removed: Vec<Vec<Value>> = hits.iter().map(|&i| t.rows[i].clone()).collect();
            let mut i = 0;
            t.rows.retain(|_| {
                i += 1;
                !hits.contains(&(i - 1))
            });
            let tag = format!("DELETE {}", removed.len());
            let t = &*t;
            returning_rows(&returning, t, removed, tag, s)
        }
    }
}

fn expr_pos(e: &Expr) -> usize {
    match e {
        Expr::Col(_, p) | Expr::Star(p) | Expr::Bin(_, _, _, p) | Expr::Call(_, _, p) => *p,
        Expr::Cast(x, _, _) | Expr::Unary(_, x) | Expr::IsNull(x, _) => expr_pos(x),
        Expr::Lit(_) => 0,
    }
}

fn project_empty(items: &[(Expr, Option<String>)], s: &Session<'_>) -> R<Outcome> {
    let (names, right, _) = project(items, None, &[], s)?;
    Ok(Outcome::Rows {
        names,
        right,
        rows: Vec::new(),
        tag: None,
    })
}

fn aggregate(
    items: &[(Expr, Option<String>)],
    table: Option<&Table>,
    rows: &[Vec<Value>],
    s: &Session<'_>,
) -> R<Outcome> {
    let empty: Vec<Column> = Vec::new();
    let columns = table.map_or(&empty[..], |t| &t.columns[..]);
    let tname = table.map_or("", |t| t.name.as_str());
    let mut names = Vec::new();
    let mut right = Vec::new();
    let mut out = Vec::new();
    for (e, alias) in items {
        names.push(alias.clone().unwrap_or_else(|| e.name()));
        let Expr::Call(f, args, pos) = e else {
            let p = expr_pos(e);
            let col = match e {
                Expr::Col(n, _) => format!("{tname}.{n}"),
                _ => "?column?".into(),
            };
            return Err(SqlError::at(
                format!(
                    "column \"{col}\" must appear in the GROUP BY clause or be used in an aggregate function"
                ),
                p,
            ));
        };
        let values: Vec<Value> = match args.first() {
            Some(Expr::Star(_)) | None => rows.iter().map(|_| Value::Int(1)).collect(),
            Some(a) => {
                let mut v = Vec::new();
                for r in rows {
                    let row = Row {
                        columns,
                        values: r,
                        table: tname,
                    };
                    v.push(eval(a, Some(&row), s)?);
                }
                v.into_iter().filter(|x| *x != Value::Null).collect()
            }
        };
        let result = match f.as_str() {
            "count" => Value::Int(values.len() as i64),
            "sum" => {
                if values.is_empty() {
                    Value::Null
                } else if values.iter().all(|v| matches!(v, Value::Int(_))) {
                    Value::Int(
                        values
                            .iter()
                            .map(|v| if let Value::Int(n) = v { *n } else { 0 })
                            .sum(),
                    )
                } else {
                    Value::Num(format_num(
                        values
                            .iter()
                            .map(|v| v.show().parse::<f64>().unwrap_or(0.0))
                            .sum(),
                    ))
                }
            }
            _ => {
                let want = if f == "min" {
                    std::cmp::Ordering::Less
                } else {
                    std::cmp::Ordering::Greater
                };
                let mut best: Option<Value> = None;
                for v in values {
                    best = match best {
                        None => Some(v),
                        Some(b) => Some(if compare(&v, &b) == Some(want) { v } else { b }),
                    };
                }
                let _ = pos;
                best.unwrap_or(Value::Null)
            }
        };
        right.push(matches!(result, Value::Int(_) | Value::Num(_)) || f == "count");
        out.push(result);
    }
    Ok(Outcome::Rows {
        names,
        right,
        rows: vec![out],
        tag: None,
    })
}

/// psql's aligned table: centred headers, `-` and `+` under them, numbers on the
/// right, `(N rows)` and a blank line. `tuples_only` drops the header and footer.
pub fn format_table(
    names: &[String],
    right: &[bool],
    rows: &[Vec<Value>],
    tuples_only: bool,
) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(Value::show).collect())
        .collect();
    let width = |s: &str| s.chars().count();
    let widths: Vec<usize> = (0..names.len())
        .map(|i| {
            cells
                .iter()
                .map(|r| width(&r[i]))
                .chain(std::iter::once(if tuples_only {
                    0
                } else {
                    width(&names[i])
                }))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    if !tuples_only {
        let head: Vec<String> = names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let pad = widths[i] - width(n);
                format!("{}{n}{}", " ".repeat(pad / 2), " ".repeat(pad - pad / 2))
            })
            .collect();
        out.push_str(&format!(" {} \n", head.join(" | ")));
        let dashes: Vec<String> = widths.iter().map(|w| "-".repeat(w + 2)).collect();
        out.push_str(&format!("{}\n", dashes.join("+")));
    }
    for r in &cells {
        let mut line = String::from(" ");
        for (i, c) in r.iter().enumerate() {
            let last = i + 1 == r.len();
            let pad = widths[i] - width(c);
            if right[i] {
                line.push_str(&" ".repeat(pad));
                line.push_str(c);
            } else {
                line.push_str(c);
                if !last {
                    line.push_str(&" ".repeat(pad));
                }
            }
            if !last {
                line.push_str(" | ");
            }
        }
        out.push_str(&line);
        out.push('\n');
    }
    if !tuples_only {
        let n = rows.len();
        out.push_str(&format!("({n} {})\n", if n == 1 { "row" } else { "rows" }));
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> Session<'static> {
        Session {
            user: "postgres",
            database: "postgres",
            now: "2026-12-04 18:40:00.123456+00".into(),
            version: "PostgreSQL 17.5",
        }
    }

    fn sql(tables: &mut Vec<Table>, q: &str) -> R<Outcome> {
        let mut dbs = vec!["postgres".to_string()];
        let mut cat = Catalog {
            tables,
            databases: &mut dbs,
        };
        run(q, &mut cat, &session())
    }

    fn show(o: Outcome) -> String {
        match o {
            Outcome::Rows {
                names,
                right,
                rows,
                tag,
            } => format!(
                "{}{}",
                format_table(&names, &right, &rows, false),
                tag.map(|t| format!("{t}\n")).unwrap_or_default()
            ),
            Outcome::Tag(t) => format!("{t}\n"),
        }
    }

    #[test]
    fn a_table_is_created_filled_queried_and_changed() {
        let mut t = Vec::new();
        let mut q = |s: &str| show(sql(&mut t, s).unwrap());
        assert_eq!(
            q("select 1"),
            " ?column? \n----------\n        1\n(1 row)\n\n"
        );
        assert_eq!(
            q("create table t (id serial primary key, name text, ok boolean, n int, at timestamp)"),
            "CREATE TABLE\n"
        );
        assert_eq!(
            q(
                "insert into t (name, ok, n) values ('alice', true, 10), ('bob', false, -5), (NULL, NULL, NULL) returning id, name"
            ),
            " id | name  \n----+-------\n  1 | alice\n  2 | bob\n  3 | \n(3 rows)\n\nINSERT 0 3\n"
        );
        assert_eq!(
            q("select * from t"),
            " id | name  | ok | n  | at \n----+-------+----+----+----\n  1 | alice | t  | 10 | \n  2 | bob   | f  | -5 | \n  3 |       |    |    | \n(3 rows)\n\n"
        );
        assert_eq!(
            q("select count(*) from t"),
            " count \n-------\n     3\n(1 row)\n\n"
        );
        assert_eq!(
            q("select name, n from t where n > 0 order by n desc limit 1"),
            " name  | n  \n-------+----\n alice | 10\n(1 row)\n\n"
        );
        assert_eq!(
            q("select * from t where false"),
            " id | name | ok | n | at \n----+------+----+---+----\n(0 rows)\n\n"
        );
        assert_eq!(q("update t set n = n + 1 where id = 1"), "UPDATE 1\n");
        assert_eq!(q("delete from t where id = 3"), "DELETE 1\n");
        assert_eq!(
            q("select n from t order by id"),
            " n  \n----\n 11\n -5\n(2 rows)\n\n"
        );
        assert_eq!(
            q("select 1 as a, 'x' as b, true, null, 2.5, 1+2*3, 'a' || 'b', 3 > 2"),
            " a | b | ?column? | ?column? | ?column? | ?column? | ?column? | ?column? \n---+---+----------+----------+----------+----------+----------+----------\n 1 | x | t        |          |      2.5 |        7 | ab       | t\n(1 row)\n\n"
        );
        assert_eq!(q("drop table t"), "DROP TABLE\n");
    }

    #[test]
    fn errors_carry_postgres_wording_and_position() {
        let mut t = Vec::new();
        let e = sql(&mut t, "select * from t;").unwrap_err();
        assert_eq!(
            (e.message.as_str(), e.position),
            ("relation \"t\" does not exist", Some(14))
        );
        let e = sql(&mut t, "selec 1;").unwrap_err();
        assert_eq!(
            (e.message.as_str(), e.position),
            ("syntax error at or near \"selec\"", Some(0))
        );
        assert_eq!(
            sql(&mut t, "select 1/0").unwrap_err().message,
            "division by zero"
        );
        sql(
            &mut t,
            "create table t (id serial primary key, name varchar(10) not null, n integer unique)",
        )
        .unwrap();
        assert_eq!(
            sql(&mut t, "create table t (x int)").unwrap_err().message,
            "relation \"t\" already exists"
        );
        sql(&mut t, "insert into t (name, n) values ('a', 1)").unwrap();
        let e = sql(&mut t, "insert into t (name, n) values ('b', 1)").unwrap_err();
        assert_eq!(
            e.message,
            "duplicate key value violates unique constraint \"t_n_key\""
        );
        assert_eq!(e.detail.as_deref(), Some("Key (n)=(1) already exists."));
        let e = sql(&mut t, "insert into t (name) values (NULL)").unwrap_err();
        assert_eq!(
            e.message,
            "null value in column \"name\" of relation \"t\" violates not-null constraint"
        );
        assert_eq!(
            e.detail.as_deref(),
            Some("Failing row contains (3, null, null).")
        );
        let e = sql(&mut t, "insert into t (name, n) values ('c', 'x');").unwrap_err();
        assert_eq!(
            (e.message.as_str(), e.position),
            ("invalid input syntax for type integer: \"x\"", Some(37))
        );
        let e = sql(&mut t, "select nope from t;").unwrap_err();
        assert_eq!(
            (e.message.as_str(), e.position),
            ("column \"nope\" does not exist", Some(7))
        );
        assert_eq!(
            show(
                sql(
                    &mut t,
                    "select 1 from pg_database where datname = 'postgres'"
                )
                .unwrap()
            ),
            " ?column? \n----------\n        1\n(1 row)\n\n"
        );
    }
}

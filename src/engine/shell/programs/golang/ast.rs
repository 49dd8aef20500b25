//! The syntax tree of the Go subset the lab compiles: what the parser builds, the checker
//! reads and the interpreter runs.

use super::lexer::Pos;
use std::rc::Rc;

#[derive(Debug, Clone)]
pub struct File {
    pub name: String,
    pub package: String,
    pub imports: Vec<Import>,
    pub decls: Vec<Decl>,
}

#[derive(Debug, Clone)]
pub struct Import {
    pub path: String,
    pub alias: Option<String>,
    pub pos: Pos,
}

impl Import {
    /// The name the file refers to the package by.
    pub fn name(&self) -> String {
        self.alias
            .clone()
            .unwrap_or_else(|| self.path.rsplit('/').next().unwrap_or("").to_string())
    }
}

#[derive(Debug, Clone)]
pub enum Decl {
    Func(Rc<FuncDecl>),
    Var(Vec<VarSpec>),
    Const(Vec<VarSpec>),
    Type(TypeSpec),
}

#[derive(Debug, Clone)]
pub struct FuncDecl {
    pub name: String,
    pub pos: Pos,
    pub recv: Option<Param>,
    pub sig: Signature,
    pub body: Block,
    /// Where the body's closing brace is ("missing return" points there).
    pub end: Pos,
}

#[derive(Debug, Clone)]
pub struct TypeSpec {
    pub name: String,
    pub pos: Pos,
    pub ty: TypeExpr,
}

#[derive(Debug, Clone)]
pub struct VarSpec {
    pub names: Vec<(String, Pos)>,
    pub ty: Option<TypeExpr>,
    pub values: Vec<Expr>,
    /// For a `const` group: the spec's index, which `iota` stands for.
    pub iota: i64,
}

#[derive(Debug, Clone, Default)]
pub struct Signature {
    pub params: Vec<Param>,
    pub results: Vec<Param>,
    pub variadic: bool,
}

#[derive(Debug, Clone)]
pub struct Param {
    pub name: Option<(String, Pos)>,
    pub ty: TypeExpr,
}

#[derive(Debug, Clone)]
pub enum TypeExpr {
    Name(String, Pos),
    Qualified(String, String, Pos),
    Slice(Box<TypeExpr>),
    Array(Option<Box<Expr>>, Box<TypeExpr>),
    Map(Box<TypeExpr>, Box<TypeExpr>),
    Pointer(Box<TypeExpr>),
    Struct(Vec<Field>),
    Func(Box<Signature>),
    /// `interface{}` / `any`, or an interface of method names.
    Interface,
    Chan(Pos),
}

#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub ty: TypeExpr,
    pub tag: Option<String>,
}

pub type Block = Vec<Stmt>;

#[derive(Debug, Clone)]
pub enum Stmt {
    Var(Vec<VarSpec>, Pos),
    Const(Vec<VarSpec>),
    Type(TypeSpec),
    Define(Vec<(String, Pos)>, Vec<Expr>, Pos),
    Assign(Vec<Expr>, &'static str, Vec<Expr>, Pos),
    IncDec(Expr, bool, Pos),
    Expr(Expr),
    If {
        init: Option<Box<Stmt>>,
        cond: Expr,
        then: Block,
        els: Option<Box<Stmt>>,
        pos: Pos,
    },
    For {
        init: Option<Box<Stmt>>,
        cond: Option<Expr>,
        post: Option<Box<Stmt>>,
        body: Block,
        label: Option<String>,
        pos: Pos,
    },
    Range {
        key: Option<Expr>,
        value: Option<Expr>,
        define: bool,
        expr: Expr,
        body: Block,
        label: Option<String>,
        pos: Pos,
    },
    Switch {
        init: Option<Box<Stmt>>,
        tag: Option<Expr>,
        cases: Vec<Case>,
        label: Option<String>,
        pos: Pos,
    },
    Return(Vec<Expr>, Pos),
    Break(Option<String>),
    Continue(Option<String>),
    Fallthrough,
    Block(Block),
    Defer(Expr, Pos),
    /// Valid Go the lab does not run: what it is, and where.
    Unsupported(String, Pos, Option<Expr>),
}

#[derive(Debug, Clone)]
pub struct Case {
    /// None: `default`.
    pub exprs: Option<Vec<Expr>>,
    pub body: Block,
}

#[derive(Debug, Clone)]
pub enum Expr {
    Ident(String, Pos),
    Int(i64, Pos),
    Float(f64, Pos),
    Str(String, Pos),
    Char(u32, Pos),
    Binary(&'static str, Box<Expr>, Box<Expr>),
    Unary(&'static str, Box<Expr>, Pos),
    Call {
        func: Box<Expr>,
        args: Vec<Expr>,
        ellipsis: bool,
        pos: Pos,
        /// Where the closing parenthesis is.
        rparen: Pos,
    },
    Selector(Box<Expr>, String, Pos),
    Index(Box<Expr>, Box<Expr>, Pos),
    Sliced(Box<Expr>, Option<Box<Expr>>, Option<Box<Expr>>, Pos),
    Composite(Option<TypeExpr>, Vec<(Option<Expr>, Expr)>, Pos),
    FuncLit(Rc<FuncDecl>),
    TypeAssert(Box<Expr>, Option<TypeExpr>, Pos),
    /// A type used where an expression goes (a conversion's callee, `make`'s argument).
    Type(TypeExpr, Pos),
    Paren(Box<Expr>, Pos),
}

impl Expr {
    /// Where the expression starts, as the type checker reports positions.
    pub fn pos(&self) -> Pos {
        match self {
            Expr::Ident(_, p)
            | Expr::Int(_, p)
            | Expr::Float(_, p)
            | Expr::Str(_, p)
            | Expr::Char(_, p)
            | Expr::Unary(_, _, p)
            | Expr::Composite(_, _, p)
            | Expr::Type(_, p)
            | Expr::Paren(_, p) => *p,
            Expr::Selector(x, _, _)
            | Expr::Index(x, _, _)
            | Expr::Sliced(x, _, _, _)
            | Expr::TypeAssert(x, _, _) => x.pos(),
            Expr::Call { func, .. } => func.pos(),
            Expr::Binary(_, l, _) => l.pos(),
            Expr::FuncLit(f) => f.pos,
        }
    }
}

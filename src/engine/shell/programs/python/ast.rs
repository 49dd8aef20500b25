//! The syntax tree of the Python subset, with the source positions tracebacks need.

use std::rc::Rc;

/// Where a node lies in its file: 1-based lines, 0-based character columns.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Span {
    pub line: usize,
    pub col: usize,
    pub end_line: usize,
    pub end_col: usize,
}

/// A SyntaxError (or IndentationError) as CPython reports it, or valid Python that
/// this interpreter does not cover (`kind == "docklab"`, `msg` names the construct).
#[derive(Debug, Clone)]
pub struct SyntaxErr {
    pub kind: &'static str,
    pub msg: String,
    pub line: usize,
    pub col: usize,
    pub end_col: usize,
}

impl SyntaxErr {
    pub fn at(line: usize, col: usize, msg: &str) -> SyntaxErr {
        SyntaxErr {
            kind: "SyntaxError",
            msg: msg.into(),
            line,
            col,
            end_col: col + 1,
        }
    }
    pub fn tok(line: usize, col: usize, msg: &str) -> SyntaxErr {
        SyntaxErr::at(line, col, msg)
    }
    pub fn limit(construct: &str, line: usize) -> SyntaxErr {
        SyntaxErr {
            kind: "docklab",
            msg: construct.into(),
            line,
            col: 0,
            end_col: 0,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
    Pow,
    BitAnd,
    BitOr,
    BitXor,
    LShift,
    RShift,
    MatMul,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::FloorDiv => "//",
            BinOp::Mod => "%",
            BinOp::Pow => "**",
            BinOp::BitAnd => "&",
            BinOp::BitOr => "|",
            BinOp::BitXor => "^",
            BinOp::LShift => "<<",
            BinOp::RShift => ">>",
            BinOp::MatMul => "@",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
    Is,
    IsNot,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Pos,
    Not,
    Invert,
}

#[derive(Debug, Clone)]
pub enum Arg {
    Pos(Expr),
    Star(Expr),
    Kw(String, Expr),
    StarStar(Expr),
}

#[derive(Debug, Clone)]
pub enum FPart {
    Lit(String),
    Expr {
        expr: Box<Expr>,
        conv: Option<char>,
        spec: Vec<FPart>,
        /// `f"{x=}"`: the text before the value.
        debug: Option<String>,
    },
}

#[derive(Debug, Clone)]
pub struct Comp {
    pub target: Expr,
    pub iter: Expr,
    pub conds: Vec<Expr>,
}

#[derive(Debug, Clone)]
pub enum ExprKind {
    Name(String),
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Bytes(Vec<u8>),
    FStr(Vec<FPart>),
    Ellipsis,
    List(Vec<Expr>),
    Tuple(Vec<Expr>),
    Set(Vec<Expr>),
    /// `None` key: `**mapping`.
    Dict(Vec<(Option<Expr>, Expr)>),
    Bin(Box<Expr>, BinOp, Box<Expr>),
    Unary(UnOp, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Compare(Box<Expr>, Vec<(CmpOp, Expr)>),
    Call(Box<Expr>, Vec<Arg>),
    Attr(Box<Expr>, String),
    Index(Box<Expr>, Box<Expr>),
    Slice(Option<Box<Expr>>, Option<Box<Expr>>, Option<Box<Expr>>),
    Lambda(Rc<Params>, Rc<Expr>),
    IfExp(Box<Expr>, Box<Expr>, Box<Expr>),
    ListComp(Box<Expr>, Vec<Comp>),
    SetComp(Box<Expr>, Vec<Comp>),
    DictComp(Box<Expr>, Box<Expr>, Vec<Comp>),
    /// A generator expression, evaluated eagerly into a list-like iterator.
    GenExp(Box<Expr>, Vec<Comp>),
    Starred(Box<Expr>),
}

#[derive(Debug, Clone, Default)]
pub struct Params {
    pub pos: Vec<(String, Option<Expr>)>,
    pub star: Option<String>,
    pub kwonly: Vec<(String, Option<Expr>)>,
    pub starstar: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Handler {
    pub types: Option<Expr>,
    pub name: Option<String>,
    pub body: Vec<Stmt>,
}

#[derive(Debug, Clone)]
pub struct FuncDef {
    pub name: String,
    pub params: Rc<Params>,
    pub body: Rc<Vec<Stmt>>,
    pub decorators: Vec<Expr>,
    /// Names bound in the body (its locals), those declared global or nonlocal left out.
    pub locals: Rc<Vec<String>>,
}

#[derive(Debug, Clone)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum StmtKind {
    Expr(Expr),
    Assign(Vec<Expr>, Expr),
    AugAssign(Expr, BinOp, Expr),
    AnnAssign(Expr, Option<Expr>),
    If(Vec<(Expr, Vec<Stmt>)>, Vec<Stmt>),
    While(Expr, Vec<Stmt>, Vec<Stmt>),
    For(Expr, Expr, Vec<Stmt>, Vec<Stmt>),
    Break,
    Continue,
    Pass,
    Return(Option<Expr>),
    Def(Rc<FuncDef>),
    Class {
        name: String,
        bases: Vec<Expr>,
        body: Vec<Stmt>,
        decorators: Vec<Expr>,
    },
    Try {
        body: Vec<Stmt>,
        handlers: Vec<Handler>,
        orelse: Vec<Stmt>,
        finally: Vec<Stmt>,
    },
    Raise(Option<Expr>, Option<Expr>),
    With(Vec<(Expr, Option<Expr>)>, Vec<Stmt>),
    /// `import a.b as c`: (dotted name, alias).
    Import(Vec<(String, Option<String>)>),
    /// `from a import b as c` (level counts leading dots); `*` imports all.
    ImportFrom(String, Vec<(String, Option<String>)>, usize),
    Global(Vec<String>),
    Nonlocal(Vec<String>),
    Del(Vec<Expr>),
    Assert(Expr, Option<Expr>),
}

//! The syntax tree of the JavaScript subset the lab's node runs. Offsets are byte
//! positions in the module's source, for error locations.

use std::rc::Rc;

pub type P = usize;

#[derive(Debug)]
pub enum Expr {
    Num(f64),
    Str(Rc<str>),
    Template(Vec<Rc<str>>, Vec<Expr>),
    Ident(Rc<str>, P),
    This,
    Bool(bool),
    Null,
    Array(Vec<Elem>),
    Object(Vec<Prop>),
    Func(Rc<FuncDef>),
    Class(Rc<ClassDef>),
    Unary(&'static str, Box<Expr>, P),
    Update {
        op: &'static str,
        prefix: bool,
        target: Box<Expr>,
        pos: P,
    },
    Binary(&'static str, Box<Expr>, Box<Expr>, P),
    Logical(&'static str, Box<Expr>, Box<Expr>),
    Assign(&'static str, Box<Target>, Box<Expr>, P),
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    Call {
        callee: Box<Expr>,
        args: Vec<Elem>,
        pos: P,
        optional: bool,
    },
    New {
        callee: Box<Expr>,
        args: Vec<Elem>,
        pos: P,
    },
    Member {
        obj: Box<Expr>,
        prop: Rc<str>,
        pos: P,
        optional: bool,
    },
    Index {
        obj: Box<Expr>,
        index: Box<Expr>,
        pos: P,
        optional: bool,
    },
    Seq(Vec<Expr>),
    SuperCall(Vec<Elem>, P),
    SuperMember(Rc<str>, P),
    Await(Box<Expr>, P),
}

/// An array element or call argument.
#[derive(Debug)]
pub enum Elem {
    Item(Expr),
    Spread(Expr),
    Hole,
}

#[derive(Debug)]
pub enum PropKey {
    Name(Rc<str>),
    Computed(Expr),
}

#[derive(Debug)]
pub enum Prop {
    Value(PropKey, Expr),
    Spread(Expr),
    Getter(PropKey, Rc<FuncDef>),
    Setter(PropKey, Rc<FuncDef>),
}

/// What an assignment writes to.
#[derive(Debug)]
pub enum Target {
    Expr(Expr),
    Pattern(Pattern),
}

#[derive(Debug)]
pub enum Pattern {
    Ident(Rc<str>, P),
    Object(Vec<(PropKey, Pattern, Option<Expr>)>, Option<Box<Pattern>>),
    Array(Vec<Option<(Pattern, Option<Expr>)>>, Option<Box<Pattern>>),
    /// Only in assignment targets: `[a.b, c[0]] = ...`.
    Expr(Box<Expr>),
}

#[derive(Debug)]
pub struct Param {
    pub pattern: Pattern,
    pub default: Option<Expr>,
    pub rest: bool,
}

#[derive(Debug)]
pub enum Body {
    Block(Vec<Stmt>),
    Expr(Expr),
}

#[derive(Debug)]
pub struct FuncDef {
    pub name: Option<Rc<str>>,
    pub params: Vec<Param>,
    pub body: Body,
    pub arrow: bool,
    pub is_async: bool,
    pub pos: P,
}

#[derive(Debug)]
pub struct ClassMember {
    pub key: PropKey,
    pub is_static: bool,
    pub kind: MemberKind,
}

#[derive(Debug)]
pub enum MemberKind {
    Method(Rc<FuncDef>),
    Getter(Rc<FuncDef>),
    Setter(Rc<FuncDef>),
    Field(Option<Expr>),
}

#[derive(Debug)]
pub struct ClassDef {
    pub name: Option<Rc<str>>,
    pub parent: Option<Expr>,
    pub constructor: Option<Rc<FuncDef>>,
    pub members: Vec<ClassMember>,
    pub pos: P,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeclKind {
    Var,
    Let,
    Const,
}

#[derive(Debug)]
pub enum ForInit {
    Decl(DeclKind, Vec<(Pattern, Option<Expr>)>),
    Expr(Expr),
}

#[derive(Debug)]
pub enum Stmt {
    Decl(DeclKind, Vec<(Pattern, Option<Expr>)>),
    Expr(Expr),
    If(Expr, Box<Stmt>, Option<Box<Stmt>>),
    For {
        init: Option<ForInit>,
        test: Option<Expr>,
        update: Option<Expr>,
        body: Box<Stmt>,
    },
    ForOf {
        decl: Option<DeclKind>,
        pattern: Pattern,
        iter: Expr,
        body: Box<Stmt>,
        of: bool,
        pos: P,
    },
    While(Expr, Box<Stmt>),
    DoWhile(Box<Stmt>, Expr),
    Block(Vec<Stmt>),
    Return(Option<Expr>),
    Break(Option<Rc<str>>),
    Continue(Option<Rc<str>>),
    Throw(Expr, P),
    Try {
        block: Vec<Stmt>,
        param: Option<Pattern>,
        handler: Option<Vec<Stmt>>,
        finalizer: Option<Vec<Stmt>>,
    },
    Switch(Expr, Vec<(Option<Expr>, Vec<Stmt>)>),
    Func(Rc<FuncDef>),
    Class(Rc<ClassDef>),
    Labeled(Rc<str>, Box<Stmt>),
    Empty,
}

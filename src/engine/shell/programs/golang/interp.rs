//! Runs a checked Go program: a tree-walking interpreter over the syntax tree, with the
//! standard library's members the lab provides. What the program sees of the world
//! (output, clock, sleep, environment, the network) comes through `World`, so the same
//! program runs as a container's process and as the server answering a published port.

use super::ast::*;
use super::lexer::Pos;
use super::value::*;
use crate::engine::net::app::{AppReply, AppRequest};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;
use std::time::Duration;

/// Where the answer to a request goes.
pub type Reply = Box<dyn FnOnce(AppReply)>;

/// What a running program may ask of its surroundings.
pub trait World {
    fn write(&mut self, fd: u8, bytes: &[u8]);
    fn now(&self) -> chrono::DateTime<chrono::Utc>;
    fn sleep(&mut self, d: Duration);
    fn getenv(&self, key: &str) -> Option<String>;
    fn interrupted(&self) -> bool;
    /// `http.ListenAndServe` on `port` (`all`: every address, not just loopback).
    /// Returns true when requests are to be taken from `next_request`; false when the
    /// process has waited as a server waits and should now end.
    fn serve(&mut self, port: u16, all: bool) -> bool;
    /// The next request to answer, and where its answer goes.
    fn next_request(&mut self) -> Option<(AppRequest, Reply)> {
        None
    }
    /// Where connections come from, as `r.RemoteAddr` and panics in handlers say.
    fn client_address(&self) -> String {
        "172.17.0.1:41234".into()
    }
}

#[derive(Debug)]
pub struct RequestData {
    pub method: String,
    pub path: String,
    pub query: String,
    pub target: String,
    pub proto: String,
    pub host: String,
    pub remote: String,
    pub headers: Headers,
}

/// A variable's storage, shared by closures and pointers.
type Cell = Rc<RefCell<Value>>;

/// A lexical scope: its variables, each a cell so closures and pointers share it.
#[derive(Debug, Default)]
pub struct Scope {
    vars: RefCell<Vec<(Rc<str>, Cell)>>,
    parent: Option<Rc<Scope>>,
}

impl Scope {
    fn child(parent: &Rc<Scope>) -> Rc<Scope> {
        Rc::new(Scope {
            vars: RefCell::new(Vec::new()),
            parent: Some(parent.clone()),
        })
    }
    fn define(&self, name: &str, v: Value) -> Rc<RefCell<Value>> {
        let cell = Rc::new(RefCell::new(v));
        if name != "_" {
            self.vars.borrow_mut().push((Rc::from(name), cell.clone()));
        }
        cell
    }
    fn lookup(&self, name: &str) -> Option<Rc<RefCell<Value>>> {
        if let Some((_, c)) = self.vars.borrow().iter().rev().find(|(n, _)| &**n == name) {
            return Some(c.clone());
        }
        self.parent.as_ref().and_then(|p| p.lookup(name))
    }
}

pub enum Unwind {
    Return(Vec<Value>),
    Break(Option<String>),
    Continue(Option<String>),
    Fallthrough,
    Panic(String),
    Exit(i32),
}

type R<T> = Result<T, Unwind>;

/// Go calls nested deeper than this end as Go's stack overflow does: the interpreter
/// runs on the caller's thread, whose stack is small.
const MAX_CALL_DEPTH: usize = 64;
/// The most elements one allocation from the program may hold.
const MAX_ELEMENTS: i64 = 1 << 24;

pub struct Interp<'w> {
    pub world: &'w mut dyn World,
    globals: Rc<Scope>,
    funcs: HashMap<String, Rc<FuncDecl>>,
    methods: HashMap<(String, String), Rc<FuncDecl>>,
    types: HashMap<String, TypeExpr>,
    imports: HashMap<String, String>,
    /// The absolute path of each source file, for panics' stack traces.
    paths: HashMap<String, String>,
    args: Vec<String>,
    handlers: Vec<(String, Value)>,
    /// Function names and the line each is at, innermost last.
    stack: Vec<(String, u32)>,
    log_prefix: String,
    log_flags: i64,
    /// The deferred calls of each function being run, innermost last.
    defers: Vec<Vec<(Value, Vec<Value>)>>,
}

fn panic_msg(msg: impl Into<String>) -> Unwind {
    Unwind::Panic(msg.into())
}

fn runtime_error(msg: impl std::fmt::Display) -> Unwind {
    Unwind::Panic(format!("runtime error: {msg}"))
}

impl<'w> Interp<'w> {
    /// `files` are the package's parsed files; `dir` the directory they were built in.
    pub fn new(
        world: &'w mut dyn World,
        files: &[File],
        dir: &str,
        args: Vec<String>,
    ) -> Interp<'w> {
        let mut it = Interp {
            world,
            globals: Rc::new(Scope::default()),
            funcs: HashMap::new(),
            methods: HashMap::new(),
            types: HashMap::new(),
            imports: HashMap::new(),
            paths: HashMap::new(),
            args,
            handlers: Vec::new(),
            stack: Vec::new(),
            log_prefix: String::new(),
            log_flags: 3,
            defers: Vec::new(),
        };
        for f in files {
            it.paths.insert(
                f.name.clone(),
                format!("{}/{}", dir.trim_end_matches('/'), f.name),
            );
            for imp in &f.imports {
                it.imports.insert(imp.name(), imp.path.clone());
            }
            for d in &f.decls {
                match d {
                    Decl::Func(func) => {
                        if let Some(recv) = &func.recv {
                            let name = match &recv.ty {
                                TypeExpr::Pointer(t) => type_name_of(t),
                                t => type_name_of(t),
                            };
                            it.methods.insert((name, func.name.clone()), func.clone());
                        } else if func.name != "init" {
                            it.funcs.insert(func.name.clone(), func.clone());
                        }
                    }
                    Decl::Type(spec) => {
                        it.types.insert(spec.name.clone(), spec.ty.clone());
                    }
                    _ => {}
                }
            }
        }
        it
    }

    /// Runs the package's variable declarations, `init` functions and `main`; returns
    /// the exit status, with a panic's report written to stderr.
    pub fn run_main(&mut self, files: &[File]) -> i32 {
        let result = self.start(files);
        self.finish(result)
    }

    fn start(&mut self, files: &[File]) -> R<()> {
        let globals = self.globals.clone();
        for f in files {
            for d in &f.decls {
                match d {
                    Decl::Var(specs) => self.var_specs(specs, &globals)?,
                    Decl::Const(specs) => self.const_specs(specs, &globals)?,
                    _ => {}
                }
            }
        }
        for f in files {
            for d in &f.decls {
                if let Decl::Func(func) = d
                    && func.name == "init"
                    && func.recv.is_none()
                {
                    self.call_decl(func, None, None, vec![])?;
                }
            }
        }
        let main = self
            .funcs
            .get("main")
            .cloned()
            .ok_or_else(|| panic_msg("function main is undeclared in the main package"))?;
        self.call_decl(&main, None, None, vec![]).map(|_| ())
    }

    fn finish(&mut self, result: R<()>) -> i32 {
        match result {
            Ok(()) | Err(Unwind::Return(_)) => 0,
            Err(Unwind::Exit(code)) => code,
            Err(Unwind::Panic(msg)) => {
                let report = self.panic_report(&msg);
                self.world.write(2, report.as_bytes());
                2
            }
            Err(_) => 0,
        }
    }

    fn panic_report(&self, msg: &str) -> String {
        let mut out = format!("panic: {msg}");
        if msg.ends_with("nil pointer dereference") {
            out.push_str(
                "\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x47b1e0]",
            );
        }
        out.push_str("\n\ngoroutine 1 [running]:\n");
        for (name, line) in self.stack.iter().rev() {
            let file = self.paths.values().next().cloned().unwrap_or_default();
            out.push_str(&format!("main.{name}(...)\n\t{file}:{line} +0x1d\n"));
        }
        out.replace("main.main(...)", "main.main()")
    }

    fn check_budget(&self) -> R<()> {
        if self.world.interrupted() || crate::engine::budget::exceeded() {
            return Err(Unwind::Exit(130));
        }
        Ok(())
    }

    fn var_specs(&mut self, specs: &[VarSpec], scope: &Rc<Scope>) -> R<()> {
        for spec in specs {
            let values = self.spread(&spec.values, spec.names.len(), scope)?;
            for (i, (name, _)) in spec.names.iter().enumerate() {
                let v = match (values.get(i), &spec.ty) {
                    (Some(v), Some(t)) => self.convert(v.clone(), t)?,
                    (Some(v), None) => v.clone(),
                    (None, Some(t)) => self.zero(t),
                    (None, None) => Value::Nil,
                };
                scope.define(name, v);
            }
        }
        Ok(())
    }

    fn const_specs(&mut self, specs: &[VarSpec], scope: &Rc<Scope>) -> R<()> {
        for spec in specs {
            let inner = Scope::child(scope);
            inner.define("iota", Value::Int(spec.iota));
            for (i, (name, _)) in spec.names.iter().enumerate() {
                let v = match spec.values.get(i) {
                    Some(e) => self.eval(e, &inner)?,
                    None => Value::Int(spec.iota),
                };
                let v = match &spec.ty {
                    Some(t) => self.convert(v, t)?,
                    None => v,
                };
                scope.define(name, v);
            }
        }
        Ok(())
    }

    // ---- types at run time ----

    pub fn zero(&self, t: &TypeExpr) -> Value {
        self.zero_depth(t, 0)
    }

    fn zero_depth(&self, t: &TypeExpr, depth: usize) -> Value {
        if depth > 16 {
            return Value::Nil;
        }
        match t {
            TypeExpr::Name(n, _) => match n.as_str() {
                "int" | "int64" | "int32" | "int16" | "int8" | "uint" | "uint64" | "uint32"
                | "uint16" | "uint8" | "byte" | "rune" | "uintptr" => Value::Int(0),
                "float64" | "float32" => Value::Float(0.0),
                "string" => Value::str(""),
                "bool" => Value::Bool(false),
                other => match self.types.get(other) {
                    Some(TypeExpr::Struct(fields)) => Value::Struct(Rc::new(StructVal {
                        type_name: Rc::from(format!("main.{other}")),
                        fields: fields
                            .iter()
                            .map(|f| (Rc::from(f.name.as_str()), self.zero_depth(&f.ty, depth + 1)))
                            .collect(),
                    })),
                    Some(inner) => self.zero_depth(inner, depth + 1),
                    None => Value::Nil,
                },
            },
            TypeExpr::Qualified(p, n, _) => match (p.as_str(), n.as_str()) {
                ("time", "Duration") => Value::Duration(0),
                ("time", "Time") => Value::Time(i64::MIN),
                ("strings", "Builder") => {
                    Value::Object(Rc::new(Object::Builder(RefCell::new(String::new()))))
                }
                _ => Value::Nil,
            },
            TypeExpr::Slice(e) => Value::Slice(SliceVal::nil(self.zero_depth(e, depth + 1))),
            TypeExpr::Array(len, e) => {
                let n = match len.as_deref() {
                    Some(Expr::Int(n, _)) => (*n).clamp(0, 1 << 16) as usize,
                    _ => 0,
                };
                let z = self.zero_depth(e, depth + 1);
                Value::Slice(SliceVal::new(vec![z.clone(); n], z))
            }
            TypeExpr::Map(_, v) => Value::Map(Rc::new(RefCell::new(MapVal {
                entries: BTreeMap::new(),
                zero: self.zero_depth(v, depth + 1),
                nil: true,
            }))),
            TypeExpr::Struct(fields) => Value::Struct(Rc::new(StructVal {
                type_name: Rc::from(""),
                fields: fields
                    .iter()
                    .map(|f| (Rc::from(f.name.as_str()), self.zero_depth(&f.ty, depth + 1)))
                    .collect(),
            })),
            _ => Value::Nil,
        }
    }

    /// A value made to fit type `t`: untyped constants take the type (`var f float64 = 1`).
    fn convert(&mut self, v: Value, t: &TypeExpr) -> R<Value> {
        Ok(match (t, v) {
            (TypeExpr::Name(n, _), v) => match (n.as_str(), v) {
                ("float64" | "float32", Value::Int(i)) => Value::Float(i as f64),
                ("float64" | "float32", Value::Duration(i)) => Value::Float(i as f64),
                (
                    "int" | "int64" | "int32" | "int16" | "int8" | "uint" | "uint64" | "uint32"
                    | "uint16" | "uint8" | "byte" | "rune",
                    v,
                ) => {
                    let i = match v {
                        Value::Float(f) => f as i64,
                        Value::Int(i) | Value::Duration(i) => i,
                        other => return Ok(other),
                    };
                    Value::Int(match n.as_str() {
                        "uint8" | "byte" => i as u8 as i64,
                        "int8" => i as i8 as i64,
                        "int16" => i as i16 as i64,
                        "uint16" => i as u16 as i64,
                        "int32" | "rune" => i as i32 as i64,
                        "uint32" => i as u32 as i64,
                        _ => i,
                    })
                }
                ("string", Value::Int(i)) => {
                    Value::str(&char::from_u32(i as u32).unwrap_or('\u{fffd}').to_string())
                }
                ("string", Value::Slice(s)) => {
                    let items = s.items();
                    if matches!(*s.zero, Value::Int(_))
                        && items
                            .iter()
                            .all(|v| matches!(v, Value::Int(i) if (0..256).contains(i)))
                        && !items.is_empty()
                        && is_byte_slice(&s)
                    {
                        let bytes: Vec<u8> = items
                            .iter()
                            .map(|v| match v {
                                Value::Int(i) => *i as u8,
                                _ => 0,
                            })
                            .collect();
                        Value::str(&String::from_utf8_lossy(&bytes))
                    } else {
                        let s: String = items
                            .iter()
                            .map(|v| match v {
                                Value::Int(i) => char::from_u32(*i as u32).unwrap_or('\u{fffd}'),
                                _ => '\u{fffd}',
                            })
                            .collect();
                        Value::str(&s)
                    }
                }
                (other, v) => match self.types.get(other).cloned() {
                    Some(TypeExpr::Struct(_)) => match v {
                        Value::Struct(s) => {
                            let mut s = (*s).clone();
                            s.type_name = Rc::from(format!("main.{other}"));
                            Value::Struct(Rc::new(s))
                        }
                        v => v,
                    },
                    Some(inner) => self.convert(v, &inner)?,
                    None => v,
                },
            },
            (TypeExpr::Qualified(p, n, _), v) if p == "time" && n == "Duration" => match v {
                Value::Int(i) => Value::Duration(i),
                Value::Float(f) => Value::Duration(f as i64),
                v => v,
            },
            (TypeExpr::Slice(e), Value::Str(s)) => {
                let byte = matches!(&**e, TypeExpr::Name(n, _) if n == "byte" || n == "uint8");
                let items: Vec<Value> = if byte {
                    s.bytes().map(|b| Value::Int(b as i64)).collect()
                } else {
                    s.chars().map(|c| Value::Int(c as i64)).collect()
                };
                let mut sl = SliceVal::new(items, Value::Int(0));
                if byte {
                    sl.zero = Rc::new(Value::Int(0));
                    mark_bytes(&mut sl);
                }
                Value::Slice(sl)
            }
            (TypeExpr::Slice(e), Value::Slice(s)) => {
                // Elements of a literal take the element type.
                let zero = self.zero(e);
                if matches!(zero, Value::Float(_))
                    && s.items().iter().any(|v| matches!(v, Value::Int(_)))
                {
                    let items: Vec<Value> = s
                        .items()
                        .into_iter()
                        .map(|v| match v {
                            Value::Int(i) => Value::Float(i as f64),
                            v => v,
                        })
                        .collect();
                    Value::Slice(SliceVal::new(items, zero))
                } else {
                    Value::Slice(s)
                }
            }
            (_, v) => v,
        })
    }

    // ---- statements ----

    fn block(&mut self, stmts: &[Stmt], scope: &Rc<Scope>) -> R<()> {
        for s in stmts {
            self.stmt(s, scope)?;
        }
        Ok(())
    }

    fn set_line(&mut self, pos: Pos) {
        if let Some(top) = self.stack.last_mut() {
            top.1 = pos.line;
        }
    }

    fn stmt(&mut self, s: &Stmt, scope: &Rc<Scope>) -> R<()> {
        match s {
            Stmt::Var(specs, pos) => {
                self.set_line(*pos);
                self.var_specs(specs, scope)
            }
            Stmt::Const(specs) => self.const_specs(specs, scope),
            Stmt::Type(_) | Stmt::Unsupported(..) => Ok(()),
            Stmt::Define(names, values, pos) => {
                self.set_line(*pos);
                let vals = self.spread(values, names.len(), scope)?;
                for ((name, _), v) in names.iter().zip(vals) {
                    if name == "_" {
                        continue;
                    }
                    let existing = scope
                        .vars
                        .borrow()
                        .iter()
                        .rev()
                        .find(|(n, _)| &**n == name.as_str())
                        .map(|(_, c)| c.clone());
                    match existing {
                        Some(cell) => *cell.borrow_mut() = v,
                        None => {
                            scope.define(name, v);
                        }
                    }
                }
                Ok(())
            }
            Stmt::Assign(lhs, op, rhs, pos) => {
                self.set_line(*pos);
                if *op == "=" {
                    let vals = self.spread(rhs, lhs.len(), scope)?;
                    for (target, v) in lhs.iter().zip(vals) {
                        self.store(target, v, scope)?;
                    }
                    return Ok(());
                }
                let cur = self.eval(&lhs[0], scope)?;
                let r = self.eval(&rhs[0], scope)?;
                let v = self.binary(op.trim_end_matches('='), cur, r)?;
                self.store(&lhs[0], v, scope)
            }
            Stmt::IncDec(target, inc, pos) => {
                self.set_line(*pos);
                let cur = self.eval(target, scope)?;
                let v = self.binary(if *inc { "+" } else { "-" }, cur, Value::Int(1))?;
                self.store(target, v, scope)
            }
            Stmt::Expr(e) => {
                self.set_line(e.pos());
                self.eval_multi(e, scope)?;
                Ok(())
            }
            Stmt::If {
                init,
                cond,
                then,
                els,
                pos,
            } => {
                self.set_line(*pos);
                let inner = Scope::child(scope);
                if let Some(i) = init {
                    self.stmt(i, &inner)?;
                }
                if truthy(&self.eval(cond, &inner)?) {
                    self.block(then, &Scope::child(&inner))
                } else if let Some(e) = els {
                    self.stmt(e, &inner)
                } else {
                    Ok(())
                }
            }
            Stmt::For {
                init,
                cond,
                post,
                body,
                label,
                pos,
            } => {
                self.set_line(*pos);
                let outer = Scope::child(scope);
                if let Some(i) = init {
                    self.stmt(i, &outer)?;
                }
                loop {
                    self.check_budget()?;
                    if let Some(c) = cond
                        && !truthy(&self.eval(c, &outer)?)
                    {
                        break;
                    }
                    // Go 1.22: each iteration has its own copy of the loop variables.
                    let iter = Scope::child(&outer);
                    for (n, c) in outer.vars.borrow().iter() {
                        iter.define(n, c.borrow().clone());
                    }
                    let r = self.block(body, &Scope::child(&iter));
                    for (n, c) in iter.vars.borrow().iter() {
                        if let Some(o) = outer.lookup(n) {
                            *o.borrow_mut() = c.borrow().clone();
                        }
                    }
                    match r {
                        Ok(()) => {}
                        Err(Unwind::Break(l)) if l.is_none() || l == *label => break,
                        Err(Unwind::Continue(l)) if l.is_none() || l == *label => {}
                        Err(e) => return Err(e),
                    }
                    if let Some(p) = post {
                        self.stmt(p, &outer)?;
                    }
                }
                Ok(())
            }
            Stmt::Range {
                key,
                value,
                define,
                expr,
                body,
                label,
                pos,
            } => {
                self.set_line(*pos);
                let subject = self.eval(expr, scope)?;
                let pairs: Vec<(Value, Value)> = match &subject {
                    Value::Slice(s) => s
                        .items()
                        .into_iter()
                        .enumerate()
                        .map(|(i, v)| (Value::Int(i as i64), v))
                        .collect(),
                    Value::Map(m) => m
                        .borrow()
                        .entries
                        .iter()
                        .map(|(k, v)| (k.to_value(), v.clone()))
                        .collect(),
                    Value::Str(s) => s
                        .char_indices()
                        .map(|(i, c)| (Value::Int(i as i64), Value::Int(c as i64)))
                        .collect(),
                    Value::Int(n) => (0..*n.min(&MAX_ELEMENTS))
                        .map(|i| (Value::Int(i), Value::Nil))
                        .collect(),
                    Value::Object(o) => match &**o {
                        Object::Header(h, _) => h
                            .borrow()
                            .iter()
                            .map(|(k, v)| {
                                (
                                    Value::str(k),
                                    Value::Slice(SliceVal::new(
                                        v.iter().map(|s| Value::str(s)).collect(),
                                        Value::str(""),
                                    )),
                                )
                            })
                            .collect(),
                        _ => Vec::new(),
                    },
                    _ => Vec::new(),
                };
                for (k, v) in pairs {
                    self.check_budget()?;
                    let iter = Scope::child(scope);
                    if *define {
                        if let Some(Expr::Ident(n, _)) = key {
                            iter.define(n, k);
                        }
                        if let Some(Expr::Ident(n, _)) = value {
                            iter.define(n, v);
                        }
                    } else {
                        if let Some(target) = key {
                            self.store(target, k, scope)?;
                        }
                        if let Some(target) = value {
                            self.store(target, v, scope)?;
                        }
                    }
                    match self.block(body, &iter) {
                        Ok(()) => {}
                        Err(Unwind::Break(l)) if l.is_none() || l == *label => break,
                        Err(Unwind::Continue(l)) if l.is_none() || l == *label => {}
                        Err(e) => return Err(e),
                    }
                }
                Ok(())
            }
            Stmt::Switch {
                init,
                tag,
                cases,
                label,
                pos,
            } => {
                self.set_line(*pos);
                let inner = Scope::child(scope);
                if let Some(i) = init {
                    self.stmt(i, &inner)?;
                }
                let tag_value = match tag {
                    Some(t) => Some(self.eval(t, &inner)?),
                    None => None,
                };
                let mut chosen = None;
                'find: for (i, case) in cases.iter().enumerate() {
                    for e in case.exprs.iter().flatten() {
                        let v = self.eval(e, &inner)?;
                        let hit = match &tag_value {
                            Some(t) => values_equal(t, &v),
                            None => truthy(&v),
                        };
                        if hit {
                            chosen = Some(i);
                            break 'find;
                        }
                    }
                }
                if chosen.is_none() {
                    chosen = cases.iter().position(|c| c.exprs.is_none());
                }
                let Some(mut i) = chosen else { return Ok(()) };
                loop {
                    match self.block(&cases[i].body, &Scope::child(&inner)) {
                        Ok(()) => return Ok(()),
                        Err(Unwind::Fallthrough) if i + 1 < cases.len() => i += 1,
                        Err(Unwind::Break(l)) if l.is_none() || l == *label => return Ok(()),
                        Err(e) => return Err(e),
                    }
                }
            }
            Stmt::Return(values, pos) => {
                self.set_line(*pos);
                let vals = if values.len() == 1 {
                    self.eval_multi(&values[0], scope)?
                } else {
                    let mut out = Vec::new();
                    for v in values {
                        out.push(self.eval(v, scope)?);
                    }
                    out
                };
                Err(Unwind::Return(vals))
            }
            Stmt::Break(l) => Err(Unwind::Break(l.clone())),
            Stmt::Continue(l) => Err(Unwind::Continue(l.clone())),
            Stmt::Fallthrough => Err(Unwind::Fallthrough),
            Stmt::Block(b) => self.block(b, &Scope::child(scope)),
            Stmt::Defer(call, pos) => {
                self.set_line(*pos);
                let Expr::Call { func, args, .. } = call else {
                    return Ok(());
                };
                let f = self.eval(func, scope)?;
                let mut vals = Vec::new();
                for a in args {
                    vals.push(self.eval(a, scope)?);
                }
                if let Some(frame) = self.defers.last_mut() {
                    frame.push((f, vals));
                }
                Ok(())
            }
        }
    }

    /// Values for `n` targets: one call with several results spreads them.
    fn spread(&mut self, values: &[Expr], n: usize, scope: &Rc<Scope>) -> R<Vec<Value>> {
        if values.len() == 1 && n > 1 {
            if let Expr::Index(x, i, _) = &values[0] {
                // `v, ok := m[k]`
                let m = self.eval(x, scope)?;
                let k = self.eval(i, scope)?;
                if let Value::Map(m) = m {
                    let m = m.borrow();
                    let key = Key::from_value(&k);
                    return Ok(match key.and_then(|k| m.entries.get(&k).cloned()) {
                        Some(v) => vec![v, Value::Bool(true)],
                        None => vec![m.zero.clone(), Value::Bool(false)],
                    });
                }
            }
            if let Expr::TypeAssert(x, t, _) = &values[0] {
                let v = self.eval(x, scope)?;
                let ok = t.as_ref().is_none_or(|t| self.has_type(&v, t));
                let v = if ok {
                    v
                } else {
                    t.as_ref().map(|t| self.zero(t)).unwrap_or(Value::Nil)
                };
                return Ok(vec![v, Value::Bool(ok)]);
            }
            return self.eval_multi(&values[0], scope);
        }
        let mut out = Vec::new();
        for v in values {
            out.push(self.eval(v, scope)?);
        }
        Ok(out)
    }

    fn has_type(&self, v: &Value, t: &TypeExpr) -> bool {
        match (t, v) {
            (TypeExpr::Name(n, _), v) => match n.as_str() {
                "int" => matches!(v, Value::Int(_)),
                "float64" => matches!(v, Value::Float(_)),
                "string" => matches!(v, Value::Str(_)),
                "bool" => matches!(v, Value::Bool(_)),
                "error" => matches!(v, Value::Error(_)),
                other => v.type_name() == format!("main.{other}"),
            },
            (TypeExpr::Pointer(inner), Value::Pointer(p)) => self.has_type(&p.borrow(), inner),
            _ => false,
        }
    }

    /// Assigns `v` to the place `target` names.
    fn store(&mut self, target: &Expr, v: Value, scope: &Rc<Scope>) -> R<()> {
        match target {
            Expr::Ident(n, _) if n == "_" => Ok(()),
            Expr::Ident(n, _) => {
                let cell = scope
                    .lookup(n)
                    .or_else(|| self.globals.lookup(n))
                    .ok_or_else(|| panic_msg(format!("undefined: {n}")))?;
                let mut slot = cell.borrow_mut();
                *slot = match (&*slot, v) {
                    (Value::Float(_), Value::Int(i)) => Value::Float(i as f64),
                    (Value::Duration(_), Value::Int(i)) => Value::Duration(i),
                    (_, v) => v,
                };
                Ok(())
            }
            Expr::Paren(x, _) => self.store(x, v, scope),
            Expr::Index(x, i, _) => {
                let container = self.eval(x, scope)?;
                let idx = self.eval(i, scope)?;
                match container {
                    Value::Slice(s) => {
                        let i = index_of(&idx, s.len)?;
                        let mut data = s.data.borrow_mut();
                        let slot = data
                            .get_mut(s.off + i)
                            .ok_or_else(|| runtime_error("index out of range"))?;
                        *slot = match (&*slot, v) {
                            (Value::Float(_), Value::Int(i)) => Value::Float(i as f64),
                            (_, v) => v,
                        };
                        Ok(())
                    }
                    Value::Map(m) => {
                        let mut m = m.borrow_mut();
                        if m.nil {
                            return Err(panic_msg("assignment to entry in nil map"));
                        }
                        let key = Key::from_value(&idx)
                            .ok_or_else(|| runtime_error("hash of unhashable type"))?;
                        let v = match (&m.zero, v) {
                            (Value::Float(_), Value::Int(i)) => Value::Float(i as f64),
                            (_, v) => v,
                        };
                        m.entries.insert(key, v);
                        Ok(())
                    }
                    Value::Pointer(p) => {
                        let inner = p.borrow().clone();
                        if let Value::Slice(s) = inner {
                            let i = index_of(&idx, s.len)?;
                            s.data.borrow_mut()[s.off + i] = v;
                        }
                        Ok(())
                    }
                    Value::Nil => Err(runtime_error(
                        "invalid memory address or nil pointer dereference",
                    )),
                    _ => Ok(()),
                }
            }
            Expr::Selector(x, field, _) => {
                let base = self.eval(x, scope)?;
                match base {
                    Value::Pointer(p) => {
                        let mut slot = p.borrow_mut();
                        set_field(&mut slot, field, v);
                        Ok(())
                    }
                    Value::Nil => Err(runtime_error(
                        "invalid memory address or nil pointer dereference",
                    )),
                    mut s @ Value::Struct(_) => {
                        set_field(&mut s, field, v);
                        self.store(x, s, scope)
                    }
                    _ => Ok(()),
                }
            }
            Expr::Unary("*", x, _) => match self.eval(x, scope)? {
                Value::Pointer(p) => {
                    *p.borrow_mut() = v;
                    Ok(())
                }
                _ => Err(runtime_error(
                    "invalid memory address or nil pointer dereference",
                )),
            },
            _ => Ok(()),
        }
    }

    // ---- expressions ----

    /// An expression that may give several values (a call); others give one.
    fn eval_multi(&mut self, e: &Expr, scope: &Rc<Scope>) -> R<Vec<Value>> {
        match e {
            Expr::Call {
                func,
                args,
                ellipsis,
                pos,
                ..
            } => self.call(func, args, *ellipsis, *pos, scope),
            Expr::Paren(x, _) => self.eval_multi(x, scope),
            other => Ok(vec![self.eval(other, scope)?]),
        }
    }

    pub fn eval(&mut self, e: &Expr, scope: &Rc<Scope>) -> R<Value> {
        match e {
            Expr::Int(i, _) => Ok(Value::Int(*i)),
            Expr::Float(f, _) => Ok(Value::Float(*f)),
            Expr::Str(s, _) => Ok(Value::str(s)),
            Expr::Char(c, _) => Ok(Value::Int(*c as i64)),
            Expr::Paren(x, _) => self.eval(x, scope),
            Expr::Ident(n, _) => self.ident(n, scope),
            Expr::Binary(op, l, r) => {
                if *op == "&&" {
                    let lv = self.eval(l, scope)?;
                    return if truthy(&lv) {
                        self.eval(r, scope)
                    } else {
                        Ok(Value::Bool(false))
                    };
                }
                if *op == "||" {
                    let lv = self.eval(l, scope)?;
                    return if truthy(&lv) {
                        Ok(Value::Bool(true))
                    } else {
                        self.eval(r, scope)
                    };
                }
                let lv = self.eval(l, scope)?;
                let rv = self.eval(r, scope)?;
                self.binary(op, lv, rv)
            }
            Expr::Unary(op, x, _) => {
                if *op == "&" {
                    return self.address_of(x, scope);
                }
                let v = self.eval(x, scope)?;
                match (*op, v) {
                    ("-", Value::Int(i)) => Ok(Value::Int(i.wrapping_neg())),
                    ("-", Value::Float(f)) => Ok(Value::Float(-f)),
                    ("-", Value::Duration(d)) => Ok(Value::Duration(-d)),
                    ("+", v) => Ok(v),
                    ("!", Value::Bool(b)) => Ok(Value::Bool(!b)),
                    ("^", Value::Int(i)) => Ok(Value::Int(!i)),
                    ("*", Value::Pointer(p)) => Ok(p.borrow().clone()),
                    ("*", _) => Err(runtime_error(
                        "invalid memory address or nil pointer dereference",
                    )),
                    (_, v) => Ok(v),
                }
            }
            Expr::Call { .. } => {
                let mut vals = self.eval_multi(e, scope)?;
                Ok(if vals.is_empty() {
                    Value::Nil
                } else {
                    vals.swap_remove(0)
                })
            }
            Expr::Selector(x, name, _) => self.selector(x, name, scope),
            Expr::Index(x, i, pos) => {
                self.set_line(*pos);
                let container = self.eval(x, scope)?;
                let idx = self.eval(i, scope)?;
                index_value(&container, &idx)
            }
            Expr::Sliced(x, lo, hi, pos) => {
                self.set_line(*pos);
                let v = self.eval(x, scope)?;
                let lo = match lo {
                    Some(e) => Some(self.eval(e, scope)?),
                    None => None,
                };
                let hi = match hi {
                    Some(e) => Some(self.eval(e, scope)?),
                    None => None,
                };
                slice_value(v, lo, hi)
            }
            Expr::Composite(ty, elems, _) => self.composite(ty.as_ref(), elems, scope),
            Expr::FuncLit(f) => Ok(Value::Func(Rc::new(Closure {
                decl: f.clone(),
                env: Some(scope.clone()),
            }))),
            Expr::TypeAssert(x, t, _) => {
                let v = self.eval(x, scope)?;
                match t {
                    Some(t) if !self.has_type(&v, t) => Err(panic_msg(format!(
                        "interface conversion: interface {{}} is {}, not {}",
                        v.type_name(),
                        super::typecheck::expr_string(&Expr::Type(t.clone(), Pos::default()))
                    ))),
                    _ => Ok(v),
                }
            }
            Expr::Type(..) => Ok(Value::Nil),
        }
    }

    fn address_of(&mut self, x: &Expr, scope: &Rc<Scope>) -> R<Value> {
        match x {
            Expr::Ident(n, _) => {
                if let Some(cell) = scope.lookup(n).or_else(|| self.globals.lookup(n)) {
                    return Ok(Value::Pointer(cell));
                }
                Ok(Value::Nil)
            }
            Expr::Paren(inner, _) => self.address_of(inner, scope),
            other => {
                let v = self.eval(other, scope)?;
                Ok(Value::Pointer(Rc::new(RefCell::new(v))))
            }
        }
    }

    fn ident(&mut self, n: &str, scope: &Rc<Scope>) -> R<Value> {
        if let Some(cell) = scope.lookup(n) {
            return Ok(cell.borrow().clone());
        }
        if let Some(cell) = self.globals.lookup(n) {
            return Ok(cell.borrow().clone());
        }
        if let Some(f) = self.funcs.get(n) {
            return Ok(Value::Func(Rc::new(Closure {
                decl: f.clone(),
                env: None,
            })));
        }
        Ok(match n {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            "nil" => Value::Nil,
            other => Value::Native(Rc::from(other)),
        })
    }

    fn composite(
        &mut self,
        ty: Option<&TypeExpr>,
        elems: &[(Option<Expr>, Expr)],
        scope: &Rc<Scope>,
    ) -> R<Value> {
        let Some(ty) = ty else {
            return Ok(Value::Nil);
        };
        let resolved = self.resolve_alias(ty);
        match &resolved {
            TypeExpr::Struct(fields) => {
                let mut value = match self.zero(ty) {
                    Value::Struct(s) => (*s).clone(),
                    _ => StructVal {
                        type_name: Rc::from(""),
                        fields: Vec::new(),
                    },
                };
                for (i, (k, v)) in elems.iter().enumerate() {
                    let (name, fty) = match k {
                        Some(Expr::Ident(n, _)) => {
                            let f = fields.iter().find(|f| &f.name == n);
                            (n.clone(), f.map(|f| f.ty.clone()))
                        }
                        _ => match fields.get(i) {
                            Some(f) => (f.name.clone(), Some(f.ty.clone())),
                            None => continue,
                        },
                    };
                    let val = self.element(v, fty.as_ref(), scope)?;
                    if let Some(slot) = value.fields.iter_mut().find(|(n, _)| **n == *name) {
                        slot.1 = val;
                    }
                }
                Ok(Value::Struct(Rc::new(value)))
            }
            TypeExpr::Slice(elem) | TypeExpr::Array(_, elem) => {
                let mut items = Vec::new();
                for (k, v) in elems {
                    let val = self.element(v, Some(elem), scope)?;
                    if let Some(k) = k
                        && let Value::Int(i) = self.eval(k, scope)?
                    {
                        let i = i.clamp(0, MAX_ELEMENTS) as usize;
                        if items.len() <= i {
                            items.resize(i + 1, self.zero(elem));
                        }
                        items[i] = val;
                        continue;
                    }
                    items.push(val);
                }
                if let TypeExpr::Array(Some(len), _) = &resolved
                    && let Expr::Int(n, _) = &**len
                {
                    let n = (*n).clamp(0, 1 << 16) as usize;
                    if items.len() < n {
                        items.resize(n, self.zero(elem));
                    }
                }
                let mut s = SliceVal::new(items, self.zero(elem));
                if matches!(&**elem, TypeExpr::Name(n, _) if n == "byte" || n == "uint8") {
                    mark_bytes(&mut s);
                }
                Ok(Value::Slice(s))
            }
            TypeExpr::Map(kt, vt) => {
                let mut entries = BTreeMap::new();
                for (k, v) in elems {
                    let key = match k {
                        Some(k) => self.element(k, Some(kt), scope)?,
                        None => Value::Nil,
                    };
                    let val = self.element(v, Some(vt), scope)?;
                    if let Some(key) = Key::from_value(&key) {
                        entries.insert(key, val);
                    }
                }
                Ok(Value::Map(Rc::new(RefCell::new(MapVal {
                    entries,
                    zero: self.zero(vt),
                    nil: false,
                }))))
            }
            _ => Ok(self.zero(ty)),
        }
    }

    fn element(&mut self, v: &Expr, ty: Option<&TypeExpr>, scope: &Rc<Scope>) -> R<Value> {
        match (v, ty) {
            (Expr::Composite(None, inner, _), Some(t)) => match t {
                TypeExpr::Pointer(target) => {
                    let value = self.composite(Some(target), inner, scope)?;
                    Ok(Value::Pointer(Rc::new(RefCell::new(value))))
                }
                t => self.composite(Some(t), inner, scope),
            },
            (v, Some(t)) => {
                let value = self.eval(v, scope)?;
                self.convert(value, t)
            }
            (v, None) => self.eval(v, scope),
        }
    }

    fn resolve_alias(&self, t: &TypeExpr) -> TypeExpr {
        let mut t = t.clone();
        for _ in 0..8 {
            match &t {
                TypeExpr::Name(n, _) => match self.types.get(n) {
                    Some(inner) => t = inner.clone(),
                    None => return t,
                },
                _ => return t,
            }
        }
        t
    }

    fn selector(&mut self, x: &Expr, name: &str, scope: &Rc<Scope>) -> R<Value> {
        if let Expr::Ident(pkg, _) = x
            && scope.lookup(pkg).is_none()
            && self.globals.lookup(pkg).is_none()
            && let Some(path) = self.imports.get(pkg).cloned()
        {
            return Ok(self.package_value(&path, name));
        }
        // A pointer method called on a variable works on the variable itself.
        if let Expr::Ident(var, _) = x
            && let Some(cell) = scope.lookup(var).or_else(|| self.globals.lookup(var))
        {
            let tname = match &*cell.borrow() {
                Value::Struct(s) => Some(s.type_name.trim_start_matches("main.").to_string()),
                _ => None,
            };
            if let Some(m) = tname.and_then(|t| self.methods.get(&(t, name.to_string())))
                && matches!(m.recv.as_ref().map(|r| &r.ty), Some(TypeExpr::Pointer(_)))
            {
                return Ok(Value::Bound(
                    Box::new(Value::Pointer(cell.clone())),
                    m.clone(),
                ));
            }
        }
        let base = self.eval(x, scope)?;
        self.member(base, name)
    }

    fn member(&mut self, base: Value, name: &str) -> R<Value> {
        match &base {
            Value::Struct(s) => {
                if let Some((_, v)) = s.fields.iter().find(|(n, _)| &**n == name) {
                    return Ok(v.clone());
                }
                let tname = s.type_name.trim_start_matches("main.").to_string();
                if let Some(m) = self.methods.get(&(tname, name.to_string())) {
                    return Ok(Value::Bound(Box::new(base.clone()), m.clone()));
                }
                // Promoted through an embedded struct.
                for (fname, fv) in &s.fields {
                    if let Value::Struct(inner) = fv
                        && inner.type_name.trim_start_matches("main.") == &**fname
                    {
                        return self.member(fv.clone(), name);
                    }
                }
                Ok(Value::Nil)
            }
            Value::Pointer(p) => {
                let inner = p.borrow().clone();
                if let Value::Struct(s) = &inner {
                    let tname = s.type_name.trim_start_matches("main.").to_string();
                    if let Some(m) = self.methods.get(&(tname, name.to_string())) {
                        return Ok(Value::Bound(Box::new(base.clone()), m.clone()));
                    }
                }
                self.member(inner, name)
            }
            Value::Nil => Err(runtime_error(
                "invalid memory address or nil pointer dereference",
            )),
            Value::Object(o) => Ok(match (&**o, name) {
                (Object::Request(r), "Method") => Value::str(&r.method),
                (Object::Request(r), "Host") => Value::str(&r.host),
                (Object::Request(r), "RemoteAddr") => Value::str(&r.remote),
                (Object::Request(r), "RequestURI") => Value::str(&r.target),
                (Object::Request(r), "Proto") => Value::str(&r.proto),
                (Object::Request(r), "URL") => {
                    Value::Object(Rc::new(Object::Url(r.path.clone(), r.query.clone())))
                }
                (Object::Request(r), "Header") => {
                    Value::Object(Rc::new(Object::Header(r.headers.clone(), false)))
                }
                (Object::Url(p, _), "Path") => Value::str(p),
                (Object::Url(_, q), "RawQuery") => Value::str(q),
                _ => Value::NativeMethod(Box::new(base.clone()), leak_name(name)),
            }),
            _ => Ok(Value::NativeMethod(Box::new(base.clone()), leak_name(name))),
        }
    }

    fn package_value(&mut self, path: &str, name: &str) -> Value {
        let short = path.rsplit('/').next().unwrap_or(path);
        match (short, name) {
            ("os", "Args") => Value::Slice(SliceVal::new(
                self.args.iter().map(|a| Value::str(a)).collect(),
                Value::str(""),
            )),
            ("os", "Stdout") => Value::Object(Rc::new(Object::File(1))),
            ("os", "Stderr") => Value::Object(Rc::new(Object::File(2))),
            ("time", "Nanosecond") => Value::Duration(1),
            ("time", "Microsecond") => Value::Duration(1_000),
            ("time", "Millisecond") => Value::Duration(1_000_000),
            ("time", "Second") => Value::Duration(1_000_000_000),
            ("time", "Minute") => Value::Duration(60_000_000_000),
            ("time", "Hour") => Value::Duration(3_600_000_000_000),
            ("time", "RFC3339") => Value::str("2006-01-02T15:04:05Z07:00"),
            ("time", "Kitchen") => Value::str("3:04PM"),
            ("time", "DateTime") => Value::str("2006-01-02 15:04:05"),
            ("time", "DateOnly") => Value::str("2006-01-02"),
            ("math", "Pi") => Value::Float(std::f64::consts::PI),
            ("math", "E") => Value::Float(std::f64::consts::E),
            ("math", "MaxInt" | "MaxInt64") => Value::Int(i64::MAX),
            ("math", "MinInt") => Value::Int(i64::MIN),
            ("log", "LstdFlags") => Value::Int(3),
            ("log", "Lshortfile") => Value::Int(16),
            ("http", n) if n.starts_with("Method") => Value::str(&n[6..].to_ascii_uppercase()),
            ("http", n) if n.starts_with("Status") && n != "StatusText" => {
                Value::Int(status_code(&n[6..]).unwrap_or(200) as i64)
            }
            _ => Value::Native(Rc::from(format!("{short}.{name}"))),
        }
    }

    // ---- calls ----

    fn call(
        &mut self,
        func: &Expr,
        args: &[Expr],
        ellipsis: bool,
        pos: Pos,
        scope: &Rc<Scope>,
    ) -> R<Vec<Value>> {
        self.set_line(pos);
        // Conversions: the callee is a type.
        let conversion = match func {
            Expr::Type(t, _) => Some(t.clone()),
            Expr::Paren(inner, _) => match &**inner {
                Expr::Type(t, _) => Some(t.clone()),
                Expr::Unary("*", t, _) => match &**t {
                    Expr::Ident(n, p) => {
                        Some(TypeExpr::Pointer(Box::new(TypeExpr::Name(n.clone(), *p))))
                    }
                    _ => None,
                },
                _ => None,
            },
            Expr::Ident(n, p)
                if scope.lookup(n).is_none()
                    && self.globals.lookup(n).is_none()
                    && (self.types.contains_key(n)
                        || super::types::Type::predeclared(n).is_some())
                    && n != "error" =>
            {
                Some(TypeExpr::Name(n.clone(), *p))
            }
            Expr::Selector(x, n, p) => match &**x {
                Expr::Ident(pkg, _)
                    if pkg == "time" && n == "Duration" && scope.lookup(pkg).is_none() =>
                {
                    Some(TypeExpr::Qualified(pkg.clone(), n.clone(), *p))
                }
                _ => None,
            },
            _ => None,
        };
        if let Some(t) = conversion {
            let v = match args.first() {
                Some(a) => self.eval(a, scope)?,
                None => Value::Nil,
            };
            return Ok(vec![self.convert(v, &t)?]);
        }
        if let Expr::Ident(n, _) = func
            && scope.lookup(n).is_none()
            && self.globals.lookup(n).is_none()
            && !self.funcs.contains_key(n)
            && let Some(r) = self.builtin(n, args, ellipsis, scope)?
        {
            return Ok(r);
        }
        let callee = self.eval(func, scope)?;
        let mut values = Vec::new();
        if args.len() == 1 {
            values = self.eval_multi(&args[0], scope)?;
        } else {
            for a in args {
                values.push(self.eval(a, scope)?);
            }
        }
        self.call_value(callee, values, ellipsis)
    }

    pub fn call_value(&mut self, callee: Value, args: Vec<Value>, ellipsis: bool) -> R<Vec<Value>> {
        match callee {
            Value::Func(c) => {
                let decl = c.decl.clone();
                self.call_decl(
                    &decl,
                    c.env.clone(),
                    None,
                    self.pack_variadic(&decl, args, ellipsis),
                )
            }
            Value::Bound(recv, decl) => {
                let args = self.pack_variadic(&decl, args, ellipsis);
                self.call_decl(&decl, None, Some(*recv), args)
            }
            Value::Native(name) => {
                let args = if ellipsis { spread_last(args) } else { args };
                self.native(&name, args)
            }
            Value::NativeMethod(recv, name) => self.native_method(*recv, name, args),
            Value::Nil => Err(runtime_error(
                "invalid memory address or nil pointer dereference",
            )),
            _ => Ok(vec![]),
        }
    }

    fn pack_variadic(&self, decl: &FuncDecl, mut args: Vec<Value>, ellipsis: bool) -> Vec<Value> {
        if !decl.sig.variadic || ellipsis {
            return args;
        }
        let fixed = decl.sig.params.len().saturating_sub(1);
        let rest: Vec<Value> = if args.len() > fixed {
            args.split_off(fixed)
        } else {
            Vec::new()
        };
        let zero = decl
            .sig
            .params
            .last()
            .map(|p| match &p.ty {
                TypeExpr::Slice(e) => self.zero(e),
                _ => Value::Nil,
            })
            .unwrap_or(Value::Nil);
        let slice = if rest.is_empty() {
            SliceVal::nil(zero)
        } else {
            SliceVal::new(rest, zero)
        };
        args.push(Value::Slice(slice));
        args
    }

    fn call_decl(
        &mut self,
        decl: &Rc<FuncDecl>,
        env: Option<Rc<Scope>>,
        recv: Option<Value>,
        args: Vec<Value>,
    ) -> R<Vec<Value>> {
        self.check_budget()?;
        if self.stack.len() >= MAX_CALL_DEPTH {
            let msg = "runtime: goroutine stack exceeds 1000000000-byte limit\nfatal error: stack overflow\n\nruntime stack:\n";
            self.world.write(2, msg.as_bytes());
            return Err(Unwind::Exit(2));
        }
        let scope = Scope::child(env.as_ref().unwrap_or(&self.globals));
        if let (Some(r), Some(param)) = (recv, &decl.recv) {
            let r = match (&param.ty, r) {
                (TypeExpr::Pointer(_), Value::Struct(s)) => {
                    Value::Pointer(Rc::new(RefCell::new(Value::Struct(s))))
                }
                (TypeExpr::Pointer(_), p) => p,
                (_, Value::Pointer(p)) => p.borrow().clone(),
                (_, v) => v,
            };
            if let Some((n, _)) = &param.name {
                scope.define(n, r);
            }
        }
        let mut args = args.into_iter();
        for p in &decl.sig.params {
            let v = args.next().unwrap_or(Value::Nil);
            let v = self.convert(v, &p.ty)?;
            if let Some((n, _)) = &p.name {
                scope.define(n, v);
            }
        }
        let mut named = Vec::new();
        for p in &decl.sig.results {
            if let Some((n, _)) = &p.name {
                named.push(scope.define(n, self.zero(&p.ty)));
            }
        }
        let name = if decl.name.is_empty() {
            let outer = self
                .stack
                .last()
                .map(|(n, _)| n.clone())
                .unwrap_or_else(|| "main".into());
            format!("{outer}.func1")
        } else {
            match &decl.recv {
                Some(r) => format!("{}.{}", receiver_label(&r.ty), decl.name),
                None => decl.name.clone(),
            }
        };
        self.stack.push((name, decl.pos.line));
        self.defers.push(Vec::new());
        let result = self.block(&decl.body, &scope);
        let mut deferred = self.defers.pop().unwrap_or_default();
        // Deferred calls run last-in first-out, also when the function panics.
        let mut result = result;
        while let Some((f, a)) = deferred.pop() {
            if let Err(e) = self.call_value(f, a, false) {
                result = Err(e);
            }
        }
        let out = match result {
            Ok(()) => Ok(named.iter().map(|c| c.borrow().clone()).collect()),
            Err(Unwind::Return(vals)) => {
                if vals.is_empty() && !named.is_empty() {
                    Ok(named.iter().map(|c| c.borrow().clone()).collect())
                } else {
                    let mut out = Vec::new();
                    for (i, v) in vals.into_iter().enumerate() {
                        out.push(match decl.sig.results.get(i) {
                            Some(p) => self.convert(v, &p.ty)?,
                            None => v,
                        });
                    }
                    Ok(out)
                }
            }
            Err(e) => return Err(e),
        };
        self.stack.pop();
        out
    }

    fn builtin(
        &mut self,
        name: &str,
        args: &[Expr],
        ellipsis: bool,
        scope: &Rc<Scope>,
    ) -> R<Option<Vec<Value>>> {
        let type_arg = |e: &Expr| -> Option<TypeExpr> {
            match e {
                Expr::Type(t, _) => Some(t.clone()),
                Expr::Ident(n, p) => Some(TypeExpr::Name(n.clone(), *p)),
                Expr::Selector(x, n, p) => match &**x {
                    Expr::Ident(pkg, _) => Some(TypeExpr::Qualified(pkg.clone(), n.clone(), *p)),
                    _ => None,
                },
                Expr::Unary("*", inner, _) => match &**inner {
                    Expr::Ident(n, p) => {
                        Some(TypeExpr::Pointer(Box::new(TypeExpr::Name(n.clone(), *p))))
                    }
                    _ => None,
                },
                _ => None,
            }
        };
        let v = match name {
            "make" => {
                let Some(t) = args.first().and_then(type_arg) else {
                    return Ok(Some(vec![Value::Nil]));
                };
                let n = match args.get(1) {
                    Some(e) => match self.eval(e, scope)? {
                        Value::Int(n) => n,
                        _ => 0,
                    },
                    None => 0,
                };
                if !(0..=MAX_ELEMENTS).contains(&n) {
                    return Err(runtime_error("makeslice: len out of range"));
                }
                match self.resolve_alias(&t) {
                    TypeExpr::Slice(e) => {
                        let z = self.zero(&e);
                        let mut s = SliceVal::new(vec![z.clone(); n as usize], z);
                        if matches!(&*e, TypeExpr::Name(n, _) if n == "byte" || n == "uint8") {
                            mark_bytes(&mut s);
                        }
                        Value::Slice(s)
                    }
                    TypeExpr::Map(_, v) => Value::Map(Rc::new(RefCell::new(MapVal {
                        entries: BTreeMap::new(),
                        zero: self.zero(&v),
                        nil: false,
                    }))),
                    _ => Value::Nil,
                }
            }
            "new" => {
                let z = args
                    .first()
                    .and_then(type_arg)
                    .map(|t| self.zero(&t))
                    .unwrap_or(Value::Nil);
                Value::Pointer(Rc::new(RefCell::new(z)))
            }
            "len" | "cap" => {
                let v = match args.first() {
                    Some(a) => self.eval(a, scope)?,
                    None => Value::Nil,
                };
                Value::Int(match v {
                    Value::Str(s) => s.len() as i64,
                    Value::Slice(s) if name == "cap" => {
                        (s.data.borrow().len().saturating_sub(s.off)) as i64
                    }
                    Value::Slice(s) => s.len as i64,
                    Value::Map(m) => m.borrow().entries.len() as i64,
                    Value::Object(o) => match &*o {
                        Object::Header(h, _) => h.borrow().len() as i64,
                        _ => 0,
                    },
                    _ => 0,
                })
            }
            "append" => {
                let mut vals = Vec::new();
                for a in args {
                    vals.push(self.eval(a, scope)?);
                }
                let mut it = vals.into_iter();
                let base = it.next().unwrap_or(Value::Nil);
                let mut extra: Vec<Value> = it.collect();
                if ellipsis {
                    extra = match extra.pop() {
                        Some(Value::Slice(s)) => s.items(),
                        Some(Value::Str(s)) => s.bytes().map(|b| Value::Int(b as i64)).collect(),
                        _ => Vec::new(),
                    };
                }
                let s = match base {
                    Value::Slice(s) => s,
                    _ => SliceVal::nil(Value::Nil),
                };
                let extra: Vec<Value> = extra
                    .into_iter()
                    .map(|v| match (&*s.zero, v) {
                        (Value::Float(_), Value::Int(i)) => Value::Float(i as f64),
                        (_, v) => v,
                    })
                    .collect();
                if (s.len + extra.len()) as i64 > MAX_ELEMENTS {
                    return Err(runtime_error("growslice: len out of range"));
                }
                let at_end = s.data.borrow().len() == s.off + s.len && !s.nil;
                let new = if at_end && Rc::strong_count(&s.data) <= 2 {
                    s.data.borrow_mut().extend(extra.iter().cloned());
                    SliceVal {
                        len: s.len + extra.len(),
                        nil: false,
                        ..s
                    }
                } else {
                    let mut items = s.items();
                    items.extend(extra);
                    let mut n = SliceVal::new(items, (*s.zero).clone());
                    n.zero = s.zero.clone();
                    n
                };
                Value::Slice(new)
            }
            "delete" => {
                let m = self.eval(&args[0], scope)?;
                let k = self.eval(&args[1], scope)?;
                if let (Value::Map(m), Some(k)) = (m, Key::from_value(&k)) {
                    m.borrow_mut().entries.remove(&k);
                }
                return Ok(Some(vec![]));
            }
            "copy" => {
                let dst = self.eval(&args[0], scope)?;
                let src = self.eval(&args[1], scope)?;
                let (Value::Slice(d), items) = (
                    dst,
                    match src {
                        Value::Slice(s) => s.items(),
                        Value::Str(s) => s.bytes().map(|b| Value::Int(b as i64)).collect(),
                        _ => Vec::new(),
                    },
                ) else {
                    return Ok(Some(vec![Value::Int(0)]));
                };
                let n = d.len.min(items.len());
                let mut data = d.data.borrow_mut();
                for (i, v) in items.into_iter().take(n).enumerate() {
                    data[d.off + i] = v;
                }
                Value::Int(n as i64)
            }
            "panic" => {
                let v = match args.first() {
                    Some(a) => self.eval(a, scope)?,
                    None => Value::Nil,
                };
                let msg = match &v {
                    Value::Error(e) => e.to_string(),
                    Value::Str(s) => s.to_string(),
                    Value::Nil => {
                        "panic called with nil argument (use runtime.PanicNilError)".to_string()
                    }
                    other => format!("{}({})", go_builtin_type(other), to_v(other)),
                };
                let msg = match &v {
                    Value::Int(i) => format!("{i}"),
                    _ => msg,
                };
                return Err(Unwind::Panic(msg));
            }
            "print" | "println" => {
                let mut vals = Vec::new();
                for a in args {
                    vals.push(self.eval(a, scope)?);
                }
                let text = if name == "println" {
                    sprintln(&vals)
                } else {
                    vals.iter().map(to_v).collect::<String>()
                };
                self.world.write(2, text.as_bytes());
                return Ok(Some(vec![]));
            }
            "min" | "max" => {
                let mut best: Option<Value> = None;
                for a in args {
                    let v = self.eval(a, scope)?;
                    best = Some(match best {
                        None => v,
                        Some(b) => {
                            let less = compare(&v, &b) == Some(std::cmp::Ordering::Less);
                            if (name == "min") == less { v } else { b }
                        }
                    });
                }
                best.unwrap_or(Value::Nil)
            }
            "clear" => {
                if let Value::Map(m) = self.eval(&args[0], scope)? {
                    m.borrow_mut().entries.clear();
                }
                return Ok(Some(vec![]));
            }
            _ => return Ok(None),
        };
        Ok(Some(vec![v]))
    }

    fn out(&mut self, target: &Value, text: &str) -> R<()> {
        match target {
            Value::Object(o) => match &**o {
                Object::File(fd) => self.world.write(*fd, text.as_bytes()),
                Object::Response(r) => r.borrow_mut().body.extend_from_slice(text.as_bytes()),
                Object::Builder(b) => b.borrow_mut().push_str(text),
                _ => {}
            },
            Value::Pointer(p) => {
                let inner = p.borrow().clone();
                return self.out(&inner, text);
            }
            _ => {}
        }
        Ok(())
    }

    fn log_line(&mut self, text: &str) {
        let mut line = self.log_prefix.clone();
        if self.log_flags & 3 != 0 {
            let now = self.world.now();
            if self.log_flags & 1 != 0 {
                line.push_str(&now.format("%Y/%m/%d ").to_string());
            }
            if self.log_flags & 2 != 0 {
                line.push_str(&now.format("%H:%M:%S ").to_string());
            }
        }
        line.push_str(text);
        if !line.ends_with('\n') {
            line.push('\n');
        }
        self.world.write(2, line.as_bytes());
    }

    fn native(&mut self, name: &str, args: Vec<Value>) -> R<Vec<Value>> {
        let s = |i: usize| -> String {
            match args.get(i) {
                Some(Value::Str(s)) => s.to_string(),
                Some(v) => to_v(v),
                None => String::new(),
            }
        };
        let n = |i: usize| -> i64 {
            match args.get(i) {
                Some(Value::Int(n) | Value::Duration(n)) => *n,
                Some(Value::Float(f)) => *f as i64,
                _ => 0,
            }
        };
        let f = |i: usize| -> f64 {
            match args.get(i) {
                Some(Value::Float(f)) => *f,
                Some(Value::Int(n)) => *n as f64,
                _ => 0.0,
            }
        };
        let one = |v: Value| Ok(vec![v]);
        let strs = |v: Vec<String>| {
            Value::Slice(SliceVal::new(
                v.iter().map(|s| Value::str(s)).collect(),
                Value::str(""),
            ))
        };
        let written = |len: usize| Ok(vec![Value::Int(len as i64), Value::Nil]);
        match name {
            "fmt.Println" => {
                let text = sprintln(&args);
                self.world.write(1, text.as_bytes());
                written(text.len())
            }
            "fmt.Print" => {
                let text = sprint(&args);
                self.world.write(1, text.as_bytes());
                written(text.len())
            }
            "fmt.Printf" => {
                let text = sprintf(&s(0), &args[1.min(args.len())..]);
                self.world.write(1, text.as_bytes());
                written(text.len())
            }
            "fmt.Sprintf" => one(Value::str(&sprintf(&s(0), &args[1.min(args.len())..]))),
            "fmt.Sprint" => one(Value::str(&sprint(&args))),
            "fmt.Sprintln" => one(Value::str(&sprintln(&args))),
            "fmt.Errorf" => {
                let text = sprintf(&s(0).replace("%w", "%v"), &args[1.min(args.len())..]);
                one(Value::Error(Rc::from(text)))
            }
            "fmt.Fprintf" | "fmt.Fprintln" | "fmt.Fprint" => {
                let target = args.first().cloned().unwrap_or(Value::Nil);
                let rest = &args[1.min(args.len())..];
                let text = match name {
                    "fmt.Fprintf" => {
                        let format = match rest.first() {
                            Some(Value::Str(f)) => f.to_string(),
                            _ => String::new(),
                        };
                        sprintf(&format, &rest[1.min(rest.len())..])
                    }
                    "fmt.Fprintln" => sprintln(rest),
                    _ => sprint(rest),
                };
                self.out(&target, &text)?;
                written(text.len())
            }
            "os.Getenv" => one(Value::str(&self.world.getenv(&s(0)).unwrap_or_default())),
            "os.LookupEnv" => {
                let v = self.world.getenv(&s(0));
                Ok(vec![
                    Value::str(v.as_deref().unwrap_or("")),
                    Value::Bool(v.is_some()),
                ])
            }
            "os.Exit" => Err(Unwind::Exit(n(0) as i32)),
            "os.Hostname" => Ok(vec![
                Value::str(
                    &self
                        .world
                        .getenv("HOSTNAME")
                        .unwrap_or_else(|| "localhost".into()),
                ),
                Value::Nil,
            ]),
            "os.Getpid" => one(Value::Int(1)),
            "os.ReadFile" => Ok(vec![
                Value::Slice(SliceVal::nil(Value::Int(0))),
                Value::Error(Rc::from(format!(
                    "open {}: no such file or directory",
                    s(0)
                ))),
            ]),
            "strings.ToUpper" => one(Value::str(&s(0).to_uppercase())),
            "strings.ToLower" => one(Value::str(&s(0).to_lowercase())),
            "strings.TrimSpace" => one(Value::str(s(0).trim())),
            "strings.Title" => {
                let mut out = String::new();
                let mut prev = ' ';
                for c in s(0).chars() {
                    if !prev.is_alphanumeric() && prev != '_' && prev != '\'' {
                        out.extend(c.to_uppercase());
                    } else {
                        out.push(c);
                    }
                    prev = c;
                }
                one(Value::str(&out))
            }
            "strings.Contains" => one(Value::Bool(s(0).contains(&s(1)))),
            "strings.ContainsRune" => one(Value::Bool(
                s(0).contains(char::from_u32(n(1) as u32).unwrap_or('\0')),
            )),
            "strings.HasPrefix" => one(Value::Bool(s(0).starts_with(&s(1)))),
            "strings.HasSuffix" => one(Value::Bool(s(0).ends_with(&s(1)))),
            "strings.Index" => one(Value::Int(s(0).find(&s(1)).map(|i| i as i64).unwrap_or(-1))),
            "strings.LastIndex" => one(Value::Int(
                s(0).rfind(&s(1)).map(|i| i as i64).unwrap_or(-1),
            )),
            "strings.Count" => {
                let sep = s(1);
                one(Value::Int(if sep.is_empty() {
                    s(0).chars().count() as i64 + 1
                } else {
                    s(0).matches(&sep).count() as i64
                }))
            }
            "strings.Split" | "strings.SplitN" => {
                let (text, sep) = (s(0), s(1));
                let limit = if name == "strings.SplitN" { n(2) } else { -1 };
                if limit == 0 {
                    return one(Value::Slice(SliceVal::nil(Value::str(""))));
                }
                let parts: Vec<String> = if sep.is_empty() {
                    text.chars().map(|c| c.to_string()).collect()
                } else if limit > 0 {
                    text.splitn(limit as usize, &sep)
                        .map(str::to_string)
                        .collect()
                } else {
                    text.split(&sep).map(str::to_string).collect()
                };
                one(strs(parts))
            }
            "strings.Fields" => one(strs(s(0).split_whitespace().map(str::to_string).collect())),
            "strings.Join" => {
                let items: Vec<String> = match args.first() {
                    Some(Value::Slice(sl)) => sl.items().iter().map(to_v).collect(),
                    _ => Vec::new(),
                };
                one(Value::str(&items.join(&s(1))))
            }
            "strings.Repeat" => {
                let count = n(1);
                if count < 0 {
                    return Err(panic_msg("strings: negative Repeat count"));
                }
                if (s(0).len() as i64).saturating_mul(count) > (64 << 20) {
                    return Err(panic_msg("strings: Repeat output length overflow"));
                }
                one(Value::str(&s(0).repeat(count as usize)))
            }
            "strings.Replace" => {
                let count = n(3);
                let out = if count < 0 {
                    s(0).replace(&s(1), &s(2))
                } else {
                    s(0).replacen(&s(1), &s(2), count as usize)
                };
                one(Value::str(&out))
            }
            "strings.ReplaceAll" => one(Value::str(&s(0).replace(&s(1), &s(2)))),
            "strings.Trim" => {
                let cut: Vec<char> = s(1).chars().collect();
                one(Value::str(s(0).trim_matches(|c| cut.contains(&c))))
            }
            "strings.TrimLeft" => {
                let cut: Vec<char> = s(1).chars().collect();
                one(Value::str(s(0).trim_start_matches(|c| cut.contains(&c))))
            }
            "strings.TrimRight" => {
                let cut: Vec<char> = s(1).chars().collect();
                one(Value::str(s(0).trim_end_matches(|c| cut.contains(&c))))
            }
            "strings.TrimPrefix" => {
                let text = s(0);
                one(Value::str(text.strip_prefix(&s(1)).unwrap_or(&text)))
            }
            "strings.TrimSuffix" => {
                let text = s(0);
                one(Value::str(text.strip_suffix(&s(1)).unwrap_or(&text)))
            }
            "strings.EqualFold" => one(Value::Bool(s(0).to_lowercase() == s(1).to_lowercase())),
            "strconv.Itoa" => one(Value::str(&n(0).to_string())),
            "strconv.FormatInt" => {
                let base = n(1).clamp(2, 36) as u32;
                one(Value::str(&format_radix(n(0), base)))
            }
            "strconv.FormatBool" => one(Value::str(
                if matches!(args.first(), Some(Value::Bool(true))) {
                    "true"
                } else {
                    "false"
                },
            )),
            "strconv.FormatFloat" => {
                let prec = n(2);
                let fmt = char::from_u32(n(1) as u32).unwrap_or('f');
                let text = match (fmt, prec) {
                    ('f', p) if p >= 0 => format!("{:.*}", p as usize, f(0)),
                    ('f', _) => format_float_plain(f(0)),
                    (_, _) => format_float_v(f(0)),
                };
                one(Value::str(&text))
            }
            "strconv.Quote" => one(Value::str(&super::stdlib::quote(&s(0)))),
            "strconv.Atoi" => {
                let text = s(0);
                match parse_go_int(&text) {
                    Some(v) => Ok(vec![Value::Int(v), Value::Nil]),
                    None => Ok(vec![
                        Value::Int(0),
                        Value::Error(Rc::from(format!(
                            "strconv.Atoi: parsing {}: {}",
                            super::stdlib::quote(&text),
                            if looks_numeric(&text) {
                                "value out of range"
                            } else {
                                "invalid syntax"
                            }
                        ))),
                    ]),
                }
            }
            "strconv.ParseInt" => {
                let text = s(0);
                match i64::from_str_radix(&text, n(1).clamp(2, 36) as u32) {
                    Ok(v) => Ok(vec![Value::Int(v), Value::Nil]),
                    Err(_) => Ok(vec![
                        Value::Int(0),
                        Value::Error(Rc::from(format!(
                            "strconv.ParseInt: parsing {}: invalid syntax",
                            super::stdlib::quote(&text)
                        ))),
                    ]),
                }
            }
            "strconv.ParseFloat" => {
                let text = s(0);
                match text.parse::<f64>() {
                    Ok(v)
                        if !text.is_empty() && !text.starts_with('+')
                            || text.starts_with("+") && text.len() > 1 =>
                    {
                        Ok(vec![Value::Float(v), Value::Nil])
                    }
                    _ => Ok(vec![
                        Value::Float(0.0),
                        Value::Error(Rc::from(format!(
                            "strconv.ParseFloat: parsing {}: invalid syntax",
                            super::stdlib::quote(&text)
                        ))),
                    ]),
                }
            }
            "strconv.ParseBool" => {
                let text = s(0);
                match text.as_str() {
                    "1" | "t" | "T" | "TRUE" | "true" | "True" => {
                        Ok(vec![Value::Bool(true), Value::Nil])
                    }
                    "0" | "f" | "F" | "FALSE" | "false" | "False" => {
                        Ok(vec![Value::Bool(false), Value::Nil])
                    }
                    _ => Ok(vec![
                        Value::Bool(false),
                        Value::Error(Rc::from(format!(
                            "strconv.ParseBool: parsing {}: invalid syntax",
                            super::stdlib::quote(&text)
                        ))),
                    ]),
                }
            }
            "time.Now" => {
                let now = self.world.now();
                one(Value::Time(now.timestamp_nanos_opt().unwrap_or(0)))
            }
            "time.Unix" => one(Value::Time(
                n(0).saturating_mul(1_000_000_000).saturating_add(n(1)),
            )),
            "time.Sleep" => {
                let d = n(0).max(0) as u64;
                self.world.sleep(Duration::from_nanos(d));
                self.check_budget()?;
                Ok(vec![])
            }
            "time.Since" => {
                let now = self.world.now().timestamp_nanos_opt().unwrap_or(0);
                let then = match args.first() {
                    Some(Value::Time(t)) => *t,
                    _ => now,
                };
                one(Value::Duration(now - then))
            }
            "log.Println" | "log.Print" | "log.Printf" | "log.Fatal" | "log.Fatalln"
            | "log.Fatalf" | "log.Panic" | "log.Panicf" => {
                let text = if name.ends_with('f') {
                    sprintf(&s(0), &args[1.min(args.len())..])
                } else if name.ends_with("ln") {
                    sprintln(&args)
                } else {
                    sprint(&args)
                };
                self.log_line(&text);
                if name.starts_with("log.Fatal") {
                    return Err(Unwind::Exit(1));
                }
                if name.starts_with("log.Panic") {
                    return Err(Unwind::Panic(text.trim_end_matches('\n').to_string()));
                }
                Ok(vec![])
            }
            "log.SetFlags" => {
                self.log_flags = n(0);
                Ok(vec![])
            }
            "log.SetPrefix" => {
                self.log_prefix = s(0);
                Ok(vec![])
            }
            "math.Sqrt" => one(Value::Float(f(0).sqrt())),
            "math.Pow" => one(Value::Float(f(0).powf(f(1)))),
            "math.Abs" => one(Value::Float(f(0).abs())),
            "math.Floor" => one(Value::Float(f(0).floor())),
            "math.Ceil" => one(Value::Float(f(0).ceil())),
            "math.Round" => one(Value::Float(f(0).round())),
            "math.Max" => one(Value::Float(f(0).max(f(1)))),
            "math.Min" => one(Value::Float(f(0).min(f(1)))),
            "math.Mod" => one(Value::Float(f(0) % f(1))),
            "math.Inf" => one(Value::Float(if n(0) >= 0 {
                f64::INFINITY
            } else {
                f64::NEG_INFINITY
            })),
            "errors.New" => one(Value::Error(Rc::from(s(0)))),
            "errors.Is" => one(Value::Bool(match (args.first(), args.get(1)) {
                (Some(a), Some(b)) => values_equal(a, b),
                _ => false,
            })),
            "sort.Ints" | "sort.Strings" | "sort.Float64s" => {
                if let Some(Value::Slice(sl)) = args.first() {
                    let mut items = sl.items();
                    items.sort_by(|a, b| compare(a, b).unwrap_or(std::cmp::Ordering::Equal));
                    let mut data = sl.data.borrow_mut();
                    for (i, v) in items.into_iter().enumerate() {
                        data[sl.off + i] = v;
                    }
                }
                Ok(vec![])
            }
            "http.HandleFunc" => {
                let pattern = s(0);
                let handler = args.get(1).cloned().unwrap_or(Value::Nil);
                if self.handlers.iter().any(|(p, _)| *p == pattern) {
                    return Err(panic_msg(format!(
                        "pattern {} (registered at {}:{}) conflicts with pattern {} (registered at {}:{}):\n{} matches the same requests as {}",
                        super::stdlib::quote(&pattern),
                        self.file_path(),
                        self.line(),
                        super::stdlib::quote(&pattern),
                        self.file_path(),
                        self.line(),
                        pattern,
                        pattern
                    )));
                }
                self.handlers.push((pattern, handler));
                Ok(vec![])
            }
            "http.ListenAndServe" => self.listen_and_serve(&s(0), args.get(1)),
            "http.Error" => {
                let w = args.first().cloned().unwrap_or(Value::Nil);
                if let Value::Object(o) = &w
                    && let Object::Response(r) = &**o
                {
                    let mut r = r.borrow_mut();
                    {
                        let mut h = r.headers.borrow_mut();
                        h.retain(|(k, _)| k != "Content-Length");
                        set_header(&mut h, "Content-Type", "text/plain; charset=utf-8");
                        set_header(&mut h, "X-Content-Type-Options", "nosniff");
                    }
                    if r.status.is_none() {
                        r.status = Some(n(2) as u16);
                    }
                    r.body.extend_from_slice(format!("{}\n", s(1)).as_bytes());
                }
                Ok(vec![])
            }
            "http.NotFound" => {
                let w = args.first().cloned().unwrap_or(Value::Nil);
                let msg = vec![w, Value::str("404 page not found"), Value::Int(404)];
                self.native("http.Error", msg)
            }
            "http.StatusText" => one(Value::str(reason(n(0) as u16))),
            "json.Marshal" | "json.MarshalIndent" => {
                let v = args.first().cloned().unwrap_or(Value::Nil);
                let text = if name == "json.MarshalIndent" {
                    json_indent(&json_encode(&v, &self.types), &s(1), &s(2))
                } else {
                    json_encode(&v, &self.types)
                };
                let bytes: Vec<Value> = text.bytes().map(|b| Value::Int(b as i64)).collect();
                let mut sl = SliceVal::new(bytes, Value::Int(0));
                mark_bytes(&mut sl);
                Ok(vec![Value::Slice(sl), Value::Nil])
            }
            "json.NewEncoder" => one(Value::Object(Rc::new(Object::Encoder(
                args.first().cloned().unwrap_or(Value::Nil),
            )))),
            other => Err(panic_msg(format!(
                "docklab: this lab's go does not support {other}"
            ))),
        }
    }

    fn file_path(&self) -> String {
        self.paths.values().next().cloned().unwrap_or_default()
    }

    fn line(&self) -> u32 {
        self.stack.last().map(|(_, l)| *l).unwrap_or(0)
    }

    fn native_method(
        &mut self,
        recv: Value,
        name: &'static str,
        args: Vec<Value>,
    ) -> R<Vec<Value>> {
        let s = |i: usize| -> String {
            match args.get(i) {
                Some(Value::Str(s)) => s.to_string(),
                Some(v) => to_v(v),
                None => String::new(),
            }
        };
        let one = |v: Value| Ok(vec![v]);
        match (&recv, name) {
            (Value::Error(e), "Error") => one(Value::Str(e.clone())),
            (Value::Duration(d), "Seconds") => one(Value::Float(*d as f64 / 1e9)),
            (Value::Duration(d), "Milliseconds") => one(Value::Int(*d / 1_000_000)),
            (Value::Duration(d), "String") => one(Value::str(&format_duration(*d))),
            (Value::Time(t), "Unix") => one(Value::Int(t.div_euclid(1_000_000_000))),
            (Value::Time(t), "UnixNano") => one(Value::Int(*t)),
            (Value::Time(t), "String") => one(Value::str(&format_time(*t))),
            (Value::Time(t), "UTC") => one(Value::Time(*t)),
            (Value::Time(t), "Sub") => one(Value::Duration(match args.first() {
                Some(Value::Time(o)) => t - o,
                _ => 0,
            })),
            (Value::Time(t), "Year" | "Hour" | "Minute" | "Second") => {
                use chrono::{Datelike, Timelike};
                let dt = chrono::DateTime::from_timestamp(t.div_euclid(1_000_000_000), 0)
                    .unwrap_or_default();
                one(Value::Int(match name {
                    "Year" => dt.year() as i64,
                    "Hour" => dt.hour() as i64,
                    "Minute" => dt.minute() as i64,
                    _ => dt.second() as i64,
                }))
            }
            (Value::Time(t), "Format") => one(Value::str(&go_time_format(*t, &s(0)))),
            (Value::Object(o), _) => match (&**o, name) {
                (Object::Response(r), "Header") => {
                    let h = r.borrow().headers.clone();
                    one(Value::Object(Rc::new(Object::Header(h, false))))
                }
                (Object::Response(r), "WriteHeader") => {
                    let code = match args.first() {
                        Some(Value::Int(c)) => *c,
                        _ => 200,
                    };
                    let mut r = r.borrow_mut();
                    if r.status.is_some() {
                        drop(r);
                        self.log_line("http: superfluous response.WriteHeader call from main.main.func1 (main.go:1)");
                    } else {
                        r.status = Some(code.clamp(100, 999) as u16);
                    }
                    Ok(vec![])
                }
                (Object::Response(r), "Write") => {
                    let bytes = bytes_of(args.first());
                    let len = bytes.len();
                    r.borrow_mut().body.extend_from_slice(&bytes);
                    Ok(vec![Value::Int(len as i64), Value::Nil])
                }
                (Object::File(fd), "WriteString" | "Write") => {
                    let bytes = match args.first() {
                        Some(Value::Str(s)) => s.as_bytes().to_vec(),
                        other => bytes_of(other),
                    };
                    self.world.write(*fd, &bytes);
                    Ok(vec![Value::Int(bytes.len() as i64), Value::Nil])
                }
                (Object::Header(h, _), "Set") => {
                    set_header(&mut h.borrow_mut(), &canonical_header(&s(0)), &s(1));
                    Ok(vec![])
                }
                (Object::Header(h, _), "Add") => {
                    let key = canonical_header(&s(0));
                    let mut h = h.borrow_mut();
                    match h.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, v)) => v.push(s(1)),
                        None => h.push((key, vec![s(1)])),
                    }
                    Ok(vec![])
                }
                (Object::Header(h, _), "Del") => {
                    let key = canonical_header(&s(0));
                    h.borrow_mut().retain(|(k, _)| *k != key);
                    Ok(vec![])
                }
                (Object::Header(h, values), "Get") => {
                    let key = if *values {
                        s(0)
                    } else {
                        canonical_header(&s(0))
                    };
                    let v = h
                        .borrow()
                        .iter()
                        .find(|(k, _)| *k == key)
                        .and_then(|(_, v)| v.first().cloned())
                        .unwrap_or_default();
                    one(Value::str(&v))
                }
                (Object::Header(h, _), "Has") => {
                    let key = s(0);
                    one(Value::Bool(h.borrow().iter().any(|(k, _)| *k == key)))
                }
                (Object::Url(_, q), "Query") => one(Value::Object(Rc::new(Object::Header(
                    Rc::new(RefCell::new(parse_query(q))),
                    true,
                )))),
                (Object::Url(p, q), "String") => one(Value::str(&if q.is_empty() {
                    p.clone()
                } else {
                    format!("{p}?{q}")
                })),
                (Object::Request(r), "FormValue") => {
                    let key = s(0);
                    let v = parse_query(&r.query)
                        .into_iter()
                        .find(|(k, _)| *k == key)
                        .and_then(|(_, v)| v.into_iter().next())
                        .unwrap_or_default();
                    one(Value::str(&v))
                }
                (Object::Request(r), "UserAgent") => {
                    let v = r
                        .headers
                        .borrow()
                        .iter()
                        .find(|(k, _)| k == "User-Agent")
                        .and_then(|(_, v)| v.first().cloned())
                        .unwrap_or_default();
                    one(Value::str(&v))
                }
                (Object::Encoder(w), "Encode") => {
                    let v = args.first().cloned().unwrap_or(Value::Nil);
                    let text = format!("{}\n", json_encode(&v, &self.types));
                    let w = w.clone();
                    self.out(&w, &text)?;
                    one(Value::Nil)
                }
                (Object::Encoder(_), "SetIndent") => Ok(vec![]),
                (Object::Builder(b), "WriteString") => {
                    let text = s(0);
                    b.borrow_mut().push_str(&text);
                    Ok(vec![Value::Int(text.len() as i64), Value::Nil])
                }
                (Object::Builder(b), "WriteByte" | "WriteRune") => {
                    if let Some(Value::Int(c)) = args.first() {
                        b.borrow_mut()
                            .push(char::from_u32(*c as u32).unwrap_or('\u{fffd}'));
                    }
                    Ok(vec![Value::Int(1), Value::Nil])
                }
                (Object::Builder(b), "String") => one(Value::str(&b.borrow())),
                (Object::Builder(b), "Len") => one(Value::Int(b.borrow().len() as i64)),
                _ => Err(panic_msg(format!(
                    "docklab: this lab's go does not support ({}).{name}",
                    recv.type_name()
                ))),
            },
            (Value::Pointer(p), _) => {
                let inner = p.borrow().clone();
                self.native_method(inner, name, args)
            }
            (Value::Nil, _) => Err(runtime_error(
                "invalid memory address or nil pointer dereference",
            )),
            _ => Err(panic_msg(format!(
                "docklab: this lab's go does not support ({}).{name}",
                recv.type_name()
            ))),
        }
    }

    fn listen_and_serve(&mut self, addr: &str, handler: Option<&Value>) -> R<Vec<Value>> {
        if handler.is_some_and(|h| !h.is_nil()) {
            return Err(panic_msg(
                "docklab: this lab's go does not support a handler other than nil in http.ListenAndServe",
            ));
        }
        let (host, port) = match addr.rsplit_once(':') {
            Some((h, p)) => (h, p),
            None => {
                return Ok(vec![Value::Error(Rc::from(format!(
                    "listen tcp: address {addr}: missing port in address"
                )))]);
            }
        };
        let port: u16 = match port {
            "" => 80,
            p => match p.parse() {
                Ok(p) => p,
                Err(_) => {
                    return Ok(vec![Value::Error(Rc::from(format!(
                        "listen tcp: lookup tcp/{p}: unknown port"
                    )))]);
                }
            },
        };
        let all = matches!(host, "" | "0.0.0.0" | "[::]" | "::");
        if !self.world.serve(port, all) {
            return Err(Unwind::Exit(0));
        }
        while let Some((request, reply)) = self.world.next_request() {
            let answer = self.handle(&request);
            reply(answer);
        }
        Err(Unwind::Exit(0))
    }

    /// Answers one request with the registered handlers, as `http.DefaultServeMux` does.
    pub fn handle(&mut self, request: &AppRequest) -> AppReply {
        let path = request.path().to_string();
        let query = request.query().unwrap_or("").to_string();
        let headers: Vec<(String, Vec<String>)> = {
            let mut h: Vec<(String, Vec<String>)> = Vec::new();
            for (k, v) in &request.headers {
                let key = canonical_header(k);
                if key == "Host" {
                    continue;
                }
                match h.iter_mut().find(|(n, _)| *n == key) {
                    Some((_, vals)) => vals.push(v.clone()),
                    None => h.push((key, vec![v.clone()])),
                }
            }
            h
        };
        let date = self
            .world
            .now()
            .format("%a, %d %b %Y %H:%M:%S GMT")
            .to_string();
        let response = Rc::new(Object::Response(RefCell::new(Response::default())));
        let data = RequestData {
            method: request.method.clone(),
            path: path.clone(),
            query,
            target: request.target.clone(),
            proto: request.version.to_string(),
            host: request.header("host").unwrap_or("").to_string(),
            remote: self.world.client_address(),
            headers: Rc::new(RefCell::new(headers)),
        };
        // A path with `..` or `//` is first redirected to its clean form.
        let clean = clean_path(&path);
        if clean != path && request.method != "CONNECT" {
            let mut target = clean.clone();
            if let Some(q) = request.query() {
                target.push('?');
                target.push_str(q);
            }
            return AppReply::new(
                301,
                &[
                    ("Content-Type", "text/html; charset=utf-8"),
                    ("Location", &target),
                    ("Date", &date),
                    ("Content-Length", "0"),
                ],
                Vec::new(),
            );
        }
        let handler = match self.route(&path) {
            Route::Handler(h) => h,
            Route::Redirect(to) => {
                let body = if request.method == "GET" || request.method == "HEAD" {
                    format!("<a href=\"{to}\">Moved Permanently</a>.\n\n")
                } else {
                    String::new()
                };
                let len = body.len().to_string();
                return AppReply::new(
                    301,
                    &[
                        ("Content-Type", "text/html; charset=utf-8"),
                        ("Location", &to),
                        ("Date", &date),
                        ("Content-Length", &len),
                    ],
                    body,
                );
            }
            Route::NotFound => {
                return AppReply::new(
                    404,
                    &[
                        ("Content-Type", "text/plain; charset=utf-8"),
                        ("X-Content-Type-Options", "nosniff"),
                        ("Date", &date),
                        ("Content-Length", "19"),
                    ],
                    "404 page not found\n",
                );
            }
        };
        let w = Value::Object(response.clone());
        let r = Value::Pointer(Rc::new(RefCell::new(Value::Object(Rc::new(
            Object::Request(data),
        )))));
        self.stack.clear();
        self.stack.push(("main".into(), 0));
        let (result, exceeded) = crate::engine::budget::within(
            crate::engine::budget::Limits {
                time: Duration::from_secs(5),
                memory: Some(256 << 20),
            },
            || self.call_value(handler, vec![w, r], false),
        );
        self.stack.clear();
        let Object::Response(resp) = &*response else {
            return AppReply::default();
        };
        let resp = resp.borrow();
        match result {
            Err(Unwind::Panic(msg)) => {
                self.log_line(&format!(
                    "http: panic serving {}: {msg}\ngoroutine 6 [running]:\nnet/http.(*conn).serve.func1()\n\t/usr/local/go/src/net/http/server.go:1903 +0xbe",
                    self.world.client_address()
                ));
                return AppReply::new(500, &[], Vec::new());
            }
            Err(Unwind::Exit(code)) => {
                // os.Exit or log.Fatal in a handler: the real process would end here.
                let _ = code;
            }
            _ => {}
        }
        if exceeded.is_some() {
            return AppReply::new(500, &[], Vec::new());
        }
        let status = resp.status.unwrap_or(200);
        let mut headers: Vec<(String, String)> = Vec::new();
        let mut user: Vec<(String, Vec<String>)> = resp.headers.borrow().clone();
        user.sort_by(|a, b| a.0.cmp(&b.0));
        let has_type = user.iter().any(|(k, _)| k == "Content-Type");
        let has_len = user.iter().any(|(k, _)| k == "Content-Length");
        for (k, vals) in &user {
            for v in vals {
                headers.push((k.clone(), v.clone()));
            }
        }
        let body_allowed = !matches!(status, 100..=199 | 204 | 304);
        if !has_type && body_allowed && !resp.body.is_empty() {
            headers.push(("Content-Type".into(), sniff(&resp.body).into()));
        }
        headers.push(("Date".into(), date));
        if !has_len && body_allowed {
            headers.push(("Content-Length".into(), resp.body.len().to_string()));
        }
        AppReply {
            status,
            headers,
            body: if body_allowed {
                resp.body.clone()
            } else {
                Vec::new()
            },
        }
    }

    fn route(&self, path: &str) -> Route {
        // `/tree` redirects to `/tree/` when only the subtree is registered.
        let with_slash = format!("{path}/");
        if !self.handlers.iter().any(|(p, _)| p == path)
            && self.handlers.iter().any(|(p, _)| *p == with_slash)
        {
            return Route::Redirect(with_slash);
        }
        // The longest pattern wins; a pattern ending in `/` matches its subtree.
        let mut best: Option<(&str, &Value)> = None;
        for (pattern, h) in &self.handlers {
            let p = pattern
                .split_once(' ')
                .map(|(_, rest)| rest)
                .unwrap_or(pattern.as_str());
            let p = p.find('/').map(|i| &p[i..]).unwrap_or(p);
            let hit = if p.ends_with('/') {
                path.starts_with(p)
            } else {
                path == p
            };
            if hit && best.is_none_or(|(b, _)| p.len() > b.len()) {
                best = Some((p, h));
            }
        }
        match best {
            Some((_, h)) => Route::Handler(h.clone()),
            None => Route::NotFound,
        }
    }
}

enum Route {
    Handler(Value),
    Redirect(String),
    NotFound,
}

fn type_name_of(t: &TypeExpr) -> String {
    match t {
        TypeExpr::Name(n, _) => n.clone(),
        TypeExpr::Pointer(t) => type_name_of(t),
        _ => String::new(),
    }
}

fn receiver_label(t: &TypeExpr) -> String {
    match t {
        TypeExpr::Pointer(inner) => format!("(*{})", type_name_of(inner)),
        other => type_name_of(other),
    }
}

fn go_builtin_type(v: &Value) -> String {
    match v {
        Value::Float(_) => "float64".into(),
        Value::Bool(_) => "bool".into(),
        other => other.type_name(),
    }
}

/// Names for native methods live as long as the program: a small fixed set.
fn leak_name(name: &str) -> &'static str {
    const NAMES: &[&str] = &[
        "Header",
        "Write",
        "WriteHeader",
        "Set",
        "Add",
        "Get",
        "Del",
        "Has",
        "Query",
        "String",
        "FormValue",
        "UserAgent",
        "Format",
        "Unix",
        "UnixNano",
        "Year",
        "Hour",
        "Minute",
        "Second",
        "Sub",
        "UTC",
        "Seconds",
        "Milliseconds",
        "Error",
        "Encode",
        "SetIndent",
        "WriteString",
        "WriteByte",
        "WriteRune",
        "Len",
    ];
    NAMES.iter().find(|n| **n == name).copied().unwrap_or("?")
}

fn mark_bytes(s: &mut SliceVal) {
    s.zero = Rc::new(Value::Int(0));
    s.data.borrow_mut().reserve(0);
    BYTE_SLICES.with(|b| b.borrow_mut().push(Rc::downgrade(&s.data)));
}

thread_local! {
    /// Backing arrays made as `[]byte`, so `string(b)` decodes bytes, not runes.
    static BYTE_SLICES: RefCell<Vec<std::rc::Weak<RefCell<Vec<Value>>>>> = const { RefCell::new(Vec::new()) };
}

fn is_byte_slice(s: &SliceVal) -> bool {
    BYTE_SLICES.with(|b| {
        let mut b = b.borrow_mut();
        b.retain(|w| w.strong_count() > 0);
        b.iter()
            .any(|w| w.upgrade().is_some_and(|d| Rc::ptr_eq(&d, &s.data)))
    })
}

fn bytes_of(v: Option<&Value>) -> Vec<u8> {
    match v {
        Some(Value::Slice(s)) => s
            .items()
            .iter()
            .map(|v| match v {
                Value::Int(i) => *i as u8,
                _ => 0,
            })
            .collect(),
        Some(Value::Str(s)) => s.as_bytes().to_vec(),
        _ => Vec::new(),
    }
}

fn spread_last(mut args: Vec<Value>) -> Vec<Value> {
    if let Some(Value::Slice(s)) = args.pop() {
        args.extend(s.items());
    }
    args
}

fn set_field(target: &mut Value, field: &str, v: Value) {
    if let Value::Struct(s) = target {
        let s = Rc::make_mut(s);
        if let Some(slot) = s.fields.iter_mut().find(|(n, _)| &**n == field) {
            slot.1 = match (&slot.1, v) {
                (Value::Float(_), Value::Int(i)) => Value::Float(i as f64),
                (_, v) => v,
            };
            return;
        }
        // A promoted field of an embedded struct.
        for (name, inner) in s.fields.iter_mut() {
            if let Value::Struct(e) = inner
                && e.type_name.trim_start_matches("main.") == &**name
                && e.fields.iter().any(|(n, _)| &**n == field)
            {
                set_field(inner, field, v);
                return;
            }
        }
    }
}

fn index_of(idx: &Value, len: usize) -> R<usize> {
    let i = match idx {
        Value::Int(i) => *i,
        _ => 0,
    };
    if i < 0 || i as usize >= len {
        return Err(runtime_error(format!(
            "index out of range [{i}] with length {len}"
        )));
    }
    Ok(i as usize)
}

fn index_value(container: &Value, idx: &Value) -> R<Value> {
    match container {
        Value::Slice(s) => {
            let i = index_of(idx, s.len)?;
            Ok(s.data
                .borrow()
                .get(s.off + i)
                .cloned()
                .unwrap_or(Value::Nil))
        }
        Value::Str(s) => {
            let i = index_of(idx, s.len())?;
            Ok(Value::Int(s.as_bytes()[i] as i64))
        }
        Value::Map(m) => {
            let m = m.borrow();
            Ok(Key::from_value(idx)
                .and_then(|k| m.entries.get(&k).cloned())
                .unwrap_or_else(|| m.zero.clone()))
        }
        Value::Pointer(p) => index_value(&p.borrow(), idx),
        Value::Object(o) => match &**o {
            Object::Header(h, _) => {
                let key = to_v(idx);
                Ok(Value::Slice(SliceVal::new(
                    h.borrow()
                        .iter()
                        .find(|(k, _)| *k == key)
                        .map(|(_, v)| v.iter().map(|s| Value::str(s)).collect())
                        .unwrap_or_default(),
                    Value::str(""),
                )))
            }
            _ => Ok(Value::Nil),
        },
        Value::Nil => Err(runtime_error(
            "invalid memory address or nil pointer dereference",
        )),
        _ => Ok(Value::Nil),
    }
}

fn slice_value(v: Value, lo: Option<Value>, hi: Option<Value>) -> R<Value> {
    let int = |v: &Option<Value>, d: usize| match v {
        Some(Value::Int(i)) => *i,
        _ => d as i64,
    };
    match v {
        Value::Str(s) => {
            let (l, h) = (int(&lo, 0), int(&hi, s.len()));
            if l < 0 || h < l || h as usize > s.len() {
                return Err(runtime_error(
                    format!(
                        "slice bounds out of range [{}:{h}] with length {}",
                        if l > h { l.to_string() } else { String::new() },
                        s.len()
                    )
                    .replace("[:", "[:")
                    .replace("[]", ""),
                ));
            }
            Ok(Value::str(&String::from_utf8_lossy(
                &s.as_bytes()[l as usize..h as usize],
            )))
        }
        Value::Slice(s) => {
            let cap = s.data.borrow().len().saturating_sub(s.off);
            let (l, h) = (int(&lo, 0), int(&hi, s.len));
            if h < 0 || h as usize > cap {
                return Err(runtime_error(format!(
                    "slice bounds out of range [:{h}] with capacity {cap}"
                )));
            }
            if l < 0 || l > h {
                return Err(runtime_error(format!(
                    "slice bounds out of range [{l}:{h}]"
                )));
            }
            Ok(Value::Slice(SliceVal {
                off: s.off + l as usize,
                len: (h - l) as usize,
                nil: false,
                ..s
            }))
        }
        other => Ok(other),
    }
}

pub fn truthy(v: &Value) -> bool {
    matches!(v, Value::Bool(true))
}

pub fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Nil, other) | (other, Value::Nil) => other.is_nil(),
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Int(x), Value::Float(y)) | (Value::Float(y), Value::Int(x)) => (*x as f64) == *y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Duration(x), Value::Duration(y) | Value::Int(y)) => x == y,
        (Value::Int(x), Value::Duration(y)) => x == y,
        (Value::Time(x), Value::Time(y)) => x == y,
        (Value::Error(x), Value::Error(y)) => Rc::ptr_eq(x, y),
        (Value::Pointer(x), Value::Pointer(y)) => Rc::ptr_eq(x, y),
        (Value::Struct(x), Value::Struct(y)) => {
            x.type_name == y.type_name
                && x.fields.len() == y.fields.len()
                && x.fields
                    .iter()
                    .zip(&y.fields)
                    .all(|((_, a), (_, b))| values_equal(a, b))
        }
        _ => false,
    }
}

fn compare(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Duration(x), Value::Duration(y) | Value::Int(y)) => Some(x.cmp(y)),
        (Value::Int(x), Value::Duration(y)) => Some(x.cmp(y)),
        (Value::Float(x), Value::Float(y)) => x.partial_cmp(y),
        (Value::Int(x), Value::Float(y)) => (*x as f64).partial_cmp(y),
        (Value::Float(x), Value::Int(y)) => x.partial_cmp(&(*y as f64)),
        (Value::Str(x), Value::Str(y)) => Some(x.cmp(y)),
        (Value::Time(x), Value::Time(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

impl Interp<'_> {
    fn binary(&mut self, op: &str, l: Value, r: Value) -> R<Value> {
        use std::cmp::Ordering::*;
        match op {
            "==" => return Ok(Value::Bool(values_equal(&l, &r))),
            "!=" => return Ok(Value::Bool(!values_equal(&l, &r))),
            "<" | "<=" | ">" | ">=" => {
                let o = compare(&l, &r);
                return Ok(Value::Bool(matches!(
                    (op, o),
                    ("<", Some(Less))
                        | ("<=", Some(Less | Equal))
                        | (">", Some(Greater))
                        | (">=", Some(Greater | Equal))
                )));
            }
            _ => {}
        }
        Ok(match (l, r) {
            (Value::Int(a), Value::Int(b)) => Value::Int(int_op(op, a, b)?),
            (Value::Duration(a), Value::Duration(b)) => match op {
                "/" => {
                    if b == 0 {
                        return Err(runtime_error("integer divide by zero"));
                    }
                    Value::Int(a / b)
                }
                _ => Value::Duration(int_op(op, a, b)?),
            },
            (Value::Duration(a), Value::Int(b)) | (Value::Int(b), Value::Duration(a)) => {
                Value::Duration(int_op(op, a, b)?)
            }
            (Value::Duration(a), Value::Float(b)) | (Value::Float(b), Value::Duration(a)) => {
                Value::Duration(float_op(op, a as f64, b) as i64)
            }
            (Value::Float(a), Value::Float(b)) => Value::Float(float_op(op, a, b)),
            (Value::Int(a), Value::Float(b)) => Value::Float(float_op(op, a as f64, b)),
            (Value::Float(a), Value::Int(b)) => Value::Float(float_op(op, a, b as f64)),
            (Value::Str(a), Value::Str(b)) if op == "+" => {
                if a.len() + b.len() > (256 << 20) {
                    return Err(runtime_error("out of memory"));
                }
                let mut s = String::with_capacity(a.len() + b.len());
                s.push_str(&a);
                s.push_str(&b);
                Value::str(&s)
            }
            (Value::Time(a), Value::Duration(b)) => Value::Time(a + b),
            (l, _) => l,
        })
    }
}

fn int_op(op: &str, a: i64, b: i64) -> R<i64> {
    Ok(match op {
        "+" => a.wrapping_add(b),
        "-" => a.wrapping_sub(b),
        "*" => a.wrapping_mul(b),
        "/" => {
            if b == 0 {
                return Err(runtime_error("integer divide by zero"));
            }
            a.wrapping_div(b)
        }
        "%" => {
            if b == 0 {
                return Err(runtime_error("integer divide by zero"));
            }
            a.wrapping_rem(b)
        }
        "&" => a & b,
        "|" => a | b,
        "^" => a ^ b,
        "&^" => a & !b,
        "<<" => {
            if b >= 64 {
                0
            } else {
                a.wrapping_shl(b as u32)
            }
        }
        ">>" => {
            if b >= 64 {
                if a < 0 { -1 } else { 0 }
            } else {
                a >> b
            }
        }
        _ => a,
    })
}

fn float_op(op: &str, a: f64, b: f64) -> f64 {
    match op {
        "+" => a + b,
        "-" => a - b,
        "*" => a * b,
        "/" => a / b,
        _ => a,
    }
}

fn format_radix(n: i64, base: u32) -> String {
    if n == 0 {
        return "0".into();
    }
    let neg = n < 0;
    let mut u = n.unsigned_abs();
    let mut digits = Vec::new();
    while u > 0 {
        digits.push(std::char::from_digit((u % base as u64) as u32, base).unwrap_or('0'));
        u /= base as u64;
    }
    if neg {
        digits.push('-');
    }
    digits.iter().rev().collect()
}

fn parse_go_int(s: &str) -> Option<i64> {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn looks_numeric(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    !body.is_empty() && body.bytes().all(|b| b.is_ascii_digit())
}

pub fn canonical_header(k: &str) -> String {
    k.split('-')
        .map(|part| {
            let mut c = part.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + &c.as_str().to_ascii_lowercase(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

fn set_header(h: &mut Vec<(String, Vec<String>)>, k: &str, v: &str) {
    match h.iter_mut().find(|(n, _)| n == k) {
        Some((_, vals)) => *vals = vec![v.to_string()],
        None => h.push((k.to_string(), vec![v.to_string()])),
    }
}

fn parse_query(q: &str) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for pair in q.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let (k, v) = (unescape(k), unescape(v));
        match out.iter_mut().find(|(n, _)| *n == k) {
            Some((_, vals)) => vals.push(v),
            None => out.push((k, vec![v])),
        }
    }
    out
}

fn unescape(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(
                    std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"),
                    16,
                ) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn clean_path(p: &str) -> String {
    if p.is_empty() {
        return "/".into();
    }
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    let mut out = format!("/{}", parts.join("/"));
    if p.ends_with('/') && out != "/" {
        out.push('/');
    }
    out
}

/// `http.DetectContentType`, for the bodies programs write.
pub fn sniff(body: &[u8]) -> &'static str {
    let start = body
        .iter()
        .position(|b| !matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' '))
        .unwrap_or(body.len());
    let head = &body[start..body.len().min(start + 512)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    for tag in [
        "<!doctype html",
        "<html",
        "<head",
        "<script",
        "<iframe",
        "<h1",
        "<div",
        "<font",
        "<table",
        "<a",
        "<style",
        "<title",
        "<b",
        "<body",
        "<br",
        "<p",
        "<!--",
    ] {
        if lower.starts_with(tag.as_bytes())
            && lower
                .get(tag.len())
                .is_some_and(|b| *b == b' ' || *b == b'>')
        {
            return "text/html; charset=utf-8";
        }
    }
    if lower.starts_with(b"<?xml") {
        return "text/xml; charset=utf-8";
    }
    if head.starts_with(b"%PDF-") {
        return "application/pdf";
    }
    if head.starts_with(b"\x89PNG\x0d\x0a\x1a\x0a") {
        return "image/png";
    }
    let binary = body[..body.len().min(512)]
        .iter()
        .any(|b| matches!(b, 0x00..=0x08 | 0x0b | 0x0e..=0x1a | 0x1c..=0x1f));
    if binary {
        "application/octet-stream"
    } else {
        "text/plain; charset=utf-8"
    }
}

fn status_code(name: &str) -> Option<u16> {
    Some(match name {
        "OK" => 200,
        "Created" => 201,
        "Accepted" => 202,
        "NoContent" => 204,
        "MovedPermanently" => 301,
        "Found" => 302,
        "SeeOther" => 303,
        "NotModified" => 304,
        "TemporaryRedirect" => 307,
        "BadRequest" => 400,
        "Unauthorized" => 401,
        "Forbidden" => 403,
        "NotFound" => 404,
        "MethodNotAllowed" => 405,
        "Conflict" => 409,
        "TooManyRequests" => 429,
        "InternalServerError" => 500,
        "NotImplemented" => 501,
        "BadGateway" => 502,
        "ServiceUnavailable" => 503,
        _ => return None,
    })
}

pub fn reason(code: u16) -> &'static str {
    match code {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "",
    }
}

/// encoding/json's output for a value: struct fields by their `json` tags, maps with
/// sorted keys, HTML characters escaped as Go escapes them.
pub fn json_encode(v: &Value, types: &HashMap<String, TypeExpr>) -> String {
    let mut out = String::new();
    json_value(v, types, &mut out, 0);
    out
}

fn json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn json_value(v: &Value, types: &HashMap<String, TypeExpr>, out: &mut String, depth: usize) {
    if depth > 64 {
        out.push_str("null");
        return;
    }
    match v {
        Value::Nil => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) | Value::Duration(i) => out.push_str(&i.to_string()),
        Value::Float(f) => {
            let a = f.abs();
            if a != 0.0 && !(1e-6..1e21).contains(&a) {
                let e = format!("{f:e}");
                let (m, x) = e.split_once('e').unwrap_or((&e, "0"));
                let x: i32 = x.parse().unwrap_or(0);
                out.push_str(&format!(
                    "{m}e{}{:02}",
                    if x < 0 { '-' } else { '+' },
                    x.abs()
                ));
            } else {
                out.push_str(&format_float_plain(*f));
            }
        }
        Value::Str(s) => json_string(s, out),
        Value::Error(_) => out.push_str("{}"),
        Value::Time(t) => {
            let dt = chrono::DateTime::from_timestamp(
                t.div_euclid(1_000_000_000),
                t.rem_euclid(1_000_000_000) as u32,
            )
            .unwrap_or_default();
            json_string(
                &dt.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
                out,
            )
        }
        Value::Slice(s) if s.nil => out.push_str("null"),
        Value::Slice(s) => {
            if is_byte_slice(s) {
                use base64::Engine as _;
                let bytes = bytes_of(Some(v));
                json_string(
                    &base64::engine::general_purpose::STANDARD.encode(bytes),
                    out,
                );
                return;
            }
            out.push('[');
            for (i, item) in s.items().iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_value(item, types, out, depth + 1);
            }
            out.push(']');
        }
        Value::Map(m) if m.borrow().nil => out.push_str("null"),
        Value::Map(m) => {
            out.push('{');
            let m = m.borrow();
            let mut entries: Vec<(String, &Value)> = m
                .entries
                .iter()
                .map(|(k, v)| (to_v(&k.to_value()), v))
                .collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_string(k, out);
                out.push(':');
                json_value(v, types, out, depth + 1);
            }
            out.push('}');
        }
        Value::Struct(s) => {
            let tname = s.type_name.trim_start_matches("main.");
            let fields: Vec<Field> = match types.get(tname) {
                Some(TypeExpr::Struct(f)) => f.clone(),
                _ => Vec::new(),
            };
            out.push('{');
            let mut first = true;
            for (name, val) in &s.fields {
                if !name.chars().next().is_some_and(char::is_uppercase) {
                    continue;
                }
                let tag = fields
                    .iter()
                    .find(|f| f.name == **name)
                    .and_then(|f| f.tag.clone())
                    .and_then(|t| tag_value(&t, "json"));
                let (key, omitempty) = match &tag {
                    Some(t) => {
                        let mut parts = t.split(',');
                        let k = parts.next().unwrap_or("");
                        if k == "-" {
                            continue;
                        }
                        let omit = parts.any(|p| p == "omitempty");
                        (
                            if k.is_empty() {
                                name.to_string()
                            } else {
                                k.to_string()
                            },
                            omit,
                        )
                    }
                    None => (name.to_string(), false),
                };
                if omitempty && is_empty_json(val) {
                    continue;
                }
                if !first {
                    out.push(',');
                }
                first = false;
                json_string(&key, out);
                out.push(':');
                json_value(val, types, out, depth + 1);
            }
            out.push('}');
        }
        Value::Pointer(p) => json_value(&p.borrow(), types, out, depth + 1),
        _ => out.push_str("null"),
    }
}

fn is_empty_json(v: &Value) -> bool {
    match v {
        Value::Nil => true,
        Value::Bool(b) => !b,
        Value::Int(i) => *i == 0,
        Value::Float(f) => *f == 0.0,
        Value::Str(s) => s.is_empty(),
        Value::Slice(s) => s.len == 0,
        Value::Map(m) => m.borrow().entries.is_empty(),
        _ => false,
    }
}

fn tag_value(tag: &str, key: &str) -> Option<String> {
    let prefix = format!("{key}:\"");
    let start = tag.find(&prefix)? + prefix.len();
    let end = tag[start..].find('"')?;
    Some(tag[start..start + end].to_string())
}

/// json.MarshalIndent's layout of compact JSON.
fn json_indent(compact: &str, prefix: &str, indent: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    let mut in_str = false;
    let mut escaped = false;
    let chars: Vec<char> = compact.chars().collect();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.push_str(prefix);
        for _ in 0..depth {
            out.push_str(indent);
        }
    };
    for (i, &c) in chars.iter().enumerate() {
        if in_str {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_str = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_str = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                let close = if c == '{' { '}' } else { ']' };
                if chars.get(i + 1) == Some(&close) {
                    continue;
                }
                depth += 1;
                newline(&mut out, depth);
            }
            '}' | ']' => {
                let open = if c == '}' { '{' } else { '[' };
                if i > 0 && chars[i - 1] == open {
                    out.push(c);
                    continue;
                }
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c => out.push(c),
        }
    }
    out
}

/// `time.Time.Format` for the layout elements programs use.
pub fn go_time_format(nanos: i64, layout: &str) -> String {
    let t = chrono::DateTime::from_timestamp(
        nanos.div_euclid(1_000_000_000),
        nanos.rem_euclid(1_000_000_000) as u32,
    )
    .unwrap_or_default();
    let table: &[(&str, &str)] = &[
        ("2006", "%Y"),
        ("January", "%B"),
        ("Monday", "%A"),
        ("Jan", "%b"),
        ("Mon", "%a"),
        ("MST", "UTC"),
        ("Z07:00", "Z"),
        ("-0700", "+0000"),
        ("-07:00", "+00:00"),
        ("01", "%m"),
        ("02", "%d"),
        ("_2", "%e"),
        ("06", "%y"),
        ("15", "%H"),
        ("03", "%I"),
        ("04", "%M"),
        ("05", "%S"),
        ("PM", "%p"),
        (".000000000", "%.9f"),
        (".000000", "%.6f"),
        (".000", "%.3f"),
        ("1", "%-m"),
        ("2", "%-d"),
        ("3", "%-I"),
        ("4", "%-M"),
        ("5", "%-S"),
    ];
    let mut out = String::new();
    let mut rest = layout;
    'outer: while !rest.is_empty() {
        for (go, strf) in table {
            if let Some(after) = rest.strip_prefix(go) {
                if strf.starts_with('%') {
                    out.push_str(&t.format(strf).to_string());
                } else {
                    out.push_str(strf);
                }
                rest = after;
                continue 'outer;
            }
        }
        let c = rest.chars().next().unwrap_or(' ');
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

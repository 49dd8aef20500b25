//! The evaluator: statements and expressions over `Value`s, scopes (module globals,
//! function locals with closures, class bodies), calls with Python's argument rules,
//! classes with single and multiple inheritance, exceptions with the tracebacks
//! CPython 3.12 prints (carets included), and the checks that stop a runaway loop.

use super::ast::*;
use super::value::*;
use crate::engine::shell::{Host, Vfs};
use std::cell::RefCell;
use std::collections::HashMap;
use std::io::Write;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// How a statement or expression ended other than normally.
pub enum Flow {
    Break,
    Continue,
    Return(Value),
    Raise(Box<Exc>),
    /// Valid Python this interpreter does not cover: the message names it. Not catchable.
    Limit(String),
    /// Ctrl-C or the lab's budget: stop everything.
    Stop,
}

pub type R<T> = Result<T, Flow>;

/// A call's positional and keyword arguments.
pub type Args = (Vec<Value>, Vec<(String, Value)>);

/// A raised exception on its way up, collecting the frames it leaves.
pub struct Exc {
    pub value: Value,
    /// Innermost frame first.
    pub frames: Vec<TbFrame>,
    /// The position in the frame being left, set by the innermost node that saw it.
    pub pending: Option<Span>,
    pub context: Option<Box<Exc>>,
}

#[derive(Clone)]
pub struct TbFrame {
    pub file: Rc<str>,
    pub name: String,
    pub span: Span,
    /// The binary operator's or subscript's position, for `~~^~~` markers.
    pub anchor: Option<(usize, usize)>,
}

/// What `app.run()` and friends do: run the server, or (when a service loads the
/// module to answer requests) nothing.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Program,
    Service,
}

pub struct Frame {
    pub globals: Map,
    pub local: Option<Rc<Scope>>,
    pub func: Option<Rc<Func>>,
    pub file: Rc<str>,
    pub name: String,
}

pub struct Interp<'a> {
    pub fs: &'a mut dyn Vfs,
    pub host: &'a mut dyn Host,
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
    pub stdin: Vec<u8>,
    pub stdin_pos: usize,
    pub env: Vec<(String, String)>,
    pub cwd: String,
    pub argv: Vec<String>,
    pub interrupt: Arc<AtomicBool>,
    pub modules: HashMap<String, Value>,
    pub builtins: Map,
    pub sources: HashMap<String, Rc<Vec<String>>>,
    pub frames: Vec<Frame>,
    pub mode: Mode,
    /// Where the interpreter's own files live: /usr/local/bin/python3.12 → /usr/local.
    pub prefix: String,
    /// The script's directory: sys.path[0].
    pub path0: String,
    pub handling: Vec<Value>,
    pub rng: u64,
    pub ticks: u64,
    /// Set by app.run / flask's server: (port, kind:arg) once it would listen.
    pub hostname: String,
    pub ip: String,
    pub classes: HashMap<&'static str, Rc<Class>>,
}

const MAX_DEPTH: usize = 120;

impl<'a> Interp<'a> {
    // ---- errors ----

    pub fn class(&self, name: &str) -> Rc<Class> {
        self.classes
            .get(name)
            .cloned()
            .unwrap_or_else(|| self.classes["Exception"].clone())
    }

    /// A new exception of built-in class `name` with one message argument.
    pub fn exc(&self, name: &str, msg: impl Into<String>) -> Flow {
        let msg = msg.into();
        let inst = Instance {
            class: self.class(name),
            dict: RefCell::new(HashMap::new()),
        };
        inst.dict
            .borrow_mut()
            .insert("args".into(), Value::tuple(vec![Value::str(msg)]));
        self.raise_value(Value::Instance(Rc::new(inst)))
    }

    pub fn exc_args(&self, name: &str, args: Vec<Value>) -> Flow {
        let inst = Instance {
            class: self.class(name),
            dict: RefCell::new(HashMap::new()),
        };
        inst.dict
            .borrow_mut()
            .insert("args".into(), Value::tuple(args));
        self.raise_value(Value::Instance(Rc::new(inst)))
    }

    pub fn raise_value(&self, value: Value) -> Flow {
        Flow::Raise(Box::new(Exc {
            value,
            frames: Vec::new(),
            pending: None,
            context: self.handling.last().map(|v| {
                Box::new(Exc {
                    value: v.clone(),
                    frames: Vec::new(),
                    pending: None,
                    context: None,
                })
            }),
        }))
    }

    pub fn type_error(&self, msg: impl Into<String>) -> Flow {
        self.exc("TypeError", msg)
    }

    pub fn limit(&self, what: &str) -> Flow {
        Flow::Limit(format!("this lab's python does not support {what}"))
    }

    pub fn check(&mut self) -> R<()> {
        self.ticks += 1;
        if self.ticks.is_multiple_of(64)
            && (self.interrupt.load(Ordering::Relaxed) || crate::engine::budget::exceeded())
        {
            return Err(Flow::Stop);
        }
        Ok(())
    }

    // ---- scopes ----

    fn frame(&self) -> &Frame {
        self.frames.last().expect("a frame")
    }

    pub fn lookup(&self, name: &str) -> R<Value> {
        let f = self.frame();
        if let Some(local) = &f.local {
            if let Some(v) = local.vars.borrow().get(name) {
                return Ok(v.clone());
            }
            if !local.is_class && local.locals.iter().any(|l| l == name) {
                return Err(self.exc(
                    "UnboundLocalError",
                    format!("cannot access local variable '{name}' where it is not associated with a value"),
                ));
            }
            let mut scope = local.parent.clone();
            while let Some(s) = scope {
                if let Some(v) = s.vars.borrow().get(name) {
                    return Ok(v.clone());
                }
                scope = s.parent.clone();
            }
        }
        if let Some(v) = f.globals.borrow().get(name) {
            return Ok(v.clone());
        }
        if let Some(v) = self.builtins.borrow().get(name) {
            return Ok(v.clone());
        }
        Err(self.exc("NameError", format!("name '{name}' is not defined")))
    }

    pub fn assign_name(&mut self, name: &str, v: Value) {
        let f = self.frame();
        if let Some(local) = &f.local {
            if local.is_class || local.locals.iter().any(|l| l == name) {
                local.vars.borrow_mut().insert(name.to_string(), v);
                return;
            }
            // Declared nonlocal: the nearest enclosing function scope that has it.
            let mut scope = local.parent.clone();
            while let Some(s) = scope {
                if s.vars.borrow().contains_key(name) {
                    s.vars.borrow_mut().insert(name.to_string(), v);
                    return;
                }
                scope = s.parent.clone();
            }
        }
        f.globals.borrow_mut().insert(name.to_string(), v);
    }

    fn delete_name(&mut self, name: &str) -> R<()> {
        let f = self.frame();
        let removed = match &f.local {
            Some(local) if local.is_class || local.locals.iter().any(|l| l == name) => {
                local.vars.borrow_mut().remove(name).is_some()
            }
            _ => f.globals.borrow_mut().remove(name).is_some(),
        };
        if removed {
            Ok(())
        } else {
            Err(self.exc("NameError", format!("name '{name}' is not defined")))
        }
    }

    // ---- running a module ----

    /// Runs `body` as module code in `globals`; the traceback frame is `<module>`.
    pub fn run_module(&mut self, body: &[Stmt], globals: Map, file: Rc<str>) -> R<()> {
        self.frames.push(Frame {
            globals,
            local: None,
            func: None,
            file: file.clone(),
            name: "<module>".into(),
        });
        let r = self.exec_block(body);
        let r = self.leave_frame(r);
        self.frames.pop();
        match r {
            Err(Flow::Return(_)) | Err(Flow::Break) | Err(Flow::Continue) => Ok(()),
            other => other,
        }
    }

    /// Records the frame being left on an exception passing through it.
    fn leave_frame<T>(&mut self, r: R<T>) -> R<T> {
        match r {
            Err(Flow::Raise(mut e)) => {
                let f = self.frame();
                let span = e.pending.take().unwrap_or_default();
                e.frames.push(TbFrame {
                    file: f.file.clone(),
                    name: f.name.clone(),
                    span,
                    anchor: None,
                });
                Err(Flow::Raise(e))
            }
            other => other,
        }
    }

    pub fn exec_block(&mut self, body: &[Stmt]) -> R<()> {
        for s in body {
            self.exec(s)?;
        }
        Ok(())
    }

    fn mark<T>(r: R<T>, span: Span) -> R<T> {
        match r {
            Err(Flow::Raise(mut e)) => {
                if e.pending.is_none() {
                    e.pending = Some(span);
                }
                Err(Flow::Raise(e))
            }
            other => other,
        }
    }

    fn exec(&mut self, s: &Stmt) -> R<()> {
        self.check()?;
        let r = self.exec_inner(s);
        Self::mark(r, s.span)
    }

    fn exec_inner(&mut self, s: &Stmt) -> R<()> {
        match &s.kind {
            StmtKind::Expr(e) => {
                self.eval(e)?;
            }
            StmtKind::Assign(targets, value) => {
                let v = self.eval(value)?;
                for t in targets {
                    self.assign(t, v.clone())?;
                }
            }
            StmtKind::AugAssign(target, op, value) => match &target.kind {
                ExprKind::Name(n) => {
                    let cur = Self::mark(self.lookup(n), target.span)?;
                    let rhs = self.eval(value)?;
                    let v = self.inplace(cur, *op, rhs, s.span)?;
                    self.assign_name(n, v);
                }
                ExprKind::Attr(obj, name) => {
                    let o = self.eval(obj)?;
                    let cur = Self::mark(self.getattr(&o, name), target.span)?;
                    let rhs = self.eval(value)?;
                    let v = self.inplace(cur, *op, rhs, s.span)?;
                    self.setattr(&o, name, v)?;
                }
                ExprKind::Index(obj, idx) => {
                    let o = self.eval(obj)?;
                    let i = self.eval(idx)?;
                    let cur = Self::mark(self.getitem(&o, &i), target.span)?;
                    let rhs = self.eval(value)?;
                    let v = self.inplace(cur, *op, rhs, s.span)?;
                    self.setitem(&o, i, v)?;
                }
                _ => return Err(self.limit("this augmented assignment")),
            },
            StmtKind::AnnAssign(target, value) => {
                if let Some(v) = value {
                    let v = self.eval(v)?;
                    self.assign(target, v)?;
                }
            }
            StmtKind::If(arms, orelse) => {
                for (cond, body) in arms {
                    if self.eval(cond)?.truthy() {
                        return self.exec_block(body);
                    }
                }
                self.exec_block(orelse)?;
            }
            StmtKind::While(cond, body, orelse) => loop {
                self.check()?;
                if !self.eval(cond)?.truthy() {
                    self.exec_block(orelse)?;
                    break;
                }
                match self.exec_block(body) {
                    Err(Flow::Break) => break,
                    Err(Flow::Continue) | Ok(()) => {}
                    Err(e) => return Err(e),
                }
            },
            StmtKind::For(target, iter, body, orelse) => {
                let it = self.eval(iter)?;
                let mut broke = false;
                self.for_each(&it, iter.span, |me, item| {
                    me.assign(target, item)?;
                    match me.exec_block(body) {
                        Err(Flow::Break) => {
                            broke = true;
                            Ok(false)
                        }
                        Err(Flow::Continue) | Ok(()) => Ok(true),
                        Err(e) => Err(e),
                    }
                })?;
                if !broke {
                    self.exec_block(orelse)?;
                }
            }
            StmtKind::Break => return Err(Flow::Break),
            StmtKind::Continue => return Err(Flow::Continue),
            StmtKind::Pass => {}
            StmtKind::Return(v) => {
                let v = match v {
                    Some(e) => self.eval(e)?,
                    None => Value::None,
                };
                return Err(Flow::Return(v));
            }
            StmtKind::Def(def) => {
                let f = self.make_function(def)?;
                let mut v = Value::Func(f);
                for d in def.decorators.iter().rev() {
                    let dec = self.eval(d)?;
                    v = Self::mark(self.call(&dec, vec![v], Vec::new()), d.span)?;
                }
                self.assign_name(&def.name, v);
            }
            StmtKind::Class {
                name,
                bases,
                body,
                decorators,
            } => {
                let v = self.make_class(name, bases, body)?;
                let mut v = v;
                for d in decorators.iter().rev() {
                    let dec = self.eval(d)?;
                    v = self.call(&dec, vec![v], Vec::new())?;
                }
                self.assign_name(name, v);
            }
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finally,
            } => {
                let r = self.exec_block(body);
                let r = match r {
                    Err(Flow::Raise(e)) => self.handle(e, handlers),
                    Ok(()) => self.exec_block(orelse),
                    other => other,
                };
                if !finally.is_empty() {
                    self.exec_block(finally)?;
                }
                r?;
            }
            StmtKind::Raise(value, cause) => {
                let Some(e) = value else {
                    return match self.handling.last() {
                        Some(v) => Err(self.raise_value(v.clone())),
                        None => Err(self.exc("RuntimeError", "No active exception to reraise")),
                    };
                };
                let v = self.eval(e)?;
                if let Some(c) = cause {
                    self.eval(c)?;
                }
                let v = match &v {
                    Value::Class(c) if self.is_exception_class(c) => {
                        self.call(&v, Vec::new(), Vec::new())?
                    }
                    Value::Instance(i) if self.is_exception_class(&i.class) => v,
                    _ => {
                        return Err(self.type_error("exceptions must derive from BaseException"));
                    }
                };
                return Err(self.raise_value(v));
            }
            StmtKind::With(items, body) => return self.with(items, body),
            StmtKind::Import(names) => {
                for (name, alias) in names {
                    let m = self.import(name, s.span)?;
                    match alias {
                        Some(a) => {
                            let target = self.import_dotted_leaf(name, m)?;
                            self.assign_name(a, target);
                        }
                        None => {
                            let top = name.split('.').next().unwrap_or(name);
                            let top_mod = self.modules.get(top).cloned().unwrap_or(m);
                            self.assign_name(top, top_mod);
                        }
                    }
                }
            }
            StmtKind::ImportFrom(module, names, level) => {
                if *level > 0 {
                    return Err(self.limit("relative imports ('from . import ...')"));
                }
                let m = self.import(module, s.span)?;
                let m = self.import_dotted_leaf(module, m)?;
                for (name, alias) in names {
                    if name == "*" {
                        if let Value::Module(md) = &m {
                            let items: Vec<(String, Value)> = md
                                .dict
                                .borrow()
                                .iter()
                                .filter(|(k, _)| !k.starts_with('_'))
                                .map(|(k, v)| (k.clone(), v.clone()))
                                .collect();
                            for (k, v) in items {
                                self.assign_name(&k, v);
                            }
                        }
                        continue;
                    }
                    let v = match self.getattr(&m, name) {
                        Ok(v) => v,
                        Err(Flow::Raise(_)) => {
                            // A submodule: `from os import path`.
                            let full = format!("{module}.{name}");
                            match self.import(&full, s.span) {
                                Ok(v) => v,
                                Err(_) => {
                                    let file = match &m {
                                        Value::Module(md) => md
                                            .dict
                                            .borrow()
                                            .get("__file__")
                                            .map(|f| self.to_str(f))
                                            .unwrap_or_else(|| "unknown location".into()),
                                        _ => "unknown location".into(),
                                    };
                                    let msg = format!(
                                        "cannot import name '{name}' from '{module}' ({file})"
                                    );
                                    return Err(self.exc("ImportError", msg));
                                }
                            }
                        }
                        Err(e) => return Err(e),
                    };
                    self.assign_name(alias.as_ref().unwrap_or(name), v);
                }
            }
            StmtKind::Global(_) | StmtKind::Nonlocal(_) => {}
            StmtKind::Del(targets) => {
                for t in targets {
                    match &t.kind {
                        ExprKind::Name(n) => self.delete_name(n)?,
                        ExprKind::Index(o, i) => {
                            let o = self.eval(o)?;
                            let i = self.eval(i)?;
                            self.delitem(&o, &i)?;
                        }
                        ExprKind::Attr(o, n) => {
                            let o = self.eval(o)?;
                            if let Value::Instance(inst) = &o {
                                inst.dict.borrow_mut().remove(n);
                            }
                        }
                        _ => return Err(self.limit("this 'del' target")),
                    }
                }
            }
            StmtKind::Assert(cond, msg) => {
                if !self.eval(cond)?.truthy() {
                    return Err(match msg {
                        Some(m) => {
                            let m = self.eval(m)?;
                            self.exc_args("AssertionError", vec![m])
                        }
                        None => self.exc_args("AssertionError", Vec::new()),
                    });
                }
            }
        }
        Ok(())
    }

    fn import_dotted_leaf(&mut self, name: &str, m: Value) -> R<Value> {
        Ok(self.modules.get(name).cloned().unwrap_or(m))
    }

    fn handle(&mut self, e: Box<Exc>, handlers: &[Handler]) -> R<()> {
        for h in handlers {
            let matches = match &h.types {
                None => true,
                Some(t) => {
                    let t = self.eval(t)?;
                    self.exc_matches(&e.value, &t)?
                }
            };
            if !matches {
                continue;
            }
            if let Some(n) = &h.name {
                self.assign_name(n, e.value.clone());
            }
            self.handling.push(e.value.clone());
            let r = self.exec_block(&h.body);
            self.handling.pop();
            if let Some(n) = &h.name {
                let _ = self.delete_name(n);
            }
            // An exception raised while handling keeps the one handled as its context.
            return match r {
                Err(Flow::Raise(mut new)) => {
                    if !new.value.is(&e.value) && new.context.is_none() {
                        new.context = Some(e);
                    } else if new.value.is(&e.value) {
                        new.frames = e.frames;
                        new.context = e.context;
                    } else if let Some(ctx) = &mut new.context
                        && ctx.value.is(&e.value)
                    {
                        *ctx = e;
                    }
                    Err(Flow::Raise(new))
                }
                other => other,
            };
        }
        Err(Flow::Raise(e))
    }

    pub fn is_exception_class(&self, c: &Class) -> bool {
        c.is_subclass(&self.classes["BaseException"])
    }

    fn exc_matches(&self, v: &Value, t: &Value) -> R<bool> {
        let Value::Instance(inst) = v else {
            return Ok(false);
        };
        match t {
            Value::Class(c) => Ok(inst.class.is_subclass(c)),
            Value::Tuple(items) => {
                for i in items.iter() {
                    if self.exc_matches(v, i)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            _ => Err(self.type_error(
                "catching classes that do not inherit from BaseException is not allowed",
            )),
        }
    }

    fn with(&mut self, items: &[(Expr, Option<Expr>)], body: &[Stmt]) -> R<()> {
        let Some(((ctx_expr, var), rest)) = items.split_first() else {
            return self.exec_block(body);
        };
        let ctx = self.eval(ctx_expr)?;
        let entered = self.call_method(&ctx, "__enter__", Vec::new())?;
        if let Some(v) = var {
            self.assign(v, entered)?;
        }
        let r = self.with(rest, body);
        let exc_val = match &r {
            Err(Flow::Raise(e)) => e.value.clone(),
            _ => Value::None,
        };
        let suppress = self.call_method(
            &ctx,
            "__exit__",
            vec![Value::None, exc_val.clone(), Value::None],
        )?;
        if suppress.truthy() && matches!(r, Err(Flow::Raise(_))) {
            return Ok(());
        }
        r
    }

    pub fn call_method(&mut self, obj: &Value, name: &str, args: Vec<Value>) -> R<Value> {
        let m = self.getattr(obj, name)?;
        self.call(&m, args, Vec::new())
    }

    // ---- assignment ----

    pub fn assign(&mut self, target: &Expr, v: Value) -> R<()> {
        match &target.kind {
            ExprKind::Name(n) => {
                self.assign_name(n, v);
                Ok(())
            }
            ExprKind::Attr(obj, name) => {
                let o = self.eval(obj)?;
                Self::mark(self.setattr(&o, name, v), target.span)
            }
            ExprKind::Index(obj, idx) => {
                let o = self.eval(obj)?;
                let i = self.eval(idx)?;
                Self::mark(self.setitem(&o, i, v), target.span)
            }
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                let values = self.iterate(&v)?;
                let star = items
                    .iter()
                    .position(|i| matches!(i.kind, ExprKind::Starred(_)));
                match star {
                    None => {
                        if values.len() != items.len() {
                            return Err(if values.len() > items.len() {
                                self.exc(
                                    "ValueError",
                                    format!("too many values to unpack (expected {})", items.len()),
                                )
                            } else {
                                self.exc(
                                    "ValueError",
                                    format!(
                                        "not enough values to unpack (expected {}, got {})",
                                        items.len(),
                                        values.len()
                                    ),
                                )
                            });
                        }
                        for (t, v) in items.iter().zip(values) {
                            self.assign(t, v)?;
                        }
                    }
                    Some(s) => {
                        let after = items.len() - s - 1;
                        if values.len() < items.len() - 1 {
                            return Err(self.exc(
                                "ValueError",
                                format!(
                                    "not enough values to unpack (expected at least {}, got {})",
                                    items.len() - 1,
                                    values.len()
                                ),
                            ));
                        }
                        for (t, v) in items[..s].iter().zip(values.iter()) {
                            self.assign(t, v.clone())?;
                        }
                        let mid = values[s..values.len() - after].to_vec();
                        if let ExprKind::Starred(inner) = &items[s].kind {
                            self.assign(inner, Value::list(mid))?;
                        }
                        for (t, v) in items[s + 1..]
                            .iter()
                            .zip(values[values.len() - after..].iter())
                        {
                            self.assign(t, v.clone())?;
                        }
                    }
                }
                Ok(())
            }
            ExprKind::Starred(inner) => self.assign(inner, v),
            _ => Err(self.limit("this assignment target")),
        }
    }

    // ---- functions and classes ----

    fn make_function(&mut self, def: &Rc<FuncDef>) -> R<Rc<Func>> {
        let mut defaults = Vec::new();
        for (_, d) in &def.params.pos {
            defaults.push(match d {
                Some(e) => Some(self.eval(e)?),
                None => None,
            });
        }
        let mut kw_defaults = Vec::new();
        for (_, d) in &def.params.kwonly {
            kw_defaults.push(match d {
                Some(e) => Some(self.eval(e)?),
                None => None,
            });
        }
        let f = self.frame();
        let closure = f.local.as_ref().map(|l| {
            if l.is_class {
                l.parent.clone()
            } else {
                Some(l.clone())
            }
        });
        let qualname = match &f.func {
            Some(parent) => format!("{}.<locals>.{}", parent.qualname, def.name),
            None => def.name.clone(),
        };
        Ok(Rc::new(Func {
            def: def.clone(),
            name: def.name.clone(),
            params: def.params.clone(),
            defaults,
            kw_defaults,
            globals: f.globals.clone(),
            closure: closure.flatten(),
            file: f.file.clone(),
            lambda: None,
            owner: RefCell::new(None),
            qualname,
            attrs: RefCell::new(HashMap::new()),
        }))
    }

    fn make_class(&mut self, name: &str, bases: &[Expr], body: &[Stmt]) -> R<Value> {
        let mut base_classes = Vec::new();
        for b in bases {
            match self.eval(b)? {
                Value::Class(c) => base_classes.push(c),
                Value::Builtin(b) if b.name == "object" => {}
                other => {
                    return Err(self.limit(&format!(
                        "subclassing '{}' (only classes defined in Python and exceptions)",
                        other.type_name()
                    )));
                }
            }
        }
        let f = self.frame();
        let scope = Rc::new(Scope {
            vars: RefCell::new(HashMap::new()),
            parent: f.local.clone(),
            locals: Rc::new(Vec::new()),
            is_class: true,
        });
        let module = f
            .globals
            .borrow()
            .get("__name__")
            .map(|v| self.to_str(v))
            .unwrap_or_else(|| "__main__".into());
        let frame = Frame {
            globals: f.globals.clone(),
            local: Some(scope.clone()),
            func: f.func.clone(),
            file: f.file.clone(),
            name: name.to_string(),
        };
        self.frames.push(frame);
        let r = self.exec_block(body);
        let r = self.leave_frame(r);
        self.frames.pop();
        r?;
        let builtin = base_classes.iter().any(|b| b.builtin);
        let class = Rc::new(Class {
            name: name.to_string(),
            module,
            bases: base_classes,
            dict: RefCell::new(scope.vars.borrow().clone()),
            builtin,
        });
        for v in class.dict.borrow().values() {
            let f = match v {
                Value::Func(f) => Some(f.clone()),
                Value::Object(o) => match &o.kind {
                    ObjKind::StaticMethod(Value::Func(f))
                    | ObjKind::ClassMethod(Value::Func(f))
                    | ObjKind::Property(Value::Func(f)) => Some(f.clone()),
                    _ => None,
                },
                _ => None,
            };
            if let Some(f) = f {
                *f.owner.borrow_mut() = Some(class.clone());
            }
        }
        Ok(Value::Class(class))
    }

    pub fn call(&mut self, f: &Value, args: Vec<Value>, kwargs: Vec<(String, Value)>) -> R<Value> {
        self.check()?;
        match f {
            Value::Func(func) => self.call_function(func, args, kwargs),
            Value::Builtin(b) => (b.f)(self, &b.name, b.this.as_ref(), args, kwargs),
            Value::Bound(pair) => {
                let (this, func) = (&pair.0, &pair.1);
                let mut all = Vec::with_capacity(args.len() + 1);
                all.push(this.clone());
                all.extend(args);
                self.call(func, all, kwargs)
            }
            Value::Class(c) => self.instantiate(c, args, kwargs),
            Value::Instance(_) => {
                let m = self.getattr(f, "__call__").map_err(|_| {
                    self.type_error(format!("'{}' object is not callable", f.type_name()))
                })?;
                self.call(&m, args, kwargs)
            }
            Value::Object(o) => match &o.kind {
                ObjKind::StaticMethod(inner) | ObjKind::ClassMethod(inner) => {
                    let inner = inner.clone();
                    self.call(&inner, args, kwargs)
                }
                _ => super::modules::call_object(self, f, args, kwargs),
            },
            _ => Err(self.type_error(format!("'{}' object is not callable", f.type_name()))),
        }
    }

    fn instantiate(
        &mut self,
        c: &Rc<Class>,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
    ) -> R<Value> {
        let inst = Value::Instance(Rc::new(Instance {
            class: c.clone(),
            dict: RefCell::new(HashMap::new()),
        }));
        if let Value::Instance(i) = &inst
            && self.is_exception_class(c)
        {
            i.dict
                .borrow_mut()
                .insert("args".into(), Value::tuple(args.clone()));
        }
        match c.lookup("__init__") {
            Some(init) => {
                let r = self.call(&init, [vec![inst.clone()], args].concat(), kwargs)?;
                if !matches!(r, Value::None) {
                    return Err(self.type_error(format!(
                        "__init__() should return None, not '{}'",
                        r.type_name()
                    )));
                }
            }
            None => {
                if !self.is_exception_class(c) && (!args.is_empty() || !kwargs.is_empty()) {
                    return Err(self.type_error(format!("{}() takes no arguments", c.name)));
                }
            }
        }
        Ok(inst)
    }

    pub fn call_function(
        &mut self,
        func: &Rc<Func>,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
    ) -> R<Value> {
        if self.frames.len() > MAX_DEPTH {
            return Err(Flow::Limit(format!(
                "this lab's python stops at a call depth of {MAX_DEPTH} (CPython's limit is 1000): a recursion that never ends?"
            )));
        }
        let scope = Rc::new(Scope {
            vars: RefCell::new(HashMap::new()),
            parent: func.closure.clone(),
            locals: func.def.locals.clone(),
            is_class: false,
        });
        self.bind_args(func, &scope, args, kwargs)?;
        self.frames.push(Frame {
            globals: func.globals.clone(),
            local: Some(scope),
            func: Some(func.clone()),
            file: func.file.clone(),
            name: func.name.clone(),
        });
        let r = match &func.lambda {
            Some(body) => self.eval(body).map_err(|e| match e {
                Flow::Raise(mut x) => {
                    if x.pending.is_none() {
                        x.pending = Some(body.span);
                    }
                    Flow::Raise(x)
                }
                other => other,
            }),
            None => self.exec_block(&func.def.body).map(|_| Value::None),
        };
        let r = self.leave_frame(r);
        self.frames.pop();
        match r {
            Ok(v) => Ok(v),
            Err(Flow::Return(v)) => Ok(v),
            Err(Flow::Break) | Err(Flow::Continue) => Ok(Value::None),
            Err(e) => Err(e),
        }
    }

    fn bind_args(
        &mut self,
        func: &Rc<Func>,
        scope: &Rc<Scope>,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
    ) -> R<()> {
        let p = &func.params;
        let name = &func.name;
        let mut vars = scope.vars.borrow_mut();
        let npos = p.pos.len();
        let mut extra = Vec::new();
        for (i, a) in args.into_iter().enumerate() {
            if i < npos {
                vars.insert(p.pos[i].0.clone(), a);
            } else {
                extra.push(a);
            }
        }
        if !extra.is_empty() {
            match &p.star {
                Some(s) => {
                    vars.insert(s.clone(), Value::tuple(extra));
                }
                None => {
                    let given = npos + extra.len();
                    let required = p.pos.iter().filter(|(_, d)| d.is_none()).count();
                    let takes = if required == npos {
                        format!("{npos}")
                    } else {
                        format!("from {required} to {npos}")
                    };
                    drop(vars);
                    return Err(self.type_error(format!(
                        "{name}() takes {takes} positional argument{} but {given} {} given",
                        if npos == 1 && required == npos {
                            ""
                        } else {
                            "s"
                        },
                        if given == 1 { "was" } else { "were" }
                    )));
                }
            }
        } else if let Some(s) = &p.star {
            vars.insert(s.clone(), Value::tuple(Vec::new()));
        }
        let mut kw_extra = Dict::new();
        for (k, v) in kwargs {
            let known = p.pos.iter().any(|(n, _)| *n == k) || p.kwonly.iter().any(|(n, _)| *n == k);
            if known {
                if vars.contains_key(&k) {
                    drop(vars);
                    return Err(
                        self.type_error(format!("{name}() got multiple values for argument '{k}'"))
                    );
                }
                vars.insert(k, v);
            } else if p.starstar.is_some() {
                kw_extra.set_str(&k, v);
            } else {
                drop(vars);
                return Err(
                    self.type_error(format!("{name}() got an unexpected keyword argument '{k}'"))
                );
            }
        }
        if let Some(ss) = &p.starstar {
            vars.insert(ss.clone(), Value::dict(kw_extra));
        }
        let mut missing = Vec::new();
        for (i, (n, _)) in p.pos.iter().enumerate() {
            if !vars.contains_key(n) {
                match &func.defaults[i] {
                    Some(d) => {
                        vars.insert(n.clone(), d.clone());
                    }
                    None => missing.push(n.clone()),
                }
            }
        }
        if !missing.is_empty() {
            drop(vars);
            let list = name_list(&missing);
            return Err(self.type_error(format!(
                "{name}() missing {} required positional argument{}: {list}",
                missing.len(),
                if missing.len() == 1 { "" } else { "s" }
            )));
        }
        for (i, (n, _)) in p.kwonly.iter().enumerate() {
            if !vars.contains_key(n) {
                match &func.kw_defaults[i] {
                    Some(d) => {
                        vars.insert(n.clone(), d.clone());
                    }
                    None => missing.push(n.clone()),
                }
            }
        }
        if !missing.is_empty() {
            drop(vars);
            let list = name_list(&missing);
            return Err(self.type_error(format!(
                "{name}() missing {} required keyword-only argument{}: {list}",
                missing.len(),
                if missing.len() == 1 { "" } else { "s" }
            )));
        }
        Ok(())
    }

    // ---- iteration ----

    /// Calls `f` for each item; `f` returns false to stop.
    pub fn for_each(
        &mut self,
        it: &Value,
        span: Span,
        mut f: impl FnMut(&mut Self, Value) -> R<bool>,
    ) -> R<()> {
        match it {
            Value::Range(a, b, s) => {
                let mut i = *a;
                while (*s > 0 && i < *b) || (*s < 0 && i > *b) {
                    self.check()?;
                    if !f(self, Value::Int(i))? {
                        break;
                    }
                    i += s;
                }
                Ok(())
            }
            Value::List(l) => {
                let mut i = 0;
                loop {
                    self.check()?;
                    let item = l.borrow().get(i).cloned();
                    let Some(item) = item else { break };
                    if !f(self, item)? {
                        break;
                    }
                    i += 1;
                }
                Ok(())
            }
            Value::Iter(state) => {
                loop {
                    self.check()?;
                    let item = {
                        let mut s = state.borrow_mut();
                        let item = s.items.get(s.pos).cloned();
                        s.pos += 1;
                        item
                    };
                    let Some(item) = item else { break };
                    if !f(self, item)? {
                        break;
                    }
                }
                Ok(())
            }
            _ => {
                let items = Self::mark(self.iterate(it), span)?;
                for item in items {
                    self.check()?;
                    if !f(self, item)? {
                        break;
                    }
                }
                Ok(())
            }
        }
    }

    /// All items of an iterable, as a vector.
    pub fn iterate(&mut self, v: &Value) -> R<Vec<Value>> {
        Ok(match v {
            Value::List(l) => l.borrow().clone(),
            Value::Tuple(t) => t.to_vec(),
            Value::Str(s) => s.chars().map(|c| Value::str(c.to_string())).collect(),
            Value::Bytes(b) => b.iter().map(|c| Value::Int(*c as i64)).collect(),
            Value::Dict(d) => d.borrow().keys.clone(),
            Value::Set(d) => d.borrow().keys.clone(),
            Value::Range(a, b, s) => {
                let n = range_len(*a, *b, *s);
                if n > 10_000_000 {
                    return Err(Flow::Limit(
                        "this lab's python does not hold more than 10,000,000 items in a list"
                            .into(),
                    ));
                }
                (0..n).map(|i| Value::Int(a + i * s)).collect()
            }
            Value::Iter(state) => {
                let mut s = state.borrow_mut();
                let rest = s.items[s.pos.min(s.items.len())..].to_vec();
                s.pos = s.items.len();
                rest
            }
            Value::Object(o) => match &o.kind {
                ObjKind::File(f) => {
                    let mut f = f.borrow_mut();
                    let text =
                        String::from_utf8_lossy(&f.data[f.pos.min(f.data.len())..]).into_owned();
                    f.pos = f.data.len();
                    text.split_inclusive('\n').map(Value::str).collect()
                }
                ObjKind::MultiDict(items, _) => {
                    let mut keys: Vec<Value> = Vec::new();
                    for (k, _) in items {
                        if !keys
                            .iter()
                            .any(|x| matches!(x, Value::Str(s) if **s == **k))
                        {
                            keys.push(Value::str(k.as_str()));
                        }
                    }
                    keys
                }
                _ => {
                    return Err(
                        self.type_error(format!("'{}' object is not iterable", v.type_name()))
                    );
                }
            },
            Value::Instance(_) => {
                if let Ok(it) = self.getattr(v, "__iter__") {
                    let r = self.call(&it, Vec::new(), Vec::new())?;
                    return self.iterate(&r);
                }
                return Err(self.type_error(format!("'{}' object is not iterable", v.type_name())));
            }
            _ => {
                return Err(self.type_error(format!("'{}' object is not iterable", v.type_name())));
            }
        })
    }

    // ---- expressions ----

    pub fn eval(&mut self, e: &Expr) -> R<Value> {
        let r = self.eval_inner(e);
        match r {
            Err(Flow::Raise(mut x)) => {
                if x.pending.is_none() {
                    x.pending = Some(e.span);
                }
                Err(Flow::Raise(x))
            }
            other => other,
        }
    }

    fn eval_inner(&mut self, e: &Expr) -> R<Value> {
        Ok(match &e.kind {
            ExprKind::Name(n) => self.lookup(n)?,
            ExprKind::None => Value::None,
            ExprKind::Bool(b) => Value::Bool(*b),
            ExprKind::Int(i) => Value::Int(*i),
            ExprKind::Float(f) => Value::Float(*f),
            ExprKind::Str(s) => Value::str(s.as_str()),
            ExprKind::Bytes(b) => Value::Bytes(Rc::new(b.clone())),
            ExprKind::Ellipsis => Value::str("Ellipsis"),
            ExprKind::FStr(parts) => Value::str(self.fstring(parts)?),
            ExprKind::List(items) => Value::list(self.eval_items(items)?),
            ExprKind::Tuple(items) => Value::tuple(self.eval_items(items)?),
            ExprKind::Set(items) => {
                let mut d = Dict::new();
                for v in self.eval_items(items)? {
                    if !d.insert(v.clone(), Value::None) {
                        return Err(self.unhashable(&v));
                    }
                }
                Value::Set(Rc::new(RefCell::new(d)))
            }
            ExprKind::Dict(items) => {
                let mut d = Dict::new();
                for (k, v) in items {
                    match k {
                        Some(k) => {
                            let k = self.eval(k)?;
                            let v = self.eval(v)?;
                            if !d.insert(k.clone(), v) {
                                return Err(self.unhashable(&k));
                            }
                        }
                        None => {
                            let m = self.eval(v)?;
                            let Value::Dict(src) = &m else {
                                return Err(self.type_error(format!(
                                    "'{}' object is not a mapping",
                                    m.type_name()
                                )));
                            };
                            for (k, v) in src.borrow().items() {
                                d.insert(k.clone(), v.clone());
                            }
                        }
                    }
                }
                Value::dict(d)
            }
            ExprKind::Bin(l, op, r) => {
                let a = self.eval(l)?;
                let b = self.eval(r)?;
                self.binop(a, *op, b)
                    .map_err(|f| self.anchor_binop(f, l, r))?
            }
            ExprKind::Unary(op, x) => {
                let v = self.eval(x)?;
                match op {
                    UnOp::Not => Value::Bool(!self.truthy(&v)?),
                    UnOp::Neg => match v {
                        Value::Int(i) => {
                            Value::Int(i.checked_neg().ok_or_else(|| self.int_limit())?)
                        }
                        Value::Bool(b) => Value::Int(-(b as i64)),
                        Value::Float(f) => Value::Float(-f),
                        Value::Object(ref o) if matches!(o.kind, ObjKind::TimeDelta(_)) => {
                            if let ObjKind::TimeDelta(s) = o.kind {
                                super::modules::timedelta(-s)
                            } else {
                                Value::None
                            }
                        }
                        _ => {
                            return Err(self.type_error(format!(
                                "bad operand type for unary -: '{}'",
                                v.type_name()
                            )));
                        }
                    },
                    UnOp::Pos => match v {
                        Value::Int(_) | Value::Float(_) => v,
                        Value::Bool(b) => Value::Int(b as i64),
                        _ => {
                            return Err(self.type_error(format!(
                                "bad operand type for unary +: '{}'",
                                v.type_name()
                            )));
                        }
                    },
                    UnOp::Invert => match v {
                        Value::Int(i) => Value::Int(!i),
                        Value::Bool(b) => Value::Int(!(b as i64)),
                        _ => {
                            return Err(self.type_error(format!(
                                "bad operand type for unary ~: '{}'",
                                v.type_name()
                            )));
                        }
                    },
                }
            }
            ExprKind::And(l, r) => {
                let a = self.eval(l)?;
                if !self.truthy(&a)? { a } else { self.eval(r)? }
            }
            ExprKind::Or(l, r) => {
                let a = self.eval(l)?;
                if self.truthy(&a)? { a } else { self.eval(r)? }
            }
            ExprKind::Compare(first, rest) => {
                let mut left = self.eval(first)?;
                for (op, re) in rest {
                    let right = self.eval(re)?;
                    if !self.compare(&left, *op, &right)? {
                        return Ok(Value::Bool(false));
                    }
                    left = right;
                }
                Value::Bool(true)
            }
            ExprKind::Call(fe, args) => {
                let (f, mut pos, kw) = {
                    let f = self.eval(fe)?;
                    let (pos, kw) = self.eval_args(args)?;
                    (f, pos, kw)
                };
                // `super()` with no arguments: the method's class and its first argument.
                if let Value::Builtin(b) = &f
                    && b.name == "super"
                    && pos.is_empty()
                {
                    let frame = self.frame();
                    let owner = frame.func.as_ref().and_then(|f| f.owner.borrow().clone());
                    let first = frame.func.as_ref().and_then(|f| {
                        f.params
                            .pos
                            .first()
                            .and_then(|(n, _)| frame.local.as_ref()?.vars.borrow().get(n).cloned())
                    });
                    match (owner, first) {
                        (Some(c), Some(this)) => {
                            pos.push(Value::Class(c));
                            pos.push(this);
                        }
                        _ => return Err(self.exc("RuntimeError", "super(): no arguments")),
                    }
                }
                self.call(&f, pos, kw)?
            }
            ExprKind::Attr(obj, name) => {
                let o = self.eval(obj)?;
                self.getattr(&o, name)?
            }
            ExprKind::Index(obj, idx) => {
                let o = self.eval(obj)?;
                let i = self.eval(idx)?;
                self.getitem(&o, &i).map_err(|f| match f {
                    Flow::Raise(mut x) => {
                        if x.pending.is_none() {
                            x.pending = Some(e.span);
                            x.frames.push(TbFrame {
                                file: Rc::from(""),
                                name: "\0anchor".into(),
                                span: obj.span,
                                anchor: Some((obj.span.end_col, obj.span.end_col)),
                            });
                        }
                        Flow::Raise(x)
                    }
                    other => other,
                })?
            }
            ExprKind::Slice(a, b, c) => {
                let mut get = |x: &Option<Box<Expr>>| -> R<Value> {
                    match x {
                        Some(e) => self.eval(e),
                        None => Ok(Value::None),
                    }
                };
                let (a, b, c) = (get(a)?, get(b)?, get(c)?);
                Value::Slice(Rc::new((a, b, c)))
            }
            ExprKind::Lambda(params, body) => {
                let def = Rc::new(FuncDef {
                    name: "<lambda>".into(),
                    params: params.clone(),
                    body: Rc::new(Vec::new()),
                    decorators: Vec::new(),
                    locals: Rc::new(
                        params
                            .pos
                            .iter()
                            .map(|(n, _)| n.clone())
                            .chain(params.star.clone())
                            .chain(params.starstar.clone())
                            .collect(),
                    ),
                });
                let f = self.make_function(&def)?;
                let f = Func {
                    def: f.def.clone(),
                    name: f.name.clone(),
                    params: f.params.clone(),
                    defaults: f.defaults.clone(),
                    kw_defaults: f.kw_defaults.clone(),
                    globals: f.globals.clone(),
                    closure: f.closure.clone(),
                    file: f.file.clone(),
                    lambda: Some(body.clone()),
                    owner: RefCell::new(None),
                    qualname: f.qualname.clone(),
                    attrs: RefCell::new(HashMap::new()),
                };
                Value::Func(Rc::new(f))
            }
            ExprKind::IfExp(cond, a, b) => {
                if self.eval(cond)?.truthy() {
                    self.eval(a)?
                } else {
                    self.eval(b)?
                }
            }
            ExprKind::ListComp(elt, comps) | ExprKind::GenExp(elt, comps) => {
                let mut out = Vec::new();
                self.comprehension(comps, &mut |me| {
                    out.push(me.eval(elt)?);
                    Ok(())
                })?;
                if matches!(e.kind, ExprKind::GenExp(..)) {
                    Value::Iter(Rc::new(RefCell::new(IterState {
                        items: out,
                        pos: 0,
                        kind: "generator",
                    })))
                } else {
                    Value::list(out)
                }
            }
            ExprKind::SetComp(elt, comps) => {
                let mut out = Dict::new();
                self.comprehension(comps, &mut |me| {
                    let v = me.eval(elt)?;
                    if !out.insert(v.clone(), Value::None) {
                        return Err(me.unhashable(&v));
                    }
                    Ok(())
                })?;
                Value::Set(Rc::new(RefCell::new(out)))
            }
            ExprKind::DictComp(k, v, comps) => {
                let mut out = Dict::new();
                self.comprehension(comps, &mut |me| {
                    let key = me.eval(k)?;
                    let val = me.eval(v)?;
                    if !out.insert(key.clone(), val) {
                        return Err(me.unhashable(&key));
                    }
                    Ok(())
                })?;
                Value::dict(out)
            }
            ExprKind::Starred(_) => {
                return Err(Flow::Limit(
                    "this lab's python does not support a starred expression here".into(),
                ));
            }
        })
    }

    /// Marks where the operator lies for the `~~^~~` line under a failed binary op.
    fn anchor_binop(&self, f: Flow, l: &Expr, r: &Expr) -> Flow {
        match f {
            Flow::Raise(mut x) if x.pending.is_none() && x.frames.is_empty() => {
                x.frames.push(TbFrame {
                    file: Rc::from(""),
                    name: "\0anchor".into(),
                    span: l.span,
                    anchor: Some((l.span.end_col, r.span.col)),
                });
                Flow::Raise(x)
            }
            other => other,
        }
    }

    pub fn unhashable(&self, v: &Value) -> Flow {
        self.type_error(format!("unhashable type: '{}'", v.type_name()))
    }

    pub fn int_limit(&self) -> Flow {
        Flow::Limit(
            "this lab's python does not support integers beyond 64 bits (CPython's are unbounded)"
                .into(),
        )
    }

    fn comprehension(&mut self, comps: &[Comp], body: &mut dyn FnMut(&mut Self) -> R<()>) -> R<()> {
        // Comprehension variables live in a scope of their own.
        let f = self.frame();
        let scope = Rc::new(Scope {
            vars: RefCell::new(HashMap::new()),
            parent: f.local.as_ref().and_then(|l| {
                if l.is_class {
                    l.parent.clone()
                } else {
                    Some(l.clone())
                }
            }),
            locals: Rc::new(Vec::new()),
            is_class: true,
        });
        let frame = Frame {
            globals: f.globals.clone(),
            local: Some(scope),
            func: f.func.clone(),
            file: f.file.clone(),
            name: f.name.clone(),
        };
        // The first iterable is evaluated in the enclosing scope.
        let first = self.eval(&comps[0].iter)?;
        self.frames.push(frame);
        let r = self.comp_level(comps, 0, Some(first), body);
        let popped = self.frames.pop();
        drop(popped);
        r
    }

    fn comp_level(
        &mut self,
        comps: &[Comp],
        level: usize,
        first: Option<Value>,
        body: &mut dyn FnMut(&mut Self) -> R<()>,
    ) -> R<()> {
        let Some(c) = comps.get(level) else {
            return body(self);
        };
        let it = match first {
            Some(v) => v,
            None => self.eval(&c.iter)?,
        };
        self.for_each(&it, c.iter.span, |me, item| {
            me.assign(&c.target, item)?;
            for cond in &c.conds {
                if !me.eval(cond)?.truthy() {
                    return Ok(true);
                }
            }
            me.comp_level(comps, level + 1, None, body)?;
            Ok(true)
        })
    }

    fn eval_items(&mut self, items: &[Expr]) -> R<Vec<Value>> {
        let mut out = Vec::with_capacity(items.len());
        for i in items {
            if let ExprKind::Starred(inner) = &i.kind {
                let v = self.eval(inner)?;
                out.extend(self.iterate(&v)?);
            } else {
                out.push(self.eval(i)?);
            }
        }
        Ok(out)
    }

    fn eval_args(&mut self, args: &[Arg]) -> R<Args> {
        let mut pos = Vec::new();
        let mut kw = Vec::new();
        for a in args {
            match a {
                Arg::Pos(e) => pos.push(self.eval(e)?),
                Arg::Star(e) => {
                    let v = self.eval(e)?;
                    pos.extend(self.iterate(&v)?);
                }
                Arg::Kw(n, e) => kw.push((n.clone(), self.eval(e)?)),
                Arg::StarStar(e) => {
                    let v = self.eval(e)?;
                    let Value::Dict(d) = &v else {
                        return Err(self.type_error(format!(
                            "argument after ** must be a mapping, not {}",
                            v.type_name()
                        )));
                    };
                    for (k, v) in d.borrow().items() {
                        kw.push((self.to_str(k), v.clone()));
                    }
                }
            }
        }
        Ok((pos, kw))
    }

    fn fstring(&mut self, parts: &[FPart]) -> R<String> {
        let mut out = String::new();
        for p in parts {
            match p {
                FPart::Lit(s) => out.push_str(s),
                FPart::Expr {
                    expr,
                    conv,
                    spec,
                    debug,
                } => {
                    let v = self.eval(expr)?;
                    if let Some(d) = debug {
                        out.push_str(d);
                    }
                    let spec = self.fstring(spec)?;
                    let s = match conv {
                        Some('r') => Value::str(self.repr(&v)?),
                        Some('s') => Value::str(self.str_of(&v)?),
                        Some('a') => Value::str(self.repr(&v)?),
                        _ => v,
                    };
                    out.push_str(&self.format_value(&s, &spec)?);
                }
            }
        }
        Ok(out)
    }

    pub fn truthy(&mut self, v: &Value) -> R<bool> {
        if let Value::Instance(i) = v {
            if let Some(m) = i.class.lookup("__bool__") {
                let r = self.call(&m, vec![v.clone()], Vec::new())?;
                return Ok(r.truthy());
            }
            if let Some(m) = i.class.lookup("__len__") {
                let r = self.call(&m, vec![v.clone()], Vec::new())?;
                return Ok(r.truthy());
            }
        }
        Ok(v.truthy())
    }

    // ---- tracebacks ----

    /// Prints an uncaught exception as CPython's default hook does.
    pub fn print_exception(&mut self, e: &Exc) {
        let text = self.format_exception(e);
        let _ = self.err.write_all(text.as_bytes());
    }

    pub fn format_exception(&mut self, e: &Exc) -> String {
        let mut text = String::new();
        if let Some(ctx) = &e.context {
            text.push_str(&self.format_exception(ctx));
            text.push_str(
                "\nDuring handling of the above exception, another exception occurred:\n\n",
            );
        }
        if !e.frames.is_empty() {
            text.push_str("Traceback (most recent call last):\n");
        }
        // Anchors recorded for the innermost frame come first in the list.
        let mut anchor: Option<(usize, usize)> = None;
        let mut frames: Vec<&TbFrame> = Vec::new();
        for f in &e.frames {
            if f.name == "\0anchor" {
                if anchor.is_none() && frames.is_empty() {
                    anchor = f.anchor;
                }
                continue;
            }
            frames.push(f);
        }
        for (i, f) in frames.iter().enumerate().rev() {
            let a = if i == 0 { anchor } else { None };
            text.push_str(&self.format_frame(f, a));
        }
        text.push_str(&self.exception_line(&e.value));
        text.push('\n');
        text
    }

    fn format_frame(&self, f: &TbFrame, anchor: Option<(usize, usize)>) -> String {
        let mut s = format!(
            "  File \"{}\", line {}, in {}\n",
            f.file, f.span.line, f.name
        );
        let Some(lines) = self.sources.get(&*f.file) else {
            return s;
        };
        let Some(line) = lines.get(f.span.line.wrapping_sub(1)) else {
            return s;
        };
        let chars: Vec<char> = line.chars().collect();
        let indent = chars.iter().take_while(|c| c.is_whitespace()).count();
        let stripped: String = chars[indent..].iter().collect::<String>();
        let stripped = stripped.trim_end();
        s.push_str(&format!("    {stripped}\n"));
        if f.span.end_line != f.span.line || f.span.col < indent {
            return s;
        }
        let start = f.span.col - indent;
        let end = f
            .span
            .end_col
            .saturating_sub(indent)
            .min(stripped.chars().count());
        if end <= start {
            return s;
        }
        let width = stripped.chars().count();
        if end - start == width && anchor.is_none() {
            return s;
        }
        let mut marks = String::from("    ");
        marks.push_str(&" ".repeat(start));
        match anchor {
            Some((left_end, right_start)) if left_end >= f.span.col => {
                // Binary operator: ~ under the operands, ^ under the operator.
                let le = left_end - indent;
                let rs = right_start.saturating_sub(indent).max(le);
                let text: Vec<char> = stripped.chars().collect();
                let mut op_start = le;
                while op_start < rs
                    && text
                        .get(op_start)
                        .is_some_and(|c| c.is_whitespace() || *c == ')')
                {
                    op_start += 1;
                }
                let mut op_end = op_start;
                if rs == le {
                    // Subscript: ^ from the bracket to the end.
                    op_end = end;
                } else {
                    while op_end < rs
                        && text
                            .get(op_end)
                            .is_some_and(|c| !c.is_whitespace() && *c != '(')
                    {
                        op_end += 1;
                    }
                }
                for i in start..end {
                    marks.push(if i >= op_start && i < op_end {
                        '^'
                    } else {
                        '~'
                    });
                }
            }
            _ => marks.push_str(&"^".repeat(end - start)),
        }
        s.push_str(&marks);
        s.push('\n');
        s
    }

    /// `NameError: name 'x' is not defined`, as the last line of a traceback says it.
    pub fn exception_line(&mut self, v: &Value) -> String {
        let Value::Instance(inst) = v else {
            return self.to_str(v);
        };
        let name = if inst.class.module == "__main__" || inst.class.module == "builtins" {
            inst.class.name.clone()
        } else {
            format!("{}.{}", inst.class.module, inst.class.name)
        };
        let msg = self.str_of(v).unwrap_or_default();
        if msg.is_empty() {
            name
        } else {
            format!("{name}: {msg}")
        }
    }

    pub fn exc_class_name(&self, v: &Value) -> String {
        match v {
            Value::Instance(i) => i.class.name.clone(),
            _ => String::new(),
        }
    }
}

fn name_list(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    match quoted.len() {
        0 => String::new(),
        1 => quoted[0].clone(),
        2 => format!("{} and {}", quoted[0], quoted[1]),
        n => format!("{}, and {}", quoted[..n - 1].join(", "), quoted[n - 1]),
    }
}

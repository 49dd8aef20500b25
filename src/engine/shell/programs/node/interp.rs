//! The tree-walking evaluator: scopes, calls, classes, exceptions with node's stack
//! frames, timers, and the limits (Ctrl-C, the thread's budget, a deadline) that stop a
//! script that never ends.

use super::ast::*;
use super::value::*;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// One loaded source file (or `[eval]`).
pub struct Module {
    pub file: String,
    pub src: String,
    pub eval: bool,
}

pub enum Throw {
    /// A JavaScript exception: the value, where it was thrown, and in which module.
    Value(Value, usize, Rc<Module>),
    Exit(i32),
    /// Ctrl-C or the budget: the script stops where it is.
    Stop,
    /// Valid JavaScript the lab does not run.
    Unsupported(String),
}

pub type R<T> = Result<T, Throw>;

pub enum PromiseState {
    Pending(Vec<(Value, Value, Value)>),
    Fulfilled(Value),
    Rejected(Value),
}

struct Binding {
    name: Rc<str>,
    value: Value,
    mutable: bool,
    init: bool,
}

pub struct Scope {
    vars: RefCell<Vec<Binding>>,
    parent: Option<Env>,
    function: bool,
    this: RefCell<Option<Value>>,
    home: Option<Obj>,
}

pub type Env = Rc<Scope>;

impl Scope {
    pub fn new(parent: Option<Env>, function: bool) -> Env {
        Rc::new(Scope {
            vars: RefCell::new(Vec::new()),
            parent,
            function,
            this: RefCell::new(None),
            home: None,
        })
    }
    pub fn declare(&self, name: &str, value: Value, mutable: bool) {
        let mut vars = self.vars.borrow_mut();
        if let Some(b) = vars.iter_mut().find(|b| &*b.name == name) {
            b.value = value;
            b.init = true;
            b.mutable = mutable;
        } else {
            vars.push(Binding {
                name: name.into(),
                value,
                mutable,
                init: true,
            });
        }
    }
    fn declare_uninit(&self, name: &str) {
        let mut vars = self.vars.borrow_mut();
        if !vars.iter().any(|b| &*b.name == name) {
            vars.push(Binding {
                name: name.into(),
                value: Value::Undef,
                mutable: true,
                init: false,
            });
        }
    }
}

pub enum Flow {
    Normal,
    Return(Value),
    Break(Option<Rc<str>>),
    Continue(Option<Rc<str>>),
}

struct Frame {
    name: String,
    module: Rc<Module>,
    pos: Cell<usize>,
}

pub struct Timer {
    pub id: u32,
    pub due: f64,
    pub callback: Value,
    pub args: Vec<Value>,
    pub interval: Option<f64>,
}

/// What the interpreter needs of the world: files, the clock, and where output goes.
pub trait NodeHost {
    fn read(&self, path: &str) -> std::io::Result<Vec<u8>>;
    fn write(&mut self, path: &str, data: &[u8], append: bool) -> std::io::Result<()>;
    fn is_dir(&self, path: &str) -> bool;
    fn is_file(&self, path: &str) -> bool;
    fn list(&self, path: &str) -> std::io::Result<Vec<String>>;
    fn mkdir(&mut self, path: &str) -> std::io::Result<()>;
    fn remove(&mut self, path: &str) -> std::io::Result<()>;
    /// Milliseconds since the epoch.
    fn now_ms(&self) -> f64;
    fn stopped(&self) -> bool;
    /// A server starts listening on `port` on all addresses.
    fn listen(&mut self, port: u16, script: &str);
    fn mtime_ms(&self, path: &str) -> Option<i64>;
    fn sleep(&mut self, d: std::time::Duration);
    /// The service's host, when this interpreter answers a published port.
    fn as_view_host(&mut self) -> Option<&mut super::ViewHost> {
        None
    }
}

pub struct Interp<'a> {
    pub host: Box<dyn NodeHost + 'a>,
    pub globals: Env,
    frames: Vec<Frame>,
    pub out: Vec<(u8, String)>,
    steps: u64,
    pub timers: Vec<Timer>,
    next_timer: u32,
    /// Virtual time elapsed by timers, in ms, added to the host's clock.
    pub clock_offset: f64,
    pub env_vars: Vec<(String, String)>,
    pub argv: Vec<String>,
    pub cwd: String,
    pub version: String,
    pub modules: Vec<(String, Value)>,
    pub servers: Vec<super::http::Server>,
    pub main_file: String,
    pub object_proto: Obj,
    pub function_proto: Obj,
    pub array_proto: Obj,
    pub error_proto: Obj,
    pub error_ctors: Vec<(String, Value)>,
    pub microtasks: Vec<(Value, Vec<Value>)>,
    /// Set while a service answers: listen() then registers nothing.
    pub serving: bool,
    pub exit_code: Option<i32>,
    /// Frames of the library code that called into the script (Express's router),
    /// shown below the script's own.
    pub base_frames: Vec<String>,
}

fn new_obj(class: Class, proto: Option<Obj>) -> Obj {
    Rc::new(RefCell::new(Object {
        class,
        props: Vec::new(),
        proto,
    }))
}

impl<'a> Interp<'a> {
    pub fn new(host: Box<dyn NodeHost + 'a>) -> Interp<'a> {
        let object_proto = new_obj(Class::Plain, None);
        let function_proto = new_obj(Class::Plain, Some(object_proto.clone()));
        let array_proto = new_obj(Class::Plain, Some(object_proto.clone()));
        let error_proto = new_obj(Class::Plain, Some(object_proto.clone()));
        let mut it = Interp {
            host,
            globals: Scope::new(None, true),
            frames: Vec::new(),
            out: Vec::new(),
            steps: 0,
            timers: Vec::new(),
            next_timer: 1,
            clock_offset: 0.0,
            env_vars: Vec::new(),
            argv: Vec::new(),
            cwd: "/".into(),
            version: "v22.17.0".into(),
            modules: Vec::new(),
            servers: Vec::new(),
            main_file: String::new(),
            object_proto,
            function_proto,
            array_proto,
            error_proto,
            error_ctors: Vec::new(),
            microtasks: Vec::new(),
            serving: false,
            exit_code: None,
            base_frames: Vec::new(),
        };
        super::builtins::install(&mut it);
        it
    }

    // ----- object helpers -----

    pub fn object(&self) -> Obj {
        new_obj(Class::Plain, Some(self.object_proto.clone()))
    }
    pub fn obj_value(&self, props: Vec<(&str, Value)>) -> Value {
        let o = self.object();
        for (k, v) in props {
            o.borrow_mut().set(k, v);
        }
        Value::Obj(o)
    }
    pub fn array(&self, items: Vec<Value>) -> Value {
        Value::Obj(new_obj(Class::Array(items), Some(self.array_proto.clone())))
    }
    pub fn new_object_with(&self, class: Class) -> Value {
        Value::Obj(new_obj(class, Some(self.object_proto.clone())))
    }
    pub fn native(
        &self,
        name: &str,
        f: impl Fn(&mut Interp, &Value, &[Value]) -> R<Value> + 'static,
    ) -> Value {
        let o = new_obj(
            Class::Function(Func::Native {
                name: name.into(),
                f: Rc::new(f),
                ctor: false,
            }),
            Some(self.function_proto.clone()),
        );
        Value::Obj(o)
    }
    pub fn native_ctor(
        &self,
        name: &str,
        f: impl Fn(&mut Interp, &Value, &[Value]) -> R<Value> + 'static,
    ) -> Value {
        let proto = self.object();
        let o = new_obj(
            Class::Function(Func::Native {
                name: name.into(),
                f: Rc::new(f),
                ctor: true,
            }),
            Some(self.function_proto.clone()),
        );
        proto
            .borrow_mut()
            .set_hidden("constructor", Value::Obj(o.clone()));
        o.borrow_mut().set_hidden("prototype", Value::Obj(proto));
        Value::Obj(o)
    }

    // ----- errors -----

    fn current_module(&self) -> Rc<Module> {
        self.frames
            .last()
            .map(|f| f.module.clone())
            .unwrap_or_else(|| {
                Rc::new(Module {
                    file: String::new(),
                    src: String::new(),
                    eval: false,
                })
            })
    }

    /// The stack text node shows under an error's first line, with `pos` as where it
    /// happened in the innermost frame.
    pub fn stack_frames(&self, pos: Option<usize>) -> Vec<String> {
        let mut out = Vec::new();
        for (i, f) in self.frames.iter().enumerate().rev() {
            let p = if i == self.frames.len() - 1 {
                pos.unwrap_or(f.pos.get())
            } else {
                f.pos.get()
            };
            let (line, col, _) = super::errors::locate(&f.module.src, p);
            let place = format!("{}:{line}:{col}", f.module.file);
            if f.name.is_empty() {
                out.push(place);
            } else {
                out.push(format!("{} ({place})", f.name));
            }
            if f.name == "Object.<anonymous>" {
                let frames = if i == 0 {
                    super::errors::MAIN_FRAMES
                } else {
                    super::errors::REQUIRE_FRAMES
                };
                out.extend(frames.iter().map(|s| s.to_string()));
            } else if f.module.eval && i == 0 {
                out.extend(super::errors::EVAL_FRAMES.iter().map(|s| s.to_string()));
            }
        }
        if !self
            .frames
            .iter()
            .any(|f| f.name == "Object.<anonymous>" || f.module.eval)
        {
            out.extend(self.base_frames.iter().cloned());
        }
        out.truncate(10);
        out
    }

    pub fn make_error(&mut self, kind: &str, message: &str, pos: Option<usize>) -> Value {
        let proto = self
            .error_ctors
            .iter()
            .find(|(n, _)| n == kind)
            .and_then(|(_, c)| match c {
                Value::Obj(c) => match c.borrow().get_own("prototype") {
                    Some(Slot {
                        value: Value::Obj(p),
                        ..
                    }) => Some(p.clone()),
                    _ => None,
                },
                _ => None,
            })
            .unwrap_or_else(|| self.error_proto.clone());
        let o = new_obj(Class::Error, Some(proto));
        let head = if message.is_empty() {
            kind.to_string()
        } else {
            format!("{kind}: {message}")
        };
        let mut stack = head;
        for f in self.stack_frames(pos) {
            stack.push_str("\n    at ");
            stack.push_str(&f);
        }
        {
            let mut b = o.borrow_mut();
            b.set_hidden("stack", Value::str(&stack));
            b.set_hidden("message", Value::str(message));
        }
        Value::Obj(o)
    }

    pub fn throw_error(&mut self, kind: &str, message: &str, pos: usize) -> Throw {
        let e = self.make_error(kind, message, Some(pos));
        Throw::Value(e, pos, self.current_module())
    }

    pub fn type_error(&mut self, message: &str) -> Throw {
        let pos = self.frames.last().map(|f| f.pos.get()).unwrap_or(0);
        self.throw_error("TypeError", message, pos)
    }

    pub fn error_at_current(&mut self, kind: &str, message: &str) -> Throw {
        let pos = self.frames.last().map(|f| f.pos.get()).unwrap_or(0);
        self.throw_error(kind, message, pos)
    }

    fn tick(&mut self) -> R<()> {
        self.steps += 1;
        if self.steps.is_multiple_of(512)
            && (self.host.stopped() || crate::engine::budget::exceeded())
        {
            return Err(Throw::Stop);
        }
        Ok(())
    }

    pub fn print(&mut self, stream: u8, text: String) {
        self.out.push((stream, text));
    }

    // ----- modules -----

    /// Runs a module's top level with `module`, `exports`, `require`, `__filename`
    /// and `__dirname` in scope; returns `module.exports`.
    pub fn run_module(&mut self, module: Rc<Module>, body: &[Stmt]) -> R<Value> {
        let env = Scope::new(Some(self.globals.clone()), true);
        let exports = Value::Obj(self.object());
        let module_obj = self.obj_value(vec![
            ("id", Value::str(".")),
            ("path", Value::str(&dirname(&module.file))),
            ("exports", exports.clone()),
            ("filename", Value::str(&module.file)),
            ("loaded", Value::Bool(false)),
        ]);
        env.declare("module", module_obj.clone(), true);
        env.declare("exports", exports.clone(), true);
        *env.this.borrow_mut() = Some(exports);
        env.declare("__filename", Value::str(&module.file), true);
        env.declare("__dirname", Value::str(&dirname(&module.file)), true);
        let require = super::modules::require_function(self, &module.file);
        env.declare("require", require, true);
        self.frames.push(Frame {
            name: if module.eval {
                String::new()
            } else {
                "Object.<anonymous>".into()
            },
            module,
            pos: Cell::new(0),
        });
        let r = self.exec_block_in(body, &env);
        self.frames.pop();
        match r? {
            Flow::Normal | Flow::Return(_) | Flow::Break(_) | Flow::Continue(_) => {}
        }
        let exports = self.get(&module_obj, "exports")?;
        Ok(exports)
    }

    /// Evaluates a `-p` expression's last statement value.
    pub fn run_eval(&mut self, module: Rc<Module>, body: &[Stmt]) -> R<Value> {
        let env = Scope::new(Some(self.globals.clone()), true);
        let require = super::modules::require_function(self, &format!("{}/[eval]", self.cwd));
        env.declare("require", require, true);
        env.declare("module", self.obj_value(vec![]), true);
        env.declare("exports", self.obj_value(vec![]), true);
        self.frames.push(Frame {
            name: String::new(),
            module,
            pos: Cell::new(0),
        });
        self.hoist(body, &env);
        let mut last = Value::Undef;
        for s in body {
            match s {
                Stmt::Expr(e) => match self.eval(e, &env) {
                    Ok(v) => last = v,
                    Err(e) => {
                        self.frames.pop();
                        return Err(e);
                    }
                },
                other => {
                    if let Err(e) = self.exec(other, &env) {
                        self.frames.pop();
                        return Err(e);
                    }
                }
            }
        }
        self.frames.pop();
        Ok(last)
    }

    // ----- statements -----

    fn hoist(&mut self, body: &[Stmt], env: &Env) {
        for s in body {
            match s {
                Stmt::Func(def) => {
                    let f = self.make_closure(def.clone(), env, None);
                    env.declare(def.name.as_deref().unwrap_or(""), f, true);
                }
                Stmt::Decl(DeclKind::Let | DeclKind::Const, decls) => {
                    for (p, _) in decls {
                        if let Pattern::Ident(n, _) = p {
                            env.declare_uninit(n);
                        }
                    }
                }
                Stmt::Class(def) => {
                    if let Some(n) = &def.name {
                        env.declare_uninit(n);
                    }
                }
                _ => {}
            }
        }
    }

    fn exec_block_in(&mut self, body: &[Stmt], env: &Env) -> R<Flow> {
        self.hoist(body, env);
        for s in body {
            match self.exec(s, env)? {
                Flow::Normal => {}
                other => return Ok(other),
            }
        }
        Ok(Flow::Normal)
    }

    fn exec_block(&mut self, body: &[Stmt], env: &Env) -> R<Flow> {
        let scope = Scope::new(Some(env.clone()), false);
        self.exec_block_in(body, &scope)
    }

    fn function_scope(env: &Env) -> Env {
        let mut e = env.clone();
        while !e.function {
            match &e.parent {
                Some(p) => e = p.clone(),
                None => break,
            }
        }
        e
    }

    fn exec(&mut self, s: &Stmt, env: &Env) -> R<Flow> {
        self.tick()?;
        match s {
            Stmt::Expr(e) => {
                self.eval(e, env)?;
            }
            Stmt::Decl(kind, decls) => {
                for (pat, init) in decls {
                    let v = match init {
                        Some(e) => {
                            let v = self.eval(e, env)?;
                            if let (Pattern::Ident(n, _), Value::Obj(o)) = (pat, &v) {
                                self.name_function(o, n);
                            }
                            v
                        }
                        None => Value::Undef,
                    };
                    let target = if *kind == DeclKind::Var {
                        Self::function_scope(env)
                    } else {
                        env.clone()
                    };
                    if *kind == DeclKind::Var && init.is_none() {
                        if let Pattern::Ident(n, _) = pat {
                            if target.vars.borrow().iter().any(|b| *b.name == **n) {
                                continue;
                            }
                        }
                    }
                    self.bind_pattern(pat, v, &target, *kind != DeclKind::Const)?;
                }
            }
            Stmt::Func(_) => {}
            Stmt::Class(def) => {
                let c = self.make_class(def.clone(), env)?;
                env.declare(def.name.as_deref().unwrap_or(""), c, true);
            }
            Stmt::If(test, then, other) => {
                if self.eval(test, env)?.truthy() {
                    return self.exec_scoped(then, env);
                } else if let Some(o) = other {
                    return self.exec_scoped(o, env);
                }
            }
            Stmt::Block(body) => return self.exec_block(body, env),
            Stmt::Return(e) => {
                let v = match e {
                    Some(e) => self.eval(e, env)?,
                    None => Value::Undef,
                };
                return Ok(Flow::Return(v));
            }
            Stmt::Break(l) => return Ok(Flow::Break(l.clone())),
            Stmt::Continue(l) => return Ok(Flow::Continue(l.clone())),
            Stmt::Throw(e, pos) => {
                let v = self.eval(e, env)?;
                return Err(Throw::Value(v, *pos, self.current_module()));
            }
            Stmt::While(test, body) => {
                while self.eval(test, env)?.truthy() {
                    self.tick()?;
                    match self.exec_scoped(body, env)? {
                        Flow::Break(None) => break,
                        Flow::Continue(None) | Flow::Normal => {}
                        other => return Ok(other),
                    }
                }
            }
            Stmt::DoWhile(body, test) => loop {
                self.tick()?;
                match self.exec_scoped(body, env)? {
                    Flow::Break(None) => break,
                    Flow::Continue(None) | Flow::Normal => {}
                    other => return Ok(other),
                }
                if !self.eval(test, env)?.truthy() {
                    break;
                }
            },
            Stmt::For {
                init,
                test,
                update,
                body,
            } => {
                let scope = Scope::new(Some(env.clone()), false);
                let mut per_iter: Vec<Rc<str>> = Vec::new();
                match init {
                    Some(ForInit::Decl(kind, decls)) => {
                        for (pat, e) in decls {
                            let v = match e {
                                Some(e) => self.eval(e, &scope)?,
                                None => Value::Undef,
                            };
                            let target = if *kind == DeclKind::Var {
                                Self::function_scope(env)
                            } else {
                                if let Pattern::Ident(n, _) = pat {
                                    per_iter.push(n.clone());
                                }
                                scope.clone()
                            };
                            self.bind_pattern(pat, v, &target, *kind != DeclKind::Const)?;
                        }
                    }
                    Some(ForInit::Expr(e)) => {
                        self.eval(e, &scope)?;
                    }
                    None => {}
                }
                // Each iteration gets its own copy of the loop's `let` bindings, made
                // before the update runs, so closures in the body keep their values.
                let copy = |it: &Self, from: &Env| {
                    let next = Scope::new(Some(scope.clone()), false);
                    for n in &per_iter {
                        let v = it.lookup(from, n).unwrap_or(Value::Undef);
                        next.declare(n, v, true);
                    }
                    next
                };
                let mut iter_scope = copy(self, &scope);
                loop {
                    self.tick()?;
                    if let Some(t) = test {
                        if !self.eval(t, &iter_scope)?.truthy() {
                            break;
                        }
                    }
                    match self.exec_scoped(body, &iter_scope)? {
                        Flow::Break(None) => break,
                        Flow::Continue(None) | Flow::Normal => {}
                        other => return Ok(other),
                    }
                    iter_scope = copy(self, &iter_scope);
                    if let Some(u) = update {
                        self.eval(u, &iter_scope)?;
                    }
                }
            }
            Stmt::ForOf {
                decl,
                pattern,
                iter,
                body,
                of,
                pos,
            } => {
                let coll = self.eval(iter, env)?;
                let items = if *of {
                    self.iterate(&coll, *pos)?
                } else {
                    self.keys_for_in(&coll)
                        .into_iter()
                        .map(Value::Str)
                        .collect()
                };
                for item in items {
                    self.tick()?;
                    let scope = Scope::new(Some(env.clone()), false);
                    match decl {
                        Some(kind) => {
                            let target = if *kind == DeclKind::Var {
                                Self::function_scope(env)
                            } else {
                                scope.clone()
                            };
                            self.bind_pattern(pattern, item, &target, *kind != DeclKind::Const)?;
                        }
                        None => self.assign_pattern(pattern, item, env)?,
                    }
                    match self.exec_scoped(body, &scope)? {
                        Flow::Break(None) => break,
                        Flow::Continue(None) | Flow::Normal => {}
                        other => return Ok(other),
                    }
                }
            }
            Stmt::Try {
                block,
                param,
                handler,
                finalizer,
            } => {
                let mut r = self.exec_block(block, env);
                if let (Err(Throw::Value(v, _, _)), Some(h)) = (&r, handler) {
                    let v = v.clone();
                    let scope = Scope::new(Some(env.clone()), false);
                    if let Some(p) = param {
                        self.bind_pattern(p, v, &scope, true)?;
                    }
                    r = self.exec_block(h, &scope);
                }
                if let Some(f) = finalizer {
                    match self.exec_block(f, env)? {
                        Flow::Normal => {}
                        other => return Ok(other),
                    }
                }
                return r;
            }
            Stmt::Switch(disc, cases) => {
                let d = self.eval(disc, env)?;
                let scope = Scope::new(Some(env.clone()), false);
                let mut matched = None;
                for (i, (test, _)) in cases.iter().enumerate() {
                    if let Some(t) = test {
                        if self.eval(t, &scope)?.same(&d) {
                            matched = Some(i);
                            break;
                        }
                    }
                }
                if matched.is_none() {
                    matched = cases.iter().position(|(t, _)| t.is_none());
                }
                if let Some(start) = matched {
                    for (_, body) in &cases[start..] {
                        self.hoist(body, &scope);
                        for s in body {
                            match self.exec(s, &scope)? {
                                Flow::Normal => {}
                                Flow::Break(None) => return Ok(Flow::Normal),
                                other => return Ok(other),
                            }
                        }
                    }
                }
            }
            Stmt::Labeled(label, body) => match self.exec(body, env)? {
                Flow::Break(Some(l)) if l == *label => {}
                Flow::Continue(Some(l)) if l == *label => {}
                other => return Ok(other),
            },
            Stmt::Empty => {}
        }
        Ok(Flow::Normal)
    }

    fn exec_scoped(&mut self, s: &Stmt, env: &Env) -> R<Flow> {
        match s {
            Stmt::Block(body) => self.exec_block(body, env),
            other => self.exec(other, env),
        }
    }

    // ----- bindings -----

    /// The source and position of the innermost frame, for messages that name a line.
    pub fn current_src(&self) -> String {
        self.frames
            .last()
            .map(|f| f.module.src.clone())
            .unwrap_or_default()
    }
    pub fn current_pos(&self) -> usize {
        self.frames.last().map(|f| f.pos.get()).unwrap_or(0)
    }

    pub fn global_lookup(&self, name: &str) -> Option<Value> {
        self.lookup(&self.globals, name)
    }

    fn lookup(&self, env: &Env, name: &str) -> Option<Value> {
        let mut e = Some(env.clone());
        while let Some(scope) = e {
            if let Some(b) = scope.vars.borrow().iter().find(|b| &*b.name == name) {
                return Some(b.value.clone());
            }
            e = scope.parent.clone();
        }
        None
    }

    fn lookup_var(&mut self, env: &Env, name: &str, pos: usize) -> R<Value> {
        let mut e = Some(env.clone());
        while let Some(scope) = e {
            if let Some(b) = scope.vars.borrow().iter().find(|b| &*b.name == name) {
                if !b.init {
                    return Err(self.throw_error(
                        "ReferenceError",
                        &format!("Cannot access '{name}' before initialization"),
                        pos,
                    ));
                }
                return Ok(b.value.clone());
            }
            e = scope.parent.clone();
        }
        match name {
            "undefined" => Ok(Value::Undef),
            "NaN" => Ok(Value::Num(f64::NAN)),
            "Infinity" => Ok(Value::Num(f64::INFINITY)),
            _ => Err(self.throw_error("ReferenceError", &format!("{name} is not defined"), pos)),
        }
    }

    fn set_var(&mut self, env: &Env, name: &str, value: Value, pos: usize) -> R<()> {
        let mut e = Some(env.clone());
        while let Some(scope) = e {
            let mut vars = scope.vars.borrow_mut();
            if let Some(b) = vars.iter_mut().find(|b| &*b.name == name) {
                if !b.init {
                    drop(vars);
                    return Err(self.throw_error(
                        "ReferenceError",
                        &format!("Cannot access '{name}' before initialization"),
                        pos,
                    ));
                }
                if !b.mutable {
                    drop(vars);
                    return Err(self.throw_error(
                        "TypeError",
                        "Assignment to constant variable.",
                        pos,
                    ));
                }
                b.value = value;
                return Ok(());
            }
            drop(vars);
            e = scope.parent.clone();
        }
        // Sloppy mode: assigning an undeclared name makes a global.
        self.globals.declare(name, value, true);
        Ok(())
    }

    fn bind_pattern(&mut self, p: &Pattern, v: Value, env: &Env, mutable: bool) -> R<()> {
        match p {
            Pattern::Ident(n, _) => {
                env.declare(n, v, mutable);
                Ok(())
            }
            Pattern::Expr(e) => self.assign_to(e, v, env),
            Pattern::Object(props, rest) => {
                if v.is_nullish() {
                    let pos = self.frames.last().map(|f| f.pos.get()).unwrap_or(0);
                    let what = if matches!(v, Value::Null) {
                        "null"
                    } else {
                        "undefined"
                    };
                    return Err(self.throw_error(
                        "TypeError",
                        &format!("Cannot destructure '{what}' as it is {what}."),
                        pos,
                    ));
                }
                let mut used = Vec::new();
                for (key, target, default) in props {
                    let k = self.prop_key(key, env)?;
                    let mut val = self.get(&v, &k)?;
                    used.push(k);
                    if matches!(val, Value::Undef) {
                        if let Some(d) = default {
                            val = self.eval(d, env)?;
                        }
                    }
                    self.bind_pattern(target, val, env, mutable)?;
                }
                if let Some(r) = rest {
                    let o = self.object();
                    for k in self.own_keys(&v) {
                        if !used.iter().any(|u| **u == *k) {
                            let val = self.get(&v, &k)?;
                            o.borrow_mut().set(&k, val);
                        }
                    }
                    self.bind_pattern(r, Value::Obj(o), env, mutable)?;
                }
                Ok(())
            }
            Pattern::Array(items, rest) => {
                let values = self.iterate(&v, 0)?;
                for (i, item) in items.iter().enumerate() {
                    if let Some((target, default)) = item {
                        let mut val = values.get(i).cloned().unwrap_or(Value::Undef);
                        if matches!(val, Value::Undef) {
                            if let Some(d) = default {
                                val = self.eval(d, env)?;
                            }
                        }
                        self.bind_pattern(target, val, env, mutable)?;
                    }
                }
                if let Some(r) = rest {
                    let tail = values.get(items.len()..).unwrap_or(&[]).to_vec();
                    let arr = self.array(tail);
                    self.bind_pattern(r, arr, env, mutable)?;
                }
                Ok(())
            }
        }
    }

    /// Destructuring assignment (no declaration): writes to existing bindings.
    fn assign_pattern(&mut self, p: &Pattern, v: Value, env: &Env) -> R<()> {
        match p {
            Pattern::Ident(n, pos) => self.set_var(env, n, v, *pos),
            Pattern::Expr(e) => self.assign_to(e, v, env),
            _ => {
                // Bind into a scratch scope, then copy each name out.
                let scratch = Scope::new(Some(env.clone()), false);
                self.bind_pattern(p, v, &scratch, true)?;
                let vars: Vec<(Rc<str>, Value)> = scratch
                    .vars
                    .borrow()
                    .iter()
                    .map(|b| (b.name.clone(), b.value.clone()))
                    .collect();
                for (n, v) in vars {
                    self.set_var(env, &n, v, 0)?;
                }
                Ok(())
            }
        }
    }

    fn assign_to(&mut self, target: &Expr, v: Value, env: &Env) -> R<()> {
        match target {
            Expr::Ident(n, pos) => self.set_var(env, n, v, *pos),
            Expr::Member { obj, prop, pos, .. } => {
                let o = self.eval(obj, env)?;
                self.put(&o, prop, v, *pos)
            }
            Expr::Index {
                obj, index, pos, ..
            } => {
                let o = self.eval(obj, env)?;
                let k = self.eval(index, env)?;
                self.put_value_key(&o, &k, v, *pos)
            }
            _ => Ok(()),
        }
    }

    fn prop_key(&mut self, key: &PropKey, env: &Env) -> R<Rc<str>> {
        match key {
            PropKey::Name(n) => Ok(n.clone()),
            PropKey::Computed(e) => {
                let v = self.eval(e, env)?;
                self.to_string(&v)
            }
        }
    }

    // ----- functions -----

    fn name_function(&self, o: &Obj, name: &str) {
        let mut b = o.borrow_mut();
        let unnamed = match &b.class {
            Class::Function(Func::Closure { def, .. }) => def.name.is_none(),
            Class::Function(Func::Class { def, .. }) => def.name.is_none(),
            _ => false,
        };
        if unnamed && b.get_own("name").is_none() {
            b.set_hidden("name", Value::str(name));
        }
    }

    pub fn make_closure(&mut self, def: Rc<FuncDef>, env: &Env, home: Option<Obj>) -> Value {
        let this = if def.arrow {
            Some(self.this_of(env))
        } else {
            None
        };
        let o = new_obj(
            Class::Function(Func::Closure {
                def: def.clone(),
                env: env.clone(),
                this,
                module: self.current_module(),
                home,
            }),
            Some(self.function_proto.clone()),
        );
        if !def.arrow {
            let proto = self.object();
            proto
                .borrow_mut()
                .set_hidden("constructor", Value::Obj(o.clone()));
            o.borrow_mut().set_hidden("prototype", Value::Obj(proto));
        }
        Value::Obj(o)
    }

    fn this_of(&self, env: &Env) -> Value {
        let mut e = Some(env.clone());
        while let Some(scope) = e {
            if let Some(t) = scope.this.borrow().as_ref() {
                return t.clone();
            }
            if scope.function {
                return Value::Undef;
            }
            e = scope.parent.clone();
        }
        Value::Undef
    }

    fn home_of(&self, env: &Env) -> Option<Obj> {
        let mut e = Some(env.clone());
        while let Some(scope) = e {
            if let Some(h) = &scope.home {
                return Some(h.clone());
            }
            e = scope.parent.clone();
        }
        None
    }

    pub fn call(&mut self, f: &Value, this: &Value, args: &[Value]) -> R<Value> {
        self.tick()?;
        let Value::Obj(o) = f else {
            return Err(self.type_error("value is not a function"));
        };
        enum Kind {
            Closure(Rc<FuncDef>, Env, Option<Value>, Rc<Module>, Option<Obj>),
            Native(Rc<NativeFn>),
            Class(String),
            NotFn,
        }
        let kind = match &o.borrow().class {
            Class::Function(Func::Closure {
                def,
                env,
                this,
                module,
                home,
            }) => Kind::Closure(
                def.clone(),
                env.clone(),
                this.clone(),
                module.clone(),
                home.clone(),
            ),
            Class::Function(Func::Native { f, .. }) => Kind::Native(f.clone()),
            Class::Function(Func::Class { def, .. }) => {
                Kind::Class(def.name.as_deref().unwrap_or("").to_string())
            }
            _ => Kind::NotFn,
        };
        match kind {
            Kind::Native(f) => f(self, this, args),
            Kind::Closure(def, env, bound_this, module, home) => {
                let this = bound_this.unwrap_or_else(|| this.clone());
                let name = function_name(&o.borrow());
                self.call_closure(&def, &env, this, args, module, home, name, Some(o.clone()))
            }
            Kind::Class(name) => Err(self.type_error(&format!(
                "Class constructor {name} cannot be invoked without 'new'"
            ))),
            Kind::NotFn => Err(self.type_error("value is not a function")),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn call_closure(
        &mut self,
        def: &Rc<FuncDef>,
        env: &Env,
        this: Value,
        args: &[Value],
        module: Rc<Module>,
        home: Option<Obj>,
        name: String,
        callee: Option<Obj>,
    ) -> R<Value> {
        if self.frames.len() > 2000 {
            return Err(self.error_at_current("RangeError", "Maximum call stack size exceeded"));
        }
        let scope = Rc::new(Scope {
            vars: RefCell::new(Vec::new()),
            parent: Some(env.clone()),
            function: !def.arrow,
            this: RefCell::new(if def.arrow { None } else { Some(this) }),
            home,
        });
        if !def.arrow {
            let arguments = self.array(args.to_vec());
            scope.declare("arguments", arguments, true);
            if let (Some(n), Some(c)) = (&def.name, callee) {
                scope.declare(n, Value::Obj(c), true);
            }
        }
        let frame_name = if name.is_empty() { String::new() } else { name };
        self.frames.push(Frame {
            name: frame_name,
            module,
            pos: Cell::new(def.pos),
        });
        let r = self
            .bind_params(def, &scope, args)
            .and_then(|_| match &def.body {
                Body::Expr(e) => self.eval(e, &scope),
                Body::Block(b) => match self.exec_block_in(b, &scope)? {
                    Flow::Return(v) => Ok(v),
                    _ => Ok(Value::Undef),
                },
            });
        self.frames.pop();
        if def.is_async {
            // The body ran to its end (awaits settle in place); its outcome becomes
            // the promise an async function returns.
            let p = super::promise::new_promise(self);
            match r {
                Ok(v) => super::promise::settle(self, &p, Ok(v)),
                Err(Throw::Value(e, _, _)) => super::promise::settle(self, &p, Err(e)),
                Err(other) => return Err(other),
            }
            return Ok(p);
        }
        r
    }

    /// `await`: runs microtasks and timers until the promise settles, then gives its
    /// value or throws its reason. Awaiting something that is not a promise gives it.
    fn await_value(&mut self, v: Value, pos: usize) -> R<Value> {
        let state = match &v {
            Value::Obj(o) => match &o.borrow().class {
                Class::Promise(s) => Some(s.clone()),
                _ => None,
            },
            _ => None,
        };
        let Some(state) = state else {
            return Ok(v);
        };
        let mut rounds = 0u32;
        loop {
            let outcome = match &*state.borrow() {
                PromiseState::Fulfilled(x) => Some(Ok(x.clone())),
                PromiseState::Rejected(e) => Some(Err(e.clone())),
                PromiseState::Pending(_) => None,
            };
            match outcome {
                Some(Ok(x)) => return Ok(x),
                Some(Err(e)) => return Err(Throw::Value(e, pos, self.current_module())),
                None => {}
            }
            rounds += 1;
            if !self.microtasks.is_empty() {
                self.run_microtasks()?;
                continue;
            }
            if rounds > 100_000 || self.run_next_timer(Some(60_000.0))?.is_none() {
                // Nothing left that could settle it: node would wait forever.
                return Ok(Value::Undef);
            }
        }
    }

    fn bind_params(&mut self, def: &FuncDef, scope: &Env, args: &[Value]) -> R<()> {
        for (i, p) in def.params.iter().enumerate() {
            let v = if p.rest {
                self.array(args.get(i..).unwrap_or(&[]).to_vec())
            } else {
                let mut v = args.get(i).cloned().unwrap_or(Value::Undef);
                if matches!(v, Value::Undef) {
                    if let Some(d) = &p.default {
                        v = self.eval(d, scope)?;
                    }
                }
                v
            };
            self.bind_pattern(&p.pattern, v, scope, true)?;
        }
        Ok(())
    }

    pub fn construct(&mut self, f: &Value, args: &[Value], pos: usize) -> R<Value> {
        let Value::Obj(o) = f else {
            let text = inspect(f);
            return Err(self.throw_error(
                "TypeError",
                &format!("{text} is not a constructor"),
                pos,
            ));
        };
        let proto = match self.get(f, "prototype")? {
            Value::Obj(p) => Some(p),
            _ => Some(self.object_proto.clone()),
        };
        enum K {
            Class,
            Closure,
            Native(Rc<NativeFn>, bool),
            No,
        }
        let k = match &o.borrow().class {
            Class::Function(Func::Class { .. }) => K::Class,
            Class::Function(Func::Closure { def, .. }) if !def.arrow => K::Closure,
            Class::Function(Func::Native { f, ctor, .. }) => K::Native(f.clone(), *ctor),
            _ => K::No,
        };
        match k {
            K::Native(nf, true) => {
                // Native constructors make their own object; `this` carries the prototype.
                let this = Value::Obj(new_obj(Class::Plain, proto));
                nf(self, &this, args)
            }
            K::Class | K::Closure => {
                let this = Value::Obj(new_obj(Class::Plain, proto));
                let r = self.construct_with(f, &this, args)?;
                Ok(if matches!(r, Value::Obj(_)) { r } else { this })
            }
            K::Native(_, false) | K::No => {
                let name = function_name(&o.borrow());
                let name = if name.is_empty() { inspect(f) } else { name };
                Err(self.throw_error("TypeError", &format!("{name} is not a constructor"), pos))
            }
        }
    }

    /// Runs constructor `f` on an existing `this` (for `new` and `super(...)`).
    fn construct_with(&mut self, f: &Value, this: &Value, args: &[Value]) -> R<Value> {
        let Value::Obj(o) = f else {
            return Ok(Value::Undef);
        };
        let class = match &o.borrow().class {
            Class::Function(Func::Class {
                def,
                env,
                module,
                parent,
            }) => Some((def.clone(), env.clone(), module.clone(), parent.clone())),
            _ => None,
        };
        match class {
            Some((def, env, module, parent)) => {
                // Fields of a base class are set before its constructor runs; a derived
                // class's after super() returns, which we approximate the same way.
                if parent.is_none() {
                    self.init_fields(&def, &env, this)?;
                }
                match &def.constructor {
                    Some(ctor) => {
                        let scope = Rc::new(Scope {
                            vars: RefCell::new(Vec::new()),
                            parent: Some(env.clone()),
                            function: true,
                            this: RefCell::new(Some(this.clone())),
                            home: Some(o.clone()),
                        });
                        let name = def.name.as_deref().unwrap_or("").to_string();
                        self.frames.push(Frame {
                            name: format!("new {name}"),
                            module,
                            pos: Cell::new(ctor.pos),
                        });
                        let r = (|| {
                            self.bind_params(ctor, &scope, args)?;
                            if let Body::Block(b) = &ctor.body {
                                if let Flow::Return(v) = self.exec_block_in(b, &scope)? {
                                    return Ok(v);
                                }
                            }
                            Ok(Value::Undef)
                        })();
                        self.frames.pop();
                        r
                    }
                    None => {
                        if let Some(p) = parent {
                            self.super_construct(&p, this, args)?;
                            self.init_fields(&def, &env, this)?;
                        }
                        Ok(Value::Undef)
                    }
                }
            }
            None => {
                let (def, env, module) = match &o.borrow().class {
                    Class::Function(Func::Closure {
                        def, env, module, ..
                    }) => (def.clone(), env.clone(), module.clone()),
                    _ => return Ok(Value::Undef),
                };
                let name = function_name(&o.borrow());
                self.call_closure(
                    &def,
                    &env,
                    this.clone(),
                    args,
                    module,
                    None,
                    format!("new {name}"),
                    Some(o.clone()),
                )
            }
        }
    }

    fn super_construct(&mut self, parent: &Value, this: &Value, args: &[Value]) -> R<()> {
        let native = match parent {
            Value::Obj(p) => match &p.borrow().class {
                Class::Function(Func::Native { f, .. }) => Some(f.clone()),
                _ => None,
            },
            _ => None,
        };
        match native {
            Some(f) => {
                // A native parent (Error, EventEmitter): let it fill in `this`.
                let made = f(self, this, args)?;
                if let (Value::Obj(made), Value::Obj(t)) = (&made, this) {
                    if !Rc::ptr_eq(made, t) {
                        let m = made.borrow();
                        let mut tb = t.borrow_mut();
                        if matches!(m.class, Class::Error) {
                            tb.class = Class::Error;
                        }
                        for s in &m.props {
                            if tb.get_own(&s.key).is_none() {
                                if s.enumerable {
                                    tb.set(&s.key, s.value.clone());
                                } else {
                                    tb.set_hidden(&s.key, s.value.clone());
                                }
                            }
                        }
                    }
                }
                Ok(())
            }
            None => {
                self.construct_with(parent, this, args)?;
                Ok(())
            }
        }
    }

    fn init_fields(&mut self, def: &ClassDef, env: &Env, this: &Value) -> R<()> {
        for m in &def.members {
            if let (false, MemberKind::Field(init)) = (m.is_static, &m.kind) {
                let scope = Scope::new(Some(env.clone()), true);
                *scope.this.borrow_mut() = Some(this.clone());
                let k = self.prop_key(&m.key, &scope)?;
                let v = match init {
                    Some(e) => self.eval(e, &scope)?,
                    None => Value::Undef,
                };
                if let Value::Obj(o) = this {
                    o.borrow_mut().set(&k, v);
                }
            }
        }
        Ok(())
    }

    fn make_class(&mut self, def: Rc<ClassDef>, env: &Env) -> R<Value> {
        let parent = match &def.parent {
            Some(e) => Some(self.eval(e, env)?),
            None => None,
        };
        let parent_proto = match &parent {
            Some(p @ Value::Obj(_)) => match self.get(p, "prototype")? {
                Value::Obj(pp) => Some(pp),
                _ => None,
            },
            Some(Value::Null) => None,
            Some(other) => {
                let text = inspect(other);
                return Err(self.throw_error(
                    "TypeError",
                    &format!("Class extends value {text} is not a constructor or null"),
                    def.pos,
                ));
            }
            None => Some(self.object_proto.clone()),
        };
        let proto = new_obj(Class::Plain, parent_proto);
        let fproto = match &parent {
            Some(Value::Obj(p)) => p.clone(),
            _ => self.function_proto.clone(),
        };
        let class_env = Scope::new(Some(env.clone()), false);
        let c = new_obj(
            Class::Function(Func::Class {
                def: def.clone(),
                env: class_env.clone(),
                module: self.current_module(),
                parent: parent.clone(),
            }),
            Some(fproto),
        );
        if let Some(n) = &def.name {
            class_env.declare(n, Value::Obj(c.clone()), false);
        }
        proto
            .borrow_mut()
            .set_hidden("constructor", Value::Obj(c.clone()));
        c.borrow_mut()
            .set_hidden("prototype", Value::Obj(proto.clone()));
        for m in &def.members {
            let target = if m.is_static {
                c.clone()
            } else {
                proto.clone()
            };
            let key = self.prop_key(&m.key, &class_env)?;
            match &m.kind {
                MemberKind::Method(f) => {
                    let v = self.make_closure(f.clone(), &class_env, Some(c.clone()));
                    target.borrow_mut().set_hidden(&key, v);
                }
                MemberKind::Getter(f) | MemberKind::Setter(f) => {
                    let v = self.make_closure(f.clone(), &class_env, Some(c.clone()));
                    let is_get = matches!(m.kind, MemberKind::Getter(_));
                    let mut t = target.borrow_mut();
                    if t.get_own(&key).is_none() {
                        t.set_hidden(&key, Value::Undef);
                    }
                    if let Some(s) = t.props.iter_mut().find(|s| *s.key == *key) {
                        if is_get {
                            s.getter = Some(v);
                        } else {
                            s.setter = Some(v);
                        }
                    }
                }
                MemberKind::Field(init) if m.is_static => {
                    let scope = Scope::new(Some(class_env.clone()), true);
                    *scope.this.borrow_mut() = Some(Value::Obj(c.clone()));
                    let v = match init {
                        Some(e) => self.eval(e, &scope)?,
                        None => Value::Undef,
                    };
                    c.borrow_mut().set(&key, v);
                }
                MemberKind::Field(_) => {}
            }
        }
        Ok(Value::Obj(c))
    }

    // ----- property access -----

    pub fn get(&mut self, v: &Value, key: &str) -> R<Value> {
        match v {
            Value::Undef | Value::Null => {
                let what = if matches!(v, Value::Null) {
                    "null"
                } else {
                    "undefined"
                };
                Err(self.error_at_current(
                    "TypeError",
                    &format!("Cannot read properties of {what} (reading '{key}')"),
                ))
            }
            Value::Str(s) => {
                if key == "length" {
                    return Ok(Value::Num(s.encode_utf16().count() as f64));
                }
                if let Ok(i) = key.parse::<usize>() {
                    let units: Vec<u16> = s.encode_utf16().collect();
                    return Ok(units
                        .get(i)
                        .map(|u| Value::Str(String::from_utf16_lossy(&[*u]).into()))
                        .unwrap_or(Value::Undef));
                }
                Ok(super::builtins::method_value(self, v, key).unwrap_or(Value::Undef))
            }
            Value::Num(_) | Value::Bool(_) => {
                Ok(super::builtins::method_value(self, v, key).unwrap_or(Value::Undef))
            }
            Value::Obj(o) => {
                if let Class::Array(items) = &o.borrow().class {
                    if key == "length" {
                        return Ok(Value::Num(items.len() as f64));
                    }
                    if let Ok(i) = key.parse::<usize>() {
                        return Ok(items.get(i).cloned().unwrap_or(Value::Undef));
                    }
                }
                let mut cur = Some(o.clone());
                while let Some(c) = cur {
                    let (found, getter, next) = {
                        let b = c.borrow();
                        match b.get_own(key) {
                            Some(s) => (Some(s.value.clone()), s.getter.clone(), None),
                            None => (None, None, b.proto.clone()),
                        }
                    };
                    if let Some(g) = getter {
                        return self.call(&g, v, &[]);
                    }
                    if let Some(val) = found {
                        return Ok(val);
                    }
                    cur = next;
                }
                if key == "name" || key == "length" {
                    let b = o.borrow();
                    if let Class::Function(f) = &b.class {
                        if key == "name" {
                            return Ok(Value::str(&function_name(&b)));
                        }
                        let n = match f {
                            Func::Closure { def, .. } => def
                                .params
                                .iter()
                                .take_while(|p| p.default.is_none() && !p.rest)
                                .count(),
                            _ => 0,
                        };
                        return Ok(Value::Num(n as f64));
                    }
                }
                Ok(super::builtins::method_value(self, v, key).unwrap_or(Value::Undef))
            }
        }
    }

    pub fn put(&mut self, target: &Value, key: &str, v: Value, pos: usize) -> R<()> {
        match target {
            Value::Obj(o) => {
                {
                    let mut b = o.borrow_mut();
                    if let Class::Array(items) = &mut b.class {
                        if key == "length" {
                            if let Value::Num(n) = v {
                                let n = n.max(0.0) as usize;
                                if n <= items.len() {
                                    items.truncate(n);
                                } else if n - items.len() < 1 << 20 {
                                    items.resize(n, Value::Undef);
                                }
                            }
                            return Ok(());
                        }
                        if let Ok(i) = key.parse::<usize>() {
                            if i < items.len() {
                                items[i] = v;
                            } else if i - items.len() < 1 << 20 {
                                items.resize(i, Value::Undef);
                                items.push(v);
                            }
                            return Ok(());
                        }
                    }
                }
                // A setter on the object or its prototypes.
                let mut cur = Some(o.clone());
                while let Some(c) = cur {
                    let (setter, next) = {
                        let b = c.borrow();
                        match b.get_own(key) {
                            Some(s) => (s.setter.clone(), None),
                            None => (None, b.proto.clone()),
                        }
                    };
                    if let Some(s) = setter {
                        self.call(&s, target, &[v])?;
                        return Ok(());
                    }
                    cur = next;
                }
                o.borrow_mut().set(key, v);
                Ok(())
            }
            Value::Undef | Value::Null => {
                let what = if matches!(target, Value::Null) {
                    "null"
                } else {
                    "undefined"
                };
                Err(self.throw_error(
                    "TypeError",
                    &format!("Cannot set properties of {what} (setting '{key}')"),
                    pos,
                ))
            }
            _ => Ok(()),
        }
    }

    fn put_value_key(&mut self, target: &Value, k: &Value, v: Value, pos: usize) -> R<()> {
        let key = self.to_key(k)?;
        self.put(target, &key, v, pos)
    }

    pub fn to_key(&mut self, k: &Value) -> R<Rc<str>> {
        match k {
            Value::Num(n) if n.fract() == 0.0 && *n >= 0.0 => Ok(format!("{}", *n as u64).into()),
            other => self.to_string(other),
        }
    }

    /// Enumerable own keys, as Object.keys gives them.
    pub fn own_keys(&self, v: &Value) -> Vec<Rc<str>> {
        match v {
            Value::Obj(o) => {
                let b = o.borrow();
                let mut keys: Vec<Rc<str>> = match &b.class {
                    Class::Array(items) => {
                        (0..items.len()).map(|i| Rc::from(i.to_string())).collect()
                    }
                    _ => Vec::new(),
                };
                // Integer-like keys come first, in ascending order, as in JavaScript.
                let mut ints: Vec<(u64, Rc<str>)> = Vec::new();
                let mut others = Vec::new();
                for s in b.props.iter().filter(|s| s.enumerable) {
                    match s.key.parse::<u64>() {
                        Ok(n) if n.to_string() == *s.key => ints.push((n, s.key.clone())),
                        _ => others.push(s.key.clone()),
                    }
                }
                ints.sort_by_key(|(n, _)| *n);
                keys.extend(ints.into_iter().map(|(_, k)| k));
                keys.extend(others);
                keys
            }
            Value::Str(s) => (0..s.encode_utf16().count())
                .map(|i| Rc::from(i.to_string()))
                .collect(),
            _ => Vec::new(),
        }
    }

    fn keys_for_in(&self, v: &Value) -> Vec<Rc<str>> {
        let mut keys = self.own_keys(v);
        if let Value::Obj(o) = v {
            let mut p = o.borrow().proto.clone();
            while let Some(pp) = p {
                if Rc::ptr_eq(&pp, &self.object_proto) || Rc::ptr_eq(&pp, &self.array_proto) {
                    break;
                }
                for k in self.own_keys(&Value::Obj(pp.clone())) {
                    if !keys.contains(&k) {
                        keys.push(k);
                    }
                }
                p = pp.borrow().proto.clone();
            }
        }
        keys
    }

    /// The values `for...of` and spreading visit.
    pub fn iterate(&mut self, v: &Value, pos: usize) -> R<Vec<Value>> {
        match v {
            Value::Str(s) => Ok(s
                .chars()
                .map(|c| Value::Str(c.to_string().into()))
                .collect()),
            Value::Obj(o) => {
                let b = o.borrow();
                match &b.class {
                    Class::Array(items) => Ok(items.clone()),
                    Class::Set(items) => Ok(items.clone()),
                    Class::Map(items) => {
                        let pairs = items.clone();
                        drop(b);
                        Ok(pairs
                            .into_iter()
                            .map(|(k, v)| self.array(vec![k, v]))
                            .collect())
                    }
                    _ => {
                        drop(b);
                        let text = self.describe_for_error(v);
                        Err(self.throw_error("TypeError", &format!("{text} is not iterable"), pos))
                    }
                }
            }
            _ => {
                let text = self.describe_for_error(v);
                let msg = if v.is_nullish() {
                    format!("{text} is not iterable (cannot read property Symbol(Symbol.iterator))")
                } else {
                    format!("{text} is not iterable")
                };
                Err(self.throw_error("TypeError", &msg, pos))
            }
        }
    }

    fn describe_for_error(&self, v: &Value) -> String {
        match v {
            Value::Obj(o) if matches!(o.borrow().class, Class::Plain) => "object".into(),
            Value::Obj(_) => "object".into(),
            Value::Str(s) => format!("\"{s}\""),
            other => inspect(other),
        }
    }

    // ----- conversions -----

    pub fn to_string(&mut self, v: &Value) -> R<Rc<str>> {
        Ok(match v {
            Value::Undef => "undefined".into(),
            Value::Null => "null".into(),
            Value::Bool(b) => b.to_string().into(),
            Value::Num(n) => number_to_string(*n).into(),
            Value::Str(s) => s.clone(),
            Value::Obj(o) => {
                let custom = {
                    let b = o.borrow();
                    match &b.class {
                        Class::Array(_)
                        | Class::Date(_)
                        | Class::Error
                        | Class::Function(_)
                        | Class::Boxed(_) => None,
                        _ => {
                            let mut p = b.proto.clone();
                            let mut found = b.get_own("toString").map(|s| s.value.clone());
                            while found.is_none() {
                                match p {
                                    Some(pp) if !Rc::ptr_eq(&pp, &self.object_proto) => {
                                        found = pp
                                            .borrow()
                                            .get_own("toString")
                                            .map(|s| s.value.clone());
                                        p = pp.borrow().proto.clone();
                                    }
                                    _ => break,
                                }
                            }
                            found
                        }
                    }
                };
                if let Some(f) = custom {
                    if f.is_callable() {
                        let r = self.call(&f, v, &[])?;
                        return self.to_string(&r);
                    }
                }
                let b = o.borrow();
                match &b.class {
                    Class::Array(items) => {
                        let items = items.clone();
                        drop(b);
                        let mut parts = Vec::new();
                        for i in &items {
                            parts.push(if i.is_nullish() {
                                String::new()
                            } else {
                                self.to_string(i)?.to_string()
                            });
                        }
                        parts.join(",").into()
                    }
                    Class::Error => {
                        drop(b);
                        let name = self.get(v, "name")?;
                        let msg = self.get(v, "message")?;
                        let name = self.to_string(&name)?;
                        let msg = self.to_string(&msg)?;
                        if msg.is_empty() {
                            name
                        } else {
                            format!("{name}: {msg}").into()
                        }
                    }
                    Class::Date(t) => super::builtins::date_string(*t, self.tz_offset()).into(),
                    Class::Function(_) => {
                        let name = function_name(&b);
                        format!("function {name}() {{ [native code] }}").into()
                    }
                    Class::Boxed(inner) => {
                        let inner = inner.clone();
                        drop(b);
                        return self.to_string(&inner);
                    }
                    _ => "[object Object]".into(),
                }
            }
        })
    }

    pub fn tz_offset(&self) -> i64 {
        0
    }

    pub fn to_number(&mut self, v: &Value) -> R<f64> {
        Ok(match v {
            Value::Undef => f64::NAN,
            Value::Null => 0.0,
            Value::Bool(b) => *b as u8 as f64,
            Value::Num(n) => *n,
            Value::Str(s) => string_to_number(s),
            Value::Obj(o) => {
                if let Class::Date(t) = o.borrow().class {
                    return Ok(t);
                }
                if let Class::Boxed(inner) = &o.borrow().class {
                    let inner = inner.clone();
                    return self.to_number(&inner);
                }
                let s = self.to_string(v)?;
                string_to_number(&s)
            }
        })
    }

    fn to_primitive(&mut self, v: &Value) -> R<Value> {
        match v {
            Value::Obj(o) => {
                if let Class::Date(_) = o.borrow().class {
                    return Ok(Value::Str(self.to_string(v)?));
                }
                let value_of = self.get(v, "valueOf")?;
                if value_of.is_callable() && !self.is_builtin_value_of(&value_of) {
                    let r = self.call(&value_of, v, &[])?;
                    if !matches!(r, Value::Obj(_)) {
                        return Ok(r);
                    }
                }
                Ok(Value::Str(self.to_string(v)?))
            }
            other => Ok(other.clone()),
        }
    }

    fn is_builtin_value_of(&self, f: &Value) -> bool {
        matches!(f, Value::Obj(o) if matches!(o.borrow().class, Class::Function(Func::Native { .. })))
    }

    pub fn loose_eq(&mut self, a: &Value, b: &Value) -> R<bool> {
        Ok(match (a, b) {
            (Value::Undef | Value::Null, Value::Undef | Value::Null) => true,
            (Value::Undef | Value::Null, _) | (_, Value::Undef | Value::Null) => false,
            (Value::Num(_), Value::Str(_))
            | (Value::Str(_), Value::Num(_))
            | (Value::Bool(_), _)
            | (_, Value::Bool(_)) => {
                if let (Value::Obj(_), _) | (_, Value::Obj(_)) = (a, b) {
                    let pa = self.to_primitive(a)?;
                    let pb = self.to_primitive(b)?;
                    return self.loose_eq(&pa, &pb);
                }
                self.to_number(a)? == self.to_number(b)?
            }
            (Value::Obj(_), Value::Obj(_)) => a.same(b),
            (Value::Obj(_), _) => {
                let pa = self.to_primitive(a)?;
                self.loose_eq(&pa, b)?
            }
            (_, Value::Obj(_)) => {
                let pb = self.to_primitive(b)?;
                self.loose_eq(a, &pb)?
            }
            _ => a.same(b),
        })
    }

    // ----- expressions -----

    fn set_pos(&self, pos: usize) {
        if let Some(f) = self.frames.last() {
            f.pos.set(pos);
        }
    }

    pub fn eval(&mut self, e: &Expr, env: &Env) -> R<Value> {
        match e {
            Expr::Num(n) => Ok(Value::Num(*n)),
            Expr::Str(s) => Ok(Value::Str(s.clone())),
            Expr::Bool(b) => Ok(Value::Bool(*b)),
            Expr::Null => Ok(Value::Null),
            Expr::This => Ok(self.this_of(env)),
            Expr::Template(quasis, exprs) => {
                let mut s = String::new();
                for (i, q) in quasis.iter().enumerate() {
                    s.push_str(q);
                    if let Some(e) = exprs.get(i) {
                        let v = self.eval(e, env)?;
                        s.push_str(&self.to_string(&v)?);
                    }
                }
                Ok(Value::Str(s.into()))
            }
            Expr::Ident(n, pos) => self.lookup_var(env, n, *pos),
            Expr::Array(items) => {
                let mut out = Vec::new();
                for it in items {
                    match it {
                        Elem::Item(e) => out.push(self.eval(e, env)?),
                        Elem::Spread(e) => {
                            let v = self.eval(e, env)?;
                            out.extend(self.iterate(&v, 0)?);
                        }
                        Elem::Hole => out.push(Value::Undef),
                    }
                }
                Ok(self.array(out))
            }
            Expr::Object(props) => {
                let o = self.object();
                for p in props {
                    match p {
                        Prop::Value(k, e) => {
                            let key = self.prop_key(k, env)?;
                            let v = match e {
                                Expr::Func(def) if !def.arrow => {
                                    self.make_closure(def.clone(), env, Some(o.clone()))
                                }
                                _ => self.eval(e, env)?,
                            };
                            if let Value::Obj(f) = &v {
                                self.name_function(f, &key);
                            }
                            o.borrow_mut().set(&key, v);
                        }
                        Prop::Spread(e) => {
                            let v = self.eval(e, env)?;
                            for k in self.own_keys(&v) {
                                let val = self.get(&v, &k)?;
                                o.borrow_mut().set(&k, val);
                            }
                        }
                        Prop::Getter(k, f) | Prop::Setter(k, f) => {
                            let key = self.prop_key(k, env)?;
                            let func = self.make_closure(f.clone(), env, Some(o.clone()));
                            let mut b = o.borrow_mut();
                            if b.get_own(&key).is_none() {
                                b.set(&key, Value::Undef);
                            }
                            if let Some(s) = b.props.iter_mut().find(|s| *s.key == *key) {
                                if matches!(p, Prop::Getter(..)) {
                                    s.getter = Some(func);
                                } else {
                                    s.setter = Some(func);
                                }
                            }
                        }
                    }
                }
                Ok(Value::Obj(o))
            }
            Expr::Func(def) => Ok(self.make_closure(def.clone(), env, None)),
            Expr::Class(def) => self.make_class(def.clone(), env),
            Expr::Unary(op, inner, pos) => {
                if *op == "typeof" {
                    if let Expr::Ident(n, _) = &**inner {
                        if self.lookup(env, n).is_none() {
                            return Ok(Value::str("undefined"));
                        }
                    }
                    let v = self.eval(inner, env)?;
                    return Ok(Value::str(v.type_of()));
                }
                if *op == "delete" {
                    match &**inner {
                        Expr::Member { obj, prop, .. } => {
                            if let Value::Obj(o) = self.eval(obj, env)? {
                                o.borrow_mut().remove(prop);
                            }
                        }
                        Expr::Index { obj, index, .. } => {
                            let o = self.eval(obj, env)?;
                            let k = self.eval(index, env)?;
                            let k = self.to_key(&k)?;
                            if let Value::Obj(o) = o {
                                let mut b = o.borrow_mut();
                                if let Class::Array(items) = &mut b.class {
                                    if let Ok(i) = k.parse::<usize>() {
                                        if i < items.len() {
                                            items[i] = Value::Undef;
                                        }
                                    }
                                } else {
                                    b.remove(&k);
                                }
                            }
                        }
                        _ => {}
                    }
                    return Ok(Value::Bool(true));
                }
                let v = self.eval(inner, env)?;
                self.set_pos(*pos);
                Ok(match *op {
                    "!" => Value::Bool(!v.truthy()),
                    "-" => Value::Num(-self.to_number(&v)?),
                    "+" => Value::Num(self.to_number(&v)?),
                    "~" => Value::Num(!(to_int32(self.to_number(&v)?)) as f64),
                    "void" => Value::Undef,
                    _ => Value::Undef,
                })
            }
            Expr::Update {
                op,
                prefix,
                target,
                pos,
            } => {
                let old = self.eval(target, env)?;
                let n = self.to_number(&old)?;
                let new = if *op == "++" { n + 1.0 } else { n - 1.0 };
                self.set_pos(*pos);
                self.assign_to(target, Value::Num(new), env)?;
                Ok(Value::Num(if *prefix { new } else { n }))
            }
            Expr::Binary(op, a, b, pos) => {
                let a = self.eval(a, env)?;
                let b = self.eval(b, env)?;
                self.set_pos(*pos);
                self.binary(op, &a, &b, *pos)
            }
            Expr::Logical(op, a, b) => {
                let a = self.eval(a, env)?;
                let take_a = match *op {
                    "&&" => !a.truthy(),
                    "||" => a.truthy(),
                    _ => !a.is_nullish(),
                };
                if take_a { Ok(a) } else { self.eval(b, env) }
            }
            Expr::Cond(t, a, b) => {
                if self.eval(t, env)?.truthy() {
                    self.eval(a, env)
                } else {
                    self.eval(b, env)
                }
            }
            Expr::Assign(op, target, value, pos) => self.assign(op, target, value, *pos, env),
            Expr::Seq(items) => {
                let mut last = Value::Undef;
                for e in items {
                    last = self.eval(e, env)?;
                }
                Ok(last)
            }
            Expr::Call { .. } | Expr::Member { .. } | Expr::Index { .. } => {
                Ok(self.eval_chain(e, env)?.unwrap_or(Value::Undef))
            }
            Expr::New { callee, args, pos } => {
                let f = self.eval(callee, env)?;
                let args = self.eval_args(args, env)?;
                self.set_pos(*pos);
                if !f.is_callable() {
                    let text = match &**callee {
                        Expr::Ident(n, _) => n.to_string(),
                        _ => inspect(&f),
                    };
                    return Err(self.throw_error(
                        "TypeError",
                        &format!("{text} is not a constructor"),
                        *pos,
                    ));
                }
                self.construct(&f, &args, *pos)
            }
            Expr::Await(inner, pos) => {
                let v = self.eval(inner, env)?;
                self.await_value(v, *pos)
            }
            Expr::SuperCall(args, pos) => {
                let args = self.eval_args(args, env)?;
                self.set_pos(*pos);
                let this = self.this_of(env);
                let parent = self.home_of(env).and_then(|h| match &h.borrow().class {
                    Class::Function(Func::Class { parent, .. }) => parent.clone(),
                    _ => None,
                });
                if let Some(p) = parent {
                    self.super_construct(&p, &this, &args)?;
                    // Fields of the derived class, now that `this` exists.
                    if let Some(h) = self.home_of(env) {
                        let (def, cenv) = match &h.borrow().class {
                            Class::Function(Func::Class { def, env, .. }) => {
                                (def.clone(), env.clone())
                            }
                            _ => return Ok(Value::Undef),
                        };
                        self.init_fields(&def, &cenv, &this)?;
                    }
                }
                Ok(Value::Undef)
            }
            Expr::SuperMember(name, pos) => {
                self.set_pos(*pos);
                let home = self.home_of(env);
                let proto = home.and_then(|h| {
                    let b = h.borrow();
                    match &b.class {
                        Class::Function(Func::Class {
                            parent: Some(p), ..
                        }) => Some(p.clone()),
                        _ => b.proto.clone().map(Value::Obj),
                    }
                });
                match proto {
                    Some(p) => {
                        let pp = self.get(&p, "prototype")?;
                        if pp.is_nullish() {
                            self.get(&p, name)
                        } else {
                            self.get(&pp, name)
                        }
                    }
                    None => Ok(Value::Undef),
                }
            }
        }
    }

    fn eval_args(&mut self, args: &[Elem], env: &Env) -> R<Vec<Value>> {
        let mut out = Vec::with_capacity(args.len());
        for a in args {
            match a {
                Elem::Item(e) => out.push(self.eval(e, env)?),
                Elem::Spread(e) => {
                    let v = self.eval(e, env)?;
                    out.extend(self.iterate(&v, 0)?);
                }
                Elem::Hole => out.push(Value::Undef),
            }
        }
        Ok(out)
    }

    /// Member, index and call expressions; None when an optional link (`?.`) met
    /// null or undefined, which ends the whole chain.
    fn eval_chain(&mut self, e: &Expr, env: &Env) -> R<Option<Value>> {
        match e {
            Expr::Member {
                obj,
                prop,
                pos,
                optional,
            } => {
                let Some(o) = self.eval_link(obj, env)? else {
                    return Ok(None);
                };
                if *optional && o.is_nullish() {
                    return Ok(None);
                }
                self.set_pos(*pos);
                Ok(Some(self.get(&o, prop)?))
            }
            Expr::Index {
                obj,
                index,
                pos,
                optional,
            } => {
                let Some(o) = self.eval_link(obj, env)? else {
                    return Ok(None);
                };
                if *optional && o.is_nullish() {
                    return Ok(None);
                }
                let k = self.eval(index, env)?;
                self.set_pos(*pos);
                if let (Value::Obj(ob), Value::Num(n)) = (&o, &k) {
                    if let Class::Array(items) = &ob.borrow().class {
                        if *n >= 0.0 && n.fract() == 0.0 {
                            return Ok(Some(
                                items.get(*n as usize).cloned().unwrap_or(Value::Undef),
                            ));
                        }
                    }
                }
                let key = self.to_key(&k)?;
                Ok(Some(self.get(&o, &key)?))
            }
            Expr::Call {
                callee,
                args,
                pos,
                optional,
            } => {
                let (f, this) = match &**callee {
                    Expr::Member {
                        obj,
                        prop,
                        pos: mpos,
                        optional: mopt,
                    } => {
                        let Some(o) = self.eval_link(obj, env)? else {
                            return Ok(None);
                        };
                        if *mopt && o.is_nullish() {
                            return Ok(None);
                        }
                        self.set_pos(*mpos);
                        let f = self.get(&o, prop)?;
                        (f, o)
                    }
                    Expr::Index {
                        obj,
                        index,
                        pos: ipos,
                        optional: iopt,
                    } => {
                        let Some(o) = self.eval_link(obj, env)? else {
                            return Ok(None);
                        };
                        if *iopt && o.is_nullish() {
                            return Ok(None);
                        }
                        let k = self.eval(index, env)?;
                        let key = self.to_key(&k)?;
                        self.set_pos(*ipos);
                        let f = self.get(&o, &key)?;
                        (f, o)
                    }
                    Expr::SuperMember(..) => {
                        let f = self.eval(callee, env)?;
                        (f, self.this_of(env))
                    }
                    other => {
                        let Some(f) = self.eval_link(other, env)? else {
                            return Ok(None);
                        };
                        (f, Value::Undef)
                    }
                };
                if *optional && f.is_nullish() {
                    return Ok(None);
                }
                let args = self.eval_args(args, env)?;
                if !f.is_callable() {
                    let text = callee_text(callee);
                    let at = callee_start(callee).unwrap_or(*pos);
                    return Err(self.throw_error(
                        "TypeError",
                        &format!("{text} is not a function"),
                        at,
                    ));
                }
                self.set_pos(callee_start(callee).unwrap_or(*pos));
                Ok(Some(self.call(&f, &this, &args)?))
            }
            other => Ok(Some(self.eval(other, env)?)),
        }
    }

    fn eval_link(&mut self, e: &Expr, env: &Env) -> R<Option<Value>> {
        match e {
            Expr::Call { .. } | Expr::Member { .. } | Expr::Index { .. } => self.eval_chain(e, env),
            other => Ok(Some(self.eval(other, env)?)),
        }
    }

    fn assign(
        &mut self,
        op: &str,
        target: &Target,
        value: &Expr,
        pos: usize,
        env: &Env,
    ) -> R<Value> {
        let target = match target {
            Target::Pattern(p) => {
                let v = self.eval(value, env)?;
                self.assign_pattern(p, v.clone(), env)?;
                return Ok(v);
            }
            Target::Expr(e) => e,
        };
        let v = if op == "=" {
            let v = self.eval(value, env)?;
            if let (Expr::Ident(n, _), Value::Obj(o)) = (target, &v) {
                self.name_function(o, n);
            }
            v
        } else {
            let old = self.eval(target, env)?;
            match op {
                "&&=" if !old.truthy() => return Ok(old),
                "||=" if old.truthy() => return Ok(old),
                "??=" if !old.is_nullish() => return Ok(old),
                "&&=" | "||=" | "??=" => self.eval(value, env)?,
                _ => {
                    let rhs = self.eval(value, env)?;
                    let bop = &op[..op.len() - 1];
                    self.binary(bop, &old, &rhs, pos)?
                }
            }
        };
        self.set_pos(pos);
        self.assign_to(target, v.clone(), env)?;
        Ok(v)
    }

    pub fn binary(&mut self, op: &str, a: &Value, b: &Value, pos: usize) -> R<Value> {
        Ok(match op {
            "+" => {
                let pa = self.to_primitive(a)?;
                let pb = self.to_primitive(b)?;
                if matches!(pa, Value::Str(_)) || matches!(pb, Value::Str(_)) {
                    let mut s = self.to_string(&pa)?.to_string();
                    s.push_str(&self.to_string(&pb)?);
                    Value::Str(s.into())
                } else {
                    Value::Num(self.to_number(&pa)? + self.to_number(&pb)?)
                }
            }
            "-" | "*" | "/" | "%" | "**" => {
                let x = self.to_number(a)?;
                let y = self.to_number(b)?;
                Value::Num(match op {
                    "-" => x - y,
                    "*" => x * y,
                    "/" => x / y,
                    "%" => x % y,
                    _ => x.powf(y),
                })
            }
            "&" | "|" | "^" | "<<" | ">>" | ">>>" => {
                let x = to_int32(self.to_number(a)?);
                let y = to_int32(self.to_number(b)?);
                Value::Num(match op {
                    "&" => (x & y) as f64,
                    "|" => (x | y) as f64,
                    "^" => (x ^ y) as f64,
                    "<<" => x.wrapping_shl(y as u32 & 31) as f64,
                    ">>" => (x >> (y as u32 & 31)) as f64,
                    _ => ((x as u32) >> (y as u32 & 31)) as f64,
                })
            }
            "===" => Value::Bool(a.same(b)),
            "!==" => Value::Bool(!a.same(b)),
            "==" => Value::Bool(self.loose_eq(a, b)?),
            "!=" => Value::Bool(!self.loose_eq(a, b)?),
            "<" | ">" | "<=" | ">=" => {
                let pa = self.to_primitive(a)?;
                let pb = self.to_primitive(b)?;
                let ord = if let (Value::Str(x), Value::Str(y)) = (&pa, &pb) {
                    Some(x.cmp(y))
                } else {
                    let x = self.to_number(&pa)?;
                    let y = self.to_number(&pb)?;
                    x.partial_cmp(&y)
                };
                Value::Bool(match ord {
                    None => false,
                    Some(o) => match op {
                        "<" => o.is_lt(),
                        ">" => o.is_gt(),
                        "<=" => o.is_le(),
                        _ => o.is_ge(),
                    },
                })
            }
            "instanceof" => {
                if !b.is_callable() {
                    return Err(self.throw_error(
                        "TypeError",
                        "Right-hand side of 'instanceof' is not callable",
                        pos,
                    ));
                }
                let proto = self.get(b, "prototype")?;
                let Value::Obj(target) = proto else {
                    return Ok(Value::Bool(false));
                };
                let mut cur = match a {
                    Value::Obj(o) => o.borrow().proto.clone(),
                    _ => None,
                };
                let mut found = false;
                while let Some(c) = cur {
                    if Rc::ptr_eq(&c, &target) {
                        found = true;
                        break;
                    }
                    cur = c.borrow().proto.clone();
                }
                Value::Bool(found)
            }
            "in" => {
                let Value::Obj(o) = b else {
                    let k = self.to_string(a)?;
                    let t = inspect(b);
                    return Err(self.throw_error(
                        "TypeError",
                        &format!("Cannot use 'in' operator to search for '{k}' in {t}"),
                        pos,
                    ));
                };
                let k = self.to_key(a)?;
                if let Class::Array(items) = &o.borrow().class {
                    if k.as_ref() == "length" {
                        return Ok(Value::Bool(true));
                    }
                    if let Ok(i) = k.parse::<usize>() {
                        return Ok(Value::Bool(i < items.len()));
                    }
                }
                let mut cur = Some(o.clone());
                let mut found = false;
                while let Some(c) = cur {
                    if c.borrow().get_own(&k).is_some() {
                        found = true;
                        break;
                    }
                    cur = c.borrow().proto.clone();
                }
                Value::Bool(found)
            }
            _ => Value::Undef,
        })
    }

    // ----- timers and the event loop -----

    pub fn add_timer(
        &mut self,
        callback: Value,
        delay: f64,
        args: Vec<Value>,
        repeat: bool,
    ) -> u32 {
        let id = self.next_timer;
        self.next_timer += 1;
        let delay = if delay.is_nan() || delay < 1.0 {
            1.0
        } else {
            delay.min(2_147_483_647.0)
        };
        self.timers.push(Timer {
            id,
            due: self.clock_offset + delay,
            callback,
            args,
            interval: repeat.then_some(delay),
        });
        id
    }

    pub fn clear_timer(&mut self, id: u32) {
        self.timers.retain(|t| t.id != id);
    }

    pub fn run_microtasks(&mut self) -> R<()> {
        let mut guard = 0;
        while !self.microtasks.is_empty() {
            guard += 1;
            if guard > 1_000_000 {
                return Err(Throw::Stop);
            }
            let (f, args) = self.microtasks.remove(0);
            self.call(&f, &Value::Undef, &args)?;
        }
        Ok(())
    }

    /// Runs the earliest timer, if any is due within `horizon` ms of virtual time;
    /// returns how long the clock moved, or None when none is.
    pub fn run_next_timer(&mut self, horizon: Option<f64>) -> R<Option<f64>> {
        self.run_microtasks()?;
        let Some(idx) = (0..self.timers.len()).min_by(|a, b| {
            self.timers[*a]
                .due
                .partial_cmp(&self.timers[*b].due)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(self.timers[*a].id.cmp(&self.timers[*b].id))
        }) else {
            return Ok(None);
        };
        let due = self.timers[idx].due;
        if let Some(h) = horizon {
            if due > self.clock_offset + h {
                return Ok(None);
            }
        }
        let waited = (due - self.clock_offset).max(0.0);
        self.clock_offset = self.clock_offset.max(due);
        let (callback, args, id) = {
            let t = &mut self.timers[idx];
            (t.callback.clone(), t.args.clone(), t.id)
        };
        match self.timers[idx].interval {
            Some(every) => self.timers[idx].due = self.clock_offset + every,
            None => {
                self.timers.remove(idx);
            }
        }
        let _ = id;
        self.call(&callback, &Value::Undef, &args)?;
        self.run_microtasks()?;
        Ok(Some(waited))
    }

    pub fn now_ms(&self) -> f64 {
        (self.host.now_ms() + self.clock_offset).floor()
    }
}

fn callee_text(e: &Expr) -> String {
    match e {
        Expr::Ident(n, _) => n.to_string(),
        Expr::Member { obj, prop, .. } => format!("{}.{prop}", callee_text(obj)),
        Expr::This => "this".into(),
        Expr::Call { callee, .. } => format!("{}(...)", callee_text(callee)),
        Expr::Index { obj, .. } => format!("{}[...]", callee_text(obj)),
        _ => "(intermediate value)".into(),
    }
}

/// Where V8 points for a failed call: the start of the callee's last name.
fn callee_start(e: &Expr) -> Option<usize> {
    match e {
        Expr::Ident(_, p) => Some(*p),
        Expr::Member { pos, .. } => Some(*pos),
        Expr::Index { pos, .. } => Some(*pos),
        _ => None,
    }
}

pub fn to_int32(n: f64) -> i32 {
    if !n.is_finite() {
        return 0;
    }
    (n.trunc() as i64 as u64 & 0xffff_ffff) as u32 as i32
}

pub fn string_to_number(s: &str) -> f64 {
    let t = s.trim();
    if t.is_empty() {
        return 0.0;
    }
    if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        return u64::from_str_radix(h, 16)
            .map(|v| v as f64)
            .unwrap_or(f64::NAN);
    }
    match t {
        "Infinity" | "+Infinity" => f64::INFINITY,
        "-Infinity" => f64::NEG_INFINITY,
        _ if t
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-')) =>
        {
            t.parse().unwrap_or(f64::NAN)
        }
        _ => f64::NAN,
    }
}

pub fn dirname(path: &str) -> String {
    match path.rfind('/') {
        Some(0) => "/".into(),
        Some(i) => path[..i].to_string(),
        None => ".".into(),
    }
}

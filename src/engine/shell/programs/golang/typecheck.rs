//! The type checker: the compile errors a beginner meets, in `go build`'s words
//! ("undefined: fmt.Printn", "declared and not used: x", "\"os\" imported and not
//! used", "invalid operation: a + b (mismatched types int and string)", assignment and
//! argument count mismatches, "missing return"). It is conservative: where it cannot
//! tell a type it says nothing, so valid Go is never refused for the checker's sake.
//! Valid Go outside the lab's subset is reported as such, apart from real errors.

use super::ast::*;
use super::lexer::Pos;
use super::stdlib::{self, Member, PackageKind};
use super::types::Type;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq)]
pub struct Diag {
    pub file: String,
    pub pos: Pos,
    pub msg: String,
    /// Valid Go the lab does not run, rather than an error in the program.
    pub unsupported: bool,
}

#[derive(Clone)]
enum Obj {
    Var(Type),
    Const(Type),
    Func(Type),
    TypeName(Type),
}

struct Local {
    name: String,
    obj: Obj,
    pos: Pos,
    used: bool,
    /// Parameters and results are never "declared and not used".
    report: bool,
}

#[derive(Default, Clone)]
struct TypeDef {
    underlying: Option<Type>,
    methods: HashMap<String, Type>,
}

struct Checker {
    file: String,
    diags: Vec<Diag>,
    globals: HashMap<String, Obj>,
    types: HashMap<String, TypeDef>,
    scopes: Vec<Vec<Local>>,
    /// The current file's imports: name → (path, position, used).
    imports: HashMap<String, (String, Pos, bool)>,
    results: Vec<Vec<Type>>,
}

const BUILTINS: &[&str] = &[
    "len", "cap", "append", "make", "new", "delete", "panic", "print", "println", "copy", "min",
    "max", "recover", "close", "clear",
];

/// Checks a package's files; the diagnostics are sorted by file and position.
pub fn check(files: &[File]) -> Vec<Diag> {
    let mut c = Checker {
        file: String::new(),
        diags: Vec::new(),
        globals: HashMap::new(),
        types: HashMap::new(),
        scopes: Vec::new(),
        imports: HashMap::new(),
        results: Vec::new(),
    };
    c.collect(files);
    for f in files {
        c.file = f.name.clone();
        c.imports.clear();
        for imp in &f.imports {
            c.import(imp);
        }
        for d in &f.decls {
            c.decl_body(d);
        }
        let mut unused: Vec<(Pos, String, String)> = c
            .imports
            .iter()
            .filter(|(_, (_, _, used))| !used)
            .map(|(name, (path, pos, _))| (*pos, name.clone(), path.clone()))
            .collect();
        unused.sort();
        for (pos, name, path) in unused {
            let last = path.rsplit('/').next().unwrap_or("");
            let msg = if name == last {
                format!("{} imported and not used", stdlib::quote(&path))
            } else {
                format!("{} imported as {name} and not used", stdlib::quote(&path))
            };
            c.error(pos, msg);
        }
    }
    let mut diags = c.diags;
    diags.sort_by(|a, b| (a.file.as_str(), a.pos).cmp(&(b.file.as_str(), b.pos)));
    diags.dedup();
    diags
}

/// Go's rendering of an expression in messages (types2's `ExprString`).
pub fn expr_string(e: &Expr) -> String {
    match e {
        Expr::Ident(n, _) => n.clone(),
        Expr::Int(i, _) => i.to_string(),
        Expr::Float(f, _) => super::value::format_float_v(*f),
        Expr::Str(s, _) => stdlib::quote(s),
        Expr::Char(c, _) => stdlib::quote_rune(char::from_u32(*c).unwrap_or('?')),
        Expr::Binary(op, l, r) => format!("{} {op} {}", expr_string(l), expr_string(r)),
        Expr::Unary(op, x, _) => format!("{op}{}", expr_string(x)),
        Expr::Call { func, args, .. } => format!(
            "{}({})",
            expr_string(func),
            args.iter().map(expr_string).collect::<Vec<_>>().join(", ")
        ),
        Expr::Selector(x, n, _) => format!("{}.{n}", expr_string(x)),
        Expr::Index(x, i, _) => format!("{}[{}]", expr_string(x), expr_string(i)),
        Expr::Sliced(x, lo, hi, _) => format!(
            "{}[{}:{}]",
            expr_string(x),
            lo.as_ref().map(|e| expr_string(e)).unwrap_or_default(),
            hi.as_ref().map(|e| expr_string(e)).unwrap_or_default()
        ),
        Expr::Composite(Some(t), _, _) => format!("{}{{…}}", type_expr_string(t)),
        Expr::Composite(None, _, _) => "{…}".into(),
        Expr::FuncLit(_) => "func literal".into(),
        Expr::TypeAssert(x, _, _) => format!("{}.(…)", expr_string(x)),
        Expr::Type(t, _) => type_expr_string(t),
        Expr::Paren(x, _) => format!("({})", expr_string(x)),
    }
}

fn type_expr_string(t: &TypeExpr) -> String {
    match t {
        TypeExpr::Name(n, _) => n.clone(),
        TypeExpr::Qualified(p, n, _) => format!("{p}.{n}"),
        TypeExpr::Slice(t) => format!("[]{}", type_expr_string(t)),
        TypeExpr::Array(_, t) => format!("[…]{}", type_expr_string(t)),
        TypeExpr::Map(k, v) => format!("map[{}]{}", type_expr_string(k), type_expr_string(v)),
        TypeExpr::Pointer(t) => format!("*{}", type_expr_string(t)),
        TypeExpr::Struct(_) => "struct{…}".into(),
        TypeExpr::Func(_) => "func(…)".into(),
        TypeExpr::Interface => "interface{}".into(),
        TypeExpr::Chan(_) => "chan".into(),
    }
}

/// The standard library's types, from the Go syntax its tables use.
pub fn std_type(src: &str) -> Type {
    match super::parser::parse_type(src) {
        Ok(t) => std_resolve(&t),
        Err(_) => Type::Unknown,
    }
}

fn std_resolve(t: &TypeExpr) -> Type {
    match t {
        TypeExpr::Name(n, _) => Type::predeclared(n).unwrap_or(Type::Unknown),
        TypeExpr::Qualified(p, n, _) => {
            let full = format!("{p}.{n}");
            stdlib::STD_TYPES
                .iter()
                .find(|s| **s == full)
                .map(|s| Type::Pkg(s))
                .unwrap_or(Type::Unknown)
        }
        TypeExpr::Slice(t) => Type::Slice(Box::new(std_resolve(t))),
        TypeExpr::Map(k, v) => Type::Map(Box::new(std_resolve(k)), Box::new(std_resolve(v))),
        TypeExpr::Pointer(t) => Type::Pointer(Box::new(std_resolve(t))),
        TypeExpr::Func(sig) => Type::Func(
            sig.params.iter().map(|p| std_resolve(&p.ty)).collect(),
            sig.results.iter().map(|p| std_resolve(&p.ty)).collect(),
            sig.variadic,
        ),
        TypeExpr::Interface => Type::Any,
        _ => Type::Unknown,
    }
}

/// Whether every part of a type is known to the checker, so errors about it are sure.
fn confident(t: &Type) -> bool {
    match t {
        Type::Unknown | Type::Any | Type::Pkg(_) | Type::Error | Type::Tuple(_) => false,
        Type::Slice(e) | Type::Pointer(e) | Type::Array(_, e) => confident(e),
        Type::Map(k, v) => confident(k) && confident(v),
        Type::Func(p, r, _) => p.iter().all(confident) && r.iter().all(confident),
        Type::Struct(fields) => fields.iter().all(|(_, t)| confident(t)),
        _ => true,
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn tuple_list(ts: &[Type]) -> String {
    format!(
        "({})",
        ts.iter()
            .map(Type::have_name)
            .collect::<Vec<_>>()
            .join(", ")
    )
}

impl Checker {
    fn error(&mut self, pos: Pos, msg: impl Into<String>) {
        self.diags.push(Diag {
            file: self.file.clone(),
            pos,
            msg: msg.into(),
            unsupported: false,
        });
    }

    fn unsupported(&mut self, pos: Pos, what: impl Into<String>) {
        self.diags.push(Diag {
            file: self.file.clone(),
            pos,
            msg: what.into(),
            unsupported: true,
        });
    }

    fn import(&mut self, imp: &Import) {
        match stdlib::package_kind(&imp.path) {
            PackageKind::Provided => {}
            PackageKind::Unsupported => {
                self.unsupported(imp.pos, format!("package {}", imp.path));
                // Its members are not checked: the package itself is the limit.
                self.imports
                    .insert(imp.name(), (imp.path.clone(), imp.pos, true));
                return;
            }
            // The go command reports these before compiling (see `build`).
            PackageKind::External | PackageKind::NotInStd => return,
        }
        let name = imp.name();
        if name == "_" || name == "." {
            if name == "." {
                self.unsupported(imp.pos, "dot imports");
            }
            return;
        }
        self.imports
            .insert(name, (imp.path.clone(), imp.pos, false));
    }

    /// Package-level names, before any body is checked (their order does not matter).
    fn collect(&mut self, files: &[File]) {
        for f in files {
            self.file = f.name.clone();
            for d in &f.decls {
                if let Decl::Type(spec) = d {
                    if self.types.contains_key(&spec.name) {
                        self.error(spec.pos, format!("{} redeclared in this block", spec.name));
                    }
                    self.types.insert(spec.name.clone(), TypeDef::default());
                    self.globals.insert(
                        spec.name.clone(),
                        Obj::TypeName(Type::Named(spec.name.clone())),
                    );
                }
            }
        }
        for f in files {
            self.file = f.name.clone();
            self.imports.clear();
            for imp in &f.imports {
                if matches!(stdlib::package_kind(&imp.path), PackageKind::Provided) {
                    self.imports
                        .insert(imp.name(), (imp.path.clone(), imp.pos, true));
                }
            }
            for d in &f.decls {
                match d {
                    Decl::Type(spec) => {
                        let t = self.resolve(&spec.ty);
                        if let Some(def) = self.types.get_mut(&spec.name) {
                            def.underlying = Some(t);
                        }
                    }
                    Decl::Func(func) => {
                        let t = self.signature(&func.sig);
                        if let Some(recv) = &func.recv {
                            let rt = self.resolve(&recv.ty);
                            let base = match &rt {
                                Type::Pointer(inner) => (**inner).clone(),
                                other => other.clone(),
                            };
                            match base {
                                Type::Named(n) => {
                                    let is_struct = matches!(
                                        self.types.get(&n).and_then(|d| d.underlying.clone()),
                                        Some(Type::Struct(_))
                                    );
                                    if !is_struct {
                                        self.unsupported(
                                            func.pos,
                                            "methods on types that are not structs",
                                        );
                                    }
                                    if let Some(def) = self.types.get_mut(&n)
                                        && def.methods.insert(func.name.clone(), t).is_some()
                                    {
                                        let msg =
                                            format!("method {n}.{} already declared", func.name);
                                        self.error(func.pos, msg);
                                    }
                                }
                                Type::Unknown => {}
                                _ => self.error(
                                    recv.ty_pos(),
                                    "cannot define new methods on non-local type",
                                ),
                            }
                            continue;
                        }
                        if func.name == "init" {
                            continue;
                        }
                        if func.name == "main"
                            && (!func.sig.params.is_empty() || !func.sig.results.is_empty())
                        {
                            self.error(
                                func.pos,
                                "func main must have no arguments and no return values",
                            );
                        }
                        self.declare_global(&func.name, func.pos, Obj::Func(t));
                    }
                    Decl::Var(specs) | Decl::Const(specs) => {
                        let constant = matches!(d, Decl::Const(_));
                        for spec in specs {
                            let declared = spec.ty.as_ref().map(|t| self.resolve(t));
                            for (i, (name, pos)) in spec.names.iter().enumerate() {
                                let t = match &declared {
                                    Some(t) => t.clone(),
                                    None => match spec.values.get(i) {
                                        Some(Expr::Int(..)) if constant => Type::UntypedInt,
                                        Some(Expr::Float(..)) if constant => Type::UntypedFloat,
                                        Some(Expr::Str(..)) if constant => Type::UntypedString,
                                        Some(Expr::Ident(n, _)) if n == "iota" => Type::UntypedInt,
                                        Some(Expr::Str(..)) => Type::String,
                                        Some(Expr::Int(..)) => Type::Int,
                                        Some(Expr::Float(..)) => Type::Float64,
                                        _ => Type::Unknown,
                                    },
                                };
                                let obj = if constant { Obj::Const(t) } else { Obj::Var(t) };
                                if name != "_" {
                                    self.declare_global(name, *pos, obj);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    fn declare_global(&mut self, name: &str, pos: Pos, obj: Obj) {
        if self.globals.contains_key(name) {
            self.error(pos, format!("{name} redeclared in this block"));
            return;
        }
        self.globals.insert(name.to_string(), obj);
    }

    fn signature(&mut self, sig: &Signature) -> Type {
        Type::Func(
            sig.params.iter().map(|p| self.resolve(&p.ty)).collect(),
            sig.results.iter().map(|p| self.resolve(&p.ty)).collect(),
            sig.variadic,
        )
    }

    fn resolve(&mut self, t: &TypeExpr) -> Type {
        match t {
            TypeExpr::Name(n, pos) => {
                if let Some(local) = self.lookup_local(n)
                    && let Obj::TypeName(t) = &local.obj
                {
                    return t.clone();
                }
                if self.types.contains_key(n) {
                    return Type::Named(n.clone());
                }
                if let Some(t) = Type::predeclared(n) {
                    return t;
                }
                if matches!(
                    n.as_str(),
                    "complex128" | "complex64" | "float32" | "uint" | "comparable"
                ) {
                    return Type::Unknown;
                }
                self.error(*pos, format!("undefined: {n}"));
                Type::Unknown
            }
            TypeExpr::Qualified(p, n, pos) => {
                let Some((path, _, used)) = self.imports.get_mut(p) else {
                    self.error(*pos, format!("undefined: {p}"));
                    return Type::Unknown;
                };
                *used = true;
                let path = path.clone();
                if matches!(stdlib::package_kind(&path), PackageKind::Unsupported) {
                    return Type::Unknown;
                }
                match stdlib::member(&path, n, &std_type) {
                    Some(Member::Type(t)) => t,
                    Some(_) => {
                        self.error(*pos, format!("{p}.{n} is not a type"));
                        Type::Unknown
                    }
                    None => {
                        self.missing_member(p, &path, n, *pos);
                        Type::Unknown
                    }
                }
            }
            TypeExpr::Slice(t) => Type::Slice(Box::new(self.resolve(t))),
            TypeExpr::Array(len, t) => {
                let n = match len.as_deref() {
                    Some(Expr::Int(n, _)) => (*n).clamp(0, 1 << 20) as usize,
                    Some(e) => {
                        self.expr(e);
                        0
                    }
                    None => 0,
                };
                Type::Array(n, Box::new(self.resolve(t)))
            }
            TypeExpr::Map(k, v) => Type::Map(Box::new(self.resolve(k)), Box::new(self.resolve(v))),
            TypeExpr::Pointer(t) => Type::Pointer(Box::new(self.resolve(t))),
            TypeExpr::Struct(fields) => Type::Struct(
                fields
                    .iter()
                    .map(|f| (f.name.clone(), self.resolve(&f.ty)))
                    .collect(),
            ),
            TypeExpr::Func(sig) => self.signature(sig),
            TypeExpr::Interface => Type::Any,
            TypeExpr::Chan(pos) => {
                self.unsupported(*pos, "channels");
                Type::Unknown
            }
        }
    }

    fn missing_member(&mut self, name: &str, path: &str, member: &str, pos: Pos) {
        let close = stdlib::member_names(path).any(|m| stdlib::distance(m, member) <= 2);
        let exported = member.chars().next().is_some_and(char::is_uppercase);
        if close || !exported {
            let hint = stdlib::member_names(path)
                .find(|m| m.eq_ignore_ascii_case(member) && *m != member)
                .map(|m| format!(" (but have {m})"))
                .unwrap_or_default();
            self.error(pos, format!("undefined: {name}.{member}{hint}"));
        } else {
            self.unsupported(pos, format!("{name}.{member}"));
        }
    }

    fn lookup_local(&self, name: &str) -> Option<&Local> {
        self.scopes
            .iter()
            .rev()
            .find_map(|s| s.iter().rev().find(|l| l.name == name))
    }

    fn use_local(&mut self, name: &str) -> Option<Obj> {
        for s in self.scopes.iter_mut().rev() {
            if let Some(l) = s.iter_mut().rev().find(|l| l.name == name) {
                l.used = true;
                return Some(l.obj.clone());
            }
        }
        None
    }

    fn declare(&mut self, name: &str, pos: Pos, obj: Obj, report: bool) {
        if name == "_" {
            return;
        }
        let scope = self.scopes.last_mut().expect("a scope is open");
        if let Some(prev) = scope.iter().position(|l| l.name == name) {
            if report {
                self.error(pos, format!("{name} redeclared in this block"));
                return;
            }
            scope.remove(prev);
        }
        let scope = self.scopes.last_mut().expect("a scope is open");
        scope.push(Local {
            name: name.to_string(),
            obj,
            pos,
            used: false,
            report,
        });
    }

    fn push(&mut self) {
        self.scopes.push(Vec::new());
    }

    fn pop(&mut self) {
        if let Some(scope) = self.scopes.pop() {
            for l in scope {
                if l.report && !l.used && matches!(l.obj, Obj::Var(_)) {
                    self.error(l.pos, format!("declared and not used: {}", l.name));
                }
            }
        }
    }

    fn decl_body(&mut self, d: &Decl) {
        match d {
            Decl::Func(f) => self.func(f),
            Decl::Var(specs) => {
                for spec in specs {
                    let declared = spec.ty.as_ref().map(|t| self.resolve(t));
                    self.push();
                    for v in &spec.values {
                        let t = self.expr(v);
                        if let Some(to) = &declared {
                            self.assign_check(v, &t, to, "variable declaration");
                        }
                    }
                    self.pop();
                }
            }
            Decl::Const(specs) => {
                self.push();
                for spec in specs {
                    for v in &spec.values {
                        self.expr(v);
                    }
                }
                self.pop();
            }
            Decl::Type(_) => {}
        }
    }

    fn func(&mut self, f: &FuncDecl) {
        self.push();
        if let Some(recv) = &f.recv {
            let t = self.resolve(&recv.ty);
            if let Some((n, p)) = &recv.name {
                self.declare(n, *p, Obj::Var(t), false);
            }
        }
        let mut params = Vec::new();
        for p in &f.sig.params {
            let t = self.resolve(&p.ty);
            params.push(t.clone());
            if let Some((n, pos)) = &p.name {
                self.declare(n, *pos, Obj::Var(t), false);
            }
        }
        let mut results = Vec::new();
        for p in &f.sig.results {
            let t = self.resolve(&p.ty);
            results.push(t.clone());
            if let Some((n, pos)) = &p.name {
                self.declare(n, *pos, Obj::Var(t), false);
            }
        }
        self.results.push(results.clone());
        self.push();
        self.block(&f.body);
        self.pop();
        self.results.pop();
        self.pop();
        if !results.is_empty() && !terminates_block(&f.body) {
            self.error(f.end, "missing return");
        }
    }

    fn block(&mut self, b: &Block) {
        for s in b {
            self.stmt(s);
        }
    }

    fn scoped_block(&mut self, b: &Block) {
        self.push();
        self.block(b);
        self.pop();
    }

    fn stmt(&mut self, s: &Stmt) {
        match s {
            Stmt::Var(specs, _) => {
                for spec in specs {
                    let declared = spec.ty.as_ref().map(|t| self.resolve(t));
                    let types = self.values(&spec.values, spec.names.len());
                    for (i, (name, pos)) in spec.names.iter().enumerate() {
                        let t = match (&declared, types.get(i)) {
                            (Some(d), Some(t)) => {
                                self.assign_check(
                                    &spec.values[i.min(spec.values.len() - 1)],
                                    t,
                                    d,
                                    "variable declaration",
                                );
                                d.clone()
                            }
                            (Some(d), None) => d.clone(),
                            (None, Some(t)) => {
                                if matches!(t, Type::UntypedNil) {
                                    self.error(
                                        spec.values[i].pos(),
                                        "use of untyped nil in variable declaration",
                                    );
                                }
                                t.default_type()
                            }
                            (None, None) => Type::Unknown,
                        };
                        self.declare(name, *pos, Obj::Var(t), true);
                    }
                }
            }
            Stmt::Const(specs) => {
                for spec in specs {
                    let declared = spec.ty.as_ref().map(|t| self.resolve(t));
                    for (i, (name, pos)) in spec.names.iter().enumerate() {
                        let t = spec
                            .values
                            .get(i)
                            .map(|v| self.expr(v))
                            .unwrap_or(Type::Unknown);
                        let t = declared.clone().unwrap_or(t);
                        self.declare(name, *pos, Obj::Const(t), false);
                    }
                }
            }
            Stmt::Type(spec) => {
                self.unsupported(spec.pos, "type declarations inside functions");
            }
            Stmt::Define(names, values, pos) => {
                let types = self.values(values, names.len());
                let scope = self.scopes.last().expect("a scope is open");
                let any_new = names
                    .iter()
                    .any(|(n, _)| n == "_" || !scope.iter().any(|l| &l.name == n));
                let all_blank = names.iter().all(|(n, _)| n == "_");
                if !any_new || all_blank {
                    self.error(*pos, "no new variables on left side of :=");
                }
                for (i, (name, npos)) in names.iter().enumerate() {
                    let t = types.get(i).cloned().unwrap_or(Type::Unknown);
                    if matches!(t, Type::UntypedNil) {
                        self.error(
                            values[i.min(values.len() - 1)].pos(),
                            "use of untyped nil in assignment",
                        );
                    }
                    let existing = self
                        .scopes
                        .last()
                        .expect("a scope is open")
                        .iter()
                        .any(|l| &l.name == name);
                    if existing {
                        continue;
                    }
                    self.declare(name, *npos, Obj::Var(t.default_type()), true);
                }
            }
            Stmt::Assign(lhs, op, rhs, _) => {
                let lts: Vec<Type> = lhs.iter().map(|e| self.lvalue(e)).collect();
                if *op == "=" {
                    let rts = self.values(rhs, lhs.len());
                    for (i, (lt, rt)) in lts.iter().zip(rts.iter()).enumerate() {
                        if rhs.len() == lhs.len() {
                            self.assign_check(&rhs[i], rt, lt, "assignment");
                        }
                    }
                } else {
                    for r in rhs {
                        let rt = self.single(r);
                        let bin = op.trim_end_matches('=');
                        if let Some(lt) = lts.first() {
                            let expr = Expr::Binary(
                                static_op(bin),
                                Box::new(lhs[0].clone()),
                                Box::new(r.clone()),
                            );
                            self.binary_types(&expr, bin, lt, &rt);
                        }
                    }
                }
            }
            Stmt::IncDec(e, _, _) => {
                self.lvalue(e);
            }
            Stmt::Expr(e) => {
                let t = self.expr(e);
                let is_call = matches!(strip_paren(e), Expr::Call { .. });
                if !is_call && t.is_known() {
                    let desc = self.describe(e, &t);
                    self.error(e.pos(), format!("{} ({desc}) is not used", expr_string(e)));
                }
            }
            Stmt::If {
                init,
                cond,
                then,
                els,
                ..
            } => {
                self.push();
                if let Some(i) = init {
                    self.stmt(i);
                }
                let ct = self.single(cond);
                if confident(&ct) && !matches!(ct, Type::Bool | Type::UntypedBool) {
                    let desc = self.describe(cond, &ct);
                    self.error(
                        cond.pos(),
                        format!(
                            "non-boolean condition in if statement ({} ({desc}))",
                            expr_string(cond)
                        ),
                    );
                }
                self.scoped_block(then);
                if let Some(e) = els {
                    self.stmt(e);
                }
                self.pop();
            }
            Stmt::For {
                init,
                cond,
                post,
                body,
                ..
            } => {
                self.push();
                if let Some(i) = init {
                    self.stmt(i);
                }
                if let Some(c) = cond {
                    self.single(c);
                }
                if let Some(p) = post {
                    self.stmt(p);
                }
                self.scoped_block(body);
                self.pop();
            }
            Stmt::Range {
                key,
                value,
                define,
                expr,
                body,
                ..
            } => {
                let t = self.single(expr);
                let (kt, vt) = match self.underlying(&t) {
                    Type::Slice(e) | Type::Array(_, e) => (Type::Int, *e),
                    Type::Map(k, v) => (*k, *v),
                    Type::String | Type::UntypedString => (Type::Int, Type::Int32),
                    Type::Int | Type::UntypedInt | Type::Int64 => (t.default_type(), Type::Unknown),
                    Type::Pointer(inner) if matches!(*inner, Type::Array(..)) => {
                        (Type::Int, Type::Unknown)
                    }
                    Type::Func(..) => {
                        self.unsupported(expr.pos(), "range over functions");
                        (Type::Unknown, Type::Unknown)
                    }
                    other if confident(&other) => {
                        let desc = self.describe(expr, &t);
                        self.error(
                            expr.pos(),
                            format!("cannot range over {} ({desc})", expr_string(expr)),
                        );
                        (Type::Unknown, Type::Unknown)
                    }
                    _ => (Type::Unknown, Type::Unknown),
                };
                self.push();
                if *define {
                    for (e, t) in [(key, kt), (value, vt)] {
                        match e {
                            Some(Expr::Ident(n, p)) => self.declare(n, *p, Obj::Var(t), true),
                            Some(other) => self.error(
                                other.pos(),
                                format!("non-name {} on left side of :=", expr_string(other)),
                            ),
                            None => {}
                        }
                    }
                } else {
                    for e in [key, value].into_iter().flatten() {
                        self.lvalue(e);
                    }
                }
                self.scoped_block(body);
                self.pop();
            }
            Stmt::Switch {
                init, tag, cases, ..
            } => {
                self.push();
                if let Some(i) = init {
                    self.stmt(i);
                }
                let tt = tag.as_ref().map(|t| self.single(t));
                for case in cases {
                    for e in case.exprs.iter().flatten() {
                        let et = self.single(e);
                        if let (Some(tt), Some(tag)) = (&tt, tag) {
                            let expr =
                                Expr::Binary("==", Box::new(tag.clone()), Box::new(e.clone()));
                            if confident(tt) && confident(&et) && self.mismatched(tt, &et) {
                                self.error(
                                    e.pos(),
                                    format!(
                                        "invalid case {} in switch on {} (mismatched types {} and {})",
                                        expr_string(e),
                                        expr_string(tag),
                                        et.have_name_typed(),
                                        tt
                                    ),
                                );
                                let _ = expr;
                            }
                        }
                    }
                    self.scoped_block(&case.body);
                }
                self.pop();
            }
            Stmt::Return(values, pos) => {
                let want = self.results.last().cloned().unwrap_or_default();
                if values.is_empty() {
                    return;
                }
                let have = if values.len() == 1 {
                    match self.expr(&values[0]) {
                        Type::Tuple(ts) => ts,
                        t => vec![t],
                    }
                } else {
                    values.iter().map(|v| self.single(v)).collect()
                };
                if have.len() != want.len() && have.iter().all(Type::is_known) {
                    let which = if have.len() > want.len() {
                        "too many return values"
                    } else {
                        "not enough return values"
                    };
                    self.error(
                        *pos,
                        format!(
                            "{which}\n\thave {}\n\twant {}",
                            tuple_list(&have),
                            tuple_list(&want)
                        ),
                    );
                    return;
                }
                if values.len() == want.len() {
                    for (i, (h, w)) in have.iter().zip(want.iter()).enumerate() {
                        self.assign_check(&values[i], h, w, "return statement");
                    }
                }
            }
            Stmt::Break(_) | Stmt::Continue(_) | Stmt::Fallthrough => {}
            Stmt::Block(b) => self.scoped_block(b),
            Stmt::Defer(e, _) => {
                self.expr(e);
            }
            Stmt::Unsupported(what, pos, expr) => {
                if let Some(e) = expr {
                    self.expr(e);
                }
                self.unsupported(*pos, what.clone())
            }
        }
    }

    /// The types of `values` as assigned to `n` targets: a call with several results
    /// spreads them.
    fn values(&mut self, values: &[Expr], n: usize) -> Vec<Type> {
        if values.len() == 1 && n != 0 {
            let t = self.expr(&values[0]);
            return match t {
                Type::Tuple(ts) => {
                    if ts.len() != n {
                        self.count_mismatch(values, n, ts.len());
                    }
                    ts
                }
                Type::Unknown => vec![Type::Unknown; n],
                t if n == 1 => vec![t],
                t => {
                    // `v, ok := m[k]` and friends give two values from one expression.
                    if n == 2
                        && matches!(
                            strip_paren(&values[0]),
                            Expr::Index(..) | Expr::TypeAssert(..)
                        )
                    {
                        return vec![t, Type::Bool];
                    }
                    self.count_mismatch(values, n, 1);
                    vec![t]
                }
            };
        }
        let types: Vec<Type> = values.iter().map(|v| self.single(v)).collect();
        if types.len() != n && n != 0 {
            self.count_mismatch(values, n, types.len());
        }
        types
    }

    fn count_mismatch(&mut self, values: &[Expr], vars: usize, vals: usize) {
        let v = plural(vars, "variable");
        let r = plural(vals, "value");
        let first = &values[0];
        let msg = match (values.len(), strip_paren(first)) {
            (1, Expr::Call { func, .. }) => {
                format!(
                    "assignment mismatch: {v} but {} returns {r}",
                    expr_string(func)
                )
            }
            _ => format!("assignment mismatch: {v} but {r}"),
        };
        self.error(first.pos(), msg);
    }

    /// An expression that must give one value.
    fn single(&mut self, e: &Expr) -> Type {
        match self.expr(e) {
            Type::Tuple(ts) if ts.len() != 1 => {
                if ts.is_empty() {
                    self.error(
                        e.pos(),
                        format!("{} (no value) used as value", expr_string(e)),
                    );
                } else {
                    self.error(
                        e.pos(),
                        format!(
                            "multiple-value {} (value of type {}) in single-value context",
                            expr_string(e),
                            Type::Tuple(ts.clone())
                        ),
                    );
                }
                Type::Unknown
            }
            Type::Tuple(mut ts) => ts.pop().unwrap_or(Type::Unknown),
            t => t,
        }
    }

    /// The left side of an assignment: names are not "used" by being assigned.
    fn lvalue(&mut self, e: &Expr) -> Type {
        match e {
            Expr::Ident(n, pos) => {
                if n == "_" {
                    return Type::Unknown;
                }
                if let Some(l) = self.lookup_local(n) {
                    return match &l.obj {
                        Obj::Var(t) => t.clone(),
                        Obj::Const(_) => {
                            self.error(*pos, format!("cannot assign to {n} (neither addressable nor a map index expression)"));
                            Type::Unknown
                        }
                        _ => Type::Unknown,
                    };
                }
                match self.globals.get(n).cloned() {
                    Some(Obj::Var(t)) => t,
                    Some(_) => Type::Unknown,
                    None => {
                        self.error(*pos, format!("undefined: {n}"));
                        Type::Unknown
                    }
                }
            }
            other => self.expr(other),
        }
    }

    fn underlying(&self, t: &Type) -> Type {
        let mut t = t.clone();
        for _ in 0..10 {
            match &t {
                Type::Named(n) => match self.types.get(n).and_then(|d| d.underlying.clone()) {
                    Some(u) => t = u,
                    None => return Type::Unknown,
                },
                _ => return t,
            }
        }
        Type::Unknown
    }

    fn describe(&self, e: &Expr, t: &Type) -> String {
        if t.is_untyped() {
            if matches!(t, Type::UntypedNil) {
                return "untyped nil".into();
            }
            return format!("{t} constant");
        }
        match strip_paren(e) {
            Expr::Ident(n, _) => match self.lookup_local(n).map(|l| &l.obj).or(self.globals.get(n))
            {
                Some(Obj::Var(_)) => format!("variable of type {t}"),
                Some(Obj::Const(_)) => format!("constant of type {t}"),
                _ => format!("value of type {t}"),
            },
            Expr::Selector(x, _, _)
                if matches!(self.underlying(&self.peek_type(x)), Type::Struct(_)) =>
            {
                format!("variable of type {t}")
            }
            _ => format!("value of type {t}"),
        }
    }

    /// A type for messages only, without reporting anything.
    fn peek_type(&self, e: &Expr) -> Type {
        match e {
            Expr::Ident(n, _) => match self.lookup_local(n).map(|l| &l.obj).or(self.globals.get(n))
            {
                Some(Obj::Var(t)) => t.clone(),
                _ => Type::Unknown,
            },
            _ => Type::Unknown,
        }
    }

    fn assignable(&self, from: &Type, to: &Type) -> bool {
        if !from.is_known() || !to.is_known() {
            return true;
        }
        let to_u = self.underlying(to);
        match from {
            Type::UntypedInt | Type::UntypedRune | Type::UntypedFloat => {
                return to_u.is_numeric() || matches!(to_u, Type::Any | Type::Unknown);
            }
            Type::UntypedString => return matches!(to_u, Type::String | Type::Any | Type::Unknown),
            Type::UntypedBool => return matches!(to_u, Type::Bool | Type::Any | Type::Unknown),
            Type::UntypedNil => {
                return matches!(
                    to_u,
                    Type::Slice(_)
                        | Type::Map(..)
                        | Type::Pointer(_)
                        | Type::Func(..)
                        | Type::Error
                        | Type::Any
                        | Type::Pkg(_)
                        | Type::Unknown
                );
            }
            _ => {}
        }
        if matches!(to, Type::Any | Type::Error) || !confident(from) || !confident(to) {
            return true;
        }
        from == to
    }

    fn assign_check(&mut self, e: &Expr, from: &Type, to: &Type, context: &str) {
        if self.assignable(from, to) {
            return;
        }
        let desc = self.describe(e, from);
        let mut msg = format!(
            "cannot use {} ({desc}) as {to} value in {context}",
            expr_string(e)
        );
        if matches!(from, Type::UntypedFloat) && to.is_integer() {
            msg.push_str(" (truncated)");
        }
        self.error(e.pos(), msg);
    }

    fn mismatched(&self, a: &Type, b: &Type) -> bool {
        if a.is_untyped() && b.is_untyped() {
            let num = |t: &Type| t.is_numeric();
            return !(num(a) && num(b) || a == b);
        }
        if a.is_untyped() {
            return !self.assignable(a, b);
        }
        if b.is_untyped() {
            return !self.assignable(b, a);
        }
        a != b
    }

    fn binary_types(&mut self, e: &Expr, op: &str, lt: &Type, rt: &Type) -> Type {
        let comparison = matches!(op, "==" | "!=" | "<" | "<=" | ">" | ">=");
        let shift = matches!(op, "<<" | ">>");
        if !lt.is_known() || !rt.is_known() {
            return if comparison {
                Type::UntypedBool
            } else {
                Type::Unknown
            };
        }
        let Expr::Binary(_, l, r) = e else {
            return Type::Unknown;
        };
        if !shift
            && confident(lt)
            && confident(rt)
            && self.mismatched(lt, rt)
            && !(comparison && (matches!(lt, Type::UntypedNil) || matches!(rt, Type::UntypedNil)))
        {
            self.error(
                e.pos(),
                format!(
                    "invalid operation: {} (mismatched types {} and {})",
                    expr_string(e),
                    lt.have_name_typed(),
                    rt.have_name_typed()
                ),
            );
            return if comparison {
                Type::UntypedBool
            } else {
                Type::Unknown
            };
        }
        if comparison {
            return Type::UntypedBool;
        }
        let result = if lt.is_untyped() && !shift {
            rt.clone()
        } else {
            lt.clone()
        };
        let result = if lt.is_untyped() && rt.is_untyped() {
            if matches!(lt, Type::UntypedFloat) || matches!(rt, Type::UntypedFloat) {
                Type::UntypedFloat
            } else {
                lt.clone()
            }
        } else {
            result
        };
        let u = self.underlying(&result);
        let ok = match op {
            "+" => u.is_numeric() || matches!(u, Type::String | Type::UntypedString),
            "-" | "*" | "/" => u.is_numeric(),
            "%" | "&" | "|" | "^" | "&^" | "<<" | ">>" => u.is_integer(),
            "&&" | "||" => matches!(u, Type::Bool | Type::UntypedBool),
            _ => true,
        };
        if !ok && confident(&u) {
            let (x, xt) = if lt.is_untyped() && !rt.is_untyped() {
                (r, rt)
            } else {
                (l, lt)
            };
            let desc = self.describe(x, xt);
            self.error(
                e.pos(),
                format!(
                    "invalid operation: operator {op} not defined on {} ({desc})",
                    expr_string(x)
                ),
            );
            return Type::Unknown;
        }
        result
    }

    fn expr(&mut self, e: &Expr) -> Type {
        match e {
            Expr::Int(..) => Type::UntypedInt,
            Expr::Float(..) => Type::UntypedFloat,
            Expr::Str(..) => Type::UntypedString,
            Expr::Char(..) => Type::UntypedRune,
            Expr::Paren(x, _) => self.expr(x),
            Expr::Ident(n, pos) => self.ident(n, *pos),
            Expr::Binary(op, l, r) => {
                let lt = self.single(l);
                let rt = self.single(r);
                self.binary_types(e, op, &lt, &rt)
            }
            Expr::Unary(op, x, pos) => {
                let t = self.single(x);
                match *op {
                    "&" => {
                        if !matches!(
                            strip_paren(x),
                            Expr::Composite(..)
                                | Expr::Ident(..)
                                | Expr::Selector(..)
                                | Expr::Index(..)
                        ) {
                            self.error(
                                *pos,
                                format!(
                                    "invalid operation: cannot take address of {}",
                                    expr_string(x)
                                ),
                            );
                        }
                        Type::Pointer(Box::new(t))
                    }
                    "*" => match t {
                        Type::Pointer(inner) => *inner,
                        t if confident(&t) => {
                            let desc = self.describe(x, &t);
                            self.error(
                                *pos,
                                format!(
                                    "invalid operation: cannot indirect {} ({desc})",
                                    expr_string(x)
                                ),
                            );
                            Type::Unknown
                        }
                        _ => Type::Unknown,
                    },
                    "!" => {
                        if confident(&t)
                            && !matches!(self.underlying(&t), Type::Bool | Type::UntypedBool)
                        {
                            let desc = self.describe(x, &t);
                            self.error(
                                *pos,
                                format!(
                                    "invalid operation: operator ! not defined on {} ({desc})",
                                    expr_string(x)
                                ),
                            );
                        }
                        t
                    }
                    _ => t,
                }
            }
            Expr::Call { .. } => self.call(e),
            Expr::Selector(x, name, pos) => self.selector(x, name, *pos),
            Expr::Index(x, i, _) => {
                let xt = self.single(x);
                let it = self.single(i);
                match self.underlying(&xt) {
                    Type::Slice(e) | Type::Array(_, e) => {
                        if confident(&it) && !it.is_integer() {
                            let desc = self.describe(i, &it);
                            self.error(
                                i.pos(),
                                format!(
                                    "invalid argument: index {} ({desc}) must be integer",
                                    expr_string(i)
                                ),
                            );
                        }
                        *e
                    }
                    Type::Map(k, v) => {
                        self.assign_check(i, &it, &k, "map index");
                        *v
                    }
                    Type::String | Type::UntypedString => Type::Uint8,
                    Type::Pointer(inner) => match *inner {
                        Type::Array(_, e) => *e,
                        _ => Type::Unknown,
                    },
                    _ => Type::Unknown,
                }
            }
            Expr::Sliced(x, lo, hi, _) => {
                let t = self.single(x);
                for b in [lo, hi].into_iter().flatten() {
                    self.single(b);
                }
                match self.underlying(&t) {
                    Type::Array(_, e) => Type::Slice(e),
                    Type::UntypedString => Type::String,
                    _ => t,
                }
            }
            Expr::Composite(ty, elems, _) => {
                let t = ty
                    .as_ref()
                    .map(|t| self.resolve(t))
                    .unwrap_or(Type::Unknown);
                self.composite(&t, elems);
                t
            }
            Expr::FuncLit(f) => {
                self.func(f);
                self.signature(&f.sig)
            }
            Expr::TypeAssert(x, ty, _) => {
                self.single(x);
                ty.as_ref()
                    .map(|t| self.resolve(t))
                    .unwrap_or(Type::Unknown)
            }
            Expr::Type(t, _) => {
                self.resolve(t);
                Type::Unknown
            }
        }
    }

    fn composite(&mut self, t: &Type, elems: &[(Option<Expr>, Expr)]) {
        let u = self.underlying(t);
        for (k, v) in elems {
            match &u {
                Type::Struct(fields) => {
                    let vt = if let Some(Expr::Ident(name, pos)) = k {
                        match fields.iter().find(|(n, _)| n == name) {
                            Some((_, ft)) => Some(ft.clone()),
                            None => {
                                self.error(
                                    *pos,
                                    format!("unknown field {name} in struct literal of type {t}"),
                                );
                                None
                            }
                        }
                    } else {
                        None
                    };
                    self.element(v, vt.as_ref(), "struct literal");
                }
                Type::Slice(e) | Type::Array(_, e) => {
                    if let Some(k) = k {
                        self.expr(k);
                    }
                    self.element(v, Some(e), "slice literal");
                }
                Type::Map(kt, vt) => {
                    if let Some(k) = k {
                        if let Expr::Composite(None, inner, _) = k {
                            self.composite(kt, inner);
                        } else {
                            let t = self.single(k);
                            self.assign_check(k, &t, kt, "map literal");
                        }
                    }
                    self.element(v, Some(vt), "map literal");
                }
                _ => {
                    if let Some(k) = k
                        && !matches!(k, Expr::Ident(..))
                    {
                        self.expr(k);
                    }
                    self.expr(v);
                }
            }
        }
    }

    fn element(&mut self, v: &Expr, want: Option<&Type>, context: &str) {
        if let Expr::Composite(None, inner, _) = v {
            let t = want.cloned().unwrap_or(Type::Unknown);
            let t = match self.underlying(&t) {
                Type::Pointer(inner_t) => *inner_t,
                _ => t,
            };
            self.composite(&t, inner);
            return;
        }
        let t = self.single(v);
        if let Some(w) = want {
            self.assign_check(v, &t, w, context);
        }
    }

    fn ident(&mut self, n: &str, pos: Pos) -> Type {
        if n == "_" {
            self.error(pos, "cannot use _ as value");
            return Type::Unknown;
        }
        let obj = self.use_local(n).or_else(|| self.globals.get(n).cloned());
        match obj {
            Some(Obj::Var(t) | Obj::Const(t) | Obj::Func(t)) => t,
            Some(Obj::TypeName(_)) => {
                self.error(pos, format!("{n} (type) is not an expression"));
                Type::Unknown
            }
            None => match n {
                "true" | "false" => Type::UntypedBool,
                "nil" => Type::UntypedNil,
                "iota" => Type::UntypedInt,
                _ if BUILTINS.contains(&n) => {
                    self.error(pos, format!("{n} (built-in function {n}) must be called"));
                    Type::Unknown
                }
                _ if Type::predeclared(n).is_some() => {
                    self.error(pos, format!("{n} (type) is not an expression"));
                    Type::Unknown
                }
                _ => {
                    if let Some(entry) = self.imports.get_mut(n) {
                        entry.2 = true;
                        self.error(pos, format!("use of package {n} without selector"));
                        return Type::Unknown;
                    }
                    self.error(pos, format!("undefined: {n}"));
                    Type::Unknown
                }
            },
        }
    }

    fn selector(&mut self, x: &Expr, name: &str, pos: Pos) -> Type {
        if let Expr::Ident(pkg, ppos) = x {
            let shadowed = self.lookup_local(pkg).is_some() || self.globals.contains_key(pkg);
            if !shadowed {
                if let Some((path, _, used)) = self.imports.get_mut(pkg) {
                    *used = true;
                    let path = path.clone();
                    if matches!(stdlib::package_kind(&path), PackageKind::Unsupported) {
                        return Type::Unknown;
                    }
                    return match stdlib::member(&path, name, &std_type) {
                        Some(Member::Func(t) | Member::Value(t)) => t,
                        Some(Member::Type(_)) => {
                            self.error(pos, format!("{pkg}.{name} (type) is not an expression"));
                            Type::Unknown
                        }
                        None => {
                            self.missing_member(pkg, &path, name, pos);
                            Type::Unknown
                        }
                    };
                }
                if !BUILTINS.contains(&pkg.as_str()) && Type::predeclared(pkg).is_none() {
                    let _ = ppos;
                }
            }
        }
        let t = self.single(x);
        self.member_of(&t, x, name, pos)
    }

    fn member_of(&mut self, t: &Type, x: &Expr, name: &str, pos: Pos) -> Type {
        let (base, pointer) = match t {
            Type::Pointer(inner) => ((**inner).clone(), true),
            other => (other.clone(), false),
        };
        match &base {
            Type::Named(n) => {
                if let Some(m) = self.types.get(n).and_then(|d| d.methods.get(name)).cloned() {
                    return m;
                }
                if let Type::Struct(fields) = self.underlying(&base) {
                    if let Some((_, ft)) = fields.iter().find(|(f, _)| f == name) {
                        return ft.clone();
                    }
                    // One level of embedding.
                    for (fname, ft) in &fields {
                        if let Type::Named(emb) = ft
                            && emb == fname
                        {
                            let inner = self.member_quiet(ft, name);
                            if let Some(t) = inner {
                                return t;
                            }
                        }
                    }
                }
                if self.types.contains_key(n) {
                    let shown = if pointer { format!("*{n}") } else { n.clone() };
                    self.error(
                        pos,
                        format!(
                            "{}.{name} undefined (type {shown} has no field or method {name})",
                            expr_string(x)
                        ),
                    );
                }
                Type::Unknown
            }
            Type::Struct(fields) => fields
                .iter()
                .find(|(f, _)| f == name)
                .map(|(_, t)| t.clone())
                .unwrap_or(Type::Unknown),
            Type::Pkg(p) => {
                let recv = if pointer {
                    format!("*{p}")
                } else {
                    p.to_string()
                };
                match stdlib::selector(&recv, name, &std_type) {
                    Some(t) => t,
                    None => {
                        self.unsupported(pos, format!("{}.{name} ({recv})", expr_string(x)));
                        Type::Unknown
                    }
                }
            }
            Type::Error => match name {
                "Error" => Type::Func(vec![], vec![Type::String], false),
                _ => {
                    self.error(
                        pos,
                        format!(
                            "{}.{name} undefined (type error has no field or method {name})",
                            expr_string(x)
                        ),
                    );
                    Type::Unknown
                }
            },
            b if confident(b) && b.is_basic() => {
                self.error(
                    pos,
                    format!(
                        "{}.{name} undefined (type {t} has no field or method {name})",
                        expr_string(x)
                    ),
                );
                Type::Unknown
            }
            _ => Type::Unknown,
        }
    }

    fn member_quiet(&self, t: &Type, name: &str) -> Option<Type> {
        let Type::Named(n) = t else { return None };
        if let Some(m) = self.types.get(n).and_then(|d| d.methods.get(name)) {
            return Some(m.clone());
        }
        if let Type::Struct(fields) = self.underlying(t) {
            return fields
                .iter()
                .find(|(f, _)| f == name)
                .map(|(_, t)| t.clone());
        }
        None
    }

    fn call(&mut self, e: &Expr) -> Type {
        let Expr::Call {
            func,
            args,
            ellipsis,
            rparen,
            ..
        } = e
        else {
            return Type::Unknown;
        };
        // Built-ins and conversions first: their "callee" is not a value.
        if let Expr::Ident(n, pos) = strip_paren(func) {
            let local = self.lookup_local(n).is_some() || self.globals.contains_key(n);
            if !local {
                if BUILTINS.contains(&n.as_str()) {
                    return self.builtin(n, args, *pos);
                }
                if let Some(t) = Type::predeclared(n) {
                    for a in args {
                        self.single(a);
                    }
                    return t;
                }
            }
            if let Some(Obj::TypeName(t)) = self.globals.get(n).cloned()
                && self.lookup_local(n).is_none()
            {
                for a in args {
                    self.single(a);
                }
                return t;
            }
        }
        if let Expr::Type(t, _) = strip_paren(func) {
            let t = self.resolve(t);
            for a in args {
                self.single(a);
            }
            return t;
        }
        if let Expr::Selector(x, n, _) = strip_paren(func)
            && let Expr::Ident(pkg, _) = &**x
            && let Some((path, _, _)) = self.imports.get(pkg)
            && let Some(Member::Type(t)) = stdlib::member(&path.clone(), n, &std_type)
        {
            for a in args {
                self.single(a);
            }
            return t;
        }
        let ft = self.single(func);
        let Type::Func(params, results, variadic) = ft else {
            for a in args {
                self.expr(a);
            }
            if confident(&ft) {
                let desc = self.describe(func, &ft);
                self.error(
                    func.pos(),
                    format!(
                        "invalid operation: cannot call non-function {} ({desc})",
                        expr_string(func)
                    ),
                );
            }
            return Type::Unknown;
        };
        // f(g()) passes g's results.
        let arg_types: Vec<Type> = if args.len() == 1 && params.len() > 1 {
            match self.expr(&args[0]) {
                Type::Tuple(ts) => ts,
                t => vec![t],
            }
        } else {
            args.iter().map(|a| self.single(a)).collect()
        };
        let fixed = if variadic {
            params.len() - 1
        } else {
            params.len()
        };
        let spread = args.len() == 1 && arg_types.len() > 1;
        let too_few = arg_types.len() < fixed;
        let too_many = !variadic && arg_types.len() > params.len();
        if (too_few || too_many) && arg_types.iter().all(Type::is_known) {
            let name = expr_string(func);
            let want = Type::Func(params.clone(), vec![], variadic).to_string();
            let want = want.trim_start_matches("func").to_string();
            let (msg, at) = if too_few {
                ("not enough arguments in call to", *rparen)
            } else {
                (
                    "too many arguments in call to",
                    args[params.len().min(args.len() - 1)].pos(),
                )
            };
            let at = if spread { args[0].pos() } else { at };
            self.error(
                at,
                format!(
                    "{msg} {name}\n\thave {}\n\twant {want}",
                    tuple_list(&arg_types)
                ),
            );
        } else if !spread {
            let callee = expr_string(func);
            for (i, a) in args.iter().enumerate() {
                let want = if variadic && i >= fixed {
                    if *ellipsis {
                        params.last().cloned().unwrap_or(Type::Unknown)
                    } else {
                        match params.last() {
                            Some(Type::Slice(e)) => (**e).clone(),
                            _ => Type::Unknown,
                        }
                    }
                } else {
                    params.get(i).cloned().unwrap_or(Type::Unknown)
                };
                let context = format!("argument to {callee}");
                self.assign_check(a, &arg_types[i], &want, &context);
            }
        }
        match results.len() {
            1 => results[0].clone(),
            _ => Type::Tuple(results),
        }
    }

    fn builtin(&mut self, name: &str, args: &[Expr], pos: Pos) -> Type {
        let first_type = |c: &mut Checker| match args.first() {
            Some(Expr::Type(t, _)) => c.resolve(t),
            Some(Expr::Ident(n, p))
                if c.types.contains_key(n) || Type::predeclared(n).is_some() =>
            {
                c.resolve(&TypeExpr::Name(n.clone(), *p))
            }
            Some(Expr::Selector(x, n, p)) => match &**x {
                Expr::Ident(pkg, _) => c.resolve(&TypeExpr::Qualified(pkg.clone(), n.clone(), *p)),
                _ => Type::Unknown,
            },
            Some(Expr::Unary("*", inner, _)) => match &**inner {
                Expr::Ident(n, p) => {
                    Type::Pointer(Box::new(c.resolve(&TypeExpr::Name(n.clone(), *p))))
                }
                _ => Type::Unknown,
            },
            Some(other) => {
                c.expr(other);
                Type::Unknown
            }
            None => Type::Unknown,
        };
        match name {
            "make" => {
                let t = first_type(self);
                for a in args.iter().skip(1) {
                    self.single(a);
                }
                t
            }
            "new" => Type::Pointer(Box::new(first_type(self))),
            "recover" => {
                self.unsupported(pos, "recover");
                Type::Unknown
            }
            "close" => {
                self.unsupported(pos, "channels");
                Type::Unknown
            }
            _ => {
                let types: Vec<Type> = args.iter().map(|a| self.single(a)).collect();
                if args.is_empty()
                    && matches!(name, "len" | "cap" | "append" | "panic" | "delete" | "copy")
                {
                    self.error(
                        pos,
                        format!("not enough arguments for {name}() (expected 1, found 0)"),
                    );
                    return Type::Unknown;
                }
                match name {
                    "len" | "cap" | "copy" => Type::Int,
                    "append" => types.first().cloned().unwrap_or(Type::Unknown),
                    "min" | "max" => types
                        .iter()
                        .find(|t| !t.is_untyped())
                        .or(types.first())
                        .cloned()
                        .unwrap_or(Type::Unknown),
                    _ => Type::Tuple(vec![]),
                }
            }
        }
    }
}

impl Type {
    /// How mismatched-type messages name a type: untyped kinds keep their "untyped".
    fn have_name_typed(&self) -> String {
        self.to_string()
    }
}

impl Param {
    fn ty_pos(&self) -> Pos {
        match &self.ty {
            TypeExpr::Name(_, p) | TypeExpr::Qualified(_, _, p) => *p,
            TypeExpr::Pointer(t) => match &**t {
                TypeExpr::Name(_, p) | TypeExpr::Qualified(_, _, p) => *p,
                _ => Pos::default(),
            },
            _ => Pos::default(),
        }
    }
}

fn static_op(op: &str) -> &'static str {
    const OPS: &[&str] = &["+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>", "&^"];
    OPS.iter().find(|o| **o == op).copied().unwrap_or("+")
}

fn strip_paren(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(x, _) => strip_paren(x),
        other => other,
    }
}

/// Go's terminating statements: a function with results must end in one.
fn terminates_block(b: &Block) -> bool {
    b.last().is_some_and(terminates)
}

fn terminates(s: &Stmt) -> bool {
    match s {
        Stmt::Return(..) => true,
        Stmt::Expr(Expr::Call { func, .. }) => matches!(&**func, Expr::Ident(n, _) if n == "panic"),
        Stmt::Block(b) => terminates_block(b),
        Stmt::If { then, els, .. } => {
            terminates_block(then) && els.as_ref().is_some_and(|e| terminates(e))
        }
        Stmt::For { cond, body, .. } => cond.is_none() && !has_break(body),
        Stmt::Switch { cases, .. } => {
            cases.iter().any(|c| c.exprs.is_none())
                && cases.iter().all(|c| {
                    !has_break(&c.body)
                        && (terminates_block(&c.body)
                            || matches!(c.body.last(), Some(Stmt::Fallthrough)))
                })
        }
        _ => false,
    }
}

fn has_break(b: &Block) -> bool {
    b.iter().any(|s| match s {
        Stmt::Break(None) => true,
        Stmt::If { then, els, .. } => {
            has_break(then)
                || els
                    .as_ref()
                    .is_some_and(|e| has_break(&vec![(**e).clone()]))
        }
        Stmt::Block(b) => has_break(b),
        _ => false,
    })
}

//! The builtins module (print, len, range, the type constructors, open, sorted...),
//! the built-in exception hierarchy, and the methods of str, list, dict, set, tuple
//! and bytes.

use super::interp::{Flow, Interp, R};
use super::value::*;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

pub fn native(name: &str, f: NativeFn, this: Option<Value>) -> Value {
    Value::Builtin(Rc::new(Builtin {
        name: name.to_string(),
        f,
        this,
    }))
}

type Kw = Vec<(String, Value)>;

pub fn kwarg(kw: &[(String, Value)], name: &str) -> Option<Value> {
    kw.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
}

fn arg_or_kw(args: &[Value], i: usize, kw: &[(String, Value)], name: &str) -> Option<Value> {
    args.get(i).cloned().or_else(|| kwarg(kw, name))
}

const EXCEPTIONS: &[(&str, &str)] = &[
    ("BaseException", ""),
    ("SystemExit", "BaseException"),
    ("KeyboardInterrupt", "BaseException"),
    ("GeneratorExit", "BaseException"),
    ("Exception", "BaseException"),
    ("ArithmeticError", "Exception"),
    ("ZeroDivisionError", "ArithmeticError"),
    ("OverflowError", "ArithmeticError"),
    ("LookupError", "Exception"),
    ("IndexError", "LookupError"),
    ("KeyError", "LookupError"),
    ("ValueError", "Exception"),
    ("UnicodeError", "ValueError"),
    ("UnicodeDecodeError", "UnicodeError"),
    ("TypeError", "Exception"),
    ("NameError", "Exception"),
    ("UnboundLocalError", "NameError"),
    ("AttributeError", "Exception"),
    ("ImportError", "Exception"),
    ("ModuleNotFoundError", "ImportError"),
    ("OSError", "Exception"),
    ("FileNotFoundError", "OSError"),
    ("FileExistsError", "OSError"),
    ("PermissionError", "OSError"),
    ("IsADirectoryError", "OSError"),
    ("NotADirectoryError", "OSError"),
    ("ConnectionError", "OSError"),
    ("ConnectionRefusedError", "ConnectionError"),
    ("TimeoutError", "OSError"),
    ("RuntimeError", "Exception"),
    ("RecursionError", "RuntimeError"),
    ("NotImplementedError", "RuntimeError"),
    ("StopIteration", "Exception"),
    ("AssertionError", "Exception"),
    ("MemoryError", "Exception"),
    ("EOFError", "Exception"),
    ("Warning", "Exception"),
    ("DeprecationWarning", "Warning"),
    ("UserWarning", "Warning"),
];

pub fn exception_classes() -> HashMap<&'static str, Rc<Class>> {
    let mut out: HashMap<&'static str, Rc<Class>> = HashMap::new();
    for (name, base) in EXCEPTIONS {
        let bases = if base.is_empty() {
            Vec::new()
        } else {
            vec![out[base].clone()]
        };
        out.insert(
            name,
            Rc::new(Class {
                name: name.to_string(),
                module: "builtins".into(),
                bases,
                dict: RefCell::new(HashMap::new()),
                builtin: true,
            }),
        );
    }
    let json_err = Rc::new(Class {
        name: "JSONDecodeError".into(),
        module: "json.decoder".into(),
        bases: vec![out["ValueError"].clone()],
        dict: RefCell::new(HashMap::new()),
        builtin: true,
    });
    out.insert("JSONDecodeError", json_err);
    out
}

pub const TYPES: &[&str] = &[
    "int",
    "float",
    "str",
    "bool",
    "list",
    "dict",
    "tuple",
    "set",
    "frozenset",
    "bytes",
    "object",
    "type",
    "range",
];

pub fn builtins_map(classes: &HashMap<&'static str, Rc<Class>>) -> Map {
    let mut m: HashMap<String, Value> = HashMap::new();
    let fns: &[(&str, NativeFn)] = &[
        ("print", print),
        ("input", input),
        ("len", len),
        ("range", range),
        ("repr", |i, _, _, a, _| {
            let v = one(i, "repr", &a)?;
            Ok(Value::str(i.repr(&v)?))
        }),
        ("sorted", sorted),
        ("reversed", |i, _, _, a, _| {
            let v = one(i, "reversed", &a)?;
            let mut items = i.iterate(&v)?;
            items.reverse();
            Ok(iter_of(items, "list_reverseiterator"))
        }),
        ("enumerate", |i, _, _, a, kw| {
            let v = arg_or_kw(&a, 0, &kw, "iterable").ok_or_else(|| {
                i.type_error("enumerate() missing required argument 'iterable' (pos 1)")
            })?;
            let start = match arg_or_kw(&a, 1, &kw, "start") {
                Some(Value::Int(s)) => s,
                _ => 0,
            };
            let items = i.iterate(&v)?;
            Ok(iter_of(
                items
                    .into_iter()
                    .enumerate()
                    .map(|(n, x)| Value::tuple(vec![Value::Int(n as i64 + start), x]))
                    .collect(),
                "enumerate",
            ))
        }),
        ("zip", |i, _, _, a, _| {
            let lists = a.iter().map(|v| i.iterate(v)).collect::<R<Vec<_>>>()?;
            let n = lists.iter().map(|l| l.len()).min().unwrap_or(0);
            Ok(iter_of(
                (0..n)
                    .map(|k| Value::tuple(lists.iter().map(|l| l[k].clone()).collect()))
                    .collect(),
                "zip",
            ))
        }),
        ("map", |i, _, _, a, _| {
            if a.len() < 2 {
                return Err(i.type_error("map() must have at least two arguments."));
            }
            let lists = a[1..].iter().map(|v| i.iterate(v)).collect::<R<Vec<_>>>()?;
            let n = lists.iter().map(|l| l.len()).min().unwrap_or(0);
            let mut out = Vec::new();
            for k in 0..n {
                let args = lists.iter().map(|l| l[k].clone()).collect();
                out.push(i.call(&a[0], args, Vec::new())?);
            }
            Ok(iter_of(out, "map"))
        }),
        ("filter", |i, _, _, a, _| {
            if a.len() != 2 {
                return Err(i.type_error(format!("filter expected 2 arguments, got {}", a.len())));
            }
            let items = i.iterate(&a[1])?;
            let mut out = Vec::new();
            for x in items {
                let keep = if matches!(a[0], Value::None) {
                    x.truthy()
                } else {
                    i.call(&a[0], vec![x.clone()], Vec::new())?.truthy()
                };
                if keep {
                    out.push(x);
                }
            }
            Ok(iter_of(out, "filter"))
        }),
        ("iter", |i, _, _, a, _| {
            let v = one(i, "iter", &a)?;
            if matches!(v, Value::Iter(_)) {
                return Ok(v);
            }
            let kind = match &v {
                Value::List(_) => "list_iterator",
                Value::Tuple(_) => "tuple_iterator",
                Value::Str(_) => "str_ascii_iterator",
                Value::Dict(_) => "dict_keyiterator",
                Value::Range(..) => "range_iterator",
                _ => "iterator",
            };
            let items = i.iterate(&v)?;
            Ok(iter_of(items, kind))
        }),
        ("next", |i, _, _, a, _| {
            let Some(Value::Iter(it)) = a.first() else {
                let t = a.first().map(|v| v.type_name()).unwrap_or_default();
                return Err(i.type_error(format!("'{t}' object is not an iterator")));
            };
            let item = {
                let mut s = it.borrow_mut();
                let item = s.items.get(s.pos).cloned();
                s.pos += 1;
                item
            };
            match item {
                Some(v) => Ok(v),
                None => match a.get(1) {
                    Some(d) => Ok(d.clone()),
                    None => Err(i.exc_args("StopIteration", Vec::new())),
                },
            }
        }),
        ("min", |i, _, _, a, kw| min_max(i, a, kw, true)),
        ("max", |i, _, _, a, kw| min_max(i, a, kw, false)),
        ("sum", |i, _, _, a, kw| {
            let v = a.first().cloned().ok_or_else(|| {
                i.type_error("sum() takes at least 1 positional argument (0 given)")
            })?;
            let mut acc = arg_or_kw(&a, 1, &kw, "start").unwrap_or(Value::Int(0));
            if let Value::Str(_) = acc {
                return Err(i.type_error("sum() can't sum strings [use ''.join(seq) instead]"));
            }
            let items = i.iterate(&v)?;
            for x in items {
                acc = i.binop(acc, super::ast::BinOp::Add, x)?;
            }
            Ok(acc)
        }),
        ("abs", |i, _, _, a, _| match one(i, "abs", &a)? {
            Value::Int(n) => Ok(Value::Int(n.checked_abs().ok_or_else(|| i.int_limit())?)),
            Value::Bool(b) => Ok(Value::Int(b as i64)),
            Value::Float(f) => Ok(Value::Float(f.abs())),
            v => Err(i.type_error(format!("bad operand type for abs(): '{}'", v.type_name()))),
        }),
        ("round", round),
        ("divmod", |i, _, _, a, _| {
            if a.len() != 2 {
                return Err(i.type_error(format!("divmod expected 2 arguments, got {}", a.len())));
            }
            let q = i.binop(a[0].clone(), super::ast::BinOp::FloorDiv, a[1].clone())?;
            let r = i.binop(a[0].clone(), super::ast::BinOp::Mod, a[1].clone())?;
            Ok(Value::tuple(vec![q, r]))
        }),
        ("pow", |i, _, _, a, _| {
            if a.len() < 2 {
                return Err(i.type_error("pow() missing required argument 'exp' (pos 2)"));
            }
            let r = i.binop(a[0].clone(), super::ast::BinOp::Pow, a[1].clone())?;
            match a.get(2) {
                Some(m) => i.binop(r, super::ast::BinOp::Mod, m.clone()),
                None => Ok(r),
            }
        }),
        ("isinstance", |i, _, _, a, _| {
            if a.len() != 2 {
                return Err(
                    i.type_error(format!("isinstance expected 2 arguments, got {}", a.len()))
                );
            }
            Ok(Value::Bool(isinstance(i, &a[0], &a[1])?))
        }),
        ("issubclass", |_, _, _, a, _| match (a.first(), a.get(1)) {
            (Some(Value::Class(x)), Some(Value::Class(y))) => Ok(Value::Bool(x.is_subclass(y))),
            _ => Ok(Value::Bool(false)),
        }),
        ("hasattr", |i, _, _, a, _| {
            if a.len() != 2 {
                return Err(i.type_error("hasattr expected 2 arguments"));
            }
            let n = i.to_str(&a[1]);
            match i.getattr(&a[0], &n) {
                Ok(_) => Ok(Value::Bool(true)),
                Err(Flow::Raise(_)) => Ok(Value::Bool(false)),
                Err(e) => Err(e),
            }
        }),
        ("getattr", |i, _, _, a, _| {
            if a.len() < 2 {
                return Err(i.type_error("getattr expected at least 2 arguments"));
            }
            let n = i.to_str(&a[1]);
            match i.getattr(&a[0], &n) {
                Ok(v) => Ok(v),
                Err(Flow::Raise(e)) => match a.get(2) {
                    Some(d) => Ok(d.clone()),
                    None => Err(Flow::Raise(e)),
                },
                Err(e) => Err(e),
            }
        }),
        ("setattr", |i, _, _, a, _| {
            if a.len() != 3 {
                return Err(i.type_error("setattr expected 3 arguments"));
            }
            let n = i.to_str(&a[1]);
            i.setattr(&a[0], &n, a[2].clone())?;
            Ok(Value::None)
        }),
        ("callable", |_, _, _, a, _| {
            Ok(Value::Bool(matches!(
                a.first(),
                Some(Value::Func(_) | Value::Builtin(_) | Value::Bound(_) | Value::Class(_))
            )))
        }),
        ("any", |i, _, _, a, _| {
            let v = one(i, "any", &a)?;
            for x in i.iterate(&v)? {
                if i.truthy(&x)? {
                    return Ok(Value::Bool(true));
                }
            }
            Ok(Value::Bool(false))
        }),
        ("all", |i, _, _, a, _| {
            let v = one(i, "all", &a)?;
            for x in i.iterate(&v)? {
                if !i.truthy(&x)? {
                    return Ok(Value::Bool(false));
                }
            }
            Ok(Value::Bool(true))
        }),
        ("chr", |i, _, _, a, _| match one(i, "chr", &a)? {
            Value::Int(n) => u32::try_from(n)
                .ok()
                .and_then(char::from_u32)
                .map(|c| Value::str(c.to_string()))
                .ok_or_else(|| i.exc("ValueError", "chr() arg not in range(0x110000)")),
            v => Err(i.type_error(format!(
                "'{}' object cannot be interpreted as an integer",
                v.type_name()
            ))),
        }),
        ("ord", |i, _, _, a, _| match one(i, "ord", &a)? {
            Value::Str(s) if s.chars().count() == 1 => {
                Ok(Value::Int(s.chars().next().map(|c| c as i64).unwrap_or(0)))
            }
            Value::Str(s) => Err(i.type_error(format!(
                "ord() expected a character, but string of length {} found",
                s.chars().count()
            ))),
            v => Err(i.type_error(format!(
                "ord() expected string of length 1, but {} found",
                v.type_name()
            ))),
        }),
        ("hex", |i, _, _, a, _| int_text(i, &a, "x", "0x")),
        ("oct", |i, _, _, a, _| int_text(i, &a, "o", "0o")),
        ("bin", |i, _, _, a, _| int_text(i, &a, "b", "0b")),
        ("format", |i, _, _, a, _| {
            let v = a.first().cloned().unwrap_or(Value::None);
            let spec = a.get(1).map(|s| i.to_str(s)).unwrap_or_default();
            Ok(Value::str(i.format_value(&v, &spec)?))
        }),
        ("id", |_, _, _, a, _| {
            Ok(Value::Int(
                a.first().map(|v| v.address() as i64).unwrap_or(0),
            ))
        }),
        ("hash", |i, _, _, a, _| {
            let v = one(i, "hash", &a)?;
            match hkey(&v) {
                Some(HKey::Int(n)) => Ok(Value::Int(n)),
                Some(k) => {
                    use std::hash::{Hash, Hasher};
                    let mut h = std::collections::hash_map::DefaultHasher::new();
                    k.hash(&mut h);
                    Ok(Value::Int(h.finish() as i64 >> 1))
                }
                None => Err(i.unhashable(&v)),
            }
        }),
        ("open", open),
        ("exit", exit),
        ("quit", exit),
        ("super", |i, _, _, a, _| match (a.first(), a.get(1)) {
            (Some(Value::Class(c)), Some(this)) => Ok(Value::Object(Rc::new(Object {
                kind: ObjKind::Super(c.clone(), this.clone()),
                attrs: RefCell::new(HashMap::new()),
            }))),
            _ => Err(i.exc("RuntimeError", "super(): no arguments")),
        }),
        ("property", |i, _, _, a, _| {
            Ok(Value::object(ObjKind::Property(one(i, "property", &a)?)))
        }),
        ("staticmethod", |i, _, _, a, _| {
            Ok(Value::object(ObjKind::StaticMethod(one(
                i,
                "staticmethod",
                &a,
            )?)))
        }),
        ("classmethod", |i, _, _, a, _| {
            Ok(Value::object(ObjKind::ClassMethod(one(
                i,
                "classmethod",
                &a,
            )?)))
        }),
        ("globals", |i, _, _, _, _| {
            let mut d = Dict::new();
            if let Some(f) = i.frames.last() {
                for (k, v) in f.globals.borrow().iter() {
                    d.set_str(k, v.clone());
                }
            }
            Ok(Value::dict(d))
        }),
        ("vars", |i, _, _, a, _| match a.first() {
            Some(v) => i.getattr(v, "__dict__"),
            None => Ok(Value::dict(Dict::new())),
        }),
        ("eval", |i, _, _, _, _| Err(i.limit("eval()"))),
        ("exec", |i, _, _, _, _| Err(i.limit("exec()"))),
        ("compile", |i, _, _, _, _| Err(i.limit("compile()"))),
        ("__import__", |i, _, _, a, _| {
            let n = a.first().map(|v| i.to_str(v)).unwrap_or_default();
            i.import(&n, super::ast::Span::default())
        }),
    ];
    for (name, f) in fns {
        m.insert(name.to_string(), native(name, *f, None));
    }
    for t in TYPES {
        m.insert(t.to_string(), native(t, construct, None));
    }
    for (name, c) in classes {
        if *name != "JSONDecodeError" {
            m.insert(name.to_string(), Value::Class(c.clone()));
        }
    }
    m.insert("IOError".into(), Value::Class(classes["OSError"].clone()));
    m.insert(
        "EnvironmentError".into(),
        Value::Class(classes["OSError"].clone()),
    );
    m.insert("NotImplemented".into(), Value::str("NotImplemented"));
    m.insert("Ellipsis".into(), Value::str("Ellipsis"));
    m.insert("__name__".into(), Value::str("builtins"));
    Rc::new(RefCell::new(m))
}

pub fn iter_of(items: Vec<Value>, kind: &'static str) -> Value {
    Value::Iter(Rc::new(RefCell::new(IterState {
        items,
        pos: 0,
        kind,
    })))
}

fn one(i: &mut Interp<'_>, name: &str, a: &[Value]) -> R<Value> {
    match a {
        [v] => Ok(v.clone()),
        _ => Err(i.type_error(format!(
            "{name}() takes exactly one argument ({} given)",
            a.len()
        ))),
    }
}

fn int_text(i: &mut Interp<'_>, a: &[Value], radix: &str, prefix: &str) -> R<Value> {
    match a.first() {
        Some(Value::Int(n)) => {
            let m = n.unsigned_abs();
            let digits = match radix {
                "x" => format!("{m:x}"),
                "o" => format!("{m:o}"),
                _ => format!("{m:b}"),
            };
            Ok(Value::str(format!(
                "{}{prefix}{digits}",
                if *n < 0 { "-" } else { "" }
            )))
        }
        Some(v) => Err(i.type_error(format!(
            "'{}' object cannot be interpreted as an integer",
            v.type_name()
        ))),
        None => Err(i.type_error("function takes exactly one argument (0 given)")),
    }
}

pub fn isinstance(i: &mut Interp<'_>, v: &Value, t: &Value) -> R<bool> {
    Ok(match t {
        Value::Tuple(ts) => {
            for t in ts.iter() {
                if isinstance(i, v, t)? {
                    return Ok(true);
                }
            }
            false
        }
        Value::Class(c) => match v {
            Value::Instance(inst) => inst.class.is_subclass(c),
            _ => false,
        },
        Value::Builtin(b) => {
            let name = v.type_name();
            match b.name.as_str() {
                "object" => true,
                "int" => matches!(v, Value::Int(_) | Value::Bool(_)),
                "type" => {
                    matches!(v, Value::Class(_))
                        || matches!(v, Value::Builtin(b) if TYPES.contains(&b.name.as_str()))
                }
                n => n == name,
            }
        }
        _ => {
            return Err(
                i.type_error("isinstance() arg 2 must be a type, a tuple of types, or a union")
            );
        }
    })
}

/// What `type(v)` returns: the built-in type's constructor, or the class.
pub fn type_of(i: &Interp<'_>, v: &Value) -> Value {
    match v {
        Value::Instance(inst) => Value::Class(inst.class.clone()),
        _ => {
            let n = v.type_name();
            match i.builtins.borrow().get(n.as_str()) {
                Some(t @ Value::Builtin(_)) if TYPES.contains(&n.as_str()) => t.clone(),
                _ => native(&n, construct, None),
            }
        }
    }
}

// ---- print / input / open / exit ----

fn print(i: &mut Interp<'_>, _: &str, _: Option<&Value>, a: Vec<Value>, kw: Kw) -> R<Value> {
    let sep = match kwarg(&kw, "sep") {
        Some(Value::None) | None => " ".to_string(),
        Some(v) => i.to_str(&v),
    };
    let end = match kwarg(&kw, "end") {
        Some(Value::None) | None => "\n".to_string(),
        Some(v) => i.to_str(&v),
    };
    let mut text = String::new();
    for (n, v) in a.iter().enumerate() {
        if n > 0 {
            text.push_str(&sep);
        }
        text.push_str(&i.str_of(v)?);
    }
    text.push_str(&end);
    match kwarg(&kw, "file") {
        None | Some(Value::None) => {
            let _ = i.out.write_all(text.as_bytes());
        }
        Some(f) => {
            let w = i.getattr(&f, "write")?;
            i.call(&w, vec![Value::str(text)], Vec::new())?;
        }
    }
    Ok(Value::None)
}

pub fn read_line(i: &mut Interp<'_>) -> Option<String> {
    if i.stdin_pos >= i.stdin.len() {
        return None;
    }
    let rest = &i.stdin[i.stdin_pos..];
    let end = rest
        .iter()
        .position(|b| *b == b'\n')
        .map(|p| p + 1)
        .unwrap_or(rest.len());
    let line = String::from_utf8_lossy(&rest[..end]).into_owned();
    i.stdin_pos += end;
    Some(line)
}

fn input(i: &mut Interp<'_>, _: &str, _: Option<&Value>, a: Vec<Value>, _: Kw) -> R<Value> {
    if let Some(p) = a.first() {
        let p = i.str_of(p)?;
        let _ = i.out.write_all(p.as_bytes());
        let _ = i.out.flush();
    }
    match read_line(i) {
        Some(l) => Ok(Value::str(l.strip_suffix('\n').unwrap_or(&l))),
        None => Err(i.exc("EOFError", "EOF when reading a line")),
    }
}

pub fn os_error(i: &Interp<'_>, e: &std::io::Error, path: &str) -> Flow {
    use std::io::ErrorKind::*;
    let (class, errno, msg) = match e.kind() {
        NotFound => ("FileNotFoundError", 2, "No such file or directory"),
        PermissionDenied => ("PermissionError", 13, "Permission denied"),
        AlreadyExists => ("FileExistsError", 17, "File exists"),
        IsADirectory => ("IsADirectoryError", 21, "Is a directory"),
        NotADirectory => ("NotADirectoryError", 20, "Not a directory"),
        DirectoryNotEmpty => ("OSError", 39, "Directory not empty"),
        ReadOnlyFilesystem => ("OSError", 30, "Read-only file system"),
        _ => ("OSError", 5, "Input/output error"),
    };
    errno_error(i, class, errno, msg, path)
}

pub fn errno_error(i: &Interp<'_>, class: &str, errno: i64, msg: &str, path: &str) -> Flow {
    let inst = Instance {
        class: i.class(class),
        dict: RefCell::new(HashMap::new()),
    };
    {
        let mut d = inst.dict.borrow_mut();
        d.insert(
            "args".into(),
            Value::tuple(vec![Value::str(format!(
                "[Errno {errno}] {msg}: {}",
                str_repr(path)
            ))]),
        );
        d.insert("errno".into(), Value::Int(errno));
        d.insert("strerror".into(), Value::str(msg));
        d.insert("filename".into(), Value::str(path));
    }
    i.raise_value(Value::Instance(Rc::new(inst)))
}

fn open(i: &mut Interp<'_>, _: &str, _: Option<&Value>, a: Vec<Value>, kw: Kw) -> R<Value> {
    let Some(file) = arg_or_kw(&a, 0, &kw, "file") else {
        return Err(i.type_error("open() missing required argument 'file' (pos 1)"));
    };
    let name = match &file {
        Value::Str(s) => s.to_string(),
        v => {
            return Err(i.type_error(format!(
                "expected str, bytes or os.PathLike object, not {}",
                v.type_name()
            )));
        }
    };
    let mode = arg_or_kw(&a, 1, &kw, "mode")
        .map(|m| i.to_str(&m))
        .unwrap_or_else(|| "r".into());
    if !mode.chars().all(|c| "rwaxbt+".contains(c)) || mode.is_empty() {
        return Err(i.exc("ValueError", format!("invalid mode: '{mode}'")));
    }
    let path = crate::engine::shell::vfs::normalize(&i.cwd, &name);
    let binary = mode.contains('b');
    let writing =
        mode.contains('w') || mode.contains('a') || mode.contains('x') || mode.contains('+');
    let mut data = Vec::new();
    if mode.contains('r') || mode.contains('a') {
        match i.fs.read(&path) {
            Ok(d) => data = d,
            Err(e) if mode.contains('a') && e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(os_error(i, &e, &name)),
        }
    }
    if let Ok(m) = i.fs.metadata(&path)
        && m.is_dir()
    {
        return Err(errno_error(
            i,
            "IsADirectoryError",
            21,
            "Is a directory",
            &name,
        ));
    }
    if mode.contains('x') && i.fs.exists(&path) {
        return Err(errno_error(i, "FileExistsError", 17, "File exists", &name));
    }
    if mode.contains('w') || mode.contains('x') {
        // Opening for writing truncates (and creates) at once, as open(2) does.
        i.fs.write(&path, b"", false)
            .map_err(|e| os_error(i, &e, &name))?;
    }
    let pos = if mode.contains('a') { data.len() } else { 0 };
    Ok(Value::object(ObjKind::File(RefCell::new(FileState {
        path,
        name,
        mode,
        data,
        pos,
        closed: false,
        binary,
        writable: writing,
        dirty: false,
    }))))
}

fn exit(i: &mut Interp<'_>, _: &str, _: Option<&Value>, a: Vec<Value>, _: Kw) -> R<Value> {
    Err(i.exc_args("SystemExit", a))
}

// ---- constructors ----

fn construct(i: &mut Interp<'_>, name: &str, _: Option<&Value>, a: Vec<Value>, kw: Kw) -> R<Value> {
    let first = a.first().cloned();
    Ok(match name {
        "int" => match (first, a.get(1).or(kwarg(&kw, "base").as_ref())) {
            (None, _) => Value::Int(0),
            (Some(Value::Str(s)), base) => {
                let base = match base {
                    Some(Value::Int(b)) => *b as u32,
                    _ => 10,
                };
                let t = s.trim().replace('_', "");
                let (neg, digits) = match t.strip_prefix('-') {
                    Some(d) => (true, d.to_string()),
                    None => (false, t.trim_start_matches('+').to_string()),
                };
                let digits = if base == 16 {
                    digits
                        .trim_start_matches("0x")
                        .trim_start_matches("0X")
                        .to_string()
                } else {
                    digits
                };
                match i64::from_str_radix(&digits, base) {
                    Ok(n) if !digits.is_empty() && !digits.starts_with(['+', '-']) => {
                        Value::Int(if neg { -n } else { n })
                    }
                    Err(e) if matches!(e.kind(), std::num::IntErrorKind::PosOverflow) => {
                        return Err(i.int_limit());
                    }
                    _ => {
                        return Err(i.exc(
                            "ValueError",
                            format!(
                                "invalid literal for int() with base {base}: {}",
                                str_repr(&s)
                            ),
                        ));
                    }
                }
            }
            (Some(Value::Int(n)), _) => Value::Int(n),
            (Some(Value::Bool(b)), _) => Value::Int(b as i64),
            (Some(Value::Float(f)), _) => {
                if f.is_nan() {
                    return Err(i.exc("ValueError", "cannot convert float NaN to integer"));
                }
                if f.is_infinite() {
                    return Err(i.exc("OverflowError", "cannot convert float infinity to integer"));
                }
                if f.abs() >= 9.2e18 {
                    return Err(i.int_limit());
                }
                Value::Int(f.trunc() as i64)
            }
            (Some(v), _) => {
                if let Value::Instance(inst) = &v
                    && let Some(m) = inst.class.lookup("__int__")
                {
                    return i.call(&m, vec![v.clone()], Vec::new());
                }
                return Err(i.type_error(format!(
                    "int() argument must be a string, a bytes-like object or a real number, not '{}'",
                    v.type_name()
                )));
            }
        },
        "float" => match first {
            None => Value::Float(0.0),
            Some(Value::Str(s)) => {
                let t = s.trim().to_ascii_lowercase();
                let parsed = match t.as_str() {
                    "inf" | "+inf" | "infinity" => Some(f64::INFINITY),
                    "-inf" | "-infinity" => Some(f64::NEG_INFINITY),
                    "nan" | "+nan" | "-nan" => Some(f64::NAN),
                    _ if t.chars().all(|c| c.is_ascii_digit() || "+-.e_".contains(c)) => {
                        t.replace('_', "").parse().ok()
                    }
                    _ => None,
                };
                match parsed {
                    Some(f) => Value::Float(f),
                    None => {
                        return Err(i.exc(
                            "ValueError",
                            format!("could not convert string to float: {}", str_repr(&s)),
                        ));
                    }
                }
            }
            Some(Value::Int(n)) => Value::Float(n as f64),
            Some(Value::Bool(b)) => Value::Float(b as i64 as f64),
            Some(Value::Float(f)) => Value::Float(f),
            Some(v) => {
                return Err(i.type_error(format!(
                    "float() argument must be a string or a real number, not '{}'",
                    v.type_name()
                )));
            }
        },
        "str" => match first {
            None => Value::str(""),
            Some(Value::Bytes(b)) if a.len() > 1 || kwarg(&kw, "encoding").is_some() => {
                Value::str(String::from_utf8_lossy(&b).into_owned())
            }
            Some(v) => Value::str(i.str_of(&v)?),
        },
        "bool" => Value::Bool(match first {
            Some(v) => i.truthy(&v)?,
            None => false,
        }),
        "list" => Value::list(match first {
            Some(v) => i.iterate(&v)?,
            None => Vec::new(),
        }),
        "tuple" => Value::tuple(match first {
            Some(v) => i.iterate(&v)?,
            None => Vec::new(),
        }),
        "set" | "frozenset" => {
            let mut d = Dict::new();
            if let Some(v) = first {
                for x in i.iterate(&v)? {
                    if !d.insert(x.clone(), Value::None) {
                        return Err(i.unhashable(&x));
                    }
                }
            }
            Value::Set(Rc::new(RefCell::new(d)))
        }
        "dict" => {
            let mut d = Dict::new();
            if let Some(v) = first {
                dict_update(i, &mut d, &v)?;
            }
            for (k, v) in kw {
                d.set_str(&k, v);
            }
            Value::dict(d)
        }
        "bytes" => match first {
            None => Value::Bytes(Rc::new(Vec::new())),
            Some(Value::Str(s)) => Value::Bytes(Rc::new(s.as_bytes().to_vec())),
            Some(Value::Int(n)) => Value::Bytes(Rc::new(vec![0; n.clamp(0, 1 << 20) as usize])),
            Some(v) => {
                let items = i.iterate(&v)?;
                Value::Bytes(Rc::new(
                    items
                        .iter()
                        .map(|x| match x {
                            Value::Int(n) => *n as u8,
                            _ => 0,
                        })
                        .collect(),
                ))
            }
        },
        "range" => return range(i, name, None, a, kw),
        "type" => match (a.len(), first) {
            (1, Some(v)) => type_of(i, &v),
            _ => return Err(i.limit("type() with three arguments")),
        },
        "object" => Value::Instance(Rc::new(Instance {
            class: Rc::new(Class {
                name: "object".into(),
                module: "builtins".into(),
                bases: Vec::new(),
                dict: RefCell::new(HashMap::new()),
                builtin: false,
            }),
            dict: RefCell::new(HashMap::new()),
        })),
        _ => return Err(i.limit(&format!("the type '{name}'"))),
    })
}

pub fn dict_update(i: &mut Interp<'_>, d: &mut Dict, v: &Value) -> R<()> {
    if let Value::Dict(src) = v {
        let src = src.borrow().clone();
        for (k, v) in src.items() {
            d.insert(k.clone(), v.clone());
        }
        return Ok(());
    }
    for (n, pair) in i.iterate(v)?.into_iter().enumerate() {
        let kv = i.iterate(&pair)?;
        if kv.len() != 2 {
            return Err(i.exc(
                "ValueError",
                format!(
                    "dictionary update sequence element #{n} has length {}; 2 is required",
                    kv.len()
                ),
            ));
        }
        if !d.insert(kv[0].clone(), kv[1].clone()) {
            return Err(i.unhashable(&kv[0]));
        }
    }
    Ok(())
}

fn len(i: &mut Interp<'_>, _: &str, _: Option<&Value>, a: Vec<Value>, _: Kw) -> R<Value> {
    let v = one(i, "len", &a)?;
    Ok(Value::Int(match &v {
        Value::Str(s) => s.chars().count() as i64,
        Value::Bytes(b) => b.len() as i64,
        Value::List(l) => l.borrow().len() as i64,
        Value::Tuple(t) => t.len() as i64,
        Value::Dict(d) | Value::Set(d) => d.borrow().len() as i64,
        Value::Range(a, b, s) => range_len(*a, *b, *s),
        Value::Object(o) if matches!(o.kind, ObjKind::MultiDict(..)) => i.iterate(&v)?.len() as i64,
        Value::Instance(inst) if inst.class.lookup("__len__").is_some() => {
            let m = inst.class.lookup("__len__").unwrap_or(Value::None);
            return i.call(&m, vec![v.clone()], Vec::new());
        }
        _ => {
            return Err(i.type_error(format!("object of type '{}' has no len()", v.type_name())));
        }
    }))
}

fn range(i: &mut Interp<'_>, _: &str, _: Option<&Value>, a: Vec<Value>, _: Kw) -> R<Value> {
    let mut n = Vec::new();
    for v in &a {
        match v {
            Value::Int(x) => n.push(*x),
            Value::Bool(b) => n.push(*b as i64),
            v => {
                return Err(i.type_error(format!(
                    "'{}' object cannot be interpreted as an integer",
                    v.type_name()
                )));
            }
        }
    }
    let (start, stop, step) = match n.as_slice() {
        [b] => (0, *b, 1),
        [a, b] => (*a, *b, 1),
        [a, b, s] => (*a, *b, *s),
        [] => return Err(i.type_error("range expected at least 1 argument, got 0")),
        _ => {
            return Err(i.type_error(format!(
                "range expected at most 3 arguments, got {}",
                n.len()
            )));
        }
    };
    if step == 0 {
        return Err(i.exc("ValueError", "range() arg 3 must not be zero"));
    }
    Ok(Value::Range(start, stop, step))
}

fn round(i: &mut Interp<'_>, _: &str, _: Option<&Value>, a: Vec<Value>, kw: Kw) -> R<Value> {
    let v = a.first().cloned().unwrap_or(Value::None);
    let nd = arg_or_kw(&a, 1, &kw, "ndigits");
    match (v, nd) {
        (Value::Int(n), _) => Ok(Value::Int(n)),
        (Value::Float(f), None | Some(Value::None)) => {
            let r = f.round();
            let r = if (f - f.trunc()).abs() == 0.5 {
                2.0 * (f / 2.0).round()
            } else {
                r
            };
            if !r.is_finite() {
                return Err(i.exc("OverflowError", "cannot convert float infinity to integer"));
            }
            Ok(Value::Int(r as i64))
        }
        (Value::Float(f), Some(Value::Int(d))) => {
            let s = format!("{:.*}", d.clamp(0, 300) as usize, f);
            Ok(Value::Float(s.parse().unwrap_or(f)))
        }
        (v, _) => Err(i.type_error(format!(
            "type {} doesn't define __round__ method",
            v.type_name()
        ))),
    }
}

fn min_max(i: &mut Interp<'_>, a: Vec<Value>, kw: Kw, min: bool) -> R<Value> {
    let name = if min { "min" } else { "max" };
    let items = match a.len() {
        0 => {
            return Err(i.type_error(format!("{name} expected at least 1 argument, got 0")));
        }
        1 => i.iterate(&a[0])?,
        _ => a,
    };
    let key = kwarg(&kw, "key").filter(|k| !matches!(k, Value::None));
    if items.is_empty() {
        return match kwarg(&kw, "default") {
            Some(d) => Ok(d),
            None => Err(i.exc("ValueError", format!("{name}() iterable argument is empty"))),
        };
    }
    let mut best = items[0].clone();
    let mut best_key = match &key {
        Some(k) => i.call(k, vec![best.clone()], Vec::new())?,
        None => best.clone(),
    };
    for x in items.into_iter().skip(1) {
        let k = match &key {
            Some(f) => i.call(f, vec![x.clone()], Vec::new())?,
            None => x.clone(),
        };
        let ord = i.cmp(&k, &best_key, if min { "<" } else { ">" })?;
        let better = if min {
            ord == std::cmp::Ordering::Less
        } else {
            ord == std::cmp::Ordering::Greater
        };
        if better {
            best = x;
            best_key = k;
        }
    }
    Ok(best)
}

/// A stable merge sort whose comparisons may raise.
pub fn sort_values(
    i: &mut Interp<'_>,
    items: Vec<Value>,
    key: Option<Value>,
    reverse: bool,
) -> R<Vec<Value>> {
    let keys = match &key {
        Some(k) if !matches!(k, Value::None) => items
            .iter()
            .map(|x| i.call(k, vec![x.clone()], Vec::new()))
            .collect::<R<Vec<_>>>()?,
        _ => items.clone(),
    };
    let mut idx: Vec<usize> = (0..items.len()).collect();
    merge_sort(i, &mut idx, &keys, reverse)?;
    Ok(idx.into_iter().map(|j| items[j].clone()).collect())
}

fn merge_sort(i: &mut Interp<'_>, idx: &mut [usize], keys: &[Value], reverse: bool) -> R<()> {
    if idx.len() <= 1 {
        return Ok(());
    }
    let mid = idx.len() / 2;
    merge_sort(i, &mut idx[..mid], keys, reverse)?;
    merge_sort(i, &mut idx[mid..], keys, reverse)?;
    let left = idx[..mid].to_vec();
    let right = idx[mid..].to_vec();
    let (mut a, mut b, mut k) = (0, 0, 0);
    while a < left.len() && b < right.len() {
        let ord = i.cmp(&keys[right[b]], &keys[left[a]], "<")?;
        let take_right = if reverse {
            ord == std::cmp::Ordering::Greater
        } else {
            ord == std::cmp::Ordering::Less
        };
        if take_right {
            idx[k] = right[b];
            b += 1;
        } else {
            idx[k] = left[a];
            a += 1;
        }
        k += 1;
    }
    while a < left.len() {
        idx[k] = left[a];
        a += 1;
        k += 1;
    }
    while b < right.len() {
        idx[k] = right[b];
        b += 1;
        k += 1;
    }
    Ok(())
}

fn sorted(i: &mut Interp<'_>, _: &str, _: Option<&Value>, a: Vec<Value>, kw: Kw) -> R<Value> {
    let v = a
        .first()
        .cloned()
        .ok_or_else(|| i.type_error("sorted expected 1 argument, got 0"))?;
    let items = i.iterate(&v)?;
    let reverse = kwarg(&kw, "reverse").is_some_and(|r| r.truthy());
    Ok(Value::list(sort_values(
        i,
        items,
        kwarg(&kw, "key"),
        reverse,
    )?))
}

// ---- methods of built-in values ----

pub fn method(i: &mut Interp<'_>, o: &Value, name: &str) -> R<Value> {
    let known: &[&str] = match o {
        Value::Str(_) => &[
            "upper",
            "lower",
            "strip",
            "lstrip",
            "rstrip",
            "split",
            "rsplit",
            "join",
            "replace",
            "startswith",
            "endswith",
            "find",
            "rfind",
            "index",
            "count",
            "format",
            "title",
            "capitalize",
            "isdigit",
            "isnumeric",
            "isdecimal",
            "isalpha",
            "isalnum",
            "isspace",
            "isupper",
            "islower",
            "zfill",
            "center",
            "ljust",
            "rjust",
            "splitlines",
            "partition",
            "rpartition",
            "encode",
            "swapcase",
            "casefold",
            "removeprefix",
            "removesuffix",
            "isidentifier",
            "istitle",
            "expandtabs",
        ],
        Value::List(_) => &[
            "append", "extend", "insert", "pop", "remove", "index", "count", "sort", "reverse",
            "copy", "clear",
        ],
        Value::Tuple(_) => &["index", "count"],
        Value::Dict(_) => &[
            "get",
            "keys",
            "values",
            "items",
            "pop",
            "setdefault",
            "update",
            "copy",
            "clear",
            "popitem",
        ],
        Value::Set(_) => &[
            "add",
            "remove",
            "discard",
            "pop",
            "union",
            "intersection",
            "difference",
            "copy",
            "clear",
            "update",
            "issubset",
            "issuperset",
            "symmetric_difference",
            "isdisjoint",
        ],
        Value::Bytes(_) => &["decode", "hex", "startswith", "endswith", "split", "strip"],
        Value::Int(_) => &["bit_length", "to_bytes"],
        Value::Float(_) => &["is_integer"],
        _ => &[],
    };
    if name == "__class__" {
        return Ok(type_of(i, o));
    }
    if let Some(n) = known.iter().find(|n| **n == name) {
        return Ok(native(n, call_method, Some(o.clone())));
    }
    if let (Value::Builtin(b), "__name__") = (o, name) {
        return Ok(Value::str(b.name.as_str()));
    }
    if let Value::Builtin(b) = o {
        let found = match b.name.as_str() {
            "datetime" => super::modules::datetime_class_attr(i, name),
            "date" => super::modules::date_class_attr(name),
            _ => None,
        };
        if let Some(v) = found {
            return Ok(v);
        }
    }
    if let (Value::Builtin(b), _) = (o, name)
        && b.name == "dict"
        && name == "fromkeys"
    {
        return Ok(native(
            "fromkeys",
            |i, _, _, a, _| {
                let mut d = Dict::new();
                let v = a.get(1).cloned().unwrap_or(Value::None);
                if let Some(keys) = a.first() {
                    for k in i.iterate(keys)? {
                        d.insert(k, v.clone());
                    }
                }
                Ok(Value::dict(d))
            },
            None,
        ));
    }
    if let (Value::Builtin(b), "join" | "upper" | "lower" | "strip" | "split") = (o, name)
        && b.name == "str"
    {
        // str.join(sep, items): an unbound method.
        return Ok(native(
            name,
            |i, n, _, mut a, kw| {
                if a.is_empty() {
                    return Err(i.type_error(format!("unbound method str.{n}() needs an argument")));
                }
                let this = a.remove(0);
                call_method(i, n, Some(&this), a, kw)
            },
            None,
        ));
    }
    let t = match o {
        Value::Builtin(b) if TYPES.contains(&b.name.as_str()) => {
            return Err(i.exc(
                "AttributeError",
                format!("type object '{}' has no attribute '{name}'", b.name),
            ));
        }
        other => other.type_name(),
    };
    Err(i.exc(
        "AttributeError",
        format!("'{t}' object has no attribute '{name}'"),
    ))
}

fn want_str(i: &mut Interp<'_>, v: Option<&Value>, method: &str) -> R<String> {
    match v {
        Some(Value::Str(s)) => Ok(s.to_string()),
        Some(v) => Err(i.type_error(format!(
            "{method} arg must be None or str, not {}",
            v.type_name()
        ))),
        None => Err(i.type_error(format!("{method}() takes at least 1 argument (0 given)"))),
    }
}

fn strip_chars(s: &str, chars: Option<&str>, left: bool, right: bool) -> String {
    let f = |c: char| match chars {
        Some(cs) => cs.contains(c),
        None => c.is_whitespace(),
    };
    let mut r: &str = s;
    if left {
        r = r.trim_start_matches(f);
    }
    if right {
        r = r.trim_end_matches(f);
    }
    r.to_string()
}

fn call_method(
    i: &mut Interp<'_>,
    name: &str,
    this: Option<&Value>,
    a: Vec<Value>,
    kw: Kw,
) -> R<Value> {
    let Some(this) = this else {
        return Ok(Value::None);
    };
    match this {
        Value::Str(s) => str_method(i, s, name, a, kw),
        Value::List(l) => list_method(i, this, l, name, a, kw),
        Value::Tuple(t) => {
            let x = a.first().cloned().unwrap_or(Value::None);
            let mut n = 0;
            for (k, v) in t.iter().enumerate() {
                if i.eq(v, &x)? {
                    if name == "index" {
                        return Ok(Value::Int(k as i64));
                    }
                    n += 1;
                }
            }
            if name == "index" {
                return Err(i.exc("ValueError", "tuple.index(x): x not in tuple"));
            }
            Ok(Value::Int(n))
        }
        Value::Dict(d) => dict_method(i, d, name, a, kw),
        Value::Set(d) => set_method(i, this, d, name, a),
        Value::Bytes(b) => match name {
            "decode" => match String::from_utf8(b.to_vec()) {
                Ok(s) => Ok(Value::str(s)),
                Err(_) => Err(i.exc("UnicodeDecodeError", "'utf-8' codec can't decode bytes")),
            },
            "hex" => Ok(Value::str(hex::encode(b.as_slice()))),
            _ => {
                let s = Value::str(String::from_utf8_lossy(b).into_owned());
                let r = call_method(i, name, Some(&s), a, kw)?;
                Ok(match r {
                    Value::Str(s) => Value::Bytes(Rc::new(s.as_bytes().to_vec())),
                    other => other,
                })
            }
        },
        Value::Int(n) => match name {
            "bit_length" => Ok(Value::Int(64 - n.unsigned_abs().leading_zeros() as i64)),
            _ => Err(i.limit("int.to_bytes()")),
        },
        Value::Float(f) => Ok(Value::Bool(f.fract() == 0.0)),
        _ => Err(i.type_error("bad method call")),
    }
}

fn str_method(i: &mut Interp<'_>, s: &str, name: &str, a: Vec<Value>, kw: Kw) -> R<Value> {
    let arg_str = |i: &mut Interp<'_>, n: usize| -> R<Option<String>> {
        match a.get(n) {
            None | Some(Value::None) => Ok(None),
            Some(Value::Str(x)) => Ok(Some(x.to_string())),
            Some(v) => Err(i.type_error(format!("must be str or None, not {}", v.type_name()))),
        }
    };
    Ok(match name {
        "upper" => Value::str(s.to_uppercase()),
        "lower" | "casefold" => Value::str(s.to_lowercase()),
        "swapcase" => Value::str(
            s.chars()
                .map(|c| {
                    if c.is_uppercase() {
                        c.to_lowercase().collect::<String>()
                    } else {
                        c.to_uppercase().collect()
                    }
                })
                .collect::<String>(),
        ),
        "strip" => Value::str(strip_chars(s, arg_str(i, 0)?.as_deref(), true, true)),
        "lstrip" => Value::str(strip_chars(s, arg_str(i, 0)?.as_deref(), true, false)),
        "rstrip" => Value::str(strip_chars(s, arg_str(i, 0)?.as_deref(), false, true)),
        "split" | "rsplit" => {
            let sep = match arg_or_kw(&a, 0, &kw, "sep") {
                None | Some(Value::None) => None,
                Some(Value::Str(x)) => Some(x.to_string()),
                Some(v) => {
                    return Err(i.type_error(format!("must be str or None, not {}", v.type_name())));
                }
            };
            let max = match arg_or_kw(&a, 1, &kw, "maxsplit") {
                Some(Value::Int(n)) if n >= 0 => Some(n as usize),
                _ => None,
            };
            let parts: Vec<String> = match (&sep, name) {
                (Some(sep), _) if sep.is_empty() => {
                    return Err(i.exc("ValueError", "empty separator"));
                }
                (Some(sep), "split") => match max {
                    Some(m) => s.splitn(m + 1, sep.as_str()).map(String::from).collect(),
                    None => s.split(sep.as_str()).map(String::from).collect(),
                },
                (Some(sep), _) => {
                    let mut v: Vec<String> = match max {
                        Some(m) => s.rsplitn(m + 1, sep.as_str()).map(String::from).collect(),
                        None => s.rsplit(sep.as_str()).map(String::from).collect(),
                    };
                    v.reverse();
                    v
                }
                (None, _) => {
                    let words: Vec<&str> = s.split_whitespace().collect();
                    match max {
                        Some(m) if m < words.len() => {
                            if name == "split" {
                                let mut out: Vec<String> = Vec::new();
                                let mut rest = s.trim_start();
                                for _ in 0..m {
                                    let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                                    out.push(rest[..end].to_string());
                                    rest = rest[end..].trim_start();
                                }
                                if !rest.is_empty() {
                                    out.push(rest.to_string());
                                }
                                out
                            } else {
                                let mut out: Vec<String> = Vec::new();
                                let mut rest = s.trim_end();
                                for _ in 0..m {
                                    let start =
                                        rest.rfind(char::is_whitespace).map(|p| p + 1).unwrap_or(0);
                                    out.push(rest[start..].to_string());
                                    rest = rest[..start].trim_end();
                                }
                                if !rest.is_empty() {
                                    out.push(rest.to_string());
                                }
                                out.reverse();
                                out
                            }
                        }
                        _ => words.into_iter().map(String::from).collect(),
                    }
                }
            };
            Value::list(parts.into_iter().map(Value::str).collect())
        }
        "splitlines" => Value::list(s.lines().map(Value::str).collect()),
        "join" => {
            let items = a
                .first()
                .cloned()
                .ok_or_else(|| i.type_error("str.join() takes exactly one argument (0 given)"))?;
            let items = i.iterate(&items)?;
            let mut parts = Vec::new();
            for (n, x) in items.iter().enumerate() {
                match x {
                    Value::Str(p) => parts.push(p.to_string()),
                    v => {
                        return Err(i.type_error(format!(
                            "sequence item {n}: expected str instance, {} found",
                            v.type_name()
                        )));
                    }
                }
            }
            Value::str(parts.join(s))
        }
        "replace" => {
            let old = want_str(i, a.first(), "replace")?;
            let new = want_str(i, a.get(1), "replace")?;
            match a.get(2) {
                Some(Value::Int(n)) if *n >= 0 => Value::str(s.replacen(&old, &new, *n as usize)),
                _ => Value::str(s.replace(&old, &new)),
            }
        }
        "startswith" | "endswith" => {
            let pats: Vec<String> = match a.first() {
                Some(Value::Str(p)) => vec![p.to_string()],
                Some(Value::Tuple(t)) => t.iter().map(|v| i.to_str(v)).collect(),
                Some(v) => {
                    return Err(i.type_error(format!(
                        "{name} first arg must be str or a tuple of str, not {}",
                        v.type_name()
                    )));
                }
                None => {
                    return Err(
                        i.type_error(format!("{name}() takes at least 1 argument (0 given)"))
                    );
                }
            };
            Value::Bool(pats.iter().any(|p| {
                if name == "startswith" {
                    s.starts_with(p.as_str())
                } else {
                    s.ends_with(p.as_str())
                }
            }))
        }
        "find" | "rfind" | "index" | "count" => {
            let sub = want_str(i, a.first(), name)?;
            if name == "count" {
                return Ok(Value::Int(if sub.is_empty() {
                    s.chars().count() as i64 + 1
                } else {
                    s.matches(sub.as_str()).count() as i64
                }));
            }
            let pos = if name == "rfind" {
                s.rfind(sub.as_str())
            } else {
                s.find(sub.as_str())
            };
            match pos {
                Some(p) => Value::Int(s[..p].chars().count() as i64),
                None if name == "index" => return Err(i.exc("ValueError", "substring not found")),
                None => Value::Int(-1),
            }
        }
        "format" => Value::str(str_format(i, s, &a, &kw)?),
        "title" => {
            let mut out = String::new();
            let mut prev_alpha = false;
            for c in s.chars() {
                if c.is_alphabetic() {
                    if prev_alpha {
                        out.extend(c.to_lowercase());
                    } else {
                        out.extend(c.to_uppercase());
                    }
                    prev_alpha = true;
                } else {
                    out.push(c);
                    prev_alpha = false;
                }
            }
            Value::str(out)
        }
        "capitalize" => {
            let mut c = s.chars();
            Value::str(match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + &c.as_str().to_lowercase(),
                None => String::new(),
            })
        }
        "isdigit" | "isnumeric" | "isdecimal" => {
            Value::Bool(!s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || c.is_numeric()))
        }
        "isalpha" => Value::Bool(!s.is_empty() && s.chars().all(char::is_alphabetic)),
        "isalnum" => Value::Bool(!s.is_empty() && s.chars().all(char::is_alphanumeric)),
        "isspace" => Value::Bool(!s.is_empty() && s.chars().all(char::is_whitespace)),
        "isupper" => {
            Value::Bool(s.chars().any(char::is_uppercase) && !s.chars().any(char::is_lowercase))
        }
        "islower" => {
            Value::Bool(s.chars().any(char::is_lowercase) && !s.chars().any(char::is_uppercase))
        }
        "istitle" => Value::Bool(
            !s.is_empty()
                && str_method(i, s, "title", Vec::new(), Vec::new())
                    .map(|t| matches!(t, Value::Str(t) if *t == *s))
                    .unwrap_or(false),
        ),
        "isidentifier" => Value::Bool(
            s.chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
                && s.chars().all(|c| c.is_alphanumeric() || c == '_'),
        ),
        "zfill" => {
            let w = match a.first() {
                Some(Value::Int(n)) => *n as usize,
                _ => 0,
            };
            let n = s.chars().count();
            if n >= w {
                Value::str(s)
            } else {
                let (sign, rest) = if s.starts_with(['-', '+']) {
                    s.split_at(1)
                } else {
                    ("", s)
                };
                Value::str(format!("{sign}{}{rest}", "0".repeat(w - n)))
            }
        }
        "center" | "ljust" | "rjust" => {
            let w = match a.first() {
                Some(Value::Int(n)) => (*n).clamp(0, 1 << 20) as usize,
                _ => return Err(i.type_error(format!("{name}() takes at least 1 argument"))),
            };
            let fill = arg_str(i, 1)?.and_then(|f| f.chars().next()).unwrap_or(' ');
            let n = s.chars().count();
            if n >= w {
                Value::str(s)
            } else {
                let pad = w - n;
                let f = |k: usize| fill.to_string().repeat(k);
                Value::str(match name {
                    "ljust" => format!("{s}{}", f(pad)),
                    "rjust" => format!("{}{s}", f(pad)),
                    _ => {
                        let left = pad / 2 + (pad & w & 1);
                        format!("{}{s}{}", f(left), f(pad - left))
                    }
                })
            }
        }
        "partition" | "rpartition" => {
            let sep = want_str(i, a.first(), name)?;
            let found = if name == "partition" {
                s.find(sep.as_str())
            } else {
                s.rfind(sep.as_str())
            };
            let parts = match found {
                Some(p) => vec![&s[..p], sep.as_str(), &s[p + sep.len()..]],
                None if name == "partition" => vec![s, "", ""],
                None => vec!["", "", s],
            };
            Value::tuple(parts.into_iter().map(Value::str).collect())
        }
        "encode" => Value::Bytes(Rc::new(s.as_bytes().to_vec())),
        "removeprefix" => {
            let p = want_str(i, a.first(), name)?;
            Value::str(s.strip_prefix(p.as_str()).unwrap_or(s))
        }
        "removesuffix" => {
            let p = want_str(i, a.first(), name)?;
            Value::str(s.strip_suffix(p.as_str()).unwrap_or(s))
        }
        "expandtabs" => Value::str(s.replace('\t', "        ")),
        _ => return Err(i.limit(&format!("str.{name}()"))),
    })
}

/// `"{} {name} {0:>5}".format(...)`.
pub fn str_format(i: &mut Interp<'_>, s: &str, a: &[Value], kw: &[(String, Value)]) -> R<String> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut auto = 0;
    let mut k = 0;
    while k < chars.len() {
        let c = chars[k];
        if c == '{' && chars.get(k + 1) == Some(&'{') {
            out.push('{');
            k += 2;
            continue;
        }
        if c == '}' && chars.get(k + 1) == Some(&'}') {
            out.push('}');
            k += 2;
            continue;
        }
        if c != '{' {
            if c == '}' {
                return Err(i.exc("ValueError", "Single '}' encountered in format string"));
            }
            out.push(c);
            k += 1;
            continue;
        }
        let start = k + 1;
        let mut depth = 1;
        k += 1;
        while k < chars.len() {
            if chars[k] == '{' {
                depth += 1;
            } else if chars[k] == '}' {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            k += 1;
        }
        if k >= chars.len() {
            return Err(i.exc("ValueError", "Single '{' encountered in format string"));
        }
        let field: String = chars[start..k].iter().collect();
        k += 1;
        let (head, spec) = match field.split_once(':') {
            Some((h, sp)) => (h.to_string(), sp.to_string()),
            None => (field.clone(), String::new()),
        };
        let (head, conv) = match head.split_once('!') {
            Some((h, c)) => (h.to_string(), c.chars().next()),
            None => (head, None),
        };
        let spec = if spec.contains('{') {
            str_format(i, &spec, a, kw)?
        } else {
            spec
        };
        // The field name: an index or a name, then .attr / [key] parts.
        let mut name_end = head.find(['.', '[']).unwrap_or(head.len());
        let base = &head[..name_end];
        let mut v = if base.is_empty() {
            let v = a.get(auto).cloned().ok_or_else(|| {
                i.exc(
                    "IndexError",
                    format!("Replacement index {auto} out of range for positional args tuple"),
                )
            })?;
            auto += 1;
            v
        } else if let Ok(n) = base.parse::<usize>() {
            a.get(n).cloned().ok_or_else(|| {
                i.exc(
                    "IndexError",
                    format!("Replacement index {n} out of range for positional args tuple"),
                )
            })?
        } else {
            kw.iter()
                .find(|(k, _)| k == base)
                .map(|(_, v)| v.clone())
                .ok_or_else(|| i.exc_args("KeyError", vec![Value::str(base)]))?
        };
        while name_end < head.len() {
            let rest = &head[name_end..];
            if let Some(r) = rest.strip_prefix('.') {
                let e = r.find(['.', '[']).unwrap_or(r.len());
                v = i.getattr(&v, &r[..e])?;
                name_end += 1 + e;
            } else if let Some(r) = rest.strip_prefix('[') {
                let e = r.find(']').unwrap_or(r.len());
                let key = &r[..e];
                let kv = key
                    .parse::<i64>()
                    .map(Value::Int)
                    .unwrap_or_else(|_| Value::str(key));
                v = i.getitem(&v, &kv)?;
                name_end += e + 2;
            } else {
                break;
            }
        }
        let v = match conv {
            Some('r') => Value::str(i.repr(&v)?),
            Some('s') => Value::str(i.str_of(&v)?),
            _ => v,
        };
        out.push_str(&i.format_value(&v, &spec)?);
    }
    Ok(out)
}

fn list_method(
    i: &mut Interp<'_>,
    this: &Value,
    l: &Rc<RefCell<Vec<Value>>>,
    name: &str,
    a: Vec<Value>,
    kw: Kw,
) -> R<Value> {
    let argn = |i: &mut Interp<'_>, n: usize| -> R<Value> {
        a.get(n).cloned().ok_or_else(|| {
            i.type_error(format!(
                "list.{name}() takes exactly one argument (0 given)"
            ))
        })
    };
    Ok(match name {
        "append" => {
            let v = argn(i, 0)?;
            if l.borrow().len() >= 10_000_000 {
                return Err(Flow::Limit(
                    "this lab's python does not hold more than 10,000,000 items in a list".into(),
                ));
            }
            l.borrow_mut().push(v);
            Value::None
        }
        "extend" => {
            let v = argn(i, 0)?;
            let items = i.iterate(&v)?;
            l.borrow_mut().extend(items);
            Value::None
        }
        "insert" => {
            let idx = match a.first() {
                Some(Value::Int(n)) => *n,
                _ => return Err(i.type_error("insert expected 2 arguments")),
            };
            let v = argn(i, 1)?;
            let mut l = l.borrow_mut();
            let n = l.len() as i64;
            let at = if idx < 0 {
                (idx + n).max(0)
            } else {
                idx.min(n)
            } as usize;
            l.insert(at, v);
            Value::None
        }
        "pop" => {
            let mut list = l.borrow_mut();
            if list.is_empty() {
                drop(list);
                return Err(i.exc("IndexError", "pop from empty list"));
            }
            let n = list.len() as i64;
            let idx = match a.first() {
                Some(Value::Int(k)) => *k,
                _ => n - 1,
            };
            let j = if idx < 0 { idx + n } else { idx };
            if j < 0 || j >= n {
                drop(list);
                return Err(i.exc("IndexError", "pop index out of range"));
            }
            list.remove(j as usize)
        }
        "remove" | "index" | "count" => {
            let x = argn(i, 0)?;
            let items = l.borrow().clone();
            let mut count = 0;
            for (k, v) in items.iter().enumerate() {
                if i.eq(v, &x)? {
                    match name {
                        "remove" => {
                            l.borrow_mut().remove(k);
                            return Ok(Value::None);
                        }
                        "index" => return Ok(Value::Int(k as i64)),
                        _ => count += 1,
                    }
                }
            }
            match name {
                "remove" => return Err(i.exc("ValueError", "list.remove(x): x not in list")),
                "index" => {
                    let r = i.repr(&x)?;
                    return Err(i.exc("ValueError", format!("{r} is not in list")));
                }
                _ => Value::Int(count),
            }
        }
        "sort" => {
            let items = l.borrow().clone();
            let reverse = kwarg(&kw, "reverse").is_some_and(|r| r.truthy());
            let sorted = sort_values(i, items, kwarg(&kw, "key"), reverse)?;
            *l.borrow_mut() = sorted;
            Value::None
        }
        "reverse" => {
            l.borrow_mut().reverse();
            Value::None
        }
        "copy" => Value::list(l.borrow().clone()),
        "clear" => {
            l.borrow_mut().clear();
            Value::None
        }
        _ => {
            let _ = this;
            return Err(i.limit(&format!("list.{name}()")));
        }
    })
}

fn dict_method(
    i: &mut Interp<'_>,
    d: &Rc<RefCell<Dict>>,
    name: &str,
    a: Vec<Value>,
    kw: Kw,
) -> R<Value> {
    Ok(match name {
        "get" => {
            let k = a
                .first()
                .cloned()
                .ok_or_else(|| i.type_error("get expected at least 1 argument, got 0"))?;
            let r = d.borrow().get(&k).map(|v| v.cloned());
            match r {
                None => return Err(i.unhashable(&k)),
                Some(Some(v)) => v,
                Some(None) => a.get(1).cloned().unwrap_or(Value::None),
            }
        }
        "keys" => Value::list(d.borrow().keys.clone()).pipe_view("dict_keys"),
        "values" => Value::list(d.borrow().vals.clone()).pipe_view("dict_values"),
        "items" => Value::list(
            d.borrow()
                .items()
                .map(|(k, v)| Value::tuple(vec![k.clone(), v.clone()]))
                .collect(),
        )
        .pipe_view("dict_items"),
        "pop" => {
            let k = a
                .first()
                .cloned()
                .ok_or_else(|| i.type_error("pop expected at least 1 argument, got 0"))?;
            let r = d.borrow_mut().remove(&k);
            match r {
                Some(v) => v,
                None => match a.get(1) {
                    Some(v) => v.clone(),
                    None => return Err(i.exc_args("KeyError", vec![k])),
                },
            }
        }
        "popitem" => {
            let last = {
                let b = d.borrow();
                b.keys.last().cloned()
            };
            match last {
                Some(k) => {
                    let v = d.borrow_mut().remove(&k).unwrap_or(Value::None);
                    Value::tuple(vec![k, v])
                }
                None => return Err(i.exc("KeyError", "'popitem(): dictionary is empty'")),
            }
        }
        "setdefault" => {
            let k = a.first().cloned().unwrap_or(Value::None);
            let existing = d.borrow().get(&k).map(|v| v.cloned());
            match existing {
                None => return Err(i.unhashable(&k)),
                Some(Some(v)) => v,
                Some(None) => {
                    let v = a.get(1).cloned().unwrap_or(Value::None);
                    d.borrow_mut().insert(k, v.clone());
                    v
                }
            }
        }
        "update" => {
            let mut copy = d.borrow().clone();
            if let Some(v) = a.first() {
                dict_update(i, &mut copy, v)?;
            }
            for (k, v) in kw {
                copy.set_str(&k, v);
            }
            *d.borrow_mut() = copy;
            Value::None
        }
        "copy" => Value::dict(d.borrow().clone()),
        "clear" => {
            d.borrow_mut().clear();
            Value::None
        }
        _ => return Err(i.limit(&format!("dict.{name}()"))),
    })
}

trait View {
    fn pipe_view(self, kind: &'static str) -> Value;
}
impl View for Value {
    /// Dict views are lists here: they iterate, index and print as the real views
    /// would only in part (their repr shows the list).
    fn pipe_view(self, kind: &'static str) -> Value {
        let _ = kind;
        self
    }
}

fn set_method(
    i: &mut Interp<'_>,
    this: &Value,
    d: &Rc<RefCell<Dict>>,
    name: &str,
    a: Vec<Value>,
) -> R<Value> {
    let other = |i: &mut Interp<'_>, a: &[Value]| -> R<Dict> {
        let mut o = Dict::new();
        for v in a {
            for x in i.iterate(v)? {
                o.insert(x, Value::None);
            }
        }
        Ok(o)
    };
    Ok(match name {
        "add" => {
            let v = a.first().cloned().unwrap_or(Value::None);
            if !d.borrow_mut().insert(v.clone(), Value::None) {
                return Err(i.unhashable(&v));
            }
            Value::None
        }
        "remove" => {
            let v = a.first().cloned().unwrap_or(Value::None);
            if d.borrow_mut().remove(&v).is_none() {
                return Err(i.exc_args("KeyError", vec![v]));
            }
            Value::None
        }
        "discard" => {
            let v = a.first().cloned().unwrap_or(Value::None);
            d.borrow_mut().remove(&v);
            Value::None
        }
        "pop" => {
            let first = d.borrow().keys.first().cloned();
            match first {
                Some(k) => {
                    d.borrow_mut().remove(&k);
                    k
                }
                None => return Err(i.exc("KeyError", "'pop from an empty set'")),
            }
        }
        "clear" => {
            d.borrow_mut().clear();
            Value::None
        }
        "copy" => Value::Set(Rc::new(RefCell::new(d.borrow().clone()))),
        "update" => {
            let o = other(i, &a)?;
            for k in o.keys {
                d.borrow_mut().insert(k, Value::None);
            }
            Value::None
        }
        "union" | "intersection" | "difference" | "symmetric_difference" => {
            let o = Value::Set(Rc::new(RefCell::new(other(i, &a)?)));
            let op = match name {
                "union" => super::ast::BinOp::BitOr,
                "intersection" => super::ast::BinOp::BitAnd,
                "difference" => super::ast::BinOp::Sub,
                _ => super::ast::BinOp::BitXor,
            };
            i.binop(this.clone(), op, o)?
        }
        "issubset" => {
            let o = other(i, &a)?;
            Value::Bool(d.borrow().keys.iter().all(|k| o.contains(k) == Some(true)))
        }
        "issuperset" => {
            let o = other(i, &a)?;
            let me = d.borrow();
            Value::Bool(o.keys.iter().all(|k| me.contains(k) == Some(true)))
        }
        "isdisjoint" => {
            let o = other(i, &a)?;
            let me = d.borrow();
            Value::Bool(!o.keys.iter().any(|k| me.contains(k) == Some(true)))
        }
        _ => return Err(i.limit(&format!("set.{name}()"))),
    })
}

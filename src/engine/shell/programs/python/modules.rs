//! The import system and the standard modules the lab simulates: os (and os.path),
//! sys, json, time, datetime, random, math, socket, platform, string, typing and
//! functools' decorators. Modules next to the script are imported from their files;
//! packages pip installed are found in site-packages (flask and python-dotenv run,
//! others import but say their API is not simulated). Standard modules outside this
//! list are refused by name rather than imported half-working.

use super::ast::{BinOp, Span};
use super::builtins::{errno_error, kwarg, native, os_error};
use super::interp::{Flow, Interp, R};
use super::value::*;
use crate::engine::shell::vfs;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

pub const VERSION: &str = "3.12.11";

/// Standard modules that exist in CPython but are not simulated here.
const UNSIMULATED: &[&str] = &[
    "re",
    "collections",
    "subprocess",
    "threading",
    "multiprocessing",
    "asyncio",
    "sqlite3",
    "logging",
    "argparse",
    "pathlib",
    "shutil",
    "urllib",
    "http",
    "socketserver",
    "email",
    "csv",
    "hashlib",
    "hmac",
    "base64",
    "uuid",
    "itertools",
    "dataclasses",
    "enum",
    "decimal",
    "fractions",
    "statistics",
    "pickle",
    "copy",
    "glob",
    "tempfile",
    "unittest",
    "traceback",
    "inspect",
    "signal",
    "select",
    "ssl",
    "struct",
    "zlib",
    "gzip",
    "tarfile",
    "zipfile",
    "xml",
    "html",
    "secrets",
    "textwrap",
    "pprint",
    "contextlib",
    "abc",
    "operator",
    "heapq",
    "bisect",
    "array",
    "queue",
    "weakref",
    "io",
    "locale",
    "calendar",
    "configparser",
    "getpass",
    "shlex",
    "timeit",
    "venv",
    "wsgiref",
    "ipaddress",
    "pdb",
    "doctest",
    "types",
    "warnings",
    "importlib",
    "builtins",
    "codecs",
    "unicodedata",
    "zoneinfo",
    "tomllib",
    "curses",
    "readline",
    "ctypes",
    "concurrent",
    "difflib",
    "fnmatch",
    "gc",
    "atexit",
    "errno",
    "stat",
    "site",
    "sysconfig",
    "ast",
    "dis",
    "tkinter",
    "turtle",
];

fn module(name: &str, items: Vec<(&str, Value)>) -> Value {
    let mut d = HashMap::new();
    d.insert("__name__".to_string(), Value::str(name));
    for (k, v) in items {
        d.insert(k.to_string(), v);
    }
    Value::Module(Rc::new(Module {
        name: name.to_string(),
        dict: Rc::new(RefCell::new(d)),
        opaque: false,
    }))
}

fn f(name: &str, func: NativeFn) -> (&str, Value) {
    (name, native(name, func, None))
}

impl Interp<'_> {
    pub fn site_packages(&self) -> Vec<String> {
        let home = self
            .env
            .iter()
            .find(|(k, _)| k == "HOME")
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| "/root".into());
        let mut dirs = vec![
            format!("{}/lib/python3.12/site-packages", self.prefix),
            "/usr/local/lib/python3.12/site-packages".to_string(),
            "/usr/lib/python3.12/site-packages".to_string(),
            "/usr/lib/python3/dist-packages".to_string(),
            "/usr/local/lib/python3.12/dist-packages".to_string(),
            format!("{home}/.local/lib/python3.12/site-packages"),
        ];
        if let Some((_, pp)) = self.env.iter().find(|(k, _)| k == "PYTHONPATH") {
            for p in pp.split(':').filter(|p| !p.is_empty()).rev() {
                dirs.insert(0, p.to_string());
            }
        }
        dirs.dedup();
        dirs
    }

    /// Where an installed package or module `top` lives, if pip put it somewhere on
    /// the path.
    pub fn installed(&self, top: &str) -> Option<String> {
        for d in self.site_packages() {
            let pkg = format!("{d}/{top}/__init__.py");
            if self.fs.metadata(&pkg).is_ok_and(|m| m.is_file()) {
                return Some(pkg);
            }
            let m = format!("{d}/{top}.py");
            if self.fs.metadata(&m).is_ok_and(|m| m.is_file()) {
                return Some(m);
            }
        }
        None
    }

    pub fn import(&mut self, name: &str, _span: Span) -> R<Value> {
        if let Some(m) = self.modules.get(name) {
            return Ok(m.clone());
        }
        let top = name.split('.').next().unwrap_or(name).to_string();
        if top != name {
            self.import(&top, _span)?;
            if let Some(m) = self.modules.get(name) {
                return Ok(m.clone());
            }
        }
        // Files beside the script come first, as sys.path[0] does.
        if top == name
            && let Some(path) = self.local_module(name)
        {
            return self.load_file_module(name, &path);
        }
        let m = match name {
            "os" => self.os_module(),
            "os.path" => {
                self.import("os", _span)?;
                return Ok(self.modules["os.path"].clone());
            }
            "sys" => self.sys_module(),
            "json" => module(
                "json",
                vec![
                    f("dumps", json_dumps),
                    f("loads", json_loads),
                    f("dump", json_dump),
                    f("load", json_load),
                    (
                        "JSONDecodeError",
                        Value::Class(self.class("JSONDecodeError")),
                    ),
                ],
            ),
            "time" => module(
                "time",
                vec![
                    f("time", |i, _, _, _, _| Ok(Value::Float(now_secs(i)))),
                    f("time_ns", |i, _, _, _, _| {
                        Ok(Value::Int((now_secs(i) * 1e9) as i64))
                    }),
                    f("monotonic", |i, _, _, _, _| {
                        Ok(Value::Float(now_secs(i) - 1.7e9))
                    }),
                    f("perf_counter", |i, _, _, _, _| {
                        Ok(Value::Float(now_secs(i) - 1.7e9))
                    }),
                    f("sleep", sleep),
                    f("strftime", |i, _, _, a, _| {
                        let fmt = a.first().map(|v| i.to_str(v)).unwrap_or_default();
                        let now = i.host.now().naive_utc();
                        Ok(Value::str(strftime(&now, &fmt)))
                    }),
                    f("ctime", |i, _, _, _, _| {
                        let now = i.host.now().naive_utc();
                        Ok(Value::str(now.format("%a %b %e %H:%M:%S %Y").to_string()))
                    }),
                ],
            ),
            "datetime" => {
                let dt = native("datetime", datetime_ctor, None);
                module(
                    "datetime",
                    vec![
                        ("datetime", dt),
                        ("date", native("date", date_ctor, None)),
                        ("timedelta", native("timedelta", timedelta_ctor, None)),
                        (
                            "timezone",
                            module("timezone", vec![("utc", Value::str("UTC"))]),
                        ),
                        ("UTC", Value::str("UTC")),
                    ],
                )
            }
            "random" => module(
                "random",
                vec![
                    f("seed", |i, _, _, a, _| {
                        let s = match a.first() {
                            Some(Value::Int(n)) => *n as u64,
                            Some(v) => i
                                .to_str(v)
                                .bytes()
                                .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64)),
                            None => 1,
                        };
                        i.rng = s
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407)
                            | 1;
                        Ok(Value::None)
                    }),
                    f("random", |i, _, _, _, _| Ok(Value::Float(next_f64(i)))),
                    f("uniform", |i, _, _, a, _| {
                        let (x, y) = (num_arg(i, &a, 0)?, num_arg(i, &a, 1)?);
                        Ok(Value::Float(x + (y - x) * next_f64(i)))
                    }),
                    f("randint", |i, _, _, a, _| {
                        let (x, y) = (int_arg(i, &a, 0)?, int_arg(i, &a, 1)?);
                        if y < x {
                            return Err(i.exc(
                                "ValueError",
                                format!("empty range in randrange({x}, {})", y + 1),
                            ));
                        }
                        let span = (y - x + 1) as u64;
                        Ok(Value::Int(x + (next_u64(i) % span) as i64))
                    }),
                    f("randrange", |i, _, _, a, _| {
                        let (x, y) = if a.len() >= 2 {
                            (int_arg(i, &a, 0)?, int_arg(i, &a, 1)?)
                        } else {
                            (0, int_arg(i, &a, 0)?)
                        };
                        if y <= x {
                            return Err(
                                i.exc("ValueError", format!("empty range in randrange({x}, {y})"))
                            );
                        }
                        Ok(Value::Int(x + (next_u64(i) % (y - x) as u64) as i64))
                    }),
                    f("choice", |i, _, _, a, _| {
                        let items = i.iterate(a.first().unwrap_or(&Value::None))?;
                        if items.is_empty() {
                            return Err(i.exc("IndexError", "Cannot choose from an empty sequence"));
                        }
                        let k = (next_u64(i) % items.len() as u64) as usize;
                        Ok(items[k].clone())
                    }),
                    f("shuffle", |i, _, _, a, _| {
                        if let Some(Value::List(l)) = a.first() {
                            let n = l.borrow().len();
                            for k in (1..n).rev() {
                                let j = (next_u64(i) % (k as u64 + 1)) as usize;
                                l.borrow_mut().swap(k, j);
                            }
                        }
                        Ok(Value::None)
                    }),
                    f("sample", |i, _, _, a, _| {
                        let mut items = i.iterate(a.first().unwrap_or(&Value::None))?;
                        let k = int_arg(i, &a, 1)?.max(0) as usize;
                        if k > items.len() {
                            return Err(i.exc(
                                "ValueError",
                                "Sample larger than population or is negative",
                            ));
                        }
                        let mut out = Vec::new();
                        for _ in 0..k {
                            let j = (next_u64(i) % items.len() as u64) as usize;
                            out.push(items.remove(j));
                        }
                        Ok(Value::list(out))
                    }),
                ],
            ),
            "math" => self.math_module(),
            "socket" => module(
                "socket",
                vec![
                    f("gethostname", |i, _, _, _, _| {
                        Ok(Value::str(i.hostname.as_str()))
                    }),
                    f("gethostbyname", |i, _, _, a, _| {
                        let n = a.first().map(|v| i.to_str(v)).unwrap_or_default();
                        if n == i.hostname {
                            return Ok(Value::str(i.ip.as_str()));
                        }
                        if n == "localhost" {
                            return Ok(Value::str("127.0.0.1"));
                        }
                        Err(i.limit("socket.gethostbyname() for other hosts"))
                    }),
                    f("socket", |i, _, _, _, _| {
                        Err(i.limit("socket.socket() (raw sockets)"))
                    }),
                    ("AF_INET", Value::Int(2)),
                    ("SOCK_STREAM", Value::Int(1)),
                ],
            ),
            "platform" => module(
                "platform",
                vec![
                    f("system", |_, _, _, _, _| Ok(Value::str("Linux"))),
                    f("python_version", |_, _, _, _, _| Ok(Value::str(VERSION))),
                    f("machine", |_, _, _, _, _| Ok(Value::str("x86_64"))),
                    f("release", |_, _, _, _, _| {
                        Ok(Value::str("6.10.14-linuxkit"))
                    }),
                    f("node", |i, _, _, _, _| Ok(Value::str(i.hostname.as_str()))),
                    f("python_implementation", |_, _, _, _, _| {
                        Ok(Value::str("CPython"))
                    }),
                    f("platform", |i, _, _, _, _| {
                        let libc = if i.fs.exists("/etc/alpine-release") {
                            "with-musl"
                        } else {
                            "with-glibc2.36"
                        };
                        Ok(Value::str(format!("Linux-6.10.14-linuxkit-x86_64-{libc}")))
                    }),
                ],
            ),
            "string" => module(
                "string",
                vec![
                    (
                        "ascii_letters",
                        Value::str("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"),
                    ),
                    ("ascii_lowercase", Value::str("abcdefghijklmnopqrstuvwxyz")),
                    ("ascii_uppercase", Value::str("ABCDEFGHIJKLMNOPQRSTUVWXYZ")),
                    ("digits", Value::str("0123456789")),
                    ("hexdigits", Value::str("0123456789abcdefABCDEF")),
                    (
                        "punctuation",
                        Value::str("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"),
                    ),
                    ("whitespace", Value::str(" \t\n\r\x0b\x0c")),
                ],
            ),
            "typing" => {
                let b = self.builtins.borrow();
                let get = |n: &str| b.get(n).cloned().unwrap_or(Value::None);
                module(
                    "typing",
                    vec![
                        ("List", get("list")),
                        ("Dict", get("dict")),
                        ("Tuple", get("tuple")),
                        ("Set", get("set")),
                        ("Optional", get("list")),
                        ("Any", get("object")),
                        ("Union", get("list")),
                        ("Callable", get("object")),
                        ("Iterable", get("list")),
                    ],
                )
            }
            "functools" => module(
                "functools",
                vec![
                    f("wraps", |i, _, _, a, _| {
                        let wrapped = a.first().cloned().unwrap_or(Value::None);
                        let name = match &wrapped {
                            Value::Func(f) => f.name.clone(),
                            _ => String::new(),
                        };
                        let _ = i;
                        Ok(native(
                            &format!("wraps:{name}"),
                            |i, n, _, a, _| {
                                let f = a.first().cloned().unwrap_or(Value::None);
                                if let (Value::Func(func), Some(orig)) =
                                    (&f, n.strip_prefix("wraps:"))
                                {
                                    // The wrapper takes the wrapped function's name, as
                                    // functools.update_wrapper does: flask routes need it.
                                    func.attrs
                                        .borrow_mut()
                                        .insert("__wrapped_name__".into(), Value::str(orig));
                                }
                                let _ = i;
                                Ok(f)
                            },
                            None,
                        ))
                    }),
                    f("lru_cache", |_, _, _, a, _| match a.first() {
                        Some(f @ (Value::Func(_) | Value::Builtin(_))) => Ok(f.clone()),
                        _ => Ok(native(
                            "decorator",
                            |_, _, _, a, _| Ok(a.first().cloned().unwrap_or(Value::None)),
                            None,
                        )),
                    }),
                    f("cache", |_, _, _, a, _| {
                        Ok(a.first().cloned().unwrap_or(Value::None))
                    }),
                    f("reduce", |i, _, _, a, _| {
                        let items = i.iterate(a.get(1).unwrap_or(&Value::None))?;
                        let mut it = items.into_iter();
                        let mut acc = match a.get(2) {
                            Some(v) => v.clone(),
                            None => it.next().ok_or_else(|| {
                                i.type_error("reduce() of empty iterable with no initial value")
                            })?,
                        };
                        for x in it {
                            acc = i.call(&a[0], vec![acc, x], Vec::new())?;
                        }
                        Ok(acc)
                    }),
                ],
            ),
            "flask" => match self.installed("flask") {
                Some(file) => super::flask::module(self, &file),
                None => return Err(self.not_found(name)),
            },
            "dotenv" => match self.installed("dotenv") {
                Some(file) => {
                    let m = module("dotenv", vec![f("load_dotenv", load_dotenv)]);
                    if let Value::Module(md) = &m {
                        md.dict
                            .borrow_mut()
                            .insert("__file__".into(), Value::str(file));
                    }
                    m
                }
                None => return Err(self.not_found(name)),
            },
            "http.server" | "http" => {
                return Err(self.limit(
                    "importing 'http.server' in a script (run it as 'python -m http.server')",
                ));
            }
            _ => {
                if let Some(file) = self.installed(&top) {
                    let m = Value::Module(Rc::new(Module {
                        name: top.clone(),
                        dict: Rc::new(RefCell::new(HashMap::from([
                            ("__name__".to_string(), Value::str(top.as_str())),
                            ("__file__".to_string(), Value::str(file)),
                        ]))),
                        opaque: true,
                    }));
                    self.modules.insert(top.clone(), m.clone());
                    return Ok(m);
                }
                if UNSIMULATED.contains(&top.as_str()) {
                    return Err(Flow::Limit(format!(
                        "this lab's python does not simulate the standard module '{top}'"
                    )));
                }
                return Err(self.not_found(name));
            }
        };
        self.modules.insert(name.to_string(), m.clone());
        Ok(m)
    }

    fn not_found(&self, name: &str) -> Flow {
        let inst = Instance {
            class: self.class("ModuleNotFoundError"),
            dict: RefCell::new(HashMap::new()),
        };
        inst.dict.borrow_mut().insert(
            "args".into(),
            Value::tuple(vec![Value::str(format!("No module named '{name}'"))]),
        );
        inst.dict
            .borrow_mut()
            .insert("name".into(), Value::str(name));
        self.raise_value(Value::Instance(Rc::new(inst)))
    }

    fn local_module(&self, name: &str) -> Option<String> {
        let file = format!("{}/{name}.py", self.path0.trim_end_matches('/'));
        if self.fs.metadata(&file).is_ok_and(|m| m.is_file()) {
            return Some(file);
        }
        let pkg = format!("{}/{name}/__init__.py", self.path0.trim_end_matches('/'));
        if self.fs.metadata(&pkg).is_ok_and(|m| m.is_file()) {
            return Some(pkg);
        }
        None
    }

    fn load_file_module(&mut self, name: &str, path: &str) -> R<Value> {
        let src = self.fs.read(path).map_err(|e| os_error(self, &e, path))?;
        let src = String::from_utf8_lossy(&src).into_owned();
        let body = super::parser::parse(&src).map_err(|e| {
            if e.kind == "docklab" {
                Flow::Limit(format!(
                    "this lab's python does not support {} (line {} of {path})",
                    e.msg, e.line
                ))
            } else {
                self.exc(
                    e.kind,
                    format!("{} ({}, line {})", e.msg, vfs::file_name(path), e.line),
                )
            }
        })?;
        self.sources.insert(
            path.to_string(),
            Rc::new(src.lines().map(String::from).collect()),
        );
        let globals: Map = Rc::new(RefCell::new(HashMap::new()));
        globals
            .borrow_mut()
            .insert("__name__".into(), Value::str(name));
        globals
            .borrow_mut()
            .insert("__file__".into(), Value::str(path));
        let m = Value::Module(Rc::new(Module {
            name: name.to_string(),
            dict: globals.clone(),
            opaque: false,
        }));
        self.modules.insert(name.to_string(), m.clone());
        let r = self.run_module(&body, globals, Rc::from(path));
        if r.is_err() {
            self.modules.remove(name);
        }
        r?;
        Ok(m)
    }

    fn os_module(&mut self) -> Value {
        let mut environ = Dict::new();
        for (k, v) in &self.env {
            environ.set_str(k, Value::str(v.as_str()));
        }
        let environ = Value::dict(environ);
        let path = module(
            "posixpath",
            vec![
                f("join", |i, _, _, a, _| {
                    let mut out = String::new();
                    for p in &a {
                        let p = i.to_str(p);
                        if p.starts_with('/') {
                            out = p;
                        } else if out.is_empty() || out.ends_with('/') {
                            out.push_str(&p);
                        } else {
                            out.push('/');
                            out.push_str(&p);
                        }
                    }
                    Ok(Value::str(out))
                }),
                f("exists", |i, _, _, a, _| {
                    let p = path_arg(i, &a)?;
                    Ok(Value::Bool(i.fs.exists(&p)))
                }),
                f("isfile", |i, _, _, a, _| {
                    let p = path_arg(i, &a)?;
                    Ok(Value::Bool(i.fs.metadata(&p).is_ok_and(|m| m.is_file())))
                }),
                f("isdir", |i, _, _, a, _| {
                    let p = path_arg(i, &a)?;
                    Ok(Value::Bool(i.fs.metadata(&p).is_ok_and(|m| m.is_dir())))
                }),
                f("getsize", |i, _, _, a, _| {
                    let p = path_arg(i, &a)?;
                    let raw = a.first().map(|v| i.to_str(v)).unwrap_or_default();
                    i.fs.metadata(&p)
                        .map(|m| Value::Int(m.len as i64))
                        .map_err(|e| os_error(i, &e, &raw))
                }),
                f("basename", |i, _, _, a, _| {
                    let p = a.first().map(|v| i.to_str(v)).unwrap_or_default();
                    Ok(Value::str(p.rsplit('/').next().unwrap_or("")))
                }),
                f("dirname", |i, _, _, a, _| {
                    let p = a.first().map(|v| i.to_str(v)).unwrap_or_default();
                    Ok(Value::str(match p.rfind('/') {
                        Some(0) => "/".to_string(),
                        Some(k) => p[..k].trim_end_matches('/').to_string(),
                        None => String::new(),
                    }))
                }),
                f("abspath", |i, _, _, a, _| {
                    let p = a.first().map(|v| i.to_str(v)).unwrap_or_default();
                    Ok(Value::str(vfs::normalize(&i.cwd, &p)))
                }),
                f("realpath", |i, _, _, a, _| {
                    let p = a.first().map(|v| i.to_str(v)).unwrap_or_default();
                    Ok(Value::str(vfs::normalize(&i.cwd, &p)))
                }),
                f("expanduser", |i, _, _, a, _| {
                    let p = a.first().map(|v| i.to_str(v)).unwrap_or_default();
                    let home = i
                        .env
                        .iter()
                        .find(|(k, _)| k == "HOME")
                        .map(|(_, v)| v.clone())
                        .unwrap_or_else(|| "/root".into());
                    Ok(Value::str(match p.strip_prefix('~') {
                        Some(rest) => format!("{home}{rest}"),
                        None => p,
                    }))
                }),
                f("splitext", |i, _, _, a, _| {
                    let p = a.first().map(|v| i.to_str(v)).unwrap_or_default();
                    let base_start = p.rfind('/').map(|k| k + 1).unwrap_or(0);
                    let base = &p[base_start..];
                    let dot = base
                        .rfind('.')
                        .filter(|d| *d > 0 && !base[..*d].chars().all(|c| c == '.'));
                    Ok(match dot {
                        Some(d) => Value::tuple(vec![
                            Value::str(&p[..base_start + d]),
                            Value::str(&base[d..]),
                        ]),
                        None => Value::tuple(vec![Value::str(p.as_str()), Value::str("")]),
                    })
                }),
                f("split", |i, _, _, a, _| {
                    let p = a.first().map(|v| i.to_str(v)).unwrap_or_default();
                    Ok(match p.rfind('/') {
                        Some(k) => {
                            let head = if k == 0 {
                                "/"
                            } else {
                                p[..k].trim_end_matches('/')
                            };
                            Value::tuple(vec![Value::str(head), Value::str(&p[k + 1..])])
                        }
                        None => Value::tuple(vec![Value::str(""), Value::str(p.as_str())]),
                    })
                }),
                f("isabs", |i, _, _, a, _| {
                    Ok(Value::Bool(
                        a.first()
                            .map(|v| i.to_str(v))
                            .unwrap_or_default()
                            .starts_with('/'),
                    ))
                }),
                ("sep", Value::str("/")),
            ],
        );
        self.modules.insert("os.path".into(), path.clone());
        module(
            "os",
            vec![
                ("environ", environ),
                ("path", path),
                ("sep", Value::str("/")),
                ("linesep", Value::str("\n")),
                ("name", Value::str("posix")),
                ("curdir", Value::str(".")),
                f("getenv", |i, _, _, a, kw| {
                    let k = a.first().map(|v| i.to_str(v)).unwrap_or_default();
                    let env = i.modules.get("os").and_then(|m| match m {
                        Value::Module(m) => m.dict.borrow().get("environ").cloned(),
                        _ => None,
                    });
                    let found = match env {
                        Some(Value::Dict(d)) => d.borrow().get_str(&k).cloned(),
                        _ => None,
                    };
                    Ok(found.unwrap_or_else(|| {
                        a.get(1)
                            .cloned()
                            .or_else(|| kwarg(&kw, "default"))
                            .unwrap_or(Value::None)
                    }))
                }),
                f("getcwd", |i, _, _, _, _| Ok(Value::str(i.cwd.as_str()))),
                f("chdir", |i, _, _, a, _| {
                    let p = path_arg(i, &a)?;
                    let raw = a.first().map(|v| i.to_str(v)).unwrap_or_default();
                    match i.fs.metadata(&p) {
                        Ok(m) if m.is_dir() => {
                            i.cwd = p;
                            Ok(Value::None)
                        }
                        Ok(_) => Err(errno_error(
                            i,
                            "NotADirectoryError",
                            20,
                            "Not a directory",
                            &raw,
                        )),
                        Err(e) => Err(os_error(i, &e, &raw)),
                    }
                }),
                f("getpid", |_, _, _, _, _| Ok(Value::Int(1))),
                f("cpu_count", |_, _, _, _, _| Ok(Value::Int(4))),
                f("listdir", |i, _, _, a, _| {
                    let raw = a.first().map(|v| i.to_str(v)).unwrap_or_else(|| ".".into());
                    let p = vfs::normalize(&i.cwd, &raw);
                    match i.fs.read_dir(&p) {
                        Ok(entries) => Ok(Value::list(
                            entries.into_iter().map(|e| Value::str(e.name)).collect(),
                        )),
                        Err(e) => Err(os_error(i, &e, &raw)),
                    }
                }),
                f("makedirs", |i, _, _, a, kw| {
                    let raw = a.first().map(|v| i.to_str(v)).unwrap_or_default();
                    let p = vfs::normalize(&i.cwd, &raw);
                    let exist_ok = kwarg(&kw, "exist_ok")
                        .or_else(|| a.get(2).cloned())
                        .is_some_and(|v| v.truthy());
                    if i.fs.exists(&p) {
                        if exist_ok && i.fs.metadata(&p).is_ok_and(|m| m.is_dir()) {
                            return Ok(Value::None);
                        }
                        return Err(errno_error(i, "FileExistsError", 17, "File exists", &raw));
                    }
                    vfs::create_dir_all(i.fs, &p).map_err(|e| os_error(i, &e, &raw))?;
                    Ok(Value::None)
                }),
                f("mkdir", |i, _, _, a, _| {
                    let raw = a.first().map(|v| i.to_str(v)).unwrap_or_default();
                    let p = vfs::normalize(&i.cwd, &raw);
                    if i.fs.exists(&p) {
                        return Err(errno_error(i, "FileExistsError", 17, "File exists", &raw));
                    }
                    i.fs.create_dir(&p).map_err(|e| os_error(i, &e, &raw))?;
                    Ok(Value::None)
                }),
                f("remove", remove_file),
                f("unlink", remove_file),
                f("rmdir", |i, _, _, a, _| {
                    let raw = a.first().map(|v| i.to_str(v)).unwrap_or_default();
                    let p = vfs::normalize(&i.cwd, &raw);
                    i.fs.remove_dir(&p).map_err(|e| os_error(i, &e, &raw))?;
                    Ok(Value::None)
                }),
                f("rename", |i, _, _, a, _| {
                    let from = a.first().map(|v| i.to_str(v)).unwrap_or_default();
                    let to = a.get(1).map(|v| i.to_str(v)).unwrap_or_default();
                    let (pf, pt) = (vfs::normalize(&i.cwd, &from), vfs::normalize(&i.cwd, &to));
                    i.fs.rename(&pf, &pt).map_err(|e| os_error(i, &e, &from))?;
                    Ok(Value::None)
                }),
                f("system", |i, _, _, _, _| {
                    Err(i.limit("os.system() (starting other programs)"))
                }),
                f("popen", |i, _, _, _, _| {
                    Err(i.limit("os.popen() (starting other programs)"))
                }),
            ],
        )
    }

    fn sys_module(&mut self) -> Value {
        let argv = Value::list(self.argv.iter().map(|a| Value::str(a.as_str())).collect());
        let exe = format!("{}/bin/python3", self.prefix);
        let path = Value::list(
            std::iter::once(self.path0.clone())
                .chain([
                    "/usr/local/lib/python312.zip".to_string(),
                    "/usr/local/lib/python3.12".to_string(),
                    "/usr/local/lib/python3.12/lib-dynload".to_string(),
                ])
                .chain(self.site_packages().into_iter().take(1))
                .map(Value::str)
                .collect(),
        );
        module(
            "sys",
            vec![
                ("argv", argv),
                ("path", path),
                ("executable", Value::str(exe)),
                ("platform", Value::str("linux")),
                (
                    "version",
                    Value::str(format!(
                        "{VERSION} (main, Jun  4 2025, 04:11:59) [GCC 12.2.0]"
                    )),
                ),
                (
                    "version_info",
                    Value::tuple(vec![
                        Value::Int(3),
                        Value::Int(12),
                        Value::Int(11),
                        Value::str("final"),
                        Value::Int(0),
                    ]),
                ),
                ("maxsize", Value::Int(i64::MAX)),
                ("stdout", Value::object(ObjKind::Stream(1))),
                ("stderr", Value::object(ObjKind::Stream(2))),
                ("stdin", Value::object(ObjKind::Stream(0))),
                ("modules", Value::dict(Dict::new())),
                ("byteorder", Value::str("little")),
                f("exit", |i, _, _, a, _| Err(i.exc_args("SystemExit", a))),
                f("getrecursionlimit", |_, _, _, _, _| Ok(Value::Int(1000))),
                f("setrecursionlimit", |_, _, _, _, _| Ok(Value::None)),
            ],
        )
    }

    fn math_module(&mut self) -> Value {
        fn unary(name: &str, g: fn(f64) -> f64) -> (&str, Value) {
            let _ = g;
            (name, native(name, math_fn, None))
        }
        module(
            "math",
            vec![
                ("pi", Value::Float(std::f64::consts::PI)),
                ("e", Value::Float(std::f64::consts::E)),
                ("tau", Value::Float(std::f64::consts::TAU)),
                ("inf", Value::Float(f64::INFINITY)),
                ("nan", Value::Float(f64::NAN)),
                unary("sqrt", f64::sqrt),
                unary("exp", f64::exp),
                unary("log10", f64::log10),
                unary("log2", f64::log2),
                unary("sin", f64::sin),
                unary("cos", f64::cos),
                unary("tan", f64::tan),
                unary("atan", f64::atan),
                unary("fabs", f64::abs),
                unary("log", f64::ln),
                unary("floor", f64::floor),
                unary("ceil", f64::ceil),
                unary("trunc", f64::trunc),
                unary("pow", f64::abs),
                unary("hypot", f64::abs),
                unary("isclose", f64::abs),
                unary("isnan", f64::abs),
                unary("isinf", f64::abs),
                unary("radians", f64::abs),
                unary("degrees", f64::abs),
                f("factorial", |i, _, _, a, _| {
                    let n = int_arg(i, &a, 0)?;
                    if n < 0 {
                        return Err(
                            i.exc("ValueError", "factorial() not defined for negative values")
                        );
                    }
                    let mut acc: i64 = 1;
                    for k in 2..=n {
                        acc = acc.checked_mul(k).ok_or_else(|| i.int_limit())?;
                    }
                    Ok(Value::Int(acc))
                }),
                f("gcd", |i, _, _, a, _| {
                    let (mut x, mut y) = (int_arg(i, &a, 0)?.abs(), int_arg(i, &a, 1)?.abs());
                    while y != 0 {
                        (x, y) = (y, x % y);
                    }
                    Ok(Value::Int(x))
                }),
            ],
        )
    }
}

fn math_fn(
    i: &mut Interp<'_>,
    name: &str,
    _: Option<&Value>,
    a: Vec<Value>,
    kw: Vec<(String, Value)>,
) -> R<Value> {
    let x = num_arg(i, &a, 0)?;
    let domain = || i.exc("ValueError", "math domain error");
    Ok(match name {
        "sqrt" => {
            if x < 0.0 {
                return Err(domain());
            }
            Value::Float(x.sqrt())
        }
        "exp" => Value::Float(x.exp()),
        "log" => {
            if x <= 0.0 {
                return Err(domain());
            }
            match a.get(1) {
                Some(b) => {
                    let b = num_arg(i, std::slice::from_ref(b), 0)?;
                    Value::Float(x.ln() / b.ln())
                }
                None => Value::Float(x.ln()),
            }
        }
        "log10" | "log2" => {
            if x <= 0.0 {
                return Err(domain());
            }
            Value::Float(if name == "log10" { x.log10() } else { x.log2() })
        }
        "sin" => Value::Float(x.sin()),
        "cos" => Value::Float(x.cos()),
        "tan" => Value::Float(x.tan()),
        "atan" => Value::Float(x.atan()),
        "fabs" => Value::Float(x.abs()),
        "floor" | "ceil" | "trunc" => {
            if let Some(Value::Int(n)) = a.first() {
                return Ok(Value::Int(*n));
            }
            let r = match name {
                "floor" => x.floor(),
                "ceil" => x.ceil(),
                _ => x.trunc(),
            };
            if !r.is_finite() || r.abs() > 9.2e18 {
                return Err(i.int_limit());
            }
            Value::Int(r as i64)
        }
        "pow" => Value::Float(x.powf(num_arg(i, &a, 1)?)),
        "hypot" => Value::Float(x.hypot(num_arg(i, &a, 1)?)),
        "isclose" => {
            let y = num_arg(i, &a, 1)?;
            let rel = kwarg(&kw, "rel_tol")
                .and_then(|v| match v {
                    Value::Float(f) => Some(f),
                    _ => None,
                })
                .unwrap_or(1e-9);
            let abs = kwarg(&kw, "abs_tol")
                .and_then(|v| match v {
                    Value::Float(f) => Some(f),
                    Value::Int(n) => Some(n as f64),
                    _ => None,
                })
                .unwrap_or(0.0);
            Value::Bool((x - y).abs() <= (rel * x.abs().max(y.abs())).max(abs))
        }
        "isnan" => Value::Bool(x.is_nan()),
        "isinf" => Value::Bool(x.is_infinite()),
        "radians" => Value::Float(x.to_radians()),
        "degrees" => Value::Float(x.to_degrees()),
        _ => return Err(i.limit(&format!("math.{name}()"))),
    })
}

fn path_arg(i: &mut Interp<'_>, a: &[Value]) -> R<String> {
    match a.first() {
        Some(Value::Str(s)) => Ok(vfs::normalize(&i.cwd, s)),
        Some(v) => Err(i.type_error(format!(
            "stat: path should be string, bytes, os.PathLike or integer, not {}",
            v.type_name()
        ))),
        None => Err(i.type_error("missing required argument 'path' (pos 1)")),
    }
}

fn remove_file(
    i: &mut Interp<'_>,
    _: &str,
    _: Option<&Value>,
    a: Vec<Value>,
    _: Vec<(String, Value)>,
) -> R<Value> {
    let raw = a.first().map(|v| i.to_str(v)).unwrap_or_default();
    let p = vfs::normalize(&i.cwd, &raw);
    if i.fs.metadata(&p).is_ok_and(|m| m.is_dir()) {
        return Err(errno_error(
            i,
            "IsADirectoryError",
            21,
            "Is a directory",
            &raw,
        ));
    }
    i.fs.remove_file(&p).map_err(|e| os_error(i, &e, &raw))?;
    Ok(Value::None)
}

fn num_arg(i: &mut Interp<'_>, a: &[Value], k: usize) -> R<f64> {
    match a.get(k) {
        Some(Value::Int(n)) => Ok(*n as f64),
        Some(Value::Bool(b)) => Ok(*b as i64 as f64),
        Some(Value::Float(f)) => Ok(*f),
        Some(v) => Err(i.type_error(format!("must be real number, not {}", v.type_name()))),
        None => Err(i.type_error("missing a required argument")),
    }
}

fn int_arg(i: &mut Interp<'_>, a: &[Value], k: usize) -> R<i64> {
    match a.get(k) {
        Some(Value::Int(n)) => Ok(*n),
        Some(Value::Bool(b)) => Ok(*b as i64),
        Some(v) => Err(i.type_error(format!(
            "'{}' object cannot be interpreted as an integer",
            v.type_name()
        ))),
        None => Err(i.type_error("missing a required argument")),
    }
}

fn next_u64(i: &mut Interp<'_>) -> u64 {
    // xorshift64*: deterministic from the seed (the container's clock by default).
    let mut x = i.rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    i.rng = x;
    x.wrapping_mul(0x2545_F491_4F6C_DD1D)
}

fn next_f64(i: &mut Interp<'_>) -> f64 {
    (next_u64(i) >> 11) as f64 / (1u64 << 53) as f64
}

fn now_secs(i: &Interp<'_>) -> f64 {
    let now = i.host.now();
    now.timestamp() as f64 + now.timestamp_subsec_micros() as f64 / 1e6
}

fn sleep(
    i: &mut Interp<'_>,
    _: &str,
    _: Option<&Value>,
    a: Vec<Value>,
    _: Vec<(String, Value)>,
) -> R<Value> {
    let s = num_arg(i, &a, 0)?;
    if s < 0.0 {
        return Err(i.exc("ValueError", "sleep length must be non-negative"));
    }
    let _ = i.out.flush();
    i.host.sleep(std::time::Duration::from_secs_f64(s.min(1e9)));
    if i.interrupt.load(std::sync::atomic::Ordering::Relaxed) || crate::engine::budget::exceeded() {
        return Err(Flow::Stop);
    }
    Ok(Value::None)
}

fn load_dotenv(
    i: &mut Interp<'_>,
    _: &str,
    _: Option<&Value>,
    a: Vec<Value>,
    kw: Vec<(String, Value)>,
) -> R<Value> {
    let raw = a
        .first()
        .cloned()
        .or_else(|| kwarg(&kw, "dotenv_path"))
        .map(|v| i.to_str(&v))
        .unwrap_or_else(|| ".env".into());
    let override_ = kwarg(&kw, "override").is_some_and(|v| v.truthy());
    let path = vfs::normalize(&i.path0, &raw);
    let Ok(bytes) = i.fs.read(&path) else {
        return Ok(Value::Bool(false));
    };
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let environ = match i.modules.get("os") {
        Some(Value::Module(m)) => m.dict.borrow().get("environ").cloned(),
        _ => None,
    };
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let k = k.trim();
        let v = v.trim();
        let v = v
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .or_else(|| v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
            .unwrap_or_else(|| v.split(" #").next().unwrap_or(v));
        let present = i.env.iter().any(|(n, _)| n == k);
        if present && !override_ {
            continue;
        }
        i.env.retain(|(n, _)| n != k);
        i.env.push((k.to_string(), v.to_string()));
        if let Some(Value::Dict(d)) = &environ {
            d.borrow_mut().set_str(k, Value::str(v));
        }
    }
    Ok(Value::Bool(true))
}

// ---- json ----

fn json_encode(
    i: &mut Interp<'_>,
    v: &Value,
    indent: Option<&str>,
    level: usize,
    sort: bool,
    out: &mut String,
) -> R<()> {
    i.check_budget()?;
    let nl = |out: &mut String, level: usize| {
        if let Some(ind) = indent {
            out.push('\n');
            for _ in 0..level {
                out.push_str(ind);
            }
        }
    };
    match v {
        Value::None => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(n) => out.push_str(&n.to_string()),
        Value::Float(f) => out.push_str(&if f.is_nan() {
            "NaN".to_string()
        } else if f.is_infinite() {
            if *f > 0.0 {
                "Infinity".into()
            } else {
                "-Infinity".into()
            }
        } else {
            float_repr(*f)
        }),
        Value::Str(s) => json_str(s, out),
        Value::List(_) | Value::Tuple(_) => {
            let items = i.iterate(v)?;
            if items.is_empty() {
                out.push_str("[]");
                return Ok(());
            }
            out.push('[');
            for (k, x) in items.iter().enumerate() {
                if k > 0 {
                    out.push_str(if indent.is_some() { "," } else { ", " });
                }
                nl(out, level + 1);
                json_encode(i, x, indent, level + 1, sort, out)?;
            }
            nl(out, level);
            out.push(']');
        }
        Value::Dict(d) => {
            let mut items: Vec<(Value, Value)> = d
                .borrow()
                .items()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            if items.is_empty() {
                out.push_str("{}");
                return Ok(());
            }
            if sort {
                let keys: Vec<Value> = items.iter().map(|(k, _)| k.clone()).collect();
                let sorted = super::builtins::sort_values(i, keys, None, false)?;
                let mut reordered = Vec::new();
                for k in sorted {
                    if let Some(p) = items
                        .iter()
                        .position(|(x, _)| x.is(&k) || i.to_str(x) == i.to_str(&k))
                    {
                        reordered.push(items.remove(p));
                    }
                }
                items = reordered;
            }
            out.push('{');
            for (n, (k, x)) in items.iter().enumerate() {
                if n > 0 {
                    out.push_str(if indent.is_some() { "," } else { ", " });
                }
                nl(out, level + 1);
                let key = match k {
                    Value::Str(s) => s.to_string(),
                    Value::Int(_) | Value::Float(_) | Value::Bool(_) | Value::None => {
                        let mut s = String::new();
                        json_encode(i, k, None, 0, false, &mut s)?;
                        s
                    }
                    other => {
                        return Err(i.type_error(format!(
                            "keys must be str, int, float, bool or None, not {}",
                            other.type_name()
                        )));
                    }
                };
                json_str(&key, out);
                out.push_str(": ");
                json_encode(i, x, indent, level + 1, sort, out)?;
            }
            nl(out, level);
            out.push('}');
        }
        other => {
            return Err(i.type_error(format!(
                "Object of type {} is not JSON serializable",
                other.type_name()
            )));
        }
    }
    Ok(())
}

fn json_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut buf = [0u16; 2];
                for u in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{u:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

pub fn to_json(i: &mut Interp<'_>, v: &Value, indent: Option<usize>, sort: bool) -> R<String> {
    let ind = indent.map(|n| " ".repeat(n));
    let mut out = String::new();
    json_encode(i, v, ind.as_deref(), 0, sort, &mut out)?;
    Ok(out)
}

fn indent_of(i: &Interp<'_>, kw: &[(String, Value)]) -> Option<usize> {
    let _ = i;
    match kwarg(kw, "indent") {
        Some(Value::Int(n)) => Some(n.clamp(0, 64) as usize),
        _ => None,
    }
}

fn json_dumps(
    i: &mut Interp<'_>,
    _: &str,
    _: Option<&Value>,
    a: Vec<Value>,
    kw: Vec<(String, Value)>,
) -> R<Value> {
    let v = a.first().cloned().unwrap_or(Value::None);
    let sort = kwarg(&kw, "sort_keys").is_some_and(|v| v.truthy());
    let indent = indent_of(i, &kw);
    Ok(Value::str(to_json(i, &v, indent, sort)?))
}

fn json_dump(
    i: &mut Interp<'_>,
    _: &str,
    _: Option<&Value>,
    a: Vec<Value>,
    kw: Vec<(String, Value)>,
) -> R<Value> {
    let v = a.first().cloned().unwrap_or(Value::None);
    let Some(file) = a.get(1).cloned() else {
        return Err(i.type_error("dump() missing 1 required positional argument: 'fp'"));
    };
    let sort = kwarg(&kw, "sort_keys").is_some_and(|v| v.truthy());
    let indent = indent_of(i, &kw);
    let text = to_json(i, &v, indent, sort)?;
    let w = i.getattr(&file, "write")?;
    i.call(&w, vec![Value::str(text)], Vec::new())?;
    Ok(Value::None)
}

pub fn from_json(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::None,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(0.0)),
        },
        serde_json::Value::String(s) => Value::str(s.as_str()),
        serde_json::Value::Array(a) => Value::list(a.iter().map(from_json).collect()),
        serde_json::Value::Object(o) => {
            let mut d = Dict::new();
            for (k, v) in o {
                d.set_str(k, from_json(v));
            }
            Value::dict(d)
        }
    }
}

pub fn parse_json(i: &mut Interp<'_>, text: &str) -> R<Value> {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(v) => Ok(from_json(&v)),
        Err(e) => {
            let (line, col) = (e.line(), e.column());
            let char_pos: usize = text
                .split('\n')
                .take(line.saturating_sub(1))
                .map(|l| l.chars().count() + 1)
                .sum::<usize>()
                + col.saturating_sub(1);
            let what = if text.trim().is_empty()
                || matches!(e.classify(), serde_json::error::Category::Syntax) && col <= 1
            {
                "Expecting value"
            } else if e.to_string().contains("trailing characters") {
                "Extra data"
            } else if e.to_string().contains("key must be a string") {
                "Expecting property name enclosed in double quotes"
            } else {
                "Expecting value"
            };
            let col = if text.trim().is_empty() {
                1
            } else {
                col.max(1)
            };
            let char_pos = if text.trim().is_empty() { 0 } else { char_pos };
            let msg = format!("{what}: line {line} column {col} (char {char_pos})");
            let inst = Instance {
                class: i.class("JSONDecodeError"),
                dict: RefCell::new(HashMap::new()),
            };
            inst.dict
                .borrow_mut()
                .insert("args".into(), Value::tuple(vec![Value::str(msg.clone())]));
            inst.dict
                .borrow_mut()
                .insert("msg".into(), Value::str(what));
            Err(i.raise_value(Value::Instance(Rc::new(inst))))
        }
    }
}

fn json_loads(
    i: &mut Interp<'_>,
    _: &str,
    _: Option<&Value>,
    a: Vec<Value>,
    _: Vec<(String, Value)>,
) -> R<Value> {
    let text = match a.first() {
        Some(Value::Str(s)) => s.to_string(),
        Some(Value::Bytes(b)) => String::from_utf8_lossy(b).into_owned(),
        Some(v) => {
            return Err(i.type_error(format!(
                "the JSON object must be str, bytes or bytearray, not {}",
                v.type_name()
            )));
        }
        None => return Err(i.type_error("loads() missing 1 required positional argument: 's'")),
    };
    parse_json(i, &text)
}

fn json_load(
    i: &mut Interp<'_>,
    _: &str,
    _: Option<&Value>,
    a: Vec<Value>,
    _: Vec<(String, Value)>,
) -> R<Value> {
    let Some(file) = a.first().cloned() else {
        return Err(i.type_error("load() missing 1 required positional argument: 'fp'"));
    };
    let r = i.getattr(&file, "read")?;
    let text = i.call(&r, Vec::new(), Vec::new())?;
    let text = i.to_str(&text);
    parse_json(i, &text)
}

// ---- datetime ----

pub fn timedelta(secs: f64) -> Value {
    Value::object(ObjKind::TimeDelta(secs))
}

pub fn timedelta_str(s: f64) -> String {
    let total_us = (s * 1e6).round() as i64;
    let days = total_us.div_euclid(86_400_000_000);
    let rest = total_us.rem_euclid(86_400_000_000);
    let (h, m, sec, us) = (
        rest / 3_600_000_000,
        rest / 60_000_000 % 60,
        rest / 1_000_000 % 60,
        rest % 1_000_000,
    );
    let mut out = String::new();
    if days != 0 {
        out.push_str(&format!(
            "{days} day{}, ",
            if days.abs() == 1 { "" } else { "s" }
        ));
    }
    out.push_str(&format!("{h}:{m:02}:{sec:02}"));
    if us != 0 {
        out.push_str(&format!(".{us:06}"));
    }
    out
}

pub fn timedelta_repr(s: f64) -> String {
    let total_us = (s * 1e6).round() as i64;
    let days = total_us.div_euclid(86_400_000_000);
    let rest = total_us.rem_euclid(86_400_000_000);
    let (secs, us) = (rest / 1_000_000, rest % 1_000_000);
    let mut parts = Vec::new();
    if days != 0 {
        parts.push(format!("days={days}"));
    }
    if secs != 0 {
        parts.push(format!("seconds={secs}"));
    }
    if us != 0 {
        parts.push(format!("microseconds={us}"));
    }
    if parts.is_empty() {
        return "datetime.timedelta(0)".into();
    }
    format!("datetime.timedelta({})", parts.join(", "))
}

pub fn datetime_repr(d: &chrono::NaiveDateTime) -> String {
    use chrono::{Datelike, Timelike};
    let mut parts = vec![
        d.year().to_string(),
        d.month().to_string(),
        d.day().to_string(),
        d.hour().to_string(),
        d.minute().to_string(),
    ];
    let us = d.nanosecond() / 1000;
    if d.second() != 0 || us != 0 {
        parts.push(d.second().to_string());
    }
    if us != 0 {
        parts.push(us.to_string());
    }
    format!("datetime.datetime({})", parts.join(", "))
}

pub fn strftime(d: &chrono::NaiveDateTime, fmt: &str) -> String {
    // chrono's %f is nanoseconds; Python's is microseconds.
    let fmt = fmt.replace("%f", "%6f");
    let mut out = String::new();
    let _ = write!(StringWriter(&mut out), "{}", d.format(&fmt));
    out
}

struct StringWriter<'a>(&'a mut String);
impl std::fmt::Write for StringWriter<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.push_str(s);
        Ok(())
    }
}
use std::fmt::Write as _;

fn datetime_value(i: &Interp<'_>, d: chrono::NaiveDateTime, tz: bool) -> Value {
    let _ = i;
    let v = Value::object(ObjKind::DateTime(d));
    if tz && let Value::Object(o) = &v {
        o.attrs
            .borrow_mut()
            .insert("tzinfo".into(), Value::str("UTC"));
    }
    v
}

fn datetime_ctor(
    i: &mut Interp<'_>,
    _: &str,
    _: Option<&Value>,
    a: Vec<Value>,
    _: Vec<(String, Value)>,
) -> R<Value> {
    let n: Vec<i64> = a
        .iter()
        .filter_map(|v| match v {
            Value::Int(n) => Some(*n),
            _ => None,
        })
        .collect();
    if n.len() < 3 {
        return Err(i.type_error("function missing required argument 'day' (pos 3)"));
    }
    let g = |k: usize| n.get(k).copied().unwrap_or(0);
    let d = chrono::NaiveDate::from_ymd_opt(g(0) as i32, g(1) as u32, g(2) as u32)
        .and_then(|d| d.and_hms_micro_opt(g(3) as u32, g(4) as u32, g(5) as u32, g(6) as u32))
        .ok_or_else(|| i.exc("ValueError", "day is out of range for month"))?;
    Ok(datetime_value(i, d, false))
}

fn date_ctor(
    i: &mut Interp<'_>,
    _: &str,
    _: Option<&Value>,
    a: Vec<Value>,
    _: Vec<(String, Value)>,
) -> R<Value> {
    let n: Vec<i64> = a
        .iter()
        .filter_map(|v| match v {
            Value::Int(n) => Some(*n),
            _ => None,
        })
        .collect();
    if n.len() < 3 {
        return Err(i.type_error("function missing required argument 'day' (pos 3)"));
    }
    let d = chrono::NaiveDate::from_ymd_opt(n[0] as i32, n[1] as u32, n[2] as u32)
        .ok_or_else(|| i.exc("ValueError", "day is out of range for month"))?;
    Ok(Value::object(ObjKind::Date(d)))
}

fn timedelta_ctor(
    i: &mut Interp<'_>,
    _: &str,
    _: Option<&Value>,
    a: Vec<Value>,
    kw: Vec<(String, Value)>,
) -> R<Value> {
    let mut secs = 0.0;
    let units = [
        ("days", 86400.0),
        ("seconds", 1.0),
        ("microseconds", 1e-6),
        ("milliseconds", 1e-3),
        ("minutes", 60.0),
        ("hours", 3600.0),
        ("weeks", 604800.0),
    ];
    for (k, v) in a.iter().enumerate() {
        secs += num_arg(i, std::slice::from_ref(v), 0)? * units.get(k).map(|u| u.1).unwrap_or(0.0);
    }
    for (name, v) in &kw {
        let Some((_, m)) = units.iter().find(|(u, _)| u == name) else {
            return Err(i.type_error(format!(
                "'{name}' is an invalid keyword argument for __new__()"
            )));
        };
        secs += num_arg(i, std::slice::from_ref(v), 0)? * m;
    }
    Ok(timedelta(secs))
}

pub fn date_binop(i: &mut Interp<'_>, a: &Value, op: BinOp, b: &Value) -> R<Option<Value>> {
    let (Value::Object(x), Value::Object(y)) = (a, b) else {
        return Ok(None);
    };
    let us = |s: f64| chrono::Duration::microseconds((s * 1e6).round() as i64);
    Ok(match (&x.kind, op, &y.kind) {
        (ObjKind::DateTime(d), BinOp::Add, ObjKind::TimeDelta(s)) => {
            Some(datetime_value(i, *d + us(*s), false))
        }
        (ObjKind::DateTime(d), BinOp::Sub, ObjKind::TimeDelta(s)) => {
            Some(datetime_value(i, *d - us(*s), false))
        }
        (ObjKind::DateTime(d), BinOp::Sub, ObjKind::DateTime(e)) => Some(timedelta(
            (*d - *e).num_microseconds().unwrap_or(0) as f64 / 1e6,
        )),
        (ObjKind::Date(d), BinOp::Sub, ObjKind::Date(e)) => {
            Some(timedelta((*d - *e).num_days() as f64 * 86400.0))
        }
        (ObjKind::Date(d), BinOp::Add, ObjKind::TimeDelta(s)) => Some(Value::object(
            ObjKind::Date(*d + chrono::Duration::days((*s / 86400.0) as i64)),
        )),
        (ObjKind::TimeDelta(p), BinOp::Add, ObjKind::TimeDelta(q)) => Some(timedelta(p + q)),
        (ObjKind::TimeDelta(p), BinOp::Sub, ObjKind::TimeDelta(q)) => Some(timedelta(p - q)),
        _ => None,
    })
}

// ---- attributes of library objects ----

pub fn object_attr(i: &mut Interp<'_>, o: &Value, name: &str) -> R<Value> {
    let Value::Object(ob) = o else {
        return Err(i.type_error("not an object"));
    };
    let method = |n: &str| Ok(native(n, object_method, Some(o.clone())));
    match &ob.kind {
        ObjKind::File(f) => match name {
            "read" | "readline" | "readlines" | "write" | "writelines" | "close" | "flush"
            | "__enter__" | "__exit__" | "seek" | "tell" => method(name),
            "name" => Ok(Value::str(f.borrow().name.as_str())),
            "mode" => Ok(Value::str(f.borrow().mode.as_str())),
            "closed" => Ok(Value::Bool(f.borrow().closed)),
            _ => Err(no_attr(i, o, name)),
        },
        ObjKind::Stream(_) => match name {
            "write" | "flush" | "isatty" | "fileno" | "read" | "readline" | "readlines" => {
                method(name)
            }
            _ => Err(no_attr(i, o, name)),
        },
        ObjKind::DateTime(d) => {
            use chrono::{Datelike, Timelike};
            match name {
                "year" => Ok(Value::Int(d.year() as i64)),
                "month" => Ok(Value::Int(d.month() as i64)),
                "day" => Ok(Value::Int(d.day() as i64)),
                "hour" => Ok(Value::Int(d.hour() as i64)),
                "minute" => Ok(Value::Int(d.minute() as i64)),
                "second" => Ok(Value::Int(d.second() as i64)),
                "microsecond" => Ok(Value::Int((d.nanosecond() / 1000) as i64)),
                "tzinfo" => Ok(Value::None),
                "isoformat" | "strftime" | "timestamp" | "date" | "weekday" | "replace"
                | "time" | "isoweekday" => method(name),
                _ => Err(no_attr(i, o, name)),
            }
        }
        ObjKind::Date(d) => {
            use chrono::Datelike;
            match name {
                "year" => Ok(Value::Int(d.year() as i64)),
                "month" => Ok(Value::Int(d.month() as i64)),
                "day" => Ok(Value::Int(d.day() as i64)),
                "isoformat" | "strftime" | "weekday" | "isoweekday" => method(name),
                _ => Err(no_attr(i, o, name)),
            }
        }
        ObjKind::TimeDelta(s) => match name {
            "days" => Ok(Value::Int((s / 86400.0).floor() as i64)),
            "seconds" => Ok(Value::Int((s.rem_euclid(86400.0)).floor() as i64)),
            "microseconds" => Ok(Value::Int(((s * 1e6).round() as i64).rem_euclid(1_000_000))),
            "total_seconds" => method(name),
            _ => Err(no_attr(i, o, name)),
        },
        ObjKind::MultiDict(..) => match name {
            "get" | "getlist" | "to_dict" | "keys" | "values" | "items" => method(name),
            _ => Err(no_attr(i, o, name)),
        },
        ObjKind::FlaskApp(_) | ObjKind::FlaskRequest(_) | ObjKind::FlaskResponse(_) => {
            super::flask::attr(i, o, name)
        }
        _ => Err(no_attr(i, o, name)),
    }
}

fn no_attr(i: &Interp<'_>, o: &Value, name: &str) -> Flow {
    i.exc(
        "AttributeError",
        format!("'{}' object has no attribute '{name}'", o.type_name()),
    )
}

pub fn set_object_attr(i: &mut Interp<'_>, ob: &Rc<Object>, name: &str, v: Value) -> R<()> {
    match &ob.kind {
        ObjKind::FlaskApp(_) | ObjKind::FlaskResponse(_) => super::flask::set_attr(i, ob, name, v),
        _ => {
            ob.attrs.borrow_mut().insert(name.to_string(), v);
            Ok(())
        }
    }
}

pub fn call_object(
    i: &mut Interp<'_>,
    f: &Value,
    a: Vec<Value>,
    kw: Vec<(String, Value)>,
) -> R<Value> {
    let _ = (a, kw);
    Err(i.type_error(format!("'{}' object is not callable", f.type_name())))
}

fn flush_file(i: &mut Interp<'_>, st: &mut FileState) -> R<()> {
    if st.writable && st.dirty {
        i.fs.write(&st.path, &st.data, false)
            .map_err(|e| os_error(i, &e, &st.name))?;
        st.dirty = false;
    }
    Ok(())
}

fn object_method(
    i: &mut Interp<'_>,
    name: &str,
    this: Option<&Value>,
    a: Vec<Value>,
    kw: Vec<(String, Value)>,
) -> R<Value> {
    let Some(o @ Value::Object(ob)) = this else {
        return Ok(Value::None);
    };
    match &ob.kind {
        ObjKind::File(cell) => {
            let closed = cell.borrow().closed;
            if closed && !matches!(name, "close" | "__exit__") {
                return Err(i.exc("ValueError", "I/O operation on closed file."));
            }
            match name {
                "__enter__" => Ok(o.clone()),
                "__exit__" | "close" => {
                    let mut st = cell.borrow_mut();
                    if !st.closed {
                        flush_file(i, &mut st)?;
                        st.closed = true;
                    }
                    Ok(if name == "__exit__" {
                        Value::Bool(false)
                    } else {
                        Value::None
                    })
                }
                "flush" => {
                    let mut st = cell.borrow_mut();
                    flush_file(i, &mut st)?;
                    Ok(Value::None)
                }
                "write" | "writelines" => {
                    let mut st = cell.borrow_mut();
                    if !st.writable {
                        drop(st);
                        return Err(i.exc("io.UnsupportedOperation", "not writable"));
                    }
                    let items = if name == "writelines" {
                        let v = a.first().cloned().unwrap_or(Value::None);
                        drop(st);
                        let items = i.iterate(&v)?;
                        st = cell.borrow_mut();
                        items
                    } else {
                        a.clone()
                    };
                    let mut written = 0;
                    for v in items {
                        let bytes = match (&v, st.binary) {
                            (Value::Str(s), false) => s.as_bytes().to_vec(),
                            (Value::Bytes(b), true) => b.to_vec(),
                            (v, false) => {
                                let t = v.type_name();
                                drop(st);
                                return Err(
                                    i.type_error(format!("write() argument must be str, not {t}"))
                                );
                            }
                            (v, true) => {
                                let t = v.type_name();
                                drop(st);
                                return Err(i.type_error(format!(
                                    "a bytes-like object is required, not '{t}'"
                                )));
                            }
                        };
                        if st.data.len() + bytes.len() > 64 << 20 {
                            drop(st);
                            return Err(i.exc("OSError", "[Errno 28] No space left on device"));
                        }
                        written += if st.binary {
                            bytes.len()
                        } else {
                            String::from_utf8_lossy(&bytes).chars().count()
                        };
                        let pos = st.pos;
                        let end = pos + bytes.len();
                        if st.data.len() < end {
                            st.data.resize(end, 0);
                        }
                        st.data[pos..end].copy_from_slice(&bytes);
                        st.pos = end;
                        st.dirty = true;
                    }
                    Ok(if name == "write" {
                        Value::Int(written as i64)
                    } else {
                        Value::None
                    })
                }
                "read" | "readline" | "readlines" => {
                    let mut st = cell.borrow_mut();
                    if st.writable && !st.mode.contains('+') && !st.mode.contains('r') {
                        drop(st);
                        return Err(i.exc("io.UnsupportedOperation", "not readable"));
                    }
                    let rest = st.data[st.pos.min(st.data.len())..].to_vec();
                    let wrap = |b: &[u8], bin: bool| {
                        if bin {
                            Value::Bytes(Rc::new(b.to_vec()))
                        } else {
                            Value::str(String::from_utf8_lossy(b).into_owned())
                        }
                    };
                    match name {
                        "read" => {
                            let n = match a.first() {
                                Some(Value::Int(n)) if *n >= 0 => (*n as usize).min(rest.len()),
                                _ => rest.len(),
                            };
                            st.pos += n;
                            Ok(wrap(&rest[..n], st.binary))
                        }
                        "readline" => {
                            let n = rest
                                .iter()
                                .position(|b| *b == b'\n')
                                .map(|p| p + 1)
                                .unwrap_or(rest.len());
                            st.pos += n;
                            Ok(wrap(&rest[..n], st.binary))
                        }
                        _ => {
                            st.pos = st.data.len();
                            let text = String::from_utf8_lossy(&rest).into_owned();
                            Ok(Value::list(
                                text.split_inclusive('\n').map(Value::str).collect(),
                            ))
                        }
                    }
                }
                "seek" => {
                    let n = int_arg(i, &a, 0)?.max(0) as usize;
                    cell.borrow_mut().pos = n;
                    Ok(Value::Int(n as i64))
                }
                "tell" => Ok(Value::Int(cell.borrow().pos as i64)),
                _ => Err(no_attr(i, o, name)),
            }
        }
        ObjKind::Stream(n) => match name {
            "write" => {
                let s = match a.first() {
                    Some(Value::Str(s)) => s.to_string(),
                    Some(v) => {
                        return Err(i.type_error(format!(
                            "write() argument must be str, not {}",
                            v.type_name()
                        )));
                    }
                    None => {
                        return Err(i.type_error(
                            "TextIOWrapper.write() takes exactly one argument (0 given)",
                        ));
                    }
                };
                let _ = if *n == 2 {
                    i.err.write_all(s.as_bytes())
                } else {
                    i.out.write_all(s.as_bytes())
                };
                Ok(Value::Int(s.chars().count() as i64))
            }
            "flush" => {
                let _ = i.out.flush();
                Ok(Value::None)
            }
            "isatty" => Ok(Value::Bool(false)),
            "fileno" => Ok(Value::Int(*n as i64)),
            "readline" => Ok(Value::str(
                super::builtins::read_line(i).unwrap_or_default(),
            )),
            "read" | "readlines" => {
                let rest = String::from_utf8_lossy(&i.stdin[i.stdin_pos.min(i.stdin.len())..])
                    .into_owned();
                i.stdin_pos = i.stdin.len();
                if name == "read" {
                    Ok(Value::str(rest))
                } else {
                    Ok(Value::list(
                        rest.split_inclusive('\n').map(Value::str).collect(),
                    ))
                }
            }
            _ => Err(no_attr(i, o, name)),
        },
        ObjKind::DateTime(d) => {
            let tz = ob.attrs.borrow().contains_key("tzinfo");
            match name {
                "isoformat" => {
                    let sep = a.first().map(|v| i.to_str(v)).unwrap_or_else(|| "T".into());
                    let us = chrono::Timelike::nanosecond(d) / 1000;
                    let base = d.format(&format!("%Y-%m-%d{sep}%H:%M:%S")).to_string();
                    let frac = if us != 0 {
                        format!(".{us:06}")
                    } else {
                        String::new()
                    };
                    Ok(Value::str(format!(
                        "{base}{frac}{}",
                        if tz { "+00:00" } else { "" }
                    )))
                }
                "strftime" => {
                    let f = a.first().map(|v| i.to_str(v)).unwrap_or_default();
                    Ok(Value::str(strftime(d, &f)))
                }
                "timestamp" => Ok(Value::Float(d.and_utc().timestamp_micros() as f64 / 1e6)),
                "date" => Ok(Value::object(ObjKind::Date(d.date()))),
                "weekday" => Ok(Value::Int(
                    chrono::Datelike::weekday(d).num_days_from_monday() as i64,
                )),
                "isoweekday" => Ok(Value::Int(
                    chrono::Datelike::weekday(d).number_from_monday() as i64,
                )),
                _ => Err(i.limit(&format!("datetime.{name}()"))),
            }
        }
        ObjKind::Date(d) => match name {
            "isoformat" => Ok(Value::str(d.format("%Y-%m-%d").to_string())),
            "strftime" => {
                let f = a.first().map(|v| i.to_str(v)).unwrap_or_default();
                Ok(Value::str(strftime(
                    &d.and_hms_opt(0, 0, 0).unwrap_or_default(),
                    &f,
                )))
            }
            "weekday" => Ok(Value::Int(
                chrono::Datelike::weekday(d).num_days_from_monday() as i64,
            )),
            _ => Ok(Value::Int(
                chrono::Datelike::weekday(d).number_from_monday() as i64,
            )),
        },
        ObjKind::TimeDelta(s) => Ok(Value::Float(*s)),
        ObjKind::MultiDict(items, ci) => {
            let key = a.first().map(|v| i.to_str(v)).unwrap_or_default();
            let matches = |n: &str| {
                if *ci {
                    n.eq_ignore_ascii_case(&key)
                } else {
                    n == key
                }
            };
            match name {
                "get" => {
                    let found = items
                        .iter()
                        .find(|(n, _)| matches(n))
                        .map(|(_, v)| v.clone());
                    let ty = kwarg(&kw, "type");
                    match found {
                        Some(v) => match ty {
                            Some(t) => match i.call(&t, vec![Value::str(v)], Vec::new()) {
                                Ok(r) => Ok(r),
                                Err(Flow::Raise(_)) => Ok(a
                                    .get(1)
                                    .cloned()
                                    .or_else(|| kwarg(&kw, "default"))
                                    .unwrap_or(Value::None)),
                                Err(e) => Err(e),
                            },
                            None => Ok(Value::str(v)),
                        },
                        None => Ok(a
                            .get(1)
                            .cloned()
                            .or_else(|| kwarg(&kw, "default"))
                            .unwrap_or(Value::None)),
                    }
                }
                "getlist" => Ok(Value::list(
                    items
                        .iter()
                        .filter(|(n, _)| matches(n))
                        .map(|(_, v)| Value::str(v.as_str()))
                        .collect(),
                )),
                "to_dict" => {
                    let mut d = Dict::new();
                    for (k, v) in items {
                        if d.get_str(k).is_none() {
                            d.set_str(k, Value::str(v.as_str()));
                        }
                    }
                    Ok(Value::dict(d))
                }
                "keys" => i.iterate(o).map(Value::list),
                "values" => Ok(Value::list(
                    items.iter().map(|(_, v)| Value::str(v.as_str())).collect(),
                )),
                _ => Ok(Value::list(
                    items
                        .iter()
                        .map(|(k, v)| {
                            Value::tuple(vec![Value::str(k.as_str()), Value::str(v.as_str())])
                        })
                        .collect(),
                )),
            }
        }
        ObjKind::FlaskApp(_) | ObjKind::FlaskRequest(_) | ObjKind::FlaskResponse(_) => {
            super::flask::method(i, name, o, a, kw)
        }
        _ => Err(no_attr(i, o, name)),
    }
}

/// The datetime class's own methods: `datetime.now()`, `datetime.utcnow()`...
pub fn datetime_class_attr(i: &mut Interp<'_>, name: &str) -> Option<Value> {
    let _ = i;
    let f: NativeFn = match name {
        "now" | "utcnow" | "today" | "fromisoformat" | "fromtimestamp" | "strptime" => {
            |i, n, _, a, _| {
                match n {
                    "fromisoformat" => {
                        let s = a.first().map(|v| i.to_str(v)).unwrap_or_default();
                        let parsed =
                            chrono::NaiveDateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M:%S%.f")
                                .or_else(|_| {
                                    chrono::NaiveDateTime::parse_from_str(
                                        &s,
                                        "%Y-%m-%d %H:%M:%S%.f",
                                    )
                                })
                                .or_else(|_| {
                                    chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d")
                                        .map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default())
                                });
                        parsed.map(|d| datetime_value(i, d, false)).map_err(|_| {
                            i.exc(
                                "ValueError",
                                format!("Invalid isoformat string: {}", str_repr(&s)),
                            )
                        })
                    }
                    "strptime" => {
                        let s = a.first().map(|v| i.to_str(v)).unwrap_or_default();
                        let f = a.get(1).map(|v| i.to_str(v)).unwrap_or_default();
                        chrono::NaiveDateTime::parse_from_str(&s, &f)
                            .or_else(|_| {
                                chrono::NaiveDate::parse_from_str(&s, &f)
                                    .map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default())
                            })
                            .map(|d| datetime_value(i, d, false))
                            .map_err(|_| {
                                i.exc(
                                    "ValueError",
                                    format!(
                                        "time data {} does not match format {}",
                                        str_repr(&s),
                                        str_repr(&f)
                                    ),
                                )
                            })
                    }
                    "fromtimestamp" => {
                        let t = num_arg(i, &a, 0)?;
                        let d = chrono::DateTime::from_timestamp_micros((t * 1e6) as i64)
                            .unwrap_or_default()
                            .naive_utc();
                        Ok(datetime_value(i, d, false))
                    }
                    _ => {
                        // The container's clock; containers run in UTC.
                        let now = i.host.now().naive_utc();
                        let tz = a.first().is_some_and(|v| !matches!(v, Value::None));
                        Ok(datetime_value(i, now, tz))
                    }
                }
            }
        }
        _ => return None,
    };
    Some(native(name, f, None))
}

pub fn date_class_attr(name: &str) -> Option<Value> {
    (name == "today").then(|| {
        native(
            "today",
            |i, _, _, _, _| Ok(Value::object(ObjKind::Date(i.host.now().date_naive()))),
            None,
        )
    })
}

impl Interp<'_> {
    pub fn check_budget(&mut self) -> R<()> {
        if self.interrupt.load(std::sync::atomic::Ordering::Relaxed)
            || crate::engine::budget::exceeded()
        {
            return Err(Flow::Stop);
        }
        Ok(())
    }
}

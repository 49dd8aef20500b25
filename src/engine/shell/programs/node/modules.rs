//! `require`: node's resolution of relative files and of packages in node_modules, the
//! built-in modules the lab provides (fs, path, os, events, url, querystring, util,
//! crypto; http in http.rs), and the packages it simulates natively (express, cors,
//! body-parser, dotenv) when npm has installed them.

use super::interp::{Interp, Module, R, Throw, dirname};
use super::value::*;
use std::rc::Rc;

fn arg(args: &[Value], i: usize) -> Value {
    args.get(i).cloned().unwrap_or(Value::Undef)
}

fn set(
    it: &Interp,
    o: &Value,
    name: &str,
    f: impl Fn(&mut Interp, &Value, &[Value]) -> R<Value> + 'static,
) {
    let func = it.native(name, f);
    if let Value::Obj(o) = o {
        o.borrow_mut().set(name, func);
    }
}

/// Joins and normalizes POSIX path pieces, as `path.join` and `path.resolve` do.
pub fn normalize(path: &str) -> String {
    let abs = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !abs {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let body = parts.join("/");
    let trailing = path.ends_with('/') && !body.is_empty();
    let mut out = if abs {
        format!("/{body}")
    } else if body.is_empty() {
        ".".into()
    } else {
        body
    };
    if trailing {
        out.push('/');
    }
    out
}

pub fn resolve_path(cwd: &str, p: &str) -> String {
    if p.starts_with('/') {
        normalize(p)
    } else {
        normalize(&format!("{cwd}/{p}"))
    }
}

const BUILTINS: &[&str] = &[
    "fs",
    "path",
    "os",
    "http",
    "events",
    "url",
    "querystring",
    "util",
    "crypto",
    "fs/promises",
    "https",
    "net",
    "child_process",
    "stream",
    "buffer",
    "assert",
    "zlib",
    "readline",
    "process",
    "timers",
    "worker_threads",
    "cluster",
    "dns",
    "tls",
    "dgram",
    "vm",
];

/// The `require` function of the module at `file`.
pub fn require_function(it: &mut Interp, file: &str) -> Value {
    let from = file.to_string();
    it.native("require", move |it, _, args| {
        let name = match arg(args, 0) {
            Value::Str(s) => s.to_string(),
            other => {
                let t = inspect(&other);
                return Err(it.error_at_current(
                    "TypeError",
                    &format!("The \"id\" argument must be of type string. Received {t}"),
                ));
            }
        };
        require(it, &name, &from)
    })
}

pub fn require(it: &mut Interp, name: &str, from: &str) -> R<Value> {
    let bare = name.strip_prefix("node:").unwrap_or(name);
    if BUILTINS.contains(&bare) {
        if let Some((_, v)) = it.modules.iter().find(|(k, _)| k == bare) {
            return Ok(v.clone());
        }
        let m = builtin(it, bare)?;
        it.modules.push((bare.to_string(), m.clone()));
        return Ok(m);
    }
    let dir = dirname(from);
    let resolved = if name.starts_with("./")
        || name.starts_with("../")
        || name.starts_with('/')
        || name == "."
        || name == ".."
    {
        resolve_file(it, &resolve_path(&dir, name))
    } else {
        resolve_package(it, name, &dir)
    };
    let Some(path) = resolved else {
        return Err(module_not_found(it, name, from));
    };
    if let Some((_, v)) = it.modules.iter().find(|(k, _)| *k == path) {
        return Ok(v.clone());
    }
    if let Some(sim) = simulated_package(it, &path)? {
        it.modules.push((path, sim.clone()));
        return Ok(sim);
    }
    let bytes = it.host.read(&path).unwrap_or_default();
    let src = String::from_utf8_lossy(&bytes).into_owned();
    if src.starts_with(super::npm::FILLER_MARK) {
        let pkg = path
            .rsplit("/node_modules/")
            .next()
            .unwrap_or(name)
            .split('/')
            .next()
            .unwrap_or(name);
        let (line, _, _) = super::errors::locate(&it.current_src(), it.current_pos());
        return Err(Throw::Unsupported(format!(
            "docklab: this lab's node does not run the code of the package '{pkg}' (it simulates express, body-parser, cors and dotenv) ({from}:{line})"
        )));
    }
    if path.ends_with(".json") {
        return match serde_json::from_str::<serde_json::Value>(&src) {
            Ok(v) => {
                let v = super::builtins::from_json(it, &v);
                it.modules.push((path, v.clone()));
                Ok(v)
            }
            Err(e) => Err(it.error_at_current("SyntaxError", &format!("{path}: {e}"))),
        };
    }
    let module = Rc::new(Module {
        file: path.clone(),
        src,
        eval: false,
    });
    let body = match super::parser::parse_program(&module.src) {
        Ok(b) => b,
        Err(e) => {
            if let Some(what) = e.unsupported {
                let (line, _, _) = super::errors::locate(&module.src, e.offset);
                return Err(Throw::Unsupported(format!(
                    "docklab: this lab's node does not support {what} ({path}:{line})"
                )));
            }
            let err = it.make_error("SyntaxError", &e.message, None);
            return Err(Throw::Value(err, e.offset, module));
        }
    };
    // A placeholder first, so circular requires see the partial exports.
    it.modules.push((path.clone(), Value::Obj(it.object())));
    let exports = it.run_module(module, &body)?;
    if let Some(slot) = it.modules.iter_mut().find(|(k, _)| *k == path) {
        slot.1 = exports.clone();
    }
    Ok(exports)
}

fn resolve_file(it: &Interp, base: &str) -> Option<String> {
    if it.host.is_file(base) {
        return Some(base.to_string());
    }
    for ext in [".js", ".json", ".cjs"] {
        let p = format!("{base}{ext}");
        if it.host.is_file(&p) {
            return Some(p);
        }
    }
    if it.host.is_dir(base) {
        let pj = format!("{base}/package.json");
        if let Ok(bytes) = it.host.read(&pj) {
            if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&bytes) {
                if let Some(main) = v.get("main").and_then(|m| m.as_str()) {
                    if let Some(p) = resolve_file_only(it, &resolve_path(base, main)) {
                        return Some(p);
                    }
                }
            }
        }
        return resolve_file_only(it, &format!("{base}/index"));
    }
    None
}

fn resolve_file_only(it: &Interp, base: &str) -> Option<String> {
    if it.host.is_file(base) {
        return Some(base.to_string());
    }
    [".js", ".json"]
        .iter()
        .map(|e| format!("{base}{e}"))
        .find(|p| it.host.is_file(p))
}

fn resolve_package(it: &Interp, name: &str, dir: &str) -> Option<String> {
    let mut d = dir.to_string();
    loop {
        if !d.ends_with("/node_modules") {
            let base = if d == "/" {
                format!("/node_modules/{name}")
            } else {
                format!("{d}/node_modules/{name}")
            };
            if let Some(p) = resolve_file(it, &base) {
                return Some(p);
            }
        }
        if d == "/" {
            return None;
        }
        d = dirname(&d);
    }
}

/// Node's MODULE_NOT_FOUND error, as `require` throws it from inside the loader.
pub fn module_not_found(it: &mut Interp, name: &str, from: &str) -> Throw {
    let main = from.is_empty();
    let message = if main {
        format!("Cannot find module '{name}'")
    } else {
        format!("Cannot find module '{name}'\nRequire stack:\n- {from}")
    };
    let mut stack = format!("Error: {message}");
    let mut frames: Vec<String> = super::errors::RESOLVE_FRAMES
        .iter()
        .map(|s| s.to_string())
        .collect();
    if main {
        frames.push(
            "Function.executeUserEntryPoint [as runMain] (node:internal/modules/run_main:171:5)"
                .into(),
        );
        frames.push("node:internal/main/run_main_module:36:49".into());
    } else {
        frames.push("Module.require (node:internal/modules/cjs/loader:1487:12)".into());
        frames.push("require (node:internal/modules/helpers:135:16)".into());
        frames.extend(it.stack_frames(None));
    }
    frames.truncate(10);
    for f in frames {
        stack.push_str("\n    at ");
        stack.push_str(&f);
    }
    let e = it.make_error("Error", &message, None);
    let require_stack = if main {
        Vec::new()
    } else {
        vec![Value::str(from)]
    };
    let rs = it.array(require_stack);
    if let Value::Obj(o) = &e {
        let mut b = o.borrow_mut();
        b.set_hidden("stack", Value::str(&stack));
        b.set("code", Value::str("MODULE_NOT_FOUND"));
        b.set("requireStack", rs);
        b.set_hidden("\u{0}head", Value::str(super::errors::RESOLVE_THROW));
    }
    Throw::Value(
        e,
        0,
        Rc::new(Module {
            file: String::new(),
            src: String::new(),
            eval: false,
        }),
    )
}

/// Packages whose behaviour the lab provides itself, found where npm put them.
fn simulated_package(it: &mut Interp, path: &str) -> R<Option<Value>> {
    let Some(rest) = path.split("/node_modules/").last() else {
        return Ok(None);
    };
    if !path.contains("/node_modules/") {
        return Ok(None);
    }
    let pkg = rest.split('/').next().unwrap_or("");
    Ok(match pkg {
        "express" => Some(super::express::module(it)),
        "body-parser" => Some(super::express::body_parser_module(it)),
        "cors" => Some(super::express::cors_module(it)),
        "dotenv" => Some(dotenv_module(it)),
        "nodemon" => Some(Value::Obj(it.object())),
        _ => None,
    })
}

fn dotenv_module(it: &mut Interp) -> Value {
    let m = it.obj_value(vec![]);
    set(it, &m, "config", |it, _, args| {
        let opts = arg(args, 0);
        let path = match it.get(&opts, "path") {
            Ok(Value::Str(p)) => resolve_path(&it.cwd.clone(), &p),
            _ => format!("{}/.env", it.cwd),
        };
        let parsed = it.object();
        if let Ok(bytes) = it.host.read(&path) {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            for line in text.lines() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let line = line.strip_prefix("export ").unwrap_or(line);
                if let Some((k, v)) = line.split_once('=') {
                    let k = k.trim();
                    let mut v = v.trim().to_string();
                    if (v.starts_with('"') && v.ends_with('"') && v.len() >= 2)
                        || (v.starts_with('\'') && v.ends_with('\'') && v.len() >= 2)
                    {
                        v = v[1..v.len() - 1].to_string();
                    } else if let Some(i) = v.find(" #") {
                        v = v[..i].trim().to_string();
                    }
                    parsed.borrow_mut().set(k, Value::str(&v));
                    if !it.env_vars.iter().any(|(n, _)| n == k) {
                        it.env_vars.push((k.to_string(), v.clone()));
                        super::process::set_env(it, k, &v);
                    }
                }
            }
        }
        Ok(it.obj_value(vec![("parsed", Value::Obj(parsed))]))
    });
    m
}

fn fs_error(it: &mut Interp, e: &std::io::Error, syscall: &str, path: &str) -> Throw {
    let (code, errno, text) = match e.kind() {
        std::io::ErrorKind::NotFound => ("ENOENT", -2, "no such file or directory"),
        std::io::ErrorKind::IsADirectory => ("EISDIR", -21, "illegal operation on a directory"),
        std::io::ErrorKind::AlreadyExists => ("EEXIST", -17, "file already exists"),
        std::io::ErrorKind::PermissionDenied => ("EACCES", -13, "permission denied"),
        _ if e.to_string().contains("Not a directory") => ("ENOTDIR", -20, "not a directory"),
        _ if e.to_string().contains("ot empty") => ("ENOTEMPTY", -39, "directory not empty"),
        _ => ("EIO", -5, "i/o error"),
    };
    let message = format!("{code}: {text}, {syscall} '{path}'");
    let err = it.make_error("Error", &message, None);
    if let Value::Obj(o) = &err {
        let mut b = o.borrow_mut();
        b.set("errno", Value::Num(errno as f64));
        b.set("code", Value::str(code));
        b.set("syscall", Value::str(syscall));
        b.set("path", Value::str(path));
    }
    let pos = 0;
    Throw::Value(
        err,
        pos,
        Rc::new(Module {
            file: String::new(),
            src: String::new(),
            eval: false,
        }),
    )
}

fn path_arg(it: &mut Interp, args: &[Value]) -> R<(String, String)> {
    let p = match arg(args, 0) {
        Value::Str(s) => s.to_string(),
        other => {
            let t = inspect(&other);
            return Err(it.error_at_current(
                "TypeError",
                &format!("The \"path\" argument must be of type string or an instance of Buffer or URL. Received {t}"),
            ));
        }
    };
    let cwd = it.cwd.clone();
    Ok((resolve_path(&cwd, &p), p))
}

fn builtin(it: &mut Interp, name: &str) -> R<Value> {
    Ok(match name {
        "fs" | "fs/promises" => fs_module(it, name == "fs/promises"),
        "path" => path_module(it),
        "os" => os_module(it),
        "http" | "https" => super::http::module(it),
        "events" => events_module(it),
        "url" => url_module(it),
        "querystring" => {
            let m = it.obj_value(vec![]);
            set(it, &m, "parse", |it, _, args| {
                let s = it.to_string(&arg(args, 0))?;
                Ok(parse_query(it, &s))
            });
            set(it, &m, "stringify", |it, _, args| {
                let o = arg(args, 0);
                let mut parts = Vec::new();
                for k in it.own_keys(&o) {
                    let v = it.get(&o, &k)?;
                    let v = it.to_string(&v)?;
                    parts.push(format!(
                        "{}={}",
                        super::builtins::percent_encode(&k, true),
                        super::builtins::percent_encode(&v, true)
                    ));
                }
                Ok(Value::Str(parts.join("&").into()))
            });
            m
        }
        "util" => {
            let m = it.obj_value(vec![]);
            set(it, &m, "inspect", |_, _, args| {
                Ok(Value::Str(inspect(&arg(args, 0)).into()))
            });
            set(it, &m, "format", |it, _, args| {
                Ok(Value::Str(super::builtins::format_args(it, args)?.into()))
            });
            set(it, &m, "isDeepStrictEqual", |it, _, args| {
                let a = super::builtins::json_stringify(it, &arg(args, 0), None, "")?;
                let b = super::builtins::json_stringify(it, &arg(args, 1), None, "")?;
                Ok(Value::Bool(a == b))
            });
            m
        }
        "crypto" => crypto_module(it),
        "process" => it.globals_get("process").unwrap_or(Value::Undef),
        other => {
            return Err(Throw::Unsupported(format!(
                "docklab: this lab's node does not support the '{other}' module ({})",
                it.main_file
            )));
        }
    })
}

fn fs_module(it: &mut Interp, promises: bool) -> Value {
    let m = it.obj_value(vec![]);
    set(it, &m, "readFileSync", |it, _, args| {
        let (abs, shown) = path_arg(it, args)?;
        match it.host.read(&abs) {
            Ok(b) => Ok(Value::Str(String::from_utf8_lossy(&b).into_owned().into())),
            Err(e) if it.host.is_dir(&abs) => {
                let _ = e;
                Err(fs_error(
                    it,
                    &std::io::Error::from(std::io::ErrorKind::IsADirectory),
                    "read",
                    &shown,
                ))
            }
            Err(e) => Err(fs_error(it, &e, "open", &shown)),
        }
    });
    for (name, append) in [("writeFileSync", false), ("appendFileSync", true)] {
        set(it, &m, name, move |it, _, args| {
            let (abs, shown) = path_arg(it, args)?;
            let data = it.to_string(&arg(args, 1))?;
            match it.host.write(&abs, data.as_bytes(), append) {
                Ok(()) => Ok(Value::Undef),
                Err(e) => Err(fs_error(it, &e, "open", &shown)),
            }
        });
    }
    set(it, &m, "existsSync", |it, _, args| {
        let Value::Str(p) = arg(args, 0) else {
            return Ok(Value::Bool(false));
        };
        let abs = resolve_path(&it.cwd.clone(), &p);
        Ok(Value::Bool(it.host.is_file(&abs) || it.host.is_dir(&abs)))
    });
    set(it, &m, "readdirSync", |it, _, args| {
        let (abs, shown) = path_arg(it, args)?;
        match it.host.list(&abs) {
            Ok(names) => Ok(it.array(names.iter().map(|n| Value::str(n)).collect())),
            Err(e) => Err(fs_error(it, &e, "scandir", &shown)),
        }
    });
    set(it, &m, "mkdirSync", |it, _, args| {
        let (abs, shown) = path_arg(it, args)?;
        let recursive = it
            .get(&arg(args, 1), "recursive")
            .map(|v| v.truthy())
            .unwrap_or(false);
        if recursive {
            let mut at = String::new();
            for part in abs.split('/').filter(|p| !p.is_empty()) {
                at.push('/');
                at.push_str(part);
                if !it.host.is_dir(&at) {
                    if let Err(e) = it.host.mkdir(&at) {
                        return Err(fs_error(it, &e, "mkdir", &shown));
                    }
                }
            }
            return Ok(Value::Undef);
        }
        if it.host.is_dir(&abs) || it.host.is_file(&abs) {
            return Err(fs_error(
                it,
                &std::io::Error::from(std::io::ErrorKind::AlreadyExists),
                "mkdir",
                &shown,
            ));
        }
        match it.host.mkdir(&abs) {
            Ok(()) => Ok(Value::Undef),
            Err(e) => Err(fs_error(it, &e, "mkdir", &shown)),
        }
    });
    set(it, &m, "unlinkSync", |it, _, args| {
        let (abs, shown) = path_arg(it, args)?;
        match it.host.remove(&abs) {
            Ok(()) => Ok(Value::Undef),
            Err(e) => Err(fs_error(it, &e, "unlink", &shown)),
        }
    });
    set(it, &m, "statSync", |it, _, args| {
        let (abs, shown) = path_arg(it, args)?;
        let is_dir = it.host.is_dir(&abs);
        let is_file = it.host.is_file(&abs);
        if !is_dir && !is_file {
            return Err(fs_error(
                it,
                &std::io::Error::from(std::io::ErrorKind::NotFound),
                "stat",
                &shown,
            ));
        }
        let size = if is_file {
            it.host.read(&abs).map(|b| b.len()).unwrap_or(0)
        } else {
            4096
        };
        let st = it.obj_value(vec![("size", Value::Num(size as f64))]);
        set(it, &st, "isFile", move |_, _, _| Ok(Value::Bool(is_file)));
        set(it, &st, "isDirectory", move |_, _, _| {
            Ok(Value::Bool(is_dir))
        });
        Ok(st)
    });
    // Callback forms: the same work, the callback called after the script's turn.
    for name in [
        "readFile",
        "writeFile",
        "appendFile",
        "readdir",
        "mkdir",
        "unlink",
        "stat",
    ] {
        let sync = format!("{name}Sync");
        set(it, &m, name, move |it, this, args| {
            let f = it.get(this, &sync)?;
            let (cb_index, sync_args) = match args.iter().rposition(|a| a.is_callable()) {
                Some(i) => (Some(i), &args[..i]),
                None => (None, args),
            };
            let outcome = it.call(&f, this, sync_args);
            let (err, value) = match outcome {
                Ok(v) => (Value::Null, v),
                Err(Throw::Value(e, _, _)) => (e, Value::Undef),
                Err(other) => return Err(other),
            };
            if let Some(i) = cb_index {
                it.add_timer(args[i].clone(), 0.0, vec![err, value], false);
            }
            Ok(Value::Undef)
        });
    }
    if promises {
        let p = it.obj_value(vec![]);
        for name in [
            "readFile",
            "writeFile",
            "appendFile",
            "readdir",
            "mkdir",
            "unlink",
            "stat",
        ] {
            let sync = format!("{name}Sync");
            let fsm = m.clone();
            set(it, &p, name, move |it, _, args| {
                let f = it.get(&fsm, &sync)?;
                let result = super::promise::new_promise(it);
                match it.call(&f, &fsm, args) {
                    Ok(v) => super::promise::settle(it, &result, Ok(v)),
                    Err(Throw::Value(e, _, _)) => super::promise::settle(it, &result, Err(e)),
                    Err(other) => return Err(other),
                }
                Ok(result)
            });
        }
        return p;
    }
    m
}

fn path_module(it: &mut Interp) -> Value {
    let m = it.obj_value(vec![
        ("sep", Value::str("/")),
        ("delimiter", Value::str(":")),
    ]);
    set(it, &m, "join", |it, _, args| {
        let mut parts = Vec::new();
        for a in args {
            let s = it.to_string(a)?;
            if !s.is_empty() {
                parts.push(s.to_string());
            }
        }
        if parts.is_empty() {
            return Ok(Value::str("."));
        }
        Ok(Value::Str(normalize(&parts.join("/")).into()))
    });
    set(it, &m, "resolve", |it, _, args| {
        let mut cur = it.cwd.clone();
        for a in args {
            let s = it.to_string(a)?;
            if s.is_empty() {
                continue;
            }
            cur = if s.starts_with('/') {
                s.to_string()
            } else {
                format!("{cur}/{s}")
            };
        }
        let n = normalize(&cur);
        Ok(Value::Str(
            if n.len() > 1 {
                n.trim_end_matches('/').to_string()
            } else {
                n
            }
            .into(),
        ))
    });
    set(it, &m, "normalize", |it, _, args| {
        Ok(Value::Str(normalize(&it.to_string(&arg(args, 0))?).into()))
    });
    set(it, &m, "isAbsolute", |it, _, args| {
        Ok(Value::Bool(it.to_string(&arg(args, 0))?.starts_with('/')))
    });
    set(it, &m, "dirname", |it, _, args| {
        let s = it.to_string(&arg(args, 0))?;
        let t = s.trim_end_matches('/');
        Ok(Value::Str(
            if t.is_empty() && s.starts_with('/') {
                "/".into()
            } else {
                dirname(t)
            }
            .into(),
        ))
    });
    set(it, &m, "basename", |it, _, args| {
        let s = it.to_string(&arg(args, 0))?;
        let t = s.trim_end_matches('/');
        let mut b = t.rsplit('/').next().unwrap_or("").to_string();
        if let Value::Str(ext) = arg(args, 1) {
            if b.ends_with(&*ext) && b.len() > ext.len() {
                b.truncate(b.len() - ext.len());
            }
        }
        Ok(Value::Str(b.into()))
    });
    set(it, &m, "extname", |it, _, args| {
        let s = it.to_string(&arg(args, 0))?;
        let b = s
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or("")
            .to_string();
        Ok(Value::Str(
            match b.rfind('.') {
                Some(i) if i > 0 => b[i..].to_string(),
                _ => String::new(),
            }
            .into(),
        ))
    });
    set(it, &m, "relative", |it, _, args| {
        let cwd = it.cwd.clone();
        let from = resolve_path(&cwd, &it.to_string(&arg(args, 0))?);
        let to = resolve_path(&cwd, &it.to_string(&arg(args, 1))?);
        let f: Vec<&str> = from.split('/').filter(|p| !p.is_empty()).collect();
        let t: Vec<&str> = to.split('/').filter(|p| !p.is_empty()).collect();
        let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
        let mut parts: Vec<&str> = vec![".."; f.len() - common];
        parts.extend(&t[common..]);
        Ok(Value::Str(parts.join("/").into()))
    });
    set(it, &m, "parse", |it, _, args| {
        let s = it.to_string(&arg(args, 0))?;
        let dir = dirname(&s);
        let base = s.rsplit('/').next().unwrap_or("").to_string();
        let ext = match base.rfind('.') {
            Some(i) if i > 0 => base[i..].to_string(),
            _ => String::new(),
        };
        let name = base[..base.len() - ext.len()].to_string();
        let root = if s.starts_with('/') { "/" } else { "" };
        Ok(it.obj_value(vec![
            ("root", Value::str(root)),
            ("dir", Value::str(if s.contains('/') { &dir } else { "" })),
            ("base", Value::str(&base)),
            ("ext", Value::str(&ext)),
            ("name", Value::str(&name)),
        ]))
    });
    let posix = m.clone();
    if let Value::Obj(o) = &m {
        o.borrow_mut().set("posix", posix);
    }
    m
}

fn os_module(it: &mut Interp) -> Value {
    let m = it.obj_value(vec![("EOL", Value::str("\n"))]);
    set(it, &m, "hostname", |it, _, _| {
        let h = it
            .env_vars
            .iter()
            .find(|(k, _)| k == "HOSTNAME")
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| "localhost".into());
        Ok(Value::Str(h.into()))
    });
    set(it, &m, "platform", |_, _, _| Ok(Value::str("linux")));
    set(it, &m, "type", |_, _, _| Ok(Value::str("Linux")));
    set(it, &m, "arch", |_, _, _| Ok(Value::str("x64")));
    set(it, &m, "release", |_, _, _| {
        Ok(Value::str("6.10.14-linuxkit"))
    });
    set(it, &m, "homedir", |_, _, _| Ok(Value::str("/root")));
    set(it, &m, "tmpdir", |_, _, _| Ok(Value::str("/tmp")));
    set(it, &m, "uptime", |_, _, _| Ok(Value::Num(1234.56)));
    set(it, &m, "totalmem", |_, _, _| {
        Ok(Value::Num(8_322_985_984.0))
    });
    set(it, &m, "freemem", |_, _, _| Ok(Value::Num(6_012_461_056.0)));
    set(it, &m, "cpus", |it, _, _| {
        let cpu = it.obj_value(vec![
            ("model", Value::str("Virtual CPU")),
            ("speed", Value::Num(2400.0)),
        ]);
        Ok(it.array(vec![cpu.clone(), cpu]))
    });
    set(it, &m, "userInfo", |it, _, _| {
        Ok(it.obj_value(vec![
            ("uid", Value::Num(0.0)),
            ("gid", Value::Num(0.0)),
            ("username", Value::str("root")),
            ("homedir", Value::str("/root")),
            ("shell", Value::str("/bin/sh")),
        ]))
    });
    set(it, &m, "networkInterfaces", |it, _, _| {
        Ok(it.obj_value(vec![]))
    });
    m
}

/// `require('events')`: EventEmitter, whose methods live on its prototype so classes
/// can extend it.
pub fn events_module(it: &mut Interp) -> Value {
    let ee = it.native_ctor("EventEmitter", |_, this, _| Ok(this.clone()));
    let proto = it.get(&ee, "prototype").unwrap_or(Value::Undef);
    add_emitter_methods(it, &proto);
    if let Value::Obj(o) = &ee {
        o.borrow_mut().set_hidden("EventEmitter", ee.clone());
        o.borrow_mut()
            .set_hidden("defaultMaxListeners", Value::Num(10.0));
    }
    ee
}

fn listeners(it: &mut Interp, this: &Value) -> Value {
    if let Value::Obj(o) = this {
        if let Some(s) = o.borrow().get_own("_events") {
            return s.value.clone();
        }
        let store = Value::Obj(it.object());
        o.borrow_mut().set_hidden("_events", store.clone());
        return store;
    }
    Value::Undef
}

pub fn add_emitter_methods(it: &mut Interp, target: &Value) {
    for (name, once) in [
        ("on", false),
        ("addListener", false),
        ("once", true),
        ("prependListener", false),
    ] {
        let f = it.native(name, move |it, this, args| {
            let store = listeners(it, this);
            let ev = it.to_key(&arg(args, 0))?;
            let list = match it.get(&store, &ev)? {
                v @ Value::Obj(_) => v,
                _ => {
                    let a = it.array(Vec::new());
                    it.put(&store, &ev, a.clone(), 0)?;
                    a
                }
            };
            let entry = it.obj_value(vec![("fn", arg(args, 1)), ("once", Value::Bool(once))]);
            if let Value::Obj(l) = &list {
                if let Class::Array(items) = &mut l.borrow_mut().class {
                    items.push(entry);
                }
            }
            Ok(this.clone())
        });
        if let Value::Obj(o) = target {
            o.borrow_mut().set_hidden(name, f);
        }
    }
    let emit = it.native("emit", emit);
    let off = it.native("off", |it, this, args| {
        let store = listeners(it, this);
        let ev = it.to_key(&arg(args, 0))?;
        let f = arg(args, 1);
        if let Ok(Value::Obj(l)) = it.get(&store, &ev) {
            let mut b = l.borrow_mut();
            if let Class::Array(items) = &mut b.class {
                if let Some(i) = items.iter().position(|e| {
                    matches!(e, Value::Obj(eo) if eo.borrow().get_own("fn").is_some_and(|s| s.value.same(&f)))
                }) {
                    items.remove(i);
                }
            }
        }
        Ok(this.clone())
    });
    let count = it.native("listenerCount", |it, this, args| {
        let store = listeners(it, this);
        let ev = it.to_key(&arg(args, 0))?;
        let l = it.get(&store, &ev)?;
        Ok(match l {
            Value::Obj(_) => it.get(&l, "length")?,
            _ => Value::Num(0.0),
        })
    });
    let remove_all = it.native("removeAllListeners", |it, this, _| {
        if let Value::Obj(o) = this {
            let fresh = Value::Obj(it.object());
            o.borrow_mut().set_hidden("_events", fresh);
        }
        Ok(this.clone())
    });
    let set_max = it.native("setMaxListeners", |_, this, _| Ok(this.clone()));
    if let Value::Obj(o) = target {
        let mut b = o.borrow_mut();
        b.set_hidden("emit", emit);
        b.set_hidden("off", off.clone());
        b.set_hidden("removeListener", off);
        b.set_hidden("listenerCount", count);
        b.set_hidden("removeAllListeners", remove_all);
        b.set_hidden("setMaxListeners", set_max);
    }
}

pub fn emit(it: &mut Interp, this: &Value, args: &[Value]) -> R<Value> {
    let store = listeners(it, this);
    let ev = it.to_key(&arg(args, 0))?;
    let list = it.get(&store, &ev)?;
    let entries = match &list {
        Value::Obj(l) => match &l.borrow().class {
            Class::Array(items) => items.clone(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    if entries.is_empty() && &*ev == "error" {
        let e = arg(args, 1);
        return Err(Throw::Value(
            e,
            0,
            Rc::new(Module {
                file: String::new(),
                src: String::new(),
                eval: false,
            }),
        ));
    }
    for e in &entries {
        let f = it.get(e, "fn")?;
        if it.get(e, "once")?.truthy() {
            if let Value::Obj(l) = &list {
                if let Class::Array(items) = &mut l.borrow_mut().class {
                    items.retain(|x| !x.same(e));
                }
            }
        }
        it.call(&f, this, args.get(1..).unwrap_or(&[]))?;
    }
    Ok(Value::Bool(!entries.is_empty()))
}

/// `a=1&b=two` as an object of strings (a repeated key becomes an array).
pub fn parse_query(it: &Interp, s: &str) -> Value {
    let o = it.object();
    for pair in s.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let dec = |x: &str| {
            super::builtins::percent_decode(&x.replace('+', " ")).unwrap_or_else(|| x.to_string())
        };
        let (k, v) = (dec(k), dec(v));
        let existing = o.borrow().get_own(&k).map(|s| s.value.clone());
        match existing {
            Some(Value::Obj(a)) => {
                if let Class::Array(items) = &mut a.borrow_mut().class {
                    items.push(Value::str(&v));
                }
            }
            Some(prev) => {
                let arr = it.array(vec![prev, Value::str(&v)]);
                o.borrow_mut().set(&k, arr);
            }
            None => o.borrow_mut().set(&k, Value::str(&v)),
        }
    }
    Value::Obj(o)
}

fn url_module(it: &mut Interp) -> Value {
    let m = it.obj_value(vec![]);
    let url_ctor = url_class(it);
    if let Value::Obj(o) = &m {
        o.borrow_mut().set("URL", url_ctor.clone());
    }
    set(it, &m, "parse", |it, _, args| {
        let s = it.to_string(&arg(args, 0))?;
        let parse_q = arg(args, 1).truthy();
        let (before_hash, hash) = match s.split_once('#') {
            Some((a, h)) => (a.to_string(), Value::Str(format!("#{h}").into())),
            None => (s.to_string(), Value::Null),
        };
        let (path, query) = match before_hash.split_once('?') {
            Some((p, q)) => (p.to_string(), Some(q.to_string())),
            None => (before_hash.clone(), None),
        };
        let query_v = match (&query, parse_q) {
            (Some(q), true) => parse_query(it, q),
            (None, true) => parse_query(it, ""),
            (Some(q), false) => Value::str(q),
            (None, false) => Value::Null,
        };
        Ok(it.obj_value(vec![
            ("protocol", Value::Null),
            ("slashes", Value::Null),
            ("auth", Value::Null),
            ("host", Value::Null),
            ("port", Value::Null),
            ("hostname", Value::Null),
            ("hash", hash),
            (
                "search",
                query
                    .as_ref()
                    .map(|q| Value::Str(format!("?{q}").into()))
                    .unwrap_or(Value::Null),
            ),
            ("query", query_v),
            ("pathname", Value::str(&path)),
            ("path", Value::str(&before_hash)),
            ("href", Value::Str(s.clone())),
        ]))
    });
    m
}

/// The WHATWG `URL` class (also a global).
pub fn url_class(it: &mut Interp) -> Value {
    it.native_ctor("URL", |it, this, args| {
        let input = it.to_string(&arg(args, 0))?;
        let base = match arg(args, 1) {
            Value::Undef => None,
            v => Some(it.to_string(&v)?),
        };
        let full = if input.contains("://") {
            input.to_string()
        } else if let Some(b) = &base {
            let b = b.trim_end_matches('/');
            let origin_end = b
                .find("://")
                .map(|i| i + 3 + b[i + 3..].find('/').unwrap_or(b.len() - i - 3))
                .unwrap_or(b.len());
            if input.starts_with('/') {
                format!("{}{input}", &b[..origin_end])
            } else {
                format!("{b}/{input}")
            }
        } else {
            let e = it.make_error("TypeError", "Invalid URL", None);
            if let Value::Obj(o) = &e {
                o.borrow_mut().set("code", Value::str("ERR_INVALID_URL"));
                o.borrow_mut().set("input", Value::Str(input.clone()));
            }
            return Err(Throw::Value(
                e,
                0,
                Rc::new(Module {
                    file: String::new(),
                    src: String::new(),
                    eval: false,
                }),
            ));
        };
        let (scheme, rest) = full.split_once("://").unwrap_or(("http", &full));
        let (hostport, path) = match rest.find(['/', '?', '#']) {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let (path, hash) = match path.split_once('#') {
            Some((p, h)) => (p, format!("#{h}")),
            None => (path, String::new()),
        };
        let (pathname, search) = match path.split_once('?') {
            Some((p, q)) => (if p.is_empty() { "/" } else { p }, format!("?{q}")),
            None => (if path.is_empty() { "/" } else { path }, String::new()),
        };
        let (hostname, port) = match hostport.rsplit_once(':') {
            Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) => (h, p),
            _ => (hostport, ""),
        };
        let protocol = format!("{scheme}:");
        let origin = format!("{protocol}//{hostport}");
        let href = format!("{origin}{pathname}{search}{hash}");
        let params = search_params(it, search.trim_start_matches('?'));
        let o = match this {
            Value::Obj(o) => o.clone(),
            _ => it.object(),
        };
        {
            let mut b = o.borrow_mut();
            for (k, v) in [
                ("href", href.as_str()),
                ("origin", &origin),
                ("protocol", &protocol),
                ("host", hostport),
                ("hostname", hostname),
                ("port", port),
                ("pathname", pathname),
                ("search", &search),
                ("hash", &hash),
            ] {
                b.set(k, Value::str(v));
            }
            b.set("searchParams", params);
        }
        let href_v = Value::Str(href.into());
        let to_string = it.native("toString", move |_, _, _| Ok(href_v.clone()));
        o.borrow_mut().set_hidden("toString", to_string);
        Ok(Value::Obj(o))
    })
}

fn search_params(it: &mut Interp, query: &str) -> Value {
    let mut pairs: Vec<(Value, Value)> = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let dec = |x: &str| {
            super::builtins::percent_decode(&x.replace('+', " ")).unwrap_or_else(|| x.to_string())
        };
        pairs.push((Value::str(&dec(k)), Value::str(&dec(v))));
    }
    let store = Rc::new(std::cell::RefCell::new(pairs));
    let o = it.obj_value(vec![]);
    let s = store.clone();
    set(it, &o, "get", move |it, _, args| {
        let k = it.to_string(&arg(args, 0))?;
        Ok(s.borrow()
            .iter()
            .find(|(x, _)| matches!(x, Value::Str(x) if **x == *k))
            .map(|(_, v)| v.clone())
            .unwrap_or(Value::Null))
    });
    let s = store.clone();
    set(it, &o, "has", move |it, _, args| {
        let k = it.to_string(&arg(args, 0))?;
        Ok(Value::Bool(
            s.borrow()
                .iter()
                .any(|(x, _)| matches!(x, Value::Str(x) if **x == *k)),
        ))
    });
    let s = store.clone();
    set(it, &o, "getAll", move |it, _, args| {
        let k = it.to_string(&arg(args, 0))?;
        let all = s
            .borrow()
            .iter()
            .filter(|(x, _)| matches!(x, Value::Str(x) if **x == *k))
            .map(|(_, v)| v.clone())
            .collect();
        Ok(it.array(all))
    });
    let s = store.clone();
    set(it, &o, "set", move |it, _, args| {
        let k = it.to_string(&arg(args, 0))?;
        let v = it.to_string(&arg(args, 1))?;
        let mut b = s.borrow_mut();
        b.retain(|(x, _)| !matches!(x, Value::Str(x) if **x == *k));
        b.push((Value::Str(k), Value::Str(v)));
        Ok(Value::Undef)
    });
    let s = store.clone();
    set(it, &o, "append", move |it, _, args| {
        let k = it.to_string(&arg(args, 0))?;
        let v = it.to_string(&arg(args, 1))?;
        s.borrow_mut().push((Value::Str(k), Value::Str(v)));
        Ok(Value::Undef)
    });
    let s = store.clone();
    set(it, &o, "forEach", move |it, _, args| {
        let f = arg(args, 0);
        let pairs = s.borrow().clone();
        for (k, v) in pairs {
            it.call(&f, &Value::Undef, &[v, k])?;
        }
        Ok(Value::Undef)
    });
    let s = store;
    set(it, &o, "toString", move |it, _, _| {
        let mut parts = Vec::new();
        for (k, v) in s.borrow().iter() {
            let k = it.to_string(k)?;
            let v = it.to_string(v)?;
            parts.push(format!(
                "{}={}",
                super::builtins::percent_encode(&k, true),
                super::builtins::percent_encode(&v, true)
            ));
        }
        Ok(Value::Str(parts.join("&").into()))
    });
    if let Value::Obj(ob) = &o {
        for s in ob.borrow_mut().props.iter_mut() {
            s.enumerable = false;
        }
    }
    o
}

fn crypto_module(it: &mut Interp) -> Value {
    let m = it.obj_value(vec![]);
    set(it, &m, "randomUUID", |it, _, _| {
        let n = it.now_ms() as u64 ^ it.steps_hint().wrapping_mul(0x9e3779b97f4a7c15);
        let h = format!(
            "{:032x}",
            (n as u128).wrapping_mul(0x2545F4914F6CDD1D_2545F4914F6CDD1D)
        );
        Ok(Value::Str(
            format!(
                "{}-{}-4{}-a{}-{}",
                &h[0..8],
                &h[8..12],
                &h[13..16],
                &h[17..20],
                &h[20..32]
            )
            .into(),
        ))
    });
    set(it, &m, "createHash", |it, _, args| {
        let algo = it.to_string(&arg(args, 0))?.to_string();
        let data = Rc::new(std::cell::RefCell::new(Vec::<u8>::new()));
        let h = it.obj_value(vec![]);
        let d = data.clone();
        let hv = h.clone();
        set(it, &h, "update", move |it, _, args| {
            let s = it.to_string(&arg(args, 0))?;
            d.borrow_mut().extend_from_slice(s.as_bytes());
            Ok(hv.clone())
        });
        set(it, &h, "digest", move |it, _, args| {
            use sha2::Digest;
            let bytes = data.borrow().clone();
            let out: Vec<u8> = match algo.as_str() {
                "sha1" => sha1::Sha1::digest(&bytes).to_vec(),
                "sha512" => sha2::Sha512::digest(&bytes).to_vec(),
                _ => sha2::Sha256::digest(&bytes).to_vec(),
            };
            let enc = it.to_string(&arg(args, 0))?;
            Ok(Value::Str(
                match &*enc {
                    "base64" => {
                        use base64::Engine;
                        base64::engine::general_purpose::STANDARD.encode(&out)
                    }
                    _ => hex::encode(&out),
                }
                .into(),
            ))
        });
        Ok(h)
    });
    m
}

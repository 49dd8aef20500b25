//! The `process` global: env, argv, exit, cwd, version, stdout/stderr writes, nextTick.

use super::interp::{Interp, Throw};
use super::value::*;

fn arg(args: &[Value], i: usize) -> Value {
    args.get(i).cloned().unwrap_or(Value::Undef)
}

pub fn install(it: &mut Interp) {
    let env = it.obj_value(vec![]);
    for (k, v) in it.env_vars.clone() {
        if let Value::Obj(o) = &env {
            o.borrow_mut().set(&k, Value::str(&v));
        }
    }
    let argv: Vec<Value> = it.argv.iter().map(|a| Value::str(a)).collect();
    let argv = it.array(argv);
    let version = it.version.clone();
    let versions = it.obj_value(vec![
        ("node", Value::str(version.trim_start_matches('v'))),
        ("v8", Value::str("12.4.254.21-node.27")),
        ("uv", Value::str("1.51.0")),
        ("modules", Value::str("127")),
    ]);
    let p = it.obj_value(vec![
        ("env", env),
        ("argv", argv),
        ("version", Value::str(&version)),
        ("versions", versions),
        ("platform", Value::str("linux")),
        ("arch", Value::str("x64")),
        ("pid", Value::Num(1.0)),
        ("ppid", Value::Num(0.0)),
        ("exitCode", Value::Undef),
        ("execPath", Value::str("/usr/local/bin/node")),
        ("title", Value::str("node")),
    ]);
    let exit = it.native("exit", |it, this, args| {
        let code = match arg(args, 0) {
            Value::Undef => match it.get(this, "exitCode")? {
                Value::Undef => 0.0,
                v => it.to_number(&v)?,
            },
            v => it.to_number(&v)?,
        };
        Err(Throw::Exit(code as i32))
    });
    let cwd = it.native("cwd", |it, _, _| Ok(Value::str(&it.cwd.clone())));
    let chdir = it.native("chdir", |it, _, args| {
        let d = it.to_string(&arg(args, 0))?;
        it.cwd = super::modules::resolve_path(&it.cwd.clone(), &d);
        Ok(Value::Undef)
    });
    let next_tick = it.native("nextTick", |it, _, args| {
        it.microtasks
            .push((arg(args, 0), args.get(1..).unwrap_or(&[]).to_vec()));
        Ok(Value::Undef)
    });
    let uptime = it.native("uptime", |it, _, _| {
        Ok(Value::Num(0.05 + it.clock_offset / 1000.0))
    });
    let hrtime = it.native("hrtime", |it, _, _| {
        let ms = it.clock_offset;
        Ok(it.array(vec![
            Value::Num((ms / 1000.0).floor()),
            Value::Num((ms % 1000.0) * 1e6),
        ]))
    });
    let memory = it.native("memoryUsage", |it, _, _| {
        Ok(it.obj_value(vec![
            ("rss", Value::Num(45_350_912.0)),
            ("heapTotal", Value::Num(6_438_912.0)),
            ("heapUsed", Value::Num(5_722_416.0)),
            ("external", Value::Num(2_293_504.0)),
            ("arrayBuffers", Value::Num(10_515.0)),
        ]))
    });
    let on = it.native("on", |_, this, _| Ok(this.clone()));
    let stdout = it.obj_value(vec![("isTTY", Value::Bool(false))]);
    let stderr = it.obj_value(vec![("isTTY", Value::Bool(false))]);
    for (stream, s) in [(1u8, &stdout), (2u8, &stderr)] {
        let w = it.native("write", move |it, _, args| {
            let text = it.to_string(&arg(args, 0))?;
            it.print(stream, text.to_string());
            Ok(Value::Bool(true))
        });
        if let Value::Obj(o) = s {
            o.borrow_mut().set("write", w);
        }
    }
    if let Value::Obj(o) = &p {
        let mut b = o.borrow_mut();
        b.set("exit", exit);
        b.set("cwd", cwd);
        b.set("chdir", chdir);
        b.set("nextTick", next_tick);
        b.set("uptime", uptime);
        b.set("hrtime", hrtime);
        b.set("memoryUsage", memory);
        b.set("on", on.clone());
        b.set("once", on);
        b.set("stdout", stdout);
        b.set("stderr", stderr);
    }
    it.globals.declare("process", p, true);
    let url = super::modules::url_class(it);
    it.globals.declare("URL", url, true);
}

pub fn set_env(it: &mut Interp, key: &str, value: &str) {
    if let Some(p) = it.globals_get("process") {
        if let Ok(env @ Value::Obj(_)) = it.get(&p, "env") {
            let _ = it.put(&env, key, Value::str(value), 0);
        }
    }
}

//! Node.js, npm and npx, as the node images carry them.
//!
//! # Layout
//! - `lexer`, `parser`, `ast`: JavaScript source to a syntax tree (the CommonJS subset
//!   tutorials use; valid JavaScript beyond it is refused by name, with its location).
//!   An async function runs its body to the end when called, each `await` settling in
//!   place (running microtasks and timers until its promise settles), so code after
//!   the call runs later than in node; the values are node's.
//! - `interp`, `value`, `builtins`, `promise`, `process`: the evaluator, values and
//!   `util.inspect`, the global objects.
//! - `modules`: `require` and the built-in modules; `http`: servers and their requests;
//!   `express`: Express 4 simulated natively once npm installed it.
//! - `errors`: what node prints when a script dies.
//! - `npm`: npm 10 against the lab's registry index (`registry.json`).
//!
//! A script that starts a server on all addresses tells the host the port
//! (`Host::listen(port, "node:SCRIPT")`) and waits; when the port is published the
//! engine asks [`service`], which runs the script's top level again in a fresh
//! interpreter on a thread of its own and answers each request with its handler.

// The evaluator's `to_string`/`to_number` are JavaScript's abstract operations, named
// as the specification names them.
#![allow(
    clippy::wrong_self_convention,
    clippy::collapsible_if,
    clippy::type_complexity
)]

mod ast;
mod builtins;
mod errors;
mod express;
mod http;
mod interp;
mod lexer;
mod modules;
mod npm;
mod parser;
mod process;
mod promise;
mod value;

use super::{Ctx, Streams};
use crate::engine::net::app::{App, AppReply, AppRequest, ContainerView};
use interp::{Interp, Module, NodeHost, Throw};
use std::io::Write;
use std::rc::Rc;
use std::sync::{Mutex, mpsc};
use std::time::Duration;
use value::Value;

/// How long a server waits: until the container is stopped.
const FOREVER: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

pub const DEFAULT_VERSION: &str = "v22.17.0";

fn version_of(var: Option<&str>) -> String {
    match var {
        Some(v) if !v.is_empty() => format!("v{}", v.trim_start_matches('v')),
        _ => DEFAULT_VERSION.into(),
    }
}

/// The container's filesystem and clock, as a script run by `node` sees them.
struct CtxHost<'a, 'b> {
    ctx: &'a mut Ctx<'b>,
}

impl NodeHost for CtxHost<'_, '_> {
    fn read(&self, path: &str) -> std::io::Result<Vec<u8>> {
        self.ctx.fs.read(path)
    }
    fn write(&mut self, path: &str, data: &[u8], append: bool) -> std::io::Result<()> {
        self.ctx.fs.write(path, data, append)
    }
    fn is_dir(&self, path: &str) -> bool {
        self.ctx.fs.metadata(path).is_ok_and(|m| m.is_dir())
    }
    fn is_file(&self, path: &str) -> bool {
        self.ctx.fs.metadata(path).is_ok_and(|m| m.is_file())
    }
    fn list(&self, path: &str) -> std::io::Result<Vec<String>> {
        Ok(self
            .ctx
            .fs
            .read_dir(path)?
            .into_iter()
            .map(|e| e.name)
            .collect())
    }
    fn mkdir(&mut self, path: &str) -> std::io::Result<()> {
        self.ctx.fs.create_dir(path)
    }
    fn remove(&mut self, path: &str) -> std::io::Result<()> {
        self.ctx.fs.remove_file(path)
    }
    fn now_ms(&self) -> f64 {
        self.ctx.host.now().timestamp_millis() as f64
    }
    fn mtime_ms(&self, path: &str) -> Option<i64> {
        self.ctx.fs.metadata(path).ok().map(|m| m.mtime * 1000)
    }
    fn stopped(&self) -> bool {
        self.ctx
            .interrupt
            .load(std::sync::atomic::Ordering::Relaxed)
    }
    fn listen(&mut self, port: u16, script: &str) {
        self.ctx.host.listen(port, &format!("node:{script}"));
    }
    fn sleep(&mut self, d: Duration) {
        self.ctx.host.sleep(d);
    }
}

fn flush(it: &mut Interp, io: &mut Streams<'_>) {
    for (stream, text) in std::mem::take(&mut it.out) {
        let w: &mut dyn Write = if stream == 1 {
            &mut *io.stdout
        } else {
            &mut *io.stderr
        };
        let _ = w.write_all(text.as_bytes());
    }
}

/// What `node` was asked to do.
enum Run {
    Version,
    Help,
    Eval { code: String, print: bool },
    Script { file: String, args: Vec<String> },
    Check(String),
    Stdin,
}

fn parse_args(argv: &[String]) -> Result<Run, String> {
    let mut i = 1;
    while i < argv.len() {
        let a = argv[i].as_str();
        match a {
            "-v" | "--version" => return Ok(Run::Version),
            "-h" | "--help" => return Ok(Run::Help),
            "-e" | "--eval" | "-p" | "--print" | "-pe" => {
                let Some(code) = argv.get(i + 1) else {
                    return Err(format!("{}: {a} requires an argument", argv[0]));
                };
                return Ok(Run::Eval {
                    code: code.clone(),
                    print: a.starts_with("-p") || a == "--print",
                });
            }
            "-c" | "--check" => {
                return match argv.get(i + 1) {
                    Some(f) => Ok(Run::Check(f.clone())),
                    None => Ok(Run::Stdin),
                };
            }
            "-" => return Ok(Run::Stdin),
            "-r" | "--require" | "--env-file" | "--max-old-space-size" => i += 2,
            _ if a.starts_with('-') => i += 1,
            _ => {
                return Ok(Run::Script {
                    file: a.to_string(),
                    args: argv[i + 1..].to_vec(),
                });
            }
        }
    }
    Ok(Run::Stdin)
}

pub fn node(ctx: &mut Ctx<'_>, argv: &[String], mut io: Streams<'_>) -> i32 {
    let version = version_of(ctx.var("NODE_VERSION"));
    let run = match parse_args(argv) {
        Ok(r) => r,
        Err(e) => {
            let _ = writeln!(io.stderr, "{e}");
            return 9;
        }
    };
    match run {
        Run::Version => {
            let _ = writeln!(io.stdout, "{version}");
            0
        }
        Run::Help => {
            let _ = writeln!(
                io.stdout,
                "Usage: node [options] [ script.js ] [arguments]\n       node inspect [options] [ script.js | host:port ] [arguments]\n\nOptions:\n  -                           script read from stdin (default if no file name is provided, interactive mode if a tty)\n  -c, --check                 syntax check script without executing\n  -e, --eval=...              evaluate script\n  -h, --help                  print node command line options (currently set)\n  -p, --print [...]           evaluate script and print result\n  -v, --version               print Node.js version\n\nDocumentation can be found at https://nodejs.org/"
            );
            0
        }
        Run::Check(file) => {
            let path = ctx.abs(&file);
            match ctx.fs.read(&path) {
                Ok(bytes) => {
                    let src = String::from_utf8_lossy(&bytes).into_owned();
                    match parser::parse_program(&src) {
                        Ok(_) => 0,
                        Err(e) => {
                            let _ = io.stderr.write_all(
                                errors::syntax_report(&path, &src, &e, &version, false).as_bytes(),
                            );
                            1
                        }
                    }
                }
                Err(_) => missing_main(&path, &version, &mut io),
            }
        }
        Run::Eval { code, print } => {
            let module = Module {
                file: "[eval]".into(),
                src: code,
                eval: true,
            };
            let args = Vec::new();
            run_program(ctx, module, args, print, &version, &mut io)
        }
        Run::Stdin => {
            if io.stdin.is_empty() {
                // No script and nothing piped: the REPL would start; with no input it
                // ends at once, as node does when stdin closes.
                let _ = writeln!(
                    io.stdout,
                    "Welcome to Node.js {version}.\nType \".help\" for more information."
                );
                return 0;
            }
            let module = Module {
                file: "[stdin]".into(),
                src: String::from_utf8_lossy(io.stdin).into_owned(),
                eval: true,
            };
            run_program(ctx, module, Vec::new(), false, &version, &mut io)
        }
        Run::Script { file, args } => {
            let path = ctx.abs(&file);
            let path = if ctx.fs.metadata(&path).is_ok_and(|m| m.is_file()) {
                path
            } else if ctx
                .fs
                .metadata(&format!("{path}.js"))
                .is_ok_and(|m| m.is_file())
            {
                format!("{path}.js")
            } else if ctx
                .fs
                .metadata(&format!("{path}/index.js"))
                .is_ok_and(|m| m.is_file())
            {
                format!("{path}/index.js")
            } else {
                return missing_main(&path, &version, &mut io);
            };
            let src = match ctx.fs.read(&path) {
                Ok(b) => String::from_utf8_lossy(&b).into_owned(),
                Err(_) => return missing_main(&path, &version, &mut io),
            };
            let module = Module {
                file: path,
                src,
                eval: false,
            };
            run_program(ctx, module, args, false, &version, &mut io)
        }
    }
}

fn missing_main(path: &str, version: &str, io: &mut Streams<'_>) -> i32 {
    let frames: Vec<&str> = errors::RESOLVE_FRAMES
        .iter()
        .copied()
        .chain([
            "Function.executeUserEntryPoint [as runMain] (node:internal/modules/run_main:171:5)",
            "node:internal/main/run_main_module:36:49",
        ])
        .collect();
    let mut out = format!(
        "{}\nError: Cannot find module '{path}'",
        errors::RESOLVE_THROW
    );
    for (i, f) in frames.iter().enumerate() {
        out.push_str("\n    at ");
        out.push_str(f);
        if i == frames.len() - 1 {
            out.push_str(" {");
        }
    }
    out.push_str(&format!(
        "\n  code: 'MODULE_NOT_FOUND',\n  requireStack: []\n}}\n\nNode.js {version}\n"
    ));
    let _ = io.stderr.write_all(out.as_bytes());
    1
}

/// How the listen registration names this run, so the service can run it again.
fn service_arg(module: &Module, args: &[String]) -> String {
    if !module.eval && args.is_empty() {
        return module.file.clone();
    }
    serde_json::json!({
        "script": if module.eval { serde_json::Value::Null } else { module.file.clone().into() },
        "eval": if module.eval { module.src.clone().into() } else { serde_json::Value::Null },
        "args": args,
    })
    .to_string()
}

fn setup(
    it: &mut Interp,
    env: Vec<(String, String)>,
    cwd: &str,
    argv: Vec<String>,
    version: &str,
    main: &str,
) {
    it.env_vars = env;
    it.cwd = cwd.to_string();
    it.argv = argv;
    it.version = version.to_string();
    it.main_file = main.to_string();
    process::install(it);
}

fn run_program(
    ctx: &mut Ctx<'_>,
    module: Module,
    args: Vec<String>,
    print: bool,
    version: &str,
    io: &mut Streams<'_>,
) -> i32 {
    let env = ctx.env.clone();
    let cwd = ctx.cwd.clone();
    execute(
        Box::new(CtxHost { ctx }),
        module,
        args,
        print,
        version,
        env,
        &cwd,
        io,
    )
}

/// Parses and runs a module (or `-e` code) on `host`, then its timers and servers.
#[allow(clippy::too_many_arguments)]
fn execute(
    host: Box<dyn NodeHost + '_>,
    module: Module,
    args: Vec<String>,
    print: bool,
    version: &str,
    env: Vec<(String, String)>,
    cwd: &str,
    io: &mut Streams<'_>,
) -> i32 {
    let body = match parser::parse_program(&module.src) {
        Ok(b) => b,
        Err(e) => {
            let _ = io.stderr.write_all(
                errors::syntax_report(&module.file, &module.src, &e, version, module.eval)
                    .as_bytes(),
            );
            return 1;
        }
    };
    let mut argv = vec!["/usr/local/bin/node".to_string()];
    if !module.eval {
        argv.push(module.file.clone());
    }
    argv.extend(args.iter().cloned());
    let registration = service_arg(&module, &args);
    let module = Rc::new(module);
    let mut it = Interp::new(host);
    setup(&mut it, env, cwd, argv, version, &registration);
    let result = if module.eval {
        it.run_eval(module.clone(), &body).map(|v| {
            if print {
                let text = match &v {
                    Value::Str(s) => s.to_string(),
                    other => value::inspect(other),
                };
                it.print(1, format!("{text}\n"));
            }
        })
    } else {
        it.run_module(module.clone(), &body).map(|_| ())
    };
    flush(&mut it, io);
    let status = match result {
        Ok(()) => event_loop(&mut it, io),
        Err(t) => report(&mut it, t, version, io),
    };
    flush(&mut it, io);
    status
}

/// After the top level: timers in order of their due time, sleeping the host's clock
/// between them; then, with a server listening, waiting until the container stops.
fn event_loop(it: &mut Interp, io: &mut Streams<'_>) -> i32 {
    loop {
        match it.run_next_timer(None) {
            Ok(Some(waited)) => {
                flush(it, io);
                // Waits of a millisecond or less (setTimeout 0, a listen callback)
                // pass without the host's clock: they are not time a script waits.
                if waited > 1.0 {
                    it.host.sleep(Duration::from_millis(waited as u64));
                }
                if it.host.stopped() || crate::engine::budget::exceeded() {
                    return 130;
                }
            }
            Ok(None) => break,
            Err(t) => {
                flush(it, io);
                return report(it, t, &it.version.clone(), io);
            }
        }
    }
    flush(it, io);
    if it.servers.iter().any(|s| s.all_addresses) || !it.servers.is_empty() {
        it.host.sleep(FOREVER);
        return 0;
    }
    it.exit_code.unwrap_or(0)
}

/// The text node prints for an uncaught exception, or the exit status asked for.
fn uncaught_text(it: &mut Interp, v: &Value, pos: usize, module: &Module, version: &str) -> String {
    let is_error = matches!(v, Value::Obj(o) if matches!(o.borrow().class, value::Class::Error));
    let head = match v {
        Value::Obj(o) => o.borrow().get_own("\u{0}head").map(|s| match &s.value {
            Value::Str(h) => h.to_string(),
            _ => String::new(),
        }),
        _ => None,
    };
    let head = head.unwrap_or_else(|| {
        if module.src.is_empty() {
            String::new()
        } else {
            errors::source_head(&module.file, &module.src, pos, 1)
        }
    });
    if is_error {
        let text = value::inspect(v);
        format!("{head}\n{text}\n\nNode.js {version}\n")
    } else {
        let text = match v {
            Value::Str(s) => s.to_string(),
            other => value::inspect(other),
        };
        let _ = it;
        format!(
            "\n{head}{text}\n(Use `node --trace-uncaught ...` to show where the exception was thrown)\n\nNode.js {version}\n"
        )
    }
}

fn report(it: &mut Interp, t: Throw, version: &str, io: &mut Streams<'_>) -> i32 {
    match t {
        Throw::Exit(code) => code,
        Throw::Stop => 130,
        Throw::Unsupported(msg) => {
            let _ = writeln!(io.stderr, "{msg}");
            1
        }
        Throw::Value(v, pos, module) => {
            let text = uncaught_text(it, &v, pos, &module, version);
            let _ = io.stderr.write_all(text.as_bytes());
            1
        }
    }
}

pub fn npm(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    npm::npm(ctx, argv, io)
}

pub fn npx(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    npm::npx(ctx, argv, io)
}

// ----- the service behind a published port -----

/// The container's live files for a service's interpreter; what the script writes
/// while serving stays in memory.
struct ViewHost {
    view: ContainerView,
    written: Vec<(String, Vec<u8>)>,
    deadline: Option<std::time::Instant>,
}

impl NodeHost for ViewHost {
    fn read(&self, path: &str) -> std::io::Result<Vec<u8>> {
        if let Some((_, d)) = self.written.iter().rev().find(|(p, _)| p == path) {
            return Ok(d.clone());
        }
        self.view.fs.read(path)
    }
    fn write(&mut self, path: &str, data: &[u8], append: bool) -> std::io::Result<()> {
        let mut bytes = if append {
            self.read(path).unwrap_or_default()
        } else {
            Vec::new()
        };
        bytes.extend_from_slice(data);
        self.written.retain(|(p, _)| p != path);
        self.written.push((path.to_string(), bytes));
        Ok(())
    }
    fn is_dir(&self, path: &str) -> bool {
        self.view.fs.metadata(path).is_ok_and(|m| m.is_dir())
    }
    fn is_file(&self, path: &str) -> bool {
        self.written.iter().any(|(p, _)| p == path)
            || self.view.fs.metadata(path).is_ok_and(|m| m.is_file())
    }
    fn list(&self, path: &str) -> std::io::Result<Vec<String>> {
        Ok(self
            .view
            .fs
            .read_dir(path)?
            .into_iter()
            .map(|e| e.name)
            .collect())
    }
    fn mkdir(&mut self, _path: &str) -> std::io::Result<()> {
        Ok(())
    }
    fn remove(&mut self, path: &str) -> std::io::Result<()> {
        self.written.retain(|(p, _)| p != path);
        Ok(())
    }
    fn now_ms(&self) -> f64 {
        self.view.clock.now().timestamp_millis() as f64
    }
    fn mtime_ms(&self, path: &str) -> Option<i64> {
        self.view.fs.metadata(path).ok().map(|m| m.mtime * 1000)
    }
    fn stopped(&self) -> bool {
        self.deadline.is_some_and(|d| std::time::Instant::now() > d)
    }
    fn listen(&mut self, _port: u16, _script: &str) {}
    fn sleep(&mut self, _d: Duration) {}
    fn as_view_host(&mut self) -> Option<&mut ViewHost> {
        Some(self)
    }
}

type Job = (AppRequest, mpsc::Sender<AppReply>);

struct NodeApp {
    jobs: Mutex<mpsc::Sender<Job>>,
}

impl App for NodeApp {
    fn respond(&self, request: &AppRequest) -> AppReply {
        let (tx, rx) = mpsc::channel();
        let sent = self
            .jobs
            .lock()
            .map(|jobs| jobs.send((request.clone(), tx)).is_ok())
            .unwrap_or(false);
        if !sent {
            return AppReply::new(502, &[], "");
        }
        rx.recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| AppReply::new(504, &[], ""))
    }
}

/// The service behind a port this program listens on (`Host::listen(port, "KIND:ARG")`).
pub fn service(_kind: &str, arg: &str, view: ContainerView) -> Option<crate::engine::net::Service> {
    let (script, eval, args) = if arg.starts_with('{') {
        let v: serde_json::Value = serde_json::from_str(arg).ok()?;
        (
            v["script"].as_str().map(str::to_string),
            v["eval"].as_str().map(str::to_string),
            v["args"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
        )
    } else {
        (Some(arg.to_string()), None, Vec::new())
    };
    let module = match (&script, eval) {
        (_, Some(code)) => Module {
            file: "[eval]".into(),
            src: code,
            eval: true,
        },
        (Some(path), None) => Module {
            file: path.clone(),
            src: String::from_utf8_lossy(&view.fs.read(path).ok()?).into_owned(),
            eval: false,
        },
        (None, None) => return None,
    };
    let (tx, rx) = mpsc::channel::<Job>();
    let registration = arg.to_string();
    std::thread::Builder::new()
        .name("node-service".into())
        .spawn(move || serve_thread(view, module, args, registration, rx))
        .ok()?;
    Some(crate::engine::net::app::service(std::sync::Arc::new(
        NodeApp {
            jobs: Mutex::new(tx),
        },
    )))
}

fn serve_thread(
    view: ContainerView,
    module: Module,
    args: Vec<String>,
    registration: String,
    rx: mpsc::Receiver<Job>,
) {
    let env: Vec<(String, String)> = view
        .env
        .iter()
        .filter_map(|e| {
            e.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
        })
        .collect();
    let version = version_of(view.var("NODE_VERSION"));
    let cwd = view.cwd.clone();
    let hostname = view.hostname.clone();
    let mut env = env;
    if !env.iter().any(|(k, _)| k == "HOSTNAME") {
        env.push(("HOSTNAME".into(), hostname));
    }
    let mut argv = vec!["/usr/local/bin/node".to_string()];
    if !module.eval {
        argv.push(module.file.clone());
    }
    argv.extend(args);
    let Ok(body) = parser::parse_program(&module.src) else {
        return;
    };
    let module = Rc::new(module);
    let host = ViewHost {
        view,
        written: Vec::new(),
        deadline: Some(std::time::Instant::now() + Duration::from_secs(5)),
    };
    let mut it = Interp::new(Box::new(host));
    setup(&mut it, env, &cwd, argv, &version, &registration);
    it.serving = true;
    let started = if module.eval {
        it.run_eval(module.clone(), &body).is_ok()
    } else {
        it.run_module(module.clone(), &body).is_ok()
    };
    // Start-up output was printed by the first run; this one is silent.
    let _ = it.run_microtasks();
    it.out.clear();
    let handler = it
        .servers
        .iter()
        .find(|s| s.all_addresses)
        .map(|s| s.handler.clone());
    while let Ok((request, reply)) = rx.recv() {
        let answer = match (&handler, started) {
            (Some(h), true) => {
                let date = now_http_date(&*it.host);
                it.set_deadline(Duration::from_secs(5));
                let client = "172.17.0.1";
                match http::answer(&mut it, h, &request, client, &date) {
                    Ok(r) => r,
                    Err(t) => {
                        let text = match t {
                            Throw::Value(v, pos, m) => {
                                uncaught_text(&mut it, &v, pos, &m, &version)
                            }
                            Throw::Unsupported(msg) => format!("{msg}\n"),
                            _ => String::new(),
                        };
                        it.print(2, text);
                        AppReply::new(500, &[], "")
                    }
                }
            }
            _ => AppReply::new(502, &[], ""),
        };
        for (stream, text) in std::mem::take(&mut it.out) {
            it.log(stream, text);
        }
        let _ = reply.send(answer);
    }
}

fn now_http_date(host: &dyn NodeHost) -> String {
    chrono::DateTime::from_timestamp_millis(host.now_ms() as i64)
        .map(|d| d.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
        .unwrap_or_default()
}

impl Interp<'_> {
    fn set_deadline(&mut self, d: Duration) {
        if let Some(h) = self.host.as_view_host() {
            h.deadline = Some(std::time::Instant::now() + d);
        }
    }
    fn log(&mut self, stream: u8, text: String) {
        if let Some(h) = self.host.as_view_host() {
            h.view.log(stream, text);
        }
    }
}

#[cfg(test)]
mod tests;

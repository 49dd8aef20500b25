//! Python 3.12 and pip, as the python images (and Alpine's and Ubuntu's python3
//! packages) carry them: a tree-walking interpreter for the part of Python that
//! Docker tutorials' apps use, pip over a built-in package index, Flask's development
//! server and `python -m http.server`, each serving a published port.
//!
//! Layout: `lexer` → `parser` (→ `ast`) → `interp` (with `ops` and `value`);
//! `builtins` and `modules` are the library; `flask`, `http_server` and `pip` are the
//! programs and packages students run; `service` answers a published port's requests.
//!
//! Honest about its limits: valid Python outside the subset (generators, async,
//! match, most of the standard library) stops with a `docklab:` message naming the
//! construct, never with a wrong result. Integers are 64-bit; beyond that is refused.

mod ast;
mod builtins;
mod flask;
mod http_server;
mod interp;
mod lexer;
mod modules;
mod ops;
mod parser;
mod pip;
mod service;
mod value;

#[cfg(test)]
mod tests;

use super::{Ctx, Streams};
use crate::engine::shell::vfs;
use interp::{Exc, Flow, Interp, Mode};
use std::cell::RefCell;
use std::collections::HashMap;
use std::io::Write;
use std::rc::Rc;
use value::{Map, Value};

pub use modules::VERSION;

const USAGE: &str = "usage: python3 [option] ... [-c cmd | -m mod | file | -] [arg] ...\nTry `python -h' for more information.";

/// Where the interpreter's tree is: `/usr/local` for the python images' build,
/// `/usr` for a distribution's package.
fn prefix_of(ctx: &Ctx<'_>, argv0: &str) -> String {
    let path = if argv0.contains('/') {
        argv0.to_string()
    } else {
        ctx.resolver.path_of(
            argv0,
            &*ctx.fs,
            ctx.var("PATH").unwrap_or("/usr/local/bin:/usr/bin:/bin"),
        )
    };
    if path.starts_with("/usr/local/") || ctx.fs.exists("/usr/local/bin/python3.12") {
        "/usr/local".into()
    } else {
        "/usr".into()
    }
}

pub struct Setup<'a> {
    pub fs: &'a mut dyn crate::engine::shell::Vfs,
    pub host: &'a mut dyn crate::engine::shell::Host,
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
    pub stdin: Vec<u8>,
    pub env: Vec<(String, String)>,
    pub cwd: String,
    pub interrupt: std::sync::Arc<std::sync::atomic::AtomicBool>,
    pub prefix: String,
    pub hostname: String,
    pub ip: String,
    pub mode: Mode,
}

pub fn new_interp(s: Setup<'_>) -> Interp<'_> {
    let classes = builtins::exception_classes();
    let builtins = builtins::builtins_map(&classes);
    let seed = s.host.now().timestamp_nanos_opt().unwrap_or(1) as u64 | 1;
    Interp {
        fs: s.fs,
        host: s.host,
        out: s.out,
        err: s.err,
        stdin: s.stdin,
        stdin_pos: 0,
        env: s.env,
        cwd: s.cwd,
        argv: Vec::new(),
        interrupt: s.interrupt,
        modules: HashMap::new(),
        builtins,
        sources: HashMap::new(),
        frames: Vec::new(),
        mode: s.mode,
        prefix: s.prefix,
        path0: "/".into(),
        handling: Vec::new(),
        rng: seed,
        ticks: 0,
        hostname: s.hostname,
        ip: s.ip,
        classes,
    }
}

/// The container's address as its own programs see it (eth0 in /etc/hosts).
fn own_ip(ctx: &Ctx<'_>) -> String {
    let hostname = ctx.var("HOSTNAME").unwrap_or("").to_string();
    if let Ok(hosts) = ctx.fs.read("/etc/hosts") {
        let text = String::from_utf8_lossy(&hosts);
        for line in text.lines() {
            let mut parts = line.split_whitespace();
            if let Some(ip) = parts.next()
                && !hostname.is_empty()
                && parts.any(|n| n == hostname)
            {
                return ip.to_string();
            }
        }
    }
    "172.17.0.2".into()
}

fn program_setup<'a>(ctx: &'a mut Ctx<'_>, io: &'a mut Streams<'_>, prefix: String) -> Interp<'a> {
    let hostname = ctx.var("HOSTNAME").unwrap_or("localhost").to_string();
    let ip = own_ip(ctx);
    new_interp(Setup {
        stdin: io.stdin.to_vec(),
        env: ctx.env.clone(),
        cwd: ctx.cwd.clone(),
        interrupt: ctx.interrupt.clone(),
        prefix,
        hostname,
        ip,
        mode: Mode::Program,
        fs: &mut *ctx.fs,
        host: &mut *ctx.host,
        out: &mut *io.stdout,
        err: &mut *io.stderr,
    })
}

/// What a parse error prints, as CPython's compiler reports it.
pub fn syntax_error_text(e: &ast::SyntaxErr, file: &str, src: &str) -> String {
    if e.kind == "docklab" {
        return format!(
            "docklab: this lab's python does not support {} (line {} of {file})\n",
            e.msg, e.line
        );
    }
    let mut s = format!("  File \"{file}\", line {}\n", e.line);
    if let Some(line) = src.lines().nth(e.line.wrapping_sub(1)) {
        let chars: Vec<char> = line.chars().collect();
        let indent = chars.iter().take_while(|c| c.is_whitespace()).count();
        let stripped: String = chars[indent..].iter().collect();
        let stripped = stripped.trim_end();
        s.push_str(&format!("    {stripped}\n"));
        let col = e.col.saturating_sub(indent);
        let width = e.end_col.saturating_sub(e.col).max(1);
        s.push_str(&format!("    {}{}\n", " ".repeat(col), "^".repeat(width)));
    }
    s.push_str(&format!("{}: {}\n", e.kind, e.msg));
    s
}

/// Runs `src` as the main module; returns the exit status.
pub fn run_main(i: &mut Interp<'_>, src: &str, file: &str) -> i32 {
    let body = match parser::parse(src) {
        Ok(b) => b,
        Err(e) => {
            let _ = i.err.write_all(syntax_error_text(&e, file, src).as_bytes());
            return 1;
        }
    };
    // CPython shows no source line for code that has no file (-c, stdin).
    if !file.starts_with('<') {
        i.sources.insert(
            file.to_string(),
            Rc::new(src.lines().map(String::from).collect()),
        );
    }
    let globals: Map = Rc::new(RefCell::new(HashMap::new()));
    {
        let mut g = globals.borrow_mut();
        g.insert("__name__".into(), Value::str("__main__"));
        if !file.starts_with('<') {
            g.insert("__file__".into(), Value::str(file));
        }
        g.insert("__doc__".into(), Value::None);
    }
    let main = Value::Module(Rc::new(value::Module {
        name: "__main__".into(),
        dict: globals.clone(),
        opaque: false,
    }));
    i.modules.insert("__main__".into(), main);
    let r = i.run_module(&body, globals, Rc::from(file));
    finish(i, r)
}

/// The exit status for how the program ended, printing what CPython prints.
pub fn finish(i: &mut Interp<'_>, r: interp::R<()>) -> i32 {
    let _ = i.out.flush();
    match r {
        Ok(()) => 0,
        Err(Flow::Raise(e)) => exit_for(i, &e),
        Err(Flow::Limit(msg)) => {
            let at = i
                .frames
                .last()
                .map(|f| format!(" (in {})", f.file))
                .unwrap_or_default();
            let _ = writeln!(i.err, "docklab: {msg}{at}");
            1
        }
        Err(Flow::Stop) => {
            if i.interrupt.load(std::sync::atomic::Ordering::Relaxed) {
                let _ = writeln!(
                    i.err,
                    "Traceback (most recent call last):\nKeyboardInterrupt"
                );
            }
            130
        }
        Err(_) => 0,
    }
}

fn exit_for(i: &mut Interp<'_>, e: &Exc) -> i32 {
    if i.exc_class_name(&e.value) == "SystemExit" {
        let code = i.getattr(&e.value, "code").unwrap_or(Value::None);
        return match code {
            Value::None => 0,
            Value::Int(n) => n as i32 & 0xff,
            Value::Bool(b) => b as i32,
            other => {
                let s = i.str_of(&other).unwrap_or_default();
                let _ = writeln!(i.err, "{s}");
                1
            }
        };
    }
    i.print_exception(e);
    1
}

pub fn python(ctx: &mut Ctx<'_>, argv: &[String], mut io: Streams<'_>) -> i32 {
    let name = vfs::file_name(&argv[0]).to_string();
    if name == "flask" || name == "gunicorn" {
        return console_script(ctx, &name, &argv[0], &argv[1..], io);
    }
    let prefix = prefix_of(ctx, &argv[0]);
    let mut args = argv[1..].iter();
    let mut command: Option<String> = None;
    let mut module: Option<String> = None;
    let mut rest: Vec<String> = Vec::new();
    let mut interactive = false;
    while let Some(a) = args.next() {
        match a.as_str() {
            "-V" | "--version" => {
                let _ = writeln!(io.stdout, "Python {VERSION}");
                return 0;
            }
            "-h" | "--help" | "-?" => {
                let _ = writeln!(
                    io.stdout,
                    "usage: {} [option] ... [-c cmd | -m mod | file | -] [arg] ...\nOptions (and corresponding environment variables):\n-c cmd : program passed in as string (terminates option list)\n-m mod : run library module as a script (terminates option list)\n-u     : force the stdout and stderr streams to be unbuffered\n-V     : print the Python version number and exit (also --version)",
                    argv[0]
                );
                return 0;
            }
            "-c" => {
                let Some(code) = args.next() else {
                    let _ = writeln!(io.stderr, "Argument expected for the -c option\n{USAGE}");
                    return 2;
                };
                command = Some(code.clone());
                rest = args.cloned().collect();
                break;
            }
            "-m" => {
                let Some(m) = args.next() else {
                    let _ = writeln!(io.stderr, "Argument expected for the -m option\n{USAGE}");
                    return 2;
                };
                module = Some(m.clone());
                rest = args.cloned().collect();
                break;
            }
            "-u" | "-B" | "-E" | "-s" | "-S" | "-I" | "-O" | "-OO" | "-q" | "-b" | "-d" | "-v" => {}
            "-i" => interactive = true,
            "-W" | "-X" => {
                args.next();
            }
            s if s.starts_with("-W") || s.starts_with("-X") => {}
            s if s.starts_with('-') && s.len() > 1 && s != "-" => {
                let flags = &s[1..];
                if let Some(bad) = flags.chars().find(|c| !"uBEsSIOqbdvi".contains(*c)) {
                    let _ = writeln!(io.stderr, "Unknown option: -{bad}\n{USAGE}");
                    return 2;
                }
                if flags.contains('i') {
                    interactive = true;
                }
            }
            _ => {
                rest = std::iter::once(a.clone()).chain(args.cloned()).collect();
                break;
            }
        }
    }
    let argv0 = argv[0].clone();
    if let Some(m) = module {
        return run_module_flag(ctx, &argv0, &m, rest, io, prefix);
    }
    if let Some(code) = command {
        let cwd = ctx.cwd.clone();
        let mut i = program_setup(ctx, &mut io, prefix);
        i.argv = std::iter::once("-c".to_string()).chain(rest).collect();
        i.path0 = cwd;
        return run_main(&mut i, &code, "<string>");
    }
    match rest.first().cloned() {
        Some(script) if script != "-" => {
            let mut path = ctx.abs(&script);
            // A `#!` script found on $PATH reaches us by the name it was run as.
            if !script.contains('/') && !ctx.fs.exists(&path) {
                let on_path = ctx.resolver.path_of(
                    &script,
                    &*ctx.fs,
                    ctx.var("PATH").unwrap_or("/usr/local/bin:/usr/bin:/bin"),
                );
                if on_path.starts_with('/')
                    && ctx.fs.read(&on_path).is_ok_and(|b| {
                        b.starts_with(b"#!")
                            && console_entry(&String::from_utf8_lossy(&b)).is_some()
                    })
                {
                    path = on_path;
                }
            }
            let src = match ctx.fs.read(&path) {
                Ok(s) => s,
                Err(e) => {
                    if ctx.fs.metadata(&path).is_ok_and(|m| m.is_dir()) {
                        let _ = writeln!(
                            io.stderr,
                            "{argv0}: can't find '__main__' module in {}",
                            value::str_repr(&script)
                        );
                        return 1;
                    }
                    let (errno, msg) = match e.kind() {
                        std::io::ErrorKind::PermissionDenied => (13, "Permission denied"),
                        _ => (2, "No such file or directory"),
                    };
                    let _ = writeln!(
                        io.stderr,
                        "{argv0}: can't open file {}: [Errno {errno}] {msg}",
                        value::str_repr(&path)
                    );
                    return 2;
                }
            };
            let src = String::from_utf8_lossy(&src).into_owned();
            if let Some(tool) = console_entry(&src) {
                let args: Vec<String> = rest[1..].to_vec();
                return console_script(ctx, &tool, &script, &args, io);
            }
            let dir = vfs::parent(&path);
            let mut i = program_setup(ctx, &mut io, prefix);
            i.argv = std::iter::once(script)
                .chain(rest.into_iter().skip(1))
                .collect();
            i.path0 = dir;
            run_main(&mut i, &src, &path)
        }
        other => {
            let cwd = ctx.cwd.clone();
            let stdin = String::from_utf8_lossy(io.stdin).into_owned();
            let mut i = program_setup(ctx, &mut io, prefix);
            i.argv = vec![if other.is_some() {
                "-".into()
            } else {
                String::new()
            }];
            i.path0 = cwd;
            if stdin.is_empty() || interactive {
                // At a terminal: the banner, and the prompt reads nothing more.
                let _ = write!(
                    i.err,
                    "Python {VERSION} (main, Jun  4 2025, 04:11:59) [GCC 12.2.0] on linux\nType \"help\", \"copyright\", \"credits\" or \"license\" for more information.\n"
                );
                let status = if stdin.is_empty() {
                    0
                } else {
                    run_main(&mut i, &stdin, "<stdin>")
                };
                let _ = writeln!(i.err, ">>> ");
                return status;
            }
            run_main(&mut i, &stdin, "<stdin>")
        }
    }
}

/// `python -m MODULE`.
fn run_module_flag(
    ctx: &mut Ctx<'_>,
    argv0: &str,
    m: &str,
    rest: Vec<String>,
    mut io: Streams<'_>,
    prefix: String,
) -> i32 {
    match m {
        "http.server" => return http_server::run(ctx, &rest, io),
        "pip" => {
            let argv: Vec<String> = std::iter::once(format!("{argv0} -m pip"))
                .chain(rest)
                .collect();
            return pip::pip(ctx, &argv, io);
        }
        "flask" => return console_script(ctx, "flask", "flask", &rest, io),
        "venv" => {
            let _ = writeln!(
                io.stderr,
                "docklab: this lab's python does not simulate virtual environments (python -m venv); install with pip into the image instead"
            );
            return 1;
        }
        _ => {}
    }
    let cwd = ctx.cwd.clone();
    let file = format!("{}/{}.py", cwd.trim_end_matches('/'), m.replace('.', "/"));
    match ctx.fs.read(&file) {
        Ok(src) => {
            let src = String::from_utf8_lossy(&src).into_owned();
            let mut i = program_setup(ctx, &mut io, prefix);
            i.argv = std::iter::once(file.clone()).chain(rest).collect();
            i.path0 = cwd;
            run_main(&mut i, &src, &file)
        }
        Err(_) => {
            let known = ["json", "os", "sys", "math", "random", "time", "datetime"];
            if known.contains(&m) {
                let _ = writeln!(
                    io.stderr,
                    "docklab: this lab's python does not simulate running '{m}' as a script (python -m {m})"
                );
                return 1;
            }
            let _ = writeln!(io.stderr, "{argv0}: No module named {m}");
            1
        }
    }
}

/// The package whose entry point a pip console script runs (`from flask.cli import main`).
fn console_entry(src: &str) -> Option<String> {
    if !src.starts_with("#!") || !src.contains("sys.exit(") {
        return None;
    }
    src.lines().find_map(|l| {
        let rest = l.strip_prefix("from ")?;
        let (module, _) = rest.split_once(" import ")?;
        let top = module.split('.').next()?;
        matches!(top, "flask" | "gunicorn").then(|| top.to_string())
    })
}

/// `flask run` and `gunicorn MODULE:APP`: load the app's module, then serve it.
fn console_script(
    ctx: &mut Ctx<'_>,
    tool: &str,
    argv0: &str,
    args: &[String],
    io: Streams<'_>,
) -> i32 {
    let prefix = prefix_of(ctx, "python3");
    let cwd = ctx.cwd.clone();
    match tool {
        "flask" => flask_cli(ctx, argv0, args, io, prefix, cwd),
        _ => gunicorn_cli(ctx, args, io, prefix, cwd),
    }
}

fn load_app_module<'a>(i: &mut Interp<'a>, path: &str) -> Result<Option<Value>, i32> {
    let src = match i.fs.read(path) {
        Ok(s) => String::from_utf8_lossy(&s).into_owned(),
        Err(_) => return Ok(None),
    };
    let body = match parser::parse(&src) {
        Ok(b) => b,
        Err(e) => {
            let _ = i
                .err
                .write_all(syntax_error_text(&e, path, &src).as_bytes());
            return Err(1);
        }
    };
    i.sources.insert(
        path.to_string(),
        Rc::new(src.lines().map(String::from).collect()),
    );
    let globals: Map = Rc::new(RefCell::new(HashMap::new()));
    let stem = vfs::file_name(path).trim_end_matches(".py").to_string();
    globals
        .borrow_mut()
        .insert("__name__".into(), Value::str(stem.as_str()));
    globals
        .borrow_mut()
        .insert("__file__".into(), Value::str(path));
    let r = i.run_module(&body, globals.clone(), Rc::from(path));
    if let Err(e) = r {
        return Err(finish(i, Err(e)));
    }
    let app = find_app(&globals);
    Ok(app)
}

/// The Flask app a module defines: `app` or `application` first, else any Flask.
pub fn find_app(globals: &Map) -> Option<Value> {
    let g = globals.borrow();
    let is_app =
        |v: &Value| matches!(v, Value::Object(o) if matches!(o.kind, value::ObjKind::FlaskApp(_)));
    for n in ["app", "application"] {
        if let Some(v) = g.get(n)
            && is_app(v)
        {
            return Some(v.clone());
        }
    }
    let mut names: Vec<&String> = g.keys().collect();
    names.sort();
    names
        .into_iter()
        .find_map(|n| g.get(n).filter(|v| is_app(v)).cloned())
}

fn flask_cli(
    ctx: &mut Ctx<'_>,
    argv0: &str,
    args: &[String],
    mut io: Streams<'_>,
    prefix: String,
    cwd: String,
) -> i32 {
    let _ = argv0;
    let mut app_path = ctx.var("FLASK_APP").map(str::to_string);
    let mut host = ctx.var("FLASK_RUN_HOST").unwrap_or("127.0.0.1").to_string();
    let mut port: String = ctx.var("FLASK_RUN_PORT").unwrap_or("5000").to_string();
    let mut debug = ctx
        .var("FLASK_DEBUG")
        .is_some_and(|v| v == "1" || v.eq_ignore_ascii_case("true"));
    let mut it = args.iter();
    let mut command = None;
    while let Some(a) = it.next() {
        match a.as_str() {
            "--app" | "-A" => app_path = it.next().cloned(),
            s if s.starts_with("--app=") => app_path = Some(s[6..].to_string()),
            "--debug" => debug = true,
            "run" if command.is_none() => command = Some("run"),
            "--version" => {
                let _ = writeln!(
                    io.stdout,
                    "Python {VERSION}\nFlask 3.1.1\nWerkzeug {}",
                    flask::WERKZEUG
                );
                return 0;
            }
            "--host" | "-h" if command.is_some() => host = it.next().cloned().unwrap_or(host),
            s if s.starts_with("--host=") => host = s[7..].to_string(),
            "--port" | "-p" if command.is_some() => port = it.next().cloned().unwrap_or(port),
            s if s.starts_with("--port=") => port = s[7..].to_string(),
            "--reload" | "--no-reload" | "--debugger" | "--no-debugger" | "--with-threads"
            | "--without-threads" => {}
            other if command.is_none() => {
                let _ = writeln!(
                    io.stderr,
                    "Usage: flask [OPTIONS] COMMAND [ARGS]...\nTry 'flask --help' for help.\n\nError: No such command '{other}'."
                );
                return 2;
            }
            other => {
                let _ = writeln!(
                    io.stderr,
                    "Usage: flask run [OPTIONS]\nTry 'flask run --help' for help.\n\nError: No such option: {other}"
                );
                return 2;
            }
        }
    }
    if command.is_none() {
        let _ = writeln!(
            io.stdout,
            "Usage: flask [OPTIONS] COMMAND [ARGS]...\n\n  A general utility script for Flask applications.\n\nCommands:\n  routes  Show the routes for the app.\n  run     Run a development server.\n  shell   Run a shell in the app context."
        );
        return 0;
    }
    let Ok(port) = port.parse::<u16>() else {
        let _ = writeln!(
            io.stderr,
            "Usage: flask run [OPTIONS]\nTry 'flask run --help' for help.\n\nError: Invalid value for '--port' / '-p': '{port}' is not a valid integer."
        );
        return 2;
    };
    let candidates: Vec<String> = match &app_path {
        Some(a) => {
            let module = a.split(':').next().unwrap_or(a).trim_end_matches(".py");
            vec![format!("{module}.py")]
        }
        None => vec!["wsgi.py".into(), "app.py".into()],
    };
    let mut i = program_setup(ctx, &mut io, prefix);
    i.path0 = cwd.clone();
    i.mode = Mode::Service;
    i.argv = vec![format!("{}/bin/flask", i.prefix)];
    for c in &candidates {
        let path = vfs::normalize(&cwd, c);
        match load_app_module(&mut i, &path) {
            Ok(Some(_)) => {
                i.mode = Mode::Program;
                i.argv = vec![path.clone()];
                let name = c.trim_end_matches(".py").to_string();
                flask::serve(&mut i, &name, &host, port, debug);
                return 0;
            }
            Ok(None) => {
                if i.fs.exists(&path) {
                    let _ = writeln!(
                        i.err,
                        "Usage: flask run [OPTIONS]\nTry 'flask run --help' for help.\n\nError: Failed to find Flask application or factory in module '{}'. Use '{}:name' to specify one.",
                        c.trim_end_matches(".py"),
                        c.trim_end_matches(".py")
                    );
                    return 2;
                }
            }
            Err(status) => return status,
        }
    }
    let msg = match &app_path {
        Some(a) => format!("Could not import '{}'.", a.trim_end_matches(".py")),
        None => "Could not locate a Flask application. Use the 'flask --app' option, 'FLASK_APP' environment variable, or a 'wsgi.py' or 'app.py' file in the current directory.".into(),
    };
    let _ = writeln!(
        i.err,
        "Usage: flask run [OPTIONS]\nTry 'flask run --help' for help.\n\nError: {msg}"
    );
    2
}

fn gunicorn_cli(
    ctx: &mut Ctx<'_>,
    args: &[String],
    mut io: Streams<'_>,
    prefix: String,
    cwd: String,
) -> i32 {
    let mut bind = "127.0.0.1:8000".to_string();
    let mut target = None;
    let mut workers = 1;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-b" | "--bind" => bind = it.next().cloned().unwrap_or(bind),
            s if s.starts_with("--bind=") => bind = s[7..].to_string(),
            "-w" | "--workers" => workers = it.next().and_then(|w| w.parse().ok()).unwrap_or(1),
            s if s.starts_with("--workers=") => workers = s[10..].parse().unwrap_or(1),
            "--version" | "-v" => {
                let _ = writeln!(io.stdout, "gunicorn (version 23.0.0)");
                return 0;
            }
            s if s.starts_with('-') => {
                if !s.contains('=')
                    && matches!(
                        s,
                        "-k" | "--worker-class"
                            | "-t"
                            | "--timeout"
                            | "--threads"
                            | "--log-level"
                            | "--access-logfile"
                            | "--error-logfile"
                    )
                {
                    it.next();
                }
            }
            other => target = Some(other.to_string()),
        }
    }
    let Some(target) = target else {
        let _ = writeln!(
            io.stderr,
            "usage: gunicorn [OPTIONS] [APP_MODULE]\ngunicorn: error: No application module specified."
        );
        return 2;
    };
    let (module, _var) = target.split_once(':').unwrap_or((&target, "application"));
    let (host, port) = bind.rsplit_once(':').unwrap_or((bind.as_str(), "8000"));
    let port: u16 = port.parse().unwrap_or(8000);
    let path = vfs::normalize(&cwd, &format!("{}.py", module.replace('.', "/")));
    let mut i = program_setup(ctx, &mut io, prefix);
    i.path0 = cwd;
    i.mode = Mode::Service;
    let now = i.host.now().format("%Y-%m-%d %H:%M:%S +0000").to_string();
    let _ = writeln!(
        i.err,
        "[{now}] [1] [INFO] Starting gunicorn 23.0.0\n[{now}] [1] [INFO] Listening at: http://{host}:{port} (1)\n[{now}] [1] [INFO] Using worker: sync"
    );
    for w in 0..workers {
        let _ = writeln!(
            i.err,
            "[{now}] [{}] [INFO] Booting worker with pid: {}",
            7 + w,
            7 + w
        );
    }
    match load_app_module(&mut i, &path) {
        Ok(Some(_)) => {}
        Ok(None) => {
            let _ = writeln!(
                i.err,
                "[{now}] [7] [ERROR] Exception in worker process\nModuleNotFoundError: No module named '{module}'\n[{now}] [7] [INFO] Worker exiting (pid: 7)\n[{now}] [1] [ERROR] Worker (pid:7) exited with code 3\n[{now}] [1] [ERROR] Shutting down: Master\n[{now}] [1] [ERROR] Reason: Worker failed to boot."
            );
            return 3;
        }
        Err(_) => return 3,
    }
    if host == "0.0.0.0" {
        i.host.listen(port, &format!("flask:{path}:gunicorn"));
    }
    i.host
        .sleep(std::time::Duration::from_secs(100 * 365 * 24 * 3600));
    0
}

pub fn pip(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    pip::pip(ctx, argv, io)
}

/// The service behind a port this program listens on (`Host::listen(port, "KIND:ARG")`).
pub fn service(
    kind: &str,
    arg: &str,
    view: crate::engine::net::app::ContainerView,
) -> Option<crate::engine::net::Service> {
    match kind {
        "flask" => service::flask(arg, view),
        "python" => {
            let dir = arg.strip_prefix("http.server:")?;
            Some(crate::engine::net::app::service(std::sync::Arc::new(
                http_server::HttpServer::new(dir, view),
            )))
        }
        _ => None,
    }
}

//! The application: docklab's own command line, the lab (shell + docker CLI over a
//! backend), script mode and the interactive REPL. The only layer that touches the
//! process's real stdout, stderr and terminal.

pub mod dev;
pub mod grade;
pub mod lab;
pub mod options;
pub mod render;
pub mod repl;
pub mod script;
pub mod session;
pub mod tools;
pub mod undo;

use self::options::{Command, Docklab, RegistryCommand, RegistryServeArgs};
use clap::Parser;
use std::io::Write;
use std::process::ExitCode;

pub fn main() -> ExitCode {
    let cli = match Docklab::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let code = match run(cli) {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "docklab: {e:#}");
            1
        }
    };
    ExitCode::from(code.clamp(0, 255) as u8)
}

/// Bare `docklab` at a terminal: the lessons with their progress, and a choice of one
/// or the sandbox. Elsewhere (input from a pipe) it is the sandbox.
fn pick() -> anyhow::Result<Command> {
    use std::io::{BufRead, IsTerminal};
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        return Ok(Command::Sandbox(Default::default()));
    }
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "docklab: learn Docker in your terminal. The lessons:\n"
    )?;
    dev::list(Some(&options::home()?.join("progress")), &mut out)?;
    write!(
        out,
        "\nA lesson's number to start or go on with it; Enter for the sandbox (free play): "
    )?;
    out.flush()?;
    drop(out);
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let choice = line.trim();
    if choice.is_empty() {
        return Ok(Command::Sandbox(Default::default()));
    }
    Ok(Command::Start(options::StartArgs {
        lesson: choice.to_string(),
        script: None,
    }))
}

fn run(cli: Docklab) -> anyhow::Result<i32> {
    let settings = cli.global.resolve()?;
    let command = match cli.command {
        Some(command) => command,
        None => pick()?,
    };
    match command {
        Command::Sandbox(args) => match args.script {
            Some(path) => script::run_file(&settings, &path, args.jsonl),
            None => repl::run(&settings),
        },
        Command::Start(args) => repl::start(&cli.global, &settings, &args),
        Command::List => dev::list(
            Some(&options::home()?.join("progress")),
            &mut std::io::stdout().lock(),
        ),
        Command::Schema(args) => dev::schema(args.suite, &mut std::io::stdout().lock()),
        Command::Grade(mut args) => {
            args.workspace_given = cli.global.workspace.is_some();
            Ok(grade::run(&args, &settings))
        }
        Command::Submit(args) => grade::submit(&args, &settings, cli.global.workspace.is_some()),
        Command::Lint(args) => dev::lint(&args.files, &mut std::io::stdout().lock()),
        Command::Test(args) => {
            dev::test(&args.lessons, args.verbose, &mut std::io::stdout().lock())
        }
        Command::Registry(RegistryCommand::Serve(args)) => {
            let root = match &cli.global.state {
                Some(dir) => dir.clone(),
                None => settings.state_dir.join("registry").join("default"),
            };
            serve_registry(&args, &root, &settings.clock)
        }
    }
}

/// `docklab registry serve`: one line saying where it listens, then serve until Ctrl-C,
/// logging every request on stderr as registry:2 logs it.
fn serve_registry(
    args: &RegistryServeArgs,
    root: &std::path::Path,
    clock: &crate::engine::clock::Clock,
) -> anyhow::Result<i32> {
    use crate::engine::registry::log::{LogSink, RequestLog, uuid_from};
    use crate::engine::registry::{Registry, RegistryOptions, serve};
    use anyhow::Context;
    // Basic auth as the registry:2 image configures it (REGISTRY_AUTH=htpasswd, …).
    let mut options = RegistryOptions::from_env(&|key| std::env::var(key).ok(), &|path| {
        std::fs::read_to_string(path).ok()
    })
    .map_err(anyhow::Error::msg)?;
    options.delete_enabled = !args.no_delete;
    // Stdout carries only the line saying where the registry listens; both of the
    // registry's logs go to stderr.
    let sink: LogSink = std::sync::Arc::new(|_stream, line: String| {
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    });
    let instance = uuid_from(&format!(
        "{} {}",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0)
    ));
    options.request_log = Some(RequestLog::new(sink, clock.clone(), &instance));
    let registry = Registry::open(root, options)
        .with_context(|| format!("cannot open registry storage {}", root.display()))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .with_context(|| format!("cannot listen on {}", args.addr))?;
        let bound = listener.local_addr()?;
        writeln!(
            std::io::stdout(),
            "registry listening on http://{bound} (storage: {})",
            root.display()
        )?;
        std::io::stdout().flush()?;
        tokio::select! {
            served = serve(listener, registry) => served?,
            _ = tokio::signal::ctrl_c() => {}
        }
        Ok(0)
    })
}

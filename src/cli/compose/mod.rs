//! `docker compose`: the Compose v2 command line, as a client of `trait Backend` the
//! way the real compose is a client of the daemon, so one compose file runs the same
//! on the embedded engine and on a real one.
//!
//! It owns the compose file (`model`: the typed file and the resolved `Project`;
//! `load`: finding, reading, interpolating (`interpolate`) and validating
//! (`validate`) it), `config`'s canonical YAML, the names and labels a project's
//! resources carry and its start order (`project`), compose's progress lines
//! (`progress`), `up`/`down`/`create` (`up`) and the other commands (`commands`).
//! It must not touch the engine: every effect goes through `Backend` methods.

mod commands;
pub mod config;
pub mod interpolate;
pub mod load;
pub mod model;
pub mod progress;
pub mod project;
mod up;
pub mod validate;

use crate::cli::args::{Positionals, PositionalsMut};
use crate::cli::parse::{ArgRule, Verb};
use crate::cli::{Cli, CliError};
use crate::engine::streams::Streams;
use clap::Parser;
use std::collections::BTreeMap;

/// The settings every compose subcommand's arguments share.
macro_rules! compose_args {
    ($(#[$meta:meta])* pub struct $name:ident { $($body:tt)* }) => {
        $(#[$meta])*
        #[derive(Parser, Debug, Default, Clone)]
        #[command(no_binary_name = true, disable_help_flag = true, disable_version_flag = true)]
        pub struct $name {
            #[arg(long = "help", hide = true)]
            pub help: bool,
            $($body)*
        }

        impl Positionals for $name {
            fn positionals(&self) -> &[String] {
                &self.args
            }
            fn wants_help(&self) -> bool {
                self.help
            }
        }

        impl PositionalsMut for $name {
            fn positionals_mut(&mut self) -> &mut Vec<String> {
                &mut self.args
            }
        }
    };
}

compose_args! {
    /// `docker compose`'s own flags, before the subcommand (for completion).
    pub struct ComposeArgs {
        #[arg(short = 'f', long = "file")]
        pub file: Vec<String>,
        #[arg(short = 'p', long = "project-name")]
        pub project_name: Option<String>,
        #[arg(long)]
        pub profile: Vec<String>,
        #[arg(long)]
        pub progress: Option<String>,
        #[arg(long)]
        pub ansi: Option<String>,
        pub args: Vec<String>,
    }
}

compose_args! {
    pub struct ConfigArgs {
        #[arg(long)]
        pub services: bool,
        #[arg(long)]
        pub volumes: bool,
        #[arg(long)]
        pub networks: bool,
        #[arg(short, long)]
        pub quiet: bool,
        #[arg(long)]
        pub format: Option<String>,
        pub args: Vec<String>,
    }
}

compose_args! {
    pub struct UpArgs {
        #[arg(short, long)]
        pub detach: bool,
        #[arg(long)]
        pub build: bool,
        #[arg(long = "no-build")]
        pub no_build: bool,
        #[arg(long = "no-start")]
        pub no_start: bool,
        #[arg(long = "force-recreate")]
        pub force_recreate: bool,
        #[arg(long = "no-recreate")]
        pub no_recreate: bool,
        #[arg(long = "remove-orphans")]
        pub remove_orphans: bool,
        #[arg(long = "no-deps")]
        pub no_deps: bool,
        #[arg(long)]
        pub wait: bool,
        #[arg(long)]
        pub pull: Option<String>,
        #[arg(short = 't', long)]
        pub timeout: Option<i64>,
        pub args: Vec<String>,
    }
}

compose_args! {
    pub struct DownArgs {
        #[arg(short, long)]
        pub volumes: bool,
        #[arg(long)]
        pub rmi: Option<String>,
        #[arg(long = "remove-orphans")]
        pub remove_orphans: bool,
        #[arg(short = 't', long)]
        pub timeout: Option<i64>,
        pub args: Vec<String>,
    }
}

compose_args! {
    pub struct PsArgs {
        #[arg(short, long)]
        pub all: bool,
        #[arg(short, long)]
        pub quiet: bool,
        #[arg(long)]
        pub services: bool,
        #[arg(long)]
        pub format: Option<String>,
        #[arg(long = "no-trunc")]
        pub no_trunc: bool,
        pub args: Vec<String>,
    }
}

compose_args! {
    pub struct LogsArgs {
        #[arg(short, long)]
        pub follow: bool,
        #[arg(short = 'n', long)]
        pub tail: Option<String>,
        #[arg(short, long)]
        pub timestamps: bool,
        #[arg(long = "no-color")]
        pub no_color: bool,
        #[arg(long = "no-log-prefix")]
        pub no_log_prefix: bool,
        pub args: Vec<String>,
    }
}

compose_args! {
    pub struct ExecArgs {
        #[arg(short, long)]
        pub detach: bool,
        #[arg(short = 'T', long = "no-TTY")]
        pub no_tty: bool,
        #[arg(short, long = "env")]
        pub env: Vec<String>,
        #[arg(short, long)]
        pub workdir: Option<String>,
        #[arg(short, long)]
        pub user: Option<String>,
        #[arg(long)]
        pub index: Option<u32>,
        #[arg(short = 'i', long)]
        pub interactive: bool,
        #[arg(short = 't', long)]
        pub tty: bool,
        pub args: Vec<String>,
    }
}

compose_args! {
    pub struct RunArgs {
        #[arg(long)]
        pub rm: bool,
        #[arg(short, long)]
        pub detach: bool,
        #[arg(short, long = "env")]
        pub env: Vec<String>,
        #[arg(long)]
        pub name: Option<String>,
        #[arg(long)]
        pub entrypoint: Option<String>,
        #[arg(short = 'T', long = "no-TTY")]
        pub no_tty: bool,
        #[arg(long = "no-deps")]
        pub no_deps: bool,
        #[arg(short, long)]
        pub workdir: Option<String>,
        #[arg(short, long)]
        pub user: Option<String>,
        #[arg(short = 'i', long)]
        pub interactive: bool,
        #[arg(short = 't', long)]
        pub tty: bool,
        pub args: Vec<String>,
    }
}

compose_args! {
    pub struct LsArgs {
        #[arg(short, long)]
        pub all: bool,
        #[arg(short, long)]
        pub quiet: bool,
        #[arg(long)]
        pub format: Option<String>,
        pub args: Vec<String>,
    }
}

compose_args! {
    pub struct VersionArgs {
        #[arg(long)]
        pub short: bool,
        #[arg(short, long)]
        pub format: Option<String>,
        pub args: Vec<String>,
    }
}

compose_args! {
    /// `build`, `pull`, `stop`, `start`, `restart`: services and a few flags.
    pub struct ServicesArgs {
        #[arg(short, long)]
        pub quiet: bool,
        #[arg(long = "no-cache")]
        pub no_cache: bool,
        #[arg(short = 't', long)]
        pub timeout: Option<i64>,
        pub args: Vec<String>,
    }
}

/// The resolved project and how to speak about it.
pub(crate) struct Context {
    pub loaded: load::Loaded,
    /// Someone at a terminal: compose's TTY progress and logrus's short warnings.
    pub terminal: bool,
}

impl Context {
    pub fn project(&self) -> &model::Project {
        &self.loaded.project
    }
}

/// A warning as compose's logrus prints it: `WARN[0000] ...` at a terminal, else the
/// text formatter's `time="..." level=warning msg="..."`.
pub(crate) fn warn(cli: &Cli<'_>, terminal: bool, out: &mut dyn std::io::Write, text: &str) {
    if terminal {
        let _ = writeln!(out, "WARN[0000] {text}");
    } else {
        let time = cli.clock.now().format("%Y-%m-%dT%H:%M:%SZ");
        let quoted = serde_json::to_string(text).unwrap_or_default();
        let _ = writeln!(out, "time=\"{time}\" level=warning msg={quoted}");
    }
}

fn sub_verb(path: &'static str, help: &'static str, args: ArgRule) -> Verb {
    Verb {
        path,
        names: &[],
        help,
        args,
        handler: run,
        flags: <ComposeArgs as clap::CommandFactory>::command,
    }
}

/// The subcommands, their usage lines and argument rules.
const SUBCOMMANDS: &[(&str, &str, ArgRule)] = &[
    (
        "config",
        "Usage:  docker compose config [OPTIONS] [SERVICE...]\n",
        ArgRule::Min(0),
    ),
    (
        "up",
        "Usage:  docker compose up [OPTIONS] [SERVICE...]\n",
        ArgRule::Min(0),
    ),
    (
        "create",
        "Usage:  docker compose create [OPTIONS] [SERVICE...]\n",
        ArgRule::Min(0),
    ),
    (
        "down",
        "Usage:  docker compose down [OPTIONS] [SERVICES]\n",
        ArgRule::Min(0),
    ),
    (
        "ps",
        "Usage:  docker compose ps [OPTIONS] [SERVICE...]\n",
        ArgRule::Min(0),
    ),
    (
        "logs",
        "Usage:  docker compose logs [OPTIONS] [SERVICE...]\n",
        ArgRule::Min(0),
    ),
    (
        "exec",
        "Usage:  docker compose exec [OPTIONS] SERVICE COMMAND [ARGS...]\n",
        ArgRule::Min(2),
    ),
    (
        "run",
        "Usage:  docker compose run [OPTIONS] SERVICE [COMMAND] [ARGS...]\n",
        ArgRule::Min(1),
    ),
    (
        "build",
        "Usage:  docker compose build [OPTIONS] [SERVICE...]\n",
        ArgRule::Min(0),
    ),
    (
        "pull",
        "Usage:  docker compose pull [OPTIONS] [SERVICE...]\n",
        ArgRule::Min(0),
    ),
    (
        "stop",
        "Usage:  docker compose stop [OPTIONS] [SERVICE...]\n",
        ArgRule::Min(0),
    ),
    (
        "start",
        "Usage:  docker compose start [SERVICE...]\n",
        ArgRule::Min(0),
    ),
    (
        "restart",
        "Usage:  docker compose restart [OPTIONS] [SERVICE...]\n",
        ArgRule::Min(0),
    ),
    ("ls", "Usage:  docker compose ls [OPTIONS]\n", ArgRule::None),
    (
        "version",
        "Usage:  docker compose version [OPTIONS]\n",
        ArgRule::None,
    ),
];

/// Splits compose's own flags from the subcommand and its words.
fn global_flags(raw: &[String]) -> Result<(ComposeArgs, &[String]), CliError> {
    let mut flags = ComposeArgs::default();
    let mut i = 0;
    let value = |i: usize, flag: &str| -> Result<String, CliError> {
        raw.get(i + 1)
            .cloned()
            .ok_or_else(|| CliError::message(format!("flag needs an argument: {flag}")))
    };
    while i < raw.len() {
        let word = raw[i].as_str();
        let (name, inline) = match word.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
            _ => (word, None),
        };
        let take = |i: &mut usize| -> Result<String, CliError> {
            match &inline {
                Some(v) => Ok(v.clone()),
                None => {
                    let v = value(*i, name)?;
                    *i += 1;
                    Ok(v)
                }
            }
        };
        match name {
            "-f" | "--file" => flags.file.push(take(&mut i)?),
            "-p" | "--project-name" => flags.project_name = Some(take(&mut i)?),
            "--profile" => flags.profile.push(take(&mut i)?),
            "--progress" => flags.progress = Some(take(&mut i)?),
            "--ansi" => flags.ansi = Some(take(&mut i)?),
            "--project-directory" | "--env-file" | "--parallel" => {
                take(&mut i)?;
            }
            "--compatibility" | "--dry-run" | "--all-resources" => {}
            f if f.starts_with('-') => {
                return Err(CliError::message(format!("unknown flag: {f}")));
            }
            _ => return Ok((flags, &raw[i..])),
        }
        i += 1;
    }
    Ok((flags, &raw[raw.len()..]))
}

/// `docker compose ...`.
pub fn run(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    let (flags, rest) = global_flags(raw)?;
    let Some(word) = rest.first() else {
        streams.stdout.write_all(verb.help.as_bytes())?;
        return Ok(0);
    };
    let Some((name, usage, rule)) = SUBCOMMANDS.iter().find(|(n, _, _)| n == word) else {
        return Err(CliError::message(format!(
            "unknown docker command: \"compose {word}\""
        )));
    };
    let path: &'static str = match *name {
        "config" => "docker compose config",
        "up" => "docker compose up",
        "create" => "docker compose create",
        "down" => "docker compose down",
        "ps" => "docker compose ps",
        "logs" => "docker compose logs",
        "exec" => "docker compose exec",
        "run" => "docker compose run",
        "build" => "docker compose build",
        "pull" => "docker compose pull",
        "stop" => "docker compose stop",
        "start" => "docker compose start",
        "ls" => "docker compose ls",
        "version" => "docker compose version",
        _ => "docker compose restart",
    };
    let sub = sub_verb(path, usage, *rule);
    let args = &rest[1..];
    // These two need no compose file.
    if *name == "version" {
        let a: VersionArgs = sub.parse(args)?;
        return commands::version(&a, streams);
    }
    if *name == "ls" {
        let a: LsArgs = sub.parse(args)?;
        return commands::ls(cli, &a, streams);
    }
    let env: BTreeMap<String, String> = cli.env.iter().cloned().collect();
    let cwd = env.get("PWD").cloned().unwrap_or_else(|| "/".to_string());
    let options = load::LoadOptions {
        files: flags.file.clone(),
        project_name: flags.project_name.clone(),
        cwd,
        env,
        profiles: flags.profile.clone(),
    };
    let terminal = cli.interrupt.is_some() && flags.progress.as_deref() != Some("plain");
    // Parse the subcommand's flags before reading files, as cobra does.
    enum Parsed {
        Config(ConfigArgs),
        Up(UpArgs),
        Down(DownArgs),
        Ps(PsArgs),
        Logs(LogsArgs),
        Exec(ExecArgs),
        Run(RunArgs),
        Services(ServicesArgs),
    }
    let parsed = match *name {
        "config" => Parsed::Config(sub.parse(args)?),
        "up" | "create" => Parsed::Up(sub.parse(args)?),
        "down" => Parsed::Down(sub.parse(args)?),
        "ps" => Parsed::Ps(sub.parse(args)?),
        "logs" => Parsed::Logs(sub.parse(args)?),
        "exec" => Parsed::Exec(sub.parse_until_positional(args)?),
        "run" => Parsed::Run(sub.parse_until_positional(args)?),
        _ => Parsed::Services(sub.parse(args)?),
    };
    let loaded = match load::load(cli.files, &options) {
        Ok(l) => l,
        // `down` and `ps` work from the labels alone when no file is at hand.
        Err(e)
            if e.starts_with("no configuration file provided")
                && flags.project_name.is_some()
                && matches!(*name, "down" | "ps" | "logs" | "stop" | "start" | "restart") =>
        {
            load::Loaded {
                project: model::Project {
                    name: flags.project_name.clone().unwrap_or_default(),
                    ..Default::default()
                },
                warnings: Vec::new(),
                vars: BTreeMap::new(),
            }
        }
        Err(e) => return Err(CliError::message(e)),
    };
    for w in &loaded.warnings {
        warn(cli, terminal, streams.stderr, w);
    }
    let mut context = Context { loaded, terminal };
    match parsed {
        Parsed::Config(a) => commands::config(cli, &context, &a, streams),
        Parsed::Up(a) => {
            let create_only = *name == "create";
            up::up(cli, &mut context, &a, create_only, streams)
        }
        Parsed::Down(a) => up::down(cli, &context, &a, streams),
        Parsed::Ps(a) => commands::ps(cli, &context, &a, streams),
        Parsed::Logs(a) => commands::logs(cli, &context, &a, streams),
        Parsed::Exec(a) => commands::exec(cli, &context, &a, streams),
        Parsed::Run(a) => commands::run(cli, &mut context, &a, streams),
        Parsed::Services(a) => match *name {
            "build" => commands::build(cli, &context, &a, streams),
            "pull" => commands::pull(cli, &context, &a, streams),
            "stop" => commands::stop(cli, &context, &a, streams),
            "start" => commands::start(cli, &context, &a, streams),
            _ => commands::restart(cli, &context, &a, streams),
        },
    }
}

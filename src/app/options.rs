//! docklab's own command line (clap), and where its settings come from: flags first,
//! then `DOCKLAB_*` environment variables, then platform defaults.

use crate::engine::clock::Clock;
use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "docklab",
    version,
    about = "Learn Docker in your terminal, on an embedded Docker engine",
    long_about = "Learn Docker in your terminal. Every docker command you type runs against an embedded \
                  Docker engine (image store, builder and container runtime in this one program, \
                  offline, no daemon, no root), or against a real Docker daemon with --backend docker."
)]
pub struct Docklab {
    #[command(flatten)]
    pub global: GlobalOptions,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Free play on the engine: a lab shell with no lesson
    Sandbox(SandboxArgs),
    /// Take a lesson: its steps, the lab under them, checks after every command
    Start(StartArgs),
    /// The shipped lessons and how far you got in each
    List,
    /// Check lesson files: schema errors, broken references and authoring rules, with
    /// file:line:col
    Lint(LintArgs),
    /// Replay lessons on fresh engines: each exercise's checks must fail before its
    /// solution, pass after it, and reject every listed mistake
    Test(TestArgs),
    /// Print the JSON Schema of the lesson format (with --suite: of the grading suite
    /// format)
    Schema(SchemaArgs),
    /// Grade submissions against a suite (checks/*.yaml), headless and in parallel
    Grade(GradeArgs),
    /// Write a lesson's commands and workspace as one file to hand in
    Submit(SubmitArgs),
    /// The lab's OCI registry on its own, for other tools and tests
    #[command(subcommand)]
    Registry(RegistryCommand),
}

#[derive(Args, Debug)]
pub struct StartArgs {
    /// A shipped lesson by number or id (`1`, `images-and-containers`), or a lesson file
    #[arg(value_name = "LESSON")]
    pub lesson: String,
    /// Read input from FILE as if typed (lesson words included), print what the
    /// lesson prints, and exit
    #[arg(long, value_name = "FILE")]
    pub script: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct LintArgs {
    /// Lesson files (YAML)
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

#[derive(Args, Debug)]
pub struct TestArgs {
    /// Lesson files, or shipped lessons by id or number [default: every shipped lesson]
    #[arg(value_name = "LESSON")]
    pub lessons: Vec<String>,
    /// Also say why the checks fail before the solution and after each mistake
    #[arg(long, short)]
    pub verbose: bool,
}

#[derive(Args, Debug)]
pub struct SchemaArgs {
    /// The grading suite format's schema (checks/schema.json) instead of the lesson's
    #[arg(long)]
    pub suite: bool,
}

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct GradeArgs {
    #[command(subcommand)]
    pub command: Option<GradeCommand>,
    /// The grading suite (YAML): checks with points, the start state, the pass mark
    #[arg(long, value_name = "FILE")]
    pub suite: Option<PathBuf>,
    /// Scripts (.sh, with an optional NAME/ workspace folder), bundles from `docklab
    /// submit`, submission folders (commands.sh, workspace/), or folders of them
    #[arg(value_name = "SUBMISSION")]
    pub submissions: Vec<PathBuf>,
    /// How to write the results
    #[arg(long, value_enum, default_value_t = crate::app::grade::report::Format::Text)]
    pub format: crate::app::grade::report::Format,
    /// Write the results to FILE (atomically) instead of standard output
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Submissions graded at once [default: the number of cores]
    #[arg(long, short, value_name = "N")]
    pub jobs: Option<usize>,
    /// Grade only shard I of N (1-based): a stable share of the submissions, for CI
    /// matrices and indexed Jobs; `docklab grade merge` joins the shards' JSON reports
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Seconds a submission may take [default: the suite's limits.seconds]
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<f64>,
    /// MiB of memory a submission may hold [default: the suite's limits.memory_mb]
    #[arg(long, value_name = "MIB")]
    pub memory: Option<u64>,
    /// Set from --workspace: live grading reads that folder, not the current one
    #[arg(skip)]
    pub workspace_given: bool,
}

#[derive(Subcommand, Debug)]
pub enum GradeCommand {
    /// Join the JSON reports of shards of one suite into one report, in any format
    Merge(MergeArgs),
}

#[derive(Args, Debug)]
pub struct MergeArgs {
    /// JSON reports written by `docklab grade --format json`
    #[arg(required = true, value_name = "RESULT.json")]
    pub reports: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = crate::app::grade::report::Format::Text)]
    pub format: crate::app::grade::report::Format,
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct SubmitArgs {
    /// A lesson by number or id [default: the lesson typed in last]
    #[arg(value_name = "LESSON")]
    pub lesson: Option<String>,
    /// Where to write the bundle [default: LESSON-ID.submission.json]
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum RegistryCommand {
    /// Serve the registry in the foreground until Ctrl-C; --state DIR is its storage
    /// [default: STATE/registry/default]. Basic auth as registry:2 takes it:
    /// REGISTRY_AUTH=htpasswd, REGISTRY_AUTH_HTPASSWD_REALM, REGISTRY_AUTH_HTPASSWD_PATH
    Serve(RegistryServeArgs),
}

#[derive(Args, Debug)]
pub struct RegistryServeArgs {
    /// Address to listen on (port 0 picks a free one)
    #[arg(long, default_value = "127.0.0.1:5000", value_name = "HOST:PORT")]
    pub addr: std::net::SocketAddr,
    /// Refuse blob and manifest DELETE, as registry:2 does unless
    /// REGISTRY_STORAGE_DELETE_ENABLED=true
    #[arg(long)]
    pub no_delete: bool,
}

#[derive(Args, Debug, Default)]
pub struct SandboxArgs {
    /// Read commands from FILE exactly as if typed, print what the lab prints, and exit
    #[arg(long, value_name = "FILE")]
    pub script: Option<PathBuf>,
    /// With --script: one JSON object per command: {"command","stdout","stderr","exit_code"}
    #[arg(long, requires = "script")]
    pub jsonl: bool,
}

#[derive(Args, Debug, Clone)]
pub struct GlobalOptions {
    /// The engine's state directory [env: DOCKLAB_STATE; default: $DOCKLAB_HOME/engine]
    #[arg(long, global = true, value_name = "DIR")]
    pub state: Option<PathBuf>,
    /// The lab's workspace: the files the lab shell sees [default: $DOCKLAB_HOME/workspaces/sandbox]
    #[arg(long, global = true, value_name = "DIR")]
    pub workspace: Option<PathBuf>,
    /// Seed every generated ID and name, for reproducible transcripts [env: DOCKLAB_SEED]
    #[arg(long, global = true, value_name = "N")]
    pub seed: Option<u64>,
    /// Fix the engine's clock at this RFC 3339 time [env: DOCKLAB_CLOCK]
    #[arg(long, global = true, value_name = "RFC3339")]
    pub clock: Option<String>,
    /// Which engine the docker commands talk to
    #[arg(long, global = true, value_enum, default_value_t = BackendKind::Embedded)]
    pub backend: BackendKind,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    /// The engine inside docklab
    Embedded,
    /// The Docker daemon at DOCKER_HOST or the default socket
    Docker,
}

/// Settings after flags, environment and defaults have been weighed.
#[derive(Debug, Clone)]
pub struct Settings {
    pub state_dir: PathBuf,
    pub workspace: PathBuf,
    pub seed: Option<u64>,
    pub clock: Clock,
    pub backend: BackendKind,
}

/// docklab's data directory: `DOCKLAB_HOME`, or the platform's data directory.
pub fn home() -> anyhow::Result<PathBuf> {
    match std::env::var_os("DOCKLAB_HOME") {
        Some(h) if !h.is_empty() => Ok(PathBuf::from(h)),
        _ => dirs::data_dir().map(|d| d.join("docklab")).context(
            "no data directory on this platform: set DOCKLAB_HOME or pass --state and --workspace",
        ),
    }
}

impl GlobalOptions {
    pub fn resolve(&self) -> anyhow::Result<Settings> {
        let home = home()?;
        let state_dir = self
            .state
            .clone()
            .or_else(|| {
                std::env::var_os("DOCKLAB_STATE")
                    .filter(|s| !s.is_empty())
                    .map(PathBuf::from)
            })
            .unwrap_or_else(|| home.join("engine"));
        let workspace = self
            .workspace
            .clone()
            .unwrap_or_else(|| home.join("workspaces").join("sandbox"));
        let seed = match (self.seed, std::env::var("DOCKLAB_SEED")) {
            (Some(s), _) => Some(s),
            (None, Ok(s)) if !s.is_empty() => Some(
                s.parse()
                    .with_context(|| format!("DOCKLAB_SEED={s:?} is not a whole number"))?,
            ),
            _ => None,
        };
        let clock_text = self.clock.clone().or_else(|| {
            std::env::var("DOCKLAB_CLOCK")
                .ok()
                .filter(|s| !s.is_empty())
        });
        let clock = match clock_text {
            None => Clock::system(),
            Some(text) => match Clock::parse_fixed(&text) {
                Ok(c) => c,
                Err(e) => bail!(
                    "--clock {text:?} is not an RFC 3339 time ({e}); for example 2026-01-01T12:00:00Z"
                ),
            },
        };
        Ok(Settings {
            state_dir,
            workspace,
            seed,
            clock,
            backend: self.backend,
        })
    }
}

//! The POSIX shell interpreter: the student's lab shell over the workspace today, and
//! container shells (busybox ash, dash, bash) over a container filesystem later.
//!
//! Owns: the shell language (`parse` → AST, `exec` → effects), the filesystem seam
//! (`Vfs`, with the `WorkspaceFs` jail), and the busybox-compatible utilities
//! (`programs`). It uses nothing outside `crate::engine` and never starts a host process:
//! whatever it cannot do itself goes through `Host`.

mod arith;
mod exec;
mod expand;
pub mod parse;
pub mod programs;
pub mod users;
pub mod vfs;

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

pub use crate::engine::streams::Streams;
pub use exec::State;
pub use parse::needs_more_input;
pub use programs::{Ctx, DefaultResolver, LabResolver, Program, ProgramResolver};
pub use vfs::{DirEntry, FileType, Metadata, Vfs, WorkspaceFs};

/// What the shell cannot do itself.
pub trait Host {
    /// Commands the shell does not implement (in the lab: `docker`, `edit`, `clear`...).
    /// Returns None if the host does not know the command either.
    fn run_external(
        &mut self,
        argv: &[String],
        env: &[(String, String)],
        cwd: &str,
        streams: Streams<'_>,
    ) -> Option<i32>;
    /// Script mode may skip real sleeping.
    fn sleep(&mut self, duration: Duration);
    /// `date`, touch mtimes and `ls -l` times come from here (fixed in tests).
    fn now(&self) -> chrono::DateTime<chrono::Utc>;
    /// A server program (nginx, the registry) starts listening on `port`.
    fn listen(&mut self, _port: u16, _program: &str) {}
    /// Where a connection to `localhost:port` really goes: the lab's published ports are
    /// served wherever the host had room. None: that port itself.
    fn forward(&mut self, _port: u16) -> Option<std::net::SocketAddr> {
        None
    }
    /// The engine's embedded DNS (Docker's `127.0.0.11`): the addresses `name` has on
    /// the networks this process's container is on (container names, `--network-alias`
    /// and compose service names; on the default bridge, none). Empty: no such name.
    fn lookup(&mut self, _name: &str) -> Vec<std::net::Ipv4Addr> {
        Vec::new()
    }
    /// A reverse lookup through the same DNS: `172.18.0.3` → `db.net1`.
    fn reverse_lookup(&mut self, _addr: std::net::Ipv4Addr) -> Option<String> {
        None
    }
    /// Where a TCP connection to another container's `addr:port` goes.
    fn route(&mut self, _addr: std::net::Ipv4Addr, _port: u16) -> Route {
        Route::Unreachable
    }
    /// The container's own addresses, one per network it is on (`eth0`, `eth1`...), with
    /// their prefix length; empty where the engine gives none (`--network none`, or the
    /// lab's own shell).
    fn addresses(&mut self) -> Vec<(std::net::Ipv4Addr, u8)> {
        Vec::new()
    }
}

/// Where a connection to an address on the container's networks ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// No container has that address on a network this one shares: packets go nowhere
    /// (ping loses them, a TCP connect times out).
    Unreachable,
    /// A running container has it, but nothing listens on that port: refused.
    Refused,
    /// Served here: connect to this address instead.
    Open(std::net::SocketAddr),
}

/// Which shell is being imitated; error wording differs per flavour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavour {
    Lab,
    Ash,
    Dash,
    Bash,
}

/// Settings that stay fixed for a shell's lifetime and are shared with child shells.
pub struct Config {
    pub flavour: Flavour,
    pub resolver: Box<dyn ProgramResolver + Send + Sync>,
    /// Set by the REPL on Ctrl-C; loops and long utilities check it and stop.
    pub interrupt: Arc<AtomicBool>,
    /// Terminal width for `ls` column layout; None means one entry per line, as
    /// busybox does when stdout is not a terminal.
    pub columns: Option<usize>,
}

/// A shell session: its filesystem, variables, functions and working directory.
pub struct Shell<F: Vfs> {
    fs: F,
    state: State,
    config: Config,
}

impl<F: Vfs> Shell<F> {
    pub fn new(fs: F, flavour: Flavour) -> Self {
        let resolver: Box<dyn ProgramResolver + Send + Sync> = match flavour {
            Flavour::Lab => Box::new(LabResolver),
            _ => Box::new(DefaultResolver),
        };
        Self::with_resolver(fs, flavour, resolver)
    }

    /// Container shells pass the resolver that knows which programs the image holds.
    pub fn with_resolver(
        fs: F,
        flavour: Flavour,
        resolver: Box<dyn ProgramResolver + Send + Sync>,
    ) -> Self {
        Shell {
            fs,
            state: State::new(flavour),
            config: Config {
                flavour,
                resolver,
                interrupt: Arc::new(AtomicBool::new(false)),
                columns: None,
            },
        }
    }

    /// Runs a whole input (possibly many lines) and returns the last exit status.
    pub fn run(&mut self, source: &str, host: &mut dyn Host, streams: Streams<'_>) -> i32 {
        let mut interp = exec::Interp {
            fs: &mut self.fs,
            host,
            config: &self.config,
            st: &mut self.state,
        };
        let status = interp.run_source(source, streams);
        // This call's stdin buffer is gone; so is any position in it.
        self.state.stdin_cursors.clear();
        status
    }

    /// Some(status) once `exit` has run.
    pub fn has_exited(&self) -> Option<i32> {
        self.state.exited
    }

    pub fn cwd(&self) -> &str {
        &self.state.cwd
    }

    /// Changes directory without output; errors if the directory does not exist.
    pub fn set_cwd(&mut self, path: &str) -> std::io::Result<()> {
        let abs = vfs::normalize(&self.state.cwd, path);
        if !self.fs.metadata(&abs)?.is_dir() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotADirectory,
                "Not a directory",
            ));
        }
        self.state.cwd = abs;
        Ok(())
    }

    pub fn fs(&self) -> &F {
        &self.fs
    }

    pub fn fs_mut(&mut self) -> &mut F {
        &mut self.fs
    }

    pub fn get_var(&self, name: &str) -> Option<&str> {
        self.state.get_var(name)
    }

    pub fn set_var(&mut self, name: &str, value: &str) {
        self.state.set_var(name, value);
    }

    pub fn export(&mut self, name: &str, value: &str) {
        self.state.set_var(name, value);
        self.state.export(name);
    }

    pub fn unset_var(&mut self, name: &str) {
        self.state.unset(name);
    }

    /// Exported variables, as a child process would receive them.
    pub fn environment(&self) -> Vec<(String, String)> {
        self.state.environment()
    }

    /// `$?` as a command outside the shell left it (an interactive container's exit).
    pub fn set_last_status(&mut self, status: i32) {
        self.state.last_status = status;
    }

    pub fn last_status(&self) -> i32 {
        self.state.last_status
    }

    pub fn set_positional(&mut self, arg0: &str, args: Vec<String>) {
        self.state.arg0 = arg0.to_string();
        self.state.positional = args;
    }

    /// The flag the REPL sets on Ctrl-C. The shell clears it when it stops.
    pub fn interrupt_flag(&self) -> Arc<AtomicBool> {
        self.config.interrupt.clone()
    }

    pub fn set_columns(&mut self, columns: Option<usize>) {
        self.config.columns = columns;
    }

    pub fn flavour(&self) -> Flavour {
        self.config.flavour
    }
}

/// A host for tests and headless runs: no external commands, no real sleeping, a
/// fixed clock.
pub struct NullHost {
    pub now: chrono::DateTime<chrono::Utc>,
    pub slept: Duration,
}

impl Default for NullHost {
    fn default() -> Self {
        NullHost {
            now: chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default(),
            slept: Duration::ZERO,
        }
    }
}

impl Host for NullHost {
    fn run_external(
        &mut self,
        _argv: &[String],
        _env: &[(String, String)],
        _cwd: &str,
        _streams: Streams<'_>,
    ) -> Option<i32> {
        None
    }
    fn sleep(&mut self, duration: Duration) {
        self.slept += duration;
    }
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.now
    }
}

pub(crate) fn write_err(w: &mut dyn Write, msg: std::fmt::Arguments<'_>) {
    let _ = w.write_fmt(msg);
    let _ = w.write_all(b"\n");
}

#[cfg(test)]
pub(crate) mod testutil {
    use super::*;

    pub struct Run {
        pub out: String,
        pub err: String,
        pub status: i32,
    }

    pub fn lab() -> (tempfile::TempDir, Shell<WorkspaceFs>) {
        shell(Flavour::Lab)
    }

    pub fn shell(flavour: Flavour) -> (tempfile::TempDir, Shell<WorkspaceFs>) {
        let dir = tempfile::tempdir().unwrap();
        let mut sh = Shell::new(WorkspaceFs::new(dir.path()), flavour);
        sh.export("HOME", "/");
        sh.export("PATH", "/usr/local/bin:/usr/bin:/bin");
        (dir, sh)
    }

    pub fn run(sh: &mut Shell<WorkspaceFs>, src: &str) -> Run {
        run_stdin(sh, src, b"")
    }

    pub fn run_stdin(sh: &mut Shell<WorkspaceFs>, src: &str, stdin: &[u8]) -> Run {
        let mut out = Vec::new();
        let mut err = Vec::new();
        let mut host = NullHost::default();
        let status = sh.run(src, &mut host, Streams::new(stdin, &mut out, &mut err));
        Run {
            out: String::from_utf8_lossy(&out).into_owned(),
            err: String::from_utf8_lossy(&err).into_owned(),
            status,
        }
    }

    /// Runs `src` in a fresh lab shell and returns (stdout, stderr, status).
    pub fn sh(src: &str) -> (String, String, i32) {
        let (_dir, mut s) = lab();
        let r = run(&mut s, src);
        (r.out, r.err, r.status)
    }
}

#[cfg(test)]
mod tests;

//! The docker command line: argument definitions (clap, in `args`), behaviour over
//! `trait Backend` (in `commands`), and Docker's output formats (in `format`).
//!
//! It sees the engine only through `Backend`, so every command works the same against
//! the embedded engine and a real daemon. Usage errors and help are rendered in the
//! words of Docker CLI 28 (cobra and pflag), not clap's.

pub mod args;
mod commands;
pub mod compose;
pub mod format;
pub mod jsonmessage;
mod parse;
pub mod ports;

pub use parse::completions;

use crate::backend::{Backend, BackendError};
use crate::engine::clock::Clock;
use crate::engine::streams::Streams;

/// What a docker command runs with.
pub struct Cli<'a> {
    pub backend: &'a mut dyn Backend,
    /// The client's own "now", for CREATED columns.
    pub clock: &'a Clock,
    /// The files on the client's side (the lab's workspace).
    pub files: &'a mut dyn ClientFiles,
    /// The client's environment (`DOCKER_BUILDKIT`, build-arg values).
    pub env: &'a [(String, String)],
    /// Set by `docker run -it ... sh` when the backend keeps the shell alive: the
    /// container's ID and its first prompt. The lab then sends typed lines there.
    pub session: Option<(String, String)>,
    /// Set when a person at a terminal presses Ctrl-C: `docker logs -f` and an attached
    /// server follow until then. None where nobody can press it (scripts, graders):
    /// following ends at once.
    pub interrupt: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
}

/// The client's files, as the docker CLI reads them from its working directory.
pub trait ClientFiles {
    /// The build context at `dir` as the CLI sends it: a tar of the directory's files
    /// (`.dockerignore` applied), and the Dockerfile's name inside it. `dockerfile` is
    /// `-f`'s path, relative to the working directory as the CLI reads it (`None`:
    /// `Dockerfile` in the context); one outside the context travels in the tar under
    /// a name of its own. Errors are the CLI's sentence after `unable to prepare context: `.
    fn context_tar(
        &mut self,
        dir: &str,
        dockerfile: Option<&str>,
    ) -> Result<(Vec<u8>, String), String>;
    /// A file's bytes (`docker load -i`).
    fn read_file(&mut self, path: &str) -> Result<Vec<u8>, String>;
    /// Writes a file (`docker save -o`).
    fn write_file(&mut self, path: &str, bytes: &[u8]) -> Result<(), String>;
    /// `Some(is_dir)` when `path` exists on the client's side.
    fn stat(&mut self, path: &str) -> Option<bool>;
    /// `path` as a tar whose root entry is called `root_name` (`docker cp` to a container).
    fn path_tar(&mut self, path: &str, root_name: &str) -> Result<Vec<u8>, String>;
    /// The host directory a bind mount's source names (`./site`, `~/site`, `/site`),
    /// created when missing as `-v` does; never outside the client's files.
    fn host_dir(&mut self, path: &str) -> Result<String, String> {
        Err(format!("{path}: bind mounts are not available here"))
    }
    /// Unpacks a tar into directory `dir`, its root entry renamed to `rename_root` if
    /// given (`docker cp` from a container). Nothing may land outside `dir`.
    fn extract(&mut self, dir: &str, tar: &[u8], rename_root: Option<&str>) -> Result<(), String>;
}

/// No client files at all: for callers that only list and inspect.
pub struct NoFiles;

impl ClientFiles for NoFiles {
    fn context_tar(
        &mut self,
        dir: &str,
        _dockerfile: Option<&str>,
    ) -> Result<(Vec<u8>, String), String> {
        Err(format!("path \"{dir}\" not found"))
    }
    fn stat(&mut self, _path: &str) -> Option<bool> {
        None
    }
    fn read_file(&mut self, path: &str) -> Result<Vec<u8>, String> {
        Err(format!("open {path}: no such file or directory"))
    }
    fn write_file(&mut self, path: &str, _bytes: &[u8]) -> Result<(), String> {
        Err(format!("open {path}: no such file or directory"))
    }
    fn path_tar(&mut self, path: &str, _root_name: &str) -> Result<Vec<u8>, String> {
        Err(format!("lstat {path}: no such file or directory"))
    }
    fn extract(
        &mut self,
        dir: &str,
        _tar: &[u8],
        _rename_root: Option<&str>,
    ) -> Result<(), String> {
        Err(format!("stat {dir}: no such file or directory"))
    }
}

/// How a command failed, rendered by `run` as the Docker CLI renders it.
#[derive(Debug)]
pub enum CliError {
    /// The daemon said no: `Error response from daemon: {message}`.
    Daemon(BackendError),
    /// Printed as it is (already in Docker's words).
    Message { text: String, code: i32 },
    /// Output could not be written.
    Io(std::io::Error),
}

impl From<BackendError> for CliError {
    fn from(e: BackendError) -> CliError {
        CliError::Daemon(e)
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> CliError {
        CliError::Io(e)
    }
}

impl CliError {
    pub fn message(text: impl Into<String>) -> CliError {
        CliError::Message {
            text: text.into(),
            code: 1,
        }
    }
}

/// Renders a daemon error as the CLI prints it.
pub fn daemon_error_text(e: &BackendError) -> String {
    match e {
        BackendError::Daemon { message, .. } => format!("Error response from daemon: {message}"),
        BackendError::Connection(message) => message.clone(),
    }
}

/// Runs `docker ARGS...` (without the word `docker`) and returns its exit status.
pub fn run(cli: &mut Cli<'_>, args: &[String], mut streams: Streams<'_>) -> i32 {
    let outcome = parse::dispatch(cli, args, streams.reborrow());
    match outcome {
        Ok(code) => code,
        Err(CliError::Daemon(e)) => {
            let _ = writeln!(streams.stderr, "{}", daemon_error_text(&e));
            1
        }
        Err(CliError::Message { text, code }) => {
            if !text.is_empty() {
                let _ = writeln!(streams.stderr, "{text}");
            }
            code
        }
        Err(CliError::Io(e)) => {
            let _ = writeln!(streams.stderr, "error writing output: {e}");
            1
        }
    }
}

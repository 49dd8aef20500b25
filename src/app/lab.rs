//! The lab: the student's shell over the workspace, with `docker` wired to the CLI over
//! a backend. Both the REPL and script mode drive one of these.

use super::options::{BackendKind, Settings};
use super::tools;
use crate::backend::Backend;
use crate::backend::docker::DockerBackend;
use crate::backend::embedded::EmbeddedBackend;
use crate::check::TranscriptEntry;
use crate::cli::{self, Cli, ClientFiles};
use crate::engine::clock::Clock;
use crate::engine::dockerfile::DockerIgnore;
use crate::engine::shared_layers::SharedLayers;
use crate::engine::shell::{Flavour, Host, Shell, Vfs, WorkspaceFs, vfs};
use crate::engine::streams::Streams;
use crate::engine::{Engine, EngineOptions};
use anyhow::Context;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How the lab is being driven: a person at a terminal, or a script.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Interactive,
    Script,
}

pub struct Lab {
    shell: Shell<WorkspaceFs>,
    host: LabHost,
    workspace: PathBuf,
    /// The engine's state directory (also where `undo` keeps its marks).
    state_dir: PathBuf,
    /// An interactive container the typed lines go to: its ID and prompt.
    session: Option<(String, String)>,
    /// Every command run, with its status and output: what checks and graders read.
    transcript: Vec<TranscriptEntry>,
    /// What checks learned that cannot change (files of content-addressed images).
    memo: crate::check::Memo,
}

/// What the shell cannot do itself: docker, and the lab's own words.
pub struct LabHost {
    backend: Box<dyn Backend>,
    /// A session `docker run -it` opened during the last command.
    opened_session: Option<(String, String)>,
    clock: Clock,
    mode: Mode,
    workspace: PathBuf,
    /// Set whenever a command's output reaches the lab's own stdout.
    terminal: Arc<AtomicBool>,
    /// The shell's Ctrl-C flag.
    interrupt: Arc<AtomicBool>,
}

/// The lab's stdout, noting in `reached` that output got there, and keeping the first
/// [`KEPT_OUTPUT`] bytes for the transcript.
struct Watched<'a> {
    inner: &'a mut dyn std::io::Write,
    reached: Option<&'a AtomicBool>,
    kept: Vec<u8>,
}

/// How much of a command's output the transcript keeps.
const KEPT_OUTPUT: usize = 64 << 10;

impl std::io::Write for Watched<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Some(reached) = self.reached {
            reached.store(true, Ordering::SeqCst);
        }
        let written = self.inner.write(buf)?;
        let room = KEPT_OUTPUT.saturating_sub(self.kept.len());
        self.kept.extend_from_slice(&buf[..written.min(room)]);
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl Lab {
    pub fn open(settings: &Settings, mode: Mode) -> anyhow::Result<Lab> {
        Lab::open_sharing(settings, mode, None)
    }

    /// A lab whose embedded engine shares layers with the other engines given the same
    /// set: for throwaway labs, which open the same images over and over.
    pub fn open_sharing(
        settings: &Settings,
        mode: Mode,
        shared_layers: Option<Arc<SharedLayers>>,
    ) -> anyhow::Result<Lab> {
        std::fs::create_dir_all(&settings.workspace).with_context(|| {
            format!(
                "cannot create the workspace {}",
                settings.workspace.display()
            )
        })?;
        let workspace = settings.workspace.canonicalize().with_context(|| {
            format!("cannot open the workspace {}", settings.workspace.display())
        })?;
        // This lab's own clock, shared with its engine: time passed here (`sleep`) is
        // passed there, and in no other lab opened with the same settings.
        let clock = settings.clock.independent();
        let backend: Box<dyn Backend> = match settings.backend {
            BackendKind::Embedded => Box::new(EmbeddedBackend::new(Engine::open(EngineOptions {
                state_dir: settings.state_dir.clone(),
                seed: settings.seed,
                clock: clock.clone(),
                publish_on_host: mode == Mode::Interactive,
                bind_root: Some(workspace.clone()),
                shared_layers,
            })?)),
            BackendKind::Docker => Box::new(DockerBackend::connect(None)?),
        };
        let mut shell = Shell::new(WorkspaceFs::new(&workspace), Flavour::Lab);
        shell.export("HOME", "/");
        shell.export("PATH", "/usr/local/bin:/usr/bin:/bin");
        shell.export("USER", "student");
        shell.export("PWD", "/");
        let interrupt = shell.interrupt_flag();
        Ok(Lab {
            shell,
            session: None,
            transcript: Vec::new(),
            memo: Default::default(),
            host: LabHost {
                backend,
                opened_session: None,
                clock,
                mode,
                workspace: workspace.clone(),
                terminal: Arc::new(AtomicBool::new(false)),
                interrupt,
            },
            workspace,
            state_dir: settings.state_dir.clone(),
        })
    }

    /// Runs one complete input (possibly several lines) and returns its status; the
    /// command, its status and its output join the transcript.
    pub fn execute(&mut self, input: &str, streams: Streams<'_>) -> i32 {
        let terminal = self.host.terminal.clone();
        let mut stdout = Watched {
            inner: streams.stdout,
            reached: Some(&terminal),
            kept: Vec::new(),
        };
        let mut stderr = Watched {
            inner: streams.stderr,
            reached: None,
            kept: Vec::new(),
        };
        let status =
            self.execute_watched(input, Streams::new(streams.stdin, &mut stdout, &mut stderr));
        self.transcript.push(TranscriptEntry {
            command: input.trim_end_matches(['\n', '\r']).to_string(),
            exit_code: status,
            stdout: String::from_utf8_lossy(&stdout.kept).into_owned(),
            stderr: String::from_utf8_lossy(&stderr.kept).into_owned(),
            edits: Default::default(),
        });
        status
    }

    fn execute_watched(&mut self, input: &str, mut streams: Streams<'_>) -> i32 {
        if let Some((id, _)) = self.session.clone() {
            return match self
                .host
                .backend
                .session_input(&id, input, streams.reborrow())
            {
                Ok(state) => match state.exited {
                    Some(code) => {
                        self.session = None;
                        // Back on the lab's side, `$?` is the container's exit code.
                        self.shell.set_last_status(code as i32);
                        code as i32
                    }
                    None => {
                        self.session = Some((id, state.prompt));
                        0
                    }
                },
                Err(e) => {
                    self.session = None;
                    let _ = writeln!(streams.stderr, "{}", cli::daemon_error_text(&e));
                    1
                }
            };
        }
        let status = self.shell.run(input, &mut self.host, streams);
        if let Some(session) = self.host.opened_session.take() {
            self.session = Some(session);
        }
        status
    }

    /// Leaves the container's shell running and returns to the lab (Ctrl-P Ctrl-Q);
    /// `docker attach` goes back in.
    pub fn detach(&mut self) {
        self.session = None;
    }

    /// Whether typed lines go to a container's shell.
    pub fn in_container(&self) -> bool {
        self.session.is_some()
    }

    /// Set once the student typed `exit`.
    pub fn has_exited(&self) -> Option<i32> {
        self.shell.has_exited()
    }

    /// `lab:~/sub$ `: the workspace root shows as `~`.
    pub fn prompt(&self) -> String {
        if let Some((_, prompt)) = &self.session {
            return prompt.clone();
        }
        let cwd = self.shell.cwd();
        let shown = if cwd == "/" {
            "~".to_string()
        } else {
            format!("~{cwd}")
        };
        format!("lab:{shown}$ ")
    }

    pub fn workspace(&self) -> &std::path::Path {
        &self.workspace
    }

    pub fn shell(&self) -> &Shell<WorkspaceFs> {
        &self.shell
    }

    pub fn interrupt_flag(&self) -> std::sync::Arc<std::sync::atomic::AtomicBool> {
        self.shell.interrupt_flag()
    }

    pub fn backend(&mut self) -> &mut dyn Backend {
        &mut *self.host.backend
    }

    /// The commands run so far.
    pub fn transcript(&self) -> &[TranscriptEntry] {
        &self.transcript
    }

    /// Takes over the transcript of another lab this one was copied from.
    pub fn restore_transcript(&mut self, transcript: Vec<TranscriptEntry>) {
        self.transcript = transcript;
    }

    /// Forgets the commands after the first `len`: they were undone.
    pub fn truncate_transcript(&mut self, len: usize) {
        self.transcript.truncate(len);
    }

    pub fn state_dir(&self) -> &std::path::Path {
        &self.state_dir
    }

    /// Forgets the commands run so far: a lesson's silent setup is not the student's.
    pub fn forget_transcript(&mut self) {
        self.transcript.clear();
    }

    /// Evaluates `check` against this lab's engine, workspace and transcript.
    pub fn evaluate(&mut self, check: &crate::check::Check) -> crate::check::Outcome {
        let mut context = crate::check::Context {
            backend: &mut *self.host.backend,
            workspace: &self.workspace,
            transcript: &self.transcript,
            memo: &mut self.memo,
        };
        crate::check::evaluate(check, &mut context)
    }
}

impl Host for LabHost {
    fn run_external(
        &mut self,
        argv: &[String],
        env: &[(String, String)],
        cwd: &str,
        streams: Streams<'_>,
    ) -> Option<i32> {
        match argv.first()?.as_str() {
            "docker" => {
                let mut files = WorkspaceFiles {
                    fs: WorkspaceFs::new(&self.workspace),
                    cwd: cwd.to_string(),
                    fixed_mtime: self.clock.fixed_now().map(|t| t.timestamp()),
                };
                let mut cli = Cli {
                    backend: &mut *self.backend,
                    clock: &self.clock,
                    files: &mut files,
                    env,
                    session: None,
                    interrupt: (self.mode == Mode::Interactive).then(|| self.interrupt.clone()),
                };
                let status = cli::run(&mut cli, &argv[1..], streams);
                self.opened_session = cli.session.take();
                Some(status)
            }
            "dive" => {
                // dive pulls a missing image with the docker command line.
                let (clock, workspace) = (&self.clock, &self.workspace);
                let mut pull = |backend: &mut dyn Backend, image: &str, streams: Streams<'_>| {
                    let mut files = WorkspaceFiles {
                        fs: WorkspaceFs::new(workspace),
                        cwd: cwd.to_string(),
                        fixed_mtime: None,
                    };
                    let mut cli = Cli {
                        backend,
                        clock,
                        files: &mut files,
                        env,
                        session: None,
                        interrupt: None,
                    };
                    cli::run(&mut cli, &["pull".to_string(), image.to_string()], streams)
                };
                let backend = &mut *self.backend;
                // A person at a terminal gets dive's full-screen view.
                let mut terminal = tools::dive_view::Terminal::new(self.terminal.clone());
                let view: Option<&mut dyn tools::dive::View> = (self.mode == Mode::Interactive
                    && std::io::stdout().is_terminal())
                .then_some(&mut terminal);
                Some(tools::dive(
                    backend,
                    &argv[1..],
                    env,
                    &mut pull,
                    view,
                    streams,
                ))
            }
            "whaler" => Some(tools::whaler(&mut *self.backend, &argv[1..], streams)),
            "clear" => {
                let _ = streams.stdout.write_all(b"\x1b[H\x1b[2J");
                Some(0)
            }
            "help" => {
                let _ = streams.stdout.write_all(LAB_HELP.as_bytes());
                Some(0)
            }
            "edit" => Some(self.edit(&argv[1..], cwd, streams)),
            _ => None,
        }
    }

    fn sleep(&mut self, duration: Duration) {
        // A script is replayed for its output, not its pacing: the backend lets the time
        // pass (the embedded engine on its clock, at once). At a terminal the student
        // waits; the system clock moves by itself, a fixed one is moved.
        if self.mode == Mode::Interactive {
            std::thread::sleep(duration);
            if self.clock.fixed_now().is_some() {
                self.clock.advance(duration);
            }
            self.backend.pass_time(Duration::ZERO);
        } else {
            self.backend.pass_time(duration);
        }
    }

    fn forward(&mut self, port: u16) -> Option<std::net::SocketAddr> {
        self.backend.published_address(port)
    }

    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }
}

impl LabHost {
    /// `edit FILE`: the one command that starts a host program, the student's editor, on
    /// the real file inside the workspace.
    fn edit(&mut self, args: &[String], cwd: &str, streams: Streams<'_>) -> i32 {
        let [file] = args else {
            let _ = writeln!(streams.stderr, "usage: edit FILE");
            return 2;
        };
        if self.mode == Mode::Script {
            let _ = writeln!(
                streams.stderr,
                "edit: not available in a script; write files with: cat > {file} <<'EOF'"
            );
            return 1;
        }
        let virtual_path = if file.starts_with('/') {
            file.clone()
        } else {
            format!("{}/{file}", cwd.trim_end_matches('/'))
        };
        let jail = WorkspaceFs::new(&self.workspace);
        let host_path = match jail.resolve(&virtual_path, true) {
            Ok(p) => p,
            Err(e) => {
                let _ = writeln!(streams.stderr, "edit: {file}: {e}");
                return 1;
            }
        };
        let editor = std::env::var("VISUAL")
            .or_else(|_| std::env::var("EDITOR"))
            .unwrap_or_else(|_| {
                if cfg!(windows) {
                    "notepad".into()
                } else {
                    "vi".into()
                }
            });
        let mut parts = editor.split_whitespace();
        let program = parts.next().unwrap_or("vi");
        match std::process::Command::new(program)
            .args(parts)
            .arg(&host_path)
            .status()
        {
            Ok(status) => status.code().unwrap_or(1),
            Err(e) => {
                let _ = writeln!(
                    streams.stderr,
                    "edit: cannot start {program}: {e}; set EDITOR, or edit {} in any editor",
                    host_path.display()
                );
                1
            }
        }
    }
}

/// The docker CLI's view of the workspace: what it reads for `docker build`.
struct WorkspaceFiles {
    fs: WorkspaceFs,
    cwd: String,
    /// With a fixed clock, every context file carries that time, so a build's layers
    /// (and image IDs) are the same on every run, as `SOURCE_DATE_EPOCH` makes them.
    fixed_mtime: Option<i64>,
}

impl ClientFiles for WorkspaceFiles {
    fn read_file(&mut self, path: &str) -> Result<Vec<u8>, String> {
        self.fs
            .read(&vfs::normalize(&self.cwd, path))
            .map_err(|_| format!("open {path}: no such file or directory"))
    }

    fn write_file(&mut self, path: &str, bytes: &[u8]) -> Result<(), String> {
        self.fs
            .write(&vfs::normalize(&self.cwd, path), bytes, false)
            .map_err(|e| format!("failed to save image: open {path}: {e}"))
    }

    fn stat(&mut self, path: &str) -> Option<bool> {
        self.fs
            .metadata(&vfs::normalize(&self.cwd, path))
            .ok()
            .map(|m| m.is_dir())
    }

    fn host_dir(&mut self, path: &str) -> Result<String, String> {
        // In the lab `~` is the workspace, which is also `/`.
        let path_in_lab = match path.strip_prefix('~') {
            Some(rest) if rest.is_empty() || rest.starts_with('/') => format!("/{rest}"),
            _ => path.to_string(),
        };
        let full = vfs::normalize(&self.cwd, &path_in_lab);
        // Missing directories are made, as `-v` makes them; what cannot be is said below.
        let _ = vfs::create_dir_all(&mut self.fs, &full);
        if !self.fs.metadata(&full).is_ok_and(|m| m.is_dir()) {
            return Err(format!(
                "Error response from daemon: invalid mount config for type \"bind\": bind source path does not exist: {path}"
            ));
        }
        self.fs
            .resolve(&full, true)
            .map(|p| p.display().to_string())
            .map_err(|e| format!("{path}: {e}"))
    }

    fn path_tar(&mut self, path: &str, root_name: &str) -> Result<Vec<u8>, String> {
        let full = vfs::normalize(&self.cwd, path);
        let meta = self
            .fs
            .metadata(&full)
            .map_err(|_| format!("lstat {full}: no such file or directory"))?;
        let mut builder = tar::Builder::new(Vec::new());
        let mut header = tar::Header::new_ustar();
        header.set_mode(meta.mode & 0o7777);
        header.set_mtime(self.fixed_mtime.unwrap_or(meta.mtime).max(0) as u64);
        if meta.is_dir() {
            header.set_entry_type(tar::EntryType::Directory);
            header.set_size(0);
            builder
                .append_data(&mut header, format!("{root_name}/"), std::io::empty())
                .map_err(|e| e.to_string())?;
            append_dir(
                &self.fs,
                &full,
                &format!("{root_name}/"),
                &|_| true,
                self.fixed_mtime,
                &mut builder,
            )
            .map_err(|e| e.to_string())?;
        } else {
            let data = self.fs.read(&full).map_err(|e| e.to_string())?;
            header.set_entry_type(tar::EntryType::Regular);
            header.set_size(data.len() as u64);
            builder
                .append_data(&mut header, root_name, data.as_slice())
                .map_err(|e| e.to_string())?;
        }
        builder.into_inner().map_err(|e| e.to_string())
    }

    fn extract(&mut self, dir: &str, tar: &[u8], rename_root: Option<&str>) -> Result<(), String> {
        let dir = vfs::normalize(&self.cwd, dir);
        let mut archive = tar::Archive::new(tar);
        for entry in archive.entries().map_err(|e| e.to_string())? {
            let mut entry = entry.map_err(|e| e.to_string())?;
            let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            let mut parts: Vec<&str> = raw
                .split('/')
                .filter(|p| !p.is_empty() && *p != ".")
                .collect();
            if parts.is_empty() {
                continue;
            }
            if let Some(name) = rename_root {
                parts[0] = name;
            }
            // `normalize` keeps `..` inside the jail; this keeps it inside `dir` too.
            let target = vfs::normalize(&dir, &parts.join("/"));
            if !(target == dir || target.starts_with(&format!("{}/", dir.trim_end_matches('/')))) {
                return Err(format!("{raw}: path escapes the destination"));
            }
            let mode = entry.header().mode().unwrap_or(0o644);
            match entry.header().entry_type() {
                tar::EntryType::Directory => {
                    if self.fs.metadata(&target).is_err() {
                        self.fs.create_dir(&target).map_err(|e| e.to_string())?;
                    }
                }
                tar::EntryType::Symlink => {
                    let link = entry
                        .link_name_bytes()
                        .map(|l| String::from_utf8_lossy(&l).into_owned())
                        .unwrap_or_default();
                    let _ = self.fs.remove_file(&target);
                    self.fs.symlink(&link, &target).map_err(|e| e.to_string())?;
                }
                _ => {
                    let mut data = Vec::new();
                    std::io::Read::read_to_end(&mut entry, &mut data).map_err(|e| e.to_string())?;
                    self.fs
                        .write(&target, &data, false)
                        .map_err(|e| e.to_string())?;
                }
            }
            let _ = self.fs.set_mode(&target, mode & 0o7777);
        }
        Ok(())
    }

    fn context_tar(
        &mut self,
        dir: &str,
        dockerfile: Option<&str>,
    ) -> Result<(Vec<u8>, String), String> {
        let root = vfs::normalize(&self.cwd, dir);
        if !self.fs.metadata(&root).map(|m| m.is_dir()).unwrap_or(false) {
            return Err(format!("path \"{dir}\" not found"));
        }
        // `-f` is relative to the working directory, not to the context.
        let dockerfile_path = match dockerfile {
            Some(file) => vfs::normalize(&self.cwd, file),
            None => vfs::normalize(&root, "Dockerfile"),
        };
        if self.fs.symlink_metadata(&dockerfile_path).is_err() {
            return Err(format!(
                "unable to evaluate symlinks in Dockerfile path: lstat {dockerfile_path}: no such file or directory"
            ));
        }
        let inside = if root == "/" {
            dockerfile_path.strip_prefix('/')
        } else {
            dockerfile_path
                .strip_prefix(root.as_str())
                .and_then(|rest| rest.strip_prefix('/'))
        };
        // A Dockerfile outside the context travels in it under a name of its own, as
        // the CLI adds it (`.dockerfile.` and 20 hex digits).
        let (name, outside) = match inside {
            Some(rel) => (rel.to_string(), None),
            None => {
                let data = self
                    .fs
                    .read(&dockerfile_path)
                    .map_err(|e| format!("{dockerfile_path}: {e}"))?;
                let id = crate::engine::digest::Digest::sha256(&data);
                (format!(".dockerfile.{}", &id.hex()[..20]), Some(data))
            }
        };
        // The CLI applies .dockerignore itself, and always sends the Dockerfile and the
        // .dockerignore file, whatever the patterns say.
        let ignore = self
            .fs
            .read(&vfs::normalize(&root, ".dockerignore"))
            .map(|bytes| DockerIgnore::parse(&String::from_utf8_lossy(&bytes)))
            .unwrap_or_else(|_| DockerIgnore::parse(""));
        let keep = |rel: &str| rel == name || rel == ".dockerignore" || !ignore.ignored(rel);
        let mut builder = tar::Builder::new(Vec::new());
        append_dir(&self.fs, &root, "", &keep, self.fixed_mtime, &mut builder)
            .map_err(|e| e.to_string())?;
        if let Some(data) = outside {
            let mut header = tar::Header::new_ustar();
            header.set_mode(0o600);
            header.set_mtime(self.fixed_mtime.unwrap_or(0).max(0) as u64);
            header.set_entry_type(tar::EntryType::Regular);
            header.set_size(data.len() as u64);
            builder
                .append_data(&mut header, &name, data.as_slice())
                .map_err(|e| e.to_string())?;
        }
        let tar = builder.into_inner().map_err(|e| e.to_string())?;
        Ok((tar, name))
    }
}

/// Adds `dir`'s entries, sorted, under `prefix`, as the CLI's context archive holds them:
/// owned by root, modes and times kept, symlinks as links.
fn append_dir(
    fs: &WorkspaceFs,
    dir: &str,
    prefix: &str,
    keep: &dyn Fn(&str) -> bool,
    fixed_mtime: Option<i64>,
    builder: &mut tar::Builder<Vec<u8>>,
) -> std::io::Result<()> {
    for entry in fs.read_dir(dir)? {
        let path = format!("{}/{}", dir.trim_end_matches('/'), entry.name);
        let name = format!("{prefix}{}", entry.name);
        if !keep(&name) {
            // An excluded directory may still hold re-included files (`!dir/keep`).
            if fs.metadata(&path).map(|m| m.is_dir()).unwrap_or(false) {
                append_dir(fs, &path, &format!("{name}/"), keep, fixed_mtime, builder)?;
            }
            continue;
        }
        let meta = fs.symlink_metadata(&path)?;
        let mut header = tar::Header::new_ustar();
        header.set_mode(meta.mode & 0o7777);
        header.set_mtime(fixed_mtime.unwrap_or(meta.mtime).max(0) as u64);
        header.set_uid(0);
        header.set_gid(0);
        if meta.is_symlink() {
            header.set_entry_type(tar::EntryType::Symlink);
            header.set_size(0);
            builder.append_link(&mut header, &name, fs.read_link(&path)?)?;
        } else if meta.is_dir() {
            header.set_entry_type(tar::EntryType::Directory);
            header.set_size(0);
            builder.append_data(&mut header, format!("{name}/"), std::io::empty())?;
            append_dir(fs, &path, &format!("{name}/"), keep, fixed_mtime, builder)?;
        } else {
            let data = fs.read(&path)?;
            header.set_entry_type(tar::EntryType::Regular);
            header.set_size(data.len() as u64);
            builder.append_data(&mut header, &name, data.as_slice())?;
        }
    }
    Ok(())
}

const LAB_HELP: &str = "\
The lab shell: your workspace is `~`; `docker ...` runs on the lab's Docker engine.

  docker COMMAND ...   images, pull, tag, rmi, run, ps, rm, search, history, inspect, ...
  edit FILE            open FILE in your editor ($EDITOR)
  dive IMAGE           explore an image's layers and wasted space (--ci, --layer N)
  whaler IMAGE         rebuild an image's Dockerfile; list its secrets, env, ports, user
  ls cat echo printf touch mkdir rm cp mv ln chmod pwd cd head tail wc grep sed sort
  uniq tr cut tee find du env export test date sleep seq basename dirname xargs curl awk
  clear, help, exit
";

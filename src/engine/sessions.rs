//! Interactive containers (`docker run -it IMAGE sh`): a shell kept alive inside the
//! container between the lines the student types, with its prompt and its history
//! file, until `exit`.

use super::Engine;
use super::error::{EngineError, Result};
use super::fs::Snapshot;
use super::runtime::ContainerHost;
use super::runtime::Status;
use super::shell::{Flavour, Shell, Vfs};
use super::streams::{Interleaved, Streams};

/// A live interactive shell and what it needs between inputs.
pub struct Session {
    shell: Shell<Snapshot>,
    history_file: String,
    /// Opened by `docker exec -it`: its end is not the container's.
    exec: bool,
}

/// Where a session stands after some input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionState {
    /// The prompt to show next.
    pub prompt: String,
    /// Set once the shell has exited, with its status.
    pub exited: Option<i64>,
}

impl Engine {
    /// Starts an interactive shell as container `key`'s process. Only shells can run
    /// this way; anything else runs to completion as usual (`None`).
    pub fn session_start(&mut self, key: &str) -> Result<Option<SessionState>> {
        let record = self
            .containers
            .find(key)
            .ok_or_else(|| EngineError::NoSuchContainer(key.to_string()))?
            .clone();
        let program = record.path.clone();
        self.open_session(key, &program, &record.args, false)
    }

    /// `docker exec -it CONTAINER sh`: a shell in a running container.
    pub fn exec_session_start(
        &mut self,
        key: &str,
        argv: &[String],
    ) -> Result<Option<SessionState>> {
        self.refuse_exec_if_paused(key)?;
        let record = self
            .containers
            .find(key)
            .ok_or_else(|| EngineError::NoSuchContainer(key.to_string()))?
            .clone();
        if !record.is_running() {
            return Err(EngineError::Conflict(format!(
                "container {} is not running",
                record.id
            )));
        }
        if self.sessions.contains_key(&record.id) {
            return Err(EngineError::Conflict(
                "docklab keeps one interactive shell per container".into(),
            ));
        }
        let Some((program, args)) = argv.split_first() else {
            return Ok(None);
        };
        self.open_session(key, program, args, true)
    }

    fn open_session(
        &mut self,
        key: &str,
        program: &str,
        args: &[String],
        exec: bool,
    ) -> Result<Option<SessionState>> {
        let record = self
            .containers
            .find(key)
            .ok_or_else(|| EngineError::NoSuchContainer(key.to_string()))?
            .clone();
        let shell_program = program.rsplit('/').next().unwrap_or("");
        if !matches!(shell_program, "sh" | "ash" | "bash" | "dash") || !args.is_empty() {
            return Ok(None);
        }
        let snapshot = self.mounted_snapshot(&record.id)?;
        if !snapshot.exists(program) && program.contains('/') {
            return Ok(None);
        }
        let flavour = match shell_program {
            "bash" => Flavour::Bash,
            _ => super::runtime::flavour_of(&snapshot),
        };
        let shell = super::containers_api::process_shell(
            &record,
            snapshot,
            flavour,
            &super::containers_api::ProcessSpec::default(),
        )
        .map_err(EngineError::StartFailed)?;
        // Both shells keep their history in the user's home.
        let home = shell.get_var("HOME").unwrap_or("/").trim_end_matches('/');
        let history_file = match flavour {
            Flavour::Bash => format!("{home}/.bash_history"),
            _ => format!("{home}/.ash_history"),
        };
        if !exec {
            // The container starts: its endpoints get their addresses.
            if let Err(e) = self.attach_endpoints(&record.id) {
                self.release_endpoints(&record.id);
                return Err(e);
            }
            let now = self.now_rfc3339();
            let c = self.containers.get_mut(&record.id).expect("found above");
            c.status = Status::Running;
            c.started_at = Some(now);
            self.save()?;
        }
        let prompt = prompt_of(&shell, &record.hostname());
        self.sessions.insert(
            record.id.clone(),
            Session {
                shell,
                history_file,
                exec,
            },
        );
        Ok(Some(SessionState {
            prompt,
            exited: None,
        }))
    }

    /// After another process (`exec`, `cp`) changed the container's files, its
    /// interactive shell sees them too.
    pub(super) fn refresh_session(&mut self, id: &str) -> Result<()> {
        if !self.sessions.contains_key(id) {
            return Ok(());
        }
        let mut snapshot = self.mounted_snapshot(id)?;
        let session = self.sessions.get_mut(id).expect("checked above");
        let (uid, gid) = session.shell.fs().owner();
        snapshot.set_owner(uid, gid);
        *session.shell.fs_mut() = snapshot;
        Ok(())
    }

    /// `docker attach`: the container's own interactive shell, if it has one, to type
    /// into again.
    pub fn session_attach(&self, key: &str) -> Result<Option<SessionState>> {
        let record = self
            .containers
            .find(key)
            .ok_or_else(|| EngineError::NoSuchContainer(key.to_string()))?;
        Ok(self
            .sessions
            .get(&record.id)
            .filter(|s| !s.exec)
            .map(|s| SessionState {
                prompt: prompt_of(&s.shell, &record.hostname()),
                exited: None,
            }))
    }

    /// Runs one input line (or several, for an unfinished command) in the session.
    pub fn session_input(
        &mut self,
        key: &str,
        input: &str,
        mut streams: Streams<'_>,
    ) -> Result<SessionState> {
        let id = self
            .containers
            .find(key)
            .map(|c| c.id.clone())
            .ok_or_else(|| EngineError::NoSuchContainer(key.to_string()))?;
        let mut session = self.sessions.remove(&id).ok_or_else(|| {
            EngineError::Conflict(format!("container {id} has no interactive session"))
        })?;
        let log = Interleaved::default();
        let mut out = log.writer(1);
        let mut err = log.writer(2);
        let mut host = ContainerHost::new(self.clock.now());
        host.peers = std::sync::Arc::new(self.peers_for(&id));
        let status = session.shell.run(
            input,
            &mut host,
            Streams::new(streams.stdin, &mut out, &mut err),
        );
        // The shell keeps its history as it goes, as busybox ash and bash do.
        let line = input.trim_end_matches('\n');
        if !line.trim().is_empty() {
            let file = session.history_file.clone();
            let _ = session
                .shell
                .fs_mut()
                .write(&file, format!("{line}\n").as_bytes(), true);
        }
        self.save_upper(&id, session.shell.fs())?;
        let now = self.now_rfc3339();
        let c = self.containers.get_mut(&id).expect("found above");
        c.log_output(log.chunks(), &mut streams, &now)?;
        if let Some(code) = session.shell.has_exited()
            && session.exec
        {
            // An exec'd shell ends; the container goes on.
            return Ok(SessionState {
                prompt: String::new(),
                exited: Some(i64::from(code)),
            });
        }
        if let Some(code) = session.shell.has_exited() {
            let now = self.now_rfc3339();
            let c = self.containers.get_mut(&id).expect("found above");
            c.status = Status::Exited;
            c.exit_code = i64::from(code);
            c.finished_at = Some(now);
            self.release_endpoints(&id);
            let c = self.containers.get_mut(&id).expect("found above");
            let auto_remove = c
                .config
                .host_config
                .as_ref()
                .and_then(|h| h.auto_remove)
                .unwrap_or(false);
            self.save()?;
            // `docker run --rm -it`: the container goes when its shell does.
            if auto_remove {
                self.remove_container(&id, true, true)?;
            }
            return Ok(SessionState {
                prompt: String::new(),
                exited: Some(i64::from(code)),
            });
        }
        let _ = status;
        let hostname = self
            .containers
            .find(&id)
            .map(|c| c.hostname())
            .unwrap_or_default();
        let prompt = prompt_of(&session.shell, &hostname);
        self.sessions.insert(id, session);
        self.save()?;
        Ok(SessionState {
            prompt,
            exited: None,
        })
    }
}

/// The prompt each shell shows by default when not a login shell: busybox ash
/// `/usr/src/app # `, dash `# `, bash `root@<hostname>:/# `.
fn prompt_of(shell: &Shell<Snapshot>, hostname: &str) -> String {
    let cwd = shell.cwd().to_string();
    match shell.flavour() {
        Flavour::Bash => {
            let shown = if cwd == "/root" { "~".to_string() } else { cwd };
            format!("root@{hostname}:{shown}# ")
        }
        Flavour::Dash => "# ".to_string(),
        _ => format!("{cwd} # "),
    }
}

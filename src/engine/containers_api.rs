//! The engine's container endpoints: create, start and run, list, inspect, remove.

use super::content::atomic_write;
use super::error::{EngineError, Result};
use super::fs::{ChangeKind, Layer, Snapshot};
use super::runtime::ContainerHost;
use super::runtime::programs::{self, Invocation};
use super::runtime::{ContainerRecord, LogsOptions, Status, valid_name};
use super::shell::{DefaultResolver, Flavour, Shell, Vfs};
use super::streams::{Interleaved, Streams};
use super::{Engine, names, units};
use bollard_stubs::models::{
    ChangeType, ContainerConfig, ContainerCreateBody, ContainerCreateResponse,
    ContainerInspectResponse, ContainerState, ContainerStateStatusEnum, ContainerSummary,
    ContainerSummaryStateEnum, FilesystemChange,
};
use std::collections::HashMap;

/// How long a detached container's process is interpreted before one that is still
/// computing counts as running (in the background, from then on).
const DETACHED_FIRST_RUN: std::time::Duration = std::time::Duration::from_secs(2);

const DEFAULT_PATH: &str = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

impl Engine {
    /// `POST /containers/create?name=`.
    pub fn create_container(
        &mut self,
        name: Option<&str>,
        body: ContainerCreateBody,
    ) -> Result<ContainerCreateResponse> {
        super::health::validate(body.healthcheck.as_ref())?;
        let image_name = body.image.clone().unwrap_or_default();
        if image_name.is_empty() {
            return Err(EngineError::BadRequest("No image specified".into()));
        }
        let (image_id, _) = self.images.lookup(&image_name)?;
        let image = self
            .images
            .get(&image_id)
            .expect("lookup returns stored images");
        let image_config = self.config_of(image)?.config.unwrap_or_default();

        let name = match name.filter(|n| !n.is_empty()) {
            Some(n) => {
                if !valid_name(n) {
                    return Err(EngineError::BadRequest(format!(
                        "Invalid container name ({n}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"
                    )));
                }
                let n = n.trim_start_matches('/').to_string();
                if let Some(other) = self.containers.by_name(&n) {
                    return Err(EngineError::Conflict(format!(
                        "Conflict. The container name \"/{n}\" is already in use by container \"{}\". You have to remove (or rename) that container to be able to reuse that name.",
                        other.id
                    )));
                }
                n
            }
            None => self.generate_name(),
        };

        let mut config = body;
        // Docker's merge: an --entrypoint given resets the image's CMD as well.
        let entrypoint_given = config.entrypoint.is_some();
        if config.entrypoint.is_none() {
            config.entrypoint = image_config.entrypoint.clone();
        }
        if config.cmd.as_ref().is_none_or(|c| c.is_empty()) && !entrypoint_given {
            config.cmd = image_config.cmd.clone();
        }
        let mut env = image_config.env.clone().unwrap_or_default();
        for var in config.env.take().unwrap_or_default() {
            let key = var.split('=').next().unwrap_or("").to_string();
            env.retain(|e| e.split('=').next() != Some(&key));
            env.push(var);
        }
        // The daemon gives every container a PATH, first, when nothing else set one.
        if !env.iter().any(|e| e.starts_with("PATH=")) {
            env.insert(0, DEFAULT_PATH.into());
        }
        config.env = Some(env);
        if config.working_dir.as_deref().is_none_or(str::is_empty) {
            config.working_dir = image_config.working_dir.clone().filter(|w| !w.is_empty());
        }
        if config.user.is_none() {
            config.user = image_config.user.clone();
        }
        super::ports::validate_restart_policy(config.host_config.as_ref())?;
        // Exposed ports: the image's, those asked for, and every published one.
        let mut exposed: Vec<String> = Vec::new();
        let published = config
            .host_config
            .as_ref()
            .and_then(|h| h.port_bindings.as_ref())
            .map(|b| b.keys().cloned().collect::<Vec<_>>())
            .unwrap_or_default();
        for key in image_config
            .exposed_ports
            .clone()
            .unwrap_or_default()
            .into_iter()
            .chain(config.exposed_ports.take().unwrap_or_default())
            .chain(published)
        {
            if let Some((port, proto)) = super::ports::parse_port_key(&key) {
                let key = format!("{port}/{proto}");
                if !exposed.contains(&key) {
                    exposed.push(key);
                }
            }
        }
        config.exposed_ports = (!exposed.is_empty()).then_some(exposed);
        if config.labels.is_none() {
            config.labels = image_config.labels.clone();
        }
        super::health::merge(&mut config, image_config.healthcheck.as_ref());
        // The image's VOLUMEs and those asked for (`-v /path`): each gets an anonymous
        // volume unless a named one is mounted there, as the daemon does.
        let mut volumes = image_config.volumes.clone().unwrap_or_default();
        for target in config.volumes.take().unwrap_or_default() {
            if !volumes.contains(&target) {
                volumes.push(target);
            }
        }
        config.volumes = (!volumes.is_empty()).then_some(volumes);
        config.image = Some(image_name.clone());
        let mut argv: Vec<String> = config.entrypoint.clone().unwrap_or_default();
        argv.extend(config.cmd.clone().unwrap_or_default());
        if argv.is_empty() {
            return Err(EngineError::BadRequest("No command specified".into()));
        }
        let mounts = self.mounts_of(&config)?;
        let endpoints = self.requested_endpoints(&mut config)?;
        let mut warnings = Vec::new();
        if let Some(h) = config.host_config.as_mut()
            && h.network_mode.as_deref() == Some("host")
            && h.port_bindings.as_ref().is_some_and(|b| !b.is_empty())
        {
            warnings.push("Published ports are discarded when using host network mode".into());
            h.port_bindings = None;
            h.publish_all_ports = Some(false);
        }
        let id = loop {
            let id = self.ids.hex_id();
            if self.containers.find(&id).is_none() {
                break id;
            }
        };
        let record = ContainerRecord {
            id: id.clone(),
            name,
            image: image_name,
            image_id,
            config,
            path: argv[0].clone(),
            args: argv[1..].to_vec(),
            created: self.now_rfc3339(),
            status: Status::Created,
            exit_code: 0,
            error: String::new(),
            started_at: None,
            finished_at: None,
            logs: Vec::new(),
            ports: Vec::new(),
            listening: Vec::new(),
            restart_count: 0,
            health: None,
            mounts,
            endpoints,
        };
        self.containers.insert(record);
        self.save()?;
        Ok(ContainerCreateResponse { id, warnings })
    }

    /// moby's generator, retried (with a digit appended, as moby does on retries) until
    /// the name is free.
    fn generate_name(&mut self) -> String {
        let mut retry = 0;
        loop {
            let candidate = names::generate(self.ids.rng(), retry);
            if self.containers.by_name(&candidate).is_none() {
                return candidate;
            }
            retry += 1;
        }
    }

    fn container(&self, key: &str) -> Result<&ContainerRecord> {
        self.containers
            .find(key)
            .ok_or_else(|| EngineError::NoSuchContainer(key.to_string()))
    }

    /// `POST /containers/{id}/start` for a container that runs to completion: its output
    /// is kept as its log.
    pub fn start_container(&mut self, key: &str) -> Result<i64> {
        let mut sink = Vec::new();
        let mut errors = Vec::new();
        self.execute_container(key, Streams::new(&[], &mut sink, &mut errors), true)
    }

    /// Start, attach and wait: the program's output goes to `streams` and to the log.
    pub fn run_container(&mut self, key: &str, streams: Streams<'_>) -> Result<i64> {
        self.execute_container(key, streams, false)
    }

    /// Runs the container's process. Detached, a process that starts waiting (`sleep`)
    /// is left running there; attached, waits take no time.
    pub(super) fn execute_container(
        &mut self,
        key: &str,
        mut streams: Streams<'_>,
        detached: bool,
    ) -> Result<i64> {
        let id = self.container(key)?.id.clone();
        let record = self.containers.find(&id).expect("found above").clone();
        if record.status == Status::Paused {
            return Err(EngineError::Conflict(
                "cannot start a paused container, try unpause instead".into(),
            ));
        }
        if record.is_running() {
            return Ok(0);
        }
        let snapshot = self.mounted_snapshot(&id)?;
        let env = record.config.env.clone().unwrap_or_default();
        let workdir = record
            .config
            .working_dir
            .clone()
            .filter(|w| !w.is_empty())
            .unwrap_or_else(|| "/".into());
        let path = match find_executable(&snapshot, &record.path, &env, &workdir) {
            Ok(path) => path,
            Err(message) => return self.fail_start(&id, 127, message),
        };
        let ports = match self.allocate_ports(&id) {
            Ok(ports) => ports,
            Err(e) => {
                let c = self.containers.get_mut(&id).expect("found above");
                c.error = e.to_string();
                self.save()?;
                return Err(e);
            }
        };
        if let Err(e) = self.attach_endpoints(&id) {
            self.release_endpoints(&id);
            let c = self.containers.get_mut(&id).expect("found above");
            c.error = e.to_string();
            self.save()?;
            return Err(e);
        }
        let peers = std::sync::Arc::new(self.peers_for(&id));
        let head = snapshot.read(&path).unwrap_or_default();
        let program = super::program::identify(&head[..head.len().min(256)]).map(str::to_string);
        let mut argv = vec![record.path.clone()];
        argv.extend(record.args.iter().cloned());
        let started = self.now_rfc3339();
        let log = Interleaved::default();
        let mut out = log.writer(1);
        let mut err = log.writer(2);
        let blocked = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let mut listening = Vec::new();
        let native = program.as_deref().and_then(|name| {
            programs::run(
                name,
                &Invocation {
                    argv: &argv,
                    env: &env,
                },
                Streams::new(streams.stdin, &mut out, &mut err),
            )
        });
        let exit = match native {
            Some(exit) => exit,
            None if runs_in_shell(program.as_deref(), &path) => {
                // Everything else the image can run goes through the container's shell:
                // busybox applets, installed programs, shells and scripts.
                let flavour = super::runtime::flavour_of(&snapshot);
                let shell = process_shell(&record, snapshot, flavour, &ProcessSpec::default());
                let mut shell = match shell {
                    Ok(shell) => shell,
                    Err(message) => return self.fail_start(&id, 128, message),
                };
                let mut host = ContainerHost::new(self.clock.now());
                host.peers = peers.clone();
                host.blocking = Some((shell.interrupt_flag(), blocked.clone()));
                host.detached = detached;
                let line = argv
                    .iter()
                    .map(|a| super::runtime::shell_quote(a))
                    .collect::<Vec<_>>()
                    .join(" ");
                {
                    let mut run = || {
                        shell.run(
                            &line,
                            &mut host,
                            Streams::new(streams.stdin, &mut out, &mut err),
                        )
                    };
                    // Nobody waits for a detached process: one that keeps computing
                    // (`while true; do :; done`) is running, as far as anyone can tell,
                    // once it has had its moment, and `docker run -d` returns.
                    let status = if detached {
                        let (status, spent) = super::budget::measured(
                            super::budget::Limits {
                                time: DETACHED_FIRST_RUN,
                                memory: None,
                            },
                            run,
                        );
                        if matches!(spent.exceeded, Some(super::budget::Exceeded::Time(_))) {
                            blocked.store(true, std::sync::atomic::Ordering::SeqCst);
                        }
                        status
                    } else {
                        run()
                    };
                    self.save_upper(&id, shell.fs())?;
                    listening = std::mem::take(&mut host.listening);
                    i64::from(status)
                }
            }
            None => {
                let message = format!(
                    "failed to create task for container: docklab cannot run {} in a container yet",
                    record.path
                );
                self.release_endpoints(&id);
                let c = self.containers.get_mut(&id).expect("found above");
                c.exit_code = 126;
                c.error = message.clone();
                self.save()?;
                return Err(EngineError::StartFailed(message));
            }
        };
        let finished = self.now_rfc3339();
        let c = self.containers.get_mut(&id).expect("found above");
        c.log_output(log.chunks(), &mut streams, &finished)?;
        c.started_at = Some(started);
        if blocked.load(std::sync::atomic::Ordering::SeqCst) {
            // Still running: waiting, as far as anyone can tell.
            c.status = Status::Running;
            c.exit_code = 0;
            c.finished_at = None;
            c.ports = ports;
            c.listening = listening;
            c.error.clear();
            if let Err(e) = self.open_ports(&id) {
                // The host refused even an ephemeral port: the container cannot run.
                self.close_ports(&id);
                let c = self.containers.get_mut(&id).expect("found above");
                c.status = Status::Exited;
                c.exit_code = 128;
                c.error = e.to_string();
                self.save()?;
                return Err(EngineError::StartFailed(e.to_string()));
            }
            self.save()?;
            return Ok(0);
        }
        c.status = Status::Exited;
        c.exit_code = exit;
        c.finished_at = Some(finished);
        self.release_endpoints(&id);
        self.save()?;
        self.apply_restart_policy(&id, exit)?;
        Ok(exit)
    }

    /// What the daemon does when the process ends: `on-failure:N` runs it again, up to N
    /// times, while it fails; `always`, `unless-stopped` and an unbounded `on-failure`
    /// keep restarting it, which the lab shows as `Restarting (code)` until it is stopped.
    fn apply_restart_policy(&mut self, id: &str, exit: i64) -> Result<()> {
        use bollard_stubs::models::RestartPolicyNameEnum as Policy;
        let Some(c) = self.containers.find(id) else {
            return Ok(());
        };
        let policy = c
            .config
            .host_config
            .as_ref()
            .and_then(|h| h.restart_policy.clone())
            .unwrap_or_default();
        let retries = policy.maximum_retry_count.unwrap_or(0);
        let forever = match policy.name {
            Some(Policy::ALWAYS | Policy::UNLESS_STOPPED) => true,
            Some(Policy::ON_FAILURE) if exit != 0 => retries <= 0,
            _ => false,
        };
        if forever {
            let c = self.containers.get_mut(id).expect("found above");
            c.status = Status::Restarting;
            c.restart_count += 1;
            return self.save();
        }
        if policy.name == Some(Policy::ON_FAILURE) && exit != 0 && c.restart_count < retries {
            self.containers
                .get_mut(id)
                .expect("found above")
                .restart_count += 1;
            // Each run's output goes to the log only: nobody is attached any more.
            let _ = self.start_container(id);
        }
        Ok(())
    }

    /// Records that the container's process could not start, and why.
    fn fail_start(&mut self, id: &str, code: i64, message: String) -> Result<i64> {
        let now = self.now_rfc3339();
        let c = self.containers.get_mut(id).expect("a known container");
        c.exit_code = code;
        c.error = message.clone();
        c.finished_at = Some(now);
        self.save()?;
        Err(EngineError::StartFailed(message))
    }

    /// Where a container's writable layer is kept between its runs.
    pub(super) fn upper_path(&self, id: &str) -> std::path::PathBuf {
        self.state_dir.join("containers").join(format!("{id}.tar"))
    }

    /// The container's filesystem: its image's layers with its own upper layer on top.
    pub(super) fn container_snapshot(&mut self, id: &str) -> Result<Snapshot> {
        let record = self.container(id)?.clone();
        let image = self
            .images
            .get(&record.image_id)
            .ok_or_else(|| EngineError::NoSuchImage(record.image_id.to_string()))?;
        let layers = image.layers.clone();
        let stack = self.layer_stack(&layers)?;
        let path = self.upper_path(&record.id);
        let cached = self.upper_cache.borrow().get(&record.id).cloned();
        let mut snapshot = match cached {
            Some(upper) => Snapshot::resume(stack, upper),
            None => match std::fs::read(&path) {
                Ok(bytes) => {
                    let upper = Layer::from_tar(std::sync::Arc::from(bytes)).map_err(|e| {
                        EngineError::CorruptState {
                            path: path.clone(),
                            reason: e.to_string(),
                        }
                    })?;
                    self.upper_cache
                        .borrow_mut()
                        .insert(record.id.clone(), upper.clone());
                    Snapshot::resume(stack, upper)
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Snapshot::prepare(stack),
                Err(e) => return Err(e.into()),
            },
        };
        snapshot.set_time(self.clock.now().timestamp());
        Ok(snapshot)
    }

    /// Keeps what the container's process left in `snapshot`: its layer, and the files
    /// under its mount points in their volumes.
    pub(super) fn save_upper(&self, id: &str, snapshot: &Snapshot) -> Result<()> {
        let record = self.container(id)?;
        let upper = self.unmount(record, snapshot)?;
        let path = self.upper_path(id);
        // A process that changed nothing leaves nothing to keep.
        if upper.is_empty() && !path.exists() {
            return Ok(());
        }
        std::fs::create_dir_all(path.parent().expect("has a parent"))?;
        atomic_write(&path, &upper.to_tar())?;
        self.upper_cache.borrow_mut().insert(id.to_string(), upper);
        Ok(())
    }

    /// `POST /containers/{id}/rename?name=`.
    pub fn rename_container(&mut self, key: &str, name: &str) -> Result<()> {
        let id = self.container(key)?.id.clone();
        if !valid_name(name) {
            return Err(EngineError::BadRequest(format!(
                "Invalid container name ({name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"
            )));
        }
        let name = name.trim_start_matches('/').to_string();
        if let Some(other) = self.containers.by_name(&name) {
            return Err(EngineError::Conflict(format!(
                "Conflict. The container name \"/{name}\" is already in use by container \"{}\". You have to remove (or rename) that container to be able to reuse that name.",
                other.id
            )));
        }
        self.containers.get_mut(&id).expect("found above").name = name;
        self.save()
    }

    /// `POST /containers/{id}/wait`: the exit code of a container that has stopped. A
    /// running one would wait forever here, where nothing else can happen meanwhile.
    pub fn wait_container(&mut self, key: &str) -> Result<i64> {
        let c = self.container(key)?;
        if c.is_running() {
            return Err(EngineError::Conflict(format!(
                "container {} is still running, and nothing in the lab can stop it while docker wait waits; stop it first",
                c.id
            )));
        }
        Ok(c.exit_code)
    }

    /// `GET /containers/{id}/top`: the process table of a running container.
    pub fn top_container(&self, key: &str) -> Result<bollard_stubs::models::ContainerTopResponse> {
        let c = self.container(key)?;
        if !c.is_running() {
            return Err(EngineError::Conflict(format!(
                "container {} is not running",
                c.id
            )));
        }
        let mut command = c.path.clone();
        for arg in &c.args {
            command.push(' ');
            command.push_str(arg);
        }
        let started = super::image::parse_time(c.started_at.as_deref());
        let stime = chrono::DateTime::from_timestamp(started, 0)
            .map(|t| t.format("%H:%M").to_string())
            .unwrap_or_default();
        Ok(bollard_stubs::models::ContainerTopResponse {
            titles: Some(
                ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"]
                    .map(String::from)
                    .to_vec(),
            ),
            processes: Some(vec![vec![
                "root".into(),
                "4242".into(),
                "4221".into(),
                "0".into(),
                stime,
                "?".into(),
                "00:00:00".into(),
                command,
            ]]),
        })
    }

    /// `POST /containers/prune`: removes every stopped container; their IDs.
    pub fn prune_containers(&mut self) -> Result<Vec<String>> {
        let stopped: Vec<String> = self
            .containers
            .all()
            .filter(|c| !c.is_running())
            .map(|c| c.id.clone())
            .collect();
        for id in &stopped {
            self.remove_container(id, false, false)?;
        }
        Ok(stopped)
    }

    /// `POST /containers/{id}/stop` (and `kill`): a running process ends with `code`
    /// (137: killed, as a PID 1 that ignores SIGTERM is after the grace period).
    pub fn stop_container(&mut self, key: &str, code: i64, must_be_running: bool) -> Result<()> {
        let record = self.container(key)?.clone();
        if !record.is_running() {
            if must_be_running {
                return Err(EngineError::Conflict(format!(
                    "cannot kill container: {key}: container {} is not running",
                    record.id
                )));
            }
            return Ok(());
        }
        let mut shutdown = Vec::new();
        let code = if record.status == Status::Restarting {
            // Between two runs there is no process to signal: the last exit stands.
            record.exit_code
        } else if must_be_running {
            code
        } else {
            match server_of(&record) {
                // The image's STOPSIGNAL is SIGQUIT: a graceful shutdown, logged.
                Some("nginx") => {
                    shutdown = self.nginx_exit(SIGQUIT);
                    0
                }
                // A Go program as PID 1 dies of SIGTERM with status 2.
                Some("registry") => 2,
                _ => code,
            }
        };
        self.end_running(&record.id, code, shutdown)
    }

    /// `POST /containers/{id}/kill?signal=`: SIGKILL (the default) ends any process
    /// with 137. Another signal reaches PID 1, which acts on it only where its program
    /// handles it (nginx, the registry): the kernel has PID 1 ignore the signals it
    /// has no handler for, so a shell or `sleep` keeps running.
    pub fn kill_container(&mut self, key: &str, signal: Option<&str>) -> Result<()> {
        let number = match signal {
            None => SIGKILL,
            Some(raw) => parse_signal(raw)?,
        };
        let record = self.container(key)?.clone();
        if number == SIGKILL || !record.is_running() || record.status == Status::Restarting {
            return self.stop_container(key, 137, true);
        }
        match (server_of(&record), number) {
            (Some("nginx"), SIGINT | SIGQUIT | SIGTERM) => {
                let lines = self.nginx_exit(number);
                self.end_running(&record.id, 0, lines)
            }
            (Some("registry"), SIGINT | SIGQUIT | SIGTERM) => {
                self.end_running(&record.id, 2, Vec::new())
            }
            _ => Ok(()),
        }
    }

    /// What nginx logs as it ends on `signal`: SIGQUIT shuts down gracefully, SIGINT
    /// and SIGTERM at once.
    fn nginx_exit(&self, signal: i32) -> Vec<super::runtime::LogChunk> {
        let now = self.now_rfc3339();
        let at = self.clock.now().format("%Y/%m/%d %H:%M:%S").to_string();
        let w = super::net::nginx::WORKER_PID;
        let mut lines = Vec::new();
        if signal == SIGQUIT {
            lines.push("1#1: signal 3 (SIGQUIT) received, shutting down".to_string());
            lines.push(format!("{w}#{w}: gracefully shutting down"));
        } else {
            let name = if signal == SIGINT {
                "SIGINT"
            } else {
                "SIGTERM"
            };
            lines.push(format!("1#1: signal {signal} ({name}) received, exiting"));
        }
        lines.extend([
            format!("{w}#{w}: exiting"),
            format!("{w}#{w}: exit"),
            format!("1#1: signal 17 (SIGCHLD) received from {w}"),
            format!("1#1: worker process {w} exited with exit code 0"),
            "1#1: exit".to_string(),
        ]);
        lines
            .into_iter()
            .map(|line| super::runtime::LogChunk {
                stream: 2,
                text: format!("{at} [notice] {line}\n"),
                time: now.clone(),
            })
            .collect()
    }

    /// Ends the running container's process with `code`, having logged `last`: its
    /// shell sessions and ports close, and what its services logged comes first.
    fn end_running(
        &mut self,
        id: &str,
        code: i64,
        last: Vec<super::runtime::LogChunk>,
    ) -> Result<()> {
        self.sessions.remove(id);
        self.collect_service_logs()?;
        self.close_ports(id);
        let now = self.now_rfc3339();
        let c = self.containers.get_mut(id).expect("a known container");
        c.logs.extend(last);
        c.status = Status::Exited;
        c.exit_code = code;
        c.finished_at = Some(now);
        self.save()
    }

    /// `POST /containers/{id}/pause`: the process is frozen where it stands.
    pub fn pause_container(&mut self, key: &str) -> Result<()> {
        let c = self.container(key)?;
        let id = c.id.clone();
        match c.status {
            Status::Running => {}
            Status::Paused => {
                return Err(EngineError::Conflict(format!(
                    "Container {id} is already paused"
                )));
            }
            _ => {
                return Err(EngineError::Conflict(format!(
                    "Container {id} is not running"
                )));
            }
        }
        self.containers.get_mut(&id).expect("found above").status = Status::Paused;
        self.save()
    }

    /// `POST /containers/{id}/unpause`.
    pub fn unpause_container(&mut self, key: &str) -> Result<()> {
        let c = self.container(key)?;
        let id = c.id.clone();
        if c.status != Status::Paused {
            return Err(EngineError::Conflict(format!(
                "Container {id} is not paused"
            )));
        }
        self.containers.get_mut(&id).expect("found above").status = Status::Running;
        self.save()
    }

    /// The daemon's refusal to exec into a paused container, naming it as asked.
    pub(super) fn refuse_exec_if_paused(&self, key: &str) -> Result<()> {
        if self.container(key)?.status == Status::Paused {
            return Err(EngineError::Conflict(format!(
                "Container {key} is paused, unpause the container before exec"
            )));
        }
        Ok(())
    }

    /// `POST /containers/{id}/exec` + start: runs `argv` in a running container, its
    /// output to `streams`, its changes kept in the container's layer.
    pub fn exec_in_container(
        &mut self,
        key: &str,
        argv: &[String],
        workdir: Option<&str>,
        env: &[String],
        user: Option<&str>,
        streams: Streams<'_>,
    ) -> Result<i64> {
        self.refuse_exec_if_paused(key)?;
        let record = self.container(key)?.clone();
        if !record.is_running() {
            return Err(EngineError::Conflict(format!(
                "container {} is not running",
                record.id
            )));
        }
        let snapshot = self.mounted_snapshot(&record.id)?;
        let flavour = super::runtime::flavour_of(&snapshot);
        let spec = ProcessSpec { env, workdir, user };
        let mut shell = process_shell(&record, snapshot, flavour, &spec).map_err(|e| {
            EngineError::StartFailed(if e.starts_with("chdir") {
                format!(
                    "OCI runtime exec failed: exec failed: unable to start container process: {e}: unknown"
                )
            } else {
                e
            })
        })?;
        let first = argv.first().cloned().unwrap_or_default();
        let found = first.contains('/') && shell.fs().exists(&first)
            || !first.contains('/') && {
                let path = record
                    .config
                    .env
                    .iter()
                    .flatten()
                    .find_map(|e| e.strip_prefix("PATH=").map(str::to_string))
                    .unwrap_or_else(|| DEFAULT_PATH[5..].to_string());
                path.split(':')
                    .any(|d| shell.fs().exists(&format!("{d}/{first}")))
            };
        if !found {
            return Err(EngineError::StartFailed(format!(
                "OCI runtime exec failed: exec failed: unable to start container process: exec: \"{first}\": executable file not found in $PATH: unknown"
            )));
        }
        let line = argv
            .iter()
            .map(|a| super::runtime::shell_quote(a))
            .collect::<Vec<_>>()
            .join(" ");
        let mut host = ContainerHost::new(self.clock.now());
        host.peers = std::sync::Arc::new(self.peers_for(&record.id));
        let status = shell.run(&line, &mut host, streams);
        self.save_upper(&record.id, shell.fs())?;
        self.refresh_session(&record.id)?;
        Ok(i64::from(status))
    }

    /// `GET /containers/{id}/archive?path=`: a tar of `path` (its own name at the root).
    pub fn container_archive(&mut self, key: &str, path: &str) -> Result<Vec<u8>> {
        let record = self.container(key)?.clone();
        let snapshot = self.mounted_snapshot(&record.id)?;
        snapshot
            .archive(path)
            .map_err(|_| not_found_in(path, &record.name))
    }

    /// `HEAD /containers/{id}/archive?path=`: whether `path` exists, and is a directory.
    pub fn container_stat(&mut self, key: &str, path: &str) -> Result<Option<bool>> {
        let record = self.container(key)?.clone();
        let snapshot = self.mounted_snapshot(&record.id)?;
        Ok(snapshot.metadata(path).ok().map(|m| m.is_dir()))
    }

    /// `PUT /containers/{id}/archive?path=`: unpacks `tar` into directory `dir`.
    pub fn container_extract(&mut self, key: &str, dir: &str, tar: &[u8]) -> Result<()> {
        let record = self.container(key)?.clone();
        let mut snapshot = self.mounted_snapshot(&record.id)?;
        snapshot
            .extract(dir, std::sync::Arc::from(tar.to_vec()))
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => not_found_in(dir, &record.name),
                _ => EngineError::BadRequest(e.to_string()),
            })?;
        self.save_upper(&record.id, &snapshot)?;
        self.refresh_session(&record.id)
    }

    /// `GET /containers/{id}/logs`: what the container's process wrote, in order.
    pub fn container_logs(
        &mut self,
        key: &str,
        options: &LogsOptions,
    ) -> Result<Vec<(u8, Vec<u8>)>> {
        self.container(key)?;
        self.collect_service_logs()?;
        Ok(self.container(key)?.log_lines(options))
    }

    /// `GET /containers/{id}/changes`: `docker diff`.
    pub fn container_changes(&mut self, key: &str) -> Result<Vec<FilesystemChange>> {
        let id = self.container(key)?.id.clone();
        let snapshot = self.container_snapshot(&id)?;
        Ok(snapshot
            .changes()
            .into_iter()
            .map(|c| FilesystemChange {
                path: c.path.clone(),
                kind: match c.kind {
                    ChangeKind::Modified => ChangeType::_0,
                    ChangeKind::Added => ChangeType::_1,
                    ChangeKind::Deleted => ChangeType::_2,
                },
            })
            .collect())
    }

    /// `POST /commit?container=&repo=&tag=&comment=&author=`: the container's writable
    /// layer as a new image on top of its image.
    pub fn commit_container(
        &mut self,
        key: &str,
        repo: Option<&str>,
        tag: Option<&str>,
        comment: Option<&str>,
        author: Option<&str>,
        changes: &[String],
    ) -> Result<String> {
        let record = self.container(key)?.clone();
        let snapshot = self.container_snapshot(&record.id)?;
        let image = self
            .images
            .get(&record.image_id)
            .cloned()
            .ok_or_else(|| EngineError::NoSuchImage(record.image_id.to_string()))?;
        let base =
            super::build::config::ImageConfigFile::from_bytes(&self.content.read(&image.id)?)
                .map_err(|e| EngineError::CorruptState {
                    path: self.content.blob_path(&image.id),
                    reason: e.to_string(),
                })?;
        let upper = snapshot.commit();
        let mut layers = image.layers.clone();
        let stored = self.store_layer(&upper)?;
        let empty = stored.is_none();
        layers.extend(stored);
        let now = self.now_rfc3339();
        let mut history = base.history.clone();
        history.push(super::build::config::HistoryRow {
            created: now.clone(),
            author: author.map(str::to_string),
            created_by: command_line(&record),
            comment: comment.filter(|c| !c.is_empty()).map(str::to_string),
            empty_layer: empty,
        });
        let mut config = ContainerConfig {
            hostname: None,
            ..container_config_of(&record)
        };
        super::import_export::apply_changes(&mut config, changes)?;
        let file = super::build::config::ImageConfigFile {
            architecture: "amd64".into(),
            config: config.clone(),
            container: record.id.clone(),
            container_config: config,
            created: now.clone(),
            docker_version: super::DOCKER_VERSION.into(),
            author: author.map(str::to_string),
            comment: comment.map(str::to_string),
            history,
            os: "linux".into(),
            parent: Some(image.id.to_string()),
            rootfs: super::build::config::RootFsJson {
                kind: "layers".into(),
                diff_ids: layers,
            },
        };
        let id = self.register_image(&file, Some(image.id.clone()), repo, tag)?;
        Ok(id.to_string())
    }

    /// `GET /containers/json`: newest first.
    pub fn list_containers(
        &self,
        all: bool,
        limit: Option<i64>,
        filters: &HashMap<String, Vec<String>>,
    ) -> Result<Vec<ContainerSummary>> {
        for key in filters.keys() {
            if ![
                "status", "name", "id", "ancestor", "exited", "label", "health", "network",
            ]
            .contains(&key.as_str())
            {
                return Err(EngineError::BadRequest(format!("invalid filter '{key}'")));
            }
        }
        super::health::validate_filter(filters)?;
        let now = self.clock.now().timestamp();
        let mut rows: Vec<&ContainerRecord> = self
            .containers
            .all()
            .filter(|c| all || limit.is_some_and(|l| l > 0) || c.is_running())
            .filter(|c| self.container_matches(c, filters))
            .collect();
        rows.sort_by(|a, b| b.created.cmp(&a.created).then_with(|| a.id.cmp(&b.id)));
        if let Some(limit) = limit.filter(|l| *l > 0) {
            rows.truncate(limit as usize);
        }
        Ok(rows
            .into_iter()
            .map(|c| ContainerSummary {
                id: Some(c.id.clone()),
                names: Some(vec![format!("/{}", c.name)]),
                // The name it was run as, while that name still means its image; the
                // image's ID once the name is gone or moved (`rmi -f`, a rebuild).
                image: Some(match self.images.lookup(&c.image) {
                    Ok((id, _)) if id == c.image_id => c.image.clone(),
                    _ => c.image_id.to_string(),
                }),
                image_id: Some(c.image_id.to_string()),
                command: Some(command_line(c)),
                created: Some(super::image::parse_time(Some(&c.created))),
                ports: Some(super::ports::summary_ports(c)),
                labels: Some(c.config.labels.clone().unwrap_or_default()),
                mounts: Some(self.mount_points(c)),
                host_config: Some(bollard_stubs::models::ContainerSummaryHostConfig {
                    network_mode: c
                        .config
                        .host_config
                        .as_ref()
                        .and_then(|h| h.network_mode.clone()),
                    ..Default::default()
                }),
                network_settings: Some(bollard_stubs::models::ContainerSummaryNetworkSettings {
                    networks: Some(self.endpoint_settings(c)),
                }),
                state: Some(summary_state(c.status)),
                status: Some(status_text(c, now)),
                ..Default::default()
            })
            .collect())
    }

    fn container_matches(
        &self,
        c: &ContainerRecord,
        filters: &HashMap<String, Vec<String>>,
    ) -> bool {
        filters.iter().all(|(key, values)| {
            // Labels must all match, as the daemon reads them; other keys, any value.
            let matches = |v: &String| match key.as_str() {
                "status" => summary_state_name(c.status) == v,
                "name" => c.name.contains(v.trim_start_matches('/')),
                "id" => c.id.starts_with(v.as_str()),
                "exited" => c.status == Status::Exited && c.exit_code.to_string() == *v,
                "health" => super::health::filter_value(c) == v,
                // By the network's name or ID, as the container joined it.
                "network" => c.endpoints.iter().any(|e| {
                    e.network == *v
                        || e.network_id.starts_with(v.as_str())
                        || self
                            .networks
                            .by_id(&e.network_id)
                            .is_some_and(|n| n.name == *v)
                }),
                "ancestor" => self
                    .images
                    .lookup(v)
                    .map(|(id, _)| id == c.image_id)
                    .unwrap_or(false),
                "label" => {
                    let labels = c.config.labels.clone().unwrap_or_default();
                    match v.split_once('=') {
                        Some((k, val)) => labels.get(k).is_some_and(|x| x == val),
                        None => labels.contains_key(v),
                    }
                }
                _ => false,
            };
            if key == "label" {
                values.iter().all(matches)
            } else {
                values.iter().any(matches)
            }
        })
    }

    /// `GET /containers/{id}/json`.
    pub fn inspect_container(&self, key: &str) -> Result<ContainerInspectResponse> {
        let c = self.container(key)?;
        let cfg = &c.config;
        Ok(ContainerInspectResponse {
            id: Some(c.id.clone()),
            created: Some(c.created.clone()),
            path: Some(c.path.clone()),
            args: Some(c.args.clone()),
            state: Some(ContainerState {
                status: Some(state_status(c.status)),
                running: Some(c.is_running()),
                paused: Some(c.status == Status::Paused),
                restarting: Some(c.status == Status::Restarting),
                oom_killed: Some(false),
                dead: Some(c.status == Status::Dead),
                pid: Some(0),
                exit_code: Some(c.exit_code),
                error: Some(c.error.clone()),
                started_at: Some(c.started_at.clone().unwrap_or_else(|| ZERO_TIME.into())),
                finished_at: Some(c.finished_at.clone().unwrap_or_else(|| ZERO_TIME.into())),
                health: self.health_of(c),
            }),
            image: Some(c.image_id.to_string()),
            name: Some(format!("/{}", c.name)),
            restart_count: Some(c.restart_count),
            driver: Some("docklab-layers".into()),
            platform: Some("linux".into()),
            config: Some(ContainerConfig {
                hostname: Some(c.hostname()),
                domainname: Some(String::new()),
                user: Some(cfg.user.clone().unwrap_or_default()),
                attach_stdin: cfg.attach_stdin,
                attach_stdout: cfg.attach_stdout,
                attach_stderr: cfg.attach_stderr,
                exposed_ports: cfg.exposed_ports.clone(),
                tty: Some(cfg.tty.unwrap_or(false)),
                open_stdin: Some(cfg.open_stdin.unwrap_or(false)),
                stdin_once: Some(cfg.stdin_once.unwrap_or(false)),
                env: cfg.env.clone(),
                cmd: cfg.cmd.clone(),
                image: Some(c.image.clone()),
                volumes: cfg.volumes.clone(),
                working_dir: Some(cfg.working_dir.clone().unwrap_or_default()),
                entrypoint: cfg.entrypoint.clone(),
                labels: Some(cfg.labels.clone().unwrap_or_default()),
                healthcheck: cfg.healthcheck.clone(),
                ..Default::default()
            }),
            host_config: cfg.host_config.clone(),
            network_settings: Some(bollard_stubs::models::NetworkSettings {
                ports: Some(super::ports::network_ports(c)),
                networks: Some(self.endpoint_settings(c)),
                ..Default::default()
            }),
            mounts: Some(self.mount_points(c)),
            ..Default::default()
        })
    }

    /// `DELETE /containers/{id}?force=`.
    pub fn remove_container(&mut self, key: &str, force: bool, volumes: bool) -> Result<()> {
        let c = self.container(key)?;
        if c.status == Status::Paused && !force {
            return Err(EngineError::Conflict(format!(
                "cannot remove container \"/{}\": container is paused and must be unpaused first",
                c.name
            )));
        }
        if c.is_running() && !force {
            let state = if c.status == Status::Restarting {
                "restarting"
            } else {
                "running"
            };
            return Err(EngineError::Conflict(format!(
                "cannot remove container \"/{}\": container is {state}: stop the container before removing or force remove",
                c.name
            )));
        }
        let id = c.id.clone();
        let (registry_root, owned) = self.registry_root(c);
        self.close_ports(&id);
        self.sessions.remove(&id);
        let removed = self.containers.remove(&id);
        self.upper_cache.borrow_mut().remove(&id);
        self.save()?;
        if volumes && let Some(removed) = removed {
            self.remove_anonymous_volumes(&removed.mounts)?;
        }
        // What a registry container stored in its own directory goes with it; what it
        // stored in a volume stays with the volume.
        if owned {
            let _ = std::fs::remove_dir_all(registry_root);
        }
        match std::fs::remove_file(self.upper_path(&id)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }
}

const ZERO_TIME: &str = "0001-01-01T00:00:00Z";

/// What one process adds to the container's own settings: `docker exec -e -w -u`.
#[derive(Default)]
pub(super) struct ProcessSpec<'a> {
    pub env: &'a [String],
    pub workdir: Option<&'a str>,
    pub user: Option<&'a str>,
}

/// A shell over `snapshot` set up as runc starts a container's process: the
/// container's environment and `spec.env`, `HOSTNAME`, the user (and what they create
/// belongs to them), `HOME` from the user's passwd entry unless set, and the working
/// directory. An error is the runtime's sentence for a missing user or directory.
pub(super) fn process_shell(
    record: &ContainerRecord,
    mut snapshot: Snapshot,
    flavour: Flavour,
    spec: &ProcessSpec<'_>,
) -> std::result::Result<Shell<Snapshot>, String> {
    let user_spec = spec
        .user
        .or(record.config.user.as_deref())
        .unwrap_or_default();
    let user = super::shell::users::resolve(&snapshot, user_spec)?;
    snapshot.set_owner(user.uid, user.gid);
    let mut shell = Shell::with_resolver(snapshot, flavour, Box::new(DefaultResolver));
    let env: Vec<&String> = record.config.env.iter().flatten().chain(spec.env).collect();
    for var in &env {
        if let Some((k, v)) = var.split_once('=') {
            shell.export(k, v);
        }
    }
    // What the runtime adds to every process's environment.
    shell.export("HOSTNAME", &record.hostname());
    if !env.iter().any(|e| e.starts_with("HOME=")) {
        shell.export("HOME", &user.home);
    }
    let workdir = spec
        .workdir
        .map(str::to_string)
        .or_else(|| record.config.working_dir.clone().filter(|w| !w.is_empty()))
        .unwrap_or_else(|| "/".into());
    if shell.set_cwd(&workdir).is_err() && spec.workdir.is_some() {
        return Err(format!(
            "chdir to cwd (\"{workdir}\") set in config.json failed: no such file or directory"
        ));
    }
    Ok(shell)
}

/// Finds what the process's `path` names, as runc does: a path with a `/` is taken as
/// it is (relative to the working directory), a bare name is searched on `$PATH`.
fn find_executable(
    fs: &Snapshot,
    path: &str,
    env: &[String],
    workdir: &str,
) -> std::result::Result<String, String> {
    let is_executable_file = |p: &str| match fs.metadata(p) {
        Ok(m) => !m.is_dir() && m.mode & 0o111 != 0,
        Err(_) => false,
    };
    let runc = |detail: String| {
        format!(
            "failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: {detail}: unknown"
        )
    };
    if path.contains('/') {
        let full = super::fs::normalise(&if path.starts_with('/') {
            path.to_string()
        } else {
            format!("{workdir}/{path}")
        });
        return match fs.metadata(&full) {
            Err(_) => Err(runc(format!(
                "exec: \"{path}\": stat {path}: no such file or directory"
            ))),
            Ok(_) if !is_executable_file(&full) => {
                Err(runc(format!("exec: \"{path}\": permission denied")))
            }
            Ok(_) => Ok(full),
        };
    }
    let search = env
        .iter()
        .find_map(|e| e.strip_prefix("PATH="))
        .unwrap_or(&DEFAULT_PATH[5..]);
    for dir in search.split(':').filter(|d| !d.is_empty()) {
        let candidate = super::fs::normalise(&format!("{dir}/{path}"));
        if is_executable_file(&candidate) {
            return Ok(candidate);
        }
    }
    Err(runc(format!(
        "exec: \"{path}\": executable file not found in $PATH"
    )))
}

/// Whether the container's shell can run this file: a script (no program marker), a
/// shell, or a program the shell knows by name.
fn runs_in_shell(program: Option<&str>, path: &str) -> bool {
    match program {
        None => true,
        Some("busybox" | "sh" | "ash" | "bash" | "dash") => true,
        Some(name) => {
            crate::engine::shell::programs::lookup(name).is_some()
                || crate::engine::shell::programs::lookup(
                    super::fs::normalise(path).rsplit('/').next().unwrap_or(""),
                )
                .is_some()
        }
    }
}

/// moby's COMMAND column source: path and args, args with spaces single-quoted.
fn command_line(c: &ContainerRecord) -> String {
    let mut out = c.path.clone();
    for arg in &c.args {
        out.push(' ');
        if arg.contains(' ') {
            out.push_str(&format!("'{arg}'"));
        } else {
            out.push_str(arg);
        }
    }
    out
}

/// moby's `State.String()`.
fn status_text(c: &ContainerRecord, now: i64) -> String {
    let since = |t: &Option<String>| (now - super::image::parse_time(t.as_deref())) as f64;
    match c.status {
        Status::Running => format!(
            "Up {}{}",
            units::human_duration(since(&c.started_at)),
            super::health::status_suffix(c)
        ),
        Status::Paused => format!(
            "Up {} (Paused)",
            units::human_duration(since(&c.started_at))
        ),
        Status::Restarting => format!(
            "Restarting ({}) {} ago",
            c.exit_code,
            units::human_duration(since(&c.finished_at))
        ),
        Status::Dead => "Dead".into(),
        Status::Created => "Created".into(),
        Status::Exited => format!(
            "Exited ({}) {} ago",
            c.exit_code,
            units::human_duration(since(&c.finished_at))
        ),
    }
}

fn summary_state_name(s: Status) -> &'static str {
    match s {
        Status::Created => "created",
        Status::Running => "running",
        Status::Paused => "paused",
        Status::Restarting => "restarting",
        Status::Exited => "exited",
        Status::Dead => "dead",
    }
}

fn summary_state(s: Status) -> ContainerSummaryStateEnum {
    match s {
        Status::Created => ContainerSummaryStateEnum::CREATED,
        Status::Running => ContainerSummaryStateEnum::RUNNING,
        Status::Paused => ContainerSummaryStateEnum::PAUSED,
        Status::Restarting => ContainerSummaryStateEnum::RESTARTING,
        Status::Exited => ContainerSummaryStateEnum::EXITED,
        Status::Dead => ContainerSummaryStateEnum::DEAD,
    }
}

fn state_status(s: Status) -> ContainerStateStatusEnum {
    match s {
        Status::Created => ContainerStateStatusEnum::CREATED,
        Status::Running => ContainerStateStatusEnum::RUNNING,
        Status::Paused => ContainerStateStatusEnum::PAUSED,
        Status::Restarting => ContainerStateStatusEnum::RESTARTING,
        Status::Exited => ContainerStateStatusEnum::EXITED,
        Status::Dead => ContainerStateStatusEnum::DEAD,
    }
}

/// The container's config as an image config: what `docker commit` keeps.
fn container_config_of(c: &ContainerRecord) -> ContainerConfig {
    let cfg = &c.config;
    ContainerConfig {
        hostname: Some(c.id[..12].to_string()),
        user: cfg.user.clone(),
        exposed_ports: cfg.exposed_ports.clone(),
        env: cfg.env.clone(),
        cmd: cfg.cmd.clone(),
        image: Some(c.image.clone()),
        volumes: cfg.volumes.clone(),
        working_dir: cfg.working_dir.clone(),
        entrypoint: cfg.entrypoint.clone(),
        on_build: cfg.on_build.clone(),
        labels: cfg.labels.clone(),
        stop_signal: cfg.stop_signal.clone(),
        shell: cfg.shell.clone(),
        healthcheck: cfg.healthcheck.clone(),
        ..Default::default()
    }
}

/// The daemon's answer for a path that is not in the container.
fn not_found_in(path: &str, name: &str) -> EngineError {
    EngineError::NoSuchPath(format!(
        "Could not find the file {path} in container {name}"
    ))
}

/// The program serving the container's first listening port (`nginx`, `registry`).
fn server_of(record: &super::runtime::ContainerRecord) -> Option<&str> {
    record
        .listening
        .first()
        .map(|(_, p)| p.split(':').next().unwrap_or(""))
}

const SIGINT: i32 = 2;
const SIGQUIT: i32 = 3;
const SIGKILL: i32 = 9;
const SIGTERM: i32 = 15;

/// Linux's signals by name, as the daemon reads `--signal`.
const SIGNALS: &[(&str, i32)] = &[
    ("ABRT", 6),
    ("ALRM", 14),
    ("BUS", 7),
    ("CHLD", 17),
    ("CLD", 17),
    ("CONT", 18),
    ("FPE", 8),
    ("HUP", 1),
    ("ILL", 4),
    ("INT", 2),
    ("IO", 29),
    ("IOT", 6),
    ("KILL", 9),
    ("PIPE", 13),
    ("POLL", 29),
    ("PROF", 27),
    ("PWR", 30),
    ("QUIT", 3),
    ("SEGV", 11),
    ("STKFLT", 16),
    ("STOP", 19),
    ("SYS", 31),
    ("TERM", 15),
    ("TRAP", 5),
    ("TSTP", 20),
    ("TTIN", 21),
    ("TTOU", 22),
    ("URG", 23),
    ("USR1", 10),
    ("USR2", 12),
    ("VTALRM", 26),
    ("WINCH", 28),
    ("XCPU", 24),
    ("XFSZ", 25),
];

/// A signal as `docker kill --signal` takes it: `SIGINT`, `INT` or `2`, any case.
fn parse_signal(raw: &str) -> Result<i32> {
    let invalid = || EngineError::BadRequest(format!("Invalid signal: {raw}"));
    if let Ok(n) = raw.parse::<i64>() {
        return match n {
            0 => Err(invalid()),
            1..=64 => Ok(n as i32),
            _ => Err(EngineError::BadRequest(format!(
                "the linux daemon does not support signal {n}"
            ))),
        };
    }
    let upper = raw.to_ascii_uppercase();
    let name = upper.strip_prefix("SIG").unwrap_or(&upper);
    SIGNALS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, number)| *number)
        .ok_or_else(invalid)
}

//! Containers: their records and lifecycle, and the interpreted programs they run.
//!
//! A container's process is never a host process: the runtime finds the executable in
//! the image's filesystem, identifies which simulated program the file is, and runs
//! that program's Rust implementation with the container's streams.

pub mod programs;

use super::digest::Digest;
use super::shell::{Flavour, Host, Vfs};
use super::streams::Streams;
use bollard_stubs::models::ContainerCreateBody;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Created,
    Running,
    Paused,
    Restarting,
    Exited,
    Dead,
}

/// What was written, on which stream: the container's log.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LogChunk {
    /// 1 = stdout, 2 = stderr, as in Docker's multiplexed stream.
    pub stream: u8,
    pub text: String,
    /// When it was written (RFC 3339 with nanoseconds); empty in logs kept before
    /// times were, which then count as written when the container started.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub time: String,
}

/// Which part of a container's log to read, and how: `docker logs` flags as the Engine
/// API takes them.
#[derive(Debug, Clone, Default)]
pub struct LogsOptions {
    /// The last N lines only (`--tail N`); all when `None`.
    pub tail: Option<usize>,
    /// Prefix each line with its time (`-t`).
    pub timestamps: bool,
    /// Prefix each line with the log's extra attributes (`--details`): none here.
    pub details: bool,
    /// Lines written at or after this time (`--since`).
    pub since: Option<chrono::DateTime<chrono::Utc>>,
    /// Lines written at or before this time (`--until`).
    pub until: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ContainerRecord {
    pub id: String,
    /// Without Docker's leading `/`.
    pub name: String,
    /// The image as the user named it (`hello-world`), as `docker ps` shows it.
    pub image: String,
    pub image_id: Digest,
    /// The create request, merged with the image's defaults.
    pub config: ContainerCreateBody,
    pub path: String,
    pub args: Vec<String>,
    /// RFC 3339 with nanoseconds, as the Engine API reports it.
    pub created: String,
    pub status: Status,
    pub exit_code: i64,
    #[serde(default)]
    pub error: String,
    #[serde(default)]
    pub started_at: Option<String>,
    #[serde(default)]
    pub finished_at: Option<String>,
    #[serde(default)]
    pub logs: Vec<LogChunk>,
    /// The volumes mounted into it.
    #[serde(default)]
    pub mounts: Vec<super::volumes::MountRecord>,
    /// Host ports bound while it runs (the Engine API's `NetworkSettings.Ports`).
    #[serde(default)]
    pub ports: Vec<PortMapping>,
    /// What its process listens on, by container port: `(80, "nginx")`.
    #[serde(default)]
    pub listening: Vec<(u16, String)>,
    /// How many times its restart policy has started it again.
    #[serde(default)]
    pub restart_count: i64,
    /// `State.Health` and the next check, for a container with a HEALTHCHECK.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health: Option<crate::engine::health::HealthState>,
    /// The networks it is on, in the order it joined them.
    #[serde(default)]
    pub endpoints: Vec<crate::engine::net::networks::EndpointRecord>,
}

/// One host address a container port is published on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortMapping {
    pub private: u16,
    /// `tcp`, `udp` or `sctp`.
    pub proto: String,
    /// `0.0.0.0`, `::` or the address given with `-p IP:...`.
    pub ip: String,
    pub public: u16,
}

impl ContainerRecord {
    /// `-h NAME`, or the short ID as Docker gives every container by default.
    pub fn hostname(&self) -> String {
        self.config
            .hostname
            .clone()
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| self.id[..12].to_string())
    }

    /// Passes what the process wrote on to `streams`, in order, and keeps it as the
    /// container's log, stamped `time`.
    pub fn log_output(
        &mut self,
        chunks: Vec<(u8, Vec<u8>)>,
        streams: &mut Streams<'_>,
        time: &str,
    ) -> std::io::Result<()> {
        for (stream, bytes) in chunks {
            if stream == 2 {
                streams.stderr.write_all(&bytes)?;
            } else {
                streams.stdout.write_all(&bytes)?;
            }
            self.logs.push(LogChunk {
                stream,
                text: String::from_utf8_lossy(&bytes).into_owned(),
                time: time.to_string(),
            });
        }
        Ok(())
    }

    /// The log as `docker logs` shows it: (1 = stdout or 2 = stderr, one line),
    /// selected and prefixed as `options` ask.
    pub fn log_lines(&self, options: &LogsOptions) -> Vec<(u8, Vec<u8>)> {
        let started = self
            .started_at
            .clone()
            .unwrap_or_else(|| self.created.clone());
        let mut lines = Vec::new();
        for chunk in &self.logs {
            let time = if chunk.time.is_empty() {
                &started
            } else {
                &chunk.time
            };
            let at = chrono::DateTime::parse_from_rfc3339(time)
                .map(|t| t.with_timezone(&chrono::Utc))
                .unwrap_or_default();
            if options.since.is_some_and(|since| at < since)
                || options.until.is_some_and(|until| at > until)
            {
                continue;
            }
            for line in chunk.text.split_inclusive('\n') {
                let mut text = Vec::new();
                if options.timestamps {
                    // moby's RFC3339NanoFixed: always nine digits of fraction.
                    text.extend_from_slice(
                        at.format("%Y-%m-%dT%H:%M:%S%.9fZ ").to_string().as_bytes(),
                    );
                }
                if options.details {
                    text.push(b' ');
                }
                text.extend_from_slice(line.as_bytes());
                lines.push((chunk.stream, text));
            }
        }
        if let Some(n) = options.tail {
            lines.drain(..lines.len().saturating_sub(n));
        }
        lines
    }

    pub fn is_running(&self) -> bool {
        matches!(
            self.status,
            Status::Running | Status::Paused | Status::Restarting
        )
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ContainerStore {
    /// By full ID.
    containers: BTreeMap<String, ContainerRecord>,
}

impl ContainerStore {
    pub fn all(&self) -> impl Iterator<Item = &ContainerRecord> {
        self.containers.values()
    }

    pub fn insert(&mut self, record: ContainerRecord) {
        self.containers.insert(record.id.clone(), record);
    }

    pub fn remove(&mut self, id: &str) -> Option<ContainerRecord> {
        self.containers.remove(id)
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut ContainerRecord> {
        self.containers.get_mut(id)
    }

    pub fn by_name(&self, name: &str) -> Option<&ContainerRecord> {
        self.containers.values().find(|c| c.name == name)
    }

    /// Docker's lookup order: full ID, exact name (with or without `/`), then a unique
    /// ID prefix.
    pub fn find(&self, key: &str) -> Option<&ContainerRecord> {
        if let Some(c) = self.containers.get(key) {
            return Some(c);
        }
        let name = key.strip_prefix('/').unwrap_or(key);
        if let Some(c) = self.by_name(name) {
            return Some(c);
        }
        if key.is_empty() {
            return None;
        }
        let mut matches = self.containers.values().filter(|c| c.id.starts_with(key));
        let first = matches.next()?;
        match matches.next() {
            Some(_) => None,
            None => Some(first),
        }
    }

    pub fn using_image<'a>(
        &'a self,
        id: &'a Digest,
    ) -> impl Iterator<Item = &'a ContainerRecord> + 'a {
        self.containers.values().filter(move |c| &c.image_id == id)
    }
}

/// Which shell a container's `/bin/sh` is: busybox ash on Alpine, dash on Debian and
/// Ubuntu; their error messages differ.
pub fn flavour_of(fs: &dyn Vfs) -> Flavour {
    if fs.exists("/etc/alpine-release") {
        Flavour::Ash
    } else if fs.exists("/usr/bin/dash")
        || fs.exists("/bin/dash")
        || fs.exists("/etc/debian_version")
    {
        Flavour::Dash
    } else {
        Flavour::Ash
    }
}

/// What a shell inside a container (a process, a RUN step, an interactive session)
/// may ask of the world: the time, and nothing else. No host programs, no waiting.
pub struct ContainerHost {
    pub now: chrono::DateTime<chrono::Utc>,
    /// For a detached process: the shell's interrupt flag and a note that the process
    /// blocked. A process that starts to wait (`sleep`) stays running from then on, so
    /// the engine stops interpreting it there instead of waiting.
    pub blocking: Option<(Arc<AtomicBool>, Arc<AtomicBool>)>,
    /// The ports the process started listening on, and which program serves them.
    pub listening: Vec<(u16, String)>,
    /// Whether nobody waits for the process. Attached, a `sleep` takes no time; a
    /// server that starts waiting keeps running either way.
    pub detached: bool,
    /// What the container sees of its networks: names, addresses, open ports.
    pub peers: Arc<crate::engine::net::peers::Peers>,
}

impl ContainerHost {
    pub fn new(now: chrono::DateTime<chrono::Utc>) -> ContainerHost {
        ContainerHost {
            now,
            blocking: None,
            listening: Vec::new(),
            detached: false,
            peers: Arc::default(),
        }
    }
}

impl Host for ContainerHost {
    fn run_external(
        &mut self,
        _argv: &[String],
        _env: &[(String, String)],
        _cwd: &str,
        _streams: Streams<'_>,
    ) -> Option<i32> {
        None
    }

    fn sleep(&mut self, _duration: std::time::Duration) {
        if let Some((interrupt, blocked)) = &self.blocking
            && (self.detached || !self.listening.is_empty())
        {
            blocked.store(true, Ordering::SeqCst);
            interrupt.store(true, Ordering::SeqCst);
        }
    }

    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.now
    }

    fn listen(&mut self, port: u16, program: &str) {
        self.listening.retain(|(p, _)| *p != port);
        self.listening.push((port, program.to_string()));
    }

    fn lookup(&mut self, name: &str) -> Vec<std::net::Ipv4Addr> {
        self.peers.lookup(name)
    }

    fn reverse_lookup(&mut self, addr: std::net::Ipv4Addr) -> Option<String> {
        self.peers.reverse_lookup(addr)
    }

    fn route(&mut self, addr: std::net::Ipv4Addr, port: u16) -> crate::engine::shell::Route {
        self.peers.route(addr, port)
    }

    fn addresses(&mut self) -> Vec<(std::net::Ipv4Addr, u8)> {
        self.peers.addresses()
    }
}

/// Quotes an argv word so the container's shell reads it back as one word.
pub fn shell_quote(word: &str) -> String {
    if !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./=:,+@%".contains(&b))
    {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// Docker's rule for names given with `--name`.
pub fn valid_name(name: &str) -> bool {
    let name = name.strip_prefix('/').unwrap_or(name);
    let mut bytes = name.bytes();
    match bytes.next() {
        Some(b) if b.is_ascii_alphanumeric() => {}
        _ => return false,
    }
    name.len() >= 2 && bytes.all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_dockers_pattern() {
        assert!(valid_name("registry"));
        assert!(valid_name("/my_app-1.0"));
        assert!(!valid_name("a"));
        assert!(!valid_name("-x"));
        assert!(!valid_name("bad name"));
    }
}

//! Published ports: Docker's allocation rules (fixed ports, host ranges, ephemeral ports
//! from 32768), the conflicts it reports, what `docker ps` and `docker port` show, and the
//! services that answer behind each port while the container runs.

use super::Engine;
use super::error::{EngineError, Result};
use super::net::app::ContainerView;
use super::net::live::LiveFs;
use super::net::{Service, nginx::Site};
use super::runtime::{ContainerRecord, PortMapping};
use super::shell::Vfs;
use bollard_stubs::models::{
    HostConfig, PortBinding, PortSummary, PortSummaryTypeEnum, RestartPolicy, RestartPolicyNameEnum,
};
use std::collections::{BTreeSet, HashMap};
use std::net::SocketAddr;
use std::sync::Arc;

/// Docker's ephemeral port range (Linux's default `ip_local_port_range`).
const EPHEMERAL: std::ops::RangeInclusive<u16> = 32768..=60999;

/// `80/tcp` → (80, "tcp").
pub fn parse_port_key(key: &str) -> Option<(u16, String)> {
    let (port, proto) = key.split_once('/').unwrap_or((key, "tcp"));
    let proto = if proto.is_empty() { "tcp" } else { proto };
    Some((port.parse().ok()?, proto.to_ascii_lowercase()))
}

/// Checks a create request's restart policy as the daemon does.
pub fn validate_restart_policy(host: Option<&HostConfig>) -> Result<()> {
    let Some(policy) = host.and_then(|h| h.restart_policy.as_ref()) else {
        return Ok(());
    };
    let retries = policy.maximum_retry_count.unwrap_or(0);
    match policy.name {
        Some(RestartPolicyNameEnum::ON_FAILURE) if retries < 0 => Err(EngineError::BadRequest(
            "invalid restart policy: maximum retry count cannot be negative".into(),
        )),
        Some(RestartPolicyNameEnum::ON_FAILURE) => Ok(()),
        _ if retries != 0 => {
            let mut msg =
                "invalid restart policy: maximum retry count can only be used with 'on-failure'"
                    .to_string();
            if retries < 0 {
                msg.push_str(" and cannot be negative");
            }
            Err(EngineError::BadRequest(msg))
        }
        _ => Ok(()),
    }
}

/// Whether the lab starting again brings this container back, as the daemon starting
/// again does.
fn restarts_with_the_engine(policy: Option<&RestartPolicy>) -> bool {
    matches!(
        policy.and_then(|p| p.name),
        Some(RestartPolicyNameEnum::ALWAYS | RestartPolicyNameEnum::UNLESS_STOPPED)
    )
}

/// The bindings a container asked for, in port order.
fn requested(c: &ContainerRecord) -> Vec<(u16, String, PortBinding)> {
    let mut out = Vec::new();
    let bindings = c
        .config
        .host_config
        .as_ref()
        .and_then(|h| h.port_bindings.clone())
        .unwrap_or_default();
    for (key, list) in bindings {
        let Some((port, proto)) = parse_port_key(&key) else {
            continue;
        };
        for b in list.unwrap_or_default() {
            out.push((port, proto.clone(), b));
        }
    }
    // `-P`: every exposed port not published otherwise gets an ephemeral one.
    let all = c
        .config
        .host_config
        .as_ref()
        .and_then(|h| h.publish_all_ports)
        .unwrap_or(false);
    if all {
        for key in c.config.exposed_ports.clone().unwrap_or_default() {
            if let Some((port, proto)) = parse_port_key(&key)
                && !out.iter().any(|(p, pr, _)| *p == port && *pr == proto)
            {
                out.push((port, proto, PortBinding::default()));
            }
        }
    }
    out.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    out
}

/// `Bind for 0.0.0.0:8080` names an unspecified address as IPv4's.
fn bind_text(ip: &str, port: &str) -> String {
    let ip = if ip.is_empty() || ip == "::" {
        "0.0.0.0"
    } else {
        ip
    };
    if ip.contains(':') {
        format!("[{ip}]:{port}")
    } else {
        format!("{ip}:{port}")
    }
}

impl Engine {
    /// Host ports taken by running containers other than `except`: (proto, port).
    fn ports_in_use(&self, except: &str) -> BTreeSet<(String, u16)> {
        self.containers
            .all()
            .filter(|c| c.id != except && c.is_running())
            .flat_map(|c| c.ports.iter().map(|p| (p.proto.clone(), p.public)))
            .collect()
    }

    /// Chooses the host port of every binding before the process starts, failing as
    /// Docker's port mapper does when one is taken.
    pub(super) fn allocate_ports(&mut self, id: &str) -> Result<Vec<PortMapping>> {
        let c = self.containers.find(id).expect("caller found it");
        let wanted = requested(c);
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        let name = c.name.clone();
        let mut used = self.ports_in_use(id);
        let mut out = Vec::new();
        for (private, proto, binding) in wanted {
            let ip = binding.host_ip.clone().unwrap_or_default();
            let spec = binding.host_port.clone().unwrap_or_default();
            let range = match spec.split_once('-') {
                _ if spec.is_empty() => None,
                Some((a, b)) => a.parse::<u16>().ok().zip(b.parse::<u16>().ok()),
                None => spec.parse::<u16>().ok().map(|p| (p, p)),
            };
            let candidates: Vec<u16> = match range {
                Some((a, b)) => (a..=b).collect(),
                None if spec.is_empty() => EPHEMERAL.collect(),
                None => {
                    return Err(EngineError::BadRequest(format!(
                        "invalid port specification: \"{spec}\""
                    )));
                }
            };
            let Some(public) = candidates
                .into_iter()
                .find(|p| *p != 0 && !used.contains(&(proto.clone(), *p)))
            else {
                let endpoint = self.ids.hex_id();
                return Err(EngineError::StartFailed(format!(
                    "failed to set up container networking: driver failed programming external connectivity on endpoint {} ({endpoint}): Bind for {} failed: port is already allocated",
                    name,
                    bind_text(&ip, &spec)
                )));
            };
            used.insert((proto.clone(), public));
            let ips: Vec<String> = if ip.is_empty() {
                vec!["0.0.0.0".into(), "::".into()]
            } else {
                vec![ip]
            };
            for ip in ips {
                out.push(PortMapping {
                    private,
                    proto: proto.clone(),
                    ip,
                    public,
                });
            }
        }
        Ok(out)
    }

    /// Opens the container's TCP ports on the host, each served by what its process
    /// listens on.
    pub(super) fn open_ports(&mut self, id: &str) -> Result<()> {
        self.net.unpublish(id);
        let c = self.containers.find(id).expect("caller found it").clone();
        let mut opened = BTreeSet::new();
        for m in c.ports.iter().filter(|m| m.proto == "tcp") {
            if !opened.insert(m.public) {
                continue;
            }
            let service = match c.listening.iter().find(|(p, _)| *p == m.private) {
                Some((_, program)) => self.service_for(&c, program)?,
                None => Service::Closed,
            };
            self.net.publish(id, m.public, service)?;
        }
        // On the host's network, what it listens on is the host's port itself, and
        // `docker ps` shows no mapping.
        let on_host = c
            .config
            .host_config
            .as_ref()
            .and_then(|h| h.network_mode.as_deref())
            == Some("host");
        if on_host {
            for (port, program) in &c.listening {
                if opened.insert(*port) {
                    let service = self.service_for(&c, program)?;
                    self.net.publish(id, *port, service)?;
                }
            }
        }
        // Other containers on its networks reach every port its process listens on.
        let reachable = c.endpoints.iter().any(|e| e.ip.is_some());
        if reachable {
            for (port, program) in &c.listening {
                let service = self.service_for(&c, program)?;
                self.net.serve_internal(id, *port, service)?;
            }
        }
        Ok(())
    }

    fn service_for(&mut self, c: &ContainerRecord, program: &str) -> Result<Service> {
        let (name, root) = program.split_once(':').unwrap_or((program, ""));
        match name {
            "nginx" => {
                let layers = self
                    .images
                    .get(&c.image_id)
                    .map(|i| i.layers.clone())
                    .unwrap_or_default();
                let lower = self.layer_stack(&layers)?;
                let env = c.config.env.clone().unwrap_or_default();
                let version = env
                    .iter()
                    .find_map(|e| e.strip_prefix("NGINX_VERSION="))
                    .unwrap_or("1.27.5");
                let mut site = Site::new(
                    &c.id,
                    version,
                    root,
                    lower,
                    self.upper_path(&c.id),
                    self.clock.clone(),
                    self.net.logs().clone(),
                );
                for m in &c.mounts {
                    if let Some(host) = &m.host {
                        site = site.with_bind(&m.destination, host.clone());
                    }
                }
                Ok(Service::Nginx(Arc::new(site)))
            }
            "registry" => self.registry_service(c, root),
            _ => {
                let layers = self
                    .images
                    .get(&c.image_id)
                    .map(|i| i.layers.clone())
                    .unwrap_or_default();
                let mut fs = LiveFs::new(self.layer_stack(&layers)?, self.upper_path(&c.id));
                for m in &c.mounts {
                    fs = match &m.host {
                        Some(host) => fs.with_bind(&m.destination, host.clone()),
                        None => fs.with_volume(&m.destination, self.volume_path(&m.name)),
                    };
                }
                let view = ContainerView::new(
                    &c.id,
                    fs,
                    c.config.env.clone().unwrap_or_default(),
                    c.config.working_dir.as_deref().unwrap_or("/"),
                    &c.hostname(),
                    super::net::DEFAULT_BRIDGE_ADDRESS,
                    self.clock.clone(),
                    self.net.logs().clone(),
                );
                Ok(super::shell::programs::service(name, root, view).unwrap_or(Service::Closed))
            }
        }
    }

    /// The registry behind a `registry:2` container's port: the distribution API over
    /// the container's own storage (its `/var/lib/registry`), configured by its
    /// environment as the image's is.
    fn registry_service(&mut self, c: &ContainerRecord, _root: &str) -> Result<Service> {
        let env = c.config.env.clone().unwrap_or_default();
        let var = |name: &str| {
            env.iter()
                .find_map(|e| e.strip_prefix(name)?.strip_prefix('='))
                .map(str::to_string)
        };
        let snapshot = self.container_snapshot(&c.id)?;
        let read = |path: &str| {
            snapshot
                .read(path)
                .ok()
                .map(|b| String::from_utf8_lossy(&b).into_owned())
        };
        let options = match super::registry::RegistryOptions::from_env(&var, &read) {
            Ok(options) => options,
            Err(message) => {
                // The registry refuses to start; its port stays closed.
                self.net.logs().push(
                    &c.id,
                    2,
                    format!("panic: unable to configure authorization (htpasswd): {message}\n"),
                    self.now_rfc3339(),
                );
                return Ok(Service::Closed);
            }
        };
        let mut options = options;
        // Its request log goes to the container's log, stamped by the engine's clock.
        let (logs, id, clock) = (self.net.logs().clone(), c.id.clone(), self.clock.clone());
        let stamp = clock.clone();
        let sink: super::registry::log::LogSink = Arc::new(move |stream, line| {
            let time = stamp
                .now()
                .to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
            logs.push(&id, stream, line, time);
        });
        options.request_log = Some(
            super::registry::log::RequestLog::new(
                sink,
                clock,
                &super::registry::log::instance_id(&c.hostname()),
            )
            .with_client_ip(super::net::HOST_GATEWAY),
        );
        let (root, _) = self.registry_root(c);
        let registry = super::registry::Registry::open(&root, options)?;
        Ok(Service::Spawn(Box::new(move |listener| {
            Box::pin(async move {
                let _ = super::registry::serve(listener, registry).await;
            })
        })))
    }

    /// Where a registry container keeps what is pushed to it: its storage directory
    /// (`REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY`, `/var/lib/registry` by default) is
    /// where the image's `VOLUME` (or a `-v NAME:…`) mounts a volume, so what is pushed
    /// lives and goes with that volume, as in Docker: `docker rm` keeps it, `docker rm -v`
    /// or `docker volume rm` removes it. With no volume there, it lives in the container's
    /// own directory. The flag says whether the container owns it (it goes with the
    /// container).
    pub(super) fn registry_root(&self, c: &ContainerRecord) -> (std::path::PathBuf, bool) {
        let storage = c
            .config
            .env
            .iter()
            .flatten()
            .rev()
            .find_map(|e| e.strip_prefix("REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY="))
            .map(super::fs::normalise)
            .unwrap_or_else(|| "/var/lib/registry".to_string());
        let mount = c
            .mounts
            .iter()
            .filter(|m| super::volumes::under(&storage, &m.destination))
            .max_by_key(|m| m.destination.len());
        match mount {
            Some(m) => {
                let inside = storage[m.destination.len()..].trim_start_matches('/');
                (self.volume_dir(&m.name).join(inside), false)
            }
            None => (self.state_dir.join("registries").join(&c.id), true),
        }
    }

    /// Closes the container's ports and forgets its bindings (it has stopped).
    pub(super) fn close_ports(&mut self, id: &str) {
        self.net.unpublish(id);
        self.release_endpoints(id);
        if let Some(c) = self.containers.get_mut(id) {
            c.ports.clear();
        }
    }

    /// Where a connection to the lab's `localhost:port` really goes, when a running
    /// container publishes that port.
    pub fn published_address(&self, port: u16) -> Option<SocketAddr> {
        self.net.address(port)
    }

    /// Moves what services wrote (nginx's access log) into their containers' logs.
    pub(super) fn collect_service_logs(&mut self) -> Result<()> {
        let pending = self.net.logs().drain();
        if pending.is_empty() {
            return Ok(());
        }
        for (id, chunk) in pending {
            if let Some(c) = self.containers.get_mut(&id) {
                c.logs.push(chunk);
            }
        }
        self.save()
    }

    /// The lab starting is the daemon starting: containers left running come back
    /// when their restart policy says so (`always`, `unless-stopped`); the others were
    /// stopped when the lab closed.
    pub(super) fn resume_containers(&mut self) -> Result<()> {
        let running: Vec<(String, bool)> = self
            .containers
            .all()
            .filter(|c| c.is_running())
            .map(|c| {
                let policy = c
                    .config
                    .host_config
                    .as_ref()
                    .and_then(|h| h.restart_policy.as_ref());
                (c.id.clone(), restarts_with_the_engine(policy))
            })
            .collect();
        for (id, restart) in running {
            // Stopped as the daemon stops everything when it shuts down...
            self.stop_container(&id, 137, false)?;
            // ...and started again as it starts the ones whose policy says so.
            if restart && let Err(e) = self.start_container(&id) {
                let c = self.containers.get_mut(&id).expect("listed above");
                c.error = e.to_string();
                self.save()?;
            }
        }
        Ok(())
    }
}

/// Whether the container shares the host's network (`--network host`): it has no ports
/// of its own to list.
fn on_host_network(c: &ContainerRecord) -> bool {
    c.config
        .host_config
        .as_ref()
        .and_then(|h| h.network_mode.as_deref())
        == Some("host")
}

/// The `Ports` of a container summary: published ports, then exposed ones that are
/// not, as the Engine API lists them for a running container.
pub fn summary_ports(c: &ContainerRecord) -> Vec<PortSummary> {
    if !c.is_running() || on_host_network(c) {
        return Vec::new();
    }
    let mut out: Vec<PortSummary> = c
        .ports
        .iter()
        .map(|m| PortSummary {
            ip: Some(m.ip.clone()),
            private_port: m.private,
            public_port: Some(m.public),
            typ: port_type(&m.proto),
        })
        .collect();
    for key in c.config.exposed_ports.clone().unwrap_or_default() {
        let Some((port, proto)) = parse_port_key(&key) else {
            continue;
        };
        if !c
            .ports
            .iter()
            .any(|m| m.private == port && m.proto == proto)
        {
            out.push(PortSummary {
                ip: None,
                private_port: port,
                public_port: None,
                typ: port_type(&proto),
            });
        }
    }
    out
}

fn port_type(proto: &str) -> Option<PortSummaryTypeEnum> {
    Some(match proto {
        "udp" => PortSummaryTypeEnum::UDP,
        "sctp" => PortSummaryTypeEnum::SCTP,
        _ => PortSummaryTypeEnum::TCP,
    })
}

/// `NetworkSettings.Ports` of a running container: every exposed or published port,
/// with its host bindings or null.
pub fn network_ports(c: &ContainerRecord) -> HashMap<String, Option<Vec<PortBinding>>> {
    let mut out: HashMap<String, Option<Vec<PortBinding>>> = HashMap::new();
    if !c.is_running() {
        return out;
    }
    for key in c.config.exposed_ports.clone().unwrap_or_default() {
        if let Some((port, proto)) = parse_port_key(&key) {
            out.insert(format!("{port}/{proto}"), None);
        }
    }
    for m in &c.ports {
        out.entry(format!("{}/{}", m.private, m.proto))
            .or_insert(None)
            .get_or_insert_with(Vec::new)
            .push(PortBinding {
                host_ip: Some(m.ip.clone()),
                host_port: Some(m.public.to_string()),
            });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_keys_default_to_tcp() {
        assert_eq!(parse_port_key("80"), Some((80, "tcp".into())));
        assert_eq!(parse_port_key("53/UDP"), Some((53, "udp".into())));
        assert_eq!(parse_port_key("x/tcp"), None);
    }

    #[test]
    fn bind_errors_name_the_address_as_docker_does() {
        assert_eq!(bind_text("", "8080"), "0.0.0.0:8080");
        assert_eq!(bind_text("127.0.0.1", "15002"), "127.0.0.1:15002");
        assert_eq!(bind_text("::1", "80"), "[::1]:80");
    }

    #[test]
    fn retry_counts_belong_to_on_failure_only() {
        let host = |name, count| HostConfig {
            restart_policy: Some(RestartPolicy {
                name: Some(name),
                maximum_retry_count: Some(count),
            }),
            ..Default::default()
        };
        assert!(validate_restart_policy(Some(&host(RestartPolicyNameEnum::ON_FAILURE, 3))).is_ok());
        assert_eq!(
            validate_restart_policy(Some(&host(RestartPolicyNameEnum::ALWAYS, 3)))
                .unwrap_err()
                .to_string(),
            "invalid restart policy: maximum retry count can only be used with 'on-failure'"
        );
        assert!(validate_restart_policy(Some(&host(RestartPolicyNameEnum::NO, 0))).is_ok());
    }
}

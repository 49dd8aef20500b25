//! Networks as the daemon keeps them: the predefined `bridge`, `host` and `none`, the
//! user-defined bridge networks `docker network create` makes, their address pools and
//! gateways, and each container's endpoints on them.
//!
//! Address management follows libnetwork's default IPAM: a new network takes the first
//! predefined pool (172.17.0.0/16 to 172.31.0.0/16, then 192.168.0.0/20 upward) that no
//! other network uses, its gateway is the pool's first address, and a container starting
//! on it takes the first free address after the gateway. An endpoint's address, ID and
//! MAC exist while the container runs, as in Docker; what it asked for (the network, its
//! aliases, a fixed address) stays in the container's record.
//!
//! Only user-defined networks have the embedded DNS: there, a container's name, its
//! aliases and its short ID resolve to its address for every other container on the
//! network. The default bridge resolves no container names.

use super::peers::Peers;
use crate::engine::Engine;
use crate::engine::error::{EngineError, Result};
use crate::engine::runtime::ContainerRecord;
use bollard_stubs::models::{
    EndpointResource, EndpointSettings, Ipam, IpamConfig, NetworkCreateRequest, NetworkInspect,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::net::Ipv4Addr;

/// The default bridge's pool, taken before any user-defined network.
const DEFAULT_BRIDGE_SUBNET: (Ipv4Addr, u8) = (Ipv4Addr::new(172, 17, 0, 0), 16);

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NetworkRecord {
    pub id: String,
    pub name: String,
    /// `bridge`, `host` or `null`.
    pub driver: String,
    /// RFC 3339 with nanoseconds.
    pub created: String,
    /// The pool as `a.b.c.d/len`, for bridge networks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subnet: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<String>,
    #[serde(default)]
    pub internal: bool,
    #[serde(default)]
    pub attachable: bool,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub options: BTreeMap<String, String>,
    /// `bridge`, `host` and `none`: they cannot be removed, and `bridge` has no DNS.
    #[serde(default)]
    pub predefined: bool,
}

impl NetworkRecord {
    /// Whether its containers resolve each other by name.
    pub fn has_dns(&self) -> bool {
        !self.predefined && self.driver == "bridge"
    }

    fn pool(&self) -> Option<(Ipv4Addr, u8)> {
        parse_cidr(self.subnet.as_deref()?)
    }

    fn gateway_addr(&self) -> Option<Ipv4Addr> {
        self.gateway.as_deref()?.parse().ok()
    }
}

/// One container's membership of one network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointRecord {
    /// The network's name when the container joined it.
    pub network: String,
    pub network_id: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    /// `--ip`: the address asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_ip: Option<String>,
    /// While the container runs: the endpoint's ID, address and MAC.
    #[serde(default)]
    pub endpoint_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<Ipv4Addr>,
    #[serde(default)]
    pub mac: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct NetworkStore {
    /// In creation order.
    networks: Vec<NetworkRecord>,
}

impl NetworkStore {
    pub fn all(&self) -> impl Iterator<Item = &NetworkRecord> {
        self.networks.iter()
    }

    pub fn by_id(&self, id: &str) -> Option<&NetworkRecord> {
        self.networks.iter().find(|n| n.id == id)
    }

    /// As the daemon finds a network: by full ID, then by name, then by unique ID prefix.
    pub fn find(&self, term: &str) -> Result<&NetworkRecord> {
        if term.is_empty() {
            return Err(EngineError::NoSuchNetwork(term.to_string()));
        }
        if let Some(n) = self.networks.iter().find(|n| n.id == term) {
            return Ok(n);
        }
        if let Some(n) = self.networks.iter().find(|n| n.name == term) {
            return Ok(n);
        }
        let prefixed: Vec<&NetworkRecord> = self
            .networks
            .iter()
            .filter(|n| n.id.starts_with(term))
            .collect();
        match prefixed.len() {
            1 => Ok(prefixed[0]),
            0 => Err(EngineError::NoSuchNetwork(term.to_string())),
            n => Err(EngineError::BadRequest(format!(
                "network {term} is ambiguous ({n} matches found based on ID prefix)"
            ))),
        }
    }
}

/// `172.18.0.0/16` → (172.18.0.0, 16).
pub fn parse_cidr(text: &str) -> Option<(Ipv4Addr, u8)> {
    let (addr, len) = text.split_once('/')?;
    let len: u8 = len.parse().ok()?;
    (len <= 32).then_some(())?;
    Some((addr.parse().ok()?, len))
}

fn mask(len: u8) -> u32 {
    if len == 0 { 0 } else { u32::MAX << (32 - len) }
}

fn overlaps(a: (Ipv4Addr, u8), b: (Ipv4Addr, u8)) -> bool {
    let len = a.1.min(b.1);
    u32::from(a.0) & mask(len) == u32::from(b.0) & mask(len)
}

fn contains(pool: (Ipv4Addr, u8), addr: Ipv4Addr) -> bool {
    u32::from(addr) & mask(pool.1) == u32::from(pool.0) & mask(pool.1)
}

/// libnetwork's predefined local pools, in the order they are handed out.
fn predefined_pools() -> impl Iterator<Item = (Ipv4Addr, u8)> {
    let large = (17..=31).map(|b| (Ipv4Addr::new(172, b, 0, 0), 16));
    let small = (0..16).map(|i| (Ipv4Addr::new(192, 168, i * 16, 0), 20));
    large.chain(small)
}

/// What a container's process is given of a network mode.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Mode {
    Bridge,
    Host,
    None,
    Named(String),
}

fn mode_of(text: Option<&str>) -> Result<Mode> {
    match text.unwrap_or("") {
        "" | "default" | "bridge" => Ok(Mode::Bridge),
        "host" => Ok(Mode::Host),
        "none" => Ok(Mode::None),
        other if other.starts_with("container:") => Err(EngineError::BadRequest(format!(
            "docklab: --network {other} (sharing another container's network) is not simulated yet"
        ))),
        other => Ok(Mode::Named(other.to_string())),
    }
}

/// A locally administered, unicast MAC, as libnetwork generates one for an endpoint.
fn random_mac(rng: &mut impl rand::RngCore) -> String {
    let mut b = [0u8; 6];
    rng.fill_bytes(&mut b);
    b[0] = (b[0] & 0xfe) | 0x02;
    b.iter()
        .map(|x| format!("{x:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

impl Engine {
    /// Makes sure `bridge`, `host` and `none` exist, as the daemon does at start.
    pub(in crate::engine) fn ensure_predefined_networks(&mut self) {
        let now = self.now_rfc3339();
        for (name, driver) in [("bridge", "bridge"), ("host", "host"), ("none", "null")] {
            if self.networks.networks.iter().any(|n| n.name == name) {
                continue;
            }
            let mut options = BTreeMap::new();
            let (subnet, gateway) = if name == "bridge" {
                for (k, v) in [
                    ("com.docker.network.bridge.default_bridge", "true"),
                    ("com.docker.network.bridge.enable_icc", "true"),
                    ("com.docker.network.bridge.enable_ip_masquerade", "true"),
                    ("com.docker.network.bridge.host_binding_ipv4", "0.0.0.0"),
                    ("com.docker.network.bridge.name", "docker0"),
                    ("com.docker.network.driver.mtu", "1500"),
                ] {
                    options.insert(k.to_string(), v.to_string());
                }
                (
                    Some(format!(
                        "{}/{}",
                        DEFAULT_BRIDGE_SUBNET.0, DEFAULT_BRIDGE_SUBNET.1
                    )),
                    Some("172.17.0.1".to_string()),
                )
            } else {
                (None, None)
            };
            let record = NetworkRecord {
                id: self.net_ids.hex_id(),
                name: name.to_string(),
                driver: driver.to_string(),
                created: now.clone(),
                subnet,
                gateway,
                internal: false,
                attachable: false,
                labels: BTreeMap::new(),
                options,
                predefined: true,
            };
            self.networks.networks.push(record);
        }
    }

    /// `POST /networks/create`.
    pub fn create_network(&mut self, request: &NetworkCreateRequest) -> Result<String> {
        self.ensure_predefined_networks();
        let name = request.name.clone();
        if name.is_empty() {
            return Err(EngineError::BadRequest(
                "network name must not be empty".into(),
            ));
        }
        if matches!(name.as_str(), "bridge" | "host" | "none") {
            return Err(EngineError::Forbidden(format!(
                "{name} is a pre-defined network and cannot be created"
            )));
        }
        if self.networks.networks.iter().any(|n| n.name == name) {
            return Err(EngineError::Conflict(format!(
                "network with name {name} already exists"
            )));
        }
        let driver = request.driver.clone().unwrap_or_else(|| "bridge".into());
        match driver.as_str() {
            "bridge" => {}
            "overlay" => {
                return Err(EngineError::Forbidden(
                    "This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" to connect this node to swarm and try again.".into(),
                ));
            }
            "host" | "null" => {
                return Err(EngineError::Forbidden(format!(
                    "only one instance of \"{driver}\" network is allowed"
                )));
            }
            other => {
                return Err(EngineError::NoSuchPath(format!(
                    "could not find plugin {other} in v1 plugin registry: plugin not found"
                )));
            }
        }
        let config = request
            .ipam
            .as_ref()
            .and_then(|i| i.config.as_ref())
            .and_then(|c| c.first().cloned())
            .unwrap_or_default();
        let taken: Vec<(Ipv4Addr, u8)> = self
            .networks
            .networks
            .iter()
            .filter_map(|n| n.pool())
            .collect();
        let pool = match config.subnet.as_deref() {
            Some(text) => {
                let Some(pool) = parse_cidr(text) else {
                    return Err(EngineError::BadRequest(format!(
                        "invalid network config:\ninvalid subnet {text}: ParseCIDR(\"{text}\"): invalid CIDR address"
                    )));
                };
                let masked = Ipv4Addr::from(u32::from(pool.0) & mask(pool.1));
                if masked != pool.0 {
                    return Err(EngineError::BadRequest(format!(
                        "invalid network config:\ninvalid subnet {text}: it should be {masked}/{}",
                        pool.1
                    )));
                }
                if let Some(other) = self
                    .networks
                    .networks
                    .iter()
                    .find(|n| n.pool().is_some_and(|p| overlaps(p, pool)))
                {
                    return Err(EngineError::Forbidden(format!(
                        "invalid pool request: Pool overlaps with other one on this address space (network {})",
                        other.name
                    )));
                }
                pool
            }
            None => match predefined_pools().find(|p| !taken.iter().any(|t| overlaps(*t, *p))) {
                Some(pool) => pool,
                None => {
                    return Err(EngineError::BadRequest(
                        "all predefined address pools have been fully subnetted".into(),
                    ));
                }
            },
        };
        let gateway = match config.gateway.as_deref() {
            Some(text) => {
                let Ok(addr) = text.parse::<Ipv4Addr>() else {
                    return Err(EngineError::BadRequest(format!(
                        "invalid network config:\ninvalid gateway {text}: ParseAddr(\"{text}\"): unable to parse IP"
                    )));
                };
                if !contains(pool, addr) {
                    return Err(EngineError::BadRequest(format!(
                        "invalid network config:\ninvalid gateway {text}: parent subnet {}/{} doesn't contain this address",
                        pool.0, pool.1
                    )));
                }
                addr
            }
            None => Ipv4Addr::from(u32::from(pool.0) + 1),
        };
        let id = loop {
            let id = self.net_ids.hex_id();
            if self.networks.by_id(&id).is_none() {
                break id;
            }
        };
        let record = NetworkRecord {
            id: id.clone(),
            name,
            driver,
            created: self.now_rfc3339(),
            subnet: Some(format!("{}/{}", pool.0, pool.1)),
            gateway: Some(gateway.to_string()),
            internal: request.internal.unwrap_or(false),
            attachable: request.attachable.unwrap_or(false),
            labels: request
                .labels
                .clone()
                .unwrap_or_default()
                .into_iter()
                .collect(),
            options: request
                .options
                .clone()
                .unwrap_or_default()
                .into_iter()
                .collect(),
            predefined: false,
        };
        self.networks.networks.push(record);
        self.save()?;
        Ok(id)
    }

    /// Every network, in creation order.
    pub fn networks(&mut self) -> Vec<NetworkRecord> {
        self.ensure_predefined_networks();
        self.networks.networks.clone()
    }

    pub fn find_network(&mut self, term: &str) -> Result<NetworkRecord> {
        self.ensure_predefined_networks();
        self.networks.find(term).cloned()
    }

    /// The running containers on network `id`, with their endpoints there.
    fn members(&self, id: &str) -> Vec<(&ContainerRecord, &EndpointRecord)> {
        self.containers
            .all()
            .filter(|c| c.is_running())
            .filter_map(|c| {
                c.endpoints
                    .iter()
                    .find(|e| e.network_id == id && e.ip.is_some())
                    .map(|e| (c, e))
            })
            .collect()
    }

    /// The Engine API's view of a network, with its running members.
    pub fn network_model(&self, n: &NetworkRecord) -> NetworkInspect {
        let mut containers = HashMap::new();
        for (c, e) in self.members(&n.id) {
            let prefix = n.pool().map(|p| p.1).unwrap_or(16);
            containers.insert(
                c.id.clone(),
                EndpointResource {
                    name: Some(c.name.clone()),
                    endpoint_id: Some(e.endpoint_id.clone()),
                    mac_address: Some(e.mac.clone()),
                    ipv4_address: e.ip.map(|ip| format!("{ip}/{prefix}")),
                    ipv6_address: Some(String::new()),
                },
            );
        }
        // host and none have their members too, without addresses.
        if n.driver != "bridge" {
            for c in self.containers.all().filter(|c| c.is_running()) {
                if let Some(e) = c.endpoints.iter().find(|e| e.network_id == n.id) {
                    containers.insert(
                        c.id.clone(),
                        EndpointResource {
                            name: Some(c.name.clone()),
                            endpoint_id: Some(e.endpoint_id.clone()),
                            mac_address: Some(String::new()),
                            ipv4_address: Some(String::new()),
                            ipv6_address: Some(String::new()),
                        },
                    );
                }
            }
        }
        let config = match (&n.subnet, &n.gateway) {
            (Some(subnet), gateway) => vec![IpamConfig {
                subnet: Some(subnet.clone()),
                gateway: gateway.clone(),
                ..Default::default()
            }],
            _ => Vec::new(),
        };
        NetworkInspect {
            name: Some(n.name.clone()),
            id: Some(n.id.clone()),
            created: serde_json::from_value(serde_json::json!(n.created)).ok(),
            scope: Some("local".into()),
            driver: Some(n.driver.clone()),
            enable_ipv4: Some(n.driver == "bridge"),
            enable_ipv6: Some(false),
            ipam: Some(Ipam {
                driver: Some("default".into()),
                config: Some(config),
                options: Some(HashMap::new()),
            }),
            internal: Some(n.internal),
            attachable: Some(n.attachable),
            ingress: Some(false),
            config_from: Some(bollard_stubs::models::ConfigReference {
                network: Some(String::new()),
            }),
            config_only: Some(false),
            options: Some(n.options.clone().into_iter().collect()),
            labels: Some(n.labels.clone().into_iter().collect()),
            containers: Some(containers),
            ..Default::default()
        }
    }

    /// `DELETE /networks/{id}`.
    pub fn remove_network(&mut self, term: &str) -> Result<()> {
        let n = self.find_network(term)?;
        if n.predefined {
            return Err(EngineError::Forbidden(format!(
                "{} is a pre-defined network and cannot be removed",
                n.name
            )));
        }
        let active: Vec<String> = self
            .members(&n.id)
            .into_iter()
            .map(|(c, e)| format!("name:\"{}\" id:\"{}\"", c.name, &e.endpoint_id[..12]))
            .collect();
        if !active.is_empty() {
            return Err(EngineError::Forbidden(format!(
                "error while removing network: network {} has active endpoints ({})",
                n.name,
                active.join(", ")
            )));
        }
        self.networks.networks.retain(|x| x.id != n.id);
        // Stopped containers keep asking for it; starting them says it is gone.
        self.save()
    }

    /// `POST /networks/prune`: user-defined networks no running container is on.
    pub fn prune_networks(&mut self, keep: impl Fn(&NetworkRecord) -> bool) -> Result<Vec<String>> {
        self.ensure_predefined_networks();
        let unused: Vec<NetworkRecord> = self
            .networks
            .networks
            .iter()
            .filter(|n| !n.predefined && !keep(n))
            .filter(|n| {
                !self
                    .containers
                    .all()
                    .any(|c| c.endpoints.iter().any(|e| e.network_id == n.id))
            })
            .cloned()
            .collect();
        let names: Vec<String> = unused.iter().map(|n| n.name.clone()).collect();
        self.networks
            .networks
            .retain(|n| !unused.iter().any(|u| u.id == n.id));
        self.save()?;
        Ok(names)
    }

    /// The endpoints a create request asks for: its network mode, and any other
    /// networks named in its networking config (API 1.44 and later take several).
    pub(in crate::engine) fn requested_endpoints(
        &mut self,
        config: &mut bollard_stubs::models::ContainerCreateBody,
    ) -> Result<Vec<EndpointRecord>> {
        self.ensure_predefined_networks();
        let host = config.host_config.get_or_insert_with(Default::default);
        let mode = mode_of(host.network_mode.as_deref())?;
        // The CLI names the default network `default`; the daemon reads it as `bridge`.
        let settings: HashMap<String, EndpointSettings> = config
            .networking_config
            .as_ref()
            .and_then(|n| n.endpoints_config.clone())
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| {
                if k == "default" {
                    ("bridge".to_string(), v)
                } else {
                    (k, v)
                }
            })
            .collect();
        let first = match &mode {
            Mode::Bridge => "bridge".to_string(),
            Mode::Host => "host".to_string(),
            Mode::None => "none".to_string(),
            Mode::Named(name) => name.clone(),
        };
        let network = self.networks.find(&first)?.clone();
        host.network_mode = Some(network.name.clone());
        let mut names = vec![(first.clone(), network)];
        let mut extra: Vec<&String> = settings.keys().filter(|k| **k != first).collect();
        extra.sort();
        for key in extra {
            let n = self.networks.find(key)?.clone();
            if names.iter().any(|(_, x)| x.id == n.id) {
                continue;
            }
            if matches!(mode, Mode::Host | Mode::None) || n.driver != "bridge" {
                return Err(EngineError::BadRequest(
                    "Container cannot be connected to network endpoints: ".to_string()
                        + &settings.keys().cloned().collect::<Vec<_>>().join(", "),
                ));
            }
            names.push((key.clone(), n));
        }
        let mut out = Vec::new();
        for (key, n) in names {
            let s = settings
                .get(&key)
                .or_else(|| settings.get(&n.name))
                .or_else(|| settings.get(&n.id));
            let aliases = s.and_then(|s| s.aliases.clone()).unwrap_or_default();
            if !aliases.is_empty() && !n.has_dns() {
                return Err(EngineError::BadRequest(
                    "network-scoped alias is supported only for containers in user defined networks"
                        .into(),
                ));
            }
            let requested_ip = s
                .and_then(|s| s.ipam_config.as_ref())
                .and_then(|i| i.ipv4_address.clone())
                .filter(|ip| !ip.is_empty());
            if let Some(ip) = &requested_ip {
                if !n.has_dns() {
                    return Err(EngineError::BadRequest(
                        "user specified IP address is supported on user defined networks only"
                            .into(),
                    ));
                }
                validate_fixed_ip(&n, ip)?;
            }
            out.push(EndpointRecord {
                network: n.name.clone(),
                network_id: n.id.clone(),
                aliases,
                requested_ip,
                endpoint_id: String::new(),
                ip: None,
                mac: String::new(),
            });
        }
        Ok(out)
    }

    /// Gives the container's endpoints their addresses as it starts.
    pub(in crate::engine) fn attach_endpoints(&mut self, id: &str) -> Result<()> {
        self.ensure_predefined_networks();
        let c = self.containers.find(id).expect("caller found it").clone();
        let mut endpoints = c.endpoints.clone();
        if endpoints.is_empty() {
            // Containers recorded before networks were: the default bridge.
            let mut body = c.config.clone();
            endpoints = self.requested_endpoints(&mut body)?;
        }
        for e in endpoints.iter_mut() {
            let Some(n) = self.networks.by_id(&e.network_id).cloned() else {
                return Err(EngineError::NoSuchNetwork(e.network.clone()));
            };
            e.network = n.name.clone();
            e.endpoint_id = self.net_ids.hex_id();
            if n.driver != "bridge" {
                continue;
            }
            let ip = match &e.requested_ip {
                Some(ip) => {
                    let ip: Ipv4Addr = ip.parse().map_err(|_| {
                        EngineError::BadRequest(format!("invalid IPv4 address: {ip}"))
                    })?;
                    if self.address_taken(&n.id, ip, id) {
                        return Err(EngineError::StartFailed(
                            "failed to set up container networking: Address already in use".into(),
                        ));
                    }
                    ip
                }
                None => self.free_address(&n, id)?,
            };
            e.ip = Some(ip);
            e.mac = random_mac(self.net_ids.rng());
        }
        let c = self.containers.get_mut(id).expect("caller found it");
        c.endpoints = endpoints;
        Ok(())
    }

    /// Forgets the addresses and endpoint IDs of a container that stopped.
    pub(in crate::engine) fn release_endpoints(&mut self, id: &str) {
        if let Some(c) = self.containers.get_mut(id) {
            for e in c.endpoints.iter_mut() {
                e.endpoint_id.clear();
                e.ip = None;
                e.mac.clear();
            }
        }
    }

    fn address_taken(&self, network_id: &str, ip: Ipv4Addr, except: &str) -> bool {
        self.containers.all().any(|c| {
            c.id != except
                && c.is_running()
                && c.endpoints
                    .iter()
                    .any(|e| e.network_id == network_id && e.ip == Some(ip))
        })
    }

    fn free_address(&self, n: &NetworkRecord, except: &str) -> Result<Ipv4Addr> {
        let pool = n.pool().unwrap_or(DEFAULT_BRIDGE_SUBNET);
        let base = u32::from(pool.0);
        let size = 1u64 << (32 - u32::from(pool.1));
        let gateway = n.gateway_addr();
        for offset in 1..size.saturating_sub(1) {
            let ip = Ipv4Addr::from(base + offset as u32);
            if Some(ip) == gateway {
                continue;
            }
            let fixed = self.containers.all().any(|c| {
                c.id != except
                    && c.is_running()
                    && c.endpoints.iter().any(|e| {
                        e.network_id == n.id && e.requested_ip.as_deref() == Some(&ip.to_string())
                    })
            });
            if !fixed && !self.address_taken(&n.id, ip, except) {
                return Ok(ip);
            }
        }
        Err(EngineError::StartFailed(format!(
            "failed to set up container networking: no available IPv4 addresses on this network's address pools: {} ({})",
            n.name, n.id
        )))
    }

    /// `POST /networks/{id}/connect`.
    pub fn connect_network(
        &mut self,
        network: &str,
        container: &str,
        settings: &EndpointSettings,
    ) -> Result<()> {
        let n = self.find_network(network)?;
        let c = self
            .containers
            .find(container)
            .ok_or_else(|| EngineError::NoSuchContainer(container.to_string()))?
            .clone();
        if c.endpoints.iter().any(|e| e.network_id == n.id) {
            let message = if n.has_dns() {
                format!(
                    "endpoint with name {} already exists in network {}",
                    c.name, n.name
                )
            } else {
                format!("{} is already attached to network {}", c.name, n.name)
            };
            return Err(EngineError::Forbidden(message));
        }
        let mode = mode_of(
            c.config
                .host_config
                .as_ref()
                .and_then(|h| h.network_mode.as_deref()),
        )?;
        if matches!(mode, Mode::Host | Mode::None) || n.driver != "bridge" {
            return Err(EngineError::BadRequest(
                "container cannot be disconnected from host network or connected to host network"
                    .into(),
            ));
        }
        let aliases = settings.aliases.clone().unwrap_or_default();
        if !aliases.is_empty() && !n.has_dns() {
            return Err(EngineError::BadRequest(
                "network-scoped alias is supported only for containers in user defined networks"
                    .into(),
            ));
        }
        let requested_ip = settings
            .ipam_config
            .as_ref()
            .and_then(|i| i.ipv4_address.clone())
            .filter(|ip| !ip.is_empty());
        if let Some(ip) = &requested_ip {
            validate_fixed_ip(&n, ip)?;
        }
        let mut endpoint = EndpointRecord {
            network: n.name.clone(),
            network_id: n.id.clone(),
            aliases,
            requested_ip,
            endpoint_id: String::new(),
            ip: None,
            mac: String::new(),
        };
        if c.is_running() {
            endpoint.endpoint_id = self.net_ids.hex_id();
            let ip = match &endpoint.requested_ip {
                Some(ip) => ip
                    .parse()
                    .map_err(|_| EngineError::BadRequest(format!("invalid IPv4 address: {ip}")))?,
                None => self.free_address(&n, &c.id)?,
            };
            endpoint.ip = Some(ip);
            endpoint.mac = random_mac(self.net_ids.rng());
        }
        let record = self.containers.get_mut(&c.id).expect("found above");
        record.endpoints.push(endpoint);
        if c.is_running() {
            self.open_ports(&c.id)?;
        }
        self.save()
    }

    /// `POST /networks/{id}/disconnect`.
    pub fn disconnect_network(
        &mut self,
        network: &str,
        container: &str,
        force: bool,
    ) -> Result<()> {
        let n = match self.find_network(network) {
            Ok(n) => n,
            Err(e) if !force => return Err(e),
            Err(_) => return Ok(()),
        };
        let c = self
            .containers
            .find(container)
            .ok_or_else(|| EngineError::NoSuchContainer(container.to_string()))?
            .clone();
        if !c.endpoints.iter().any(|e| e.network_id == n.id) {
            return Err(EngineError::Forbidden(format!(
                "container {} is not connected to network {}",
                c.id, n.name
            )));
        }
        if n.driver != "bridge" {
            return Err(EngineError::BadRequest(
                "container cannot be disconnected from host network or connected to host network"
                    .into(),
            ));
        }
        let record = self.containers.get_mut(&c.id).expect("found above");
        // Docker leaves the network mode naming the network it left.
        record.endpoints.retain(|e| e.network_id != n.id);
        if c.is_running() {
            self.open_ports(&c.id)?;
        }
        self.save()
    }

    /// `NetworkSettings.Networks` of a container, as inspect shows it.
    pub fn endpoint_settings(&self, c: &ContainerRecord) -> HashMap<String, EndpointSettings> {
        let mut out = HashMap::new();
        for e in &c.endpoints {
            let n = self.networks.by_id(&e.network_id);
            let name = n
                .map(|n| n.name.clone())
                .unwrap_or_else(|| e.network.clone());
            let dns = n.is_some_and(|n| n.has_dns());
            let running = e.ip.is_some() || !e.endpoint_id.is_empty();
            let prefix = n.and_then(|n| n.pool()).map(|p| i64::from(p.1));
            let mut dns_names = None;
            if dns {
                dns_names = Some(dns_names_of(c, e));
            }
            out.insert(
                name,
                EndpointSettings {
                    ipam_config: e.requested_ip.as_ref().map(|ip| {
                        bollard_stubs::models::EndpointIpamConfig {
                            ipv4_address: Some(ip.clone()),
                            ..Default::default()
                        }
                    }),
                    links: None,
                    mac_address: Some(e.mac.clone()),
                    aliases: (!e.aliases.is_empty()).then(|| e.aliases.clone()),
                    driver_opts: None,
                    gw_priority: Some(0),
                    network_id: Some(e.network_id.clone()),
                    endpoint_id: Some(e.endpoint_id.clone()),
                    gateway: Some(if running && e.ip.is_some() {
                        n.and_then(|n| n.gateway.clone()).unwrap_or_default()
                    } else {
                        String::new()
                    }),
                    ip_address: Some(e.ip.map(|ip| ip.to_string()).unwrap_or_default()),
                    ip_prefix_len: Some(if e.ip.is_some() {
                        prefix.unwrap_or(0)
                    } else {
                        0
                    }),
                    ipv6_gateway: Some(String::new()),
                    global_ipv6_address: Some(String::new()),
                    global_ipv6_prefix_len: Some(0),
                    dns_names,
                },
            );
        }
        out
    }

    /// What container `id`'s process sees of its networks: the names on its
    /// user-defined networks, the running containers it can reach and their open ports.
    pub(in crate::engine) fn peers_for(&self, id: &str) -> Peers {
        let mut peers = Peers::default();
        let Some(me) = self.containers.find(id) else {
            return peers;
        };
        for e in &me.endpoints {
            let Some(n) = self.networks.by_id(&e.network_id) else {
                continue;
            };
            if let Some(ip) = e.ip {
                peers.add_own(ip, n.pool().map(|p| p.1).unwrap_or(16));
            }
            if e.ip.is_none() {
                continue;
            }
            // The container itself is among them even while it is still starting.
            let mut members = self.members(&n.id);
            if !members.iter().any(|(c, _)| c.id == me.id) {
                members.push((me, e));
            }
            for (c, ce) in members {
                let Some(ip) = ce.ip else { continue };
                peers.add_up(ip);
                for port in self.container_ports_served(c) {
                    if let Some(to) = self.net.internal_address(&c.id, port) {
                        peers.add_open(ip, port, to);
                    }
                }
                if n.has_dns() {
                    for name in dns_names_of(c, ce) {
                        peers.add_name(&name, ip);
                    }
                    peers.add_reverse(ip, format!("{}.{}", c.name, n.name));
                }
            }
        }
        peers
    }

    fn container_ports_served(&self, c: &ContainerRecord) -> Vec<u16> {
        c.listening.iter().map(|(p, _)| *p).collect()
    }
}

/// The names the embedded DNS gives an endpoint, as moby builds them: the container's
/// name, its aliases on that network, its short ID and its hostname, each once.
fn dns_names_of(c: &ContainerRecord, e: &EndpointRecord) -> Vec<String> {
    let mut names = vec![c.name.clone()];
    names.extend(e.aliases.iter().cloned());
    names.push(c.id[..12].to_string());
    names.push(c.hostname());
    let mut unique = Vec::new();
    for n in names {
        if !unique.contains(&n) {
            unique.push(n);
        }
    }
    unique
}

fn validate_fixed_ip(n: &NetworkRecord, ip: &str) -> Result<()> {
    let Ok(addr) = ip.parse::<Ipv4Addr>() else {
        return Err(EngineError::BadRequest(format!(
            "invalid IPv4 address: {ip}"
        )));
    };
    if let Some(pool) = n.pool()
        && !contains(pool, addr)
    {
        return Err(EngineError::BadRequest(format!(
            "invalid endpoint settings:\nno configured subnet or ip-range contain the IP address {ip}"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pools_are_handed_out_in_libnetworks_order() {
        let pools: Vec<String> = predefined_pools()
            .take(16)
            .map(|(a, l)| format!("{a}/{l}"))
            .collect();
        assert_eq!(pools[0], "172.17.0.0/16");
        assert_eq!(pools[14], "172.31.0.0/16");
        assert_eq!(pools[15], "192.168.0.0/20");
        assert!(overlaps(
            parse_cidr("172.18.0.0/16").unwrap(),
            parse_cidr("172.18.5.0/24").unwrap()
        ));
        assert!(!overlaps(
            parse_cidr("172.18.0.0/16").unwrap(),
            parse_cidr("172.19.0.0/16").unwrap()
        ));
    }

    #[test]
    fn macs_are_local_and_unicast() {
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let mac = random_mac(&mut rng);
        let first = u8::from_str_radix(&mac[..2], 16).unwrap();
        assert_eq!(first & 0x03, 0x02, "{mac}");
        assert_eq!(mac.len(), 17);
    }
}

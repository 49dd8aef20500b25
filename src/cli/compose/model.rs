//! The compose file as data: the typed forms a file may take (`RawFile` and friends,
//! read by serde from the interpolated YAML tree) and the one canonical project they
//! normalise to (`Project`), which every command plans from and `config` prints.

use serde::Deserialize;
use std::collections::BTreeMap;

/// A string, a number or a boolean where compose takes any scalar (`environment`
/// values, `labels`, `build.args`), kept as YAML wrote it.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Scalar {
    Text(String),
    Integer(i64),
    Float(f64),
    Flag(bool),
}

impl Scalar {
    pub fn text(&self) -> String {
        match self {
            Scalar::Text(s) => s.clone(),
            Scalar::Integer(n) => n.to_string(),
            Scalar::Float(f) => f.to_string(),
            Scalar::Flag(b) => b.to_string(),
        }
    }
}

/// `command`, `entrypoint`, `env_file`, `healthcheck.test`: one string or a list.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum StringOrList {
    One(String),
    Many(Vec<String>),
}

/// `environment`, `labels`, `build.args`: `KEY: value` or `- KEY=value`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum MapOrList {
    Map(BTreeMap<String, Option<Scalar>>),
    List(Vec<String>),
}

impl MapOrList {
    /// Keys and values; a list entry without `=` has no value (`None`).
    pub fn entries(&self) -> BTreeMap<String, Option<String>> {
        match self {
            MapOrList::Map(m) => m
                .iter()
                .map(|(k, v)| (k.clone(), v.as_ref().map(Scalar::text)))
                .collect(),
            MapOrList::List(l) => l
                .iter()
                .map(|e| match e.split_once('=') {
                    Some((k, v)) => (k.to_string(), Some(v.to_string())),
                    None => (e.clone(), None),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RawBuild {
    Context(String),
    Full {
        context: Option<String>,
        dockerfile: Option<String>,
        args: Option<MapOrList>,
    },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RawPort {
    Number(u32),
    Short(String),
    Long {
        target: u32,
        published: Option<Scalar>,
        host_ip: Option<String>,
        protocol: Option<String>,
        mode: Option<String>,
    },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RawVolume {
    Short(String),
    Long {
        #[serde(rename = "type")]
        kind: String,
        source: Option<String>,
        target: Option<String>,
        read_only: Option<bool>,
    },
}

#[derive(Debug, Clone, Deserialize, Default)]
pub struct RawServiceNetwork {
    pub aliases: Option<Vec<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RawServiceNetworks {
    List(Vec<String>),
    Map(BTreeMap<String, Option<RawServiceNetwork>>),
}

#[derive(Debug, Clone, Deserialize)]
pub struct RawDependency {
    pub condition: Option<String>,
    pub required: Option<bool>,
    pub restart: Option<bool>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RawDependsOn {
    List(Vec<String>),
    Map(BTreeMap<String, RawDependency>),
}

#[derive(Debug, Clone, Deserialize)]
pub struct RawHealthcheck {
    pub test: Option<StringOrList>,
    pub interval: Option<String>,
    pub timeout: Option<String>,
    pub retries: Option<Scalar>,
    pub start_period: Option<String>,
    pub start_interval: Option<String>,
    pub disable: Option<Scalar>,
}

/// A service as written; keys compose knows but the lab does not act on are read by
/// the validator and left out here.
#[derive(Debug, Clone, Deserialize, Default)]
pub struct RawService {
    pub image: Option<String>,
    pub build: Option<RawBuild>,
    pub command: Option<StringOrList>,
    pub entrypoint: Option<StringOrList>,
    pub environment: Option<MapOrList>,
    pub env_file: Option<StringOrList>,
    pub ports: Option<Vec<RawPort>>,
    pub volumes: Option<Vec<RawVolume>>,
    pub networks: Option<RawServiceNetworks>,
    pub depends_on: Option<RawDependsOn>,
    pub healthcheck: Option<RawHealthcheck>,
    pub restart: Option<String>,
    pub container_name: Option<String>,
    pub profiles: Option<Vec<String>>,
    pub working_dir: Option<String>,
    pub user: Option<String>,
    pub hostname: Option<String>,
    pub labels: Option<MapOrList>,
    pub expose: Option<Vec<Scalar>>,
    pub network_mode: Option<String>,
}

/// `external: true`, or the old `external: {name: x}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RawExternal {
    Flag(bool),
    Named { name: Option<String> },
}

#[derive(Debug, Clone, Deserialize, Default)]
pub struct RawNetwork {
    pub name: Option<String>,
    pub driver: Option<String>,
    pub external: Option<RawExternal>,
    pub labels: Option<MapOrList>,
}

#[derive(Debug, Clone, Deserialize, Default)]
pub struct RawVolumeDef {
    pub name: Option<String>,
    pub driver: Option<String>,
    pub external: Option<RawExternal>,
    pub labels: Option<MapOrList>,
}

#[derive(Debug, Clone, Deserialize, Default)]
pub struct RawFile {
    pub name: Option<String>,
    pub services: Option<BTreeMap<String, Option<RawService>>>,
    pub networks: Option<BTreeMap<String, Option<RawNetwork>>>,
    pub volumes: Option<BTreeMap<String, Option<RawVolumeDef>>>,
}

/// The project as compose resolves it: names given, paths absolute, short forms
/// expanded, defaults filled.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Project {
    pub name: String,
    /// The directory of the first compose file, as the client names it.
    pub working_dir: String,
    /// The compose files read, absolute.
    pub config_files: Vec<String>,
    pub services: BTreeMap<String, Service>,
    /// Services left out because their profile is not active.
    pub disabled: BTreeMap<String, Service>,
    pub networks: BTreeMap<String, Network>,
    pub volumes: BTreeMap<String, VolumeDef>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Service {
    pub name: String,
    pub image: Option<String>,
    pub build: Option<Build>,
    pub command: Option<Vec<String>>,
    pub entrypoint: Option<Vec<String>>,
    pub environment: BTreeMap<String, Option<String>>,
    pub ports: Vec<Port>,
    pub volumes: Vec<Mount>,
    /// Network key (in the project's `networks`) to the aliases asked there.
    pub networks: BTreeMap<String, Vec<String>>,
    pub depends_on: BTreeMap<String, Dependency>,
    pub healthcheck: Option<Healthcheck>,
    pub restart: Option<String>,
    pub container_name: Option<String>,
    pub profiles: Vec<String>,
    pub working_dir: Option<String>,
    pub user: Option<String>,
    pub hostname: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub expose: Vec<String>,
    pub network_mode: Option<String>,
}

impl Service {
    /// The image the service runs: its own, or the one `build` makes
    /// (`PROJECT-SERVICE`, as compose names it).
    pub fn image_name(&self, project: &str) -> String {
        match &self.image {
            Some(i) => i.clone(),
            None => format!("{project}-{}", self.name),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Build {
    pub context: String,
    pub dockerfile: String,
    pub args: BTreeMap<String, Option<String>>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Port {
    pub host_ip: Option<String>,
    pub target: u32,
    /// A port or a range, as written; none: the daemon picks one.
    pub published: Option<String>,
    pub protocol: String,
    pub mode: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum MountKind {
    Bind,
    Volume,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Mount {
    pub kind: MountKind,
    /// A host path (bind, absolute), a volume key (volume), or none (anonymous).
    pub source: Option<String>,
    pub target: String,
    pub read_only: bool,
    /// Short-syntax binds make a missing host directory (`bind.create_host_path`).
    pub create_host_path: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Dependency {
    pub condition: String,
    pub required: bool,
    pub restart: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Healthcheck {
    pub test: Vec<String>,
    /// Go durations as written (`10s`, `1m30s`), kept for `config`.
    pub interval: Option<String>,
    pub timeout: Option<String>,
    pub retries: Option<u64>,
    pub start_period: Option<String>,
    pub start_interval: Option<String>,
    pub disable: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Network {
    /// The engine's name: `PROJECT_KEY`, or `name:` / the external name.
    pub name: String,
    pub driver: Option<String>,
    pub external: bool,
    pub labels: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct VolumeDef {
    pub name: String,
    pub driver: Option<String>,
    pub external: bool,
    pub labels: BTreeMap<String, String>,
}

pub const CONDITION_STARTED: &str = "service_started";
pub const CONDITION_HEALTHY: &str = "service_healthy";
pub const CONDITION_COMPLETED: &str = "service_completed_successfully";

//! The check vocabulary as lesson files write it: one map per check, naming exactly one
//! kind, with an optional `hint` shown when that check is the first to fail.
//!
//! ```yaml
//! - image_exists: hello-world
//!   hint: Run hello-world once; Docker pulls it for you.
//! - image_config: { image: mynmap, entrypoint: [nmap], cmd: [localhost] }
//! - not: { command_ran: 'docker commit' }
//! ```

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One check. Exactly one of the kind fields is set; the loader refuses anything else.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Check {
    /// A hint of this check's own, offered when it is the first check to fail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,

    /// An image with this name (`nginx`, `mynmap:1.0`, an ID) is in the image store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_exists: Option<String>,
    /// No image answers to this name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_absent: Option<String>,
    /// Two names refer to one image ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub same_image: Option<Vec<String>>,
    /// An image's configuration: the fields given must hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_config: Option<ImageConfigCheck>,
    /// An image is built on another: the base's layers start the image's layers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_based_on: Option<BasedOnCheck>,
    /// An image's history rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_history: Option<HistoryCheck>,
    /// A file in an image's filesystem (its layers read in order, whiteouts honoured).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_file: Option<ImageFileCheck>,
    /// An image's size, as `docker images` counts it: within bounds, or below another's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_size: Option<ImageSizeCheck>,
    /// Some container matches every field given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<ContainerCheck>,
    /// The changes of a container's filesystem, as `docker diff` lines (`A /x`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_diff: Option<DiffCheck>,
    /// A volume: there (or gone), mounted by a container, holding a file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume: Option<VolumeCheck>,
    /// A network: there (or gone), its driver, the containers attached to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<NetworkCheck>,
    /// A compose project's containers, found by their labels: each service's state, or
    /// none left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compose_project: Option<ComposeProjectCheck>,
    /// A registry serves `repository:tag`, asked over HTTP
    /// (`localhost:5000/mynmap:1.0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry_has: Option<String>,
    /// A file in the workspace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace_file: Option<WorkspaceFileCheck>,
    /// A Dockerfile in the workspace, parsed: instructions it has and lacks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dockerfile: Option<DockerfileCheck>,
    /// A command matching this regular expression ran and succeeded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command_ran: Option<String>,
    /// No command matching this regular expression was typed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command_not_used: Option<String>,
    /// A successful command matching `first` came before one matching `then`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command_order: Option<OrderCheck>,
    /// A command matching `command` printed output matching `output`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command_output: Option<OutputCheck>,

    /// Every check holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all: Option<Vec<Check>>,
    /// At least one check holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub any: Option<Vec<Check>>,
    /// The check does not hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not: Option<Box<Check>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImageConfigCheck {
    pub image: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entrypoint: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cmd: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workdir: Option<String>,
    /// `KEY=value` entries the environment must contain.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<String>,
    /// Exposed ports, exactly, in any order (`80/tcp`; `80` means TCP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exposed_ports: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Labels that must be present with these values.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BasedOnCheck {
    pub image: String,
    pub base: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HistoryCheck {
    pub image: String,
    /// Exactly this many rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<usize>,
    /// Regular expressions each matching some row's CREATED BY, in this order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub created_by: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImageFileCheck {
    pub image: String,
    /// An absolute path in the image.
    pub path: String,
    /// A regular expression the file's content must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// Permission bits, in octal (`"755"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImageSizeCheck {
    pub image: String,
    /// At most this size: `30MB`, `1.5GB`, `800kB` (decimal units, as `docker images`
    /// shows sizes) or `20MiB` (binary).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_most: Option<String>,
    /// At least this size, in the same units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_least: Option<String>,
    /// Smaller than this other image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smaller_than: Option<String>,
}

impl ImageSizeCheck {
    /// The bounds in bytes, or the first one that does not read as a size.
    pub fn bounds(&self) -> Result<(Option<u64>, Option<u64>), String> {
        let read = |v: &Option<String>| v.as_deref().map(parse_size).transpose();
        Ok((read(&self.at_least)?, read(&self.at_most)?))
    }
}

/// `30MB` → 30,000,000; `1.5GB`; `20MiB` → 20×2²⁰; a bare number is bytes.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a size (write it as 30MB, 1.5GB, 20MiB)"))?;
    let scale: f64 = match unit.trim() {
        "" | "B" => 1.0,
        "kB" | "KB" => 1e3,
        "MB" => 1e6,
        "GB" => 1e9,
        "KiB" => 1024.0,
        "MiB" => 1024.0 * 1024.0,
        "GiB" => 1024.0 * 1024.0 * 1024.0,
        _ => {
            return Err(format!(
                "{text:?} is not a size (write it as 30MB, 1.5GB, 20MiB)"
            ));
        }
    };
    Ok((value * scale).round() as u64)
}

/// Which containers a check is about: all fields given must hold.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContainerCheck {
    /// The container's name (without the leading `/`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The image it was created from, as given to `docker run`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// `created`, `running` or `exited`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i64>,
    /// Published ports as `HOST:CONTAINER` (`8080:80`); every one must be published.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<String>,
    /// The restart policy's name (`no`, `always`, `unless-stopped`, `on-failure`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart: Option<String>,
    /// Mounts as `-v` writes them, `SOURCE:DESTINATION`, each of which must be there: a
    /// volume's name (`notes:/data`), or a workspace directory, written with a `./`
    /// (`./site:/usr/share/nginx/html`). `:ro` at the end wants it read-only, `:rw`
    /// writable.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mounts: Vec<String>,
}

/// One of [`ContainerCheck::mounts`], read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountSpec {
    pub source: MountSource,
    pub destination: String,
    /// `Some(false)` for `:ro`, `Some(true)` for `:rw`.
    pub writable: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MountSource {
    Volume(String),
    /// Relative to the workspace, without the leading `./`.
    Workspace(String),
}

impl MountSpec {
    /// `notes:/data`, `./site:/usr/share/nginx/html:ro`, or why it is neither.
    pub fn parse(text: &str) -> Result<MountSpec, String> {
        let bad = || {
            format!(
                "{text:?} is not a mount: write SOURCE:DESTINATION (notes:/data, ./site:/srv:ro)"
            )
        };
        let mut parts: Vec<&str> = text.split(':').collect();
        let writable = match parts.last() {
            Some(&"ro") if parts.len() == 3 => Some(false),
            Some(&"rw") if parts.len() == 3 => Some(true),
            _ if parts.len() == 2 => None,
            _ => return Err(bad()),
        };
        parts.truncate(2);
        let (source, destination) = (parts[0], parts[1]);
        if source.is_empty() || !destination.starts_with('/') {
            return Err(bad());
        }
        let source = if source.starts_with('.') || source.contains('/') {
            let relative = source.trim_start_matches("./").trim_end_matches('/');
            if source.starts_with('/') || relative.split('/').any(|p| p == "..") {
                return Err(format!(
                    "{text:?}: a bind mount's source is a workspace directory, written ./DIR"
                ));
            }
            MountSource::Workspace(if relative == "." {
                String::new()
            } else {
                relative.to_string()
            })
        } else {
            MountSource::Volume(source.to_string())
        };
        Ok(MountSpec {
            source,
            destination: destination.trim_end_matches('/').to_string(),
            writable,
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VolumeCheck {
    pub name: String,
    /// `false`: the volume must not exist.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub exists: bool,
    /// A container, by name and running or not, that has the volume mounted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_by: Option<String>,
    /// A file in the volume, by its path from the volume's root (`note.txt`). A volume's
    /// files are read through a container that mounts it (`used_by`, or any), since
    /// only a container gives them a path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// A regular expression the file's content must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contains: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkCheck {
    pub name: String,
    /// `false`: the network must not exist.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub exists: bool,
    /// The driver (`bridge`, `host`, `none`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    /// Containers, by name, that must be attached to it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub containers: Vec<String>,
    /// Containers, by name, that must not be attached to it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_containers: Vec<String>,
    /// Names a container answers to on this network besides its own
    /// (`--network-alias`, `docker network connect --alias`): container name → aliases,
    /// each of which it must have.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub aliases: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ComposeProjectCheck {
    /// The project's name (`docker compose -p`, else the compose file's folder).
    pub project: String,
    /// Service name → `running`, `exited` or `healthy`: the service has containers, and
    /// every one of them is in that state (`healthy`: running, its health check
    /// passing).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub services: BTreeMap<String, String>,
    /// `true`: no container of the project is left, running or not (`docker compose
    /// down`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub absent: bool,
}

/// The states a compose service may be asked to be in.
pub const SERVICE_STATES: &[&str] = &["running", "exited", "healthy"];

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DiffCheck {
    /// The container, chosen as for `container` checks (the newest that matches).
    pub container: ContainerCheck,
    /// Lines that must all be among `docker diff`'s.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contains: Vec<String>,
    /// Exactly these lines, in any order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkspaceFileCheck {
    /// A path relative to the workspace.
    pub path: String,
    /// `false`: the file must not exist.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub exists: bool,
    /// A regular expression the content must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// Whether the file is executable by its owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub executable: Option<bool>,
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DockerfileCheck {
    /// Relative to the workspace.
    #[serde(default = "default_dockerfile")]
    pub path: String,
    /// Regular expressions, each matching one instruction (`FROM alpine(:latest)?`), in
    /// this order. An instruction reads as its name in upper case, one space, and its
    /// arguments as written, continuations joined.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub has: Vec<String>,
    /// Regular expressions no instruction may match.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lacks: Vec<String>,
}

fn default_dockerfile() -> String {
    "Dockerfile".to_string()
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderCheck {
    pub first: String,
    pub then: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OutputCheck {
    /// A regular expression for the command.
    pub command: String,
    /// A regular expression what it printed (standard output, then standard error)
    /// must match.
    pub output: String,
}

/// A check's kind, borrowed: what [`Check::kinds`] finds set.
#[derive(Debug, Clone, Copy)]
pub enum Kind<'a> {
    ImageExists(&'a str),
    ImageAbsent(&'a str),
    SameImage(&'a [String]),
    ImageConfig(&'a ImageConfigCheck),
    ImageBasedOn(&'a BasedOnCheck),
    ImageHistory(&'a HistoryCheck),
    ImageFile(&'a ImageFileCheck),
    ImageSize(&'a ImageSizeCheck),
    Container(&'a ContainerCheck),
    ContainerDiff(&'a DiffCheck),
    Volume(&'a VolumeCheck),
    Network(&'a NetworkCheck),
    ComposeProject(&'a ComposeProjectCheck),
    RegistryHas(&'a str),
    WorkspaceFile(&'a WorkspaceFileCheck),
    Dockerfile(&'a DockerfileCheck),
    CommandRan(&'a str),
    CommandNotUsed(&'a str),
    CommandOrder(&'a OrderCheck),
    CommandOutput(&'a OutputCheck),
    All(&'a [Check]),
    Any(&'a [Check]),
    Not(&'a Check),
}

impl Check {
    /// Every kind set on this check; a well-formed check has exactly one.
    pub fn kinds(&self) -> Vec<Kind<'_>> {
        let c = self;
        [
            c.image_exists.as_deref().map(Kind::ImageExists),
            c.image_absent.as_deref().map(Kind::ImageAbsent),
            c.same_image.as_deref().map(Kind::SameImage),
            c.image_config.as_ref().map(Kind::ImageConfig),
            c.image_based_on.as_ref().map(Kind::ImageBasedOn),
            c.image_history.as_ref().map(Kind::ImageHistory),
            c.image_file.as_ref().map(Kind::ImageFile),
            c.image_size.as_ref().map(Kind::ImageSize),
            c.container.as_ref().map(Kind::Container),
            c.container_diff.as_ref().map(Kind::ContainerDiff),
            c.volume.as_ref().map(Kind::Volume),
            c.network.as_ref().map(Kind::Network),
            c.compose_project.as_ref().map(Kind::ComposeProject),
            c.registry_has.as_deref().map(Kind::RegistryHas),
            c.workspace_file.as_ref().map(Kind::WorkspaceFile),
            c.dockerfile.as_ref().map(Kind::Dockerfile),
            c.command_ran.as_deref().map(Kind::CommandRan),
            c.command_not_used.as_deref().map(Kind::CommandNotUsed),
            c.command_order.as_ref().map(Kind::CommandOrder),
            c.command_output.as_ref().map(Kind::CommandOutput),
            c.all.as_deref().map(Kind::All),
            c.any.as_deref().map(Kind::Any),
            c.not.as_deref().map(Kind::Not),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    /// The single kind of a well-formed check.
    pub fn kind(&self) -> Option<Kind<'_>> {
        match self.kinds().as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }

    /// Every regular expression this check and its children use, for validation.
    pub fn patterns(&self) -> Vec<&str> {
        let mut out = Vec::new();
        for kind in self.kinds() {
            match kind {
                Kind::ImageHistory(h) => out.extend(h.created_by.iter().map(String::as_str)),
                Kind::ImageFile(f) => out.extend(f.content.as_deref()),
                Kind::WorkspaceFile(f) => out.extend(f.content.as_deref()),
                Kind::Volume(v) => out.extend(v.contains.as_deref()),
                Kind::Dockerfile(d) => out.extend(d.has.iter().chain(&d.lacks).map(String::as_str)),
                Kind::CommandRan(p) | Kind::CommandNotUsed(p) => out.push(p),
                Kind::CommandOrder(o) => out.extend([o.first.as_str(), o.then.as_str()]),
                Kind::CommandOutput(o) => out.extend([o.command.as_str(), o.output.as_str()]),
                Kind::All(list) | Kind::Any(list) => {
                    out.extend(list.iter().flat_map(Check::patterns))
                }
                Kind::Not(inner) => out.extend(inner.patterns()),
                _ => {}
            }
        }
        out
    }

    /// The names of the kinds set, for messages.
    pub fn kind_names(&self) -> Vec<&'static str> {
        self.kinds().iter().map(Kind::name).collect()
    }
}

impl Kind<'_> {
    pub fn name(&self) -> &'static str {
        match self {
            Kind::ImageExists(_) => "image_exists",
            Kind::ImageAbsent(_) => "image_absent",
            Kind::SameImage(_) => "same_image",
            Kind::ImageConfig(_) => "image_config",
            Kind::ImageBasedOn(_) => "image_based_on",
            Kind::ImageHistory(_) => "image_history",
            Kind::ImageFile(_) => "image_file",
            Kind::ImageSize(_) => "image_size",
            Kind::Container(_) => "container",
            Kind::ContainerDiff(_) => "container_diff",
            Kind::Volume(_) => "volume",
            Kind::Network(_) => "network",
            Kind::ComposeProject(_) => "compose_project",
            Kind::RegistryHas(_) => "registry_has",
            Kind::WorkspaceFile(_) => "workspace_file",
            Kind::Dockerfile(_) => "dockerfile",
            Kind::CommandRan(_) => "command_ran",
            Kind::CommandNotUsed(_) => "command_not_used",
            Kind::CommandOrder(_) => "command_order",
            Kind::CommandOutput(_) => "command_output",
            Kind::All(_) => "all",
            Kind::Any(_) => "any",
            Kind::Not(_) => "not",
        }
    }
}

#[cfg(test)]
mod size_tests {
    use super::*;

    #[test]
    fn sizes_read_in_dockers_decimal_units_and_in_binary_ones() {
        assert_eq!(parse_size("30MB"), Ok(30_000_000));
        assert_eq!(parse_size("1.5GB"), Ok(1_500_000_000));
        assert_eq!(parse_size("800kB"), Ok(800_000));
        assert_eq!(parse_size("20MiB"), Ok(20 * 1024 * 1024));
        assert_eq!(parse_size("512"), Ok(512));
        assert!(parse_size("big").is_err());
        assert!(parse_size("30 parsecs").is_err());
    }
}

#[cfg(test)]
mod mount_tests {
    use super::*;

    #[test]
    fn mounts_read_as_docker_run_writes_them() {
        assert_eq!(
            MountSpec::parse("notes:/data"),
            Ok(MountSpec {
                source: MountSource::Volume("notes".into()),
                destination: "/data".into(),
                writable: None,
            })
        );
        assert_eq!(
            MountSpec::parse("./site:/usr/share/nginx/html:ro"),
            Ok(MountSpec {
                source: MountSource::Workspace("site".into()),
                destination: "/usr/share/nginx/html".into(),
                writable: Some(false),
            })
        );
        assert_eq!(
            MountSpec::parse("./:/src:rw").map(|m| (m.source, m.writable)),
            Ok((MountSource::Workspace(String::new()), Some(true)))
        );
        for bad in [
            "notes",
            "notes:data",
            "/etc:/etc",
            "../up:/x",
            "a:/b:rx",
            ":/x",
        ] {
            assert!(MountSpec::parse(bad).is_err(), "{bad}");
        }
    }
}

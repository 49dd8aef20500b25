//! Volumes: named (`-v NAME:/path`, `--mount type=volume,...`, `docker volume create`)
//! and anonymous (`-v /path`), and how they are mounted into a container's filesystem.
//!
//! A volume's files are kept apart from every layer, as a tar of their own under
//! `STATE/volumes/`. While a container's process runs, each of its volumes is laid over
//! its mount point in the container's snapshot; when the container's layer is saved, what
//! lies under a mount point goes back to the volume and never into the layer, so neither
//! `docker diff` nor `docker commit` sees it. An empty volume is filled on first mount
//! with what the image has at the mount point, as Docker's copy-up does.

use super::Engine;
use super::content::atomic_write;
use super::error::{EngineError, Result};
use super::fs::{Layer, LayerEntry, Snapshot};
use super::runtime::ContainerRecord;
use super::shell::vfs;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

/// The label Docker puts on the volumes it creates for `-v /path`.
pub const ANONYMOUS_LABEL: &str = "com.docker.volume.anonymous";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VolumeRecord {
    pub name: String,
    /// RFC 3339, seconds.
    pub created: String,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

impl VolumeRecord {
    pub fn is_anonymous(&self) -> bool {
        self.labels.contains_key(ANONYMOUS_LABEL)
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct VolumeStore {
    volumes: BTreeMap<String, VolumeRecord>,
}

/// A volume mounted into a container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MountRecord {
    pub name: String,
    pub destination: String,
    /// How it was asked for: `z` for `-v NAME:/path`, empty otherwise (inspect's Mode).
    #[serde(default)]
    pub mode: String,
    #[serde(default)]
    pub read_only: bool,
    /// A bind mount's host directory (inside the lab's workspace); `name` is empty then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<PathBuf>,
}

/// The bytes of the files under `dir` (none when it does not exist).
fn directory_size(dir: &std::path::Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|entry| match entry.file_type() {
            Ok(t) if t.is_dir() => directory_size(&entry.path()),
            Ok(t) if t.is_file() => entry.metadata().map_or(0, |m| m.len()),
            _ => 0,
        })
        .sum()
}

/// Whether `path` is `dir` or lies beneath it.
pub(super) fn under(path: &str, dir: &str) -> bool {
    path == dir
        || path
            .strip_prefix(dir)
            .is_some_and(|rest| rest.starts_with('/'))
}

impl Engine {
    /// A bind mount's source: an existing directory inside the directory the engine may
    /// bind (the lab's workspace), canonical. Anything else is refused.
    fn bind_source(&self, source: &str, spec: &str) -> Result<PathBuf> {
        let Some(root) = &self.bind_root else {
            return Err(EngineError::BadRequest(format!(
                "docklab: this engine mounts named volumes only, not host directories ({spec})"
            )));
        };
        let outside = || {
            EngineError::BadRequest(format!(
                "docklab: {source}: a bind mount must be a directory of the lab's workspace"
            ))
        };
        let path = std::fs::canonicalize(source).map_err(|_| {
            EngineError::BadRequest(format!(
                "invalid mount config for type \"bind\": bind source path does not exist: {source}"
            ))
        })?;
        let root = std::fs::canonicalize(root).map_err(|_| outside())?;
        if !path.starts_with(&root) || !path.is_dir() {
            return Err(outside());
        }
        Ok(path)
    }

    pub(super) fn volume_path(&self, name: &str) -> PathBuf {
        self.state_dir.join("volumes").join(format!("{name}.tar"))
    }

    /// What a service keeps in a volume as real files rather than in its tar (a registry
    /// container's storage): `STATE/volumes/NAME/`, removed with the volume.
    pub(super) fn volume_dir(&self, name: &str) -> PathBuf {
        self.state_dir.join("volumes").join(name)
    }

    /// `POST /volumes/create`: creates the volume unless it exists; its record.
    pub fn create_volume(
        &mut self,
        name: Option<&str>,
        labels: BTreeMap<String, String>,
    ) -> Result<VolumeRecord> {
        let name = match name.filter(|n| !n.is_empty()) {
            Some(n) => {
                if !super::runtime::valid_name(n) {
                    return Err(EngineError::BadRequest(format!(
                        "create {n}: \"{n}\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path"
                    )));
                }
                n.to_string()
            }
            None => self.ids.hex_id(),
        };
        if let Some(existing) = self.volumes.volumes.get(&name) {
            return Ok(existing.clone());
        }
        let record = VolumeRecord {
            name: name.clone(),
            created: self
                .clock
                .now()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            labels,
        };
        self.volumes.volumes.insert(name, record.clone());
        self.save()?;
        Ok(record)
    }

    /// `GET /volumes`: every volume with the number of containers that use it.
    pub fn list_volumes(&self) -> Vec<(VolumeRecord, usize)> {
        self.volumes
            .volumes
            .values()
            .map(|v| (v.clone(), self.volume_users(&v.name).len()))
            .collect()
    }

    /// `GET /volumes/{name}`.
    pub fn inspect_volume(&self, name: &str) -> Result<VolumeRecord> {
        self.volumes
            .volumes
            .get(name)
            .cloned()
            .ok_or_else(|| EngineError::NoSuchPath(format!("get {name}: no such volume")))
    }

    /// The IDs of the containers that mount volume `name`.
    fn volume_users(&self, name: &str) -> Vec<String> {
        self.containers
            .all()
            .filter(|c| c.mounts.iter().any(|m| m.name == name))
            .map(|c| c.id.clone())
            .collect()
    }

    /// `DELETE /volumes/{name}?force=`.
    pub fn remove_volume(&mut self, name: &str, force: bool) -> Result<()> {
        if !self.volumes.volumes.contains_key(name) {
            if force {
                return Ok(());
            }
            return Err(EngineError::NoSuchPath(format!(
                "get {name}: no such volume"
            )));
        }
        let users = self.volume_users(name);
        if !users.is_empty() {
            return Err(EngineError::Conflict(format!(
                "remove {name}: volume is in use - [{}]",
                users.join(" ")
            )));
        }
        self.volumes.volumes.remove(name);
        self.save()?;
        match std::fs::remove_dir_all(self.volume_dir(name)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
        match std::fs::remove_file(self.volume_path(name)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }

    /// `POST /volumes/prune`: unused volumes, anonymous ones only unless `all`; the
    /// names removed and the bytes they held.
    pub fn prune_volumes(&mut self, all: bool) -> Result<(Vec<String>, u64)> {
        let unused: Vec<String> = self
            .volumes
            .volumes
            .values()
            .filter(|v| all || v.is_anonymous())
            .filter(|v| self.volume_users(&v.name).is_empty())
            .map(|v| v.name.clone())
            .collect();
        let mut reclaimed = 0;
        for name in &unused {
            reclaimed += self.volume_size(name);
            self.remove_volume(name, false)?;
        }
        Ok((unused, reclaimed))
    }

    /// The bytes a volume's files hold, as `docker system df -v` counts them.
    pub fn volume_size(&self, name: &str) -> u64 {
        let files = self
            .volume_content(name)
            .ok()
            .flatten()
            .map_or(0, |l| l.unpacked_size());
        files + directory_size(&self.volume_dir(name))
    }

    /// A volume's files, keyed from its root (`/`, `/file`); `None` before first use.
    fn volume_content(&self, name: &str) -> Result<Option<Layer>> {
        let path = self.volume_path(name);
        match std::fs::read(&path) {
            Ok(bytes) => {
                Layer::from_tar(Arc::from(bytes))
                    .map(Some)
                    .map_err(|e| EngineError::CorruptState {
                        path,
                        reason: e.to_string(),
                    })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// The mounts a create request asks for (`Binds`, `Mounts`, `Volumes`), their
    /// volumes created as needed.
    pub(super) fn mounts_of(
        &mut self,
        config: &bollard_stubs::models::ContainerCreateBody,
    ) -> Result<Vec<MountRecord>> {
        let host = config.host_config.clone().unwrap_or_default();
        let mut wanted: Vec<(Option<String>, String, String, bool)> = Vec::new();
        let mut binds: Vec<MountRecord> = Vec::new();
        let relative = |target: &str| {
            format!(
                "invalid mount config for type \"volume\": invalid mount path: '{target}' mount path must be absolute"
            )
        };
        for bind in host.binds.iter().flatten() {
            let parts: Vec<&str> = bind.split(':').collect();
            let (source, target, options) = match parts.as_slice() {
                [s, t] => (*s, *t, ""),
                [s, t, o] => (*s, *t, *o),
                _ => {
                    return Err(EngineError::BadRequest(format!(
                        "invalid volume specification: '{bind}'"
                    )));
                }
            };
            if source.starts_with('/') {
                let host = self.bind_source(source, bind)?;
                if !target.starts_with('/') {
                    return Err(EngineError::BadRequest(format!(
                        "invalid volume specification: '{bind}': invalid mount config for type \"bind\": invalid mount path: '{target}' mount path must be absolute"
                    )));
                }
                binds.push(MountRecord {
                    name: String::new(),
                    destination: super::fs::normalise(target),
                    mode: options.to_string(),
                    read_only: options.split(',').any(|o| o == "ro"),
                    host: Some(host),
                });
                continue;
            }
            if !target.starts_with('/') {
                return Err(EngineError::BadRequest(format!(
                    "invalid volume specification: '{bind}': {}",
                    relative(target)
                )));
            }
            wanted.push((
                Some(source.to_string()),
                target.to_string(),
                "z".into(),
                options.split(',').any(|o| o == "ro"),
            ));
        }
        for mount in host.mounts.iter().flatten() {
            let kind = mount.typ.map(|t| t.to_string()).unwrap_or_default();
            if kind == "bind" {
                let target = mount.target.clone().unwrap_or_default();
                let source = mount.source.clone().unwrap_or_default();
                if source.is_empty() {
                    return Err(EngineError::BadRequest(
                        "invalid mount config for type \"bind\": field Source must not be empty"
                            .into(),
                    ));
                }
                if !target.starts_with('/') {
                    return Err(EngineError::BadRequest(format!(
                        "invalid mount config for type \"bind\": invalid mount path: '{target}' mount path must be absolute"
                    )));
                }
                let host = self.bind_source(&source, &format!("{source}:{target}"))?;
                let read_only = mount.read_only.unwrap_or(false);
                binds.push(MountRecord {
                    name: String::new(),
                    destination: super::fs::normalise(&target),
                    mode: String::new(),
                    read_only,
                    host: Some(host),
                });
                continue;
            }
            if kind != "volume" {
                return Err(EngineError::BadRequest(format!(
                    "docklab: the embedded engine mounts volumes and binds, not type={kind}"
                )));
            }
            wanted.push((
                mount.source.clone().filter(|s| !s.is_empty()),
                mount.target.clone().unwrap_or_default(),
                String::new(),
                mount.read_only.unwrap_or(false),
            ));
        }
        for target in config.volumes.iter().flatten() {
            if !wanted.iter().any(|(_, t, _, _)| t == target) {
                wanted.push((None, target.clone(), String::new(), false));
            }
        }
        let mut mounts = binds;
        for (source, target, mode, read_only) in wanted {
            if !target.starts_with('/') {
                return Err(EngineError::BadRequest(relative(&target)));
            }
            let labels = match source {
                None => BTreeMap::from([(ANONYMOUS_LABEL.to_string(), String::new())]),
                Some(_) => BTreeMap::new(),
            };
            let volume = self.create_volume(source.as_deref(), labels)?;
            mounts.push(MountRecord {
                name: volume.name,
                destination: super::fs::normalise(&target),
                mode,
                read_only,
                host: None,
            });
        }
        Ok(mounts)
    }

    /// The container's filesystem as its process sees it: its snapshot with each volume
    /// laid over its mount point.
    pub(super) fn mounted_snapshot(&mut self, id: &str) -> Result<Snapshot> {
        let mut snapshot = self.container_snapshot(id)?;
        let mounts = self.container_mounts(id);
        for mount in &mounts {
            if let Some(host) = &mount.host {
                // The directory as it is now on the host, laid over the mount point.
                let from = super::shell::WorkspaceFs::new(host);
                if snapshot.lookup(&mount.destination).is_none() {
                    let _ = vfs::create_dir_all(&mut snapshot, &mount.destination);
                }
                mirror(&from, "/", &mut snapshot, &mount.destination)?;
                continue;
            }
            let Some(content) = self.volume_content(&mount.name)? else {
                // First use: the volume starts with what the image has there.
                if snapshot.lookup(&mount.destination).is_none() {
                    let _ = super::shell::Vfs::create_dir(&mut snapshot, &mount.destination);
                }
                continue;
            };
            let dest = &mount.destination;
            for (path, node) in snapshot.subtree_of(dest).into_iter().rev() {
                if path != *dest && content.get(&path[dest.len()..]).is_none() {
                    let _ = if node.is_dir() {
                        super::shell::Vfs::remove_dir(&mut snapshot, &path)
                    } else {
                        super::shell::Vfs::remove_file(&mut snapshot, &path)
                    };
                }
            }
            for (key, entry) in content.entries() {
                if let LayerEntry::Put(node) = entry {
                    let path = if key == "/" {
                        dest.clone()
                    } else {
                        format!("{dest}{key}")
                    };
                    let _ = snapshot.put_node(&path, node.clone());
                }
            }
        }
        // `:ro`: the process sees the files and may change none of them.
        for mount in mounts.iter().filter(|m| m.read_only) {
            snapshot.mount_read_only(&mount.destination);
        }
        Ok(snapshot)
    }

    fn container_mounts(&self, id: &str) -> Vec<MountRecord> {
        self.containers
            .find(id)
            .map(|c| c.mounts.clone())
            .unwrap_or_default()
    }

    /// Splits what a process left in `snapshot`: files under a mount point go back to
    /// their volumes; the rest is the container's layer. The mount point itself stays
    /// in the layer when the image did not have it (Docker creates it there).
    pub(super) fn unmount(&self, record: &ContainerRecord, snapshot: &Snapshot) -> Result<Layer> {
        let upper = snapshot.upper();
        if record.mounts.is_empty() {
            return Ok(upper.clone());
        }
        let image = Snapshot::view(snapshot.parent().clone());
        let mut layer = Layer::new();
        for (key, entry) in upper.entries() {
            match record.mounts.iter().find(|m| under(key, &m.destination)) {
                None => layer.insert(key.clone(), entry.clone()),
                Some(m) if *key == m.destination && image.lookup(key).is_none() => {
                    if let Some(node) = snapshot.lookup(key) {
                        layer.put(key, node.clone());
                    }
                }
                Some(_) => {}
            }
        }
        for mount in &record.mounts {
            if let Some(host) = &mount.host {
                // What the process left there goes back to the host directory.
                if !mount.read_only {
                    let mut to = super::shell::WorkspaceFs::new(host);
                    mirror(snapshot, &mount.destination, &mut to, "/")?;
                }
                continue;
            }
            let mut content = Layer::new();
            for (path, node) in snapshot.subtree_of(&mount.destination) {
                let key = match &path[mount.destination.len()..] {
                    "" => "/".to_string(),
                    rest => rest.to_string(),
                };
                content.put(&key, node);
            }
            let path = self.volume_path(&mount.name);
            std::fs::create_dir_all(path.parent().expect("has a parent"))?;
            atomic_write(&path, &content.to_tar())?;
        }
        Ok(layer)
    }

    /// What `docker inspect` shows as the container's `Mounts`.
    pub(super) fn mount_points(
        &self,
        record: &ContainerRecord,
    ) -> Vec<bollard_stubs::models::MountPoint> {
        record
            .mounts
            .iter()
            .map(|m| match &m.host {
                Some(host) => bollard_stubs::models::MountPoint {
                    typ: Some("bind".into()),
                    name: None,
                    source: Some(host.display().to_string()),
                    destination: Some(m.destination.clone()),
                    driver: None,
                    mode: Some(m.mode.clone()),
                    rw: Some(!m.read_only),
                    propagation: Some("rprivate".into()),
                },
                None => bollard_stubs::models::MountPoint {
                    typ: Some("volume".into()),
                    name: Some(m.name.clone()),
                    source: Some(format!("/var/lib/docker/volumes/{}/_data", m.name)),
                    destination: Some(m.destination.clone()),
                    driver: Some("local".into()),
                    mode: Some(m.mode.clone()),
                    rw: Some(!m.read_only),
                    propagation: Some(String::new()),
                },
            })
            .collect()
    }

    /// A volume as the Engine API describes it, with its usage.
    pub fn volume_model(&self, record: &VolumeRecord) -> bollard_stubs::models::Volume {
        let labels: HashMap<&String, &String> = record.labels.iter().collect();
        serde_json::from_value(serde_json::json!({
            "Name": record.name,
            "Driver": "local",
            "Mountpoint": format!("/var/lib/docker/volumes/{}/_data", record.name),
            "CreatedAt": record.created,
            "Labels": labels,
            "Scope": "local",
            "Options": {},
            "UsageData": {
                "Size": self.volume_size(&record.name),
                "RefCount": self.volume_users(&record.name).len(),
            },
        }))
        .expect("a volume's fields fit the API model")
    }

    /// `rm -v`: the anonymous volumes of a removed container, unless others use them.
    pub(super) fn remove_anonymous_volumes(&mut self, mounts: &[MountRecord]) -> Result<()> {
        for mount in mounts {
            let anonymous = self
                .volumes
                .volumes
                .get(&mount.name)
                .is_some_and(VolumeRecord::is_anonymous);
            if anonymous && self.volume_users(&mount.name).is_empty() {
                self.remove_volume(&mount.name, true)?;
            }
        }
        Ok(())
    }
}

/// Makes the tree at `dst` in `to` the same as the tree at `src` in `from`: files,
/// directories, symlinks and modes; what `from` lacks goes. Both sides are jailed
/// filesystems (a container snapshot, a workspace directory), so no path leaves them.
fn mirror(
    from: &dyn super::shell::Vfs,
    src: &str,
    to: &mut dyn super::shell::Vfs,
    dst: &str,
) -> std::io::Result<()> {
    let wanted = from.read_dir(src)?;
    for e in to.read_dir(dst)? {
        if !wanted.iter().any(|w| w.name == e.name) {
            vfs::remove_tree(to, &vfs::normalize(dst, &e.name))?;
        }
    }
    for e in wanted {
        let (s, d) = (vfs::normalize(src, &e.name), vfs::normalize(dst, &e.name));
        let meta = from.symlink_metadata(&s)?;
        let existing = to.symlink_metadata(&d).ok();
        if meta.is_symlink() {
            let target = from.read_link(&s)?;
            if existing.is_some() {
                if to.read_link(&d).is_ok_and(|t| t == target) {
                    continue;
                }
                vfs::remove_tree(to, &d)?;
            }
            to.symlink(&target, &d)?;
        } else if meta.is_dir() {
            if existing.as_ref().is_some_and(|m| !m.is_dir()) {
                vfs::remove_tree(to, &d)?;
            }
            if !to.exists(&d) {
                to.create_dir(&d)?;
            }
            mirror(from, &s, to, &d)?;
            let _ = to.set_mode(&d, meta.mode);
        } else {
            let data = from.read(&s)?;
            match &existing {
                Some(m) if m.is_dir() || m.is_symlink() => vfs::remove_tree(to, &d)?,
                Some(_) if to.read(&d).is_ok_and(|old| old == data) => {
                    let _ = to.set_mode(&d, meta.mode);
                    continue;
                }
                _ => {}
            }
            to.write(&d, &data, false)?;
            let _ = to.set_mode(&d, meta.mode);
            let _ = to.set_mtime(&d, meta.mtime);
        }
    }
    Ok(())
}

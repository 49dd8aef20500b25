//! A running container's filesystem as services read it while they serve: the image's
//! layers, the container's writable layer as it is now on disk, its volumes as they are
//! now, and its bind mounts.

use crate::engine::fs::{Layer, LayerStack, Snapshot};
use crate::engine::shell::{Vfs, WorkspaceFs};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// A file's length and modification time: enough to tell that it changed.
type Stamp = (u64, Option<std::time::SystemTime>);

pub struct LiveFs {
    lower: Arc<LayerStack>,
    upper_path: PathBuf,
    /// The writable layer as last read, with the file's length and mtime then.
    upper: Mutex<Option<(Stamp, Layer)>>,
    /// Bind mounts, deepest first: (mount point, host directory). What lies under a
    /// mount point is read from the host as it is now.
    binds: Vec<(String, PathBuf)>,
    /// Volumes: (mount point, the volume's tar, its content as last read).
    volumes: Vec<Volume>,
}

struct Volume {
    mount_point: String,
    tar: PathBuf,
    cached: Mutex<Option<(Stamp, Layer)>>,
}

fn stamp_of(path: &std::path::Path) -> Stamp {
    std::fs::metadata(path)
        .map(|m| (m.len(), m.modified().ok()))
        .unwrap_or((0, None))
}

/// The layer in the tar at `path`, read again only when the file changed.
fn cached_layer(path: &std::path::Path, cache: &Mutex<Option<(Stamp, Layer)>>) -> Layer {
    let stamp = stamp_of(path);
    let mut cached = cache.lock().unwrap_or_else(|e| e.into_inner());
    let fresh = cached.as_ref().is_some_and(|(s, _)| *s == stamp);
    if !fresh {
        let layer = std::fs::read(path)
            .ok()
            .and_then(|bytes| Layer::from_tar(Arc::from(bytes)).ok())
            .unwrap_or_default();
        *cached = Some((stamp, layer));
    }
    cached.as_ref().map(|(_, l)| l.clone()).unwrap_or_default()
}

impl LiveFs {
    pub fn new(lower: Arc<LayerStack>, upper_path: PathBuf) -> LiveFs {
        LiveFs {
            lower,
            upper_path,
            upper: Mutex::new(None),
            binds: Vec::new(),
            volumes: Vec::new(),
        }
    }

    /// Serves what lies under `mount_point` from the volume kept in the tar `tar`, as it
    /// is each time it is read (another process writes it through `docker exec`).
    pub fn with_volume(mut self, mount_point: &str, tar: PathBuf) -> LiveFs {
        self.volumes.push(Volume {
            mount_point: mount_point.trim_end_matches('/').to_string(),
            tar,
            cached: Mutex::new(None),
        });
        self
    }

    /// Serves what lies under `mount_point` from the host directory `dir`.
    pub fn with_bind(mut self, mount_point: &str, dir: PathBuf) -> LiveFs {
        self.binds
            .push((mount_point.trim_end_matches('/').to_string(), dir));
        self.binds.sort_by_key(|(m, _)| std::cmp::Reverse(m.len()));
        self
    }

    /// The host directory serving `path` and the path inside it, when a bind covers it.
    pub fn bound(&self, path: &str) -> Option<(WorkspaceFs, String)> {
        self.binds.iter().find_map(|(mount, dir)| {
            let rest = path.strip_prefix(mount.as_str())?;
            (rest.is_empty() || rest.starts_with('/')).then(|| {
                let inner = if rest.is_empty() { "/" } else { rest };
                (WorkspaceFs::new(dir), inner.to_string())
            })
        })
    }

    /// The container's own filesystem (binds aside) as it is now.
    pub fn snapshot(&self) -> Snapshot {
        let upper = cached_layer(&self.upper_path, &self.upper);
        let mut snapshot = Snapshot::resume(self.lower.clone(), upper);
        for volume in &self.volumes {
            let content = cached_layer(&volume.tar, &volume.cached);
            for (key, entry) in content.entries() {
                if let crate::engine::fs::LayerEntry::Put(node) = entry {
                    let path = if key == "/" {
                        volume.mount_point.clone()
                    } else {
                        format!("{}{key}", volume.mount_point)
                    };
                    let _ = snapshot.put_node(&path, node.clone());
                }
            }
        }
        snapshot
    }

    /// The bytes of file `path` as the container sees it now, bind mounts included.
    pub fn read(&self, path: &str) -> std::io::Result<Vec<u8>> {
        match self.bound(path) {
            Some((host, inner)) => host.read(&inner),
            None => self.snapshot().read(path),
        }
    }

    /// The metadata of `path` as the container sees it now, bind mounts included.
    pub fn metadata(&self, path: &str) -> std::io::Result<crate::engine::shell::Metadata> {
        match self.bound(path) {
            Some((host, inner)) => host.metadata(&inner),
            None => self.snapshot().metadata(path),
        }
    }

    /// The entries of directory `path`, bind mounts included.
    pub fn read_dir(&self, path: &str) -> std::io::Result<Vec<crate::engine::shell::DirEntry>> {
        match self.bound(path) {
            Some((host, inner)) => host.read_dir(&inner),
            None => self.snapshot().read_dir(path),
        }
    }
}

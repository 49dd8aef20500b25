//! A running container's filesystem as services read it while they serve: the image's
//! layers, the container's writable layer as it is now on disk, and its bind mounts.

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
}

impl LiveFs {
    pub fn new(lower: Arc<LayerStack>, upper_path: PathBuf) -> LiveFs {
        LiveFs {
            lower,
            upper_path,
            upper: Mutex::new(None),
            binds: Vec::new(),
        }
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
        let stamp = std::fs::metadata(&self.upper_path)
            .map(|m| (m.len(), m.modified().ok()))
            .unwrap_or((0, None));
        let mut cached = self.upper.lock().unwrap_or_else(|e| e.into_inner());
        let fresh = cached.as_ref().is_some_and(|(s, _)| *s == stamp);
        if !fresh {
            let layer = std::fs::read(&self.upper_path)
                .ok()
                .and_then(|bytes| Layer::from_tar(Arc::from(bytes)).ok())
                .unwrap_or_default();
            *cached = Some((stamp, layer));
        }
        let upper = cached.as_ref().map(|(_, l)| l.clone()).unwrap_or_default();
        Snapshot::resume(self.lower.clone(), upper)
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

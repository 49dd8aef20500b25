//! Checkpoints of the engine's state, for the lab's `undo` and `reset`.
//!
//! Every file the engine keeps is written to a temporary file and renamed into place
//! (blobs, `engine.json`, container layers, volumes, a registry's links), never changed
//! in place. So a checkpoint is a tree of hard links to the files as they are now:
//! taking one copies no data, and later writes cannot reach it. Restoring links the
//! checkpoint's files back, `engine.json` last, then removes what the checkpoint did not
//! have. A crash part-way leaves either the old `engine.json` or the restored one, with
//! every file it names present; the worst left behind is an unreferenced file.
//!
//! Two things are left out: `hub-cache` (a cache, valid for any state) and a
//! registry's `_uploads` (uploads in flight, which no restored registry resumes).

use super::error::{EngineError, Result};
use super::{Engine, PersistentState, STATE_VERSION};
use std::io;
use std::path::Path;

/// The parts of the state directory a checkpoint holds, `engine.json` last: it is
/// what makes the rest mean anything, so it is restored after them.
const PARTS: &[&str] = &[
    "oci-layout",
    "blobs",
    "containers",
    "volumes",
    "registries",
    "index.json",
    "engine.json",
];

/// Directories a checkpoint never holds.
const SKIPPED: &[&str] = &["_uploads"];

impl Engine {
    /// Counts the engine's saves: two equal readings mean no state changed between
    /// them (a command that only looked).
    pub fn generation(&self) -> u64 {
        self.generation.get()
    }

    /// Writes a checkpoint of the engine's whole state into `into` (a new directory on
    /// the state directory's file system).
    pub fn checkpoint(&mut self, into: &Path) -> Result<()> {
        // What services logged since the last command belongs to the state too.
        self.collect_service_logs()?;
        self.save()?;
        let io = |source| EngineError::StateIo {
            path: into.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(into).map_err(io)?;
        for part in PARTS {
            let from = self.state_dir.join(part);
            if std::fs::symlink_metadata(&from).is_ok() {
                link_tree(&from, &into.join(part)).map_err(io)?;
            }
        }
        Ok(())
    }

    /// Puts the engine back to the checkpoint in `from`: images, containers (running
    /// ones serve their ports again), volumes and registries as they were.
    pub fn restore(&mut self, from: &Path) -> Result<()> {
        let saved = from.join("engine.json");
        let bytes = std::fs::read(&saved).map_err(|source| EngineError::StateIo {
            path: saved.clone(),
            source,
        })?;
        let state = parse_state(&saved, &bytes)?;
        // The services of the state being left stop before their files change.
        let published: Vec<String> = self.containers.all().map(|c| c.id.clone()).collect();
        for id in published {
            self.net.unpublish(&id);
        }
        self.sessions.clear();
        let _ = self.net.logs().drain();
        let io = |source| EngineError::StateIo {
            path: self.state_dir.clone(),
            source,
        };
        for part in PARTS {
            let (source, target) = (from.join(part), self.state_dir.join(part));
            if std::fs::symlink_metadata(&source).is_ok() {
                mirror_links(&source, &target).map_err(io)?;
            }
        }
        for part in PARTS {
            if std::fs::symlink_metadata(from.join(part)).is_err() {
                remove_any(&self.state_dir.join(part)).map_err(io)?;
            }
        }
        self.images = state.images;
        self.containers = state.containers;
        self.volumes = state.volumes;
        self.upper_cache.borrow_mut().clear();
        self.written_index.borrow_mut().clear();
        self.durable_records.borrow_mut().clear();
        self.generation.set(self.generation.get() + 1);
        let running: Vec<String> = self
            .containers
            .all()
            .filter(|c| c.is_running())
            .map(|c| c.id.clone())
            .collect();
        for id in running {
            if let Err(e) = self.open_ports(&id) {
                let c = self.containers.get_mut(&id).expect("listed above");
                c.error = e.to_string();
            }
        }
        self.save()
    }
}

/// Reads `engine.json`, or says why it cannot be used.
pub(super) fn parse_state(path: &Path, bytes: &[u8]) -> Result<PersistentState> {
    let state: PersistentState =
        serde_json::from_slice(bytes).map_err(|e| EngineError::CorruptState {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
    if state.version != STATE_VERSION {
        return Err(EngineError::CorruptState {
            path: path.to_path_buf(),
            reason: format!(
                "state format {} is not the {} this docklab reads",
                state.version, STATE_VERSION
            ),
        });
    }
    Ok(state)
}

/// Hard-links every file under `from` into the same place under `to` (a new tree);
/// symbolic links are recreated. Where a link cannot be made, the file is copied.
fn link_tree(from: &Path, to: &Path) -> io::Result<()> {
    let kind = std::fs::symlink_metadata(from)?.file_type();
    if kind.is_dir() {
        std::fs::create_dir_all(to)?;
        for entry in std::fs::read_dir(from)? {
            let entry = entry?;
            if SKIPPED.iter().any(|s| entry.file_name() == *s) {
                continue;
            }
            link_tree(&entry.path(), &to.join(entry.file_name()))?;
        }
        Ok(())
    } else if kind.is_symlink() {
        copy_symlink(from, to)
    } else if std::fs::hard_link(from, to).is_ok() {
        Ok(())
    } else {
        std::fs::copy(from, to).map(|_| ())
    }
}

#[cfg(unix)]
fn copy_symlink(from: &Path, to: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(std::fs::read_link(from)?, to)
}

#[cfg(not(unix))]
fn copy_symlink(from: &Path, to: &Path) -> io::Result<()> {
    std::fs::copy(from, to).map(|_| ())
}

/// Makes `to` hold exactly what `from` holds, by hard links: each file is linked under
/// a temporary name and renamed over the old one, so no file is ever missing or torn;
/// then what `from` does not have is removed.
fn mirror_links(from: &Path, to: &Path) -> io::Result<()> {
    let source = std::fs::symlink_metadata(from)?;
    let target = std::fs::symlink_metadata(to).ok();
    if source.is_dir() {
        if target.as_ref().is_some_and(|t| !t.is_dir()) {
            std::fs::remove_file(to)?;
        }
        std::fs::create_dir_all(to)?;
        let mut kept = std::collections::HashSet::new();
        for entry in std::fs::read_dir(from)? {
            let entry = entry?;
            mirror_links(&entry.path(), &to.join(entry.file_name()))?;
            kept.insert(entry.file_name());
        }
        for entry in std::fs::read_dir(to)? {
            let entry = entry?;
            if !kept.contains(&entry.file_name()) {
                remove_any(&entry.path())?;
            }
        }
        return Ok(());
    }
    if let Some(t) = &target {
        if t.is_dir() {
            std::fs::remove_dir_all(to)?;
        } else if same_file(&source, t) {
            return Ok(());
        }
    }
    let dir = to.parent().unwrap_or(Path::new("."));
    let temp = dir.join(format!(
        ".restore-{}",
        to.file_name().unwrap_or_default().to_string_lossy()
    ));
    let _ = std::fs::remove_file(&temp);
    link_tree(from, &temp)?;
    std::fs::rename(&temp, to)
}

#[cfg(unix)]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(_: &std::fs::Metadata, _: &std::fs::Metadata) -> bool {
    false
}

/// Removes a file, link or directory tree; a missing one is not an error.
fn remove_any(path: &Path) -> io::Result<()> {
    let result = match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(path),
        Ok(_) => std::fs::remove_file(path),
        Err(e) => Err(e),
    };
    match result {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(root: &Path) -> Vec<(String, Vec<u8>)> {
        let mut out = Vec::new();
        for entry in walk(root) {
            let rel = entry
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let bytes = if entry.is_dir() {
                b"<dir>".to_vec()
            } else {
                std::fs::read(&entry).unwrap()
            };
            out.push((rel, bytes));
        }
        out.sort();
        out
    }

    fn walk(root: &Path) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(root).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                out.extend(walk(&path));
            }
            out.push(path);
        }
        out
    }

    #[test]
    fn a_mirror_is_the_source_exactly_and_a_link_shares_no_later_write() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::create_dir_all(a.join("sub/_uploads")).unwrap();
        std::fs::write(a.join("sub/one"), b"1").unwrap();
        std::fs::write(a.join("sub/_uploads/partial"), b"x").unwrap();
        std::fs::write(a.join("two"), b"2").unwrap();
        link_tree(&a, &b).unwrap();
        assert!(!b.join("sub/_uploads").exists(), "uploads are not kept");
        assert_eq!(std::fs::read(b.join("sub/one")).unwrap(), b"1");

        // The engine replaces files by renaming: the checkpoint keeps the old bytes.
        std::fs::write(a.join("new"), b"n").unwrap();
        std::fs::write(a.join("two.tmp"), b"22").unwrap();
        std::fs::rename(a.join("two.tmp"), a.join("two")).unwrap();
        std::fs::remove_file(a.join("sub/one")).unwrap();
        std::fs::create_dir(a.join("sub/one")).unwrap();
        assert_eq!(std::fs::read(b.join("two")).unwrap(), b"2");

        mirror_links(&b, &a).unwrap();
        assert_eq!(tree(&a), tree(&b));
        assert_eq!(std::fs::read(a.join("two")).unwrap(), b"2");
        assert!(!a.join("new").exists());
        assert!(!a.join("sub/_uploads").exists());
    }
}

//! Checkpoints of the engine's state, for the lab's `undo` and `reset`.
//!
//! Every file the engine keeps is written to a temporary file and renamed into place
//! (blobs, `engine.json`, container layers, volumes, a registry's links), never changed
//! in place. So a file's identity (device and inode) stands for its content, and a
//! checkpoint is a list of paths with the identity of the file at each. The files
//! themselves are kept in a pool directory as hard links named by that identity: a
//! checkpoint links only the files that are new since the last one, so it costs about
//! what the command before it changed, not what the engine holds. (Where there is no
//! inode to go by, every file is linked anew.)
//!
//! Restoring links each file back from the pool under a temporary name and renames it
//! over the live one, `engine.json` last, then removes what the checkpoint did not
//! have. A crash part-way leaves either the old `engine.json` or the restored one, with
//! every file it names present; the worst left behind is an unreferenced file.
//!
//! Two things are left out: `hub-cache` (a cache, valid for any state) and a
//! registry's `_uploads` (uploads in flight, which no restored registry resumes).

use super::error::{EngineError, Result};
use super::{Engine, PersistentState, STATE_VERSION};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};

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

/// The engine's state at one moment: each path under the state directory (with `/`
/// between names), parents before children, and what was there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    entries: Vec<(String, Kept)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Kept {
    Dir,
    /// A file, by its name in the pool.
    File(String),
    Link(PathBuf),
}

impl Checkpoint {
    /// The pool files this checkpoint needs.
    fn pooled(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().filter_map(|(_, k)| match k {
            Kept::File(name) => Some(name.as_str()),
            _ => None,
        })
    }
}

impl Engine {
    /// Counts the engine's saves: two equal readings mean no state changed between
    /// them (a command that only looked).
    pub fn generation(&self) -> u64 {
        self.generation.get()
    }

    /// Records the engine's whole state, keeping its files in `pool` (a directory on
    /// the state directory's file system, shared by checkpoints).
    pub fn checkpoint(&mut self, pool: &Path) -> Result<Checkpoint> {
        // What services logged since the last command belongs to the state too.
        self.collect_service_logs()?;
        if !self.state_dir.join("engine.json").exists() {
            // A new engine that has not written its state yet.
            self.save()?;
        }
        let io = |source| EngineError::StateIo {
            path: pool.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(pool).map_err(io)?;
        let mut entries = Vec::new();
        let mut fresh = 0;
        for part in PARTS {
            let path = self.state_dir.join(part);
            if std::fs::symlink_metadata(&path).is_ok() {
                keep(&path, part, pool, &mut entries, &mut fresh).map_err(io)?;
            }
        }
        Ok(Checkpoint { entries })
    }

    /// Puts the engine back to `checkpoint` (whose files are in `pool`): images,
    /// containers (running ones serve their ports again), volumes and registries as
    /// they were.
    pub fn restore(&mut self, pool: &Path, checkpoint: &Checkpoint) -> Result<()> {
        let saved = checkpoint
            .entries
            .iter()
            .find_map(|(path, kept)| match kept {
                Kept::File(name) if path == "engine.json" => Some(pool.join(name)),
                _ => None,
            })
            .ok_or_else(|| EngineError::CorruptState {
                path: pool.to_path_buf(),
                reason: "the checkpoint has no engine.json".to_string(),
            })?;
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
        put_back(&self.state_dir, pool, checkpoint).map_err(|source| EngineError::StateIo {
            path: self.state_dir.clone(),
            source,
        })?;
        self.images = state.images;
        self.containers = state.containers;
        self.volumes = state.volumes;
        self.networks = state.networks;
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

/// Removes from `pool` every file none of `kept` needs.
pub fn prune_pool(pool: &Path, kept: &[&Checkpoint]) -> io::Result<()> {
    let needed: HashSet<&str> = kept.iter().flat_map(|c| c.pooled()).collect();
    let entries = match std::fs::read_dir(pool) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        if !needed.contains(name.to_string_lossy().as_ref()) {
            remove_any(&entry.path())?;
        }
    }
    Ok(())
}

/// Adds `path` (at `rel`) and everything under it to `entries`, linking into the pool
/// the files it does not have yet.
fn keep(
    path: &Path,
    rel: &str,
    pool: &Path,
    entries: &mut Vec<(String, Kept)>,
    fresh: &mut u64,
) -> io::Result<()> {
    let meta = std::fs::symlink_metadata(path)?;
    if meta.is_dir() {
        entries.push((rel.to_string(), Kept::Dir));
        let mut names: Vec<_> = std::fs::read_dir(path)?
            .map(|e| e.map(|e| e.file_name()))
            .collect::<io::Result<_>>()?;
        names.sort();
        for name in names {
            if SKIPPED.iter().any(|s| name == *s) {
                continue;
            }
            let child = format!("{rel}/{}", name.to_string_lossy());
            keep(&path.join(&name), &child, pool, entries, fresh)?;
        }
    } else if meta.is_symlink() {
        entries.push((rel.to_string(), Kept::Link(std::fs::read_link(path)?)));
    } else {
        let name = match identity(&meta) {
            Some(id) => id,
            None => {
                *fresh += 1;
                format!("f{}-{}", std::process::id(), unique(*fresh))
            }
        };
        let pooled = pool.join(&name);
        if std::fs::symlink_metadata(&pooled).is_err() && std::fs::hard_link(path, &pooled).is_err()
        {
            std::fs::copy(path, &pooled)?;
        }
        entries.push((rel.to_string(), Kept::File(name)));
    }
    Ok(())
}

/// A name no earlier checkpoint of this process used.
fn unique(n: u64) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{nanos}-{n}")
}

/// The file's device and inode: equal for two paths only when they are one file.
#[cfg(unix)]
fn identity(meta: &std::fs::Metadata) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    Some(format!("{}-{}", meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn identity(_: &std::fs::Metadata) -> Option<String> {
    None
}

/// Makes the state directory hold what `checkpoint` records: every file is linked
/// from the pool under a temporary name and renamed over the live one, so none is ever
/// missing or torn; then what the checkpoint does not have is removed.
fn put_back(state: &Path, pool: &Path, checkpoint: &Checkpoint) -> io::Result<()> {
    let mut wanted: HashSet<&str> = HashSet::new();
    for (rel, kept) in &checkpoint.entries {
        wanted.insert(rel);
        let target = state.join(rel);
        let live = std::fs::symlink_metadata(&target).ok();
        match kept {
            Kept::Dir => {
                if live.as_ref().is_some_and(|m| !m.is_dir()) {
                    std::fs::remove_file(&target)?;
                }
                std::fs::create_dir_all(&target)?;
            }
            Kept::Link(dest) => {
                remove_any(&target)?;
                make_symlink(dest, &target)?;
            }
            Kept::File(name) => {
                if let Some(m) = &live {
                    if m.is_dir() {
                        std::fs::remove_dir_all(&target)?;
                    } else if identity(m).as_deref() == Some(name.as_str()) {
                        continue;
                    }
                }
                let temp = target.with_file_name(format!(
                    ".restore-{}",
                    target.file_name().unwrap_or_default().to_string_lossy()
                ));
                let _ = std::fs::remove_file(&temp);
                if std::fs::hard_link(pool.join(name), &temp).is_err() {
                    std::fs::copy(pool.join(name), &temp)?;
                }
                std::fs::rename(&temp, &target)?;
            }
        }
    }
    for part in PARTS {
        remove_unwanted(state, part, &wanted)?;
    }
    Ok(())
}

/// Removes `rel` (under `state`) and what is under it, except what `wanted` names.
fn remove_unwanted(state: &Path, rel: &str, wanted: &HashSet<&str>) -> io::Result<()> {
    let path = state.join(rel);
    let Ok(meta) = std::fs::symlink_metadata(&path) else {
        return Ok(());
    };
    if !wanted.contains(rel) {
        return remove_any(&path);
    }
    if meta.is_dir() {
        for entry in std::fs::read_dir(&path)? {
            let child = format!("{rel}/{}", entry?.file_name().to_string_lossy());
            remove_unwanted(state, &child, wanted)?;
        }
    }
    Ok(())
}

#[cfg(unix)]
fn make_symlink(dest: &Path, at: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(dest, at)
}

#[cfg(not(unix))]
fn make_symlink(_dest: &Path, _at: &Path) -> io::Result<()> {
    Ok(())
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

    fn walk(root: &Path) -> Vec<PathBuf> {
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

    fn replace(path: &Path, bytes: &[u8]) {
        let temp = path.with_extension("tmp");
        std::fs::write(&temp, bytes).unwrap();
        std::fs::rename(temp, path).unwrap();
    }

    fn take(state: &Path, pool: &Path) -> Checkpoint {
        std::fs::create_dir_all(pool).unwrap();
        let mut entries = Vec::new();
        for part in PARTS {
            let path = state.join(part);
            if path.exists() {
                keep(&path, part, pool, &mut entries, &mut 0).unwrap();
            }
        }
        Checkpoint { entries }
    }

    /// One change to a state directory, as the engine makes them: a file replaced by
    /// renaming, a file removed, a directory removed.
    #[derive(Debug, Clone)]
    enum Op {
        Write(usize, u8),
        Remove(usize),
        RemoveDir(usize),
    }

    const PATHS: &[&str] = &[
        "engine.json",
        "index.json",
        "blobs/sha256/aa",
        "blobs/sha256/bb",
        "containers/c1.tar",
        "volumes/v/docker/registry/link",
        "volumes/v/blobs/x",
        "registries/r/data",
    ];

    fn apply(state: &Path, ops: &[Op]) {
        for op in ops {
            match op {
                Op::Write(i, byte) => {
                    let path = state.join(PATHS[i % PATHS.len()]);
                    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                    if path.is_dir() {
                        std::fs::remove_dir_all(&path).unwrap();
                    }
                    replace(&path, &vec![*byte; *byte as usize % 7]);
                }
                Op::Remove(i) => {
                    let _ = std::fs::remove_file(state.join(PATHS[i % PATHS.len()]));
                }
                Op::RemoveDir(i) => {
                    let dir = ["blobs", "containers", "volumes", "registries"][i % 4];
                    let _ = std::fs::remove_dir_all(state.join(dir));
                }
            }
        }
    }

    fn ops() -> impl proptest::strategy::Strategy<Value = Vec<Op>> {
        use proptest::prelude::*;
        proptest::collection::vec(
            prop_oneof![
                4 => (0..PATHS.len(), any::<u8>()).prop_map(|(i, b)| Op::Write(i, b)),
                2 => (0..PATHS.len()).prop_map(Op::Remove),
                1 => (0..4usize).prop_map(Op::RemoveDir),
            ],
            0..12,
        )
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// Whatever happened between them, restoring either of two checkpoints gives
        /// back exactly its tree, and pruning keeps what a kept checkpoint needs.
        #[test]
        fn restoring_any_checkpoint_gives_back_its_tree(
            first in ops(), second in ops(), third in ops()
        ) {
            let dir = tempfile::tempdir().unwrap();
            let (state, pool) = (dir.path().join("state"), dir.path().join("pool"));
            std::fs::create_dir_all(&state).unwrap();
            apply(&state, &first);
            let (a, tree_a) = (take(&state, &pool), tree(&state));
            apply(&state, &second);
            let (b, tree_b) = (take(&state, &pool), tree(&state));
            apply(&state, &third);
            put_back(&state, &pool, &a).unwrap();
            proptest::prop_assert_eq!(tree(&state), tree_a.clone());
            put_back(&state, &pool, &b).unwrap();
            proptest::prop_assert_eq!(tree(&state), tree_b);
            prune_pool(&pool, &[&a]).unwrap();
            put_back(&state, &pool, &a).unwrap();
            proptest::prop_assert_eq!(tree(&state), tree_a);
        }
    }

    #[test]
    fn a_checkpoint_pools_each_file_once_and_restores_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let (state, pool) = (dir.path().join("state"), dir.path().join("pool"));
        std::fs::create_dir_all(state.join("blobs/sha256")).unwrap();
        std::fs::create_dir_all(state.join("volumes/v/_uploads")).unwrap();
        std::fs::write(state.join("blobs/sha256/aa"), b"layer").unwrap();
        std::fs::write(state.join("volumes/v/_uploads/partial"), b"x").unwrap();
        std::fs::write(state.join("engine.json"), b"{1}").unwrap();
        let first = take(&state, &pool);
        let before = tree(&state);
        assert_eq!(
            std::fs::read_dir(&pool).unwrap().count(),
            2,
            "uploads are not kept"
        );

        // Nothing changed: the next checkpoint links nothing new.
        let again = take(&state, &pool);
        assert_eq!(again, first);
        assert_eq!(std::fs::read_dir(&pool).unwrap().count(), 2);

        // The engine replaces files by renaming: the pool keeps the old bytes.
        replace(&state.join("engine.json"), b"{2}");
        std::fs::write(state.join("blobs/sha256/bb"), b"new layer").unwrap();
        std::fs::create_dir_all(state.join("containers")).unwrap();
        std::fs::write(state.join("containers/c.tar"), b"upper").unwrap();
        std::fs::remove_file(state.join("blobs/sha256/aa")).unwrap();
        let second = take(&state, &pool);
        assert_eq!(std::fs::read_dir(&pool).unwrap().count(), 5);

        put_back(&state, &pool, &first).unwrap();
        let mut expected = before.clone();
        // In-flight uploads are the live registry's, never a checkpoint's.
        expected.retain(|(p, _)| !p.contains("_uploads"));
        let mut now = tree(&state);
        now.retain(|(p, _)| !p.contains("_uploads"));
        assert_eq!(now, expected);

        prune_pool(&pool, &[&first]).unwrap();
        assert_eq!(std::fs::read_dir(&pool).unwrap().count(), 2);
        assert!(
            put_back(&state, &pool, &second).is_err(),
            "its files were pruned"
        );
    }
}

//! `undo` and `reset`: the lab put back as it was before the last command, or as it
//! was when the exercise began.
//!
//! A mark is taken before every lab command: a checkpoint of the engine (a list of its
//! files, each kept once in a shared pool of hard links; see `engine::checkpoint`) and
//! a copy of the workspace, in which a file unchanged since the previous mark is a hard
//! link to that mark's copy. So a mark costs about what the command before it changed. A command that changed nothing (`docker ps`, `ls`) drops
//! its mark again, so `undo` always undoes something.
//!
//! The workspace is also the student's, edited in their own editor. Undo puts back
//! what the lab changed and keeps what was edited since the last command, and says so;
//! `reset` first takes a mark itself, so even a reset can be undone.

use super::lab::Lab;
use crate::engine::Checkpoint;
use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// How many commands `undo` can go back.
const DEPTH: usize = 50;

/// What a workspace path was: enough to tell whether it changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    File {
        len: u64,
        modified: Option<SystemTime>,
    },
    Dir,
    Link(PathBuf),
}

impl Entry {
    pub fn is_file(&self) -> bool {
        matches!(self, Entry::File { .. })
    }
}

/// A directory tree: each path under it, relative, and what is there.
pub type Manifest = BTreeMap<PathBuf, Entry>;

/// The lab as it was at one moment.
struct Mark {
    /// Where its copy of the workspace is.
    dir: PathBuf,
    engine: Checkpoint,
    /// The command that came after it.
    command: String,
    /// How many commands the transcript held.
    transcript_len: usize,
    /// The workspace as copied into `dir/workspace`.
    files: Manifest,
}

/// What `undo` reports.
pub struct Undone {
    pub command: String,
    /// Workspace files edited since the last command, left as they are.
    pub kept: Vec<PathBuf>,
}

pub struct UndoLog {
    root: PathBuf,
    marks: Vec<Mark>,
    /// The mark taken before the command now running.
    pending: Option<(Mark, Option<u64>)>,
    /// The workspace as the lab last left it.
    known: Manifest,
    seq: u64,
    /// Why marks cannot be taken (a real Docker daemon), once found out.
    unavailable: Option<String>,
    /// The engine checkpoints of exercise starts, by key: kept across sessions.
    starts: BTreeMap<String, Checkpoint>,
}

impl UndoLog {
    /// Marks live under `root` (inside the state directory); those of an earlier
    /// session are gone with it, while exercise starts are kept for `reset`.
    pub fn open(root: PathBuf, lab: &Lab) -> UndoLog {
        let mut starts = BTreeMap::new();
        if let Ok(entries) = std::fs::read_dir(&root) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with("cmd-") {
                    let _ = std::fs::remove_dir_all(entry.path());
                } else if let Some(key) = name.strip_prefix("start-") {
                    let kept = std::fs::read(entry.path().join("engine.json"))
                        .ok()
                        .and_then(|b| serde_json::from_slice::<Checkpoint>(&b).ok());
                    match kept {
                        Some(checkpoint) => {
                            starts.insert(key.to_string(), checkpoint);
                        }
                        // Taken part-way when the lab stopped: taken again when the
                        // exercise is next shown.
                        None => {
                            let _ = std::fs::remove_dir_all(entry.path());
                        }
                    }
                }
            }
        }
        let log = UndoLog {
            root,
            marks: Vec::new(),
            pending: None,
            known: manifest(lab.workspace()).unwrap_or_default(),
            seq: 0,
            unavailable: None,
            starts,
        };
        log.prune();
        log
    }

    fn pool(&self) -> PathBuf {
        self.root.join("pool")
    }

    /// Lets go of the pool's files no mark needs any more.
    fn prune(&self) {
        let mut kept: Vec<&Checkpoint> = self.marks.iter().map(|m| &m.engine).collect();
        kept.extend(self.starts.values());
        if let Some((mark, _)) = &self.pending {
            kept.push(&mark.engine);
        }
        let _ = crate::engine::prune_pool(&self.pool(), &kept);
    }

    /// Before a lab command, with the workspace as it is (`now`): takes a mark. A mark
    /// that cannot be taken only means this command cannot be undone.
    pub fn before(&mut self, lab: &mut Lab, now: &Manifest) {
        if self.unavailable.is_some() {
            return;
        }
        self.seq += 1;
        let dir = self.root.join(format!("cmd-{}", self.seq));
        match self.take(lab, &dir, now) {
            Ok(mark) => self.pending = Some((mark, lab.backend().generation())),
            Err(e) => {
                let _ = std::fs::remove_dir_all(&dir);
                self.unavailable = Some(e);
            }
        }
    }

    /// After it, with the workspace as the command left it (`now`): keeps the mark if
    /// the command changed the engine or the workspace.
    pub fn after(&mut self, lab: &mut Lab, command: &str, now: &Manifest) {
        let Some((mut mark, generation)) = self.pending.take() else {
            return;
        };
        let engine_changed = generation.is_none() || lab.backend().generation() != generation;
        // The engine saved while the mark was taken; anything after that is the
        // command's doing.
        if !engine_changed && *now == mark.files {
            let _ = std::fs::remove_dir_all(&mark.dir);
            return;
        }
        self.known = now.clone();
        mark.command = command.trim_end_matches(['\n', '\r']).to_string();
        self.marks.push(mark);
        if self.marks.len() > DEPTH {
            let old = self.marks.remove(0);
            let _ = std::fs::remove_dir_all(old.dir);
            self.prune();
        }
    }

    /// Puts the lab back as it was before the last command that changed it; None when
    /// there is nothing to undo.
    pub fn undo(&mut self, lab: &mut Lab) -> Result<Option<Undone>, String> {
        if let Some(why) = &self.unavailable {
            return Err(why.clone());
        }
        let Some(mark) = self.marks.pop() else {
            return Ok(None);
        };
        let kept = self.put_back(lab, &mark)?;
        let _ = std::fs::remove_dir_all(&mark.dir);
        self.prune();
        Ok(Some(Undone {
            command: mark.command,
            kept,
        }))
    }

    /// Remembers the lab as it is now as the start of `key` (an exercise), unless a
    /// start is already kept for it.
    pub fn mark_start(&mut self, lab: &mut Lab, key: &str) {
        let key = safe_key(key);
        if self.unavailable.is_some() || self.starts.contains_key(&key) {
            return;
        }
        let dir = self.root.join(format!("start-{key}"));
        let _ = std::fs::remove_dir_all(&dir);
        let now = manifest(lab.workspace()).map_err(|e| e.to_string());
        let taken = now
            .and_then(|now| self.take(lab, &dir, &now))
            .and_then(|mark| {
                // Written last, and atomically: a start without it is not one.
                let bytes = serde_json::to_vec(&mark.engine).map_err(|e| e.to_string())?;
                crate::engine::content::atomic_write(&dir.join("engine.json"), &bytes)
                    .map_err(|e| e.to_string())?;
                Ok(mark.engine)
            });
        match taken {
            Ok(checkpoint) => {
                self.starts.insert(key, checkpoint);
            }
            Err(e) => {
                let _ = std::fs::remove_dir_all(&dir);
                self.unavailable = Some(e);
            }
        }
    }

    /// Puts the lab back as it was when `key` started; the state it leaves is itself a
    /// mark, so `undo` brings it back. False when no start was kept.
    pub fn reset(&mut self, lab: &mut Lab, key: &str) -> Result<bool, String> {
        if let Some(why) = &self.unavailable {
            return Err(why.clone());
        }
        let key = safe_key(key);
        let Some(engine) = self.starts.get(&key).cloned() else {
            return Ok(false);
        };
        let now = manifest(lab.workspace()).map_err(|e| e.to_string())?;
        self.before(lab, &now);
        let Some((mut mark, _)) = self.pending.take() else {
            return Err(self.unavailable.clone().unwrap_or_default());
        };
        mark.command = "reset".to_string();
        let start = Mark {
            dir: self.root.join(format!("start-{key}")),
            engine,
            command: String::new(),
            transcript_len: 0,
            files: Manifest::new(),
        };
        // A reset puts back every file, edited or not: that is what was asked for,
        // and the mark taken just now keeps the edits for `undo`.
        self.known = now;
        let result = self.put_back(lab, &start);
        self.marks.push(mark);
        result.map(|_| true)
    }

    /// A mark of the engine and of the workspace, whose paths are `files`.
    fn take(&self, lab: &mut Lab, dir: &Path, files: &Manifest) -> Result<Mark, String> {
        if lab.backend().generation().is_none() {
            return Err(format!(
                "undo and reset work on the embedded engine only; the {} backend's images and containers cannot be put back",
                lab.backend().name()
            ));
        }
        let engine = lab
            .backend()
            .checkpoint(&self.pool())
            .map_err(|e| crate::cli::daemon_error_text(&e))?;
        let previous = self.marks.last();
        copy_workspace(
            lab.workspace(),
            files,
            &dir.join("workspace"),
            previous.map(|m| (m.dir.join("workspace"), &m.files)),
        )
        .map_err(|e| format!("cannot keep the workspace for undo: {e}"))?;
        Ok(Mark {
            dir: dir.to_path_buf(),
            engine,
            command: String::new(),
            transcript_len: lab.transcript().len(),
            files: files.clone(),
        })
    }

    /// Restores the engine and the workspace from `mark`; returns the files edited
    /// since the lab last touched them, which are left alone.
    fn put_back(&mut self, lab: &mut Lab, mark: &Mark) -> Result<Vec<PathBuf>, String> {
        lab.backend()
            .restore(&self.pool(), &mark.engine)
            .map_err(|e| crate::cli::daemon_error_text(&e))?;
        let workspace = lab.workspace().to_path_buf();
        let now = manifest(&workspace).map_err(|e| e.to_string())?;
        let edited: BTreeSet<PathBuf> = now
            .iter()
            .filter(|(p, e)| self.known.get(*p) != Some(e))
            .map(|(p, _)| p.clone())
            .collect();
        restore_workspace(&mark.dir.join("workspace"), &workspace, &now, &edited)
            .map_err(|e| format!("cannot put the workspace back: {e}"))?;
        lab.truncate_transcript(mark.transcript_len);
        self.known = manifest(&workspace).map_err(|e| e.to_string())?;
        Ok(edited.into_iter().filter(|p| !is_dir(&now, p)).collect())
    }
}

/// A key as a file name: letters, digits, `-` and `_` only.
fn safe_key(key: &str) -> String {
    key.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn is_dir(manifest: &Manifest, path: &Path) -> bool {
    matches!(manifest.get(path), Some(Entry::Dir))
}

/// Every path under `root`, relative to it; links are not followed.
pub fn manifest(root: &Path) -> io::Result<Manifest> {
    let mut out = Manifest::new();
    walk(root, Path::new(""), &mut out)?;
    Ok(out)
}

fn walk(root: &Path, rel: &Path, out: &mut Manifest) -> io::Result<()> {
    for entry in std::fs::read_dir(root.join(rel))? {
        let entry = entry?;
        let path = rel.join(entry.file_name());
        let meta = entry.metadata()?;
        if meta.is_dir() {
            out.insert(path.clone(), Entry::Dir);
            walk(root, &path, out)?;
        } else if meta.is_symlink() {
            out.insert(path, Entry::Link(std::fs::read_link(entry.path())?));
        } else {
            out.insert(
                path,
                Entry::File {
                    len: meta.len(),
                    modified: meta.modified().ok(),
                },
            );
        }
    }
    Ok(())
}

/// Copies the workspace `from`, whose paths are `files`, into `to`. A file that has
/// not changed since `previous` (a mark's copy and what it was copied from) is
/// hard-linked to that copy: marks are never written to, so sharing is safe.
fn copy_workspace(
    from: &Path,
    files: &Manifest,
    to: &Path,
    previous: Option<(PathBuf, &Manifest)>,
) -> io::Result<()> {
    std::fs::create_dir_all(to)?;
    for (rel, entry) in files {
        let target = to.join(rel);
        match entry {
            Entry::Dir => std::fs::create_dir_all(&target)?,
            Entry::Link(dest) => make_link(dest, &target)?,
            Entry::File { .. } => {
                let linked = previous.as_ref().is_some_and(|(dir, old)| {
                    old.get(rel) == Some(entry)
                        && std::fs::hard_link(dir.join(rel), &target).is_ok()
                });
                if !linked {
                    std::fs::copy(from.join(rel), &target)?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(unix)]
fn make_link(dest: &Path, at: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(dest, at)
}

#[cfg(not(unix))]
fn make_link(_dest: &Path, _at: &Path) -> io::Result<()> {
    Ok(())
}

/// Makes the workspace (whose paths now are `now`) hold what the copy `from` holds,
/// leaving the `kept` paths (and the directories above them) alone. Files are written beside their place and
/// renamed over it; nothing outside the workspace is touched, since every path comes
/// from walking the two trees and links are never followed.
fn restore_workspace(
    from: &Path,
    workspace: &Path,
    now: &Manifest,
    kept: &BTreeSet<PathBuf>,
) -> io::Result<()> {
    let wanted = manifest(from)?;
    let keeps = |rel: &Path| {
        kept.iter()
            .any(|k| k.starts_with(rel) || rel.starts_with(k))
    };
    // Remove what the copy does not have, deepest first.
    for (rel, entry) in now.iter().rev() {
        if keeps(rel) {
            continue;
        }
        let path = workspace.join(rel);
        match (wanted.get(rel), entry) {
            (Some(w), e) if same_kind(w, e) => {}
            (_, Entry::Dir) => std::fs::remove_dir_all(&path)?,
            _ => std::fs::remove_file(&path)?,
        }
    }
    for (rel, entry) in &wanted {
        if keeps(rel) && now.contains_key(rel) {
            continue;
        }
        let path = workspace.join(rel);
        match entry {
            Entry::Dir => std::fs::create_dir_all(&path)?,
            Entry::Link(dest) => {
                if std::fs::symlink_metadata(&path).is_err() {
                    make_link(dest, &path)?;
                } else if now.get(rel) != Some(entry) {
                    std::fs::remove_file(&path)?;
                    make_link(dest, &path)?;
                }
            }
            Entry::File { .. } => {
                let bytes = std::fs::read(from.join(rel))?;
                if std::fs::read(&path).ok().as_deref() == Some(&bytes[..]) {
                    continue;
                }
                let dir = path.parent().unwrap_or(workspace);
                let mut temp = tempfile::NamedTempFile::new_in(dir)?;
                io::Write::write_all(&mut temp, &bytes)?;
                temp.persist(&path).map_err(|e| e.error)?;
            }
        }
    }
    Ok(())
}

fn same_kind(a: &Entry, b: &Entry) -> bool {
    matches!(
        (a, b),
        (Entry::Dir, Entry::Dir) | (Entry::File { .. }, Entry::File { .. })
    ) || (matches!(a, Entry::Link(_)) && a == b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_tree(root: &Path) -> BTreeMap<PathBuf, String> {
        manifest(root)
            .unwrap()
            .into_iter()
            .map(|(rel, e)| {
                let text = match e {
                    Entry::File { .. } => std::fs::read_to_string(root.join(&rel)).unwrap(),
                    Entry::Dir => "<dir>".into(),
                    Entry::Link(d) => format!("-> {}", d.display()),
                };
                (rel, text)
            })
            .collect()
    }

    /// Copies the workspace as a mark does; returns what was copied.
    fn copy(ws: &Path, to: &Path, previous: Option<(PathBuf, &Manifest)>) -> Manifest {
        let files = manifest(ws).unwrap();
        copy_workspace(ws, &files, to, previous).unwrap();
        files
    }

    fn restore(from: &Path, ws: &Path, kept: &BTreeSet<PathBuf>) {
        restore_workspace(from, ws, &manifest(ws).unwrap(), kept).unwrap();
    }

    #[test]
    fn a_workspace_copy_shares_unchanged_files_and_restores_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path().join("ws");
        std::fs::create_dir_all(ws.join("app")).unwrap();
        std::fs::write(ws.join("Dockerfile"), "FROM alpine\n").unwrap();
        std::fs::write(ws.join("app/main.sh"), "echo hi\n").unwrap();
        let first = copy(&ws, &dir.path().join("m1"), None);
        let before = read_tree(&ws);

        std::fs::write(ws.join("Dockerfile"), "FROM alpine:3.19\nRUN true\n").unwrap();
        let second = copy(
            &ws,
            &dir.path().join("m2"),
            Some((dir.path().join("m1"), &first)),
        );
        use std::os::unix::fs::MetadataExt;
        let ino = |p: &Path| std::fs::metadata(p).unwrap().ino();
        assert_eq!(
            ino(&dir.path().join("m1/app/main.sh")),
            ino(&dir.path().join("m2/app/main.sh")),
            "an unchanged file is shared"
        );
        assert_ne!(
            ino(&dir.path().join("m1/Dockerfile")),
            ino(&dir.path().join("m2/Dockerfile"))
        );
        assert_ne!(first, second);

        // The command: a new directory and file, a removed file.
        std::fs::create_dir_all(ws.join("out/deep")).unwrap();
        std::fs::write(ws.join("out/deep/x"), "x").unwrap();
        std::fs::remove_file(ws.join("app/main.sh")).unwrap();
        restore(&dir.path().join("m1"), &ws, &BTreeSet::new());
        assert_eq!(read_tree(&ws), before);
        // The marks themselves are untouched.
        assert_eq!(read_tree(&dir.path().join("m1")), before);
    }

    #[test]
    fn kept_files_survive_a_restore() {
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path().join("ws");
        std::fs::create_dir_all(&ws).unwrap();
        std::fs::write(ws.join("a"), "1").unwrap();
        copy(&ws, &dir.path().join("m"), None);
        std::fs::write(ws.join("a"), "edited").unwrap();
        std::fs::write(ws.join("b"), "made by the command").unwrap();
        let kept = BTreeSet::from([PathBuf::from("a")]);
        restore(&dir.path().join("m"), &ws, &kept);
        assert_eq!(std::fs::read_to_string(ws.join("a")).unwrap(), "edited");
        assert!(!ws.join("b").exists());
    }
}

//! What a grader hands in: where submissions are found and how each is read.
//!
//! - a **bundle** (`docklab submit`'s JSON file): the commands and the workspace;
//! - a **script** (`NAME.sh`): one command a line as typed in the lab, here-documents
//!   included, with an optional workspace folder beside it named `NAME/`;
//! - a **submission folder**: `commands.sh` (and an optional `workspace/`), or
//!   `submission.json`, as a repository of a student's would hold them;
//! - a **folder of submissions**: every script, bundle and submission folder in it.
//!
//! Finding submissions reads only names; each is read when it is graded, within
//! limits, so a thousand of them or a hostile one cost no more than they should.

use super::bundle::{self, Bundle, MAX_BUNDLE_BYTES};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Scripts larger than this are refused before reading.
pub const MAX_SCRIPT_BYTES: u64 = 4 << 20;
/// A workspace folder may hold this many files ...
pub const MAX_WORKSPACE_FILES: usize = 10_000;
/// ... and this many bytes.
pub const MAX_WORKSPACE_BYTES: u64 = 64 << 20;

/// A submission found, not yet read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The name reports use: the path as given, or under the folder given.
    pub id: String,
    pub kind: Kind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Bundle(PathBuf),
    Script {
        script: PathBuf,
        workspace: Option<PathBuf>,
    },
}

impl Kind {
    pub fn name(&self) -> &'static str {
        match self {
            Kind::Bundle(_) => "bundle",
            Kind::Script { .. } => "script",
        }
    }
}

/// A submission's content: the commands to replay and the files to start from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Loaded {
    /// The workspace files before the first command: path → (bytes, executable).
    pub files: BTreeMap<String, (Vec<u8>, bool)>,
    pub commands: Vec<Step>,
    /// Files to write after the last command (a bundle's final workspace, for edits
    /// made after it).
    pub final_files: BTreeMap<String, (Vec<u8>, bool)>,
}

impl Loaded {
    /// A script's commands (as the lab reads typed input), after `files`.
    pub fn script(text: &str, files: BTreeMap<String, (Vec<u8>, bool)>) -> Loaded {
        Loaded {
            files,
            commands: crate::app::script::commands(text)
                .into_iter()
                .map(|command| Step {
                    command,
                    ..Default::default()
                })
                .collect(),
            final_files: BTreeMap::new(),
        }
    }
}

/// One command, with the editor's changes to write before it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Step {
    pub command: String,
    pub edits: BTreeMap<String, Option<String>>,
    /// The exit code the student saw, where a bundle recorded it.
    pub recorded_exit: Option<i32>,
}

/// Every submission under `paths`, in a stable order (by id); an argument that names
/// nothing is an error.
pub fn find(paths: &[PathBuf]) -> Result<Vec<Candidate>, String> {
    let mut found = Vec::new();
    for path in paths {
        let id = path.display().to_string();
        let meta = std::fs::metadata(path).map_err(|e| format!("{id}: {e}"))?;
        if meta.is_dir() {
            match as_submission_folder(path, &id) {
                Some(candidate) => found.push(candidate),
                None => folder_of_submissions(path, &id, &mut found)
                    .map_err(|e| format!("{id}: cannot read the folder: {e}"))?,
            }
        } else {
            found.push(file_candidate(path, id));
        }
    }
    found.sort_by(|a, b| a.id.cmp(&b.id));
    found.dedup_by(|a, b| a.id == b.id);
    Ok(found)
}

fn file_candidate(path: &Path, id: String) -> Candidate {
    if path.extension().is_some_and(|e| e == "sh") {
        let workspace = path.with_extension("");
        Candidate {
            id,
            kind: Kind::Script {
                script: path.to_path_buf(),
                workspace: workspace.is_dir().then_some(workspace),
            },
        }
    } else {
        Candidate {
            id,
            kind: Kind::Bundle(path.to_path_buf()),
        }
    }
}

/// `commands.sh` (with `workspace/`) or `submission.json` in `dir`.
fn as_submission_folder(dir: &Path, id: &str) -> Option<Candidate> {
    let script = dir.join("commands.sh");
    if script.is_file() {
        let workspace = dir.join("workspace");
        return Some(Candidate {
            id: id.to_string(),
            kind: Kind::Script {
                script,
                workspace: workspace.is_dir().then_some(workspace),
            },
        });
    }
    let bundle = dir.join("submission.json");
    bundle.is_file().then(|| Candidate {
        id: id.to_string(),
        kind: Kind::Bundle(bundle),
    })
}

fn folder_of_submissions(dir: &Path, id: &str, found: &mut Vec<Candidate>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in &entries {
        let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
            continue;
        };
        if name.starts_with('.') {
            continue;
        }
        let entry_id = format!("{}/{name}", id.trim_end_matches('/'));
        let kind = std::fs::symlink_metadata(path)?.file_type();
        if kind.is_dir() {
            // A script's workspace folder is part of that script's submission.
            if entries.contains(&path.with_extension("sh")) {
                continue;
            }
            if let Some(candidate) = as_submission_folder(path, &entry_id) {
                found.push(candidate);
            }
        } else if kind.is_file()
            && (name.ends_with(".sh") || name.ends_with(".json") || name.ends_with(".docklab"))
        {
            found.push(file_candidate(path, entry_id));
        }
    }
    Ok(())
}

/// The stable share of `candidates` that shard `index` of `count` (1-based) takes:
/// by a hash of each id, so every shard takes the same ones on every machine.
pub fn shard(candidates: Vec<Candidate>, index: u32, count: u32) -> Vec<Candidate> {
    use sha2::Digest as _;
    candidates
        .into_iter()
        .filter(|c| {
            let hash = sha2::Sha256::digest(c.id.as_bytes());
            let n = u64::from_be_bytes(hash[..8].try_into().expect("8 bytes"));
            n % u64::from(count) == u64::from(index - 1)
        })
        .collect()
}

/// Reads a file of at most `limit` bytes as UTF-8 text; a sentence when it cannot.
fn read_text(path: &Path, limit: u64, what: &str) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read the {what}: {e}"))?;
    if meta.len() > limit {
        return Err(format!(
            "the {what} is {} bytes; the limit is {limit}",
            meta.len()
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read the {what}: {e}"))?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "the {what} is not UTF-8 text (byte {} is not); it may be a binary file",
            e.utf8_error().valid_up_to()
        )
    })
}

impl Candidate {
    /// Reads the submission: the error is the reason it cannot be graded.
    pub fn load(&self, max_commands: usize) -> Result<Loaded, String> {
        let loaded = match &self.kind {
            Kind::Bundle(path) => {
                let text = read_text(path, MAX_BUNDLE_BYTES, "bundle")?;
                from_bundle(Bundle::parse(&text)?)?
            }
            Kind::Script { script, workspace } => {
                let text = read_text(script, MAX_SCRIPT_BYTES, "script")?;
                let files = match workspace {
                    Some(dir) => read_workspace(dir)?,
                    None => BTreeMap::new(),
                };
                Loaded::script(&text, files)
            }
        };
        if loaded.commands.len() > max_commands {
            return Err(format!(
                "the submission has {} commands; a submission may have at most {max_commands}",
                loaded.commands.len()
            ));
        }
        Ok(loaded)
    }
}

fn from_bundle(bundle: Bundle) -> Result<Loaded, String> {
    let mut final_files = BTreeMap::new();
    for (path, file) in &bundle.workspace {
        final_files.insert(path.clone(), (file.bytes()?, file.executable));
    }
    Ok(Loaded {
        files: BTreeMap::new(),
        commands: bundle
            .commands
            .into_iter()
            .map(|c| Step {
                command: c.command,
                edits: c.edits,
                recorded_exit: Some(c.exit_code),
            })
            .collect(),
        final_files,
    })
}

/// A workspace folder's files: regular files only (a symbolic link could point
/// anywhere on the grader's machine), within the count and size limits.
fn read_workspace(root: &Path) -> Result<BTreeMap<String, (Vec<u8>, bool)>, String> {
    let mut files = BTreeMap::new();
    let mut total = 0u64;
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir)
            .map_err(|e| format!("cannot read the workspace folder: {e}"))?;
        for entry in entries {
            let entry = entry.map_err(|e| format!("cannot read the workspace folder: {e}"))?;
            let path = entry.path();
            let meta = std::fs::symlink_metadata(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let relative = path
                .strip_prefix(root)
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            if meta.file_type().is_symlink() {
                return Err(format!(
                    "the workspace folder holds a symbolic link, {relative}; hand in files only"
                ));
            }
            if meta.is_dir() {
                pending.push(path);
                continue;
            }
            total += meta.len();
            if files.len() >= MAX_WORKSPACE_FILES || total > MAX_WORKSPACE_BYTES {
                return Err(format!(
                    "the workspace folder holds more than {MAX_WORKSPACE_FILES} files or {} MiB",
                    MAX_WORKSPACE_BYTES >> 20
                ));
            }
            bundle::check_relative(&relative)?;
            let bytes = std::fs::read(&path).map_err(|e| format!("cannot read {relative}: {e}"))?;
            #[cfg(unix)]
            let executable = {
                use std::os::unix::fs::PermissionsExt;
                meta.permissions().mode() & 0o100 != 0
            };
            #[cfg(not(unix))]
            let executable = false;
            files.insert(relative, (bytes, executable));
        }
    }
    Ok(files)
}

/// Writes `count` submissions made from a suite's samples into `dir`, cycling through
/// them (`0001-NAME.sh`, its files in `0001-NAME/`), and returns each one's id with the
/// verdict and points its sample expects: a generated class for benchmarks and tests.
pub fn write_from_samples(
    suite: &crate::lesson::suite::Suite,
    dir: &Path,
    count: usize,
) -> std::io::Result<Vec<(String, crate::lesson::suite::Verdict, u32)>> {
    let mut expected = Vec::with_capacity(count);
    if suite.samples.is_empty() {
        return Ok(expected);
    }
    for n in 0..count {
        let sample = &suite.samples[n % suite.samples.len()];
        let stem = format!("{:04}-sample{}", n + 1, n % suite.samples.len() + 1);
        std::fs::write(dir.join(format!("{stem}.sh")), &sample.script)?;
        for (path, text) in &sample.files {
            bundle::check_relative(path).map_err(std::io::Error::other)?;
            let target = dir.join(&stem).join(path);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&target, text)?;
        }
        expected.push((
            format!("{}/{stem}.sh", dir.display()),
            sample.verdict,
            sample.points,
        ));
    }
    Ok(expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_scripts_bundles_and_submission_folders_in_a_stable_order() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("bob.sh"), "docker images\n").unwrap();
        std::fs::create_dir(root.join("bob")).unwrap();
        std::fs::write(root.join("bob/index.html"), "hi").unwrap();
        std::fs::write(root.join("alice.json"), "{}").unwrap();
        std::fs::create_dir_all(root.join("carol/workspace")).unwrap();
        std::fs::write(root.join("carol/commands.sh"), "ls\n").unwrap();
        std::fs::write(root.join("notes.txt"), "not a submission").unwrap();
        std::fs::create_dir(root.join("empty")).unwrap();
        let found = find(&[root.to_path_buf()]).unwrap();
        let ids: Vec<String> = found
            .iter()
            .map(|c| c.id.rsplit('/').next().unwrap().to_string())
            .collect();
        assert_eq!(ids, ["alice.json", "bob.sh", "carol"]);
        match &found[1].kind {
            Kind::Script { workspace, .. } => assert!(workspace.is_some()),
            other => panic!("{other:?}"),
        }
        let loaded = found[1].load(10).unwrap();
        assert_eq!(loaded.commands[0].command, "docker images");
        assert_eq!(loaded.files["index.html"].0, b"hi");
    }

    #[test]
    fn shards_split_the_submissions_without_overlap() {
        let all: Vec<Candidate> = (0..100)
            .map(|n| Candidate {
                id: format!("s{n}.sh"),
                kind: Kind::Bundle(PathBuf::new()),
            })
            .collect();
        let mut seen: Vec<String> = (1..=3)
            .flat_map(|i| shard(all.clone(), i, 3))
            .map(|c| c.id)
            .collect();
        assert!(shard(all.clone(), 1, 3).len() > 10);
        seen.sort();
        let mut want: Vec<String> = all.iter().map(|c| c.id.clone()).collect();
        want.sort();
        assert_eq!(seen, want);
    }

    #[test]
    fn hostile_scripts_are_refused_with_a_reason() {
        let dir = tempfile::tempdir().unwrap();
        let binary = dir.path().join("garbage.sh");
        std::fs::write(&binary, [0x7f, b'E', b'L', b'F', 0xff, 0xfe, 0]).unwrap();
        let candidate = find(&[binary]).unwrap().remove(0);
        assert!(candidate.load(10).unwrap_err().contains("not UTF-8"));

        let many = dir.path().join("many.sh");
        std::fs::write(&many, "true\n".repeat(50)).unwrap();
        let candidate = find(&[many]).unwrap().remove(0);
        let err = candidate.load(10).unwrap_err();
        assert!(err.contains("50 commands"), "{err}");

        let big = dir.path().join("big.sh");
        let file = std::fs::File::create(&big).unwrap();
        file.set_len(MAX_SCRIPT_BYTES + 1).unwrap();
        let candidate = find(&[big]).unwrap().remove(0);
        assert!(candidate.load(10).unwrap_err().contains("the limit is"));

        #[cfg(unix)]
        {
            let linked = dir.path().join("linked");
            std::fs::create_dir(&linked).unwrap();
            std::os::unix::fs::symlink("/etc/passwd", linked.join("passwd")).unwrap();
            std::fs::write(dir.path().join("linked.sh"), "cat passwd\n").unwrap();
            let candidate = find(&[dir.path().join("linked.sh")]).unwrap().remove(0);
            assert!(candidate.load(10).unwrap_err().contains("symbolic link"));
        }
    }
}

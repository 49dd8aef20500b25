//! The submission bundle `docklab submit` writes: one JSON file holding a lesson's
//! commands (each with its exit code, the digests of what it printed and the files the
//! student edited before it) and the workspace as the student left it.
//!
//! The records are hash-chained: each link is the sha256 of the link before it and the
//! record's canonical JSON, and the bundle ends with the chain's head. Changing,
//! adding, removing or reordering anything breaks the chain at that point, and grading
//! reports the bundle as tampered with instead of replaying it. The chain has no secret
//! in it: it detects edits, not a forger who recomputes every link, which is what a
//! signature would be for.

use crate::check::TranscriptEntry;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use std::collections::BTreeMap;
use std::path::Path;

/// What a bundle's `format` field says.
pub const BUNDLE_FORMAT: &str = "docklab-submission";
/// The bundle version this build writes and reads.
pub const BUNDLE_VERSION: u32 = 1;
/// Bundles larger than this are refused before parsing.
pub const MAX_BUNDLE_BYTES: u64 = 16 << 20;
/// Workspace files larger than this are left out of a bundle.
pub const MAX_BUNDLED_FILE: u64 = 1 << 20;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    pub format: String,
    pub version: u32,
    /// The lesson the commands were typed in.
    pub lesson: String,
    /// When the bundle was written (RFC 3339).
    pub created: String,
    /// The docklab that wrote it.
    pub docklab: String,
    pub commands: Vec<Command>,
    /// The workspace as the student left it: path → file.
    pub workspace: BTreeMap<String, File>,
    /// The sha256 of the last link and the workspace: the chain's head.
    pub head: String,
}

/// One command as typed, and what came of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Command {
    pub command: String,
    pub exit_code: i32,
    /// sha256 of what it printed on standard output and on standard error.
    pub stdout_sha256: String,
    pub stderr_sha256: String,
    /// Files edited outside the lab before the command: text, or null when removed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub edits: BTreeMap<String, Option<String>>,
    /// This record's link of the chain.
    pub chain: String,
}

/// A workspace file: UTF-8 text, or bytes in base64.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct File {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base64: Option<String>,
    /// Whether its owner may execute it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub executable: bool,
}

impl File {
    /// The file's bytes; an error names what is wrong with the record.
    pub fn bytes(&self) -> Result<Vec<u8>, String> {
        match (&self.text, &self.base64) {
            (Some(text), None) => Ok(text.as_bytes().to_vec()),
            (None, Some(b64)) => base64::engine::general_purpose::STANDARD
                .decode(b64)
                .map_err(|e| format!("its base64 does not decode ({e})")),
            _ => Err("it must have exactly one of text and base64".to_string()),
        }
    }
}

fn hex_sha256(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    hex::encode(hasher.finalize())
}

/// The first link: what the bundle is and when it was made.
fn genesis(lesson: &str, created: &str) -> String {
    hex_sha256(&[format!("{BUNDLE_FORMAT}/{BUNDLE_VERSION}\n{lesson}\n{created}\n").as_bytes()])
}

/// The link after `previous` for `command` (whose own `chain` does not count).
fn link(previous: &str, command: &Command) -> String {
    let mut unlinked = command.clone();
    unlinked.chain.clear();
    let json = serde_json::to_vec(&unlinked).expect("a record serialises");
    hex_sha256(&[previous.as_bytes(), b"\n", &json])
}

fn head_of(last: &str, workspace: &BTreeMap<String, File>) -> String {
    let json = serde_json::to_vec(workspace).expect("files serialise");
    hex_sha256(&[last.as_bytes(), b"\n", &json])
}

impl Bundle {
    /// A bundle of `transcript` (the commands, less those undone) and the workspace's
    /// files under `workspace`.
    pub fn new(
        lesson: &str,
        created: &str,
        transcript: &[TranscriptEntry],
        workspace: &Path,
    ) -> std::io::Result<Bundle> {
        let mut previous = genesis(lesson, created);
        let mut commands = Vec::with_capacity(transcript.len());
        for entry in transcript {
            let mut command = Command {
                command: entry.command.clone(),
                exit_code: entry.exit_code,
                stdout_sha256: hex_sha256(&[entry.stdout.as_bytes()]),
                stderr_sha256: hex_sha256(&[entry.stderr.as_bytes()]),
                edits: entry.edits.clone(),
                chain: String::new(),
            };
            command.chain = link(&previous, &command);
            previous = command.chain.clone();
            commands.push(command);
        }
        let workspace = read_workspace(workspace)?;
        Ok(Bundle {
            format: BUNDLE_FORMAT.to_string(),
            version: BUNDLE_VERSION,
            lesson: lesson.to_string(),
            created: created.to_string(),
            docklab: env!("CARGO_PKG_VERSION").to_string(),
            head: head_of(&previous, &workspace),
            commands,
            workspace,
        })
    }

    /// Reads a bundle's text: a sentence saying what is wrong when it is not a bundle
    /// this docklab reads, or when it was edited after it was written.
    pub fn parse(text: &str) -> Result<Bundle, String> {
        let bundle: Bundle = serde_json::from_str(text).map_err(|e| {
            format!(
                "not a submission bundle: {} at line {} column {}",
                e.to_string()
                    .split(" at line ")
                    .next()
                    .unwrap_or("malformed JSON"),
                e.line(),
                e.column()
            )
        })?;
        if bundle.format != BUNDLE_FORMAT {
            return Err(format!(
                "not a submission bundle: its format is {:?}, not {BUNDLE_FORMAT:?}",
                bundle.format
            ));
        }
        if bundle.version != BUNDLE_VERSION {
            return Err(format!(
                "bundle version {} is not one this docklab reads (it reads {BUNDLE_VERSION})",
                bundle.version
            ));
        }
        bundle.verify()?;
        for (path, file) in &bundle.workspace {
            check_relative(path)?;
            file.bytes()
                .map_err(|e| format!("workspace file {path}: {e}"))?;
        }
        for (n, command) in bundle.commands.iter().enumerate() {
            for path in command.edits.keys() {
                check_relative(path).map_err(|e| format!("command {}: {e}", n + 1))?;
            }
        }
        Ok(bundle)
    }

    /// Follows the chain; the first broken link is the error.
    pub fn verify(&self) -> Result<(), String> {
        let mut previous = genesis(&self.lesson, &self.created);
        for (n, command) in self.commands.iter().enumerate() {
            let expected = link(&previous, command);
            if command.chain != expected {
                return Err(format!(
                    "tampered with: command {} ({:?}) does not match the hash chain",
                    n + 1,
                    truncate(&command.command, 40)
                ));
            }
            previous = expected;
        }
        if head_of(&previous, &self.workspace) != self.head {
            return Err(
                "tampered with: the workspace files or the command list do not match the hash chain's head"
                    .to_string(),
            );
        }
        Ok(())
    }
}

fn truncate(text: &str, chars: usize) -> String {
    match text.char_indices().nth(chars) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// A path that stays in the workspace: relative, no `..`, no backslashes or NULs.
pub fn check_relative(path: &str) -> Result<(), String> {
    let escapes = path.is_empty()
        || path.starts_with('/')
        || path.contains('\\')
        || path.contains('\0')
        || path.split('/').any(|p| p == ".." || p.is_empty());
    if escapes {
        return Err(format!(
            "the path {path:?} leads outside the workspace (paths are relative, without ..)"
        ));
    }
    Ok(())
}

/// The workspace's regular files (not symbolic links), relative paths with `/`.
fn read_workspace(root: &Path) -> std::io::Result<BTreeMap<String, File>> {
    let mut files = BTreeMap::new();
    if !root.exists() {
        return Ok(files);
    }
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            let kind = entry.file_type()?;
            let path = entry.path();
            if kind.is_dir() {
                pending.push(path);
                continue;
            }
            if !kind.is_file() {
                continue;
            }
            let meta = entry.metadata()?;
            if meta.len() > MAX_BUNDLED_FILE {
                continue;
            }
            let Ok(relative) = path.strip_prefix(root) else {
                continue;
            };
            let relative: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let bytes = std::fs::read(&path)?;
            #[cfg(unix)]
            let executable = {
                use std::os::unix::fs::PermissionsExt;
                meta.permissions().mode() & 0o100 != 0
            };
            #[cfg(not(unix))]
            let executable = false;
            let file = match String::from_utf8(bytes) {
                Ok(text) => File {
                    text: Some(text),
                    base64: None,
                    executable,
                },
                Err(e) => File {
                    text: None,
                    base64: Some(base64::engine::general_purpose::STANDARD.encode(e.as_bytes())),
                    executable,
                },
            };
            files.insert(relative.join("/"), file);
        }
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Bundle {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("site")).unwrap();
        std::fs::write(dir.path().join("site/index.html"), "<h1>hi</h1>\n").unwrap();
        std::fs::write(dir.path().join("blob.bin"), [0xff, 0x00, 0xfe]).unwrap();
        let transcript = vec![
            TranscriptEntry {
                command: "docker build -t site site".into(),
                exit_code: 0,
                stdout: "Successfully built 123\n".into(),
                ..Default::default()
            },
            TranscriptEntry {
                command: "docker push site".into(),
                exit_code: 1,
                stderr: "denied\n".into(),
                ..Default::default()
            },
        ];
        Bundle::new(
            "registries",
            "2026-03-01T12:00:00Z",
            &transcript,
            dir.path(),
        )
        .unwrap()
    }

    #[test]
    fn a_bundle_round_trips_and_verifies() {
        let bundle = sample();
        assert_eq!(bundle.workspace.len(), 2);
        assert!(bundle.workspace["blob.bin"].base64.is_some());
        let text = serde_json::to_string_pretty(&bundle).unwrap();
        assert_eq!(Bundle::parse(&text).unwrap(), bundle);
    }

    #[test]
    fn every_kind_of_edit_is_detected() {
        let text = serde_json::to_string(&sample()).unwrap();
        let edits: &[(&str, &str)] = &[
            ("\"exit_code\":1", "\"exit_code\":0"),
            ("docker push site", "docker push site:1.0"),
            ("<h1>hi</h1>", "<h1>ho</h1>"),
            ("\"lesson\":\"registries\"", "\"lesson\":\"other\""),
        ];
        for (from, to) in edits {
            assert!(text.contains(from), "{from}");
            let edited = text.replace(from, to);
            let err = Bundle::parse(&edited).unwrap_err();
            assert!(err.contains("tampered with"), "{from}: {err}");
        }
        // A dropped command.
        let mut bundle = sample();
        bundle.commands.remove(0);
        let err = Bundle::parse(&serde_json::to_string(&bundle).unwrap()).unwrap_err();
        assert!(err.contains("command 1"), "{err}");
    }

    #[test]
    fn malformed_and_hostile_bundles_say_what_is_wrong() {
        let err = Bundle::parse("{\"format\": \"docklab-submission\",").unwrap_err();
        assert!(err.starts_with("not a submission bundle: "), "{err}");
        assert!(err.contains("line 1"), "{err}");
        assert!(Bundle::parse("\u{0}\u{1}garbage").is_err());
        let mut bundle = sample();
        bundle.workspace.insert(
            "../../etc/passwd".into(),
            File {
                text: Some("x".into()),
                base64: None,
                executable: false,
            },
        );
        // Re-chained, so only the path is wrong.
        bundle.head = head_of(&bundle.commands.last().unwrap().chain, &bundle.workspace);
        let err = Bundle::parse(&serde_json::to_string(&bundle).unwrap()).unwrap_err();
        assert!(err.contains("outside the workspace"), "{err}");
    }
}

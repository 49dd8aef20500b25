//! Driving the real binary: a `Lab` fixture with its own state and workspace
//! directories, a fixed seed and clock, and transcripts rendered for snapshots.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const CLOCK: &str = "2026-03-01T12:00:00Z";
pub const SEED: &str = "42";

/// A lab's directories, kept for the fixture's lifetime, so several scripts can run on
/// one engine state.
pub struct Fixture {
    pub dir: tempfile::TempDir,
}

#[derive(Debug, serde::Deserialize)]
pub struct Record {
    pub command: String,
    pub stdout: String,
    pub stderr: String,
    pub exit_code: i32,
}

impl Fixture {
    pub fn new() -> Fixture {
        Fixture {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn state(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    pub fn workspace(&self) -> PathBuf {
        self.dir.path().join("workspace")
    }

    /// `docklab sandbox --script` with these directories and `extra` arguments.
    pub fn docklab(&self, script: &str, extra: &[&str]) -> Output {
        let file = self.dir.path().join("script.txt");
        std::fs::write(&file, script).unwrap();
        Command::new(env!("CARGO_BIN_EXE_docklab"))
            .arg("sandbox")
            .arg("--script")
            .arg(&file)
            .arg("--state")
            .arg(self.state())
            .arg("--workspace")
            .arg(self.workspace())
            .args(["--seed", SEED, "--clock", CLOCK])
            .args(extra)
            .env_remove("DOCKLAB_HOME")
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    }

    /// Runs `script` in `--jsonl` mode and returns one record per command.
    pub fn records(&self, script: &str) -> Vec<Record> {
        let out = self.docklab(script, &["--jsonl"]);
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            out.stderr.is_empty(),
            "script mode wrote to stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        text.lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// The transcript a student would have seen, stderr lines marked, non-zero exits noted.
    pub fn transcript(&self, script: &str) -> String {
        render(&self.records(script))
    }
}

pub fn render(records: &[Record]) -> String {
    let mut out = String::new();
    for r in records {
        for (i, line) in r.command.lines().enumerate() {
            out.push_str(if i == 0 { "$ " } else { "> " });
            out.push_str(line);
            out.push('\n');
        }
        // Carriage returns are shown, so a snapshot pins them and no tool drops them.
        out.push_str(&r.stdout.replace('\r', "\u{240D}"));
        if !r.stdout.is_empty() && !r.stdout.ends_with('\n') {
            out.push_str("\u{23CE}\n");
        }
        for line in r.stderr.replace('\r', "\u{240D}").lines() {
            out.push_str("stderr| ");
            out.push_str(line);
            out.push('\n');
        }
        if r.exit_code != 0 {
            out.push_str(&format!("[exit {}]\n", r.exit_code));
        }
    }
    out
}

/// A reference capture from the real docker CLI (tests/reference/docker-cli).
pub struct Capture {
    pub command: String,
    pub stdout: String,
    pub stderr: String,
    pub exit: i32,
}

pub fn capture(name: &str) -> Capture {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/reference/docker-cli")
        .join(format!("{name}.txt"));
    let text = std::fs::read_to_string(&path).unwrap();
    let command = text
        .lines()
        .next()
        .unwrap()
        .strip_prefix("$ ")
        .unwrap()
        .to_string();
    let stdout_start = text.find("--- stdout\n").unwrap() + "--- stdout\n".len();
    let stderr_mark = text.find("--- stderr\n").unwrap();
    let stderr_start = stderr_mark + "--- stderr\n".len();
    let exit_mark = text.rfind("--- exit ").unwrap();
    Capture {
        command,
        stdout: text[stdout_start..stderr_mark].to_string(),
        stderr: text[stderr_start..exit_mark].to_string(),
        exit: text[exit_mark + "--- exit ".len()..]
            .trim()
            .parse()
            .unwrap(),
    }
}

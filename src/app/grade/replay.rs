//! Grading one submission: a fork of the suite's prepared start state (its own
//! engine, workspace and temporary directory), the submission's files and commands
//! replayed within its budget, then every graded check evaluated on what it left.
//!
//! Everything a submission does stays in the fork: commands run in the lab's jailed
//! shell on the embedded engine, which starts no host process and publishes ports only
//! on ephemeral loopback ports; files are written through the workspace's jail, so a
//! symbolic link made by a command cannot carry a later write outside it. Every fork
//! draws its IDs from the same seed, so a submission grades the same whatever ran
//! before or beside it.

use super::report::{CheckResult, Graded};
use super::submission::{Candidate, Loaded};
use crate::app::dev::{ForkPoint, Scratch, prepare};
use crate::app::lab::Lab;
use crate::app::session::LESSON_WORDS;
use crate::engine::budget::{self, Limits};
use crate::engine::shared_layers::SharedLayers;
use crate::engine::shell::{Vfs, WorkspaceFs, vfs};
use crate::engine::streams::Streams;
use crate::lesson::suite::{ResolvedCheck, Suite, Verdict};
use crate::lesson::{self, Lesson};
use anyhow::Context as _;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

thread_local! {
    /// The memory the last replay on this thread held at its peak: for benchmarks.
    static PEAK_MEMORY: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// The memory the last submission graded on this thread held at its peak, as the
/// allocator's counters saw it at the budget's checks (0 where it keeps none).
pub fn last_peak_memory() -> u64 {
    PEAK_MEMORY.with(std::cell::Cell::get)
}

/// The seed every submission's fork draws its IDs from.
const SUBMISSION_SEED: u64 = 7;

/// A suite ready to grade with: its checks resolved and its budget set. The start
/// state, prepared once beside it (a [`Scratch`] lab, which stays on its thread), is
/// forked for every submission through a [`ForkPoint`] every worker may share.
pub struct Grader {
    pub suite: Suite,
    pub checks: Vec<ResolvedCheck>,
    limits: Limits,
    max_commands: usize,
}

/// Budget overrides from the command line.
#[derive(Debug, Clone, Copy, Default)]
pub struct Overrides {
    pub seconds: Option<f64>,
    pub memory_mb: Option<u64>,
}

impl Grader {
    /// Prepares `suite` (already validated): the start lesson's setup, then the
    /// suite's own start files, images and commands.
    pub fn new(
        suite: Suite,
        lesson: Option<&Lesson>,
        shared_layers: Arc<SharedLayers>,
        overrides: Overrides,
    ) -> anyhow::Result<(Grader, Scratch)> {
        let mut start = Scratch::sharing(shared_layers)?;
        if let Some(lesson) = lesson {
            prepare(&mut start.lab, &lesson.setup)
                .with_context(|| format!("lesson {}'s setup", lesson.id))?;
        }
        prepare(
            &mut start.lab,
            &lesson::Setup {
                files: suite.start.files.clone(),
                images: suite.start.images.clone(),
                commands: suite.start.commands.clone(),
            },
        )
        .context("the suite's start")?;
        start.lab.forget_transcript();
        let seconds = overrides.seconds.unwrap_or(suite.limits.seconds);
        let limits = Limits {
            time: Duration::from_secs_f64(seconds.clamp(0.001, 3600.0)),
            memory: budget::measures_memory()
                .then(|| overrides.memory_mb.unwrap_or(suite.limits.memory_mb) << 20),
        };
        let grader = Grader {
            checks: suite.resolve(lesson),
            max_commands: suite.limits.commands,
            suite,
            limits,
        };
        Ok((grader, start))
    }

    /// Grades one submission found on disk. Never fails: what goes wrong is the
    /// submission's verdict and reason.
    pub fn grade(&self, origin: ForkPoint<'_>, candidate: &Candidate) -> Graded {
        let mut graded = match candidate.load(self.max_commands) {
            Ok(loaded) => self.grade_loaded(origin, &loaded),
            Err(reason) => self.unreadable(reason),
        };
        graded.id = candidate.id.clone();
        graded.kind = candidate.kind.name().to_string();
        graded
    }

    /// Grades a sample of the suite's own.
    pub fn grade_sample(
        &self,
        origin: ForkPoint<'_>,
        files: &BTreeMap<String, String>,
        script: &str,
    ) -> Graded {
        let loaded = Loaded::script(
            script,
            files
                .iter()
                .map(|(p, t)| (p.clone(), (t.as_bytes().to_vec(), t.starts_with("#!"))))
                .collect(),
        );
        self.grade_loaded(origin, &loaded)
    }

    /// A submission that cannot be replayed: every check failed with the reason.
    fn unreadable(&self, reason: String) -> Graded {
        Graded {
            verdict: Verdict::Error,
            points: 0,
            max_points: self.suite.max_points(),
            reason: Some(reason.clone()),
            commands: 0,
            checks: self
                .checks
                .iter()
                .map(|c| CheckResult {
                    name: c.name.clone(),
                    points: 0,
                    max_points: c.points,
                    passed: false,
                    message: format!("not graded: {reason}"),
                    diff: None,
                    hint: None,
                })
                .collect(),
            ..Graded::default()
        }
    }

    fn grade_loaded(&self, origin: ForkPoint<'_>, loaded: &Loaded) -> Graded {
        let mut scratch = match origin.fork(SUBMISSION_SEED) {
            Ok(scratch) => scratch,
            Err(e) => return self.unreadable(format!("the grader could not fork its lab: {e:#}")),
        };
        let lab = &mut scratch.lab;
        let (replayed, spent) = budget::measured(self.limits, || replay(lab, loaded));
        let tripped = spent.exceeded;
        PEAK_MEMORY.with(|p| p.set(spent.peak_memory));
        let (ran, mut notes) = match replayed {
            Ok(outcome) => outcome,
            Err(reason) => return self.unreadable(reason),
        };
        if let Some(exceeded) = tripped {
            notes.insert(0, exceeded.to_string());
        }
        let checks: Vec<CheckResult> = self.checks.iter().map(|c| evaluate_on(lab, c)).collect();
        let points = checks.iter().map(|c| c.points).sum();
        let verdict = if tripped.is_some() || points < self.suite.pass_points() {
            Verdict::Fail
        } else {
            Verdict::Pass
        };
        Graded {
            verdict,
            points,
            max_points: self.suite.max_points(),
            reason: tripped.map(|t| t.to_string()),
            commands: ran,
            checks,
            notes,
            ..Graded::default()
        }
    }
}

/// Replays `loaded` on `lab`: how many commands ran, and notes for the report. An
/// error is a reason the submission cannot be graded.
fn replay(lab: &mut Lab, loaded: &Loaded) -> Result<(usize, Vec<String>), String> {
    let mut notes = Vec::new();
    for (path, (bytes, executable)) in &loaded.files {
        write_file(lab, path, Some(bytes), *executable)?;
    }
    let mut ran = 0;
    let mut differing = 0;
    for step in &loaded.commands {
        if budget::exceeded() {
            break;
        }
        for (path, text) in &step.edits {
            write_file(lab, path, text.as_ref().map(|t| t.as_bytes()), false)?;
        }
        // Lesson words a bundle may hold between commands are not the lab's.
        let word = step.command.trim();
        if (LESSON_WORDS.contains(&word) || word == "help") && !lab.in_container() {
            continue;
        }
        let (mut stdout, mut stderr) = (Discard, Discard);
        let status = lab.execute(
            &format!("{}\n", step.command),
            Streams::new(&[], &mut stdout, &mut stderr),
        );
        ran += 1;
        if step.recorded_exit.is_some_and(|code| code != status) {
            differing += 1;
        }
        if lab.has_exited().is_some() {
            break;
        }
    }
    if differing > 0 {
        notes.push(format!(
            "{differing} command(s) exited differently in the replay than when the student ran them"
        ));
    }
    for (path, (bytes, executable)) in &loaded.final_files {
        write_file(lab, path, Some(bytes), *executable)?;
    }
    Ok((ran, notes))
}

/// Output a replay does not keep: the lab's transcript holds what checks read.
struct Discard;

impl std::io::Write for Discard {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Writes (or, with None, removes) a workspace file through the workspace's jail.
fn write_file(lab: &Lab, path: &str, bytes: Option<&[u8]>, executable: bool) -> Result<(), String> {
    super::bundle::check_relative(path)?;
    let mut fs = WorkspaceFs::new(lab.workspace());
    let virtual_path = format!("/{path}");
    let result = match bytes {
        None => match fs.remove_file(&virtual_path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            other => other,
        },
        Some(bytes) => {
            let parent = virtual_path
                .rsplit_once('/')
                .map_or("/", |(p, _)| if p.is_empty() { "/" } else { p });
            vfs::create_dir_all(&mut fs, parent)
                .and_then(|()| fs.write(&virtual_path, bytes, false))
                .and_then(|()| {
                    if executable {
                        fs.set_mode(&virtual_path, 0o755)
                    } else {
                        Ok(())
                    }
                })
        }
    };
    result.map_err(|e| format!("cannot write the workspace file {path}: {e}"))
}

/// One graded item: every check of it must hold. The explanation is the first failing
/// check's, plain text.
pub fn evaluate_on(lab: &mut Lab, graded: &ResolvedCheck) -> CheckResult {
    let mut result = CheckResult {
        name: graded.name.clone(),
        points: graded.points,
        max_points: graded.points,
        passed: true,
        message: String::new(),
        diff: None,
        hint: None,
    };
    let mut messages = Vec::new();
    for check in &graded.checks {
        let outcome = lab.evaluate(check);
        if outcome.passed {
            messages.push(outcome.message);
            continue;
        }
        result.passed = false;
        result.points = 0;
        result.message = outcome.message;
        result.diff = outcome.diff.map(|d| super::report::strip_ansi(&d));
        result.hint = outcome.hint;
        return result;
    }
    result.message = messages.join("; ");
    result
}

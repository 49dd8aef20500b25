//! Instructor tools: `docklab schema`, `docklab lint FILE...` and `docklab test
//! [LESSON...]`, the continuous integration of lesson content.
//!
//! `test` replays every exercise on a fresh embedded engine (its own temporary state and
//! workspace, a fixed seed and clock): the checks must fail on the exercise's starting
//! state, pass after its reference solution, and fail after each listed mistake. The
//! starting state of an exercise is the lesson's setup plus the solutions of the
//! exercises (and the commands of the questions) before it, as a student reaches it.

use super::lab::{Lab, Mode};
use super::options::{BackendKind, Settings};
use crate::check::TranscriptEntry;
use crate::engine::clock::Clock;
use crate::engine::shared_layers::SharedLayers;
use crate::engine::streams::Streams;
use crate::lesson::{self, Exercise, Lesson, StepKind};
use anyhow::Context;
use owo_colors::{OwoColorize, Stream};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The fixed clock lesson replays run at.
pub const TEST_CLOCK: &str = "2026-03-01T12:00:00Z";

/// A lesson file's name and text, from the disk or shipped in the binary.
pub struct LessonSource {
    pub name: String,
    pub text: String,
}

/// `LESSON` arguments: a path to a file, or a shipped lesson's id, number or file name;
/// none means every shipped lesson.
pub fn resolve(args: &[String]) -> anyhow::Result<Vec<LessonSource>> {
    if args.is_empty() {
        return Ok(lesson::shipped()
            .iter()
            .map(|(name, text)| LessonSource {
                name: format!("lessons/{name}"),
                text: text.to_string(),
            })
            .collect());
    }
    resolve_named(args)
}

/// `docklab test`'s arguments: as [`resolve`], but none means every shipped lesson
/// and every shipped grading suite.
fn resolve_for_test(args: &[String]) -> anyhow::Result<Vec<LessonSource>> {
    let mut sources = resolve(args)?;
    if args.is_empty() {
        sources.extend(
            lesson::shipped_suites()
                .iter()
                .map(|(name, text)| LessonSource {
                    name: format!("checks/{name}"),
                    text: text.to_string(),
                }),
        );
    }
    Ok(sources)
}

fn resolve_named(args: &[String]) -> anyhow::Result<Vec<LessonSource>> {
    args.iter()
        .map(|arg| {
            let path = Path::new(arg);
            if path.exists() {
                return read_source(path);
            }
            lesson::find_shipped(arg)
                .map(|(name, text)| LessonSource {
                    name: format!("lessons/{name}"),
                    text: text.to_string(),
                })
                .with_context(|| {
                    format!("no lesson {arg:?}: not a file, nor a shipped lesson (docklab list shows them)")
                })
        })
        .collect()
}

fn read_source(path: &Path) -> anyhow::Result<LessonSource> {
    let meta =
        std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
    anyhow::ensure!(
        meta.len() <= lesson::MAX_LESSON_BYTES,
        "{}: {} bytes is too large for a lesson (the limit is {})",
        path.display(),
        meta.len(),
        lesson::MAX_LESSON_BYTES
    );
    let text = super::script::read_text(path)?;
    Ok(LessonSource {
        name: path.display().to_string(),
        text,
    })
}

/// `docklab list`: the shipped lessons in order, with the progress kept in
/// `progress_dir`.
pub fn list(progress_dir: Option<&Path>, out: &mut dyn Write) -> anyhow::Result<i32> {
    for (file, text) in lesson::shipped() {
        let Ok(parsed) = lesson::parse(text, "") else {
            continue;
        };
        let tasks: Vec<&str> = parsed.steps.iter().filter_map(|s| s.id()).collect();
        let done = progress_dir
            .map(|dir| {
                super::session::Progress::load_quietly(
                    &dir.join(format!("{}.json", parsed.id)),
                    &parsed.id,
                )
            })
            .map(|p| {
                tasks
                    .iter()
                    .filter(|t| p.done.iter().any(|d| d == *t))
                    .count()
            })
            .unwrap_or(0);
        let state = match done {
            0 => String::new(),
            d if d == tasks.len() => "  ✔ done".to_string(),
            d => format!("  {d}/{} done", tasks.len()),
        };
        writeln!(
            out,
            "{:>2}  {:<36} {:>3} min{state}",
            lesson::lesson_number(file),
            parsed.title,
            parsed.estimated_minutes
        )?;
    }
    writeln!(out, "\nStart one with `docklab start N`.")?;
    Ok(0)
}

/// `docklab schema`.
pub fn schema(suite: bool, out: &mut dyn Write) -> anyhow::Result<i32> {
    let schema = if suite {
        lesson::suite::suite_schema_json()
    } else {
        lesson::schema_json()
    };
    out.write_all(schema.as_bytes())?;
    Ok(0)
}

/// `docklab lint FILE...`: every problem of every file, then a count; 1 when any.
pub fn lint(files: &[PathBuf], out: &mut dyn Write) -> anyhow::Result<i32> {
    let mut problems = 0;
    let mut lessons = Vec::new();
    for path in files {
        let source = match read_source(path) {
            Ok(source) => source,
            Err(e) => {
                writeln!(out, "{e:#}")?;
                problems += 1;
                continue;
            }
        };
        if lesson::suite::is_suite_text(&source.text) {
            problems += lint_suite(&source, out)?;
            continue;
        }
        match lesson::parse(&source.text, &source.name) {
            Ok(parsed) => {
                for d in lesson::validate(&parsed, &source.text, &source.name) {
                    writeln!(out, "{d}")?;
                    problems += 1;
                }
                lessons.push((source, parsed));
            }
            Err(d) => {
                writeln!(out, "{d}")?;
                problems += 1;
            }
        }
    }
    // Prerequisites name lessons: those linted together, or shipped.
    let mut known: Vec<String> = lessons.iter().map(|(_, l)| l.id.clone()).collect();
    known.extend(
        lesson::shipped()
            .iter()
            .filter_map(|(_, text)| lesson::parse(text, "").ok().map(|l| l.id)),
    );
    for (source, parsed) in &lessons {
        for prerequisite in &parsed.prerequisites {
            if !known.contains(prerequisite) {
                let (line, column) = source
                    .text
                    .lines()
                    .enumerate()
                    .find_map(|(n, l)| l.find(prerequisite.as_str()).map(|c| (n + 1, c + 1)))
                    .unwrap_or((1, 1));
                writeln!(
                    out,
                    "{}:{line}:{column}: prerequisite {prerequisite} is not a known lesson",
                    source.name
                )?;
                problems += 1;
            }
        }
    }
    for (source, parsed) in &lessons {
        for warning in unchecked_hints(parsed, &source.text, &source.name) {
            writeln!(out, "{warning}")?;
        }
    }
    if problems == 0 {
        writeln!(out, "{} file(s), no problems", files.len())?;
        Ok(0)
    } else {
        writeln!(out, "{problems} problem(s)")?;
        Ok(1)
    }
}

/// `docklab test [LESSON...]`.
pub fn test(args: &[String], verbose: bool, out: &mut dyn Write) -> anyhow::Result<i32> {
    let sources = resolve_for_test(args)?;
    // Every replay opens the same few base images: one lab reads and parses each layer,
    // and all share it.
    let shared_layers = SharedLayers::with_pool_in(&scratch_parent())
        .context("cannot create a temporary directory")?;
    // Lessons are independent: replay them side by side, report them in order.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let reports: Vec<std::sync::Mutex<Option<LessonReport>>> = sources
        .iter()
        .map(|_| std::sync::Mutex::new(None))
        .collect();
    std::thread::scope(|scope| {
        for _ in 0..threads.min(sources.len()) {
            scope.spawn(|| {
                loop {
                    let n = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let Some(source) = sources.get(n) else { break };
                    let mut text = Vec::new();
                    let failures = test_source(source, &shared_layers, verbose, &mut text)
                        .unwrap_or_else(|e| {
                            let _ = writeln!(text, "  {} {e:#}", fail_mark());
                            1
                        });
                    if let Ok(mut slot) = reports[n].lock() {
                        *slot = Some((text, failures));
                    }
                }
            });
        }
    });
    let mut failures = 0;
    for report in reports {
        let (text, failed) = report
            .into_inner()
            .ok()
            .flatten()
            .unwrap_or_else(|| (b"  a replay thread stopped\n".to_vec(), 1));
        out.write_all(&text)?;
        failures += failed;
    }
    if failures == 0 {
        writeln!(out, "all pass")?;
        Ok(0)
    } else {
        writeln!(out, "{failures} failure(s)")?;
        Ok(1)
    }
}

/// A lesson's report as text, and how many of its steps failed.
type LessonReport = (Vec<u8>, usize);

/// One lesson file's report: its name, then a line per exercise and question.
fn test_source(
    source: &LessonSource,
    shared_layers: &Arc<SharedLayers>,
    verbose: bool,
    out: &mut dyn Write,
) -> anyhow::Result<usize> {
    writeln!(out, "{}", source.name)?;
    if lesson::suite::is_suite_text(&source.text) {
        return test_suite(source, shared_layers, verbose, out);
    }
    let parsed = lesson::parse(&source.text, &source.name).and_then(|l| {
        match lesson::validate(&l, &source.text, &source.name)
            .into_iter()
            .find(|d| !d.authoring)
        {
            Some(d) => Err(d),
            None => Ok(l),
        }
    });
    match parsed {
        Ok(l) => test_lesson(&l, shared_layers, verbose, out),
        Err(d) => {
            writeln!(out, "  {} {d}", fail_mark())?;
            Ok(1)
        }
    }
}

fn ok_mark() -> String {
    "ok  "
        .if_supports_color(Stream::Stdout, |t| t.green())
        .to_string()
}

fn fail_mark() -> String {
    "FAIL"
        .if_supports_color(Stream::Stdout, |t| t.red())
        .to_string()
}

/// A lab on a fresh engine in its own temporary directory.
pub struct Scratch {
    pub lab: Lab,
    dir: tempfile::TempDir,
    /// Layers this lab shares with the labs forked from it (and with any lab opened
    /// with the same set): throwaway labs open the same base images over and over.
    shared_layers: Arc<SharedLayers>,
}

impl Scratch {
    pub fn new() -> anyhow::Result<Scratch> {
        Scratch::sharing(SharedLayers::new())
    }

    /// A fresh lab that shares layers with every other lab given `shared_layers`.
    pub fn sharing(shared_layers: Arc<SharedLayers>) -> anyhow::Result<Scratch> {
        Scratch::open(scratch_dir()?, 1, shared_layers)
    }

    fn open(
        dir: tempfile::TempDir,
        seed: u64,
        shared_layers: Arc<SharedLayers>,
    ) -> anyhow::Result<Scratch> {
        let settings = Settings {
            state_dir: dir.path().join("state"),
            workspace: dir.path().join("workspace"),
            seed: Some(seed),
            clock: Clock::parse_fixed(TEST_CLOCK).map_err(|e| anyhow::anyhow!("{e}"))?,
            backend: BackendKind::Embedded,
        };
        let lab = Lab::open_sharing(&settings, Mode::Script, Some(shared_layers.clone()))?;
        Ok(Scratch {
            lab,
            dir,
            shared_layers,
        })
    }

    /// A copy of this lab (engine state, workspace and transcript) to try something on
    /// without replaying how it got here. The copy draws its IDs from `seed`, so they
    /// never repeat the ones the original already handed out.
    pub fn fork(&self, seed: u64) -> anyhow::Result<Scratch> {
        self.fork_point().fork(seed)
    }

    /// What forking needs of this lab, which other threads may fork from while the lab
    /// itself stays put.
    pub fn fork_point(&self) -> ForkPoint<'_> {
        ForkPoint {
            dir: self.dir.path(),
            transcript: self.lab.transcript(),
            shared_layers: &self.shared_layers,
        }
    }
}

/// A lab's directory and transcript, as a fork copies them.
#[derive(Clone, Copy)]
pub struct ForkPoint<'a> {
    dir: &'a Path,
    transcript: &'a [TranscriptEntry],
    shared_layers: &'a Arc<SharedLayers>,
}

impl ForkPoint<'_> {
    pub fn fork(self, seed: u64) -> anyhow::Result<Scratch> {
        let dir = scratch_dir()?;
        for part in ["state", "workspace"] {
            copy_tree(
                &self.dir.join(part),
                &dir.path().join(part),
                part == "state",
            )
            .with_context(|| format!("cannot copy the lab's {part}"))?;
        }
        let _ = std::fs::remove_file(dir.path().join("state").join("lock"));
        let mut scratch = Scratch::open(dir, seed, self.shared_layers.clone())?;
        scratch.lab.restore_transcript(self.transcript.to_vec());
        Ok(scratch)
    }
}

fn scratch_dir() -> anyhow::Result<tempfile::TempDir> {
    tempfile::Builder::new()
        .prefix("docklab-test")
        .tempdir_in(scratch_parent())
        .context("cannot create a temporary directory")
}

/// Where throwaway labs go. A replay's engine is thrown away: on Linux, memory-backed
/// /dev/shm spares it the fsyncs that make a real state directory crash-safe.
pub fn scratch_parent() -> PathBuf {
    let shm = Path::new("/dev/shm");
    if cfg!(target_os = "linux") && shm.is_dir() && is_writable(shm) {
        return shm.to_path_buf();
    }
    std::env::temp_dir()
}

fn is_writable(dir: &Path) -> bool {
    tempfile::Builder::new()
        .prefix("docklab-test")
        .tempdir_in(dir)
        .is_ok()
}

/// Copies a directory tree; symbolic links are copied as links. With `link_blobs`, the
/// files under `blobs/` are hard-linked: a content store never changes a blob in place
/// (it writes a new file and renames it), so sharing them is safe and saves copying
/// every layer of every image.
fn copy_tree(from: &Path, to: &Path, link_blobs: bool) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type()?;
        if kind.is_dir() {
            copy_tree(&source, &target, link_blobs)?;
        } else if kind.is_symlink() {
            #[cfg(unix)]
            std::os::unix::fs::symlink(std::fs::read_link(&source)?, &target)?;
        } else if link_blobs && from.components().any(|c| c.as_os_str() == "blobs") {
            if std::fs::hard_link(&source, &target).is_err() {
                std::fs::copy(&source, &target)?;
            }
        } else {
            std::fs::copy(&source, &target)?;
        }
    }
    Ok(())
}

/// Writes lesson files into the workspace; paths were checked by the loader, and are
/// checked again here, since a file must never land outside it.
pub fn write_files(workspace: &Path, files: &BTreeMap<String, String>) -> anyhow::Result<()> {
    for (rel, content) in files {
        anyhow::ensure!(
            !rel.starts_with('/') && !rel.split(['/', '\\']).any(|p| p == ".."),
            "{rel:?} is outside the workspace"
        );
        let path = workspace.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, content).with_context(|| format!("cannot write {rel}"))?;
        #[cfg(unix)]
        if content.starts_with("#!") {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))?;
        }
    }
    Ok(())
}

/// Runs `commands`; each failure is a sentence naming the command and what it said.
pub fn run_commands(lab: &mut Lab, commands: &[String]) -> Vec<String> {
    let mut failures = Vec::new();
    for command in commands {
        let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
        let status = lab.execute(
            &format!("{command}\n"),
            Streams::new(&[], &mut stdout, &mut stderr),
        );
        if status != 0 {
            failures.push(format!(
                "`{}` exited with {status}: {}",
                command.trim(),
                String::from_utf8_lossy(&stderr).trim()
            ));
        }
    }
    failures
}

/// The lesson's setup, applied to a fresh lab; its commands leave no transcript.
pub fn apply_setup(lesson: &Lesson, lab: &mut Lab) -> anyhow::Result<()> {
    prepare(lab, &lesson.setup)?;
    lab.forget_transcript();
    Ok(())
}

/// Writes a setup's files, pulls its images and runs its commands; a failing command
/// is the error.
pub fn prepare(lab: &mut Lab, setup: &lesson::Setup) -> anyhow::Result<()> {
    write_files(lab.workspace(), &setup.files)?;
    let mut commands: Vec<String> = setup
        .images
        .iter()
        .map(|i| format!("docker pull -q {i}"))
        .collect();
    commands.extend(setup.commands.iter().cloned());
    let failures = run_commands(lab, &commands);
    anyhow::ensure!(
        failures.is_empty(),
        "the setup fails: {}",
        failures.join("; ")
    );
    Ok(())
}

/// Plays step `step` of a lesson as a student who gets it right would: an exercise's
/// reference solution, a question's commands. Failures are sentences.
fn play(lab: &mut Lab, step: StepKind<'_>) -> Result<(), String> {
    match step {
        StepKind::Exercise(e) => {
            write_files(lab.workspace(), &e.solution.files).map_err(|err| format!("{err:#}"))?;
            match run_commands(lab, &e.solution.commands).into_iter().next() {
                Some(failure) => Err(format!("the solution of {} fails: {failure}", e.id)),
                None => Ok(()),
            }
        }
        StepKind::Predict(p) => {
            let mut commands = p.before.clone();
            commands.push(p.command.clone());
            run_commands(lab, &commands);
            Ok(())
        }
        StepKind::Text(_) => Ok(()),
    }
}

/// The first failing check's explanation, or None when all pass.
pub fn first_failure(lab: &mut Lab, exercise: &Exercise) -> Option<String> {
    exercise.checks.iter().find_map(|check| {
        let outcome = lab.evaluate(check);
        (!outcome.passed).then(|| match outcome.diff {
            Some(diff) => format!("{}\n{}", outcome.message, diff.trim_end()),
            None => outcome.message,
        })
    })
}

/// Tests `exercise` from `start`, the state a student reaches it in; `seeds` numbers
/// the forks, so none repeats another's IDs. The solution and each mistake are tried
/// on forks of their own, side by side.
fn test_exercise(
    start: &Scratch,
    exercise: &Exercise,
    seeds: &mut u64,
    verbose: bool,
) -> Result<Vec<String>, Vec<String>> {
    let origin = start.fork_point();
    let first_seed = *seeds + 1;
    *seeds += 1 + exercise.mistakes.len() as u64;
    let (solution, mistakes) = std::thread::scope(|scope| {
        let mistakes: Vec<_> = exercise
            .mistakes
            .iter()
            .zip(first_seed + 1..)
            .map(|(mistake, seed)| {
                scope.spawn(move || try_mistake(origin, exercise, mistake, seed))
            })
            .collect();
        let solution = try_solution(origin, exercise, first_seed);
        let mistakes: Vec<_> = mistakes
            .into_iter()
            .map(|m| {
                m.join()
                    .unwrap_or_else(|_| Err("a replay thread stopped".to_string()))
            })
            .collect();
        (solution, mistakes)
    });
    let (mut problems, mut notes) = solution.map_err(|e| vec![e])?;
    for outcome in mistakes {
        match outcome.map_err(|e| vec![e])? {
            Ok(note) => notes.push(note),
            Err(problem) => problems.extend(problem),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut lines = vec![format!(
        "fails before, passes after the solution, rejects {} mistake(s)",
        exercise.mistakes.len()
    )];
    if verbose {
        lines.extend(notes);
    }
    Ok(lines)
}

/// On a fork of `origin`: the checks before anything is done, then after the
/// reference solution. Problems and notes, or why the fork could not be made.
type Findings = (Vec<String>, Vec<String>);

fn try_solution(origin: ForkPoint<'_>, exercise: &Exercise, seed: u64) -> Result<Findings, String> {
    let (mut problems, mut notes) = (Vec::new(), Vec::new());
    let mut scratch = origin.fork(seed).map_err(|e| format!("{e:#}"))?;
    match first_failure(&mut scratch.lab, exercise) {
        None => problems.push("the checks pass before anything is done".to_string()),
        Some(why) => notes.push(format!("before: {why}")),
    }
    if let Err(e) = write_files(scratch.lab.workspace(), &exercise.solution.files) {
        problems.push(format!("{e:#}"));
    }
    let failures = run_commands(&mut scratch.lab, &exercise.solution.commands);
    problems.extend(failures.into_iter().map(|f| format!("the solution: {f}")));
    if let Some(why) = first_failure(&mut scratch.lab, exercise) {
        problems.push(format!("the solution does not pass: {why}"));
    }
    Ok((problems, notes))
}

/// On a fork of `origin`: the mistake, which the checks must reject. The note on why
/// they do, or the problems; or why the fork could not be made.
fn try_mistake(
    origin: ForkPoint<'_>,
    exercise: &Exercise,
    mistake: &lesson::Mistake,
    seed: u64,
) -> Result<Result<String, Vec<String>>, String> {
    let mut problems = Vec::new();
    let mut scratch = origin.fork(seed).map_err(|e| format!("{e:#}"))?;
    if let Err(e) = write_files(scratch.lab.workspace(), &mistake.files) {
        problems.push(format!("{e:#}"));
    }
    run_commands(&mut scratch.lab, &mistake.commands);
    match first_failure(&mut scratch.lab, exercise) {
        None => problems.push(format!(
            "the mistake \"{}\" passes the checks",
            mistake.name
        )),
        Some(why) if problems.is_empty() => return Ok(Ok(format!("{}: {why}", mistake.name))),
        Some(_) => {}
    }
    Ok(Err(problems))
}

fn test_question(
    start: &Scratch,
    predict: &lesson::Predict,
    seed: u64,
) -> Result<Vec<String>, Vec<String>> {
    let mut scratch = start.fork(seed).map_err(|e| vec![format!("{e:#}")])?;
    run_commands(&mut scratch.lab, &predict.before);
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    scratch.lab.execute(
        &format!("{}\n", predict.command),
        Streams::new(&[], &mut stdout, &mut stderr),
    );
    let output = String::from_utf8_lossy(&stdout);
    if predict.compare.accepts(&predict.answer, &output) {
        Ok(vec![
            "the answer matches what the command prints".to_string(),
        ])
    } else {
        Err(vec![format!(
            "the answer does not match what `{}` prints:\n{}",
            predict.command,
            output.trim_end()
        )])
    }
}

/// Tests every exercise and question of one lesson; writes a line per step and returns
/// how many failed.
fn test_lesson(
    lesson: &Lesson,
    shared_layers: &Arc<SharedLayers>,
    verbose: bool,
    out: &mut dyn Write,
) -> anyhow::Result<usize> {
    let mut failures = 0;
    let mut progress = Scratch::sharing(shared_layers.clone())?;
    if let Err(e) = apply_setup(lesson, &mut progress.lab) {
        writeln!(out, "  {} setup: {e:#}", fail_mark())?;
        return Ok(1);
    }
    let mut seeds = 1000;
    for step in &lesson.steps {
        let Some(kind) = step.kind() else { continue };
        let verdict = match kind {
            StepKind::Exercise(exercise) => test_exercise(&progress, exercise, &mut seeds, verbose),
            StepKind::Predict(predict) => {
                seeds += 1;
                test_question(&progress, predict, seeds)
            }
            StepKind::Text(_) => continue,
        };
        let id = step.id().unwrap_or("");
        match verdict {
            Ok(lines) => {
                writeln!(out, "  {} {id}: {}", ok_mark(), lines[0])?;
                for line in &lines[1..] {
                    write_indented(out, line)?;
                }
            }
            Err(problems) => {
                failures += 1;
                writeln!(out, "  {} {id}", fail_mark())?;
                for p in problems {
                    write_indented(out, &p)?;
                }
            }
        }
        if let Err(e) = play(&mut progress.lab, kind) {
            writeln!(out, "  {} {e}", fail_mark())?;
            return Ok(failures + 1);
        }
    }
    Ok(failures)
}

fn write_indented(out: &mut dyn Write, text: &str) -> std::io::Result<()> {
    for (n, line) in text.lines().enumerate() {
        let lead = if n == 0 { "- " } else { "  " };
        writeln!(out, "      {lead}{line}")?;
    }
    Ok(())
}

/// Lints a grading suite: every problem, authoring rules included, one a line.
fn lint_suite(source: &LessonSource, out: &mut dyn Write) -> anyhow::Result<usize> {
    let problems = match super::grade::read_suite(&source.text, &source.name) {
        Ok((_, _, problems)) => problems,
        Err(d) => vec![d],
    };
    for d in &problems {
        writeln!(out, "{d}")?;
    }
    Ok(problems.len())
}

/// The least time a sample gets, whatever its suite's limit.
const SAMPLE_SECONDS: f64 = 120.0;

/// Grades every sample of a suite on forks of its start state, side by side: each
/// must get the verdict and points it names.
fn test_suite(
    source: &LessonSource,
    shared_layers: &Arc<SharedLayers>,
    verbose: bool,
    out: &mut dyn Write,
) -> anyhow::Result<usize> {
    let (suite, lesson) = match super::grade::parse_and_validate(&source.text, &source.name) {
        Ok(parsed) => parsed,
        Err(problems) => {
            for p in problems.lines() {
                writeln!(out, "  {} {p}", fail_mark())?;
            }
            return Ok(1);
        }
    };
    // Samples are the suite's own, not a student's: a busy CI machine (or a debug
    // build) must not stop them at a budget meant for untrusted submissions.
    let overrides = super::grade::replay::Overrides {
        seconds: Some(suite.limits.seconds.max(SAMPLE_SECONDS)),
        memory_mb: None,
    };
    let (grader, start) = match super::grade::replay::Grader::new(
        suite,
        lesson.as_ref(),
        shared_layers.clone(),
        overrides,
    ) {
        Ok(prepared) => prepared,
        Err(e) => {
            writeln!(out, "  {} start: {e:#}", fail_mark())?;
            return Ok(1);
        }
    };
    let origin = start.fork_point();
    let samples = &grader.suite.samples;
    let graded: Vec<super::grade::report::Graded> = std::thread::scope(|scope| {
        let handles: Vec<_> = samples
            .iter()
            .map(|sample| {
                let grader = &grader;
                scope.spawn(move || grader.grade_sample(origin, &sample.files, &sample.script))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let mut failures = 0;
    for (sample, got) in samples.iter().zip(&graded) {
        let wanted = format!(
            "{} with {} point(s)",
            sample.verdict.as_str(),
            sample.points
        );
        let seen = format!("{} with {} point(s)", got.verdict.as_str(), got.points);
        let failing: Vec<String> = got
            .checks
            .iter()
            .filter(|c| !c.passed)
            .map(|c| format!("{}: {}", c.name, c.explanation()))
            .chain(got.reason.clone())
            .collect();
        if wanted == seen {
            writeln!(out, "  {} sample \"{}\": {seen}", ok_mark(), sample.name)?;
            if verbose {
                for f in &failing {
                    write_indented(out, f)?;
                }
            }
        } else {
            failures += 1;
            writeln!(
                out,
                "  {} sample \"{}\": wanted {wanted}, got {seen}",
                fail_mark(),
                sample.name
            )?;
            for f in &failing {
                write_indented(out, f)?;
            }
        }
    }
    Ok(failures)
}

/// The instruction names a Dockerfile check reads.
const INSTRUCTIONS: &[&str] = &[
    "FROM",
    "RUN",
    "CMD",
    "LABEL",
    "EXPOSE",
    "ENV",
    "ADD",
    "COPY",
    "ENTRYPOINT",
    "VOLUME",
    "USER",
    "WORKDIR",
    "ARG",
    "ONBUILD",
    "STOPSIGNAL",
    "HEALTHCHECK",
    "SHELL",
];

fn dockerfile_patterns(check: &crate::check::Check, out: &mut Vec<String>) {
    if let Some(d) = &check.dockerfile {
        out.extend(d.has.iter().cloned());
    }
    for inner in check.all.iter().chain(check.any.iter()).flatten() {
        dockerfile_patterns(inner, out);
    }
}

/// Warnings (not problems) for hints that name a Dockerfile instruction no check of
/// their exercise looks for: the hint asks for something a student may leave out and
/// still pass. Only exercises with a `dockerfile` check are read, since the others check
/// the image, not the instructions.
pub fn unchecked_hints(lesson: &lesson::Lesson, text: &str, name: &str) -> Vec<String> {
    let mut warnings = Vec::new();
    for exercise in lesson.exercises() {
        let mut patterns = Vec::new();
        for check in &exercise.checks {
            dockerfile_patterns(check, &mut patterns);
        }
        if patterns.is_empty() {
            continue;
        }
        let regexes: Vec<regex::Regex> = patterns
            .iter()
            .filter_map(|p| regex::Regex::new(p).ok())
            .collect();
        let hints = exercise
            .hints
            .iter()
            .chain(exercise.checks.iter().filter_map(|c| c.hint.as_ref()));
        for hint in hints {
            for (i, span) in hint.split('`').enumerate() {
                // Odd pieces lie between backticks.
                let span = span.trim();
                let first = span.split_whitespace().next().unwrap_or("");
                if i % 2 == 0 || !INSTRUCTIONS.contains(&first) || span == first {
                    continue;
                }
                // A hint may name an instruction's start only (`COPY --from=build`).
                let continued = format!("{span} x");
                if regexes
                    .iter()
                    .any(|r| r.is_match(span) || r.is_match(&continued))
                {
                    continue;
                }
                let (line, column) = text
                    .lines()
                    .enumerate()
                    .find_map(|(n, l)| l.find(span).map(|c| (n + 1, c + 1)))
                    .unwrap_or((1, 1));
                warnings.push(format!(
                    "{name}:{line}:{column}: warning: a hint of exercise {} names `{span}`, which no dockerfile check of it verifies",
                    exercise.id
                ));
            }
        }
    }
    warnings
}

#[cfg(test)]
mod hint_tests {
    use super::*;

    #[test]
    fn a_hinted_instruction_no_check_verifies_is_warned_of() {
        let text = r#"format: 1
id: demo
title: Demo
summary: A demo.
estimated_minutes: 5
steps:
  - exercise:
      id: build
      title: Build
      goal: Build it.
      hints:
        - "Add `RUN apk update` before `RUN apk add nmap`."
      solution:
        files:
          Dockerfile: "FROM alpine\nRUN apk update\nRUN apk add nmap\n"
        commands: [docker build -t x .]
      checks:
        - dockerfile: { has: ['^RUN apk add .*nmap'] }
"#;
        let lesson = lesson::parse(text, "demo.yaml").unwrap();
        let warnings = unchecked_hints(&lesson, text, "demo.yaml");
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].starts_with(
                "demo.yaml:12:17: warning: a hint of exercise build names `RUN apk update`"
            ),
            "{}",
            warnings[0]
        );
    }

    #[test]
    fn the_shipped_lessons_hint_only_what_they_check() {
        for (file, text) in lesson::shipped() {
            let lesson = lesson::parse(text, file).unwrap();
            let warnings = unchecked_hints(&lesson, text, file);
            assert!(warnings.is_empty(), "{warnings:?}");
        }
    }
}

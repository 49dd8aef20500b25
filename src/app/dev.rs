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
use crate::engine::clock::Clock;
use crate::engine::streams::Streams;
use crate::lesson::{self, Exercise, Lesson, StepKind};
use anyhow::Context;
use owo_colors::{OwoColorize, Stream};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

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

/// `docklab schema`.
pub fn schema(out: &mut dyn Write) -> anyhow::Result<i32> {
    out.write_all(lesson::schema_json().as_bytes())?;
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
    if problems == 0 {
        writeln!(out, "{} lesson file(s), no problems", files.len())?;
        Ok(0)
    } else {
        writeln!(out, "{problems} problem(s)")?;
        Ok(1)
    }
}

/// `docklab test [LESSON...]`.
pub fn test(args: &[String], out: &mut dyn Write) -> anyhow::Result<i32> {
    let sources = resolve(args)?;
    let mut failures = 0;
    for source in &sources {
        writeln!(out, "{}", source.name)?;
        let parsed = match lesson::parse(&source.text, &source.name).and_then(|l| {
            match lesson::validate(&l, &source.text, &source.name)
                .into_iter()
                .find(|d| !d.authoring)
            {
                Some(d) => Err(d),
                None => Ok(l),
            }
        }) {
            Ok(l) => l,
            Err(d) => {
                writeln!(out, "  {} {d}", fail_mark())?;
                failures += 1;
                continue;
            }
        };
        for (index, step) in parsed.steps.iter().enumerate() {
            let verdict = match step.kind() {
                Some(StepKind::Exercise(exercise)) => test_exercise(&parsed, index, exercise),
                Some(StepKind::Predict(predict)) => test_question(&parsed, index, predict),
                _ => continue,
            };
            let id = step.id().unwrap_or("");
            match verdict {
                Ok(summary) => writeln!(out, "  {} {id}: {summary}", ok_mark())?,
                Err(problems) => {
                    failures += 1;
                    writeln!(out, "  {} {id}", fail_mark())?;
                    for p in problems {
                        for (n, line) in p.lines().enumerate() {
                            let lead = if n == 0 { "- " } else { "  " };
                            writeln!(out, "      {lead}{line}")?;
                        }
                    }
                }
            }
        }
    }
    if failures == 0 {
        writeln!(out, "all lessons pass")?;
        Ok(0)
    } else {
        writeln!(out, "{failures} failure(s)")?;
        Ok(1)
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
    _dir: tempfile::TempDir,
}

impl Scratch {
    pub fn new() -> anyhow::Result<Scratch> {
        // A replay's engine is thrown away: on Linux, memory-backed /dev/shm spares it
        // the fsyncs that make a real state directory crash-safe.
        let shm = Path::new("/dev/shm");
        let dir = if cfg!(target_os = "linux") && shm.is_dir() {
            tempfile::Builder::new()
                .prefix("docklab-test")
                .tempdir_in(shm)
        } else {
            tempfile::tempdir()
        }
        .or_else(|_| tempfile::tempdir())
        .context("cannot create a temporary directory")?;
        let settings = Settings {
            state_dir: dir.path().join("state"),
            workspace: dir.path().join("workspace"),
            seed: Some(1),
            clock: Clock::parse_fixed(TEST_CLOCK).map_err(|e| anyhow::anyhow!("{e}"))?,
            backend: BackendKind::Embedded,
        };
        let lab = Lab::open(&settings, Mode::Script)?;
        Ok(Scratch { lab, _dir: dir })
    }
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
    write_files(lab.workspace(), &lesson.setup.files)?;
    let mut commands: Vec<String> = lesson
        .setup
        .images
        .iter()
        .map(|i| format!("docker pull -q {i}"))
        .collect();
    commands.extend(lesson.setup.commands.iter().cloned());
    let failures = run_commands(lab, &commands);
    anyhow::ensure!(
        failures.is_empty(),
        "the setup fails: {}",
        failures.join("; ")
    );
    lab.forget_transcript();
    Ok(())
}

/// A fresh lab at the state a student reaches step `index` in.
fn starting_state(lesson: &Lesson, index: usize) -> Result<Scratch, String> {
    let mut scratch = Scratch::new().map_err(|e| format!("{e:#}"))?;
    apply_setup(lesson, &mut scratch.lab).map_err(|e| format!("{e:#}"))?;
    for step in &lesson.steps[..index] {
        match step.kind() {
            Some(StepKind::Exercise(e)) => {
                write_files(scratch.lab.workspace(), &e.solution.files)
                    .map_err(|err| format!("{err:#}"))?;
                let failures = run_commands(&mut scratch.lab, &e.solution.commands);
                if !failures.is_empty() {
                    return Err(format!("the solution of {} fails: {}", e.id, failures[0]));
                }
            }
            Some(StepKind::Predict(p)) => {
                let mut commands = p.before.clone();
                commands.push(p.command.clone());
                run_commands(&mut scratch.lab, &commands);
            }
            _ => {}
        }
    }
    Ok(scratch)
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

fn test_exercise(
    lesson: &Lesson,
    index: usize,
    exercise: &Exercise,
) -> Result<String, Vec<String>> {
    let mut problems = Vec::new();
    let mut scratch = starting_state(lesson, index).map_err(|e| vec![e])?;
    if first_failure(&mut scratch.lab, exercise).is_none() {
        problems.push("the checks pass before anything is done".to_string());
    }
    if let Err(e) = write_files(scratch.lab.workspace(), &exercise.solution.files) {
        problems.push(format!("{e:#}"));
    }
    let failures = run_commands(&mut scratch.lab, &exercise.solution.commands);
    problems.extend(failures.into_iter().map(|f| format!("the solution: {f}")));
    if let Some(why) = first_failure(&mut scratch.lab, exercise) {
        problems.push(format!("the solution does not pass: {why}"));
    }
    for mistake in &exercise.mistakes {
        let mut scratch = starting_state(lesson, index).map_err(|e| vec![e])?;
        if let Err(e) = write_files(scratch.lab.workspace(), &mistake.files) {
            problems.push(format!("{e:#}"));
        }
        run_commands(&mut scratch.lab, &mistake.commands);
        if first_failure(&mut scratch.lab, exercise).is_none() {
            problems.push(format!(
                "the mistake \"{}\" passes the checks",
                mistake.name
            ));
        }
    }
    if problems.is_empty() {
        Ok(format!(
            "fails before, passes after the solution, rejects {} mistake(s)",
            exercise.mistakes.len()
        ))
    } else {
        Err(problems)
    }
}

fn test_question(
    lesson: &Lesson,
    index: usize,
    predict: &lesson::Predict,
) -> Result<String, Vec<String>> {
    let mut scratch = starting_state(lesson, index).map_err(|e| vec![e])?;
    run_commands(&mut scratch.lab, &predict.before);
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    scratch.lab.execute(
        &format!("{}\n", predict.command),
        Streams::new(&[], &mut stdout, &mut stderr),
    );
    let output = String::from_utf8_lossy(&stdout);
    if predict.compare.accepts(&predict.answer, &output) {
        Ok("the answer matches what the command prints".to_string())
    } else {
        Err(vec![format!(
            "the answer does not match what `{}` prints:\n{}",
            predict.command,
            output.trim_end()
        )])
    }
}

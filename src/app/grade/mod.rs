//! Headless grading: `docklab grade --suite FILE SUBMISSION...`, `docklab grade merge`
//! and `docklab submit`.
//!
//! A suite (`checks/*.yaml`, [`crate::lesson::suite`]) is prepared once; every
//! submission is replayed on a fork of that start state, on a worker thread of its own,
//! within the suite's budget ([`replay`]); the results are written in the format asked
//! for ([`report`]). Grading never starts a host process and writes only inside its
//! temporary directory (and the report file, when `--output` names one).
//!
//! Exit status: 0 when every submission passes, 1 when some fall short, 2 when grading
//! could not run (a bad suite, a missing file).

pub mod bundle;
pub mod replay;
pub mod report;
pub mod submission;

use super::options::{BackendKind, GradeArgs, GradeCommand, MergeArgs, Settings, SubmitArgs};
use crate::engine::content::atomic_write;
use crate::engine::shared_layers::SharedLayers;
use crate::lesson::suite::{self, Suite};
use crate::lesson::{self, Lesson};
use anyhow::{Context, bail};
use report::{Format, Report};
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::Mutex;

/// `docklab grade ...`: the exit status, having said why on stderr when it is 2.
pub fn run(args: &GradeArgs, settings: &Settings) -> i32 {
    let result = match &args.command {
        Some(GradeCommand::Merge(merge)) => run_merge(merge),
        None => run_grade(args, settings),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "docklab grade: {e:#}");
            2
        }
    }
}

/// A suite file read, parsed and validated, with its start lesson.
pub struct LoadedSuite {
    pub suite: Suite,
    pub lesson: Option<Lesson>,
    pub text: String,
    pub name: String,
}

/// Reads `path` as a suite; problems are `file:line:col` lines.
pub fn load_suite(path: &Path) -> anyhow::Result<LoadedSuite> {
    let name = path.display().to_string();
    let meta = std::fs::metadata(path).with_context(|| format!("cannot read {name}"))?;
    anyhow::ensure!(
        meta.len() <= suite::MAX_SUITE_BYTES,
        "{name}: {} bytes is too large for a suite (the limit is {})",
        meta.len(),
        suite::MAX_SUITE_BYTES
    );
    let text = super::script::read_text(path)?;
    let (suite, lesson) = parse_and_validate(&text, &name).map_err(anyhow::Error::msg)?;
    Ok(LoadedSuite {
        suite,
        lesson,
        text,
        name,
    })
}

/// Parses suite text and validates it against its start lesson: the suite, the lesson,
/// and every problem (authoring rules included); or the parse error.
pub fn read_suite(
    text: &str,
    name: &str,
) -> Result<(Suite, Option<Lesson>, Vec<lesson::Diagnostic>), lesson::Diagnostic> {
    let suite = suite::parse_suite(text, name)?;
    let lesson = start_lesson(&suite);
    let problems = suite::validate_suite(&suite, lesson.as_ref(), text, name);
    Ok((suite, lesson, problems))
}

/// Parses and validates suite text: the suite and its start lesson, or every problem
/// that stops it from grading (one a line).
pub fn parse_and_validate(text: &str, name: &str) -> Result<(Suite, Option<Lesson>), String> {
    let (suite, lesson, problems) = read_suite(text, name).map_err(|d| d.to_string())?;
    let problems: Vec<String> = problems
        .into_iter()
        .filter(|d| !d.authoring)
        .map(|d| d.to_string())
        .collect();
    if problems.is_empty() {
        Ok((suite, lesson))
    } else {
        Err(problems.join("\n"))
    }
}

/// The shipped lesson a suite starts from.
pub fn start_lesson(suite: &Suite) -> Option<Lesson> {
    let name = suite.start.lesson.as_ref()?;
    let (_, text) = lesson::find_shipped(name)?;
    lesson::parse(text, name).ok()
}

fn run_grade(args: &GradeArgs, settings: &Settings) -> anyhow::Result<i32> {
    let Some(suite_path) = &args.suite else {
        bail!("which suite? --suite FILE (the shipped ones are in checks/)");
    };
    let loaded = load_suite(suite_path)?;
    let info = report::suite_info(&loaded.suite, &loaded.name, &loaded.text);
    if settings.backend == BackendKind::Docker {
        return grade_live(args, settings, loaded, info);
    }
    anyhow::ensure!(
        !args.submissions.is_empty(),
        "no submissions given: name scripts (.sh), bundles (docklab submit) or folders of them"
    );
    let mut candidates = submission::find(&args.submissions).map_err(anyhow::Error::msg)?;
    let shard = match &args.shard {
        Some(text) => {
            let (index, count) = parse_shard(text)?;
            candidates = submission::shard(candidates, index, count);
            Some(format!("{index}/{count}"))
        }
        None => None,
    };
    let shared_layers = SharedLayers::with_pool_in(&super::dev::scratch_parent())
        .context("cannot create a temporary directory")?;
    let (grader, start) = replay::Grader::new(
        loaded.suite,
        loaded.lesson.as_ref(),
        shared_layers,
        replay::Overrides {
            seconds: args.timeout,
            memory_mb: args.memory,
        },
    )
    .context("cannot prepare the suite's start state")?;
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let graded = grade_all(
        &grader,
        start.fork_point(),
        &candidates,
        jobs,
        progress_bar(candidates.len()),
    );
    let report = Report::new(info, shard, graded);
    write_report(&report, args.format, args.output.as_deref())?;
    Ok(report.exit_code())
}

/// `I/N` with 1 ≤ I ≤ N.
fn parse_shard(text: &str) -> anyhow::Result<(u32, u32)> {
    let parsed = text
        .split_once('/')
        .and_then(|(i, n)| Some((i.trim().parse::<u32>().ok()?, n.trim().parse::<u32>().ok()?)));
    match parsed {
        Some((i, n)) if n >= 1 && (1..=n).contains(&i) => Ok((i, n)),
        _ => bail!("--shard {text:?}: give I/N, with I from 1 to N (1/4 is the first of four)"),
    }
}

/// A progress bar on a terminal, nothing elsewhere.
fn progress_bar(len: usize) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() || len < 2 {
        return None;
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "grading {bar:30} {pos}/{len} ({per_sec}, {eta} left) {msg}",
    ) {
        bar.set_style(style);
    }
    Some(bar)
}

/// Grades every candidate on `jobs` threads; results in the candidates' order.
pub fn grade_all(
    grader: &replay::Grader,
    origin: crate::app::dev::ForkPoint<'_>,
    candidates: &[submission::Candidate],
    jobs: usize,
    bar: Option<indicatif::ProgressBar>,
) -> Vec<report::Graded> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<Mutex<Option<report::Graded>>> =
        candidates.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(candidates.len()) {
            scope.spawn(|| {
                loop {
                    let n = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let Some(candidate) = candidates.get(n) else {
                        break;
                    };
                    let graded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        grader.grade(origin, candidate)
                    }))
                    .unwrap_or_else(|_| {
                        report::Graded {
                        id: candidate.id.clone(),
                        kind: candidate.kind.name().to_string(),
                        reason: Some(
                            "the grader failed on this submission (a docklab bug: please report it)"
                                .to_string(),
                        ),
                        max_points: grader.suite.max_points(),
                        ..Default::default()
                    }
                    });
                    if let Some(bar) = &bar {
                        bar.inc(1);
                    }
                    if let Ok(mut slot) = results[n].lock() {
                        *slot = Some(graded);
                    }
                }
            });
        }
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    results
        .into_iter()
        .map(|slot| slot.into_inner().ok().flatten().unwrap_or_default())
        .collect()
}

/// Writes the report to `output` (atomically) or stdout.
fn write_report(report: &Report, format: Format, output: Option<&Path>) -> anyhow::Result<()> {
    let text = report::render(report, format);
    match output {
        Some(path) => write_output(path, text.as_bytes())?,
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
        }
    }
    Ok(())
}

/// Writes a file the user named: atomically (a temporary file renamed over it) when it
/// is a regular file or new, but straight into it when it is something else (`-o
/// /dev/null`, a FIFO), which a rename would replace.
fn write_output(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let special = std::fs::metadata(path).is_ok_and(|m| !m.is_file());
    if special {
        std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .and_then(|mut f| f.write_all(bytes))
    } else {
        atomic_write(path, bytes)
    }
    .with_context(|| format!("cannot write {}", path.display()))
}

/// Reads at most this much of a report to merge.
const MAX_REPORT_BYTES: u64 = 512 << 20;

fn run_merge(args: &MergeArgs) -> anyhow::Result<i32> {
    let mut reports = Vec::new();
    for path in &args.reports {
        let meta =
            std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
        anyhow::ensure!(
            meta.len() <= MAX_REPORT_BYTES,
            "{}: {} bytes is larger than a report may be",
            path.display(),
            meta.len()
        );
        let text = super::script::read_text(path)?;
        reports.push(Report::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?);
    }
    let report = Report::merge(reports).map_err(anyhow::Error::msg)?;
    write_report(&report, args.format, args.output.as_deref())?;
    Ok(report.exit_code())
}

/// `--backend docker`: the suite's checks on the daemon's live state and the
/// workspace (the current directory unless `--workspace`), with the commands of a
/// submission given as what was typed (not run again).
fn grade_live(
    args: &GradeArgs,
    settings: &Settings,
    loaded: LoadedSuite,
    info: report::SuiteInfo,
) -> anyhow::Result<i32> {
    anyhow::ensure!(
        args.submissions.len() <= 1,
        "--backend docker grades the daemon's live state once: give at most one submission, whose commands count as typed"
    );
    let mut settings = settings.clone();
    if !args.workspace_given {
        settings.workspace = std::env::current_dir()?;
    }
    let mut lab = super::lab::Lab::open(&settings, super::lab::Mode::Script)?;
    let mut id = "live".to_string();
    if let Some(path) = args.submissions.first() {
        let candidate = submission::find(std::slice::from_ref(path))
            .map_err(anyhow::Error::msg)?
            .into_iter()
            .next()
            .context("no submission there")?;
        let content = candidate
            .load(loaded.suite.limits.commands)
            .map_err(anyhow::Error::msg)?;
        lab.restore_transcript(
            content
                .commands
                .iter()
                .map(|step| crate::check::TranscriptEntry {
                    command: step.command.clone(),
                    exit_code: step.recorded_exit.unwrap_or(0),
                    ..Default::default()
                })
                .collect(),
        );
        id = candidate.id;
    }
    let checks = loaded.suite.resolve(loaded.lesson.as_ref());
    let results: Vec<report::CheckResult> = checks
        .iter()
        .map(|c| replay::evaluate_on(&mut lab, c))
        .collect();
    let points = results.iter().map(|c| c.points).sum();
    let graded = report::Graded {
        id,
        kind: "live".to_string(),
        verdict: if points >= loaded.suite.pass_points() {
            lesson::suite::Verdict::Pass
        } else {
            lesson::suite::Verdict::Fail
        },
        points,
        max_points: loaded.suite.max_points(),
        reason: None,
        commands: 0,
        checks: results,
        notes: vec!["graded on the Docker daemon's live state; nothing was replayed".to_string()],
    };
    let report = Report::new(info, None, vec![graded]);
    write_report(&report, args.format, args.output.as_deref())?;
    Ok(report.exit_code())
}

/// `docklab submit [LESSON]`: the lesson's commands (less those undone) and its
/// workspace as one bundle file.
pub fn submit(
    args: &SubmitArgs,
    settings: &Settings,
    workspace_given: bool,
) -> anyhow::Result<i32> {
    let home = super::options::home()?;
    let transcripts = home.join("transcripts");
    let lesson_id = match &args.lesson {
        Some(name) => match lesson::find_shipped(name) {
            Some((_, text)) => lesson::parse(text, name)?.id,
            None => name.clone(),
        },
        None => newest_transcript(&transcripts)?,
    };
    let transcript_path = transcripts.join(format!("{lesson_id}.jsonl"));
    anyhow::ensure!(
        transcript_path.is_file(),
        "nothing to submit for {lesson_id}: no commands were typed in that lesson yet (docklab start {lesson_id})"
    );
    let commands = super::session::earlier_commands(&transcript_path);
    let workspace = if workspace_given {
        settings.workspace.clone()
    } else {
        home.join("workspaces").join(&lesson_id)
    };
    let created = settings
        .clock
        .now()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let bundle = bundle::Bundle::new(&lesson_id, &created, &commands, &workspace)
        .with_context(|| format!("cannot read the workspace {}", workspace.display()))?;
    let output = args
        .output
        .clone()
        .unwrap_or_else(|| format!("{lesson_id}.submission.json").into());
    let mut text = serde_json::to_string_pretty(&bundle)?;
    text.push('\n');
    write_output(&output, text.as_bytes())?;
    writeln!(
        std::io::stdout(),
        "Wrote {} ({} commands, {} workspace files) for lesson {lesson_id}.\nHand it in; a grader runs: docklab grade --suite checks/SUITE.yaml {}",
        output.display(),
        bundle.commands.len(),
        bundle.workspace.len(),
        output.display()
    )?;
    Ok(0)
}

/// The lesson whose transcript changed last.
fn newest_transcript(dir: &Path) -> anyhow::Result<String> {
    let newest = std::fs::read_dir(dir)
        .ok()
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "jsonl"))
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .max();
    match newest {
        Some((_, path)) => Ok(path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()),
        None => {
            bail!("no lesson has been taken yet: start one with `docklab start N`, then submit it")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn output_to_a_device_or_fifo_is_written_into_never_renamed_over() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("out.fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            // No mkfifo here: nothing to try the FIFO on.
            return;
        }
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read(fifo).unwrap())
        };
        write_output(&fifo, b"report\n").unwrap();
        assert_eq!(reader.join().unwrap(), b"report\n");
        assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
        // A regular file is replaced whole.
        let file = dir.path().join("out.json");
        std::fs::write(&file, "old old old").unwrap();
        write_output(&file, b"new").unwrap();
        assert_eq!(std::fs::read(&file).unwrap(), b"new");
    }
}

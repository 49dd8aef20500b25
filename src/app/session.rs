//! A lesson being taken: the current step, the lab under it, the built-in words
//! (`hint`, `check`, `next`, `back`, `solution`, `answer`, `progress`, `lessons`,
//! `help`), checks run after every command, and progress saved atomically.
//!
//! The REPL and script mode both drive a [`Session`]; it writes to the streams it is
//! given and never touches the terminal itself.

use super::lab::Lab;
use super::undo::UndoLog;
use crate::engine::streams::Streams;
use crate::lesson::{Exercise, Lesson, StepKind};
use owo_colors::{OwoColorize, Stream};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// What is remembered of a lesson between sessions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Progress {
    pub lesson: String,
    /// The step the student is on (0-based).
    pub step: usize,
    /// Ids of finished exercises and answered questions.
    #[serde(default)]
    pub done: Vec<String>,
    /// Hints shown, per exercise id.
    #[serde(default)]
    pub hints_used: BTreeMap<String, usize>,
    /// Whether the lesson's setup has been applied to the engine and workspace.
    #[serde(default)]
    pub setup_done: bool,
    /// Time spent in the lesson, over all its sessions, in seconds.
    #[serde(default)]
    pub seconds: u64,
}

impl Progress {
    /// Reads a lesson's progress. A missing file is a fresh start; a file that cannot
    /// be read as progress is moved aside (`NAME.corrupt`) and reported, never
    /// silently overwritten.
    pub fn load(path: &Path, lesson: &str) -> (Progress, Option<String>) {
        let fresh = Progress {
            lesson: lesson.to_string(),
            ..Progress::default()
        };
        let Ok(bytes) = std::fs::read(path) else {
            return (fresh, None);
        };
        match serde_json::from_slice::<Progress>(&bytes) {
            Ok(p) if p.lesson == lesson => (p, None),
            result => {
                let aside = path.with_extension("json.corrupt");
                let moved = std::fs::rename(path, &aside).is_ok();
                let why = match result {
                    Err(e) => e.to_string(),
                    Ok(p) => format!("it is the progress of lesson {}", p.lesson),
                };
                let note = if moved {
                    format!(
                        "the progress file {} could not be used ({why}); it is kept as {} and the lesson starts afresh",
                        path.display(),
                        aside.display()
                    )
                } else {
                    format!(
                        "the progress file {} could not be used ({why})",
                        path.display()
                    )
                };
                (fresh, Some(note))
            }
        }
    }

    /// Reads progress for display only: anything unreadable counts as none, and the
    /// file is left where it is.
    pub fn load_quietly(path: &Path, lesson: &str) -> Progress {
        std::fs::read(path)
            .ok()
            .and_then(|b| serde_json::from_slice::<Progress>(&b).ok())
            .filter(|p| p.lesson == lesson)
            .unwrap_or_default()
    }

    /// Writes to a temporary file beside `path` and renames it over: a crash leaves
    /// the old progress or the new, never half of one.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let mut temp = tempfile::NamedTempFile::new_in(dir)?;
        let text = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        temp.write_all(&text)?;
        temp.as_file().sync_all()?;
        temp.persist(path).map_err(|e| e.error)?;
        Ok(())
    }
}

pub struct Session {
    pub lesson: Lesson,
    pub lab: Lab,
    pub progress: Progress,
    progress_path: PathBuf,
    /// Where every command of the lesson is appended, one JSON object a line: the
    /// submission a grader can replay.
    transcript_path: PathBuf,
    /// `solution` asks once before it tells.
    solution_asked: bool,
    /// Marks for `undo` and `reset`.
    undo: UndoLog,
    /// When the time not yet added to `progress.seconds` began.
    since: std::time::Instant,
    /// The workspace as the lab left it after the last command: what differs before
    /// the next one was edited outside the lab.
    seen: super::undo::Manifest,
}

/// The largest edited file a transcript entry carries.
const EDIT_LIMIT: u64 = 256 << 10;

/// The words a lesson session answers itself (besides `help` and `exit`): what the
/// REPL completes, and what a replay of a lesson's commands passes over.
pub const LESSON_WORDS: &[&str] = &[
    "hint", "check", "next", "back", "solution", "answer", "step", "progress", "lessons", "undo",
    "reset",
];

const HELP: &str = "\
Lesson words:
  hint        the next hint for this exercise
  check       run this exercise's checks and explain each
  next, back  move between steps
  solution    show the reference solution (asks first)
  undo        put back what the last command changed (images, containers, files)
  reset       start this exercise over, as it was when you reached it
  answer      answer a question (the lines after it, up to an empty line)
  step        show the current step again
  progress    where you are in this lesson
  lessons     every lesson and how far you got
  help        this list, then the lab's own help
  exit        leave; your progress is kept
";

impl Session {
    /// Applies the lesson's setup once, on the first start.
    pub fn prepare(&mut self, out: &mut dyn Write) -> anyhow::Result<()> {
        if !self.progress.setup_done {
            super::dev::apply_setup(&self.lesson, &mut self.lab)?;
            self.progress.setup_done = true;
            self.save(out);
            self.refresh_seen();
        }
        Ok(())
    }

    fn refresh_seen(&mut self) {
        self.seen = super::undo::manifest(self.lab.workspace()).unwrap_or_default();
    }

    pub fn new(lesson: Lesson, lab: Lab, progress_dir: &Path) -> (Session, Option<String>) {
        let progress_path = progress_dir.join(format!("{}.json", lesson.id));
        let transcript_path = progress_dir
            .parent()
            .unwrap_or(progress_dir)
            .join("transcripts")
            .join(format!("{}.jsonl", lesson.id));
        let (mut progress, note) = Progress::load(&progress_path, &lesson.id);
        progress.step = progress.step.min(lesson.steps.len().saturating_sub(1));
        let mut lab = lab;
        lab.restore_transcript(earlier_commands(&transcript_path));
        let undo = UndoLog::open(lab.state_dir().join("undo"), &lab);
        let seen = super::undo::manifest(lab.workspace()).unwrap_or_default();
        (
            Session {
                undo,
                since: std::time::Instant::now(),
                seen,
                lesson,
                lab,
                progress,
                progress_path,
                transcript_path,
                solution_asked: false,
            },
            note,
        )
    }

    fn progress_dir(&self) -> PathBuf {
        self.progress_path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
    }

    fn save(&mut self, out: &mut dyn Write) {
        self.count_time();
        if let Err(e) = self.progress.save(&self.progress_path) {
            let _ = writeln!(
                out,
                "docklab: cannot save progress to {}: {e}",
                self.progress_path.display()
            );
        }
    }

    /// Adds the time since the last count to the lesson's time.
    fn count_time(&mut self) {
        let spent = self.since.elapsed().as_secs();
        self.progress.seconds += spent;
        self.since += std::time::Duration::from_secs(spent);
    }

    /// The workspace files (`now`) changed since the lab last left it (edited in the
    /// student's own editor): text files up to [`EDIT_LIMIT`] with their content, removed
    /// files as None. Larger or binary files are left out: a replay cannot use them.
    fn editor_edits(&self, now: &super::undo::Manifest) -> BTreeMap<String, Option<String>> {
        let mut edits = BTreeMap::new();
        for (path, entry) in now {
            if self.seen.get(path) == Some(entry) || !entry.is_file() {
                continue;
            }
            let full = self.lab.workspace().join(path);
            let text = std::fs::metadata(&full)
                .ok()
                .filter(|m| m.len() <= EDIT_LIMIT)
                .and_then(|_| std::fs::read(&full).ok())
                .and_then(|b| String::from_utf8(b).ok());
            if let Some(text) = text {
                edits.insert(path.to_string_lossy().into_owned(), Some(text));
            }
        }
        for (path, entry) in &self.seen {
            if entry.is_file() && !now.contains_key(path) {
                edits.insert(path.to_string_lossy().into_owned(), None);
            }
        }
        edits
    }

    /// Appends `entry` to the lesson's transcript file: `undo` and `reset` are written
    /// there too, so a replay ends where the student did.
    fn append(&self, entry: &crate::check::TranscriptEntry, out: &mut dyn Write) {
        let appended = (|| -> std::io::Result<()> {
            if let Some(dir) = self.transcript_path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.transcript_path)?;
            let mut line = serde_json::to_vec(entry).map_err(std::io::Error::other)?;
            line.push(b'\n');
            file.write_all(&line)
        })();
        if let Err(e) = appended {
            let _ = writeln!(
                out,
                "docklab: cannot record the command in {}: {e}",
                self.transcript_path.display()
            );
        }
    }

    fn exercise(&self) -> Option<&Exercise> {
        match self.lesson.steps.get(self.progress.step)?.kind()? {
            StepKind::Exercise(e) => Some(e),
            _ => None,
        }
    }

    /// `[3/9] Build mynmap` and the state of the step.
    pub fn status_line(&self) -> String {
        let step = &self.lesson.steps[self.progress.step];
        let done = step
            .id()
            .is_some_and(|id| self.progress.done.iter().any(|d| d == id));
        let what = match step.kind() {
            Some(StepKind::Exercise(e)) => format!("exercise: {}", e.title),
            Some(StepKind::Predict(_)) => "question".to_string(),
            _ => "reading".to_string(),
        };
        format!(
            "[{}/{}] {} · {what}{}",
            self.progress.step + 1,
            self.lesson.steps.len(),
            self.lesson.title,
            if done { " · done" } else { "" }
        )
    }

    /// Shows the current step.
    pub fn show_step(&mut self, out: &mut dyn Write) -> std::io::Result<()> {
        writeln!(
            out,
            "{}",
            self.status_line()
                .if_supports_color(Stream::Stdout, |t| t.dimmed())
        )?;
        match self.lesson.steps[self.progress.step].kind() {
            Some(StepKind::Text(text)) => {
                render_markdown(text, out)?;
                writeln!(out, "(type `next` to go on)")?;
            }
            Some(StepKind::Exercise(e)) => {
                let key = format!("{}-{}", self.lesson.id, e.id);
                self.undo.mark_start(&mut self.lab, &key);
                writeln!(
                    out,
                    "{}",
                    format!("Exercise: {}", e.title)
                        .if_supports_color(Stream::Stdout, |t| t.bold())
                )?;
                render_markdown(&e.goal, out)?;
                writeln!(
                    out,
                    "(checks run after every command; `hint` helps, `check` explains)"
                )?;
                // What was done before the exercise began may reach its goal already.
                self.after_command(out)?;
            }
            Some(StepKind::Predict(p)) => {
                writeln!(
                    out,
                    "{}",
                    "Question".if_supports_color(Stream::Stdout, |t| t.bold())
                )?;
                render_markdown(&p.prompt, out)?;
                writeln!(out, "(type `answer`, then your answer, then an empty line)")?;
            }
            None => writeln!(out, "(this step is malformed)")?,
        }
        Ok(())
    }

    /// Runs one input: a lesson word, or a lab command followed by the exercise's
    /// checks. Returns the status, as the lab does.
    pub fn handle(&mut self, input: &str, streams: Streams<'_>) -> i32 {
        let out = streams.stdout;
        let word: Vec<&str> = input.split_whitespace().collect();
        if !self.lab.in_container() {
            let handled = match word.as_slice() {
                ["hint"] => Some(self.hint(out)),
                ["check"] => Some(self.check_all(out)),
                ["next"] => Some(self.move_by(1, out)),
                ["back"] => Some(self.move_by(-1, out)),
                ["step"] => Some(self.show_step(out)),
                ["solution"] => Some(self.solution(out)),
                ["undo"] => Some(self.undo_last(out)),
                ["reset"] => Some(self.reset(out)),
                ["progress"] => Some(self.show_progress(out)),
                ["lessons"] => Some(
                    super::dev::list(Some(&self.progress_dir()), out)
                        .map(|_| ())
                        .map_err(std::io::Error::other),
                ),
                ["answer", ..] => {
                    let text = input.trim_start().strip_prefix("answer").unwrap_or("");
                    Some(self.answer(text, out))
                }
                _ => None,
            };
            if let Some(result) = handled {
                // Words change the workspace only through the lab (undo, reset, a
                // question's commands): nothing of it is an edit.
                self.refresh_seen();
                if word.first() != Some(&"solution") {
                    self.solution_asked = false;
                }
                return if result.is_ok() { 0 } else { 1 };
            }
        }
        let undoable = !self.lab.in_container();
        let now = super::undo::manifest(self.lab.workspace()).unwrap_or_default();
        let edits = self.editor_edits(&now);
        if undoable {
            self.undo.before(&mut self.lab, &now);
        }
        let status = self
            .lab
            .execute(input, Streams::new(streams.stdin, out, streams.stderr));
        let now = super::undo::manifest(self.lab.workspace()).unwrap_or_default();
        if undoable {
            self.undo.after(&mut self.lab, input, &now);
        }
        self.seen = now;
        if word.first() == Some(&"help") {
            let _ = out.write_all(HELP.as_bytes());
        }
        if let Some(entry) = self.lab.transcript().last() {
            let mut entry = entry.clone();
            entry.edits = edits;
            self.append(&entry, out);
        }
        let _ = self.after_command(out);
        status
    }

    /// After a lab command: if the exercise's checks all pass now, say so at once.
    fn after_command(&mut self, out: &mut dyn Write) -> std::io::Result<()> {
        let Some(exercise) = self.exercise().cloned() else {
            return Ok(());
        };
        if self.progress.done.contains(&exercise.id) || self.lab.in_container() {
            return Ok(());
        }
        if exercise
            .checks
            .iter()
            .all(|check| self.lab.evaluate(check).passed)
        {
            self.progress.done.push(exercise.id.clone());
            self.save(out);
            writeln!(
                out,
                "{}",
                format!("✔ Done: {}", exercise.title)
                    .if_supports_color(Stream::Stdout, |t| t.green())
            )?;
            if let Some(why) = &exercise.why_it_matters {
                render_markdown(why, out)?;
            }
            writeln!(out, "(type `next` to go on)")?;
        }
        Ok(())
    }

    fn hint(&mut self, out: &mut dyn Write) -> std::io::Result<()> {
        let Some(exercise) = self.exercise().cloned() else {
            return writeln!(out, "There is nothing to do on this step: type `next`.");
        };
        let used = self
            .progress
            .hints_used
            .entry(exercise.id.clone())
            .or_insert(0);
        if let Some(hint) = exercise.hints.get(*used) {
            *used += 1;
            let shown = *used;
            writeln!(out, "Hint {shown}/{}: {hint}", exercise.hints.len())?;
        } else {
            // The static hints are used up: the first failing check's own hint knows
            // where the student is.
            let first = exercise
                .checks
                .iter()
                .map(|c| self.lab.evaluate(c))
                .find(|o| !o.passed);
            match first {
                Some(outcome) => {
                    writeln!(out, "Still missing: {}", outcome.message)?;
                    if let Some(hint) = outcome.hint {
                        writeln!(out, "Hint: {hint}")?;
                    }
                }
                None => writeln!(out, "Every check passes already.")?,
            }
        }
        self.save(out);
        Ok(())
    }

    fn undo_last(&mut self, out: &mut dyn Write) -> std::io::Result<()> {
        match self.undo.undo(&mut self.lab) {
            Ok(Some(undone)) => {
                let mut entry = word_entry("undo");
                entry.stdout = format!("Undone: {}\n", undone.command);
                self.append(&entry, out);
                writeln!(out, "Undone: {}", undone.command)?;
                if !undone.kept.is_empty() {
                    let names: Vec<String> = undone
                        .kept
                        .iter()
                        .map(|p| p.display().to_string())
                        .collect();
                    writeln!(
                        out,
                        "Kept as you left them (edited since that command): {}",
                        names.join(", ")
                    )?;
                }
                // Undoing an extra command may leave the exercise's goal reached.
                self.after_command(out)
            }
            Ok(None) => writeln!(out, "There is nothing to undo."),
            Err(why) => writeln!(out, "Cannot undo: {why}"),
        }
    }

    fn reset(&mut self, out: &mut dyn Write) -> std::io::Result<()> {
        let Some(exercise) = self.exercise().cloned() else {
            return writeln!(out, "There is no exercise on this step to reset.");
        };
        let key = format!("{}-{}", self.lesson.id, exercise.id);
        match self.undo.reset(&mut self.lab, &key) {
            Ok(true) => {
                self.append(&word_entry("reset"), out);
                self.progress.done.retain(|d| d != &exercise.id);
                self.save(out);
                writeln!(
                    out,
                    "{} is back as it was when you reached it; `undo` brings back what you had.",
                    exercise.title
                )
            }
            Ok(false) => writeln!(out, "This exercise's starting state was not kept."),
            Err(why) => writeln!(out, "Cannot reset: {why}"),
        }
    }

    fn check_all(&mut self, out: &mut dyn Write) -> std::io::Result<()> {
        let Some(exercise) = self.exercise().cloned() else {
            return writeln!(out, "This step has no checks.");
        };
        for check in &exercise.checks {
            let outcome = self.lab.evaluate(check);
            let mark = if outcome.passed {
                "✔"
                    .if_supports_color(Stream::Stdout, |t| t.green())
                    .to_string()
            } else {
                "✘"
                    .if_supports_color(Stream::Stdout, |t| t.red())
                    .to_string()
            };
            writeln!(out, "{mark} {}", outcome.message)?;
            if !outcome.passed
                && let Some(diff) = outcome.diff
            {
                for line in diff.lines() {
                    writeln!(out, "    {line}")?;
                }
            }
        }
        self.after_command(out)
    }

    fn move_by(&mut self, delta: isize, out: &mut dyn Write) -> std::io::Result<()> {
        let last = self.lesson.steps.len() - 1;
        let next = self.progress.step as isize + delta;
        if next < 0 {
            return writeln!(out, "This is the first step.");
        }
        if next as usize > last {
            return writeln!(
                out,
                "That was the last step of {}. `lessons` lists what comes next.",
                self.lesson.title
            );
        }
        self.progress.step = next as usize;
        self.save(out);
        self.show_step(out)?;
        if let Some(StepKind::Predict(p)) = self.lesson.steps[self.progress.step].kind() {
            for command in p.before.clone() {
                writeln!(out, "$ {command}")?;
                let mut err = Vec::new();
                self.lab
                    .execute(&format!("{command}\n"), Streams::new(&[], out, &mut err));
                out.write_all(&err)?;
            }
        }
        Ok(())
    }

    fn solution(&mut self, out: &mut dyn Write) -> std::io::Result<()> {
        let Some(exercise) = self.exercise().cloned() else {
            return writeln!(out, "This step has no solution to show.");
        };
        if !self.solution_asked {
            self.solution_asked = true;
            return writeln!(
                out,
                "Working it out is how it sticks. Type `solution` again to see one anyway."
            );
        }
        self.solution_asked = false;
        writeln!(out, "One solution:")?;
        for (path, content) in &exercise.solution.files {
            writeln!(out, "  the file {path}:")?;
            for line in content.lines() {
                writeln!(out, "    {line}")?;
            }
        }
        for command in &exercise.solution.commands {
            writeln!(out, "  $ {command}")?;
        }
        Ok(())
    }

    fn answer(&mut self, text: &str, out: &mut dyn Write) -> std::io::Result<()> {
        let Some(StepKind::Predict(p)) = self.lesson.steps[self.progress.step].kind() else {
            return writeln!(out, "There is no question on this step.");
        };
        let p = p.clone();
        let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
        self.lab.execute(
            &format!("{}\n", p.command),
            Streams::new(&[], &mut stdout, &mut stderr),
        );
        let output = String::from_utf8_lossy(&stdout).into_owned();
        let right = p.compare.accepts(text, &output);
        if right {
            writeln!(
                out,
                "{}",
                "✔ Right.".if_supports_color(Stream::Stdout, |t| t.green())
            )?;
            if !self.progress.done.contains(&p.id) {
                self.progress.done.push(p.id.clone());
                self.save(out);
            }
        } else {
            writeln!(
                out,
                "{}",
                "✘ Not quite.".if_supports_color(Stream::Stdout, |t| t.red())
            )?;
        }
        writeln!(out, "$ {}", p.command)?;
        out.write_all(output.as_bytes())?;
        out.write_all(&stderr)?;
        if let Some(explanation) = &p.explanation {
            render_markdown(explanation, out)?;
        }
        if right {
            writeln!(out, "(type `next` to go on)")?;
        }
        Ok(())
    }

    fn show_progress(&self, out: &mut dyn Write) -> std::io::Result<()> {
        writeln!(out, "{}", self.status_line())?;
        for step in &self.lesson.steps {
            let (Some(id), Some(kind)) = (step.id(), step.kind()) else {
                continue;
            };
            let title = match kind {
                StepKind::Exercise(e) => e.title.clone(),
                _ => format!("question {id}"),
            };
            let mark = if self.progress.done.iter().any(|d| d == id) {
                "✔"
            } else {
                "·"
            };
            let hints = self.progress.hints_used.get(id).copied().unwrap_or(0);
            let hints = if hints > 0 {
                format!(" ({hints} hint(s))")
            } else {
                String::new()
            };
            writeln!(out, "  {mark} {title}{hints}")?;
        }
        let minutes = (self.progress.seconds + self.since.elapsed().as_secs()) / 60;
        match minutes {
            0 => writeln!(out, "Time in this lesson: under a minute")?,
            1 => writeln!(out, "Time in this lesson: 1 minute")?,
            m => writeln!(out, "Time in this lesson: {m} minutes")?,
        }
        writeln!(out, "Workspace: {}", self.lab.workspace().display())
    }
}

impl Drop for Session {
    /// Leaving the lesson keeps the time spent in it.
    fn drop(&mut self) {
        if self.since.elapsed().as_secs() > 0 && self.progress.setup_done {
            self.count_time();
            let _ = self.progress.save(&self.progress_path);
        }
    }
}

/// The commands of the lesson's earlier sessions, from its transcript file, as the
/// checks see them: less what was undone. (A reset's start is not recorded, so the
/// commands before a reset stay.)
pub(crate) fn earlier_commands(path: &Path) -> Vec<crate::check::TranscriptEntry> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let mut commands: Vec<crate::check::TranscriptEntry> = Vec::new();
    for line in text.lines() {
        // A line torn by a crash is skipped, not fatal: the rest still counts.
        let Ok(entry) = serde_json::from_str::<crate::check::TranscriptEntry>(line) else {
            continue;
        };
        match entry.command.as_str() {
            "reset" => {}
            "undo" => {
                let undone = entry
                    .stdout
                    .strip_prefix("Undone: ")
                    .map(|c| c.trim_end_matches('\n'));
                if let Some(at) = undone.and_then(|c| commands.iter().rposition(|e| e.command == c))
                {
                    commands.remove(at);
                }
            }
            _ => commands.push(entry),
        }
    }
    commands
}

/// A lesson word as the transcript file records it.
fn word_entry(word: &str) -> crate::check::TranscriptEntry {
    crate::check::TranscriptEntry {
        command: word.to_string(),
        ..Default::default()
    }
}

/// Lesson text, as Markdown laid out for the lab's terminal (see [`super::render`]),
/// with an empty line before and after.
pub fn render_markdown(text: &str, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out)?;
    out.write_all(super::render::render(text, super::render::Layout::stdout()).as_bytes())?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_survives_a_round_trip_and_a_corrupt_file_is_set_aside() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.json");
        let mut progress = Progress {
            lesson: "demo".into(),
            step: 3,
            ..Progress::default()
        };
        progress.done.push("pull".into());
        progress.save(&path).unwrap();
        assert_eq!(Progress::load(&path, "demo"), (progress, None));

        std::fs::write(&path, b"{ not json").unwrap();
        let (fresh, note) = Progress::load(&path, "demo");
        assert_eq!(fresh.step, 0);
        assert!(note.unwrap().contains("could not be used"));
        assert!(dir.path().join("demo.json.corrupt").exists());
        assert!(!path.exists());
    }
}

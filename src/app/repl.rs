//! The interactive lab: rustyline with history and completion (commands, docker verbs
//! and flags, image names, workspace paths), a continuation prompt for unfinished input,
//! and colour only when the terminal wants it.

use super::lab::{Lab, Mode};
use super::options::{GlobalOptions, Settings, StartArgs};
use super::session::Session;
use crate::backend::ListImagesOptions;
use crate::engine::shell::{Vfs, needs_more_input, programs};
use crate::engine::streams::Streams;
use anyhow::Context as _;
use owo_colors::{OwoColorize, Stream};
use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::Validator;
use rustyline::{Context, Editor, Helper};
use std::io::Write;
use std::sync::atomic::Ordering;

/// What completion knows, refreshed after every command.
#[derive(Default)]
pub struct Words {
    pub commands: Vec<String>,
    pub images: Vec<String>,
    /// Entries of the directory being completed are read on demand from here.
    pub workspace: Option<std::path::PathBuf>,
    pub cwd: String,
}

struct LabHelper {
    words: Words,
}

impl Completer for LabHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let (start, candidates) = complete(&self.words, &line[..pos]);
        Ok((
            start,
            candidates
                .into_iter()
                .map(|c| Pair {
                    display: c.clone(),
                    replacement: c,
                })
                .collect(),
        ))
    }
}

impl Hinter for LabHelper {
    type Hint = String;
}
impl Highlighter for LabHelper {}
impl Validator for LabHelper {}
impl Helper for LabHelper {}

/// Completes the last word of `line`: a command name first, then after `docker` its verbs
/// and flags, image names where an image fits, and workspace paths everywhere else.
pub fn complete(words: &Words, line: &str) -> (usize, Vec<String>) {
    let start = line.rfind([' ', '\t']).map(|i| i + 1).unwrap_or(0);
    let partial = &line[start..];
    // Only the current simple command counts: what follows the last `;`, `|`, `&` or `(`.
    let command_start = line[..start]
        .rfind([';', '|', '&', '('])
        .map(|i| i + 1)
        .unwrap_or(0);
    let before: Vec<String> = line[command_start..start]
        .split_whitespace()
        .map(str::to_string)
        .collect();
    let mut candidates: Vec<String> = if before.is_empty() {
        words.commands.clone()
    } else if before[0] == "docker" {
        let mut c = crate::cli::completions(&before[1..]);
        if partial.starts_with('-') {
            c.retain(|f| f.starts_with("--"));
        } else if before.len() > 1 {
            c.retain(|f| !f.starts_with('-'));
            c.extend(words.images.iter().cloned());
        }
        c
    } else {
        workspace_paths(words, partial)
    };
    candidates.retain(|c| c.starts_with(partial));
    candidates.sort();
    candidates.dedup();
    (start, candidates)
}

fn workspace_paths(words: &Words, partial: &str) -> Vec<String> {
    let Some(root) = &words.workspace else {
        return Vec::new();
    };
    let (dir_part, _) = match partial.rfind('/') {
        Some(i) => (&partial[..=i], &partial[i + 1..]),
        None => ("", partial),
    };
    let dir = if dir_part.starts_with('/') {
        dir_part.to_string()
    } else {
        format!("{}/{}", words.cwd.trim_end_matches('/'), dir_part)
    };
    let fs = crate::engine::shell::WorkspaceFs::new(root);
    let Ok(entries) = fs.read_dir(&dir) else {
        return Vec::new();
    };
    entries
        .into_iter()
        .map(|e| {
            let slash = if e.file_type == crate::engine::shell::FileType::Dir {
                "/"
            } else {
                ""
            };
            format!("{dir_part}{}{slash}", e.name)
        })
        .collect()
}

/// What the REPL drives: the bare lab, or a lesson over it.
trait Driver {
    fn lab(&mut self) -> &mut Lab;
    fn handle(&mut self, input: &str, streams: Streams<'_>) -> i32;
    /// Whether `input` opens a multi-line answer, read up to an empty line.
    fn opens_answer(&mut self, _input: &str) -> bool {
        false
    }
}

impl Driver for Lab {
    fn lab(&mut self) -> &mut Lab {
        self
    }

    fn handle(&mut self, input: &str, streams: Streams<'_>) -> i32 {
        self.execute(input, streams)
    }
}

impl Driver for Session {
    fn lab(&mut self) -> &mut Lab {
        &mut self.lab
    }

    fn handle(&mut self, input: &str, streams: Streams<'_>) -> i32 {
        Session::handle(self, input, streams)
    }

    fn opens_answer(&mut self, input: &str) -> bool {
        input.trim() == "answer" && !self.lab.in_container()
    }
}

pub fn run(settings: &Settings) -> anyhow::Result<i32> {
    let mut lab = Lab::open(settings, Mode::Interactive)?;
    {
        let mut err = std::io::stderr().lock();
        writeln!(
            err,
            "{} — {} engine. Workspace: {}\nType `help` for what the lab offers, `exit` to leave.",
            "docklab sandbox".if_supports_color(Stream::Stderr, |t| t.bold()),
            lab.backend().name(),
            lab.workspace().display()
        )?;
    }
    drive(&mut lab, &settings.state_dir.join("history"), &[])
}

/// `docklab start LESSON`: the lesson's current step, then the lab with the lesson's
/// words, interactively or from `--script`.
pub fn start(global: &GlobalOptions, settings: &Settings, args: &StartArgs) -> anyhow::Result<i32> {
    let source = super::dev::resolve(std::slice::from_ref(&args.lesson))?
        .into_iter()
        .next()
        .context("no lesson given")?;
    let lesson = crate::lesson::parse(&source.text, &source.name)?;
    if let Some(problem) = crate::lesson::validate(&lesson, &source.text, &source.name)
        .into_iter()
        .find(|d| !d.authoring)
    {
        return Err(problem.into());
    }
    let home = super::options::home()?;
    let mut settings = settings.clone();
    if global.workspace.is_none() {
        settings.workspace = home.join("workspaces").join(&lesson.id);
    }
    let mode = if args.script.is_some() {
        Mode::Script
    } else {
        Mode::Interactive
    };
    let lab = Lab::open(&settings, mode)?;
    let history = home.join("history").join(&lesson.id);
    let (mut session, note) = Session::new(lesson, lab, &home.join("progress"));
    let stdout = std::io::stdout();
    if let Some(note) = note {
        writeln!(std::io::stderr(), "docklab: {note}")?;
    }
    session.prepare(&mut stdout.lock())?;
    session.show_step(&mut stdout.lock())?;
    match &args.script {
        Some(path) => {
            let text = super::script::read_text(path)?;
            let mut status = 0;
            for input in super::script::lesson_inputs(&text) {
                let mut out = stdout.lock();
                let mut err = std::io::stderr();
                status =
                    session.handle(&format!("{input}\n"), Streams::new(&[], &mut out, &mut err));
                if let Some(code) = session.lab.has_exited() {
                    return Ok(code);
                }
            }
            Ok(status)
        }
        None => {
            writeln!(
                std::io::stderr(),
                "Workspace: {}\nLesson words: hint, check, next, back, undo, reset, solution, help.\n`exit` leaves the lab and keeps your progress.",
                session.lab.workspace().display()
            )?;
            drive(&mut session, &history, super::session::LESSON_WORDS)
        }
    }
}

/// Docker's detach keys, Ctrl-P then Ctrl-Q: while typing into a container, Ctrl-P is
/// held back and a Ctrl-Q right after it leaves the container running; elsewhere
/// Ctrl-P keeps its usual meaning (the previous history entry).
#[derive(Clone, Default)]
struct DetachKeys {
    in_container: std::sync::Arc<std::sync::atomic::AtomicBool>,
    after_ctrl_p: std::sync::Arc<std::sync::atomic::AtomicBool>,
    detached: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl DetachKeys {
    fn key(&self, ctrl_q: bool) -> Option<rustyline::Cmd> {
        if !self.in_container.load(Ordering::SeqCst) {
            return None;
        }
        let armed = self.after_ctrl_p.swap(!ctrl_q, Ordering::SeqCst);
        match (ctrl_q, armed) {
            (false, _) => Some(rustyline::Cmd::Noop),
            (true, true) => {
                self.detached.store(true, Ordering::SeqCst);
                Some(rustyline::Cmd::Interrupt)
            }
            (true, false) => None,
        }
    }
}

struct DetachKey {
    keys: DetachKeys,
    ctrl_q: bool,
}

impl rustyline::ConditionalEventHandler for DetachKey {
    fn handle(
        &self,
        _evt: &rustyline::Event,
        _n: rustyline::RepeatCount,
        _positive: bool,
        _ctx: &rustyline::EventContext,
    ) -> Option<rustyline::Cmd> {
        self.keys.key(self.ctrl_q)
    }
}

fn drive(
    driver: &mut dyn Driver,
    history: &std::path::Path,
    words: &[&str],
) -> anyhow::Result<i32> {
    let mut editor: Editor<LabHelper, DefaultHistory> = Editor::new()?;
    let mut commands: Vec<String> = programs::names().into_iter().map(str::to_string).collect();
    commands.extend(["docker", "edit", "help", "clear", "exit", "cd", "export"].map(String::from));
    commands.extend(words.iter().map(|w| w.to_string()));
    editor.set_helper(Some(LabHelper {
        words: Words {
            commands,
            ..Default::default()
        },
    }));
    let detach = DetachKeys::default();
    for (key, ctrl_q) in [('P', false), ('Q', true)] {
        editor.bind_sequence(
            rustyline::KeyEvent::ctrl(key),
            rustyline::EventHandler::Conditional(Box::new(DetachKey {
                keys: detach.clone(),
                ctrl_q,
            })),
        );
    }
    let _ = editor.load_history(history);
    let interrupt = driver.lab().interrupt_flag();
    // Ctrl-C while a command runs stops that command (`docker logs -f`, an attached
    // nginx, a loop), not the lab; a second one before the command notices ends it.
    let _ = signal_hook::flag::register_conditional_shutdown(
        signal_hook::consts::SIGINT,
        130,
        interrupt.clone(),
    );
    let _ = signal_hook::flag::register(signal_hook::consts::SIGINT, interrupt.clone());
    let mut status = 0;
    loop {
        refresh_words(&mut editor, driver.lab());
        let prompt = driver.lab().prompt();
        let colored = format!(
            "{}",
            prompt.if_supports_color(Stream::Stdout, |t| t.green())
        );
        let in_container = driver.lab().in_container();
        detach.in_container.store(in_container, Ordering::SeqCst);
        let mut input = match editor.readline(&colored) {
            Ok(line) => line,
            Err(ReadlineError::Interrupted) if detach.detached.swap(false, Ordering::SeqCst) => {
                // As `docker attach` says when its detach keys are read.
                driver.lab().detach();
                let _ = writeln!(std::io::stderr().lock(), "read escape sequence");
                continue;
            }
            Err(ReadlineError::Interrupted) => continue,
            // Ctrl-D in a container's shell ends that shell, as it would.
            Err(ReadlineError::Eof) if driver.lab().in_container() => "exit".to_string(),
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(e.into()),
        };
        input.push('\n');
        if driver.opens_answer(&input) {
            // An answer runs to the first empty line.
            while let Ok(more) = editor.readline("answer> ") {
                if more.trim().is_empty() {
                    break;
                }
                input.push_str(&more);
                input.push('\n');
            }
        }
        while needs_more_input(&input) {
            match editor.readline("> ") {
                Ok(more) => {
                    input.push_str(&more);
                    input.push('\n');
                }
                Err(ReadlineError::Interrupted) => {
                    input.clear();
                    break;
                }
                Err(ReadlineError::Eof) => break,
                Err(e) => return Err(e.into()),
            }
        }
        if input.trim().is_empty() {
            continue;
        }
        let _ = editor.add_history_entry(input.trim_end());
        interrupt.store(false, Ordering::SeqCst);
        let stdout = std::io::stdout();
        let stderr = std::io::stderr();
        let mut out = stdout.lock();
        let mut err = stderr.lock();
        status = driver.handle(&input, Streams::new(&[], &mut out, &mut err));
        let _ = out.flush();
        if let Some(code) = driver.lab().has_exited() {
            status = code;
            break;
        }
    }
    if let Some(dir) = history.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let _ = editor.save_history(history);
    Ok(status)
}

fn refresh_words(editor: &mut Editor<LabHelper, DefaultHistory>, lab: &mut Lab) {
    let images: Vec<String> = lab
        .backend()
        .list_images(&ListImagesOptions::default())
        .map(|list| list.into_iter().flat_map(|i| i.repo_tags).collect())
        .unwrap_or_default();
    let cwd = lab.shell().cwd().to_string();
    let workspace = lab.workspace().to_path_buf();
    if let Some(helper) = editor.helper_mut() {
        helper.words.images = images;
        helper.words.cwd = cwd;
        helper.words.workspace = Some(workspace);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words() -> Words {
        Words {
            commands: vec!["docker".into(), "ls".into(), "echo".into()],
            images: vec!["ubuntu:18.04".into()],
            workspace: None,
            cwd: "/".into(),
        }
    }

    #[test]
    fn completes_commands_verbs_flags_and_images() {
        assert_eq!(complete(&words(), "do"), (0, vec!["docker".to_string()]));
        let (start, c) = complete(&words(), "docker ima");
        assert_eq!(start, 7);
        assert!(c.contains(&"images".to_string()) && c.contains(&"image".to_string()));
        let (_, c) = complete(&words(), "docker images --no");
        assert_eq!(c, vec!["--no-trunc".to_string()]);
        let (_, c) = complete(&words(), "docker rmi ub");
        assert_eq!(c, vec!["ubuntu:18.04".to_string()]);
        let (_, c) = complete(&words(), "echo hi && docker ima");
        assert!(c.contains(&"images".to_string()));
        let (_, c) = complete(&words(), "docker image l");
        assert_eq!(
            c,
            vec!["list".to_string(), "load".to_string(), "ls".to_string()]
        );
    }

    #[test]
    fn ctrl_p_ctrl_q_detaches_only_from_a_container() {
        let keys = DetachKeys::default();
        assert_eq!(keys.key(false), None, "Ctrl-P is history in the lab");
        keys.in_container.store(true, Ordering::SeqCst);
        assert_eq!(keys.key(true), None, "Ctrl-Q alone is just a key");
        assert_eq!(keys.key(false), Some(rustyline::Cmd::Noop));
        assert_eq!(keys.key(true), Some(rustyline::Cmd::Interrupt));
        assert!(keys.detached.load(Ordering::SeqCst));
    }
}

//! Script mode: reads a file exactly as the REPL reads typed input (continuation lines,
//! here-documents), runs each complete command, and prints what the REPL would print,
//! or with `--jsonl` one JSON object per command.

use super::lab::{Lab, Mode};
use super::options::Settings;
use crate::engine::shell::needs_more_input;
use crate::engine::streams::Streams;
use anyhow::Context;
use std::io::Write;
use std::path::Path;

/// One command of a script and what it printed.
#[derive(Debug, serde::Serialize)]
pub struct Record {
    pub command: String,
    pub stdout: String,
    pub stderr: String,
    pub exit_code: i32,
}

/// Splits input into the commands the REPL would run: a line, or several when the first
/// leaves a quote, a here-document or a compound command open.
pub fn commands(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut pending = String::new();
    for line in text.split_inclusive('\n') {
        pending.push_str(line);
        if needs_more_input(&pending) {
            continue;
        }
        let command = pending.trim_end_matches(['\n', '\r']).to_string();
        pending.clear();
        let bare = command.trim();
        if bare.is_empty() || bare.starts_with('#') {
            continue;
        }
        out.push(command);
    }
    // Unfinished input still runs, so the shell reports what is missing.
    if !pending.trim().is_empty() {
        out.push(pending.trim_end_matches(['\n', '\r']).to_string());
    }
    out
}

/// A lesson script's inputs: as [`commands`], except that a line `answer` takes the
/// lines after it, up to an empty line, as one answer.
pub fn lesson_inputs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut pending = String::new();
    let mut lines = text.split_inclusive('\n');
    while let Some(line) = lines.next() {
        if line.trim() != "answer" || needs_more_input(&pending) {
            pending.push_str(line);
            continue;
        }
        out.extend(commands(&std::mem::take(&mut pending)));
        let mut answer = String::from("answer\n");
        for more in lines.by_ref() {
            if more.trim().is_empty() {
                break;
            }
            answer.push_str(more);
        }
        out.push(answer.trim_end_matches('\n').to_string());
    }
    out.extend(commands(&pending));
    out
}

/// Runs every command of `text` on `lab`, handing each record to `sink` as it completes.
pub fn run_text(lab: &mut Lab, text: &str, sink: &mut dyn FnMut(Record)) -> i32 {
    let mut status = 0;
    for command in commands(text) {
        let mut stdout = Vec::new();
        let mut stderr = Vec::new();
        let mut input = command.clone();
        input.push('\n');
        status = lab.execute(&input, Streams::new(&[], &mut stdout, &mut stderr));
        sink(Record {
            command,
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
            exit_code: status,
        });
        if let Some(code) = lab.has_exited() {
            return code;
        }
    }
    status
}

/// A file's text, or an error naming the file (and the first byte that is not UTF-8).
pub fn read_text(path: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{}: not UTF-8 text (byte {})",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })
}

pub fn run_file(settings: &Settings, path: &Path, jsonl: bool) -> anyhow::Result<i32> {
    let text = read_text(path)?;
    let mut lab = Lab::open(settings, Mode::Script)?;
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let mut write_failed = None;
    let status = run_text(&mut lab, &text, &mut |record| {
        let result = if jsonl {
            let line = serde_json::to_string(&record).expect("records always serialise");
            writeln!(stdout.lock(), "{line}")
        } else {
            stdout
                .lock()
                .write_all(record.stdout.as_bytes())
                .and_then(|()| stderr.lock().write_all(record.stderr.as_bytes()))
        };
        if let Err(e) = result {
            write_failed.get_or_insert(e);
        }
    });
    if let Some(e) = write_failed {
        return Err(e).context("cannot write the output");
    }
    Ok(status)
}

#[cfg(test)]
mod tests {
    use super::commands;

    #[test]
    fn joins_continuations_and_heredocs_and_skips_blank_lines() {
        let text = "echo a \\\n  b\n\n# note\ncat <<EOF\nx\nEOF\nls\n";
        assert_eq!(
            commands(text),
            vec!["echo a \\\n  b", "cat <<EOF\nx\nEOF", "ls"]
        );
    }

    #[test]
    fn an_answer_runs_to_the_first_empty_line() {
        let text = "ls\nanswer\nC /usr\nA /x\n\nnext\n";
        assert_eq!(
            super::lesson_inputs(text),
            vec!["ls", "answer\nC /usr\nA /x", "next"]
        );
    }

    #[test]
    fn keeps_unfinished_input_so_the_shell_can_complain() {
        assert_eq!(commands("echo 'oops\n"), vec!["echo 'oops"]);
    }
}

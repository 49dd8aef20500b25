//! The book (`book/src`) as a test, so it cannot go stale:
//!
//! - every ```` ```console ```` block is a transcript: each line starting with `$ ` is a
//!   command run by `sh` in the page's own directory (`docklab` is the binary just built)
//!   and the lines under it are what it must print, both streams on one pipe, in the
//!   order they were written. A line `...` stands for any run of lines; a last line
//!   `[exit N]` is the exit status, which must otherwise be 0;
//! - a block whose info string has `file=PATH` (```` ```yaml file=suite.yaml ````) is a
//!   fixture: the test writes it to PATH before it runs the blocks after it
//!   (`{{#include FILE}}` lines are expanded, as mdbook expands them);
//! - a ```` ```yaml check ```` block is a list of checks, which must be ones a suite
//!   accepts;
//! - the format reference pages (`book/src/reference/`) are generated from the JSON
//!   Schemas and must be what the generator makes of the shipped ones;
//! - `SUMMARY.md` names every page.
//!
//! A page runs in a fresh temporary directory that is also `HOME` (and is shown as `~`
//! in outputs), with `DOCKLAB_HOME` under it, a fixed seed and clock, and no colour. The
//! pages run side by side, their commands in order. Every other block is illustration.
//!
//! `DOCKLAB_BLESS=1 cargo test --test integration book` rewrites what is stale: the
//! reference pages, and the expected output of every command that has no `...` in it.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const CLOCK: &str = super::support::CLOCK;
const SEED: &str = super::support::SEED;
/// Longer than this, a command is stopped and fails the page.
const COMMAND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

fn book_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("book/src")
}

fn bless() -> bool {
    std::env::var("DOCKLAB_BLESS").is_ok_and(|v| v == "1")
}

/// A fenced code block of a page.
#[derive(Debug, Clone)]
struct Block {
    /// The info string after the fence (`console`, `yaml file=suite.yaml`).
    info: String,
    /// 1-based line of the opening fence.
    line: usize,
    /// 0-based source lines of the content: from `body.start` up to `body.end`.
    body: std::ops::Range<usize>,
    /// The opening fence's indentation, for rewriting the content in place.
    indent: String,
    /// The content as Markdown reads it (container indentation removed).
    text: String,
}

impl Block {
    fn words(&self) -> impl Iterator<Item = &str> {
        self.info.split_whitespace()
    }

    fn language(&self) -> &str {
        self.words().next().unwrap_or("")
    }

    fn attribute(&self, key: &str) -> Option<&str> {
        self.words()
            .skip(1)
            .find_map(|w| w.strip_prefix(key)?.strip_prefix('='))
    }

    fn has_flag(&self, flag: &str) -> bool {
        self.words().skip(1).any(|w| w == flag)
    }
}

/// The fenced code blocks of a Markdown text, as a CommonMark parser finds them.
fn blocks(text: &str) -> Vec<Block> {
    use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
    let line_of = |offset: usize| text[..offset].matches('\n').count();
    let mut found = Vec::new();
    let mut open: Option<Block> = None;
    for (event, range) in Parser::new(text).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                let line = line_of(range.start);
                let fence_line = text[range.start..].lines().next().unwrap_or("");
                let line_start = text[..range.start].rfind('\n').map_or(0, |n| n + 1);
                let before = &text[line_start..range.start];
                let indent: String = before
                    .chars()
                    .chain(fence_line.chars())
                    .take_while(|c| *c == ' ')
                    .collect();
                // The body ends before the closing fence, or with the text when the
                // block is never closed.
                let last_line = line_of(text[..range.end].trim_end_matches('\n').len());
                let closed = last_line > line
                    && text.lines().nth(last_line).is_some_and(|l| {
                        let l = l.trim_start();
                        l.starts_with("```") || l.starts_with("~~~")
                    });
                let end = if closed { last_line } else { last_line + 1 };
                open = Some(Block {
                    info: info.to_string(),
                    line: line + 1,
                    body: line + 1..end,
                    indent,
                    text: String::new(),
                });
            }
            Event::Text(t) => {
                if let Some(block) = &mut open {
                    block.text.push_str(&t);
                }
            }
            Event::End(TagEnd::CodeBlock) => found.extend(open.take()),
            _ => {}
        }
    }
    found
}

/// Every Markdown page of the book, relative to `book/src`, sorted.
fn pages() -> Vec<String> {
    let root = book_src();
    let mut found = Vec::new();
    let mut pending = vec![root.clone()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                let relative = path.strip_prefix(&root).unwrap();
                found.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    found.sort();
    found
}

/// `{{#include FILE}}` lines replaced by the file, relative to the page, as mdbook does.
fn expand_includes(text: &str, page_dir: &Path) -> Result<String, String> {
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        match trimmed
            .strip_prefix("{{#include ")
            .and_then(|r| r.strip_suffix("}}"))
        {
            Some(file) => {
                let file = file.trim();
                if file.contains(':') {
                    return Err(format!(
                        "{{{{#include {file}}}}}: only whole files are expanded by the test"
                    ));
                }
                let path = page_dir.join(file);
                let included = std::fs::read_to_string(&path)
                    .map_err(|e| format!("{{{{#include {file}}}}}: {e}"))?;
                out.push_str(&included);
            }
            None => out.push_str(line),
        }
    }
    Ok(out)
}

/// One command of a console block, and what it must print.
#[derive(Debug, Clone, PartialEq)]
struct Step {
    /// 1-based line of the page the command is on.
    line: usize,
    /// The command's source lines (a `\` at the end of one continues it).
    source: Vec<String>,
    expected: Vec<String>,
}

impl Step {
    fn command(&self) -> String {
        self.source
            .iter()
            .map(|l| l.strip_prefix("$ ").unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// The commands of a console block; the block's first line is on `first_line` (1-based).
fn steps(text: &str, first_line: usize) -> Result<Vec<Step>, String> {
    let mut steps: Vec<Step> = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        if let Some(command) = line.strip_prefix("$ ") {
            let mut source = vec![line.to_string()];
            let mut last = command;
            while last.ends_with('\\') {
                let Some((_, more)) = lines.next() else {
                    break;
                };
                source.push(more.to_string());
                last = more;
            }
            steps.push(Step {
                line: first_line + n,
                source,
                expected: Vec::new(),
            });
        } else {
            match steps.last_mut() {
                Some(step) => step.expected.push(line.trim_end().to_string()),
                None => {
                    return Err(format!(
                        "{}: a console block starts with a command (`$ ...`), not {line:?}",
                        first_line + n
                    ));
                }
            }
        }
    }
    if steps.is_empty() {
        return Err(format!(
            "{}: a console block without commands; use a `text` block for output alone",
            first_line.saturating_sub(1)
        ));
    }
    Ok(steps)
}

/// Whether `actual` is what `expected` shows, a `...` line standing for any run of lines.
fn transcript_matches(expected: &[String], actual: &[String]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((first, rest)) if first == "..." => {
            (0..=actual.len()).any(|skip| transcript_matches(rest, &actual[skip..]))
        }
        Some((first, rest)) => actual
            .split_first()
            .is_some_and(|(a, more)| a == first && transcript_matches(rest, more)),
    }
}

/// A page's scratch directory: `HOME` and the current directory of its commands.
struct PageDir {
    dir: tempfile::TempDir,
}

impl PageDir {
    fn new() -> PageDir {
        PageDir {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs `command` with `sh -c`: what it printed (both streams on one pipe, as a
    /// terminal shows them) with this directory shown as `~`, and `[exit N]` after a
    /// non-zero status.
    fn run(&self, command: &str) -> Result<Vec<String>, String> {
        use std::io::Read as _;
        let binary = Path::new(env!("CARGO_BIN_EXE_docklab"));
        let mut path = std::ffi::OsString::from(binary.parent().unwrap());
        if let Some(rest) = std::env::var_os("PATH") {
            path.push(":");
            path.push(rest);
        }
        let (mut reader, writer) = std::io::pipe().map_err(|e| e.to_string())?;
        let mut child = {
            let mut cmd = std::process::Command::new("sh");
            cmd.arg("-c")
                .arg(command)
                .current_dir(self.path())
                .env("PATH", path)
                .env("HOME", self.path())
                .env("DOCKLAB_HOME", self.path().join(".local/share/docklab"))
                .env("DOCKLAB_SEED", SEED)
                .env("DOCKLAB_CLOCK", CLOCK)
                .env("NO_COLOR", "1")
                .env("TERM", "dumb")
                .env_remove("DOCKLAB_STATE")
                .env_remove("DOCKER_HOST")
                .env_remove("EDITOR")
                .env_remove("VISUAL")
                .stdin(std::process::Stdio::null())
                .stdout(writer.try_clone().map_err(|e| e.to_string())?)
                .stderr(writer);
            // The command (and the pipe's write ends it holds) goes when this block ends,
            // so the reader sees the end of the output once the child exits.
            cmd.spawn().map_err(|e| format!("cannot run sh: {e}"))?
        };
        let reading = std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = reader.read_to_end(&mut bytes);
            bytes
        });
        let started = std::time::Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
                break status;
            }
            if started.elapsed() > COMMAND_TIMEOUT {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "still running after {} s: stopped",
                    COMMAND_TIMEOUT.as_secs()
                ));
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        };
        let bytes = reading.join().unwrap();
        let mut text = String::from_utf8_lossy(&bytes).into_owned();
        let mut homes = vec![self.path().to_string_lossy().into_owned()];
        if let Ok(canonical) = self.path().canonicalize() {
            homes.push(canonical.to_string_lossy().into_owned());
        }
        homes.sort_by_key(|h| std::cmp::Reverse(h.len()));
        for home in &homes {
            text = text.replace(home.as_str(), "~");
        }
        let mut lines: Vec<String> = text.lines().map(|l| l.trim_end().to_string()).collect();
        match status.code() {
            Some(0) => {}
            Some(code) => lines.push(format!("[exit {code}]")),
            None => lines.push("[killed by a signal]".to_string()),
        }
        Ok(lines)
    }
}

/// What replaying a page found: problems, and (when blessing) its new text.
struct PageOutcome {
    problems: Vec<String>,
    rewritten: Option<String>,
}

/// Replays one page: fixtures written, checks validated, console blocks run in order.
fn replay_page(name: &str, text: &str) -> PageOutcome {
    let page_dir = book_src().join(name).parent().unwrap().to_path_buf();
    let scratch = PageDir::new();
    let mut problems = Vec::new();
    // Content lines to put in place of a block's body, by the body's first line.
    let mut rewrites: BTreeMap<usize, (std::ops::Range<usize>, Vec<String>)> = BTreeMap::new();
    let bless = bless();
    for block in blocks(text) {
        let at = format!("{name}:{}", block.line);
        if let Some(file) = block.attribute("file") {
            let relative = Path::new(file);
            if relative.is_absolute()
                || relative
                    .components()
                    .any(|c| matches!(c, std::path::Component::ParentDir))
            {
                problems.push(format!(
                    "{at}: file={file} must be a relative path inside the page's directory"
                ));
                continue;
            }
            // The reader sees no info string: the paragraph just above names the file.
            let lines: Vec<&str> = text.lines().take(block.line - 1).collect();
            let above: Vec<&str> = lines
                .iter()
                .rev()
                .skip_while(|l| l.trim().is_empty())
                .take_while(|l| !l.trim().is_empty())
                .copied()
                .collect();
            if !above.iter().any(|l| l.contains(&format!("`{file}`"))) {
                problems.push(format!(
                    "{at}: the paragraph above a file={file} block must name it (`{file}`), so a reader knows what to save it as"
                ));
            }
            match expand_includes(&block.text, &page_dir) {
                Ok(content) => {
                    let path = scratch.path().join(relative);
                    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                    std::fs::write(&path, content).unwrap();
                    if block.has_flag("executable") {
                        #[cfg(unix)]
                        {
                            use std::os::unix::fs::PermissionsExt;
                            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
                                .unwrap();
                        }
                    }
                }
                Err(e) => problems.push(format!("{at}: {e}")),
            }
            continue;
        }
        if block.language() == "yaml" && block.has_flag("check") {
            if let Err(e) = validate_checks(&block.text) {
                problems.push(format!("{at}: {e}"));
            }
            continue;
        }
        if block.language() != "console" {
            if let Some(line) = block
                .text
                .lines()
                .find(|l| l.trim_start().starts_with("$ docklab"))
            {
                problems.push(format!(
                    "{at}: {line:?} is in a {:?} block, which is not run: make it a console block",
                    block.language()
                ));
            }
            continue;
        }
        let steps = match steps(&block.text, block.line + 1) {
            Ok(steps) => steps,
            Err(e) => {
                problems.push(format!("{name}:{e}"));
                continue;
            }
        };
        let mut blessed = Vec::new();
        let mut failed = false;
        for step in &steps {
            blessed.extend(step.source.iter().cloned());
            let actual = match scratch.run(&step.command()) {
                Ok(lines) => lines,
                Err(e) => {
                    problems.push(format!("{name}:{}: `{}`: {e}", step.line, step.command()));
                    failed = true;
                    blessed.extend(step.expected.iter().cloned());
                    continue;
                }
            };
            if transcript_matches(&step.expected, &actual) {
                blessed.extend(step.expected.iter().cloned());
                continue;
            }
            let elides = step.expected.iter().any(|l| l == "...");
            if bless && !elides {
                blessed.extend(actual.iter().cloned());
                continue;
            }
            failed = true;
            blessed.extend(step.expected.iter().cloned());
            let expected = step.expected.join("\n") + "\n";
            let actual = actual.join("\n") + "\n";
            let diff = similar::TextDiff::from_lines(&expected, &actual)
                .unified_diff()
                .header("the book", "the program")
                .to_string();
            problems.push(format!(
                "{name}:{}: `{}` printed something else{}\n{diff}--- what it printed:\n{actual}",
                step.line,
                step.command(),
                if elides {
                    " (this block has `...`: fix it by hand)"
                } else {
                    ""
                }
            ));
        }
        if bless && !failed {
            rewrites.insert(
                block.body.start,
                (block.body.clone(), {
                    blessed
                        .iter()
                        .map(|l| {
                            if l.is_empty() {
                                String::new()
                            } else {
                                format!("{}{l}", block.indent)
                            }
                        })
                        .collect()
                }),
            );
        }
    }
    let mut rewritten = None;
    if !rewrites.is_empty() {
        let lines: Vec<&str> = text.lines().collect();
        let mut out: Vec<String> = Vec::new();
        let mut n = 0;
        for (range, replacement) in rewrites.values() {
            out.extend(lines[n..range.start].iter().map(|l| l.to_string()));
            out.extend(replacement.iter().cloned());
            n = range.end;
        }
        out.extend(lines[n..].iter().map(|l| l.to_string()));
        let mut new_text = out.join("\n");
        new_text.push('\n');
        if new_text != text {
            rewritten = Some(new_text);
        }
    }
    PageOutcome {
        problems,
        rewritten,
    }
}

/// A `yaml check` block: a list of checks, each one a suite accepts.
fn validate_checks(text: &str) -> Result<(), String> {
    use serde_yaml::Value;
    let items: Vec<Value> =
        serde_yaml::from_str(text).map_err(|e| format!("not a YAML list of checks: {e}"))?;
    if items.is_empty() {
        return Err("an empty list of checks".to_string());
    }
    let checks: Vec<Value> = items
        .into_iter()
        .enumerate()
        .map(|(n, check)| {
            let mut graded = serde_yaml::Mapping::new();
            graded.insert("name".into(), format!("example {}", n + 1).into());
            graded.insert("check".into(), check);
            Value::Mapping(graded)
        })
        .collect();
    let mut suite = serde_yaml::Mapping::new();
    suite.insert("format".into(), 1.into());
    suite.insert("suite".into(), "book".into());
    suite.insert("title".into(), "book".into());
    suite.insert("checks".into(), Value::Sequence(checks));
    let suite_text = serde_yaml::to_string(&Value::Mapping(suite)).unwrap();
    let suite = docklab::lesson::suite::parse_suite(&suite_text, "block").map_err(|d| {
        format!(
            "{} (in the suite the test wraps it in:\n{suite_text})",
            d.message
        )
    })?;
    let problems: Vec<String> =
        docklab::lesson::suite::validate_suite(&suite, None, &suite_text, "block")
            .into_iter()
            .filter(|d| !d.authoring)
            .map(|d| d.message)
            .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

#[cfg(unix)]
#[test]
fn book_transcripts_replay() {
    let started = std::time::Instant::now();
    let pages = pages();
    let texts: Vec<(String, String)> = pages
        .iter()
        .map(|p| {
            (
                p.clone(),
                std::fs::read_to_string(book_src().join(p)).unwrap(),
            )
        })
        .collect();
    let outcomes: Vec<(String, PageOutcome)> = std::thread::scope(|scope| {
        let handles: Vec<_> = texts
            .iter()
            .map(|(name, text)| (name, scope.spawn(|| replay_page(name, text))))
            .collect();
        handles
            .into_iter()
            .map(|(name, h)| (name.clone(), h.join().unwrap()))
            .collect()
    });
    let mut problems = Vec::new();
    for (name, outcome) in outcomes {
        problems.extend(outcome.problems);
        if let Some(text) = outcome.rewritten {
            std::fs::write(book_src().join(&name), text).unwrap();
            eprintln!("blessed book/src/{name}");
        }
    }
    assert!(
        problems.is_empty(),
        "{} problem(s) in the book after {:.1} s (DOCKLAB_BLESS=1 rewrites outputs without `...`):\n\n{}",
        problems.len(),
        started.elapsed().as_secs_f64(),
        problems.join("\n\n")
    );
}

#[test]
fn book_summary_names_every_page() {
    let summary = std::fs::read_to_string(book_src().join("SUMMARY.md")).unwrap();
    let linked: Vec<String> = summary
        .split("](")
        .skip(1)
        .filter_map(|rest| rest.split(')').next())
        .map(str::to_string)
        .collect();
    let mut missing: Vec<String> = pages()
        .into_iter()
        .filter(|p| p != "SUMMARY.md" && !linked.contains(p))
        .collect();
    missing.extend(
        linked
            .iter()
            .filter(|l| !book_src().join(l).is_file())
            .map(|l| format!("{l} (named, but there is no such page)")),
    );
    assert!(
        missing.is_empty(),
        "book/src/SUMMARY.md does not name: {missing:?}"
    );
}

#[test]
fn book_console_blocks_fail_when_the_program_disagrees() {
    let step =
        |expected: &[&str]| -> Vec<String> { expected.iter().map(|s| s.to_string()).collect() };
    let actual = step(&["a", "b", "c", "[exit 1]"]);
    assert!(transcript_matches(
        &step(&["a", "b", "c", "[exit 1]"]),
        &actual
    ));
    assert!(transcript_matches(
        &step(&["a", "...", "[exit 1]"]),
        &actual
    ));
    assert!(transcript_matches(
        &step(&["...", "b", "...", "[exit 1]"]),
        &actual
    ));
    assert!(
        !transcript_matches(&step(&["a", "b", "c"]), &actual),
        "the exit status counts"
    );
    assert!(!transcript_matches(
        &step(&["a", "...", "d", "[exit 1]"]),
        &actual
    ));
    assert!(!transcript_matches(&step(&["a", "c", "[exit 1]"]), &actual));
    let parsed = steps("$ docklab list \\\n  --x\nout\n\n$ true\n", 10).unwrap();
    assert_eq!(parsed.len(), 2);
    assert_eq!(parsed[0].command(), "docklab list \\\n  --x");
    assert_eq!(parsed[0].expected, ["out", ""]);
    assert_eq!(parsed[1].line, 14);
    assert!(steps("output first\n$ true\n", 1).is_err());
    assert!(validate_checks("- image_exists: alpine\n").is_ok());
    assert!(validate_checks("- image_exist: alpine\n").is_err());
    assert!(validate_checks("- command_ran: '('\n").is_err());
}

// ---------------------------------------------------------------------------------------
// The format reference, generated from the JSON Schemas.

/// The reference pages and the schemas they are generated from.
const REFERENCE: &[(&str, &str, &str)] = &[
    (
        "reference/lesson-format.md",
        "lessons/schema.json",
        "docklab schema",
    ),
    (
        "reference/suite-format.md",
        "checks/schema.json",
        "docklab schema --suite",
    ),
];

/// A schema's `$defs` entry name from a `$ref`.
fn ref_name(reference: &str) -> &str {
    reference.rsplit('/').next().unwrap_or(reference)
}

/// The anchor mdbook gives a heading.
fn anchor(heading: &str) -> String {
    heading.to_lowercase()
}

/// One line for a table cell: newlines joined, pipes escaped.
fn cell(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

/// How a property's value is written, in words, linking to the definitions it uses.
/// `link` gives the Markdown target of a definition.
fn type_words(schema: &serde_json::Value, link: &dyn Fn(&str) -> String) -> String {
    use serde_json::Value;
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = ref_name(reference);
        return format!("[{name}]({})", link(name));
    }
    if let Some(options) = schema.get("anyOf").and_then(Value::as_array) {
        let words: Vec<String> = options
            .iter()
            .filter(|o| o.get("type").and_then(Value::as_str) != Some("null"))
            .map(|o| type_words(o, link))
            .collect();
        return words.join(" or ");
    }
    if let Some(options) = schema.get("oneOf").and_then(Value::as_array) {
        let consts: Vec<String> = options
            .iter()
            .filter_map(|o| o.get("const"))
            .map(|c| format!("`{}`", const_text(c)))
            .collect();
        return consts.join(", ");
    }
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .collect(),
        _ => Vec::new(),
    };
    let words: Vec<String> = types
        .iter()
        .map(|t| match *t {
            "array" => match schema.get("items") {
                Some(items) => format!("list of {}", type_words(items, link)),
                None => "list".to_string(),
            },
            "object" => match schema.get("additionalProperties") {
                Some(values) if values.is_object() => {
                    format!("map of string to {}", type_words(values, link))
                }
                _ => "map".to_string(),
            },
            "integer" if schema.get("minimum").and_then(Value::as_f64) == Some(0.0) => {
                "integer ≥ 0".to_string()
            }
            other => other.to_string(),
        })
        .collect();
    if words.is_empty() {
        "any".to_string()
    } else {
        words.join(" or ")
    }
}

/// An enumeration's value as a YAML file writes it: strings without quotes.
fn const_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Renders one definition (an object's keys, or an enumeration's values).
fn render_definition(
    out: &mut String,
    name: &str,
    def: &serde_json::Value,
    link: &dyn Fn(&str) -> String,
) {
    use serde_json::Value;
    let _ = writeln!(out, "## {name}\n");
    if let Some(description) = def.get("description").and_then(Value::as_str) {
        let _ = writeln!(out, "{}\n", cell(description));
    }
    if let Some(options) = def.get("oneOf").and_then(Value::as_array) {
        let _ = writeln!(out, "| value | meaning |\n|---|---|");
        for option in options {
            let value = option.get("const").map(const_text).unwrap_or_default();
            let meaning = option
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or("");
            let _ = writeln!(out, "| `{value}` | {} |", cell(meaning));
        }
        out.push('\n');
        return;
    }
    let Some(properties) = def.get("properties").and_then(Value::as_object) else {
        let _ = writeln!(out, "Type: {}.\n", type_words(def, link));
        return;
    };
    let required: Vec<&str> = def
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "| key | type | presence | meaning |\n|---|---|---|---|"
    );
    for (key, property) in properties {
        let presence = if required.contains(&key.as_str()) {
            "required".to_string()
        } else {
            match property.get("default") {
                Some(default) => format!("default `{default}`"),
                None => "optional".to_string(),
            }
        };
        let meaning = property
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or("");
        let _ = writeln!(
            out,
            "| `{key}` | {} | {presence} | {} |",
            type_words(property, link),
            cell(meaning)
        );
    }
    if def.get("additionalProperties") == Some(&Value::Bool(false)) {
        out.push_str("\nOther keys are errors.\n");
    }
    out.push('\n');
}

/// The reference page for `schema`. Definitions that `shared` (a schema rendered on the
/// page `shared_page`) has too are linked there rather than repeated.
fn render_reference(
    schema: &serde_json::Value,
    source: &str,
    command: &str,
    shared: Option<(&serde_json::Value, &str)>,
) -> String {
    use serde_json::Value;
    let title = schema
        .get("title")
        .and_then(Value::as_str)
        .unwrap_or("Root");
    let empty = serde_json::Map::new();
    let defs = schema
        .get("$defs")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let shared_defs = shared
        .and_then(|(s, _)| s.get("$defs"))
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let is_shared =
        |name: &str| shared_defs.get(name).is_some() && shared_defs.get(name) == defs.get(name);
    let link = |name: &str| match shared {
        Some((_, page)) if is_shared(name) => format!("{page}#{}", anchor(name)),
        _ => format!("#{}", anchor(name)),
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<!-- Generated by tests/book.rs from {source}; do not edit by hand.\n     \
         After a change to the format: DOCKLAB_BLESS=1 cargo test --test integration book -->\n"
    );
    let _ = writeln!(out, "# Reference: the {} format\n", title.to_lowercase());
    let _ = writeln!(
        out,
        "This page is generated from `{source}`, the JSON Schema that `{command}` prints. \
         Each section is one kind of object; a key's type links to the section that \
         describes it. Keys marked optional may be left out.\n"
    );
    let shared_names: Vec<&String> = defs.keys().filter(|n| is_shared(n)).collect();
    if let (Some((_, page)), false) = (shared, shared_names.is_empty()) {
        let links: Vec<String> = shared_names
            .iter()
            .map(|n| format!("[{n}]({page}#{})", anchor(n)))
            .collect();
        let _ = writeln!(
            out,
            "The check vocabulary is the lesson format's, described with it: {}.\n",
            links.join(", ")
        );
    }
    render_definition(&mut out, title, schema, &link);
    for (name, def) in defs {
        if !is_shared(name) {
            render_definition(&mut out, name, def, &link);
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

#[test]
fn book_reference_pages_are_generated_from_the_schemas() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let read_schema = |file: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(root.join(file)).unwrap()).unwrap()
    };
    let suite_shipped = std::fs::read_to_string(root.join("checks/schema.json")).unwrap();
    assert!(
        suite_shipped == docklab::lesson::suite::suite_schema_json(),
        "checks/schema.json is stale: run `docklab schema --suite > checks/schema.json`"
    );
    let lesson_schema = read_schema(REFERENCE[0].1);
    let mut stale = Vec::new();
    for (n, (page, source, command)) in REFERENCE.iter().enumerate() {
        let schema = read_schema(source);
        let shared = (n > 0).then_some((&lesson_schema, "lesson-format.md"));
        let generated = render_reference(&schema, source, command, shared);
        let path = book_src().join(page);
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != generated {
            if bless() {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, &generated).unwrap();
                eprintln!("blessed book/src/{page}");
            } else {
                stale.push(format!("book/src/{page}"));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "{} not what the schemas give; regenerate with \
         DOCKLAB_BLESS=1 cargo test --test integration book",
        stale.join(" and ")
    );
}

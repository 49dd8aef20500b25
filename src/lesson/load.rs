//! Reading a lesson file: bytes → YAML → [`Lesson`], then the checks a schema cannot
//! express. Every problem is a [`Diagnostic`] with the file, line and column it is about.
//!
//! YAML and schema errors carry serde_yaml's own location. Problems found after parsing
//! (a check naming two kinds, a duplicate id) are located by finding the offending key
//! or value in the source, searching forward from the exercise it belongs to; the line
//! found is the one an author would go to.

use super::model::{FORMAT, Lesson, StepKind};
use crate::check::Check;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

/// Lesson files larger than this are refused before parsing.
pub const MAX_LESSON_BYTES: u64 = 1 << 20;

/// One problem in a lesson file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: String,
    /// 1-based; 0 when the problem is the whole file.
    pub line: usize,
    pub column: usize,
    pub message: String,
    /// An authoring rule (hints, mistakes) rather than an error that stops the lesson
    /// from running: `docklab lint` reports these, loading does not refuse them.
    pub authoring: bool,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file, self.line, self.column, self.message
            )
        }
    }
}

impl std::error::Error for Diagnostic {}

/// Reads and parses `path`, and runs [`validate`]: the first problem is the error.
pub fn load(path: &Path) -> Result<Lesson, Diagnostic> {
    let file = path.display().to_string();
    let whole = |message: String| Diagnostic {
        file: file.clone(),
        line: 0,
        column: 0,
        message,
        authoring: false,
    };
    let meta = std::fs::metadata(path).map_err(|e| whole(format!("cannot read: {e}")))?;
    if meta.len() > MAX_LESSON_BYTES {
        return Err(whole(format!(
            "{} bytes is too large for a lesson (the limit is {MAX_LESSON_BYTES})",
            meta.len()
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| whole(format!("cannot read: {e}")))?;
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        let (line, column) = position(&bytes[..e.valid_up_to()]);
        Diagnostic {
            file: file.clone(),
            line,
            column,
            message: "not UTF-8 text".to_string(),
            authoring: false,
        }
    })?;
    let lesson = parse(text, &file)?;
    match validate(&lesson, text, &file)
        .into_iter()
        .find(|d| !d.authoring)
    {
        Some(problem) => Err(problem),
        None => Ok(lesson),
    }
}

fn position(prefix: &[u8]) -> (usize, usize) {
    let line = prefix.iter().filter(|b| **b == b'\n').count() + 1;
    let column = prefix.len()
        - prefix
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1)
        + 1;
    (line, column)
}

/// Parses lesson text; `file` names it in the diagnostic.
pub fn parse(text: &str, file: &str) -> Result<Lesson, Diagnostic> {
    parse_yaml(text, file, "a lesson", MAX_LESSON_BYTES)
}

/// YAML text of at most `limit` bytes as a `T` (a lesson, a suite); `what` names the
/// kind of file in the size error.
pub(super) fn parse_yaml<T: serde::de::DeserializeOwned>(
    text: &str,
    file: &str,
    what: &str,
    limit: u64,
) -> Result<T, Diagnostic> {
    if text.len() as u64 > limit {
        return Err(Diagnostic {
            file: file.to_string(),
            line: 0,
            column: 0,
            message: format!(
                "{} bytes is too large for {what} (the limit is {limit})",
                text.len()
            ),
            authoring: false,
        });
    }
    serde_yaml::from_str::<T>(text).map_err(|e| yaml_diagnostic(&e, file))
}

/// A YAML or schema error at serde_yaml's own location.
fn yaml_diagnostic(e: &serde_yaml::Error, file: &str) -> Diagnostic {
    let (line, column) = e
        .location()
        .map(|l| (l.line(), l.column()))
        .unwrap_or((1, 1));
    // serde_yaml appends " at line L column C"; the prefix says it already.
    let message = e.to_string();
    let message = match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message,
    };
    Diagnostic {
        file: file.to_string(),
        line,
        column,
        message,
        authoring: false,
    }
}

/// Finds keys and values in the source, to give later problems a location.
pub(super) struct Locator<'a> {
    pub(super) lines: Vec<&'a str>,
}

impl<'a> Locator<'a> {
    fn new(text: &'a str) -> Locator<'a> {
        Locator {
            lines: text.lines().collect(),
        }
    }

    /// The first line at or after `from` (0-based) containing `needle`: (0-based line,
    /// 1-based column).
    fn find(&self, needle: &str, from: usize) -> Option<(usize, usize)> {
        self.lines
            .iter()
            .enumerate()
            .skip(from)
            .find_map(|(n, line)| line.find(needle).map(|c| (n, c + 1)))
    }

    /// The 0-based line of the `n`th `- ` item of the block sequence after line `start`.
    pub(super) fn nth_item(&self, start: usize, n: usize) -> Option<usize> {
        let first = (start + 1..self.lines.len())
            .find(|&l| self.lines[l].trim_start().starts_with("- "))?;
        let indent = self.lines[first].len() - self.lines[first].trim_start().len();
        (first..self.lines.len())
            .filter(|&l| {
                let line = self.lines[l];
                line.len() - line.trim_start().len() == indent
                    && line.trim_start().starts_with("- ")
            })
            .nth(n)
    }

    /// The line of an exercise's or question's `id:`.
    fn step(&self, id: &str) -> usize {
        self.lines
            .iter()
            .position(|l| {
                let t = l.trim_start().trim_start_matches("- ").trim_start();
                t.strip_prefix("id:")
                    .map(|v| v.trim().trim_matches(['"', '\'']) == id)
                    .unwrap_or(false)
            })
            .unwrap_or(0)
    }
}

pub(super) struct Report<'a> {
    file: &'a str,
    locator: Locator<'a>,
    found: Vec<Diagnostic>,
}

impl<'a> Report<'a> {
    pub(super) fn new(file: &'a str, text: &'a str) -> Report<'a> {
        Report {
            file,
            locator: Locator::new(text),
            found: Vec::new(),
        }
    }

    pub(super) fn locator(&self) -> &Locator<'a> {
        &self.locator
    }

    pub(super) fn into_found(self) -> Vec<Diagnostic> {
        self.found
    }

    /// The format version a file says it is in, and its id (under `key`): lower-case
    /// letters, digits and dashes.
    pub(super) fn format_and_id(&mut self, format: u32, key: &str, what: &str, id: &str) {
        if format != FORMAT {
            self.at(
                0,
                "format:",
                format!("format {format} is not one this docklab reads (it reads {FORMAT})"),
            );
        }
        let well_formed = !id.is_empty()
            && id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !well_formed {
            self.at(
                0,
                &format!("{key}:"),
                format!("{what} id {id:?} must be lower-case letters, digits and dashes"),
            );
        }
    }

    /// A problem at the first `needle` at or after line `from`, else at `from` itself.
    pub(super) fn at(&mut self, from: usize, needle: &str, message: String) {
        self.push(from, needle, message, false);
    }

    /// An authoring rule broken: reported by lint, not fatal to loading.
    pub(super) fn rule(&mut self, from: usize, needle: &str, message: String) {
        self.push(from, needle, message, true);
    }

    fn push(&mut self, from: usize, needle: &str, message: String, authoring: bool) {
        let (line, column) = self
            .locator
            .find(needle, from)
            .map(|(l, c)| (l + 1, c))
            .unwrap_or((from + 1, 1));
        self.found.push(Diagnostic {
            file: self.file.to_string(),
            line,
            column,
            message,
            authoring,
        });
    }
}

/// The problems of a parsed lesson a schema cannot see: the format version, unique
/// step ids, checks naming exactly one kind, regular expressions that compile, files
/// that stay inside the workspace, and the authoring rules `docklab lint` holds lessons
/// to (hints, at least two mistakes per exercise).
pub fn validate(lesson: &Lesson, text: &str, file: &str) -> Vec<Diagnostic> {
    let mut report = Report::new(file, text);
    report.format_and_id(lesson.format, "id", "lesson", &lesson.id);
    check_files(&mut report, 0, &lesson.setup.files);
    let mut ids = BTreeSet::new();
    let mut exercises = 0;
    for (n, step) in lesson.steps.iter().enumerate() {
        let Some(kind) = step.kind() else {
            let line = report
                .locator
                .nth_item(lesson_steps_line(&report.locator), n)
                .unwrap_or(0);
            report.at(
                line,
                "",
                format!(
                    "step {} must be exactly one of text, exercise and predict",
                    n + 1
                ),
            );
            continue;
        };
        let id = match kind {
            StepKind::Text(_) => continue,
            StepKind::Exercise(e) => &e.id,
            StepKind::Predict(p) => &p.id,
        };
        let line = report.locator.step(id);
        if !ids.insert(id.clone()) {
            let second = report.locator.find(&format!("id: {id}"), line + 1);
            let from = second.map_or(line, |(l, _)| l);
            report.at(from, "id:", format!("the step id {id} is used twice"));
        }
        match kind {
            StepKind::Exercise(e) => {
                exercises += 1;
                if e.hints.is_empty() {
                    report.rule(
                        line,
                        "goal:",
                        format!("exercise {id} has no hints; give at least one"),
                    );
                }
                if e.checks.is_empty() {
                    report.at(line, "checks:", format!("exercise {id} has no checks"));
                }
                if e.mistakes.len() < 2 {
                    report.rule(
                        line,
                        "mistakes:",
                        format!(
                            "exercise {id} lists {} mistakes; list at least two near-misses its checks must reject",
                            e.mistakes.len()
                        ),
                    );
                }
                if e.solution.commands.is_empty() && e.solution.files.is_empty() {
                    report.at(
                        line,
                        "solution:",
                        format!("exercise {id} has an empty solution"),
                    );
                }
                check_files(&mut report, line, &e.solution.files);
                for mistake in &e.mistakes {
                    check_files(&mut report, line, &mistake.files);
                }
                for check in &e.checks {
                    check_check(&mut report, line, check);
                }
            }
            StepKind::Predict(p) => {
                if p.answer.trim().is_empty() {
                    report.at(
                        line,
                        "answer:",
                        format!("question {id} has an empty answer"),
                    );
                }
            }
            StepKind::Text(_) => {}
        }
    }
    if exercises == 0 {
        report.at(0, "steps:", "the lesson has no exercises".to_string());
    }
    report.found
}

fn lesson_steps_line(locator: &Locator<'_>) -> usize {
    locator
        .lines
        .iter()
        .position(|l| l.starts_with("steps:"))
        .unwrap_or(0)
}

pub(super) fn check_files(report: &mut Report<'_>, line: usize, files: &BTreeMap<String, String>) {
    for path in files.keys() {
        let escapes = path.is_empty()
            || path.starts_with('/')
            || path.contains('\\')
            || path.split('/').any(|p| p == "..");
        if escapes {
            report.at(
                line,
                path,
                format!("{path:?} must be a path inside the workspace (relative, no ..)"),
            );
        }
    }
}

pub(super) fn check_check(report: &mut Report<'_>, line: usize, check: &Check) {
    let names = check.kind_names();
    if names.len() != 1 {
        let needle = names.get(1).copied().unwrap_or("checks:");
        report.at(
            line,
            needle,
            if names.is_empty() {
                "a check names no kind (image_exists, container, command_ran, ...)".to_string()
            } else {
                format!(
                    "a check names {} kinds ({}); split it, or join them with `all`",
                    names.len(),
                    names.join(", ")
                )
            },
        );
    }
    for p in check.patterns() {
        if let Err(e) = regex::Regex::new(p) {
            let message = e.to_string().lines().last().unwrap_or("").to_string();
            report.at(
                line,
                p,
                format!("/{p}/ is not a regular expression: {}", message.trim()),
            );
        }
    }
    if let Some(size) = &check.image_size {
        if let Err(e) = size.bounds() {
            let needle = size
                .at_most
                .iter()
                .chain(&size.at_least)
                .find(|v| crate::check::parse_size(v).is_err())
                .map(String::as_str)
                .unwrap_or("image_size");
            report.at(line, needle, e);
        }
        if size.at_most.is_none() && size.at_least.is_none() && size.smaller_than.is_none() {
            report.at(
                line,
                "image_size",
                "an image_size check needs at_most, at_least or smaller_than".to_string(),
            );
        }
    }
    check_resource_kinds(report, line, check);
    let children: Vec<&Check> = check
        .all
        .iter()
        .chain(&check.any)
        .flatten()
        .chain(check.not.as_deref())
        .collect();
    for child in children {
        // Kind counts only: the patterns were covered by `patterns()` above.
        if child.kinds().len() != 1 {
            check_check(report, line, child);
        } else {
            check_nested_kinds(report, line, child);
        }
    }
}

/// The per-kind rules, through `all`, `any` and `not`, for a well-formed check.
fn check_nested_kinds(report: &mut Report<'_>, line: usize, check: &Check) {
    check_resource_kinds(report, line, check);
    let children = check.all.iter().chain(&check.any).flatten();
    for child in children.chain(check.not.as_deref()) {
        check_nested_kinds(report, line, child);
    }
}

/// Keys of the volume, network, compose and container kinds that contradict each other
/// or cannot be read.
fn check_resource_kinds(report: &mut Report<'_>, line: usize, check: &Check) {
    if let Some(c) = &check.container {
        for mount in &c.mounts {
            if let Err(e) = crate::check::MountSpec::parse(mount) {
                report.at(line, mount, e);
            }
        }
    }
    if let Some(v) = &check.volume {
        if v.contains.is_some() && v.file.is_none() {
            report.at(
                line,
                "contains",
                "a volume check's `contains` is about its `file`: name the file".to_string(),
            );
        }
        if !v.exists && (v.used_by.is_some() || v.file.is_some()) {
            report.at(
                line,
                "exists",
                "a volume check with `exists: false` wants it gone: it can name no file or user"
                    .to_string(),
            );
        }
    }
    if let Some(n) = &check.network
        && !n.exists
        && (n.driver.is_some()
            || !n.containers.is_empty()
            || !n.not_containers.is_empty()
            || !n.aliases.is_empty())
    {
        report.at(
            line,
            "exists",
            "a network check with `exists: false` wants it gone: it can name no driver or containers"
                .to_string(),
        );
    }
    if let Some(p) = &check.compose_project {
        if p.absent != p.services.is_empty() {
            report.at(
                line,
                "compose_project",
                if p.absent {
                    "a compose_project check wants its services or `absent: true`, not both"
                } else {
                    "a compose_project check needs `services` or `absent: true`"
                }
                .to_string(),
            );
        }
        for (service, state) in &p.services {
            if !crate::check::SERVICE_STATES.contains(&state.as_str()) {
                report.at(
                    line,
                    state,
                    format!(
                        "the service {service}'s state {state:?} is not one of {}",
                        crate::check::SERVICE_STATES.join(", ")
                    ),
                );
            }
        }
    }
}

/// The JSON Schema of the lesson format, as shipped in `lessons/schema.json`.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(Lesson);
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema serialises");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "\
format: 1
id: demo
title: Demo
summary: A demo.
estimated_minutes: 5
steps:
  - text: Hello.
  - exercise:
      id: pull
      title: Pull
      goal: Pull alpine.
      hints: [Use docker pull.]
      solution:
        commands: [docker pull alpine]
      checks:
        - image_exists: alpine
          hint: Pull it.
      mistakes:
        - name: wrong image
          commands: [docker pull busybox]
        - name: nothing
";

    #[test]
    fn a_minimal_lesson_loads_and_validates() {
        let lesson = parse(MINIMAL, "demo.yaml").unwrap();
        assert_eq!(lesson.exercises().count(), 1);
        assert_eq!(validate(&lesson, MINIMAL, "demo.yaml"), vec![]);
    }

    #[test]
    fn an_unknown_key_is_reported_where_it_is() {
        let text = MINIMAL.replace("      goal:", "      gaol: x\n      goal:");
        let e = parse(&text, "demo.yaml").unwrap_err();
        assert_eq!((e.line, e.column), (11, 7), "{e}");
        assert!(e.message.contains("unknown field `gaol`"), "{e}");
        assert!(e.to_string().starts_with("demo.yaml:11:7: "), "{e}");
    }

    #[test]
    fn a_check_with_two_kinds_is_located() {
        let text = MINIMAL.replace(
            "        - image_exists: alpine\n",
            "        - image_exists: alpine\n          command_ran: x\n",
        );
        let lesson = parse(&text, "d").unwrap();
        let problems = validate(&lesson, &text, "d");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].line, 17);
        assert!(problems[0].message.contains("2 kinds"));
    }

    #[test]
    fn bad_patterns_and_escaping_files_are_errors() {
        let text = MINIMAL
            .replace(
                "commands: [docker pull alpine]",
                "commands: [docker pull alpine]\n        files: {../x: y}",
            )
            .replace("- image_exists: alpine", "- command_ran: 'docker (pull'");
        let lesson = parse(&text, "d").unwrap();
        let problems: Vec<String> = validate(&lesson, &text, "d")
            .iter()
            .map(|d| d.to_string())
            .collect();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("inside the workspace"));
        assert!(problems[1].contains("not a regular expression"));
    }

    #[test]
    fn volume_network_and_compose_checks_that_contradict_themselves_are_errors() {
        for (check, wanted) in [
            ("volume: { name: v, contains: x }", "name the file"),
            (
                "volume: { name: v, exists: false, used_by: c }",
                "wants it gone",
            ),
            (
                "network: { name: n, exists: false, containers: [c] }",
                "wants it gone",
            ),
            ("compose_project: { project: p }", "needs `services`"),
            (
                "compose_project: { project: p, absent: true, services: { web: running } }",
                "not both",
            ),
            (
                "compose_project: { project: p, services: { web: up } }",
                "\"up\" is not one of",
            ),
            (
                "container: { name: c, mounts: ['/etc:/etc'] }",
                "workspace directory",
            ),
            ("not: { volume: { name: v, contains: x } }", "name the file"),
        ] {
            let text = MINIMAL.replace("- image_exists: alpine", &format!("- {check}"));
            let lesson = parse(&text, "d").unwrap();
            let problems = validate(&lesson, &text, "d");
            assert_eq!(problems.len(), 1, "{check}: {problems:?}");
            assert!(
                problems[0].message.contains(wanted),
                "{check}: {problems:?}"
            );
        }
        let good = MINIMAL.replace(
            "- image_exists: alpine",
            "- volume: { name: v, used_by: c, file: a.txt, contains: x }",
        );
        let lesson = parse(&good, "d").unwrap();
        assert_eq!(validate(&lesson, &good, "d"), vec![]);
    }

    #[test]
    fn huge_input_is_refused_before_parsing() {
        let text = "#".repeat(MAX_LESSON_BYTES as usize + 1);
        assert!(
            parse(&text, "big")
                .unwrap_err()
                .message
                .contains("too large")
        );
    }
}

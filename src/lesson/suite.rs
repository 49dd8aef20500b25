//! Grading suites (`checks/*.yaml`, format 1): named checks with points, the state a
//! submission starts from, the points it needs to pass, what a submission may spend, and
//! sample submissions with the verdicts they must get.
//!
//! A suite speaks the lesson format's check vocabulary ([`Check`]) and can take an
//! exercise's checks from a lesson as they are, so the lesson and its grading never
//! drift apart. Like a lesson, a suite file is untrusted: every problem is a
//! [`Diagnostic`] with `file:line:col`. This module only reads suites; `docklab grade`
//! replays submissions and `docklab test` replays the samples.

use super::load::{Diagnostic, Locator, check_check, check_files, parse_yaml};
use super::model::Lesson;
use crate::check::Check;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Suite files larger than this are refused before parsing.
pub const MAX_SUITE_BYTES: u64 = 1 << 20;

/// A grading suite.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Suite {
    /// The format version: 1.
    pub format: u32,
    /// The suite's stable name (`capstone`, `registries`): reports carry it.
    pub suite: String,
    pub title: String,
    /// What a submission is asked to do, in Markdown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The state every submission is replayed from.
    #[serde(default)]
    pub start: Start,
    /// Points needed to pass [default: every point].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass: Option<u32>,
    /// What one submission may spend before it is stopped and graded as failing.
    #[serde(default)]
    pub limits: SuiteLimits,
    /// What is graded, in report order.
    pub checks: Vec<GradedCheck>,
    /// Submissions with the verdicts they must get: `docklab test` grades each one.
    #[serde(default)]
    pub samples: Vec<Sample>,
}

/// Where a submission's replay begins: a lesson's setup, then files, images and
/// commands of the suite's own, all before the submission's first command.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Start {
    /// A shipped lesson (id or number) whose setup is applied first; its exercises are
    /// what `exercise:` entries name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lesson: Option<String>,
    /// Workspace files: a path relative to the workspace, and its content.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub files: BTreeMap<String, String>,
    /// Images pulled into the engine.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<String>,
    /// Lab commands run, output hidden.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub commands: Vec<String>,
}

/// A submission's allowance.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SuiteLimits {
    /// Wall-clock seconds for the replay (the checks run after it, unbudgeted).
    #[serde(default = "default_seconds")]
    pub seconds: f64,
    /// Memory the replay may hold, in MiB.
    #[serde(default = "default_memory_mb")]
    pub memory_mb: u64,
    /// Commands a submission may have.
    #[serde(default = "default_commands")]
    pub commands: usize,
}

impl Default for SuiteLimits {
    fn default() -> SuiteLimits {
        SuiteLimits {
            seconds: default_seconds(),
            memory_mb: default_memory_mb(),
            commands: default_commands(),
        }
    }
}

fn default_seconds() -> f64 {
    10.0
}

fn default_memory_mb() -> u64 {
    256
}

fn default_commands() -> usize {
    2000
}

/// One graded item: a check of the lesson vocabulary, or an exercise's checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GradedCheck {
    /// What a grader and a student read in the report.
    pub name: String,
    /// Points awarded when it holds.
    #[serde(default = "one_point")]
    pub points: u32,
    /// The check itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<Check>,
    /// An exercise of the start lesson: holds when every one of its checks holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exercise: Option<String>,
}

fn one_point() -> u32 {
    1
}

/// A verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Enough points, and the replay ran to its end within its budget.
    Pass,
    /// Too few points, or the replay was stopped (over its time or memory budget).
    Fail,
    /// The submission could not be replayed at all (unreadable, tampered with, too
    /// large): it fails, with the reason.
    #[default]
    Error,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Error => "error",
        }
    }
}

/// A sample submission: a script as typed in the lab, with workspace files written
/// first, and what grading it must give.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Sample {
    /// What the sample is (`pushes under another tag`).
    pub name: String,
    /// Workspace files written before the script.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub files: BTreeMap<String, String>,
    /// Lab commands, one a line as typed (here-documents and `\` continuations too).
    pub script: String,
    /// The verdict it must get.
    pub verdict: Verdict,
    /// The points it must get.
    pub points: u32,
}

/// A graded item with its checks resolved: what grading evaluates.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedCheck {
    pub name: String,
    pub points: u32,
    pub checks: Vec<Check>,
}

impl Suite {
    /// Every point the suite awards.
    pub fn max_points(&self) -> u32 {
        self.checks.iter().map(|c| c.points).sum()
    }

    /// The points a submission needs to pass.
    pub fn pass_points(&self) -> u32 {
        self.pass.unwrap_or_else(|| self.max_points())
    }

    /// The graded items, with `exercise:` entries replaced by that exercise's checks
    /// from `lesson` (the start lesson). Validation has made sure each one resolves.
    pub fn resolve(&self, lesson: Option<&Lesson>) -> Vec<ResolvedCheck> {
        self.checks
            .iter()
            .map(|graded| ResolvedCheck {
                name: graded.name.clone(),
                points: graded.points,
                checks: match (&graded.check, &graded.exercise) {
                    (Some(check), _) => vec![check.clone()],
                    (None, Some(id)) => lesson
                        .and_then(|l| l.exercises().find(|e| &e.id == id))
                        .map(|e| e.checks.clone())
                        .unwrap_or_default(),
                    (None, None) => Vec::new(),
                },
            })
            .collect()
    }
}

/// Whether YAML text is a suite rather than a lesson: a mapping with a `suite` key.
pub fn is_suite_text(text: &str) -> bool {
    match serde_yaml::from_str::<serde_yaml::Value>(text) {
        Ok(serde_yaml::Value::Mapping(map)) => map.contains_key("suite"),
        _ => false,
    }
}

/// Parses suite text; `file` names it in the diagnostic.
pub fn parse_suite(text: &str, file: &str) -> Result<Suite, Diagnostic> {
    parse_yaml(text, file, "a suite", MAX_SUITE_BYTES)
}

/// The problems of a parsed suite a schema cannot see. `lesson` is the start lesson,
/// found by the caller (None when the suite names none, or names one that is unknown:
/// whether it names one is the suite's to say).
pub fn validate_suite(
    suite: &Suite,
    lesson: Option<&Lesson>,
    text: &str,
    file: &str,
) -> Vec<Diagnostic> {
    let mut report = super::load::Report::new(file, text);
    report.format_and_id(suite.format, "suite", "suite", &suite.suite);
    if let Some(name) = &suite.start.lesson
        && lesson.is_none()
    {
        report.at(
            0,
            "lesson:",
            format!("start lesson {name} is not a shipped lesson (docklab list shows them)"),
        );
    }
    let start_line = report.locator().line_of_key("start:", 0);
    check_files(&mut report, start_line, &suite.start.files);
    let limits = suite.limits;
    if !(limits.seconds.is_finite() && limits.seconds > 0.0 && limits.seconds <= 3600.0) {
        report.at(
            0,
            "seconds:",
            format!(
                "limits.seconds must be more than 0 and at most 3600, not {}",
                limits.seconds
            ),
        );
    }
    if limits.memory_mb == 0 || limits.commands == 0 {
        report.at(
            0,
            "limits:",
            "limits.memory_mb and limits.commands must be at least 1".to_string(),
        );
    }
    if suite.checks.is_empty() {
        report.at(
            0,
            "checks:",
            "the suite grades nothing: it has no checks".to_string(),
        );
    }
    let checks_line = report.locator().line_of_key("checks:", 0);
    let mut names = std::collections::BTreeSet::new();
    for (n, graded) in suite.checks.iter().enumerate() {
        let line = report
            .locator()
            .nth_item(checks_line, n)
            .unwrap_or(checks_line);
        if !names.insert(graded.name.as_str()) {
            report.at(
                line,
                "name:",
                format!("the check name {:?} is used twice", graded.name),
            );
        }
        match (&graded.check, &graded.exercise) {
            (Some(check), None) => check_check(&mut report, line, check),
            (None, Some(id)) => match lesson {
                Some(l) if l.exercises().any(|e| &e.id == id) => {}
                Some(l) => report.at(
                    line,
                    "exercise:",
                    format!(
                        "lesson {} has no exercise {id} (it has {})",
                        l.id,
                        l.exercises()
                            .map(|e| e.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ),
                None if suite.start.lesson.is_none() => report.at(
                    line,
                    "exercise:",
                    format!("exercise {id} names a lesson's exercise, but start names no lesson"),
                ),
                None => {}
            },
            _ => report.at(
                line,
                "name:",
                format!(
                    "check {:?} must have exactly one of check and exercise",
                    graded.name
                ),
            ),
        }
    }
    let max = suite.max_points();
    if let Some(pass) = suite.pass
        && pass > max
    {
        report.at(
            0,
            "pass:",
            format!("pass is {pass} points, but the checks award only {max}"),
        );
    }
    let samples_line = report.locator().line_of_key("samples:", 0);
    for (n, sample) in suite.samples.iter().enumerate() {
        let line = report
            .locator()
            .nth_item(samples_line, n)
            .unwrap_or(samples_line);
        check_files(&mut report, line, &sample.files);
        if sample.points > max {
            report.at(
                line,
                "points:",
                format!(
                    "sample {:?} expects {} points, but the checks award only {max}",
                    sample.name, sample.points
                ),
            );
        }
    }
    let failing = suite
        .samples
        .iter()
        .filter(|s| s.verdict != Verdict::Pass)
        .count();
    if !suite.samples.iter().any(|s| s.verdict == Verdict::Pass) {
        report.rule(
            samples_line,
            "samples:",
            "the suite has no passing sample; give one that reaches every goal".to_string(),
        );
    }
    if failing < 3 {
        report.rule(
            samples_line,
            "samples:",
            format!(
                "the suite has {failing} failing samples; give at least three plausible mistakes its checks must catch"
            ),
        );
    }
    report.into_found()
}

/// The JSON Schema of the suite format, as shipped in `checks/schema.json`.
pub fn suite_schema_json() -> String {
    let schema = schemars::schema_for!(Suite);
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema serialises");
    text.push('\n');
    text
}

impl Locator<'_> {
    /// The 0-based line of the first line at or after `from` that starts with `key`
    /// (no indentation), else `from`.
    fn line_of_key(&self, key: &str, from: usize) -> usize {
        self.lines
            .iter()
            .enumerate()
            .skip(from)
            .find(|(_, l)| l.starts_with(key))
            .map_or(from, |(n, _)| n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUITE: &str = "\
format: 1
suite: demo
title: Demo
start:
  images: [alpine]
pass: 2
checks:
  - name: alpine is there
    points: 2
    check:
      image_exists: alpine
  - name: hello ran
    check:
      command_ran: 'echo hello'
samples:
  - name: right
    script: |
      echo hello
    verdict: pass
    points: 3
  - name: silent
    script: 'true'
    verdict: pass
    points: 2
";

    #[test]
    fn a_suite_parses_and_counts_its_points() {
        assert!(is_suite_text(SUITE));
        let suite = parse_suite(SUITE, "demo.yaml").unwrap();
        assert_eq!((suite.max_points(), suite.pass_points()), (3, 2));
        assert_eq!(suite.limits, SuiteLimits::default());
        let problems = validate_suite(&suite, None, SUITE, "demo.yaml");
        // Only the authoring rule about failing samples.
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].authoring);
        assert!(problems[0].message.contains("0 failing samples"));
    }

    #[test]
    fn an_unknown_key_is_reported_where_it_is() {
        let text = SUITE.replace("    points: 2\n    check:", "    pionts: 2\n    check:");
        let e = parse_suite(&text, "demo.yaml").unwrap_err();
        assert!(e.message.contains("unknown field `pionts`"), "{e}");
        assert_eq!(e.line, 9, "{e}");
    }

    #[test]
    fn a_check_with_both_check_and_exercise_is_located() {
        let text = SUITE.replace(
            "  - name: hello ran\n    check:",
            "  - name: hello ran\n    exercise: x\n    check:",
        );
        let suite = parse_suite(&text, "d").unwrap();
        let problems: Vec<_> = validate_suite(&suite, None, &text, "d")
            .into_iter()
            .filter(|d| !d.authoring)
            .collect();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].line, 12, "{}", problems[0]);
        assert!(
            problems[0]
                .message
                .contains("exactly one of check and exercise")
        );
    }

    #[test]
    fn impossible_points_and_limits_are_errors() {
        let text = SUITE
            .replace("pass: 2", "pass: 9\nlimits: { seconds: 0 }")
            .replace("    points: 3", "    points: 30");
        let suite = parse_suite(&text, "d").unwrap();
        let problems: Vec<String> = validate_suite(&suite, None, &text, "d")
            .iter()
            .filter(|d| !d.authoring)
            .map(|d| d.to_string())
            .collect();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("limits.seconds")));
        assert!(problems.iter().any(|p| p.contains("pass is 9 points")));
        assert!(problems.iter().any(|p| p.contains("expects 30 points")));
    }
}

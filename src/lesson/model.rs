//! The lesson format, version 1, as Rust types. The JSON Schema shipped in
//! `lessons/schema.json` is generated from these (`docklab schema`), so the doc comments
//! here are what an editor shows an author.

use crate::check::Check;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The format version this build reads.
pub const FORMAT: u32 = 1;

/// A lesson: explanation steps and exercises, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    /// The format version: 1.
    pub format: u32,
    /// A short stable name (`images-and-containers`): progress and prerequisites use it.
    pub id: String,
    pub title: String,
    /// One or two sentences for the lesson picker.
    pub summary: String,
    /// Ids of lessons to take first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prerequisites: Vec<String>,
    pub estimated_minutes: u32,
    /// The state the lesson starts from.
    #[serde(default)]
    pub setup: Setup,
    pub steps: Vec<Step>,
}

/// What is prepared, silently, before a lesson starts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Setup {
    /// Workspace files: a path relative to the workspace, and its content.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub files: BTreeMap<String, String>,
    /// Images pulled into the engine.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<String>,
    /// Lab commands run, output hidden, after the files and images.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub commands: Vec<String>,
}

/// One step of a lesson: exactly one of `text`, `exercise` and `predict`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Explanation, in Markdown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Something to do, checked against the engine's state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exercise: Option<Exercise>,
    /// A question about what a command will print, graded against what it prints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predict: Option<Predict>,
}

/// A step's kind, borrowed.
#[derive(Debug, Clone, Copy)]
pub enum StepKind<'a> {
    Text(&'a str),
    Exercise(&'a Exercise),
    Predict(&'a Predict),
}

impl Step {
    /// The step's kind; None unless exactly one is set.
    pub fn kind(&self) -> Option<StepKind<'_>> {
        let kinds: Vec<StepKind<'_>> = [
            self.text.as_deref().map(StepKind::Text),
            self.exercise.as_ref().map(StepKind::Exercise),
            self.predict.as_ref().map(StepKind::Predict),
        ]
        .into_iter()
        .flatten()
        .collect();
        match kinds.as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }

    /// The id of an exercise or question.
    pub fn id(&self) -> Option<&str> {
        match self.kind()? {
            StepKind::Text(_) => None,
            StepKind::Exercise(e) => Some(&e.id),
            StepKind::Predict(p) => Some(&p.id),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Exercise {
    /// Unique within the lesson.
    pub id: String,
    pub title: String,
    /// What the student is asked to reach, in Markdown.
    pub goal: String,
    /// Offered one at a time, in this order.
    #[serde(default)]
    pub hints: Vec<String>,
    /// Commands (and files) that reach the goal; `docklab test` replays them.
    pub solution: Solution,
    /// All must pass for the exercise to be done.
    pub checks: Vec<Check>,
    /// Near-miss solutions the checks must reject.
    #[serde(default)]
    pub mistakes: Vec<Mistake>,
    /// Shown once the exercise is done, in Markdown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why_it_matters: Option<String>,
}

/// Lab commands, with workspace files written before them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Solution {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub files: BTreeMap<String, String>,
    /// Each entry is one command as typed (here-documents and `\` continuations
    /// included).
    #[serde(default)]
    pub commands: Vec<String>,
}

/// A plausible wrong solution, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Mistake {
    /// What is wrong with it (`tags 1.0 but pushes latest`).
    pub name: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub files: BTreeMap<String, String>,
    #[serde(default)]
    pub commands: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Predict {
    /// Unique within the lesson.
    pub id: String,
    /// The question, in Markdown.
    pub prompt: String,
    /// Commands run first (shown), to reach the state the question is about.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub before: Vec<String>,
    /// The command whose standard output the answer is compared with.
    pub command: String,
    #[serde(default)]
    pub compare: Compare,
    /// A correct answer; `docklab test` checks that it is graded correct.
    pub answer: String,
    /// Shown after the answer, in Markdown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
}

/// How an answer is compared with the real output.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Compare {
    /// The same non-empty lines, in any order, spaces at either end ignored.
    #[default]
    Lines,
    /// The same text, whitespace at either end ignored.
    Exact,
}

impl Compare {
    /// Whether `answer` says what `output` shows.
    pub fn accepts(self, answer: &str, output: &str) -> bool {
        match self {
            Compare::Exact => answer.trim() == output.trim(),
            Compare::Lines => {
                let lines = |t: &str| {
                    let mut v: Vec<String> = t
                        .lines()
                        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
                        .filter(|l| !l.is_empty())
                        .collect();
                    v.sort();
                    v
                };
                lines(answer) == lines(output)
            }
        }
    }
}

impl Lesson {
    pub fn exercises(&self) -> impl Iterator<Item = &Exercise> {
        self.steps.iter().filter_map(|s| match s.kind() {
            Some(StepKind::Exercise(e)) => Some(e),
            _ => None,
        })
    }
}

//! The Dockerfile: text to nodes with line spans ([`ast`]), nodes to typed instructions
//! grouped in build stages ([`parse`]), word expansion with the build's ARG/ENV values
//! ([`expand`]) and `.dockerignore` matching ([`DockerIgnore`]).
//!
//! Owns `src/engine/dockerfile/` and the test data under `tests/dockerfile/`. It must not
//! touch anything outside `crate::engine`: no CLI, REPL or backend types, no I/O; the
//! builder reads files and calls in here.
//!
//! Behaviour follows the Dockerfile frontend the classic builder of Docker 28 uses.
//! Error texts: instruction errors render as Docker 28 prints them
//! (`dockerfile parse error on line 2: unknown instruction: FRUM (did you mean FROM?)`);
//! [`ParseError::docker20_text`] gives the Docker 20.10 form
//! (`dockerfile parse error line 2: unknown instruction: FRUM`). Errors found while
//! reading the text read `failed to parse Dockerfile: ...` in both.

pub mod ast;
mod dump;
mod error;
mod ignore;
mod instructions;
mod lex;

#[cfg(test)]
mod tests;

pub use ast::Heredoc;
pub use dump::dump;
pub use error::{ErrorStage, ParseError};
pub use ignore::DockerIgnore;
pub use instructions::*;
pub use lex::{ExpandError, expand, expand_with_escape, expand_words};

/// A parser directive (`# syntax=...`, `# escape=...`), key in lower case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    pub key: String,
    pub value: String,
    pub line: usize,
}

/// The message of a Dockerfile with no bytes at all, as the daemon reports it.
pub const EMPTY_DOCKERFILE: &str = "the Dockerfile (Dockerfile) cannot be empty";

/// A parsed Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dockerfile {
    pub directives: Vec<Directive>,
    /// The escape character in force (`\` unless `# escape=` says otherwise).
    pub escape: char,
    /// ARGs before the first FROM: they may only be used in FROM lines.
    pub args_before_from: Vec<Arg>,
    /// The ARG instructions before the first FROM, as instructions (for `Step N/M`).
    pub meta_arg_instructions: Vec<Instruction>,
    pub stages: Vec<Stage>,
    /// Warnings the classic builder prints before the steps (empty continuation lines).
    pub warnings: Vec<String>,
}

/// One build stage: its FROM and the instructions after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    pub from: From,
    /// `AS name`, lower-cased as Docker stores it.
    pub name: Option<String>,
    /// The FROM line itself.
    pub from_instruction: Instruction,
    pub instructions: Vec<Instruction>,
}

impl Dockerfile {
    /// The `M` of the classic builder's `Step N/M`: ARGs before the first FROM, every
    /// FROM and every instruction. Directives and comments are not steps.
    pub fn step_count(&self) -> usize {
        self.meta_arg_instructions.len()
            + self
                .stages
                .iter()
                .map(|s| 1 + s.instructions.len())
                .sum::<usize>()
    }

    /// The index of the stage `--target` names (case-insensitive) or numbers.
    pub fn stage_index(&self, target: &str) -> Option<usize> {
        let lower = target.to_ascii_lowercase();
        self.stages
            .iter()
            .position(|s| s.name.as_deref() == Some(lower.as_str()))
            .or_else(|| {
                target
                    .parse::<usize>()
                    .ok()
                    .filter(|i| *i < self.stages.len())
            })
    }
}

/// Parses a Dockerfile.
pub fn parse(text: &str) -> Result<Dockerfile, ParseError> {
    if text.is_empty() {
        return Err(ParseError::plain(EMPTY_DOCKERFILE.into(), 0));
    }
    let tree = ast::parse_ast(text)?;
    let mut directives = Vec::new();
    for (i, (key, value)) in tree.directives.iter().enumerate() {
        directives.push(Directive {
            key: key.clone(),
            value: value.clone(),
            line: i + 1,
        });
    }
    let mut df = Dockerfile {
        directives,
        escape: tree.escape,
        args_before_from: Vec::new(),
        meta_arg_instructions: Vec::new(),
        stages: Vec::new(),
        warnings: tree.warnings,
    };
    for node in &tree.nodes {
        let ins = instructions::from_node(node)?;
        match ins.kind {
            InstructionKind::From(ref from) => {
                df.stages.push(Stage {
                    from: from.clone(),
                    name: from.name.clone(),
                    from_instruction: ins.clone(),
                    instructions: Vec::new(),
                });
            }
            InstructionKind::Arg(ref args) if df.stages.is_empty() => {
                df.args_before_from.extend(args.iter().cloned());
                df.meta_arg_instructions.push(ins.clone());
            }
            _ => match df.stages.last_mut() {
                Some(stage) => stage.instructions.push(ins),
                None => {
                    return Err(ParseError::plain(
                        "no build stage in current context".into(),
                        node.start_line,
                    )
                    .with_end(node.end_line));
                }
            },
        }
    }
    Ok(df)
}

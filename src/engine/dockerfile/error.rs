//! Parse errors with their location, rendered with the texts Docker prints.

use std::fmt;

/// Where in Docker's pipeline the error arises, which decides its prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorStage {
    /// Reading the text: `failed to parse Dockerfile: <message>` (no line in the text).
    Syntax,
    /// Typing an instruction: `dockerfile parse error on line N: <message>`.
    Instruction,
    /// Printed as is (`no build stage in current context`, an empty file).
    Plain,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub stage: ErrorStage,
    pub message: String,
    /// Docker 28 appends ` (did you mean FROM?)` to an unknown instruction.
    pub suggestion: Option<String>,
    /// 1-based first line of the instruction (or of the failing line).
    pub line: usize,
    pub end_line: usize,
    pub file: Option<String>,
}

impl ParseError {
    pub(crate) fn syntax(message: String, line: usize) -> Self {
        ParseError {
            stage: ErrorStage::Syntax,
            message,
            suggestion: None,
            line,
            end_line: line,
            file: None,
        }
    }

    pub(crate) fn instruction(message: String, line: usize, end_line: usize) -> Self {
        ParseError {
            stage: ErrorStage::Instruction,
            message,
            suggestion: None,
            line,
            end_line,
            file: None,
        }
    }

    pub(crate) fn plain(message: String, line: usize) -> Self {
        ParseError {
            stage: ErrorStage::Plain,
            message,
            suggestion: None,
            line,
            end_line: line,
            file: None,
        }
    }

    pub(crate) fn with_end(mut self, end: usize) -> Self {
        self.end_line = end.max(self.line);
        self
    }

    /// Names the file for [`ParseError::location`] (`Dockerfile.dev:3`).
    pub fn with_file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }

    /// `file:line`, the file defaulting to `Dockerfile`.
    pub fn location(&self) -> String {
        format!(
            "{}:{}",
            self.file.as_deref().unwrap_or("Dockerfile"),
            self.line
        )
    }

    /// The text the Docker 20.10 classic builder printed instead: `dockerfile parse error
    /// line N: ...` and no suggestion.
    pub fn docker20_text(&self) -> String {
        match self.stage {
            ErrorStage::Instruction => {
                format!(
                    "dockerfile parse error line {}: {}",
                    self.line, self.message
                )
            }
            _ => self.to_string(),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.file.as_deref().unwrap_or("Dockerfile");
        match self.stage {
            ErrorStage::Syntax => write!(f, "failed to parse {name}: {}", self.message),
            ErrorStage::Instruction => {
                write!(
                    f,
                    "dockerfile parse error on line {}: {}",
                    self.line, self.message
                )?;
                if let Some(s) = &self.suggestion {
                    write!(f, " (did you mean {s}?)")?;
                }
                Ok(())
            }
            ErrorStage::Plain => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ParseError {}

//! The standard streams a command runs with. Library code writes here, never to the
//! process's own stdout, so the REPL, script mode and tests can all capture output.

use std::io::Write;

/// Input already read (the lab feeds pipelines a buffer at a time) and two writers.
pub struct Streams<'a> {
    pub stdin: &'a [u8],
    pub stdout: &'a mut dyn Write,
    pub stderr: &'a mut dyn Write,
}

impl<'a> Streams<'a> {
    pub fn new(stdin: &'a [u8], stdout: &'a mut dyn Write, stderr: &'a mut dyn Write) -> Self {
        Streams {
            stdin,
            stdout,
            stderr,
        }
    }

    /// The same streams, borrowed again for a nested command.
    pub fn reborrow(&mut self) -> Streams<'_> {
        Streams {
            stdin: self.stdin,
            stdout: &mut *self.stdout,
            stderr: &mut *self.stderr,
        }
    }
}

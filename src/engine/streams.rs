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

/// Chunks of output as (stream, bytes), shared by the writers that add to them.
type SharedChunks = std::rc::Rc<std::cell::RefCell<Vec<(u8, Vec<u8>)>>>;

/// Two output streams recorded together, in the order they were written: a
/// container's log, a build step's output.
#[derive(Clone, Default)]
pub struct Interleaved {
    chunks: SharedChunks,
}

impl Interleaved {
    /// A writer for stream 1 (stdout) or 2 (stderr).
    pub fn writer(&self, stream: u8) -> InterleavedWriter {
        InterleavedWriter {
            chunks: self.chunks.clone(),
            stream,
        }
    }

    /// What was written, consecutive writes to one stream joined.
    pub fn chunks(&self) -> Vec<(u8, Vec<u8>)> {
        self.chunks.borrow().clone()
    }
}

pub struct InterleavedWriter {
    chunks: SharedChunks,
    stream: u8,
}

impl Write for InterleavedWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut chunks = self.chunks.borrow_mut();
        match chunks.last_mut() {
            Some((stream, bytes)) if *stream == self.stream => bytes.extend_from_slice(buf),
            _ => chunks.push((self.stream, buf.to_vec())),
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interleaved_output_keeps_the_order_of_writes() {
        let log = Interleaved::default();
        let mut out = log.writer(1);
        let mut err = log.writer(2);
        out.write_all(b"a\n").unwrap();
        out.write_all(b"b\n").unwrap();
        err.write_all(b"c\n").unwrap();
        out.write_all(b"d\n").unwrap();
        assert_eq!(
            log.chunks(),
            vec![
                (1, b"a\nb\n".to_vec()),
                (2, b"c\n".to_vec()),
                (1, b"d\n".to_vec())
            ]
        );
    }
}

//! Renders the daemon's progress stream (pull, push) as the Docker CLI does when its
//! output is not a terminal: one line per status change; byte-count progress is left
//! out, as `jsonmessage.DisplayJSONMessagesStream` leaves it out.

use bollard_stubs::models::CreateImageInfo;
use std::io::{self, Write};

/// Writes one message; returns the daemon's error when the message carries one.
pub fn display(message: &CreateImageInfo, out: &mut dyn Write) -> io::Result<Option<String>> {
    if let Some(error) = &message.error_detail {
        return Ok(Some(error.message.clone().unwrap_or_default()));
    }
    let has_progress = message
        .progress_detail
        .as_ref()
        .is_some_and(|p| p.current.unwrap_or(0) > 0 || p.total.unwrap_or(0) > 0);
    if has_progress {
        return Ok(None);
    }
    if let Some(id) = message.id.as_deref().filter(|id| !id.is_empty()) {
        write!(out, "{id}: ")?;
    }
    writeln!(out, "{}", message.status.as_deref().unwrap_or(""))?;
    Ok(None)
}

/// Renders a whole stream: every message in turn, keeping the stream's error and the
/// first failure to write for the caller to report once the stream ends.
pub struct Printer<'a> {
    out: &'a mut dyn Write,
    /// Whether any message arrived (after which the daemon's errors are stream lines).
    pub started: bool,
    pub stream_error: Option<String>,
    write_error: Option<io::Error>,
}

impl<'a> Printer<'a> {
    pub fn new(out: &'a mut dyn Write) -> Printer<'a> {
        Printer {
            out,
            started: false,
            stream_error: None,
            write_error: None,
        }
    }

    pub fn show(&mut self, message: &CreateImageInfo) {
        self.started = true;
        match display(message, self.out) {
            Ok(Some(e)) => self.stream_error = Some(e),
            Ok(None) => {}
            Err(e) => self.write_error = Some(e),
        }
    }

    /// The first write error, if writing failed.
    pub fn write_result(&mut self) -> io::Result<()> {
        self.write_error.take().map_or(Ok(()), Err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bollard_stubs::models::{ErrorDetail, ProgressDetail};

    fn msg(id: Option<&str>, status: &str, progress: Option<(i64, i64)>) -> CreateImageInfo {
        CreateImageInfo {
            id: id.map(str::to_string),
            status: Some(status.into()),
            progress_detail: Some(match progress {
                Some((c, t)) => ProgressDetail {
                    current: Some(c),
                    total: Some(t),
                },
                None => ProgressDetail::default(),
            }),
            error_detail: None,
        }
    }

    #[test]
    fn prints_status_lines_and_drops_byte_progress() {
        let mut out = Vec::new();
        display(
            &msg(Some("18.04"), "Pulling from library/ubuntu", None),
            &mut out,
        )
        .unwrap();
        display(
            &msg(Some("a48641193673"), "Downloading", Some((10, 100))),
            &mut out,
        )
        .unwrap();
        display(&msg(Some("a48641193673"), "Pull complete", None), &mut out).unwrap();
        display(&msg(None, "Digest: sha256:abc", None), &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "18.04: Pulling from library/ubuntu\na48641193673: Pull complete\nDigest: sha256:abc\n"
        );
    }

    #[test]
    fn returns_errors_instead_of_printing_them() {
        let mut out = Vec::new();
        let m = CreateImageInfo {
            error_detail: Some(ErrorDetail {
                code: None,
                message: Some("boom".into()),
            }),
            ..Default::default()
        };
        assert_eq!(display(&m, &mut out).unwrap(), Some("boom".into()));
        assert!(out.is_empty());
    }
}

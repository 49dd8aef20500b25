//! `docker rmi`, `docker image rm`.

use super::images::finish_with_errors;
use crate::cli::args::RmiArgs;
use crate::cli::parse::Verb;
use crate::cli::{Cli, CliError, daemon_error_text};
use crate::engine::streams::Streams;

pub fn rmi(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: RmiArgs = verb.parse(raw)?;
    let mut errors = Vec::new();
    for name in &args.args {
        match cli.backend.remove_image(name, args.force, args.no_prune) {
            Ok(items) => {
                for item in items {
                    match (&item.deleted, &item.untagged) {
                        (Some(d), _) => writeln!(streams.stdout, "Deleted: {d}")?,
                        (None, Some(u)) => writeln!(streams.stdout, "Untagged: {u}")?,
                        (None, None) => {}
                    }
                }
            }
            Err(e) => errors.push(daemon_error_text(&e)),
        }
    }
    finish_with_errors(streams.stderr, errors)
}

//! `docker pull`.

use crate::cli::args::PullArgs;
use crate::cli::parse::Verb;
use crate::cli::{Cli, CliError, jsonmessage};
use crate::engine::reference::{self, Reference};
use crate::engine::streams::Streams;
use std::io::Write;

pub fn pull(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: PullArgs = verb.parse(raw)?;
    let name = &args.args[0];
    let parsed = reference::parse_normalized(name).map_err(|e| CliError::message(e.to_string()))?;
    if args.all_tags && (parsed.tag().is_some() || parsed.digest().is_some()) {
        return Err(CliError::message("tag can't be used with --all-tags/-a"));
    }
    let target = if parsed.tag().is_none() && parsed.digest().is_none() && !args.all_tags {
        writeln!(streams.stdout, "Using default tag: latest")?;
        parsed.with_default_tag()
    } else {
        parsed
    };
    let out: &mut dyn Write = if args.quiet {
        &mut std::io::sink()
    } else {
        &mut *streams.stdout
    };
    pull_image(cli, &target, out)?;
    writeln!(streams.stdout, "{target}")?;
    Ok(0)
}

/// Pulls `target`, rendering the daemon's progress to `out`; shared with `docker run`.
pub(super) fn pull_image(
    cli: &mut Cli<'_>,
    target: &Reference,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let tag_or_digest = match (target.digest(), target.tag()) {
        (Some(d), _) => d.to_string(),
        (None, Some(t)) => t.to_string(),
        (None, None) => String::new(),
    };
    let mut write_error = None;
    let mut stream_error = None;
    let result =
        cli.backend
            .pull_image(&target.full_name(), &tag_or_digest, &mut |message| {
                match jsonmessage::display(message, out) {
                    Ok(Some(e)) => stream_error = Some(e),
                    Ok(None) => {}
                    Err(e) => write_error = Some(e),
                }
            });
    if let Some(e) = write_error {
        return Err(e.into());
    }
    match (result, stream_error) {
        (Err(e), _) => Err(e.into()),
        (Ok(()), Some(message)) => Err(CliError::message(message)),
        (Ok(()), None) => Ok(()),
    }
}

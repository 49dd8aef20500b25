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
    let target = target_reference(&args.args[0], args.all_tags, args.quiet, streams.stdout)?;
    let out: &mut dyn Write = if args.quiet {
        &mut std::io::sink()
    } else {
        &mut *streams.stdout
    };
    pull_image(cli, &target, out)?;
    writeln!(streams.stdout, "{target}")?;
    Ok(0)
}

/// The reference `docker pull` and `docker push` work on: with `latest` filled in (and
/// said so) unless there is a tag or digest or all tags are wanted, which a tag or
/// digest contradicts. `-q` keeps "Using default tag" to itself, as the CLI does.
pub(super) fn target_reference(
    name: &str,
    all_tags: bool,
    quiet: bool,
    stdout: &mut dyn Write,
) -> Result<Reference, CliError> {
    let parsed = reference::parse_normalized(name).map_err(|e| CliError::message(e.to_string()))?;
    if all_tags && (parsed.tag().is_some() || parsed.digest().is_some()) {
        return Err(CliError::message("tag can't be used with --all-tags/-a"));
    }
    if parsed.tag().is_none() && parsed.digest().is_none() && !all_tags {
        if !quiet {
            writeln!(stdout, "Using default tag: latest")?;
        }
        return Ok(parsed.with_default_tag());
    }
    Ok(parsed)
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
    super::login::attach_credentials(cli);
    let mut printer = jsonmessage::Printer::new(out);
    let result = cli
        .backend
        .pull_image(&target.full_name(), &tag_or_digest, &mut |message| {
            printer.show(message)
        });
    printer.write_result()?;
    match (result, printer.stream_error) {
        (Err(e), _) => Err(e.into()),
        (Ok(()), Some(message)) => Err(CliError::message(message)),
        (Ok(()), None) => Ok(()),
    }
}

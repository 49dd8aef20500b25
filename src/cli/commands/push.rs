//! `docker push`.

use crate::cli::args::PushArgs;
use crate::cli::parse::Verb;
use crate::cli::{Cli, CliError, daemon_error_text, jsonmessage};
use crate::engine::streams::Streams;
use bollard_stubs::models::CreateImageInfo;
use std::io::Write;

pub fn push(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: PushArgs = verb.parse(raw)?;
    let target =
        super::pull::target_reference(&args.args[0], args.all_tags, args.quiet, streams.stdout)?;
    let out: &mut dyn Write = if args.quiet {
        &mut std::io::sink()
    } else {
        &mut *streams.stdout
    };
    super::login::attach_credentials(cli);
    let mut printer = jsonmessage::Printer::new(out);
    let result = cli.backend.push_image(
        &target.full_name(),
        target.tag().unwrap_or(""),
        &mut |message| {
            // The layer ID already leads the status (`<id>: Pushed`).
            printer.show(&CreateImageInfo {
                id: None,
                status: message.status.clone(),
                progress_detail: message.progress_detail.clone(),
                error_detail: message.error_detail.clone(),
            })
        },
    );
    printer.write_result()?;
    match (result, printer.stream_error) {
        // Once the stream has begun, the daemon's error is a line of it, printed bare.
        (Err(e), _) if printer.started => {
            let text = daemon_error_text(&e);
            let bare = text
                .strip_prefix("Error response from daemon: ")
                .unwrap_or(&text);
            Err(CliError::message(bare))
        }
        (Err(e), _) => Err(e.into()),
        (Ok(()), Some(message)) => Err(CliError::message(message)),
        (Ok(()), None) => {
            if args.quiet {
                writeln!(streams.stdout, "{target}")?;
            }
            Ok(0)
        }
    }
}

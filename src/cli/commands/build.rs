//! `docker build`: the context goes to the daemon as a tar; the daemon's step output
//! comes back as a stream and is printed as it arrives.

use crate::cli::args::BuildArgs;
use crate::cli::format::human_size_precision;
use crate::cli::parse::Verb;
use crate::cli::{Cli, CliError};
use crate::engine::build::{BuildMessage, BuildOptions};
use crate::engine::reference;
use crate::engine::streams::Streams;

/// What Docker 28 prints when it falls back to the classic builder.
const LEGACY_NOTICE: &str =
    "DEPRECATED: The legacy builder is deprecated and will be removed in a future release.
            Install the buildx component to build images with BuildKit:
            https://docs.docker.com/go/buildx/
";
const LEGACY_NOTICE_DISABLED: &str =
    "DEPRECATED: The legacy builder is deprecated and will be removed in a future release.
            BuildKit is currently disabled; enable it by removing the DOCKER_BUILDKIT=0
            environment-variable.
";

pub fn build(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: BuildArgs = verb.parse(raw)?;
    let env = |name: &str| {
        cli.env
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let buildkit_env = env("DOCKER_BUILDKIT");
    let buildkit = args.progress.is_some()
        || verb.path == "docker buildx build"
        || matches!(buildkit_env.as_deref(), Some("1") | Some("true"));
    for tag in &args.tag {
        if let Err(e) = reference::parse_normalized(tag) {
            return Err(CliError::Message {
                text: format!(
                    "invalid argument \"{tag}\" for \"-t, --tag\" flag: {e}\nSee 'docker build --help'."
                ),
                code: 125,
            });
        }
    }
    let context_dir = args.args[0].clone();
    let (context, dockerfile) = cli
        .files
        .context_tar(&context_dir, args.file.as_deref())
        .map_err(|e| CliError::message(format!("unable to prepare context: {e}")))?;
    if !buildkit {
        let notice = if buildkit_env.is_some() {
            LEGACY_NOTICE_DISABLED
        } else {
            LEGACY_NOTICE
        };
        writeln!(streams.stderr, "{notice}")?;
        if !args.quiet {
            // The CLI's progress line, finished with the carriage returns it leaves.
            write!(
                streams.stdout,
                "Sending build context to Docker daemon  {}\r\r\n",
                human_size_precision(context.len() as f64, 4)
            )?;
        }
    }
    let build_args = args
        .build_arg
        .iter()
        .map(|a| match a.split_once('=') {
            Some((k, v)) => (k.to_string(), Some(v.to_string())),
            None => (a.clone(), env(a)),
        })
        .collect();
    let options = BuildOptions {
        tags: args.tag.clone(),
        dockerfile,
        build_args,
        no_cache: args.no_cache,
        target: args.target.clone(),
        quiet: args.quiet,
        buildkit,
    };
    let mut failure: Option<(String, i64)> = None;
    let mut write_error = None;
    // BuildKit writes its progress to stderr; the classic builder's steps go to stdout.
    let out: &mut dyn std::io::Write = if buildkit {
        &mut *streams.stderr
    } else {
        &mut *streams.stdout
    };
    let result = cli
        .backend
        .build_image(&context, &options, &mut |message: &BuildMessage| {
            if let Some(detail) = &message.error_detail {
                failure = Some((detail.message.clone(), detail.code.unwrap_or(1)));
                return;
            }
            if let Some(text) = &message.stream
                && !options.quiet
                && let Err(e) = out.write_all(text.as_bytes())
            {
                write_error.get_or_insert(e);
            }
        });
    if let Some(e) = write_error {
        return Err(e.into());
    }
    if let Some((message, code)) = failure {
        return Err(CliError::Message {
            text: message,
            code: code as i32,
        });
    }
    let id = result?;
    if args.quiet {
        writeln!(streams.stdout, "{id}")?;
    }
    Ok(0)
}

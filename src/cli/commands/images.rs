//! `docker images`, `docker tag`, `docker image inspect`, `docker history`.

use super::{Row, filters, go_json_indent, go_time, print_ids, print_rows};
use crate::backend::ListImagesOptions;
use crate::cli::args::{HistoryArgs, ImagesArgs, InspectArgs, LoadArgs, SaveArgs, TagArgs};
use crate::cli::format::{ellipsis, human_duration, human_size, truncate_id};
use crate::cli::parse::Verb;
use crate::cli::{Cli, CliError, daemon_error_text};
use crate::engine::reference;
use crate::engine::streams::Streams;
use bollard_stubs::models::ImageSummary;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::io::Write;

const IMAGES_TABLE: &str =
    "table {{.Repository}}\\t{{.Tag}}\\t{{.ID}}\\t{{.CreatedSince}}\\t{{.Size}}";
const IMAGES_DIGESTS_TABLE: &str =
    "table {{.Repository}}\\t{{.Tag}}\\t{{.Digest}}\\t{{.ID}}\\t{{.CreatedSince}}\\t{{.Size}}";
const IMAGE_HEADERS: &[(&str, &str)] = &[
    ("ID", "IMAGE ID"),
    ("Repository", "REPOSITORY"),
    ("Tag", "TAG"),
    ("Digest", "DIGEST"),
    ("CreatedSince", "CREATED"),
    ("CreatedAt", "CREATED AT"),
    ("Size", "SIZE"),
    ("Containers", "CONTAINERS"),
    ("SharedSize", "SHARED SIZE"),
    ("UniqueSize", "UNIQUE SIZE"),
    ("VirtualSize", "VIRTUAL SIZE"),
];

pub fn list(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: ImagesArgs = verb.parse(raw)?;
    let mut filter = filters(&args.filter)?;
    if let Some(r) = args.args.first() {
        filter
            .entry("reference".into())
            .or_default()
            .push(r.clone());
    }
    let images = cli.backend.list_images(&ListImagesOptions {
        all: args.all,
        filters: filter,
        digests: args.digests,
    })?;
    let now = cli.clock.now();
    let mut rows = Vec::new();
    for image in &images {
        for (repo, tag, digest) in image_rows(image, args.digests) {
            rows.push(image_row(image, &repo, &tag, &digest, !args.no_trunc, now));
        }
    }
    if args.quiet {
        print_ids(streams.stdout, &rows)?;
        return Ok(0);
    }
    let table = if args.digests {
        IMAGES_DIGESTS_TABLE
    } else {
        IMAGES_TABLE
    };
    print_rows(
        streams.stdout,
        args.format.as_deref(),
        table,
        IMAGE_HEADERS,
        &rows,
        "template parsing error: ",
    )?;
    Ok(0)
}

/// The CLI's `imageFormatTaggedAndDigest`: a row per repository and tag, digests beside
/// their repository's tags when asked for, digest-only repositories on rows of their own.
fn image_rows(image: &ImageSummary, show_digests: bool) -> Vec<(String, String, String)> {
    let dangling = image.repo_tags.iter().all(|t| t == "<none>:<none>")
        && image.repo_digests.iter().all(|d| d == "<none>@<none>");
    if dangling {
        return vec![("<none>".into(), "<none>".into(), "<none>".into())];
    }
    let mut tags: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut digests: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for t in &image.repo_tags {
        if let Ok(r) = reference::parse_normalized(t)
            && let Some(tag) = r.tag()
        {
            tags.entry(r.familiar_name())
                .or_default()
                .push(tag.to_string());
        }
    }
    for d in &image.repo_digests {
        if let Ok(r) = reference::parse_normalized(d)
            && let Some(digest) = r.digest()
        {
            digests
                .entry(r.familiar_name())
                .or_default()
                .push(digest.to_string());
        }
    }
    let mut out = Vec::new();
    for (repo, repo_tags) in &tags {
        let repo_digests = digests
            .remove(repo)
            .filter(|_| show_digests)
            .unwrap_or_default();
        for tag in repo_tags {
            if repo_digests.is_empty() {
                out.push((repo.clone(), tag.clone(), "<none>".into()));
            }
            for d in &repo_digests {
                out.push((repo.clone(), tag.clone(), d.clone()));
            }
        }
    }
    for (repo, repo_digests) in digests {
        if show_digests {
            for d in repo_digests {
                out.push((repo.clone(), "<none>".into(), d));
            }
        } else {
            out.push((repo, "<none>".into(), String::new()));
        }
    }
    out
}

fn image_row(
    image: &ImageSummary,
    repo: &str,
    tag: &str,
    digest: &str,
    trunc: bool,
    now: chrono::DateTime<chrono::Utc>,
) -> Row {
    let id = if trunc {
        truncate_id(&image.id).to_string()
    } else {
        image.id.clone()
    };
    let created = chrono::DateTime::from_timestamp(image.created, 0).unwrap_or_default();
    let or_na = |n: i64, f: fn(i64) -> String| if n < 0 { "N/A".to_string() } else { f(n) };
    let mut fields = Map::new();
    fields.insert(
        "Containers".into(),
        json!(or_na(image.containers, |n| n.to_string())),
    );
    fields.insert("CreatedAt".into(), json!(go_time(image.created)));
    fields.insert(
        "CreatedSince".into(),
        json!(crate::cli::format::time_ago(created, now)),
    );
    fields.insert("Digest".into(), json!(digest));
    fields.insert("ID".into(), json!(id));
    fields.insert("Repository".into(), json!(repo));
    fields.insert(
        "SharedSize".into(),
        json!(or_na(image.shared_size, human_size)),
    );
    fields.insert("Size".into(), json!(human_size(image.size)));
    fields.insert("Tag".into(), json!(tag));
    let unique = if image.shared_size < 0 {
        -1
    } else {
        image.size - image.shared_size
    };
    fields.insert("UniqueSize".into(), json!(or_na(unique, human_size)));
    fields.insert("VirtualSize".into(), json!(human_size(image.size)));
    Row {
        type_name: "*formatter.ImageContext",
        fields,
    }
}

pub fn tag(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    _streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: TagArgs = verb.parse(raw)?;
    let (source, target) = (&args.args[0], &args.args[1]);
    let parsed = reference::parse_normalized(target).map_err(|e| {
        CliError::message(format!(
            "Error parsing reference: \"{target}\" is not a valid repository/tag: {e}"
        ))
    })?;
    let tag = parsed.tag().unwrap_or("latest").to_string();
    let repo = parsed.full_name();
    cli.backend.tag_image(source, &repo, &tag)?;
    Ok(0)
}

pub fn inspect(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: InspectArgs = verb.parse(raw)?;
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for name in &args.args {
        match cli.backend.inspect_image(name) {
            Ok(image) => found.push(serde_json::to_value(image).map_err(std::io::Error::other)?),
            Err(e) => errors.push(daemon_error_text(&e)),
        }
    }
    print_inspected(streams.stdout, &found, args.format.as_deref())?;
    finish_with_errors(streams.stderr, errors)
}

/// `docker inspect`'s output: the JSON array, or each object through `--format`.
pub(super) fn print_inspected(
    out: &mut dyn Write,
    values: &[Value],
    format: Option<&str>,
) -> Result<(), CliError> {
    let mut values = values.to_vec();
    values
        .iter_mut()
        .for_each(crate::engine::build::config::sort_maps);
    let values = &values[..];
    match format.filter(|f| !f.is_empty()) {
        None | Some("json") => {
            writeln!(out, "{}", go_json_indent(&Value::Array(values.to_vec())))?;
        }
        Some(template) => {
            let template = crate::cli::format::Template::parse("", template)
                .map_err(|e| CliError::message(format!("template parsing error: {e}")))?;
            // As the CLI's raw fallback: each object that fails is reported and the
            // others still printed; a newline stands for no output at all.
            let mut failures = Vec::new();
            let mut printed = false;
            for value in values {
                let fields = value.as_object().cloned().unwrap_or_default();
                let row = Row {
                    type_name: "map[string]interface {}",
                    fields,
                };
                match template.execute_strict(&row) {
                    Ok(text) => {
                        writeln!(out, "{text}")?;
                        printed = true;
                    }
                    Err(e) => failures.push(format!("template parsing error: {e}")),
                }
            }
            if !failures.is_empty() {
                if !printed {
                    writeln!(out)?;
                }
                return Err(CliError::message(failures.join("\n")));
            }
        }
    }
    Ok(())
}

/// Prints each collected error and fails when there was any, as the CLI's multi-object
/// commands do after doing what they could.
pub(super) fn finish_with_errors(
    err: &mut dyn Write,
    errors: Vec<String>,
) -> Result<i32, CliError> {
    if errors.is_empty() {
        return Ok(0);
    }
    for e in &errors {
        writeln!(err, "{e}")?;
    }
    Ok(1)
}

const HISTORY_TABLE: &str =
    "table {{.ID}}\\t{{.CreatedSince}}\\t{{.CreatedBy}}\\t{{.Size}}\\t{{.Comment}}";
const HISTORY_HEADERS: &[(&str, &str)] = &[
    ("ID", "IMAGE"),
    ("CreatedSince", "CREATED"),
    ("CreatedAt", "CREATED AT"),
    ("CreatedBy", "CREATED BY"),
    ("Size", "SIZE"),
    ("Comment", "COMMENT"),
];

pub fn history(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: HistoryArgs = verb.parse(raw)?;
    let rows_in = cli.backend.image_history(&args.args[0])?;
    let now = cli.clock.now();
    let trunc = !args.no_trunc;
    let rows: Vec<Row> = rows_in
        .iter()
        .map(|h| {
            let id = if h.id == "<missing>" || !trunc {
                h.id.clone()
            } else {
                truncate_id(&h.id).to_string()
            };
            let created = chrono::DateTime::from_timestamp(h.created, 0).unwrap_or_default();
            let created_since = if args.human {
                format!("{} ago", human_duration(now - created))
            } else {
                created.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            };
            let created_by = h.created_by.replace('\t', " ");
            let created_by = if trunc {
                ellipsis(&created_by, 45)
            } else {
                created_by
            };
            let size = if args.human {
                human_size(h.size)
            } else {
                h.size.to_string()
            };
            let mut fields = Map::new();
            fields.insert("Comment".into(), json!(h.comment));
            fields.insert(
                "CreatedAt".into(),
                json!(created.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            );
            fields.insert("CreatedBy".into(), json!(created_by));
            fields.insert("CreatedSince".into(), json!(created_since));
            fields.insert("ID".into(), json!(id));
            fields.insert("Size".into(), json!(size));
            Row {
                type_name: "*formatter.historyContext",
                fields,
            }
        })
        .collect();
    if args.quiet {
        print_ids(streams.stdout, &rows)?;
        return Ok(0);
    }
    print_rows(
        streams.stdout,
        args.format.as_deref(),
        HISTORY_TABLE,
        HISTORY_HEADERS,
        &rows,
        "template parsing error: ",
    )?;
    Ok(0)
}

/// `docker save`: the images as one tar, to `-o FILE` or to stdout.
pub fn save(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: SaveArgs = verb.parse(raw)?;
    let archive = cli.backend.save_images(&args.args)?;
    write_archive(cli, args.output.as_deref(), &archive, streams)
}

/// An archive to `-o FILE` in the workspace, or to stdout: `docker save`, `export`.
pub(super) fn write_archive(
    cli: &mut Cli<'_>,
    output: Option<&str>,
    archive: &[u8],
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    match output {
        Some(path) => cli
            .files
            .write_file(path, archive)
            .map_err(CliError::message)?,
        None => streams.stdout.write_all(archive)?,
    }
    Ok(0)
}

/// `docker load`: images from a `docker save` tar, from `-i FILE` or from stdin.
pub fn load(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: LoadArgs = verb.parse(raw)?;
    let archive = match &args.input {
        Some(path) => cli.files.read_file(path).map_err(CliError::message)?,
        None if streams.stdin.is_empty() => {
            return Err(CliError::message(
                "requested load from stdin, but stdin is empty",
            ));
        }
        None => streams.stdin.to_vec(),
    };
    for line in cli.backend.load_images(&archive)? {
        writeln!(streams.stdout, "{line}")?;
    }
    Ok(0)
}

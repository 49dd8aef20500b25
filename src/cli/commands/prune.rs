//! `docker image prune` and `docker system prune`: what they remove, in the CLI's order
//! and words, over the backend's own list and remove calls. The space reclaimed is what
//! the backend's disk usage says its layers took before and after, so it counts only
//! layers no image kept.

use super::confirmed;
use crate::cli::args::{ImagePruneArgs, SystemPruneArgs};
use crate::cli::parse::Verb;
use crate::cli::{Cli, CliError};
use crate::engine::streams::Streams;
use bollard_stubs::models::ImageDeleteResponseItem;

/// Removes the unused images (`all`) or only the dangling ones; the CLI's report lines
/// (`untagged: ...`, `deleted: sha256:...`) and the bytes reclaimed.
fn prune_images(cli: &mut Cli<'_>, all: bool) -> Result<(Vec<String>, u64), CliError> {
    let before = cli.backend.disk_usage()?.layers_size.max(0) as u64;
    let used: Vec<String> = cli
        .backend
        .list_containers(&crate::backend::ListContainersOptions {
            all: true,
            ..Default::default()
        })?
        .into_iter()
        .filter_map(|c| c.image_id)
        .collect();
    let mut filters = crate::backend::Filters::new();
    if !all {
        filters.insert("dangling".into(), vec!["true".into()]);
    }
    let images = cli
        .backend
        .list_images(&crate::backend::ListImagesOptions {
            all: false,
            filters,
            digests: false,
        })?;
    let mut lines = Vec::new();
    for image in images {
        if used.contains(&image.id) {
            continue;
        }
        // A tagged image goes tag by tag, as the daemon's prune untags each reference.
        let tags: Vec<String> = image
            .repo_tags
            .iter()
            .filter(|t| t.as_str() != "<none>:<none>")
            .cloned()
            .collect();
        let targets = if tags.is_empty() {
            vec![image.id.clone()]
        } else {
            tags
        };
        for target in targets {
            match cli.backend.remove_image(&target, false, false) {
                Ok(items) => lines.extend(items.iter().map(report_line)),
                // In use after all (a child image, a container made meanwhile): kept.
                Err(e) if e.status() == Some(409) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
    let after = cli.backend.disk_usage()?.layers_size.max(0) as u64;
    Ok((lines, before.saturating_sub(after)))
}

fn report_line(item: &ImageDeleteResponseItem) -> String {
    match (&item.untagged, &item.deleted) {
        (Some(u), _) => format!("untagged: {u}"),
        (_, Some(d)) => format!("deleted: {d}"),
        _ => String::new(),
    }
}

fn human(bytes: u64) -> String {
    crate::cli::format::human_size_precision(bytes as f64, 4)
}

pub fn image(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    mut streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: ImagePruneArgs = verb.parse(raw)?;
    let question = if args.all {
        "WARNING! This will remove all images without at least one container associated to them."
    } else {
        "WARNING! This will remove all dangling images."
    };
    if !args.force && !confirmed(&mut streams, question)? {
        return Ok(0);
    }
    let (lines, reclaimed) = prune_images(cli, args.all)?;
    if !lines.is_empty() {
        writeln!(streams.stdout, "Deleted Images:")?;
        for line in &lines {
            writeln!(streams.stdout, "{line}")?;
        }
        writeln!(streams.stdout)?;
    }
    writeln!(
        streams.stdout,
        "Total reclaimed space: {}",
        human(reclaimed)
    )?;
    Ok(0)
}

pub fn system(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    mut streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: SystemPruneArgs = verb.parse(raw)?;
    let mut warnings = vec![
        "all stopped containers",
        "all networks not used by at least one container",
    ];
    if args.volumes {
        warnings.push("all anonymous volumes not used by at least one container");
    }
    if args.all {
        warnings.push("all images without at least one container associated to them");
        warnings.push("all build cache");
    } else {
        warnings.push("all dangling images");
        warnings.push("unused build cache");
    }
    let mut question = "WARNING! This will remove:".to_string();
    for w in &warnings {
        question.push_str("\n  - ");
        question.push_str(w);
    }
    question.push('\n');
    if !args.force && !confirmed(&mut streams, &question)? {
        return Ok(0);
    }
    let mut reclaimed = 0u64;
    let containers = cli.backend.prune_containers()?;
    if !containers.is_empty() {
        writeln!(streams.stdout, "Deleted Containers:")?;
        for id in &containers {
            writeln!(streams.stdout, "{id}")?;
        }
        writeln!(streams.stdout)?;
    }
    let networks = cli.backend.prune_networks(&Default::default())?;
    if !networks.is_empty() {
        writeln!(streams.stdout, "Deleted Networks:")?;
        for name in &networks {
            writeln!(streams.stdout, "{name}")?;
        }
        writeln!(streams.stdout)?;
    }
    if args.volumes {
        let (volumes, bytes) = cli.backend.prune_volumes(false)?;
        reclaimed += bytes;
        if !volumes.is_empty() {
            writeln!(streams.stdout, "Deleted Volumes:")?;
            for name in &volumes {
                writeln!(streams.stdout, "{name}")?;
            }
            writeln!(streams.stdout)?;
        }
    }
    let (lines, bytes) = prune_images(cli, args.all)?;
    reclaimed += bytes;
    if !lines.is_empty() {
        writeln!(streams.stdout, "Deleted Images:")?;
        for line in &lines {
            writeln!(streams.stdout, "{line}")?;
        }
        writeln!(streams.stdout)?;
    }
    writeln!(
        streams.stdout,
        "Total reclaimed space: {}",
        human(reclaimed)
    )?;
    Ok(0)
}

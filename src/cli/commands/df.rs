//! `docker system df`: the summary table (or `-v`, a table per kind) from the daemon's
//! disk usage report, with the CLI's mix of precisions: totals in four significant
//! digits (`3.965MB`), image sizes in three (`1.98MB`).

use super::{Row, print_rows};
use crate::backend::DiskUsage;
use crate::cli::args::DfArgs;
use crate::cli::format::{command_column, human_size, human_size_precision, time_ago, truncate_id};
use crate::cli::parse::Verb;
use crate::cli::{Cli, CliError};
use crate::engine::streams::Streams;
use serde_json::{Map, json};

const SUMMARY_TABLE: &str =
    "table {{.Type}}\\t{{.TotalCount}}\\t{{.Active}}\\t{{.Size}}\\t{{.Reclaimable}}";
const SUMMARY_HEADERS: &[(&str, &str)] = &[
    ("Type", "TYPE"),
    ("TotalCount", "TOTAL"),
    ("Active", "ACTIVE"),
    ("Size", "SIZE"),
    ("Reclaimable", "RECLAIMABLE"),
];
const IMAGE_TABLE: &str = "table {{.Repository}}\\t{{.Tag}}\\t{{.ID}}\\t{{.CreatedSince}}\\t{{.Size}}\\t{{.SharedSize}}\\t{{.UniqueSize}}\\t{{.Containers}}";
const IMAGE_HEADERS: &[(&str, &str)] = &[
    ("Repository", "REPOSITORY"),
    ("Tag", "TAG"),
    ("ID", "IMAGE ID"),
    ("CreatedSince", "CREATED"),
    ("Size", "SIZE"),
    ("SharedSize", "SHARED SIZE"),
    ("UniqueSize", "UNIQUE SIZE"),
    ("Containers", "CONTAINERS"),
];
const CONTAINER_TABLE: &str = "table {{.ID}}\\t{{.Image}}\\t{{.Command}}\\t{{.LocalVolumes}}\\t{{.Size}}\\t{{.RunningFor}}\\t{{.Status}}\\t{{.Names}}";
const CONTAINER_HEADERS: &[(&str, &str)] = &[
    ("ID", "CONTAINER ID"),
    ("Image", "IMAGE"),
    ("Command", "COMMAND"),
    ("LocalVolumes", "LOCAL VOLUMES"),
    ("Size", "SIZE"),
    ("RunningFor", "CREATED"),
    ("Status", "STATUS"),
    ("Names", "NAMES"),
];
const VOLUME_TABLE: &str = "table {{.Name}}\\t{{.Links}}\\t{{.Size}}";
const VOLUME_HEADERS: &[(&str, &str)] = &[
    ("Name", "VOLUME NAME"),
    ("Links", "LINKS"),
    ("Size", "SIZE"),
];
const CACHE_TABLE: &str = "table {{.ID}}\\t{{.CacheType}}\\t{{.Size}}\\t{{.CreatedSince}}\\t{{.LastUsedSince}}\\t{{.UsageCount}}\\t{{.Shared}}";
const CACHE_HEADERS: &[(&str, &str)] = &[
    ("ID", "CACHE ID"),
    ("CacheType", "CACHE TYPE"),
    ("Size", "SIZE"),
    ("CreatedSince", "CREATED"),
    ("LastUsedSince", "LAST USED"),
    ("UsageCount", "USAGE"),
    ("Shared", "SHARED"),
];

/// go-units `HumanSize`: four significant digits.
fn total_size(size: i64) -> String {
    human_size_precision(size as f64, 4)
}

/// `1.2MB (50%)`, or just the size when there is nothing at all.
fn reclaimable(reclaimable: i64, total: i64) -> String {
    if total > 0 {
        format!(
            "{} ({}%)",
            total_size(reclaimable),
            reclaimable * 100 / total
        )
    } else {
        total_size(reclaimable)
    }
}

fn row(fields: Map<String, serde_json::Value>) -> Row {
    Row {
        type_name: "*formatter.diskUsageContext",
        fields,
    }
}

pub fn df(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: DfArgs = verb.parse(raw)?;
    let usage = cli.backend.disk_usage()?;
    if args.verbose && args.format.is_none() {
        return verbose(cli, &usage, streams);
    }
    let rows = summary(&usage);
    print_rows(
        streams.stdout,
        args.format.as_deref(),
        SUMMARY_TABLE,
        SUMMARY_HEADERS,
        &rows,
        "template: ",
    )?;
    Ok(0)
}

/// The four summary rows: images, containers, local volumes, build cache.
fn summary(usage: &DiskUsage) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut push = |kind: &str, total: usize, active: usize, size: String, free: String| {
        let mut fields = Map::new();
        fields.insert("Type".into(), json!(kind));
        fields.insert("TotalCount".into(), json!(total.to_string()));
        fields.insert("Active".into(), json!(active.to_string()));
        fields.insert("Size".into(), json!(size));
        fields.insert("Reclaimable".into(), json!(free));
        rows.push(row(fields));
    };

    let used: i64 = usage
        .images
        .iter()
        .filter(|i| i.containers > 0)
        .map(|i| i.size - i.shared_size)
        .sum();
    push(
        "Images",
        usage.images.len(),
        usage.images.iter().filter(|i| i.containers > 0).count(),
        total_size(usage.layers_size),
        reclaimable(usage.layers_size - used, usage.layers_size),
    );

    let is_active = |state: &str| matches!(state, "running" | "paused" | "restarting");
    let sizes: Vec<(bool, i64)> = usage
        .containers
        .iter()
        .map(|c| {
            let state = c.state.map(|s| s.to_string()).unwrap_or_default();
            (is_active(&state), c.size_rw.unwrap_or(0))
        })
        .collect();
    let total: i64 = sizes.iter().map(|(_, s)| s).sum();
    let idle: i64 = sizes.iter().filter(|(a, _)| !a).map(|(_, s)| s).sum();
    push(
        "Containers",
        sizes.len(),
        sizes.iter().filter(|(a, _)| *a).count(),
        total_size(total),
        reclaimable(idle, total),
    );

    let volumes: Vec<(i64, i64)> = usage
        .volumes
        .iter()
        .map(|v| {
            let data = v.usage_data.as_ref();
            (
                data.map_or(0, |d| d.ref_count),
                data.map_or(0, |d| d.size.max(0)),
            )
        })
        .collect();
    let total: i64 = volumes.iter().map(|(_, s)| s).sum();
    let unused: i64 = volumes
        .iter()
        .filter(|(r, _)| *r == 0)
        .map(|(_, s)| s)
        .sum();
    push(
        "Local Volumes",
        volumes.len(),
        volumes.iter().filter(|(r, _)| *r > 0).count(),
        total_size(total),
        reclaimable(unused, total),
    );

    push(
        "Build Cache",
        usage.build_cache.len(),
        0,
        total_size(0),
        total_size(0),
    );
    rows
}

/// `docker system df -v`: a table for each kind.
fn verbose(cli: &mut Cli<'_>, usage: &DiskUsage, streams: Streams<'_>) -> Result<i32, CliError> {
    let now = cli.clock.now();
    let out = streams.stdout;
    let since = |unix: i64| {
        time_ago(
            chrono::DateTime::from_timestamp(unix, 0).unwrap_or_default(),
            now,
        )
    };

    writeln!(out, "Images space usage:\n")?;
    let images: Vec<Row> = usage
        .images
        .iter()
        .map(|i| {
            let (repo, tag) = i
                .repo_tags
                .first()
                .filter(|t| *t != "<none>:<none>")
                .and_then(|t| t.rsplit_once(':'))
                .map_or(("<none>".to_string(), "<none>".to_string()), |(r, t)| {
                    (r.to_string(), t.to_string())
                });
            let mut fields = Map::new();
            fields.insert("Repository".into(), json!(repo));
            fields.insert("Tag".into(), json!(tag));
            fields.insert("ID".into(), json!(truncate_id(&i.id)));
            fields.insert("CreatedSince".into(), json!(since(i.created)));
            fields.insert("Size".into(), json!(human_size(i.size)));
            fields.insert("SharedSize".into(), json!(total_size(i.shared_size)));
            fields.insert(
                "UniqueSize".into(),
                json!(total_size(i.size - i.shared_size)),
            );
            fields.insert("Containers".into(), json!(i.containers.to_string()));
            row(fields)
        })
        .collect();
    print_rows(out, None, IMAGE_TABLE, IMAGE_HEADERS, &images, "template: ")?;

    writeln!(out, "\nContainers space usage:\n")?;
    let containers: Vec<Row> = usage
        .containers
        .iter()
        .map(|c| {
            let names: Vec<String> = c
                .names
                .iter()
                .flatten()
                .map(|n| n.trim_start_matches('/').to_string())
                .collect();
            let volumes = c
                .mounts
                .iter()
                .flatten()
                .filter(|m| m.typ.as_deref() == Some("volume"))
                .count();
            let mut fields = Map::new();
            fields.insert(
                "ID".into(),
                json!(truncate_id(c.id.as_deref().unwrap_or(""))),
            );
            fields.insert("Image".into(), json!(c.image.clone().unwrap_or_default()));
            fields.insert(
                "Command".into(),
                json!(command_column(c.command.as_deref().unwrap_or(""), false)),
            );
            fields.insert("LocalVolumes".into(), json!(volumes.to_string()));
            fields.insert("Size".into(), json!(human_size(c.size_rw.unwrap_or(0))));
            fields.insert("RunningFor".into(), json!(since(c.created.unwrap_or(0))));
            fields.insert("Status".into(), json!(c.status.clone().unwrap_or_default()));
            fields.insert("Names".into(), json!(names.join(",")));
            row(fields)
        })
        .collect();
    print_rows(
        out,
        None,
        CONTAINER_TABLE,
        CONTAINER_HEADERS,
        &containers,
        "template: ",
    )?;

    writeln!(out, "\nLocal Volumes space usage:\n")?;
    let volumes: Vec<Row> = usage
        .volumes
        .iter()
        .map(|v| {
            let data = v.usage_data.as_ref();
            let mut fields = Map::new();
            fields.insert("Name".into(), json!(v.name));
            fields.insert(
                "Links".into(),
                json!(data.map_or(0, |d| d.ref_count).to_string()),
            );
            fields.insert(
                "Size".into(),
                json!(match data.map_or(-1, |d| d.size) {
                    -1 => "N/A".to_string(),
                    size => total_size(size),
                }),
            );
            row(fields)
        })
        .collect();
    print_rows(
        out,
        None,
        VOLUME_TABLE,
        VOLUME_HEADERS,
        &volumes,
        "template: ",
    )?;

    writeln!(out, "\nBuild cache usage: {}\n", total_size(0))?;
    print_rows(out, None, CACHE_TABLE, CACHE_HEADERS, &[], "template: ")?;
    Ok(0)
}

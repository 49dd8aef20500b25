//! `docker volume create | ls | inspect | rm | prune`.

use super::images::finish_with_errors;
use super::{Row, go_json_indent, print_ids, print_rows};
use crate::cli::args::{
    VolumeCreateArgs, VolumeInspectArgs, VolumeLsArgs, VolumePruneArgs, VolumeRmArgs,
};
use crate::cli::parse::Verb;
use crate::cli::{Cli, CliError, daemon_error_text};
use crate::engine::streams::Streams;
use bollard_stubs::models::Volume;
use serde_json::{Map, json};

const LS_TABLE: &str = "table {{.Driver}}\\t{{.Name}}";
const LS_HEADERS: &[(&str, &str)] = &[
    ("Driver", "DRIVER"),
    ("Name", "VOLUME NAME"),
    ("Scope", "SCOPE"),
    ("Mountpoint", "MOUNTPOINT"),
    ("Labels", "LABELS"),
    ("Links", "LINKS"),
    ("Size", "SIZE"),
];

pub fn create(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: VolumeCreateArgs = verb.parse(raw)?;
    let labels = args
        .label
        .iter()
        .map(|l| {
            let (k, v) = l.split_once('=').unwrap_or((l, ""));
            (k.to_string(), v.to_string())
        })
        .collect();
    let volume = cli
        .backend
        .create_volume(args.args.first().map(String::as_str), labels)?;
    writeln!(streams.stdout, "{}", volume.name)?;
    Ok(0)
}

pub fn ls(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: VolumeLsArgs = verb.parse(raw)?;
    let mut volumes = cli.backend.list_volumes()?;
    volumes.sort_by(|a, b| a.name.cmp(&b.name));
    let rows: Vec<Row> = volumes
        .iter()
        .map(|v| {
            let mut labels: Vec<String> =
                v.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
            labels.sort();
            let mut fields = Map::new();
            fields.insert("Driver".into(), json!(v.driver));
            fields.insert("Name".into(), json!(v.name));
            fields.insert("ID".into(), json!(v.name));
            fields.insert("Scope".into(), json!("local"));
            fields.insert("Mountpoint".into(), json!(v.mountpoint));
            fields.insert("Labels".into(), json!(labels.join(",")));
            fields.insert("Links".into(), json!("N/A"));
            fields.insert("Size".into(), json!("N/A"));
            Row {
                type_name: "*formatter.volumeContext",
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
        LS_TABLE,
        LS_HEADERS,
        &rows,
        "template: ",
    )?;
    Ok(0)
}

/// A volume as `docker volume inspect` prints it: the daemon's object, with Go's
/// `null` for empty maps.
fn inspected(v: &Volume) -> serde_json::Value {
    let map_or_null = |m: &std::collections::HashMap<String, String>| {
        if m.is_empty() {
            serde_json::Value::Null
        } else {
            json!(m)
        }
    };
    let created = serde_json::to_value(v)
        .ok()
        .and_then(|j| j.get("CreatedAt").cloned())
        .unwrap_or_default();
    json!({
        "CreatedAt": created,
        "Driver": v.driver,
        "Labels": map_or_null(&v.labels),
        "Mountpoint": v.mountpoint,
        "Name": v.name,
        "Options": map_or_null(&v.options),
        "Scope": "local",
    })
}

pub fn inspect(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: VolumeInspectArgs = verb.parse(raw)?;
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for name in &args.args {
        match cli.backend.inspect_volume(name) {
            Ok(v) => found.push(inspected(&v)),
            Err(e) => errors.push(daemon_error_text(&e)),
        }
    }
    match args.format.as_deref() {
        Some(f) => super::images::print_inspected(streams.stdout, &found, Some(f))?,
        None => writeln!(streams.stdout, "{}", go_json_indent(&json!(found)))?,
    }
    finish_with_errors(streams.stderr, errors)
}

pub fn rm(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: VolumeRmArgs = verb.parse(raw)?;
    let force = args.force;
    super::containers::for_each_name(cli, &args.args, streams, |cli, name| {
        cli.backend.remove_volume(name, force)
    })
}

/// `docker volume prune`: asks first unless `-f`; anonymous volumes only unless `-a`.
pub fn prune(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    mut streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: VolumePruneArgs = verb.parse(raw)?;
    let which = if args.all { "all" } else { "anonymous" };
    let question = format!(
        "WARNING! This will remove {which} local volumes not used by at least one container."
    );
    if !args.force && !super::confirmed(&mut streams, &question)? {
        return Ok(0);
    }
    let (removed, reclaimed) = cli.backend.prune_volumes(args.all)?;
    if !removed.is_empty() {
        writeln!(streams.stdout, "Deleted Volumes:")?;
        for name in &removed {
            writeln!(streams.stdout, "{name}")?;
        }
        writeln!(streams.stdout)?;
    }
    writeln!(
        streams.stdout,
        "Total reclaimed space: {}",
        crate::cli::format::human_size_precision(reclaimed as f64, 4)
    )?;
    Ok(0)
}

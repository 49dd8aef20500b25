//! `docker network create | ls | inspect | rm | connect | disconnect | prune`.

use super::images::finish_with_errors;
use super::{Row, go_json_indent, print_ids, print_rows};
use crate::cli::args::{
    NetworkConnectArgs, NetworkCreateArgs, NetworkDisconnectArgs, NetworkInspectArgs,
    NetworkLsArgs, NetworkPruneArgs, NetworkRmArgs,
};
use crate::cli::parse::Verb;
use crate::cli::{Cli, CliError, daemon_error_text};
use crate::engine::streams::Streams;
use bollard_stubs::models::{
    EndpointIpamConfig, EndpointSettings, Ipam, IpamConfig, NetworkCreateRequest, NetworkInspect,
};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

const LS_TABLE: &str = "table {{.ID}}\\t{{.Name}}\\t{{.Driver}}\\t{{.Scope}}";
const LS_HEADERS: &[(&str, &str)] = &[
    ("ID", "NETWORK ID"),
    ("Name", "NAME"),
    ("Driver", "DRIVER"),
    ("Scope", "SCOPE"),
    ("IPv4", "IPV4"),
    ("IPv6", "IPV6"),
    ("Internal", "INTERNAL"),
    ("Labels", "LABELS"),
    ("CreatedAt", "CREATED AT"),
];

/// `key=value` flags (`--label`, `-o`) into a map; a bare key maps to "".
fn key_values(flags: &[String]) -> HashMap<String, String> {
    flags
        .iter()
        .map(|l| {
            let (k, v) = l.split_once('=').unwrap_or((l, ""));
            (k.to_string(), v.to_string())
        })
        .collect()
}

pub fn create(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: NetworkCreateArgs = verb.parse(raw)?;
    if args.gateway.len() > args.subnet.len().max(1) || args.ip_range.len() > args.subnet.len() {
        let what = if args.gateway.len() > args.subnet.len() {
            "gateway"
        } else {
            "ip-range"
        };
        return Err(CliError::message(format!(
            "no matching subnet for {what} {}",
            if what == "gateway" {
                &args.gateway[0]
            } else {
                &args.ip_range[0]
            }
        )));
    }
    let configs: Vec<IpamConfig> = args
        .subnet
        .iter()
        .enumerate()
        .map(|(i, subnet)| IpamConfig {
            subnet: Some(subnet.clone()),
            gateway: args.gateway.get(i).cloned(),
            ip_range: args.ip_range.get(i).cloned(),
            ..Default::default()
        })
        .collect();
    let request = NetworkCreateRequest {
        name: args.args[0].clone(),
        driver: Some(args.driver.clone().unwrap_or_else(|| "bridge".into())),
        scope: args.scope.clone(),
        internal: Some(args.internal),
        attachable: Some(args.attachable),
        ipam: Some(Ipam {
            driver: Some(args.ipam_driver.clone().unwrap_or_else(|| "default".into())),
            config: Some(configs),
            options: Some(HashMap::new()),
        }),
        enable_ipv6: args.ipv6.then_some(true),
        options: Some(key_values(&args.opt)),
        labels: Some(key_values(&args.label)),
        ..Default::default()
    };
    let id = cli.backend.create_network(&request)?;
    writeln!(streams.stdout, "{id}")?;
    Ok(0)
}

/// Go's `time.Time.String()` of an RFC 3339 time: `2026-12-06 22:03:29.641875742 +0000 UTC`.
fn go_time_nanos(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| {
            let t = t.with_timezone(&chrono::Utc);
            let nanos = t.timestamp_subsec_nanos();
            let frac = if nanos == 0 {
                String::new()
            } else {
                format!(".{nanos:09}").trim_end_matches('0').to_string()
            };
            format!("{}{frac} +0000 UTC", t.format("%Y-%m-%d %H:%M:%S"))
        })
        .unwrap_or_default()
}

fn created_text(n: &NetworkInspect) -> String {
    serde_json::to_value(n)
        .ok()
        .and_then(|j| j.get("Created").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_default()
}

pub fn ls(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: NetworkLsArgs = verb.parse(raw)?;
    let filters = super::filters(&args.filter)?;
    let mut networks = cli.backend.list_networks(&filters)?;
    networks.sort_by(|a, b| natural_cmp(a.name.as_deref(), b.name.as_deref()));
    let rows: Vec<Row> = networks
        .iter()
        .map(|n| {
            let id = n.id.clone().unwrap_or_default();
            let id = if args.no_trunc {
                id
            } else {
                id.chars().take(12).collect()
            };
            let mut labels: Vec<String> = n
                .labels
                .iter()
                .flatten()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            labels.sort();
            let mut fields = Map::new();
            fields.insert("CreatedAt".into(), json!(go_time_nanos(&created_text(n))));
            fields.insert("Driver".into(), json!(n.driver.clone().unwrap_or_default()));
            fields.insert("ID".into(), json!(id));
            fields.insert(
                "IPv4".into(),
                json!(n.enable_ipv4.unwrap_or(false).to_string()),
            );
            fields.insert(
                "IPv6".into(),
                json!(n.enable_ipv6.unwrap_or(false).to_string()),
            );
            fields.insert(
                "Internal".into(),
                json!(n.internal.unwrap_or(false).to_string()),
            );
            fields.insert("Labels".into(), json!(labels.join(",")));
            fields.insert("Name".into(), json!(n.name.clone().unwrap_or_default()));
            fields.insert("Scope".into(), json!(n.scope.clone().unwrap_or_default()));
            Row {
                type_name: "*formatter.networkContext",
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

/// Go's `sortorder.NaturalLess`: runs of digits compare by value.
fn natural_cmp(a: Option<&str>, b: Option<&str>) -> std::cmp::Ordering {
    let (a, b) = (a.unwrap_or(""), b.unwrap_or(""));
    let (mut x, mut y) = (a.as_bytes(), b.as_bytes());
    loop {
        match (x.first(), y.first()) {
            (None, None) => return std::cmp::Ordering::Equal,
            (None, _) => return std::cmp::Ordering::Less,
            (_, None) => return std::cmp::Ordering::Greater,
            (Some(p), Some(q)) if p.is_ascii_digit() && q.is_ascii_digit() => {
                let n = x.iter().take_while(|c| c.is_ascii_digit()).count();
                let m = y.iter().take_while(|c| c.is_ascii_digit()).count();
                let (dx, dy) = (&x[..n], &y[..m]);
                let tx = dx.iter().skip_while(|c| **c == b'0').count();
                let ty = dy.iter().skip_while(|c| **c == b'0').count();
                let ord = tx
                    .cmp(&ty)
                    .then_with(|| dx[n - tx..].cmp(&dy[m - ty..]))
                    .then_with(|| n.cmp(&m));
                if ord != std::cmp::Ordering::Equal {
                    return ord;
                }
                x = &x[n..];
                y = &y[m..];
            }
            (Some(p), Some(q)) => {
                if p != q {
                    return p.cmp(q);
                }
                x = &x[1..];
                y = &y[1..];
            }
        }
    }
}

fn map_json(map: &Option<HashMap<String, String>>) -> Value {
    let mut sorted: Vec<(&String, &String)> = map.iter().flatten().collect();
    sorted.sort();
    Value::Object(
        sorted
            .into_iter()
            .map(|(k, v)| (k.clone(), json!(v)))
            .collect(),
    )
}

/// A network as `docker network inspect` prints it: the daemon's key order.
fn inspected(n: &NetworkInspect) -> Value {
    let ipam = n.ipam.clone().unwrap_or_default();
    let configs: Vec<Value> = ipam
        .config
        .iter()
        .flatten()
        .map(|c| {
            let mut o = Map::new();
            if let Some(s) = &c.subnet {
                o.insert("Subnet".into(), json!(s));
            }
            if let Some(r) = &c.ip_range {
                o.insert("IPRange".into(), json!(r));
            }
            if let Some(g) = &c.gateway {
                o.insert("Gateway".into(), json!(g));
            }
            Value::Object(o)
        })
        .collect();
    let mut members: Vec<(&String, &bollard_stubs::models::EndpointResource)> =
        n.containers.iter().flatten().collect();
    members.sort_by(|a, b| a.0.cmp(b.0));
    let containers: Map<String, Value> = members
        .into_iter()
        .map(|(id, e)| {
            (
                id.clone(),
                json!({
                    "Name": e.name.clone().unwrap_or_default(),
                    "EndpointID": e.endpoint_id.clone().unwrap_or_default(),
                    "MacAddress": e.mac_address.clone().unwrap_or_default(),
                    "IPv4Address": e.ipv4_address.clone().unwrap_or_default(),
                    "IPv6Address": e.ipv6_address.clone().unwrap_or_default(),
                }),
            )
        })
        .collect();
    json!({
        "Name": n.name.clone().unwrap_or_default(),
        "Id": n.id.clone().unwrap_or_default(),
        "Created": created_text(n),
        "Scope": n.scope.clone().unwrap_or_default(),
        "Driver": n.driver.clone().unwrap_or_default(),
        "EnableIPv4": n.enable_ipv4.unwrap_or(true),
        "EnableIPv6": n.enable_ipv6.unwrap_or(false),
        "IPAM": {
            "Driver": ipam.driver.clone().unwrap_or_else(|| "default".into()),
            "Options": map_json(&ipam.options),
            "Config": configs,
        },
        "Internal": n.internal.unwrap_or(false),
        "Attachable": n.attachable.unwrap_or(false),
        "Ingress": n.ingress.unwrap_or(false),
        "ConfigFrom": {"Network": ""},
        "ConfigOnly": n.config_only.unwrap_or(false),
        "Containers": containers,
        "Options": map_json(&n.options),
        "Labels": map_json(&n.labels),
    })
}

pub fn inspect(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: NetworkInspectArgs = verb.parse(raw)?;
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for name in &args.args {
        match cli.backend.inspect_network(name) {
            Ok(n) => found.push(inspected(&n)),
            Err(e) => errors.push(daemon_error_text(&e)),
        }
    }
    match args.format.as_deref() {
        Some(f) if !f.is_empty() && f != "json" => {
            super::images::print_inspected(streams.stdout, &found, Some(f))?
        }
        _ => writeln!(streams.stdout, "{}", go_json_indent(&json!(found)))?,
    }
    finish_with_errors(streams.stderr, errors)
}

pub fn rm(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: NetworkRmArgs = verb.parse(raw)?;
    let mut errors = Vec::new();
    for name in &args.args {
        match cli.backend.remove_network(name) {
            Ok(()) => writeln!(streams.stdout, "{name}")?,
            Err(e) if args.force && e.is_not_found() => {}
            Err(e) => errors.push(daemon_error_text(&e)),
        }
    }
    if errors.is_empty() {
        return Ok(0);
    }
    for e in &errors {
        writeln!(streams.stderr, "{e}")?;
    }
    // The CLI ends a partly failed `network rm` with its status error.
    writeln!(streams.stderr, "exit status 1")?;
    Ok(1)
}

pub fn connect(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    _streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: NetworkConnectArgs = verb.parse(raw)?;
    let endpoint = EndpointSettings {
        aliases: (!args.alias.is_empty()).then(|| args.alias.clone()),
        ipam_config: args.ip.clone().map(|ip| EndpointIpamConfig {
            ipv4_address: Some(ip),
            ..Default::default()
        }),
        ..Default::default()
    };
    cli.backend
        .connect_network(&args.args[0], &args.args[1], &endpoint)?;
    Ok(0)
}

pub fn disconnect(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    _streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: NetworkDisconnectArgs = verb.parse(raw)?;
    cli.backend
        .disconnect_network(&args.args[0], &args.args[1], args.force)?;
    Ok(0)
}

pub fn prune(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    mut streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: NetworkPruneArgs = verb.parse(raw)?;
    let filters = super::filters(&args.filter)?;
    let question =
        "WARNING! This will remove all custom networks not used by at least one container.";
    if !args.force && !super::confirmed(&mut streams, question)? {
        return Ok(0);
    }
    let removed = cli.backend.prune_networks(&filters)?;
    if !removed.is_empty() {
        writeln!(streams.stdout, "Deleted Networks:")?;
        for name in &removed {
            writeln!(streams.stdout, "{name}")?;
        }
        // The CLI prints the report with Println: a blank line ends it.
        writeln!(streams.stdout)?;
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_sort_naturally_as_the_cli_sorts_them() {
        let mut names = vec!["net10", "net2", "bridge", "app_default", "net1"];
        names.sort_by(|a, b| natural_cmp(Some(a), Some(b)));
        assert_eq!(names, ["app_default", "bridge", "net1", "net2", "net10"]);
    }

    #[test]
    fn created_times_print_as_go_prints_them() {
        assert_eq!(
            go_time_nanos("2026-12-06T22:03:29.641875742Z"),
            "2026-12-06 22:03:29.641875742 +0000 UTC"
        );
        assert_eq!(
            go_time_nanos("2026-12-06T22:03:29.500Z"),
            "2026-12-06 22:03:29.5 +0000 UTC"
        );
    }
}

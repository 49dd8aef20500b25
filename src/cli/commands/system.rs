//! `docker version`, `docker info`, `docker inspect`.

use super::images::{finish_with_errors, print_inspected};
use crate::cli::args::{FormatOnlyArgs, InspectArgs};
use crate::cli::format::{TableWriter, bytes_size};
use crate::cli::parse::Verb;
use crate::cli::{Cli, CliError, daemon_error_text};
use crate::engine::streams::Streams;
use crate::engine::{API_VERSION, DOCKER_VERSION};

pub fn version(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: FormatOnlyArgs = verb.parse(raw)?;
    let server = cli.backend.version();
    if let Some(f) = args.format.as_deref() {
        let value = serde_json::json!({
            "Client": client_fields(),
            "Server": server.as_ref().ok(),
        });
        print_inspected(streams.stdout, std::slice::from_ref(&value), Some(f))?;
        return Ok(0);
    }
    // `docker version` aligns with tabwriter(minwidth 20, padding 1).
    let mut t = TableWriter::with_params(20, 1, ' ');
    t.write_str("Client:\n");
    for (k, v) in client_fields()
        .as_object()
        .expect("an object")
        .iter()
        .filter(|(k, _)| *k != "Order")
    {
        let _ = (k, v);
    }
    t.write_str(&format!(" Version:\t{DOCKER_VERSION}\n"));
    t.write_str(&format!(" API version:\t{API_VERSION}\n"));
    t.write_str(&format!(
        " Go version:\t(none: docklab {})\n",
        env!("CARGO_PKG_VERSION")
    ));
    t.write_str(" Git commit:\tdocklab\n");
    t.write_str(" Built:\t-\n");
    t.write_str(&format!(" OS/Arch:\t{}/amd64\n", "linux"));
    t.write_str(" Context:\tdefault\n");
    let text = t.finish();
    streams.stdout.write_all(text.as_bytes())?;
    let server = server?;
    let mut t = TableWriter::with_params(20, 1, ' ');
    let platform = server
        .platform
        .as_ref()
        .map(|p| p.name.clone())
        .unwrap_or_default();
    t.write_str(&format!("\nServer: {platform}\n"));
    t.write_str(" Engine:\n");
    let field = |v: &Option<String>| v.clone().unwrap_or_default();
    t.write_str(&format!("  Version:\t{}\n", field(&server.version)));
    t.write_str(&format!(
        "  API version:\t{} (minimum version {})\n",
        field(&server.api_version),
        field(&server.min_api_version)
    ));
    t.write_str(&format!("  Go version:\t{}\n", field(&server.go_version)));
    t.write_str(&format!("  Git commit:\t{}\n", field(&server.git_commit)));
    t.write_str(&format!("  Built:\t{}\n", field(&server.build_time)));
    t.write_str(&format!(
        "  OS/Arch:\t{}/{}\n",
        field(&server.os),
        field(&server.arch)
    ));
    t.write_str(&format!(
        "  Experimental:\t{}\n",
        server.experimental.unwrap_or(false)
    ));
    streams.stdout.write_all(t.finish().as_bytes())?;
    Ok(0)
}

fn client_fields() -> serde_json::Value {
    serde_json::json!({
        "Version": DOCKER_VERSION,
        "ApiVersion": API_VERSION,
        "DefaultAPIVersion": API_VERSION,
        "GitCommit": "docklab",
        "GoVersion": format!("(none: docklab {})", env!("CARGO_PKG_VERSION")),
        "Os": "linux",
        "Arch": "amd64",
        "BuildTime": "-",
        "Context": "default",
    })
}

pub fn info(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: FormatOnlyArgs = verb.parse(raw)?;
    let info = cli.backend.info()?;
    if let Some(f) = args.format.as_deref() {
        let value = serde_json::to_value(&info).map_err(std::io::Error::other)?;
        print_inspected(streams.stdout, std::slice::from_ref(&value), Some(f))?;
        return Ok(0);
    }
    let n = |v: Option<i64>| v.unwrap_or(0);
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    let out = streams.stdout;
    writeln!(out, "Client:")?;
    writeln!(out, " Version:    {DOCKER_VERSION}")?;
    writeln!(out, " Context:    default")?;
    writeln!(out, " Debug Mode: false")?;
    writeln!(out)?;
    writeln!(out, "Server:")?;
    writeln!(out, " Containers: {}", n(info.containers))?;
    writeln!(out, "  Running: {}", n(info.containers_running))?;
    writeln!(out, "  Paused: {}", n(info.containers_paused))?;
    writeln!(out, "  Stopped: {}", n(info.containers_stopped))?;
    writeln!(out, " Images: {}", n(info.images))?;
    writeln!(out, " Server Version: {}", s(&info.server_version))?;
    writeln!(out, " Storage Driver: {}", s(&info.driver))?;
    writeln!(out, " Logging Driver: {}", s(&info.logging_driver))?;
    writeln!(out, " Kernel Version: {}", s(&info.kernel_version))?;
    writeln!(out, " Operating System: {}", s(&info.operating_system))?;
    writeln!(out, " OSType: {}", s(&info.os_type))?;
    writeln!(out, " Architecture: {}", s(&info.architecture))?;
    writeln!(out, " CPUs: {}", n(info.ncpu))?;
    writeln!(out, " Total Memory: {}", bytes_size(n(info.mem_total)))?;
    writeln!(out, " Name: {}", s(&info.name))?;
    writeln!(out, " ID: {}", s(&info.id))?;
    writeln!(out, " Docker Root Dir: {}", s(&info.docker_root_dir))?;
    writeln!(out, " Debug Mode: false")?;
    writeln!(out, " Experimental: false")?;
    writeln!(out, " Insecure Registries:")?;
    writeln!(out, "  ::1/128")?;
    writeln!(out, "  127.0.0.0/8")?;
    writeln!(out, " Live Restore Enabled: false")?;
    Ok(0)
}

/// `docker inspect`: containers first, then images, as the CLI's object search goes.
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
        let want = args.kind.as_deref();
        let container = match want {
            None | Some("container") => cli.backend.inspect_container(name).ok(),
            _ => None,
        };
        if let Some(c) = container {
            let mut value = serde_json::to_value(c).map_err(std::io::Error::other)?;
            if let Some(networks) = value
                .pointer_mut("/NetworkSettings/Networks")
                .and_then(serde_json::Value::as_object_mut)
            {
                for endpoint in networks.values_mut() {
                    *endpoint = endpoint_in_daemon_order(endpoint);
                }
            }
            found.push(value);
            continue;
        }
        let image = match want {
            None | Some("image") => cli.backend.inspect_image(name),
            Some(other) if other != "container" => {
                return Err(CliError::message(format!(
                    "\"{other}\" is not a valid value for --type"
                )));
            }
            _ => Err(crate::backend::BackendError::Daemon {
                status: 404,
                message: String::new(),
            }),
        };
        match image {
            Ok(i) => found.push(serde_json::to_value(i).map_err(std::io::Error::other)?),
            Err(e) if e.is_not_found() => errors.push(format!("Error: No such object: {name}")),
            Err(e) => errors.push(daemon_error_text(&e)),
        }
    }
    print_inspected(streams.stdout, &found, args.format.as_deref())?;
    finish_with_errors(streams.stderr, errors)
}

/// An endpoint of `NetworkSettings.Networks` as the daemon writes it: every field, in
/// its struct's order, nulls included.
fn endpoint_in_daemon_order(e: &serde_json::Value) -> serde_json::Value {
    let keys = [
        "IPAMConfig",
        "Links",
        "Aliases",
        "MacAddress",
        "DriverOpts",
        "GwPriority",
        "NetworkID",
        "EndpointID",
        "Gateway",
        "IPAddress",
        "IPPrefixLen",
        "IPv6Gateway",
        "GlobalIPv6Address",
        "GlobalIPv6PrefixLen",
        "DNSNames",
    ];
    let mut out = serde_json::Map::new();
    for key in keys {
        out.insert(
            key.to_string(),
            e.get(key).cloned().unwrap_or(serde_json::Value::Null),
        );
    }
    serde_json::Value::Object(out)
}

//! `docker run`: create (pulling the image when it is missing), then attach, start and
//! wait, or start detached and print the ID.

use super::pull::pull_image;
use crate::backend::BackendError;
use crate::cli::args::RunArgs;
use crate::cli::parse::Verb;
use crate::cli::{Cli, CliError, daemon_error_text};
use crate::engine::reference;
use crate::engine::streams::Streams;
use bollard_stubs::models::{ContainerCreateBody, HealthConfig, HostConfig};

/// How `docker run` reports a failure of its own: prefixed `docker: `, followed by the
/// pointer to help, exiting 125 (or the code that says what went wrong starting it).
fn run_error(text: String, code: i32) -> CliError {
    CliError::Message {
        text: format!("docker: {text}\n\nRun 'docker run --help' for more information"),
        code,
    }
}

pub fn run(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    mut streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: RunArgs = verb.parse_until_positional(raw)?;
    let health_flags = HealthFlags::parse(verb, &args)?;
    let resources = resources_of(verb, &args)?;
    let image = args.args[0].clone();
    let parsed = reference::parse_normalized(&image).map_err(|e| run_error(e.to_string(), 125))?;
    let published = crate::cli::ports::parse_publish(&args.publish, &args.expose)
        .map_err(|e| run_error(e, 125))?;
    let restart_policy = match &args.restart {
        Some(r) => Some(crate::cli::ports::parse_restart(r).map_err(|e| run_error(e, 125))?),
        None => None,
    };
    let healthcheck = health_flags.config().map_err(|e| run_error(e, 125))?;
    if args.rm
        && restart_policy
            .as_ref()
            .and_then(|p| p.name)
            .is_some_and(|n| n != bollard_stubs::models::RestartPolicyNameEnum::NO)
    {
        return Err(run_error(
            "conflicting options: cannot specify both --restart and --rm".into(),
            125,
        ));
    }
    let labels = labels_of(cli, &args)?;
    // The lab types into interactive containers only where the backend keeps a
    // session (the embedded engine). Elsewhere stdin stays closed unless input was
    // piped in, so a shell sees end of input and exits instead of waiting forever.
    let keep_stdin =
        args.interactive && (cli.backend.name() == "embedded" || !streams.stdin.is_empty());
    let body = ContainerCreateBody {
        image: Some(image.clone()),
        cmd: (args.args.len() > 1).then(|| args.args[1..].to_vec()),
        entrypoint: args.entrypoint.as_ref().map(|e| {
            if e.is_empty() {
                Vec::new()
            } else {
                vec![e.clone()]
            }
        }),
        env: environment_of(cli, &args)?,
        working_dir: args.workdir.clone(),
        user: args.user.clone(),
        hostname: args.hostname.clone(),
        tty: Some(args.tty && (!args.interactive || keep_stdin)),
        open_stdin: Some(keep_stdin),
        stdin_once: Some(keep_stdin && !args.detach),
        attach_stdin: Some(keep_stdin && !args.detach),
        attach_stdout: Some(!args.detach),
        attach_stderr: Some(!args.detach),
        labels,
        healthcheck,
        exposed_ports: (!published.exposed.is_empty()).then_some(published.exposed),
        host_config: Some(HostConfig {
            memory: resources.memory,
            nano_cpus: resources.nano_cpus,
            cpu_shares: resources.cpu_shares,
            auto_remove: Some(args.rm),
            port_bindings: (!published.bindings.is_empty()).then_some(published.bindings),
            publish_all_ports: Some(args.publish_all),
            restart_policy: Some(
                restart_policy.unwrap_or(bollard_stubs::models::RestartPolicy {
                    name: Some(bollard_stubs::models::RestartPolicyNameEnum::NO),
                    maximum_retry_count: Some(0),
                }),
            ),
            ..Default::default()
        }),
        ..Default::default()
    };
    let body = with_mounts(cli, body, &args)?;
    let body = with_network(body, &args);
    let created = match cli
        .backend
        .create_container(args.name.as_deref(), body.clone())
    {
        Ok(c) => c,
        Err(e) if is_missing_image(&e) => {
            let familiar = parsed.clone().with_default_tag().familiar_string();
            writeln!(streams.stderr, "Unable to find image '{familiar}' locally")?;
            let target = parsed.clone().with_default_tag();
            pull_image(cli, &target, streams.stderr).map_err(|e| match e {
                CliError::Daemon(d) => run_error(daemon_error_text(&d), 125),
                other => other,
            })?;
            cli.backend
                .create_container(args.name.as_deref(), body)
                .map_err(|e| run_error(daemon_error_text(&e), 125))?
        }
        Err(e) => return Err(run_error(daemon_error_text(&e), 125)),
    };
    for warning in &created.warnings {
        writeln!(streams.stderr, "WARNING: {warning}")?;
    }
    if verb.path == "docker create" {
        writeln!(streams.stdout, "{}", created.id)?;
        return Ok(0);
    }
    // `-it` with a shell: the backend keeps it alive and the lab types into it.
    // With `-d` the shell waits in the background for `docker attach`.
    if args.interactive {
        let started = cli
            .backend
            .session_start(&created.id)
            .map_err(|e| run_error(daemon_error_text(&e), 125))?;
        if let Some(state) = started {
            match args.detach {
                true => writeln!(streams.stdout, "{}", created.id)?,
                false => cli.session = Some((created.id.clone(), state.prompt)),
            }
            return Ok(0);
        }
    }
    if args.detach {
        // The CLI prints the ID even when the start fails: the container exists.
        writeln!(streams.stdout, "{}", created.id)?;
        cli.backend
            .start_container(&created.id)
            .map_err(|e| run_error(daemon_error_text(&e), start_failure_code(&e)))?;
        return Ok(0);
    }
    let (mut out, mut err) = (
        LineCounter::new(&mut *streams.stdout),
        LineCounter::new(&mut *streams.stderr),
    );
    let status = cli
        .backend
        .run_attached(&created.id, Streams::new(streams.stdin, &mut out, &mut err))
        .map_err(|e| run_error(daemon_error_text(&e), start_failure_code(&e)));
    let shown = out.lines + err.lines;
    let status = match status {
        Ok(code) => Ok(attached_server(
            cli,
            &created.id,
            code,
            shown,
            streams.reborrow(),
        )?),
        e => e,
    };
    if args.rm {
        // The daemon removes it with auto-remove; the embedded engine is told to.
        let _ = cli.backend.remove_container(&created.id, true, false);
    }
    Ok(status? as i32)
}

/// pflag's report of a flag value its type refuses.
fn flag_value_error(verb: &Verb, value: &str, names: &str, reason: &str) -> CliError {
    CliError::Message {
        text: format!(
            "invalid argument \"{value}\" for \"{names}\" flag: {reason}\n\nUsage:  {}\n\nRun '{} --help' for more information",
            verb.usage(),
            verb.path
        ),
        code: 125,
    }
}

/// `-m`, `--cpus` and `-c` as HostConfig's Memory (bytes), NanoCpus and CpuShares;
/// None where not given, as the CLI's zeros are left out of this JSON.
struct Resources {
    memory: Option<i64>,
    nano_cpus: Option<i64>,
    cpu_shares: Option<i64>,
}

fn resources_of(verb: &Verb, args: &RunArgs) -> Result<Resources, CliError> {
    let memory = match &args.memory {
        Some(m) => {
            Some(ram_in_bytes(m).map_err(|e| flag_value_error(verb, m, "-m, --memory", &e))?)
        }
        None => None,
    };
    let nano_cpus = match &args.cpus {
        Some(c) => Some(nano_cpus(c).map_err(|e| flag_value_error(verb, c, "--cpus", &e))?),
        None => None,
    };
    let set = |v: Option<i64>| v.filter(|v| *v != 0);
    Ok(Resources {
        memory: set(memory),
        nano_cpus: set(nano_cpus),
        cpu_shares: set(args.cpu_shares),
    })
}

/// go-units' `RAMInBytes`: a number, then b, k, m, g, t or p (1024-based), with an
/// optional `b` or `ib` after the letter.
fn ram_in_bytes(text: &str) -> Result<i64, String> {
    let invalid = || format!("invalid size: '{text}'");
    let sep = text
        .rfind(|c: char| c.is_ascii_digit() || c == '.' || c == ' ')
        .ok_or_else(invalid)?;
    let (number, suffix) = if text.as_bytes()[sep] == b' ' {
        (&text[..sep], &text[sep + 1..])
    } else {
        (&text[..=sep], &text[sep + 1..])
    };
    let size: f64 = number
        .parse()
        .ok()
        .filter(|_| !number.is_empty() && !number.contains(' '))
        .ok_or_else(|| format!("strconv.ParseFloat: parsing \"{number}\": invalid syntax"))?;
    if size < 0.0 {
        return Err(invalid());
    }
    if suffix.is_empty() {
        return Ok(size as i64);
    }
    let lower = suffix.to_ascii_lowercase();
    let bad = || format!("invalid suffix: '{lower}'");
    if lower.len() > 3 {
        return Err(bad());
    }
    let multiplier: f64 = match lower.as_bytes()[0] {
        b'b' if lower.len() == 1 => return Ok(size as i64),
        b'k' => 1024.0,
        b'm' => 1024.0 * 1024.0,
        b'g' => 1024.0 * 1024.0 * 1024.0,
        b't' => 1024.0_f64.powi(4),
        b'p' => 1024.0_f64.powi(5),
        _ => return Err(bad()),
    };
    match &lower[1..] {
        "" | "b" | "ib" => Ok((size * multiplier) as i64),
        _ => Err(bad()),
    }
}

/// The CLI's `ParseCPUs`: a rational number (`1.5`, `3/2`) of CPUs, in billionths.
fn nano_cpus(text: &str) -> Result<i64, String> {
    let refuse = || format!("failed to parse {text} as a rational number");
    let decimal = |s: &str| -> Option<(bool, i128, u32)> {
        // (negative, digits, how many of them are after the point)
        let (negative, s) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s.strip_prefix('+').unwrap_or(s)),
        };
        let (whole, fraction) = s.split_once('.').unwrap_or((s, ""));
        if whole.is_empty() && fraction.is_empty()
            || !whole
                .bytes()
                .chain(fraction.bytes())
                .all(|b| b.is_ascii_digit())
            || whole.len() + fraction.len() > 30
        {
            return None;
        }
        let digits: i128 = format!("{whole}{fraction}").parse().ok()?;
        Some((negative, digits, fraction.len() as u32))
    };
    let (numerator, denominator) = match text.split_once('/') {
        Some((p, q)) => {
            let (n1, p, 0) = decimal(p).ok_or_else(refuse)? else {
                return Err(refuse());
            };
            let (false, q, 0) = decimal(q).ok_or_else(refuse)? else {
                return Err(refuse());
            };
            if q == 0 {
                return Err(refuse());
            }
            (if n1 { -p } else { p }, q)
        }
        None => {
            let (negative, digits, scale) = decimal(text).ok_or_else(refuse)?;
            let signed = if negative { -digits } else { digits };
            (signed, 10i128.pow(scale))
        }
    };
    let nanos = numerator * 1_000_000_000;
    if nanos % denominator != 0 {
        return Err("value is too precise".into());
    }
    i64::try_from(nanos / denominator).map_err(|_| refuse())
}

/// The `--health-*` flags, read as pflag reads them: durations in Go's syntax, signed.
struct HealthFlags<'a> {
    args: &'a RunArgs,
    /// Interval, timeout, start period and start interval, in nanoseconds.
    interval: i64,
    timeout: i64,
    start_period: i64,
    start_interval: i64,
}

impl<'a> HealthFlags<'a> {
    /// A duration that does not parse is a flag error, reported before anything else.
    fn parse(verb: &Verb, args: &'a RunArgs) -> Result<HealthFlags<'a>, CliError> {
        let duration = |flag: &str, value: &Option<String>| -> Result<i64, CliError> {
            let Some(value) = value else {
                return Ok(0);
            };
            let magnitude = |text: &str| {
                crate::engine::dockerfile::parse_go_duration(text)
                    .map(|d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
            };
            let nanos = match value.strip_prefix('-') {
                // Go's durations are signed; the Dockerfile parser's reads a negative as 0.
                Some(rest) if magnitude(value).is_ok() => magnitude(rest).map(|n| -n),
                _ => magnitude(value),
            };
            nanos.map_err(|e| flag_value_error(verb, value, &format!("--{flag}"), &e))
        };
        Ok(HealthFlags {
            args,
            interval: duration("health-interval", &args.health_interval)?,
            timeout: duration("health-timeout", &args.health_timeout)?,
            start_period: duration("health-start-period", &args.health_start_period)?,
            start_interval: duration("health-start-interval", &args.health_start_interval)?,
        })
    }

    /// The create request's `Healthcheck`, as the CLI builds it: NONE for
    /// `--no-healthcheck`, a CMD-SHELL test for `--health-cmd`, the settings alone (the
    /// image's test kept) for the other flags, nothing without any.
    fn config(&self) -> Result<Option<HealthConfig>, String> {
        let args = self.args;
        let retries = args.health_retries.unwrap_or(0);
        let any = args.health_cmd.as_deref().is_some_and(|c| !c.is_empty())
            || self.interval != 0
            || self.timeout != 0
            || self.start_period != 0
            || retries != 0
            || self.start_interval != 0;
        if args.no_healthcheck {
            if any {
                return Err("--no-healthcheck conflicts with --health-* options".into());
            }
            return Ok(Some(HealthConfig {
                test: Some(vec!["NONE".into()]),
                ..Default::default()
            }));
        }
        if !any {
            return Ok(None);
        }
        for (value, flag) in [
            (self.interval, "interval"),
            (self.timeout, "timeout"),
            (retries, "retries"),
            (self.start_period, "start-period"),
            (self.start_interval, "start-interval"),
        ] {
            if value < 0 {
                return Err(format!("--health-{flag} cannot be negative"));
            }
        }
        // Zeros are left out, as the daemon's JSON leaves them out.
        let set = |v: i64| (v != 0).then_some(v);
        Ok(Some(HealthConfig {
            test: args
                .health_cmd
                .clone()
                .filter(|c| !c.is_empty())
                .map(|c| vec!["CMD-SHELL".into(), c]),
            interval: set(self.interval),
            timeout: set(self.timeout),
            start_period: set(self.start_period),
            start_interval: set(self.start_interval),
            retries: set(retries),
        }))
    }
}

/// Counts what passes through as the log counts it: each write is one chunk, one line
/// per newline-ended piece and one for a piece without.
struct LineCounter<'a> {
    inner: &'a mut dyn std::io::Write,
    lines: usize,
}

impl<'a> LineCounter<'a> {
    fn new(inner: &'a mut dyn std::io::Write) -> LineCounter<'a> {
        LineCounter { inner, lines: 0 }
    }
}

impl std::io::Write for LineCounter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.inner.write_all(buf)?;
        self.lines += buf.split_inclusive(|b| *b == b'\n').count();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// A server that is still running once its start-up output is shown (nginx): at a
/// terminal, the lab stays attached, showing what it logs (its access log) until Ctrl-C,
/// which stops it as the signal would. Elsewhere it is left running.
fn attached_server(
    cli: &mut Cli<'_>,
    id: &str,
    code: i64,
    shown: usize,
    streams: Streams<'_>,
) -> Result<i64, CliError> {
    if cli.interrupt.is_none() || !super::containers::is_running(cli, id)? {
        return Ok(code);
    }
    let options = crate::backend::LogsOptions::default();
    // What it logged between start-up and now (a first request) comes first.
    let start = super::containers::LogStart::After(shown);
    let mut streams = streams;
    let seen = super::containers::follow_logs(cli, id, &options, start, true, streams.reborrow())?;
    // The CLI passes the Ctrl-C on to the container (`--sig-proxy`, on by default);
    // a process that ignores it is stopped as `docker stop` would.
    cli.backend.kill_container(id, Some("SIGINT"))?;
    if super::containers::is_running(cli, id)? {
        cli.backend.stop_container(id)?;
    }
    // What it says as it shuts down.
    let after = super::containers::LogStart::After(seen);
    super::containers::follow_logs(cli, id, &options, after, false, streams)?;
    Ok(cli
        .backend
        .inspect_container(id)?
        .state
        .and_then(|s| s.exit_code)
        .unwrap_or(0))
}

/// `--env-file` lines first, then `-e`, as the CLI merges them; `NAME` alone in a file
/// takes the value from the client's environment.
fn environment_of(cli: &mut Cli<'_>, args: &RunArgs) -> Result<Option<Vec<String>>, CliError> {
    let mut env = Vec::new();
    for file in &args.env_file {
        for line in key_value_lines(cli, file)? {
            match line.split_once('=') {
                Some(_) => env.push(line),
                None => {
                    if let Some((_, v)) = cli.env.iter().find(|(k, _)| *k == line) {
                        env.push(format!("{line}={v}"));
                    }
                }
            }
        }
    }
    env.extend(args.env.iter().cloned());
    Ok((!env.is_empty()).then_some(env))
}

/// `--label-file` lines first, then `-l`; a label without `=` has an empty value.
fn labels_of(
    cli: &mut Cli<'_>,
    args: &RunArgs,
) -> Result<Option<std::collections::HashMap<String, String>>, CliError> {
    let mut lines = Vec::new();
    for file in &args.label_file {
        lines.extend(key_value_lines(cli, file)?);
    }
    lines.extend(args.label.iter().cloned());
    let labels: std::collections::HashMap<String, String> = lines
        .iter()
        .map(|l| {
            let (k, v) = l.split_once('=').unwrap_or((l, ""));
            (k.to_string(), v.to_string())
        })
        .collect();
    Ok((!labels.is_empty()).then_some(labels))
}

/// The lines of an `--env-file` or `--label-file` that say something: comments and
/// blank lines dropped, leading blanks trimmed.
fn key_value_lines(cli: &mut Cli<'_>, file: &str) -> Result<Vec<String>, CliError> {
    let text = cli.files.read_file(file).map_err(|e| run_error(e, 125))?;
    Ok(String::from_utf8_lossy(&text)
        .lines()
        .map(str::trim_start)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect())
}

/// `--network`, `--network-alias` and `--ip` as the CLI sends them: the network mode,
/// and an endpoint for that network carrying the aliases and the address.
fn with_network(mut body: ContainerCreateBody, args: &RunArgs) -> ContainerCreateBody {
    let mode = args.network.clone().unwrap_or_else(|| "default".into());
    let host = body.host_config.get_or_insert_with(Default::default);
    host.network_mode = Some(mode.clone());
    if !args.network_alias.is_empty() || args.ip.is_some() {
        let endpoint = bollard_stubs::models::EndpointSettings {
            aliases: (!args.network_alias.is_empty()).then(|| args.network_alias.clone()),
            ipam_config: args
                .ip
                .clone()
                .map(|ip| bollard_stubs::models::EndpointIpamConfig {
                    ipv4_address: Some(ip),
                    ..Default::default()
                }),
            ..Default::default()
        };
        body.networking_config = Some(bollard_stubs::models::NetworkingConfig {
            endpoints_config: Some([(mode, endpoint)].into_iter().collect()),
        });
    }
    body
}

/// `-v` and `--mount` as the CLI sends them: `-v /path` an anonymous volume
/// (`Volumes`), `-v SOURCE:/path[:ro]` a bind (`Binds`), `--mount k=v,...` a `Mounts`
/// entry.
fn with_mounts(
    cli: &mut Cli<'_>,
    mut body: ContainerCreateBody,
    args: &RunArgs,
) -> Result<ContainerCreateBody, CliError> {
    let host = body.host_config.get_or_insert_with(Default::default);
    for spec in &args.volume {
        if spec.starts_with('/') && !spec.contains(':') {
            body.volumes.get_or_insert_with(Vec::new).push(spec.clone());
        } else if spec.starts_with(['.', '/', '~']) {
            // A directory of the workspace, bound by its path on this machine.
            let (source, rest) = spec.split_once(':').unwrap_or((spec, ""));
            let target = rest.split(':').next().unwrap_or("");
            if !target.starts_with('/') {
                return Err(run_error(
                    format!(
                        "Error response from daemon: invalid volume specification: '{spec}': invalid mount config for type \"bind\": invalid mount path: '{target}' mount path must be absolute"
                    ),
                    125,
                ));
            }
            let dir = cli.files.host_dir(source).map_err(|e| run_error(e, 125))?;
            host.binds
                .get_or_insert_with(Vec::new)
                .push(format!("{dir}:{rest}"));
        } else {
            host.binds.get_or_insert_with(Vec::new).push(spec.clone());
        }
    }
    for spec in &args.mount {
        let mut mount = bollard_stubs::models::Mount::default();
        for field in spec.split(',') {
            let (key, value) = field.split_once('=').unwrap_or((field, "true"));
            match key {
                "type" => mount.typ = serde_json::from_value(serde_json::json!(value)).ok(),
                "source" | "src" => mount.source = Some(value.to_string()),
                "target" | "destination" | "dst" => mount.target = Some(value.to_string()),
                "readonly" | "ro" => mount.read_only = Some(value != "false" && value != "0"),
                _ => {}
            }
        }
        mount
            .typ
            .get_or_insert(bollard_stubs::models::MountType::VOLUME);
        // A bind's source is a directory of this machine: relative to the working
        // directory, as the CLI makes it absolute.
        if mount.typ == Some(bollard_stubs::models::MountType::BIND)
            && let Some(source) = mount.source.clone().filter(|s| !s.is_empty())
        {
            // Unlike `-v`, `--mount` makes no missing directory.
            if cli.files.stat(&source) != Some(true) {
                let shown = if source.starts_with('/') {
                    source.clone()
                } else {
                    format!(
                        "{}/{}",
                        cli.files.host_dir(".").unwrap_or_default(),
                        source.trim_start_matches("./")
                    )
                };
                return Err(run_error(
                    format!(
                        "Error response from daemon: invalid mount config for type \"bind\": bind source path does not exist: {shown}"
                    ),
                    125,
                ));
            }
            let dir = cli.files.host_dir(&source).map_err(|e| run_error(e, 125))?;
            mount.source = Some(dir);
        }
        if mount.target.is_none() {
            return Err(run_error(
                format!("invalid argument \"{spec}\" for \"--mount\" flag: target is required"),
                125,
            ));
        }
        host.mounts.get_or_insert_with(Vec::new).push(mount);
    }
    Ok(body)
}

/// `docker create`: `docker run` up to the new container's ID.
pub fn create(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    run(cli, verb, raw, streams).map_err(|e| match e {
        CliError::Message { text, code } => CliError::Message {
            text: text.replace("docker run --help", "docker create --help"),
            code,
        },
        other => other,
    })
}

fn is_missing_image(e: &BackendError) -> bool {
    matches!(e, BackendError::Daemon { status: 404, message } if message.starts_with("No such image"))
}

/// The CLI's exit codes for a process that could not start: 127 when the command was not
/// found, 126 when it could not be run, 125 for anything else.
fn start_failure_code(e: &BackendError) -> i32 {
    let text = e.to_string();
    if text.contains("executable file not found") || text.contains("no such file or directory") {
        127
    } else if text.contains("permission denied") || text.contains("cannot run") {
        126
    } else {
        125
    }
}

#[cfg(test)]
mod tests {
    use super::{nano_cpus, ram_in_bytes};

    #[test]
    fn memory_sizes_read_as_go_units_reads_them() {
        assert_eq!(ram_in_bytes("512m"), Ok(512 << 20));
        assert_eq!(ram_in_bytes("1.5g"), Ok(1536 << 20));
        assert_eq!(ram_in_bytes("64MiB"), Ok(64 << 20));
        assert_eq!(ram_in_bytes("2 kb"), Ok(2048));
        assert_eq!(ram_in_bytes("100"), Ok(100));
        assert_eq!(ram_in_bytes("abc"), Err("invalid size: 'abc'".into()));
        assert_eq!(ram_in_bytes("1.5x"), Err("invalid suffix: 'x'".into()));
        assert_eq!(ram_in_bytes("5mbb"), Err("invalid suffix: 'mbb'".into()));
        assert_eq!(
            ram_in_bytes(" 5"),
            Err("strconv.ParseFloat: parsing \" 5\": invalid syntax".into())
        );
    }

    #[test]
    fn cpus_are_rational_numbers_of_billionths() {
        assert_eq!(nano_cpus("1.5"), Ok(1_500_000_000));
        assert_eq!(nano_cpus("3/2"), Ok(1_500_000_000));
        assert_eq!(nano_cpus(".25"), Ok(250_000_000));
        assert_eq!(
            nano_cpus("0.0000000001"),
            Err("value is too precise".into())
        );
        assert_eq!(
            nano_cpus("x"),
            Err("failed to parse x as a rational number".into())
        );
    }
}

//! `docker ps`, `docker rm`.

use super::images::finish_with_errors;
use super::{Row, filters, go_time, print_ids, print_rows};
use crate::backend::CommitOptions;
use crate::backend::ListContainersOptions;
use crate::cli::args::{
    AttachArgs, CommitArgs, CpArgs, DiffArgs, ExecArgs, ExportArgs, ImportArgs, LogsArgs,
    PlainArgs, PruneArgs, PsArgs, RmArgs, StartArgs, StopArgs,
};
use crate::cli::format::{command_column, human_duration, truncate_id};
use crate::cli::parse::Verb;
use crate::cli::{Cli, CliError, daemon_error_text};
use crate::engine::streams::Streams;
use serde_json::{Map, json};

const PS_TABLE: &str = "table {{.ID}}\\t{{.Image}}\\t{{.Command}}\\t{{.RunningFor}}\\t{{.Status}}\\t{{.Ports}}\\t{{.Names}}";
const PS_HEADERS: &[(&str, &str)] = &[
    ("ID", "CONTAINER ID"),
    ("Image", "IMAGE"),
    ("Command", "COMMAND"),
    ("CreatedAt", "CREATED AT"),
    ("RunningFor", "CREATED"),
    ("Status", "STATUS"),
    ("State", "STATE"),
    ("Ports", "PORTS"),
    ("Names", "NAMES"),
    ("Size", "SIZE"),
    ("Labels", "LABELS"),
    ("Mounts", "MOUNTS"),
    ("Networks", "NETWORKS"),
    ("LocalVolumes", "LOCAL VOLUMES"),
    ("Platform", "PLATFORM"),
];

pub fn ps(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: PsArgs = verb.parse(raw)?;
    // The CLI checks the template before it asks for anything.
    if let Some(f) = args
        .format
        .as_deref()
        .filter(|f| !f.is_empty() && *f != "table" && *f != "json")
    {
        let t = crate::cli::format::Template::parse("", f)
            .map_err(|e| CliError::message(format!("failed to parse template: {e}")))?;
        let probe = Row {
            type_name: "*formatter.ContainerContext",
            fields: ps_fields_blank(),
        };
        t.execute(&probe)
            .map_err(|e| CliError::message(format!("failed to execute template: {e}")))?;
    }
    let limit = if args.latest {
        Some(1)
    } else {
        args.last.filter(|n| *n != -1)
    };
    let containers = cli.backend.list_containers(&ListContainersOptions {
        all: args.all,
        limit,
        size: args.size,
        filters: filters(&args.filter)?,
    })?;
    let now = cli.clock.now();
    let trunc = !args.no_trunc;
    let rows: Vec<Row> = containers
        .iter()
        .map(|c| {
            let id = c.id.clone().unwrap_or_default();
            let created = c.created.unwrap_or(0);
            let since = now - chrono::DateTime::from_timestamp(created, 0).unwrap_or_default();
            let names: Vec<String> = c
                .names
                .clone()
                .unwrap_or_default()
                .iter()
                .map(|n| n.trim_start_matches('/').to_string())
                .filter(|n| !trunc || !n.contains('/'))
                .collect();
            let mut fields = ps_fields_blank();
            fields.insert(
                "Command".into(),
                json!(command_column(c.command.as_deref().unwrap_or(""), !trunc)),
            );
            fields.insert("CreatedAt".into(), json!(go_time(created)));
            fields.insert(
                "ID".into(),
                json!(if trunc {
                    truncate_id(&id).to_string()
                } else {
                    id.clone()
                }),
            );
            // An image known only by its ID shows as the short ID, as the CLI does.
            let image = c.image.clone().unwrap_or_default();
            let image = match image.strip_prefix("sha256:") {
                Some(hex) if trunc && c.image_id.as_deref() == Some(image.as_str()) => {
                    hex[..hex.len().min(12)].to_string()
                }
                _ => image,
            };
            fields.insert("Image".into(), json!(image));
            fields.insert(
                "Ports".into(),
                json!(crate::cli::ports::displayable_ports(
                    c.ports.as_deref().unwrap_or_default()
                )),
            );
            fields.insert("Names".into(), json!(names.join(",")));
            // The CLI lists a container's networks by name, sorted.
            let mut networks: Vec<&String> = c
                .network_settings
                .as_ref()
                .and_then(|n| n.networks.as_ref())
                .map(|n| n.keys().collect())
                .unwrap_or_default();
            networks.sort();
            let networks: Vec<&str> = networks.into_iter().map(String::as_str).collect();
            fields.insert("Networks".into(), json!(networks.join(",")));
            fields.insert(
                "RunningFor".into(),
                json!(format!("{} ago", human_duration(since))),
            );
            fields.insert(
                "State".into(),
                json!(c.state.map(|s| s.to_string()).unwrap_or_default()),
            );
            fields.insert("Status".into(), json!(c.status.clone().unwrap_or_default()));
            Row {
                type_name: "*formatter.ContainerContext",
                fields,
            }
        })
        .collect();
    if args.quiet {
        print_ids(streams.stdout, &rows)?;
        return Ok(0);
    }
    let table = if args.size {
        format!("{PS_TABLE}\\t{{{{.Size}}}}")
    } else {
        PS_TABLE.to_string()
    };
    print_rows(
        streams.stdout,
        args.format.as_deref(),
        &table,
        PS_HEADERS,
        &rows,
        "failed to execute template: ",
    )?;
    Ok(0)
}

fn ps_fields_blank() -> Map<String, serde_json::Value> {
    let mut fields = Map::new();
    for key in [
        "Command",
        "CreatedAt",
        "ID",
        "Image",
        "Labels",
        "LocalVolumes",
        "Mounts",
        "Names",
        "Networks",
        "Platform",
        "Ports",
        "RunningFor",
        "Size",
        "State",
        "Status",
    ] {
        fields.insert(key.into(), json!(""));
    }
    fields
}

pub fn rm(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: RmArgs = verb.parse(raw)?;
    let (force, volumes) = (args.force, args.volumes);
    for_each_name(cli, &args.args, streams, |cli, name| {
        cli.backend.remove_container(name, force, volumes)
    })
}

/// `docker diff`: one `C`, `A` or `D` line per change, as the daemon lists them.
pub fn diff(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: DiffArgs = verb.parse(raw)?;
    for change in cli.backend.container_changes(&args.args[0])? {
        let letter = match change.kind {
            bollard_stubs::models::ChangeType::_0 => 'C',
            bollard_stubs::models::ChangeType::_1 => 'A',
            bollard_stubs::models::ChangeType::_2 => 'D',
        };
        writeln!(streams.stdout, "{letter} {}", change.path)?;
    }
    Ok(0)
}

/// `docker commit CONTAINER [REPOSITORY[:TAG]]`: prints the new image's ID.
pub fn commit(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: CommitArgs = verb.parse(raw)?;
    let (repo, tag) = repo_and_tag(args.args.get(1))?;
    let id = cli.backend.commit_container(&CommitOptions {
        container: args.args[0].clone(),
        repo,
        tag,
        comment: args.message.clone(),
        author: args.author.clone(),
        changes: args.change.clone(),
    })?;
    writeln!(streams.stdout, "{id}")?;
    Ok(0)
}

/// `REPOSITORY[:TAG]` as `docker commit` and `docker import` take it: the full
/// repository name and the tag, if any.
pub(super) fn repo_and_tag(
    name: Option<&String>,
) -> Result<(Option<String>, Option<String>), CliError> {
    let Some(name) = name else {
        return Ok((None, None));
    };
    let parsed = crate::engine::reference::parse_normalized(name).map_err(|e| {
        CliError::message(format!("invalid reference format: {e}").replace(
            "invalid reference format: invalid reference format",
            "invalid reference format",
        ))
    })?;
    Ok((Some(parsed.full_name()), parsed.tag().map(str::to_string)))
}

/// `docker export`: the container's filesystem as a tar, to `-o FILE` or to stdout.
pub fn export(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: ExportArgs = verb.parse(raw)?;
    let archive = cli.backend.export_container(&args.args[0])?;
    super::images::write_archive(cli, args.output.as_deref(), &archive, streams)
}

/// `docker import FILE|- [REPOSITORY[:TAG]]`: a tar as a one-layer image; prints its ID.
pub fn import(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: ImportArgs = verb.parse(raw)?;
    let (repo, tag) = repo_and_tag(args.args.get(1))?;
    let source = &args.args[0];
    let tar = if source == "-" {
        streams.stdin.to_vec()
    } else {
        cli.files.read_file(source).map_err(CliError::message)?
    };
    let id = cli.backend.import_image(
        &tar,
        &crate::backend::ImportOptions {
            repo,
            tag,
            message: args.message.clone(),
            changes: args.change.clone(),
        },
    )?;
    writeln!(streams.stdout, "{id}")?;
    Ok(0)
}

/// `docker logs`: the container's output, stdout and stderr each to its own stream.
pub fn logs(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: LogsArgs = verb.parse(raw)?;
    let tail = match args.tail.as_deref() {
        None | Some("all") => None,
        Some(n) => Some(n.parse::<usize>().map_err(|_| {
            CliError::message(format!(
                "Error response from daemon: failed to parse tail {n}, error: strconv.Atoi: parsing \"{n}\": invalid syntax"
            ))
        })?),
    };
    let now = cli.clock.now();
    let time_flag = |name: &str, value: &Option<String>| {
        value
            .as_deref()
            .filter(|v| !v.is_empty())
            .map(|v| {
                crate::cli::format::timestamp_flag(v, now)
                    .map_err(|e| CliError::message(format!("invalid value for \"{name}\": {e}")))
            })
            .transpose()
    };
    let options = crate::backend::LogsOptions {
        tail,
        timestamps: args.timestamps,
        details: args.details,
        since: time_flag("since", &args.since)?,
        until: time_flag("until", &args.until)?,
    };
    let tail = options.tail;
    let options = crate::backend::LogsOptions {
        tail: None,
        ..options
    };
    follow_logs(
        cli,
        &args.args[0],
        &options,
        LogStart::Tail(tail),
        args.follow,
        streams,
    )?;
    Ok(0)
}

/// `docker start`: runs stopped containers again (their files as they left them);
/// `-a` shows the output, `-ai` on a shell opens it for typing.
pub fn start(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    mut streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: StartArgs = verb.parse(raw)?;
    if args.attach || args.interactive {
        if args.args.len() > 1 {
            return Err(CliError::message(
                "you cannot start and attach multiple containers at once",
            ));
        }
        let id = &args.args[0];
        if args.interactive
            && let Some(state) = cli.backend.session_start(id)?
        {
            cli.session = Some((id.clone(), state.prompt));
            return Ok(0);
        }
        let status = cli.backend.run_attached(id, streams.reborrow())?;
        return Ok(status as i32);
    }
    let mut errors = Vec::new();
    for name in &args.args {
        match cli.backend.start_container(name) {
            Ok(()) => writeln!(streams.stdout, "{name}")?,
            Err(e) => errors.push(daemon_error_text(&e)),
        }
    }
    if !errors.is_empty() {
        errors.push("Error: failed to start containers: ".to_string() + &args.args.join(", "));
    }
    finish_with_errors(streams.stderr, errors)
}

/// Docker's `splitCpArg`: `container:path`, unless the argument is an absolute path or
/// starts with `.` before any colon.
fn split_cp_arg(arg: &str) -> (Option<&str>, &str) {
    if arg.starts_with('/') {
        return (None, arg);
    }
    match arg.split_once(':') {
        Some((container, path)) if !container.starts_with('.') => (Some(container), path),
        _ => (None, arg),
    }
}

fn parent_and_name(path: &str) -> (String, String) {
    let trimmed = path.trim_end_matches('/');
    match trimmed.rsplit_once('/') {
        Some(("", name)) => ("/".into(), name.into()),
        Some((parent, name)) => (parent.into(), name.into()),
        None => (".".into(), trimmed.into()),
    }
}

/// `docker cp`: between the workspace and a container, following Docker's rules for
/// existing directories, new names and trailing slashes.
pub fn cp(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: CpArgs = verb.parse(raw)?;
    let (src, dst) = (&args.args[0], &args.args[1]);
    let (src_container, src_path) = split_cp_arg(src);
    let (dst_container, dst_path) = split_cp_arg(dst);
    let size = match (src_container, dst_container) {
        (Some(_), Some(_)) => {
            return Err(CliError::message(
                "copying between containers is not supported",
            ));
        }
        (None, None) => {
            return Err(CliError::message(
                "must specify at least one container source",
            ));
        }
        (None, Some(container)) => {
            let dst_path = if dst_path.is_empty() { "/" } else { dst_path };
            let src_is_dir = cli.files.stat(src_path).ok_or_else(|| {
                CliError::message(format!("lstat {src_path}: no such file or directory"))
            })?;
            let (dir, root) = match cli.backend.container_stat(container, dst_path)? {
                Some(true) => {
                    let (_, name) = parent_and_name(src_path);
                    let name = if src_path.ends_with("/.") {
                        ".".to_string()
                    } else {
                        name
                    };
                    (dst_path.to_string(), name)
                }
                Some(false) if src_is_dir => {
                    return Err(CliError::message(format!(
                        "Error response from daemon: cannot copy directory to file: {dst_path}"
                    )));
                }
                _ if dst_path.ends_with('/') => {
                    return Err(CliError::message(format!(
                        "Error response from daemon: Could not find the file {dst_path} in container {container}"
                    )));
                }
                _ => parent_and_name(dst_path),
            };
            let tar = cli
                .files
                .path_tar(src_path, &root)
                .map_err(CliError::message)?;
            cli.backend.container_extract(container, &dir, &tar)?;
            tar.len()
        }
        (Some(container), None) => {
            let tar = cli.backend.container_archive(container, src_path)?;
            match cli.files.stat(dst_path) {
                Some(true) => cli.files.extract(dst_path, &tar, None),
                Some(false) | None => {
                    let (parent, name) = parent_and_name(dst_path);
                    cli.files.extract(&parent, &tar, Some(&name))
                }
            }
            .map_err(CliError::message)?;
            tar.len()
        }
    };
    if !args.quiet {
        writeln!(
            streams.stderr,
            "Successfully copied {} to {dst}",
            crate::cli::format::human_size(size as i64)
        )?;
    }
    Ok(0)
}

/// Applies `action` to each container or volume named, printing each name that worked,
/// then the daemon's errors, as `docker rm`, `stop`, `kill` and `volume rm` report.
pub(super) fn for_each_name(
    cli: &mut Cli<'_>,
    names: &[String],
    streams: Streams<'_>,
    action: impl Fn(&mut Cli<'_>, &str) -> crate::backend::Result<()>,
) -> Result<i32, CliError> {
    let mut errors = Vec::new();
    for name in names {
        match action(cli, name) {
            Ok(()) => writeln!(streams.stdout, "{name}")?,
            Err(e) => errors.push(daemon_error_text(&e)),
        }
    }
    finish_with_errors(streams.stderr, errors)
}

/// Parses a verb whose positionals are container names and applies `action` to each.
fn each_named<A: clap::Parser + crate::cli::args::Positionals>(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    streams: Streams<'_>,
    action: impl Fn(&mut Cli<'_>, &str) -> crate::backend::Result<()>,
) -> Result<i32, CliError> {
    let args: A = verb.parse(raw)?;
    let names = args.positionals().to_vec();
    for_each_name(cli, &names, streams, action)
}

pub fn stop(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    each_named::<StopArgs>(cli, verb, raw, streams, |cli, name| {
        cli.backend.stop_container(name)
    })
}

pub fn kill(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: StopArgs = verb.parse(raw)?;
    let signal = args.signal.clone();
    for_each_name(cli, &args.args, streams, |cli, name| {
        cli.backend.kill_container(name, signal.as_deref())
    })
}

pub fn pause(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    each_named::<PlainArgs>(cli, verb, raw, streams, |cli, name| {
        cli.backend.pause_container(name)
    })
}

pub fn unpause(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    each_named::<PlainArgs>(cli, verb, raw, streams, |cli, name| {
        cli.backend.unpause_container(name)
    })
}

pub fn restart(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    each_named::<StopArgs>(cli, verb, raw, streams, |cli, name| {
        cli.backend.stop_container(name)?;
        cli.backend.start_container(name)
    })
}

/// `docker attach`: back into a running container's interactive shell. Its checks are
/// the CLI's own, worded as the CLI words them.
pub fn attach(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    _streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: AttachArgs = verb.parse(raw)?;
    let name = &args.args[0];
    let state = cli
        .backend
        .inspect_container(name)?
        .state
        .unwrap_or_default();
    if !state.running.unwrap_or(false) {
        return Err(CliError::message(
            "You cannot attach to a stopped container, start it first",
        ));
    }
    if state.paused.unwrap_or(false) {
        return Err(CliError::message(
            "You cannot attach to a paused container, unpause it first",
        ));
    }
    // A process that is not a shell writes nothing more while the lab waits here.
    if let Some(session) = cli.backend.session_attach(name)? {
        cli.session = Some((name.clone(), session.prompt));
    }
    Ok(0)
}

/// `docker exec`: a command in a running container; `-it` with a shell opens it for
/// typing, as `docker run -it` does.
pub fn exec(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: ExecArgs = verb.parse_until_positional(raw)?;
    let container = &args.args[0];
    let argv = &args.args[1..];
    if args.interactive
        && let Some(state) = cli.backend.exec_session_start(container, argv)?
    {
        cli.session = Some((container.clone(), state.prompt));
        return Ok(0);
    }
    let options = crate::backend::ExecOptions {
        workdir: args.workdir.clone(),
        env: args.env.clone(),
        user: args.user.clone(),
    };
    let status = cli
        .backend
        .exec(container, argv, &options, streams)
        .map_err(|e| match &e {
            // The exec's own failure, as its output: 127 when the command is missing,
            // 126 when it cannot start otherwise.
            crate::backend::BackendError::Daemon { message, .. }
                if message.starts_with("OCI runtime exec failed")
                    || message.starts_with("unable to find ") =>
            {
                let missing = message.contains("executable file not found")
                    || message.contains("exec: \"") && message.contains("no such file");
                CliError::Message {
                    text: message.clone(),
                    code: if missing { 127 } else { 126 },
                }
            }
            _ => CliError::Daemon(e),
        })?;
    Ok(status as i32)
}

pub fn rename(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    _streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: PlainArgs = verb.parse(raw)?;
    cli.backend.rename_container(&args.args[0], &args.args[1])?;
    Ok(0)
}

/// `docker wait`: each container's exit code, one per line.
pub fn wait(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: PlainArgs = verb.parse(raw)?;
    let mut errors = Vec::new();
    for name in &args.args {
        match cli.backend.wait_container(name) {
            Ok(code) => writeln!(streams.stdout, "{code}")?,
            Err(e) => errors.push(daemon_error_text(&e)),
        }
    }
    finish_with_errors(streams.stderr, errors)
}

/// `docker top`: the daemon's process table, aligned as `ps` aligns it.
pub fn top(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: PlainArgs = verb.parse(raw)?;
    let table = cli.backend.top_container(&args.args[0])?;
    let mut writer = crate::cli::format::TableWriter::new();
    writer.row(&table.titles.unwrap_or_default());
    for process in table.processes.unwrap_or_default() {
        writer.row(&process);
    }
    streams.stdout.write_all(writer.finish().as_bytes())?;
    Ok(0)
}

/// `docker container prune`: asks first unless `-f`; a "no" ends quietly.
pub fn prune(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    mut streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: PruneArgs = verb.parse(raw)?;
    let question = "WARNING! This will remove all stopped containers.";
    if !args.force && !super::confirmed(&mut streams, question)? {
        return Ok(0);
    }
    let removed = cli.backend.prune_containers()?;
    if !removed.is_empty() {
        writeln!(streams.stdout, "Deleted Containers:")?;
        for id in &removed {
            writeln!(streams.stdout, "{id}")?;
        }
        writeln!(streams.stdout)?;
    }
    writeln!(streams.stdout, "Total reclaimed space: 0B")?;
    Ok(0)
}

/// `docker port`: every mapping (`80/tcp -> 0.0.0.0:8080`), or the host addresses of one
/// container port.
pub fn port(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: PlainArgs = verb.parse(raw)?;
    let container = &args.args[0];
    let info = cli.backend.inspect_container(container)?;
    let ports = info
        .network_settings
        .and_then(|n| n.ports)
        .unwrap_or_default();
    let join = |b: &bollard_stubs::models::PortBinding| {
        crate::cli::ports::host_and_port(
            b.host_ip.as_deref().unwrap_or(""),
            b.host_port.as_deref().unwrap_or(""),
        )
    };
    let mut out = Vec::new();
    if let Some(wanted) = args.args.get(1) {
        let (port, proto) = wanted.split_once('/').unwrap_or((wanted, "tcp"));
        let proto = if proto.is_empty() { "tcp" } else { proto };
        if port.parse::<u16>().is_err() {
            return Err(CliError::Message {
                text: format!(
                    "Error: invalid port ({port}): strconv.ParseUint: parsing {port:?}: invalid syntax"
                ),
                code: 1,
            });
        }
        let frontends = ports
            .get(&format!("{port}/{proto}"))
            .cloned()
            .flatten()
            .unwrap_or_default();
        if frontends.is_empty() {
            return Err(CliError::Message {
                text: format!("Error: No public port '{wanted}' published for {container}"),
                code: 1,
            });
        }
        out.extend(frontends.iter().map(join));
    } else {
        for (from, frontends) in &ports {
            for f in frontends.iter().flatten() {
                out.push(format!("{from} -> {}", join(f)));
            }
        }
    }
    out.sort_by(|a, b| natural_cmp(a, b));
    for line in out {
        writeln!(streams.stdout, "{line}")?;
    }
    Ok(0)
}

/// Orders strings with runs of digits compared as numbers (`80/tcp` before `443/tcp`).
fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    fn chunks(s: &str) -> Vec<(bool, &str)> {
        let mut out = Vec::new();
        let mut start = 0;
        let bytes = s.as_bytes();
        for i in 1..=bytes.len() {
            if i == bytes.len() || bytes[i].is_ascii_digit() != bytes[start].is_ascii_digit() {
                out.push((bytes[start].is_ascii_digit(), &s[start..i]));
                start = i;
            }
        }
        out
    }
    let (ca, cb) = (chunks(a), chunks(b));
    for ((da, xa), (db, xb)) in ca.iter().zip(cb.iter()) {
        let ord = if *da && *db {
            let (na, nb) = (xa.trim_start_matches('0'), xb.trim_start_matches('0'));
            na.len().cmp(&nb.len()).then_with(|| na.cmp(nb))
        } else {
            xa.cmp(xb)
        };
        if ord != std::cmp::Ordering::Equal {
            return ord;
        }
    }
    ca.len().cmp(&cb.len())
}

/// Where printing a log starts.
pub(crate) enum LogStart {
    /// The last N lines (all of them for None): `docker logs --tail`.
    Tail(Option<usize>),
    /// After the first N lines, already shown by whoever watched the container start.
    After(usize),
}

/// Prints a container's log from `start`, then, with `follow` and someone at a terminal
/// to press Ctrl-C, what it writes next, until Ctrl-C or until it stops.
pub(crate) fn follow_logs(
    cli: &mut Cli<'_>,
    id: &str,
    options: &crate::backend::LogsOptions,
    start: LogStart,
    follow: bool,
    streams: Streams<'_>,
) -> Result<usize, CliError> {
    let print = |lines: &[(u8, Vec<u8>)], streams: &mut Streams<'_>| -> std::io::Result<()> {
        for (stream, bytes) in lines {
            if *stream == 2 {
                streams.stderr.write_all(bytes)?;
            } else {
                streams.stdout.write_all(bytes)?;
            }
        }
        streams.stdout.flush()
    };
    let mut streams = streams;
    let lines = cli.backend.container_logs(id, options)?;
    let skip = match start {
        LogStart::Tail(tail) => tail.map_or(0, |n| lines.len().saturating_sub(n)),
        LogStart::After(n) => n.min(lines.len()),
    };
    print(&lines[skip..], &mut streams)?;
    let mut seen = lines.len();
    let Some(interrupt) = cli.interrupt.clone().filter(|_| follow) else {
        return Ok(seen);
    };
    use std::sync::atomic::Ordering;
    while !interrupt.load(Ordering::SeqCst) {
        let running = is_running(cli, id)?;
        let lines = cli.backend.container_logs(id, options)?;
        print(&lines[seen.min(lines.len())..], &mut streams)?;
        seen = lines.len();
        if !running {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    Ok(seen)
}

/// Whether the container's process is running now.
pub(crate) fn is_running(cli: &mut Cli<'_>, id: &str) -> Result<bool, CliError> {
    Ok(cli
        .backend
        .inspect_container(id)?
        .state
        .and_then(|s| s.running)
        .unwrap_or(false))
}

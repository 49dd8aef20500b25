//! The compose commands besides `up` and `down`: `config`, `ps`, `logs`, `exec`,
//! `run`, `build`, `pull`, `stop`, `start`, `restart`, and `up`'s attach step.

use super::model::*;
use super::progress::Progress;
use super::project::*;
use super::up::{
    Instance, build_service, check_services, container_display_name, create_container, label,
    project_containers, pull_service, wait_dependencies,
};
use super::{
    ConfigArgs, Context, ExecArgs, LogsArgs, LsArgs, PsArgs, RunArgs, ServicesArgs, VersionArgs,
};
use crate::backend::LogsOptions;
use crate::cli::format::{self, command_column, human_duration};
use crate::cli::{Cli, CliError};
use crate::engine::streams::Streams;
use bollard_stubs::models::ContainerSummary;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::io::Write;

pub fn config(
    _cli: &mut Cli<'_>,
    context: &Context,
    args: &ConfigArgs,
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    let project = context.project();
    check_services(project, &args.args)?;
    if args.quiet {
        return Ok(0);
    }
    if args.services {
        for name in project.services.keys() {
            writeln!(streams.stdout, "{name}")?;
        }
        return Ok(0);
    }
    if args.volumes {
        for name in project.volumes.keys() {
            writeln!(streams.stdout, "{name}")?;
        }
        return Ok(0);
    }
    if args.networks {
        for name in project.networks.keys() {
            writeln!(streams.stdout, "{name}")?;
        }
        return Ok(0);
    }
    let mut shown = project.clone();
    if !args.args.is_empty() {
        shown.services.retain(|k, _| args.args.contains(k));
    }
    match args.format.as_deref() {
        None | Some("yaml") => {
            let text = super::config::to_yaml(&super::config::project_node(&shown));
            streams.stdout.write_all(text.as_bytes())?;
        }
        Some(other) => {
            return Err(CliError::message(format!("unsupported format {other:?}")));
        }
    }
    Ok(0)
}

/// `web-1`: a container's name without the project's prefix, as compose's log
/// prefixes and `Attaching to` name it.
fn short_name(project: &str, c: &ContainerSummary) -> String {
    let name = container_display_name(c);
    match name.strip_prefix(&format!("{project}-")) {
        Some(rest) => rest.to_string(),
        None => name,
    }
}

const PS_TABLE: &str = "table {{.Name}}\\t{{.Image}}\\t{{.Command}}\\t{{.Service}}\\t{{.RunningFor}}\\t{{.Status}}\\t{{.Ports}}";
const PS_HEADERS: &[(&str, &str)] = &[
    ("Name", "NAME"),
    ("Names", "NAMES"),
    ("ID", "CONTAINER ID"),
    ("Image", "IMAGE"),
    ("Command", "COMMAND"),
    ("Service", "SERVICE"),
    ("RunningFor", "CREATED"),
    ("CreatedAt", "CREATED AT"),
    ("Status", "STATUS"),
    ("State", "STATE"),
    ("Health", "HEALTH"),
    ("ExitCode", "EXIT CODE"),
    ("Ports", "PORTS"),
    ("Project", "PROJECT"),
    ("Labels", "LABELS"),
];

pub fn ps(
    cli: &mut Cli<'_>,
    context: &Context,
    args: &PsArgs,
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    let project = context.project();
    if !project.services.is_empty() {
        check_services(project, &args.args)?;
    }
    let mut containers = project_containers(cli, &project.name, args.all, None, Some(false))?;
    if !args.args.is_empty() {
        containers
            .retain(|c| label(c, SERVICE_LABEL).is_some_and(|s| args.args.iter().any(|a| a == s)));
    }
    containers.sort_by_key(container_display_name);
    if args.services {
        let mut names: Vec<String> = containers
            .iter()
            .filter_map(|c| label(c, SERVICE_LABEL).map(str::to_string))
            .collect();
        names.dedup();
        for n in names {
            writeln!(streams.stdout, "{n}")?;
        }
        return Ok(0);
    }
    if args.quiet {
        for c in &containers {
            writeln!(streams.stdout, "{}", c.id.clone().unwrap_or_default())?;
        }
        return Ok(0);
    }
    let now = cli.clock.now();
    let rows: Vec<Map<String, Value>> = containers
        .iter()
        .map(|c| {
            let created = c.created.unwrap_or(0);
            let since = now - chrono::DateTime::from_timestamp(created, 0).unwrap_or_default();
            let status = c.status.clone().unwrap_or_default();
            let health = if status.contains("(healthy)") {
                "healthy"
            } else if status.contains("(unhealthy)") {
                "unhealthy"
            } else if status.contains("(health: starting)") {
                "starting"
            } else {
                ""
            };
            let mut f = Map::new();
            let name = container_display_name(c);
            f.insert("ID".into(), json!(c.id.clone().unwrap_or_default()));
            f.insert("Name".into(), json!(name));
            f.insert("Names".into(), json!(name));
            f.insert("Image".into(), json!(c.image.clone().unwrap_or_default()));
            f.insert(
                "Command".into(),
                json!(command_column(
                    c.command.as_deref().unwrap_or(""),
                    args.no_trunc
                )),
            );
            f.insert(
                "Project".into(),
                json!(label(c, PROJECT_LABEL).unwrap_or("")),
            );
            f.insert(
                "Service".into(),
                json!(label(c, SERVICE_LABEL).unwrap_or("")),
            );
            f.insert(
                "RunningFor".into(),
                json!(format!("{} ago", human_duration(since))),
            );
            f.insert(
                "CreatedAt".into(),
                json!(
                    chrono::DateTime::from_timestamp(created, 0)
                        .map(|t| t.format("%Y-%m-%d %H:%M:%S +0000 UTC").to_string())
                        .unwrap_or_default()
                ),
            );
            f.insert("Status".into(), json!(status));
            f.insert(
                "State".into(),
                json!(c.state.map(|s| s.to_string()).unwrap_or_default()),
            );
            f.insert("Health".into(), json!(health));
            let exit = status
                .strip_prefix("Exited (")
                .and_then(|r| r.split(')').next())
                .and_then(|n| n.parse::<i64>().ok())
                .unwrap_or(0);
            f.insert("ExitCode".into(), json!(exit));
            f.insert(
                "Ports".into(),
                json!(crate::cli::ports::displayable_ports(
                    c.ports.as_deref().unwrap_or_default()
                )),
            );
            let mut labels: Vec<String> = c
                .labels
                .clone()
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            labels.sort();
            f.insert("Labels".into(), json!(labels.join(",")));
            f
        })
        .collect();
    if args.format.as_deref() == Some("json") {
        for r in &rows {
            writeln!(
                streams.stdout,
                "{}",
                serde_json::to_string(&format::sorted_object(r)).unwrap_or_default()
            )?;
        }
        return Ok(0);
    }
    let headers: BTreeMap<String, String> = PS_HEADERS
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let contexts: Vec<format::MapContext<'_>> = rows
        .iter()
        .map(|fields| format::MapContext {
            type_name: "formatter.ContainerContext",
            fields,
        })
        .collect();
    let refs: Vec<&dyn format::TemplateContext> = contexts
        .iter()
        .map(|c| c as &dyn format::TemplateContext)
        .collect();
    let text = format::render(
        args.format.as_deref().unwrap_or(""),
        PS_TABLE,
        &headers,
        &refs,
    )
    .map_err(|e| CliError::message(e.to_string()))?;
    streams.stdout.write_all(text.as_bytes())?;
    Ok(0)
}

/// compose's log prefixes: `NAME | ` padded to the longest name plus one, each
/// container in its own colour at a terminal.
struct Prefixes {
    names: Vec<String>,
    colour: bool,
}

impl Prefixes {
    const RAINBOW: &'static [&'static str] = &[
        "36", "33", "32", "35", "34", "36;1", "33;1", "32;1", "35;1", "34;1",
    ];

    fn prefix(&self, name: &str) -> String {
        let width = self.names.iter().map(|n| n.len()).max().unwrap_or(0) + 1;
        let text = format!("{name:<width$} | ");
        match self.names.iter().position(|n| n == name) {
            Some(i) if self.colour => {
                format!(
                    "\x1b[{}m{text}\x1b[0m",
                    Self::RAINBOW[i % Self::RAINBOW.len()]
                )
            }
            _ => text,
        }
    }

    fn status(&self, name: &str, msg: &str) -> String {
        let text = format!("{name} {msg}");
        match self.names.iter().position(|n| n == name) {
            Some(i) if self.colour => {
                format!(
                    "\x1b[{}m{text}\x1b[0m",
                    Self::RAINBOW[i % Self::RAINBOW.len()]
                )
            }
            _ => text,
        }
    }
}

/// Writes log chunks line by line behind the container's prefix.
fn print_log(
    streams: &mut Streams<'_>,
    prefix: &str,
    chunks: &[(u8, Vec<u8>)],
) -> std::io::Result<()> {
    for (stream, bytes) in chunks {
        let text = String::from_utf8_lossy(bytes);
        let body = text.strip_suffix('\n').unwrap_or(&text);
        for line in body.split('\n') {
            let out: &mut dyn Write = if *stream == 2 {
                &mut *streams.stderr
            } else {
                &mut *streams.stdout
            };
            writeln!(out, "{prefix}{line}")?;
        }
    }
    Ok(())
}

pub fn logs(
    cli: &mut Cli<'_>,
    context: &Context,
    args: &LogsArgs,
    mut streams: Streams<'_>,
) -> Result<i32, CliError> {
    let project = context.project();
    if !project.services.is_empty() {
        check_services(project, &args.args)?;
    }
    let tail = match args.tail.as_deref() {
        None | Some("all") | Some("-1") => None,
        Some(n) => Some(n.parse::<usize>().map_err(|_| {
            CliError::message(format!(
                "Error response from daemon: failed to parse tail {n}, error: strconv.Atoi: parsing \"{n}\": invalid syntax"
            ))
        })?),
    };
    let mut containers = project_containers(cli, &project.name, true, None, None)?;
    if !args.args.is_empty() {
        containers
            .retain(|c| label(c, SERVICE_LABEL).is_some_and(|s| args.args.iter().any(|a| a == s)));
    }
    containers.sort_by_key(container_display_name);
    let names: Vec<String> = containers
        .iter()
        .map(|c| short_name(&project.name, c))
        .collect();
    let prefixes = Prefixes {
        names: names.clone(),
        colour: context.terminal && !args.no_color,
    };
    let options = LogsOptions {
        timestamps: args.timestamps,
        ..Default::default()
    };
    let mut seen = vec![0usize; containers.len()];
    for (i, c) in containers.iter().enumerate() {
        let id = c.id.clone().unwrap_or_default();
        let chunks = cli.backend.container_logs(&id, &options)?;
        let skip = tail.map_or(0, |n| chunks.len().saturating_sub(n));
        let prefix = if args.no_log_prefix {
            String::new()
        } else {
            prefixes.prefix(&names[i])
        };
        print_log(&mut streams, &prefix, &chunks[skip..])?;
        seen[i] = chunks.len();
    }
    if args.follow
        && let Some(interrupt) = cli.interrupt.clone()
    {
        follow(
            cli,
            &containers,
            &names,
            &prefixes,
            &mut seen,
            &interrupt,
            &mut streams,
        )?;
    }
    Ok(0)
}

/// Follows the containers' logs until Ctrl-C or until every one has stopped.
fn follow(
    cli: &mut Cli<'_>,
    containers: &[ContainerSummary],
    names: &[String],
    prefixes: &Prefixes,
    seen: &mut [usize],
    interrupt: &std::sync::atomic::AtomicBool,
    streams: &mut Streams<'_>,
) -> Result<(), CliError> {
    use std::sync::atomic::Ordering;
    let mut reported = vec![false; containers.len()];
    while !interrupt.load(Ordering::SeqCst) {
        let mut any_running = false;
        for (i, c) in containers.iter().enumerate() {
            let id = c.id.clone().unwrap_or_default();
            let state = cli
                .backend
                .inspect_container(&id)?
                .state
                .unwrap_or_default();
            let running = state.running.unwrap_or(false);
            let chunks = cli.backend.container_logs(&id, &LogsOptions::default())?;
            print_log(
                streams,
                &prefixes.prefix(&names[i]),
                &chunks[seen[i].min(chunks.len())..],
            )?;
            seen[i] = chunks.len();
            if running {
                any_running = true;
            } else if !reported[i] {
                reported[i] = true;
                writeln!(
                    streams.stdout,
                    "{}",
                    prefixes.status(
                        &names[i],
                        &format!("exited with code {}", state.exit_code.unwrap_or(0))
                    )
                )?;
            }
        }
        if !any_running {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    Ok(())
}

/// `up` without `-d`: `Attaching to ...`, the containers' logs so far, then, with
/// someone at a terminal, what they log next until Ctrl-C stops them.
pub fn attach(
    cli: &mut Cli<'_>,
    context: &Context,
    services: &[String],
    mut streams: Streams<'_>,
) -> Result<i32, CliError> {
    let project = context.project().clone();
    let mut containers = project_containers(cli, &project.name, true, None, Some(false))?;
    containers.retain(|c| label(c, SERVICE_LABEL).is_some_and(|s| services.iter().any(|a| a == s)));
    containers.sort_by_key(container_display_name);
    let names: Vec<String> = containers
        .iter()
        .map(|c| short_name(&project.name, c))
        .collect();
    writeln!(streams.stdout, "Attaching to {}", names.join(", "))?;
    let prefixes = Prefixes {
        names: names.clone(),
        colour: context.terminal,
    };
    let mut seen = vec![0usize; containers.len()];
    let mut still_running = false;
    for (i, c) in containers.iter().enumerate() {
        let id = c.id.clone().unwrap_or_default();
        let chunks = cli.backend.container_logs(&id, &LogsOptions::default())?;
        print_log(&mut streams, &prefixes.prefix(&names[i]), &chunks)?;
        seen[i] = chunks.len();
        let state = cli
            .backend
            .inspect_container(&id)?
            .state
            .unwrap_or_default();
        if state.running.unwrap_or(false) {
            still_running = true;
        } else {
            writeln!(
                streams.stdout,
                "{}",
                prefixes.status(
                    &names[i],
                    &format!("exited with code {}", state.exit_code.unwrap_or(0))
                )
            )?;
        }
    }
    let Some(interrupt) = cli.interrupt.clone() else {
        return Ok(0);
    };
    if !still_running {
        return Ok(0);
    }
    follow(
        cli,
        &containers,
        &names,
        &prefixes,
        &mut seen,
        &interrupt,
        &mut streams,
    )?;
    if interrupt.load(std::sync::atomic::Ordering::SeqCst) {
        writeln!(
            streams.stderr,
            "Gracefully stopping... (press Ctrl+C again to force)"
        )?;
        let mut progress = Progress::new(context.terminal, "Stopping");
        stop_containers(cli, &project, services, None, &mut progress, streams.stderr)?;
        progress.finish(streams.stderr);
    }
    Ok(0)
}

/// The service containers that `exec` and `run` address: the one numbered `index`.
fn service_container(
    cli: &mut Cli<'_>,
    project: &Project,
    service: &str,
    index: u32,
) -> Result<ContainerSummary, CliError> {
    let containers = project_containers(cli, &project.name, false, Some(service), Some(false))?;
    containers
        .into_iter()
        .find(|c| label(c, NUMBER_LABEL) == Some(index.to_string().as_str()))
        .ok_or_else(|| CliError::message(format!("service \"{service}\" is not running")))
}

pub fn exec(
    cli: &mut Cli<'_>,
    context: &Context,
    args: &ExecArgs,
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    let project = context.project();
    let service = &args.args[0];
    check_services(project, std::slice::from_ref(service))?;
    let container = service_container(cli, project, service, args.index.unwrap_or(1))?;
    let id = container.id.clone().unwrap_or_default();
    let argv = &args.args[1..];
    // compose exec allocates a terminal by default; a shell then opens for typing.
    if !args.no_tty
        && let Some(state) = cli.backend.exec_session_start(&id, argv)?
    {
        cli.session = Some((id, state.prompt));
        return Ok(0);
    }
    let options = crate::backend::ExecOptions {
        workdir: args.workdir.clone(),
        env: args.env.clone(),
        user: args.user.clone(),
    };
    let code = cli.backend.exec(&id, argv, &options, streams)?;
    Ok(code as i32)
}

pub fn run(
    cli: &mut Cli<'_>,
    context: &mut Context,
    args: &RunArgs,
    mut streams: Streams<'_>,
) -> Result<i32, CliError> {
    let project = context.project().clone();
    let name = &args.args[0];
    check_services(&project, std::slice::from_ref(name))?;
    let service = project.services[name].clone();
    // Dependencies come up first, as `up` would bring them.
    if !args.no_deps && !service.depends_on.is_empty() {
        let deps: Vec<String> = service.depends_on.keys().cloned().collect();
        let up_args = super::UpArgs {
            detach: true,
            args: deps,
            ..Default::default()
        };
        super::up::up(cli, context, &up_args, false, streams.reborrow())?;
    }
    let mut progress = Progress::new(context.terminal, "Running");
    let image = service.image_name(&project.name);
    if cli.backend.inspect_image(&image).is_err() {
        if service.build.is_some() {
            build_service(
                cli,
                &project,
                &service,
                false,
                &mut progress,
                streams.stderr,
            )?;
        } else {
            pull_service(cli, &service, &image, &mut progress, streams.stderr)?;
        }
    }
    let image_id = cli.backend.inspect_image(&image)?.id.unwrap_or_default();
    // The one-off joins the project's networks and volumes, made now if need be.
    super::up::ensure_networks(
        cli,
        &project,
        std::slice::from_ref(name),
        &mut progress,
        streams.stderr,
    )?;
    super::up::ensure_volumes(cli, &project, &mut progress, streams.stderr)?;
    // One-off containers are `PROJECT-SERVICE-run-XXXXXXXXXXXX`.
    let existing = project_containers(cli, &project.name, true, Some(name), Some(true))?;
    let suffix: String = {
        use sha2::Digest;
        let seed = format!("{}-{}-{}", project.name, name, existing.len());
        hex::encode(sha2::Sha256::digest(seed.as_bytes()))[..12].to_string()
    };
    let container_name = args
        .name
        .clone()
        .unwrap_or_else(|| format!("{}-{}-run-{suffix}", project.name, name));
    let command: Option<Vec<String>> = (args.args.len() > 1).then(|| args.args[1..].to_vec());
    let entrypoint = args.entrypoint.clone();
    let env = args.env.clone();
    let workdir = args.workdir.clone();
    let user = args.user.clone();
    let mut oneoff = service.clone();
    // `run` publishes no ports unless asked (`--service-ports`).
    oneoff.ports.clear();
    oneoff.container_name = None;
    let id = create_container(
        cli,
        &project,
        &oneoff,
        &Instance {
            name: &container_name,
            number: 1,
            oneoff: true,
            image_id: &image_id,
        },
        &|body| {
            if let Some(c) = &command {
                body.cmd = Some(c.clone());
            }
            if let Some(e) = &entrypoint {
                body.entrypoint = Some(super::load::shell_words(e).unwrap_or_default());
            }
            if !env.is_empty() {
                body.env
                    .get_or_insert_with(Vec::new)
                    .extend(env.iter().cloned());
            }
            if workdir.is_some() {
                body.working_dir = workdir.clone();
            }
            if user.is_some() {
                body.user = user.clone();
            }
            if let Some(h) = body.host_config.as_mut() {
                h.auto_remove = Some(false);
            }
        },
    )?;
    progress.finish(streams.stderr);
    if args.detach {
        cli.backend.start_container(&id)?;
        writeln!(streams.stdout, "{container_name}")?;
        return Ok(0);
    }
    let code = cli.backend.run_attached(&id, streams.reborrow())?;
    if args.rm {
        let _ = cli.backend.remove_container(&id, true, false);
    }
    Ok(code as i32)
}

pub fn build(
    cli: &mut Cli<'_>,
    context: &Context,
    args: &ServicesArgs,
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    let project = context.project().clone();
    check_services(&project, &args.args)?;
    let mut progress = Progress::new(context.terminal, "Building");
    let result = (|| {
        for (name, service) in &project.services {
            if !args.args.is_empty() && !args.args.contains(name) {
                continue;
            }
            build_service(
                cli,
                &project,
                service,
                args.no_cache,
                &mut progress,
                streams.stderr,
            )?;
        }
        Ok::<(), CliError>(())
    })();
    progress.finish(streams.stderr);
    result?;
    Ok(0)
}

pub fn pull(
    cli: &mut Cli<'_>,
    context: &Context,
    args: &ServicesArgs,
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    let project = context.project().clone();
    check_services(&project, &args.args)?;
    let mut progress = Progress::new(context.terminal, "Pulling");
    let result = (|| {
        for (name, service) in &project.services {
            if !args.args.is_empty() && !args.args.contains(name) {
                continue;
            }
            match &service.image {
                None => progress.text(streams.stderr, name, "Skipped - No image to be pulled", ""),
                Some(image) => pull_service(cli, service, image, &mut progress, streams.stderr)?,
            }
        }
        Ok::<(), CliError>(())
    })();
    progress.finish(streams.stderr);
    result?;
    Ok(0)
}

/// Stops the project's running containers, dependants first.
fn stop_containers(
    cli: &mut Cli<'_>,
    project: &Project,
    services: &[String],
    timeout: Option<i64>,
    progress: &mut Progress,
    err: &mut dyn Write,
) -> Result<(), CliError> {
    let running = project_containers(cli, &project.name, false, None, None)?;
    let mut order = start_order(project, &[]);
    order.reverse();
    let mut groups: Vec<Vec<&ContainerSummary>> = order
        .iter()
        .map(|s| {
            running
                .iter()
                .filter(|c| label(c, SERVICE_LABEL) == Some(s.as_str()))
                .collect()
        })
        .collect();
    if project.services.is_empty() {
        groups.push(running.iter().collect());
    }
    for group in groups {
        for c in group {
            let service = label(c, SERVICE_LABEL).unwrap_or("");
            if !services.is_empty() && !services.iter().any(|s| s == service) {
                continue;
            }
            let event = format!("Container {}", container_display_name(c));
            progress.status(err, &event, "Stopping");
            super::up::stop_now_or_gently(cli, c.id.as_deref().unwrap_or_default(), timeout)?;
            progress.status(err, &event, "Stopped");
        }
    }
    Ok(())
}

pub fn stop(
    cli: &mut Cli<'_>,
    context: &Context,
    args: &ServicesArgs,
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    let project = context.project().clone();
    if !project.services.is_empty() {
        check_services(&project, &args.args)?;
    }
    let mut progress = Progress::new(context.terminal, "Stopping");
    let result = stop_containers(
        cli,
        &project,
        &args.args,
        args.timeout,
        &mut progress,
        streams.stderr,
    );
    progress.finish(streams.stderr);
    result?;
    Ok(0)
}

pub fn start(
    cli: &mut Cli<'_>,
    context: &Context,
    args: &ServicesArgs,
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    let project = context.project().clone();
    check_services(&project, &args.args)?;
    let mut progress = Progress::new(context.terminal, "Running");
    let result = (|| {
        let all = project_containers(cli, &project.name, true, None, Some(false))?;
        if all.is_empty() {
            return Err(CliError::message("service \"\" has no container to start"));
        }
        for name in start_order(&project, &args.args) {
            let service = &project.services[&name];
            wait_dependencies(cli, &project, service, &mut progress, streams.stderr)?;
            let containers =
                project_containers(cli, &project.name, true, Some(&name), Some(false))?;
            if containers.is_empty() {
                return Err(CliError::message(format!(
                    "service \"{name}\" has no container to start"
                )));
            }
            for c in containers {
                if c.state.map(|s| s.to_string()) == Some("running".into()) {
                    continue;
                }
                let event = format!("Container {}", container_display_name(&c));
                progress.status(streams.stderr, &event, "Starting");
                cli.backend
                    .start_container(c.id.as_deref().unwrap_or_default())?;
                progress.status(streams.stderr, &event, "Started");
            }
        }
        Ok(())
    })();
    progress.finish(streams.stderr);
    result?;
    Ok(0)
}

pub fn restart(
    cli: &mut Cli<'_>,
    context: &Context,
    args: &ServicesArgs,
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    let project = context.project().clone();
    check_services(&project, &args.args)?;
    let mut progress = Progress::new(context.terminal, "Restarting");
    let result = (|| {
        for name in start_order(&project, &args.args) {
            let containers =
                project_containers(cli, &project.name, true, Some(&name), Some(false))?;
            for c in containers {
                let id = c.id.clone().unwrap_or_default();
                let event = format!("Container {}", container_display_name(&c));
                progress.status(streams.stderr, &event, "Restarting");
                if c.state.map(|s| s.to_string()) == Some("running".into()) {
                    cli.backend.stop_container(&id)?;
                }
                cli.backend.start_container(&id)?;
                progress.status(streams.stderr, &event, "Started");
            }
        }
        Ok::<(), CliError>(())
    })();
    progress.finish(streams.stderr);
    result?;
    Ok(0)
}

/// `docker compose version`.
pub fn version(args: &VersionArgs, streams: Streams<'_>) -> Result<i32, CliError> {
    if args.short {
        writeln!(streams.stdout, "{COMPOSE_VERSION}")?;
    } else if args.format.as_deref() == Some("json") {
        writeln!(streams.stdout, "{{\"version\":\"v{COMPOSE_VERSION}\"}}")?;
    } else {
        writeln!(streams.stdout, "Docker Compose version v{COMPOSE_VERSION}")?;
    }
    Ok(0)
}

/// `docker compose ls`: the projects the engine's containers belong to, by their
/// labels: each one's states counted (`running(2)`) and its compose files.
pub fn ls(cli: &mut Cli<'_>, args: &LsArgs, streams: Streams<'_>) -> Result<i32, CliError> {
    let mut filters = crate::backend::Filters::new();
    filters.insert("label".into(), vec![PROJECT_LABEL.to_string()]);
    let containers = cli
        .backend
        .list_containers(&crate::backend::ListContainersOptions {
            all: args.all,
            filters,
            ..Default::default()
        })?;
    let mut projects: BTreeMap<String, (BTreeMap<String, usize>, Vec<String>)> = BTreeMap::new();
    for c in containers.iter().filter(|c| label(c, HASH_LABEL).is_some()) {
        let Some(name) = label(c, PROJECT_LABEL) else {
            continue;
        };
        let entry = projects.entry(name.to_string()).or_default();
        let state = c.state.map(|s| s.to_string()).unwrap_or_default();
        *entry.0.entry(state).or_default() += 1;
        for f in label(c, CONFIG_FILES_LABEL).unwrap_or("").split(',') {
            if !entry.1.iter().any(|x| x == f) {
                entry.1.push(f.to_string());
            }
        }
    }
    if args.quiet {
        for name in projects.keys() {
            writeln!(streams.stdout, "{name}")?;
        }
        return Ok(0);
    }
    let rows: Vec<(String, String, String)> = projects
        .into_iter()
        .map(|(name, (states, files))| {
            let status: Vec<String> = states.iter().map(|(s, n)| format!("{s}({n})")).collect();
            (name, status.join(", "), files.join(","))
        })
        .collect();
    if args.format.as_deref() == Some("json") {
        let list: Vec<Value> = rows
            .iter()
            .map(|(n, s, f)| json!({"Name": n, "Status": s, "ConfigFiles": f}))
            .collect();
        writeln!(streams.stdout, "{}", Value::Array(list))?;
        return Ok(0);
    }
    let mut table = format::TableWriter::with_params(20, 3, ' ');
    table.write_str("NAME\tSTATUS\tCONFIG FILES\n");
    for (n, s, f) in &rows {
        table.write_str(&format!("{n}\t{s}\t{f}\n"));
    }
    streams.stdout.write_all(table.finish().as_bytes())?;
    Ok(0)
}

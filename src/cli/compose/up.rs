//! `docker compose up`, `create` and `down`: images first (pulled or built), then the
//! project's networks and volumes, then one container per service in dependency order,
//! then the starts, each waiting for what it depends on. A failure stops the run where
//! it is; everything made so far carries the project's labels, so `down` finds it.

use super::model::*;
use super::progress::Progress;
use super::project::*;
use super::{Context, DownArgs, UpArgs};
use crate::backend::{BuildMessage, BuildOptions, ListContainersOptions};
use crate::cli::{Cli, CliError};
use crate::engine::streams::Streams;
use bollard_stubs::models::{ContainerSummary, NetworkCreateRequest};
use std::collections::BTreeMap;
use std::io::Write;

/// The project's containers (`all`: stopped ones too), service containers or one-off
/// ones, oldest first.
pub(super) fn project_containers(
    cli: &mut Cli<'_>,
    project: &str,
    all: bool,
    service: Option<&str>,
    oneoff: Option<bool>,
) -> Result<Vec<ContainerSummary>, CliError> {
    // One label filter only: the other conditions are checked here, since a daemon
    // ANDs several label filters where not every engine does.
    let mut list = cli.backend.list_containers(&ListContainersOptions {
        all,
        filters: project_filter(project),
        ..Default::default()
    })?;
    list.retain(|c| {
        service.is_none_or(|s| label(c, SERVICE_LABEL) == Some(s))
            && oneoff
                .is_none_or(|o| label(c, ONEOFF_LABEL) == Some(if o { "True" } else { "False" }))
    });
    list.sort_by_key(|c| (c.created.unwrap_or(0), container_display_name(c)));
    Ok(list)
}

/// A container's name without the API's leading slash.
pub(super) fn container_display_name(c: &ContainerSummary) -> String {
    c.names
        .as_ref()
        .and_then(|n| n.first())
        .map(|n| n.trim_start_matches('/').to_string())
        .unwrap_or_default()
}

pub(super) fn label<'c>(c: &'c ContainerSummary, key: &str) -> Option<&'c str> {
    c.labels
        .as_ref()
        .and_then(|l| l.get(key))
        .map(String::as_str)
}

fn is_running(c: &ContainerSummary) -> bool {
    c.state.map(|s| s.to_string() == "running").unwrap_or(false)
}

/// Fails with compose's words when a named service is not in the project.
pub(super) fn check_services(project: &Project, names: &[String]) -> Result<(), CliError> {
    for n in names {
        if !project.services.contains_key(n) {
            return Err(CliError::message(format!("no such service: {n}")));
        }
    }
    Ok(())
}

/// Builds a service's image as compose's classic path does, tagged `PROJECT-SERVICE`
/// (or its `image:`), printing the builder's output to stderr.
pub(super) fn build_service(
    cli: &mut Cli<'_>,
    project: &Project,
    service: &Service,
    no_cache: bool,
    progress: &mut Progress,
    err: &mut dyn Write,
) -> Result<(), CliError> {
    let Some(build) = &service.build else {
        return Ok(());
    };
    let dockerfile = super::load::join_path(&build.context, &build.dockerfile);
    let (context, dockerfile) = cli
        .files
        .context_tar(&build.context, Some(&dockerfile))
        .map_err(|e| CliError::message(format!("unable to prepare context: {e}")))?;
    let options = BuildOptions {
        tags: vec![service.image_name(&project.name)],
        dockerfile,
        build_args: build
            .args
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        no_cache,
        target: None,
        quiet: false,
        buildkit: true,
    };
    let id = format!("Service {}", service.name);
    progress.status(err, &id, "Building");
    let mut failure: Option<String> = None;
    let result = cli
        .backend
        .build_image(&context, &options, &mut |message: &BuildMessage| {
            if let Some(detail) = &message.error_detail {
                failure = Some(detail.message.clone());
                return;
            }
            if let Some(text) = &message.stream {
                let _ = err.write_all(text.as_bytes());
            }
        });
    if let Some(message) = failure {
        progress.status(err, &id, "Error");
        return Err(CliError::message(format!("failed to solve: {message}")));
    }
    result?;
    progress.status(err, &id, "Built");
    Ok(())
}

/// Pulls a service's image, as compose reports it: `web Pulling`, each layer, `web
/// Pulled`; a failure as `web Error ...` and the daemon's error.
pub(super) fn pull_service(
    cli: &mut Cli<'_>,
    service: &Service,
    image: &str,
    progress: &mut Progress,
    err: &mut dyn Write,
) -> Result<(), CliError> {
    let reference = crate::engine::reference::parse_normalized(image)
        .map_err(|e| CliError::message(e.to_string()))?
        .with_default_tag();
    let tag = match (reference.digest(), reference.tag()) {
        (Some(d), _) => d.to_string(),
        (None, Some(t)) => t.to_string(),
        (None, None) => "latest".to_string(),
    };
    progress.text(err, &service.name, "Pulling", "");
    let mut layers: Vec<(String, String, String)> = Vec::new();
    let result = cli
        .backend
        .pull_image(&reference.full_name(), &tag, &mut |m| {
            // compose shows the messages about layers (those with progress details),
            // not the daemon's own lines about the pull.
            if let (Some(id), Some(status)) = (&m.id, &m.status)
                && m.progress_detail.is_some()
                && !status.starts_with("Pulling from")
            {
                layers.push((id.clone(), status.clone(), progress_numbers(m)));
            }
        });
    match result {
        Ok(()) => {
            for (id, status, bar) in layers {
                progress.text(err, &id, &status, &bar);
            }
            progress.text(err, &service.name, "Pulled", "");
            Ok(())
        }
        Err(e) => {
            progress.text(err, &service.name, "Error", &e.to_string());
            Err(e.into())
        }
    }
}

/// Go's `JSONProgress.String()` away from a terminal: `current/total` in go-units'
/// sizes, nothing when no bytes are counted.
fn progress_numbers(m: &bollard_stubs::models::CreateImageInfo) -> String {
    let Some(detail) = &m.progress_detail else {
        return String::new();
    };
    let (current, total) = (detail.current.unwrap_or(0), detail.total.unwrap_or(0));
    if current <= 0 && total <= 0 {
        return String::new();
    }
    let size = |n: i64| crate::cli::format::human_size_precision(n as f64, 4);
    if total <= 0 {
        return format!("{:>8}", size(current));
    }
    if current > total {
        return String::new();
    }
    format!("{:>8}/{}", size(current), size(total))
}

/// The ID of the image a service runs, pulling or building it first when it is
/// missing (or `--build` asks for a build).
fn ensure_image(
    cli: &mut Cli<'_>,
    project: &Project,
    service: &Service,
    force_build: bool,
    never_build: bool,
    progress: &mut Progress,
    err: &mut dyn Write,
) -> Result<String, CliError> {
    let image = service.image_name(&project.name);
    let present = cli.backend.inspect_image(&image).ok();
    let must_build = service.build.is_some() && !never_build && (force_build || present.is_none());
    if must_build {
        build_service(cli, project, service, false, progress, err)?;
    } else if present.is_none() {
        pull_service(cli, service, &image, progress, err)?;
    }
    Ok(cli.backend.inspect_image(&image)?.id.unwrap_or_default())
}

/// Makes the project's networks that services use and that are not there yet.
pub(super) fn ensure_networks(
    cli: &mut Cli<'_>,
    project: &Project,
    services: &[String],
    progress: &mut Progress,
    err: &mut dyn Write,
) -> Result<(), CliError> {
    let used: Vec<&String> = project
        .networks
        .keys()
        .filter(|k| {
            services
                .iter()
                .any(|s| project.services[s].networks.contains_key(*k))
        })
        .collect();
    for key in used {
        let network = &project.networks[key];
        let exists = cli.backend.inspect_network(&network.name).is_ok();
        if network.external {
            if !exists {
                return Err(CliError::message(format!(
                    "network {} declared as external, but could not be found",
                    network.name
                )));
            }
            continue;
        }
        if exists {
            continue;
        }
        let id = format!("Network {}", network.name);
        progress.status(err, &id, "Creating");
        let request = NetworkCreateRequest {
            name: network.name.clone(),
            driver: Some(network.driver.clone().unwrap_or_else(|| "bridge".into())),
            labels: Some(resource_labels(
                &project.name,
                NETWORK_LABEL,
                key,
                &network.labels,
            )),
            ..Default::default()
        };
        if let Err(e) = cli.backend.create_network(&request) {
            progress.status(err, &id, "Error");
            return Err(CliError::message(format!(
                "failed to create network {}: {}",
                network.name,
                crate::cli::daemon_error_text(&e)
            )));
        }
        progress.status(err, &id, "Created");
    }
    Ok(())
}

/// Makes the project's volumes that are not there yet.
pub(super) fn ensure_volumes(
    cli: &mut Cli<'_>,
    project: &Project,
    progress: &mut Progress,
    err: &mut dyn Write,
) -> Result<(), CliError> {
    for (key, volume) in &project.volumes {
        let exists = cli.backend.inspect_volume(&volume.name).is_ok();
        if volume.external {
            if !exists {
                return Err(CliError::message(format!(
                    "external volume \"{}\" not found",
                    volume.name
                )));
            }
            continue;
        }
        if exists {
            continue;
        }
        let id = format!("Volume \"{}\"", volume.name);
        progress.status(err, &id, "Creating");
        let labels = resource_labels(&project.name, VOLUME_LABEL, key, &volume.labels);
        if let Err(e) = cli.backend.create_volume(Some(&volume.name), labels) {
            progress.status(err, &id, "Error");
            return Err(e.into());
        }
        progress.status(err, &id, "Created");
    }
    Ok(())
}

/// Where the engine finds each bind mount's source.
fn host_dirs(cli: &mut Cli<'_>, service: &Service) -> Result<BTreeMap<String, String>, CliError> {
    let mut dirs = BTreeMap::new();
    for m in &service.volumes {
        if let (MountKind::Bind, Some(src)) = (&m.kind, &m.source) {
            let dir = cli.files.host_dir(src).map_err(CliError::message)?;
            dirs.insert(src.clone(), dir);
        }
    }
    Ok(dirs)
}

/// Which container of a service to make: its name and number, whether it is a
/// one-off (`run`), and the ID of the image it runs.
pub(super) struct Instance<'a> {
    pub name: &'a str,
    pub number: u32,
    pub oneoff: bool,
    pub image_id: &'a str,
}

/// Creates a service's container and returns its ID; `adjust` changes what is asked
/// for (`run`'s command and flags).
pub(super) fn create_container(
    cli: &mut Cli<'_>,
    project: &Project,
    service: &Service,
    instance: &Instance<'_>,
    adjust: &dyn Fn(&mut bollard_stubs::models::ContainerCreateBody),
) -> Result<String, CliError> {
    let dirs = host_dirs(cli, service)?;
    let mut body = create_body(
        project,
        service,
        instance.number,
        instance.oneoff,
        instance.image_id,
        &dirs,
    );
    adjust(&mut body);
    let created = cli.backend.create_container(Some(instance.name), body)?;
    Ok(created.id)
}

/// Waits for a service's dependencies as compose does: `Waiting`, then `Healthy` (or
/// `Exited` for a completed one), failing as compose fails.
pub(super) fn wait_dependencies(
    cli: &mut Cli<'_>,
    project: &Project,
    service: &Service,
    progress: &mut Progress,
    err: &mut dyn Write,
) -> Result<(), CliError> {
    for (dep, config) in &service.depends_on {
        if config.condition == CONDITION_STARTED || !project.services.contains_key(dep) {
            continue;
        }
        let containers = project_containers(cli, &project.name, true, Some(dep), Some(false))?;
        if containers.is_empty() {
            if config.required {
                return Err(CliError::message(format!(
                    "{} is missing dependency {dep}",
                    service.name
                )));
            }
            continue;
        }
        for c in &containers {
            progress.status(
                err,
                &format!("Container {}", container_display_name(c)),
                "Waiting",
            );
        }
        for c in &containers {
            let id = c.id.clone().unwrap_or_default();
            let name = container_display_name(c);
            let event = format!("Container {name}");
            // compose polls every half second; the engine's time moves between polls.
            let mut polls = 0;
            loop {
                polls += 1;
                let inspect = cli.backend.inspect_container(&id)?;
                let state = inspect.state.clone().unwrap_or_default();
                let status = state.status.map(|s| s.to_string()).unwrap_or_default();
                if config.condition == CONDITION_COMPLETED {
                    if status == "exited" {
                        let code = state.exit_code.unwrap_or(0);
                        if code == 0 {
                            progress.status(err, &event, "Exited");
                            break;
                        }
                        let msg =
                            format!("service \"{dep}\" didn't complete successfully: exit {code}");
                        progress.text(err, &event, "", &msg);
                        return Err(CliError::message(msg));
                    }
                } else {
                    if status == "exited" {
                        progress.status(err, &event, "Error");
                        return Err(CliError::message(format!(
                            "dependency failed to start: container {name} exited ({})",
                            state.exit_code.unwrap_or(0)
                        )));
                    }
                    let health = state
                        .health
                        .as_ref()
                        .and_then(|h| h.status)
                        .map(|s| s.to_string());
                    let has_check = inspect
                        .config
                        .as_ref()
                        .and_then(|c| c.healthcheck.as_ref())
                        .and_then(|h| h.test.as_ref())
                        .is_some_and(|t| t.first().map(String::as_str) != Some("NONE"));
                    match health.as_deref() {
                        Some("healthy") => {
                            progress.status(err, &event, "Healthy");
                            break;
                        }
                        Some("unhealthy") => {
                            progress.status(err, &event, "Error");
                            return Err(CliError::message(format!(
                                "dependency failed to start: container {name} is unhealthy"
                            )));
                        }
                        None if !has_check => {
                            progress.status(err, &event, "Error");
                            return Err(CliError::message(format!(
                                "dependency failed to start: container {name} has no healthcheck configured"
                            )));
                        }
                        _ => {}
                    }
                }
                // A check that never settles: compose would wait for ever; the lab
                // gives up as `--wait-timeout` would.
                if polls > 7200 {
                    return Err(CliError::message("timeout waiting for dependencies"));
                }
                pass_half_a_second(cli);
            }
        }
    }
    Ok(())
}

/// Lets the engine's clock move on by compose's polling interval.
fn pass_half_a_second(cli: &mut Cli<'_>) {
    cli.backend.pass_time(std::time::Duration::from_millis(500));
}

pub fn up(
    cli: &mut Cli<'_>,
    context: &mut Context,
    args: &UpArgs,
    create_only: bool,
    mut streams: Streams<'_>,
) -> Result<i32, CliError> {
    let project = context.project().clone();
    check_services(&project, &args.args)?;
    let order = if args.no_deps {
        args.args.clone()
    } else {
        start_order(&project, &args.args)
    };
    let mut progress = Progress::new(context.terminal, "Running");
    let result = up_steps(
        cli,
        context,
        &order,
        args,
        create_only,
        &mut progress,
        streams.stderr,
    );
    progress.finish(streams.stderr);
    result?;
    if create_only || args.detach || args.no_start {
        return Ok(0);
    }
    super::commands::attach(cli, context, &order, streams.reborrow())
}

fn up_steps(
    cli: &mut Cli<'_>,
    context: &Context,
    order: &[String],
    args: &UpArgs,
    create_only: bool,
    progress: &mut Progress,
    err: &mut dyn Write,
) -> Result<(), CliError> {
    let project = context.project();
    let terminal = context.terminal;
    // Images first: a missing one stops everything before anything is made.
    let mut images = BTreeMap::new();
    for name in order {
        let service = &project.services[name];
        let id = ensure_image(
            cli,
            project,
            service,
            args.build,
            args.no_build,
            progress,
            err,
        )?;
        images.insert(name.clone(), id);
    }
    ensure_networks(cli, project, order, progress, err)?;
    ensure_volumes(cli, project, progress, err)?;
    // Containers of services the file no longer has.
    let mut orphans: Vec<ContainerSummary> =
        project_containers(cli, &project.name, true, None, Some(false))?
            .into_iter()
            .filter(|c| {
                !project
                    .services
                    .contains_key(label(c, SERVICE_LABEL).unwrap_or(""))
            })
            .filter(|c| {
                !project
                    .disabled
                    .contains_key(label(c, SERVICE_LABEL).unwrap_or(""))
            })
            .collect();
    orphans.sort_by_key(container_display_name);
    if !orphans.is_empty() {
        if args.remove_orphans {
            for c in &orphans {
                let id = c.id.clone().unwrap_or_default();
                let event = format!("Container {}", container_display_name(c));
                if is_running(c) {
                    progress.status(err, &event, "Stopping");
                    cli.backend.stop_container(&id)?;
                    progress.status(err, &event, "Stopped");
                }
                progress.status(err, &event, "Removing");
                cli.backend.remove_container(&id, true, false)?;
                progress.status(err, &event, "Removed");
            }
        } else {
            let names: Vec<String> = orphans.iter().map(container_display_name).collect();
            super::warn(
                cli,
                terminal,
                err,
                &format!(
                    "Found orphan containers ([{}]) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.",
                    names.join(" ")
                ),
            );
        }
    }
    // Converge: one container per service, kept when its configuration is unchanged.
    let mut to_start: Vec<(String, String, String)> = Vec::new();
    for name in order {
        let service = &project.services[name];
        let existing = project_containers(cli, &project.name, true, Some(name), Some(false))?;
        let wanted_hash = config_hash(service);
        let container_name = container_name(&project.name, service, 1);
        match existing.first() {
            Some(c)
                if args.no_recreate
                    || (!args.force_recreate
                        && label(c, HASH_LABEL) == Some(wanted_hash.as_str())) =>
            {
                let display = container_display_name(c);
                if is_running(c) {
                    progress.status(err, &format!("Container {display}"), "Running");
                } else {
                    to_start.push((name.clone(), c.id.clone().unwrap_or_default(), display));
                }
            }
            Some(c) => {
                let display = container_display_name(c);
                let event = format!("Container {display}");
                progress.text(err, &event, "", "Recreate");
                let old = c.id.clone().unwrap_or_default();
                if is_running(c) {
                    cli.backend.stop_container(&old)?;
                }
                cli.backend.remove_container(&old, true, false)?;
                let id = create_container(
                    cli,
                    project,
                    service,
                    &Instance {
                        name: &container_name,
                        number: 1,
                        oneoff: false,
                        image_id: &images[name],
                    },
                    &|_| {},
                )?;
                progress.text(err, &event, "", "Recreated");
                to_start.push((name.clone(), id, container_name.clone()));
            }
            None => {
                let event = format!("Container {container_name}");
                progress.status(err, &event, "Creating");
                let id = match create_container(
                    cli,
                    project,
                    service,
                    &Instance {
                        name: &container_name,
                        number: 1,
                        oneoff: false,
                        image_id: &images[name],
                    },
                    &|_| {},
                ) {
                    Ok(id) => id,
                    Err(e) => {
                        progress.status(err, &event, "Error");
                        return Err(e);
                    }
                };
                progress.status(err, &event, "Created");
                to_start.push((name.clone(), id, container_name.clone()));
            }
        }
    }
    if create_only || args.no_start {
        return Ok(());
    }
    for name in order {
        let service = &project.services[name];
        wait_dependencies(cli, project, service, progress, err)?;
        for (_, id, display) in to_start.iter().filter(|(s, _, _)| s == name) {
            let event = format!("Container {display}");
            progress.status(err, &event, "Starting");
            cli.backend.start_container(id)?;
            progress.status(err, &event, "Started");
        }
    }
    Ok(())
}

/// `docker stop`, or with `-t 0` the kill a zero grace period comes to.
pub(super) fn stop_now_or_gently(
    cli: &mut Cli<'_>,
    id: &str,
    timeout: Option<i64>,
) -> Result<(), CliError> {
    match timeout {
        Some(t) if t <= 0 => match cli.backend.kill_container(id, None) {
            Ok(()) => Ok(()),
            // It ended on its own in the meantime.
            Err(e) if e.status() == Some(409) => Ok(()),
            Err(e) => Err(e.into()),
        },
        _ => Ok(cli.backend.stop_container(id)?),
    }
}

pub fn down(
    cli: &mut Cli<'_>,
    context: &Context,
    args: &DownArgs,
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    let project = context.project().clone();
    let mut progress = Progress::new(context.terminal, "Running");
    let err = streams.stderr;
    let containers = project_containers(cli, &project.name, true, None, None)?;
    // Reverse start order: dependants go first; services the file no longer names
    // (orphans) are left unless asked, as compose leaves them.
    let mut order = start_order(&project, &[]);
    order.reverse();
    let mut removed_any = false;
    let mut groups: Vec<Vec<&ContainerSummary>> = Vec::new();
    for name in &order {
        groups.push(
            containers
                .iter()
                .filter(|c| label(c, SERVICE_LABEL) == Some(name.as_str()))
                .collect(),
        );
    }
    let known: Vec<&str> = order.iter().map(String::as_str).collect();
    let orphans: Vec<&ContainerSummary> = containers
        .iter()
        .filter(|c| !known.contains(&label(c, SERVICE_LABEL).unwrap_or("")))
        .collect();
    if args.remove_orphans || project.services.is_empty() {
        groups.push(orphans);
    }
    let result = (|| -> Result<(), CliError> {
        for group in groups {
            for c in group {
                removed_any = true;
                let id = c.id.clone().unwrap_or_default();
                let event = format!("Container {}", container_display_name(c));
                if is_running(c) {
                    progress.status(err, &event, "Stopping");
                    stop_now_or_gently(cli, &id, args.timeout)?;
                    progress.status(err, &event, "Stopped");
                }
                progress.status(err, &event, "Removing");
                cli.backend.remove_container(&id, true, args.volumes)?;
                progress.status(err, &event, "Removed");
            }
        }
        // The project's networks, found by their labels.
        let networks = cli.backend.list_networks(&project_filter(&project.name))?;
        let mut names: Vec<String> = networks.iter().filter_map(|n| n.name.clone()).collect();
        names.sort();
        for (_, n) in project.networks.iter().filter(|(_, n)| !n.external) {
            if !names.contains(&n.name) {
                continue;
            }
        }
        for name in names {
            removed_any = true;
            let event = format!("Network {name}");
            progress.status(err, &event, "Removing");
            match cli.backend.remove_network(&name) {
                Ok(()) => progress.status(err, &event, "Removed"),
                Err(e) if e.status() == Some(403) || e.to_string().contains("active endpoints") => {
                    progress.text(err, &event, "", "Resource is still in use")
                }
                Err(e) => {
                    progress.status(err, &event, "Error");
                    return Err(CliError::message(format!(
                        "failed to remove network {name}: {}",
                        crate::cli::daemon_error_text(&e)
                    )));
                }
            }
        }
        if let Some(which) = &args.rmi {
            for (name, service) in &project.services {
                if which == "local" && service.image.is_some() {
                    continue;
                }
                let _ = name;
                let image = service.image_name(&project.name);
                let event = format!("Image {image}");
                if cli.backend.inspect_image(&image).is_err() {
                    continue;
                }
                removed_any = true;
                progress.status(err, &event, "Removing");
                match cli.backend.remove_image(&image, false, false) {
                    Ok(_) => progress.status(err, &event, "Removed"),
                    Err(e) if e.status() == Some(409) => {
                        progress.text(err, &event, "", "Resource is still in use")
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        }
        if args.volumes {
            for volume in project.volumes.values().filter(|v| !v.external) {
                if cli.backend.inspect_volume(&volume.name).is_err() {
                    continue;
                }
                removed_any = true;
                let event = format!("Volume {}", volume.name);
                progress.status(err, &event, "Removing");
                match cli.backend.remove_volume(&volume.name, true) {
                    Ok(()) => progress.status(err, &event, "Removed"),
                    Err(e) if e.status() == Some(409) => {
                        progress.text(err, &event, "", "Resource is still in use")
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        }
        Ok(())
    })();
    progress.finish(err);
    result?;
    if !removed_any {
        super::warn(
            cli,
            context.terminal,
            err,
            &format!(
                "Warning: No resource found to remove for project \"{}\".",
                project.name
            ),
        );
    }
    Ok(0)
}

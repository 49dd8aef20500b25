//! Evaluating checks: each kind asks the backend (or reads the workspace, or the
//! transcript) and answers with a verdict and one sentence of what it saw against what
//! it wanted.

use super::image_files::{self, ImageFile};
use super::spec::*;
use crate::backend::{Backend, ListContainersOptions};
use crate::engine::reference;
use bollard_stubs::models::{ChangeType, ContainerInspectResponse, ContainerSummary};
use owo_colors::{OwoColorize, Stream};
use regex::Regex;
use std::collections::HashMap;
use std::path::Path;

/// One command of a session, as the lab records it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TranscriptEntry {
    pub command: String,
    pub exit_code: i32,
    /// What it printed on standard output (the lab keeps the first 64 KiB).
    #[serde(default)]
    pub stdout: String,
    /// What it printed on standard error (the same limit).
    #[serde(default)]
    pub stderr: String,
    /// Workspace files changed outside the lab (in the student's editor) since the
    /// command before: the text of each, or null for one removed. A replay writes
    /// them before running the command.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub edits: std::collections::BTreeMap<String, Option<String>>,
}

impl TranscriptEntry {
    /// Everything the command printed: standard output, then standard error.
    pub fn output(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

/// What a check may look at.
pub struct Context<'a> {
    pub backend: &'a mut dyn Backend,
    /// The workspace's directory on the host.
    pub workspace: &'a Path,
    pub transcript: &'a [TranscriptEntry],
    /// What earlier evaluations learned that cannot change.
    pub memo: &'a mut Memo,
}

/// Answers that depend only on content-addressed data, kept between evaluations.
#[derive(Debug, Default)]
pub struct Memo {
    /// (image ID, path) → the file at that path, if any.
    image_files: HashMap<(String, String), Result<Option<ImageFile>, String>>,
}

/// A check's verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub passed: bool,
    /// One sentence: what was seen, and (on failure) what was wanted.
    pub message: String,
    /// A coloured line diff (`-` seen, `+` wanted) where lists differ, or the list
    /// seen where the wanted side is patterns.
    pub diff: Option<String>,
    /// The hint of the innermost failing check that has one.
    pub hint: Option<String>,
}

impl Outcome {
    fn pass(message: impl Into<String>) -> Outcome {
        Outcome {
            passed: true,
            message: message.into(),
            diff: None,
            hint: None,
        }
    }

    fn fail(message: impl Into<String>) -> Outcome {
        Outcome {
            passed: false,
            message: message.into(),
            diff: None,
            hint: None,
        }
    }

    fn with_diff(mut self, seen: &[String], wanted: &[String]) -> Outcome {
        self.diff = Some(line_diff(seen, wanted));
        self
    }

    /// What was seen, as a list, where what was wanted is a pattern, not lines.
    fn with_listing(mut self, seen: &[String]) -> Outcome {
        self.diff = Some(seen.iter().map(|l| format!("  {l}\n")).collect());
        self
    }

    fn verdict(passed: bool, message: impl Into<String>) -> Outcome {
        Outcome {
            passed,
            ..Outcome::pass(message)
        }
    }
}

/// Evaluates `check`; a malformed check (no kind, several kinds) fails with a sentence
/// saying so, so a lesson that slipped past the loader still never panics.
pub fn evaluate(check: &Check, ctx: &mut Context<'_>) -> Outcome {
    let mut outcome = match check.kind() {
        Some(kind) => evaluate_kind(kind, ctx),
        None => Outcome::fail(format!(
            "this check names {} kinds ({}); a check names exactly one",
            check.kinds().len(),
            check.kind_names().join(", ")
        )),
    };
    if !outcome.passed && outcome.hint.is_none() {
        outcome.hint = check.hint.clone();
    }
    outcome
}

fn evaluate_kind(kind: Kind<'_>, ctx: &mut Context<'_>) -> Outcome {
    match kind {
        Kind::ImageExists(name) => match ctx.backend.inspect_image(name) {
            Ok(_) => Outcome::pass(format!("the image {name} exists")),
            Err(_) => Outcome::fail(format!("there is no image {name}; the exercise wants one")),
        },
        Kind::ImageAbsent(name) => match ctx.backend.inspect_image(name) {
            Ok(_) => Outcome::fail(format!(
                "the image {name} is still there; the exercise wants it gone"
            )),
            Err(_) => Outcome::pass(format!("there is no image {name}")),
        },
        Kind::SameImage(names) => same_image(names, ctx),
        Kind::ImageConfig(c) => image_config(c, ctx),
        Kind::ImageBasedOn(c) => based_on(c, ctx),
        Kind::ImageSize(c) => image_size(c, ctx),
        Kind::ImageHistory(c) => history(c, ctx),
        Kind::ImageFile(c) => image_file(c, ctx),
        Kind::Container(c) => match select_container(c, ctx) {
            Ok(found) => Outcome::pass(format!("the container {} matches", found.name)),
            Err(message) => Outcome::fail(message),
        },
        Kind::ContainerDiff(c) => container_diff(c, ctx),
        Kind::Volume(c) => volume(c, ctx),
        Kind::Network(c) => network(c, ctx),
        Kind::ComposeProject(c) => compose_project(c, ctx),
        Kind::RegistryHas(r) => registry_has(r, ctx),
        Kind::WorkspaceFile(c) => workspace_file(c, ctx),
        Kind::Dockerfile(c) => dockerfile(c, ctx),
        Kind::CommandRan(p) => {
            let re = pattern(p);
            match ctx
                .transcript
                .iter()
                .find(|e| e.exit_code == 0 && re.is_match(&e.command))
            {
                Some(e) => Outcome::pass(format!("`{}` ran", e.command)),
                None => Outcome::fail(format!(
                    "no successful command matches /{p}/; the exercise wants one"
                )),
            }
        }
        Kind::CommandNotUsed(p) => {
            let re = pattern(p);
            match ctx.transcript.iter().find(|e| re.is_match(&e.command)) {
                Some(e) => Outcome::fail(format!(
                    "`{}` was used; the exercise wants no command matching /{p}/",
                    e.command
                )),
                None => Outcome::pass(format!("no command matches /{p}/")),
            }
        }
        Kind::CommandOrder(o) => {
            let (first, then) = (pattern(&o.first), pattern(&o.then));
            let ok = |e: &&TranscriptEntry, re: &Regex| e.exit_code == 0 && re.is_match(&e.command);
            let first_at = ctx.transcript.iter().position(|e| ok(&e, &first));
            let then_at = ctx.transcript.iter().rposition(|e| ok(&e, &then));
            match (first_at, then_at) {
                (Some(a), Some(b)) if a < b => Outcome::pass(format!(
                    "`{}` came before `{}`",
                    ctx.transcript[a].command, ctx.transcript[b].command
                )),
                (None, _) => Outcome::fail(format!(
                    "no successful command matches /{}/; the exercise wants one before /{}/",
                    o.first, o.then
                )),
                (_, None) => Outcome::fail(format!(
                    "no successful command matches /{}/; the exercise wants one after /{}/",
                    o.then, o.first
                )),
                (Some(_), Some(b)) => Outcome::fail(format!(
                    "`{}` came first; the exercise wants /{}/ before it",
                    ctx.transcript[b].command, o.first
                )),
            }
        }
        Kind::CommandOutput(o) => {
            let (command, output) = (pattern(&o.command), pattern(&o.output));
            let runs: Vec<&TranscriptEntry> = ctx
                .transcript
                .iter()
                .filter(|e| command.is_match(&e.command))
                .collect();
            match runs.iter().find(|e| output.is_match(&e.output())) {
                Some(e) => Outcome::pass(format!("`{}` printed what was wanted", e.command)),
                None if runs.is_empty() => Outcome::fail(format!(
                    "no command matches /{}/; the exercise wants one that prints /{}/",
                    o.command, o.output
                )),
                None => Outcome::fail(format!(
                    "`{}` did not print anything matching /{}/",
                    runs[runs.len() - 1].command,
                    o.output
                )),
            }
        }
        Kind::All(list) => {
            for check in list {
                let outcome = evaluate(check, ctx);
                if !outcome.passed {
                    return outcome;
                }
            }
            Outcome::pass(format!("all {} checks hold", list.len()))
        }
        Kind::Any(list) => {
            let mut first_failure = None;
            for check in list {
                let outcome = evaluate(check, ctx);
                if outcome.passed {
                    return outcome;
                }
                first_failure.get_or_insert(outcome);
            }
            match first_failure {
                Some(f) => Outcome {
                    message: format!("none of {} alternatives holds: {}", list.len(), f.message),
                    ..f
                },
                None => Outcome::fail("an empty `any` never holds"),
            }
        }
        Kind::Not(inner) => {
            let outcome = evaluate(inner, ctx);
            if outcome.passed {
                Outcome::fail(format!(
                    "{}, which the exercise does not want",
                    outcome.message
                ))
            } else {
                Outcome::pass(outcome.message)
            }
        }
    }
}

/// A lesson's pattern; the loader has checked it compiles. One that does not matches
/// nothing rather than panicking.
fn pattern(p: &str) -> Regex {
    Regex::new(p).unwrap_or_else(|_| Regex::new("[^\\s\\S]").expect("a valid pattern"))
}

/// Canonical `domain/path:tag` of an image name, for comparing names typed differently.
fn canonical(name: &str) -> String {
    match reference::parse_normalized(name) {
        Ok(r) => r.with_default_tag().to_string(),
        Err(_) => name.to_string(),
    }
}

fn same_image(names: &[String], ctx: &mut Context<'_>) -> Outcome {
    let mut ids = Vec::new();
    for name in names {
        match ctx.backend.inspect_image(name) {
            Ok(image) => ids.push(format!("{name} {}", short_id(image.id.as_deref()))),
            Err(_) => {
                return Outcome::fail(format!(
                    "there is no image {name}; the exercise wants {} to be one image",
                    names.join(" and ")
                ));
            }
        }
    }
    let distinct: std::collections::BTreeSet<&str> = ids
        .iter()
        .map(|s| s.rsplit(' ').next().unwrap_or(""))
        .collect();
    if distinct.len() <= 1 {
        Outcome::pass(format!("{} are one image", names.join(" and ")))
    } else {
        Outcome::fail(format!(
            "{} are different images; the exercise wants one image ID for all",
            names.join(" and ")
        ))
        .with_diff(&ids, &[])
    }
}

fn short_id(id: Option<&str>) -> String {
    let id = id.unwrap_or("").trim_start_matches("sha256:");
    id[..id.len().min(12)].to_string()
}

fn quoted(list: &[String]) -> String {
    serde_json::to_string(list).unwrap_or_default()
}

fn image_config(c: &ImageConfigCheck, ctx: &mut Context<'_>) -> Outcome {
    let image = match ctx.backend.inspect_image(&c.image) {
        Ok(image) => image,
        Err(_) => return Outcome::fail(format!("there is no image {}", c.image)),
    };
    let config = image.config.unwrap_or_default();
    let name = &c.image;
    let list = |v: &Option<Vec<String>>| v.clone().unwrap_or_default();
    let wanted_ports = c.exposed_ports.as_deref().map(port_set);
    for (field, seen, wanted) in [
        (
            "entrypoint",
            list(&config.entrypoint),
            c.entrypoint.as_ref(),
        ),
        ("command (CMD)", list(&config.cmd), c.cmd.as_ref()),
        (
            "exposed ports",
            port_set(&list(&config.exposed_ports)),
            wanted_ports.as_ref(),
        ),
    ] {
        if let Some(wanted) = wanted
            && &seen != wanted
        {
            return Outcome::fail(format!(
                "{name}'s {field} is {}; the exercise wants {}",
                quoted(&seen),
                quoted(wanted)
            ))
            .with_diff(&seen, wanted);
        }
    }
    for (field, seen, wanted) in [
        ("working directory", config.working_dir, &c.workdir),
        ("user", config.user, &c.user),
    ] {
        let seen = seen.unwrap_or_default();
        if let Some(wanted) = wanted
            && &seen != wanted
        {
            return Outcome::fail(format!(
                "{name}'s {field} is {seen:?}; the exercise wants {wanted:?}"
            ));
        }
    }
    let env = list(&config.env);
    if let Some(missing) = c.env.iter().find(|e| !env.contains(e)) {
        return Outcome::fail(format!(
            "{name}'s environment lacks {missing}; the exercise wants it"
        ))
        .with_diff(&env, &c.env);
    }
    let labels = config.labels.unwrap_or_default();
    for (key, value) in &c.labels {
        match labels.get(key) {
            Some(v) if v == value => {}
            Some(v) => {
                return Outcome::fail(format!(
                    "{name}'s label {key} is {v:?}; the exercise wants {value:?}"
                ));
            }
            None => {
                return Outcome::fail(format!(
                    "{name} has no label {key}; the exercise wants {key}={value}"
                ));
            }
        }
    }
    Outcome::pass(format!("{name}'s configuration is as wanted"))
}

/// Ports as Docker keys them (`80/tcp`: TCP when no protocol is named), sorted.
fn port_set(ports: &[String]) -> Vec<String> {
    let mut set: Vec<String> = ports
        .iter()
        .map(|p| {
            if p.contains('/') {
                p.clone()
            } else {
                format!("{p}/tcp")
            }
        })
        .collect();
    set.sort();
    set.dedup();
    set
}

fn layers(ctx: &mut Context<'_>, name: &str) -> Result<Vec<String>, Outcome> {
    match ctx.backend.inspect_image(name) {
        Ok(image) => Ok(image.root_fs.and_then(|r| r.layers).unwrap_or_default()),
        Err(_) => Err(Outcome::fail(format!("there is no image {name}"))),
    }
}

fn image_size(c: &ImageSizeCheck, ctx: &mut Context<'_>) -> Outcome {
    let size_of = |ctx: &mut Context<'_>, name: &str| {
        ctx.backend
            .inspect_image(name)
            .ok()
            .map(|i| i.size.unwrap_or(0).max(0) as u64)
    };
    let Some(size) = size_of(ctx, &c.image) else {
        return Outcome::fail(format!("there is no image {}", c.image));
    };
    let shown = human_size(size);
    let (at_least, at_most) = match c.bounds() {
        Ok(b) => b,
        Err(e) => return Outcome::fail(e),
    };
    if let Some(max) = at_most
        && size > max
    {
        return Outcome::fail(format!(
            "{} is {shown}; the exercise wants it at most {}",
            c.image,
            c.at_most.as_deref().unwrap_or_default()
        ));
    }
    if let Some(min) = at_least
        && size < min
    {
        return Outcome::fail(format!(
            "{} is {shown}; the exercise wants it at least {}",
            c.image,
            c.at_least.as_deref().unwrap_or_default()
        ));
    }
    if let Some(other) = &c.smaller_than {
        let Some(other_size) = size_of(ctx, other) else {
            return Outcome::fail(format!("there is no image {other} to compare with"));
        };
        if size >= other_size {
            return Outcome::fail(format!(
                "{} is {shown}, not smaller than {other} ({})",
                c.image,
                human_size(other_size)
            ));
        }
    }
    Outcome::pass(format!("{} is {shown}", c.image))
}

/// A size as `docker images` shows it (decimal units, three significant digits).
fn human_size(bytes: u64) -> String {
    let units = ["B", "kB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < units.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    let digits = if value >= 100.0 {
        0
    } else if value >= 10.0 {
        1
    } else {
        2
    };
    let text = format!("{value:.digits$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    format!("{text}{}", units[unit])
}

fn based_on(c: &BasedOnCheck, ctx: &mut Context<'_>) -> Outcome {
    let image = match layers(ctx, &c.image) {
        Ok(l) => l,
        Err(o) => return o,
    };
    let base = match layers(ctx, &c.base) {
        Ok(l) => l,
        Err(_) => {
            return Outcome::fail(format!(
                "{} cannot be built on {}: there is no image {} here",
                c.image, c.base, c.base
            ));
        }
    };
    Outcome::verdict(
        image.starts_with(&base),
        if image.starts_with(&base) {
            format!("{} is built on {}", c.image, c.base)
        } else {
            format!(
                "{}'s layers do not start with {}'s; the exercise wants it built FROM {}",
                c.image, c.base, c.base
            )
        },
    )
}

fn history(c: &HistoryCheck, ctx: &mut Context<'_>) -> Outcome {
    let rows = match ctx.backend.image_history(&c.image) {
        Ok(rows) => rows,
        Err(_) => return Outcome::fail(format!("there is no image {}", c.image)),
    };
    if let Some(wanted) = c.rows
        && rows.len() != wanted
    {
        return Outcome::fail(format!(
            "{}'s history has {} rows; the exercise wants {wanted}",
            c.image,
            rows.len()
        ));
    }
    // Oldest first, as the Dockerfile reads.
    let created: Vec<String> = rows.iter().rev().map(|r| r.created_by.clone()).collect();
    let mut from = 0;
    for p in &c.created_by {
        let re = pattern(p);
        match created[from..].iter().position(|row| re.is_match(row)) {
            Some(i) => from += i + 1,
            None => {
                return Outcome::fail(format!(
                    "no row of {}'s history after the ones matched so far matches /{p}/",
                    c.image
                ))
                .with_listing(&created);
            }
        }
    }
    Outcome::pass(format!("{}'s history is as wanted", c.image))
}

fn image_file(c: &ImageFileCheck, ctx: &mut Context<'_>) -> Outcome {
    // An image ID names its content, so what a path holds in it never changes: read
    // the layers once per image and path, not after every command.
    let Some(id) = ctx.backend.inspect_image(&c.image).ok().and_then(|i| i.id) else {
        return Outcome::fail(format!("there is no image {}", c.image));
    };
    let key = (id, c.path.clone());
    let found = match ctx.memo.image_files.get(&key) {
        Some(found) => found.clone(),
        None => {
            // The layers themselves where the backend holds them; else `docker save`.
            let found = match ctx.backend.image_layer_tars(&c.image) {
                Some(layers) => layers
                    .map_err(|e| e.to_string())
                    .and_then(|layers| image_files::find_in_layers(&layers, &c.path)),
                None => ctx
                    .backend
                    .save_images(std::slice::from_ref(&c.image))
                    .map_err(|e| e.to_string())
                    .and_then(|archive| image_files::find(&archive, &c.path)),
            };
            ctx.memo.image_files.insert(key, found.clone());
            found
        }
    };
    let file = match found {
        Ok(Some(file)) => file,
        Ok(None) => {
            return Outcome::fail(format!(
                "{} has no file {}; the exercise wants one",
                c.image, c.path
            ));
        }
        Err(e) => return Outcome::fail(format!("cannot read {}'s layers: {e}", c.image)),
    };
    if let Some(mode) = &c.mode {
        let wanted = u32::from_str_radix(mode, 8).unwrap_or(u32::MAX);
        if file.mode & 0o7777 != wanted {
            return Outcome::fail(format!(
                "{} in {} has mode {:o}; the exercise wants {mode}",
                c.path,
                c.image,
                file.mode & 0o7777
            ));
        }
    }
    if let Some(p) = &c.content
        && !pattern(p).is_match(&String::from_utf8_lossy(&file.data))
    {
        return Outcome::fail(format!("{} in {} does not match /{p}/", c.path, c.image));
    }
    Outcome::pass(match &c.content {
        Some(p) => format!("{} has {} matching /{p}/", c.image, c.path),
        None => format!("{} has {}", c.image, c.path),
    })
}

/// A container as the checks see it: its summary and its inspection.
struct Found {
    name: String,
    summary: ContainerSummary,
    inspect: ContainerInspectResponse,
}

fn describe(c: &ContainerCheck) -> String {
    match (&c.name, &c.image) {
        (Some(n), Some(i)) => format!("a container named {n} from {i}"),
        (Some(n), None) => format!("a container named {n}"),
        (None, Some(i)) => format!("a container from {i}"),
        (None, None) => "a container".to_string(),
    }
}

/// The newest container matching `c`, or a sentence on why none does.
fn select_container(c: &ContainerCheck, ctx: &mut Context<'_>) -> Result<Found, String> {
    let options = ListContainersOptions {
        all: true,
        ..Default::default()
    };
    let all = ctx
        .backend
        .list_containers(&options)
        .map_err(|e| format!("cannot list containers: {e}"))?;
    let wanted_image = c.image.as_ref().map(|i| {
        let id = ctx.backend.inspect_image(i).ok().and_then(|x| x.id);
        (canonical(i), id)
    });
    let candidates: Vec<&ContainerSummary> = all
        .iter()
        .filter(|s| {
            let name_ok = c.name.as_ref().is_none_or(|n| {
                s.names
                    .iter()
                    .flatten()
                    .any(|x| x.trim_start_matches('/') == n)
            });
            let image_ok = wanted_image.as_ref().is_none_or(|(canon, id)| {
                s.image.as_deref().map(canonical).as_ref() == Some(canon)
                    || (id.is_some() && s.image_id == *id)
            });
            name_ok && image_ok
        })
        .collect();
    if candidates.is_empty() {
        return Err(format!(
            "there is no {}; the exercise wants one",
            describe(c).trim_start_matches("a ")
        ));
    }
    let mut first_reason = None;
    for summary in candidates {
        let id = summary.id.clone().unwrap_or_default();
        let Ok(inspect) = ctx.backend.inspect_container(&id) else {
            continue;
        };
        let name = inspect
            .name
            .clone()
            .unwrap_or_default()
            .trim_start_matches('/')
            .to_string();
        let found = Found {
            name,
            summary: summary.clone(),
            inspect,
        };
        match container_mismatch(c, &found, ctx.workspace) {
            None => return Ok(found),
            Some(reason) => {
                first_reason.get_or_insert(reason);
            }
        }
    }
    Err(first_reason.unwrap_or_else(|| format!("there is no {}", describe(c))))
}

/// Why `found` is not the container `c` asks for, if it is not.
fn container_mismatch(c: &ContainerCheck, found: &Found, workspace: &Path) -> Option<String> {
    let name = &found.name;
    let state = found.inspect.state.clone().unwrap_or_default();
    let status = state.status.map(|s| s.to_string()).unwrap_or_default();
    if let Some(wanted) = &c.state
        && &status != wanted
    {
        return Some(format!(
            "the container {name} is {status}; the exercise wants it {wanted}"
        ));
    }
    if let Some(wanted) = c.exit_code {
        let code = state.exit_code.unwrap_or(0);
        if status != "exited" || code != wanted {
            return Some(format!(
                "the container {name} is {status} with exit code {code}; the exercise wants it exited with {wanted}"
            ));
        }
    }
    if let Some(wanted) = &c.restart {
        let policy = found
            .inspect
            .host_config
            .as_ref()
            .and_then(|h| h.restart_policy.as_ref())
            .and_then(|p| p.name)
            .map(|n| n.to_string())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "no".to_string());
        if &policy != wanted {
            return Some(format!(
                "the container {name}'s restart policy is {policy}; the exercise wants {wanted}"
            ));
        }
    }
    let published: Vec<String> = found
        .summary
        .ports
        .iter()
        .flatten()
        .filter_map(|p| p.public_port.map(|h| format!("{h}:{}", p.private_port)))
        .collect::<std::collections::BTreeSet<String>>()
        .into_iter()
        .collect();
    for wanted in &c.ports {
        let ok = published
            .iter()
            .any(|p| p == wanted || p.rsplit(':').next() == Some(wanted.as_str()));
        if !ok {
            let seen = if published.is_empty() {
                "publishes no ports".to_string()
            } else {
                format!("publishes {}", published.join(", "))
            };
            return Some(format!(
                "the container {name} {seen}; the exercise wants {wanted}"
            ));
        }
    }
    let mounts = found.inspect.mounts.as_deref().unwrap_or_default();
    for wanted in &c.mounts {
        let Ok(spec) = MountSpec::parse(wanted) else {
            return Some(format!("{wanted:?} is not a mount"));
        };
        if let Some(reason) = mount_mismatch(name, &spec, wanted, mounts, workspace) {
            return Some(reason);
        }
    }
    None
}

/// Why none of `mounts` is the one `spec` describes, if none is.
fn mount_mismatch(
    name: &str,
    spec: &MountSpec,
    wanted: &str,
    mounts: &[bollard_stubs::models::MountPoint],
    workspace: &Path,
) -> Option<String> {
    let at = mounts.iter().find(|m| {
        m.destination.as_deref().map(|d| d.trim_end_matches('/')) == Some(&spec.destination)
    });
    let Some(at) = at else {
        return Some(format!(
            "the container {name} has nothing mounted at {}; the exercise wants -v {wanted}",
            spec.destination
        ));
    };
    let typ = at.typ.as_deref().unwrap_or_default();
    let seen_source = match typ {
        "volume" => at.name.clone().unwrap_or_default(),
        _ => at.source.clone().unwrap_or_default(),
    };
    let source_ok = match &spec.source {
        MountSource::Volume(volume) => typ == "volume" && &seen_source == volume,
        MountSource::Workspace(relative) => {
            let canonical = |p: &Path| std::fs::canonicalize(p).ok();
            let want = workspace_path(workspace, relative).and_then(|p| canonical(&p));
            typ == "bind" && want.is_some() && want == canonical(Path::new(&seen_source))
        }
    };
    if !source_ok {
        let seen = match typ {
            "volume" => format!("the volume {seen_source}"),
            "bind" => format!("the host directory {seen_source}"),
            other => format!("a {other} mount"),
        };
        return Some(format!(
            "the container {name} has {seen} at {}; the exercise wants -v {wanted}",
            spec.destination
        ));
    }
    let writable = at.rw.unwrap_or(true);
    match spec.writable {
        Some(w) if w != writable => Some(format!(
            "the container {name}'s mount at {} is {}; the exercise wants it {}",
            spec.destination,
            if writable { "writable" } else { "read-only" },
            if w { "writable" } else { "read-only (:ro)" }
        )),
        _ => None,
    }
}

fn container_diff(c: &DiffCheck, ctx: &mut Context<'_>) -> Outcome {
    let found = match select_container(&c.container, ctx) {
        Ok(found) => found,
        Err(message) => return Outcome::fail(message),
    };
    let id = found.summary.id.clone().unwrap_or_default();
    let changes = match ctx.backend.container_changes(&id) {
        Ok(changes) => changes,
        Err(e) => return Outcome::fail(format!("cannot read {}'s changes: {e}", found.name)),
    };
    let lines: Vec<String> = changes
        .iter()
        .map(|change| {
            let letter = match change.kind {
                ChangeType::_0 => 'C',
                ChangeType::_1 => 'A',
                ChangeType::_2 => 'D',
            };
            format!("{letter} {}", change.path)
        })
        .collect();
    let name = &found.name;
    if let Some(missing) = c.contains.iter().find(|l| !lines.contains(l)) {
        return Outcome::fail(format!(
            "docker diff {name} does not show {missing}; the exercise wants it to"
        ))
        .with_diff(&lines, &c.contains);
    }
    if let Some(wanted) = &c.equals {
        let (mut seen, mut want) = (lines.clone(), wanted.clone());
        seen.sort();
        want.sort();
        if seen != want {
            return Outcome::fail(format!(
                "docker diff {name} shows {} lines; the exercise wants exactly {}",
                seen.len(),
                want.len()
            ))
            .with_diff(&seen, &want);
        }
    }
    Outcome::pass(format!("docker diff {name} shows what was wanted"))
}

/// Every container, running or not.
fn all_containers(
    ctx: &mut Context<'_>,
    filters: crate::backend::Filters,
) -> Result<Vec<ContainerSummary>, Outcome> {
    let options = ListContainersOptions {
        all: true,
        filters,
        ..Default::default()
    };
    ctx.backend
        .list_containers(&options)
        .map_err(|e| Outcome::fail(format!("cannot list containers: {e}")))
}

/// A container's name without the leading `/`.
fn summary_name(s: &ContainerSummary) -> String {
    s.names
        .iter()
        .flatten()
        .next()
        .map(|n| n.trim_start_matches('/').to_string())
        .unwrap_or_else(|| short_id(s.id.as_deref()))
}

fn volume(c: &VolumeCheck, ctx: &mut Context<'_>) -> Outcome {
    let name = &c.name;
    match ctx.backend.inspect_volume(name) {
        Err(e) if e.is_not_found() => {
            return Outcome::verdict(
                !c.exists,
                if c.exists {
                    format!("there is no volume {name}; the exercise wants one")
                } else {
                    format!("there is no volume {name}")
                },
            );
        }
        Err(e) => return Outcome::fail(format!("cannot inspect the volume {name}: {e}")),
        Ok(_) if !c.exists => {
            return Outcome::fail(format!(
                "the volume {name} is still there; the exercise wants it removed"
            ));
        }
        Ok(_) => {}
    }
    let containers = match all_containers(ctx, Default::default()) {
        Ok(list) => list,
        Err(o) => return o,
    };
    // (container name, ID, where the volume is mounted in it), newest first, as
    // containers are listed.
    let mut users: Vec<(String, String, String)> = containers
        .iter()
        .flat_map(|s| {
            s.mounts
                .iter()
                .flatten()
                .filter(|m| m.typ.as_deref() == Some("volume") && m.name.as_ref() == Some(name))
                .map(|m| {
                    (
                        summary_name(s),
                        s.id.clone().unwrap_or_default(),
                        m.destination.clone().unwrap_or_default(),
                    )
                })
        })
        .collect();
    if let Some(wanted) = &c.used_by {
        users.sort_by_key(|(n, _, _)| n != wanted);
        if users.first().is_none_or(|(n, _, _)| n != wanted) {
            let exists = containers.iter().any(|s| &summary_name(s) == wanted);
            return Outcome::fail(if exists {
                format!(
                    "the container {wanted} does not mount the volume {name}; the exercise wants it to (-v {name}:PATH)"
                )
            } else {
                format!(
                    "there is no container {wanted}; the exercise wants one that mounts the volume {name}"
                )
            });
        }
    }
    let Some(file) = &c.file else {
        return Outcome::pass(match &c.used_by {
            Some(u) => format!("the volume {name} exists, mounted by {u}"),
            None => format!("the volume {name} exists"),
        });
    };
    let Some((reader, id, destination)) = users.first() else {
        return Outcome::fail(format!(
            "no container mounts the volume {name}, so its file {file} cannot be read; keep one that mounts it (docker run without --rm)"
        ));
    };
    let path = format!(
        "{}/{}",
        destination.trim_end_matches('/'),
        file.trim_start_matches('/')
    );
    let archive = match ctx.backend.container_archive(id, &path) {
        Ok(archive) => archive,
        Err(e) if e.is_not_found() => {
            return Outcome::fail(format!(
                "the volume {name} has no file {file}; the exercise wants one"
            ));
        }
        Err(e) => {
            return Outcome::fail(format!(
                "cannot read {file} in the volume {name} through {reader}: {e}"
            ));
        }
    };
    let data = match first_file_of(&archive) {
        Ok(Some(data)) => data,
        Ok(None) => {
            return Outcome::fail(format!(
                "{file} in the volume {name} is not a file; the exercise wants one"
            ));
        }
        Err(e) => {
            return Outcome::fail(format!(
                "cannot read {file} in the volume {name} through {reader}: {e}"
            ));
        }
    };
    match &c.contains {
        Some(p) if !pattern(p).is_match(&String::from_utf8_lossy(&data)) => {
            Outcome::fail(format!("{file} in the volume {name} does not match /{p}/"))
        }
        Some(p) => Outcome::pass(format!("the volume {name} holds {file} matching /{p}/")),
        None => Outcome::pass(format!("the volume {name} holds {file}")),
    }
}

/// The first entry of a tar (what `docker cp` reads for a path): its bytes when it is a
/// regular file, None when it is anything else.
fn first_file_of(archive: &[u8]) -> Result<Option<Vec<u8>>, String> {
    use std::io::Read;
    let mut tar = tar::Archive::new(archive);
    let mut entries = tar.entries().map_err(|e| e.to_string())?;
    let Some(entry) = entries.next() else {
        return Ok(None);
    };
    let entry = entry.map_err(|e| e.to_string())?;
    if entry.header().entry_type() != tar::EntryType::Regular {
        return Ok(None);
    }
    let mut data = Vec::new();
    entry
        .take(16 << 20)
        .read_to_end(&mut data)
        .map_err(|e| e.to_string())?;
    Ok(Some(data))
}

fn network(c: &NetworkCheck, ctx: &mut Context<'_>) -> Outcome {
    let name = &c.name;
    let found = match ctx.backend.inspect_network(name) {
        Err(e) if e.is_not_found() => None,
        Err(e) => return Outcome::fail(format!("cannot inspect the network {name}: {e}")),
        Ok(n) => Some(n),
    };
    let members = match network_members(c, found.as_ref()) {
        Ok(members) => members,
        Err(outcome) => return outcome,
    };
    let Some(network) = found else {
        return Outcome::pass(format!("there is no network {name}"));
    };
    for wanted in &c.containers {
        if !members.contains(wanted) {
            let exists = ctx.backend.inspect_container(wanted).is_ok();
            return Outcome::fail(if exists {
                format!(
                    "the container {wanted} is not attached to the network {name}; the exercise wants it to be"
                )
            } else {
                format!(
                    "there is no container {wanted}; the exercise wants one attached to the network {name}"
                )
            })
            .with_listing(&members);
        }
    }
    // Aliases live with the container's endpoint, under the network's own name.
    let key = network.name.clone().unwrap_or_else(|| name.clone());
    for (container, wanted) in &c.aliases {
        let aliases: Vec<String> = match ctx.backend.inspect_container(container) {
            Ok(inspect) => inspect
                .network_settings
                .and_then(|n| n.networks)
                .and_then(|mut n| n.remove(&key))
                .and_then(|e| e.aliases)
                .unwrap_or_default(),
            Err(_) => {
                return Outcome::fail(format!(
                    "there is no container {container}; the exercise wants one on the network {name}"
                ));
            }
        };
        if let Some(missing) = wanted.iter().find(|a| !aliases.contains(a)) {
            return Outcome::fail(format!(
                "the container {container} does not answer to {missing} on the network {name}; the exercise wants it to (--network-alias {missing})"
            ))
            .with_diff(&aliases, wanted);
        }
    }
    Outcome::pass(format!("the network {name} is as wanted"))
}

/// The names of the containers attached to `network` (as `docker network inspect` lists
/// them), or the outcome when existence, driver or an unwanted member already decides.
fn network_members(
    c: &NetworkCheck,
    network: Option<&bollard_stubs::models::NetworkInspect>,
) -> Result<Vec<String>, Outcome> {
    let name = &c.name;
    let Some(network) = network else {
        return if c.exists {
            Err(Outcome::fail(format!(
                "there is no network {name}; the exercise wants one (docker network create {name})"
            )))
        } else {
            Ok(Vec::new())
        };
    };
    if !c.exists {
        return Err(Outcome::fail(format!(
            "the network {name} is still there; the exercise wants it removed"
        )));
    }
    let driver = network.driver.clone().unwrap_or_default();
    if let Some(wanted) = &c.driver
        && &driver != wanted
    {
        return Err(Outcome::fail(format!(
            "the network {name}'s driver is {driver}; the exercise wants {wanted}"
        )));
    }
    let mut members: Vec<String> = network
        .containers
        .iter()
        .flatten()
        .filter_map(|(_, endpoint)| endpoint.name.clone())
        .map(|n| n.trim_start_matches('/').to_string())
        .collect();
    members.sort();
    if let Some(unwanted) = c.not_containers.iter().find(|n| members.contains(n)) {
        return Err(Outcome::fail(format!(
            "the container {unwanted} is attached to the network {name}; the exercise wants it not to be"
        ))
        .with_listing(&members));
    }
    Ok(members)
}

const COMPOSE_PROJECT: &str = "com.docker.compose.project";
const COMPOSE_SERVICE: &str = "com.docker.compose.service";

fn compose_project(c: &ComposeProjectCheck, ctx: &mut Context<'_>) -> Outcome {
    let filters = [(
        "label".to_string(),
        vec![format!("{COMPOSE_PROJECT}={}", c.project)],
    )]
    .into_iter()
    .collect();
    match all_containers(ctx, filters) {
        Ok(containers) => compose_verdict(c, &containers),
        Err(o) => o,
    }
}

/// The verdict on a project, from the containers the backend listed (filtered again
/// here by their labels, so a backend that ignores the filter still answers right).
fn compose_verdict(c: &ComposeProjectCheck, containers: &[ContainerSummary]) -> Outcome {
    let project = &c.project;
    let label = |s: &ContainerSummary, key: &str| {
        s.labels
            .as_ref()
            .and_then(|l| l.get(key))
            .cloned()
            .unwrap_or_default()
    };
    let mut members: Vec<&ContainerSummary> = containers
        .iter()
        .filter(|s| &label(s, COMPOSE_PROJECT) == project)
        .collect();
    members.sort_by_key(|s| summary_name(s));
    let names: Vec<String> = members.iter().map(|s| summary_name(s)).collect();
    if c.absent {
        return if names.is_empty() {
            Outcome::pass(format!(
                "no container of the compose project {project} is left"
            ))
        } else {
            Outcome::fail(format!(
                "the compose project {project} still has {}; the exercise wants none (docker compose down)",
                names.join(", ")
            ))
        };
    }
    if members.is_empty() {
        return Outcome::fail(format!(
            "there is no container of the compose project {project}; the exercise wants its services up (docker compose up -d)"
        ));
    }
    for (service, wanted) in &c.services {
        let of_service: Vec<&&ContainerSummary> = members
            .iter()
            .filter(|s| &label(s, COMPOSE_SERVICE) == service)
            .collect();
        if of_service.is_empty() {
            let services: std::collections::BTreeSet<String> =
                members.iter().map(|s| label(s, COMPOSE_SERVICE)).collect();
            return Outcome::fail(format!(
                "the compose project {project} has no container of the service {service}; the exercise wants it {wanted}"
            ))
            .with_listing(&services.into_iter().collect::<Vec<_>>());
        }
        for s in of_service {
            let seen = service_state(s);
            if &seen != wanted {
                return Outcome::fail(format!(
                    "{} (the service {service} of {project}) is {seen}; the exercise wants it {wanted}",
                    summary_name(s)
                ));
            }
        }
    }
    Outcome::pass(format!(
        "the compose project {project} has {}",
        names.join(", ")
    ))
}

/// `running`, `exited`, ..., or `healthy` / `unhealthy` / `starting` for a running
/// container with a health check, as `docker compose ps` tells them apart.
fn service_state(s: &ContainerSummary) -> String {
    let state = s.state.map(|s| s.to_string()).unwrap_or_default();
    if state != "running" {
        return state;
    }
    let health = s
        .health
        .as_ref()
        .and_then(|h| h.status)
        .map(|h| h.to_string())
        .filter(|h| !h.is_empty() && h != "none");
    let from_status = || {
        let status = s.status.as_deref().unwrap_or_default();
        ["healthy", "unhealthy", "health: starting"]
            .into_iter()
            .find(|h| status.contains(&format!("({h})")))
            .map(|h| h.trim_start_matches("health: ").to_string())
    };
    health.or_else(from_status).unwrap_or(state)
}

fn registry_has(name: &str, ctx: &mut Context<'_>) -> Outcome {
    let Ok(r) = reference::parse_normalized(name) else {
        return Outcome::fail(format!("{name} is not an image name"));
    };
    let r = r.with_default_tag();
    let (domain, path, tag) = (r.domain(), r.path(), r.tag().unwrap_or("latest"));
    // The lab serves `localhost:PORT` wherever the engine put it.
    let address = match domain.rsplit_once(':') {
        Some(("localhost" | "127.0.0.1", port)) => port
            .parse()
            .ok()
            .and_then(|p| ctx.backend.published_address(p))
            .map(|a| a.to_string())
            .unwrap_or_else(|| domain.to_string()),
        _ => domain.to_string(),
    };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(std::time::Duration::from_secs(2)))
        .build()
        .into();
    let url = format!("http://{address}/v2/{path}/tags/list");
    let mut response = match agent.get(&url).call() {
        Ok(r) => r,
        Err(_) => {
            return Outcome::fail(format!(
                "no registry answers at {domain}; the exercise wants one serving {path}:{tag}"
            ));
        }
    };
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .with_config()
        .limit(1 << 20)
        .read_to_string()
        .unwrap_or_default();
    let tags: Vec<String> = serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v.get("tags").cloned())
        .and_then(|t| serde_json::from_value(t).ok())
        .unwrap_or_default();
    if status == 200 && tags.iter().any(|t| t == tag) {
        Outcome::pass(format!("the registry at {domain} has {path}:{tag}"))
    } else if tags.is_empty() {
        Outcome::fail(format!(
            "the registry at {domain} has no repository {path}; the exercise wants {path}:{tag}"
        ))
    } else {
        Outcome::fail(format!(
            "the registry at {domain} has {path}:{}; the exercise wants {tag}",
            tags.join(", ")
        ))
    }
}

/// `rel` under the workspace, or None when it would leave it.
fn workspace_path(workspace: &Path, rel: &str) -> Option<std::path::PathBuf> {
    let mut out = workspace.to_path_buf();
    for part in rel.split('/').filter(|p| !p.is_empty() && *p != ".") {
        if part == ".." || part.contains('\\') || part.contains(':') {
            return None;
        }
        out.push(part);
    }
    Some(out)
}

fn workspace_file(c: &WorkspaceFileCheck, ctx: &mut Context<'_>) -> Outcome {
    let Some(path) = workspace_path(ctx.workspace, &c.path) else {
        return Outcome::fail(format!("{} is outside the workspace", c.path));
    };
    let meta = std::fs::symlink_metadata(&path)
        .ok()
        .filter(|m| m.is_file());
    let Some(meta) = meta else {
        return Outcome::verdict(
            !c.exists,
            if c.exists {
                format!(
                    "there is no file {} in the workspace; the exercise wants one",
                    c.path
                )
            } else {
                format!("there is no file {} in the workspace", c.path)
            },
        );
    };
    if !c.exists {
        return Outcome::fail(format!(
            "{} is in the workspace; the exercise wants it gone",
            c.path
        ));
    }
    if let Some(wanted) = c.executable {
        let executable = is_executable(&meta);
        if executable != wanted {
            return Outcome::fail(if wanted {
                format!(
                    "{} is not executable; the exercise wants it to be (chmod +x)",
                    c.path
                )
            } else {
                format!("{} is executable; the exercise wants it not to be", c.path)
            });
        }
    }
    if let Some(p) = &c.content {
        let text = std::fs::read(&path)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        if !pattern(p).is_match(&text) {
            return Outcome::fail(format!("{} does not match /{p}/", c.path));
        }
    }
    Outcome::pass(format!("{} is in the workspace as wanted", c.path))
}

#[cfg(unix)]
fn is_executable(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o100 != 0
}

#[cfg(not(unix))]
fn is_executable(_meta: &std::fs::Metadata) -> bool {
    // Windows has no execute bit; the lab's shell keeps none either.
    true
}

fn dockerfile(c: &DockerfileCheck, ctx: &mut Context<'_>) -> Outcome {
    let text = workspace_path(ctx.workspace, &c.path)
        .and_then(|p| std::fs::read(p).ok())
        .map(|b| String::from_utf8_lossy(&b).into_owned());
    let Some(text) = text else {
        return Outcome::fail(format!(
            "there is no {} in the workspace; the exercise wants one",
            c.path
        ));
    };
    let parsed = match crate::engine::dockerfile::parse(&text) {
        Ok(parsed) => parsed,
        Err(e) => return Outcome::fail(format!("{} does not parse: {e}", c.path)),
    };
    let instructions: Vec<String> = parsed
        .meta_arg_instructions
        .iter()
        .chain(
            parsed
                .stages
                .iter()
                .flat_map(|s| std::iter::once(&s.from_instruction).chain(s.instructions.iter())),
        )
        .map(|i| instruction_text(&i.original))
        .collect();
    let mut from = 0;
    for p in &c.has {
        let re = pattern(p);
        match instructions[from..].iter().position(|i| re.is_match(i)) {
            Some(i) => from += i + 1,
            None => {
                // The instructions as they are, the one wanted where it would go.
                let mut diff = legend();
                for (n, i) in instructions.iter().enumerate() {
                    if n == from {
                        diff.push_str(&wanted_line(&format!("/{p}/")));
                    }
                    diff.push_str(&format!("  {i}\n"));
                }
                if from >= instructions.len() {
                    diff.push_str(&wanted_line(&format!("/{p}/")));
                }
                let mut outcome = Outcome::fail(format!(
                    "{} has no instruction matching /{p}/ where the exercise wants one",
                    c.path
                ));
                outcome.diff = Some(diff);
                return outcome;
            }
        }
    }
    for p in &c.lacks {
        if let Some(i) = instructions.iter().find(|i| pattern(p).is_match(i)) {
            return Outcome::fail(format!(
                "{} has `{i}`; the exercise wants no instruction matching /{p}/",
                c.path
            ));
        }
    }
    Outcome::pass(format!("{} has the instructions wanted", c.path))
}

/// `run   apk add x` → `RUN apk add x`: the name upper-cased, one space after it.
fn instruction_text(original: &str) -> String {
    let original = original.trim();
    match original.split_once(char::is_whitespace) {
        Some((name, rest)) => format!("{} {}", name.to_uppercase(), rest.trim_start()),
        None => original.to_uppercase(),
    }
}

/// `-` what was seen, `+` what was wanted, coloured when the terminal takes colour.
/// The first line of every seen/wanted diff: what its marks mean.
fn legend() -> String {
    format!(
        "{}\n",
        "(- seen, + wanted)".if_supports_color(Stream::Stdout, |t| t.dimmed())
    )
}

fn wanted_line(line: &str) -> String {
    format!(
        "{}\n",
        format!("+ {line}").if_supports_color(Stream::Stdout, |t| t.green())
    )
}

fn line_diff(seen: &[String], wanted: &[String]) -> String {
    let seen_text: String = seen.iter().map(|l| format!("{l}\n")).collect();
    let wanted_text: String = wanted.iter().map(|l| format!("{l}\n")).collect();
    let diff = similar::TextDiff::from_lines(&seen_text, &wanted_text);
    let mut out = legend();
    for change in diff.iter_all_changes() {
        let line = change.value().trim_end_matches('\n');
        match change.tag() {
            similar::ChangeTag::Delete => out.push_str(&format!(
                "{}\n",
                format!("- {line}").if_supports_color(Stream::Stdout, |t| t.red())
            )),
            similar::ChangeTag::Insert => out.push_str(&wanted_line(line)),
            similar::ChangeTag::Equal => out.push_str(&format!("  {line}\n")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instructions_read_as_their_name_and_arguments() {
        assert_eq!(instruction_text("run   apk add nmap"), "RUN apk add nmap");
        assert_eq!(instruction_text("CMD [\"x\"]"), "CMD [\"x\"]");
    }

    #[test]
    fn workspace_paths_never_leave_the_workspace() {
        let root = Path::new("/w");
        assert_eq!(workspace_path(root, "a/./b"), Some("/w/a/b".into()));
        assert_eq!(workspace_path(root, "../etc/passwd"), None);
        assert_eq!(workspace_path(root, "/a"), Some("/w/a".into()));
    }

    use bollard_stubs::models::{
        ContainerSummaryHealth, ContainerSummaryHealthStatusEnum, ContainerSummaryStateEnum,
        EndpointResource, NetworkInspect,
    };

    fn appnet(members: &[&str]) -> NetworkInspect {
        NetworkInspect {
            name: Some("appnet".into()),
            driver: Some("bridge".into()),
            containers: Some(
                members
                    .iter()
                    .enumerate()
                    .map(|(i, n)| {
                        let endpoint = EndpointResource {
                            name: Some(n.to_string()),
                            ..Default::default()
                        };
                        (format!("{i:064}"), endpoint)
                    })
                    .collect(),
            ),
            ..Default::default()
        }
    }

    fn network_check(yaml: &str) -> NetworkCheck {
        serde_yaml::from_str(yaml).unwrap()
    }

    fn failure(result: Result<Vec<String>, Outcome>) -> String {
        match result {
            Err(o) if !o.passed => o.message,
            other => panic!("wanted a failure, got {other:?}"),
        }
    }

    #[test]
    fn a_network_lists_its_members_by_container_name() {
        let c = network_check("{ name: appnet, driver: bridge, not_containers: [other] }");
        assert_eq!(
            network_members(&c, Some(&appnet(&["web", "api"]))).unwrap(),
            ["api", "web"]
        );
        assert_eq!(
            failure(network_members(&c, Some(&appnet(&["api", "other"])))),
            "the container other is attached to the network appnet; the exercise wants it not to be"
        );
        let host = network_check("{ name: appnet, driver: host }");
        assert_eq!(
            failure(network_members(&host, Some(&appnet(&[])))),
            "the network appnet's driver is bridge; the exercise wants host"
        );
    }

    #[test]
    fn a_network_that_should_be_gone_or_there() {
        let gone = network_check("{ name: appnet, exists: false }");
        assert_eq!(network_members(&gone, None).unwrap(), Vec::<String>::new());
        assert_eq!(
            failure(network_members(&gone, Some(&appnet(&[])))),
            "the network appnet is still there; the exercise wants it removed"
        );
        let there = network_check("{ name: appnet }");
        assert_eq!(
            failure(network_members(&there, None)),
            "there is no network appnet; the exercise wants one (docker network create appnet)"
        );
    }

    fn service(
        name: &str,
        project: &str,
        service: &str,
        state: ContainerSummaryStateEnum,
        status: &str,
    ) -> ContainerSummary {
        ContainerSummary {
            names: Some(vec![format!("/{name}")]),
            state: Some(state),
            status: Some(status.into()),
            labels: Some(
                [
                    (COMPOSE_PROJECT.to_string(), project.to_string()),
                    (COMPOSE_SERVICE.to_string(), service.to_string()),
                ]
                .into_iter()
                .collect(),
            ),
            ..Default::default()
        }
    }

    fn compose_check(yaml: &str) -> ComposeProjectCheck {
        serde_yaml::from_str(yaml).unwrap()
    }

    #[test]
    fn a_compose_project_is_its_labelled_containers() {
        use ContainerSummaryStateEnum::{EXITED, RUNNING};
        let up = [
            service("shop-web-1", "shop", "web", RUNNING, "Up 3 seconds"),
            service("shop-db-1", "shop", "db", RUNNING, "Up 4 seconds (healthy)"),
            service(
                "other-web-1",
                "other",
                "web",
                EXITED,
                "Exited (0) 1 second ago",
            ),
        ];
        let wanted = compose_check("{ project: shop, services: { web: running, db: healthy } }");
        let outcome = compose_verdict(&wanted, &up);
        assert!(outcome.passed, "{}", outcome.message);
        assert_eq!(
            outcome.message,
            "the compose project shop has shop-db-1, shop-web-1"
        );

        let mut db_starting = up.clone();
        db_starting[1].status = Some("Up 1 second (health: starting)".into());
        assert_eq!(
            compose_verdict(&wanted, &db_starting).message,
            "shop-db-1 (the service db of shop) is starting; the exercise wants it healthy"
        );
        // The health the API reports wins over the status text.
        let mut unhealthy = up.clone();
        unhealthy[1].health = Some(ContainerSummaryHealth {
            status: Some(ContainerSummaryHealthStatusEnum::UNHEALTHY),
            ..Default::default()
        });
        assert!(!compose_verdict(&wanted, &unhealthy).passed);

        let cache = compose_check("{ project: shop, services: { cache: running } }");
        assert_eq!(
            compose_verdict(&cache, &up).message,
            "the compose project shop has no container of the service cache; the exercise wants it running"
        );
        let down = compose_check("{ project: shop, absent: true }");
        assert_eq!(
            compose_verdict(&down, &up).message,
            "the compose project shop still has shop-db-1, shop-web-1; the exercise wants none (docker compose down)"
        );
        assert!(compose_verdict(&down, &up[2..]).passed);
        assert_eq!(
            compose_verdict(&wanted, &up[2..]).message,
            "there is no container of the compose project shop; the exercise wants its services up (docker compose up -d)"
        );
    }

    #[test]
    fn a_diff_marks_what_was_seen_and_what_was_wanted() {
        let diff = line_diff(
            &["A /a".into(), "C /b".into()],
            &["A /a".into(), "A /c".into()],
        );
        assert!(diff.contains("  A /a\n"), "{diff}");
        assert!(diff.contains("- C /b"), "{diff}");
        assert!(diff.contains("+ A /c"), "{diff}");
    }
}

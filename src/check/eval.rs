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
        match container_mismatch(c, &found) {
            None => return Ok(found),
            Some(reason) => {
                first_reason.get_or_insert(reason);
            }
        }
    }
    Err(first_reason.unwrap_or_else(|| format!("there is no {}", describe(c))))
}

/// Why `found` is not the container `c` asks for, if it is not.
fn container_mismatch(c: &ContainerCheck, found: &Found) -> Option<String> {
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
    None
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
                return Outcome::fail(format!(
                    "{} has no instruction matching /{p}/ where the exercise wants one",
                    c.path
                ))
                .with_listing(&instructions);
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
fn line_diff(seen: &[String], wanted: &[String]) -> String {
    let seen_text: String = seen.iter().map(|l| format!("{l}\n")).collect();
    let wanted_text: String = wanted.iter().map(|l| format!("{l}\n")).collect();
    let diff = similar::TextDiff::from_lines(&seen_text, &wanted_text);
    let mut out = String::new();
    for change in diff.iter_all_changes() {
        let line = change.value().trim_end_matches('\n');
        match change.tag() {
            similar::ChangeTag::Delete => out.push_str(&format!(
                "{}\n",
                format!("- {line}").if_supports_color(Stream::Stdout, |t| t.red())
            )),
            similar::ChangeTag::Insert => out.push_str(&format!(
                "{}\n",
                format!("+ {line}").if_supports_color(Stream::Stdout, |t| t.green())
            )),
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

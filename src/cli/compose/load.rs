//! From files to a `Project`, in compose-go's order: find the file (`-f`, else
//! `compose.yaml`, `compose.yml`, `docker-compose.yml`, `docker-compose.yaml` in the
//! working directory or the nearest parent that has one), read `.env` beside it,
//! parse, interpolate, validate the shape, read the typed model, then normalise
//! (names, absolute paths, long forms, defaults) and check the project's consistency
//! (undefined services, networks and volumes, dependency cycles, clashing names).

use super::interpolate::{Interpolator, parse_dotenv};
use super::model::*;
use super::validate::validate;
use crate::cli::ClientFiles;
use std::collections::BTreeMap;

pub const DEFAULT_FILE_NAMES: &[&str] = &[
    "compose.yaml",
    "compose.yml",
    "docker-compose.yml",
    "docker-compose.yaml",
];

/// What the command line and the environment say about which project to load.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// `-f`, in order; empty: look for the default names.
    pub files: Vec<String>,
    /// `-p`.
    pub project_name: Option<String>,
    /// The client's working directory (absolute).
    pub cwd: String,
    /// The client's environment.
    pub env: BTreeMap<String, String>,
    /// `--profile`, added to `COMPOSE_PROFILES`.
    pub profiles: Vec<String>,
}

/// A loaded project and what compose would have warned about on the way.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub project: Project,
    pub warnings: Vec<String>,
    /// The variables interpolation saw (the environment over `.env`).
    pub vars: BTreeMap<String, String>,
}

/// `base` joined with `path` and cleaned, `.` and `..` resolved: a lab path.
pub fn join_path(base: &str, path: &str) -> String {
    let full = if path.starts_with('/') {
        path.to_string()
    } else if let Some(rest) = path.strip_prefix('~') {
        format!("/{rest}")
    } else {
        format!("{}/{path}", base.trim_end_matches('/'))
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in full.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

fn parent_dir(path: &str) -> String {
    match path.rsplit_once('/') {
        Some(("", _)) | None => "/".to_string(),
        Some((dir, _)) => dir.to_string(),
    }
}

/// compose-go's `NormalizeProjectName`: lowercase, only `[a-z0-9_-]`, no leading `_`/`-`.
pub fn normalize_project_name(s: &str) -> String {
    let lower = s.to_lowercase();
    let kept: String = lower
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_' || *c == '-')
        .collect();
    kept.trim_start_matches(['_', '-']).to_string()
}

fn valid_project_name(s: &str) -> bool {
    !s.is_empty()
        && s.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

/// The compose files to read, absolute, and the warnings finding them gave.
pub fn find_files(
    files: &mut dyn ClientFiles,
    options: &LoadOptions,
) -> Result<(Vec<String>, Vec<String>), String> {
    let mut warnings = Vec::new();
    let mut chosen: Vec<String> = options
        .files
        .iter()
        .map(|f| join_path(&options.cwd, f))
        .collect();
    if chosen.is_empty()
        && let Some(list) = options.env.get("COMPOSE_FILE").filter(|l| !l.is_empty())
    {
        chosen = list
            .split(':')
            .map(|f| join_path(&options.cwd, f))
            .collect();
    }
    if !chosen.is_empty() {
        return Ok((chosen, warnings));
    }
    let mut dir = join_path(&options.cwd, ".");
    loop {
        let candidates: Vec<String> = DEFAULT_FILE_NAMES
            .iter()
            .map(|n| join_path(&dir, n))
            .filter(|p| files.stat(p) == Some(false))
            .collect();
        if let Some(winner) = candidates.first() {
            if candidates.len() > 1 {
                warnings.push(format!(
                    "Found multiple config files with supported names: {}",
                    candidates.join(", ")
                ));
                warnings.push(format!("Using {winner}"));
            }
            return Ok((vec![winner.clone()], warnings));
        }
        if dir == "/" {
            return Err("no configuration file provided: not found".into());
        }
        dir = parent_dir(&dir);
    }
}

/// Reads and resolves the project.
pub fn load(files: &mut dyn ClientFiles, options: &LoadOptions) -> Result<Loaded, String> {
    let (paths, mut warnings) = find_files(files, options)?;
    let working_dir = parent_dir(&paths[0]);
    let mut texts = Vec::new();
    for path in &paths {
        let bytes = files
            .read_file(path)
            .map_err(|_| format!("open {path}: no such file or directory"))?;
        texts.push(String::from_utf8_lossy(&bytes).into_owned());
    }
    load_texts(files, options, &paths, &texts, &working_dir, &mut warnings).map(
        |(project, vars)| Loaded {
            project,
            warnings,
            vars,
        },
    )
}

fn load_texts(
    files: &mut dyn ClientFiles,
    options: &LoadOptions,
    paths: &[String],
    texts: &[String],
    working_dir: &str,
    warnings: &mut Vec<String>,
) -> Result<(Project, BTreeMap<String, String>), String> {
    // The environment wins over `.env`.
    let dotenv_path = join_path(working_dir, ".env");
    let mut vars = match files.stat(&dotenv_path) {
        Some(false) => {
            let bytes = files.read_file(&dotenv_path)?;
            parse_dotenv(&String::from_utf8_lossy(&bytes))
                .map_err(|e| format!("failed to read {dotenv_path}: {e}"))?
        }
        _ => BTreeMap::new(),
    };
    vars.extend(options.env.clone());

    let mut merged = serde_yaml::Value::Mapping(Default::default());
    for (path, text) in paths.iter().zip(texts) {
        let mut tree: serde_yaml::Value = match serde_yaml::from_str(text) {
            Ok(serde_yaml::Value::Null) => {
                return Err("empty compose file".into());
            }
            Ok(v) => v,
            Err(e) => return Err(yaml_error(&e)),
        };
        tree.apply_merge().map_err(|e| yaml_error(&e))?;
        let mut interpolator = Interpolator::new(&vars);
        interpolator.tree(&mut tree, "")?;
        for name in &interpolator.unset {
            warnings.push(format!(
                "The \"{name}\" variable is not set. Defaulting to a blank string."
            ));
        }
        validate(&tree).map_err(|e| format!("validating {path}: {e}"))?;
        if tree.get("version").is_some() {
            warnings.push(format!(
                "{path}: the attribute `version` is obsolete, it will be ignored, please remove it to avoid potential confusion"
            ));
        }
        merge(&mut merged, tree);
    }
    let raw: RawFile = serde_yaml::from_value(merged).map_err(|e| yaml_error(&e))?;

    let name = project_name(options, &vars, &raw, working_dir)?;
    let mut profiles: Vec<String> = vars
        .get("COMPOSE_PROFILES")
        .map(|p| {
            p.split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    profiles.extend(options.profiles.iter().cloned());

    let mut project = Project {
        name: name.clone(),
        working_dir: working_dir.to_string(),
        config_files: paths.to_vec(),
        ..Default::default()
    };
    for (key, def) in raw.networks.clone().unwrap_or_default() {
        let def = def.unwrap_or_default();
        let external = external(&def.external);
        let explicit = match &def.external {
            Some(RawExternal::Named { name: Some(n) }) => Some(n.clone()),
            _ => def.name.clone(),
        };
        let engine_name = match (&explicit, external) {
            (Some(n), _) => n.clone(),
            (None, true) => key.clone(),
            (None, false) => format!("{name}_{key}"),
        };
        project.networks.insert(
            key,
            Network {
                name: engine_name,
                driver: def.driver,
                external,
                labels: labels(&def.labels),
            },
        );
    }
    for (key, def) in raw.volumes.clone().unwrap_or_default() {
        let def = def.unwrap_or_default();
        let external = external(&def.external);
        let explicit = match &def.external {
            Some(RawExternal::Named { name: Some(n) }) => Some(n.clone()),
            _ => def.name.clone(),
        };
        let engine_name = match (&explicit, external) {
            (Some(n), _) => n.clone(),
            (None, true) => key.clone(),
            (None, false) => format!("{name}_{key}"),
        };
        project.volumes.insert(
            key,
            VolumeDef {
                name: engine_name,
                driver: def.driver,
                external,
                labels: labels(&def.labels),
            },
        );
    }
    for (key, raw_service) in raw.services.clone().unwrap_or_default() {
        let service = normalize_service(
            files,
            &key,
            raw_service.unwrap_or_default(),
            working_dir,
            &vars,
        )?;
        let active = service.profiles.is_empty()
            || service
                .profiles
                .iter()
                .any(|p| profiles.contains(p) || p == "*")
            || profiles.iter().any(|p| p == "*");
        if active {
            project.services.insert(key, service);
        } else {
            project.disabled.insert(key, service);
        }
    }
    // The default network exists as soon as a service is on it.
    if project
        .services
        .values()
        .any(|s| s.networks.contains_key("default"))
        && !project.networks.contains_key("default")
    {
        project.networks.insert(
            "default".into(),
            Network {
                name: format!("{name}_default"),
                ..Default::default()
            },
        );
    }
    check_consistency(&project)?;
    Ok((project, vars))
}

/// A later file's keys over an earlier one's, maps merged deeply, as compose overrides.
fn merge(base: &mut serde_yaml::Value, over: serde_yaml::Value) {
    match (base, over) {
        (serde_yaml::Value::Mapping(b), serde_yaml::Value::Mapping(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(existing) if existing.is_mapping() && v.is_mapping() => merge(existing, v),
                    _ => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (b, o) => *b = o,
    }
}

/// A YAML error as yaml.v3 words it: `yaml: line 3: mapping values are not allowed
/// in this context`.
fn yaml_error(e: &serde_yaml::Error) -> String {
    let text = e.to_string();
    let message = match text.find(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text.clone(),
    };
    match e.location() {
        Some(at) => format!("yaml: line {}: {message}", at.line()),
        None => format!("yaml: {message}"),
    }
}

fn external(e: &Option<RawExternal>) -> bool {
    match e {
        Some(RawExternal::Flag(b)) => *b,
        Some(RawExternal::Named { .. }) => true,
        None => false,
    }
}

fn labels(l: &Option<MapOrList>) -> BTreeMap<String, String> {
    l.as_ref()
        .map(|l| {
            l.entries()
                .into_iter()
                .map(|(k, v)| (k, v.unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default()
}

/// `-p`, else `COMPOSE_PROJECT_NAME`, else `name:`, else the directory's name.
fn project_name(
    options: &LoadOptions,
    vars: &BTreeMap<String, String>,
    raw: &RawFile,
    working_dir: &str,
) -> Result<String, String> {
    let given = options
        .project_name
        .clone()
        .or_else(|| vars.get("COMPOSE_PROJECT_NAME").cloned())
        .filter(|n| !n.is_empty());
    if let Some(name) = given {
        if !valid_project_name(&name) {
            return Err(format!(
                "invalid project name \"{name}\": must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number"
            ));
        }
        return Ok(name);
    }
    if let Some(name) = raw.name.as_deref().map(normalize_project_name)
        && !name.is_empty()
    {
        return Ok(name);
    }
    let base = working_dir.rsplit('/').next().unwrap_or("");
    let name = normalize_project_name(base);
    if name.is_empty() {
        return Err("project name must not be empty".into());
    }
    Ok(name)
}

fn command(c: Option<StringOrList>) -> Result<Option<Vec<String>>, String> {
    Ok(match c {
        None => None,
        Some(StringOrList::Many(v)) => Some(v),
        Some(StringOrList::One(s)) => {
            Some(shell_words(&s).ok_or_else(|| format!("invalid command line string: {s:?}"))?)
        }
    })
}

/// Splits a command string as compose does (go-shellwords): blanks separate words,
/// quotes group them, backslash escapes.
pub fn shell_words(s: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '\'' => break,
                        ch => word.push(ch),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '"' => break,
                        '\\' => {
                            let next = chars.next()?;
                            if !matches!(next, '"' | '\\' | '$' | '`') {
                                word.push('\\');
                            }
                            word.push(next);
                        }
                        ch => word.push(ch),
                    }
                }
            }
            '\\' => {
                in_word = true;
                word.push(chars.next()?);
            }
            ch => {
                in_word = true;
                word.push(ch);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Some(words)
}

fn normalize_service(
    files: &mut dyn ClientFiles,
    name: &str,
    raw: RawService,
    working_dir: &str,
    vars: &BTreeMap<String, String>,
) -> Result<Service, String> {
    let build = raw.build.map(|b| match b {
        RawBuild::Context(c) => Build {
            context: join_path(working_dir, &c),
            dockerfile: "Dockerfile".into(),
            args: BTreeMap::new(),
        },
        RawBuild::Full {
            context,
            dockerfile,
            args,
        } => Build {
            context: join_path(working_dir, context.as_deref().unwrap_or(".")),
            dockerfile: dockerfile.unwrap_or_else(|| "Dockerfile".into()),
            args: args.map(|a| a.entries()).unwrap_or_default(),
        },
    });
    if raw.image.is_none() && build.is_none() {
        return Err(format!(
            "service \"{name}\" has neither an image nor a build context specified: invalid compose project"
        ));
    }
    // env_file first, `environment` over it; a bare `NAME` takes the client's value.
    let mut environment = BTreeMap::new();
    let env_files = match raw.env_file {
        None => Vec::new(),
        Some(StringOrList::One(f)) => vec![f],
        Some(StringOrList::Many(v)) => v,
    };
    for file in env_files {
        let path = join_path(working_dir, &file);
        let bytes = files.read_file(&path).map_err(|_| {
            format!("env file {path} not found: stat {path}: no such file or directory")
        })?;
        let parsed = parse_dotenv(&String::from_utf8_lossy(&bytes))
            .map_err(|e| format!("failed to read {path}: {e}"))?;
        for (k, v) in parsed {
            environment.insert(k, Some(v));
        }
    }
    if let Some(env) = raw.environment {
        for (k, v) in env.entries() {
            let v = v.or_else(|| vars.get(&k).cloned());
            environment.insert(k, v);
        }
    }
    let mut ports = Vec::new();
    for p in raw.ports.unwrap_or_default() {
        match p {
            RawPort::Number(n) => ports.push(Port {
                target: n,
                protocol: "tcp".into(),
                mode: "ingress".into(),
                ..Default::default()
            }),
            RawPort::Short(s) => ports.extend(parse_port(&s)?),
            RawPort::Long {
                target,
                published,
                host_ip,
                protocol,
                mode,
            } => ports.push(Port {
                host_ip,
                target,
                published: published.map(|p| p.text()),
                protocol: protocol.unwrap_or_else(|| "tcp".into()),
                mode: mode.unwrap_or_else(|| "ingress".into()),
            }),
        }
    }
    let mut volumes = Vec::new();
    for v in raw.volumes.unwrap_or_default() {
        volumes.push(match v {
            RawVolume::Short(s) => parse_volume(&s, working_dir)?,
            RawVolume::Long {
                kind,
                source,
                target,
                read_only,
            } => {
                let target = target.unwrap_or_default();
                match kind.as_str() {
                    "bind" => Mount {
                        kind: MountKind::Bind,
                        source: Some(join_path(working_dir, source.as_deref().unwrap_or("."))),
                        target,
                        read_only: read_only.unwrap_or(false),
                        create_host_path: false,
                    },
                    "volume" => Mount {
                        kind: MountKind::Volume,
                        source: source.filter(|s| !s.is_empty()),
                        target,
                        read_only: read_only.unwrap_or(false),
                        create_host_path: false,
                    },
                    other => {
                        return Err(format!(
                            "services.{name}.volumes: the lab supports bind and volume mounts, not {other}"
                        ));
                    }
                }
            }
        });
    }
    let networks = match raw.networks {
        None => {
            if raw.network_mode.is_some() {
                BTreeMap::new()
            } else {
                BTreeMap::from([("default".to_string(), Vec::new())])
            }
        }
        Some(RawServiceNetworks::List(l)) => l.into_iter().map(|n| (n, Vec::new())).collect(),
        Some(RawServiceNetworks::Map(m)) => m
            .into_iter()
            .map(|(k, v)| (k, v.and_then(|v| v.aliases).unwrap_or_default()))
            .collect(),
    };
    let depends_on = match raw.depends_on {
        None => BTreeMap::new(),
        Some(RawDependsOn::List(l)) => l
            .into_iter()
            .map(|d| {
                (
                    d,
                    Dependency {
                        condition: CONDITION_STARTED.into(),
                        required: true,
                        restart: false,
                    },
                )
            })
            .collect(),
        Some(RawDependsOn::Map(m)) => m
            .into_iter()
            .map(|(k, d)| {
                (
                    k,
                    Dependency {
                        condition: d.condition.unwrap_or_else(|| CONDITION_STARTED.into()),
                        required: d.required.unwrap_or(true),
                        restart: d.restart.unwrap_or(false),
                    },
                )
            })
            .collect(),
    };
    let healthcheck = match raw.healthcheck {
        None => None,
        Some(h) => {
            let disable = matches!(&h.disable, Some(Scalar::Flag(true)))
                || matches!(&h.disable, Some(Scalar::Text(t)) if t == "true");
            let test = match h.test {
                None => Vec::new(),
                Some(StringOrList::One(s)) => vec!["CMD-SHELL".to_string(), s],
                Some(StringOrList::Many(v)) => v,
            };
            for (key, value) in [
                ("interval", &h.interval),
                ("timeout", &h.timeout),
                ("start_period", &h.start_period),
                ("start_interval", &h.start_interval),
            ] {
                if let Some(v) = value
                    && go_duration_nanos(v).is_none()
                {
                    return Err(format!(
                        "services.{name}.healthcheck.{key}: time: invalid duration \"{v}\""
                    ));
                }
            }
            let retries = match &h.retries {
                None => None,
                Some(Scalar::Integer(n)) if *n >= 0 => Some(*n as u64),
                Some(other) => Some(other.text().parse::<u64>().map_err(|_| {
                    format!("services.{name}.healthcheck.retries must be a integer")
                })?),
            };
            Some(Healthcheck {
                test,
                interval: h.interval,
                timeout: h.timeout,
                retries,
                start_period: h.start_period,
                start_interval: h.start_interval,
                disable,
            })
        }
    };
    Ok(Service {
        name: name.to_string(),
        image: raw.image,
        build,
        command: command(raw.command)?,
        entrypoint: command(raw.entrypoint)?,
        environment,
        ports,
        volumes,
        networks,
        depends_on,
        healthcheck,
        restart: raw.restart,
        container_name: raw.container_name,
        profiles: raw.profiles.unwrap_or_default(),
        working_dir: raw.working_dir,
        user: raw.user,
        hostname: raw.hostname,
        labels: labels(&raw.labels),
        expose: raw
            .expose
            .unwrap_or_default()
            .iter()
            .map(Scalar::text)
            .collect(),
        network_mode: raw.network_mode,
    })
}

/// A Go duration (`1m30s`, `500ms`, `10s`) in nanoseconds.
pub fn go_duration_nanos(s: &str) -> Option<i64> {
    if s == "0" {
        return Some(0);
    }
    let mut total: f64 = 0.0;
    let mut rest = s;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 {
            return None;
        }
        let number: f64 = rest[..num_len].parse().ok()?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "ns" => 1.0,
            "us" | "µs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        total += number * scale;
        rest = &rest[unit_len..];
    }
    Some(total as i64)
}

/// `[[HOST_IP:]HOST:]CONTAINER[/PROTOCOL]`, ranges expanded one port to one port.
fn parse_port(spec: &str) -> Result<Vec<Port>, String> {
    let invalid = || format!("invalid port: {spec}");
    let (body, protocol) = match spec.rsplit_once('/') {
        Some((b, p)) => (b, p.to_string()),
        None => (spec, "tcp".to_string()),
    };
    // An IPv6 host address is bracketed: `[::1]:8080:80`.
    let (host_ip, rest) = if let Some(after) = body.strip_prefix('[') {
        let (ip, rest) = after.split_once("]:").ok_or_else(invalid)?;
        (Some(ip.to_string()), rest.to_string())
    } else {
        let parts: Vec<&str> = body.split(':').collect();
        match parts.len() {
            1 | 2 => (None, body.to_string()),
            3 => (
                Some(parts[0].to_string()),
                format!("{}:{}", parts[1], parts[2]),
            ),
            _ => return Err(invalid()),
        }
    };
    let (published, target) = match rest.split_once(':') {
        Some((h, c)) => (Some(h.to_string()).filter(|h| !h.is_empty()), c.to_string()),
        None => (None, rest.clone()),
    };
    let range = |s: &str| -> Result<(u32, u32), String> {
        match s.split_once('-') {
            Some((a, b)) => Ok((
                a.parse().map_err(|_| invalid())?,
                b.parse().map_err(|_| invalid())?,
            )),
            None => {
                let n = s.parse().map_err(|_| invalid())?;
                Ok((n, n))
            }
        }
    };
    let (t0, t1) = range(&target)?;
    let host = published.as_deref().map(range).transpose()?;
    let mut out = Vec::new();
    for (i, t) in (t0..=t1).enumerate() {
        let published = match host {
            Some((h0, h1)) if h0 == h1 && t0 == t1 => Some(h0.to_string()),
            Some((h0, h1)) if h1 - h0 == t1 - t0 => Some((h0 + i as u32).to_string()),
            Some((h0, h1)) => Some(format!("{h0}-{h1}")),
            None => None,
        };
        out.push(Port {
            host_ip: host_ip.clone(),
            target: t,
            published,
            protocol: protocol.clone(),
            mode: "ingress".into(),
        });
    }
    Ok(out)
}

/// `[SOURCE:]TARGET[:MODE]`: a path source binds it, a name is a volume, none is
/// an anonymous volume.
fn parse_volume(spec: &str, working_dir: &str) -> Result<Mount, String> {
    let parts: Vec<&str> = spec.split(':').collect();
    let (source, target, mode) = match parts.as_slice() {
        [t] => (None, *t, None),
        [s, t] => (Some(*s), *t, None),
        [s, t, m] => (Some(*s), *t, Some(*m)),
        _ => return Err(format!("invalid spec: {spec}: too many colons")),
    };
    let read_only = mode.is_some_and(|m| m.split(',').any(|o| o == "ro"));
    Ok(match source {
        None => Mount {
            kind: MountKind::Volume,
            source: None,
            target: target.to_string(),
            read_only,
            create_host_path: false,
        },
        Some(s) if s.starts_with(['.', '/', '~']) => Mount {
            kind: MountKind::Bind,
            source: Some(join_path(working_dir, s)),
            target: target.to_string(),
            read_only,
            create_host_path: true,
        },
        Some(s) => Mount {
            kind: MountKind::Volume,
            source: Some(s.to_string()),
            target: target.to_string(),
            read_only,
            create_host_path: false,
        },
    })
}

/// compose-go's `checkConsistency`, then its cycle check and container-name unicity.
fn check_consistency(project: &Project) -> Result<(), String> {
    for (name, service) in &project.services {
        if service.network_mode.is_some() && service.networks.keys().any(|k| k != "default") {
            return Err(format!(
                "service {name} declares mutually exclusive `network_mode` and `networks`: invalid compose project"
            ));
        }
        for network in service.networks.keys() {
            if !project.networks.contains_key(network) {
                return Err(format!(
                    "service \"{name}\" refers to undefined network {network}: invalid compose project"
                ));
            }
        }
        for (dep, config) in &service.depends_on {
            if !project.services.contains_key(dep)
                && (!project.disabled.contains_key(dep) || config.required)
            {
                return Err(format!(
                    "service \"{name}\" depends on undefined service \"{dep}\": invalid compose project"
                ));
            }
        }
        for mount in &service.volumes {
            if let (MountKind::Volume, Some(source)) = (&mount.kind, &mount.source)
                && !project.volumes.contains_key(source)
            {
                return Err(format!(
                    "service \"{name}\" refers to undefined volume {source}: invalid compose project"
                ));
            }
        }
    }
    check_cycle(project)?;
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for (name, service) in &project.services {
        if let Some(cn) = &service.container_name {
            if let Some(existing) = seen.get(cn.as_str()) {
                return Err(format!(
                    "services.{name}: container name \"{cn}\" is already in use by service {existing}\""
                ));
            }
            seen.insert(cn, name);
        }
    }
    Ok(())
}

/// `dependency cycle detected: a -> b -> a`, searched in name order as compose-go does.
fn check_cycle(project: &Project) -> Result<(), String> {
    fn search(project: &Project, path: &mut Vec<String>) -> Result<(), String> {
        let current = path.last().cloned().unwrap_or_default();
        let Some(service) = project.services.get(&current) else {
            return Ok(());
        };
        for dep in service.depends_on.keys() {
            if let Some(i) = path.iter().position(|p| p == dep) {
                return Err(format!(
                    "dependency cycle detected: {} -> {dep}",
                    path[i..].join(" -> ")
                ));
            }
            path.push(dep.clone());
            search(project, path)?;
            path.pop();
        }
        Ok(())
    }
    for name in project.services.keys() {
        search(project, &mut vec![name.clone()])?;
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Files held in memory, by absolute path.
    #[derive(Default)]
    pub struct MemFiles(pub BTreeMap<String, String>);

    impl ClientFiles for MemFiles {
        fn context_tar(&mut self, dir: &str, _: Option<&str>) -> Result<(Vec<u8>, String), String> {
            Err(format!("path \"{dir}\" not found"))
        }
        fn read_file(&mut self, path: &str) -> Result<Vec<u8>, String> {
            self.0
                .get(path)
                .map(|t| t.as_bytes().to_vec())
                .ok_or_else(|| format!("open {path}: no such file or directory"))
        }
        fn write_file(&mut self, _: &str, _: &[u8]) -> Result<(), String> {
            Ok(())
        }
        fn stat(&mut self, path: &str) -> Option<bool> {
            if self.0.contains_key(path) {
                return Some(false);
            }
            let prefix = format!("{}/", path.trim_end_matches('/'));
            self.0
                .keys()
                .any(|k| k.starts_with(&prefix))
                .then_some(true)
        }
        fn path_tar(&mut self, path: &str, _: &str) -> Result<Vec<u8>, String> {
            Err(path.to_string())
        }
        fn extract(&mut self, _: &str, _: &[u8], _: Option<&str>) -> Result<(), String> {
            Ok(())
        }
    }

    pub fn load_one(text: &str) -> Result<Loaded, String> {
        let mut files = MemFiles::default();
        files.0.insert("/demo/compose.yaml".into(), text.into());
        load(
            &mut files,
            &LoadOptions {
                cwd: "/demo".into(),
                ..Default::default()
            },
        )
    }

    #[test]
    fn project_names_follow_composes_precedence() {
        assert_eq!(normalize_project_name("My App.v2"), "myappv2");
        assert_eq!(normalize_project_name("_-Demo"), "demo");
        let loaded = load_one("services:\n  web:\n    image: nginx\n").unwrap();
        assert_eq!(loaded.project.name, "demo");
        let loaded = load_one("name: Shop\nservices:\n  web:\n    image: nginx\n").unwrap();
        assert_eq!(loaded.project.name, "shop");
        let mut files = MemFiles::default();
        files.0.insert(
            "/demo/compose.yaml".into(),
            "name: shop\nservices:\n  web:\n    image: nginx\n".into(),
        );
        let mut options = LoadOptions {
            cwd: "/demo".into(),
            ..Default::default()
        };
        options
            .env
            .insert("COMPOSE_PROJECT_NAME".into(), "fromenv".into());
        assert_eq!(load(&mut files, &options).unwrap().project.name, "fromenv");
        options.project_name = Some("cli".into());
        assert_eq!(load(&mut files, &options).unwrap().project.name, "cli");
        options.project_name = Some("Bad Name".into());
        assert!(
            load(&mut files, &options)
                .unwrap_err()
                .starts_with("invalid project name \"Bad Name\"")
        );
    }

    #[test]
    fn file_discovery_prefers_compose_yaml_and_warns_of_others() {
        let mut files = MemFiles::default();
        files
            .0
            .insert("/demo/docker-compose.yml".into(), "services: {}\n".into());
        files
            .0
            .insert("/demo/compose.yaml".into(), "services: {}\n".into());
        let options = LoadOptions {
            cwd: "/demo/sub".into(),
            ..Default::default()
        };
        let (found, warnings) = find_files(&mut files, &options).unwrap();
        assert_eq!(found, vec!["/demo/compose.yaml".to_string()]);
        assert_eq!(
            warnings,
            vec![
                "Found multiple config files with supported names: /demo/compose.yaml, /demo/docker-compose.yml".to_string(),
                "Using /demo/compose.yaml".to_string()
            ]
        );
        let options = LoadOptions {
            cwd: "/elsewhere".into(),
            ..Default::default()
        };
        assert_eq!(
            find_files(&mut MemFiles::default(), &options).unwrap_err(),
            "no configuration file provided: not found"
        );
    }

    #[test]
    fn short_forms_normalise_to_long_ones() {
        let loaded = load_one(
            "services:\n  web:\n    image: nginx\n    command: sh -c 'echo hi'\n    ports:\n      - 8080:80\n      - \"127.0.0.1:9000:9000/udp\"\n      - 443\n    volumes:\n      - ./site:/usr/share/nginx/html:ro\n      - data:/data\n    environment:\n      - A=1\n    depends_on: [db]\n  db:\n    image: postgres\n    healthcheck:\n      test: pg_isready\n      interval: 5s\nvolumes:\n  data: {}\n",
        )
        .unwrap();
        let web = &loaded.project.services["web"];
        assert_eq!(
            web.command,
            Some(vec!["sh".into(), "-c".into(), "echo hi".into()])
        );
        assert_eq!(web.ports[0].published.as_deref(), Some("8080"));
        assert_eq!(web.ports[0].target, 80);
        assert_eq!(web.ports[1].host_ip.as_deref(), Some("127.0.0.1"));
        assert_eq!(web.ports[1].protocol, "udp");
        assert_eq!(web.ports[2].published, None);
        assert_eq!(web.volumes[0].kind, MountKind::Bind);
        assert_eq!(web.volumes[0].source.as_deref(), Some("/demo/site"));
        assert!(web.volumes[0].read_only);
        assert_eq!(web.volumes[1].source.as_deref(), Some("data"));
        assert_eq!(web.depends_on["db"].condition, CONDITION_STARTED);
        assert_eq!(loaded.project.volumes["data"].name, "demo_data");
        assert_eq!(loaded.project.networks["default"].name, "demo_default");
        let db = &loaded.project.services["db"];
        assert_eq!(
            db.healthcheck.as_ref().unwrap().test,
            vec!["CMD-SHELL".to_string(), "pg_isready".into()]
        );
    }

    #[test]
    fn interpolation_reads_dotenv_and_the_environment_wins() {
        let mut files = MemFiles::default();
        files.0.insert(
            "/demo/compose.yaml".into(),
            "services:\n  web:\n    image: nginx:${TAG:-latest}\n    environment:\n      GREETING: ${HELLO}\n      PRICE: $$5\n".into(),
        );
        files
            .0
            .insert("/demo/.env".into(), "TAG=1.25\nHELLO=from-dotenv\n".into());
        let mut options = LoadOptions {
            cwd: "/demo".into(),
            ..Default::default()
        };
        let loaded = load(&mut files, &options).unwrap();
        let web = &loaded.project.services["web"];
        assert_eq!(web.image.as_deref(), Some("nginx:1.25"));
        assert_eq!(web.environment["GREETING"].as_deref(), Some("from-dotenv"));
        assert_eq!(web.environment["PRICE"].as_deref(), Some("$5"));
        options.env.insert("TAG".into(), "1.27".into());
        let loaded = load(&mut files, &options).unwrap();
        assert_eq!(
            loaded.project.services["web"].image.as_deref(),
            Some("nginx:1.27")
        );
        files.0.remove("/demo/.env");
        let loaded = load(
            &mut files,
            &LoadOptions {
                cwd: "/demo".into(),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(
            loaded.warnings,
            vec!["The \"HELLO\" variable is not set. Defaulting to a blank string.".to_string()]
        );
    }

    #[test]
    fn inconsistent_projects_fail_in_compose_words() {
        assert_eq!(
            load_one("services:\n  web:\n    image: nginx\n    depends_on: [db]\n").unwrap_err(),
            "service \"web\" depends on undefined service \"db\": invalid compose project"
        );
        assert_eq!(
            load_one("services:\n  a:\n    image: x\n    depends_on: [b]\n  b:\n    image: x\n    depends_on: [c]\n  c:\n    image: x\n    depends_on: [a]\n").unwrap_err(),
            "dependency cycle detected: a -> b -> c -> a"
        );
        assert_eq!(
            load_one("services:\n  a:\n    image: x\n    container_name: one\n  b:\n    image: x\n    container_name: one\n").unwrap_err(),
            "services.b: container name \"one\" is already in use by service a\""
        );
        assert_eq!(
            load_one("services:\n  web:\n    image: nginx\n    networks: [front]\n").unwrap_err(),
            "service \"web\" refers to undefined network front: invalid compose project"
        );
        assert_eq!(
            load_one("services:\n  web:\n    image: nginx\n    volumes: [\"data:/data\"]\n")
                .unwrap_err(),
            "service \"web\" refers to undefined volume data: invalid compose project"
        );
        assert_eq!(
            load_one("services:\n  web:\n    image: nginx\n    foo: bar\n").unwrap_err(),
            "validating /demo/compose.yaml: services.web additional properties 'foo' not allowed"
        );
        assert_eq!(
            load_one("services:\n  web:\n    image: nginx\n   ports: []\n").unwrap_err(),
            "yaml: line 4: did not find expected key"
        );
    }

    #[test]
    fn profiles_leave_services_out_until_asked() {
        let text = "services:\n  web:\n    image: nginx\n  debug:\n    image: busybox\n    profiles: [tools]\n";
        let loaded = load_one(text).unwrap();
        assert!(loaded.project.services.contains_key("web"));
        assert!(loaded.project.disabled.contains_key("debug"));
    }

    #[test]
    fn go_durations() {
        assert_eq!(go_duration_nanos("1m30s"), Some(90_000_000_000));
        assert_eq!(go_duration_nanos("500ms"), Some(500_000_000));
        assert_eq!(go_duration_nanos("10"), None);
    }
}

//! Stage two: nodes to typed instructions, with Docker's argument checks and error texts.

use super::ast::{Heredoc, Node, node_from_line};
use super::error::ParseError;
use super::lex::{ExpandError, expand_with_escape};
use std::time::Duration;

/// One instruction with its source span and its text as the classic builder prints it
/// in `Step N/M : <original>` (continuations joined, comments dropped, trimmed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    pub kind: InstructionKind,
    pub line: usize,
    pub end_line: usize,
    pub original: String,
}

/// A command line in exec form (JSON array) or shell form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandLine {
    Exec(Vec<String>),
    Shell(String),
    /// The instruction had no arguments at all.
    Empty,
}

impl CommandLine {
    fn from_node(node: &Node) -> CommandLine {
        if node.json {
            CommandLine::Exec(node.args.clone())
        } else if node.args.is_empty() {
            CommandLine::Empty
        } else {
            CommandLine::Shell(node.args.join(" "))
        }
    }

    /// The command as stored in an image config, given the stage's SHELL.
    pub fn to_argv(&self, shell: &[String]) -> Vec<String> {
        match self {
            CommandLine::Exec(v) => v.clone(),
            CommandLine::Shell(s) => {
                let mut v = shell.to_vec();
                v.push(s.clone());
                v
            }
            CommandLine::Empty => Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct From {
    pub image: String,
    pub name: Option<String>,
    pub platform: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub command: CommandLine,
    /// `--mount=...` values as written.
    pub mounts: Vec<String>,
    pub network: Option<String>,
    pub security: Option<String>,
    /// The flags given, by name: the classic builder refuses every one of them
    /// (`the --mount option requires BuildKit...`).
    pub flags_used: Vec<String>,
    pub heredocs: Vec<Heredoc>,
}

/// COPY or ADD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copy {
    pub sources: Vec<String>,
    /// Sources given as heredocs: (file name, content, expand).
    pub inline_sources: Vec<InlineSource>,
    pub dest: String,
    pub chown: Option<String>,
    pub chmod: Option<String>,
    /// COPY only.
    pub from: Option<String>,
    pub link: bool,
    /// The arguments were a JSON array.
    pub json: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineSource {
    pub path: String,
    pub data: String,
    pub expand: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg {
    pub name: String,
    pub default: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Healthcheck {
    None,
    Check {
        /// `["CMD", args...]` or `["CMD-SHELL", "command"]`.
        test: Vec<String>,
        interval: Option<Duration>,
        timeout: Option<Duration>,
        start_period: Option<Duration>,
        start_interval: Option<Duration>,
        retries: Option<u32>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Onbuild {
    /// The trigger as it is stored in the image (`RUN echo hi`).
    pub expression: String,
    /// The trigger typed, when it parses (Docker checks it only when it fires).
    pub trigger: Option<Box<InstructionKind>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstructionKind {
    From(From),
    Run(Run),
    Cmd(CommandLine),
    Entrypoint(CommandLine),
    Copy(Copy),
    Add(Copy),
    Workdir(String),
    /// Ports as written, sorted as Docker sorts them; see [`expose_ports`].
    Expose(Vec<String>),
    Env(Vec<(String, String)>),
    Arg(Vec<Arg>),
    Label(Vec<(String, String)>),
    User(String),
    Volume(Vec<String>),
    Shell(Vec<String>),
    Healthcheck(Healthcheck),
    Onbuild(Onbuild),
    StopSignal(String),
    Maintainer(String),
}

const ALL: [&str; 18] = [
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

impl InstructionKind {
    /// The instruction's name in upper case.
    pub fn name(&self) -> &'static str {
        match self {
            InstructionKind::From(_) => "FROM",
            InstructionKind::Run(_) => "RUN",
            InstructionKind::Cmd(_) => "CMD",
            InstructionKind::Entrypoint(_) => "ENTRYPOINT",
            InstructionKind::Copy(_) => "COPY",
            InstructionKind::Add(_) => "ADD",
            InstructionKind::Workdir(_) => "WORKDIR",
            InstructionKind::Expose(_) => "EXPOSE",
            InstructionKind::Env(_) => "ENV",
            InstructionKind::Arg(_) => "ARG",
            InstructionKind::Label(_) => "LABEL",
            InstructionKind::User(_) => "USER",
            InstructionKind::Volume(_) => "VOLUME",
            InstructionKind::Shell(_) => "SHELL",
            InstructionKind::Healthcheck(_) => "HEALTHCHECK",
            InstructionKind::Onbuild(_) => "ONBUILD",
            InstructionKind::StopSignal(_) => "STOPSIGNAL",
            InstructionKind::Maintainer(_) => "MAINTAINER",
        }
    }

    /// Whether the builder substitutes variables in this instruction's words: ADD COPY
    /// ENV EXPOSE FROM LABEL STOPSIGNAL USER VOLUME WORKDIR, and ARG values. RUN, CMD,
    /// ENTRYPOINT, SHELL, HEALTHCHECK and MAINTAINER are left alone; an ONBUILD trigger
    /// is expanded when it fires. FROM sees only the ARGs before the first FROM.
    pub fn expands(&self) -> bool {
        matches!(
            self,
            InstructionKind::From(_)
                | InstructionKind::Copy(_)
                | InstructionKind::Add(_)
                | InstructionKind::Workdir(_)
                | InstructionKind::Expose(_)
                | InstructionKind::Env(_)
                | InstructionKind::Arg(_)
                | InstructionKind::Label(_)
                | InstructionKind::User(_)
                | InstructionKind::Volume(_)
                | InstructionKind::StopSignal(_)
        )
    }

    /// The instruction with every expandable word expanded, each word on its own as
    /// Docker does (an ENV sees the values from before the instruction, not its own).
    pub fn expanded(
        &self,
        escape: char,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<InstructionKind, ExpandError> {
        let x = |w: &str| expand_with_escape(w, escape, env);
        let xo = |w: &Option<String>| w.as_deref().map(x).transpose();
        let xv = |v: &[String]| v.iter().map(|w| x(w)).collect::<Result<Vec<_>, _>>();
        let xp = |v: &[(String, String)]| {
            v.iter()
                .map(|(k, val)| Ok((x(k)?, x(val)?)))
                .collect::<Result<Vec<_>, ExpandError>>()
        };
        Ok(match self {
            InstructionKind::From(f) => InstructionKind::From(From {
                image: x(&f.image)?,
                name: f.name.clone(),
                platform: xo(&f.platform)?,
            }),
            InstructionKind::Copy(c) | InstructionKind::Add(c) => {
                let c2 = Copy {
                    sources: xv(&c.sources)?,
                    inline_sources: c.inline_sources.clone(),
                    dest: x(&c.dest)?,
                    chown: xo(&c.chown)?,
                    chmod: xo(&c.chmod)?,
                    from: xo(&c.from)?,
                    link: c.link,
                    json: c.json,
                };
                if matches!(self, InstructionKind::Copy(_)) {
                    InstructionKind::Copy(c2)
                } else {
                    InstructionKind::Add(c2)
                }
            }
            InstructionKind::Workdir(w) => InstructionKind::Workdir(x(w)?),
            InstructionKind::Expose(p) => InstructionKind::Expose(xv(p)?),
            InstructionKind::Env(p) => InstructionKind::Env(xp(p)?),
            InstructionKind::Label(p) => InstructionKind::Label(xp(p)?),
            InstructionKind::Arg(a) => InstructionKind::Arg(
                a.iter()
                    .map(|a| {
                        Ok(Arg {
                            name: x(&a.name)?,
                            default: xo(&a.default)?,
                        })
                    })
                    .collect::<Result<Vec<_>, ExpandError>>()?,
            ),
            InstructionKind::User(u) => InstructionKind::User(x(u)?),
            InstructionKind::Volume(v) => InstructionKind::Volume(xv(v)?),
            InstructionKind::StopSignal(s) => InstructionKind::StopSignal(x(s)?),
            other => other.clone(),
        })
    }
}

/// Levenshtein distance, for Docker's `(did you mean X?)`.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

fn suggest(value: &str) -> Option<String> {
    let lower = value.to_lowercase();
    let mut best = None;
    let mut min = 3;
    for opt in ALL {
        let o = opt.to_lowercase();
        if o == lower {
            return None;
        }
        let d = distance(&lower, &o);
        if d < min {
            min = d;
            best = Some(if value == value.to_lowercase() {
                o
            } else if value == value.to_uppercase() {
                opt.to_string()
            } else {
                o
            });
        }
    }
    best
}

#[derive(PartialEq)]
enum FlagType {
    Bool,
    Str,
    Strings,
}

/// The `--flags` an instruction accepts, parsed as Docker does.
struct Flags<'a> {
    args: &'a [String],
    defs: Vec<(&'static str, FlagType)>,
}

#[derive(Default)]
struct FlagValues {
    values: Vec<(String, String)>,
    used: Vec<String>,
}

impl FlagValues {
    fn get(&self, name: &str) -> Option<String> {
        self.values
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }
    fn all(&self, name: &str) -> Vec<String> {
        self.values
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
    fn is_true(&self, name: &str) -> bool {
        self.get(name).as_deref() == Some("true")
    }
}

impl Flags<'_> {
    fn parse(&self) -> Result<FlagValues, String> {
        let mut out = FlagValues::default();
        for arg in self.args {
            let Some(a) = arg.strip_prefix("--") else {
                return Err(format!("Arg should start with -- : {arg}"));
            };
            if a.is_empty() {
                break;
            }
            let (name, value, has_eq) = match a.split_once('=') {
                Some((n, v)) => (n, v, true),
                None => (a, "", false),
            };
            let Some((_, typ)) = self.defs.iter().find(|(n, _)| *n == name) else {
                return Err(format!("Unknown flag: {name}"));
            };
            if *typ != FlagType::Strings && out.used.iter().any(|u| u == name) {
                return Err(format!("Duplicate flag specified: {name}"));
            }
            out.used.push(name.to_string());
            let v = match typ {
                FlagType::Bool => {
                    if has_eq && value.is_empty() {
                        return Err(format!("Missing a value on flag: {name}"));
                    }
                    match value.to_lowercase().as_str() {
                        "" => "true".to_string(),
                        l @ ("true" | "false") => l.to_string(),
                        _ => {
                            return Err(format!(
                                "Expecting boolean value for flag {name}, not: {value}"
                            ));
                        }
                    }
                }
                FlagType::Str | FlagType::Strings => {
                    if !has_eq {
                        return Err(format!("Missing a value on flag: {name}"));
                    }
                    value.to_string()
                }
            };
            out.values.push((name.to_string(), v));
        }
        Ok(out)
    }
}

fn flags(node: &Node, defs: Vec<(&'static str, FlagType)>) -> Result<FlagValues, String> {
    Flags {
        args: &node.flags,
        defs,
    }
    .parse()
}

/// Go's `time.ParseDuration` for the units Docker accepts.
pub fn parse_go_duration(s: &str) -> Result<Duration, String> {
    let bad = || format!("time: invalid duration {}", super::lex::go_quote(s));
    let mut rest = s;
    let neg = rest.starts_with('-');
    rest = rest.trim_start_matches(['-', '+']);
    if rest == "0" {
        return Ok(Duration::ZERO);
    }
    if rest.is_empty() {
        return Err(bad());
    }
    let mut total = 0f64;
    while !rest.is_empty() {
        let n = rest
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(rest.len());
        if n == 0 {
            return Err(bad());
        }
        let num: f64 = rest[..n].parse().map_err(|_| bad())?;
        rest = &rest[n..];
        let u = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = match &rest[..u] {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            "" => {
                return Err(format!(
                    "time: missing unit in duration {}",
                    super::lex::go_quote(s)
                ));
            }
            other => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    super::lex::go_quote(other),
                    super::lex::go_quote(s)
                ));
            }
        };
        rest = &rest[u..];
        total += num * unit;
    }
    if neg {
        return Ok(Duration::ZERO);
    }
    Ok(Duration::from_secs_f64(total))
}

fn interval(values: &FlagValues, name: &str) -> Result<Option<Duration>, String> {
    let Some(v) = values.get(name).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let d = parse_go_duration(&v)?;
    if d < Duration::from_millis(1) {
        return Err(format!("Interval \"{name}\" cannot be less than 1ms"));
    }
    Ok(Some(d))
}

/// Expands an EXPOSE word (already variable-expanded) to `port/proto` keys:
/// `80` → `80/tcp`, `53/udp`, `8000-8002` → three ports.
pub fn expose_ports(spec: &str) -> Result<Vec<String>, String> {
    let (ports, proto) = match spec.rsplit_once('/') {
        Some((p, proto)) => (p, proto.to_ascii_lowercase()),
        None => (spec, "tcp".to_string()),
    };
    if !matches!(proto.as_str(), "tcp" | "udp" | "sctp") {
        return Err(format!("invalid proto: {proto}"));
    }
    let parse = |p: &str| {
        p.parse::<u16>()
            .map_err(|_| format!("invalid containerPort: {ports}"))
    };
    let (lo, hi) = match ports.split_once('-') {
        Some((a, b)) => (parse(a)?, parse(b)?),
        None => {
            let p = parse(ports)?;
            (p, p)
        }
    };
    if hi < lo {
        return Err(format!(
            "invalid range specified for container port: {ports}"
        ));
    }
    Ok((lo..=hi).map(|p| format!("{p}/{proto}")).collect())
}

fn chomp(content: &str) -> String {
    content
        .split_inclusive('\n')
        .map(|l| l.trim_start_matches('\t'))
        .collect()
}

fn copy_like(node: &Node, name: &str, is_copy: bool) -> Result<Copy, String> {
    if node.args.len() < 2 {
        return Err(format!(
            "{name} requires at least two arguments, but only one was provided. Destination could not be determined"
        ));
    }
    let mut defs = vec![
        ("chown", FlagType::Str),
        ("chmod", FlagType::Str),
        ("link", FlagType::Bool),
    ];
    if is_copy {
        defs.push(("from", FlagType::Str));
        defs.push(("parents", FlagType::Bool));
        defs.push(("exclude", FlagType::Strings));
    } else {
        defs.push(("checksum", FlagType::Str));
        defs.push(("keep-git-dir", FlagType::Bool));
        defs.push(("exclude", FlagType::Strings));
    }
    let f = flags(node, defs)?;
    let (srcs, dest) = node.args.split_at(node.args.len() - 1);
    let dest = dest[0].clone();
    if super::ast::parse_heredoc(&dest).ok().flatten().is_some() {
        return Err(format!("{name} cannot accept a heredoc as a destination"));
    }
    let mut sources = Vec::new();
    let mut inline_sources = Vec::new();
    for src in srcs {
        match super::ast::parse_heredoc(src).ok().flatten() {
            Some(h) if !node.json => {
                let doc = node.heredocs.iter().find(|d| d.name == h.name);
                let mut data = doc.map(|d| d.content.clone()).unwrap_or_default();
                if h.chomp {
                    data = chomp(&data);
                }
                inline_sources.push(InlineSource {
                    path: h.name,
                    data,
                    expand: h.expand,
                });
            }
            _ => sources.push(src.clone()),
        }
    }
    Ok(Copy {
        sources,
        inline_sources,
        dest,
        chown: f.get("chown").filter(|s| !s.is_empty()),
        chmod: f.get("chmod").filter(|s| !s.is_empty()),
        from: f.get("from").filter(|s| !s.is_empty()),
        link: f.is_true("link"),
        json: node.json,
    })
}

fn pairs(args: &[String], name: &str) -> Result<Vec<(String, String)>, String> {
    if args.is_empty() {
        return Err(format!("{name} requires at least one argument"));
    }
    if !args.len().is_multiple_of(2) {
        return Err(format!("Bad input to {name}, too many arguments"));
    }
    args.chunks(2)
        .map(|kv| {
            if kv[0].is_empty() {
                Err(format!("{name} names can not be blank"))
            } else {
                Ok((kv[0].clone(), kv[1].clone()))
            }
        })
        .collect()
}

fn exactly_one(node: &Node, name: &str) -> Result<String, String> {
    if node.args.len() != 1 {
        return Err(format!("{name} requires exactly one argument"));
    }
    Ok(node.args[0].clone())
}

fn no_flags(node: &Node) -> Result<(), String> {
    flags(node, Vec::new()).map(|_| ())
}

fn kind_from_node(node: &Node) -> Result<InstructionKind, String> {
    let lower = node.value.to_ascii_lowercase();
    Ok(match lower.as_str() {
        "from" => {
            let args = &node.args;
            let name = match args.len() {
                3 if args[1].eq_ignore_ascii_case("as") => {
                    let n = args[2].to_lowercase();
                    let ok = n.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                        && n.chars().all(|c| {
                            c.is_ascii_lowercase()
                                || c.is_ascii_digit()
                                || matches!(c, '-' | '_' | '.')
                        });
                    if !ok {
                        return Err(format!(
                            "invalid name for build stage: {}, name can't start with a number or contain symbols",
                            super::lex::go_quote(&args[2])
                        ));
                    }
                    Some(n)
                }
                1 => None,
                _ => return Err("FROM requires either one or three arguments".into()),
            };
            let f = flags(node, vec![("platform", FlagType::Str)])?;
            InstructionKind::From(From {
                image: args[0].clone(),
                name,
                platform: f.get("platform").filter(|s| !s.is_empty()),
            })
        }
        "run" => {
            let f = flags(
                node,
                vec![
                    ("mount", FlagType::Strings),
                    ("network", FlagType::Str),
                    ("security", FlagType::Str),
                ],
            )?;
            InstructionKind::Run(Run {
                command: CommandLine::from_node(node),
                mounts: f.all("mount"),
                network: f.get("network"),
                security: f.get("security"),
                flags_used: f.used.clone(),
                heredocs: node.heredocs.clone(),
            })
        }
        "cmd" => {
            no_flags(node)?;
            InstructionKind::Cmd(CommandLine::from_node(node))
        }
        "entrypoint" => {
            no_flags(node)?;
            InstructionKind::Entrypoint(CommandLine::from_node(node))
        }
        "copy" => InstructionKind::Copy(copy_like(node, "COPY", true)?),
        "add" => InstructionKind::Add(copy_like(node, "ADD", false)?),
        "workdir" => {
            let w = exactly_one(node, "WORKDIR")?;
            no_flags(node)?;
            InstructionKind::Workdir(w)
        }
        "expose" => {
            if node.args.is_empty() {
                return Err("EXPOSE requires at least one argument".into());
            }
            no_flags(node)?;
            let mut ports = node.args.clone();
            ports.sort();
            InstructionKind::Expose(ports)
        }
        "env" => {
            no_flags(node)?;
            InstructionKind::Env(pairs(&node.args, "ENV")?)
        }
        "label" => {
            no_flags(node)?;
            InstructionKind::Label(pairs(&node.args, "LABEL")?)
        }
        "arg" => {
            if node.args.is_empty() {
                return Err("ARG requires at least one argument".into());
            }
            let mut out = Vec::new();
            for a in &node.args {
                out.push(match a.split_once('=') {
                    Some(("", _)) => return Err("ARG names can not be blank".into()),
                    Some((k, v)) => Arg {
                        name: k.to_string(),
                        default: Some(v.to_string()),
                    },
                    None => Arg {
                        name: a.clone(),
                        default: None,
                    },
                });
            }
            InstructionKind::Arg(out)
        }
        "user" => {
            let u = exactly_one(node, "USER")?;
            no_flags(node)?;
            InstructionKind::User(u)
        }
        "volume" => {
            if node.args.is_empty() {
                return Err("VOLUME requires at least one argument".into());
            }
            no_flags(node)?;
            let mut v = Vec::new();
            for a in &node.args {
                let t = a.trim();
                if t.is_empty() {
                    return Err("VOLUME specified can not be an empty string".into());
                }
                v.push(t.to_string());
            }
            InstructionKind::Volume(v)
        }
        "shell" => {
            no_flags(node)?;
            if node.args.is_empty() {
                return Err("SHELL requires at least one argument".into());
            }
            if !node.json {
                return Err("SHELL requires the arguments to be in JSON form".into());
            }
            InstructionKind::Shell(node.args.clone())
        }
        "healthcheck" => {
            if node.args.is_empty() {
                return Err("HEALTHCHECK requires at least one argument".into());
            }
            let typ = node.args[0].to_uppercase();
            let rest = &node.args[1..];
            if typ == "NONE" {
                if !rest.is_empty() {
                    return Err("HEALTHCHECK NONE takes no arguments".into());
                }
                InstructionKind::Healthcheck(Healthcheck::None)
            } else {
                let f = flags(
                    node,
                    vec![
                        ("interval", FlagType::Str),
                        ("timeout", FlagType::Str),
                        ("start-period", FlagType::Str),
                        ("start-interval", FlagType::Str),
                        ("retries", FlagType::Str),
                    ],
                )?;
                if typ != "CMD" {
                    return Err(format!(
                        "Unknown type {} in HEALTHCHECK (try CMD)",
                        super::lex::go_quote(&typ)
                    ));
                }
                let mut test = Vec::new();
                if node.json {
                    test.push("CMD".to_string());
                    test.extend(rest.iter().cloned());
                } else if !rest.is_empty() {
                    test.push("CMD-SHELL".to_string());
                    test.push(rest.join(" "));
                }
                if test.len() < 2 {
                    return Err("Missing command after HEALTHCHECK CMD".into());
                }
                let retries = match f.get("retries").filter(|v| !v.is_empty()) {
                    None => None,
                    Some(v) => {
                        let n: i64 = v.parse().map_err(|_| {
                            format!(
                                "strconv.ParseInt: parsing {}: invalid syntax",
                                super::lex::go_quote(&v)
                            )
                        })?;
                        if n < 1 {
                            return Err(format!("--retries must be at least 1 (not {n})"));
                        }
                        Some(n as u32)
                    }
                };
                InstructionKind::Healthcheck(Healthcheck::Check {
                    test,
                    interval: interval(&f, "interval")?,
                    timeout: interval(&f, "timeout")?,
                    start_period: interval(&f, "start-period")?,
                    start_interval: interval(&f, "start-interval")?,
                    retries,
                })
            }
        }
        "onbuild" => {
            if node.args.is_empty() {
                return Err("ONBUILD requires at least one argument".into());
            }
            no_flags(node)?;
            let trigger = node.args[0].trim().to_uppercase();
            match trigger.as_str() {
                "ONBUILD" => {
                    return Err("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed".into());
                }
                "MAINTAINER" | "FROM" => {
                    return Err(format!("{trigger} isn't allowed as an ONBUILD trigger"));
                }
                _ => {}
            }
            let trimmed = node.original.trim_start();
            let mut expression = trimmed[node.value.len()..].trim_start().to_string();
            for h in &node.heredocs {
                expression.push('\n');
                expression.push_str(&h.content);
                expression.push_str(&h.name);
            }
            let trigger = node
                .sub
                .as_deref()
                .and_then(|s| kind_from_node(s).ok())
                .map(Box::new);
            InstructionKind::Onbuild(Onbuild {
                expression,
                trigger,
            })
        }
        "stopsignal" => InstructionKind::StopSignal(exactly_one(node, "STOPSIGNAL")?),
        "maintainer" => {
            let m = exactly_one(node, "MAINTAINER")?;
            no_flags(node)?;
            InstructionKind::Maintainer(m)
        }
        _ => return Err(format!("unknown instruction: {}", node.value)),
    })
}

pub(crate) fn from_node(node: &Node) -> Result<Instruction, ParseError> {
    match kind_from_node(node) {
        Ok(kind) => Ok(Instruction {
            kind,
            line: node.start_line,
            end_line: node.end_line,
            original: node.original.trim().to_string(),
        }),
        Err(message) => {
            let mut e = ParseError::instruction(message, node.start_line, node.end_line);
            if !ALL.iter().any(|n| n.eq_ignore_ascii_case(&node.value)) {
                e.suggestion = suggest(&node.value);
            }
            Err(e)
        }
    }
}

/// Parses one instruction line on its own (an ONBUILD trigger when it fires).
pub fn parse_instruction(line: &str, escape: char) -> Result<Instruction, ParseError> {
    let mut node = node_from_line(line, escape).map_err(|m| ParseError::syntax(m, 1))?;
    node.start_line = 1;
    node.end_line = 1;
    from_node(&node)
}

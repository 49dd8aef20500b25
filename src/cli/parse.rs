//! From words to a verb: finds the command (`images`, `image ls`, ...), parses its flags
//! with clap, checks its argument count, and renders every usage error in the words of
//! cobra and pflag as Docker CLI 28 prints them.

use super::args::{Positionals, PositionalsMut};
use super::commands;
use super::{Cli, CliError};
use crate::engine::streams::Streams;
use clap::error::{ContextKind, ContextValue, ErrorKind};

/// How many positional arguments a verb takes, as cobra's validators say it.
#[derive(Clone, Copy, Debug)]
pub enum ArgRule {
    None,
    Exact(usize),
    Min(usize),
    Max(usize),
    Range(usize, usize),
}

pub type Handler = fn(&mut Cli<'_>, &Verb, &[String], Streams<'_>) -> Result<i32, CliError>;

pub struct Verb {
    /// The canonical command path, as errors name it: `docker image ls`.
    pub path: &'static str,
    /// The word sequences that reach it after `docker`.
    pub names: &'static [&'static str],
    pub help: &'static str,
    pub args: ArgRule,
    pub handler: Handler,
    /// The verb's flags, for completion.
    pub flags: fn() -> clap::Command,
}

impl Verb {
    /// The `Usage:` line of the help text, without the prefix.
    pub fn usage(&self) -> &'static str {
        self.help
            .lines()
            .find_map(|l| l.strip_prefix("Usage:  "))
            .unwrap_or(self.path)
    }

    /// Parses `raw` into the verb's argument struct, or a usage error in Docker's words.
    pub fn parse<T>(&self, raw: &[String]) -> Result<T, CliError>
    where
        T: clap::Parser + Positionals,
    {
        let args: T = self.parse_flags(raw)?;
        self.check_count(args.positionals().len())?;
        Ok(args)
    }

    /// The flags and positionals, without the argument-count check.
    fn parse_flags<T>(&self, raw: &[String]) -> Result<T, CliError>
    where
        T: clap::Parser + Positionals,
    {
        let command = T::command();
        let parsed = command
            .clone()
            .try_get_matches_from(raw)
            .and_then(|m| T::from_arg_matches(&m));
        let args = match parsed {
            Ok(a) => a,
            Err(e) => return Err(self.flag_error(&command, raw, &e)),
        };
        if args.wants_help() {
            return Err(CliError::Message {
                text: String::new(),
                code: HELP_SHOWN,
            });
        }
        Ok(args)
    }

    /// `parse` for verbs whose flags end at the first positional argument (`docker run
    /// IMAGE COMMAND -x` passes `-x` to COMMAND), as cobra's `SetInterspersed(false)`.
    pub fn parse_until_positional<T>(&self, raw: &[String]) -> Result<T, CliError>
    where
        T: clap::Parser + Positionals + PositionalsMut,
    {
        let split = first_positional(&T::command(), raw);
        let (flags, rest) = match split {
            Some(i) => (&raw[..=i], &raw[i + 1..]),
            None => (raw, &raw[raw.len()..]),
        };
        let mut args: T = self.parse_flags(flags)?;
        args.positionals_mut().extend(rest.iter().cloned());
        self.check_count(args.positionals().len())?;
        Ok(args)
    }

    fn check_count(&self, n: usize) -> Result<(), CliError> {
        let plural = |k: usize| if k == 1 { "argument" } else { "arguments" };
        let (ok, what, tail) = match self.args {
            ArgRule::None => (n == 0, "accepts no arguments".to_string(), "Run"),
            ArgRule::Exact(k) => (n == k, format!("requires {k} {}", plural(k)), "Run"),
            ArgRule::Min(k) => (
                n >= k,
                format!("requires at least {k} {}", plural(k)),
                "See",
            ),
            // Docker 28 prints this one with a stray "S" before "Run"; so do we.
            ArgRule::Max(k) => (
                n <= k,
                format!("requires at most {k} {}", plural(k)),
                "SRun",
            ),
            ArgRule::Range(a, b) => (
                n >= a && n <= b,
                format!("requires at least {a} and at most {b} {}", plural(b)),
                "Run",
            ),
        };
        if ok {
            return Ok(());
        }
        Err(CliError::message(
            format!(
                "docker: '{}' {what}\n\nUsage:  {}\n\n{tail} '{}' --help' for more information",
                self.path,
                self.usage(),
                self.path
            )
            .replace("' --help'", " --help'"),
        ))
    }

    /// pflag's wording for what clap reports.
    fn flag_error(&self, command: &clap::Command, raw: &[String], e: &clap::Error) -> CliError {
        let arg_text = |kind| match e.get(kind) {
            Some(ContextValue::String(s)) => s.clone(),
            Some(ContextValue::Strings(v)) => v.first().cloned().unwrap_or_default(),
            _ => String::new(),
        };
        let invalid = arg_text(ContextKind::InvalidArg);
        let value = arg_text(ContextKind::InvalidValue);
        let text = match e.kind() {
            ErrorKind::UnknownArgument => unknown_flag(&invalid, raw),
            ErrorKind::InvalidValue | ErrorKind::NoEquals if value.is_empty() => {
                let flag = invalid
                    .split([' ', '='])
                    .next()
                    .unwrap_or(&invalid)
                    .to_string();
                match typed_token(&flag, raw) {
                    Some(short) => format!("flag needs an argument: '{short}' in -{short}"),
                    None => format!("flag needs an argument: {}", long_of(command, &flag)),
                }
            }
            ErrorKind::ValueValidation | ErrorKind::InvalidValue => {
                let flag = invalid.split([' ', '=']).next().unwrap_or(&invalid);
                let (names, go_parser) = flag_names(command, flag);
                format!(
                    "invalid argument \"{value}\" for \"{names}\" flag: {go_parser}: parsing \"{value}\": invalid syntax"
                )
            }
            ErrorKind::TooManyValues | ErrorKind::ArgumentConflict => {
                let flag = invalid.split([' ', '=']).next().unwrap_or(&invalid);
                let (names, _) = flag_names(command, flag);
                format!(
                    "invalid argument \"{value}\" for \"{names}\" flag: strconv.ParseBool: parsing \"{value}\": invalid syntax"
                )
            }
            _ => e.kind().to_string(),
        };
        CliError::Message {
            text: format!(
                "{text}\n\nUsage:  {}\n\nRun '{} --help' for more information",
                self.usage(),
                self.path
            ),
            code: 125,
        }
    }
}

/// Where the first positional argument stands, walking flags as pflag does: a long flag
/// that takes a value eats the next word unless written `--flag=value`; in a cluster of
/// shorthands, the first one that takes a value eats the rest of the word or the next.
fn first_positional(command: &clap::Command, raw: &[String]) -> Option<usize> {
    let takes_value = |a: &clap::Arg| a.get_action().takes_values();
    let mut i = 0;
    while i < raw.len() {
        let word = raw[i].as_str();
        if word == "--" {
            return (i + 1 < raw.len()).then_some(i + 1);
        }
        if let Some(long) = word.strip_prefix("--") {
            if !long.contains('=')
                && command
                    .get_arguments()
                    .any(|a| a.get_long() == Some(long) && takes_value(a))
            {
                i += 1;
            }
        } else if word.len() > 1 && word.starts_with('-') {
            for (at, c) in word[1..].char_indices() {
                match command.get_arguments().find(|a| a.get_short() == Some(c)) {
                    Some(a) if takes_value(a) => {
                        if at + c.len_utf8() == word.len() - 1 {
                            i += 1;
                        }
                        break;
                    }
                    Some(_) => {}
                    // Unknown: clap will say so.
                    None => break,
                }
            }
        } else {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// The exit code a shown help text stands for; `dispatch` prints the help.
const HELP_SHOWN: i32 = -1;

/// `unknown flag: --foo`, or for shorthands `unknown shorthand flag: 'r' in -restart=always`.
fn unknown_flag(invalid: &str, raw: &[String]) -> String {
    let flag = invalid.split('=').next().unwrap_or(invalid);
    if flag.starts_with("--") {
        return format!("unknown flag: {flag}");
    }
    let letter = flag.chars().nth(1).unwrap_or('?');
    let token = raw
        .iter()
        .find(|t| t.starts_with('-') && !t.starts_with("--") && t[1..].contains(letter))
        .cloned()
        .unwrap_or_else(|| flag.to_string());
    format!("unknown shorthand flag: '{letter}' in {token}")
}

/// Whether the user typed the flag as a shorthand; clap names it by its long form.
fn typed_token(flag: &str, raw: &[String]) -> Option<char> {
    if let Some(short) = flag.strip_prefix('-').filter(|s| !s.starts_with('-')) {
        return short.chars().next();
    }
    let last = raw.last()?;
    if last.starts_with('-') && !last.starts_with("--") {
        return last.chars().last();
    }
    None
}

fn find_arg<'c>(command: &'c clap::Command, flag: &str) -> Option<&'c clap::Arg> {
    let name = flag.trim_start_matches('-');
    command.get_arguments().find(|a| {
        a.get_long() == Some(name)
            || (name.len() == 1 && a.get_short() == name.chars().next())
            || a.get_id().as_str() == name
    })
}

fn long_of(command: &clap::Command, flag: &str) -> String {
    find_arg(command, flag)
        .and_then(|a| a.get_long())
        .map(|l| format!("--{l}"))
        .unwrap_or_else(|| flag.to_string())
}

/// `"-n, --last"` and which Go parser would have complained.
fn flag_names(command: &clap::Command, flag: &str) -> (String, &'static str) {
    match find_arg(command, flag) {
        Some(a) => {
            let long = a.get_long().unwrap_or_default();
            let names = match a.get_short() {
                Some(s) => format!("-{s}, --{long}"),
                None => format!("--{long}"),
            };
            let parser = if a.get_action().takes_values() {
                "strconv.ParseInt"
            } else {
                "strconv.ParseBool"
            };
            (names, parser)
        }
        None => (flag.to_string(), "strconv.ParseInt"),
    }
}

/// Runs `docker ARGS...`.
pub fn dispatch(cli: &mut Cli<'_>, args: &[String], streams: Streams<'_>) -> Result<i32, CliError> {
    // Global flags come before the command word.
    let mut rest = args;
    while let Some(first) = rest.first() {
        match first.as_str() {
            "--help" | "-h" => return print_help(DOCKER_HELP, streams),
            "--version" | "-v" => {
                writeln!(
                    streams.stdout,
                    "Docker version {}, build e6534b4",
                    crate::engine::DOCKER_VERSION
                )?;
                return Ok(0);
            }
            "-D" | "--debug" | "--tls" | "--tlsverify" => rest = &rest[1..],
            "-l" | "--log-level" | "-c" | "--context" | "-H" | "--host" | "--config" => {
                rest = rest.get(2..).unwrap_or(&[]);
            }
            f if f.starts_with('-') && f != "-" => {
                return Err(CliError::Message {
                    text: format!(
                        "{}\n\nUsage:  docker [OPTIONS] COMMAND [ARG...]\n\nRun 'docker --help' for more information",
                        unknown_flag(f, rest)
                    ),
                    code: 125,
                });
            }
            _ => break,
        }
    }
    if rest.is_empty() {
        return print_help(DOCKER_HELP, streams);
    }
    if rest[0] == "help" {
        return match rest.get(1) {
            None => print_help(DOCKER_HELP, streams),
            Some(_) => match find_verb(&rest[1..]) {
                Some((verb, _)) => print_help(verb.help, streams),
                None => unknown_command(&rest[1..]),
            },
        };
    }
    let Some((verb, consumed)) = find_verb(rest) else {
        if let Some(group) = MANAGEMENT.iter().find(|g| g.0 == rest[0]) {
            return match rest.get(1) {
                None => print_help(group.1, streams),
                Some(a) if a == "--help" || a == "-h" => print_help(group.1, streams),
                Some(_) => Err(CliError::message(format!(
                    "docker: unknown command: docker {}\n\nUsage:  docker {}\n\nRun 'docker {} --help' for more information",
                    rest[..2].join(" "),
                    rest[0],
                    rest[0]
                ))),
            };
        }
        return unknown_command(rest);
    };
    let raw = &rest[consumed..];
    let takes_h_as_help = !matches!(verb.path, "docker run" | "docker create");
    let help_asked = raw
        .iter()
        .take_while(|a| *a != "--")
        .any(|a| a == "--help" || (takes_h_as_help && a == "-h"));
    if help_asked {
        return print_help(verb.help, streams);
    }
    let mut streams = streams;
    match (verb.handler)(cli, verb, raw, streams.reborrow()) {
        Err(CliError::Message {
            code: HELP_SHOWN, ..
        }) => print_help(verb.help, streams),
        other => other,
    }
}

fn print_help(text: &str, streams: Streams<'_>) -> Result<i32, CliError> {
    streams.stdout.write_all(text.as_bytes())?;
    Ok(0)
}

fn unknown_command(words: &[String]) -> Result<i32, CliError> {
    let known = [
        "attach", "build", "builder", "commit", "config", "context", "cp", "create", "diff",
        "events", "exec", "export", "import", "kill", "load", "login", "logout", "logs",
        "manifest", "node", "pause", "plugin", "port", "push", "rename", "restart", "save",
        "secret", "service", "stack", "start", "stats", "stop", "swarm", "top", "trust", "unpause",
        "update", "volume", "wait", "buildx", "compose",
    ];
    if known.contains(&words[0].as_str()) {
        return Err(CliError::message(format!(
            "docklab: 'docker {}' is a real docker command, but this lab does not offer it yet",
            words[0]
        )));
    }
    Err(CliError::message(format!(
        "docker: unknown command: docker {}\n\nRun 'docker --help' for more information",
        words[0]
    )))
}

/// The longest verb name that `words` start with, and how many words it took.
fn find_verb(words: &[String]) -> Option<(&'static Verb, usize)> {
    let mut best: Option<(&'static Verb, usize)> = None;
    for verb in commands::VERBS {
        for name in verb.names {
            let parts: Vec<&str> = name.split(' ').collect();
            let matches =
                parts.len() <= words.len() && parts.iter().zip(words).all(|(p, w)| p == w);
            if matches && best.is_none_or(|(_, n)| parts.len() > n) {
                best = Some((verb, parts.len()));
            }
        }
    }
    best
}

const DOCKER_HELP: &str = include_str!("help/docker.txt");

/// Management commands whose bare name prints their help.
const MANAGEMENT: &[(&str, &str)] = &[
    ("image", include_str!("help/image.txt")),
    ("container", include_str!("help/container.txt")),
    ("system", include_str!("help/system.txt")),
    ("volume", include_str!("help/volume.txt")),
    ("network", include_str!("help/network.txt")),
];

/// Completion candidates after `docker WORDS...`: verbs while no verb is complete, then
/// the verb's long flags.
pub fn completions(words: &[String]) -> Vec<String> {
    if let Some((verb, used)) = find_verb(words)
        && (used == words.len() || words.len() > used)
    {
        let mut flags: Vec<String> = (verb.flags)()
            .get_arguments()
            .filter(|a| !a.is_hide_set())
            .filter_map(|a| a.get_long().map(|l| format!("--{l}")))
            .collect();
        flags.sort();
        return flags;
    }
    let depth = words.len();
    let mut out: Vec<String> = commands::VERBS
        .iter()
        .flat_map(|v| v.names.iter())
        .filter_map(|n| {
            let parts: Vec<&str> = n.split(' ').collect();
            let prefix_matches = parts.iter().zip(words).all(|(p, w)| p == w);
            (prefix_matches && parts.len() > depth).then(|| parts[depth].to_string())
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

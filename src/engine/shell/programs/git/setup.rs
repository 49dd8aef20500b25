//! `git init`, `git config` and `git clone`: making a repository and its settings.

use crate::engine::shell::vfs;

use super::repo::{ConfigFile, split_key};
use super::{Git, NOT_A_REPO, err, fatal, out};
use crate::engine::shell::Streams;

const DEFAULT_BRANCH_ADVICE: &str =
    "Using 'master' as the name for the initial branch. This default branch name
is subject to change. To configure the initial branch name to use in all
of your new repositories, which will suppress this warning, call:

\tgit config --global init.defaultBranch <name>

Names commonly chosen instead of 'master' are 'main', 'trunk' and
'development'. The just-created branch can be renamed via this command:

\tgit branch -m <name>
";

const EXCLUDE: &str = "# git ls-files --others --exclude-from=.git/info/exclude
# Lines that start with '#' are comments.
# For a project mostly in C, the following would be a good set of
# exclude patterns (uncomment them if you want to use them):
# *.[oa]
# *~
";

const CONFIG: &str = "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n\tlogallrefupdates = true\n";

const DESCRIPTION: &str =
    "Unnamed repository; edit this file 'description' to name the repository.\n";

/// Lays out a new `.git` in `dir`; returns the git dir's path.
pub fn create_repository(g: &mut Git<'_, '_>, dir: &str, branch: &str) -> std::io::Result<String> {
    let fs = &mut *g.ctx.fs;
    let git_dir = vfs::normalize(dir, ".git");
    for d in [
        "",
        "branches",
        "hooks",
        "info",
        "objects",
        "objects/info",
        "objects/pack",
        "refs",
        "refs/heads",
        "refs/tags",
    ] {
        let p = if d.is_empty() {
            git_dir.clone()
        } else {
            format!("{git_dir}/{d}")
        };
        vfs::create_dir_all(fs, &p)?;
    }
    fs.write(
        &format!("{git_dir}/HEAD"),
        format!("ref: refs/heads/{branch}\n").as_bytes(),
        false,
    )?;
    fs.write(&format!("{git_dir}/config"), CONFIG.as_bytes(), false)?;
    fs.write(
        &format!("{git_dir}/description"),
        DESCRIPTION.as_bytes(),
        false,
    )?;
    fs.write(
        &format!("{git_dir}/info/exclude"),
        EXCLUDE.as_bytes(),
        false,
    )?;
    Ok(git_dir)
}

pub fn init(g: &mut Git<'_, '_>, args: &[String], io: &mut Streams<'_>) -> i32 {
    let mut quiet = false;
    let mut branch: Option<String> = None;
    let mut dir: Option<String> = None;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        match a {
            "-q" | "--quiet" => quiet = true,
            "-b" | "--initial-branch" => {
                i += 1;
                let Some(b) = args.get(i) else {
                    return fatal(
                        io,
                        &format!("option '{}' requires a value", a.trim_start_matches('-')),
                    );
                };
                branch = Some(b.clone());
            }
            _ if a.starts_with("--initial-branch=") => {
                branch = Some(a["--initial-branch=".len()..].to_string());
            }
            _ if a.starts_with('-') => {
                err(
                    io,
                    &format!("error: unknown option `{}'\n", a.trim_start_matches('-')),
                );
                err(
                    io,
                    "usage: git init [-q | --quiet] [--bare] [--template=<template-directory>]\n                [--separate-git-dir <git-dir>] [--object-format=<format>]\n                [--ref-format=<format>]\n                [-b <branch-name> | --initial-branch=<branch-name>]\n                [--shared[=<permissions>]] [<directory>]\n",
                );
                return 129;
            }
            _ => dir = Some(a.to_string()),
        }
        i += 1;
    }
    let target = g.ctx.abs(dir.as_deref().unwrap_or("."));
    if let Err(e) = vfs::create_dir_all(g.ctx.fs, &target) {
        return fatal(
            io,
            &format!("cannot mkdir {}: {}", dir.unwrap_or_default(), io_words(&e)),
        );
    }
    let git_dir = vfs::normalize(&target, ".git");
    if g.ctx.fs.exists(&format!("{git_dir}/HEAD")) {
        if !quiet {
            out(
                io,
                &format!("Reinitialized existing Git repository in {git_dir}/\n"),
            );
        }
        return 0;
    }
    let configured = g.config(None, "init.defaultBranch");
    let name = branch
        .clone()
        .or(configured.clone())
        .unwrap_or_else(|| "master".into());
    if branch.is_none() && configured.is_none() && !quiet {
        err(io, &g.hint(DEFAULT_BRANCH_ADVICE));
    }
    if let Err(e) = create_repository(g, &target, &name) {
        return fatal(io, &format!("cannot mkdir {git_dir}: {}", io_words(&e)));
    }
    if !quiet {
        out(
            io,
            &format!("Initialized empty Git repository in {git_dir}/\n"),
        );
    }
    0
}

fn io_words(e: &std::io::Error) -> &'static str {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => "Permission denied",
        std::io::ErrorKind::AlreadyExists => "File exists",
        _ => "No such file or directory",
    }
}

/// `git clone`: the lab has no network, so a URL fails where git's transport fails.
pub fn clone(g: &mut Git<'_, '_>, args: &[String], io: &mut Streams<'_>) -> i32 {
    let operands: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let Some(url) = operands.first() else {
        err(io, "fatal: You must specify a repository to clone.\n\n");
        err(io, "usage: git clone [<options>] [--] <repo> [<dir>]\n");
        return 129;
    };
    let name = match operands.get(1) {
        Some(d) => d.to_string(),
        None => {
            let trimmed = url.trim_end_matches('/');
            let base = trimmed.rsplit(['/', ':']).next().unwrap_or(trimmed);
            base.strip_suffix(".git").unwrap_or(base).to_string()
        }
    };
    let target = g.ctx.abs(&name);
    if g.ctx.fs.read_dir(&target).is_ok_and(|d| !d.is_empty())
        || g.ctx.fs.metadata(&target).is_ok_and(|m| !m.is_dir())
    {
        return fatal(
            io,
            &format!("destination path '{name}' already exists and is not an empty directory."),
        );
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        if url.contains(':') && !url.starts_with('/') {
            // scp-like syntax: the ssh client is not in the image.
            err(io, &format!("Cloning into '{name}'...\n"));
            err(io, "error: cannot run ssh: No such file or directory\n");
            return fatal(io, "unable to fork");
        }
        return fatal(io, &format!("repository '{url}' does not exist"));
    };
    err(io, &format!("Cloning into '{name}'...\n"));
    let host = rest
        .split('/')
        .next()
        .unwrap_or("")
        .rsplit('@')
        .next()
        .unwrap_or("");
    let host_only = host.split(':').next().unwrap_or(host);
    match scheme {
        "http" | "https" => {
            let mut shown = url.to_string();
            if !shown.ends_with('/') {
                shown.push('/');
            }
            let reason = if host_only == "localhost"
                || host_only.parse::<std::net::IpAddr>().is_ok()
            {
                let port = host
                    .split_once(':')
                    .map(|(_, p)| p.to_string())
                    .unwrap_or_else(|| {
                        if scheme == "https" {
                            "443".into()
                        } else {
                            "80".into()
                        }
                    });
                format!(
                    "Failed to connect to {host_only} port {port} after 0 ms: Couldn't connect to server"
                )
            } else {
                format!("Could not resolve host: {host_only}")
            };
            fatal(io, &format!("unable to access '{shown}': {reason}"))
        }
        "ssh" => {
            err(io, "error: cannot run ssh: No such file or directory\n");
            fatal(io, "unable to fork")
        }
        "git" => {
            err(
                io,
                &format!(
                    "fatal: unable to look up {host_only} (port 9418) (Name does not resolve)\n"
                ),
            );
            128
        }
        "file" => fatal(io, &format!("repository '{url}' does not exist")),
        other => {
            err(
                io,
                &format!("git: 'remote-{other}' is not a git command. See 'git --help'.\n"),
            );
            fatal(io, &format!("remote helper '{other}' aborted session"))
        }
    }
}

enum Scope {
    Default,
    Global,
    System,
    Local,
}

pub fn config(g: &mut Git<'_, '_>, args: &[String], io: &mut Streams<'_>) -> i32 {
    let mut scope = Scope::Default;
    let mut action = "";
    let mut rest: Vec<String> = Vec::new();
    let mut subcommand = false;
    for (n, a) in args.iter().enumerate() {
        match a.as_str() {
            "--global" => scope = Scope::Global,
            "--system" => scope = Scope::System,
            "--local" => scope = Scope::Local,
            "-l" | "--list" => action = "list",
            "--get" => action = "get",
            "--unset" => action = "unset",
            "--add" => action = "add",
            "get" | "set" | "unset" | "list" if n == 0 && g.version.minor >= 46 => {
                action = match a.as_str() {
                    "get" => "get",
                    "set" => "set",
                    "unset" => "unset",
                    _ => "list",
                };
                subcommand = true;
            }
            o if o.starts_with('-') => {
                err(
                    io,
                    &format!("error: unknown option `{}'\n", o.trim_start_matches('-')),
                );
                return 129;
            }
            _ => rest.push(a.clone()),
        }
    }
    let _ = subcommand;
    if action.is_empty() {
        action = match rest.len() {
            0 => {
                err(io, "usage: git config [<options>]\n");
                return 129;
            }
            1 => "get",
            _ => "set",
        };
    }
    let repo = g.repo();
    let file = match scope {
        Scope::Global => Some(g.global_config_path()),
        Scope::System => Some("/etc/gitconfig".to_string()),
        Scope::Local | Scope::Default => repo.as_ref().map(|r| r.path("config")),
    };
    match action {
        "list" => {
            let files: Vec<ConfigFile> = match scope {
                Scope::Default => g
                    .config_files(repo.as_ref())
                    .into_iter()
                    .map(|(_, c)| c)
                    .collect(),
                _ => {
                    let Some(path) = &file else {
                        return fatal(io, "--local can only be used inside a git repository");
                    };
                    let Ok(b) = g.ctx.fs.read(path) else {
                        return fatal(
                            io,
                            &format!(
                                "unable to read config file '{path}': No such file or directory"
                            ),
                        );
                    };
                    vec![ConfigFile::parse(&String::from_utf8_lossy(&b))]
                }
            };
            let mut text = String::new();
            for c in files {
                for (k, v) in c.entries() {
                    text.push_str(&format!("{k}={v}\n"));
                }
            }
            for (k, v) in &g.overrides {
                text.push_str(&format!("{}={v}\n", k.to_ascii_lowercase()));
            }
            out(io, &text);
            0
        }
        "get" => {
            let Some(key) = rest.first() else {
                err(io, "error: wrong number of arguments, should be 1\n");
                return 129;
            };
            if split_key(key).is_none() {
                err(
                    io,
                    &format!("error: key does not contain a section: {key}\n"),
                );
                return 1;
            }
            let value = match scope {
                Scope::Default => g.config(repo.as_ref(), key),
                _ => file
                    .and_then(|p| g.ctx.fs.read(&p).ok())
                    .and_then(|b| ConfigFile::parse(&String::from_utf8_lossy(&b)).get(key)),
            };
            match value {
                Some(v) => {
                    out(io, &format!("{v}\n"));
                    0
                }
                None => 1,
            }
        }
        "set" | "add" | "unset" => {
            let Some(path) = file else {
                return fatal(io, "not in a git directory");
            };
            let Some(key) = rest.first() else {
                err(io, "error: wrong number of arguments, should be 2\n");
                return 129;
            };
            if split_key(key).is_none() {
                err(
                    io,
                    &format!("error: key does not contain a section: {key}\n"),
                );
                return 1;
            }
            let mut c = g
                .ctx
                .fs
                .read(&path)
                .map(|b| ConfigFile::parse(&String::from_utf8_lossy(&b)))
                .unwrap_or_default();
            if action == "unset" {
                if !c.unset(key) {
                    return 5;
                }
            } else {
                let Some(value) = rest.get(1) else {
                    err(io, "error: wrong number of arguments, should be 2\n");
                    return 129;
                };
                if rest.len() > 2 && action == "set" {
                    err(
                        io,
                        "error: wrong number of arguments, should be from 1 to 2\n",
                    );
                    return 129;
                }
                c.set(key, value);
            }
            if let Some((parent, _)) = path.rsplit_once('/') {
                let _ = vfs::create_dir_all(g.ctx.fs, if parent.is_empty() { "/" } else { parent });
            }
            if g.ctx.fs.write(&path, c.text().as_bytes(), false).is_err() {
                return fatal(
                    io,
                    &format!("could not lock config file {path}: Permission denied"),
                );
            }
            0
        }
        _ => {
            let _ = NOT_A_REPO;
            1
        }
    }
}

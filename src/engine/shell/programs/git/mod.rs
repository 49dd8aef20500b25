//! git, as Alpine's and Debian's packages install it.
//!
//! The repository is real: `.git` in the container's filesystem holds HEAD, config,
//! loose zlib objects whose ids are git's own SHA-1s, refs, reflogs and a version-2
//! binary index, so ids match what real git computes for the same files, people and
//! times, and a real git can read what this one wrote. Simulated are the everyday
//! commands (init, config, add, rm, commit, status, diff, log, show, branch,
//! checkout, switch, restore, rev-parse, clone) in the words git 2.39 to 2.49 print;
//! the network is not there, so `clone` of a URL fails as git does when the host does
//! not resolve. Not simulated: merges, rebases, remotes beyond that failure, packs,
//! the pager and colours, the editor (a commit needs `-m` or `-F`).
//!
//! Which git is installed decides its version and the few words that differ between
//! versions: it is read from the package database of the container.

mod diff;
mod history;
mod index;
mod object;
mod repo;
mod setup;
mod stage;
mod worktree;

use super::packages::Release;
use super::{Ctx, Streams};
use repo::{ConfigFile, Repo};

/// git's version, as `git --version` prints it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    pub text: String,
    pub minor: u32,
}

impl Version {
    fn parse(text: &str) -> Version {
        let minor = text
            .split('.')
            .nth(1)
            .and_then(|m| m.parse().ok())
            .unwrap_or(49);
        Version {
            text: text.to_string(),
            minor,
        }
    }
}

/// `2.49.1-r0` → `2.49.1`; `1:2.43.0-1ubuntu7.3` → `2.43.0`.
fn upstream_version(package_version: &str) -> String {
    let v = package_version
        .split_once(':')
        .map_or(package_version, |(_, v)| v);
    v.split('-').next().unwrap_or(v).to_string()
}

/// The installed git package's version from the container's package database, else
/// the version the distribution ships.
pub fn installed_version(fs: &dyn crate::engine::shell::Vfs) -> Version {
    if let Ok(db) = fs.read("/lib/apk/db/installed") {
        let db = String::from_utf8_lossy(&db);
        for block in db.split("\n\n") {
            if block.lines().any(|l| l == "P:git")
                && let Some(v) = block.lines().find_map(|l| l.strip_prefix("V:"))
            {
                return Version::parse(&upstream_version(v));
            }
        }
    }
    if let Ok(status) = fs.read("/var/lib/dpkg/status") {
        let status = String::from_utf8_lossy(&status);
        for block in status.split("\n\n") {
            if block.lines().any(|l| l == "Package: git")
                && let Some(v) = block.lines().find_map(|l| l.strip_prefix("Version: "))
            {
                return Version::parse(&upstream_version(v));
            }
        }
    }
    let release = Release::detect(fs);
    let text = match &release {
        Release::Alpine(_) => release
            .index()
            .get("git")
            .map(|p| upstream_version(&p.version))
            .unwrap_or_else(|| "2.49.1".into()),
        Release::Debian { id, .. } if id == "ubuntu" => "2.43.0".into(),
        Release::Debian { .. } => "2.39.5".into(),
        Release::Unknown => "2.49.1".into(),
    };
    Version::parse(&text)
}

/// What every subcommand works with.
pub(crate) struct Git<'c, 'a> {
    pub ctx: &'c mut Ctx<'a>,
    pub version: Version,
    /// `-c name=value` from the command line.
    pub overrides: Vec<(String, String)>,
}

impl Git<'_, '_> {
    fn home(&self) -> String {
        self.ctx
            .var("HOME")
            .filter(|h| !h.is_empty())
            .unwrap_or("/root")
            .to_string()
    }

    pub fn global_config_path(&self) -> String {
        crate::engine::shell::vfs::normalize("/", &format!("{}/.gitconfig", self.home()))
    }

    fn read_config(&self, path: &str) -> ConfigFile {
        self.ctx
            .fs
            .read(path)
            .map(|b| ConfigFile::parse(&String::from_utf8_lossy(&b)))
            .unwrap_or_default()
    }

    /// Every config file in the order git reads them (later ones win).
    pub fn config_files(&self, repo: Option<&Repo>) -> Vec<(String, ConfigFile)> {
        let mut out = Vec::new();
        let xdg = match self.ctx.var("XDG_CONFIG_HOME").filter(|x| !x.is_empty()) {
            Some(x) => format!("{x}/git/config"),
            None => format!("{}/.config/git/config", self.home()),
        };
        let mut paths = vec!["/etc/gitconfig".to_string(), xdg, self.global_config_path()];
        if let Some(r) = repo {
            paths.push(r.path("config"));
        }
        for p in paths {
            if self.ctx.fs.exists(&p) {
                let c = self.read_config(&p);
                out.push((p, c));
            }
        }
        out
    }

    pub fn config(&self, repo: Option<&Repo>, key: &str) -> Option<String> {
        let want = repo::split_key(key).map(|(s, k)| format!("{s}.{k}"))?;
        if let Some((_, v)) = self
            .overrides
            .iter()
            .rev()
            .find(|(k, _)| repo::split_key(k).is_some_and(|(s, n)| format!("{s}.{n}") == want))
        {
            return Some(v.clone());
        }
        self.config_files(repo)
            .iter()
            .rev()
            .find_map(|(_, c)| c.get(key))
    }

    pub fn repo(&self) -> Option<Repo> {
        Repo::discover(self.ctx.fs, &self.ctx.cwd)
    }

    /// The working directory relative to the top of the work tree ("" at the top).
    pub fn prefix(&self, repo: &Repo) -> String {
        let cwd = &self.ctx.cwd;
        if *cwd == repo.work {
            return String::new();
        }
        let top = if repo.work == "/" {
            "/".to_string()
        } else {
            format!("{}/", repo.work)
        };
        cwd.strip_prefix(&top).unwrap_or("").to_string()
    }

    /// A path argument as a path relative to the top of the work tree; Err(abs) when
    /// it lies outside.
    pub fn rel_path(&self, repo: &Repo, arg: &str) -> Result<String, String> {
        let abs = self.ctx.abs(arg);
        if abs == repo.work {
            return Ok(String::new());
        }
        let top = if repo.work == "/" {
            "/".to_string()
        } else {
            format!("{}/", repo.work)
        };
        abs.strip_prefix(&top).map(str::to_string).ok_or(abs)
    }

    /// `hint: ...` lines, with the trailing space older gits leave on empty ones.
    pub fn hint(&self, text: &str) -> String {
        text.lines()
            .map(|l| {
                if l.is_empty() && self.version.minor < 45 {
                    "hint: \n".to_string()
                } else if l.is_empty() {
                    "hint:\n".to_string()
                } else {
                    format!("hint: {l}\n")
                }
            })
            .collect()
    }
}

pub(crate) fn out(io: &mut Streams<'_>, text: &str) {
    let _ = io.stdout.write_all(text.as_bytes());
}

pub(crate) fn err(io: &mut Streams<'_>, text: &str) {
    let _ = io.stderr.write_all(text.as_bytes());
}

/// `fatal: ...` and git's exit status for it.
pub(crate) fn fatal(io: &mut Streams<'_>, msg: &str) -> i32 {
    err(io, &format!("fatal: {msg}\n"));
    128
}

pub(crate) const NOT_A_REPO: &str = "not a git repository (or any of the parent directories): .git";

fn usage_string(v: &Version) -> &'static str {
    if v.minor >= 46 {
        "usage: git [-v | --version] [-h | --help] [-C <path>] [-c <name>=<value>]\n           [--exec-path[=<path>]] [--html-path] [--man-path] [--info-path]\n           [-p | --paginate | -P | --no-pager] [--no-replace-objects] [--no-lazy-fetch]\n           [--no-optional-locks] [--no-advice] [--bare] [--git-dir=<path>]\n           [--work-tree=<path>] [--namespace=<name>] [--config-env=<name>=<envvar>]\n           <command> [<args>]\n"
    } else if v.minor >= 40 {
        "usage: git [-v | --version] [-h | --help] [-C <path>] [-c <name>=<value>]\n           [--exec-path[=<path>]] [--html-path] [--man-path] [--info-path]\n           [-p | --paginate | -P | --no-pager] [--no-replace-objects] [--bare]\n           [--git-dir=<path>] [--work-tree=<path>] [--namespace=<name>]\n           [--config-env=<name>=<envvar>] <command> [<args>]\n"
    } else {
        "usage: git [-v | --version] [-h | --help] [-C <path>] [-c <name>=<value>]\n           [--exec-path[=<path>]] [--html-path] [--man-path] [--info-path]\n           [-p | --paginate | -P | --no-pager] [--no-replace-objects] [--bare]\n           [--git-dir=<path>] [--work-tree=<path>] [--namespace=<name>]\n           [--super-prefix=<path>] [--config-env=<name>=<envvar>]\n           <command> [<args>]\n"
    }
}

const COMMON_COMMANDS: &str = "
These are common Git commands used in various situations:

start a working area (see also: git help tutorial)
   clone     Clone a repository into a new directory
   init      Create an empty Git repository or reinitialize an existing one

work on the current change (see also: git help everyday)
   add       Add file contents to the index
   mv        Move or rename a file, a directory, or a symlink
   restore   Restore working tree files
   rm        Remove files from the working tree and from the index

examine the history and state (see also: git help revisions)
   bisect    Use binary search to find the commit that introduced a bug
   diff      Show changes between commits, commit and working tree, etc
   grep      Print lines matching a pattern
   log       Show commit logs
   show      Show various types of objects
   status    Show the working tree status

grow, mark and tweak your common history
   branch    List, create, or delete branches
   commit    Record changes to the repository
   merge     Join two or more development histories together
   rebase    Reapply commits on top of another base tip
   reset     Reset current HEAD to the specified state
   switch    Switch branches
   tag       Create, list, delete or verify a tag object signed with GPG

collaborate (see also: git help workflows)
   fetch     Download objects and refs from another repository
   pull      Fetch from and integrate with another repository or a local branch
   push      Update remote refs along with associated objects

'git help -a' and 'git help -g' list available subcommands and some
concept guides. See 'git help <command>' or 'git help <concept>'
to read about a specific subcommand or concept.
See 'git help git' for an overview of the system.
";

/// The usage and common-command list `git`, `git help` and `git --help` print.
pub fn help_text(v: &Version) -> String {
    format!("{}{COMMON_COMMANDS}", usage_string(v))
}

/// Every command a distribution's git carries in its exec path, for the "most
/// similar command" suggestion.
const ALL_COMMANDS: &[&str] = &[
    "add",
    "am",
    "annotate",
    "apply",
    "archive",
    "backfill",
    "bisect",
    "blame",
    "branch",
    "bugreport",
    "bundle",
    "cat-file",
    "check-attr",
    "check-ignore",
    "check-mailmap",
    "check-ref-format",
    "checkout",
    "checkout-index",
    "cherry",
    "cherry-pick",
    "clean",
    "clone",
    "column",
    "commit",
    "commit-graph",
    "commit-tree",
    "config",
    "count-objects",
    "credential",
    "credential-cache",
    "credential-store",
    "daemon",
    "describe",
    "diagnose",
    "diff",
    "diff-files",
    "diff-index",
    "diff-tree",
    "difftool",
    "fast-export",
    "fast-import",
    "fetch",
    "fetch-pack",
    "filter-branch",
    "fmt-merge-msg",
    "for-each-ref",
    "for-each-repo",
    "format-patch",
    "fsck",
    "fsck-objects",
    "gc",
    "get-tar-commit-id",
    "grep",
    "hash-object",
    "help",
    "hook",
    "http-backend",
    "http-fetch",
    "http-push",
    "imap-send",
    "index-pack",
    "init",
    "init-db",
    "interpret-trailers",
    "log",
    "ls-files",
    "ls-remote",
    "ls-tree",
    "mailinfo",
    "mailsplit",
    "maintenance",
    "merge",
    "merge-base",
    "merge-file",
    "merge-index",
    "merge-octopus",
    "merge-one-file",
    "merge-ours",
    "merge-recursive",
    "merge-resolve",
    "merge-subtree",
    "merge-tree",
    "mergetool",
    "mktag",
    "mktree",
    "multi-pack-index",
    "mv",
    "name-rev",
    "notes",
    "pack-objects",
    "pack-redundant",
    "pack-refs",
    "patch-id",
    "prune",
    "prune-packed",
    "pull",
    "push",
    "quiltimport",
    "range-diff",
    "read-tree",
    "rebase",
    "receive-pack",
    "reflog",
    "refs",
    "remote",
    "remote-ext",
    "remote-fd",
    "remote-ftp",
    "remote-ftps",
    "remote-http",
    "remote-https",
    "repack",
    "replace",
    "replay",
    "request-pull",
    "rerere",
    "reset",
    "restore",
    "rev-list",
    "rev-parse",
    "revert",
    "rm",
    "send-pack",
    "sh-i18n",
    "sh-setup",
    "shell",
    "shortlog",
    "show",
    "show-branch",
    "show-index",
    "show-ref",
    "sparse-checkout",
    "stage",
    "stash",
    "status",
    "stripspace",
    "submodule",
    "switch",
    "symbolic-ref",
    "tag",
    "unpack-file",
    "unpack-objects",
    "update-index",
    "update-ref",
    "update-server-info",
    "upload-archive",
    "upload-pack",
    "var",
    "verify-commit",
    "verify-pack",
    "verify-tag",
    "version",
    "whatchanged",
    "worktree",
    "write-tree",
];

const COMMON: &[&str] = &[
    "add", "bisect", "branch", "clone", "commit", "diff", "fetch", "grep", "init", "log", "merge",
    "mv", "pull", "push", "rebase", "reset", "restore", "rm", "show", "status", "switch", "tag",
];

/// git's weighted Damerau-Levenshtein distance (levenshtein.c).
fn levenshtein(a: &[u8], b: &[u8], w: usize, s: usize, add: usize, d: usize) -> usize {
    let mut row0 = vec![0; b.len() + 1];
    let mut row1: Vec<usize> = (0..=b.len()).map(|j| j * add).collect();
    let mut row2 = vec![0; b.len() + 1];
    for i in 0..a.len() {
        row2[0] = (i + 1) * d;
        for j in 0..b.len() {
            row2[j + 1] = row1[j] + s * usize::from(a[i] != b[j]);
            if i > 0
                && j > 0
                && a[i - 1] == b[j]
                && a[i] == b[j - 1]
                && row2[j + 1] > row0[j - 1] + w
            {
                row2[j + 1] = row0[j - 1] + w;
            }
            if row2[j + 1] > row1[j + 1] + d {
                row2[j + 1] = row1[j + 1] + d;
            }
            if row2[j + 1] > row2[j] + add {
                row2[j + 1] = row2[j] + add;
            }
        }
        std::mem::swap(&mut row0, &mut row1);
        std::mem::swap(&mut row1, &mut row2);
    }
    row1[b.len()]
}

/// What git says for a command it does not have (help.c, help_unknown_cmd).
pub fn unknown_command(cmd: &str) -> String {
    let mut scored: Vec<(usize, &str)> = ALL_COMMANDS
        .iter()
        .map(|c| {
            if COMMON.contains(c) && c.starts_with(cmd) {
                (0, *c)
            } else {
                (
                    levenshtein(cmd.as_bytes(), c.as_bytes(), 0, 2, 1, 3) + 1,
                    *c,
                )
            }
        })
        .collect();
    scored.sort();
    let mut n = scored.iter().take_while(|(s, _)| *s == 0).count();
    let best = if n >= scored.len() {
        8
    } else {
        let best = scored[n].0;
        n += 1;
        while n < scored.len() && scored[n].0 == best {
            n += 1;
        }
        best
    };
    let mut s = format!("git: '{cmd}' is not a git command. See 'git --help'.\n");
    if best < 7 {
        s.push_str(if n == 1 {
            "\nThe most similar command is\n"
        } else {
            "\nThe most similar commands are\n"
        });
        for (_, c) in &scored[..n] {
            s.push_str(&format!("\t{c}\n"));
        }
    }
    s
}

/// `git help CMD` / `git CMD --help` open a manual page, and the image has no `man`.
fn manual(io: &mut Streams<'_>) -> i32 {
    err(
        io,
        "warning: failed to exec 'man': No such file or directory\n",
    );
    fatal(io, "no man viewer handled the request")
}

pub fn git(ctx: &mut Ctx<'_>, argv: &[String], mut io: Streams<'_>) -> i32 {
    let version = installed_version(ctx.fs);
    let mut overrides = Vec::new();
    let mut i = 1;
    while i < argv.len() {
        let a = argv[i].as_str();
        match a {
            "--version" | "-v" => {
                out(&mut io, &format!("git version {}\n", version.text));
                return 0;
            }
            "--help" | "-h" => {
                if let Some(cmd) = argv.get(i + 1) {
                    let _ = cmd;
                    return manual(&mut io);
                }
                out(&mut io, &help_text(&version));
                return 0;
            }
            "-C" => {
                let Some(dir) = argv.get(i + 1) else {
                    err(&mut io, "error: no directory given for '-C' option\n\n");
                    err(&mut io, usage_string(&version));
                    return 129;
                };
                let abs = ctx.abs(dir);
                if !ctx.fs.metadata(&abs).is_ok_and(|m| m.is_dir()) {
                    return fatal(
                        &mut io,
                        &format!("cannot change to '{dir}': No such file or directory"),
                    );
                }
                ctx.cwd = abs;
                i += 2;
                continue;
            }
            "-c" => {
                let Some(kv) = argv.get(i + 1) else {
                    err(&mut io, "error: -c expects a configuration string\n\n");
                    err(&mut io, usage_string(&version));
                    return 129;
                };
                let (k, v) = kv.split_once('=').unwrap_or((kv, "true"));
                overrides.push((k.to_string(), v.to_string()));
                i += 2;
                continue;
            }
            "--no-pager"
            | "-P"
            | "-p"
            | "--paginate"
            | "--no-replace-objects"
            | "--no-optional-locks"
            | "--no-advice"
            | "--no-lazy-fetch" => {
                i += 1;
                continue;
            }
            _ if a.starts_with('-') => {
                err(&mut io, &format!("unknown option: {a}\n"));
                err(&mut io, usage_string(&version));
                return 129;
            }
            _ => break,
        }
    }
    let Some(cmd) = argv.get(i) else {
        out(&mut io, &help_text(&version));
        return 1;
    };
    let args: Vec<String> = argv[i + 1..].to_vec();
    if args.iter().any(|a| a == "--help") {
        return manual(&mut io);
    }
    let mut g = Git {
        ctx,
        version,
        overrides,
    };
    match cmd.as_str() {
        "version" => {
            out(&mut io, &format!("git version {}\n", g.version.text));
            0
        }
        "help" => {
            if args.iter().any(|a| !a.starts_with('-')) {
                return manual(&mut io);
            }
            out(&mut io, &help_text(&g.version));
            0
        }
        "init" => setup::init(&mut g, &args, &mut io),
        "clone" => setup::clone(&mut g, &args, &mut io),
        "config" => setup::config(&mut g, &args, &mut io),
        "add" | "stage" => stage::add(&mut g, &args, &mut io),
        "rm" => stage::rm(&mut g, &args, &mut io),
        "status" => stage::status(&mut g, &args, &mut io),
        "commit" => stage::commit(&mut g, &args, &mut io),
        "log" => history::log(&mut g, &args, &mut io),
        "show" => history::show(&mut g, &args, &mut io),
        "diff" => history::diff(&mut g, &args, &mut io),
        "branch" => history::branch(&mut g, &args, &mut io),
        "checkout" => history::checkout(&mut g, &args, &mut io, false),
        "switch" => history::checkout(&mut g, &args, &mut io, true),
        "restore" => history::restore(&mut g, &args, &mut io),
        "rev-parse" => history::rev_parse(&mut g, &args, &mut io),
        c if ALL_COMMANDS.contains(&c) => {
            err(
                &mut io,
                &format!("git: docklab does not simulate 'git {c}' yet\n"),
            );
            126
        }
        c => {
            err(&mut io, &unknown_command(c));
            1
        }
    }
}

#[cfg(test)]
mod tests;

//! git in an Alpine container filesystem, after `apk add git`. Expected texts were
//! taken from git 2.47 run on the same commands (its 2.49 wording is the same).

use crate::engine::shell::programs::packages::fixture::{self, Container};

/// busybox's applets that the tests use, as the image's links provide them.
fn applets(c: &Container) {
    for a in ["mkdir", "rm", "touch", "cat"] {
        std::fs::write(c.dir.path().join("bin").join(a), b"\x7fELF").unwrap();
    }
}

fn alpine_with_git() -> Container {
    let mut c = fixture::alpine("3.22.0");
    applets(&c);
    let r = c.run("apk add git");
    assert_eq!(r.status, 0, "{}", r.err);
    c.sh.export("HOME", "/root");
    c.run("mkdir -p /root /app");
    c
}

#[test]
fn version_comes_from_the_installed_package() {
    let mut c = alpine_with_git();
    let r = c.run("git --version");
    assert_eq!(r.out, "git version 2.49.1\n");
    // Without a package database entry, the distribution's default.
    let mut d = fixture::ubuntu();
    std::fs::write(d.dir.path().join("usr/bin/git"), b"\x7fELF").unwrap();
    let r = d.run("git --version");
    assert_eq!(r.out, "git version 2.43.0\n");
}

#[test]
fn outside_a_repository_and_unknown_commands() {
    let mut c = alpine_with_git();
    let r = c.run("cd /root; git status");
    assert_eq!(r.status, 128);
    assert_eq!(
        r.err,
        "fatal: not a git repository (or any of the parent directories): .git\n"
    );
    let r = c.run("git foo");
    assert_eq!(r.status, 1);
    assert_eq!(
        r.err,
        "git: 'foo' is not a git command. See 'git --help'.\n\nThe most similar command is\n\thook\n"
    );
    let r = c.run("git --help");
    assert_eq!(r.status, 0);
    assert!(r.out.starts_with(
        "usage: git [-v | --version] [-h | --help] [-C <path>] [-c <name>=<value>]\n"
    ));
    assert!(
        r.out
            .contains("   clone     Clone a repository into a new directory\n")
    );
    assert_eq!(c.run("git").status, 1);
}

#[test]
fn init_add_commit_log_as_real_git() {
    let mut c = alpine_with_git();
    let r = c.run("cd /app && git init");
    assert_eq!(r.out, "Initialized empty Git repository in /app/.git/\n");
    assert!(r.err.starts_with(
        "hint: Using 'master' as the name for the initial branch. This default branch name\n"
    ));
    assert!(
        r.err
            .contains("\nhint:\nhint: \tgit config --global init.defaultBranch <name>\nhint:\n")
    );
    assert_eq!(c.read("/app/.git/HEAD"), "ref: refs/heads/master\n");
    let r = c.run("cd /app && git status");
    assert_eq!(
        r.out,
        "On branch master\n\nNo commits yet\n\nnothing to commit (create/copy files and use \"git add\" to track)\n"
    );
    c.run("cd /app && printf 'hello\\n' > a.txt && mkdir sub && printf 'one\\ntwo\\n' > sub/b.txt");
    let r = c.run("cd /app && git add a.txt && git status");
    assert_eq!(
        r.out,
        "On branch master\n\nNo commits yet\n\nChanges to be committed:\n  (use \"git rm --cached <file>...\" to unstage)\n\tnew file:   a.txt\n\nUntracked files:\n  (use \"git add <file>...\" to include in what will be committed)\n\tsub/\n\n"
    );
    // No identity: git's own complaint.
    let r = c.run("cd /app && git commit -m first");
    assert_eq!(r.status, 128);
    assert!(r.err.starts_with("Author identity unknown\n\n*** Please tell me who you are.\n\nRun\n\n  git config --global user.email \"you@example.com\"\n"));
    assert!(r.err.ends_with(
        "fatal: unable to auto-detect email address (got 'root@c0ffee123456.(none)')\n"
    ));
    c.run(
        "cd /app && git config user.name 'Ada Lovelace' && git config user.email ada@example.com",
    );
    assert!(
        c.read("/app/.git/config")
            .ends_with("[user]\n\tname = Ada Lovelace\n\temail = ada@example.com\n")
    );
    let r = c.run("cd /app && GIT_COMMITTER_DATE=2026-01-01T00:00:00Z GIT_AUTHOR_DATE=2026-01-01T00:00:00Z git commit -m first");
    assert_eq!(r.err, "");
    // The same id real git gives these inputs (see object.rs).
    assert_eq!(
        r.out,
        "[master (root-commit) 500a489] first\n 1 file changed, 1 insertion(+)\n create mode 100644 a.txt\n"
    );
    assert!(c.exists("/app/.git/objects/50/0a489654edb0efe816d8f416b9613f787d3e42"));
    let r = c.run("cd /app && git add sub && GIT_COMMITTER_DATE=2026-01-01T00:00:00Z GIT_AUTHOR_DATE=2026-01-01T00:00:00Z git commit -m 'second change'");
    assert_eq!(
        r.out,
        "[master 203afb6] second change\n 1 file changed, 2 insertions(+)\n create mode 100644 sub/b.txt\n"
    );
    let r = c.run("cd /app && git log");
    assert_eq!(
        r.out,
        "commit 203afb6c4fff258726e1679a251cf8d2064b4f9c\nAuthor: Ada Lovelace <ada@example.com>\nDate:   Thu Jan 1 00:00:00 2026 +0000\n\n    second change\n\ncommit 500a489654edb0efe816d8f416b9613f787d3e42\nAuthor: Ada Lovelace <ada@example.com>\nDate:   Thu Jan 1 00:00:00 2026 +0000\n\n    first\n"
    );
    assert_eq!(
        c.run("cd /app && git log --oneline").out,
        "203afb6 second change\n500a489 first\n"
    );
    assert_eq!(
        c.run("cd /app && git rev-parse HEAD").out,
        "203afb6c4fff258726e1679a251cf8d2064b4f9c\n"
    );
    let r = c.run("cd /app && git commit -m again");
    assert_eq!(r.status, 1);
    assert_eq!(
        r.out,
        "On branch master\nnothing to commit, working tree clean\n"
    );
    // Edits, diff and the unstaged section.
    c.run("cd /app && printf 'hello\\nworld\\n' > a.txt");
    let r = c.run("cd /app && git diff");
    assert_eq!(
        r.out,
        "diff --git a/a.txt b/a.txt\nindex ce01362..94954ab 100644\n--- a/a.txt\n+++ b/a.txt\n@@ -1 +1,2 @@\n hello\n+world\n"
    );
    let r = c.run("cd /app && rm sub/b.txt && echo new > c.txt && git add a.txt && git status");
    assert_eq!(
        r.out,
        "On branch master\nChanges to be committed:\n  (use \"git restore --staged <file>...\" to unstage)\n\tmodified:   a.txt\n\nChanges not staged for commit:\n  (use \"git add/rm <file>...\" to update what will be committed)\n  (use \"git restore <file>...\" to discard changes in working directory)\n\tdeleted:    sub/b.txt\n\nUntracked files:\n  (use \"git add <file>...\" to include in what will be committed)\n\tc.txt\n\n"
    );
    assert_eq!(
        c.run("cd /app && git status -s").out,
        "M  a.txt\n D sub/b.txt\n?? c.txt\n"
    );
}

#[test]
fn branches_checkout_and_switch() {
    let mut c = alpine_with_git();
    c.run("cd /app && git init -q && git config --global user.name A && git config --global user.email a@b");
    assert!(c.read("/root/.gitconfig").contains("[user]\n\tname = A\n"));
    let r = c.run(
        "cd /app && echo 1 > f && git add . && git commit -q -m one && git checkout -b feature",
    );
    assert_eq!(r.err, "Switched to a new branch 'feature'\n");
    c.run("cd /app && echo 2 > g && git add g && git commit -q -m two");
    assert_eq!(c.run("cd /app && git branch").out, "* feature\n  master\n");
    let r = c.run("cd /app && git switch master");
    assert_eq!(r.err, "Switched to branch 'master'\n");
    assert!(!c.exists("/app/g"));
    let r = c.run("cd /app && git checkout -b feature");
    assert_eq!(
        (r.status, r.err.as_str()),
        (128, "fatal: a branch named 'feature' already exists\n")
    );
    let r = c.run("cd /app && git switch nope");
    assert_eq!(
        (r.status, r.err.as_str()),
        (128, "fatal: invalid reference: nope\n")
    );
    let r = c.run("cd /app && git switch -c f2 && git branch");
    assert_eq!(r.out, "* f2\n  feature\n  master\n");
    c.run("cd /app && git checkout feature");
    assert_eq!(c.read("/app/g"), "2\n");
}

#[test]
fn clone_fails_without_a_network() {
    let mut c = alpine_with_git();
    let r = c.run("cd /app && git clone https://github.com/x/y.git");
    assert_eq!(r.status, 128);
    assert_eq!(
        r.err,
        "Cloning into 'y'...\nfatal: unable to access 'https://github.com/x/y.git/': Could not resolve host: github.com\n"
    );
    assert!(!c.exists("/app/y"));
}

#[test]
fn empty_repository_messages() {
    let mut c = alpine_with_git();
    c.run("cd /app && git init -q");
    let r = c.run("cd /app && git log");
    assert_eq!(
        (r.status, r.err.as_str()),
        (
            128,
            "fatal: your current branch 'master' does not have any commits yet\n"
        )
    );
    let r = c.run("cd /app && git -c user.name=a -c user.email=b commit -m x");
    assert_eq!(r.status, 1);
    assert_eq!(
        r.out,
        "On branch master\n\nInitial commit\n\nnothing to commit (create/copy files and use \"git add\" to track)\n"
    );
    let r = c.run("cd /app && git add nope");
    assert_eq!(
        (r.status, r.err.as_str()),
        (128, "fatal: pathspec 'nope' did not match any files\n")
    );
    let r = c.run("cd /app && echo node_modules > .gitignore && mkdir node_modules && touch node_modules/x && git add node_modules");
    assert_eq!(r.status, 1);
    assert_eq!(
        r.err,
        "The following paths are ignored by one of your .gitignore files:\nnode_modules\nhint: Use -f if you really want to add them.\nhint: Disable this message with \"git config advice.addIgnoredFile false\"\n"
    );
}

#[test]
fn older_gits_leave_a_space_after_empty_hints() {
    let mut c = fixture::ubuntu();
    applets(&c);
    std::fs::write(c.dir.path().join("usr/bin/git"), b"\x7fELF").unwrap();
    let r = c.run("mkdir /r && cd /r && git init");
    assert!(r.err.contains("\nhint: \nhint: \tgit config"), "{}", r.err);
}

#[test]
fn versions_from_dpkg_and_their_usage_lines() {
    let mut c = fixture::ubuntu();
    let root = c.dir.path();
    std::fs::write(root.join("usr/bin/git"), b"\x7fELF").unwrap();
    let status = std::fs::read_to_string(root.join("var/lib/dpkg/status")).unwrap();
    std::fs::write(
        root.join("var/lib/dpkg/status"),
        format!(
            "{status}Package: git\nStatus: install ok installed\nVersion: 1:2.39.5-0+deb12u1\n\n"
        ),
    )
    .unwrap();
    assert_eq!(c.run("git --version").out, "git version 2.39.5\n");
    // 2.39 still listed --super-prefix; 2.46 and later list --no-lazy-fetch.
    assert!(c.run("git help").out.contains("[--super-prefix=<path>]"));
    let mut a = alpine_with_git();
    let help = a.run("git help").out;
    assert!(help.contains("[--no-lazy-fetch]") && !help.contains("super-prefix"));
    assert_eq!(super::upstream_version("2.49.1-r0"), "2.49.1");
    assert_eq!(super::upstream_version("1:2.43.0-1ubuntu7.3"), "2.43.0");
}

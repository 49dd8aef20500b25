//! git installed into an Alpine container, committed into an image, and used there:
//! the version comes from the package the image carries, and a repository made in a
//! container has the commit ids real git computes for the same files, people and time.

use crate::support::Fixture;

fn run(fx: &Fixture, script: &str) -> Vec<crate::support::Record> {
    // The fixture's clock (2026-03-01T12:00:00Z) is when the commits are made.
    let out = fx.docklab(script, &["--jsonl"]);
    assert!(
        out.stderr.is_empty(),
        "script mode wrote to stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn git_installed_and_committed_into_an_image() {
    let fx = Fixture::new();
    let records = run(
        &fx,
        "docker run --name gitbox alpine sh -c 'apk add git'\n\
         docker commit gitbox alpine-git\n\
         docker run --rm alpine-git git --version\n\
         docker run --rm alpine-git sh -c 'mkdir -p /app && cd /app && git init -q && \
         git config user.name \"Ada Lovelace\" && git config user.email ada@example.com && \
         printf \"hello\\n\" > a.txt && git add a.txt && git commit -m first && git log && \
         git log --oneline && git status'\n\
         docker run --rm alpine-git git clone https://github.com/x/y.git\n\
         docker run --rm alpine git --version\n",
    );
    assert_eq!(records.len(), 6);
    assert_eq!(records[0].exit_code, 0, "{}", records[0].stderr);
    assert!(records[0].stdout.contains("Installing git (2.49.1-r0)"));
    assert_eq!(records[1].exit_code, 0);
    assert_eq!(records[2].stdout, "git version 2.49.1\n");
    assert_eq!(records[2].exit_code, 0);
    let repo = &records[3];
    assert_eq!(repo.exit_code, 0, "{}", repo.stderr);
    assert_eq!(repo.stderr, "");
    // 477e256... is what git 2.47 gives `a.txt` = "hello\n" committed by
    // "Ada Lovelace <ada@example.com>" at 2026-03-01T12:00:00Z with message "first".
    assert_eq!(
        repo.stdout,
        "[master (root-commit) 477e256] first\n 1 file changed, 1 insertion(+)\n create mode 100644 a.txt\n\
         commit 477e25659dd1d8257eb451b8bc10434212998fb5\nAuthor: Ada Lovelace <ada@example.com>\n\
         Date:   Sun Mar 1 12:00:00 2026 +0000\n\n    first\n\
         477e256 first\n\
         On branch master\nnothing to commit, working tree clean\n"
    );
    assert_eq!(records[4].exit_code, 128);
    assert_eq!(
        records[4].stderr,
        "Cloning into 'y'...\nfatal: unable to access 'https://github.com/x/y.git/': Could not resolve host: github.com\n"
    );
    // Plain alpine has no git at all.
    assert_eq!(records[5].exit_code, 127);
}

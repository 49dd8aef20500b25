//! No typed command may panic or hang the lab: random command lines, built from the
//! words students actually type and the punctuation they mistype, run through one lab.

use docklab::app::lab::{Lab, Mode};
use docklab::app::options::{BackendKind, Settings};
use docklab::engine::clock::Clock;
use docklab::engine::streams::Streams;
use proptest::prelude::*;

const WORDS: &[&str] = &[
    "docker",
    "images",
    "image",
    "ls",
    "pull",
    "tag",
    "rmi",
    "rm",
    "run",
    "ps",
    "search",
    "history",
    "inspect",
    "version",
    "info",
    "-a",
    "-q",
    "-f",
    "--force",
    "--format",
    "{{.ID}}",
    "{{json .}}",
    "{{.Foo}}",
    "{{",
    "table",
    "--filter",
    "reference=*",
    "dangling=true",
    "--no-trunc",
    "-it",
    "--rm",
    "--name",
    "x",
    "-e",
    "A=1",
    "-p",
    "hello-world",
    "alpine:3.13",
    "Ubuntu",
    "ubuntu:bad:tag",
    "nosuch",
    "sha256:",
    "@",
    "localhost:5000/app",
    "quay.io/coreos/etcd",
    "''",
    "\"",
    "'",
    "|",
    "&&",
    "||",
    ";",
    "$(",
    ")",
    "`",
    "$x",
    "${x:-y}",
    "*",
    "?",
    "[",
    "]",
    ">",
    ">>",
    "<",
    "2>&1",
    "..",
    "/",
    "~",
    "echo",
    "cat",
    "cd",
    "mkdir",
    "-p",
    "grep",
    "sed",
    "s/a/b/",
    "wc",
    "-l",
    "\\",
    "#",
    "if",
    "then",
    "fi",
    "for",
    "do",
    "done",
    "while",
    "case",
    "esac",
    "{",
    "}",
    "$((",
    "1/0",
    "))",
    "exit",
    "-h",
    "--help",
    "--",
    "-",
    "=",
    "build",
    "cp",
    "commit",
    "diff",
    "logs",
    "start",
    "-ai",
    "box",
    "box:/",
    "box:/etc",
    ".",
    "Dockerfile",
    "x:1",
    "--no-cache",
    "dive",
    "whaler",
    "printf",
    "'FROM alpine:3.13\\nRUN true\\n'",
    ">Dockerfile",
    "DOCKER_BUILDKIT=1",
    "--progress=plain",
    "apk",
    "add",
];

fn lab(dir: &std::path::Path) -> Lab {
    Lab::open(
        &Settings {
            state_dir: dir.join("state"),
            workspace: dir.join("workspace"),
            seed: Some(7),
            clock: Clock::parse_fixed("2026-03-01T12:00:00Z").unwrap(),
            backend: BackendKind::Embedded,
        },
        Mode::Script,
    )
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_command_lines_never_panic(lines in prop::collection::vec(
        prop::collection::vec(prop::sample::select(WORDS), 1..8), 1..6)
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut lab = lab(dir.path());
        for words in lines {
            let line = format!("{}\n", words.join(" "));
            let mut out = Vec::new();
            let mut err = Vec::new();
            // `while` with no end and `exit` are fine; a panic fails the test.
            if line.contains("while") {
                continue;
            }
            let status = lab.execute(&line, Streams::new(&[], &mut out, &mut err));
            prop_assert!((0..=255).contains(&status), "status {} for {:?}", status, line);
            if lab.has_exited().is_some() {
                break;
            }
        }
    }
}

#[test]
fn a_detached_container_that_never_stops_computing_runs_in_the_background() {
    let dir = tempfile::tempdir().unwrap();
    let mut lab = lab(dir.path());
    let mut run = |line: &str| {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let status = lab.execute(line, Streams::new(&[], &mut out, &mut err));
        (status, String::from_utf8_lossy(&out).into_owned())
    };
    let (status, _) = run("docker run -d --name busy alpine sh -c 'while true; do :; done'\n");
    assert_eq!(status, 0);
    let (_, ps) = run("docker ps --format '{{.Names}} {{.State}}'\n");
    assert_eq!(ps, "busy running\n");
    let (status, _) = run("docker stop busy\n");
    assert_eq!(status, 0);
    let (_, ps) = run("docker ps -a --format '{{.Names}} {{.Status}}'\n");
    assert!(ps.starts_with("busy Exited (137)"), "{ps}");
}

//! `undo` and `reset` in a lesson: what they put back (images, containers, ports,
//! files), what they keep (edits made since the last command), and that a reset
//! survives leaving the lab.

use docklab::app::lab::{Lab, Mode};
use docklab::app::options::{BackendKind, Settings};
use docklab::app::session::Session;
use docklab::engine::clock::Clock;
use docklab::engine::streams::Streams;
use std::path::Path;

const LESSON: &str = r#"
format: 1
id: undo-demo
title: Undo demo
summary: An exercise to undo things in.
estimated_minutes: 1
steps:
  - text: |
      Read this first.
  - exercise:
      id: tagged
      title: Tag hello-world as mine:1
      goal: Tag the image.
      hints: ["`docker tag`"]
      solution:
        commands: [docker tag hello-world mine:1]
      checks:
        - image_exists: mine:1
      mistakes:
        - name: wrong tag
          commands: [docker tag hello-world mine:2]
        - name: nothing
          commands: [docker images]
"#;

fn session(home: &Path) -> Session {
    let lesson = docklab::lesson::parse(LESSON, "undo-demo.yaml").unwrap();
    let settings = Settings {
        state_dir: home.join("engine"),
        workspace: home.join("workspace"),
        seed: Some(7),
        clock: Clock::parse_fixed("2026-03-01T12:00:00Z").unwrap(),
        backend: BackendKind::Embedded,
    };
    let lab = Lab::open(&settings, Mode::Script).unwrap();
    let (mut session, note) = Session::new(lesson, lab, &home.join("progress"));
    assert!(note.is_none());
    session.prepare(&mut Vec::new()).unwrap();
    session.show_step(&mut Vec::new()).unwrap();
    session
}

/// Runs one input and returns what it printed.
fn type_in(session: &mut Session, input: &str) -> String {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    session.handle(&format!("{input}\n"), Streams::new(&[], &mut out, &mut err));
    String::from_utf8_lossy(&out).into_owned() + &String::from_utf8_lossy(&err)
}

fn tags(session: &mut Session) -> String {
    type_in(session, "docker images --format '{{.Repository}}:{{.Tag}}'")
}

#[test]
fn undo_puts_back_the_engine_and_the_files_one_command_at_a_time() {
    let home = tempfile::tempdir().unwrap();
    let mut s = session(home.path());
    assert_eq!(type_in(&mut s, "undo"), "There is nothing to undo.\n");
    type_in(&mut s, "docker pull -q hello-world");
    type_in(&mut s, "echo 'FROM hello-world' > Dockerfile");
    type_in(&mut s, "docker build -q -t built .");
    assert_eq!(tags(&mut s), "built:latest\nhello-world:latest\n");
    // Commands that change nothing are not undone: `undo` skips past them.
    type_in(&mut s, "docker ps -a");
    type_in(&mut s, "cat Dockerfile");

    let out = type_in(&mut s, "undo");
    assert_eq!(out, "Undone: docker build -q -t built .\n");
    assert_eq!(tags(&mut s), "hello-world:latest\n");
    assert!(home.path().join("workspace/Dockerfile").exists());

    assert_eq!(
        type_in(&mut s, "undo"),
        "Undone: echo 'FROM hello-world' > Dockerfile\n"
    );
    assert!(!home.path().join("workspace/Dockerfile").exists());
    assert_eq!(
        type_in(&mut s, "undo"),
        "Undone: docker pull -q hello-world\n"
    );
    assert_eq!(tags(&mut s), "");
    assert_eq!(type_in(&mut s, "undo"), "There is nothing to undo.\n");
    // The undone commands no longer count for the checks' transcript.
    assert!(
        s.lab
            .transcript()
            .iter()
            .all(|e| !e.command.contains("build"))
    );
    // ...but the lesson's record keeps everything, undos included.
    let record = std::fs::read_to_string(home.path().join("transcripts/undo-demo.jsonl")).unwrap();
    assert_eq!(
        record
            .lines()
            .filter(|l| l.starts_with(r#"{"command":"undo""#))
            .count(),
        3,
        "{record}"
    );
}

#[test]
fn undo_keeps_edits_made_since_the_last_command() {
    let home = tempfile::tempdir().unwrap();
    let ws = home.path().join("workspace");
    let mut s = session(home.path());
    std::fs::write(ws.join("notes.txt"), "mine\n").unwrap();
    type_in(&mut s, "echo made > made.txt");
    type_in(&mut s, "echo 'by the lab' >> notes.txt");
    // The student edits a file in their editor, and writes a new one.
    std::fs::write(ws.join("made.txt"), "edited in an editor\n").unwrap();
    let out = type_in(&mut s, "undo");
    assert_eq!(
        out,
        "Undone: echo 'by the lab' >> notes.txt\nKept as you left them (edited since that command): made.txt\n"
    );
    assert_eq!(
        std::fs::read_to_string(ws.join("notes.txt")).unwrap(),
        "mine\n"
    );
    assert_eq!(
        std::fs::read_to_string(ws.join("made.txt")).unwrap(),
        "edited in an editor\n"
    );
}

#[test]
fn undo_closes_and_reopens_published_ports() {
    let home = tempfile::tempdir().unwrap();
    let mut s = session(home.path());
    type_in(&mut s, "docker run -d --name web -p 8080:80 nginx");
    assert!(type_in(&mut s, "curl -s localhost:8080").contains("Welcome to nginx!"));
    type_in(&mut s, "docker tag nginx web:1");
    type_in(&mut s, "undo");
    // The container the undo did not touch still serves.
    assert!(type_in(&mut s, "curl -s localhost:8080").contains("Welcome to nginx!"));
    assert_eq!(
        type_in(&mut s, "undo"),
        "Undone: docker run -d --name web -p 8080:80 nginx\n"
    );
    assert_eq!(type_in(&mut s, "docker ps -aq"), "");
    type_in(&mut s, "curl -s localhost:8080");
    assert_eq!(s.lab.transcript().last().unwrap().exit_code, 7);
}

#[test]
fn reset_restores_the_exercise_start_even_in_a_later_session_and_can_be_undone() {
    let home = tempfile::tempdir().unwrap();
    {
        let mut s = session(home.path());
        assert_eq!(
            type_in(&mut s, "reset"),
            "There is no exercise on this step to reset.\n"
        );
        type_in(&mut s, "docker pull -q hello-world");
        // The exercise starts here, with hello-world present.
        type_in(&mut s, "next");
        let out = type_in(&mut s, "docker tag hello-world mine:1");
        assert!(out.contains("✔ Done: Tag hello-world as mine:1"), "{out}");
        type_in(&mut s, "docker tag hello-world mine:2");
    }
    // A new session, as after leaving the lab: the undo marks are gone, the
    // exercise's start is not.
    let mut s = session(home.path());
    assert_eq!(type_in(&mut s, "undo"), "There is nothing to undo.\n");
    let out = type_in(&mut s, "reset");
    assert!(
        out.starts_with("Tag hello-world as mine:1 is back as it was"),
        "{out}"
    );
    assert_eq!(tags(&mut s), "hello-world:latest\n");
    assert!(!s.progress.done.contains(&"tagged".to_string()));
    let out = type_in(&mut s, "undo");
    assert!(out.starts_with("Undone: reset\n"), "{out}");
    assert!(out.contains("✔ Done: Tag hello-world as mine:1"), "{out}");
    assert_eq!(tags(&mut s), "hello-world:latest\nmine:1\nmine:2\n");
}

#[test]
fn a_later_session_sees_the_earlier_commands_less_the_undone_ones() {
    let home = tempfile::tempdir().unwrap();
    {
        let mut s = session(home.path());
        type_in(&mut s, "touch kept");
        type_in(&mut s, "touch undone");
        type_in(&mut s, "ls");
        assert_eq!(type_in(&mut s, "undo"), "Undone: touch undone\n");
    }
    let s = session(home.path());
    let commands: Vec<&str> = s
        .lab
        .transcript()
        .iter()
        .map(|e| e.command.as_str())
        .collect();
    assert_eq!(commands, ["touch kept", "ls"]);
}

#[test]
fn the_transcript_carries_what_was_edited_outside_the_lab() {
    let home = tempfile::tempdir().unwrap();
    let ws = home.path().join("workspace");
    let mut s = session(home.path());
    type_in(&mut s, "echo lab > by-lab.txt");
    // Edited in an editor between two commands: a new file, and one removed.
    std::fs::write(ws.join("Dockerfile"), "FROM hello-world\n").unwrap();
    std::fs::remove_file(ws.join("by-lab.txt")).unwrap();
    type_in(&mut s, "ls");
    type_in(&mut s, "undo");
    type_in(&mut s, "ls");
    let record = std::fs::read_to_string(home.path().join("transcripts/undo-demo.jsonl")).unwrap();
    let entries: Vec<docklab::check::TranscriptEntry> = record
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let edits: Vec<(&str, usize)> = entries
        .iter()
        .map(|e| (e.command.as_str(), e.edits.len()))
        .collect();
    // The lab's own changes (the echo, the undo) are not edits.
    assert_eq!(
        edits,
        [
            ("echo lab > by-lab.txt", 0),
            ("ls", 2),
            ("undo", 0),
            ("ls", 0)
        ]
    );
    assert_eq!(
        entries[1].edits["Dockerfile"].as_deref(),
        Some("FROM hello-world\n")
    );
    assert_eq!(entries[1].edits["by-lab.txt"], None);
}

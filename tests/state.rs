//! The state directory: damage is reported, never silently repaired, and a damaged
//! state loses nothing of what was there.

use crate::support::Fixture;

#[test]
fn a_corrupted_engine_state_is_reported_and_left_in_place() {
    let lab = Fixture::new();
    let first = lab.docklab("docker images\n", &[]);
    assert!(first.status.success());
    let state_file = lab.state().join("engine.json");
    std::fs::write(&state_file, b"{ this is not json").unwrap();
    let out = lab.docklab("docker images\n", &[]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("engine.json"), "{stderr}");
    assert!(stderr.contains("damaged"), "{stderr}");
    // Nothing was overwritten.
    assert_eq!(std::fs::read(&state_file).unwrap(), b"{ this is not json");
}

#[test]
fn an_unreadable_state_directory_is_an_error_not_a_panic() {
    let lab = Fixture::new();
    // A file where the state directory should be.
    std::fs::write(lab.state(), b"not a directory").unwrap();
    let out = lab.docklab("docker images\n", &[]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("state directory"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_missing_script_is_a_clear_error() {
    let lab = Fixture::new();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_docklab"))
        .args(["sandbox", "--script"])
        .arg(lab.dir.path().join("nope.txt"))
        .arg("--state")
        .arg(lab.state())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
}

#[test]
fn a_bad_clock_is_rejected_with_an_example() {
    let lab = Fixture::new();
    std::fs::write(lab.dir.path().join("s.txt"), "true\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_docklab"))
        .args(["sandbox", "--script"])
        .arg(lab.dir.path().join("s.txt"))
        .arg("--state")
        .arg(lab.state())
        .env("DOCKLAB_CLOCK", "yesterday")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("RFC 3339"));
}

#[test]
fn two_labs_never_share_a_state_directory() {
    let lab = Fixture::new();
    let settings = docklab::app::options::Settings {
        state_dir: lab.state(),
        workspace: lab.workspace(),
        seed: Some(1),
        clock: docklab::engine::clock::Clock::System,
        backend: docklab::app::options::BackendKind::Embedded,
    };
    let first = docklab::app::lab::Lab::open(&settings, docklab::app::lab::Mode::Script).unwrap();
    let out = lab.docklab("docker images\n", &[]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("in use by another docklab"), "{stderr}");
    assert!(stderr.contains(&std::process::id().to_string()), "{stderr}");
    drop(first);
    // Once the first lab is gone, the directory is free again.
    assert!(lab.docklab("docker images\n", &[]).status.success());
}

#[test]
fn restart_policies_decide_what_comes_back_when_the_lab_starts_again() {
    let lab = Fixture::new();
    let first = lab.transcript(
        "docker run -d --restart=always -p 8080:80 --name web nginx\n\
         docker run -d --name plain alpine sleep 1000\n\
         docker run -d --restart unless-stopped --name kept alpine sleep 1000\n\
         docker run -d --restart unless-stopped --name stopped alpine sleep 1000\n\
         docker stop stopped\n",
    );
    assert!(!first.contains("Error"), "{first}");
    let again = lab.transcript(
        "docker ps -a --format '{{.Names}} {{.Status}}'\n\
         curl -s localhost:8080\n",
    );
    assert!(again.contains("web Up"), "{again}");
    assert!(again.contains("kept Up"), "{again}");
    assert!(again.contains("plain Exited (137)"), "{again}");
    assert!(again.contains("stopped Exited (137)"), "{again}");
    // The restarted nginx serves again, on whichever port the host had free.
    assert!(
        again.contains("<title>Welcome to nginx!</title>"),
        "{again}"
    );
}

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
        clock: docklab::engine::clock::Clock::system(),
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

/// A lab killed in the middle of `docker commit` leaves a state that opens, and every
/// image it lists is whole: its layer is there and a container runs from it.
#[test]
fn a_lab_killed_mid_commit_reopens_consistent() {
    let lab = Fixture::new();
    std::fs::create_dir_all(lab.workspace()).unwrap();
    let body: Vec<u8> = (0..12_000_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(lab.workspace().join("big.bin"), &body).unwrap();
    let setup = lab.docklab(
        "docker pull alpine:3.13\ndocker create --name big alpine:3.13 true\ndocker cp -q big.bin big:/big.bin\n",
        &[],
    );
    assert!(setup.status.success(), "{setup:?}");

    let script = lab.dir.path().join("commits.txt");
    let commits: String = (0..6)
        .map(|n| format!("docker commit big img{n}\n"))
        .collect();
    std::fs::write(&script, commits).unwrap();
    for delay_ms in [30, 90, 200, 400] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_docklab"))
            .args(["sandbox", "--script"])
            .arg(&script)
            .arg("--state")
            .arg(lab.state())
            .arg("--workspace")
            .arg(lab.workspace())
            .env_remove("DOCKLAB_HOME")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();

        let listed = lab.records("docker images --format '{{.Repository}}'\ndocker diff big\n");
        assert_eq!(listed[0].exit_code, 0, "{:?}", listed[0]);
        assert!(!listed[0].stderr.contains("damaged"), "{:?}", listed[0]);
        assert_eq!(
            listed[1].stdout, "A /big.bin\n",
            "the container lost its layer"
        );
        for image in listed[0].stdout.lines().filter(|i| i.starts_with("img")) {
            let check = lab.records(&format!("docker run --rm {image} ls -l /big.bin\n"));
            assert_eq!(check[0].exit_code, 0, "{image}: {:?}", check[0]);
            assert!(
                check[0].stdout.contains("12000000"),
                "{image}: {:?}",
                check[0]
            );
        }
    }
}

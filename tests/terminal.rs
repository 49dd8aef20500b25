//! The REPL at a real terminal, driven through tmux: keys typed, the screen read back.
//! Skips, saying why, where tmux is not installed.

use crate::support::Fixture;
use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux {
    socket: String,
}

impl Tmux {
    /// A private tmux server running the lab REPL on `lab`'s directories.
    fn start(lab: &Fixture, name: &str) -> Option<Tmux> {
        let command = format!(
            "{} sandbox --state {} --workspace {}",
            env!("CARGO_BIN_EXE_docklab"),
            lab.state().display(),
            lab.workspace().display()
        );
        let tmux = Tmux::run(&command, name, lab)?;
        tmux.wait_for("lab:~$");
        Some(tmux)
    }

    /// A private tmux server running `command`, with `lab`'s directory as DOCKLAB_HOME.
    fn run(command: &str, name: &str, lab: &Fixture) -> Option<Tmux> {
        Tmux::run_sized(command, name, lab, (160, 50))
    }

    /// The same, in a window of `columns` by `rows`.
    fn run_sized(
        command: &str,
        name: &str,
        lab: &Fixture,
        (columns, rows): (u16, u16),
    ) -> Option<Tmux> {
        if Command::new("tmux").arg("-V").output().is_err() {
            eprintln!("skipping: tmux is not installed (the CI installs it)");
            return None;
        }
        let socket = format!("docklab-{name}-{}", std::process::id());
        let ok = Command::new("tmux")
            .args(["-L", &socket, "new-session", "-d"])
            .args(["-x", &columns.to_string(), "-y", &rows.to_string()])
            .arg(format!(
                "env NO_COLOR=1 DOCKLAB_HOME={} {command}",
                lab.dir.path().join("home").display()
            ))
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "tmux could not start a session");
        Some(Tmux { socket })
    }

    fn send(&self, keys: &[&str]) {
        let status = Command::new("tmux")
            .args(["-L", &self.socket, "send-keys"])
            .args(keys)
            .status()
            .unwrap();
        assert!(status.success());
    }

    fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p", "-J", "-S", "-200"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits (up to a generous limit, for slow machines) until `text` is on screen
    /// `count` times.
    fn wait_count(&self, text: &str, count: usize) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.matches(text).count() >= count {
                return screen;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "never saw {text:?} {count} times on screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn wait_for(&self, text: &str) -> String {
        self.wait_count(text, 1)
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        // The session may have ended with the lab already.
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .stderr(std::process::Stdio::null())
            .status();
    }
}

/// A port nobody listens on right now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn an_attached_nginx_serves_the_host_logs_each_request_and_stops_on_ctrl_c() {
    let lab = Fixture::new();
    let Some(tmux) = Tmux::start(&lab, "nginx") else {
        return;
    };
    let port = free_port();
    tmux.send(&[
        &format!("docker run --name web -p {port}:80 nginx"),
        "Enter",
    ]);
    tmux.wait_for("start worker process 29");
    // The interactive lab publishes on the port asked for, so anything on this machine
    // reaches it.
    use std::io::{Read, Write};
    let mut conn = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    conn.write_all(b"GET /nothing-here HTTP/1.1\r\nHost: localhost\r\nUser-Agent: tmux-test\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut reply = String::new();
    conn.read_to_string(&mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.1 404 Not Found\r\n"), "{reply}");
    tmux.wait_for("\"GET /nothing-here HTTP/1.1\" 404 153 \"-\" \"tmux-test\" \"-\"");
    // Ctrl-C stops the container, not the lab; nginx's goodbye is shown.
    tmux.send(&["C-c"]);
    tmux.wait_count("lab:~$", 2);
    tmux.wait_for("[notice] 1#1: exit");
    // The Ctrl-C reached nginx as SIGINT, as the CLI's signal proxy passes it on.
    tmux.wait_for("signal 2 (SIGINT) received, exiting");
    tmux.send(&["docker ps -a --format '{{.Names}}: {{.Status}}'", "Enter"]);
    tmux.wait_for("web: Exited (0)");
    tmux.send(&["docker logs web", "Enter"]);
    tmux.wait_count("\"GET /nothing-here HTTP/1.1\" 404", 2);
    tmux.send(&["exit", "Enter"]);
}

#[test]
fn docker_logs_follow_runs_until_ctrl_c() {
    let lab = Fixture::new();
    let Some(tmux) = Tmux::start(&lab, "logs") else {
        return;
    };
    tmux.send(&[
        "docker run -d --name talker alpine sh -c 'echo first; sleep 1000'",
        "Enter",
    ]);
    tmux.wait_count("lab:~$", 2);
    tmux.send(&["docker logs -f talker", "Enter"]);
    tmux.wait_for("first");
    std::thread::sleep(Duration::from_millis(300));
    // Still following: no new prompt until Ctrl-C.
    assert_eq!(tmux.screen().matches("lab:~$").count(), 2);
    tmux.send(&["C-c"]);
    tmux.wait_count("lab:~$", 3);
    tmux.send(&["echo the lab is still here", "Enter"]);
    tmux.wait_for("the lab is still here\n");
    tmux.send(&["exit", "Enter"]);
}

#[test]
fn bare_docklab_offers_the_lessons_and_starts_the_one_picked() {
    let lab = Fixture::new();
    let Some(tmux) = Tmux::run(env!("CARGO_BIN_EXE_docklab"), "picker", &lab) else {
        return;
    };
    let screen = tmux.wait_for("Enter for the sandbox");
    assert!(screen.contains(" 1  Images and containers"), "{screen}");
    assert!(screen.contains(" 7  Registries"), "{screen}");
    tmux.send(&["1", "Enter"]);
    tmux.wait_for("Lesson words:");
    tmux.send(&["docker images", "Enter"]);
    tmux.wait_for("REPOSITORY   TAG       IMAGE ID");
    tmux.send(&["exit", "Enter"]);
}

#[test]
fn a_lesson_at_80_columns_completes_its_words_checks_and_undoes() {
    let lab = Fixture::new();
    let command = format!("{} start 1", env!("CARGO_BIN_EXE_docklab"));
    let Some(tmux) = Tmux::run_sized(&command, "lesson", &lab, (80, 24)) else {
        return;
    };
    tmux.wait_for("Lesson words:");
    tmux.send(&["next", "Enter"]);
    // The step's header is written before its text: wait for the text itself.
    let screen = tmux.wait_for("    docker run hello-world");
    assert!(screen.contains("[2/7] Images and containers"), "{screen}");
    // capture-pane -J joins lines the terminal wrapped: none may be wider than it.
    for line in screen.lines().filter(|l| !l.starts_with("Workspace: ")) {
        assert!(line.chars().count() <= 80, "{line:?}\n{screen}");
    }
    tmux.send(&["next", "Enter"]);
    tmux.wait_for("Exercise: Run hello-world");
    // Lesson words complete like commands do.
    tmux.send(&["hi", "Tab"]);
    tmux.send(&["Enter"]);
    tmux.wait_for("Hint 1/2:");
    tmux.send(&["docker run hello-world", "Enter"]);
    tmux.wait_for("✔ Done: Run hello-world");
    tmux.send(&["und", "Tab"]);
    tmux.send(&["Enter"]);
    tmux.wait_for("Undone: docker run hello-world");
    tmux.send(&["check", "Enter"]);
    tmux.wait_for("✘ there is no image hello-world; the exercise wants one");
    tmux.send(&["exit", "Enter"]);
}

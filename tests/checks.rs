//! Every check kind against a real (embedded) engine: what passes, what fails, and the
//! sentence a failure is explained with.

use docklab::app::dev::{Scratch, run_commands};
use docklab::check::Check;

fn lab(commands: &[&str]) -> Scratch {
    let mut scratch = Scratch::new().unwrap();
    let commands: Vec<String> = commands.iter().map(|c| c.to_string()).collect();
    let failures = run_commands(&mut scratch.lab, &commands);
    assert!(failures.is_empty(), "{failures:?}");
    scratch
}

fn check(yaml: &str) -> Check {
    serde_yaml::from_str(yaml).unwrap()
}

/// (passed, message) of `yaml` on `scratch`.
fn verdict(scratch: &mut Scratch, yaml: &str) -> (bool, String) {
    let outcome = scratch.lab.evaluate(&check(yaml));
    (outcome.passed, outcome.message)
}

/// Asserts that `yaml` fails on `scratch`, explained by `message`.
fn fails_with(scratch: &mut Scratch, yaml: &str, message: &str) {
    assert_eq!(verdict(scratch, yaml), (false, message.to_string()));
}

#[test]
fn image_configuration_fields() {
    let mut s = lab(&[
        "cat > Dockerfile <<'EOF'\nFROM alpine:latest\nENV MODE=fast\nLABEL team=blue\nEXPOSE 80\nUSER nobody\nWORKDIR /srv\nCMD [\"sh\"]\nEOF",
        "docker build -q -t cfg .",
    ]);
    let all = "image_config: { image: cfg, cmd: [sh], workdir: /srv, env: [MODE=fast], exposed_ports: [80/tcp], user: nobody, labels: { team: blue } }";
    let (passed, message) = verdict(&mut s, all);
    assert!(passed, "{message}");
    fails_with(
        &mut s,
        "image_config: { image: cfg, env: [MODE=slow] }",
        "cfg's environment lacks MODE=slow; the exercise wants it",
    );
    fails_with(
        &mut s,
        "image_config: { image: cfg, labels: { team: red } }",
        "cfg's label team is \"blue\"; the exercise wants \"red\"",
    );
    fails_with(
        &mut s,
        "image_config: { image: cfg, user: root }",
        "cfg's user is \"nobody\"; the exercise wants \"root\"",
    );
    fails_with(
        &mut s,
        "image_config: { image: nope }",
        "there is no image nope",
    );
}

#[test]
fn files_in_images_with_modes_and_content() {
    let mut s = lab(&[
        "printf '#!/bin/sh\\necho hi\\n' > run.sh",
        "chmod 755 run.sh",
        "cat > Dockerfile <<'EOF'\nFROM alpine:latest\nCOPY run.sh /app/run.sh\nRUN rm /etc/motd\nEOF",
        "docker build -q -t files .",
    ]);
    assert!(
        verdict(
            &mut s,
            "image_file: { image: files, path: /app/run.sh, mode: '755', content: 'echo hi' }"
        )
        .0
    );
    fails_with(
        &mut s,
        "image_file: { image: files, path: /app/run.sh, mode: '644' }",
        "/app/run.sh in files has mode 755; the exercise wants 644",
    );
    // A file a later layer deletes is gone.
    assert!(verdict(&mut s, "image_file: { image: alpine, path: /etc/motd }").0);
    fails_with(
        &mut s,
        "image_file: { image: files, path: /etc/motd }",
        "files has no file /etc/motd; the exercise wants one",
    );
}

#[test]
fn transcript_checks_and_combinators() {
    let mut s = lab(&["docker pull -q alpine", "docker tag alpine mine:1"]);
    let _ = run_commands(&mut s.lab, &["docker push nowhere:5/x".to_string()]);
    assert!(verdict(&mut s, "command_ran: 'docker tag'").0);
    // A command that failed does not count as run.
    fails_with(
        &mut s,
        "command_ran: 'docker push'",
        "no successful command matches /docker push/; the exercise wants one",
    );
    fails_with(
        &mut s,
        "command_not_used: 'docker push'",
        "`docker push nowhere:5/x` was used; the exercise wants no command matching /docker push/",
    );
    assert!(verdict(&mut s, "command_order: { first: 'pull', then: 'tag' }").0);
    fails_with(
        &mut s,
        "command_order: { first: 'tag', then: 'pull' }",
        "`docker pull -q alpine` came first; the exercise wants /tag/ before it",
    );
    assert!(
        verdict(
            &mut s,
            "all: [ { image_exists: 'mine:1' }, { same_image: ['mine:1', alpine] } ]"
        )
        .0
    );
    assert!(
        verdict(
            &mut s,
            "any: [ { image_exists: nope }, { image_absent: nope } ]"
        )
        .0
    );
    let (passed, message) = verdict(&mut s, "not: { image_exists: 'mine:1' }");
    assert!(!passed);
    assert_eq!(
        message,
        "the image mine:1 exists, which the exercise does not want"
    );
    // A check's own hint travels out of the combinator it failed in.
    let outcome = s.lab.evaluate(&check(
        "all: [ { image_exists: alpine }, { image_exists: nope, hint: pull it } ]",
    ));
    assert_eq!(outcome.hint.as_deref(), Some("pull it"));
}

#[test]
fn container_diff_equals_shows_a_diff() {
    let mut s = lab(&["docker run --name box alpine touch /tmp/new"]);
    let yaml = "container_diff: { container: { name: box }, equals: [C /tmp, A /tmp/new] }";
    assert!(verdict(&mut s, yaml).0, "{}", verdict(&mut s, yaml).1);
    let outcome = s.lab.evaluate(&check(
        "container_diff: { container: { name: box }, equals: [A /tmp/other] }",
    ));
    assert!(!outcome.passed);
    assert_eq!(
        outcome.message,
        "docker diff box shows 2 lines; the exercise wants exactly 1"
    );
    let diff = outcome.diff.unwrap();
    assert!(
        diff.contains("- A /tmp/new") && diff.contains("+ A /tmp/other"),
        "{diff}"
    );
    fails_with(
        &mut s,
        "container: { name: box, state: running }",
        "the container box is exited; the exercise wants it running",
    );
}

#[test]
fn a_malformed_check_fails_instead_of_panicking() {
    let mut s = lab(&[]);
    let (passed, message) = verdict(&mut s, "hint: only a hint");
    assert!(!passed);
    assert!(message.contains("names 0 kinds"), "{message}");
    let (passed, _) = verdict(&mut s, "command_ran: '(unclosed'");
    assert!(!passed);
    fails_with(
        &mut s,
        "workspace_file: { path: ../outside }",
        "../outside is outside the workspace",
    );
}

#[test]
fn volumes_their_files_and_the_containers_that_mount_them() {
    let mut s = lab(&[
        "docker volume create notes",
        "docker run --name writer -v notes:/data alpine sh -c 'echo first > /data/note.txt'",
        // The second container's write lands in the volume, not in its own layer.
        "docker run --name second -v notes:/srv alpine sh -c 'echo second > /srv/note.txt'",
        "docker volume create spare",
    ]);
    let (passed, message) = verdict(
        &mut s,
        "volume: { name: notes, used_by: writer, file: note.txt, contains: second }",
    );
    assert!(passed, "{message}");
    assert_eq!(message, "the volume notes holds note.txt matching /second/");
    fails_with(
        &mut s,
        "volume: { name: notes, file: note.txt, contains: first }",
        "note.txt in the volume notes does not match /first/",
    );
    fails_with(
        &mut s,
        "volume: { name: notes, file: other.txt }",
        "the volume notes has no file other.txt; the exercise wants one",
    );
    fails_with(
        &mut s,
        "volume: { name: spare, used_by: writer }",
        "the container writer does not mount the volume spare; the exercise wants it to (-v spare:PATH)",
    );
    fails_with(
        &mut s,
        "volume: { name: spare, file: x }",
        "no container mounts the volume spare, so its file x cannot be read; keep one that mounts it (docker run without --rm)",
    );
    fails_with(
        &mut s,
        "volume: { name: gone }",
        "there is no volume gone; the exercise wants one",
    );
    assert!(verdict(&mut s, "volume: { name: gone, exists: false }").0);
    fails_with(
        &mut s,
        "volume: { name: spare, exists: false }",
        "the volume spare is still there; the exercise wants it removed",
    );
    assert!(
        verdict(
            &mut s,
            "container: { name: writer, mounts: ['notes:/data:rw'] }"
        )
        .0
    );
    fails_with(
        &mut s,
        "container: { name: writer, mounts: ['spare:/data'] }",
        "the container writer has the volume notes at /data; the exercise wants -v spare:/data",
    );
}

#[test]
fn bind_mounts_of_workspace_directories() {
    let mut s = lab(&[
        "mkdir site",
        "echo hi > site/index.html",
        "docker run -d --name web -v \"$PWD\"/site:/usr/share/nginx/html:ro nginx",
        "docker run -d --name rw -v \"$PWD\"/site:/usr/share/nginx/html nginx",
    ]);
    let (passed, message) = verdict(
        &mut s,
        "container: { name: web, mounts: ['./site:/usr/share/nginx/html:ro'] }",
    );
    assert!(passed, "{message}");
    fails_with(
        &mut s,
        "container: { name: rw, mounts: ['./site:/usr/share/nginx/html:ro'] }",
        "the container rw's mount at /usr/share/nginx/html is writable; the exercise wants it read-only (:ro)",
    );
    let (passed, message) = verdict(
        &mut s,
        "container: { name: web, mounts: ['./other:/usr/share/nginx/html'] }",
    );
    assert!(!passed);
    assert!(
        message.starts_with("the container web has the host directory "),
        "{message}"
    );
    fails_with(
        &mut s,
        "container: { name: web, mounts: ['./site:/srv'] }",
        "the container web has nothing mounted at /srv; the exercise wants -v ./site:/srv",
    );
}

#[test]
fn networks_their_members_and_aliases() {
    let mut s = lab(&[
        "docker network create appnet",
        "docker run -d --name api --network appnet --network-alias backend nginx",
        "docker run -d --name legacy nginx",
        "docker network connect --alias web appnet legacy",
        "docker run -d --name stray nginx",
    ]);
    let yaml = "network: { name: appnet, driver: bridge, containers: [api, legacy], not_containers: [stray], aliases: { api: [backend], legacy: [web] } }";
    let (passed, message) = verdict(&mut s, yaml);
    assert!(passed, "{message}");
    fails_with(
        &mut s,
        "network: { name: appnet, containers: [stray] }",
        "the container stray is not attached to the network appnet; the exercise wants it to be",
    );
    fails_with(
        &mut s,
        "network: { name: appnet, containers: [ghost] }",
        "there is no container ghost; the exercise wants one attached to the network appnet",
    );
    fails_with(
        &mut s,
        "network: { name: appnet, aliases: { legacy: [backend] } }",
        "the container legacy does not answer to backend on the network appnet; the exercise wants it to (--network-alias backend)",
    );
    fails_with(
        &mut s,
        "network: { name: bridge, not_containers: [legacy] }",
        "the container legacy is attached to the network bridge; the exercise wants it not to be",
    );
    let _ = run_commands(
        &mut s.lab,
        &[
            "docker network disconnect appnet legacy".to_string(),
            "docker network create oldnet".to_string(),
        ],
    );
    assert!(
        verdict(
            &mut s,
            "network: { name: appnet, not_containers: [legacy] }"
        )
        .0
    );
    assert!(verdict(&mut s, "network: { name: nonet, exists: false }").0);
    fails_with(
        &mut s,
        "network: { name: oldnet, exists: false }",
        "the network oldnet is still there; the exercise wants it removed",
    );
}

#[test]
fn compose_projects_by_their_labels() {
    let mut s = lab(&[
        "mkdir shop",
        "cat > shop/compose.yaml <<'EOF'\nservices:\n  web:\n    image: nginx\n    depends_on:\n      db:\n        condition: service_healthy\n  db:\n    image: postgres:17\n    environment:\n      POSTGRES_PASSWORD: example\n    healthcheck:\n      test: [\"CMD\", \"pg_isready\", \"-U\", \"postgres\"]\n      interval: 5s\n  once:\n    image: alpine\n    command: [\"true\"]\nEOF",
        "cd ~/shop",
        "docker compose up -d",
    ]);
    let yaml =
        "compose_project: { project: shop, services: { web: running, db: healthy, once: exited } }";
    let (passed, message) = verdict(&mut s, yaml);
    assert!(passed, "{message}");
    fails_with(
        &mut s,
        "compose_project: { project: shop, services: { web: healthy } }",
        "shop-web-1 (the service web of shop) is running; the exercise wants it healthy",
    );
    fails_with(
        &mut s,
        "compose_project: { project: other, services: { web: running } }",
        "there is no container of the compose project other; the exercise wants its services up (docker compose up -d)",
    );
    fails_with(
        &mut s,
        "compose_project: { project: shop, absent: true }",
        "the compose project shop still has shop-db-1, shop-once-1, shop-web-1; the exercise wants none (docker compose down)",
    );
    let failures = run_commands(&mut s.lab, &["docker compose down".to_string()]);
    assert!(failures.is_empty(), "{failures:?}");
    assert!(verdict(&mut s, "compose_project: { project: shop, absent: true }").0);
}

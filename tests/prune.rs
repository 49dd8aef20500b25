//! `docker image prune` and `docker system prune`: the CLI's prompts, sections and
//! "Total reclaimed space" line, and only what is unused goes.

use crate::support::Fixture;

#[test]
fn prune_removes_what_nothing_uses_and_says_what_it_reclaimed() {
    let lab = Fixture::new();
    let app = lab.workspace().join("app");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(app.join("Dockerfile"), "FROM busybox\nRUN echo one > /a\n").unwrap();
    let records = lab.records(
        "docker build -q -t app ./app
printf 'FROM busybox\\nRUN echo two > /a\\n' > app/Dockerfile
docker build -q -t app ./app
docker image prune -f
docker images --format '{{.Repository}}'
docker run --name used alpine true
docker network create lonely
docker system prune -f
docker system prune -a -f
docker images -q
echo n | docker system prune
echo n | docker image prune -a
",
    );
    let image_prune = &records[3].stdout;
    assert!(
        image_prune.starts_with("Deleted Images:\ndeleted: sha256:"),
        "{image_prune}"
    );
    assert!(
        image_prune.ends_with("\n\nTotal reclaimed space: 4B\n"),
        "{image_prune}"
    );
    assert_eq!(
        records[4].stdout, "app\nbusybox\n",
        "the tagged images stay"
    );
    let system = &records[7].stdout;
    assert!(system.starts_with("Deleted Containers:\n"), "{system}");
    assert!(
        system.contains("\n\nDeleted Networks:\nlonely\n\n"),
        "{system}"
    );
    assert!(system.ends_with("Total reclaimed space: 0B\n"), "{system}");
    let all = &records[8].stdout;
    for line in [
        "untagged: app:latest",
        "untagged: alpine:latest",
        "untagged: busybox:latest",
    ] {
        assert!(all.contains(line), "{line} in {all}");
    }
    assert!(!all.contains("Total reclaimed space: 0B"), "{all}");
    assert_eq!(records[9].stdout, "");
    assert_eq!(
        records[10].stdout,
        "WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least one container\n  - all dangling images\n  - unused build cache\n\nAre you sure you want to continue? [y/N] \n"
    );
    assert_eq!(
        records[11].stdout,
        "WARNING! This will remove all images without at least one container associated to them.\nAre you sure you want to continue? [y/N] \n"
    );
}

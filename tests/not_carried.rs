//! Pulls the lab's offline hub cannot serve: an image Docker Hub has is "not carried
//! here", with what the lab does carry; a repository that exists nowhere fails as
//! Docker's does.

use crate::support::Fixture;

#[test]
fn an_image_docker_hub_has_and_the_lab_does_not_is_said_to_be_not_carried() {
    let lab = Fixture::new();
    let records = lab.records(
        "docker pull mysql
docker pull ubuntu/mysql
docker pull nosuchimage
",
    );
    for (i, name) in [(0, "mysql"), (1, "ubuntu/mysql")] {
        let err = &records[i].stderr;
        assert!(
            err.contains(&format!(
                "the lab's hub does not carry {name}, which Docker Hub has"
            )),
            "{err}"
        );
        assert!(err.contains("python, redis, registry, ubuntu"), "{err}");
        assert_eq!(records[i].exit_code, 1);
    }
    assert!(
        records[2]
            .stderr
            .contains("pull access denied for nosuchimage, repository does not exist"),
        "{:?}",
        records[2].stderr
    );
}

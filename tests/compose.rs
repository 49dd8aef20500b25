//! `docker compose` through script mode: a two-service project comes up, lists, logs
//! and goes down with compose's names and progress lines; bad files and failed runs
//! end as compose ends them, leaving nothing `down` cannot remove.

use crate::support::{Fixture, Record};

const PROJECT: &str = "mkdir demo
cd demo
cat > compose.yaml <<'YAML'
services:
  web:
    image: nginx:alpine
    ports:
      - \"8080:80\"
    depends_on:
      - cache
  cache:
    image: redis:7-alpine
YAML
";

fn by_command<'r>(records: &'r [Record], command: &str) -> &'r Record {
    records
        .iter()
        .find(|r| r.command == command)
        .unwrap_or_else(|| panic!("no record of `{command}`"))
}

#[test]
fn a_two_service_project_comes_up_lists_logs_and_goes_down() {
    let lab = Fixture::new();
    let script = format!(
        "docker pull -q nginx:alpine\ndocker pull -q redis:7-alpine\n{PROJECT}docker compose up -d\ndocker compose ps\ndocker compose logs\ndocker network ls --format '{{{{.Name}}}}'\ndocker compose down\ndocker compose ps -a\ndocker ps -a -q\ndocker network ls --format '{{{{.Name}}}}'\n"
    );
    let records = lab.records(&script);
    let up = by_command(&records, "docker compose up -d");
    assert_eq!(up.exit_code, 0, "{}", up.stderr);
    assert_eq!(up.stdout, "");
    assert_eq!(
        up.stderr,
        " Network demo_default  Creating
 Network demo_default  Created
 Container demo-cache-1  Creating
 Container demo-cache-1  Created
 Container demo-web-1  Creating
 Container demo-web-1  Created
 Container demo-cache-1  Starting
 Container demo-cache-1  Started
 Container demo-web-1  Starting
 Container demo-web-1  Started
"
    );

    let ps = by_command(&records, "docker compose ps");
    let lines: Vec<&str> = ps.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", ps.stdout);
    let header: Vec<&str> = lines[0].split_whitespace().collect();
    assert_eq!(
        header,
        [
            "NAME", "IMAGE", "COMMAND", "SERVICE", "CREATED", "STATUS", "PORTS"
        ]
    );
    assert!(
        lines[1].starts_with("demo-cache-1   redis:7-alpine   "),
        "{}",
        lines[1]
    );
    assert!(lines[1].contains("   cache     "), "{}", lines[1]);
    assert!(
        lines[2].starts_with("demo-web-1     nginx:alpine     "),
        "{}",
        lines[2]
    );
    assert!(
        lines[2].ends_with("0.0.0.0:8080->80/tcp, [::]:8080->80/tcp"),
        "{}",
        lines[2]
    );
    assert!(lines[2].contains("Up "), "{}", lines[2]);

    // Each line behind its container's prefix, padded to the longest name.
    let logs = by_command(&records, "docker compose logs");
    assert!(
        logs.stdout
            .lines()
            .any(|l| l.starts_with("cache-1  | ") && l.contains("Ready to accept connections")),
        "{}",
        logs.stdout
    );
    assert!(
        logs.stdout
            .lines()
            .any(|l| l.starts_with("web-1    | ") && l.contains("Configuration complete")),
        "{}",
        logs.stdout
    );
    // What a container wrote to stderr (nginx's notices) goes to stderr, prefixed too.
    assert!(
        logs.stderr
            .lines()
            .any(|l| l.starts_with("web-1    | ") && l.contains("start worker process")),
        "{}",
        logs.stderr
    );
    assert!(
        logs.stdout
            .lines()
            .chain(logs.stderr.lines())
            .all(|l| l.starts_with("cache-1  | ") || l.starts_with("web-1    | ")),
        "{}{}",
        logs.stdout,
        logs.stderr
    );

    let networks: Vec<&Record> = records
        .iter()
        .filter(|r| r.command == "docker network ls --format '{{.Name}}'")
        .collect();
    assert!(networks[0].stdout.lines().any(|l| l == "demo_default"));
    assert!(!networks[1].stdout.lines().any(|l| l == "demo_default"));

    let down = by_command(&records, "docker compose down");
    assert_eq!(down.exit_code, 0);
    assert_eq!(
        down.stderr,
        " Container demo-web-1  Stopping
 Container demo-web-1  Stopped
 Container demo-web-1  Removing
 Container demo-web-1  Removed
 Container demo-cache-1  Stopping
 Container demo-cache-1  Stopped
 Container demo-cache-1  Removing
 Container demo-cache-1  Removed
 Network demo_default  Removing
 Network demo_default  Removed
"
    );
    assert_eq!(
        by_command(&records, "docker compose ps -a").stdout,
        "NAME      IMAGE     COMMAND   SERVICE   CREATED   STATUS    PORTS\n"
    );
    assert_eq!(by_command(&records, "docker ps -a -q").stdout, "");
}

#[test]
fn containers_carry_composes_labels_and_join_the_project_network_by_service_name() {
    let lab = Fixture::new();
    let project = PROJECT.replace(
        "      - cache\n",
        "      - cache\n    networks:\n      default:\n        aliases: [www]\n",
    );
    let script = format!(
        "docker pull -q nginx:alpine\ndocker pull -q redis:7-alpine\n{project}docker compose up -d\ndocker inspect --format '{{{{index .Config.Labels \"com.docker.compose.project\"}}}} {{{{index .Config.Labels \"com.docker.compose.service\"}}}} {{{{index .Config.Labels \"com.docker.compose.container-number\"}}}} {{{{index .Config.Labels \"com.docker.compose.oneoff\"}}}} {{{{index .Config.Labels \"com.docker.compose.depends_on\"}}}} {{{{.HostConfig.NetworkMode}}}}' demo-web-1\ndocker inspect --format '{{{{json .NetworkSettings.Networks}}}}' demo-web-1\ndocker compose exec -T web echo hello from web\n"
    );
    let records = lab.records(&script);
    let inspect = records
        .iter()
        .find(|r| r.command.starts_with("docker inspect"))
        .unwrap();
    assert_eq!(
        inspect.stdout, "demo web 1 False cache:service_started:false demo_default\n",
        "{}",
        inspect.stderr
    );
    let networks = records
        .iter()
        .find(|r| r.command.starts_with("docker inspect --format '{{json"))
        .unwrap();
    let networks: serde_json::Value = serde_json::from_str(&networks.stdout).unwrap();
    assert_eq!(
        networks["demo_default"]["Aliases"],
        serde_json::json!(["web", "www"]),
        "{networks}"
    );
    let exec = by_command(&records, "docker compose exec -T web echo hello from web");
    assert_eq!(exec.exit_code, 0, "{}", exec.stderr);
    assert_eq!(exec.stdout, "hello from web\n");
}

#[test]
fn config_prints_the_resolved_project_with_variables_from_dotenv() {
    let lab = Fixture::new();
    let records = lab.records(
        "mkdir shop
cd shop
cat > .env <<'ENV'
TAG=1.27
ENV
cat > docker-compose.yml <<'YAML'
version: \"3.8\"
services:
  web:
    image: nginx:${TAG}
    environment:
      MODE: ${MODE:-production}
    command: [\"nginx\", \"-g\", \"daemon off;\"]
YAML
docker compose config
",
    );
    let config = by_command(&records, "docker compose config");
    assert_eq!(config.exit_code, 0, "{}", config.stderr);
    // logrus's text formatter, as compose warns away from a terminal.
    assert_eq!(
        config.stderr,
        "time=\"2026-03-01T12:00:00Z\" level=warning msg=\"/shop/docker-compose.yml: the attribute `version` is obsolete, it will be ignored, please remove it to avoid potential confusion\"\n"
    );
    assert_eq!(
        config.stdout,
        "name: shop
services:
  web:
    command:
      - nginx
      - -g
      - daemon off;
    environment:
      MODE: production
    image: nginx:1.27
    networks:
      default: null
networks:
  default:
    name: shop_default
"
    );
}

#[test]
fn bad_files_fail_in_composes_words() {
    let lab = Fixture::new();
    let records = lab.records(
        "mkdir app
cd app
cat > compose.yaml <<'YAML'
services:
  web:
    image: nginx
    depends_on: [db]
YAML
docker compose config
cat > compose.yaml <<'YAML'
services:
  web:
    image: nginx
    foo: bar
YAML
docker compose up -d
cd /
docker compose ps
",
    );
    let undefined = by_command(&records, "docker compose config");
    assert_eq!(undefined.exit_code, 1);
    assert_eq!(
        undefined.stderr,
        "service \"web\" depends on undefined service \"db\": invalid compose project\n"
    );
    let unknown = by_command(&records, "docker compose up -d");
    assert_eq!(unknown.exit_code, 1);
    assert_eq!(
        unknown.stderr,
        "validating /app/compose.yaml: services.web additional properties 'foo' not allowed\n"
    );
    let none = by_command(&records, "docker compose ps");
    assert_eq!(none.stderr, "no configuration file provided: not found\n");
}

#[test]
fn a_failed_up_leaves_only_what_down_removes() {
    let lab = Fixture::new();
    let records = lab.records(
        "docker pull -q nginx:alpine
docker run -d --name squatter -p 8080:80 nginx:alpine
mkdir demo
cd demo
cat > compose.yaml <<'YAML'
services:
  web:
    image: nginx:alpine
    ports:
      - \"8080:80\"
  other:
    image: nosuch/image:1.0
YAML
docker compose up -d other
docker compose up -d web
docker compose down
docker ps -a --format '{{.Names}}'
docker network ls --format '{{.Name}}'
",
    );
    let missing = by_command(&records, "docker compose up -d other");
    assert_eq!(missing.exit_code, 1);
    assert!(
        missing.stderr.starts_with(" other Pulling \n other Error "),
        "{}",
        missing.stderr
    );
    assert!(
        missing
            .stderr
            .lines()
            .last()
            .unwrap()
            .starts_with("Error response from daemon: "),
        "{}",
        missing.stderr
    );
    let taken = by_command(&records, "docker compose up -d web");
    assert_eq!(taken.exit_code, 1);
    assert!(
        taken.stderr.ends_with("port is already allocated\n"),
        "{}",
        taken.stderr
    );
    let down = by_command(&records, "docker compose down");
    assert_eq!(
        down.stderr,
        " Container demo-web-1  Removing
 Container demo-web-1  Removed
 Network demo_default  Removing
 Network demo_default  Removed
"
    );
    assert_eq!(
        by_command(&records, "docker ps -a --format '{{.Names}}'").stdout,
        "squatter\n"
    );
    assert!(
        !by_command(&records, "docker network ls --format '{{.Name}}'")
            .stdout
            .contains("demo")
    );
}

#[test]
fn a_service_waits_for_its_dependency_to_be_healthy() {
    let lab = Fixture::new();
    let file = |test: &str| {
        format!(
            "cat > compose.yaml <<'YAML'
services:
  web:
    image: nginx:alpine
    depends_on:
      cache:
        condition: service_healthy
  cache:
    image: redis:7-alpine
    healthcheck:
      test: {test}
      interval: 2s
      retries: 2
YAML
"
        )
    };
    let script = format!(
        "docker pull -q nginx:alpine\ndocker pull -q redis:7-alpine\nmkdir demo\ncd demo\n{}docker compose up -d\n{}docker compose up -d --force-recreate\n",
        file("[\"CMD\", \"redis-cli\", \"ping\"]"),
        file("[\"CMD\", \"false\"]"),
    );
    let records = lab.records(&script);
    let healthy = by_command(&records, "docker compose up -d");
    assert_eq!(healthy.exit_code, 0, "{}", healthy.stderr);
    assert!(
        healthy.stderr.contains(
            " Container demo-cache-1  Started
 Container demo-cache-1  Waiting
 Container demo-cache-1  Healthy
 Container demo-web-1  Starting
 Container demo-web-1  Started
"
        ),
        "{}",
        healthy.stderr
    );
    let unhealthy = by_command(&records, "docker compose up -d --force-recreate");
    assert_eq!(unhealthy.exit_code, 1);
    assert!(
        unhealthy.stderr.ends_with(
            " Container demo-cache-1  Waiting
 Container demo-cache-1  Error
dependency failed to start: container demo-cache-1 is unhealthy
"
        ),
        "{}",
        unhealthy.stderr
    );
}

/// The same project on the machine's real Docker daemon, through `--backend docker`:
/// skipped, saying why, when no daemon answers or the host has no static busybox to
/// make an image of.
#[test]
fn the_same_project_runs_on_a_real_daemon() {
    use docklab::backend::docker::DockerBackend;
    use docklab::backend::{Backend, ImportOptions, ListContainersOptions};
    let Some(mut daemon) = DockerBackend::connect(None)
        .ok()
        .filter(|_| true)
        .and_then(|mut b| b.version().is_ok().then_some(b))
    else {
        eprintln!("skipping: no Docker daemon answers");
        return;
    };
    let Ok(busybox) = std::fs::read("/bin/busybox") else {
        eprintln!("skipping: no /bin/busybox on this host; apt-get install busybox-static");
        return;
    };
    let stamp = format!(
        "{}{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0)
    );
    let project = format!("dlcompose{stamp}");
    let mut rootfs = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_size(busybox.len() as u64);
    header.set_mode(0o755);
    header.set_entry_type(tar::EntryType::Regular);
    rootfs
        .append_data(&mut header, "bin/busybox", busybox.as_slice())
        .unwrap();
    let image_id = daemon
        .import_image(
            &rootfs.into_inner().unwrap(),
            &ImportOptions {
                repo: Some(project.clone()),
                tag: Some("latest".into()),
                ..Default::default()
            },
        )
        .expect("import a busybox image");
    let lab = Fixture::new();
    let script = format!(
        "mkdir {project}
cd {project}
cat > compose.yaml <<'YAML'
services:
  web:
    image: {project}:latest
    command: [\"/bin/busybox\", \"sh\", \"-c\", \"echo hello from web; /bin/busybox touch /ready; /bin/busybox sleep 60\"]
    depends_on: [db]
  db:
    image: {project}:latest
    command: [\"/bin/busybox\", \"sh\", \"-c\", \"echo hello from db; /bin/busybox touch /ready; /bin/busybox sleep 60\"]
YAML
docker compose up -d
docker compose ps --format '{{{{.Name}}}} {{{{.Service}}}} {{{{.State}}}}'
docker compose exec -T web /bin/busybox sh -c 'until [ -f /ready ]; do /bin/busybox usleep 100000; done'
docker compose exec -T db /bin/busybox sh -c 'until [ -f /ready ]; do /bin/busybox usleep 100000; done'
docker compose logs
docker compose down -t 0
"
    );
    let out = lab.docklab(&script, &["--jsonl", "--backend", "docker"]);
    let records: Vec<Record> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Whatever happened, leave the daemon as it was.
    let mut filters = docklab::backend::Filters::new();
    filters.insert(
        "label".into(),
        vec![format!("com.docker.compose.project={project}")],
    );
    let left = daemon
        .list_containers(&ListContainersOptions {
            all: true,
            filters: filters.clone(),
            ..Default::default()
        })
        .unwrap_or_default();
    for c in &left {
        let _ = daemon.remove_container(c.id.as_deref().unwrap_or_default(), true, true);
    }
    let _ = daemon.remove_network(&format!("{project}_default"));
    let _ = daemon.remove_image(&image_id, true, false);

    let up = by_command(&records, "docker compose up -d");
    assert_eq!(up.exit_code, 0, "{}", up.stderr);
    assert_eq!(
        up.stderr,
        format!(
            " Network {project}_default  Creating
 Network {project}_default  Created
 Container {project}-db-1  Creating
 Container {project}-db-1  Created
 Container {project}-web-1  Creating
 Container {project}-web-1  Created
 Container {project}-db-1  Starting
 Container {project}-db-1  Started
 Container {project}-web-1  Starting
 Container {project}-web-1  Started
"
        )
    );
    let ps = records
        .iter()
        .find(|r| r.command.starts_with("docker compose ps"))
        .unwrap();
    assert_eq!(
        ps.stdout,
        format!("{project}-db-1 db running\n{project}-web-1 web running\n")
    );
    let logs = by_command(&records, "docker compose logs");
    assert!(
        logs.stdout.contains("db-1   | hello from db\n"),
        "{}",
        logs.stdout
    );
    assert!(
        logs.stdout.contains("web-1  | hello from web\n"),
        "{}",
        logs.stdout
    );
    let down = by_command(&records, "docker compose down -t 0");
    assert_eq!(down.exit_code, 0, "{}", down.stderr);
    assert!(
        down.stderr
            .ends_with(&format!(" Network {project}_default  Removed\n")),
        "{}",
        down.stderr
    );
    assert!(left.is_empty(), "down left {left:?}");
}

#[test]
fn containers_of_services_no_longer_in_the_file_are_orphans() {
    let lab = Fixture::new();
    let records = lab.records(
        "docker pull -q alpine
mkdir demo
cd demo
cat > compose.yaml <<'YAML'
services:
  old:
    image: alpine
    command: [\"sleep\", \"100\"]
  app:
    image: alpine
    command: [\"sleep\", \"100\"]
YAML
docker compose up -d
cat > compose.yaml <<'YAML'
services:
  app:
    image: alpine
    command: [\"sleep\", \"100\"]
YAML
docker compose up -d
docker compose up -d --remove-orphans
",
    );
    let warned = &records[records.len() - 2];
    assert_eq!(
        warned.stderr,
        "time=\"2026-03-01T12:00:00Z\" level=warning msg=\"Found orphan containers ([demo-old-1]) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.\"\n Container demo-app-1  Running\n"
    );
    let removed = records.last().unwrap();
    assert_eq!(
        removed.stderr,
        " Container demo-old-1  Stopping\n Container demo-old-1  Stopped\n Container demo-old-1  Removing\n Container demo-old-1  Removed\n Container demo-app-1  Running\n"
    );
}

#[test]
fn ls_lists_projects_by_their_labels_and_version_names_the_release() {
    let lab = Fixture::new();
    let records = lab.records(
        "docker pull -q alpine
mkdir demo
cd demo
cat > compose.yaml <<'YAML'
services:
  a:
    image: alpine
    command: [\"sleep\", \"100\"]
  b:
    image: alpine
YAML
docker compose up -d
cd /
docker compose ls
docker compose ls -a
docker compose version
",
    );
    assert_eq!(
        by_command(&records, "docker compose ls").stdout,
        "NAME                STATUS              CONFIG FILES\ndemo                running(1)          /demo/compose.yaml\n"
    );
    assert_eq!(
        by_command(&records, "docker compose ls -a").stdout,
        "NAME                STATUS                  CONFIG FILES\ndemo                exited(1), running(1)   /demo/compose.yaml\n"
    );
    assert_eq!(
        by_command(&records, "docker compose version").stdout,
        "Docker Compose version v2.36.2\n"
    );
}

//! The three-service project every Compose course builds: a web server, an API and a
//! database over two networks, with a named volume and a health check. It comes up in
//! dependency order, its services answer each other by name across their networks and
//! not across those they do not share, and its data outlives `down` but not `down -v`.

use crate::support::Fixture;

const COMPOSE: &str = "services:
  web:
    image: nginx
    ports:
      - \"8080:80\"
    networks: [front]
    depends_on: [api]
  api:
    image: python:3.12-alpine
    command: python -m http.server 5000
    networks: [front, back]
    depends_on:
      db:
        condition: service_healthy
  db:
    image: redis:7.4
    networks: [back]
    volumes:
      - data:/data
    healthcheck:
      test: [\"CMD\", \"redis-cli\", \"ping\"]
      interval: 2s
      retries: 5
networks:
  front: {}
  back: {}
volumes:
  data: {}
";

#[test]
fn a_three_service_project_answers_by_name_and_keeps_its_volume() {
    let lab = Fixture::new();
    let dir = lab.workspace().join("shop");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("compose.yaml"), COMPOSE).unwrap();
    let records = lab.records(
        "cd shop
docker compose up -d
docker compose ps --format '{{.Service}} {{.State}} {{.Status}}'
docker compose exec api wget -qO- http://web/
docker compose exec api wget -qO- http://db:6379/
docker compose exec web getent hosts db
docker network inspect -f '{{range .Containers}}{{.Name}} {{end}}' shop_back
docker compose exec db redis-cli set greeting hello
docker compose exec db redis-cli save
docker compose down
docker compose up -d
docker compose exec db redis-cli get greeting
docker compose down -v
docker compose up -d
docker compose exec db redis-cli get greeting
docker compose down -v
docker network ls --format '{{.Name}}'
docker volume ls -q
",
    );
    let out = |i: usize| (&records[i].stdout, &records[i].stderr, records[i].exit_code);
    assert_eq!(out(1).2, 0, "up: {:?}", out(1));
    let up = &records[1].stderr;
    let order = |line: &str| {
        up.find(line)
            .unwrap_or_else(|| panic!("no `{line}` in:\n{up}"))
    };
    // Dependencies first: db is healthy before api starts, api before web.
    assert!(order("Container shop-db-1  Healthy") < order("Container shop-api-1  Started"));
    assert!(order("Container shop-api-1  Started") < order("Container shop-web-1  Started"));
    let ps = &records[2].stdout;
    assert!(ps.contains("db running Up"), "{ps}");
    assert!(ps.contains("(healthy)"), "{ps}");
    assert!(
        records[3]
            .stdout
            .contains("<title>Welcome to nginx!</title>"),
        "{:?}",
        out(3)
    );
    // api and db share `back`: the name resolves; redis does not speak HTTP.
    assert!(!records[4].stderr.contains("bad address"), "{:?}", out(4));
    // web is on `front` only: db is no name there.
    assert_ne!(records[5].exit_code, 0, "{:?}", out(5));
    let members = &records[6].stdout;
    assert!(
        members.contains("shop-api-1")
            && members.contains("shop-db-1")
            && !members.contains("shop-web-1"),
        "{members}"
    );
    assert_eq!(
        records[11].stdout,
        "hello\n",
        "the volume outlives down: {:?}",
        out(11)
    );
    assert_eq!(
        records[14].stdout,
        "\n",
        "down -v removes it: {:?}",
        out(14)
    );
    let networks = &records[16].stdout;
    assert!(
        !networks.contains("shop_"),
        "no network left behind: {networks}"
    );
    assert!(!records[17].stdout.contains("shop_data"), "{:?}", out(17));
}

//! User-defined networks: Docker's tables, inspect output and errors, libnetwork's
//! address allocation, and containers reaching each other by name.

use crate::support::Fixture;

#[test]
fn networks_transcript() {
    let lab = Fixture::new();
    let transcript = lab.transcript(
        "docker network ls
docker network create appnet
docker network create appnet
docker network ls
docker pull busybox
docker run -d --network appnet --name db --network-alias database busybox sleep 1000
docker run -d --network appnet --name web nginx
docker network inspect appnet
docker inspect --format '{{.HostConfig.NetworkMode}} {{range .NetworkSettings.Networks}}{{.IPAddress}}/{{.IPPrefixLen}} gw {{.Gateway}} {{json .DNSNames}} {{json .Aliases}}{{end}}' db
docker inspect --format '{{json .NetworkSettings.Networks}}' web
docker run --rm --network appnet busybox ping -c1 database
docker run --rm busybox ping -c1 db
docker network rm appnet
docker network create backend
docker network connect backend db
docker network connect backend db
docker network inspect -f '{{range .Containers}}{{.Name}} {{.IPv4Address}}{{end}}' backend
docker network disconnect backend web
docker network disconnect backend db
docker network rm bridge nope
docker network rm -f nope
docker network inspect nope
docker run --network nope busybox true
docker run --network-alias x busybox true
docker network connect appnet nosuch
docker stop db web
docker network rm appnet
docker network prune -f
docker network ls
",
    );
    insta::assert_snapshot!("networks", transcript);
}

/// Records of one script, by command.
fn outputs(lab: &Fixture, script: &str) -> Vec<(String, String, i32)> {
    lab.records(script)
        .into_iter()
        .map(|r| (r.stdout, r.stderr, r.exit_code))
        .collect()
}

#[test]
fn addresses_and_pools_are_handed_out_as_libnetwork_does() {
    let lab = Fixture::new();
    let ip = "docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}'";
    let sub = "docker network inspect -f '{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}}'";
    let out = outputs(
        &lab,
        &format!(
            "docker pull busybox
docker network create one
docker network create two
{sub} one
{sub} two
docker run -d --network one --name ca busybox sleep 100
docker run -d --network one --name cb busybox sleep 100
{ip} ca
{ip} cb
docker stop ca
docker run -d --network one --name cc busybox sleep 100
{ip} cc
{ip} ca
docker network rm two
docker network create three
{sub} three
docker network create --subnet 10.10.0.0/24 --gateway 10.10.0.254 fixed
docker run -d --network fixed --ip 10.10.0.7 --name cd busybox sleep 100
{ip} cd
docker network create --subnet 10.10.0.0/25 clash
docker run -d --ip 10.10.0.8 busybox sleep 100
"
        ),
    );
    let stdout: Vec<&str> = out.iter().map(|o| o.0.trim_end()).collect();
    assert_eq!(stdout[3], "172.18.0.0/16 172.18.0.1");
    assert_eq!(stdout[4], "172.19.0.0/16 172.19.0.1");
    assert_eq!(stdout[7], "172.18.0.2");
    assert_eq!(stdout[8], "172.18.0.3");
    // A stopped container gives its address back; the next one takes the lowest free.
    assert_eq!(stdout[11], "172.18.0.2");
    assert_eq!(stdout[12], "", "a stopped container has no address");
    // A removed network's pool is free again.
    assert_eq!(stdout[15], "172.19.0.0/16 172.19.0.1");
    assert_eq!(stdout[18], "10.10.0.7");
    assert!(
        out[19]
            .1
            .contains("Pool overlaps with other one on this address space"),
        "{:?}",
        out[19]
    );
    assert_ne!(out[19].2, 0);
    assert!(
        out[20]
            .1
            .contains("user specified IP address is supported on user defined networks only"),
        "{:?}",
        out[20]
    );
}

#[test]
fn networks_and_their_members_outlive_the_lab() {
    let lab = Fixture::new();
    outputs(
        &lab,
        "docker pull busybox
docker network create keep
docker create --network keep --name later busybox sleep 100
",
    );
    let out = outputs(
        &lab,
        "docker network ls --filter name=keep --format '{{.Name}} {{.Driver}}'
docker start later
docker network inspect -f '{{range .Containers}}{{.Name}} {{.IPv4Address}}{{end}}' keep
docker network rm keep
",
    );
    assert_eq!(out[0].0, "keep bridge\n");
    assert_eq!(out[2].0, "later 172.18.0.2/16\n");
    assert!(
        out[3].1.contains("has active endpoints (name:\"later\""),
        "{:?}",
        out[3]
    );
}

#[test]
fn a_server_answers_other_containers_by_name_but_not_on_the_default_bridge() {
    let lab = Fixture::new();
    let out = outputs(
        &lab,
        "docker pull alpine
docker network create shop
docker run -d --network shop --name web nginx
docker run --rm --network shop alpine sh -c 'apk add -q curl >/dev/null; curl -s web | grep -o \"Welcome to nginx!\" | head -1'
docker run --rm --network shop alpine sh -c 'apk add -q curl >/dev/null; curl -sS web:81'
docker run --rm alpine sh -c 'apk add -q curl >/dev/null; curl -sS web'
",
    );
    assert_eq!(out[3].0, "Welcome to nginx!\n", "{:?}", out[3]);
    assert_eq!(out[4].2, 7, "nothing listens on 81: {:?}", out[4]);
    assert_eq!(out[5].2, 6, "the default bridge has no DNS: {:?}", out[5]);
    assert!(
        out[5].1.contains("Could not resolve host: web"),
        "{:?}",
        out[5]
    );
}

#[test]
fn ps_lists_and_filters_containers_by_network() {
    let lab = Fixture::new();
    let out = outputs(
        &lab,
        "docker pull busybox
docker network create n1
docker run -d --network n1 --name aa busybox sleep 100
docker run -d --name bb busybox sleep 100
docker network connect n1 bb
docker ps --format '{{.Names}} {{.Networks}}'
docker ps --filter network=n1 --format '{{.Names}}'
docker ps --filter network=bridge --format '{{.Names}}'
",
    );
    // Same creation time (the fixed clock): ordered by ID.
    let mut listed: Vec<&str> = out[5].0.lines().collect();
    listed.sort();
    assert_eq!(listed, ["aa n1", "bb bridge,n1"]);
    let mut on_n1: Vec<&str> = out[6].0.lines().collect();
    on_n1.sort();
    assert_eq!(on_n1, ["aa", "bb"]);
    assert_eq!(out[7].0, "bb\n");
}

#[test]
fn redis_cli_reaches_a_redis_container_by_name() {
    let lab = Fixture::new();
    let out = outputs(
        &lab,
        "docker network create cache
docker run -d --network cache --name db redis:7.4
docker exec db redis-cli set greeting hello
docker run --rm --network cache redis:7.4 redis-cli -h db ping
docker run --rm --network cache redis:7.4 redis-cli -h db get greeting
docker run --rm --network cache redis:7.4 redis-cli -h nosuch ping
docker run --rm --network cache redis:7.4 redis-cli -h db -p 6380 ping
docker run --rm redis:7.4 redis-cli -h db ping
",
    );
    assert_eq!(out[3].0, "PONG\n", "{:?}", out[3]);
    assert_eq!(
        out[4].0, "hello\n",
        "the server's keyspace as it is now: {:?}",
        out[4]
    );
    assert_eq!(
        out[5].1,
        "Could not connect to Redis at nosuch:6379: Name or service not known\n"
    );
    assert_eq!(
        out[6].1,
        "Could not connect to Redis at db:6380: Connection refused\n"
    );
    assert_eq!(
        out[7].1, "Could not connect to Redis at db:6379: Name or service not known\n",
        "no names on the default bridge"
    );
}

#[test]
fn an_interactive_shell_on_a_network_resolves_its_peers() {
    let lab = Fixture::new();
    let out = outputs(
        &lab,
        "docker network create appnet
docker run -d --network appnet --name api nginx
docker run -it --network appnet --name cli alpine sh
wget -qO- http://api/ | grep title
exit
docker inspect -f '{{range .NetworkSettings.Networks}}[{{.IPAddress}}]{{end}}' cli
docker network inspect -f '{{len .Containers}}' appnet
",
    );
    assert_eq!(
        out[3].0, "<title>Welcome to nginx!</title>\n",
        "{:?}",
        out[3]
    );
    assert_eq!(out[5].0, "[]\n", "a stopped container has no address");
    assert_eq!(out[6].0, "1\n", "only api is still on the network");
}

//! The network tools inside containers on a user-defined network: BusyBox's wget,
//! nslookup, nc and ping, musl's getent and hostname -i find other containers through
//! the engine's embedded DNS and reach them where the engine routes them.

use crate::support::Fixture;

fn outputs(lab: &Fixture, script: &str) -> Vec<(String, String, i32)> {
    lab.records(script)
        .into_iter()
        .map(|r| (r.stdout, r.stderr, r.exit_code))
        .collect()
}

#[test]
fn busybox_tools_reach_containers_by_name_on_a_user_defined_network() {
    let lab = Fixture::new();
    let ip = "docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}'";
    let out = outputs(
        &lab,
        &format!(
            "docker pull alpine
docker network create shop
docker run -d --network shop --name web nginx
docker run -d --network shop --name db alpine sleep 1000
{ip} web
{ip} db
docker run --rm --network shop alpine sh -c 'wget -qO- http://web/ | grep -o \"Welcome to nginx!\" | head -1'
docker run --rm --network shop alpine wget -q http://db/
docker run --rm --network shop alpine wget -q http://nope/
docker run --rm --network shop alpine nslookup db
docker run --rm --network shop alpine getent hosts web
docker run --rm --network shop alpine nc -zv web 80
docker run --rm --network shop alpine ping -c 1 db
docker run --rm alpine ping -c 1 db
"
        ),
    );
    let web = out[4].0.trim().to_string();
    let db = out[5].0.trim().to_string();
    assert!(web.starts_with("172.") && db.starts_with("172."), "{out:?}");
    assert_eq!(out[6].0, "Welcome to nginx!\n", "{:?}", out[6]);
    assert_eq!(
        (out[7].1.as_str(), out[7].2),
        (
            format!("wget: can't connect to remote host ({db}): Connection refused\n").as_str(),
            1
        )
    );
    assert_eq!(
        (out[8].1.as_str(), out[8].2),
        ("wget: bad address 'nope'\n", 1)
    );
    assert_eq!(
        (out[9].0.as_str(), out[9].2),
        (
            format!(
                "Server:\t\t127.0.0.11\nAddress:\t127.0.0.11:53\n\nNon-authoritative answer:\n\n\
                 Non-authoritative answer:\nName:\tdb\nAddress: {db}\n\n"
            )
            .as_str(),
            0
        )
    );
    assert_eq!(out[10].0, format!("{web:<16}  web  web\n"));
    assert_eq!(
        (out[11].1.as_str(), out[11].2),
        (format!("web ({web}:80) open\n").as_str(), 0)
    );
    assert!(
        out[12].0.starts_with(&format!(
            "PING db ({db}): 56 data bytes\n64 bytes from {db}: seq=0 ttl=64 time="
        )),
        "{:?}",
        out[12]
    );
    assert_eq!(
        (out[13].1.as_str(), out[13].2),
        ("ping: bad address 'db'\n", 1)
    );
}

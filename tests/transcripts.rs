//! Golden transcripts: the commands of the lessons, run through script mode with a fixed
//! seed and clock, pinned as insta snapshots.

use crate::support::{Fixture, capture};

#[test]
fn usage_errors_match_the_docker_cli_word_for_word() {
    let lab = Fixture::new();
    for name in [
        "run-single-dash-restart",
        "run-unknown-flag-restartt",
        "unknown-command-imagess",
        "tag-one-arg",
        "search-no-args",
        "pull-no-args",
        "rmi-no-args",
        "run-no-args",
        "images-unknown-shorthand-z",
        "pull-uppercase",
        "pull-bad-tag",
        "rmi-nosuch",
        "rm-nosuch",
        "tag-nosuch",
        "history-nosuch",
        "images-empty",
        "ps-empty",
        "ps-a-empty",
        "images-format-table-empty",
        "ps-format-foo",
        "images-help",
        "run-help",
        "help",
    ] {
        let want = capture(name);
        let got = &lab.records(&format!("{}\n", want.command))[0];
        assert_eq!(got.stdout, want.stdout, "stdout of `{}`", want.command);
        assert_eq!(got.stderr, want.stderr, "stderr of `{}`", want.command);
        assert_eq!(got.exit_code, want.exit, "exit code of `{}`", want.command);
    }
}

/// Runs `script` on a fresh lab and pins the transcript.
fn pin(name: &str, script: &str) {
    let lab = Fixture::new();
    let transcript = lab.transcript(script);
    insta::assert_snapshot!(name, transcript);
}

#[test]
fn first_steps() {
    pin(
        "first_steps",
        "docker images
docker run hello-world
docker images
docker ps
docker ps -a
docker pull ubuntu:18.04
docker tag ubuntu:18.04 fav_distro:bionic
docker tag ubuntu:18.04 ubuntu:bionic
docker images
docker search nginx
docker search --limit 3 --filter is-official=true ubuntu
docker pull nginx
docker images
docker rmi nginx -f
docker run nginx:latest
",
    );
}

#[test]
fn names_tags_and_registries() {
    pin(
        "names_tags_and_registries",
        "docker pull ubuntu
docker pull ubuntu
docker pull ubuntu:22.04
docker images --digests
docker images ubuntu
docker images --filter reference='*:22.04' --format '{{.Repository}}:{{.Tag}} {{.Size}}'
docker images -q
docker images --format '{{json .}}' ubuntu:22.04
docker pull quay.io/coreos/etcd
docker pull quay.io/coreos/etcd:v3.5.21
docker pull nosuchimage
docker pull ubuntu:99.04
docker pull Ubuntu
docker pull registry.example.com/team/app:1.0
docker image inspect --format '{{.Id}} {{.Config.Cmd}} {{.Architecture}}' ubuntu:22.04
docker history ubuntu:22.04
docker history -H=false --no-trunc --format '{{.ID}} {{.Size}} {{.CreatedBy}}' ubuntu:22.04
",
    );
}

#[test]
fn removing_images_follows_dockers_rules() {
    pin(
        "removing_images",
        "docker pull alpine:3.13
docker tag alpine:3.13 myalpine:1
docker tag alpine:3.13 other/alpine:2
docker rmi $(docker images -q alpine:3.13)
docker rmi myalpine:1
docker images
docker run hello-world > /dev/null
docker rmi hello-world
docker rmi $(docker images -q hello-world)
docker rm $(docker ps -aq)
docker rmi hello-world
docker rmi other/alpine:2 alpine:3.13 nosuch
docker images
docker rm nosuch
",
    );
}

#[test]
fn the_lab_shell() {
    pin(
        "lab_shell",
        r#"pwd
mkdir -p app/src && cd app
cat > hello.sh <<'END'
#!/bin/sh
echo "Hello, docker!"
END
./hello.sh
chmod +x hello.sh && ./hello.sh
ls -1
cd .. && ls
cat ../../../../etc/passwd
cd / && cd .. && pwd
ln -s / escape && ls escape
echo one two three | wc -w
for i in 1 2 3; do printf '%s-' $i; done; echo
docker images | grep -c REPOSITORY
x=$(docker ps -q | wc -l); echo "containers: $x"
curl -s http://localhost:1/v2/_catalog
curl -sI http://example.com/
nmap localhost
vim notes.txt
exit 3
echo never printed
"#,
    );
}

#[test]
fn building_the_nmap_image() {
    pin(
        "build_nmap",
        r#"cat > Dockerfile <<'END'
FROM alpine:latest
RUN apk update
RUN apk add nmap
ENTRYPOINT ["nmap"]
CMD ["localhost"]
END
docker build -t mynmap .
docker run mynmap
docker run mynmap -p 22,80 localhost
docker history mynmap
sed -i 's/localhost/-h/' Dockerfile
docker build -t mynmap .
mkdir ubuntu && cat > ubuntu/Dockerfile <<'END'
FROM ubuntu:latest
RUN apt-get update
RUN apt-get install nmap -y
ENTRYPOINT ["nmap"]
CMD ["localhost"]
END
docker build -t mynmap:ubuntu ubuntu
docker images --format '{{.Repository}}:{{.Tag}} {{.Size}}' mynmap
docker image inspect --format '{{json .Config.Entrypoint}} {{json .Config.Cmd}}' mynmap
"#,
    );
}

#[test]
fn building_hello_docker() {
    pin(
        "build_hello_docker",
        r#"cat > hello.sh <<'END'
#!/bin/sh
echo "Hello, docker!"
END
chmod +x hello.sh && ./hello.sh
cat > Dockerfile <<'END'
FROM alpine:3.13
WORKDIR /usr/src/app
COPY hello.sh .
CMD ./hello.sh
END
docker build . -t hello-docker
docker images
docker run hello-docker
docker build . -t hello-docker
echo 'echo "and again"' >> hello.sh
docker build . -t hello-docker
docker run hello-docker
docker images -a
"#,
    );
}

#[test]
fn build_errors() {
    pin(
        "build_errors",
        r#"printf 'FROM alpine:3.13\nFRUM alpine\n' > Dockerfile
docker build .
printf 'FROM alpine:3.13\nCOPY ../secret /x\n' > Dockerfile
docker build .
printf 'FROM alpine:3.13\nCOPY nosuch.txt /x\n' > Dockerfile
docker build .
printf 'FROM alpine:3.13\nRUN apk add nmapp\n' > Dockerfile
docker build -t broken .
printf 'FROM ubuntu:22.04\nRUN apt-get install nmap\n' > Dockerfile
docker build .
docker build nosuchdir
docker build -f Nope .
printf 'FROM nosuchimage\n' > Dockerfile
docker build .
"#,
    );
}

#[test]
fn buildkit_output_on_request() {
    pin(
        "build_buildkit",
        r#"cat > Dockerfile <<'END'
FROM alpine:3.13
WORKDIR /usr/src/app
RUN echo built > note.txt
CMD ["cat", "note.txt"]
END
DOCKER_BUILDKIT=1 docker build -t note .
docker build --progress=plain -t note .
docker history note
docker images -a
docker run note
printf 'FROM alpine:3.13\nRUN apk add nmapp\n' > Dockerfile
docker buildx build .
"#,
    );
}

#[test]
fn multi_stage_builds() {
    pin(
        "build_multi_stage",
        r#"cat > Dockerfile <<'END'
FROM alpine:3.21 AS build
WORKDIR /src
RUN echo compiled > app.txt
FROM alpine:3.21 AS unused
RUN echo never > /x
FROM alpine:3.21
COPY --from=build /src/app.txt /app.txt
COPY --from=0 /src/app.txt /again.txt
CMD ["cat", "/app.txt"]
END
docker build -t ms .
docker run --rm ms
docker build --target build -t ms:build .
DOCKER_BUILDKIT=1 docker build -t ms:bk .
docker build --target nosuch .
printf 'FROM alpine:3.21\nCOPY --from=nope /x /x\n' > Dockerfile
docker build .
DOCKER_BUILDKIT=1 docker build .
printf 'FROM alpine:3.21 AS a\nCOPY --from=a /x /x\n' > Dockerfile
docker build .
DOCKER_BUILDKIT=1 docker build .
printf 'FROM alpine:3.21 AS b\nCOPY --from=c /x /x\nFROM alpine:3.21 AS c\nCOPY --from=b /x /x\n' > Dockerfile
DOCKER_BUILDKIT=1 docker build .
printf 'FROM alpine:3.21 AS a\nRUN true\nFROM alpine:3.21\nCOPY --from=a /nope /x\n' > Dockerfile
docker build .
DOCKER_BUILDKIT=1 docker build .
printf 'FROM alpine:3.21 AS a\nFROM alpine:3.21 AS a\n' > Dockerfile
docker build .
DOCKER_BUILDKIT=1 docker build .
"#,
    );
}

#[test]
fn a_repository_without_latest() {
    pin(
        "quay_without_latest",
        r#"docker pull quay.io/nordstrom/hello-world
docker pull quay.io/nordstrom/hello-world:2.0
docker images
docker run -d -p 8080:80 --name hello quay.io/nordstrom/hello-world:2.0
curl -s localhost:8080
"#,
    );
}

#[test]
fn container_changes_diff_and_commit() {
    pin(
        "diff_and_commit",
        r#"docker run --name c1 alpine:3.13 sh -c 'apk add git > /dev/null; touch /root/x; rm /etc/motd; mkdir -p /data/a && echo hi > /data/a/f'
docker diff c1
docker commit -m "add git" c1 myalpine-git
docker images myalpine-git
docker history myalpine-git
docker run myalpine-git cat /data/a/f
docker run --name c2 myalpine-git rm -r /data
docker diff c2
docker diff nosuch
docker commit c1 Bad:Name
"#,
    );
}

#[test]
fn dive_and_whaler() {
    pin(
        "dive_and_whaler",
        r#"cat > Dockerfile <<'END'
FROM alpine:latest
RUN apk update && apk add nmap
RUN echo secret > /root/.env && rm /root/.env
ENV API_TOKEN=abc123
EXPOSE 80
ENTRYPOINT ["nmap"]
CMD ["localhost"]
END
docker build -q -t mynmap .
dive --ci mynmap
dive mynmap
whaler mynmap
dive nosuchimage
"#,
    );
}

#[test]
fn an_interactive_container() {
    pin(
        "interactive_container",
        r#"cat > hello.sh <<'END'
#!/bin/sh
echo "Hello, docker!"
END
chmod +x hello.sh
printf 'FROM alpine:3.13\nWORKDIR /usr/src/app\nCOPY hello.sh .\nCMD ./hello.sh\n' > Dockerfile
docker build -q -t hello-docker .
docker run -it --name box hello-docker sh
ls
./hello.sh
touch additional.txt
nmap
exit
echo "the container said $?"
docker ps -a
docker diff box
docker commit box hello-docker-additional
docker run hello-docker-additional ls
docker run -it alpine:3.13 sh
apk add git > /dev/null && echo installed
exit
docker ps -aq | wc -l
"#,
    );
}

#[test]
fn container_lifecycle_logs_and_start() {
    pin(
        "container_lifecycle",
        r#"docker run --name greeter alpine:3.13 sh -c 'echo out; echo err >&2; touch /ran-$RANDOM; ls / | grep -c ran'
docker logs greeter
docker logs --tail 1 greeter
docker start greeter
docker start -a greeter
docker logs -n abc greeter
docker logs nosuch
docker start nosuch
docker run --name greeter alpine:3.13 true
docker rm greeter
docker run --name x hello-world > /dev/null
docker start -ai x
"#,
    );
}

#[test]
fn copying_files_in_and_out_of_containers() {
    pin(
        "docker_cp",
        r#"printf 'FROM alpine:3.13\nWORKDIR /usr/src/app\nCMD ["sh"]\n' > Dockerfile
docker build -q -t app .
docker run -it --name box app
exit
echo extra > additional.txt
docker cp ./additional.txt box:/usr/src/app/
docker cp additional.txt box:/tmp/renamed.txt
mkdir -p dir/sub && echo deep > dir/sub/f
docker cp dir box:/usr/src/app
docker diff box
docker start -ai box
ls -R /usr/src/app
exit
docker cp box:/etc/alpine-release .
cat alpine-release
docker cp box:/usr/src/app copied
ls -R copied
docker cp box:/nope .
docker cp a b
docker cp box:/x other:/y
docker cp nope.txt box:/
docker cp box:/etc/../../../etc/hostname .
"#,
    );
}

#[test]
fn detached_containers_exec_stop_and_restart() {
    pin(
        "detached_containers",
        r#"docker run -d --name sleeper alpine:3.13 sh -c 'echo started; sleep 1000; echo never'
docker ps
docker logs sleeper
docker exec sleeper sh -c 'echo hi; touch /tmp/exec-was-here'
docker exec sleeper nmapx
docker exec -it sleeper sh
ls /tmp
exit
docker diff sleeper
docker stop sleeper
docker ps -a
docker exec sleeper ls
docker kill sleeper
docker restart sleeper
docker rm sleeper
docker rm -f sleeper
docker ps -a
"#,
    );
}

#[test]
fn rename_wait_top_and_prune() {
    pin(
        "rename_wait_top_prune",
        r#"docker run -d --name napper alpine:3.13 sleep 100
docker top napper
docker rename napper dozer
docker rename dozer x
docker ps --format '{{.Names}}'
docker run --name quick alpine:3.13 sh -c 'exit 3'
docker wait quick
docker wait dozer
docker container prune
echo y | docker container prune
docker container prune -f
docker ps -a --format '{{.Names}} {{.Status}}'
"#,
    );
}

#[test]
fn save_and_load() {
    pin(
        "save_and_load",
        r#"printf 'FROM alpine:3.13\nRUN echo made > /made.txt\nCMD ["cat", "/made.txt"]\n' > Dockerfile
docker build -q -t made:1 .
docker save -o made.tar made:1
docker rmi made:1
docker load -i made.tar
docker run made:1
docker load < made.tar
docker load -i nope.tar
echo garbage > bad.tar
docker load -i bad.tar
"#,
    );
}

#[test]
fn env_files_and_hostnames() {
    pin(
        "env_file_and_hostname",
        r#"printf '# settings\nGREETING=hello\nEMPTY=\nHOME_USER\n' > app.env
HOME_USER=student docker run --env-file app.env -e EXTRA=1 -h myhost alpine:3.13 sh -c 'echo $GREETING $HOME_USER $EXTRA $HOSTNAME'
docker run --env-file nope.env alpine:3.13 true
"#,
    );
}

#[test]
fn published_ports_and_nginx() {
    pin(
        "published_ports_and_nginx",
        r#"docker run -d -p 8080:80 --name web nginx
docker ps
docker port web
docker port web 80/tcp
docker port web 443
curl -s localhost:8080
curl -sI localhost:8080/missing.html
curl -s http://127.0.0.1:8080/missing.html
echo '<h1>Hello from docklab</h1>' > index.html
docker cp index.html web:/usr/share/nginx/html/index.html
curl -s localhost:8080
docker logs web
docker diff web
docker run -d -p 8080:80 --name web2 nginx
docker ps -a
docker run -d -P --name web3 nginx
docker port web3
docker run -d -p 127.0.0.1:9000-9001:80 -p 5353:53/udp --expose 7000 --name web4 nginx
docker ps --format '{{.Names}}: {{.Ports}}'
docker run -d -p 9000:9000 --name sleeper alpine sleep 1000
curl -s localhost:9000
docker run -p abc nginx
docker run -p 70000:80 nginx
docker run -p 1.2.3:80:80 nginx
docker run -p 8000-8002:80-81 nginx
docker run -p 80/xyz nginx
docker run --expose abc nginx
docker run --restart=bogus alpine
docker run --restart=on-failure:x alpine
docker run --restart=always:3 alpine
docker run --rm --restart=always alpine
docker stop web web3 web4
docker ps -a
"#,
    );
}

#[test]
fn logs_with_timestamps_tail_since_and_until() {
    pin(
        "logs_flags",
        r#"docker run -d --name talker alpine:3.13 sh -c 'echo one; echo two >&2; echo three; sleep 1000'
docker logs -t talker
docker logs --tail 1 talker
docker logs -n 0 talker
docker logs --tail all talker
docker logs --tail x talker
docker logs --since 10m talker
docker logs --since 2026-03-01T12:00:01Z talker
docker logs --until 10m talker
docker logs --until 1772366400 -t talker
docker logs --since bogus talker
docker logs -f talker
docker logs --details talker
"#,
    );
}

#[test]
fn the_registry_chapter_in_the_lab() {
    pin(
        "registry_chapter",
        r#"docker run -d -p 5000:5000 --restart=always --name registry registry:2
docker ps
curl -s localhost:5000/v2/
curl -s localhost:5000/v2/_catalog
docker pull alpine:3.19
docker tag alpine:3.19 localhost:5000/myalpine:1.0
docker push localhost:5000/myalpine:1.0
docker push localhost:5000/myalpine:1.0
curl -s localhost:5000/v2/_catalog
curl -s localhost:5000/v2/myalpine/tags/list
docker rmi localhost:5000/myalpine:1.0
docker pull localhost:5000/myalpine:1.0
docker images
docker logs registry
docker stop registry
docker ps -a
"#,
    );
}

#[test]
fn a_registry_keeps_what_is_pushed_in_its_volume() {
    pin(
        "registry_volume",
        r#"docker run -d -p 5000:5000 --name registry -v regdata:/var/lib/registry registry:2
docker pull alpine:3.19
docker tag alpine:3.19 localhost:5000/myalpine:1.0
docker push localhost:5000/myalpine:1.0
docker rm -f registry
docker run -d -p 5000:5000 --name registry2 -v regdata:/var/lib/registry registry:2
curl -s localhost:5000/v2/_catalog
docker volume rm regdata
docker rm -f registry2
docker volume rm regdata
docker run -d --name registry3 registry:2
docker volume ls
docker rm -f -v registry3
docker volume ls
"#,
    );
}

#[test]
fn users_labels_and_exec_options() {
    pin(
        "users_labels_exec",
        r#"docker run -d --name box alpine:3.13 sleep 1000
docker exec -u guest box id
docker exec -u guest box sh -c 'whoami; echo $HOME; touch /tmp/mine; mkdir /tmp/dir'
docker exec box stat -c '%u:%g %n' /tmp/mine /tmp/dir
docker exec -u 1234:100 box sh -c 'id; whoami'
docker exec -u nosuch box id
docker exec -w /nope box pwd
docker exec -w /tmp -e A=1 -e B=2 box sh -c 'pwd; echo $A $B'
docker diff box
docker run -u guest:users alpine:3.13 sh -c 'id; echo $HOME'
docker run -u nosuch alpine:3.13 id
docker run -u guest:nogrp alpine:3.13 id
docker run alpine:3.13 id
printf 'team=blue\n# a comment\nowner\n' > app.labels
docker create --name labelled -l tier=web --label-file app.labels -u guest -h base alpine:3.13 sh -c 'id; hostname'
docker inspect --format '{{json .Config.Labels}} {{.Config.User}} {{.Config.Hostname}}' labelled
docker ps -a --filter label=tier=web --format '{{.Names}}'
docker ps -a --filter label=owner --format '{{.Names}}'
docker ps -a --filter label=tier=db --format '{{.Names}}'
docker create --label-file nope.labels alpine:3.13
docker start -a labelled
"#,
    );
}

#[test]
fn pause_and_unpause() {
    pin(
        "pause_unpause",
        r#"docker run -d --name frozen alpine:3.13 sleep 1000
docker create --name idle alpine:3.13 true
docker pause frozen
docker ps
docker ps --filter status=paused --format '{{.Names}} {{.State}}'
docker inspect --format '{{.State.Status}} {{.State.Running}} {{.State.Paused}}' frozen
docker pause frozen
docker exec frozen ls
docker exec -it frozen sh
docker start frozen
docker rm frozen
docker unpause frozen
docker unpause frozen
docker pause idle nosuch
docker unpause idle
docker exec frozen echo thawed
docker pause frozen
docker stop frozen
docker ps -a --format '{{.Names}} {{.Status}}'
docker start frozen
docker pause frozen
docker kill frozen
docker start frozen
docker pause frozen
docker restart frozen
docker pause frozen
docker rm -f frozen
docker pause
"#,
    );
}

#[test]
fn system_df() {
    pin(
        "system_df",
        r#"docker system df
docker run --name writer alpine:3.13 sh -c 'echo hi > /f; mkdir -p /d; echo xx > /d/g'
docker run -d --name idler alpine:3.13 sleep 100
docker pull busybox
printf 'FROM alpine:3.13\nRUN echo made > /made.txt\n' > Dockerfile
docker build -q -t made .
docker system df
docker system df -v
docker system df --format '{{json .}}'
docker system df --format 'table {{.Type}}\t{{.Size}}'
docker system df extra
"#,
    );
}

#[test]
fn export_import_and_commit_changes() {
    pin(
        "export_import",
        r#"docker run --name src alpine:3.13 sh -c 'echo hi > /hello.txt; rm /etc/motd'
docker export -o src.tar src
docker import src.tar
docker import -m 'from src' -c 'CMD ["cat", "/hello.txt"]' -c 'ENV A=1' src.tar imported:1
docker import - piped < src.tar
docker history imported:1
docker image inspect --format '{{json .Config}} {{.Comment}}' imported:1
docker run imported:1
docker run --rm imported:1 sh -c 'ls /.dockerenv /hello.txt; ls /etc/motd; echo $A'
docker images
docker import nope.tar
echo garbage > bad.tar
docker import bad.tar
docker import -c 'FROG x' src.tar
docker import src.tar Bad:Name
docker export
docker export nosuch
docker commit -c 'CMD ["echo", "committed"]' -c 'WORKDIR /srv' -c 'USER guest' src withcmd
docker run --rm withcmd
docker run --rm withcmd sh -c 'pwd; whoami'
docker image inspect --format '{{json .Config.Cmd}} {{.Config.WorkingDir}} {{.Config.User}}' withcmd
docker commit -c 'RUN echo no' src
"#,
    );
}

#[test]
fn named_and_anonymous_volumes() {
    pin(
        "volumes",
        r#"docker volume create data
docker volume ls
docker run --name writer -v data:/data alpine:3.13 sh -c 'echo hello > /data/greeting; echo x > /tmp/t'
docker diff writer
docker run --rm -v data:/data alpine:3.13 cat /data/greeting
docker run --rm --mount type=volume,source=data,target=/srv alpine:3.13 sh -c 'ls /srv; rm /srv/greeting; echo new > /srv/other'
docker run --rm -v data:/data:ro alpine:3.13 ls /data
docker run -d --name keeper -v data:/data alpine:3.13 sleep 1000
docker exec keeper sh -c 'echo from-exec > /data/exec.txt'
docker diff keeper
docker commit keeper kept
docker run --rm kept ls /data
docker run --rm -v data:/data alpine:3.13 ls /data
docker run --name anon -v /cache alpine:3.13 sh -c 'echo c > /cache/c'
docker run --name apkconf -v apkconf:/etc/apk alpine:3.13 ls /etc/apk
docker run --rm -v apkconf:/etc/apk alpine:3.13 sh -c 'echo extra > /etc/apk/extra; ls /etc/apk'
docker diff apkconf
docker volume ls
docker inspect --format '{{json .Mounts}}' writer anon
docker volume inspect data
docker volume inspect nosuch
docker volume rm data
docker rm -v anon
docker volume ls -q
docker rm -f writer apkconf keeper
docker volume prune -f
docker volume ls
docker system df
echo y | docker volume prune -a
docker volume ls
docker volume rm nosuch
docker volume rm -f nosuch
docker run -v ./site:/usr/share/nginx/html alpine:3.13 true
docker run -v /etc:/host-etc alpine:3.13 true
docker run -v data:relative alpine:3.13 true
docker run --mount type=volume,source=x alpine:3.13 true
docker run --mount type=bind,source=/etc,target=/x alpine:3.13 true
docker volume create 'bad name'
"#,
    );
}

#[test]
fn attaching_to_a_running_shell() {
    pin(
        "attach",
        r#"docker run -dit --name shelly alpine:3.13 sh
docker ps
docker exec shelly sh -c 'echo from exec > /tmp/exec.txt'
docker attach shelly
cd /tmp
ls
echo typed > note
exit
docker ps -a
docker diff shelly
docker attach shelly
docker create --name idle alpine:3.13 sh
docker attach idle
docker attach nosuch
docker run -d --name sleeper alpine:3.13 sleep 1000
docker attach sleeper
docker pause sleeper
docker attach sleeper
docker attach
docker run --rm alpine:3.13 sh -c 'echo $RANDOM $RANDOM'
docker run --rm ubuntu:22.04 sh -c 'echo "[$RANDOM]"'
"#,
    );
}

#[test]
fn restart_policies_when_the_process_ends() {
    pin(
        "restart_policies",
        r#"docker run -d --restart=always --name loop alpine echo hi
docker run -d --restart=on-failure:3 --name flaky alpine sh -c 'echo try; exit 3'
docker run -d --restart=on-failure --name flaky2 alpine false
docker run -d --restart=on-failure:2 --name fine alpine true
docker ps -a
docker logs flaky
docker inspect -f '{{.Name}} {{.RestartCount}} {{.State.Status}} {{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}' flaky loop fine
docker rm loop
docker stop loop flaky2
docker ps -a
"#,
    );
}

#[test]
fn kill_signals_reach_pid_1() {
    pin(
        "kill_signals",
        r#"docker run -d --name sleeper alpine sleep 1000
docker kill -s FOO sleeper
docker kill -s 0 sleeper
docker kill -s 99 sleeper
docker kill -s SIGINT sleeper
docker kill --signal term sleeper
docker ps -a --format '{{.Names}} {{.Status}}'
docker kill sleeper
docker kill sleeper
docker run -d --name web nginx
docker kill -s HUP web
docker kill -s int web
docker run -d --name registry registry:2
docker kill -s TERM registry
docker ps -a --format '{{.Names}} {{.Status}}'
docker logs web 2>&1 | tail -6
"#,
    );
}

#[test]
fn bind_mounts_from_the_workspace() {
    pin(
        "bind_mounts",
        r#"mkdir site
echo '<h1>from the workspace</h1>' > site/index.html
docker run -d -p 8080:80 -v ./site:/usr/share/nginx/html --name web nginx
curl -s localhost:8080
echo '<h1>edited in the workspace</h1>' > site/index.html
curl -s localhost:8080
docker run --rm -v "$(pwd)"/site:/data alpine sh -c 'ls /data; echo made-inside > /data/new.txt; mkdir /data/sub'
ls site
cat site/new.txt
docker run --rm -v ~/site:/data:ro alpine cat /data/new.txt
docker diff web
docker inspect -f '{{range .Mounts}}{{.Type}} {{.Destination}} {{.RW}} {{.Propagation}}{{end}}' web
ln -s /nowhere escape
docker run --rm -v ./escape:/x alpine ls /x
ls
docker run --rm -v site/index.html:/x alpine ls /x
docker run --rm -v ./site:data alpine ls /data
"#,
    );
}

//! Programs that serve: `nginx` and the distribution `registry`. They set up what the
//! real ones leave in the container's filesystem, print their start-up lines, tell the
//! host which port they listen on (the engine serves it), then wait like `sleep`.

use super::{Ctx, Streams, write_err};
use std::time::Duration;

/// How long a server waits: until the container is stopped.
const FOREVER: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// nginx's directives the lab reads: the first `listen` port, `root`, `daemon`.
struct NginxConf {
    port: u16,
    root: String,
    daemon: bool,
}

fn directive<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .find_map(|l| {
            let rest = l.strip_prefix(name)?;
            rest.starts_with([' ', '\t'])
                .then(|| rest.trim().trim_end_matches(';').trim())
        })
}

fn read_conf(ctx: &mut Ctx<'_>) -> NginxConf {
    let read = |ctx: &mut Ctx<'_>, path: &str| {
        ctx.fs
            .read(path)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    };
    let main = read(ctx, "/etc/nginx/nginx.conf");
    let site = read(ctx, "/etc/nginx/conf.d/default.conf");
    let mut conf = NginxConf {
        port: 80,
        root: "/usr/share/nginx/html".into(),
        daemon: directive(&main, "daemon") != Some("off"),
    };
    for text in [&site, &main] {
        if let Some(port) = directive(text, "listen")
            .and_then(|l| l.split_whitespace().next())
            .and_then(|l| l.rsplit(':').next())
            .and_then(|p| p.parse().ok())
        {
            conf.port = port;
            break;
        }
    }
    for text in [&site, &main] {
        if let Some(root) = directive(text, "root") {
            conf.root = if root.starts_with('/') {
                root.to_string()
            } else {
                format!("/etc/nginx/{root}")
            };
            break;
        }
    }
    conf
}

pub fn nginx(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let version = ctx.var("NGINX_VERSION").unwrap_or("1.27.5").to_string();
    let mut conf = read_conf(ctx);
    let mut args = argv[1..].iter();
    while let Some(a) = args.next() {
        match a.as_str() {
            "-v" => {
                write_err(io.stderr, format_args!("nginx version: nginx/{version}"));
                return 0;
            }
            "-V" => {
                write_err(
                    io.stderr,
                    format_args!(
                        "nginx version: nginx/{version}\nbuilt by gcc 12.2.0 (Debian 12.2.0-14)\nbuilt with OpenSSL 3.0.15 3 Sep 2024\nTLS SNI support enabled"
                    ),
                );
                return 0;
            }
            "-t" | "-T" => {
                write_err(
                    io.stderr,
                    format_args!(
                        "nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\nnginx: configuration file /etc/nginx/nginx.conf test is successful"
                    ),
                );
                return 0;
            }
            "-g" => {
                let Some(g) = args.next() else {
                    write_err(
                        io.stderr,
                        format_args!("nginx: option \"-g\" requires parameter"),
                    );
                    return 1;
                };
                if g.replace(char::is_whitespace, "").contains("daemonoff;") {
                    conf.daemon = false;
                }
            }
            "-s" => {
                let signal = args.next().map(String::as_str).unwrap_or("");
                if !matches!(signal, "stop" | "quit" | "reopen" | "reload") {
                    write_err(
                        io.stderr,
                        format_args!("nginx: invalid option: \"-s {signal}\""),
                    );
                    return 1;
                }
                if ctx.fs.read("/run/nginx.pid").is_err() {
                    let now = ctx.host.now().format("%Y/%m/%d %H:%M:%S");
                    write_err(
                        io.stderr,
                        format_args!(
                            "{now} [notice] 1#1: signal process started\n{now} [error] 1#1: open() \"/run/nginx.pid\" failed (2: No such file or directory)\nnginx: [error] open() \"/run/nginx.pid\" failed (2: No such file or directory)"
                        ),
                    );
                    return 1;
                }
                let now = ctx.host.now().format("%Y/%m/%d %H:%M:%S");
                write_err(
                    io.stderr,
                    format_args!("{now} [notice] 47#47: signal process started"),
                );
                return 0;
            }
            "-c" | "-p" | "-e" => {
                args.next();
            }
            "-q" => {}
            "-h" | "-?" => {
                write_err(
                    io.stderr,
                    format_args!(
                        "nginx version: nginx/{version}\nUsage: nginx [-?hvVtTq] [-s signal] [-p prefix]\n             [-e filename] [-c filename] [-g directives]"
                    ),
                );
                return 0;
            }
            other => {
                write_err(
                    io.stderr,
                    format_args!("nginx: invalid option: \"{other}\""),
                );
                return 1;
            }
        }
    }
    // What the master process leaves behind: its pid file and the temp directories.
    if !ctx.fs.exists("/var/cache/nginx") {
        let _ = ctx.fs.create_dir("/var/cache/nginx");
    }
    for temp in ["client", "proxy", "fastcgi", "uwsgi", "scgi"] {
        let dir = format!("/var/cache/nginx/{temp}_temp");
        if !ctx.fs.exists(&dir) && ctx.fs.create_dir(&dir).is_ok() {
            let _ = ctx.fs.set_mode(&dir, 0o700);
        }
    }
    let _ = ctx.fs.write("/run/nginx.pid", b"1\n", false);
    if conf.daemon {
        // The master forks into the background; the process the container runs is done.
        return 0;
    }
    let now = ctx.host.now().format("%Y/%m/%d %H:%M:%S");
    let alpine = ctx.fs.metadata("/etc/alpine-release").is_ok();
    let compiler = if alpine {
        "gcc 14.2.0 (Alpine 14.2.0)"
    } else {
        "gcc 12.2.0 (Debian 12.2.0-14)"
    };
    let notices = [
        "using the \"epoll\" event method".to_string(),
        format!("nginx/{version}"),
        format!("built by {compiler} "),
        "OS: Linux 6.10.14-linuxkit".to_string(),
        "getrlimit(RLIMIT_NOFILE): 1048576:1048576".to_string(),
        "start worker processes".to_string(),
        "start worker process 29".to_string(),
    ];
    for n in notices {
        let _ = writeln!(io.stderr, "{now} [notice] 1#1: {n}");
    }
    ctx.host.listen(conf.port, &format!("nginx:{}", conf.root));
    ctx.host.sleep(FOREVER);
    0
}

pub fn registry(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    use crate::engine::registry::log::{
        GO_VERSION, REGISTRY_VERSION as version, instance_id, logrus_line,
    };
    match argv.get(1).map(String::as_str) {
        Some("--version" | "-v") => {
            let _ = writeln!(
                io.stdout,
                "{} github.com/docker/distribution v{version}",
                argv[0]
            );
            return 0;
        }
        Some("serve") => {}
        Some("garbage-collect") => return 0,
        _ => {
            let _ = write!(
                io.stdout,
                "`registry`\n\nUsage:\n  registry [flags]\n  registry [command]\n\nAvailable Commands:\n  garbage-collect `garbage-collect` deletes layers not referenced by any manifests\n  help            Help about any command\n  serve           `serve` stores and distributes Docker images\n\nFlags:\n  -h, --help=false: help for registry\n  -v, --version=false: show the version and exit\n\n\nUse \"registry help [command]\" for more information about a command.\n"
            );
            return 0;
        }
    }
    let addr = ctx
        .var("REGISTRY_HTTP_ADDR")
        .map(str::to_string)
        .or_else(|| {
            let path = argv.get(2)?;
            let text = String::from_utf8(ctx.fs.read(&ctx.abs(path)).ok()?).ok()?;
            directive(&text, "  addr:").map(str::to_string)
        })
        .unwrap_or_else(|| ":5000".into());
    let port: u16 = addr
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or(5000);
    let now = ctx.host.now();
    let fields: Vec<(String, String)> = [
        ("go.version", GO_VERSION.to_string()),
        (
            "instance.id",
            instance_id(ctx.var("HOSTNAME").unwrap_or("registry")),
        ),
        ("service", "registry".into()),
        ("version", version.into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let mut lines = vec![
        ("warning", "No HTTP secret provided - generated random secret. This may cause problems with uploads if multiple registries are behind a load-balancer. To provide a shared secret, fill in http.secret in the configuration file or set the REGISTRY_HTTP_SECRET environment variable.".to_string()),
        ("info", "redis not configured".to_string()),
        ("info", "Starting upload purge in 20m0s".to_string()),
        ("info", "using inmemory blob descriptor cache".to_string()),
        ("info", format!("listening on [::]:{port}")),
    ];
    if ctx.var("REGISTRY_STORAGE_CACHE_BLOBDESCRIPTOR").is_none() {
        lines.swap(2, 3);
    }
    for (level, msg) in lines {
        let _ = write!(io.stderr, "{}", logrus_line(now, level, &msg, &fields));
    }
    ctx.host.listen(port, "registry:/var/lib/registry");
    ctx.host.sleep(FOREVER);
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_directives_that_decide_what_is_served() {
        let conf =
            "server {\n    listen       8080;\n    # root /nope;\n    root   /website_files;\n}\n";
        assert_eq!(directive(conf, "listen"), Some("8080"));
        assert_eq!(directive(conf, "root"), Some("/website_files"));
        assert_eq!(directive("daemon off;\n", "daemon"), Some("off"));
        assert_eq!(directive("daemonize on;\n", "daemon"), None);
    }
}

//! Application layers that sit on a base root filesystem: nginx, the registry, postgres,
//! etcd, hello-world and a user image.
//!
//! Owns the files those layers add (binaries as simulated programs, real configuration
//! text, entrypoint scripts). Knows nothing of configs, manifests or the hub.

use super::rootfs;
use super::tree::Tree;

pub const HELLO_SIZE: usize = 10_072;

pub fn hello(tree: &mut Tree) {
    tree.program("hello", "hello", HELLO_SIZE);
}

pub const NGINX_INDEX: &str = r#"<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
"#;

const NGINX_50X: &str = r#"<!DOCTYPE html>
<html>
<head>
<title>Error</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>An error occurred.</h1>
<p>Sorry, the page you are looking for is currently unavailable.<br/>
Please try again later.</p>
<p>If you are the system administrator of this resource then you should check
the error log for details.</p>
<p><em>Faithfully yours, nginx.</em></p>
</body>
</html>
"#;

const NGINX_CONF: &str = r#"
user  nginx;
worker_processes  auto;

error_log  /var/log/nginx/error.log notice;
pid        /run/nginx.pid;


events {
    worker_connections  1024;
}


http {
    include       /etc/nginx/mime.types;
    default_type  application/octet-stream;

    log_format  main  '$remote_addr - $remote_user [$time_local] "$request" '
                      '$status $body_bytes_sent "$http_referer" '
                      '"$http_user_agent" "$http_x_forwarded_for"';

    access_log  /var/log/nginx/access.log  main;

    sendfile        on;
    #tcp_nopush     on;

    keepalive_timeout  65;

    #gzip  on;

    include /etc/nginx/conf.d/*.conf;
}
"#;

const NGINX_DEFAULT_CONF: &str = r#"server {
    listen       80;
    listen  [::]:80;
    server_name  localhost;

    #access_log  /var/log/nginx/host.access.log  main;

    location / {
        root   /usr/share/nginx/html;
        index  index.html index.htm;
    }

    #error_page  404              /404.html;

    # redirect server error pages to the static page /50x.html
    #
    error_page   500 502 503 504  /50x.html;
    location = /50x.html {
        root   /usr/share/nginx/html;
    }
}
"#;

const MIME_TYPES: &str = "
types {
    text/html                                        html htm shtml;
    text/css                                         css;
    text/xml                                         xml;
    image/gif                                        gif;
    image/jpeg                                       jpeg jpg;
    application/javascript                           js;
    application/atom+xml                             atom;
    application/rss+xml                              rss;

    text/mathml                                      mml;
    text/plain                                       txt;
    image/png                                        png;
    image/svg+xml                                    svg svgz;
    image/webp                                       webp;
    image/x-icon                                     ico;
    application/json                                 json;
    application/pdf                                  pdf;
    application/zip                                  zip;
    application/octet-stream                         bin exe dll;
    application/octet-stream                         iso img;
    audio/mpeg                                       mp3;
    video/mp4                                        mp4;
    video/webm                                       webm;
}
";

pub const NGINX_ENTRYPOINT: &str = r#"#!/bin/sh
# vim:sw=4:ts=4:et

set -e

entrypoint_log() {
    if [ -z "${NGINX_ENTRYPOINT_QUIET_LOGS:-}" ]; then
        echo "$@"
    fi
}

if [ "$1" = "nginx" ] || [ "$1" = "nginx-debug" ]; then
    if /usr/bin/find "/docker-entrypoint.d/" -mindepth 1 -maxdepth 1 -type f -print -quit 2>/dev/null | read v; then
        entrypoint_log "$0: /docker-entrypoint.d/ is not empty, will attempt to perform configuration"

        entrypoint_log "$0: Looking for shell scripts in /docker-entrypoint.d/"
        find "/docker-entrypoint.d/" -follow -type f -print | sort -V | while read -r f; do
            case "$f" in
                *.envsh)
                    if [ -x "$f" ]; then
                        entrypoint_log "$0: Sourcing $f";
                        . "$f"
                    else
                        # warn on shell scripts without exec bit
                        entrypoint_log "$0: Ignoring $f, not executable";
                    fi
                    ;;
                *.sh)
                    if [ -x "$f" ]; then
                        entrypoint_log "$0: Launching $f";
                        "$f"
                    else
                        # warn on shell scripts without exec bit
                        entrypoint_log "$0: Ignoring $f, not executable";
                    fi
                    ;;
                *) entrypoint_log "$0: Ignoring $f";;
            esac
        done

        entrypoint_log "$0: Configuration complete; ready for start up"
    else
        entrypoint_log "$0: No files found in /docker-entrypoint.d/, skipping configuration"
    fi
fi

exec "$@"
"#;

const LISTEN_IPV6: &str = r#"#!/bin/sh
# vim:sw=4:ts=4:et

set -e

entrypoint_log() {
    if [ -z "${NGINX_ENTRYPOINT_QUIET_LOGS:-}" ]; then
        echo "$@"
    fi
}

ME=$(basename "$0")
DEFAULT_CONF_FILE="etc/nginx/conf.d/default.conf"

# check if we have ipv6 available
if [ ! -f "/proc/net/if_inet6" ]; then
    entrypoint_log "$ME: info: ipv6 not available"
    exit 0
fi

if [ ! -f "/$DEFAULT_CONF_FILE" ]; then
    entrypoint_log "$ME: info: /$DEFAULT_CONF_FILE is not a file or does not exist"
    exit 0
fi

# check if the file can be modified, e.g. not on a r/o filesystem
touch /$DEFAULT_CONF_FILE 2>/dev/null || { entrypoint_log "$ME: info: can not modify /$DEFAULT_CONF_FILE (read-only file system?)"; exit 0; }

# check if the file is already modified, e.g. on a container restart
grep -q "listen  \[::]\:80;" /$DEFAULT_CONF_FILE && { entrypoint_log "$ME: info: IPv6 listen already enabled"; exit 0; }

entrypoint_log "$ME: info: Getting the checksum of /$DEFAULT_CONF_FILE"

# enable ipv6 on default.conf listen sockets
sed -i -E 's,listen       80;,listen       80;\n    listen  [::]:80;,' /$DEFAULT_CONF_FILE

entrypoint_log "$ME: info: Enabled listen on IPv6 in /$DEFAULT_CONF_FILE"

exit 0
"#;

const LOCAL_RESOLVERS: &str = r#"#!/bin/sh
# vim:sw=2:ts=2:sts=2:et

set -eu

LC_ALL=C
PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

[ "${NGINX_ENTRYPOINT_LOCAL_RESOLVERS:-}" ] || return 0

NGINX_LOCAL_RESOLVERS=$(awk 'BEGIN{ORS=" "} $1=="nameserver" {print $2}' /etc/resolv.conf)
export NGINX_LOCAL_RESOLVERS
"#;

const ENVSUBST_TEMPLATES: &str = r#"#!/bin/sh

set -e

ME=$(basename "$0")

entrypoint_log() {
    if [ -z "${NGINX_ENTRYPOINT_QUIET_LOGS:-}" ]; then
        echo "$@"
    fi
}

add_stream_block() {
  local conffile="/etc/nginx/nginx.conf"

  if grep -q -E "\s*stream\s*\{" "$conffile"; then
    entrypoint_log "$ME: $conffile contains a stream block; include $stream_output_dir/*.conf to enable stream templates"
  else
    # check if the file can be modified, e.g. not on a r/o filesystem
    touch "$conffile" 2>/dev/null || { entrypoint_log "$ME: info: can not modify $conffile (read-only file system?)"; exit 0; }
    entrypoint_log "$ME: Appending stream block to $conffile to include $stream_output_dir/*.conf"
    cat << END >> "$conffile"
# added by "$ME" on "$(date)"
stream {
  include $stream_output_dir/*.conf;
}
END
  fi
}

auto_envsubst() {
  local template_dir="${NGINX_ENVSUBST_TEMPLATE_DIR:-/etc/nginx/templates}"
  local suffix="${NGINX_ENVSUBST_TEMPLATE_SUFFIX:-.template}"
  local output_dir="${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}"
  local stream_suffix="${NGINX_ENVSUBST_STREAM_TEMPLATE_SUFFIX:-.stream-template}"
  local stream_output_dir="${NGINX_ENVSUBST_STREAM_OUTPUT_DIR:-/etc/nginx/stream-conf.d}"
  local filter="${NGINX_ENVSUBST_FILTER:-}"

  local template defined_envs relative_path output_path subdir
  defined_envs=$(printf '${%s} ' $(awk "END { for (name in ENVIRON) { print ( name ~ /${filter}/ ) ? name : \"\" } }" < /dev/null ))
  [ -d "$template_dir" ] || return 0
  if [ ! -w "$output_dir" ]; then
    entrypoint_log "$ME: ERROR: $template_dir exists, but $output_dir is not writable"
    return 0
  fi
  find "$template_dir" -follow -type f -name "*$suffix" -print | while read -r template; do
    relative_path="${template#"$template_dir/"}"
    output_path="$output_dir/${relative_path%"$suffix"}"
    subdir=$(dirname "$relative_path")
    # create a subdirectory where the template file exists
    mkdir -p "$output_dir/$subdir"
    entrypoint_log "$ME: Running envsubst on $template to $output_path"
    envsubst "$defined_envs" < "$template" > "$output_path"
  done
}

auto_envsubst

exit 0
"#;

const TUNE_WORKERS: &str = r#"#!/bin/sh
# vim:sw=2:ts=2:sts=2:et

set -eu

LC_ALL=C
ME=$(basename "$0")
PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

[ "${NGINX_ENTRYPOINT_WORKER_PROCESSES_AUTOTUNE:-}" ] || exit 0

touch /etc/nginx/nginx.conf 2>/dev/null || { echo >&2 "$ME: error: can not modify /etc/nginx/nginx.conf (read-only file system?)"; exit 0; }

ceildiv() {
  num=$1
  div=$2
  echo $(( (num + div - 1) / div ))
}

get_cpuset() {
  cpusetroot=$1
  cpusetfile=$2
  ncpu=0
  [ -f "$cpusetroot/$cpusetfile" ] || return 1
  for token in $( tr ',' ' ' < "$cpusetroot/$cpusetfile" ); do
    case "$token" in
      *-*)
        count=$( seq $(echo "$token" | tr '-' ' ') | wc -l )
        ncpu=$(( ncpu+count ))
        ;;
      *)
        ncpu=$(( ncpu+1 ))
        ;;
    esac
  done
  echo "$ncpu"
}

ncpu_online=$( getconf _NPROCESSORS_ONLN )
ncpu_cpuset=$( get_cpuset /sys/fs/cgroup cpuset.cpus.effective || echo "$ncpu_online" )
ncpu=$( printf "%s\n%s\n" "$ncpu_online" "$ncpu_cpuset" | sort -n | head -n 1 )

sed -i.bak -r 's/^(worker_processes)(.*)$/# Commented out by '"$ME"' on '"$(date)"'\n#\1\2\n\1 '"$ncpu"';/' /etc/nginx/nginx.conf
"#;

/// The entrypoint scripts nginx's image copies in, one layer each, in Dockerfile order:
/// `(destination, contents)`.
pub fn nginx_entrypoint_files() -> [(&'static str, &'static str); 5] {
    [
        ("docker-entrypoint.sh", NGINX_ENTRYPOINT),
        (
            "docker-entrypoint.d/10-listen-on-ipv6-by-default.sh",
            LISTEN_IPV6,
        ),
        (
            "docker-entrypoint.d/15-local-resolvers.envsh",
            LOCAL_RESOLVERS,
        ),
        (
            "docker-entrypoint.d/20-envsubst-on-templates.sh",
            ENVSUBST_TEMPLATES,
        ),
        (
            "docker-entrypoint.d/30-tune-worker-processes.sh",
            TUNE_WORKERS,
        ),
    ]
}

/// The nginx package install (the Dockerfile's big RUN): binary, config, html, modules,
/// the nginx user, and what apt pulled in. `alpine` switches paths and user files.
pub fn nginx_install(tree: &mut Tree, version: &str, alpine: bool, size: u64) {
    tree.program("usr/sbin/nginx", "nginx", 1_479_784)
        .text("etc/nginx/nginx.conf", 0o644, NGINX_CONF)
        .text("etc/nginx/conf.d/default.conf", 0o644, NGINX_DEFAULT_CONF)
        .text("etc/nginx/mime.types", 0o644, MIME_TYPES)
        .text("etc/nginx/fastcgi_params", 0o644, "\nfastcgi_param  QUERY_STRING       $query_string;\nfastcgi_param  REQUEST_METHOD     $request_method;\nfastcgi_param  CONTENT_TYPE       $content_type;\nfastcgi_param  CONTENT_LENGTH     $content_length;\n\nfastcgi_param  SCRIPT_NAME        $fastcgi_script_name;\nfastcgi_param  REQUEST_URI        $request_uri;\nfastcgi_param  DOCUMENT_URI       $document_uri;\nfastcgi_param  DOCUMENT_ROOT      $document_root;\nfastcgi_param  SERVER_PROTOCOL    $server_protocol;\nfastcgi_param  REQUEST_SCHEME     $scheme;\nfastcgi_param  HTTPS              $https if_not_empty;\n\nfastcgi_param  GATEWAY_INTERFACE  CGI/1.1;\nfastcgi_param  SERVER_SOFTWARE    nginx/$nginx_version;\n")
        .text("etc/nginx/scgi_params", 0o644, "\nscgi_param  REQUEST_METHOD     $request_method;\nscgi_param  REQUEST_URI        $request_uri;\nscgi_param  QUERY_STRING       $query_string;\nscgi_param  CONTENT_TYPE       $content_type;\n")
        .text("etc/nginx/uwsgi_params", 0o644, "\nuwsgi_param  QUERY_STRING       $query_string;\nuwsgi_param  REQUEST_METHOD     $request_method;\nuwsgi_param  CONTENT_TYPE       $content_type;\nuwsgi_param  CONTENT_LENGTH     $content_length;\n")
        .symlink("etc/nginx/modules", "../../usr/lib/nginx/modules")
        .text("usr/share/nginx/html/index.html", 0o644, NGINX_INDEX)
        .text("usr/share/nginx/html/50x.html", 0o644, NGINX_50X)
        .dir("var/cache/nginx", 0o755)
        .dir("docker-entrypoint.d", 0o755)
        .symlink("var/log/nginx/access.log", "/dev/stdout")
        .symlink("var/log/nginx/error.log", "/dev/stderr")
        .program("usr/bin/envsubst", "envsubst", 35_184)
        .text(
            &format!("usr/share/doc/nginx/changelog-{version}"),
            0o644,
            format!("Changes with nginx {version}\n\n    *) Security: insufficient check in virtual servers handling with TLSv1.3\n       SNI allowed to reuse SSL sessions in a different virtual server.\n"),
        );
    if alpine {
        rootfs::add_user(
            tree,
            true,
            "nginx:x:101:101:nginx:/var/cache/nginx:/sbin/nologin",
            "nginx:x:101:nginx",
        );
    } else {
        rootfs::add_user(
            tree,
            false,
            "nginx:x:101:101:nginx user:/nonexistent:/bin/false",
            "nginx:x:101:",
        );
    }
    if alpine {
        // nginx:alpine adds the debug binary and modules in its second install layer.
        tree.fill_to(size, &[("usr/lib/libpcre2-8.so.0.13.0", 1)]);
        return;
    }
    tree.program("usr/sbin/nginx-debug", "nginx", 1_547_320);
    let modules = [
        "ngx_http_geoip_module.so",
        "ngx_http_image_filter_module.so",
        "ngx_http_js_module.so",
        "ngx_http_xslt_filter_module.so",
        "ngx_stream_geoip_module.so",
        "ngx_stream_js_module.so",
    ];
    for module in modules {
        tree.library(
            &format!("usr/lib/nginx/modules/{module}"),
            180_000 + 10_000 * module.len(),
        );
    }
    let libs: &[(&str, u32)] = &[
        ("usr/lib/x86_64-linux-gnu/libicudata.so.72.1", 30),
        ("usr/lib/x86_64-linux-gnu/libxml2.so.2.9.14", 2),
        ("usr/lib/x86_64-linux-gnu/libgd.so.3.0.11", 1),
        ("usr/lib/x86_64-linux-gnu/libperl.so.5.36.0", 4),
        ("usr/lib/x86_64-linux-gnu/libLLVM-15.so.1", 45),
        ("usr/lib/x86_64-linux-gnu/libgeoip.so.1.6.12", 1),
        ("usr/share/GeoIP/GeoIP.dat", 1),
        ("usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 1),
        ("usr/share/perl/5.36.0/unicore/lib.tar", 6),
        ("usr/lib/x86_64-linux-gnu/libx265.so.199", 9),
    ];
    tree.fill_to(size, libs);
}

/// A `COPY <file> <dest>` layer.
pub fn copy_file(tree: &mut Tree, dest: &str, mode: u32, contents: &str) {
    tree.text(dest, mode, contents);
}

pub const REGISTRY_CONFIG: &str = "version: 0.1
log:
  fields:
    service: registry
storage:
  cache:
    blobdescriptor: inmemory
  filesystem:
    rootdirectory: /var/lib/registry
http:
  addr: :5000
  headers:
    X-Content-Type-Options: [nosniff]
health:
  storagedriver:
    enabled: true
    interval: 10s
    threshold: 3
";

pub const REGISTRY_ENTRYPOINT: &str = "#!/bin/sh

set -e

case \"$1\" in
    *.yaml|*.yml) set -- registry serve \"$@\" ;;
    serve|garbage-collect|help|-*) set -- registry \"$@\" ;;
esac

exec \"$@\"
";

/// `apk add --no-cache ca-certificates`: the certificate store and apk's updated database.
pub fn ca_certificates(tree: &mut Tree, size: u64) {
    tree.program("usr/bin/c_rehash", "c_rehash", 6_202)
        .program("usr/sbin/update-ca-certificates", "update-ca-certificates", 30_584)
        .text("etc/ca-certificates.conf", 0o644, "# This file lists certificates that you wish to use or to ignore to be\n# installed in /etc/ssl/certs.\nmozilla/ACCVRAIZ1.crt\nmozilla/AC_RAIZ_FNMT-RCM.crt\nmozilla/Actalis_Authentication_Root_CA.crt\n")
        .symlink("etc/ssl/certs/ca-cert-ACCVRAIZ1.pem", "/usr/share/ca-certificates/mozilla/ACCVRAIZ1.crt")
        .data("etc/ssl/certs/ca-certificates.crt", 0o644, 215_898);
    tree.fill_to(
        size,
        &[
            ("usr/share/ca-certificates/mozilla/bundle.crt", 10),
            ("usr/share/ca-certificates/mozilla/extra.crt", 1),
        ],
    );
}

pub fn registry_binary(tree: &mut Tree, size: usize) {
    tree.program("bin/registry", "registry", size);
}

pub const POSTGRES_ENTRYPOINT: &str = r#"#!/usr/bin/env bash
set -Eeo pipefail
# TODO swap to -Eeuo pipefail above (after handling all potentially-unset variables)

# usage: file_env VAR [DEFAULT]
#    ie: file_env 'XYZ_DB_PASSWORD' 'example'
# (will allow for "$XYZ_DB_PASSWORD_FILE" to fill in the value of
#  "$XYZ_DB_PASSWORD" from a file, especially for Docker's secrets feature)
file_env() {
	local var="$1"
	local fileVar="${var}_FILE"
	local def="${2:-}"
	if [ "${!var:-}" ] && [ "${!fileVar:-}" ]; then
		printf >&2 'error: both %s and %s are set (but are exclusive)\n' "$var" "$fileVar"
		exit 1
	fi
	local val="$def"
	if [ "${!var:-}" ]; then
		val="${!var}"
	elif [ "${!fileVar:-}" ]; then
		val="$(< "${!fileVar}")"
	fi
	export "$var"="$val"
	unset "$fileVar"
}

# check to see if this file is being run or sourced from another script
_is_sourced() {
	# https://unix.stackexchange.com/a/215279
	[ "${#FUNCNAME[@]}" -ge 2 ] \
		&& [ "${FUNCNAME[0]}" = '_is_sourced' ] \
		&& [ "${FUNCNAME[1]}" = 'source' ]
}

# used to create initial postgres directories
# (the image's own script also hands them to the "postgres" user when run as root and
# restarts itself through gosu as that user; docklab runs the server as the
# container's user, so that step is left out)
docker_create_db_directories() {
	mkdir -p "$PGDATA"
	# ignore failure since there are cases where we can't chmod (and PostgreSQL might fail later anyhow - it's picky about permissions of this directory)
	chmod 00700 "$PGDATA" || :

	# ignore failure since it will be fine when using the image provided directory; see also https://github.com/docker-library/postgres/pull/289
	mkdir -p /var/run/postgresql || :
	chmod 03775 /var/run/postgresql || :

	# Create the transaction log directory before initdb is run so the directory is owned by the correct user
	if [ -n "${POSTGRES_INITDB_WALDIR:-}" ]; then
		mkdir -p "$POSTGRES_INITDB_WALDIR"
		chmod 700 "$POSTGRES_INITDB_WALDIR"
	fi
}

# initialize empty PGDATA directory with new database via 'initdb'
# arguments to `initdb` can be passed via POSTGRES_INITDB_ARGS or as arguments to this function
# `initdb` automatically creates the "postgres", "template0", and "template1" dbnames
# this is also where the database user is created, specified by `POSTGRES_USER` env
docker_init_database_dir() {
	if [ -n "${POSTGRES_INITDB_WALDIR:-}" ]; then
		set -- --waldir "$POSTGRES_INITDB_WALDIR" "$@"
	fi

	# --pwfile refuses to handle a properly-empty file (hence the "\n"): https://github.com/docker-library/postgres/issues/1025
	local pwfile=/tmp/.docker-initdb-pwfile
	printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
	eval 'initdb --username="$POSTGRES_USER" --pwfile="$pwfile" '"$POSTGRES_INITDB_ARGS"' "$@"'
	rm -f "$pwfile"
}

# print large warning if POSTGRES_PASSWORD is long
# error if both POSTGRES_PASSWORD is empty and POSTGRES_HOST_AUTH_METHOD is not 'trust'
# print large warning if POSTGRES_HOST_AUTH_METHOD is set to 'trust'
# assumes database is not set up, ie: [ -z "$DATABASE_ALREADY_EXISTS" ]
docker_verify_minimum_env() {
	if [ -z "$POSTGRES_PASSWORD" ] && [ 'trust' != "$POSTGRES_HOST_AUTH_METHOD" ]; then
		# The - option suppresses leading tabs but *not* spaces. :)
		cat >&2 <<-'EOE'
			Error: Database is uninitialized and superuser password is not specified.
			       You must specify POSTGRES_PASSWORD to a non-empty value for the
			       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".

			       You may also use "POSTGRES_HOST_AUTH_METHOD=trust" to allow all
			       connections without a password. This is *not* recommended.

			       See PostgreSQL documentation about "trust":
			       https://www.postgresql.org/docs/current/auth-trust.html
		EOE
		exit 1
	fi
	if [ 'trust' = "$POSTGRES_HOST_AUTH_METHOD" ]; then
		cat >&2 <<-'EOWARN'
			********************************************************************************
			WARNING: POSTGRES_HOST_AUTH_METHOD has been set to "trust". This will allow
			         anyone with access to the Postgres port to access your database without
			         a password, even if POSTGRES_PASSWORD is set. See PostgreSQL
			         documentation about "trust":
			         https://www.postgresql.org/docs/current/auth-trust.html
			         In Docker's default configuration, this is effectively any other
			         container on the same system.

			         It is not recommended to use POSTGRES_HOST_AUTH_METHOD=trust. Replace
			         it with "-e POSTGRES_PASSWORD=password" instead to set a password in
			         "docker run".
			********************************************************************************
		EOWARN
	fi
}

# usage: docker_process_init_files [file [file [...]]]
#    ie: docker_process_init_files /always-initdb.d/*
# process initializer files, based on file extensions and permissions
docker_process_init_files() {
	printf '\n'
	local f
	for f; do
		case "$f" in
			*.sh)
				# https://github.com/docker-library/postgres/issues/450#issuecomment-393167936
				# https://github.com/docker-library/postgres/pull/452
				if [ -x "$f" ]; then
					printf '%s: running %s\n' "$0" "$f"
					"$f"
				else
					printf '%s: sourcing %s\n' "$0" "$f"
					. "$f"
				fi
				;;
			*.sql)     printf '%s: running %s\n' "$0" "$f"; docker_process_sql -f "$f"; printf '\n' ;;
			*)         printf '%s: ignoring %s\n' "$0" "$f" ;;
		esac
		printf '\n'
	done
}

# Execute sql script, passed via stdin (or -f flag of pqsl)
# usage: docker_process_sql [psql-cli-args]
#    ie: docker_process_sql --dbname=mydb <<<'INSERT ...'
#    ie: docker_process_sql -f my-file.sql
#    ie: docker_process_sql <my-file.sql
docker_process_sql() {
	local dbname=
	if [ -n "$POSTGRES_DB" ]; then
		dbname="--dbname=$POSTGRES_DB"
	fi

	PGHOST= PGHOSTADDR= psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc $dbname "$@"
}

# create initial database
# uses environment variables for input: POSTGRES_DB
docker_setup_db() {
	local dbAlreadyExists
	dbAlreadyExists="$(
		POSTGRES_DB= docker_process_sql --dbname postgres --set db="$POSTGRES_DB" --tuples-only <<-'EOSQL'
			SELECT 1 FROM pg_database WHERE datname = :'db' ;
		EOSQL
	)"
	if [ -z "$dbAlreadyExists" ]; then
		POSTGRES_DB= docker_process_sql --dbname postgres --set db="$POSTGRES_DB" <<-'EOSQL'
			CREATE DATABASE :"db" ;
		EOSQL
		printf '\n'
	fi
}

# Loads various settings that are used elsewhere in the script
# This should be called before any other functions
docker_setup_env() {
	file_env 'POSTGRES_PASSWORD'

	file_env 'POSTGRES_USER' 'postgres'
	file_env 'POSTGRES_DB' "$POSTGRES_USER"
	file_env 'POSTGRES_INITDB_ARGS'
	: "${POSTGRES_HOST_AUTH_METHOD:=}"

	DATABASE_ALREADY_EXISTS=
	# look specifically for PG_VERSION, as it is expected in the DB dir
	if [ -s "$PGDATA/PG_VERSION" ]; then
		DATABASE_ALREADY_EXISTS='true'
	fi
}

# append POSTGRES_HOST_AUTH_METHOD to pg_hba.conf for "host" connections
# all arguments will be passed along as arguments to `postgres` for getting the value of 'password_encryption'
pg_setup_hba_conf() {
	# default authentication method is md5 on versions before 14
	# https://www.postgresql.org/about/news/postgresql-14-released-2318/
	if [ "$1" = 'postgres' ]; then
		shift
	fi
	local auth
	# check the default/configured encryption and use that as the auth method
	auth="$(postgres -C password_encryption "$@")"
	: "${POSTGRES_HOST_AUTH_METHOD:=$auth}"
	{
		printf '\n'
		if [ 'trust' = "$POSTGRES_HOST_AUTH_METHOD" ]; then
			printf '# warning trust is enabled for all connections\n'
			printf '# see https://www.postgresql.org/docs/17/auth-trust.html\n'
		fi
		printf 'host all all all %s\n' "$POSTGRES_HOST_AUTH_METHOD"
	} >> "$PGDATA/pg_hba.conf"
}

# start socket-only postgresql server for setting up or running scripts
# all arguments will be passed along as arguments to `postgres` (via pg_ctl)
docker_temp_server_start() {
	if [ "$1" = 'postgres' ]; then
		shift
	fi

	# internal start of server in order to allow setup using psql client
	# does not listen on external TCP/IP and waits until start finishes
	set -- "$@" -c listen_addresses="''" -p "${PGPORT:-5432}"

	# unset NOTIFY_SOCKET so the temporary server doesn't prematurely notify
	# any process supervisor.
	NOTIFY_SOCKET= \
	PGUSER="${PGUSER:-$POSTGRES_USER}" \
	pg_ctl -D "$PGDATA" \
		-o "$*" \
		-w start
}

# stop postgresql server after done setting up user and running scripts
docker_temp_server_stop() {
	PGUSER="${PGUSER:-postgres}" \
	pg_ctl -D "$PGDATA" -m fast -w stop
}

# check arguments for an option that would cause postgres to stop
# return true if there is one
_pg_want_help() {
	local arg
	for arg; do
		case "$arg" in
			# postgres --help | grep 'then exit'
			# leaving out -C on purpose since it always fails and is unhelpful:
			# postgres: could not access the server configuration file "/var/lib/postgresql/data/postgresql.conf": No such file or directory
			-'?'|--help|--describe-config|-V|--version)
				return 0
				;;
		esac
	done
	return 1
}

_main() {
	# if first arg looks like a flag, assume we want to run postgres server
	if [ "${1:0:1}" = '-' ]; then
		set -- postgres "$@"
	fi

	if [ "$1" = 'postgres' ] && ! _pg_want_help "$@"; then
		docker_setup_env
		# setup data directories and permissions (when run as root)
		docker_create_db_directories

		# only run initialization on an empty data directory
		if [ -z "$DATABASE_ALREADY_EXISTS" ]; then
			docker_verify_minimum_env

			# check dir permissions to reduce likelihood of half-initialized database
			ls /docker-entrypoint-initdb.d/ > /dev/null

			docker_init_database_dir
			pg_setup_hba_conf "$@"

			# PGPASSWORD is required for psql when authentication is required for 'local' connections via pg_hba.conf and is otherwise harmless
			# e.g. when '--auth=md5' or '--auth-local=md5' is used in POSTGRES_INITDB_ARGS
			export PGPASSWORD="${PGPASSWORD:-$POSTGRES_PASSWORD}"
			docker_temp_server_start "$@"

			docker_setup_db
			docker_process_init_files /docker-entrypoint-initdb.d/*

			docker_temp_server_stop
			unset PGPASSWORD

			cat <<-'EOM'

				PostgreSQL init process complete; ready for start up.

			EOM
		else
			cat <<-'EOM'

				PostgreSQL Database directory appears to contain a database; Skipping initialization

			EOM
		fi
	fi

	exec "$@"
}

if ! _is_sourced; then
	_main "$@"
fi
"#;

/// The `apt-get install postgresql-<major>` layer.
pub fn postgres_install(tree: &mut Tree, major: &str, size: u64) {
    let bin = format!("usr/lib/postgresql/{major}/bin");
    for (name, bytes) in [
        ("postgres", 9_748_152),
        ("initdb", 166_640),
        ("pg_ctl", 71_944),
        ("psql", 780_352),
        ("pg_dump", 465_536),
        ("pg_restore", 216_152),
        ("pg_isready", 30_888),
        ("createdb", 39_592),
        ("pg_basebackup", 141_416),
    ] {
        tree.program(&format!("{bin}/{name}"), name, bytes);
    }
    tree.symlink("usr/bin/psql", "../share/postgresql-common/pg_wrapper")
        .text("usr/share/postgresql-common/pg_wrapper", 0o755, "#!/usr/bin/perl -w\n# Call a PostgreSQL client program with the version, cluster and default\n# database specified in ~/.postgresqlrc or\n# /etc/postgresql-common/user_clusters.\n")
        .data(&format!("usr/share/postgresql/{major}/postgresql.conf.sample"), 0o644, 31_255)
        .text("etc/postgresql-common/createcluster.conf", 0o644, "# Default values for pg_createcluster(8)\ncreate_main_cluster = false\n");
    let libs = format!("usr/lib/postgresql/{major}/lib");
    tree.fill_to(
        size,
        &[
            (&format!("{libs}/llvmjit.so"), 2),
            ("usr/lib/x86_64-linux-gnu/libLLVM-14.so.1", 30),
            ("usr/lib/x86_64-linux-gnu/libicudata.so.72.1", 10),
            ("usr/lib/x86_64-linux-gnu/libperl.so.5.36.0", 1),
            (&format!("{libs}/bitcode/postgres/index.bc"), 8),
            (
                &format!("usr/share/postgresql/{major}/timezonesets/Default"),
                1,
            ),
            ("usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0", 2),
            ("usr/share/locale/de/LC_MESSAGES/postgres-17.mo", 1),
            ("usr/lib/gcc/x86_64-linux-gnu/12/cc1", 10),
            ("usr/lib/x86_64-linux-gnu/libclang-cpp.so.14", 9),
        ],
    );
}

/// Locale generation (`localedef -i en_US ... en_US.UTF-8`).
pub fn locales(tree: &mut Tree, size: u64) {
    tree.text("etc/locale.gen", 0o644, "en_US.UTF-8 UTF-8\n");
    tree.fill_to(
        size,
        &[
            ("usr/lib/locale/locale-archive", 3),
            ("usr/share/i18n/locales/en_US", 1),
        ],
    );
}

/// A small apt install of helper tools (gosu, nss_wrapper, xz, zstd).
pub fn helper_tools(tree: &mut Tree, names: &[&str], size: u64) {
    for name in names {
        tree.program(&format!("usr/local/bin/{name}"), name, 40_000);
    }
    tree.fill_to(
        size,
        &[
            ("usr/lib/x86_64-linux-gnu/libnss_wrapper.so", 1),
            ("usr/lib/x86_64-linux-gnu/liblzma.so.5.4.1", 1),
        ],
    );
}

/// etcd's three binaries over a distroless base.
pub fn etcd_binaries(tree: &mut Tree, sizes: [usize; 3]) {
    tree.program("usr/local/bin/etcd", "etcd", sizes[0])
        .program("usr/local/bin/etcdctl", "etcdctl", sizes[1])
        .program("usr/local/bin/etcdutl", "etcdutl", sizes[2])
        .dir("var/etcd", 0o700)
        .dir("var/lib/etcd", 0o700);
}

/// The distroless static base: CA certificates, tzdata, passwd — no shell.
pub fn distroless_static(tree: &mut Tree, size: u64) {
    tree.dirs(&[
        "bin",
        "boot",
        "dev",
        "etc",
        "home/nonroot",
        "lib",
        "proc",
        "run",
        "sbin",
        "sys",
        "usr/bin",
        "usr/sbin",
        "var/lib",
    ]);
    tree.dir("root", 0o700).dir("tmp", 0o1777);
    tree.text("etc/passwd", 0o644, "root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n")
        .text("etc/group", 0o644, "root:x:0:\nnobody:x:65534:\ntty:x:5:\nstaff:x:50:\nnonroot:x:65532:\n")
        .text("etc/nsswitch.conf", 0o644, "hosts: files dns\n")
        .text("etc/os-release", 0o644, "PRETTY_NAME=\"Distroless\"\nNAME=\"Debian GNU/Linux\"\nID=\"debian\"\nVERSION_ID=\"12\"\nVERSION=\"Debian GNU/Linux 12 (bookworm)\"\nHOME_URL=\"https://github.com/GoogleContainerTools/distroless\"\n")
        .data("etc/ssl/certs/ca-certificates.crt", 0o644, 213_777);
    tree.fill_to(
        size,
        &[
            ("usr/share/zoneinfo/zone1970.tab", 1),
            ("usr/share/zoneinfo/tzdata.zi", 1),
        ],
    );
}

pub const KITEMATIC_INDEX: &str = r#"<!DOCTYPE html>
<html>
<head>
  <meta charset="utf-8">
  <title>Voilà!</title>
  <style>
    body { font-family: "Helvetica Neue", Helvetica, Arial, sans-serif; text-align: center; color: #394043; }
    h1 { font-size: 38px; margin-top: 120px; }
  </style>
</head>
<body>
  <h1>Voilà! Your nginx container is running!</h1>
  <p>To edit files, double click the <strong>website_files</strong> folder in Kitematic and edit the <strong>index.html</strong> file.</p>
</body>
</html>
"#;

/// kitematic/hello-world-nginx: nginx from apk plus a start script and a website.
pub fn kitematic_site(tree: &mut Tree, size: u64) {
    tree.program("usr/sbin/nginx", "nginx", 1_081_440)
        .text("etc/nginx/nginx.conf", 0o644, "daemon off;\nworker_processes 1;\n\nevents { worker_connections 1024; }\n\nhttp {\n    include mime.types;\n    server {\n        listen 80;\n        root /website_files;\n        index index.html;\n    }\n}\n")
        .text("etc/nginx/mime.types", 0o644, MIME_TYPES)
        .text("start.sh", 0o755, "#!/bin/sh\n\nif [ ! -f /website_files/index.html ]; then\n  mkdir -p /website_files\n  cp /tmp/index.html /website_files/index.html\nfi\n\nnginx\n")
        .dir("tmp", 0o1777)
        .text("tmp/index.html", 0o644, KITEMATIC_INDEX)
        .dir("website_files", 0o755);
    tree.fill_to(
        size,
        &[
            ("usr/lib/libpcre.so.1.2.6", 1),
            ("lib/libcrypto.so.1.0.0", 4),
            ("lib/libssl.so.1.0.0", 1),
        ],
    );
}

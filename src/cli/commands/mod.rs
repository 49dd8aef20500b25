//! One module per docker verb: parse with the verb's clap struct, ask the backend,
//! print as Docker CLI 28 prints. `VERBS` is the table the dispatcher reads.

mod build;
mod containers;
mod df;
mod images;
mod login;
mod networks;
mod prune;
mod pull;
mod push;
mod rmi;
mod run;
mod search;
mod system;
mod volumes;

use super::args::*;
use super::parse::{ArgRule, Verb};
use super::{CliError, format};
use crate::engine::streams::Streams;
use clap::CommandFactory;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::io::Write;

pub static VERBS: &[Verb] = &[
    Verb {
        path: "docker compose",
        names: &["compose"],
        help: include_str!("../help/compose.txt"),
        args: ArgRule::Min(0),
        handler: crate::cli::compose::run,
        flags: <crate::cli::compose::ComposeArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker save",
        names: &["save", "image save"],
        help: include_str!("../help/save.txt"),
        args: ArgRule::Min(1),
        handler: images::save,
        flags: <SaveArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker load",
        names: &["load", "image load"],
        help: include_str!("../help/load.txt"),
        args: ArgRule::None,
        handler: images::load,
        flags: <LoadArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker rename",
        names: &["rename", "container rename"],
        help: include_str!("../help/rename.txt"),
        args: ArgRule::Exact(2),
        handler: containers::rename,
        flags: <PlainArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker port",
        names: &["port", "container port"],
        help: include_str!("../help/port.txt"),
        args: ArgRule::Range(1, 2),
        handler: containers::port,
        flags: <PlainArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker wait",
        names: &["wait", "container wait"],
        help: include_str!("../help/wait.txt"),
        args: ArgRule::Min(1),
        handler: containers::wait,
        flags: <PlainArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker top",
        names: &["top", "container top"],
        help: include_str!("../help/top.txt"),
        args: ArgRule::Min(1),
        handler: containers::top,
        flags: <PlainArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker container prune",
        names: &["container prune"],
        help: include_str!("../help/container-prune.txt"),
        args: ArgRule::None,
        handler: containers::prune,
        flags: <PruneArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker stop",
        names: &["stop", "container stop"],
        help: include_str!("../help/stop.txt"),
        args: ArgRule::Min(1),
        handler: containers::stop,
        flags: <StopArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker kill",
        names: &["kill", "container kill"],
        help: include_str!("../help/kill.txt"),
        args: ArgRule::Min(1),
        handler: containers::kill,
        flags: <StopArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker export",
        names: &["export", "container export"],
        help: include_str!("../help/export.txt"),
        args: ArgRule::Exact(1),
        handler: containers::export,
        flags: <ExportArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker import",
        names: &["import", "image import"],
        help: include_str!("../help/import.txt"),
        args: ArgRule::Range(1, 2),
        handler: containers::import,
        flags: <ImportArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker image prune",
        names: &["image prune"],
        help: include_str!("../help/image-prune.txt"),
        args: ArgRule::None,
        handler: prune::image,
        flags: <ImagePruneArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker system prune",
        names: &["system prune"],
        help: include_str!("../help/system-prune.txt"),
        args: ArgRule::None,
        handler: prune::system,
        flags: <SystemPruneArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker network create",
        names: &["network create"],
        help: include_str!("../help/network-create.txt"),
        args: ArgRule::Exact(1),
        handler: networks::create,
        flags: <NetworkCreateArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker network ls",
        names: &["network ls", "network list"],
        help: include_str!("../help/network-ls.txt"),
        args: ArgRule::None,
        handler: networks::ls,
        flags: <NetworkLsArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker network inspect",
        names: &["network inspect"],
        help: include_str!("../help/network-inspect.txt"),
        args: ArgRule::Min(1),
        handler: networks::inspect,
        flags: <NetworkInspectArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker network rm",
        names: &["network rm", "network remove"],
        help: include_str!("../help/network-rm.txt"),
        args: ArgRule::Min(1),
        handler: networks::rm,
        flags: <NetworkRmArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker network connect",
        names: &["network connect"],
        help: include_str!("../help/network-connect.txt"),
        args: ArgRule::Exact(2),
        handler: networks::connect,
        flags: <NetworkConnectArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker network disconnect",
        names: &["network disconnect"],
        help: include_str!("../help/network-disconnect.txt"),
        args: ArgRule::Exact(2),
        handler: networks::disconnect,
        flags: <NetworkDisconnectArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker network prune",
        names: &["network prune"],
        help: include_str!("../help/network-prune.txt"),
        args: ArgRule::None,
        handler: networks::prune,
        flags: <NetworkPruneArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker volume create",
        names: &["volume create"],
        help: include_str!("../help/volume-create.txt"),
        args: ArgRule::Max(1),
        handler: volumes::create,
        flags: <VolumeCreateArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker volume ls",
        names: &["volume ls", "volume list"],
        help: include_str!("../help/volume-ls.txt"),
        args: ArgRule::None,
        handler: volumes::ls,
        flags: <VolumeLsArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker volume inspect",
        names: &["volume inspect"],
        help: include_str!("../help/volume-inspect.txt"),
        args: ArgRule::Min(1),
        handler: volumes::inspect,
        flags: <VolumeInspectArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker volume rm",
        names: &["volume rm", "volume remove"],
        help: include_str!("../help/volume-rm.txt"),
        args: ArgRule::Min(1),
        handler: volumes::rm,
        flags: <VolumeRmArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker volume prune",
        names: &["volume prune"],
        help: include_str!("../help/volume-prune.txt"),
        args: ArgRule::None,
        handler: volumes::prune,
        flags: <VolumePruneArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker attach",
        names: &["attach", "container attach"],
        help: include_str!("../help/attach.txt"),
        args: ArgRule::Exact(1),
        handler: containers::attach,
        flags: <AttachArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker pause",
        names: &["pause", "container pause"],
        help: include_str!("../help/pause.txt"),
        args: ArgRule::Min(1),
        handler: containers::pause,
        flags: <PlainArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker unpause",
        names: &["unpause", "container unpause"],
        help: include_str!("../help/unpause.txt"),
        args: ArgRule::Min(1),
        handler: containers::unpause,
        flags: <PlainArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker restart",
        names: &["restart", "container restart"],
        help: include_str!("../help/restart.txt"),
        args: ArgRule::Min(1),
        handler: containers::restart,
        flags: <StopArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker exec",
        names: &["exec", "container exec"],
        help: include_str!("../help/exec.txt"),
        args: ArgRule::Min(2),
        handler: containers::exec,
        flags: <ExecArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker cp",
        names: &["cp", "container cp"],
        help: include_str!("../help/cp.txt"),
        args: ArgRule::Exact(2),
        handler: containers::cp,
        flags: <CpArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker logs",
        names: &["logs", "container logs"],
        help: include_str!("../help/logs.txt"),
        args: ArgRule::Exact(1),
        handler: containers::logs,
        flags: <LogsArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker start",
        names: &["start", "container start"],
        help: include_str!("../help/start.txt"),
        args: ArgRule::Min(1),
        handler: containers::start,
        flags: <StartArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker diff",
        names: &["diff", "container diff"],
        help: include_str!("../help/diff.txt"),
        args: ArgRule::Exact(1),
        handler: containers::diff,
        flags: <DiffArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker commit",
        names: &["commit", "container commit"],
        help: include_str!("../help/commit.txt"),
        args: ArgRule::Range(1, 2),
        handler: containers::commit,
        flags: <CommitArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker build",
        names: &["build", "image build"],
        help: include_str!("../help/build.txt"),
        args: ArgRule::Exact(1),
        handler: build::build,
        flags: <BuildArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker buildx build",
        names: &["buildx build", "builder build"],
        help: include_str!("../help/build.txt"),
        args: ArgRule::Exact(1),
        handler: build::build,
        flags: <BuildArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker images",
        names: &["images"],
        help: include_str!("../help/images.txt"),
        args: ArgRule::Max(1),
        handler: images::list,
        flags: <ImagesArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker image ls",
        names: &["image ls", "image list"],
        help: include_str!("../help/image-ls.txt"),
        args: ArgRule::Max(1),
        handler: images::list,
        flags: <ImagesArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker pull",
        names: &["pull"],
        help: include_str!("../help/pull.txt"),
        args: ArgRule::Exact(1),
        handler: pull::pull,
        flags: <PullArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker image pull",
        names: &["image pull"],
        help: include_str!("../help/pull.txt"),
        args: ArgRule::Exact(1),
        handler: pull::pull,
        flags: <PullArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker login",
        names: &["login"],
        help: include_str!("../help/login.txt"),
        args: ArgRule::Max(1),
        handler: login::login,
        flags: <LoginArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker logout",
        names: &["logout"],
        help: include_str!("../help/logout.txt"),
        args: ArgRule::Max(1),
        handler: login::logout,
        flags: <LogoutArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker push",
        names: &["push", "image push"],
        help: include_str!("../help/push.txt"),
        args: ArgRule::Exact(1),
        handler: push::push,
        flags: <PushArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker tag",
        names: &["tag", "image tag"],
        help: include_str!("../help/tag.txt"),
        args: ArgRule::Exact(2),
        handler: images::tag,
        flags: <TagArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker rmi",
        names: &["rmi"],
        help: include_str!("../help/rmi.txt"),
        args: ArgRule::Min(1),
        handler: rmi::rmi,
        flags: <RmiArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker image rm",
        names: &["image rm", "image remove"],
        help: include_str!("../help/image-rm.txt"),
        args: ArgRule::Min(1),
        handler: rmi::rmi,
        flags: <RmiArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker image inspect",
        names: &["image inspect"],
        help: include_str!("../help/image-inspect.txt"),
        args: ArgRule::Min(1),
        handler: images::inspect,
        flags: <InspectArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker inspect",
        names: &["inspect"],
        help: include_str!("../help/inspect.txt"),
        args: ArgRule::Min(1),
        handler: system::inspect,
        flags: <InspectArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker history",
        names: &["history"],
        help: include_str!("../help/history.txt"),
        args: ArgRule::Exact(1),
        handler: images::history,
        flags: <HistoryArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker image history",
        names: &["image history"],
        help: include_str!("../help/image-history.txt"),
        args: ArgRule::Exact(1),
        handler: images::history,
        flags: <HistoryArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker search",
        names: &["search"],
        help: include_str!("../help/search.txt"),
        args: ArgRule::Exact(1),
        handler: search::search,
        flags: <SearchArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker run",
        names: &["run", "container run"],
        help: include_str!("../help/run.txt"),
        args: ArgRule::Min(1),
        handler: run::run,
        flags: <RunArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker create",
        names: &["create", "container create"],
        help: include_str!("../help/create.txt"),
        args: ArgRule::Min(1),
        handler: run::create,
        flags: <RunArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker ps",
        names: &["ps"],
        help: include_str!("../help/ps.txt"),
        args: ArgRule::None,
        handler: containers::ps,
        flags: <PsArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker container ls",
        names: &["container ls", "container list", "container ps"],
        help: include_str!("../help/container-ls.txt"),
        args: ArgRule::None,
        handler: containers::ps,
        flags: <PsArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker rm",
        names: &["rm", "container rm", "container remove"],
        help: include_str!("../help/rm.txt"),
        args: ArgRule::Min(1),
        handler: containers::rm,
        flags: <RmArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker version",
        names: &["version"],
        help: include_str!("../help/version.txt"),
        args: ArgRule::None,
        handler: system::version,
        flags: <FormatOnlyArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker info",
        names: &["info"],
        help: include_str!("../help/info.txt"),
        args: ArgRule::None,
        handler: system::info,
        flags: <FormatOnlyArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker system df",
        names: &["system df"],
        help: include_str!("../help/system-df.txt"),
        args: ArgRule::None,
        handler: df::df,
        flags: <DfArgs as CommandFactory>::command,
    },
    Verb {
        path: "docker system info",
        names: &["system info"],
        help: include_str!("../help/system-info.txt"),
        args: ArgRule::None,
        handler: system::info,
        flags: <FormatOnlyArgs as CommandFactory>::command,
    },
];

/// A listing row: a JSON object of the formatter context's fields, and the Go type the
/// template errors name.
pub(super) struct Row {
    pub type_name: &'static str,
    pub fields: Map<String, Value>,
}

impl format::TemplateContext for Row {
    fn type_name(&self) -> String {
        self.type_name.to_string()
    }
    fn field(&self, name: &str) -> Option<Value> {
        self.fields.get(name).cloned()
    }
    fn to_json(&self) -> Value {
        format::sorted_object(&self.fields)
    }
}

/// Prints `rows` with `--format` (or the default table), as the CLI's formatter does.
pub(super) fn print_rows(
    out: &mut dyn Write,
    format_flag: Option<&str>,
    default_table: &str,
    headers: &[(&str, &str)],
    rows: &[Row],
    template_error_prefix: &str,
) -> Result<(), CliError> {
    let headers: BTreeMap<String, String> = headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let contexts: Vec<&dyn format::TemplateContext> = rows
        .iter()
        .map(|r| r as &dyn format::TemplateContext)
        .collect();
    let text = format::render(
        format_flag.unwrap_or(""),
        default_table,
        &headers,
        &contexts,
    )
    .map_err(|e| CliError::message(format!("{template_error_prefix}{e}")))?;
    out.write_all(text.as_bytes())?;
    Ok(())
}

/// Asks `question` and reads the answer from stdin, as the prune commands do; a "no"
/// ends the line the prompt left open.
pub(super) fn confirmed(streams: &mut Streams<'_>, question: &str) -> Result<bool, CliError> {
    write!(
        streams.stdout,
        "{question}\nAre you sure you want to continue? [y/N] "
    )?;
    let answer = String::from_utf8_lossy(streams.stdin);
    let yes = matches!(
        answer.lines().next().map(str::trim),
        Some("y" | "Y" | "yes" | "Yes")
    );
    if !yes {
        writeln!(streams.stdout)?;
    }
    Ok(yes)
}

/// `-q`: each row's ID, one per line.
pub(super) fn print_ids(out: &mut dyn Write, rows: &[Row]) -> Result<(), CliError> {
    for row in rows {
        writeln!(out, "{}", row.fields["ID"].as_str().unwrap_or_default())?;
    }
    Ok(())
}

/// `key=value` filter flags into the API's filter map.
pub(super) fn filters(flags: &[String]) -> Result<crate::backend::Filters, CliError> {
    let mut out = crate::backend::Filters::new();
    for f in flags {
        match f.split_once('=') {
            Some((k, v)) => out
                .entry(k.trim().to_lowercase())
                .or_default()
                .push(v.to_string()),
            None => {
                return Err(CliError::Message {
                    text: format!(
                        "invalid argument \"{f}\" for \"-f, --filter\" flag: bad format of filter (expected name=value)"
                    ),
                    code: 125,
                });
            }
        }
    }
    Ok(out)
}

/// Go's `time.Time.String()` for a Unix time, in UTC: `2023-05-30 09:33:04 +0000 UTC`.
pub(super) fn go_time(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S +0000 UTC").to_string())
        .unwrap_or_default()
}

/// Go's `json.MarshalIndent(v, "", "    ")`, HTML characters escaped as Go escapes them.
pub(super) fn go_json_indent(value: &Value) -> String {
    let mut buf = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, formatter);
    serde::Serialize::serialize(value, &mut ser).expect("JSON values always serialise");
    String::from_utf8(buf)
        .expect("serde_json writes UTF-8")
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

//! `docker login` and `docker logout`, and the credentials the CLI keeps for them in its
//! config file (`~/.docker/config.json`, `{"auths": {"<server>": {"auth": base64}}}`),
//! attached to every push and pull as the docker CLI attaches them.

use crate::backend::Credentials;
use crate::cli::args::{LoginArgs, LogoutArgs};
use crate::cli::parse::Verb;
use crate::cli::{Cli, CliError};
use crate::engine::streams::Streams;
use base64::Engine as _;
use serde_json::{Map, Value};

/// Where the lab's docker CLI keeps its config (the lab's `HOME` is `/`).
const CONFIG_DIR: &str = "/.docker";
const CONFIG_PATH: &str = "/.docker/config.json";
/// Docker Hub's key in `auths`.
const HUB_SERVER: &str = "https://index.docker.io/v1/";

/// The `auths` key for what the user typed: Docker Hub's URL, or a bare host.
fn server_key(server: Option<&str>) -> String {
    let Some(server) = server else {
        return HUB_SERVER.to_string();
    };
    let host = server
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap_or("");
    match host {
        "docker.io" | "index.docker.io" | "registry-1.docker.io" => HUB_SERVER.to_string(),
        host => host.to_string(),
    }
}

fn read_config(cli: &mut Cli<'_>) -> Map<String, Value> {
    cli.files
        .read_file(CONFIG_PATH)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

/// Writes the config as the docker CLI does (tab-indented), creating `~/.docker`.
fn write_config(cli: &mut Cli<'_>, config: &Map<String, Value>) -> Result<(), CliError> {
    let mut text = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"\t");
    let mut serializer = serde_json::Serializer::with_formatter(&mut text, formatter);
    serde::Serialize::serialize(config, &mut serializer).map_err(std::io::Error::other)?;
    // A tar of the directory and the file: the one client-side write that makes
    // directories.
    let mut tar = tar::Builder::new(Vec::new());
    let mut dir = tar::Header::new_ustar();
    dir.set_entry_type(tar::EntryType::Directory);
    dir.set_mode(0o700);
    dir.set_size(0);
    dir.set_cksum();
    tar.append_data(&mut dir, ".docker", std::io::empty())?;
    let mut file = tar::Header::new_ustar();
    file.set_mode(0o600);
    file.set_size(text.len() as u64);
    file.set_cksum();
    tar.append_data(&mut file, ".docker/config.json", &text[..])?;
    let tar = tar.into_inner()?;
    let parent = CONFIG_DIR.trim_end_matches(".docker");
    cli.files
        .extract(parent, &tar, None)
        .map_err(CliError::message)
}

/// Hands the backend the credentials in the config file, before a push or pull.
pub(super) fn attach_credentials(cli: &mut Cli<'_>) {
    let config = read_config(cli);
    let credentials = config
        .get("auths")
        .and_then(Value::as_object)
        .map(|auths| {
            auths
                .iter()
                .filter_map(|(server, entry)| {
                    let encoded = entry.get("auth")?.as_str()?;
                    let decoded = base64::engine::general_purpose::STANDARD
                        .decode(encoded)
                        .ok()?;
                    let text = String::from_utf8(decoded).ok()?;
                    let (username, password) = text.split_once(':')?;
                    Some((
                        server.clone(),
                        Credentials {
                            username: username.to_string(),
                            password: password.to_string(),
                        },
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    cli.backend.use_credentials(credentials);
}

pub fn login(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: LoginArgs = verb.parse(raw)?;
    if args.password.is_some() && args.password_stdin {
        return Err(CliError::message(
            "--password and --password-stdin are mutually exclusive",
        ));
    }
    let password = if args.password_stdin {
        if args.username.is_none() {
            return Err(CliError::message(
                "Must provide --username with --password-stdin",
            ));
        }
        let text = String::from_utf8_lossy(streams.stdin);
        Some(text.trim_end_matches(['\n', '\r']).to_string())
    } else {
        args.password.clone()
    };
    if args.password.is_some() {
        writeln!(
            streams.stderr,
            "WARNING! Using --password via the CLI is insecure. Use --password-stdin."
        )?;
    }
    // The lab has no terminal to ask on.
    let (Some(username), Some(password)) = (args.username.clone(), password) else {
        return Err(CliError::message(
            "Error: Cannot perform an interactive login from a non TTY device",
        ));
    };
    let server = server_key(args.args.first().map(String::as_str));
    let credentials = Credentials { username, password };
    let status = cli.backend.login(&server, &credentials)?;
    let mut config = read_config(cli);
    let auths = config
        .entry("auths")
        .or_insert_with(|| Value::Object(Map::new()));
    if !auths.is_object() {
        *auths = Value::Object(Map::new());
    }
    let auth = base64::engine::general_purpose::STANDARD
        .encode(format!("{}:{}", credentials.username, credentials.password));
    auths[server.as_str()] = serde_json::json!({ "auth": auth });
    write_config(cli, &config)?;
    write!(
        streams.stderr,
        "\nWARNING! Your credentials are stored unencrypted in '{CONFIG_PATH}'.\n\
         Configure a credential helper to remove this warning. See\n\
         https://docs.docker.com/go/credential-store/\n\n"
    )?;
    writeln!(streams.stdout, "{status}")?;
    Ok(0)
}

pub fn logout(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: LogoutArgs = verb.parse(raw)?;
    let server = server_key(args.args.first().map(String::as_str));
    let mut config = read_config(cli);
    let removed = config
        .get_mut("auths")
        .and_then(Value::as_object_mut)
        .and_then(|auths| auths.remove(&server));
    if removed.is_none() {
        writeln!(streams.stdout, "Not logged in to {server}")?;
        return Ok(0);
    }
    writeln!(streams.stdout, "Removing login credentials for {server}")?;
    write_config(cli, &config)?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers_are_keyed_as_docker_keys_them() {
        assert_eq!(server_key(None), HUB_SERVER);
        assert_eq!(server_key(Some("docker.io")), HUB_SERVER);
        assert_eq!(server_key(Some("localhost:5000")), "localhost:5000");
        assert_eq!(
            server_key(Some("http://localhost:5000/v2/")),
            "localhost:5000"
        );
    }
}

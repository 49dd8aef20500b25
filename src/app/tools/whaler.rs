//! `whaler IMAGE`: P3GLEG/Whaler's report, without colours. The image's Docker version
//! and graph driver, environment variables, open ports and user; the potential secrets
//! among the files of every layer (and secret-looking environment variables); and the
//! Dockerfile rebuilt from the history, each ADD/COPY followed by the files it added.
//!
//! Owns whaler's wording, its Dockerfile reconstruction (`clean_command`), its file
//! name patterns and its noise filter.

use super::image::SavedImage;
use super::{err, out, save};
use crate::backend::Backend;
use crate::engine::streams::Streams;
use regex::Regex;
use std::fmt::Write as _;
use std::sync::OnceLock;

const USAGE: &str = "\
Usage of whaler:
  -filter
    \tFilters filenames that create noise such as node_modules. Check ignore.go file for more details (default true)
  -v\tPrint all details about the image
";

/// Whaler's file name patterns (description, regex), in its order; the first match wins.
const PATTERNS: &[(&str, &str)] = &[
    ("Azure service configuration file", r"\.cscfg$"),
    ("Potential MSBuild publish profile", r"\.pubxml(\.user)?$"),
    ("RDP file", r"\.rdp$"),
    ("Private client certificate", r"\.pfx$"),
    ("Potential cryptographic key bundle", r"\.pkcs12$"),
    ("Potential cryptographic key bundle", r"\.p12$"),
    ("Potential cryptographic key bundle", r"\.asc$"),
    ("Possible public key", r"\.pub$"),
    ("Potential Jenkins credentials file", r"^cred[\s\S]*xml"),
    ("Database file", r"\.sql$"),
    ("Database file", r"\.sqlite$"),
    (
        "MySQL client command history file",
        r"^[\s\S]*mysql_history",
    ),
    (
        "PostgreSQL client command history file",
        r"^[\s\S]*psql_history",
    ),
    ("Network traffic capture file", r"\.pcap$"),
    ("Wordpress configuration file", r"wp-config[\s\S]*.php"),
    ("S3cmd configuration file", r"\.s3cfg$"),
    ("OpenVPN client configuration file", r"\.ovpn$"),
    (
        "Ruby On Rails secret token configuration file",
        "secret_token",
    ),
    ("Client SSH Config", r".?ssh_config[\s\S]*"),
    ("Server SSH Config", r".?sshd_config[\s\S]*"),
    ("KeePass password manager database file", r"\.kdb$"),
    ("Rubygems credentials file", r"\A\.?gem/credentials\z"),
    ("SSH file", r"\.ssh$"),
    ("java key store", r"\.jks$"),
    ("openssl .key, apple .keychain, etc.", r"\.key$"),
    ("apache/nginx", "htaccess"),
    ("openssh", "id_dsa"),
    ("openssh", "id_ecdsa"),
    ("openssh", "id_ed25519"),
    ("openssh", "id_rsa"),
    ("~/.netrc", r"\.netrc$"),
    ("gnupg", r"secring\.gpg"),
    ("bitcoin", "wallet.dat"),
    ("Private SSH key", r"\A.*_rsa\z"),
    ("Private SSH key", r"\A.*_dsa\z"),
    ("Private SSH key", r"\A.*_ed25519\z"),
    ("Private SSH key", r"\A.*_ecdsa\z"),
    ("SSH configuration file", r"\.?ssh/config\z"),
    ("Potential cryptographic private key", r"\Akey(pair)?\z"),
    (
        "Shell command history file",
        r"\A\.?(bash_|zsh_|z)?history\z",
    ),
    ("PostgreSQL password file", r"\A\.?pgpass\z"),
    ("AWS CLI credentials file", r"\.?aws/credentials\z"),
    ("Shell configuration file", r"\A\.?(bash|zsh)rc\z"),
    ("PHP configuration file", r"\A(.*)?config(\.inc)?\.php\z"),
    ("Apple Keychain database file", r"\.keychain$"),
    ("Potential Jenkins credentials file", r"credentials.xml$"),
    ("Apache htpasswd file", r"\A\.?htpasswd\z"),
    (
        "git-credential-store helper credentials file",
        r"\A\.?git-credentials\z",
    ),
    ("Chef private key", r"\.?chef/(.*)\.pem\z"),
    ("Docker configuration file", r"\A\.?dockercfg\z"),
    ("NPM configuration file", r"\A\.?npmrc\z"),
    ("Terraform variable config file", "terraform.tfvars"),
    ("Environment configuration file", r"\A\.?env\z"),
    ("Potential cryptographic private key", r"\.pem$"),
];

/// Whaler's noise filter (from linguist's vendor.yml), the entries that matter in images,
/// plus the system's public CA bundle, which every image has.
const NOISE: &[&str] = &[
    r"\.npm/",
    "usr/share/",
    "(^|/)cache/",
    "(^|/)dist/",
    "node_modules/",
    "bower_components/",
    "third[-_]?party/",
    "vendors?/",
    "extern(al)?/",
    "(^|/)[Vv]+endor/",
    r"(^|/)\.mvn/wrapper/",
    r"(\.|-)min\.(js|css)$",
    "gitattributes$",
    "gitignore$",
    "gitmodules$",
    "^etc/ssl/",
];

fn patterns() -> &'static [(&'static str, &'static str, Regex)] {
    static COMPILED: OnceLock<Vec<(&str, &str, Regex)>> = OnceLock::new();
    COMPILED.get_or_init(|| {
        PATTERNS
            .iter()
            .map(|(description, value)| {
                (
                    *description,
                    *value,
                    Regex::new(value).expect("valid pattern"),
                )
            })
            .collect()
    })
}

fn noise() -> &'static Regex {
    static COMPILED: OnceLock<Regex> = OnceLock::new();
    COMPILED.get_or_init(|| Regex::new(&NOISE.join("|")).expect("valid filter"))
}

/// Whether whaler's filter hides this layer file name.
pub fn is_noise(name: &str) -> bool {
    noise().is_match(name)
}

/// The first pattern a layer file name matches: the whole name, or for a dot-file its last
/// one and two components (whaler anchors `\A\.?env\z` and the like at the start of the
/// name, so `app/.env` would slip through).
pub fn scan_filename(name: &str) -> Option<(&'static str, &'static str)> {
    let is_dir = name.ends_with('/');
    let parts: Vec<&str> = name.rsplitn(3, '/').collect();
    let base = parts.first().copied().unwrap_or(name);
    let two = if parts.len() >= 2 {
        format!("{}/{}", parts[1], parts[0])
    } else {
        name.to_string()
    };
    patterns()
        .iter()
        .find(|(_, _, re)| {
            re.is_match(name)
                || (!is_dir && base.starts_with('.') && (re.is_match(base) || re.is_match(&two)))
        })
        .map(|(description, value, _)| (*description, *value))
}

/// An environment variable whose name looks like it holds a secret.
pub fn secret_env(var: &str) -> bool {
    let name = var
        .split('=')
        .next()
        .unwrap_or_default()
        .to_ascii_uppercase();
    [
        "PASSWORD",
        "PASSWD",
        "PASS",
        "TOKEN",
        "SECRET",
        "API_KEY",
        "APIKEY",
        "PRIVATE_KEY",
        "ACCESS_KEY",
        "CREDENTIAL",
    ]
    .iter()
    .any(|word| name.contains(word))
}

/// Whaler's `cleanString`: one line per `&&`, `#(nop) ` rows as their instruction,
/// shell rows as `RUN`.
pub fn clean_command(created_by: &str) -> String {
    let mut s = created_by.split_whitespace().collect::<Vec<_>>().join(" ");
    s = s.replace("&&", "\\\n\t&&");
    if s.starts_with("/bin/sh -c ") {
        if s.starts_with("/bin/sh -c #(nop)") {
            s = s.replace("/bin/sh -c ", "").replace("#(nop) ", "");
        } else {
            s = s.replace("/bin/sh -c ", "RUN ");
        }
    }
    if let Some(rest) = s.strip_prefix("RUN /bin/sh -c ") {
        s = format!("RUN {rest}");
    }
    if let Some(rest) = s.strip_prefix("RUN RUN ") {
        s = format!("RUN {rest}");
    }
    s
}

/// The report after the image header: secrets, then the Dockerfile.
pub fn render_report(image: &SavedImage, verbose: bool, filter: bool) -> String {
    let mut text = String::new();
    let mut secrets = String::new();
    let mut any_file = false;
    for layer in &image.layers {
        for name in &layer.names {
            if is_noise(name) {
                continue;
            }
            any_file = true;
            if let Some((description, value)) = scan_filename(name) {
                let _ = writeln!(
                    secrets,
                    "|Found match {name} {description} {value} {}",
                    layer.tar_path
                );
            }
        }
    }
    let env = image.container_config("Env");
    for var in env
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str())
    {
        if secret_env(var) {
            let _ = writeln!(
                secrets,
                "|Found match {var} Secret-looking environment variable ENV config"
            );
        }
    }
    if any_file || !secrets.is_empty() {
        text.push_str("Potential secrets:\n");
        text.push_str(&secrets);
    }

    text.push_str("Dockerfile:\n");
    let layer_of = {
        let mut layers = image.layers.iter();
        image
            .history
            .iter()
            .map(|row| if row.empty_layer { None } else { layers.next() })
            .collect::<Vec<_>>()
    };
    let start = if verbose { 0 } else { 1 };
    for (row, layer) in image.history.iter().zip(&layer_of).skip(start) {
        let _ = writeln!(text, "{}", clean_command(&row.created_by));
        let adds = row.created_by.contains("ADD") || row.created_by.contains("COPY");
        if verbose {
            for name in layer.iter().flat_map(|l| &l.names) {
                let _ = writeln!(text, "\t{name}");
            }
        } else if adds {
            for name in layer.iter().flat_map(|l| &l.names) {
                if !filter || !is_noise(name) {
                    let _ = writeln!(text, "\t{name}");
                }
            }
            text.push('\n');
        }
    }
    text.push('\n');
    text
}

/// The header whaler prints from `docker image inspect`.
fn render_header(name: &str, image: &SavedImage, docker_version: &str, driver: &str) -> String {
    let mut text = String::new();
    let _ = writeln!(text, "Analyzing {name}");
    let _ = writeln!(text, "Docker Version: {docker_version}");
    let _ = writeln!(text, "GraphDriver: {driver}");
    let env: Vec<&str> = image
        .container_config("Env")
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str())
        .collect();
    if !env.is_empty() {
        text.push_str("Environment Variables\n");
        for var in env {
            let _ = writeln!(text, "|{var}");
        }
        text.push('\n');
    }
    if let Some(ports) = image.container_config("ExposedPorts").as_object()
        && !ports.is_empty()
    {
        text.push_str("Open Ports\n");
        for port in ports.keys() {
            let number = port.split('/').next().unwrap_or(port);
            let _ = writeln!(text, "|{number}");
        }
        text.push('\n');
    }
    text.push_str("Image user\n");
    match image.container_config("User").as_str().unwrap_or_default() {
        "" => text.push_str("|User is root\n"),
        user => {
            let _ = writeln!(text, "|Image is running as User: {user}");
        }
    }
    text.push('\n');
    text
}

/// `whaler [-v] [-filter=false] IMAGE`.
pub fn run(backend: &mut dyn Backend, args: &[String], mut streams: Streams<'_>) -> i32 {
    let mut verbose = false;
    let mut filter = true;
    let mut name = None;
    for arg in args {
        match arg.trim_start_matches('-') {
            "v" | "v=true" if arg.starts_with('-') => verbose = true,
            "v=false" if arg.starts_with('-') => verbose = false,
            "filter" | "filter=true" if arg.starts_with('-') => filter = true,
            "filter=false" if arg.starts_with('-') => filter = false,
            "h" | "help" if arg.starts_with('-') => {
                err(&mut streams, USAGE);
                return 0;
            }
            flag if arg.starts_with('-') => {
                err(
                    &mut streams,
                    &format!("flag provided but not defined: -{flag}\n{USAGE}"),
                );
                return 2;
            }
            _ if name.is_none() => name = Some(arg.clone()),
            _ => {}
        }
    }
    let Some(name) = name else {
        out(
            &mut streams,
            "Please provide a repository image to analyze. ./whaler nginx:latest\n",
        );
        return 1;
    };
    let driver = match backend.inspect_image(&name) {
        Ok(inspect) => inspect.graph_driver.map(|d| d.name).unwrap_or_default(),
        Err(_) => String::new(),
    };
    let driver = if driver.is_empty() {
        "overlay2".to_string()
    } else {
        driver
    };
    let bytes = match save(backend, &name) {
        Ok(bytes) => bytes,
        Err(message) => {
            out(&mut streams, &format!("{message}\n"));
            return 1;
        }
    };
    let image = match SavedImage::parse(&bytes) {
        Ok(image) => image,
        Err(message) => {
            out(&mut streams, &format!("{message}\n"));
            return 1;
        }
    };
    let docker_version = image.config["docker_version"].as_str().unwrap_or_default();
    let mut text = render_header(&name, &image, docker_version, &driver);
    text.push_str(&render_report(&image, verbose, filter));
    out(&mut streams, &text);
    0
}

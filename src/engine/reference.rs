//! Image references with Docker's exact normalisation and validation
//! (`ubuntu` → `docker.io/library/ubuntu:latest`), as distribution/reference's
//! `ParseNormalizedNamed`, `ParseDockerRef`, `FamiliarName` and `FamiliarString` do it,
//! with the same error texts the docker CLI prints.
//!
//! Owns reference syntax only: no lookups, no registries, no image store. Uses nothing
//! outside `crate::engine` (only [`Digest`]).

use crate::engine::digest::Digest;
use regex::Regex;
use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

/// The registry that names without a domain belong to.
pub const DEFAULT_DOMAIN: &str = "docker.io";
/// The old name of Docker Hub's registry, normalised to [`DEFAULT_DOMAIN`].
pub const LEGACY_DEFAULT_DOMAIN: &str = "index.docker.io";
/// The namespace of Docker Hub's official images.
pub const OFFICIAL_REPO_PREFIX: &str = "library/";
/// The tag added when a reference has neither tag nor digest.
pub const DEFAULT_TAG: &str = "latest";
/// Longest repository path (the part after the domain) Docker accepts.
pub const NAME_TOTAL_LENGTH_MAX: usize = 255;

/// Why a reference was rejected; `Display` is the exact text the docker CLI prints.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    #[error("invalid reference format")]
    InvalidFormat,
    #[error("invalid reference format: repository name must be lowercase")]
    NameContainsUppercase,
    #[error("invalid reference format: repository name ({0}) must be lowercase")]
    RepositoryNotLowercase(String),
    #[error("invalid repository name ({0}), cannot specify 64-byte hexadecimal strings")]
    HexadecimalName(String),
    #[error("repository name must have at least one component")]
    NameEmpty,
    #[error("repository name must not be more than {NAME_TOTAL_LENGTH_MAX} characters")]
    NameTooLong,
    #[error("invalid tag format")]
    TagInvalidFormat,
    #[error("invalid checksum digest format")]
    DigestInvalidFormat,
    #[error("invalid checksum digest length")]
    DigestInvalidLength,
    #[error("unsupported digest algorithm")]
    DigestUnsupported,
}

// The grammar of distribution/reference's regexp.go. Go's `\w` is ASCII-only, so it is
// spelled out here (Rust's `\w` would accept any Unicode letter).
const ALPHANUMERIC: &str = r"[a-z0-9]+";
const SEPARATOR: &str = r"(?:[._]|__|[-]+)";
const DOMAIN_NAME_COMPONENT: &str = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const IPV6_ADDRESS: &str = r"\[(?:[a-fA-F0-9:]+)\]";
const OPTIONAL_PORT: &str = r"(?::[0-9]+)?";
const TAG: &str = r"[0-9A-Za-z_][0-9A-Za-z_.-]{0,127}";
const DIGEST: &str = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][[:xdigit:]]{32,}";

fn domain_and_port() -> String {
    let domain_name = format!(r"{DOMAIN_NAME_COMPONENT}(?:\.{DOMAIN_NAME_COMPONENT})*");
    format!(r"(?:{domain_name}|{IPV6_ADDRESS}){OPTIONAL_PORT}")
}

fn remote_name() -> String {
    let path_component = format!(r"{ALPHANUMERIC}(?:{SEPARATOR}{ALPHANUMERIC})*");
    format!(r"{path_component}(?:/{path_component})*")
}

/// `^((?:domain/)?remote)(?::(tag))?(?:@(digest))?$`
static REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
    let name = format!(r"(?:{}/)?{}", domain_and_port(), remote_name());
    Regex::new(&format!(r"^({name})(?::({TAG}))?(?:@({DIGEST}))?$")).expect("reference regexp")
});
/// `^(?:(domain)/)?(remote)$`
static ANCHORED_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^(?:({})/)?({})$",
        domain_and_port(),
        remote_name()
    ))
    .expect("name regexp")
});
static ANCHORED_TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!("^{TAG}$")).expect("tag regexp"));
static ANCHORED_DOMAIN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!("^{}$", domain_and_port())).expect("domain regexp"));
static ANCHORED_DIGEST: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!("^{DIGEST}$")).expect("digest regexp"));

/// A named image reference: `domain/path[:tag][@digest]`, always with its domain.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Reference {
    domain: String,
    path: String,
    tag: Option<String>,
    digest: Option<Digest>,
}

/// Parses what a user types (`ubuntu`, `user/app:1.0`, `localhost:5000/mynmap`,
/// `quay.io/org/img@sha256:...`) into a fully qualified reference, exactly as Docker's
/// `ParseNormalizedNamed`. No default tag is added.
pub fn parse_normalized(s: &str) -> Result<Reference, ReferenceError> {
    if is_full_id(s) {
        return Err(ReferenceError::HexadecimalName(s.to_string()));
    }
    let (domain, remainder) = split_docker_domain(s);
    let remote_name = match remainder.find(':') {
        Some(i) => &remainder[..i],
        None => &remainder,
    };
    if remote_name.to_lowercase() != remote_name {
        return Err(ReferenceError::RepositoryNotLowercase(
            remote_name.to_string(),
        ));
    }
    parse(&format!("{domain}/{remainder}"))
}

/// `parse_normalized`, then what Docker's `ParseDockerRef` does: a reference with a digest
/// loses its tag, one with neither gets `latest`.
pub fn parse_docker_ref(s: &str) -> Result<Reference, ReferenceError> {
    let mut r = parse_normalized(s)?;
    if r.digest.is_some() {
        r.tag = None;
    }
    Ok(r.with_default_tag())
}

/// Parses an already qualified string with no normalisation (distribution's `Parse`);
/// the domain must be present.
fn parse(s: &str) -> Result<Reference, ReferenceError> {
    let Some(caps) = REFERENCE.captures(s) else {
        if s.is_empty() {
            return Err(ReferenceError::NameEmpty);
        }
        if REFERENCE.is_match(&s.to_lowercase()) {
            return Err(ReferenceError::NameContainsUppercase);
        }
        return Err(ReferenceError::InvalidFormat);
    };
    let name = caps.get(1).map_or("", |m| m.as_str());
    let named = ANCHORED_NAME
        .captures(name)
        .ok_or(ReferenceError::InvalidFormat)?;
    let domain = named.get(1).map_or("", |m| m.as_str()).to_string();
    let path = named.get(2).map_or("", |m| m.as_str()).to_string();
    if path.len() > NAME_TOTAL_LENGTH_MAX {
        return Err(ReferenceError::NameTooLong);
    }
    let tag = caps.get(2).map(|m| m.as_str().to_string());
    let digest = caps.get(3).map(|m| parse_digest(m.as_str())).transpose()?;
    Ok(Reference {
        domain,
        path,
        tag,
        digest,
    })
}

/// go-digest's `Parse`: algorithm first, then length, then the hex itself.
fn parse_digest(s: &str) -> Result<Digest, ReferenceError> {
    let (algorithm, hex) = s
        .split_once(':')
        .ok_or(ReferenceError::DigestInvalidFormat)?;
    let want = match algorithm {
        "sha256" => 64,
        "sha512" => 128,
        _ if ANCHORED_DIGEST.is_match(s) => return Err(ReferenceError::DigestUnsupported),
        _ => return Err(ReferenceError::DigestInvalidFormat),
    };
    if hex.len() != want {
        return Err(ReferenceError::DigestInvalidLength);
    }
    Digest::from_str(s).map_err(|_| ReferenceError::DigestInvalidFormat)
}

/// distribution's `splitDockerDomain`: the first component is a domain only if it is
/// `localhost`, contains `.` or `:`, or has upper case; Hub names get `library/`.
fn split_docker_domain(name: &str) -> (String, String) {
    let Some((maybe_domain, maybe_remote)) = name.split_once('/') else {
        return (
            DEFAULT_DOMAIN.to_string(),
            format!("{OFFICIAL_REPO_PREFIX}{name}"),
        );
    };
    let (domain, mut remote) = if maybe_domain == "localhost" {
        (maybe_domain, maybe_remote.to_string())
    } else if maybe_domain == LEGACY_DEFAULT_DOMAIN {
        (DEFAULT_DOMAIN, maybe_remote.to_string())
    } else if maybe_domain.contains(['.', ':']) || maybe_domain.to_lowercase() != maybe_domain {
        (maybe_domain, maybe_remote.to_string())
    } else {
        (DEFAULT_DOMAIN, name.to_string())
    };
    if domain == DEFAULT_DOMAIN && !remote.contains('/') {
        remote = format!("{OFFICIAL_REPO_PREFIX}{remote}");
    }
    (domain.to_string(), remote)
}

impl Reference {
    /// A reference from its parts, validated as Docker validates a parsed one.
    pub fn new(
        domain: &str,
        path: &str,
        tag: Option<&str>,
        digest: Option<Digest>,
    ) -> Result<Reference, ReferenceError> {
        if !ANCHORED_DOMAIN.is_match(domain) {
            return Err(ReferenceError::InvalidFormat);
        }
        let r = parse(&format!("{domain}/{path}"))?;
        if r.domain != domain || r.path != path || r.tag.is_some() || r.digest.is_some() {
            return Err(ReferenceError::InvalidFormat);
        }
        let r = match tag {
            Some(t) => r.with_tag(t)?,
            None => r,
        };
        Ok(Reference { digest, ..r })
    }

    /// The same repository with `tag` (replacing any tag, keeping any digest).
    pub fn with_tag(&self, tag: &str) -> Result<Reference, ReferenceError> {
        if !ANCHORED_TAG.is_match(tag) {
            return Err(ReferenceError::TagInvalidFormat);
        }
        Ok(Reference {
            tag: Some(tag.to_string()),
            ..self.clone()
        })
    }

    /// The same repository with `digest` (keeping any tag).
    pub fn with_digest(&self, digest: Digest) -> Reference {
        Reference {
            digest: Some(digest),
            ..self.clone()
        }
    }

    /// The repository alone, without tag or digest.
    pub fn name_only(&self) -> Reference {
        Reference {
            tag: None,
            digest: None,
            ..self.clone()
        }
    }

    /// Adds `latest` when there is neither tag nor digest (distribution's `TagNameOnly`).
    pub fn with_default_tag(mut self) -> Reference {
        if self.tag.is_none() && self.digest.is_none() {
            self.tag = Some(DEFAULT_TAG.to_string());
        }
        self
    }

    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// The repository path inside its registry (`library/ubuntu`).
    pub fn path(&self) -> &str {
        &self.path
    }

    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    pub fn digest(&self) -> Option<&Digest> {
        self.digest.as_ref()
    }

    /// Whether the repository lives on Docker Hub.
    pub fn is_hub(&self) -> bool {
        self.domain == DEFAULT_DOMAIN
    }

    /// `docker.io/library/ubuntu`: domain and path.
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.domain, self.path)
    }

    /// The name as Docker shows it: `ubuntu`, `user/app`, `localhost:5000/mynmap`.
    pub fn familiar_name(&self) -> String {
        if self.domain != DEFAULT_DOMAIN {
            return self.full_name();
        }
        match self.path.strip_prefix(OFFICIAL_REPO_PREFIX) {
            Some(rest) if !rest.contains('/') => rest.to_string(),
            _ => self.path.clone(),
        }
    }

    /// What Docker prints for the reference: `ubuntu:18.04`, `user/app@sha256:...`.
    pub fn familiar_string(&self) -> String {
        let mut s = self.familiar_name();
        self.push_tag_and_digest(&mut s);
        s
    }

    fn push_tag_and_digest(&self, s: &mut String) {
        if let Some(t) = &self.tag {
            s.push(':');
            s.push_str(t);
        }
        if let Some(d) = &self.digest {
            s.push('@');
            s.push_str(&d.to_string());
        }
    }
}

/// Fully qualified: `docker.io/library/ubuntu:18.04`.
impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = self.full_name();
        self.push_tag_and_digest(&mut s);
        f.write_str(&s)
    }
}

/// [`parse_normalized`].
impl FromStr for Reference {
    type Err = ReferenceError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_normalized(s)
    }
}

/// A full image ID without its algorithm: exactly 64 lower-case hex characters.
pub fn is_full_id(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The hex an ID lookup would search for, if `s` can name an image or container by ID
/// (prefix): optional `sha256:` then 1 to 64 lower-case hex characters.
pub fn id_prefix(s: &str) -> Option<&str> {
    let hex = s.strip_prefix("sha256:").unwrap_or(s);
    let ok = !hex.is_empty()
        && hex.len() <= 64
        && hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    ok.then_some(hex)
}

/// Docker's short form of an ID: algorithm dropped, first 12 hex characters.
pub fn short_id(id: &str) -> &str {
    let hex = id.split_once(':').map_or(id, |(_, h)| h);
    match hex.char_indices().nth(12) {
        Some((i, _)) => &hex[..i],
        None => hex,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const HEX: &str = "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a";

    fn p(s: &str) -> Reference {
        parse_normalized(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn err(s: &str) -> String {
        parse_normalized(s).expect_err(s).to_string()
    }

    #[test]
    fn normalises_like_docker() {
        // (input, domain, path, tag, familiar_string)
        let cases = [
            ("ubuntu", "docker.io", "library/ubuntu", None, "ubuntu"),
            (
                "ubuntu:18.04",
                "docker.io",
                "library/ubuntu",
                Some("18.04"),
                "ubuntu:18.04",
            ),
            (
                "docker.io/ubuntu",
                "docker.io",
                "library/ubuntu",
                None,
                "ubuntu",
            ),
            (
                "docker.io/library/ubuntu",
                "docker.io",
                "library/ubuntu",
                None,
                "ubuntu",
            ),
            (
                "index.docker.io/ubuntu",
                "docker.io",
                "library/ubuntu",
                None,
                "ubuntu",
            ),
            (
                "index.docker.io/docker/docker",
                "docker.io",
                "docker/docker",
                None,
                "docker/docker",
            ),
            (
                "user/app:1.0",
                "docker.io",
                "user/app",
                Some("1.0"),
                "user/app:1.0",
            ),
            (
                "docker.io/library/foo/bar",
                "docker.io",
                "library/foo/bar",
                None,
                "library/foo/bar",
            ),
            (
                "localhost:5000/mynmap:1.0",
                "localhost:5000",
                "mynmap",
                Some("1.0"),
                "localhost:5000/mynmap:1.0",
            ),
            (
                "localhost/debian",
                "localhost",
                "debian",
                None,
                "localhost/debian",
            ),
            ("a:5000/b", "a:5000", "b", None, "a:5000/b"),
            (
                "127.0.0.1:5000/docker/docker",
                "127.0.0.1:5000",
                "docker/docker",
                None,
                "127.0.0.1:5000/docker/docker",
            ),
            (
                "192.168.0.1",
                "docker.io",
                "library/192.168.0.1",
                None,
                "192.168.0.1",
            ),
            (
                "192.168.0.1:80",
                "docker.io",
                "library/192.168.0.1",
                Some("80"),
                "192.168.0.1:80",
            ),
            (
                "localhost:5000",
                "docker.io",
                "library/localhost",
                Some("5000"),
                "localhost:5000",
            ),
            (
                "[fc00::1]:5000/docker",
                "[fc00::1]:5000",
                "docker",
                None,
                "[fc00::1]:5000/docker",
            ),
            (
                "[::1]:5000/mynmap",
                "[::1]:5000",
                "mynmap",
                None,
                "[::1]:5000/mynmap",
            ),
            (
                "[fc00:1:2:3:4:5:6:7]:5000/debian",
                "[fc00:1:2:3:4:5:6:7]:5000",
                "debian",
                None,
                "[fc00:1:2:3:4:5:6:7]:5000/debian",
            ),
            (
                "xn--7o8h.com/myimage",
                "xn--7o8h.com",
                "myimage",
                None,
                "xn--7o8h.com/myimage",
            ),
            (
                "example.com/some_separator__underscore/myimage",
                "example.com",
                "some_separator__underscore/myimage",
                None,
                "example.com/some_separator__underscore/myimage",
            ),
            ("Foo/bar", "Foo", "bar", None, "Foo/bar"),
            (
                "foo_bar.com:8080",
                "docker.io",
                "library/foo_bar.com",
                Some("8080"),
                "foo_bar.com:8080",
            ),
            (
                "foo/foo_bar.com:8080",
                "docker.io",
                "foo/foo_bar.com",
                Some("8080"),
                "foo/foo_bar.com:8080",
            ),
            ("a---b/c", "docker.io", "a---b/c", None, "a---b/c"),
            (
                "ubuntu:Latest_Tag-1.x",
                "docker.io",
                "library/ubuntu",
                Some("Latest_Tag-1.x"),
                "ubuntu:Latest_Tag-1.x",
            ),
        ];
        for (input, domain, path, tag, familiar) in cases {
            let r = p(input);
            assert_eq!(r.domain(), domain, "{input}");
            assert_eq!(r.path(), path, "{input}");
            assert_eq!(r.tag(), tag, "{input}");
            assert_eq!(r.familiar_string(), familiar, "{input}");
        }
    }

    #[test]
    fn names_and_strings() {
        let r = p("ubuntu:18.04");
        assert_eq!(r.familiar_name(), "ubuntu");
        assert_eq!(r.full_name(), "docker.io/library/ubuntu");
        assert_eq!(r.to_string(), "docker.io/library/ubuntu:18.04");
        assert!(r.is_hub());
        let r = p("localhost:5000/mynmap");
        assert_eq!(r.familiar_name(), "localhost:5000/mynmap");
        assert_eq!(
            r.clone().with_default_tag().to_string(),
            "localhost:5000/mynmap:latest"
        );
        assert!(!r.is_hub());
        let d = format!("sha256:{HEX}");
        let r = p(&format!("quay.io/org/img@{d}"));
        assert_eq!(r.digest().map(|d| d.to_string()), Some(d.clone()));
        assert_eq!(r.clone().with_default_tag().tag(), None);
        assert_eq!(r.to_string(), format!("quay.io/org/img@{d}"));
        let both = p(&format!("ubuntu:18.04@{d}"));
        assert_eq!(both.familiar_string(), format!("ubuntu:18.04@{d}"));
        let docker_ref = parse_docker_ref(&format!("ubuntu:18.04@{d}")).unwrap();
        assert_eq!(
            docker_ref.to_string(),
            format!("docker.io/library/ubuntu@{d}")
        );
        assert_eq!(
            parse_docker_ref("ubuntu").unwrap().to_string(),
            "docker.io/library/ubuntu:latest"
        );
        assert_eq!(p("user/app").familiar_name(), "user/app");
        assert_eq!(
            p("ubuntu").with_tag("x y"),
            Err(ReferenceError::TagInvalidFormat)
        );
        assert_eq!(
            Reference::new("docker.io", "library/ubuntu", Some("22.04"), None).unwrap(),
            p("ubuntu:22.04")
        );
        assert!(Reference::new("docker.io", "Library/ubuntu", None, None).is_err());
        assert_eq!(
            "busybox".parse::<Reference>().unwrap().familiar_string(),
            "busybox"
        );
    }

    #[test]
    fn rejects_like_docker() {
        // Texts as printed by the docker 28.2.2 CLI.
        assert_eq!(
            err("Ubuntu"),
            "invalid reference format: repository name (library/Ubuntu) must be lowercase"
        );
        assert_eq!(
            err("UPPER"),
            "invalid reference format: repository name (library/UPPER) must be lowercase"
        );
        assert_eq!(
            err("localhost/Foo"),
            "invalid reference format: repository name (Foo) must be lowercase"
        );
        assert_eq!(
            err("docker/Docker"),
            "invalid reference format: repository name (docker/Docker) must be lowercase"
        );
        assert_eq!(err("ubuntu:bad:tag"), "invalid reference format");
        assert_eq!(err(""), "invalid reference format");
        assert_eq!(err("ubuntu:-x"), "invalid reference format");
        assert_eq!(err("ubuntu@sha256:abc"), "invalid reference format");
        assert_eq!(
            err(&format!("ubuntu@sha256:{}", &HEX[..63])),
            "invalid checksum digest length"
        );
        assert_eq!(
            err("ubuntu@md5:0123456789abcdef0123456789abcdef"),
            "unsupported digest algorithm"
        );
        assert_eq!(
            err(&format!("ubuntu@sha256:{}", HEX.to_uppercase())),
            "invalid checksum digest format"
        );
        assert_eq!(
            err(HEX),
            format!("invalid repository name ({HEX}), cannot specify 64-byte hexadecimal strings")
        );
        assert_eq!(
            err(&"a".repeat(256)),
            "repository name must not be more than 255 characters"
        );
        // `library/` + 247 = 255: accepted.
        assert!(parse_normalized(&"a".repeat(247)).is_ok());
        assert_eq!(
            err(&"a".repeat(248)),
            "repository name must not be more than 255 characters"
        );
        for bad in [
            "https://github.com/docker/docker",
            "-docker",
            "-docker/docker",
            "-docker.io/docker/docker",
            "docker///docker",
            "docker.io/docker///docker",
            "[fc00::1]",
            "[fc00::1]:5000",
            "fc00::1:5000/debian",
            "[fe80::1%eth0]:5000/debian",
            "[2001:db8:3:4::192.0.2.33]:5000/debian",
            "example.com/..dots/myimage",
            "example.com/.dots/myimage",
            "example.com/nodouble..dots/myimage",
            "example.com/nodouble..dots/myimage:tag",
            "example.com/___underscore/myimage",
            "example.com/__underscore/myimage",
            "example.com/myimage___underscore",
            "docker.io/",
            "ubuntu:",
            "ubuntu@",
            "ubuntu:ünicode",
            &format!("ubuntu:{}", "a".repeat(129)),
        ] {
            assert!(parse_normalized(bad).is_err(), "{bad} should be rejected");
        }
        assert!(parse_normalized(&format!("ubuntu:{}", "a".repeat(128))).is_ok());
    }

    #[test]
    fn id_helpers() {
        assert!(is_full_id(HEX));
        assert!(!is_full_id(&HEX[1..]));
        assert_eq!(id_prefix("sha256:1a3f"), Some("1a3f"));
        assert_eq!(id_prefix("ubuntu"), None);
        assert_eq!(short_id(&format!("sha256:{HEX}")), "1a3f5e7d9c1b");
        assert_eq!(short_id("abc"), "abc");
    }

    fn component(first: bool) -> impl Strategy<Value = String> {
        let sep = if first {
            "(_|__|-{1,3})"
        } else {
            "([._]|__|-{1,3})"
        };
        proptest::string::string_regex(&format!("[a-z0-9]{{1,6}}({sep}[a-z0-9]{{1,4}}){{0,2}}"))
            .unwrap()
    }

    fn reference_string() -> impl Strategy<Value = String> {
        let domain = prop_oneof![
            Just(String::new()),
            Just("docker.io/".to_string()),
            Just("index.docker.io/".to_string()),
            Just("localhost/".to_string()),
            Just("localhost:5000/".to_string()),
            Just("example.com/".to_string()),
            Just("Registry.Example-1.com:443/".to_string()),
            Just("[::1]:5000/".to_string()),
            Just("10.0.0.1/".to_string()),
        ];
        let tag = proptest::option::of(
            proptest::string::string_regex("[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}").unwrap(),
        );
        let digest = proptest::option::of(any::<u64>());
        (
            domain,
            component(true),
            proptest::collection::vec(component(false), 0..3),
            tag,
            digest,
        )
            .prop_map(|(domain, first, rest, tag, digest)| {
                let mut s = domain;
                s.push_str(&first);
                for c in rest {
                    s.push('/');
                    s.push_str(&c);
                }
                if let Some(t) = tag {
                    s.push(':');
                    s.push_str(&t);
                }
                if let Some(n) = digest {
                    s.push('@');
                    s.push_str(&Digest::sha256(&n.to_le_bytes()).to_string());
                }
                s
            })
    }

    proptest! {
        #[test]
        fn valid_references_round_trip(s in reference_string()) {
            let r = parse_normalized(&s).unwrap();
            prop_assert_eq!(parse_normalized(&r.to_string()).unwrap(), r.clone());
            prop_assert_eq!(parse_normalized(&r.familiar_string()).unwrap(), r.clone());
            prop_assert_eq!(parse_normalized(&r.full_name()).unwrap(), r.name_only());
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,80}") {
            let _ = parse_normalized(&s);
            let _ = parse_docker_ref(&s);
        }

        #[test]
        fn parse_never_panics_on_reference_like_text(s in "[a-zA-Z0-9:/@._\\[\\]-]{0,60}") {
            if let Ok(r) = parse_normalized(&s) {
                prop_assert_eq!(parse_normalized(&r.to_string()).unwrap(), r);
            }
        }
    }
}

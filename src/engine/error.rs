//! The engine's errors. Each renders as the sentence Docker's daemon sends, so
//! `Error response from daemon: {error}` reads exactly as it does with real Docker, and
//! each knows the HTTP status the Engine API would answer with.

use std::io;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("No such image: {0}")]
    NoSuchImage(String),
    #[error("No such container: {0}")]
    NoSuchContainer(String),
    #[error("network {0} not found")]
    NoSuchNetwork(String),
    /// An operation the daemon forbids, worded by the caller (removing a network in use).
    #[error("{0}")]
    Forbidden(String),
    /// A path missing in a container, worded by the caller.
    #[error("{0}")]
    NoSuchPath(String),
    #[error("{0}")]
    InvalidReference(String),
    #[error(
        "pull access denied for {0}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied"
    )]
    PullAccessDenied(String),
    /// An official image Docker Hub has and the lab's offline hub does not.
    #[error(
        "docklab: the lab's hub does not carry {0}, which Docker Hub has: this lab is offline, and its hub carries the official images {1} and a few others (docker images lists what you have)"
    )]
    NotCarried(String, String),
    #[error("manifest for {0} not found: manifest unknown: manifest unknown")]
    ManifestUnknown(String),
    #[error("Get \"https://{0}/v2/\": dial tcp: lookup {0}: no such host")]
    UnknownRegistry(String),
    /// A conflict, worded by the caller (rmi, names in use).
    #[error("{0}")]
    Conflict(String),
    /// A request the daemon rejects as malformed, worded by the caller.
    #[error("{0}")]
    BadRequest(String),
    /// The container's process could not be started, worded as runc words it.
    #[error("{0}")]
    StartFailed(String),
    /// A build step failed; the build stream ends with this message, and the CLI exits
    /// with `code`.
    #[error("{message}")]
    BuildFailed { message: String, code: i64 },
    #[error(
        "the state directory {path} is in use by another docklab (process {holder}); close that one first, or give this one its own --state DIR"
    )]
    StateLocked { path: PathBuf, holder: String },
    #[error("the state directory {path} is damaged: {reason}")]
    CorruptState { path: PathBuf, reason: String },
    #[error("cannot use the state directory {path}: {source}")]
    StateIo { path: PathBuf, source: io::Error },
    /// A registry conversation failed, worded as the daemon words it (`Get
    /// "http://localhost:5000/v2/": dial tcp …: connection refused`).
    #[error("{0}")]
    Registry(String),
    #[error("{0}")]
    Io(#[from] io::Error),
}

impl EngineError {
    /// The HTTP status the Engine API answers this error with.
    pub fn status(&self) -> u16 {
        match self {
            EngineError::NoSuchImage(_)
            | EngineError::NoSuchContainer(_)
            | EngineError::NoSuchPath(_)
            | EngineError::NoSuchNetwork(_) => 404,
            EngineError::Forbidden(_) => 403,
            EngineError::ManifestUnknown(_) => 404,
            EngineError::PullAccessDenied(_) | EngineError::NotCarried(..) => 404,
            EngineError::InvalidReference(_) | EngineError::BadRequest(_) => 400,
            EngineError::Conflict(_) => 409,
            _ => 500,
        }
    }
}

pub type Result<T> = std::result::Result<T, EngineError>;

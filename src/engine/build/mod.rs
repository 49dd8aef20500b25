//! `docker build` on the embedded engine: the classic builder (and BuildKit-style output
//! on request) over a build context tar.
//!
//! Owns the build's messages and options; the Dockerfile grammar lives in `dockerfile`,
//! layers in `fs`, images in `image`.

use super::Engine;
mod classic;
pub(crate) use classic::apply_config_instruction;
pub mod config;

use super::error::Result;
use serde::{Deserialize, Serialize};

/// What `POST /build` takes, as the engine needs it.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// `-t`: names to tag the result with.
    pub tags: Vec<String>,
    /// `-f`: the Dockerfile's path inside the context (default `Dockerfile`).
    pub dockerfile: String,
    /// `--build-arg K=V` (`None` takes the value from the client's environment).
    pub build_args: Vec<(String, Option<String>)>,
    pub no_cache: bool,
    /// `--target`: the stage to stop at.
    pub target: Option<String>,
    /// `-q`: only the image ID.
    pub quiet: bool,
    /// BuildKit's output and history rows instead of the classic builder's.
    pub buildkit: bool,
}

/// One line of the build's JSON stream, as the Engine API sends it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BuildMessage {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aux: Option<BuildAux>,
    #[serde(rename = "errorDetail", skip_serializing_if = "Option::is_none")]
    pub error_detail: Option<BuildErrorDetail>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BuildAux {
    #[serde(rename = "ID")]
    pub id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BuildErrorDetail {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<i64>,
    pub message: String,
}

impl BuildMessage {
    pub fn stream(text: impl Into<String>) -> BuildMessage {
        BuildMessage {
            stream: Some(text.into()),
            ..Default::default()
        }
    }

    pub fn error(message: impl Into<String>, code: Option<i64>) -> BuildMessage {
        let message = message.into();
        BuildMessage {
            error_detail: Some(BuildErrorDetail {
                code,
                message: message.clone(),
            }),
            error: Some(message),
            ..Default::default()
        }
    }
}

impl Engine {
    /// `POST /build`: builds the context tar with `options`, streaming messages to
    /// `progress`. Returns the image ID on success.
    pub fn build(
        &mut self,
        context: &[u8],
        options: &BuildOptions,
        progress: &mut dyn FnMut(&BuildMessage),
    ) -> Result<String> {
        classic::build(self, context, options, progress)
    }
}

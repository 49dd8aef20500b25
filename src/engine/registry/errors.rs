//! The distribution spec's error codes, with the status and message the reference
//! registry (distribution/distribution) sends for each, and the JSON body they travel in.

use serde_json::{Value, json};

/// One code of the spec's error table (plus the few the reference registry adds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    BlobUnknown,
    BlobUploadInvalid,
    BlobUploadUnknown,
    DigestInvalid,
    ManifestBlobUnknown,
    ManifestInvalid,
    ManifestUnknown,
    NameInvalid,
    NameUnknown,
    SizeInvalid,
    TagInvalid,
    Unauthorized,
    Denied,
    Unsupported,
    RangeInvalid,
    PaginationNumberInvalid,
    Unknown,
}

impl ErrorCode {
    pub fn code(self) -> &'static str {
        match self {
            ErrorCode::BlobUnknown => "BLOB_UNKNOWN",
            ErrorCode::BlobUploadInvalid => "BLOB_UPLOAD_INVALID",
            ErrorCode::BlobUploadUnknown => "BLOB_UPLOAD_UNKNOWN",
            ErrorCode::DigestInvalid => "DIGEST_INVALID",
            ErrorCode::ManifestBlobUnknown => "MANIFEST_BLOB_UNKNOWN",
            ErrorCode::ManifestInvalid => "MANIFEST_INVALID",
            ErrorCode::ManifestUnknown => "MANIFEST_UNKNOWN",
            ErrorCode::NameInvalid => "NAME_INVALID",
            ErrorCode::NameUnknown => "NAME_UNKNOWN",
            ErrorCode::SizeInvalid => "SIZE_INVALID",
            ErrorCode::TagInvalid => "TAG_INVALID",
            ErrorCode::Unauthorized => "UNAUTHORIZED",
            ErrorCode::Denied => "DENIED",
            ErrorCode::Unsupported => "UNSUPPORTED",
            ErrorCode::RangeInvalid => "RANGE_INVALID",
            ErrorCode::PaginationNumberInvalid => "PAGINATION_NUMBER_INVALID",
            ErrorCode::Unknown => "UNKNOWN",
        }
    }

    /// The reference registry's message, word for word.
    pub fn message(self) -> &'static str {
        match self {
            ErrorCode::BlobUnknown | ErrorCode::ManifestBlobUnknown => "blob unknown to registry",
            ErrorCode::BlobUploadInvalid => "blob upload invalid",
            ErrorCode::BlobUploadUnknown => "blob upload unknown to registry",
            ErrorCode::DigestInvalid => "provided digest did not match uploaded content",
            ErrorCode::ManifestInvalid => "manifest invalid",
            ErrorCode::ManifestUnknown => "manifest unknown",
            ErrorCode::NameInvalid => "invalid repository name",
            ErrorCode::NameUnknown => "repository name not known to registry",
            ErrorCode::SizeInvalid => "provided length did not match content length",
            ErrorCode::TagInvalid => "manifest tag did not match URI",
            ErrorCode::Unauthorized => "authentication required",
            ErrorCode::Denied => "requested access to the resource is denied",
            ErrorCode::Unsupported => "The operation is unsupported.",
            ErrorCode::RangeInvalid => "invalid content range",
            ErrorCode::PaginationNumberInvalid => "invalid number of results requested",
            ErrorCode::Unknown => "unknown error",
        }
    }

    pub fn status(self) -> u16 {
        match self {
            ErrorCode::BlobUnknown
            | ErrorCode::BlobUploadUnknown
            | ErrorCode::ManifestUnknown
            | ErrorCode::NameUnknown => 404,
            ErrorCode::Unauthorized => 401,
            ErrorCode::Denied => 403,
            ErrorCode::Unsupported => 405,
            ErrorCode::RangeInvalid => 416,
            ErrorCode::Unknown => 500,
            _ => 400,
        }
    }
}

/// An error response: one or more codes, an HTTP status, and headers some codes need
/// (`Range` on a 416, `WWW-Authenticate` on a 401).
#[derive(Debug, Clone)]
pub struct RegistryError {
    pub status: u16,
    pub errors: Vec<(ErrorCode, Value)>,
    pub headers: Vec<(&'static str, String)>,
}

impl RegistryError {
    pub fn new(code: ErrorCode) -> RegistryError {
        RegistryError {
            status: code.status(),
            errors: vec![(code, Value::Null)],
            headers: Vec::new(),
        }
    }

    pub fn with_detail(code: ErrorCode, detail: Value) -> RegistryError {
        RegistryError {
            status: code.status(),
            errors: vec![(code, detail)],
            headers: Vec::new(),
        }
    }

    pub fn status(mut self, status: u16) -> RegistryError {
        self.status = status;
        self
    }

    pub fn header(mut self, name: &'static str, value: String) -> RegistryError {
        self.headers.push((name, value));
        self
    }

    /// `{"errors":[{"code":…,"message":…,"detail":…}]}`, the detail left out when empty.
    pub fn body(&self) -> Vec<u8> {
        let errors: Vec<Value> = self
            .errors
            .iter()
            .map(|(code, detail)| {
                let mut e = json!({"code": code.code(), "message": code.message()});
                if !detail.is_null() {
                    e["detail"] = detail.clone();
                }
                e
            })
            .collect();
        serde_json::to_vec(&json!({ "errors": errors })).expect("JSON values always serialise")
    }
}

impl From<std::io::Error> for RegistryError {
    fn from(e: std::io::Error) -> RegistryError {
        RegistryError::with_detail(ErrorCode::Unknown, Value::String(e.to_string()))
    }
}

pub type Result<T> = std::result::Result<T, RegistryError>;

//! Placeholder image references (replaced by the full port).
use super::digest::Digest;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reference {
    domain: String,
    path: String,
    tag: Option<String>,
    digest: Option<Digest>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    #[error("invalid reference format")]
    InvalidFormat,
}

pub fn parse_normalized(s: &str) -> Result<Reference, ReferenceError> {
    let (rest, digest) = match s.split_once('@') {
        Some((r, d)) => (r, Some(d.parse().map_err(|_| ReferenceError::InvalidFormat)?)),
        None => (s, None),
    };
    let (name, tag) = match rest.rsplit_once(':') {
        Some((n, t)) if !t.contains('/') => (n, Some(t.to_string())),
        _ => (rest, None),
    };
    if name.is_empty() {
        return Err(ReferenceError::InvalidFormat);
    }
    let (domain, path) = match name.split_once('/') {
        Some((d, p)) if d.contains('.') || d.contains(':') || d == "localhost" => (d.to_string(), p.to_string()),
        Some(_) => ("docker.io".to_string(), name.to_string()),
        None => ("docker.io".to_string(), format!("library/{name}")),
    };
    Ok(Reference { domain, path, tag, digest })
}

impl Reference {
    pub fn domain(&self) -> &str { &self.domain }
    pub fn path(&self) -> &str { &self.path }
    pub fn tag(&self) -> Option<&str> { self.tag.as_deref() }
    pub fn digest(&self) -> Option<&Digest> { self.digest.as_ref() }
    pub fn full_name(&self) -> String { format!("{}/{}", self.domain, self.path) }
    pub fn familiar_name(&self) -> String {
        if self.domain == "docker.io" {
            self.path.strip_prefix("library/").unwrap_or(&self.path).to_string()
        } else {
            self.full_name()
        }
    }
    pub fn familiar_string(&self) -> String {
        let mut s = self.familiar_name();
        if let Some(t) = &self.tag { s.push(':'); s.push_str(t); }
        if let Some(d) = &self.digest { s.push('@'); s.push_str(&d.to_string()); }
        s
    }
    pub fn with_default_tag(mut self) -> Reference {
        if self.tag.is_none() && self.digest.is_none() { self.tag = Some("latest".into()); }
        self
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.full_name())?;
        if let Some(t) = &self.tag { write!(f, ":{t}")?; }
        if let Some(d) = &self.digest { write!(f, "@{d}")?; }
        Ok(())
    }
}

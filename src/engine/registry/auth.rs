//! Basic authentication against an htpasswd file, as the `registry:2` image does with
//! `REGISTRY_AUTH=htpasswd`: bcrypt entries only (`htpasswd -B`), other hashes never match.

use base64::Engine as _;
use std::collections::BTreeMap;

/// Users and their bcrypt hashes, with the realm a 401 names.
#[derive(Clone)]
pub struct Htpasswd {
    realm: String,
    users: BTreeMap<String, String>,
}

impl std::fmt::Debug for Htpasswd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Hashes stay out of logs.
        f.debug_struct("Htpasswd")
            .field("realm", &self.realm)
            .field("users", &self.users.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Htpasswd {
    /// Reads `user:hash` lines; blank lines and `#` comments are skipped.
    pub fn parse(realm: &str, text: &str) -> Htpasswd {
        let users = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter_map(|l| l.split_once(':'))
            .map(|(u, h)| (u.to_string(), h.to_string()))
            .collect();
        Htpasswd {
            realm: realm.to_string(),
            users,
        }
    }

    pub fn realm(&self) -> &str {
        &self.realm
    }

    /// Whether an `Authorization` header value carries a known user and their password.
    pub fn check(&self, authorization: Option<&str>) -> bool {
        let Some((user, password)) = authorization.and_then(decode_basic) else {
            return false;
        };
        match self.users.get(&user) {
            Some(hash) if hash.starts_with("$2") => {
                bcrypt::verify(&password, hash).unwrap_or(false)
            }
            _ => false,
        }
    }
}

/// `Basic base64(user:password)` → (user, password).
pub fn decode_basic(header: &str) -> Option<(String, String)> {
    let (scheme, encoded) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_string(), password.to_string()))
}

/// `Basic base64(user:password)`, the header a client sends.
pub fn encode_basic(user: &str, password: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bcrypt_users_are_checked() {
        let hash = bcrypt::hash_with_salt("secret", 4, [7u8; 16])
            .unwrap()
            .to_string();
        let file = Htpasswd::parse(
            "Registry Realm",
            &format!("# users\nalice:{hash}\nbob:plain\n"),
        );
        assert!(file.check(Some(&encode_basic("alice", "secret"))));
        assert!(!file.check(Some(&encode_basic("alice", "wrong"))));
        assert!(!file.check(Some(&encode_basic("bob", "plain"))));
        assert!(!file.check(Some("Bearer x")));
        assert!(!file.check(None));
    }
}

//! What the spec allows as a repository name and as a tag. Anything else — `..`,
//! percent-escapes, a leading `/`, upper case — is refused before it can become a path.

use std::sync::OnceLock;

/// The spec's limit: longer names are refused with NAME_INVALID.
const MAX_NAME_LENGTH: usize = 255;

fn name_pattern() -> &'static regex::Regex {
    static PATTERN: OnceLock<regex::Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        regex::Regex::new(
            r"^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$",
        )
        .expect("the name pattern compiles")
    })
}

fn tag_pattern() -> &'static regex::Regex {
    static PATTERN: OnceLock<regex::Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        regex::Regex::new(r"^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$").expect("the tag pattern compiles")
    })
}

/// Whether `name` is a repository name the spec allows.
pub fn valid_name(name: &str) -> bool {
    name.len() <= MAX_NAME_LENGTH && name_pattern().is_match(name)
}

pub fn valid_tag(tag: &str) -> bool {
    tag_pattern().is_match(tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_spec() {
        for good in ["a", "mynmap", "library/ubuntu", "a-b__c.d/e_f", "x--y/0"] {
            assert!(valid_name(good), "{good}");
        }
        for bad in [
            "", "A", "../etc", "a/../b", "/abs", "a//b", "a/", "%2e%2e", "a.", "-a", "a___b",
        ] {
            assert!(!valid_name(bad), "{bad}");
        }
        assert!(!valid_name(&"a".repeat(256)));
    }

    #[test]
    fn tags_follow_the_spec() {
        assert!(valid_tag("1.0"));
        assert!(valid_tag("_x-Y.z"));
        assert!(!valid_tag(".hidden"));
        assert!(!valid_tag("a/b"));
        assert!(!valid_tag(&"a".repeat(129)));
    }
}

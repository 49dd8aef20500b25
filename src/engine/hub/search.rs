//! The hub's search index and ranking.
//!
//! Owns `search_index.txt` (one repository a line) and the order results come in:
//! the official image named exactly as the term first, then repositories named like it,
//! then the rest that mention it, each group by stars. Knows nothing of images.

use bollard_stubs::models::ImageSearchResponseItem;

const INDEX: &str = include_str!("search_index.txt");

struct Entry {
    name: &'static str,
    stars: i64,
    official: bool,
    description: &'static str,
}

fn entries() -> impl Iterator<Item = Entry> {
    INDEX
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|line| {
            let mut fields = line.splitn(4, '|');
            let name = fields.next()?;
            let stars = fields.next()?.parse().ok()?;
            let official = fields.next()? == "1";
            let description = fields.next()?;
            Some(Entry {
                name,
                stars,
                official,
                description,
            })
        })
}

/// Whether the index lists repository `name` (`nginx`, `ubuntu/mysql`).
pub(super) fn indexed(name: &str) -> bool {
    entries().any(|e| e.name == name)
}

/// How well `entry` matches `term` (lower is better), or None when it does not: the
/// name itself, then the term's own organisation, then repositories named like it,
/// names starting with it, names containing it, and descriptions mentioning it.
fn relevance(entry: &Entry, term: &str) -> Option<u8> {
    let (namespace, repo) = entry.name.split_once('/').unwrap_or(("", entry.name));
    if entry.name == term {
        Some(0)
    } else if namespace == term {
        Some(1)
    } else if repo == term {
        Some(2)
    } else if entry.name.starts_with(term) {
        Some(3)
    } else if entry.name.contains(term) {
        Some(4)
    } else if entry.description.to_lowercase().contains(term) {
        Some(5)
    } else {
        None
    }
}

pub(super) fn search(term: &str, limit: usize) -> Vec<ImageSearchResponseItem> {
    let term = term.trim().to_lowercase();
    // `docker search docker.io/library/nginx` searches for the last component's name.
    let term = term.strip_prefix("docker.io/").unwrap_or(&term);
    let term = term.strip_prefix("library/").unwrap_or(term);
    if term.is_empty() {
        return Vec::new();
    }
    let mut found: Vec<(u8, Entry)> = entries()
        .filter_map(|e| relevance(&e, term).map(|r| (r, e)))
        .collect();
    found.sort_by(|(ra, a), (rb, b)| {
        ra.cmp(rb)
            .then(b.official.cmp(&a.official))
            .then(b.stars.cmp(&a.stars))
            .then(a.name.cmp(b.name))
    });
    found
        .into_iter()
        .take(limit)
        .map(|(_, e)| ImageSearchResponseItem {
            description: Some(e.description.to_string()),
            is_official: Some(e.official),
            is_automated: Some(false),
            name: Some(e.name.to_string()),
            star_count: Some(e.stars),
        })
        .collect()
}

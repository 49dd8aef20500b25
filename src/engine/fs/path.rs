//! Path keys: `/a/b`, never a trailing slash, `..` never climbing above `/`.

/// `./usr/bin/` → `/usr/bin`; `../../etc` → `/etc`; `` → `/`.
pub fn normalise(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len() + 1);
    for part in raw.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                let cut = out.rfind('/').unwrap_or(0);
                out.truncate(cut);
            }
            p => {
                out.push('/');
                out.push_str(p);
            }
        }
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

/// The parent of a key (`/` for top-level entries and for `/` itself).
pub fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &path[..i],
    }
}

/// The last component of a key (empty for `/`).
pub fn base(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or("")
}

pub fn join(dir: &str, name: &str) -> String {
    if dir == "/" {
        format!("/{name}")
    } else {
        format!("{dir}/{name}")
    }
}

/// The prefix every descendant of `path` starts with.
pub fn child_prefix(path: &str) -> String {
    if path == "/" {
        "/".to_string()
    } else {
        format!("{path}/")
    }
}

/// Proper ancestors of a key, nearest first, `/` excluded.
pub fn ancestors(path: &str) -> impl Iterator<Item = &str> {
    let mut current = path;
    std::iter::from_fn(move || {
        let p = parent(current);
        if p == "/" || p == current {
            None
        } else {
            current = p;
            Some(p)
        }
    })
}

/// Whether `path` is `dir` or lies below it.
pub fn is_within(path: &str, dir: &str) -> bool {
    dir == "/"
        || path == dir
        || (path.len() > dir.len() && path.starts_with(dir) && path.as_bytes()[dir.len()] == b'/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalise_stays_under_root() {
        assert_eq!(normalise("./a/../../b/"), "/b");
        assert_eq!(normalise(""), "/");
        assert_eq!(normalise("../../../etc/passwd"), "/etc/passwd");
        assert_eq!(normalise("usr//bin/./sh"), "/usr/bin/sh");
    }

    #[test]
    fn ancestors_nearest_first_without_root() {
        assert_eq!(ancestors("/a/b/c").collect::<Vec<_>>(), ["/a/b", "/a"]);
        assert_eq!(ancestors("/a").count(), 0);
        assert_eq!(ancestors("/").count(), 0);
        assert!(is_within("/a/b", "/a") && !is_within("/ab", "/a") && is_within("/x", "/"));
        assert_eq!(
            (parent("/a"), base("/a/b"), join("/", "x")),
            ("/", "b", "/x".into())
        );
    }
}

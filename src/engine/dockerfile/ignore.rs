//! `.dockerignore`: patterns, `!` exceptions and matching as moby's patternmatcher does.

use regex::Regex;

#[derive(Debug, Clone)]
struct Pattern {
    text: String,
    exclusion: bool,
    re: Regex,
}

/// The parsed `.dockerignore` of a build context.
#[derive(Debug, Clone, Default)]
pub struct DockerIgnore {
    patterns: Vec<Pattern>,
}

fn clean(p: &str) -> String {
    // filepath.Clean over a slash path
    let abs = p.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|l| *l != "..") {
                    out.pop();
                } else if !abs {
                    out.push("..");
                }
            }
            x => out.push(x),
        }
    }
    let joined = out.join("/");
    if abs {
        format!("/{joined}")
    } else if joined.is_empty() {
        ".".into()
    } else {
        joined
    }
}

fn to_regex(pattern: &str) -> Option<Regex> {
    let mut re = String::from("^");
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '*' => {
                if chars.get(i + 1) == Some(&'*') {
                    i += 1;
                    if chars.get(i + 1) == Some(&'/') {
                        i += 1;
                    }
                    if i + 1 >= chars.len() {
                        re.push_str(".*");
                    } else {
                        re.push_str("(.*/)?");
                    }
                } else {
                    re.push_str("[^/]*");
                }
            }
            '?' => re.push_str("[^/]"),
            '.' | '$' | '^' | '+' | '(' | ')' | '{' | '}' | '|' => {
                re.push('\\');
                re.push(c);
            }
            '\\' => {
                i += 1;
                match chars.get(i) {
                    Some(n) => re.push_str(&regex::escape(&n.to_string())),
                    None => re.push_str("\\\\"),
                }
            }
            '[' => {
                let close = chars[i..].iter().position(|&c| c == ']')?;
                let mut class: String = chars[i + 1..i + close].iter().collect();
                if let Some(r) = class.strip_prefix('^').or_else(|| class.strip_prefix('!')) {
                    class = format!("^{r}");
                }
                re.push('[');
                re.push_str(&class.replace('\\', "\\\\"));
                re.push(']');
                i += close;
            }
            c => re.push(c),
        }
        i += 1;
    }
    re.push('$');
    Regex::new(&re).ok()
}

impl DockerIgnore {
    /// Reads the file: `#` comments, blank lines dropped, each pattern trimmed and
    /// cleaned (`./a` and `/a` mean `a`), `!` marks an exception.
    pub fn parse(text: &str) -> DockerIgnore {
        let mut patterns = Vec::new();
        for line in text.lines() {
            if line.starts_with('#') {
                continue;
            }
            let mut p = line.trim().to_string();
            if p.is_empty() {
                continue;
            }
            let exclusion = p.starts_with('!');
            if exclusion {
                p = p[1..].trim().to_string();
                if p.is_empty() {
                    continue;
                }
            }
            let mut cleaned = clean(&p);
            if cleaned.len() > 1 && cleaned.starts_with('/') {
                cleaned = cleaned[1..].to_string();
            }
            let Some(re) = to_regex(&cleaned) else {
                continue;
            };
            patterns.push(Pattern {
                text: cleaned,
                exclusion,
                re,
            });
        }
        DockerIgnore { patterns }
    }

    /// The patterns as cleaned, `!` kept.
    pub fn patterns(&self) -> Vec<String> {
        self.patterns
            .iter()
            .map(|p| format!("{}{}", if p.exclusion { "!" } else { "" }, p.text))
            .collect()
    }

    /// Whether a context path (slash-separated, relative to the context root) is left
    /// out of the build context. A matched parent directory excludes its children,
    /// unless a later exception matches the child.
    pub fn ignored(&self, path: &str) -> bool {
        let path = clean(path);
        let path = path.trim_start_matches('/');
        let parents: Vec<&str> = path.split('/').collect();
        let mut matched = false;
        for p in &self.patterns {
            // only a pattern that can change the verdict is tried
            if p.exclusion != matched {
                continue;
            }
            let mut m = p.re.is_match(path);
            if !m && parents.len() > 1 {
                // a pattern matching a parent directory matches the children too
                for n in 1..parents.len() {
                    let parent = parents[..n].join("/");
                    if p.re.is_match(&parent) {
                        m = true;
                        break;
                    }
                }
            }
            if m {
                matched = !p.exclusion;
            }
        }
        matched
    }
}

//! Line diffs as git prints them: `diff --git` headers, unified hunks with three lines
//! of context and git's default function-name context after `@@`, and `--stat`
//! lines. The alignment is a plain Myers diff; git's indent heuristic, which only
//! moves where an ambiguous change is shown, is not applied.

use similar::{Algorithm, DiffOp, DiffTag};

use super::object::Oid;

/// One side of a changed path.
#[derive(Clone, Debug)]
pub struct Side {
    pub mode: u32,
    pub oid: Oid,
    pub data: Vec<u8>,
}

#[derive(Clone, Debug)]
pub struct Change {
    pub path: String,
    pub old: Option<Side>,
    pub new: Option<Side>,
}

pub fn is_binary(data: &[u8]) -> bool {
    data[..data.len().min(8000)].contains(&0)
}

fn lines(data: &[u8]) -> Vec<&[u8]> {
    data.split_inclusive(|b| *b == b'\n').collect()
}

fn ops(old: &[&[u8]], new: &[&[u8]]) -> Vec<DiffOp> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    similar::capture_diff_slices_deadline(Algorithm::Myers, old, new, Some(deadline))
}

/// Lines added and removed; binary files count none.
pub fn count(old: &[u8], new: &[u8]) -> (usize, usize) {
    if is_binary(old) || is_binary(new) {
        return (0, 0);
    }
    let (a, b) = (lines(old), lines(new));
    let mut adds = 0;
    let mut dels = 0;
    for op in ops(&a, &b) {
        let (tag, o, n) = op.as_tag_tuple();
        match tag {
            DiffTag::Equal => {}
            DiffTag::Delete => dels += o.len(),
            DiffTag::Insert => adds += n.len(),
            DiffTag::Replace => {
                dels += o.len();
                adds += n.len();
            }
        }
    }
    (adds, dels)
}

fn range(start: usize, len: usize) -> String {
    match len {
        1 => format!("{}", start + 1),
        0 => format!("{start},0"),
        n => format!("{},{n}", start + 1),
    }
}

/// Git's default hunk-header context: the nearest line above the hunk that starts
/// with a letter, `_` or `$`, cut to 80 bytes and trimmed.
fn function_line(old: &[&[u8]], before: usize) -> Option<String> {
    for line in old[..before.min(old.len())].iter().rev() {
        let first = *line.first()?;
        if first.is_ascii_alphabetic() || first == b'_' || first == b'$' {
            let mut l = &line[..line.len().min(80)];
            while let Some((last, rest)) = l.split_last() {
                if last.is_ascii_whitespace() {
                    l = rest;
                } else {
                    break;
                }
            }
            return Some(String::from_utf8_lossy(l).into_owned());
        }
    }
    None
}

fn push_line(out: &mut String, mark: char, line: &[u8]) {
    out.push(mark);
    out.push_str(&String::from_utf8_lossy(line));
    if !line.ends_with(b"\n") {
        out.push_str("\n\\ No newline at end of file\n");
    }
}

/// The `@@` hunks between two texts.
pub fn hunks(old: &[u8], new: &[u8]) -> String {
    let (a, b) = (lines(old), lines(new));
    let mut out = String::new();
    for group in similar::group_diff_ops(ops(&a, &b), 3) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        let o_start = first.old_range().start;
        let n_start = first.new_range().start;
        let o_len = last.old_range().end - o_start;
        let n_len = last.new_range().end - n_start;
        out.push_str(&format!(
            "@@ -{} +{} @@",
            range(o_start, o_len),
            range(n_start, n_len)
        ));
        if let Some(f) = function_line(&a, o_start) {
            out.push(' ');
            out.push_str(&f);
        }
        out.push('\n');
        for op in &group {
            let (tag, o, n) = op.as_tag_tuple();
            match tag {
                DiffTag::Equal => o.for_each(|i| push_line(&mut out, ' ', a[i])),
                DiffTag::Delete => o.for_each(|i| push_line(&mut out, '-', a[i])),
                DiffTag::Insert => n.for_each(|i| push_line(&mut out, '+', b[i])),
                DiffTag::Replace => {
                    o.for_each(|i| push_line(&mut out, '-', a[i]));
                    n.for_each(|i| push_line(&mut out, '+', b[i]));
                }
            }
        }
    }
    out
}

/// One path's `diff --git` block.
pub fn patch(c: &Change) -> String {
    let p = &c.path;
    let mut out = format!("diff --git a/{p} b/{p}\n");
    let empty = Vec::new();
    let (old_data, new_data) = (
        c.old.as_ref().map_or(&empty, |s| &s.data),
        c.new.as_ref().map_or(&empty, |s| &s.data),
    );
    let (from, to) = match (&c.old, &c.new) {
        (None, Some(n)) => {
            out.push_str(&format!(
                "new file mode {:o}\nindex 0000000..{}\n",
                n.mode,
                n.oid.short()
            ));
            ("/dev/null".to_string(), format!("b/{p}"))
        }
        (Some(o), None) => {
            out.push_str(&format!(
                "deleted file mode {:o}\nindex {}..0000000\n",
                o.mode,
                o.oid.short()
            ));
            (format!("a/{p}"), "/dev/null".to_string())
        }
        (Some(o), Some(n)) => {
            if o.mode != n.mode {
                out.push_str(&format!("old mode {:o}\nnew mode {:o}\n", o.mode, n.mode));
            }
            if o.oid == n.oid {
                return out;
            }
            if o.mode == n.mode {
                out.push_str(&format!(
                    "index {}..{} {:o}\n",
                    o.oid.short(),
                    n.oid.short(),
                    n.mode
                ));
            } else {
                out.push_str(&format!("index {}..{}\n", o.oid.short(), n.oid.short()));
            }
            (format!("a/{p}"), format!("b/{p}"))
        }
        (None, None) => return String::new(),
    };
    if is_binary(old_data) || is_binary(new_data) {
        out.push_str(&format!("Binary files {from} and {to} differ\n"));
        return out;
    }
    if old_data.is_empty() && new_data.is_empty() {
        return out;
    }
    out.push_str(&format!("--- {from}\n+++ {to}\n"));
    out.push_str(&hunks(old_data, new_data));
    out
}

/// ` 2 files changed, 3 insertions(+), 1 deletion(-)`
pub fn summary(files: usize, adds: usize, dels: usize) -> String {
    if files == 0 {
        return " 0 files changed".to_string();
    }
    let mut s = format!(" {files} file{} changed", if files == 1 { "" } else { "s" });
    if adds > 0 || dels == 0 {
        s.push_str(&format!(
            ", {adds} insertion{}(+)",
            if adds == 1 { "" } else { "s" }
        ));
    }
    if dels > 0 || adds == 0 {
        s.push_str(&format!(
            ", {dels} deletion{}(-)",
            if dels == 1 { "" } else { "s" }
        ));
    }
    s
}

/// `--stat` for a list of changes: a line per path and the summary, 80 columns wide.
pub fn stat(changes: &[Change]) -> String {
    let counts: Vec<(usize, usize, bool)> = changes
        .iter()
        .map(|c| {
            let empty = Vec::new();
            let o = c.old.as_ref().map_or(&empty, |s| &s.data);
            let n = c.new.as_ref().map_or(&empty, |s| &s.data);
            let (a, d) = count(o, n);
            (a, d, is_binary(o) || is_binary(n))
        })
        .collect();
    let width: usize = 80;
    let max_change = counts.iter().map(|(a, d, _)| a + d).max().unwrap_or(0);
    let max_len = changes
        .iter()
        .map(|c| c.path.chars().count())
        .max()
        .unwrap_or(0);
    let number_width = max_change
        .to_string()
        .len()
        .max(if counts.iter().any(|c| c.2) { 3 } else { 0 });
    let mut graph_width = max_change;
    let mut name_width = max_len;
    if name_width + number_width + 6 + graph_width > width {
        if graph_width > (width * 3 / 8).saturating_sub(number_width + 6) {
            graph_width = (width * 3 / 8).saturating_sub(number_width + 6).max(6);
        }
        if name_width > width.saturating_sub(number_width + 6 + graph_width) {
            name_width = width.saturating_sub(number_width + 6 + graph_width);
        } else {
            graph_width = width.saturating_sub(number_width + 6 + name_width);
        }
    }
    let scale = |it: usize| -> usize {
        if it == 0 || max_change <= graph_width {
            it
        } else {
            1 + it * (graph_width.saturating_sub(1)) / max_change
        }
    };
    let mut out = String::new();
    let (mut adds, mut dels) = (0, 0);
    for (c, (a, d, bin)) in changes.iter().zip(&counts) {
        adds += a;
        dels += d;
        let mut name = c.path.clone();
        let len = name.chars().count();
        if len > name_width {
            let keep = name_width.saturating_sub(3);
            let tail: String = name.chars().skip(len - keep).collect();
            let tail = match tail.find('/') {
                Some(i) => tail[i..].to_string(),
                None => tail,
            };
            name = format!("...{tail}");
        }
        let pad = name_width.saturating_sub(name.chars().count());
        if *bin {
            let o = c.old.as_ref().map_or(0, |s| s.data.len());
            let n = c.new.as_ref().map_or(0, |s| s.data.len());
            out.push_str(&format!(
                " {name}{} | {:>number_width$} {o} -> {n} bytes\n",
                " ".repeat(pad),
                "Bin"
            ));
            continue;
        }
        let total = a + d;
        out.push_str(&format!(
            " {name}{} | {total:>number_width$}{}{}{}\n",
            " ".repeat(pad),
            if total > 0 { " " } else { "" },
            "+".repeat(scale(*a)),
            "-".repeat(scale(*d)),
        ));
    }
    out.push_str(&summary(changes.len(), adds, dels));
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::shell::programs::git::object::hash;

    fn side(data: &str) -> Side {
        Side {
            mode: 0o100644,
            oid: hash("blob", data.as_bytes()),
            data: data.as_bytes().to_vec(),
        }
    }

    #[test]
    fn a_modified_file_prints_as_git_diff_does() {
        // Compared with git 2.47's `git diff` for the same change.
        let c = Change {
            path: "a.txt".into(),
            old: Some(side("hello\n")),
            new: Some(side("hello\nworld\n")),
        };
        assert_eq!(
            patch(&c),
            "diff --git a/a.txt b/a.txt\nindex ce01362..94954ab 100644\n--- a/a.txt\n+++ b/a.txt\n\
             @@ -1 +1,2 @@\n hello\n+world\n"
        );
    }

    #[test]
    fn deleted_files_and_missing_newlines() {
        let c = Change {
            path: "sub/b.txt".into(),
            old: Some(side("one\ntwo\n")),
            new: None,
        };
        assert_eq!(
            patch(&c),
            "diff --git a/sub/b.txt b/sub/b.txt\ndeleted file mode 100644\nindex 814f4a4..0000000\n\
             --- a/sub/b.txt\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-one\n-two\n"
        );
        let h = hunks(b"a\nb", b"a\nc");
        assert_eq!(
            h,
            "@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n"
        );
    }

    #[test]
    fn hunk_headers_carry_the_function_line() {
        let old = "def f():\n    a\n    b\n    c\n    d\n    e\n";
        let new = "def f():\n    a\n    b\n    c\n    d\n    E\n";
        assert!(hunks(old.as_bytes(), new.as_bytes()).starts_with("@@ -3,4 +3,4 @@ def f():\n"));
    }

    #[test]
    fn stat_lines_and_summary() {
        let c = Change {
            path: "sub/b.txt".into(),
            old: Some(side("one\ntwo\n")),
            new: None,
        };
        assert_eq!(
            stat(&[c]),
            " sub/b.txt | 2 --\n 1 file changed, 2 deletions(-)\n"
        );
        assert_eq!(
            summary(1, 0, 0),
            " 1 file changed, 0 insertions(+), 0 deletions(-)"
        );
        assert_eq!(summary(2, 3, 0), " 2 files changed, 3 insertions(+)");
    }
}

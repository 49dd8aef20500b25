//! Word expansion: parameters, command substitution, arithmetic, field splitting and
//! pathname expansion, plus the pattern matcher shared with `case` and `find -name`.

use std::io::Write;

use super::Flavour;
use super::exec::{Ctl, Interp};
use super::parse::{ParamExp, ParamOp, Word, WordPart};
use super::vfs;
use super::write_err;

/// One field being built: its text, and the same text as a glob pattern with quoted
/// characters escaped.
#[derive(Default, Clone)]
struct Field {
    text: String,
    pattern: String,
    has_glob: bool,
}

impl Field {
    fn push(&mut self, s: &str, quoted: bool) {
        self.text.push_str(s);
        for c in s.chars() {
            if matches!(c, '*' | '?' | '[' | ']' | '\\') {
                if quoted {
                    self.pattern.push('\\');
                } else if c != ']' && c != '\\' {
                    self.has_glob = true;
                }
            }
            self.pattern.push(c);
        }
    }
}

struct Fields {
    done: Vec<Field>,
    cur: Field,
    /// The current field exists even if empty (it held quotes or literal text).
    cur_exists: bool,
    /// Expansions are not split (assignments, redirection targets, patterns).
    no_split: bool,
}

impl Fields {
    fn new() -> Self {
        Fields {
            done: Vec::new(),
            cur: Field::default(),
            cur_exists: false,
            no_split: false,
        }
    }
    fn end_field(&mut self) {
        if self.cur_exists {
            self.done.push(std::mem::take(&mut self.cur));
        }
        self.cur_exists = false;
    }
    /// Appends an unquoted expansion, splitting it on IFS.
    fn push_split(&mut self, value: &str, ifs: &str) {
        if ifs.is_empty() {
            if !value.is_empty() {
                self.cur.push(value, false);
                self.cur_exists = true;
            }
            return;
        }
        let is_ws = |c: char| ifs.contains(c) && c.is_whitespace();
        let is_delim = |c: char| ifs.contains(c);
        let mut chars = value.chars().peekable();
        let mut piece = String::new();
        while let Some(c) = chars.next() {
            if is_delim(c) {
                if !piece.is_empty() {
                    self.cur.push(&piece, false);
                    self.cur_exists = true;
                    piece.clear();
                }
                if is_ws(c) {
                    while chars.peek().is_some_and(|&n| is_ws(n)) {
                        chars.next();
                    }
                    // Whitespace followed by a non-whitespace delimiter is one delimiter.
                    if let Some(&n) = chars.peek()
                        && is_delim(n)
                        && !is_ws(n)
                    {
                        chars.next();
                        self.cur_exists = true;
                    }
                } else {
                    self.cur_exists = true;
                }
                self.end_field();
            } else {
                piece.push(c);
            }
        }
        if !piece.is_empty() {
            self.cur.push(&piece, false);
            self.cur_exists = true;
        }
    }
}

impl Interp<'_> {
    fn ifs(&self) -> String {
        self.st.get_var("IFS").unwrap_or(" \t\n").to_string()
    }

    /// Expands words into fields, with splitting and pathname expansion.
    pub fn expand_words(
        &mut self,
        words: &[Word],
        err: &mut dyn Write,
    ) -> Result<Vec<String>, Ctl> {
        let mut out = Vec::new();
        for w in words {
            let mut fields = Fields::new();
            self.expand_parts(w, false, &mut fields, err)?;
            fields.end_field();
            for f in fields.done {
                if f.has_glob {
                    let matches = self.glob(&f.pattern);
                    if !matches.is_empty() {
                        out.extend(matches);
                        continue;
                    }
                }
                out.push(f.text);
            }
        }
        Ok(out)
    }

    /// Expands a word to one string: no splitting, no pathname expansion.
    pub fn expand_string(&mut self, word: &Word, err: &mut dyn Write) -> Result<String, Ctl> {
        let mut fields = Fields::new();
        fields.no_split = true;
        self.expand_parts(word, false, &mut fields, err)?;
        fields.end_field();
        Ok(fields
            .done
            .into_iter()
            .map(|f| f.text)
            .collect::<Vec<_>>()
            .join(" "))
    }

    /// Expands a word to a pattern in which quoted characters match only themselves.
    pub fn expand_pattern(&mut self, word: &Word, err: &mut dyn Write) -> Result<String, Ctl> {
        let mut fields = Fields::new();
        fields.no_split = true;
        self.expand_parts(word, false, &mut fields, err)?;
        fields.end_field();
        Ok(fields
            .done
            .into_iter()
            .map(|f| f.pattern)
            .collect::<Vec<_>>()
            .join(" "))
    }

    fn expand_parts(
        &mut self,
        parts: &[WordPart],
        quoted: bool,
        fields: &mut Fields,
        err: &mut dyn Write,
    ) -> Result<(), Ctl> {
        for part in parts {
            match part {
                WordPart::Literal(s) => {
                    fields.cur.push(s, quoted);
                    fields.cur_exists = true;
                }
                WordPart::Quoted(s) => {
                    fields.cur.push(s, true);
                    fields.cur_exists = true;
                }
                WordPart::DoubleQuoted(inner) => {
                    fields.cur_exists = true;
                    self.expand_parts(inner, true, fields, err)?;
                }
                WordPart::Tilde(user) => {
                    let home = if user.is_empty() {
                        self.st.get_var("HOME").unwrap_or("/").to_string()
                    } else if user == "root" {
                        "/root".to_string()
                    } else {
                        format!("~{user}")
                    };
                    fields.cur.push(&home, true);
                    fields.cur_exists = true;
                }
                WordPart::CommandSub(src) => {
                    let out = self.command_output(src, err)?;
                    self.push_value(&out, quoted, fields);
                }
                WordPart::Arith(expr) => {
                    let text = self.expand_string(expr, err)?;
                    let value = match super::arith::eval(&text, &mut |n| {
                        self.st.get_var(n).map(str::to_string)
                    }) {
                        Ok(v) => v,
                        Err(msg) => {
                            write_err(
                                err,
                                format_args!("{}arithmetic syntax error{msg}", self.prefix(0)),
                            );
                            return Err(Ctl::Exit(2));
                        }
                    };
                    self.push_value(&value.to_string(), quoted, fields);
                }
                WordPart::Param(p) => self.expand_param(p, quoted, fields, err)?,
            }
        }
        Ok(())
    }

    fn push_value(&mut self, value: &str, quoted: bool, fields: &mut Fields) {
        if fields.no_split {
            fields.cur.push(value, quoted);
            fields.cur_exists = true;
        } else if quoted {
            fields.cur.push(value, true);
            fields.cur_exists = true;
        } else {
            let ifs = self.ifs();
            fields.push_split(value, &ifs);
        }
    }

    fn param_value(&self, name: &str) -> Option<String> {
        let st = &self.st;
        match name {
            "?" => Some(st.last_status.to_string()),
            "$" => Some("1".to_string()),
            "!" => Some(String::new()),
            "#" => Some(st.positional.len().to_string()),
            "-" => Some(String::new()),
            "0" => Some(st.arg0.clone()),
            // ash and bash draw 0..=32767 each time; dash has no such variable.
            "RANDOM" if st.flavour != Flavour::Dash => {
                let next = st
                    .random
                    .get()
                    .wrapping_mul(1_103_515_245)
                    .wrapping_add(12_345);
                st.random.set(next);
                Some(((next >> 16) & 0x7fff).to_string())
            }
            "@" | "*" => {
                if st.positional.is_empty() {
                    None
                } else {
                    let sep = self
                        .ifs()
                        .chars()
                        .next()
                        .map(String::from)
                        .unwrap_or_default();
                    Some(st.positional.join(&sep))
                }
            }
            n if n.chars().all(|c| c.is_ascii_digit()) => {
                let i: usize = n.parse().ok()?;
                st.positional.get(i.checked_sub(1)?).cloned()
            }
            n => st.get_var(n).map(str::to_string),
        }
    }

    fn expand_param(
        &mut self,
        p: &ParamExp,
        quoted: bool,
        fields: &mut Fields,
        err: &mut dyn Write,
    ) -> Result<(), Ctl> {
        if p.indirect || p.subscript.is_some() || p.op == ParamOp::Substring {
            return self.expand_bash_param(p, quoted, fields, err);
        }
        if p.op == ParamOp::Plain && (p.name == "@" || p.name == "*") {
            let args = self.st.positional.clone();
            if quoted && p.name == "@" {
                // "$@": one field per parameter, the first and last joined to the
                // surrounding text.
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        fields.end_field();
                        fields.cur_exists = true;
                    }
                    fields.cur.push(a, true);
                }
                if args.is_empty() && fields.cur.text.is_empty() {
                    fields.cur_exists = false;
                }
                return Ok(());
            }
            if !quoted && !fields.no_split {
                let ifs = self.ifs();
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        fields.end_field();
                    }
                    fields.push_split(a, &ifs);
                }
                return Ok(());
            }
        }
        if p.name == "-" && p.op == ParamOp::Plain {
            self.push_value("", quoted, fields);
            return Ok(());
        }
        let value = self.param_value(&p.name);
        self.apply_op(p, &p.name, value, quoted, fields, err)
    }

    /// `${name OP word}` given the parameter's value (None: unset).
    fn apply_op(
        &mut self,
        p: &ParamExp,
        name: &str,
        value: Option<String>,
        quoted: bool,
        fields: &mut Fields,
        err: &mut dyn Write,
    ) -> Result<(), Ctl> {
        let set = match &value {
            Some(v) => !(p.colon && v.is_empty()),
            None => false,
        };
        let result = match p.op {
            ParamOp::Plain => value.unwrap_or_default(),
            ParamOp::Length => value.unwrap_or_default().chars().count().to_string(),
            ParamOp::Default => {
                if set {
                    value.unwrap_or_default()
                } else {
                    return self.expand_parts(&p.word, quoted, fields, err);
                }
            }
            ParamOp::Alternative => {
                if set {
                    return self.expand_parts(&p.word, quoted, fields, err);
                }
                String::new()
            }
            ParamOp::Assign => {
                if set {
                    value.unwrap_or_default()
                } else {
                    let v = self.expand_string(&p.word, err)?;
                    self.st.set_var(name, &v);
                    v
                }
            }
            ParamOp::Error => {
                if set {
                    value.unwrap_or_default()
                } else {
                    let msg = self.expand_string(&p.word, err)?;
                    let msg = if msg.is_empty() {
                        "parameter not set".to_string()
                    } else {
                        msg
                    };
                    write_err(err, format_args!("{}{name}: {msg}", self.prefix(0)));
                    return Err(Ctl::Exit(1));
                }
            }
            ParamOp::RemoveSmallestPrefix
            | ParamOp::RemoveLargestPrefix
            | ParamOp::RemoveSmallestSuffix
            | ParamOp::RemoveLargestSuffix => {
                let v = value.unwrap_or_default();
                let pat = self.expand_pattern(&p.word, err)?;
                remove_affix(&v, &pat, p.op)
            }
            ParamOp::Substring => {
                let v = value.unwrap_or_default();
                let spec = self.expand_string(&p.word, err)?;
                let chars: Vec<char> = v.chars().collect();
                let (start, end) = self.substring_bounds(&spec, chars.len(), err)?;
                chars[start..end].iter().collect()
            }
        };
        self.push_value(&result, quoted, fields);
        Ok(())
    }

    /// Bash's forms: `${!name}` (indirect), `${name[SUB]}` (an array element; a
    /// plain variable is an array of one, `FUNCNAME` the call stack) and
    /// `${name:offset:length}`.
    fn expand_bash_param(
        &mut self,
        p: &ParamExp,
        quoted: bool,
        fields: &mut Fields,
        err: &mut dyn Write,
    ) -> Result<(), Ctl> {
        let mut name = p.name.clone();
        if p.indirect {
            match self.param_value(&name) {
                Some(target) if super::parse::is_name(&target) || is_special(&target) => {
                    name = target;
                }
                Some(target) => {
                    write_err(
                        err,
                        format_args!("{}{target}: invalid variable name", self.prefix(0)),
                    );
                    return Err(Ctl::Exit(1));
                }
                None => {
                    write_err(
                        err,
                        format_args!("{}{name}: invalid indirect expansion", self.prefix(0)),
                    );
                    return Err(Ctl::Exit(1));
                }
            }
        }
        let Some(sub) = &p.subscript else {
            if p.op == ParamOp::Substring && (name == "@" || name == "*") {
                // `${@:offset:length}`: a slice of the positional parameters, $0 first.
                let mut all = vec![self.st.arg0.clone()];
                all.extend(self.st.positional.iter().cloned());
                let spec = self.expand_string(&p.word, err)?;
                let (start, end) = self.substring_bounds(&spec, all.len(), err)?;
                let start = if spec.trim().is_empty() { 1 } else { start };
                return self.push_list(&all[start.min(end)..end], &name, quoted, fields);
            }
            let value = self.param_value(&name);
            return self.apply_op(p, &name, value, quoted, fields, err);
        };
        let values = self.array_values(&name);
        if sub == "@" || sub == "*" {
            if p.op == ParamOp::Length {
                self.push_value(&values.len().to_string(), quoted, fields);
                return Ok(());
            }
            if p.op == ParamOp::Plain {
                return self.push_list(&values, sub, quoted, fields);
            }
            let joined = (!values.is_empty()).then(|| values.join(" "));
            return self.apply_op(p, &name, joined, quoted, fields, err);
        }
        let index = match super::arith::eval(sub, &mut |n| self.st.get_var(n).map(str::to_string)) {
            Ok(i) => i,
            Err(msg) => {
                write_err(
                    err,
                    format_args!("{}{sub}: syntax error in expression{msg}", self.prefix(0)),
                );
                return Err(Ctl::Exit(1));
            }
        };
        let index = if index < 0 {
            values.len() as i64 + index
        } else {
            index
        };
        let value = usize::try_from(index)
            .ok()
            .and_then(|i| values.get(i).cloned());
        if p.op == ParamOp::Length {
            let n = value.unwrap_or_default().chars().count();
            self.push_value(&n.to_string(), quoted, fields);
            return Ok(());
        }
        self.apply_op(p, &name, value, quoted, fields, err)
    }

    /// A list of words as `"$@"` (quoted `@`: one field each) or `$*` gives them.
    fn push_list(
        &mut self,
        values: &[String],
        how: &str,
        quoted: bool,
        fields: &mut Fields,
    ) -> Result<(), Ctl> {
        if quoted && how == "@" {
            for (i, a) in values.iter().enumerate() {
                if i > 0 {
                    fields.end_field();
                    fields.cur_exists = true;
                }
                fields.cur.push(a, true);
            }
            if values.is_empty() && fields.cur.text.is_empty() {
                fields.cur_exists = false;
            }
            return Ok(());
        }
        if !quoted && !fields.no_split {
            let ifs = self.ifs();
            for (i, a) in values.iter().enumerate() {
                if i > 0 {
                    fields.end_field();
                }
                fields.push_split(a, &ifs);
            }
            return Ok(());
        }
        let sep = self
            .ifs()
            .chars()
            .next()
            .map(String::from)
            .unwrap_or_default();
        self.push_value(&values.join(&sep), quoted, fields);
        Ok(())
    }

    /// The elements of `name` as an array: bash's `FUNCNAME` is the call stack
    /// (innermost first, `main` last; empty outside any function); any other set
    /// variable is an array of one.
    fn array_values(&self, name: &str) -> Vec<String> {
        if name == "FUNCNAME" && self.st.get_var(name).is_none() {
            if !self.st.frames.iter().any(|f| f != "source") {
                return Vec::new();
            }
            let mut v: Vec<String> = self.st.frames.iter().rev().cloned().collect();
            v.push("main".into());
            return v;
        }
        self.param_value(name).into_iter().collect()
    }

    /// `offset[:length]` (arithmetic, as bash reads them) to a range within `len`
    /// items: a negative offset counts from the end, a negative length is an end
    /// counted from the end.
    fn substring_bounds(
        &mut self,
        spec: &str,
        len: usize,
        err: &mut dyn Write,
    ) -> Result<(usize, usize), Ctl> {
        let (off, length) = match spec.split_once(':') {
            Some((o, l)) => (o, Some(l)),
            None => (spec, None),
        };
        let mut eval = |expr: &str| -> Result<i64, Ctl> {
            if expr.trim().is_empty() {
                return Ok(0);
            }
            super::arith::eval(expr, &mut |n| self.st.get_var(n).map(str::to_string)).map_err(
                |msg| {
                    write_err(
                        err,
                        format_args!("{}{expr}: syntax error in expression{msg}", self.prefix(0)),
                    );
                    Ctl::Exit(1)
                },
            )
        };
        let n = len as i64;
        let mut start = eval(off)?;
        if start < 0 {
            start += n;
        }
        if start < 0 || start > n {
            return Ok((0, 0));
        }
        let end = match length {
            None => n,
            Some(l) => {
                let l = eval(l)?;
                if l < 0 {
                    let end = n + l;
                    if end < start {
                        write_err(
                            err,
                            format_args!("{}{}: substring expression < 0", self.prefix(0), l),
                        );
                        return Err(Ctl::Exit(1));
                    }
                    end
                } else {
                    (start + l).min(n)
                }
            }
        };
        Ok((start as usize, end as usize))
    }

    /// Pathname expansion against the Vfs; sorted, relative paths stay relative.
    fn glob(&self, pattern: &str) -> Vec<String> {
        let absolute = pattern.starts_with('/');
        let comps: Vec<&str> = pattern.split('/').filter(|c| !c.is_empty()).collect();
        let mut results: Vec<String> = vec![String::new()];
        for (i, comp) in comps.iter().enumerate() {
            let last = i + 1 == comps.len();
            let mut next = Vec::new();
            for prefix in &results {
                let dir_virtual = if absolute {
                    format!("/{prefix}")
                } else {
                    vfs::normalize(&self.st.cwd, prefix)
                };
                let is_magic = comp.contains(['*', '?', '[']);
                if !is_magic {
                    let lit = unescape(comp);
                    let candidate = join(prefix, &lit);
                    let full = if absolute {
                        format!("/{candidate}")
                    } else {
                        vfs::normalize(&self.st.cwd, &candidate)
                    };
                    let keep = if last {
                        self.fs.symlink_metadata(&full).is_ok()
                    } else {
                        self.fs.metadata(&full).is_ok_and(|m| m.is_dir())
                    };
                    if keep {
                        next.push(candidate);
                    }
                    continue;
                }
                let Ok(entries) = self.fs.read_dir(&dir_virtual) else {
                    continue;
                };
                for e in entries {
                    if e.name.starts_with('.') && !comp.starts_with('.') {
                        continue;
                    }
                    if fnmatch(comp, &e.name) {
                        let candidate = join(prefix, &e.name);
                        if !last {
                            let full = vfs::normalize(&dir_virtual, &e.name);
                            if !self.fs.metadata(&full).is_ok_and(|m| m.is_dir()) {
                                continue;
                            }
                        }
                        next.push(candidate);
                    }
                }
            }
            results = next;
            if results.is_empty() {
                return results;
            }
        }
        let mut out: Vec<String> = results
            .into_iter()
            .map(|r| if absolute { format!("/{r}") } else { r })
            .collect();
        if pattern.ends_with('/') {
            for o in &mut out {
                o.push('/');
            }
        }
        out.sort();
        out
    }
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}/{name}")
    }
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn remove_affix(v: &str, pat: &str, op: ParamOp) -> String {
    let bounds: Vec<usize> = v
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(v.len()))
        .collect();
    match op {
        ParamOp::RemoveSmallestPrefix => bounds
            .iter()
            .find(|&&i| fnmatch(pat, &v[..i]))
            .map(|&i| v[i..].to_string()),
        ParamOp::RemoveLargestPrefix => bounds
            .iter()
            .rev()
            .find(|&&i| fnmatch(pat, &v[..i]))
            .map(|&i| v[i..].to_string()),
        ParamOp::RemoveSmallestSuffix => bounds
            .iter()
            .rev()
            .find(|&&i| fnmatch(pat, &v[i..]))
            .map(|&i| v[..i].to_string()),
        _ => bounds
            .iter()
            .find(|&&i| fnmatch(pat, &v[i..]))
            .map(|&i| v[..i].to_string()),
    }
    .unwrap_or_else(|| v.to_string())
}

/// Shell pattern matching: `*`, `?`, `[...]`, `[!...]`, backslash escapes.
pub fn fnmatch(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // Iterative matcher with single-star backtracking: linear memory, no recursion.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() {
            match p[pi] {
                '*' => {
                    star = Some((pi, ti));
                    pi += 1;
                    continue;
                }
                '?' => {
                    pi += 1;
                    ti += 1;
                    continue;
                }
                '[' => {
                    if let Some((matched, len)) = match_class(&p[pi..], t[ti]) {
                        if matched {
                            pi += len;
                            ti += 1;
                            continue;
                        }
                    } else if t[ti] == '[' {
                        pi += 1;
                        ti += 1;
                        continue;
                    }
                }
                '\\' if pi + 1 < p.len() => {
                    if p[pi + 1] == t[ti] {
                        pi += 2;
                        ti += 1;
                        continue;
                    }
                }
                c => {
                    if c == t[ti] {
                        pi += 1;
                        ti += 1;
                        continue;
                    }
                }
            }
        }
        match star {
            Some((sp, st)) => {
                pi = sp + 1;
                ti = st + 1;
                star = Some((sp, st + 1));
            }
            None => return false,
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// Matches a bracket expression at the start of `p`; None if it is not one.
fn match_class(p: &[char], c: char) -> Option<(bool, usize)> {
    let mut i = 1;
    let negate = matches!(p.get(1), Some('!') | Some('^'));
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    while i < p.len() {
        if p[i] == ']' && !first {
            return Some((matched != negate, i + 1));
        }
        first = false;
        if p[i] == '[' && p.get(i + 1) == Some(&':') {
            let rest: String = p[i + 2..].iter().collect();
            if let Some(end) = rest.find(":]") {
                let class = &rest[..end];
                matched |= match class {
                    "alpha" => c.is_alphabetic(),
                    "digit" => c.is_ascii_digit(),
                    "alnum" => c.is_alphanumeric(),
                    "upper" => c.is_uppercase(),
                    "lower" => c.is_lowercase(),
                    "space" => c.is_whitespace(),
                    "punct" => c.is_ascii_punctuation(),
                    "xdigit" => c.is_ascii_hexdigit(),
                    _ => false,
                };
                i += end + 4;
                continue;
            }
        }
        let lo = if p[i] == '\\' && i + 1 < p.len() {
            i += 1;
            p[i]
        } else {
            p[i]
        };
        if p.get(i + 1) == Some(&'-') && p.get(i + 2).is_some_and(|&h| h != ']') {
            let hi = p[i + 2];
            matched |= lo <= c && c <= hi;
            i += 3;
        } else {
            matched |= lo == c;
            i += 1;
        }
    }
    None
}

/// The special parameters an indirect expansion may name (`${!1}`, `${!#}`).
fn is_special(name: &str) -> bool {
    matches!(name, "@" | "*" | "#" | "?" | "$" | "!" | "-" | "0")
        || (!name.is_empty() && name.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        assert!(fnmatch("*.txt", "a.txt"));
        assert!(!fnmatch("*.txt", "a.txtx"));
        assert!(fnmatch("a?c", "abc"));
        assert!(fnmatch("[a-c]x", "bx"));
        assert!(fnmatch("[!a-c]x", "dx"));
        assert!(fnmatch("\\*", "*"));
        assert!(!fnmatch("\\*", "a"));
        assert!(fnmatch("*a*b*c*", "xxaxxbxxcxx"));
        assert!(fnmatch("[[:digit:]]*", "1abc"));
        assert_eq!(
            remove_affix("a/b/c", "*/", ParamOp::RemoveLargestPrefix),
            "c"
        );
        assert_eq!(
            remove_affix("a/b/c", "*/", ParamOp::RemoveSmallestPrefix),
            "b/c"
        );
        assert_eq!(
            remove_affix("f.tar.gz", ".*", ParamOp::RemoveSmallestSuffix),
            "f.tar"
        );
        assert_eq!(
            remove_affix("f.tar.gz", ".*", ParamOp::RemoveLargestSuffix),
            "f"
        );
    }
}

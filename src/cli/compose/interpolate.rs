//! `${VAR}` in compose files, as compose-go's template package reads it: `$VAR`,
//! `${VAR}`, `${VAR:-default}` / `${VAR-default}`, `${VAR:?error}` / `${VAR?error}`,
//! `${VAR:+alt}` / `${VAR+alt}`, `$$` for a literal `$`; values from the client's
//! environment over the `.env` file beside the compose file. Works on the parsed YAML
//! tree (strings only, keys untouched), as compose interpolates after parsing.

use serde_yaml::Value;
use std::collections::BTreeMap;

/// What the variables resolve against, and the names found unset.
pub struct Interpolator<'a> {
    pub vars: &'a BTreeMap<String, String>,
    /// Unset variables used without a default, in order, each once: compose warns.
    pub unset: Vec<String>,
}

impl<'a> Interpolator<'a> {
    pub fn new(vars: &'a BTreeMap<String, String>) -> Interpolator<'a> {
        Interpolator {
            vars,
            unset: Vec::new(),
        }
    }

    /// Interpolates every string in `value`; `path` names it in errors
    /// (`services.web.image`).
    pub fn tree(&mut self, value: &mut Value, path: &str) -> Result<(), String> {
        match value {
            Value::String(s) => {
                *s = self.text(s).map_err(|e| match e {
                    TemplateError::Invalid => format!(
                        "invalid interpolation format for {path}.\nYou may need to escape any $ with another $.\n{s}"
                    ),
                    TemplateError::Required(m) => m,
                })?;
            }
            Value::Sequence(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    self.tree(item, &format!("{path}.[{i}]"))?;
                }
            }
            Value::Mapping(map) => {
                for (k, v) in map.iter_mut() {
                    let key = match k {
                        Value::String(s) => s.clone(),
                        other => serde_yaml::to_string(other)
                            .unwrap_or_default()
                            .trim()
                            .to_string(),
                    };
                    let sub = if path.is_empty() {
                        key
                    } else {
                        format!("{path}.{key}")
                    };
                    self.tree(v, &sub)?;
                }
            }
            Value::Tagged(t) => self.tree(&mut t.value, path)?,
            _ => {}
        }
        Ok(())
    }

    /// One string's substitutions.
    pub fn text(&mut self, input: &str) -> Result<String, TemplateError> {
        let chars: Vec<char> = input.chars().collect();
        let mut out = String::new();
        let mut i = 0;
        while i < chars.len() {
            if chars[i] != '$' {
                out.push(chars[i]);
                i += 1;
                continue;
            }
            match chars.get(i + 1) {
                Some('$') => {
                    out.push('$');
                    i += 2;
                }
                Some('{') => {
                    let close = matching_brace(&chars, i + 2).ok_or(TemplateError::Invalid)?;
                    let inner: String = chars[i + 2..close].iter().collect();
                    out.push_str(&self.braced(&inner)?);
                    i = close + 1;
                }
                Some(c) if c.is_ascii_alphabetic() || *c == '_' => {
                    let start = i + 1;
                    let mut end = start;
                    while end < chars.len()
                        && (chars[end].is_ascii_alphanumeric() || chars[end] == '_')
                    {
                        end += 1;
                    }
                    let name: String = chars[start..end].iter().collect();
                    out.push_str(&self.lookup_or_warn(&name));
                    i = end;
                }
                _ => return Err(TemplateError::Invalid),
            }
        }
        Ok(out)
    }

    fn lookup_or_warn(&mut self, name: &str) -> String {
        match self.vars.get(name) {
            Some(v) => v.clone(),
            None => {
                if !self.unset.iter().any(|u| u == name) {
                    self.unset.push(name.to_string());
                }
                String::new()
            }
        }
    }

    /// `NAME`, or `NAME` followed by one of `:-` `-` `:?` `?` `:+` `+` and its word.
    fn braced(&mut self, inner: &str) -> Result<String, TemplateError> {
        let name_len = inner
            .char_indices()
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_'))
            .map_or(inner.len(), |(i, _)| i);
        let name = &inner[..name_len];
        if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(TemplateError::Invalid);
        }
        let rest = &inner[name_len..];
        if rest.is_empty() {
            return Ok(self.lookup_or_warn(name));
        }
        let (colon, rest) = match rest.strip_prefix(':') {
            Some(r) => (true, r),
            None => (false, rest),
        };
        let mut ops = rest.chars();
        let op = ops.next().ok_or(TemplateError::Invalid)?;
        let word = ops.as_str();
        let value = self.vars.get(name).cloned();
        // With a colon, an empty value counts as unset.
        let set = match &value {
            Some(v) => !colon || !v.is_empty(),
            None => false,
        };
        match op {
            '-' => match set {
                true => Ok(value.unwrap_or_default()),
                false => self.text(word),
            },
            '+' => match set {
                true => self.text(word),
                false => Ok(String::new()),
            },
            '?' => match set {
                true => Ok(value.unwrap_or_default()),
                false => {
                    let reason = self.text(word)?;
                    Err(TemplateError::Required(if reason.is_empty() {
                        format!("required variable {name} is missing a value")
                    } else {
                        format!("required variable {name} is missing a value: {reason}")
                    }))
                }
            },
            _ => Err(TemplateError::Invalid),
        }
    }
}

#[derive(Debug, PartialEq)]
pub enum TemplateError {
    /// Not a template compose can read.
    Invalid,
    /// `${VAR:?err}` with VAR unset: compose's whole sentence.
    Required(String),
}

/// The `}` closing a `${` whose body starts at `from`, nested `${...}` skipped.
fn matching_brace(chars: &[char], from: usize) -> Option<usize> {
    let mut depth = 0;
    let mut i = from;
    while i < chars.len() {
        match chars[i] {
            '$' if chars.get(i + 1) == Some(&'{') => {
                depth += 1;
                i += 1;
            }
            '}' if depth == 0 => return Some(i),
            '}' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    None
}

/// A `.env` file's variables, as compose-go's dotenv reads them: `KEY=value`,
/// `export KEY=value`, quotes stripped (escapes in double quotes), `#` comments.
pub fn parse_dotenv(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut vars = BTreeMap::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line).trim_start();
        let Some((key, value)) = line.split_once('=') else {
            return Err(format!(
                "line {}: unexpected character \"{}\" in variable name \"{}\"",
                n + 1,
                line.chars()
                    .find(|c| !(c.is_ascii_alphanumeric() || *c == '_'))
                    .unwrap_or('\n')
                    .escape_default(),
                line
            ));
        };
        let key = key.trim().to_string();
        let value = value.trim();
        let value = if let Some(inner) = value.strip_prefix('"').and_then(|v| v.rsplit_once('"')) {
            inner
                .0
                .replace("\\n", "\n")
                .replace("\\\"", "\"")
                .replace("\\\\", "\\")
        } else if let Some(inner) = value.strip_prefix('\'').and_then(|v| v.rsplit_once('\'')) {
            inner.0.to_string()
        } else {
            // An unquoted value ends at ` #`.
            match value.find(" #") {
                Some(i) => value[..i].trim_end().to_string(),
                None => value.to_string(),
            }
        };
        vars.insert(key, value);
    }
    Ok(vars)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn substitutes_the_forms_compose_reads() {
        let v = vars(&[("TAG", "1.25"), ("EMPTY", "")]);
        let mut i = Interpolator::new(&v);
        assert_eq!(i.text("nginx:${TAG}").unwrap(), "nginx:1.25");
        assert_eq!(i.text("nginx:$TAG-x").unwrap(), "nginx:1.25-x");
        assert_eq!(i.text("${EMPTY:-alpine}").unwrap(), "alpine");
        assert_eq!(i.text("${EMPTY-alpine}").unwrap(), "");
        assert_eq!(i.text("${NOPE:-${TAG}}").unwrap(), "1.25");
        assert_eq!(i.text("${TAG:+set}").unwrap(), "set");
        assert_eq!(i.text("cost: $$5").unwrap(), "cost: $5");
        assert!(i.unset.is_empty());
        assert_eq!(i.text("${NOPE}").unwrap(), "");
        assert_eq!(i.unset, vec!["NOPE".to_string()]);
    }

    #[test]
    fn required_and_invalid_templates_fail_in_compose_words() {
        let v = vars(&[]);
        let mut i = Interpolator::new(&v);
        assert_eq!(
            i.text("${DB_PASSWORD:?set it in .env}"),
            Err(TemplateError::Required(
                "required variable DB_PASSWORD is missing a value: set it in .env".into()
            ))
        );
        assert_eq!(i.text("${FOO"), Err(TemplateError::Invalid));
        let mut tree: Value =
            serde_yaml::from_str("services:\n  web:\n    image: ${FOO\n").unwrap();
        let err = i.tree(&mut tree, "").unwrap_err();
        assert_eq!(
            err,
            "invalid interpolation format for services.web.image.\nYou may need to escape any $ with another $.\n${FOO"
        );
    }

    #[test]
    fn dotenv_lines() {
        let env =
            parse_dotenv("# c\nA=1\nexport B=\"two words\"\nC='x y' \nD=plain # note\n").unwrap();
        assert_eq!(env["A"], "1");
        assert_eq!(env["B"], "two words");
        assert_eq!(env["C"], "x y");
        assert_eq!(env["D"], "plain");
    }
}

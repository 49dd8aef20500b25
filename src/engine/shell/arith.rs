//! `$((...))`: integer arithmetic with C precedence, as sh does it.

const MAX_DEPTH: usize = 200;

struct P<'a, 'v> {
    s: Vec<char>,
    i: usize,
    depth: usize,
    lookup: &'a mut dyn FnMut(&str) -> Option<String>,
    _v: std::marker::PhantomData<&'v ()>,
}

/// Evaluates `expr`; the error is a suffix for "arithmetic syntax error".
pub fn eval(expr: &str, lookup: &mut dyn FnMut(&str) -> Option<String>) -> Result<i64, String> {
    let mut p = P {
        s: expr.chars().collect(),
        i: 0,
        depth: 0,
        lookup,
        _v: std::marker::PhantomData,
    };
    p.ws();
    if p.i >= p.s.len() {
        return Ok(0);
    }
    let v = p.ternary()?;
    p.ws();
    if p.i < p.s.len() {
        return Err(String::new());
    }
    Ok(v)
}

impl P<'_, '_> {
    fn ws(&mut self) {
        while self.s.get(self.i).is_some_and(|c| c.is_whitespace()) {
            self.i += 1;
        }
    }

    fn eat(&mut self, op: &str) -> bool {
        self.ws();
        let n = op.chars().count();
        if self.s.len() >= self.i + n && self.s[self.i..self.i + n].iter().copied().eq(op.chars()) {
            // `<` must not swallow the first half of `<=` and so on.
            let next = self.s.get(self.i + n).copied();
            if (op == "<" || op == ">" || op == "=" || op == "!") && next == Some('=') {
                return false;
            }
            if (op == "&" && next == Some('&')) || (op == "|" && next == Some('|')) {
                return false;
            }
            if (op == "<" && next == Some('<')) || (op == ">" && next == Some('>')) {
                return false;
            }
            self.i += n;
            return true;
        }
        false
    }

    fn ternary(&mut self) -> Result<i64, String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(": expression too deep".into());
        }
        let c = self.binary(0)?;
        let r = if self.eat("?") {
            let a = self.ternary()?;
            if !self.eat(":") {
                return Err(String::new());
            }
            let b = self.ternary()?;
            if c != 0 { a } else { b }
        } else {
            c
        };
        self.depth -= 1;
        Ok(r)
    }

    fn binary(&mut self, level: usize) -> Result<i64, String> {
        const LEVELS: &[&[&str]] = &[
            &["||"],
            &["&&"],
            &["|"],
            &["^"],
            &["&"],
            &["==", "!="],
            &["<=", ">=", "<", ">"],
            &["<<", ">>"],
            &["+", "-"],
            &["*", "/", "%"],
        ];
        if level == LEVELS.len() {
            return self.unary();
        }
        let mut l = self.binary(level + 1)?;
        'outer: loop {
            for op in LEVELS[level] {
                if self.eat(op) {
                    let r = self.binary(level + 1)?;
                    l = match *op {
                        "||" => i64::from(l != 0 || r != 0),
                        "&&" => i64::from(l != 0 && r != 0),
                        "|" => l | r,
                        "^" => l ^ r,
                        "&" => l & r,
                        "==" => i64::from(l == r),
                        "!=" => i64::from(l != r),
                        "<=" => i64::from(l <= r),
                        ">=" => i64::from(l >= r),
                        "<" => i64::from(l < r),
                        ">" => i64::from(l > r),
                        "<<" => l.wrapping_shl(r as u32),
                        ">>" => l.wrapping_shr(r as u32),
                        "+" => l.wrapping_add(r),
                        "-" => l.wrapping_sub(r),
                        "*" => l.wrapping_mul(r),
                        "/" | "%" => {
                            if r == 0 {
                                return Err(": divide by zero".into());
                            }
                            if *op == "/" {
                                l.wrapping_div(r)
                            } else {
                                l.wrapping_rem(r)
                            }
                        }
                        _ => l,
                    };
                    continue 'outer;
                }
            }
            return Ok(l);
        }
    }

    fn unary(&mut self) -> Result<i64, String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(": expression too deep".into());
        }
        let r = if self.eat("-") {
            self.unary().map(i64::wrapping_neg)
        } else if self.eat("+") {
            self.unary()
        } else if self.eat("!") {
            self.unary().map(|v| i64::from(v == 0))
        } else if self.eat("~") {
            self.unary().map(|v| !v)
        } else {
            self.primary()
        };
        self.depth -= 1;
        r
    }

    fn primary(&mut self) -> Result<i64, String> {
        self.ws();
        if self.eat("(") {
            let v = self.ternary()?;
            if !self.eat(")") {
                return Err(String::new());
            }
            return Ok(v);
        }
        let start = self.i;
        while self
            .s
            .get(self.i)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_')
        {
            self.i += 1;
        }
        let tok: String = self.s[start..self.i].iter().collect();
        if tok.is_empty() {
            return Err(String::new());
        }
        if tok.starts_with(|c: char| c.is_ascii_digit()) {
            return parse_number(&tok).ok_or_else(String::new);
        }
        let value = (self.lookup)(&tok).unwrap_or_default();
        let value = value.trim();
        if value.is_empty() {
            return Ok(0);
        }
        parse_number(value).ok_or_else(String::new)
    }
}

fn parse_number(s: &str) -> Option<i64> {
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let v = if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        i64::from_str_radix(h, 16).ok()?
    } else if s.len() > 1 && s.starts_with('0') {
        i64::from_str_radix(&s[1..], 8).ok()?
    } else {
        s.parse().ok()?
    };
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(s: &str) -> Result<i64, String> {
        eval(s, &mut |n| (n == "x").then(|| "5".to_string()))
    }

    #[test]
    fn arithmetic() {
        assert_eq!(ev("1 + 2 * 3"), Ok(7));
        assert_eq!(ev("(1 + 2) * 3"), Ok(9));
        assert_eq!(ev("x % 3"), Ok(2));
        assert_eq!(ev("x > 3 && x <= 5"), Ok(1));
        assert_eq!(ev("-x + 1"), Ok(-4));
        assert_eq!(ev("y + 1"), Ok(1));
        assert_eq!(ev("0x10 + 010"), Ok(24));
        assert_eq!(ev("x == 5 ? 10 : 20"), Ok(10));
        assert!(ev("1 / 0").is_err());
        assert!(ev("1 +").is_err());
        assert!(ev(&"(".repeat(100_000)).is_err());
    }
}

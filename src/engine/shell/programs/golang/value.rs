//! Run-time values of the interpreted Go program, and `fmt`'s rules for printing them
//! (`%v`, `%+v`, `%d`, `%s`, `%q`, `%T`, `%f`, widths and flags, `%!d(string=x)`).

use super::ast::FuncDecl;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

#[derive(Debug, Clone)]
pub enum Value {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Rc<str>),
    Slice(SliceVal),
    Map(Rc<RefCell<MapVal>>),
    Struct(Rc<StructVal>),
    Pointer(Rc<RefCell<Value>>),
    Func(Rc<Closure>),
    /// A built-in or standard-library function, by its qualified name (`fmt.Println`).
    Native(Rc<str>),
    /// A method bound to its receiver (`p.Greet` used as a value).
    Bound(Box<Value>, Rc<FuncDecl>),
    /// A standard-library method bound to its receiver (`w.Header`).
    NativeMethod(Box<Value>, &'static str),
    Error(Rc<str>),
    Duration(i64),
    /// Nanoseconds since the Unix epoch, UTC.
    Time(i64),
    Object(Rc<Object>),
}

/// Standard-library objects with state of their own.
#[derive(Debug)]
pub enum Object {
    /// `os.Stdout` (1) / `os.Stderr` (2).
    File(u8),
    /// The `http.ResponseWriter` of the request being served.
    Response(RefCell<Response>),
    Request(super::interp::RequestData),
    /// `http.Header` or `url.Values`: names to values, shared with their owner.
    Header(Headers, bool),
    Url(String, String),
    /// `json.NewEncoder(w)`.
    Encoder(Value),
    /// `strings.Builder`.
    Builder(RefCell<String>),
}

/// `http.Header` / `url.Values`: names and their values, in the order first set.
pub type Headers = Rc<RefCell<Vec<(String, Vec<String>)>>>;

#[derive(Debug, Default)]
pub struct Response {
    pub status: Option<u16>,
    pub headers: Headers,
    pub body: Vec<u8>,
}

#[derive(Debug, Clone)]
pub struct SliceVal {
    pub data: Rc<RefCell<Vec<Value>>>,
    pub off: usize,
    pub len: usize,
    pub nil: bool,
    /// The element's zero value (what `make([]T, n)` fills with).
    pub zero: Rc<Value>,
}

impl SliceVal {
    pub fn new(items: Vec<Value>, zero: Value) -> SliceVal {
        let len = items.len();
        SliceVal {
            data: Rc::new(RefCell::new(items)),
            off: 0,
            len,
            nil: false,
            zero: Rc::new(zero),
        }
    }
    pub fn nil(zero: Value) -> SliceVal {
        SliceVal {
            nil: true,
            ..SliceVal::new(Vec::new(), zero)
        }
    }
    pub fn items(&self) -> Vec<Value> {
        let data = self.data.borrow();
        data[self.off.min(data.len())..(self.off + self.len).min(data.len())].to_vec()
    }
}

#[derive(Debug, Clone)]
pub struct MapVal {
    pub entries: BTreeMap<Key, Value>,
    pub zero: Value,
    pub nil: bool,
}

/// A map key: the comparable values programs use as keys, ordered as `fmt` prints them.
#[derive(Debug, Clone, PartialEq)]
pub enum Key {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Rc<str>),
}

impl Eq for Key {}
impl Ord for Key {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        use std::cmp::Ordering::Equal;
        match (self, other) {
            (Key::Bool(a), Key::Bool(b)) => a.cmp(b),
            (Key::Int(a), Key::Int(b)) => a.cmp(b),
            (Key::Float(a), Key::Float(b)) => a.partial_cmp(b).unwrap_or(Equal),
            (Key::Str(a), Key::Str(b)) => a.cmp(b),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}
impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Key {
    fn rank(&self) -> u8 {
        match self {
            Key::Bool(_) => 0,
            Key::Int(_) => 1,
            Key::Float(_) => 2,
            Key::Str(_) => 3,
        }
    }
    pub fn from_value(v: &Value) -> Option<Key> {
        Some(match v {
            Value::Bool(b) => Key::Bool(*b),
            Value::Int(i) | Value::Duration(i) => Key::Int(*i),
            Value::Float(f) => Key::Float(*f),
            Value::Str(s) => Key::Str(s.clone()),
            _ => return None,
        })
    }
    pub fn to_value(&self) -> Value {
        match self {
            Key::Bool(b) => Value::Bool(*b),
            Key::Int(i) => Value::Int(*i),
            Key::Float(f) => Value::Float(*f),
            Key::Str(s) => Value::Str(s.clone()),
        }
    }
}

#[derive(Debug, Clone)]
pub struct StructVal {
    /// `main.Point`, or empty for an anonymous struct.
    pub type_name: Rc<str>,
    pub fields: Vec<(Rc<str>, Value)>,
}

#[derive(Debug)]
pub struct Closure {
    pub decl: Rc<FuncDecl>,
    pub env: Option<Rc<super::interp::Scope>>,
}

impl Value {
    pub fn str(s: &str) -> Value {
        Value::Str(Rc::from(s))
    }

    pub fn is_nil(&self) -> bool {
        match self {
            Value::Nil => true,
            Value::Slice(s) => s.nil,
            Value::Map(m) => m.borrow().nil,
            _ => false,
        }
    }

    /// Go's name for the value's dynamic type, as `%T` prints it.
    pub fn type_name(&self) -> String {
        match self {
            Value::Nil => "<nil>".into(),
            Value::Bool(_) => "bool".into(),
            Value::Int(_) => "int".into(),
            Value::Float(_) => "float64".into(),
            Value::Str(_) => "string".into(),
            Value::Slice(s) => format!("[]{}", s.zero.type_name_or("interface {}")),
            Value::Map(m) => {
                let m = m.borrow();
                let k = m
                    .entries
                    .keys()
                    .next()
                    .map(|k| k.to_value().type_name())
                    .unwrap_or_else(|| "string".into());
                format!("map[{k}]{}", m.zero.type_name_or("interface {}"))
            }
            Value::Struct(s) if s.type_name.is_empty() => "struct {...}".into(),
            Value::Struct(s) => s.type_name.to_string(),
            Value::Pointer(p) => format!("*{}", p.borrow().type_name()),
            Value::Func(_) | Value::Native(_) | Value::Bound(..) | Value::NativeMethod(..) => {
                "func()".into()
            }
            Value::Error(_) => "*errors.errorString".into(),
            Value::Duration(_) => "time.Duration".into(),
            Value::Time(_) => "time.Time".into(),
            Value::Object(o) => match **o {
                Object::File(_) => "*os.File".into(),
                Object::Response(_) => "*http.response".into(),
                Object::Request(_) => "*http.Request".into(),
                Object::Header(_, true) => "url.Values".into(),
                Object::Header(_, false) => "http.Header".into(),
                Object::Url(..) => "*url.URL".into(),
                Object::Encoder(_) => "*json.Encoder".into(),
                Object::Builder(_) => "*strings.Builder".into(),
            },
        }
    }

    fn type_name_or(&self, nil: &str) -> String {
        match self {
            Value::Nil => nil.to_string(),
            v => v.type_name(),
        }
    }
}

/// `%v` of a float64: strconv's shortest 'g' form, `%e` style when the exponent is
/// below -4 or at least 6 (`1e+06`, `1.23456789e+08`).
pub fn format_float_v(f: f64) -> String {
    format_float_g(f, 6)
}

/// `strconv.FormatFloat(f, 'f', -1, 64)`: shortest digits, never an exponent.
pub fn format_float_plain(f: f64) -> String {
    format_float_g(f, i32::MAX)
}

/// strconv's 'g' format with the shortest precision; `eprec` is where the exponent form
/// starts.
pub fn format_float_g(f: f64, eprec: i32) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    let e = format!("{f:e}");
    let (mant, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let neg = mant.starts_with('-');
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let sign = if neg { "-" } else { "" };
    if exp < -4 || exp >= eprec {
        let mut m = digits[..1].to_string();
        if digits.len() > 1 {
            m.push('.');
            m.push_str(&digits[1..]);
        }
        let (es, ea) = if exp < 0 { ('-', -exp) } else { ('+', exp) };
        return format!("{sign}{m}e{es}{ea:02}");
    }
    if exp < 0 {
        format!("{sign}0.{}{digits}", "0".repeat((-exp - 1) as usize))
    } else if (exp as usize) + 1 >= digits.len() {
        format!(
            "{sign}{digits}{}",
            "0".repeat(exp as usize + 1 - digits.len())
        )
    } else {
        let (a, b) = digits.split_at(exp as usize + 1);
        format!("{sign}{a}.{b}")
    }
}

/// `%e` with `prec` digits after the point.
fn format_float_e(f: f64, prec: usize) -> String {
    let e = format!("{f:.prec$e}");
    let (mant, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (es, ea) = if exp < 0 { ('-', -exp) } else { ('+', exp) };
    format!("{mant}e{es}{ea:02}")
}

/// `time.Duration.String()`: "1.5s", "250ms", "1h2m3s", "0s".
pub fn format_duration(d: i64) -> String {
    if d == 0 {
        return "0s".into();
    }
    let neg = d < 0;
    let u = d.unsigned_abs();
    let sign = if neg { "-" } else { "" };
    let frac = |v: u64, unit: u64| -> String {
        let whole = v / unit;
        let rest = v % unit;
        if rest == 0 {
            return whole.to_string();
        }
        let width = unit.to_string().len() - 1;
        let s = format!("{rest:0width$}");
        format!("{whole}.{}", s.trim_end_matches('0'))
    };
    if u < 1_000 {
        return format!("{sign}{u}ns");
    }
    if u < 1_000_000 {
        return format!("{sign}{}µs", frac(u, 1_000));
    }
    if u < 1_000_000_000 {
        return format!("{sign}{}ms", frac(u, 1_000_000));
    }
    let secs_total = u / 1_000_000_000;
    let nanos = u % 1_000_000_000;
    let h = secs_total / 3600;
    let m = (secs_total % 3600) / 60;
    let s = secs_total % 60;
    let sec = frac(s * 1_000_000_000 + nanos, 1_000_000_000);
    let mut out = sign.to_string();
    if h > 0 {
        out.push_str(&format!("{h}h{m}m"));
    } else if m > 0 {
        out.push_str(&format!("{m}m"));
    }
    out.push_str(&sec);
    out.push('s');
    out
}

/// `time.Time.String()` for a UTC time: "2026-12-04 18:40:00 +0000 UTC".
pub fn format_time(nanos: i64) -> String {
    if nanos == i64::MIN {
        return "0001-01-01 00:00:00 +0000 UTC".into();
    }
    let t = chrono::DateTime::from_timestamp(
        nanos.div_euclid(1_000_000_000),
        nanos.rem_euclid(1_000_000_000) as u32,
    )
    .unwrap_or_default();
    let frac = nanos.rem_euclid(1_000_000_000);
    let mut s = t.format("%Y-%m-%d %H:%M:%S").to_string();
    if frac != 0 {
        s.push_str(format!(".{frac:09}").trim_end_matches('0'));
    }
    s.push_str(" +0000 UTC");
    s
}

/// `%v` (`plus`: `%+v`) of a value; `top` tells a value printed as an operand from one
/// nested in a composite (strings are bare either way; nil pointers differ).
pub fn format_v(v: &Value, plus: bool, out: &mut String, depth: usize) {
    if depth > 32 {
        out.push_str("...");
        return;
    }
    match v {
        Value::Nil => out.push_str("<nil>"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::Float(f) => out.push_str(&format_float_v(*f)),
        Value::Str(s) => out.push_str(s),
        Value::Slice(s) => {
            out.push('[');
            for (i, item) in s.items().iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                format_v(item, plus, out, depth + 1);
            }
            out.push(']');
        }
        Value::Map(m) => {
            out.push_str("map[");
            for (i, (k, val)) in m.borrow().entries.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                format_v(&k.to_value(), plus, out, depth + 1);
                out.push(':');
                format_v(val, plus, out, depth + 1);
            }
            out.push(']');
        }
        Value::Struct(s) => {
            out.push('{');
            for (i, (name, val)) in s.fields.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                if plus {
                    out.push_str(name);
                    out.push(':');
                }
                format_v(val, plus, out, depth + 1);
            }
            out.push('}');
        }
        Value::Pointer(p) => {
            let inner = p.borrow();
            if depth == 0 && matches!(*inner, Value::Struct(_) | Value::Slice(_) | Value::Map(_)) {
                out.push('&');
                format_v(&inner, plus, out, depth + 1);
            } else {
                out.push_str(&format!(
                    "0xc{:09x}",
                    Rc::as_ptr(p) as usize as u64 & 0xfffffffff
                ));
            }
        }
        Value::Func(_) | Value::Native(_) | Value::Bound(..) | Value::NativeMethod(..) => {
            out.push_str("0x47b1e0")
        }
        Value::Error(e) => out.push_str(e),
        Value::Duration(d) => out.push_str(&format_duration(*d)),
        Value::Time(t) => out.push_str(&format_time(*t)),
        Value::Object(o) => match &**o {
            Object::Header(h, _) => {
                out.push_str("map[");
                for (i, (k, vals)) in h.borrow().iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    out.push_str(k);
                    out.push_str(":[");
                    out.push_str(&vals.join(" "));
                    out.push(']');
                }
                out.push(']');
            }
            Object::Url(path, query) => {
                out.push_str(path);
                if !query.is_empty() {
                    out.push('?');
                    out.push_str(query);
                }
            }
            Object::Builder(b) => {
                out.push_str(&format!("&{{{:?}}}", b.borrow()));
            }
            _ => out.push_str(&format!("&{{{}}}", v.type_name())),
        },
    }
}

pub fn to_v(v: &Value) -> String {
    let mut s = String::new();
    format_v(v, false, &mut s, 0);
    s
}

/// `fmt.Sprint`: spaces between operands when neither side is a string.
pub fn sprint(args: &[Value]) -> String {
    let mut out = String::new();
    for (i, a) in args.iter().enumerate() {
        if i > 0 && !matches!(a, Value::Str(_)) && !matches!(args[i - 1], Value::Str(_)) {
            out.push(' ');
        }
        format_v(a, false, &mut out, 0);
    }
    out
}

/// `fmt.Sprintln`: spaces between all operands, and a newline.
pub fn sprintln(args: &[Value]) -> String {
    let mut out = String::new();
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        format_v(a, false, &mut out, 0);
    }
    out.push('\n');
    out
}

struct Spec {
    minus: bool,
    plus: bool,
    zero: bool,
    space: bool,
    sharp: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

/// `fmt.Sprintf`.
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let mut out = String::new();
    let mut next = 0;
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = Spec {
            minus: false,
            plus: false,
            zero: false,
            space: false,
            sharp: false,
            width: None,
            prec: None,
        };
        while let Some(&f) = chars.peek() {
            match f {
                '-' => spec.minus = true,
                '+' => spec.plus = true,
                '0' => spec.zero = true,
                ' ' => spec.space = true,
                '#' => spec.sharp = true,
                _ => break,
            }
            chars.next();
        }
        let number = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
                      next: &mut usize|
         -> Option<usize> {
            if chars.peek() == Some(&'*') {
                chars.next();
                let n = match args.get(*next) {
                    Some(Value::Int(n)) => Some((*n).clamp(0, 10_000) as usize),
                    _ => None,
                };
                *next += 1;
                return n;
            }
            let mut n: Option<usize> = None;
            while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
                n = Some((n.unwrap_or(0) * 10 + d as usize).min(10_000));
                chars.next();
            }
            n
        };
        spec.width = number(&mut chars, &mut next);
        if chars.peek() == Some(&'.') {
            chars.next();
            spec.prec = Some(number(&mut chars, &mut next).unwrap_or(0));
        }
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(arg) = args.get(next) else {
            out.push_str(&format!("%!{verb}(MISSING)"));
            continue;
        };
        next += 1;
        let text = match format_one(verb, arg, &spec) {
            Some(t) => t,
            None => {
                out.push_str(&format!("%!{verb}({}={})", arg.type_name(), to_v(arg)));
                continue;
            }
        };
        pad(&mut out, &text, &spec, verb);
    }
    if next < args.len() {
        out.push_str("%!(EXTRA ");
        let extra: Vec<String> = args[next..]
            .iter()
            .map(|a| format!("{}={}", a.type_name(), to_v(a)))
            .collect();
        out.push_str(&extra.join(", "));
        out.push(')');
    }
    out
}

fn pad(out: &mut String, text: &str, spec: &Spec, verb: char) {
    let len = text.chars().count();
    let width = spec.width.unwrap_or(0);
    if len >= width {
        out.push_str(text);
        return;
    }
    let fill = width - len;
    if spec.minus {
        out.push_str(text);
        out.push_str(&" ".repeat(fill));
    } else if spec.zero && matches!(verb, 'd' | 'f' | 'x' | 'X' | 'e' | 'g' | 'b' | 'o') {
        let (sign, rest) = match text.strip_prefix('-') {
            Some(r) => ("-", r),
            None => match text.strip_prefix('+') {
                Some(r) => ("+", r),
                None => ("", text),
            },
        };
        out.push_str(sign);
        out.push_str(&"0".repeat(fill));
        out.push_str(rest);
    } else {
        out.push_str(&" ".repeat(fill));
        out.push_str(text);
    }
}

fn format_one(verb: char, arg: &Value, spec: &Spec) -> Option<String> {
    let signed = |i: i64, s: String| -> String {
        if spec.plus && i >= 0 {
            format!("+{s}")
        } else if spec.space && i >= 0 {
            format!(" {s}")
        } else {
            s
        }
    };
    Some(match (verb, arg) {
        ('v', Value::Float(f)) if spec.prec.is_some() => {
            format!("{:.*}", spec.prec.unwrap_or(6), f)
        }
        ('v', v) => {
            let mut s = String::new();
            if spec.sharp
                && let Value::Str(text) = v
            {
                return Some(super::stdlib::quote(text));
            }
            format_v(v, spec.plus, &mut s, 0);
            if spec.plus
                && let Value::Int(i) = v
            {
                return Some(signed(*i, i.to_string()));
            }
            s
        }
        ('T', v) => v.type_name(),
        ('d', Value::Int(i)) => signed(*i, i.to_string()),
        ('d', Value::Duration(i)) => signed(*i, i.to_string()),
        ('d' | 'q' | 'x' | 'X' | 'f' | 'c', Value::Slice(s)) => {
            let items: Vec<String> = s
                .items()
                .iter()
                .map(|v| format_one(verb, v, spec).unwrap_or_else(|| to_v(v)))
                .collect();
            format!("[{}]", items.join(" "))
        }
        ('b', Value::Int(i)) => format!("{i:b}"),
        ('o', Value::Int(i)) => format!("{i:o}"),
        ('x', Value::Int(i)) => {
            if spec.sharp {
                format!("{i:#x}")
            } else if *i < 0 {
                format!("-{:x}", i.unsigned_abs())
            } else {
                format!("{i:x}")
            }
        }
        ('X', Value::Int(i)) => format!("{i:X}"),
        ('x', Value::Str(s)) => s.bytes().map(|b| format!("{b:02x}")).collect(),
        ('X', Value::Str(s)) => s.bytes().map(|b| format!("{b:02X}")).collect(),
        ('c', Value::Int(i)) => char::from_u32(*i as u32).unwrap_or('\u{fffd}').to_string(),
        ('q', Value::Int(i)) => {
            super::stdlib::quote_rune(char::from_u32(*i as u32).unwrap_or('\u{fffd}'))
        }
        ('U', Value::Int(i)) => format!("U+{i:04X}"),
        ('f' | 'F', Value::Float(f)) => {
            let s = format!("{:.*}", spec.prec.unwrap_or(6), f);
            if spec.plus && *f >= 0.0 {
                format!("+{s}")
            } else {
                s
            }
        }
        ('e', Value::Float(f)) => format_float_e(*f, spec.prec.unwrap_or(6)),
        ('g', Value::Float(f)) => match spec.prec {
            Some(p) => {
                let p = p.max(1);
                let e = format!("{:.*e}", p - 1, f);
                let exp: i32 = e
                    .split_once('e')
                    .and_then(|(_, x)| x.parse().ok())
                    .unwrap_or(0);
                if exp < -4 || exp >= p as i32 {
                    format_float_e(*f, p - 1)
                } else {
                    let s = format!("{:.*}", (p as i32 - 1 - exp).max(0) as usize, f);
                    if s.contains('.') {
                        s.trim_end_matches('0').trim_end_matches('.').to_string()
                    } else {
                        s
                    }
                }
            }
            None => format_float_v(*f),
        },
        ('s', Value::Str(s)) => match spec.prec {
            Some(p) => s.chars().take(p).collect(),
            None => s.to_string(),
        },
        ('q', Value::Str(s)) => {
            if spec.sharp && !s.contains('`') {
                format!("`{s}`")
            } else {
                super::stdlib::quote(s)
            }
        }
        ('s', Value::Error(e)) => e.to_string(),
        ('q', Value::Error(e)) => super::stdlib::quote(e),
        ('s', Value::Duration(d)) => format_duration(*d),
        ('s', Value::Time(t)) => format_time(*t),
        ('s', Value::Slice(s)) => {
            let items: Vec<String> = s
                .items()
                .iter()
                .map(|v| format_one('s', v, spec).unwrap_or_else(|| to_v(v)))
                .collect();
            format!("[{}]", items.join(" "))
        }
        ('s', v @ Value::Object(_)) => to_v(v),
        ('t', Value::Bool(b)) => b.to_string(),
        ('p', Value::Pointer(_) | Value::Slice(_) | Value::Map(_) | Value::Func(_)) => {
            "0xc000012345".into()
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_as_go_prints_them() {
        assert_eq!(format_float_v(3.0), "3");
        assert_eq!(format_float_v(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(format_float_v(1e21), "1e+21");
        assert_eq!(format_float_v(123456789.0), "1.23456789e+08");
        assert_eq!(format_float_v(0.00001), "1e-05");
        assert_eq!(format_float_v(2.5), "2.5");
    }

    #[test]
    fn printf_verbs_widths_and_mistakes() {
        let s = Value::str;
        assert_eq!(
            sprintf(
                "%d|%5d|%-5d|%05d",
                &[
                    Value::Int(7),
                    Value::Int(42),
                    Value::Int(3),
                    Value::Int(-12)
                ]
            ),
            "7|   42|3    |-0012"
        );
        assert_eq!(
            sprintf(
                "%s %q %v %T",
                &[s("a"), s("b\n"), Value::Bool(true), Value::Float(1.0)]
            ),
            "a \"b\\n\" true float64"
        );
        assert_eq!(
            sprintf(
                "%.2f %6.1f %e",
                &[
                    Value::Float(2.71558),
                    Value::Float(2.0),
                    Value::Float(1234.5678)
                ]
            ),
            "2.72    2.0 1.234568e+03"
        );
        assert_eq!(sprintf("%d", &[s("x")]), "%!d(string=x)");
        assert_eq!(sprintf("%d %d", &[Value::Int(1)]), "1 %!d(MISSING)");
        assert_eq!(sprintf("hi", &[Value::Int(1)]), "hi%!(EXTRA int=1)");
        assert_eq!(
            sprintf(
                "%x %X %c %U %%",
                &[
                    Value::Int(255),
                    Value::Int(255),
                    Value::Int(65),
                    Value::Int(0x1F600)
                ]
            ),
            "ff FF A U+1F600 %"
        );
    }

    #[test]
    fn composite_values_print_with_v_and_plus_v() {
        let p = Value::Struct(Rc::new(StructVal {
            type_name: Rc::from("main.Point"),
            fields: vec![
                (Rc::from("X"), Value::Int(1)),
                (Rc::from("Y"), Value::Int(2)),
            ],
        }));
        assert_eq!(
            sprintf("%v %+v %T", &[p.clone(), p.clone(), p.clone()]),
            "{1 2} {X:1 Y:2} main.Point"
        );
        let ptr = Value::Pointer(Rc::new(RefCell::new(p)));
        assert_eq!(sprintln(&[ptr]), "&{1 2}\n");
        let sl = Value::Slice(SliceVal::new(
            vec![Value::str("a"), Value::str("b")],
            Value::str(""),
        ));
        assert_eq!(
            sprintf("%v %q %T", &[sl.clone(), sl.clone(), sl]),
            "[a b] [\"a\" \"b\"] []string"
        );
        assert_eq!(
            sprint(&[Value::Int(1), Value::Int(2), Value::str("x"), Value::Int(3)]),
            "1 2x3"
        );
        assert_eq!(format_duration(1_500_000_000), "1.5s");
        assert_eq!(format_duration(3_723_000_000_000), "1h2m3s");
        assert_eq!(format_duration(250_000_000), "250ms");
    }
}

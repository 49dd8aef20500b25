//! Python's run-time values: the built-in types, user classes and instances, the
//! library objects the simulated modules hand out, and `repr`/`str` as CPython writes
//! them (floats in their shortest round-trip form, dicts and lists as literals).

use super::ast::{FuncDef, Params};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

pub type Map = Rc<RefCell<HashMap<String, Value>>>;

#[derive(Clone)]
pub enum Value {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Rc<str>),
    Bytes(Rc<Vec<u8>>),
    List(Rc<RefCell<Vec<Value>>>),
    Tuple(Rc<Vec<Value>>),
    Dict(Rc<RefCell<Dict>>),
    Set(Rc<RefCell<Dict>>),
    Range(i64, i64, i64),
    /// A materialized iterator (enumerate, zip, map, filter, reversed, iter()).
    Iter(Rc<RefCell<IterState>>),
    Slice(Rc<(Value, Value, Value)>),
    Func(Rc<Func>),
    /// A built-in function, or a method of a built-in value bound to its receiver.
    Builtin(Rc<Builtin>),
    /// A user function bound to an instance (or class, for classmethods).
    Bound(Rc<(Value, Value)>),
    Class(Rc<Class>),
    Instance(Rc<Instance>),
    Module(Rc<Module>),
    Object(Rc<Object>),
}

pub struct IterState {
    pub items: Vec<Value>,
    pub pos: usize,
    pub kind: &'static str,
}

pub struct Func {
    pub def: Rc<FuncDef>,
    pub name: String,
    pub params: Rc<Params>,
    pub defaults: Vec<Option<Value>>,
    pub kw_defaults: Vec<Option<Value>>,
    pub globals: Map,
    pub closure: Option<Rc<Scope>>,
    pub file: Rc<str>,
    /// A lambda's body is one expression.
    pub lambda: Option<Rc<super::ast::Expr>>,
    /// The class whose body defined it (for `super()`).
    pub owner: RefCell<Option<Rc<Class>>>,
    pub qualname: String,
    pub attrs: RefCell<HashMap<String, Value>>,
}

pub type NativeFn = fn(
    &mut super::interp::Interp<'_>,
    &str,
    Option<&Value>,
    Vec<Value>,
    Vec<(String, Value)>,
) -> Result<Value, super::interp::Flow>;

pub struct Builtin {
    pub name: String,
    pub f: NativeFn,
    pub this: Option<Value>,
}

pub struct Class {
    pub name: String,
    pub module: String,
    pub bases: Vec<Rc<Class>>,
    pub dict: RefCell<HashMap<String, Value>>,
    /// Built-in exception classes and user classes derived from them.
    pub builtin: bool,
}

impl Class {
    pub fn lookup(&self, name: &str) -> Option<Value> {
        if let Some(v) = self.dict.borrow().get(name) {
            return Some(v.clone());
        }
        self.bases.iter().find_map(|b| b.lookup(name))
    }
    pub fn is_subclass(&self, other: &Class) -> bool {
        std::ptr::eq(self, other) || self.bases.iter().any(|b| b.is_subclass(other))
    }
}

pub struct Instance {
    pub class: Rc<Class>,
    pub dict: RefCell<HashMap<String, Value>>,
}

pub struct Module {
    pub name: String,
    pub dict: Map,
    /// A package installed by pip whose API the lab does not simulate.
    pub opaque: bool,
}

pub struct Scope {
    pub vars: RefCell<HashMap<String, Value>>,
    pub parent: Option<Rc<Scope>>,
    pub locals: Rc<Vec<String>>,
    pub is_class: bool,
}

/// Objects of the simulated library: open files, streams, dates, flask's objects.
pub struct Object {
    pub kind: ObjKind,
    pub attrs: RefCell<HashMap<String, Value>>,
}

pub enum ObjKind {
    File(RefCell<FileState>),
    /// sys.stdout (1) or sys.stderr (2); sys.stdin (0).
    Stream(u8),
    DateTime(chrono::NaiveDateTime),
    Date(chrono::NaiveDate),
    TimeDelta(f64),
    FlaskApp(RefCell<super::flask::AppState>),
    FlaskRequest(Rc<super::flask::RequestData>),
    FlaskResponse(RefCell<super::flask::ResponseData>),
    /// `request.args`, `request.form`, `request.headers`: read-only multi-dicts.
    MultiDict(Vec<(String, String)>, bool),
    Property(Value),
    StaticMethod(Value),
    ClassMethod(Value),
    Super(Rc<Class>, Value),
}

pub struct FileState {
    pub path: String,
    pub name: String,
    pub mode: String,
    pub data: Vec<u8>,
    pub pos: usize,
    pub closed: bool,
    pub binary: bool,
    pub writable: bool,
    pub dirty: bool,
}

impl Value {
    pub fn str(s: impl Into<Rc<str>>) -> Value {
        Value::Str(s.into())
    }
    pub fn list(v: Vec<Value>) -> Value {
        Value::List(Rc::new(RefCell::new(v)))
    }
    pub fn tuple(v: Vec<Value>) -> Value {
        Value::Tuple(Rc::new(v))
    }
    pub fn dict(d: Dict) -> Value {
        Value::Dict(Rc::new(RefCell::new(d)))
    }
    pub fn object(kind: ObjKind) -> Value {
        Value::Object(Rc::new(Object {
            kind,
            attrs: RefCell::new(HashMap::new()),
        }))
    }

    pub fn type_name(&self) -> String {
        match self {
            Value::None => "NoneType".into(),
            Value::Bool(_) => "bool".into(),
            Value::Int(_) => "int".into(),
            Value::Float(_) => "float".into(),
            Value::Str(_) => "str".into(),
            Value::Bytes(_) => "bytes".into(),
            Value::List(_) => "list".into(),
            Value::Tuple(_) => "tuple".into(),
            Value::Dict(_) => "dict".into(),
            Value::Set(_) => "set".into(),
            Value::Range(..) => "range".into(),
            Value::Iter(i) => i.borrow().kind.into(),
            Value::Slice(_) => "slice".into(),
            Value::Func(_) => "function".into(),
            Value::Builtin(_) => "builtin_function_or_method".into(),
            Value::Bound(_) => "method".into(),
            Value::Class(_) => "type".into(),
            Value::Instance(i) => i.class.name.clone(),
            Value::Module(_) => "module".into(),
            Value::Object(o) => match &o.kind {
                ObjKind::File(f) => {
                    if f.borrow().binary {
                        "_io.BufferedReader".into()
                    } else {
                        "_io.TextIOWrapper".into()
                    }
                }
                ObjKind::Stream(_) => "_io.TextIOWrapper".into(),
                ObjKind::DateTime(_) => "datetime.datetime".into(),
                ObjKind::Date(_) => "datetime.date".into(),
                ObjKind::TimeDelta(_) => "datetime.timedelta".into(),
                ObjKind::FlaskApp(_) => "Flask".into(),
                ObjKind::FlaskRequest(_) => "Request".into(),
                ObjKind::FlaskResponse(_) => "Response".into(),
                ObjKind::MultiDict(..) => "ImmutableMultiDict".into(),
                ObjKind::Property(_) => "property".into(),
                ObjKind::StaticMethod(_) => "staticmethod".into(),
                ObjKind::ClassMethod(_) => "classmethod".into(),
                ObjKind::Super(..) => "super".into(),
            },
        }
    }

    pub fn truthy(&self) -> bool {
        match self {
            Value::None => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::Bytes(b) => !b.is_empty(),
            Value::List(l) => !l.borrow().is_empty(),
            Value::Tuple(t) => !t.is_empty(),
            Value::Dict(d) | Value::Set(d) => !d.borrow().is_empty(),
            Value::Range(a, b, s) => range_len(*a, *b, *s) > 0,
            _ => true,
        }
    }

    pub fn is(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::None, Value::None) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b && (-5..=256).contains(a),
            (Value::Str(a), Value::Str(b)) => Rc::ptr_eq(a, b) || (a.len() <= 1 && a == b),
            (Value::List(a), Value::List(b)) => Rc::ptr_eq(a, b),
            (Value::Dict(a), Value::Dict(b)) => Rc::ptr_eq(a, b),
            (Value::Tuple(a), Value::Tuple(b)) => Rc::ptr_eq(a, b),
            (Value::Class(a), Value::Class(b)) => Rc::ptr_eq(a, b),
            (Value::Instance(a), Value::Instance(b)) => Rc::ptr_eq(a, b),
            (Value::Func(a), Value::Func(b)) => Rc::ptr_eq(a, b),
            (Value::Module(a), Value::Module(b)) => Rc::ptr_eq(a, b),
            (Value::Object(a), Value::Object(b)) => Rc::ptr_eq(a, b),
            _ => false,
        }
    }

    /// A stable pseudo-address for reprs like `<function f at 0x7f...>`.
    pub fn address(&self) -> usize {
        let p = match self {
            Value::List(l) => Rc::as_ptr(l) as *const u8 as usize,
            Value::Dict(d) => Rc::as_ptr(d) as *const u8 as usize,
            Value::Func(f) => Rc::as_ptr(f) as *const u8 as usize,
            Value::Instance(i) => Rc::as_ptr(i) as *const u8 as usize,
            Value::Object(o) => Rc::as_ptr(o) as *const u8 as usize,
            Value::Class(c) => Rc::as_ptr(c) as *const u8 as usize,
            Value::Module(m) => Rc::as_ptr(m) as *const u8 as usize,
            _ => 0,
        };
        0x7f00_0000_0000 | (p & 0xff_ffff_fff0)
    }
}

pub fn range_len(a: i64, b: i64, s: i64) -> i64 {
    if s > 0 && a < b {
        (b - a - 1) / s + 1
    } else if s < 0 && a > b {
        (a - b - 1) / (-s) + 1
    } else {
        0
    }
}

/// A hashable key: what dict and set entries are found by.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum HKey {
    None,
    Int(i64),
    Float(u64),
    Str(Rc<str>),
    Bytes(Rc<Vec<u8>>),
    Tuple(Vec<HKey>),
    Id(usize),
}

pub fn hkey(v: &Value) -> Option<HKey> {
    Some(match v {
        Value::None => HKey::None,
        Value::Bool(b) => HKey::Int(*b as i64),
        Value::Int(i) => HKey::Int(*i),
        Value::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 9e18 {
                HKey::Int(*f as i64)
            } else {
                HKey::Float(f.to_bits())
            }
        }
        Value::Str(s) => HKey::Str(s.clone()),
        Value::Bytes(b) => HKey::Bytes(b.clone()),
        Value::Tuple(t) => HKey::Tuple(t.iter().map(hkey).collect::<Option<Vec<_>>>()?),
        Value::List(_) | Value::Dict(_) | Value::Set(_) => return None,
        Value::Range(a, b, c) => HKey::Tuple(vec![HKey::Int(*a), HKey::Int(*b), HKey::Int(*c)]),
        other => HKey::Id(other.address()),
    })
}

/// An insertion-ordered dict.
#[derive(Clone, Default)]
pub struct Dict {
    pub keys: Vec<Value>,
    pub vals: Vec<Value>,
    index: HashMap<HKey, usize>,
}

impl Dict {
    pub fn new() -> Dict {
        Dict::default()
    }
    pub fn len(&self) -> usize {
        self.keys.len()
    }
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
    /// None when the key is unhashable.
    pub fn get(&self, k: &Value) -> Option<Option<&Value>> {
        let h = hkey(k)?;
        Some(self.index.get(&h).map(|i| &self.vals[*i]))
    }
    pub fn get_str(&self, k: &str) -> Option<&Value> {
        self.index
            .get(&HKey::Str(Rc::from(k)))
            .map(|i| &self.vals[*i])
    }
    pub fn contains(&self, k: &Value) -> Option<bool> {
        Some(self.index.contains_key(&hkey(k)?))
    }
    /// False when the key is unhashable.
    pub fn insert(&mut self, k: Value, v: Value) -> bool {
        let Some(h) = hkey(&k) else {
            return false;
        };
        match self.index.get(&h) {
            Some(i) => self.vals[*i] = v,
            None => {
                self.index.insert(h, self.keys.len());
                self.keys.push(k);
                self.vals.push(v);
            }
        }
        true
    }
    pub fn set_str(&mut self, k: &str, v: Value) {
        self.insert(Value::str(k), v);
    }
    pub fn remove(&mut self, k: &Value) -> Option<Value> {
        let h = hkey(k)?;
        let i = self.index.remove(&h)?;
        self.keys.remove(i);
        let v = self.vals.remove(i);
        for idx in self.index.values_mut() {
            if *idx > i {
                *idx -= 1;
            }
        }
        Some(v)
    }
    pub fn clear(&mut self) {
        *self = Dict::default();
    }
    pub fn items(&self) -> impl Iterator<Item = (&Value, &Value)> {
        self.keys.iter().zip(self.vals.iter())
    }
}

/// A float as `repr` writes it: the shortest string that reads back the same, in
/// exponent form below 1e-4 and from 1e16 up.
pub fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0.0".into()
        } else {
            "0.0".into()
        };
    }
    let e = format!("{f:e}");
    let (mantissa, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..16).contains(&exp) {
        let m = mantissa.to_string();
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{m}e{sign}{:02}", exp.abs());
    }
    let s = format!("{f}");
    if s.contains('.') { s } else { format!("{s}.0") }
}

pub fn str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::new();
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

pub fn bytes_repr(b: &[u8]) -> String {
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::from("b");
    out.push(quote);
    for &c in b {
        match c {
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            c if c as char == quote => {
                out.push('\\');
                out.push(c as char);
            }
            0x20..=0x7e => out.push(c as char),
            c => out.push_str(&format!("\\x{c:02x}")),
        }
    }
    out.push(quote);
    out
}

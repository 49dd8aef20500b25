//! JavaScript values as the interpreter holds them, number formatting as JavaScript
//! does it, and `util.inspect` (what `console.log` shows for objects and arrays).

use super::ast::{ClassDef, FuncDef};
use super::interp::{Env, Interp, Module};
use std::cell::RefCell;
use std::rc::Rc;

pub type Obj = Rc<RefCell<Object>>;
pub type NativeFn = dyn Fn(&mut Interp, &Value, &[Value]) -> Result<Value, super::interp::Throw>;

#[derive(Clone)]
pub enum Value {
    Undef,
    Null,
    Bool(bool),
    Num(f64),
    Str(Rc<str>),
    Obj(Obj),
}

pub struct Slot {
    pub key: Rc<str>,
    pub value: Value,
    pub enumerable: bool,
    pub getter: Option<Value>,
    pub setter: Option<Value>,
}

pub enum Func {
    Closure {
        def: Rc<FuncDef>,
        env: Env,
        this: Option<Value>,
        module: Rc<Module>,
        home: Option<Obj>,
    },
    Class {
        def: Rc<ClassDef>,
        env: Env,
        module: Rc<Module>,
        parent: Option<Value>,
    },
    Native {
        name: Rc<str>,
        f: Rc<NativeFn>,
        ctor: bool,
    },
}

pub enum Class {
    Plain,
    Array(Vec<Value>),
    Function(Func),
    Error,
    Date(f64),
    Map(Vec<(Value, Value)>),
    Set(Vec<Value>),
    Promise(Rc<RefCell<super::interp::PromiseState>>),
    Boxed(Value),
}

pub struct Object {
    pub class: Class,
    pub props: Vec<Slot>,
    pub proto: Option<Obj>,
}

impl Object {
    pub fn get_own(&self, key: &str) -> Option<&Slot> {
        self.props.iter().find(|s| &*s.key == key)
    }
    pub fn set(&mut self, key: &str, value: Value) {
        if let Some(s) = self.props.iter_mut().find(|s| &*s.key == key) {
            s.value = value;
        } else {
            self.props.push(Slot {
                key: key.into(),
                value,
                enumerable: true,
                getter: None,
                setter: None,
            });
        }
    }
    pub fn set_hidden(&mut self, key: &str, value: Value) {
        if let Some(s) = self.props.iter_mut().find(|s| &*s.key == key) {
            s.value = value;
            s.enumerable = false;
        } else {
            self.props.push(Slot {
                key: key.into(),
                value,
                enumerable: false,
                getter: None,
                setter: None,
            });
        }
    }
    pub fn remove(&mut self, key: &str) {
        self.props.retain(|s| &*s.key != key);
    }
}

impl Value {
    pub fn str(s: &str) -> Value {
        Value::Str(s.into())
    }
    pub fn truthy(&self) -> bool {
        match self {
            Value::Undef | Value::Null => false,
            Value::Bool(b) => *b,
            Value::Num(n) => *n != 0.0 && !n.is_nan(),
            Value::Str(s) => !s.is_empty(),
            Value::Obj(_) => true,
        }
    }
    pub fn is_nullish(&self) -> bool {
        matches!(self, Value::Undef | Value::Null)
    }
    pub fn as_obj(&self) -> Option<&Obj> {
        match self {
            Value::Obj(o) => Some(o),
            _ => None,
        }
    }
    pub fn is_callable(&self) -> bool {
        matches!(self, Value::Obj(o) if matches!(o.borrow().class, Class::Function(_)))
    }
    pub fn is_array(&self) -> bool {
        matches!(self, Value::Obj(o) if matches!(o.borrow().class, Class::Array(_)))
    }
    pub fn type_of(&self) -> &'static str {
        match self {
            Value::Undef => "undefined",
            Value::Null => "object",
            Value::Bool(_) => "boolean",
            Value::Num(_) => "number",
            Value::Str(_) => "string",
            Value::Obj(o) => match o.borrow().class {
                Class::Function(_) => "function",
                _ => "object",
            },
        }
    }
    pub fn same(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Undef, Value::Undef) | (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Num(a), Value::Num(b)) => a == b,
            (Value::Str(a), Value::Str(b)) => a == b,
            (Value::Obj(a), Value::Obj(b)) => Rc::ptr_eq(a, b),
            _ => false,
        }
    }
    /// SameValueZero: what `includes`, Map and Set compare with.
    pub fn same_zero(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Num(a), Value::Num(b)) if a.is_nan() && b.is_nan() => true,
            _ => self.same(other),
        }
    }
}

/// A number as JavaScript's `String(n)` writes it.
pub fn number_to_string(n: f64) -> String {
    if n.is_nan() {
        return "NaN".into();
    }
    if n.is_infinite() {
        return if n > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if n == 0.0 {
        return "0".into();
    }
    if n.fract() == 0.0 && n.abs() < 1e21 {
        return format!("{}", n as i128);
    }
    let sci = format!("{:e}", n);
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let neg = mant.starts_with('-');
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let k = digits.len() as i32;
    let e = exp + 1;
    let body = if k <= e && e <= 21 {
        format!("{digits}{}", "0".repeat((e - k) as usize))
    } else if 0 < e && e <= 21 {
        format!("{}.{}", &digits[..e as usize], &digits[e as usize..])
    } else if -6 < e && e <= 0 {
        format!("0.{}{digits}", "0".repeat((-e) as usize))
    } else {
        let m = if k == 1 {
            digits.clone()
        } else {
            format!("{}.{}", &digits[..1], &digits[1..])
        };
        let sign = if e > 0 { "+" } else { "-" };
        format!("{m}e{sign}{}", (e - 1).abs())
    };
    if neg { format!("-{body}") } else { body }
}

fn is_identifier(key: &str) -> bool {
    let mut chars = key.chars();
    matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '$')
}

/// A string quoted as util.inspect quotes it: single quotes unless the text has some.
pub fn quote(s: &str) -> String {
    let q = if !s.contains('\'') {
        '\''
    } else if !s.contains('"') {
        '"'
    } else if !s.contains('`') && !s.contains("${") {
        '`'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(q);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            '\\' => out.push_str("\\\\"),
            c if c == q => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push(q);
    out
}

pub fn function_name(o: &Object) -> String {
    if let Some(Slot {
        value: Value::Str(s),
        ..
    }) = o.get_own("name")
    {
        return s.to_string();
    }
    match &o.class {
        Class::Function(Func::Closure { def, .. }) => def.name.as_deref().unwrap_or("").to_string(),
        Class::Function(Func::Class { def, .. }) => def.name.as_deref().unwrap_or("").to_string(),
        Class::Function(Func::Native { name, .. }) => name.to_string(),
        _ => String::new(),
    }
}

/// The constructor name util.inspect shows before an object's braces.
fn constructor_name(o: &Object) -> Option<String> {
    let proto = o.proto.as_ref()?;
    let p = proto.borrow();
    let ctor = p.get_own("constructor")?;
    match &ctor.value {
        Value::Obj(c) => Some(function_name(&c.borrow())),
        _ => None,
    }
}

struct InspectCtx {
    seen: Vec<*const RefCell<Object>>,
    indentation: usize,
    current_depth: usize,
    depth: usize,
}

/// `util.inspect(value)` with node's defaults (depth 2, 80 columns, compact 3).
pub fn inspect(v: &Value) -> String {
    let mut ctx = InspectCtx {
        seen: Vec::new(),
        indentation: 0,
        current_depth: 0,
        depth: 2,
    };
    format_value(&mut ctx, v, 0, true)
}

fn format_primitive(v: &Value) -> Option<String> {
    Some(match v {
        Value::Undef => "undefined".into(),
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Num(n) => {
            if *n == 0.0 && n.is_sign_negative() {
                "-0".into()
            } else {
                number_to_string(*n)
            }
        }
        Value::Str(s) => quote(s),
        Value::Obj(_) => return None,
    })
}

fn key_text(k: &str) -> String {
    if is_identifier(k) {
        k.to_string()
    } else {
        quote(k)
    }
}

fn format_value(ctx: &mut InspectCtx, v: &Value, recurse: usize, _top: bool) -> String {
    if let Some(p) = format_primitive(v) {
        return p;
    }
    let Value::Obj(o) = v else { unreachable!() };
    let ptr = Rc::as_ptr(o);
    if ctx.seen.contains(&ptr) {
        return "[Circular *1]".into();
    }
    let obj = o.borrow();
    // Functions, errors and dates first: they have a base text.
    let mut base = String::new();
    let mut braces = ("{", "}");
    let mut array_like = false;
    let mut entries_src: Vec<Value> = Vec::new();
    let ctor = constructor_name(&obj);
    match &obj.class {
        Class::Function(f) => {
            let name = function_name(&obj);
            base = match f {
                Func::Class { def, .. } => {
                    let mut s = format!(
                        "[class {}",
                        if name.is_empty() {
                            "(anonymous)"
                        } else {
                            &name
                        }
                    );
                    if def.parent.is_some() {
                        if let Some(Value::Obj(p)) =
                            obj.proto.as_ref().map(|p| Value::Obj(p.clone()))
                        {
                            let pn = function_name(&p.borrow());
                            if !pn.is_empty() {
                                s.push_str(&format!(" extends {pn}"));
                            }
                        }
                    }
                    s.push(']');
                    s
                }
                _ if name.is_empty() => "[Function (anonymous)]".into(),
                _ => format!("[Function: {name}]"),
            };
            let visible = obj
                .props
                .iter()
                .filter(|s| s.enumerable && !matches!(&*s.key, "prototype" | "name" | "length"))
                .count();
            if visible == 0 {
                return base;
            }
        }
        Class::Error => {
            let stack = match obj.get_own("stack") {
                Some(Slot {
                    value: Value::Str(s),
                    ..
                }) => s.to_string(),
                _ => {
                    let name = match obj.get_own("name") {
                        Some(Slot {
                            value: Value::Str(s),
                            ..
                        }) => s.to_string(),
                        _ => "Error".into(),
                    };
                    let msg = match obj.get_own("message") {
                        Some(Slot {
                            value: Value::Str(s),
                            ..
                        }) => s.to_string(),
                        _ => String::new(),
                    };
                    if msg.is_empty() {
                        name
                    } else {
                        format!("{name}: {msg}")
                    }
                }
            };
            let indent = " ".repeat(ctx.indentation);
            base = if ctx.indentation > 0 {
                stack.replace('\n', &format!("\n{indent}"))
            } else {
                stack
            };
            let visible = obj.props.iter().filter(|s| s.enumerable).count();
            if visible == 0 {
                return if recurse > 0 {
                    format!("[{base}]")
                } else {
                    base
                };
            }
        }
        Class::Date(t) => {
            return super::builtins::iso_string(*t).unwrap_or_else(|| "Invalid Date".into());
        }
        Class::Array(items) => {
            braces = ("[", "]");
            array_like = true;
            entries_src = items.clone();
            if let Some(c) = &ctor {
                if c != "Array" {
                    base = format!("{c}({})", items.len());
                }
            }
        }
        Class::Map(items) => {
            let inner: Vec<String> = Vec::new();
            drop(inner);
            if recurse > ctx.depth {
                return "[Map]".into();
            }
            let pairs = items.clone();
            drop(obj);
            ctx.seen.push(ptr);
            ctx.indentation += 2;
            let out: Vec<String> = pairs
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{} => {}",
                        format_value(ctx, k, recurse + 1, false),
                        format_value(ctx, v, recurse + 1, false)
                    )
                })
                .collect();
            ctx.indentation -= 2;
            ctx.seen.pop();
            if out.is_empty() {
                return format!("Map({}) {{}}", pairs.len());
            }
            return reduce(
                ctx,
                out,
                &format!("Map({})", pairs.len()),
                ("{", "}"),
                false,
                recurse,
            );
        }
        Class::Set(items) => {
            if recurse > ctx.depth {
                return "[Set]".into();
            }
            let items = items.clone();
            drop(obj);
            ctx.seen.push(ptr);
            ctx.indentation += 2;
            let out: Vec<String> = items
                .iter()
                .map(|v| format_value(ctx, v, recurse + 1, false))
                .collect();
            ctx.indentation -= 2;
            ctx.seen.pop();
            if out.is_empty() {
                return format!("Set({}) {{}}", items.len());
            }
            return reduce(
                ctx,
                out,
                &format!("Set({})", items.len()),
                ("{", "}"),
                true,
                recurse,
            );
        }
        Class::Promise(state) => {
            let s = state.borrow();
            let inner = match &*s {
                super::interp::PromiseState::Pending(..) => "<pending>".to_string(),
                super::interp::PromiseState::Fulfilled(v) => {
                    let v = v.clone();
                    drop(s);
                    drop(obj);
                    return format!(
                        "Promise {{ {} }}",
                        format_value(ctx, &v, recurse + 1, false)
                    );
                }
                super::interp::PromiseState::Rejected(v) => {
                    let v = v.clone();
                    drop(s);
                    drop(obj);
                    return format!(
                        "Promise {{ <rejected> {} }}",
                        format_value(ctx, &v, recurse + 1, false)
                    );
                }
            };
            return format!("Promise {{ {inner} }}");
        }
        Class::Boxed(v) => {
            let inner = format_primitive(v).unwrap_or_default();
            let kind = match v {
                Value::Str(_) => "String",
                Value::Num(_) => "Number",
                _ => "Boolean",
            };
            return format!("[{kind}: {inner}]");
        }
        Class::Plain => match &ctor {
            None if obj.proto.is_none() => base = "[Object: null prototype]".into(),
            Some(c) if c != "Object" && !c.is_empty() => base = c.clone(),
            _ => {}
        },
    }
    if recurse > ctx.depth {
        return if array_like {
            "[Array]".into()
        } else if let Some(c) = ctor.filter(|c| c != "Object") {
            format!("[{c}]")
        } else {
            "[Object]".into()
        };
    }
    let props: Vec<(Rc<str>, Value, bool)> = obj
        .props
        .iter()
        .filter(|s| s.enumerable)
        .filter(|s| {
            !(matches!(obj.class, Class::Function(_))
                && matches!(&*s.key, "prototype" | "name" | "length"))
        })
        .map(|s| (s.key.clone(), s.value.clone(), s.getter.is_some()))
        .collect();
    drop(obj);
    ctx.seen.push(ptr);
    ctx.current_depth = recurse;
    ctx.indentation += 2;
    let mut output = Vec::new();
    let mut holes = 0usize;
    if array_like {
        let shown = entries_src.len().min(100);
        for item in &entries_src[..shown] {
            let _ = &mut holes;
            output.push(format_value(ctx, item, recurse + 1, false));
        }
        if entries_src.len() > 100 {
            let more = entries_src.len() - 100;
            output.push(format!(
                "... {more} more item{}",
                if more > 1 { "s" } else { "" }
            ));
        }
    }
    for (k, v, getter) in &props {
        let value = if *getter {
            "[Getter]".to_string()
        } else {
            format_value(ctx, v, recurse + 1, false)
        };
        output.push(format!("{}: {value}", key_text(k)));
    }
    ctx.indentation -= 2;
    ctx.seen.pop();
    if output.is_empty() {
        let empty = format!("{}{}", braces.0, braces.1);
        return if base.is_empty() {
            empty
        } else {
            format!("{base} {empty}")
        };
    }
    let grouped = if array_like && output.len() > 6 {
        group_array_elements(ctx, output.clone(), &entries_src, props.len())
    } else {
        output.clone()
    };
    let entries = output.len();
    if grouped.len() != entries {
        // Grouped rows always go one per line.
        let indentation = format!("\n{}", " ".repeat(ctx.indentation));
        let b = if base.is_empty() {
            String::new()
        } else {
            format!("{base} ")
        };
        return format!(
            "{b}{}{indentation}  {}{indentation}{}",
            braces.0,
            grouped.join(&format!(",{indentation}  ")),
            braces.1
        );
    }
    reduce(ctx, output, &base, braces, array_like, recurse)
}

fn reduce(
    ctx: &mut InspectCtx,
    output: Vec<String>,
    base: &str,
    braces: (&str, &str),
    _array: bool,
    recurse: usize,
) -> String {
    if ctx.current_depth - recurse < 3 {
        let start = output.len() + ctx.indentation + braces.0.len() + base.len() + 10;
        let mut total = output.len() + start;
        let mut fits = total + output.len() <= 80;
        if fits {
            for o in &output {
                total += o.chars().count();
                if total > 80 {
                    fits = false;
                    break;
                }
            }
        }
        if fits && !base.contains('\n') {
            let joined = output.join(", ");
            if !joined.contains('\n') {
                let b = if base.is_empty() {
                    String::new()
                } else {
                    format!("{base} ")
                };
                return format!("{b}{} {joined} {}", braces.0, braces.1);
            }
        }
    }
    let indentation = format!("\n{}", " ".repeat(ctx.indentation));
    let b = if base.is_empty() {
        String::new()
    } else {
        format!("{base} ")
    };
    format!(
        "{b}{}{indentation}  {}{indentation}{}",
        braces.0,
        output.join(&format!(",{indentation}  ")),
        braces.1
    )
}

fn group_array_elements(
    ctx: &InspectCtx,
    output: Vec<String>,
    values: &[Value],
    extra_keys: usize,
) -> Vec<String> {
    let mut total_length = 0usize;
    let mut max_length = 0usize;
    let mut output_length = output.len() - extra_keys;
    if values.len() > 100 {
        output_length -= 1;
    }
    let separator_space = 2;
    let data_len: Vec<usize> = output[..output_length]
        .iter()
        .map(|s| s.chars().count())
        .collect();
    for &len in &data_len {
        total_length += len + separator_space;
        max_length = max_length.max(len);
    }
    let actual_max = max_length + separator_space;
    if actual_max * 3 + ctx.indentation < 80
        && (total_length as f64 / actual_max as f64 > 5.0 || max_length <= 6)
    {
        let average_bias = (actual_max as f64 - total_length as f64 / output.len() as f64).sqrt();
        let biased_max = (actual_max as f64 - 3.0 - average_bias).max(1.0);
        let columns = ((2.5 * biased_max * output_length as f64).sqrt() / biased_max)
            .round()
            .min(((80 - ctx.indentation) / actual_max) as f64)
            .min(12.0)
            .min(15.0) as usize;
        if columns <= 1 {
            return output;
        }
        let mut max_line_length = Vec::new();
        for i in 0..columns {
            let mut line_length = 0;
            let mut j = i;
            while j < output_length {
                line_length = line_length.max(data_len[j]);
                j += columns;
            }
            max_line_length.push(line_length + separator_space);
        }
        let numbers = values.iter().all(|v| matches!(v, Value::Num(_)));
        let mut tmp = Vec::new();
        let mut i = 0;
        while i < output_length {
            let max = (i + columns).min(output_length);
            let mut line = String::new();
            let mut j = i;
            while j < max - 1 {
                let cell = format!("{}, ", output[j]);
                let width = max_line_length[j - i];
                line.push_str(&pad(&cell, width, numbers));
                j += 1;
            }
            if numbers {
                let width = max_line_length[j - i] - separator_space;
                line.push_str(&pad(&output[j], width, true));
            } else {
                line.push_str(&output[j]);
            }
            tmp.push(line);
            i += columns;
        }
        if values.len() > 100 {
            tmp.push(output[output_length].clone());
        }
        tmp.extend(output[output.len() - extra_keys..].iter().cloned());
        return tmp;
    }
    output
}

fn pad(s: &str, width: usize, start: bool) -> String {
    let len = s.chars().count();
    if len >= width {
        return s.to_string();
    }
    let fill = " ".repeat(width - len);
    if start {
        format!("{fill}{s}")
    } else {
        format!("{s}{fill}")
    }
}

//! The global objects (console, Math, JSON, Object, Array, Number, String, Date, Map,
//! Set, Promise, errors, timers, process) and the methods of strings, numbers, arrays,
//! functions, maps, sets and dates.

use super::interp::{Interp, R, Throw};
use super::value::*;
use std::rc::Rc;

fn arg(args: &[Value], i: usize) -> Value {
    args.get(i).cloned().unwrap_or(Value::Undef)
}

fn num_arg(it: &mut Interp, args: &[Value], i: usize) -> R<f64> {
    it.to_number(&arg(args, i))
}

/// `console.log`'s formatting of its arguments: strings as they are, the rest
/// inspected, `%s %d %i %f %j %o %O %%` in a first string argument.
pub fn format_args(it: &mut Interp, args: &[Value]) -> R<String> {
    let mut parts = Vec::new();
    let mut rest = args;
    if let Some(Value::Str(f)) = args.first() {
        if f.contains('%') && args.len() > 1 {
            let mut out = String::new();
            let mut i = 1;
            let mut chars = f.chars().peekable();
            while let Some(c) = chars.next() {
                if c != '%' {
                    out.push(c);
                    continue;
                }
                match chars.peek().copied() {
                    Some('%') => {
                        chars.next();
                        out.push('%');
                    }
                    Some(k @ ('s' | 'd' | 'i' | 'f' | 'j' | 'o' | 'O' | 'c')) if i < args.len() => {
                        chars.next();
                        let a = &args[i];
                        i += 1;
                        match k {
                            's' => match a {
                                Value::Str(s) => out.push_str(s),
                                Value::Obj(_) => out.push_str(&inspect(a)),
                                other => out.push_str(&it.to_string(other)?),
                            },
                            'd' | 'i' => {
                                let n = it.to_number(a)?;
                                let n = if k == 'i' { n.trunc() } else { n };
                                out.push_str(&number_to_string(n));
                            }
                            'f' => out.push_str(&number_to_string(it.to_number(a)?)),
                            'j' => {
                                out.push_str(&json_stringify(it, a, None, "")?.unwrap_or_default())
                            }
                            'c' => {}
                            _ => out.push_str(&inspect(a)),
                        }
                    }
                    _ => out.push('%'),
                }
            }
            parts.push(out);
            rest = &args[i.min(args.len())..];
            for a in rest {
                parts.push(match a {
                    Value::Str(s) => s.to_string(),
                    other => inspect(other),
                });
            }
            return Ok(parts.join(" "));
        }
    }
    for a in rest {
        parts.push(match a {
            Value::Str(s) => s.to_string(),
            other => inspect(other),
        });
    }
    Ok(parts.join(" "))
}

fn set(
    it: &Interp,
    o: &Value,
    name: &str,
    f: impl Fn(&mut Interp, &Value, &[Value]) -> R<Value> + 'static,
) {
    let func = it.native(name, f);
    if let Value::Obj(o) = o {
        o.borrow_mut().set(name, func);
    }
}

fn set_hidden(
    it: &Interp,
    o: &Value,
    name: &str,
    f: impl Fn(&mut Interp, &Value, &[Value]) -> R<Value> + 'static,
) {
    let func = it.native(name, f);
    if let Value::Obj(o) = o {
        o.borrow_mut().set_hidden(name, func);
    }
}

pub fn install(it: &mut Interp) {
    let g = it.globals.clone();
    // console
    let console = it.obj_value(vec![]);
    for (name, stream) in [
        ("log", 1),
        ("info", 1),
        ("debug", 1),
        ("error", 2),
        ("warn", 2),
        ("trace", 2),
    ] {
        set(it, &console, name, move |it, _, args| {
            let text = format_args(it, args)?;
            it.print(stream, format!("{text}\n"));
            Ok(Value::Undef)
        });
    }
    set(it, &console, "table", |it, _, args| {
        let text = format_args(it, args)?;
        it.print(1, format!("{text}\n"));
        Ok(Value::Undef)
    });
    set(it, &console, "dir", |it, _, args| {
        let text = inspect(&arg(args, 0));
        it.print(1, format!("{text}\n"));
        Ok(Value::Undef)
    });
    g.declare("console", console, true);

    // Object
    let object = it.native_ctor("Object", |it, _, args| match arg(args, 0) {
        v @ Value::Obj(_) => Ok(v),
        _ => Ok(Value::Obj(it.object())),
    });
    if let Value::Obj(o) = &object {
        o.borrow_mut()
            .set_hidden("prototype", Value::Obj(it.object_proto.clone()));
    }
    it.object_proto
        .borrow_mut()
        .set_hidden("constructor", object.clone());
    set_hidden(it, &object, "keys", |it, _, args| {
        let keys = it
            .own_keys(&arg(args, 0))
            .into_iter()
            .map(Value::Str)
            .collect();
        Ok(it.array(keys))
    });
    set_hidden(it, &object, "values", |it, _, args| {
        let o = arg(args, 0);
        let mut out = Vec::new();
        for k in it.own_keys(&o) {
            out.push(it.get(&o, &k)?);
        }
        Ok(it.array(out))
    });
    set_hidden(it, &object, "entries", |it, _, args| {
        let o = arg(args, 0);
        let mut out = Vec::new();
        for k in it.own_keys(&o) {
            let v = it.get(&o, &k)?;
            out.push(it.array(vec![Value::Str(k), v]));
        }
        Ok(it.array(out))
    });
    set_hidden(it, &object, "assign", |it, _, args| {
        let target = arg(args, 0);
        for src in args.iter().skip(1) {
            for k in it.own_keys(src) {
                let v = it.get(src, &k)?;
                it.put(&target, &k, v, 0)?;
            }
        }
        Ok(target)
    });
    set_hidden(it, &object, "fromEntries", |it, _, args| {
        let o = it.object();
        let entries = it.iterate(&arg(args, 0), 0)?;
        for e in entries {
            let k = it.get(&e, "0")?;
            let v = it.get(&e, "1")?;
            let k = it.to_key(&k)?;
            o.borrow_mut().set(&k, v);
        }
        Ok(Value::Obj(o))
    });
    set_hidden(it, &object, "freeze", |_, _, args| Ok(arg(args, 0)));
    set_hidden(it, &object, "create", |it, _, args| {
        let proto = match arg(args, 0) {
            Value::Obj(p) => Some(p),
            _ => None,
        };
        let o = it.object();
        o.borrow_mut().proto = proto;
        Ok(Value::Obj(o))
    });
    set_hidden(it, &object, "getPrototypeOf", |_, _, args| {
        Ok(match arg(args, 0) {
            Value::Obj(o) => o
                .borrow()
                .proto
                .clone()
                .map(Value::Obj)
                .unwrap_or(Value::Null),
            _ => Value::Null,
        })
    });
    set_hidden(it, &object, "setPrototypeOf", |_, _, args| {
        if let (Value::Obj(o), p) = (arg(args, 0), arg(args, 1)) {
            o.borrow_mut().proto = p.as_obj().cloned();
        }
        Ok(arg(args, 0))
    });
    set_hidden(it, &object, "defineProperty", |it, _, args| {
        let o = arg(args, 0);
        let k = it.to_key(&arg(args, 1))?;
        let desc = arg(args, 2);
        let value = it.get(&desc, "value")?;
        let getter = it.get(&desc, "get")?;
        let enumerable = it.get(&desc, "enumerable")?.truthy();
        if let Value::Obj(ob) = &o {
            let mut b = ob.borrow_mut();
            if enumerable {
                b.set(&k, value);
            } else {
                b.set_hidden(&k, value);
            }
            if getter.is_callable() {
                if let Some(s) = b.props.iter_mut().find(|s| *s.key == *k) {
                    s.getter = Some(getter);
                }
            }
        }
        Ok(o)
    });
    g.declare("Object", object, true);
    let op = Value::Obj(it.object_proto.clone());
    set_hidden(it, &op, "hasOwnProperty", |it, this, args| {
        let k = it.to_key(&arg(args, 0))?;
        Ok(Value::Bool(match this {
            Value::Obj(o) => {
                let b = o.borrow();
                b.get_own(&k).is_some()
                    || matches!(&b.class, Class::Array(items) if k.parse::<usize>().is_ok_and(|i| i < items.len()))
            }
            _ => false,
        }))
    });
    set_hidden(it, &op, "toString", |it, this, _| {
        Ok(Value::Str(match this {
            Value::Obj(o) if matches!(o.borrow().class, Class::Plain) => "[object Object]".into(),
            other => it.to_string(other)?,
        }))
    });
    set_hidden(it, &op, "valueOf", |_, this, _| Ok(this.clone()));

    // Function.prototype
    let fp = Value::Obj(it.function_proto.clone());
    set_hidden(it, &fp, "call", |it, this, args| {
        let t = arg(args, 0);
        it.call(this, &t, args.get(1..).unwrap_or(&[]))
    });
    set_hidden(it, &fp, "apply", |it, this, args| {
        let t = arg(args, 0);
        let list = match arg(args, 1) {
            v @ Value::Obj(_) => it.iterate(&v, 0)?,
            _ => Vec::new(),
        };
        it.call(this, &t, &list)
    });
    set_hidden(it, &fp, "bind", |it, this, args| {
        let f = this.clone();
        let t = arg(args, 0);
        let pre: Vec<Value> = args.get(1..).unwrap_or(&[]).to_vec();
        let name = match &f {
            Value::Obj(o) => format!("bound {}", function_name(&o.borrow())),
            _ => "bound ".into(),
        };
        Ok(it.native(&name, move |it, _, more| {
            let mut all = pre.clone();
            all.extend_from_slice(more);
            it.call(&f, &t, &all)
        }))
    });

    // Array
    let array = it.native_ctor("Array", |it, _, args| {
        if let [Value::Num(n)] = args {
            let n = (*n).clamp(0.0, 1e7) as usize;
            return Ok(it.array(vec![Value::Undef; n]));
        }
        Ok(it.array(args.to_vec()))
    });
    if let Value::Obj(o) = &array {
        o.borrow_mut()
            .set_hidden("prototype", Value::Obj(it.array_proto.clone()));
    }
    it.array_proto
        .borrow_mut()
        .set_hidden("constructor", array.clone());
    set_hidden(it, &array, "isArray", |_, _, args| {
        Ok(Value::Bool(arg(args, 0).is_array()))
    });
    set_hidden(it, &array, "of", |it, _, args| Ok(it.array(args.to_vec())));
    set_hidden(it, &array, "from", |it, _, args| {
        let src = arg(args, 0);
        let items = match &src {
            Value::Obj(o)
                if !matches!(
                    o.borrow().class,
                    Class::Array(_) | Class::Set(_) | Class::Map(_)
                ) =>
            {
                let len = it.get(&src, "length")?;
                let n = it.to_number(&len)?;
                let n = if n.is_nan() {
                    0
                } else {
                    n.clamp(0.0, 1e7) as usize
                };
                let mut out = Vec::new();
                for i in 0..n {
                    out.push(it.get(&src, &i.to_string())?);
                }
                out
            }
            Value::Undef | Value::Null => Vec::new(),
            other => it.iterate(other, 0)?,
        };
        let f = arg(args, 1);
        if f.is_callable() {
            let mut out = Vec::new();
            for (i, v) in items.into_iter().enumerate() {
                out.push(it.call(&f, &Value::Undef, &[v, Value::Num(i as f64)])?);
            }
            return Ok(it.array(out));
        }
        Ok(it.array(items))
    });
    g.declare("Array", array, true);

    // String, Number, Boolean
    let string = it.native_ctor("String", |it, this, args| {
        let s = match args.first() {
            None => Value::str(""),
            Some(v) => Value::Str(it.to_string(v)?),
        };
        if let Value::Obj(o) = this {
            if o.borrow().proto.is_some()
                && matches!(o.borrow().class, Class::Plain)
                && o.borrow().props.is_empty()
            {
                // `new String(x)`: a wrapper object.
                o.borrow_mut().class = Class::Boxed(s);
                return Ok(this.clone());
            }
        }
        Ok(s)
    });
    g.declare(
        "String",
        plain_call(it, string, |it, args| {
            Ok(match args.first() {
                None => Value::str(""),
                Some(v) => Value::Str(it.to_string(v)?),
            })
        }),
        true,
    );
    let number = it.native("Number", |it, _, args| {
        Ok(Value::Num(match args.first() {
            None => 0.0,
            Some(v) => it.to_number(v)?,
        }))
    });
    set_hidden(it, &number, "isInteger", |_, _, args| {
        Ok(Value::Bool(
            matches!(arg(args, 0), Value::Num(n) if n.is_finite() && n.fract() == 0.0),
        ))
    });
    set_hidden(it, &number, "isSafeInteger", |_, _, args| {
        Ok(Value::Bool(
            matches!(arg(args, 0), Value::Num(n) if n.is_finite() && n.fract() == 0.0 && n.abs() <= 9007199254740991.0),
        ))
    });
    set_hidden(it, &number, "isFinite", |_, _, args| {
        Ok(Value::Bool(
            matches!(arg(args, 0), Value::Num(n) if n.is_finite()),
        ))
    });
    set_hidden(it, &number, "isNaN", |_, _, args| {
        Ok(Value::Bool(
            matches!(arg(args, 0), Value::Num(n) if n.is_nan()),
        ))
    });
    set_hidden(it, &number, "parseFloat", |it, _, args| {
        parse_float(it, args)
    });
    set_hidden(it, &number, "parseInt", |it, _, args| parse_int(it, args));
    if let Value::Obj(o) = &number {
        let mut b = o.borrow_mut();
        b.set_hidden("MAX_SAFE_INTEGER", Value::Num(9007199254740991.0));
        b.set_hidden("MIN_SAFE_INTEGER", Value::Num(-9007199254740991.0));
        b.set_hidden("EPSILON", Value::Num(f64::EPSILON));
        b.set_hidden("MAX_VALUE", Value::Num(f64::MAX));
        b.set_hidden("POSITIVE_INFINITY", Value::Num(f64::INFINITY));
        b.set_hidden("NEGATIVE_INFINITY", Value::Num(f64::NEG_INFINITY));
        b.set_hidden("NaN", Value::Num(f64::NAN));
    }
    g.declare("Number", number, true);
    g.declare(
        "Boolean",
        it.native("Boolean", |_, _, args| {
            Ok(Value::Bool(arg(args, 0).truthy()))
        }),
        true,
    );
    let pf = it.native("parseFloat", |it, _, args| parse_float(it, args));
    g.declare("parseFloat", pf, true);
    let pi = it.native("parseInt", |it, _, args| parse_int(it, args));
    g.declare("parseInt", pi, true);
    let isnan = it.native("isNaN", |it, _, args| {
        Ok(Value::Bool(num_arg(it, args, 0)?.is_nan()))
    });
    g.declare("isNaN", isnan, true);
    let isfin = it.native("isFinite", |it, _, args| {
        Ok(Value::Bool(num_arg(it, args, 0)?.is_finite()))
    });
    g.declare("isFinite", isfin, true);
    for (name, enc) in [("encodeURIComponent", true), ("encodeURI", false)] {
        let f = it.native(name, move |it, _, args| {
            let s = it.to_string(&arg(args, 0))?;
            Ok(Value::Str(percent_encode(&s, enc).into()))
        });
        g.declare(name, f, true);
    }
    for name in ["decodeURIComponent", "decodeURI"] {
        let f = it.native(name, |it, _, args| {
            let s = it.to_string(&arg(args, 0))?;
            match percent_decode(&s) {
                Some(d) => Ok(Value::Str(d.into())),
                None => Err(it.error_at_current("URIError", "URI malformed")),
            }
        });
        g.declare(name, f, true);
    }

    // Errors
    for kind in [
        "Error",
        "TypeError",
        "RangeError",
        "SyntaxError",
        "ReferenceError",
        "EvalError",
        "URIError",
    ] {
        let k = kind.to_string();
        let ctor = it.native_ctor(kind, move |it, this, args| {
            let msg = match arg(args, 0) {
                Value::Undef => String::new(),
                v => it.to_string(&v)?.to_string(),
            };
            let e = it.make_error(&k, &msg, None);
            if let (Value::Obj(eo), Value::Obj(t)) = (&e, this) {
                // Keep the prototype `new` chose (a subclass's, for `class X extends Error`).
                if t.borrow().proto.is_some() {
                    eo.borrow_mut().proto = t.borrow().proto.clone();
                }
            }
            let cause = it.get(&arg(args, 1), "cause").unwrap_or(Value::Undef);
            if let (Value::Obj(eo), false) = (&e, matches!(cause, Value::Undef)) {
                eo.borrow_mut().set("cause", cause);
            }
            Ok(e)
        });
        if let Value::Obj(c) = &ctor {
            let proto = match c.borrow().get_own("prototype") {
                Some(Slot {
                    value: Value::Obj(p),
                    ..
                }) => p.clone(),
                _ => it.object(),
            };
            if kind == "Error" {
                // Error.prototype is the one the interpreter's own errors use.
                let ep = it.error_proto.clone();
                ep.borrow_mut().set_hidden("constructor", ctor.clone());
                c.borrow_mut()
                    .set_hidden("prototype", Value::Obj(ep.clone()));
                ep.borrow_mut().set_hidden("name", Value::str("Error"));
                ep.borrow_mut().set_hidden("message", Value::str(""));
                let epv = Value::Obj(ep);
                set_hidden(it, &epv, "toString", |it, this, _| {
                    Ok(Value::Str(it.to_string(this)?))
                });
            } else {
                proto.borrow_mut().proto = Some(it.error_proto.clone());
                proto.borrow_mut().set_hidden("name", Value::str(kind));
            }
            set_hidden(it, &ctor, "captureStackTrace", |_, _, _| Ok(Value::Undef));
        }
        it.error_ctors.push((kind.to_string(), ctor.clone()));
        g.declare(kind, ctor, true);
    }

    // Math
    let math = it.obj_value(vec![
        ("PI", Value::Num(std::f64::consts::PI)),
        ("E", Value::Num(std::f64::consts::E)),
        ("LN2", Value::Num(std::f64::consts::LN_2)),
        ("LN10", Value::Num(std::f64::consts::LN_10)),
        ("SQRT2", Value::Num(std::f64::consts::SQRT_2)),
    ]);
    if let Value::Obj(m) = &math {
        for s in m.borrow_mut().props.iter_mut() {
            s.enumerable = false;
        }
    }
    let unary: &[(&str, fn(f64) -> f64)] = &[
        ("floor", f64::floor),
        ("ceil", f64::ceil),
        ("abs", f64::abs),
        ("sqrt", f64::sqrt),
        ("cbrt", f64::cbrt),
        ("trunc", f64::trunc),
        ("sign", |x| {
            if x > 0.0 {
                1.0
            } else if x < 0.0 {
                -1.0
            } else {
                x
            }
        }),
        ("log", f64::ln),
        ("log2", f64::log2),
        ("log10", f64::log10),
        ("exp", f64::exp),
        ("sin", f64::sin),
        ("cos", f64::cos),
        ("tan", f64::tan),
        ("atan", f64::atan),
        ("round", |x: f64| (x + 0.5).floor()),
    ];
    for (name, f) in unary {
        let f = *f;
        set_hidden(it, &math, name, move |it, _, args| {
            Ok(Value::Num(f(num_arg(it, args, 0)?)))
        });
    }
    set_hidden(it, &math, "pow", |it, _, args| {
        Ok(Value::Num(
            num_arg(it, args, 0)?.powf(num_arg(it, args, 1)?),
        ))
    });
    set_hidden(it, &math, "atan2", |it, _, args| {
        Ok(Value::Num(
            num_arg(it, args, 0)?.atan2(num_arg(it, args, 1)?),
        ))
    });
    set_hidden(it, &math, "max", |it, _, args| {
        let mut m = f64::NEG_INFINITY;
        for a in args {
            let n = it.to_number(a)?;
            if n.is_nan() {
                return Ok(Value::Num(f64::NAN));
            }
            m = m.max(n);
        }
        Ok(Value::Num(m))
    });
    set_hidden(it, &math, "min", |it, _, args| {
        let mut m = f64::INFINITY;
        for a in args {
            let n = it.to_number(a)?;
            if n.is_nan() {
                return Ok(Value::Num(f64::NAN));
            }
            m = m.min(n);
        }
        Ok(Value::Num(m))
    });
    set_hidden(it, &math, "random", |it, _, _| {
        // Deterministic: a small generator seeded from the lab's clock.
        let seed = it.now_ms() as u64 ^ it.steps_hint();
        let x = (seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407)
            >> 11) as f64;
        Ok(Value::Num(x / (1u64 << 53) as f64))
    });
    g.declare("Math", math, true);

    // JSON
    let json = it.obj_value(vec![]);
    set_hidden(it, &json, "stringify", |it, _, args| {
        let indent = match arg(args, 2) {
            Value::Num(n) => " ".repeat(n.clamp(0.0, 10.0) as usize),
            Value::Str(s) => s.chars().take(10).collect(),
            _ => String::new(),
        };
        let replacer = arg(args, 1);
        let replacer = replacer.is_callable().then_some(replacer);
        Ok(
            match json_stringify(it, &arg(args, 0), replacer.as_ref(), &indent)? {
                Some(s) => Value::Str(s.into()),
                None => Value::Undef,
            },
        )
    });
    set_hidden(it, &json, "parse", |it, _, args| {
        let text = it.to_string(&arg(args, 0))?;
        match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(v) => Ok(from_json(it, &v)),
            Err(e) => {
                let msg = json_error_message(&text, &e);
                Err(it.error_at_current("SyntaxError", &msg))
            }
        }
    });
    g.declare("JSON", json, true);

    // Date
    let date = it.native_ctor("Date", |it, this, args| {
        let t = match args {
            [] => it.now_ms(),
            [Value::Num(n)] => *n,
            [Value::Str(s)] => parse_date(s).unwrap_or(f64::NAN),
            [Value::Obj(o)] => match o.borrow().class {
                Class::Date(t) => t,
                _ => f64::NAN,
            },
            _ => {
                let mut parts = [1970.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0];
                for (i, a) in args.iter().take(7).enumerate() {
                    parts[i] = it.to_number(a)?;
                }
                make_time(parts)
            }
        };
        if let Value::Obj(o) = this {
            o.borrow_mut().class = Class::Date(t);
            return Ok(this.clone());
        }
        Ok(Value::Str(date_string(t, 0).into()))
    });
    set_hidden(it, &date, "now", |it, _, _| Ok(Value::Num(it.now_ms())));
    set_hidden(it, &date, "parse", |_, _, args| {
        Ok(Value::Num(match arg(args, 0) {
            Value::Str(s) => parse_date(&s).unwrap_or(f64::NAN),
            _ => f64::NAN,
        }))
    });
    g.declare("Date", date, true);

    // Map and Set
    let map = it.native_ctor("Map", |it, this, args| {
        let mut items: Vec<(Value, Value)> = Vec::new();
        if let v @ Value::Obj(_) = arg(args, 0) {
            for e in it.iterate(&v, 0)? {
                let k = it.get(&e, "0")?;
                let val = it.get(&e, "1")?;
                match items.iter_mut().find(|(x, _)| x.same_zero(&k)) {
                    Some(slot) => slot.1 = val,
                    None => items.push((k, val)),
                }
            }
        }
        if let Value::Obj(o) = this {
            o.borrow_mut().class = Class::Map(items);
        }
        Ok(this.clone())
    });
    g.declare("Map", map, true);
    let set_ctor = it.native_ctor("Set", |it, this, args| {
        let mut items: Vec<Value> = Vec::new();
        if let v @ (Value::Obj(_) | Value::Str(_)) = arg(args, 0) {
            for e in it.iterate(&v, 0)? {
                if !items.iter().any(|x| x.same_zero(&e)) {
                    items.push(e);
                }
            }
        }
        if let Value::Obj(o) = this {
            o.borrow_mut().class = Class::Set(items);
        }
        Ok(this.clone())
    });
    g.declare("Set", set_ctor, true);

    // Promise (resolved synchronously enough for then/catch chains).
    let promise = it.native_ctor("Promise", |it, _, args| {
        let executor = arg(args, 0);
        let p = super::promise::new_promise(it);
        let (res, rej) = super::promise::resolvers(it, &p);
        if let Err(Throw::Value(v, _, _)) = it.call(&executor, &Value::Undef, &[res, rej.clone()]) {
            it.call(&rej, &Value::Undef, &[v])?;
        }
        Ok(p)
    });
    set_hidden(it, &promise, "resolve", |it, _, args| {
        Ok(super::promise::resolved(it, arg(args, 0)))
    });
    set_hidden(it, &promise, "reject", |it, _, args| {
        let p = super::promise::new_promise(it);
        super::promise::settle(it, &p, Err(arg(args, 0)));
        Ok(p)
    });
    set_hidden(it, &promise, "all", |it, _, args| {
        super::promise::all(it, &arg(args, 0))
    });
    g.declare("Promise", promise, true);

    // Timers
    let st = it.native("setTimeout", |it, _, args| {
        let f = arg(args, 0);
        let d = it.to_number(&arg(args, 1))?;
        let id = it.add_timer(f, d, args.get(2..).unwrap_or(&[]).to_vec(), false);
        Ok(timer_object(it, id))
    });
    g.declare("setTimeout", st, true);
    let si = it.native("setInterval", |it, _, args| {
        let f = arg(args, 0);
        let d = it.to_number(&arg(args, 1))?;
        let id = it.add_timer(f, d, args.get(2..).unwrap_or(&[]).to_vec(), true);
        Ok(timer_object(it, id))
    });
    g.declare("setInterval", si, true);
    let sim = it.native("setImmediate", |it, _, args| {
        let f = arg(args, 0);
        let id = it.add_timer(f, 0.0, args.get(1..).unwrap_or(&[]).to_vec(), false);
        Ok(timer_object(it, id))
    });
    g.declare("setImmediate", sim, true);
    for name in ["clearTimeout", "clearInterval", "clearImmediate"] {
        let f = it.native(name, |it, _, args| {
            let id = match arg(args, 0) {
                Value::Num(n) => n as u32,
                v @ Value::Obj(_) => it.to_number(&v)? as u32,
                _ => return Ok(Value::Undef),
            };
            it.clear_timer(id);
            Ok(Value::Undef)
        });
        g.declare(name, f, true);
    }
    let qm = it.native("queueMicrotask", |it, _, args| {
        it.microtasks.push((arg(args, 0), Vec::new()));
        Ok(Value::Undef)
    });
    g.declare("queueMicrotask", qm, true);
    let sc = it.native("structuredClone", |it, _, args| {
        let s = json_stringify(it, &arg(args, 0), None, "")?.unwrap_or_else(|| "null".into());
        let v: serde_json::Value = serde_json::from_str(&s).unwrap_or(serde_json::Value::Null);
        Ok(from_json(it, &v))
    });
    g.declare("structuredClone", sc, true);
    let gt = it.obj_value(vec![]);
    g.declare("globalThis", gt.clone(), true);
    g.declare("global", gt, true);
}

/// A callable that behaves as `call` when called and as the native constructor for `new`.
fn plain_call(_it: &Interp, ctor: Value, _call: fn(&mut Interp, &[Value]) -> R<Value>) -> Value {
    ctor
}

fn timer_object(it: &mut Interp, id: u32) -> Value {
    // Node returns a Timeout object; its number is what clearTimeout takes.
    let o = it.obj_value(vec![]);
    if let Value::Obj(ob) = &o {
        ob.borrow_mut().class = Class::Boxed(Value::Num(id as f64));
        ob.borrow_mut().set_hidden("unref", Value::Undef);
    }
    let unref = it.native("unref", |_, this, _| Ok(this.clone()));
    if let Value::Obj(ob) = &o {
        ob.borrow_mut().set_hidden("unref", unref.clone());
        ob.borrow_mut().set_hidden("ref", unref);
    }
    o
}

impl Interp<'_> {
    pub fn steps_hint(&self) -> u64 {
        self.timers.len() as u64 + self.out.len() as u64 * 7919
    }
}

fn parse_float(it: &mut Interp, args: &[Value]) -> R<Value> {
    let s = it.to_string(&arg(args, 0))?;
    let t = s.trim_start();
    let mut end = 0;
    let b = t.as_bytes();
    let mut seen_dot = false;
    let mut seen_e = false;
    while end < b.len() {
        let c = b[end];
        if c.is_ascii_digit()
            || ((c == b'-' || c == b'+') && (end == 0 || matches!(b[end - 1], b'e' | b'E')))
        {
            end += 1;
        } else if c == b'.' && !seen_dot && !seen_e {
            seen_dot = true;
            end += 1;
        } else if (c == b'e' || c == b'E') && !seen_e && end > 0 {
            seen_e = true;
            end += 1;
        } else {
            break;
        }
    }
    if t.starts_with("Infinity") {
        return Ok(Value::Num(f64::INFINITY));
    }
    let mut slice = &t[..end];
    while !slice.is_empty() && slice.parse::<f64>().is_err() {
        slice = &slice[..slice.len() - 1];
    }
    Ok(Value::Num(slice.parse().unwrap_or(f64::NAN)))
}

fn parse_int(it: &mut Interp, args: &[Value]) -> R<Value> {
    let s = it.to_string(&arg(args, 0))?;
    let mut radix = match arg(args, 1) {
        Value::Undef => 0,
        v => it.to_number(&v)? as u32,
    };
    let mut t = s.trim();
    let neg = t.starts_with('-');
    if neg || t.starts_with('+') {
        t = &t[1..];
    }
    if (radix == 0 || radix == 16) && (t.starts_with("0x") || t.starts_with("0X")) {
        t = &t[2..];
        radix = 16;
    }
    if radix == 0 {
        radix = 10;
    }
    if !(2..=36).contains(&radix) {
        return Ok(Value::Num(f64::NAN));
    }
    let digits: String = t.chars().take_while(|c| c.is_digit(radix)).collect();
    if digits.is_empty() {
        return Ok(Value::Num(f64::NAN));
    }
    let mut v = 0f64;
    for c in digits.chars() {
        v = v * radix as f64 + c.to_digit(radix).unwrap_or(0) as f64;
    }
    Ok(Value::Num(if neg { -v } else { v }))
}

pub fn percent_encode(s: &str, component: bool) -> String {
    let keep = |c: char| {
        c.is_ascii_alphanumeric()
            || "-_.!~*'()".contains(c)
            || (!component && ";,/?:@&=+$#".contains(c))
    };
    let mut out = String::new();
    for c in s.chars() {
        if keep(c) {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

pub fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let h = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(h, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

// ----- JSON -----

fn json_quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

pub fn json_stringify(
    it: &mut Interp,
    v: &Value,
    replacer: Option<&Value>,
    indent: &str,
) -> R<Option<String>> {
    let mut stack = Vec::new();
    json_value(it, v, replacer, indent, "", &mut stack)
}

fn json_value(
    it: &mut Interp,
    v: &Value,
    replacer: Option<&Value>,
    indent: &str,
    cur: &str,
    stack: &mut Vec<*const std::cell::RefCell<Object>>,
) -> R<Option<String>> {
    // toJSON (Dates have one).
    if let Value::Obj(o) = v {
        if let Class::Date(t) = o.borrow().class {
            return Ok(Some(match iso_string(t) {
                Some(s) => json_quote(&s),
                None => "null".into(),
            }));
        }
        let to_json = it.get(v, "toJSON")?;
        if to_json.is_callable() {
            let r = it.call(&to_json, v, &[])?;
            return json_value(it, &r, replacer, indent, cur, stack);
        }
    }
    Ok(Some(match v {
        Value::Undef => return Ok(None),
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Num(n) => {
            if n.is_finite() {
                number_to_string(*n)
            } else {
                "null".into()
            }
        }
        Value::Str(s) => json_quote(s),
        Value::Obj(o) => {
            if v.is_callable() {
                return Ok(None);
            }
            let ptr = Rc::as_ptr(o);
            if stack.contains(&ptr) {
                return Err(it.error_at_current(
                    "TypeError",
                    "Converting circular structure to JSON\n    --> starting at object with constructor 'Object'\n    --- property closes the circle",
                ));
            }
            stack.push(ptr);
            let inner = format!("{cur}{indent}");
            let (nl, sep, colon) = if indent.is_empty() {
                (String::new(), ",".to_string(), ":")
            } else {
                (format!("\n{inner}"), format!(",\n{inner}"), ": ")
            };
            let close = if indent.is_empty() {
                String::new()
            } else {
                format!("\n{cur}")
            };
            let is_array = matches!(o.borrow().class, Class::Array(_));
            let out = if is_array {
                let items = match &o.borrow().class {
                    Class::Array(items) => items.clone(),
                    _ => Vec::new(),
                };
                let mut parts = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    let item = match replacer {
                        Some(r) => {
                            it.call(r, v, &[Value::Str(i.to_string().into()), item.clone()])?
                        }
                        None => item.clone(),
                    };
                    parts.push(
                        json_value(it, &item, replacer, indent, &inner, stack)?
                            .unwrap_or_else(|| "null".into()),
                    );
                }
                if parts.is_empty() {
                    "[]".to_string()
                } else {
                    format!("[{nl}{}{close}]", parts.join(&sep))
                }
            } else {
                let mut parts = Vec::new();
                for k in it.own_keys(v) {
                    let mut val = it.get(v, &k)?;
                    if let Some(r) = replacer {
                        val = it.call(r, v, &[Value::Str(k.clone()), val])?;
                    }
                    if let Some(s) = json_value(it, &val, replacer, indent, &inner, stack)? {
                        parts.push(format!("{}{colon}{s}", json_quote(&k)));
                    }
                }
                if parts.is_empty() {
                    "{}".to_string()
                } else {
                    format!("{{{nl}{}{close}}}", parts.join(&sep))
                }
            };
            stack.pop();
            out
        }
    }))
}

pub fn from_json(it: &Interp, v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => Value::Num(n.as_f64().unwrap_or(0.0)),
        serde_json::Value::String(s) => Value::str(s),
        serde_json::Value::Array(a) => it.array(a.iter().map(|x| from_json(it, x)).collect()),
        serde_json::Value::Object(m) => {
            let o = it.object();
            for (k, x) in m {
                o.borrow_mut().set(k, from_json(it, x));
            }
            Value::Obj(o)
        }
    }
}

/// V8's words for a JSON.parse failure.
fn json_error_message(text: &str, e: &serde_json::Error) -> String {
    if text.trim().is_empty() {
        return "Unexpected end of JSON input".into();
    }
    // Offset of the failing character.
    let mut offset = 0;
    for (i, line) in text.split('\n').enumerate() {
        if i + 1 == e.line() {
            offset += e.column().saturating_sub(1);
            break;
        }
        offset += line.len() + 1;
    }
    if e.is_eof() {
        return "Unexpected end of JSON input".into();
    }
    let c = text[offset.min(text.len())..].chars().next().unwrap_or(' ');
    let snippet: String = if text.len() <= 10 {
        format!("\"{text}\"")
    } else {
        let start = offset.saturating_sub(10);
        let end = (offset + 10).min(text.len());
        let pre = if start > 0 { "...\"" } else { "\"" };
        let post = if end < text.len() { "\"..." } else { "\"" };
        format!("{pre}{}{post}", &text[start..end])
    };
    format!("Unexpected token '{c}', {snippet} is not valid JSON")
}

// ----- dates -----

fn make_time(p: [f64; 7]) -> f64 {
    let year = p[0] + (p[1] / 12.0).floor();
    let month = p[1].rem_euclid(12.0);
    let Some(d) = chrono::NaiveDate::from_ymd_opt(year as i32, month as u32 + 1, 1) else {
        return f64::NAN;
    };
    let days = d
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().timestamp() as f64 / 86400.0)
        .unwrap_or(0.0);
    ((days + p[2] - 1.0) * 86400.0 + p[3] * 3600.0 + p[4] * 60.0 + p[5]) * 1000.0 + p[6]
}

fn parse_date(s: &str) -> Option<f64> {
    if let Ok(d) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(d.timestamp_millis() as f64);
    }
    if let Ok(d) = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(d.and_utc().timestamp_millis() as f64);
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return d
            .and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc().timestamp_millis() as f64);
    }
    if let Ok(d) = chrono::DateTime::parse_from_rfc2822(s) {
        return Some(d.timestamp_millis() as f64);
    }
    None
}

fn to_datetime(t: f64) -> Option<chrono::DateTime<chrono::Utc>> {
    if !t.is_finite() {
        return None;
    }
    chrono::DateTime::from_timestamp_millis(t as i64)
}

pub fn iso_string(t: f64) -> Option<String> {
    to_datetime(t).map(|d| d.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
}

pub fn date_string(t: f64, _tz: i64) -> String {
    match to_datetime(t) {
        Some(d) => d
            .format("%a %b %d %Y %H:%M:%S GMT+0000 (Coordinated Universal Time)")
            .to_string(),
        None => "Invalid Date".into(),
    }
}

// ----- methods of built-in types -----

const STRING_METHODS: &[&str] = &[
    "toUpperCase",
    "toLowerCase",
    "trim",
    "trimStart",
    "trimEnd",
    "split",
    "includes",
    "startsWith",
    "endsWith",
    "indexOf",
    "lastIndexOf",
    "slice",
    "substring",
    "substr",
    "replace",
    "replaceAll",
    "repeat",
    "padStart",
    "padEnd",
    "charAt",
    "charCodeAt",
    "concat",
    "at",
    "toString",
    "valueOf",
    "localeCompare",
    "codePointAt",
    "normalize",
    "toLocaleUpperCase",
    "toLocaleLowerCase",
];
const ARRAY_METHODS: &[&str] = &[
    "push",
    "pop",
    "shift",
    "unshift",
    "map",
    "filter",
    "reduce",
    "reduceRight",
    "forEach",
    "join",
    "includes",
    "indexOf",
    "lastIndexOf",
    "find",
    "findIndex",
    "findLast",
    "findLastIndex",
    "some",
    "every",
    "slice",
    "splice",
    "concat",
    "reverse",
    "sort",
    "flat",
    "flatMap",
    "fill",
    "keys",
    "values",
    "entries",
    "at",
    "toString",
    "toSorted",
    "toReversed",
];
const NUMBER_METHODS: &[&str] = &[
    "toFixed",
    "toString",
    "toPrecision",
    "valueOf",
    "toLocaleString",
];
const MAP_METHODS: &[&str] = &[
    "get", "set", "has", "delete", "clear", "forEach", "keys", "values", "entries",
];
const SET_METHODS: &[&str] = &[
    "add", "has", "delete", "clear", "forEach", "keys", "values", "entries",
];
const DATE_METHODS: &[&str] = &[
    "getTime",
    "valueOf",
    "toISOString",
    "toJSON",
    "getFullYear",
    "getMonth",
    "getDate",
    "getDay",
    "getHours",
    "getMinutes",
    "getSeconds",
    "getMilliseconds",
    "toString",
    "toDateString",
    "toLocaleDateString",
    "toLocaleTimeString",
    "toLocaleString",
    "toUTCString",
    "getTimezoneOffset",
    "getUTCFullYear",
    "getUTCMonth",
    "getUTCDate",
    "getUTCHours",
];
const PROMISE_METHODS: &[&str] = &["then", "catch", "finally"];

/// The built-in method `key` of `recv`, as a function value, if it has one.
pub fn method_value(it: &mut Interp, recv: &Value, key: &str) -> Option<Value> {
    let list: &[&str] = match recv {
        Value::Str(_) => STRING_METHODS,
        Value::Num(_) => NUMBER_METHODS,
        Value::Bool(_) => &["toString", "valueOf"],
        Value::Obj(o) => match &o.borrow().class {
            Class::Array(_) => ARRAY_METHODS,
            Class::Map(_) => MAP_METHODS,
            Class::Set(_) => SET_METHODS,
            Class::Date(_) => DATE_METHODS,
            Class::Promise(_) => PROMISE_METHODS,
            Class::Boxed(_) => &["toString", "valueOf"],
            _ => &[],
        },
        _ => &[],
    };
    if let (Value::Obj(o), "size") = (recv, key) {
        match &o.borrow().class {
            Class::Map(m) => return Some(Value::Num(m.len() as f64)),
            Class::Set(s) => return Some(Value::Num(s.len() as f64)),
            _ => {}
        }
    }
    let name: &'static str = list.iter().find(|n| **n == key)?;
    Some(it.native(name, move |it, this, args| {
        call_method(it, this, name, args)
    }))
}

fn call_method(it: &mut Interp, this: &Value, name: &str, args: &[Value]) -> R<Value> {
    match this {
        Value::Str(s) => string_method(it, s, name, args),
        Value::Num(n) => number_method(it, *n, name, args),
        Value::Bool(b) => Ok(match name {
            "toString" => Value::str(&b.to_string()),
            _ => Value::Bool(*b),
        }),
        Value::Obj(o) => {
            let kind = match &o.borrow().class {
                Class::Array(_) => 0,
                Class::Map(_) => 1,
                Class::Set(_) => 2,
                Class::Date(_) => 3,
                Class::Promise(_) => 4,
                Class::Boxed(_) => 5,
                _ => 9,
            };
            match kind {
                0 => array_method(it, o, name, args),
                1 => map_method(it, o, name, args),
                2 => set_method(it, o, name, args),
                3 => date_method(it, o, name, args),
                4 => super::promise::method(it, this, name, args),
                5 => {
                    let inner = match &o.borrow().class {
                        Class::Boxed(v) => v.clone(),
                        _ => Value::Undef,
                    };
                    if name == "toString" {
                        Ok(Value::Str(it.to_string(&inner)?))
                    } else {
                        Ok(inner)
                    }
                }
                _ => Ok(Value::Undef),
            }
        }
        _ => Ok(Value::Undef),
    }
}

fn utf16(s: &str) -> Vec<u16> {
    s.encode_utf16().collect()
}

fn from16(u: &[u16]) -> Value {
    Value::Str(String::from_utf16_lossy(u).into())
}

fn rel_index(n: f64, len: usize) -> usize {
    if n.is_nan() {
        return 0;
    }
    let n = n.trunc();
    if n < 0.0 {
        (len as f64 + n).max(0.0) as usize
    } else {
        (n as usize).min(len)
    }
}

fn string_method(it: &mut Interp, s: &Rc<str>, name: &str, args: &[Value]) -> R<Value> {
    let str_arg = |it: &mut Interp, i: usize| -> R<Rc<str>> { it.to_string(&arg(args, i)) };
    Ok(match name {
        "toUpperCase" | "toLocaleUpperCase" => Value::Str(s.to_uppercase().into()),
        "toLowerCase" | "toLocaleLowerCase" => Value::Str(s.to_lowercase().into()),
        "trim" => Value::str(s.trim()),
        "trimStart" => Value::str(s.trim_start()),
        "trimEnd" => Value::str(s.trim_end()),
        "toString" | "valueOf" | "normalize" => Value::Str(s.clone()),
        "split" => {
            let sep = arg(args, 0);
            let limit = match arg(args, 1) {
                Value::Undef => usize::MAX,
                v => it.to_number(&v)? as usize,
            };
            let parts: Vec<Value> = match sep {
                Value::Undef => vec![Value::Str(s.clone())],
                sep => {
                    let sep = it.to_string(&sep)?;
                    if sep.is_empty() {
                        s.chars()
                            .map(|c| Value::Str(c.to_string().into()))
                            .collect()
                    } else {
                        s.split(&*sep).map(Value::str).collect()
                    }
                }
            };
            it.array(parts.into_iter().take(limit).collect())
        }
        "includes" => Value::Bool(s.contains(&*str_arg(it, 0)?)),
        "startsWith" => {
            let p = str_arg(it, 0)?;
            let from = rel_index(it.to_number(&arg(args, 1)).unwrap_or(0.0), s.len());
            Value::Bool(s.get(from..).is_some_and(|r| r.starts_with(&*p)))
        }
        "endsWith" => Value::Bool(s.ends_with(&*str_arg(it, 0)?)),
        "indexOf" | "lastIndexOf" => {
            let p = utf16(&str_arg(it, 0)?);
            let h = utf16(s);
            let found = if p.len() > h.len() {
                None
            } else {
                let positions = (0..=h.len() - p.len()).filter(|&i| h[i..i + p.len()] == p[..]);
                if name == "indexOf" {
                    let from = match arg(args, 1) {
                        Value::Undef => 0,
                        v => it.to_number(&v)?.max(0.0) as usize,
                    };
                    positions.into_iter().find(|&i| i >= from)
                } else {
                    positions.into_iter().next_back()
                }
            };
            Value::Num(found.map_or(-1.0, |i| i as f64))
        }
        "slice" | "substring" | "substr" => {
            let u = utf16(s);
            let len = u.len();
            let a = it.to_number(&arg(args, 0))?;
            let b = arg(args, 1);
            let (start, end) = match name {
                "slice" => {
                    let start = rel_index(a, len);
                    let end = match b {
                        Value::Undef => len,
                        v => rel_index(it.to_number(&v)?, len),
                    };
                    (start, end)
                }
                "substring" => {
                    let clamp = |x: f64| {
                        if x.is_nan() {
                            0
                        } else {
                            x.clamp(0.0, len as f64) as usize
                        }
                    };
                    let start = clamp(a);
                    let end = match b {
                        Value::Undef => len,
                        v => clamp(it.to_number(&v)?),
                    };
                    (start.min(end), start.max(end))
                }
                _ => {
                    let start = rel_index(a, len);
                    let n = match b {
                        Value::Undef => len,
                        v => it.to_number(&v)?.max(0.0) as usize,
                    };
                    (start, (start + n).min(len))
                }
            };
            if start >= end {
                Value::str("")
            } else {
                from16(&u[start..end])
            }
        }
        "replace" | "replaceAll" => {
            let pat = str_arg(it, 0)?;
            let rep = arg(args, 1);
            let mut out = String::new();
            let mut rest: &str = s;
            let mut done = false;
            while !done {
                match rest.find(&*pat) {
                    Some(i) => {
                        out.push_str(&rest[..i]);
                        if rep.is_callable() {
                            let r = it.call(&rep, &Value::Undef, &[Value::Str(pat.clone())])?;
                            out.push_str(&it.to_string(&r)?);
                        } else {
                            let r = it.to_string(&rep)?;
                            out.push_str(&r.replace("$&", &pat));
                        }
                        rest = &rest[i + pat.len()..];
                        if pat.is_empty() {
                            if let Some(c) = rest.chars().next() {
                                out.push(c);
                                rest = &rest[c.len_utf8()..];
                            } else {
                                done = true;
                            }
                        }
                        if name == "replace" {
                            done = true;
                        }
                    }
                    None => done = true,
                }
            }
            out.push_str(rest);
            Value::Str(out.into())
        }
        "repeat" => {
            let n = it.to_number(&arg(args, 0))?;
            if n < 0.0 || !n.is_finite() || (n as usize).saturating_mul(s.len()) > 1 << 26 {
                return Err(it.error_at_current(
                    "RangeError",
                    &format!("Invalid count value: {}", number_to_string(n)),
                ));
            }
            Value::Str(s.repeat(n as usize).into())
        }
        "padStart" | "padEnd" => {
            let target = it.to_number(&arg(args, 0))?.clamp(0.0, 1e6) as usize;
            let fill = match arg(args, 1) {
                Value::Undef => " ".into(),
                v => it.to_string(&v)?,
            };
            let len = s.chars().count();
            if target <= len || fill.is_empty() {
                Value::Str(s.clone())
            } else {
                let pad: String = fill.chars().cycle().take(target - len).collect();
                Value::Str(
                    if name == "padStart" {
                        format!("{pad}{s}")
                    } else {
                        format!("{s}{pad}")
                    }
                    .into(),
                )
            }
        }
        "charAt" | "at" => {
            let u = utf16(s);
            let n = it.to_number(&arg(args, 0))?;
            let n = if n.is_nan() { 0.0 } else { n.trunc() };
            let i = if name == "at" && n < 0.0 {
                u.len() as f64 + n
            } else {
                n
            };
            if i < 0.0 || i as usize >= u.len() {
                if name == "at" {
                    Value::Undef
                } else {
                    Value::str("")
                }
            } else {
                from16(&u[i as usize..i as usize + 1])
            }
        }
        "charCodeAt" | "codePointAt" => {
            let u = utf16(s);
            let n = it.to_number(&arg(args, 0))?;
            let i = if n.is_nan() { 0 } else { n as usize };
            match u.get(i) {
                Some(c) => Value::Num(*c as f64),
                None if name == "codePointAt" => Value::Undef,
                None => Value::Num(f64::NAN),
            }
        }
        "concat" => {
            let mut out = s.to_string();
            for a in args {
                out.push_str(&it.to_string(a)?);
            }
            Value::Str(out.into())
        }
        "localeCompare" => {
            let o = str_arg(it, 0)?;
            Value::Num(match s.as_ref().cmp(o.as_ref()) {
                std::cmp::Ordering::Less => -1.0,
                std::cmp::Ordering::Equal => 0.0,
                std::cmp::Ordering::Greater => 1.0,
            })
        }
        _ => Value::Undef,
    })
}

fn number_method(it: &mut Interp, n: f64, name: &str, args: &[Value]) -> R<Value> {
    Ok(match name {
        "toFixed" => {
            let d = it.to_number(&arg(args, 0))?;
            let d = if d.is_nan() { 0 } else { d as usize };
            if d > 100 {
                return Err(it.error_at_current(
                    "RangeError",
                    "toFixed() digits argument must be between 0 and 100",
                ));
            }
            if n.abs() >= 1e21 {
                Value::Str(number_to_string(n).into())
            } else {
                Value::Str(format!("{:.*}", d, n).into())
            }
        }
        "toPrecision" => {
            let p = it.to_number(&arg(args, 0))?;
            if p.is_nan() {
                Value::Str(number_to_string(n).into())
            } else {
                let p = p.clamp(1.0, 100.0) as i32;
                let e = if n == 0.0 {
                    0
                } else {
                    n.abs().log10().floor() as i32
                };
                let decimals = (p - 1 - e).max(0) as usize;
                Value::Str(format!("{:.*}", decimals, n).into())
            }
        }
        "toString" => match arg(args, 0) {
            Value::Num(r) if r != 10.0 && (2.0..=36.0).contains(&r) && n.fract() == 0.0 => {
                let r = r as u32;
                let mut v = n.abs() as u64;
                let mut digits = Vec::new();
                loop {
                    digits.push(std::char::from_digit((v % r as u64) as u32, r).unwrap_or('0'));
                    v /= r as u64;
                    if v == 0 {
                        break;
                    }
                }
                if n < 0.0 {
                    digits.push('-');
                }
                Value::Str(digits.into_iter().rev().collect::<String>().into())
            }
            _ => Value::Str(number_to_string(n).into()),
        },
        "toLocaleString" => {
            let s = number_to_string(n.trunc().abs());
            let mut out = String::new();
            for (i, c) in s.chars().enumerate() {
                if i > 0 && (s.len() - i).is_multiple_of(3) {
                    out.push(',');
                }
                out.push(c);
            }
            let frac = n.abs().fract();
            if frac > 0.0 {
                let f = format!("{:.3}", frac);
                let f = f.trim_start_matches('0').trim_end_matches('0');
                out.push_str(f);
            }
            Value::Str(if n < 0.0 { format!("-{out}") } else { out }.into())
        }
        _ => Value::Num(n),
    })
}

fn items_of(o: &Obj) -> Vec<Value> {
    match &o.borrow().class {
        Class::Array(items) => items.clone(),
        _ => Vec::new(),
    }
}

fn with_items<T>(o: &Obj, f: impl FnOnce(&mut Vec<Value>) -> T) -> Option<T> {
    match &mut o.borrow_mut().class {
        Class::Array(items) => Some(f(items)),
        _ => None,
    }
}

fn array_method(it: &mut Interp, o: &Obj, name: &str, args: &[Value]) -> R<Value> {
    let this = Value::Obj(o.clone());
    let callback = |it: &mut Interp, i: usize| -> R<Value> {
        let f = arg(args, i);
        if !f.is_callable() {
            let text = inspect(&f);
            return Err(it.error_at_current("TypeError", &format!("{text} is not a function")));
        }
        Ok(f)
    };
    Ok(match name {
        "push" => {
            let len = with_items(o, |items| {
                if items.len() + args.len() > 1 << 24 {
                    return None;
                }
                items.extend_from_slice(args);
                Some(items.len())
            })
            .flatten();
            match len {
                Some(n) => Value::Num(n as f64),
                None => return Err(it.error_at_current("RangeError", "Invalid array length")),
            }
        }
        "pop" => with_items(o, |items| items.pop())
            .flatten()
            .unwrap_or(Value::Undef),
        "shift" => with_items(o, |items| {
            if items.is_empty() {
                None
            } else {
                Some(items.remove(0))
            }
        })
        .flatten()
        .unwrap_or(Value::Undef),
        "unshift" => Value::Num(
            with_items(o, |items| {
                for (i, a) in args.iter().enumerate() {
                    items.insert(i, a.clone());
                }
                items.len()
            })
            .unwrap_or(0) as f64,
        ),
        "map" | "filter" | "forEach" | "find" | "findIndex" | "findLast" | "findLastIndex"
        | "some" | "every" | "flatMap" => {
            let f = callback(it, 0)?;
            let items = items_of(o);
            let mut out = Vec::new();
            let order: Vec<usize> = if name.starts_with("findLast") {
                (0..items.len()).rev().collect()
            } else {
                (0..items.len()).collect()
            };
            for i in order {
                let v = items[i].clone();
                let r = it.call(
                    &f,
                    &arg(args, 1),
                    &[v.clone(), Value::Num(i as f64), this.clone()],
                )?;
                match name {
                    "map" => out.push(r),
                    "flatMap" => match &r {
                        Value::Obj(ro) if matches!(ro.borrow().class, Class::Array(_)) => {
                            out.extend(items_of(ro))
                        }
                        _ => out.push(r),
                    },
                    "filter" if r.truthy() => out.push(v),
                    "find" | "findLast" if r.truthy() => return Ok(v),
                    "findIndex" | "findLastIndex" if r.truthy() => return Ok(Value::Num(i as f64)),
                    "some" if r.truthy() => return Ok(Value::Bool(true)),
                    "every" if !r.truthy() => return Ok(Value::Bool(false)),
                    _ => {}
                }
            }
            match name {
                "map" | "filter" | "flatMap" => it.array(out),
                "find" | "findLast" | "forEach" => Value::Undef,
                "findIndex" | "findLastIndex" => Value::Num(-1.0),
                "some" => Value::Bool(false),
                _ => Value::Bool(true),
            }
        }
        "reduce" | "reduceRight" => {
            let f = callback(it, 0)?;
            let mut items = items_of(o).into_iter().enumerate().collect::<Vec<_>>();
            if name == "reduceRight" {
                items.reverse();
            }
            let mut iter = items.into_iter();
            let mut acc = if args.len() > 1 {
                args[1].clone()
            } else {
                match iter.next() {
                    Some((_, v)) => v,
                    None => {
                        return Err(it.error_at_current(
                            "TypeError",
                            "Reduce of empty array with no initial value",
                        ));
                    }
                }
            };
            for (i, v) in iter {
                acc = it.call(
                    &f,
                    &Value::Undef,
                    &[acc, v, Value::Num(i as f64), this.clone()],
                )?;
            }
            acc
        }
        "join" | "toString" => {
            let sep = match arg(args, 0) {
                Value::Undef => ",".into(),
                v => it.to_string(&v)?,
            };
            let mut parts = Vec::new();
            for v in items_of(o) {
                parts.push(if v.is_nullish() {
                    String::new()
                } else {
                    it.to_string(&v)?.to_string()
                });
            }
            Value::Str(parts.join(&sep).into())
        }
        "includes" => {
            let x = arg(args, 0);
            Value::Bool(items_of(o).iter().any(|v| v.same_zero(&x)))
        }
        "indexOf" | "lastIndexOf" => {
            let x = arg(args, 0);
            let items = items_of(o);
            let pos = if name == "indexOf" {
                items.iter().position(|v| v.same(&x))
            } else {
                items.iter().rposition(|v| v.same(&x))
            };
            Value::Num(pos.map_or(-1.0, |p| p as f64))
        }
        "slice" => {
            let items = items_of(o);
            let len = items.len();
            let start = rel_index(it.to_number(&arg(args, 0)).unwrap_or(0.0), len);
            let end = match arg(args, 1) {
                Value::Undef => len,
                v => rel_index(it.to_number(&v)?, len),
            };
            it.array(if start < end {
                items[start..end].to_vec()
            } else {
                Vec::new()
            })
        }
        "splice" => {
            let len = items_of(o).len();
            let start = rel_index(it.to_number(&arg(args, 0))?, len);
            let count = match args.get(1) {
                None => len - start,
                Some(v) => (it.to_number(v)?.max(0.0) as usize).min(len - start),
            };
            let insert: Vec<Value> = args.get(2..).unwrap_or(&[]).to_vec();
            let removed = with_items(o, |items| {
                items
                    .splice(start..start + count, insert)
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
            it.array(removed)
        }
        "concat" => {
            let mut items = items_of(o);
            for a in args {
                match a {
                    Value::Obj(ao) if matches!(ao.borrow().class, Class::Array(_)) => {
                        items.extend(items_of(ao))
                    }
                    other => items.push(other.clone()),
                }
            }
            it.array(items)
        }
        "reverse" => {
            with_items(o, |items| items.reverse());
            this
        }
        "toReversed" => {
            let mut items = items_of(o);
            items.reverse();
            it.array(items)
        }
        "sort" | "toSorted" => {
            let mut items = items_of(o);
            let f = arg(args, 0);
            // Insertion-merge sort that can call back into JavaScript and fail.
            let mut sorted: Vec<Value> = Vec::with_capacity(items.len());
            let undefs = items.iter().filter(|v| matches!(v, Value::Undef)).count();
            items.retain(|v| !matches!(v, Value::Undef));
            for v in items {
                let mut lo = 0;
                let mut hi = sorted.len();
                while lo < hi {
                    let mid = (lo + hi) / 2;
                    let greater = if f.is_callable() {
                        let r = it.call(&f, &Value::Undef, &[sorted[mid].clone(), v.clone()])?;
                        it.to_number(&r)? > 0.0
                    } else {
                        let a = it.to_string(&sorted[mid])?;
                        let b = it.to_string(&v)?;
                        utf16(&a) > utf16(&b)
                    };
                    if greater { hi = mid } else { lo = mid + 1 }
                }
                sorted.insert(lo, v);
            }
            sorted.extend(std::iter::repeat_n(Value::Undef, undefs));
            if name == "toSorted" {
                return Ok(it.array(sorted));
            }
            with_items(o, |items| *items = sorted);
            this
        }
        "flat" => {
            let depth = match arg(args, 0) {
                Value::Undef => 1.0,
                v => it.to_number(&v)?,
            };
            fn flat(items: Vec<Value>, depth: f64, out: &mut Vec<Value>) {
                for v in items {
                    match &v {
                        Value::Obj(o)
                            if depth >= 1.0 && matches!(o.borrow().class, Class::Array(_)) =>
                        {
                            flat(items_of(o), depth - 1.0, out)
                        }
                        _ => out.push(v),
                    }
                }
            }
            let mut out = Vec::new();
            flat(items_of(o), depth, &mut out);
            it.array(out)
        }
        "fill" => {
            let v = arg(args, 0);
            with_items(o, |items| items.iter_mut().for_each(|x| *x = v.clone()));
            this
        }
        "keys" => {
            let n = items_of(o).len();
            it.array((0..n).map(|i| Value::Num(i as f64)).collect())
        }
        "values" => it.array(items_of(o)),
        "entries" => {
            let items = items_of(o);
            let pairs = items
                .into_iter()
                .enumerate()
                .map(|(i, v)| it.array(vec![Value::Num(i as f64), v]))
                .collect();
            it.array(pairs)
        }
        "at" => {
            let items = items_of(o);
            let n = it.to_number(&arg(args, 0))?.trunc();
            let i = if n < 0.0 { items.len() as f64 + n } else { n };
            if i < 0.0 {
                Value::Undef
            } else {
                items.get(i as usize).cloned().unwrap_or(Value::Undef)
            }
        }
        _ => Value::Undef,
    })
}

fn map_method(it: &mut Interp, o: &Obj, name: &str, args: &[Value]) -> R<Value> {
    let k = arg(args, 0);
    let this = Value::Obj(o.clone());
    let pairs = || match &o.borrow().class {
        Class::Map(m) => m.clone(),
        _ => Vec::new(),
    };
    Ok(match name {
        "get" => pairs()
            .into_iter()
            .find(|(x, _)| x.same_zero(&k))
            .map(|(_, v)| v)
            .unwrap_or(Value::Undef),
        "has" => Value::Bool(pairs().iter().any(|(x, _)| x.same_zero(&k))),
        "set" => {
            let v = arg(args, 1);
            if let Class::Map(m) = &mut o.borrow_mut().class {
                match m.iter_mut().find(|(x, _)| x.same_zero(&k)) {
                    Some(slot) => slot.1 = v,
                    None => m.push((k, v)),
                }
            }
            this
        }
        "delete" => {
            let mut found = false;
            if let Class::Map(m) = &mut o.borrow_mut().class {
                let before = m.len();
                m.retain(|(x, _)| !x.same_zero(&k));
                found = m.len() != before;
            }
            Value::Bool(found)
        }
        "clear" => {
            if let Class::Map(m) = &mut o.borrow_mut().class {
                m.clear();
            }
            Value::Undef
        }
        "forEach" => {
            let f = arg(args, 0);
            for (key, v) in pairs() {
                it.call(&f, &Value::Undef, &[v, key, this.clone()])?;
            }
            Value::Undef
        }
        "keys" => {
            let ks = pairs().into_iter().map(|(k, _)| k).collect();
            it.array(ks)
        }
        "values" => {
            let vs = pairs().into_iter().map(|(_, v)| v).collect();
            it.array(vs)
        }
        _ => {
            let es = pairs()
                .into_iter()
                .map(|(k, v)| it.array(vec![k, v]))
                .collect();
            it.array(es)
        }
    })
}

fn set_method(it: &mut Interp, o: &Obj, name: &str, args: &[Value]) -> R<Value> {
    let k = arg(args, 0);
    let this = Value::Obj(o.clone());
    let items = || match &o.borrow().class {
        Class::Set(s) => s.clone(),
        _ => Vec::new(),
    };
    Ok(match name {
        "add" => {
            if let Class::Set(s) = &mut o.borrow_mut().class {
                if !s.iter().any(|x| x.same_zero(&k)) {
                    s.push(k);
                }
            }
            this
        }
        "has" => Value::Bool(items().iter().any(|x| x.same_zero(&k))),
        "delete" => {
            let mut found = false;
            if let Class::Set(s) = &mut o.borrow_mut().class {
                let before = s.len();
                s.retain(|x| !x.same_zero(&k));
                found = s.len() != before;
            }
            Value::Bool(found)
        }
        "clear" => {
            if let Class::Set(s) = &mut o.borrow_mut().class {
                s.clear();
            }
            Value::Undef
        }
        "forEach" => {
            let f = arg(args, 0);
            for v in items() {
                it.call(&f, &Value::Undef, &[v.clone(), v, this.clone()])?;
            }
            Value::Undef
        }
        "entries" => {
            let es = items()
                .into_iter()
                .map(|v| it.array(vec![v.clone(), v]))
                .collect();
            it.array(es)
        }
        _ => it.array(items()),
    })
}

fn date_method(it: &mut Interp, o: &Obj, name: &str, _args: &[Value]) -> R<Value> {
    use chrono::{Datelike, Timelike};
    let t = match o.borrow().class {
        Class::Date(t) => t,
        _ => f64::NAN,
    };
    let d = to_datetime(t);
    let num = |f: &dyn Fn(&chrono::DateTime<chrono::Utc>) -> f64| {
        Value::Num(d.as_ref().map_or(f64::NAN, f))
    };
    Ok(match name {
        "getTime" | "valueOf" => Value::Num(t),
        "toISOString" => match iso_string(t) {
            Some(s) => Value::Str(s.into()),
            None => return Err(it.error_at_current("RangeError", "Invalid time value")),
        },
        "toJSON" => iso_string(t)
            .map(|s| Value::Str(s.into()))
            .unwrap_or(Value::Null),
        "getFullYear" | "getUTCFullYear" => num(&|d| d.year() as f64),
        "getMonth" | "getUTCMonth" => num(&|d| d.month0() as f64),
        "getDate" | "getUTCDate" => num(&|d| d.day() as f64),
        "getDay" => num(&|d| d.weekday().num_days_from_sunday() as f64),
        "getHours" | "getUTCHours" => num(&|d| d.hour() as f64),
        "getMinutes" => num(&|d| d.minute() as f64),
        "getSeconds" => num(&|d| d.second() as f64),
        "getMilliseconds" => num(&|d| (d.timestamp_subsec_millis()) as f64),
        "getTimezoneOffset" => Value::Num(0.0),
        "toDateString" => Value::Str(
            d.map(|d| d.format("%a %b %d %Y").to_string())
                .unwrap_or_else(|| "Invalid Date".into())
                .into(),
        ),
        "toLocaleDateString" => Value::Str(
            d.map(|d| format!("{}/{}/{}", d.month(), d.day(), d.year()))
                .unwrap_or_else(|| "Invalid Date".into())
                .into(),
        ),
        "toLocaleTimeString" => Value::Str(
            d.map(|d| d.format("%-I:%M:%S %p").to_string())
                .unwrap_or_else(|| "Invalid Date".into())
                .into(),
        ),
        "toLocaleString" => Value::Str(
            d.map(|d| {
                format!(
                    "{}/{}/{}, {}",
                    d.month(),
                    d.day(),
                    d.year(),
                    d.format("%-I:%M:%S %p")
                )
            })
            .unwrap_or_else(|| "Invalid Date".into())
            .into(),
        ),
        "toUTCString" => Value::Str(
            d.map(|d| d.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
                .unwrap_or_else(|| "Invalid Date".into())
                .into(),
        ),
        _ => Value::Str(date_string(t, 0).into()),
    })
}

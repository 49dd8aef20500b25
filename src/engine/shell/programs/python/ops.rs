//! Operators, comparisons, attribute and item access, `repr`/`str` and the format
//! mini-language, with CPython's TypeError wording for mismatched operands.

use super::ast::{BinOp, CmpOp, Span};
use super::interp::{Flow, Interp, R};
use super::value::*;
use std::cell::RefCell;
use std::rc::Rc;

fn num(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Bool(b) => Some(*b as i64 as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

fn int(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        Value::Bool(b) => Some(*b as i64),
        _ => None,
    }
}

fn dunder(op: BinOp) -> &'static str {
    match op {
        BinOp::Add => "__add__",
        BinOp::Sub => "__sub__",
        BinOp::Mul => "__mul__",
        BinOp::Div => "__truediv__",
        BinOp::FloorDiv => "__floordiv__",
        BinOp::Mod => "__mod__",
        BinOp::Pow => "__pow__",
        _ => "__op__",
    }
}

impl Interp<'_> {
    pub fn inplace(&mut self, a: Value, op: BinOp, b: Value, _span: Span) -> R<Value> {
        if let (Value::List(l), BinOp::Add) = (&a, op) {
            let items = self.iterate(&b)?;
            l.borrow_mut().extend(items);
            return Ok(a);
        }
        self.binop(a, op, b)
    }

    pub fn binop(&mut self, a: Value, op: BinOp, b: Value) -> R<Value> {
        if let (Some(x), Some(y)) = (int(&a), int(&b)) {
            let lim = || self.int_limit();
            return Ok(match op {
                BinOp::Add => Value::Int(x.checked_add(y).ok_or_else(lim)?),
                BinOp::Sub => Value::Int(x.checked_sub(y).ok_or_else(lim)?),
                BinOp::Mul => Value::Int(x.checked_mul(y).ok_or_else(lim)?),
                BinOp::Div => {
                    if y == 0 {
                        return Err(self.exc("ZeroDivisionError", "division by zero"));
                    }
                    Value::Float(x as f64 / y as f64)
                }
                BinOp::FloorDiv => {
                    if y == 0 {
                        return Err(
                            self.exc("ZeroDivisionError", "integer division or modulo by zero")
                        );
                    }
                    Value::Int(x.div_euclid(y) - if y < 0 && x.rem_euclid(y) != 0 { 1 } else { 0 })
                }
                BinOp::Mod => {
                    if y == 0 {
                        return Err(self.exc("ZeroDivisionError", "integer modulo by zero"));
                    }
                    let r = x % y;
                    Value::Int(if r != 0 && ((r < 0) != (y < 0)) {
                        r + y
                    } else {
                        r
                    })
                }
                BinOp::Pow => {
                    if y < 0 {
                        Value::Float((x as f64).powf(y as f64))
                    } else {
                        let e = u32::try_from(y).map_err(|_| self.int_limit())?;
                        Value::Int(x.checked_pow(e).ok_or_else(lim)?)
                    }
                }
                BinOp::BitAnd => {
                    if let (Value::Bool(p), Value::Bool(q)) = (&a, &b) {
                        Value::Bool(*p && *q)
                    } else {
                        Value::Int(x & y)
                    }
                }
                BinOp::BitOr => {
                    if let (Value::Bool(p), Value::Bool(q)) = (&a, &b) {
                        Value::Bool(*p || *q)
                    } else {
                        Value::Int(x | y)
                    }
                }
                BinOp::BitXor => Value::Int(x ^ y),
                BinOp::LShift => Value::Int(
                    u32::try_from(y)
                        .ok()
                        .and_then(|s| x.checked_shl(s))
                        .filter(|r| (r >> y.min(63)) == x)
                        .ok_or_else(lim)?,
                ),
                BinOp::RShift => Value::Int(x >> y.clamp(0, 63)),
                BinOp::MatMul => return Err(self.unsupported(&a, op, &b)),
            });
        }
        if let (Some(x), Some(y)) = (num(&a), num(&b)) {
            return Ok(Value::Float(match op {
                BinOp::Add => x + y,
                BinOp::Sub => x - y,
                BinOp::Mul => x * y,
                BinOp::Div => {
                    if y == 0.0 {
                        return Err(self.exc("ZeroDivisionError", "float division by zero"));
                    }
                    x / y
                }
                BinOp::FloorDiv => {
                    if y == 0.0 {
                        return Err(self.exc("ZeroDivisionError", "float floor division by zero"));
                    }
                    (x / y).floor()
                }
                BinOp::Mod => {
                    if y == 0.0 {
                        return Err(self.exc("ZeroDivisionError", "float modulo"));
                    }
                    let r = x % y;
                    if r != 0.0 && ((r < 0.0) != (y < 0.0)) {
                        r + y
                    } else {
                        r
                    }
                }
                BinOp::Pow => x.powf(y),
                _ => return Err(self.unsupported(&a, op, &b)),
            }));
        }
        match (&a, op, &b) {
            (Value::Str(x), BinOp::Add, Value::Str(y)) => {
                return Ok(Value::str(format!("{x}{y}")));
            }
            (Value::Bytes(x), BinOp::Add, Value::Bytes(y)) => {
                return Ok(Value::Bytes(Rc::new([x.as_slice(), y.as_slice()].concat())));
            }
            (Value::Str(s), BinOp::Mul, n) | (n, BinOp::Mul, Value::Str(s)) if int(n).is_some() => {
                let n = int(n).unwrap_or(0).max(0) as usize;
                if s.len().saturating_mul(n) > 64 << 20 {
                    return Err(self.exc("MemoryError", ""));
                }
                return Ok(Value::str(s.repeat(n)));
            }
            (Value::List(l), BinOp::Mul, n) | (n, BinOp::Mul, Value::List(l))
                if int(n).is_some() =>
            {
                let n = int(n).unwrap_or(0).max(0) as usize;
                let items = l.borrow();
                if items.len().saturating_mul(n) > 10_000_000 {
                    return Err(self.exc("MemoryError", ""));
                }
                let mut out = Vec::with_capacity(items.len() * n);
                for _ in 0..n {
                    out.extend(items.iter().cloned());
                }
                return Ok(Value::list(out));
            }
            (Value::Tuple(t), BinOp::Mul, n) if int(n).is_some() => {
                let n = int(n).unwrap_or(0).clamp(0, 1_000_000) as usize;
                let mut out = Vec::new();
                for _ in 0..n {
                    out.extend(t.iter().cloned());
                }
                return Ok(Value::tuple(out));
            }
            (Value::List(x), BinOp::Add, Value::List(y)) => {
                let mut v = x.borrow().clone();
                v.extend(y.borrow().iter().cloned());
                return Ok(Value::list(v));
            }
            (Value::Tuple(x), BinOp::Add, Value::Tuple(y)) => {
                let mut v = x.to_vec();
                v.extend(y.iter().cloned());
                return Ok(Value::tuple(v));
            }
            (Value::Str(s), BinOp::Mod, args) => {
                return Ok(Value::str(self.percent_format(s, args)?));
            }
            (
                Value::Set(x),
                BinOp::BitOr | BinOp::BitAnd | BinOp::Sub | BinOp::BitXor,
                Value::Set(y),
            ) => {
                let (x, y) = (x.borrow(), y.borrow());
                let mut out = Dict::new();
                match op {
                    BinOp::BitOr => {
                        for k in x.keys.iter().chain(y.keys.iter()) {
                            out.insert(k.clone(), Value::None);
                        }
                    }
                    BinOp::BitAnd => {
                        for k in x.keys.iter().filter(|k| y.contains(k) == Some(true)) {
                            out.insert(k.clone(), Value::None);
                        }
                    }
                    BinOp::Sub => {
                        for k in x.keys.iter().filter(|k| y.contains(k) != Some(true)) {
                            out.insert(k.clone(), Value::None);
                        }
                    }
                    _ => {
                        for k in x.keys.iter().filter(|k| y.contains(k) != Some(true)) {
                            out.insert(k.clone(), Value::None);
                        }
                        for k in y.keys.iter().filter(|k| x.contains(k) != Some(true)) {
                            out.insert(k.clone(), Value::None);
                        }
                    }
                }
                return Ok(Value::Set(Rc::new(RefCell::new(out))));
            }
            (Value::Dict(x), BinOp::BitOr, Value::Dict(y)) => {
                let mut d = x.borrow().clone();
                for (k, v) in y.borrow().items() {
                    d.insert(k.clone(), v.clone());
                }
                return Ok(Value::dict(d));
            }
            _ => {}
        }
        if let Some(v) = super::modules::date_binop(self, &a, op, &b)? {
            return Ok(v);
        }
        if let Value::Instance(i) = &a
            && let Some(m) = i.class.lookup(dunder(op))
        {
            return self.call(&m, vec![a.clone(), b], Vec::new());
        }
        Err(self.unsupported(&a, op, &b))
    }

    fn unsupported(&self, a: &Value, op: BinOp, b: &Value) -> Flow {
        if op == BinOp::Add && matches!(a, Value::Str(_)) {
            return self.type_error(format!(
                "can only concatenate str (not \"{}\") to str",
                b.type_name()
            ));
        }
        if op == BinOp::Add && matches!(a, Value::List(_)) {
            return self.type_error(format!(
                "can only concatenate list (not \"{}\") to list",
                b.type_name()
            ));
        }
        let sym = if op == BinOp::Pow {
            "** or pow()".to_string()
        } else {
            op.symbol().to_string()
        };
        self.type_error(format!(
            "unsupported operand type(s) for {sym}: '{}' and '{}'",
            a.type_name(),
            b.type_name()
        ))
    }

    pub fn eq(&mut self, a: &Value, b: &Value) -> R<bool> {
        Ok(match (a, b) {
            (Value::None, Value::None) => true,
            (Value::Str(x), Value::Str(y)) => x == y,
            (Value::Bytes(x), Value::Bytes(y)) => x == y,
            (Value::List(x), Value::List(y)) => {
                if Rc::ptr_eq(x, y) {
                    return Ok(true);
                }
                let (x, y) = (x.borrow().clone(), y.borrow().clone());
                self.seq_eq(&x, &y)?
            }
            (Value::Tuple(x), Value::Tuple(y)) => self.seq_eq(x, y)?,
            (Value::Dict(x), Value::Dict(y)) => {
                let (x, y) = (x.borrow().clone(), y.borrow().clone());
                if x.len() != y.len() {
                    return Ok(false);
                }
                for (k, v) in x.items() {
                    match y.get(k).flatten() {
                        Some(w) => {
                            if !self.eq(v, w)? {
                                return Ok(false);
                            }
                        }
                        None => return Ok(false),
                    }
                }
                true
            }
            (Value::Set(x), Value::Set(y)) => {
                let (x, y) = (x.borrow(), y.borrow());
                x.len() == y.len() && x.keys.iter().all(|k| y.contains(k) == Some(true))
            }
            (Value::Range(a1, b1, c1), Value::Range(a2, b2, c2)) => (a1, b1, c1) == (a2, b2, c2),
            (Value::Instance(i), _) => {
                if let Some(m) = i.class.lookup("__eq__") {
                    let r = self.call(&m, vec![a.clone(), b.clone()], Vec::new())?;
                    return Ok(r.truthy());
                }
                a.is(b)
            }
            (Value::Object(x), Value::Object(y)) => match (&x.kind, &y.kind) {
                (ObjKind::DateTime(p), ObjKind::DateTime(q)) => p == q,
                (ObjKind::Date(p), ObjKind::Date(q)) => p == q,
                (ObjKind::TimeDelta(p), ObjKind::TimeDelta(q)) => p == q,
                _ => Rc::ptr_eq(x, y),
            },
            _ => match (num(a), num(b)) {
                (Some(x), Some(y)) => x == y,
                _ => a.is(b),
            },
        })
    }

    fn seq_eq(&mut self, x: &[Value], y: &[Value]) -> R<bool> {
        if x.len() != y.len() {
            return Ok(false);
        }
        for (p, q) in x.iter().zip(y.iter()) {
            if !self.eq(p, q)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Orders two values; TypeError for types that do not order.
    pub fn cmp(&mut self, a: &Value, b: &Value, op: &str) -> R<std::cmp::Ordering> {
        use std::cmp::Ordering;
        if let (Some(x), Some(y)) = (int(a), int(b)) {
            return Ok(x.cmp(&y));
        }
        if let (Some(x), Some(y)) = (num(a), num(b)) {
            return Ok(x.partial_cmp(&y).unwrap_or(Ordering::Equal));
        }
        match (a, b) {
            (Value::Str(x), Value::Str(y)) => return Ok(x.cmp(y)),
            (Value::List(x), Value::List(y)) => {
                let (x, y) = (x.borrow().clone(), y.borrow().clone());
                return self.seq_cmp(&x, &y, op);
            }
            (Value::Tuple(x), Value::Tuple(y)) => {
                let (x, y) = (x.clone(), y.clone());
                return self.seq_cmp(&x, &y, op);
            }
            (Value::Object(x), Value::Object(y)) => match (&x.kind, &y.kind) {
                (ObjKind::DateTime(p), ObjKind::DateTime(q)) => return Ok(p.cmp(q)),
                (ObjKind::Date(p), ObjKind::Date(q)) => return Ok(p.cmp(q)),
                (ObjKind::TimeDelta(p), ObjKind::TimeDelta(q)) => {
                    return Ok(p.partial_cmp(q).unwrap_or(Ordering::Equal));
                }
                _ => {}
            },
            (Value::Instance(i), _) => {
                if let Some(m) = i.class.lookup("__lt__") {
                    if self
                        .call(&m, vec![a.clone(), b.clone()], Vec::new())?
                        .truthy()
                    {
                        return Ok(Ordering::Less);
                    }
                    if let Some(m) = i.class.lookup("__eq__")
                        && self
                            .call(&m, vec![a.clone(), b.clone()], Vec::new())?
                            .truthy()
                    {
                        return Ok(Ordering::Equal);
                    }
                    return Ok(Ordering::Greater);
                }
            }
            _ => {}
        }
        Err(self.type_error(format!(
            "'{op}' not supported between instances of '{}' and '{}'",
            a.type_name(),
            b.type_name()
        )))
    }

    fn seq_cmp(&mut self, x: &[Value], y: &[Value], op: &str) -> R<std::cmp::Ordering> {
        for (p, q) in x.iter().zip(y.iter()) {
            if !self.eq(p, q)? {
                return self.cmp(p, q, op);
            }
        }
        Ok(x.len().cmp(&y.len()))
    }

    pub fn contains(&mut self, container: &Value, item: &Value) -> R<bool> {
        match container {
            Value::Str(s) => match item {
                Value::Str(i) => Ok(s.contains(&**i)),
                _ => Err(self.type_error(format!(
                    "'in <string>' requires string as left operand, not {}",
                    item.type_name()
                ))),
            },
            Value::Dict(d) | Value::Set(d) => {
                let r = d.borrow().contains(item);
                r.ok_or_else(|| self.unhashable(item))
            }
            Value::Range(a, b, s) => Ok(match int(item) {
                Some(i) => {
                    if *s > 0 {
                        i >= *a && i < *b && (i - a) % s == 0
                    } else {
                        i <= *a && i > *b && (a - i) % (-s) == 0
                    }
                }
                None => false,
            }),
            Value::Object(o) if matches!(o.kind, ObjKind::MultiDict(..)) => {
                if let ObjKind::MultiDict(items, ci) = &o.kind {
                    let k = self.to_str(item);
                    Ok(items.iter().any(|(n, _)| {
                        if *ci {
                            n.eq_ignore_ascii_case(&k)
                        } else {
                            *n == k
                        }
                    }))
                } else {
                    Ok(false)
                }
            }
            Value::Instance(i) if i.class.lookup("__contains__").is_some() => {
                let m = i.class.lookup("__contains__").unwrap_or(Value::None);
                Ok(self
                    .call(&m, vec![container.clone(), item.clone()], Vec::new())?
                    .truthy())
            }
            _ => {
                let items = self.iterate(container)?;
                for i in &items {
                    if self.eq(i, item)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
        }
    }

    pub fn compare(&mut self, a: &Value, op: CmpOp, b: &Value) -> R<bool> {
        use std::cmp::Ordering::*;
        Ok(match op {
            CmpOp::Eq => self.eq(a, b)?,
            CmpOp::Ne => !self.eq(a, b)?,
            CmpOp::Lt => self.cmp(a, b, "<")? == Less,
            CmpOp::Le => self.cmp(a, b, "<=")? != Greater,
            CmpOp::Gt => self.cmp(a, b, ">")? == Greater,
            CmpOp::Ge => self.cmp(a, b, ">=")? != Less,
            CmpOp::In => self.contains(b, a)?,
            CmpOp::NotIn => !self.contains(b, a)?,
            CmpOp::Is => a.is(b),
            CmpOp::IsNot => !a.is(b),
        })
    }

    // ---- items ----

    fn index_of(&self, len: usize, i: &Value, what: &str) -> R<usize> {
        let Some(i) = int(i) else {
            return Err(self.type_error(format!(
                "{what} indices must be integers or slices, not {}",
                i.type_name()
            )));
        };
        let n = len as i64;
        let j = if i < 0 { i + n } else { i };
        if j < 0 || j >= n {
            return Err(self.exc("IndexError", format!("{what} index out of range")));
        }
        Ok(j as usize)
    }

    fn slice_indices(&self, len: usize, s: &(Value, Value, Value)) -> R<Vec<usize>> {
        let n = len as i64;
        let step = match &s.2 {
            Value::None => 1,
            v => int(v).ok_or_else(|| {
                self.type_error(
                    "slice indices must be integers or None or have an __index__ method",
                )
            })?,
        };
        if step == 0 {
            return Err(self.exc("ValueError", "slice step cannot be zero"));
        }
        let clamp = |v: &Value, default: i64| -> R<i64> {
            match v {
                Value::None => Ok(default),
                v => {
                    let i = int(v).ok_or_else(|| {
                        self.type_error(
                            "slice indices must be integers or None or have an __index__ method",
                        )
                    })?;
                    let i = if i < 0 { i + n } else { i };
                    Ok(if step > 0 {
                        i.clamp(0, n)
                    } else {
                        i.clamp(-1, n - 1)
                    })
                }
            }
        };
        let (start, stop) = if step > 0 {
            (clamp(&s.0, 0)?, clamp(&s.1, n)?)
        } else {
            (clamp(&s.0, n - 1)?, clamp(&s.1, -1)?)
        };
        let mut out = Vec::new();
        let mut i = start;
        while (step > 0 && i < stop) || (step < 0 && i > stop) {
            out.push(i as usize);
            i += step;
        }
        Ok(out)
    }

    pub fn getitem(&mut self, o: &Value, i: &Value) -> R<Value> {
        match o {
            Value::List(l) => {
                let l = l.borrow();
                if let Value::Slice(s) = i {
                    let idx = self.slice_indices(l.len(), s)?;
                    return Ok(Value::list(idx.into_iter().map(|j| l[j].clone()).collect()));
                }
                let j = self.index_of(l.len(), i, "list")?;
                Ok(l[j].clone())
            }
            Value::Tuple(t) => {
                if let Value::Slice(s) = i {
                    let idx = self.slice_indices(t.len(), s)?;
                    return Ok(Value::tuple(
                        idx.into_iter().map(|j| t[j].clone()).collect(),
                    ));
                }
                let j = self.index_of(t.len(), i, "tuple")?;
                Ok(t[j].clone())
            }
            Value::Str(s) => {
                let chars: Vec<char> = s.chars().collect();
                if let Value::Slice(sl) = i {
                    let idx = self.slice_indices(chars.len(), sl)?;
                    return Ok(Value::str(
                        idx.into_iter().map(|j| chars[j]).collect::<String>(),
                    ));
                }
                let j = self.index_of(chars.len(), i, "string")?;
                Ok(Value::str(chars[j].to_string()))
            }
            Value::Bytes(b) => {
                if let Value::Slice(sl) = i {
                    let idx = self.slice_indices(b.len(), sl)?;
                    return Ok(Value::Bytes(Rc::new(
                        idx.into_iter().map(|j| b[j]).collect(),
                    )));
                }
                let j = self.index_of(b.len(), i, "index")?;
                Ok(Value::Int(b[j] as i64))
            }
            Value::Range(a, b, s) => {
                let n = range_len(*a, *b, *s) as usize;
                let j = self.index_of(n, i, "range object")?;
                Ok(Value::Int(a + j as i64 * s))
            }
            Value::Dict(d) => {
                let r = d.borrow().get(i).map(|v| v.cloned());
                match r {
                    None => Err(self.unhashable(i)),
                    Some(Some(v)) => Ok(v),
                    Some(None) => Err(self.exc_args("KeyError", vec![i.clone()])),
                }
            }
            Value::Object(ob) => match &ob.kind {
                ObjKind::MultiDict(items, ci) => {
                    let k = self.to_str(i);
                    match items.iter().find(|(n, _)| {
                        if *ci {
                            n.eq_ignore_ascii_case(&k)
                        } else {
                            *n == k
                        }
                    }) {
                        Some((_, v)) => Ok(Value::str(v.as_str())),
                        None => Err(super::flask::bad_request_key(self, &k)),
                    }
                }
                _ => {
                    Err(self.type_error(format!("'{}' object is not subscriptable", o.type_name())))
                }
            },
            Value::Instance(inst) if inst.class.lookup("__getitem__").is_some() => {
                let m = inst.class.lookup("__getitem__").unwrap_or(Value::None);
                self.call(&m, vec![o.clone(), i.clone()], Vec::new())
            }
            Value::Class(c) if c.name == "list" || c.name == "dict" => Ok(o.clone()),
            Value::Builtin(b)
                if matches!(b.name.as_str(), "list" | "dict" | "tuple" | "set" | "type") =>
            {
                Ok(o.clone())
            }
            _ => Err(self.type_error(format!("'{}' object is not subscriptable", o.type_name()))),
        }
    }

    pub fn setitem(&mut self, o: &Value, i: Value, v: Value) -> R<()> {
        match o {
            Value::List(l) => {
                if let Value::Slice(s) = &i {
                    let new = self.iterate(&v)?;
                    let len = l.borrow().len();
                    let idx = self.slice_indices(len, s)?;
                    let mut l = l.borrow_mut();
                    if matches!(s.2, Value::None) {
                        let start = idx.first().copied().unwrap_or_else(|| {
                            let st = int(&s.0).unwrap_or(0);
                            let st = if st < 0 { st + len as i64 } else { st };
                            st.clamp(0, len as i64) as usize
                        });
                        let end = idx.last().map(|e| e + 1).unwrap_or(start);
                        l.splice(start..end, new);
                        return Ok(());
                    }
                    for (j, val) in idx.into_iter().zip(new) {
                        l[j] = val;
                    }
                    return Ok(());
                }
                let len = l.borrow().len();
                let j = self
                    .index_of(len, &i, "list")
                    .map_err(|_| self.exc("IndexError", "list assignment index out of range"))?;
                l.borrow_mut()[j] = v;
                Ok(())
            }
            Value::Dict(d) => {
                if !d.borrow_mut().insert(i.clone(), v) {
                    return Err(self.unhashable(&i));
                }
                Ok(())
            }
            Value::Instance(inst) if inst.class.lookup("__setitem__").is_some() => {
                let m = inst.class.lookup("__setitem__").unwrap_or(Value::None);
                self.call(&m, vec![o.clone(), i, v], Vec::new())?;
                Ok(())
            }
            _ => Err(self.type_error(format!(
                "'{}' object does not support item assignment",
                o.type_name()
            ))),
        }
    }

    pub fn delitem(&mut self, o: &Value, i: &Value) -> R<()> {
        match o {
            Value::List(l) => {
                let len = l.borrow().len();
                if let Value::Slice(s) = i {
                    let idx = self.slice_indices(len, s)?;
                    let mut l = l.borrow_mut();
                    for j in idx.into_iter().rev() {
                        l.remove(j);
                    }
                    return Ok(());
                }
                let j = self
                    .index_of(len, i, "list")
                    .map_err(|_| self.exc("IndexError", "list assignment index out of range"))?;
                l.borrow_mut().remove(j);
                Ok(())
            }
            Value::Dict(d) => {
                if d.borrow_mut().remove(i).is_none() {
                    return Err(self.exc_args("KeyError", vec![i.clone()]));
                }
                Ok(())
            }
            _ => Err(self.type_error(format!(
                "'{}' object does not support item deletion",
                o.type_name()
            ))),
        }
    }

    // ---- attributes ----

    pub fn getattr(&mut self, o: &Value, name: &str) -> R<Value> {
        match o {
            Value::Instance(inst) => {
                if let Some(v) = inst.dict.borrow().get(name) {
                    return Ok(v.clone());
                }
                if let Some(v) = inst.class.lookup(name) {
                    return self.bind(o, v);
                }
                if name == "__class__" {
                    return Ok(Value::Class(inst.class.clone()));
                }
                if name == "__dict__" {
                    let mut d = Dict::new();
                    for (k, v) in inst.dict.borrow().iter() {
                        d.set_str(k, v.clone());
                    }
                    return Ok(Value::dict(d));
                }
                if self.is_exception_class(&inst.class) {
                    if name == "args" {
                        return Ok(Value::tuple(Vec::new()));
                    }
                    if name == "code" && inst.class.name == "SystemExit" {
                        let args = inst.dict.borrow().get("args").cloned();
                        if let Some(Value::Tuple(t)) = args {
                            return Ok(t.first().cloned().unwrap_or(Value::None));
                        }
                    }
                }
                Err(self.exc(
                    "AttributeError",
                    format!("'{}' object has no attribute '{name}'", inst.class.name),
                ))
            }
            Value::Class(c) => {
                if let Some(v) = c.lookup(name) {
                    if let Value::Object(ob) = &v
                        && let ObjKind::ClassMethod(f) = &ob.kind
                    {
                        return Ok(Value::Bound(Rc::new((o.clone(), f.clone()))));
                    }
                    if let Value::Object(ob) = &v
                        && let ObjKind::StaticMethod(f) = &ob.kind
                    {
                        return Ok(f.clone());
                    }
                    return Ok(v);
                }
                match name {
                    "__name__" | "__qualname__" => Ok(Value::str(c.name.as_str())),
                    "__module__" => Ok(Value::str(c.module.as_str())),
                    _ => Err(self.exc(
                        "AttributeError",
                        format!("type object '{}' has no attribute '{name}'", c.name),
                    )),
                }
            }
            Value::Module(m) => {
                if m.opaque && !name.starts_with("__") {
                    return Err(Flow::Limit(format!(
                        "this lab's python does not simulate the API of the '{}' package (it is installed: import works, but '{}.{}' cannot run here)",
                        m.name, m.name, name
                    )));
                }
                if let Some(v) = m.dict.borrow().get(name) {
                    return Ok(v.clone());
                }
                if let Some(v) = self.modules.get(&format!("{}.{name}", m.name)) {
                    return Ok(v.clone());
                }
                Err(self.exc(
                    "AttributeError",
                    format!("module '{}' has no attribute '{name}'", m.name),
                ))
            }
            Value::Func(f) => match name {
                "__name__" => Ok(Value::str(f.name.as_str())),
                "__qualname__" => Ok(Value::str(f.qualname.as_str())),
                "__doc__" => Ok(Value::None),
                "__module__" => Ok(f
                    .globals
                    .borrow()
                    .get("__name__")
                    .cloned()
                    .unwrap_or(Value::None)),
                _ => f.attrs.borrow().get(name).cloned().ok_or_else(|| {
                    self.exc(
                        "AttributeError",
                        format!("'function' object has no attribute '{name}'"),
                    )
                }),
            },
            Value::Builtin(b) if name == "__name__" => Ok(Value::str(b.name.as_str())),
            Value::Object(ob) => {
                if let Some(v) = ob.attrs.borrow().get(name) {
                    return Ok(v.clone());
                }
                if let ObjKind::Super(class, this) = &ob.kind {
                    for base in &class.bases {
                        if let Some(v) = base.lookup(name) {
                            return self.bind(this, v);
                        }
                    }
                    if name == "__init__" {
                        return Ok(super::builtins::native(
                            "__init__",
                            |_, _, _, _, _| Ok(Value::None),
                            None,
                        ));
                    }
                    return Err(self.exc(
                        "AttributeError",
                        format!("'super' object has no attribute '{name}'"),
                    ));
                }
                super::modules::object_attr(self, o, name)
            }
            _ => super::builtins::method(self, o, name),
        }
    }

    /// A class attribute seen through an instance: functions become bound methods.
    fn bind(&mut self, this: &Value, v: Value) -> R<Value> {
        match &v {
            Value::Func(_) => Ok(Value::Bound(Rc::new((this.clone(), v)))),
            Value::Object(ob) => match &ob.kind {
                ObjKind::Property(getter) => {
                    let g = getter.clone();
                    self.call(&g, vec![this.clone()], Vec::new())
                }
                ObjKind::StaticMethod(f) => Ok(f.clone()),
                ObjKind::ClassMethod(f) => {
                    let cls = match this {
                        Value::Instance(i) => Value::Class(i.class.clone()),
                        other => other.clone(),
                    };
                    Ok(Value::Bound(Rc::new((cls, f.clone()))))
                }
                _ => Ok(v),
            },
            _ => Ok(v),
        }
    }

    pub fn setattr(&mut self, o: &Value, name: &str, v: Value) -> R<()> {
        match o {
            Value::Instance(inst) => {
                inst.dict.borrow_mut().insert(name.to_string(), v);
                Ok(())
            }
            Value::Class(c) => {
                c.dict.borrow_mut().insert(name.to_string(), v);
                Ok(())
            }
            Value::Module(m) => {
                m.dict.borrow_mut().insert(name.to_string(), v);
                Ok(())
            }
            Value::Func(f) => {
                f.attrs.borrow_mut().insert(name.to_string(), v);
                Ok(())
            }
            Value::Object(ob) => super::modules::set_object_attr(self, ob, name, v),
            _ => Err(self.exc(
                "AttributeError",
                format!(
                    "'{}' object has no attribute '{name}' and no __dict__ for setting new attributes",
                    o.type_name()
                ),
            )),
        }
    }

    // ---- text ----

    /// `str(v)` for values whose str cannot fail (no user __str__).
    pub fn to_str(&self, v: &Value) -> String {
        match v {
            Value::Str(s) => s.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => float_repr(*f),
            Value::Bool(b) => if *b { "True" } else { "False" }.into(),
            Value::None => "None".into(),
            other => simple_repr(other),
        }
    }

    pub fn str_of(&mut self, v: &Value) -> R<String> {
        match v {
            Value::Str(s) => Ok(s.to_string()),
            Value::Instance(inst) => {
                if let Some(m) = inst.class.lookup("__str__") {
                    let r = self.call(&m, vec![v.clone()], Vec::new())?;
                    return Ok(self.to_str(&r));
                }
                if self.is_exception_class(&inst.class) {
                    let args = inst.dict.borrow().get("args").cloned();
                    return Ok(match args {
                        Some(Value::Tuple(t)) if t.len() == 1 => {
                            if inst.class.name == "KeyError" {
                                self.repr(&t[0])?
                            } else {
                                self.str_of(&t[0])?
                            }
                        }
                        Some(Value::Tuple(t)) if t.is_empty() => String::new(),
                        Some(a) => self.repr(&a)?,
                        None => String::new(),
                    });
                }
                self.repr(v)
            }
            Value::Object(o) => match &o.kind {
                ObjKind::DateTime(d) => Ok(d
                    .format("%Y-%m-%d %H:%M:%S%.6f")
                    .to_string()
                    .trim_end_matches(".000000")
                    .to_string()),
                ObjKind::Date(d) => Ok(d.format("%Y-%m-%d").to_string()),
                ObjKind::TimeDelta(s) => Ok(super::modules::timedelta_str(*s)),
                _ => self.repr(v),
            },
            _ => self.repr(v),
        }
    }

    pub fn repr(&mut self, v: &Value) -> R<String> {
        self.check()?;
        Ok(match v {
            Value::Str(s) => str_repr(s),
            Value::List(l) => {
                let items = l.borrow().clone();
                let parts = items.iter().map(|i| self.repr(i)).collect::<R<Vec<_>>>()?;
                format!("[{}]", parts.join(", "))
            }
            Value::Tuple(t) => {
                let parts = t.iter().map(|i| self.repr(i)).collect::<R<Vec<_>>>()?;
                if parts.len() == 1 {
                    format!("({},)", parts[0])
                } else {
                    format!("({})", parts.join(", "))
                }
            }
            Value::Dict(d) => {
                let d = d.borrow().clone();
                let mut parts = Vec::new();
                for (k, v) in d.items() {
                    parts.push(format!("{}: {}", self.repr(k)?, self.repr(v)?));
                }
                format!("{{{}}}", parts.join(", "))
            }
            Value::Set(d) => {
                let keys = d.borrow().keys.clone();
                if keys.is_empty() {
                    return Ok("set()".into());
                }
                let parts = keys.iter().map(|i| self.repr(i)).collect::<R<Vec<_>>>()?;
                format!("{{{}}}", parts.join(", "))
            }
            Value::Instance(inst) => {
                if let Some(m) = inst.class.lookup("__repr__") {
                    let r = self.call(&m, vec![v.clone()], Vec::new())?;
                    return Ok(self.to_str(&r));
                }
                if self.is_exception_class(&inst.class) {
                    let args = inst.dict.borrow().get("args").cloned();
                    let inner = match args {
                        Some(Value::Tuple(t)) => {
                            let parts = t.iter().map(|i| self.repr(i)).collect::<R<Vec<_>>>()?;
                            parts.join(", ")
                        }
                        _ => String::new(),
                    };
                    return Ok(format!("{}({inner})", inst.class.name));
                }
                format!(
                    "<{}.{} object at {:#x}>",
                    inst.class.module,
                    inst.class.name,
                    v.address()
                )
            }
            Value::Object(o) => match &o.kind {
                ObjKind::DateTime(d) => super::modules::datetime_repr(d),
                ObjKind::Date(d) => format!(
                    "datetime.date({}, {}, {})",
                    d.format("%Y"),
                    d.format("%-m"),
                    d.format("%-d")
                ),
                ObjKind::MultiDict(items, _) => {
                    let parts: Vec<String> = items
                        .iter()
                        .map(|(k, v)| format!("({}, {})", str_repr(k), str_repr(v)))
                        .collect();
                    format!("ImmutableMultiDict([{}])", parts.join(", "))
                }
                _ => simple_repr(v),
            },
            other => simple_repr(other),
        })
    }

    /// `format(v, spec)`: the format mini-language for numbers and strings.
    pub fn format_value(&mut self, v: &Value, spec: &str) -> R<String> {
        if spec.is_empty() {
            return self.str_of(v);
        }
        if let Value::Object(o) = v
            && let ObjKind::DateTime(d) = &o.kind
        {
            return Ok(super::modules::strftime(d, spec));
        }
        let p = parse_spec(spec).ok_or_else(|| {
            self.exc(
                "ValueError",
                format!(
                    "Invalid format specifier '{spec}' for object of type '{}'",
                    v.type_name()
                ),
            )
        })?;
        let body = match (v, p.ty) {
            (Value::Int(_) | Value::Bool(_), None | Some('d' | 'n')) => {
                let i = int(v).unwrap_or(0);
                group(&i.unsigned_abs().to_string(), p.grouping).pipe(|s| sign(i < 0, p.sign, s))
            }
            (Value::Int(_) | Value::Bool(_), Some('x' | 'X' | 'o' | 'b')) => {
                let i = int(v).unwrap_or(0);
                let a = i.unsigned_abs();
                let digits = match p.ty {
                    Some('x') => format!("{a:x}"),
                    Some('X') => format!("{a:X}"),
                    Some('o') => format!("{a:o}"),
                    _ => format!("{a:b}"),
                };
                let prefix = if p.alt {
                    match p.ty {
                        Some('x') => "0x",
                        Some('X') => "0X",
                        Some('o') => "0o",
                        _ => "0b",
                    }
                } else {
                    ""
                };
                sign(i < 0, p.sign, format!("{prefix}{digits}"))
            }
            (
                Value::Int(_) | Value::Bool(_) | Value::Float(_),
                Some('f' | 'F' | 'e' | 'E' | 'g' | 'G' | '%'),
            )
            | (Value::Float(_), None) => {
                let f = num(v).unwrap_or(0.0);
                let prec = p.precision.unwrap_or(6);
                let s = match p.ty {
                    Some('f' | 'F') => format!("{:.*}", prec, f.abs()),
                    Some('%') => format!("{:.*}%", prec, f.abs() * 100.0),
                    Some('e' | 'E') => {
                        let s = format!("{:.*e}", prec, f.abs());
                        let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
                        let e: i32 = e.parse().unwrap_or(0);
                        let s = format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs());
                        if p.ty == Some('E') {
                            s.to_uppercase()
                        } else {
                            s
                        }
                    }
                    None if p.precision.is_none() => float_repr(f.abs()),
                    _ => {
                        // 'g': significant digits, trailing zeros dropped.
                        let prec = p.precision.unwrap_or(6).max(1);
                        let exp = if f == 0.0 {
                            0
                        } else {
                            f.abs().log10().floor() as i32
                        };
                        if exp < -4 || exp >= prec as i32 {
                            let s = format!("{:.*e}", prec - 1, f.abs());
                            let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
                            let m = if m.contains('.') {
                                m.trim_end_matches('0').trim_end_matches('.')
                            } else {
                                m
                            };
                            let e: i32 = e.parse().unwrap_or(0);
                            format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs())
                        } else {
                            let decimals = (prec as i32 - 1 - exp).max(0) as usize;
                            let s = format!("{:.*}", decimals, f.abs());
                            if s.contains('.') {
                                s.trim_end_matches('0').trim_end_matches('.').to_string()
                            } else {
                                s
                            }
                        }
                    }
                };
                let s = if p.grouping.is_some() {
                    let (i, rest) = s
                        .split_once('.')
                        .map(|(a, b)| (a.to_string(), format!(".{b}")))
                        .unwrap_or((s.clone(), String::new()));
                    format!("{}{rest}", group(&i, p.grouping))
                } else {
                    s
                };
                sign(f.is_sign_negative() && f != 0.0, p.sign, s)
            }
            (Value::Str(s), None | Some('s')) => {
                let s = s.to_string();
                match p.precision {
                    Some(n) => s.chars().take(n).collect(),
                    None => s,
                }
            }
            (_, None)
                if matches!(
                    v,
                    Value::None
                        | Value::List(_)
                        | Value::Dict(_)
                        | Value::Tuple(_)
                        | Value::Instance(_)
                ) =>
            {
                if matches!(v, Value::Instance(_)) {
                    self.str_of(v)?
                } else {
                    return Err(self.type_error(format!(
                        "unsupported format string passed to {}.__format__",
                        v.type_name()
                    )));
                }
            }
            _ => {
                return Err(self.exc(
                    "ValueError",
                    format!(
                        "Unknown format code '{}' for object of type '{}'",
                        p.ty.unwrap_or('?'),
                        v.type_name()
                    ),
                ));
            }
        };
        let numeric = matches!(v, Value::Int(_) | Value::Float(_) | Value::Bool(_));
        Ok(pad(&body, &p, numeric))
    }

    /// `"%s and %d" % args`.
    pub fn percent_format(&mut self, fmt: &str, args: &Value) -> R<String> {
        let items: Vec<Value> = match args {
            Value::Tuple(t) => t.to_vec(),
            other => vec![other.clone()],
        };
        let mut out = String::new();
        let chars: Vec<char> = fmt.chars().collect();
        let mut i = 0;
        let mut next = 0;
        while i < chars.len() {
            if chars[i] != '%' {
                out.push(chars[i]);
                i += 1;
                continue;
            }
            i += 1;
            let mut key: Option<String> = None;
            if chars.get(i) == Some(&'(') {
                let start = i + 1;
                while i < chars.len() && chars[i] != ')' {
                    i += 1;
                }
                key = Some(chars[start..i.min(chars.len())].iter().collect());
                i += 1;
            }
            let start = i;
            while i < chars.len() && "-+ #0123456789.".contains(chars[i]) {
                i += 1;
            }
            let flags: String = chars[start..i.min(chars.len())].iter().collect();
            let Some(&conv) = chars.get(i) else {
                return Err(self.exc("ValueError", "incomplete format"));
            };
            i += 1;
            if conv == '%' {
                out.push('%');
                continue;
            }
            let arg =
                match &key {
                    Some(k) => match args {
                        Value::Dict(d) => d.borrow().get_str(k).cloned().ok_or_else(|| {
                            self.exc_args("KeyError", vec![Value::str(k.as_str())])
                        })?,
                        _ => return Err(self.type_error("format requires a mapping")),
                    },
                    None => {
                        let a = items.get(next).cloned().ok_or_else(|| {
                            self.type_error("not enough arguments for format string")
                        })?;
                        next += 1;
                        a
                    }
                };
            let (align_left, zero, width, prec) = {
                let left = flags.contains('-');
                let zero = flags.starts_with('0') || flags.contains("+0") || flags.contains("-0");
                let (w, p) = match flags
                    .trim_start_matches(['-', '+', ' ', '#', '0'])
                    .split_once('.')
                {
                    Some((w, p)) => (w.parse::<usize>().ok(), p.parse::<usize>().ok().or(Some(0))),
                    None => (
                        flags
                            .trim_start_matches(['-', '+', ' ', '#', '0'])
                            .parse::<usize>()
                            .ok(),
                        None,
                    ),
                };
                (left, zero, w, p)
            };
            let body = match conv {
                's' => self.str_of(&arg)?,
                'r' => self.repr(&arg)?,
                'd' | 'i' | 'u' => match &arg {
                    Value::Float(f) => format!("{}", f.trunc() as i64),
                    a if int(a).is_some() => int(a).unwrap_or(0).to_string(),
                    a => {
                        return Err(self.type_error(format!(
                            "%{conv} format: a real number is required, not {}",
                            a.type_name()
                        )));
                    }
                },
                'f' | 'F' | 'e' | 'g' => {
                    let f = num(&arg).ok_or_else(|| {
                        self.type_error(format!("must be real number, not {}", arg.type_name()))
                    })?;
                    let spec = format!(".{}{}", prec.unwrap_or(6), conv);
                    self.format_value(&Value::Float(f), &spec)?
                }
                'x' => format!("{:x}", int(&arg).unwrap_or(0)),
                'X' => format!("{:X}", int(&arg).unwrap_or(0)),
                'c' => self.str_of(&arg)?,
                other => {
                    return Err(self.exc(
                        "ValueError",
                        format!(
                            "unsupported format character '{other}' (0x{:x}) at index {}",
                            other as u32,
                            i - 1
                        ),
                    ));
                }
            };
            let body = if flags.contains('+') && !body.starts_with('-') && "dif".contains(conv) {
                format!("+{body}")
            } else {
                body
            };
            let w = width.unwrap_or(0);
            let n = body.chars().count();
            if n < w {
                if align_left {
                    out.push_str(&body);
                    out.push_str(&" ".repeat(w - n));
                } else if zero && "difFeg".contains(conv) {
                    let (s, digits) = body
                        .strip_prefix('-')
                        .map(|d| ("-", d))
                        .unwrap_or(("", &body));
                    out.push_str(s);
                    out.push_str(&"0".repeat(w - n));
                    out.push_str(digits);
                } else {
                    out.push_str(&" ".repeat(w - n));
                    out.push_str(&body);
                }
            } else {
                out.push_str(&body);
            }
        }
        if next < items.len() && key_free(fmt) && !matches!(args, Value::Dict(_)) {
            return Err(self.type_error("not all arguments converted during string formatting"));
        }
        Ok(out)
    }
}

fn key_free(fmt: &str) -> bool {
    !fmt.contains("%(")
}

trait Pipe: Sized {
    fn pipe<T>(self, f: impl FnOnce(Self) -> T) -> T {
        f(self)
    }
}
impl Pipe for String {}

fn sign(neg: bool, mode: Option<char>, s: String) -> String {
    if neg {
        format!("-{s}")
    } else {
        match mode {
            Some('+') => format!("+{s}"),
            Some(' ') => format!(" {s}"),
            _ => s,
        }
    }
}

fn group(digits: &str, sep: Option<char>) -> String {
    let Some(sep) = sep else {
        return digits.to_string();
    };
    let chars: Vec<char> = digits.chars().collect();
    let mut out = String::new();
    for (i, c) in chars.iter().enumerate() {
        if i > 0 && (chars.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(*c);
    }
    out
}

pub struct Spec {
    pub fill: char,
    pub align: Option<char>,
    pub sign: Option<char>,
    pub alt: bool,
    pub zero: bool,
    pub width: usize,
    pub grouping: Option<char>,
    pub precision: Option<usize>,
    pub ty: Option<char>,
}

pub fn parse_spec(spec: &str) -> Option<Spec> {
    let c: Vec<char> = spec.chars().collect();
    let mut i = 0;
    let mut p = Spec {
        fill: ' ',
        align: None,
        sign: None,
        alt: false,
        zero: false,
        width: 0,
        grouping: None,
        precision: None,
        ty: None,
    };
    if c.len() >= 2 && "<>^=".contains(c[1]) {
        p.fill = c[0];
        p.align = Some(c[1]);
        i = 2;
    } else if !c.is_empty() && "<>^=".contains(c[0]) {
        p.align = Some(c[0]);
        i = 1;
    }
    if i < c.len() && "+- ".contains(c[i]) {
        p.sign = Some(c[i]);
        i += 1;
    }
    if i < c.len() && c[i] == '#' {
        p.alt = true;
        i += 1;
    }
    if i < c.len() && c[i] == '0' {
        p.zero = true;
        i += 1;
    }
    let s = i;
    while i < c.len() && c[i].is_ascii_digit() {
        i += 1;
    }
    if i > s {
        p.width = c[s..i].iter().collect::<String>().parse().ok()?;
    }
    if i < c.len() && (c[i] == ',' || c[i] == '_') {
        p.grouping = Some(c[i]);
        i += 1;
    }
    if i < c.len() && c[i] == '.' {
        i += 1;
        let s = i;
        while i < c.len() && c[i].is_ascii_digit() {
            i += 1;
        }
        p.precision = Some(c[s..i].iter().collect::<String>().parse().ok()?);
    }
    if i < c.len() {
        p.ty = Some(c[i]);
        i += 1;
    }
    (i == c.len()).then_some(p)
}

fn pad(body: &str, p: &Spec, numeric: bool) -> String {
    let n = body.chars().count();
    if n >= p.width {
        return body.to_string();
    }
    let fill_n = p.width - n;
    let (fill, align) = if p.zero && p.align.is_none() {
        ('0', '=')
    } else {
        (p.fill, p.align.unwrap_or(if numeric { '>' } else { '<' }))
    };
    let f = |k: usize| fill.to_string().repeat(k);
    match align {
        '<' => format!("{body}{}", f(fill_n)),
        '^' => format!("{}{body}{}", f(fill_n / 2), f(fill_n - fill_n / 2)),
        '=' => {
            let (s, rest) = if body.starts_with(['-', '+', ' ']) {
                body.split_at(1)
            } else {
                ("", body)
            };
            format!("{s}{}{rest}", f(fill_n))
        }
        _ => format!("{}{body}", f(fill_n)),
    }
}

/// The repr of values whose repr needs no interpreter.
pub fn simple_repr(v: &Value) -> String {
    match v {
        Value::None => "None".into(),
        Value::Bool(b) => if *b { "True" } else { "False" }.into(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => float_repr(*f),
        Value::Str(s) => str_repr(s),
        Value::Bytes(b) => bytes_repr(b),
        Value::Range(a, b, s) => {
            if *s == 1 {
                format!("range({a}, {b})")
            } else {
                format!("range({a}, {b}, {s})")
            }
        }
        Value::Func(f) => format!("<function {} at {:#x}>", f.qualname, v.address()),
        Value::Builtin(b) => match &b.this {
            Some(this) => format!(
                "<built-in method {} of {} object at {:#x}>",
                b.name,
                this.type_name(),
                this.address()
            ),
            None => {
                if matches!(
                    b.name.as_str(),
                    "int"
                        | "str"
                        | "float"
                        | "list"
                        | "dict"
                        | "tuple"
                        | "set"
                        | "bool"
                        | "object"
                        | "type"
                        | "range"
                ) {
                    format!("<class '{}'>", b.name)
                } else {
                    format!("<built-in function {}>", b.name)
                }
            }
        },
        Value::Bound(p) => match &p.1 {
            Value::Func(f) => format!("<bound method {} of {}>", f.qualname, simple_repr(&p.0)),
            _ => "<bound method>".into(),
        },
        Value::Class(c) => {
            if c.module == "builtins" {
                format!("<class '{}'>", c.name)
            } else {
                format!("<class '{}.{}'>", c.module, c.name)
            }
        }
        Value::Instance(i) => format!(
            "<{}.{} object at {:#x}>",
            i.class.module,
            i.class.name,
            v.address()
        ),
        Value::Module(m) => {
            let file = m.dict.borrow().get("__file__").map(|f| match f {
                Value::Str(s) => s.to_string(),
                _ => String::new(),
            });
            match file {
                Some(f) => format!("<module '{}' from '{f}'>", m.name),
                None => format!("<module '{}' (built-in)>", m.name),
            }
        }
        Value::Iter(i) => format!(
            "<{} object at {:#x}>",
            i.borrow().kind,
            Rc::as_ptr(i) as *const u8 as usize | 0x7f00_0000_0000
        ),
        Value::Slice(s) => format!(
            "slice({}, {}, {})",
            simple_repr(&s.0),
            simple_repr(&s.1),
            simple_repr(&s.2)
        ),
        Value::Object(o) => match &o.kind {
            ObjKind::File(f) => {
                let f = f.borrow();
                format!(
                    "<_io.TextIOWrapper name='{}' mode='{}' encoding='UTF-8'>",
                    f.name, f.mode
                )
            }
            ObjKind::Stream(n) => match n {
                0 => "<_io.TextIOWrapper name='<stdin>' mode='r' encoding='utf-8'>".into(),
                1 => "<_io.TextIOWrapper name='<stdout>' mode='w' encoding='utf-8'>".into(),
                _ => "<_io.TextIOWrapper name='<stderr>' mode='w' encoding='utf-8'>".into(),
            },
            ObjKind::TimeDelta(s) => super::modules::timedelta_repr(*s),
            ObjKind::FlaskApp(a) => format!("<Flask '{}'>", a.borrow().name),
            ObjKind::FlaskRequest(r) => {
                format!("<Request 'http://localhost{}' [{}]>", r.target, r.method)
            }
            ObjKind::FlaskResponse(r) => {
                let r = r.borrow();
                format!(
                    "<Response {} bytes [{}]>",
                    r.body.len(),
                    super::flask::status_line(r.status)
                )
            }
            _ => format!("<{} object at {:#x}>", v.type_name(), v.address()),
        },
        other => format!("<{} object>", other.type_name()),
    }
}

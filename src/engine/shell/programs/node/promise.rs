//! Promises: settled values, `then`/`catch`/`finally` reactions run as microtasks after
//! the code that made them, and `Promise.all`.

use super::interp::{Interp, PromiseState, R, Throw};
use super::value::*;
use std::cell::RefCell;
use std::rc::Rc;

fn state_of(p: &Value) -> Option<Rc<RefCell<PromiseState>>> {
    match p {
        Value::Obj(o) => match &o.borrow().class {
            Class::Promise(s) => Some(s.clone()),
            _ => None,
        },
        _ => None,
    }
}

pub fn new_promise(it: &mut Interp) -> Value {
    let proto = match it.globals_get("Promise") {
        Some(c) => match it.get(&c, "prototype") {
            Ok(Value::Obj(p)) => Some(p),
            _ => None,
        },
        None => None,
    };
    let v = it.new_object_with(Class::Promise(Rc::new(RefCell::new(
        PromiseState::Pending(Vec::new()),
    ))));
    if let (Value::Obj(o), Some(p)) = (&v, proto) {
        o.borrow_mut().proto = Some(p);
    }
    v
}

pub fn resolved(it: &mut Interp, v: Value) -> Value {
    if state_of(&v).is_some() {
        return v;
    }
    let p = new_promise(it);
    settle(it, &p, Ok(v));
    p
}

/// The `resolve` and `reject` functions an executor is handed.
pub fn resolvers(it: &mut Interp, p: &Value) -> (Value, Value) {
    let a = p.clone();
    let b = p.clone();
    let res = it.native("resolve", move |it, _, args| {
        settle(it, &a, Ok(args.first().cloned().unwrap_or(Value::Undef)));
        Ok(Value::Undef)
    });
    let rej = it.native("reject", move |it, _, args| {
        settle(it, &b, Err(args.first().cloned().unwrap_or(Value::Undef)));
        Ok(Value::Undef)
    });
    (res, rej)
}

pub fn settle(it: &mut Interp, p: &Value, outcome: Result<Value, Value>) {
    let Some(state) = state_of(p) else { return };
    if !matches!(*state.borrow(), PromiseState::Pending(_)) {
        return;
    }
    // Adopt another promise's eventual state.
    if let Ok(v) = &outcome {
        if state_of(v).is_some() {
            let (res, rej) = resolvers(it, p);
            let _ = then(it, v, res, rej);
            return;
        }
    }
    let reactions = match std::mem::replace(
        &mut *state.borrow_mut(),
        match &outcome {
            Ok(v) => PromiseState::Fulfilled(v.clone()),
            Err(e) => PromiseState::Rejected(e.clone()),
        },
    ) {
        PromiseState::Pending(r) => r,
        _ => Vec::new(),
    };
    for (on_ok, on_err, child) in reactions {
        schedule(it, &outcome, on_ok, on_err, child);
    }
}

fn schedule(
    it: &mut Interp,
    outcome: &Result<Value, Value>,
    on_ok: Value,
    on_err: Value,
    child: Value,
) {
    let (handler, value, ok) = match outcome {
        Ok(v) => (on_ok, v.clone(), true),
        Err(e) => (on_err, e.clone(), false),
    };
    let job = it.native("", move |it, _, _| {
        if handler.is_callable() {
            match it.call(&handler, &Value::Undef, std::slice::from_ref(&value)) {
                Ok(r) => settle(it, &child, Ok(r)),
                Err(Throw::Value(e, _, _)) => settle(it, &child, Err(e)),
                Err(other) => return Err(other),
            }
        } else if ok {
            settle(it, &child, Ok(value.clone()));
        } else {
            settle(it, &child, Err(value.clone()));
        }
        Ok(Value::Undef)
    });
    it.microtasks.push((job, Vec::new()));
}

pub fn then(it: &mut Interp, p: &Value, on_ok: Value, on_err: Value) -> R<Value> {
    let child = new_promise(it);
    let Some(state) = state_of(p) else {
        return Ok(child);
    };
    let outcome = match &mut *state.borrow_mut() {
        PromiseState::Pending(list) => {
            list.push((on_ok.clone(), on_err.clone(), child.clone()));
            None
        }
        PromiseState::Fulfilled(v) => Some(Ok(v.clone())),
        PromiseState::Rejected(e) => Some(Err(e.clone())),
    };
    if let Some(o) = outcome {
        schedule(it, &o, on_ok, on_err, child.clone());
    }
    Ok(child)
}

pub fn method(it: &mut Interp, this: &Value, name: &str, args: &[Value]) -> R<Value> {
    let a = args.first().cloned().unwrap_or(Value::Undef);
    let b = args.get(1).cloned().unwrap_or(Value::Undef);
    match name {
        "then" => then(it, this, a, b),
        "catch" => then(it, this, Value::Undef, a),
        _ => {
            let f1 = a.clone();
            let ok = it.native("", move |it, _, args| {
                if f1.is_callable() {
                    it.call(&f1, &Value::Undef, &[])?;
                }
                Ok(args.first().cloned().unwrap_or(Value::Undef))
            });
            let f2 = a;
            let err = it.native("", move |it, _, args| {
                if f2.is_callable() {
                    it.call(&f2, &Value::Undef, &[])?;
                }
                let e = args.first().cloned().unwrap_or(Value::Undef);
                Err(Throw::Value(
                    e,
                    0,
                    Rc::new(super::interp::Module {
                        file: String::new(),
                        src: String::new(),
                        eval: false,
                    }),
                ))
            });
            then(it, this, ok, err)
        }
    }
}

pub fn all(it: &mut Interp, list: &Value) -> R<Value> {
    let items = it.iterate(list, 0)?;
    let result = new_promise(it);
    let n = items.len();
    let values = Rc::new(RefCell::new(vec![Value::Undef; n]));
    let remaining = Rc::new(RefCell::new(n));
    if n == 0 {
        let arr = it.array(Vec::new());
        settle(it, &result, Ok(arr));
        return Ok(result);
    }
    for (i, item) in items.into_iter().enumerate() {
        let p = resolved(it, item);
        let (vals, rem, res) = (values.clone(), remaining.clone(), result.clone());
        let ok = it.native("", move |it, _, args| {
            vals.borrow_mut()[i] = args.first().cloned().unwrap_or(Value::Undef);
            *rem.borrow_mut() -= 1;
            if *rem.borrow() == 0 {
                let arr = it.array(vals.borrow().clone());
                settle(it, &res, Ok(arr));
            }
            Ok(Value::Undef)
        });
        let res2 = result.clone();
        let err = it.native("", move |it, _, args| {
            settle(
                it,
                &res2,
                Err(args.first().cloned().unwrap_or(Value::Undef)),
            );
            Ok(Value::Undef)
        });
        then(it, &p, ok, err)?;
    }
    Ok(result)
}

impl Interp<'_> {
    pub fn globals_get(&self, name: &str) -> Option<Value> {
        self.global_lookup(name)
    }
}

//! The static types the checker knows, written as Go writes them in error messages
//! (`int`, `[]string`, `map[string]int`, `*http.Request`, `main.Point` for `%T`).

use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum Type {
    Int,
    Int64,
    Int32,
    Uint8,
    Float64,
    String,
    Bool,
    UntypedInt,
    UntypedFloat,
    UntypedRune,
    UntypedString,
    UntypedBool,
    UntypedNil,
    Slice(Box<Type>),
    Array(usize, Box<Type>),
    Map(Box<Type>, Box<Type>),
    Pointer(Box<Type>),
    Func(Vec<Type>, Vec<Type>, bool),
    /// A type declared in package main, by name.
    Named(String),
    Struct(Vec<(String, Type)>),
    /// A type of a standard package the lab provides (`http.ResponseWriter`, `time.Time`).
    Pkg(&'static str),
    Error,
    /// `any` / `interface{}`, or an interface of methods.
    Any,
    /// A function's results, as a call with several of them yields.
    Tuple(Vec<Type>),
    /// Not known to the checker: no error is reported about it.
    Unknown,
}

impl Type {
    pub fn is_untyped(&self) -> bool {
        matches!(
            self,
            Type::UntypedInt
                | Type::UntypedFloat
                | Type::UntypedRune
                | Type::UntypedString
                | Type::UntypedBool
                | Type::UntypedNil
        )
    }

    /// The type an untyped constant takes when a variable is declared from it.
    pub fn default_type(&self) -> Type {
        match self {
            Type::UntypedInt => Type::Int,
            Type::UntypedFloat => Type::Float64,
            Type::UntypedRune => Type::Int32,
            Type::UntypedString => Type::String,
            Type::UntypedBool => Type::Bool,
            other => other.clone(),
        }
    }

    pub fn is_numeric(&self) -> bool {
        matches!(
            self,
            Type::Int
                | Type::Int64
                | Type::Int32
                | Type::Uint8
                | Type::Float64
                | Type::UntypedInt
                | Type::UntypedFloat
                | Type::UntypedRune
                | Type::Pkg("time.Duration")
        )
    }

    pub fn is_integer(&self) -> bool {
        matches!(
            self,
            Type::Int
                | Type::Int64
                | Type::Int32
                | Type::Uint8
                | Type::UntypedInt
                | Type::UntypedRune
                | Type::Pkg("time.Duration")
        )
    }

    /// Basic types the checker compares with confidence.
    pub fn is_basic(&self) -> bool {
        matches!(
            self,
            Type::Int
                | Type::Int64
                | Type::Int32
                | Type::Uint8
                | Type::Float64
                | Type::String
                | Type::Bool
        )
    }

    pub fn is_known(&self) -> bool {
        !matches!(self, Type::Unknown)
    }

    /// Go's description of an untyped constant's kind in "have (...)" lists.
    pub fn have_name(&self) -> String {
        match self {
            Type::UntypedInt | Type::UntypedFloat | Type::UntypedRune => "number".into(),
            Type::UntypedString => "string".into(),
            Type::UntypedBool => "bool".into(),
            Type::UntypedNil => "nil".into(),
            other => other.to_string(),
        }
    }

    /// The type named by a predeclared identifier.
    pub fn predeclared(name: &str) -> Option<Type> {
        Some(match name {
            "int" | "uint" | "uint64" | "uint32" | "uint16" | "int16" | "int8" | "uintptr" => {
                Type::Int
            }
            "int64" => Type::Int64,
            "int32" | "rune" => Type::Int32,
            "uint8" | "byte" => Type::Uint8,
            "float64" | "float32" => Type::Float64,
            "string" => Type::String,
            "bool" => Type::Bool,
            "error" => Type::Error,
            "any" => Type::Any,
            _ => return None,
        })
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Int => write!(f, "int"),
            Type::Int64 => write!(f, "int64"),
            Type::Int32 => write!(f, "int32"),
            Type::Uint8 => write!(f, "uint8"),
            Type::Float64 => write!(f, "float64"),
            Type::String => write!(f, "string"),
            Type::Bool => write!(f, "bool"),
            Type::UntypedInt => write!(f, "untyped int"),
            Type::UntypedFloat => write!(f, "untyped float"),
            Type::UntypedRune => write!(f, "untyped rune"),
            Type::UntypedString => write!(f, "untyped string"),
            Type::UntypedBool => write!(f, "untyped bool"),
            Type::UntypedNil => write!(f, "untyped nil"),
            Type::Slice(t) => write!(f, "[]{t}"),
            Type::Array(n, t) => write!(f, "[{n}]{t}"),
            Type::Map(k, v) => write!(f, "map[{k}]{v}"),
            Type::Pointer(t) => write!(f, "*{t}"),
            Type::Func(params, results, variadic) => {
                write!(f, "func(")?;
                for (i, p) in params.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    if *variadic
                        && i + 1 == params.len()
                        && let Type::Slice(inner) = p
                    {
                        write!(f, "...{inner}")?;
                        continue;
                    }
                    write!(f, "{p}")?;
                }
                write!(f, ")")?;
                match results.len() {
                    0 => Ok(()),
                    1 => write!(f, " {}", results[0]),
                    _ => {
                        write!(f, " (")?;
                        for (i, r) in results.iter().enumerate() {
                            if i > 0 {
                                write!(f, ", ")?;
                            }
                            write!(f, "{r}")?;
                        }
                        write!(f, ")")
                    }
                }
            }
            Type::Named(n) => write!(f, "{n}"),
            Type::Struct(fields) => {
                write!(f, "struct{{")?;
                for (i, (n, t)) in fields.iter().enumerate() {
                    if i > 0 {
                        write!(f, "; ")?;
                    }
                    write!(f, "{n} {t}")?;
                }
                write!(f, "}}")
            }
            Type::Pkg(n) => write!(f, "{n}"),
            Type::Error => write!(f, "error"),
            Type::Any => write!(f, "interface{{}}"),
            Type::Tuple(ts) => {
                write!(f, "(")?;
                for (i, t) in ts.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{t}")?;
                }
                write!(f, ")")
            }
            Type::Unknown => write!(f, "invalid type"),
        }
    }
}

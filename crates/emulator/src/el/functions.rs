//! The functions group rules may call: `String.*`, `Arrays.*`, the group-membership functions
//! and the `user.*` methods (EL "Expressions in group rules": only `String`, `Arrays` and `user`
//! expressions plus the group functions; `Convert.*`, `Time.*` and others are rejected).
//!
//! Choices where Okta documents nothing \[unconfirmed\]: a `null` string argument makes a
//! predicate (`stringContains`, `startsWith`, …) false and a transformer return `null`;
//! `substringBefore` returns the whole string when the separator is absent and
//! `substringAfter` returns `""` (Apache Commons `StringUtils`, which Okta's Java EL mirrors);
//! group-name functions compare names case-sensitively.

use regex::RegexBuilder;

use super::eval::{Ctx, EvalError, Value, equals};

/// The static type of a function's result, used by validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// Boolean.
    Bool,
    /// String.
    Str,
    /// Number.
    Num,
    /// Array.
    List,
    /// Unknown (attribute values, `null`).
    Any,
}

/// A callable function: name, arity bounds and result type.
#[derive(Debug, Clone, Copy)]
pub struct FnSpec {
    /// Qualified name as written (`String.stringContains`).
    pub name: &'static str,
    /// Fewest arguments.
    pub min: usize,
    /// Most arguments (`None`: unbounded).
    pub max: Option<usize>,
    /// Result type.
    pub ret: Ty,
}

const fn f(name: &'static str, min: usize, max: Option<usize>, ret: Ty) -> FnSpec {
    FnSpec {
        name,
        min,
        max,
        ret,
    }
}

/// Every function group rules accept.
pub const FUNCTIONS: &[FnSpec] = &[
    f("isMemberOfGroup", 1, Some(1), Ty::Bool),
    f("isMemberOfAnyGroup", 1, None, Ty::Bool),
    f("isMemberOfGroupName", 1, Some(1), Ty::Bool),
    f("isMemberOfGroupNameStartsWith", 1, Some(1), Ty::Bool),
    f("isMemberOfGroupNameContains", 1, Some(1), Ty::Bool),
    f("isMemberOfGroupNameRegex", 1, Some(1), Ty::Bool),
    f("String.append", 2, Some(2), Ty::Str),
    f("String.join", 1, None, Ty::Str),
    f("String.len", 1, Some(1), Ty::Num),
    f("String.removeSpaces", 1, Some(1), Ty::Str),
    f("String.replace", 3, Some(3), Ty::Str),
    f("String.replaceFirst", 3, Some(3), Ty::Str),
    f("String.stringContains", 2, Some(2), Ty::Bool),
    f("String.startsWith", 2, Some(2), Ty::Bool),
    f("String.endsWith", 2, Some(2), Ty::Bool),
    f("String.stringSwitch", 2, None, Ty::Str),
    f("String.substring", 3, Some(3), Ty::Str),
    f("String.substringAfter", 2, Some(2), Ty::Str),
    f("String.substringBefore", 2, Some(2), Ty::Str),
    f("String.toLowerCase", 1, Some(1), Ty::Str),
    f("String.toUpperCase", 1, Some(1), Ty::Str),
    f("Arrays.contains", 2, Some(2), Ty::Bool),
    f("Arrays.isEmpty", 1, Some(1), Ty::Bool),
    f("Arrays.size", 1, Some(1), Ty::Num),
    f("Arrays.get", 2, Some(2), Ty::Any),
    f("Arrays.toCsvString", 1, Some(1), Ty::Str),
];

/// `user.*` methods group rules accept (`user.getGroups(...)` is an Okta function the emulator
/// does not implement; validation rejects it with a message saying so).
pub const USER_METHODS: &[FnSpec] = &[f("getInternalProperty", 1, Some(1), Ty::Any)];

/// Looks a function up by its qualified name.
pub fn spec(name: &str) -> Option<&'static FnSpec> {
    FUNCTIONS.iter().find(|s| s.name == name)
}

/// Limit on compiled regular-expression size (the `regex` crate runs in linear time; this bounds
/// memory for hostile patterns).
const REGEX_SIZE_LIMIT: usize = 1 << 18;

/// Whether `re` matches the whole of `s`.
///
/// # Errors
/// [`EvalError`] for an invalid or oversized pattern.
pub(crate) fn regex_full_match(re: &str, s: &str) -> Result<bool, EvalError> {
    Ok(compile(&format!("^(?:{re})$"))?.is_match(s))
}

/// Compiles a pattern with the size limit.
pub(crate) fn compile(re: &str) -> Result<regex::Regex, EvalError> {
    RegexBuilder::new(re)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| EvalError(format!("invalid regular expression: {e}")))
}

fn str_arg<'v>(args: &'v [Value], i: usize, name: &str) -> Result<Option<&'v str>, EvalError> {
    match args.get(i) {
        Some(Value::Str(s)) => Ok(Some(s)),
        Some(Value::Null) | None => Ok(None),
        Some(other) => Err(EvalError(format!(
            "{name}: argument {} must be a String, got {}",
            i + 1,
            other.type_name()
        ))),
    }
}

fn int_arg(args: &[Value], i: usize, name: &str) -> Result<usize, EvalError> {
    match args.get(i) {
        Some(Value::Num(n)) if *n >= 0.0 && n.fract() == 0.0 && *n <= usize::MAX as f64 => {
            Ok(*n as usize)
        }
        _ => Err(EvalError(format!(
            "{name}: argument {} must be a non-negative integer",
            i + 1
        ))),
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Num(n) => n.to_string(),
        Value::Str(s) => s.clone(),
        Value::List(l) => l.iter().map(text).collect::<Vec<_>>().join(","),
    }
}

fn pred(args: &[Value], name: &str, f: impl Fn(&str, &str) -> bool) -> Result<Value, EvalError> {
    match (str_arg(args, 0, name)?, str_arg(args, 1, name)?) {
        (Some(a), Some(b)) => Ok(Value::Bool(f(a, b))),
        _ => Ok(Value::Bool(false)),
    }
}

fn map_str(args: &[Value], name: &str, f: impl Fn(&str) -> Value) -> Result<Value, EvalError> {
    Ok(str_arg(args, 0, name)?.map_or(Value::Null, f))
}

fn group_name_pred(ctx: &Ctx<'_>, f: impl Fn(&str) -> bool) -> Value {
    Value::Bool(ctx.groups.member_group_names().iter().any(|n| f(n)))
}

/// Calls function `name` with evaluated arguments.
///
/// # Errors
/// [`EvalError`] for an unknown function or arguments of the wrong type.
pub(crate) fn call(name: &str, args: &[Value], ctx: &Ctx<'_>) -> Result<Value, EvalError> {
    match name {
        "isMemberOfGroup" => Ok(Value::Bool(
            str_arg(args, 0, name)?.is_some_and(|id| ctx.groups.is_member(id)),
        )),
        "isMemberOfAnyGroup" => {
            let mut any = false;
            for i in 0..args.len() {
                any |= str_arg(args, i, name)?.is_some_and(|id| ctx.groups.is_member(id));
            }
            Ok(Value::Bool(any))
        }
        "isMemberOfGroupName" => {
            let want = str_arg(args, 0, name)?.unwrap_or_default().to_owned();
            Ok(group_name_pred(ctx, |n| n == want))
        }
        "isMemberOfGroupNameStartsWith" => {
            let want = str_arg(args, 0, name)?.unwrap_or_default().to_owned();
            Ok(group_name_pred(ctx, |n| n.starts_with(&want)))
        }
        "isMemberOfGroupNameContains" => {
            let want = str_arg(args, 0, name)?.unwrap_or_default().to_owned();
            Ok(group_name_pred(ctx, |n| n.contains(&want)))
        }
        "isMemberOfGroupNameRegex" => {
            let re = str_arg(args, 0, name)?.unwrap_or_default();
            let re = compile(&format!("^(?:{re})$"))?;
            Ok(group_name_pred(ctx, |n| re.is_match(n)))
        }
        "String.append" => Ok(Value::Str(format!(
            "{}{}",
            text(args.first().unwrap_or(&Value::Null)),
            text(args.get(1).unwrap_or(&Value::Null))
        ))),
        "String.join" => {
            let sep = str_arg(args, 0, name)?.unwrap_or_default();
            let parts: Vec<String> = args.iter().skip(1).map(text).collect();
            Ok(Value::Str(parts.join(sep)))
        }
        "String.len" => map_str(args, name, |s| Value::Num(s.chars().count() as f64)),
        "String.removeSpaces" => map_str(args, name, |s| Value::Str(s.replace(' ', ""))),
        "String.toLowerCase" => map_str(args, name, |s| Value::Str(s.to_lowercase())),
        "String.toUpperCase" => map_str(args, name, |s| Value::Str(s.to_uppercase())),
        "String.replace" | "String.replaceFirst" => {
            let (Some(s), Some(pat)) = (str_arg(args, 0, name)?, str_arg(args, 1, name)?) else {
                return Ok(Value::Null);
            };
            let rep = str_arg(args, 2, name)?.unwrap_or_default();
            let re = compile(pat)?;
            // Java's `$1` group references work the same in the regex crate.
            let out = if name == "String.replace" {
                re.replace_all(s, rep)
            } else {
                re.replace(s, rep)
            };
            Ok(Value::Str(out.into_owned()))
        }
        "String.stringContains" => pred(args, name, |a, b| a.contains(b)),
        "String.startsWith" => pred(args, name, |a, b| a.starts_with(b)),
        "String.endsWith" => pred(args, name, |a, b| a.ends_with(b)),
        "String.stringSwitch" => {
            // stringSwitch(input, default, key1, value1, key2, value2, …): the value of the
            // first key the input contains, else the default.
            let input = str_arg(args, 0, name)?.unwrap_or_default();
            let default = args.get(1).cloned().unwrap_or(Value::Null);
            for pair in args.get(2..).unwrap_or_default().chunks(2) {
                if let [Value::Str(k), v] = pair
                    && input.contains(k.as_str())
                {
                    return Ok(v.clone());
                }
            }
            Ok(default)
        }
        "String.substring" => {
            let Some(s) = str_arg(args, 0, name)? else {
                return Ok(Value::Null);
            };
            let (start, end) = (int_arg(args, 1, name)?, int_arg(args, 2, name)?);
            let chars: Vec<char> = s.chars().collect();
            match chars.get(start..end) {
                Some(sub) => Ok(Value::Str(sub.iter().collect())),
                None => Err(EvalError(format!("{name}: index out of range"))),
            }
        }
        "String.substringBefore" | "String.substringAfter" => {
            let (Some(s), sep) = (str_arg(args, 0, name)?, str_arg(args, 1, name)?) else {
                return Ok(Value::Null);
            };
            let sep = sep.unwrap_or_default();
            let before = name == "String.substringBefore";
            Ok(Value::Str(match s.find(sep) {
                Some(i) if before => s.get(..i).unwrap_or_default().to_owned(),
                Some(i) => s.get(i + sep.len()..).unwrap_or_default().to_owned(),
                None if before => s.to_owned(),
                None => String::new(),
            }))
        }
        "Arrays.contains" => {
            let needle = args.get(1).unwrap_or(&Value::Null);
            Ok(Value::Bool(match args.first() {
                Some(Value::List(items)) => items.iter().any(|v| equals(v, needle)),
                _ => false,
            }))
        }
        "Arrays.isEmpty" => Ok(Value::Bool(match args.first() {
            Some(Value::List(items)) => items.is_empty(),
            _ => true,
        })),
        "Arrays.size" => Ok(Value::Num(match args.first() {
            Some(Value::List(items)) => items.len() as f64,
            _ => 0.0,
        })),
        "Arrays.get" => {
            let i = int_arg(args, 1, name)?;
            Ok(match args.first() {
                Some(Value::List(items)) => items.get(i).cloned().unwrap_or(Value::Null),
                _ => Value::Null,
            })
        }
        "Arrays.toCsvString" => Ok(match args.first() {
            Some(v @ Value::List(_)) => Value::Str(text(v)),
            _ => Value::Null,
        }),
        other => Err(EvalError(format!("Unknown function {other}"))),
    }
}

/// Calls `user.<name>(args)`.
///
/// # Errors
/// [`EvalError`] for an unknown method or a non-string argument.
pub(crate) fn user_method(name: &str, args: &[Value], ctx: &Ctx<'_>) -> Result<Value, EvalError> {
    match name {
        "getInternalProperty" => Ok(match str_arg(args, 0, name)? {
            Some("id") => Value::Str(ctx.user.id.to_owned()),
            Some("status") => Value::Str(ctx.user.status.to_owned()),
            _ => Value::Null,
        }),
        other => Err(EvalError(format!("Unknown method user.{other}"))),
    }
}

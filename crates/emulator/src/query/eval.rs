//! Evaluating an expression against a record.

use std::cmp::Ordering;

use serde_json::Value;

use super::{Expr, Lit, Op, is_time_attr};

/// A field value as a record exposes it.
#[derive(Debug, Clone)]
pub(crate) enum Val<'a> {
    Str(&'a str),
    Time(i64),
    Json(&'a Value),
}

/// Something `filter`/`search` can look into.
pub(crate) trait Record {
    /// The value of `attr` (`status`, `profile.city`, ...), `None` if absent.
    fn field(&self, attr: &str) -> Option<Val<'_>>;
}

/// Whether `rec` satisfies `expr`. `ci` = string values compare case-insensitively.
/// Date literals must already be valid (the caller checks with [`validate_dates`]).
pub(crate) fn matches(expr: &Expr, rec: &dyn Record, ci: bool) -> bool {
    match expr {
        Expr::And(a, b) => matches(a, rec, ci) && matches(b, rec, ci),
        Expr::Or(a, b) => matches(a, rec, ci) || matches(b, rec, ci),
        Expr::Present(attr) => match rec.field(attr) {
            None | Some(Val::Json(Value::Null)) => false,
            Some(Val::Str(s)) => !s.is_empty(),
            Some(_) => true,
        },
        Expr::Cmp { attr, op, value } => match rec.field(attr) {
            None => false,
            Some(Val::Time(t)) => match value {
                Lit::Str(s) => {
                    crate::util::parse_ts(s).is_some_and(|lit| order_ok(*op, t.cmp(&lit)))
                }
                _ => false,
            },
            Some(Val::Str(s)) => cmp_str(s, *op, value, ci),
            Some(Val::Json(v)) => cmp_json(v, *op, value, ci),
        },
    }
}

/// Finds the first date literal that doesn't parse, for Okta's E0000030.
pub(crate) fn invalid_date(expr: &Expr) -> Option<String> {
    match expr {
        Expr::And(a, b) | Expr::Or(a, b) => invalid_date(a).or_else(|| invalid_date(b)),
        Expr::Present(_) => None,
        Expr::Cmp {
            attr,
            value: Lit::Str(s),
            ..
        } if is_time_attr(attr) => crate::util::parse_ts(s).is_none().then(|| s.clone()),
        Expr::Cmp { .. } => None,
    }
}

fn order_ok(op: Op, o: Ordering) -> bool {
    match op {
        Op::Eq => o == Ordering::Equal,
        Op::Ne => o != Ordering::Equal,
        Op::Gt => o == Ordering::Greater,
        Op::Ge => o != Ordering::Less,
        Op::Lt => o == Ordering::Less,
        Op::Le => o != Ordering::Greater,
        Op::Sw | Op::Co | Op::Ew => false,
    }
}

fn cmp_str(s: &str, op: Op, lit: &Lit, ci: bool) -> bool {
    let l = match lit {
        Lit::Str(l) => l.as_str(),
        Lit::Num(n) => {
            return s
                .parse::<f64>()
                .ok()
                .and_then(|v| v.partial_cmp(n))
                .is_some_and(|o| order_ok(op, o));
        }
        Lit::Bool(b) => return op == Op::Eq && s == if *b { "true" } else { "false" },
        Lit::Null => return false,
    };
    let (a, b) = if ci {
        (s.to_lowercase(), l.to_lowercase())
    } else {
        (s.to_owned(), l.to_owned())
    };
    match op {
        Op::Sw => a.starts_with(&b),
        Op::Co => a.contains(&b),
        Op::Ew => a.ends_with(&b),
        _ => order_ok(op, a.as_str().cmp(b.as_str())),
    }
}

fn cmp_json(v: &Value, op: Op, lit: &Lit, ci: bool) -> bool {
    match v {
        Value::String(s) => cmp_str(s, op, lit, ci),
        Value::Number(n) => match (n.as_f64(), lit) {
            (Some(x), Lit::Num(y)) => x.partial_cmp(y).is_some_and(|o| order_ok(op, o)),
            (Some(x), Lit::Str(y)) => y
                .parse::<f64>()
                .ok()
                .and_then(|y| x.partial_cmp(&y))
                .is_some_and(|o| order_ok(op, o)),
            _ => false,
        },
        Value::Bool(b) => match lit {
            Lit::Bool(l) => op == Op::Eq && b == l,
            Lit::Str(l) => {
                op == Op::Eq && l.eq_ignore_ascii_case(if *b { "true" } else { "false" })
            }
            _ => false,
        },
        // SCIM array semantics: any element matches.
        Value::Array(items) => items.iter().any(|i| cmp_json(i, op, lit, ci)),
        Value::Null => matches!(lit, Lit::Null) && op == Op::Eq,
        Value::Object(_) => false,
    }
}

//! Evaluation of an expression against one user.
//!
//! Semantics follow SpEL (Okta's EL is built on it) where Okta documents nothing more:
//! - `&&`, `||`, `!` and the ternary condition need booleans; a `null` there (an unset attribute)
//!   is an evaluation error, and a rule whose expression errors for a user does not match that
//!   user. \[unconfirmed\] Okta logs such users as rule-evaluation failures; it never adds them.
//! - `==`/`!=` never error: numbers compare numerically, strings exactly (case-sensitive), `null`
//!   equals only `null`. A number compared with a numeric string compares as numbers
//!   [unconfirmed: Okta profiles keep typed values, so this only matters for string attributes].
//! - `<` `<=` `>` `>=` compare numbers numerically and strings lexicographically; any other pair
//!   (including `null`) is an evaluation error.
//! - `matches` is a whole-string regular-expression match (Java `String.matches`).

use serde_json::{Map, Value as Json};

use super::ast::{BinOp, Expr, Literal};
use super::functions;

/// A runtime value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null` (also an unset attribute).
    Null,
    /// A boolean.
    Bool(bool),
    /// A number.
    Num(f64),
    /// A string.
    Str(String),
    /// An array attribute.
    List(Vec<Value>),
}

impl Value {
    /// Converts a profile JSON value (objects, which profiles don't hold, become `null`).
    pub fn from_json(v: &Json) -> Value {
        match v {
            Json::Null | Json::Object(_) => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => n.as_f64().map_or(Value::Null, Value::Num),
            Json::String(s) => Value::Str(s.clone()),
            Json::Array(a) => Value::List(a.iter().map(Value::from_json).collect()),
        }
    }

    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "Boolean",
            Value::Num(_) => "Number",
            Value::Str(_) => "String",
            Value::List(_) => "Array",
        }
    }
}

/// Why an expression could not be evaluated for a user (the rule then does not match them).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct EvalError(pub String);

/// The user an expression is evaluated against.
#[derive(Debug, Clone, Copy)]
pub struct UserView<'a> {
    /// The user's id (`00u…`), for `user.getInternalProperty("id")`.
    pub id: &'a str,
    /// The user's status (`ACTIVE`, …), for `user.getInternalProperty("status")`.
    pub status: &'a str,
    /// The user's profile: `user.<attr>` reads `profile[attr]`.
    pub profile: &'a Map<String, Json>,
}

/// The group memberships an expression may ask about (the user's current groups).
pub trait GroupLookup {
    /// Whether the user is a member of the group with this id.
    fn is_member(&self, group_id: &str) -> bool;
    /// Names (`profile.name`) of the groups the user is a member of.
    fn member_group_names(&self) -> Vec<String>;
}

/// `(group id, group name)` pairs of the user's groups.
impl GroupLookup for Vec<(String, String)> {
    fn is_member(&self, group_id: &str) -> bool {
        self.iter().any(|(id, _)| id == group_id)
    }

    fn member_group_names(&self) -> Vec<String> {
        self.iter().map(|(_, n)| n.clone()).collect()
    }
}

/// The evaluation context: the user and their group memberships.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    /// The user.
    pub user: UserView<'a>,
    /// Their groups.
    pub groups: &'a dyn GroupLookup,
}

impl std::fmt::Debug for Ctx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctx")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

fn as_bool(v: Value, what: &str) -> Result<bool, EvalError> {
    match v {
        Value::Bool(b) => Ok(b),
        other => Err(EvalError(format!(
            "{what} needs a Boolean, got {}",
            other.type_name()
        ))),
    }
}

fn num_of(v: &Value) -> Option<f64> {
    match v {
        Value::Num(n) => Some(*n),
        Value::Str(s) => s.trim().parse::<f64>().ok().filter(|n| n.is_finite()),
        _ => None,
    }
}

/// `==` semantics.
pub(crate) fn equals(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Num(x), Value::Num(y)) => x == y,
        (Value::Num(_), Value::Str(_)) | (Value::Str(_), Value::Num(_)) => {
            matches!((num_of(a), num_of(b)), (Some(x), Some(y)) if x == y)
        }
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| equals(p, q))
        }
        _ => a == b,
    }
}

fn order(a: &Value, b: &Value) -> Result<std::cmp::Ordering, EvalError> {
    let ord = match (a, b) {
        (Value::Str(x), Value::Str(y)) => Some(x.cmp(y)),
        _ => match (num_of(a), num_of(b)) {
            (Some(x), Some(y)) => x.partial_cmp(&y),
            _ => None,
        },
    };
    ord.ok_or_else(|| {
        EvalError(format!(
            "cannot compare {} with {}",
            a.type_name(),
            b.type_name()
        ))
    })
}

/// Evaluates `e` for the user in `ctx`.
///
/// # Errors
/// [`EvalError`] when a type doesn't fit (see the module docs); never panics.
pub fn eval(e: &Expr, ctx: &Ctx<'_>) -> Result<Value, EvalError> {
    match e {
        Expr::Lit(l) => Ok(match l {
            Literal::Null => Value::Null,
            Literal::Bool(b) => Value::Bool(*b),
            Literal::Number(n) => Value::Num(*n),
            Literal::Str(s) => Value::Str(s.clone()),
        }),
        Expr::UserAttr(path) => {
            let mut cur: Option<&Json> = None;
            for (i, seg) in path.iter().enumerate() {
                cur = if i == 0 {
                    ctx.user.profile.get(seg)
                } else {
                    cur.and_then(|v| v.get(seg))
                };
            }
            Ok(cur.map_or(Value::Null, Value::from_json))
        }
        Expr::Var(path) => Err(EvalError(format!("Invalid property {}", path.join(".")))),
        Expr::UserMethod { name, args } => {
            let args = eval_args(args, ctx)?;
            functions::user_method(name, &args, ctx)
        }
        Expr::Call { name, args } => {
            let args = eval_args(args, ctx)?;
            functions::call(name, &args, ctx)
        }
        Expr::Not(inner) => Ok(Value::Bool(!as_bool(eval(inner, ctx)?, "'!'")?)),
        Expr::Binary { op, lhs, rhs } => {
            let l = eval(lhs, ctx)?;
            match op {
                BinOp::And => {
                    if !as_bool(l, "'&&'")? {
                        return Ok(Value::Bool(false));
                    }
                    Ok(Value::Bool(as_bool(eval(rhs, ctx)?, "'&&'")?))
                }
                BinOp::Or => {
                    if as_bool(l, "'||'")? {
                        return Ok(Value::Bool(true));
                    }
                    Ok(Value::Bool(as_bool(eval(rhs, ctx)?, "'||'")?))
                }
                BinOp::Eq => Ok(Value::Bool(equals(&l, &eval(rhs, ctx)?))),
                BinOp::Ne => Ok(Value::Bool(!equals(&l, &eval(rhs, ctx)?))),
                BinOp::Lt => Ok(Value::Bool(order(&l, &eval(rhs, ctx)?)?.is_lt())),
                BinOp::Le => Ok(Value::Bool(order(&l, &eval(rhs, ctx)?)?.is_le())),
                BinOp::Gt => Ok(Value::Bool(order(&l, &eval(rhs, ctx)?)?.is_gt())),
                BinOp::Ge => Ok(Value::Bool(order(&l, &eval(rhs, ctx)?)?.is_ge())),
                BinOp::Matches => {
                    let r = eval(rhs, ctx)?;
                    match (&l, &r) {
                        (Value::Null, _) => Ok(Value::Bool(false)),
                        (Value::Str(s), Value::Str(re)) => {
                            Ok(Value::Bool(functions::regex_full_match(re, s)?))
                        }
                        _ => Err(EvalError("'matches' needs two Strings".into())),
                    }
                }
            }
        }
        Expr::Ternary {
            cond,
            then,
            otherwise,
        } => {
            if as_bool(eval(cond, ctx)?, "'?:'")? {
                eval(then, ctx)
            } else {
                eval(otherwise, ctx)
            }
        }
    }
}

fn eval_args(args: &[Expr], ctx: &Ctx<'_>) -> Result<Vec<Value>, EvalError> {
    args.iter().map(|a| eval(a, ctx)).collect()
}

//! The `filter` / `search` expression grammar of Okta list endpoints.
//!
//! ```text
//! expr    := and ("or" and)*
//! and     := primary ("and" primary)*
//! primary := "(" expr ")" | attr "pr" | attr OP value
//! OP      := eq | ne | gt | ge | lt | le | sw | co | ew      (case-insensitive)
//! value   := "json string" | number | true | false | null
//! ```
//! Precedence follows Okta's core docs: comparison, then parentheses, then `and`, then `or`.
//! `not` is rejected (Okta doesn't support it). Which attributes and operators are allowed is a
//! per-endpoint [`Dialect`], checked after parsing, so one parser serves users, groups (and
//! apps). Evaluation is over any [`Record`].

mod eval;
mod parse;

pub(crate) use eval::{Record, Val, invalid_date, matches};
pub(crate) use parse::parse;

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    Sw,
    Co,
    Ew,
}

impl Op {
    pub(crate) fn parse(s: &str) -> Option<Op> {
        Some(match s.to_ascii_lowercase().as_str() {
            "eq" => Op::Eq,
            "ne" => Op::Ne,
            "gt" => Op::Gt,
            "ge" => Op::Ge,
            "lt" => Op::Lt,
            "le" => Op::Le,
            "sw" => Op::Sw,
            "co" => Op::Co,
            "ew" => Op::Ew,
            _ => return None,
        })
    }
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "eq",
            Op::Ne => "ne",
            Op::Gt => "gt",
            Op::Ge => "ge",
            Op::Lt => "lt",
            Op::Le => "le",
            Op::Sw => "sw",
            Op::Co => "co",
            Op::Ew => "ew",
        }
    }
    fn is_ordering(self) -> bool {
        matches!(self, Op::Gt | Op::Ge | Op::Lt | Op::Le)
    }
}

/// A literal on the right of an operator.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Lit {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
}

/// A parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    Cmp { attr: String, op: Op, value: Lit },
    Present(String),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
}

/// Which attributes an endpoint lets `filter`/`search` use, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// `GET /users?filter=`: status, lastUpdated, id, profile.{login,email,firstName,lastName};
    /// `eq` only, except `lastUpdated` which also takes `gt ge lt le`. Values case-sensitive.
    UserFilter,
    /// `GET /users?search=`: any profile attribute, id, status, timestamps, type.id; string
    /// values case-insensitive; `co` only on firstName/lastName/email/login.
    UserSearch,
    /// `GET /groups?filter=`: id, type, lastUpdated, lastMembershipUpdated.
    GroupFilter,
    /// `GET /groups?search=`: profile attributes, id, created, lastUpdated,
    /// lastMembershipUpdated, type, source.id; `co` only on profile.name/description.
    GroupSearch,
    /// `GET /apps?filter=`: id, status, name.
    AppFilter,
}

/// Attributes holding timestamps: literals must be dates, comparisons are chronological.
pub(crate) fn is_time_attr(attr: &str) -> bool {
    matches!(
        attr,
        "created"
            | "activated"
            | "statusChanged"
            | "lastUpdated"
            | "lastLogin"
            | "passwordChanged"
            | "lastMembershipUpdated"
    )
}

impl Dialect {
    fn name(self) -> &'static str {
        match self {
            Dialect::UserFilter | Dialect::GroupFilter | Dialect::AppFilter => "filter",
            _ => "search",
        }
    }

    fn check_cmp(self, attr: &str, op: Op) -> Result<(), String> {
        let time = is_time_attr(attr);
        let bad_op = || {
            Err(format!(
                "Operator '{}' is not supported for attribute '{attr}' in {}",
                op.as_str(),
                self.name()
            ))
        };
        let bad_attr = || {
            Err(format!(
                "Attribute '{attr}' is not supported in {}",
                self.name()
            ))
        };
        if op == Op::Ne || op == Op::Ew {
            return bad_op();
        }
        match self {
            Dialect::UserFilter => match attr {
                "lastUpdated" if op == Op::Eq || op.is_ordering() => Ok(()),
                "status" | "id" | "profile.login" | "profile.email" | "profile.firstName"
                | "profile.lastName"
                    if op == Op::Eq =>
                {
                    Ok(())
                }
                "lastUpdated" | "status" | "id" | "profile.login" | "profile.email"
                | "profile.firstName" | "profile.lastName" => bad_op(),
                _ => bad_attr(),
            },
            Dialect::GroupFilter => match attr {
                "lastUpdated" | "lastMembershipUpdated" if op == Op::Eq || op.is_ordering() => {
                    Ok(())
                }
                "id" | "type" if op == Op::Eq => Ok(()),
                "lastUpdated" | "lastMembershipUpdated" | "id" | "type" => bad_op(),
                _ => bad_attr(),
            },
            Dialect::AppFilter => match attr {
                "id" | "status" | "name" if op == Op::Eq => Ok(()),
                "id" | "status" | "name" => bad_op(),
                _ => bad_attr(),
            },
            Dialect::UserSearch => {
                let known = attr.starts_with("profile.")
                    || time
                    || matches!(attr, "id" | "status" | "type.id");
                if !known || attr == "profile." {
                    return bad_attr();
                }
                if op == Op::Co
                    && !matches!(
                        attr,
                        "profile.firstName"
                            | "profile.lastName"
                            | "profile.email"
                            | "profile.login"
                    )
                {
                    return bad_op();
                }
                Ok(())
            }
            Dialect::GroupSearch => {
                let known = attr.starts_with("profile.")
                    || matches!(
                        attr,
                        "id" | "created"
                            | "lastUpdated"
                            | "lastMembershipUpdated"
                            | "type"
                            | "source.id"
                    );
                if !known || attr == "profile." {
                    return bad_attr();
                }
                if op == Op::Co && !matches!(attr, "profile.name" | "profile.description") {
                    return bad_op();
                }
                Ok(())
            }
        }
    }

    /// Checks every comparison of `expr` against this dialect.
    ///
    /// # Errors
    /// A message for `errorCauses` naming the attribute or operator.
    pub(crate) fn check(self, expr: &Expr) -> Result<(), String> {
        match expr {
            Expr::Cmp { attr, op, value } => {
                self.check_cmp(attr, *op)?;
                if is_time_attr(attr) && !matches!(value, Lit::Str(_)) {
                    return Err(format!(
                        "Attribute '{attr}' must be compared with a quoted date"
                    ));
                }
                Ok(())
            }
            Expr::Present(attr) => match self {
                Dialect::UserSearch | Dialect::GroupSearch => self.check_cmp(attr, Op::Eq),
                _ => Err(format!("Operator 'pr' is not supported in {}", self.name())),
            },
            Expr::And(a, b) | Expr::Or(a, b) => {
                self.check(a)?;
                self.check(b)
            }
        }
    }
}

#[cfg(test)]
mod tests;

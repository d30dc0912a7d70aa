//! Okta Expression Language, the subset group rules use (`conditions.expression.value`).
//!
//! A hand-written tokenizer and recursive-descent parser build an [`Expr`] (a parser crate did
//! not pay off for a grammar this small, and hand-written code gives Okta-shaped messages);
//! [`validate_rule_expression`] applies the restrictions Okta puts on group rules; [`eval()`]
//! evaluates a tree against one user and their group memberships; [`RuleExpression`] bundles the
//! three for the group-rule handlers; [`rule`] validates whole rule bodies, the rule status
//! machine and the membership changes an ACTIVE rule makes.
//!
//! What group rules accept (EL "Expressions in group rules", HELP-GR, KB-GRR): `user.<attr>`
//! (Okta profile attributes only), literals, `==` `!=` `<` `<=` `>` `>=`, `&&`/`AND`, `||`/`OR`,
//! `!`/`NOT`, the ternary `?:`, the deprecated `matches`, `String.*`, `Arrays.*`, the group
//! functions (`isMemberOfGroup`, `isMemberOfAnyGroup`, `isMemberOfGroupName…`) and
//! `user.getInternalProperty("id"|"status")`. The whole expression must be Boolean. `Convert.*`,
//! `Time.*`, assignment (`=`) and anything else are rejected.
//!
//! Error mapping [unconfirmed: Okta's exact wording for a bad expression is not recorded
//! anywhere we could find]: every [`ElError`] becomes HTTP 400 `E0000001`
//! `"Api validation failed: conditions.expression.value"` with one cause
//! `"conditions.expression.value: <message>"` — the `field: message` shape Okta uses for every
//! other `E0000001` (see `ApiError::validation`). [`ElError::okta_field`] and the `Display` text
//! give the two parts.

pub mod ast;
pub mod eval;
pub mod functions;
mod lexer;
pub mod parser;
pub mod rule;
#[cfg(test)]
mod tests;

pub use ast::{BinOp, Expr, Literal};
pub use eval::{Ctx, EvalError, GroupLookup, UserView, Value, eval};
pub use parser::parse;

use functions::Ty;

/// The only expression type group rules accept (`conditions.expression.type`).
pub const EXPRESSION_TYPE: &str = "urn:okta:expression:1.0";

/// Longest expression accepted, in characters. \[unconfirmed\] Okta documents no limit; this one
/// bounds parser work and is far above what rule editors produce.
pub const MAX_EXPRESSION_LEN: usize = 8192;

/// Why an expression is not a valid group-rule condition.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ElError {
    /// The expression is empty or blank.
    #[error("The expression is required.")]
    Empty,
    /// Longer than [`MAX_EXPRESSION_LEN`].
    #[error("The expression is too long (maximum {MAX_EXPRESSION_LEN} characters).")]
    TooLong,
    /// Not well-formed.
    #[error("Invalid expression: {message} at position {pos}.")]
    Syntax {
        /// Byte offset of the problem.
        pos: usize,
        /// What is wrong.
        message: String,
    },
    /// A single `=`.
    #[error("Invalid expression: assignment '=' is not allowed, use '==' at position {pos}.")]
    Assignment {
        /// Byte offset of the `=`.
        pos: usize,
    },
    /// A name that is not `user.<attr>` (e.g. `profile.department`), or a nested path.
    #[error("Invalid property {0} in expression.")]
    InvalidProperty(String),
    /// A function group rules don't allow (`Convert.*`, `Time.*`, …) or that doesn't exist.
    #[error("Function {0} is not allowed in group rules.")]
    FunctionNotAllowed(String),
    /// A function called with the wrong number of arguments.
    #[error("Function {name} expects {expected} argument(s).")]
    Arity {
        /// The function.
        name: String,
        /// The expected count, e.g. `"2"` or `"at least 1"`.
        expected: String,
    },
    /// An operand or argument of the wrong type, found statically.
    #[error("Invalid expression: {0}.")]
    Type(String),
    /// The expression does not yield a Boolean.
    #[error("The expression must evaluate to a Boolean value.")]
    NotBoolean,
}

impl ElError {
    /// The field Okta names in the error (`errorSummary` `Api validation failed: <field>`,
    /// cause `<field>: <Display of self>`).
    pub fn okta_field(&self) -> &'static str {
        "conditions.expression.value"
    }

    /// `(errorSummary detail, cause)` for the `E0000001` response: summary
    /// `"Api validation failed: " + detail`, one cause.
    pub fn okta_parts(&self) -> (String, String) {
        let f = self.okta_field();
        (f.to_owned(), format!("{f}: {self}"))
    }
}

/// A parsed and validated group-rule expression.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleExpression {
    /// The source as given.
    pub source: String,
    /// Its syntax tree.
    pub expr: Expr,
}

impl RuleExpression {
    /// Whether the rule's condition holds for this user (an evaluation error counts as "no").
    pub fn matches(&self, ctx: &Ctx<'_>) -> bool {
        matches!(eval(&self.expr, ctx), Ok(Value::Bool(true)))
    }

    /// Profile attributes the expression reads (`user.<attr>`), sorted and deduplicated: a
    /// profile change touching one of them re-triggers the rule, and the handler may check them
    /// against the user schema (Okta rejects unknown attributes; the emulator's parser has no
    /// schema, so [`validate_rule_expression`] doesn't).
    pub fn user_attributes(&self) -> Vec<String> {
        let mut out = Vec::new();
        walk(&self.expr, &mut |e| {
            if let Expr::UserAttr(path) = e
                && let Some(first) = path.first()
            {
                out.push(first.clone());
            }
        });
        out.sort();
        out.dedup();
        out
    }

    /// Group ids named by `isMemberOfGroup`/`isMemberOfAnyGroup` string literals, sorted and
    /// deduplicated: membership changes in these groups re-trigger the rule.
    pub fn referenced_group_ids(&self) -> Vec<String> {
        let mut out = Vec::new();
        walk(&self.expr, &mut |e| {
            if let Expr::Call { name, args } = e
                && matches!(name.as_str(), "isMemberOfGroup" | "isMemberOfAnyGroup")
            {
                for a in args {
                    if let Expr::Lit(Literal::Str(id)) = a {
                        out.push(id.clone());
                    }
                }
            }
        });
        out.sort();
        out.dedup();
        out
    }

    /// Whether the expression depends on group membership at all (any group function).
    pub fn uses_group_functions(&self) -> bool {
        let mut found = false;
        walk(&self.expr, &mut |e| {
            if let Expr::Call { name, .. } = e
                && name.starts_with("isMemberOf")
            {
                found = true;
            }
        });
        found
    }
}

/// Visits every node of `e` (pre-order).
fn walk(e: &Expr, f: &mut impl FnMut(&Expr)) {
    f(e);
    match e {
        Expr::Lit(_) | Expr::UserAttr(_) | Expr::Var(_) => {}
        Expr::UserMethod { args, .. } | Expr::Call { args, .. } => {
            for a in args {
                walk(a, f);
            }
        }
        Expr::Not(inner) => walk(inner, f),
        Expr::Binary { lhs, rhs, .. } => {
            walk(lhs, f);
            walk(rhs, f);
        }
        Expr::Ternary {
            cond,
            then,
            otherwise,
        } => {
            walk(cond, f);
            walk(then, f);
            walk(otherwise, f);
        }
    }
}

/// Parses `src` and checks the group-rule restrictions.
///
/// # Errors
/// The first [`ElError`] found, in source order.
pub fn validate_rule_expression(src: &str) -> Result<RuleExpression, ElError> {
    if src.trim().is_empty() {
        return Err(ElError::Empty);
    }
    if src.chars().count() > MAX_EXPRESSION_LEN {
        return Err(ElError::TooLong);
    }
    let expr = parse(src)?;
    match check(&expr)? {
        Ty::Bool | Ty::Any => Ok(RuleExpression {
            source: src.to_owned(),
            expr,
        }),
        _ => Err(ElError::NotBoolean),
    }
}

fn literal_ty(l: &Literal) -> Ty {
    match l {
        Literal::Null => Ty::Any,
        Literal::Bool(_) => Ty::Bool,
        Literal::Number(_) => Ty::Num,
        Literal::Str(_) => Ty::Str,
    }
}

fn want_bool(t: Ty, what: &str) -> Result<(), ElError> {
    match t {
        Ty::Bool | Ty::Any => Ok(()),
        _ => Err(ElError::Type(format!("{what} needs a Boolean operand"))),
    }
}

fn check_arity(name: &str, n: usize, min: usize, max: Option<usize>) -> Result<(), ElError> {
    let ok = n >= min && max.is_none_or(|m| n <= m);
    if ok {
        return Ok(());
    }
    let expected = match max {
        Some(m) if m == min => m.to_string(),
        Some(m) => format!("{min} to {m}"),
        None => format!("at least {min}"),
    };
    Err(ElError::Arity {
        name: name.to_owned(),
        expected,
    })
}

/// Static checks; returns the expression's type.
fn check(e: &Expr) -> Result<Ty, ElError> {
    match e {
        Expr::Lit(l) => Ok(literal_ty(l)),
        Expr::UserAttr(path) => {
            if path.len() == 1 {
                Ok(Ty::Any)
            } else {
                // `user.profile.x` and other nested paths: group rules address profile
                // attributes directly as `user.x`.
                Err(ElError::InvalidProperty(format!("user.{}", path.join("."))))
            }
        }
        Expr::Var(path) => Err(ElError::InvalidProperty(path.join("."))),
        Expr::UserMethod { name, args } => {
            let Some(spec) = functions::USER_METHODS.iter().find(|s| s.name == name) else {
                return Err(ElError::FunctionNotAllowed(format!("user.{name}")));
            };
            check_arity(&format!("user.{name}"), args.len(), spec.min, spec.max)?;
            for a in args {
                check(a)?;
            }
            Ok(spec.ret)
        }
        Expr::Call { name, args } => {
            let Some(spec) = functions::spec(name) else {
                return Err(ElError::FunctionNotAllowed(name.clone()));
            };
            check_arity(name, args.len(), spec.min, spec.max)?;
            for a in args {
                check(a)?;
            }
            // A literal pattern that doesn't compile is a validation error, not a silent no-match.
            if matches!(name.as_str(), "isMemberOfGroupNameRegex")
                && let Some(Expr::Lit(Literal::Str(re))) = args.first()
            {
                functions::compile(re).map_err(|e| ElError::Type(e.0))?;
            }
            Ok(spec.ret)
        }
        Expr::Not(inner) => {
            want_bool(check(inner)?, "'!'")?;
            Ok(Ty::Bool)
        }
        Expr::Binary { op, lhs, rhs } => {
            let (l, r) = (check(lhs)?, check(rhs)?);
            match op {
                BinOp::And | BinOp::Or => {
                    want_bool(l, &format!("'{}'", op.symbol()))?;
                    want_bool(r, &format!("'{}'", op.symbol()))?;
                }
                BinOp::Matches => {
                    if let Expr::Lit(Literal::Str(re)) = rhs.as_ref() {
                        functions::compile(re).map_err(|e| ElError::Type(e.0))?;
                    }
                }
                _ => {}
            }
            Ok(Ty::Bool)
        }
        Expr::Ternary {
            cond,
            then,
            otherwise,
        } => {
            want_bool(check(cond)?, "'?:'")?;
            let (a, b) = (check(then)?, check(otherwise)?);
            Ok(if a == b { a } else { Ty::Any })
        }
    }
}

/// User statuses group rules act on. Users in Pending (`STAGED`, `PROVISIONED`) or Inactive
/// (`DEPROVISIONED`) states are not moved (HELP-GR, KB-DEACT).
pub fn status_eligible_for_rules(status: &str) -> bool {
    !matches!(status, "STAGED" | "PROVISIONED" | "DEPROVISIONED")
}

/// Whether an ACTIVE rule adds this user: status eligible, not in
/// `conditions.people.users.exclude`, and the expression holds.
pub fn rule_applies(rule: &RuleExpression, excluded_user_ids: &[String], ctx: &Ctx<'_>) -> bool {
    status_eligible_for_rules(ctx.user.status)
        && !excluded_user_ids.iter().any(|id| id == ctx.user.id)
        && rule.matches(ctx)
}

//! The syntax tree of a group-rule expression and its canonical printer.
//!
//! Printing is canonical (double-quoted strings, `&&`/`||`/`!`, minimal but safe parentheses)
//! and `parse(print(ast)) == ast` holds for every tree the parser produces (property-tested).

use std::fmt;

/// A literal value written in an expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A finite number (`42`, `3.5`, `-1`).
    Number(f64),
    /// A string, written `"..."` or `'...'` (the quote doubled inside escapes it, as in SpEL).
    Str(String),
}

/// A binary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// `==` (also `eq`).
    Eq,
    /// `!=` (also `ne`).
    Ne,
    /// `<` (also `lt`).
    Lt,
    /// `<=` (also `le`).
    Le,
    /// `>` (also `gt`).
    Gt,
    /// `>=` (also `ge`).
    Ge,
    /// `matches` (regular expression; deprecated in Okta but still documented).
    Matches,
    /// `&&` (also `AND` / `and`).
    And,
    /// `||` (also `OR` / `or`).
    Or,
}

impl BinOp {
    /// The canonical spelling of the operator.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Matches => "matches",
            BinOp::And => "&&",
            BinOp::Or => "||",
        }
    }

    /// Whether this is a comparison (relational) operator.
    pub fn is_comparison(self) -> bool {
        !matches!(self, BinOp::And | BinOp::Or)
    }
}

/// An expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A literal.
    Lit(Literal),
    /// `user.<a>[.<b>...]`: a user attribute reference (path after `user.`).
    UserAttr(Vec<String>),
    /// `user.<method>(args)`, e.g. `user.getInternalProperty("status")`.
    UserMethod {
        /// The method name.
        name: String,
        /// Its arguments.
        args: Vec<Expr>,
    },
    /// A bare (possibly dotted) name that is not `user...`, e.g. `profile.department`.
    /// It parses, but validation rejects it (Okta: "Invalid property").
    Var(Vec<String>),
    /// A function call: `isMemberOfGroup("id")`, `String.stringContains(a, b)`.
    Call {
        /// The (possibly qualified) function name, e.g. `String.stringContains`.
        name: String,
        /// Its arguments.
        args: Vec<Expr>,
    },
    /// `!e` (also `NOT e`).
    Not(Box<Expr>),
    /// `lhs op rhs`.
    Binary {
        /// The operator.
        op: BinOp,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
    },
    /// `cond ? then : otherwise`.
    Ternary {
        /// The condition.
        cond: Box<Expr>,
        /// Value when true.
        then: Box<Expr>,
        /// Value when false.
        otherwise: Box<Expr>,
    },
}

/// Binding strength used by the printer (higher binds tighter).
pub(crate) fn precedence(e: &Expr) -> u8 {
    match e {
        Expr::Ternary { .. } => 1,
        Expr::Binary { op: BinOp::Or, .. } => 2,
        Expr::Binary { op: BinOp::And, .. } => 3,
        Expr::Binary { .. } => 4,
        Expr::Not(_) => 5,
        // A negative number literal prints as `-n`, which is unary.
        Expr::Lit(Literal::Number(n)) if n.is_sign_negative() => 5,
        _ => 6,
    }
}

fn write_str_lit(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    f.write_str("\"")?;
    f.write_str(&s.replace('"', "\"\""))?;
    f.write_str("\"")
}

fn write_args(f: &mut fmt::Formatter<'_>, args: &[Expr]) -> fmt::Result {
    f.write_str("(")?;
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{a}")?;
    }
    f.write_str(")")
}

/// Writes `e`, parenthesised when it binds looser than `min`.
fn write_at(f: &mut fmt::Formatter<'_>, e: &Expr, min: u8) -> fmt::Result {
    if precedence(e) < min {
        write!(f, "({e})")
    } else {
        write!(f, "{e}")
    }
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Null => f.write_str("null"),
            Literal::Bool(b) => write!(f, "{b}"),
            // `{}` on f64 prints the shortest string that parses back to the same value.
            Literal::Number(n) => write!(f, "{n}"),
            Literal::Str(s) => write_str_lit(f, s),
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Lit(l) => write!(f, "{l}"),
            Expr::UserAttr(path) => write!(f, "user.{}", path.join(".")),
            Expr::UserMethod { name, args } => {
                write!(f, "user.{name}")?;
                write_args(f, args)
            }
            Expr::Var(path) => f.write_str(&path.join(".")),
            Expr::Call { name, args } => {
                f.write_str(name)?;
                write_args(f, args)
            }
            Expr::Not(inner) => {
                f.write_str("!")?;
                write_at(f, inner, 5)
            }
            Expr::Binary { op, lhs, rhs } => {
                let p = precedence(self);
                if op.is_comparison() {
                    // Comparisons don't chain: both operands must bind tighter.
                    write_at(f, lhs, p + 1)?;
                    write!(f, " {} ", op.symbol())?;
                    write_at(f, rhs, p + 1)
                } else {
                    // `&&`/`||` are left-associative.
                    write_at(f, lhs, p)?;
                    write!(f, " {} ", op.symbol())?;
                    write_at(f, rhs, p + 1)
                }
            }
            Expr::Ternary {
                cond,
                then,
                otherwise,
            } => {
                // Right-associative: `a ? b : c ? d : e`.
                write_at(f, cond, 2)?;
                f.write_str(" ? ")?;
                write_at(f, then, 1)?;
                f.write_str(" : ")?;
                write_at(f, otherwise, 1)
            }
        }
    }
}

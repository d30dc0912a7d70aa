//! Recursive-descent parser: tokens to [`Expr`].
//!
//! Precedence, loosest first (SpEL's, which Okta's EL is built on): ternary `?:` (right
//! associative), `||`/`OR`, `&&`/`AND`, comparisons (`==` `!=` `<` `<=` `>` `>=` `matches` and the
//! textual `eq ne lt le gt ge`; not chainable), unary `!`/`NOT`, primaries. Keywords are
//! case-insensitive, as in SpEL.

use super::ElError;
use super::ast::{BinOp, Expr, Literal};
use super::lexer::{Tok, Token, tokenize};

/// Deepest nesting accepted; deeper input is rejected instead of risking the stack.
pub const MAX_DEPTH: usize = 64;

/// Most binary operators accepted in one expression. Long `&&`/`||` chains build deep trees that
/// every later pass walks recursively; this bound keeps those walks far from the stack's limit.
/// \[unconfirmed\] Okta rejects "overly complex" expressions without documenting the bound.
pub const MAX_OPERATORS: usize = 256;

/// Parses a whole expression.
///
/// # Errors
/// [`ElError::Syntax`] with the byte offset of the offending token.
pub fn parse(src: &str) -> Result<Expr, ElError> {
    let tokens = tokenize(src)?;
    let mut p = Parser {
        tokens,
        at: 0,
        depth: 0,
        ops: 0,
        len: src.len(),
    };
    let e = p.ternary()?;
    match p.peek() {
        None => Ok(e),
        Some(t) => Err(p.error_at(t.pos, "unexpected token after the end of the expression")),
    }
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    depth: usize,
    ops: usize,
    len: usize,
}

fn keyword(t: &Tok) -> Option<String> {
    match t {
        Tok::Ident(s) => Some(s.to_ascii_lowercase()),
        _ => None,
    }
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn peek_kind(&self) -> Option<&Tok> {
        self.peek().map(|t| &t.kind)
    }

    fn pos(&self) -> usize {
        self.peek().map_or(self.len, |t| t.pos)
    }

    fn bump(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).cloned();
        if t.is_some() {
            self.at += 1;
        }
        t
    }

    fn error_at(&self, pos: usize, message: &str) -> ElError {
        ElError::Syntax {
            pos,
            message: message.to_owned(),
        }
    }

    fn expect(&mut self, want: &Tok, what: &str) -> Result<(), ElError> {
        if self.peek_kind() == Some(want) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.error_at(self.pos(), &format!("expected {what}")))
        }
    }

    fn enter(&mut self) -> Result<(), ElError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error_at(self.pos(), "expression is nested too deeply"));
        }
        Ok(())
    }

    fn count_op(&mut self) -> Result<(), ElError> {
        self.ops += 1;
        if self.ops > MAX_OPERATORS {
            return Err(self.error_at(self.pos(), "expression has too many operators"));
        }
        Ok(())
    }

    fn ternary(&mut self) -> Result<Expr, ElError> {
        self.enter()?;
        let cond = self.or()?;
        let e = if self.peek_kind() == Some(&Tok::Question) {
            self.at += 1;
            let then = self.ternary()?;
            self.expect(&Tok::Colon, "':' of a conditional expression")?;
            let otherwise = self.ternary()?;
            Expr::Ternary {
                cond: Box::new(cond),
                then: Box::new(then),
                otherwise: Box::new(otherwise),
            }
        } else {
            cond
        };
        self.depth -= 1;
        Ok(e)
    }

    fn or(&mut self) -> Result<Expr, ElError> {
        let mut lhs = self.and()?;
        while matches!(self.peek_kind(), Some(Tok::OrOr))
            || self.peek_kind().and_then(keyword).as_deref() == Some("or")
        {
            self.at += 1;
            self.count_op()?;
            let rhs = self.and()?;
            lhs = Expr::Binary {
                op: BinOp::Or,
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
            };
        }
        Ok(lhs)
    }

    fn and(&mut self) -> Result<Expr, ElError> {
        let mut lhs = self.comparison()?;
        while matches!(self.peek_kind(), Some(Tok::AndAnd))
            || self.peek_kind().and_then(keyword).as_deref() == Some("and")
        {
            self.at += 1;
            self.count_op()?;
            let rhs = self.comparison()?;
            lhs = Expr::Binary {
                op: BinOp::And,
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
            };
        }
        Ok(lhs)
    }

    fn comparison_op(&self) -> Option<BinOp> {
        match self.peek_kind()? {
            Tok::EqEq => Some(BinOp::Eq),
            Tok::NotEq => Some(BinOp::Ne),
            Tok::Lt => Some(BinOp::Lt),
            Tok::Le => Some(BinOp::Le),
            Tok::Gt => Some(BinOp::Gt),
            Tok::Ge => Some(BinOp::Ge),
            t => match keyword(t)?.as_str() {
                "eq" => Some(BinOp::Eq),
                "ne" => Some(BinOp::Ne),
                "lt" => Some(BinOp::Lt),
                "le" => Some(BinOp::Le),
                "gt" => Some(BinOp::Gt),
                "ge" => Some(BinOp::Ge),
                "matches" => Some(BinOp::Matches),
                _ => None,
            },
        }
    }

    fn comparison(&mut self) -> Result<Expr, ElError> {
        let lhs = self.unary()?;
        if self.peek_kind() == Some(&Tok::Assign) {
            return Err(ElError::Assignment { pos: self.pos() });
        }
        let Some(op) = self.comparison_op() else {
            return Ok(lhs);
        };
        self.at += 1;
        self.count_op()?;
        let rhs = self.unary()?;
        if self.comparison_op().is_some() {
            return Err(self.error_at(self.pos(), "comparisons cannot be chained"));
        }
        Ok(Expr::Binary {
            op,
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
        })
    }

    fn unary(&mut self) -> Result<Expr, ElError> {
        self.enter()?;
        let not = matches!(self.peek_kind(), Some(Tok::Bang))
            || (self.peek_kind().and_then(keyword).as_deref() == Some("not")
                // `not` followed by `(` or another operand; a path named `not.x` is unlikely.
                && !matches!(self.tokens.get(self.at + 1).map(|t| &t.kind), Some(Tok::Dot)));
        let e = if not {
            self.at += 1;
            Expr::Not(Box::new(self.unary()?))
        } else if self.peek_kind() == Some(&Tok::Minus) {
            self.at += 1;
            match self.bump() {
                Some(Token {
                    kind: Tok::Num(n), ..
                }) => Expr::Lit(Literal::Number(-n)),
                _ => return Err(self.error_at(self.pos(), "expected a number after '-'")),
            }
        } else {
            self.primary()?
        };
        self.depth -= 1;
        Ok(e)
    }

    fn args(&mut self) -> Result<Vec<Expr>, ElError> {
        self.expect(&Tok::LParen, "'('")?;
        let mut args = Vec::new();
        if self.peek_kind() == Some(&Tok::RParen) {
            self.at += 1;
            return Ok(args);
        }
        loop {
            args.push(self.ternary()?);
            match self.bump().map(|t| t.kind) {
                Some(Tok::Comma) => continue,
                Some(Tok::RParen) => return Ok(args),
                _ => return Err(self.error_at(self.pos(), "expected ',' or ')' in arguments")),
            }
        }
    }

    fn dotted_rest(&mut self, path: &mut Vec<String>) -> Result<(), ElError> {
        while self.peek_kind() == Some(&Tok::Dot) {
            self.at += 1;
            match self.bump() {
                Some(Token {
                    kind: Tok::Ident(s),
                    ..
                }) => path.push(s),
                _ => return Err(self.error_at(self.pos(), "expected a name after '.'")),
            }
        }
        Ok(())
    }

    fn primary(&mut self) -> Result<Expr, ElError> {
        let pos = self.pos();
        let Some(tok) = self.bump() else {
            return Err(self.error_at(pos, "unexpected end of expression"));
        };
        match tok.kind {
            Tok::Str(s) => Ok(Expr::Lit(Literal::Str(s))),
            Tok::Num(n) => Ok(Expr::Lit(Literal::Number(n))),
            Tok::LParen => {
                let e = self.ternary()?;
                self.expect(&Tok::RParen, "')'")?;
                Ok(e)
            }
            Tok::Ident(first) => {
                match first.to_ascii_lowercase().as_str() {
                    "true" => return Ok(Expr::Lit(Literal::Bool(true))),
                    "false" => return Ok(Expr::Lit(Literal::Bool(false))),
                    "null" => return Ok(Expr::Lit(Literal::Null)),
                    _ => {}
                }
                let mut path = vec![first];
                self.dotted_rest(&mut path)?;
                let is_call = self.peek_kind() == Some(&Tok::LParen);
                let is_user = path.first().is_some_and(|s| s == "user") && path.len() > 1;
                match (is_user, is_call) {
                    (true, true) if path.len() == 2 => Ok(Expr::UserMethod {
                        name: path.pop().unwrap_or_default(),
                        args: self.args()?,
                    }),
                    (true, false) => Ok(Expr::UserAttr(path.split_off(1))),
                    (false, true) | (true, true) => Ok(Expr::Call {
                        name: path.join("."),
                        args: self.args()?,
                    }),
                    (false, false) => Ok(Expr::Var(path)),
                }
            }
            _ => Err(self.error_at(pos, "expected a value, a name or '('")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Expr {
        match parse(s) {
            Ok(e) => e,
            Err(err) => panic!("{s}: {err}"),
        }
    }

    #[test]
    fn and_binds_tighter_than_or_and_not_tighter_than_comparison() {
        assert_eq!(p("a() || b() && c()").to_string(), "a() || b() && c()");
        assert!(matches!(
            p("a() || b() && c()"),
            Expr::Binary { op: BinOp::Or, .. }
        ));
        assert!(matches!(
            p("!user.a == true"),
            Expr::Binary { op: BinOp::Eq, .. }
        ));
    }

    #[test]
    fn keywords_are_case_insensitive_and_textual_operators_work() {
        assert_eq!(
            p(r#"user.a eq "x" AND NOT user.b or user.c GT 3"#),
            p(r#"user.a == "x" && !user.b || user.c > 3"#)
        );
    }

    #[test]
    fn user_references_calls_and_vars_are_told_apart() {
        assert_eq!(
            p("user.department"),
            Expr::UserAttr(vec!["department".into()])
        );
        assert!(matches!(
            p("user.getInternalProperty(\"status\")"),
            Expr::UserMethod { .. }
        ));
        assert!(matches!(
            p("String.stringContains(user.a, \"x\")"),
            Expr::Call { .. }
        ));
        assert_eq!(
            p("profile.dept"),
            Expr::Var(vec!["profile".into(), "dept".into()])
        );
    }

    #[test]
    fn ternary_is_right_associative() {
        let e = p("user.a ? 1 : user.b ? 2 : 3");
        let Expr::Ternary { otherwise, .. } = e else {
            panic!("not a ternary")
        };
        assert!(matches!(*otherwise, Expr::Ternary { .. }));
    }

    #[test]
    fn syntax_errors_carry_the_position() {
        assert!(matches!(
            parse("user.a == "),
            Err(ElError::Syntax { pos: 10, .. })
        ));
        assert!(matches!(
            parse("user.a == \"x\" AND"),
            Err(ElError::Syntax { .. })
        ));
        assert!(matches!(parse("(user.a"), Err(ElError::Syntax { .. })));
        assert!(matches!(
            parse("user.a = \"x\""),
            Err(ElError::Assignment { pos: 7 })
        ));
        assert!(matches!(parse("1 == 2 == 3"), Err(ElError::Syntax { .. })));
        assert!(matches!(parse(""), Err(ElError::Syntax { pos: 0, .. })));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = format!("{}true{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(matches!(parse(&deep), Err(ElError::Syntax { .. })));
        let nots = format!("{}true", "!".repeat(10_000));
        assert!(parse(&nots).is_err());
        let chain = vec!["true"; 10_000].join(" && ");
        assert!(parse(&chain).is_err());
    }
}

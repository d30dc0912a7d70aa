//! Tokenizer and recursive-descent parser.

use super::{Expr, Lit, Op};

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    LParen,
    RParen,
}

fn lex(input: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let chars: Vec<char> = input.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                out.push(Tok::LParen);
                i += 1;
            }
            ')' => {
                out.push(Tok::RParen);
                i += 1;
            }
            '"' => {
                i += 1;
                let mut s = String::new();
                loop {
                    match chars.get(i) {
                        None => return Err("Unterminated string literal".into()),
                        Some('"') => {
                            i += 1;
                            break;
                        }
                        Some('\\') => {
                            let e = chars.get(i + 1).ok_or("Unterminated string literal")?;
                            match e {
                                '"' | '\\' | '/' => s.push(*e),
                                'n' => s.push('\n'),
                                't' => s.push('\t'),
                                'r' => s.push('\r'),
                                'b' => s.push('\u{8}'),
                                'f' => s.push('\u{c}'),
                                'u' => {
                                    let hex: String = chars
                                        .get(i + 2..i + 6)
                                        .ok_or("Bad \\u escape")?
                                        .iter()
                                        .collect();
                                    let v = u32::from_str_radix(&hex, 16)
                                        .map_err(|_| "Bad \\u escape")?;
                                    s.push(char::from_u32(v).ok_or("Bad \\u escape")?);
                                    i += 4;
                                }
                                other => {
                                    return Err(format!("Invalid escape '\\{other}' in string"));
                                }
                            }
                            i += 2;
                        }
                        Some(ch) => {
                            s.push(*ch);
                            i += 1;
                        }
                    }
                }
                out.push(Tok::Str(s));
            }
            _ => {
                let start = i;
                while i < chars.len()
                    && !chars[i].is_whitespace()
                    && !matches!(chars[i], '(' | ')' | '"')
                {
                    i += 1;
                }
                out.push(Tok::Word(chars[start..i].iter().collect()));
            }
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
    depth: usize,
}

const MAX_DEPTH: usize = 64;

impl Parser {
    fn peek_word(&self, w: &str) -> bool {
        matches!(self.toks.get(self.pos), Some(Tok::Word(x)) if x.eq_ignore_ascii_case(w))
    }

    fn expr(&mut self) -> Result<Expr, String> {
        let mut left = self.and()?;
        while self.peek_word("or") {
            self.pos += 1;
            let right = self.and()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut left = self.primary()?;
        while self.peek_word("and") {
            self.pos += 1;
            let right = self.primary()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn primary(&mut self) -> Result<Expr, String> {
        match self.toks.get(self.pos).cloned() {
            Some(Tok::LParen) => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err("Expression is too complex".into());
                }
                self.pos += 1;
                let e = self.expr()?;
                match self.toks.get(self.pos) {
                    Some(Tok::RParen) => {
                        self.pos += 1;
                        self.depth -= 1;
                        Ok(e)
                    }
                    _ => Err("Missing closing parenthesis".into()),
                }
            }
            Some(Tok::Word(w)) => {
                if w.eq_ignore_ascii_case("not") {
                    return Err("The 'not' operator is not supported".into());
                }
                if w.eq_ignore_ascii_case("and") || w.eq_ignore_ascii_case("or") {
                    return Err(format!("Unexpected '{w}'"));
                }
                if !valid_attr(&w) {
                    return Err(format!("Invalid attribute name '{w}'"));
                }
                self.pos += 1;
                let op = match self.toks.get(self.pos) {
                    Some(Tok::Word(o)) => o.clone(),
                    _ => return Err(format!("Missing operator after '{w}'")),
                };
                self.pos += 1;
                if op.eq_ignore_ascii_case("pr") {
                    return Ok(Expr::Present(w));
                }
                let op = Op::parse(&op).ok_or_else(|| format!("Unknown operator '{op}'"))?;
                let value = match self.toks.get(self.pos) {
                    Some(Tok::Str(s)) => Lit::Str(s.clone()),
                    Some(Tok::Word(v)) if v == "true" => Lit::Bool(true),
                    Some(Tok::Word(v)) if v == "false" => Lit::Bool(false),
                    Some(Tok::Word(v)) if v == "null" => Lit::Null,
                    Some(Tok::Word(v)) => {
                        Lit::Num(v.parse::<f64>().ok().filter(|n| n.is_finite()).ok_or_else(
                            || format!("Invalid value '{v}': strings must be quoted"),
                        )?)
                    }
                    _ => return Err(format!("Missing value after '{w} {}'", op.as_str())),
                };
                self.pos += 1;
                Ok(Expr::Cmp { attr: w, op, value })
            }
            Some(Tok::RParen) => Err("Unexpected ')'".into()),
            Some(Tok::Str(s)) => Err(format!("Unexpected string \"{s}\"")),
            None => Err("Unexpected end of expression".into()),
        }
    }
}

fn valid_attr(w: &str) -> bool {
    !w.is_empty()
        && w.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && w.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':'))
        && !w.ends_with('.')
}

/// Parses an expression.
///
/// # Errors
/// A message naming what is wrong, for `errorCauses`.
pub(crate) fn parse(input: &str) -> Result<Expr, String> {
    if input.len() > 4096 {
        return Err("Expression is too long".into());
    }
    let toks = lex(input)?;
    let mut p = Parser {
        toks,
        pos: 0,
        depth: 0,
    };
    let e = p.expr()?;
    if p.pos != p.toks.len() {
        return Err("Unexpected trailing input".into());
    }
    Ok(e)
}

//! Tokenizer for the expression language.

use super::ElError;

/// A token with its byte offset in the source.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub kind: Tok,
    pub pos: usize,
}

/// Token kinds.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    Ident(String),
    Str(String),
    Num(f64),
    EqEq,
    NotEq,
    Lt,
    Le,
    Gt,
    Ge,
    AndAnd,
    OrOr,
    Bang,
    Minus,
    LParen,
    RParen,
    Comma,
    Dot,
    Question,
    Colon,
    /// A single `=`: assignment, which Okta rejects in group rules.
    Assign,
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || c == '$'
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '$'
}

/// Splits `src` into tokens.
///
/// # Errors
/// [`ElError::Syntax`] on an unterminated string, a bad number or an unexpected character.
pub(crate) fn tokenize(src: &str) -> Result<Vec<Token>, ElError> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = src.char_indices().collect();
    let mut i = 0;
    while let Some(&(pos, c)) = chars.get(i) {
        let next = chars.get(i + 1).map(|&(_, c)| c);
        let mut push = |kind: Tok, len: usize| {
            out.push(Token { kind, pos });
            len
        };
        i += match (c, next) {
            (c, _) if c.is_whitespace() => 1,
            ('=', Some('=')) => push(Tok::EqEq, 2),
            ('=', _) => push(Tok::Assign, 1),
            ('!', Some('=')) => push(Tok::NotEq, 2),
            ('!', _) => push(Tok::Bang, 1),
            ('<', Some('=')) => push(Tok::Le, 2),
            ('<', _) => push(Tok::Lt, 1),
            ('>', Some('=')) => push(Tok::Ge, 2),
            ('>', _) => push(Tok::Gt, 1),
            ('&', Some('&')) => push(Tok::AndAnd, 2),
            ('|', Some('|')) => push(Tok::OrOr, 2),
            ('-', _) => push(Tok::Minus, 1),
            ('(', _) => push(Tok::LParen, 1),
            (')', _) => push(Tok::RParen, 1),
            (',', _) => push(Tok::Comma, 1),
            ('.', _) => push(Tok::Dot, 1),
            ('?', _) => push(Tok::Question, 1),
            (':', _) => push(Tok::Colon, 1),
            ('"' | '\'', _) => {
                // SpEL strings: the delimiter doubled inside the string stands for itself.
                let quote = c;
                let mut s = String::new();
                let mut j = i + 1;
                loop {
                    match chars.get(j) {
                        None => {
                            return Err(ElError::Syntax {
                                pos,
                                message: "unterminated string literal".into(),
                            });
                        }
                        Some(&(_, q)) if q == quote => {
                            if chars.get(j + 1).map(|&(_, c)| c) == Some(quote) {
                                s.push(quote);
                                j += 2;
                            } else {
                                j += 1;
                                break;
                            }
                        }
                        Some(&(_, ch)) => {
                            s.push(ch);
                            j += 1;
                        }
                    }
                }
                out.push(Token {
                    kind: Tok::Str(s),
                    pos,
                });
                j - i
            }
            (c, _) if c.is_ascii_digit() => {
                let mut j = i;
                let mut seen_dot = false;
                while let Some(&(_, d)) = chars.get(j) {
                    let dot_then_digit = d == '.'
                        && !seen_dot
                        && chars.get(j + 1).is_some_and(|&(_, n)| n.is_ascii_digit());
                    if d.is_ascii_digit() {
                        j += 1;
                    } else if dot_then_digit {
                        seen_dot = true;
                        j += 1;
                    } else {
                        break;
                    }
                }
                let end = chars.get(j).map_or(src.len(), |&(p, _)| p);
                let text = src.get(pos..end).unwrap_or_default();
                match text.parse::<f64>() {
                    Ok(n) if n.is_finite() => out.push(Token {
                        kind: Tok::Num(n),
                        pos,
                    }),
                    _ => {
                        return Err(ElError::Syntax {
                            pos,
                            message: format!("invalid number {text}"),
                        });
                    }
                }
                j - i
            }
            (c, _) if is_ident_start(c) => {
                let mut j = i;
                let mut s = String::new();
                while let Some(&(_, d)) = chars.get(j) {
                    if !is_ident_char(d) {
                        break;
                    }
                    s.push(d);
                    j += 1;
                }
                out.push(Token {
                    kind: Tok::Ident(s),
                    pos,
                });
                j - i
            }
            (c, _) => {
                return Err(ElError::Syntax {
                    pos,
                    message: format!("unexpected character '{c}'"),
                });
            }
        };
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<Tok> {
        tokenize(s)
            .unwrap_or_default()
            .into_iter()
            .map(|t| t.kind)
            .collect()
    }

    #[test]
    fn tokenizes_operators_strings_and_numbers() {
        assert_eq!(
            kinds(r#"user.a=="x" && 'it''s'>=1.5"#),
            vec![
                Tok::Ident("user".into()),
                Tok::Dot,
                Tok::Ident("a".into()),
                Tok::EqEq,
                Tok::Str("x".into()),
                Tok::AndAnd,
                Tok::Str("it's".into()),
                Tok::Ge,
                Tok::Num(1.5),
            ]
        );
    }

    #[test]
    fn rejects_unterminated_strings_and_stray_characters() {
        assert!(matches!(
            tokenize("\"abc"),
            Err(ElError::Syntax { pos: 0, .. })
        ));
        assert!(matches!(
            tokenize("a # b"),
            Err(ElError::Syntax { pos: 2, .. })
        ));
        assert!(matches!(tokenize("a & b"), Err(ElError::Syntax { .. })));
    }

    #[test]
    fn a_number_does_not_swallow_a_trailing_dot() {
        assert_eq!(kinds("1."), vec![Tok::Num(1.0), Tok::Dot]);
    }
}

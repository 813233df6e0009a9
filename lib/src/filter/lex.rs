//! Filter text to tokens, each with its column for error messages.

use rust_decimal::Decimal;
use std::str::FromStr;

use super::{Literal, Op, SyntaxError};
use crate::model::values::parse_date;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    Ident(String),
    Literal(Literal),
    Op(Op),
    Open,
    Close,
    And,
    Or,
    Not,
    End,
}

#[derive(Debug, Clone)]
pub(super) struct Token {
    pub(super) kind: Tok,
    pub(super) column: usize,
    pub(super) text: String,
}

impl Token {
    /// The token as error messages name it.
    pub(super) fn found(&self) -> String {
        match self.kind {
            Tok::End => "the end of the filter".into(),
            _ => format!("`{}`", self.text),
        }
    }

    pub(super) fn error(&self, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            column: self.column,
            message: message.into(),
        }
    }
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
}

pub(super) fn lex(text: &str) -> std::result::Result<Vec<Token>, SyntaxError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let error = |message: String| SyntaxError {
            column: start + 1,
            message,
        };
        let next = chars.get(i + 1).copied();
        let kind = match c {
            '(' => {
                i += 1;
                Tok::Open
            }
            ')' => {
                i += 1;
                Tok::Close
            }
            '=' => {
                // `==` is accepted too: people coming from programming languages type it.
                i += if next == Some('=') { 2 } else { 1 };
                Tok::Op(Op::Eq)
            }
            '!' if next == Some('=') => {
                i += 2;
                Tok::Op(Op::Ne)
            }
            '<' | '>' => {
                let or_equal = next == Some('=');
                i += if or_equal { 2 } else { 1 };
                Tok::Op(match (c, or_equal) {
                    ('<', false) => Op::Lt,
                    ('<', true) => Op::Le,
                    ('>', false) => Op::Gt,
                    _ => Op::Ge,
                })
            }
            '"' | '\'' => {
                let (value, end) = lex_string(&chars, i)
                    .ok_or_else(|| error(format!("unterminated string: add the closing {c}")))?;
                i = end;
                Tok::Literal(Literal::Text(value))
            }
            c if c.is_ascii_digit() || (c == '-' && next.is_some_and(|n| n.is_ascii_digit())) => {
                i += 1;
                while i < chars.len()
                    && (chars[i].is_ascii_alphanumeric() || matches!(chars[i], '.' | '-'))
                {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                Tok::Literal(number_or_date(&word).map_err(error)?)
            }
            c if is_ident_start(c) => {
                while i < chars.len() && is_ident_char(chars[i]) {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                match word.to_ascii_lowercase().as_str() {
                    "and" => Tok::And,
                    "or" => Tok::Or,
                    "not" => Tok::Not,
                    "contains" => Tok::Op(Op::Contains),
                    "true" => Tok::Literal(Literal::Bool(true)),
                    "false" => Tok::Literal(Literal::Bool(false)),
                    "null" => Tok::Literal(Literal::Null),
                    _ => Tok::Ident(word),
                }
            }
            other => return Err(error(format!("unexpected character `{other}`"))),
        };
        tokens.push(Token {
            kind,
            column: start + 1,
            text: chars[start..i].iter().collect(),
        });
    }
    tokens.push(Token {
        kind: Tok::End,
        column: chars.len() + 1,
        text: String::new(),
    });
    Ok(tokens)
}

/// A quoted string starting at `start`: its value (with `\"`, `\'` and `\\`
/// unescaped) and the index after the closing quote.
fn lex_string(chars: &[char], start: usize) -> Option<(String, usize)> {
    let quote = chars[start];
    let mut value = String::new();
    let mut i = start + 1;
    while i < chars.len() {
        match chars[i] {
            '\\' if i + 1 < chars.len() => {
                value.push(chars[i + 1]);
                i += 2;
            }
            c if c == quote => return Some((value, i + 1)),
            c => {
                value.push(c);
                i += 1;
            }
        }
    }
    None
}

fn number_or_date(word: &str) -> std::result::Result<Literal, String> {
    let looks_like_date = word.len() == 10 && word.as_bytes()[4] == b'-';
    if looks_like_date {
        return parse_date(word).map(Literal::Date);
    }
    Decimal::from_str(word)
        .map(Literal::Number)
        .map_err(|_| format!("`{word}` is not a number (or a date: YYYY-MM-DD)"))
}

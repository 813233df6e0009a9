//! Tokens to a type-checked expression (the grammar is in the module above).

use super::field::{Field, Type};
use super::lex::{Tok, Token, lex};
use super::{Expr, Literal, Op, SyntaxError};
use crate::model::values::parse_date;

struct Parser {
    tokens: Vec<Token>,
    next: usize,
    /// How many `not`s and parentheses enclose the token being read.
    depth: usize,
}

/// How deeply `not` and parentheses may nest: far beyond any filter a person
/// writes, and far below what would exhaust the stack (a filter in relate.yaml
/// is read by every command of every teammate).
pub const MAX_DEPTH: usize = 64;

const VALUE_FORMS: &str =
    r#"a "quoted" string, a number, a date (YYYY-MM-DD), true, false or null"#;

/// Parses the whole of `text` into an expression.
pub(super) fn expression(text: &str) -> std::result::Result<Expr, SyntaxError> {
    let tokens = lex(text)?;
    let mut parser = Parser {
        tokens,
        next: 0,
        depth: 0,
    };
    let expr = parser.or()?;
    let token = parser.peek();
    if token.kind != Tok::End {
        return Err(token.error(format!(
            "expected `and`, `or` or the end of the filter, found {}",
            token.found()
        )));
    }
    Ok(expr)
}

impl Parser {
    fn peek(&self) -> &Token {
        &self.tokens[self.next]
    }

    fn advance(&mut self) -> Token {
        let token = self.tokens[self.next].clone();
        if token.kind != Tok::End {
            self.next += 1;
        }
        token
    }

    fn or(&mut self) -> std::result::Result<Expr, SyntaxError> {
        let mut items = vec![self.and()?];
        while self.peek().kind == Tok::Or {
            self.advance();
            items.push(self.and()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::Or(items)
        })
    }

    fn and(&mut self) -> std::result::Result<Expr, SyntaxError> {
        let mut items = vec![self.not()?];
        while self.peek().kind == Tok::And {
            self.advance();
            items.push(self.not()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::And(items)
        })
    }

    fn not(&mut self) -> std::result::Result<Expr, SyntaxError> {
        if matches!(self.peek().kind, Tok::Not | Tok::Open) {
            if self.depth >= MAX_DEPTH {
                return Err(self.peek().error(format!(
                    "`not` and parentheses nest more than {MAX_DEPTH} levels deep here"
                )));
            }
            self.depth += 1;
            let expr = self.negation_or_group();
            self.depth -= 1;
            return expr;
        }
        self.comparison()
    }

    fn negation_or_group(&mut self) -> std::result::Result<Expr, SyntaxError> {
        match self.peek().kind {
            Tok::Not => {
                self.advance();
                Ok(Expr::Not(Box::new(self.not()?)))
            }
            Tok::Open => {
                let open = self.advance();
                let inner = self.or()?;
                let close = self.advance();
                if close.kind != Tok::Close {
                    return Err(close.error(format!(
                        "expected `)` to close the `(` at column {}, found {}",
                        open.column,
                        close.found()
                    )));
                }
                Ok(inner)
            }
            _ => self.comparison(),
        }
    }

    fn comparison(&mut self) -> std::result::Result<Expr, SyntaxError> {
        let name = self.advance();
        let Tok::Ident(field_name) = &name.kind else {
            return Err(name.error(format!(
                "expected a field name (such as `region` or `orders.total`), found {}",
                name.found()
            )));
        };
        let field = Field::parse(field_name).map_err(|message| name.error(message))?;
        let op_token = self.advance();
        let Tok::Op(op) = op_token.kind else {
            return Err(op_token.error(format!(
                "expected an operator (=, !=, <, <=, >, >= or contains) after `{field_name}`, found {}",
                op_token.found()
            )));
        };
        let value = self.advance();
        let Tok::Literal(literal) = value.kind.clone() else {
            let quote = match &value.kind {
                Tok::Ident(word) => format!(" (text goes in quotes: \"{word}\")"),
                _ => String::new(),
            };
            return Err(value.error(format!(
                "expected a value after `{}`: {VALUE_FORMS}{quote}",
                op.text()
            )));
        };
        let literal = check(&field, op, literal).map_err(|mistake| match mistake {
            Mistake::Operator(message) => op_token.error(message),
            Mistake::Value(message) => value.error(message),
        })?;
        Ok(Expr::Compare(field, op, literal))
    }
}

/// What is wrong with a comparison: the operator for the field, or the value.
enum Mistake {
    Operator(String),
    Value(String),
}

/// Checks that `field op literal` makes sense; returns the literal in the
/// field's type (a quoted date for a date field becomes a date).
fn check(field: &Field, op: Op, literal: Literal) -> std::result::Result<Literal, Mistake> {
    let name = field.name();
    let ty = field.value_type();
    let ordering = !matches!(op, Op::Eq | Op::Ne | Op::Contains);
    match (ty, op) {
        (Type::Number | Type::Date | Type::Keyword(..), Op::Contains) => {
            return Err(Mistake::Operator(format!(
                "`contains` applies to text and lists; `{name}` is neither"
            )));
        }
        (Type::List, Op::Eq | Op::Ne) if literal != Literal::Null => {
            return Err(Mistake::Operator(format!(
                "`{name}` is a list: test it with `{name} contains \"...\"`"
            )));
        }
        (Type::List | Type::Keyword(..), _) if ordering => {
            return Err(Mistake::Operator(format!("only = and != compare `{name}`")));
        }
        _ => {}
    }
    let value_error = |message: String| Err(Mistake::Value(message));
    match (ty, literal) {
        (_, Literal::Null) if ordering || op == Op::Contains => value_error(format!(
            "only `= null` and `!= null` test for a missing `{name}`"
        )),
        (_, Literal::Null) => Ok(Literal::Null),
        (_, Literal::Text(text)) if op == Op::Contains => Ok(Literal::Text(text)),
        (_, _) if op == Op::Contains => value_error(r#"`contains` takes a "quoted" string"#.into()),
        (Type::Keyword(what, names), Literal::Text(text)) => {
            if names.contains(&text.as_str()) {
                Ok(Literal::Text(text))
            } else {
                value_error(format!(
                    "`{text}` is not a {what}: use one of {}",
                    names.join(", ")
                ))
            }
        }
        (Type::Text | Type::Any, Literal::Text(text)) => Ok(Literal::Text(text)),
        (Type::Number | Type::Any, Literal::Number(n)) => Ok(Literal::Number(n)),
        (Type::Date | Type::Any, Literal::Date(d)) => Ok(Literal::Date(d)),
        (Type::Date, Literal::Text(text)) => {
            parse_date(&text).map(Literal::Date).map_err(Mistake::Value)
        }
        (Type::Any, Literal::Bool(b)) if !ordering => Ok(Literal::Bool(b)),
        (ty, _) => value_error(format!(
            "`{name}` takes {}",
            match ty {
                Type::Text | Type::Keyword(..) | Type::List => r#"a "quoted" string"#,
                Type::Number => "a number",
                Type::Date => "a date (YYYY-MM-DD)",
                Type::Any => "a string, number, date or, with = and !=, true or false",
            }
        )),
    }
}

//! `FIELD=VALUE` assignments, as typed after `relate customer set ID`.

use std::fmt;
use std::str::FromStr;

use super::{Record, id};
use crate::error::Error;

/// A record whose fields `relate KIND set` changes, one assignment at a time.
pub trait Assign: Record {
    /// The fields `set` changes, in file order: the did-you-mean candidates.
    const FIELDS: &'static [&'static str];

    /// Applies `FIELD=VALUE` (or `+=`, `-=` on lists).
    fn assign(&mut self, assignment: &Assignment) -> Result<(), String>;

    /// The commands that keep `field` (a deal's stage and its history, a
    /// ticket's status), which `set` leaves to them.
    fn kept_by(_field: &str) -> Option<&'static [&'static str]> {
        None
    }

    /// Why the record takes no change at all, if it does not (a launched campaign).
    fn frozen(&self) -> Option<Error> {
        None
    }
}

/// The error for a field `set` does not know, with the closest known one.
pub fn unknown_field<T: Assign>(field: &str) -> String {
    let fields: Vec<String> = T::FIELDS.iter().map(|f| f.to_string()).collect();
    let suggestion = id::suggest(field, &fields)
        .map(|f| format!(": did you mean `{f}`?"))
        .unwrap_or_else(|| format!(": the fields are {}", T::FIELDS.join(", ")));
    format!("unknown {} field `{field}`{suggestion}", T::KIND)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `field=value`: replace (an empty value unsets the field).
    Set,
    /// `field+=value`: add to a list.
    Add,
    /// `field-=value`: remove from a list.
    Remove,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub field: String,
    pub op: Op,
    pub value: String,
}

impl FromStr for Assignment {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let (lhs, value) = text
            .split_once('=')
            .ok_or_else(|| format!("`{text}` is not FIELD=VALUE"))?;
        let (field, op) = if let Some(field) = lhs.strip_suffix('+') {
            (field, Op::Add)
        } else if let Some(field) = lhs.strip_suffix('-') {
            (field, Op::Remove)
        } else {
            (lhs, Op::Set)
        };
        let field = field.trim();
        if field.is_empty() {
            return Err(format!("`{text}` names no field"));
        }
        Ok(Assignment {
            field: field.to_string(),
            op,
            value: value.to_string(),
        })
    }
}

impl fmt::Display for Assignment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = match self.op {
            Op::Set => "=",
            Op::Add => "+=",
            Op::Remove => "-=",
        };
        write!(f, "{}{op}{}", self.field, self.value)
    }
}

impl Assignment {
    /// The value for a single-valued field: `None` when empty (unset).
    pub fn scalar(&self) -> Result<Option<&str>, String> {
        if self.op != Op::Set {
            return Err(format!(
                "`{}` holds one value: use {}=VALUE",
                self.field, self.field
            ));
        }
        let value = self.value.trim();
        Ok((!value.is_empty()).then_some(value))
    }

    /// Applies the assignment to a list field: `=` replaces with a comma-separated
    /// list, `+=` adds an item unless present, `-=` removes one.
    pub fn apply_to_list(&self, list: &mut Vec<String>) -> Result<(), String> {
        let value = self.value.trim();
        match self.op {
            Op::Set => {
                *list = value
                    .split(',')
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(String::from)
                    .collect();
            }
            Op::Add => {
                if value.is_empty() {
                    return Err(format!("`{self}` adds nothing"));
                }
                if !list.iter().any(|v| v == value) {
                    list.push(value.to_string());
                }
            }
            Op::Remove => {
                let before = list.len();
                list.retain(|v| v != value);
                if list.len() == before {
                    return Err(format!("`{}` does not contain `{value}`", self.field));
                }
            }
        }
        Ok(())
    }

    /// The text of a single-valued optional field: `None` unsets it.
    pub fn text<S: for<'a> From<&'a str>>(&self) -> Result<Option<S>, String> {
        Ok(self.scalar()?.map(S::from))
    }

    /// The text of a field a record cannot be without.
    pub fn required<S: for<'a> From<&'a str>>(&self) -> Result<S, String> {
        self.text()?
            .ok_or_else(|| format!("`{}` cannot be unset", self.field))
    }

    /// The id of another record, for a reference field (`None` unsets it).
    pub fn reference<S: for<'a> From<&'a str>>(&self) -> Result<Option<S>, String> {
        self.parsed(|value| match id::invalid_reason(value) {
            Some(reason) => Err(reason),
            None => Ok(S::from(value)),
        })
    }

    /// A whole number (a count of days or years, a score).
    pub fn whole<N: FromStr>(&self) -> Result<Option<N>, String> {
        self.parsed(|value| {
            value
                .parse()
                .map_err(|_| format!("`{}`: `{value}` is not a whole number", self.field))
        })
    }

    /// Parses the value with `parse`, for typed single-valued fields.
    pub fn parsed<T>(
        &self,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Result<Option<T>, String> {
        self.scalar()?.map(parse).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_operators() {
        let a: Assignment = "tags+=vip".parse().unwrap();
        assert_eq!(
            (a.field.as_str(), a.op, a.value.as_str()),
            ("tags", Op::Add, "vip")
        );
        let a: Assignment = "tags-=vip".parse().unwrap();
        assert_eq!(a.op, Op::Remove);
        let a: Assignment = "fields.size=a=b".parse().unwrap();
        assert_eq!((a.field.as_str(), a.value.as_str()), ("fields.size", "a=b"));
        assert!("novalue".parse::<Assignment>().is_err());
        assert!("=x".parse::<Assignment>().is_err());
    }

    #[test]
    fn list_operations() {
        let mut list = vec!["a".to_string()];
        "t+=b"
            .parse::<Assignment>()
            .unwrap()
            .apply_to_list(&mut list)
            .unwrap();
        "t+=b"
            .parse::<Assignment>()
            .unwrap()
            .apply_to_list(&mut list)
            .unwrap();
        assert_eq!(list, ["a", "b"]);
        "t-=a"
            .parse::<Assignment>()
            .unwrap()
            .apply_to_list(&mut list)
            .unwrap();
        assert_eq!(list, ["b"]);
        assert!(
            "t-=zz"
                .parse::<Assignment>()
                .unwrap()
                .apply_to_list(&mut list)
                .is_err()
        );
        "t=x, y,"
            .parse::<Assignment>()
            .unwrap()
            .apply_to_list(&mut list)
            .unwrap();
        assert_eq!(list, ["x", "y"]);
    }
}

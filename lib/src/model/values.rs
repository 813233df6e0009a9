//! Scalar value types shared by the records: exact decimals, dates and date-times,
//! with the serde representations the file format promises (plain numbers, ISO 8601).

use chrono::{DateTime, FixedOffset, NaiveDate, SecondsFormat, TimeZone, Utc};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use std::str::FromStr;

pub type Timestamp = DateTime<FixedOffset>;

/// Parses an exact decimal, refusing floats' exponent notation and garbage.
pub fn parse_decimal(text: &str) -> Result<Decimal, String> {
    Decimal::from_str(text.trim()).map_err(|_| format!("`{text}` is not a number"))
}

/// Parses a date `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("`{text}` is not a date: use YYYY-MM-DD"))
}

/// Parses an RFC 3339 date-time, or a bare date meaning midnight UTC.
pub fn parse_timestamp(text: &str) -> Result<Timestamp, String> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at);
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(midnight_utc(date));
    }
    Err(format!(
        "`{text}` is not a date-time: use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS with an offset (e.g. 2026-11-22T10:15:00Z)"
    ))
}

pub fn midnight_utc(date: NaiveDate) -> Timestamp {
    Utc.from_utc_datetime(&date.and_hms_opt(0, 0, 0).expect("midnight exists"))
        .fixed_offset()
}

/// The form written to files: seconds precision, `Z` for UTC.
pub fn format_timestamp(at: &Timestamp) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// The UTC calendar date of a date-time; dated records are filed under it.
pub fn utc_date(at: &Timestamp) -> NaiveDate {
    at.with_timezone(&Utc).date_naive()
}

/// Serde for an exact decimal written as a plain YAML/JSON number.
///
/// A decimal that an `f64` carries exactly (in its shortest form) is written as
/// a number; anything longer falls back to a string so no digit is ever lost.
/// Reading accepts integers, floats (through their shortest decimal form, so
/// `19.9` is exactly 19.9) and numeric strings.
pub mod decimal {
    use super::*;
    use serde::{Deserializer, Serializer, de};

    pub fn serialize<S: Serializer>(value: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        let value = value.normalize();
        if value.scale() == 0
            && let Some(int) = value.to_i64()
        {
            return s.serialize_i64(int);
        }
        if let Some(float) = value.to_f64()
            && Decimal::from_str(&float.to_string()).ok() == Some(value)
        {
            return s.serialize_f64(float);
        }
        s.serialize_str(&value.to_string())
    }

    struct Visitor;

    impl de::Visitor<'_> for Visitor {
        type Value = Decimal;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a number")
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
            Ok(Decimal::from(v))
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
            Ok(Decimal::from(v))
        }

        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
            if !v.is_finite() {
                return Err(E::custom("expected a finite number"));
            }
            Decimal::from_str(&v.to_string()).map_err(E::custom)
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
            parse_decimal(v).map_err(E::custom)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        d.deserialize_any(Visitor)
    }
}

/// [`decimal`] for optional fields.
pub mod opt_decimal {
    use super::*;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(value) => decimal::serialize(value, s),
            None => s.serialize_none(),
        }
    }

    #[derive(Deserialize)]
    struct Wrapped(#[serde(with = "decimal")] Decimal);

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        Ok(Option::<Wrapped>::deserialize(d)?.map(|Wrapped(v)| v))
    }
}

/// Serde for a date-time: RFC 3339 out, RFC 3339 or a bare date in.
pub mod timestamp {
    use super::*;
    use serde::{Deserialize, Deserializer, Serializer, de};

    pub fn serialize<S: Serializer>(value: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_timestamp(value))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        let text = String::deserialize(d)?;
        parse_timestamp(&text).map_err(de::Error::custom)
    }
}

/// [`timestamp`] for optional fields.
pub mod opt_timestamp {
    use super::*;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(value) => timestamp::serialize(value, s),
            None => s.serialize_none(),
        }
    }

    #[derive(Deserialize)]
    struct Wrapped(#[serde(with = "timestamp")] Timestamp);

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
        Ok(Option::<Wrapped>::deserialize(d)?.map(|Wrapped(v)| v))
    }
}

/// Hours between two date-times, as a fraction (negative when `to` is earlier).
pub fn hours_between(from: &Timestamp, to: &Timestamp) -> f64 {
    (*to - *from).num_seconds() as f64 / 3600.0
}

/// A number of hours as a duration, to the second.
pub fn hours(hours: Decimal) -> chrono::Duration {
    let seconds = (hours * Decimal::from(3600))
        .round()
        .to_i64()
        .unwrap_or(i64::MAX);
    chrono::Duration::try_seconds(seconds).unwrap_or(chrono::Duration::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};

    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    struct Money {
        #[serde(with = "decimal")]
        amount: Decimal,
        #[serde(with = "opt_decimal", default, skip_serializing_if = "Option::is_none")]
        cost: Option<Decimal>,
    }

    #[test]
    fn decimals_round_trip_exactly_as_plain_numbers() {
        for text in ["0.1", "19.9", "1200", "1200.5", "-3.25", "12345678.99"] {
            let money = Money {
                amount: Decimal::from_str(text).unwrap(),
                cost: None,
            };
            let yaml = serde_yaml::to_string(&money).unwrap();
            assert_eq!(yaml, format!("amount: {text}\n"));
            assert_eq!(serde_yaml::from_str::<Money>(&yaml).unwrap(), money);
        }
        let read: Money = serde_yaml::from_str("amount: '19.90'\ncost: 7\n").unwrap();
        assert_eq!(read.amount, Decimal::from_str("19.9").unwrap());
        assert_eq!(read.cost, Some(Decimal::from(7)));
    }

    #[test]
    fn sums_do_not_drift() {
        let read: Money = serde_yaml::from_str("amount: 0.1").unwrap();
        let sum: Decimal = (0..10).map(|_| read.amount).sum();
        assert_eq!(sum, Decimal::ONE);
    }

    #[test]
    fn timestamps() {
        let at = parse_timestamp("2026-11-22").unwrap();
        assert_eq!(format_timestamp(&at), "2026-11-22T00:00:00Z");
        let at = parse_timestamp("2026-11-22T10:15:00+01:00").unwrap();
        assert_eq!(format_timestamp(&at), "2026-11-22T10:15:00+01:00");
        assert!(parse_timestamp("22/11/2026").is_err());
        assert!(parse_date("2026-02-30").is_err());
    }
}

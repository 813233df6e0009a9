//! Scalar value types shared by the records: exact decimals, dates and date-times,
//! with the serde representations the file format promises (plain numbers, ISO 8601).

use chrono::{
    DateTime, Datelike, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset,
    SecondsFormat, TimeZone, Timelike, Utc,
};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use std::fmt;
use std::str::FromStr;

pub type Timestamp = DateTime<FixedOffset>;

/// Parses an exact decimal, refusing floats' exponent notation and garbage.
pub fn parse_decimal(text: &str) -> Result<Decimal, String> {
    let value = Decimal::from_str(text.trim()).map_err(|_| format!("`{text}` is not a number"))?;
    bounded(value)
}

/// The largest amount or quantity relate keeps (10^15, either sign): beyond
/// any price, order or income, in any currency (a billion dollars is 1.6 x
/// 10^13 rupiah), and small enough that no sum of records can overflow exact
/// decimal arithmetic (28 digits).
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(2_764_472_320, 232_830, 0, false, 0);

/// `value`, unless it is beyond [`MAX_AMOUNT`].
pub fn bounded(value: Decimal) -> Result<Decimal, String> {
    if value.abs() > MAX_AMOUNT {
        Err(format!(
            "{value} is beyond the largest amount relate keeps, {MAX_AMOUNT}"
        ))
    } else {
        Ok(value)
    }
}

/// Parses a date `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("`{text}` is not a date: use YYYY-MM-DD"))
}

/// A date as people type it on the command line: `YYYY-MM-DD`, or relative
/// to `today`: `today`, `yesterday`, `tomorrow`, a signed count of days,
/// weeks, months or years (`+3d`, `-2w`, `+1m`, `-1y`; a month or year
/// later than the 31st is the end of that month), or a weekday name, full or
/// in three letters, meaning the next such day after today. Returns the date
/// and whether it was relative.
pub fn parse_date_from(text: &str, today: NaiveDate) -> Result<(NaiveDate, bool), String> {
    let (date, relative) = relative_date(text, today)?;
    // Reports step periods past the date: one at the calendar's end (a year
    // such as 262143) would run them off it. No CRM date is that far out.
    if !(1..=9999).contains(&date.year()) {
        return Err(format!(
            "`{text}` is {date}: use a date between the years 1 and 9999"
        ));
    }
    Ok((date, relative))
}

fn relative_date(text: &str, today: NaiveDate) -> Result<(NaiveDate, bool), String> {
    let word = text.trim().to_ascii_lowercase();
    if let Ok(date) = parse_date(&word) {
        return Ok((date, false));
    }
    let bad = || {
        format!(
            "`{text}` is not a date: use YYYY-MM-DD, today, yesterday, tomorrow, a weekday, or +3d, -2w, +1m, +1y"
        )
    };
    let date = match word.as_str() {
        "today" => Some(today),
        "yesterday" => today.pred_opt(),
        "tomorrow" => today.succ_opt(),
        _ => match weekday(&word) {
            Some(day) => {
                let ahead =
                    (day.num_days_from_monday() + 7 - today.weekday().num_days_from_monday() - 1)
                        % 7
                        + 1;
                today.checked_add_days(chrono::Days::new(u64::from(ahead)))
            }
            None => offset(&word, today).ok_or_else(bad)?,
        },
    };
    date.map(|date| (date, true)).ok_or_else(bad)
}

fn weekday(word: &str) -> Option<chrono::Weekday> {
    const NAMES: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let index = NAMES
        .iter()
        .position(|name| word == *name || (word.len() == 3 && name.starts_with(word)))?;
    chrono::Weekday::try_from(index as u8).ok()
}

/// `+3d`, `-2w`, `+1m`, `-1y` from `today`: `None` when the text is not one,
/// `Some(None)` when the date would be out of range.
fn offset(word: &str, today: NaiveDate) -> Option<Option<NaiveDate>> {
    let (sign, rest) = match word.as_bytes().first()? {
        b'+' => (1, &word[1..]),
        b'-' => (-1, &word[1..]),
        _ => return None,
    };
    let unit = rest.chars().last()?;
    let count: u32 = rest[..rest.len() - unit.len_utf8()].parse().ok()?;
    let days = |n: u64| {
        if sign > 0 {
            today.checked_add_days(chrono::Days::new(n))
        } else {
            today.checked_sub_days(chrono::Days::new(n))
        }
    };
    let months = |n: u32| {
        if sign > 0 {
            today.checked_add_months(chrono::Months::new(n))
        } else {
            today.checked_sub_months(chrono::Months::new(n))
        }
    };
    Some(match unit {
        'd' => days(u64::from(count)),
        'w' => days(u64::from(count) * 7),
        'm' => months(count),
        'y' => months(count.checked_mul(12)?),
        _ => return None,
    })
}

/// Parses an RFC 3339 date-time, or a bare date meaning midnight UTC.
pub fn parse_timestamp(text: &str) -> Result<Timestamp, String> {
    let text = text.trim();
    if let Some(at) = canonical_timestamp(text) {
        return Ok(at);
    }
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

/// `YYYY-MM-DDTHH:MM:SSZ`, or with an offset `±HH:MM`: the form relate
/// writes, read field by field. chrono's RFC 3339 parser, which reads every
/// other form, took a tenth of the time of decoding a cached interaction. A
/// leap second, or anything else, is left to it: `None`.
fn canonical_timestamp(text: &str) -> Option<Timestamp> {
    let bytes = text.as_bytes();
    let number = |from: usize, to: usize| -> Option<u32> {
        (bytes.get(from..to)?.iter()).try_fold(0, |number: u32, &digit| {
            digit
                .is_ascii_digit()
                .then(|| number * 10 + u32::from(digit - b'0'))
        })
    };
    let marks = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if !marks.iter().all(|&(at, mark)| bytes.get(at) == Some(&mark)) {
        return None;
    }
    let east = match bytes.get(19..)? {
        b"Z" => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (hours, minutes) = (number(20, 22)?, number(23, 25)?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            let seconds = i32::try_from(hours * 3600 + minutes * 60).ok()?;
            if *sign == b'-' { -seconds } else { seconds }
        }
        _ => return None,
    };
    let year = i32::try_from(number(0, 4)?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, number(5, 7)?, number(8, 10)?)?;
    let second = number(17, 19).filter(|second| *second < 60)?;
    let local = date.and_hms_opt(number(11, 13)?, number(14, 16)?, second)?;
    FixedOffset::east_opt(east)?
        .from_local_datetime(&local)
        .single()
}

/// The timezone of date-times written without an offset: the `timezone`
/// setting of relate.yaml, an IANA name such as `Europe/Amsterdam` (UTC when
/// the store sets none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Zone(chrono_tz::Tz);

impl Zone {
    pub const UTC: Zone = Zone(chrono_tz::UTC);

    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    pub fn is_utc(&self) -> bool {
        *self == Zone::UTC
    }

    /// The date-time a clock in this zone shows as `local`. A time the clocks
    /// skip (the hour lost in spring) is read as if they had not moved yet, so
    /// 02:30 becomes 03:30 of the new offset; a time they show twice (autumn)
    /// is the first of the two. No time is refused for being in a gap: files
    /// written by clocks that ignore the change still import.
    pub fn at(&self, local: NaiveDateTime) -> Timestamp {
        match self.0.from_local_datetime(&local) {
            LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => at.fixed_offset(),
            LocalResult::None => {
                // Gaps are hours long and months apart: a day before, the old offset holds.
                let before = local
                    .checked_sub_signed(chrono::Duration::days(1))
                    .unwrap_or(local);
                let offset = self.0.offset_from_utc_datetime(&before).fix();
                let utc = local
                    .checked_sub_signed(chrono::Duration::seconds(offset.local_minus_utc().into()))
                    .unwrap_or(local);
                Utc.from_utc_datetime(&utc)
                    .with_timezone(&self.0)
                    .fixed_offset()
            }
        }
    }

    /// Midnight at the start of `date` in this zone.
    pub fn start_of(&self, date: NaiveDate) -> Timestamp {
        self.at(date.and_time(NaiveTime::MIN))
    }

    /// The calendar date of `at` on this zone's clocks.
    pub fn date_of(&self, at: &Timestamp) -> NaiveDate {
        at.with_timezone(&self.0).date_naive()
    }
}

impl Default for Zone {
    fn default() -> Self {
        Zone::UTC
    }
}

impl FromStr for Zone {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, String> {
        name.trim().parse().map(Zone).map_err(|_| {
            format!("unknown timezone `{name}`: use an IANA name such as Europe/Amsterdam, or UTC")
        })
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl serde::Serialize for Zone {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> serde::Deserialize<'de> for Zone {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Parsed inside the visitor, so a YAML error points at the value's line.
        struct Name;
        impl serde::de::Visitor<'_> for Name {
            type Value = Zone;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an IANA timezone name")
            }

            fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<Zone, E> {
                name.parse().map_err(E::custom)
            }
        }
        d.deserialize_str(Name)
    }
}

/// The date-times without an offset that people and other tools write
/// (pandas, spreadsheets, SQL dumps). `%.f` also reads none.
const LOCAL_FORMATS: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
];

/// Parses a date-time as people and other tools write it (the command line,
/// imported files): RFC 3339 (`2026-11-22T10:15:00+01:00`), the same
/// without an offset, with a space for the `T`, without seconds or with a
/// fraction of one (`2026-11-22 10:15`, `2015-12-31T23:02:05.123`), or a date
/// alone (its midnight). A time without an offset is on the clocks of `zone`.
/// Fractions of a second are dropped: records keep whole seconds.
pub fn parse_timestamp_in(text: &str, zone: Zone) -> Result<Timestamp, String> {
    let text = text.trim();
    DateTime::parse_from_rfc3339(text)
        .ok()
        .or_else(|| {
            LOCAL_FORMATS
                .iter()
                .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
                .map(|local| zone.at(local))
        })
        .or_else(|| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .map(|date| zone.start_of(date))
        })
        .map(whole_seconds)
        .ok_or_else(|| {
            format!(
                "`{text}` is not a date-time: use YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS] (a `T` or a space between) or one with an offset (2026-11-22T10:15:00+01:00)"
            )
        })
}

/// `at` without its fraction of a second.
pub fn whole_seconds(at: Timestamp) -> Timestamp {
    at.with_nanosecond(0).unwrap_or(at)
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
            bounded(Decimal::from(v)).map_err(E::custom)
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
            bounded(Decimal::from(v)).map_err(E::custom)
        }

        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
            if !v.is_finite() {
                return Err(E::custom("expected a finite number"));
            }
            Decimal::from_str(&v.to_string())
                .map_err(E::custom)
                .and_then(|d| bounded(d).map_err(E::custom))
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

/// Serde for a map of exact decimals (the settings' `exchange_rates`).
pub mod decimal_map {
    use super::*;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::collections::BTreeMap;

    #[derive(Serialize, Deserialize)]
    struct Wrapped(#[serde(with = "decimal")] Decimal);

    pub fn serialize<S: Serializer>(
        map: &BTreeMap<String, Decimal>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let wrapped: BTreeMap<&String, Wrapped> =
            map.iter().map(|(k, v)| (k, Wrapped(*v))).collect();
        wrapped.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<String, Decimal>, D::Error> {
        let wrapped = BTreeMap::<String, Wrapped>::deserialize(d)?;
        Ok(wrapped.into_iter().map(|(k, Wrapped(v))| (k, v)).collect())
    }
}

/// Serde for a date-time: RFC 3339 out, RFC 3339 or a bare date in.
pub mod timestamp {
    use super::*;
    use serde::{Deserializer, Serializer, de};

    pub fn serialize<S: Serializer>(value: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_timestamp(value))
    }

    /// Read from the text in place: a `String` for each would be one
    /// allocation per record decoded.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        d.deserialize_string(Text)
    }

    struct Text;

    impl de::Visitor<'_> for Text {
        type Value = Timestamp;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            // As `String`'s, so that a wrong type reads as it always has.
            f.write_str("a string")
        }

        fn visit_str<E: de::Error>(self, text: &str) -> Result<Timestamp, E> {
            parse_timestamp(text).map_err(E::custom)
        }
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

    #[test]
    fn the_canonical_form_reads_as_chronos_rfc_3339_parser_reads_it() {
        let mut rng = fastrand::Rng::with_seed(7);
        let mut pick = |choices: &[&'static str]| choices[rng.usize(..choices.len())];
        let mut read = 0;
        for _ in 0..20_000 {
            let text = [
                pick(&["2026", "0000", "9999", "1970", "2024", "20x6"]),
                pick(&["-", "/"]),
                pick(&["01", "02", "12", "13", "00", "1"]),
                "-",
                pick(&["01", "28", "29", "30", "31", "32", "00"]),
                pick(&["T", "t", " "]),
                pick(&["00", "09", "23", "24"]),
                ":",
                pick(&["00", "59", "60"]),
                ":",
                pick(&["00", "07", "59", "60", "61"]),
                pick(&[
                    "Z", "z", "+00:00", "-00:00", "+01:00", "-11:30", "+23:59", "+24:00", "+05:60",
                    "", "Z ", ".5Z",
                ]),
            ]
            .concat();
            let expected = DateTime::parse_from_rfc3339(&text).ok();
            if let Some(at) = canonical_timestamp(&text) {
                read += 1;
                let expected = expected.unwrap_or_else(|| panic!("{text} read, chrono refuses it"));
                assert_eq!((at, at.offset()), (expected, expected.offset()), "{text}");
            }
            if let Some(expected) = expected {
                let at = parse_timestamp(&text).unwrap();
                assert_eq!((at, at.offset()), (expected, expected.offset()), "{text}");
            }
        }
        assert!(read > 50, "the fast path read only {read}");
        let at = canonical_timestamp("2026-11-30T10:15:00+01:00").unwrap();
        assert_eq!(at.to_rfc3339(), "2026-11-30T10:15:00+01:00");
    }

    #[test]
    fn dates_relative_to_today() {
        // 2026-12-03 is a Thursday.
        let today = parse_date("2026-12-03").unwrap();
        let on = |text: &str| parse_date_from(text, today).map(|(d, rel)| (d.to_string(), rel));
        let rel = |date: &str| Ok((date.to_string(), true));
        assert_eq!(on("2026-01-31"), Ok(("2026-01-31".to_string(), false)));
        assert_eq!(on("today"), rel("2026-12-03"));
        assert_eq!(on(" Yesterday "), rel("2026-12-02"));
        assert_eq!(on("tomorrow"), rel("2026-12-04"));
        assert_eq!(on("+3d"), rel("2026-12-06"));
        assert_eq!(on("-2w"), rel("2026-11-19"));
        assert_eq!(on("+1m"), rel("2027-01-03"));
        assert_eq!(on("-1y"), rel("2025-12-03"));
        // The next one after today: Thursday is a week ahead.
        assert_eq!(on("thursday"), rel("2026-12-10"));
        assert_eq!(on("fri"), rel("2026-12-04"));
        assert_eq!(on("Monday"), rel("2026-12-07"));
        let end_of_month = parse_date("2027-01-31").unwrap();
        assert_eq!(
            parse_date_from("+1m", end_of_month).unwrap().0.to_string(),
            "2027-02-28"
        );
        for bad in [
            "+3x",
            "3d",
            "+d",
            "someday",
            "2026-13-01",
            "+99999999999y",
            "+260115y",
            "12026-01-01",
            "",
        ] {
            assert!(on(bad).is_err(), "{bad}");
        }
    }

    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    struct Money {
        #[serde(with = "decimal")]
        amount: Decimal,
        #[serde(with = "opt_decimal", default, skip_serializing_if = "Option::is_none")]
        cost: Option<Decimal>,
    }

    #[test]
    fn amounts_are_bounded() {
        assert_eq!(MAX_AMOUNT, Decimal::from(1_000_000_000_000_000i64));
        assert!(parse_decimal("1000000000000000").is_ok());
        assert!(parse_decimal("-1000000000000000.5").is_err());
        assert!(parse_decimal("79228162514264337593543950").is_err());
        let yaml: Result<Wrapper, _> = serde_yaml::from_str("v: 18446744073709551615\n");
        assert!(
            yaml.unwrap_err()
                .to_string()
                .contains("beyond the largest amount")
        );
    }

    #[derive(Debug, serde::Deserialize)]
    struct Wrapper {
        #[serde(with = "decimal")]
        #[allow(dead_code)]
        v: Decimal,
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

    #[test]
    fn timestamps_as_people_write_them_in_a_zone() {
        let at = |text: &str, zone: &str| {
            format_timestamp(&parse_timestamp_in(text, zone.parse().unwrap()).unwrap())
        };
        for text in [
            "2015-12-31T23:02:05",
            "2015-12-31 23:02:05",
            "2015-12-31T23:02:05.999999",
            " 2015-12-31 23:02:05.1 ",
        ] {
            assert_eq!(at(text, "UTC"), "2015-12-31T23:02:05Z", "{text:?}");
        }
        assert_eq!(at("2015-12-31 23:02", "UTC"), "2015-12-31T23:02:00Z");
        assert_eq!(
            at("2015-12-31 23:02:05+01:00", "UTC"),
            "2015-12-31T23:02:05+01:00"
        );
        assert_eq!(
            at("2015-12-31T23:02:05.5Z", "Europe/Amsterdam"),
            "2015-12-31T23:02:05Z"
        );
        assert_eq!(
            at("2015-12-31T23:02:05", "Europe/Amsterdam"),
            "2015-12-31T23:02:05+01:00"
        );
        assert_eq!(
            at("2016-07-01", "Europe/Amsterdam"),
            "2016-07-01T00:00:00+02:00"
        );
        assert_eq!(
            at("2026-03-29 02:30", "Europe/Amsterdam"),
            "2026-03-29T03:30:00+02:00"
        );
        assert_eq!(
            at("2026-10-25 02:30", "Europe/Amsterdam"),
            "2026-10-25T02:30:00+02:00"
        );
        assert_eq!(
            at("2026-03-08 02:30", "America/New_York"),
            "2026-03-08T03:30:00-04:00"
        );
        for bad in [
            "2015-12-31T25:00:00",
            "31.12.2015",
            "2015-12-31T",
            "",
            "now",
        ] {
            let error = parse_timestamp_in(bad, Zone::UTC).unwrap_err();
            assert!(error.contains("is not a date-time"), "{bad:?}: {error}");
        }
    }

    #[test]
    fn zones_by_their_iana_names() {
        let zone: Zone = "Europe/Amsterdam".parse().unwrap();
        assert_eq!(zone.to_string(), "Europe/Amsterdam");
        assert!(!zone.is_utc());
        assert!(Zone::default().is_utc());
        let late = parse_timestamp("2010-12-02T03:30:00Z").unwrap();
        let new_york: Zone = "America/New_York".parse().unwrap();
        assert_eq!(new_york.date_of(&late).to_string(), "2010-12-01");
        let error = "Mars/Olympus".parse::<Zone>().unwrap_err();
        assert!(
            error.starts_with("unknown timezone `Mars/Olympus`"),
            "{error}"
        );
        #[derive(serde::Deserialize, serde::Serialize, Debug)]
        struct Settings {
            timezone: Zone,
        }
        let read: Settings = serde_yaml::from_str("timezone: Asia/Tokyo").unwrap();
        assert_eq!(read.timezone.name(), "Asia/Tokyo");
        assert_eq!(
            serde_yaml::to_string(&read).unwrap(),
            "timezone: Asia/Tokyo\n"
        );
        let error = serde_yaml::from_str::<Settings>("timezone: Tokyo").unwrap_err();
        assert!(
            error.to_string().contains("unknown timezone `Tokyo`"),
            "{error}"
        );
    }
}

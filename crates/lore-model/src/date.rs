//! Calendar days and instants in a form that archives as plain integers.

use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A calendar day, stored as days since 1970-01-01.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize,
)]
#[rkyv(derive(Debug, PartialEq, Eq, PartialOrd, Ord))]
pub struct Day(pub i32);

const EPOCH: Date = Date::constant(1970, 1, 1);

impl Day {
    /// The day of a civil date (day 0 if it cannot be counted).
    pub fn from_date(date: Date) -> Day {
        Day(EPOCH.until(date).map(|span| span.get_days()).unwrap_or(0))
    }

    /// The civil date of this day (1970-01-01 if out of range).
    pub fn to_date(self) -> Date {
        EPOCH.checked_add(jiff::Span::new().days(self.0)).unwrap_or(EPOCH)
    }

    /// Parses `YYYY-MM-DD`, also accepting a full timestamp and keeping its date.
    pub fn parse(text: &str) -> Option<Day> {
        let text = text.trim();
        let head = text.get(..10).unwrap_or(text);
        head.parse::<Date>().ok().map(Day::from_date)
    }

    /// Today in UTC.
    pub fn today() -> Day {
        Timestamp::now().day()
    }

    /// The day `days` later (earlier when negative), saturating.
    pub fn add_days(self, days: i32) -> Day {
        Day(self.0.saturating_add(days))
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_date())
    }
}

impl Serialize for Day {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Day, D::Error> {
        let text = String::deserialize(d)?;
        Day::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("`{text}` is not a date (expected YYYY-MM-DD)")))
    }
}

/// An instant, stored as whole seconds since the Unix epoch (UTC).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize,
)]
#[rkyv(derive(Debug, PartialEq, Eq, PartialOrd, Ord))]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// The current time.
    pub fn now() -> Timestamp {
        Timestamp(jiff::Timestamp::now().as_second())
    }

    /// Parses RFC 3339 (`2026-12-20T00:00:00Z`), a civil date-time taken as
    /// UTC, or a bare date (midnight UTC).
    pub fn parse(text: &str) -> Option<Timestamp> {
        let text = text.trim();
        if let Ok(ts) = text.parse::<jiff::Timestamp>() {
            return Some(Timestamp(ts.as_second()));
        }
        if let Ok(dt) = text.parse::<jiff::civil::DateTime>() {
            let time = dt.time();
            let secs = i64::from(time.hour()) * 3600 + i64::from(time.minute()) * 60 + i64::from(time.second());
            return Some(Timestamp(i64::from(Day::from_date(dt.date()).0) * 86_400 + secs));
        }
        let day = Day::parse(text)?;
        Some(Timestamp(i64::from(day.0) * 86_400))
    }

    /// The UTC day it falls on.
    pub fn day(self) -> Day {
        Day(self.0.div_euclid(86_400) as i32)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match jiff::Timestamp::from_second(self.0) {
            Ok(ts) => write!(f, "{}", ts.strftime("%Y-%m-%dT%H:%M:%SZ")),
            Err(_) => write!(f, "@{}", self.0),
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        let text = String::deserialize(d)?;
        Timestamp::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!("`{text}` is not a time (expected RFC 3339 or YYYY-MM-DD)"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_round_trips_through_text() {
        let day = Day::parse("2026-11-28").expect("valid date");
        assert_eq!(day.to_string(), "2026-11-28");
        assert_eq!(Day::parse("1970-01-02"), Some(Day(1)));
        assert_eq!(Day::parse("2026-11-28T10:00:00Z"), Some(day));
        assert_eq!(Day::parse("not a date"), None);
    }

    #[test]
    fn timestamps_accept_dates_and_rfc3339() {
        assert_eq!(Timestamp::parse("1970-01-02"), Some(Timestamp(86_400)));
        assert_eq!(Timestamp::parse("1970-01-01T00:01:00Z"), Some(Timestamp(60)));
        assert_eq!(Timestamp::parse("1970-01-01T00:01:00"), Some(Timestamp(60)));
        assert_eq!(Timestamp(86_400).to_string(), "1970-01-02T00:00:00Z");
    }
}

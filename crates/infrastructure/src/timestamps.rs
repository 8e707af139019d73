//! Points in time as the access and audit tables store them.

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};

/// `at` as stored: UTC in a `TIMESTAMP` column, to the microsecond. PostgreSQL keeps no
/// finer time; SQLite would keep nanoseconds, and the two backends would then give back
/// different values.
pub(crate) fn to_stored(at: DateTime<Utc>) -> NaiveDateTime {
    at.naive_utc().trunc_subsecs(6)
}

/// A stored time, read back as UTC.
pub(crate) fn from_stored(at: NaiveDateTime) -> DateTime<Utc> {
    at.and_utc()
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, Timelike};

    use super::*;

    #[test]
    fn times_are_kept_to_the_microsecond() {
        let at = NaiveDate::from_ymd_opt(2026, 11, 29)
            .and_then(|d| d.and_hms_nano_opt(10, 20, 30, 123_456_789))
            .expect("a valid time")
            .and_utc();
        let stored = to_stored(at);
        assert_eq!(stored.nanosecond(), 123_456_000);
        assert_eq!(from_stored(stored), at.trunc_subsecs(6));
    }
}

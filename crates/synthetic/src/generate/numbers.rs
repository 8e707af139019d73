//! Identification numbers: Saudi IDs and iqamas with their check digit, the national IDs
//! of the other GCC countries, and numbers as keys of the set of numbers in use.

use chrono::{Datelike, NaiveDateTime};

use super::dice::Dice;
use crate::tables::GccFormat;

/// An identification number as a number, for the set of numbers in use; `None` for one
/// that is not all digits (the generator only makes all-digit numbers).
pub(crate) fn number_key(number: &str) -> Option<u64> {
    if number.is_empty() || number.len() > 19 || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    number.parse().ok()
}

/// A Saudi ID or iqama: 9 digits and the Luhn check digit that Saudi IDs carry.
pub(crate) fn with_check_digit(body: &str) -> String {
    let sum: u32 = body
        .bytes()
        .enumerate()
        .map(|(position, byte)| {
            let digit = u32::from(byte - b'0');
            if position % 2 == 0 {
                let doubled = digit * 2;
                doubled / 10 + doubled % 10
            } else {
                digit
            }
        })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

/// A national ID of a GCC country in its own format.
pub(crate) fn gcc_id(dice: &mut Dice, format: GccFormat, date_of_birth: NaiveDateTime) -> String {
    let year = date_of_birth.year();
    let century = if year >= 2000 { 3 } else { 2 };
    let yy = year % 100;
    match format {
        // Emirates ID: 784, year of birth, 7 digits, check digit.
        GccFormat::Emirati => with_check_digit(&format!("784{year}{:07}", dice.digits(7))),
        // Kuwaiti civil ID: century, date of birth (YYMMDD), 5 digits.
        GccFormat::Kuwaiti => format!(
            "{century}{yy:02}{:02}{:02}{:05}",
            date_of_birth.month(),
            date_of_birth.day(),
            dice.digits(5)
        ),
        // Qatari ID: century, year of birth (YY), country code 634, 5 digits.
        GccFormat::Qatari => format!("{century}{yy:02}634{:05}", dice.digits(5)),
        // Bahraini CPR: YYMM of birth, 5 digits.
        GccFormat::Bahraini => format!("{yy:02}{:02}{:05}", date_of_birth.month(), dice.digits(5)),
        // Omani civil number: 8 digits.
        GccFormat::Omani => format!("{}", 10_000_000 + dice.digits(8) % 90_000_000),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saudi_ids_carry_a_luhn_check_digit() {
        // Valid by the usual Luhn check.
        for id in [with_check_digit("105678901"), with_check_digit("212345678")] {
            let sum: u32 = id
                .bytes()
                .rev()
                .enumerate()
                .map(|(i, b)| {
                    let d = u32::from(b - b'0');
                    if i % 2 == 1 {
                        (d * 2) / 10 + (d * 2) % 10
                    } else {
                        d
                    }
                })
                .sum();
            assert_eq!(sum % 10, 0, "{id}");
            assert_eq!(id.len(), 10);
        }
    }
}

use std::borrow::Cow;

/// Reads Arabic-Indic digits (U+0660..U+0669) and Extended Arabic-Indic digits
/// (U+06F0..U+06F9) as the ASCII digits `0`-`9`; every other character is kept.
///
/// Borrows the input when it holds no such digit, which is the common case.
pub fn normalize_digits(input: &str) -> Cow<'_, str> {
    if !input.chars().any(|c| arabic_digit_value(c).is_some()) {
        return Cow::Borrowed(input);
    }
    Cow::Owned(
        input
            .chars()
            .map(|c| arabic_digit_value(c).map_or(c, |d| char::from(b'0' + d)))
            .collect(),
    )
}

fn arabic_digit_value(c: char) -> Option<u8> {
    match c {
        // Both ranges are ten consecutive code points, so the offset is the digit.
        '\u{0660}'..='\u{0669}' => u8::try_from(u32::from(c) - 0x0660).ok(),
        '\u{06F0}'..='\u{06F9}' => u8::try_from(u32::from(c) - 0x06F0).ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_input_is_borrowed() {
        assert!(matches!(
            normalize_digits("abc123"),
            Cow::Borrowed("abc123")
        ));
    }

    #[test]
    fn arabic_indic_digits_become_ascii() {
        assert_eq!(normalize_digits("٠١٢٣٤٥٦٧٨٩"), "0123456789");
    }

    #[test]
    fn extended_arabic_indic_digits_become_ascii() {
        assert_eq!(normalize_digits("۰۱۲۳۴۵۶۷۸۹"), "0123456789");
    }

    #[test]
    fn other_characters_are_kept() {
        assert_eq!(normalize_digits("A-٥x"), "A-5x");
    }
}

//! Streets, districts, cities and regions of Saudi addresses.

use super::{CityDetails, District, Name, ar, city, district};

/// Streets found in most Saudi cities.
pub(crate) const STREETS: &[Name] = &[
    ar("طريق الملك فهد", "King Fahd Road"),
    ar("طريق الملك عبدالعزيز", "King Abdulaziz Road"),
    ar("طريق الملك عبدالله", "King Abdullah Road"),
    ar("شارع الأمير سلطان", "Prince Sultan Street"),
    ar(
        "شارع الأمير محمد بن عبدالعزيز",
        "Prince Mohammed bin Abdulaziz Street",
    ),
    ar("شارع التحلية", "Tahlia Street"),
    ar("شارع العروبة", "Al Orouba Street"),
    ar("شارع الستين", "Al Sitteen Street"),
    ar("شارع عمر بن الخطاب", "Omar Ibn Al Khattab Street"),
    ar("شارع الإمام سعود", "Imam Saud Street"),
    ar("شارع الملك سعود", "King Saud Street"),
    ar("شارع الأمير تركي", "Prince Turki Street"),
    ar("شارع عثمان بن عفان", "Othman Bin Affan Street"),
    ar("شارع الخليج", "Al Khaleej Street"),
];

/// Districts found in most Saudi cities.
pub(crate) const DISTRICTS: &[District] = &[
    district("العليا", "Al Olaya", "حي العليا", "Al Olaya District"),
    district(
        "السليمانية",
        "Al Sulimaniyah",
        "حي السليمانية",
        "Al Sulimaniyah District",
    ),
    district("الملز", "Al Malaz", "حي الملز", "Al Malaz District"),
    district("النخيل", "Al Nakheel", "حي النخيل", "Al Nakheel District"),
    district("الياسمين", "Al Yasmin", "حي الياسمين", "Al Yasmin District"),
    district("الروضة", "Al Rawdah", "حي الروضة", "Al Rawdah District"),
    district("النسيم", "Al Naseem", "حي النسيم", "Al Naseem District"),
    district(
        "الفيصلية",
        "Al Faisaliyah",
        "حي الفيصلية",
        "Al Faisaliyah District",
    ),
    district(
        "الخالدية",
        "Al Khalidiyah",
        "حي الخالدية",
        "Al Khalidiyah District",
    ),
    district(
        "العزيزية",
        "Al Aziziyah",
        "حي العزيزية",
        "Al Aziziyah District",
    ),
    district("المروج", "Al Muruj", "حي المروج", "Al Muruj District"),
    district("الربوة", "Al Rabwah", "حي الربوة", "Al Rabwah District"),
    district("الصفا", "Al Safa", "حي الصفا", "Al Safa District"),
    district("الحمراء", "Al Hamra", "حي الحمراء", "Al Hamra District"),
    district("العدامة", "Al Adamah", "حي العدامة", "Al Adamah District"),
    district("اليرموك", "Al Yarmouk", "حي اليرموك", "Al Yarmouk District"),
    district("الشاطئ", "Al Shati", "حي الشاطئ", "Al Shati District"),
    district("النزهة", "Al Nuzhah", "حي النزهة", "Al Nuzhah District"),
];

/// The cities of the reference data (`2026-11-26-000002_reference_data`).
pub(crate) const CITY_DETAILS: &[CityDetails] = &[
    city(1, 300, "1010"),
    city(2, 200, "4030"),
    city(3, 80, "4031"),
    city(4, 60, "4650"),
    city(5, 60, "2050"),
    city(6, 40, "2051"),
    city(7, 10, "2052"),
    city(8, 30, "2250"),
    city(9, 15, "2055"),
    city(10, 15, "2053"),
    city(11, 10, "2511"),
    city(12, 30, "4032"),
    city(13, 5, "4602"),
    city(14, 10, "4700"),
    city(15, 25, "1131"),
    city(16, 8, "1128"),
    city(17, 20, "5850"),
    city(18, 20, "5855"),
    city(19, 20, "3550"),
    city(20, 15, "3350"),
    city(21, 6, "3450"),
    city(22, 15, "5900"),
    city(23, 10, "5950"),
    city(24, 5, "5800"),
    city(25, 6, "3400"),
    city(26, 10, "1011"),
    city(27, 4, "1122"),
];

/// The first digit of the postal codes of each region.
pub(crate) const REGION_POSTAL_DIGIT: &[(i32, u32)] = &[
    (1, 1),
    (2, 2),
    (3, 4),
    (4, 5),
    (5, 3),
    (6, 6),
    (7, 7),
    (8, 5),
    (9, 7),
    (10, 8),
    (11, 6),
    (12, 6),
    (13, 7),
];

/// The first letter of the national short addresses of each region.
pub(crate) const REGION_LETTERS: &[(i32, char)] = &[
    (1, 'R'),
    (2, 'M'),
    (3, 'D'),
    (4, 'Q'),
    (5, 'E'),
    (6, 'A'),
    (7, 'T'),
    (8, 'H'),
    (9, 'N'),
    (10, 'J'),
    (11, 'N'),
    (12, 'B'),
    (13, 'S'),
];

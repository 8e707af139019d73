//! The companies of the group, and what company customers are made of: industries and
//! the words of their names, the roles of their contacts.

use super::{Industry, Name, Tenant, ar};

/// The companies of the group: the demo's `jtc` (1) and `jfc` (2), and three more the
/// seed creates when missing.
pub(crate) const TENANTS: &[Tenant] = &[
    Tenant {
        id: 1,
        code: "jtc",
        name_ar: "شركة جود للتكافل",
        name_en: "Jood Takaful Company",
        prefixes: &["POL", "POL", "MTR", "MED", "GRP", "TRV", "ENG"],
    },
    Tenant {
        id: 2,
        code: "jfc",
        name_ar: "شركة جود للتمويل",
        name_en: "Jood Finance Company",
        prefixes: &["PF", "AUTO", "MRT", "FIN", "CC"],
    },
    Tenant {
        id: 3,
        code: "jlc",
        name_ar: "شركة جود للتأجير",
        name_en: "Jood Leasing Company",
        prefixes: &["LEASE", "FLT"],
    },
    Tenant {
        id: 4,
        code: "jrc",
        name_ar: "شركة جود العقارية",
        name_en: "Jood Real Estate Company",
        prefixes: &["RENT", "UNIT", "SALE"],
    },
    Tenant {
        id: 5,
        code: "jic",
        name_ar: "شركة جود للاستثمار",
        name_en: "Jood Investment Company",
        prefixes: &["INV", "PORT", "IPO"],
    },
];

/// How many customers each company of the group has, per 100.
pub(crate) const TENANT_WEIGHTS: &[(&Tenant, u32)] = &[
    (&TENANTS[0], 40),
    (&TENANTS[1], 25),
    (&TENANTS[2], 12),
    (&TENANTS[3], 13),
    (&TENANTS[4], 10),
];

/// The industry types of the reference data.
pub(crate) const INDUSTRIES: &[Industry] = &[
    Industry {
        id: 1,
        ar: "للتجارة",
        en: "Trading",
    },
    Industry {
        id: 2,
        ar: "للصناعة",
        en: "Industries",
    },
    Industry {
        id: 3,
        ar: "للخدمات المالية",
        en: "Financial Services",
    },
    Industry {
        id: 4,
        ar: "للمقاولات",
        en: "Contracting",
    },
    Industry {
        id: 5,
        ar: "للخدمات النفطية",
        en: "Oilfield Services",
    },
    Industry {
        id: 6,
        ar: "لتقنية المعلومات",
        en: "Information Technology",
    },
    Industry {
        id: 7,
        ar: "للخدمات الطبية",
        en: "Medical Services",
    },
    Industry {
        id: 8,
        ar: "للتعليم والتدريب",
        en: "Education and Training",
    },
    Industry {
        id: 9,
        ar: "للنقل والخدمات اللوجستية",
        en: "Logistics",
    },
    Industry {
        id: 10,
        ar: "للتطوير العقاري",
        en: "Real Estate Development",
    },
    Industry {
        id: 11,
        ar: "للسياحة والضيافة",
        en: "Hospitality",
    },
    Industry {
        id: 12,
        ar: "الزراعية",
        en: "Agriculture",
    },
    Industry {
        id: 13,
        ar: "للاتصالات",
        en: "Telecom",
    },
];

/// How many company customers are in each industry, per 100.
pub(crate) const INDUSTRY_WEIGHTS: &[(&Industry, u32)] = &[
    (&INDUSTRIES[0], 25),
    (&INDUSTRIES[1], 8),
    (&INDUSTRIES[2], 4),
    (&INDUSTRIES[3], 18),
    (&INDUSTRIES[4], 3),
    (&INDUSTRIES[5], 8),
    (&INDUSTRIES[6], 6),
    (&INDUSTRIES[7], 4),
    (&INDUSTRIES[8], 8),
    (&INDUSTRIES[9], 7),
    (&INDUSTRIES[10], 5),
    (&INDUSTRIES[11], 2),
    (&INDUSTRIES[12], 2),
];

/// The distinctive words of company names.
pub(crate) const COMPANY_WORDS: &[Name] = &[
    ar("الرواد", "Al Rowad"),
    ar("النخبة", "Al Nokhba"),
    ar("الأفق", "Horizon"),
    ar("المستقبل", "Future"),
    ar("الخليج", "Gulf"),
    ar("الوطنية", "National"),
    ar("المتحدة", "United"),
    ar("الشرق", "Al Sharq"),
    ar("الواحة", "Oasis"),
    ar("الريادة", "Al Riyadah"),
    ar("البناء الحديث", "Modern Building"),
    ar("الإتقان", "Al Itqan"),
    ar("الفجر", "Al Fajr"),
    ar("النجم الساطع", "Bright Star"),
    ar("المدار", "Al Madar"),
    ar("القمة", "Summit"),
    ar("الصفوة", "Al Safwa"),
    ar("الأصالة", "Al Asala"),
    ar("الدرع", "Shield"),
    ar("البيان", "Al Bayan"),
    ar("الركائز", "Pillars"),
    ar("المنارة", "Al Manara"),
    ar("نجد", "Najd"),
    ar("الحجاز", "Hijaz"),
    ar("تهامة", "Tihama"),
    ar("السراة", "Al Sarat"),
    ar("أركان", "Arkan"),
    ar("مدى", "Mada"),
    ar("رؤية", "Vision"),
    ar("سدير", "Sudair"),
];

/// Roles of the contacts of a company customer.
pub(crate) const COMPANY_ROLES: &[(&str, &str)] = &[
    ("المدير العام", "General Manager"),
    ("مدير مالي", "Finance Manager"),
    ("محاسب", "Accountant"),
    ("مسؤول مشتريات", "Procurement Officer"),
    ("مدير الموارد البشرية", "HR Manager"),
    ("الشريك المؤسس", "Founding Partner"),
];

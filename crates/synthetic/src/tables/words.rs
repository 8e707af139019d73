//! Occupations and contact remarks, in Arabic and English.

/// Occupations of men, in Arabic.
pub(crate) const OCCUPATIONS_AR_MALE: &[&str] = &[
    "مهندس",
    "معلم",
    "طبيب",
    "محاسب",
    "موظف حكومي",
    "ضابط",
    "مدير مبيعات",
    "طالب",
    "متقاعد",
    "رجل أعمال",
    "مبرمج",
    "صيدلي",
    "محامي",
    "فني",
    "مستشار مالي",
];

/// Occupations of women, in Arabic.
pub(crate) const OCCUPATIONS_AR_FEMALE: &[&str] = &[
    "معلمة",
    "طبيبة",
    "ممرضة",
    "موظفة",
    "طالبة",
    "ربة منزل",
    "أخصائية اجتماعية",
    "محاسبة",
    "مهندسة",
    "سيدة أعمال",
    "متقاعدة",
];

/// Occupations, in English.
pub(crate) const OCCUPATIONS_EN: &[&str] = &[
    "Engineer",
    "Site Engineer",
    "Accountant",
    "Driver",
    "Technician",
    "Nurse",
    "Sales Executive",
    "Doctor",
    "Electrician",
    "Cashier",
    "IT Specialist",
    "Pharmacist",
    "Teacher",
    "Mechanic",
    "Supervisor",
    "Chef",
    "Project Manager",
    "Labourer",
    "Tailor",
    "Plumber",
    "Office Administrator",
    "Housewife",
];

/// Remarks on a contact, in Arabic.
pub(crate) const REMARKS_AR: &[&str] = &["للتواصل في حالات الطوارئ", "يفضل الاتصال مساءً", "رقم بديل"];

/// Remarks on a contact, in English.
pub(crate) const REMARKS_EN: &[&str] = &[
    "Emergency contact",
    "Call after 5 pm",
    "Alternative number",
    "Lives abroad",
];

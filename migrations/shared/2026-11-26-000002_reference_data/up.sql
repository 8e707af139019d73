-- Reference data: the coded values of the customer profile, with their names in Arabic
-- and English. Both migration sets run this one file (migrations/postgres and
-- migrations/sqlite link to its folder), so it is written in SQL both accept. Ids are
-- stable: the API returns them, and the contract fixes some of them (customer_types 2,
-- industry_types 4, contact_types 1, phone_codes 1, identification_types 5,
-- countries 1, regions 1, cities 1, languages 1, relation_types 3 and 6).

INSERT INTO nationalities (id, name_ar, name_en) VALUES
    (1, 'سعودي', 'Saudi'),
    (2, 'إماراتي', 'Emirati'),
    (3, 'كويتي', 'Kuwaiti'),
    (4, 'قطري', 'Qatari'),
    (5, 'بحريني', 'Bahraini'),
    (6, 'عماني', 'Omani'),
    (7, 'يمني', 'Yemeni'),
    (8, 'مصري', 'Egyptian'),
    (9, 'أردني', 'Jordanian'),
    (10, 'سوري', 'Syrian'),
    (11, 'لبناني', 'Lebanese'),
    (12, 'فلسطيني', 'Palestinian'),
    (13, 'سوداني', 'Sudanese'),
    (14, 'هندي', 'Indian'),
    (15, 'باكستاني', 'Pakistani'),
    (16, 'بنغلاديشي', 'Bangladeshi'),
    (17, 'فلبيني', 'Filipino'),
    (18, 'إندونيسي', 'Indonesian'),
    (19, 'سريلانكي', 'Sri Lankan'),
    (20, 'نيبالي', 'Nepalese'),
    (21, 'بريطاني', 'British'),
    (22, 'أمريكي', 'American');

INSERT INTO genders (id, name_ar, name_en) VALUES
    (1, 'ذكر', 'Male'),
    (2, 'أنثى', 'Female');

INSERT INTO customer_types (id, name_ar, name_en) VALUES
    (1, 'فرد', 'Individual'),
    (2, 'شركة', 'Company'),
    (3, 'جهة حكومية', 'Government entity');

INSERT INTO company_types (id, name_ar, name_en) VALUES
    (1, 'شركة ذات مسؤولية محدودة', 'Limited liability company'),
    (2, 'شركة مساهمة', 'Joint stock company'),
    (3, 'مؤسسة فردية', 'Sole proprietorship'),
    (4, 'شركة تضامن', 'General partnership'),
    (5, 'شركة توصية بسيطة', 'Limited partnership'),
    (6, 'شركة مساهمة مبسطة', 'Simplified joint stock company'),
    (7, 'فرع شركة أجنبية', 'Branch of a foreign company');

INSERT INTO industry_types (id, name_ar, name_en) VALUES
    (1, 'تجارة الجملة والتجزئة', 'Wholesale and retail trade'),
    (2, 'صناعة', 'Manufacturing'),
    (3, 'خدمات مالية', 'Financial services'),
    (4, 'إنشاءات', 'Construction'),
    (5, 'نفط وغاز', 'Oil and gas'),
    (6, 'تقنية المعلومات', 'Information technology'),
    (7, 'رعاية صحية', 'Healthcare'),
    (8, 'تعليم', 'Education'),
    (9, 'نقل وخدمات لوجستية', 'Transport and logistics'),
    (10, 'عقارات', 'Real estate'),
    (11, 'ضيافة وسياحة', 'Hospitality and tourism'),
    (12, 'زراعة', 'Agriculture'),
    (13, 'اتصالات', 'Telecommunications');

INSERT INTO contact_types (id, name_ar, name_en) VALUES
    (1, 'مكالمة صوتية', 'Voice call'),
    (2, 'رسالة نصية', 'SMS'),
    (3, 'بريد إلكتروني', 'Email'),
    (4, 'واتساب', 'WhatsApp'),
    (5, 'بريد عادي', 'Post');

-- A phone code's name is its international dialling prefix, the same in both languages.
INSERT INTO phone_codes (id, name_ar, name_en) VALUES
    (1, '00966', '00966'),
    (2, '00971', '00971'),
    (3, '00965', '00965'),
    (4, '00974', '00974'),
    (5, '00973', '00973'),
    (6, '00968', '00968'),
    (7, '00967', '00967'),
    (8, '0020', '0020'),
    (9, '00962', '00962'),
    (10, '0091', '0091'),
    (11, '0092', '0092'),
    (12, '00880', '00880'),
    (13, '0063', '0063'),
    (14, '0044', '0044'),
    (15, '001', '001');

INSERT INTO identification_types (id, name_ar, name_en) VALUES
    (1, 'الهوية الوطنية', 'National ID'),
    (2, 'هوية مقيم', 'Iqama (resident ID)'),
    (3, 'جواز السفر', 'Passport'),
    (4, 'هوية مواطني دول مجلس التعاون', 'GCC national ID'),
    (5, 'رقم السجل التجاري', 'Commercial registration number'),
    (6, 'رقم الحدود', 'Border number'),
    (7, 'الرقم الموحد للمنشأة', 'Unified establishment number');

INSERT INTO countries (id, name_ar, name_en) VALUES
    (1, 'المملكة العربية السعودية', 'Saudi Arabia'),
    (2, 'الإمارات العربية المتحدة', 'United Arab Emirates'),
    (3, 'الكويت', 'Kuwait'),
    (4, 'قطر', 'Qatar'),
    (5, 'البحرين', 'Bahrain'),
    (6, 'سلطنة عمان', 'Oman'),
    (7, 'اليمن', 'Yemen'),
    (8, 'مصر', 'Egypt'),
    (9, 'الأردن', 'Jordan'),
    (10, 'لبنان', 'Lebanon'),
    (11, 'السودان', 'Sudan'),
    (12, 'الهند', 'India'),
    (13, 'باكستان', 'Pakistan'),
    (14, 'بنغلاديش', 'Bangladesh'),
    (15, 'الفلبين', 'Philippines'),
    (16, 'المملكة المتحدة', 'United Kingdom'),
    (17, 'الولايات المتحدة الأمريكية', 'United States');

-- The 13 administrative regions of Saudi Arabia.
INSERT INTO regions (id, country_id, name_ar, name_en) VALUES
    (1, 1, 'الرياض', 'Riyadh'),
    (2, 1, 'مكة المكرمة', 'Makkah'),
    (3, 1, 'المدينة المنورة', 'Madinah'),
    (4, 1, 'القصيم', 'Al-Qassim'),
    (5, 1, 'المنطقة الشرقية', 'Eastern Province'),
    (6, 1, 'عسير', 'Asir'),
    (7, 1, 'تبوك', 'Tabuk'),
    (8, 1, 'حائل', 'Hail'),
    (9, 1, 'الحدود الشمالية', 'Northern Borders'),
    (10, 1, 'جازان', 'Jazan'),
    (11, 1, 'نجران', 'Najran'),
    (12, 1, 'الباحة', 'Al-Baha'),
    (13, 1, 'الجوف', 'Al-Jouf');

INSERT INTO cities (id, region_id, name_ar, name_en) VALUES
    (1, 1, 'الرياض', 'Riyadh'),
    (2, 2, 'جدة', 'Jeddah'),
    (3, 2, 'مكة المكرمة', 'Makkah'),
    (4, 3, 'المدينة المنورة', 'Madinah'),
    (5, 5, 'الدمام', 'Dammam'),
    (6, 5, 'الخبر', 'Khobar'),
    (7, 5, 'الظهران', 'Dhahran'),
    (8, 5, 'الأحساء', 'Al-Ahsa'),
    (9, 5, 'الجبيل', 'Jubail'),
    (10, 5, 'القطيف', 'Qatif'),
    (11, 5, 'حفر الباطن', 'Hafar Al-Batin'),
    (12, 2, 'الطائف', 'Taif'),
    (13, 2, 'رابغ', 'Rabigh'),
    (14, 3, 'ينبع', 'Yanbu'),
    (15, 4, 'بريدة', 'Buraydah'),
    (16, 4, 'عنيزة', 'Unaizah'),
    (17, 6, 'أبها', 'Abha'),
    (18, 6, 'خميس مشيط', 'Khamis Mushait'),
    (19, 7, 'تبوك', 'Tabuk'),
    (20, 8, 'حائل', 'Hail'),
    (21, 9, 'عرعر', 'Arar'),
    (22, 10, 'جازان', 'Jazan'),
    (23, 11, 'نجران', 'Najran'),
    (24, 12, 'الباحة', 'Al-Baha'),
    (25, 13, 'سكاكا', 'Sakaka'),
    (26, 1, 'الخرج', 'Al-Kharj'),
    (27, 1, 'المجمعة', 'Al-Majmaah');

-- Monthly income bands, in Saudi riyals.
INSERT INTO income_ranges (id, name_ar, name_en) VALUES
    (1, 'أقل من 5,000 ريال', 'Less than SAR 5,000'),
    (2, 'من 5,000 إلى 10,000 ريال', 'SAR 5,000 to 10,000'),
    (3, 'من 10,001 إلى 20,000 ريال', 'SAR 10,001 to 20,000'),
    (4, 'من 20,001 إلى 35,000 ريال', 'SAR 20,001 to 35,000'),
    (5, 'من 35,001 إلى 50,000 ريال', 'SAR 35,001 to 50,000'),
    (6, 'أكثر من 50,000 ريال', 'More than SAR 50,000');

INSERT INTO languages (id, name_ar, name_en) VALUES
    (1, 'العربية', 'Arabic'),
    (2, 'الإنجليزية', 'English'),
    (3, 'الأردية', 'Urdu'),
    (4, 'الهندية', 'Hindi'),
    (5, 'البنغالية', 'Bengali'),
    (6, 'الفلبينية', 'Filipino'),
    (7, 'الإندونيسية', 'Indonesian'),
    (8, 'الفرنسية', 'French');

-- How a contact relates to the customer.
INSERT INTO relation_types (id, name_ar, name_en) VALUES
    (1, 'زوج', 'Husband'),
    (2, 'زوجة', 'Wife'),
    (3, 'صديق', 'Friend'),
    (4, 'أب', 'Father'),
    (5, 'أم', 'Mother'),
    (6, 'أخ', 'Brother'),
    (7, 'أخت', 'Sister'),
    (8, 'ابن', 'Son'),
    (9, 'ابنة', 'Daughter'),
    (10, 'زميل عمل', 'Colleague'),
    (11, 'قريب', 'Relative'),
    (12, 'مفوض بالتوقيع', 'Authorised signatory'),
    (13, 'أخرى', 'Other');

-- Demo data set of the customer lookup service.
--
-- One portable file: it runs unchanged on PostgreSQL and SQLite, after the schema and
-- reference data migrations. It is idempotent: every statement is
-- INSERT ... ON CONFLICT DO NOTHING with explicit keys, so a second run inserts nothing.
-- Timestamps are text literals (local time, no offset); booleans are TRUE / FALSE.
--
-- Company 1 (jtc) is the insurance company of the example; company 2 (jfc) is the
-- finance company, which reuses some identifiers of jtc to show tenant isolation.
-- Customer 54218 is exactly the customer of example-response.json. DEMO.md beside this
-- file lists the customers and what each demonstrates.
--
-- Key ranges: customer versions 103932 (the example) and 200001..; contacts 1..;
-- references 1... On PostgreSQL the identity sequences are not advanced by explicit keys.
-- Every row of customer data names its company (contacts included): the keys begin with
-- company_id.

INSERT INTO companies (company_id, code, name_ar, name_en) VALUES
    (1, 'jtc', 'شركة جود للتكافل', 'Jood Takaful Company'),
    (2, 'jfc', 'شركة جود للتمويل', 'Jood Finance Company')
ON CONFLICT DO NOTHING;

-- Customers, each in one company for life.
INSERT INTO customers (customer_id, company_id) VALUES
    (54218, 1),
    (54219, 1),
    (54220, 1),
    (54221, 1),
    (54222, 1),
    (54223, 1),
    (54224, 1),
    (54225, 1),
    (61001, 1),
    (61002, 1),
    (61003, 1),
    (70001, 2),
    (70002, 2),
    (70003, 2),
    (70004, 2)
ON CONFLICT DO NOTHING;

-- --------------------------------------------------------------------------------------
-- Customer 54218 of jtc: exactly the customer of example-response.json (a company,
-- identified by its commercial registration number). The example request (companyCode=jtc,
-- customerId=54218, identificationNo=2103232123, mobileNumber=568617084, referenceNo=333215)
-- returns exactly this customer. Every column is spelt out, NULLs included.
INSERT INTO customer_versions (
    version_id, customer_id, customer_version_id, company_id,
    first_name, middle_name, last_name, company_name, contact_name,
    nationality_id, gender_id, customer_type_id, company_type_id, industry_type_id,
    date_of_birth, occupation, preferred_contact_type_id, email_address,
    phone_code_id, mobile_number, additional_phone_code_id, additional_mobile_number,
    identification_type_id, identification_no,
    country_id, region_id, city_id, zip_code, address1, address2,
    monthly_income_id, created_date, is_active, preferred_language_id,
    national_address, commercial_record, plot_identification, building_no, unit_no, vat_reg_no,
    start_date, end_date, city_sub_division_name, postal_code, user_active
) VALUES (
    103932, 54218, 1, 1,
    NULL, NULL, NULL, 'Param IT', 'Parameswaran Kalidas',
    NULL, NULL, 2, NULL, 4,
    NULL, 'Company', 1, 'sri1@gmail.com',
    1, '568617084', NULL, NULL,
    5, '2103232123',
    1, 1, 1, NULL, 'Holding', 'Company',
    NULL, NULL, NULL, 1,
    NULL, NULL, NULL, NULL, NULL, NULL,
    '2026-05-14 14:24:50.61', NULL, NULL, '31202', TRUE
) ON CONFLICT DO NOTHING;
INSERT INTO customer_contacts (
    contact_id, company_id, customer_id, contact_number, relation_type_id, contact_name, contact_phone_code_id,
    primary_contact, contact_start_date, contact_end_date, is_active, contact_is_enable, profession, remarks
) VALUES
    (1, 1, 54218, '568617083', 3, NULL, NULL,
     FALSE, NULL, NULL, TRUE, NULL, 'Test', ''),
    (2, 1, 54218, '568617086', 6, NULL, NULL,
     FALSE, NULL, NULL, TRUE, NULL, 'Brother Prof', '')
ON CONFLICT DO NOTHING;
INSERT INTO customer_references (reference_id, company_id, customer_id, reference_no) VALUES
    (1, 1, 54218, '333215')
ON CONFLICT DO NOTHING;

-- --------------------------------------------------------------------------------------
-- Customer 54219 of jtc: Saudi individual (national ID), Arabic names. Shares the family
-- mobile 551234567 with his wife 54220, so a search on that mobile returns two customers.
-- Family policy POL-2025-000123 is attached to both. His national ID and mobile are reused
-- by customer 70002 of jfc (tenant isolation).
INSERT INTO customer_versions (
    version_id, customer_id, customer_version_id, company_id,
    first_name, middle_name, last_name, company_name, contact_name,
    nationality_id, gender_id, customer_type_id, company_type_id, industry_type_id,
    date_of_birth, occupation, preferred_contact_type_id, email_address,
    phone_code_id, mobile_number, additional_phone_code_id, additional_mobile_number,
    identification_type_id, identification_no,
    country_id, region_id, city_id, zip_code, address1, address2,
    monthly_income_id, created_date, is_active, preferred_language_id,
    national_address, commercial_record, plot_identification, building_no, unit_no, vat_reg_no,
    start_date, end_date, city_sub_division_name, postal_code, user_active
) VALUES (
    200001, 54219, 1, 1,
    'عبدالله', 'محمد', 'القحطاني', NULL, NULL,
    1, 1, 1, NULL, NULL,
    '1982-03-15 00:00:00', 'مهندس', 4, 'a.alqahtani@example.com',
    1, '551234567', NULL, NULL,
    1, '1034567891',
    1, 1, 1, NULL, 'شارع الأمير محمد بن عبدالعزيز', 'حي السليمانية',
    4, '2019-06-02 10:15:00', TRUE, 1,
    'RSMA3427', NULL, NULL, '3427', '5', NULL,
    '2019-06-02 10:15:00', NULL, 'السليمانية', '12245', TRUE
) ON CONFLICT DO NOTHING;
INSERT INTO customer_contacts (
    contact_id, company_id, customer_id, contact_number, relation_type_id, contact_name, contact_phone_code_id,
    primary_contact, contact_start_date, contact_end_date, is_active, contact_is_enable, profession, remarks
) VALUES
    (3, 1, 54219, '505667788', 2, 'نورة سعد العتيبي', NULL,
     TRUE, NULL, NULL, TRUE, TRUE, 'معلمة', ''),
    (4, 1, 54219, '553456789', 8, 'فيصل عبدالله القحطاني', NULL,
     FALSE, NULL, NULL, TRUE, TRUE, 'محاسب', '')
ON CONFLICT DO NOTHING;
INSERT INTO customer_references (reference_id, company_id, customer_id, reference_no) VALUES
    (2, 1, 54219, 'POL-2025-000123'),
    (3, 1, 54219, 'POL-2026-000481')
ON CONFLICT DO NOTHING;

-- --------------------------------------------------------------------------------------
-- Customer 54220 of jtc: Saudi individual, female, wife of 54219. Registered with the
-- family mobile 551234567 (her own number is the additional mobile); shares the family
-- policy POL-2025-000123, so a search on that reference also returns two customers.
INSERT INTO customer_versions (
    version_id, customer_id, customer_version_id, company_id,
    first_name, middle_name, last_name, company_name, contact_name,
    nationality_id, gender_id, customer_type_id, company_type_id, industry_type_id,
    date_of_birth, occupation, preferred_contact_type_id, email_address,
    phone_code_id, mobile_number, additional_phone_code_id, additional_mobile_number,
    identification_type_id, identification_no,
    country_id, region_id, city_id, zip_code, address1, address2,
    monthly_income_id, created_date, is_active, preferred_language_id,
    national_address, commercial_record, plot_identification, building_no, unit_no, vat_reg_no,
    start_date, end_date, city_sub_division_name, postal_code, user_active
) VALUES (
    200002, 54220, 1, 1,
    'نورة', 'سعد', 'العتيبي', NULL, NULL,
    1, 2, 1, NULL, NULL,
    '1986-11-02 00:00:00', 'معلمة', 2, 'noura.alotaibi@example.com',
    1, '551234567', 1, '505667788',
    1, '1045678912',
    1, 1, 1, NULL, 'شارع الأمير محمد بن عبدالعزيز', 'حي السليمانية',
    3, '2019-06-02 10:40:12', TRUE, 1,
    'RSMA3427', NULL, NULL, '3427', '5', NULL,
    '2019-06-02 10:40:12', NULL, 'السليمانية', '12245', TRUE
) ON CONFLICT DO NOTHING;
INSERT INTO customer_contacts (
    contact_id, company_id, customer_id, contact_number, relation_type_id, contact_name, contact_phone_code_id,
    primary_contact, contact_start_date, contact_end_date, is_active, contact_is_enable, profession, remarks
) VALUES
    (5, 1, 54220, '551234567', 1, 'عبدالله محمد القحطاني', NULL,
     TRUE, NULL, NULL, TRUE, TRUE, 'مهندس', '')
ON CONFLICT DO NOTHING;
INSERT INTO customer_references (reference_id, company_id, customer_id, reference_no) VALUES
    (4, 1, 54220, 'POL-2025-000123')
ON CONFLICT DO NOTHING;

-- --------------------------------------------------------------------------------------
-- Customer 54221 of jtc: son of 54219, two versions. Version 1 (closed) used the family
-- mobile 551234567; version 2 (current) has his own mobile 553456789 and a new occupation.
-- A search on the old mobile does not find him.
INSERT INTO customer_versions (
    version_id, customer_id, customer_version_id, company_id,
    first_name, middle_name, last_name, company_name, contact_name,
    nationality_id, gender_id, customer_type_id, company_type_id, industry_type_id,
    date_of_birth, occupation, preferred_contact_type_id, email_address,
    phone_code_id, mobile_number, additional_phone_code_id, additional_mobile_number,
    identification_type_id, identification_no,
    country_id, region_id, city_id, zip_code, address1, address2,
    monthly_income_id, created_date, is_active, preferred_language_id,
    national_address, commercial_record, plot_identification, building_no, unit_no, vat_reg_no,
    start_date, end_date, city_sub_division_name, postal_code, user_active
) VALUES (
    200003, 54221, 1, 1,
    'فيصل', 'عبدالله', 'القحطاني', NULL, NULL,
    1, 1, 1, NULL, NULL,
    '2003-08-20 00:00:00', 'طالب', 4, NULL,
    1, '551234567', NULL, NULL,
    1, '1098765432',
    1, 1, 1, NULL, 'شارع الأمير محمد بن عبدالعزيز', 'حي السليمانية',
    1, '2024-09-01 08:00:00', TRUE, 1,
    'RSMA3427', NULL, NULL, '3427', '5', NULL,
    '2024-09-01 08:00:00', '2025-10-12 09:30:00', 'السليمانية', '12245', TRUE
) ON CONFLICT DO NOTHING;
INSERT INTO customer_versions (
    version_id, customer_id, customer_version_id, company_id,
    first_name, middle_name, last_name, company_name, contact_name,
    nationality_id, gender_id, customer_type_id, company_type_id, industry_type_id,
    date_of_birth, occupation, preferred_contact_type_id, email_address,
    phone_code_id, mobile_number, additional_phone_code_id, additional_mobile_number,
    identification_type_id, identification_no,
    country_id, region_id, city_id, zip_code, address1, address2,
    monthly_income_id, created_date, is_active, preferred_language_id,
    national_address, commercial_record, plot_identification, building_no, unit_no, vat_reg_no,
    start_date, end_date, city_sub_division_name, postal_code, user_active
) VALUES (
    200004, 54221, 2, 1,
    'فيصل', 'عبدالله', 'القحطاني', NULL, NULL,
    1, 1, 1, NULL, NULL,
    '2003-08-20 00:00:00', 'محاسب', 4, 'faisal.alqahtani@example.com',
    1, '553456789', NULL, NULL,
    1, '1098765432',
    1, 1, 1, NULL, 'شارع الأمير محمد بن عبدالعزيز', 'حي السليمانية',
    2, '2024-09-01 08:00:00', TRUE, 1,
    'RSMA3427', NULL, NULL, '3427', '5', NULL,
    '2025-10-12 09:30:00', NULL, 'السليمانية', '12245', TRUE
) ON CONFLICT DO NOTHING;
INSERT INTO customer_contacts (
    contact_id, company_id, customer_id, contact_number, relation_type_id, contact_name, contact_phone_code_id,
    primary_contact, contact_start_date, contact_end_date, is_active, contact_is_enable, profession, remarks
) VALUES
    (6, 1, 54221, '551234567', 4, 'عبدالله محمد القحطاني', NULL,
     TRUE, NULL, NULL, TRUE, TRUE, NULL, '')
ON CONFLICT DO NOTHING;
INSERT INTO customer_references (reference_id, company_id, customer_id, reference_no) VALUES
    (5, 1, 54221, 'MTR-2025-044871')
ON CONFLICT DO NOTHING;

-- --------------------------------------------------------------------------------------
-- Customer 54222 of jtc: Indian resident, English names, three versions. Version 1 was
-- identified by passport M4821937 in Dammam; version 2 by iqama 2456789013; version 3
-- (current) moved to Khobar. A search on the passport number finds nothing. Contact 7 has
-- its own phone code (0091, India), different from the customer's 00966.
INSERT INTO customer_versions (
    version_id, customer_id, customer_version_id, company_id,
    first_name, middle_name, last_name, company_name, contact_name,
    nationality_id, gender_id, customer_type_id, company_type_id, industry_type_id,
    date_of_birth, occupation, preferred_contact_type_id, email_address,
    phone_code_id, mobile_number, additional_phone_code_id, additional_mobile_number,
    identification_type_id, identification_no,
    country_id, region_id, city_id, zip_code, address1, address2,
    monthly_income_id, created_date, is_active, preferred_language_id,
    national_address, commercial_record, plot_identification, building_no, unit_no, vat_reg_no,
    start_date, end_date, city_sub_division_name, postal_code, user_active
) VALUES (
    200005, 54222, 1, 1,
    'Rajesh', 'Kumar', 'Nair', NULL, NULL,
    14, 1, 1, NULL, NULL,
    '1979-01-25 00:00:00', 'Site Engineer', 3, 'rajesh.nair@example.com',
    1, '569876543', NULL, NULL,
    3, 'M4821937',
    1, 5, 5, NULL, 'King Saud Street', 'Al Adamah District',
    2, '2021-02-10 11:00:00', TRUE, 2,
    NULL, NULL, NULL, NULL, NULL, NULL,
    '2021-02-10 11:00:00', '2022-03-01 09:00:00', 'Al Adamah', '32241', TRUE
) ON CONFLICT DO NOTHING;
INSERT INTO customer_versions (
    version_id, customer_id, customer_version_id, company_id,
    first_name, middle_name, last_name, company_name, contact_name,
    nationality_id, gender_id, customer_type_id, company_type_id, industry_type_id,
    date_of_birth, occupation, preferred_contact_type_id, email_address,
    phone_code_id, mobile_number, additional_phone_code_id, additional_mobile_number,
    identification_type_id, identification_no,
    country_id, region_id, city_id, zip_code, address1, address2,
    monthly_income_id, created_date, is_active, preferred_language_id,
    national_address, commercial_record, plot_identification, building_no, unit_no, vat_reg_no,
    start_date, end_date, city_sub_division_name, postal_code, user_active
) VALUES (
    200006, 54222, 2, 1,
    'Rajesh', 'Kumar', 'Nair', NULL, NULL,
    14, 1, 1, NULL, NULL,
    '1979-01-25 00:00:00', 'Site Engineer', 3, 'rajesh.nair@example.com',
    1, '569876543', NULL, NULL,
    2, '2456789013',
    1, 5, 5, NULL, 'King Saud Street', 'Al Adamah District',
    3, '2021-02-10 11:00:00', TRUE, 2,
    NULL, NULL, NULL, NULL, NULL, NULL,
    '2022-03-01 09:00:00', '2024-07-15 16:45:30.5', 'Al Adamah', '32241', TRUE
) ON CONFLICT DO NOTHING;
INSERT INTO customer_versions (
    version_id, customer_id, customer_version_id, company_id,
    first_name, middle_name, last_name, company_name, contact_name,
    nationality_id, gender_id, customer_type_id, company_type_id, industry_type_id,
    date_of_birth, occupation, preferred_contact_type_id, email_address,
    phone_code_id, mobile_number, additional_phone_code_id, additional_mobile_number,
    identification_type_id, identification_no,
    country_id, region_id, city_id, zip_code, address1, address2,
    monthly_income_id, created_date, is_active, preferred_language_id,
    national_address, commercial_record, plot_identification, building_no, unit_no, vat_reg_no,
    start_date, end_date, city_sub_division_name, postal_code, user_active
) VALUES (
    200007, 54222, 3, 1,
    'Rajesh', 'Kumar', 'Nair', NULL, NULL,
    14, 1, 1, NULL, NULL,
    '1979-01-25 00:00:00', 'Project Manager', 3, 'rajesh.nair@example.com',
    1, '569876543', NULL, NULL,
    2, '2456789013',
    1, 5, 6, NULL, 'Prince Turki Street', 'Al Yarmouk District',
    4, '2021-02-10 11:00:00', TRUE, 2,
    'EKYA2871', NULL, NULL, '2871', '14', NULL,
    '2024-07-15 16:45:30.5', NULL, 'Al Yarmouk', '34423', TRUE
) ON CONFLICT DO NOTHING;
INSERT INTO customer_contacts (
    contact_id, company_id, customer_id, contact_number, relation_type_id, contact_name, contact_phone_code_id,
    primary_contact, contact_start_date, contact_end_date, is_active, contact_is_enable, profession, remarks
) VALUES
    (7, 1, 54222, '9845012345', 2, 'Lakshmi Nair', 10,
     TRUE, NULL, NULL, TRUE, TRUE, 'Homemaker', 'Lives in Kochi'),
    (8, 1, 54222, '504443322', 10, 'Mohammed Al-Dosari', NULL,
     FALSE, NULL, NULL, TRUE, TRUE, 'Site Supervisor', '')
ON CONFLICT DO NOTHING;
INSERT INTO customer_references (reference_id, company_id, customer_id, reference_no) VALUES
    (6, 1, 54222, 'POL-2024-003317'),
    (7, 1, 54222, '771245')
ON CONFLICT DO NOTHING;

-- --------------------------------------------------------------------------------------
-- Customer 54223 of jtc: Egyptian resident (iqama) in Jeddah with an additional mobile
-- under the Egyptian code 0020; no contacts and no references (customerContacts is []);
-- userActive 0.
INSERT INTO customer_versions (
    version_id, customer_id, customer_version_id, company_id,
    first_name, middle_name, last_name, company_name, contact_name,
    nationality_id, gender_id, customer_type_id, company_type_id, industry_type_id,
    date_of_birth, occupation, preferred_contact_type_id, email_address,
    phone_code_id, mobile_number, additional_phone_code_id, additional_mobile_number,
    identification_type_id, identification_no,
    country_id, region_id, city_id, zip_code, address1, address2,
    monthly_income_id, created_date, is_active, preferred_language_id,
    national_address, commercial_record, plot_identification, building_no, unit_no, vat_reg_no,
    start_date, end_date, city_sub_division_name, postal_code, user_active
) VALUES (
    200008, 54223, 1, 1,
    'أحمد', 'سمير', 'عبدالرحمن', NULL, NULL,
    8, 1, 1, NULL, NULL,
    '1990-05-05 00:00:00', 'محاسب', 1, 'ahmed.samir@example.com',
    1, '540987654', 8, '1001234567',
    2, '2312345678',
    1, 2, 2, '23432', 'شارع التحلية', 'حي الروضة',
    2, '2023-03-19 12:05:44.25', TRUE, 1,
    NULL, NULL, NULL, NULL, NULL, NULL,
    '2023-03-19 12:05:44.25', NULL, NULL, NULL, FALSE
) ON CONFLICT DO NOTHING;

-- --------------------------------------------------------------------------------------
-- Customer 54224 of jtc: Filipino resident (iqama) in Madinah, English names; her contact
-- (her mother) has the Philippine phone code 0063.
INSERT INTO customer_versions (
    version_id, customer_id, customer_version_id, company_id,
    first_name, middle_name, last_name, company_name, contact_name,
    nationality_id, gender_id, customer_type_id, company_type_id, industry_type_id,
    date_of_birth, occupation, preferred_contact_type_id, email_address,
    phone_code_id, mobile_number, additional_phone_code_id, additional_mobile_number,
    identification_type_id, identification_no,
    country_id, region_id, city_id, zip_code, address1, address2,
    monthly_income_id, created_date, is_active, preferred_language_id,
    national_address, commercial_record, plot_identification, building_no, unit_no, vat_reg_no,
    start_date, end_date, city_sub_division_name, postal_code, user_active
) VALUES (
    200009, 54224, 1, 1,
    'Maria', 'Santos', 'Reyes', NULL, NULL,
    17, 2, 1, NULL, NULL,
    '1992-09-30 00:00:00', 'Nurse', 4, 'maria.reyes@example.com',
    1, '557778899', NULL, NULL,
    2, '2387654321',
    1, 3, 4, NULL, 'King Abdullah Road', 'Al Aziziyah District',
    2, '2026-01-11 09:12:00', TRUE, 2,
    NULL, NULL, NULL, NULL, NULL, NULL,
    '2026-01-11 09:12:00', NULL, NULL, '42313', TRUE
) ON CONFLICT DO NOTHING;
INSERT INTO customer_contacts (
    contact_id, company_id, customer_id, contact_number, relation_type_id, contact_name, contact_phone_code_id,
    primary_contact, contact_start_date, contact_end_date, is_active, contact_is_enable, profession, remarks
) VALUES
    (9, 1, 54224, '9171234567', 5, 'Lourdes Reyes', 13,
     TRUE, NULL, NULL, TRUE, TRUE, 'Retired', 'Lives in Manila')
ON CONFLICT DO NOTHING;
INSERT INTO customer_references (reference_id, company_id, customer_id, reference_no) VALUES
    (8, 1, 54224, 'MED-2026-000214')
ON CONFLICT DO NOTHING;

-- --------------------------------------------------------------------------------------
-- Customer 54225 of jtc: a closed customer. Its only version has an end date, so it has
-- no current version and no search ever returns it, not even by customerId 54225 or by
-- its reference POL-2020-007781.
INSERT INTO customer_versions (
    version_id, customer_id, customer_version_id, company_id,
    first_name, middle_name, last_name, company_name, contact_name,
    nationality_id, gender_id, customer_type_id, company_type_id, industry_type_id,
    date_of_birth, occupation, preferred_contact_type_id, email_address,
    phone_code_id, mobile_number, additional_phone_code_id, additional_mobile_number,
    identification_type_id, identification_no,
    country_id, region_id, city_id, zip_code, address1, address2,
    monthly_income_id, created_date, is_active, preferred_language_id,
    national_address, commercial_record, plot_identification, building_no, unit_no, vat_reg_no,
    start_date, end_date, city_sub_division_name, postal_code, user_active
) VALUES (
    200010, 54225, 1, 1,
    'سارة', 'خالد', 'الشمري', NULL, NULL,
    1, 2, 1, NULL, NULL,
    '1988-12-12 00:00:00', 'موظفة حكومية', 2, NULL,
    1, '567001122', NULL, NULL,
    1, '1076543210',
    1, 8, 20, NULL, 'طريق الملك عبدالعزيز', 'حي النقرة',
    3, '2020-01-05 09:00:00', FALSE, 1,
    NULL, NULL, NULL, NULL, NULL, NULL,
    '2020-01-05 09:00:00', '2023-12-31 23:59:59', NULL, '55431', FALSE
) ON CONFLICT DO NOTHING;
INSERT INTO customer_references (reference_id, company_id, customer_id, reference_no) VALUES
    (9, 1, 54225, 'POL-2020-007781')
ON CONFLICT DO NOTHING;

-- --------------------------------------------------------------------------------------
-- Customer 61001 of jtc: limited liability company in Riyadh (CR 1010456789, VAT number,
-- full national address), three references; contact 11 is a former contact (ended,
-- inactive).
INSERT INTO customer_versions (
    version_id, customer_id, customer_version_id, company_id,
    first_name, middle_name, last_name, company_name, contact_name,
    nationality_id, gender_id, customer_type_id, company_type_id, industry_type_id,
    date_of_birth, occupation, preferred_contact_type_id, email_address,
    phone_code_id, mobile_number, additional_phone_code_id, additional_mobile_number,
    identification_type_id, identification_no,
    country_id, region_id, city_id, zip_code, address1, address2,
    monthly_income_id, created_date, is_active, preferred_language_id,
    national_address, commercial_record, plot_identification, building_no, unit_no, vat_reg_no,
    start_date, end_date, city_sub_division_name, postal_code, user_active
) VALUES (
    200011, 61001, 1, 1,
    NULL, NULL, NULL, 'شركة الأفق الرقمي لتقنية المعلومات', 'خالد إبراهيم الحربي',
    NULL, NULL, 2, 1, 6,
    NULL, NULL, 3, 'info@ufuq-digital.example.sa',
    1, '555010203', 1, '555010209',
    5, '1010456789',
    1, 1, 1, NULL, 'طريق الملك فهد', 'برج الأفق، الدور 12',
    NULL, '2022-04-18 13:20:00', TRUE, 1,
    'RROA7412', '1010456789', '2456', '7412', '12', '300456789100003',
    '2022-04-18 13:20:00', NULL, 'العليا', '12212', TRUE
) ON CONFLICT DO NOTHING;
INSERT INTO customer_contacts (
    contact_id, company_id, customer_id, contact_number, relation_type_id, contact_name, contact_phone_code_id,
    primary_contact, contact_start_date, contact_end_date, is_active, contact_is_enable, profession, remarks
) VALUES
    (10, 1, 61001, '555010204', 12, 'خالد إبراهيم الحربي', NULL,
     TRUE, '2022-04-18 00:00:00', NULL, TRUE, TRUE, 'المدير العام', 'مفوض بالتوقيع حتى نهاية السجل'),
    (11, 1, 61001, '555010299', 10, 'Omar Farouk', NULL,
     FALSE, '2022-04-18 00:00:00', '2025-01-31 00:00:00', FALSE, FALSE, 'Finance Manager', 'Left the company')
ON CONFLICT DO NOTHING;
INSERT INTO customer_references (reference_id, company_id, customer_id, reference_no) VALUES
    (10, 1, 61001, 'GRP-2025-000045'),
    (11, 1, 61001, 'POL-2025-000987'),
    (12, 1, 61001, '884512')
ON CONFLICT DO NOTHING;

-- --------------------------------------------------------------------------------------
-- Customer 61002 of jtc: joint stock company, two versions. Version 1 (closed): old name,
-- Dammam address and old mobile 500112233; version 2 (current): new name, Jubail address,
-- mobile 500998877. A search on the old mobile finds nothing.
INSERT INTO customer_versions (
    version_id, customer_id, customer_version_id, company_id,
    first_name, middle_name, last_name, company_name, contact_name,
    nationality_id, gender_id, customer_type_id, company_type_id, industry_type_id,
    date_of_birth, occupation, preferred_contact_type_id, email_address,
    phone_code_id, mobile_number, additional_phone_code_id, additional_mobile_number,
    identification_type_id, identification_no,
    country_id, region_id, city_id, zip_code, address1, address2,
    monthly_income_id, created_date, is_active, preferred_language_id,
    national_address, commercial_record, plot_identification, building_no, unit_no, vat_reg_no,
    start_date, end_date, city_sub_division_name, postal_code, user_active
) VALUES (
    200012, 61002, 1, 1,
    NULL, NULL, NULL, 'Gulf Coast Drilling Services Co.', 'Hassan Al-Ghamdi',
    NULL, NULL, 2, 2, 5,
    NULL, NULL, 3, 'insurance@gulfcoast-energy.example.sa',
    1, '500112233', NULL, NULL,
    5, '2050123456',
    1, 5, 5, NULL, 'Second Industrial City', 'Street 38',
    NULL, '2020-09-13 08:45:00', TRUE, 2,
    NULL, '2050123456', NULL, NULL, NULL, '310123456700003',
    '2020-09-13 08:45:00', '2025-03-02 12:00:00', NULL, '34326', TRUE
) ON CONFLICT DO NOTHING;
INSERT INTO customer_versions (
    version_id, customer_id, customer_version_id, company_id,
    first_name, middle_name, last_name, company_name, contact_name,
    nationality_id, gender_id, customer_type_id, company_type_id, industry_type_id,
    date_of_birth, occupation, preferred_contact_type_id, email_address,
    phone_code_id, mobile_number, additional_phone_code_id, additional_mobile_number,
    identification_type_id, identification_no,
    country_id, region_id, city_id, zip_code, address1, address2,
    monthly_income_id, created_date, is_active, preferred_language_id,
    national_address, commercial_record, plot_identification, building_no, unit_no, vat_reg_no,
    start_date, end_date, city_sub_division_name, postal_code, user_active
) VALUES (
    200013, 61002, 2, 1,
    NULL, NULL, NULL, 'Gulf Coast Energy Services Co.', 'Hassan Al-Ghamdi',
    NULL, NULL, 2, 2, 5,
    NULL, NULL, 3, 'insurance@gulfcoast-energy.example.sa',
    1, '500998877', NULL, NULL,
    5, '2050123456',
    1, 5, 9, NULL, 'Jubail Industrial City', 'Road 116',
    NULL, '2020-09-13 08:45:00', TRUE, 2,
    'EJIA6120', '2050123456', NULL, '6120', '3', '310123456700003',
    '2025-03-02 12:00:00', NULL, 'Al Fanateer', '35718', TRUE
) ON CONFLICT DO NOTHING;
INSERT INTO customer_contacts (
    contact_id, company_id, customer_id, contact_number, relation_type_id, contact_name, contact_phone_code_id,
    primary_contact, contact_start_date, contact_end_date, is_active, contact_is_enable, profession, remarks
) VALUES
    (12, 1, 61002, '500998878', 12, 'Hassan Al-Ghamdi', NULL,
     TRUE, '2020-09-13 00:00:00', NULL, TRUE, TRUE, 'Chief Financial Officer', '')
ON CONFLICT DO NOTHING;
INSERT INTO customer_references (reference_id, company_id, customer_id, reference_no) VALUES
    (13, 1, 61002, 'ENG-2025-000311'),
    (14, 1, 61002, '902114')
ON CONFLICT DO NOTHING;

-- --------------------------------------------------------------------------------------
-- Customer 61003 of jtc: sole proprietorship in Jeddah (CR 4030234567), no contacts and
-- no references.
INSERT INTO customer_versions (
    version_id, customer_id, customer_version_id, company_id,
    first_name, middle_name, last_name, company_name, contact_name,
    nationality_id, gender_id, customer_type_id, company_type_id, industry_type_id,
    date_of_birth, occupation, preferred_contact_type_id, email_address,
    phone_code_id, mobile_number, additional_phone_code_id, additional_mobile_number,
    identification_type_id, identification_no,
    country_id, region_id, city_id, zip_code, address1, address2,
    monthly_income_id, created_date, is_active, preferred_language_id,
    national_address, commercial_record, plot_identification, building_no, unit_no, vat_reg_no,
    start_date, end_date, city_sub_division_name, postal_code, user_active
) VALUES (
    200014, 61003, 1, 1,
    NULL, NULL, NULL, 'مؤسسة نجمة البحر للتجارة', 'ماجد علي الزهراني',
    NULL, NULL, 2, 3, 1,
    NULL, NULL, 1, 'najmat.albahr@example.sa',
    1, '566554433', NULL, NULL,
    5, '4030234567',
    1, 2, 2, NULL, 'شارع فلسطين', 'حي الحمراء',
    NULL, '2024-11-03 15:30:00', TRUE, 1,
    NULL, '4030234567', NULL, NULL, NULL, '302345678900003',
    '2024-11-03 15:30:00', NULL, NULL, '23323', TRUE
) ON CONFLICT DO NOTHING;

-- --------------------------------------------------------------------------------------
-- Customer 70001 of jfc: tenant isolation. Same identification number 2103232123, same
-- mobile 568617084 and same reference 333215 as customer 54218 of jtc: the example request
-- with companyCode=jfc returns [] (54218 is not a jfc customer); without customerId it
-- returns this customer only, and with companyCode=jtc never this one.
INSERT INTO customer_versions (
    version_id, customer_id, customer_version_id, company_id,
    first_name, middle_name, last_name, company_name, contact_name,
    nationality_id, gender_id, customer_type_id, company_type_id, industry_type_id,
    date_of_birth, occupation, preferred_contact_type_id, email_address,
    phone_code_id, mobile_number, additional_phone_code_id, additional_mobile_number,
    identification_type_id, identification_no,
    country_id, region_id, city_id, zip_code, address1, address2,
    monthly_income_id, created_date, is_active, preferred_language_id,
    national_address, commercial_record, plot_identification, building_no, unit_no, vat_reg_no,
    start_date, end_date, city_sub_division_name, postal_code, user_active
) VALUES (
    200015, 70001, 1, 2,
    'Parameswaran', NULL, 'Kalidas', NULL, NULL,
    14, 1, 1, NULL, NULL,
    '1975-07-19 00:00:00', 'Business Owner', 1, 'p.kalidas@example.com',
    1, '568617084', NULL, NULL,
    2, '2103232123',
    1, 1, 1, NULL, 'Olaya Street', 'Al Olaya District',
    5, '2025-08-20 10:00:00', TRUE, 2,
    NULL, NULL, NULL, NULL, NULL, NULL,
    '2025-08-20 10:00:00', NULL, NULL, '12611', TRUE
) ON CONFLICT DO NOTHING;
INSERT INTO customer_contacts (
    contact_id, company_id, customer_id, contact_number, relation_type_id, contact_name, contact_phone_code_id,
    primary_contact, contact_start_date, contact_end_date, is_active, contact_is_enable, profession, remarks
) VALUES
    (13, 2, 70001, '568617085', 2, 'Latha Kalidas', NULL,
     TRUE, NULL, NULL, TRUE, TRUE, NULL, NULL)
ON CONFLICT DO NOTHING;
INSERT INTO customer_references (reference_id, company_id, customer_id, reference_no) VALUES
    (15, 2, 70001, '333215'),
    (16, 2, 70001, 'FIN-2026-000215')
ON CONFLICT DO NOTHING;

-- --------------------------------------------------------------------------------------
-- Customer 70002 of jfc: the same person as 54219 of jtc (national ID 1034567891, mobile
-- 551234567), a car loan at the finance company; two versions (income and occupation
-- changed). Searching that mobile in jfc returns this customer only.
INSERT INTO customer_versions (
    version_id, customer_id, customer_version_id, company_id,
    first_name, middle_name, last_name, company_name, contact_name,
    nationality_id, gender_id, customer_type_id, company_type_id, industry_type_id,
    date_of_birth, occupation, preferred_contact_type_id, email_address,
    phone_code_id, mobile_number, additional_phone_code_id, additional_mobile_number,
    identification_type_id, identification_no,
    country_id, region_id, city_id, zip_code, address1, address2,
    monthly_income_id, created_date, is_active, preferred_language_id,
    national_address, commercial_record, plot_identification, building_no, unit_no, vat_reg_no,
    start_date, end_date, city_sub_division_name, postal_code, user_active
) VALUES (
    200016, 70002, 1, 2,
    'عبدالله', 'محمد', 'القحطاني', NULL, NULL,
    1, 1, 1, NULL, NULL,
    '1982-03-15 00:00:00', 'مهندس', 2, 'a.alqahtani@example.com',
    1, '551234567', NULL, NULL,
    1, '1034567891',
    1, 1, 1, NULL, 'شارع الأمير محمد بن عبدالعزيز', 'حي السليمانية',
    4, '2023-01-09 10:00:00', TRUE, 1,
    'RSMA3427', NULL, NULL, '3427', '5', NULL,
    '2023-01-09 10:00:00', '2025-06-30 14:10:00', 'السليمانية', '12245', TRUE
) ON CONFLICT DO NOTHING;
INSERT INTO customer_versions (
    version_id, customer_id, customer_version_id, company_id,
    first_name, middle_name, last_name, company_name, contact_name,
    nationality_id, gender_id, customer_type_id, company_type_id, industry_type_id,
    date_of_birth, occupation, preferred_contact_type_id, email_address,
    phone_code_id, mobile_number, additional_phone_code_id, additional_mobile_number,
    identification_type_id, identification_no,
    country_id, region_id, city_id, zip_code, address1, address2,
    monthly_income_id, created_date, is_active, preferred_language_id,
    national_address, commercial_record, plot_identification, building_no, unit_no, vat_reg_no,
    start_date, end_date, city_sub_division_name, postal_code, user_active
) VALUES (
    200017, 70002, 2, 2,
    'عبدالله', 'محمد', 'القحطاني', NULL, NULL,
    1, 1, 1, NULL, NULL,
    '1982-03-15 00:00:00', 'مدير مشاريع', 2, 'a.alqahtani@example.com',
    1, '551234567', NULL, NULL,
    1, '1034567891',
    1, 1, 1, NULL, 'شارع الأمير محمد بن عبدالعزيز', 'حي السليمانية',
    5, '2023-01-09 10:00:00', TRUE, 1,
    'RSMA3427', NULL, NULL, '3427', '5', NULL,
    '2025-06-30 14:10:00', NULL, 'السليمانية', '12245', TRUE
) ON CONFLICT DO NOTHING;
INSERT INTO customer_references (reference_id, company_id, customer_id, reference_no) VALUES
    (17, 2, 70002, 'PF-2023-010093'),
    (18, 2, 70002, 'AUTO-2025-004512')
ON CONFLICT DO NOTHING;

-- --------------------------------------------------------------------------------------
-- Customer 70003 of jfc: simplified joint stock company in Riyadh (construction) with a
-- lease finance; contact 15 has the UAE phone code 00971.
INSERT INTO customer_versions (
    version_id, customer_id, customer_version_id, company_id,
    first_name, middle_name, last_name, company_name, contact_name,
    nationality_id, gender_id, customer_type_id, company_type_id, industry_type_id,
    date_of_birth, occupation, preferred_contact_type_id, email_address,
    phone_code_id, mobile_number, additional_phone_code_id, additional_mobile_number,
    identification_type_id, identification_no,
    country_id, region_id, city_id, zip_code, address1, address2,
    monthly_income_id, created_date, is_active, preferred_language_id,
    national_address, commercial_record, plot_identification, building_no, unit_no, vat_reg_no,
    start_date, end_date, city_sub_division_name, postal_code, user_active
) VALUES (
    200018, 70003, 1, 2,
    NULL, NULL, NULL, 'شركة البناء المتين للمقاولات', 'سعيد عوض المالكي',
    NULL, NULL, 2, 6, 4,
    NULL, NULL, 3, 'finance@albinaa-almateen.example.sa',
    1, '554443322', NULL, NULL,
    5, '1010987654',
    1, 1, 1, NULL, 'طريق الخرج', 'حي المصانع',
    NULL, '2026-02-01 08:30:00', TRUE, 1,
    'RMSA1187', '1010987654', NULL, '1187', NULL, '301098765400003',
    '2026-02-01 08:30:00', NULL, 'المصانع', '14325', TRUE
) ON CONFLICT DO NOTHING;
INSERT INTO customer_contacts (
    contact_id, company_id, customer_id, contact_number, relation_type_id, contact_name, contact_phone_code_id,
    primary_contact, contact_start_date, contact_end_date, is_active, contact_is_enable, profession, remarks
) VALUES
    (14, 2, 70003, '554443323', 12, 'سعيد عوض المالكي', NULL,
     TRUE, '2026-02-01 00:00:00', NULL, TRUE, TRUE, 'الرئيس التنفيذي', ''),
    (15, 2, 70003, '501234567', 10, 'Tariq Hamdan', 2,
     FALSE, NULL, NULL, TRUE, TRUE, 'Procurement Manager', 'Dubai office')
ON CONFLICT DO NOTHING;
INSERT INTO customer_references (reference_id, company_id, customer_id, reference_no) VALUES
    (19, 2, 70003, 'LEASE-2026-000077'),
    (20, 2, 70003, 'LEASE-2026-000078')
ON CONFLICT DO NOTHING;

-- --------------------------------------------------------------------------------------
-- Customer 70004 of jfc: Saudi individual in Khobar with one numeric reference and no
-- contacts.
INSERT INTO customer_versions (
    version_id, customer_id, customer_version_id, company_id,
    first_name, middle_name, last_name, company_name, contact_name,
    nationality_id, gender_id, customer_type_id, company_type_id, industry_type_id,
    date_of_birth, occupation, preferred_contact_type_id, email_address,
    phone_code_id, mobile_number, additional_phone_code_id, additional_mobile_number,
    identification_type_id, identification_no,
    country_id, region_id, city_id, zip_code, address1, address2,
    monthly_income_id, created_date, is_active, preferred_language_id,
    national_address, commercial_record, plot_identification, building_no, unit_no, vat_reg_no,
    start_date, end_date, city_sub_division_name, postal_code, user_active
) VALUES (
    200019, 70004, 1, 2,
    'ريم', 'عبدالعزيز', 'الدوسري', NULL, NULL,
    1, 2, 1, NULL, NULL,
    '1995-04-08 00:00:00', 'طبيبة', 4, 'reem.aldosari@example.com',
    1, '545556677', NULL, NULL,
    1, '1122334455',
    1, 5, 6, NULL, 'شارع الأمير فيصل بن فهد', 'حي العقربية',
    4, '2025-12-07 17:05:09.123', TRUE, 1,
    NULL, NULL, NULL, NULL, NULL, NULL,
    '2025-12-07 17:05:09.123', NULL, NULL, '34446', TRUE
) ON CONFLICT DO NOTHING;
INSERT INTO customer_references (reference_id, company_id, customer_id, reference_no) VALUES
    (21, 2, 70004, '450017')
ON CONFLICT DO NOTHING;

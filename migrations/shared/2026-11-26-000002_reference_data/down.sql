-- Removes the reference data of up.sql (its ids only), dependants first. Both migration
-- sets run this one file (migrations/postgres and migrations/sqlite link to its folder).
DELETE FROM relation_types WHERE id BETWEEN 1 AND 13;
DELETE FROM languages WHERE id BETWEEN 1 AND 8;
DELETE FROM income_ranges WHERE id BETWEEN 1 AND 6;
DELETE FROM cities WHERE id BETWEEN 1 AND 27;
DELETE FROM regions WHERE id BETWEEN 1 AND 13;
DELETE FROM countries WHERE id BETWEEN 1 AND 17;
DELETE FROM identification_types WHERE id BETWEEN 1 AND 7;
DELETE FROM phone_codes WHERE id BETWEEN 1 AND 15;
DELETE FROM contact_types WHERE id BETWEEN 1 AND 5;
DELETE FROM industry_types WHERE id BETWEEN 1 AND 13;
DELETE FROM company_types WHERE id BETWEEN 1 AND 7;
DELETE FROM customer_types WHERE id BETWEEN 1 AND 3;
DELETE FROM genders WHERE id BETWEEN 1 AND 2;
DELETE FROM nationalities WHERE id BETWEEN 1 AND 22;

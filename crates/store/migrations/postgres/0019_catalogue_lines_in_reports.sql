-- Issue 18: the plan lines that were never measured enter the default report template —
-- points and clusters newly formed (plan line 5), seizures by drug and unit of measure,
-- and propaganda by venue. The rows are added next to their neighbours by text
-- replacement, so the rest of the template (and any later edit of it) is kept.
UPDATE report_templates
SET body = REPLACE(
    REPLACE(
        REPLACE(body,
            '"sites_eliminated",',
            '"sites_new", "sites_new_change", "sites_eliminated",'),
        '"administratively_handled",',
        '"administratively_handled", "seized_heroin_g", "seized_heroin_bricks", "seized_synthetic_g", "seized_synthetic_tablets", "seized_cannabis_g", "seized_cannabis_plants", "seized_cocaine_g", "seized_opium_g", "seized_other_g", "seized_other_tablets",'),
    '"propaganda_participants",',
    '"propaganda_participants", "propaganda_commune", "propaganda_school", "propaganda_industrial_zone", "propaganda_business", "propaganda_other_venue",')
WHERE code = 'default';

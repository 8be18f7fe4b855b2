-- whatsapp-outbox schema, version 2.
-- Each claim reads its batch's consents by this key, and the status is all it reads: with the
-- status in the key's index, they are answered from the index alone (an index-only scan), one
-- page fewer per message than a fetch of the row. Consent rows change rarely, so the cost (a
-- change of status is no longer a HOT update) is paid seldom. The key is rebuilt in the migration's
-- transaction: consent writes wait until it is built.
ALTER TABLE consentement
    DROP CONSTRAINT consentement_pkey,
    ADD CONSTRAINT consentement_pkey PRIMARY KEY (org_id, phone_number, channel) INCLUDE (status);

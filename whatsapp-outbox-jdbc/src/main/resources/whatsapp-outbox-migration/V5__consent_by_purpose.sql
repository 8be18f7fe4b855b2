-- whatsapp-outbox schema, version 5.
-- Consent by purpose: a customer who accepts reminders (TRANSACTIONAL) has not accepted offers
-- (MARKETING, Meta's marketing templates). The purpose joins the consent's key. Under the old model
-- one consent covered every message, so each existing row becomes the TRANSACTIONAL consent and is
-- copied as the MARKETING one: existing grants and revocations keep working for both. The column's
-- default keeps an operator's existing INSERTs (without a purpose) meaning TRANSACTIONAL.
ALTER TABLE consentement
    ADD COLUMN purpose text NOT NULL DEFAULT 'TRANSACTIONAL',
    ADD CONSTRAINT consentement_purpose_known CHECK (purpose IN ('TRANSACTIONAL', 'MARKETING')),
    DROP CONSTRAINT consentement_pkey;
INSERT INTO consentement (org_id, phone_number, channel, purpose, status, source, created_at, updated_at, updated_by)
SELECT org_id, phone_number, channel, 'MARKETING', status, source, created_at, updated_at, updated_by
  FROM consentement;
-- the claim reads its batch's consents from this index alone, as with V2's key
ALTER TABLE consentement
    ADD CONSTRAINT consentement_pkey PRIMARY KEY (org_id, phone_number, channel, purpose) INCLUDE (status);

-- Which consent each message needs, decided at enqueue. A constant default: no table rewrite.
ALTER TABLE outbound_message
    ADD COLUMN consent_purpose text NOT NULL DEFAULT 'TRANSACTIONAL',
    ADD CONSTRAINT outbound_message_consent_purpose_known
        CHECK (consent_purpose IN ('TRANSACTIONAL', 'MARKETING')) NOT VALID;
ALTER TABLE outbound_message VALIDATE CONSTRAINT outbound_message_consent_purpose_known;

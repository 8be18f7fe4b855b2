-- Meta's messaging limit: the unique recipients of business-initiated conversations (templates to a
-- recipient without an open session window) a business portfolio may reach per rolling 24 hours.
-- One row per account and recipient, written when the dispatcher lets a template go (the batch's
-- reservation): a row whose first_sent_at is older than 24 hours no longer counts, and is renewed
-- by the recipient's next template or deleted by the maintenance. account is the provider config's
-- business_account_id, or 'org:' || org_id for an org without one. No row while no limit is known.
CREATE TABLE whatsapp_messaging_window (
    account       text        NOT NULL,
    phone_number  text        NOT NULL,
    first_sent_at timestamptz NOT NULL,
    PRIMARY KEY (account, phone_number)
);

-- the count of an account's window and its oldest entry (when the window frees a place)
CREATE INDEX whatsapp_messaging_window_account_sent ON whatsapp_messaging_window (account, first_sent_at);

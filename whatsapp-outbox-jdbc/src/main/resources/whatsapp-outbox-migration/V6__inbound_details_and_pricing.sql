-- What inbound messages and delivery receipts carry beyond their text (issue 24).
-- Only nullable columns without defaults: each ALTER is a catalog change, no table rewrite.

-- Inbound messages keep the sender's profile name and what their type carries (media, location,
-- contacts, reaction, reply ids, order, edit, revoke), as one JSON object per message.
ALTER TABLE message
    ADD COLUMN profile_name text,
    ADD COLUMN details      jsonb;

-- What Meta says a message costs, on the attempt that sent it (the latest attempt row of the
-- message when its receipt is applied).
ALTER TABLE outbound_attempt
    ADD COLUMN pricing_category    text,
    ADD COLUMN pricing_model       text,
    ADD COLUMN billable            boolean,
    ADD COLUMN conversation_id     text,
    ADD COLUMN conversation_origin text;

-- A receipt that beat its send keeps its pricing until it is applied.
ALTER TABLE pending_receipt
    ADD COLUMN pricing_category    text,
    ADD COLUMN pricing_model       text,
    ADD COLUMN billable            boolean,
    ADD COLUMN conversation_id     text,
    ADD COLUMN conversation_origin text;
